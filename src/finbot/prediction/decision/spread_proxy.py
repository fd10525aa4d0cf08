"""Bid/ask spread estimated from OHLC bars alone, for when no order-book ticker is stored.

Two published estimators, both vectorised over consecutive bar pairs:

* Corwin & Schultz (2012): the high/low range of two bars contains twice the variance but only
  once the spread, so ``alpha = (sqrt(2 beta) - sqrt(beta)) / (3 - 2 sqrt 2) - sqrt(gamma /
  (3 - 2 sqrt 2))`` and ``S = 2 (e^alpha - 1) / (1 + e^alpha)``, with ``beta`` the sum of the
  two squared log ranges and ``gamma`` the squared log range of the pair. Negative pair
  estimates are set to zero, as the paper does.
* Abdi & Ranaldo (2017): with the mid-range ``eta = (ln H + ln L) / 2`` and ``c = ln C``,
  ``S^2 = 4 E[(c_t - eta_t)(c_t - eta_{t+1})]``; the mean is taken over the window, then its
  positive part's square root.

Both return the spread as a FRACTION of the price (0.001 = 0.1 %). ``estimate_spread`` combines
them (median of the Corwin–Schultz pair estimates, Abdi–Ranaldo over the window, then their mean).

Command line: ``python -m finbot.prediction.decision.spread_proxy --coin bitcoin [--timeframe 1h]``.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from dataclasses import asdict, dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt

Method = Literal["corwin_schultz", "abdi_ranaldo", "both"]
FloatArray = npt.NDArray[np.float64]
_K = 3.0 - 2.0 * math.sqrt(2.0)


@dataclass(frozen=True)
class SpreadEstimate:
    """A spread estimate as a fraction of price, with how it was obtained."""

    fraction: float
    method: str
    pairs: int
    corwin_schultz: float | None
    abdi_ranaldo: float | None


def _as_array(values: object) -> FloatArray:
    return np.asarray(values, dtype=np.float64)


def corwin_schultz(high: object, low: object) -> FloatArray:
    """Per-pair Corwin–Schultz spread estimates (fractions, floored at 0), length ``n - 1``."""
    h, lo = _as_array(high), _as_array(low)
    if h.shape != lo.shape or h.ndim != 1:
        raise ValueError("high and low must be 1-D arrays of the same length")
    if h.size < 2:
        return np.empty(0)
    log_range_sq = np.log(h / lo) ** 2
    beta = log_range_sq[:-1] + log_range_sq[1:]
    pair_high = np.maximum(h[:-1], h[1:])
    pair_low = np.minimum(lo[:-1], lo[1:])
    gamma = np.log(pair_high / pair_low) ** 2
    alpha = (np.sqrt(2.0 * beta) - np.sqrt(beta)) / _K - np.sqrt(gamma / _K)
    spread = 2.0 * (np.exp(alpha) - 1.0) / (1.0 + np.exp(alpha))
    return np.asarray(np.clip(spread, 0.0, None), dtype=np.float64)


def abdi_ranaldo(high: object, low: object, close: object) -> float:
    """The Abdi–Ranaldo spread over the whole window (fraction; 0 when the estimate is < 0)."""
    h, lo, c = _as_array(high), _as_array(low), _as_array(close)
    if not (h.shape == lo.shape == c.shape) or h.ndim != 1:
        raise ValueError("high, low and close must be 1-D arrays of the same length")
    if h.size < 2:
        return float("nan")
    eta = (np.log(h) + np.log(lo)) / 2.0
    log_close = np.log(c)
    products = 4.0 * (log_close[:-1] - eta[:-1]) * (log_close[:-1] - eta[1:])
    mean = float(np.nanmean(products))
    return math.sqrt(mean) if mean > 0 else 0.0


def _valid(high: FloatArray, low: FloatArray, close: FloatArray) -> npt.NDArray[np.bool_]:
    finite = np.isfinite(high) & np.isfinite(low) & np.isfinite(close)
    return finite & (low > 0) & (high >= low)


def estimate_spread(
    high: object, low: object, close: object, *, method: Method = "both"
) -> SpreadEstimate:
    """One spread figure for a window of bars; ValueError when fewer than two usable bars."""
    h, lo, c = _as_array(high), _as_array(low), _as_array(close)
    keep = _valid(h, lo, c)
    h, lo, c = h[keep], lo[keep], c[keep]
    if h.size < 2:
        raise ValueError("need at least two bars with a positive low and high >= low")
    cs = float(np.median(corwin_schultz(h, lo))) if method != "abdi_ranaldo" else None
    ar = abdi_ranaldo(h, lo, c) if method != "corwin_schultz" else None
    parts = [v for v in (cs, ar) if v is not None]
    return SpreadEstimate(
        fraction=float(np.mean(parts)),
        method=method,
        pairs=int(h.size - 1),
        corwin_schultz=cs,
        abdi_ranaldo=ar,
    )


def estimate_from_bars(
    bars: object, *, last_n: int = 500, method: Method = "both"
) -> SpreadEstimate:
    """``estimate_spread`` over the last ``last_n`` rows of a canonical bars frame (polars)."""
    import polars as pl

    frame = bars if isinstance(bars, pl.DataFrame) else pl.DataFrame(bars)  # type: ignore[arg-type]
    tail = frame.sort("ts").tail(last_n)
    return estimate_spread(
        tail["high"].to_numpy(), tail["low"].to_numpy(), tail["close"].to_numpy(), method=method
    )


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m finbot.prediction.decision.spread_proxy",
        description="Estimate a coin's bid/ask spread from its stored OHLC bars.",
    )
    parser.add_argument("--coin", required=True, help="coin id, symbol or name")
    parser.add_argument("--timeframe", default="1h", help="bars to read (default 1h)")
    parser.add_argument("--bars", type=int, default=500, help="how many recent bars (default 500)")
    parser.add_argument(
        "--method", choices=["corwin_schultz", "abdi_ranaldo", "both"], default="both"
    )
    parser.add_argument("--home", default=None, help="finbot home (default $FINBOT_HOME)")
    parser.add_argument("--json", action="store_true", help="one JSON object on stdout")
    parser.add_argument("--lang", choices=["fr", "en"], default=None, help="language (as finbot)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Read the coin's bars from the home's Parquet store and print the spread estimate."""
    from finbot.config import detect_lang, load_settings, resolve_coin
    from finbot.errors import FinbotError
    from finbot.i18n import Number, error_message, translate
    from finbot.paths import Paths
    from finbot.storage import BarStore
    from finbot.timeframes import check_timeframe

    args = _parse(argv)
    lang = detect_lang(args.lang)
    try:
        paths = Paths.resolve(args.home)
        lang = detect_lang(args.lang, paths)  # the home's settings.json may name it
        coin = resolve_coin(load_settings(paths).coins, args.coin)
        timeframe = check_timeframe(args.timeframe)
        bars = BarStore(paths.parquet_dir).read(coin.id, timeframe, last_n=args.bars)
        estimate = estimate_from_bars(bars, last_n=args.bars, method=args.method)
    except (FinbotError, ValueError) as exc:
        print(translate(lang, "error: {message}", message=error_message(exc)), file=sys.stderr)
        return 2 if isinstance(exc, FinbotError) and exc.exit_code == 2 else 1
    payload = {
        "coin": coin.id,
        "timeframe": timeframe,
        **asdict(estimate),
        "spread_pct": estimate.fraction * 100.0,
    }
    if args.json:
        print(json.dumps(payload))
    else:
        line = translate(
            lang,
            "{coin} {timeframe}: spread ≈ {pct} % ({method}, {pairs} bar pairs)",
            coin=coin.id,
            timeframe=timeframe,
            pct=Number(payload["spread_pct"], 4),
            method=estimate.method,
            pairs=estimate.pairs,
        )
        print(line)
    return 0


if __name__ == "__main__":  # pragma: no cover - exercised through subprocess tests
    sys.exit(main())
