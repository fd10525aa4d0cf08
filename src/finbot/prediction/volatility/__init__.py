"""Volatility: realised-variance forecasts scored against their naive baselines (QLIKE), the
conformal intervals and the touch and direction probabilities built on them, each shown only
where it measured skill out of sample. See ``README`` section "Volatility" for the choices.

The public face is ``__init__.pyi``; names load on first use, so importing one costs only its
module.
"""

import lazy_loader as _lazy

__getattr__, __dir__, __all__ = _lazy.attach_stub(__name__, __file__)
