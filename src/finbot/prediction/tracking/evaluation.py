"""Walk-forward evaluation: how a model would have done, honestly, against the naive baseline.

Folds (``finbot.prediction.training``'s ``walk_forward``) are contiguous time blocks covering
the last ``test_fraction`` of the feature rows. For each fold the model is refitted (expanding
window, or rolling with ``rolling_rows``) on rows whose label is fully known before the
calibration block (a gap of one horizon), a shrink factor toward zero (the trainer's
``fit_shrink``) and the conformal quantile are fitted on the calibration block (the training
window's last ``cal_fraction``, also one horizon before the test block), then every test row
is predicted. No row used for fitting has a label that ends after the first prediction it
serves (``Fold.check`` asserts it).

Per horizon: n, MAE vs the zero-return baseline, their ratio, the Diebold–Mariano test on
absolute-error loss with the Harvey–Leybourne–Newbold small-sample correction (two-sided,
Student t with n-1 degrees of freedom, autocovariances up to ``h-1`` lags for an ``h``-bar
horizon), directional accuracy and conformal coverage. The decision engine then trades the
test period long-only (BUY → long, SELL → cash, HOLD → keep), paying half the round-trip
cost on each position change, against buy-and-hold.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
import polars as pl
from scipy import stats

from finbot.errors import DataError, UsageError
from finbot.prediction.decision import Action
from finbot.prediction.decision import confidence as cf
from finbot.prediction.models import Algorithm
from finbot.prediction.training import Fold, fit_shrink, walk_forward
from finbot.timeframes import HOUR_MS, duration_ms, duration_seconds

if TYPE_CHECKING:
    from finbot.config.models import Costs, Thresholds
    from finbot.prediction.decision import HorizonSignal

FloatArray = npt.NDArray[np.float64]


def diebold_mariano(e_model: object, e_naive: object, h: int = 1) -> tuple[float, float]:
    """(HLN-corrected DM statistic, two-sided p-value) for absolute-error loss."""
    d = np.abs(np.asarray(e_model, dtype=np.float64)) - np.abs(
        np.asarray(e_naive, dtype=np.float64)
    )
    n = d.size
    if n < 3:
        return math.nan, math.nan
    dc = d - d.mean()
    gammas = [float(dc @ dc) / n] + [float(dc[k:] @ dc[:-k]) / n for k in range(1, min(h, n))]
    var = (gammas[0] + 2.0 * sum(gammas[1:])) / n
    if var <= 0:
        var = gammas[0] / n
    if var <= 0:
        return 0.0, 1.0
    dm = float(d.mean()) / math.sqrt(var)
    hln = dm * math.sqrt(max(n + 1 - 2 * h + h * (h - 1) / n, 1e-12) / n)
    return hln, float(2.0 * stats.t.sf(abs(hln), df=n - 1))


def equity_stats(bar_returns: FloatArray, timeframe: str, trades: int) -> dict[str, float | int]:
    """Total return, annualised Sharpe (24/7 market), max drawdown of a net bar-return series."""
    equity = np.cumprod(1.0 + bar_returns)
    peak = np.maximum.accumulate(np.concatenate([[1.0], equity]))[1:]
    sd = float(np.std(bar_returns, ddof=1)) if bar_returns.size > 1 else 0.0
    per_year = 365.0 * 86400.0 / duration_seconds(timeframe, field="timeframe")
    sharpe = float(np.mean(bar_returns)) / sd * math.sqrt(per_year) if sd > 0 else 0.0
    return {
        "total_return": float(equity[-1] - 1.0) if equity.size else 0.0,
        "sharpe": sharpe,
        "max_drawdown": float(np.max(1.0 - equity / peak)) if equity.size else 0.0,
        "trades": int(trades),
    }


def backtest(
    positions: FloatArray, next_returns: FloatArray, cost_frac: float, timeframe: str
) -> tuple[FloatArray, dict[str, float | int]]:
    """Net simple returns of holding ``positions`` (0/1) over each next bar, and their stats."""
    simple = np.expm1(np.nan_to_num(next_returns))
    changes = np.abs(np.diff(np.concatenate([[0.0], positions])))
    net = positions * simple - changes * cost_frac / 2.0
    return net, equity_stats(net, timeframe, int(changes.sum()))


@dataclass
class HorizonRun:
    """Out-of-sample predictions of one horizon over the whole test period."""

    horizon: str
    ts: npt.NDArray[np.int64]
    y: FloatArray
    pred: FloatArray
    half_width: FloatArray
    mae_ratio_cal: FloatArray
    mae_cal: FloatArray
    vol_ratio: FloatArray
    folds: list[Fold] = field(default_factory=list)

    def metrics(self, level: float, h_bars: int) -> dict[str, Any]:
        ok = np.isfinite(self.y)
        y, p, w = self.y[ok], self.pred[ok], self.half_width[ok]
        mae, naive = float(np.mean(np.abs(y - p))), float(np.mean(np.abs(y)))
        dm, pvalue = diebold_mariano(y - p, y, h_bars)
        moved = p != 0
        hits = np.sign(p[moved]) == np.sign(y[moved])
        return {
            "n": int(y.size),
            "mae": mae,
            "mae_naive": naive,
            "mae_ratio": mae / naive if naive > 0 else math.nan,
            "dm_stat": dm,
            "dm_pvalue": pvalue,
            "directional_accuracy": float(hits.mean()) if hits.size else None,
            "coverage": float(np.mean(np.abs(y - p) <= w)),
            "level": level,
            "mean_interval_width": float(np.mean(2 * w)),
        }


def _fit_predict(
    algorithm: str, x: FloatArray, y: FloatArray, fold: Fold, seed: int
) -> tuple[FloatArray, FloatArray]:
    """Fit on the fold's training rows; predict its calibration and test rows."""
    from finbot.prediction.models import make_estimator

    a, b = fold.train
    rows = np.arange(a, b)[np.isfinite(y[a:b])]
    model = make_estimator(algorithm, seed)
    model.fit(x[rows], y[rows])
    (c, d), (e, f) = fold.calibration, fold.test
    return np.asarray(model.predict(x[c:d]), float), np.asarray(model.predict(x[e:f]), float)


