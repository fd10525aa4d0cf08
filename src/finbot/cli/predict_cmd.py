"""``predict`` / ``prevoir``: the user's four questions, and the interactive prompt.

``finbot prevoir --coin BTC --horizon 1h`` (or the original's ``--unit h --value 1``, French
``--unite``/``--valeur``), ``--kind price|amount|profit|when|best``, ``--amount-eur`` /
``--montant-eur``, ``--gain PCT``, ``--json``. With no arguments on a terminal it asks
"Quelle crypto ?" and "Dans combien de temps ?"; without a terminal it explains the flags and
exits 2. Every prediction answered is recorded in the tracker.
"""

from __future__ import annotations

import sys
from enum import StrEnum
from typing import TYPE_CHECKING, Any

import typer

from finbot.cli import context
from finbot.cli.context import AppContext
from finbot.errors import FinbotError, UsageError
from finbot.i18n import N_, localise_number, translate_context

if TYPE_CHECKING:
    from finbot.prediction.decision import Decision
    from finbot.prediction.questions import Assessment, Sources
    from finbot.prediction.tracking import PredictionTracker


class QuestionKind(StrEnum):
    """Which of the four questions ``--kind`` asks (``profit`` is another name for ``amount``)."""

    PRICE = "price"
    AMOUNT = "amount"
    PROFIT = "profit"
    WHEN = "when"
    BEST = "best"


HINT = N_(
    "no terminal to ask questions on; give the question as options, e.g.\n"
    "  finbot predict --coin bitcoin --horizon 1h [--json]\n"
    "  finbot prevoir --coin BTC --unit h --value 6 --kind amount --amount-eur 500\n"
    "  finbot predict --coin ETH --kind when --gain 2\n"
    "  finbot predict --kind best"
)


# ------------------------------------------------------------------ formatting
def number(value: float, lang: str, digits: int | None = None) -> str:
    """``50,250`` in English, ``50 250`` in French (decimals by magnitude unless given)."""
    if digits is None:
        size = abs(value)
        digits = 0 if size >= 1000 else 2 if size >= 1 else 4 if size >= 0.01 else 6
    return localise_number(lang, f"{value:,.{digits}f}")


def signed_pct(fraction: float, lang: str) -> str:
    text = f"{fraction * 100:+.2f}"
    return localise_number(lang, text) + " %"


def pct(fraction: float, lang: str) -> str:
    """``0.47 %`` in English, ``0,47 %`` in French."""
    return number(fraction * 100, lang, 2) + " %"


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
        f"[{number(a.low_price, lang)} ; {number(a.high_price, lang)}]"
        if math.isfinite(a.high_return)
        else "[—]"
    )
    action = a.decision.action.text(lang)
    return app_ctx.tr(
        "{name} in {h}: {price} $ ({chg}) — {lvl} % interval {iv} — confidence {conf} % — {act}",
        name=coin_name(app_ctx, p.coin),
        h=horizon_words(p.horizon, lang),
        price=number(p.predicted_price, lang),
        chg=signed_pct(math.expm1(p.predicted_return), lang),
        lvl=f"{a.level * 100:.0f}",
        iv=interval,
        conf=f"{a.confidence.score:.0f}",
        act=action,
    )


def detail_lines(app_ctx: AppContext, a: Assessment) -> list[str]:
    lang, p = app_ctx.lang, a.prediction
    err = "—" if a.expected_error_frac is None else pct(a.expected_error_frac, lang)
    lines = [
        app_ctx.tr(
            "  now {last} $ (bar of {asof}); model {model} {version} ({tf}), MAE vs naive {ratio}, "
            "expected error {err} (max {max}); round-trip costs {cost}",
            last=number(p.last_price, lang),
            asof=_iso(p.as_of),
            model=p.model,
            version=p.model_version,
            tf=p.timeframe,
            ratio=number(p.mae_ratio, lang, 3),
            err=err,
            max=pct(a.thresholds.max_error_frac, lang),
            cost=pct(a.costs.fraction, lang),
        )
    ]
    lines += [f"  - {text}" for text in a.reasons(lang)]
    return lines


def _iso(ms: int) -> str:
    from finbot.clock import iso_utc

    return iso_utc(int(ms))


# ------------------------------------------------------------------ wiring
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
                e=exc,
            )
        )


def _sources(app_ctx: AppContext) -> tuple[Sources, PredictionTracker | None]:
    """The questions' live inputs and the tracker (None when the database is unavailable)."""
    from finbot.ops.answers import question_sources

    return question_sources(app_ctx.services)


def resolve_horizon(horizon: str | None, unit: str | None, value: float | None) -> str | None:
    from finbot.timeframes import canonical, from_unit_value

    if horizon and (unit or value is not None):
        raise UsageError("horizon: give either --horizon or --unit/--value, not both")
    if unit or value is not None:
        if not unit or value is None:
            raise UsageError("unit/value: expected both --unit (min|h|d) and --value N")
        return from_unit_value(unit, value)
    return canonical(horizon) if horizon else None


