"""Tables that fit an 80-column terminal and print whole in a pipe.

Every table finbot prints is built here: a light frame (a rule under the header, no side
borders), one space between columns, and cells that fold onto a second line rather than being
cut (no ``…``). Commands choose their columns and short forms (``BTC``, ``12-01 08:00``) so
that the table fits; folding is the last resort, never an ellipsis.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich import box
from rich.table import Table

RIGHT = ">"  # a header starting with this marker is right-aligned (numbers); the marker is dropped


def compact_table(title: str | None, headers: Sequence[str], caption: str | None = None) -> Table:
    """An empty table with ``headers`` (``">MAE"`` right-aligns a numeric column)."""
    table = Table(
        title=title,
        caption=caption,
        box=box.SIMPLE_HEAD,
        show_edge=False,
        pad_edge=False,
        padding=(0, 1, 0, 0),
        title_justify="left",
        caption_justify="left",
    )
    for header in headers:
        right = header.startswith(RIGHT)
        table.add_column(
            header.removeprefix(RIGHT),
            justify="right" if right else "left",
            overflow="fold",
        )
    return table
