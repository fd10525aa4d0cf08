"""The evaluation's pooled selection: one pooled fit per retrain × horizon on the bars known
then (purged), served for a coin only where the bot's serving rule accepts it, and a
cross-asset lead-lag that only the pooled model can see found by ``evaluate``."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import polars as pl
import pytest

from finbot.config.models import Costs, Thresholds
from finbot.prediction.models import POOLED
from finbot.prediction.tracking import evaluation as ev
from finbot.prediction.tracking.pooled_served import PooledSelection, _Current
from finbot.prediction.tracking.served import PerCoinSelection, Served, check
from finbot.prediction.training import PooledConfig, pooled_report, select_pooled
from finbot.timeframes import Timeframe, duration_ms
from tests.unit.prediction.test_pooled_training import lead_lag

pytestmark = pytest.mark.unit
INPUTS = ev.DecisionInputs(Costs(), Thresholds(), {"1h": 0.5, "2h": 0.5})
FAST = PooledConfig(n_estimators=60)


@dataclass
class Audit:
    """The pooled selection, checking each retrain: nothing past the cutoff, the rule obeyed."""

    inner: PooledSelection = field(
        default_factory=lambda: PooledSelection(PerCoinSelection(("linear",)), FAST)
    )
    served: list[tuple[str, str, int, str]] = field(default_factory=list)

    def select(
        self, coin: str, timeframe: str, horizon: str, history: Mapping[str, pl.DataFrame]
    ) -> Served:
        cutoff = max(int(b["ts"].max()) for b in history.values())  # type: ignore[arg-type]
        served = self.inner.select(coin, timeframe, horizon, history)
        check(served, horizon, cutoff)  # what it calibrated on ends by the cutoff
        run = self.inner.pooled_run(timeframe, horizon, history)  # the shared fit, not a new one
        assert run is not None
        h_ms = duration_ms(horizon)
        assert int(run.test["ts"].max()) + h_ms <= cutoff  # type: ignore[arg-type]
        assert run.train_window[1] + h_ms < int(run.test["ts"].min())  # type: ignore[arg-type]
        own = self.inner.per_coin.select(coin, timeframe, horizon, history)
        report = pooled_report(run, coin, Timeframe.H1, horizon, "")
        assert report is not None
        rule, _ = select_pooled(report, _Current(own.model, "v", own.calibration))
        assert (served.model == POOLED) == rule  # pooled exactly where the rule says
        if not rule:
            assert served.model == own.model
        self.served.append((coin, horizon, cutoff, served.model))
        return served


@pytest.fixture(scope="module")
def lead_lag_evals() -> tuple[list[ev.Evaluation], list[ev.Evaluation], Audit]:
    frames = lead_lag(2000, 3)
    audit = Audit()
    base = ev.EvalConfig(n_folds=2, algorithms=("linear",), volatility_folds=0)
    pooled = ev.evaluate_many(
        frames,
        timeframe="1h",
        horizons=["1h"],
        inputs=INPUTS,
        config=ev.EvalConfig(
            n_folds=2, algorithms=("linear",), volatility_folds=0, selection=audit
        ),
    )
    per_coin = ev.evaluate_many(
        frames,
        timeframe="1h",
        horizons=["1h"],
        inputs=INPUTS,
        config=ev.EvalConfig(n_folds=2, algorithms=("linear",), volatility_folds=0, pooled=False),
    )
    assert base.chosen_selection(3).__class__ is PooledSelection  # several coins: pooled
    assert base.chosen_selection(1).__class__ is PerCoinSelection
    return pooled, per_coin, audit


def test_the_lead_lag_is_found_with_pooled_and_not_per_coin(
    lead_lag_evals: tuple[list[ev.Evaluation], list[ev.Evaluation], Audit],
) -> None:
    pooled, per_coin, _ = lead_lag_evals
    eth = {e.coin: e.horizons["1h"] for e in pooled}["ethereum"]
    assert eth["models"].get(POOLED, 0) >= 1 and eth["model"] == POOLED
    assert eth["edge"] is True and eth["mae_ratio"] < 0.9
    assert eth["dm_pvalue_adjusted"] < 0.01
    alone = {e.coin: e.horizons["1h"] for e in per_coin}
    assert all(POOLED not in m["models"] for m in alone.values())
    assert alone["ethereum"]["edge"] is False and alone["ethereum"]["mae_ratio"] > 0.97
    sol = {e.coin: e.horizons["1h"] for e in pooled}["solana"]
    assert sol["edge"] is False
    data = ev.evaluations_json(pooled)
    assert POOLED in data["evaluations"][1]["horizons"]["1h"]["models"]


def test_one_pooled_fit_per_retrain_shared_by_every_coin(
    lead_lag_evals: tuple[list[ev.Evaluation], list[ev.Evaluation], Audit],
) -> None:
    _, _, audit = lead_lag_evals
    cutoffs = {cutoff for _, _, cutoff, _ in audit.served}
    assert len(audit.served) == 3 * 2  # three coins × two retrains
    assert len(audit.inner._runs["1h"]) == len(cutoffs) == 2
    served = {(coin, model) for coin, _, _, model in audit.served}
    assert ("ethereum", POOLED) in served and ("solana", POOLED) not in served


def test_too_few_coins_or_rows_leave_the_per_coin_choice() -> None:
    frames = lead_lag(400, 4)
    selection = PooledSelection(PerCoinSelection(("linear",)), FAST)
    alone = {"bitcoin": frames["bitcoin"]}
    assert selection.pooled_run("1h", "1h", alone) is None
    short = {c: b.head(120) for c, b in frames.items()}
    assert selection.pooled_run("1h", "1h", short) is None  # too short a purged holdout
    served = selection.select("bitcoin", "1h", "1h", frames)
    assert served.model != POOLED or served.has_edge
    assert np.isfinite(served.predict(frames, "bitcoin", frames["bitcoin"]["ts"].to_numpy())).all()
