-- 095_pnl_attribution: v_pnl_attribution and strategy_pnl_step
-- (src/strategy/pnl.sql) on a hand-built history of four snapshots written
-- by the engine's own writer (strategy_record_snapshot), with a mined swap
-- (its gas and quoted swap cost), a deposit and a withdrawal.  Asset a1 is
-- the numeraire; b1 an LST (rate 1.1 → 1.2) in the wallet and in an NFT
-- owing fees; a supply of a1 and a debt of c1 accrue interest.  Every
-- component is checked against the arithmetic in the comments
-- (docs/performance.md works the first period out), and the identity
-- value_change = Σ pnl_ on every row of every period.  All rolled back.
BEGIN;
SELECT * FROM no_plan();
SET LOCAL search_path = amplified, public;

SELECT lives_ok($$SELECT add_chain(999095, 'pnl-test', ARRAY['http://127.0.0.1:9'], confirmations => 0, enabled => false)$$, 'a chain never called');
SELECT lives_ok($$SELECT add_signer(999095, '0x00000000000000000000000000000000000000f5', 'node')$$, 'the vault''s signer');
CREATE TEMP TABLE s AS SELECT * FROM strategy_create('pnl attribution', 'lp_univ3', 999095, '0x00000000000000000000000000000000000000f5',
	'{"pool": "0x00000000000000000000000000000000000000e0", "position_manager": "0x00000000000000000000000000000000000000c0",
	  "token0": "0x00000000000000000000000000000000000000a1", "token1": "0x00000000000000000000000000000000000000b1",
	  "fee": 500, "tick_spacing": 10, "decimals0": 18, "decimals1": 18, "sigma": 0.01, "k": 2}');

-- holdings: (asset, position, whole amount, price, whole fees owed, rate, accrual), 18 decimals
CREATE FUNCTION pg_temp.v(legs text[][]) RETURNS strategy_valuation LANGUAGE sql AS $$
	SELECT ROW('0x00000000000000000000000000000000000000a1', 0,
		ARRAY(SELECT ROW(('0x00000000000000000000000000000000000000' || l[1])::address, l[2], l[3]::numeric * 1e18, 18,
						 l[4]::numeric, l[5]::numeric * 1e18, nullif(l[6], '')::numeric, nullif(l[7], ''))::strategy_holding
				FROM (SELECT $1[i:i][1:7] AS x, i FROM generate_subscripts($1, 1) i) y,
					 LATERAL (SELECT ARRAY(SELECT unnest(y.x)) AS l) z ORDER BY y.i))::strategy_valuation
$$;

-- Snapshot 1, block 100, 10:00: V = 10 + 20 × 1.1 + 100 - 5 × 2 + 5 × 1.1 = 127.5
SELECT lives_ok($$SELECT strategy_record_snapshot((SELECT id FROM s), 100, '2026-01-01 10:00Z', pg_temp.v(ARRAY[
	['a1', 'wallet',   '10',  '1',   '0', '',       ''],
	['b1', 'wallet',   '20',  '1.1', '0', '1.1e18', 'staking'],
	['a1', 'morpho:1', '100', '1',   '0', '1e18',   'interest'],
	['c1', 'morpho:2', '-5',  '2',   '0', '1e18',   'interest'],
	['b1', 'univ3:7',  '5',   '1.1', '1', '',       '']]))$$, 'snapshot 1');
-- Between 100 and 200: a swap decision (quoted cost 0.03) mined at block
-- 150 with 100000 gas at 1 gwei (0.0001 ETH), a deposit of 5 a1 at 180.
INSERT INTO tx_intents (chain_id, sender, target, value, data, strategy_id, status, nonce, block_number)
	VALUES (999095, '0x00000000000000000000000000000000000000f5', '0x00000000000000000000000000000000000000e9', '0', '\x',
			(SELECT id FROM s), 'mined', 0, 150);
INSERT INTO tx_attempts (intent_id, chain_id, sender, nonce, tx_type, gas_limit, raw, hash, status, block_number, gas_used, effective_gas_price)
	SELECT max(id), 999095, '0x00000000000000000000000000000000000000f5', 0, 2, 200000, '\x01',
		   '0x00000000000000000000000000000000000000000000000000000000000095a1', 'mined', 150, 100000, '1000000000'
	  FROM tx_intents WHERE strategy_id = (SELECT id FROM s);
INSERT INTO decisions (strategy_id, chain_id, block_number, last_block_number, action, status, plan, intents, intent_ids)
	SELECT (SELECT id FROM s), 999095, 140, 140, 'rebalance', 'enqueued', '{"swap_cost": 0.03}',
		   '[{"step": "swap"}]', ARRAY[max(id)] FROM tx_intents WHERE strategy_id = (SELECT id FROM s);
