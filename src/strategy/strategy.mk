# src/strategy/strategy.mk: the strategy engine: strategies and their kinds,
# positions, decisions, run_strategies(), pg_cron defaults and dashboards.
# strategy_math.c holds the computations the policies call beyond univ3's.
OBJS       += src/strategy/strategy_math.o
SQL_PIECES += src/strategy/strategy.sql
ISOLATION  += strategy_run_lock
