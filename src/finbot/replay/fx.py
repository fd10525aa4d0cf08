"""ExchangeRate-API shapes: the keyless ``open.er-api.com/v6/latest/USD`` (``rates``) and the
keyed ``v6.exchangerate-api.com/v6/{KEY}/latest/USD`` (``conversion_rates``; failures as
``result: error`` with an ``error-type``). Rates change once a day, like the free service."""

from __future__ import annotations

from collections.abc import Collection
from email.utils import formatdate

from finbot.replay.history import eur_per_usd
from finbot.replay.responses import Reply, json_reply
from finbot.timeframes import DAY_MS

_OTHERS = {"GBP": 0.79, "JPY": 151.2, "CHF": 0.88, "CAD": 1.36, "AUD": 1.52, "CNY": 7.21}


def usd_rates(day_ms: int) -> dict[str, float]:
    return {"USD": 1.0, "EUR": eur_per_usd(day_ms), **_OTHERS}


def _rates_for(base: str, day_ms: int) -> dict[str, float] | None:
    usd = usd_rates(day_ms)
    if base not in usd:
        return None
    return {code: round(rate / usd[base], 6) for code, rate in usd.items()}


def _times(now_ms: int) -> dict[str, object]:
    day = now_ms // DAY_MS * DAY_MS
    nxt = day + DAY_MS
    return {
        "time_last_update_unix": day // 1000,
        "time_last_update_utc": formatdate(day / 1000, usegmt=False).replace("-0000", "+0000"),
        "time_next_update_unix": nxt // 1000,
        "time_next_update_utc": formatdate(nxt / 1000, usegmt=False).replace("-0000", "+0000"),
    }


def _error(error_type: str, status: int) -> Reply:
    return json_reply(
        {
            "result": "error",
            "documentation": "https://www.exchangerate-api.com/docs",
            "terms-of-use": "https://www.exchangerate-api.com/terms",
            "error-type": error_type,
        },
        status,
    )


def handle(route: str, now_ms: int, valid_keys: Collection[str] | None) -> Reply:
    """``/latest/BASE`` (keyless) or ``/KEY/latest/BASE`` (keyed)."""
    parts = [p for p in route.split("/") if p]
    if len(parts) == 2 and parts[0] == "latest":
        return _keyless(parts[1].upper(), now_ms)
    if len(parts) == 3 and parts[1] == "latest":
        if valid_keys is not None and parts[0] not in valid_keys:
            return _error("invalid-key", 403)
        return _keyed(parts[2].upper(), now_ms)
    return _error("malformed-request", 400)


def _keyless(base: str, now_ms: int) -> Reply:
    rates = _rates_for(base, now_ms // DAY_MS * DAY_MS)
    if rates is None:
        return json_reply({"result": "error", "error-type": "unsupported-code"}, 404)
    return json_reply(
        {
            "result": "success",
            "provider": "https://www.exchangerate-api.com",
            "documentation": "https://www.exchangerate-api.com/docs/free",
            "terms_of_use": "https://www.exchangerate-api.com/terms_of_use#free",
            **_times(now_ms),
            "time_eol_unix": 0,
            "base_code": base,
            "rates": rates,
        }
    )


def _keyed(base: str, now_ms: int) -> Reply:
    rates = _rates_for(base, now_ms // DAY_MS * DAY_MS)
    if rates is None:
        return _error("unsupported-code", 404)
    return json_reply(
        {
            "result": "success",
            "documentation": "https://www.exchangerate-api.com/docs",
            "terms_of_use": "https://www.exchangerate-api.com/terms",
            **_times(now_ms),
            "base_code": base,
            "conversion_rates": rates,
        }
    )
