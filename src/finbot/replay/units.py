"""What the replay server's CSV files' volume column counts (``replay-server --volume-unit``).

Kept apart from ``csv_source`` (which imports polars) so the CLI can offer the units as a Typer
choice without loading polars at start-up.
"""

from __future__ import annotations

from enum import StrEnum


class ReplayVolumeUnit(StrEnum):
    """The unit of the CSV files' volume column; the replayed bars carry USD."""

    AUTO = "auto"  # the folder manifest's unit, else base
    USD = "usd"
    BASE = "base"  # coins, as exchange exports report it: converted as volume x close
