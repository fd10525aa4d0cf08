"""Typed, immutable settings: one pydantic model per spec configuration file.

Percentages in the files are written in percent and named ``*_pct``; code converts them to
fractions once, through the ``*_frac`` helpers, so a unit is never read the wrong way.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)

from finbot.algorithms import TRAINABLE, Algorithm
from finbot.config.alert_settings import AlertSettings
from finbot.i18n import N_, Message
from finbot.timeframes import TIMEFRAMES, Timeframe, canonical, duration_seconds


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


# ---------------------------------------------------------------- api_config.json
class Timeouts(Frozen):
    connect: float = Field(5.0, gt=0)
    read: float = Field(10.0, gt=0)


class Retries(Frozen):
    max_attempts: int = Field(3, ge=1, le=20)
    backoff_sec: float = Field(1.5, ge=0)
    jitter: float = Field(0.2, ge=0, le=1)
    max_wait_sec: float = Field(60.0, gt=0)


class CoinGeckoAuth(Frozen):
    keys_env: str = "COINGECKO_API_KEYS"
    rpm_per_key: int = Field(500, gt=0)
    public_rpm: int = Field(10, gt=0)
    monthly_cap_total: int = Field(2_000_000, gt=0)
    rotation: Literal["round_robin"] = "round_robin"


class CacheTtl(Frozen):
    simple_price: float = Field(10, ge=0)
    coins_markets: float = Field(60, ge=0)
    market_chart: float = Field(300, ge=0)
    tickers: float = Field(600, ge=0)
    ohlc: float = Field(300, ge=0)


class CoinGeckoConfig(Frozen):
    base_url: str = "https://api.coingecko.com/api/v3"
    pro_base_url: str = "https://pro-api.coingecko.com/api/v3"
    plan: Literal["auto", "public", "demo", "pro"] = "auto"
    # ids in one /simple/price or /coins/markets request (CoinGecko's page of 250 markets)
    ids_per_request: int = Field(250, gt=0, le=250)
    auth: CoinGeckoAuth = CoinGeckoAuth()
    timeouts_sec: Timeouts = Timeouts()
    retries: Retries = Retries()
    cache_ttl_sec: CacheTtl = CacheTtl()


class ExchangeRateConfig(Frozen):
    base_url: str = "https://open.er-api.com/v6"
    keyed_base_url: str = "https://v6.exchangerate-api.com/v6"
    key_env: str = "EXCHANGERATE_API_KEY"
    ttl_sec: float = Field(3600, ge=0)
    timeouts_sec: Timeouts = Timeouts()
    retries: Retries = Retries(backoff_sec=2.0)


class ExchangeConfig(Frozen):
    """Optional true-OHLCV source through ccxt (public endpoints, no key)."""

    enabled: bool = False
    id: str = "binance"
    base_url: str | None = None
    quote: str = "USDT"


class ApiConfig(Frozen):
    coingecko: CoinGeckoConfig = CoinGeckoConfig()
    exchangerate: ExchangeRateConfig = ExchangeRateConfig()
    exchange: ExchangeConfig = ExchangeConfig()


# ---------------------------------------------------------------- coins.json
class Coin(Frozen):
    id: str = Field(min_length=1, pattern=r"^[a-z0-9][a-z0-9-]*$")
    symbol: str = Field(min_length=1)
    name: str = Field(min_length=1)
    enabled: bool = True
    aliases: tuple[str, ...] = ()
    exchange_symbol: str | None = None  # e.g. "BTC/USDT"; default: f"{symbol}/{quote}"

    def names(self) -> set[str]:
        """Every spelling a user may type for this coin, lower-cased."""
        return {self.id, self.symbol.lower(), self.name.lower(), *(a.lower() for a in self.aliases)}


#: Symbols of the stablecoins a top-N list leaves out by default (their price is pegged:
#: nothing to predict). CoinGecko has no "not a stablecoin" filter on /coins/markets.
STABLECOIN_SYMBOLS = (
    "usdt", "usdc", "dai", "busd", "tusd", "usdp", "usdd", "fdusd", "pyusd", "usde", "usds",
    "frax", "gusd", "lusd", "eurc", "eurs", "usdy", "usd0", "usdb", "susd", "usdx", "ustc",
    "crvusd", "gho", "rlusd", "usdt0", "bsc-usd", "usdf", "usyc", "buidl", "usdtb", "usd1",
    "xaut", "paxg",
)  # fmt: skip


class TopCoins(Frozen):
    """``coins.json`` ``top``: besides the explicit list, the ``count`` coins of largest
    market cap (CoinGecko /coins/markets), resolved once and kept in the home so the ids stay
    the same from one run to the next (changing ``top``, or removing ``cache/top_coins.json``,
    resolves them again)."""

    count: int = Field(gt=0, le=1000)
    exclude_stablecoins: bool = True
    stablecoins: tuple[str, ...] = STABLECOIN_SYMBOLS

    def excluded(self, symbol: str) -> bool:
        return self.exclude_stablecoins and symbol.lower() in self.stablecoins


class CoinsConfig(Frozen):
    """The coins finbot follows: a user ``coins.json`` adds to the shipped ten (or, with
    ``"replace": true``, is the whole list)."""

    coins: tuple[Coin, ...] = Field(min_length=1)
    top: TopCoins | None = None
    replace: bool = False

    @model_validator(mode="after")
    def _unique(self) -> CoinsConfig:
        seen: dict[str, str] = {}
        for coin in self.coins:
            for spelling in coin.names():
                if spelling in seen and seen[spelling] != coin.id:
                    raise ValueError(
                        Message(
                            N_("{spelling!r} names both {first} and {second}"),
                            spelling=spelling,
                            first=seen[spelling],
                            second=coin.id,
                        )
                    )
                seen[spelling] = coin.id
        return self

    @property
    def enabled(self) -> tuple[Coin, ...]:
        return tuple(c for c in self.coins if c.enabled)

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(c.id for c in self.enabled)


# ---------------------------------------------------------------- settings.json
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
    profile: Literal["auto", "low", "medium", "high"] = "auto"  # finbot.config.sizing
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


# ---------------------------------------------------------------- thresholds.json
def _interpolate(anchors: dict[int, float], x: int) -> float:
    points = sorted(anchors.items())
    if x <= points[0][0]:
        return points[0][1]
    for (x0, y0), (x1, y1) in zip(points, points[1:], strict=False):
        if x <= x1:
            return y0 + (y1 - y0) * (x - x0) / (x1 - x0)
    return points[-1][1]


class DecisionThresholds(Frozen):
    buy_return_pct: float = Field(0.30, ge=0)
    sell_return_pct: float = Field(0.30, ge=0)
    volatility_scaling: bool = True
    reference_volatility_pct: float = Field(1.0, gt=0)
    min_confidence: float = Field(50, ge=0, le=100)


class Thresholds(Frozen):
    max_expected_error_pct: dict[str, float] = {"10m": 2.0, "6h": 5.0, "24h": 8.0}
    max_expected_error_cap_pct: float = Field(10.0, gt=0)
    alert_level: float = Field(0.80, gt=0, le=1)
    decision: DecisionThresholds = DecisionThresholds()

    @field_validator("max_expected_error_pct")
    @classmethod
    def _anchors(cls, value: dict[str, float]) -> dict[str, float]:
        if not value:
            raise ValueError(Message(N_("expected at least one horizon anchor")))
        for key, pct in value.items():
            duration_seconds(key, field="max_expected_error_pct")
            if pct <= 0:
                raise ValueError(
                    Message(N_("{key}: expected a percentage > 0, got {pct}"), key=key, pct=pct)
                )
        return value

    def max_error_frac(self, horizon: str) -> float:
        """Maximum acceptable expected error at ``horizon`` as a fraction (interpolated, capped)."""
        anchors = {duration_seconds(k): v for k, v in self.max_expected_error_pct.items()}
        pct = min(_interpolate(anchors, duration_seconds(horizon)), self.max_expected_error_cap_pct)
        return pct / 100.0


# ---------------------------------------------------------------- targets.json
class Targets(Frozen):
    currency: Literal["EUR"] = "EUR"
    net_profit_eur: dict[str, dict[str, float]] = {}

    @field_validator("net_profit_eur")
    @classmethod
    def _targets(cls, value: dict[str, dict[str, float]]) -> dict[str, dict[str, float]]:
        for coin, by_horizon in value.items():
            for horizon, eur in by_horizon.items():
                duration_seconds(horizon, field=f"net_profit_eur.{coin}")
                if eur < 0:
                    raise ValueError(
                        Message(
                            N_("{coin}.{horizon}: expected a target >= 0 EUR, got {eur}"),
                            coin=coin,
                            horizon=horizon,
                            eur=eur,
                        )
                    )
        return value

    def target_eur(self, coin_id: str, horizon: str) -> float | None:
        """The coin's net-profit target at ``horizon``, interpolated linearly in time."""
        by_horizon = self.net_profit_eur.get(coin_id)
        if not by_horizon:
            return None
        anchors = {duration_seconds(k): v for k, v in by_horizon.items()}
        return _interpolate(anchors, duration_seconds(horizon))


