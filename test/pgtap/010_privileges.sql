-- 010_privileges: the privilege matrix of every object the extension owns.
--
-- Roles form a ladder: PUBLIC < amplified_reader < amplified_analyst <
-- amplified_operator < amplified_admin (each holds the one before it).  An
-- object's entry names the lowest rung that holds a privilege; every rung
-- above holds it too, every rung below must not.  Immutable functions are
-- pure computation and harmless, so PUBLIC may execute them unless listed.
-- Any other function, table or view without an entry fails the test: a new
-- object must be placed in the matrix by the change that adds it.
BEGIN;
SELECT * FROM no_plan();

CREATE TEMP TABLE ladder (rung int, role text);
INSERT INTO ladder VALUES
	(0, 'public'), (1, 'amplified_reader'), (2, 'amplified_analyst'),
	(3, 'amplified_operator'), (4, 'amplified_admin');

-- (object, privilege, lowest rung that holds it); absent privilege: nobody.
CREATE TEMP TABLE matrix (object text, privilege text, min_role text);
INSERT INTO matrix VALUES
	-- worker module
	('amplified.workers()',              'EXECUTE', 'amplified_reader'),
	('amplified.worker_wakeups()',       'EXECUTE', 'amplified_reader'),
	('amplified.worker_wake_launcher()', 'EXECUTE', 'amplified_operator'),
	('amplified.heartbeats',             'SELECT',  'amplified_reader'),
	('amplified.v_workers',              'SELECT',  'amplified_reader'),
	-- worker kinds' wanted functions: the launcher's alone
	('amplified.worker_heartbeat_wanted()', 'EXECUTE', NULL),
	('amplified.ingest_worker_wanted()',  'EXECUTE', NULL),
	('amplified.txq_worker_wanted()',     'EXECUTE', NULL),
	-- rpc module: configuration is the admin's; read-only RPC the analyst's
	('amplified.chains',                 'SELECT',  'amplified_admin'),
	('amplified.chains',                 'INSERT',  'amplified_admin'),
	('amplified.chains',                 'UPDATE',  'amplified_admin'),
	('amplified.chains',                 'DELETE',  'amplified_admin'),
	('amplified.v_chains',               'SELECT',  'amplified_reader'),
	('amplified.chain_check_settings(amplified.chains)', 'EXECUTE', 'amplified_admin'),
	('amplified.rpc_check_urls(text[])', 'EXECUTE', 'amplified_admin'),
	('amplified.add_chain(bigint,text,text[],integer,integer,interval,integer,integer,bigint,boolean)', 'EXECUTE', 'amplified_admin'),
	('amplified.alter_chain(bigint,text,text[],integer,integer,interval,integer,integer,bigint,boolean)', 'EXECUTE', 'amplified_admin'),
	('amplified.rpc_call(bigint,text,jsonb)', 'EXECUTE', 'amplified_analyst'),
	('amplified.rpc_batch(bigint,jsonb)',     'EXECUTE', 'amplified_analyst'),
	('amplified.eth_block_number(bigint)',    'EXECUTE', 'amplified_analyst'),
	('amplified.eth_chain_id(bigint)',        'EXECUTE', 'amplified_analyst'),
	-- ingest module: chain data for readers, what to watch for the admin
	('amplified.watched_contracts',      'SELECT',  'amplified_reader'),
	('amplified.watched_contracts',      'INSERT',  'amplified_admin'),
	('amplified.watched_contracts',      'UPDATE',  'amplified_admin'),
	('amplified.watched_contracts',      'DELETE',  'amplified_admin'),
	('amplified.blocks',                 'SELECT',  'amplified_reader'),
	('amplified.logs',                   'SELECT',  'amplified_reader'),
	('amplified.ingest_cursors',         'SELECT',  'amplified_reader'),
	('amplified.ingest_status',          'SELECT',  'amplified_reader'),
	('amplified.ingest_reorgs',          'SELECT',  'amplified_reader'),
	('amplified.v_ingest_status',        'SELECT',  'amplified_reader'),
	('amplified.erc20_transfers',        'SELECT',  'amplified_reader'),
	('amplified.univ3_swaps',            'SELECT',  'amplified_reader'),
	('amplified.univ3_mints',            'SELECT',  'amplified_reader'),
	('amplified.univ3_burns',            'SELECT',  'amplified_reader'),
	('amplified.univ3_collects',         'SELECT',  'amplified_reader'),
	('amplified.watch_contract(bigint,amplified.address,text,text,bigint,integer,amplified.address[],text[])', 'EXECUTE', 'amplified_admin'),
	('amplified.ingest_decode_reads(bigint,bigint,bigint)', 'EXECUTE', 'amplified_admin'),
	('amplified.ingest_read_plan(bigint)', 'EXECUTE', 'amplified_reader'),
	('amplified.state_reads',            'SELECT',  'amplified_reader'),
	('amplified.token_supplies',         'SELECT',  'amplified_reader'),
	('amplified.token_balances',         'SELECT',  'amplified_reader'),
	('amplified.lst_rates',              'SELECT',  'amplified_reader'),
	('amplified.oracle_rounds',          'SELECT',  'amplified_reader'),
	('amplified.univ3_pool_states',      'SELECT',  'amplified_reader'),
	('amplified.ingest_resume(bigint,bigint)', 'EXECUTE', 'amplified_admin'),
	('amplified.ingest_node_has_block(bigint,bigint,boolean)', 'EXECUTE', 'amplified_analyst'),
	('amplified.ingest_decode(bigint,bigint,bigint)', 'EXECUTE', 'amplified_admin'),
	-- market: sources and feeds are configuration (the admin's); series for readers
	('amplified.market_sources',         'SELECT',  'amplified_reader'),
	('amplified.market_sources',         'INSERT',  NULL),
	('amplified.market_sources',         'UPDATE',  NULL),
	('amplified.market_sources',         'DELETE',  'amplified_admin'),
	('amplified.market_feeds',           'SELECT',  'amplified_reader'),
	('amplified.market_feeds',           'INSERT',  'amplified_admin'),
	('amplified.market_feeds',           'UPDATE',  'amplified_admin'),
	('amplified.market_feeds',           'DELETE',  'amplified_admin'),
	('amplified.registry_check_row()', 'EXECUTE', NULL),
	('amplified.registry_keep_builtin()', 'EXECUTE', NULL),
	('amplified.market_feeds_check()',   'EXECUTE', NULL),
	('amplified.market_feed(bigint,amplified.address,amplified.address,text,text)', 'EXECUTE', 'amplified_reader'),
	('amplified.market_feed_points(amplified.market_feeds,timestamp with time zone,timestamp with time zone)', 'EXECUTE', 'amplified_reader'),
	('amplified.market_series(amplified.market_feeds,timestamp with time zone,timestamp with time zone,interval)', 'EXECUTE', 'amplified_reader'),
	('amplified.market_feed_series(bigint,amplified.address,amplified.address,text,timestamp with time zone,timestamp with time zone,interval,text)', 'EXECUTE', 'amplified_reader'),
	('amplified.market_price_series(bigint,amplified.address,amplified.address,timestamp with time zone,timestamp with time zone,interval,text)', 'EXECUTE', 'amplified_reader'),
	('amplified.market_rate_series(bigint,amplified.address,timestamp with time zone,timestamp with time zone,interval,text)', 'EXECUTE', 'amplified_reader'),
	('amplified.market_price_at(bigint,amplified.address,amplified.address,timestamp with time zone,text)', 'EXECUTE', 'amplified_reader'),
	('amplified.market_rate_at(bigint,amplified.address,timestamp with time zone,text)', 'EXECUTE', 'amplified_reader'),
	-- read models of the protocol modules: for readers, as the tables they read
	('amplified.univ3_pool_state_at(bigint,amplified.address,bigint)', 'EXECUTE', 'amplified_reader'),
	('amplified.univ3_pool_liquidity_net_at(bigint,amplified.address,bigint)', 'EXECUTE', 'amplified_reader'),
	('amplified.univ3_pool_latest(bigint,amplified.address,bigint,timestamp with time zone,boolean)', 'EXECUTE', 'amplified_reader'),
	('amplified.univ3_pool_observations(bigint,amplified.address,timestamp with time zone,timestamp with time zone)', 'EXECUTE', 'amplified_reader'),
	('amplified.univ3_pool_fees_token1(bigint,amplified.address,integer,timestamp with time zone,bigint)', 'EXECUTE', 'amplified_reader'),
	('amplified.univ3_market_prices(bigint,amplified.address,timestamp with time zone,timestamp with time zone)', 'EXECUTE', 'amplified_reader'),
	('amplified.token_lst_method(bigint,amplified.address)', 'EXECUTE', 'amplified_reader'),
	('amplified.token_lst_rate_at(bigint,amplified.address,bigint)', 'EXECUTE', 'amplified_reader'),
	('amplified.token_lst_rate_latest(bigint,amplified.address,bigint,timestamp with time zone,text)', 'EXECUTE', 'amplified_reader'),
	('amplified.token_lst_rate_at_time(bigint,amplified.address,timestamp with time zone,text)', 'EXECUTE', 'amplified_reader'),
	('amplified.token_lst_rate_series(bigint,amplified.address,timestamp with time zone,timestamp with time zone,text)', 'EXECUTE', 'amplified_reader'),
	('amplified.token_oracle_answer_at(bigint,amplified.address,timestamp with time zone)', 'EXECUTE', 'amplified_reader'),
	('amplified.token_oracle_answers(bigint,amplified.address,timestamp with time zone,timestamp with time zone)', 'EXECUTE', 'amplified_reader'),
	('amplified.token_market_lst_rates(bigint,amplified.address,timestamp with time zone,timestamp with time zone)', 'EXECUTE', 'amplified_reader'),
	('amplified.token_market_oracle_answers(bigint,amplified.address,timestamp with time zone,timestamp with time zone)', 'EXECUTE', 'amplified_reader'),
	-- ingest's registry: readers see it, the admin adds to it; its checks
	-- read the catalogs (harmless, and run as whoever writes a row); the
	-- protocols' decode functions run only inside ingest_decode_reads()
	('amplified.ingest_event_decoders',  'SELECT',  'amplified_reader'),
	('amplified.ingest_event_decoders',  'INSERT',  NULL),
	('amplified.ingest_event_decoders',  'UPDATE',  NULL),
	('amplified.ingest_event_decoders',  'DELETE',  'amplified_admin'),
	('amplified.ingest_state_reads',     'SELECT',  'amplified_reader'),
	('amplified.ingest_state_reads',     'INSERT',  NULL),
	('amplified.ingest_state_reads',     'UPDATE',  NULL),
	('amplified.ingest_state_reads',     'DELETE',  'amplified_admin'),
	('amplified.ingest_contract_kinds',  'SELECT',  'amplified_reader'),
	('amplified.ingest_contract_kinds',  'INSERT',  NULL),
	('amplified.ingest_contract_kinds',  'UPDATE',  NULL),
	('amplified.ingest_contract_kinds',  'DELETE',  'amplified_admin'),
	('amplified.ingest_kind_reads',      'SELECT',  'amplified_reader'),
	('amplified.ingest_kind_reads',      'INSERT',  NULL),
	('amplified.ingest_kind_reads',      'UPDATE',  NULL),
	('amplified.ingest_kind_reads',      'DELETE',  'amplified_admin'),
	('amplified.ingest_registry_check_table(regclass,text)', 'EXECUTE', 'public'),
	('amplified.ingest_event_target_problem(regclass)', 'EXECUTE', 'public'),
	('amplified.ingest_event_decoders_check()', 'EXECUTE', NULL),
	('amplified.ingest_state_reads_check()', 'EXECUTE', NULL),
	('amplified.ingest_state_reads_keep()', 'EXECUTE', NULL),
	('amplified.ingest_reads_check()', 'EXECUTE', NULL),
	('amplified.token_decode_reads(bigint,bigint,bigint)', 'EXECUTE', NULL),
	('amplified.univ3_decode_reads(bigint,bigint,bigint)', 'EXECUTE', NULL),
	-- lending: Morpho Blue and Aave v3 chain data and their read models for
	-- readers; the decoders run only inside ingest_decode_reads()
	('amplified.morpho_markets',         'SELECT',  'amplified_reader'),
	('amplified.morpho_supplies',        'SELECT',  'amplified_reader'),
	('amplified.morpho_repays',          'SELECT',  'amplified_reader'),
	('amplified.morpho_withdraws',       'SELECT',  'amplified_reader'),
	('amplified.morpho_borrows',         'SELECT',  'amplified_reader'),
	('amplified.morpho_collateral_supplies', 'SELECT', 'amplified_reader'),
	('amplified.morpho_collateral_withdraws', 'SELECT', 'amplified_reader'),
	('amplified.morpho_liquidations',    'SELECT',  'amplified_reader'),
	('amplified.morpho_accruals',        'SELECT',  'amplified_reader'),
	('amplified.morpho_fee_sets',        'SELECT',  'amplified_reader'),
	('amplified.morpho_fee_recipients',  'SELECT',  'amplified_reader'),
	('amplified.morpho_irm_updates',     'SELECT',  'amplified_reader'),
	('amplified.morpho_oracle_prices',   'SELECT',  'amplified_reader'),
	('amplified.morpho_ledger',          'SELECT',  'amplified_reader'),
	('amplified.aave_reserve_updates',   'SELECT',  'amplified_reader'),
	('amplified.aave_supplies',          'SELECT',  'amplified_reader'),
	('amplified.aave_withdraws',         'SELECT',  'amplified_reader'),
	('amplified.aave_borrows',           'SELECT',  'amplified_reader'),
	('amplified.aave_repays',            'SELECT',  'amplified_reader'),
	('amplified.aave_liquidations',      'SELECT',  'amplified_reader'),
	('amplified.aave_emode_sets',        'SELECT',  'amplified_reader'),
	('amplified.aave_reserve_states',    'SELECT',  'amplified_reader'),
	('amplified.aave_account_states',    'SELECT',  'amplified_reader'),
	('amplified.aave_scaled_balances',   'SELECT',  'amplified_reader'),
	('amplified.aave_scaled_supplies',   'SELECT',  'amplified_reader'),
	('amplified.aave_prices',            'SELECT',  'amplified_reader'),
	('amplified.lend_markets',           'SELECT',  'amplified_reader'),
	('amplified.morpho_decode_reads(bigint,bigint,bigint)', 'EXECUTE', NULL),
	('amplified.aave_decode_reads(bigint,bigint,bigint)', 'EXECUTE', NULL),
	('amplified.morpho_market_state_at(bigint,amplified.bytes32,bigint)', 'EXECUTE', 'amplified_reader'),
	('amplified.morpho_position_state_at(bigint,amplified.bytes32,amplified.address,bigint)', 'EXECUTE', 'amplified_reader'),
	('amplified.aave_reserve_at(bigint,amplified.address,amplified.address,bigint)', 'EXECUTE', 'amplified_reader'),
	('amplified.aave_position_at(bigint,amplified.address,amplified.address,amplified.address,bigint)', 'EXECUTE', 'amplified_reader'),
	('amplified.aave_account_emode_at(bigint,amplified.address,amplified.address,bigint)', 'EXECUTE', 'amplified_reader'),
	('amplified.lend_market_at(bigint,amplified.bytes32,bigint)', 'EXECUTE', 'amplified_reader'),
	('amplified.lend_borrow_apy_avg(bigint,amplified.bytes32,bigint,interval)', 'EXECUTE', 'amplified_reader'),
	('amplified.lend_position_at(bigint,amplified.bytes32,amplified.address,bigint)', 'EXECUTE', 'amplified_reader'),
	-- univ3 analytics: read ingested swaps and pool states
	('amplified.univ3_pool_ticks(bigint,amplified.address,timestamp with time zone,timestamp with time zone)', 'EXECUTE', 'amplified_reader'),
	('amplified.univ3_time_in_range(bigint,amplified.address,integer,integer,timestamp with time zone,timestamp with time zone)', 'EXECUTE', 'amplified_reader'),
	('amplified.univ3_fees_earned(bigint,amplified.address,integer,integer,amplified.uint256,timestamp with time zone,timestamp with time zone)', 'EXECUTE', 'amplified_reader'),
	('amplified.univ3_backtest(bigint,amplified.address,integer,integer,timestamp with time zone,timestamp with time zone,amplified.uint256,amplified.uint256,jsonb)', 'EXECUTE', 'amplified_reader'),
	-- yield and risk: yields, breaker states and measurements for readers; the gate
	-- and breaker evaluation for operators (SECURITY DEFINER); configuration and
	-- lifting the risk kill switch for the admin
	('amplified.yield_token_method(bigint,amplified.address)', 'EXECUTE', 'amplified_reader'),
	('amplified.yield_rate_series(bigint,amplified.address,timestamp with time zone,timestamp with time zone,text)', 'EXECUTE', 'amplified_reader'),
	('amplified.yield_rate_at(bigint,amplified.address,timestamp with time zone,text)', 'EXECUTE', 'amplified_reader'),
	('amplified.yield_window_reads(bigint,amplified.address,interval,timestamp with time zone)', 'EXECUTE', 'amplified_reader'),
	('amplified.yield_apr_window(bigint,amplified.address,interval,timestamp with time zone)', 'EXECUTE', 'amplified_reader'),
	('amplified.yield_apy_window(bigint,amplified.address,interval,timestamp with time zone)', 'EXECUTE', 'amplified_reader'),
	('amplified.yield_apr_moving_average(bigint,amplified.address,integer,timestamp with time zone)', 'EXECUTE', 'amplified_reader'),
	('amplified.v_yields', 'SELECT', 'amplified_reader'),
	('amplified.risk_settings', 'SELECT', 'amplified_reader'),
	('amplified.risk_limits', 'SELECT', 'amplified_reader'),
	('amplified.risk_limits', 'INSERT', 'amplified_admin'),
	('amplified.risk_limits', 'UPDATE', 'amplified_admin'),
	('amplified.risk_limits', 'DELETE', 'amplified_admin'),
	('amplified.circuit_breakers', 'SELECT', 'amplified_reader'),
	('amplified.circuit_breakers', 'INSERT', 'amplified_admin'),
	('amplified.circuit_breakers', 'UPDATE', 'amplified_admin'),
	('amplified.circuit_breakers', 'DELETE', 'amplified_admin'),
	('amplified.circuit_breaker_state', 'SELECT', 'amplified_reader'),
	('amplified.risk_turnover', 'SELECT', 'amplified_reader'),
	('amplified.v_risk_breakers', 'SELECT', 'amplified_reader'),
	('amplified.risk_pool_prices(bigint,amplified.address,timestamp with time zone,timestamp with time zone)', 'EXECUTE', 'amplified_reader'),
	('amplified.risk_oracle_prices(bigint,amplified.address,timestamp with time zone,timestamp with time zone,integer)', 'EXECUTE', 'amplified_reader'),
	('amplified.risk_breaker_value(bigint,timestamp with time zone)', 'EXECUTE', 'amplified_reader'),
	('amplified.risk_turnover_today(bigint)', 'EXECUTE', 'amplified_reader'),
	('amplified.risk_is_halted()',        'EXECUTE', 'amplified_reader'),
	('amplified.risk_evaluate_breakers(timestamp with time zone,bigint[])', 'EXECUTE', 'amplified_operator'),
	('amplified.risk_refresh_breakers(bigint,amplified.address[],timestamp with time zone)', 'EXECUTE', 'amplified_operator'),
	('amplified.risk_gate(bigint,jsonb)', 'EXECUTE', 'amplified_operator'),
	('amplified.risk_gate_eval(bigint,bigint,amplified.address[],amplified.risk_proposal,boolean,bigint,timestamp with time zone)', 'EXECUTE', NULL),
	('amplified.risk_asset_level(bigint,amplified.address)', 'EXECUTE', 'amplified_reader'),
	('amplified.risk_limit(bigint,text)', 'EXECUTE', 'amplified_reader'),
	('amplified.risk_check_leverage(bigint,bigint,amplified.address[],amplified.risk_proposal)', 'EXECUTE', NULL),
	-- stress scenarios: readers run them; admins add their own (INSERT and UPDATE
	-- on every column but builtin, checked below) and classify assets
	('amplified.risk_scenarios', 'SELECT', 'amplified_reader'),
	('amplified.risk_scenarios', 'INSERT', NULL),
	('amplified.risk_scenarios', 'UPDATE', NULL),
	('amplified.risk_scenarios', 'DELETE', 'amplified_admin'),
	('amplified.risk_asset_classes', 'SELECT', 'amplified_reader'),
	('amplified.risk_asset_classes', 'INSERT', 'amplified_admin'),
	('amplified.risk_asset_classes', 'UPDATE', 'amplified_admin'),
	('amplified.risk_asset_classes', 'DELETE', 'amplified_admin'),
	('amplified.risk_scenarios_check()', 'EXECUTE', NULL),
	('amplified.risk_asset_class(jsonb,bigint,amplified.address)', 'EXECUTE', 'amplified_reader'),
	('amplified.risk_stress_exposures(bigint,amplified.risk_exposure[],amplified.address)', 'EXECUTE', 'amplified_reader'),
	('amplified.risk_check_stress(bigint,bigint,amplified.address[],amplified.risk_proposal)', 'EXECUTE', NULL),
	('amplified.strategy_stress_prices(bigint,bigint)', 'EXECUTE', 'amplified_reader'),
	('amplified.strategy_stress_factor(jsonb,bigint,amplified.address)', 'EXECUTE', 'amplified_reader'),
	('amplified.strategy_stress(bigint,text,bigint)', 'EXECUTE', 'amplified_reader'),
	('amplified.strategy_stress_summary(bigint,bigint)', 'EXECUTE', 'amplified_reader'),
	-- portfolio VaR (src/risk/portfolio.sql): readers measure, the gate's check is the owner's
	('amplified.risk_check_var(bigint,bigint,amplified.address[],amplified.risk_proposal)', 'EXECUTE', NULL),
	('amplified.risk_portfolio_quote(bigint,amplified.address,amplified.address)', 'EXECUTE', 'amplified_reader'),
	('amplified.risk_portfolio_returns(bigint,amplified.risk_exposure[],interval,timestamp with time zone,amplified.address)', 'EXECUTE', 'amplified_reader'),
	('amplified.risk_portfolio_var_eval(bigint,amplified.risk_exposure[],double precision,text,interval,timestamp with time zone,amplified.address)', 'EXECUTE', 'amplified_reader'),
	('amplified.risk_portfolio_var(bigint,amplified.risk_exposure[],double precision,text,interval,timestamp with time zone,amplified.address)', 'EXECUTE', 'amplified_reader'),
	('amplified.risk_portfolio_var_contributions(bigint,amplified.risk_exposure[],double precision,text,interval,timestamp with time zone,amplified.address)', 'EXECUTE', 'amplified_reader'),
	-- strategy risk reports (src/strategy/risk_views.sql)
	('amplified.risk_reports', 'SELECT', 'amplified_reader'),
	('amplified.ingest_block_at(bigint,timestamp with time zone)', 'EXECUTE', 'amplified_reader'),
	('amplified.univ3_pool_activity(bigint,amplified.address,timestamp with time zone,timestamp with time zone,interval,integer)', 'EXECUTE', 'amplified_reader'),
	-- forecast module: readers see the registry and progress; analysts train,
	-- backtest, predict and use the kinds on arrays; operators choose the live model
	('amplified.forecast_keys',          'SELECT',  NULL),
	-- allocate kind and lp_univ3 regimes
	('amplified.allocate_backtest(bigint,integer,double precision)', 'EXECUTE', 'amplified_analyst'),
	('amplified.allocate_backtest_returns(jsonb,double precision[],integer,double precision)', 'EXECUTE', 'amplified_analyst'),
	('amplified.allocate_target(jsonb,double precision[],double precision[],double precision[])', 'EXECUTE', 'amplified_analyst'),
	('amplified.strategy_lp_regime(amplified.strategies,timestamp with time zone)', 'EXECUTE', NULL),
	('amplified.strategy_validate_allocate(jsonb,bigint)', 'EXECUTE', NULL),
	('amplified.strategy_sync_allocate(amplified.strategies,bigint)', 'EXECUTE', NULL),
	('amplified.strategy_gather_allocate(amplified.strategies,bigint)', 'EXECUTE', NULL),
	('amplified.strategy_policy_allocate(amplified.strategies,jsonb)', 'EXECUTE', NULL),
	('amplified.allocate_member_returns(amplified.strategies,timestamp with time zone)', 'EXECUTE', NULL),
	('amplified.strategy_lp_regime_series(bigint,amplified.address,timestamp with time zone,interval,integer)', 'EXECUTE', 'amplified_reader'),
	('amplified.strategy_member_vaults(amplified.strategies)', 'EXECUTE', NULL),
	-- derivs module: funding data (operators load it), carry, greeks; the hedge kind
	('amplified.derivs_funding_payments', 'SELECT', 'amplified_reader'),
	('amplified.derivs_funding_payments', 'INSERT', 'amplified_operator'),
	('amplified.derivs_funding_payments', 'UPDATE', 'amplified_operator'),
	('amplified.derivs_funding_payments', 'DELETE', 'amplified_operator'),
	('amplified.derivs_funding_annualized(text,text,timestamp with time zone,timestamp with time zone)', 'EXECUTE', 'amplified_reader'),
	('amplified.derivs_funding_series(text,text,timestamp with time zone,timestamp with time zone,interval)', 'EXECUTE', 'amplified_reader'),
	('amplified.derivs_basis_carry(bigint,amplified.address,text,text,timestamp with time zone,timestamp with time zone,double precision,double precision,double precision,double precision)', 'EXECUTE', 'amplified_analyst'),
	('amplified.derivs_basis_carry_series(bigint,amplified.address,text,text,timestamp with time zone,timestamp with time zone,interval,double precision,double precision,double precision,double precision)', 'EXECUTE', 'amplified_analyst'),
	('amplified.strategy_greeks(bigint,bigint)', 'EXECUTE', 'amplified_reader'),
	-- performance: outcomes and ranking
	('amplified.strategy_ranking(interval,timestamp with time zone)', 'EXECUTE', 'amplified_reader'),
	('amplified.v_pnl_attribution', 'SELECT', 'amplified_reader'),
	('amplified.v_pnl_attribution_check', 'SELECT', 'amplified_reader'),
	('amplified.strategy_flows', 'SELECT', 'amplified_reader'),
	('amplified.strategy_flows', 'INSERT', NULL),
	('amplified.strategy_flows', 'UPDATE', NULL),
	('amplified.strategy_flows', 'DELETE', NULL),
	('amplified.strategy_pnl_step(amplified.strategy_snapshots,amplified.strategy_snapshots)', 'EXECUTE', 'amplified_reader'),
	('amplified.strategy_gas_price(bigint,amplified.address,timestamp with time zone)', 'EXECUTE', 'amplified_reader'),
	('amplified.v_decision_outcomes', 'SELECT', 'amplified_reader'),
	('amplified.v_strategy_outcomes', 'SELECT', 'amplified_reader'),
	('amplified.v_strategy_ranking', 'SELECT', 'amplified_reader'),
	('amplified.pendle_fixed_vs_floating(double precision,bigint,text,bigint,double precision[],double precision)', 'EXECUTE', 'amplified_analyst'),
	('amplified.strategy_hedge_target_delta(bigint,amplified.address,bigint)', 'EXECUTE', 'amplified_reader'),
	('amplified.strategy_validate_hedge(jsonb,bigint)', 'EXECUTE', NULL),
	('amplified.strategy_sync_hedge(amplified.strategies,bigint)', 'EXECUTE', NULL),
	('amplified.strategy_gather_hedge(amplified.strategies,bigint)', 'EXECUTE', NULL),
	('amplified.strategy_policy_hedge(amplified.strategies,jsonb)', 'EXECUTE', NULL),
	('amplified.strategy_simulate_hedge(amplified.strategies,jsonb,jsonb,jsonb)', 'EXECUTE', NULL),
	('amplified.strategy_hedge_check_unique()', 'EXECUTE', NULL),
	('amplified.forecast_projects',      'SELECT',  'amplified_reader'),
	('amplified.forecast_models',        'SELECT',  'amplified_reader'),
	('amplified.forecast_deployments',   'SELECT',  'amplified_reader'),
	('amplified.forecast_backtests',     'SELECT',  'amplified_reader'),
	('amplified.forecast_backtest_folds', 'SELECT', 'amplified_reader'),
	('amplified.v_forecast_progress',    'SELECT',  'amplified_reader'),
	('amplified.v_forecast_backtests',   'SELECT',  'amplified_reader'),
	('amplified.v_forecast_models',      'SELECT',  'amplified_reader'),
	('amplified.forecast_progress()',    'EXECUTE', 'amplified_reader'),
	('amplified.forecast_fit(text,double precision[],double precision[],jsonb)', 'EXECUTE', 'amplified_analyst'),
	('amplified.forecast_fit_predict(amplified.forecast_fit,double precision[])', 'EXECUTE', 'amplified_analyst'),
	('amplified.forecast_fit_forecast(amplified.forecast_fit,integer,double precision[])', 'EXECUTE', 'amplified_analyst'),
	('amplified.forecast_fit_regime(amplified.forecast_fit,double precision[])', 'EXECUTE', 'amplified_analyst'),
	('amplified.forecast_hmm_viterbi(amplified.forecast_fit,double precision[])', 'EXECUTE', 'amplified_analyst'),
	('amplified.forecast_hmm_loglik(amplified.forecast_fit,double precision[])', 'EXECUTE', 'amplified_analyst'),
	('amplified.forecast_lstm_gradient_check(bigint,integer,integer,double precision)', 'EXECUTE', 'amplified_analyst'),
	('amplified.forecast_lstm_loss_gradient(amplified.forecast_fit,double precision[])', 'EXECUTE', 'amplified_analyst'),
	('amplified.forecast_train(text,text,text,text,jsonb)', 'EXECUTE', 'amplified_analyst'),
	('amplified.forecast_features(bigint,amplified.address,timestamp with time zone,timestamp with time zone,amplified.address,interval,integer,integer,text)', 'EXECUTE', 'amplified_analyst'),
	('amplified.forecast_spread_features(bigint,amplified.address,amplified.bytes32,timestamp with time zone,timestamp with time zone,interval,integer,integer,text)', 'EXECUTE', 'amplified_analyst'),
	('amplified.forecast_pool_features(bigint,amplified.address,integer,timestamp with time zone,timestamp with time zone,interval,integer,integer,integer,integer)', 'EXECUTE', 'amplified_analyst'),
	('amplified.forecast_rate_buckets(bigint,amplified.address,timestamp with time zone,timestamp with time zone,interval,text)', 'EXECUTE', 'amplified_analyst'),
	('amplified.forecast_series_changes(bigint,amplified.address,amplified.address,timestamp with time zone,timestamp with time zone,interval,text)', 'EXECUTE', 'amplified_analyst'),
	('amplified.forecast_allocate_mv(double precision[],double precision[],double precision,double precision[],integer[],double precision[],double precision[],double precision,double precision)', 'EXECUTE', 'amplified_analyst'),
	('amplified.forecast_allocate_cvar(double precision[],double precision,double precision[],integer[],double precision[],double precision,double precision[],double precision)', 'EXECUTE', 'amplified_analyst'),
	('amplified.forecast_linprog(double precision[],double precision[],double precision[],double precision[],double precision[],double precision[],double precision[])', 'EXECUTE', 'amplified_analyst'),
	('amplified.forecast_predict(text,jsonb)', 'EXECUTE', 'amplified_analyst'),
	('amplified.forecast_predict_batch(text,text)', 'EXECUTE', 'amplified_analyst'),
	('amplified.forecast_predict_horizon(text,integer,double precision[],double precision)', 'EXECUTE', 'amplified_analyst'),
	('amplified.forecast_regime(text,double precision[])', 'EXECUTE', 'amplified_analyst'),
	('amplified.forecast_backtest(bigint,integer,integer,integer,integer,integer,double precision,integer,integer)', 'EXECUTE', 'amplified_analyst'),
	('amplified.forecast_deploy(bigint)', 'EXECUTE', 'amplified_operator'),
	('amplified.forecast_rollback(text)', 'EXECUTE', 'amplified_operator'),
	-- the registry's writes: forecast_train's alone, as the tables' owner
	('amplified.forecast_record_model(text,text,text,jsonb,text,text,text[],text,integer,timestamp with time zone,timestamp with time zone,bigint,bytea,jsonb,jsonb,name,double precision)', 'EXECUTE', NULL),
	('amplified.v_risk', 'SELECT', 'amplified_reader'),
	('amplified.risk_refresh_reports(interval)', 'EXECUTE', 'amplified_operator'),
	-- INSERT and UPDATE of risk_checks are the admin's on every column but builtin
	('amplified.risk_checks', 'SELECT', 'amplified_reader'),
	('amplified.risk_checks', 'INSERT', NULL),
	('amplified.risk_checks', 'UPDATE', NULL),
	('amplified.risk_checks', 'DELETE', 'amplified_admin'),
	('amplified.risk_halt(text)', 'EXECUTE', 'amplified_operator'),
	('amplified.risk_resume()', 'EXECUTE', 'amplified_admin'),
	('amplified.risk_set_limits(bigint,numeric,numeric,numeric,numeric,numeric,numeric,numeric,numeric,numeric,numeric,numeric)', 'EXECUTE', 'amplified_admin'),
	('amplified.risk_add_breaker(text,text,bigint,amplified.address,amplified.address,amplified.address,interval,interval,double precision,double precision,double precision,double precision,boolean,integer)', 'EXECUTE', 'amplified_admin'),
	-- txq signing: decoding and hashing are harmless; signing and checking signers the admin's
	('amplified.txq_decode_transaction(bytea)', 'EXECUTE', 'public'),
	('amplified.txq_signing_hash(jsonb)',       'EXECUTE', 'public'),
	('amplified.txq_sign_transaction(bigint,amplified.address,jsonb)', 'EXECUTE', 'amplified_admin'),
	('amplified.txq_check_signer(bigint,amplified.address)',           'EXECUTE', 'amplified_admin'),
	-- txq queue: the queue for readers, intents for operators, signers and
	-- lifting the kill switch for the admin; the worker's steps and the
	-- triggers for nobody
	('amplified.signers',                'SELECT',  'amplified_admin'),
	('amplified.signers',                'INSERT',  'amplified_admin'),
	('amplified.signers',                'UPDATE',  'amplified_admin'),
	('amplified.signers',                'DELETE',  'amplified_admin'),
	('amplified.nonces',                 'SELECT',  'amplified_reader'),
	('amplified.txq_control',            'SELECT',  'amplified_reader'),
	('amplified.tx_intents',             'SELECT',  'amplified_reader'),
	-- tx_attempts: readers hold every column but raw (checked below)
	('amplified.tx_attempts',            'SELECT',  'amplified_admin'),
	('amplified.signer_policies',        'SELECT',  'amplified_reader'),
	('amplified.tx_events',              'SELECT',  'amplified_reader'),
	('amplified.v_tx_queue',             'SELECT',  'amplified_reader'),
	('amplified.v_signers',              'SELECT',  'amplified_reader'),
	('amplified.add_signer(bigint,amplified.address,text,text,integer,amplified.uint256,interval)', 'EXECUTE', 'amplified_admin'),
	('amplified.remove_signer(bigint,amplified.address)', 'EXECUTE', 'amplified_admin'),
	('amplified.txq_set_signer_policy(bigint,amplified.address,amplified.address[],bytea[],amplified.uint256,integer,integer,boolean)', 'EXECUTE', 'amplified_admin'),
	('amplified.txq_remove_signer_policy(bigint,amplified.address)', 'EXECUTE', 'amplified_admin'),
	('amplified.txq_option_uint256(jsonb,text)', 'EXECUTE', 'public'),
	('amplified.txq_enqueue(bigint,amplified.address,amplified.address,amplified.uint256,bytea,jsonb)', 'EXECUTE', 'amplified_operator'),
	('amplified.txq_cancel(bigint)',      'EXECUTE', 'amplified_operator'),
	('amplified.txq_pause(bigint,boolean)', 'EXECUTE', 'amplified_operator'),
	('amplified.txq_resume(bigint)',      'EXECUTE', 'amplified_operator'),
	('amplified.txq_pause_signer(bigint,amplified.address,boolean)', 'EXECUTE', 'amplified_operator'),
	('amplified.txq_resume_signer(bigint,amplified.address)', 'EXECUTE', 'amplified_operator'),
	('amplified.txq_pause_all(text)', 'EXECUTE', 'amplified_operator'),
	('amplified.txq_resume_all()',        'EXECUTE', 'amplified_admin'),
	('amplified.txq_history(bigint)',     'EXECUTE', 'amplified_reader'),
	('amplified.txq_step_reconcile(bigint,amplified.address[],bigint[],bigint[])', 'EXECUTE', NULL),
	('amplified.txq_step_unknown_nonces(bigint,amplified.address[],bigint[])', 'EXECUTE', NULL),
	('amplified.txq_step_adopt(bigint,amplified.address[],bigint[],jsonb,text[],text[])', 'EXECUTE', NULL),
	('amplified.txq_resolve_held(bigint,boolean)', 'EXECUTE', 'amplified_admin'),
	('amplified.txq_step_expire(bigint)', 'EXECUTE', NULL),
	('amplified.txq_step_claim(bigint,integer,integer)', 'EXECUTE', NULL),
	('amplified.txq_step_reserve(bigint,bigint[],bigint[],text[])', 'EXECUTE', NULL),
	('amplified.txq_step_to_sign(bigint,integer,integer)', 'EXECUTE', NULL),
	('amplified.txq_step_record_signed(bigint[],integer[],bigint[],amplified.uint256[],amplified.uint256[],amplified.uint256[],bytea[],amplified.bytes32[])', 'EXECUTE', NULL),
	('amplified.txq_step_alert(bigint[],text[])', 'EXECUTE', NULL),
	('amplified.txq_step_record_signers(bigint,amplified.address[],text[],interval)', 'EXECUTE', NULL),
	('amplified.txq_step_backlog(bigint,integer,integer)', 'EXECUTE', NULL),
	('amplified.txq_step_to_broadcast(bigint,integer)', 'EXECUTE', NULL),
	('amplified.txq_step_record_sent(bigint[],text[])', 'EXECUTE', NULL),
	('amplified.txq_step_to_follow(bigint)', 'EXECUTE', NULL),
	('amplified.txq_step_record_receipts(bigint,bigint,bigint[],bigint[],amplified.bytes32[],bigint[],amplified.uint256[],smallint[],boolean[],bigint[])', 'EXECUTE', NULL),
	('amplified.tx_intents_audit()',      'EXECUTE', NULL),
	('amplified.txq_wake_workers()',      'EXECUTE', NULL),
	-- the guards the queue asks (a registry the other modules fill)
	('amplified.txq_enqueue_guards',      'SELECT',  'amplified_reader'),
	('amplified.txq_ask_guards(text,bigint,amplified.address,bigint,amplified.address,amplified.uint256,bytea)', 'EXECUTE', NULL),
	('amplified.risk_enqueue_guard(bigint,amplified.address,bigint,amplified.address,amplified.uint256,bytea)', 'EXECUTE', NULL),
	-- the queue's read models, for the other modules and dashboards
	('amplified.txq_is_paused()',         'EXECUTE', 'amplified_reader'),
	('amplified.txq_strategy_busy(bigint,bigint)', 'EXECUTE', 'amplified_reader'),
	('amplified.txq_gas_spent(bigint,bigint)', 'EXECUTE', 'amplified_reader'),
	('amplified.txq_intents_state(bigint[])', 'EXECUTE', 'amplified_reader'),
	-- strategy: readers see strategies, decisions and dashboards; operators run them; internals are nobody's
	('amplified.registry_check_function(regproc,text,regtype[],regtype)', 'EXECUTE', 'public'),
	('amplified.registry_call_name(regproc)', 'EXECUTE', 'public'),
	('amplified.strategy_kinds',         'SELECT',  'amplified_reader'),
	-- INSERT and UPDATE of strategy_kinds are the admin's on every column but builtin (checked below)
	('amplified.strategy_kinds',         'INSERT',  NULL),
	('amplified.strategy_kinds',         'UPDATE',  NULL),
	('amplified.strategy_kinds_grants()', 'EXECUTE', NULL),
	('amplified.strategy_param_versions', 'SELECT', 'amplified_reader'),
	('amplified.v_univ3_positions',      'SELECT',  'amplified_reader'),
	('amplified.v_lend_positions',       'SELECT',  'amplified_reader'),
	('amplified.strategy_positions(bigint,text)', 'EXECUTE', 'amplified_reader'),
	('amplified.strategy_pnl(bigint,bigint)', 'EXECUTE', 'amplified_reader'),
	('amplified.strategy_replay(bigint)', 'EXECUTE', 'amplified_analyst'),
	('amplified.strategy_put_position(bigint,bigint,amplified.strategy_position)', 'EXECUTE', NULL),
	('amplified.strategy_clear_positions(bigint)', 'EXECUTE', NULL),
	('amplified.strategy_kinds',         'DELETE',  'amplified_admin'),
	('amplified.strategies',             'SELECT',  'amplified_reader'),
	('amplified.positions',              'SELECT',  'amplified_reader'),
	('amplified.strategy_runs',          'SELECT',  'amplified_reader'),
	('amplified.decisions',              'SELECT',  'amplified_reader'),
	('amplified.strategy_snapshots',     'SELECT',  'amplified_reader'),
	('amplified.v_positions',            'SELECT',  'amplified_reader'),
	('amplified.v_decisions',            'SELECT',  'amplified_reader'),
	('amplified.v_strategy_performance', 'SELECT',  'amplified_reader'),
	('amplified.strategy_wallet(bigint,amplified.address,amplified.address)', 'EXECUTE', 'amplified_reader'),
	('amplified.ingest_head_block(bigint)', 'EXECUTE', 'amplified_reader'),
	('amplified.ingest_block_time(bigint,bigint)', 'EXECUTE', 'amplified_reader'),
	('amplified.strategy_create(text,text,bigint,amplified.address,jsonb,boolean)', 'EXECUTE', 'amplified_admin'),
	('amplified.strategy_update_contracts(bigint,jsonb)', 'EXECUTE', 'amplified_admin'),
	('amplified.strategy_update_as(bigint,jsonb,text,boolean)', 'EXECUTE', NULL),
	('amplified.strategy_update(bigint,jsonb,text)',  'EXECUTE', 'amplified_operator'),
	('amplified.strategy_enable(bigint,boolean)',     'EXECUTE', 'amplified_operator'),
	('amplified.strategy_disable(bigint)',            'EXECUTE', 'amplified_operator'),
	('amplified.strategy_sync_positions(bigint,bigint)', 'EXECUTE', 'amplified_operator'),
	('amplified.run_strategies(boolean,bigint[])',    'EXECUTE', 'amplified_operator'),
	('amplified.strategy_housekeeping(interval,interval)', 'EXECUTE', 'amplified_admin'),
	('amplified.schedule_defaults(text,text,text)',       'EXECUTE', 'amplified_admin'),
	('amplified.strategy_eth_call(bigint,amplified.address,amplified.address,bytea,bigint)', 'EXECUTE', NULL),
	('amplified.strategy_read_word(bigint,amplified.address,text,text)', 'EXECUTE', NULL),
	('amplified.strategy_validate_lp_univ3(jsonb,bigint)', 'EXECUTE', NULL),
	('amplified.strategy_validate_stake(jsonb,bigint)', 'EXECUTE', NULL),
	('amplified.strategy_sync_tokens(amplified.strategies,bigint,amplified.address[],amplified.address[])', 'EXECUTE', NULL),
	('amplified.strategy_sync_account(amplified.strategies,bigint,amplified.address,amplified.address[])', 'EXECUTE', NULL),
	('amplified.strategy_state_stale(jsonb,jsonb)', 'EXECUTE', 'public'),
	('amplified.strategy_require_block(bigint,bigint)', 'EXECUTE', NULL),
	('amplified.strategy_sync_lp_univ3(amplified.strategies,bigint)', 'EXECUTE', NULL),
	('amplified.strategy_sync_stake(amplified.strategies,bigint)', 'EXECUTE', NULL),
	('amplified.strategy_gather_lp_univ3(amplified.strategies,bigint)', 'EXECUTE', NULL),
	('amplified.strategy_gather_stake(amplified.strategies,bigint)', 'EXECUTE', NULL),
	('amplified.strategy_policy_lp_univ3(amplified.strategies,jsonb)', 'EXECUTE', NULL),
	('amplified.strategy_policy_stake(amplified.strategies,jsonb)', 'EXECUTE', NULL),
	('amplified.strategy_validate_leverage(jsonb,bigint)', 'EXECUTE', NULL),
	('amplified.strategy_sync_leverage(amplified.strategies,bigint)', 'EXECUTE', NULL),
	('amplified.strategy_gather_leverage(amplified.strategies,bigint)', 'EXECUTE', NULL),
	('amplified.strategy_policy_leverage(amplified.strategies,jsonb)', 'EXECUTE', NULL),
	('amplified.strategy_policy_leverage_rules(amplified.strategies,jsonb)', 'EXECUTE', NULL),
	('amplified.strategy_leverage_carry_forecast(amplified.strategies,timestamp with time zone)', 'EXECUTE', NULL),
	('amplified.strategy_simulate_leverage(amplified.strategies,jsonb,jsonb,jsonb)', 'EXECUTE', NULL),
	('amplified.strategy_validate_lend(jsonb,bigint)', 'EXECUTE', NULL),
	('amplified.strategy_sync_lend(amplified.strategies,bigint)', 'EXECUTE', NULL),
	('amplified.strategy_gather_lend(amplified.strategies,bigint)', 'EXECUTE', NULL),
	('amplified.strategy_policy_lend(amplified.strategies,jsonb)', 'EXECUTE', NULL),
	('amplified.strategy_simulate_lend(amplified.strategies,jsonb,jsonb,jsonb)', 'EXECUTE', NULL),
	('amplified.strategy_simulate_intents(amplified.strategies,bigint,amplified.strategy_intent[])', 'EXECUTE', NULL),
	('amplified.strategy_record_snapshot(bigint,bigint,timestamp with time zone,amplified.strategy_valuation)', 'EXECUTE', NULL),
	('amplified.strategy_record_decision(amplified.strategies,bigint,bigint,jsonb,jsonb)', 'EXECUTE', NULL),
	('amplified.strategy_intent_check(bigint,amplified.address,bigint,amplified.address,amplified.uint256,bytea)', 'EXECUTE', NULL),
	('amplified.strategy_run_one(amplified.strategies,bigint,boolean)', 'EXECUTE', NULL),
	-- a trigger function: nobody calls it
	('amplified.chains_wake_launcher()', 'EXECUTE', NULL),
	-- partitioned history (src/ingest/partitions.sql): settings are the admin's, the rest is read
	('amplified.ingest_history_settings', 'SELECT', 'amplified_reader'),
	('amplified.ingest_history_settings', 'INSERT', 'amplified_admin'),
	('amplified.ingest_history_settings', 'UPDATE', 'amplified_admin'),
	('amplified.ingest_history_settings', 'DELETE', 'amplified_admin'),
	('amplified.ingest_partitions', 'SELECT', 'amplified_reader'),
	('amplified.ingest_retention_log', 'SELECT', 'amplified_reader'),
	('amplified.ingest_retention_floors', 'SELECT', 'amplified_reader'),
	('amplified.v_ingest_history', 'SELECT', 'amplified_reader'),
	('amplified.ingest_partitions_maintain(bigint,bigint,bigint)', 'EXECUTE', 'amplified_admin'),
	('amplified.ingest_retention_apply(bigint)', 'EXECUTE', 'amplified_admin'),
	('amplified.ingest_history_tables()', 'EXECUTE', 'amplified_reader'),
	('amplified.ingest_retention_floors(bigint)', 'EXECUTE', 'amplified_reader'),
	('amplified.ingest_floor_window(bigint)', 'EXECUTE', 'amplified_reader'),
	('amplified.strategy_retention_floor(bigint)', 'EXECUTE', 'amplified_reader'),
	('amplified.univ3_retention_floor(bigint)', 'EXECUTE', 'amplified_reader'),
	('amplified.token_retention_floor(bigint)', 'EXECUTE', 'amplified_reader'),
	('amplified.lend_retention_floor(bigint)', 'EXECUTE', 'amplified_reader'),
	('amplified.ingest_window_from(bigint,bigint,timestamp with time zone)', 'EXECUTE', 'amplified_reader'),
	('amplified.univ3_pool_latest_search(bigint,amplified.address,bigint,timestamp with time zone,boolean)', 'EXECUTE', 'amplified_reader'),
	('amplified.token_lst_rate_search(bigint,amplified.address,bigint,timestamp with time zone,text)', 'EXECUTE', 'amplified_reader'),
	('amplified.token_oracle_answer_search(bigint,amplified.address,timestamp with time zone)', 'EXECUTE', 'amplified_reader'),
	('amplified.ingest_partition_name(regclass,bigint,bigint)', 'EXECUTE', NULL),
	('amplified.ingest_partition_of(regclass,name)', 'EXECUTE', NULL),
	('amplified.ingest_partition_default(regclass)', 'EXECUTE', NULL),
	('amplified.ingest_partition_adopt(regclass,regclass)', 'EXECUTE', NULL),
	('amplified.ingest_partitions_defaults()', 'EXECUTE', NULL),
	('amplified.ingest_partition_create(regclass,name,bigint,bigint,bigint)', 'EXECUTE', NULL),
	('amplified.ingest_partition_range_drop(bigint,bigint,bigint)', 'EXECUTE', NULL),
	('amplified.ingest_partition_range_lock(bigint,bigint)', 'EXECUTE', NULL),
	('amplified.chains_history_partitions()', 'EXECUTE', NULL),
	('amplified.ingest_history_settings_replan()', 'EXECUTE', NULL),
	-- restore helpers: trigger functions nobody calls
	('amplified.dump_replace_singleton()', 'EXECUTE', NULL),
	('amplified.ingest_watched_cursor()', 'EXECUTE', NULL),
	-- shard module: the coordinator's registry and API are the admin's, its figures the reader's
	('amplified.v_strategy_books', 'SELECT', 'amplified_reader'),
	('amplified.shards', 'SELECT', 'amplified_admin'),
	('amplified.shard_chains', 'SELECT', 'amplified_admin'),
	('amplified.shard_books', 'SELECT', NULL),
	('amplified.shard_risk', 'SELECT', NULL),
	('amplified.shard_positions', 'SELECT', NULL),
	('amplified.shard_add(text,text,integer,text,bigint[],text,text,integer,integer)', 'EXECUTE', 'amplified_admin'),
	('amplified.shard_remove(text)', 'EXECUTE', 'amplified_admin'),
	('amplified.shard_refresh()', 'EXECUTE', 'amplified_admin'),
	('amplified.shard_build_tables(text)', 'EXECUTE', NULL),
	('amplified.shard_drop_tables(text)', 'EXECUTE', NULL),
	('amplified.shard_unreachable(text,text)', 'EXECUTE', NULL),
	('amplified.shard_books_by_chain()', 'EXECUTE', NULL),
	('amplified.shard_risk_rows()', 'EXECUTE', NULL),
	('amplified.shard_positions_by_chain()', 'EXECUTE', NULL),
	('amplified.cluster_portfolio()', 'EXECUTE', 'amplified_reader'),
	('amplified.cluster_pnl()', 'EXECUTE', 'amplified_reader'),
	('amplified.cluster_risk()', 'EXECUTE', 'amplified_reader'),
	('amplified.cluster_positions()', 'EXECUTE', 'amplified_reader'),
	('amplified.cluster_totals()', 'EXECUTE', 'amplified_reader'),
	('amplified.v_cluster_portfolio', 'SELECT', 'amplified_reader'),
	('amplified.v_cluster_pnl', 'SELECT', 'amplified_reader'),
	('amplified.v_cluster_risk', 'SELECT', 'amplified_reader'),
	('amplified.v_cluster_positions', 'SELECT', 'amplified_reader'),
	('amplified.v_cluster_totals', 'SELECT', 'amplified_reader');

-- Every function, aggregate and procedure of the extension.
CREATE TEMP TABLE ext_functions AS
	SELECT p.oid::regprocedure::text AS object, p.provolatile, p.prosecdef, p.proconfig
	  FROM pg_depend d JOIN pg_proc p ON p.oid = d.objid
	 WHERE d.classid = 'pg_proc'::regclass AND d.deptype = 'e'
	   AND d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'amplified');

