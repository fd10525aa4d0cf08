"""First start: history, then the quick horizon for every coin; the rest left for the job."""

from __future__ import annotations

import pytest

from finbot.ops import training
from finbot.paths import Paths

pytestmark = pytest.mark.unit


def test_first_start_trains_the_quick_horizon_for_every_coin(
    settings, home: Paths, monkeypatch: pytest.MonkeyPatch
) -> None:
    from finbot import collectors as historical_collector
    from finbot.prediction import training as fanout

    history_calls: list[tuple] = []
    train_calls: list[tuple] = []
    monkeypatch.setattr(
        historical_collector,
        "collect_historical",
        lambda s, p, coins, **kw: history_calls.append((coins, kw)) or {"ok": 1},
    )
    monkeypatch.setattr(
        fanout,
        "train_all",
        lambda s, p, coins, horizons, **kw: (
            train_calls.append((coins, horizons)) or [{"coin": c} for c in coins]
        ),
    )
    result = training.first_start(settings, home, base_url="http://127.0.0.1:1/api/v3")
    coins = list(settings.coins.ids)
    assert history_calls == [(coins, {"base_url": "http://127.0.0.1:1/api/v3", "progress": None})]
    assert train_calls == [(coins, ["1h"])]
    assert result["horizon"] == "1h" and result["trained"] == len(coins)
    assert result["remaining"] == len(coins) * len(settings.general.horizons)  # nothing saved


def test_train_sets_groups_by_horizon(
    settings, home: Paths, monkeypatch: pytest.MonkeyPatch
) -> None:
    from finbot.prediction import training as fanout

    calls: list[tuple] = []
    monkeypatch.setattr(
        fanout,
        "train_all",
        lambda s, p, coins, horizons, **kw: calls.append((coins, horizons)) or [{}] * len(coins),
    )
    done = training.train_sets(
        settings, home, [("bitcoin", "6h"), ("ethereum", "6h"), ("bitcoin", "12h")]
    )
    assert done == 3 and calls == [(["bitcoin", "ethereum"], ["6h"]), (["bitcoin"], ["12h"])]


def test_missing_sets_on_an_empty_home(settings, home: Paths) -> None:
    assert training.has_models(home) is False
    missing = training.missing_sets(settings, home)
    assert len(missing) == len(settings.coins.ids) * len(settings.general.horizons)
    assert missing[0] == (settings.coins.ids[0], settings.general.horizons[0])


def test_trained_sets_read_the_model_store(home: Paths, monkeypatch: pytest.MonkeyPatch) -> None:
    from finbot.prediction.models import model_store

    monkeypatch.setattr(
        model_store.ModelStore, "list_models", lambda _self: [{"coin": "bitcoin", "horizon": "1h"}]
    )
    assert training.trained_sets(home) == {("bitcoin", "1h")}
    assert training.has_models(home) is True


@pytest.mark.parametrize("horizons, quick", [(("10m", "1h", "6h"), "1h"), (("6h", "12h"), "6h")])
def test_quick_horizon(settings, horizons: tuple, quick: str) -> None:
    general = settings.general.model_copy(update={"horizons": horizons})
    assert training.quick_horizon(settings.model_copy(update={"general": general})) == quick


def test_train_sets_stops_between_chunks(settings, home, monkeypatch):
    """A graceful stop waits for the chunk in progress, not for every remaining model."""
    from finbot.ops.training import train_sets
    from finbot.prediction import training as fanout

    calls: list[list[str]] = []

    def fake_train_all(settings, paths, coins, horizons, progress=None):
        calls.append(list(coins))
        return [{"coin": c} for c in coins]

    monkeypatch.setattr(fanout, "train_all", fake_train_all)
    sets = [(c, "6h") for c in settings.coins.ids]
    stop_after = {"n": 2}
    done = train_sets(settings, home, sets, should_stop=lambda: len(calls) >= stop_after["n"])
    workers = settings.general.training.workers
    assert len(calls) == 2 and all(len(c) <= workers for c in calls)
    assert done == sum(len(c) for c in calls) < len(sets)
    calls.clear()
    assert train_sets(settings, home, sets) == len(sets) and len(calls) == 1


def test_interruptible_clock_reports_interruption():
    from finbot.clock import InterruptibleClock

    clock = InterruptibleClock()
    assert not clock.interrupted
    clock.interrupt()
    assert clock.interrupted
    clock.resume()
    assert not clock.interrupted
