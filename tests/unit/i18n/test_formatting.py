"""``finbot.i18n.formatting``: numbers, money, percentages and times per locale (Babel)."""

from __future__ import annotations

import pytest

from finbot.i18n import Display, local_time, localise_number, money, number, percent

pytestmark = pytest.mark.unit
NNBSP = "\u202f"  # French groups thousands with a narrow no-break space
NBSP = "\u00a0"


def test_french_numbers_money_and_percentages() -> None:
    assert number("fr", 1234.56, 2) == f"1{NNBSP}234,56"
    assert money("fr", 1234.56, "EUR") == f"1{NNBSP}234,56{NBSP}€"
    assert money("fr", -3.57, "EUR") == f"-3,57{NBSP}€"
    assert percent("fr", 0.125, 1) == "12,5 %"
    assert percent("fr", 0.0, 2, signed=True) == "+0,00 %"
    assert number("fr", 1.0, 3) == "1,000"  # "ratio MAE 1,000"


def test_english_keeps_finbots_spelling() -> None:
    assert number("en", 1234.56, 2) == "1,234.56"
    assert money("en", 1234.56, "EUR") == "1,234.56 EUR"
    assert percent("en", -0.0037, 2, signed=True) == "-0.37 %"
    assert number("en", 59673.3) == "59,673"  # decimals by magnitude: a price, not 59673.3
    assert number("en", 0.530516) == "0.5305"


def test_a_language_finbot_does_not_speak_reads_as_english() -> None:
    assert number("de", 1234.5, 1) == "1,234.5"


def test_localise_number_leaves_words_alone() -> None:
    assert localise_number("fr", "+0.50 %") == "+0,50 %"
    assert localise_number("fr", "1h, 6h") == "1h, 6h"
    assert localise_number("fr", "BUY") == "BUY"
    assert localise_number("fr", "a1.5") == "a1.5"  # a word with a number inside stays
    assert localise_number("fr", "±0.55 %") == "±0,55 %"


def test_times_in_the_display_zone() -> None:
    ms = 1_764_579_600_000  # 2025-12-01T09:00:00Z
    assert local_time(ms) == "2025-12-01 09:00 UTC"
    assert local_time(ms, "Europe/Paris") == "2025-12-01 10:00 CET"
    assert local_time(ms, "Europe/Paris", compact=True) == "12-01 10:00"


def test_display_reads_stored_values() -> None:
    show = Display(lang="fr", timezone="Asia/Tokyo", symbols={"bitcoin": "BTC"})
    assert show.coin("bitcoin") == "BTC" and show.coin("newcoin") == "newcoin"
    assert show.when("2025-12-01T09:00:00Z") == "12-01 18:00"
    assert show.when(None) == "—" and show.number(None) == "—"
    assert show.percent(0.764) == "76,4 %"
