-- 096_outcomes_ranking: decisions' expectations against their realised
-- outcomes (v_decision_outcomes, v_strategy_outcomes: calibration, return
-- on gas) from the P&L attribution, the windows of strategy_ranking /
-- v_strategy_ranking (its figures against Python: test/t/137_ranking.pl), the mapping of
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

-- ---- ranking (the figures against Python: test/t/137_ranking.pl) ----
-- Day rows of v_pnl_attribution: a's value 100 -> 110 -> 99 -> 121 over days 1..3 of 2026.
CREATE FUNCTION pg_temp.snap(who text, block bigint, at timestamptz, num numeric, x numeric, px numeric,
	interest numeric DEFAULT 0, paid numeric DEFAULT 0) RETURNS void LANGUAGE sql AS $$
	INSERT INTO amplified.strategy_snapshots (strategy_id, block_number, at, numeraire, value, hold_value, interest_earned,
		interest_paid, holdings, hold_basis)
	SELECT s.id, block, at, '0x00000000000000000000000000000000000000b0', num + x * px, num + x * px, interest, paid,
		   ARRAY[ROW('0x00000000000000000000000000000000000000b0', 'wallet', num, 0, 1, NULL, NULL, NULL, NULL, NULL, NULL, NULL)::amplified.strategy_holding,
				 ROW('0x00000000000000000000000000000000000000a0', 'wallet', x, 0, px, NULL, NULL, NULL, NULL, NULL, NULL, NULL)::amplified.strategy_holding],
		   '{}'
	  FROM amplified.strategies s WHERE s.name = 'rank ' || who $$;
SELECT pg_temp.snap('b', 10, '2026-01-01 12:00Z', 100, 0, 1), pg_temp.snap('b', 11, '2026-01-02 12:00Z', 110, 0, 1),
	   pg_temp.snap('b', 12, '2026-01-03 12:00Z', 99, 0, 1), pg_temp.snap('b', 13, '2026-01-04 12:00Z', 121, 0, 1);
SELECT is((SELECT ROW(days, start_value, end_value, total_return, annualised_return, volatility, sharpe, calmar)
			 FROM strategy_ranking(NULL, '2026-01-05 00:00Z') WHERE strategy = 'rank b'),
	ROW(3::bigint, 100::numeric, 121::numeric, (SELECT total_return FROM strategy_ranking(NULL, '2026-01-05 00:00Z') WHERE strategy = 'rank b'),
		NULL::float8, NULL::float8, NULL::float8, NULL::float8),
	'three daily returns: no annualised figures under 7 days');
SELECT ok(pg_temp.near((SELECT total_return FROM strategy_ranking(NULL, '2026-01-05 00:00Z') WHERE strategy = 'rank b'), 0.21),
	'total return 1.1 x 0.9 x 1.2222 - 1 = 0.21');
SELECT ok(abs((SELECT max_drawdown FROM strategy_ranking(NULL, '2026-01-05 00:00Z') WHERE strategy = 'rank b') - 0.1) < 1e-12,
	'max drawdown 1 - 99/110 on the index');
SELECT is((SELECT days FROM strategy_ranking('2 days', '2026-01-05 00:00Z') WHERE strategy = 'rank b'), 2::bigint,
	'a 2-day window ending at a given time: the last two days');
SELECT is((SELECT count(*) FROM strategy_ranking('7 days', '2026-01-02 00:00Z') WHERE strategy = 'rank b'), 0::bigint,
	'a window before the first day-end row: no row');
SELECT is((SELECT count(*) FROM v_strategy_ranking WHERE strategy = 'rank b' AND "window" IN ('7d', '30d')), 0::bigint,
	'v_strategy_ranking''s windows end now(): days of January 2026 are not in the last 7 or 30');
SELECT is((SELECT count(*) FROM v_strategy_ranking WHERE strategy = 'rank b' AND "window" = 'all'), 1::bigint,
	'but in all');
DELETE FROM strategy_snapshots WHERE strategy_id = (SELECT id FROM sb);

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

