# src/tokens/tokens.mk: ERC-20 tokens, LST/LRT rates and oracles as chain data
# (their tables, the decoder of their state reads, and their ingest registry
# rows) and their read models.  SQL only for now.
SQL_PIECES += src/tokens/tokens.sql
SQL_PIECES += src/tokens/read.sql
