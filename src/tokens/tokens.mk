# src/tokens/tokens.mk: ERC-20 tokens, LST/LRT exchange rates and oracles.
SQL_PIECES += src/tokens/read.sql
