"""``predict``'s four questions answered: each one assessed, recorded in the tracker and
printed (or emitted as JSON): the price at a horizon (or at every horizon with the coin's
overall decision), what an amount becomes, when a coin gains X %, the best moves now."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from finbot.cli.context import AppContext
from finbot.cli.predict_lines import (
    amount_line,
    coin_name,
    detail_lines,
    horizon_words,
    price_line,
    stale_lines,
)
from finbot.errors import FinbotError, UsageError
from finbot.i18n import N_, failure_line, localise_number, percent

if TYPE_CHECKING:
    from finbot.prediction.decision import Decision
    from finbot.prediction.questions import Assessment, Sources
    from finbot.prediction.tracking import PredictionTracker


def _record(
    app_ctx: AppContext, tracker: PredictionTracker | None, assessments: list[Assessment]
) -> None:
    """Store every answered prediction; a database problem never hides the answer."""
    if tracker is None:
        return
    from sqlalchemy.exc import SQLAlchemyError

    from finbot.clock import now_ms
    from finbot.prediction.questions import to_record

    made_at = now_ms(app_ctx.services.clock)
    try:
        for a in assessments:
            tracker.record(to_record(a, made_at, "cli"))
    except SQLAlchemyError as exc:  # the database refused: reported, the answer still shows
        app_ctx.err.print(
            app_ctx.tr(
                "warning: prediction not recorded ({e})",
                e=failure_line(exc),
            )
        )


def _sources(app_ctx: AppContext) -> tuple[Sources, PredictionTracker | None]:
    """The questions' live inputs and the tracker (None when the database is unavailable)."""
    from finbot.ops.answers import question_sources

    return question_sources(app_ctx.services)


def ask_price(app_ctx: AppContext, coin: str, horizon: str | None, as_json: bool) -> None:
    from finbot.prediction import questions as q

    sources, tracker = _sources(app_ctx)
    settings = app_ctx.settings
    if horizon:
        a = q.assess(settings, sources, coin, horizon)
        _record(app_ctx, tracker, [a])
        if as_json:
            app_ctx.emit_json(q.price_json(a))
            return
        app_ctx.console.print(price_line(app_ctx, a), highlight=False)
        for line in stale_lines(app_ctx, a) + detail_lines(app_ctx, a):
            app_ctx.console.print(line, highlight=False)
        return
    assessed = _assess_many(app_ctx, sources, [coin], list(settings.general.horizons))
    if not assessed:
        raise FinbotError(
            N_("no model answered for {coin}; train first ('finbot train')"),
            coin=coin,
        )
    _record(app_ctx, tracker, assessed)
    decision = q.coin_decision(settings, coin, assessed)
    if as_json:
        from finbot.ops.answers import coin_json

        app_ctx.emit_json(coin_json(coin, assessed, decision))
        return
    for a in assessed:
        app_ctx.console.print(price_line(app_ctx, a), highlight=False)
        for line in stale_lines(app_ctx, a):
            app_ctx.console.print(line, highlight=False)
    _print_decision(app_ctx, decision)


def _print_decision(app_ctx: AppContext, decision: Decision) -> None:
    lang = app_ctx.lang
    action = decision.action.text(lang)
    app_ctx.console.print(
        app_ctx.tr(
            "Overall: {act} — expected net return {net} — confidence {conf} % — {risk}",
            act=action,
            net=percent(lang, decision.expected_net_return, signed=True),
            conf=f"{decision.confidence:.0f}",
            risk=decision.risk_note(lang),
        ),
        highlight=False,
    )
    for text in decision.reason_texts(lang):
        app_ctx.console.print(f"  - {text}", highlight=False)


def _assess_many(
    app_ctx: AppContext,
    sources: Sources,
    coins: list[str],
    horizons: list[str],
    without_model: list[str] | None = None,
) -> list[Assessment]:
    """Every coin x horizon assessed; a failure said on stderr, one line each, except a
    missing model when ``without_model`` collects those ("coin horizon") instead."""
    from finbot.errors import ModelError
    from finbot.ops.answers import assess_many

    def report(coin: str, h: str, exc: FinbotError) -> None:
        if isinstance(exc, ModelError) and without_model is not None:
            without_model.append(f"{coin} {h}")
        else:
            app_ctx.err.print(f"{coin} {h}: {app_ctx.error_text(exc)}", highlight=False)

    return assess_many(app_ctx.settings, sources, coins, horizons, report)


def _without_model_line(app_ctx: AppContext, missing: list[str], total: int) -> str:
    """ONE line for every coin x horizon without a model, and how to train them."""
    coins = list(dict.fromkeys(m.split()[0] for m in missing))
    shown = ", ".join(coins[:5])
    if len(coins) > 5:
        shown = app_ctx.tr("{coins} and {n} more", coins=shown, n=len(coins) - 5)
    return app_ctx.tr(
        "no model for {n} of {total} coin x horizon sets ({coins}); "
        "train them with 'finbot train --all'",
        n=len(missing),
        total=total,
        coins=shown,
    )


