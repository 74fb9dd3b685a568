-- 097_hedge: the hedge kind of strategy on hand-built states (no node):
-- validate's errors, one per line with its SQLSTATE; the policy's rules in
-- order (approve, re-hedge with its cost-benefit test, tidy, unwind step by
-- step) with the amounts in the intents' calldata decoded back and checked
-- against the formulas of src/strategy/kinds/hedge.sql, the swaps against
-- strategy_hedge_quote (univ3_simulate_swap) to the wei; the simulate
-- function on hand-built eth_call results; the registry row and grants.
--
-- The state: a pool of the asset (token0, 0x..a1) and the collateral
-- (token1, 0x..b1) at price 1 (sqrt price 2^96), 1e24 liquidity over the
-- whole tick range, fee 100 (0.01 %); the Morpho oracle at 1 asset per
-- collateral.  All of it is rolled back.
BEGIN;
SELECT * FROM no_plan();
SET LOCAL search_path = amplified, public;
SET LOCAL amplified.rpc_max_retries = 0;
SET LOCAL amplified.rpc_connect_timeout = 1000;

SELECT lives_ok($$SELECT add_chain(990093, 'hedge-test', ARRAY['http://127.0.0.1:1'], confirmations => 0, enabled => false)$$,
	'a chain whose node refuses connections');
CREATE TEMP TABLE addr (name text PRIMARY KEY, a amplified.address);
INSERT INTO addr VALUES
	('asset', '0x00000000000000000000000000000000000000a1'),		-- wstETH, token0 of the pool
	('coll', '0x00000000000000000000000000000000000000b1'),			-- WETH, token1, the collateral
	('morpho', '0x00000000000000000000000000000000000000c1'), ('oracle', '0x00000000000000000000000000000000000000c2'),
	('irm', '0x00000000000000000000000000000000000000c3'),
	('pool', '0x00000000000000000000000000000000000000e0'), ('npm', '0x00000000000000000000000000000000000000e1'),
	('router', '0x00000000000000000000000000000000000000e2'),
	('lp_owner', '0x00000000000000000000000000000000000000f0'), ('owner', '0x00000000000000000000000000000000000000f1');
CREATE FUNCTION pg_temp.a(n text) RETURNS amplified.address LANGUAGE sql STABLE AS $$ SELECT a FROM addr WHERE name = n $$;
CREATE FUNCTION pg_temp.t(n text) RETURNS text LANGUAGE sql STABLE AS $$ SELECT a::text FROM addr WHERE name = n $$;

-- The target: an lp_univ3 strategy on the pool (nothing read from the chain).
CREATE TEMP TABLE tgt AS SELECT * FROM strategy_create('lp target', 'lp_univ3', 990093, pg_temp.a('lp_owner'),
	jsonb_build_object('pool', pg_temp.t('pool'), 'position_manager', pg_temp.t('npm'), 'token0', pg_temp.t('asset'),
		'token1', pg_temp.t('coll'), 'fee', 100, 'tick_spacing', 1, 'decimals0', 18, 'decimals1', 18));
CREATE TEMP TABLE h_in AS SELECT jsonb_build_object('target', (SELECT id FROM tgt), 'asset', pg_temp.t('asset'),
	'collateral', pg_temp.t('coll'), 'morpho', pg_temp.t('morpho'), 'oracle', pg_temp.t('oracle'), 'irm', pg_temp.t('irm'),
	'lltv', '860000000000000000', 'swap_router', pg_temp.t('router'), 'swap_fee', 100, 'swap_tick_spacing', 1,
	'asset_decimals', 18, 'collateral_decimals', 18, 'band', 0.5, 'max_ltv', 0.6) AS p;
CREATE TEMP TABLE h_params AS SELECT strategy_validate_hedge(p, 990093) AS p FROM h_in;
-- A strategies row as the engine passes it to the kind's functions.
CREATE FUNCTION pg_temp.strat(params jsonb) RETURNS amplified.strategies LANGUAGE sql STABLE AS $$
	SELECT ROW(2, 'hedge', 'hedge', 990093, pg_temp.a('owner'), params, true, now(), now())::amplified.strategies $$;
CREATE FUNCTION pg_temp.hp(extra jsonb DEFAULT '{}') RETURNS jsonb LANGUAGE sql STABLE AS $$ SELECT p || extra FROM h_params $$;

-- ---- validate ----

SELECT is((SELECT p ->> 'market' FROM h_params),
	morpho_market_id(pg_temp.a('asset'), pg_temp.a('coll'), pg_temp.a('oracle'), pg_temp.a('irm'), '860000000000000000')::text,
	'validate: the market is the id of (loan: the asset, collateral, oracle, irm, lltv)');
SELECT is((SELECT jsonb_build_array(p -> 'target_owner', p -> 'target_pool', p -> 'swap_pool') FROM h_params),
	jsonb_build_array(pg_temp.t('lp_owner'), pg_temp.t('pool'), pg_temp.t('pool')), 'validate: the target''s vault and pool, the swap pool defaults to it');
SELECT is((SELECT jsonb_build_array(p -> 'hedge_ratio', p -> 'vol', p -> 'horizon', p -> 'risk_aversion', p -> 'gas_cost',
			p -> 'slippage_bps', p -> 'min_trade', p -> 'deadline_seconds', p -> 'max_lag_blocks') FROM h_params),
	'[1, 0.05, "1 day", 1, 0, 50, 0.0001, 3600, 300]'::jsonb, 'validate: defaults filled');
SELECT is((SELECT jsonb_build_array(p -> 'swap_token0', p -> 'swap_token1') FROM h_params),
	jsonb_build_array(pg_temp.t('asset'), pg_temp.t('coll')), 'validate: the swap pool''s tokens, the target''s when it is the target''s pool');
