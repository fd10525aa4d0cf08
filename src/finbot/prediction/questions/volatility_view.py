"""The live volatility forecast of one coin × horizon, or why there is none.

The saved model (``VolatilityStore.latest``) forecasts from the stored bars it needs
(``FittedVolatility.tail_start`` of the newest bar). No model, no bars or a gap in them is not
an error for an answer: the forecast is then ``None`` and ``note`` says why, and the answer
falls back to what it showed before (its interval, the base rates).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from finbot.errors import FinbotError
from finbot.i18n import N_, Message, error_message

if TYPE_CHECKING:
    from finbot.prediction.volatility import VolatilityForecast, VolatilityStore
    from finbot.storage import BarStore


@dataclass(frozen=True)
class VolView:
    """A forecast, or None and the reason."""

    forecast: VolatilityForecast | None
    note: str = ""


def volatility_view(store: VolatilityStore, bars: BarStore, coin: str, horizon: str) -> VolView:
    """Forecast ``coin`` at ``horizon`` from its latest saved volatility model."""
    from finbot.prediction.volatility import forecast_volatility

    try:
        fitted = store.latest(coin, horizon)
        if fitted is None:
            return VolView(
                None, Message(N_("no volatility model yet (trained with 'finbot train')"))
            )
        last = bars.last_ts(coin, fitted.timeframe)
        if last is None:
            return VolView(
                None, Message(N_("no {timeframe} bars stored"), timeframe=fitted.timeframe)
            )
        frame = bars.read(coin, fitted.timeframe, start_ms=fitted.tail_start(last))
        return VolView(forecast_volatility(fitted, frame))
    except FinbotError as exc:  # an unloadable model or a gap in the bars: say so, carry on
        return VolView(None, error_message(exc))
