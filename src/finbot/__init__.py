"""finbot: collect crypto market data, store it, predict honestly, decide after costs."""

__version__ = "0.1.0"
