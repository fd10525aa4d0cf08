"""The keys and tokens: from the environment or the home's ``config/secrets.json`` (mode
0600, written atomically), with a warning when that file is open to other users."""

from __future__ import annotations

import json
import logging
import os
import re
import stat
from pathlib import Path
from typing import Any

from finbot.config.json_text import read_json
from finbot.config.models import ApiConfig, Secrets
from finbot.errors import ConfigError
from finbot.i18n import N_, Message
from finbot.paths import Paths

log = logging.getLogger("finbot.config")
#: The secrets files already warned about in this process (a warning each load would be noise).
_WARNED_OPEN: set[Path] = set()
ALERT_URLS_ENV = "FINBOT_ALERT_URLS"


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
        file_data = read_json(paths.secrets_file.read_text("utf-8"), "config/secrets.json")
    env_keys = os.environ.get(api.coingecko.auth.keys_env, "")
    keys = [k.strip() for k in env_keys.split(",") if k.strip()]
    if not keys:
        raw = file_data.get("coingecko_api_keys", [])
        if not isinstance(raw, list) or not all(isinstance(k, str) for k in raw):
            raise ConfigError(
                N_("config/secrets.json: coingecko_api_keys: expected a list of strings")
            )
        keys = [k.strip() for k in raw if k.strip()]
    fx_key = os.environ.get(api.exchangerate.key_env) or file_data.get("exchangerate_api_key")
    if fx_key is not None and not isinstance(fx_key, str):
        raise ConfigError(N_("config/secrets.json: exchangerate_api_key: expected a string"))
    token = file_data.get("dashboard_token")
    if token is not None and not isinstance(token, str):
        raise ConfigError(N_("config/secrets.json: dashboard_token: expected a string"))
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
        raise ConfigError(N_("config/secrets.json: alert_urls: expected a list of apprise URLs"))
    return tuple(u.strip() for u in raw if u.strip())


def save_secrets(paths: Paths, secrets: Secrets) -> Path:
    """Write ``secrets.json`` readable by its owner only (mode 0600), atomically."""
    return _write_private(
        paths,
        {
            "coingecko_api_keys": list(secrets.coingecko_keys),
            "exchangerate_api_key": secrets.exchangerate_key,
            "dashboard_token": secrets.dashboard_token,
            "alert_urls": list(secrets.alert_urls),
        },
    )


def save_dashboard_token(paths: Paths, token: str) -> Path:
    """Add the dashboard token to ``secrets.json`` (mode 0600, atomically), keeping what the
    file holds and nothing more: keys given by the environment stay out of it."""
    data: dict[str, Any] = {}
    if paths.secrets_file.exists():
        text = paths.secrets_file.read_text("utf-8")
        data = read_json(text, "config/secrets.json")
    data["dashboard_token"] = token
    return _write_private(paths, data)


def _write_private(paths: Paths, data: dict[str, Any]) -> Path:
    """``data`` as the home's ``secrets.json``, readable by its owner only (mode 0600) from
    its creation, replaced atomically."""
    paths.config_dir.mkdir(parents=True, exist_ok=True)
    target = paths.secrets_file
    tmp = target.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, stat.S_IRUSR | stat.S_IWUSR)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(data, handle)
    os.chmod(tmp, 0o600)
    os.replace(tmp, target)
    return target
