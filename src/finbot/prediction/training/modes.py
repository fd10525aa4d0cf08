"""What an incremental training run does (``train-incremental --mode``, the scheduler's jobs).

Kept apart from ``incremental_trainer`` (which imports numpy, polars and the trainer) so the
CLI can name the modes as a Typer choice without loading any of that at start-up.
"""

from __future__ import annotations

from enum import StrEnum


class RetrainMode(StrEnum):
    """An incremental run: a daily micro update, a weekly mini retrain, or the job list."""

    MICRO = "micro"  # daily: refit on the last ``training.micro_window_days``
    MINI = "mini"  # weekly: full retrain on all stored bars
    SCHEDULE = "schedule"  # only list the two scheduler jobs
