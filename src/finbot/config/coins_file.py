"""The user's ``coins.json``: adding a coin to it (``finbot coins add``).

The file holds only what the user changes: new coins are appended to its ``coins`` list (the
shipped ten stay, see ``loader._merge_coins``); the rest of the file is kept as written.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from finbot.config.loader import load_settings
from finbot.config.models import Coin
from finbot.errors import ConfigError, UsageError
from finbot.i18n import N_
from finbot.paths import Paths


def _user_file(path: Path) -> dict[str, Any]:
    if not path.exists():
        return {"coins": []}
    try:
        data = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError) as exc:
        raise ConfigError(
            N_("{path}: cannot read it to add a coin ({error})"), path=str(path), error=str(exc)
        ) from None
    if not isinstance(data, dict) or not isinstance(data.get("coins", []), list):
        raise ConfigError(
            N_('{path}: expected {{"coins": [...]}} to add a coin to'), path=str(path)
        )
    return data


def add_user_coin(paths: Paths, coin: Coin) -> Path:
    """Append ``coin`` to the home's ``config/coins.json`` (created when missing), after
    checking the result loads; UsageError when finbot already follows that coin."""
    known = load_settings(paths).coins
    for existing in known.coins:
        if coin.names() & existing.names():
            raise UsageError(
                N_("coins: '{coin}' is already followed (as {known})"),
                coin=coin.id,
                known=existing.id,
            )
    path = paths.config_dir / "coins.json"
    data = _user_file(path)
    data["coins"] = [*data.get("coins", []), coin.model_dump(exclude_defaults=True)]
    paths.config_dir.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", "utf-8")
    os.replace(tmp, path)
    load_settings(paths)  # the file as written must load (it did before: only one coin more)
    return path
