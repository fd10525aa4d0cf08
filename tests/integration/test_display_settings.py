"""``settings.json``'s ``display``: EUR beside USD (from the stored EUR/USD rate) and the time
zone answers are shown in; storage and ``--json`` stay UTC and USD."""

from __future__ import annotations

import json
import time

import pytest
from typer.testing import CliRunner

from finbot.cli.app import app
from finbot.paths import Paths

pytestmark = pytest.mark.integration


def invoke(home: Paths, *args: str, lang: str = "en"):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(app, ["--home", str(home.home), "--lang", lang, *args])


def _display(home: Paths, **display: object) -> None:
    home.config_dir.mkdir(parents=True, exist_ok=True)
    (home.config_dir / "settings.json").write_text(json.dumps({"display": display}), "utf-8")


def _fx(home: Paths, rate: float) -> None:
    from finbot.collectors import cache_path

    now = int(time.time() * 1000)
    home.cache_dir.mkdir(parents=True, exist_ok=True)
    cache_path(home.cache_dir).write_text(
        json.dumps({"rate": rate, "as_of_ms": now, "source": "test", "fetched_ms": now}), "utf-8"
    )


def test_eur_beside_usd_and_the_display_time_zone(trained_home: Paths) -> None:
    _fx(trained_home, 0.9)
    plain = invoke(trained_home, "predict", "--coin", "BTC", "--horizon", "1h").output
    assert " EUR (EUR/USD" not in plain and "Z);" in plain  # default: USD only, UTC
    _display(trained_home, timezone="Asia/Tokyo", eur_beside_usd=True)
    text = invoke(trained_home, "predict", "--coin", "BTC", "--horizon", "1h").output
    lines = text.splitlines()
    price = float(lines[0].split(": ")[1].split(" $")[0].replace(",", ""))
    assert lines[1].startswith(f"  {lines[0].split(': ')[1].split(' $')[0]} $ = ")
    assert f"{price * 0.9:,.2f} EUR (EUR/USD 1.1111)" in lines[1]
    assert " JST)" in text  # the bar's time in Tokyo
    french = invoke(trained_home, "predict", "--coin", "BTC", "--horizon", "1h", lang="fr").output
    assert "\u00a0€ (EUR/USD 1,1111)" in french
    data = json.loads(
        invoke(trained_home, "predict", "--coin", "BTC", "--horizon", "1h", "--json").output
    )
    assert isinstance(data["as_of"], str | int) and "JST" not in json.dumps(data)


def test_a_bad_time_zone_is_one_config_line(trained_home: Paths) -> None:
    _display(trained_home, timezone="Mars/Olympus")
    result = invoke(trained_home, "models", "list")
    assert result.exit_code == 2
    assert "display.timezone" in result.output and "IANA time zone" in result.output
