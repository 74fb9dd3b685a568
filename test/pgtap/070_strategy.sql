-- 070_strategy: the strategy engine on synthetic chain state (no node): the
-- math it adds, parameter validation, the decision cycle of both kinds
-- (open, hold, repeat, rebalance, stake, switch), the risk gate blocking,
-- idempotency, errors, and the intents' calldata decoded back and compared
-- with what the univ3 functions compute on their own.
BEGIN;
SELECT * FROM no_plan();
SET LOCAL search_path = amplified, public;

-- ---- the math (strategy_math.c) ----

SELECT is(strategy_amount_min('1000000', 50), '995000'::uint256, 'amount_min: 50 bps off 1000000');
SELECT is(strategy_amount_min('999', 30), '996'::uint256, 'amount_min rounds down (999 * 9970 / 10000 = 996.003)');
SELECT is(strategy_amount_min('115792089237316195423570985008687907853269984665640564039457584007913129639935', 0),
	'115792089237316195423570985008687907853269984665640564039457584007913129639935'::uint256, 'amount_min of the largest uint256 at 0 bps');
SELECT throws_ok($$SELECT strategy_amount_min('1', 10001)$$, '22023', NULL, 'amount_min refuses more than 10000 bps');
SELECT throws_ok($$SELECT strategy_amount_min('1', -1)$$, '22023', NULL, 'amount_min refuses negative bps');

-- Sharpe against the SQL aggregates.
SELECT is(round(strategy_sharpe(ARRAY[0.01, 0.02, -0.01, 0.03]::float8[])::numeric, 10),
	(SELECT round((avg(r) / stddev_samp(r) * sqrt(365))::numeric, 10)
	   FROM unnest(ARRAY[0.01, 0.02, -0.01, 0.03]::float8[]) r),
	'sharpe = mean / sample stddev * sqrt(365)');
SELECT is(round(strategy_sharpe(ARRAY[0.01, NULL, 0.03]::float8[], 12)::numeric, 10),
	round((0.02 / sqrt(0.0002) * sqrt(12))::numeric, 10), 'sharpe skips NULLs and takes the periods per year');
SELECT is(strategy_sharpe(ARRAY[0.01]::float8[]), NULL, 'sharpe of one return is NULL');
SELECT is(strategy_sharpe(ARRAY[0.01, 0.01, 0.01]::float8[]), NULL, 'sharpe of constant returns is NULL');
SELECT throws_ok($$SELECT strategy_sharpe(ARRAY[1]::float8[], 0)$$, '22023', NULL, 'sharpe refuses 0 periods per year');
SELECT throws_ok($$SELECT strategy_sharpe(ARRAY['NaN', 1]::float8[])$$, '22023', NULL, 'sharpe refuses NaN returns');

-- TWAP and volatility; the volatility against univ3_backtest_sigma (analytics.sql).
SELECT is((strategy_tick_stats(ARRAY['2026-01-01 00:00Z', '2026-01-01 00:01Z', '2026-01-01 00:02Z']::timestamptz[],
	ARRAY[0, 10, 20], '2026-01-01 00:03Z', 120, 3600)).twap_tick, 15, 'twap over 120 s: 60 s at 10, 60 s at 20');
SELECT is((strategy_tick_stats(ARRAY['2026-01-01 00:00Z', '2026-01-01 00:01Z', '2026-01-01 00:02Z']::timestamptz[],
	ARRAY[0, 10, 20], '2026-01-01 00:03Z', 0, 3600)).twap_tick, 20, 'twap window 0: the last tick');
SELECT is((strategy_tick_stats(ARRAY['2026-01-01 00:00Z', '2026-01-01 00:01Z', '2026-01-01 00:02Z']::timestamptz[],
	ARRAY[0, 10, 20], '2026-01-01 00:03Z', 600, 3600)).twap_tick, 10, 'twap window longer than the history: 60 s at 0, 10 and 20');
SELECT is(round((strategy_tick_stats(ARRAY['2026-01-01 00:00Z', '2026-01-01 00:01Z', '2026-01-01 00:02Z']::timestamptz[],
	ARRAY[0, 10, 20], '2026-01-01 00:03Z', 0, 3600)).sigma::numeric, 12),
	round(univ3_backtest_sigma(ARRAY['2026-01-01 00:00Z', '2026-01-01 00:01Z', '2026-01-01 00:02Z']::timestamptz[],
		ARRAY[0, 10, 20], 3, '2026-01-01 00:03Z', 3600)::numeric, 12),
	'sigma equals univ3_backtest_sigma on the same series');
SELECT is(round((strategy_tick_stats(ARRAY['2026-01-01 00:00Z', '2026-01-01 00:01Z', '2026-01-01 00:02Z']::timestamptz[],
	ARRAY[0, 10, 20], '2026-01-01 00:03Z', 0, 90)).sigma::numeric, 12),
	round(sqrt((10 * ln(1.0001)) ^ 2 / (90 / 86400.0))::numeric, 12), 'sigma over a 90 s window sees the last move only');
SELECT is((strategy_tick_stats('{}', '{}', now(), 60, 60)).twap_tick, NULL, 'no history: no twap');
SELECT throws_ok($$SELECT strategy_tick_stats(ARRAY[now()], '{}', now(), 0, 0)$$, '2202E', NULL, 'at and tick of different lengths');
SELECT throws_ok($$SELECT strategy_tick_stats(ARRAY[now(), now() - interval '1 s'], ARRAY[1, 2], now(), 0, 0)$$, '22023', NULL, 'series out of order');

-- A quote is SwapMath's step.
SELECT is((strategy_swap_quote(univ3_sqrt_price_at_tick(5), '1000000000000000000000', 500, true, '5000000000000000000')).amount_out,
	(univ3_swap_step(univ3_sqrt_price_at_tick(5), univ3_min_sqrt_price() + 1, '1000000000000000000000',
		'5000000000000000000', 500)).amount_out, 'quote = univ3_swap_step toward the limit');
SELECT throws_ok($$SELECT strategy_swap_quote(univ3_sqrt_price_at_tick(5), '1000', 500, true, '100000000000000000000000000')$$,
	'22003', NULL, 'quote beyond the active liquidity');
SELECT throws_ok($$SELECT strategy_swap_quote(univ3_sqrt_price_at_tick(5), '0', 500, true, '1')$$, '22023', NULL, 'quote with no liquidity');

-- The swap toward a range's ratio: the output is SwapMath's, and after it the
-- holdings fit the range at the new price with almost nothing left over.
CREATE TEMP TABLE sw AS
	SELECT * FROM strategy_lp_swap(univ3_sqrt_price_at_tick(5), '1000000000000000000000', 500, -200, 210,
		'20000000000000000000', '0');
SELECT ok((SELECT zero_for_one FROM sw), 'only token0 held: sell token0');
SELECT is((SELECT amount_out FROM sw), (SELECT (univ3_swap_step(univ3_sqrt_price_at_tick(5), univ3_min_sqrt_price() + 1,
	'1000000000000000000000'::uint256, sw.amount_in::int256, 500)).amount_out FROM sw), 'lp_swap output is SwapMath''s');
SELECT is((SELECT sqrt_price_after FROM sw), (SELECT (univ3_swap_step(univ3_sqrt_price_at_tick(5), univ3_min_sqrt_price() + 1,
	'1000000000000000000000'::uint256, sw.amount_in::int256, 500)).sqrt_next FROM sw), 'lp_swap price after is SwapMath''s');
SELECT ok((SELECT (20e18 - sw.amount_in::numeric - a.amount0::numeric) < 2e13 AND (sw.amount_out::numeric - a.amount1::numeric) < 2e13
	FROM sw, univ3_amounts_for_liquidity(sw.sqrt_price_after, univ3_sqrt_price_at_tick(-200), univ3_sqrt_price_at_tick(210),
		univ3_liquidity_for_amounts(sw.sqrt_price_after, univ3_sqrt_price_at_tick(-200), univ3_sqrt_price_at_tick(210),
			(20e18 - sw.amount_in::numeric)::uint256, sw.amount_out)) a),
	'after the swap the range takes the holdings but for less than 1e-6 of them');
SELECT is((SELECT ROW(zero_for_one, amount_in::text) FROM strategy_lp_swap(univ3_sqrt_price_at_tick(5), '1000000000000000000000', 500,
	-200, 210, '0', '20000000000000000000')), ROW(false, (SELECT x.amount_in::text FROM strategy_lp_swap(univ3_sqrt_price_at_tick(5),
	'1000000000000000000000', 500, -200, 210, '0', '20000000000000000000') x)), 'only token1 held: sell token1');
SELECT is((SELECT amount_in FROM strategy_lp_swap(univ3_sqrt_price_at_tick(500), '1000000000000000000000', 500, -200, 210,
	'3000000000000000000', '1')), '3000000000000000000'::uint256, 'price above the range: sell all of token0');
SELECT is((SELECT amount_in FROM strategy_lp_swap(univ3_sqrt_price_at_tick(5), '0', 500, -200, 210,
	'3000000000000000000', '0')), '0'::uint256, 'no liquidity: no swap');
SELECT cmp_ok((SELECT amount_in::numeric FROM strategy_lp_swap(univ3_sqrt_price_at_tick(5), '1000000000000000000000', 500, -200, 210,
	'9995001499650069988', '10000000000000000000')), '<', 1e13, 'holdings already in the range''s ratio: (almost) no swap');
SELECT throws_ok($$SELECT strategy_lp_swap(univ3_sqrt_price_at_tick(5), '1', 500, 210, -200, '1', '1')$$, '22023', NULL,
	'lp_swap refuses an empty range');

