"""Each command's one-line help in the user's language, for the command lists of ``--help``.

Typer takes a command's help from its docstring, which the catalog cannot hold; the one-line
summaries below are catalog messages instead, set as each command's ``short_help`` (what the
lists show) once the language is known, before Click prints any help. A command's own
``--help`` page keeps its docstring. Aliases are written in French already (their own
``help=``) and are left as they are.
"""

from __future__ import annotations

from typing import Any

from finbot.i18n import N_, translate

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
# French command names that stand for an English group (their sub-commands share its help)
GROUP_ALIASES = {"modeles": "models", "cryptos": "coins", "alertes": "alerts"}


def apply_command_help(group: Any, lang: str, prefix: str = "") -> None:
    """Set each command's ``short_help`` under the Click ``group`` to its one-line help in
    ``lang`` (commands without an entry, the aliases, keep theirs)."""
    for name, command in getattr(group, "commands", {}).items():
        key = prefix + GROUP_ALIASES.get(name, name) if not prefix else prefix + name
        if key in COMMAND_HELP:
            command.short_help = translate(lang, COMMAND_HELP[key])
        apply_command_help(command, lang, f"{key} ")
