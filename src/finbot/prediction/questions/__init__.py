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
    horizons_by_length,
)
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
    "IntervalJson",
    "Opportunity",
    "PriceJson",
    "ScanJson",
    "Sources",
    "WhenAnswer",
    "VolView",
    "WhenJson",
    "amount",
    "assess",
    "bar_timeframe",
    "best",
    "coin_decision",
    "horizons_by_length",
    "opportunity",
    "price_json",
    "to_record",
    "volatility_view",
    "when",
]
