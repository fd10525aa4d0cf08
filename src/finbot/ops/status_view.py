"""Rich tables for ``finbot status`` / ``etat``, in French or English."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

from rich.console import Console, RenderableType
from rich.table import Table

from finbot.i18n import N_, Display, in_language
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
from finbot.ops.tables import RIGHT, compact_table

if TYPE_CHECKING:
    from finbot.collectors import UsageSummary
    from finbot.ops.scheduler import JobRow
    from finbot.ops.status import CollectorView
    from finbot.ops.system import SystemMetrics

Tr = Callable[..., str]
T = TypeVar("T")
_ENGLISH = Display()
# the words the status shows from its records (run outcomes, the API state), as messages
_WORDS = {
    "ok": N_("ok"),
    "failed": N_("failed"),
    "error": N_("error"),
    "skipped": N_("skipped"),
    "GREEN": N_("GREEN"),
    "AMBER": N_("AMBER"),
    "RED": N_("RED"),
}


def _word(value: object, tr: Tr) -> str:
    """A recorded word (``ok``, ``GREEN``) in the user's language; ``-`` when missing."""
    if not value:
        return "-"
    text = str(value)
    return tr(_WORDS[text]) if text in _WORDS else text


_STATE_COLOUR = {"GREEN": "green", "AMBER": "yellow", "RED": "red"}


def _fmt_age(seconds: float | None, show: Display = _ENGLISH) -> str:
    if seconds is None:
        return "-"
    seconds = float(seconds)
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60)):
        if seconds >= size:
            return f"{show.number(seconds / size, 1)} {unit}"
    return f"{show.number(seconds, 0)} s"


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


def _jobs(jobs: list[JobRow], tr: Tr, show: Display) -> Table:
    table = compact_table(
        tr("Scheduler jobs"),
        [tr("job"), tr("last run"), tr("outcome"), tr("next run"), RIGHT + tr("runs/fail.")],
    )
    for job in jobs:
        table.add_row(
            job["id"],
            show.when(job.get("last_run")),
            _word(job.get("status"), tr),
            show.when(job.get("next_run")),
            f"{job.get('runs', 0)}/{job.get('failures', 0)}",
        )
    return table


def _data(data: DataSection, tr: Tr, show: Display) -> Table:
    table = compact_table(
        tr("Data"),
        [tr("coin"), tr("bars"), RIGHT + tr("rows"), RIGHT + tr("files"), tr("newest"), tr("age")],
    )
    for coin, by_tf in sorted(data.items()):
        for tf, info in sorted(by_tf.items()):
            rows, files = info.get("rows"), info.get("files")
            table.add_row(
                show.coin(coin),
                tf,
                show.number(rows, 0) if isinstance(rows, int) else str(rows),
                show.number(files, 0) if isinstance(files, int) else str(files),
                show.when(info.get("newest")),
                _fmt_age(info.get("age_s"), show),
            )
    return table


def _models(models: ModelsSection, tr: Tr, show: Display) -> Table:
    progress = models.get("training_progress", {})
    title = tr(
        "Models ({trained}/{expected} coin x horizon trained)",
        trained=progress.get("trained"),
        expected=progress.get("expected"),
    )
    table = compact_table(
        title,
        [tr("coin"), tr("bars"), tr("horizon"), tr("model"), tr("trained"), tr("age")]
        + [RIGHT + tr("MAE / naive")],
    )
    for m in models.get("latest", []):
        ratio = m.get("mae_ratio")
        table.add_row(
            show.coin(m["coin"]),
            m["timeframe"],
            m["horizon"],
            str(m.get("algorithm")),
            show.when(m.get("trained_at") or m.get("version")),
            _fmt_age((m.get("age_h") or 0) * 3600, show),
            show.number(ratio, 3) if isinstance(ratio, int | float) else "-",
        )
    return table


def _pct(value: object, show: Display) -> str:
    return show.percent(float(value)) if isinstance(value, int | float) else "-"


def _tracker(tracker: TrackerSection, tr: Tr, show: Display) -> Table:
    counts = tracker.get("counts", {})
    title = tr(
        "Tracked predictions (pending {p}, resolved {r}, expired {e})",
        p=counts.get("pending", 0),
        r=counts.get("resolved", 0),
        e=counts.get("expired", 0),
    )
    table = compact_table(
        title,
        [tr("coin"), tr("horizon"), tr("window"), RIGHT + "n", RIGHT + "MAE"]
        + [RIGHT + tr("hit rate"), RIGHT + tr("coverage")],
    )
    for coin, by_h in sorted(tracker.get("accuracy", {}).items()):
        for horizon, windows in by_h.items():
            for window, stats in windows.items():
                mae = stats.get("mae")
                table.add_row(
                    show.coin(coin),
                    horizon,
                    window,
                    str(stats.get("n")),
                    show.percent(mae, 2) if isinstance(mae, int | float) else "-",
                    _pct(stats.get("hit_rate"), show),
                    _pct(stats.get("coverage"), show),
                )
    return table


