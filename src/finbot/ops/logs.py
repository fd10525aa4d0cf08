"""Logging for the whole bot: JSON lines in a size-rotated file, readable lines on stderr.

The file (``$FINBOT_HOME/logs/finbot.log``) is for machines and post-mortems: one JSON object
per line with ``timestamp`` (ISO 8601 UTC), ``level``, ``logger``, ``event``, every extra field
passed with ``logger.info("...", extra={...})`` and, for errors, the traceback. The console is
for people (Rich, stderr, INFO or DEBUG with ``-v``; third-party libraries only from WARNING
up). A filter masks API keys in every record,
whatever the code that logged it forgot to do.
"""

from __future__ import annotations

import json
import logging
import os
import re
import traceback
from collections.abc import Iterable
from datetime import UTC, datetime
from logging.handlers import RotatingFileHandler
from typing import Any

from finbot.errors import N_
from finbot.paths import Paths

LOG_FILE = "finbot.log"
MAX_BYTES = 5 * 1024 * 1024
BACKUP_COUNT = 5
DAEMON_ENV = "FINBOT_DAEMON"  # set for the background bot: its stderr is a file, not a person
_MARK = "_finbot_handler"
#: Libraries whose INFO and DEBUG lines ("Using categorical units ...", "generated new
#: fontManager") mean nothing to a person: the console shows their warnings and errors only (the
#: file keeps whatever the level lets through).
THIRD_PARTY = (
    "matplotlib",
    "PIL",
    "fontTools",
    "urllib3",
    "asyncio",
    "httpx",
    "httpcore",
    "filelock",
    "numexpr",
    "h5py",
    "git",
    "charset_normalizer",
)
# Attributes every LogRecord has; anything else on a record came from ``extra=``.
_STANDARD = set(logging.LogRecord("", 0, "", 0, "", None, None).__dict__) | {"message", "asctime"}
# Things that look like keys even when nobody registered them: CoinGecko keys, key parameters.
_KEY_PATTERNS = (
    re.compile(r"\bCG-[A-Za-z0-9]{8,}"),
    re.compile(r"(?i)(x[-_]cg[-_](?:demo|pro)[-_]api[-_]key[\"']?\s*[=:]\s*[\"']?)[^&\s\"',}]+"),
    re.compile(r"(?i)(api[-_]?key[\"']?\s*[=:]\s*[\"']?)[^&\s\"',}]+"),
)


def _masked(key: str) -> str:
    return "****" + key[-4:] if len(key) >= 12 else "****"


def _parts(record: logging.LogRecord) -> tuple[object, ...]:
    return (record.msg, *(record.args if isinstance(record.args, tuple) else ()))


def _translatable(record: logging.LogRecord) -> bool:
    """Whether ``record`` holds ``finbot.i18n.Message`` lines (shown translated on the
    console by ``LanguageFormatter``)."""
    return any(hasattr(part, "in_language") for part in _parts(record))


