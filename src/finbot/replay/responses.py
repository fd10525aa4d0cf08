"""Replies in the exact shapes the real services send, errors included.

CoinGecko's error bodies (checked against docs.coingecko.com "Errors & Rate Limits" and
replies seen in the wild): ``{"status": {"error_code": N, "error_message": "..."}}`` for key
and rate-limit errors; ``{"error": {"status": {"timestamp", "error_code": 10012, ...}}}`` for
the past-365-days limit; ``{"error": "coin not found"}`` and ``{"error": "Invalid days
parameter"}`` for bad paths and parameters; a plain-text ``error code: 1015`` from the CDN
when a keyless IP is throttled.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from finbot.timeframes import MINUTE_MS

RATE_LIMIT_MESSAGE = (
    "You've exceeded the Rate Limit. Please visit https://www.coingecko.com/en/api/pricing "
    "to subscribe to our API plans for higher rate limits."
)
HISTORY_LIMIT_MESSAGE = (
    "Your request exceeds the allowed time range. Public API users are limited to querying "
    "historical data within the past 365 days. Upgrade to a paid plan to enjoy full historical "
    "data access: https://www.coingecko.com/en/api/pricing. "
)


@dataclass
class Reply:
    """One HTTP reply: status, body bytes, extra headers; ``payload`` keeps the JSON object."""

    status: int
    body: bytes
    content_type: str = "application/json; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    payload: Any = None


def json_reply(obj: Any, status: int = 200, headers: dict[str, str] | None = None) -> Reply:
    """``obj`` as JSON (NaN written as the ``NaN`` literal, as a broken upstream would)."""
    body = json.dumps(obj, separators=(",", ":"), allow_nan=True).encode()
    return Reply(status, body, headers=dict(headers or {}), payload=obj)


def text_reply(text: str, status: int, content_type: str = "text/plain; charset=utf-8") -> Reply:
    return Reply(status, text.encode(), content_type=content_type)


def status_error(status: int, code: int, message: str) -> Reply:
    """``{"status": {"error_code", "error_message"}}``: keys, plan and rate-limit errors."""
    return json_reply({"status": {"error_code": code, "error_message": message}}, status)


def history_limit(now_ms: int) -> Reply:
    """HTTP 401, error 10012: the public/demo plans' past-365-days limit."""
    stamp = datetime.fromtimestamp(now_ms / 1000, tz=UTC).isoformat(timespec="milliseconds")
    return json_reply(
        {
            "error": {
                "status": {
                    "timestamp": stamp,
                    "error_code": 10012,
                    "error_message": HISTORY_LIMIT_MESSAGE,
                }
            }
        },
        401,
    )


def simple_error(status: int, message: str) -> Reply:
    return json_reply({"error": message}, status)


def reset_header(now_ms: int, reset_in_s: float | None = None) -> str:
    """``x-ratelimit-reset`` as CoinGecko writes it: a UTC date-time string such as
    ``2025-07-25 14:54:00 +0000`` (the start of the next minute window), not epoch seconds."""
    next_minute = (now_ms // MINUTE_MS + 1) * 60
    at = next_minute if reset_in_s is None else math.ceil(now_ms / 1000 + reset_in_s)
    return datetime.fromtimestamp(at, tz=UTC).strftime("%Y-%m-%d %H:%M:%S +0000")


def rate_limited(
    now_ms: int, limit: int, *, reset_in_s: float | None = None, retry_after: float | None = None
) -> Reply:
    """HTTP 429 with CoinGecko's body and ``x-ratelimit-*`` headers."""
    reply = status_error(429, 429, RATE_LIMIT_MESSAGE)
    reply.headers.update(
        {
            "x-ratelimit-limit": str(limit),
            "x-ratelimit-remaining": "0",
            "x-ratelimit-reset": reset_header(now_ms, reset_in_s),
        }
    )
    if retry_after is not None:
        reply.headers["retry-after"] = str(int(math.ceil(retry_after)))
    return reply
