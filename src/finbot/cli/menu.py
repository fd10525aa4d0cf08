"""The interactive menu opened by ``finbot demarrer`` / ``start`` on a terminal, and by
``finbot menu``: the original bot's entries, in French or English, arrow keys or numbers.

    1 Predictions  → 1 Price, 2 Amount, 3 Time to target, 4 Best moment, 5 Statistics, 0 Back
    2 Status       (the same tables as ``finbot status``)
    3 Models       (each live model and its MAE against the naive baseline)
    4 Confidence   (interval coverage, as ``finbot confidence-metrics``)
    5 Quit         (the background bot keeps running; ``finbot stop`` stops it)

Each answer reuses the command that gives it non-interactively (``predict_answers.ask_*``, the
status renderer, the tracker and confidence tables), so the menu and the commands never
disagree. An error in one entry prints one line and returns to the menu.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import typer

from finbot.cli import context
from finbot.cli.context import AppContext
from finbot.cli.predict_cmd import QuestionKind
from finbot.errors import FinbotError
from finbot.i18n import N_, Message, failure_line

log = logging.getLogger(__name__)

# (value, label in English (translated when shown), shortcut key; True = questionary's next
# free key)
Entry = tuple[str, str, str | bool]
MAIN: tuple[Entry, ...] = (
    ("predictions", N_("Predictions"), "1"),
    ("status", N_("Status"), "2"),
    ("models", N_("Models"), "3"),
    ("confidence", N_("Confidence"), "4"),
    ("quit", N_("Quit"), "5"),
)
PREDICTIONS: tuple[Entry, ...] = (
    (QuestionKind.PRICE, N_("Price"), "1"),
    (QuestionKind.AMOUNT, N_("Amount"), "2"),
    (QuestionKind.WHEN, N_("Time to target"), "3"),
    (QuestionKind.BEST, N_("Best moment"), "4"),
    ("stats", N_("Statistics"), "5"),
    ("back", N_("Back"), "0"),
)
HINT = N_(
    "the menu needs a terminal; use the commands instead:\n"
    "  finbot predict --coin bitcoin --horizon 1h   finbot predict --kind best\n"
    "  finbot status   finbot models list   finbot confidence-metrics   finbot tracker"
)


def parse_number(text: str) -> float | None:
    """``"500"``, ``"2,5"`` (French decimal comma) or ``"1 000"`` → float; None otherwise."""
    cleaned = text.strip().replace("\u202f", "").replace(" ", "").replace(",", ".")
    try:
        value = float(cleaned)
    except ValueError:
        return None
    return value if value > 0 and value == value and value != float("inf") else None


@dataclass
class Menu:
    """One menu session. ``io`` holds prompt_toolkit ``input``/``output`` for tests; empty
    means the real terminal."""

    app_ctx: AppContext
    io: dict[str, Any] = field(default_factory=dict)

    # ---------------------------------------------------------------- prompts
    def select(self, prompt: str, entries: tuple[Entry, ...]) -> str:
        import questionary

        choices = [
            questionary.Choice(self.app_ctx.tr(label), value=value, shortcut_key=key)
            for value, label, key in entries
        ]
        answer = questionary.select(
            self.app_ctx.tr(prompt),
            choices=choices,
            use_shortcuts=True,
            instruction=self.app_ctx.tr("(arrow keys or number, Enter)"),
            **self.io,
        ).unsafe_ask()
        return str(answer)

    def coin(self) -> str:
        entries = tuple(
            (c.id, f"{c.name} ({c.symbol})", True) for c in self.app_ctx.settings.coins.enabled
        )
        return self.select(N_("Which crypto?"), entries)

    def horizon(self) -> str:
        from finbot.cli.predict_lines import horizon_words

        lang = self.app_ctx.lang
        entries = tuple(
            (h, horizon_words(h, lang), True) for h in self.app_ctx.settings.general.horizons
        )
        return self.select(N_("In how long?"), entries)

    def number(self, prompt: str, default: float) -> float:
        import questionary

        invalid = self.app_ctx.tr("expected a number > 0")
        text = questionary.text(
            self.app_ctx.tr(prompt),
            default=f"{default:g}",
            validate=lambda t: parse_number(t) is not None or invalid,
            **self.io,
        ).unsafe_ask()
        value = parse_number(str(text))
        if value is None:  # only reachable when validation is bypassed (pipe input)
            raise FinbotError(N_("expected a number > 0"))
        return value

    # ---------------------------------------------------------------- entries
    def price(self) -> None:
        from finbot.cli.predict_answers import ask_price

        coin, horizon = self.coin(), self.horizon()
        ask_price(self.app_ctx, coin, horizon, False)

    def amount(self) -> None:
        from finbot.cli.predict_answers import ask_amount

        coin, horizon = self.coin(), self.horizon()
        default = self.app_ctx.settings.costs.default_order_eur
        eur = self.number(N_("Amount in EUR?"), default)
        ask_amount(self.app_ctx, coin, horizon, eur, False)

    def when(self) -> None:
        from finbot.cli.predict_answers import ask_when

        coin = self.coin()
        gain = self.number(N_("Gain wanted, in %?"), 2.0)
        ask_when(self.app_ctx, coin, gain, False)

    def best(self) -> None:
        from finbot.cli.predict_answers import ask_best

        ask_best(self.app_ctx, False)

    def statistics(self) -> None:
        show_statistics(self.app_ctx)

    def predictions(self) -> None:
        actions: dict[str, Callable[[], None]] = {
            QuestionKind.PRICE: self.price,
            QuestionKind.AMOUNT: self.amount,
            QuestionKind.WHEN: self.when,
            QuestionKind.BEST: self.best,
            "stats": self.statistics,
        }
        while True:
            choice = self.select(N_("Predictions"), PREDICTIONS)
            if choice == "back":
                return
            self.guarded(actions[choice])

    def guarded(self, action: Callable[[], None]) -> None:
        """Run one entry; its failure is one line, and the menu goes on."""
        try:
            action()
        except FinbotError as exc:
            line = self.app_ctx.tr("error: {message}", message=self.app_ctx.error_text(exc))
            self.app_ctx.err.print(f"[red]{line}[/red]", highlight=False)
        except (KeyboardInterrupt, EOFError):
            raise
        except Exception as exc:  # noqa: BLE001 - the menu must survive; traceback in the log
            log.exception("%s", Message(N_("menu entry failed")))
            line = self.app_ctx.tr("error: {message}", message=failure_line(exc))
            self.app_ctx.err.print(line, style="red", highlight=False, markup=False)
        self.app_ctx.console.print()

    def run(self) -> None:
        actions: dict[str, Callable[[], None]] = {
            "predictions": self.predictions,
            "status": lambda: show_status(self.app_ctx),
            "models": lambda: show_models(self.app_ctx),
            "confidence": lambda: show_confidence(self.app_ctx),
        }
        try:
            while True:
                choice = self.select(N_("finbot — main menu"), MAIN)
                if choice == "quit":
                    break
                self.guarded(actions[choice])
        except (KeyboardInterrupt, EOFError):
            pass
        say_goodbye(self.app_ctx)


# -------------------------------------------------------------------- views
def show_status(app_ctx: AppContext) -> None:
    """The same tables as ``finbot status``."""
    from finbot.ops.status import collect_status
    from finbot.ops.status_view import render_status

    render_status(collect_status(app_ctx.services), app_ctx.console, app_ctx.tr, app_ctx.display)


def show_models(app_ctx: AppContext) -> None:
    """Each live model with its test MAE divided by the naive baseline's (< 1 = edge), as
    ``finbot models list``."""
    from finbot.cli.models_cmd import print_models

    print_models(app_ctx, app_ctx.services.model_store.list_models())


def show_confidence(app_ctx: AppContext) -> None:
    """Interval coverage per model, as ``finbot confidence-metrics``."""
    from finbot.cli.evaluate_cmd import _print_metrics, confidence_metrics

    _print_metrics(app_ctx, confidence_metrics(app_ctx))


def show_statistics(app_ctx: AppContext) -> None:
    """The tracker's record: due predictions scored first, then the recent ones and accuracy."""
    from finbot.cli.tracker_cmd import _print
    from finbot.clock import now_ms

    services = app_ctx.services
    tracker, now = services.tracker, now_ms(services.clock)
    tracker.resolve_due(services.bar_store, now)
    counts = tracker.counts()
    app_ctx.console.print(
        app_ctx.tr(
            "Tracked predictions: {p} pending, {r} resolved, {e} expired",
            p=counts.get("pending", 0),
            r=counts.get("resolved", 0),
            e=counts.get("expired", 0),
        )
    )
    _print(app_ctx, tracker.recent(10), tracker.summary(now))


def say_goodbye(app_ctx: AppContext) -> None:
    from finbot.ops.process import probe

    if probe(app_ctx.paths).running:
        app_ctx.console.print(
            app_ctx.tr(
                "Menu closed; finbot keeps running in the background ('finbot stop' stops it).",
            )
        )
    else:
        app_ctx.console.print(app_ctx.tr("Goodbye."))


def run_menu(app_ctx: AppContext, input: Any = None, output: Any = None) -> None:
    """Open the menu until Quit (or Ctrl+C). ``input``/``output``: prompt_toolkit test I/O."""
    io = {"input": input, "output": output} if input is not None else {}
    Menu(app_ctx, io).run()


def menu_command(ctx: typer.Context) -> None:
    """Interactive menu: predictions, status, models, confidence."""
    app_ctx = context.get(ctx)
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        typer.echo(app_ctx.tr(HINT), err=True)
        raise typer.Exit(2)
    run_menu(app_ctx)


def register(app: typer.Typer) -> None:
    app.command("menu")(menu_command)
