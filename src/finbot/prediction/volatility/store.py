"""Saved volatility models of one home: ``<root>/<coin>/vol/<horizon>/<version>/``.

``root`` is the models root the ``ModelStore`` uses; ``vol`` stands where a price model's
timeframe does (the model records its own timeframe). A version folder holds what
``save_volatility`` writes, and no ``meta.json``, so the price model store lists and cleans
none of it. A version is written under a temporary name and renamed when complete; the
``latest`` pointer file is then replaced atomically (temporary file, ``os.replace``), so a
crash never serves a half-written model. The ``keep`` newest versions of a group stay; the one
``latest`` names is never deleted.
"""

from __future__ import annotations

import os
import re
import shutil
import uuid
from datetime import UTC, datetime
from pathlib import Path

from finbot.errors import ModelError, UsageError
from finbot.i18n import N_
from finbot.storage import new_version, remove_stale_temporaries, remove_version, write_atomic
from finbot.timeframes import canonical

from .fitted import FittedVolatility
from .persist import MODEL_FILE, load_volatility, save_volatility

KIND = "vol"
LATEST = "latest"
DEFAULT_KEEP = 3
_COIN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


def _coin(coin: str) -> str:
    if not _COIN.match(coin):
        raise UsageError(
            N_("volatility store: expected a coin id (letters, digits, . _ -), got {coin!r}"),
            coin=coin,
        )
    return coin


class VolatilityStore:
    """Versions of fitted volatility models per coin and horizon. Loaded versions are cached
    per instance (a version folder never changes once written)."""

    def __init__(self, root: Path, *, keep: int = DEFAULT_KEEP) -> None:
        if keep < 1:
            raise UsageError(
                N_("volatility store: keep expected at least 1, got {keep}"), keep=keep
            )
        self.root = Path(root)
        self.keep = keep
        self._cache: dict[tuple[str, str, str], FittedVolatility] = {}

    def group(self, coin: str, horizon: str) -> Path:
        return self.root / _coin(coin) / KIND / canonical(horizon)

    def save(
        self, coin: str, horizon: str, fitted: FittedVolatility, *, when: datetime | None = None
    ) -> str:
        """Write ``fitted`` as the new latest version of ``coin`` × ``horizon``; its name."""
        group = self.group(coin, horizon)
        if fitted.horizon != group.name:
            raise UsageError(
                N_("volatility store: the model is for {horizon}, not {name}"),
                horizon=fitted.horizon,
                name=group.name,
            )
        group.mkdir(parents=True, exist_ok=True)
        version = new_version(group, when or datetime.now(UTC))
        tmp = group / f".tmp-{version}-{uuid.uuid4().hex[:6]}"
        try:
            save_volatility(fitted, tmp)
            os.replace(tmp, group / version)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        write_atomic(group / LATEST, version + "\n")
        self._prune(group, version, (coin, group.name))
        return version

    def versions(self, coin: str, horizon: str) -> list[str]:
        """Complete versions, oldest first."""
        group = self.group(coin, horizon)
        if not group.is_dir():
            return []
        return sorted(
            p.name
            for p in group.iterdir()
            if not p.name.startswith(".") and (p / MODEL_FILE).is_file()
        )

    def latest_version(self, coin: str, horizon: str) -> str | None:
        pointer = self.group(coin, horizon) / LATEST
        try:
            return pointer.read_text(encoding="utf-8").strip() or None
        except FileNotFoundError:
            return None

    def latest(self, coin: str, horizon: str) -> FittedVolatility | None:
        """The latest saved model; None when none was saved."""
        version = self.latest_version(coin, horizon)
        return None if version is None else self.load(coin, horizon, version)

    def load(self, coin: str, horizon: str, version: str) -> FittedVolatility:
        if _COIN.match(version) is None:
            raise ModelError(
                N_("{group}: not a version name: {version!r}"),
                group=self.group(coin, horizon),
                version=version,
            )
        key = (coin, canonical(horizon), version)
        if key not in self._cache:
            self._cache[key] = load_volatility(self.group(coin, horizon) / version)
        return self._cache[key]

    def _prune(self, group: Path, live: str, key: tuple[str, str]) -> None:
        """Versions beyond the ``keep`` newest (never ``live``), and stale temporaries."""
        complete = sorted(
            p.name for p in group.iterdir() if not p.name.startswith(".") and p.is_dir()
        )
        for name in complete[: max(0, len(complete) - self.keep)]:
            if name != live:
                remove_version(group / name)
                self._cache.pop((*key, name), None)
        remove_stale_temporaries(group, datetime.now(UTC))
