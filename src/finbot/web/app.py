"""``create_app``: the dashboard's ASGI application for one home.

Everything is served from this package (Jinja templates, the JavaScript in ``static/``, the
vendored TradingView lightweight-charts): nothing comes from a CDN. Errors are JSON objects
``{"error": {"type", "message"}}``: 422 for a bad parameter, never a traceback.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from pathlib import Path

from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse
from fastapi.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from finbot.config import DashboardSettings
from finbot.errors import FinbotError, UsageError
from finbot.i18n import N_, failure_line
from finbot.i18n import Message as Line  # starlette.types names its ASGI messages Message
from finbot.services import Services
from finbot.web.live import Broadcaster
from finbot.web.responses import SafeJSONResponse, error_response
from finbot.web.security import SECURITY_HEADERS, SESSION_COOKIE, Guard
from finbot.web.state import DashboardState, Retrainer, state_of

log = logging.getLogger(__name__)
HERE = Path(__file__).parent
OPEN_PATHS = ("/login", "/static/", "/favicon.ico")


def create_app(
    services: Services, settings: DashboardSettings, *, token: str, lang: str = "en"
) -> FastAPI:
    """The dashboard of ``services``' home. ``token`` is required for every request when
    ``settings.host`` is not loopback, and for every changing action in any case."""
    from finbot.web import api, pages
    from finbot.web.security import is_loopback

    live = Broadcaster(services.paths, settings.poll_sec)

    @contextlib.asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        poller = asyncio.create_task(live.run())
        try:
            yield
        finally:
            poller.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await poller

    app = FastAPI(
        title="finbot",
        version="1",
        docs_url=None,
        redoc_url=None,
        openapi_url="/api/openapi.json",
        lifespan=lifespan,
        default_response_class=SafeJSONResponse,
    )
    app.state.finbot = DashboardState(
        services=services,
        guard=Guard(token=token, read_needs_token=not is_loopback(settings.host)),
        live=live,
        trainer=Retrainer(services),
        lang=lang,
    )
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    app.include_router(api.router)
    app.include_router(pages.router)
    _install_errors(app)
    app.add_middleware(GuardMiddleware, guard=state_of(app).guard)
    return app


class GuardMiddleware:
    """Pure ASGI (no per-request task, streams untouched): refuse what needs the token and
    lacks it, add the security headers to every answer."""

    def __init__(self, app: ASGIApp, guard: Guard) -> None:
        self.app, self.guard = app, guard
        self.headers = [(k.lower().encode(), v.encode()) for k, v in SECURITY_HEADERS.items()]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                names = {k.lower() for k, _ in message.get("headers", [])}
                extra = [(k, v) for k, v in self.headers if k not in names]
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        if self._refused(Request(scope)):
            await self._refusal(scope["path"])(scope, receive, with_headers)
            return
        await self.app(scope, receive, with_headers)

    def _refused(self, request: Request) -> bool:
        if not self.guard.read_needs_token or request.url.path.startswith(OPEN_PATHS):
            return False
        cookie, auth = request.cookies.get(SESSION_COOKIE), request.headers.get("authorization")
        return not self.guard.authenticated(cookie, auth)

    @staticmethod
    def _refusal(path: str) -> Response:
        if path.startswith("/api/"):
            response = error_response("auth", "token required", 401)
            response.headers["WWW-Authenticate"] = "Bearer"
            return response
        return RedirectResponse("/login", status_code=303)


def _install_errors(app: FastAPI) -> None:
    async def invalid(_request: Request, exc: Exception) -> SafeJSONResponse:
        assert isinstance(exc, RequestValidationError)
        parts = []
        for e in exc.errors():
            where = ".".join(str(p) for p in e.get("loc", ()) if p not in ("query", "body"))
            parts.append(f"{where}: {e.get('msg', 'invalid')}")
        return error_response("usage", "; ".join(parts), 422)

    async def finbot_error(_request: Request, exc: Exception) -> SafeJSONResponse:
        code = 422 if isinstance(exc, UsageError) else 409
        return error_response(type(exc).__name__, str(exc), code)

    async def unexpected(_request: Request, exc: Exception) -> SafeJSONResponse:
        log.error("%s", Line(N_("dashboard request failed: {error}"), error=failure_line(exc)))
        return error_response("internal", type(exc).__name__, 500)

    app.add_exception_handler(RequestValidationError, invalid)
    app.add_exception_handler(FinbotError, finbot_error)
    app.add_exception_handler(Exception, unexpected)
