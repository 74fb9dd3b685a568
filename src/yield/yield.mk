# src/yield/yield.mk: LST/LRT yields from exchange-rate series.
# apr.c has the pure APR/APY math and its wrappers; yield.sql the series
# functions over the tokens module's rate read models and the view v_yields.
OBJS       += src/yield/apr.o
SQL_PIECES += src/yield/yield.sql
REGRESS    += yield_apr