-- ---- outcomes: three decisions of a, two mined with gas (mined the block after), one pending ----
-- a holds 90 numeraire and 10 of a priced asset x (decimals 0).  Block 20
-- (day 0): 90 + 10 x 1 = 100.  Block 21 (day 1): x at 1.5 (price +5, not
-- a decision's doing) and 95 numeraire: interest of 5 earned into it: 110.
-- Block 22 (day 2): a deposit of 50 recorded, x at 1.2 (price -3), 141
-- numeraire (interest of 4 paid out of it beside the deposit): 153.  Block
-- 24 (day 4, later): 143 numeraire, 2 more interest earned: 155.  Every
-- period balances (v_pnl_attribution_check).
SELECT pg_temp.snap('a', 10, '2025-12-12 00:00Z', 50, 0, 1), pg_temp.snap('a', 20, '2026-01-01 00:00Z', 90, 10, 1),
	   pg_temp.snap('a', 21, '2026-01-02 00:00Z', 95, 10, 1.5, 5), pg_temp.snap('a', 22, '2026-01-03 00:00Z', 141, 10, 1.2, 5, 4);
INSERT INTO strategy_flows (strategy_id, block_number, asset, amount, note)
SELECT id, 22, '0x00000000000000000000000000000000000000b0', 50, 'a deposit' FROM sa;
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
				('0x' || lpad(to_hex(d), 64, '0'))::amplified.bytes32, 'mined', block + 1, 100000, 10000000000);
	END IF;
	UPDATE amplified.decisions SET intent_ids = ARRAY[i] WHERE id = d;
	RETURN d;
END
$$;
CREATE TEMP TABLE ds AS SELECT
	pg_temp.decision(20, 0, 'rebalance', ROW(12, '1 day', 2.5, 1.5, 1, 'test')::strategy_expectation, true) AS d1,
	pg_temp.decision(21, 1, 'rebalance', ROW(5, '1 day', 0.5, 0.5, 0, 'test')::strategy_expectation, true) AS d2,
	pg_temp.decision(22, 2, 'compound', ROW(2, '2 days', 0.5, 0.5, 0, 'test')::strategy_expectation, false) AS d3;
SELECT is((SELECT ROW(outcome, start_block, end_block, expected_value_change, realised_value_change, realised_gas, realised_excluded, gas_eth)
			 FROM v_decision_outcomes WHERE decision_id = (SELECT d1 FROM ds)),
	ROW('realised'::text, 20::bigint, 21::bigint, 9.5::numeric, 4.999::numeric, -0.001::numeric, 5.001::numeric, 0.001::numeric),
	'd1: expected 12 - gas 1.5 - swap 1 = 9.5 against the attribution over (20, 21]: +5 of interest less 0.001 of gas; the price effect (+5) and the owner''s gas funding left out');
SELECT is((SELECT ROW(outcome, realised_value_change, realised_interest, realised_excluded, due_at) FROM v_decision_outcomes
			WHERE decision_id = (SELECT d2 FROM ds)),
	ROW('realised'::text, -4.001::numeric, -4::numeric, 47.001::numeric, '2026-01-03 00:00Z'::timestamptz),
	'd2: the deposit of 50 is not a return: -4 of interest paid - 0.001 of gas, while the value rose 43 (flows 50.001 and price -3 left out)');
SELECT is((SELECT sum(value_change - pnl_flows - pnl_price - pnl_hedge - pnl_incentives) FROM v_pnl_attribution
			WHERE strategy_id = (SELECT id FROM sa) AND period = 'block' AND block_end IN (21, 22)),
	(SELECT sum(realised_value_change) FROM v_decision_outcomes WHERE decision_id IN ((SELECT d1 FROM ds), (SELECT d2 FROM ds))),
	'realised is the attribution''s value change less flows, price, hedge and incentives over the horizons');
SELECT is((SELECT ROW(outcome, end_block, realised_value_change, gas_eth, executed) FROM v_decision_outcomes WHERE decision_id = (SELECT d3 FROM ds)),
	ROW('pending'::text, NULL::bigint, NULL::numeric, 0::numeric, false), 'd3: due at day 4, no snapshot yet: pending');
SELECT is((SELECT ROW(decisions, pending, realised, expected_value_change, realised_value_change, gas_eth)
			 FROM v_strategy_outcomes WHERE strategy_id = (SELECT id FROM sa) AND action = '*'),
	ROW(3::bigint, 1::bigint, 2::bigint, 14::numeric, 0.998::numeric, 0.002::numeric), 'summed per strategy');
SELECT ok(pg_temp.near((SELECT calibration_ratio FROM v_strategy_outcomes WHERE strategy_id = (SELECT id FROM sa) AND action = '*'),
	0.998 / 14), 'calibration ratio: 0.998 / 14');
SELECT ok(pg_temp.near((SELECT calibration_slope FROM v_strategy_outcomes WHERE strategy_id = (SELECT id FROM sa) AND action = '*'),
	(4.999 * 9.5 - 4.001 * 4.5) / (9.5 ^ 2 + 4.5 ^ 2)), 'calibration slope through the origin: (4.999*9.5 - 4.001*4.5) / (9.5^2 + 4.5^2)');
