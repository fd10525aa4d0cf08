"""Load the six configuration files: package defaults, overlaid by the user's copies in
``$FINBOT_HOME/config/``, secrets from the environment or ``secrets.json``.

A malformed file raises one ConfigError line naming the file, the field and the expectation.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from importlib import resources
from typing import Any

from pydantic import BaseModel, ValidationError

from finbot.config.complaints import complaint
from finbot.config.json_text import read_json
from finbot.config.models import (
    ApiConfig,
    Coin,
    CoinsConfig,
    Costs,
    GeneralSettings,
    Settings,
    Targets,
    Thresholds,
)
from finbot.config.secrets_file import load_secrets
from finbot.errors import ConfigError, UsageError
from finbot.i18n import N_, Message, error_message
from finbot.paths import Paths

FILES: dict[str, type[BaseModel]] = {
    "api_config.json": ApiConfig,
    "coins.json": CoinsConfig,
    "settings.json": GeneralSettings,
    "thresholds.json": Thresholds,
    "targets.json": Targets,
    "costs.json": Costs,
}
_FIELD_OF = {
    "api_config.json": "api",
    "coins.json": "coins",
    "settings.json": "general",
    "thresholds.json": "thresholds",
    "targets.json": "targets",
    "costs.json": "costs",
}


def default_text(name: str) -> str:
    """The shipped default of a configuration file, as text."""
    return resources.files("finbot.config").joinpath("defaults", name).read_text("utf-8")


def _merge(base: dict[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    """Deep-merge dicts; any other value (lists included) in ``override`` replaces the base."""
    out = dict(base)
    for key, value in override.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


def _merge_coins(base: dict[str, Any], user: Mapping[str, Any], label: str) -> dict[str, Any]:
    """A user ``coins.json`` adds to the shipped coins: an entry with a new id is appended, one
    with a shipped id changes that coin's fields (``{"id": "dogecoin", "enabled": false}``).
    With ``"replace": true`` the user's list is the whole list."""
    coins = user.get("coins")
    if user.get("replace") is True or not isinstance(coins, list):
        return _merge(base, user)
    merged = {c["id"]: dict(c) for c in base["coins"]}
    for i, entry in enumerate(coins):
        coin_id = entry.get("id") if isinstance(entry, Mapping) else None
        known = merged.get(coin_id) if isinstance(coin_id, str) else None
        full = {**(known or {}), **entry} if isinstance(entry, Mapping) else entry
        try:
            Coin.model_validate(full)
        except ValidationError as exc:  # named as the user wrote it: coins.<i>.<field>
            raise _invalid(label, exc, ("coins", i)) from None
        merged[full["id"]] = full
    rest = {k: v for k, v in user.items() if k != "coins"}
    return {**_merge(base, rest), "coins": list(merged.values())}


def _invalid(label: str, exc: ValidationError, prefix: tuple[str | int, ...] = ()) -> ConfigError:
    """The first of pydantic's complaints as one line: file, field, what was expected (the
    validator's text, as pydantic words it), what was found."""
    err = exc.errors()[0]
    # repr-escaped parts: a key may hold a newline, and the message must stay one line
    where = ".".join(str(p).encode("unicode_escape").decode() for p in (*prefix, *err["loc"]))
    reason, names_the_value = complaint(err)
    values: dict[str, object] = {
        "label": label,
        "where": where or Message(N_("(top level)")),
        "reason": reason,
    }
    got = err.get("input")
    if names_the_value or isinstance(got, dict | list):
        return ConfigError(N_("{label}: {where}: {reason}"), **values)
    return ConfigError(N_("{label}: {where}: {reason}, got {got!r}"), got=got, **values)


def _load_file(name: str, paths: Paths) -> BaseModel:
    data = read_json(default_text(name), f"defaults/{name}")
    user = paths.config_dir / name
    label = f"config/{name}"
    if user.exists():
        try:
            text = user.read_text("utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(
                N_("{label}: cannot read ({error})"), label=label, error=str(exc)
            ) from None
        mine = read_json(text, str(user))
        data = _merge_coins(data, mine, str(user)) if name == "coins.json" else _merge(data, mine)
        label = str(user)
    model = FILES[name]
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise _invalid(label, exc) from None
    except UsageError as exc:  # duration parsing inside validators
        raise ConfigError(N_("{label}: {error}"), label=label, error=error_message(exc)) from None