def _count(value: object, show: Display) -> str:
    return show.number(value, 0) if isinstance(value, int | float) else "-"


def _api(usage: UsageSummary, tr: Tr, show: Display) -> Table:
    state = usage.get("state", "GREEN")
    caption = tr(
        "state [{c}]{s}[/], errors 24 h: {e}, mean latency: {lat} ms",
        c=_STATE_COLOUR.get(state, "white"),
        s=_word(state, tr),
        e=usage.get("errors_24h"),
        lat=_count(usage.get("mean_latency_ms"), show),
    )
    table = compact_table(
        tr("CoinGecko API usage"),
        [tr("window"), RIGHT + tr("requests"), RIGHT + tr("limit")],
        caption=caption,
    )
    for label, window in (
        ("minute", usage.get("minute")),
        (tr("hour"), usage.get("hour")),
        (tr("day"), usage.get("day")),
    ):
        requests, limit = (window["requests"], window["limit"]) if window else (None, None)
        table.add_row(label, _count(requests, show), _count(limit, show))
    month = usage.get("month", {})
    share = show.percent(float(month.get("share") or 0), 2)
    table.add_row(
        tr("month"),
        _count(month.get("requests"), show),
        f"{_count(month.get('cap'), show)} ({share})",
    )
    return table


def _collectors(collectors: dict[str, CollectorView], tr: Tr, show: Display) -> Table:
    table = compact_table(
        tr("Collectors"),
        [tr("collector"), tr("status"), tr("last run"), RIGHT + tr("latency ms")]
        + [RIGHT + tr("cache hit/miss"), RIGHT + tr("failures")],
    )
    for name, c in sorted(collectors.items()):
        table.add_row(
            name,
            _word(c.get("last_status"), tr),
            show.when(c.get("last_run")),
            _count(c.get("latency_ms"), show),
            f"{c.get('cache_hits')}/{c.get('cache_misses')}",
            f"{c.get('failures')}/{c.get('runs')}",
        )
    return table


def _one_decimal(value: object, show: Display) -> str:
    return show.number(float(value), 1) if isinstance(value, int | float) else "—"


def _system(system: SystemMetrics, tr: Tr, show: Display) -> str:
    mem, disk, gpu = system.get("memory", {}), system.get("disk", {}), system.get("gpu", {})
    gpu_text = ", ".join(gpu.get("devices") or []) or tr("none detected")
    return tr(
        "CPU {cpu} % | RAM {ram} % | disk free {disk} GB | GPU: {gpu}",
        cpu=_one_decimal(system.get("cpu_percent"), show),
        ram=_one_decimal(mem.get("used_percent"), show),
        disk=_one_decimal(disk.get("free_gb"), show),
        gpu=gpu_text,
    )


def _alerts(alerts: AlertsStatus | None, tr: Tr, show: Display) -> str:
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
    view: tuple[Tr, Display],
    title: str,
    section: Section[T],
    render: Callable[[T, Tr, Display], RenderableType],
    show_empty: bool = False,
) -> None:
    """The section's table, its error line, or "nothing yet" (empty, unless ``show_empty``)."""
    tr, show = view
    name = tr(title)
    if isinstance(section, SectionError):
        label = tr("{label}:", label=name)  # French writes a space before the colon
        console.print(f"[bold]{label}[/] [red]{in_language(show.lang, section.message)}[/]")
    elif section or show_empty:
        console.print(render(section, tr, show))
    else:
        console.print(f"[bold]{tr('{label}:', label=name)}[/] " + tr("nothing yet"))


def render_status(report: StatusReport, console: Console, tr: Tr, show: Display = _ENGLISH) -> None:
    """Print the status as tables (coins as symbols, times in ``show``'s zone, numbers in its
    language, 80 columns); a section that failed prints its error line."""
    console.print(tr("finbot at {home}: ", home=report.home) + _header(report.process, tr))
    view = (tr, show)
    _show(console, view, N_("Scheduler jobs"), report.jobs, _jobs)
    _show(console, view, N_("Data"), report.data, _data)
    _show(console, view, N_("Models"), report.models, _models, show_empty=True)
    _show(console, view, N_("Tracker"), report.tracker, _tracker, show_empty=True)
    _show(console, view, N_("API usage"), report.api_usage, _api, show_empty=True)
    _show(console, view, N_("Collectors"), report.collectors, _collectors)
    _show(console, view, N_("System"), report.system, _system, show_empty=True)
    _show(console, view, N_("Alerts"), report.alerts, _alerts, show_empty=True)
