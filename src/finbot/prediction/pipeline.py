"""Live prediction: recent bars → features → the right model → a predicted return and price.

Public API (stable): ``predict(coin, horizon, *, store, bar_store, bars=None, refresh=None,
clock=None, timeframe=None, indicators=NUMPY_INDICATORS) -> Prediction``;
``default_timeframe(horizon)``; ``Prediction`` (``to_dict()`` for JSON; ``calibration()`` /
``residuals()`` give the chosen model's out-of-sample test-window errors for conformal
intervals).

* Only the tail of the stored bars is read (``TAIL_BARS``: enough for the indicators'
  warm-up to converge), and the LATEST complete bar's features are used (the original used
  rows ``horizon`` steps old). A bar still open at ``clock.now()`` is not used.
* The model is the stacking master when it beat its sub-models and the baseline, else the
  latest model of the horizon's default timeframe (10m → 5m, others → 1h).
* Pass one ``ModelStore`` and one ``BarStore`` across calls (the composition root,
  ``finbot.services``, holds them): they cache loaded models and bar tails, so a warm call
  costs a pointer-file read, a short Parquet read and the features of ~600 bars (a few ms).
* A cold ``finbot predict`` imports as little as it can: the indicators come from the numpy
  engine (``indicators=NUMPY_INDICATORS``; TA-Lib's import pulls in pandas where installed)
  and tree models from the store's numpy evaluator (``ModelStore(trees=NUMPY_TREES)``). Both
  give the library's values (tests compare them); ``benchmarks/bench_fast_paths.py`` times
  the cold command with and without them.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import polars as pl

from finbot.clock import Clock, SystemClock, iso_utc, now_ms
from finbot.errors import DataError, ModelError
from finbot.i18n import N_
from finbot.prediction.features import (
    FEATURE_NAMES,
    NUMPY_INDICATORS,
    TAIL_BARS,
    IndicatorEngine,
    build_features,
    cross_tail_bars,
    latest_pooled_row,
    latest_row,
)
from finbot.prediction.models import (
    MASTER,
    POOLED,
    Algorithm,
    MasterPredictor,
    ModelStore,
    StoredModel,
    coin_code,
)
from finbot.timeframes import canonical, default_timeframe, duration_ms

if TYPE_CHECKING:
    from finbot.storage import BarStore

STALE_BARS = 2
Refresh = Callable[[str, str], object]  # (coin, timeframe) -> anything: collect fresh bars


@dataclass(frozen=True)
class Prediction:
    coin: str
    horizon: str
    as_of: int  # open time (UTC ms) of the last bar used
    last_price: float
    predicted_return: float  # log return over the horizon, shrink applied
    predicted_price: float
    model: Algorithm
    model_version: str
    timeframe: str
    mae_ratio: float
    has_edge: bool
    stored: StoredModel = field(repr=False, compare=False)

    def calibration(self) -> pl.DataFrame:
        """The model's test-window predictions (ts, y_true, y_pred), all out of sample."""
        return self.stored.calibration()

    def residuals(self) -> np.ndarray:
        frame = self.calibration()
        return np.asarray(frame["y_true"] - frame["y_pred"])

    def to_dict(self) -> dict[str, Any]:
        return {
            "coin": self.coin,
            "horizon": self.horizon,
            "as_of": iso_utc(self.as_of),
            "last_price": self.last_price,
            "predicted_price": self.predicted_price,
            "predicted_return": self.predicted_return,
            "model": self.model,
            "model_version": self.model_version,
            "timeframe": self.timeframe,
            "mae_ratio": self.mae_ratio,
            "has_edge": self.has_edge,
        }


def recent_bars(bar_store: BarStore, coin: str, timeframe: str, n: int = TAIL_BARS) -> pl.DataFrame:
    """The last ``n`` bars (a long-lived ``bar_store`` reuses its tail cache)."""
    return bar_store.read(coin, timeframe, last_n=n)


def complete_bars(bars: pl.DataFrame, timeframe: str, now: int) -> pl.DataFrame:
    """Bars that have closed by ``now`` (an open bar's close is not final yet)."""
    return bars.filter(pl.col("ts") + duration_ms(timeframe, field="timeframe") <= now)


def _fresh_bars(
    coin: str,
    timeframe: str,
    bar_store: BarStore,
    bars: pl.DataFrame | None,
    refresh: Refresh | None,
    now: int,
    tail: int = TAIL_BARS,
) -> pl.DataFrame:
    frame = bars if bars is not None else recent_bars(bar_store, coin, timeframe, tail)
    step = duration_ms(timeframe, field="timeframe")
    stale = frame.is_empty() or now - int(frame["ts"][-1]) > STALE_BARS * step
    if stale and refresh is not None and bars is None:
        refresh(coin, timeframe)
        frame = recent_bars(bar_store, coin, timeframe, tail)
    return complete_bars(frame, timeframe, now)


def tail_bars(model: StoredModel, timeframe: str) -> int:
    """Recent bars a model's live row needs: the indicators' tail, and for a pooled model
    its weekly windows too."""
    if model.algorithm != POOLED:
        return TAIL_BARS
    return max(TAIL_BARS, cross_tail_bars(timeframe))


def choose_model(store: ModelStore, coin: str, horizon: str, timeframe: str) -> StoredModel:
    """The master when it won on its held-out window, else the timeframe's latest model."""
    if store.latest_version(coin, MASTER, horizon):
        master = store.load_latest(coin, MASTER, horizon)
        if master.meta.get("extra", {}).get("master_wins"):
            return master
    return store.load_latest(coin, timeframe, horizon)


