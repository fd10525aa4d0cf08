"""Alerts: rules over what finbot records, a gate (cool-down, de-duplication, quiet hours),
messages in French or English, and apprise channels fed from a bounded queue.

The public face is ``__init__.pyi``; names load on first use.
"""

import lazy_loader as _lazy

__getattr__, __dir__, __all__ = _lazy.attach_stub(__name__, __file__)