-- A decision whose swap was not mined adds no swap cost.
INSERT INTO decisions (strategy_id, chain_id, block_number, last_block_number, action, status, plan, intents, intent_ids)
	VALUES ((SELECT id FROM s), 999095, 160, 160, 'rebalance', 'enqueued', '{"swap_cost": 7}', '[{"step": "swap"}]', ARRAY[-1]::bigint[]);
INSERT INTO strategy_flows (strategy_id, block_number, asset, amount, note)
	VALUES ((SELECT id FROM s), 180, '0x00000000000000000000000000000000000000a1', 5, 'deposit');
-- Snapshot 2, block 200, 10:30: b1 1.25 (rate 1.2), c1 2.2; the supply's
-- index 1.01 (101), the debt's 1.02 (-5.1); the NFT 4.6 with 1.5 owed; 5
-- deposited.  V = 15 + 20 × 1.25 + 101 - 5.1 × 2.2 + 4.6 × 1.25 = 135.53
SELECT lives_ok($$SELECT strategy_record_snapshot((SELECT id FROM s), 200, '2026-01-01 10:30Z', pg_temp.v(ARRAY[
	['a1', 'wallet',   '15',   '1',    '0',   '',        ''],
	['b1', 'wallet',   '20',   '1.25', '0',   '1.2e18',  'staking'],
	['a1', 'morpho:1', '101',  '1',    '0',   '1.01e18', 'interest'],
	['c1', 'morpho:2', '-5.1', '2.2',  '0',   '1.02e18', 'interest'],
	['b1', 'univ3:7',  '4.6',  '1.25', '1.5', '',        '']]))$$, 'snapshot 2');
-- A withdrawal of 2 a1 at 250.
INSERT INTO strategy_flows (strategy_id, block_number, asset, amount, note)
	VALUES ((SELECT id FROM s), 250, '0x00000000000000000000000000000000000000a1', -2, 'withdrawal');
-- Snapshot 3, block 300, 11:10: the NFT burned, its 4.6 b1 (1.5 of fees
-- collected) in the wallet; 2 withdrawn.  V = 13 + 24.6 × 1.25 + 101 - 11.22 = 133.53
SELECT lives_ok($$SELECT strategy_record_snapshot((SELECT id FROM s), 300, '2026-01-01 11:10Z', pg_temp.v(ARRAY[
	['a1', 'wallet',   '13',   '1',    '0', '',        ''],
	['b1', 'wallet',   '24.6', '1.25', '0', '1.2e18',  'staking'],
	['a1', 'morpho:1', '101',  '1',    '0', '1.01e18', 'interest'],
	['c1', 'morpho:2', '-5.1', '2.2',  '0', '1.02e18', 'interest']]))$$, 'snapshot 3');
-- Snapshot 4, block 400, the next day 00:30: b1 falls to 1, c1 to 2.
-- V = 13 + 24.6 + 101 - 10.2 = 128.4
SELECT lives_ok($$SELECT strategy_record_snapshot((SELECT id FROM s), 400, '2026-01-02 00:30Z', pg_temp.v(ARRAY[
	['a1', 'wallet',   '13',   '1', '0', '',        ''],
	['b1', 'wallet',   '24.6', '1', '0', '1.2e18',  'staking'],
	['a1', 'morpho:1', '101',  '1', '0', '1.01e18', 'interest'],
	['c1', 'morpho:2', '-5.1', '2', '0', '1.02e18', 'interest']]))$$, 'snapshot 4');

SELECT is(ARRAY(SELECT value FROM strategy_snapshots WHERE strategy_id = (SELECT id FROM s) ORDER BY block_number),
	ARRAY[127.5, 135.53, 133.53, 128.4]::numeric[], 'a snapshot''s value is the mark of its holdings (the valuation said 0)');

CREATE TEMP TABLE a AS SELECT * FROM v_pnl_attribution WHERE strategy_id = (SELECT id FROM s);
SELECT is((SELECT count(*) FROM a WHERE period = 'block'), 3::bigint, 'three block periods: the first snapshot starts none');
SELECT is((SELECT count(*) FROM a WHERE period = 'hour'), 3::bigint, 'three hours hold period ends');
SELECT is((SELECT count(*) FROM a WHERE period = 'day'), 2::bigint, 'two days');