-- Every table and view of the extension.
CREATE TEMP TABLE ext_relations AS
	SELECT c.oid::regclass::text AS object, c.relkind
	  FROM pg_depend d JOIN pg_class c ON c.oid = d.objid
	 WHERE d.classid = 'pg_class'::regclass AND d.deptype = 'e'
	   AND d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'amplified')
	   AND c.relkind IN ('r', 'v', 'm', 'p')
	   -- history partitions are members too (pg_dump leaves them out); their
	   -- grants are their parent's (031_partitions checks that)
	   AND NOT c.relispartition;

SELECT ok((SELECT count(*) FROM ext_functions) > 0, 'the extension owns functions');
SELECT ok((SELECT count(*) FROM ext_relations) > 0, 'the extension owns tables and views');

-- Every matrix entry names an object that exists (no stale rows).
SELECT is_empty(
	$$SELECT DISTINCT object FROM matrix
	   WHERE object NOT IN (SELECT object FROM ext_functions)
	     AND object NOT IN (SELECT object FROM ext_relations)$$,
	'every object in the matrix exists');

-- Functions: who may execute each one, against who should.
SELECT is(
	(SELECT array_agg(l.role ORDER BY l.rung) FROM ladder l
	  WHERE has_function_privilege(l.role, f.object, 'EXECUTE')),
	(SELECT array_agg(l.role ORDER BY l.rung) FROM ladder l
	  WHERE l.rung >= COALESCE(
			(SELECT lm.rung FROM matrix m JOIN ladder lm ON lm.role = m.min_role
			  WHERE m.object = f.object AND m.privilege = 'EXECUTE'),
			CASE WHEN f.provolatile = 'i' THEN 0 END)),
	'EXECUTE on ' || f.object)
  FROM ext_functions f ORDER BY f.object;