SELECT is((SELECT strategy_validate_hedge(p, 990093) FROM h_params), (SELECT p FROM h_params), 'validate is idempotent on its own output');
SELECT throws_ok($$SELECT strategy_validate_hedge((SELECT p || '{"colour": 1}' FROM h_in), 990093)$$, '22023', NULL, 'validate: an unknown key');
SELECT throws_ok($$SELECT strategy_validate_hedge((SELECT p - 'target' FROM h_in), 990093)$$, '22023', NULL, 'validate: no target');
SELECT throws_ok($$SELECT strategy_validate_hedge((SELECT p || '{"target": 987654321}' FROM h_in), 990093)$$, '22023', NULL, 'validate: a target that does not exist');
SELECT throws_ok($$SELECT strategy_validate_hedge((SELECT p FROM h_in), 1)$$, '22023', NULL, 'validate: a target of another chain');
SELECT throws_ok($$SELECT strategy_validate_hedge((SELECT p || jsonb_build_object('target_owner', pg_temp.t('owner')) FROM h_in), 990093)$$, '22023', NULL, 'validate: target_owner is not the target''s vault');
SELECT throws_ok($$SELECT strategy_validate_hedge((SELECT p || jsonb_build_object('asset', pg_temp.t('irm')) FROM h_in), 990093)$$, '22023', NULL, 'validate: an asset not in the target''s pool');
SELECT throws_ok($$SELECT strategy_validate_hedge((SELECT p || jsonb_build_object('collateral', pg_temp.t('asset')) FROM h_in), 990093)$$, '22023', NULL, 'validate: the collateral is the asset');
SELECT throws_ok($$SELECT strategy_validate_hedge((SELECT p - 'oracle' FROM h_in), 990093)$$, '22023', NULL, 'validate: no oracle');
SELECT throws_ok($$SELECT strategy_validate_hedge((SELECT p || '{"lltv": "1000000000000000000"}' FROM h_in), 990093)$$, '22023', NULL, 'validate: an LLTV of 1');
SELECT throws_ok($$SELECT strategy_validate_hedge((SELECT p || '{"market": "0x0000000000000000000000000000000000000000000000000000000000000001"}' FROM h_in), 990093)$$, '22023', NULL, 'validate: a market id not of the parameters');
SELECT throws_ok($$SELECT strategy_validate_hedge((SELECT p - 'swap_router' FROM h_in), 990093)$$, '22023', NULL, 'validate: no swap router');
SELECT throws_ok($$SELECT strategy_validate_hedge((SELECT p - 'band' FROM h_in), 990093)$$, '22023', NULL, 'validate: no band');
SELECT throws_ok($$SELECT strategy_validate_hedge((SELECT p || '{"band": 0}' FROM h_in), 990093)$$, '22023', NULL, 'validate: a band of 0');
SELECT throws_ok($$SELECT strategy_validate_hedge((SELECT p || '{"hedge_ratio": 1.5}' FROM h_in), 990093)$$, '22023', NULL, 'validate: a hedge ratio above 1');
SELECT throws_ok($$SELECT strategy_validate_hedge((SELECT p || '{"max_ltv": 0.86}' FROM h_in), 990093)$$, '22023', NULL, 'validate: max_ltv at the LLTV');
SELECT lives_ok($$SELECT strategy_validate_hedge((SELECT p || '{"max_ltv": 0.85}' FROM h_in), 990093)$$, 'validate: max_ltv under the LLTV');
SELECT throws_ok($$SELECT strategy_validate_hedge((SELECT p || '{"min_trade": 0.5}' FROM h_in), 990093)$$, '22023', NULL, 'validate: min_trade not below the band');
SELECT throws_ok($$SELECT strategy_validate_hedge((SELECT p || '{"horizon": "-1 day"}' FROM h_in), 990093)$$, '22023', NULL, 'validate: a negative horizon');
SELECT throws_ok($$SELECT strategy_validate_hedge((SELECT p || '{"vol": -0.1}' FROM h_in), 990093)$$, '22023', NULL, 'validate: a negative volatility');
SELECT throws_ok($$SELECT strategy_validate_hedge((SELECT p || '{"max_lag_blocks": -1}' FROM h_in), 990093)$$, '22023', NULL, 'validate: a negative max_lag_blocks');
-- the swap pool trades the asset against the collateral, or it is refused
SELECT throws_ok($$SELECT strategy_validate_hedge((SELECT p || jsonb_build_object('collateral', pg_temp.t('irm')) FROM h_in), 990093)$$, '22023', NULL,
	'validate: the default swap pool (the target''s) does not trade the collateral');
SELECT throws_ok($$SELECT strategy_validate_hedge((SELECT p || jsonb_build_object('swap_pool', '0x00000000000000000000000000000000000000e9',
		'swap_token0', pg_temp.t('asset'), 'swap_token1', pg_temp.t('irm')) FROM h_in), 990093)$$, '22023', NULL,
	'validate: a swap pool of the asset and another token');
SELECT throws_ok($$SELECT strategy_validate_hedge((SELECT p || jsonb_build_object('swap_pool', '0x00000000000000000000000000000000000000e9',
		'swap_token0', pg_temp.t('coll'), 'swap_token1', pg_temp.t('asset')) FROM h_in), 990093)$$, '22023', NULL,
	'validate: a swap pool whose token0 is not the lower address');
SELECT lives_ok($$SELECT strategy_validate_hedge((SELECT p || jsonb_build_object('swap_pool', '0x00000000000000000000000000000000000000e9',
		'swap_token0', pg_temp.t('asset'), 'swap_token1', pg_temp.t('coll')) FROM h_in), 990093)$$,
	'validate: another pool of the asset and the collateral');
SELECT throws_ok($$SELECT strategy_validate_hedge((SELECT p || jsonb_build_object('swap_pool', '0x00000000000000000000000000000000000000e9') FROM h_in), 990093)$$,
	'58R01', NULL, 'validate: another pool''s tokens are read from the chain (here refused)');

-- one enabled hedge per target and asset
SELECT lives_ok($$SELECT strategy_create('hedge one', 'hedge', 990093, '0x00000000000000000000000000000000000000f5', (SELECT p FROM h_in), enabled => true)$$,
	'a hedge of the target, enabled');
SELECT throws_ok($$SELECT strategy_create('hedge two', 'hedge', 990093, '0x00000000000000000000000000000000000000f6', (SELECT p FROM h_in), enabled => true)$$,
	'22023', NULL, 'a second enabled hedge of the same target and asset is refused (it would short the delta twice)');
SELECT lives_ok($$SELECT strategy_create('hedge two', 'hedge', 990093, '0x00000000000000000000000000000000000000f6', (SELECT p FROM h_in), enabled => false)$$,
	'a second one disabled is allowed');
SELECT throws_ok($$SELECT strategy_enable((SELECT id FROM strategies WHERE name = 'hedge two'))$$, '22023', NULL,
	'and enabling it is refused');
SELECT lives_ok($$SELECT strategy_update((SELECT id FROM strategies WHERE name = 'hedge one'), '{"band": 0.6}')$$,
	'the first hedge''s own update is not a duplicate of itself');