class SecretMaskFilter(logging.Filter):
    """Replaces known secrets and key-looking strings in a record's message and fields."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        self.secrets = tuple(sorted({s for s in secrets if len(s) >= 4}, key=len, reverse=True))

    def scrub(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, _masked(secret))
        for pattern in _KEY_PATTERNS:
            text = pattern.sub(lambda m: (m.group(1) if m.groups() else "") + "****", text)
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        text = record.getMessage()
        scrubbed = self.scrub(text)
        if scrubbed != text or not _translatable(record):  # a line in another language is
            record.msg, record.args = scrubbed, None  # kept only when it holds no secret
        for name, value in list(record.__dict__.items()):
            if name not in _STANDARD and isinstance(value, str):
                setattr(record, name, self.scrub(value))
        if record.exc_info and not record.exc_text:
            record.exc_text = "".join(traceback.format_exception(*record.exc_info))
        if record.exc_text:
            record.exc_text = self.scrub(record.exc_text)
        return True


class ThirdPartyFilter(logging.Filter):
    """Drops records under WARNING from the ``THIRD_PARTY`` loggers (and their children)."""

    def __init__(self, names: Iterable[str] = THIRD_PARTY) -> None:
        super().__init__()
        self.names = tuple(names)

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno >= logging.WARNING:
            return True
        name = record.name
        return not any(name == n or name.startswith(n + ".") for n in self.names)


class JsonFormatter(logging.Formatter):
    """One JSON object per record; extra fields kept; tracebacks under ``exception``."""

    def format(self, record: logging.LogRecord) -> str:
        stamp = datetime.fromtimestamp(record.created, tz=UTC)
        data: dict[str, Any] = {
            "timestamp": stamp.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "level": record.levelname,
            "logger": record.name,
            "event": record.getMessage(),
            "pid": record.process,
        }
        for name, value in record.__dict__.items():
            if name not in _STANDARD and not name.startswith("_"):
                data[name] = value
        if record.exc_info and not record.exc_text:
            record.exc_text = "".join(traceback.format_exception(*record.exc_info))
        if record.exc_text:
            data["exception"] = record.exc_text
        return json.dumps(data, ensure_ascii=False, default=str)


def known_secrets(paths: Paths) -> list[str]:
    """The API keys this home may use, read cheaply (environment and ``secrets.json``)."""
    found = [k.strip() for k in os.environ.get("COINGECKO_API_KEYS", "").split(",")]
    found.append(os.environ.get("EXCHANGERATE_API_KEY", ""))
    try:
        data = json.loads(paths.secrets_file.read_text("utf-8"))
    except (OSError, ValueError):
        data = {}
    if isinstance(data, dict):
        keys = data.get("coingecko_api_keys")
        if isinstance(keys, list):
            found.extend(k for k in keys if isinstance(k, str))
        fx = data.get("exchangerate_api_key")
        found.append(fx if isinstance(fx, str) else "")
    return [k for k in found if k]


def _file_handler(
    paths: Paths, level: int, mask: SecretMaskFilter, max_bytes: int, backups: int
) -> logging.Handler:
    paths.logs_dir.mkdir(parents=True, exist_ok=True)
    handler = RotatingFileHandler(
        paths.logs_dir / LOG_FILE, maxBytes=max_bytes, backupCount=backups, encoding="utf-8"
    )
    handler.setLevel(level)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(mask)
    return handler


class LanguageFormatter(logging.Formatter):
    """The console's lines in the user's language: a record whose message or arguments are
    ``finbot.i18n.Message`` lines (anything with ``in_language``) is shown translated; the
    record itself is left as it is, so the log file keeps the English."""

    def __init__(self, lang: str) -> None:
        super().__init__()
        self.lang = lang

    def format(self, record: logging.LogRecord) -> str:
        if self.lang == "en" or not _translatable(record):
            return super().format(record)
        from finbot.i18n import in_language

        shown = logging.makeLogRecord(record.__dict__)
        shown.msg = in_language(self.lang, record.msg)
        if isinstance(record.args, tuple):
            shown.args = tuple(in_language(self.lang, a) for a in record.args)
        return super().format(shown)


LEVEL_NAMES = {  # the console's level words, in the catalog
    "DEBUG": N_("DEBUG"),
    "INFO": N_("INFO"),
    "WARNING": N_("WARNING"),
    "ERROR": N_("ERROR"),
    "CRITICAL": N_("CRITICAL"),
}


def _console_handler(level: int, mask: SecretMaskFilter, lang: str) -> logging.Handler:
    from rich.console import Console
    from rich.logging import RichHandler
    from rich.text import Text

    class LanguageRichHandler(RichHandler):
        """Rich's console handler with the level word in the user's language."""

        def get_level_text(self, record: logging.LogRecord) -> Text:
            text = super().get_level_text(record)
            if lang == "en" or record.levelname not in LEVEL_NAMES:
                return text
            from finbot.i18n import translate

            word = translate(lang, LEVEL_NAMES[record.levelname])
            return Text.styled(word.ljust(8), text.style)

    handler = LanguageRichHandler(
        console=Console(stderr=True, soft_wrap=True),
        show_path=False,
        rich_tracebacks=False,
        log_time_format="%H:%M:%S",
    )
    handler.setLevel(level)
    handler.setFormatter(LanguageFormatter(lang))
    handler.addFilter(ThirdPartyFilter())
    handler.addFilter(mask)
    return handler


def console_wanted() -> bool:
    """False in the background bot, whose stderr is a file (the JSON log already has it all)."""
    return os.environ.get(DAEMON_ENV) != "1"


def setup_logging(
    paths: Paths,
    verbose: bool = False,
    console: bool = True,
    *,
    secrets: Iterable[str] | None = None,
    max_bytes: int = MAX_BYTES,
    backups: int = BACKUP_COUNT,
    lang: str = "en",
) -> logging.Logger:
    """Configure the root logger for ``paths``; calling it again replaces finbot's handlers.

    Handlers added by others (pytest's capture, for one) are left alone. ``lang``: the
    console's language (the file stays English).
    """
    root = logging.getLogger()
    level = logging.DEBUG if verbose else logging.INFO
    shutdown_logging()
    mask = SecretMaskFilter(known_secrets(paths) if secrets is None else secrets)
    handlers = [_file_handler(paths, level, mask, max_bytes, backups)]
    if console:
        handlers.append(_console_handler(level, mask, lang))
    for handler in handlers:
        setattr(handler, _MARK, True)
        root.addHandler(handler)
    root.setLevel(level)
    # APScheduler says "Running job ..." at INFO on every run: keep that for -v only.
    logging.getLogger("apscheduler").setLevel(logging.DEBUG if verbose else logging.WARNING)
    # httpx says "HTTP Request: GET ..." at INFO for every request: that too is for -v only.
    for name in ("httpx", "httpcore", "urllib3"):
        logging.getLogger(name).setLevel(logging.DEBUG if verbose else logging.WARNING)
    return root


def shutdown_logging() -> None:
    """Flush and remove finbot's handlers (on stop, and before re-configuring)."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, _MARK, False):
            root.removeHandler(handler)
            handler.flush()
            handler.close()
