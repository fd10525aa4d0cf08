"""finbot's language: messages from the gettext catalogs (``messages``), numbers, money,
percentages and times written per locale with Babel (``formatting``), and every failure a user
can meet as one line in that language (``failures``)."""

from finbot.i18n.failures import Failure, describe, failure_line
from finbot.i18n.formatting import (
    Display,
    Number,
    local_time,
    localise_number,
    localise_values,
    money,
    number,
    percent,
)
from finbot.i18n.messages import (
    DOMAIN,
    LOCALE_DIR,
    N_,
    Message,
    catalog,
    error_message,
    in_language,
    translate,
    translate_context,
)

__all__ = [
    "Display",
    "DOMAIN",
    "Failure",
    "LOCALE_DIR",
    "Message",
    "N_",
    "Number",
    "catalog",
    "describe",
    "error_message",
    "failure_line",
    "in_language",
    "local_time",
    "localise_number",
    "localise_values",
    "money",
    "number",
    "percent",
    "translate",
    "translate_context",
]