SELECT lives_ok($$SELECT strategy_disable((SELECT id FROM strategies WHERE name = 'hedge one')), strategy_enable((SELECT id FROM strategies WHERE name = 'hedge two'))$$,
	'with the first disabled the second may be enabled');

-- ---- policy ----

CREATE FUNCTION pg_temp.max() RETURNS text LANGUAGE sql IMMUTABLE AS $$
	SELECT '115792089237316195423570985008687907853269984665640564039457584007913129639935' $$;
-- The swap pool's sqrt price (Q96) at px collateral per asset, the asset
-- token0 or token1.
CREATE FUNCTION pg_temp.sqp(px numeric, is0 boolean) RETURNS amplified.uint256 LANGUAGE sql IMMUTABLE AS $$
	SELECT floor(sqrt(CASE WHEN is0 THEN px ELSE 1 / px END) * 2::numeric ^ 96)::text::amplified.uint256 $$;
-- A state: target delta t, idle asset a, debt d, idle collateral w,
-- collateral c (whole units); allowances all set unless told; the target
-- open unless told.
CREATE FUNCTION pg_temp.st(t numeric, a numeric, d numeric, w numeric, c numeric, allowed boolean DEFAULT true,
	open int DEFAULT 1, lvl text DEFAULT 'ok', enabled boolean DEFAULT true,
	px numeric DEFAULT 1, orc numeric DEFAULT 1, is0 boolean DEFAULT true) RETURNS jsonb LANGUAGE sql STABLE AS $$
	SELECT jsonb_build_object('kind', 'hedge', 'block_number', 100, 'at', now(), 'decided_at', now(),
		'target_delta', floor(t * 1e18)::text, 'target_open_positions', open, 'target_synced_block', 100,
		'target_enabled', enabled, 'market_block', 100,
		'debt', floor(d * 1e18)::text, 'borrow_shares', floor(d * 1e24)::text, 'collateral', floor(c * 1e18)::text,
		'idle_asset', floor(a * 1e18)::text, 'idle_collateral', floor(w * 1e18)::text,
		'allowances', jsonb_build_object('asset_morpho', CASE WHEN allowed THEN pg_temp.max() ELSE '0' END,
			'collateral_morpho', pg_temp.max(), 'asset_router', pg_temp.max(), 'collateral_router', CASE WHEN allowed THEN pg_temp.max() ELSE '5' END),
		'price', px, 'oracle_price', orc, 'lltv', 0.86, 'market_liquidity', '1000000000000000000000', 'risk_level', lvl,
		'swap', jsonb_build_object('sqrt_price', pg_temp.sqp(px, is0)::text, 'tick', amplified.univ3_tick_at_sqrt_price(pg_temp.sqp(px, is0)),
			'liquidity', '1000000000000000000000000', 'asset_is_token0', is0, 'pool_block', 100, 'ticks', '[-887272, 887272]'::jsonb,
			'liquidity_net', '["1000000000000000000000000", "-1000000000000000000000000"]'::jsonb),
		'valuation', strategy_valuation_json(pg_temp.a('coll'), c + w + (a - d) * px, '{}')) $$;
CREATE FUNCTION pg_temp.pol(state jsonb, extra jsonb DEFAULT '{}') RETURNS jsonb LANGUAGE sql STABLE AS $$
	SELECT strategy_policy_hedge(pg_temp.strat(pg_temp.hp(extra)), state) $$;
CREATE FUNCTION pg_temp.args(r jsonb, types text, i int DEFAULT 0) RETURNS jsonb LANGUAGE sql IMMUTABLE AS $$
	SELECT amplified.abi_decode(types, substring(decode(substr(r -> 'intents' -> i ->> 'data', 3), 'hex') FROM 5)) $$;
CREATE FUNCTION pg_temp.sel(r jsonb, i int DEFAULT 0) RETURNS bytea LANGUAGE sql IMMUTABLE AS $$
	SELECT substring(decode(substr(r -> 'intents' -> i ->> 'data', 3), 'hex') FROM 1 FOR 4) $$;
CREATE FUNCTION pg_temp.quote(sell boolean, amount numeric) RETURNS numeric LANGUAGE sql STABLE AS $$
	SELECT strategy_hedge_quote(pg_temp.hp(), pg_temp.st(0, 0, 0, 0, 0) -> 'swap', sell, amount) $$;
-- the router's swap and Morpho's calls, as the policy encodes them
CREATE FUNCTION pg_temp.swap_t() RETURNS text LANGUAGE sql IMMUTABLE AS $$ SELECT '((address,address,uint24,address,uint256,uint256,uint256,uint160))' $$;
CREATE FUNCTION pg_temp.mp() RETURNS text LANGUAGE sql IMMUTABLE AS $$ SELECT '(address,address,address,address,uint256)' $$;

SELECT is(pg_temp.pol(pg_temp.st(10, 0, 0, 0, 20) || jsonb_build_object('at', now() - interval '2 hours')) -> 'reasons',
	'["stale_chain_data"]', 'policy: a state older than deadline_seconds holds');
SELECT is(pg_temp.pol(pg_temp.st(10, 0, 0, 0, 20) - 'target_synced_block') -> 'reasons', '["target_not_synced"]', 'policy: a target never synced holds');
SELECT is(pg_temp.pol(pg_temp.st(10, 0, 0, 0, 0)) -> 'reasons', '["no_collateral"]', 'policy: nothing to hedge with holds');

-- approvals: the missing ones, at once, each to its spender
SELECT is(pg_temp.pol(pg_temp.st(10, 0, 0, 5, 0, allowed => false)) ->> 'action', 'approve', 'policy: allowances missing: approve');
SELECT is((SELECT jsonb_agg(jsonb_build_array(i ->> 'target', (amplified.abi_decode('(address,uint256)', substring(decode(substr(i ->> 'data', 3), 'hex') FROM 5))) ->> 0))
			FROM jsonb_array_elements(pg_temp.pol(pg_temp.st(10, 0, 0, 5, 0, allowed => false)) -> 'intents') i),
	jsonb_build_array(jsonb_build_array(pg_temp.t('asset'), pg_temp.t('morpho')), jsonb_build_array(pg_temp.t('coll'), pg_temp.t('router'))),
	'policy: approve the asset to Morpho and the collateral to the router (the two missing), each max');

