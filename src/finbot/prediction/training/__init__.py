"""Training: one coin × horizon against the naive baseline, the stacking master, incremental
retraining, the fan-out over many coins, and the purged time-series splits they (and the
walk-forward evaluation) share.

The public face is ``__init__.pyi``; names load on first use, so importing one costs only its
module.
"""

import lazy_loader as _lazy

__getattr__, __dir__, __all__ = _lazy.attach_stub(__name__, __file__)
