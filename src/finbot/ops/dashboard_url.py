"""Where the dashboard of a home is served: ``run/dashboard.json``, written by the process that
serves it (``finbot dashboard`` or the bot) and read by ``status``."""

from __future__ import annotations

import json
import os
from pathlib import Path

from finbot.paths import Paths


def url_file(paths: Paths) -> Path:
    return paths.run_dir / "dashboard.json"


def write_url(paths: Paths, url: str, *, loopback: bool) -> None:
    from finbot.storage import write_atomic

    target = url_file(paths)
    target.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(target, json.dumps({"url": url, "pid": os.getpid(), "loopback": loopback}))


def clear_url(paths: Paths) -> None:
    url_file(paths).unlink(missing_ok=True)


def read_url(paths: Paths) -> str | None:
    """The URL of the dashboard a live process serves for this home, else None."""
    from finbot.ops.process import pid_alive

    try:
        data = json.loads(url_file(paths).read_text(encoding="utf-8"))
        url, pid = str(data["url"]), int(data["pid"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return url if pid_alive(pid) else None
