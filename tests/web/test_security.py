"""The dashboard's security rules, each against a real server: loopback by default, the token
anywhere else (Bearer or the login cookie), POST-only authenticated CSRF-protected actions,
API keys never shown, and the security headers."""

from __future__ import annotations

import json
import logging
import stat
import time
from typing import Any

import httpx
import pytest

from finbot.config import load_settings
from finbot.web import is_loopback
from tests.fixtures.dashboard import SECRET_KEY, Served

pytestmark = pytest.mark.integration
READS = [
    "/",
    "/coin?id=bitcoin",
    "/questions?kind=price&coin=bitcoin",
    "/track",
    "/models",
    "/evaluation",
    "/login",
    "/api/docs",
    "/api/openapi.json",
    "/api/v1/status",
    "/api/v1/predictions",
    "/api/v1/settings",
    "/api/v1/usage",
    "/api/v1/collectors",
    "/api/v1/models",
    "/api/v1/tracker",
]


def test_loopback_is_the_default_and_the_only_open_binding() -> None:
    assert load_settings_default_host() == "127.0.0.1"
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.5")


def load_settings_default_host() -> str:
    from finbot.config import DashboardSettings

    return DashboardSettings().host


def test_the_token_is_generated_once_and_kept_owner_only(dashboard: Served) -> None:
    secrets_file = dashboard.paths.secrets_file
    assert stat.S_IMODE(secrets_file.stat().st_mode) == 0o600
    settings = load_settings(dashboard.paths)
    assert settings.secrets.dashboard_token == dashboard.token
    assert settings.secrets.coingecko_keys == (SECRET_KEY,)  # the keys kept beside it
    from finbot.web import ensure_token

    assert ensure_token(dashboard.paths) == dashboard.token


def test_loopback_reads_without_the_token(dashboard: Served) -> None:
    with dashboard.client() as c:
        assert c.get("/api/v1/status").status_code == 200
        assert c.get("/").status_code == 200


def test_a_non_loopback_server_refuses_without_the_token(guarded_dashboard: Served) -> None:
    served = guarded_dashboard
    with served.client() as c:
        api = c.get("/api/v1/predictions")
        page = c.get("/models")
        wrong = c.get("/api/v1/status", headers={"Authorization": "Bearer nope"})
        assert c.get("/login").status_code == 200  # the login form stays open
    assert api.status_code == 401 and api.json()["error"]["type"] == "auth"
    assert page.status_code == 303 and page.headers["location"] == "/login"
    assert wrong.status_code == 401
    with served.client(headers={"Authorization": f"Bearer {served.token}"}) as c:
        assert c.get("/api/v1/predictions").status_code == 200


def test_the_login_form_sets_an_httponly_samesite_cookie(guarded_dashboard: Served) -> None:
    served = guarded_dashboard
    with served.client() as c:
        bad = c.post("/login", data={"token": "guess"})
        assert bad.status_code == 303 and "failed" in bad.headers["location"]
        good = c.post("/login", data={"token": served.token})
        cookie = good.headers["set-cookie"]
        assert good.status_code == 303
        assert "HttpOnly" in cookie and "SameSite=strict" in cookie.replace("Strict", "strict")
        assert served.token not in cookie  # the cookie is a digest, never the token
        assert c.get("/models").status_code == 200  # the cookie is the session


