"""``settings.json``: cadences, retention, training, horizons, the dashboard, the display and
the alerts (``alert_settings.py``); a refused value says why in the user's language."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BeforeValidator, ConfigDict, Field, field_validator

from finbot.algorithms import TRAINABLE, Algorithm
from finbot.config.alert_settings import AlertSettings
from finbot.config.frozen import Frozen
from finbot.config.sizing import Profile
from finbot.i18n import N_, Message
from finbot.timeframes import TIMEFRAMES, Timeframe, canonical


class Cadences(Frozen):
    prices: int = Field(30, ge=10, le=30)
    markets: int = Field(60, gt=0)
    chart_5m: int = Field(300, gt=0)
    tickers: int = Field(600, gt=0)
    fx: int = Field(3600, gt=0)
    prediction_check: int = Field(120, gt=0)


class Retention(Frozen):
    """Days to keep per timeframe (``None``: forever) and for stored records."""

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)
    m5: int | None = Field(30, alias="5m", gt=0)
    h1: int | None = Field(730, alias="1h", gt=0)
    h4: int | None = Field(None, alias="4h", gt=0)
    d1: int | None = Field(None, alias="1d", gt=0)
    w1: int | None = Field(None, alias="1w", gt=0)
    predictions: int = Field(60, gt=0)
    evaluation: int = Field(365, gt=0)

    def for_timeframe(self, timeframe: str) -> int | None:
        by_timeframe: dict[str, int | None] = {
            Timeframe.M5: self.m5,
            Timeframe.H1: self.h1,
            Timeframe.H4: self.h4,
            Timeframe.D1: self.d1,
            Timeframe.W1: self.w1,
        }
        return by_timeframe[timeframe]


class TrainingBackend(StrEnum):
    """Where ``train --all`` runs its tasks: joblib's local workers or a Dask cluster."""

    JOBLIB = "joblib"
    DASK = "dask"


def _trainable(name: Any) -> Any:
    """Only the algorithms ``train`` fits (not ``naive`` nor ``master``), said as pydantic says
    it for a literal."""
    if name not in TRAINABLE:
        *head, last = (repr(a.value) for a in TRAINABLE)
        raise ValueError(
            Message(
                N_("Input should be {head} or {last}, got {got!r}"),
                head=", ".join(head),
                last=last,
                got=name,
            )
        )
    return name


TrainableAlgorithm = Annotated[Algorithm, BeforeValidator(_trainable)]


class Training(Frozen):
    algorithms: tuple[TrainableAlgorithm, ...] = TRAINABLE
    test_fraction: float = Field(0.3, gt=0, lt=1)
    workers: int = Field(2, ge=1)
    threads_per_model: int = Field(1, ge=1)  # native threads (BLAS/OpenMP) in each worker
    backend: TrainingBackend = TrainingBackend.JOBLIB
    dask_address: str | None = None
    keep_versions: int = Field(5, ge=1)
    micro_window_days: int = Field(90, gt=0)
    micro_hour_utc: int = Field(3, ge=0, le=23)
    mini_weekday: Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"] = "sun"
    #: One pooled model per horizon across coins, served where it beats the per-coin one.
    pooled: bool = True


class ConfidenceSettings(Frozen):
    level: float = Field(0.80, gt=0.5, lt=1)


class FreshnessSettings(Frozen):
    """When an answer's data counts as stale: its newest bar closed more than ``max_age_bars``
    bars of its timeframe ago (two 1 h bars: 2 h; two 5 m bars: 10 min)."""

    max_age_bars: float = Field(2.0, gt=0)


VolatilityModelName = Literal["har", "har_range", "garch", "lightgbm"]


class VolatilitySettings(Frozen):
    """The volatility forecasts: fitted beside every point model (``enabled``) with the
    ``models`` that compete with the two naive forecasts, and the probability the when
    question needs before it names a horizon (``when_level``).

    LightGBM is left out of the default ``models``: it is more than half of a fit's time, and
    on the shared real data it was the worst model at every horizon (pooled QLIKE ratio 0.95,
    0.82, 0.78 at 1h, 6h, 12h against range HAR's 0.89, 0.74, 0.67), chosen in 4 of 90 folds.
    """

    enabled: bool = True
    models: tuple[VolatilityModelName, ...] = ("har", "har_range", "garch")
    when_level: float = Field(0.5, gt=0, lt=1)


class ProcessSettings(Frozen):
    single_instance_lock: bool = True
    resume_on_start: bool = True
    anti_sleep: bool = True


