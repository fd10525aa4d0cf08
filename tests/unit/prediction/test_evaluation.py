"""Walk-forward of what the bot would serve: never trains on data after the retrain time; the
selection re-run per retrain; honest metrics, corrected across coin × horizon; the report."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import polars as pl
import pytest

from finbot.config.models import Costs, Thresholds
from finbot.errors import DataError, UsageError
from finbot.prediction.tracking import evaluation as ev
from finbot.prediction.tracking import report
from finbot.prediction.tracking.served import PerCoinSelection, Served, retrain_blocks
from finbot.prediction.tracking.significance import newey_west_lag
from finbot.prediction.training.trainer import fit_shrink
from tests.fixtures.bars import planted_signal, random_walk, with_gaps

pytestmark = pytest.mark.unit
H = 3_600_000
INPUTS = ev.DecisionInputs(Costs(), Thresholds(), {"1h": 0.5, "2h": 0.5})


@dataclass
class RecordingSelection:
    """The trainer's selection, recording the history and the choice of each retrain."""

    inner: PerCoinSelection = field(default_factory=lambda: PerCoinSelection(("linear",)))
    calls: list[tuple[int, int, Served]] = field(default_factory=list)
    histories: list[pl.DataFrame] = field(default_factory=list)

    def select(
        self, coin: str, timeframe: str, horizon: str, history: Mapping[str, pl.DataFrame]
    ) -> Served:
        served = self.inner.select(coin, timeframe, horizon, history)
        self.histories.append(history[coin])
        last_bar = int(history[coin]["ts"].max())  # type: ignore[arg-type]
        self.calls.append((last_bar, int(served.calibration["ts"].max()), served))  # type: ignore[arg-type]
        return served


def test_each_retrain_sees_only_bars_known_then() -> None:
    bars = with_gaps(planted_signal(1600, seed=5, phi=0.3), seed=6, fraction=0.03)
    spy = RecordingSelection()
    cfg = ev.EvalConfig(n_folds=None, retrain_ms=7 * 24 * H, volatility_folds=0, selection=spy)
    out = ev.evaluate(bars, coin="x", timeframe="1h", horizons=["6h"], inputs=INPUTS, config=cfg)
    run = out.runs["6h"]
    assert len(spy.calls) == len(run.blocks) == out.folds >= 4  # one selection per weekly retrain
    for (last_bar, last_label, _), (e, f) in zip(spy.calls, run.blocks, strict=True):
        test_ts = run.ts[e - run.blocks[0][0] : f - run.blocks[0][0]]
        assert last_bar <= test_ts[0]  # nothing after the retrain time
        assert last_label + 6 * H <= test_ts[0]  # purged: its labels end by the cutoff
        assert test_ts[-1] - test_ts[0] < 7 * 24 * H  # one week served per retrain
    assert out.horizons["6h"]["retrains"] == len(spy.calls)
    assert sum(out.horizons["6h"]["models"].values()) == len(spy.calls)


def test_rolling_history_and_a_peeking_selection_is_caught() -> None:
    bars = planted_signal(1600, seed=5, phi=0.3)
    spy = RecordingSelection()
    window = 20 * 24 * H
    cfg = ev.EvalConfig(n_folds=2, window_ms=window, volatility_folds=0, selection=spy)
    ev.evaluate(bars, coin="x", timeframe="1h", horizons=["1h"], inputs=INPUTS, config=cfg)
    for frame in spy.histories:
        ts = frame["ts"].to_numpy()
        assert int(ts.max()) - int(ts.min()) < window

    @dataclass
    class Peeking:
        """Calibrates on rows whose labels end after the retrain: must be refused."""

        def select(
            self, coin: str, timeframe: str, horizon: str, history: Mapping[str, pl.DataFrame]
        ) -> Served:
            cutoff = int(history[coin]["ts"].max())  # type: ignore[arg-type]
            cal = pl.DataFrame({"ts": [cutoff], "y_true": [0.01], "y_pred": [0.0]})
            return Served("peek", True, cal, None)

    peek = ev.EvalConfig(n_folds=2, volatility_folds=0, selection=Peeking())
    with pytest.raises(AssertionError, match="after the cutoff"):
        ev.evaluate(bars, coin="x", timeframe="1h", horizons=["1h"], inputs=INPUTS, config=peek)


