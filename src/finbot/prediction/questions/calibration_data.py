"""The chosen model's calibration data as the questions read it (``Sources.calibration``):
its held-out predictions, None when the version was saved without them, a DataError naming
the model when they are there but unreadable or incomplete."""

from __future__ import annotations

from typing import TYPE_CHECKING

from finbot.errors import DataError
from finbot.i18n import N_, Message

if TYPE_CHECKING:
    import polars as pl

    from finbot.prediction.pipeline import Prediction


def read_calibration(pred: Prediction) -> pl.DataFrame | None:
    """The chosen model's held-out predictions (ts, y_true, y_pred). None when its version was
    saved without them (the answer then says which interval it used instead); DataError when
    they are there but unreadable."""
    import polars as pl

    try:
        frame = pred.calibration()
    except FileNotFoundError:
        return None
    except (pl.exceptions.PolarsError, OSError) as exc:
        raise DataError(
            _bad_calibration(pred, Message(N_("unreadable ({kind})"), kind=type(exc).__name__))
        ) from exc
    missing = [c for c in ("y_true", "y_pred") if c not in frame.columns]
    if missing:
        what = Message(N_("without column(s) {columns}"), columns=", ".join(missing))
        raise DataError(_bad_calibration(pred, what))
    return frame


def _bad_calibration(pred: Prediction, what: Message) -> Message:
    return Message(
        N_(
            "{coin} {horizon}: the calibration data of model {model} {version} is {what}; "
            "retrain it ('finbot train')"
        ),
        coin=pred.coin,
        horizon=pred.horizon,
        model=pred.model,
        version=pred.model_version,
        what=what,
    )
