"""Who may use the dashboard, and the headers every answer carries.

* Loopback binding (the default) lets anyone on this machine read; any other address requires
  the token for every request but the login form and the static files.
* The token is generated on first use and kept in ``config/secrets.json`` (mode 0600).
* ``POST /login`` with the token sets an HttpOnly, SameSite=Strict session cookie (a keyed
  digest of the token, never the token itself); API clients send ``Authorization: Bearer``.
* Actions that change anything are POST only and always authenticated; with the cookie they
  also need the CSRF field (a digest of the session), which only our own pages carry.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import secrets
from dataclasses import dataclass

from finbot.paths import Paths

SESSION_COOKIE = "finbot_session"
LANG_COOKIE = "finbot_lang"
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; font-src 'self'; object-src 'none'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
SECURITY_HEADERS: dict[str, str] = {
    "Content-Security-Policy": CSP,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


def is_loopback(host: str) -> bool:
    """``127.0.0.1``, ``::1``, ``localhost``: reachable from this machine only."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def ensure_token(paths: Paths) -> str:
    """The dashboard token of this home, generated and saved (mode 0600) on first use."""
    from finbot.config import load_settings, save_dashboard_token

    current = load_settings(paths).secrets
    if current.dashboard_token:
        return current.dashboard_token
    token = secrets.token_urlsafe(32)
    save_dashboard_token(paths, token)
    return token


@dataclass(frozen=True)
class Guard:
    """The checks of one served dashboard: its token and whether reading needs it."""

    token: str
    read_needs_token: bool

    def _digest(self, purpose: str, value: str = "") -> str:
        key = self.token.encode()
        return hmac.new(key, f"{purpose}:{value}".encode(), hashlib.sha256).hexdigest()

    @property
    def session_value(self) -> str:
        return self._digest("session")

    def csrf_for(self, session: str | None) -> str:
        return self._digest("csrf", session or "")

    def token_ok(self, given: str | None) -> bool:
        return given is not None and hmac.compare_digest(given.encode(), self.token.encode())

    def authenticated(self, cookie: str | None, authorization: str | None) -> bool:
        """A valid session cookie or ``Authorization: Bearer TOKEN``."""
        if cookie is not None and hmac.compare_digest(cookie, self.session_value):
            return True
        if authorization and authorization.lower().startswith("bearer "):
            return self.token_ok(authorization[7:].strip())
        return False

    def csrf_ok(self, cookie: str | None, authorization: str | None, field: str | None) -> bool:
        """Bearer requests carry no ambient credential; cookie ones need the CSRF field."""
        if authorization and self.token_ok(authorization[7:].strip()):
            return True
        return field is not None and hmac.compare_digest(field, self.csrf_for(cookie))
