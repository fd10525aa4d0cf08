"""What every command receives: the home's paths, its services (the composition root:
settings, stores, tracker, clients, each built on first use), the language, and two consoles
(stdout for results, stderr for progress and logs)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cached_property

import typer
from rich.console import Console

from finbot.config import Settings
from finbot.errors import FinbotError
from finbot.i18n import Display, error_message, in_language, translate, translate_context
from finbot.paths import Paths
from finbot.services import Services


@dataclass
class AppContext:
    paths: Paths
    lang: str = "en"
    verbose: bool = False
    console: Console = field(default_factory=lambda: Console(soft_wrap=True))
    err: Console = field(default_factory=lambda: Console(stderr=True, soft_wrap=True))
    json_emitted: bool = False  # a command's own JSON answer already went to stdout

    @cached_property
    def services(self) -> Services:
        """This home's collaborators for the command (closed when the command ends)."""
        return Services(self.paths)

    @property
    def settings(self) -> Settings:
        return self.services.settings

    @cached_property
    def display(self) -> Display:
        """How this user reads answers: language, display time zone, coin symbols."""
        coins = self.settings.coins.coins
        return Display(
            lang=self.lang,
            timezone=self.settings.general.display.timezone,
            symbols={c.id: c.symbol.upper() for c in coins},
        )

    def services_at(self, base_url: str | None) -> Services:
        """This command's services, with CoinGecko at ``base_url`` when ``--base-url`` gave one
        (the settings already loaded are kept)."""
        if base_url is not None and base_url != self.services.base_url:
            self.services.close()
            self.services = self.services.derive(base_url=base_url)
        return self.services

    def close(self) -> None:
        """Release what the command opened (the HTTP client), if it built its services."""
        services = self.__dict__.get("services")
        if services is not None:
            services.close()

    def tr(self, message: str, /, **values: object) -> str:
        """``message`` (its English text) in the user's language, formatted with ``values``."""
        return translate(self.lang, message, **values)

    def tr_context(self, context: str, message: str, /, **values: object) -> str:
        """As ``tr``, for an English word whose translation depends on ``context``."""
        return translate_context(self.lang, context, message, **values)

    def line(self, text: object) -> str:
        """A line built by library code (a note, a problem) in the user's language: a
        ``finbot.i18n.Message`` is translated, a plain line is shown as it is."""
        return str(in_language(self.lang, text))

    def error_text(self, exc: FinbotError) -> str:
        """finbot's error ``exc`` as one line in the user's language."""
        return self.line(error_message(exc))

    def emit_json(self, data: object) -> None:
        """One JSON object on stdout and nothing else (the ``--json`` contract)."""
        typer.echo(json.dumps(data, ensure_ascii=False, default=str))
        self.json_emitted = True


def get(ctx: typer.Context) -> AppContext:
    obj = ctx.find_root().obj
    if not isinstance(obj, AppContext):  # pragma: no cover - only when a command is misused
        raise RuntimeError("finbot commands must run under the root app")
    return obj