def test_retrain_blocks() -> None:
    ts = np.arange(1000, dtype=np.int64) * H
    weekly = retrain_blocks(ts, test_fraction=0.5, n_folds=None, retrain_ms=168 * H)
    assert weekly[0] == (500, 668) and weekly[-1] == (836, 1000)
    assert retrain_blocks(ts, test_fraction=0.5, n_folds=2, retrain_ms=1) == [
        (500, 750),
        (750, 1000),
    ]


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
    dc = d - d.mean()
    gamma0, gamma1 = float(dc @ dc) / 4, float(dc[1:] @ dc[:-1]) / 4
    assert newey_west_lag(4, 1) == 1  # floor(4 (4/100)^(2/9)) = 1 lag (uniform weight)
    dm = d.mean() / math.sqrt((gamma0 + 2 * gamma1) / 4)
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
    assert stats["turnover"] == pytest.approx(2 / (3 / 365))  # per year
    r = np.array([0.1, -0.5, 0.2])
    assert stats["sharpe"] == pytest.approx(r.mean() / r.std(ddof=1) * math.sqrt(365))
    positions = np.array([1.0, 1.0, 0.0, 0.0])
    nxt = np.log(np.array([1.01, 1.02, 1.5, 0.5]))
    net, out = ev.backtest(positions, nxt, 0.01, "1h")
    assert net == pytest.approx([0.01 - 0.005, 0.02, -0.005, 0.0])
    assert out["trades"] == 2 and out["turnover"] == pytest.approx(2 / (4 / 8760))
    assert ev.equity_stats(np.zeros(1), "1h", 0)["sharpe"] == 0.0


def test_fit_shrink() -> None:
    y = np.array([0.01, -0.02, 0.03])
    assert fit_shrink(y, y) == 1.0
    assert fit_shrink(y, -y) == 0.0


@pytest.fixture(scope="module")
def signal_eval() -> ev.Evaluation:
    bars = planted_signal(2500, seed=11, phi=0.5)  # an AR(1) of known size: R^2 = 25 %
    return ev.evaluate(
        bars,
        coin="bitcoin",
        timeframe="1h",
        horizons=["10m", "1h", "2h"],
        inputs=INPUTS,
        config=ev.EvalConfig(n_folds=4, algorithms=("linear",)),
    )


def test_planted_signal_is_detected_and_covers(signal_eval: ev.Evaluation) -> None:
    h1 = signal_eval.horizons["1h"]
    assert h1["model"] == "linear" and h1["models"] == {"linear": 4}  # served, not only trained
    assert h1["edge"] is True and h1["verdict"] == "win"
    assert h1["dm_pvalue_adjusted"] < 0.01 and h1["dm_pvalue_adjusted"] >= h1["dm_pvalue"]
    assert h1["mae_ratio"] < 0.97 and h1["ic"] > 0.15
    low, high = h1["hit_rate_ci"]
    assert 0.5 < low < h1["directional_accuracy"] < high
    assert abs(h1["coverage"] - 0.8) <= 0.05
    for key in ("qlike_ratio", "interval_score_ratio", "brier_ratio", "target_calibration"):
        assert 0 <= h1[key] < 2, key
    assert signal_eval.skipped == {"10m": "not a whole number of 1h bars"}
    assert signal_eval.buy_and_hold["trades"] == 1
    assert signal_eval.cash == {
        "total_return": 0.0,
        "sharpe": 0.0,
        "max_drawdown": 0.0,
        "trades": 0,
        "turnover": 0.0,
    }
    data = signal_eval.to_json()
    assert set(data["horizons"]) == {"1h", "2h"} and data["algorithm"] == "linear"
    json.dumps(data)


def test_random_walk_has_no_edge_and_never_trades() -> None:
    bars = with_gaps(random_walk(2500, seed=3), seed=4, fraction=0.02)
    out = ev.evaluate(
        bars,
        coin="x",
        timeframe="1h",
        horizons=["1h"],
        inputs=INPUTS,
        config=ev.EvalConfig(n_folds=3, algorithms=("linear",), volatility_folds=0),
    )
    h1 = out.horizons["1h"]
    assert h1["mae_ratio"] > 0.98 and h1["edge"] is False
    assert abs(h1["coverage"] - 0.8) <= 0.05
    assert h1["qlike_ratio"] is None  # no volatility run asked for
    if h1["models"] == {"naive": 3}:
        assert out.strategy["trades"] == 0 and h1["ic"] is None and h1["hit_rate_ci"] is None