-- re-hedge: T = 10, nothing hedged, band 0.5: dev = 10.
-- benefit = risk_aversion * (dev * P)^2 * vol^2 * horizon/year = 1 * 100 * 0.0025 / 365.25
SELECT is(pg_temp.pol(pg_temp.st(10, 0, 0, 0, 20)) -> 'reasons', '["outside_band", "cost_above_benefit"]',
	'policy: outside the band, the variance priced at risk_aversion 1 does not pay the swap: hold');
SELECT is(round((pg_temp.pol(pg_temp.st(10, 0, 0, 0, 20)) -> 'plan' ->> 'benefit')::numeric, 15), round(100 * 0.0025 / 365.25, 15),
	'policy: benefit = risk_aversion (dev P)^2 vol^2 horizon (horizon 1 day in years)');
SELECT is((pg_temp.pol(pg_temp.st(10, 0, 0, 0, 20)) -> 'plan' ->> 'cost')::numeric, 10 - pg_temp.quote(true, 10e18) * strategy_unit(18),
	'policy: cost = gas_cost + what selling dev loses against the mid price (the quote across the ticks)');
SELECT cmp_ok((pg_temp.pol(pg_temp.st(10, 0, 0, 0, 20)) -> 'plan' ->> 'cost')::numeric, '>', 0.001, 'policy: the cost is at least the 1 bp fee on 10');
SELECT is(pg_temp.pol(pg_temp.st(10, 0, 0, 0, 20), '{"risk_aversion": 100}') ->> 'action', 'borrow',
	'policy: at risk_aversion 100 the benefit (0.0684) beats the cost: borrow');
SELECT is(pg_temp.pol(pg_temp.st(10, 0, 0, 0, 20), '{"risk_aversion": 1, "vol": 0.5}') ->> 'action', 'borrow',
	'policy: or at vol 0.5 (benefit 0.0684)');
SELECT is(pg_temp.pol(pg_temp.st(10, 0, 0, 0, 20), '{"risk_aversion": 100, "gas_cost": 0.1}') -> 'reasons', '["outside_band", "cost_above_benefit"]',
	'policy: a gas cost of 0.1 outweighs it again');
SELECT is(pg_temp.sel(pg_temp.pol(pg_temp.st(10, 0, 0, 0, 20), '{"risk_aversion": 100}')),
	decode(substr(keccak256('borrow((address,address,address,address,uint256),uint256,uint256,address,address)'::bytea)::text, 3, 8), 'hex'),
	'policy: the borrow is Morpho''s borrow(marketParams, assets, shares, onBehalf, receiver)');
SELECT is(pg_temp.args(pg_temp.pol(pg_temp.st(10, 0, 0, 0, 20), '{"risk_aversion": 100}'), '(' || pg_temp.mp() || ',uint256,uint256,address,address)'),
	jsonb_build_array(jsonb_build_array(pg_temp.t('asset'), pg_temp.t('coll'), pg_temp.t('oracle'), pg_temp.t('irm'), '860000000000000000'),
		'10000000000000000000', '0', pg_temp.t('owner'), pg_temp.t('owner')),
	'policy: it borrows dev = 10 of the asset (in assets) to the vault, on the vault''s account');
SELECT is((pg_temp.pol(pg_temp.st(10, 0, 0, 0, 20), '{"risk_aversion": 100}') -> 'plan' ->> 'ltv_after')::numeric, 0.5,
	'policy: the LTV after the borrow at the oracle price: 10 / 20');
SELECT is(pg_temp.pol(pg_temp.st(10, 0, 0, 0, 20), '{"risk_aversion": 100}') -> 'proposal' -> 'exposures' -> 0 -> 'delta', '0',
	'policy: the borrow leaves the hedge''s delta at 0 (the asset is idle until sold)');
SELECT is(pg_temp.pol(pg_temp.st(10, 0, 0, 0, 20), '{"risk_aversion": 100}') -> 'proposal' -> 'reduces_risk', 'false',
	'policy: a borrow does not reduce risk');
SELECT is(pg_temp.pol(pg_temp.st(10, 0, 0, 0, 20, lvl => 'reduce_only'), '{"risk_aversion": 100}') -> 'reasons', '["above_band", "risk_reduce_only"]',
	'policy: no new short while the asset is not at level ok');
-- LTV cap: c = 15 at max_ltv 0.6 carries 9 < 10
SELECT is(pg_temp.pol(pg_temp.st(10, 0, 0, 4, 15), '{"risk_aversion": 100}') ->> 'action', 'post_collateral',
	'policy: the borrow would pass max_ltv: post the idle collateral first');
SELECT is(pg_temp.args(pg_temp.pol(pg_temp.st(10, 0, 0, 4, 15), '{"risk_aversion": 100}'), '(' || pg_temp.mp() || ',uint256,address,bytes)') -> 1,
	'"4000000000000000000"', 'policy: supplyCollateral of all the idle collateral');
SELECT is(pg_temp.pol(pg_temp.st(10, 0, 0, 0, 15), '{"risk_aversion": 100}') -> 'reasons', '["above_band", "collateral_short"]',
	'policy: no idle collateral to post: hold');
-- the borrowed asset is sold: dev is still 10 with a = d = 10
SELECT is(pg_temp.pol(pg_temp.st(10, 10, 10, 0, 20), '{"risk_aversion": 100}') ->> 'action', 'sell', 'policy: idle asset, still above the band: sell it');
SELECT is(pg_temp.args(pg_temp.pol(pg_temp.st(10, 10, 10, 0, 20), '{"risk_aversion": 100}'), pg_temp.swap_t()) -> 0,
	jsonb_build_array(pg_temp.t('asset'), pg_temp.t('coll'), '100', pg_temp.t('owner'),
		(extract(epoch FROM now())::bigint + 3600)::text, '10000000000000000000',
		strategy_amount_min(pg_temp.quote(true, 10e18)::uint256, 50)::text, '0'),
	'policy: exactInputSingle of 10 asset for collateral to the vault, minimum the quote less 50 bps');
SELECT is((pg_temp.pol(pg_temp.st(10, 10, 10, 0, 20), '{"risk_aversion": 100}') -> 'plan' ->> 'net_delta_after')::numeric, 0::numeric,
	'policy: after the sale the net delta is 0');
