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
from typing import Any

import typer

from finbot.cli import context
from finbot.cli.context import AppContext
from finbot.cli.predict_answers import ask_amount, ask_best, ask_price, ask_when
from finbot.cli.predict_lines import horizon_words
from finbot.errors import UsageError
from finbot.i18n import N_


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


def resolve_horizon(horizon: str | None, unit: str | None, value: float | None) -> str | None:
    from finbot.timeframes import canonical, from_unit_value

    if horizon and (unit or value is not None):
        raise UsageError(N_("horizon: give either --horizon or --unit/--value, not both"))
    if unit or value is not None:
        if not unit or value is None:
            raise UsageError(N_("unit/value: expected both --unit (min|h|d) and --value N"))
        return from_unit_value(unit, value)
    return canonical(horizon) if horizon else None


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
            raise UsageError(
                N_("horizon: expected --horizon (or --unit/--value) with --kind amount")
            )
        ask_amount(app_ctx, coin_id, chosen, amount_eur, as_json)
    else:
        ask_price(app_ctx, coin_id, chosen, as_json)


def register(app: typer.Typer) -> None:
    app.command("predict")(predict_command)
    app.command("prevoir", help="Alias of 'predict': price, amount, when, best.")(predict_command)
