# src/risk/risk.mk: limits, circuit breakers and the risk gate.
# breakers.c has the pure breaker math (levels with hysteresis, price moves,
# depeg) and its wrappers; risk.sql the tables, the evaluation over ingested
# data and risk_gate().
OBJS       += src/risk/breakers.o
SQL_PIECES += src/risk/risk.sql
REGRESS    += risk_breakers
ISOLATION  += risk_gate_turnover
