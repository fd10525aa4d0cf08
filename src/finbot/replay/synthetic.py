"""Synthetic multi-coin market history for the offline demo and the tests (labelled synthetic).

The model, per coin and bar: a log return ``r = mu dt + sigma_t (w_m z_m + w_i z_i)`` where
``z_m`` is a market shock shared by every coin (correlation), ``z_i`` the coin's own shock,
both Student-t with 4 degrees of freedom (fat tails), and ``sigma_t`` follows a log-AR(1)
stochastic volatility, one market state plus one per coin (volatility clustering, the
GARCH-like behaviour without its sequential loop: the AR(1) is one ``lfilter`` call).
USD volume grows with ``|r|``; market cap is close x supply.

A labelled predictable component (``PLANTED``) on two coins, so the demo shows skill found
where there is some and refused elsewhere: their bar returns (beyond the drift) are passed
through an AR(1) filter ``r'[t] = phi r'[t-1] + sqrt(1 - phi^2) r[t]`` (same variance),
solana with momentum (``phi = +0.25``), dogecoin with mean reversion (``phi = -0.25``), on
every simulated timeframe. The known horizon is one bar: on hourly bars the 1 h horizon (an
R^2 of about 6 %); at 6 h and beyond the planted part is too small to detect, and
the last ``m5_days`` of hourly bars, aggregated from 5-minute bars, keep little of it. Every
other coin is a pure (clustered-volatility) random walk: nothing to find.

Cross-timeframe consistency is by construction. The 5-minute path covers the most recent
window; hourly bars there are aggregated from it, and hourly bars before it are simulated and
anchored so the path is continuous. Daily bars are aggregated from hourly bars where those
exist and simulated before. So on any overlapping window, 1h and 1d bars are exactly the
aggregates of the finer bars. 4h and 1w bars are aggregated from 1h and 1d.

Each coin has its own random stream keyed by (seed, coin id): adding a coin does not change
the others. ``python -m finbot.replay.synthetic --out DIR`` writes ``<coin>_<tf>.csv``
files (the format of ``../shared/data/real``) plus a manifest; it never deletes a folder and
never overwrites a file it did not write.
"""

from __future__ import annotations

import argparse
import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import polars as pl
from scipy.signal import lfilter

from finbot.errors import DataError, UsageError
from finbot.i18n import N_
from finbot.replay.coin_profiles import CoinProfile, profile_for
from finbot.schema import conform
from finbot.timeframes import DAY_MS, HOUR_MS, MINUTE_MS, TIMEFRAMES, Timeframe

STEP_MS: dict[str, int] = {
    Timeframe.M5: 5 * MINUTE_MS,
    Timeframe.H1: 60 * MINUTE_MS,
    Timeframe.D1: DAY_MS,
}
SUPPORTED_TIMEFRAMES = TIMEFRAMES
MANIFEST = "finbot_synthetic.json"
SOURCE = "synthetic"

_T_DF = 4.0  # Student-t degrees of freedom of the shocks
_MARKET_WEIGHT = 0.8  # loading on the market shock for beta = 1 (correlation ~ 0.64)
_VOL_STATE_SD = (0.35, 0.25)  # stationary sd of the market and coin log-volatility states
_VOL_HALF_LIFE_DAYS = 7.0
_DRIFT_PER_DAY = 0.0003
#: The labelled predictable component: coin id → AR(1) coefficient of its bar returns.
PLANTED: dict[str, float] = {"solana": 0.25, "dogecoin": -0.25}


@dataclass
class _Bars:
    """Bars of every coin on one timeframe: ``ts`` (T,), the rest (T, coins)."""

    ts: np.ndarray
    open: np.ndarray
    high: np.ndarray
    low: np.ndarray
    close: np.ndarray
    volume: np.ndarray

    def concat(self, later: _Bars) -> _Bars:
        return _Bars(
            *(np.concatenate([a, b]) for a, b in zip(self._fields(), later._fields(), strict=False))
        )

    def _fields(self) -> tuple[np.ndarray, ...]:
        return (self.ts, self.open, self.high, self.low, self.close, self.volume)


def _stream(seed: int, coin: str, timeframe: str) -> np.random.Generator:
    """A random stream per (seed, coin, timeframe): stable whatever the other coins are."""
    digest = hashlib.sha256(f"{coin}|{timeframe}".encode()).digest()
    return np.random.default_rng([seed, int.from_bytes(digest[:8], "big")])


