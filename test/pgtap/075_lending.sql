-- 075_lending: the lending side of the strategy engine on synthetic data (no
-- node): the leverage and lend kinds' policies on hand-built states (every
-- branch and band edge, the intents' calldata decoded back and checked
-- against the formulas of src/strategy/kinds/leverage.sql and lend.sql;
-- the leverage swaps quoted across a pool's initialized ticks and checked
-- against univ3_simulate_swap to the wei; the lend moves judged by the APY
-- the target pays after the move, against the Morpho IRM's and Aave's),
-- their simulate functions on hand-built eth_call results, their validate
-- functions, the risk gate's leverage rules (depeg tiers, max_leverage, the
-- forced unwind at halt, breakers judged as of the decision's time), the
-- engine's simulate slot, and the lending read models and decoders on
-- synthetic Morpho Blue and Aave v3 rows (positions, markets, the borrow
-- APY averaged over a window), against the exact math of morpho.sql and
-- aave.sql on the same numbers.
--
-- What needs a node is not here: a decision whose simulation passes or is
-- refused by its kind (strategy_simulate_intents eth_calls each intent) is
-- the chain test's (test/t, the lending fixture).  Here the simulation is
-- shown to run before the gate: against a node that refuses connections an
-- action is an error decision (58R01), with nothing queued or counted.
-- All of it is rolled back.
BEGIN;
SELECT * FROM no_plan();
SET LOCAL search_path = amplified, public;
-- The chain's only endpoint refuses connections: fail at once.
SET LOCAL amplified.rpc_max_retries = 0;
SET LOCAL amplified.rpc_connect_timeout = 1000;

-- ---- fixtures ----

SELECT lives_ok($$SELECT add_chain(990075, 'lending-test', ARRAY['http://127.0.0.1:1'], confirmations => 0, enabled => false)$$,
	'a chain whose node refuses connections');
-- Names of the addresses used below.
CREATE TEMP TABLE addr (name text PRIMARY KEY, a amplified.address);
INSERT INTO addr VALUES
	('coll', '0x00000000000000000000000000000000000000a1'),			-- the LST collateral (token0 of the swap pool)
	('loan', '0x00000000000000000000000000000000000000b1'),			-- WETH, the loan token
	('morpho', '0x00000000000000000000000000000000000000c1'), ('oracle', '0x00000000000000000000000000000000000000c2'),
	('irm', '0x00000000000000000000000000000000000000c3'), ('aave_pool', '0x00000000000000000000000000000000000000c4'),
	('aave_oracle', '0x00000000000000000000000000000000000000c5'),
	('a_loan', '0x00000000000000000000000000000000000000d3'), ('v_loan', '0x00000000000000000000000000000000000000d4'),
	('s_loan', '0x00000000000000000000000000000000000000d5'), ('rates', '0x00000000000000000000000000000000000000d6'),
	('swap_pool', '0x00000000000000000000000000000000000000e0'),
	('account', '0x00000000000000000000000000000000000000e1'),		-- the leverage account (borrower A)
	('borrower', '0x00000000000000000000000000000000000000e2'),		-- borrower B, liquidated with bad debt
	('lender', '0x00000000000000000000000000000000000000e3'),
	('fee_to', '0x00000000000000000000000000000000000000e4'),		-- Morpho's fee recipient
	('owner', '0x00000000000000000000000000000000000000f1');
CREATE FUNCTION pg_temp.a(n text) RETURNS amplified.address LANGUAGE sql STABLE AS $$ SELECT a FROM addr WHERE name = n $$;
CREATE FUNCTION pg_temp.t(n text) RETURNS text LANGUAGE sql STABLE AS $$ SELECT a::text FROM addr WHERE name = n $$;
-- A strategies row as the engine passes it to a kind's functions.
CREATE FUNCTION pg_temp.strat(kind text, params jsonb) RETURNS amplified.strategies LANGUAGE sql STABLE AS $$
	SELECT ROW(1, 'synthetic', kind, 990075, pg_temp.a('owner'), params, true, now(), now())::amplified.strategies $$;
-- An intent's calldata, selector and arguments.
CREATE FUNCTION pg_temp.data(r jsonb) RETURNS bytea LANGUAGE sql IMMUTABLE AS $$
	SELECT decode(substr(r -> 'intents' -> 0 ->> 'data', 3), 'hex') $$;
CREATE FUNCTION pg_temp.sel(r jsonb) RETURNS bytea LANGUAGE sql IMMUTABLE AS $$ SELECT substring(pg_temp.data(r) FROM 1 FOR 4) $$;
CREATE FUNCTION pg_temp.args(r jsonb, types text) RETURNS jsonb LANGUAGE sql IMMUTABLE AS $$
	SELECT amplified.abi_decode(types, substring(pg_temp.data(r) FROM 5)) $$;
CREATE FUNCTION pg_temp.max() RETURNS text LANGUAGE sql IMMUTABLE AS $$
	SELECT '115792089237316195423570985008687907853269984665640564039457584007913129639935' $$;
-- The account's answer to an eth_call: (collateral or supply after, debt after, idle after), raw.
CREATE FUNCTION pg_temp.ret(c numeric, d numeric, idle numeric) RETURNS jsonb LANGUAGE sql IMMUTABLE AS $$
	SELECT jsonb_build_array(jsonb_build_object('step', 'x', 'ok', true,
		'return', '0x' || encode(amplified.abi_encode('(uint256,uint256,uint256)', jsonb_build_array(c::text, d::text, idle::text)), 'hex'))) $$;

-- ---- leverage: validate ----

CREATE TEMP TABLE lev_in AS SELECT jsonb_build_object(
	'protocol', 'morpho_blue', 'account', pg_temp.t('account'), 'morpho', pg_temp.t('morpho'), 'oracle', pg_temp.t('oracle'),
	'irm', pg_temp.t('irm'), 'lltv', '945000000000000000', 'collateral_token', pg_temp.t('coll'), 'loan_token', pg_temp.t('loan'),
	'collateral_decimals', 18, 'loan_decimals', 18, 'swap_pool', pg_temp.t('swap_pool'), 'swap_fee', 100, 'swap_tick_spacing', 1,
	'target_ltv', 0.8, 'band', 0.02) AS p;
CREATE TEMP TABLE aave_in AS SELECT (p - 'morpho' - 'oracle' - 'irm' - 'lltv')
	|| jsonb_build_object('protocol', 'aave_v3', 'aave_pool', pg_temp.t('aave_pool'), 'emode_category', 1) AS p FROM lev_in;
CREATE TEMP TABLE lev_params AS SELECT strategy_validate_leverage(p, 990075) AS p FROM lev_in;
CREATE TEMP TABLE aave_params AS SELECT strategy_validate_leverage(p, 990075) AS p FROM aave_in;

SELECT is((SELECT p ->> 'market' FROM lev_params),
	morpho_market_id(pg_temp.a('loan'), pg_temp.a('coll'), pg_temp.a('oracle'), pg_temp.a('irm'), '945000000000000000')::text,
	'validate: a Morpho strategy''s market is the id of its market parameters');
SELECT is((SELECT p ->> 'market' FROM aave_params), aave_market_id(pg_temp.a('aave_pool'), pg_temp.a('coll'))::text,
	'validate: an Aave strategy''s market is its collateral reserve''s id');
SELECT is((SELECT jsonb_build_array(p -> 'band', p -> 'unwind_health', p -> 'carry_window', p -> 'min_trade', p -> 'slippage_bps',
			p -> 'max_loss_bps', p -> 'gas_cost', p -> 'deadline_seconds') FROM lev_params),
	'[0.02, 1.02, "7 days", 0.01, 30, 100, 0, 3600]'::jsonb, 'validate: defaults filled');
SELECT is((SELECT p -> 'emode_category' FROM aave_params), '1'::jsonb, 'validate: the Aave e-mode category kept');
SELECT is((SELECT strategy_validate_leverage(p, 990075) FROM lev_params), (SELECT p FROM lev_params),
	'validate is idempotent on its own output (strategy_update validates the merged parameters)');
SELECT throws_ok($$SELECT strategy_validate_leverage((SELECT p || '{"protocol": "compound"}' FROM lev_in), 990075)$$, '22023',
	'invalid leverage parameter "protocol": "morpho_blue" or "aave_v3"', 'validate: an unknown protocol');
SELECT throws_ok($$SELECT strategy_validate_leverage((SELECT p - 'protocol' FROM lev_in), 990075)$$, '22023',
	'invalid leverage parameter "protocol": "morpho_blue" or "aave_v3"', 'validate: the protocol is required');
SELECT throws_ok($$SELECT strategy_validate_leverage((SELECT p - 'account' FROM lev_in), 990075)$$, '22023',
	'invalid leverage parameter "account": the AmpLeverageAccount the owner controls is required', 'validate: the account is required');
SELECT throws_ok($$SELECT strategy_validate_leverage((SELECT p || '{"account": "0xabc"}' FROM lev_in), 990075)$$, '22023',
	'invalid leverage parameter "account": "0xabc" is not an address', 'validate: the account is an address');
SELECT throws_ok($$SELECT strategy_validate_leverage((SELECT p || jsonb_build_object('loan_token', p -> 'collateral_token') FROM lev_in), 990075)$$,
	'22023', 'invalid leverage parameter "collateral_token": differs from loan_token', 'validate: collateral and loan tokens differ');
SELECT throws_ok($$SELECT strategy_validate_leverage((SELECT p - 'swap_pool' FROM lev_in), 990075)$$, '22023', NULL,
	'validate: the swap pool is required');
SELECT throws_ok($$SELECT strategy_validate_leverage((SELECT p - 'oracle' FROM lev_in), 990075)$$, '22023',
	'invalid leverage parameter "morpho": a Morpho strategy needs morpho, oracle, irm and lltv (its market''s parameters)',
	'validate: a Morpho strategy names its market''s parameters');
SELECT throws_ok($$SELECT strategy_validate_leverage((SELECT p || '{"lltv": "1000000000000000000"}' FROM lev_in), 990075)$$, '22023',
	'invalid leverage parameter "lltv": 1000000000000000000 is outside [1, 999999999999999999]', 'validate: an LLTV below 1e18');
SELECT throws_ok($$SELECT strategy_validate_leverage((SELECT p || '{"target_ltv": 0.93}' FROM lev_in), 990075)$$, '22023',
	'invalid leverage parameter "target_ltv": target_ltv + band (0.95) must stay below the market''s LLTV (0.94500000000000000000)',
	'validate: target_ltv + band above the LLTV');
SELECT lives_ok($$SELECT strategy_validate_leverage((SELECT p || '{"target_ltv": 0.92, "unwind_health": 1.005}' FROM lev_in), 990075)$$,
	'validate: target_ltv + band (0.94) just below the LLTV, the health factor there (1.00532) above unwind_health');
SELECT throws_ok($$SELECT strategy_validate_leverage((SELECT p || '{"target_ltv": 0.92}' FROM lev_in), 990075)$$, '22023',
	'invalid leverage parameter "unwind_health": at the top of the band (LTV 0.94) the health factor is 1.0053, not above unwind_health 1.02: lower target_ltv or band',
	'validate: a band whose top is under unwind_health (0.945 / 0.94 = 1.0053 <= 1.02) is refused');
SELECT throws_ok($$SELECT strategy_validate_leverage((SELECT p || '{"target_ltv": 0.9065, "band": 0.02}' FROM lev_in), 990075)$$, '22023',
	NULL, 'validate: the edge: 0.945 / 0.9265 = 1.01997 <= 1.02');
SELECT lives_ok($$SELECT strategy_validate_leverage((SELECT p || '{"target_ltv": 0.9064, "band": 0.02}' FROM lev_in), 990075)$$,
	'validate: 0.945 / 0.9264 = 1.02008 > 1.02');
SELECT is((SELECT (strategy_validate_leverage((SELECT p FROM lev_in), 990075)) ->> 'max_unwind_loss_bps'), '1000',
	'validate: max_unwind_loss_bps defaults to 1000');
SELECT throws_ok($$SELECT strategy_validate_leverage((SELECT p || '{"market": "0x0000000000000000000000000000000000000000000000000000000000000001"}' FROM lev_in), 990075)$$,
	'22023', format('invalid leverage parameter "market": is not the id of the market''s parameters (%s)', (SELECT p ->> 'market' FROM lev_params)),
	'validate: a market id that is not the parameters''');
SELECT lives_ok(format($$SELECT strategy_validate_leverage((SELECT p || '{"market": "%s"}' FROM lev_in), 990075)$$,
	upper((SELECT p ->> 'market' FROM lev_params))), 'validate: the right market id, in any case');
SELECT throws_ok($$SELECT strategy_validate_leverage((SELECT p - 'aave_pool' FROM aave_in), 990075)$$, '22023',
	'invalid leverage parameter "aave_pool": an Aave strategy needs the Pool''s address', 'validate: an Aave strategy names its Pool');
SELECT throws_ok($$SELECT strategy_validate_leverage((SELECT p || '{"emode_category": 256}' FROM aave_in), 990075)$$, '22023',
	'invalid leverage parameter "emode_category": 256 is outside [0, 255]', 'validate: an e-mode category is a uint8');
SELECT throws_ok($$SELECT strategy_validate_leverage((SELECT p - 'target_ltv' FROM lev_in), 990075)$$, '22023',
	'invalid leverage parameter "target_ltv": the LTV to hold (debt over collateral at the oracle price) is required',
	'validate: target_ltv is required');
SELECT throws_ok($$SELECT strategy_validate_leverage((SELECT p || '{"target_ltv": 0.995}' FROM lev_in), 990075)$$, '22023',
	'invalid leverage parameter "target_ltv": 0.995 is outside [0.01, 0.99]', 'validate: target_ltv within [0.01, 0.99]');
SELECT throws_ok($$SELECT strategy_validate_leverage((SELECT p || '{"band": 0}' FROM lev_in), 990075)$$, '22023',
	'invalid leverage parameter "band": 0 is outside [0.001, 0.5]', 'validate: a band of 0 is refused');
SELECT throws_ok($$SELECT strategy_validate_leverage((SELECT p || '{"unwind_health": 0.9}' FROM lev_in), 990075)$$, '22023',
	'invalid leverage parameter "unwind_health": 0.9 is outside [1, 10]', 'validate: unwind_health of at least 1');
SELECT throws_ok($$SELECT strategy_validate_leverage((SELECT p || '{"carry_window": "-1 day"}' FROM lev_in), 990075)$$, '22023',
	NULL, 'validate: a negative carry window');
SELECT throws_ok($$SELECT strategy_validate_leverage((SELECT p || '{"swap_fee": 0}' FROM lev_in), 990075)$$, '22023',
	'invalid leverage parameter "swap_fee": 0 is outside [1, 999999]', 'validate: swap_fee');
SELECT throws_ok($$SELECT strategy_validate_leverage((SELECT p || '{"swap_tick_spacing": 0}' FROM lev_in), 990075)$$, '22023',
	'invalid leverage parameter "swap_tick_spacing": 0 is outside [1, 16383]', 'validate: swap_tick_spacing of at least 1');
SELECT throws_ok($$SELECT strategy_validate_leverage((SELECT p || '{"swap_tick_spacing": 16384}' FROM lev_in), 990075)$$, '22023',
	'invalid leverage parameter "swap_tick_spacing": 16384 is outside [1, 16383]', 'validate: swap_tick_spacing below 16384 (the factory''s bound)');
SELECT is((SELECT p -> 'swap_tick_spacing' FROM lev_params), '1'::jsonb, 'validate: the swap pool''s tick spacing kept');
SELECT throws_ok($$SELECT strategy_validate_leverage((SELECT p || '{"leverage": 3}' FROM lev_in), 990075)$$, '22023',
	'unknown leverage parameter "leverage"', 'validate: an unknown key');
-- Decimals and the pool's fee left out are read from the chain: here its
-- node refuses connections, so asking proves the read is made.
SELECT throws_ok($$SELECT strategy_validate_leverage((SELECT p - 'collateral_decimals' FROM lev_in), 990075)$$, '58R01', NULL,
	'validate: decimals left out are read from the chain');
SELECT throws_ok($$SELECT strategy_validate_leverage((SELECT p - 'swap_tick_spacing' FROM lev_in), 990075)$$, '58R01', NULL,
	'validate: the pool''s tick spacing left out is read from the chain (tickSpacing())');
SELECT throws_ok($$SELECT strategy_validate_leverage((SELECT p - 'swap_fee' FROM lev_in), 990075)$$, '58R01', NULL,
	'validate: and its fee (fee())');

-- ---- leverage: the policy on hand-built states ----
-- A swap pool's state as gather returns it: its price, the tick and active
-- liquidity there, its initialized ticks (spacing 1) and their liquidity net.
CREATE FUNCTION pg_temp.swap(sqrt_price amplified.uint256, ticks int[], nets numeric[], coll_is_token0 boolean DEFAULT true)
RETURNS jsonb LANGUAGE sql IMMUTABLE AS $$
	SELECT jsonb_build_object('sqrt_price', sqrt_price::text, 'tick', amplified.univ3_tick_at_sqrt_price(sqrt_price),
		'liquidity', (SELECT coalesce(sum(n), 0) FROM unnest(ticks, nets) x(t, n) WHERE t <= amplified.univ3_tick_at_sqrt_price(sqrt_price))::text,
		'collateral_is_token0', coll_is_token0, 'pool_block', 10,
		'ticks', to_jsonb(ticks), 'liquidity_net', (SELECT jsonb_agg(n::text ORDER BY o) FROM unnest(nets) WITH ORDINALITY x(n, o))) $$;
-- What the pool pays (raw) for amount (raw) of the collateral sold, or of
-- the loan token sold for the collateral: univ3_simulate_swap at the state.
CREATE FUNCTION pg_temp.q(swap jsonb, sell_collateral boolean, amount numeric) RETURNS numeric LANGUAGE sql IMMUTABLE AS $$
	SELECT CASE WHEN (swap ->> 'collateral_is_token0')::boolean = sell_collateral THEN -x.amount1::numeric ELSE -x.amount0::numeric END
	  FROM amplified.univ3_simulate_swap((swap ->> 'sqrt_price')::amplified.uint256, (swap ->> 'tick')::int,
		(swap ->> 'liquidity')::amplified.uint256, 1, 100, ARRAY(SELECT t::int FROM jsonb_array_elements_text(swap -> 'ticks') t),
		ARRAY(SELECT n::amplified.int256 FROM jsonb_array_elements_text(swap -> 'liquidity_net') n),
		(swap ->> 'collateral_is_token0')::boolean = sell_collateral, floor(amount)::amplified.int256) x $$;
-- The state gather returns: c collateral and d debt (whole units) at an
-- oracle price of 1.2 loan per collateral, a swap pool at that price with
-- one full-range position of 1e36 (its price impact and the rounding of its
-- price steps below 1e-10 of the amounts swapped here), positive carry
-- (staking 3%, borrowing 2% on average over the carry window and now), no
-- breaker, data a minute old.  extra overrides keys.
CREATE FUNCTION pg_temp.lev_state(c numeric, d numeric, extra jsonb DEFAULT '{}') RETURNS jsonb LANGUAGE sql STABLE AS $$
	SELECT jsonb_build_object('kind', 'leverage', 'block_number', 10, 'at', now() - interval '1 minute', 'decided_at', now(),
		'collateral', (c * 1e18)::text, 'debt', (d * 1e18)::text, 'price', 1.2, 'borrow_shares', (d * 1e24)::text,
		'ltv', CASE WHEN c > 0 THEN d / (c * 1.2) END, 'health_factor', CASE WHEN d > 0 THEN c * 1.2 * 0.945 / d END,
		'lltv', 0.945, 'liquidation_price', CASE WHEN d > 0 THEN d / (c * 0.945) END,
		'borrow_apy', 0.02, 'borrow_apy_now', 0.02, 'staking_apr', 0.03, 'market_liquidity', '1000000000000000000000', 'risk_level', 'ok',
		'swap', pg_temp.swap(amplified.univ3_sqrt_price_at_price(1.2), ARRAY[-887272, 887272], ARRAY[1e36, -1e36]),
		'idle_collateral', '0', 'idle_loan', '0', 'emode', NULL,
		'valuation', jsonb_build_object('numeraire', pg_temp.t('loan'), 'value', c * 1.2 - d, 'holdings', '[]'::jsonb)) || extra $$;
