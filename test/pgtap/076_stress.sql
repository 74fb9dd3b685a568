-- 076_stress: stress scenarios (validation, the builtin rows, the factor of
-- an asset), the exact revaluation of a v3 range and of a Morpho position
-- under a shock, and strategy_stress on a synthetic lp_univ3 strategy.
BEGIN;
SELECT plan(54);
SET LOCAL search_path = amplified, public;

-- ---- scenarios ----
SELECT is((SELECT array_agg(name ORDER BY name) FROM risk_scenarios WHERE builtin),
	ARRAY['borrow_rates_x3', 'eth_minus_30', 'lrt_april_2024', 'steth_june_2022'], 'four builtin scenarios');
SELECT is((SELECT shocks FROM risk_scenarios WHERE name = 'steth_june_2022'), '{"peg": {"lst": 0.935}}'::jsonb, 'June 2022: LST peg 0.935');
SELECT is((SELECT shocks FROM risk_scenarios WHERE name = 'lrt_april_2024'), '{"peg": {"lrt": 0.8}}'::jsonb, 'April 2024: LRT peg 0.8');
SELECT throws_ok($$INSERT INTO risk_scenarios (name, description, shocks) VALUES ('x', 'x', '[]')$$,
	'22023', 'the shocks of a scenario must be a JSON object', 'shocks must be an object');
SELECT throws_ok($$INSERT INTO risk_scenarios (name, description, shocks) VALUES ('x', 'x', '{"vol": 2}')$$,
	'22023', 'unknown shock "vol"', 'unknown shock');
SELECT throws_ok($$INSERT INTO risk_scenarios (name, description, shocks) VALUES ('x', 'x', '{"peg": {"lst": 0}}')$$,
	'22023', 'shock "peg" of "lst" must be a factor above 0 and at most 1000, not 0', 'a zero factor');
SELECT throws_ok($$INSERT INTO risk_scenarios (name, description, shocks) VALUES ('x', 'x', '{"peg": {"lst": "0.9"}}')$$,
	'22023', NULL, 'a factor as a string');
SELECT throws_ok($$INSERT INTO risk_scenarios (name, description, shocks) VALUES ('x', 'x', '{"price": {"btc": 0.5}}')$$,
	'22023', 'shock "price" has key "btc": an asset address or lst, lrt, usd', 'an unknown class');
SELECT throws_ok($$INSERT INTO risk_scenarios (name, description, shocks) VALUES ('x', 'x', '{"price": []}')$$,
	'22023', NULL, 'price must be an object');
SELECT throws_ok($$INSERT INTO risk_scenarios (name, description, shocks) VALUES ('x', 'x', '{"borrow_rate_mult": -1}')$$,
	'22023', 'borrow_rate_mult must be a number from 0 to 1000, not -1', 'a negative rate multiplier');
SELECT throws_ok($$INSERT INTO risk_scenarios (name, description, shocks) VALUES ('x', 'x', '{"class": {"0x00000000000000000000000000000000000000a0": "btc"}}')$$,
	'22023', NULL, 'an unknown class of an asset');
SELECT throws_ok($$INSERT INTO risk_scenarios (name, description, shocks) VALUES ('x', 'x', '{"class": {"lst": "lst"}}')$$,
	'22023', NULL, 'class keys are addresses');
SELECT throws_ok($$UPDATE risk_scenarios SET shocks = '{"peg": {"lst": -1}}' WHERE name = 'steth_june_2022'$$,
	'22023', NULL, 'updates are checked');
SELECT lives_ok($$INSERT INTO risk_scenarios (name, description, shocks) VALUES ('a0_half', 'token a0 halves',
	'{"price": {"0x00000000000000000000000000000000000000A0": 0.5}, "peg": {"lst": 0.9}}')$$, 'a user scenario');
SELECT is((SELECT x.cond FROM pg_extension e, unnest(e.extconfig, e.extcondition) x(rel, cond)
			WHERE e.extname = 'amplified' AND x.rel = 'amplified.risk_scenarios'::regclass),
	'WHERE NOT builtin', 'scenarios are configuration, dumped but for the builtin rows');
SET LOCAL ROLE amplified_admin;
SELECT throws_ok($$DELETE FROM risk_scenarios WHERE name = 'steth_june_2022'$$, '42501', NULL, 'an admin may not delete a builtin scenario');
SELECT throws_ok($$UPDATE risk_scenarios SET shocks = '{"peg": {"lst": 0.9}}' WHERE name = 'steth_june_2022'$$, '42501', NULL,
	'nor change its shocks');
SELECT lives_ok($$UPDATE risk_scenarios SET description = description || '.' WHERE name = 'steth_june_2022'$$, 'but may its description');
SELECT lives_ok($$UPDATE risk_scenarios SET shocks = '{"price": {"0x00000000000000000000000000000000000000a0": 0.5}}' WHERE name = 'a0_half'$$,
	'and may change a scenario of its own');