def _log_vol_state(rng: np.random.Generator, n: int, phi: float, sd: float) -> np.ndarray:
    """A stationary AR(1) path of length ``n`` with persistence ``phi`` and sd ``sd``."""
    shocks = rng.standard_normal(n) * sd * np.sqrt(1.0 - phi**2)
    start = rng.standard_normal() * sd
    path, _ = lfilter([1.0], [1.0, -phi], shocks, zi=[phi * start])
    return np.asarray(path)


def _t_shocks(rng: np.random.Generator, n: int) -> np.ndarray:
    """Unit-variance Student-t shocks (fat tails)."""
    shocks: np.ndarray = rng.standard_t(_T_DF, n) / np.sqrt(_T_DF / (_T_DF - 2.0))
    return shocks


def _planted(shocks: np.ndarray, phi: float) -> np.ndarray:
    """Returns with lag-one autocorrelation ``phi`` and the variance of ``shocks``."""
    if phi == 0.0:
        return shocks
    out, _ = lfilter([np.sqrt(1.0 - phi**2)], [1.0, -phi], shocks, zi=[0.0])
    return np.asarray(out)


def _simulate(
    profiles: Sequence[CoinProfile], seed: int, timeframe: str, n: int, anchor: np.ndarray
) -> _Bars:
    """``n`` bars per coin ending with closes equal to ``exp(anchor)`` (ts filled by caller)."""
    dt = STEP_MS[timeframe] / DAY_MS
    phi = float(np.exp(-np.log(2.0) * dt / _VOL_HALF_LIFE_DAYS))
    market_rng = _stream(seed, "__market__", timeframe)
    h_market = _log_vol_state(market_rng, n, phi, _VOL_STATE_SD[0])
    z_market = _t_shocks(market_rng, n)
    variance_fix = _VOL_STATE_SD[0] ** 2 + _VOL_STATE_SD[1] ** 2
    cols: list[tuple[np.ndarray, ...]] = []
    for k, prof in enumerate(profiles):
        rng = _stream(seed, prof.id, timeframe)
        h = h_market + _log_vol_state(rng, n, phi, _VOL_STATE_SD[1])
        sigma = prof.daily_vol * np.sqrt(dt) * np.exp(h - variance_fix)
        w_m = min(_MARKET_WEIGHT * prof.beta, 0.95)
        shocks = sigma * (w_m * z_market + np.sqrt(1 - w_m**2) * _t_shocks(rng, n))
        r = _DRIFT_PER_DAY * dt + _planted(shocks, PLANTED.get(prof.id, 0.0))
        cols.append(_bars_from_returns(rng, prof, r, sigma, dt, float(anchor[k])))
    stacked = [np.column_stack([c[i] for c in cols]) for i in range(5)]
    return _Bars(np.zeros(n, dtype=np.int64), *stacked)


def _bars_from_returns(
    rng: np.random.Generator,
    prof: CoinProfile,
    r: np.ndarray,
    sigma: np.ndarray,
    dt: float,
    anchor: float,
) -> tuple[np.ndarray, ...]:
    """OHLCV of one coin from its log returns; the last close is ``exp(anchor)``."""
    cum = np.cumsum(r)
    log_close = anchor + cum - cum[-1]
    log_open = log_close - r
    wick = 0.6 * sigma
    log_high = np.maximum(log_open, log_close) + np.abs(rng.standard_normal(len(r))) * wick
    log_low = np.minimum(log_open, log_close) - np.abs(rng.standard_normal(len(r))) * wick
    typical = prof.daily_vol * np.sqrt(dt)
    activity = 0.5 + 0.5 * np.abs(r) / typical
    volume = prof.daily_volume_usd * dt * activity * rng.lognormal(-0.08, 0.4, len(r))
    return np.exp(log_open), np.exp(log_high), np.exp(log_low), np.exp(log_close), volume


def _aggregate(bars: _Bars, starts: np.ndarray) -> _Bars:
    """Coarser bars from consecutive groups of ``bars`` beginning at the indices ``starts``."""
    ends = np.append(starts[1:], len(bars.ts)) - 1
    return _Bars(
        bars.ts[starts],
        bars.open[starts],
        np.maximum.reduceat(bars.high, starts, axis=0),
        np.minimum.reduceat(bars.low, starts, axis=0),
        bars.close[ends],
        np.add.reduceat(bars.volume, starts, axis=0),
    )


