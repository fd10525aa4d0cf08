"""Tracking: every prediction recorded and scored against what happened; walk-forward
evaluation of what the bot would have served, and its report.

The public face is ``__init__.pyi``; names load on first use, so importing one costs only its
module.
"""

import lazy_loader as _lazy

__getattr__, __dir__, __all__ = _lazy.attach_stub(__name__, __file__)
