-- 096_outcomes_ranking: decisions' expectations against their realised
-- outcomes (v_decision_outcomes, v_strategy_outcomes: calibration, return
-- on gas), strategy_ranking / v_strategy_ranking against figures computed
-- independently (Python's statistics module, pasted below), the mapping of
-- each kind's plan to a strategy_expectation, and lp_univ3's
-- harvest-and-compound threshold (its policy on hand-made states).
BEGIN;
SELECT * FROM no_plan();
SET LOCAL search_path = amplified, public;

-- a relative comparison for figures that were computed elsewhere
CREATE FUNCTION pg_temp.near(a float8, b float8) RETURNS boolean LANGUAGE sql AS $$
	SELECT a IS NOT NULL AND abs(a - b) <= 1e-9 * greatest(abs(b), 1e-12) $$;

SELECT lives_ok($$SELECT add_chain(999096, 'outcomes-test', ARRAY['http://127.0.0.1:9'], confirmations => 0, enabled => false)$$,
	'a chain that is never called');
CREATE TEMP TABLE lp_params AS SELECT '{"pool": "0x00000000000000000000000000000000000000e0",
	"position_manager": "0x00000000000000000000000000000000000000c0",
	"token0": "0x00000000000000000000000000000000000000a0", "token1": "0x00000000000000000000000000000000000000b0",
	"fee": 500, "tick_spacing": 10, "decimals0": 18, "decimals1": 18, "sigma": 0.01, "k": 2,
	"deadline_seconds": 86400}'::jsonb AS p;
CREATE TEMP TABLE sa AS SELECT * FROM strategy_create('rank a', 'lp_univ3', 999096,
	'0x00000000000000000000000000000000000000f0', (SELECT p FROM lp_params));
CREATE TEMP TABLE sb AS SELECT * FROM strategy_create('rank b', 'lp_univ3', 999096,
	'0x00000000000000000000000000000000000000f1', (SELECT p FROM lp_params));

-- ---- snapshots: a at days -20, 0, 1, 2, 3 (50, 100, 110, 99, 121), b at days 0..3 ----
INSERT INTO strategy_snapshots (strategy_id, block_number, at, numeraire, value, hold_value, holdings, hold_basis)
SELECT s.id, v.block, '2026-01-01 00:00Z'::timestamptz + v.day * interval '1 day',
	   '0x00000000000000000000000000000000000000b0', v.value, v.value, '{}', '{}'
  FROM (VALUES ('a', 10, -20, 50), ('a', 20, 0, 100), ('a', 21, 1, 110), ('a', 22, 2, 99), ('a', 23, 3, 121),
			   ('b', 20, 0, 100), ('b', 21, 1, 102), ('b', 22, 2, 101), ('b', 23, 3, 104)) v(who, block, day, value)
  JOIN strategies s ON s.name = 'rank ' || v.who;

-- ---- ranking, against Python (statistics.stdev, per-snapshot returns) ----
CREATE TEMP TABLE rk7 AS SELECT * FROM strategy_ranking('7 days');
CREATE TEMP TABLE rka AS SELECT * FROM strategy_ranking();
SELECT is((SELECT ROW(snapshots, start_value, end_value) FROM rk7 WHERE strategy = 'rank a'), ROW(4::bigint, 100::numeric, 121::numeric),
	'7 days: a''s window ends at its last snapshot and starts 7 days before (day -20 left out)');
SELECT ok(pg_temp.near((SELECT periods_per_year FROM rk7 WHERE strategy = 'rank a'), 365.25),
	'periods per year: 3 returns over 3 days = 365.25');
SELECT ok(pg_temp.near((SELECT total_return FROM rk7 WHERE strategy = 'rank a'), 0.21), 'a 7d: total return 0.21');
SELECT ok(pg_temp.near((SELECT annualised_return FROM rk7 WHERE strategy = 'rank a'), 11998275670.32402),
	'a 7d: annualised return 1.21^(365.25/3) - 1 (Python)');
