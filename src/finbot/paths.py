"""Where a finbot home keeps things. Two homes are two independent bots."""

from __future__ import annotations

import os
import re
import uuid
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, quote, urlsplit

from finbot.errors import N_, ConfigError

HOME_ENV = "FINBOT_HOME"
DB_URL_ENV = "FINBOT_DB_URL"
# The query parameter of a database URL naming the PostgreSQL schema a home's tables live in.
# ``db_url`` adds it; ``finbot.storage.engine_for`` removes it, creates the schema and puts it
# on every connection's ``search_path``. A URL that already has one keeps it.
DB_SCHEMA_PARAM = "finbot_schema"
SCHEMA_PREFIX = "finbot_"
_HOME_ID = re.compile(r"[a-z0-9_]{1,50}")
_POSTGRESQL = ("postgresql", "postgres")


def is_postgresql_url(url: str) -> bool:
    """``postgresql://``, ``postgres://`` or ``postgresql+DRIVER://``."""
    scheme = url.split("://", 1)[0] if "://" in url else ""
    return scheme.split("+", 1)[0].lower() in _POSTGRESQL


def url_schema(url: str) -> str | None:
    """The schema a URL names with ``?finbot_schema=``, or None."""
    values = parse_qs(urlsplit(url).query).get(DB_SCHEMA_PARAM)
    return values[-1] if values else None


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
    def home_id_file(self) -> Path:
        return self.home / "home_id"

    @property
    def home_id(self) -> str:
        """The home's stable id, made once (random) and kept in ``home_id``: it names the
        home's PostgreSQL schema, so moving or renaming the home keeps its rows."""
        try:
            text = self.home_id_file.read_text("ascii").strip()
        except FileNotFoundError:
            text = self._create_home_id()
        except UnicodeDecodeError:
            text = "?"
        if not _HOME_ID.fullmatch(text):
            raise ConfigError(
                N_(
                    "{file}: expected the home's id (1 to 50 lowercase letters, digits or _), "
                    "found {found!r}; restore it, or delete the file to start this home with an "
                    "empty PostgreSQL schema"
                ),
                file=str(self.home_id_file),
                found=text[:60],
            )
        return text

    def _create_home_id(self) -> str:
        """Write a fresh id, complete or not at all; when another process writes one at the
        same moment, both use the first."""
        self.home.mkdir(parents=True, exist_ok=True)
        fresh = uuid.uuid4().hex[:12]
        tmp = self.home / f".home_id.{os.getpid()}.{fresh}"
        tmp.write_text(fresh + "\n", "ascii")
        try:
            os.link(tmp, self.home_id_file)  # fails if another process wrote one first
        except FileExistsError:
            return self.home_id_file.read_text("ascii").strip()
        except OSError:  # a filesystem without hard links: exclusive creation instead
            try:
                with open(self.home_id_file, "x", encoding="ascii") as handle:
                    handle.write(fresh + "\n")
            except FileExistsError:
                return self.home_id_file.read_text("ascii").strip()
        finally:
            tmp.unlink()
        return fresh

    @property
    def db_schema(self) -> str:
        """The PostgreSQL schema of this home's tables: ``finbot_<home id>``."""
        return SCHEMA_PREFIX + self.home_id

    @property
    def db_url(self) -> str:
        """``$FINBOT_DB_URL`` or the home's SQLite file. A PostgreSQL URL gets the home's
        schema (``?finbot_schema=finbot_<home id>``), so homes sharing one database never see
        each other's tables; one that names a schema already keeps it."""
        url = os.environ.get(DB_URL_ENV)
        if not url:
            return f"sqlite:///{self.db_file}"
        if not is_postgresql_url(url) or url_schema(url) is not None:
            return url
        joiner = "&" if urlsplit(url).query else ("" if url.endswith("?") else "?")
        return f"{url}{joiner}{DB_SCHEMA_PARAM}={quote(self.db_schema)}"

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
