"""What a user's CSV volume column counts (``import-csv --volume-unit``).

Kept apart from ``csv_import`` (which imports polars) so the CLI can offer the units as a Typer
choice without loading polars at start-up.
"""

from __future__ import annotations

from enum import StrEnum


class VolumeUnit(StrEnum):
    """The unit of a CSV's volume column; the store keeps USD."""

    BASE = "base"  # coins: converted to USD with the bar's close
    QUOTE = "quote"  # already USD
