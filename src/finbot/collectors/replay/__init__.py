"""The loopback replay server, split by concern: history look-ups, CoinGecko endpoints,
charts, tickers, FX, a Binance subset, faults, and the HTTP server itself."""