def ask_amount(
    app_ctx: AppContext, coin: str, horizon: str, amount_eur: float | None, as_json: bool
) -> None:
    from finbot.ops.answers import amount_answer

    sources, tracker = _sources(app_ctx)
    ans = amount_answer(app_ctx.settings, sources, coin, horizon, amount_eur)
    _record(app_ctx, tracker, [ans.assessment])
    if as_json:
        app_ctx.emit_json(ans.to_json())
        return
    lang = app_ctx.lang
    app_ctx.console.print(price_line(app_ctx, ans.assessment), highlight=False)
    app_ctx.console.print(amount_line(app_ctx, ans, ans.amount_eur, horizon), highlight=False)
    for line in detail_lines(app_ctx, ans.assessment)[1:] + [
        f"  - {r.text(lang)}" for r in ans.reasons
    ]:
        app_ctx.console.print(line, highlight=False)
    _print_target(app_ctx, ans)


def _print_target(app_ctx: AppContext, ans: Any) -> None:
    from finbot.cli.forecast_lines import target_line

    line = target_line(app_ctx, ans)
    if line is not None:
        app_ctx.console.print(line, highlight=False)


def ask_when(app_ctx: AppContext, coin: str, gain: float | None, as_json: bool) -> None:
    from finbot.prediction import questions as q

    if gain is None or gain <= 0:
        raise UsageError(N_("gain: expected --gain PCT > 0 with --kind when (e.g. --gain 2)"))
    sources, tracker = _sources(app_ctx)
    ans = q.when(app_ctx.settings, sources, coin, gain)
    _record(app_ctx, tracker, list(ans.scanned))
    for note in ans.missing:
        app_ctx.err.print(app_ctx.line(note), highlight=False)
    if as_json:
        app_ctx.emit_json(ans.to_json())
        return
    _print_when(app_ctx, ans)


def _print_when(app_ctx: AppContext, ans: Any) -> None:
    """The when answer: the horizon found (or not within the longest), then each horizon's
    probability of the high reaching the gain."""
    from finbot.cli.forecast_lines import when_lines

    lang, name = app_ctx.lang, coin_name(app_ctx, ans.coin)
    level = f"{ans.level * 100:.0f}"
    if ans.found is None:
        head = app_ctx.tr(
            "{name} +{g} %: not within {h} (no horizon reaches a probability of {lvl} %)",
            name=name,
            g=localise_number(lang, f"{ans.gain_pct:g}"),
            h=horizon_words(ans.longest, lang),
            lvl=level,
        )
    else:
        head = app_ctx.tr(
            "{name} +{g} %: within {h} — probability {c} % (level {lvl} %)",
            name=name,
            g=localise_number(lang, f"{ans.gain_pct:g}"),
            h=horizon_words(ans.horizon or "", lang),
            c=f"{100 * (ans.probability or 0.0):.0f}",
            lvl=level,
        )
    app_ctx.console.print(head, highlight=False)
    words = {h: horizon_words(h, lang) for h, _, _ in ans.probabilities}
    for line in when_lines(app_ctx, ans, words):
        app_ctx.console.print(line, highlight=False)


def ask_best(app_ctx: AppContext, as_json: bool) -> None:
    from finbot.prediction import questions as q
    from finbot.prediction.decision import Action

    sources, tracker = _sources(app_ctx)
    settings = app_ctx.settings
    coins, horizons = list(settings.coins.ids), list(settings.general.horizons)
    missing: list[str] = []
    assessed = _assess_many(app_ctx, sources, coins, horizons, missing)
    _record(app_ctx, tracker, assessed)
    out = q.best(assessed)
    if as_json:
        app_ctx.emit_json({**out, "without_model": missing})
        return
    lang = app_ctx.lang
    if missing:
        total = len(coins) * len(horizons)
        app_ctx.err.print(_without_model_line(app_ctx, missing, total), highlight=False)
    for side, title in (
        ("buys", N_("Top buys")),
        ("sells", N_("Top sells")),
    ):
        app_ctx.console.print(app_ctx.tr("{label}:", label=app_ctx.tr(title)), highlight=False)
        if not out[side]:
            app_ctx.console.print("  —")
        for r in out[side]:
            action = Action(r["decision"]).text(lang)
            line = app_ctx.tr(
                "{coin} {horizon}: {change}, net {net} per hour, confidence {confidence} %, "
                "{decision}",
                coin=coin_name(app_ctx, r["coin"]),
                horizon=horizon_words(r["horizon"], lang),
                change=percent(lang, r["change_pct"] / 100, signed=True),
                net=percent(lang, r["expected_net_return_per_hour"], signed=True),
                confidence=app_ctx.display.number(r["confidence"], 0),
                decision=action,
            )
            app_ctx.console.print(f"  {line}", highlight=False)
