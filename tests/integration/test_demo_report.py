"""The demo's HTML report: readable at 1,280 px and on a phone (no page-wide element, images
that shrink, a grid of charts), a legend, formatted numbers, and per coin the price history
with the forecast and its interval drawn ahead."""

from __future__ import annotations

import re

import pytest

from finbot.ops.demo import _recent_history
from finbot.ops.demo_report import DemoResult, answer_row, write_demo_report
from finbot.paths import Paths
from finbot.prediction import questions as q
from finbot.services import Services, live_sources

pytestmark = pytest.mark.integration


def _result(home: Paths) -> DemoResult:
    services = Services(home)
    sources = live_sources(services)
    answers = [q.assess(services.settings, sources, "bitcoin", h) for h in ("1h", "6h")]
    answers.append(q.assess(services.settings, sources, "ethereum", "1h"))
    trained = [{"coin": "bitcoin", "horizon": "1h", "mae_ratio": 0.815}]
    return DemoResult(
        phases={"serve": 1.04, "collect": 59673.3},
        trained=trained,
        answers=answers,
        history=_recent_history(services, ["bitcoin", "ethereum"]),
    )


def test_report_is_responsive_with_legends_charts_and_formatted_numbers(
    trained_home: Paths,
) -> None:
    result = _result(trained_home)
    assert len(result.history["bitcoin"][0]) == 3 * 24
    page = write_demo_report(result, 0.8, trained_home.reports_dir, lang="en").read_text("utf-8")
    assert 'name="viewport"' in page and "max-width:1200px" in page
    assert "img{max-width:100%" in page and "overflow-x:auto" in page
    assert "grid-template-columns:repeat(auto-fill" in page
    # one chart of models + one per coin (bitcoin, ethereum), each with its legend inside
    assert page.count("data:image/png;base64,") == 3
    assert '<p class="legend">' in page and "MAE / naive: below 1" in page
    assert "59,673.3 s" in page  # a figure with its thousands separator, not 59673.3
    rows = [answer_row(a) for a in result.answers]
    for r in rows:
        price = r["last_price"]
        shown = f"{price:,.0f}" if price >= 1000 else f"{price:,.2f}"
        assert f"<td>{shown}</td>" in page
    assert not re.search(r"<td>[-+]?\d+\.\d{5,}", page)  # no raw floats such as 0.530516
    # nothing wider than a 1,280 px screen is fixed in the page
    widths = [int(w) for w in re.findall(r"width:(\d+)px", page)]
    assert widths and max(widths) <= 1200
