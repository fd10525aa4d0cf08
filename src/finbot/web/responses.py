"""JSON answers with non-finite numbers as ``null`` (an unbounded interval is ``NaN``/``inf`` in
Python, which JSON cannot carry)."""

from __future__ import annotations

import json
import math
from typing import Any

from fastapi.responses import JSONResponse


def finite(value: Any) -> Any:
    """``value`` with every NaN or infinity (at any depth) replaced by None."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [finite(v) for v in value]
    return value


class SafeJSONResponse(JSONResponse):
    def render(self, content: Any) -> bytes:
        text = json.dumps(finite(content), ensure_ascii=False, allow_nan=False, default=str)
        return text.encode("utf-8")


def error_response(kind: str, message: str, status_code: int) -> SafeJSONResponse:
    """The dashboard's error answer: ``{"error": {"type": kind, "message": message}}``."""
    body = {"error": {"type": kind, "message": message}}
    return SafeJSONResponse(body, status_code=status_code)
