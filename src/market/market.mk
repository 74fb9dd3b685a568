# src/market/market.mk: the market-data layer: price and rate series per
# asset, from the sources the protocol modules register (no C).
SQL_PIECES += src/market/market.sql
