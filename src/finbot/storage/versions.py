"""Versioned folders on disk, shared by every store of fitted models: version names, atomic
pointer writes, removal of a version, and the temporaries a writer killed mid-save left behind.
"""

from __future__ import annotations

import os
import shutil
import uuid
from datetime import UTC, datetime
from pathlib import Path

STALE_TMP_S = 3600  # a temporary left this long ago belongs to a writer that died


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` beside ``path``, fsync, and rename it over ``path``: readers see old or
    new, and a crash leaves no partial file (the temporary is removed on failure)."""
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    try:
        with open(tmp, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def new_version(group: Path, when: datetime) -> str:
    """The name of a new version trained at ``when``: its UTC time, suffixed ``-2``, ``-3``...
    while that name is taken in ``group``."""
    base = when.astimezone(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    version, n = base, 1
    while (group / version).exists():
        n += 1
        version = f"{base}-{n}"
    return version


def remove_version(folder: Path) -> None:
    """Rename the version out of sight, then delete it: a kill midway leaves a temporary."""
    doomed = folder.with_name(f".tmp-deleted-{folder.name}-{uuid.uuid4().hex[:6]}")
    os.replace(folder, doomed)
    shutil.rmtree(doomed, ignore_errors=True)  # what is left stays hidden, swept later


def remove_stale_temporaries(group: Path, now: datetime) -> None:
    """Half-written versions (``.tmp-*`` folders) and pointer files (``.latest.*.tmp``) that a
    writer killed mid-save left behind, once older than STALE_TMP_S (a save takes seconds)."""
    cutoff = now.timestamp() - STALE_TMP_S
    for entry in group.glob(".*tmp*"):
        try:
            if entry.stat().st_mtime >= cutoff:
                continue
        except FileNotFoundError:
            continue
        if entry.is_dir():
            shutil.rmtree(entry, ignore_errors=True)
        else:
            entry.unlink(missing_ok=True)