SELECT ok(pg_temp.near((SELECT volatility FROM rk7 WHERE strategy = 'rank a'), 3.108833491683392), 'a 7d: volatility (Python)');
SELECT ok(pg_temp.near((SELECT sharpe FROM rk7 WHERE strategy = 'rank a'), 8.70279982119768), 'a 7d: Sharpe (Python)');
SELECT ok(pg_temp.near((SELECT sortino FROM rk7 WHERE strategy = 'rank a'), 24.52008498968215), 'a 7d: Sortino (Python)');
SELECT ok(pg_temp.near((SELECT max_drawdown FROM rk7 WHERE strategy = 'rank a'), 0.1), 'a 7d: max drawdown 1 - 99/110');
SELECT ok(pg_temp.near((SELECT calmar FROM rk7 WHERE strategy = 'rank a'), 119982756703.24023), 'a 7d: Calmar (Python)');
SELECT ok(pg_temp.near((SELECT periods_per_year FROM rka WHERE strategy = 'rank a'), 63.52173913043478),
	'a all: 4 returns over 23 days');
SELECT ok(pg_temp.near((SELECT total_return FROM rka WHERE strategy = 'rank a'), 1.42), 'a all: total return from 50');
SELECT ok(pg_temp.near((SELECT annualised_return FROM rka WHERE strategy = 'rank a'), 1244957.5381478192), 'a all: annualised (Python)');
SELECT ok(pg_temp.near((SELECT volatility FROM rka WHERE strategy = 'rank a'), 3.8386814194795646), 'a all: volatility (Python)');
SELECT ok(pg_temp.near((SELECT sharpe FROM rka WHERE strategy = 'rank a'), 5.056272758494905), 'a all: Sharpe (Python)');
SELECT ok(pg_temp.near((SELECT sortino FROM rka WHERE strategy = 'rank a'), 48.70587726210438), 'a all: Sortino (Python)');
SELECT ok(pg_temp.near((SELECT calmar FROM rka WHERE strategy = 'rank a'), 12449575.381478194), 'a all: Calmar (Python)');
SELECT ok(pg_temp.near((SELECT sharpe FROM rk7 WHERE strategy = 'rank b'), 12.345833367099715), 'b: Sharpe (Python)');
SELECT ok(pg_temp.near((SELECT sortino FROM rk7 WHERE strategy = 'rank b'), 44.90525822150048), 'b: Sortino (Python)');
SELECT ok(pg_temp.near((SELECT max_drawdown FROM rk7 WHERE strategy = 'rank b'), 0.009803921568627416), 'b: max drawdown 1 - 101/102');
SELECT ok(pg_temp.near((SELECT annualised_return FROM rk7 WHERE strategy = 'rank b'), 117.52475318662025), 'b: annualised (Python)');
SELECT is((SELECT array_agg(ROW("window", strategy, rank)::text ORDER BY "window", rank) FROM v_strategy_ranking
			WHERE strategy IN ('rank a', 'rank b')),
	ARRAY['(30d,"rank b",1)', '(30d,"rank a",2)', '(7d,"rank b",1)', '(7d,"rank a",2)', '(all,"rank b",1)', '(all,"rank a",2)'],
	'v_strategy_ranking: b ranks first by Sharpe in every window');
SELECT ok(pg_temp.near((SELECT sharpe FROM v_strategy_ranking WHERE "window" = 'all' AND strategy = 'rank a'), 5.056272758494905),
	'v_strategy_ranking all = strategy_ranking(NULL)');
-- A window of seconds: the annualised figures overflow and are NULL, not an error.
INSERT INTO strategy_snapshots (strategy_id, block_number, at, numeraire, value, hold_value, holdings, hold_basis)
SELECT (SELECT id FROM sb), 24, '2026-01-04 00:00:01Z', '0x00000000000000000000000000000000000000b0', 150, 150, '{}', '{}';
SELECT is((SELECT ROW(snapshots, annualised_return, calmar) FROM strategy_ranking('2 seconds') WHERE strategy = 'rank b'),
	ROW(2::bigint, NULL::float8, NULL::float8), 'a one-second window: no annualised return (overflow), no Calmar');
