"""The composition root: the one place that builds a home's live services.

Stage code receives typed collaborators; this module decides which concrete ones a running
bot uses (Parquet bars, the model store, the tracker, tickers or a spread proxy, stored FX).
"""

from __future__ import annotations

from typing import Any

from finbot.config.models import Settings
from finbot.prediction.decision import SpreadQuote
from finbot.prediction.questions import Sources
from finbot.timeframes import HOUR_MS


def stored_fx(paths: Any, coins: tuple[str, ...], now: int) -> tuple[float | None, str]:
    """EUR per USD from what is stored (FX cache, else prices), never blocking on the network:
    the scheduler's FX job keeps the cache fresh."""
    try:
        from finbot.collectors import implied_rate, read_cache

        rate = read_cache(paths) or implied_rate(paths, coins)
    except Exception as exc:  # collectors absent or data unreadable: say so, carry on
        return None, f"no EUR/USD rate ({type(exc).__name__}: {exc})"
    if rate is None:
        return None, "no EUR/USD rate stored (run 'finbot collect fx'); USD taken as EUR"
    age_h = max(0.0, (now - (rate.fetched_ms or rate.as_of_ms)) / HOUR_MS)
    return rate.rate, f"{rate.source} ({age_h:.1f} h old)"


def live_sources(settings: Settings, paths: Any, *, clock: Any, tracker: Any | None) -> Sources:
    """The real inputs: pipeline, model store, Parquet bars, tickers/proxy spread, FX, tracker."""
    from finbot.clock import now_ms
    from finbot.prediction import pipeline
    from finbot.prediction.decision import resolve_spread
    from finbot.prediction.models import ModelStore
    from finbot.prediction.tracking import live_accuracy
    from finbot.storage import BarStore

    store, bar_store, costs = (
        ModelStore(paths.models_dir),
        BarStore(paths.parquet_dir),
        settings.costs,
    )

    def calibration(pred: Any) -> Any:
        try:
            return pred.calibration()
        except Exception:  # a version without calibration data: fall back (stated in output)
            return None

    def bars(coin: str, timeframe: str) -> Any:
        try:
            frame = bar_store.read(coin, timeframe, last_n=600)
        except Exception:
            return None
        return frame if len(frame) else None

    def spread(coin: str, frame: Any) -> SpreadQuote:
        def tickers() -> float | None:
            from finbot.collectors import median_spread_pct

            return median_spread_pct(paths, coin, costs.exchanges_whitelist)

        def proxy() -> float | None:
            from finbot.prediction.decision import estimate_from_bars

            return None if frame is None else estimate_from_bars(frame).fraction

        return resolve_spread(costs, tickers_pct=tickers, proxy_frac=proxy)

    return Sources(
        predict=lambda coin, h: pipeline.predict(
            coin,
            h,
            settings=settings,
            paths=paths,
            store=store,
            clock=clock,
            bar_store=bar_store,
        ),
        calibration=calibration,
        bars=bars,
        spread=spread,
        eur_per_usd=lambda: stored_fx(paths, settings.coins.ids, now_ms(clock)),
        live=lambda coin, h: (
            None if tracker is None else live_accuracy(tracker, coin, h, now_ms(clock))
        ),
    )
