"""The spec's ``src/ops/cli.py``: the command-line interface of the bot.

The commands live in :mod:`finbot.cli` (one module per group); this module exposes the same
``app`` and ``main`` so ``python -m finbot.ops.cli ...`` works like ``finbot ...``.
"""

from finbot.cli.app import app, main

__all__ = ["app", "main"]

if __name__ == "__main__":
    main()
