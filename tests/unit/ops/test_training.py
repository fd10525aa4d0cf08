"""Training sets: what is missing, what is trainable, chunks that stop gracefully (the first
start itself: tests/integration/test_first_answers.py, against the replay server)."""

from __future__ import annotations

import pytest

from finbot.ops import training
from finbot.paths import Paths
from finbot.services import Services

pytestmark = pytest.mark.unit


def test_train_sets_groups_by_horizon(
    settings, home: Paths, monkeypatch: pytest.MonkeyPatch
) -> None:
    from finbot.prediction import training as fanout

    calls: list[tuple] = []
    monkeypatch.setattr(
        fanout,
        "train_all",
        lambda _b, _m, _t, coins, horizons, **kw: (
            calls.append((coins, horizons)) or [{}] * len(coins)
        ),
    )
    done = training.train_sets(
        Services(home, settings), [("bitcoin", "6h"), ("ethereum", "6h"), ("bitcoin", "12h")]
    )
    assert done == 3 and calls == [(["bitcoin", "ethereum"], ["6h"]), (["bitcoin"], ["12h"])]


def test_missing_sets_on_an_empty_home(settings, home: Paths) -> None:
    services = Services(home, settings)
    assert training.has_models(services.model_store) is False
    missing = training.missing_sets(services)
    assert len(missing) == len(settings.coins.ids) * len(settings.general.horizons)
    assert missing[0] == (settings.coins.ids[0], settings.general.horizons[0])


def test_trained_sets_read_the_model_store(home: Paths, monkeypatch: pytest.MonkeyPatch) -> None:
    from finbot.prediction.models import model_store

    monkeypatch.setattr(
        model_store.ModelStore, "list_models", lambda _self: [{"coin": "bitcoin", "horizon": "1h"}]
    )
    models = Services(home).model_store
    assert training.trained_sets(models) == {("bitcoin", "1h")}
    assert training.has_models(models) is True


@pytest.mark.parametrize("horizons, quick", [(("10m", "1h", "6h"), "1h"), (("6h", "12h"), "6h")])
def test_quick_horizon(horizons: tuple, quick: str) -> None:
    assert training.quick_horizon(horizons) == quick


def test_train_sets_stops_between_chunks(settings, home, monkeypatch):
    """A graceful stop waits for the chunk in progress, not for every remaining model."""
    from finbot.ops.training import train_sets
    from finbot.prediction import training as fanout

    calls: list[list[str]] = []

    def fake_train_all(
        _bars, _models, _training, coins, horizons, progress=None, volatility=None, pooled=None
    ):
        assert volatility is not None  # the volatility models are trained with the sets
        assert pooled is False  # a chunk is not the pool: the pooled model comes after
        calls.append(list(coins))
        return [{"coin": c} for c in coins]

    monkeypatch.setattr(fanout, "train_all", fake_train_all)
    sets = [(c, "6h") for c in settings.coins.ids]
    stop_after = {"n": 2}
    services = Services(home, settings)
    done = train_sets(services, sets, should_stop=lambda: len(calls) >= stop_after["n"])
    workers = settings.general.training.workers
    assert len(calls) == 2 and all(len(c) <= workers for c in calls)
    assert done == sum(len(c) for c in calls) < len(sets)
    calls.clear()
    assert train_sets(services, sets) == len(sets) and len(calls) == 1


def test_interruptible_clock_reports_interruption():
    from finbot.clock import InterruptibleClock

    clock = InterruptibleClock()
    assert not clock.interrupted
    clock.interrupt()
    assert clock.interrupted
    clock.resume()
    assert not clock.interrupted