# ---------------------------------------------------------------- costs.json
class Costs(Frozen):
    currency: Literal["EUR"] = "EUR"
    fee_per_order_eur: float = Field(1.0, ge=0)
    maker_fee_pct: float = Field(0.0, ge=0, lt=10)
    taker_fee_pct: float = Field(0.0, ge=0, lt=10)
    spread_margin_pct: float = Field(0.2, ge=0, lt=10)
    default_spread_pct: float = Field(0.1, ge=0, lt=10)
    slippage_pct: float = Field(0.05, ge=0, lt=10)
    slippage_volume_impact: float = Field(0.1, ge=0)
    exchanges_whitelist: tuple[str, ...] = (
        "binance",
        "coinbase",
        "kraken",
        "bitstamp",
        "okx",
        "bybit",
    )
    default_order_eur: float = Field(1000.0, gt=0)


# ---------------------------------------------------------------- secrets (env or file)
class Secrets(Frozen):
    coingecko_keys: tuple[str, ...] = ()
    exchangerate_key: str | None = None
    dashboard_token: str | None = None
    alert_urls: tuple[str, ...] = ()  # apprise URLs: they hold tokens, never shown unmasked

    def __repr__(self) -> str:  # never print a key, even by accident
        return (
            f"Secrets(coingecko_keys={len(self.coingecko_keys)} keys, exchangerate_key=***, "
            f"alert_urls={len(self.alert_urls)} channels, dashboard_token=***)"
        )

    __str__ = __repr__


class Settings(Frozen):
    """Everything finbot is configured with; each component takes only the part it needs."""

    api: ApiConfig
    coins: CoinsConfig
    general: GeneralSettings
    thresholds: Thresholds
    targets: Targets
    costs: Costs
    secrets: Secrets = Secrets()
