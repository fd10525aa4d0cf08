"""Read bars → train → keep: the one path from stored bars to a saved model version.

``train_from_store`` reads a series from the bar store, trains it (``trainer.train``) and hands
the report to ``keep``: ``save_latest`` (the new latest version: ``finbot train``, the fan-out)
or the incremental trainer's ``decide`` (accepted only when not worse than the current one).
With ``volatility``, the same bars also fit and save the coin × horizon volatility model
(``volatility_fit``; its summary, or its error, in ``Trained.volatility``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from finbot.errors import DataError
from finbot.i18n import N_
from finbot.prediction.training.trainer import Progress, TrainReport, train
from finbot.prediction.training.volatility_fit import VolatilityTraining, fit_and_save

if TYPE_CHECKING:
    import polars as pl

    from finbot.prediction.models import ModelStore
    from finbot.storage import BarStore

#: Saves a report in the store and says what it did (at least the ``version`` written).
Keep = Callable[["ModelStore", TrainReport, "pl.DataFrame"], dict[str, Any]]


def save_latest(models: ModelStore, report: TrainReport, _bars: pl.DataFrame) -> dict[str, Any]:
    """Save ``report`` as the new latest version of its group."""
    return {"version": models.save(report)}


@dataclass(frozen=True)
class Trained:
    """A training run from stored bars: its report and what keeping it did."""

    report: TrainReport
    kept: dict[str, Any]
    volatility: dict[str, Any] | None = None  # fit_and_save's summary, when one was fitted

    @property
    def version(self) -> str:
        return str(self.kept["version"])


def train_from_store(
    bars: BarStore,
    models: ModelStore,
    coin: str,
    timeframe: str,
    horizon: str,
    *,
    algorithms: Sequence[str],
    test_fraction: float,
    seed: int = 0,
    start_ms: int | None = None,
    progress: Progress | None = None,
    keep: Keep = save_latest,
    volatility: VolatilityTraining | None = None,
) -> Trained:
    """Train ``coin``'s ``timeframe`` bars (from ``start_ms`` when given) for ``horizon`` and
    keep the result; a FinbotError (no data, too few rows) propagates to the caller."""
    frame = bars.read(coin, timeframe, start_ms=start_ms)
    if frame.is_empty():
        raise DataError(
            N_(
                "{coin} {timeframe}: no bars stored; fill them with 'finbot collect-historical "
                "--coins {coin}'"
            ),
            coin=coin,
            timeframe=timeframe,
        )
    report = train(
        coin,
        timeframe,
        horizon,
        frame,
        algorithms=tuple(algorithms),
        test_fraction=test_fraction,
        seed=seed,
        progress=progress,
    )
    kept = keep(models, report, frame)
    vol = None if volatility is None else fit_and_save(volatility, frame, coin, timeframe, horizon)
    return Trained(report, kept, vol)
