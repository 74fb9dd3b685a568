# src/derivs/derivs.mk: derivatives and hedging analytics: option pricing
# and greeks (options.c), fixed yield in the Pendle v2 style (pendle.c),
# perpetual funding carry (funding.sql), exact Uniswap v3 position greeks
# (lp_greeks.c).  One .c per concept and one SQL piece per concept,
# concatenated after derivs.sql in name order.  Pure math in the preloaded
# library (no threads, no heavy libraries).
OBJS       += $(patsubst %.c,%.o,$(wildcard src/derivs/*.c))
SQL_PIECES += src/derivs/derivs.sql $(filter-out src/derivs/derivs.sql,$(sort $(wildcard src/derivs/*.sql)))
