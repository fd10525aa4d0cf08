"""Logs: JSON lines with the expected keys, rotation at the cap, keys masked, idempotent."""

from __future__ import annotations

import json
import logging

import pytest

from finbot.ops import logs
from finbot.paths import Paths

pytestmark = pytest.mark.unit

KEY = "CG-abcdefghijklmnopqrstu1234"


def _lines(paths: Paths) -> list[dict]:
    text = (paths.logs_dir / logs.LOG_FILE).read_text("utf-8")
    return [json.loads(line) for line in text.splitlines()]


def test_json_lines_carry_timestamp_level_logger_event_and_fields(home: Paths) -> None:
    logs.setup_logging(home, console=False)
    logging.getLogger("finbot.test").info("collected", extra={"rows": 12, "coin": "bitcoin"})
    [line] = [ln for ln in _lines(home) if ln["logger"] == "finbot.test"]
    assert line["event"] == "collected" and line["level"] == "INFO"
    assert line["rows"] == 12 and line["coin"] == "bitcoin"
    assert line["timestamp"].endswith("Z") and "T" in line["timestamp"]


def test_errors_carry_their_traceback(home: Paths) -> None:
    logs.setup_logging(home, console=False)
    try:
        raise ValueError("boom")
    except ValueError:
        logging.getLogger("finbot.test").exception("job failed", extra={"job": "prices"})
    line = _lines(home)[-1]
    assert line["level"] == "ERROR" and line["job"] == "prices"
    assert "Traceback" in line["exception"] and "ValueError: boom" in line["exception"]


@pytest.mark.parametrize("verbose, debug_logged", [(False, False), (True, True)])
def test_verbose_switches_debug(home: Paths, verbose: bool, debug_logged: bool) -> None:
    logs.setup_logging(home, verbose=verbose, console=False)
    logging.getLogger("finbot.test").debug("details")
    assert any(ln["event"] == "details" for ln in _lines(home)) is debug_logged


def test_file_rotates_at_the_cap(home: Paths) -> None:
    logs.setup_logging(home, console=False, max_bytes=2_000, backups=2)
    for i in range(200):
        logging.getLogger("finbot.test").info("line %d %s", i, "x" * 40)
    files = sorted(p.name for p in home.logs_dir.iterdir() if p.name.startswith(logs.LOG_FILE))
    assert files == ["finbot.log", "finbot.log.1", "finbot.log.2"]
    for name in files:
        assert (home.logs_dir / name).stat().st_size <= 2_000 + 300
        for line in (home.logs_dir / name).read_text("utf-8").splitlines():
            json.loads(line)


@pytest.mark.parametrize(
    "message",
    [
        f"calling with key {KEY}",
        "GET /simple/price?x_cg_demo_api_key=secretvalue123&ids=bitcoin",
        "headers {'x-cg-pro-api-key': 'prosecret99999'}",
        "apikey=zzzzsecretzzzz",
    ],
)
def test_keys_are_masked_in_message_fields_and_tracebacks(home: Paths, message: str) -> None:
    logs.setup_logging(home, console=False, secrets=[KEY])
    log = logging.getLogger("finbot.test")
    log.warning(message, extra={"url": message})
    try:
        raise RuntimeError(message)
    except RuntimeError:
        log.exception("failed")
    text = (home.logs_dir / logs.LOG_FILE).read_text("utf-8")
    for secret in (KEY, "secretvalue123", "prosecret99999", "zzzzsecretzzzz"):
        assert secret not in text
    assert "****" in text