-- Period 100 → 200.  H (snapshot 1's holdings at snapshot 2's prices)
-- = 10 + 20 × 1.25 + 100 - 5 × 2.2 + 5 × 1.25 = 130.25.
SELECT is((SELECT ARRAY[value_start, value_end, value_change] FROM a WHERE period = 'block' AND block_end = 200),
	ARRAY[127.5, 135.53, 8.03], 'period 200: values');
SELECT is((SELECT pnl_staking_yield FROM a WHERE period = 'block' AND block_end = 200), 2.5,
	'staking yield: (20 + 5) b1 × (1.2 - 1.1)');
SELECT is((SELECT pnl_hedge FROM a WHERE period = 'block' AND block_end = 200), -1.0,
	'hedge: the short -5 c1 × (2.2 - 2)');
SELECT is((SELECT pnl_price FROM a WHERE period = 'block' AND block_end = 200), 1.25,
	'price: the long 25 b1 × (1.25 - 1.1) = 3.75, less the 2.5 of staking yield');
SELECT is((SELECT pnl_fees FROM a WHERE period = 'block' AND block_end = 200), 0.625,
	'fees: 0.5 more owed × 1.25');
SELECT is((SELECT ARRAY[pnl_interest_earned, pnl_interest_paid] FROM a WHERE period = 'block' AND block_end = 200),
	ARRAY[1, -0.22], 'interest: 100 × 1 % earned; 5 c1 × 2 % × 2.2 paid');
SELECT is((SELECT ARRAY[gas_eth, pnl_gas] FROM a WHERE period = 'block' AND block_end = 200), ARRAY[0.0001, -0.0001],
	'gas: 100000 × 1 gwei = 0.0001 ETH, at 1 numeraire per ETH (no feed)');
SELECT is((SELECT pnl_swap_cost FROM a WHERE period = 'block' AND block_end = 200), -0.03,
	'swap cost: the mined swap''s quoted 0.03 (the unmined one''s 7 not)');
SELECT is((SELECT pnl_flows FROM a WHERE period = 'block' AND block_end = 200), 5.0001,
	'flows: the deposit of 5 and the 0.0001 of gas the owner paid');
SELECT is((SELECT pnl_divergence FROM a WHERE period = 'block' AND block_end = 200), -1.095,
	'divergence: V - H = 5.28, less fees 0.625, interest 1 - 0.22, the 5 deposited, plus the 0.03 swap cost');
SELECT is((SELECT pnl_incentives FROM a WHERE period = 'block' AND block_end = 200), 0::numeric, 'incentives: no source');

-- Period 200 → 300: the NFT went to the wallet (no P&L), 2 withdrawn.
SELECT is((SELECT ARRAY[value_change, pnl_flows, pnl_divergence, pnl_fees, pnl_price, pnl_gas, pnl_swap_cost] FROM a
			WHERE period = 'block' AND block_end = 300),
	ARRAY[-2, -2, 0, 0, 0, 0, 0]::numeric[], 'period 300: the withdrawal only; burning the NFT into the wallet moves nothing');
-- Period 300 → 400: b1 1.25 → 1 on 24.6, c1 2.2 → 2 on -5.1.
SELECT is((SELECT ARRAY[value_change, pnl_price, pnl_hedge, pnl_divergence] FROM a WHERE period = 'block' AND block_end = 400),
	ARRAY[-5.13, -6.15, 1.02, 0], 'period 400: price 24.6 × -0.25; hedge -5.1 × -0.2');

-- Hours and days sum their block periods.
SELECT is((SELECT ARRAY[value_start, value_end, pnl_flows, pnl_divergence] FROM a WHERE period = 'day' AND at = '2026-01-02 00:00Z'),
	ARRAY[127.5, 133.53, 3.0001, -1.095], 'day 1 (ending 2026-01-02 00:00 UTC): 127.5 → 133.53, flows 5.0001 - 2');
SELECT is((SELECT ARRAY[block_start, block_end] FROM a WHERE period = 'hour' AND at = '2026-01-01 11:00Z'),
	ARRAY[100, 200]::bigint[], 'the hour ending 11:00 holds the period 100 → 200');
SELECT is((SELECT value_change FROM a WHERE period = 'day' AND at = '2026-01-03 00:00Z'), -5.13, 'day 2');

-- The identity, on every row of every period.
SELECT is((SELECT count(*) FROM a WHERE value_change IS DISTINCT FROM pnl_fees + pnl_divergence + pnl_staking_yield
			+ pnl_interest_earned + pnl_interest_paid + pnl_hedge + pnl_incentives + pnl_gas + pnl_swap_cost
			+ pnl_price + pnl_flows), 0::bigint, 'value_change = Σ pnl_ on every row');
SELECT is((SELECT count(*) FROM a WHERE value_change <> value_end - value_start), 0::bigint, 'value_change = value_end - value_start');

