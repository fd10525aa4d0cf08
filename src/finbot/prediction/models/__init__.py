"""Models: the algorithms against the naive baseline, the stacking master's inference, the
model store (native formats, atomic ``latest`` pointer, calibration) and the two tree
evaluators (numpy, library) it loads LightGBM and XGBoost files with.

The public face is ``__init__.pyi``; names load on first use, so importing one costs only its
module.
"""

import lazy_loader as _lazy

__getattr__, __dir__, __all__ = _lazy.attach_stub(__name__, __file__)