-- A function that is neither immutable nor in the matrix has no place yet.
SELECT is_empty(
	$$SELECT object FROM ext_functions
	   WHERE provolatile <> 'i' AND object NOT IN (SELECT object FROM matrix)$$,
	'every function that is not immutable has an entry in the matrix');

-- Tables and views: each privilege, against the matrix.
SELECT is(
	(SELECT array_agg(l.role ORDER BY l.rung) FROM ladder l
	  WHERE has_table_privilege(l.role, r.object, p.privilege)),
	(SELECT array_agg(l.role ORDER BY l.rung) FROM ladder l
	  WHERE l.rung >= (SELECT lm.rung FROM matrix m JOIN ladder lm ON lm.role = m.min_role
						WHERE m.object = r.object AND m.privilege = p.privilege)),
	p.privilege || ' on ' || r.object)
  FROM ext_relations r
 CROSS JOIN (VALUES ('SELECT'), ('INSERT'), ('UPDATE'), ('DELETE'), ('TRUNCATE')) AS p(privilege)
 ORDER BY r.object, p.privilege;

SELECT is_empty(
	$$SELECT object FROM ext_relations WHERE object NOT IN (SELECT object FROM matrix)$$,
	'every table and view has an entry in the matrix');

-- tx_attempts: the signed bytes (raw) are the admin's alone; every other
-- column is the reader's.
SELECT is(
	(SELECT array_agg(l.role ORDER BY l.rung) FROM ladder l
	  WHERE has_column_privilege(l.role, 'amplified.tx_attempts', c.attname, 'SELECT')),
	CASE WHEN c.attname = 'raw' THEN ARRAY['amplified_admin']
		 ELSE ARRAY['amplified_reader', 'amplified_analyst', 'amplified_operator', 'amplified_admin'] END,
	'SELECT on amplified.tx_attempts.' || c.attname)
  FROM pg_attribute c
 WHERE c.attrelid = 'amplified.tx_attempts'::regclass AND c.attnum > 0 AND NOT c.attisdropped
 ORDER BY c.attnum;

