"""EUR/USD from ExchangeRate-API, cached one hour in ``cache_dir/fx.json``.

Two shapes are read: the keyless ``open.er-api.com/v6/latest/USD`` (``rates``) and the keyed
``v6.exchangerate-api.com/v6/KEY/latest/USD`` (``conversion_rates``); a ``result: error``
answer raises ApiError naming its ``error-type``. The key is only ever in the request path:
it never appears in logs or error messages. When the API cannot be reached, ``eur_per_usd``
falls back to the EUR/USD ratio implied by the latest /simple/price snapshot (which quotes
every coin in both currencies).
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from finbot.clock import Clock, SystemClock, now_ms
from finbot.collectors import payloads
from finbot.collectors.common import Collected
from finbot.config import ExchangeRateConfig
from finbot.errors import ApiError, DataError, FinbotError
from finbot.i18n import N_, Message, error_message, failure_line
from finbot.storage import ParquetDataset
from finbot.timeframes import HOUR_MS

if TYPE_CHECKING:  # httpx and tenacity load only to fetch: reading the cache (predict) needs none
    import httpx

    from finbot.collectors.retry import RandomSource

log = logging.getLogger(__name__)

URL_ENV = "FINBOT_FX_URL"
CACHE_FILE = "fx.json"


@dataclass(frozen=True)
class FxRate:
    """EUR per USD, when it was published (ms) and where it came from."""

    rate: float
    as_of_ms: int
    source: str
    fetched_ms: int = 0


def replay_fx_base(coingecko_url: str | None) -> str | None:
    """The FX base URL that goes with a loopback CoinGecko URL: the replay server serves
    ExchangeRate-API under ``/fx/v6`` beside ``/api/v3``. None for any other URL. Without an
    explicit URL, ``$FINBOT_COINGECKO_URL`` (the same one the CoinGecko client uses) decides."""
    from finbot.collectors.coingecko import URL_ENV as COINGECKO_URL_ENV

    coingecko_url = coingecko_url or os.environ.get(COINGECKO_URL_ENV)
    if not coingecko_url:
        return None
    parts = urlsplit(coingecko_url)
    if parts.hostname not in ("127.0.0.1", "localhost") or not parts.path.rstrip("/").endswith(
        "/api/v3"
    ):
        return None
    root = parts.path.rstrip("/")[: -len("/api/v3")]
    return f"{parts.scheme}://{parts.netloc}{root}/fx/v6"


def fx_url(config: ExchangeRateConfig, key: str | None, base_url: str | None = None) -> str:
    """``/latest/USD`` keyless or ``/KEY/latest/USD`` keyed; base: arg > $FINBOT_FX_URL >
    config."""
    base = (
        base_url or os.environ.get(URL_ENV) or (config.keyed_base_url if key else config.base_url)
    )
    base = base.rstrip("/")
    return f"{base}/{key}/latest/USD" if key else f"{base}/latest/USD"


def parse_fx(data: Any) -> tuple[float, int]:
    """(EUR per USD, publication time ms) from either shape; ApiError on ``result: error``."""
    if not isinstance(data, dict):
        raise DataError(N_("fx: expected a JSON object"))
    if data.get("result") == "error":
        raise ApiError(
            N_("ExchangeRate-API error: {kind}"), kind=str(data.get("error-type", "unknown"))
        )
    rates = data.get("conversion_rates", data.get("rates"))
    if not isinstance(rates, dict):
        raise DataError(N_("fx: expected 'rates' or 'conversion_rates'"))
    rate = payloads.number(rates.get("EUR"), "fx.rates.EUR")
    if not 0.2 < rate < 5:
        raise DataError(N_("fx: EUR per USD {rate} is not plausible"), rate=rate)
    updated = data.get("time_last_update_unix")
    as_of = int(updated) * 1000 if isinstance(updated, int | float) else 0
    return float(rate), as_of


def fetch_fx(
    config: ExchangeRateConfig,
    key: str | None,
    *,
    base_url: str | None = None,
    clock: Clock | None = None,
    transport: httpx.BaseTransport | None = None,
    rng: RandomSource | None = None,
) -> FxRate:
    """One rate, with ``config.retries`` attempts on transient failures (the shared tenacity
    policy of ``collectors/retry.py``; jitter from ``rng``, a fresh ``random.Random`` without)."""
    import httpx
    from tenacity import RetryError, retry_if_exception_type

    from finbot.collectors.retry import log_retry, retry_policy

    clock = clock or SystemClock()
    url = fx_url(config, key, base_url)
    timeout = httpx.Timeout(config.timeouts_sec.read, connect=config.timeouts_sec.connect)
    source = "exchangerate-api" + (" (keyed)" if key else "")
    policy = retry_policy(
        config.retries,
        retry=retry_if_exception_type((DataError, _Transient)),
        sleep=clock.sleep,
        rng=rng,
        before_sleep=log_retry(log, "ExchangeRate-API"),
    )
    with httpx.Client(timeout=timeout, transport=transport) as http:
        try:
            rate, as_of = policy(_fetch_once, http, url)
        except RetryError as gave_up:
            attempt = gave_up.last_attempt
            failure = attempt.exception()
            raise ApiError(
                N_("ExchangeRate-API: failed after {attempts} attempts ({error})"),
                attempts=attempt.attempt_number,
                error=error_message(failure) if failure is not None else "",
            ) from None
        return FxRate(rate, as_of or now_ms(clock), source, now_ms(clock))


class _Transient(Exception):
    pass


def _fetch_once(http: httpx.Client, url: str) -> tuple[float, int]:
    import httpx

    try:
        response = http.get(url)
        body = response.content
    except httpx.HTTPError as exc:  # the message of httpx errors may hold the URL: not kept
        raise _Transient(type(exc).__name__) from None
    if response.status_code >= 500 or response.status_code == 429:
        raise _Transient(f"HTTP {response.status_code}")
    try:
        data = payloads.loads(body)
    except DataError:
        if response.status_code != 200:
            raise ApiError(
                N_("ExchangeRate-API: HTTP {http_status}"),
                status=response.status_code,
                http_status=response.status_code,
            ) from None
        raise
    return parse_fx(data)


# ---------------------------------------------------------------- the cache file
def cache_path(cache_dir: Path) -> Path:
    """The FX cache file of a home's cache folder."""
    return cache_dir / CACHE_FILE


