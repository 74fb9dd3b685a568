# src/risk/risk.mk: limits, circuit breakers and the risk gate.
SQL_PIECES += src/risk/risk.sql