SELECT is((SELECT sign_hit_rate FROM v_strategy_outcomes WHERE strategy_id = (SELECT id FROM sa) AND action = '*'), 0.5::float8,
	'sign hit rate: d1 right, d2 wrong (it expected +4.5)');
SELECT ok(pg_temp.near((SELECT return_on_gas FROM v_strategy_outcomes WHERE strategy_id = (SELECT id FROM sa) AND action = '*'), 500),
	'return on gas: (5 - 4) made before gas over 0.002 ETH = 500 per ETH');
SELECT is((SELECT array_agg(ROW(action, decisions, pending)::text ORDER BY action) FROM v_strategy_outcomes
			WHERE strategy_id = (SELECT id FROM sa)),
	ARRAY['(*,3,1)', '(compound,1,1)', '(rebalance,2,0)'], 'per action type as well');
-- The horizon passes: a snapshot at day 4 realises d3 (its intent was never mined: not in the calibration).
SELECT pg_temp.snap('a', 24, '2026-01-05 00:00Z', 143, 10, 1.2, 7, 4);
SELECT is((SELECT ROW(outcome, realised_value_change, realised_interest) FROM v_decision_outcomes WHERE decision_id = (SELECT d3 FROM ds)),
	ROW('realised'::text, 2::numeric, 2::numeric), 'd3 realised after its horizon: the interest earned, 2');
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
-- A state of one range [-100, 110) around tick 5, the pool's price in it,
-- 5e21 of other liquidity; efees: the pool's recent fees over the window
-- (expected_fees_token1, token1 raw), which sets what added liquidity earns.
CREATE FUNCTION pg_temp.lp_state(owed0 text, owed1 text, efees numeric, allowance0 text DEFAULT '0') RETURNS jsonb LANGUAGE sql AS $$
	SELECT jsonb_build_object('kind', 'lp_univ3', 'block_number', 30, 'at', '2026-01-04 00:00Z', 'decided_at', '2026-01-04 00:00:10Z',
		'pool', jsonb_build_object('sqrt_price', amplified.univ3_sqrt_price_at_tick(5)::text, 'tick', 5,
			'liquidity', '5000000000000000000000', 'fee', 500, 'tick_spacing', 10),
		'twap_tick', 5, 'sigma', 0.01, 'apr', NULL, 'expected_fees_token1', efees,
		'wallet', jsonb_build_object('amount0', '0', 'amount1', '0', 'allowance0', allowance0, 'allowance1', '0',
			'router_allowance0', '0', 'router_allowance1', '0'),
		'nfts', jsonb_build_array(jsonb_build_object('token_id', '7', 'tick_lower', -100, 'tick_upper', 110,
			'liquidity', '1000000000000000000000', 'amount0', '5000000000000000000', 'amount1', '5000000000000000000',
			'owed0', owed0, 'owed1', owed1)),
		'last_rebalance', NULL, 'regime', NULL,
		'valuation', '{"numeraire": "0x00000000000000000000000000000000000000b0", "value": 10, "holdings": []}'::jsonb) $$;
-- What compounding (o0, o1) earns over the horizon (1 day, window 1 day), in token1:
-- efees x l_add / (l_add + 5e21) / 1e18.
CREATE FUNCTION pg_temp.gain(o0 numeric, o1 numeric, efees numeric) RETURNS numeric LANGUAGE sql AS $$
	SELECT efees * l / (l + 5e21) / 1e18
	  FROM (SELECT amplified.univ3_liquidity_for_amounts(amplified.univ3_sqrt_price_at_tick(5), amplified.univ3_sqrt_price_at_tick(-100),
				amplified.univ3_sqrt_price_at_tick(110), o0::text::amplified.uint256, o1::text::amplified.uint256)::numeric AS l) x $$;
CREATE TEMP TABLE pol AS SELECT x.n, x.o0, x.o1, x.efees, strategy_policy_lp_univ3(s, pg_temp.lp_state(x.o0, x.o1, x.efees, x.al)) AS r
  FROM strategies s,
	   (VALUES (1, '2000000000000000', '2000000000000000', 1e18, '0'),
			   (2, '10000000000000', '10000000000000', 1e23, '0'),
			   (3, '1000000000000000', '2000000000000000', 1e22, '0'),
			   (4, '2000000000000000', '2000000000000000', 1e22, '0'),
			   (5, '0', '4000000000000000', 1e22, '0'),
			   (6, '2000000000000000', '2000000000000000', 1e22, '1')) x(n, o0, o1, efees, al)
 WHERE s.id = (SELECT id FROM sa);