-- hedged: within the band, the proceeds are posted, then hold
SELECT is(pg_temp.pol(pg_temp.st(10, 0, 10, 9.99, 20)) ->> 'action', 'post_collateral', 'policy: within the band: post idle collateral');
SELECT is(pg_temp.pol(pg_temp.st(10, 0, 10, 0, 30)) -> 'reasons', '["within_band"]', 'policy: within the band, nothing idle: hold');
SELECT is(pg_temp.pol(pg_temp.st(10.49, 0, 10, 0, 30)) -> 'reasons', '["within_band"]', 'policy: a deviation of 0.49 < band 0.5: hold');
SELECT is(pg_temp.pol(pg_temp.st(10.51, 0, 10, 0, 30), '{"risk_aversion": 10000}') ->> 'action', 'borrow', 'policy: 0.51 > band: borrow');
SELECT is(pg_temp.args(pg_temp.pol(pg_temp.st(10.51, 0, 10, 0, 30), '{"risk_aversion": 10000}'), '(' || pg_temp.mp() || ',uint256,uint256,address,address)') -> 1,
	'"510000000000000000"', 'policy: it borrows the deviation, 0.51');
SELECT is((SELECT jsonb_build_array(r ->> 'action', r -> 'plan' -> 'goal', r -> 'plan' -> 'deviation')
			FROM pg_temp.pol(pg_temp.st(12, 0, 10, 0, 30), '{"hedge_ratio": 0.5, "risk_aversion": 100}') r),
	'["withdraw_collateral", -6.0, -4.0]', 'policy: hedge_ratio 0.5: the goal is -6, the hedge at -10 is 4 below it');
-- price moved down: T = 8, the short of 10 is 2 too much
SELECT is(pg_temp.pol(pg_temp.st(8, 0, 10, 0, 30), '{"risk_aversion": 100}') ->> 'action', 'withdraw_collateral',
	'policy: below the band without idle collateral: withdraw collateral for the buy');
SELECT is((pg_temp.args(pg_temp.pol(pg_temp.st(8, 0, 10, 0, 30), '{"risk_aversion": 100}'), '(' || pg_temp.mp() || ',uint256,address,address)') ->> 1)::numeric,
	floor(strategy_hedge_buy_input(pg_temp.hp(), pg_temp.st(0, 0, 0, 0, 0) -> 'swap', 1, 2e18) * 1.001),
	'policy: it withdraws what buying 2 takes, and 0.1 % more');
SELECT is(pg_temp.pol(pg_temp.st(8, 0, 10, 3, 30), '{"risk_aversion": 100}') ->> 'action', 'buy', 'policy: with the collateral idle: buy');
SELECT cmp_ok(pg_temp.quote(false, (pg_temp.pol(pg_temp.st(8, 0, 10, 3, 30), '{"risk_aversion": 100}') -> 'plan' ->> 'amount_in')::numeric), '>=', 2e18,
	'policy: the buy''s input quotes at least 2 of the asset');
SELECT cmp_ok(pg_temp.quote(false, (pg_temp.pol(pg_temp.st(8, 0, 10, 3, 30), '{"risk_aversion": 100}') -> 'plan' ->> 'amount_in')::numeric - 1e12), '<', 2e18,
	'policy: and not much more (1e-6 less input quotes under 2)');
SELECT is(pg_temp.pol(pg_temp.st(8, 2, 10, 1, 30)) ->> 'action', 'repay', 'policy: within the band, idle asset repays debt');
SELECT is(pg_temp.args(pg_temp.pol(pg_temp.st(8, 2, 10, 1, 30)), '(' || pg_temp.mp() || ',uint256,uint256,address,bytes)') -> 1,
	'"2000000000000000000"', 'policy: repay(assets 2, shares 0)');

-- unwind: the target closed
SELECT is(pg_temp.pol(pg_temp.st(0, 0, 10, 0, 30, open => 0)) ->> 'action', 'withdraw_collateral', 'unwind: withdraw collateral to buy the debt back');
SELECT is(pg_temp.pol(pg_temp.st(0, 0, 10, 20, 10, open => 0)) ->> 'action', 'buy', 'unwind: buy the debt back');
SELECT cmp_ok(pg_temp.quote(false, (pg_temp.pol(pg_temp.st(0, 0, 10, 20, 10, open => 0)) -> 'plan' ->> 'amount_in')::numeric), '>=', 10.05e18,
	'unwind: the buy covers the debt and 50 bps');
SELECT is(pg_temp.pol(pg_temp.st(0, 10.05, 10, 10, 10, open => 0)) ->> 'action', 'repay', 'unwind: repay');
SELECT is(pg_temp.args(pg_temp.pol(pg_temp.st(0, 10.05, 10, 10, 10, open => 0)), '(' || pg_temp.mp() || ',uint256,uint256,address,bytes)') -> 2,
	'"10000000000000000000000000"', 'unwind: repay by all the shares');
SELECT is(pg_temp.args(pg_temp.pol(pg_temp.st(0, 10.0005, 10, 10, 10, open => 0)), '(' || pg_temp.mp() || ',uint256,uint256,address,bytes)') -> 2,
	'"10000000000000000000000000"', 'unwind: idle asset 0.5 bp above the debt (over the margin 1e-5 d + 10 wei) repays every share');
SELECT is(pg_temp.pol(pg_temp.st(0, 10.00001, 10, 10, 10, open => 0)) ->> 'action', 'buy',
	'unwind: idle asset above the debt but under the margin: buy more rather than repay by assets and leave shares');
SELECT cmp_ok(pg_temp.quote(false, (pg_temp.pol(pg_temp.st(0, 10.00001, 10, 10, 10, open => 0)) -> 'plan' ->> 'amount_in')::numeric), '>=',
	(10 * 1.005 + 1e-4 - 10.00001) * 1e18, 'unwind: the buy covers the debt, 50 bps and the margin');
SELECT is(pg_temp.pol(pg_temp.st(0, 0, 1e-18, 0.5, 10, open => 0)) ->> 'action', 'buy', 'unwind: a dust debt of 1 wei is bought back');
SELECT cmp_ok(pg_temp.quote(false, (pg_temp.pol(pg_temp.st(0, 0, 1e-18, 0.5, 10, open => 0)) -> 'plan' ->> 'amount_in')::numeric), '>=', 1e14,
	'unwind: at least min_trade of it (a 1-wei buy quotes nothing)');
SELECT ok(pg_temp.quote(false, strategy_hedge_buy_input(pg_temp.hp(), pg_temp.st(0, 0, 0, 0, 0) -> 'swap', 1, 1)) >= 1,
	'buy_input: the input that buys 1 wei (doubled until the quote is not 0)');
