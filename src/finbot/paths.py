"""Where a finbot home keeps things. Two homes are two independent bots."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

HOME_ENV = "FINBOT_HOME"


@dataclass(frozen=True)
class Paths:
    home: Path

    @classmethod
    def resolve(cls, home: str | Path | None = None) -> Paths:
        """``--home`` beats ``$FINBOT_HOME`` beats ``./data``."""
        chosen = home or os.environ.get(HOME_ENV) or "data"
        return cls(Path(chosen).expanduser().resolve())

    @property
    def config_dir(self) -> Path:
        return self.home / "config"

    @property
    def secrets_file(self) -> Path:
        return self.home / "config" / "secrets.json"

    @property
    def parquet_dir(self) -> Path:
        return self.home / "parquet"

    @property
    def quarantine_dir(self) -> Path:
        return self.home / "quarantine"

    @property
    def models_dir(self) -> Path:
        return self.home / "models"

    @property
    def logs_dir(self) -> Path:
        return self.home / "logs"

    @property
    def reports_dir(self) -> Path:
        return self.home / "reports"

    @property
    def cache_dir(self) -> Path:
        return self.home / "cache"

    @property
    def run_dir(self) -> Path:
        return self.home / "run"

    @property
    def pid_file(self) -> Path:
        return self.run_dir / "finbot.pid"

    @property
    def lock_file(self) -> Path:
        return self.run_dir / "finbot.lock"

    @property
    def db_file(self) -> Path:
        return self.home / "finbot.db"

    @property
    def db_url(self) -> str:
        """``$FINBOT_DB_URL`` (e.g. a PostgreSQL URL) or the home's SQLite file."""
        return os.environ.get("FINBOT_DB_URL") or f"sqlite:///{self.db_file}"

    def ensure(self) -> Paths:
        for folder in (
            self.config_dir,
            self.parquet_dir,
            self.models_dir,
            self.logs_dir,
            self.reports_dir,
            self.cache_dir,
            self.run_dir,
        ):
            folder.mkdir(parents=True, exist_ok=True)
        return self
