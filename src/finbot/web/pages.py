"""The dashboard's pages, rendered on the server (Jinja2) in French or English.

Every string goes through the message catalog (``tr`` in the templates); the language comes from
the ``finbot_lang`` cookie (the switch), else the server's (``--lang``/settings). The pages
show the API's objects; ``static/app.js`` draws the charts and follows the live events.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape

from finbot.errors import FinbotError
from finbot.i18n import N_, describe, failure_line, in_language, translate
from finbot.web import queries
from finbot.web.api import STATUS_MAX_AGE
from finbot.web.security import LANG_COOKIE, SESSION_COOKIE
from finbot.web.state import DashboardState, state_of

router = APIRouter(include_in_schema=False)
HERE = Path(__file__).parent
PAGES = ("overview", "coin", "questions", "track", "models", "evaluation")
KINDS = ("price", "amount", "when", "best")


@cache
def _env() -> Environment:
    env = Environment(
        loader=FileSystemLoader(HERE / "templates"),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["pct"] = lambda v, d=2: "—" if v is None else f"{float(v) * 100:.{d}f} %"
    env.filters["num"] = _num
    env.filters["tojson_pretty"] = lambda v: json.dumps(v, indent=2, default=str)
    return env


def _num(value: Any, digits: int | None = None) -> str:
    if value is None:
        return "—"
    v = float(value)
    if digits is None:
        size = abs(v)
        digits = 0 if size >= 1000 else 2 if size >= 1 else 4 if size >= 0.01 else 6
    return f"{v:,.{digits}f}"


def lang_of(request: Request, st: DashboardState) -> str:
    chosen = request.cookies.get(LANG_COOKIE)
    return chosen if chosen in ("fr", "en") else st.lang


def render(request: Request, template: str, page: str, **values: Any) -> HTMLResponse:
    """The page in the visitor's language; the HTML is built once per store update (and at
    most ``STATUS_MAX_AGE`` old) for each address, language and session."""
    return render_built(request, template, page, lambda: values)


def render_built(
    request: Request, template: str, page: str, build: Callable[[], dict[str, Any]]
) -> HTMLResponse:
    """As ``render``, with the page's values from ``build()``, called only when the HTML is
    built (a cached page answers without computing them again)."""
    st = state_of(request.app)
    lang = lang_of(request, st)
    session = request.cookies.get(SESSION_COOKIE)

    def html() -> str:
        context = {
            "tr": lambda message, **kw: translate(lang, message, **kw),
            "line": lambda text: in_language(lang, text),
            "lang": lang,
            "page": page,
            "path": request.url.path,
            "here": request.url.path + (f"?{request.url.query}" if request.url.query else ""),
            "coins": st.services.settings.coins.enabled,
            "horizons": st.services.settings.general.horizons,
            "logged_in": st.guard.authenticated(session, None),
            "csrf": st.guard.csrf_for(session),
            # a line built by library code (an error) in the page's language
            **{k: in_language(lang, v) if isinstance(v, str) else v for k, v in build().items()},
        }
        return _env().get_template(template).render(**context)

    key = ("html", str(request.url), lang, session)
    return HTMLResponse(st.live.cached(key, html, STATUS_MAX_AGE))


def _safe(build: Any) -> tuple[Any, str | None]:
    """An answer, or the one-line reason it failed (shown in the page's place, in the page's
    language: the line the command line gives, ``finbot.i18n.describe``); a bug still raises
    (the application's handler answers it)."""
    try:
        return build(), None
    except Exception as exc:
        if not isinstance(exc, FinbotError) and describe(exc) is None:
            raise
        return None, failure_line(exc)


@router.get("/", response_class=HTMLResponse)
def overview(request: Request) -> HTMLResponse:
    st = state_of(request.app)
    status = st.live.cached("status", lambda: queries.status(st.services), STATUS_MAX_AGE)
    grid, error = _safe(
        lambda: st.live.cached("predictions", lambda: queries.predictions(st.services))
    )
    return render(request, "overview.html", "overview", status=status, grid=grid, error=error)


@router.get("/coin", response_class=HTMLResponse)
def coin(
    request: Request,
    id: Annotated[str | None, Query(max_length=64)] = None,
    tf: Annotated[str, Query(pattern="^(5m|1h|1d)$")] = "1h",
) -> HTMLResponse:
    st = state_of(request.app)
    cid = queries.coin_id(st.services, id) if id else st.services.settings.coins.enabled[0].id
    answer, error = _safe(
        lambda: st.live.cached(("price", cid, None), lambda: queries.price(st.services, cid, None))
    )
    return render(request, "coin.html", "coin", coin_id=cid, tf=tf, answer=answer, error=error)


@router.get("/questions", response_class=HTMLResponse)
def questions(
    request: Request,
    kind: Annotated[str | None, Query(pattern="^(price|amount|when|best)$")] = None,
    coin: Annotated[str | None, Query(max_length=64)] = None,
    horizon: Annotated[str | None, Query(max_length=8)] = None,
    amount_eur: Annotated[float | None, Query(gt=0, le=1e9)] = None,
    gain: Annotated[float | None, Query(gt=0, le=1000)] = None,
) -> HTMLResponse:
    st = state_of(request.app)
    asked = {"kind": kind, "coin": coin, "horizon": horizon, "amount_eur": amount_eur, "gain": gain}

    def values() -> dict[str, Any]:  # the question answered only when the page is built
        answer, error = (None, None) if kind is None else _safe(lambda: _ask(st, asked))
        return {"asked": asked, "answer": answer, "error": error, "kinds": KINDS}

    return render_built(request, "questions.html", "questions", values)


def _ask(st: DashboardState, asked: dict[str, Any]) -> dict[str, Any]:
    """The question of the form, through the same functions as the API and the CLI."""
    from finbot.errors import UsageError

    s, kind = st.services, asked["kind"]
    if kind == "best":
        return queries.best(s)
    if not asked["coin"]:
        raise UsageError(N_("coin: expected a coin"))
    cid = queries.coin_id(s, asked["coin"])
    if kind == "when":
        if asked["gain"] is None:
            raise UsageError(N_("gain: expected a gain in % > 0"))
        return queries.when(s, cid, float(asked["gain"]))
    at = queries.horizon(s, asked["horizon"]) if asked["horizon"] else None
    if kind == "amount":
        if at is None:
            raise UsageError(N_("horizon: expected a horizon with the amount question"))
        return queries.amount(s, cid, at, asked["amount_eur"])
    return queries.price(s, cid, at)


@router.get("/track", response_class=HTMLResponse)
def track(request: Request) -> HTMLResponse:
    st = state_of(request.app)
    data, error = _safe(
        lambda: st.live.cached(
            ("tracker", 50, None), lambda: queries.tracker(st.services, 50, None)
        )
    )
    table, _ = _safe(
        lambda: st.live.cached("reliability", lambda: queries.reliability(st.services))
    )
    bands = table["bins"] if table else []
    level = st.services.settings.general.confidence.level
    return render(request, "track.html", "track", data=data, error=error, level=level, bands=bands)


@router.get("/models", response_class=HTMLResponse)
def models(request: Request) -> HTMLResponse:
    st = state_of(request.app)
    rows = st.live.cached("models", lambda: queries.models(st.services))
    return render(request, "models.html", "models", rows=rows, retrain=st.trainer.state())


@router.get("/evaluation", response_class=HTMLResponse)
def evaluation(request: Request) -> HTMLResponse:
    st = state_of(request.app)
    runs = st.live.cached("evaluation", lambda: queries.evaluations(st.services))
    return render(request, "evaluation.html", "evaluation", runs=runs)


@router.get("/lang/{code}")
def switch_lang(code: str, next: Annotated[str, Query(max_length=200)] = "/") -> Response:
    local = next.startswith("/") and not next.startswith("//") and "\\" not in next
    target = next if local else "/"  # never a redirect to another site
    response = RedirectResponse(target, status_code=303)
    if code in ("fr", "en"):
        response.set_cookie(LANG_COOKIE, code, samesite="strict", httponly=True)
    return response


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, failed: bool = False) -> HTMLResponse:
    return render(request, "login.html", "login", failed=failed)


@router.post("/login")
def login(request: Request, token: Annotated[str, Form(max_length=200)]) -> Response:
    guard = state_of(request.app).guard
    if not guard.token_ok(token):
        return RedirectResponse("/login?failed=true", status_code=303)
    response = RedirectResponse("/", status_code=303)
    response.set_cookie(
        SESSION_COOKIE, guard.session_value, httponly=True, samesite="strict", path="/"
    )
    return response


@router.get("/api/docs", response_class=HTMLResponse)
def api_docs(request: Request) -> HTMLResponse:
    """The OpenAPI description as a page (served here: no CDN, no inline script)."""
    spec = request.app.openapi()
    return render(request, "api_docs.html", "api", spec=spec)