-- strategy_kinds: admins insert and update every column but builtin, which
-- is the install script's (a builtin kind is the extension's own).
SELECT is(
	(SELECT array_agg(c.attname || ':' || p.privilege ORDER BY c.attnum, p.privilege) FROM pg_attribute c
	  CROSS JOIN (VALUES ('INSERT'), ('UPDATE')) p(privilege)
	  WHERE c.attrelid = 'amplified.strategy_kinds'::regclass AND c.attnum > 0 AND NOT c.attisdropped
		AND has_column_privilege('amplified_admin', 'amplified.strategy_kinds', c.attname, p.privilege)
		AND NOT has_column_privilege('amplified_operator', 'amplified.strategy_kinds', c.attname, p.privilege)),
	ARRAY['kind:INSERT', 'kind:UPDATE', 'validate:INSERT', 'validate:UPDATE', 'sync:INSERT', 'sync:UPDATE',
		  'gather:INSERT', 'gather:UPDATE', 'policy:INSERT', 'policy:UPDATE', 'simulate:INSERT', 'simulate:UPDATE',
		  'description:INSERT', 'description:UPDATE'],
	'INSERT and UPDATE on amplified.strategy_kinds: the admin''s on every column but builtin');

SELECT is(
	(SELECT array_agg(c.attname || ':' || p.privilege ORDER BY c.attnum, p.privilege) FROM pg_attribute c
	  CROSS JOIN (VALUES ('INSERT'), ('UPDATE')) p(privilege)
	  WHERE c.attrelid = 'amplified.risk_checks'::regclass AND c.attnum > 0 AND NOT c.attisdropped
		AND has_column_privilege('amplified_admin', 'amplified.risk_checks', c.attname, p.privilege)
		AND NOT has_column_privilege('amplified_operator', 'amplified.risk_checks', c.attname, p.privilege)),
	ARRAY['name:INSERT', 'name:UPDATE', 'check_fn:INSERT', 'check_fn:UPDATE', 'description:INSERT', 'description:UPDATE',
		  'enabled:INSERT', 'enabled:UPDATE'],
	'INSERT and UPDATE on amplified.risk_checks: the admin''s on every column but builtin');

