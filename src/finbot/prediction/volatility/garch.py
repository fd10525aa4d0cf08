"""GARCH(1,1) with zero mean, Gaussian quasi-likelihood, fitted by ``arch`` on the training
returns (in percent, arch's preferred scale).

The variance filter then runs here over the whole grid with the fitted parameters, so a
forecast at ``t`` uses returns up to ``t`` only; a missing return (a gap) advances the filter
by its expectation (``σ²ₜ₊₁ = ω + (α+β)·σ²ₜ``) instead of inventing a value. It starts one
step on from arch's backcast (EWMA, λ = 0.94, of the first 75 squared returns), as arch does,
and matches arch's own conditional variance on a series without gaps. The h-bar forecast sums
the k-step expectations:
``h·v̄ + (σ²ₜ₊₁ − v̄)(1 − φʰ)/(1 − φ)``, ``φ = α + β``, ``v̄ = ω/(1 − φ)``. A fit on the
boundary (``φ = 1``, frequent on hourly crypto returns) is kept as integrated GARCH, whose
forecast is the limit ``h·σ²ₜ₊₁ + ω·h(h − 1)/2``.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import numpy as np

from finbot.errors import DataError
from finbot.i18n import N_

from .dataset import HorizonData
from .grid import BarGrid, FloatArray, IntArray
from .har import Forecaster

SCALE = 100.0  # returns in percent while fitting
BACKCAST_SPAN = 75
BACKCAST_DECAY = 0.94
MAX_EXCESS = 1e-4  # persistence up to 1 + this is the boundary (IGARCH) within solver tolerance
INTEGRATED = 1e-6  # 1 − persistence below this: the integrated (IGARCH) forecast


@dataclass(frozen=True)
class GarchParams:
    omega: float  # in squared log-return units
    alpha: float
    beta: float

    @property
    def persistence(self) -> float:
        return self.alpha + self.beta


def fit_garch_params(returns: FloatArray) -> GarchParams:
    """QMLE of GARCH(1,1) on the finite ``returns`` (log, per bar)."""
    from arch import arch_model

    x = returns[np.isfinite(returns)] * SCALE
    if x.size < 100:
        raise DataError(N_("GARCH: need at least 100 returns, got {size}"), size=x.size)
    model = arch_model(x, mean="Zero", vol="GARCH", p=1, q=1, dist="normal", rescale=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # convergence is checked below, not warned about
        result = model.fit(disp="off", show_warning=False)
    p = result.params
    params = GarchParams(float(p["omega"]) / SCALE**2, float(p["alpha[1]"]), float(p["beta[1]"]))
    if result.convergence_flag != 0 or not 0.0 <= params.persistence <= 1.0 + MAX_EXCESS:
        raise DataError(
            N_("GARCH: no fit (flag {convergence_flag}, {params})"),
            convergence_flag=result.convergence_flag,
            params=params,
        )
    if params.persistence > 1.0:  # on the boundary up to solver tolerance: integrated GARCH
        params = GarchParams(params.omega, params.alpha, 1.0 - params.alpha)
    return params


def backcast(returns: FloatArray) -> float:
    x = returns[np.isfinite(returns)][:BACKCAST_SPAN]
    weights = BACKCAST_DECAY ** np.arange(x.size)
    return float(np.sum(weights * x**2) / np.sum(weights))


def conditional_variance(returns: FloatArray, params: GarchParams, start: float) -> FloatArray:
    """``σ²`` of each return given the ones before it (NaN before the first finite return)."""
    n = returns.size
    out = np.full(n + 1, np.nan)
    finite = np.flatnonzero(np.isfinite(returns))
    if finite.size == 0:
        return out[:n]
    first = int(finite[0])
    w, a, b = params.omega, params.alpha, params.beta
    out[first] = w + (a + b) * start  # arch's convention: one step on from the backcast
    for t in range(first, n):
        r = returns[t]
        shock = out[t] if np.isnan(r) else r * r
        out[t + 1] = w + a * shock + b * out[t]
    return out


def horizon_variance(next_var: FloatArray, params: GarchParams, h: int) -> FloatArray:
    phi = params.persistence
    if 1.0 - phi < INTEGRATED:  # the limit φ → 1: variance grows by ω per step
        return h * next_var + params.omega * h * (h - 1) / 2.0
    long_run = params.omega / (1.0 - phi)
    return h * long_run + (next_var - long_run) * (1.0 - phi**h) / (1.0 - phi)


def fit_garch(data: HorizonData, rows: IntArray, seed: int = 0) -> Forecaster:
    """Fit on the returns up to the last training row; forecast any slot from its past."""
    del seed
    returns = data.grid.log_return
    params = fit_garch_params(returns[: int(rows.max()) + 1])
    sigma2 = conditional_variance(returns, params, backcast(returns))

    def forecast(slots: IntArray) -> FloatArray:
        return horizon_variance(sigma2[slots + 1], params, data.h)

    return forecast


@dataclass(frozen=True)
class GarchState:
    """A fitted GARCH(1,1) and where its filter stands: ``next_variance`` is ``σ²`` of the
    return after the bar opened at ``anchor_ts`` (the last bar it was fitted with)."""

    params: GarchParams
    anchor_ts: int
    next_variance: float

    @property
    def name(self) -> str:
        return "garch"

    def predict(self, data: HorizonData, slots: IntArray) -> FloatArray:
        """Variance over the next ``data.h`` bars from each of ``slots`` (NaN before the
        anchor): the filter runs on from the anchor over ``data.grid``'s returns."""
        return horizon_variance(filter_from(self, data.grid)[slots + 1], self.params, data.h)


def filter_from(state: GarchState, grid: BarGrid) -> FloatArray:
    """``σ²`` of each return of ``grid`` given the ones before it, from the anchor on (NaN
    before it). Slots between the anchor and the grid's first bar are gaps: crossed by their
    expectation, as a gap inside the grid is."""
    n = grid.size
    anchor = (state.anchor_ts - int(grid.ts[0])) // grid.step_ms
    if anchor >= n:
        raise DataError(
            N_("GARCH: the bars end at {end}, before the model's state at {anchor_ts}"),
            end=int(grid.ts[-1]),
            anchor_ts=state.anchor_ts,
        )
    out = np.full(n + 1, np.nan)
    returns = grid.log_return.tolist()
    w, a, b = state.params.omega, state.params.alpha, state.params.beta
    var = state.next_variance
    if anchor + 1 >= 0:
        out[anchor + 1] = var
    for t in range(anchor + 1, n):
        r = returns[t] if t >= 0 else math.nan
        shock = var if math.isnan(r) else r * r
        var = w + a * shock + b * var
        if t >= -1:
            out[t + 1] = var
    return out


def fit_garch_state(data: HorizonData, rows: IntArray, seed: int = 0) -> GarchState:
    """Fit as ``fit_garch`` does; keep the filter's state after the grid's last bar."""
    del seed
    returns = data.grid.log_return
    params = fit_garch_params(returns[: int(rows.max()) + 1])
    sigma2 = conditional_variance(returns, params, backcast(returns))
    return GarchState(params, int(data.grid.ts[-1]), float(sigma2[-1]))
