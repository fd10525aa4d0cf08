"""The OHLC spread proxy recovers a known spread from simulated trades."""

from __future__ import annotations

import json
import math
import re

import numpy as np
import pytest

from finbot.prediction.decision import spread_proxy as sp

pytestmark = pytest.mark.unit


def simulated_bars(
    rng: np.random.Generator,
    spread: float,
    n_bars: int = 1500,
    ticks: int = 120,
    tick_vol: float = 0.0004,
) -> tuple[np.ndarray, ...]:
    """Trades alternate randomly at bid/ask around a random-walk mid; bars of ``ticks`` trades."""
    log_mid = np.cumsum(rng.normal(0.0, tick_vol, n_bars * ticks)) + math.log(100.0)
    side = rng.choice([-1.0, 1.0], size=log_mid.size)
    trades = np.exp(log_mid) * (1.0 + side * spread / 2.0)
    per_bar = trades.reshape(n_bars, ticks)
    return per_bar.max(axis=1), per_bar.min(axis=1), per_bar[:, -1]


@pytest.mark.parametrize("spread", [0.002, 0.005, 0.01])
def test_estimators_recover_a_known_spread(rng: np.random.Generator, spread: float) -> None:
    high, low, close = simulated_bars(rng, spread)
    est = sp.estimate_spread(high, low, close)
    assert est.corwin_schultz is not None and est.abdi_ranaldo is not None
    assert spread * 0.4 < est.fraction < spread * 2.0
    assert est.pairs == high.size - 1


def test_wider_spread_gives_a_larger_estimate(rng: np.random.Generator) -> None:
    narrow = sp.estimate_spread(*simulated_bars(rng, 0.001))
    wide = sp.estimate_spread(*simulated_bars(rng, 0.01))
    assert wide.fraction > 2 * narrow.fraction


def test_corwin_schultz_hand_case_and_floor() -> None:
    # identical bars: beta = 2 x^2, gamma = x^2 with x = ln(H/L)
    x = math.log(101 / 99)
    alpha = (math.sqrt(4 * x * x) - math.sqrt(2 * x * x)) / (3 - 2 * math.sqrt(2)) - math.sqrt(
        x * x / (3 - 2 * math.sqrt(2))
    )
    expected = max(0.0, 2 * (math.exp(alpha) - 1) / (1 + math.exp(alpha)))
    got = sp.corwin_schultz([101.0, 101.0], [99.0, 99.0])
    assert got.shape == (1,)
    assert got[0] == pytest.approx(expected)
    # a big jump between bars gives a negative raw estimate: floored at zero
    assert sp.corwin_schultz([101.0, 201.0], [99.0, 199.0])[0] == 0.0


def test_abdi_ranaldo_hand_case() -> None:
    high, low, close = [110.0, 110.0, 110.0], [90.0, 90.0, 90.0], [110.0, 90.0, 110.0]
    eta = (math.log(110) + math.log(90)) / 2
    prods = [4 * (math.log(c) - eta) * (math.log(c) - eta) for c in close[:-1]]
    assert sp.abdi_ranaldo(high, low, close) == pytest.approx(math.sqrt(sum(prods) / 2))


@pytest.mark.parametrize("method", ["corwin_schultz", "abdi_ranaldo", "both"])
def test_methods_and_bad_rows(method: str, rng: np.random.Generator) -> None:
    high, low, close = simulated_bars(rng, 0.004, n_bars=300)
    high[5], low[7] = np.nan, -1.0  # dropped, not propagated
    est = sp.estimate_spread(high, low, close, method=method)  # type: ignore[arg-type]
    assert math.isfinite(est.fraction) and est.fraction > 0
    assert (est.corwin_schultz is None) == (method == "abdi_ranaldo")
    assert (est.abdi_ranaldo is None) == (method == "corwin_schultz")


@pytest.mark.parametrize("bad", [([1.0], [1.0], [1.0]), ([], [], [])])
def test_too_few_bars_is_an_error(bad: tuple[list[float], ...]) -> None:
    with pytest.raises(ValueError, match="two bars"):
        sp.estimate_spread(*bad)


def test_shape_mismatch_is_an_error() -> None:
    with pytest.raises(ValueError):
        sp.corwin_schultz([1.0, 2.0], [1.0])
    with pytest.raises(ValueError):
        sp.abdi_ranaldo([1.0, 2.0], [1.0, 2.0], [1.0])


def test_estimate_from_polars_bars(rng: np.random.Generator) -> None:
    import polars as pl

    high, low, close = simulated_bars(rng, 0.003, n_bars=800)
    frame = pl.DataFrame(
        {"ts": np.arange(800) * 3_600_000, "high": high, "low": low, "close": close}
    )
    est = sp.estimate_from_bars(frame.reverse(), last_n=400)
    assert est.pairs == 399


def test_cli_reads_the_store_and_prints_json(home, rng, capsys, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import polars as pl

    from finbot.schema import conform
    from finbot.storage.parquet_writer import BarStore

    high, low, close = simulated_bars(rng, 0.004, n_bars=400)
    ts = 1_700_000_000_000 - (1_700_000_000_000 % 3_600_000) + np.arange(400) * 3_600_000
    bars = conform(
        pl.DataFrame(
            {
                "ts": ts,
                "open": close,
                "high": high,
                "low": low,
                "close": close,
                "volume": np.full(400, 1e6),
                "source": ["test"] * 400,
            }
        )
    )
    BarStore(home.parquet_dir).upsert("bitcoin", "1h", bars)
    assert sp.main(["--coin", "BTC", "--home", str(home.home), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["coin"] == "bitcoin" and 0.001 < out["fraction"] < 0.01
    assert out["spread_pct"] == pytest.approx(out["fraction"] * 100)
    assert sp.main(["--coin", "bitcoin", "--home", str(home.home), "--lang", "en"]) == 0
    english = capsys.readouterr().out
    assert re.search(r"bitcoin 1h: spread ≈ 0\.\d{4} % \(both, 399 bar pairs\)", english), english
    assert sp.main(["--coin", "bitcoin", "--home", str(home.home), "--lang", "fr"]) == 0
    french = capsys.readouterr().out
    assert re.search(r"bitcoin 1h : écart ≈ 0,\d{4} % \(both, 399 paires de barres\)", french), (
        french
    )


def test_cli_unknown_coin_exits_2(home, capsys) -> None:  # type: ignore[no-untyped-def]
    assert sp.main(["--coin", "nope", "--home", str(home.home)]) == 2
    assert "coin" in capsys.readouterr().err
    assert sp.main(["--coin", "nope", "--home", str(home.home), "--lang", "fr"]) == 2
    assert capsys.readouterr().err.startswith("erreur")