SELECT is(
	(SELECT array_agg(c.attname || ':' || p.privilege ORDER BY c.attnum, p.privilege) FROM pg_attribute c
	  CROSS JOIN (VALUES ('INSERT'), ('UPDATE')) p(privilege)
	  WHERE c.attrelid = 'amplified.risk_scenarios'::regclass AND c.attnum > 0 AND NOT c.attisdropped
		AND has_column_privilege('amplified_admin', 'amplified.risk_scenarios', c.attname, p.privilege)
		AND NOT has_column_privilege('amplified_operator', 'amplified.risk_scenarios', c.attname, p.privilege)),
	ARRAY['name:INSERT', 'name:UPDATE', 'description:INSERT', 'description:UPDATE', 'kind:INSERT', 'kind:UPDATE',
		  'shocks:INSERT', 'shocks:UPDATE'],
	'INSERT and UPDATE on amplified.risk_scenarios: the admin''s on every column but builtin');

-- The other registries the same way: the admin writes every column but builtin.
SELECT is(
	(SELECT array_agg(DISTINCT c.attrelid::regclass::text || ':' || c.attname ORDER BY c.attrelid::regclass::text || ':' || c.attname)
	   FROM pg_attribute c CROSS JOIN (VALUES ('INSERT'), ('UPDATE')) p(privilege)
	  WHERE c.attrelid IN ('amplified.market_sources'::regclass, 'amplified.ingest_event_decoders'::regclass,
						   'amplified.ingest_state_reads'::regclass, 'amplified.ingest_contract_kinds'::regclass,
						   'amplified.ingest_kind_reads'::regclass, 'amplified.txq_enqueue_guards'::regclass)
		AND c.attnum > 0 AND NOT c.attisdropped AND c.attname = 'builtin'
		AND has_column_privilege('amplified_admin', c.attrelid, c.attname, p.privilege)),
	NULL, 'no admin may set builtin in any registry');