DELETE FROM strategy_snapshots WHERE strategy_id = (SELECT id FROM sb) AND block_number = 24;
-- Constant values: no volatility, no Sharpe nor Sortino, no drawdown.
SELECT is((SELECT ROW(volatility, sharpe, sortino, max_drawdown, calmar) FROM strategy_ranking('1 day') WHERE strategy = 'rank b'),
	ROW(NULL::float8, NULL::float8, NULL::float8, 0::float8, NULL::float8), 'one return: Sharpe and volatility NULL (need two)');

-- ---- expectations: each kind's plan in the common record ----
SELECT is(strategy_expectation_of('lp_univ3', '{}', '{}', 'rebalance',
	'{"expected": {"gain": 3.5, "horizon": "1 day", "gas_cost": 0.25, "swap_cost": 0.5}}'),
	ROW(3.5, '1 day', 0.75, 0.25, 0.5, 'lp_univ3:plan.expected')::strategy_expectation, 'a plan''s "expected" is taken as it is');
SELECT is(strategy_expectation_of('lend', '{"horizon": "30 days", "gas_cost": 0.1}', '{}', 'move', '{"gain_over_horizon": 2}'),
	ROW(2, '30 days', 0.2, 0.2, 0, 'lend:gain_over_horizon')::strategy_expectation, 'lend: gain over its horizon, gas twice');
SELECT is(strategy_expectation_of('allocate', '{"horizon": 7, "return_interval": "1 day"}', '{}', 'rebalance',
	'{"expected_gain": 4, "cost": 1}'), ROW(4, '7 days', 1, 1, 0, 'allocate:expected_gain')::strategy_expectation,
	'allocate: expected gain over horizon periods of return_interval');
SELECT is(strategy_expectation_of('leverage', '{"gas_cost": 0.01}', '{}', 'lever', '{"carry": 0.0365, "debt_change": 10, "swap_cost": 0.02}'),
	ROW(0.0365 * 10 * 30 / 365.25, '30 days', 0.03, 0.01, 0.02, 'leverage:carry')::strategy_expectation,
	'leverage: carry on the added debt over 30 days');
