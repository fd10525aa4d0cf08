"""A configuration file's text as a JSON object, or one ConfigError line saying where not."""

from __future__ import annotations

import json
from typing import Any

from finbot.errors import ConfigError
from finbot.i18n import N_


def read_json(text: str, label: str) -> dict[str, Any]:
    """``text`` (the file ``label``) as a JSON object; ConfigError naming the line and column
    of a syntax error, or a top level that is no object."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ConfigError(
            N_("{label}: line {line} column {column}: expected valid JSON ({reason})"),
            label=label,
            line=exc.lineno,
            column=exc.colno,
            reason=exc.msg,
        ) from None
    if not isinstance(data, dict):
        raise ConfigError(N_("{label}: expected a JSON object at the top level"), label=label)
    return data
