"""The offline world: a CoinGecko-, ExchangeRate-API- and Binance-shaped server on loopback over
stored or synthetic history, with fault injection.

The public face is ``__init__.pyi``; names load on first use, so importing one costs only its
module.
"""

import lazy_loader as _lazy

__getattr__, __dir__, __all__ = _lazy.attach_stub(__name__, __file__)