# ------------------------------------------------------------------ the questions
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
        for line in detail_lines(app_ctx, a):
            app_ctx.console.print(line, highlight=False)
        return
    assessed = _assess_many(app_ctx, sources, [coin], list(settings.general.horizons))
    if not assessed:
        raise FinbotError(
            app_ctx.tr(
                "no model answered for {c}; train first ('finbot train')",
                c=coin,
            )
        )
    _record(app_ctx, tracker, assessed)
    decision = q.coin_decision(settings, coin, assessed)
    if as_json:
        from finbot.ops.answers import coin_json

        app_ctx.emit_json(coin_json(coin, assessed, decision))
        return
    for a in assessed:
        app_ctx.console.print(price_line(app_ctx, a), highlight=False)
    _print_decision(app_ctx, decision)


def _print_decision(app_ctx: AppContext, decision: Decision) -> None:
    lang = app_ctx.lang
    action = decision.action.text(lang)
    app_ctx.console.print(
        app_ctx.tr(
            "Overall: {act} — expected net return {net} — confidence {conf} % — {risk}",
            act=action,
            net=signed_pct(decision.expected_net_return, lang),
            conf=f"{decision.confidence:.0f}",
            risk=decision.risk_note(lang),
        ),
        highlight=False,
    )
    for text in decision.reason_texts(lang):
        app_ctx.console.print(f"  - {text}", highlight=False)


def _assess_many(
    app_ctx: AppContext, sources: Sources, coins: list[str], horizons: list[str]
) -> list[Assessment]:
    from finbot.ops.answers import assess_many

    def report(coin: str, h: str, exc: FinbotError) -> None:
        app_ctx.err.print(f"{coin} {h}: {exc}", highlight=False)

    return assess_many(app_ctx.settings, sources, coins, horizons, report)


def ask_amount(
    app_ctx: AppContext, coin: str, horizon: str, amount_eur: float | None, as_json: bool
) -> None:
    from finbot.prediction import questions as q

    sources, tracker = _sources(app_ctx)
    amount = amount_eur if amount_eur is not None else app_ctx.settings.costs.default_order_eur
    try:
        ans = q.amount(app_ctx.settings, sources, coin, horizon, amount)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    _record(app_ctx, tracker, [ans.assessment])
    if as_json:
        app_ctx.emit_json(ans.to_json())
        return
    lang = app_ctx.lang
    app_ctx.console.print(price_line(app_ctx, ans.assessment), highlight=False)
    target = "—" if ans.target_eur is None else number(ans.target_eur, lang, 2)
    app_ctx.console.print(
        app_ctx.tr(
            "{amt} EUR → {val} EUR in {h}; costs {cost} EUR; "
            "net profit {net} EUR (target {tgt} EUR)",
            amt=number(amount, lang, 2),
            val=number(ans.value_eur, lang, 2),
            h=horizon_words(horizon, lang),
            cost=number(ans.assessment.costs.total_eur, lang, 2),
            net=number(ans.net_profit_eur, lang, 2),
            tgt=target,
        ),
        highlight=False,
    )
    for line in detail_lines(app_ctx, ans.assessment)[1:] + [
        f"  - {r.text(lang)}" for r in ans.reasons
    ]:
        app_ctx.console.print(line, highlight=False)


def ask_when(app_ctx: AppContext, coin: str, gain: float | None, as_json: bool) -> None:
    from finbot.prediction import questions as q

    if gain is None or gain <= 0:
        raise UsageError("gain: expected --gain PCT > 0 with --kind when (e.g. --gain 2)")
    sources, tracker = _sources(app_ctx)
    ans = q.when(app_ctx.settings, sources, coin, gain)
    _record(app_ctx, tracker, list(ans.scanned))
    for note in ans.missing:
        app_ctx.err.print(note, highlight=False)
    if as_json:
        app_ctx.emit_json(ans.to_json())
        return
    lang, name = app_ctx.lang, coin_name(app_ctx, coin)
    if ans.found is None:
        app_ctx.console.print(
            app_ctx.tr(
                "{name} +{g} %: not within {h} (no horizon's prediction and interval reach it)",
                name=name,
                g=gain,
                h=horizon_words(ans.longest, lang),
            ),
            highlight=False,
        )
        return
    app_ctx.console.print(
        app_ctx.tr(
            "{name} +{g} %: within {h} — confidence {c} %",
            name=name,
            g=gain,
            h=horizon_words(ans.horizon or "", lang),
            c=f"{ans.found.confidence.score:.0f}",
        ),
        highlight=False,
    )
    app_ctx.console.print(price_line(app_ctx, ans.found), highlight=False)


