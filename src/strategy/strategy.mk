# src/strategy/strategy.mk: the strategy engine.
SQL_PIECES += src/strategy/strategy.sql
