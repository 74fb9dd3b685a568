# src/strategy/strategy.mk: the strategy engine and its kinds.
# engine.sql: strategies, the registry of kinds, positions, decisions,
# snapshots, run_strategies(), replay, pg_cron defaults and dashboards.
# kinds/<kind>.sql: one file per kind (its functions and its registry row);
# a new kind is one more file here, in the order of the kinds it uses.
# risk_views.sql: risk_reports, risk_refresh_reports() and v_risk
# (after the kinds: it reads v_lend_positions).
# strategy_math.c holds the computations the policies call beyond univ3's.
OBJS       += src/strategy/strategy_math.o
SQL_PIECES += src/strategy/engine.sql
SQL_PIECES += src/strategy/kinds/lp_univ3.sql
SQL_PIECES += src/strategy/kinds/stake.sql
SQL_PIECES += src/strategy/kinds/lend.sql
SQL_PIECES += src/strategy/kinds/leverage.sql
# allocate.sql: capital moved between member strategies' vaults (src/forecast/alloc.sql solves)
SQL_PIECES += src/strategy/kinds/allocate.sql
# hedge.sql: an lp_univ3 strategy's delta to one token kept in a band by a Morpho short
SQL_PIECES += src/strategy/kinds/hedge.sql
SQL_PIECES += src/strategy/risk_views.sql
# stress.sql: the stress tests of a strategy (risk scenarios on its positions)
SQL_PIECES += src/strategy/stress.sql
# pnl.sql: exact P&L attribution per period (v_pnl_attribution) and capital flows
SQL_PIECES += src/strategy/pnl.sql
ISOLATION  += strategy_run_lock
# outcomes.sql: decisions' expectations against their outcomes, return on
# gas, strategy_ranking (after pnl.sql, P&L attribution, when present)
SQL_PIECES += src/strategy/outcomes.sql
