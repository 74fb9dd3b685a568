# src/lending/lending.mk: lending protocols as a protocol module: Morpho Blue
# and Aave v3 exact math as pure C (morpho.c, aave.c) with their SQL
# wrappers, and the protocols as chain data (tables, decoders, state reads
# and read models).
OBJS       += $(patsubst %.c,%.o,$(wildcard src/lending/*.c))
SQL_PIECES += $(wildcard src/lending/morpho.sql) $(wildcard src/lending/aave.sql)
SQL_PIECES += $(wildcard src/lending/data.sql) $(wildcard src/lending/read.sql)
