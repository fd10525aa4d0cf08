"""Collectors: the one CoinGecko client (retries, key rotation, limits, quota), one collector per
endpoint, the exchange source, and the API-usage ledger they write."""

from .coingecko import (
    CoinGeckoClient as CoinGeckoClient,
)
from .common import (
    Datasets as Datasets,
)
from .first_history import (
    backfill_first as backfill_first,
)
from .first_history import (
    order_by_market_cap as order_by_market_cap,
)
from .first_history import (
    requests_needed as requests_needed,
)
from .fx_collector import (
    cache_path as cache_path,
)
from .fx_collector import (
    read_cache as read_cache,
)
from .fx_collector import (
    stored_fx as stored_fx,
)
from .historical_collector import (
    collect_historical as collect_historical,
)
from .kit import (
    CollectorKit as CollectorKit,
)
from .runner import (
    make_client as make_client,
)
from .runner import (
    make_collector_cache as make_collector_cache,
)
from .runner import (
    run_collector as run_collector,
)
from .tickers_collector import (
    median_spread_pct as median_spread_pct,
)
from .top_coins import (
    resolve_top_coins as resolve_top_coins,
)
from .usage import (
    ApiUsageStore as ApiUsageStore,
)
from .usage import (
    CollectorStats as CollectorStats,
)
from .usage import (
    UsageSummary as UsageSummary,
)
from .usage import (
    open_usage as open_usage,
)

__all__ = [
    "ApiUsageStore",
    "CoinGeckoClient",
    "CollectorKit",
    "CollectorStats",
    "Datasets",
    "UsageSummary",
    "backfill_first",
    "cache_path",
    "collect_historical",
    "make_client",
    "make_collector_cache",
    "median_spread_pct",
    "open_usage",
    "order_by_market_cap",
    "read_cache",
    "requests_needed",
    "resolve_top_coins",
    "run_collector",
    "stored_fx",
]
