"""The text lines of ``predict``'s answers: numbers, percentages and horizons as the user's
language writes them, the price answer's line (and its EUR beside), the amount line, the
details under an answer and the stale-data warning."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from finbot.cli.context import AppContext
from finbot.i18n import money, number, percent, translate_context

if TYPE_CHECKING:
    from finbot.prediction.questions import Assessment, Freshness


def horizon_words(horizon: str, lang: str) -> str:
    value, unit = int(horizon[:-1]), horizon[-1]
    names = {
        "m": translate_context(lang, "time unit", "min"),
        "h": translate_context(lang, "time unit", "h"),
        "d": translate_context(lang, "time unit", "d"),
        "w": translate_context(lang, "time unit", "w"),
    }
    return f"{value} {names.get(unit, unit)}"


def coin_name(app_ctx: AppContext, coin_id: str) -> str:
    for coin in app_ctx.settings.coins.coins:
        if coin.id == coin_id:
            return coin.name
    return coin_id


def price_line(app_ctx: AppContext, a: Assessment) -> str:
    """The spec's answer: "Bitcoin in 1 h: 50,250 $ (+0.5 %) — 80 % interval [...] — ..."."""
    import math

    lang, p = app_ctx.lang, a.prediction
    interval = (
        f"[{number(lang, a.low_price)} ; {number(lang, a.high_price)}]"
        if math.isfinite(a.high_return)
        else "[—]"
    )
    action = a.decision.action.text(lang)
    return app_ctx.tr(
        "{name} in {h}: {price} $ ({chg}) — {lvl} % interval {iv} — confidence {conf} % — {act}",
        name=coin_name(app_ctx, p.coin),
        h=horizon_words(p.horizon, lang),
        price=number(lang, p.predicted_price),
        chg=percent(lang, math.expm1(p.predicted_return), signed=True),
        lvl=f"{a.level * 100:.0f}",
        iv=interval,
        conf=f"{a.confidence.score:.0f}",
        act=action,
    ) + eur_beside(app_ctx, a)


def eur_beside(app_ctx: AppContext, a: Assessment) -> str:
    """With ``display.eur_beside_usd``, the predicted price in euros (from the EUR/USD rate the
    answer used) on a line of its own; nothing without the setting or a rate."""
    rate = a.eur_per_usd
    if not app_ctx.settings.general.display.eur_beside_usd or not rate:
        return ""
    p = a.prediction
    return "\n" + app_ctx.tr(
        "  {price} $ = {eur} (EUR/USD {rate})",
        price=number(app_ctx.lang, p.predicted_price),
        eur=money(app_ctx.lang, p.predicted_price * rate, "EUR"),
        rate=number(app_ctx.lang, 1 / rate, 4),
    )


def _eur(lang: str, value: float) -> str:
    """An amount in euros as ``lang`` writes it: ``500.00 EUR`` / ``500,00 €``."""
    return money(lang, value, "EUR")


def amount_line(app_ctx: AppContext, ans: Any, amount: float, horizon: str) -> str:
    """What ``amount`` EUR becomes at ``horizon``, with the costs and the target."""
    lang = app_ctx.lang
    return app_ctx.tr(
        "{amt} → {val} in {h}; costs {cost}; net profit {net} (target {tgt})",
        amt=_eur(lang, amount),
        val=_eur(lang, ans.value_eur),
        h=horizon_words(horizon, lang),
        cost=_eur(lang, ans.assessment.costs.total_eur),
        net=_eur(lang, ans.net_profit_eur),
        tgt="—" if ans.target_eur is None else _eur(lang, ans.target_eur),
    )


def detail_lines(app_ctx: AppContext, a: Assessment) -> list[str]:
    from finbot.cli.forecast_lines import volatility_line

    lang, p = app_ctx.lang, a.prediction
    err = "—" if a.expected_error_frac is None else percent(lang, a.expected_error_frac)
    lines = [
        app_ctx.tr(
            "  now {last} $ ({src} at {asof}); model {model} {version} ({tf}), MAE vs naive "
            "{ratio}, expected error {err} (max {max}); round-trip costs {cost}",
            last=number(lang, p.last_price),
            src=_source_words(app_ctx, a.freshness, p.timeframe),
            asof=_when(app_ctx, p.as_of),
            model=p.model,
            version=p.model_version,
            tf=p.timeframe,
            ratio=number(lang, p.mae_ratio, 3),
            err=err,
            max=percent(lang, a.thresholds.max_error_frac),
            cost=percent(lang, a.costs.fraction),
        )
    ]
    lines.append(volatility_line(app_ctx, a))
    lines += [f"  - {text}" for text in a.reasons(lang)]
    return lines


def stale_lines(app_ctx: AppContext, a: Assessment) -> list[str]:
    """One line when the data behind the answer is older than allowed (else none)."""
    from finbot.prediction.questions import age_text

    fresh = a.freshness
    if fresh is None or not fresh.stale:
        return []
    return [
        app_ctx.tr(
            "  stale: the newest data is {age} old (limit {limit}); collect first "
            "('finbot collect') — decision HOLD",
            age=age_text(fresh.data_age_s),
            limit=age_text(fresh.max_age_ms / 1000),
        )
    ]


def _source_words(app_ctx: AppContext, fresh: Freshness | None, timeframe: str) -> str:
    """Where the answer's "now" price comes from, in the answer's language: the price
    collector (``prices``) or the close of a bar (``bars 1h``)."""
    source = fresh.price.source if fresh else None
    if source == "prices":
        return app_ctx.tr("price collector")
    return app_ctx.tr("{tf} bar", tf=source.removeprefix("bars ") if source else timeframe)


def _when(app_ctx: AppContext, ms: int) -> str:
    """A stored time as the answer shows it: ISO UTC, or in ``display.timezone`` when set."""
    from finbot.clock import iso_utc

    show = app_ctx.display
    return iso_utc(int(ms)) if show.timezone == "UTC" else show.when(int(ms), compact=False)