RESET ROLE;
SELECT is(risk_scenario_factor('{"peg": {"lst": 0.935}}', '0x00000000000000000000000000000000000000a0', 'lst'), 0.935::float8, 'lst peg');
SELECT is(risk_scenario_factor('{"peg": {"lst": 0.935}}', '0x00000000000000000000000000000000000000a0', NULL), 1::float8, 'no class: no move');
SELECT is(risk_scenario_factor('{"peg": {"lst": 0.935, "0x00000000000000000000000000000000000000a0": 0.5}, "price": {"lst": 2}}',
	'0x00000000000000000000000000000000000000a0', 'lst'), 1::float8, 'address key over class key, peg x price');
SELECT is(risk_scenario_factor('{"price": {"usd": 1.4285714285714286}}', '0x00000000000000000000000000000000000000a0', 'usd') * 0.7,
	1.0000000000000000::float8, 'eth_minus_30: a stablecoin gains 1/0.7 in ETH');

-- ---- a v3 range under a shock: the exact pool math ----
CREATE TEMP TABLE u AS SELECT * FROM risk_stress_univ3(univ3_sqrt_price_at_tick(5), -100, 100, '1000000000000000000000', 0.935);
SELECT is((SELECT sqrt_price_after FROM u), floor(univ3_sqrt_price_at_tick(5)::numeric * sqrt(0.935::numeric))::uint256,
	'the sqrt price moves by the square root of the factor, rounded down');
SELECT is((SELECT (amount0_after, amount1_after)::text FROM u),
	(SELECT (a.amount0, a.amount1)::text FROM univ3_amounts_for_liquidity(
		floor(univ3_sqrt_price_at_tick(5)::numeric * sqrt(0.935::numeric))::uint256,
		univ3_sqrt_price_at_tick(-100), univ3_sqrt_price_at_tick(100), '1000000000000000000000') a),
	'amounts after: univ3_amounts_for_liquidity at the shocked price');
SELECT is((SELECT (amount0_before, amount1_before)::text FROM u),
	(SELECT (a.amount0, a.amount1)::text FROM univ3_amounts_for_liquidity(univ3_sqrt_price_at_tick(5),
		univ3_sqrt_price_at_tick(-100), univ3_sqrt_price_at_tick(100), '1000000000000000000000') a), 'amounts before');
SELECT is((SELECT amount0_after = '0' FROM risk_stress_univ3(univ3_sqrt_price_at_tick(5), -100, 100, '1000000000000000000000', 1.5)),
	true, 'token0 up 50 %: the range is all token1');
SELECT throws_ok($$SELECT * FROM risk_stress_univ3(univ3_sqrt_price_at_tick(5), -100, 100, '1', 0)$$, '22023', NULL, 'a zero factor');

-- ---- a Morpho position under the June 2022 peg: liquidated ----
-- 100 wstETH-like collateral at 1:1, 90 borrowed, LLTV 94.5 %: health 1.05, at 0.935 it is 0.982;
-- the incentive (1.0168) at the shocked price seizes 97.9 of the 100.
CREATE TEMP TABLE m AS SELECT * FROM risk_stress_morpho('100000000000000000000', '90000000000000000000000000',
	'90000000000000000000', '90000000000000000000000000', '1000000000000000000000000000000000000', '945000000000000000', 0.935);
SELECT is((SELECT price_after FROM m), '935000000000000000000000000000000000'::uint256, 'oracle price x 0.935');
SELECT is((SELECT health_before FROM m), morpho_health_factor('100000000000000000000', '90000000000000000000000000',
	'90000000000000000000', '90000000000000000000000000', '1000000000000000000000000000000000000', '945000000000000000'), 'health before');
SELECT cmp_ok((SELECT health_before FROM m), '>', 1::numeric, 'healthy before');
SELECT cmp_ok((SELECT health_after FROM m), '<', 1::numeric, 'below 1 after the peg shock');
SELECT is((SELECT liquidated FROM m), true, 'liquidated');
SELECT is((SELECT (debt_repaid, repaid_shares, collateral_seized)::text FROM m),
	(SELECT (l.repaid_assets, l.repaid_shares, l.seized_assets)::text FROM morpho_liquidate('0', '90000000000000000000000000',
		'90000000000000000000', '90000000000000000000000000', '935000000000000000000000000000000000', '945000000000000000') l),
	'debt repaid and collateral seized: morpho_liquidate''s full liquidation');
