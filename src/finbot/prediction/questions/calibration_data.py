"""The chosen model's calibration data as the questions read it (``Sources.calibration``):
its held-out predictions, None when the version was saved without them, a DataError naming
the model when they are there but unreadable or incomplete."""

from __future__ import annotations

from typing import TYPE_CHECKING

from finbot.errors import DataError

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
        raise DataError(_bad_calibration(pred, f"unreadable ({type(exc).__name__})")) from exc
    missing = [c for c in ("y_true", "y_pred") if c not in frame.columns]
    if missing:
        raise DataError(_bad_calibration(pred, f"without column(s) {', '.join(missing)}"))
    return frame


def _bad_calibration(pred: Prediction, what: str) -> str:
    return (
        f"{pred.coin} {pred.horizon}: the calibration data of model {pred.model} "
        f"{pred.model_version} is {what}; retrain it ('finbot train')"
    )
