"""Walk-forward: never trains on data after the prediction time; honest metrics; the report."""

from __future__ import annotations

import json
import math
import re

import numpy as np
import pytest

from finbot.config.models import Costs, Thresholds
from finbot.errors import DataError, UsageError
from finbot.prediction.tracking import evaluation as ev
from finbot.prediction.tracking import report
from finbot.prediction.training.splits import walk_forward
from finbot.prediction.training.trainer import fit_shrink
from tests.fixtures.bars import planted_signal, random_walk, with_gaps

pytestmark = pytest.mark.unit
H = 3_600_000
INPUTS = ev.DecisionInputs(Costs(), Thresholds(), {"1h": 0.5, "2h": 0.5})


@pytest.mark.parametrize("rolling", [None, 400])
@pytest.mark.parametrize(("horizon_ms", "folds"), [(H, 5), (6 * H, 3), (12 * H, 6)])
def test_folds_leave_a_horizon_gap(
    rng: np.random.Generator, horizon_ms: int, folds: int, rolling: int | None
) -> None:
    steps = rng.choice([1, 1, 1, 2, 5], size=3000)  # a series with gaps
    ts = np.cumsum(steps).astype(np.int64) * H
    out = walk_forward(ts, horizon_ms, folds, rolling_rows=rolling)
    assert len(out) == folds
    for k, fold in enumerate(out):
        fold.check(ts, horizon_ms)
        (a, b), (c, d), (e, f) = fold.train, fold.calibration, fold.test
        assert ts[b - 1] + horizon_ms <= ts[c] and ts[d - 1] + horizon_ms <= ts[e]
        assert a < b <= c < d <= e < f
        if rolling:
            assert d - a <= rolling
        if k:
            assert e == out[k - 1].test[1]  # contiguous test blocks
    assert out[-1].test[1] == ts.size


def test_too_little_history() -> None:
    ts = np.arange(60, dtype=np.int64) * H
    with pytest.raises(DataError, match="too little history"):
        walk_forward(ts, H, 5)
    with pytest.raises(UsageError, match="folds"):
        walk_forward(ts, H, 0)


class SpyEstimator:
    """Records which rows (their index is feature 0) it was trained on and asked about."""

    fitted: list[np.ndarray] = []
    predicted: list[np.ndarray] = []

    def fit(self, x: np.ndarray, y: np.ndarray) -> SpyEstimator:
        SpyEstimator.fitted.append(x[:, 0].astype(int))
        return self

    def predict(self, x: np.ndarray) -> np.ndarray:
        SpyEstimator.predicted.append(x[:, 0].astype(int))
        return np.zeros(len(x))


def test_never_trains_on_rows_whose_label_ends_after_prediction(monkeypatch, rng) -> None:  # type: ignore[no-untyped-def]
    from finbot.prediction import models

    monkeypatch.setattr(models, "make_estimator", lambda name, seed: SpyEstimator())
    SpyEstimator.fitted, SpyEstimator.predicted = [], []
    n, horizon = 2000, 6 * H
    ts = (np.cumsum(rng.choice([1, 1, 2], size=n)) * H).astype(np.int64)
    x = np.column_stack([np.arange(n), rng.normal(size=n)])
    y = rng.normal(0, 0.01, n)
    vol = np.full(n, 0.01)
    ev.run_horizon("6h", ts, x, y, vol, algorithm="linear", n_folds=4, level=0.8)
    assert len(SpyEstimator.fitted) == 4
    for k, trained in enumerate(SpyEstimator.fitted):
        calib, test = SpyEstimator.predicted[2 * k], SpyEstimator.predicted[2 * k + 1]
        assert ts[trained.max()] + horizon <= ts[calib.min()]  # label known before calibration
        assert ts[calib.max()] + horizon <= ts[test.min()]  # calibration known before test
        assert ts[trained.max()] + horizon <= ts[test.min()]  # nothing after prediction time


@pytest.mark.parametrize(
    ("e_model", "e_naive", "h", "sign"),
    [
        (np.r_[0.5, -0.5].repeat(50), np.r_[1.0, -1.0].repeat(50), 1, -1),
        (np.r_[2.0, -2.0].repeat(50), np.r_[1.0, -1.0].repeat(50), 3, 1),
    ],
)
def test_diebold_mariano_direction(rng, e_model, e_naive, h, sign) -> None:  # type: ignore[no-untyped-def]
    noise = rng.normal(0, 0.3, e_model.size)
    stat, p = ev.diebold_mariano(e_model + noise, e_naive, h)
    assert np.sign(stat) == sign and p < 0.01


def test_diebold_mariano_hand_case() -> None:
    e_model, e_naive = np.array([1.0, 2.0, 1.0, 3.0]), np.array([2.0, 2.0, 2.0, 2.0])
    d = np.abs(e_model) - np.abs(e_naive)  # [-1, 0, -1, 1], mean -0.25
    gamma0 = float(np.mean((d - d.mean()) ** 2))
    dm = d.mean() / math.sqrt(gamma0 / 4)
    hln = dm * math.sqrt((4 + 1 - 2 + 0) / 4)
    from scipy import stats

    stat, p = ev.diebold_mariano(e_model, e_naive, 1)
    assert stat == pytest.approx(hln) and p == pytest.approx(2 * stats.t.sf(abs(hln), 3))
    assert ev.diebold_mariano([1.0], [1.0])[0] != ev.diebold_mariano([1.0], [1.0])[0]  # nan
    assert ev.diebold_mariano([1.0, 2.0, 3.0], [1.0, 2.0, 3.0]) == (0.0, 1.0)


