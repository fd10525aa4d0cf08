"""The offline world: a CoinGecko-, ExchangeRate-API- and Binance-shaped server on loopback over
stored or synthetic history, with fault injection."""

from .csv_source import (
    load_csv_dir as load_csv_dir,
)
from .faults import (
    FAULT_KINDS as FAULT_KINDS,
)
from .faults import (
    Fault as Fault,
)
from .faults import (
    FaultPlan as FaultPlan,
)
from .history import (
    HistorySource as HistorySource,
)
from .server import (
    ReplayServer as ReplayServer,
)
from .synthetic import (
    default_coin_ids as default_coin_ids,
)
from .synthetic import (
    generate_history as generate_history,
)
from .units import (
    ReplayVolumeUnit as ReplayVolumeUnit,
)

__all__ = [
    "FAULT_KINDS",
    "Fault",
    "FaultPlan",
    "HistorySource",
    "ReplayServer",
    "ReplayVolumeUnit",
    "default_coin_ids",
    "generate_history",
    "load_csv_dir",
]
