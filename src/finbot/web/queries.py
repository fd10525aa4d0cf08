"""The dashboard's answers: the same objects as each reporting command's ``--json``, from the
same functions the CLI calls (``ops.status``, ``ops.answers``, ``ops.reports``, the stores)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from finbot.clock import now_ms
from finbot.errors import UsageError
from finbot.i18n import N_, error_message

if TYPE_CHECKING:
    from finbot.prediction.tracking import ReliabilityJson
    from finbot.services import Services

MAX_BARS = 5000


def coin_id(services: Services, text: str) -> str:
    """A coin id, symbol or name resolved as the CLI does (UsageError when unknown)."""
    from finbot.config import resolve_coin

    return resolve_coin(services.settings.coins, text).id


def horizon(services: Services, text: str) -> str:
    """A configured horizon in canonical form (UsageError otherwise)."""
    from finbot.timeframes import canonical

    try:
        value = canonical(text)
    except Exception as exc:  # noqa: BLE001 - any parse failure is the user's input
        raise UsageError(N_("horizon: {exc}"), exc=error_message(exc)) from None
    if value not in services.settings.general.horizons:
        known = ", ".join(services.settings.general.horizons)
        raise UsageError(
            N_("horizon: expected one of {known}, got {text!r}"), known=known, text=text
        )
    return value


def status(services: Services) -> dict[str, object]:
    """``status --json``."""
    from finbot.ops.status import collect_status

    return collect_status(services).to_json()


def predictions(services: Services) -> dict[str, Any]:
    """Every coin × horizon's ``predict --json`` object, and what could not be answered."""
    from finbot.ops.answers import assess_many, question_sources
    from finbot.prediction import questions as q

    settings = services.settings
    sources, _ = question_sources(services)
    missing: list[dict[str, str]] = []
    assessed = assess_many(
        settings,
        sources,
        list(settings.coins.ids),
        list(settings.general.horizons),
        lambda c, h, exc: missing.append({"coin": c, "horizon": h, "error": str(exc)}),
    )
    return {"predictions": [q.price_json(a) for a in assessed], "missing": missing}


def price(services: Services, coin: str, at: str | None) -> dict[str, Any]:
    """``predict --coin C [--horizon H] --json``."""
    from finbot.errors import FinbotError
    from finbot.ops.answers import assess_many, coin_json, question_sources
    from finbot.prediction import questions as q

    settings = services.settings
    sources, _ = question_sources(services)
    if at is not None:
        return dict(q.price_json(q.assess(settings, sources, coin, at)))
    assessed = assess_many(settings, sources, [coin], list(settings.general.horizons))
    if not assessed:
        raise FinbotError(
            N_("no model answered for {coin}; train first ('finbot train')"), coin=coin
        )
    return coin_json(coin, assessed, q.coin_decision(settings, coin, assessed))


def amount(services: Services, coin: str, at: str, amount_eur: float | None) -> dict[str, Any]:
    """``predict --kind amount --json``."""
    from finbot.ops.answers import amount_answer, question_sources

    sources, _ = question_sources(services)
    return dict(amount_answer(services.settings, sources, coin, at, amount_eur).to_json())


def when(services: Services, coin: str, gain: float) -> dict[str, Any]:
    """``predict --kind when --gain X --json``."""
    from finbot.ops.answers import question_sources
    from finbot.prediction import questions as q

    sources, _ = question_sources(services)
    return dict(q.when(services.settings, sources, coin, gain).to_json())


def best(services: Services) -> dict[str, Any]:
    """``predict --kind best --json``."""
    from finbot.errors import FinbotError, ModelError
    from finbot.ops.answers import assess_many, question_sources
    from finbot.prediction import questions as q

    settings = services.settings
    sources, _ = question_sources(services)
    coins, horizons = list(settings.coins.ids), list(settings.general.horizons)
    missing: list[str] = []

    def note(coin: str, h: str, exc: FinbotError) -> None:
        if isinstance(exc, ModelError):
            missing.append(f"{coin} {h}")

    assessed = assess_many(settings, sources, coins, horizons, note)
    return {**q.best(assessed), "without_model": missing}


def models(services: Services) -> list[Any]:
    """``models list --json``."""
    return list(services.model_store.list_models())


def tracker(services: Services, limit: int, coin: str | None) -> dict[str, Any]:
    """``tracker --no-resolve --json`` (reading never scores: the bot's job does)."""
    from finbot.ops.reports import tracker_json

    now = now_ms(services.clock)
    return tracker_json(services.tracker, now, limit=limit, coin=coin, resolved=0)


def reliability(services: Services) -> ReliabilityJson:
    """The reliability table of the confidence: for each band of stated confidence, how often
    the stated outcome happened (the tracker's own table, as ``tracker --json`` shows it)."""
    return services.tracker.reliability(now_ms(services.clock))


def evaluations(services: Services) -> list[dict[str, Any]]:
    """The latest ``evaluate --json`` of each coin and timeframe, with its equity curves."""
    from finbot.ops.reports import latest_evaluations

    return latest_evaluations(services.paths)


def usage(services: Services) -> Any:
    """The API usage section of ``status --json`` (minute, day, month against the limits)."""
    return services.usage.summary(now_ms(services.clock))


def collectors(services: Services) -> Any:
    """The collectors section of ``status --json``."""
    from finbot.ops.status import collectors_section

    return collectors_section(services.usage)


def settings(services: Services) -> dict[str, Any]:
    """``settings --json`` (keys masked, the dashboard token never shown)."""
    from finbot.ops.reports import settings_json

    return settings_json(services)


def bars(
    services: Services,
    coin: str,
    timeframe: str,
    start_ms: int | None,
    end_ms: int | None,
    limit: int,
) -> dict[str, Any]:
    """Stored bars of one coin and timeframe, oldest first (at most ``limit``, the newest)."""
    if start_ms is not None and end_ms is not None and start_ms > end_ms:
        raise UsageError(
            N_("start: expected start <= end, got {start_ms} > {end_ms}"),
            start_ms=start_ms,
            end_ms=end_ms,
        )
    frame = services.bar_store.read(coin, timeframe, start_ms, end_ms, last_n=limit)
    cols = ("ts", "open", "high", "low", "close", "volume")
    data = frame.select(cols).to_dict(as_series=False)
    return {"coin": coin, "timeframe": timeframe, "count": frame.height, **data}