def run_horizon(
    horizon: str,
    ts: npt.NDArray[np.int64],
    x: FloatArray,
    y: FloatArray,
    vol: FloatArray,
    *,
    algorithm: str,
    n_folds: int,
    level: float,
    seed: int = 0,
    rolling_rows: int | None = None,
) -> HorizonRun:
    """Walk-forward predictions, shrunk toward zero and with conformal half-widths."""
    folds = walk_forward(ts, duration_ms(horizon), n_folds, rolling_rows=rolling_rows)
    parts: list[tuple[FloatArray, ...]] = []
    for fold in folds:
        fold.check(ts, duration_ms(horizon))
        cal_pred, test_pred = _fit_predict(algorithm, x, y, fold, seed)
        (c, d), (e, f) = fold.calibration, fold.test
        ok = np.isfinite(y[c:d])
        k = fit_shrink(y[c:d][ok], cal_pred[ok])
        cal = cf.fit_conformal(y[c:d], k * cal_pred, level, vol[c:d])
        mae = float(np.mean(np.abs(y[c:d][ok] - k * cal_pred[ok])))
        ratio = mae / max(float(np.mean(np.abs(y[c:d][ok]))), 1e-12)
        sigma = np.where(np.isfinite(vol[e:f]), vol[e:f], cal.reference_vol or np.nan)
        parts.append(
            (
                k * test_pred,
                cal.q * sigma,
                np.full(f - e, ratio),
                np.full(f - e, mae),
                sigma / (cal.reference_vol or np.nan),
            )
        )
    e0, f1 = folds[0].test[0], folds[-1].test[1]
    pred, width, ratios, maes, vratio = (np.concatenate([p[i] for p in parts]) for i in range(5))
    return HorizonRun(horizon, ts[e0:f1], y[e0:f1], pred, width, ratios, maes, vratio, folds)


