-- 094_strategy_greeks: the greeks a strategy's Uniswap v3 NFTs add to its
-- net delta per asset (strategy_greeks, src/strategy/kinds/lp_univ3.sql),
-- the exposures an lp_univ3 proposal hands the risk gate
-- (strategy_lp_exposures) and risk_exposure's gamma field.
--
-- A synthetic lp_univ3 strategy (as in 076_stress): 10 a0 and 5 b0 in the
-- wallet, an NFT of liquidity 1e21 over [-100, 100) with 1000 / 2000 owed,
-- a second NFT over [200, 400) (out of range: all a0, no gamma), a Morpho
-- position of +3 a0 / -2 b0; the pool at tick 5.  By hand: a0's delta is
-- the wallet + both NFTs' exact amount0 + owed0 + 3e18; its gamma
-- -L / (2 P^1.5) with P = 1.0001^5; b0's gamma -L P^1.5 / 2 (the same form
-- in 1/P).  Then a second pool's NFT (its own tokens), vault shares and an
-- allocator's member row (left out), and an NFT of unknown tokens (refused).
-- All of it is rolled back.
BEGIN;
SELECT * FROM no_plan();
SET LOCAL search_path = amplified, public;

SELECT lives_ok($$SELECT add_chain(999094, 'greeks-test', ARRAY['http://127.0.0.1:9'], confirmations => 0, enabled => false)$$, 'a chain never called');
INSERT INTO blocks (chain_id, number, hash, parent_hash, timestamp)
	SELECT 999094, n, ('0x' || lpad(to_hex(n + 1000), 64, '0'))::bytes32, ('0x' || lpad(to_hex(n + 999), 64, '0'))::bytes32,
		   now() - interval '1 hour' + n * interval '1 minute' FROM generate_series(1, 3) n;
INSERT INTO univ3_pool_states (chain_id, block_number, pool, sqrt_price_x96, tick, observation_index,
	observation_cardinality, observation_cardinality_next, fee_protocol, unlocked, liquidity)
	VALUES (999094, 2, '0x00000000000000000000000000000000000000e0', univ3_sqrt_price_at_tick(5), 5, 0, 1, 1, 0, true, '1000000000000000000000');
SELECT lives_ok($$SELECT add_signer(999094, '0x00000000000000000000000000000000000000f0', 'node')$$, 'the vault''s signer');
CREATE TEMP TABLE lp AS SELECT * FROM strategy_create('greeks lp', 'lp_univ3', 999094, '0x00000000000000000000000000000000000000f0',
	'{"pool": "0x00000000000000000000000000000000000000e0", "position_manager": "0x00000000000000000000000000000000000000c0",
	  "token0": "0x00000000000000000000000000000000000000a0", "token1": "0x00000000000000000000000000000000000000b0",
	  "fee": 500, "tick_spacing": 10, "decimals0": 18, "decimals1": 18, "sigma": 0.01, "k": 2}');
INSERT INTO positions (strategy_id, protocol, asset, position_id, amount, detail, block_number) VALUES
	((SELECT id FROM lp), 'token', '0x00000000000000000000000000000000000000a0', 0, '10000000000000000000', '{}', 2),
	((SELECT id FROM lp), 'token', '0x00000000000000000000000000000000000000b0', 0, '5000000000000000000', '{}', 2),
	((SELECT id FROM lp), 'univ3', '0x00000000000000000000000000000000000000c0', 7, '1000000000000000000000',
	 '{"pool": "0x00000000000000000000000000000000000000e0", "tick_lower": -100, "tick_upper": 100, "owed0": "1000", "owed1": "2000"}', 2),
	((SELECT id FROM lp), 'univ3', '0x00000000000000000000000000000000000000c0', 8, '2000000000000000000000',
	 '{"pool": "0x00000000000000000000000000000000000000e0", "tick_lower": 200, "tick_upper": 400, "owed0": "0", "owed1": "0"}', 2),
	((SELECT id FROM lp), 'morpho_blue', '0x00000000000000000000000000000000000000a0', 0, '3000000000000000000',
	 '{"side": "collateral"}', 2),
	((SELECT id FROM lp), 'morpho_blue', '0x00000000000000000000000000000000000000b0', 0, '-2000000000000000000',
	 '{"side": "debt"}', 2);

