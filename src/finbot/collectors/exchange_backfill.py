"""The exchange source inside a historical backfill: whether it is on and installed, its
stored bars for a series (CoinGecko's when it is off, does not list the coin, or fails) and
CoinGecko's market caps added to them; the replay server's exchange beside a loopback
CoinGecko."""

from __future__ import annotations

import logging

import polars as pl

from finbot.collectors.backfill_job import BackfillJob, SeriesReport
from finbot.config import ExchangeConfig
from finbot.i18n import N_, Message
from finbot.schema import conform
from finbot.timeframes import DAY_MS

log = logging.getLogger("finbot.collectors.historical_collector")  # the backfill's, as before


def with_caps(bars: pl.DataFrame, caps: list[tuple[int, float]]) -> pl.DataFrame:
    """Exchange bars with the latest CoinGecko market cap known at each bar (as-of join)."""
    if not caps or bars.is_empty():
        return bars
    cap_frame = (
        pl.DataFrame(
            {"ts": [t for t, _ in caps], "cap": [c for _, c in caps]},
            schema={"ts": pl.Int64, "cap": pl.Float64},
        )
        .unique("ts")
        .sort("ts")
    )
    joined = bars.sort("ts").join_asof(
        cap_frame, on="ts", strategy="backward", tolerance=2 * DAY_MS
    )
    return conform(joined.with_columns(pl.coalesce("market_cap", "cap").alias("market_cap")))


def replay_exchange_base(coingecko_url: str | None) -> str | None:
    """The exchange URL that goes with a loopback CoinGecko URL (the replay server serves a
    Binance subset under ``/binance``); None otherwise (the configured exchange)."""
    from finbot.collectors.fx_collector import replay_fx_base

    fx = replay_fx_base(coingecko_url)
    return fx[: -len("/fx/v6")] + "/binance" if fx else None


def exchange_available(config: ExchangeConfig) -> bool:
    """Whether the exchange source is enabled and installed in this build."""
    if not config.enabled:
        return False
    try:
        from finbot.collectors import exchange_collector  # noqa: F401
    except ImportError:
        log.warning(
            "%s", Message(N_("exchange source enabled but not installed; bars come from CoinGecko"))
        )
        return False
    return True


def exchange_fetch(job: BackfillJob, coin: str, tf: str, days: int, report: SeriesReport) -> bool:
    """Let the exchange source store ``coin``'s ``tf`` bars; False when it is off, does not
    list the coin, or fails (then CoinGecko's bars are used)."""
    if not job.exchange:
        return False
    from finbot.collectors.exchange_collector import collect_exchange_ohlcv
    from finbot.config import resolve_coin

    try:
        out = collect_exchange_ohlcv(
            job.exchange_config,
            job.store,
            [resolve_coin(job.coins, coin)],
            [tf],
            days,
            base_url=job.exchange_url,
            clock=job.clock,
        )
    except Exception as exc:  # ccxt raises its own errors: any failure means "use CoinGecko"
        log.warning(
            "%s",
            Message(
                N_("exchange source failed ({error}); bars come from CoinGecko for this run"),
                error=type(exc).__name__,
            ),
        )
        job.exchange = False
        return False
    if coin in out["skipped"]:
        report.notes.append(
            Message(
                N_("{coin}: not listed on {source}; bars from CoinGecko"),
                coin=coin,
                source=out["source"],
            )
        )
        return False
    done = out["coins"].get(coin, {}).get(tf)
    if done is not None:
        report.inserted += done["inserted"]
        report.updated += done["updated"]
    report.source = out["source"]
    return True
