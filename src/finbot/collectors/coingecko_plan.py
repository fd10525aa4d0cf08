"""Which CoinGecko the client talks to: the plan (public, demo or pro), its per-key request
rate, the base URL, and the process-wide TLS context."""

from __future__ import annotations

import functools
import os
import ssl

import httpx

from finbot.config import CoinGeckoConfig
from finbot.errors import ConfigError
from finbot.i18n import N_

URL_ENV = "FINBOT_COINGECKO_URL"


def resolve_plan(config: CoinGeckoConfig, has_keys: bool) -> str:
    """``auto``: public without keys, demo with keys; demo and pro need keys."""
    if config.plan == "auto":
        return "demo" if has_keys else "public"
    if config.plan in ("demo", "pro") and not has_keys:
        raise ConfigError(
            N_(
                "api_config.json: coingecko.plan: {plan!r} needs keys in ${env}; expected keys "
                "or plan 'auto'/'public'"
            ),
            plan=config.plan,
            env=config.auth.keys_env,
        )
    return config.plan


def client_rpm(config: CoinGeckoConfig, has_keys: bool) -> int:
    """Requests per minute per key: the keyed limit, or the public one without keys."""
    keyless = config.plan == "public" or not has_keys
    return config.auth.public_rpm if keyless else config.auth.rpm_per_key


def resolve_base_url(config: CoinGeckoConfig, plan: str, explicit: str | None) -> str:
    """Explicit argument > ``$FINBOT_COINGECKO_URL`` > the plan's default."""
    chosen = (
        explicit
        or os.environ.get(URL_ENV)
        or (config.pro_base_url if plan == "pro" else config.base_url)
    )
    return chosen.rstrip("/")


@functools.lru_cache(maxsize=1)
def tls_context() -> ssl.SSLContext:
    """The default TLS context (CA bundle), built once per process: loading the bundle costs
    ~100 ms, and the scheduler makes a client per job run (measured in bench_collection)."""
    return httpx.create_ssl_context()
