"""Typed configuration: the spec's six JSON files, defaults shipped in ``defaults/``."""

from finbot.config.alert_settings import AlertSettings
from finbot.config.coins_file import add_user_coin
from finbot.config.language import detect_lang
from finbot.config.loader import (
    effective_config,
    load_settings,
    mask,
    mask_url,
    resolve_coin,
)
from finbot.config.models import (
    ApiConfig,
    Coin,
    CoinGeckoConfig,
    CoinsConfig,
    Costs,
    DashboardSettings,
    DisplaySettings,
    ExchangeConfig,
    ExchangeRateConfig,
    GeneralSettings,
    Secrets,
    Settings,
    Targets,
    Thresholds,
    TrainingBackend,
)
from finbot.config.secrets_file import save_dashboard_token, save_secrets

__all__ = [
    "AlertSettings",
    "ApiConfig",
    "Coin",
    "CoinGeckoConfig",
    "CoinsConfig",
    "Costs",
    "DashboardSettings",
    "DisplaySettings",
    "ExchangeConfig",
    "ExchangeRateConfig",
    "GeneralSettings",
    "Secrets",
    "Settings",
    "Targets",
    "Thresholds",
    "TrainingBackend",
    "add_user_coin",
    "detect_lang",
    "effective_config",
    "load_settings",
    "mask",
    "mask_url",
    "resolve_coin",
    "save_dashboard_token",
    "save_secrets",
]