CREATE FUNCTION pg_temp.lev(state jsonb, params jsonb DEFAULT '{}') RETURNS jsonb LANGUAGE sql STABLE AS $$
	SELECT amplified.strategy_policy_leverage(pg_temp.strat('leverage', p || params), state) FROM lev_params $$;
CREATE FUNCTION pg_temp.aave(state jsonb, params jsonb DEFAULT '{}') RETURNS jsonb LANGUAGE sql STABLE AS $$
	SELECT amplified.strategy_policy_leverage(pg_temp.strat('leverage', p || params), state) FROM aave_params $$;
-- The pool's spot price (loan per collateral, before its 1 bp fee) and fee.
CREATE TEMP TABLE pool AS SELECT strategy_price1per0(univ3_sqrt_price_at_price(1.2), 18, 18) AS spot, 0.0001 AS f;
CREATE FUNCTION pg_temp.why(r jsonb) RETURNS text LANGUAGE sql IMMUTABLE AS $$
	SELECT (r ->> 'action') || ':' || coalesce((SELECT string_agg(x, ',') FROM jsonb_array_elements_text(r -> 'reasons') x), '') $$;

-- The carry that decides: a forecast's mean when gather has one.
SELECT is(pg_temp.why(pg_temp.lev(pg_temp.lev_state(10, 6, jsonb_build_object('carry_forecast', jsonb_build_object('project', 'p', 'model_id', 3, 'mean', -0.001))))),
	'unwind:negative_carry,carry_forecast', 'a negative carry forecast unwinds although the trailing carry is positive');
SELECT is(pg_temp.why(pg_temp.lev(pg_temp.lev_state(10, 5, jsonb_build_object('staking_apr', 0.01, 'carry_forecast', jsonb_build_object('project', 'p', 'model_id', 3, 'mean', 0.004))))),
	'lever:ltv_below_band,carry_forecast', 'a positive carry forecast levers although the trailing carry is negative');
SELECT is(pg_temp.why(pg_temp.lev(pg_temp.lev_state(10, 5, jsonb_build_object('staking_apr', 0.01, 'carry_forecast', jsonb_build_object('project', 'p', 'error', 'no live model', 'sqlstate', '55000'))))),
	'unwind:negative_carry,carry_forecast_unavailable', 'no forecast: the trailing carry decides, and the decision says so');
SELECT is((SELECT (r -> 'plan' -> 'carry_forecast' ->> 'model_id', round((r -> 'plan' ->> 'trailing_carry')::numeric, 6))::text
			 FROM (SELECT pg_temp.lev(pg_temp.lev_state(10, 5, jsonb_build_object('carry_forecast', jsonb_build_object('project', 'p', 'model_id', 3, 'mean', 0.004)))) r) x),
	('3', 0.010000)::text, 'the plan keeps the forecast and the trailing carry beside it');
SELECT is(pg_temp.lev(pg_temp.lev_state(10, 5)), amplified.strategy_policy_leverage_rules(pg_temp.strat('leverage', (SELECT p FROM lev_params)), pg_temp.lev_state(10, 5)),
	'without carry_project the decision is the rules'' own');
SELECT is((SELECT (strategy_validate_leverage(p || '{"carry_project": "spread"}', 990075) ->> 'carry_bucket',
		strategy_validate_leverage(p || '{"carry_project": "spread"}', 990075) ->> 'carry_lookback',
		strategy_validate_leverage(p || '{"carry_project": "spread"}', 990075) ->> 'carry_horizon')::text FROM lev_in),
	('6 hours', '24', '4')::text, 'validate: carry_project gets its bucket, lookback and horizon defaults');
SELECT throws_ok($$SELECT strategy_validate_leverage((SELECT p || '{"carry_project": "Spread!"}' FROM lev_in), 990075)$$, '22023', NULL,
	'validate: carry_project must be a project name');
SELECT throws_ok($$SELECT strategy_validate_leverage((SELECT p || '{"carry_bucket": "1 hour"}' FROM lev_in), 990075)$$, '22023', NULL,
	'validate: carry_bucket without carry_project');
SELECT throws_ok($$SELECT strategy_validate_leverage((SELECT p || '{"carry_project": "s", "carry_lookback": 1}' FROM lev_in), 990075)$$, '22023', NULL,
	'validate: a lookback of one bucket');

-- Hold: stale data, no price, within the band, no collateral.
SELECT is(pg_temp.why(pg_temp.lev(pg_temp.lev_state(10, 5, jsonb_build_object('at', now() - interval '3600 seconds')))),
	'hold:stale_chain_data', 'stale: data exactly deadline_seconds old');
SELECT is(pg_temp.why(pg_temp.lev(pg_temp.lev_state(10, 5, jsonb_build_object('at', now() - interval '3599 seconds')))),
	'lever:ltv_below_band', 'a second younger it is used');
SELECT is(pg_temp.why(pg_temp.lev(pg_temp.lev_state(10, 5, '{"price": null}'))), 'hold:no_price', 'no oracle price: hold');
SELECT is(pg_temp.why(pg_temp.lev(pg_temp.lev_state(10, 5, '{"price": 0}'))), 'hold:no_price', 'an oracle price of 0: hold');
SELECT is(pg_temp.why(pg_temp.lev(pg_temp.lev_state(10, 5, '{"swap": {"liquidity": "1"}}'))), 'hold:no_price', 'no swap pool state: hold');
-- The pool far from the oracle: no swap reaches the target.  Delever with
-- the oracle at 2 (LTV 17 / 20 = 0.85) and the pool at 1.2: selling
-- collateral at 1.2 to repay debt raises the LTV (0.75 * 2 * 1.005 / 1.2 > 1).
SELECT is(pg_temp.why(pg_temp.lev(pg_temp.lev_state(10, 17, jsonb_build_object('price', 2.0, 'ltv', 17 / 20.0, 'health_factor', 20 * 0.945 / 17)))),
	'hold:delever_infeasible', 'delever with the pool 40 % under the oracle: infeasible, hold');
-- Lever with the oracle at 2 and the pool selling at 1.2: each WETH buys
-- collateral worth 1.67 at the oracle, more than 1 / 0.75: no debt reaches the target.
SELECT is(pg_temp.why(pg_temp.lev(pg_temp.lev_state(10, 5, jsonb_build_object('price', 2.0, 'ltv', 5 / 20.0)))),
	'hold:lever_infeasible', 'lever with the pool 40 % under the oracle: infeasible, hold');
-- Lever into a pool with no liquidity on the way up: the quote is 0, no minimum output of 0 is sent.
SELECT is(pg_temp.why(pg_temp.lev(pg_temp.lev_state(10, 5, jsonb_build_object('swap',
	pg_temp.swap(univ3_sqrt_price_at_price(1.2), ARRAY[-887270, 1800], ARRAY[1e22, -1e22]))))),
	'hold:no_swap_liquidity', 'lever into a pool with no liquidity above the price: hold');
SELECT is(pg_temp.why(pg_temp.lev(pg_temp.lev_state(0, 0))), 'hold:no_collateral', 'nothing supplied, nothing owed: no_collateral');
SELECT is(pg_temp.why(pg_temp.lev(pg_temp.lev_state(10, 9.6))), 'hold:within_band', 'at the target: within_band');
SELECT is(pg_temp.lev(pg_temp.lev_state(10, 9.6)) -> 'plan', '{"ltv": 0.8, "band": 0.02, "target_ltv": 0.8}'::jsonb,
	'the hold''s plan: the LTV against the target and band');
-- Band edges: LTV t + band = 0.82 (d = 9.84) and t - band = 0.78 (d = 9.36) hold.
SELECT is(pg_temp.why(pg_temp.lev(pg_temp.lev_state(10, 9.84))), 'hold:within_band', 'LTV exactly target + band: hold');
SELECT is(pg_temp.why(pg_temp.lev(pg_temp.lev_state(10, 9.8400012))), 'delever:ltv_above_band', 'LTV 1e-7 above target + band: delever');
SELECT is(pg_temp.why(pg_temp.lev(pg_temp.lev_state(10, 9.36))), 'hold:within_band', 'LTV exactly target - band: hold');
SELECT is(pg_temp.why(pg_temp.lev(pg_temp.lev_state(10, 9.3599988))), 'lever:ltv_below_band', 'LTV 1e-7 below target - band: lever');
-- Below the band but no lever: carry, breaker, size.
SELECT is(pg_temp.why(pg_temp.lev(pg_temp.lev_state(10, 5, '{"staking_apr": 0.02}'))), 'hold:no_positive_carry',
	'below the band with zero carry: hold');
SELECT is(pg_temp.lev(pg_temp.lev_state(10, 5, '{"staking_apr": 0.02}')) -> 'plan', '{"carry": 0}'::jsonb, 'its plan shows the carry');
SELECT is(pg_temp.why(pg_temp.lev(pg_temp.lev_state(10, 5, '{"staking_apr": null}'))), 'hold:no_positive_carry',
	'below the band without a staking APR: hold');
SELECT is(pg_temp.why(pg_temp.lev(pg_temp.lev_state(10, 0, '{"staking_apr": 0.01}'))), 'hold:no_positive_carry',
	'negative carry without debt: nothing to unwind, no lever');
SELECT is(pg_temp.why(pg_temp.lev(pg_temp.lev_state(10, 5, '{"risk_level": "warn"}'))), 'hold:risk_warn',
	'a breaker at warn on the collateral blocks a lever');
SELECT is(pg_temp.why(pg_temp.lev(pg_temp.lev_state(10, 0, '{"risk_level": "halt"}'))), 'hold:risk_halt',
	'at halt without debt: hold');
SELECT is(pg_temp.why(pg_temp.lev(pg_temp.lev_state(10, 5), '{"min_trade": 23}')), 'hold:below_min_trade',
	'a lever of less than min_trade (23 > 22.99): hold');
SELECT is(pg_temp.why(pg_temp.lev(pg_temp.lev_state(10, 5), '{"min_trade": 22.9}')), 'lever:ltv_below_band',
	'min_trade 22.9: lever');

-- Unwind, before anything else.
SELECT is(pg_temp.why(pg_temp.lev(pg_temp.lev_state(10, 9.6, '{"risk_level": "reduce_only"}'))), 'unwind:depeg_reduce_only',
	'a depeg at reduce_only: unwind');
SELECT is(pg_temp.why(pg_temp.lev(pg_temp.lev_state(10, 9.6, '{"risk_level": "halt"}'))), 'unwind:depeg_halt', 'at halt: unwind');
SELECT is(pg_temp.why(pg_temp.lev(pg_temp.lev_state(10, 9.6, '{"staking_apr": 0.0199}'))), 'unwind:negative_carry',
	'borrowing above the staking APR: unwind');
SELECT is(pg_temp.why(pg_temp.lev(pg_temp.lev_state(10, 9.6, '{"health_factor": 1.0199}'))), 'unwind:health_below_trigger',
	'health below unwind_health: unwind');
SELECT is(pg_temp.why(pg_temp.lev(pg_temp.lev_state(10, 9.6, '{"health_factor": 1.02}'))), 'hold:within_band',
	'health exactly unwind_health: no unwind');
SELECT is(pg_temp.why(pg_temp.lev(pg_temp.lev_state(10, 9.6, '{"risk_level": "warn"}'))), 'hold:within_band',
	'warn alone does not unwind');

-- A Morpho lever from c = 10, d = 5: borrow x with d + x = t * price * (c + y),
-- y what the pool pays for x.  In this deep pool y is x * (1 - fee) / spot
-- but for its price impact and the Q64.96 rounding of a price step, both
-- below 1e-10 of the amounts: x is the fee-only closed form within that.
CREATE TEMP TABLE lv AS SELECT pg_temp.lev(pg_temp.lev_state(10, 5)) AS r,
	(0.8 * 1.2 * 10 - 5) / (1 - 0.8 * 1.2 * (1 - pool.f) / pool.spot) AS x FROM pool;
CREATE TEMP TABLE lva AS SELECT (pg_temp.args(r, '((address,address,address,address,uint256),uint256,uint256,uint24)') ->> 1)::numeric AS amt,
	(pg_temp.args(r, '((address,address,address,address,uint256),uint256,uint256,uint24)') ->> 2)::numeric AS out_min,
	pg_temp.q(pg_temp.lev_state(10, 5) -> 'swap', false,
		(pg_temp.args(r, '((address,address,address,address,uint256),uint256,uint256,uint24)') ->> 1)::numeric) AS q FROM lv;
SELECT is((SELECT pg_temp.sel(r) FROM lv), selector('morphoLever((address,address,address,address,uint256),uint256,uint256,uint24)'),
	'lever: morphoLever');
SELECT is((SELECT r -> 'intents' -> 0 ->> 'target' FROM lv), pg_temp.t('account'), 'the account is called');
SELECT is((SELECT r -> 'intents' -> 0 ->> 'step' FROM lv), 'lever', 'one intent, step lever');
SELECT is((SELECT pg_temp.args(r, '((address,address,address,address,uint256),uint256,uint256,uint24)') -> 0 FROM lv),
	jsonb_build_array(pg_temp.t('loan'), pg_temp.t('coll'), pg_temp.t('oracle'), pg_temp.t('irm'), '945000000000000000'),
	'lever: the market''s parameters (loan, collateral, oracle, IRM, LLTV)');
SELECT ok((SELECT abs(amt * 1e-18 / x - 1) < 1e-10 FROM lv, lva), 'lever: borrows x = (t price c - d) / (1 - t price (1 - fee) / spot) (1e-10)');
SELECT is((SELECT (r -> 'plan' ->> 'swap_out')::numeric FROM lv), (SELECT q FROM lva),
	'lever: the plan''s swap_out is univ3_simulate_swap''s output for the amount borrowed');
SELECT is((SELECT out_min FROM lva), (SELECT strategy_amount_min(q::uint256, 30)::numeric FROM lva),
	'lever: the swap''s minimum is that output less 30 bps');
SELECT is((SELECT pg_temp.args(r, '((address,address,address,address,uint256),uint256,uint256,uint24)') ->> 3 FROM lv), '100',
	'lever: the pool''s fee');
SELECT ok((SELECT abs((r -> 'plan' ->> 'ltv_after')::numeric - 0.8) < 1e-9 FROM lv), 'lever: the planned LTV after is the target (1e-9)');
SELECT ok((SELECT abs((5 + amt * 1e-18) / ((10 + q * 1e-18) * 1.2) - 0.8) < 1e-9 FROM lva),
	'lever: the debt after over the collateral after (the quote''s output) is the target (1e-9)');
-- (The policy's whole units are quotients of numeric division, rounded to
-- 16 decimals: its plan's amounts are exact to 1e-16.)
SELECT ok((SELECT abs((r -> 'plan' ->> 'swap_cost')::numeric - (amt - q * 1.2) * 1e-18) < 1e-16 FROM lv, lva),
	'lever: swap_cost is what the swap loses against the oracle price: x - y price');
SELECT ok((SELECT abs((r -> 'plan' ->> 'swap_cost')::numeric / (amt * 1e-18) - 0.0001) < 1e-10 FROM lv, lva),
	'lever: in a deep pool at the oracle''s price, that is the 1 bp fee');
SELECT is((SELECT r -> 'plan' -> 'swap_steps' FROM lv), '["lever"]'::jsonb, 'lever: its one step swaps (for strategy_pnl)');
SELECT is((SELECT jsonb_build_array(r -> 'proposal' ->> 'action', r -> 'proposal' -> 'reduces_risk', r -> 'proposal' -> 'slippage_bps',
			r -> 'proposal' -> 'value', r -> 'proposal' -> 'chain_id') FROM lv),
	'["lever", false, 30, 7.0, 990075]'::jsonb, 'lever proposal: does not reduce risk, 30 bps, worth 7 (12 - 5)');
SELECT ok((SELECT abs((r -> 'proposal' ->> 'turnover')::numeric - amt * 1e-18) < 1e-18 FROM lv, lva), 'lever turnover: the debt added');
SELECT ok((SELECT abs((r -> 'proposal' -> 'exposures' -> 0 ->> 'ltv')::numeric - 0.8) < 1e-9
		AND abs((r -> 'proposal' -> 'exposures' -> 0 ->> 'health_factor')::numeric - 0.945 / 0.8) < 1e-9
		AND r -> 'proposal' -> 'exposures' -> 0 ->> 'asset' = pg_temp.t('coll') FROM lv),
	'lever exposure: LTV the target, health factor LLTV / LTV, on the collateral');
-- Idle collateral is supplied with the lever: c + ic in the formula.
SELECT ok((SELECT abs((pg_temp.args(pg_temp.lev(pg_temp.lev_state(10, 5, '{"idle_collateral": "2000000000000000000"}')),
		'((address,address,address,address,uint256),uint256,uint256,uint24)') ->> 1)::numeric
		/ ((0.8 * 1.2 * 12 - 5) / (1 - 0.8 * 1.2 * (1 - pool.f) / pool.spot) * 1e18) - 1) < 1e-10 FROM pool),
	'lever: idle collateral counts as collateral (c + ic)');
SELECT is(pg_temp.why(pg_temp.lev(pg_temp.lev_state(0, 0, '{"idle_collateral": "2000000000000000000", "ltv": null}'))),
	'lever:ltv_below_band', 'idle collateral alone: the first lever');
-- The carry is the borrow APY averaged over carry_window, not the rate now.
SELECT is(pg_temp.why(pg_temp.lev(pg_temp.lev_state(10, 5, '{"borrow_apy_now": 0.05}'))), 'lever:ltv_below_band',
	'a borrow rate spiking now (5%) over a 2% average: still positive carry, lever');
SELECT is(pg_temp.why(pg_temp.lev(pg_temp.lev_state(10, 9.6, '{"borrow_apy_now": 0.05}'))), 'hold:within_band',
	'nor does it unwind');
SELECT is(pg_temp.why(pg_temp.lev(pg_temp.lev_state(10, 9.6, '{"borrow_apy": 0.031, "borrow_apy_now": 0.01}'))), 'unwind:negative_carry',
	'an average above the staking APR unwinds, however low the rate now');

-- The quote goes across the pool's initialized ticks.  A shallow pool at
-- 1.2 (tick 1823): a full-range position of 2e22 and a narrow one of 5e21
-- on [1820, 1830]; the lever's swap (~23 WETH for the collateral, the price
-- going up) leaves the narrow range at 1830, the delever's (selling ~6
-- collateral, the price going down) at 1820.
CREATE TEMP TABLE shallow AS SELECT pg_temp.swap(univ3_sqrt_price_at_price(1.2), ARRAY[-887272, 1820, 1830, 887272],
	ARRAY[2e22, 5e21, -5e21, -2e22]) AS s;
SELECT is((SELECT jsonb_build_array(s -> 'tick', s -> 'liquidity') FROM shallow), '[1823, "25000000000000000000000"]'::jsonb,
	'(the shallow pool: tick 1823, both positions active)');
CREATE TEMP TABLE slv AS SELECT r, (pg_temp.args(r, '((address,address,address,address,uint256),uint256,uint256,uint24)') ->> 1)::numeric AS amt,
	(pg_temp.args(r, '((address,address,address,address,uint256),uint256,uint256,uint24)') ->> 2)::numeric AS out_min
  FROM shallow, pg_temp.lev(pg_temp.lev_state(10, 5, jsonb_build_object('swap', s))) r;
CREATE TEMP TABLE slq AS SELECT q.* FROM shallow, slv, univ3_simulate_swap((s ->> 'sqrt_price')::uint256, 1823, (s ->> 'liquidity')::uint256,
	1, 100, ARRAY[-887272, 1820, 1830, 887272], ARRAY[2e22, 5e21, -5e21, -2e22]::int256[], false, amt::int256) q;
