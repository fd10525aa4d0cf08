"""Typed, immutable settings: one pydantic model per spec configuration file.

Percentages in the files are written in percent and named ``*_pct``; code converts them to
fractions once, through the ``*_frac`` helpers, so a unit is never read the wrong way.
``settings.json``'s models live in ``general_settings.py`` (named here too).
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator, model_validator

from finbot.config.frozen import Frozen
from finbot.config.general_settings import (
    Cadences,
    ConfidenceSettings,
    DashboardSettings,
    DisplaySettings,
    FreshnessSettings,
    GeneralSettings,
    ProcessSettings,
    Retention,
    Training,
    TrainingBackend,
    VolatilitySettings,
)
from finbot.i18n import N_, Message
from finbot.timeframes import duration_seconds

__all__ = [  # settings.json's models are named here as well, where they always were
    "COIN_ID_PATTERN",
    "STABLECOIN_SYMBOLS",
    "ApiConfig",
    "CacheTtl",
    "Cadences",
    "Coin",
    "CoinGeckoAuth",
    "CoinGeckoConfig",
    "CoinsConfig",
    "ConfidenceSettings",
    "Costs",
    "DashboardSettings",
    "DecisionThresholds",
    "DisplaySettings",
    "ExchangeConfig",
    "ExchangeRateConfig",
    "FreshnessSettings",
    "Frozen",
    "GeneralSettings",
    "ProcessSettings",
    "Retention",
    "Retries",
    "Secrets",
    "Settings",
    "Targets",
    "Thresholds",
    "Timeouts",
    "TopCoins",
    "Training",
    "TrainingBackend",
    "VolatilitySettings",
]


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
#: A coin id as finbot stores it (CoinGecko's ids: lower-case letters, digits and dashes).
COIN_ID_PATTERN = r"^[a-z0-9][a-z0-9-]*$"


class Coin(Frozen):
    id: str = Field(min_length=1, pattern=COIN_ID_PATTERN)
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