def _predict_return(
    model: StoredModel,
    coin: str,
    timeframe: str,
    bar_store: BarStore,
    bars: pl.DataFrame,
    now: int,
    indicators: IndicatorEngine,
) -> tuple[float, int, float]:
    """(log return, as_of, last close) from the latest complete feature row."""
    if model.algorithm == MASTER:
        return predict_master(model, coin, bar_store, bars, now, indicators=indicators)
    if model.algorithm == POOLED:
        return predict_pooled(model, coin, timeframe, bar_store, bars, now, indicators=indicators)
    tail = bars.tail(TAIL_BARS)
    latest = latest_row(tail, engine=indicators)
    if latest is None:
        raise _too_few_bars(coin, timeframe)
    index, row = latest
    as_of, close = int(tail["ts"][index]), float(tail["close"][index])
    return float(model.predict(row)[0]), as_of, close


def predict(
    coin: str,
    horizon: str,
    *,
    store: ModelStore,
    bar_store: BarStore,
    bars: pl.DataFrame | None = None,
    refresh: Refresh | None = None,
    clock: Clock | None = None,
    timeframe: str | None = None,
    indicators: IndicatorEngine = NUMPY_INDICATORS,
) -> Prediction:
    """Predict ``coin``'s log return and price ``horizon`` after its latest complete bar.

    Pass one ``ModelStore`` and one ``BarStore`` across calls: the first caches loaded
    models, the second the tail of the bars (re-read only when a file changed).
    ``indicators`` computes the features of the recent bars.
    """
    horizon = canonical(horizon)
    timeframe = timeframe or default_timeframe(horizon)
    model = choose_model(store, coin, horizon, timeframe)
    now = now_ms(clock or SystemClock())
    tail = tail_bars(model, timeframe)
    frame = _fresh_bars(coin, timeframe, bar_store, bars, refresh, now, tail)
    ret, as_of, close = _predict_return(model, coin, timeframe, bar_store, frame, now, indicators)
    return _prediction(coin, horizon, model, ret, as_of, close)


def _prediction(
    coin: str, horizon: str, model: StoredModel, ret: float, as_of: int, close: float
) -> Prediction:
    """The prediction of ``model``: log return ``ret`` after the bar at ``as_of`` (``close``)."""
    return Prediction(
        coin=coin,
        horizon=horizon,
        as_of=as_of,
        last_price=close,
        predicted_return=ret,
        predicted_price=close * math.exp(ret),
        model=model.algorithm,
        model_version=model.version,
        timeframe=str(model.meta["timeframe"]),
        mae_ratio=float(model.meta.get("mae_ratio", 1.0)),
        has_edge=bool(model.meta.get("has_edge", False)),
        stored=model,
    )


def predict_master(
    model: StoredModel,
    coin: str,
    bar_store: BarStore,
    base_bars: pl.DataFrame,
    now: int,
    *,
    indicators: IndicatorEngine = NUMPY_INDICATORS,
) -> tuple[float, int, float]:
    """(log return, as_of, last close): each timeframe's latest row CLOSED by ``now``."""
    predictor = model.predictor
    if not isinstance(predictor, MasterPredictor):
        raise ModelError(
            N_("{folder}: a master model without its sub-models; retrain it"), folder=model.folder
        )
    rows = {}
    for tf in predictor.subs:
        bars = (
            base_bars
            if tf == predictor.base_tf
            else complete_bars(recent_bars(bar_store, coin, tf, TAIL_BARS), tf, now)
        )
        feats = build_features(bars, engine=indicators)
        if feats.is_empty():
            raise DataError(
                N_("{coin} {tf}: not enough recent bars for the master's features"),
                coin=coin,
                tf=tf,
            )
        rows[tf] = feats.tail(1).select(FEATURE_NAMES).to_numpy()
    last = base_bars.tail(1)
    return predictor.predict_features(rows), int(last["ts"][0]), float(last["close"][0])


def predict_pooled(
    model: StoredModel,
    coin: str,
    timeframe: str,
    bar_store: BarStore,
    bars: pl.DataFrame,
    now: int,
    *,
    indicators: IndicatorEngine = NUMPY_INDICATORS,
) -> tuple[float, int, float]:
    """(log return, as_of, last close) of a pooled model: ``coin``'s latest complete row with
    the cross-asset features of the pool's other coins' stored bars at the same timestamp."""
    extra = model.meta.get("extra", {})
    pool = tuple(str(c) for c in extra.get("pool", ()))
    tail = tail_bars(model, timeframe)
    frames = {  # bars after the coin's own latest one are not aligned: no open bar is used
        other: recent_bars(bar_store, other, timeframe, tail) for other in pool if other != coin
    }
    frames[coin] = bars.tail(tail)
    latest = latest_pooled_row(frames, coin, timeframe, engine=indicators)
    if latest is None:
        raise _too_few_bars(coin, timeframe)
    as_of, close, row = latest
    if extra.get("coin_feature"):
        row = np.column_stack([row, [[coin_code(pool, coin)]]])
    return float(model.predict(row)[0]), as_of, close


def _too_few_bars(coin: str, timeframe: str) -> DataError:
    return DataError(
        N_(
            "{coin} {timeframe}: not enough recent bars to compute features (need more than "
            "{n}); collect data first"
        ),
        coin=coin,
        timeframe=timeframe,
        n=TAIL_BARS // 20,
    )