def test_retrain_is_post_only_authenticated_and_csrf_protected(dashboard: Served) -> None:
    form = {"coin": "ethereum", "horizon": "1h"}
    with dashboard.client() as c:
        assert c.get("/api/v1/models/retrain?coin=ethereum&horizon=1h").json()["running"] is None
        assert c.post("/api/v1/models/retrain", data=form).status_code == 401
        c.post("/login", data={"token": dashboard.token})
        no_csrf = c.post("/api/v1/models/retrain", data=form)
        assert no_csrf.status_code == 403 and no_csrf.json()["error"]["type"] == "csrf"
        forged = c.post("/api/v1/models/retrain", data={**form, "csrf": "0" * 64})
        assert forged.status_code == 403
        page = c.get("/models").text
        csrf = page.split('name="csrf" value="')[1].split('"')[0]
        ok = c.post("/api/v1/models/retrain", data={**form, "csrf": csrf})
    assert ok.status_code == 202 and ok.json()["started"] is True
    state = _wait_retrained(dashboard)
    assert state["last"] == {"coin": "ethereum", "horizon": "1h", "trained": 1}
    with httpx.Client(
        base_url=dashboard.url, headers={"Authorization": f"Bearer {dashboard.token}"}
    ) as c:
        assert c.post("/api/v1/models/retrain", data=form).status_code == 202  # API clients
    _wait_retrained(dashboard)


def _wait_retrained(served: Served) -> dict[str, Any]:
    for _ in range(600):
        state: dict[str, Any] = served.get_json("/api/v1/models/retrain")
        if state["running"] is None and state["last"]:
            return state
        time.sleep(0.1)
    raise AssertionError("retrain did not finish")


def test_api_keys_never_appear_in_responses_pages_or_logs(
    dashboard: Served, caplog: pytest.LogCaptureFixture
) -> None:
    for name in ("", "finbot", "httpx", "uvicorn"):
        caplog.set_level(logging.DEBUG, logger=name)
    with dashboard.client() as c:
        for url in READS:
            response = c.get(url)
            assert response.status_code == 200, url
            assert SECRET_KEY not in response.text and dashboard.token not in response.text, url
    settings = dashboard.get_json("/api/v1/settings")
    assert settings["secrets"]["coingecko_api_keys"] == ["****" + SECRET_KEY[-4:]]
    assert caplog.records  # the server's and the client's logs were captured
    assert SECRET_KEY not in caplog.text and dashboard.token not in caplog.text
    for log in dashboard.paths.logs_dir.glob("**/*"):
        if log.is_file():
            text = log.read_text("utf-8", errors="replace")
            assert SECRET_KEY not in text and dashboard.token not in text, log


def test_every_answer_carries_the_security_headers(dashboard: Served) -> None:
    with dashboard.client() as c:
        for url in ("/", "/api/v1/status", "/static/app.js", "/api/v1/bars?coin=x"):
            headers = c.get(url).headers
            csp = headers["content-security-policy"]
            assert (
                "script-src 'self'" in csp
                and "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
            )
            assert "frame-ancestors 'none'" in csp
            assert headers["x-frame-options"] == "DENY"
            assert headers["x-content-type-options"] == "nosniff"
        page = c.get("/").text
    assert "<script>" not in page and "onclick" not in page  # no inline script at all


def test_the_token_joins_the_secrets_file_without_the_environments_keys(
    home: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from finbot.web import ensure_token

    monkeypatch.setenv("COINGECKO_API_KEYS", SECRET_KEY)
    token = ensure_token(home)
    saved = json.loads(home.secrets_file.read_text("utf-8"))
    assert saved == {"dashboard_token": token}  # the environment's key is not written
    assert stat.S_IMODE(home.secrets_file.stat().st_mode) == 0o600
    assert load_settings(home).secrets.coingecko_keys == (SECRET_KEY,)
    assert ensure_token(home) == token


def test_the_language_switch_never_redirects_to_another_site(dashboard: Served) -> None:
    with dashboard.client() as c:
        for evil in ("//evil.example/", "/\\evil.example/", "https://evil.example/"):
            response = c.get("/lang/fr", params={"next": evil})
            assert response.status_code == 303 and response.headers["location"] == "/", evil
        kept = c.get("/lang/fr", params={"next": "/coin?id=bitcoin&tf=5m"})
    assert kept.headers["location"] == "/coin?id=bitcoin&tf=5m"
    assert "httponly" in kept.headers["set-cookie"].lower()