-- ---- a synthetic chain: blocks every 10 minutes, two hours ago ----

SELECT lives_ok($$SELECT add_chain(999001, 'strategy-test', ARRAY['http://127.0.0.1:9'], confirmations => 0, enabled => false)$$,
	'a chain that is never called (positions are given, sync => false)');
CREATE FUNCTION pg_temp.h(n bigint) RETURNS amplified.bytes32 LANGUAGE sql AS $$ SELECT ('0x' || lpad(to_hex(n), 64, '0'))::amplified.bytes32 $$;
CREATE FUNCTION pg_temp.add_block(n bigint) RETURNS void LANGUAGE sql AS $$
	INSERT INTO amplified.blocks (chain_id, number, hash, parent_hash, timestamp)
	VALUES (999001, n, pg_temp.h(n + 1000), pg_temp.h(n + 999), now() - interval '4 hours' + n * interval '10 minutes');
	-- Two LSTs whose rates grow, the second twice as fast.
	INSERT INTO amplified.lst_rates (chain_id, block_number, token, method, rate) VALUES
		(999001, n, '0x00000000000000000000000000000000000000b1', 'stEthPerToken()', (1190000000000000000 + n * 1000000000000)::numeric::amplified.uint256),
		(999001, n, '0x00000000000000000000000000000000000000b2', 'stEthPerToken()', (1060000000000000000 + n * 2000000000000)::numeric::amplified.uint256) $$;
CREATE FUNCTION pg_temp.pool_state(pool text, n bigint, tick int, liquidity text) RETURNS void LANGUAGE sql AS $$
	INSERT INTO amplified.univ3_pool_states (chain_id, block_number, pool, sqrt_price_x96, tick, observation_index,
		observation_cardinality, observation_cardinality_next, fee_protocol, unlocked, liquidity)
	VALUES (999001, n, pool::amplified.address, amplified.univ3_sqrt_price_at_tick(tick), tick, 0, 1, 1, 0, true,
			liquidity::amplified.uint256) $$;
SELECT pg_temp.add_block(n) FROM generate_series(1, 12) n;
SELECT pg_temp.pool_state('0x00000000000000000000000000000000000000e0', 1, 5, '1000000000000000000000');
SELECT lives_ok($$SELECT add_signer(999001, '0x00000000000000000000000000000000000000f0', 'node')$$, 'signer of the lp vault');
SELECT lives_ok($$SELECT add_signer(999001, '0x00000000000000000000000000000000000000f1', 'node')$$, 'signer of the stake vault');
SELECT lives_ok($$SELECT add_signer(999001, '0x00000000000000000000000000000000000000f2', 'node')$$, 'signer of a broken strategy');

-- ---- creating strategies: validation ----

CREATE TEMP TABLE lp_params AS SELECT '{"pool": "0x00000000000000000000000000000000000000e0",
	"position_manager": "0x00000000000000000000000000000000000000c0", "swap_router": "0x00000000000000000000000000000000000000d0",
	"token0": "0x00000000000000000000000000000000000000a0", "token1": "0x00000000000000000000000000000000000000b0",
	"fee": 500, "tick_spacing": 10, "decimals0": 18, "decimals1": 18, "sigma": 0.01, "k": 2,
	"deadline_seconds": 86400}'::jsonb AS p;

SELECT throws_ok($$SELECT strategy_create('x', 'lending', 999001, '0x00000000000000000000000000000000000000f0', '{}')$$,
	'22023', 'unknown strategy kind "lending"', 'unknown kind');
SELECT throws_ok($$SELECT strategy_create('x', 'lp_univ3', 999001, '0x00000000000000000000000000000000000000f0',
	(SELECT p || '{"foo": 1}' FROM lp_params))$$, '22023', 'unknown lp_univ3 parameter "foo"', 'unknown parameter');
SELECT throws_ok($$SELECT strategy_create('x', 'lp_univ3', 999001, '0x00000000000000000000000000000000000000f0',
	(SELECT p - 'pool' FROM lp_params))$$, '22023', 'invalid lp_univ3 parameter "pool": the pool address is required', 'pool is required');
SELECT throws_ok($$SELECT strategy_create('x', 'lp_univ3', 999001, '0x00000000000000000000000000000000000000f0',
	(SELECT p || '{"pool": "0xnothex"}' FROM lp_params))$$, '22023', NULL, 'pool must be an address');
SELECT throws_ok($$SELECT strategy_create('x', 'lp_univ3', 999001, '0x00000000000000000000000000000000000000f0',
	(SELECT p || '{"slippage_bps": 20000}' FROM lp_params))$$, '22023',
	'invalid lp_univ3 parameter "slippage_bps": 20000 is outside [0, 10000]', 'slippage out of range');
SELECT throws_ok($$SELECT strategy_create('x', 'lp_univ3', 999001, '0x00000000000000000000000000000000000000f0',
	(SELECT p || '{"k": -1}' FROM lp_params))$$, '22023', NULL, 'ALM parameters are checked by univ3_alm_plan');
SELECT throws_ok($$SELECT strategy_create('x', 'lp_univ3', 999001, '0x00000000000000000000000000000000000000f0',
	(SELECT p || '{"boundary_threshold": 0.9}' FROM lp_params))$$, '22023', NULL, 'gate parameters are checked by univ3_alm_should_rebalance');
SELECT throws_ok($$SELECT strategy_create('x', 'lp_univ3', 999001, '0x00000000000000000000000000000000000000f0',
	(SELECT p || '{"token0": "0x00000000000000000000000000000000000000b0", "token1": "0x00000000000000000000000000000000000000a0"}' FROM lp_params))$$,
	'22023', NULL, 'token0 must sort below token1');
SELECT throws_ok($$SELECT strategy_create('x', 'lp_univ3', 999001, '0x00000000000000000000000000000000000000f0',
	(SELECT (p || '{"swap": true}') - 'swap_router' FROM lp_params))$$, '22023', NULL, 'swap needs a router');
SELECT throws_ok($$SELECT strategy_create('x', 'lp_univ3', 999001, '0x00000000000000000000000000000000000000f0',
	(SELECT p || '{"apr_window": "-1000 years"}' FROM lp_params))$$, '22023',
	'invalid lp_univ3 parameter "apr_window": -1000 years is outside [00:01:00, 3650 days]', 'a negative apr_window is refused at creation');
SELECT throws_ok($$SELECT strategy_create('x', 'lp_univ3', 999001, '0x00000000000000000000000000000000000000f0',
	(SELECT p || '{"apr_window": 7}' FROM lp_params))$$, '22023',
	'invalid lp_univ3 parameter "apr_window": an interval such as "7 days" is expected', 'apr_window must be an interval string');
