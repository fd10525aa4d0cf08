"""Every ``--help`` page in the user's language: command lists, each command's page, and the
words Click and Typer write themselves.

- The command lists show each command's ``short_help``: the one-line summaries below.
- A command's own page shows its docstring and each option's ``help=``, written in English in
  the code. ``make messages`` reads them from the command tree (``help_messages``) into the
  catalog, and ``apply_command_help`` swaps in their translation once the language is known,
  before Click prints any help.
- Typer's own words (the headings, "[default: …]") are read through gettext's process-wide
  domain, so ``framework_language`` points it at finbot's catalog for the time of one
  command; the help option's text is set here (Typer's copy of Click writes it in English).
"""

from __future__ import annotations

import gettext
import inspect
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from finbot.i18n import DOMAIN, LOCALE_DIR, N_, catalog, translate

# Where the English of a command's page is kept once the page has been translated, so that a
# later run in another language (the tests invoke one command tree many times) starts again
# from the English
_ENGLISH = "_finbot_english_help"

# the command's path (group and name) → its one-line help
COMMAND_HELP: dict[str, str] = {
    "settings": N_("Show the effective configuration, API keys masked."),
    "import-csv": N_("Import an OHLCV CSV into the store; bad rows listed by line."),
    "collect": N_("Run one collector once."),
    "collect-historical": N_("Backfill history; a second run fetches only what is missing."),
    "replay-server": N_("Serve CoinGecko-shaped data on loopback until Ctrl-C."),
    "train": N_("Train models for a coin and horizon, against the naive baseline."),
    "train-incremental": N_("Update models; never replace a better one."),
    "cleanup-models": N_("Delete old model versions (never the live ones)."),
    "predict": N_("Predict a price, an amount's value, when a gain comes, the best moves."),
    "evaluate": N_("Walk-forward backtest of what the bot would serve."),
    "confidence-metrics": N_("Interval coverage per coin and horizon."),
    "tracker": N_("Past predictions against what happened."),
    "start": N_("Start the bot (scheduler, collectors, training)."),
    "stop": N_("Stop the bot gracefully."),
    "status": N_("Process, jobs, data, models, tracker, API usage, system."),
    "demo": N_("Offline demo, from collection to report."),
    "dashboard": N_("Serve the web dashboard and the REST API."),
    "menu": N_("Interactive menu: predictions, status, models, confidence."),
    "storage": N_("Check and maintain the Parquet store."),
    "storage verify": N_("Check every Parquet file; quarantine damaged ones; report gaps."),
    "storage retention": N_("Drop bars older than each timeframe's retention."),
    "storage summary": N_("Rows, files and time span per coin and timeframe."),
    "models": N_("Saved models."),
    "models list": N_("Each live model with its MAE ratio to the naive baseline."),
    "models cleanup": N_("Delete old model versions (never the live ones)."),
    "coins": N_("Coins followed."),
    "coins list": N_("The coins finbot follows."),
    "coins add": N_("Follow one more coin (checked against CoinGecko)."),
    "alerts": N_("Alerts: test, list, history."),
    "alerts test": N_("Send a test message to the configured channels."),
    "alerts list": N_("The channels and the rules."),
    "alerts history": N_("Every alert sent, failed or dropped, newest first."),
}
HELP_OPTION = N_("Show this message and exit.")  # the -h / --help option of every page
# French command names that stand for an English group (their sub-commands share its help)
GROUP_ALIASES = {"modeles": "models", "cryptos": "coins", "alertes": "alerts"}


def apply_command_help(group: Any, lang: str, ctx: Any, prefix: str = "") -> None:
    """Put each command under the Click ``group`` (and ``group`` itself) in ``lang``: its
    one-line ``short_help``, the text of its own page, each option's help and the ``--help``
    option's (``ctx``: the root context, which names the help options)."""
    if not prefix:
        _translate_page(group, lang, ctx)
    for name, command in getattr(group, "commands", {}).items():
        key = prefix + name if prefix else GROUP_ALIASES.get(name, name)
        if key in COMMAND_HELP:
            command.short_help = translate(lang, COMMAND_HELP[key])
        _translate_page(command, lang, ctx)
        apply_command_help(command, lang, ctx, f"{key} ")


def _translate_page(command: Any, lang: str, ctx: Any) -> None:
    english = command.__dict__.setdefault(
        _ENGLISH,
        (command.help, [getattr(param, "help", None) for param in command.params]),
    )
    text, params = english
    words = catalog(lang)  # help texts are shown as written: no placeholders to fill
    if text:
        command.help = words.gettext(text)
    for param, help_text in zip(command.params, params, strict=True):
        if help_text:
            param.help = words.gettext(help_text)
    help_option = command.get_help_option(ctx)
    if help_option is not None:
        help_option.help = translate(lang, HELP_OPTION)


def help_messages(group: Any, where: str) -> Iterator[tuple[str, str]]:
    """Each English text of the ``--help`` pages under ``group`` (the group's own included)
    with the source file that writes it (relative to the folder holding ``finbot``; ``where``
    for a group without a function of its own), for ``make messages``."""
    source = _source(group, where)
    english = group.__dict__.get(_ENGLISH)
    text, params = english if english else (group.help, [p.help for p in group.params])
    if text:
        yield text, source
    for help_text in params:
        if help_text:
            yield help_text, source
    for command in getattr(group, "commands", {}).values():
        yield from help_messages(command, source)


def _source(command: Any, default: str) -> str:
    callback = getattr(command, "callback", None)
    module = inspect.getmodule(callback) if callback is not None else None
    path = getattr(module, "__file__", None)
    if path is None or not getattr(module, "__name__", "").startswith("finbot."):
        return default  # a group without a callback of its own (Typer gives it one)
    package_parent = Path(__file__).resolve().parents[2]  # the folder holding finbot/
    return Path(path).resolve().relative_to(package_parent).as_posix()


@contextmanager
def framework_language(lang: str) -> Iterator[None]:
    """Typer's own messages in ``lang`` for the ``with`` block.

    Typer calls ``gettext.gettext``, which reads the process-wide text domain in the language the
    ``LANGUAGE`` variable names; both are set to finbot's catalog and ``lang`` here (finbot's
    catalog holds those messages, see ``scripts/messages.py``) and put back afterwards."""
    previous_domain = gettext.textdomain()
    previous_language = os.environ.get("LANGUAGE")
    gettext.bindtextdomain(DOMAIN, str(LOCALE_DIR))
    gettext.textdomain(DOMAIN)
    os.environ["LANGUAGE"] = lang
    try:
        yield
    finally:
        gettext.textdomain(previous_domain)
        if previous_language is None:
            os.environ.pop("LANGUAGE", None)
        else:
            os.environ["LANGUAGE"] = previous_language