SELECT cmp_ok((SELECT collateral_seized::numeric FROM m), '<', 100e18, 'the collateral covers it: no bad debt');
SELECT is((SELECT bad_debt FROM m), '0'::uint256, 'bad debt 0');
SELECT is((SELECT (liquidated, debt_repaid) FROM risk_stress_morpho('100000000000000000000', '90000000000000000000000000',
	'90000000000000000000', '90000000000000000000000000', '1000000000000000000000000000000000000', '945000000000000000', 0.99)),
	(false, '0'::uint256), 'a 1 % shock leaves it healthy');
-- At half the price the collateral does not cover the debt: all of it seized, the rest bad debt.
SELECT is((SELECT (collateral_seized, liquidated, bad_debt::numeric > 0) FROM risk_stress_morpho('100000000000000000000', '90000000000000000000000000',
	'90000000000000000000', '90000000000000000000000000', '1000000000000000000000000000000000000', '945000000000000000', 0.5)),
	('100000000000000000000'::uint256, true, true), 'underwater: all the collateral seized, the rest bad debt');

-- ---- Aave: health x factor, close factor ----
SELECT is((SELECT (health_after, liquidated) FROM risk_stress_aave('1100000000000000000', '90000000000000000000', '100000000000000000000',
	'100000000', 18, '100000000', 18, 10500, 0.935)), ('1028500000000000000'::uint256, false), 'Aave: health x factor, still healthy');
SELECT is((SELECT (debt_repaid, liquidated) FROM risk_stress_aave('1000000000000000000', '90000000000000000000', '100000000000000000000',
	'100000000', 18, '100000000', 18, 10500, 0.97)), ('45000000000000000000'::uint256, true), 'Aave: health 0.97: half the debt (close factor)');

-- ---- strategy_stress on a synthetic lp_univ3 strategy ----
SELECT lives_ok($$SELECT add_chain(999076, 'stress-test', ARRAY['http://127.0.0.1:9'], confirmations => 0, enabled => false)$$, 'a chain never called');
INSERT INTO blocks (chain_id, number, hash, parent_hash, timestamp)
	SELECT 999076, n, ('0x' || lpad(to_hex(n + 1000), 64, '0'))::bytes32, ('0x' || lpad(to_hex(n + 999), 64, '0'))::bytes32,
		   now() - interval '1 hour' + n * interval '1 minute' FROM generate_series(1, 3) n;
INSERT INTO univ3_pool_states (chain_id, block_number, pool, sqrt_price_x96, tick, observation_index,
	observation_cardinality, observation_cardinality_next, fee_protocol, unlocked, liquidity)
	VALUES (999076, 2, '0x00000000000000000000000000000000000000e0', univ3_sqrt_price_at_tick(5), 5, 0, 1, 1, 0, true, '1000000000000000000000');
SELECT lives_ok($$SELECT add_signer(999076, '0x00000000000000000000000000000000000000f0', 'node')$$, 'the vault''s signer');
CREATE TEMP TABLE lp AS SELECT * FROM strategy_create('stress lp', 'lp_univ3', 999076, '0x00000000000000000000000000000000000000f0',
	'{"pool": "0x00000000000000000000000000000000000000e0", "position_manager": "0x00000000000000000000000000000000000000c0",
	  "token0": "0x00000000000000000000000000000000000000a0", "token1": "0x00000000000000000000000000000000000000b0",
	  "fee": 500, "tick_spacing": 10, "decimals0": 18, "decimals1": 18, "sigma": 0.01, "k": 2}');
INSERT INTO positions (strategy_id, protocol, asset, position_id, amount, detail, block_number) VALUES
	((SELECT id FROM lp), 'token', '0x00000000000000000000000000000000000000a0', 0, '10000000000000000000', '{}', 2),
	((SELECT id FROM lp), 'token', '0x00000000000000000000000000000000000000b0', 0, '5000000000000000000', '{}', 2),
	((SELECT id FROM lp), 'univ3', '0x00000000000000000000000000000000000000c0', 7, '1000000000000000000000',
	 '{"pool": "0x00000000000000000000000000000000000000e0", "tick_lower": -100, "tick_upper": 100, "owed0": "1000", "owed1": "2000"}', 2);
SELECT throws_ok(format('SELECT * FROM strategy_stress(%s, %L)', (SELECT id FROM lp), 'steth_june_2022'), '55000', NULL,
	'no snapshot: no prices');
INSERT INTO strategy_snapshots (strategy_id, block_number, at, numeraire, value, hold_value, holdings, hold_basis)
	SELECT (SELECT id FROM lp), 2, now(), '0x00000000000000000000000000000000000000b0', 0, 0,
		   ARRAY[ROW('0x00000000000000000000000000000000000000a0', 'wallet', 0, 18, 1.0005, 0, NULL, NULL, NULL, NULL, NULL, NULL)::strategy_holding,
				 ROW('0x00000000000000000000000000000000000000b0', 'wallet', 0, 18, 1, 0, NULL, NULL, NULL, NULL, NULL, NULL)::strategy_holding], '{}';