def _aggregate_every(bars: _Bars, step_ms: int, offset_ms: int = 0) -> _Bars:
    """Aggregate onto a ``step_ms`` grid (shifted by ``offset_ms``), complete groups only."""
    if len(bars.ts) == 0:
        return bars
    fine_ms = int(bars.ts[1] - bars.ts[0]) if len(bars.ts) > 1 else step_ms
    per_group = step_ms // fine_ms
    first = int(np.argmax((bars.ts - offset_ms) % step_ms == 0))
    count = (len(bars.ts) - first) // per_group
    if (bars.ts[first] - offset_ms) % step_ms or count == 0:
        return _Bars(*(a[:0] for a in bars._fields()))
    starts = first + np.arange(count) * per_group
    trimmed = _Bars(*(a[: first + count * per_group] for a in bars._fields()))
    return _aggregate(trimmed, starts)


def _segment(
    profiles: Sequence[CoinProfile],
    seed: int,
    timeframe: str,
    start_ms: int,
    end_ms: int,
    anchor: np.ndarray,
) -> _Bars:
    step = STEP_MS[timeframe]
    n = max(0, (end_ms - start_ms) // step)
    if n == 0:
        return _Bars(np.zeros(0, np.int64), *(np.zeros((0, len(profiles))) for _ in range(5)))
    bars = _simulate(profiles, seed, timeframe, n, anchor)
    bars.ts = start_ms + np.arange(n, dtype=np.int64) * step
    return bars


def _first_open_log(bars: _Bars, fallback: np.ndarray) -> np.ndarray:
    return np.log(bars.open[0]) if len(bars.ts) else fallback


def _chain(
    profiles: Sequence[CoinProfile],
    seed: int,
    start_ms: int,
    end_ms: int,
    hourly_days: int,
    m5_days: int,
) -> dict[str, _Bars]:
    """5m path (recent) → 1h (aggregated there, simulated before) → 1d likewise."""
    m5_start = max(start_ms, end_ms - m5_days * DAY_MS)
    h1_start = min(m5_start, max(start_ms, end_ms - hourly_days * DAY_MS))
    anchor = np.log([p.level for p in profiles])
    m5 = _segment(profiles, seed, "5m", m5_start, end_ms, anchor)
    anchor = _first_open_log(m5, anchor)
    h1 = _segment(profiles, seed, "1h", h1_start, m5_start, anchor)
    h1 = h1.concat(_aggregate_every(m5, STEP_MS[Timeframe.H1])) if len(m5.ts) else h1
    anchor = _first_open_log(h1, anchor)
    d1 = _segment(profiles, seed, "1d", start_ms, h1_start, anchor)
    d1 = d1.concat(_aggregate_every(h1, DAY_MS)) if len(h1.ts) else d1
    return {
        "5m": m5,
        "1h": h1,
        "4h": _aggregate_every(h1, 4 * HOUR_MS),
        "1d": d1,
        "1w": _aggregate_every(d1, 7 * DAY_MS, offset_ms=4 * DAY_MS),  # weeks start on Monday
    }


def _frame(bars: _Bars, k: int, prof: CoinProfile) -> pl.DataFrame:
    close = bars.close[:, k]
    return conform(
        pl.DataFrame(
            {
                "ts": bars.ts.astype(np.int64),
                "open": bars.open[:, k],
                "high": bars.high[:, k],
                "low": bars.low[:, k],
                "close": close,
                "volume": bars.volume[:, k],
                "market_cap": close * prof.supply,
                "source": SOURCE,
            }
        )
    )


def generate_history(
    coins: Iterable[str],
    start_ms: int,
    end_ms: int,
    seed: int,
    timeframes: Sequence[str] = ("5m", "1h", "1d"),
    *,
    hourly_days: int = 730,
    m5_days: int = 30,
) -> dict[str, dict[str, pl.DataFrame]]:
    """``{coin: {timeframe: bars}}`` of synthetic history in the canonical schema.

    ``start_ms`` and ``end_ms`` are rounded inwards to whole UTC days. Daily bars cover the
    whole span, hourly bars the last ``hourly_days``, 5-minute bars the last ``m5_days``.
    """
    unknown = [tf for tf in timeframes if tf not in SUPPORTED_TIMEFRAMES]
    if unknown:
        raise UsageError(
            N_("timeframes: expected some of {supported}, got {unknown}"),
            supported=", ".join(SUPPORTED_TIMEFRAMES),
            unknown=str(unknown),
        )
    start = -(-int(start_ms) // DAY_MS) * DAY_MS
    end = int(end_ms) // DAY_MS * DAY_MS
    if end <= start:
        raise UsageError(N_("end_ms: expected at least one whole UTC day after start_ms"))
    profiles = [profile_for(c) for c in dict.fromkeys(coins)]
    if not profiles:
        raise UsageError(N_("coins: expected at least one coin id"))
    chain = _chain(profiles, seed, start, end, hourly_days, m5_days)
    return {
        prof.id: {tf: _frame(chain[tf], k, prof) for tf in timeframes}
        for k, prof in enumerate(profiles)
    }


# ------------------------------------------------------------------ CSV output
def _iso(ts: pl.Expr) -> pl.Expr:
    return pl.from_epoch(ts, time_unit="ms").dt.strftime("%Y-%m-%dT%H:%M:%SZ")


def _read_manifest(out: Path) -> dict[str, object]:
    path = out / MANIFEST
    if not path.exists():
        return {"files": []}
    data: dict[str, object] = json.loads(path.read_text(encoding="utf-8"))
    return data


def write_history_csv(
    history: dict[str, dict[str, pl.DataFrame]], out: Path, *, meta: dict[str, object] | None = None
) -> list[Path]:
    """Write ``<coin>_<tf>.csv`` files and a manifest into ``out`` (created if missing).

    Never deletes anything; refuses to overwrite a file that an earlier run of this tool did
    not write (its manifest lists what it wrote).
    """
    out.mkdir(parents=True, exist_ok=True)
    listed = _read_manifest(out).get("files", [])
    ours = {str(name) for name in listed} if isinstance(listed, list) else set()
    targets = {(c, tf): out / f"{c}_{tf}.csv" for c, tfs in history.items() for tf in tfs}
    foreign = [p.name for p in targets.values() if p.exists() and p.name not in ours]
    if foreign:
        raise DataError(
            N_("--out: {out} already holds files this tool did not write: {files}"),
            out=str(out),
            files=str(foreign[:3]),
        )
    written: list[Path] = []
    for (coin, tf), path in targets.items():
        frame = history[coin][tf].select(
            _iso(pl.col("ts")).alias("timestamp"), "open", "high", "low", "close", "volume"
        )
        frame.write_csv(path)
        written.append(path)
    manifest = {
        "label": SOURCE,
        "volume_unit": "usd",
        "created_by": "finbot.replay.synthetic",
        "files": sorted(ours | {p.name for p in written}),
        **(meta or {}),
    }
    (out / MANIFEST).write_text(json.dumps(manifest, indent=1), encoding="utf-8")
    return written


def default_coin_ids() -> list[str]:
    """The configured default coins (``coins.json`` shipped with the package)."""
    from finbot.config.loader import default_text

    return [c["id"] for c in json.loads(default_text("coins.json"))["coins"]]


def _parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m finbot.replay.synthetic",
        description="Write synthetic (labelled) market history as CSV.",
    )
    parser.add_argument(
        "--out", required=True, type=Path, help="output folder (created if missing)"
    )
    parser.add_argument(
        "--coins", default=None, help="comma-separated coin ids (default: configured)"
    )
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--days", type=int, default=3650, help="days of daily history")
    parser.add_argument("--hourly-days", type=int, default=730)
    parser.add_argument("--m5-days", type=int, default=30)
    parser.add_argument("--end", default=None, help="end date YYYY-MM-DD (default: today, UTC)")
    parser.add_argument("--timeframes", default="5m,1h,1d")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = _parse_args(argv)
    end = (
        datetime.strptime(args.end, "%Y-%m-%d").replace(tzinfo=UTC)
        if args.end
        else datetime.now(UTC)
    )
    end_ms = int(end.timestamp() * 1000) // DAY_MS * DAY_MS
    coins = args.coins.split(",") if args.coins else default_coin_ids()
    history = generate_history(
        coins,
        end_ms - args.days * DAY_MS,
        end_ms,
        args.seed,
        tuple(args.timeframes.split(",")),
        hourly_days=args.hourly_days,
        m5_days=args.m5_days,
    )
    written = write_history_csv(history, args.out, meta={"seed": args.seed, "end_ms": end_ms})
    print(f"wrote {len(written)} synthetic files to {args.out}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