SELECT is(pg_temp.pol(pg_temp.st(0, 4, 10, 0, 30, open => 0)) ->> 'action', 'repay', 'unwind: some idle asset repays that much first');
-- locked: the LTV halfway between max_ltv 0.6 and the LLTV 0.86 is 0.73; c = 13.69 at d = 10 leaves nothing to withdraw
SELECT is(pg_temp.pol(pg_temp.st(0, 0, 10, 0, 13.69, open => 0)) -> 'reasons', '["target_closed", "collateral_locked"]',
	'unwind: no collateral free at LTV 0.73 and none idle: hold');
SELECT is(round((pg_temp.args(pg_temp.pol(pg_temp.st(0, 0, 10, 0, 20, open => 0)), '(' || pg_temp.mp() || ',uint256,address,address)') ->> 1)::numeric, -6),
	round((20 - 10 / 0.73) * 1e18, -6), 'unwind: it withdraws up to LTV 0.73 when the buy needs more');
SELECT is((SELECT jsonb_build_array(r ->> 'action', r -> 'plan' -> 'partial', r -> 'plan' ->> 'amount_in')
			FROM pg_temp.pol(pg_temp.st(0, 0, 10, 2, 13.69, open => 0)) r),
	'["buy", true, "2000000000000000000"]', 'unwind: locked, it buys with the 2 idle (a partial buy)');
SELECT is(pg_temp.pol(pg_temp.st(0, 0.05, 0, 10, 10, open => 0)) ->> 'action', 'withdraw_collateral', 'unwind: no debt: withdraw all the collateral');
SELECT is(pg_temp.args(pg_temp.pol(pg_temp.st(0, 0.05, 0, 10, 10, open => 0)), '(' || pg_temp.mp() || ',uint256,address,address)') -> 1,
	'"10000000000000000000"', 'unwind: all of it');
SELECT is(pg_temp.pol(pg_temp.st(0, 0.05, 0, 20, 0, open => 0)) ->> 'action', 'sell', 'unwind: sell the asset left');
SELECT is(pg_temp.pol(pg_temp.st(0, 0, 0, 20, 0, open => 0)) -> 'reasons', '["unwound"]', 'unwind: then hold, unwound');

-- the target's delta without the pool's price (no state ingested for the pool)
INSERT INTO positions (strategy_id, protocol, asset, position_id, amount, detail, block_number) VALUES
	((SELECT id FROM tgt), 'univ3', pg_temp.a('npm'), 7, '1000000000000000000',
	 jsonb_build_object('pool', pg_temp.t('pool'), 'tick_lower', -100, 'tick_upper', 100, 'owed0', '0', 'owed1', '0'), 100),
	((SELECT id FROM tgt), 'token', pg_temp.a('asset'), 0, '5000000000000000000', '{}', 100);
SELECT is((SELECT jsonb_build_array(delta, open_positions, idle) FROM strategy_hedge_target_delta((SELECT id FROM tgt), pg_temp.a('asset'), 100)),
	'[null, 1, 5000000000000000000]', 'target delta: liquidity without the pool''s price is an unknown delta (not the idle 5 alone)');
UPDATE positions SET amount = '0' WHERE strategy_id = (SELECT id FROM tgt) AND protocol = 'univ3';
SELECT is((SELECT jsonb_build_array(delta, open_positions) FROM strategy_hedge_target_delta((SELECT id FROM tgt), pg_temp.a('asset'), 100)),
	'[5000000000000000000, 0]', 'target delta: no liquidity, no price needed: the idle 5');
SELECT is(pg_temp.pol(pg_temp.st(10, 0, 10, 0, 30) || '{"target_delta": null}') -> 'reasons', '["target_price_unknown"]',
	'policy: the target''s delta unknown: hold');

-- the target out of its positions (withdrawn, between burn and mint) still holds its asset
SELECT is(pg_temp.pol(pg_temp.st(10, 0, 0, 0, 20, open => 0), '{"risk_aversion": 100}') ->> 'action', 'borrow',
	'policy: a target with no liquidity but 10 of the asset idle is hedged (no unwind)');
SELECT is(pg_temp.pol(pg_temp.st(10, 0, 10, 0, 30, open => 0)) -> 'reasons', '["within_band"]',
	'policy: and a hedge of it stays');
SELECT is((SELECT jsonb_build_array(r ->> 'action', r -> 'reasons', r -> 'plan' -> 'goal')
			FROM pg_temp.pol(pg_temp.st(10, 0, 10, 0, 30, enabled => false)) r),
	'["withdraw_collateral", ["target_closed"], 0]', 'policy: the target disabled: unwind (goal 0)');
SELECT is(pg_temp.pol(pg_temp.st(10, 0, 10, 0, 30, enabled => false) || '{"target_delta": null, "target_synced_block": null}') ->> 'action',
	'withdraw_collateral', 'policy: the target deleted: unwind');
SELECT is(pg_temp.pol(pg_temp.st(0.3, 0, 10, 0, 30)) ->> 'action', 'withdraw_collateral',
	'policy: the target''s delta under the band: unwind');

-- freshness of the target's sync, the swap pool and the market (max_lag_blocks)
SELECT is(pg_temp.pol(pg_temp.st(10, 0, 10, 0, 30) || '{"target_synced_block": 50}', '{"max_lag_blocks": 10}') -> 'reasons', '["target_stale"]',
	'policy: the target synced 50 blocks ago, max lag 10: hold');
SELECT is(pg_temp.pol(pg_temp.st(10, 0, 10, 0, 30) || '{"target_synced_block": 50}') -> 'reasons', '["within_band"]',
	'policy: within the default lag of 300 blocks');
SELECT is(pg_temp.pol(jsonb_set(pg_temp.st(10, 0, 10, 0, 30), '{swap,pool_block}', '50'), '{"max_lag_blocks": 10}') -> 'reasons', '["pool_stale"]',
	'policy: the swap pool last seen 50 blocks ago: hold');
SELECT is(pg_temp.pol(pg_temp.st(10, 0, 10, 0, 30) || '{"market_block": 50}', '{"max_lag_blocks": 10}') -> 'reasons', '["market_stale"]',
	'policy: the market last seen 50 blocks ago: hold');
SELECT is(pg_temp.pol(pg_temp.st(10, 0, 10, 0, 30, enabled => false) || '{"target_synced_block": 50}', '{"max_lag_blocks": 10}') ->> 'action',
	'withdraw_collateral', 'policy: a disabled target is not synced any more: it unwinds all the same');

