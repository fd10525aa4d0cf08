"""Volatility: realised-variance forecasts scored against their naive baselines (QLIKE), the
conformal intervals and the touch and direction probabilities built on them, each shown only
where it measured skill out of sample (README, "Volatility, ranges and touch probabilities").

Flow: ``bar_grid`` (bars on their time grid, gaps as NaN) → ``horizon_data`` (features from the
past only, outcomes of the next ``h`` bars, naive forecasts) → ``walk_forward`` (purged folds,
each candidate fitted on training, the best calibration-block QLIKE chosen) →
``evaluate_horizon``/``horizon_metrics`` (pooled test figures) or ``fit_volatility`` (the live
model and its ``Skill``).

Live use: ``fit_volatility(...).fitted`` is a ``FittedVolatility`` (the chosen candidate's
parameters, the conformal quantiles, the calibration maps, the skill); ``save_volatility`` /
``load_volatility`` write and read it as plain JSON (+ LightGBM text for the boosted model), and
``VolatilityStore`` keeps its versions under ``<models>/<coin>/vol/<horizon>/``.
``forecast_volatility(fitted, bars)`` then forecasts from the latest bar in about a millisecond,
reading only the last ``fitted.tail_bars`` bars (``VOL_TAIL_BARS`` = 169 on hourly bars).

Choices fixed by the literature or by rule: HAR windows 1/24/168 bars, two daily harmonics,
GARCH(1,1) Gaussian QMLE, LightGBM's conservative defaults, touch levels 0.5/1/2 % x sqrt(hours),
a 1 bp-a-bar variance floor. Choices made from the shared 2024 hourly data (BTC, ETH, SOL, XRP,
DOGE): the range HAR candidate, smearing instead of the log-normal back-transform, Platt
instead of isotonic recalibration, integrated GARCH kept for boundary fits.

The public face is ``__init__.pyi``; names load on first use, so importing one costs only its
module.
"""

import lazy_loader as _lazy

__getattr__, __dir__, __all__ = _lazy.attach_stub(__name__, __file__)
