"""status: every section read from the database and files; a broken section reports its
error; Rich tables in both languages; the CLI commands through Typer's runner."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from rich.console import Console
from typer.testing import CliRunner

from finbot.cli.app import app
from finbot.clock import FakeClock
from finbot.i18n import translate
from finbot.ops import status as st
from finbot.ops import system
from finbot.ops.process import InstanceLock
from finbot.ops.status_view import render_status
from finbot.paths import Paths
from finbot.services import Services

pytestmark = pytest.mark.unit
KEYS = {
    "running",
    "pid",
    "uptime_s",
    "jobs",
    "data",
    "models",
    "tracker",
    "api_usage",
    "collectors",
    "system",
}


def _tr(lang: str):
    return lambda message, **kw: translate(lang, message, **kw)


@pytest.mark.usefixtures("db_backend")
def test_status_of_a_fresh_home_has_every_key(settings, home: Paths) -> None:
    data = st.collect_status(Services(home, settings, clock=FakeClock(1_717_200_000))).to_json()
    assert set(data) >= KEYS
    assert data["running"] is False and data["pid"] is None and data["jobs"] == []
    assert data["models"]["training_progress"]["trained"] == 0
    assert data["api_usage"]["state"] == "GREEN"
    assert data["as_of"] == "2024-06-01T00:00:00Z"
    json.dumps(data)


def test_a_running_bot_shows_its_pid_and_uptime(settings, home: Paths) -> None:
    with InstanceLock(home):
        data = st.collect_status(Services(home, settings)).to_json()
    assert data["running"] is True and data["pid"] == os.getpid()
    assert data["uptime_s"] is not None and data["uptime_s"] >= 0
    assert data["system"]["bot_process"]["rss_mb"] > 0


def test_a_broken_section_reports_instead_of_crashing(
    settings, home: Paths, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_a: object) -> None:
        raise OSError("disk unreadable")

    def missing(*_a: object) -> None:
        raise ImportError("No module named 'finbot.prediction.models.model_store'")

    monkeypatch.setattr(st, "data_section", broken)
    monkeypatch.setattr(st, "models_section", missing)
    report = st.collect_status(Services(home, settings))
    assert report.data == st.SectionError("system error: disk unreadable")  # the CLI's line
    data = report.to_json()
    assert data["data"] == {"error": "system error: disk unreadable"}
    assert data["models"]["error"].startswith("not available: ")
    assert data["api_usage"]["state"] == "GREEN"


@pytest.mark.usefixtures("db_backend")
def test_api_usage_recorded_by_another_process_is_seen(settings, home: Paths) -> None:
    code = (
        "from finbot.collectors.usage import ApiUsageStore\n"
        "from finbot.storage.db import engine_for\nimport time\n"
        f"s = ApiUsageStore(engine_for({home.db_url!r}))\n"
        "now = int(time.time() * 1000)\n"
        "for i in range(3): s.record('/simple/price', 200, 50.0, 'public', now)\n"
        "s.record('/coins/markets', 429, 10.0, 'public', now)\n"
        "s.record_collector_run('prices', 'ok', 120.0, 10, None, 2, 1, ts_ms=now)\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)
    data = st.collect_status(Services(home, settings)).to_json()
    usage = data["api_usage"]
    assert usage["minute"]["requests"] == 4 and usage["errors_24h"] == 1
    assert usage["per_endpoint"] == {"/simple/price": 3, "/coins/markets": 1}
    prices = data["collectors"]["prices"]
    assert prices["last_status"] == "ok" and prices["cache_hits"] == 2
    assert prices["last_run"].endswith("Z")


def test_data_and_models_sections(settings, home: Paths, monkeypatch: pytest.MonkeyPatch) -> None:
    import polars as pl

    from finbot.prediction.models import model_store
    from finbot.schema import conform
    from finbot.storage.parquet_writer import BarStore

    now_ms = 1_717_200_000_000
    bars = conform(
        pl.DataFrame(
            {
                "ts": [now_ms - 7_200_000, now_ms - 3_600_000],
                "open": [1.0, 2.0],
                "high": [1.0, 2.0],
                "low": [1.0, 2.0],
                "close": [1.0, 2.0],
                "volume": [1.0, 1.0],
                "market_cap": [None, None],
                "source": ["t", "t"],
            }
        )
    )
    BarStore(home.parquet_dir).upsert("bitcoin", "1h", bars)
    models = [
        {
            "coin": "bitcoin",
            "timeframe": "1h",
            "horizon": "1h",
            "version": "v2",
            "algorithm": "lightgbm",
            "trained_at": "2024-05-31T12:00:00Z",
            "mae_ratio": 0.98,
            "versions": 2,
        }
    ]
    monkeypatch.setattr(model_store.ModelStore, "list_models", lambda _self: models)
    data = st.collect_status(Services(home, settings, clock=FakeClock(now_ms / 1000))).to_json()
    assert data["data"]["bitcoin"]["1h"] == {
        "rows": 2,
        "files": 1,
        "newest": "2024-05-31T23:00:00Z",
        "age_s": 3600,
    }
    [latest] = data["models"]["latest"]
    assert latest["age_h"] == 12.0 and latest["mae_ratio"] == 0.98 and latest["versions"] == 2
    expected = len(settings.coins.ids) * len(settings.general.horizons)
    assert data["models"]["training_progress"] == {"trained": 1, "expected": expected}


@pytest.mark.parametrize(
    "value, hours",
    [
        ("2024-05-31T12:00:00Z", 12.0),
        (1_717_156_800, 12.0),
        (1_717_156_800_000, 12.0),
        (None, None),
    ],
)
def test_model_age(value: object, hours: float | None) -> None:
    assert st._age_hours(value, 1_717_200_000_000) == hours


@pytest.mark.parametrize(
    "lang, words",
    [
        ("en", ["not running", "API usage", "Scheduler jobs", "Tracked predictions", "Models"]),
        (
            "fr",
            [
                "arrêté",
                "Utilisation de l'API",
                "Tâches planifiées",
                "Prédictions suivies",
                "Modèles",
            ],
        ),
    ],
)
def test_tables_render_in_both_languages(
    settings, home: Paths, lang: str, words: list[str]
) -> None:
    from finbot.ops.jobs import heartbeat

    heartbeat(str(home.home))
    report = st.collect_status(Services(home, settings))
    report.data = {"bitcoin": {"1h": {"rows": 5, "files": 1, "newest": "x", "age_s": 90000}}}
    report.collectors = {"prices": {"last_status": "ok", "runs": 1, "failures": 0}}
    assert not isinstance(report.tracker, st.SectionError)
    report.tracker["accuracy"] = {
        "bitcoin": {"1h": {"24h": {"n": 2, "mae": 0.01, "hit_rate": 0.5, "coverage": None}}}
    }
    console = Console(record=True, width=200)
    render_status(report, console, _tr(lang))
    text = console.export_text()
    for word in words:
        assert word in text
    assert "heartbeat" in text and "1.0 d" in text and "50.0 %" in text


def test_a_failed_section_prints_its_error_line(home: Paths) -> None:
    console = Console(record=True, width=200)
    render_status(
        st.StatusReport(
            home="h",
            as_of="2024-06-01T00:00:00Z",
            process={"running": True, "pid": 3, "uptime_s": 65, "started_at": None},
            jobs=[],
            data={},
            models=st.SectionError("not available: no module"),
            tracker=st.SectionError("OperationalError: database is locked"),
            api_usage={},
            collectors={},
            system={},
        ),
        console,
        _tr("en"),
    )
    text = console.export_text()
    assert "running (PID 3, up 1.1 min)" in text
    assert "Models: not available: no module" in text
    assert "Tracker: OperationalError: database is locked" in text
    assert "Data: nothing yet" in text


def test_gpu_detection(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    monkeypatch.setattr(system.shutil, "which", lambda _n: None)
    assert system.gpu_info()["present"] is False
    fake = tmp_path / "nvidia-smi"
    fake.write_text("#!/bin/sh\necho 'GPU 0: NVIDIA H100 (UUID: GPU-1)'\n")
    fake.chmod(0o755)
    monkeypatch.setattr(system.shutil, "which", lambda _n: str(fake))
    info = system.gpu_info()
    assert info["present"] is True and info["devices"] == ["GPU 0: NVIDIA H100 (UUID: GPU-1)"]


def test_process_metrics_of_a_gone_process() -> None:
    assert system.process_metrics(2**22 + 12345) == {}


# ------------------------------------------------------------------ CLI through the runner
runner = CliRunner()


def test_status_json_prints_one_object(home: Paths) -> None:
    result = runner.invoke(app, ["--home", str(home.home), "status", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert set(data) >= KEYS and data["running"] is False


def test_etat_speaks_french(home: Paths) -> None:
    result = runner.invoke(app, ["--home", str(home.home), "--lang", "fr", "etat"])
    assert result.exit_code == 0, result.output
    assert "arrêté" in result.stdout and "Tâches planifiées" in result.stdout


@pytest.mark.parametrize(
    "command, lang, text",
    [
        ("stop", "en", "Stale PID file cleaned"),
        ("arreter", "fr", "Fichier PID périmé nettoyé"),
    ],
)
def test_stop_cleans_a_stale_pid_file(home: Paths, command: str, lang: str, text: str) -> None:
    home.pid_file.write_text("4206942")
    result = runner.invoke(app, ["--home", str(home.home), "--lang", lang, command])
    assert result.exit_code == 0, result.output
    assert text in result.stdout and "4206942" in result.stdout
    assert not home.pid_file.exists()


@pytest.mark.parametrize("command", ["start", "demarrer"])
def test_start_refused_while_running_exits_1_with_the_pid(home: Paths, command: str) -> None:
    with InstanceLock(home):
        result = runner.invoke(app, ["--home", str(home.home), command, "--no-setup"])
    assert result.exit_code == 1
    assert f"already running (PID {os.getpid()})" in result.stderr


def test_start_with_bad_configuration_exits_2(home: Paths) -> None:
    (home.config_dir / "settings.json").write_text('{"cadences_sec": {"prices": 5}}')
    result = runner.invoke(app, ["--home", str(home.home), "start", "--no-setup"])
    assert result.exit_code == 2
    assert "prices" in result.stderr


def test_a_failed_section_speaks_french_too() -> None:
    """The section's failure is the command line's line, in the user's language."""
    from finbot.i18n import Display, failure_line

    denied = PermissionError(13, "Permission denied", "/h/finbot.db")
    report = st.StatusReport(
        home="h",
        as_of="2024-06-01T00:00:00Z",
        process={"running": False, "pid": None, "uptime_s": None, "started_at": None},
        jobs=[],
        data={},
        models={},
        tracker=st.SectionError(failure_line(denied)),
        api_usage={},
        collectors={},
        system={},
    )
    console = Console(record=True, width=200)
    render_status(report, console, _tr("fr"), Display(lang="fr"))
    text = console.export_text()
    assert "accès refusé : /h/finbot.db : rendez-le accessible en écriture" in text, text
    assert report.to_json()["tracker"]["error"].startswith("permission denied: /h/finbot.db")