class DashboardSettings(Frozen):
    """The served dashboard: on by default with ``finbot start``, bound to loopback. Any other
    address requires the token kept in ``secrets.json``."""

    enabled: bool = True
    host: str = Field("127.0.0.1", min_length=1)
    port: int = Field(8765, ge=0, le=65535)  # 0: any free port (tests)
    poll_sec: float = Field(1.0, gt=0, le=60)


HISTORY_DAYS = N_("history_days[{tf!r}]: expected a timeframe and days > 0")


def _time_zone(name: str) -> str:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(
            Message(N_("expected an IANA time zone such as Europe/Paris, got {name!r}"), name=name)
        ) from None
    return name


class DisplaySettings(Frozen):
    """How answers are shown (storage stays UTC and USD): the time zone of the times shown and
    whether amounts in dollars also show their value in euros (from the EUR/USD rate)."""

    timezone: Annotated[str, AfterValidator(_time_zone)] = "UTC"
    eur_beside_usd: bool = False


def _horizon_list(values: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(canonical(v, field="horizons") for v in values)


class GeneralSettings(Frozen):
    timezone: Literal["UTC"] = "UTC"
    profile: Profile = "auto"  # resolved to sizes by finbot.config.sizing
    lang: Literal["fr", "en"] | None = None
    horizons: tuple[str, ...] = ("10m", "1h", "6h", "8h", "12h")
    horizon_weights: dict[str, float] = {"10m": 0.1, "1h": 0.25, "6h": 0.25, "8h": 0.2, "12h": 0.2}
    timeframes: tuple[Timeframe, ...] = (Timeframe.M5, Timeframe.H1, Timeframe.D1)
    cadences_sec: Cadences = Cadences()
    retention_days: Retention = Retention()
    history_days: dict[Timeframe, int] = {Timeframe.D1: 3650, Timeframe.H1: 730, Timeframe.M5: 1}
    training: Training = Training()
    confidence: ConfidenceSettings = ConfidenceSettings()
    freshness: FreshnessSettings = FreshnessSettings()
    volatility: VolatilitySettings = VolatilitySettings()
    process: ProcessSettings = ProcessSettings()
    dashboard: DashboardSettings = DashboardSettings()
    alerts: AlertSettings = AlertSettings()
    display: DisplaySettings = DisplaySettings()

    @field_validator("horizons", mode="before")
    @classmethod
    def _horizons(cls, value: Any) -> tuple[str, ...]:
        if not isinstance(value, list | tuple) or not all(isinstance(h, str) for h in value):
            raise ValueError(
                Message(
                    N_('expected a list of horizons such as ["1h", "6h"], got {value!r}'),
                    value=value,
                )
            )
        return _horizon_list(tuple(value))

    @field_validator("timeframes", mode="before")
    @classmethod
    def _timeframes(cls, value: Any) -> Any:
        if isinstance(value, list | tuple):
            for tf in value:
                if tf not in TIMEFRAMES:
                    raise ValueError(
                        Message(
                            N_("expected timeframes among {timeframes}, got {tf!r}"),
                            timeframes=", ".join(TIMEFRAMES),
                            tf=tf,
                        )
                    )
        return value

    @field_validator("horizon_weights", mode="before")
    @classmethod
    def _weights(cls, value: Any) -> dict[str, float]:
        if not isinstance(value, dict):
            raise ValueError(
                Message(N_("expected an object of horizon: weight, got {value!r}"), value=value)
            )
        out = {}
        for key, weight in value.items():
            if not isinstance(weight, int | float) or weight < 0:
                raise ValueError(
                    Message(
                        N_("weight of {key!r}: expected a number >= 0, got {weight!r}"),
                        key=key,
                        weight=weight,
                    )
                )
            out[canonical(key, field="horizon_weights")] = float(weight)
        return out

    @field_validator("history_days", mode="before")
    @classmethod
    def _history_timeframes(cls, value: Any) -> Any:
        if isinstance(value, dict):
            for tf in value:
                if tf not in TIMEFRAMES:
                    raise ValueError(Message(HISTORY_DAYS, tf=tf))
        return value

    @field_validator("history_days")
    @classmethod
    def _history(cls, value: dict[Timeframe, int]) -> dict[Timeframe, int]:
        for tf, days in value.items():
            if days <= 0:
                raise ValueError(Message(HISTORY_DAYS, tf=str(tf)))
        return value

    def weight(self, horizon: str) -> float:
        return self.horizon_weights.get(canonical(horizon), 0.0)
