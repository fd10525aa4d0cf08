"""Numbers, money, percentages and times as the user's language writes them (Babel's CLDR data).

Every command and report formats through these helpers, which take the language first:
``number("fr", 1234.56, 2)`` is ``1 234,56`` (a narrow no-break space groups, a comma marks the
decimals), ``money("fr", 1234.56, "EUR")`` is ``1 234,56 €``, ``percent("fr", 0.125, 1)`` is
``12,5 %``. English keeps finbot's spelling: ``1,234.56``, ``1,234.56 EUR``, ``12.5 %``.
Times are stored in UTC; ``local_time`` shows one in the display time zone (``zoneinfo``).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

from babel import Locale
from babel.numbers import format_currency, format_decimal

# a number as Python's format mini-language writes it: sign, ',' groups, '.' decimals, and
# maybe a unit after a space (``12.5 %``, ``3.2 h``, ``0.5 pts``)
_PY_NUMBER = re.compile(r"^[+\-−±]?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?( ?%| [a-z]{1,4})?$")
_CURRENCY_DIGITS = 2


SPOKEN = ("en", "fr")  # the languages finbot has messages in; any other one reads as English


@lru_cache(maxsize=4)
def _locale(lang: str) -> Locale:
    """The CLDR locale of ``lang``; English for a language finbot does not speak."""
    return Locale.parse(lang if lang in SPOKEN else "en")


def _auto_digits(value: float) -> int:
    """Decimals by magnitude, as a price reads: 59,673 / 150.01 / 0.5502 / 0.000012."""
    size = abs(value)
    return 0 if size >= 1000 else 2 if size >= 1 else 4 if size >= 0.01 else 6


def number(lang: str, value: float, digits: int | None = None, *, signed: bool = False) -> str:
    """``value`` with ``digits`` decimals (by magnitude when ``None``), grouped per ``lang``."""
    places = _auto_digits(value) if digits is None else digits
    decimals = "." + "0" * places if places else ""
    pattern = f"#,##0{decimals}"
    if signed:
        pattern = f"+{pattern};-{pattern}"
    return format_decimal(value, format=pattern, locale=_locale(lang), group_separator=True)


def percent(lang: str, fraction: float, digits: int = 2, *, signed: bool = False) -> str:
    """A fraction as a percentage: ``12.5 %`` in English, ``12,5 %`` in French."""
    return f"{number(lang, fraction * 100, digits, signed=signed)} %"


def money(lang: str, value: float, currency: str, digits: int | None = None) -> str:
    """An amount in ``currency`` (ISO code): ``1 234,56 €`` in French, ``1,234.56 EUR`` in
    English (finbot's English names the code after the amount, as its messages always have)."""
    places = _CURRENCY_DIGITS if digits is None else digits
    if _locale(lang).language == "en":
        return f"{number(lang, value, places)} {currency}"
    decimals = "." + "0" * places if places else ""
    return format_currency(
        value,
        currency,
        format=f"#,##0{decimals}\u00a0¤",
        locale=_locale(lang),
        currency_digits=False,
    )


class Number:
    """A number that a message shows per language: ``Number(1.00071, 4)`` formats (``str``,
    ``format``, so the English text of a ``Message``) as ``1.0007`` and ``in_language("fr")``
    gives ``1,0007``. A template writes ``{ratio}``, not ``{ratio:.4f}``: the digits travel
    with the value. ``signed`` writes the sign of a positive value too (``+0.50``); ``unit``
    is written after the number (``" %"``). Keep ``--json`` values plain numbers."""

    __slots__ = ("digits", "signed", "unit", "value")

    def __init__(
        self, value: float, digits: int | None = None, *, signed: bool = False, unit: str = ""
    ) -> None:
        self.value, self.digits, self.signed, self.unit = float(value), digits, signed, unit

    def in_language(self, lang: str) -> str:
        """The number as ``lang`` writes it (Babel's separators)."""
        if not math.isfinite(self.value):
            return str(self.value) + self.unit
        return number(lang, self.value, self.digits, signed=self.signed) + self.unit

    def __format__(self, spec: str) -> str:
        return format(self.in_language("en"), spec)

    def __str__(self) -> str:
        return self.in_language("en")

    def __repr__(self) -> str:
        return f"Number({self.value!r}, {self.digits!r})"

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Number):
            return str(self) == str(other)
        return NotImplemented

    def __hash__(self) -> int:
        return hash(str(self))


def localise_number(lang: str, text: str) -> str:
    """A number already written as Python writes it (``-1,234.56``, ``+0.50 %``, ``3.2 h``) in
    ``lang``'s separators; any other text is returned as it is (a horizon list, a name)."""
    if not _PY_NUMBER.match(text.strip()):
        return text
    loc = _locale(lang)
    point = loc.number_symbols["latn"]["decimal"]
    group = loc.number_symbols["latn"]["group"]
    return "".join(point if ch == "." else group if ch == "," else ch for ch in text)


def localise_values(lang: str, values: dict[str, object]) -> dict[str, object]:
    """``values`` with each pre-formatted number (a string) rewritten for ``lang``."""
    return {k: localise_number(lang, v) if isinstance(v, str) else v for k, v in values.items()}


def local_time(ms: int, tz: str = "UTC", *, compact: bool = False) -> str:
    """Epoch milliseconds (UTC) in the display zone ``tz``: ``2026-12-01 09:00 CET``, or with
    ``compact`` the short form tables use at 80 columns (``12-01 09:00``)."""
    when = datetime.fromtimestamp(ms / 1000, tz=UTC).astimezone(ZoneInfo(tz))
    if compact:
        return when.strftime("%m-%d %H:%M")
    return when.strftime("%Y-%m-%d %H:%M ") + (when.tzname() or tz)


def _epoch_ms(value: int | float | str) -> int | None:
    """Epoch milliseconds from an epoch number or an ISO-8601 UTC text (``…Z``)."""
    if isinstance(value, int | float):
        return int(value)
    try:
        when = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return int((when if when.tzinfo else when.replace(tzinfo=UTC)).timestamp() * 1000)


@dataclass(frozen=True)
class Display:
    """How one user reads answers: language, display time zone, coin symbols (``bitcoin`` is
    ``BTC``). Tables and answers format through it; storage and ``--json`` stay UTC and ids."""

    lang: str = "en"
    timezone: str = "UTC"
    symbols: Mapping[str, str] = field(default_factory=dict)

    def coin(self, coin_id: str) -> str:
        """The coin's symbol (``BTC``), or its id when it has none."""
        return self.symbols.get(coin_id, coin_id)

    def when(self, value: int | float | str | None, *, compact: bool = True) -> str:
        """A stored time (epoch ms or ISO UTC text) in the display zone: ``12-01 09:00``."""
        if value is None or value == "":
            return "—"
        ms = _epoch_ms(value)
        return str(value) if ms is None else local_time(ms, self.timezone, compact=compact)

    def number(self, value: float | None, digits: int | None = None) -> str:
        return "—" if value is None else number(self.lang, value, digits)

    def percent(self, fraction: float | None, digits: int = 1, *, signed: bool = False) -> str:
        return "—" if fraction is None else percent(self.lang, fraction, digits, signed=signed)
