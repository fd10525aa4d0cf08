"""``alerts`` / ``alertes``: send a test alert, list the channels and rules, show the history.

Channels are apprise URLs (``$FINBOT_ALERT_URLS`` or ``alert_urls`` in ``secrets.json``),
always shown masked; the rules are the ``alerts`` section of ``settings.json``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import typer

from finbot.cli import context
from finbot.cli.alerts_view import print_history, print_rules
from finbot.errors import ConfigError, FinbotError
from finbot.i18n import N_

if TYPE_CHECKING:
    from finbot.cli.context import AppContext

alerts_app = typer.Typer(
    rich_markup_mode=None, help="Alerts: test, list, history.", no_args_is_help=True
)


class AlertNotDelivered(FinbotError):
    """The test alert did not reach every channel (exit code 1)."""


def _send_test(app_ctx: AppContext, urls: tuple[str, ...]) -> list[dict[str, Any]]:
    """The test alert through the real sender; each channel's outcome, as recorded."""
    from finbot.alerts import AlertDispatcher, Outgoing, check_url, probe_alert, render
    from finbot.clock import now_ms

    for url in urls:
        check_url(url)
    services = app_ctx.services
    alerts = services.settings.general.alerts
    sender = AlertDispatcher(urls, alerts, services.alert_log)
    probe = probe_alert()
    title, body = render(probe, alerts.lang or app_ctx.lang)
    sender.submit(Outgoing(probe, title, body, now_ms(services.clock)))
    delivery = alerts.delivery
    sender.close(delivery.timeout_sec * delivery.max_attempts + delivery.backoff_sec * 8 + 5)
    return list(reversed(services.alert_log.recent(len(urls))))


@alerts_app.command("test")
def test_command(
    ctx: typer.Context,
    url: str | None = typer.Option(None, "--url", help="Send to this apprise URL only."),
    as_json: bool = typer.Option(False, "--json", help="One JSON object on stdout."),
) -> None:
    """Send a test message to the configured channels (or to --url)."""
    app_ctx = context.get(ctx)
    urls = (url,) if url else app_ctx.settings.secrets.alert_urls
    if not urls:
        raise ConfigError(
            N_(
                "no alert channel: set FINBOT_ALERT_URLS or alert_urls in config/secrets.json, "
                "or give --url"
            )
        )
    outcomes = _send_test(app_ctx, urls)
    failed = [o for o in outcomes if o["status"] != "sent"]
    if as_json:
        app_ctx.emit_json({"deliveries": outcomes, "failed": len(failed)})
    else:
        for o in outcomes:
            line = app_ctx.tr("{channel}: {status} after {n} attempt(s)", n=o["attempts"], **o)
            app_ctx.console.print(line + (f" ({o['error']})" if o["error"] else ""))
    if failed:
        raise AlertNotDelivered(
            N_("{n} of {total} channel(s) did not take the test alert"),
            n=len(failed),
            total=len(outcomes),
        )


def _rules(app_ctx: AppContext) -> dict[str, Any]:
    settings = app_ctx.settings
    data: dict[str, Any] = settings.general.alerts.model_dump(mode="json")
    data["decisions"]["alert_level"] = settings.thresholds.alert_level
    return data


@alerts_app.command("list")
def list_command(
    ctx: typer.Context,
    as_json: bool = typer.Option(False, "--json", help="One JSON object on stdout."),
) -> None:
    """The channels (masked) and the rules with their cool-downs and levels."""
    from finbot.config import mask_url

    app_ctx = context.get(ctx)
    channels = [mask_url(u) for u in app_ctx.settings.secrets.alert_urls]
    rules = _rules(app_ctx)
    if as_json:
        app_ctx.emit_json({"channels": channels, "rules": rules})
        return
    print_rules(app_ctx, channels, rules)


@alerts_app.command("history")
def history_command(
    ctx: typer.Context,
    limit: int = typer.Option(50, "--limit", min=1, help="Newest deliveries shown."),
    as_json: bool = typer.Option(False, "--json", help="One JSON object on stdout."),
) -> None:
    """Every alert sent, failed or dropped, newest first."""
    app_ctx = context.get(ctx)
    rows = app_ctx.services.alert_log.recent(limit)
    if as_json:
        app_ctx.emit_json({"alerts": rows})
        return
    if not rows:
        app_ctx.console.print(app_ctx.tr("No alert yet."))
        return
    print_history(app_ctx, rows)


alerts_app.command("liste", help="Alias of 'list': the channels and the rules.")(list_command)
alerts_app.command("historique", help="Alias of 'history': the alerts sent.")(history_command)


def register(app: typer.Typer) -> None:
    app.add_typer(alerts_app, name="alerts")
    app.add_typer(alerts_app, name="alertes", help="Alias of 'alerts': test, list, history.")