SELECT is((strategy_expectation_of('stake', '{"base_decimals": 18}', '{}', 'stake',
	'{"best": "0x00000000000000000000000000000000000000b1", "best_apr": 0.03, "swap_cost": 0.01,
	  "trades": [{"to": "0x00000000000000000000000000000000000000b1", "amount_in": "5000000000000000000"}]}')).expected_gain,
	0.03 * 5 * 30 / 365.25, 'stake: the best APR on what is swapped into it over 30 days');
SELECT is(strategy_expectation_of('hedge', '{"horizon": "1 day"}', '{}', 'rehedge', '{"cost": 0.3, "swap_cost": 0.1}'),
	ROW(0, '1 day', 0.3, 0.2, 0.1, 'hedge:cost')::strategy_expectation, 'hedge: no expected gain, its costs');
SELECT is(strategy_expectation_of('lend', '{}', '{}', 'hold', '{"best": "x"}'), NULL, 'a plan without figures: none');
SELECT is(strategy_expectation_of('mykind', '{}', '{}', 'x', '{"gain": 1}'), NULL, 'an unknown kind without "expected": none');

-- ---- outcomes: three decisions of a, two mined with gas, one pending ----
CREATE FUNCTION pg_temp.decision(block bigint, day int, action text, e amplified.strategy_expectation, mined boolean)
RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
	d bigint;
	i bigint;
BEGIN
	INSERT INTO amplified.decisions (strategy_id, chain_id, block_number, last_block_number, chain_time, action, status, expected)
	VALUES ((SELECT id FROM sa), 999096, block, block, '2026-01-01 00:00Z'::timestamptz + day * interval '1 day', action, 'enqueued', e)
	RETURNING id INTO d;
	INSERT INTO amplified.tx_intents (chain_id, sender, target, value, data, strategy_id, decision_id, status, nonce, idempotency_key)
	VALUES (999096, '0x00000000000000000000000000000000000000f0', '0x00000000000000000000000000000000000000c0', 0, '\x01',
			(SELECT id FROM sa), d, CASE WHEN mined THEN 'mined' ELSE 'pending' END, CASE WHEN mined THEN d END, 'test:' || d)
	RETURNING id INTO i;
	IF mined THEN
		INSERT INTO amplified.tx_attempts (intent_id, chain_id, sender, nonce, tx_type, gas_limit, raw, hash, status,
										   block_number, gas_used, effective_gas_price)
		VALUES (i, 999096, '0x00000000000000000000000000000000000000f0', d, 2, 200000, '\x02',
				('0x' || lpad(to_hex(d), 64, '0'))::amplified.bytes32, 'mined', block, 100000, 10000000000);
	END IF;
	UPDATE amplified.decisions SET intent_ids = ARRAY[i] WHERE id = d;
	RETURN d;
END
$$;
CREATE TEMP TABLE ds AS SELECT
	pg_temp.decision(20, 0, 'rebalance', ROW(12, '1 day', 1.5, 0.5, 1, 'test')::strategy_expectation, true) AS d1,
	pg_temp.decision(21, 1, 'rebalance', ROW(5, '1 day', 0.5, 0.5, 0, 'test')::strategy_expectation, true) AS d2,
	pg_temp.decision(22, 2, 'compound', ROW(2, '2 days', 0.5, 0.5, 0, 'test')::strategy_expectation, false) AS d3;
SELECT is((SELECT ROW(outcome, start_value, end_block, expected_value_change, realised_value_change, expected_net, gas_eth)
			 FROM v_decision_outcomes WHERE decision_id = (SELECT d1 FROM ds)),
	ROW('realised'::text, 100::numeric, 21::bigint, 11::numeric, 10::numeric, 10.5::numeric, 0.001::numeric),
	'd1: expected 12 - swap 1 = 11 against 110 - 100 = 10 one day later; gas 100000 x 10 gwei');
SELECT is((SELECT ROW(outcome, realised_value_change, due_at) FROM v_decision_outcomes WHERE decision_id = (SELECT d2 FROM ds)),
	ROW('realised'::text, -11::numeric, '2026-01-03 00:00Z'::timestamptz), 'd2: 99 - 110 = -11 at its horizon');
SELECT is((SELECT ROW(outcome, end_value, realised_value_change, gas_eth, executed) FROM v_decision_outcomes WHERE decision_id = (SELECT d3 FROM ds)),
	ROW('pending'::text, NULL::numeric, NULL::numeric, 0::numeric, false), 'd3: due at day 4, no snapshot yet: pending');
SELECT is((SELECT ROW(decisions, pending, realised, expected_value_change, realised_value_change, gas_eth)
			 FROM v_strategy_outcomes WHERE strategy_id = (SELECT id FROM sa) AND action = '*'),
	ROW(3::bigint, 1::bigint, 2::bigint, 16::numeric, -1::numeric, 0.002::numeric), 'summed per strategy');
SELECT ok(pg_temp.near((SELECT calibration_ratio FROM v_strategy_outcomes WHERE strategy_id = (SELECT id FROM sa) AND action = '*'),
	-1.0 / 16), 'calibration ratio: -1 / 16');
SELECT ok(pg_temp.near((SELECT calibration_slope FROM v_strategy_outcomes WHERE strategy_id = (SELECT id FROM sa) AND action = '*'),
	(10.0 * 11 - 11 * 5) / (121 + 25)), 'calibration slope through the origin: (10*11 - 11*5) / (11^2 + 5^2)');
SELECT is((SELECT sign_hit_rate FROM v_strategy_outcomes WHERE strategy_id = (SELECT id FROM sa) AND action = '*'), 0.5::float8,
	'sign hit rate: d1 right, d2 wrong');
SELECT ok(pg_temp.near((SELECT return_on_gas FROM v_strategy_outcomes WHERE strategy_id = (SELECT id FROM sa) AND action = '*'), -500),
	'return on gas: -1 numeraire over 0.002 ETH');
SELECT is((SELECT array_agg(ROW(action, decisions, pending)::text ORDER BY action) FROM v_strategy_outcomes
			WHERE strategy_id = (SELECT id FROM sa)),
	ARRAY['(*,3,1)', '(compound,1,1)', '(rebalance,2,0)'], 'per action type as well');
-- The horizon passes: a snapshot at day 4 realises d3 (its intent was never mined: not in the calibration).
INSERT INTO strategy_snapshots (strategy_id, block_number, at, numeraire, value, hold_value, holdings, hold_basis)
SELECT (SELECT id FROM sa), 24, '2026-01-05 00:00Z', '0x00000000000000000000000000000000000000b0', 130, 130, '{}', '{}';
SELECT is((SELECT ROW(outcome, realised_value_change) FROM v_decision_outcomes WHERE decision_id = (SELECT d3 FROM ds)),
	ROW('realised'::text, 31::numeric), 'd3 realised after its horizon: 130 - 99');
SELECT is((SELECT ROW(pending, realised) FROM v_strategy_outcomes WHERE strategy_id = (SELECT id FROM sa) AND action = '*'),
	ROW(0::bigint, 2::bigint), 'an unmined decision is realised but not calibrated');
SELECT is((SELECT count(*) FROM v_decision_outcomes WHERE strategy_id = (SELECT id FROM sb)), 0::bigint,
	'a strategy without decisions has no outcomes');

-- ---- lp_univ3 harvest-and-compound: the threshold ----
SELECT throws_ok($$SELECT strategy_create('x', 'lp_univ3', 999096, '0x00000000000000000000000000000000000000f9',
	(SELECT p || '{"compound_factor": -1}' FROM lp_params))$$, '22023', NULL, 'compound_factor must not be negative');
SELECT is((SELECT params ? 'compound_factor' FROM sa), false, 'compound is off unless compound_factor is given (no default)');
SELECT is((SELECT (params ->> 'compound_factor')::numeric FROM strategy_update((SELECT id FROM sa),
	'{"compound_factor": 3, "gas_cost": 1000000000000000}')), 3::numeric, 'compound_factor 3 against gas_cost 1e15 (token1 raw)');
-- A state of one range [-100, 110) around tick 5, the pool's price in it.
CREATE FUNCTION pg_temp.lp_state(owed0 text, owed1 text) RETURNS jsonb LANGUAGE sql AS $$
	SELECT jsonb_build_object('kind', 'lp_univ3', 'block_number', 30, 'at', '2026-01-04 00:00Z', 'decided_at', '2026-01-04 00:00:10Z',
		'pool', jsonb_build_object('sqrt_price', amplified.univ3_sqrt_price_at_tick(5)::text, 'tick', 5,
			'liquidity', '5000000000000000000000', 'fee', 500, 'tick_spacing', 10),
		'twap_tick', 5, 'sigma', 0.01, 'apr', NULL, 'expected_fees_token1', 1000000000000000000,
		'wallet', '{"amount0": "0", "amount1": "0", "allowance0": "0", "allowance1": "0", "router_allowance0": "0", "router_allowance1": "0"}'::jsonb,
		'nfts', jsonb_build_array(jsonb_build_object('token_id', '7', 'tick_lower', -100, 'tick_upper', 110,
			'liquidity', '1000000000000000000000', 'amount0', '5000000000000000000', 'amount1', '5000000000000000000',
			'owed0', owed0, 'owed1', owed1)),
		'last_rebalance', NULL, 'regime', NULL,
		'valuation', '{"numeraire": "0x00000000000000000000000000000000000000b0", "value": 10, "holdings": []}'::jsonb) $$;
CREATE TEMP TABLE pol AS SELECT x.n, strategy_policy_lp_univ3(s, pg_temp.lp_state(x.o0, x.o1)) AS r
  FROM strategies s,
	   (VALUES (1, '0', '2000000000000000'), (2, '0', '3000000000000000'), (3, '1000000000000000', '2000000000000000'),
			   (4, '2000000000000000', '2000000000000000'), (5, '0', '4000000000000000')) x(n, o0, o1)
 WHERE s.id = (SELECT id FROM sa);
SELECT is((SELECT r ->> 'action' FROM pol WHERE n = 1), 'hold', 'fees 2e15 below 3 x gas 1e15: hold');
SELECT ok((SELECT r -> 'reasons' ? 'compound_below_threshold' FROM pol WHERE n = 1), 'with the reason compound_below_threshold');
SELECT is((SELECT r ->> 'action' FROM pol WHERE n = 2), 'hold', 'fees exactly 3 x gas: hold (they must beat it)');
SELECT is((SELECT r ->> 'action' FROM pol WHERE n = 3), 'compound',
	'2e15 of token1 and 1e15 of token0 (at about 1.0005): 3.0005e15 beats 3e15, compound');
SELECT ok((SELECT abs((r -> 'plan' ->> 'fees_token1')::numeric - (2e15 + 1e15 * 1.0001 ^ 5)) < 1 FROM pol WHERE n = 3),
	'the fees valued at the pool price (1.0001^5 token1 per token0)');
SELECT is((SELECT r ->> 'action' FROM pol WHERE n = 4), 'compound', 'fees 2e15 of each: compound');
SELECT is((SELECT ROW(r ->> 'action', r -> 'reasons' ? 'compound_fees_unbalanced', jsonb_array_length(r -> 'intents')) FROM pol WHERE n = 5),
	ROW('hold'::text, true, 0), 'fees 4e15 of token1 alone add no liquidity in range: hold, compound_fees_unbalanced');
SELECT ok((SELECT r -> 'reasons' ? 'fees_beat_gas' FROM pol WHERE n = 4), 'with the reason fees_beat_gas');
SELECT is((SELECT array_agg(i ->> 'step' ORDER BY o) FROM pol, jsonb_array_elements(r -> 'intents') WITH ORDINALITY e(i, o) WHERE n = 4),
	ARRAY['collect', 'approve', 'approve', 'increase_liquidity'], 'intents: collect the fees, approve both tokens, increaseLiquidity');
SELECT is((SELECT abi_decode('(uint256,uint256,uint256,uint256,uint256,uint256)', substring(decode(substr(r -> 'intents' -> 3 ->> 'data', 3), 'hex') FROM 5))
			 FROM pol WHERE n = 4),
	(SELECT jsonb_build_array('7', '2000000000000000', '2000000000000000', amplified.strategy_amount_min(a.amount0, 50)::text,
			amplified.strategy_amount_min(a.amount1, 50)::text, '1767571200')
	   FROM univ3_amounts_for_liquidity(univ3_sqrt_price_at_tick(5), univ3_sqrt_price_at_tick(-100), univ3_sqrt_price_at_tick(110),
			univ3_liquidity_for_amounts(univ3_sqrt_price_at_tick(5), univ3_sqrt_price_at_tick(-100), univ3_sqrt_price_at_tick(110),
				'2000000000000000', '2000000000000000')) a),
	'increaseLiquidity of position 7 with the fees, minimums 50 bps under what the liquidity takes');
SELECT is((SELECT (r -> 'plan' ->> 'liquidity_added')::numeric FROM pol WHERE n = 4),
	univ3_liquidity_for_amounts(univ3_sqrt_price_at_tick(5), univ3_sqrt_price_at_tick(-100), univ3_sqrt_price_at_tick(110),
		'2000000000000000', '2000000000000000')::numeric, 'the plan says how much liquidity the fees add');
SELECT is((SELECT (strategy_expectation_of('lp_univ3', s.params, '{}', 'compound', r -> 'plan')).gas_cost FROM pol, strategies s
			WHERE n = 4 AND s.id = (SELECT id FROM sa)), 0.001::numeric, 'the compound''s expectation: gas 1e15 raw = 0.001 token1');
SELECT is((SELECT r -> 'proposal' ->> 'action' FROM pol WHERE n = 4), 'compound', 'it goes to the risk gate as a compound');
-- Off: without compound_factor the same fees are held.
SELECT lives_ok($$SELECT strategy_update((SELECT id FROM sa), '{"compound_factor": null}')$$, 'compound_factor removed');
SELECT is((SELECT strategy_policy_lp_univ3(s, pg_temp.lp_state('2000000000000000', '2000000000000000')) -> 'reasons' FROM strategies s WHERE s.id = (SELECT id FROM sa)),
	(SELECT r -> 'reasons' FROM pol WHERE n = 4) - 'fees_beat_gas', 'without compound_factor: hold, with the gate''s reasons only');

SELECT * FROM finish();
ROLLBACK;
