-- 011_role_calls: every function granted to a role works for that role.
--
-- 010_privileges checks the grants; this file calls each function as a
-- member of each role (a NOLOGIN role in the group, reached by SET ROLE, as
-- a login user would be) and expects the outcome a superuser gets: success,
-- or the documented refusal for the sample arguments.  A role without the
-- grant gets 42501.  Functions that need a node run against a chain whose
-- only endpoint refuses connections: 58R01 there, rather than 42501, proves
-- the privilege path reaches the network.  Every function a role may
-- execute but PUBLIC may not must have a sample call below; PUBLIC may only
-- execute immutable functions (010), which touch no table.
BEGIN;
SELECT * FROM no_plan();

-- One member role per rung, as the issue's probe used them.
CREATE ROLE amp_t_reader NOLOGIN IN ROLE amplified_reader;
CREATE ROLE amp_t_analyst NOLOGIN IN ROLE amplified_analyst;
CREATE ROLE amp_t_operator NOLOGIN IN ROLE amplified_operator;
CREATE ROLE amp_t_admin NOLOGIN IN ROLE amplified_admin;
CREATE ROLE amp_t_public NOLOGIN;
CREATE TEMP TABLE rung (n int, role text);
INSERT INTO rung VALUES (1, 'amp_t_reader'), (2, 'amp_t_analyst'), (3, 'amp_t_operator'), (4, 'amp_t_admin');
GRANT SELECT ON rung TO PUBLIC;

-- Fixtures, as the superuser: a chain whose node refuses connections, with
-- no retries so that each call fails at once; pg_cron where it is preloaded.
SET amplified.rpc_max_retries = 0;
SET amplified.rpc_connect_timeout = 1000;
SELECT lives_ok($$SELECT amplified.add_chain(990011, 'roles-test', ARRAY['http://127.0.0.1:1/rpc'])$$,
	'fixture: a chain whose node refuses connections');
SELECT lives_ok($$SELECT amplified.add_signer(990011, '0x00000000000000000000000000000000000000aa', 'node')$$,
	'fixture: a signer on it');
SELECT lives_ok($$SELECT amplified.txq_set_signer_policy(990011, '0x00000000000000000000000000000000000000aa',
	ARRAY['0x00000000000000000000000000000000000000bb']::amplified.address[], ARRAY['\x']::bytea[])$$,
	'fixture: a policy that lets it send plain transfers of no value to 0x..bb');
DO $$
BEGIN
	IF current_setting('cron.database_name', true) = current_database() THEN
		CREATE EXTENSION IF NOT EXISTS pg_cron;
	END IF;
END
$$;

-- pg_temp.outcome(r, q): run q as role r in a subtransaction that is always
-- rolled back; 'ok' when it completed, else its SQLSTATE.
\ir lib/outcome.psql

