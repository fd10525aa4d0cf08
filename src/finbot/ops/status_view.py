"""Rich tables for ``finbot status`` / ``etat``, in French or English."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

from rich.console import Console, RenderableType
from rich.table import Table

from finbot.i18n import N_
from finbot.ops.status import (
    AlertsStatus,
    DataSection,
    ModelsSection,
    ProcessInfo,
    Section,
    SectionError,
    StatusReport,
    TrackerSection,
)

if TYPE_CHECKING:
    from finbot.collectors import UsageSummary
    from finbot.ops.scheduler import JobRow
    from finbot.ops.status import CollectorView
    from finbot.ops.system import SystemMetrics

Tr = Callable[..., str]
T = TypeVar("T")
_STATE_COLOUR = {"GREEN": "green", "AMBER": "yellow", "RED": "red"}


def _fmt_age(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    seconds = float(seconds)
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60)):
        if seconds >= size:
            return f"{seconds / size:.1f} {unit}"
    return f"{seconds:.0f} s"


def _header(process: ProcessInfo, tr: Tr) -> str:
    if process["running"]:
        return tr(
            "[green]running[/] (PID {pid}, up {up})",
            pid=process["pid"],
            up=_fmt_age(process["uptime_s"]),
        ) + _dashboard(process, tr)
    text = tr("[yellow]not running[/]")
    stale = process.get("stale_pid_file")
    if stale:
        text += tr(" (stale PID file {pid})", pid=stale)
    return text + _dashboard(process, tr)


def _dashboard(process: ProcessInfo, tr: Tr) -> str:
    url = process.get("dashboard")
    return tr(" — dashboard {url}", url=url) if url else ""


def _jobs(jobs: list[JobRow], tr: Tr) -> Table:
    table = Table(title=tr("Scheduler jobs"))
    for col in (
        tr("job"),
        tr("last run"),
        tr("outcome"),
        tr("next run"),
        tr("runs/failures"),
    ):
        table.add_column(col)
    for job in jobs:
        table.add_row(
            job["id"],
            job.get("last_run") or "-",
            job.get("status") or "-",
            job.get("next_run") or "-",
            f"{job.get('runs', 0)}/{job.get('failures', 0)}",
        )
    return table


def _data(data: DataSection, tr: Tr) -> Table:
    table = Table(title=tr("Data"))
    for col in (
        tr("coin"),
        "timeframe",
        tr("rows"),
        tr("files"),
        tr("newest"),
        tr("age"),
    ):
        table.add_column(col)
    for coin, by_tf in sorted(data.items()):
        for tf, info in sorted(by_tf.items()):
            table.add_row(
                coin,
                tf,
                str(info.get("rows")),
                str(info.get("files")),
                info.get("newest") or "-",
                _fmt_age(info.get("age_s")),
            )
    return table


def _models(models: ModelsSection, tr: Tr) -> Table:
    progress = models.get("training_progress", {})
    table = Table(
        title=tr(
            "Models ({trained}/{expected} coin x horizon trained)",
            trained=progress.get("trained"),
            expected=progress.get("expected"),
        )
    )
    for col in (
        tr("coin"),
        "timeframe",
        "horizon",
        "version",
        tr("model"),
        tr("age"),
        tr("MAE / naive"),
    ):
        table.add_column(col)
    for m in models.get("latest", []):
        ratio = m.get("mae_ratio")
        table.add_row(
            m["coin"],
            m["timeframe"],
            m["horizon"],
            str(m.get("version")),
            str(m.get("algorithm")),
            _fmt_age((m.get("age_h") or 0) * 3600),
            f"{ratio:.3f}" if isinstance(ratio, int | float) else "-",
        )
    return table


def _pct(value: object) -> str:
    return f"{100 * float(value):.1f} %" if isinstance(value, int | float) else "-"


def _tracker(tracker: TrackerSection, tr: Tr) -> Table:
    counts = tracker.get("counts", {})
    table = Table(
        title=tr(
            "Tracked predictions (pending {p}, resolved {r}, expired {e})",
            p=counts.get("pending", 0),
            r=counts.get("resolved", 0),
            e=counts.get("expired", 0),
        )
    )
    for col in (
        tr("coin"),
        "horizon",
        tr("window"),
        "n",
        "MAE",
        tr("hit rate"),
        tr("coverage"),
    ):
        table.add_column(col)
    for coin, by_h in sorted(tracker.get("accuracy", {}).items()):
        for horizon, windows in by_h.items():
            for window, stats in windows.items():
                mae = stats.get("mae")
                table.add_row(
                    coin,
                    horizon,
                    window,
                    str(stats.get("n")),
                    f"{mae:.4f}" if isinstance(mae, int | float) else "-",
                    _pct(stats.get("hit_rate")),
                    _pct(stats.get("coverage")),
                )
    return table


def _api(usage: UsageSummary, tr: Tr) -> Table:
    table = Table(title=tr("CoinGecko API usage"))
    table.add_column(tr("window"))
    table.add_column(tr("requests"))
    table.add_column(tr("limit"))
    state = usage.get("state", "GREEN")
    for label, window in (
        ("minute", usage.get("minute")),
        (tr("hour"), usage.get("hour")),
        (tr("day"), usage.get("day")),
    ):
        requests, limit = (window["requests"], window["limit"]) if window else (None, None)
        table.add_row(label, str(requests), str(limit))
    month = usage.get("month", {})
    table.add_row(
        tr("month"),
        str(month.get("requests")),
        f"{month.get('cap')} ({100 * float(month.get('share') or 0):.2f} %)",
    )
    colour = _STATE_COLOUR.get(state, "white")
    table.caption = tr(
        "state [{c}]{s}[/], errors 24 h: {e}, mean latency: {lat} ms",
        c=colour,
        s=state,
        e=usage.get("errors_24h"),
        lat=usage.get("mean_latency_ms"),
    )
    return table


def _collectors(collectors: dict[str, CollectorView], tr: Tr) -> Table:
    table = Table(title=tr("Collectors"))
    for col in (
        tr("collector"),
        tr("last status"),
        tr("last run"),
        tr("latency ms"),
        tr("cache hits/misses"),
        tr("failures"),
    ):
        table.add_column(col)
    for name, c in sorted(collectors.items()):
        table.add_row(
            name,
            str(c.get("last_status")),
            str(c.get("last_run") or "-"),
            str(c.get("latency_ms")),
            f"{c.get('cache_hits')}/{c.get('cache_misses')}",
            f"{c.get('failures')}/{c.get('runs')}",
        )
    return table


def _system(system: SystemMetrics, tr: Tr) -> str:
    mem, disk, gpu = system.get("memory", {}), system.get("disk", {}), system.get("gpu", {})
    gpu_text = ", ".join(gpu.get("devices") or []) or tr("none detected")
    return tr(
        "CPU {cpu} % | RAM {ram} % | disk free {disk} GB | GPU: {gpu}",
        cpu=system.get("cpu_percent"),
        ram=mem.get("used_percent"),
        disk=disk.get("free_gb"),
        gpu=gpu_text,
    )


def _alerts(alerts: AlertsStatus | None, tr: Tr) -> str:
    if alerts is None:
        return "-"
    text = f"[bold]{tr('Alerts')}[/]: " + tr(
        "channels: {channels} | sent {sent}, failed {failed}, dropped {dropped}",
        channels=", ".join(alerts["channels"]) or tr("none configured"),
        sent=alerts["sent"],
        failed=alerts["failed"],
        dropped=alerts["dropped"],
    )
    if alerts["last_failure"]:
        text += tr(
            " | last failure {at}: {error}",
            at=alerts["last_failure_at"],
            error=alerts["last_failure"],
        )
    return text


def _show(
    console: Console,
    tr: Tr,
    title: str,
    section: Section[T],
    render: Callable[[T, Tr], RenderableType],
    show_empty: bool = False,
) -> None:
    """The section's table, its error line, or "nothing yet" (empty, unless ``show_empty``)."""
    name = tr(title)
    if isinstance(section, SectionError):
        console.print(f"[bold]{name}[/]: [red]{section.message}[/]")
    elif section or show_empty:
        console.print(render(section, tr))
    else:
        console.print(f"[bold]{name}[/]: " + tr("nothing yet"))


def render_status(report: StatusReport, console: Console, tr: Tr) -> None:
    """Print the status as tables; a section that failed prints its error line."""
    console.print(tr("finbot at {home}: ", home=report.home) + _header(report.process, tr))
    _show(console, tr, N_("Scheduler jobs"), report.jobs, _jobs)
    _show(console, tr, N_("Data"), report.data, _data)
    _show(console, tr, N_("Models"), report.models, _models, show_empty=True)
    _show(console, tr, N_("Tracker"), report.tracker, _tracker, show_empty=True)
    _show(console, tr, N_("API usage"), report.api_usage, _api, show_empty=True)
    _show(console, tr, N_("Collectors"), report.collectors, _collectors)
    _show(console, tr, N_("System"), report.system, _system, show_empty=True)
    _show(console, tr, N_("Alerts"), report.alerts, _alerts, show_empty=True)
