"""``finbot alerts list`` for people: the channels, then one row per rule with its words in
the user's language (the settings' names are for ``settings.json`` and ``--json``)."""

from __future__ import annotations

from typing import Any

from finbot.cli.context import AppContext
from finbot.i18n import N_

RULES = {
    "decisions": N_("decisions"),
    "targets": N_("targets reached"),
    "collector_failures": N_("collector failures"),
    "api_usage": N_("API quota"),
    "disk": N_("disk space"),
    "bot_error": N_("bot stopped on an error"),
    "digest": N_("daily digest"),
    "quiet_hours": N_("quiet hours"),
    "delivery": N_("delivery"),
}
# each setting's words; {value} is the setting's value as the user reads it
SETTINGS = {
    "alert_level": N_("confidence ≥ {value}"),
    "probability_level": N_("probability ≥ {value}"),
    "after_failures": N_("after {value} failures in a row"),
    "states": N_("states {value}"),
    "monthly_cap_pct": N_("monthly quota at {value} %"),
    "min_free_gb": N_("under {value} GB free"),
    "hour_utc": N_("at {value} h UTC"),
    "minute": N_("minute {value}"),
    "start_hour": N_("from {value} h"),
    "end_hour": N_("until {value} h"),
    "critical_pass": N_("critical alerts pass: {value}"),
    "queue_size": N_("queue of {value}"),
    "timeout_sec": N_("timeout {value} s"),
    "max_attempts": N_("{value} attempts"),
    "backoff_sec": N_("{value} s between attempts"),
}
KINDS = {  # alerts_history's kinds
    "decision": N_("decision"),
    "target_reached": N_("target reached"),
    "target_likely": N_("target likely"),
    "collector_failing": N_("collector failing"),
    "api_usage": N_("API quota"),
    "monthly_cap": N_("monthly quota"),
    "disk_low": N_("disk space low"),
    "bot_error": N_("bot error"),
    "digest": N_("digest"),
    "test": N_("test"),
}
STATUSES = {"sent": N_("sent"), "failed": N_("failed"), "dropped": N_("dropped")}
HISTORY_HEADERS = (
    N_("time"),
    N_("kind"),
    N_("channel"),
    N_("status"),
    ">" + N_("tries"),
    N_("title or error"),
)
_PERCENT = {"alert_level", "probability_level"}  # fractions shown as percentages
_SHOWN_APART = {"enabled", "cooldown_sec"}


def print_rules(app_ctx: AppContext, channels: list[str], rules: dict[str, Any]) -> None:
    """The channels line, the alerts' general line and the table of rules."""
    from finbot.ops.tables import compact_table

    tr, show = app_ctx.tr, app_ctx.display
    none = tr("none configured")
    app_ctx.console.print(tr("Channels: {channels}", channels=", ".join(channels) or none))
    # the language of the alerts: settings.json's, else the one this command line speaks
    if rules.get("enabled"):
        line = tr(
            "Alerts on, checked every {seconds} s, in {lang}",
            seconds=show.number(rules.get("check_every_sec", 0), 0),
            lang=rules.get("lang") or tr("the command line's language"),
        )
    else:
        line = tr("Alerts off (general.alerts.enabled in settings.json)")
    app_ctx.console.print(line, highlight=False)
    headers = [tr(h) for h in (N_("rule"), N_("active"), N_("cool-down"), N_("settings"))]
    table = compact_table(tr("Rules"), headers)
    for name, rule in rules.items():
        if not isinstance(rule, dict):
            continue
        enabled = rule.get("enabled")
        table.add_row(
            tr(RULES[name]) if name in RULES else name,
            "—" if enabled is None else _yes_no(app_ctx, bool(enabled)),
            "—" if "cooldown_sec" not in rule else _duration(app_ctx, rule["cooldown_sec"]),
            "; ".join(_settings(app_ctx, rule)) or "—",
        )
    app_ctx.console.print(table)


def _settings(app_ctx: AppContext, rule: dict[str, Any]) -> list[str]:
    shown = []
    for key, value in rule.items():
        if key in _SHOWN_APART or value is None:
            continue
        words = SETTINGS.get(key)
        shown.append(app_ctx.tr(words, value=_value(app_ctx, key, value)) if words else key)
    return shown


def _value(app_ctx: AppContext, key: str, value: object) -> str:
    show = app_ctx.display
    if isinstance(value, bool):
        return _yes_no(app_ctx, value)
    if key in _PERCENT and isinstance(value, int | float):
        return show.percent(float(value), 0)
    if isinstance(value, int | float):
        return show.number(value, 0 if float(value).is_integer() else None)
    if isinstance(value, list):
        return ", ".join(_value(app_ctx, key, v) for v in value)
    return str(value)


def _duration(app_ctx: AppContext, seconds: int) -> str:
    show = app_ctx.display
    if seconds <= 0:
        return app_ctx.tr("none")
    if seconds % 3600 == 0:
        return app_ctx.tr("{n} h", n=show.number(seconds // 3600, 0))
    if seconds % 60 == 0:
        return app_ctx.tr("{n} min", n=show.number(seconds // 60, 0))
    return app_ctx.tr("{n} s", n=show.number(seconds, 0))


def _yes_no(app_ctx: AppContext, value: bool) -> str:
    return app_ctx.tr("yes") if value else app_ctx.tr("no")


def print_history(app_ctx: AppContext, rows: list[dict[str, Any]]) -> None:
    """The alerts sent, failed or dropped, newest first (times in the display zone)."""
    from finbot.ops.tables import RIGHT, compact_table

    tr, show = app_ctx.tr, app_ctx.display
    headers = [RIGHT + tr(h[1:]) if h.startswith(RIGHT) else tr(h) for h in HISTORY_HEADERS]
    table = compact_table(tr("Alerts"), headers)
    for r in rows:
        kind, status = str(r["kind"]), str(r["status"])
        table.add_row(
            show.when(r["ts_ms"]),
            tr(KINDS[kind]) if kind in KINDS else kind,
            str(r["channel"] or ""),
            tr(STATUSES[status]) if status in STATUSES else status,
            show.number(r["attempts"] or 0, 0),
            str(r["error"] or r["title"] or ""),
        )
    app_ctx.console.print(table)