-- (function, sample call, outcome for every role that may execute it)
CREATE TEMP TABLE sample (fn text, call text, expect text);
INSERT INTO sample VALUES
	-- reader
	('amplified.workers()', 'SELECT * FROM amplified.workers()', 'ok'),
	('amplified.worker_wakeups()', 'SELECT amplified.worker_wakeups()', 'ok'),
	('amplified.ingest_read_plan(bigint)', 'SELECT * FROM amplified.ingest_read_plan(990011)', 'ok'),
	('amplified.txq_history(bigint)', 'SELECT * FROM amplified.txq_history(-1)', 'ok'),
	('amplified.risk_is_halted()', 'SELECT amplified.risk_is_halted()', 'ok'),
	('amplified.ingest_node_has_block(bigint,bigint,boolean)', 'SELECT * FROM amplified.ingest_node_has_block(990011, 1, false)', 'ok'),
	('amplified.strategy_wallet(bigint,amplified.address,amplified.address)',
	 $$SELECT * FROM amplified.strategy_wallet(-1, '0x00000000000000000000000000000000000000aa', NULL)$$, 'ok'),
	('amplified.ingest_head_block(bigint)', 'SELECT amplified.ingest_head_block(990011)', 'ok'),
	('amplified.ingest_block_time(bigint,bigint)', 'SELECT amplified.ingest_block_time(990011, 1)', 'ok'),
	('amplified.risk_asset_level(bigint,amplified.address)',
	 $$SELECT amplified.risk_asset_level(990011, '0x00000000000000000000000000000000000000aa')$$, 'ok'),
	('amplified.strategy_positions(bigint,text)', 'SELECT * FROM amplified.strategy_positions(-1)', 'ok'),
	('amplified.risk_limit(bigint,text)', $$SELECT amplified.risk_limit(-1, 'max_ltv')$$, 'ok'),
	('amplified.strategy_pnl(bigint,bigint)', 'SELECT * FROM amplified.strategy_pnl(-1)', 'ok'),
	('amplified.risk_asset_class(jsonb,bigint,amplified.address)',
	 $$SELECT amplified.risk_asset_class('{}', 990011, '0x00000000000000000000000000000000000000aa')$$, 'ok'),
	('amplified.risk_stress_exposures(bigint,amplified.risk_exposure[],amplified.address)',
	 $$SELECT * FROM amplified.risk_stress_exposures(990011, '{}')$$, 'ok'),
	('amplified.strategy_stress_prices(bigint,bigint)', 'SELECT * FROM amplified.strategy_stress_prices(-1, 1)', '55000'),
	('amplified.strategy_stress_factor(jsonb,bigint,amplified.address)',
	 $$SELECT amplified.strategy_stress_factor('{"peg": {"lst": 0.9}}', 990011, '0x00000000000000000000000000000000000000aa')$$, 'ok'),
	('amplified.strategy_stress(bigint,text,bigint)', $$SELECT * FROM amplified.strategy_stress(-1, 'steth_june_2022')$$, '42704'),
	('amplified.strategy_stress_summary(bigint,bigint)', 'SELECT * FROM amplified.strategy_stress_summary(-1)', '42704'),
	('amplified.strategy_replay(bigint)', 'SELECT amplified.strategy_replay(-1)', '42704'),
	('amplified.txq_is_paused()', 'SELECT amplified.txq_is_paused()', 'ok'),
	('amplified.txq_strategy_busy(bigint,bigint)', 'SELECT amplified.txq_strategy_busy(-1, 1)', 'ok'),
	('amplified.txq_gas_spent(bigint,bigint)', 'SELECT amplified.txq_gas_spent(-1, 1)', 'ok'),
	('amplified.txq_intents_state(bigint[])', 'SELECT * FROM amplified.txq_intents_state(ARRAY[-1]::bigint[])', 'ok'),
	('amplified.univ3_pool_liquidity_net_at(bigint,amplified.address,bigint)',
	 $$SELECT * FROM amplified.univ3_pool_liquidity_net_at(990011, '0x00000000000000000000000000000000000000aa', 1)$$, 'ok'),
	('amplified.univ3_pool_state_at(bigint,amplified.address,bigint)',
	 $$SELECT * FROM amplified.univ3_pool_state_at(990011, '0x00000000000000000000000000000000000000aa', 1)$$, 'ok'),
	('amplified.univ3_pool_latest(bigint,amplified.address,bigint,timestamp with time zone,boolean)',
	 $$SELECT * FROM amplified.univ3_pool_latest(990011, '0x00000000000000000000000000000000000000aa')$$, 'ok'),
	('amplified.univ3_pool_observations(bigint,amplified.address,timestamp with time zone,timestamp with time zone)',
	 $$SELECT * FROM amplified.univ3_pool_observations(990011, '0x00000000000000000000000000000000000000aa', now() - '1 day'::interval, now())$$, 'ok'),
	('amplified.univ3_pool_fees_token1(bigint,amplified.address,integer,timestamp with time zone,bigint)',
	 $$SELECT amplified.univ3_pool_fees_token1(990011, '0x00000000000000000000000000000000000000aa', 3000, now() - '1 day'::interval, 1)$$, 'ok'),
	('amplified.univ3_market_prices(bigint,amplified.address,timestamp with time zone,timestamp with time zone)',
	 $$SELECT amplified.univ3_market_prices(990011, '0x00000000000000000000000000000000000000aa', now() - '1 day'::interval, now())$$, 'ok'),
	('amplified.token_lst_method(bigint,amplified.address)',
	 $$SELECT amplified.token_lst_method(990011, '0x00000000000000000000000000000000000000aa')$$, 'ok'),
	('amplified.token_lst_rate_latest(bigint,amplified.address,bigint,timestamp with time zone,text)',
	 $$SELECT * FROM amplified.token_lst_rate_latest(990011, '0x00000000000000000000000000000000000000aa')$$, 'ok'),
	('amplified.token_lst_rate_at(bigint,amplified.address,bigint)',
	 $$SELECT amplified.token_lst_rate_at(990011, '0x00000000000000000000000000000000000000aa', 1)$$, 'ok'),
	('amplified.token_lst_rate_at_time(bigint,amplified.address,timestamp with time zone,text)',
	 $$SELECT * FROM amplified.token_lst_rate_at_time(990011, '0x00000000000000000000000000000000000000aa')$$, 'ok'),
	('amplified.token_lst_rate_series(bigint,amplified.address,timestamp with time zone,timestamp with time zone,text)',
	 $$SELECT * FROM amplified.token_lst_rate_series(990011, '0x00000000000000000000000000000000000000aa')$$, 'ok'),
	('amplified.token_oracle_answer_at(bigint,amplified.address,timestamp with time zone)',
	 $$SELECT * FROM amplified.token_oracle_answer_at(990011, '0x00000000000000000000000000000000000000aa')$$, 'ok'),
	('amplified.token_oracle_answers(bigint,amplified.address,timestamp with time zone,timestamp with time zone)',
	 $$SELECT * FROM amplified.token_oracle_answers(990011, '0x00000000000000000000000000000000000000aa', now() - '1 day'::interval, now())$$, 'ok'),
	('amplified.token_market_lst_rates(bigint,amplified.address,timestamp with time zone,timestamp with time zone)',
	 $$SELECT amplified.token_market_lst_rates(990011, '0x00000000000000000000000000000000000000aa', now() - '1 day'::interval, now())$$, 'ok'),
	('amplified.token_market_oracle_answers(bigint,amplified.address,timestamp with time zone,timestamp with time zone)',
	 $$SELECT amplified.token_market_oracle_answers(990011, '0x00000000000000000000000000000000000000aa', now() - '1 day'::interval, now())$$, 'ok'),
	('amplified.market_feed(bigint,amplified.address,amplified.address,text,text)',
	 $$SELECT amplified.market_feed(990011, '0x00000000000000000000000000000000000000aa', '0x00000000000000000000000000000000000000bb', 'price')$$, '55000'),
	('amplified.market_feed_points(amplified.market_feeds,timestamp with time zone,timestamp with time zone)',
	 $$SELECT * FROM amplified.market_feed_points(NULL::amplified.market_feeds, now(), now())$$, '42704'),
	('amplified.market_series(amplified.market_feeds,timestamp with time zone,timestamp with time zone,interval)',
	 $$SELECT * FROM amplified.market_series(NULL::amplified.market_feeds, now(), now(), NULL)$$, '42704'),
	('amplified.market_feed_series(bigint,amplified.address,amplified.address,text,timestamp with time zone,timestamp with time zone,interval,text)',
	 $$SELECT * FROM amplified.market_feed_series(990011, '0x00000000000000000000000000000000000000aa', NULL, 'rate', now(), now(), NULL, NULL)$$, '55000'),
	('amplified.market_price_series(bigint,amplified.address,amplified.address,timestamp with time zone,timestamp with time zone,interval,text)',
	 $$SELECT * FROM amplified.market_price_series(990011, '0x00000000000000000000000000000000000000aa', '0x00000000000000000000000000000000000000bb', now() - '1 day'::interval, now())$$, '55000'),
	('amplified.market_rate_series(bigint,amplified.address,timestamp with time zone,timestamp with time zone,interval,text)',
	 $$SELECT * FROM amplified.market_rate_series(990011, '0x00000000000000000000000000000000000000aa', now() - '1 day'::interval, now())$$, '55000'),
	('amplified.market_price_at(bigint,amplified.address,amplified.address,timestamp with time zone,text)',
	 $$SELECT amplified.market_price_at(990011, '0x00000000000000000000000000000000000000aa', '0x00000000000000000000000000000000000000bb')$$, '55000'),
	('amplified.market_rate_at(bigint,amplified.address,timestamp with time zone,text)',
	 $$SELECT amplified.market_rate_at(990011, '0x00000000000000000000000000000000000000aa')$$, '55000'),
	('amplified.univ3_pool_ticks(bigint,amplified.address,timestamp with time zone,timestamp with time zone)',
	 $$SELECT * FROM amplified.univ3_pool_ticks(990011, '0x00000000000000000000000000000000000000aa', now() - '1 day'::interval, now())$$, 'ok'),
	('amplified.univ3_time_in_range(bigint,amplified.address,integer,integer,timestamp with time zone,timestamp with time zone)',
	 $$SELECT amplified.univ3_time_in_range(990011, '0x00000000000000000000000000000000000000aa', -60, 60, now() - '1 day'::interval, now())$$, 'ok'),
	('amplified.univ3_fees_earned(bigint,amplified.address,integer,integer,amplified.uint256,timestamp with time zone,timestamp with time zone)',
	 $$SELECT * FROM amplified.univ3_fees_earned(990011, '0x00000000000000000000000000000000000000aa', -60, 60, '1000', now() - '1 day'::interval, now())$$, '55000'),
	('amplified.univ3_backtest(bigint,amplified.address,integer,integer,timestamp with time zone,timestamp with time zone,amplified.uint256,amplified.uint256,jsonb)',
	 $$SELECT * FROM amplified.univ3_backtest(990011, '0x00000000000000000000000000000000000000aa', 60, 3000, now() - '1 day'::interval, now(), '1000', '1000')$$, '55000'),
	('amplified.yield_token_method(bigint,amplified.address)',
	 $$SELECT amplified.yield_token_method(990011, '0x00000000000000000000000000000000000000aa')$$, 'ok'),
	('amplified.yield_rate_at(bigint,amplified.address,timestamp with time zone,text)',
	 $$SELECT * FROM amplified.yield_rate_at(990011, '0x00000000000000000000000000000000000000aa')$$, 'ok'),
	('amplified.yield_rate_series(bigint,amplified.address,timestamp with time zone,timestamp with time zone,text)',
	 $$SELECT * FROM amplified.yield_rate_series(990011, '0x00000000000000000000000000000000000000aa')$$, 'ok'),
	('amplified.yield_window_reads(bigint,amplified.address,interval,timestamp with time zone)',
	 $$SELECT * FROM amplified.yield_window_reads(990011, '0x00000000000000000000000000000000000000aa', '7 days')$$, 'ok'),
	('amplified.yield_apr_window(bigint,amplified.address,interval,timestamp with time zone)',
	 $$SELECT amplified.yield_apr_window(990011, '0x00000000000000000000000000000000000000aa', '7 days')$$, 'ok'),
	('amplified.yield_apy_window(bigint,amplified.address,interval,timestamp with time zone)',
	 $$SELECT amplified.yield_apy_window(990011, '0x00000000000000000000000000000000000000aa', '7 days')$$, 'ok'),
	('amplified.yield_apr_moving_average(bigint,amplified.address,integer,timestamp with time zone)',
	 $$SELECT amplified.yield_apr_moving_average(990011, '0x00000000000000000000000000000000000000aa')$$, 'ok'),
	('amplified.risk_portfolio_quote(bigint,amplified.address,amplified.address)',
	 $$SELECT amplified.risk_portfolio_quote(990011, '0x00000000000000000000000000000000000000aa', NULL)$$, '22023'),
	('amplified.risk_portfolio_returns(bigint,amplified.risk_exposure[],interval,timestamp with time zone,amplified.address)',
	 $$SELECT * FROM amplified.risk_portfolio_returns(990011, '{}', '30 days', now())$$, 'ok'),
	('amplified.risk_portfolio_var_eval(bigint,amplified.risk_exposure[],double precision,text,interval,timestamp with time zone,amplified.address)',
	 $$SELECT * FROM amplified.risk_portfolio_var_eval(990011, '{}', 0.99, 'historical', '30 days', now(), NULL)$$, 'ok'),
	('amplified.risk_portfolio_var(bigint,amplified.risk_exposure[],double precision,text,interval,timestamp with time zone,amplified.address)',
	 $$SELECT * FROM amplified.risk_portfolio_var(990011, '{}')$$, 'ok'),
	('amplified.risk_portfolio_var_contributions(bigint,amplified.risk_exposure[],double precision,text,interval,timestamp with time zone,amplified.address)',
	 $$SELECT * FROM amplified.risk_portfolio_var_contributions(990011, '{}')$$, 'ok'),
	('amplified.risk_pool_prices(bigint,amplified.address,timestamp with time zone,timestamp with time zone)',
	 $$SELECT * FROM amplified.risk_pool_prices(990011, '0x00000000000000000000000000000000000000aa', now() - '1 day'::interval, now())$$, 'ok'),
	('amplified.risk_oracle_prices(bigint,amplified.address,timestamp with time zone,timestamp with time zone,integer)',
	 $$SELECT * FROM amplified.risk_oracle_prices(990011, '0x00000000000000000000000000000000000000aa', now() - '1 day'::interval, now())$$, 'ok'),
	('amplified.risk_breaker_value(bigint,timestamp with time zone)', 'SELECT * FROM amplified.risk_breaker_value(-1)', '42704'),
	('amplified.risk_turnover_today(bigint)', 'SELECT amplified.risk_turnover_today(-1)', 'ok'),
	('amplified.morpho_market_state_at(bigint,amplified.bytes32,bigint)',
	 $$SELECT * FROM amplified.morpho_market_state_at(990011, '0x0000000000000000000000000000000000000000000000000000000000000001', 1)$$, 'ok'),
	('amplified.morpho_position_state_at(bigint,amplified.bytes32,amplified.address,bigint)',
	 $$SELECT * FROM amplified.morpho_position_state_at(990011, '0x0000000000000000000000000000000000000000000000000000000000000001', '0x00000000000000000000000000000000000000aa', 1)$$, 'ok'),
	('amplified.aave_reserve_at(bigint,amplified.address,amplified.address,bigint)',
	 $$SELECT * FROM amplified.aave_reserve_at(990011, '0x00000000000000000000000000000000000000aa', '0x00000000000000000000000000000000000000bb', 1)$$, 'ok'),
	('amplified.aave_position_at(bigint,amplified.address,amplified.address,amplified.address,bigint)',
	 $$SELECT * FROM amplified.aave_position_at(990011, '0x00000000000000000000000000000000000000aa', '0x00000000000000000000000000000000000000bb', '0x00000000000000000000000000000000000000cc', 1)$$, 'ok'),
	('amplified.aave_account_emode_at(bigint,amplified.address,amplified.address,bigint)',
	 $$SELECT amplified.aave_account_emode_at(990011, '0x00000000000000000000000000000000000000aa', '0x00000000000000000000000000000000000000cc', 1)$$, 'ok'),
	('amplified.lend_market_at(bigint,amplified.bytes32,bigint)',
	 $$SELECT amplified.lend_market_at(990011, '0x0000000000000000000000000000000000000000000000000000000000000001', 1)$$, 'ok'),
	('amplified.lend_borrow_apy_avg(bigint,amplified.bytes32,bigint,interval)',
	 $$SELECT amplified.lend_borrow_apy_avg(990011, '0x0000000000000000000000000000000000000000000000000000000000000001', 1, '7 days')$$, 'ok'),
	('amplified.lend_position_at(bigint,amplified.bytes32,amplified.address,bigint)',
	 $$SELECT amplified.lend_position_at(990011, '0x0000000000000000000000000000000000000000000000000000000000000001', '0x00000000000000000000000000000000000000aa', 1)$$, 'ok'),
	-- analyst: read-only RPC, against the chain whose node refuses connections
	('amplified.rpc_call(bigint,text,jsonb)', $$SELECT amplified.rpc_call(990011, 'eth_blockNumber')$$, '58R01'),
	('amplified.rpc_batch(bigint,jsonb)',
	 $$SELECT * FROM amplified.rpc_batch(990011, '[{"method": "eth_blockNumber"}]')$$, '58R01'),
	('amplified.eth_block_number(bigint)', 'SELECT amplified.eth_block_number(990011)', '58R01'),
	('amplified.eth_chain_id(bigint)', 'SELECT amplified.eth_chain_id(990011)', '58R01'),
	-- operator
	('amplified.worker_wake_launcher()', 'SELECT amplified.worker_wake_launcher()', 'ok'),
	('amplified.risk_halt(text)', $$SELECT amplified.risk_halt('role test')$$, 'ok'),
	('amplified.risk_evaluate_breakers(timestamp with time zone,bigint[])', 'SELECT * FROM amplified.risk_evaluate_breakers()', 'ok'),
	('amplified.risk_refresh_reports(interval)', 'SELECT amplified.risk_refresh_reports()', 'ok'),
	('amplified.risk_refresh_breakers(bigint,amplified.address[],timestamp with time zone)',
	 $$SELECT amplified.risk_refresh_breakers(990011, ARRAY['0x00000000000000000000000000000000000000aa']::amplified.address[], now())$$, 'ok'),
	('amplified.risk_gate(bigint,jsonb)', $$SELECT * FROM amplified.risk_gate(-1, '{}')$$, '22023'),
	('amplified.txq_cancel(bigint)', 'SELECT amplified.txq_cancel(-1)', '42704'),
	('amplified.txq_resolve_held(bigint,boolean)', 'SELECT amplified.txq_resolve_held(-1, true)', '42704'),
	('amplified.txq_pause(bigint,boolean)', 'SELECT amplified.txq_pause(-1)', '42704'),
	('amplified.txq_resume(bigint)', 'SELECT amplified.txq_resume(-1)', '42704'),
	('amplified.txq_pause_signer(bigint,amplified.address,boolean)',
	 $$SELECT amplified.txq_pause_signer(990011, '0x00000000000000000000000000000000000000aa')$$, 'ok'),
	('amplified.txq_resume_signer(bigint,amplified.address)',
	 $$SELECT amplified.txq_resume_signer(990011, '0x00000000000000000000000000000000000000aa')$$, 'ok'),
	('amplified.txq_pause_all(text)', $$SELECT amplified.txq_pause_all('role test')$$, 'ok'),
	('amplified.txq_enqueue(bigint,amplified.address,amplified.address,amplified.uint256,bytea,jsonb)',
	 $$SELECT amplified.txq_enqueue(990011, '0x00000000000000000000000000000000000000aa', '0x00000000000000000000000000000000000000bb', '0', '\x')$$, 'ok'),
	('amplified.strategy_create(text,text,bigint,amplified.address,jsonb,boolean)',
	 $$SELECT amplified.strategy_create('role-test', 'no_such_kind', 990011, '0x00000000000000000000000000000000000000aa')$$, '22023'),
	('amplified.strategy_update(bigint,jsonb,text)', $$SELECT amplified.strategy_update(-1, name => 'x')$$, '42704'),
	('amplified.strategy_update_contracts(bigint,jsonb)', $$SELECT amplified.strategy_update_contracts(-1, '{}')$$, '42704'),
	('amplified.strategy_enable(bigint,boolean)', 'SELECT amplified.strategy_enable(-1)', '42704'),
	('amplified.strategy_disable(bigint)', 'SELECT amplified.strategy_disable(-1)', '42704'),
	('amplified.strategy_sync_positions(bigint,bigint)', 'SELECT * FROM amplified.strategy_sync_positions(-1)', '42704'),
	('amplified.run_strategies(boolean,bigint[])', 'SELECT amplified.run_strategies(false, ARRAY[-1]::bigint[])', 'ok'),
	-- admin
	('amplified.add_chain(bigint,text,text[],integer,integer,interval,integer,integer,bigint,boolean)',
	 $$SELECT amplified.add_chain(990012, 'roles-test-2', ARRAY['http://127.0.0.1:1/'])$$, 'ok'),
	('amplified.alter_chain(bigint,text,text[],integer,integer,interval,integer,integer,bigint,boolean)',
	 'SELECT amplified.alter_chain(990011, confirmations => 1)', 'ok'),
	('amplified.rpc_check_urls(text[])', $$SELECT amplified.rpc_check_urls(ARRAY['http://127.0.0.1:1/'])$$, 'ok'),
	('amplified.chain_check_settings(amplified.chains)',
	 'SELECT amplified.chain_check_settings(c) FROM amplified.chains AS c WHERE c.chain_id = 990011', 'ok'),
	('amplified.add_signer(bigint,amplified.address,text,text,integer,amplified.uint256,interval)',
	 $$SELECT amplified.add_signer(990011, '0x00000000000000000000000000000000000000cc', 'node')$$, 'ok'),
	('amplified.remove_signer(bigint,amplified.address)',
	 $$SELECT amplified.remove_signer(990011, '0x00000000000000000000000000000000000000aa')$$, 'ok'),
	('amplified.txq_check_signer(bigint,amplified.address)',
	 $$SELECT amplified.txq_check_signer(990011, '0x00000000000000000000000000000000000000aa')$$, '58R01'),
	('amplified.txq_sign_transaction(bigint,amplified.address,jsonb)',
	 $$SELECT amplified.txq_sign_transaction(990011, '0x00000000000000000000000000000000000000aa', '{}')$$, '22023'),
	('amplified.txq_resume_all()', 'SELECT amplified.txq_resume_all()', 'ok'),
	('amplified.txq_set_signer_policy(bigint,amplified.address,amplified.address[],bytea[],amplified.uint256,integer,integer,boolean)',
	 $$SELECT amplified.txq_set_signer_policy(990011, '0x00000000000000000000000000000000000000aa', NULL, NULL)$$, 'ok'),
	('amplified.txq_remove_signer_policy(bigint,amplified.address)',
	 $$SELECT amplified.txq_remove_signer_policy(990011, '0x00000000000000000000000000000000000000aa')$$, 'ok'),
	('amplified.risk_add_breaker(text,text,bigint,amplified.address,amplified.address,amplified.address,interval,interval,double precision,double precision,double precision,double precision,boolean,integer)',
	 $$SELECT amplified.risk_add_breaker('role-test', 'oracle_stale', 990011, oracle => '0x00000000000000000000000000000000000000aa', heartbeat => '1 hour')$$, 'ok'),
	('amplified.risk_set_limits(bigint,numeric,numeric,numeric,numeric,numeric,numeric,numeric,numeric,numeric,numeric,numeric)', 'SELECT amplified.risk_set_limits(-1, 100)', 'ok'),
	('amplified.risk_resume()', 'SELECT amplified.risk_resume()', 'ok'),
	('amplified.watch_contract(bigint,amplified.address,text,text,bigint,integer,amplified.address[],text[])',
	 $$SELECT amplified.watch_contract(990011, '0x00000000000000000000000000000000000000aa', 'role test')$$, 'ok'),
	('amplified.ingest_resume(bigint,bigint)', 'SELECT amplified.ingest_resume(990011, 0)', 'ok'),
	('amplified.ingest_decode(bigint,bigint,bigint)', 'SELECT amplified.ingest_decode(990011, 0, 10)', 'ok'),
	('amplified.ingest_decode_reads(bigint,bigint,bigint)', 'SELECT amplified.ingest_decode_reads(990011, 0, 10)', 'ok'),
	('amplified.strategy_housekeeping(interval,interval)', 'SELECT amplified.strategy_housekeeping()', 'ok'),
	('amplified.schedule_defaults(text,text,text)', 'SELECT * FROM amplified.schedule_defaults()',
	 CASE WHEN EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_cron') THEN 'ok' ELSE '55000' END),
	-- forecast: the kinds on arrays, the registry (no project exists: 55000/42704 prove the call got in)
	('amplified.forecast_progress()', 'SELECT * FROM amplified.forecast_progress()', 'ok'),
	('amplified.forecast_fit(text,double precision[],double precision[],jsonb)',
	 $$SELECT amplified.forecast_fit('linear', '{1,2,4}', '{{1},{2},{3}}')$$, 'ok'),
	('amplified.forecast_fit_predict(amplified.forecast_fit,double precision[])',
	 $$SELECT amplified.forecast_fit_predict(amplified.forecast_fit('linear', '{1,2,4}', '{{1},{2},{3}}'), '{5}')$$, 'ok'),
	('amplified.forecast_fit_forecast(amplified.forecast_fit,integer,double precision[])',
	 $$SELECT * FROM amplified.forecast_fit_forecast(amplified.forecast_fit('arima', (SELECT array_agg(sin(g) + g % 3) FROM generate_series(1, 80) g), params => '{"order": [1, 0, 0]}'), 2)$$, 'ok'),
	('amplified.forecast_fit_regime(amplified.forecast_fit,double precision[])',
	 $$SELECT * FROM amplified.forecast_fit_regime(amplified.forecast_fit('hmm', (SELECT array_agg(sin(g) * (1 + g % 7)) FROM generate_series(1, 100) g), params => '{"states": 2, "seed": 1}'))$$, 'ok'),
	('amplified.forecast_hmm_viterbi(amplified.forecast_fit,double precision[])',
	 $$SELECT amplified.forecast_hmm_viterbi(amplified.forecast_fit('hmm', (SELECT array_agg(sin(g) * (1 + g % 7)) FROM generate_series(1, 100) g), params => '{"states": 2, "seed": 1}'))$$, 'ok'),
	('amplified.forecast_hmm_loglik(amplified.forecast_fit,double precision[])',
	 $$SELECT amplified.forecast_hmm_loglik(amplified.forecast_fit('hmm', (SELECT array_agg(sin(g) * (1 + g % 7)) FROM generate_series(1, 100) g), params => '{"states": 2, "seed": 1}'))$$, 'ok'),
	('amplified.forecast_lstm_gradient_check(bigint,integer,integer,double precision)',
	 'SELECT * FROM amplified.forecast_lstm_gradient_check(1, 4, 2)', 'ok'),
	('amplified.forecast_lstm_loss_gradient(amplified.forecast_fit,double precision[])',
	 $$SELECT amplified.forecast_lstm_loss_gradient(amplified.forecast_fit('lstm', (SELECT array_agg(sin(g)) FROM generate_series(1, 40) g), params => '{"epochs": 1, "window": 4, "hidden": 2, "seed": 1}'), (SELECT array_agg(sin(g)) FROM generate_series(1, 40) g))$$, 'ok'),
	('amplified.forecast_train(text,text,text,text,jsonb)',
	 $$SELECT amplified.forecast_train('role_test', 'linear', 'SELECT g::float8 AS x, 2.0 * g + 1 AS y FROM generate_series(1, 5) g', 'y')$$, 'ok'),
	('amplified.forecast_predict(text,jsonb)', $$SELECT amplified.forecast_predict('role_none', '{}')$$, '55000'),
	('amplified.forecast_predict_batch(text,text)', $$SELECT * FROM amplified.forecast_predict_batch('role_none', 'SELECT 1 AS x')$$, '55000'),
	('amplified.forecast_predict_horizon(text,integer,double precision[],double precision)',
	 $$SELECT * FROM amplified.forecast_predict_horizon('role_none', 1)$$, '55000'),
	('amplified.forecast_regime(text,double precision[])', $$SELECT * FROM amplified.forecast_regime('role_none')$$, '55000'),
	('amplified.forecast_backtest(bigint,integer,integer,integer,integer,integer,double precision,integer,integer)',
	 'SELECT amplified.forecast_backtest(-1)', '42704'),
	('amplified.forecast_allocate_mv(double precision[],double precision[],double precision,double precision[],integer[],double precision[],double precision[],double precision,double precision)',
	 $$SELECT * FROM amplified.forecast_allocate_mv('{0.05,0.03}', '{{0.04,0.01},{0.01,0.02}}')$$, 'ok'),
	('amplified.forecast_allocate_cvar(double precision[],double precision,double precision[],integer[],double precision[],double precision,double precision[],double precision)',
	 $$SELECT * FROM amplified.forecast_allocate_cvar('{{0.01,-0.02},{-0.03,0.01},{0.02,0.0}}', 0.5)$$, 'ok'),
	('amplified.forecast_linprog(double precision[],double precision[],double precision[],double precision[],double precision[],double precision[],double precision[])',
	 $$SELECT * FROM amplified.forecast_linprog('{-1,-1}', '{{1,2},{3,1}}', '{4,6}')$$, 'ok'),
	('amplified.forecast_features(bigint,amplified.address,timestamp with time zone,timestamp with time zone,amplified.address,interval,integer,integer,text)',
	 $$SELECT * FROM amplified.forecast_features(990011, '0x00000000000000000000000000000000000000aa', now() - interval '2 days', now())$$, '55000'),
	('amplified.forecast_spread_features(bigint,amplified.address,amplified.bytes32,timestamp with time zone,timestamp with time zone,interval,integer,integer,text)',
	 $$SELECT * FROM amplified.forecast_spread_features(990011, '0x00000000000000000000000000000000000000aa', '0x0000000000000000000000000000000000000000000000000000000000000001', now() - interval '2 days', now())$$, '42704'),
	('amplified.forecast_pool_features(bigint,amplified.address,integer,timestamp with time zone,timestamp with time zone,interval,integer,integer,integer,integer)',
	 $$SELECT * FROM amplified.forecast_pool_features(990011, '0x00000000000000000000000000000000000000aa', 500, now() - interval '2 days', now())$$, 'ok'),
	('amplified.forecast_rate_buckets(bigint,amplified.address,timestamp with time zone,timestamp with time zone,interval,text)',
	 $$SELECT * FROM amplified.forecast_rate_buckets(990011, '0x00000000000000000000000000000000000000aa', now() - interval '2 days', now(), '1 day')$$, '55000'),
	('amplified.forecast_series_changes(bigint,amplified.address,amplified.address,timestamp with time zone,timestamp with time zone,interval,text)',
	 $$SELECT * FROM amplified.forecast_series_changes(990011, '0x00000000000000000000000000000000000000aa', '0x00000000000000000000000000000000000000bb', now() - interval '2 days', now(), '1 day')$$, '55000'),
	('amplified.ingest_block_at(bigint,timestamp with time zone)', 'SELECT amplified.ingest_block_at(990011, now())', 'ok'),
	('amplified.ingest_partitions_maintain(bigint,bigint,bigint)', 'SELECT amplified.ingest_partitions_maintain(990011, 0, 10)', 'ok'),
	('amplified.ingest_retention_apply(bigint)', 'SELECT count(*) FROM amplified.ingest_retention_apply(990011)', 'ok'),
	('amplified.ingest_history_tables()', 'SELECT count(*) FROM amplified.ingest_history_tables()', 'ok'),
	('amplified.ingest_window_from(bigint,bigint,timestamp with time zone)', 'SELECT amplified.ingest_window_from(990011, 100)', 'ok'),
	('amplified.univ3_pool_latest_search(bigint,amplified.address,bigint,timestamp with time zone,boolean)',
	 $$SELECT count(*) FROM amplified.univ3_pool_latest_search(990011, '0x00000000000000000000000000000000000000aa', 100, NULL, false)$$, 'ok'),
	('amplified.token_lst_rate_search(bigint,amplified.address,bigint,timestamp with time zone,text)',
	 $$SELECT count(*) FROM amplified.token_lst_rate_search(990011, '0x00000000000000000000000000000000000000aa', 100, NULL, NULL)$$, 'ok'),
	('amplified.token_oracle_answer_search(bigint,amplified.address,timestamp with time zone)',
	 $$SELECT count(*) FROM amplified.token_oracle_answer_search(990011, '0x00000000000000000000000000000000000000aa', now())$$, 'ok'),
	('amplified.ingest_retention_floors(bigint)', 'SELECT count(*) FROM amplified.ingest_retention_floors(990011)', 'ok'),
	('amplified.ingest_floor_window(bigint)', 'SELECT amplified.ingest_floor_window(990011)', 'ok'),
	('amplified.strategy_retention_floor(bigint)', 'SELECT amplified.strategy_retention_floor(990011)', 'ok'),
	('amplified.univ3_retention_floor(bigint)', 'SELECT amplified.univ3_retention_floor(990011)', 'ok'),
	('amplified.token_retention_floor(bigint)', 'SELECT amplified.token_retention_floor(990011)', 'ok'),
	('amplified.lend_retention_floor(bigint)', 'SELECT amplified.lend_retention_floor(990011)', 'ok'),
	('amplified.univ3_pool_activity(bigint,amplified.address,timestamp with time zone,timestamp with time zone,interval,integer)',
	 $$SELECT count(*) FROM amplified.univ3_pool_activity(990011, '0x00000000000000000000000000000000000000aa', now() - interval '2 days', now(), '1 day')$$, 'ok'),
	('amplified.allocate_backtest(bigint,integer,double precision)', 'SELECT count(*) FROM amplified.allocate_backtest(-1, 1, 365)', '42704'),
	('amplified.allocate_target(jsonb,double precision[],double precision[],double precision[])',
	 $$SELECT * FROM amplified.allocate_target('{"members": [{"strategy_id": 1}, {"strategy_id": 2}], "method": "mv"}', '{{0.01,0.02},{0.0,0.01},{0.02,-0.01},{0.01,0.0}}', '{0.01,0.005}', '{0.5,0.5}')$$, 'ok'),
	('amplified.allocate_backtest_returns(jsonb,double precision[],integer,double precision)',
	 $$SELECT count(*) FROM amplified.allocate_backtest_returns('{"members": [{"strategy_id": 1}, {"strategy_id": 2}], "method": "mv", "min_history": 2, "lookback": 3}', (SELECT array_agg(ARRAY[0.01 * sin(g), 0.01 * cos(g)]) FROM generate_series(1, 20) g)::float8[])$$, 'ok'),
	('amplified.strategy_lp_regime_series(bigint,amplified.address,timestamp with time zone,interval,integer)',
	 $$SELECT count(*) FROM amplified.strategy_lp_regime_series(990011, '0x00000000000000000000000000000000000000aa', now(), '1 hour', 4)$$, 'ok'),
	('amplified.derivs_funding_annualized(text,text,timestamp with time zone,timestamp with time zone)',
	 $$SELECT count(*) FROM amplified.derivs_funding_annualized('v', 'm', now() - interval '1 day', now())$$, 'ok'),
	('amplified.derivs_funding_series(text,text,timestamp with time zone,timestamp with time zone,interval)',
	 $$SELECT count(*) FROM amplified.derivs_funding_series('v', 'm', now() - interval '1 day', now(), '1 hour')$$, 'ok'),
	('amplified.derivs_basis_carry(bigint,amplified.address,text,text,timestamp with time zone,timestamp with time zone,double precision,double precision,double precision,double precision)',
	 $$SELECT count(*) FROM amplified.derivs_basis_carry(990011, '0x00000000000000000000000000000000000000aa', 'v', 'm', now() - interval '1 day', now())$$, '55000'),
	('amplified.derivs_basis_carry_series(bigint,amplified.address,text,text,timestamp with time zone,timestamp with time zone,interval,double precision,double precision,double precision,double precision)',
	 $$SELECT count(*) FROM amplified.derivs_basis_carry_series(990011, '0x00000000000000000000000000000000000000aa', 'v', 'm', now() - interval '1 day', now(), '1 hour')$$, '55000'),
	('amplified.strategy_greeks(bigint,bigint)', 'SELECT count(*) FROM amplified.strategy_greeks(-1)', '42704'),
	('amplified.strategy_ranking(interval,timestamp with time zone)', 'SELECT count(*) FROM amplified.strategy_ranking()', 'ok'),
	('amplified.strategy_gas_price(bigint,amplified.address,timestamp with time zone)',
	 $$SELECT amplified.strategy_gas_price(990011, '0x00000000000000000000000000000000000000aa', now())$$, 'ok'),
	('amplified.strategy_pnl_step(amplified.strategy_snapshots,amplified.strategy_snapshots)',
	 'SELECT amplified.strategy_pnl_step(NULL::amplified.strategy_snapshots, NULL::amplified.strategy_snapshots)', 'ok'),
	('amplified.pendle_fixed_vs_floating(double precision,bigint,text,bigint,double precision[],double precision)',
	 $$SELECT * FROM amplified.pendle_fixed_vs_floating(0.034, 86400, 'role_none')$$, '55000'),
	('amplified.strategy_hedge_target_delta(bigint,amplified.address,bigint)',
	 $$SELECT amplified.strategy_hedge_target_delta(-1, '0x00000000000000000000000000000000000000aa', 1)$$, '42704'),
	('amplified.forecast_deploy(bigint)', 'SELECT amplified.forecast_deploy(-1)', '42704'),
	('amplified.forecast_rollback(text)', $$SELECT amplified.forecast_rollback('role_none')$$, '42704'),
	('amplified.shard_add(text,text,integer,text,bigint[],text,text,integer,integer)',
	 $$SELECT amplified.shard_add('role_none', '127.0.0.1', 1, 'postgres', ARRAY[990011]::bigint[])$$, '55000'),
	('amplified.shard_remove(text)', $$SELECT amplified.shard_remove('role_none')$$, '42704'),
	('amplified.shard_refresh()', 'SELECT count(*) FROM amplified.shard_refresh()', 'ok'),
	('amplified.cluster_portfolio()', 'SELECT count(*) FROM amplified.cluster_portfolio()', 'ok'),
	('amplified.cluster_pnl()', 'SELECT count(*) FROM amplified.cluster_pnl()', 'ok'),
	('amplified.cluster_risk()', 'SELECT count(*) FROM amplified.cluster_risk()', 'ok'),
	('amplified.cluster_positions()', 'SELECT count(*) FROM amplified.cluster_positions()', 'ok'),
	('amplified.cluster_totals()', 'SELECT count(*) FROM amplified.cluster_totals()', 'ok');

-- Every function of the extension that some role may execute and PUBLIC may not.
CREATE TEMP TABLE granted AS
	SELECT p.oid::regprocedure::text AS fn, min(r.n) AS lowest
	  FROM pg_proc AS p
	  JOIN pg_depend AS d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e'
	  JOIN pg_extension AS e ON e.oid = d.refobjid AND e.extname = 'amplified'
	  JOIN rung AS r ON has_function_privilege(r.role, p.oid, 'EXECUTE')
	 WHERE NOT has_function_privilege('amp_t_public', p.oid, 'EXECUTE')
	 GROUP BY p.oid;


SELECT is((SELECT array_agg(g.fn ORDER BY g.fn) FROM granted AS g WHERE g.fn NOT IN (SELECT fn FROM sample)),
	NULL, 'every function granted to a role has a sample call here');
SELECT is((SELECT array_agg(s.fn ORDER BY s.fn) FROM sample AS s WHERE s.fn NOT IN (SELECT fn FROM granted)),
	NULL, 'every sample call is of a function granted to a role');

-- The superuser gets the outcome the table says: the samples are right.
SELECT is(pg_temp.outcome(NULL, s.call), s.expect, 'superuser: ' || s.call)
  FROM sample AS s ORDER BY s.fn;

-- Each role: the same outcome where it holds EXECUTE, 42501 where it does not.
SELECT is(pg_temp.outcome(r.role, s.call),
		  CASE WHEN has_function_privilege(r.role, s.fn::regprocedure, 'EXECUTE') THEN s.expect ELSE '42501' END,
		  r.role || ': ' || s.call)
  FROM sample AS s CROSS JOIN rung AS r ORDER BY s.fn, r.n;

-- Granted the function, the analyst still cannot read rpc_urls (they may hold keys).
SELECT is(pg_temp.outcome('amp_t_analyst', 'SELECT rpc_urls FROM amplified.chains'), '42501',
	'the analyst cannot read chains.rpc_urls');
SELECT is(pg_temp.outcome('amp_t_operator', 'SELECT url FROM amplified.signers'), '42501',
	'the operator cannot read signers.url');

SELECT * FROM finish();
ROLLBACK;
