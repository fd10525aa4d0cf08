"""``finbot.ops.anti_sleep``: the portable name of :mod:`finbot.ops.anti_sleep_win`."""

from finbot.ops.anti_sleep_win import AntiSleep, keep_awake

__all__ = ["AntiSleep", "keep_awake"]
