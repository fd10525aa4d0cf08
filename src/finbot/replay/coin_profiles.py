"""Real-looking per-coin figures for synthetic history and the replay server.

Levels, volatilities, supplies and daily USD volumes are rounded orders of magnitude of the
real markets (2024). An unknown coin id gets a deterministic profile derived from its name,
so an eleventh coin needs no code.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass


@dataclass(frozen=True)
class CoinProfile:
    """What the generator and the replay server need to know about one coin."""

    id: str
    symbol: str
    name: str
    level: float  # typical USD price at the end of the generated history
    daily_vol: float  # typical daily log-return standard deviation
    supply: float  # circulating supply (market cap = price x supply)
    daily_volume_usd: float  # typical USD traded per day
    beta: float = 1.0  # exposure to the common market factor


_KNOWN: dict[str, tuple[str, str, float, float, float, float, float]] = {
    "bitcoin": ("BTC", "Bitcoin", 60_000.0, 0.030, 19.7e6, 30e9, 1.0),
    "ethereum": ("ETH", "Ethereum", 3_000.0, 0.038, 120e6, 15e9, 1.1),
    "solana": ("SOL", "Solana", 150.0, 0.055, 460e6, 3e9, 1.3),
    "binancecoin": ("BNB", "BNB", 550.0, 0.030, 146e6, 1.5e9, 0.9),
    "ripple": ("XRP", "XRP", 0.55, 0.045, 55e9, 1.5e9, 1.0),
    "cardano": ("ADA", "Cardano", 0.45, 0.045, 35e9, 0.4e9, 1.1),
    "avalanche-2": ("AVAX", "Avalanche", 30.0, 0.055, 400e6, 0.4e9, 1.3),
    "chainlink": ("LINK", "Chainlink", 14.0, 0.050, 600e6, 0.4e9, 1.2),
    "dogecoin": ("DOGE", "Dogecoin", 0.12, 0.055, 145e9, 1.0e9, 1.3),
    "polygon-ecosystem-token": ("POL", "Polygon", 0.50, 0.050, 10e9, 0.3e9, 1.2),
    "matic-network": ("MATIC", "Polygon", 0.50, 0.050, 10e9, 0.3e9, 1.2),
    "litecoin": ("LTC", "Litecoin", 75.0, 0.040, 75e6, 0.4e9, 1.0),
    "polkadot": ("DOT", "Polkadot", 6.0, 0.045, 1.4e9, 0.2e9, 1.1),
    "eos": ("EOS", "EOS", 0.70, 0.050, 1.5e9, 0.1e9, 1.1),
    "tether": ("USDT", "Tether", 1.0, 0.001, 110e9, 50e9, 0.0),
    "usd-coin": ("USDC", "USDC", 1.0, 0.001, 33e9, 7e9, 0.0),
    "dai": ("DAI", "Dai", 1.0, 0.001, 5e9, 0.3e9, 0.0),
}


def _unit_floats(text: str, count: int) -> list[float]:
    """``count`` deterministic numbers in [0, 1) from a text (stable across runs and OSes)."""
    digest = hashlib.sha256(text.encode()).digest()
    return [int.from_bytes(digest[4 * i : 4 * i + 4], "big") / 2**32 for i in range(count)]


def profile_for(coin_id: str) -> CoinProfile:
    """The coin's profile: the table above, or one derived from the id's hash."""
    if coin_id in _KNOWN:
        symbol, name, level, vol, supply, volume, beta = _KNOWN[coin_id]
        return CoinProfile(coin_id, symbol, name, level, vol, supply, volume, beta)
    u_level, u_vol, u_cap, u_beta = _unit_floats(coin_id, 4)
    level = round(10 ** (-2 + 5 * u_level), 4)  # 0.01 .. 1000 USD
    market_cap = 10 ** (8 + 2.5 * u_cap)  # 100 M .. 30 B USD
    symbol = "".join(ch for ch in coin_id.upper() if ch.isalnum())[:5] or "COIN"
    name = coin_id.replace("-", " ").title()
    return CoinProfile(
        coin_id,
        symbol,
        name,
        level,
        0.04 + 0.03 * u_vol,
        market_cap / level,
        market_cap * 0.04,
        0.9 + 0.5 * u_beta,
    )