SELECT is((SELECT ARRAY[ticks_crossed, tick_after] FROM slq), ARRAY[1, 1842], 'shallow lever: its swap crosses tick 1830 (to 1842)');
SELECT is((SELECT (r -> 'plan' ->> 'swap_out')::numeric FROM slv), (SELECT -amount0::numeric FROM slq),
	'shallow lever: swap_out is univ3_simulate_swap''s output across the ticks, to the wei');
SELECT is((SELECT out_min FROM slv), (SELECT strategy_amount_min((-amount0::numeric)::uint256, 30)::numeric FROM slq),
	'shallow lever: the minimum is that output less 30 bps');
SELECT ok((SELECT (strategy_swap_quote((s ->> 'sqrt_price')::uint256, (s ->> 'liquidity')::uint256, 100, false, amt::uint256)).amount_out::numeric
			> -amount0::numeric FROM shallow, slv, slq),
	'shallow lever: within the active liquidity alone the pool would pay more (the quote sees the liquidity drop at 1830)');
-- Landing on the target: the fee-only closed form borrows x0 and misses the
-- target LTV by 4.3e-4 here (the price impact, ~0.1%).  Each pass of the
-- policy's iteration (x again at the quote's effective rate eff(x))
-- multiplies the error by rho = t p x |eff'(x)| / (1 - t p eff) ~ 4e-3
-- (eff'(x) measured below), so after its two passes the residual is about
-- 4.3e-4 * rho^2 ~ 7e-9; the quote itself is exact.  Bound: 2e-8.
CREATE TEMP TABLE x0 AS SELECT (0.8 * 1.2 * 10 - 5) / (1 - 0.8 * 1.2 * (1 - pool.f) ^ 2 / pool.spot) AS x FROM pool;
SELECT ok((SELECT abs((5 + x) / ((10 + pg_temp.q(s, false, x * 1e18) * 1e-18) * 1.2) - 0.8) > 4e-4 FROM x0, shallow),
	'shallow lever: the fee-only closed form would miss the target LTV by more than 4e-4');
SELECT ok((SELECT (0.8 * 1.2 * 23 * abs(pg_temp.q(s, false, 23e18) * (1 / 23e18) - pg_temp.q(s, false, 22.9e18) * (1 / 22.9e18)) / 0.1)
			/ (1 - 0.8 * 1.2 * pg_temp.q(s, false, 23e18) * (1 / 23e18)) BETWEEN 1e-3 AND 1e-2 FROM shallow),
	'(the contraction rho of the iteration, measured on the simulator: between 1e-3 and 1e-2)');
SELECT ok((SELECT abs((5 + amt * 1e-18) / ((10 + (r -> 'plan' ->> 'swap_out')::numeric * 1e-18) * 1.2) - 0.8) < 2e-8 FROM slv),
	'shallow lever: the debt after over the collateral after (the exact quote) is the target within 2e-8');
SELECT ok((SELECT abs((r -> 'plan' ->> 'ltv_after')::numeric - 0.8) < 2e-8 FROM slv), 'shallow lever: the planned LTV after too');
SELECT ok((SELECT abs((r -> 'plan' ->> 'swap_cost')::numeric - (amt - (r -> 'plan' ->> 'swap_out')::numeric * 1.2) * 1e-18) < 1e-16
			AND (r -> 'plan' ->> 'swap_cost')::numeric / (amt * 1e-18) > 0.0005 FROM slv),
	'shallow lever: swap_cost, x - y price, counts the price impact (above 5 bps of x, the fee being 1 bp)');

-- A Morpho delever from c = 10, d = 10 (LTV 0.8333): repay x, selling y
-- collateral that the pool pays x for with the slippage margin:
-- (d - x) = t price (c - y).  Deep pool: x as with y = x / (spot (1 - fee)) * (1 + slippage).
CREATE TEMP TABLE dv AS SELECT pg_temp.lev(pg_temp.lev_state(10, 10)) AS r,
	(10 - 0.8 * 1.2 * 10) / (1 - 0.8 * 1.2 * 1.003 / (pool.spot * (1 - pool.f))) AS x FROM pool;
CREATE TEMP TABLE dva AS SELECT (a ->> 1)::numeric AS shares, (a ->> 2)::numeric AS amt, (a ->> 3)::numeric AS out_min, a ->> 4 AS fee,
	pg_temp.q(pg_temp.lev_state(10, 10) -> 'swap', true, (a ->> 2)::numeric) AS q
  FROM dv, pg_temp.args(r, '((address,address,address,address,uint256),uint256,uint256,uint256,uint24)') a;
SELECT is((SELECT pg_temp.sel(r) FROM dv), selector('morphoDelever((address,address,address,address,uint256),uint256,uint256,uint256,uint24)'),
	'delever: morphoDelever');
SELECT ok((SELECT abs(out_min * 1e-18 / x - 1) < 1e-10 FROM dv, dva),
	'delever: at least x back, x = (d - t price c) / (1 - t price (1 + slippage) / (spot (1 - fee))) (1e-10)');
SELECT is((SELECT floor(shares * 1e-6) FROM dva), (SELECT out_min FROM dva),
	'delever: the shares of x (x / d of the borrow shares, 1e6 per wei here)');
SELECT is((SELECT fee FROM dva), '100', 'delever: the pool''s fee');
SELECT ok((SELECT q >= out_min AND abs(q / out_min - 1.003) < 1e-9 FROM dva),
	'delever: the pool pays for the y sold x and the 30 bps margin (1e-9)');
SELECT is((SELECT (r -> 'plan' ->> 'swap_out')::numeric FROM dv), (SELECT q FROM dva),
	'delever: swap_out is univ3_simulate_swap''s output for the collateral sold');
SELECT ok((SELECT abs((r -> 'plan' ->> 'ltv_after')::numeric - 0.8) < 1e-9 FROM dv), 'delever: the planned LTV after is the target (1e-9)');
SELECT ok((SELECT abs((10 - out_min * 1e-18) / ((10 - amt * 1e-18) * 1.2) - 0.8) < 1e-9 FROM dva),
	'delever: (d - x) / ((c - y) price) is the target');
SELECT ok((SELECT abs((r -> 'plan' ->> 'swap_cost')::numeric - (amt * 1.2 - q) * 1e-18) < 1e-16 FROM dv, dva),
	'delever: swap_cost is y price - what the pool pays');
SELECT is((SELECT r -> 'plan' -> 'swap_steps' FROM dv), '["delever"]'::jsonb, 'delever: its one step swaps');
SELECT is((SELECT jsonb_build_array(r -> 'proposal' ->> 'action', r -> 'proposal' -> 'reduces_risk') FROM dv),
	'["delever", true]'::jsonb, 'delever proposal: reduces risk');
SELECT ok((SELECT abs((r -> 'proposal' -> 'exposures' -> 0 ->> 'ltv')::numeric - 0.8) < 1e-9 FROM dv), 'delever exposure: the target LTV');
-- In the shallow pool (c = 10, d = 11): the sale crosses tick 1820; y is
-- corrected twice by the quote (the same contraction as the lever's).
CREATE TEMP TABLE sdv AS SELECT r, (a ->> 2)::numeric AS amt, (a ->> 3)::numeric AS out_min
  FROM shallow, pg_temp.lev(pg_temp.lev_state(10, 11, jsonb_build_object('swap', s))) r,
	   pg_temp.args(r, '((address,address,address,address,uint256),uint256,uint256,uint256,uint24)') a;
CREATE TEMP TABLE sdq AS SELECT q.* FROM shallow, sdv, univ3_simulate_swap((s ->> 'sqrt_price')::uint256, 1823, (s ->> 'liquidity')::uint256,
	1, 100, ARRAY[-887272, 1820, 1830, 887272], ARRAY[2e22, 5e21, -5e21, -2e22]::int256[], true, amt::int256) q;
SELECT is((SELECT ARRAY[ticks_crossed, tick_after] FROM sdq), ARRAY[1, 1817], 'shallow delever: its swap crosses tick 1820 (to 1817)');
SELECT is((SELECT (r -> 'plan' ->> 'swap_out')::numeric FROM sdv), (SELECT -amount1::numeric FROM sdq),
	'shallow delever: swap_out is univ3_simulate_swap''s output across the ticks');
SELECT ok((SELECT -amount1::numeric >= out_min AND abs(-amount1::numeric / out_min - 1.003) < 2e-8 FROM sdv, sdq),
	'shallow delever: the pool pays x and the 30 bps margin (2e-8)');
SELECT ok((SELECT abs((11 - out_min * 1e-18) / ((10 - amt * 1e-18) * 1.2) - 0.8) < 1e-15 FROM sdv),
	'shallow delever: (d - x) / ((c - y) price) is the target');
-- A pool with no liquidity below the price pays nothing for the collateral:
-- nothing to repay the flash loan with, so the policy holds.
CREATE TEMP TABLE ndv AS SELECT r FROM pg_temp.lev(pg_temp.lev_state(10, 11, jsonb_build_object('swap',
	pg_temp.swap(univ3_sqrt_price_at_price(1.2), ARRAY[1830, 1840], ARRAY[1e22, -1e22])))) r;
SELECT is((SELECT jsonb_build_array(pg_temp.why(r), r -> 'intents') FROM ndv), '["hold:no_swap_liquidity", []]'::jsonb,
	'a pool without liquidity on the way: hold, no_swap_liquidity');
SELECT is((SELECT r -> 'plan' ->> 'ltv' FROM ndv), (SELECT (11 / (10 * 1.2))::text), 'with the LTV in its plan');

-- A Morpho unwind: repay all the shares, withdraw all the collateral, the
-- swap of it all returning at least its quote less the slippage.
CREATE TEMP TABLE uw AS SELECT pg_temp.lev(pg_temp.lev_state(10, 9.6, '{"risk_level": "halt"}')) AS r;
SELECT is((SELECT pg_temp.sel(r) FROM uw), selector('morphoDelever((address,address,address,address,uint256),uint256,uint256,uint256,uint24)'),
	'unwind: morphoDelever');
SELECT is((SELECT pg_temp.args(r, '((address,address,address,address,uint256),uint256,uint256,uint256,uint24)') - 0 FROM uw),
	jsonb_build_array(pg_temp.max(), pg_temp.max(), floor(pg_temp.q(pg_temp.lev_state(10, 9.6) -> 'swap', true, 10e18) * 0.997)::text, '100'),
	'unwind: every share, all the collateral, at least the quote of selling it all less 30 bps');
SELECT is((SELECT (r -> 'plan' ->> 'swap_out')::numeric FROM uw), pg_temp.q(pg_temp.lev_state(10, 9.6) -> 'swap', true, 10e18),
	'unwind: swap_out is that quote');
SELECT ok((SELECT abs((r -> 'plan' ->> 'swap_cost')::numeric - (12 - pg_temp.q(pg_temp.lev_state(10, 9.6) -> 'swap', true, 10e18) * 1e-18)) < 1e-16 FROM uw),
	'unwind: swap_cost, 10 x 1.2 less the quote');
SELECT is((SELECT jsonb_build_array(r -> 'proposal' ->> 'action', r -> 'proposal' -> 'reduces_risk',
			r -> 'proposal' -> 'exposures' -> 0 -> 'ltv', r -> 'proposal' -> 'exposures' -> 0 -> 'health_factor') FROM uw),
	'["unwind", true, null, null]'::jsonb, 'unwind proposal: reduces risk, leaves no leverage');
SELECT is((SELECT jsonb_build_array(r -> 'plan' -> 'debt_change', r -> 'plan' -> 'collateral_change', r -> 'plan' -> 'swap_steps') FROM uw),
	'[-9.6, -10, ["unwind"]]'::jsonb, 'unwind plan: all the debt repaid, all the collateral sold, in one step');

-- Aave: into the strategy's e-mode category first (its own decision), then lever.
SELECT is(pg_temp.why(pg_temp.aave(pg_temp.lev_state(10, 0, '{"emode": 0}'))), 'set_emode:emode_category',
	'Aave, not in the e-mode category yet: set_emode first');
SELECT is((SELECT pg_temp.sel(r) FROM pg_temp.aave(pg_temp.lev_state(10, 0, '{"emode": 0}')) r), selector('aaveSetEMode(uint8)'),
	'set_emode: aaveSetEMode');
SELECT is((SELECT pg_temp.args(r, '(uint8)') FROM pg_temp.aave(pg_temp.lev_state(10, 0, '{"emode": 0}')) r), '["1"]'::jsonb,
	'set_emode: the strategy''s category');
SELECT is((SELECT jsonb_build_array(r -> 'proposal' ->> 'action', r -> 'proposal' -> 'reduces_risk', r -> 'proposal' -> 'exposures')
			 FROM pg_temp.aave(pg_temp.lev_state(10, 0, '{"emode": 0}')) r),
	'["set_emode", false, null]'::jsonb, 'set_emode proposal: no exposure changes');
SELECT is(pg_temp.why(pg_temp.aave(pg_temp.lev_state(10, 0, '{"emode": 1}'))), 'lever:ltv_below_band', 'in the category: lever');
SELECT is(pg_temp.why(pg_temp.aave(pg_temp.lev_state(10, 5, '{"emode": 0}'))), 'lever:ltv_below_band',
	'with debt already, e-mode is not changed (Aave refuses it with a position open in other categories)');
SELECT is(pg_temp.why(pg_temp.aave(pg_temp.lev_state(10, 0, '{"emode": 0}'), '{"emode_category": 0}')), 'lever:ltv_below_band',
	'category 0 wanted and none set: lever');
SELECT is(pg_temp.why(pg_temp.aave(pg_temp.lev_state(10, 0, '{"emode": 0, "risk_level": "warn"}'))), 'hold:risk_warn',
	'a breaker at warn holds before set_emode');
CREATE TEMP TABLE alv AS SELECT pg_temp.aave(pg_temp.lev_state(10, 5, '{"emode": 1}')) AS r;
SELECT is((SELECT pg_temp.sel(r) FROM alv), selector('aaveLever(address,address,uint256,uint256,uint24)'), 'Aave lever: aaveLever');
SELECT is((SELECT pg_temp.args(r, '(address,address,uint256,uint256,uint24)') FROM alv),
	(SELECT jsonb_build_array(pg_temp.t('coll'), pg_temp.t('loan'), amt::text, out_min::text, '100') FROM lva),
	'Aave lever: collateral, loan, the Morpho lever''s x and minimum (the same state), the fee');
CREATE TEMP TABLE adv AS SELECT pg_temp.aave(pg_temp.lev_state(10, 10, '{"emode": 1}')) AS r;
SELECT is((SELECT pg_temp.sel(r) FROM adv), selector('aaveDelever(address,address,uint256,uint256,uint256,uint24)'), 'Aave delever: aaveDelever');
SELECT is((SELECT pg_temp.args(r, '(address,address,uint256,uint256,uint256,uint24)') FROM adv),
	(SELECT jsonb_build_array(pg_temp.t('coll'), pg_temp.t('loan'), out_min::text, amt::text, out_min::text, '100') FROM dva),
	'Aave delever: repay x, withdraw y, at least x back (the Morpho delever''s)');
SELECT is((SELECT pg_temp.args(r, '(address,address,uint256,uint256,uint256,uint24)')
			 FROM pg_temp.aave(pg_temp.lev_state(10, 9.6, '{"emode": 1, "staking_apr": 0.01}')) r),
	jsonb_build_array(pg_temp.t('coll'), pg_temp.t('loan'), pg_temp.max(), pg_temp.max(),
		floor(pg_temp.q(pg_temp.lev_state(10, 9.6) -> 'swap', true, 10e18) * 0.997)::text, '100'),
	'Aave unwind (negative carry): everything');
-- The collateral as token1 of the pool (loan per collateral is then 1 /
-- the pool's price): the quotes take the other side of the swap.
CREATE TEMP TABLE inv AS SELECT pg_temp.swap(univ3_sqrt_price_at_price(1 / 1.2), ARRAY[-887272, 887272], ARRAY[1e36, -1e36], false) AS s;
CREATE TEMP TABLE ilv AS SELECT r, (pg_temp.args(r, '((address,address,address,address,uint256),uint256,uint256,uint24)') ->> 1)::numeric AS amt
  FROM inv, pg_temp.lev(pg_temp.lev_state(10, 5, jsonb_build_object('swap', s))) r;
SELECT is((SELECT (r -> 'plan' ->> 'swap_out')::numeric FROM ilv),
	(SELECT -(univ3_simulate_swap((s ->> 'sqrt_price')::uint256, (s ->> 'tick')::int, (s ->> 'liquidity')::uint256, 1, 100,
		ARRAY[-887272, 887272], ARRAY[1e36, -1e36]::int256[], true, amt::int256)).amount1::numeric FROM inv, ilv),
	'collateral as token1: the lever buys it with token0 (zero for one), swap_out its amount1');
SELECT ok((SELECT abs((r -> 'plan' ->> 'ltv_after')::numeric - 0.8) < 1e-9 FROM ilv), 'collateral as token1: the lever still lands on the target');
SELECT is((SELECT (r -> 'plan' ->> 'swap_out')::numeric FROM inv, pg_temp.lev(pg_temp.lev_state(10, 9.6, jsonb_build_object('swap', s, 'risk_level', 'halt'))) r),
	(SELECT -(univ3_simulate_swap((s ->> 'sqrt_price')::uint256, (s ->> 'tick')::int, (s ->> 'liquidity')::uint256, 1, 100,
		ARRAY[-887272, 887272], ARRAY[1e36, -1e36]::int256[], false, 10e18::numeric::int256)).amount0::numeric FROM inv),
	'collateral as token1: the unwind sells it for token0 (one for zero), swap_out its amount0');

-- strategy_leverage_quote: univ3_simulate_swap's output at the gathered state, for each side and token order.
SELECT is(ARRAY[strategy_leverage_quote(p, pg_temp.lev_state(0, 0) -> 'swap', true, 5e18), strategy_leverage_quote(p, pg_temp.lev_state(0, 0) -> 'swap', false, 5e18)],
	ARRAY[pg_temp.q(pg_temp.lev_state(0, 0) -> 'swap', true, 5e18), pg_temp.q(pg_temp.lev_state(0, 0) -> 'swap', false, 5e18)],
	'strategy_leverage_quote: selling and buying the collateral (token0)') FROM lev_params;
SELECT is(ARRAY[strategy_leverage_quote(p, pg_temp.lev_state(0, 0) -> 'swap', true, 0.9), strategy_leverage_quote(p, pg_temp.lev_state(0, 0) -> 'swap', true, 0)],
	ARRAY[0, 0]::numeric[], 'strategy_leverage_quote: less than one raw unit in, nothing out') FROM lev_params;
SELECT is(strategy_leverage_quote(p, pg_temp.lev_state(0, 0) -> 'swap', false, 5.7e18), strategy_leverage_quote(p, pg_temp.lev_state(0, 0) -> 'swap', false, 5.7e18 + 0.9),
	'strategy_leverage_quote: the amount in is floored to a raw unit') FROM lev_params;

-- ---- leverage: simulate, on the account's answers (collateral, debt, idle after) ----
SELECT is((SELECT strategy_simulate_leverage(pg_temp.strat('leverage', lev_params.p), pg_temp.lev_state(10, 5), r,
		pg_temp.ret(29.15e18, 27.99e18, 0)) FROM lv, lev_params), '{}'::text[], 'simulate lever: LTV 0.80 after, equity kept: nothing found');
SELECT is((SELECT strategy_simulate_leverage(pg_temp.strat('leverage', lev_params.p), pg_temp.lev_state(10, 5), r,
		pg_temp.ret(32.77e18, 32.32e18, 0)) FROM lv, lev_params), '{ltv_outside_band}'::text[], 'simulate lever: LTV 0.822 after: outside the band');
SELECT is((SELECT strategy_simulate_leverage(pg_temp.strat('leverage', lev_params.p), pg_temp.lev_state(10, 5), r,
		pg_temp.ret(25.926e18, 24.11e18, 0)) FROM lv, lev_params), '{ltv_outside_band}'::text[], 'simulate lever: LTV 0.775 after: below the band');
SELECT is((SELECT strategy_simulate_leverage(pg_temp.strat('leverage', lev_params.p), pg_temp.lev_state(10, 5), r,
		pg_temp.ret(28.5e18, 27.5e18, 0)) FROM lv, lev_params), '{loss_above_max}'::text[],
	'simulate lever: equity 6.7 after 7 (430 bps lost, max 100): loss_above_max');
SELECT is((SELECT strategy_simulate_leverage(pg_temp.strat('leverage', lev_params.p || '{"max_loss_bps": 500}'), pg_temp.lev_state(10, 5), r,
		pg_temp.ret(28.5e18, 27.5e18, 0)) FROM lv, lev_params), '{}'::text[], 'with max_loss_bps 500 the same result passes');
SELECT is((SELECT strategy_simulate_leverage(pg_temp.strat('leverage', lev_params.p), pg_temp.lev_state(10, 10), r,
		pg_temp.ret(8.307e18, 7.975e18, 0.006e18)) FROM dv, lev_params), '{}'::text[], 'simulate delever: LTV 0.80 after, equity kept');
SELECT is((SELECT strategy_simulate_leverage(pg_temp.strat('leverage', lev_params.p), pg_temp.lev_state(10, 10), r,
		pg_temp.ret(2e18, 2e18, 0)) FROM dv, lev_params), '{ltv_outside_band,loss_above_max}'::text[],
	'simulate delever: LTV 0.833 and equity 0.4 of 2 after: both found');
SELECT is((SELECT strategy_simulate_leverage(pg_temp.strat('leverage', lev_params.p), pg_temp.lev_state(10, 9.6, '{"risk_level": "halt"}'), r,
		pg_temp.ret(0, 0, 2.39e18)) FROM uw, lev_params), '{}'::text[], 'simulate unwind: no debt left, 2.39 of 2.4 kept');
SELECT is((SELECT strategy_simulate_leverage(pg_temp.strat('leverage', lev_params.p), pg_temp.lev_state(10, 9.6, '{"risk_level": "halt"}'), r,
		pg_temp.ret(0, 1, 2.39e18)) FROM uw, lev_params), '{debt_left_after_unwind}'::text[], 'simulate unwind: 1 wei of debt left');
SELECT is((SELECT strategy_simulate_leverage(pg_temp.strat('leverage', lev_params.p), pg_temp.lev_state(10, 9.6, '{"risk_level": "halt"}'), r,
		pg_temp.ret(0, 0, 2.3e18)) FROM uw, lev_params), '{}'::text[], 'simulate unwind: 2.3 of 2.4 kept (417 bps lost) is under max_unwind_loss_bps (1000)');
SELECT is((SELECT strategy_simulate_leverage(pg_temp.strat('leverage', lev_params.p || '{"max_unwind_loss_bps": 400}'), pg_temp.lev_state(10, 9.6, '{"risk_level": "halt"}'), r,
		pg_temp.ret(0, 0, 2.3e18)) FROM uw, lev_params), '{loss_above_max}'::text[], 'simulate unwind: 417 bps lost is above a max_unwind_loss_bps of 400');
SELECT is((SELECT strategy_simulate_leverage(pg_temp.strat('leverage', lev_params.p || '{"max_unwind_loss_bps": 420}'), pg_temp.lev_state(10, 9.6, '{"risk_level": "halt"}'), r,
		pg_temp.ret(0, 0, 2.3e18)) FROM uw, lev_params), '{}'::text[], 'simulate unwind: and under one of 420');
-- With 1 idle collateral the gather's valuation is 2.4 + 1.2: the unwind leaves it, and it counts after.
SELECT is((SELECT strategy_simulate_leverage(pg_temp.strat('leverage', lev_params.p), pg_temp.lev_state(10, 9.6,
		'{"risk_level": "halt", "idle_collateral": "1000000000000000000", "valuation": {"value": 3.6}}'), r, pg_temp.ret(0, 0, 2.39e18)) FROM uw, lev_params),
	'{}'::text[], 'simulate unwind: the idle collateral it leaves counts in the equity after');
SELECT is((SELECT strategy_simulate_leverage(pg_temp.strat('leverage', lev_params.p), pg_temp.lev_state(10, 9.6,
		'{"risk_level": "halt", "idle_collateral": "1000000000000000000", "valuation": {"value": 3.6}}'), r, pg_temp.ret(0, 0, 2.3e18)) FROM uw, lev_params),
	'{}'::text[], 'simulate unwind with idle collateral: 3.5 of 3.6 kept (278 bps) is under max_unwind_loss_bps');
SELECT is((SELECT strategy_simulate_leverage(pg_temp.strat('leverage', lev_params.p), pg_temp.lev_state(10, 5), r,
		'[{"step": "lever", "ok": true, "return": "0x"}]') FROM lv, lev_params), '{no_result}'::text[], 'simulate: an empty answer is no_result');
SELECT is((SELECT strategy_simulate_leverage(pg_temp.strat('leverage', lev_params.p), pg_temp.lev_state(10, 5), r,
		'[{"step": "lever", "ok": false, "error": "execution reverted"}]') FROM lv, lev_params), '{}'::text[],
	'simulate: a revert is the engine''s to report (simulation_reverted), not the kind''s');
SELECT is((SELECT strategy_simulate_leverage(pg_temp.strat('leverage', aave_params.p), pg_temp.lev_state(10, 0, '{"emode": 0}'), r,
		'[{"step": "set_emode", "ok": true, "return": "0x"}]') FROM aave_params, pg_temp.aave(pg_temp.lev_state(10, 0, '{"emode": 0}')) r),
	'{}'::text[], 'simulate: set_emode is not checked');

-- ---- lend: validate ----

CREATE TEMP TABLE lend_in AS SELECT jsonb_build_object('account', pg_temp.t('account'), 'asset', pg_temp.t('loan'), 'decimals', 18,
	'candidates', jsonb_build_array(
		jsonb_build_object('protocol', 'morpho_blue', 'morpho', pg_temp.t('morpho'), 'collateral_token', pg_temp.t('coll'),
			'oracle', pg_temp.t('oracle'), 'irm', pg_temp.t('irm'), 'lltv', 945000000000000000),
		jsonb_build_object('protocol', 'aave_v3', 'pool', pg_temp.t('aave_pool'))),
	'horizon', '365.25 days', 'gas_cost', 0.5, 'min_advantage', 1) AS p;
CREATE TEMP TABLE lend_params AS SELECT strategy_validate_lend(p, 990075) AS p FROM lend_in;
CREATE TEMP TABLE mk AS SELECT
	morpho_market_id(pg_temp.a('loan'), pg_temp.a('coll'), pg_temp.a('oracle'), pg_temp.a('irm'), '945000000000000000')::text AS morpho,
	aave_market_id(pg_temp.a('aave_pool'), pg_temp.a('loan'))::text AS aave;
SELECT is((SELECT jsonb_build_array(p -> 'candidates' -> 0 ->> 'market', p -> 'candidates' -> 1 ->> 'market') FROM lend_params),
	(SELECT jsonb_build_array(morpho, aave) FROM mk), 'lend validate: each candidate''s market id (Morpho''s, aave_market_id of the asset)');
SELECT is((SELECT p -> 'candidates' -> 0 -> 'lltv' FROM lend_params), '"945000000000000000"'::jsonb, 'lend validate: the LLTV as a string');
SELECT is((SELECT jsonb_build_array(p -> 'min_trade', p -> 'deadline_seconds', p -> 'horizon', p -> 'switch_threshold', p -> 'gas_cost',
			p -> 'min_advantage') FROM lend_params),
	'[0.01, 3600, "365.25 days", 0.002, 0.5, 1]'::jsonb, 'lend validate: defaults filled (switch_threshold 0.002), the others kept');
SELECT throws_ok($$SELECT strategy_validate_lend((SELECT p || '{"switch_threshold": 1.5}' FROM lend_in), 990075)$$, '22023',
	'invalid lend parameter "switch_threshold": 1.5 is outside [0, 1]', 'lend validate: switch_threshold within [0, 1]');
SELECT throws_ok($$SELECT strategy_validate_lend((SELECT p || '{"switch_threshold": -0.001}' FROM lend_in), 990075)$$, '22023',
	'invalid lend parameter "switch_threshold": -0.001 is outside [0, 1]', 'lend validate: not negative');
SELECT is((SELECT strategy_validate_lend(p, 990075) FROM lend_params), (SELECT p FROM lend_params),
	'lend validate is idempotent on its own output (strategy_update validates the merged parameters)');
SELECT throws_ok($$SELECT strategy_validate_lend((SELECT p || jsonb_build_object('candidates', jsonb_build_array(
		(p -> 'candidates' -> 1) || jsonb_build_object('market', p -> 'candidates' -> 0 -> 'market'))) FROM lend_params), 990075)$$, '22023',
	format('invalid lend parameter "candidates[1].market": is not the id of the market''s parameters (%s)', (SELECT aave FROM mk)),
	'lend validate: a candidate''s market id that is not its parameters''');
SELECT throws_ok($$SELECT strategy_validate_lend((SELECT p - 'account' FROM lend_in), 990075)$$, '22023',
	'invalid lend parameter "account": account (the owner''s AmpLeverageAccount) and asset are required', 'lend validate: the account is required');
SELECT throws_ok($$SELECT strategy_validate_lend((SELECT p || '{"candidates": []}' FROM lend_in), 990075)$$, '22023',
	'invalid lend parameter "candidates": a non-empty array of markets', 'lend validate: candidates are required');
SELECT throws_ok($$SELECT strategy_validate_lend((SELECT p || '{"candidates": [{"protocol": "compound"}]}' FROM lend_in), 990075)$$, '22023',
	'invalid lend parameter "candidates[1].protocol": "morpho_blue" or "aave_v3"', 'lend validate: an unknown protocol, with its position');
SELECT throws_ok($$SELECT strategy_validate_lend((SELECT p || '{"candidates": ["aave_v3"]}' FROM lend_in), 990075)$$, '22023',
	'invalid lend parameter "candidates[1].protocol": "morpho_blue" or "aave_v3"', 'lend validate: a candidate is an object');
SELECT throws_ok($$SELECT strategy_validate_lend((SELECT p || jsonb_build_object('candidates', jsonb_build_array(p -> 'candidates' -> 1,
		(p -> 'candidates' -> 0) - 'irm')) FROM lend_in), 990075)$$, '22023',
	'invalid lend parameter "candidates[2]": a Morpho market needs morpho, collateral_token, oracle, irm and lltv',
	'lend validate: a Morpho candidate names its market''s parameters');
SELECT throws_ok($$SELECT strategy_validate_lend((SELECT p || jsonb_build_object('candidates', jsonb_build_array(
		(p -> 'candidates' -> 1) - 'pool')) FROM lend_in), 990075)$$, '22023',
	'invalid lend parameter "candidates[1].pool": the Aave Pool''s address is required', 'lend validate: an Aave candidate names its Pool');
SELECT throws_ok($$SELECT strategy_validate_lend((SELECT p || jsonb_build_object('candidates', jsonb_build_array(
		(p -> 'candidates' -> 1) || '{"oracle": "0x00000000000000000000000000000000000000c2"}')) FROM lend_in), 990075)$$, '22023',
	'unknown lend candidate parameter "oracle"', 'lend validate: an Aave candidate takes no Morpho keys');
SELECT throws_ok($$SELECT strategy_validate_lend((SELECT p || jsonb_build_object('candidates', jsonb_build_array(p -> 'candidates' -> 1,
		jsonb_build_object('protocol', 'aave_v3', 'pool', lower(p -> 'candidates' -> 1 ->> 'pool')))) FROM lend_in), 990075)$$, '22023',
	'invalid lend parameter "candidates": each market at most once', 'lend validate: the same Aave reserve twice (however spelt)');
SELECT throws_ok($$SELECT strategy_validate_lend((SELECT p || jsonb_build_object('candidates', jsonb_build_array(p -> 'candidates' -> 0,
		(p -> 'candidates' -> 0) || '{"lltv": "945000000000000000"}')) FROM lend_in), 990075)$$, '22023',
	'invalid lend parameter "candidates": each market at most once', 'lend validate: the same Morpho market twice');
SELECT throws_ok($$SELECT strategy_validate_lend((SELECT p || '{"horizon": "1 minute"}' FROM lend_in), 990075)$$, '22023',
	'invalid lend parameter "horizon": 00:01:00 is outside [01:00:00, 3650 days]', 'lend validate: a horizon of at least an hour');
SELECT throws_ok($$SELECT strategy_validate_lend((SELECT p - 'decimals' FROM lend_in), 990075)$$, '58R01', NULL,
	'lend validate: decimals left out are read from the chain');

-- ---- lend: the policy ----
-- One candidate's state as gather writes it: its supply APY, the account's
-- supply, the market's liquidity and cap room (whole units; NULL: no cap),
-- its collateral's level, whether it is known at the block, its totals
-- (whole units) and, for Morpho, the IRM's rate at target and the fee.
CREATE FUNCTION pg_temp.cand(market text, protocol text, apy float8, supplied numeric, liquidity numeric, cap_room numeric,
	risk text, known boolean, total_supply numeric, total_borrow numeric, rate_at_target text, fee text)
RETURNS jsonb LANGUAGE sql IMMUTABLE AS $$
	SELECT jsonb_build_object('market', market, 'protocol', protocol, 'supply_apy', apy, 'borrow_apy', apy * 2,
		'utilization', total_borrow / total_supply, 'liquidity', (liquidity * 1e18)::text,
		'total_supply', (total_supply * 1e18)::text, 'total_borrow', (total_borrow * 1e18)::text,
		'rate_at_target', rate_at_target, 'fee', fee, 'cap_room', (cap_room * 1e18)::text, 'risk_level', risk,
		'supplied', (supplied * 1e18)::text, 'known', known) $$;
CREATE FUNCTION pg_temp.lend(idle numeric, m jsonb, a jsonb, params jsonb DEFAULT '{}', extra jsonb DEFAULT '{}') RETURNS jsonb
LANGUAGE sql STABLE AS $$
	SELECT amplified.strategy_policy_lend(pg_temp.strat('lend', p || params), jsonb_build_object('kind', 'lend', 'block_number', 10,
		'at', now() - interval '1 minute', 'decided_at', now(), 'idle', (idle * 1e18)::text, 'candidates', jsonb_build_array(m, a),
		'valuation', jsonb_build_object('numeraire', pg_temp.t('loan'), 'value', 100, 'holdings', '[]'::jsonb)) || extra)
	  FROM lend_params $$;
-- The Morpho market's supply APY at supply s and borrow b (raw) by its IRM
-- (rate at target rat, fee), the utilization computed here: wDivDown(b, s).
CREATE FUNCTION pg_temp.morpho_apy(s numeric, b numeric, rat amplified.int256, fee amplified.uint256) RETURNS float8
LANGUAGE sql IMMUTABLE AS $$
	SELECT amplified.morpho_rate_to_apy(amplified.morpho_supply_rate((amplified.morpho_borrow_rate(rat, u, 0)).avg_rate, u, fee))
	  FROM (SELECT div(b * 1e18, s)::amplified.uint256 AS u) x $$;
-- The rate at target (per second, WAD) of a borrow APY at target.
CREATE FUNCTION pg_temp.rat(apy numeric) RETURNS amplified.int256 LANGUAGE sql IMMUTABLE AS $$
	SELECT floor(ln(1 + apy) / 31536000 * 1e18)::amplified.int256 $$;
-- The Morpho candidate: by default 1000 supplied, 900 borrowed (90%, the
-- IRM's target), 4% at target, a 10% fee: its supply APY now by its IRM,
-- about 3.2%; liquidity what is not borrowed.  With borrow 0 it pays nothing.
CREATE FUNCTION pg_temp.mo(supplied numeric, liquidity numeric DEFAULT NULL, cap_room numeric DEFAULT NULL, risk text DEFAULT 'ok',
	known boolean DEFAULT true, total_supply numeric DEFAULT 1000, total_borrow numeric DEFAULT 900, at_target numeric DEFAULT 0.04)
RETURNS jsonb LANGUAGE sql STABLE AS $$
	SELECT pg_temp.cand(morpho, 'morpho_blue', pg_temp.morpho_apy(total_supply * 1e18, total_borrow * 1e18, pg_temp.rat(at_target), '100000000000000000'),
		supplied, coalesce(liquidity, total_supply - total_borrow), cap_room, risk, known, total_supply, total_borrow,
		pg_temp.rat(at_target)::text, '100000000000000000') FROM mk $$;
-- The Aave candidate at a supply APY; by default a reserve of 1e22 (half
-- borrowed): so deep that what is added here leaves its APY unchanged (the
-- factor (s / (s + 100)) ^ 2 is 1 in float8).
CREATE FUNCTION pg_temp.aa(apy float8, supplied numeric, liquidity numeric DEFAULT 1000, cap_room numeric DEFAULT NULL,
	risk text DEFAULT 'ok', known boolean DEFAULT true, total_supply numeric DEFAULT 1e22) RETURNS jsonb LANGUAGE sql STABLE AS $$
	SELECT pg_temp.cand(aave, 'aave_v3', apy, supplied, liquidity, cap_room, risk, known, total_supply, total_supply / 2, NULL, NULL) FROM mk $$;
CREATE TEMP TABLE morpho_params AS SELECT jsonb_build_array(pg_temp.t('loan'), pg_temp.t('coll'), pg_temp.t('oracle'),
	pg_temp.t('irm'), '945000000000000000') AS mp;
-- The Morpho candidate's APY now, and with 5 and 100 more supplied.
CREATE TEMP TABLE mapy AS SELECT pg_temp.morpho_apy(1000e18, 900e18, pg_temp.rat(0.04), '100000000000000000') AS now,
	pg_temp.morpho_apy(1005e18, 900e18, pg_temp.rat(0.04), '100000000000000000') AS plus5,
	pg_temp.morpho_apy(1100e18, 900e18, pg_temp.rat(0.04), '100000000000000000') AS plus100;
SELECT ok((SELECT now BETWEEN 0.031 AND 0.033 AND plus5 < now AND plus100 < plus5 FROM mapy),
	'(the Morpho candidate pays about 3.2%, less with more supplied)');

-- strategy_lend_apy_after: Morpho exactly by its IRM at the new utilization.
SELECT is(strategy_lend_apy_after(pg_temp.mo(0), 5e18), (SELECT plus5 FROM mapy),
	'apy_after (Morpho): 5 more supplied: the IRM''s supply APY at utilization 900 / 1005');
SELECT is(strategy_lend_apy_after(pg_temp.mo(0), 100e18), (SELECT plus100 FROM mapy), 'apy_after (Morpho): 100 more: at 900 / 1100');
SELECT is(strategy_lend_apy_after(pg_temp.mo(0), 0), (SELECT now FROM mapy), 'apy_after (Morpho): nothing added: its APY now');
SELECT is(strategy_lend_apy_after(pg_temp.mo(0), -50e18),
	pg_temp.morpho_apy(950e18, 900e18, pg_temp.rat(0.04), '100000000000000000'),
	'apy_after (Morpho): 50 withdrawn: above the target utilization, on the steep side of the curve');
SELECT ok(strategy_lend_apy_after(pg_temp.mo(0), -50e18) > (SELECT now FROM mapy) * 1.1, '(which pays more)');
SELECT is(strategy_lend_apy_after(pg_temp.mo(0), 5e18 + 0.7), (SELECT plus5 FROM mapy), 'apy_after (Morpho): raw amounts floored');
SELECT is(strategy_lend_apy_after(pg_temp.mo(0, total_supply => 1000, total_borrow => 0), 5e18), 0::float8,
	'apy_after (Morpho): no borrow, no supply APY');
-- Aave: the supply APY scaled by the square of the utilization's change.
SELECT is(strategy_lend_apy_after(pg_temp.aa(0.04, 0, total_supply => 900), 100e18), 0.04::float8 * 0.81::float8,
	'apy_after (Aave): 100 more on 900: x (900 / 1000) ^ 2');
SELECT is(strategy_lend_apy_after(pg_temp.aa(0.04, 0, total_supply => 1000), -200e18), 0.04::float8 * 1.5625::float8,
	'apy_after (Aave): 200 withdrawn from 1000: x (1000 / 800) ^ 2');
SELECT is(strategy_lend_apy_after(pg_temp.aa(0.04, 0), 100e18), 0.04::float8, 'apy_after (Aave): the deep reserve does not move');
-- No APY after a withdrawal of more than the market has, or can pay.
SELECT is(strategy_lend_apy_after(pg_temp.aa(0.04, 0, total_supply => 1000), -1000e18), NULL, 'apy_after: nothing left: NULL');
SELECT is(strategy_lend_apy_after(pg_temp.aa(0.04, 0, total_supply => 1000), -500e18 - 1), NULL,
	'apy_after: a supply below the borrow (Aave, half borrowed): NULL');
SELECT is(strategy_lend_apy_after(pg_temp.aa(0.04, 0, total_supply => 1000), -500e18), 0.16::float8,
	'apy_after: all of the liquidity (utilization 100%): x 4');
SELECT is(strategy_lend_apy_after(pg_temp.mo(0), -100e18 - 1), NULL, 'apy_after (Morpho): more than the liquidity: NULL');
SELECT is(strategy_lend_apy_after(pg_temp.mo(0) - 'total_supply', 5e18), NULL, 'apy_after: a market without totals (unknown): NULL');

-- Supply idle funds to the best market.
CREATE TEMP TABLE ls AS SELECT pg_temp.lend(5, pg_temp.mo(0), pg_temp.aa(0.04, 0)) AS r;
SELECT is((SELECT pg_temp.why(r) FROM ls), 'supply:idle_funds', 'idle funds: supply');
SELECT is((SELECT pg_temp.sel(r) FROM ls), selector('aaveSupply(address,uint256)'), 'to the best market, the Aave reserve (4% over 3.2%)');
SELECT is((SELECT pg_temp.args(r, '(address,uint256)') FROM ls), jsonb_build_array(pg_temp.t('loan'), '5000000000000000000'),
	'aaveSupply(asset, all the idle)');
SELECT is((SELECT r -> 'intents' -> 0 ->> 'target' FROM ls), pg_temp.t('account'), 'through the account');
SELECT is((SELECT jsonb_build_array(r -> 'plan' ->> 'market', r -> 'plan' ->> 'amount', r -> 'plan' -> 'apy', r -> 'plan' -> 'best_apy',
			r -> 'plan' -> 'best_apy_after') FROM ls),
	(SELECT jsonb_build_array(aave, '5000000000000000000', 0.04, 0.04, 0.04) FROM mk), 'supply plan: market, amount, APY now and after');
SELECT is((SELECT r -> 'proposal' FROM ls), jsonb_build_object('action', 'supply', 'reduces_risk', false, 'value', 100, 'turnover', 5,
	'slippage_bps', 0, 'chain_id', 990075, 'assets', jsonb_build_array(pg_temp.t('loan'))), 'supply proposal');
SELECT is((SELECT pg_temp.args(r, '(address,uint256)') ->> 1 FROM pg_temp.lend(5, pg_temp.mo(0), pg_temp.aa(0.04, 0, 1000, 2)) r),
	'2000000000000000000', 'the best market''s cap room bounds the supply');
CREATE TEMP TABLE ls2 AS SELECT pg_temp.lend(5, pg_temp.mo(0), pg_temp.aa(0.04, 0, 1000, 0)) AS r;
SELECT is((SELECT pg_temp.sel(r) FROM ls2), selector('morphoSupply((address,address,address,address,uint256),uint256)'),
	'a market at its cap is not eligible: the Morpho market, morphoSupply');
SELECT is((SELECT pg_temp.args(r, '((address,address,address,address,uint256),uint256)') FROM ls2, morpho_params),
	(SELECT jsonb_build_array(mp, '5000000000000000000') FROM morpho_params), 'morphoSupply(the market''s parameters, the idle)');
SELECT is((SELECT jsonb_build_array(r -> 'plan' -> 'apy', r -> 'plan' -> 'best_apy_after') FROM ls2),
	(SELECT jsonb_build_array(now, plus5) FROM mapy), 'its plan: the Morpho APY now, and after the 5 added (its IRM at 900 / 1005)');
SELECT is((SELECT r -> 'plan' ->> 'market' FROM pg_temp.lend(5, pg_temp.mo(0), pg_temp.aa(0.04, 0, 1000, NULL, 'reduce_only')) r),
	(SELECT morpho FROM mk), 'a market whose collateral is at reduce_only is not eligible');
SELECT is((SELECT r -> 'plan' ->> 'market' FROM pg_temp.lend(5, pg_temp.mo(0), pg_temp.aa(0.04, 0, 1000, NULL, 'warn')) r),
	(SELECT aave FROM mk), 'at warn it still is');
SELECT is((SELECT r -> 'plan' ->> 'market' FROM pg_temp.lend(5, pg_temp.mo(0), pg_temp.aa(0.04, 0, 1000, NULL, 'ok', false)) r),
	(SELECT morpho FROM mk), 'a market not known at the block is not eligible');
SELECT is((SELECT r -> 'plan' ->> 'market' FROM pg_temp.lend(5, pg_temp.mo(0), pg_temp.aa(NULL, 0)) r),
	(SELECT morpho FROM mk), 'nor one without a supply APY');
SELECT is((SELECT r -> 'plan' ->> 'market' FROM mapy, pg_temp.lend(5, pg_temp.mo(0), pg_temp.aa(plus5, 0)) r),
	(SELECT morpho FROM mk), 'equal APYs after the supply: the first candidate');
SELECT is((SELECT r -> 'plan' ->> 'market' FROM mapy, pg_temp.lend(5, pg_temp.mo(0), pg_temp.aa(plus5 + 1e-12, 0)) r),
	(SELECT aave FROM mk), 'a hair more: the other');
-- By the APY after the funds are added: a small Aave reserve paying 5%
-- now pays 5% x (100 / 200) ^ 2 = 1.25% with 100 more, less than Morpho's.
SELECT is((SELECT jsonb_build_array(r -> 'plan' ->> 'market', r -> 'plan' -> 'best_apy_after')
			 FROM pg_temp.lend(100, pg_temp.mo(0), pg_temp.aa(0.05, 0, total_supply => 100)) r),
	(SELECT jsonb_build_array(morpho, plus100) FROM mk, mapy),
	'the best market is the best after the supply: 5% on a small reserve is 1.25% with 100 added; Morpho pays more');
SELECT is((SELECT r -> 'plan' ->> 'market' FROM pg_temp.lend(5, pg_temp.mo(0), pg_temp.aa(0.05, 0, total_supply => 100)) r),
	(SELECT aave FROM mk), 'with 5 to place it pays 4.5%: the Aave reserve');
SELECT is(pg_temp.why(pg_temp.lend(5, pg_temp.mo(0, 1000, NULL, 'halt'), pg_temp.aa(0.04, 0, 1000, NULL, 'halt'))),
	'hold:no_eligible_market', 'no eligible market: hold');
SELECT is(pg_temp.why(pg_temp.lend(5, pg_temp.mo(0) - 'rate_at_target', pg_temp.aa(0.04, 0, 1000, 0))),
	'hold:no_eligible_market', 'a Morpho market whose APY after cannot be computed is not eligible');
SELECT is(pg_temp.why(pg_temp.lend(5, pg_temp.mo(0), pg_temp.aa(0.04, 0), extra => jsonb_build_object('at', now() - interval '1 hour'))),
	'hold:stale_chain_data', 'stale data: hold');
-- Nothing to do: the hold's reasons.
CREATE TEMP TABLE lh AS SELECT pg_temp.lend(0.0099, pg_temp.mo(0), pg_temp.aa(0.04, 0)) AS r;
SELECT is((SELECT pg_temp.why(r) FROM lh), 'hold:nothing_to_place', 'idle below min_trade and nothing supplied: nothing_to_place');
SELECT is((SELECT r -> 'plan' FROM lh), (SELECT jsonb_build_object('best', aave, 'best_apy', 0.04, 'current', NULL) FROM mk),
	'its plan: the best market, no current one');
SELECT is(pg_temp.why(pg_temp.lend(0, pg_temp.mo(0), pg_temp.aa(0.04, 0))), 'hold:nothing_to_place', 'nothing at all: nothing_to_place');
CREATE TEMP TABLE lh2 AS SELECT pg_temp.lend(0, pg_temp.mo(100), pg_temp.aa(0.02, 0)) AS r;
SELECT is((SELECT pg_temp.why(r) FROM lh2), 'hold:supplied_best', 'supplied in the best market: supplied_best');
SELECT is((SELECT r -> 'plan' FROM lh2), (SELECT jsonb_build_object('best', morpho, 'best_apy', now, 'current', morpho) FROM mk, mapy),
	'its plan: best and current the same');
SELECT is(pg_temp.why(pg_temp.lend(0.0099, pg_temp.mo(100), pg_temp.aa(0.02, 0))), 'hold:supplied_best',
	'and idle below min_trade: still supplied_best');

-- Withdraw from a market whose collateral is at reduce_only or halt.
CREATE TEMP TABLE lw AS SELECT pg_temp.lend(0, pg_temp.mo(100, 1000, NULL, 'reduce_only'), pg_temp.aa(0.04, 0)) AS r;
SELECT is((SELECT pg_temp.why(r) FROM lw), 'withdraw:risk_reduce_only', 'reduce_only on the market''s collateral: withdraw');
SELECT is((SELECT pg_temp.sel(r) FROM lw), selector('morphoWithdraw((address,address,address,address,uint256),uint256)'), 'morphoWithdraw');
SELECT is((SELECT pg_temp.args(r, '((address,address,address,address,uint256),uint256)') FROM lw),
	(SELECT jsonb_build_array(mp, pg_temp.max()) FROM morpho_params), 'all of it (the market can pay it all): the maximum');
SELECT is((SELECT jsonb_build_array(r -> 'plan' ->> 'amount', r -> 'proposal' -> 'reduces_risk', r -> 'proposal' -> 'turnover') FROM lw),
	'["100000000000000000000", true, 100]'::jsonb, 'withdraw plan and proposal: 100, reduces risk');
SELECT is(pg_temp.why(pg_temp.lend(0, pg_temp.mo(100, 1000, NULL, 'halt'), pg_temp.aa(0.04, 0))), 'withdraw:risk_halt',
	'halt: withdraw');
SELECT is(pg_temp.why(pg_temp.lend(5, pg_temp.mo(100, 1000, NULL, 'halt'), pg_temp.aa(0.04, 0))), 'withdraw:risk_halt',
	'a withdrawal comes before a supply');
SELECT is(pg_temp.why(pg_temp.lend(0, pg_temp.mo(100, 1000, NULL, 'halt'), pg_temp.aa(0.04, 0, 1000, NULL, 'halt'))), 'withdraw:risk_halt',
	'with no other market to go to as well');
-- Liquidity-limited: what the market can pay now.
CREATE TEMP TABLE ll AS SELECT pg_temp.lend(0, pg_temp.mo(100, 40, NULL, 'halt'), pg_temp.aa(0.04, 0)) AS r;
SELECT is((SELECT pg_temp.args(r, '((address,address,address,address,uint256),uint256)') ->> 1 FROM ll), '40000000000000000000',
	'liquidity 40 of a supply of 100: withdraw 40');
SELECT is((SELECT r -> 'plan' ->> 'amount' FROM ll), '40000000000000000000', 'the plan says 40');
SELECT is(pg_temp.why(pg_temp.lend(0, pg_temp.mo(100, 0.005, NULL, 'halt'), pg_temp.aa(0.04, 0))), 'hold:move_not_worth',
	'nothing withdrawable worth min_trade: hold, elsewhere is better (move_not_worth)');
-- Better APY: a Morpho market without borrowers pays nothing; the deep Aave
-- reserve pays what it says after the move.  A move needs the APY advantage
-- above switch_threshold (0.002), and the gain over the horizon (1 year
-- here) on what can be withdrawn above twice the gas cost (0.5) plus
-- min_advantage (1).
CREATE FUNCTION pg_temp.idle_mo(supplied numeric, liquidity numeric DEFAULT NULL) RETURNS jsonb LANGUAGE sql STABLE AS $$
	SELECT pg_temp.mo(supplied, liquidity, total_borrow => 0) $$;
SELECT is((SELECT (pg_temp.idle_mo(100) ->> 'supply_apy')::float8), 0::float8, '(the Morpho market without borrowers pays 0)');
SELECT is(pg_temp.why(pg_temp.lend(0, pg_temp.idle_mo(100), pg_temp.aa(0.02, 0))), 'hold:move_not_worth',
	'a gain of exactly 2 (0.02 of 100 for a year) against 2 * 0.5 + 1: move_not_worth');
CREATE TEMP TABLE lb AS SELECT pg_temp.lend(0, pg_temp.idle_mo(100), pg_temp.aa(0.02, 0), '{"min_advantage": 0.999}') AS r;
SELECT is((SELECT pg_temp.why(r) FROM lb), 'withdraw:better_apy', 'against 2 * 0.5 + 0.999: withdraw for the better APY');
SELECT is((SELECT jsonb_build_array(r -> 'plan' -> 'gain_over_horizon', r -> 'plan' -> 'apy', r -> 'plan' -> 'best_apy',
			r -> 'plan' ->> 'best') FROM lb, mk),
	(SELECT jsonb_build_array(2.00, 0, 0.02, aave) FROM mk), 'the plan shows the gain, the APY left and the best');
SELECT is((SELECT pg_temp.args(r, '((address,address,address,address,uint256),uint256)') ->> 1 FROM lb), pg_temp.max(), 'all of it');
SELECT is(pg_temp.why(pg_temp.lend(0, pg_temp.idle_mo(100), pg_temp.aa(0.02, 0), '{"horizon": "182.625 days", "min_advantage": 0}')),
	'hold:move_not_worth', 'over half a year the gain is 1: not above 2 * 0.5');
SELECT is(pg_temp.why(pg_temp.lend(0, pg_temp.idle_mo(100, 60), pg_temp.aa(0.02, 0), '{"min_advantage": 0}')), 'withdraw:better_apy',
	'60 withdrawable: a gain of 1.2 beats 1');
SELECT is(pg_temp.why(pg_temp.lend(0, pg_temp.idle_mo(100, 50), pg_temp.aa(0.02, 0), '{"min_advantage": 0}')), 'hold:move_not_worth',
	'50 withdrawable: a gain of 1 does not');
-- switch_threshold: without gas or floor, the APY advantage alone decides.
SELECT is(pg_temp.why(pg_temp.lend(0, pg_temp.idle_mo(100), pg_temp.aa(0.002, 0), '{"min_advantage": 0, "gas_cost": 0}')),
	'hold:move_not_worth', 'switch_threshold: an advantage of exactly 0.002 does not move');
SELECT is(pg_temp.why(pg_temp.lend(0, pg_temp.idle_mo(100), pg_temp.aa(0.0020001, 0), '{"min_advantage": 0, "gas_cost": 0}')),
	'withdraw:better_apy', 'switch_threshold: 0.0020001 does');
SELECT is(pg_temp.why(pg_temp.lend(0, pg_temp.idle_mo(100), pg_temp.aa(0.0020001, 0), '{"min_advantage": 0, "gas_cost": 0, "switch_threshold": 0.003}')),
	'hold:move_not_worth', 'switch_threshold 0.003: it does not');
SELECT is(pg_temp.why(pg_temp.lend(0, pg_temp.idle_mo(100), pg_temp.aa(0.0000001, 0), '{"min_advantage": 0, "gas_cost": 0, "switch_threshold": 0}')),
	'withdraw:better_apy', 'switch_threshold 0: any advantage with a gain above the costs');
SELECT is(pg_temp.why(pg_temp.lend(0, pg_temp.idle_mo(100), pg_temp.aa(0.03, 0), '{"min_advantage": 0, "gas_cost": 1.5}')),
	'hold:move_not_worth', 'above the threshold but a gain of 3 against gas 2 x 1.5: move_not_worth');
SELECT is(pg_temp.why(pg_temp.lend(0, pg_temp.idle_mo(100), pg_temp.aa(0.03, 0), '{"min_advantage": 0, "gas_cost": 1.4999}')),
	'withdraw:better_apy', 'gas 2 x 1.4999: withdraw');
-- The advantage is the target's APY after the amount moved: 5% now on an
-- Aave reserve of 900, 4.05% with the 100 added: 0.0405 over 0.
SELECT is((SELECT (r -> 'plan' ->> 'gain_over_horizon')::numeric
			 FROM pg_temp.lend(0, pg_temp.idle_mo(100), pg_temp.aa(0.05, 0, total_supply => 900), '{"min_advantage": 0}') r),
	(0.05::float8 * 0.81::float8)::numeric * 100, 'the gain is on the APY after the move: 0.05 x 0.81 on 100 for a year');
SELECT is(pg_temp.why(pg_temp.lend(0, pg_temp.idle_mo(100), pg_temp.aa(0.0024, 0, total_supply => 900), '{"min_advantage": 0, "gas_cost": 0}')),
	'hold:move_not_worth', '0.0024 now is 0.00194 after: below the threshold, no move');
-- From Aave to the Morpho market: at its IRM's APY with the 30 withdrawable added.
CREATE TEMP TABLE la AS SELECT pg_temp.lend(0, pg_temp.mo(0), pg_temp.aa(0.01, 100, 30), '{"min_advantage": 0, "gas_cost": 0}') AS r;
SELECT is((SELECT pg_temp.why(r) FROM la), 'withdraw:better_apy', 'Morpho''s 3.2% over Aave''s 1%: withdraw from Aave');
SELECT is((SELECT pg_temp.sel(r) FROM la), selector('aaveWithdraw(address,uint256)'), 'from Aave: aaveWithdraw');
SELECT is((SELECT pg_temp.args(r, '(address,uint256)') FROM la), jsonb_build_array(pg_temp.t('loan'), '30000000000000000000'),
	'aaveWithdraw(asset, the liquidity)');
SELECT is((SELECT (r -> 'plan' ->> 'gain_over_horizon')::numeric FROM la),
	(pg_temp.morpho_apy(1030e18, 900e18, pg_temp.rat(0.04), '100000000000000000')::numeric - 0.01) * 30,
	'the gain: Morpho''s IRM at 900 / 1030 (the 30 moved), less 1%, on 30 for a year');
SELECT is((SELECT r -> 'plan' -> 'best_apy_after' FROM la), (SELECT to_jsonb(plus100) FROM mapy),
	'best_apy_after: the best market with the whole supply (100) added');
SELECT is(pg_temp.why(pg_temp.lend(0, pg_temp.mo(0), pg_temp.aa(0.03, 100))), 'hold:supplied_best',
	'in the best market (3% over Morpho''s 3.2% less the dilution of 100): hold');

-- ---- lend: simulate (supplied after, 0, idle after) ----
SELECT is((SELECT strategy_simulate_lend(pg_temp.strat('lend', p), '{"idle": "5000000000000000000"}', r, pg_temp.ret(5e18, 0, 0))
	FROM ls, lend_params), '{}'::text[], 'simulate supply: the idle went in');
SELECT is((SELECT strategy_simulate_lend(pg_temp.strat('lend', p), '{"idle": "5000000000000000000"}', r, pg_temp.ret(5e18, 0, 1))
	FROM ls, lend_params), '{supply_amount_differs}'::text[], 'simulate supply: 1 wei left: supply_amount_differs');
SELECT is((SELECT strategy_simulate_lend(pg_temp.strat('lend', p), '{"idle": "0"}', r, pg_temp.ret(0, 0, 100e18))
	FROM lw, lend_params), '{}'::text[], 'simulate withdraw: 100 back');
SELECT is((SELECT strategy_simulate_lend(pg_temp.strat('lend', p), '{"idle": "0"}', r, pg_temp.ret(0, 0, 100.1e18))
	FROM lw, lend_params), '{}'::text[], 'simulate withdraw: more (interest since) is fine');
SELECT is((SELECT strategy_simulate_lend(pg_temp.strat('lend', p), '{"idle": "0"}', r, pg_temp.ret(0, 0, 100e18 - 1))
	FROM lw, lend_params), '{withdraw_amount_short}'::text[], 'simulate withdraw: 1 wei short');
SELECT is((SELECT strategy_simulate_lend(pg_temp.strat('lend', p), '{"idle": "0"}', r, '[{"step": "withdraw", "ok": true, "return": "0x00"}]')
	FROM lw, lend_params), '{no_result}'::text[], 'simulate: a short answer is no_result');

-- ---- the risk gate: leverage ----
-- A depeg breaker on the collateral, put in each level by hand (evaluated
-- now: the gate does not evaluate it again in this transaction).
INSERT INTO circuit_breakers (name, kind, chain_id, asset, pool, warn_at, reduce_only_at, halt_at)
	VALUES ('coll-depeg', 'depeg', 990075, pg_temp.a('coll'), pg_temp.a('swap_pool'), 100, 300, 500);
INSERT INTO circuit_breaker_state (breaker_id, level, since, evaluated_at)
	SELECT id, 'ok', now(), now() FROM circuit_breakers WHERE name = 'coll-depeg';
CREATE FUNCTION pg_temp.level(l text) RETURNS void LANGUAGE sql AS $$
	UPDATE amplified.circuit_breaker_state SET level = l::amplified.risk_level
	 WHERE breaker_id = (SELECT id FROM amplified.circuit_breakers WHERE name = 'coll-depeg') $$;
-- The gate's preview on a proposal of strategy 75001 touching both tokens.
CREATE FUNCTION pg_temp.gate(proposal jsonb) RETURNS text LANGUAGE sql AS $$
	SELECT (allowed, level, reasons)::text FROM amplified.risk_gate(75001, jsonb_build_object('chain_id', 990075, 'value', 7,
		'turnover', 1, 'slippage_bps', 30, 'assets', jsonb_build_array(pg_temp.t('coll'), pg_temp.t('loan'))) || proposal) $$;
CREATE FUNCTION pg_temp.px(action text, reduces boolean, ltv numeric) RETURNS jsonb LANGUAGE sql STABLE AS $$
	SELECT jsonb_build_object('action', action, 'reduces_risk', reduces,
		'exposures', jsonb_build_array(jsonb_strip_nulls(jsonb_build_object('asset', pg_temp.t('coll'), 'ltv', ltv)))) $$;

SELECT is(pg_temp.gate(pg_temp.px('lever', false, 0.8)), '(t,ok,{})', 'breaker ok: a lever is allowed');
-- risk_gate_eval judges the breakers as of its "at" (the engine passes
-- its decision's chain time): a breaker not evaluated at that time is
-- evaluated then, here without data (warn); at that time again it is not.
CREATE FUNCTION pg_temp.gate_at(proposal jsonb, at timestamptz) RETURNS text LANGUAGE sql AS $$
	SELECT (allowed, level, reasons)::text FROM amplified.risk_gate_eval(75001, 990075, ARRAY[pg_temp.a('coll'), pg_temp.a('loan')],
		amplified.risk_proposal_of(proposal), false, NULL, at) $$;
SELECT is(pg_temp.gate_at(pg_temp.px('lever', false, 0.8), NULL), '(t,ok,{})', 'risk_gate_eval at NULL: now, the level set');
SELECT is(pg_temp.gate_at(pg_temp.px('lever', false, 0.8), now() - interval '1 hour'), '(t,ok,{})',
	'at an hour ago: as of now (never back in time), evaluated already: the level set');
SELECT is(pg_temp.gate_at(pg_temp.px('lever', false, 0.8), now() + interval '1 hour'),
	'(f,warn,"{breaker:warn:coll-depeg,depeg:warn:no_leverage_increase}")',
	'at an hour ahead (a chain whose clock runs ahead): evaluated as of then, without data: warn');
SELECT is((SELECT ARRAY[level::text, evaluated_at::text] FROM circuit_breaker_state
			WHERE breaker_id = (SELECT id FROM circuit_breakers WHERE name = 'coll-depeg')),
	ARRAY['warn', (now() + interval '1 hour')::text], 'its state: evaluated as of that time');
SELECT pg_temp.level('ok');
SELECT is(pg_temp.gate_at(pg_temp.px('lever', false, 0.8), now() + interval '1 hour'), '(t,ok,{})',
	'at the same time again: the state is not evaluated again');
UPDATE circuit_breaker_state SET evaluated_at = now() WHERE breaker_id = (SELECT id FROM circuit_breakers WHERE name = 'coll-depeg');
SELECT pg_temp.level('warn');
SELECT is(risk_asset_level(990075, pg_temp.a('coll')), 'warn', 'the collateral is at warn');
SELECT is(pg_temp.gate(pg_temp.px('lever', false, 0.8)), '(f,warn,"{breaker:warn:coll-depeg,depeg:warn:no_leverage_increase}")',
	'warn: a leverage increase is blocked');
SELECT is(pg_temp.gate(pg_temp.px('delever', true, 0.8)), '(t,warn,{breaker:warn:coll-depeg})', 'warn: a delever (reduces risk) passes');
SELECT is(pg_temp.gate(pg_temp.px('rebalance', false, 0)), '(t,warn,{breaker:warn:coll-depeg})', 'warn: an exposure at LTV 0 is no leverage');
SELECT is(pg_temp.gate('{"action": "supply", "reduces_risk": false}'), '(t,warn,{breaker:warn:coll-depeg})',
	'warn: a proposal without exposures (a lend supply) passes');
SELECT is((SELECT array_agg((f).reason || ':' || (f).level || ':' || (f).blocks)
			 FROM unnest(risk_check_leverage(75001, 990075, ARRAY[pg_temp.a('coll')], risk_proposal_of(pg_temp.px('lever', false, 0.8)))) f),
	ARRAY['depeg:warn:no_leverage_increase:warn:true'], 'risk_check_leverage: the finding blocks, at the breaker''s level');
SELECT is(cardinality(risk_check_leverage(75001, 990075, ARRAY[pg_temp.a('loan')], risk_proposal_of(pg_temp.px('lever', false, 0.8)))), 0,
	'risk_check_leverage reads the levels of the assets it is given');
SELECT pg_temp.level('reduce_only');
SELECT is(pg_temp.gate(pg_temp.px('lever', false, 0.8)),
	'(f,reduce_only,"{breaker:reduce_only:coll-depeg,depeg:reduce_only:no_leverage_increase}")', 'reduce_only: a lever is blocked');
SELECT is(pg_temp.gate(pg_temp.px('delever', true, 0.8)), '(t,reduce_only,{breaker:reduce_only:coll-depeg})',
	'reduce_only: a delever passes');
SELECT pg_temp.level('halt');
SELECT is(pg_temp.gate(pg_temp.px('unwind', true, NULL)), '(t,halt,{breaker:halt:coll-depeg})', 'halt: the forced unwind passes');
SELECT is(pg_temp.gate(pg_temp.px('unwind', false, NULL)), '(f,halt,{breaker:halt:coll-depeg})', 'halt: an unwind that does not say it reduces risk does not');
SELECT is(pg_temp.gate(pg_temp.px('delever', true, 0.8)), '(f,halt,{breaker:halt:coll-depeg})', 'halt: nor a delever');
SELECT is(pg_temp.gate(pg_temp.px('withdraw', true, NULL)), '(f,halt,{breaker:halt:coll-depeg})', 'halt: nor a lend withdrawal');
SELECT is(pg_temp.gate('{"action": "hold"}'), '(t,halt,{breaker:halt:coll-depeg})', 'halt: hold');
-- The forced unwind is not held back by the day's turnover (it is counted).
SELECT lives_ok($$SELECT risk_set_limits(75001, max_daily_turnover => 0.5)$$, 'a daily turnover limit under the unwind''s turnover (1)');
SELECT is(pg_temp.gate(pg_temp.px('unwind', true, NULL)), '(t,halt,{breaker:halt:coll-depeg})', 'halt: the forced unwind passes the turnover limit');
SELECT is(pg_temp.gate(pg_temp.px('delever', true, 0.8)), '(f,halt,"{breaker:halt:coll-depeg,limit:max_daily_turnover}")',
	'a delever does not');
SELECT lives_ok($$SELECT risk_set_limits(75001)$$, 'limits cleared');
-- Only a depeg breaker's halt lets the forced unwind through: a price move's does not.
INSERT INTO circuit_breakers (name, kind, chain_id, asset, pool, move_window, halt_at)
	VALUES ('loan-move', 'price_move', 990075, pg_temp.a('loan'), pg_temp.a('swap_pool'), '1 hour', 1000);
INSERT INTO circuit_breaker_state (breaker_id, level, since, evaluated_at)
	SELECT id, 'halt', now(), now() FROM circuit_breakers WHERE name = 'loan-move';
SELECT is(pg_temp.gate(pg_temp.px('unwind', true, NULL)), '(f,halt,"{breaker:halt:coll-depeg,breaker:halt:loan-move}")',
	'a price_move halt blocks even the forced unwind');
DELETE FROM circuit_breakers WHERE name = 'loan-move';
SELECT lives_ok($$SELECT risk_halt('test')$$, 'the kill switch');
SELECT is(pg_temp.gate(pg_temp.px('unwind', true, NULL)), '(f,halt,"{kill_switch,breaker:halt:coll-depeg}")',
	'the kill switch stops even the forced unwind');
SELECT lives_ok($$SELECT risk_resume()$$, 'resumed');
SELECT pg_temp.level('ok');

-- max_leverage: 1 / (1 - LTV) of each exposure.
SELECT is((risk_set_limits(75001, max_leverage => 5)).max_leverage, 5::numeric, 'risk_set_limits takes max_leverage');
SELECT is(risk_limit(75001, 'max_leverage'), 5::numeric, 'risk_limit reads it');
SELECT is(risk_limit(75002, 'max_leverage'), NULL, 'another strategy has none');
SELECT lives_ok($$SELECT risk_set_limits(NULL, max_leverage => 3)$$, 'a default maximum leverage');
SELECT is(risk_limit(75002, 'max_leverage'), 3::numeric, 'which the others inherit');
SELECT is(pg_temp.gate(pg_temp.px('lever', false, 0.8)), '(t,ok,{})', 'LTV 0.8 is 5x: at the maximum, allowed');
SELECT is(pg_temp.gate(pg_temp.px('lever', false, 0.81)), '(f,ok,{limit:max_leverage})', 'LTV 0.81 is 5.26x: blocked');
SELECT is(pg_temp.gate(pg_temp.px('lever', false, 1)), '(f,ok,{limit:max_leverage})', 'LTV 1: no equity, blocked');
SELECT is(pg_temp.gate(pg_temp.px('delever', true, 0.85)), '(t,ok,{})', 'a delever that leaves 6.7x still reduces risk: allowed');
SELECT is(pg_temp.gate(pg_temp.px('lever', false, 0.81) || '{"exposures": [{"asset": "0x00000000000000000000000000000000000000a1", "ltv": 0.81, "health_factor": 1.1}]}'),
	'(f,ok,{limit:max_leverage})', 'with a health factor and no minimum set, only max_leverage');
SELECT throws_ok($$SELECT risk_set_limits(75001, max_leverage => 0.5)$$, '23514', NULL, 'a maximum leverage below 1 is refused');
SELECT lives_ok($$SELECT risk_set_limits(75001); SELECT risk_set_limits(NULL)$$, 'limits lifted');

-- ---- read models: Morpho Blue on synthetic events ----
-- Blocks 1-4, ten minutes apart, the last twenty minutes ago.
INSERT INTO blocks (chain_id, number, hash, parent_hash, timestamp)
	SELECT 990075, n, ('0x' || lpad(to_hex(n + 1000), 64, '0'))::bytes32, ('0x' || lpad(to_hex(n + 999), 64, '0'))::bytes32,
		   now() - interval '1 hour' + n * interval '10 minutes' FROM generate_series(1, 4) n;
CREATE FUNCTION pg_temp.ts(n bigint) RETURNS bigint LANGUAGE sql STABLE AS $$
	SELECT extract(epoch FROM timestamp)::bigint FROM amplified.blocks WHERE chain_id = 990075 AND number = n $$;
CREATE TEMP TABLE m AS SELECT (SELECT p ->> 'market' FROM lev_params)::bytes32 AS id;
-- b1: the market is created, the fee recipient and a 10% fee set.
INSERT INTO morpho_markets SELECT 990075, 1, 0, pg_temp.a('morpho'), id, pg_temp.a('loan'), pg_temp.a('coll'), pg_temp.a('oracle'),
	pg_temp.a('irm'), '945000000000000000' FROM m;
INSERT INTO morpho_fee_recipients VALUES (990075, 1, 1, pg_temp.a('morpho'), pg_temp.a('fee_to'));
INSERT INTO morpho_fee_sets SELECT 990075, 1, 2, pg_temp.a('morpho'), id, '100000000000000000' FROM m;
-- b2: a lender supplies 100, the account posts 50 collateral and borrows
-- 40, borrower B posts 10 and borrows 5; the IRM's rate at target.
INSERT INTO morpho_supplies SELECT 990075, 2, 0, pg_temp.a('morpho'), id, pg_temp.a('lender'), pg_temp.a('lender'),
	'100000000000000000000', '100000000000000000000000000' FROM m;
INSERT INTO morpho_collateral_supplies SELECT 990075, 2, 1, pg_temp.a('morpho'), id, pg_temp.a('account'), pg_temp.a('account'),
	'50000000000000000000' FROM m;
INSERT INTO morpho_borrows SELECT 990075, 2, 2, pg_temp.a('morpho'), id, pg_temp.a('account'), pg_temp.a('account'), pg_temp.a('account'),
	'40000000000000000000', '40000000000000000000000000' FROM m;
INSERT INTO morpho_collateral_supplies SELECT 990075, 2, 3, pg_temp.a('morpho'), id, pg_temp.a('borrower'), pg_temp.a('borrower'),
	'10000000000000000000' FROM m;
INSERT INTO morpho_borrows SELECT 990075, 2, 4, pg_temp.a('morpho'), id, pg_temp.a('borrower'), pg_temp.a('borrower'), pg_temp.a('borrower'),
	'5000000000000000000', '5000000000000000000000000' FROM m;
INSERT INTO morpho_irm_updates SELECT 990075, 2, 5, pg_temp.a('irm'), id, '1000000000', '1000000000' FROM m;
-- b3: an accrual of 0.09 interest with 0.009e24 fee shares; a new rate at target.
INSERT INTO morpho_accruals SELECT 990075, 3, 0, pg_temp.a('morpho'), id, '900000000', '90000000000000000', '9000000000000000000000' FROM m;
INSERT INTO morpho_irm_updates SELECT 990075, 3, 1, pg_temp.a('irm'), id, '1100000000', '1100000000' FROM m;
-- (another IRM's update for the same id is not this market's)
INSERT INTO morpho_irm_updates SELECT 990075, 3, 2, pg_temp.a('oracle'), id, '7', '7' FROM m;
-- b4: B liquidated: 3 repaid (3e24 shares), 9 collateral seized, the rest
-- (2.01, 2e24 shares) bad debt taken from the suppliers.
INSERT INTO morpho_liquidations SELECT 990075, 4, 0, pg_temp.a('morpho'), id, pg_temp.a('lender'), pg_temp.a('borrower'),
	'3000000000000000000', '3000000000000000000000000', '9000000000000000000', '2010000000000000000', '2000000000000000000000000' FROM m;
-- The oracle's price() at b2 (1.2e36), decoded from a state read of a
-- contract watched as a Morpho oracle; the same read of another address is not.
SELECT lives_ok($$SELECT watch_contract(990075, pg_temp.a('oracle'), 'morpho oracle', 'morpho_oracle')$$, 'watch the Morpho oracle');
INSERT INTO state_reads (chain_id, block_number, address, read, result) VALUES
	(990075, 2, pg_temp.a('oracle'), 'price()', abi_encode('(uint256)', '["1200000000000000000000000000000000000"]')),
	(990075, 2, pg_temp.a('irm'), 'price()', abi_encode('(uint256)', '["5"]'));
SELECT is(morpho_decode_reads(990075, 1, 4), 1::bigint, 'morpho_decode_reads: the watched oracle''s read');
SELECT is(morpho_decode_reads(990075, 1, 4), 0::bigint, 'idempotent');
SELECT is((SELECT array_agg(oracle::text || '@' || block_number || '=' || price::text) FROM morpho_oracle_prices),
	ARRAY[pg_temp.t('oracle') || '@2=1200000000000000000000000000000000000'], 'morpho_oracle_prices');

SELECT is((SELECT to_jsonb(x) FROM morpho_market_state_at(990075, (SELECT id FROM m), 4) x),
	jsonb_build_object('morpho', pg_temp.t('morpho'), 'loan_token', pg_temp.t('loan'), 'collateral_token', pg_temp.t('coll'),
		'oracle', pg_temp.t('oracle'), 'irm', pg_temp.t('irm'), 'lltv', '945000000000000000', 'fee', '100000000000000000',
		'total_supply_assets', '98080000000000000000', 'total_supply_shares', '100009000000000000000000000',
		'total_borrow_assets', '40080000000000000000', 'total_borrow_shares', '40000000000000000000000000',
		'last_update', pg_temp.ts(3), 'rate_at_target', '1100000000',
		'price', '1200000000000000000000000000000000000', 'price_block', 2),
	'morpho_market_state_at b4: supply 100 + 0.09 - 2.01 bad debt, borrow 45 + 0.09 - 3 - 2.01, fee shares minted, accrued at b3');
SELECT is((SELECT to_jsonb(x) FROM morpho_market_state_at(990075, (SELECT id FROM m), 2) x) - 'price' - 'price_block' - 'morpho'
		- 'loan_token' - 'collateral_token' - 'oracle' - 'irm' - 'lltv',
	jsonb_build_object('fee', '100000000000000000', 'total_supply_assets', '100000000000000000000',
		'total_supply_shares', '100000000000000000000000000', 'total_borrow_assets', '45000000000000000000',
		'total_borrow_shares', '45000000000000000000000000', 'last_update', pg_temp.ts(1), 'rate_at_target', '1000000000'),
	'morpho_market_state_at b2: before the accrual, lastUpdate the creation''s');
SELECT is((SELECT count(*)::int FROM morpho_market_state_at(990075, (SELECT id FROM m), 0)), 0, 'no market before its creation');
SELECT is((SELECT array_agg(to_jsonb(x) ORDER BY o) FROM unnest(ARRAY['account', 'borrower', 'lender', 'fee_to']) WITH ORDINALITY a(n, o),
			morpho_position_state_at(990075, (SELECT id FROM m), pg_temp.a(n), 4) x),
	ARRAY['{"collateral": "50000000000000000000", "borrow_shares": "40000000000000000000000000", "supply_shares": "0"}',
		  '{"collateral": "1000000000000000000", "borrow_shares": "0", "supply_shares": "0"}',
		  '{"collateral": "0", "borrow_shares": "0", "supply_shares": "100000000000000000000000000"}',
		  '{"collateral": "0", "borrow_shares": "0", "supply_shares": "9000000000000000000000"}']::jsonb[],
	'morpho_position_state_at: the account, B after liquidation (1 left, no debt), the lender, the fee recipient with the fee shares');
SELECT is((SELECT to_jsonb(l) - 'created_block' FROM lend_markets l WHERE l.chain_id = 990075 AND l.protocol = 'morpho_blue'),
	jsonb_build_object('chain_id', 990075, 'protocol', 'morpho_blue', 'market', (SELECT id::text FROM m), 'pool', pg_temp.t('morpho'),
		'loan_token', pg_temp.t('loan'), 'collateral_token', pg_temp.t('coll'), 'oracle', pg_temp.t('oracle'), 'irm', pg_temp.t('irm'),
		'lltv', 0.945), 'lend_markets: the Morpho market');

-- lend_market_at / lend_position_at at b4: the b4 totals accrued over the
-- 600 s since the accrual at b3 with the AdaptiveCurveIrm, by hand.
CREATE TEMP TABLE acc AS
	SELECT br.avg_rate, br.end_rate_at_target, a.* FROM
		morpho_borrow_rate('1100000000', morpho_utilization('98080000000000000000', '40080000000000000000'), pg_temp.ts(4) - pg_temp.ts(3)) br,
		LATERAL morpho_accrue('98080000000000000000', '100009000000000000000000000', '40080000000000000000', '40000000000000000000000000',
			'100000000000000000', br.avg_rate, pg_temp.ts(4) - pg_temp.ts(3)) a;
SELECT ok((SELECT interest > 0 FROM acc), '(600 s of interest accrue)');
CREATE TEMP TABLE lm AS SELECT (lend_market_at(990075, (SELECT id FROM m), 4)).*;
SELECT is((SELECT jsonb_build_array(protocol, pool::text, loan_token::text, collateral_token::text, block_number,
			total_supply_assets::text, total_borrow_assets::text, liquidity::text, lltv, max_ltv, price::text, supply_cap) FROM lm),
	(SELECT jsonb_build_array('morpho_blue', pg_temp.t('morpho'), pg_temp.t('loan'), pg_temp.t('coll'), 4, total_supply_assets::text,
		total_borrow_assets::text, (total_supply_assets::numeric - total_borrow_assets::numeric)::text, 0.945, 0.945,
		'1200000000000000000000000000000000000', NULL) FROM acc),
	'lend_market_at (Morpho): totals accrued to the block by morpho_accrue, liquidity, LLTV, oracle price');
SELECT is((SELECT ARRAY[utilization, borrow_apy, supply_apy] FROM lm),
	(SELECT ARRAY[morpho_utilization(total_supply_assets, total_borrow_assets)::numeric::float8 / 1e18,
		morpho_rate_to_apy((morpho_borrow_rate(end_rate_at_target, morpho_utilization(total_supply_assets, total_borrow_assets), 0)).avg_rate),
		morpho_rate_to_apy(morpho_supply_rate((morpho_borrow_rate(end_rate_at_target, morpho_utilization(total_supply_assets, total_borrow_assets), 0)).avg_rate,
			morpho_utilization(total_supply_assets, total_borrow_assets), '100000000000000000'))] FROM acc),
	'lend_market_at (Morpho): utilization, the IRM''s rate now as APY, the supply APY net of the fee');
SELECT is((SELECT to_jsonb(lend_position_at(990075, (SELECT id FROM m), pg_temp.a('account'), 4)) - 'ltv'),
	(SELECT jsonb_build_object('protocol', 'morpho_blue', 'market', (SELECT id::text FROM m), 'account', pg_temp.t('account'),
		'block_number', 4, 'supply_assets', '0', 'supply_shares', '0',
		'borrow_assets', morpho_to_assets('40000000000000000000000000', total_borrow_assets, total_borrow_shares, true)::text,
		'borrow_shares', '40000000000000000000000000', 'collateral', '50000000000000000000',
		'health_factor', morpho_health_factor('50000000000000000000', '40000000000000000000000000', total_borrow_assets,
			total_borrow_shares, '1200000000000000000000000000000000000', '945000000000000000'),
		'liquidation_price', morpho_liquidation_price('50000000000000000000', '40000000000000000000000000', total_borrow_assets,
			total_borrow_shares, '945000000000000000')::numeric) FROM acc),
	'lend_position_at (Morpho): the debt rounded up, health factor and liquidation price on the accrued totals');
SELECT ok((SELECT abs((lend_position_at(990075, (SELECT id FROM m), pg_temp.a('account'), 4)).ltv
		- morpho_to_assets('40000000000000000000000000', total_borrow_assets, total_borrow_shares, true)::numeric / 60e18) < 1e-12 FROM acc),
	'lend_position_at (Morpho): LTV = debt / (collateral x price)');
SELECT is((SELECT (lend_position_at(990075, (SELECT id FROM m), pg_temp.a('fee_to'), 4)).supply_assets FROM acc),
	(SELECT morpho_to_assets('9000000000000000000000', total_supply_assets, total_supply_shares, false) FROM acc),
	'lend_position_at (Morpho): the fee recipient''s supply, rounded down');
SELECT is((SELECT (lend_position_at(990075, (SELECT id FROM m), pg_temp.a('borrower'), 4)).health_factor), NULL,
	'no debt: no health factor');
SELECT is(lend_position_at(990075, (SELECT id FROM m), pg_temp.a('account'), 0), NULL, 'no position before the market');

-- lend_borrow_apy_avg (Morpho): the accrual at b3 says the borrow rate was
-- 9e8 per second since the creation at b1 (1200 s); since b3 the market's
-- rate at the block holds (lend_market_at, 600 s to b4).  Averaged by time
-- over the window, floored to a WAD rate, as an APY.
CREATE TEMP TABLE r4 AS SELECT (lend_market_at(990075, (SELECT id FROM m), 4)).borrow_rate::numeric AS r;
SELECT ok((SELECT r > 0 AND r <> 900000000 FROM r4), '(the rate at b4 is not the accrual''s)');
SELECT is(lend_borrow_apy_avg(990075, (SELECT id FROM m), 4, '30 minutes'),
	(SELECT morpho_rate_to_apy(floor((900000000::numeric * 1200 + r * 600) / 1800)::uint256) FROM r4),
	'lend_borrow_apy_avg (Morpho): b1-b3 at the accrual''s rate, b3-b4 at the rate at the block, weighted by time');
SELECT is(lend_borrow_apy_avg(990075, (SELECT id FROM m), 4, '1 day'), lend_borrow_apy_avg(990075, (SELECT id FROM m), 4, '30 minutes'),
	'a window reaching before the market''s creation counts from it');
SELECT is(lend_borrow_apy_avg(990075, (SELECT id FROM m), 4, '15 minutes'),
	(SELECT morpho_rate_to_apy(floor((900000000::numeric * 300 + r * 600) / 900)::uint256) FROM r4),
	'a window of 15 minutes takes the last 300 s of the accrual''s period');
SELECT is(lend_borrow_apy_avg(990075, (SELECT id FROM m), 4, '10 minutes'), (lend_market_at(990075, (SELECT id FROM m), 4)).borrow_apy,
	'a window starting at the accrual: the rate at the block alone (lend_market_at''s borrow APY)');
SELECT is(lend_borrow_apy_avg(990075, (SELECT id FROM m), 4, '1 second'), (lend_market_at(990075, (SELECT id FROM m), 4)).borrow_apy,
	'a window of a second: the same');
SELECT is(lend_borrow_apy_avg(990075, (SELECT id FROM m), 3, '30 minutes'), morpho_rate_to_apy('900000000'),
	'at the accrual''s block: its rate alone (the tail is empty)');
SELECT is(lend_borrow_apy_avg(990075, (SELECT id FROM m), 2, '30 minutes'), (lend_market_at(990075, (SELECT id FROM m), 2)).borrow_apy,
	'before any accrual: the rate at the block');
SELECT is(lend_borrow_apy_avg(990075, (SELECT id FROM m), 0, '30 minutes'), NULL, 'before the market: NULL');
SELECT is(lend_borrow_apy_avg(990075, (SELECT id FROM m), 99, '30 minutes'), NULL, 'a block not ingested: NULL');
SELECT is(lend_borrow_apy_avg(990075, '0x0000000000000000000000000000000000000000000000000000000000000001', 4, '30 minutes'), NULL,
	'an unknown market: NULL');
SELECT throws_ok($$SELECT lend_borrow_apy_avg(990075, (SELECT id FROM m), 4, '0 seconds')$$, '22023',
	'lend_borrow_apy_avg: window_length must be positive, not 00:00:00', 'a window of 0 is refused');
SELECT throws_ok($$SELECT lend_borrow_apy_avg(990075, (SELECT id FROM m), 4, '-1 hour')$$, '22023', NULL, 'a negative window is refused');
SELECT throws_ok($$SELECT lend_borrow_apy_avg(990075, (SELECT id FROM m), 4, NULL)$$, '22023', NULL, 'a NULL window is refused');

-- ---- read models: Aave v3 on synthetic reads ----
-- At b2: the Pool's getReserveData(WETH) (and of the account, which is no
-- reserve: all zeros) and getUserAccountData(account), the tokens' scaled
-- balances and supplies, the oracle's price; decoded by aave_decode_reads
-- from the contracts watched as their kinds.  The same reads of contracts
-- not watched, or watched as another kind, are not decoded (the names are
-- common): a getAssetPrice of the Morpho oracle, a scaledTotalSupply of the
-- stable debt token (not watched), a getUserAccountData of the aToken.
SELECT lives_ok($$SELECT watch_contract(990075, pg_temp.a('aave_pool'), 'aave pool', 'aave_pool');
	SELECT watch_contract(990075, pg_temp.a('a_loan'), 'aWETH', 'aave_token');
	SELECT watch_contract(990075, pg_temp.a('v_loan'), 'variableDebtWETH', 'aave_token');
	SELECT watch_contract(990075, pg_temp.a('aave_oracle'), 'aave oracle', 'aave_oracle')$$, 'watch the Aave Pool, tokens and oracle');
CREATE TEMP TABLE cfg AS SELECT (8050 + 8300 * 2::numeric ^ 16 + 10500 * 2::numeric ^ 32 + 18 * 2::numeric ^ 48 + 2::numeric ^ 56
	+ 2::numeric ^ 58 + 2::numeric ^ 59 + 1500 * 2::numeric ^ 64 + 1000 * 2::numeric ^ 80 + 2000 * 2::numeric ^ 116
	+ 1000 * 2::numeric ^ 152 + 2::numeric ^ 168)::numeric(78, 0)::text AS c;
INSERT INTO state_reads (chain_id, block_number, address, read, arg, result)
SELECT 990075, 2, pg_temp.a('aave_pool'), 'getReserveData(address)', pg_temp.t('loan'),
	abi_encode('(uint256,uint128,uint128,uint128,uint128,uint128,uint40,uint16,address,address,address,address,uint128,uint128,uint128)',
		jsonb_build_array(c, '1010000000000000000000000000', '30000000000000000000000000', '1020000000000000000000000000',
			'50000000000000000000000000', '70000000000000000000000000', pg_temp.ts(2) - 60, 3, pg_temp.t('a_loan'), pg_temp.t('s_loan'),
			pg_temp.t('v_loan'), pg_temp.t('rates'), '5', '0', '0'))
  FROM cfg
UNION ALL SELECT 990075, 2, pg_temp.a('aave_pool'), 'getReserveData(address)', pg_temp.t('account'), decode(repeat('00', 480), 'hex')
UNION ALL SELECT 990075, 2, pg_temp.a('aave_pool'), 'getUserAccountData(address)', pg_temp.t('account'),
	abi_encode('(uint256,uint256,uint256,uint256,uint256,uint256)',
		'["3000000000000", "1500000000000", "915000000000", "8300", "8050", "1660000000000000000"]')
UNION ALL SELECT 990075, 2, pg_temp.a('a_loan'), 'scaledBalanceOf(address)', pg_temp.t('account'), abi_encode('(uint256)', '["10000000000000000000"]')
UNION ALL SELECT 990075, 2, pg_temp.a('v_loan'), 'scaledBalanceOf(address)', pg_temp.t('account'), abi_encode('(uint256)', '["5000000000000000000"]')
UNION ALL SELECT 990075, 2, pg_temp.a('a_loan'), 'scaledTotalSupply()', '', abi_encode('(uint256)', '["1000000000000000000000"]')
UNION ALL SELECT 990075, 2, pg_temp.a('v_loan'), 'scaledTotalSupply()', '', abi_encode('(uint256)', '["500000000000000000000"]')
UNION ALL SELECT 990075, 2, pg_temp.a('aave_oracle'), 'getAssetPrice(address)', pg_temp.t('loan'), abi_encode('(uint256)', '["300000000000"]')
UNION ALL SELECT 990075, 2, pg_temp.a('oracle'), 'getAssetPrice(address)', pg_temp.t('loan'), abi_encode('(uint256)', '["7"]')
UNION ALL SELECT 990075, 2, pg_temp.a('s_loan'), 'scaledTotalSupply()', '', abi_encode('(uint256)', '["7"]')
UNION ALL SELECT 990075, 2, pg_temp.a('a_loan'), 'getUserAccountData(address)', pg_temp.t('account'),
	abi_encode('(uint256,uint256,uint256,uint256,uint256,uint256)', '["7", "7", "7", "7", "7", "7"]');
SELECT is(aave_decode_reads(990075, 1, 4), 7::bigint,
	'aave_decode_reads: a reserve, an account, two balances, two supplies, a price (not the reads of other contracts)');
SELECT is(aave_decode_reads(990075, 1, 4), 0::bigint, 'idempotent');
SELECT is((SELECT to_jsonb(r) - 'chain_id' - 'configuration' FROM aave_reserve_states r),
	jsonb_build_object('block_number', 2, 'pool', pg_temp.t('aave_pool'), 'asset', pg_temp.t('loan'), 'ltv_bps', 8050,
		'liquidation_threshold_bps', 8300, 'liquidation_bonus_bps', 10500, 'decimals', 18, 'active', true, 'frozen', false,
		'borrowing_enabled', true, 'paused', false, 'reserve_factor_bps', 1500, 'borrow_cap', 1000, 'supply_cap', 2000, 'emode_category', 1,
		'liquidity_index', '1010000000000000000000000000', 'liquidity_rate', '30000000000000000000000000',
		'variable_borrow_index', '1020000000000000000000000000', 'variable_borrow_rate', '50000000000000000000000000',
		'stable_borrow_rate', '70000000000000000000000000', 'last_update', pg_temp.ts(2) - 60,
		'atoken', pg_temp.t('a_loan'), 'stable_debt_token', pg_temp.t('s_loan'), 'variable_debt_token', pg_temp.t('v_loan'),
		'rate_strategy', pg_temp.t('rates'), 'accrued_to_treasury', '5', 'unbacked', '0'),
	'getReserveData decoded: LTV, threshold, bonus, decimals, flags, reserve factor, caps, e-mode category at their bits; the rest word by word');
SELECT is((SELECT to_jsonb(a) - 'chain_id' FROM aave_account_states a),
	jsonb_build_object('block_number', 2, 'pool', pg_temp.t('aave_pool'), 'account', pg_temp.t('account'),
		'total_collateral_base', '3000000000000', 'total_debt_base', '1500000000000', 'available_borrows_base', '915000000000',
		'liquidation_threshold_bps', 8300, 'ltv_bps', 8050, 'health_factor', '1660000000000000000'), 'getUserAccountData decoded');
SELECT is((SELECT array_agg(token::text || ':' || holder::text || '=' || scaled_balance::text ORDER BY token) FROM aave_scaled_balances),
	ARRAY[pg_temp.t('a_loan') || ':' || pg_temp.t('account') || '=10000000000000000000',
		  pg_temp.t('v_loan') || ':' || pg_temp.t('account') || '=5000000000000000000'], 'scaledBalanceOf decoded');
SELECT is((SELECT array_agg(scaled_supply::text ORDER BY token) FROM aave_scaled_supplies), ARRAY['1000000000000000000000', '500000000000000000000'],
	'scaledTotalSupply decoded');
SELECT is((SELECT array_agg(oracle::text || ':' || asset::text || '=' || price::text) FROM aave_prices),
	ARRAY[pg_temp.t('aave_oracle') || ':' || pg_temp.t('loan') || '=300000000000'], 'getAssetPrice decoded');
-- b3: a ReserveDataUpdated log, newer than the read; the account's e-mode.
INSERT INTO aave_reserve_updates VALUES (990075, 3, 0, pg_temp.a('aave_pool'), pg_temp.a('loan'), '35000000000000000000000000',
	'70000000000000000000000000', '60000000000000000000000000', '1010100000000000000000000000', '1020200000000000000000000000');
INSERT INTO aave_emode_sets VALUES (990075, 2, 0, pg_temp.a('aave_pool'), pg_temp.a('account'), '1'),
	(990075, 4, 0, pg_temp.a('aave_pool'), pg_temp.a('account'), '0');
SELECT is(ARRAY[aave_account_emode_at(990075, pg_temp.a('aave_pool'), pg_temp.a('account'), 1),
				aave_account_emode_at(990075, pg_temp.a('aave_pool'), pg_temp.a('account'), 3),
				aave_account_emode_at(990075, pg_temp.a('aave_pool'), pg_temp.a('account'), 4)], ARRAY[0, 1, 0],
	'aave_account_emode_at: none, then category 1, then none again');

SELECT is((SELECT jsonb_build_array(liquidity_rate::text, variable_borrow_rate::text, last_update, normalized_income::text,
			normalized_debt::text, total_supply::text, total_variable_debt::text, price::text)
			 FROM aave_reserve_at(990075, pg_temp.a('aave_pool'), pg_temp.a('loan'), 2)),
	(SELECT jsonb_build_array('30000000000000000000000000', '50000000000000000000000000', pg_temp.ts(2) - 60, ni::text, nd::text,
		aave_balance('1000000000000000000000', ni)::text, aave_balance('500000000000000000000', nd)::text, '300000000000')
	   FROM (SELECT aave_normalized_income('1010000000000000000000000000', '30000000000000000000000000', pg_temp.ts(2) - 60, pg_temp.ts(2)) ni,
					aave_normalized_debt('1020000000000000000000000000', '50000000000000000000000000', pg_temp.ts(2) - 60, pg_temp.ts(2)) nd) x),
	'aave_reserve_at b2: the read''s rates and indexes brought to the block''s time, totals = scaled supplies x indexes');
CREATE TEMP TABLE ax AS SELECT
	aave_normalized_income('1010100000000000000000000000', '35000000000000000000000000', pg_temp.ts(3), pg_temp.ts(4)) AS ni,
	aave_normalized_debt('1020200000000000000000000000', '60000000000000000000000000', pg_temp.ts(3), pg_temp.ts(4)) AS nd;
SELECT is((SELECT jsonb_build_array(liquidity_rate::text, variable_borrow_rate::text, last_update, normalized_income::text,
			normalized_debt::text, total_supply::text, total_variable_debt::text)
			 FROM aave_reserve_at(990075, pg_temp.a('aave_pool'), pg_temp.a('loan'), 4)),
	(SELECT jsonb_build_array('35000000000000000000000000', '60000000000000000000000000', pg_temp.ts(3), ni::text, nd::text,
		aave_balance('1000000000000000000000', ni)::text, aave_balance('500000000000000000000', nd)::text) FROM ax),
	'aave_reserve_at b4: the newer ReserveDataUpdated''s rates and indexes override the read''s');
SELECT is((SELECT jsonb_build_array(supplied::text, variable_debt::text, scaled_supplied::text, health_factor::text, account_block)
			 FROM aave_position_at(990075, pg_temp.a('aave_pool'), pg_temp.a('loan'), pg_temp.a('account'), 4)),
	(SELECT jsonb_build_array(aave_balance('10000000000000000000', ni)::text, aave_balance('5000000000000000000', nd)::text,
		'10000000000000000000', '1660000000000000000', 2) FROM ax),
	'aave_position_at: scaled balances x the indexes at the block''s time; the account''s figures');
SELECT is((SELECT to_jsonb(l) - 'created_block' FROM lend_markets l WHERE l.chain_id = 990075 AND l.protocol = 'aave_v3'),
	jsonb_build_object('chain_id', 990075, 'protocol', 'aave_v3', 'market', (SELECT aave FROM mk), 'pool', pg_temp.t('aave_pool'),
		'loan_token', pg_temp.t('loan'), 'collateral_token', NULL, 'oracle', NULL, 'irm', NULL, 'lltv', 0.83),
	'lend_markets: the Aave reserve, its liquidation threshold as LLTV');
SELECT is((SELECT jsonb_build_array(protocol, total_supply_assets::text, total_borrow_assets::text, liquidity::text, utilization,
			borrow_apy, supply_apy, lltv, max_ltv, supply_cap, borrow_cap)
			 FROM lend_market_at(990075, (SELECT aave::bytes32 FROM mk), 4)),
	(SELECT jsonb_build_array('aave_v3', aave_balance('1000000000000000000000', ni)::text, aave_balance('500000000000000000000', nd)::text,
		(aave_balance('1000000000000000000000', ni)::numeric - aave_balance('500000000000000000000', nd)::numeric)::text,
		(aave_balance('500000000000000000000', nd)::numeric / aave_balance('1000000000000000000000', ni)::numeric)::float8,
		(exp(60000000000000000000000000::numeric / 1e27) - 1)::float8, (exp(35000000000000000000000000::numeric / 1e27) - 1)::float8,
		0.83, 0.805, 2000, 1000) FROM ax),
	'lend_market_at (Aave): totals, utilization, APYs of the current rates, threshold, LTV, caps');
SELECT is((SELECT jsonb_build_array(supply_assets::text, borrow_assets::text, borrow_shares::text, collateral, health_factor, ltv)
			 FROM lend_position_at(990075, (SELECT aave::bytes32 FROM mk), pg_temp.a('account'), 4)),
	(SELECT jsonb_build_array(aave_balance('10000000000000000000', ni)::text, aave_balance('5000000000000000000', nd)::text,
		'5000000000000000000', NULL, 1.66, 0.5) FROM ax),
	'lend_position_at (Aave): balances, the account''s health factor and debt / collateral');

-- ---- the engine's simulate slot ----
-- The registry: a simulate function must have its slot's signature, and be
-- the extension owner's; admins set it like the other slots.
SELECT throws_ok($$INSERT INTO strategy_kinds (kind, validate, sync, gather, policy, simulate, description) VALUES ('lev2',
	'strategy_validate_leverage', 'strategy_sync_leverage', 'strategy_gather_leverage', 'strategy_policy_leverage',
	'strategy_policy_leverage', 'x')$$, '42P13',
	'function amplified.strategy_policy_leverage cannot be registered in strategy_kinds.simulate: it must take (amplified.strategies, jsonb, jsonb, jsonb) and return text[]',
	'a simulate function of another signature is refused');
CREATE ROLE amp_l_admin NOLOGIN IN ROLE amplified_admin;
GRANT CREATE ON SCHEMA public TO amp_l_admin;
SET LOCAL ROLE amp_l_admin;
CREATE FUNCTION public.my_simulate(s amplified.strategies, state jsonb, result jsonb, calls jsonb) RETURNS text[] LANGUAGE sql
	AS $f$ SELECT '{mine}'::text[] $f$;
SELECT lives_ok($$INSERT INTO strategy_kinds (kind, validate, sync, gather, policy, simulate, description) VALUES ('lev2',
	'strategy_validate_leverage', 'strategy_sync_leverage', 'strategy_gather_leverage', 'strategy_policy_leverage',
	'strategy_simulate_lend', 'x')$$, 'an admin registers a kind with a simulate function of the extension''s');
SELECT throws_ok($$UPDATE strategy_kinds SET simulate = 'public.my_simulate' WHERE kind = 'lev2'$$, '42501', NULL,
	'but not one of their own');
SELECT lives_ok($$UPDATE strategy_kinds SET simulate = NULL WHERE kind = 'lev2'$$, 'simulate is optional');
SELECT lives_ok($$DELETE FROM strategy_kinds WHERE kind = 'lev2'$$, 'and the kind removed');
RESET ROLE;
SELECT is((SELECT array_agg(kind || ':' || (simulate IS NOT NULL) ORDER BY kind) FROM strategy_kinds WHERE builtin),
	ARRAY['allocate:false', 'hedge:true', 'lend:true', 'leverage:true', 'lp_univ3:false', 'stake:false'], 'the lending kinds simulate; the others do not');
SELECT is(strategy_simulate_intents(pg_temp.strat('leverage', (SELECT p FROM lev_params)), 4, '{}'), '[]'::jsonb,
	'strategy_simulate_intents of no intent calls nothing');
SELECT throws_ok($$SELECT strategy_simulate_intents(pg_temp.strat('leverage', (SELECT p FROM lev_params)), 4,
	ARRAY[ROW('lever', pg_temp.a('account'), '0', '\x01', 'n', NULL)::strategy_intent])$$, '58R01', NULL,
	'a node that does not answer is an error, not a revert (only the node''s error answer is one)');

-- The kinds run on the read models above (b4): the swap pool (a
-- full-range position and one on [1800, 1850], both active at 1.2) and the
-- LST's rate.
INSERT INTO univ3_pool_states (chain_id, block_number, pool, sqrt_price_x96, tick, observation_index, observation_cardinality,
	observation_cardinality_next, fee_protocol, unlocked, liquidity)
	VALUES (990075, 1, pg_temp.a('swap_pool'), univ3_sqrt_price_at_price(1.2), univ3_tick_at_price(1.2), 0, 1, 1, 0, true,
			'1500000000000000000000000000000');
INSERT INTO univ3_mints VALUES
	(990075, 1, 10, pg_temp.a('swap_pool'), pg_temp.a('owner'), pg_temp.a('owner'), -887272, 887272, '1000000000000000000000000000000', 0, 0),
	(990075, 1, 11, pg_temp.a('swap_pool'), pg_temp.a('owner'), pg_temp.a('owner'), 1800, 1850, '500000000000000000000000000000', 0, 0);
INSERT INTO lst_rates (chain_id, block_number, token, method, rate)
	SELECT 990075, n, pg_temp.a('coll'), 'stEthPerToken()', (1190000000000000000 + n * 1000000000000)::numeric::uint256
	  FROM generate_series(1, 4) n;
-- The account at LTV 0.67: a lever with a 0.8 target, within the band with 0.67 +- 0.05.
CREATE TEMP TABLE sl AS SELECT * FROM strategy_create('lev act', 'leverage', 990075, pg_temp.a('owner'),
	(SELECT p || '{"carry_window": "30 minutes"}' FROM lev_in), enabled => true);
CREATE TEMP TABLE sh AS SELECT * FROM strategy_create('lev hold', 'leverage', 990075, '0x00000000000000000000000000000000000000f2',
	(SELECT p || '{"carry_window": "30 minutes", "target_ltv": 0.67, "band": 0.05}' FROM lev_in), enabled => true);
CREATE TEMP TABLE sd AS SELECT * FROM strategy_create('lend hold', 'lend', 990075, '0x00000000000000000000000000000000000000f3',
	(SELECT p || jsonb_build_object('account', pg_temp.t('lender'), 'gas_cost', 100) FROM lend_in), enabled => true);
SELECT is((SELECT params -> 'min_trade' FROM strategy_update((SELECT id FROM sd), '{"min_trade": 0.02}')), '0.02'::jsonb,
	'a lend strategy''s parameters can be updated (validated again with their market ids)');
-- The lender's positions as strategy_sync_lend would write them (no node: sync => false).
INSERT INTO positions (strategy_id, protocol, asset, position_id, amount, detail, block_number)
	SELECT (SELECT id FROM sd), 'morpho_blue', pg_temp.a('loan'), 1, x.supply_assets::numeric::int256,
		   jsonb_build_object('market', (SELECT id::text FROM m), 'shares', x.supply_shares::text), 4
	  FROM lend_position_at(990075, (SELECT id FROM m), pg_temp.a('lender'), 4) x;
CREATE TEMP TABLE run AS SELECT run_strategies(sync => false) AS r;
CREATE FUNCTION pg_temp.outcome(sid bigint) RETURNS jsonb LANGUAGE sql AS $$
	SELECT e FROM run, jsonb_array_elements(r -> 'results') e WHERE (e ->> 'strategy_id')::bigint = sid $$;
SELECT is((SELECT pg_temp.outcome(id) ->> 'outcome' FROM sl), 'error',
	'a lever is simulated before the gate: against a node that refuses connections, an error');
SELECT is((SELECT ARRAY[action, status] || reasons FROM decisions WHERE strategy_id = (SELECT id FROM sl)),
	ARRAY['error', 'error', 'sqlstate_58R01'], 'recorded as an error decision (58R01)');
SELECT ok((SELECT error_context LIKE '%strategy_simulate_intents%' FROM decisions WHERE strategy_id = (SELECT id FROM sl)),
	'raised in strategy_simulate_intents');
SELECT is((SELECT count(*)::int FROM tx_intents), 0, 'nothing queued');
SELECT is((SELECT count(*)::int FROM risk_turnover), 0, 'no turnover counted');
SELECT is((SELECT ARRAY[pg_temp.outcome(id) ->> 'outcome', pg_temp.outcome(id) ->> 'action'] FROM sh), ARRAY['noop', 'hold'],
	'within the band: hold, no simulation needed');
CREATE TEMP TABLE dh AS SELECT * FROM decisions WHERE strategy_id = (SELECT id FROM sh);
SELECT is((SELECT ARRAY[reasons[1], simulation::text] FROM dh), ARRAY['within_band', NULL], 'within_band; nothing simulated');
SELECT is((SELECT jsonb_build_array(inputs ->> 'collateral', inputs -> 'price', inputs ->> 'risk_level', inputs -> 'lltv',
			inputs -> 'swap' -> 'collateral_is_token0') FROM dh),
	'["50000000000000000000", 1.2, "ok", 0.945, true]'::jsonb, 'the gathered state: collateral, oracle price, level, LLTV, pool side');
SELECT is((SELECT inputs ->> 'debt' FROM dh), (lend_position_at(990075, (SELECT id FROM m), pg_temp.a('account'), 4)).borrow_assets::text,
	'its debt is lend_position_at''s');
SELECT ok((SELECT abs((inputs ->> 'ltv')::numeric - (inputs ->> 'debt')::numeric / 60e18) < 1e-15 FROM dh), 'its LTV: debt / (50 x 1.2)');
SELECT is((SELECT (inputs ->> 'borrow_apy')::float8 FROM dh), lend_borrow_apy_avg(990075, (SELECT id FROM m), 4, '30 minutes'),
	'its borrow APY is the average over its carry window (lend_borrow_apy_avg)');
SELECT is((SELECT (inputs ->> 'borrow_apy_now')::float8 FROM dh), (lend_market_at(990075, (SELECT id FROM m), 4)).borrow_apy,
	'borrow_apy_now is lend_market_at''s');
SELECT is((SELECT jsonb_build_array(inputs -> 'swap' -> 'tick', inputs -> 'swap' -> 'ticks', inputs -> 'swap' -> 'liquidity_net') FROM dh),
	jsonb_build_array(univ3_tick_at_price(1.2), jsonb_build_array(-887272, 1800, 1850, 887272),
		jsonb_build_array('1000000000000000000000000000000', '500000000000000000000000000000', '-500000000000000000000000000000',
			'-1000000000000000000000000000000')),
	'its swap pool: the tick, and the initialized ticks and liquidity net of the pool''s mints (univ3_pool_liquidity_net_at)');
SELECT ok((SELECT (inputs ->> 'staking_apr')::float8 > (inputs ->> 'borrow_apy')::float8 FROM dh), '(positive carry)');
SELECT is((SELECT ARRAY[pg_temp.outcome(sd.id) ->> 'action'] || d.reasons FROM sd, decisions d WHERE d.strategy_id = sd.id),
	ARRAY['hold', 'move_not_worth'], 'lend: hold, the Aave reserve pays more but a move would not pay its gas (2 x 100)');
SELECT is((SELECT jsonb_build_array(d.plan ->> 'best', d.plan ->> 'current') FROM sd, decisions d WHERE d.strategy_id = sd.id),
	(SELECT jsonb_build_array(aave, morpho) FROM mk), 'its plan: the Aave reserve best, the Morpho market current');
CREATE TEMP TABLE lc AS SELECT inputs -> 'candidates' AS c FROM decisions WHERE strategy_id = (SELECT id FROM sd);
SELECT is((SELECT jsonb_build_array(c -> 0 ->> 'total_supply', c -> 0 ->> 'total_borrow', c -> 0 ->> 'rate_at_target', c -> 0 ->> 'fee') FROM lc),
	(SELECT jsonb_build_array(total_supply_assets::text, total_borrow_assets::text, end_rate_at_target::text, '100000000000000000') FROM acc),
	'lend state (Morpho): the totals accrued to the block, the IRM''s rate at target as of the block, the fee');
SELECT is((SELECT strategy_lend_apy_after(c -> 0, 0) FROM lc), (SELECT (c -> 0 ->> 'supply_apy')::float8 FROM lc),
	'lend state (Morpho): its IRM inputs give back its supply APY with nothing added');
SELECT is((SELECT jsonb_build_array(c -> 1 ->> 'total_supply', c -> 1 ->> 'total_borrow', c -> 1 -> 'rate_at_target', c -> 1 -> 'fee') FROM lc),
	(SELECT jsonb_build_array(total_supply_assets::text, total_borrow_assets::text, NULL, NULL) FROM lend_market_at(990075, (SELECT aave::bytes32 FROM mk), 4)),
	'lend state (Aave): the reserve''s totals');
SELECT is((SELECT inputs -> 'candidates' -> 0 ->> 'supplied' FROM decisions WHERE strategy_id = (SELECT id FROM sd)),
	(lend_position_at(990075, (SELECT id FROM m), pg_temp.a('lender'), 4)).supply_assets::text, 'lend state: the lender''s Morpho supply');
SELECT is((SELECT (inputs -> 'candidates' -> 1 ->> 'supply_apy')::float8 FROM decisions WHERE strategy_id = (SELECT id FROM sd)),
	(lend_market_at(990075, (SELECT aave::bytes32 FROM mk), 4)).supply_apy, 'lend state: the Aave reserve''s supply APY');
-- A misspelt key would read as NULL: every key the lending policies read
-- from their state is one their gather wrote.
SELECT is_empty($$
	SELECT k.kind, m[1] AS key
	  FROM strategy_kinds k, regexp_matches(pg_get_functiondef(k.policy), 'state\s*->>?\s*''([a-z0-9_]+)''', 'g') m
	 WHERE k.kind IN ('leverage', 'lend')
	   AND NOT EXISTS (SELECT 1 FROM decisions d JOIN strategies x ON x.id = d.strategy_id
					   WHERE x.kind = k.kind AND d.status <> 'error' AND d.inputs ? m[1])$$,
	'every state key the lending policies read is one their gather writes');
SELECT is_empty($$
	SELECT m[1] FROM regexp_matches(pg_get_functiondef('strategy_policy_leverage'::regproc), 'state\s*->\s*''swap''\s*->>?\s*''([a-z0-9_]+)''', 'g') m
	 WHERE NOT EXISTS (SELECT 1 FROM decisions d JOIN strategies x ON x.id = d.strategy_id
					   WHERE x.kind = 'leverage' AND d.status <> 'error' AND d.inputs -> 'swap' ? m[1])$$,
	'and every key of its swap pool');
SELECT is_empty($$
	SELECT m[1] FROM regexp_matches(pg_get_functiondef('strategy_policy_lend'::regproc), '\m[xc]\w*\s*->>\s*''([a-z0-9_]+)''', 'g') m
	 WHERE NOT EXISTS (SELECT 1 FROM decisions d JOIN strategies x ON x.id = d.strategy_id
					   WHERE x.kind = 'lend' AND d.status <> 'error' AND d.inputs -> 'candidates' -> 0 ? m[1])$$,
	'and every key of a lend candidate');
SELECT is((SELECT array_agg(d.id) FROM decisions d WHERE d.status <> 'error' AND NOT (strategy_replay(d.id) ->> 'matches')::boolean),
	NULL, 'the lending decisions replay');

-- ---- b5: a repay of one wei more than the total borrow ----
INSERT INTO blocks (chain_id, number, hash, parent_hash, timestamp)
	VALUES (990075, 5, ('0x' || lpad(to_hex(1005), 64, '0'))::bytes32, ('0x' || lpad(to_hex(1004), 64, '0'))::bytes32, now() - interval '10 minutes');
INSERT INTO morpho_repays SELECT 990075, 5, 0, pg_temp.a('morpho'), id, pg_temp.a('account'), pg_temp.a('account'),
	'40080000000000000001', '40000000000000000000000000' FROM m;
SELECT is((SELECT sum(tba) FROM morpho_ledger WHERE chain_id = 990075), -1::numeric, '(the plain sum of the changes is -1)');
SELECT is((SELECT ARRAY[total_borrow_assets::text, total_borrow_shares::text, total_supply_assets::text]
			 FROM morpho_market_state_at(990075, (SELECT id FROM m), 5)), ARRAY['0', '0', '98080000000000000000'],
	'the total borrow floors at 0, as Morpho''s zeroFloorSub');
SELECT is((SELECT (lend_position_at(990075, (SELECT id FROM m), pg_temp.a('account'), 5)).borrow_assets), '0'::uint256,
	'the account owes nothing');
SELECT is((SELECT (lend_market_at(990075, (SELECT id FROM m), 5)).utilization), 0::float8, 'and the market has no borrow');

-- ---- b6: lend_borrow_apy_avg over several rates ----
-- Morpho: an accrual at b6 (nothing borrowed since b5: no interest) says
-- the rate was 2e9 since b3.  Aave: a rate update at b5 (8%) after b3's (6%).
-- b1..b6 are at -50, -40, -30, -20, -10 and -5 minutes.
INSERT INTO blocks (chain_id, number, hash, parent_hash, timestamp)
	VALUES (990075, 6, ('0x' || lpad(to_hex(1006), 64, '0'))::bytes32, ('0x' || lpad(to_hex(1005), 64, '0'))::bytes32, now() - interval '5 minutes');
INSERT INTO morpho_accruals SELECT 990075, 6, 0, pg_temp.a('morpho'), id, '2000000000', '0', '0' FROM m;
INSERT INTO aave_reserve_updates VALUES (990075, 5, 1, pg_temp.a('aave_pool'), pg_temp.a('loan'), '40000000000000000000000000',
	'90000000000000000000000000', '80000000000000000000000000', '1010200000000000000000000000', '1020400000000000000000000000');
SELECT is(lend_borrow_apy_avg(990075, (SELECT id FROM m), 6, '30 minutes'),
	morpho_rate_to_apy(floor((900000000::numeric * 300 + 2000000000::numeric * 1500) / 1800)::uint256),
	'Morpho at b6 over 30 minutes: the last 300 s of b1-b3 at 9e8, b3-b6 (1500 s) at 2e9, no tail');
SELECT is(lend_borrow_apy_avg(990075, (SELECT id FROM m), 6, '1 hour'),
	morpho_rate_to_apy(floor((900000000::numeric * 1200 + 2000000000::numeric * 1500) / 2700)::uint256),
	'over an hour: from the creation');
SELECT is(lend_borrow_apy_avg(990075, (SELECT id FROM m), 6, '10 minutes'), morpho_rate_to_apy('2000000000'),
	'over 10 minutes: within the last accrual''s period, its rate');
CREATE TEMP TABLE aid AS SELECT aave::bytes32 AS id FROM mk;
SELECT is(lend_borrow_apy_avg(990075, (SELECT id FROM aid), 6, '30 minutes'),
	(exp((0.06 * 1200 + 0.08 * 300) / 1500) - 1)::float8,
	'Aave at b6 over 30 minutes: 6% b3-b5 (1200 s), 8% b5-b6 (300 s); the 300 s before the first update are not counted');
SELECT is(lend_borrow_apy_avg(990075, (SELECT id FROM aid), 6, '450 seconds'),
	(exp((0.06 * 150 + 0.08 * 300) / 450) - 1)::float8, 'over 450 s: clipped to the last 150 s of the 6%');
SELECT ok(abs(lend_borrow_apy_avg(990075, (SELECT id FROM aid), 6, '1 minute') - (exp(0.08::numeric) - 1)::float8) < 1e-15,
	'over a minute: the last update''s rate to the block (1e-15: exp of 0.08 at another scale)');
SELECT is(lend_borrow_apy_avg(990075, (SELECT id FROM aid), 4, '30 minutes'), (lend_market_at(990075, (SELECT id FROM aid), 4)).borrow_apy,
	'at b4: b3''s rate to the block, lend_market_at''s borrow APY (the update at b5 is later)');
SELECT is(lend_borrow_apy_avg(990075, (SELECT id FROM aid), 2, '30 minutes'), (lend_market_at(990075, (SELECT id FROM aid), 2)).borrow_apy,
	'at b2, before any rate update (the reserve only read): the rate of the read');
SELECT is(lend_borrow_apy_avg(990075, (SELECT id FROM aid), 6, '1 day'), lend_borrow_apy_avg(990075, (SELECT id FROM aid), 6, '30 minutes'),
	'a longer window adds nothing before the first update');

SELECT * FROM finish();
ROLLBACK;