def _user_target_ids(paths: Paths) -> set[str]:
    """Coin ids the user's own ``targets.json`` names (its JSON is already known valid)."""
    user = paths.config_dir / "targets.json"
    if not user.exists():
        return set()
    data = json.loads(user.read_text("utf-8")).get("net_profit_eur")
    return set(data) if isinstance(data, dict) else set()


def _drop_default_targets(parts: dict[str, BaseModel], paths: Paths) -> None:
    """The shipped targets of coins the user removed from ``coins.json`` are dropped: only
    the user's own unknown coin ids are errors (else trimming the coin list broke the bot)."""
    targets, coins = parts["targets"], parts["coins"]
    assert isinstance(targets, Targets) and isinstance(coins, CoinsConfig)
    known = {spelling for coin in coins.coins for spelling in coin.names()}
    mine = _user_target_ids(paths)
    kept = {c: v for c, v in targets.net_profit_eur.items() if c in known or c in mine}
    if len(kept) != len(targets.net_profit_eur):
        parts["targets"] = targets.model_copy(update={"net_profit_eur": kept})


def _add_top_coins(parts: dict[str, BaseModel], paths: Paths) -> None:
    """The resolved top-N coins (``coins.json`` ``top``) after the explicit ones, once
    resolved (``finbot.config.top_coins``)."""
    from finbot.config.top_coins import read_top_coins, with_top_coins

    coins = parts["coins"]
    assert isinstance(coins, CoinsConfig)
    if coins.top is None:
        return
    extra = read_top_coins(paths, coins.top)
    if extra:
        parts["coins"] = with_top_coins(coins, extra)


def _check_coin_references(settings: Settings) -> None:
    known = {spelling: coin.id for coin in settings.coins.coins for spelling in coin.names()}
    for coin_id in settings.targets.net_profit_eur:
        if coin_id not in known:
            raise ConfigError(
                N_(
                    "config/targets.json: net_profit_eur.{coin}: unknown coin id; "
                    "expected one of {ids}"
                ),
                coin=coin_id,
                ids=", ".join(settings.coins.ids),
            )


def load_settings(paths: Paths) -> Settings:
    """Load and validate every configuration file of ``paths.home`` (ConfigError on problems)."""
    parts = {_FIELD_OF[name]: _load_file(name, paths) for name in FILES}
    _add_top_coins(parts, paths)
    _drop_default_targets(parts, paths)
    api = parts["api"]
    assert isinstance(api, ApiConfig)
    settings = Settings(**parts, secrets=load_secrets(paths, api))
    _check_coin_references(settings)
    return settings


def resolve_coin(coins: CoinsConfig, text: str) -> Coin:
    """A coin by id, symbol, name or alias (case-insensitive); UsageError when unknown."""
    wanted = text.strip().lower()
    for coin in coins.coins:
        if wanted in coin.names():
            return coin
    raise UsageError(
        N_("coin: unknown {text!r}; expected one of {ids}"), text=text, ids=", ".join(coins.ids)
    )


def mask(key: str) -> str:
    """A key shown as ``****wxyz`` (the last four characters only for keys long enough)."""
    return "****" + key[-4:] if len(key) >= 12 else "****"


def mask_url(url: str) -> str:
    """An apprise URL shown as its scheme only (``tgram://****``): everything after it may be
    a token, a password or a private address."""
    scheme, sep, _rest = url.partition("://")
    return f"{scheme}://****" if sep and scheme.isascii() and scheme.isalnum() else "****"


def effective_config(settings: Settings) -> dict[str, Any]:
    """The effective configuration as plain JSON data, keys masked."""
    data = {
        name: getattr(settings, field).model_dump(mode="json", by_alias=True)
        for name, field in _FIELD_OF.items()
    }
    data["secrets"] = {
        "coingecko_api_keys": [mask(k) for k in settings.secrets.coingecko_keys],
        "exchangerate_api_key": mask(settings.secrets.exchangerate_key)
        if settings.secrets.exchangerate_key
        else None,
        "alert_urls": [mask_url(u) for u in settings.secrets.alert_urls],
    }
    return data
