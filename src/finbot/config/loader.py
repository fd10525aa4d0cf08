"""Load the six configuration files: package defaults, overlaid by the user's copies in
``$FINBOT_HOME/config/``, secrets from the environment or ``secrets.json``.

A malformed file raises one ConfigError line naming the file, the field and the expectation.
"""

from __future__ import annotations

import json
import logging
import os
import re
import stat
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from finbot.config.models import (
    ApiConfig,
    Coin,
    CoinsConfig,
    Costs,
    GeneralSettings,
    Secrets,
    Settings,
    Targets,
    Thresholds,
)
from finbot.errors import ConfigError, UsageError
from finbot.i18n import N_, Message
from finbot.paths import Paths

log = logging.getLogger("finbot.config")
#: The secrets files already warned about in this process (a warning each load would be noise).
_WARNED_OPEN: set[Path] = set()
ALERT_URLS_ENV = "FINBOT_ALERT_URLS"

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


def _read_json(path: Path | None, text: str, label: str) -> dict[str, Any]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ConfigError(
            f"{label}: line {exc.lineno} column {exc.colno}: expected valid JSON ({exc.msg})"
        ) from None
    if not isinstance(data, dict):
        raise ConfigError(f"{label}: expected a JSON object at the top level")
    return data


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
            raise ConfigError(_describe(label, exc, ("coins", i))) from None
        merged[full["id"]] = full
    rest = {k: v for k, v in user.items() if k != "coins"}
    return {**_merge(base, rest), "coins": list(merged.values())}


def _describe(label: str, exc: ValidationError, prefix: tuple[str | int, ...] = ()) -> str:
    err = exc.errors()[0]
    # repr-escaped parts: a key may hold a newline, and the message must stay one line
    where = ".".join(str(p).encode("unicode_escape").decode() for p in (*prefix, *err["loc"]))
    where = where or "(top level)"
    got = err.get("input")
    got_text = "" if isinstance(got, dict | list) else f", got {got!r}"
    message = err["msg"].replace("Value error, ", "")
    return f"{label}: {where}: {message}{got_text}"


def _load_file(name: str, paths: Paths) -> BaseModel:
    data = _read_json(None, default_text(name), f"defaults/{name}")
    user = paths.config_dir / name
    label = f"config/{name}"
    if user.exists():
        try:
            text = user.read_text("utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{label}: cannot read ({exc})") from None
        mine = _read_json(user, text, str(user))
        data = _merge_coins(data, mine, str(user)) if name == "coins.json" else _merge(data, mine)
        label = str(user)
    model = FILES[name]
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(_describe(label, exc)) from None
    except UsageError as exc:  # duration parsing inside validators
        raise ConfigError(f"{label}: {exc}") from None


def warn_if_readable_by_others(path: Path) -> bool:
    """Log a WARNING (once per file and process) when ``path`` is readable or writable by its
    group or others, as ssh does for its keys; True when it did. The file is still used."""
    if os.name != "posix" or path in _WARNED_OPEN:
        return False
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
    except OSError:
        return False
    if not mode & 0o077:
        return False
    _WARNED_OPEN.add(path)
    log.warning(
        "%s",
        Message(
            N_(
                "{path} is readable by other users (mode {mode}): it holds API keys; run: "
                "chmod 600 {path}"
            ),
            path=str(path),
            mode=f"{mode:04o}",
        ),
        extra={"path": str(path), "mode": f"{mode:04o}"},
    )
    return True


def load_secrets(paths: Paths, api: ApiConfig) -> Secrets:
    """Keys from ``$COINGECKO_API_KEYS`` / ``$EXCHANGERATE_API_KEY``, else ``secrets.json``
    (with a warning when that file is open to other users)."""
    file_data: dict[str, Any] = {}
    if paths.secrets_file.exists():
        warn_if_readable_by_others(paths.secrets_file)
        file_data = _read_json(
            paths.secrets_file, paths.secrets_file.read_text("utf-8"), "config/secrets.json"
        )
    env_keys = os.environ.get(api.coingecko.auth.keys_env, "")
    keys = [k.strip() for k in env_keys.split(",") if k.strip()]
    if not keys:
        raw = file_data.get("coingecko_api_keys", [])
        if not isinstance(raw, list) or not all(isinstance(k, str) for k in raw):
            raise ConfigError("config/secrets.json: coingecko_api_keys: expected a list of strings")
        keys = [k.strip() for k in raw if k.strip()]
    fx_key = os.environ.get(api.exchangerate.key_env) or file_data.get("exchangerate_api_key")
    if fx_key is not None and not isinstance(fx_key, str):
        raise ConfigError("config/secrets.json: exchangerate_api_key: expected a string")
    token = file_data.get("dashboard_token")
    if token is not None and not isinstance(token, str):
        raise ConfigError("config/secrets.json: dashboard_token: expected a string")
    return Secrets(
        coingecko_keys=tuple(keys),
        exchangerate_key=fx_key or None,
        alert_urls=_alert_urls(file_data),
        dashboard_token=token or None,
    )


def _alert_urls(file_data: dict[str, Any]) -> tuple[str, ...]:
    """apprise URLs from ``$FINBOT_ALERT_URLS`` (separated by commas or spaces), else the
    secrets file's ``alert_urls`` list."""
    env = os.environ.get(ALERT_URLS_ENV, "")
    urls = [u for u in re.split(r"[,\s]+", env) if u]
    if urls:
        return tuple(urls)
    raw = file_data.get("alert_urls", [])
    if not isinstance(raw, list) or not all(isinstance(u, str) for u in raw):
        raise ConfigError("config/secrets.json: alert_urls: expected a list of apprise URLs")
    return tuple(u.strip() for u in raw if u.strip())


def save_secrets(paths: Paths, secrets: Secrets) -> Path:
    """Write ``secrets.json`` readable by its owner only (mode 0600), atomically."""
    paths.config_dir.mkdir(parents=True, exist_ok=True)
    target = paths.secrets_file
    tmp = target.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, stat.S_IRUSR | stat.S_IWUSR)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(
            {
                "coingecko_api_keys": list(secrets.coingecko_keys),
                "exchangerate_api_key": secrets.exchangerate_key,
                "dashboard_token": secrets.dashboard_token,
                "alert_urls": list(secrets.alert_urls),
            },
            handle,
        )
    os.chmod(tmp, 0o600)
    os.replace(tmp, target)
    return target


def save_dashboard_token(paths: Paths, token: str) -> Path:
    """Add the dashboard token to ``secrets.json`` (mode 0600, atomically), keeping what the
    file holds and nothing more: keys given by the environment stay out of it."""
    data: dict[str, Any] = {}
    if paths.secrets_file.exists():
        text = paths.secrets_file.read_text("utf-8")
        data = _read_json(paths.secrets_file, text, "config/secrets.json")
    data["dashboard_token"] = token
    paths.config_dir.mkdir(parents=True, exist_ok=True)
    target = paths.secrets_file
    tmp = target.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, stat.S_IRUSR | stat.S_IWUSR)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(data, handle)
    os.chmod(tmp, 0o600)
    os.replace(tmp, target)
    return target


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
                f"config/targets.json: net_profit_eur.{coin_id}: unknown coin id; "
                f"expected one of {', '.join(settings.coins.ids)}"
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
    raise UsageError(f"coin: unknown {text!r}; expected one of {', '.join(coins.ids)}")


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
