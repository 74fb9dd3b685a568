-- src/strategy/kinds/hedge.sql: the hedge kind of strategy: keep the net
-- delta of a target strategy (an lp_univ3 vault) to one asset (token0 or
-- token1 of its pool, e.g. wstETH) within a band, by borrowing that asset on
-- Morpho Blue against a collateral (e.g. WETH) and selling it: a short.  The
-- hedge's vault is an EOA that calls Morpho (supplyCollateral, borrow,
-- repay, withdrawCollateral) and the swap router itself.  One file holds
-- the kind: validate, sync, gather, policy, simulate, and its strategy_kinds
-- row (docs/strategies.md, docs/derivatives.md).
--
-- Deltas, in whole units of the asset:
--   target delta T  the target's LP positions' amounts of the asset at the
--                   pool's current price (univ3_amounts_for_liquidity: the
--                   exact amounts are the position's delta to the asset),
--                   their fees owed in it, and the target vault's idle
--                   balance of it;
--   hedge delta H   the hedge vault's idle balance of the asset A minus its
--                   Morpho debt of it D;
--   deviation dev   H - (-hedge_ratio * T): what the hedge is off its goal
--                   (0 while unwinding).
-- T counts what the target holds idle too: a target out of its positions
-- (withdrawn, paused, between burn and mint) is still hedged.  Liquidity
-- without its pool's price is an unknown T (NULL), never 0.
--
-- The engine eth_calls every intent of a decision alone on the block's
-- state (strategy_simulate_intents): so one decision holds only intents
-- that each run on that state (the approvals together; one Morpho or
-- router call otherwise), and a re-hedge takes a few decisions, one per
-- block the queue has mined (the engine waits for a strategy's
-- transactions in flight).  The rules, in order:
--   hold         stale state, no price, the swap pool's or the market's
--                latest observation more than max_lag_blocks old
--                (pool_stale, market_stale); unless the target is off: not
--                synced, synced more than max_lag_blocks ago
--                (target_stale), its delta unknown (target_price_unknown);
--   approve      any allowance the next steps need (collateral and asset to
--                Morpho and to the router) is below 2^255: approve them all;
--   unwind       the target disabled or deleted, or |T| < band: repay every
--                share when the idle asset covers the debt and a margin
--                (1e-5 of it and 10 wei: accrual until it is mined); else
--                repay what is idle when it is less than the debt; else buy
--                the debt back (plus slippage_bps and the margin, at least
--                min_trade: a dust debt's buy would quote nothing); with no
--                debt withdraw all the collateral; sell leftover asset; then
--                hold "unwound";
--   re-hedge     |dev| > band, and the expected benefit beats the cost:
--                risk_aversion * (dev * P)^2 * vol^2 * horizon (the variance
--                of the unhedged delta's P&L over horizon, in numeraire^2,
--                priced by risk_aversion per numeraire unit) against
--                gas_cost + the swap's cost (its fee and price impact
--                against the pool's mid price); when it does not (or the
--                pool cannot swap it), idle asset with debt repays it, else
--                hold.  Too long (dev > band):
--                sell idle asset, else borrow dev (posting idle collateral
--                first when the LTV would exceed max_ltv).  Too short
--                (dev < -band): repay with idle asset first, else buy -dev
--                back (below);
--   buy back     with idle collateral when it is enough; else withdraw
--                collateral for it, up to the LTV halfway between max_ltv
--                and the LLTV (the repay that follows lowers it again);
--                else buy what the idle collateral buys (a partial buy);
--                else hold "collateral_locked".  A withdrawal with debt
--                raises the LTV: never reduces_risk, and not tried while the
--                asset's risk level is not ok (a partial buy, or hold);
--   tidy         within the band: repay debt with idle asset, post idle
--                collateral (neither moves the delta);
--   else hold.
-- Every decision is eth_call'ed at its block before it is enqueued
-- (strategy_simulate_hedge): refused when a call reverts, when a borrow
-- would not borrow exactly what was planned, or when a swap leaves the
-- deviation outside the band that it was meant to close.

-- The Morpho MarketParams tuple of a hedge strategy (loan: the asset), as ABI JSON.
CREATE FUNCTION @extschema@.strategy_hedge_market_params(p jsonb)
RETURNS jsonb
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN jsonb_build_array(p ->> 'asset', p ->> 'collateral', p ->> 'oracle', p ->> 'irm', p ->> 'lltv');
COMMENT ON FUNCTION @extschema@.strategy_hedge_market_params(jsonb) IS
	'the Morpho MarketParams (loan: the hedged asset, collateral, oracle, IRM, LLTV) of hedge parameters, as ABI JSON';

-- What a swap of amount_in raw units returns in raw units in the hedge's
-- swap pool at the gathered state, across its ticks: selling the asset for
-- the collateral (sell_asset) or buying it.
CREATE FUNCTION @extschema@.strategy_hedge_quote(p jsonb, swap jsonb, sell_asset boolean, amount_in numeric)
RETURNS numeric
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
	SELECT strategy_swap_quote(swap, (p ->> 'swap_tick_spacing')::int, (p ->> 'swap_fee')::int,
		(swap ->> 'asset_is_token0')::boolean = sell_asset, amount_in)
$$;
COMMENT ON FUNCTION @extschema@.strategy_hedge_quote(jsonb, jsonb, boolean, numeric) IS
	'hedge: the raw output of a swap of amount_in in the hedge''s swap pool at the gathered state, across its ticks (selling or buying the asset)';

-- Validate hedge parameters.
CREATE FUNCTION @extschema@.strategy_validate_hedge(params jsonb, chain_id bigint)
RETURNS jsonb
LANGUAGE plpgsql
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
DECLARE
	p jsonb := params;
	k text := 'hedge';
	tgt strategies;
	t0 address;
	t1 address;
