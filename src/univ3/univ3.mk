# src/univ3/univ3.mk: exact Uniswap v3 math, position analytics, the swap simulator and ALM decisions,
# and Uniswap v3 as chain data (its tables, decoders and ingest registry rows).
# The pure math (tick_math ... swap_sim) has no server calls; univ3_sql.c
# holds the fmgr wrappers; alm.c has the ALM decisions and their wrappers;
# analytics.c the replay loop and volatility of univ3_backtest.  read.sql has
# the read models over the pool tables (state at a block, observations over
# a window, swap fees) and registers the pool price as a market source;
# analytics.sql the analytics and the backtest over them.
OBJS       += src/univ3/tick_math.o src/univ3/sqrt_price_math.o \
              src/univ3/swap_math.o src/univ3/liquidity_amounts.o \
              src/univ3/position.o src/univ3/swap_sim.o src/univ3/univ3_sql.o \
              src/univ3/alm.o src/univ3/analytics.o
SQL_PIECES += src/univ3/univ3.sql
# The pool's tables, their decoders and registry rows (needs ingest, above).
SQL_PIECES += src/univ3/data.sql
SQL_PIECES += src/univ3/read.sql
SQL_PIECES += src/univ3/analytics.sql
REGRESS    += univ3_math univ3_position univ3_alm