-- a withdrawal with debt raises the LTV: never a risk reduction
SELECT is(pg_temp.pol(pg_temp.st(0, 0, 10, 0, 30, open => 0)) -> 'proposal' -> 'reduces_risk', 'false',
	'unwind: withdrawing collateral with debt outstanding does not reduce risk');
SELECT is(pg_temp.pol(pg_temp.st(0, 0.05, 0, 10, 10, open => 0)) -> 'proposal' -> 'reduces_risk', 'true',
	'unwind: withdrawing it with no debt does');
SELECT is((SELECT jsonb_build_array(r ->> 'action', r -> 'plan' -> 'partial', r -> 'plan' ->> 'amount_in')
			FROM pg_temp.pol(pg_temp.st(0, 0, 10, 2, 30, open => 0, lvl => 'reduce_only')) r),
	'["buy", true, "2000000000000000000"]', 'unwind at reduce_only: no withdrawal, a partial buy with the idle collateral');
SELECT is(pg_temp.pol(pg_temp.st(0, 0, 10, 0, 30, open => 0, lvl => 'halt')) -> 'reasons', '["target_closed", "risk_halt"]',
	'unwind at halt, nothing idle: hold');

-- a borrow's proceeds left unsold repay the debt when the sale does not pay
SELECT is((SELECT jsonb_build_array(r ->> 'action', r -> 'reasons') FROM pg_temp.pol(pg_temp.st(10, 10, 10, 0, 20)) r),
	'["repay", ["outside_band", "cost_above_benefit", "idle_asset"]]', 'policy: cost above benefit with idle asset and debt: repay');
SELECT is(pg_temp.args(pg_temp.pol(pg_temp.st(10, 10, 10, 0, 20)), '(' || pg_temp.mp() || ',uint256,uint256,address,bytes)') -> 1,
	'"10000000000000000000"', 'policy: repay the 10 idle');

-- the proposal's collateral leg
SELECT is((SELECT jsonb_build_array(e ->> 'asset', (e ->> 'delta')::numeric, (e ->> 'notional')::numeric)
			FROM (SELECT pg_temp.pol(pg_temp.st(10, 0, 0, 1, 20), '{"risk_aversion": 100}') -> 'proposal' -> 'exposures' -> 1 AS e) x),
	jsonb_build_array(pg_temp.t('coll'), 21e18, 21), 'policy: the exposures carry the collateral (posted 20 and idle 1)');

-- price 1.17 collateral per asset, oracle 0.855 asset per collateral; the
-- asset token0 (the pool above) or token1 (a pool of 0x..b1 and 0x..d1)
CREATE TEMP TABLE tgt1 AS SELECT * FROM strategy_create('lp target 1', 'lp_univ3', 990093, '0x00000000000000000000000000000000000000f7',
	jsonb_build_object('pool', '0x00000000000000000000000000000000000000e3', 'position_manager', pg_temp.t('npm'), 'token0', pg_temp.t('coll'),
		'token1', '0x00000000000000000000000000000000000000d1', 'fee', 100, 'tick_spacing', 1, 'decimals0', 18, 'decimals1', 18));
CREATE TEMP TABLE h1_params AS SELECT strategy_validate_hedge(p || jsonb_build_object('target', (SELECT id FROM tgt1),
	'asset', '0x00000000000000000000000000000000000000d1'), 990093) AS p FROM h_in;
SELECT is((SELECT jsonb_build_array(p -> 'swap_token0', p -> 'swap_token1') FROM h1_params),
	jsonb_build_array(pg_temp.t('coll'), '0x00000000000000000000000000000000000000d1'::amplified.address::text), 'validate: the asset as token1 of the pool');
CREATE FUNCTION pg_temp.pp(is0 boolean, extra jsonb DEFAULT '{}') RETURNS jsonb LANGUAGE sql STABLE AS $$
	SELECT CASE WHEN is0 THEN pg_temp.hp(extra) ELSE (SELECT p || extra FROM h1_params) END $$;
CREATE FUNCTION pg_temp.pol2(is0 boolean, t numeric, a numeric, d numeric, w numeric, c numeric) RETURNS jsonb LANGUAGE sql STABLE AS $$
	SELECT strategy_policy_hedge(pg_temp.strat(pg_temp.pp(is0, '{"risk_aversion": 100}')),
		pg_temp.st(t, a, d, w, c, px => 1.17, orc => 0.855, is0 => is0)) $$;
CREATE FUNCTION pg_temp.quote2(is0 boolean, sell boolean, amount numeric) RETURNS numeric LANGUAGE sql STABLE AS $$
	SELECT strategy_hedge_quote(pg_temp.pp(is0), pg_temp.st(0, 0, 0, 0, 0, px => 1.17, is0 => is0) -> 'swap', sell, amount) $$;
CREATE TEMP TABLE side AS SELECT * FROM (VALUES (true, 'token0'), (false, 'token1')) v(is0, name);
-- selling 10 at 1.17 after the 1 bp fee: 11.69883; the impact of 1e19 on
-- a liquidity of 1e24 (virtual reserves ~1e24) is ~1e-5 relative, so the
-- quote is within 1e-3 of it; a pool read the wrong way round would pay 8.5
SELECT is((SELECT jsonb_agg(abs(pg_temp.quote2(is0, true, 10e18) / 1e18 - 10 * 1.17 * 0.9999) < 1e-3 ORDER BY name) FROM side),
	'[true, true]', 'price 1.17: selling 10 of the asset quotes 11.6988 collateral, asset token0 and token1');
SELECT is((SELECT jsonb_agg(jsonb_build_array(r ->> 'action', (r -> 'plan' ->> 'amount')::numeric,
			round((r -> 'plan' ->> 'ltv_after')::numeric, 12), round((r -> 'plan' ->> 'benefit')::numeric, 12)) ORDER BY name)
			FROM side, pg_temp.pol2(is0, 10, 0, 0, 0, 20) r),
	(SELECT jsonb_agg(jsonb_build_array('borrow', 10e18, round(10 / (20 * 0.855), 12), round(100 * (10 * 1.17) ^ 2 * 0.05 ^ 2 / 365.25, 12))) FROM side),
	'price 1.17, oracle 0.855: borrow 10, LTV 10 / (20 x 0.855), benefit 100 (10 x 1.17)^2 0.05^2 / 365.25');
