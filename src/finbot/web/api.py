"""``/api/v1/``: the ``--json`` objects of the reporting commands, bars, live events, and the
one changing action (retrain), POST only, authenticated and CSRF-protected."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Form, Header, Query, Request, Response
from fastapi.responses import FileResponse, StreamingResponse

from finbot.timeframes import Timeframe
from finbot.web import queries
from finbot.web.responses import SafeJSONResponse, error_response
from finbot.web.security import SESSION_COOKIE
from finbot.web.state import DashboardState, state_of

router = APIRouter(prefix="/api/v1", tags=["finbot"])
Coin = Annotated[str, Query(min_length=1, max_length=64, description="Coin id, symbol or name.")]
Horizon = Annotated[str, Query(min_length=2, max_length=8, description="e.g. 10m, 1h, 12h.")]


def _state(request: Request) -> DashboardState:
    return state_of(request.app)


STATUS_MAX_AGE = 5.0  # uptime, job times and the API usage move without a store write


async def _json(
    request: Request, key: Any, build: Callable[[], Any], max_age: float | None = None
) -> Response:
    """The JSON answer of ``key``, built (in a thread) once per store update and kept as bytes:
    every client until the next write gets the same body."""
    live = _state(request).live

    def body() -> bytes:  # the object is shared with the pages (one build for both)
        return bytes(SafeJSONResponse(live.cached(key, build, max_age)).body)

    content = await live.answer(("json", key), body, max_age)
    return Response(content, media_type="application/json")


@router.get("/status", summary="status --json")
async def status(request: Request) -> Response:
    st = _state(request)
    return await _json(request, "status", lambda: queries.status(st.services), STATUS_MAX_AGE)


@router.get("/predictions", summary="Every coin × horizon (predict --json each)")
async def predictions(request: Request) -> Response:
    st = _state(request)
    return await _json(request, "predictions", lambda: queries.predictions(st.services))


@router.get("/questions/price", summary="predict --coin C [--horizon H] --json")
async def price(request: Request, coin: Coin, horizon: Horizon | None = None) -> Response:
    st = _state(request)
    cid = queries.coin_id(st.services, coin)
    at = None if horizon is None else queries.horizon(st.services, horizon)
    return await _json(request, ("price", cid, at), lambda: queries.price(st.services, cid, at))


@router.get("/questions/amount", summary="predict --kind amount --json")
async def amount(
    request: Request,
    coin: Coin,
    horizon: Horizon,
    amount_eur: Annotated[float | None, Query(gt=0, le=1e9)] = None,
) -> Response:
    st = _state(request)
    cid, at = queries.coin_id(st.services, coin), queries.horizon(st.services, horizon)
    key = ("amount", cid, at, amount_eur)
    return await _json(request, key, lambda: queries.amount(st.services, cid, at, amount_eur))


@router.get("/questions/when", summary="predict --kind when --gain X --json")
async def when(
    request: Request, coin: Coin, gain: Annotated[float, Query(gt=0, le=1000)]
) -> Response:
    st = _state(request)
    cid = queries.coin_id(st.services, coin)
    return await _json(request, ("when", cid, gain), lambda: queries.when(st.services, cid, gain))


@router.get("/questions/best", summary="predict --kind best --json")
async def best(request: Request) -> Response:
    st = _state(request)
    return await _json(request, "best", lambda: queries.best(st.services))


@router.get("/models", summary="models list --json")
async def models(request: Request) -> Response:
    st = _state(request)
    return await _json(request, "models", lambda: queries.models(st.services))


@router.post("/models/retrain", status_code=202, summary="Retrain one coin × horizon")
def retrain(
    request: Request,
    coin: Annotated[str, Form(min_length=1, max_length=64)],
    horizon: Annotated[str, Form(min_length=2, max_length=8)],
    csrf: Annotated[str | None, Form()] = None,
    authorization: Annotated[str | None, Header()] = None,
) -> SafeJSONResponse:
    st = _state(request)
    cookie = request.cookies.get(SESSION_COOKIE)
    if not st.guard.authenticated(cookie, authorization):
        return error_response("auth", "log in first (token required)", 401)
    if not st.guard.csrf_ok(cookie, authorization, csrf):
        return error_response("csrf", "missing or wrong CSRF field", 403)
    cid, at = queries.coin_id(st.services, coin), queries.horizon(st.services, horizon)
    started = st.trainer.start(cid, at)
    return SafeJSONResponse({"coin": cid, "horizon": at, "started": started}, status_code=202)


@router.get("/models/retrain", summary="Progress of the retrain action")
def retrain_state(request: Request) -> dict[str, Any]:
    return _state(request).trainer.state()


@router.get("/tracker", summary="tracker --no-resolve --json")
async def tracker(
    request: Request,
    limit: Annotated[int, Query(ge=1, le=1000)] = 20,
    coin: Annotated[str | None, Query(min_length=1, max_length=64)] = None,
) -> Response:
    st = _state(request)
    cid = None if coin is None else queries.coin_id(st.services, coin)
    key = ("tracker", limit, cid)
    return await _json(request, key, lambda: queries.tracker(st.services, limit, cid))


@router.get(
    "/tracker/reliability", summary="How often the stated outcome happened per band of confidence"
)
async def reliability(request: Request) -> Response:
    st = _state(request)
    return await _json(request, "reliability", lambda: queries.reliability(st.services))


@router.get("/tracker/export", summary="tracker --export FILE.csv|xlsx")
def tracker_export(
    request: Request, format: Annotated[str, Query(pattern="^(csv|xlsx)$")] = "csv"
) -> FileResponse:
    st = _state(request)
    target = st.export_dir() / f"predictions.{format}"
    st.services.tracker.export(target)
    return FileResponse(target, filename=target.name)


@router.get("/evaluation", summary="The latest evaluate --json of each coin and timeframe")
async def evaluation(request: Request) -> Response:
    st = _state(request)
    return await _json(request, "evaluation", lambda: queries.evaluations(st.services))


@router.get("/usage", summary="API usage (status --json api_usage)")
async def usage(request: Request) -> Response:
    st = _state(request)
    return await _json(request, "usage", lambda: queries.usage(st.services), STATUS_MAX_AGE)


@router.get("/collectors", summary="Collectors (status --json collectors)")
async def collectors(request: Request) -> Response:
    st = _state(request)
    return await _json(request, "collectors", lambda: queries.collectors(st.services))


@router.get("/settings", summary="settings --json (keys masked)")
def settings(request: Request) -> dict[str, Any]:
    return queries.settings(_state(request).services)


@router.get("/bars", summary="Stored bars of a coin and timeframe over a range")
async def bars(
    request: Request,
    coin: Coin,
    timeframe: Timeframe = Timeframe.H1,
    start: Annotated[int | None, Query(ge=0, description="UTC epoch ms, inclusive")] = None,
    end: Annotated[int | None, Query(ge=0, description="UTC epoch ms, inclusive")] = None,
    limit: Annotated[int, Query(ge=1, le=queries.MAX_BARS)] = 500,
) -> Response:
    st = _state(request)
    cid = queries.coin_id(st.services, coin)
    key = ("bars", cid, timeframe.value, start, end, limit)
    return await _json(
        request, key, lambda: queries.bars(st.services, cid, timeframe.value, start, end, limit)
    )


@router.get("/events", summary="Server-sent events: one 'update' per store write")
async def events(request: Request) -> StreamingResponse:
    stream = _state(request).live.events()
    return StreamingResponse(stream, media_type="text/event-stream")
