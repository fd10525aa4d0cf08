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

from finbot import i18n as formatting
from finbot.cli import context
from finbot.cli.context import AppContext
from finbot.errors import FinbotError, UsageError
from finbot.i18n import N_, localise_number, translate_context

if TYPE_CHECKING:
    from finbot.prediction.decision import Decision
    from finbot.prediction.questions import Assessment, Freshness, Sources
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
    return formatting.number(lang, value, digits)


def signed_pct(fraction: float, lang: str) -> str:
    return formatting.percent(lang, fraction, 2, signed=True)


def pct(fraction: float, lang: str) -> str:
    """``0.47 %`` in English, ``0,47 %`` in French."""
    return formatting.percent(lang, fraction, 2)


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
        price=number(p.predicted_price, app_ctx.lang),
        eur=formatting.money(app_ctx.lang, p.predicted_price * rate, "EUR"),
        rate=number(1 / rate, app_ctx.lang, 4),
    )


def eur(lang: str, value: float) -> str:
    """An amount in euros as ``lang`` writes it: ``500.00 EUR`` / ``500,00 €``."""
    return formatting.money(lang, value, "EUR")


def amount_line(app_ctx: AppContext, ans: Any, amount: float, horizon: str) -> str:
    """What ``amount`` EUR becomes at ``horizon``, with the costs and the target."""
    lang = app_ctx.lang
    return app_ctx.tr(
        "{amt} → {val} in {h}; costs {cost}; net profit {net} (target {tgt})",
        amt=eur(lang, amount),
        val=eur(lang, ans.value_eur),
        h=horizon_words(horizon, lang),
        cost=eur(lang, ans.assessment.costs.total_eur),
        net=eur(lang, ans.net_profit_eur),
        tgt="—" if ans.target_eur is None else eur(lang, ans.target_eur),
    )


def detail_lines(app_ctx: AppContext, a: Assessment) -> list[str]:
    from finbot.cli.forecast_lines import volatility_line

    lang, p = app_ctx.lang, a.prediction
    err = "—" if a.expected_error_frac is None else pct(a.expected_error_frac, lang)
    lines = [
        app_ctx.tr(
            "  now {last} $ ({src} at {asof}); model {model} {version} ({tf}), MAE vs naive "
            "{ratio}, expected error {err} (max {max}); round-trip costs {cost}",
            last=number(p.last_price, lang),
            src=_source_words(app_ctx, a.freshness, p.timeframe),
            asof=_when(app_ctx, p.as_of),
            model=p.model,
            version=p.model_version,
            tf=p.timeframe,
            ratio=number(p.mae_ratio, lang, 3),
            err=err,
            max=pct(a.thresholds.max_error_frac, lang),
            cost=pct(a.costs.fraction, lang),
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
        for line in stale_lines(app_ctx, a) + detail_lines(app_ctx, a):
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
            net=signed_pct(decision.expected_net_return, lang),
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
        raise UsageError("gain: expected --gain PCT > 0 with --kind when (e.g. --gain 2)")
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
    hint = app_ctx.tr("(arrow keys or number, Enter)")  # questionary's own hint is English
    coin = questionary.select(
        app_ctx.tr("Which crypto?"), choices=coins, use_shortcuts=True, instruction=hint, **io
    ).unsafe_ask()
    horizons = [
        questionary.Choice(horizon_words(h, app_ctx.lang), value=h)
        for h in settings.general.horizons
    ]
    horizon = questionary.select(
        app_ctx.tr("In how long?"),
        choices=horizons,
        use_shortcuts=True,
        instruction=hint,
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
    if chosen is not None:
        from finbot.prediction.questions import check_horizon

        chosen = check_horizon(app_ctx.settings, chosen)
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
    app.command("prevoir", help="Alias of 'predict': price, amount, when, best.")(predict_command)
