"""Features: the 26 scale-free indicators of a bar series (computed by one of two indicator
engines, TA-Lib or numpy) and the targets they predict.

The public face is ``__init__.pyi``; names load on first use, so importing one costs only its
module.
"""

import lazy_loader as _lazy

__getattr__, __dir__, __all__ = _lazy.attach_stub(__name__, __file__)
