"""Reading CoinGecko's error bodies and rate-limit headers.

CoinGecko answers errors in three JSON shapes and, for keyless 429s served by its CDN, in plain
text (``error code: 1015``):

* ``{"error": {"status": {"error_code": 10012, "error_message": "..."}}}`` (some 401s)
* ``{"status": {"error_code": 429, "error_message": "..."}}`` (401 / 429)
* ``{"error": "coin not found"}`` (400 / 404 / 422)
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime
from email.utils import parsedate_to_datetime

import httpx

from finbot.i18n import N_, Message

#: 10012: "your request exceeds the allowed time range" (public/demo: past 365 days only).
HISTORY_LIMIT_CODE = 10012
#: Key problems: missing key, wrong key type for the host (demo vs pro), invalid key.
KEY_REJECTED_CODES = frozenset({10002, 10010, 10011})
_CDN_CODE = re.compile(r"error code:\s*(\d+)", re.IGNORECASE)


@dataclass(frozen=True)
class ErrorInfo:
    """What an error response said: CoinGecko's own code (if any) and its message."""

    code: int | None
    message: str


def http_detail(endpoint: str, status: int, info: ErrorInfo) -> Message:
    """An error answer as one line: ``CoinGecko /coins/{id}: HTTP 401 error 10002: <its
    message>`` (CoinGecko's own message as it wrote it, in English)."""
    detail = Message(N_("CoinGecko {endpoint}: HTTP {status}"), endpoint=endpoint, status=status)
    if info.code:
        detail = Message(N_("{detail} error {code}"), detail=detail, code=info.code)
    if info.message:
        detail = Message(N_("{detail}: {reason}"), detail=detail, reason=info.message)
    return detail


def _from_status(status: object) -> ErrorInfo | None:
    if not isinstance(status, dict):
        return None
    code = status.get("error_code")
    message = status.get("error_message") or ""
    return ErrorInfo(
        int(code) if isinstance(code, int | str) and str(code).isdigit() else None, str(message)
    )


def parse_error_body(text: str) -> ErrorInfo:
    """The code and message of an error body, whatever its shape (never raises)."""
    try:
        data = json.loads(text)
    except (json.JSONDecodeError, ValueError):
        match = _CDN_CODE.search(text or "")
        return ErrorInfo(int(match.group(1)) if match else None, (text or "").strip()[:200])
    if isinstance(data, dict):
        error = data.get("error")
        if isinstance(error, dict):
            found = _from_status(error.get("status"))
            if found:
                return found
        if isinstance(error, str):
            return ErrorInfo(None, error[:200])
        found = _from_status(data.get("status"))
        if found:
            return found
    return ErrorInfo(None, str(text).strip()[:200])


def _parse_reset_value(value: str, now: float) -> float | None:
    """Seconds from ``now`` until the moment an ``x-ratelimit-reset`` value names."""
    text = value.strip()
    try:
        number = float(text)
    except ValueError:
        number = None
    if number is not None:
        if number > 1e12:  # epoch milliseconds
            return number / 1000 - now
        if number > 1e9:  # epoch seconds
            return number - now
        return number  # seconds to wait
    for parse in (_parse_cg_date, _parse_http_date):
        moment = parse(text)
        if moment is not None:
            return moment.timestamp() - now
    return None


def _parse_cg_date(text: str) -> datetime | None:
    for fmt in ("%Y-%m-%d %H:%M:%S %z", "%Y-%m-%dT%H:%M:%S%z"):
        try:
            return datetime.strptime(text.replace("Z", "+0000"), fmt)
        except ValueError:
            continue
    return None


def _parse_http_date(text: str) -> datetime | None:
    try:
        return parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None


def rate_limit_wait(headers: httpx.Headers, now: float) -> float | None:
    """Seconds to wait after a 429: ``Retry-After`` when present, else ``x-ratelimit-reset``.

    CoinGecko sends ``x-ratelimit-limit/remaining/reset`` (the reset as a date such as
    ``2024-05-01 12:34:00 +0000`` on its paid API; epoch seconds elsewhere) and no
    ``Retry-After``; every one of these spellings is understood. ``None`` when neither is usable.
    """
    for name in ("retry-after", "x-ratelimit-reset"):
        raw = headers.get(name)
        if raw:
            wait = _parse_reset_value(raw, now)
            if wait is not None:
                return max(0.0, wait)
    return None
