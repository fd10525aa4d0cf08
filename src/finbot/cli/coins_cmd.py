"""``finbot coins list|add`` / ``cryptos liste|ajouter``: the coins finbot follows.

``coins add ID`` checks the id against CoinGecko's ``/coins/list`` (through the same client as
the collectors, so the replay server answers in tests and the demo) and appends the coin to the
home's ``config/coins.json``: the shipped ten stay (``"replace": true`` in that file makes
it the whole list). ``--offline`` skips the check and needs ``--symbol`` and ``--name``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

from finbot.cli import context
from finbot.errors import UsageError
from finbot.i18n import N_

if TYPE_CHECKING:
    from finbot.config import Coin

coins_app = typer.Typer(rich_markup_mode=None, help="Coins followed.", no_args_is_help=True)
JSON_OPTION = typer.Option(False, "--json", help="One JSON object on stdout.")


@coins_app.command("list")
def list_command(ctx: typer.Context, as_json: bool = JSON_OPTION) -> None:
    """The coins finbot follows (the shipped ten plus the home's coins.json)."""
    from finbot.ops.tables import compact_table

    app_ctx = context.get(ctx)
    coins = app_ctx.settings.coins.coins
    if as_json:
        app_ctx.emit_json({"coins": [c.model_dump() for c in coins]})
        return
    tr = app_ctx.tr
    table = compact_table(
        tr("Coins ({n} followed)", n=len(app_ctx.settings.coins.ids)),
        [tr("symbol"), tr("name"), "id", tr("followed")],
    )
    for c in coins:
        table.add_row(c.symbol.upper(), c.name, c.id, tr("yes") if c.enabled else tr("no"))
    app_ctx.console.print(table)


def _listed(app_ctx: context.AppContext, coin_id: str, base_url: str | None) -> Coin:
    """The coin as CoinGecko lists it; UsageError naming close matches when it does not."""
    from finbot.config import Coin

    listing = app_ctx.services_at(base_url).coingecko.coins_list()
    for entry in listing:
        if entry.id == coin_id:
            return Coin(id=entry.id, symbol=entry.symbol.upper(), name=entry.name)
    wanted = coin_id.lower()
    near = [e.id for e in listing if wanted in (e.symbol.lower(), e.name.lower())][:5]
    if near:
        raise UsageError(
            N_("coins add: CoinGecko lists no coin with the id '{id}'; did you mean {near}?"),
            id=coin_id,
            near=", ".join(near),
        )
    raise UsageError(N_("coins add: CoinGecko lists no coin with the id '{id}'"), id=coin_id)


def _offline(coin_id: str, symbol: str | None, name: str | None) -> Coin:
    from pydantic import ValidationError

    from finbot.config import Coin

    if not symbol or not name:
        raise UsageError(N_("coins add --offline: give the coin's --symbol and --name"))
    try:
        return Coin(id=coin_id, symbol=symbol.upper(), name=name)
    except ValidationError:
        raise UsageError(
            N_("coins add: '{id}' is no CoinGecko id (lower-case letters, digits, '-')"),
            id=coin_id,
        ) from None


@coins_app.command("add")
def add_command(
    ctx: typer.Context,
    coin_id: str = typer.Argument(..., help="CoinGecko id, e.g. litecoin."),
    offline: bool = typer.Option(False, "--offline", help="Do not ask CoinGecko."),
    symbol: str | None = typer.Option(None, "--symbol", help="Symbol (with --offline)."),
    name: str | None = typer.Option(None, "--name", help="Name (with --offline)."),
    base_url: str | None = typer.Option(None, "--base-url", help="CoinGecko base URL."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Follow one more coin: checked against CoinGecko's /coins/list, added to coins.json."""
    from finbot.config import add_user_coin

    app_ctx = context.get(ctx)
    coin = _offline(coin_id, symbol, name) if offline else _listed(app_ctx, coin_id, base_url)
    path = add_user_coin(app_ctx.paths, coin)
    if as_json:
        app_ctx.emit_json({"added": coin.model_dump(), "file": str(path)})
        return
    app_ctx.console.print(
        app_ctx.tr(
            "{name} ({symbol}) added to {path}; 'finbot collect-historical --coins {id}' "
            "fetches its history, then 'finbot train --coin {id}' trains it",
            name=coin.name,
            symbol=coin.symbol,
            path=path,
            id=coin.id,
        ),
        highlight=False,
    )


def register(app: typer.Typer) -> None:
    app.add_typer(coins_app, name="coins")
    app.add_typer(coins_app, name="cryptos", help="Alias of 'coins' (list, add).")
    coins_app.command("liste", help="Alias of 'list'.")(list_command)
    coins_app.command("ajouter", help="Alias of 'add'.")(add_command)