def dataset(
    bars: pl.DataFrame, horizons: list[str]
) -> tuple[npt.NDArray[np.int64], FloatArray, dict[str, FloatArray], FloatArray]:
    """Feature rows: ts, X, a label column per horizon (NaN where unknown), rolling vol."""
    from finbot.prediction.features import build_features, feature_matrix, forward_log_returns

    feats = build_features(bars)
    if feats.height < 200:
        raise DataError(f"evaluation: {feats.height} feature rows; expected at least 200")
    ts = feats["ts"].to_numpy().astype(np.int64)
    labels = {}
    for h in horizons:
        joined = feats.select("ts").join(
            forward_log_returns(bars, h), on="ts", how="left", maintain_order="left"
        )
        labels[h] = joined["target"].fill_null(np.nan).to_numpy().astype(np.float64)
    vol = cf.vol_asof(ts, bars["ts"].to_numpy(), cf.rolling_vol(bars["close"].to_numpy()))
    return ts, feature_matrix(feats), labels, vol


@dataclass
class Evaluation:
    """Everything the report and ``--json`` show (``to_json``) plus the series behind them."""

    coin: str
    timeframe: str
    algorithm: Algorithm
    level: float
    folds: int
    horizons: dict[str, dict[str, Any]]
    strategy: dict[str, float | int]
    buy_and_hold: dict[str, float | int]
    cost_frac: float
    spread_source: str
    start: int
    end: int
    skipped: dict[str, str]
    runs: dict[str, HorizonRun] = field(default_factory=dict, repr=False)
    equity_ts: npt.NDArray[np.int64] = field(
        default_factory=lambda: np.empty(0, np.int64), repr=False
    )
    equity_strategy: FloatArray = field(default_factory=lambda: np.empty(0), repr=False)
    equity_hold: FloatArray = field(default_factory=lambda: np.empty(0), repr=False)

    def to_json(self) -> dict[str, Any]:
        from finbot.clock import iso_utc

        return {
            "coin": self.coin,
            "timeframe": self.timeframe,
            "algorithm": self.algorithm,
            "level": self.level,
            "folds": self.folds,
            "horizons": self.horizons,
            "strategy": self.strategy,
            "buy_and_hold": self.buy_and_hold,
            "cost_frac": self.cost_frac,
            "spread_source": self.spread_source,
            "start": iso_utc(self.start),
            "end": iso_utc(self.end),
            "skipped": self.skipped,
        }


@dataclass(frozen=True)
class DecisionInputs:
    """The typed settings the backtested decision engine needs."""

    costs: Costs
    thresholds: Thresholds
    weights: dict[str, float]


def _signals(
    runs: dict[str, HorizonRun],
    i: int,
    level: float,
    cost_frac: float,
    hourly_vol: float | None,
    inputs: DecisionInputs,
) -> list[HorizonSignal]:
    from finbot.prediction.decision import HorizonSignal, horizon_thresholds

    out = []
    for h, run in runs.items():
        p, w, ratio = float(run.pred[i]), float(run.half_width[i]), float(run.mae_ratio_cal[i])
        vr = float(run.vol_ratio[i])
        score = cf.confidence_score(
            pred=p,
            half_width=w,
            level=level,
            mae_ratio=ratio,
            vol_ratio=vr if math.isfinite(vr) else None,
        ).score
        th = horizon_thresholds(inputs.thresholds, h, cost_frac, hourly_vol)
        out.append(
            HorizonSignal(h, p, p - w, p + w, score, ratio, ratio < 1.0, float(run.mae_cal[i]), th)
        )
    return out


def strategy_positions(
    runs: dict[str, HorizonRun],
    hourly_vol: FloatArray,
    level: float,
    cost_frac: float,
    inputs: DecisionInputs,
) -> FloatArray:
    """Long-only positions from the decision engine: BUY → 1, SELL → 0, HOLD → unchanged."""
    from finbot.prediction.decision import decide

    n = next(iter(runs.values())).ts.size
    positions = np.zeros(n)
    current = 0.0
    reference = inputs.thresholds.decision.reference_volatility_pct / 100.0
    for i in range(n):
        vol = float(hourly_vol[i]) if math.isfinite(hourly_vol[i]) else None
        action = decide(
            "backtest",
            _signals(runs, i, level, cost_frac, vol, inputs),
            weights=inputs.weights,
            reference_vol=reference,
            min_confidence=inputs.thresholds.decision.min_confidence,
        ).action
        current = {Action.BUY: 1.0, Action.SELL: 0.0}.get(action, current)
        positions[i] = current
    return positions