CREATE TEMP TABLE want AS
SELECT 10e18 + n1.amount0::numeric + 1000 + n2.amount0::numeric + 3e18 AS d0,
	   5e18 + n1.amount1::numeric + 2000 + n2.amount1::numeric - 2e18 AS d1,
	   n1.amount0::numeric + 1000 + n2.amount0::numeric AS lp0,
	   -1e21 / (2 * power(1.0001::float8, 7.5)) AS g0,
	   -1e21 * power(1.0001::float8, 7.5) / 2 AS g1
  FROM univ3_amounts_for_liquidity(univ3_sqrt_price_at_tick(5), univ3_sqrt_price_at_tick(-100), univ3_sqrt_price_at_tick(100), '1000000000000000000000') n1,
	   univ3_amounts_for_liquidity(univ3_sqrt_price_at_tick(5), univ3_sqrt_price_at_tick(200), univ3_sqrt_price_at_tick(400), '2000000000000000000000') n2;
SELECT ok((SELECT n2 FROM (SELECT amount1 = 0 AS n2 FROM univ3_amounts_for_liquidity(univ3_sqrt_price_at_tick(5),
	univ3_sqrt_price_at_tick(200), univ3_sqrt_price_at_tick(400), '2000000000000000000000')) x), 'fixture: the second NFT is all a0');

SELECT results_eq($$SELECT asset::text, delta, quote::text, lp_delta, block_number FROM strategy_greeks((SELECT id FROM lp))$$,
	$$SELECT * FROM (VALUES ('0x00000000000000000000000000000000000000a0', (SELECT d0 FROM want), '0x00000000000000000000000000000000000000B0',
							 (SELECT lp0 FROM want), 2::bigint),
							('0x00000000000000000000000000000000000000B0', (SELECT d1 FROM want), '0x00000000000000000000000000000000000000a0',
							 (SELECT d1 - 3e18 FROM want), 2::bigint)) v$$,
	'net delta per asset: wallet + exact NFT amounts + owed fees + Morpho legs; the NFT part; the pool state''s block');
SELECT ok(abs(g.gamma / w.g0 - 1) < 1e-9, format('a0''s gamma is -L / (2 P^1.5): %s vs %s', g.gamma, w.g0))
  FROM strategy_greeks((SELECT id FROM lp)) g, want w WHERE g.asset = '0x00000000000000000000000000000000000000a0';
SELECT ok(abs(g.gamma / w.g1 - 1) < 1e-9, format('b0''s gamma (in 1/P) is -L P^1.5 / 2: %s vs %s', g.gamma, w.g1))
  FROM strategy_greeks((SELECT id FROM lp)) g, want w WHERE g.asset = '0x00000000000000000000000000000000000000b0';
SELECT is((SELECT gamma FROM strategy_greeks((SELECT id FROM lp)) WHERE asset = '0x00000000000000000000000000000000000000a0'),
	(SELECT gamma FROM univ3_position_greeks(univ3_sqrt_price_at_tick(5), -100, 100, '1000000000000000000000')),
	'the out-of-range NFT adds no gamma: a0''s gamma is the first NFT''s, as univ3_position_greeks gives it');
SELECT throws_ok(format('SELECT * FROM strategy_greeks(%s, 1)', (SELECT id FROM lp)), '55000', NULL,
	'no pool state at block 1: refused');
SELECT throws_ok($$SELECT * FROM strategy_greeks(-1)$$, '42704', 'strategy -1 does not exist', 'unknown strategy');
SELECT set_config('amp.t_lp', (SELECT id FROM lp)::text, true);
SAVEPOINT reader;
SET LOCAL ROLE amplified_reader;
SELECT is((SELECT count(*)::int FROM strategy_greeks(current_setting('amp.t_lp')::bigint)), 2, 'a reader sees a strategy''s greeks');
ROLLBACK TO SAVEPOINT reader;

