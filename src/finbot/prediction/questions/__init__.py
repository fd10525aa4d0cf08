"""The user's four questions (the original bot's menu), each a library function.

* ``price``: coin, horizon → predicted price, change, calibrated interval, confidence, decision
  (``assessment``, its JSON view in ``price_view``).
* ``amount``: "X EUR in coin C for horizon H" → value at the horizon and net profit in EUR after
  fees, spread, slippage and the EUR/USD rate, against the coin's target (``targets.json``)
  (``amount_question``).
* ``when``: "when does C gain X %?" → the first configured horizon whose predicted return AND
  whole interval (its lower bound) reach +X %, else ``None`` ("not within 12 h")
  (``when_question``).
* ``best``: top 3 buy-side and top 3 sell-side opportunities across coins × horizons, ranked by
  expected net return per hour after costs (actual BUY/SELL decisions first) (``ranking``).

Everything the questions need from the rest of finbot comes through ``Sources`` (the model
pipeline, calibration data, bars, spread, FX, live accuracy), so tests pass fakes. Every name
is importable from here; the submodules import one another directly, never this package.
"""

from finbot.prediction.questions.amount_question import AmountAnswer, amount
from finbot.prediction.questions.assessment import (
    Assessment,
    Sources,
    assess,
    bar_timeframe,
)
from finbot.prediction.questions.calibration_data import read_calibration
from finbot.prediction.questions.freshness import (
    Freshness,
    FreshnessSource,
    PricePoint,
    age_text,
    freshness_of,
    latest_price,
)
from finbot.prediction.questions.horizons import check_horizon, configured_horizons
from finbot.prediction.questions.price_view import (
    PRICE_JSON_KEYS,
    AmountJson,
    IntervalJson,
    PriceJson,
    price_json,
)
from finbot.prediction.questions.ranking import Opportunity, best, coin_decision, opportunity
from finbot.prediction.questions.tracker_record import to_record
from finbot.prediction.questions.volatility_view import VolView, volatility_view
from finbot.prediction.questions.when_question import ScanJson, WhenAnswer, WhenJson, when

__all__ = [
    "PRICE_JSON_KEYS",
    "AmountAnswer",
    "AmountJson",
    "Assessment",
    "Freshness",
    "FreshnessSource",
    "IntervalJson",
    "Opportunity",
    "PriceJson",
    "PricePoint",
    "ScanJson",
    "Sources",
    "WhenAnswer",
    "VolView",
    "WhenJson",
    "age_text",
    "amount",
    "assess",
    "bar_timeframe",
    "best",
    "check_horizon",
    "coin_decision",
    "configured_horizons",
    "freshness_of",
    "latest_price",
    "opportunity",
    "price_json",
    "read_calibration",
    "to_record",
    "volatility_view",
    "when",
]