def read_cache(cache_file: Path) -> FxRate | None:
    """The cached rate, or None when the file is absent or unreadable."""
    try:
        data = json.loads(cache_file.read_text("utf-8"))
        return FxRate(
            float(data["rate"]), int(data["as_of_ms"]), str(data["source"]), int(data["fetched_ms"])
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None


def write_cache(cache_file: Path, rate: FxRate) -> None:
    """Atomically replace the cache file."""
    cache_file.parent.mkdir(parents=True, exist_ok=True)
    tmp = cache_file.with_suffix(".tmp")
    tmp.write_text(json.dumps(asdict(rate)), "utf-8")
    os.replace(tmp, cache_file)


def implied_rate(prices: ParquetDataset, coins: Sequence[str]) -> FxRate | None:
    """EUR per USD implied by the latest /simple/price snapshot (eur / usd of one coin)."""
    for coin in coins:
        last = prices.last_ts(coin)
        if last is None:
            continue
        row = prices.read(coin, start_ms=last).sort("ts").row(-1, named=True)
        if row.get("eur") and row.get("usd"):
            return FxRate(
                float(row["eur"]) / float(row["usd"]),
                int(row["ts"]),
                f"implied by {coin} /simple/price",
            )
    return None


def stored_fx(
    cache_file: Path, prices: ParquetDataset, coins: Sequence[str], now: int
) -> tuple[float | None, str]:
    """EUR per USD from what is stored (FX cache, else prices), never blocking on the network:
    the scheduler's FX job keeps the cache fresh."""
    try:
        rate = read_cache(cache_file) or implied_rate(prices, coins)
    except (FinbotError, OSError) as exc:  # stored prices unreadable: say so, carry on
        return None, f"no EUR/USD rate ({type(exc).__name__}: {exc})"
    if rate is None:
        return None, "no EUR/USD rate stored (run 'finbot collect fx'); USD taken as EUR"
    age_h = max(0.0, (now - (rate.fetched_ms or rate.as_of_ms)) / HOUR_MS)
    return rate.rate, f"{rate.source} ({age_h:.1f} h old)"


def eur_per_usd(
    config: ExchangeRateConfig,
    key: str | None,
    cache_file: Path,
    prices: ParquetDataset,
    coins: Sequence[str],
    *,
    clock: Clock | None = None,
    base_url: str | None = None,
) -> FxRate:
    """EUR per USD: the cache while younger than the TTL, else the API (cached), else the
    ratio implied by stored prices, else the stale cache; DataError when none exists."""
    clock = clock or SystemClock()
    cached = read_cache(cache_file)
    if cached and now_ms(clock) - cached.fetched_ms <= config.ttl_sec * 1000:
        return cached
    try:
        fresh = fetch_fx(config, key, base_url=base_url, clock=clock)
    except FinbotError as exc:
        log.warning("%s", Message(N_("FX: {error}; falling back"), error=failure_line(exc)))
        fallback = implied_rate(prices, coins) or cached
        if fallback is None:
            raise DataError(
                N_("fx: no EUR/USD rate (API unreachable, no prices, no cache): {error}"),
                error=failure_line(exc),
            ) from exc
        return fallback
    write_cache(cache_file, fresh)
    return fresh


def collect_fx(
    config: ExchangeRateConfig,
    key: str | None,
    cache_file: Path,
    rates: ParquetDataset,
    *,
    clock: Clock | None = None,
    base_url: str | None = None,
) -> Collected:
    """Fetch EUR/USD now (bypassing the cache), refresh the cache and store the rate."""
    import polars as pl

    clock = clock or SystemClock()
    rate = fetch_fx(config, key, base_url=base_url, clock=clock)
    write_cache(cache_file, rate)
    frame = pl.DataFrame(
        [
            {
                "ts": rate.as_of_ms,
                "rate": rate.rate,
                "source": rate.source,
                "fetched_ms": rate.fetched_ms,
            }
        ],
        schema={"ts": pl.Int64, "rate": pl.Float64, "source": pl.String, "fetched_ms": pl.Int64},
    )
    stored = rates.upsert(frame, partition="eurusd")
    return Collected(rows=stored.inserted + stored.updated, requests=1)
