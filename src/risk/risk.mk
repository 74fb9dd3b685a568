# src/risk/risk.mk: limits, circuit breakers and the risk gate.
# breakers.c has the pure breaker math (levels with hysteresis, price moves,
# depeg) and its wrappers; risk.sql the tables, the evaluation over ingested
# data and risk_gate(); vol.c/vol.sql the volatility models (EWMA, GARCH),
# var.c/var.sql VaR and CVaR, their backtests and Monte Carlo; portfolio.sql
# the VaR of a set of exposures from the market layer and the gate's var check;
# stress.sql the stress scenarios and the revaluation of one position under a
# shock.
OBJS       += src/risk/breakers.o $(patsubst %.c,%.o,$(filter-out src/risk/breakers.c,$(wildcard src/risk/*.c)))
# NLopt: the maximum-likelihood fits (vol.c)
SHLIB_LINK += -lnlopt
SQL_PIECES += src/risk/risk.sql $(wildcard src/risk/vol.sql) $(wildcard src/risk/var.sql) src/risk/portfolio.sql src/risk/stress.sql
REGRESS    += risk_breakers
ISOLATION  += risk_gate_turnover