SELECT is((SELECT jsonb_agg((r -> 'plan' ->> 'cost')::numeric = 10 * 1.17 - pg_temp.quote2(is0, true, 10e18) * 1e-18 ORDER BY name)
			FROM side, pg_temp.pol2(is0, 10, 0, 0, 0, 20) r),
	'[true, true]', 'price 1.17: the cost is 10 x 1.17 less the quote');
SELECT is((SELECT jsonb_agg(jsonb_build_array(r ->> 'action', r -> 'plan' ->> 'amount_in', (r -> 'plan' ->> 'amount_out')::numeric = pg_temp.quote2(is0, true, 10e18)) ORDER BY name)
			FROM side, pg_temp.pol2(is0, 10, 10, 10, 0, 20) r),
	'[["sell", "10000000000000000000", true], ["sell", "10000000000000000000", true]]', 'price 1.17: the borrowed 10 sold for the quote');
-- buying 2 back takes 2 x 1.17 / 0.9999 = 2.34023 collateral and a little impact
SELECT is((SELECT jsonb_agg(jsonb_build_array(r ->> 'action', abs((r -> 'plan' ->> 'amount_in')::numeric / 1e18 - 2 * 1.17 / 0.9999) < 1e-3,
			pg_temp.quote2(is0, false, (r -> 'plan' ->> 'amount_in')::numeric) >= 2e18) ORDER BY name)
			FROM side, pg_temp.pol2(is0, 8, 0, 10, 3, 30) r),
	'[["buy", true, true], ["buy", true, true]]', 'price 1.17: buy 2 back for 2.34023 collateral, which quotes at least 2');
-- withdraw for the buy: the LTV halfway, 0.73, at the oracle 0.855
SELECT is((SELECT jsonb_agg(jsonb_build_array(r ->> 'action', round((r -> 'plan' ->> 'amount')::numeric, -6)) ORDER BY name)
			FROM side, pg_temp.pol2(is0, 0, 0, 10, 0, 20) r),
	(SELECT jsonb_agg(jsonb_build_array('withdraw_collateral', round((20 - 10 / (0.855 * 0.73)) * 1e18, -6))) FROM side),
	'price 1.17: withdraw up to LTV 0.73 at the oracle 0.855 when the buy needs more');

-- ---- simulate ----

CREATE FUNCTION pg_temp.sim(result jsonb, step text, types text, vals jsonb) RETURNS text[] LANGUAGE sql STABLE AS $$
	SELECT strategy_simulate_hedge(pg_temp.strat(pg_temp.hp()), '{}', result,
		jsonb_build_array(jsonb_build_object('step', step, 'ok', true,
			'return', '0x' || encode(amplified.abi_encode(types, vals), 'hex')))) $$;
SELECT is(pg_temp.sim(pg_temp.pol(pg_temp.st(10, 0, 0, 0, 20), '{"risk_aversion": 100}'), 'borrow', '(uint256,uint256)',
	'["10000000000000000000", "1"]'), '{}'::text[], 'simulate: a borrow of the amount planned passes');
SELECT is(pg_temp.sim(pg_temp.pol(pg_temp.st(10, 0, 0, 0, 20), '{"risk_aversion": 100}'), 'borrow', '(uint256,uint256)',
	'["9999999999999999999", "1"]'), '{borrow_amount_mismatch}'::text[], 'simulate: a borrow of less is refused');
SELECT is(pg_temp.sim(pg_temp.pol(pg_temp.st(10, 10, 10, 0, 20), '{"risk_aversion": 100}'), 'sell', '(uint256)',
	jsonb_build_array(pg_temp.quote(true, 10e18)::text)), '{}'::text[], 'simulate: a sale paying the quote passes');
SELECT is(pg_temp.sim(pg_temp.pol(pg_temp.st(10, 10, 10, 0, 20), '{"risk_aversion": 100}'), 'sell', '(uint256)',
	jsonb_build_array((strategy_amount_min(pg_temp.quote(true, 10e18)::uint256, 50)::numeric - 1)::text)), '{swap_below_min}'::text[],
	'simulate: a sale paying less than its minimum is refused');
SELECT is(pg_temp.sim(pg_temp.pol(pg_temp.st(8, 0, 10, 3, 30), '{"risk_aversion": 100}'), 'buy', '(uint256)', '["2000000000000000000"]'),
	'{}'::text[], 'simulate: a buy of 2 closes the deviation');
SELECT is(pg_temp.sim(pg_temp.pol(pg_temp.st(8, 0, 10, 3, 30), '{"risk_aversion": 100, "slippage_bps": 5000}'), 'buy', '(uint256)', '["1400000000000000000"]'),
	'{outside_band_after}'::text[], 'simulate: a buy of 1.4 (within a 50 % slippage) leaves the deviation at -0.6: refused');
SELECT is(pg_temp.sim(pg_temp.pol(pg_temp.st(8, 0, 10, 0.5, 13.69), '{"risk_aversion": 100}'), 'buy', '(uint256)', '["499000000000000000"]'),
	'{}'::text[], 'simulate: a partial buy (collateral locked) is not held to the band');
SELECT is(pg_temp.sim(pg_temp.pol(pg_temp.st(0, 10.05, 10, 10, 10, open => 0)), 'repay', '(uint256,uint256)', '["10000000000000000001", "10000000000000000000000000"]'),
	'{}'::text[], 'simulate: the unwind''s repay takes every share');
SELECT is(pg_temp.sim(pg_temp.pol(pg_temp.st(0, 10.05, 10, 10, 10, open => 0)), 'repay', '(uint256,uint256)', '["1", "1"]'),
	'{debt_left_after_unwind}'::text[], 'simulate: a repay that leaves shares is refused');

-- ---- registry and grants ----

SELECT is((SELECT simulate::text FROM strategy_kinds WHERE kind = 'hedge'), 'strategy_simulate_hedge', 'the hedge kind simulates');
SELECT ok(NOT has_function_privilege('public', 'amplified.strategy_policy_hedge(amplified.strategies, jsonb)', 'EXECUTE'),
	'the kind''s slots are not PUBLIC''s');
SELECT ok(NOT has_function_privilege('public', 'amplified.strategy_hedge_target_delta(bigint, amplified.address, bigint)', 'EXECUTE')
	AND has_function_privilege('amplified_reader', 'amplified.strategy_hedge_target_delta(bigint, amplified.address, bigint)', 'EXECUTE'),
	'the target delta is the reader''s');

SELECT * FROM finish();
ROLLBACK;
