"""Bar files brought to the current schema version, once per store.

Version 2 stores ``ts`` as a Parquet TIMESTAMP(ms, UTC) instead of a BIGINT of epoch
milliseconds (``finbot.schema``). ``migrate_bar_files`` rewrites every older month file of a
bar store in place: under its partition lock, read, checked to convert without losing a row
or changing a time, written through the atomic temp + fsync + rename path, so a crash leaves
the old file or the new one, never half of one. A marker file (``_schema_version``) records
that the store is current, so later processes only read one small file.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Protocol

from finbot.errors import DataError
from finbot.i18n import N_, Message, failure_line
from finbot.schema import SCHEMA_VERSION, conform, to_file
from finbot.storage import files
from finbot.storage.versions import write_atomic

log = logging.getLogger(__name__)
MARKER = "_schema_version"
META_VERSION = "finbot.schema_version"


class MigratableStore(Protocol):
    root: Path
    files: files.FileSet


def _version(metadata: dict[str, str]) -> int:
    try:
        return int(metadata.get(META_VERSION, "1"))
    except ValueError:
        return 1


def _migrate_file(store: MigratableStore, path: Path) -> int:
    """Rewrite one month file in the current schema; rows rewritten (0 when already current)."""
    with store.files.lock(path):
        metadata = files.read_metadata(path)
        if _version(metadata) >= SCHEMA_VERSION:
            return 0
        old = files.read_file(path)
        new = to_file(conform(old))
        if new.height != old.height or conform(new)["ts"].to_list() != old["ts"].to_list():
            raise DataError(
                N_("storage: {path}: migration would change its rows; left as it is"),
                path=str(path),
            )
        files.atomic_write(path, new, metadata | {META_VERSION: str(SCHEMA_VERSION)})
        return new.height


def migrate_bar_files(store: MigratableStore) -> int:
    """Bring every bar file of ``store`` to ``SCHEMA_VERSION``; returns the files rewritten.

    A damaged file is left for ``verify`` (which quarantines it); the others are migrated."""
    marker = store.root / MARKER
    if marker.is_file() and marker.read_text(encoding="utf-8").strip() == str(SCHEMA_VERSION):
        return 0
    migrated = 0
    for path in sorted(store.root.glob(f"timeframe=*/coin=*/year=*/month=*/{files.PART_FILE}")):
        try:
            migrated += bool(_migrate_file(store, path))
        except (DataError, OSError) as exc:  # damaged (verify's business), read-only, full
            line = Message(
                N_("storage: {path} not migrated to schema version {version}: {error}"),
                path=str(path),
                version=SCHEMA_VERSION,
                error=failure_line(exc),
            )
            log.error("%s", line)
            return migrated  # tried again next time: the marker is not written
    try:
        store.root.mkdir(parents=True, exist_ok=True)
        write_atomic(marker, f"{SCHEMA_VERSION}\n")
    except OSError as exc:  # a read-only store still reads: both versions are readable
        line = Message(
            N_("storage: could not write {path} ({error})"),
            path=str(marker),
            error=failure_line(exc),
        )
        log.warning("%s", line)
    if migrated:
        line = Message(
            N_("storage: {n} bar file(s) migrated to schema version {version}"),
            n=migrated,
            version=SCHEMA_VERSION,
        )
        log.info("%s", line)
    return migrated
