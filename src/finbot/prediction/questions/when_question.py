"""The when question: "when does C gain X %?" -> the first configured horizon whose predicted
return AND whole interval (its lower bound) reach +X %, else ``None`` ("not within 12 h")."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TypedDict

from finbot.config.models import Settings
from finbot.errors import FinbotError
from finbot.prediction.questions.assessment import Assessment, Sources, assess
from finbot.prediction.questions.horizons import configured_horizons


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
    confidence: float | None
    within: str
    missing: list[str]
    scan: list[ScanJson]


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

    def to_json(self) -> WhenJson:
        best = self.found
        return {
            "coin": self.coin,
            "gain_pct": self.gain_pct,
            "horizon": self.horizon,
            "predicted_return": best.prediction.predicted_return if best else None,
            "confidence": best.confidence.score if best else None,
            "within": self.longest,
            "missing": [m for m in self.missing],
            "scan": [_scan_json(a) for a in self.scanned],
        }


def _reaches(a: Assessment, goal: float) -> bool:
    """Both the predicted return and the interval's lower bound reach ``goal``."""
    return math.expm1(a.prediction.predicted_return) >= goal and math.expm1(a.low_return) >= goal


def when(settings: Settings, sources: Sources, coin: str, gain_pct: float) -> WhenAnswer:
    """The first horizon whose prediction and whole interval reach ``+gain_pct`` %."""
    goal = gain_pct / 100.0
    scanned: list[Assessment] = []
    missing: list[str] = []
    horizons = configured_horizons(settings)
    for h in horizons:
        try:
            a = assess(settings, sources, coin, h)
        except FinbotError as exc:  # no model or no data at this horizon: skip, say which
            missing.append(f"{h}: {exc}")
            continue
        scanned.append(a)
        if _reaches(a, goal):
            found = a.prediction.horizon
            return WhenAnswer(
                coin, gain_pct, found, a, tuple(scanned), horizons[-1], tuple(missing)
            )
    if not scanned:
        raise FinbotError(f"{coin}: no horizon could be predicted ({'; '.join(missing)})")
    return WhenAnswer(coin, gain_pct, None, None, tuple(scanned), horizons[-1], tuple(missing))