def test_false_edges_stay_within_the_test_level() -> None:
    """Over 50 seeded pure random walks, the served selection claims an edge (Holm-adjusted
    DM p < 0.05, errors smaller) no more often than the level allows."""
    cfg = ev.EvalConfig(n_folds=2, algorithms=("linear",), volatility_folds=0)
    edges = []
    for seed in range(50):
        out = ev.evaluate(
            random_walk(900, seed=1000 + seed),
            coin="x",
            timeframe="1h",
            horizons=["1h"],
            inputs=INPUTS,
            config=cfg,
        )
        edges.append(out.horizons["1h"]["edge"])
    assert sum(edges) / len(edges) <= cfg.alpha


def test_several_coins_are_corrected_together() -> None:
    frames = {"a": planted_signal(1500, seed=2, phi=0.5), "b": random_walk(1500, seed=9)}
    cfg = ev.EvalConfig(n_folds=2, algorithms=("linear",), volatility_folds=0)
    out = ev.evaluate_many(frames, timeframe="1h", horizons=["1h", "2h"], inputs=INPUTS, config=cfg)
    rows = [m for e in out for m in e.horizons.values()]
    raw = sorted(m["dm_pvalue"] for m in rows)
    assert min(m["dm_pvalue_adjusted"] for m in rows) == pytest.approx(min(1.0, 4 * raw[0]))
    assert out[0].horizons["1h"]["edge"] and not out[1].horizons["1h"]["edge"]
    data = ev.evaluations_json(out)
    assert data["coins"] == ["a", "b"] and len(data["evaluations"]) == 2


def test_bad_inputs() -> None:
    with pytest.raises(UsageError, match="multiple"):
        ev.evaluate(random_walk(300, 1), coin="x", timeframe="1h", horizons=["10m"], inputs=INPUTS)
    with pytest.raises(DataError, match="feature rows"):
        ev.evaluate(random_walk(100, 1), coin="x", timeframe="1h", horizons=["1h"], inputs=INPUTS)
    with pytest.raises(DataError, match="no horizon"):
        ev.evaluate(
            random_walk(300, 1),
            coin="x",
            timeframe="1h",
            horizons=["1h"],
            inputs=INPUTS,
            config=ev.EvalConfig(n_folds=20, volatility_folds=0),
        )


def test_report_renders_the_json_numbers(signal_eval: ev.Evaluation, tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = report.write_report(signal_eval, tmp_path / "r" / "report.html", lang="en")
    text = path.read_text(encoding="utf-8")
    assert text.count("data:image/png;base64,") == 5  # + reliability, volatility
    data = signal_eval.to_json()
    embedded = re.search(
        r'<script id="finbot-evaluation" type="application/json">(.*?)</script>', text, re.S
    )
    assert embedded and json.loads(embedded.group(1)) == json.loads(json.dumps(data))
    cells = re.findall(r'data-key="([^"]+)" data-value="([^"]+)">([^<]*)<', text)
    assert len(cells) == 2 * len(report.HORIZON_COLUMNS) + 3 * len(report.EQUITY_COLUMNS)
    import html as html_mod

    for key, value, shown in cells:
        node = data
        for part in key.split("."):
            node = node[part]
        assert json.loads(html_mod.unescape(value)) == node
        assert shown == report.fmt("en", node, report.KINDS.get(key.rsplit(".", 1)[-1]))
    assert report.fmt("en", None) == "—" and report.fmt("en", 3) == "3"
    assert report.fmt("en", "a<b") == "a&lt;b"
    # fractions read as percentages, ratios with three decimals: no raw 0.530516
    assert report.fmt("en", 0.530516, "pct1") == "53.1 %"
    assert report.fmt("en", 0.530516, "ratio") == "0.531"
    assert report.fmt("en", 59673.3) == "59,673" and 'name="viewport"' in text
