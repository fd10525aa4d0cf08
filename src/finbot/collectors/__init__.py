"""Collectors: the one CoinGecko client and one small module per data kind."""
