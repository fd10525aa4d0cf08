"""The dashboard as a user meets it: Debian's headless Chromium driven by Selenium against a real
server on the trained home. Every page is screenshotted (``screenshots/`` under the test's temp
folder, or ``$FINBOT_SCREENSHOTS`` when set)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait
from typer.testing import CliRunner

from finbot.cli.app import app
from finbot.storage import BarStore
from tests.fixtures.answers import same
from tests.fixtures.dashboard import Served, append_bars

pytestmark = pytest.mark.browser
PAGES = {
    "overview": "/",
    "coin": "/coin?id=bitcoin&tf=1h",
    "questions": "/questions?kind=price&coin=bitcoin&horizon=1h",
    "track": "/track",
    "models": "/models",
    "evaluation": "/evaluation",
    "api-docs": "/api/docs",
}


def shots(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("FINBOT_SCREENSHOTS") or tmp_path / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def wait(driver: Any, check: Any, timeout: float = 30) -> Any:
    """``check(driver)`` once true; an element replaced meanwhile (a live refresh) is looked
    up again at the next poll."""
    ignored = (StaleElementReferenceException, NoSuchElementException)
    waiter = WebDriverWait(driver, timeout, poll_frequency=0.1, ignored_exceptions=ignored)
    return waiter.until(lambda d: check(d))


def errors(driver: Any) -> list[str]:
    return [e["message"] for e in driver.get_log("browser") if e["level"] == "SEVERE"]


def chart(driver: Any) -> Any:
    return driver.find_element(By.ID, "chart")


def drawn(driver: Any, draws: int = 1) -> Any:
    el = chart(driver)
    wait(
        driver,
        lambda d: (
            el.get_attribute("data-drawn") in ("1", "error")
            and int(el.get_attribute("data-draws") or 0) >= draws
        ),
    )
    assert el.get_attribute("data-drawn") == "1", el.get_attribute("data-error")
    return el


def stored(served: Served, coin: str, timeframe: str) -> int:
    return min(BarStore(served.paths.parquet_dir).read(coin, timeframe).height, 5000)


def test_every_page_loads_without_a_console_error(
    dashboard: Served, browser: Any, tmp_path: Path
) -> None:
    folder = shots(tmp_path)
    for name, path in PAGES.items():
        browser.get(dashboard.url.rstrip("/") + path)
        wait(browser, lambda d: d.execute_script("return document.readyState") == "complete")
        if name == "coin":
            drawn(browser)
        wait(browser, lambda d: "on" in d.find_element(By.ID, "live").get_attribute("class"))
        assert errors(browser) == [], name
        assert browser.find_element(By.TAG_NAME, "h1").text
        browser.save_screenshot(str(folder / f"{name}.png"))
        assert (folder / f"{name}.png").stat().st_size > 10_000


def test_the_chart_draws_the_stored_bars_and_redraws_on_a_switch(
    dashboard: Served, browser: Any
) -> None:
    browser.get(dashboard.url + "coin?id=bitcoin&tf=1h")
    el = drawn(browser)
    assert int(el.get_attribute("data-bars")) == stored(dashboard, "bitcoin", "1h") > 0
    browser.find_element(By.CSS_SELECTOR, "button.tf[data-tf='5m']").click()
    el = drawn(browser, 2)
    assert el.get_attribute("data-timeframe") == "5m"
    assert int(el.get_attribute("data-bars")) == stored(dashboard, "bitcoin", "5m") > 0
    assert browser.current_url.endswith("/coin?id=bitcoin&tf=5m")
    Select(browser.find_element(By.ID, "coin-select")).select_by_value("ethereum")
    el = drawn(browser, 3)
    assert el.get_attribute("data-coin") == "ethereum"
    assert int(el.get_attribute("data-bars")) == stored(dashboard, "ethereum", "5m") == 0
    browser.find_element(By.CSS_SELECTOR, "button.tf[data-tf='1h']").click()
    el = drawn(browser, 4)
    assert int(el.get_attribute("data-bars")) == stored(dashboard, "ethereum", "1h") > 0
    assert errors(browser) == []


def test_a_question_form_gives_the_cli_answer(dashboard: Served, browser: Any) -> None:
    browser.get(dashboard.url + "questions")
    form = browser.find_element(By.ID, "q-amount")
    Select(form.find_element(By.NAME, "coin")).select_by_value("bitcoin")
    Select(form.find_element(By.NAME, "horizon")).select_by_value("6h")
    amount = form.find_element(By.NAME, "amount_eur")
    amount.clear()
    amount.send_keys("250")
    form.find_element(By.TAG_NAME, "button").click()
    shown = wait(browser, lambda d: d.find_elements(By.ID, "answer-json"))[0].text
    result = CliRunner().invoke(
        app,
        ["--home", str(dashboard.paths.home), "predict", "--coin", "bitcoin", "--kind", "amount"]
        + ["--horizon", "6h", "--amount-eur", "250", "--json"],
    )
    assert result.exit_code == 0, result.output
    assert same(json.loads(shown)) == same(json.loads(result.stdout))


def test_the_language_switch(dashboard: Served, browser: Any) -> None:
    browser.get(dashboard.url + "models")
    wait(browser, lambda d: d.find_element(By.TAG_NAME, "h1").text == "Models")
    browser.find_element(By.ID, "lang-fr").click()
    wait(browser, lambda d: d.find_element(By.TAG_NAME, "html").get_attribute("lang") == "fr")
    wait(browser, lambda d: d.find_element(By.TAG_NAME, "h1").text == "Modèles")
    wait(browser, lambda d: "Vue d'ensemble" in d.find_element(By.TAG_NAME, "nav").text)
    assert browser.current_url.endswith("/models")
    browser.get(dashboard.url)  # the choice is kept
    wait(browser, lambda d: d.find_element(By.TAG_NAME, "h1").text == "Vue d'ensemble")
    browser.get(dashboard.url + "coin?id=ethereum&tf=1h")
    browser.find_element(By.ID, "lang-en").click()
    wait(browser, lambda d: d.find_element(By.TAG_NAME, "h1").text == "Coin: ethereum")
    assert browser.current_url.endswith("/coin?id=ethereum&tf=1h")  # the same page, in English
    assert errors(browser) == []


def test_a_live_update_arrives_after_a_write(dashboard: Served, browser: Any) -> None:
    browser.get(dashboard.url + "coin?id=bitcoin&tf=1h")
    el = drawn(browser)
    wait(browser, lambda d: "on" in d.find_element(By.ID, "live").get_attribute("class"))
    before = int(el.get_attribute("data-bars"))
    append_bars(dashboard.paths, "bitcoin", 4, 7)
    wait(
        browser,
        lambda d: int(d.find_element(By.TAG_NAME, "body").get_attribute("data-live-version")) >= 1,
    )
    assert int(chart(browser).get_attribute("data-bars")) == before + 4  # no reload
    browser.get(dashboard.url)
    wait(browser, lambda d: "on" in d.find_element(By.ID, "live").get_attribute("class"))
    append_bars(dashboard.paths, "bitcoin", 1, 8)
    wait(
        browser,
        lambda d: int(d.find_element(By.TAG_NAME, "body").get_attribute("data-live-version")) >= 1,
    )
    assert errors(browser) == []


def test_a_non_loopback_server_wants_the_token(
    guarded_dashboard: Served, browser: Any, tmp_path: Path
) -> None:
    served = guarded_dashboard
    browser.get(served.url + "models")
    wait(browser, lambda d: d.current_url.endswith("/login"))
    browser.get(served.url + "api/v1/status")
    assert "token required" in browser.page_source
    browser.get(served.url + "login")
    browser.find_element(By.ID, "token").send_keys(served.token)
    browser.find_element(By.ID, "login").click()
    wait(browser, lambda d: d.find_element(By.TAG_NAME, "h1").text == "Overview")
    assert browser.get_cookie("finbot_session")["httpOnly"] is True
    browser.get(served.url + "models")
    assert browser.find_elements(By.CSS_SELECTOR, "form.retrain")  # logged in: retrain shown
    browser.save_screenshot(str(shots(tmp_path) / "models-logged-in.png"))


def test_the_evaluation_page_draws_the_equity_curves(
    dashboard: Served, browser: Any, tmp_path: Path
) -> None:
    browser.get(dashboard.url + "evaluation")
    wait(browser, lambda d: "on" in d.find_element(By.ID, "live").get_attribute("class"))
    assert not browser.find_elements(By.CSS_SELECTOR, ".equity")
    args = ["evaluate", "--coin", "bitcoin", "--horizon", "1h", "--folds", "2", "--bars", "1000"]
    result = CliRunner().invoke(
        app, ["--home", str(dashboard.paths.home), *args, "--algorithm", "linear", "--json"]
    )
    assert result.exit_code == 0, result.output
    # the page follows the new result live, then draws its curves
    curves = wait(browser, lambda d: d.find_elements(By.CSS_SELECTOR, ".equity[data-drawn='1']"))
    assert len(curves) == 1
    assert "bitcoin 1h" in browser.find_element(By.CSS_SELECTOR, "section.card h2").text
    assert errors(browser) == []
    browser.save_screenshot(str(shots(tmp_path) / "evaluation-run.png"))