SELECT throws_ok(format('SELECT * FROM strategy_stress(%s, %L)', (SELECT id FROM lp), 'nope'), '42704',
	'stress scenario "nope" does not exist', 'unknown scenario');
SELECT is((SELECT sum(value_before) = sum(value_after) FROM strategy_stress((SELECT id FROM lp), 'steth_june_2022')), true,
	'a0 is of no class: the June 2022 peg moves nothing');
INSERT INTO risk_asset_classes VALUES (999076, '0x00000000000000000000000000000000000000a0', 'lst');
CREATE TEMP TABLE st AS SELECT * FROM strategy_stress((SELECT id FROM lp), 'steth_june_2022');
SELECT is((SELECT value_after FROM st WHERE position = 'wallet' AND asset = '0x00000000000000000000000000000000000000a0'),
	10 * 1.0005 * 0.935, 'a0 classed lst: the wallet''s a0 at 0.935 of its price');
SELECT is((SELECT array_agg(value_after ORDER BY asset) FROM st WHERE position = 'univ3:0x00000000000000000000000000000000000000c0#7'),
	(SELECT ARRAY[(a.amount0::numeric + 1000) * 1e-18 * 1.0005 * 0.935, (a.amount1::numeric + 2000) * 1e-18]
	   FROM univ3_amounts_for_liquidity(floor(univ3_sqrt_price_at_tick(5)::numeric * sqrt(0.935::numeric))::uint256,
			univ3_sqrt_price_at_tick(-100), univ3_sqrt_price_at_tick(100), '1000000000000000000000') a),
	'the range revalued exactly: amounts at the shocked pool price, owed fees, shocked prices');
SELECT is((SELECT (scenario, round(loss_share, 6) > 0, liquidations) FROM strategy_stress_summary((SELECT id FROM lp))
	WHERE scenario = 'steth_june_2022'), ('steth_june_2022'::text, true, 0), 'the summary: a loss, no liquidation');
SELECT is((SELECT count(*) FROM strategy_stress_summary((SELECT id FROM lp))), 5::bigint, 'the summary has every scenario');

-- A Morpho position whose market the read models do not know: its legs at the shocked prices, no health.
INSERT INTO positions (strategy_id, protocol, asset, position_id, amount, detail, block_number) VALUES
	((SELECT id FROM lp), 'morpho_blue', '0x00000000000000000000000000000000000000a0', 0, '3000000000000000000',
	 '{"market": "0x0000000000000000000000000000000000000000000000000000000000000001", "account": "0x00000000000000000000000000000000000000f0", "side": "collateral"}', 2),
	((SELECT id FROM lp), 'morpho_blue', '0x00000000000000000000000000000000000000b0', 0, '-2000000000000000000',
	 '{"market": "0x0000000000000000000000000000000000000000000000000000000000000001", "account": "0x00000000000000000000000000000000000000f0", "side": "debt"}', 2);
SELECT is((SELECT array_agg(ROW(trim_scale(value_before), trim_scale(value_after), health_after, liquidated)::text ORDER BY asset)
			 FROM strategy_stress((SELECT id FROM lp), 'steth_june_2022') WHERE position LIKE 'morpho_blue:%'),
	ARRAY[ROW(3 * 1.0005, 3 * 1.0005 * 0.935, NULL::numeric, false)::text, ROW(-2::numeric, -2::numeric, NULL::numeric, false)::text],
	'a Morpho position without market state: both legs at the shocked prices, no health factor');
SELECT is((SELECT count(DISTINCT position) FROM strategy_stress((SELECT id FROM lp), 'borrow_rates_x3')), 3::bigint,
	'legs of one position share its label: wallet, the range, the Morpho position');

-- The risk reports carry the stressed losses per scenario (no market data
-- here, so the VaR is NULL with its reason; the stress needs none).
SELECT lives_ok($$SELECT risk_refresh_reports()$$, 'risk_refresh_reports with the stressed strategy');
SELECT is((SELECT (stress -> 'steth_june_2022' ->> 'loss')::numeric = (SELECT loss FROM strategy_stress_summary((SELECT id FROM lp))
												  WHERE scenario = 'steth_june_2022')
		  FROM risk_reports WHERE strategy_id = (SELECT id FROM lp) ORDER BY at DESC LIMIT 1), true,
	'its report''s stress: the summary''s loss for each scenario');
SELECT is((SELECT (SELECT count(*) FROM jsonb_object_keys(stress)) FROM risk_reports WHERE strategy_id = (SELECT id FROM lp)
			ORDER BY at DESC LIMIT 1), 5::bigint, 'every scenario');

SELECT * FROM finish();
ROLLBACK;