BEGIN
	PERFORM strategy_check_keys(k, p, ARRAY['target', 'target_owner', 'target_pool', 'asset', 'collateral',
		'morpho', 'oracle', 'irm', 'lltv', 'market', 'swap_router', 'swap_pool', 'swap_fee', 'swap_tick_spacing',
		'asset_decimals', 'collateral_decimals', 'hedge_ratio', 'band', 'max_ltv', 'vol', 'horizon', 'risk_aversion',
		'gas_cost', 'slippage_bps', 'min_trade', 'deadline_seconds', 'max_lag_blocks', 'swap_token0', 'swap_token1']);
	IF jsonb_typeof(p -> 'target') IS DISTINCT FROM 'number' THEN
		PERFORM strategy_param_error(k, 'target', 'the id of the lp_univ3 strategy to hedge is required');
	END IF;
	SELECT * INTO tgt FROM strategies x WHERE x.id = (p ->> 'target')::numeric;
	IF NOT FOUND OR tgt.kind <> 'lp_univ3' OR tgt.chain_id <> chain_id THEN
		PERFORM strategy_param_error(k, 'target', format('strategy %s is not an lp_univ3 strategy of chain %s', p ->> 'target', chain_id));
	END IF;
	IF params ? 'target_owner' AND lower(params ->> 'target_owner') <> lower(tgt.owner::text) THEN
		PERFORM strategy_param_error(k, 'target_owner', format('is not the target''s vault (%s)', tgt.owner));
	END IF;
	p := p || jsonb_build_object('target_owner', tgt.owner::text, 'target_pool', tgt.params ->> 'pool');
	t0 := (tgt.params ->> 'token0')::address;
	t1 := (tgt.params ->> 'token1')::address;
	IF strategy_param_address(k, p, 'asset') IS NULL OR (p ->> 'asset')::address NOT IN (t0, t1) THEN
		PERFORM strategy_param_error(k, 'asset', format('one of the target pool''s tokens (%s, %s) is required', t0, t1));
	END IF;
	IF strategy_param_address(k, p, 'collateral') IS NULL OR (p ->> 'collateral')::address = (p ->> 'asset')::address THEN
		PERFORM strategy_param_error(k, 'collateral', 'the Morpho collateral token, other than the asset, is required');
	END IF;
	IF strategy_param_address(k, p, 'morpho') IS NULL OR strategy_param_address(k, p, 'oracle') IS NULL
	   OR strategy_param_address(k, p, 'irm') IS NULL OR NOT p ? 'lltv' THEN
		PERFORM strategy_param_error(k, 'morpho', 'morpho, oracle, irm and lltv (the borrow market''s parameters) are required');
	END IF;
	PERFORM strategy_param_number(k, p, 'lltv', 1, 999999999999999999);
	p := p || jsonb_build_object('lltv', (p ->> 'lltv')::numeric::text,
		'market', morpho_market_id((p ->> 'asset')::address, (p ->> 'collateral')::address,
			(p ->> 'oracle')::address, (p ->> 'irm')::address, (p ->> 'lltv')::numeric::uint256)::text);
	IF params ? 'market' AND lower(params ->> 'market') <> p ->> 'market' THEN
		PERFORM strategy_param_error(k, 'market', format('is not the id of the market''s parameters (%s)', p ->> 'market'));
	END IF;
	IF strategy_param_address(k, p, 'swap_router') IS NULL THEN
		PERFORM strategy_param_error(k, 'swap_router', 'the SwapRouter address is required');
	END IF;
	-- the pool the short is sold and bought back in: the target's own by default
	IF NOT p ? 'swap_pool' THEN
		p := p || jsonb_build_object('swap_pool', tgt.params ->> 'pool');
	END IF;
	PERFORM strategy_param_address(k, p, 'swap_pool');
	-- the swap pool must trade the asset against the collateral: its tokens
	-- are the target's when it is the target's pool, else read from it
	IF NOT p ? 'swap_token0' AND (p ->> 'swap_pool')::address = (tgt.params ->> 'pool')::address THEN
		p := p || jsonb_build_object('swap_token0', t0::text, 'swap_token1', t1::text);
	END IF;
	IF NOT p ? 'swap_token0' THEN p := p || jsonb_build_object('swap_token0', strategy_read_word(chain_id, (p ->> 'swap_pool')::address, 'token0()', 'address')); END IF;
	IF NOT p ? 'swap_token1' THEN p := p || jsonb_build_object('swap_token1', strategy_read_word(chain_id, (p ->> 'swap_pool')::address, 'token1()', 'address')); END IF;
	IF strategy_param_address(k, p, 'swap_token0') IS NULL OR strategy_param_address(k, p, 'swap_token1') IS NULL
	   OR (p ->> 'swap_token0')::address <> least((p ->> 'asset')::address, (p ->> 'collateral')::address)
	   OR (p ->> 'swap_token1')::address <> greatest((p ->> 'asset')::address, (p ->> 'collateral')::address) THEN
		PERFORM strategy_param_error(k, 'swap_pool', format('must be a pool of the asset and the collateral (its tokens are %s, %s)',
			p ->> 'swap_token0', p ->> 'swap_token1'));
	END IF;
	IF NOT p ? 'swap_tick_spacing' THEN p := p || jsonb_build_object('swap_tick_spacing', (strategy_read_word(chain_id, (p ->> 'swap_pool')::address, 'tickSpacing()', 'int24') #>> '{}')::int); END IF;
	IF NOT p ? 'swap_fee' THEN p := p || jsonb_build_object('swap_fee', (strategy_read_word(chain_id, (p ->> 'swap_pool')::address, 'fee()', 'uint24') #>> '{}')::int); END IF;
	IF NOT p ? 'asset_decimals' THEN p := p || jsonb_build_object('asset_decimals', (strategy_read_word(chain_id, (p ->> 'asset')::address, 'decimals()', 'uint8') #>> '{}')::int); END IF;
	IF NOT p ? 'collateral_decimals' THEN p := p || jsonb_build_object('collateral_decimals', (strategy_read_word(chain_id, (p ->> 'collateral')::address, 'decimals()', 'uint8') #>> '{}')::int); END IF;
	PERFORM strategy_param_number(k, p, 'swap_tick_spacing', 1, 16383), strategy_param_number(k, p, 'swap_fee', 1, 999999),
		strategy_param_number(k, p, 'asset_decimals', 0, 36), strategy_param_number(k, p, 'collateral_decimals', 0, 36);
	IF strategy_param_number(k, p, 'band', 0, 1e30) IS NULL OR (p ->> 'band')::numeric <= 0 THEN
		PERFORM strategy_param_error(k, 'band', 'the tolerated net delta, in whole units of the asset (above 0), is required');
	END IF;
	p := p || jsonb_build_object(
		'hedge_ratio', coalesce(strategy_param_number(k, p, 'hedge_ratio', 0, 1), 1),
		'max_ltv', coalesce(strategy_param_number(k, p, 'max_ltv', 0.01, 0.99), 0.5),
		'vol', coalesce(strategy_param_number(k, p, 'vol', 0, 10), 0.05),
		'horizon', coalesce(p -> 'horizon', '"1 day"'),
		'risk_aversion', coalesce(strategy_param_number(k, p, 'risk_aversion', 0, 1e30), 1),
		'gas_cost', coalesce(strategy_param_number(k, p, 'gas_cost', 0, 1e30), 0),
		'slippage_bps', coalesce(strategy_param_number(k, p, 'slippage_bps', 0, 10000), 50),
		'min_trade', coalesce(strategy_param_number(k, p, 'min_trade', 0, 1e30), 0.0001),
		'deadline_seconds', coalesce(strategy_param_number(k, p, 'deadline_seconds', 60, 604800), 3600),
		'max_lag_blocks', coalesce(strategy_param_number(k, p, 'max_lag_blocks', 0, 1000000000), 300));
	PERFORM strategy_param_interval(k, p, 'horizon', '1 minute', '365 days');
	IF (p ->> 'max_ltv')::numeric >= (p ->> 'lltv')::numeric / 1e18 THEN
		PERFORM strategy_param_error(k, 'max_ltv', format('must stay below the market''s LLTV (%s)', (p ->> 'lltv')::numeric / 1e18));
	END IF;
	IF (p ->> 'min_trade')::numeric >= (p ->> 'band')::numeric THEN
		PERFORM strategy_param_error(k, 'min_trade', format('must be below band (%s)', p ->> 'band'));
	END IF;
	RETURN p;
END
$$;
COMMENT ON FUNCTION @extschema@.strategy_validate_hedge(jsonb, bigint) IS
	'hedge parameters checked: the lp_univ3 target and its asset, the Morpho market (loan: the asset), the swap router and pool (of the asset and the collateral), band, LTV cap, cost-benefit terms, max_lag_blocks; decimals, fee and the swap pool''s tokens filled from the chain';

-- hedge: the vault's Morpho collateral and debt (lend_position_at) and its
-- balances of the asset and the collateral with their allowances to Morpho
-- and to the router.
CREATE FUNCTION @extschema@.strategy_sync_hedge(s @extschema@.strategies, block bigint)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
DECLARE
	p jsonb := s.params;
	lp lend_position;
BEGIN
	PERFORM strategy_require_block(s.chain_id, block);
	PERFORM strategy_clear_positions(s.id);
	lp := lend_position_at(s.chain_id, (p ->> 'market')::bytes32, s.owner, block);
	PERFORM strategy_put_position(s.id, block, ROW('morpho_blue', (p ->> 'collateral')::address, 0,
		coalesce(lp.collateral, '0')::numeric::int256,
		jsonb_build_object('market', p ->> 'market', 'side', 'collateral'))::strategy_position);
	PERFORM strategy_put_position(s.id, block, ROW('morpho_blue', (p ->> 'asset')::address, 0,
		(-coalesce(lp.borrow_assets, '0')::numeric)::int256,
		jsonb_build_object('market', p ->> 'market', 'side', 'debt',
			'borrow_shares', coalesce(lp.borrow_shares, '0')::text))::strategy_position);
	PERFORM strategy_sync_tokens(s, block, ARRAY[(p ->> 'asset')::address, (p ->> 'collateral')::address],
		ARRAY[(p ->> 'morpho')::address, (p ->> 'swap_router')::address]);
END
$$;
COMMENT ON FUNCTION @extschema@.strategy_sync_hedge(@extschema@.strategies, bigint) IS
	'hedge positions at a block: the vault''s Morpho collateral and debt, its asset and collateral balances and their allowances to Morpho and the router';

-- The delta of an lp_univ3 strategy to one of its pool's tokens at a
-- block, in raw units of that token: its synced positions' amounts of it at
-- the pool's price then (exact amounts, univ3_amounts_for_liquidity), their
-- fees owed in it, and the vault's idle balance of it.  With the number of
-- positions holding liquidity and the block its positions were synced at.
-- NULL delta (and lp_amount) when positions hold liquidity but the pool has
-- no price at the block: unknown, not 0.
CREATE FUNCTION @extschema@.strategy_hedge_target_delta(target bigint, asset @extschema@.address, block bigint,
	OUT delta numeric, OUT lp_amount numeric, OUT fees_owed numeric, OUT idle numeric,
	OUT open_positions int, OUT synced_block bigint, OUT sqrt_price @extschema@.uint256)
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
DECLARE
	t strategies;
	is0 boolean;
BEGIN
	SELECT * INTO t FROM strategies x WHERE x.id = target;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'strategy % does not exist', target USING ERRCODE = 'undefined_object';
	END IF;
	is0 := (t.params ->> 'token0')::address = asset;
	sqrt_price := (SELECT ps.sqrt_price FROM univ3_pool_state_at(t.chain_id, (t.params ->> 'pool')::address, block) ps);
	-- counted apart from the amounts: univ3_amounts_for_liquidity is STRICT,
	-- so without a price its rows (and the positions) would vanish
	SELECT count(*) FILTER (WHERE x.amount::numeric > 0),
		   coalesce(sum(coalesce(CASE WHEN is0 THEN x.detail ->> 'owed0' ELSE x.detail ->> 'owed1' END, '0')::numeric), 0)
	  INTO open_positions, fees_owed
	  FROM positions x
	 WHERE x.strategy_id = target AND x.protocol = 'univ3' AND (x.detail ->> 'pool')::address = (t.params ->> 'pool')::address;
	SELECT coalesce(sum(CASE WHEN is0 THEN a.amount0 ELSE a.amount1 END::numeric), 0)
	  INTO lp_amount
	  FROM positions x
	 CROSS JOIN LATERAL univ3_amounts_for_liquidity(sqrt_price, univ3_sqrt_price_at_tick((x.detail ->> 'tick_lower')::int),
			univ3_sqrt_price_at_tick((x.detail ->> 'tick_upper')::int), x.amount::uint256) a
	 WHERE x.strategy_id = target AND x.protocol = 'univ3' AND (x.detail ->> 'pool')::address = (t.params ->> 'pool')::address;
	idle := coalesce((SELECT x.amount::numeric FROM positions x
					   WHERE x.strategy_id = target AND x.protocol = 'token' AND x.asset = strategy_hedge_target_delta.asset), 0);
	synced_block := (SELECT max(x.block_number) FROM positions x WHERE x.strategy_id = target);
	-- liquidity without the pool's price: the delta is unknown, not 0
	IF sqrt_price IS NULL AND open_positions > 0 THEN
		lp_amount := NULL;
	END IF;
	delta := lp_amount + fees_owed + idle;
END
$$;
COMMENT ON FUNCTION @extschema@.strategy_hedge_target_delta(bigint, @extschema@.address, bigint) IS
	'an lp_univ3 strategy''s delta to one of its pool''s tokens at a block (raw units): its positions'' exact amounts at the pool''s price, fees owed and idle balance; NULL when it holds liquidity and the pool has no price';

-- hedge state: the target's delta, the vault's debt, collateral, balances
-- and allowances, the market's oracle price and LLTV, the swap pool.
CREATE FUNCTION @extschema@.strategy_gather_hedge(s @extschema@.strategies, block bigint)
RETURNS jsonb
LANGUAGE plpgsql
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
DECLARE
	p jsonb := s.params;
	asset address := (p ->> 'asset')::address;
	coll address := (p ->> 'collateral')::address;
	ad int := (p ->> 'asset_decimals')::int;
	cd int := (p ->> 'collateral_decimals')::int;
	at timestamptz := ingest_block_time(s.chain_id, block);
	mk lend_market;
	lp lend_position;
	td record;
	ps record;
	wa record;
	wc record;
	price numeric;
	oracle numeric;
	a0 boolean := asset < coll;
	c numeric;
	d numeric;
	value numeric;
	holdings strategy_holding[];
	debt_index numeric;
	tgt_enabled boolean;
BEGIN
	mk := lend_market_at(s.chain_id, (p ->> 'market')::bytes32, block);
	lp := lend_position_at(s.chain_id, (p ->> 'market')::bytes32, s.owner, block);
	-- a target deleted or disabled is one to unwind from (its positions
	-- are no longer kept)
	tgt_enabled := (SELECT x.enabled FROM strategies x WHERE x.id = (p ->> 'target')::bigint);
	IF tgt_enabled IS NULL THEN
		SELECT NULL::numeric AS delta, NULL::numeric AS lp_amount, NULL::numeric AS fees_owed, NULL::numeric AS idle,
			   0 AS open_positions, NULL::bigint AS synced_block INTO td;
	ELSE
		SELECT * INTO td FROM strategy_hedge_target_delta((p ->> 'target')::bigint, asset, block);
	END IF;
	SELECT * INTO ps FROM univ3_pool_state_at(s.chain_id, (p ->> 'swap_pool')::address, block);
	SELECT * INTO wa FROM strategy_wallet(s.id, asset, (p ->> 'morpho')::address);
	SELECT * INTO wc FROM strategy_wallet(s.id, coll, (p ->> 'morpho')::address);
	-- collateral per asset, whole units, at the pool's mid price
	price := CASE WHEN ps.sqrt_price IS NULL THEN NULL
				  WHEN a0 THEN strategy_price1per0(ps.sqrt_price, ad, cd)
				  ELSE 1 / strategy_price1per0(ps.sqrt_price, cd, ad) END;
	-- asset per collateral, whole units: the oracle's 1e36-scaled raw price
	oracle := mk.price::numeric / 1e36 * 10::numeric ^ (cd - ad);
	c := coalesce(lp.collateral, '0')::numeric;
	d := coalesce(lp.borrow_assets, '0')::numeric;
	debt_index := CASE WHEN lp.borrow_shares::numeric > 0 THEN d / lp.borrow_shares::numeric END;
	value := c * strategy_unit(cd) + wc.amount::numeric * strategy_unit(cd)
			 + (wa.amount::numeric - d) * strategy_unit(ad) * coalesce(price, 0);
	holdings := ARRAY[
		ROW(coll, 'morpho_blue:collateral', c, cd, 1, 0, NULL, NULL, NULL, NULL, NULL, NULL)::strategy_holding,
		ROW(asset, 'morpho_blue:debt', -d, ad, price, 0, debt_index, CASE WHEN debt_index IS NOT NULL THEN 'interest' END, NULL, NULL, NULL, NULL)::strategy_holding,
		ROW(asset, 'wallet', wa.amount::numeric, ad, price, 0, NULL, NULL, NULL, NULL, NULL, NULL)::strategy_holding,
		ROW(coll, 'wallet', wc.amount::numeric, cd, 1, 0, NULL, NULL, NULL, NULL, NULL, NULL)::strategy_holding];
	RETURN jsonb_build_object(
		'kind', 'hedge', 'block_number', block, 'at', at,
		'target_delta', td.delta::text, 'target_lp_amount', td.lp_amount::text, 'target_fees_owed', td.fees_owed::text,
		'target_idle', td.idle::text, 'target_open_positions', td.open_positions, 'target_synced_block', td.synced_block,
		'target_enabled', coalesce(tgt_enabled, false), 'market_block', mk.block_number,
		'debt', d::text, 'borrow_shares', coalesce(lp.borrow_shares, '0')::text, 'collateral', c::text,
		'idle_asset', wa.amount::text, 'idle_collateral', wc.amount::text,
		'allowances', jsonb_build_object(
			'asset_morpho', wa.allowance::text, 'collateral_morpho', wc.allowance::text,
			'asset_router', (SELECT x.allowance FROM strategy_wallet(s.id, asset, (p ->> 'swap_router')::address) x)::text,
			'collateral_router', (SELECT x.allowance FROM strategy_wallet(s.id, coll, (p ->> 'swap_router')::address) x)::text),
		'price', price, 'oracle_price', oracle, 'lltv', mk.lltv, 'health_factor', lp.health_factor,
		'market_liquidity', mk.liquidity::text, 'borrow_apy', mk.borrow_apy,
		'risk_level', risk_asset_level(s.chain_id, asset),
		'swap', jsonb_build_object('sqrt_price', ps.sqrt_price::text, 'tick', ps.tick, 'liquidity', ps.liquidity::text,
			'asset_is_token0', a0, 'pool_block', ps.block_number,
			'ticks', (SELECT coalesce(jsonb_agg(t.tick ORDER BY t.tick), '[]') FROM univ3_pool_liquidity_net_at(s.chain_id, (p ->> 'swap_pool')::address, block) t),
			'liquidity_net', (SELECT coalesce(jsonb_agg(t.liquidity_net::text ORDER BY t.tick), '[]') FROM univ3_pool_liquidity_net_at(s.chain_id, (p ->> 'swap_pool')::address, block) t)),
		'valuation', strategy_valuation_json(coll, value, holdings));
END
$$;
COMMENT ON FUNCTION @extschema@.strategy_gather_hedge(@extschema@.strategies, bigint) IS
	'inputs of a hedge decision at a block: the target''s delta to the asset, the vault''s debt, collateral, balances and allowances, oracle and pool prices, LLTV, swap pool';

-- The collateral (raw) that buys want_raw of the asset in the hedge's swap
-- pool at the gathered state: the mid-price estimate after the fee, then
-- corrections by the quote across the ticks until it buys want_raw (at
-- most five); an input that quotes 0 (dust) is doubled first until it buys
-- something.  NULL when the pool cannot sell that much.
CREATE FUNCTION @extschema@.strategy_hedge_buy_input(p jsonb, swap jsonb, price numeric, want_raw numeric)
RETURNS numeric
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
DECLARE
	ad int := (p ->> 'asset_decimals')::int;
	cd int := (p ->> 'collateral_decimals')::int;
	x numeric := ceil(want_raw * strategy_unit(ad) * price / (1 - (p ->> 'swap_fee')::numeric / 1e6) * 10::numeric ^ cd);
	q numeric;
BEGIN
	-- an input too small to buy a wei (a dust debt's) quotes 0: double it,
	-- at most 64 times, until it buys something
	x := greatest(x, 1);
	FOR k IN 1 .. 64 LOOP
		q := strategy_hedge_quote(p, swap, false, x);
		EXIT WHEN q IS NULL OR q > 0;
		x := x * 2;
	END LOOP;
	FOR k IN 1 .. 5 LOOP
		q := strategy_hedge_quote(p, swap, false, x);
		IF coalesce(q, 0) <= 0 THEN
			RETURN NULL;
		ELSIF q >= want_raw THEN
			RETURN x;
		END IF;
		x := ceil(x * want_raw / q) + 1;
	END LOOP;
	RETURN x;
END
$$;
COMMENT ON FUNCTION @extschema@.strategy_hedge_buy_input(jsonb, jsonb, numeric, numeric) IS
	'hedge: the collateral (raw) a buy of want_raw of the asset takes in the swap pool at the gathered state (quoted across its ticks)';

-- hedge: approve, unwind, re-hedge, tidy or hold (the rules at the top of the file).
CREATE FUNCTION @extschema@.strategy_policy_hedge(s @extschema@.strategies, state jsonb)
RETURNS jsonb
LANGUAGE plpgsql
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
DECLARE
	p jsonb := s.params;
	asset address := (p ->> 'asset')::address;
	coll address := (p ->> 'collateral')::address;
	morpho address := (p ->> 'morpho')::address;
	router address := (p ->> 'swap_router')::address;
	ad int := (p ->> 'asset_decimals')::int;
	cd int := (p ->> 'collateral_decimals')::int;
	fee int := (p ->> 'swap_fee')::int;
	slip int := (p ->> 'slippage_bps')::int;
	band numeric := (p ->> 'band')::numeric;
	ratio numeric := (p ->> 'hedge_ratio')::numeric;
	max_ltv numeric := (p ->> 'max_ltv')::numeric;
	min_trade numeric := (p ->> 'min_trade')::numeric;
	deadline bigint := extract(epoch FROM (state ->> 'at')::timestamptz)::bigint + (p ->> 'deadline_seconds')::bigint;
	maxu uint256 := '115792089237316195423570985008687907853269984665640564039457584007913129639935';
	half numeric := 57896044618658097711785492504343953926634992332820282019728792003956564819968;
	-- whole units
	t numeric := (state ->> 'target_delta')::numeric * strategy_unit(ad);
	a numeric := (state ->> 'idle_asset')::numeric * strategy_unit(ad);
	d numeric := (state ->> 'debt')::numeric * strategy_unit(ad);
	w numeric := (state ->> 'idle_collateral')::numeric * strategy_unit(cd);
	c numeric := (state ->> 'collateral')::numeric * strategy_unit(cd);
	price numeric := (state ->> 'price')::numeric;
	oracle numeric := (state ->> 'oracle_price')::numeric;
	lvl text := state ->> 'risk_level';
	sw jsonb := state -> 'swap';
	goal numeric;
	dev numeric;
	q numeric;
	amt numeric;
	q_out numeric;
	x_in numeric;
	wmax numeric;
	swap_cost numeric := 0;
	benefit numeric;
	cost numeric;
	unwinding boolean;
	tgt_off boolean;
	blk bigint := (state ->> 'block_number')::bigint;
	max_lag bigint := coalesce((p ->> 'max_lag_blocks')::bigint, 300);
	-- what the idle asset must exceed the debt by to repay every share
	-- (accrual between the gathered block and the one it is mined in)
	margin numeric;
	action text;
	reasons text[];
	intents jsonb := '[]';
	a2 numeric;
	d2 numeric;
	c2 numeric;
	w2 numeric;
	turnover numeric := 0;
	reduces boolean := true;
	plan jsonb;
	mp jsonb := strategy_hedge_market_params(p);
	-- an exactInputSingle of the router, from the vault to itself
	swap_sig text := 'exactInputSingle((address,address,uint24,address,uint256,uint256,uint256,uint160))';
BEGIN
	IF strategy_state_stale(state, p) THEN
		RETURN jsonb_build_object('action', 'hold', 'reasons', '["stale_chain_data"]'::jsonb, 'intents', '[]'::jsonb);
	END IF;
	IF price IS NULL OR price <= 0 OR oracle IS NULL OR oracle <= 0 THEN
		RETURN jsonb_build_object('action', 'hold', 'reasons', '["no_price"]'::jsonb, 'intents', '[]'::jsonb);
	END IF;
	-- the swap pool's and the market's latest observations no older than
	-- max_lag_blocks (a quiet pool or market has none newer either)
	IF (sw ->> 'pool_block') IS NULL OR blk - (sw ->> 'pool_block')::bigint > max_lag THEN
		RETURN jsonb_build_object('action', 'hold', 'reasons', '["pool_stale"]'::jsonb, 'intents', '[]'::jsonb);
	END IF;
	IF (state ->> 'market_block') IS NULL OR blk - (state ->> 'market_block')::bigint > max_lag THEN
		RETURN jsonb_build_object('action', 'hold', 'reasons', '["market_stale"]'::jsonb, 'intents', '[]'::jsonb);
	END IF;
	-- a target disabled or deleted: unwind, whatever its last positions were
	tgt_off := NOT coalesce((state ->> 'target_enabled')::boolean, true);
	IF tgt_off THEN
		t := coalesce(t, 0);
	ELSIF state -> 'target_synced_block' IS NULL OR jsonb_typeof(state -> 'target_synced_block') = 'null' THEN
		RETURN jsonb_build_object('action', 'hold', 'reasons', '["target_not_synced"]'::jsonb, 'intents', '[]'::jsonb);
	ELSIF blk - (state ->> 'target_synced_block')::bigint > max_lag THEN
		RETURN jsonb_build_object('action', 'hold', 'reasons', '["target_stale"]'::jsonb, 'intents', '[]'::jsonb);
	ELSIF t IS NULL THEN
		-- liquidity in the target's pool without its price
		RETURN jsonb_build_object('action', 'hold', 'reasons', '["target_price_unknown"]'::jsonb, 'intents', '[]'::jsonb);
	END IF;
	-- the goal follows everything the target holds of the asset (idle
	-- included: a position withdrawn or between burn and mint is still a
	-- delta); unwind only when the target is off or its delta is in the band
	unwinding := tgt_off OR abs(t) < band;
	goal := CASE WHEN unwinding THEN 0 ELSE -ratio * t END;
	dev := (a - d) - goal;
	plan := jsonb_build_object('target_delta', t, 'hedge_delta', a - d, 'net_delta', t + a - d, 'goal', goal,
		'unwinding', unwinding, 'target_enabled', NOT tgt_off,
		'deviation', dev, 'band', band, 'debt', d, 'idle_asset', a, 'collateral', c, 'idle_collateral', w,
		'price', price, 'oracle_price', oracle, 'ltv', CASE WHEN c > 0 THEN d / (c * oracle) END);
	IF unwinding AND d = 0 AND c = 0 AND a < min_trade THEN
		RETURN jsonb_build_object('action', 'hold', 'reasons', '["unwound"]'::jsonb, 'intents', '[]'::jsonb, 'plan', plan);
	END IF;
	IF NOT unwinding AND d = 0 AND c = 0 AND a < min_trade AND w = 0 THEN
		RETURN jsonb_build_object('action', 'hold', 'reasons', '["no_collateral"]'::jsonb, 'intents', '[]'::jsonb, 'plan', plan);
	END IF;

	-- Approvals first, all at once (each runs alone).
	IF (state -> 'allowances' ->> 'collateral_morpho')::numeric < half OR (state -> 'allowances' ->> 'asset_morpho')::numeric < half
	   OR (state -> 'allowances' ->> 'asset_router')::numeric < half OR (state -> 'allowances' ->> 'collateral_router')::numeric < half THEN
		action := 'approve';
		reasons := ARRAY['allowance'];
		reduces := false;
		IF (state -> 'allowances' ->> 'collateral_morpho')::numeric < half THEN
			intents := intents || jsonb_build_array(strategy_approve_intent(coll, morpho, maxu));
		END IF;
		IF (state -> 'allowances' ->> 'asset_morpho')::numeric < half THEN
			intents := intents || jsonb_build_array(strategy_approve_intent(asset, morpho, maxu));
		END IF;
		IF (state -> 'allowances' ->> 'asset_router')::numeric < half THEN
			intents := intents || jsonb_build_array(strategy_approve_intent(asset, router, maxu));
		END IF;
		IF (state -> 'allowances' ->> 'collateral_router')::numeric < half THEN
			intents := intents || jsonb_build_array(strategy_approve_intent(coll, router, maxu));
		END IF;
		a2 := a; d2 := d; c2 := c; w2 := w;
	ELSIF unwinding THEN
		reasons := ARRAY['target_closed'];
		a2 := a; d2 := d; c2 := c; w2 := w;
		margin := d * 1e-5 + 10 * strategy_unit(ad);
		IF d > 0 AND a >= d + margin THEN
			-- everything, by shares: the vault holds the debt and a margin for accrual
			action := 'repay';
			intents := jsonb_build_array(strategy_intent('repay', morpho,
				abi_encode_call('repay((address,address,address,address,uint256),uint256,uint256,address,bytes)',
					jsonb_build_array(mp, '0', state ->> 'borrow_shares', s.owner::text, '0x')),
				format('repay all the debt (%s shares, %s)', state ->> 'borrow_shares', round(d, 8))));
			a2 := a - d; d2 := 0;
			plan := plan || jsonb_build_object('repay_shares', state ->> 'borrow_shares');
		ELSIF d > 0 AND a >= min_trade AND a < d THEN
			-- part of the debt with the asset held: it frees collateral for the rest
			action := 'repay';
		ELSIF d > 0 THEN
			-- buy back the debt and a margin (slippage, accrual), at least
			-- min_trade (a dust debt's buy would quote nothing)
			q := greatest(d * (1 + slip / 1e4) + margin - a, min_trade);
			action := 'buy_back';
		ELSIF c > 0 THEN
			action := 'withdraw_collateral';
			intents := jsonb_build_array(strategy_intent('withdraw_collateral', morpho,
				abi_encode_call('withdrawCollateral((address,address,address,address,uint256),uint256,address,address)',
					jsonb_build_array(mp, state ->> 'collateral', s.owner::text, s.owner::text)),
				format('withdraw all the collateral (%s)', round(c, 8))));
			c2 := 0; w2 := w + c;
			plan := plan || jsonb_build_object('amount', state ->> 'collateral');
		ELSE
			-- what the buy back left over: sold, so that the hedge ends flat
			action := 'sell';
			q_out := strategy_hedge_quote(p, sw, true, (state ->> 'idle_asset')::numeric);
			IF coalesce(q_out, 0) <= 0 THEN
				RETURN jsonb_build_object('action', 'hold', 'reasons', '["target_closed", "no_swap_liquidity"]'::jsonb,
					'intents', '[]'::jsonb, 'plan', plan);
			END IF;
			intents := jsonb_build_array(strategy_intent('sell', router,
				abi_encode_call(swap_sig, jsonb_build_array(jsonb_build_array(asset::text, coll::text, fee, s.owner::text, deadline,
					state ->> 'idle_asset', strategy_amount_min(q_out::uint256, slip)::text, '0'))),
				format('sell the %s of the asset left', round(a, 8))));
			a2 := 0; w2 := w + q_out * strategy_unit(cd);
			swap_cost := a * price - q_out * strategy_unit(cd);
			turnover := a * price;
			plan := plan || jsonb_build_object('amount_in', state ->> 'idle_asset', 'amount_out', q_out::text,
				'amount_out_min', strategy_amount_min(q_out::uint256, slip)::text);
		END IF;
	ELSIF abs(dev) > band THEN
		-- Re-hedge when the variance it takes away, priced, beats its cost.
		q := abs(dev);
		IF dev > 0 THEN
			q_out := strategy_hedge_quote(p, sw, true, floor(q * 10::numeric ^ ad));
			swap_cost := q * price - coalesce(q_out, 0) * strategy_unit(cd);
		ELSE
			x_in := strategy_hedge_buy_input(p, sw, price, ceil(q * 10::numeric ^ ad));
			swap_cost := coalesce(x_in * strategy_unit(cd) - q * price, 0);
		END IF;
		benefit := (p ->> 'risk_aversion')::numeric * (dev * price) ^ 2 * (p ->> 'vol')::numeric ^ 2
				   * (extract(epoch FROM (p ->> 'horizon')::interval) / (365.25 * 86400));
		cost := (p ->> 'gas_cost')::numeric + swap_cost;
		plan := plan || jsonb_build_object('benefit', round(benefit, 18), 'cost', round(cost, 18), 'swap_cost', round(swap_cost, 18));
		IF (dev > 0 AND coalesce(q_out, 0) <= 0) OR (dev < 0 AND x_in IS NULL) THEN
			reasons := ARRAY['outside_band', 'no_swap_liquidity'];
		ELSIF benefit <= cost THEN
			reasons := ARRAY['outside_band', 'cost_above_benefit'];
		END IF;
		IF reasons IS NOT NULL AND d > 0 AND a >= min_trade THEN
			-- no re-hedge: idle asset (a borrow's proceeds) repays debt rather
			-- than accrue interest (the delta does not move)
			action := 'repay';
			reasons := reasons || 'idle_asset'::text;
		ELSIF reasons IS NOT NULL THEN
			RETURN jsonb_build_object('action', 'hold', 'reasons', to_jsonb(reasons), 'intents', '[]'::jsonb, 'plan', plan);
		END IF;
		a2 := a; d2 := d; c2 := c; w2 := w;
		IF action = 'repay' THEN
			NULL;
		ELSIF dev > 0 AND a >= min_trade THEN
			-- sell what is idle (a borrow's proceeds), up to the deviation
			action := 'sell';
			reasons := ARRAY['above_band'];
			amt := floor(least(a, q) * 10::numeric ^ ad);
			q_out := strategy_hedge_quote(p, sw, true, amt);
			intents := jsonb_build_array(strategy_intent('sell', router,
				abi_encode_call(swap_sig, jsonb_build_array(jsonb_build_array(asset::text, coll::text, fee, s.owner::text, deadline,
					amt::text, strategy_amount_min(q_out::uint256, slip)::text, '0'))),
				format('sell %s of the asset (deviation %s)', round(amt * strategy_unit(ad), 8), round(dev, 8))));
			a2 := a - amt * strategy_unit(ad); w2 := w + q_out * strategy_unit(cd);
			turnover := amt * strategy_unit(ad) * price;
			reduces := false;
			plan := plan || jsonb_build_object('amount_in', amt::text, 'amount_out', q_out::text,
				'amount_out_min', strategy_amount_min(q_out::uint256, slip)::text);
		ELSIF dev > 0 THEN
			IF lvl IS DISTINCT FROM 'ok' THEN
				RETURN jsonb_build_object('action', 'hold', 'reasons', jsonb_build_array('above_band', 'risk_' || coalesce(lvl, 'unknown')),
					'intents', '[]'::jsonb, 'plan', plan);
			END IF;
			IF c * oracle * max_ltv < d + q THEN
				IF w * 10::numeric ^ cd >= 1 THEN
					-- the borrow needs more collateral: post what is idle first
					action := 'post_collateral';
					reasons := ARRAY['above_band', 'collateral_for_borrow'];
				ELSE
					RETURN jsonb_build_object('action', 'hold', 'reasons', '["above_band", "collateral_short"]'::jsonb,
						'intents', '[]'::jsonb, 'plan', plan || jsonb_build_object('ltv_after', (d + q) / nullif(c * oracle, 0)));
				END IF;
			ELSE
				amt := floor(q * 10::numeric ^ ad);
				IF amt > (state ->> 'market_liquidity')::numeric THEN
					RETURN jsonb_build_object('action', 'hold', 'reasons', '["above_band", "market_liquidity"]'::jsonb,
						'intents', '[]'::jsonb, 'plan', plan);
				END IF;
				action := 'borrow';
				reasons := ARRAY['above_band'];
				reduces := false;
				intents := jsonb_build_array(strategy_intent('borrow', morpho,
					abi_encode_call('borrow((address,address,address,address,uint256),uint256,uint256,address,address)',
						jsonb_build_array(mp, amt::text, '0', s.owner::text, s.owner::text)),
					format('borrow %s of the asset to sell (deviation %s)', round(amt * strategy_unit(ad), 8), round(dev, 8))));
				a2 := a + amt * strategy_unit(ad); d2 := d + amt * strategy_unit(ad);
				turnover := amt * strategy_unit(ad) * price;
				plan := plan || jsonb_build_object('amount', amt::text, 'ltv_after', d2 / (c * oracle));
			END IF;
		ELSIF d > 0 AND a >= min_trade THEN
			-- idle asset (a partial buy's) repays debt first: it frees collateral
			action := 'repay';
			reasons := ARRAY['below_band', 'idle_asset'];
		ELSE
			action := 'buy_back';
			reasons := ARRAY['below_band'];
		END IF;
	ELSIF d > 0 AND a >= min_trade THEN
		-- within the band: idle asset repays debt (the delta does not move)
		action := 'repay';
		reasons := ARRAY['within_band', 'idle_asset'];
	ELSIF w >= min_trade * price THEN
		action := 'post_collateral';
		reasons := ARRAY['within_band', 'idle_collateral'];
	ELSE
		RETURN jsonb_build_object('action', 'hold', 'reasons', '["within_band"]'::jsonb, 'intents', '[]'::jsonb, 'plan', plan);
	END IF;

	IF action = 'repay' AND intents = '[]' THEN
		-- by assets, what is idle up to the debt (delta-neutral)
		amt := floor(least(a, d) * 10::numeric ^ ad);
		intents := jsonb_build_array(strategy_intent('repay', morpho,
			abi_encode_call('repay((address,address,address,address,uint256),uint256,uint256,address,bytes)',
				jsonb_build_array(mp, amt::text, '0', s.owner::text, '0x')),
			format('repay %s of the debt with idle asset', round(amt * strategy_unit(ad), 8))));
		a2 := a - amt * strategy_unit(ad); d2 := d - amt * strategy_unit(ad); c2 := c; w2 := w;
		plan := plan || jsonb_build_object('amount', amt::text);
	ELSIF action = 'buy_back' THEN
		-- buy q of the asset with idle collateral; without enough idle,
		-- withdraw collateral for it first, up to the LTV halfway between
		-- max_ltv and the LLTV (the repay that follows lowers it again); when
		-- none can be withdrawn, buy what the idle collateral buys
		a2 := a; d2 := d; c2 := c; w2 := w;
		x_in := strategy_hedge_buy_input(p, sw, price, ceil(q * 10::numeric ^ ad));
		IF x_in IS NULL THEN
			RETURN jsonb_build_object('action', 'hold', 'reasons', to_jsonb(reasons || 'no_swap_liquidity'::text),
				'intents', '[]'::jsonb, 'plan', plan);
		END IF;
		wmax := c - d / (oracle * (max_ltv + (state ->> 'lltv')::numeric) / 2);
		amt := floor(least(x_in * strategy_unit(cd) * 1.001 - w, wmax) * 10::numeric ^ cd);
		IF x_in * strategy_unit(cd) <= w THEN
			action := 'buy';
		ELSIF amt > 0 AND d > 0 AND lvl IS DISTINCT FROM 'ok' AND w >= min_trade * price THEN
			-- a withdrawal raises the LTV: not while the asset's risk level is
			-- not ok; buy with what is idle
			action := 'buy';
			x_in := floor(w * 10::numeric ^ cd);
			plan := plan || jsonb_build_object('partial', true);
		ELSIF amt > 0 AND d > 0 AND lvl IS DISTINCT FROM 'ok' THEN
			RETURN jsonb_build_object('action', 'hold', 'reasons', to_jsonb(reasons || ('risk_' || coalesce(lvl, 'unknown'))),
				'intents', '[]'::jsonb, 'plan', plan);
		ELSIF amt > 0 THEN
			-- with debt outstanding a withdrawal raises the LTV: never reduces risk
			action := 'withdraw_collateral';
			reduces := false;
			intents := jsonb_build_array(strategy_intent('withdraw_collateral', morpho,
				abi_encode_call('withdrawCollateral((address,address,address,address,uint256),uint256,address,address)',
					jsonb_build_array(mp, amt::text, s.owner::text, s.owner::text)),
				format('withdraw %s collateral to buy %s of the asset back', round(amt * strategy_unit(cd), 8), round(q, 8))));
			c2 := c - amt * strategy_unit(cd); w2 := w + amt * strategy_unit(cd);
			plan := plan || jsonb_build_object('amount', amt::text, 'buy', round(q, 18));
		ELSIF w >= min_trade * price THEN
			action := 'buy';
			x_in := floor(w * 10::numeric ^ cd);
			plan := plan || jsonb_build_object('partial', true);
		ELSE
			RETURN jsonb_build_object('action', 'hold', 'reasons', to_jsonb(reasons || 'collateral_locked'::text),
				'intents', '[]'::jsonb, 'plan', plan);
		END IF;
		IF action = 'buy' THEN
			q_out := strategy_hedge_quote(p, sw, false, x_in);
			intents := jsonb_build_array(strategy_intent('buy', router,
				abi_encode_call(swap_sig, jsonb_build_array(jsonb_build_array(coll::text, asset::text, fee, s.owner::text, deadline,
					x_in::text, strategy_amount_min(q_out::uint256, slip)::text, '0'))),
				format('buy %s of the asset for %s collateral (deviation %s)', round(q_out * strategy_unit(ad), 8),
					round(x_in * strategy_unit(cd), 8), round(dev, 8))));
			a2 := a + q_out * strategy_unit(ad); w2 := w - x_in * strategy_unit(cd);
			swap_cost := x_in * strategy_unit(cd) - q_out * strategy_unit(ad) * price;
			turnover := x_in * strategy_unit(cd);
			plan := plan || jsonb_build_object('amount_in', x_in::text, 'amount_out', q_out::text,
				'amount_out_min', strategy_amount_min(q_out::uint256, slip)::text);
		END IF;
	ELSIF action = 'post_collateral' THEN
		intents := jsonb_build_array(strategy_intent('post_collateral', morpho,
			abi_encode_call('supplyCollateral((address,address,address,address,uint256),uint256,address,bytes)',
				jsonb_build_array(mp, state ->> 'idle_collateral', s.owner::text, '0x')),
			format('post %s idle collateral', round(w, 8))));
		a2 := a; d2 := d; c2 := c + w; w2 := 0;
		plan := plan || jsonb_build_object('amount', state ->> 'idle_collateral');
	END IF;
	plan := plan || jsonb_build_object('hedge_delta_after', a2 - d2, 'net_delta_after', t + a2 - d2,
		'deviation_after', (a2 - d2) - goal, 'ltv_after', CASE WHEN c2 > 0 THEN d2 / (c2 * oracle) END,
		'swap_cost', round(swap_cost, 18));
	RETURN jsonb_build_object('action', action, 'reasons', to_jsonb(reasons), 'plan', plan, 'intents', intents,
		'proposal', jsonb_build_object('action', action, 'reduces_risk', reduces,
			'value', (state -> 'valuation' ->> 'value')::numeric, 'turnover', turnover,
			'slippage_bps', CASE WHEN action IN ('buy', 'sell') THEN slip ELSE 0 END, 'chain_id', s.chain_id,
			'assets', jsonb_build_array(asset::text, coll::text),
			'exposures', jsonb_build_array(jsonb_build_object('asset', asset::text,
				'delta', round((a2 - d2) * 10::numeric ^ ad), 'notional', (a2 - d2) * price,
				'ltv', CASE WHEN c2 > 0 THEN d2 / (c2 * oracle) END,
				'health_factor', CASE WHEN d2 > 0 THEN c2 * oracle * (state ->> 'lltv')::numeric / d2 END,
				'liquidation_price', CASE WHEN d2 > 0 AND c2 > 0 THEN d2 / (c2 * (state ->> 'lltv')::numeric) END),
				-- the collateral leg (posted and idle), in the numeraire
				jsonb_build_object('asset', coll::text, 'delta', round((c2 + w2) * 10::numeric ^ cd), 'notional', c2 + w2))));
END
$$;
COMMENT ON FUNCTION @extschema@.strategy_policy_hedge(@extschema@.strategies, jsonb) IS
	'hedge decision: hold on stale or unknown inputs, approve, unwind step when the target is disabled or its delta within the band, re-hedge (borrow, sell, withdraw, buy) outside the band when the priced variance beats the cost, tidy (repay, post collateral) inside it, or hold';

-- hedge: what the eth_call of the decision's call says.  A borrow must
-- borrow exactly what was planned; a swap must pay at least its minimum;
-- a re-hedging buy must leave the deviation inside the band.
CREATE FUNCTION @extschema@.strategy_simulate_hedge(s @extschema@.strategies, state jsonb, result jsonb, calls jsonb)
RETURNS text[]
LANGUAGE plpgsql
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
DECLARE
	ad int := (s.params ->> 'asset_decimals')::int;
	band numeric := (s.params ->> 'band')::numeric;
	plan jsonb := result -> 'plan';
	r jsonb;
	got numeric;
	why text[] := '{}';
BEGIN
	FOR r IN SELECT e FROM jsonb_array_elements(calls) e WHERE (e ->> 'ok')::boolean LOOP
		IF r ->> 'step' = 'borrow' THEN
			got := (abi_decode('(uint256,uint256)', decode(substr(r ->> 'return', 3), 'hex')) ->> 0)::numeric;
			IF got IS DISTINCT FROM (plan ->> 'amount')::numeric THEN
				why := why || 'borrow_amount_mismatch'::text;
			END IF;
		ELSIF r ->> 'step' IN ('buy', 'sell') THEN
			got := (abi_decode('(uint256)', decode(substr(r ->> 'return', 3), 'hex')) ->> 0)::numeric;
			IF got IS NULL OR got < (plan ->> 'amount_out_min')::numeric THEN
				why := why || 'swap_below_min'::text;
			ELSIF r ->> 'step' = 'buy' AND NOT plan ? 'partial' AND 'below_band' = ANY (ARRAY(SELECT jsonb_array_elements_text(result -> 'reasons')))
				  AND abs((plan ->> 'deviation')::numeric + got * strategy_unit(ad)) > band THEN
				why := why || 'outside_band_after'::text;
			END IF;
		ELSIF r ->> 'step' = 'repay' AND plan ? 'repay_shares' THEN
			got := (abi_decode('(uint256,uint256)', decode(substr(r ->> 'return', 3), 'hex')) ->> 1)::numeric;
			IF got IS DISTINCT FROM (plan ->> 'repay_shares')::numeric THEN
				why := why || 'debt_left_after_unwind'::text;
			END IF;
		END IF;
	END LOOP;
	RETURN why;
END
$$;
COMMENT ON FUNCTION @extschema@.strategy_simulate_hedge(@extschema@.strategies, jsonb, jsonb, jsonb) IS
	'hedge simulation check: a borrow borrows what was planned, a swap pays at least its minimum, a re-hedging buy leaves the deviation inside the band, an unwind''s repay takes every share';

INSERT INTO @extschema@.strategy_kinds (kind, validate, sync, gather, policy, simulate, description, builtin) VALUES
	('hedge', '@extschema@.strategy_validate_hedge', '@extschema@.strategy_sync_hedge',
	 '@extschema@.strategy_gather_hedge', '@extschema@.strategy_policy_hedge', '@extschema@.strategy_simulate_hedge',
	 'Keep the net delta of an lp_univ3 strategy to one of its tokens within a band by borrowing that token on Morpho Blue against collateral and selling it; unwind when the target closes',
	 true);

-- One enabled hedge per target and asset: a second would short the same
-- delta again (twice the hedge).  Checked when a hedge is created, enabled
-- or its parameters change (validate cannot tell a strategy from itself).
CREATE FUNCTION @extschema@.strategy_hedge_check_unique()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
DECLARE
	other text;
BEGIN
	SELECT x.name INTO other FROM strategies x
	 WHERE x.kind = 'hedge' AND x.enabled AND x.id <> NEW.id AND x.chain_id = NEW.chain_id
	   AND x.params ->> 'target' = NEW.params ->> 'target'
	   AND (x.params ->> 'asset')::address = (NEW.params ->> 'asset')::address
	 LIMIT 1;
	IF FOUND THEN
		RAISE EXCEPTION 'hedge parameter "target": strategy % is already hedged for asset % by hedge "%"',
			NEW.params ->> 'target', NEW.params ->> 'asset', other
			USING ERRCODE = 'invalid_parameter_value',
				  DETAIL = 'Two enabled hedges of one target and asset would short its delta twice.',
				  HINT = 'Disable the other hedge first, or change its hedge_ratio.';
	END IF;
	RETURN NEW;
END
$$;
COMMENT ON FUNCTION @extschema@.strategy_hedge_check_unique() IS
	'trigger: refuses a second enabled hedge of the same target and asset (22023)';
CREATE TRIGGER strategy_hedge_unique BEFORE INSERT OR UPDATE OF params, enabled, kind ON @extschema@.strategies
	FOR EACH ROW WHEN (NEW.kind = 'hedge' AND NEW.enabled) EXECUTE FUNCTION @extschema@.strategy_hedge_check_unique();
REVOKE ALL ON FUNCTION @extschema@.strategy_hedge_check_unique() FROM PUBLIC;

-- The kind's helpers run inside its slots only.
REVOKE ALL ON FUNCTION @extschema@.strategy_hedge_target_delta(bigint, @extschema@.address, bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION @extschema@.strategy_hedge_target_delta(bigint, @extschema@.address, bigint) TO amplified_reader;