def ask_best(app_ctx: AppContext, as_json: bool) -> None:
    from finbot.prediction import questions as q
    from finbot.prediction.decision import Action

    sources, tracker = _sources(app_ctx)
    settings = app_ctx.settings
    assessed = _assess_many(
        app_ctx, sources, list(settings.coins.ids), list(settings.general.horizons)
    )
    _record(app_ctx, tracker, assessed)
    out = q.best(assessed)
    if as_json:
        app_ctx.emit_json(out)
        return
    lang = app_ctx.lang
    for side, title in (
        ("buys", N_("Top buys")),
        ("sells", N_("Top sells")),
    ):
        app_ctx.console.print(app_ctx.tr(title) + ":", highlight=False)
        if not out[side]:
            app_ctx.console.print("  —")
        for r in out[side]:
            action = Action(r["decision"]).text(lang)
            app_ctx.console.print(
                f"  {coin_name(app_ctx, r['coin'])} {horizon_words(r['horizon'], lang)}: "
                f"{signed_pct(r['change_pct'] / 100, lang)}, net/h "
                f"{signed_pct(r['expected_net_return_per_hour'], lang)}, "
                f"{r['confidence']:.0f} %, {action}",
                highlight=False,
            )


# ------------------------------------------------------------------ interactive prompt
def interactive(app_ctx: AppContext, input: Any = None, output: Any = None) -> tuple[str, str]:
    """Ask "Quelle crypto ?" then "Dans combien de temps ?" (arrow keys or numbers)."""
    import questionary

    settings = app_ctx.settings
    io = {"input": input, "output": output} if input is not None else {}
    coins = [
        questionary.Choice(f"{c.name} ({c.symbol})", value=c.id) for c in settings.coins.enabled
    ]
    coin = questionary.select(
        app_ctx.tr("Which crypto?"), choices=coins, use_shortcuts=True, **io
    ).unsafe_ask()
    horizons = [
        questionary.Choice(horizon_words(h, app_ctx.lang), value=h)
        for h in settings.general.horizons
    ]
    horizon = questionary.select(
        app_ctx.tr("In how long?"),
        choices=horizons,
        use_shortcuts=True,
        **io,
    ).unsafe_ask()
    return str(coin), str(horizon)


def is_terminal() -> bool:
    return sys.stdin.isatty() and sys.stdout.isatty()


def _ask_coin_and_horizon(
    app_ctx: AppContext, kind: QuestionKind, chosen: str | None, as_json: bool
) -> tuple[str, str]:
    """No --coin: the coin and horizon asked at the terminal, or the hint and exit 2 where
    asking is not possible (a horizon or another kind given, --json, no terminal)."""
    if chosen is not None or kind != QuestionKind.PRICE or as_json or not is_terminal():
        typer.echo(app_ctx.tr(HINT), err=True)
        raise typer.Exit(2)
    try:
        return interactive(app_ctx)
    except KeyboardInterrupt:
        raise typer.Exit(1) from None


def predict_command(
    ctx: typer.Context,
    coin: str | None = typer.Option(None, "--coin", "-c", help="Coin id, symbol or name."),
    horizon: str | None = typer.Option(None, "--horizon", help="10m, 1h, 6h, 8h, 12h..."),
    unit: str | None = typer.Option(None, "--unit", "--unite", help="min, h or d (with --value)."),
    value: float | None = typer.Option(None, "--value", "--valeur", help="How many units."),
    kind: QuestionKind = typer.Option(
        QuestionKind.PRICE,
        "--kind",
        case_sensitive=False,
        help="price, amount, profit, when or best.",
    ),
    amount_eur: float | None = typer.Option(
        None, "--amount-eur", "--montant-eur", help="EUR invested (amount/profit)."
    ),
    gain: float | None = typer.Option(None, "--gain", help="Gain in % (when)."),
    as_json: bool = typer.Option(False, "--json", help="One JSON object on stdout."),
) -> None:
    """Predict a coin's price, the value of an amount, when it gains X %, or the best moves."""
    from finbot.config import resolve_coin

    app_ctx = context.get(ctx)
    if kind == QuestionKind.BEST:
        ask_best(app_ctx, as_json)
        return
    chosen = resolve_horizon(horizon, unit, value)
    if coin is None:
        coin, chosen = _ask_coin_and_horizon(app_ctx, kind, chosen, as_json)
    coin_id = resolve_coin(app_ctx.settings.coins, coin).id
    if kind == QuestionKind.WHEN:
        ask_when(app_ctx, coin_id, gain, as_json)
    elif kind in (QuestionKind.AMOUNT, QuestionKind.PROFIT):
        if chosen is None:
            raise UsageError("horizon: expected --horizon (or --unit/--value) with --kind amount")
        ask_amount(app_ctx, coin_id, chosen, amount_eur, as_json)
    else:
        ask_price(app_ctx, coin_id, chosen, as_json)


def register(app: typer.Typer) -> None:
    app.command("predict")(predict_command)
    app.command(
        "prevoir", help="Alias de 'predict' : prévisions (prix, montant, quand, meilleur)."
    )(predict_command)
