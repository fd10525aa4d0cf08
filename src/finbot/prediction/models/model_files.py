"""The files of a model group on disk: a version folder's file names and the ``latest``
pointer. The version-folder mechanics (names, atomic writes, removal, stale temporaries) are
storage's (``finbot.storage.versions``); ``ModelStore`` (``model_store.py``) uses both."""

from __future__ import annotations

from finbot.storage import (
    STALE_TMP_S,
    new_version,
    remove_stale_temporaries,
    remove_version,
    write_atomic,
)

LATEST = "latest"
META = "meta.json"
CALIBRATION = "calibration.parquet"

__all__ = [
    "CALIBRATION",
    "LATEST",
    "META",
    "STALE_TMP_S",
    "new_version",
    "remove_stale_temporaries",
    "remove_version",
    "write_atomic",
]
