"""start / demarrer: first-start flow, background hand-off, menu hook; progress adapter."""

from __future__ import annotations

import sys
import types

import pytest
from typer.testing import CliRunner

from finbot.cli import run_cmd
from finbot.cli.app import app
from finbot.ops import bot_control, training
from finbot.paths import Paths
from finbot.services import Services

pytestmark = pytest.mark.unit
runner = CliRunner()


@pytest.fixture
def spawned(monkeypatch: pytest.MonkeyPatch) -> list[str | None]:
    calls: list[str | None] = []

    def fake_spawn(_paths: Paths, base_url: str | None = None, **_kw: object) -> int:
        calls.append(base_url)
        return 4321

    monkeypatch.setattr(bot_control, "spawn_background", fake_spawn)
    return calls


def test_first_start_collects_trains_then_starts(
    home: Paths, spawned: list, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[str | None] = []

    def fake_first_start(services: Services, *, progress) -> dict:
        progress("bitcoin 1h", 1, 2)
        progress({"coin": "bitcoin"}, 1, 1)
        seen.append(services.base_url)
        answers = {"first_ready_s": 12.5, "all_ready_s": 250.0, "bound_s": 246.0}
        answers["ready_s"] = {f"coin{i}": 10.0 * i for i in range(10)}
        return {
            "trained": 10,
            "horizon": "1h",
            "remaining": 40,
            "history": {},
            "first_answers": answers,
        }

    monkeypatch.setattr(training, "has_models", lambda _p: False)
    monkeypatch.setattr(training, "first_start", fake_first_start)
    result = runner.invoke(
        app,
        [
            "--home",
            str(home.home),
            "--lang",
            "fr",
            "demarrer",
            "--base-url",
            "http://127.0.0.1:1/api/v3",
            "--no-menu",
        ],
    )
    assert result.exit_code == 0, result.output
    assert seen == ["http://127.0.0.1:1/api/v3"] and spawned == seen
    assert "Premier démarrage" in result.stderr and "40 combinaisons" in result.stderr
    assert "Première prédiction prête après 12.5 s, les 10 cryptos après 250.0 s" in result.stderr
    assert "PID 4321" in result.stdout


@pytest.mark.parametrize("args, has_models", [(["--no-setup"], False), ([], True)])
def test_later_starts_go_straight_to_normal(
    home: Paths, spawned: list, monkeypatch: pytest.MonkeyPatch, args: list[str], has_models: bool
) -> None:
    monkeypatch.setattr(training, "has_models", lambda _p: has_models)
    monkeypatch.setattr(
        training, "first_start", lambda *_a, **_k: pytest.fail("first start must not run")
    )
    result = runner.invoke(app, ["--home", str(home.home), "start", "--no-menu", *args])
    assert result.exit_code == 0, result.output
    assert "started in the background (PID 4321)" in result.stdout


def test_first_start_is_skipped_when_prediction_is_missing(
    home: Paths, spawned: list, monkeypatch: pytest.MonkeyPatch
) -> None:
    def missing(_p: Paths) -> bool:
        raise ImportError("No module named 'finbot.prediction.models.model_store'")

    monkeypatch.setattr(training, "has_models", missing)
    result = runner.invoke(app, ["--home", str(home.home), "start", "--no-menu"])
    assert result.exit_code == 0, result.output
    assert "First start skipped" in result.stderr


def _app_ctx(lang: str = "en"):
    from rich.console import Console

    from finbot.cli.context import AppContext

    ctx = AppContext(paths=Paths.resolve("x"), lang=lang)
    ctx.err = Console(record=True, width=200)
    return ctx


def test_menu_hook_does_nothing_without_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", types.SimpleNamespace(isatty=lambda: False))
    app_ctx = _app_ctx()
    run_cmd.run_menu_hook(app_ctx)
    assert app_ctx.err.export_text() == ""


def test_menu_hook_explains_a_missing_menu(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", types.SimpleNamespace(isatty=lambda: True))
    monkeypatch.setitem(sys.modules, "finbot.cli.menu", None)  # import raises ModuleNotFound

    def refuse(name: str, *_a: object, **_k: object) -> None:
        raise ModuleNotFoundError(f"No module named {name!r}", name=name)

    monkeypatch.setattr(run_cmd.importlib, "import_module", refuse)
    app_ctx = _app_ctx("fr")
    run_cmd.run_menu_hook(app_ctx)
    assert "menu interactif n'est pas disponible" in app_ctx.err.export_text()


def test_menu_hook_opens_the_menu_on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    opened: list[object] = []
    fake = types.SimpleNamespace(run_menu=opened.append)
    monkeypatch.setattr(sys, "stdin", types.SimpleNamespace(isatty=lambda: True))
    monkeypatch.setattr(run_cmd.importlib, "import_module", lambda _name: fake)
    app_ctx = _app_ctx()
    run_cmd.run_menu_hook(app_ctx)
    assert opened == [app_ctx]


class FakeBar:
    def __init__(self) -> None:
        self.tasks: dict[int, dict] = {}

    def add_task(self, description: str, total: float | None = None) -> int:
        self.tasks[len(self.tasks)] = {"description": description, "total": total}
        return len(self.tasks) - 1

    def update(self, task: int, completed: float | None = None, total: float | None = None) -> None:
        self.tasks[task].update(completed=completed, total=total)


@pytest.mark.parametrize(
    "args, kwargs, label, done, total",
    [
        (("bitcoin 1h", 3, 10), {}, "bitcoin 1h", 3, 10),
        (({"coin": "bitcoin"}, 2, 5), {}, "training", 2, 5),
        ((4, 8), {}, "work", 4, 8),
        ((), {"description": "fx", "done": 1, "total": 1}, "fx", 1, 1),
    ],
)
def test_progress_adapter_accepts_every_convention(
    args: tuple, kwargs: dict, label: str, done: int, total: int
) -> None:
    bar = FakeBar()
    run_cmd.RichProgress(bar)(*args, **kwargs)
    assert bar.tasks[0] == {"description": label, "total": total, "completed": done}