SELECT throws_ok($$SELECT strategy_create('x', 'stake', 999001, '0x00000000000000000000000000000000000000f1',
	'{"base_token": "0x00000000000000000000000000000000000000b0", "swap_router": "0x00000000000000000000000000000000000000d0",
	  "apr_window": "infinity", "candidates": []}')$$, '22023', NULL, 'an infinite apr_window is refused for stake too');

-- ---- strategy_kinds: a registry of functions the engine runs as the extension's owner ----
CREATE ROLE amp_test_admin NOLOGIN;
GRANT amplified_admin TO amp_test_admin;
GRANT CREATE ON SCHEMA public TO amp_test_admin;
SET LOCAL ROLE amp_test_admin;
CREATE FUNCTION pg_temp.evil_policy(s amplified.strategies, state jsonb) RETURNS jsonb LANGUAGE sql
	AS $f$ SELECT '{"action": "hold"}'::jsonb $f$;
CREATE FUNCTION public.own_policy(s amplified.strategies, state jsonb) RETURNS jsonb LANGUAGE sql
	AS $f$ SELECT '{"action": "hold"}'::jsonb $f$;
SELECT throws_ok(format($$INSERT INTO strategy_kinds (kind, validate, sync, gather, policy, description) VALUES ('evil', 'strategy_validate_stake', 'strategy_sync_stake',
	'strategy_gather_stake', '%s', 'x')$$, 'pg_temp.evil_policy'::regproc::oid::regproc), '42501', NULL,
	'an admin cannot register a temporary function');
SELECT throws_ok($$INSERT INTO strategy_kinds (kind, validate, sync, gather, policy, description) VALUES ('mine', 'strategy_validate_stake', 'strategy_sync_stake',
	'strategy_gather_stake', 'public.own_policy', 'x')$$, '42501', NULL,
	'nor a function of their own');
SELECT throws_ok($$UPDATE strategy_kinds SET policy = 'public.own_policy' WHERE kind = 'stake'$$, '42501', NULL,
	'nor swap one into a registered kind');
SELECT lives_ok($$UPDATE strategy_kinds SET description = description WHERE kind = 'stake'$$,
	'the extension owner''s functions stay registered');
-- An owner's function of another signature in a schema the admin can write:
-- the engine would have called it by name, and reached an overload the
-- admin adds beside it.
SELECT throws_ok($$UPDATE strategy_kinds SET policy = 'strategy_validate_stake' WHERE kind = 'stake'$$, '42P13',
	'function amplified.strategy_validate_stake cannot be registered in strategy_kinds.policy: it must take (amplified.strategies, jsonb) and return jsonb',
	'an owner''s function of another signature is refused: a slot takes exactly its signature');
RESET ROLE;
SELECT is(registry_call_name('strategy_policy_stake'), 'amplified.strategy_policy_stake',
	'the engine calls a registered function by its schema-qualified name');
SELECT is((SELECT policy::text FROM strategy_kinds WHERE kind = 'stake'), 'strategy_policy_stake', 'the stake kind kept its policy');
ALTER FUNCTION public.own_policy(amplified.strategies, jsonb) OWNER TO CURRENT_USER;
SELECT lives_ok($$INSERT INTO strategy_kinds (kind, validate, sync, gather, policy, description) VALUES ('mine', 'strategy_validate_stake', 'strategy_sync_stake',
	'strategy_gather_stake', 'public.own_policy', 'x')$$,
	'once the extension''s owner has taken the function over, it may be registered');
SELECT is(has_function_privilege('public', 'public.own_policy(amplified.strategies, jsonb)', 'EXECUTE'), false,
	'registering a kind takes EXECUTE on its functions from PUBLIC: its grants follow from its row');
SELECT is((SELECT builtin FROM strategy_kinds WHERE kind = 'mine'), false, 'a kind registered after install is not builtin: pg_dump keeps it');
SELECT is((SELECT array_agg(kind ORDER BY kind) FROM strategy_kinds WHERE builtin), ARRAY['allocate', 'hedge', 'lend', 'leverage', 'lp_univ3', 'stake'],
	'the kinds shipped with the extension are builtin (their rows are the install script''s, not dumped)');
SELECT is((SELECT ARRAY[c.condition] FROM pg_extension e, unnest(e.extconfig, e.extcondition) c(rel, condition)
			WHERE e.extname = 'amplified' AND c.rel = 'amplified.strategy_kinds'::regclass),
	ARRAY['WHERE NOT builtin'], 'pg_dump dumps the kinds that are not builtin');
SET LOCAL ROLE amp_test_admin;
SELECT throws_ok($$INSERT INTO strategy_kinds (kind, validate, sync, gather, policy, description, builtin) VALUES ('mine2', 'strategy_validate_stake', 'strategy_sync_stake',
	'strategy_gather_stake', 'public.own_policy', 'x', true)$$, '42501', NULL, 'an admin may not mark a kind builtin');
SELECT throws_ok($$UPDATE strategy_kinds SET builtin = false WHERE kind = 'stake'$$, '42501', NULL,
	'nor unmark one');
SELECT throws_ok($$DELETE FROM strategy_kinds WHERE kind = 'stake'$$, '42501',
	'a builtin row of strategy_kinds is the extension''s own: it cannot be deleted', 'nor delete a builtin kind');
SELECT throws_ok($$UPDATE strategy_kinds SET kind = 'stake2' WHERE kind = 'stake'$$, '42501', NULL,
	'nor rename one (pg_dump would not keep the change)');
SELECT lives_ok($$UPDATE strategy_kinds SET description = description || '.' WHERE kind = 'stake'$$,
	'but may describe it');
RESET ROLE;
DELETE FROM strategy_kinds WHERE kind = 'mine';

-- ---- the typed seam: a policy's result, checked key by key ----
SELECT throws_ok($$SELECT strategy_result(1, '{"action": "open", "intent": []}')$$, '22023',
	'policy of strategy 1 returned an unknown key "intent"', 'a misspelt key of a policy''s result is an error, not a missing intent');
SELECT throws_ok($$SELECT strategy_result(1, '{"action": "Open!"}')$$, '22023', NULL, 'an action that is not a word');
SELECT throws_ok($$SELECT strategy_result(1, '{"action": "open", "reasons": "because"}')$$, '22023', NULL, 'reasons not an array');
SELECT throws_ok($$SELECT strategy_result(1, '{"action": "open", "intents": [{"step": "x", "target": "0x00000000000000000000000000000000000000a0", "data": "0xzz"}]}')$$,
	'22023', NULL, 'an intent whose data is not hex');
SELECT throws_ok($$SELECT strategy_result(1, '{"action": "open", "intents": [{"step": "x", "to": "0x00000000000000000000000000000000000000a0", "data": "0x"}]}')$$,
	'22023', NULL, 'an intent with a misspelt key');
SELECT throws_ok($$SELECT strategy_result(1, '{"action": "open", "proposal": {"action": "open", "turnovr": 1}}')$$, '22023',
	'proposal has an unknown field "turnovr"', 'a misspelt key of the proposal is an error, not a limit silently skipped');
SELECT is((SELECT (i).value FROM unnest((strategy_result(1, $j${"action": "send", "intents": [
			{"step": "send", "target": "0x00000000000000000000000000000000000000a0", "value": "5000", "data": "0x"}]}$j$)).intents) i),
	'5000'::uint256, 'an intent carries its wei value (strategy_intent''s value argument)');
SELECT is(strategy_intent('send', '0x00000000000000000000000000000000000000a0', '', 'n', '7') ->> 'value', '7',
	'strategy_intent takes a value');
SELECT is(((strategy_result(1, '{"action": "deleverage", "proposal": {"action": "deleverage", "reduces_risk": true,
			"exposures": [{"asset": "0x00000000000000000000000000000000000000a0", "ltv": 0.5, "health_factor": 1.9}]}}')).proposal).exposures[1].health_factor,
	1.9::float8, 'a proposal carries typed exposures to the risk gate');
SELECT throws_ok($$SELECT strategy_create('x', 'lp_univ3', 42, '0x00000000000000000000000000000000000000f0', (SELECT p FROM lp_params))$$,
	'42704', 'chain 42 is not configured', 'unknown chain');

CREATE TEMP TABLE lp AS SELECT * FROM strategy_create('lp vault', 'lp_univ3', 999001,
	'0x00000000000000000000000000000000000000f0', (SELECT p FROM lp_params), enabled => true);
SELECT is((SELECT params ->> 'slippage_bps' FROM lp), '50', 'defaults are filled: slippage 50 bps');
SELECT is((SELECT params ->> 'numeraire' FROM lp), 'token1', 'defaults are filled: numeraire token1');
SELECT throws_ok($$SELECT strategy_create('lp vault 2', 'lp_univ3', 999001, '0x00000000000000000000000000000000000000F0', (SELECT p FROM lp_params))$$,
	'23505', NULL, 'one strategy per owner address');
SELECT throws_ok($$SELECT strategy_create('lp vault', 'lp_univ3', 999001, '0x00000000000000000000000000000000000000f9', (SELECT p FROM lp_params))$$,
	'23505', NULL, 'names are unique');

-- update, enable, disable
SELECT is((SELECT params ->> 'slippage_bps' FROM strategy_update((SELECT id FROM lp), '{"slippage_bps": 30}')), '30', 'update merges a parameter');
-- Where a vault's funds may go is the admin's: strategy_update names no new
-- contract (it would approve the vault's tokens to it and call it).
SELECT throws_ok($$SELECT strategy_update((SELECT id FROM lp), '{"position_manager": "0x00000000000000000000000000000000000000ee"}')$$,
	'42501', 'strategy_update may not name new contracts for strategy ' || (SELECT id FROM lp) || ': position_manager = 0x00000000000000000000000000000000000000eE',
	'strategy_update cannot point a strategy at a new contract');
SELECT throws_ok($$SELECT strategy_update((SELECT id FROM lp), '{"swap_router": "0x00000000000000000000000000000000000000c0"}')$$,
	'42501', NULL, 'nor move a contract it names to another slot');
SELECT is((SELECT params ->> 'position_manager' FROM strategies WHERE id = (SELECT id FROM lp)),
	'0x00000000000000000000000000000000000000c0', 'the refused update changed nothing');
SELECT is((SELECT params ->> 'position_manager' FROM strategy_update_contracts((SELECT id FROM lp),
	'{"position_manager": "0x00000000000000000000000000000000000000ee"}')), '0x00000000000000000000000000000000000000ee',
	'strategy_update_contracts (the admin''s) may');
SELECT lives_ok($$SELECT strategy_update_contracts((SELECT id FROM lp), '{"position_manager": "0x00000000000000000000000000000000000000c0"}')$$,
	'and puts it back');
SELECT is((SELECT params ? 'sigma' FROM strategy_update((SELECT id FROM lp), '{"sigma": null}')), false, 'update: null removes a parameter');
SELECT throws_ok($$SELECT strategy_update((SELECT id FROM lp), '{"k": 0}')$$, '22023', NULL, 'update validates again');
SELECT is((SELECT params ->> 'k' FROM strategies WHERE id = (SELECT id FROM lp)), '2', 'a refused update changes nothing');
SELECT lives_ok($$SELECT strategy_update((SELECT id FROM lp), '{"sigma": 0.01, "slippage_bps": 50}')$$, 'restore the parameters');
SELECT is(strategy_disable((SELECT id FROM lp)), true, 'disable');
SELECT is(strategy_disable((SELECT id FROM lp)), false, 'disable again: no change');
SELECT is(strategy_enable((SELECT id FROM lp)), true, 'enable');
SELECT throws_ok($$SELECT strategy_enable(-1)$$, '42704', NULL, 'enable an unknown strategy');

-- ---- lp_univ3: open ----

INSERT INTO positions (strategy_id, protocol, asset, amount, block_number) VALUES
	((SELECT id FROM lp), 'token', '0x00000000000000000000000000000000000000a0', '10000000000000000000', 12),
	((SELECT id FROM lp), 'token', '0x00000000000000000000000000000000000000b0', '10000000000000000000', 12);

CREATE TEMP TABLE run1 AS SELECT run_strategies(sync => false) AS r;
SELECT is((SELECT r -> 'results' -> 0 ->> 'outcome' FROM run1), 'enqueued', 'run 1: the lp vault opens');
SELECT is((SELECT (r ->> 'enqueued')::int FROM run1), 1, 'run 1 summary: one decision enqueued');
CREATE TEMP TABLE d1 AS SELECT * FROM decisions WHERE strategy_id = (SELECT id FROM lp) ORDER BY id DESC LIMIT 1;
SELECT is((SELECT ROW(action, status, reasons, block_number) FROM d1), ROW('open'::text, 'enqueued'::text, '{no_position}'::text[], 12::bigint),
	'decision: open, enqueued, reason no_position, at block 12');
SELECT is((SELECT inputs -> 'pool' ->> 'tick' FROM d1), '5', 'the inputs snapshot holds the pool state');

-- The plan is univ3_alm_plan of the vault's holdings, computed here on its own.
SELECT is((SELECT plan -> 'rows' FROM d1),
	(SELECT jsonb_agg(to_jsonb(x)) FROM univ3_alm_plan(univ3_sqrt_price_at_tick(5), 10, 0.01, 1,
		'10000000000000000000', '10000000000000000000', '{"k": 2}') x), 'plan = univ3_alm_plan(holdings)');
SELECT is((SELECT array_agg(i ->> 'step' ORDER BY o) FROM d1, jsonb_array_elements(d1.intents) WITH ORDINALITY e(i, o)),
	ARRAY['approve', 'approve', 'mint', 'mint'], 'intents: approve both tokens, mint base and limit');

-- The queue holds them, with the decision, the strategy and deterministic keys.
SELECT is((SELECT array_agg(t.idempotency_key ORDER BY t.id) FROM tx_intents t WHERE t.decision_id = (SELECT id FROM d1)),
	(SELECT array_agg(format('strategy:%s:block:12:%s:%s', (SELECT id FROM lp), o, i ->> 'step') ORDER BY o)
	   FROM d1, jsonb_array_elements(d1.intents) WITH ORDINALITY e(i, o)), 'idempotency keys strategy:ID:block:N:SEQ:STEP');
SELECT is((SELECT array_agg(t.id ORDER BY t.id) FROM tx_intents t WHERE t.decision_id = (SELECT id FROM d1)),
	(SELECT intent_ids FROM d1), 'decision.intent_ids are the queued intents');
SELECT ok((SELECT bool_and(t.strategy_id = (SELECT id FROM lp) AND t.sender = '0x00000000000000000000000000000000000000f0'
		AND t.status = 'pending' AND t.valid_until = (SELECT chain_time FROM d1) + interval '1 day')
	FROM tx_intents t WHERE t.decision_id = (SELECT id FROM d1)), 'intents: strategy, owner as sender, pending, valid for deadline_seconds');
SELECT is((SELECT array_agg(t.data ORDER BY t.id) FROM tx_intents t WHERE t.decision_id = (SELECT id FROM d1)),
	(SELECT array_agg(decode(substr(i ->> 'data', 3), 'hex') ORDER BY o) FROM d1, jsonb_array_elements(d1.intents) WITH ORDINALITY e(i, o)),
	'queued calldata = the decision''s intents');

-- Calldata decoded back: approvals of what the mints take, mints of the plan rows.
SELECT is((SELECT substring(t.data FROM 1 FOR 4) FROM tx_intents t WHERE t.idempotency_key LIKE '%:1:approve'),
	selector('approve(address,uint256)'), 'approve selector');
SELECT is((SELECT abi_decode('(address,uint256)', substring(t.data FROM 5)) FROM tx_intents t WHERE t.idempotency_key = format('strategy:%s:block:12:1:approve', (SELECT id FROM lp))),
	jsonb_build_array('0x00000000000000000000000000000000000000c0'::address::text,
		(SELECT sum((r ->> 'amount0')::numeric)::text FROM d1, jsonb_array_elements(d1.plan -> 'rows') r WHERE r ->> 'role' <> 'idle')),
	'approve token0 to the position manager: the sum of the mints'' amount0');
SELECT is((SELECT target FROM tx_intents t WHERE t.idempotency_key = format('strategy:%s:block:12:2:approve', (SELECT id FROM lp))),
	'0x00000000000000000000000000000000000000b0'::address, 'the second approval is on token1');
CREATE TEMP TABLE mints AS
	SELECT o, abi_decode('((address,address,uint24,int24,int24,uint256,uint256,uint256,uint256,address,uint256))',
						 substring(t.data FROM 5)) -> 0 AS m, substring(t.data FROM 1 FOR 4) AS sel
	  FROM tx_intents t, LATERAL (SELECT split_part(t.idempotency_key, ':', 5)::int AS o) x
	 WHERE t.decision_id = (SELECT id FROM d1) AND t.idempotency_key LIKE '%:mint';
SELECT ok((SELECT bool_and(sel = selector('mint((address,address,uint24,int24,int24,uint256,uint256,uint256,uint256,address,uint256))')) FROM mints),
	'mint selector');
SELECT is((SELECT jsonb_agg(jsonb_build_array(m -> 3, m -> 4, m ->> 5, m ->> 6) ORDER BY o) FROM mints),
	(SELECT jsonb_agg(jsonb_build_array(r ->> 'tick_lower', r ->> 'tick_upper', r ->> 'amount0', r ->> 'amount1'))
	   FROM d1, jsonb_array_elements(d1.plan -> 'rows') r WHERE r ->> 'role' <> 'idle'),
	'mints: the plan''s ranges and amounts, base then limit');
SELECT is((SELECT jsonb_agg(jsonb_build_array(m ->> 7, m ->> 8) ORDER BY o) FROM mints),
	(SELECT jsonb_agg(jsonb_build_array(strategy_amount_min((r ->> 'amount0')::uint256, 50)::text,
										strategy_amount_min((r ->> 'amount1')::uint256, 50)::text))
	   FROM d1, jsonb_array_elements(d1.plan -> 'rows') r WHERE r ->> 'role' <> 'idle'),
	'mints: minimums 50 bps under the amounts');
SELECT ok((SELECT bool_and((m ->> 0)::address = '0x00000000000000000000000000000000000000a0' AND (m ->> 1)::address = '0x00000000000000000000000000000000000000b0'
		AND m ->> 2 = '500' AND (m ->> 9)::address = '0x00000000000000000000000000000000000000f0'
		AND (m ->> 10)::bigint = extract(epoch FROM (SELECT chain_time FROM d1))::bigint + 86400) FROM mints),
	'mints: tokens, fee, the owner as recipient, deadline = block time + deadline_seconds');
-- The liquidity each mint gets at that price is the plan's.
SELECT is((SELECT jsonb_agg(univ3_liquidity_for_amounts(univ3_sqrt_price_at_tick(5), univ3_sqrt_price_at_tick((m ->> 3)::int),
		univ3_sqrt_price_at_tick((m ->> 4)::int), (m ->> 5)::uint256, (m ->> 6)::uint256)::text ORDER BY o) FROM mints),
	(SELECT jsonb_agg(r ->> 'liquidity') FROM d1, jsonb_array_elements(d1.plan -> 'rows') r WHERE r ->> 'role' <> 'idle'),
	'the mints'' amounts give the plan''s liquidity');
SELECT is((SELECT proposal - 'value' - 'exposures' FROM d1), jsonb_build_object('action', 'open', 'reduces_risk', false,
	'turnover', (SELECT proposal -> 'turnover' FROM d1), 'slippage_bps', 50,
	'assets', jsonb_build_array('0x00000000000000000000000000000000000000a0'::address::text, '0x00000000000000000000000000000000000000b0'::address::text),
	'chain_id', 999001), 'the proposal the risk gate saw');
-- Its exposures: per token, the minted ranges' exact amounts at the price
-- plus what the wallet keeps, and the ranges' gamma (univ3_position_greeks).
SELECT is((SELECT jsonb_agg(jsonb_build_array(e ->> 'asset', (e ->> 'delta')::numeric)) FROM d1, jsonb_array_elements(d1.proposal -> 'exposures') e),
	(SELECT jsonb_build_array(
		jsonb_build_array('0x00000000000000000000000000000000000000a0',
			sum(g.amount0::numeric) + (d1.inputs -> 'wallet' ->> 'amount0')::numeric - sum((r ->> 'amount0')::numeric)),
		jsonb_build_array('0x00000000000000000000000000000000000000B0',
			sum(g.amount1::numeric) + (d1.inputs -> 'wallet' ->> 'amount1')::numeric - sum((r ->> 'amount1')::numeric)))
	   FROM d1, jsonb_array_elements(d1.plan -> 'rows') r
	  CROSS JOIN LATERAL univ3_position_greeks(univ3_sqrt_price_at_tick(5), (r ->> 'tick_lower')::int, (r ->> 'tick_upper')::int,
			(r ->> 'liquidity')::uint256) g
	  WHERE r ->> 'role' <> 'idle' GROUP BY d1.inputs),
	'the proposal''s exposures: the ranges'' exact amounts plus what the wallet keeps, per token');
SELECT is((SELECT (d1.proposal -> 'exposures' -> 0 ->> 'gamma')::float8 FROM d1),
	(SELECT sum(g.gamma) FROM d1, jsonb_array_elements(d1.plan -> 'rows') r
	  CROSS JOIN LATERAL univ3_position_greeks(univ3_sqrt_price_at_tick(5), (r ->> 'tick_lower')::int, (r ->> 'tick_upper')::int,
			(r ->> 'liquidity')::uint256) g WHERE r ->> 'role' <> 'idle'),
	'token0''s exposure carries the ranges'' gamma');
SELECT is(round((SELECT (proposal ->> 'value')::numeric FROM d1), 9),
	round(10 + 10 * (SELECT strategy_price1per0(univ3_sqrt_price_at_tick(5), 18, 18)), 9), 'proposal value: 10 token1 + 10 token0 at the price');
SELECT is((SELECT risk_allowed FROM d1), true, 'the risk gate allowed it');

-- Idempotent: no new block, nothing new.
CREATE TEMP TABLE run2 AS SELECT run_strategies(sync => false) AS r;
SELECT is((SELECT r -> 'results' -> 0 ->> 'outcome' FROM run2), 'unchanged', 'run 2, same block: unchanged');
SELECT is((SELECT count(*)::int FROM decisions), 1, 'run 2 wrote no decision');
SELECT is((SELECT count(*)::int FROM tx_intents), 4, 'run 2 enqueued nothing');
-- Replaying the decision's enqueue gives the same intents (txq_enqueue idempotency).
SELECT is((SELECT txq_enqueue(999001, '0x00000000000000000000000000000000000000f0', t.target, t.value, t.data,
	jsonb_build_object('idempotency_key', t.idempotency_key)) FROM tx_intents t WHERE t.id = (SELECT intent_ids[3] FROM d1)),
	(SELECT intent_ids[3] FROM d1), 'the same key names the same intent');

-- A new block while the intents are in flight: wait.
SELECT pg_temp.add_block(13);
SELECT is((SELECT run_strategies(sync => false) -> 'results' -> 0 ->> 'outcome'), 'waiting', 'intents in flight: waiting');

-- The worker mined them at block 14; ingestion is at 13: still wait.
UPDATE tx_intents SET status = 'confirmed', nonce = id, block_number = 14 WHERE decision_id = (SELECT id FROM d1);
SELECT is((SELECT run_strategies(sync => false) -> 'results' -> 0 ->> 'outcome'), 'waiting', 'mined past the ingested head: waiting');

-- Block 14 ingested: the chain now shows the two positions.
SELECT pg_temp.add_block(14);
DELETE FROM positions WHERE strategy_id = (SELECT id FROM lp);
INSERT INTO positions (strategy_id, protocol, asset, amount, block_number)
	SELECT (SELECT id FROM lp), 'token', '0x00000000000000000000000000000000000000a0'::address, '0'::int256, 14
	UNION ALL SELECT (SELECT id FROM lp), 'token', '0x00000000000000000000000000000000000000b0'::address, '0'::int256, 14;
INSERT INTO positions (strategy_id, protocol, asset, position_id, amount, detail, block_number)
	SELECT (SELECT id FROM lp), 'univ3', '0x00000000000000000000000000000000000000c0', 100 + o, (r ->> 'liquidity')::int256,
		   jsonb_build_object('pool', '0x00000000000000000000000000000000000000e0', 'tick_lower', (r ->> 'tick_lower')::int,
							  'tick_upper', (r ->> 'tick_upper')::int, 'owed0', '1000', 'owed1', '2000'), 14
	  FROM d1, jsonb_array_elements(d1.plan -> 'rows') WITH ORDINALITY e(r, o) WHERE r ->> 'role' <> 'idle';
SELECT is((SELECT run_strategies(sync => false) -> 'results' -> 0 ->> 'outcome'), 'noop', 'block 14: in range, hold');
SELECT is((SELECT ROW(action, status, reasons) FROM decisions ORDER BY id DESC LIMIT 1),
	ROW('hold'::text, 'noop'::text, '{in_range}'::text[]), 'hold for reason in_range');
SELECT pg_temp.add_block(15);
SELECT is((SELECT run_strategies(sync => false) -> 'results' -> 0 ->> 'outcome'), 'repeated', 'block 15: the same hold again');
SELECT is((SELECT ROW(repeats, block_number, last_block_number) FROM decisions ORDER BY id DESC LIMIT 1),
	ROW(1, 14::bigint, 15::bigint), 'a repeated hold extends its row');
SELECT is((SELECT count(*)::int FROM decisions), 2, 'still two decisions');

-- ---- the price leaves the range; the kill switch blocks the rebalance ----

SELECT pg_temp.add_block(16);
SELECT pg_temp.pool_state('0x00000000000000000000000000000000000000e0', 16, 300, '1000000000000000000000');
SELECT risk_halt('test: kill switch');
SELECT is((SELECT run_strategies(sync => false) -> 'results' -> 0 ->> 'outcome'), 'blocked', 'kill switch: blocked');
CREATE TEMP TABLE d_blocked AS SELECT * FROM decisions ORDER BY id DESC LIMIT 1;
SELECT is((SELECT ROW(action, status, reasons, risk_allowed, risk_level, risk_reasons) FROM d_blocked),
	ROW('rebalance'::text, 'blocked'::text, '{out_of_range}'::text[], false, 'halt'::text, '{kill_switch}'::text[]),
	'blocked: the rebalance, why it was wanted, why it was refused');
SELECT is((SELECT intent_ids FROM d_blocked), '{}'::bigint[], 'a blocked decision enqueues nothing');
SELECT is((SELECT count(*)::int FROM tx_intents), 4, 'the queue did not grow');
SELECT ok((SELECT jsonb_array_length(intents) > 0 FROM d_blocked), 'the blocked decision still records what it would have done');
SELECT pg_temp.add_block(17);
SELECT is((SELECT run_strategies(sync => false) -> 'results' -> 0 ->> 'outcome'), 'repeated', 'still halted: the blocked row repeats');
SELECT is((SELECT ROW(id, repeats, last_block_number) FROM decisions ORDER BY id DESC LIMIT 1),
	ROW((SELECT id FROM d_blocked), 1, 17::bigint), 'no new row for the same block reason');

-- ---- resumed: the rebalance goes through ----

SELECT risk_resume();
SELECT pg_temp.add_block(18);
SELECT is((SELECT run_strategies(sync => false) -> 'results' -> 0 ->> 'outcome'), 'enqueued', 'resumed: rebalance enqueued');
CREATE TEMP TABLE d2 AS SELECT * FROM decisions ORDER BY id DESC LIMIT 1;
SELECT is((SELECT ROW(action, reasons, block_number) FROM d2), ROW('rebalance'::text, '{out_of_range}'::text[], 18::bigint),
	'rebalance at block 18 for out_of_range');
SELECT is((SELECT array_agg(i ->> 'step' ORDER BY o) FROM d2, jsonb_array_elements(d2.intents) WITH ORDINALITY e(i, o)),
	ARRAY['decrease_liquidity', 'collect', 'burn', 'decrease_liquidity', 'collect', 'burn', 'approve', 'approve', 'mint', 'mint'],
	'withdraw, collect and burn each position, approve, mint');
-- Holdings the plan starts from: each position's amounts at the new price (rounded down) and its owed fees.
SELECT is((SELECT ARRAY[plan ->> 'holdings0', plan ->> 'holdings1'] FROM d2),
	(SELECT ARRAY[sum(a.amount0::numeric + 1000)::text, sum(a.amount1::numeric + 2000)::text]
	   FROM v_univ3_positions p, univ3_amounts_for_liquidity(univ3_sqrt_price_at_tick(300), univ3_sqrt_price_at_tick(p.tick_lower),
			univ3_sqrt_price_at_tick(p.tick_upper), p.liquidity) a
	  WHERE p.strategy_id = (SELECT id FROM lp)), 'plan holdings: withdrawn amounts plus owed fees');
SELECT is((SELECT plan -> 'rows' FROM d2),
	(SELECT jsonb_agg(to_jsonb(x)) FROM univ3_alm_plan(univ3_sqrt_price_at_tick(300), 10, 0.01, 1,
		(SELECT (plan ->> 'holdings0')::uint256 FROM d2), (SELECT (plan ->> 'holdings1')::uint256 FROM d2), '{"k": 2}') x),
	'the new plan is univ3_alm_plan at the new price');
SELECT is((SELECT jsonb_agg(abi_decode('((uint256,uint128,uint256,uint256,uint256))', substring(decode(substr(i ->> 'data', 3), 'hex') FROM 5)) -> 0 -> 0 ORDER BY o)
	FROM d2, jsonb_array_elements(d2.intents) WITH ORDINALITY e(i, o) WHERE i ->> 'step' = 'decrease_liquidity'),
	'["101", "102"]'::jsonb, 'decreaseLiquidity of positions 101 and 102');
SELECT is((SELECT jsonb_agg(abi_decode('((uint256,uint128,uint256,uint256,uint256))', substring(decode(substr(i ->> 'data', 3), 'hex') FROM 5)) -> 0 -> 1 ORDER BY o)
	FROM d2, jsonb_array_elements(d2.intents) WITH ORDINALITY e(i, o) WHERE i ->> 'step' = 'decrease_liquidity'),
	(SELECT jsonb_agg(liquidity::text ORDER BY token_id) FROM v_univ3_positions), 'decreaseLiquidity of all their liquidity');
SELECT is((SELECT jsonb_agg(abi_decode('((uint256,address,uint128,uint128))', substring(decode(substr(i ->> 'data', 3), 'hex') FROM 5)) -> 0 ORDER BY o)
	FROM d2, jsonb_array_elements(d2.intents) WITH ORDINALITY e(i, o) WHERE i ->> 'step' = 'collect'),
	'[["101", "0x00000000000000000000000000000000000000F0", "340282366920938463463374607431768211455", "340282366920938463463374607431768211455"],
	  ["102", "0x00000000000000000000000000000000000000F0", "340282366920938463463374607431768211455", "340282366920938463463374607431768211455"]]'::jsonb,
	'collect everything to the owner');
SELECT is((SELECT jsonb_agg(abi_decode('(uint256)', substring(decode(substr(i ->> 'data', 3), 'hex') FROM 5)) ORDER BY o)
	FROM d2, jsonb_array_elements(d2.intents) WITH ORDINALITY e(i, o) WHERE i ->> 'step' = 'burn'),
	'[["101"], ["102"]]'::jsonb, 'burn both NFTs');
SELECT is((SELECT count(*)::int FROM tx_intents WHERE decision_id = (SELECT id FROM d2)), 10, 'ten intents queued');

-- ---- the swap option: the swap is strategy_lp_swap's, the plan is made after it ----

SAVEPOINT before_swap;
UPDATE tx_intents SET status = 'cancelled' WHERE decision_id = (SELECT id FROM d2);
SELECT lives_ok($$SELECT strategy_update((SELECT id FROM lp), '{"swap": true, "min_swap_share": 0}')$$, 'turn the swap on');
SELECT pg_temp.add_block(19);
SELECT is((SELECT run_strategies(sync => false) -> 'results' -> 0 ->> 'outcome'), 'enqueued', 'swap variant: enqueued');
CREATE TEMP TABLE d3 AS SELECT * FROM decisions ORDER BY id DESC LIMIT 1;
CREATE TEMP TABLE sw3 AS SELECT x.* FROM d3, strategy_lp_swap(univ3_sqrt_price_at_tick(300),
	(1000000000000000000000 - (SELECT sum(liquidity::numeric) FROM v_univ3_positions WHERE tick_lower <= 300 AND tick_upper > 300))::uint256,
	500, (SELECT (r ->> 'tick_lower')::int FROM d2, jsonb_array_elements(d2.plan -> 'rows') r WHERE r ->> 'role' = 'base'),
	(SELECT (r ->> 'tick_upper')::int FROM d2, jsonb_array_elements(d2.plan -> 'rows') r WHERE r ->> 'role' = 'base'),
	(d3.inputs -> 'nfts' -> 0 ->> 'amount0')::uint256 + (d3.inputs -> 'nfts' -> 1 ->> 'amount0')::uint256 + 2000,
	(d3.inputs -> 'nfts' -> 0 ->> 'amount1')::uint256 + (d3.inputs -> 'nfts' -> 1 ->> 'amount1')::uint256 + 4000) x;
SELECT is((SELECT abi_decode('((address,address,uint24,address,uint256,uint256,uint256,uint160))', substring(decode(substr(i ->> 'data', 3), 'hex') FROM 5)) -> 0
	FROM d3, jsonb_array_elements(d3.intents) i WHERE i ->> 'step' = 'swap'),
	(SELECT jsonb_build_array(CASE WHEN zero_for_one THEN '0x00000000000000000000000000000000000000a0'::address::text ELSE '0x00000000000000000000000000000000000000b0'::address::text END,
		CASE WHEN zero_for_one THEN '0x00000000000000000000000000000000000000b0'::address::text ELSE '0x00000000000000000000000000000000000000a0'::address::text END,
		'500', '0x00000000000000000000000000000000000000f0'::address::text, (SELECT (extract(epoch FROM chain_time)::bigint + 86400)::text FROM d3),
		amount_in::text, strategy_amount_min(amount_out, 50)::text, '0') FROM sw3),
	'exactInputSingle: strategy_lp_swap''s input (active liquidity less the vault''s), 50 bps under its output');
SELECT is((SELECT plan -> 'swap' ->> 'sqrt_price_after' FROM d3), (SELECT sqrt_price_after::text FROM sw3), 'the plan is made at the price after the swap');
SELECT is((SELECT array_agg(i ->> 'step' ORDER BY o) FROM d3, jsonb_array_elements(d3.intents) WITH ORDINALITY e(i, o) WHERE o > 6),
	ARRAY['approve', 'swap', 'approve', 'approve', 'mint', 'mint'], 'approve the router, swap, approve, mint');
ROLLBACK TO SAVEPOINT before_swap;

-- ---- stake ----

-- Two LSTs paired with a base token (their rates are in lst_rates since block 1).
SELECT pg_temp.pool_state('0x00000000000000000000000000000000000000e1', 1, -1740, '5000000000000000000000');
SELECT pg_temp.pool_state('0x00000000000000000000000000000000000000e2', 1, 580, '5000000000000000000000');
CREATE TEMP TABLE st_params AS SELECT jsonb_build_object(
	'base_token', '0x00000000000000000000000000000000000000a1', 'base_decimals', 18,
	'swap_router', '0x00000000000000000000000000000000000000d0', 'apr_window', '30 minutes', 'deadline_seconds', 86400,
	'candidates', jsonb_build_array(
		jsonb_build_object('token', '0x00000000000000000000000000000000000000b1', 'pool', '0x00000000000000000000000000000000000000e1', 'fee', 500, 'decimals', 18),
		jsonb_build_object('token', '0x00000000000000000000000000000000000000b2', 'pool', '0x00000000000000000000000000000000000000e2', 'fee', 500, 'decimals', 18))) AS p;
SELECT throws_ok($$SELECT strategy_create('st', 'stake', 999001, '0x00000000000000000000000000000000000000f1',
	(SELECT p || '{"candidates": []}' FROM st_params))$$, '22023', NULL, 'stake needs candidates');
SELECT throws_ok($$SELECT strategy_create('st', 'stake', 999001, '0x00000000000000000000000000000000000000f1',
	(SELECT p || jsonb_build_object('base_token', '0x00000000000000000000000000000000000000b1') FROM st_params))$$, '22023', NULL,
	'a candidate cannot be the base token');
SELECT throws_ok($$SELECT strategy_create('st', 'stake', 999001, '0x00000000000000000000000000000000000000f1',
	(SELECT p || '{"stake_share": 2}' FROM st_params))$$, '22023', NULL, 'stake_share within [0, 1]');
CREATE TEMP TABLE st AS SELECT * FROM strategy_create('stake vault', 'stake', 999001,
	'0x00000000000000000000000000000000000000f1', (SELECT p FROM st_params), enabled => true);
SELECT is((SELECT params -> 'candidates' -> 0 ->> 'base_is_token0'), 'true', 'base_is_token0 filled from the token order')
  FROM st;
INSERT INTO positions (strategy_id, protocol, asset, amount, block_number) VALUES
	((SELECT id FROM st), 'token', '0x00000000000000000000000000000000000000a1', '5000000000000000000', 18),
	((SELECT id FROM st), 'token', '0x00000000000000000000000000000000000000b1', '0', 18),
	((SELECT id FROM st), 'token', '0x00000000000000000000000000000000000000b2', '0', 18);
SELECT is((SELECT e ->> 'outcome' FROM jsonb_array_elements(run_strategies(sync => false, strategy_ids => ARRAY[(SELECT id FROM st)]) -> 'results') e),
	'enqueued', 'stake: enqueued');
CREATE TEMP TABLE d4 AS SELECT * FROM decisions WHERE strategy_id = (SELECT id FROM st) ORDER BY id DESC LIMIT 1;
SELECT is((SELECT ROW(action, reasons) FROM d4), ROW('stake'::text, '{idle_base}'::text[]), 'stake idle base');
SELECT is((SELECT plan ->> 'best' FROM d4), '0x00000000000000000000000000000000000000b2'::address::text, 'the faster-growing LST is chosen');
SELECT is(round((SELECT (plan ->> 'best_apr')::numeric FROM d4), 12),
	round(yield_apr_window(999001, '0x00000000000000000000000000000000000000b2', '30 minutes', (SELECT chain_time FROM d4))::numeric, 12),
	'its APR is yield_apr_window''s');
SELECT is((SELECT abi_decode('((address,address,uint24,address,uint256,uint256,uint256,uint160))', substring(decode(substr(i ->> 'data', 3), 'hex') FROM 5)) -> 0
	FROM d4, jsonb_array_elements(d4.intents) i WHERE i ->> 'step' = 'swap'),
	jsonb_build_array('0x00000000000000000000000000000000000000a1'::address::text, '0x00000000000000000000000000000000000000b2'::address::text, '500',
		'0x00000000000000000000000000000000000000f1'::address::text, (SELECT (extract(epoch FROM chain_time)::bigint + 86400)::text FROM d4),
		'5000000000000000000',
		strategy_amount_min((univ3_swap_step(univ3_sqrt_price_at_tick(580), univ3_min_sqrt_price() + 1, '5000000000000000000000',
			'5000000000000000000', 500)).amount_out, 50)::text, '0'),
	'exactInputSingle base -> best, minimum 50 bps under SwapMath''s output');
SELECT is((SELECT array_agg(i ->> 'step') FROM d4, jsonb_array_elements(d4.intents) i), ARRAY['approve', 'swap'], 'approve the router, swap');

-- Limits: a position value cap blocks the next stake.
UPDATE tx_intents SET status = 'confirmed', nonce = id, block_number = 18 WHERE decision_id = (SELECT id FROM d4);
SELECT lives_ok($$SELECT risk_set_limits((SELECT id FROM st), max_position_value => 1)$$, 'cap the stake vault at 1');
SELECT pg_temp.add_block(19);
SELECT is((SELECT e ->> 'outcome' FROM jsonb_array_elements(run_strategies(sync => false, strategy_ids => ARRAY[(SELECT id FROM st)]) -> 'results') e),
	'blocked', 'over the cap: blocked');
SELECT is((SELECT risk_reasons FROM decisions WHERE strategy_id = (SELECT id FROM st) ORDER BY id DESC LIMIT 1),
	'{limit:max_position_value}'::text[], 'blocked by limit:max_position_value');

-- Holding the slower LST, with the faster one halted by a breaker: hold on;
-- with the breaker gone, switch (slower -> base -> faster in one exactInput).
UPDATE positions SET amount = '0' WHERE strategy_id = (SELECT id FROM st) AND asset = '0x00000000000000000000000000000000000000a1';
UPDATE positions SET amount = '2000000000000000000' WHERE strategy_id = (SELECT id FROM st) AND asset = '0x00000000000000000000000000000000000000b1';
SELECT lives_ok($$SELECT risk_set_limits((SELECT id FROM st))$$, 'lift the cap');
INSERT INTO circuit_breakers (name, kind, chain_id, asset, pool, halt_at, enabled)
	VALUES ('b2-depeg', 'depeg', 999001, '0x00000000000000000000000000000000000000b2', '0x00000000000000000000000000000000000000e2', 500, false);
INSERT INTO circuit_breaker_state (breaker_id, level, since, evaluated_at) VALUES ((SELECT id FROM circuit_breakers WHERE name = 'b2-depeg'), 'halt', now(), now());
SELECT is(risk_asset_level(999001, '0x00000000000000000000000000000000000000b2'), 'halt', 'asset risk level from the breaker state');
SELECT is(risk_asset_level(999001, '0x00000000000000000000000000000000000000b1'), 'ok', 'no breaker: ok');
SELECT pg_temp.add_block(20);
SELECT is((SELECT e ->> 'outcome' FROM jsonb_array_elements(run_strategies(sync => false, strategy_ids => ARRAY[(SELECT id FROM st)]) -> 'results') e),
	'noop', 'faster LST halted: hold the slower one');
SELECT is((SELECT ROW(action, reasons, plan ->> 'best') FROM decisions WHERE strategy_id = (SELECT id FROM st) ORDER BY id DESC LIMIT 1),
	ROW('hold'::text, '{staked}'::text[], '0x00000000000000000000000000000000000000B1'::text), 'hold: staked in the best eligible');
DELETE FROM circuit_breakers WHERE name = 'b2-depeg';
SELECT pg_temp.add_block(21);
SELECT is((SELECT e ->> 'outcome' FROM jsonb_array_elements(run_strategies(sync => false, strategy_ids => ARRAY[(SELECT id FROM st)]) -> 'results') e),
	'enqueued', 'breaker gone: switch');
CREATE TEMP TABLE d5 AS SELECT * FROM decisions WHERE strategy_id = (SELECT id FROM st) ORDER BY id DESC LIMIT 1;
SELECT is((SELECT ROW(action, reasons) FROM d5), ROW('switch'::text, '{better_apr}'::text[]), 'switch for better_apr');
SELECT is((SELECT abi_decode('((bytes,address,uint256,uint256,uint256))', substring(decode(substr(i ->> 'data', 3), 'hex') FROM 5)) -> 0 -> 0
	FROM d5, jsonb_array_elements(d5.intents) i WHERE i ->> 'step' = 'swap'),
	to_jsonb('0x00000000000000000000000000000000000000b1' || '0001f4' || '00000000000000000000000000000000000000a1' || '0001f4'
			 || '00000000000000000000000000000000000000b2'), 'path: slower, fee 500, base, fee 500, faster');
SELECT is((SELECT abi_decode('((bytes,address,uint256,uint256,uint256))', substring(decode(substr(i ->> 'data', 3), 'hex') FROM 5)) -> 0 ->> 4
	FROM d5, jsonb_array_elements(d5.intents) i WHERE i ->> 'step' = 'swap'),
	(SELECT strategy_amount_min((univ3_swap_step(univ3_sqrt_price_at_tick(580), univ3_min_sqrt_price() + 1, '5000000000000000000000',
		(univ3_swap_step(univ3_sqrt_price_at_tick(-1740), univ3_max_sqrt_price() - 1, '5000000000000000000000', '2000000000000000000', 500)).amount_out::int256,
		500)).amount_out, 50)::text), 'switch minimum: both hops by SwapMath, 50 bps off');

-- ---- errors ----

SELECT lives_ok($$SELECT strategy_create('broken', 'lp_univ3', 999001, '0x00000000000000000000000000000000000000f2',
	(SELECT p || '{"pool": "0x00000000000000000000000000000000000000e9"}' FROM lp_params), enabled => true)$$, 'a strategy on a pool nobody ingests');
CREATE TEMP TABLE run_err AS SELECT run_strategies(sync => false) AS r;
SELECT is((SELECT e ->> 'outcome' FROM run_err, jsonb_array_elements(r -> 'results') e
	WHERE (e ->> 'strategy_id')::bigint = (SELECT id FROM strategies WHERE name = 'broken')), 'error', 'a failing strategy is an error outcome');
SELECT is((SELECT (r ->> 'errors')::int FROM run_err), 1, 'the summary counts it');
SELECT is((SELECT ROW(action, status, reasons) FROM decisions WHERE strategy_id = (SELECT id FROM strategies WHERE name = 'broken')),
	ROW('error'::text, 'error'::text, '{sqlstate_55000}'::text[]), 'recorded as an error decision with its SQLSTATE');
SELECT ok((SELECT error LIKE 'no ingested state of pool %' FROM decisions WHERE strategy_id = (SELECT id FROM strategies WHERE name = 'broken')),
	'with its message');
SELECT is((SELECT e ->> 'outcome' FROM jsonb_array_elements(run_strategies(sync => false) -> 'results') e
	WHERE (e ->> 'strategy_id')::bigint = (SELECT id FROM strategies WHERE name = 'broken')), 'error', 'errors are retried on the same block');
SELECT is((SELECT ROW(count(*)::int, max(repeats)) FROM decisions WHERE strategy_id = (SELECT id FROM strategies WHERE name = 'broken')),
	ROW(1, 1), 'the same error extends its row');

-- ---- dashboards ----

SELECT ok((SELECT count(*) > 0 FROM v_strategy_performance WHERE strategy_id = (SELECT id FROM lp)), 'performance rows for the lp vault');
SELECT is((SELECT round(value, 9) = round(hold_value, 9) FROM v_strategy_performance WHERE strategy_id = (SELECT id FROM lp)
	ORDER BY block_number LIMIT 1), true, 'the first snapshot is worth what holding it is');
SELECT is((SELECT round(fees, 24) FROM v_strategy_performance WHERE strategy_id = (SELECT id FROM lp) AND block_number = 14),
	(SELECT round(2 * (2000 / 1e18 + 1000 / 1e18 * strategy_price1per0(univ3_sqrt_price_at_tick(5), 18, 18)), 24)), 'fees: the owed fees valued in token1');
SELECT ok((SELECT bool_and(at IS NOT NULL) FROM v_strategy_performance), 'v_strategy_performance has its timestamp');
SELECT is((SELECT count(*)::int FROM v_decisions WHERE strategy_id = (SELECT id FROM lp)),
	(SELECT count(*)::int FROM decisions WHERE strategy_id = (SELECT id FROM lp)), 'v_decisions: one row per decision');
SELECT is((SELECT executed FROM v_decisions WHERE decision_id = (SELECT id FROM d1)), true, 'v_decisions: the open decision was executed');
SELECT is((SELECT intent_status FROM v_decisions WHERE decision_id = (SELECT id FROM d1)), '{"confirmed": 4}'::jsonb, 'v_decisions: intent statuses');
SELECT is((SELECT array_agg(in_range ORDER BY token_id) FROM v_univ3_positions WHERE strategy_id = (SELECT id FROM lp)),
	ARRAY[true, false], 'v_univ3_positions: at tick 5 the base [-200, 210) is in range, the ask [10, 420) is not');
SELECT ok((SELECT bool_and(amount0 IS NOT NULL) FROM v_univ3_positions), 'v_univ3_positions: amounts of the NFTs');
SELECT is((SELECT array_agg(protocol || ':' || position_id ORDER BY protocol, position_id) FROM v_positions
			WHERE strategy_id = (SELECT id FROM lp) AND protocol = 'univ3'),
	ARRAY['univ3:101', 'univ3:102'], 'v_positions lists the NFTs with every other position, by protocol');

-- ---- replay: every decision's policy, rerun on what it stored ----

SELECT is((SELECT array_agg(DISTINCT s.kind ORDER BY s.kind) FROM decisions d JOIN strategies s ON s.id = d.strategy_id
			WHERE d.status <> 'error'), ARRAY['lp_univ3', 'stake'], 'decisions of both kinds to replay');
SELECT is((SELECT array_agg(d.id ORDER BY d.id) FROM decisions d
			WHERE d.status <> 'error' AND NOT (strategy_replay(d.id) ->> 'matches')::boolean), NULL,
	'every decision of this file replays: the same action, reasons, plan, intents and proposal');
SELECT is((SELECT count(*)::int FROM decisions d WHERE d.status <> 'error' AND d.params_version IS NULL), 0,
	'every decision names the version of the parameters it was made with');
-- A misspelt key would read as NULL: every key a builtin policy reads from
-- its state is one its gather wrote into the decisions above (the kinds
-- that decide in this file; the lending kinds' in 075_lending), and every
-- key it reads from its parameters is one its validate names.
SELECT is_empty($$
	SELECT k.kind, m[1] AS key
	  FROM strategy_kinds k, regexp_matches(pg_get_functiondef(k.policy), 'state\s*->>?\s*''([a-z0-9_]+)''', 'g') m
	 WHERE k.builtin AND k.kind IN ('lp_univ3', 'stake')
	   AND NOT EXISTS (SELECT 1 FROM decisions d JOIN strategies x ON x.id = d.strategy_id
					   WHERE x.kind = k.kind AND d.status <> 'error' AND d.inputs ? m[1])$$,
	'every state key a policy reads is one its gather writes');
SELECT is_empty($$
	SELECT k.kind, m[1] AS key
	  FROM strategy_kinds k, regexp_matches(pg_get_functiondef(k.policy), '\mp\s*->>?\s*''([a-z0-9_]+)''', 'g') m
	 WHERE k.builtin AND strpos(pg_get_functiondef(k.validate), '''' || m[1] || '''') = 0$$,
	'every parameter a policy reads is one its validate names');
SELECT cmp_ok((SELECT count(*)::int FROM strategy_kinds k,
				 regexp_matches(pg_get_functiondef(k.policy), '(state|\mp)\s*->>?\s*''([a-z0-9_]+)''', 'g') m WHERE k.builtin), '>', 20,
	'(the policies read many such keys)');
SELECT lives_ok($$SELECT strategy_update((SELECT id FROM lp), '{"slippage_bps": 10}')$$, 'new lp parameters');
SELECT cmp_ok((SELECT max(v.id) FROM strategy_param_versions v WHERE v.strategy_id = (SELECT id FROM lp)), '>',
	(SELECT params_version FROM d1), 'a new version of the parameters');
SELECT is(strategy_replay((SELECT id FROM d1)) -> 'differences', '{}'::jsonb,
	'the open decision still replays, with the parameters it was made with');
SELECT is((SELECT s.params FROM strategies s WHERE s.id = (SELECT id FROM lp)) ->> 'slippage_bps', '10',
	'(and the strategy keeps its new ones)');
UPDATE decisions SET intents = intents - 0 WHERE id = (SELECT id FROM d1);
SELECT is((SELECT ARRAY[r ->> 'matches', (r -> 'differences' ? 'intents')::text] FROM strategy_replay((SELECT id FROM d1)) r),
	ARRAY['false', 'true'], 'a decision row altered since is found out: its intents differ');
UPDATE decisions SET intents = (SELECT intents FROM d1) WHERE id = (SELECT id FROM d1);
SELECT throws_ok(format('SELECT strategy_replay(%s)', (SELECT id FROM decisions WHERE status = 'error' LIMIT 1)), '55000', NULL,
	'an error decision has no policy result to replay');
SELECT throws_ok($$SELECT strategy_replay(-1)$$, '42704', 'decision -1 does not exist', 'an unknown decision');

-- ---- P&L components from typed valuations ----
-- A synthetic strategy (no policy runs): a wallet, an LST that accrues, a
-- lending supply and a debt that accrue interest, and an LP position owing
-- fees, over two snapshots.
CREATE TEMP TABLE pv AS SELECT * FROM strategy_create('pnl vault', 'stake', 999001, '0x00000000000000000000000000000000000000f9',
	(SELECT p FROM st_params));
SELECT lives_ok($$SELECT strategy_record_snapshot((SELECT id FROM pv), 100, '2026-01-01Z', ROW('0x00000000000000000000000000000000000000a1', 87.5, ARRAY[
	ROW('0x00000000000000000000000000000000000000a1', 'wallet', 10e18, 18, 1, 0, NULL, NULL, NULL, NULL, NULL, NULL),
	ROW('0x00000000000000000000000000000000000000b1', 'wallet', 20e18, 18, 1.1, 0, 1.1e18, 'staking', NULL, NULL, NULL, NULL),
	ROW('0x00000000000000000000000000000000000000a1', 'morpho:1', 100e18, 18, 1, 0, 1e18, 'interest', NULL, NULL, NULL, NULL),
	ROW('0x00000000000000000000000000000000000000a1', 'morpho:2', -50e18, 18, 1, 0, 1e18, 'interest', NULL, NULL, NULL, NULL),
	ROW('0x00000000000000000000000000000000000000b1', 'univ3:7', 5e18, 18, 1.1, 1e18, NULL, NULL, NULL, NULL, NULL, NULL)]::strategy_holding[])::strategy_valuation)$$,
	'snapshot 1');
SELECT lives_ok($$SELECT strategy_record_snapshot((SELECT id FROM pv), 200, '2026-01-02Z', ROW('0x00000000000000000000000000000000000000a1', 89.52, ARRAY[
	ROW('0x00000000000000000000000000000000000000a1', 'wallet', 10e18, 18, 1, 0, NULL, NULL, NULL, NULL, NULL, NULL),
	ROW('0x00000000000000000000000000000000000000b1', 'wallet', 20e18, 18, 1.2, 0, 1.2e18, 'staking', NULL, NULL, NULL, NULL),
	ROW('0x00000000000000000000000000000000000000a1', 'morpho:1', 101e18, 18, 1, 0, 1.01e18, 'interest', NULL, NULL, NULL, NULL),
	ROW('0x00000000000000000000000000000000000000a1', 'morpho:2', -51e18, 18, 1, 0, 1.02e18, 'interest', NULL, NULL, NULL, NULL),
	ROW('0x00000000000000000000000000000000000000b1', 'univ3:7', 4.6e18, 18, 1.2, 0.6e18, NULL, NULL, NULL, NULL, NULL, NULL)]::strategy_holding[])::strategy_valuation)$$,
	'snapshot 2: rates and indexes grew, 0.4 of the fees were collected');
SELECT is((SELECT ARRAY[fees_owed, fees_collected, round(staking_yield, 12), interest_earned, interest_paid]
			 FROM strategy_snapshots WHERE strategy_id = (SELECT id FROM pv) AND block_number = 200),
	ARRAY[0.72, 0.44, 2.5, 1, 1],
	'owed 0.6 × 1.2; collected 0.4 × 1.1; staking (20 + 5) × 1.2 × (1 - 1.1/1.2) (unit-free); interest 100 × 1 %; paid 50 × 2 %');
SELECT is((SELECT round(hold_value, 6) FROM strategy_snapshots WHERE strategy_id = (SELECT id FROM pv) AND block_number = 200),
	round(10 + 100 - 50 + (20 + 5) * 1.2, 6), 'holding value: the first holdings per asset at today''s prices');
SELECT is((SELECT ARRAY[p.fees, round(p.staking_yield, 12), p.interest_earned, p.interest_paid, p.gas, p.swap_cost]
			 FROM strategy_pnl((SELECT id FROM pv)) p),
	ARRAY[1.16, 2.5, 1, 1, 0, 0], 'strategy_pnl sums them (no transaction: no gas, no swap cost)');
SELECT is((strategy_pnl((SELECT id FROM pv))).il, 1.64::numeric,
	'il: value 89.52 (10 + 20 × 1.2 + 101 - 51 + 4.6 × 1.2) against holding 90 (60 + 25 × 1.2), fees 1.16 apart: 1.64 lost');
SELECT throws_ok($$SELECT strategy_state_valuation('{"valuation": {"numeraire": "0x00000000000000000000000000000000000000a1", "value": 1}}')$$,
	'22023', NULL, 'a valuation without its holdings is refused');
SELECT throws_ok($$SELECT strategy_state_valuation('{"valuation": {"numeraire": "0x00000000000000000000000000000000000000a1", "value": 1,
	"holdings": [{"asset": "0x00000000000000000000000000000000000000a1", "position": "wallet", "amount": 1, "decimals": 18, "accrual": "stakign"}]}}')$$,
	'22023', NULL, 'an unknown accrual is refused');

-- ---- housekeeping, pg_cron ----

SELECT is(strategy_housekeeping('100 years', '100 years') ->> 'runs_pruned', '0', 'housekeeping keeps recent runs');
SELECT is(strategy_housekeeping('-1 day', '100 years') ->> 'runs_pruned', (SELECT count(*)::text FROM strategy_runs), 'housekeeping prunes runs older than keep_runs');
SELECT is((SELECT count(*)::int FROM strategy_runs), 0, 'no runs left');
SELECT throws_ok($$SELECT * FROM schedule_defaults()$$, '55000', 'pg_cron is not installed in this database',
	'schedule_defaults needs pg_cron')
  WHERE NOT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_cron');
CREATE EXTENSION IF NOT EXISTS pg_cron;
SELECT is((SELECT array_agg(ROW(jobname, schedule, command)::text ORDER BY jobname) FROM schedule_defaults()),
	ARRAY[ROW('amplified-housekeeping', '17 3 * * *', 'SELECT amplified.strategy_housekeeping()')::text,
		  ROW('amplified-risk-reports', '7 * * * *', 'SELECT amplified.risk_refresh_reports()')::text,
		  ROW('amplified-run-strategies', '* * * * *', 'SELECT amplified.run_strategies()')::text],
	'schedule_defaults: the run every minute, housekeeping daily, the risk reports hourly');
SELECT is((SELECT array_agg(ROW(jobname, schedule)::text ORDER BY jobname) FROM schedule_defaults('*/5 * * * *')),
	ARRAY[ROW('amplified-housekeeping', '17 3 * * *')::text, ROW('amplified-risk-reports', '7 * * * *')::text,
		  ROW('amplified-run-strategies', '*/5 * * * *')::text],
	'calling it again changes the cadence');
SELECT is((SELECT array_agg(ROW(jobname, schedule, command)::text ORDER BY jobname) FROM cron.job WHERE jobname LIKE 'amplified-%'),
	ARRAY[ROW('amplified-housekeeping', '17 3 * * *', 'SELECT amplified.strategy_housekeeping()')::text,
		  ROW('amplified-risk-reports', '7 * * * *', 'SELECT amplified.risk_refresh_reports()')::text,
		  ROW('amplified-run-strategies', '*/5 * * * *', 'SELECT amplified.run_strategies()')::text],
	'pg_cron holds one job of each, updated in place');

SELECT * FROM finish();
ROLLBACK;