SELECT ok(has_column_privilege('amplified_admin', 'amplified.ingest_event_decoders', 'target', 'INSERT')
	AND has_column_privilege('amplified_admin', 'amplified.market_sources', 'series', 'UPDATE'),
	'but the admin writes the other columns of the registries');

-- strategy_flows is append-only for operators: the columns of a flow, not
-- who recorded it or when, and no update or delete.
SELECT ok(has_column_privilege('amplified_operator', 'amplified.strategy_flows', 'amount', 'INSERT')
	AND NOT has_column_privilege('amplified_operator', 'amplified.strategy_flows', 'recorded_by', 'INSERT')
	AND NOT has_column_privilege('amplified_operator', 'amplified.strategy_flows', 'recorded_at', 'INSERT')
	AND NOT has_column_privilege('amplified_operator', 'amplified.strategy_flows', 'amount', 'UPDATE')
	AND NOT has_column_privilege('amplified_reader', 'amplified.strategy_flows', 'amount', 'INSERT'),
	'strategy_flows: operators insert a flow''s columns, never its recorder, and change nothing');

-- The schema: readers and above may use it, PUBLIC may not.
SELECT is(
	(SELECT array_agg(role ORDER BY rung) FROM ladder WHERE has_schema_privilege(role, 'amplified', 'USAGE')),
	ARRAY['amplified_reader', 'amplified_analyst', 'amplified_operator', 'amplified_admin'],
	'USAGE on schema amplified');
SELECT is(
	(SELECT array_agg(role ORDER BY rung) FROM ladder WHERE has_schema_privilege(role, 'amplified', 'CREATE')),
	NULL, 'nobody but the owner may create in schema amplified');

-- SECURITY DEFINER functions pin their search_path.
SELECT is_empty(
	$$SELECT object FROM ext_functions
	   WHERE prosecdef AND NOT EXISTS (SELECT 1 FROM unnest(proconfig) c WHERE c LIKE 'search_path=%')$$,
	'every SECURITY DEFINER function sets search_path');

-- The roles cannot log in.
SELECT is(
	(SELECT count(*)::int FROM pg_roles WHERE rolname IN
		('amplified_reader', 'amplified_analyst', 'amplified_operator', 'amplified_admin') AND NOT rolcanlogin),
	4, 'the four amplified roles exist and cannot log in');

SELECT * FROM finish();
ROLLBACK;
