-- src/strategy/kinds/leverage.sql: the leverage kind of strategy: loop an
-- LST collateral against a loan-token (WETH) debt on Morpho Blue or Aave v3
-- to a target LTV, within a band, through the owner's AmpLeverageAccount
-- (test/chain/contracts/AmpLeverageAccount.sol: one transaction per action,
-- a free Morpho flash loan, the swap on a Uniswap v3 pool).  One file holds
-- the kind: validate, sync, gather, policy, simulate, and its strategy_kinds
-- row (docs/strategies.md).
--
-- The rules, in order:
--   unwind (repay everything, withdraw everything) on a depeg at halt or
--     reduce_only on the collateral, on negative carry (borrow APY above the
--     collateral's staking APR over carry_window), or when the health factor
--     is below unwind_health;
--   delever to target_ltv when the LTV is above target_ltv + band;
--   lever to target_ltv when it is below target_ltv - band, the carry is
--     positive, the collateral's level is ok, and the debt added is worth
--     min_trade;
--   else hold.
-- The carry is the trailing one (staking APR less borrow APY over
-- carry_window), or, with carry_project, the forecast of the LST's yield
-- spread over the market's borrow APY by that forecast project's live
-- series model (docs/forecast.md): the mean of its next carry_horizon
-- steps, conditioned on the spread's last carry_lookback buckets of
-- carry_bucket (forecast_spread_features).  When the project has no live
-- model or it fails, the decision says so and the trailing carry decides.
-- Every action is one call of the account, eth_call'ed at the decision's
-- block before it is enqueued (strategy_simulate_leverage): refused when it
-- reverts, when the LTV it leaves is outside the band (lever, delever), when
-- debt is left after an unwind, or when the equity it loses at the oracle
-- price exceeds max_loss_bps.

-- The MarketParams tuple of a Morpho leverage strategy, as ABI JSON.
CREATE FUNCTION @extschema@.strategy_leverage_market_params(p jsonb)
RETURNS jsonb
LANGUAGE sql IMMUTABLE
RETURN jsonb_build_array(p ->> 'loan_token', p ->> 'collateral_token', p ->> 'oracle', p ->> 'irm', p ->> 'lltv');
COMMENT ON FUNCTION @extschema@.strategy_leverage_market_params(jsonb) IS
	'the Morpho MarketParams (loan token, collateral token, oracle, IRM, LLTV) of leverage parameters, as ABI JSON';

-- What a swap of amount_in (raw) returns (raw) in the strategy's swap pool,
-- as UniswapV3Pool.swap would at the gathered state, across its ticks
-- (univ3_simulate_swap over univ3_pool_liquidity_net_at): selling the
-- collateral for the loan token, or buying it.
CREATE FUNCTION @extschema@.strategy_leverage_quote(p jsonb, swap jsonb, sell_collateral boolean, amount_in numeric)
RETURNS numeric
LANGUAGE sql IMMUTABLE
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
	SELECT strategy_swap_quote(swap, (p ->> 'swap_tick_spacing')::int, (p ->> 'swap_fee')::int,
		(swap ->> 'collateral_is_token0')::boolean = sell_collateral, amount_in)
$$;
COMMENT ON FUNCTION @extschema@.strategy_leverage_quote(jsonb, jsonb, boolean, numeric) IS
	'leverage: the raw output of a swap of amount_in in the strategy''s pool at the gathered state, across its ticks (selling or buying the collateral)';

-- Validate leverage parameters.
CREATE FUNCTION @extschema@.strategy_validate_leverage(params jsonb, chain_id bigint)
RETURNS jsonb
LANGUAGE plpgsql
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
DECLARE
	p jsonb := params;
	k text := 'leverage';
	t numeric;
	b numeric;
BEGIN
	PERFORM strategy_check_keys(k, p, ARRAY['protocol', 'account', 'morpho', 'market', 'oracle', 'irm', 'lltv',
		'aave_pool', 'emode_category', 'collateral_token', 'loan_token', 'collateral_decimals', 'loan_decimals',
		'swap_pool', 'swap_fee', 'swap_tick_spacing', 'target_ltv', 'band', 'unwind_health', 'carry_window', 'min_trade',
		'slippage_bps', 'max_loss_bps', 'max_unwind_loss_bps', 'gas_cost', 'deadline_seconds',
		'carry_project', 'carry_bucket', 'carry_lookback', 'carry_horizon']);
	IF p ->> 'protocol' IS NULL OR p ->> 'protocol' NOT IN ('morpho_blue', 'aave_v3') THEN
		PERFORM strategy_param_error(k, 'protocol', '"morpho_blue" or "aave_v3"');
	END IF;
	IF strategy_param_address(k, p, 'account') IS NULL THEN
		PERFORM strategy_param_error(k, 'account', 'the AmpLeverageAccount the owner controls is required');
	END IF;
	IF strategy_param_address(k, p, 'collateral_token') IS NULL OR strategy_param_address(k, p, 'loan_token') IS NULL THEN
		PERFORM strategy_param_error(k, 'collateral_token', 'collateral_token and loan_token are required');
	END IF;
	IF (p ->> 'collateral_token')::address = (p ->> 'loan_token')::address THEN
		PERFORM strategy_param_error(k, 'collateral_token', 'differs from loan_token');
	END IF;
	IF strategy_param_address(k, p, 'swap_pool') IS NULL THEN
		PERFORM strategy_param_error(k, 'swap_pool', 'the Uniswap v3 pool of the collateral and loan tokens is required');
	END IF;
	IF p ->> 'protocol' = 'morpho_blue' THEN
		IF strategy_param_address(k, p, 'morpho') IS NULL OR strategy_param_address(k, p, 'oracle') IS NULL
		   OR strategy_param_address(k, p, 'irm') IS NULL OR NOT p ? 'lltv' THEN
			PERFORM strategy_param_error(k, 'morpho', 'a Morpho strategy needs morpho, oracle, irm and lltv (its market''s parameters)');
		END IF;
		PERFORM strategy_param_number(k, p, 'lltv', 1, 999999999999999999);
		p := p || jsonb_build_object('lltv', (p ->> 'lltv')::numeric::text,
			'market', morpho_market_id((p ->> 'loan_token')::address, (p ->> 'collateral_token')::address,
				(p ->> 'oracle')::address, (p ->> 'irm')::address, (p ->> 'lltv')::numeric::uint256)::text);
		IF params ? 'market' AND lower(params ->> 'market') <> p ->> 'market' THEN
			PERFORM strategy_param_error(k, 'market', format('is not the id of the market''s parameters (%s)', p ->> 'market'));
		END IF;
	ELSE
		IF strategy_param_address(k, p, 'aave_pool') IS NULL THEN
			PERFORM strategy_param_error(k, 'aave_pool', 'an Aave strategy needs the Pool''s address');
		END IF;
		p := p || jsonb_build_object('emode_category', coalesce(strategy_param_number(k, p, 'emode_category', 0, 255), 0),
			'market', aave_market_id((p ->> 'aave_pool')::address, (p ->> 'collateral_token')::address)::text);
	END IF;
	IF NOT p ? 'swap_tick_spacing' THEN p := p || jsonb_build_object('swap_tick_spacing', (strategy_read_word(chain_id, (p ->> 'swap_pool')::address, 'tickSpacing()', 'int24') #>> '{}')::int); END IF;
	PERFORM strategy_param_number(k, p, 'swap_tick_spacing', 1, 16383);
	IF NOT p ? 'swap_fee' THEN p := p || jsonb_build_object('swap_fee', (strategy_read_word(chain_id, (p ->> 'swap_pool')::address, 'fee()', 'uint24') #>> '{}')::int); END IF;
	IF NOT p ? 'collateral_decimals' THEN p := p || jsonb_build_object('collateral_decimals', (strategy_read_word(chain_id, (p ->> 'collateral_token')::address, 'decimals()', 'uint8') #>> '{}')::int); END IF;
	IF NOT p ? 'loan_decimals' THEN p := p || jsonb_build_object('loan_decimals', (strategy_read_word(chain_id, (p ->> 'loan_token')::address, 'decimals()', 'uint8') #>> '{}')::int); END IF;
	PERFORM strategy_param_number(k, p, 'swap_fee', 1, 999999), strategy_param_number(k, p, 'collateral_decimals', 0, 36),
		strategy_param_number(k, p, 'loan_decimals', 0, 36);
	t := strategy_param_number(k, p, 'target_ltv', 0.01, 0.99);
	IF t IS NULL THEN
		PERFORM strategy_param_error(k, 'target_ltv', 'the LTV to hold (debt over collateral at the oracle price) is required');
	END IF;
	b := coalesce(strategy_param_number(k, p, 'band', 0.001, 0.5), 0.02);
	IF t + b >= coalesce((p ->> 'lltv')::numeric / 1e18, 1) AND p ->> 'protocol' = 'morpho_blue' THEN
		PERFORM strategy_param_error(k, 'target_ltv', format('target_ltv + band (%s) must stay below the market''s LLTV (%s)',
			t + b, (p ->> 'lltv')::numeric / 1e18));
	END IF;
	p := p || jsonb_build_object(
		'band', b,
		'unwind_health', coalesce(strategy_param_number(k, p, 'unwind_health', 1, 10), 1.02),
		'carry_window', coalesce(p -> 'carry_window', '"7 days"'),
		'min_trade', coalesce(strategy_param_number(k, p, 'min_trade', 0, 1e30), 0.01),
		'slippage_bps', coalesce(strategy_param_number(k, p, 'slippage_bps', 0, 10000), 30),
		'max_loss_bps', coalesce(strategy_param_number(k, p, 'max_loss_bps', 0, 10000), 100),
		-- an unwind sells everything at once: it may lose more than a step
		-- (about the pool's fee times the leverage), and still costs less
		-- than a liquidation
		'max_unwind_loss_bps', coalesce(strategy_param_number(k, p, 'max_unwind_loss_bps', 0, 10000), 1000),
		'gas_cost', coalesce(strategy_param_number(k, p, 'gas_cost', 0, 1e30), 0),
		'deadline_seconds', coalesce(strategy_param_number(k, p, 'deadline_seconds', 60, 604800), 3600));
	PERFORM strategy_param_interval(k, p, 'carry_window', '1 minute', '3650 days');
	IF p ? 'carry_project' THEN
		IF jsonb_typeof(p -> 'carry_project') <> 'string' OR p ->> 'carry_project' !~ '^[a-z][a-z0-9_]{0,62}$' THEN
			PERFORM strategy_param_error(k, 'carry_project', 'a forecast project''s name');
		END IF;
		p := p || jsonb_build_object(
			'carry_bucket', coalesce(p -> 'carry_bucket', '"6 hours"'),
			'carry_lookback', coalesce(strategy_param_number(k, p, 'carry_lookback', 2, 10000), 24),
			'carry_horizon', coalesce(strategy_param_number(k, p, 'carry_horizon', 1, 1000), 4));
		PERFORM strategy_param_interval(k, p, 'carry_bucket', '1 minute', '365 days');
	ELSIF p ?| ARRAY['carry_bucket', 'carry_lookback', 'carry_horizon'] THEN
		PERFORM strategy_param_error(k, 'carry_bucket', 'carry_bucket, carry_lookback and carry_horizon go with carry_project');
	END IF;
	-- the top of the band must not be where it unwinds: at LTV t + band the
	-- health factor is lltv / (t + band), which must stay above unwind_health
	IF p ->> 'protocol' = 'morpho_blue' AND (p ->> 'lltv')::numeric / 1e18 / (t + b) <= (p ->> 'unwind_health')::numeric THEN
		PERFORM strategy_param_error(k, 'unwind_health', format('at the top of the band (LTV %s) the health factor is %s, not above unwind_health %s: lower target_ltv or band',
			t + b, round((p ->> 'lltv')::numeric / 1e18 / (t + b), 4), p ->> 'unwind_health'));
	END IF;
	RETURN p;
END
$$;
COMMENT ON FUNCTION @extschema@.strategy_validate_leverage(jsonb, bigint) IS
	'leverage parameters checked: protocol and market, account, tokens, swap pool, target LTV and band (below the LLTV), triggers; decimals and fee filled from the chain';

-- leverage: the account's collateral and debt (from the lending read
-- models) and the tokens it holds idle.
CREATE FUNCTION @extschema@.strategy_sync_leverage(s @extschema@.strategies, block bigint)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
DECLARE
	p jsonb := s.params;
	acct address := (p ->> 'account')::address;
	coll address := (p ->> 'collateral_token')::address;
	loan address := (p ->> 'loan_token')::address;
	lp lend_position;
	dp lend_position;
BEGIN
	PERFORM strategy_require_block(s.chain_id, block);
	PERFORM strategy_clear_positions(s.id);
	IF p ->> 'protocol' = 'morpho_blue' THEN
		lp := lend_position_at(s.chain_id, (p ->> 'market')::bytes32, acct, block);
		PERFORM strategy_put_position(s.id, block, ROW('morpho_blue', coll, 0, coalesce(lp.collateral, '0')::numeric::int256,
			jsonb_build_object('market', p ->> 'market', 'account', acct::text, 'side', 'collateral'))::strategy_position);
		PERFORM strategy_put_position(s.id, block, ROW('morpho_blue', loan, 0, (-coalesce(lp.borrow_assets, '0')::numeric)::int256,
			jsonb_build_object('market', p ->> 'market', 'account', acct::text, 'side', 'debt',
				'borrow_shares', coalesce(lp.borrow_shares, '0')::text))::strategy_position);
	ELSE
		lp := lend_position_at(s.chain_id, aave_market_id((p ->> 'aave_pool')::address, coll), acct, block);
		dp := lend_position_at(s.chain_id, aave_market_id((p ->> 'aave_pool')::address, loan), acct, block);
		PERFORM strategy_put_position(s.id, block, ROW('aave_v3', coll, 0, coalesce(lp.supply_assets, '0')::numeric::int256,
			jsonb_build_object('pool', p ->> 'aave_pool', 'account', acct::text, 'side', 'collateral'))::strategy_position);
		PERFORM strategy_put_position(s.id, block, ROW('aave_v3', loan, 0, (-coalesce(dp.borrow_assets, '0')::numeric)::int256,
			jsonb_build_object('pool', p ->> 'aave_pool', 'account', acct::text, 'side', 'debt'))::strategy_position);
	END IF;
	-- What the account holds idle (a delever's leftover): a balance read pinned to the block.
	PERFORM strategy_sync_account(s, block, acct, ARRAY[coll, loan]);
END
$$;
COMMENT ON FUNCTION @extschema@.strategy_sync_leverage(@extschema@.strategies, bigint) IS
	'leverage positions at a block: the account''s collateral and debt (lend_position_at) and its idle balances';

-- The carry forecast of a leverage strategy with carry_project, at a time:
-- the project's live series model conditioned on the last carry_lookback
-- buckets of the spread of the collateral's yield over the borrow market's
-- APY (forecast_spread_features), its mean over the next carry_horizon
-- steps and the lowest 80 % bound.  An error (no live model, a regression
-- model, no spread to condition on ...) is returned, not raised: the
-- decision records it and falls back to the trailing carry.
CREATE FUNCTION @extschema@.strategy_leverage_carry_forecast(s @extschema@.strategies, at timestamptz)
RETURNS jsonb
LANGUAGE plpgsql
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
DECLARE
	p jsonb := s.params;
	b interval := (p ->> 'carry_bucket')::interval;
	n int := (p ->> 'carry_lookback')::int;
	h int := (p ->> 'carry_horizon')::int;
	mkt bytes32 := CASE WHEN p ->> 'protocol' = 'morpho_blue' THEN (p ->> 'market')::bytes32
						ELSE aave_market_id((p ->> 'aave_pool')::address, (p ->> 'loan_token')::address) END;
	recent float8[];
	f record;
BEGIN
	recent := ARRAY(SELECT x.spread FROM forecast_spread_features(s.chain_id, (p ->> 'collateral_token')::address, mkt,
						at - n * b, at, b) x
					 WHERE x.spread IS NOT NULL ORDER BY x.at);
	IF cardinality(recent) = 0 THEN
		RETURN jsonb_build_object('project', p ->> 'carry_project', 'error', 'no spread in the lookback to condition on',
			'sqlstate', '55000');
	END IF;
	SELECT avg(x.mean) AS mean, min(x.lo) AS lo, max(x.model_id) AS model_id INTO f
	  FROM forecast_predict_horizon(p ->> 'carry_project', h, recent, 0.8) x;
	RETURN jsonb_build_object('project', p ->> 'carry_project', 'model_id', f.model_id, 'mean', f.mean, 'lo80', f.lo,
		'horizon', h, 'bucket', p ->> 'carry_bucket', 'points', cardinality(recent), 'last_spread', recent[cardinality(recent)]);
EXCEPTION WHEN OTHERS THEN
	RETURN jsonb_build_object('project', p ->> 'carry_project', 'error', SQLERRM, 'sqlstate', SQLSTATE);
END
$$;
COMMENT ON FUNCTION @extschema@.strategy_leverage_carry_forecast(@extschema@.strategies, timestamptz) IS
	'a leverage strategy''s carry forecast: its carry_project''s live series model on the recent LST yield spread over the borrow APY (errors returned, not raised)';

-- leverage state: position, market, prices, carry, risk level, swap pool.
CREATE FUNCTION @extschema@.strategy_gather_leverage(s @extschema@.strategies, block bigint)
RETURNS jsonb
LANGUAGE plpgsql
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
DECLARE
	p jsonb := s.params;
	acct address := (p ->> 'account')::address;
	coll address := (p ->> 'collateral_token')::address;
	loan address := (p ->> 'loan_token')::address;
	cd int := (p ->> 'collateral_decimals')::int;
	ld int := (p ->> 'loan_decimals')::int;
	at timestamptz := ingest_block_time(s.chain_id, block);
	mk lend_market;
	lp lend_position;
	dp lend_position;
	ps record;
	price numeric;
	c numeric;
	d numeric;
	hf numeric;
	lltv numeric;
	liq_price numeric;
	borrow_apy float8;
	apr float8;
	rate uint256;
	idle_c numeric;
	idle_l numeric;
	debt_index numeric;
	holdings strategy_holding[];
	value numeric;
BEGIN
	IF p ->> 'protocol' = 'morpho_blue' THEN
		mk := lend_market_at(s.chain_id, (p ->> 'market')::bytes32, block);
		lp := lend_position_at(s.chain_id, (p ->> 'market')::bytes32, acct, block);
		-- loan per collateral, whole units: the oracle's 1e36-scaled raw price
		price := mk.price::numeric / 1e36 * 10::numeric ^ (cd - ld);
		c := coalesce(lp.collateral, '0')::numeric;
		d := coalesce(lp.borrow_assets, '0')::numeric;
		hf := lp.health_factor;
		lltv := mk.lltv;
		liq_price := lp.liquidation_price / 1e36 * 10::numeric ^ (cd - ld);
		borrow_apy := lend_borrow_apy_avg(s.chain_id, (p ->> 'market')::bytes32, block, (p ->> 'carry_window')::interval);
		debt_index := CASE WHEN lp.borrow_shares::numeric > 0 THEN d / lp.borrow_shares::numeric END;
	ELSE
		mk := lend_market_at(s.chain_id, aave_market_id((p ->> 'aave_pool')::address, loan), block);
		lp := lend_position_at(s.chain_id, aave_market_id((p ->> 'aave_pool')::address, coll), acct, block);
		dp := lend_position_at(s.chain_id, aave_market_id((p ->> 'aave_pool')::address, loan), acct, block);
		price := (SELECT r.price FROM aave_reserve_at(s.chain_id, (p ->> 'aave_pool')::address, coll, block) r)::numeric
				 / nullif(mk.price::numeric, 0);
		c := coalesce(lp.supply_assets, '0')::numeric;
		d := coalesce(dp.borrow_assets, '0')::numeric;
		hf := dp.health_factor;
		-- the account's weighted liquidation threshold (its e-mode's when it is in one)
		lltv := (SELECT a.liquidation_threshold_bps FROM aave_position_at(s.chain_id, (p ->> 'aave_pool')::address, loan, acct, block) a
				  WHERE a.total_collateral_base > 0) / 1e4;
		lltv := coalesce(lltv, (SELECT r.liquidation_threshold_bps FROM aave_reserve_at(s.chain_id, (p ->> 'aave_pool')::address, coll, block) r) / 1e4);
		liq_price := CASE WHEN c > 0 AND d > 0 AND lltv > 0 THEN (d * strategy_unit(ld)) / (c * strategy_unit(cd) * lltv) END;
		borrow_apy := lend_borrow_apy_avg(s.chain_id, aave_market_id((p ->> 'aave_pool')::address, loan), block,
			(p ->> 'carry_window')::interval);
		debt_index := CASE WHEN dp.borrow_shares::numeric > 0 THEN d / dp.borrow_shares::numeric END;
	END IF;
	SELECT * INTO ps FROM univ3_pool_state_at(s.chain_id, (p ->> 'swap_pool')::address, block);
	rate := token_lst_rate_at(s.chain_id, coll, block);
	apr := yield_apr_window(s.chain_id, coll, (p ->> 'carry_window')::interval, at);
	idle_c := (SELECT x.amount::numeric FROM positions x WHERE x.strategy_id = s.id AND x.protocol = 'account' AND x.asset = coll);
	idle_l := (SELECT x.amount::numeric FROM positions x WHERE x.strategy_id = s.id AND x.protocol = 'account' AND x.asset = loan);
	value := coalesce(c * strategy_unit(cd) * price, 0) - d * strategy_unit(ld)
			 + coalesce(idle_c, 0) * strategy_unit(cd) * coalesce(price, 0) + coalesce(idle_l, 0) * strategy_unit(ld);
	holdings := ARRAY[
		ROW(coll, p ->> 'protocol' || ':collateral', c, cd, price, 0, rate::numeric, CASE WHEN rate IS NOT NULL THEN 'staking' END, NULL, NULL, NULL, NULL)::strategy_holding,
		ROW(loan, p ->> 'protocol' || ':debt', -d, ld, 1, 0, debt_index, CASE WHEN debt_index IS NOT NULL THEN 'interest' END, NULL, NULL, NULL, NULL)::strategy_holding,
		ROW(coll, 'account', coalesce(idle_c, 0), cd, price, 0, rate::numeric, CASE WHEN rate IS NOT NULL THEN 'staking' END, NULL, NULL, NULL, NULL)::strategy_holding,
		ROW(loan, 'account', coalesce(idle_l, 0), ld, 1, 0, NULL, NULL, NULL, NULL, NULL, NULL)::strategy_holding];
	RETURN jsonb_build_object(
		'kind', 'leverage', 'block_number', block, 'at', at,
		'collateral', c::text, 'debt', d::text, 'price', price,
		'borrow_shares', coalesce(CASE WHEN p ->> 'protocol' = 'morpho_blue' THEN lp.borrow_shares ELSE dp.borrow_shares END, '0')::text,
		'ltv', CASE WHEN c > 0 AND price > 0 THEN (d * strategy_unit(ld)) / (c * strategy_unit(cd) * price) END,
		'health_factor', hf, 'lltv', lltv, 'liquidation_price', liq_price,
		-- both over carry_window: what borrowing cost and what staking paid
		'borrow_apy', borrow_apy, 'staking_apr', apr, 'borrow_apy_now', mk.borrow_apy,
		-- with carry_project: its live model's forecast of the spread
		'carry_forecast', CASE WHEN p ? 'carry_project' THEN strategy_leverage_carry_forecast(s, at) END,
		'market_liquidity', mk.liquidity::text,
		'risk_level', risk_asset_level(s.chain_id, coll),
		'swap', jsonb_build_object('sqrt_price', ps.sqrt_price::text, 'tick', ps.tick, 'liquidity', ps.liquidity::text,
			'collateral_is_token0', coll < loan, 'pool_block', ps.block_number,
			-- the initialized ticks, for quotes that cross them
			'ticks', (SELECT coalesce(jsonb_agg(t.tick ORDER BY t.tick), '[]') FROM univ3_pool_liquidity_net_at(s.chain_id, (p ->> 'swap_pool')::address, block) t),
			'liquidity_net', (SELECT coalesce(jsonb_agg(t.liquidity_net::text ORDER BY t.tick), '[]') FROM univ3_pool_liquidity_net_at(s.chain_id, (p ->> 'swap_pool')::address, block) t)),
		'idle_collateral', coalesce(idle_c, 0)::text, 'idle_loan', coalesce(idle_l, 0)::text,
		'emode', CASE WHEN p ->> 'protocol' = 'aave_v3' THEN aave_account_emode_at(s.chain_id, (p ->> 'aave_pool')::address, acct, block) END,
		'valuation', strategy_valuation_json(loan, value, holdings));
END
$$;
COMMENT ON FUNCTION @extschema@.strategy_gather_leverage(@extschema@.strategies, bigint) IS
	'inputs of a leverage decision at a block: collateral, debt, oracle price, LTV, health factor, LLTV, liquidation price, borrow APY, staking APR, risk level, swap pool';

-- leverage: unwind, delever, lever or hold (the rules at the top of the file).
CREATE FUNCTION @extschema@.strategy_policy_leverage_rules(s @extschema@.strategies, state jsonb)
RETURNS jsonb
LANGUAGE plpgsql
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
DECLARE
	p jsonb := s.params;
	acct address := (p ->> 'account')::address;
	coll address := (p ->> 'collateral_token')::address;
	loan address := (p ->> 'loan_token')::address;
	cd int := (p ->> 'collateral_decimals')::int;
	ld int := (p ->> 'loan_decimals')::int;
	fee int := (p ->> 'swap_fee')::int;
	slip int := (p ->> 'slippage_bps')::int;
	t numeric := (p ->> 'target_ltv')::numeric;
	band numeric := (p ->> 'band')::numeric;
	c numeric := (state ->> 'collateral')::numeric * strategy_unit(cd);
	-- collateral the account holds idle: a lever supplies it too
	ic numeric := coalesce((state ->> 'idle_collateral')::numeric, 0) * strategy_unit(cd);
	d numeric := (state ->> 'debt')::numeric * strategy_unit(ld);
	price numeric := (state ->> 'price')::numeric;
	ltv numeric := (state ->> 'ltv')::numeric;
	hf numeric := (state ->> 'health_factor')::numeric;
	lvl text := state ->> 'risk_level';
	-- the forecast's when there is one, else the trailing carry
	carry float8 := coalesce((state -> 'carry_forecast' ->> 'mean')::float8,
							 (state ->> 'staking_apr')::float8 - (state ->> 'borrow_apy')::float8);
	zero_for_one boolean := (state -> 'swap' ->> 'collateral_is_token0')::boolean;
	morpho boolean := p ->> 'protocol' = 'morpho_blue';
	-- loan per collateral selling collateral in the pool, after its fee
	pool_price numeric;
	-- collateral per loan buying collateral in the pool, after its fee
	buy_rate numeric;
	x numeric;
	y numeric;
	q_out numeric;
	eff numeric;
	amt uint256;
	out_min uint256;
	action text;
	reasons text[] := '{}';
	data bytea;
	c_after numeric;
	d_after numeric;
	intents jsonb;
	plan jsonb;
BEGIN
	IF strategy_state_stale(state, p) THEN
		RETURN jsonb_build_object('action', 'hold', 'reasons', '["stale_chain_data"]'::jsonb, 'intents', '[]'::jsonb);
	END IF;
	IF price IS NULL OR price <= 0 OR state -> 'swap' ->> 'sqrt_price' IS NULL THEN
		RETURN jsonb_build_object('action', 'hold', 'reasons', '["no_price"]'::jsonb, 'intents', '[]'::jsonb);
	END IF;
	pool_price := CASE WHEN zero_for_one THEN strategy_price1per0((state -> 'swap' ->> 'sqrt_price')::uint256, cd, ld)
					   ELSE 1 / strategy_price1per0((state -> 'swap' ->> 'sqrt_price')::uint256, ld, cd) END
				  * (1 - fee / 1e6);
	buy_rate := (1 - fee / 1e6) * (1 - fee / 1e6) / pool_price;

	-- Unwind.
	IF d > 0 AND (lvl IN ('reduce_only', 'halt') OR carry < 0 OR (hf IS NOT NULL AND hf < (p ->> 'unwind_health')::numeric)) THEN
		action := 'unwind';
		reasons := CASE WHEN lvl IN ('reduce_only', 'halt') THEN ARRAY['depeg_' || lvl]
						WHEN carry < 0 THEN ARRAY['negative_carry']
						ELSE ARRAY['health_below_trigger'] END;
		-- everything: the account repays all the debt and withdraws all the
		-- collateral; what the swap must return covers the debt plus slippage
		x := d;
		y := c;
		q_out := strategy_leverage_quote(p, state -> 'swap', true, y * 10::numeric ^ cd);
		out_min := floor(q_out * (1 - slip / 1e4))::uint256;
	ELSIF ltv IS NOT NULL AND ltv > t + band AND d > 0 THEN
		action := 'delever';
		reasons := ARRAY['ltv_above_band'];
		-- repay x, selling y = x / pool_price * (1 + slippage) collateral: (d - x) = t * price * (c - y);
		-- impossible when the pool pays so much less than the oracle that a
		-- sale raises the LTV (1 - t * price * (1 + slippage) / pool_price <= 0)
		IF 1 - t * price * (1 + slip / 1e4) / pool_price <= 0 THEN
			RETURN jsonb_build_object('action', 'hold', 'reasons', '["delever_infeasible"]'::jsonb, 'intents', '[]'::jsonb,
				'plan', jsonb_build_object('ltv', ltv, 'target_ltv', t, 'band', band, 'oracle_price', price, 'pool_price', pool_price));
		END IF;
		x := (d - t * price * c) / (1 - t * price * (1 + slip / 1e4) / pool_price);
		y := x / pool_price * (1 + slip / 1e4);
		-- sell enough that the pool (across its ticks) pays x with the
		-- slippage margin: two corrections of y by the quote
		FOR k IN 1 .. 2 LOOP
			q_out := strategy_leverage_quote(p, state -> 'swap', true, y * 10::numeric ^ cd);
			EXIT WHEN q_out <= 0 OR q_out >= x * (1 + slip / 1e4) * 10::numeric ^ ld;
			eff := q_out * strategy_unit(ld) / y;
			EXIT WHEN 1 - t * price * (1 + slip / 1e4) / eff <= 0;
			x := (d - t * price * c) / (1 - t * price * (1 + slip / 1e4) / eff);
			y := x / eff * (1 + slip / 1e4);
		END LOOP;
		-- what the pool pays for the y sold (the plan's swap_out and swap_cost)
		q_out := strategy_leverage_quote(p, state -> 'swap', true, floor(greatest(y, 0) * 10::numeric ^ cd));
		IF coalesce(q_out, 0) <= 0 OR x <= 0 OR y <= 0 THEN
			-- the pool cannot buy the collateral: nothing to repay with
			RETURN jsonb_build_object('action', 'hold', 'reasons', '["no_swap_liquidity"]'::jsonb, 'intents', '[]'::jsonb,
				'plan', jsonb_build_object('ltv', ltv, 'target_ltv', t, 'band', band));
		END IF;
		out_min := floor(x * 10::numeric ^ ld)::uint256;
	ELSIF coalesce(ltv, 0) < t - band AND c + ic > 0 THEN
		IF lvl <> 'ok' THEN
			RETURN jsonb_build_object('action', 'hold', 'reasons', jsonb_build_array('risk_' || lvl), 'intents', '[]'::jsonb);
		ELSIF carry IS NULL OR carry <= 0 THEN
			RETURN jsonb_build_object('action', 'hold', 'reasons', '["no_positive_carry"]'::jsonb, 'intents', '[]'::jsonb,
				'plan', jsonb_build_object('carry', carry));
		END IF;
		-- the band must stay under the liquidation threshold (Aave: the
		-- account's, e-mode's once in it; Morpho's LLTV is checked by validate)
		IF t + band >= (state ->> 'lltv')::numeric
		   AND (morpho OR (c > 0 AND (state ->> 'emode')::int IS NOT DISTINCT FROM (p ->> 'emode_category')::int)) THEN
			RETURN jsonb_build_object('action', 'hold', 'reasons', '["target_above_lltv"]'::jsonb, 'intents', '[]'::jsonb,
				'plan', jsonb_build_object('target_ltv', t, 'band', band, 'lltv', (state ->> 'lltv')::numeric));
		END IF;
		-- Aave: into the strategy's e-mode category first, its own decision
		IF NOT morpho AND (state ->> 'emode')::int IS DISTINCT FROM (p ->> 'emode_category')::int AND d = 0 THEN
			RETURN jsonb_build_object('action', 'set_emode', 'reasons', '["emode_category"]'::jsonb,
				'plan', jsonb_build_object('emode', (state ->> 'emode')::int, 'emode_category', (p ->> 'emode_category')::int),
				'intents', jsonb_build_array(strategy_intent('set_emode', acct,
					abi_encode_call('aaveSetEMode(uint8)', jsonb_build_array((p ->> 'emode_category')::int)),
					format('enter Aave e-mode category %s', p ->> 'emode_category'))),
				'proposal', jsonb_build_object('action', 'set_emode', 'reduces_risk', false, 'value', (state -> 'valuation' ->> 'value')::numeric,
					'turnover', 0, 'slippage_bps', 0, 'chain_id', s.chain_id, 'assets', jsonb_build_array(coll::text, loan::text)));
		END IF;
		action := 'lever';
		reasons := ARRAY['ltv_below_band'];
		-- borrow x, swapped to x * buy_rate collateral; the idle collateral
		-- is supplied with it: d + x = t * price * (c + ic + x * buy_rate)
		c := c + ic;
		IF 1 - t * price * buy_rate <= 0 THEN
			-- the pool sells the collateral so far under the oracle that no debt reaches the target
			RETURN jsonb_build_object('action', 'hold', 'reasons', '["lever_infeasible"]'::jsonb, 'intents', '[]'::jsonb,
				'plan', jsonb_build_object('ltv', ltv, 'target_ltv', t, 'oracle_price', price, 'pool_price', pool_price));
		END IF;
		x := (t * price * c - d) / (1 - t * price * buy_rate);
		-- the pool's real rate for that size (across its ticks), twice
		FOR k IN 1 .. 2 LOOP
			EXIT WHEN x < (p ->> 'min_trade')::numeric;
			q_out := strategy_leverage_quote(p, state -> 'swap', false, x * 10::numeric ^ ld);
			eff := q_out * strategy_unit(cd) / x;
			EXIT WHEN 1 - t * price * eff <= 0;
			x := (t * price * c - d) / (1 - t * price * eff);
		END LOOP;
		IF x < (p ->> 'min_trade')::numeric THEN
			RETURN jsonb_build_object('action', 'hold', 'reasons', '["below_min_trade"]'::jsonb, 'intents', '[]'::jsonb);
		END IF;
		q_out := strategy_leverage_quote(p, state -> 'swap', false, floor(x * 10::numeric ^ ld));
		IF coalesce(q_out, 0) <= 0 THEN
			-- the pool would sell nothing for it (a minimum output of 0 is never sent)
			RETURN jsonb_build_object('action', 'hold', 'reasons', '["no_swap_liquidity"]'::jsonb, 'intents', '[]'::jsonb,
				'plan', jsonb_build_object('ltv', ltv, 'target_ltv', t, 'band', band));
		END IF;
		y := q_out * strategy_unit(cd);
	ELSE
		RETURN jsonb_build_object('action', 'hold',
			'reasons', to_jsonb(CASE WHEN c + ic = 0 AND d = 0 THEN ARRAY['no_collateral'] ELSE ARRAY['within_band'] END),
			'plan', jsonb_build_object('ltv', ltv, 'target_ltv', t, 'band', band), 'intents', '[]'::jsonb);
	END IF;

	IF action = 'lever' THEN
		amt := floor(x * 10::numeric ^ ld)::uint256;
		out_min := strategy_amount_min(q_out::uint256, slip);
		data := CASE WHEN morpho THEN abi_encode_call('morphoLever((address,address,address,address,uint256),uint256,uint256,uint24)',
					jsonb_build_array(strategy_leverage_market_params(p), amt::text, out_min::text, fee))
				ELSE abi_encode_call('aaveLever(address,address,uint256,uint256,uint24)',
					jsonb_build_array(coll::text, loan::text, amt::text, out_min::text, fee)) END;
		c_after := c + y;
		d_after := d + x;
	ELSE
		amt := CASE WHEN action = 'unwind' THEN '115792089237316195423570985008687907853269984665640564039457584007913129639935'::uint256
					ELSE floor(y * 10::numeric ^ cd)::uint256 END;
		data := CASE WHEN morpho THEN abi_encode_call('morphoDelever((address,address,address,address,uint256),uint256,uint256,uint256,uint24)',
					jsonb_build_array(strategy_leverage_market_params(p),
						-- the shares of x: a share is debt / borrow_shares now (rounded down)
						CASE WHEN action = 'unwind' THEN amt::text
							 ELSE floor(least(x / d, 1) * (state ->> 'borrow_shares')::numeric)::text END,
						amt::text, out_min::text, fee))
				ELSE abi_encode_call('aaveDelever(address,address,uint256,uint256,uint256,uint24)',
					jsonb_build_array(coll::text, loan::text,
						CASE WHEN action = 'unwind' THEN amt::text ELSE floor(x * 10::numeric ^ ld)::text END,
						amt::text, out_min::text, fee)) END;
		c_after := CASE WHEN action = 'unwind' THEN 0 ELSE c - y END;
		d_after := CASE WHEN action = 'unwind' THEN 0 ELSE d - x END;
	END IF;
	intents := jsonb_build_array(strategy_intent(action, acct, data,
		format('%s: %s debt %s -> %s, collateral %s -> %s (LTV target %s)', p ->> 'protocol', action,
			round(d, 6), round(d_after, 6), round(c, 6), round(c_after, 6), t)));
	plan := jsonb_build_object('ltv', ltv, 'target_ltv', t, 'band', band, 'health_factor', hf, 'carry', carry,
		'debt_change', round(d_after - d, 18), 'collateral_change', round(c_after - c, 18),
		'ltv_after', CASE WHEN c_after > 0 THEN d_after / (c_after * price) END,
		-- what the swap loses against the oracle price (fee and price impact)
		'swap_cost', CASE WHEN action = 'lever' THEN x - y * price ELSE y * price - q_out * strategy_unit(ld) END,
		'swap_out', q_out::text,
		-- the action's one call swaps (strategy_pnl counts its swap_cost once mined)
		'swap_steps', jsonb_build_array(action));
	RETURN jsonb_build_object('action', action, 'reasons', to_jsonb(reasons), 'plan', plan, 'intents', intents,
		'proposal', jsonb_build_object('action', action, 'reduces_risk', action <> 'lever',
			'value', (state -> 'valuation' ->> 'value')::numeric,
			'turnover', abs(CASE WHEN action = 'lever' THEN x ELSE y * price END),
			'slippage_bps', slip, 'chain_id', s.chain_id,
			'assets', jsonb_build_array(coll::text, loan::text),
			'exposures', jsonb_build_array(jsonb_build_object('asset', coll::text,
				'delta', round(c_after * 10::numeric ^ cd), 'notional', c_after * price,
				'ltv', CASE WHEN c_after > 0 THEN d_after / (c_after * price) END,
				'health_factor', CASE WHEN d_after > 0 THEN c_after * price * (state ->> 'lltv')::numeric / d_after END,
				'liquidation_price', CASE WHEN d_after > 0 AND c_after > 0 THEN d_after / (c_after * (state ->> 'lltv')::numeric) END))));
END
$$;
COMMENT ON FUNCTION @extschema@.strategy_policy_leverage_rules(@extschema@.strategies, jsonb) IS
	'leverage rules: unwind on depeg, negative carry or low health; delever above the band; lever below it with positive carry; or hold';

-- leverage: the rules' decision, with where its carry came from: reason
-- carry_forecast (the model's mean decided) or carry_forecast_unavailable
-- (the trailing carry decided), and the forecast in the plan.
CREATE FUNCTION @extschema@.strategy_policy_leverage(s @extschema@.strategies, state jsonb)
RETURNS jsonb
LANGUAGE plpgsql
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
DECLARE
	r jsonb := strategy_policy_leverage_rules(s, state);
	fc jsonb := state -> 'carry_forecast';
BEGIN
	IF fc IS NULL OR jsonb_typeof(fc) <> 'object' THEN
		RETURN r;
	END IF;
	RETURN r || jsonb_build_object(
		'reasons', coalesce(r -> 'reasons', '[]'::jsonb)
			|| to_jsonb(CASE WHEN fc ? 'mean' THEN 'carry_forecast' ELSE 'carry_forecast_unavailable' END),
		'plan', coalesce(r -> 'plan', '{}'::jsonb) || jsonb_build_object('carry_forecast', fc,
			'trailing_carry', (state ->> 'staking_apr')::float8 - (state ->> 'borrow_apy')::float8));
END
$$;
COMMENT ON FUNCTION @extschema@.strategy_policy_leverage(@extschema@.strategies, jsonb) IS
	'leverage decision: the rules (strategy_policy_leverage_rules), with the carry forecast that decided, or that it was unavailable';

-- leverage: what the eth_call of the action says, against the band, the
-- unwind's promise and max_loss_bps.  The account's actions return the
-- collateral and the debt they leave (in raw units).
CREATE FUNCTION @extschema@.strategy_simulate_leverage(s @extschema@.strategies, state jsonb, result jsonb, calls jsonb)
RETURNS text[]
LANGUAGE plpgsql
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
DECLARE
	p jsonb := s.params;
	cd int := (p ->> 'collateral_decimals')::int;
	ld int := (p ->> 'loan_decimals')::int;
	price numeric := (state ->> 'price')::numeric;
	t numeric := (p ->> 'target_ltv')::numeric;
	band numeric := (p ->> 'band')::numeric;
	r jsonb;
	c_after numeric;
	d_after numeric;
	idle numeric;
	ltv_after numeric;
	eq_before numeric := (state -> 'valuation' ->> 'value')::numeric;
	eq_after numeric;
	cap numeric;
	why text[] := '{}';
BEGIN
	IF result ->> 'action' NOT IN ('lever', 'delever', 'unwind') THEN
		RETURN why;
	END IF;
	FOR r IN SELECT e FROM jsonb_array_elements(calls) e WHERE (e ->> 'ok')::boolean LOOP
		IF length(r ->> 'return') < 2 + 64 * 3 THEN
			why := why || 'no_result'::text;
			CONTINUE;
		END IF;
		c_after := (abi_decode('(uint256,uint256,uint256)', decode(substr(r ->> 'return', 3), 'hex')) ->> 0)::numeric * strategy_unit(cd);
		d_after := (abi_decode('(uint256,uint256,uint256)', decode(substr(r ->> 'return', 3), 'hex')) ->> 1)::numeric * strategy_unit(ld);
		-- the loan token the account holds after the action (a delever's leftover)
		idle := (abi_decode('(uint256,uint256,uint256)', decode(substr(r ->> 'return', 3), 'hex')) ->> 2)::numeric * strategy_unit(ld);
		ltv_after := CASE WHEN c_after > 0 THEN d_after / (c_after * price) END;
		IF result ->> 'action' = 'unwind' THEN
			IF d_after > 0 THEN
				why := why || 'debt_left_after_unwind'::text;
			END IF;
		ELSIF ltv_after IS NULL OR ltv_after > t + band OR ltv_after < t - band THEN
			why := why || 'ltv_outside_band'::text;
		END IF;
		-- equity at the oracle price (a lever supplies the idle collateral; the others leave it)
		eq_after := c_after * price - d_after + idle
					+ CASE WHEN result ->> 'action' = 'lever' THEN 0
						   ELSE (state ->> 'idle_collateral')::numeric * strategy_unit(cd) * price END;
		cap := CASE WHEN result ->> 'action' = 'unwind'
					THEN coalesce((p ->> 'max_unwind_loss_bps')::numeric, (p ->> 'max_loss_bps')::numeric)
					ELSE (p ->> 'max_loss_bps')::numeric END;
		IF eq_before > 0 AND (eq_before - eq_after) / eq_before * 1e4 > cap THEN
			why := why || 'loss_above_max'::text;
		END IF;
	END LOOP;
	RETURN why;
END
$$;
COMMENT ON FUNCTION @extschema@.strategy_simulate_leverage(@extschema@.strategies, jsonb, jsonb, jsonb) IS
	'leverage simulation check: the collateral and debt the simulated action leaves against the band (or none left for an unwind), and the equity lost against max_loss_bps';

INSERT INTO @extschema@.strategy_kinds (kind, validate, sync, gather, policy, simulate, description, builtin) VALUES
	('leverage', '@extschema@.strategy_validate_leverage', '@extschema@.strategy_sync_leverage',
	 '@extschema@.strategy_gather_leverage', '@extschema@.strategy_policy_leverage', '@extschema@.strategy_simulate_leverage',
	 'Loop an LST collateral against a WETH debt on Morpho Blue or Aave v3 to a target LTV within a band, through the owner''s leverage account; unwind on depeg, negative carry or low health',
	 true);

-- The lending positions of the lend and leverage strategies, at the block
-- they were last synced: for each market a strategy uses, its account's
-- supply, debt and collateral, health factor, LTV and liquidation price
-- (lend_position_at), with the market's APYs (lend_market_at).
CREATE VIEW @extschema@.v_lend_positions AS
	SELECT b.at, s.id AS strategy_id, s.name AS strategy, s.kind AS strategy_kind, s.chain_id, s.owner,
		   m.account, lp.protocol, m.market, m.role, b.block_number,
		   lp.supply_assets, lp.borrow_assets, lp.collateral, lp.health_factor, lp.ltv, lp.liquidation_price,
		   mk.supply_apy, mk.borrow_apy, mk.utilization
	  FROM @extschema@.strategies s
	 CROSS JOIN LATERAL (
		SELECT (s.params ->> 'account')::@extschema@.address AS account, (s.params ->> 'market')::@extschema@.bytes32 AS market,
			   CASE WHEN s.params ->> 'protocol' = 'aave_v3' THEN 'collateral' ELSE 'leverage' END AS role
		 WHERE s.kind = 'leverage'
		UNION ALL
		SELECT (s.params ->> 'account')::@extschema@.address,
			   @extschema@.aave_market_id((s.params ->> 'aave_pool')::@extschema@.address, (s.params ->> 'loan_token')::@extschema@.address),
			   'debt'
		 WHERE s.kind = 'leverage' AND s.params ->> 'protocol' = 'aave_v3'
		UNION ALL
		SELECT (s.params ->> 'account')::@extschema@.address, (c ->> 'market')::@extschema@.bytes32, 'supply'
		  FROM jsonb_array_elements(CASE WHEN s.kind = 'lend' THEN s.params -> 'candidates' ELSE '[]' END) c) AS m
	 CROSS JOIN LATERAL (
		SELECT max(p.block_number) AS block_number, max(p.synced_at) AS at
		  FROM @extschema@.positions p WHERE p.strategy_id = s.id) AS b
	 CROSS JOIN LATERAL @extschema@.lend_position_at(s.chain_id, m.market, m.account, b.block_number) AS lp
	 CROSS JOIN LATERAL @extschema@.lend_market_at(s.chain_id, m.market, b.block_number) AS mk
	 WHERE s.kind IN ('lend', 'leverage') AND b.block_number IS NOT NULL;
COMMENT ON VIEW @extschema@.v_lend_positions IS
	'The lend and leverage strategies'' lending positions at their last synced block: supply, debt, collateral, health factor, LTV, liquidation price, and the market''s APYs';
REVOKE ALL ON @extschema@.v_lend_positions FROM PUBLIC;
GRANT SELECT ON @extschema@.v_lend_positions TO amplified_reader;
-- The kind's helpers run inside its slots only.
REVOKE ALL ON FUNCTION @extschema@.strategy_policy_leverage_rules(@extschema@.strategies, jsonb),
	@extschema@.strategy_leverage_carry_forecast(@extschema@.strategies, timestamptz) FROM PUBLIC;