def test_known_secrets_reads_environment_and_secrets_file(
    home: Paths, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COINGECKO_API_KEYS", "envkey-1111111111, envkey-2222222222")
    home.secrets_file.write_text(
        json.dumps(
            {"coingecko_api_keys": ["filekey-333333333"], "exchangerate_api_key": "fxkey-44444444"}
        )
    )
    found = logs.known_secrets(home)
    assert set(found) == {
        "envkey-1111111111",
        "envkey-2222222222",
        "filekey-333333333",
        "fxkey-44444444",
    }
    logs.setup_logging(home, console=False)
    logging.getLogger("finbot.test").info("using filekey-333333333 and envkey-2222222222")
    text = (home.logs_dir / logs.LOG_FILE).read_text("utf-8")
    assert "filekey-333333333" not in text and "envkey-2222222222" not in text


def test_setup_twice_adds_no_duplicate_handlers(home: Paths) -> None:
    other = logging.NullHandler()
    logging.getLogger().addHandler(other)
    try:
        logs.setup_logging(home, console=True)
        logs.setup_logging(home, console=True)
        ours = [h for h in logging.getLogger().handlers if getattr(h, logs._MARK, False)]
        assert len(ours) == 2 and other in logging.getLogger().handlers
        logging.getLogger("finbot.test").info("once")
        assert sum(ln["event"] == "once" for ln in _lines(home)) == 1
    finally:
        logging.getLogger().removeHandler(other)


def test_console_goes_to_stderr_not_stdout(home: Paths, capsys: pytest.CaptureFixture[str]) -> None:
    logs.setup_logging(home, console=True)
    logging.getLogger("finbot.test").info("visible to people")
    out, err = capsys.readouterr()
    assert "visible to people" in err and out == ""


@pytest.mark.parametrize("verbose", [False, True])
def test_third_party_chatter_stays_off_the_console(
    home: Paths, capsys: pytest.CaptureFixture[str], verbose: bool
) -> None:
    logs.setup_logging(home, verbose=verbose, console=True)
    try:
        logging.getLogger("matplotlib.category").info("Using categorical units to plot")
        logging.getLogger("matplotlib.font_manager").info("generated new fontManager")
        logging.getLogger("PIL.PngImagePlugin").debug("STREAM b'IHDR'")
        logging.getLogger("fontTools.subset").warning("font warning kept")
        logging.getLogger("finbot.test").info("finbot line kept")
        logging.getLogger("matplotlibish").info("a lookalike name kept")
        err = capsys.readouterr().err
        assert "categorical" not in err and "fontManager" not in err and "IHDR" not in err
        assert "font warning kept" in err and "finbot line kept" in err
        assert "lookalike" in err
        events = {line["event"] for line in _lines(home)}
        assert "generated new fontManager" in events  # the file still has it
        assert ("STREAM b'IHDR'" in events) is verbose
    finally:
        logs.shutdown_logging()


@pytest.mark.parametrize("value, wanted", [(None, True), ("1", False), ("0", True)])
def test_console_is_off_in_the_background_bot(
    monkeypatch: pytest.MonkeyPatch, value: str | None, wanted: bool
) -> None:
    if value is None:
        monkeypatch.delenv(logs.DAEMON_ENV, raising=False)
    else:
        monkeypatch.setenv(logs.DAEMON_ENV, value)
    assert logs.console_wanted() is wanted


def test_http_request_lines_are_for_verbose_only(home):
    import logging

    from finbot.ops.logs import setup_logging, shutdown_logging

    setup_logging(home, verbose=False, console=False)
    assert not logging.getLogger("httpx").isEnabledFor(logging.INFO)
    setup_logging(home, verbose=True, console=False)
    assert logging.getLogger("httpx").isEnabledFor(logging.DEBUG)
    shutdown_logging()


def test_console_speaks_the_users_language_and_the_file_stays_english(
    home: Paths, capsys: pytest.CaptureFixture[str]
) -> None:
    from finbot.i18n import N_, Message

    logs.setup_logging(home, lang="fr")
    line = Message(N_("{n} file(s) held in quarantine under {folder}"), n=2, folder="q")
    logging.getLogger("finbot.test").warning("%s", line)
    err = capsys.readouterr().err
    assert "2 fichier(s) gardé(s) en quarantaine sous q" in err and "ATTENTION" in err, err
    assert _lines(home)[-1]["event"] == "2 file(s) held in quarantine under q"
    assert _lines(home)[-1]["level"] == "WARNING"


def test_a_translated_line_holding_a_secret_is_masked_in_english(
    home: Paths, capsys: pytest.CaptureFixture[str]
) -> None:
    from finbot.i18n import N_, Message

    logs.setup_logging(home, lang="fr")
    logging.getLogger("finbot.test").warning("%s", Message(N_("{coin}: no points"), coin=KEY))
    err = capsys.readouterr().err
    assert KEY not in err and "no points" in err
    assert KEY not in _lines(home)[-1]["event"]


def test_an_error_inside_a_logged_line_is_french_too(
    home: Paths, capsys: pytest.CaptureFixture[str]
) -> None:
    """The operating system's error, as the command line would say it (``failure_line``)."""
    from finbot.i18n import N_, Message, failure_line

    logs.setup_logging(home, lang="fr")
    denied = PermissionError(13, "Permission denied", "/srv/finbot.db")
    line = Message(N_("tracker unavailable: {error}"), error=failure_line(denied))
    logging.getLogger("finbot.test").warning("%s", line)
    err = " ".join(capsys.readouterr().err.split())
    assert "suivi indisponible : accès refusé : /srv/finbot.db" in err, err
    event = _lines(home)[-1]["event"]
    assert event.startswith("tracker unavailable: permission denied: /srv/finbot.db"), event
