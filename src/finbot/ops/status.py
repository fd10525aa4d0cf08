"""``finbot status`` / ``etat``: what the bot is doing, read from the database and files.

Nothing here asks the running process: the lock says whether it runs, the job store and
``job_runs`` say what the scheduler did, the Parquet footers what data there is, the model
store what models, the tracker and the API-usage tables how it went. So a separate ``status``
process sees what the bot did (the original's counter lived in one process and always showed
zero). A section that cannot be read is a ``SectionError`` (``{"error": ...}`` in
``status --json``, its line in the tables); the others still show.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, NotRequired, TypeAlias, TypedDict, TypeVar

from finbot.clock import iso_utc, now_ms
from finbot.i18n import N_, Message, failure_line
from finbot.timeframes import HOUR_MS

if TYPE_CHECKING:
    from collections.abc import Sequence

    from finbot.collectors import ApiUsageStore, CollectorStats, UsageSummary
    from finbot.ops.scheduler import JobRow
    from finbot.ops.system import SystemMetrics
    from finbot.paths import Paths
    from finbot.prediction.models import ModelStore
    from finbot.prediction.tracking import Accuracy, PredictionTracker
    from finbot.services import Services
    from finbot.storage import BarStore

    class CollectorView(CollectorStats):  # a type only: collectors load with their section
        last_run: str  # ``last_run_ms`` as an ISO time


log = logging.getLogger("finbot.status")
T = TypeVar("T")


@dataclass(frozen=True)
class SectionError:
    """Why a section of ``status`` could not be read (one line, shown in its place)."""

    message: str

    def to_json(self) -> dict[str, str]:
        return {"error": self.message}


Section: TypeAlias = T | SectionError  # a section, or why it could not be read


def _section(name: str, read: Callable[[], T]) -> Section[T]:
    try:
        return read()
    except ImportError as exc:
        return SectionError(Message(N_("not available: {error}"), error=str(exc)))
    except Exception as exc:  # boundary: reported in the section's place; the others show
        log.debug("status section %s failed", name, exc_info=True)
        return SectionError(failure_line(exc))


class ProcessInfo(TypedDict):
    """Whether the bot runs for this home (the instance lock), its PID and uptime."""

    running: bool
    pid: int | None
    uptime_s: int | None
    started_at: str | None
    dashboard: str | None
    stale_pid_file: NotRequired[int | None]


def _process(paths: Paths, now: int) -> ProcessInfo:
    from finbot.ops.dashboard_url import read_url
    from finbot.ops.process import probe
    from finbot.ops.system import process_metrics

    state = probe(paths)
    out: ProcessInfo = {
        "running": state.running,
        "pid": state.pid,
        "uptime_s": None,
        "started_at": None,
        "dashboard": read_url(paths),
    }
    if not state.running:
        out["stale_pid_file"] = state.stale_pid
        return out
    started = process_metrics(state.pid).get("started_at") if state.pid else None
    if started is not None:
        out["started_at"] = iso_utc(int(started * 1000))
        out["uptime_s"] = max(0, round(now / 1000 - started))
    return out


class SeriesInfo(TypedDict):
    rows: int
    files: int
    newest: str | None
    age_s: int | None


#: ``{coin: {timeframe: series}}``
DataSection = dict[str, dict[str, SeriesInfo]]


def data_section(bars: BarStore, now: int) -> DataSection:
    """``{coin: {timeframe: {rows, files, newest, age_s}}}`` from the Parquet footers."""
    summary = bars.summary()
    out: DataSection = {}
    for coin, by_tf in summary.items():
        for tf, info in by_tf.items():
            newest_ms = info["newest_ms"]
            out.setdefault(coin, {})[tf] = {
                "rows": info["rows"],
                "files": info["files"],
                "newest": info["newest"],
                "age_s": round((now - newest_ms) / 1000) if newest_ms is not None else None,
            }
    return out


def _age_hours(trained_at: object, now: int) -> float | None:
    if isinstance(trained_at, int | float):
        ms = trained_at if trained_at > 1e11 else trained_at * 1000
    elif isinstance(trained_at, str):
        ms = datetime.fromisoformat(trained_at.replace("Z", "+00:00")).timestamp() * 1000
    else:
        return None
    return round((now - ms) / HOUR_MS, 2)


class ModelInfo(TypedDict):
    coin: str
    timeframe: str
    horizon: str
    version: str
    algorithm: str | None
    trained_at: str | None
    age_h: float | None
    mae_ratio: float | None
    versions: int


class TrainingProgress(TypedDict):
    trained: int
    expected: int


class ModelsSection(TypedDict):
    count: int
    latest: list[ModelInfo]
    training_progress: TrainingProgress


def models_section(
    models: ModelStore, coins: Sequence[str], horizons: Sequence[str], now: int
) -> ModelsSection:
    """The newest version per (coin, timeframe, horizon) with its age and baseline ratio, and
    how many of the configured coin x horizon sets have a model (training progress)."""
    from finbot.prediction.models import ModelSummary

    latest: dict[tuple[str, str, str], ModelSummary] = {}
    versions: dict[tuple[str, str, str], int] = {}
    for entry in models.list_models():
        key = (str(entry["coin"]), str(entry["timeframe"]), str(entry["horizon"]))
        versions[key] = int(entry.get("versions") or versions.get(key, 0) + 1)
        if key not in latest or str(entry.get("version")) > str(latest[key].get("version")):
            latest[key] = entry
    rows: list[ModelInfo] = []
    for key, entry in sorted(latest.items()):
        rows.append(
            {
                "coin": key[0],
                "timeframe": key[1],
                "horizon": key[2],
                "version": entry["version"],
                "algorithm": entry.get("algorithm"),
                "trained_at": entry.get("trained_at"),
                "age_h": _age_hours(entry.get("trained_at"), now),
                "mae_ratio": entry.get("mae_ratio"),
                "versions": versions[key],
            }
        )
    wanted = {(c, h) for c in coins for h in horizons}
    have = {(r["coin"], r["horizon"]) for r in rows} & wanted
    return {
        "count": len(rows),
        "latest": rows,
        "training_progress": {"trained": len(have), "expected": len(wanted)},
    }


class TrackerSection(TypedDict):
    counts: dict[str, int]
    accuracy: Accuracy


def tracker_section(tracker: PredictionTracker, now: int) -> TrackerSection:
    """Prediction counts (pending / resolved / expired) and live accuracy per coin x horizon
    over 24 h / 7 d / 30 d."""
    return {"counts": tracker.counts(), "accuracy": tracker.summary(now)}


def collectors_section(usage: ApiUsageStore) -> dict[str, CollectorView]:
    out: dict[str, CollectorView] = {}
    for name, entry in usage.collector_summary().items():
        out[name] = {**entry, "last_run": iso_utc(entry["last_run_ms"])}
    return out


class AlertsStatus(TypedDict):
    """The alert channels (masked) and what was sent, failed or dropped so far."""

    channels: list[str]
    sent: int
    failed: int
    dropped: int
    last_failure: str | None
    last_failure_at: str | None


def alerts_section(services: Services) -> AlertsStatus:
    from finbot.config import mask_url

    counts = services.alert_log.counts()
    last_ms = counts["last_failure_ms"]
    return {
        "channels": [mask_url(u) for u in services.settings.secrets.alert_urls],
        "sent": counts["sent"],
        "failed": counts["failed"],
        "dropped": counts["dropped"],
        "last_failure": counts["last_failure"],
        "last_failure_at": iso_utc(last_ms) if last_ms is not None else None,
    }


@dataclass
class StatusReport:
    """Everything ``status`` shows; ``to_json()`` is the ``status --json`` object (DESIGN.md
    keys and more)."""

    home: str
    as_of: str
    process: ProcessInfo
    jobs: Section[list[JobRow]]
    data: Section[DataSection]
    models: Section[ModelsSection]
    tracker: Section[TrackerSection]
    api_usage: Section[UsageSummary]
    collectors: Section[dict[str, CollectorView]]
    system: Section[SystemMetrics]
    alerts: Section[AlertsStatus | None] = None

    def sections(self) -> dict[str, object]:
        """Each section under its ``--json`` key, in the order shown."""
        return {
            "jobs": self.jobs,
            "data": self.data,
            "models": self.models,
            "tracker": self.tracker,
            "api_usage": self.api_usage,
            "collectors": self.collectors,
            "system": self.system,
            "alerts": self.alerts,
        }

    def to_json(self) -> dict[str, object]:
        out: dict[str, object] = {"home": self.home, "as_of": self.as_of, **self.process}
        for name, section in self.sections().items():
            out[name] = section.to_json() if isinstance(section, SectionError) else section
        return out


def collect_status(services: Services) -> StatusReport:
    """Every section of ``status``. Each builds what it reads from ``services`` inside its own
    guard, so one broken part (one that fails is reported) hides nothing else."""
    from finbot.ops.scheduler import scheduler_jobs
    from finbot.ops.system import system_metrics

    now, paths = now_ms(services.clock), services.paths
    process = _process(paths, now)
    pid = process["pid"] if process["running"] else None
    settings = services.settings
    return StatusReport(
        home=str(paths.home),
        as_of=iso_utc(now),
        process=process,
        jobs=_section("jobs", lambda: scheduler_jobs(services.engine)),
        data=_section("data", lambda: data_section(services.bar_store, now)),
        models=_section(
            "models",
            lambda: models_section(
                services.model_store, settings.coins.ids, settings.general.horizons, now
            ),
        ),
        tracker=_section("tracker", lambda: tracker_section(services.tracker, now)),
        api_usage=_section("api_usage", lambda: services.usage.summary(now)),
        collectors=_section("collectors", lambda: collectors_section(services.usage)),
        system=_section("system", lambda: system_metrics(paths.home, pid=pid)),
        alerts=_section("alerts", lambda: alerts_section(services)),
    )