-- A snapshot written by hand whose value is not its holdings' mark still closes.
INSERT INTO strategy_snapshots (strategy_id, block_number, at, numeraire, value, hold_value, fees_owed, fees_collected,
		staking_yield, interest_earned, interest_paid, holdings, hold_basis)
	SELECT strategy_id, 500, '2026-01-02 01:00Z', numeraire, 128.9, 0, fees_owed, fees_collected,
		   staking_yield, interest_earned, interest_paid, holdings, hold_basis
	  FROM strategy_snapshots WHERE strategy_id = (SELECT id FROM s) AND block_number = 400;
SELECT is((SELECT ARRAY[value_change, pnl_divergence, pnl_price] FROM v_pnl_attribution
			WHERE strategy_id = (SELECT id FROM s) AND period = 'block' AND block_end = 500),
	ARRAY[0.5, 0.5, 0], 'an unexplained 0.5 with the same holdings is divergence (value against holding), and closes');

SELECT is(strategy_gas_price(999095, '0x00000000000000000000000000000000000000a1', now()), 1::numeric,
	'without a feed of the native coin in the numeraire, 1 per ETH');
-- With a feed of the native coin (the zero address) in the numeraire, its
-- price values the gas: 2000 a1 per ETH makes the 0.0001 ETH cost 0.2.
CREATE FUNCTION public.amp_t_eth(bigint, amplified.address, timestamptz, timestamptz)
RETURNS amplified.market_point[] LANGUAGE sql STABLE
AS $$ SELECT ARRAY[ROW('2025-12-31 00:00Z'::timestamptz, 1, 2000::numeric)::amplified.market_point] $$;
INSERT INTO market_sources (name, provides, series, description) VALUES ('amp_t_eth', 'price', 'public.amp_t_eth', 'test ETH price');
INSERT INTO market_feeds (chain_id, asset, quote, source, contract) VALUES
	(999095, '0x0000000000000000000000000000000000000000', '0x00000000000000000000000000000000000000a1', 'amp_t_eth',
	 '0x00000000000000000000000000000000000000ee');
SELECT is(strategy_gas_price(999095, '0x00000000000000000000000000000000000000a1', '2026-01-01 10:30Z'), 2000::numeric,
	'a feed of the native coin in the numeraire prices ETH');
SELECT is((SELECT ARRAY[gas_eth, pnl_gas, pnl_flows, value_change - (pnl_fees + pnl_divergence + pnl_staking_yield
			+ pnl_interest_earned + pnl_interest_paid + pnl_hedge + pnl_incentives + pnl_gas + pnl_swap_cost + pnl_price + pnl_flows)]
			 FROM v_pnl_attribution WHERE strategy_id = (SELECT id FROM s) AND period = 'block' AND block_end = 200),
	ARRAY[0.0001, -0.2, 5.2, 0], 'the gas at 2000 per ETH: -0.2, funded by the owner (flows 5.2); the identity holds');

-- Readers see the view.
SET LOCAL ROLE amplified_reader;
SELECT is((SELECT count(*) FROM v_pnl_attribution WHERE strategy = 'pnl attribution'), 10::bigint,
	'amplified_reader reads v_pnl_attribution');
RESET ROLE;
SELECT throws_ok($$SET LOCAL ROLE amplified_reader; INSERT INTO amplified.strategy_flows (strategy_id, block_number, asset, amount)
	VALUES (1, 1, '0x00000000000000000000000000000000000000a1', 1)$$, '42501', NULL, 'readers do not record flows');
RESET ROLE;
SELECT throws_ok($$INSERT INTO strategy_flows (strategy_id, block_number, asset, amount)
	VALUES ((SELECT id FROM s), 1, '0x00000000000000000000000000000000000000a1', 0)$$, '23514', NULL, 'a flow of 0 is refused');
SELECT lives_ok($$SET LOCAL ROLE amplified_operator; INSERT INTO amplified.strategy_flows (strategy_id, block_number, asset, amount, note)
	SELECT id, 450, '0x00000000000000000000000000000000000000a1', 1, 'by the operator' FROM amplified.strategies WHERE name = 'pnl attribution'$$,
	'operators record flows');
RESET ROLE;
SELECT is((SELECT ARRAY[pnl_flows, pnl_divergence] FROM v_pnl_attribution
			WHERE strategy_id = (SELECT id FROM s) AND period = 'block' AND block_end = 500),
	ARRAY[1, -0.5], 'a flow recorded after the fact moves that period''s 1 from divergence to flows');

SELECT * FROM finish();
ROLLBACK;
