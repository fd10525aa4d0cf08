"""The when question: "when does C gain X %?" -> P(the high reaches +X % within H) for every
configured horizon, and the first horizon where it reaches ``volatility.when_level`` (default
50 %), else ``None`` ("not within <longest horizon>").

Each probability is the volatility model's calibrated touch probability (barrier formula on
the forecast variance, Platt-mapped on held-out folds) where its touch forecasts beat the base
rate and were reliable; otherwise the empirical frequency of such a touch over the stored bars
(``source`` says which). Touching within a longer horizon includes touching within a shorter
one, so the probabilities are made non-decreasing in the horizon (a running maximum).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TypedDict

from finbot.config.models import Settings
from finbot.errors import FinbotError
from finbot.i18n import N_, Message, error_message
from finbot.prediction.features import horizon_bars
from finbot.prediction.questions.assessment import (
    Assessment,
    Sources,
    assess,
    bar_timeframe,
)
from finbot.prediction.questions.horizons import configured_horizons
from finbot.prediction.questions.outcome import touch_base_rate


class ScanJson(TypedDict):
    horizon: str
    change_pct: float
    interval_low_pct: float
    interval_high_pct: float
    confidence: float


class WhenJson(TypedDict):
    """``finbot predict --kind when --json``."""

    coin: str
    gain_pct: float
    horizon: str | None
    predicted_return: float | None
    confidence: float | None  # 100 x the probability at ``horizon``
    within: str
    missing: list[str]
    scan: list[ScanJson]
    probabilities: dict[str, float | None]  # horizon -> P(high reaches +gain within it)
    sources: dict[str, str]  # horizon -> "volatility model" | "base rate" | "none", or the
    # shorter horizon's, as "base rate (10m)", where its probability was higher
    level: float


def _scan_json(a: Assessment) -> ScanJson:
    return {
        "horizon": a.prediction.horizon,
        "change_pct": math.expm1(a.prediction.predicted_return) * 100,
        "interval_low_pct": math.expm1(a.low_return) * 100,
        "interval_high_pct": math.expm1(a.high_return) * 100,
        "confidence": a.confidence.score,
    }


@dataclass(frozen=True)
class WhenAnswer:
    coin: str
    gain_pct: float
    horizon: str | None
    found: Assessment | None
    scanned: tuple[Assessment, ...]
    longest: str
    missing: tuple[str, ...] = ()
    probabilities: tuple[tuple[str, float | None, str], ...] = ()  # (horizon, p, source)
    level: float = 0.5

    @property
    def probability(self) -> float | None:
        """P(touch) at the horizon found (None when none was)."""
        return next((p for h, p, _ in self.probabilities if h == self.horizon), None)

    def to_json(self) -> WhenJson:
        best, p = self.found, self.probability
        return {
            "coin": self.coin,
            "gain_pct": self.gain_pct,
            "horizon": self.horizon,
            "predicted_return": best.prediction.predicted_return if best else None,
            "confidence": None if p is None else round(100.0 * p, 1),
            "within": self.longest,
            "missing": [m for m in self.missing],
            "scan": [_scan_json(a) for a in self.scanned],
            "probabilities": {h: p for h, p, _ in self.probabilities},
            "sources": {h: s for h, _, s in self.probabilities},
            "level": self.level,
        }


def _touch(a: Assessment, goal: float) -> tuple[float | None, str]:
    """P(the high reaches ``+goal`` within the horizon) and its source."""
    vf = a.volatility.forecast
    if vf is not None:
        p = vf.touch_probability(goal)
        if p is not None:
            return p, "volatility model"
    h = horizon_bars(a.prediction.horizon, bar_timeframe(a.prediction))
    base = touch_base_rate(a.bars, h, goal)
    return base, "none" if base is None else "base rate"


def _monotone(rows: list[tuple[str, float | None, str]]) -> list[tuple[str, float | None, str]]:
    """Running maximum over the horizons (a touch within H is one within any longer H); a
    probability carried from a shorter horizon says so in its source."""
    out: list[tuple[str, float | None, str]] = []
    best, carried = 0.0, ""
    for h, p, source in rows:
        if p is not None and p >= best:
            best, carried = p, f"{source} ({h})"
        elif p is not None:
            p, source = best, carried
        out.append((h, p, source))
    return out


def _scan(
    settings: Settings, sources: Sources, coin: str, goal: float
) -> tuple[list[Assessment], list[tuple[str, float | None, str]], list[str]]:
    scanned: list[Assessment] = []
    rows: list[tuple[str, float | None, str]] = []
    missing: list[str] = []
    horizons = configured_horizons(settings)
    for h in horizons:
        try:
            a = assess(settings, sources, coin, h)
        except FinbotError as exc:  # no model or no data at this horizon: skip, say which
            missing.append(Message(N_("{horizon}: {error}"), horizon=h, error=error_message(exc)))
            continue
        scanned.append(a)
        rows.append((a.prediction.horizon, *_touch(a, goal)))
    return scanned, _monotone(rows), missing


def when(settings: Settings, sources: Sources, coin: str, gain_pct: float) -> WhenAnswer:
    """P(+``gain_pct`` % touched) per horizon and the first horizon reaching the level."""
    level = settings.general.volatility.when_level
    scanned, rows, missing = _scan(settings, sources, coin, gain_pct / 100.0)
    if not scanned:
        raise FinbotError(
            N_("{coin}: no horizon could be predicted ({skipped})"),
            coin=coin,
            skipped=Message.joined("; ", missing),
        )
    longest = configured_horizons(settings)[-1]
    hit = next((i for i, (_, p, _) in enumerate(rows) if p is not None and p >= level), None)
    found = None if hit is None else scanned[hit]
    horizon = None if found is None else found.prediction.horizon
    return WhenAnswer(
        coin, gain_pct, horizon, found, tuple(scanned), longest, tuple(missing), tuple(rows), level
    )