SELECT ok(pg_temp.gain(2e15, 2e15, 1e18) < 0.003, 'fees of 2e15 each in a pool earning 1e18 a day would earn under 3 x gas 0.001');
SELECT is((SELECT r ->> 'action' FROM pol WHERE n = 1), 'hold',
	'fees 4e15 worth more than 3 x gas, but what they would earn is not: hold');
SELECT ok((SELECT r -> 'reasons' ? 'compound_below_threshold' FROM pol WHERE n = 1), 'with the reason compound_below_threshold');
SELECT ok(pg_temp.gain(1e13, 1e13, 1e23) > 0.003, 'fees of 1e13 each in a pool earning 1e23 a day would earn over 3 x gas');
SELECT is((SELECT r ->> 'action' FROM pol WHERE n = 2), 'compound',
	'fees 2e13, under 3 x gas 1e15, that earn more than it: compound');
SELECT is((SELECT r ->> 'action' FROM pol WHERE n = 3), 'compound', '2e15 of token1 and 1e15 of token0 in a busy pool: compound');
SELECT ok((SELECT abs((r -> 'plan' ->> 'fees_token1')::numeric - (2e15 + 1e15 * 1.0001 ^ 5)) < 1 FROM pol WHERE n = 3),
	'the fees valued at the pool price (1.0001^5 token1 per token0)');
SELECT is((SELECT r ->> 'action' FROM pol WHERE n = 4), 'compound', 'fees 2e15 of each: compound');
SELECT ok((SELECT abs((r -> 'plan' ->> 'gain')::numeric - pg_temp.gain(2e15, 2e15, 1e22)) < 1e-12 FROM pol WHERE n = 4),
	'the plan''s gain: what the added liquidity earns over the horizon');
SELECT is((SELECT ROW(r ->> 'action', r -> 'reasons' ? 'compound_fees_unbalanced', jsonb_array_length(r -> 'intents')) FROM pol WHERE n = 5),
	ROW('hold'::text, true, 0), 'fees 4e15 of token1 alone add no liquidity in range: hold, compound_fees_unbalanced');
SELECT ok((SELECT r -> 'reasons' ? 'compound_gain_beats_gas' FROM pol WHERE n = 4), 'with the reason compound_gain_beats_gas');
-- Every compound is expected to pay: its gain beats factor x gas, its expected net is positive.
SELECT is((SELECT count(*) FROM pol WHERE r ->> 'action' = 'compound'), 4::bigint, 'four of the states compound');
SELECT is((SELECT count(*) FROM pol, strategies s,
				  LATERAL strategy_expectation_of('lp_univ3', s.params, '{}', 'compound', r -> 'plan') e
			WHERE s.id = (SELECT id FROM sa) AND r ->> 'action' = 'compound'
			  AND e.expected_gain - e.expected_costs > 0
			  AND e.expected_gain > (r -> 'plan' ->> 'compound_factor')::numeric * e.gas_cost),
	4::bigint, 'every compound: expected net > 0 and gain > compound_factor x gas');
SELECT is((SELECT array_agg(i ->> 'step' ORDER BY o) FROM pol, jsonb_array_elements(r -> 'intents') WITH ORDINALITY e(i, o) WHERE n = 4),
	ARRAY['collect', 'approve', 'approve', 'increase_liquidity'], 'intents: collect the fees, approve both tokens, increaseLiquidity');
SELECT is((SELECT array_agg(abi_decode('(address,uint256)', substring(decode(substr(i ->> 'data', 3), 'hex') FROM 5)) ->> 1 ORDER BY o)
			 FROM pol, jsonb_array_elements(r -> 'intents') WITH ORDINALITY e(i, o) WHERE n = 6 AND i ->> 'step' = 'approve'),
	ARRAY['0', '2000000000000000', '2000000000000000'],
	'an allowance of token0 that is non-zero and short: approve 0 first, then the amount (USDT-style tokens)');
SELECT is(strategy_lp_approvals('0x00000000000000000000000000000000000000a0', '0x00000000000000000000000000000000000000c0', '5', '5'),
	'[]'::jsonb, 'an allowance that suffices: no approval');
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
SELECT is((SELECT strategy_policy_lp_univ3(s, pg_temp.lp_state('2000000000000000', '2000000000000000', 1e22)) -> 'reasons' FROM strategies s WHERE s.id = (SELECT id FROM sa)),
	(SELECT r -> 'reasons' FROM pol WHERE n = 4) - 'compound_gain_beats_gas', 'without compound_factor: hold, with the gate''s reasons only');

SELECT * FROM finish();
ROLLBACK;
