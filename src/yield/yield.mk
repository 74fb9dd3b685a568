# src/yield/yield.mk: LST/LRT yields from exchange-rate series.
SQL_PIECES += src/yield/yield.sql
