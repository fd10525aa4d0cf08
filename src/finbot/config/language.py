"""The user's language: ``--lang`` beats ``$FINBOT_LANG`` beats ``settings.json``'s ``lang``
beats the system locale. The command line and finbot's developer tools choose it the same way."""

from __future__ import annotations

import json
import locale
import os

from finbot.paths import Paths


def settings_lang(paths: Paths | None) -> str | None:
    """The ``lang`` of the home's ``config/settings.json``, read without loading the settings
    (a file that cannot be read or parsed says nothing here; loading it reports the error)."""
    if paths is None:
        return None
    try:
        data = json.loads((paths.config_dir / "settings.json").read_text("utf-8"))
    except (OSError, ValueError):
        return None
    lang = data.get("lang") if isinstance(data, dict) else None
    return lang if lang in ("fr", "en") else None


def detect_lang(explicit: str | None = None, paths: Paths | None = None) -> str:
    """``--lang`` beats ``$FINBOT_LANG`` beats ``settings.json``'s ``lang`` beats the system
    locale; French when it says ``fr``."""
    if explicit:
        return explicit
    env = os.environ.get("FINBOT_LANG")
    if env in ("fr", "en"):
        return env
    configured = settings_lang(paths)
    if configured is not None:
        return configured
    for var in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(var)
        if value:
            return "fr" if value.lower().startswith("fr") else "en"
    loc = locale.getlocale()[0] or ""
    return "fr" if loc.lower().startswith("fr") else "en"
