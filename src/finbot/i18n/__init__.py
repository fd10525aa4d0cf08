"""finbot's language: messages from the gettext catalogs (``messages``) and numbers, money,
percentages and times written per locale with Babel (``formatting``)."""

from finbot.i18n.formatting import (
    Display,
    auto_digits,
    local_time,
    localise_number,
    localise_values,
    money,
    number,
    percent,
    zone,
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
    "LOCALE_DIR",
    "Message",
    "N_",
    "auto_digits",
    "catalog",
    "error_message",
    "in_language",
    "local_time",
    "localise_number",
    "localise_values",
    "money",
    "number",
    "percent",
    "translate",
    "translate_context",
    "zone",
]
