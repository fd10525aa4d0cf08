"""Honest counts (issue 12, item 3): ``predict --kind best`` says in ONE line which coins have
no model and how to train them; ``train --all`` ends with a summary and exits 1 when anything
failed, and "no data" names the collect command that fills it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from finbot.paths import Paths
from tests.fixtures.cli import invoke

pytestmark = pytest.mark.integration


def test_best_prints_one_line_for_the_coins_without_models(trained_home: Paths) -> None:
    result = invoke(trained_home, "predict", "--kind", "best")
    assert result.exit_code == 0, result.output
    assert "Top buys:" in result.stdout and "Top sells:" in result.stdout
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr  # not 40 lines of "no model for ..."
    # 10 coins x 5 horizons; bitcoin 10m/1h/6h and ethereum 1h have models
    assert lines[0].startswith("no model for 46 of 50 coin x horizon sets (bitcoin, ethereum,")
    assert "'finbot train --all'" in lines[0]
    data = json.loads(invoke(trained_home, "predict", "--kind", "best", "--json").stdout)
    assert len(data["without_model"]) == 46 and "solana 1h" in data["without_model"]


def test_train_all_summarises_and_fails_when_anything_failed(tmp_path: Path) -> None:
    home = Paths.resolve(tmp_path / "empty").ensure()
    (home.config_dir / "settings.json").write_text(json.dumps({"horizons": ["1h"]}))
    result = invoke(home, "train", "--all", "--algorithms", "linear")
    assert result.exit_code == 1, result.output
    assert "bitcoin 1h 1h: bitcoin 1h: no bars stored; fill them with " in result.stdout
    assert "'finbot collect-historical --coins bitcoin'" in result.stdout
    assert "0 of 10 coin x horizon sets trained, 10 failed" in result.stdout
    as_json = invoke(home, "train", "--all", "--algorithms", "linear", "--json")
    assert as_json.exit_code == 1
    assert json.loads(as_json.stdout)["summary"] == {"trained": 0, "failed": 10, "total": 10}