def test_equity_and_backtest_hand_cases() -> None:
    stats = ev.equity_stats(np.array([0.1, -0.5, 0.2]), "1d", 2)
    assert stats["total_return"] == pytest.approx(1.1 * 0.5 * 1.2 - 1)
    assert stats["max_drawdown"] == pytest.approx(0.5)
    assert stats["trades"] == 2
    r = np.array([0.1, -0.5, 0.2])
    assert stats["sharpe"] == pytest.approx(r.mean() / r.std(ddof=1) * math.sqrt(365))
    positions = np.array([1.0, 1.0, 0.0, 0.0])
    nxt = np.log(np.array([1.01, 1.02, 1.5, 0.5]))
    net, out = ev.backtest(positions, nxt, 0.01, "1h")
    assert net == pytest.approx([0.01 - 0.005, 0.02, -0.005, 0.0])
    assert out["trades"] == 2
    assert ev.equity_stats(np.zeros(1), "1h", 0)["sharpe"] == 0.0


def test_fit_shrink() -> None:
    y = np.array([0.01, -0.02, 0.03])
    assert fit_shrink(y, y) == 1.0
    assert fit_shrink(y, -y) == 0.0


@pytest.fixture(scope="module")
def signal_eval() -> ev.Evaluation:
    bars = planted_signal(2500, seed=11)
    return ev.evaluate(
        bars,
        coin="bitcoin",
        timeframe="1h",
        horizons=["10m", "1h", "2h"],
        inputs=INPUTS,
        level=0.8,
        n_folds=4,
        algorithm="linear",
    )


def test_planted_signal_beats_naive_and_covers(signal_eval: ev.Evaluation) -> None:
    h1 = signal_eval.horizons["1h"]
    assert h1["mae_ratio"] < 0.95 and h1["dm_pvalue"] < 0.01
    assert h1["directional_accuracy"] > 0.6
    assert abs(h1["coverage"] - 0.8) <= 0.05
    assert signal_eval.skipped == {"10m": "not a whole number of 1h bars"}
    assert signal_eval.strategy["trades"] >= 0 and signal_eval.buy_and_hold["trades"] == 1
    data = signal_eval.to_json()
    assert set(data["horizons"]) == {"1h", "2h"}
    json.dumps(data)


def test_random_walk_has_no_edge_and_never_trades() -> None:
    bars = with_gaps(random_walk(2500, seed=3), seed=4, fraction=0.02)
    out = ev.evaluate(
        bars,
        coin="x",
        timeframe="1h",
        horizons=["1h"],
        inputs=INPUTS,
        level=0.8,
        n_folds=3,
        algorithm="linear",
    )
    assert out.horizons["1h"]["mae_ratio"] > 0.98
    assert abs(out.horizons["1h"]["coverage"] - 0.8) <= 0.05
    if out.horizons["1h"]["mae_ratio"] >= 1:
        assert out.strategy["trades"] == 0


def test_bad_inputs() -> None:
    with pytest.raises(UsageError, match="multiple"):
        ev.evaluate(
            random_walk(300, 1),
            coin="x",
            timeframe="1h",
            horizons=["10m"],
            inputs=INPUTS,
            level=0.8,
        )
    with pytest.raises(DataError, match="feature rows"):
        ev.evaluate(
            random_walk(100, 1), coin="x", timeframe="1h", horizons=["1h"], inputs=INPUTS, level=0.8
        )
    with pytest.raises(DataError, match="no horizon"):
        ev.evaluate(
            random_walk(300, 1),
            coin="x",
            timeframe="1h",
            horizons=["1h"],
            inputs=INPUTS,
            level=0.8,
            n_folds=20,
        )


def test_report_renders_the_json_numbers(signal_eval: ev.Evaluation, tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = report.write_report(signal_eval, tmp_path / "r" / "report.html")
    text = path.read_text(encoding="utf-8")
    assert text.count("data:image/png;base64,") == 3
    data = signal_eval.to_json()
    embedded = re.search(
        r'<script id="finbot-evaluation" type="application/json">(.*?)</script>', text, re.S
    )
    assert embedded and json.loads(embedded.group(1)) == json.loads(json.dumps(data))
    cells = re.findall(r'data-key="([^"]+)" data-value="([^"]+)">([^<]*)<', text)
    assert len(cells) == 2 * len(report.HORIZON_COLUMNS) + 2 * len(report.EQUITY_COLUMNS)
    import html as html_mod

    for key, value, shown in cells:
        node = data
        for part in key.split("."):
            node = node[part]
        assert json.loads(html_mod.unescape(value)) == node
        assert shown == report.fmt(node, report.KINDS.get(key.rsplit(".", 1)[-1]))
    assert report.fmt(None) == "—" and report.fmt(3) == "3" and report.fmt("a<b") == "a&lt;b"
    # fractions read as percentages, ratios with three decimals: no raw 0.530516
    assert report.fmt(0.530516, "pct1") == "53.1 %" and report.fmt(0.530516, "ratio") == "0.531"
    assert report.fmt(59673.3) == "59,673" and 'name="viewport"' in text