def _usable_horizons(horizons: list[str], timeframe: str) -> tuple[list[str], dict[str, str]]:
    step = duration_ms(timeframe, field="timeframe")
    good = [h for h in horizons if duration_ms(h) % step == 0]
    skipped = {h: f"not a whole number of {timeframe} bars" for h in horizons if h not in good}
    if not good:
        raise UsageError(
            f"horizon: expected a multiple of the {timeframe} timeframe, got {horizons}"
        )
    return good, skipped


def _cost(bars: pl.DataFrame, costs: Costs) -> tuple[float, str]:
    from finbot.prediction.decision import estimate_from_bars, resolve_spread, round_trip_cost

    spread = resolve_spread(costs, proxy_frac=lambda: estimate_from_bars(bars).fraction)
    return round_trip_cost(costs, spread).fraction, spread.source


def evaluate(
    bars: pl.DataFrame,
    *,
    coin: str,
    timeframe: str,
    horizons: list[str],
    inputs: DecisionInputs,
    level: float,
    n_folds: int = 5,
    algorithm: Algorithm = Algorithm.LIGHTGBM,
    seed: int = 0,
    rolling_rows: int | None = None,
) -> Evaluation:
    """Walk-forward evaluation of ``algorithm`` on ``bars`` (canonical, sorted) per horizon."""
    usable, skipped = _usable_horizons(horizons, timeframe)
    ts, x, labels, vol = dataset(bars, usable)
    runs: dict[str, HorizonRun] = {}
    metrics: dict[str, dict[str, Any]] = {}
    step = duration_ms(timeframe, field="timeframe")
    for h in usable:
        try:
            runs[h] = run_horizon(
                h,
                ts,
                x,
                labels[h],
                vol,
                algorithm=algorithm,
                n_folds=n_folds,
                level=level,
                seed=seed,
                rolling_rows=rolling_rows,
            )
        except DataError as exc:
            skipped[h] = str(exc)
            continue
        metrics[h] = runs[h].metrics(level, duration_ms(h) // step)
    if not runs:
        raise DataError(f"evaluation: no horizon could be evaluated ({skipped})")
    cost_frac, source = _cost(bars, inputs.costs)
    first = next(iter(runs.values()))
    test_rows = np.searchsorted(ts, first.ts)
    hourly = vol[test_rows] * math.sqrt(HOUR_MS / step)
    positions = strategy_positions(runs, hourly, level, cost_frac, inputs)
    next_ret = dataset_next_returns(bars, timeframe, first.ts)
    net, strat = backtest(positions, next_ret, cost_frac, timeframe)
    hold_net, hold = backtest(np.ones_like(positions), next_ret, cost_frac, timeframe)
    return Evaluation(
        coin,
        timeframe,
        algorithm,
        level,
        n_folds,
        metrics,
        strat,
        hold,
        cost_frac,
        source,
        int(first.ts[0]),
        int(first.ts[-1]),
        skipped,
        runs,
        first.ts,
        np.cumprod(1 + net).astype(np.float64),
        np.cumprod(1 + hold_net).astype(np.float64),
    )


def dataset_next_returns(
    bars: pl.DataFrame, timeframe: str, ts: npt.NDArray[np.int64]
) -> FloatArray:
    """Log return from each bar's close to the next bar's close (0 where the next is missing)."""
    from finbot.prediction.features import forward_log_returns

    nxt = forward_log_returns(bars, timeframe)
    joined = pl.DataFrame({"ts": ts}).join(nxt, on="ts", how="left", maintain_order="left")
    values = joined["target"].fill_null(0.0).to_numpy().astype(np.float64)
    return np.asarray(np.nan_to_num(values), dtype=np.float64)