-- A second pool (tokens c1 / d1, at tick -20) with an NFT whose sync
-- recorded its own tokens, and positions whose amount is not an amount of
-- the asset (vault shares of a0, an allocator's member row in b0): the NFT
-- counts in c1 / d1 at its own pool's price, the others are left out.
INSERT INTO univ3_pool_states (chain_id, block_number, pool, sqrt_price_x96, tick, observation_index,
	observation_cardinality, observation_cardinality_next, fee_protocol, unlocked, liquidity)
	VALUES (999094, 2, '0x00000000000000000000000000000000000000e1', univ3_sqrt_price_at_tick(-20), -20, 0, 1, 1, 0, true, '1');
INSERT INTO positions (strategy_id, protocol, asset, position_id, amount, detail, block_number) VALUES
	((SELECT id FROM lp), 'univ3', '0x00000000000000000000000000000000000000c0', 9, '500000000000000000000',
	 '{"pool": "0x00000000000000000000000000000000000000e1", "token0": "0x00000000000000000000000000000000000000c1",
	   "token1": "0x00000000000000000000000000000000000000d1", "fee": 3000,
	   "tick_lower": -60, "tick_upper": 60, "owed0": "10", "owed1": "20"}', 2),
	((SELECT id FROM lp), 'erc4626', '0x00000000000000000000000000000000000000a0', 0, '7000000000000000000', '{"shares": true}', 2),
	((SELECT id FROM lp), 'member', '0x00000000000000000000000000000000000000b0', 1, '1000000000000000000', '{"strategy_id": 1}', 2);
CREATE TEMP TABLE want2 AS
SELECT n.amount0::numeric + 10 AS c1, n.amount1::numeric + 20 AS d1,
	   g.gamma AS g0, (SELECT x.gamma FROM strategy_lp_greeks('0x00000000000000000000000000000000000000c1',
			'0x00000000000000000000000000000000000000d1', univ3_sqrt_price_at_tick(-20),
			'[{"tick_lower": -60, "tick_upper": 60, "liquidity": "500000000000000000000"}]') x
		WHERE x.asset = '0x00000000000000000000000000000000000000d1') AS g1
  FROM univ3_amounts_for_liquidity(univ3_sqrt_price_at_tick(-20), univ3_sqrt_price_at_tick(-60), univ3_sqrt_price_at_tick(60),
		'500000000000000000000') n,
	   univ3_position_greeks(univ3_sqrt_price_at_tick(-20), -60, 60, '500000000000000000000') g;
SELECT results_eq($$SELECT lower(asset::text), delta, lower(quote::text), lp_delta FROM strategy_greeks((SELECT id FROM lp))$$,
	$$SELECT * FROM (VALUES ('0x00000000000000000000000000000000000000a0', (SELECT d0 FROM want), '0x00000000000000000000000000000000000000b0',
							 (SELECT lp0 FROM want)),
							('0x00000000000000000000000000000000000000b0', (SELECT d1 FROM want), '0x00000000000000000000000000000000000000a0',
							 (SELECT d1 - 3e18 FROM want)),
							('0x00000000000000000000000000000000000000c1', (SELECT c1 FROM want2), '0x00000000000000000000000000000000000000d1',
							 (SELECT c1 FROM want2)),
							('0x00000000000000000000000000000000000000d1', (SELECT d1 FROM want2), '0x00000000000000000000000000000000000000c1',
							 (SELECT d1 FROM want2))) v$$,
	'a second pool''s NFT counts in its own tokens at its own price; vault shares and member rows are left out');
SELECT ok((SELECT abs(g.gamma / w.g0 - 1) < 1e-12 FROM strategy_greeks((SELECT id FROM lp)) g, want2 w
	WHERE g.asset = '0x00000000000000000000000000000000000000c1'), 'c1''s gamma is the second NFT''s alone');
SELECT is((SELECT gamma FROM strategy_greeks((SELECT id FROM lp)) WHERE asset = '0x00000000000000000000000000000000000000a0'),
	(SELECT gamma FROM univ3_position_greeks(univ3_sqrt_price_at_tick(5), -100, 100, '1000000000000000000000')),
	'a0''s gamma is still the first pool''s NFT''s only');
-- an NFT on another pool whose tokens nobody recorded: refused, not guessed
INSERT INTO univ3_pool_states (chain_id, block_number, pool, sqrt_price_x96, tick, observation_index,
	observation_cardinality, observation_cardinality_next, fee_protocol, unlocked, liquidity)
	VALUES (999094, 2, '0x00000000000000000000000000000000000000e2', univ3_sqrt_price_at_tick(0), 0, 0, 1, 1, 0, true, '1');
INSERT INTO positions (strategy_id, protocol, asset, position_id, amount, detail, block_number) VALUES
	((SELECT id FROM lp), 'univ3', '0x00000000000000000000000000000000000000c0', 10, '1000',
	 '{"pool": "0x00000000000000000000000000000000000000e2", "tick_lower": -60, "tick_upper": 60}', 2);
SELECT throws_ok(format('SELECT * FROM strategy_greeks(%s)', (SELECT id FROM lp)), '55000',
	format('strategy %s''s Uniswap v3 NFT #10 on pool 0x00000000000000000000000000000000000000E2 has no known tokens', (SELECT id FROM lp)),
	'an NFT on a pool that is not the strategy''s, without its tokens: refused');
SELECT is((SELECT token0::text FROM v_univ3_positions WHERE token_id = 9), '0x00000000000000000000000000000000000000C1',
	'v_univ3_positions: the NFT''s own token0');
SELECT is((SELECT lower(token1::text) FROM v_univ3_positions WHERE token_id = 7), '0x00000000000000000000000000000000000000b0',
	'v_univ3_positions: an NFT on the strategy''s pool without recorded tokens has the strategy''s');
SELECT is((SELECT token0 FROM v_univ3_positions WHERE token_id = 10), NULL, 'v_univ3_positions: and one on another pool none');

-- the exposures of a proposal: two ranges at tick 5 and idle tokens
CREATE TEMP TABLE ex AS
SELECT strategy_lp_exposures((SELECT params FROM lp), univ3_sqrt_price_at_tick(5),
	'[{"tick_lower": -100, "tick_upper": 100, "liquidity": "1000000000000000000000"},
	  {"tick_lower": 200, "tick_upper": 400, "liquidity": "2000000000000000000000"}]', 7, 11) AS j;
SELECT results_eq($$SELECT e.asset::text, e.delta, e.gamma IS NOT NULL, e.ltv FROM ex, unnest((risk_proposal_of(jsonb_build_object('action', 'open', 'exposures', ex.j))).exposures) e$$,
	$$SELECT * FROM (VALUES ('0x00000000000000000000000000000000000000a0', (SELECT lp0 - 1000 + 7 FROM want), true, NULL::float8),
							('0x00000000000000000000000000000000000000B0', (SELECT d1 - 5e18 - 2000 + 2e18 + 11 FROM want), true, NULL::float8)) v$$,
	'the proposal''s exposures as the gate reads them: the ranges'' exact amounts plus idle, per token, with gamma');
SELECT ok(abs((j -> 0 ->> 'gamma')::float8 / (SELECT g0 FROM want) - 1) < 1e-9, 'the token0 exposure carries the ranges'' gamma') FROM ex;
SELECT is((SELECT params ->> 'numeraire' FROM lp), 'token1', 'fixture: the numeraire is token1 (the default)');
SELECT is(round((j -> 0 ->> 'notional')::numeric, 12),
	round((j -> 0 ->> 'delta')::numeric / 1e18 * strategy_price1per0(univ3_sqrt_price_at_tick(5), 18, 18), 12),
	'numeraire token1: token0''s notional is its whole units at the price') FROM ex;
SELECT is((j -> 1 ->> 'notional')::numeric, (j -> 1 ->> 'delta')::numeric / 1e18, 'numeraire token1: token1''s notional is its whole units') FROM ex;
SELECT throws_ok($$SELECT risk_proposal_of('{"action": "open", "exposures": [{"asset": "0x00000000000000000000000000000000000000a0", "gamma": "NaN"}]}')$$,
	'22023', NULL, 'a NaN gamma is refused');
SELECT throws_ok($$SELECT risk_proposal_of('{"action": "open", "exposures": [{"asset": "0x00000000000000000000000000000000000000a0", "vega": 1}]}')$$,
	'22023', 'exposure has an unknown field "vega"', 'an unknown exposure field is still refused');

SELECT * FROM finish();
ROLLBACK;
