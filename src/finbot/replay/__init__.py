"""The replay server's public face (DESIGN.md: "replay_server"): a CoinGecko-compatible
server on loopback over stored or generated history, with fault injection.

Implementation in ``finbot.replay``; this module keeps the contract's names.
"""

from __future__ import annotations

from finbot.replay.csv_source import load_csv_dir
from finbot.replay.faults import FAULT_KINDS, Fault, FaultPlan
from finbot.replay.history import HistorySource
from finbot.replay.server import ReplayServer

__all__ = ["FAULT_KINDS", "Fault", "FaultPlan", "HistorySource", "ReplayServer", "load_csv_dir"]
