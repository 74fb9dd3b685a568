-- src/strategy/kinds/lp_univ3.sql: the lp_univ3 kind of strategy, a vault's
-- liquidity on one Uniswap v3 pool, placed by univ3_alm_plan and moved when
-- univ3_alm_should_rebalance says so.  One file holds the kind: its
-- validate, sync, gather and policy functions, its row of strategy_kinds
-- (whose trigger takes EXECUTE on those functions from PUBLIC: the grants
-- follow from the row) and v_univ3_positions, its view of the NFTs.  It
-- reads the pool through univ3's read models and the engine's helpers only.

-- The ALM parameters (univ3_alm_plan) and gate parameters (univ3_alm_should_rebalance) of an lp_univ3 strategy.
CREATE FUNCTION @extschema@.strategy_lp_alm_params(params jsonb)
RETURNS jsonb
LANGUAGE sql IMMUTABLE
RETURN (SELECT coalesce(jsonb_object_agg(key, value), '{}') FROM jsonb_each(params)
		 WHERE key IN ('k', 'min_width', 'limit_width', 'full_range_share', 'peg_tick', 'peg_pull', 'appreciating', 'apr'));

CREATE FUNCTION @extschema@.strategy_lp_gate_params(params jsonb)
RETURNS jsonb
LANGUAGE sql IMMUTABLE
RETURN (SELECT coalesce(jsonb_object_agg(key, value), '{}') FROM jsonb_each(params)
		 WHERE key IN ('min_period_seconds', 'min_tick_move', 'max_twap_deviation', 'boundary_threshold', 'cost_factor'));

-- The keys a regime's settings may hold (the "regimes" parameter: one
-- object per label of the regime model): ALM parameters that replace the
-- strategy's (k, min_width, limit_width, full_range_share), width_factor
-- (multiplies k: the base range's width), limit_order (false: the plan's
-- limit row is not minted) and pause (true: no open and no rebalance).
CREATE FUNCTION @extschema@.strategy_lp_regime_keys()
RETURNS text[]
LANGUAGE sql IMMUTABLE
RETURN ARRAY['k', 'width_factor', 'min_width', 'limit_width', 'full_range_share', 'limit_order', 'pause'];

-- The pool's log-price returns over the last lookback buckets before at,
-- oldest first: the tick at each bucket's end (the last swap or state
-- reading at or before it, univ3_pool_observations) minus the tick at the one before, times ln(1.0001).  What a
-- regime model of an lp_univ3 strategy is conditioned on (regime_feed
-- "pool"), and the series to train it on (with a long lookback).
CREATE FUNCTION @extschema@.strategy_lp_regime_series(chain_id bigint, pool @extschema@.address, at timestamptz,
	bucket interval, lookback int)
RETURNS float8[]
LANGUAGE sql STABLE
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
	WITH t AS (
		SELECT x.at, x.tick, row_number() OVER (ORDER BY x.block_number, x.log_index NULLS LAST) AS o
		  FROM univ3_pool_observations($1, $2, $3 - $4 * $5, $3) x),
	e AS (
		SELECT g, (SELECT t.tick FROM t WHERE t.at <= $3 - ($5 - g) * $4 ORDER BY t.o DESC LIMIT 1) AS tick
		  FROM generate_series(0, $5) g)
	SELECT coalesce(array_agg(r ORDER BY g) FILTER (WHERE r IS NOT NULL), '{}')
	  FROM (SELECT g, (tick - lag(tick) OVER (ORDER BY g)) * ln(1.0001::float8) AS r FROM e) x
$$;
COMMENT ON FUNCTION @extschema@.strategy_lp_regime_series(bigint, @extschema@.address, timestamptz, interval, int) IS
	'a pool''s log-price returns per bucket over the last lookback buckets before a time, oldest first (the series an lp_univ3 regime model reads)';

-- The regime an lp_univ3 strategy decides in: the live model of its
-- regime_project, conditioned on the pool's recent returns (regime_feed
-- "pool") or on the model's own training series ("model").  Never raises
-- for the model's sake: a project without a live model, or a model that
-- errors, gives {"error", "sqlstate"} and the policy falls back to the
-- parameters without regimes.
CREATE FUNCTION @extschema@.strategy_lp_regime(s @extschema@.strategies, at timestamptz)
RETURNS jsonb
LANGUAGE plpgsql
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
DECLARE
	p jsonb := s.params;
	recent float8[];
	r record;
	msg text;
	st text;
BEGIN
	IF p ->> 'regime_project' IS NULL THEN
		RETURN NULL;
	END IF;
	IF p ->> 'regime_feed' = 'pool' THEN
		recent := strategy_lp_regime_series(s.chain_id, (p ->> 'pool')::address, at,
			(p ->> 'regime_bucket')::interval, (p ->> 'regime_lookback')::int);
	END IF;
	BEGIN
		SELECT * INTO STRICT r FROM forecast_regime(p ->> 'regime_project', recent);
	EXCEPTION WHEN OTHERS THEN
		GET STACKED DIAGNOSTICS msg = MESSAGE_TEXT, st = RETURNED_SQLSTATE;
		RETURN jsonb_build_object('project', p ->> 'regime_project', 'feed', p ->> 'regime_feed',
			'observations', cardinality(recent), 'error', msg, 'sqlstate', st);
	END;
	RETURN jsonb_build_object('project', p ->> 'regime_project', 'feed', p ->> 'regime_feed',
		'observations', cardinality(recent), 'model_id', r.model_id, 'state', r.state, 'label', r.label,
		'prob', r.probs[array_position(r.labels, r.label)],
		'probs', to_jsonb(r.probs), 'labels', to_jsonb(r.labels));
END
$$;
COMMENT ON FUNCTION @extschema@.strategy_lp_regime(@extschema@.strategies, timestamptz) IS
	'the regime of an lp_univ3 strategy at a time from its regime_project''s live model: model id, label, probability; or the error that makes the policy fall back';

-- Validate lp_univ3 parameters; token0/token1/fee/tick_spacing and the
-- decimals are read from the chain when not given.
CREATE FUNCTION @extschema@.strategy_validate_lp_univ3(params jsonb, chain_id bigint)
RETURNS jsonb
LANGUAGE plpgsql
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
DECLARE
	p jsonb := params;
	k text := 'lp_univ3';
	pool address;
	d jsonb;
	lbl text;
	rs jsonb;
	rk text;
BEGIN
	PERFORM strategy_check_keys(k, p, ARRAY['pool', 'position_manager', 'swap_router', 'token0', 'token1',
		'fee', 'tick_spacing', 'decimals0', 'decimals1', 'numeraire', 'horizon_days', 'sigma',
		'vol_window_seconds', 'twap_seconds', 'gas_cost', 'swap_cost', 'slippage_bps', 'deadline_seconds',
		'swap', 'min_swap_share', 'apr_window',
		'k', 'min_width', 'limit_width', 'full_range_share', 'peg_tick', 'peg_pull', 'appreciating', 'apr',
		'min_period_seconds', 'min_tick_move', 'max_twap_deviation', 'boundary_threshold', 'cost_factor',
		'regime_project', 'regime_feed', 'regime_bucket', 'regime_lookback', 'regime_min_prob', 'regimes',
		'compound_factor']);
	pool := strategy_param_address(k, p, 'pool');
	IF pool IS NULL THEN
		PERFORM strategy_param_error(k, 'pool', 'the pool address is required');
	END IF;
	IF strategy_param_address(k, p, 'position_manager') IS NULL THEN
		PERFORM strategy_param_error(k, 'position_manager', 'the NonfungiblePositionManager address is required');
	END IF;
	PERFORM strategy_param_address(k, p, 'token0'), strategy_param_address(k, p, 'token1');
	IF p ? 'swap' AND jsonb_typeof(p -> 'swap') <> 'boolean' THEN
		PERFORM strategy_param_error(k, 'swap', 'true or false');
	END IF;
	IF coalesce((p ->> 'swap')::boolean, false) AND strategy_param_address(k, p, 'swap_router') IS NULL THEN
		PERFORM strategy_param_error(k, 'swap_router', 'swap needs the SwapRouter address');
	END IF;
	-- What the pool is, from the chain unless given.
	IF NOT p ? 'token0' THEN p := p || jsonb_build_object('token0', strategy_read_word(chain_id, pool, 'token0()', 'address')); END IF;
	IF NOT p ? 'token1' THEN p := p || jsonb_build_object('token1', strategy_read_word(chain_id, pool, 'token1()', 'address')); END IF;
	IF NOT p ? 'fee' THEN p := p || jsonb_build_object('fee', (strategy_read_word(chain_id, pool, 'fee()', 'uint24') #>> '{}')::int); END IF;
	IF NOT p ? 'tick_spacing' THEN p := p || jsonb_build_object('tick_spacing', (strategy_read_word(chain_id, pool, 'tickSpacing()', 'int24') #>> '{}')::int); END IF;
	IF NOT p ? 'decimals0' THEN p := p || jsonb_build_object('decimals0', (strategy_read_word(chain_id, (p ->> 'token0')::address, 'decimals()', 'uint8') #>> '{}')::int); END IF;
	IF NOT p ? 'decimals1' THEN p := p || jsonb_build_object('decimals1', (strategy_read_word(chain_id, (p ->> 'token1')::address, 'decimals()', 'uint8') #>> '{}')::int); END IF;
	IF (p ->> 'token0')::address >= (p ->> 'token1')::address THEN
		PERFORM strategy_param_error(k, 'token0', 'token0 must sort below token1, as in the pool');
	END IF;
	PERFORM strategy_param_number(k, p, 'fee', 0, 999999), strategy_param_number(k, p, 'tick_spacing', 1, 16384),
		strategy_param_number(k, p, 'decimals0', 0, 77), strategy_param_number(k, p, 'decimals1', 0, 77);
	p := p || jsonb_build_object(
		'numeraire', coalesce(p -> 'numeraire', '"token1"'),
		'horizon_days', coalesce(strategy_param_number(k, p, 'horizon_days', 0.001, 365), 1),
		'vol_window_seconds', coalesce(strategy_param_number(k, p, 'vol_window_seconds', 0, 31536000), 86400),
		'twap_seconds', coalesce(strategy_param_number(k, p, 'twap_seconds', 0, 31536000), 0),
		'gas_cost', coalesce(strategy_param_number(k, p, 'gas_cost', 0, 1e60), 0),
		'swap_cost', coalesce(strategy_param_number(k, p, 'swap_cost', 0, 1e60), 0),
		'slippage_bps', coalesce(strategy_param_number(k, p, 'slippage_bps', 0, 10000), 50),
		'deadline_seconds', coalesce(strategy_param_number(k, p, 'deadline_seconds', 60, 604800), 3600),
		'swap', coalesce(p -> 'swap', 'false'),
		'min_swap_share', coalesce(strategy_param_number(k, p, 'min_swap_share', 0, 1), 0.01),
		'apr_window', coalesce(p -> 'apr_window', '"7 days"'));
	PERFORM strategy_param_number(k, p, 'sigma', 0, 100);
	-- Harvest-and-compound: off when absent (no default).
	PERFORM strategy_param_number(k, p, 'compound_factor', 0, 1e6);
	IF p ->> 'numeraire' NOT IN ('token0', 'token1') THEN
		PERFORM strategy_param_error(k, 'numeraire', 'token0 or token1');
	END IF;
	PERFORM strategy_param_interval(k, p, 'apr_window', '1 minute', '3650 days');
	-- The ALM and gate parameters are checked by the functions that take them.
	d := strategy_lp_alm_params(p);
	IF d ->> 'apr' = 'auto' THEN
		d := d || '{"apr": 0}';
	END IF;
	PERFORM univ3_alm_plan('79228162514264337593543950336', (p ->> 'tick_spacing')::int, 0.01, 1, 1, 1, d);
	PERFORM univ3_alm_should_rebalance(-10, 10, 0, 0, 0, now(), now(), 0, 0, 0, strategy_lp_gate_params(p));
	-- Regimes: a forecast project's live regime model, and per label what changes.
	IF p ? 'regime_project' THEN
		IF jsonb_typeof(p -> 'regime_project') <> 'string' OR p ->> 'regime_project' !~ '^[a-z][a-z0-9_]{0,62}$' THEN
			PERFORM strategy_param_error(k, 'regime_project', 'a forecast project name');
		END IF;
		p := p || jsonb_build_object(
			'regime_feed', coalesce(p -> 'regime_feed', '"pool"'),
			'regime_bucket', coalesce(p -> 'regime_bucket', '"1 hour"'),
			'regime_lookback', coalesce(strategy_param_number(k, p, 'regime_lookback', 2, 100000), 48),
			'regime_min_prob', coalesce(strategy_param_number(k, p, 'regime_min_prob', 0, 1), 0),
			'regimes', coalesce(p -> 'regimes', '{}'));
		IF p ->> 'regime_feed' NOT IN ('pool', 'model') OR jsonb_typeof(p -> 'regime_feed') <> 'string' THEN
			PERFORM strategy_param_error(k, 'regime_feed', '"pool" (the pool''s bucketed returns) or "model" (the model''s own series)');
		END IF;
		PERFORM strategy_param_interval(k, p, 'regime_bucket', '1 minute', '30 days');
		IF (p ->> 'regime_lookback')::numeric <> trunc((p ->> 'regime_lookback')::numeric) THEN
			PERFORM strategy_param_error(k, 'regime_lookback', 'a whole number of buckets');
		END IF;
		IF jsonb_typeof(p -> 'regimes') <> 'object' THEN
			PERFORM strategy_param_error(k, 'regimes', 'an object of settings per regime label');
		END IF;
		FOR lbl, rs IN SELECT key, value FROM jsonb_each(p -> 'regimes') LOOP
			IF length(lbl) NOT BETWEEN 1 AND 63 THEN
				PERFORM strategy_param_error(k, 'regimes', format('"%s" is not a regime label', lbl));
			END IF;
			IF jsonb_typeof(rs) <> 'object' THEN
				PERFORM strategy_param_error(k, format('regimes.%s', lbl), 'an object of settings');
			END IF;
			FOR rk IN SELECT jsonb_object_keys(rs) ORDER BY 1 LOOP
				IF NOT rk = ANY (strategy_lp_regime_keys()) THEN
					PERFORM strategy_param_error(k, format('regimes.%s', lbl),
						format('unknown setting "%s" (settings are %s)', rk, array_to_string(strategy_lp_regime_keys(), ', ')));
				END IF;
			END LOOP;
			FOREACH rk IN ARRAY ARRAY['limit_order', 'pause'] LOOP
				IF rs ? rk AND jsonb_typeof(rs -> rk) <> 'boolean' THEN
					PERFORM strategy_param_error(k, format('regimes.%s.%s', lbl, rk), 'true or false');
				END IF;
			END LOOP;
			PERFORM strategy_param_number(k, rs, 'width_factor', 0.01, 100);
			IF rs ? 'width_factor' AND jsonb_typeof(rs -> 'width_factor') <> 'number' THEN
				PERFORM strategy_param_error(k, format('regimes.%s.width_factor', lbl), 'a number');
			END IF;
			-- Its ALM settings as the plan takes them.
			PERFORM univ3_alm_plan('79228162514264337593543950336', (p ->> 'tick_spacing')::int, 0.01, 1, 1, 1,
				d || (SELECT coalesce(jsonb_object_agg(key, value), '{}') FROM jsonb_each(rs)
					   WHERE key IN ('k', 'min_width', 'limit_width', 'full_range_share')));
		END LOOP;
	ELSIF EXISTS (SELECT 1 FROM jsonb_object_keys(p) x WHERE x LIKE 'regime%') THEN
		PERFORM strategy_param_error(k, 'regime_project', 'the regime parameters need the forecast project of the regime model');
	END IF;
	RETURN p;
END
$$;
COMMENT ON FUNCTION @extschema@.strategy_validate_lp_univ3(jsonb, bigint) IS
	'lp_univ3 parameters checked, with the pool''s tokens, fee, spacing and decimals read from the chain when absent and defaults filled';

-- lp_univ3: the pool's two tokens and the owner's position NFTs on that pool.
-- Owed fees come from collect() simulated from the owner, so they include the
-- fees earned since the position was last touched.
CREATE FUNCTION @extschema@.strategy_sync_lp_univ3(s @extschema@.strategies, block bigint)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
DECLARE
	p jsonb := s.params;
	npm address := (p ->> 'position_manager')::address;
	n int;
	i int;
	tid numeric;
	pos jsonb;
	owed jsonb;
	max128 text := '340282366920938463463374607431768211455';
BEGIN
	PERFORM strategy_require_block(s.chain_id, block);
	PERFORM strategy_clear_positions(s.id);
	PERFORM strategy_sync_tokens(s, block, ARRAY[(p ->> 'token0')::address, (p ->> 'token1')::address],
		ARRAY[npm] || CASE WHEN p ? 'swap_router' THEN ARRAY[(p ->> 'swap_router')::address] ELSE '{}' END);
	n := (abi_decode('(uint256)', strategy_eth_call(s.chain_id, s.owner, npm,
			abi_encode_call('balanceOf(address)', jsonb_build_array(s.owner::text)), block)) ->> 0)::int;
	FOR i IN 0 .. n - 1 LOOP
		tid := (abi_decode('(uint256)', strategy_eth_call(s.chain_id, s.owner, npm,
				abi_encode_call('tokenOfOwnerByIndex(address,uint256)', jsonb_build_array(s.owner::text, i)), block)) ->> 0)::numeric;
		pos := abi_decode('(uint96,address,address,address,uint24,int24,int24,uint128,uint256,uint256,uint128,uint128)',
				strategy_eth_call(s.chain_id, s.owner, npm,
					abi_encode_call('positions(uint256)', jsonb_build_array(tid::text)), block));
		CONTINUE WHEN (pos ->> 2)::address <> (p ->> 'token0')::address
			OR (pos ->> 3)::address <> (p ->> 'token1')::address
			OR (pos ->> 4)::int <> (p ->> 'fee')::int;
		owed := abi_decode('(uint256,uint256)', strategy_eth_call(s.chain_id, s.owner, npm,
				abi_encode_call('collect((uint256,address,uint128,uint128))',
					jsonb_build_array(jsonb_build_array(tid::text, s.owner::text, max128, max128))), block));
		PERFORM strategy_put_position(s.id, block, ROW('univ3', npm, tid, (pos ->> 7)::int256,
			jsonb_build_object('pool', p ->> 'pool', 'token0', pos ->> 2, 'token1', pos ->> 3, 'fee', (pos ->> 4)::int,
							   'tick_lower', (pos ->> 5)::int, 'tick_upper', (pos ->> 6)::int,
							   'owed0', owed ->> 0, 'owed1', owed ->> 1)));
	END LOOP;
END
$$;
COMMENT ON FUNCTION @extschema@.strategy_sync_lp_univ3(@extschema@.strategies, bigint) IS
	'lp_univ3 positions at a block: the pool''s token balances and allowances, the owner''s NFTs on the pool with liquidity and owed fees';

-- lp_univ3 state: pool, TWAP and volatility, holdings, the range being watched.
CREATE FUNCTION @extschema@.strategy_gather_lp_univ3(s @extschema@.strategies, block bigint)
RETURNS jsonb
LANGUAGE plpgsql
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
DECLARE
	p jsonb := s.params;
	v_pool address := (p ->> 'pool')::address;
	npm address := (p ->> 'position_manager')::address;
	t0 address := (p ->> 'token0')::address;
	t1 address := (p ->> 'token1')::address;
	v_at timestamptz := ingest_block_time(s.chain_id, block);
	ps record;
	st record;
	w0 record;
	w1 record;
	ra0 uint256 := '0';
	ra1 uint256 := '0';
	nfts jsonb;
	last_d decisions;
	apr float8;
	window_s float8 := greatest((p ->> 'twap_seconds')::float8, (p ->> 'vol_window_seconds')::float8);
	h0 numeric;
	h1 numeric;
	price numeric;
	owed0 numeric;
	owed1 numeric;
	num_is_1 boolean := p ->> 'numeraire' = 'token1';
	price0 numeric;
	price1 numeric;
	rate0 numeric;
	rate1 numeric;
	fees_token1 numeric;
BEGIN
	SELECT * INTO ps FROM univ3_pool_state_at(s.chain_id, v_pool, block);
	IF ps.sqrt_price IS NULL THEN
		RAISE EXCEPTION 'no ingested state of pool % at or before block %', v_pool, block
			USING ERRCODE = 'object_not_in_prerequisite_state',
				  HINT = 'Watch the pool with amplified.watch_contract(..., kind => ''univ3_pool'', read_every => N).';
	END IF;
	SELECT * INTO st FROM strategy_tick_stats(
		coalesce((SELECT array_agg(t.at ORDER BY t.at, t.block_number, t.log_index NULLS FIRST)
					FROM univ3_pool_ticks(s.chain_id, v_pool, v_at - make_interval(secs => window_s), v_at) t), '{}'),
		coalesce((SELECT array_agg(t.tick ORDER BY t.at, t.block_number, t.log_index NULLS FIRST)
					FROM univ3_pool_ticks(s.chain_id, v_pool, v_at - make_interval(secs => window_s), v_at) t), '{}'),
		v_at, (p ->> 'twap_seconds')::float8, (p ->> 'vol_window_seconds')::float8);
	SELECT * INTO w0 FROM strategy_wallet(s.id, t0, npm);
	SELECT * INTO w1 FROM strategy_wallet(s.id, t1, npm);
	IF p ? 'swap_router' THEN
		ra0 := (SELECT x.allowance FROM strategy_wallet(s.id, t0, (p ->> 'swap_router')::address) x);
		ra1 := (SELECT x.allowance FROM strategy_wallet(s.id, t1, (p ->> 'swap_router')::address) x);
	END IF;
	SELECT coalesce(jsonb_agg(jsonb_build_object(
			'token_id', x.position_id::text, 'tick_lower', (x.detail ->> 'tick_lower')::int,
			'tick_upper', (x.detail ->> 'tick_upper')::int,
			'liquidity', x.amount::text, 'owed0', x.detail ->> 'owed0', 'owed1', x.detail ->> 'owed1',
			'amount0', a.amount0::text, 'amount1', a.amount1::text) ORDER BY x.position_id), '[]')
	  INTO nfts
	  FROM strategy_positions(s.id, 'univ3') x
	 CROSS JOIN LATERAL univ3_amounts_for_liquidity(ps.sqrt_price, univ3_sqrt_price_at_tick((x.detail ->> 'tick_lower')::int),
			univ3_sqrt_price_at_tick((x.detail ->> 'tick_upper')::int), x.amount::uint256) a
	 WHERE (x.detail ->> 'pool')::address = v_pool;
	SELECT * INTO last_d FROM decisions d
	 WHERE d.strategy_id = s.id AND d.status = 'enqueued' AND d.action IN ('open', 'rebalance')
	 ORDER BY d.id DESC LIMIT 1;
	-- The appreciating token's APR, when asked for ("apr": "auto").
	IF p ->> 'apr' = 'auto' AND p ->> 'appreciating' IN ('token0', 'token1') THEN
		apr := yield_apr_window(s.chain_id, CASE WHEN p ->> 'appreciating' = 'token0' THEN t0 ELSE t1 END,
								(p ->> 'apr_window')::interval, v_at);
	END IF;
	-- Expected fee gain for the cost gate: the pool's fees over the volatility
	-- window (in token1 raw units), scaled to the horizon.
	fees_token1 := univ3_pool_fees_token1(s.chain_id, v_pool, (p ->> 'fee')::int,
		v_at - make_interval(secs => (p ->> 'vol_window_seconds')::float8), block);

	-- Valuation, in the numeraire's whole units.
	owed0 := coalesce((SELECT sum((n ->> 'owed0')::numeric) FROM jsonb_array_elements(nfts) n), 0);
	owed1 := coalesce((SELECT sum((n ->> 'owed1')::numeric) FROM jsonb_array_elements(nfts) n), 0);
	h0 := w0.amount::numeric + owed0 + coalesce((SELECT sum((n ->> 'amount0')::numeric) FROM jsonb_array_elements(nfts) n), 0);
	h1 := w1.amount::numeric + owed1 + coalesce((SELECT sum((n ->> 'amount1')::numeric) FROM jsonb_array_elements(nfts) n), 0);
	price := strategy_price1per0(ps.sqrt_price, (p ->> 'decimals0')::int, (p ->> 'decimals1')::int);
	price0 := CASE WHEN num_is_1 THEN price ELSE 1 END;
	price1 := CASE WHEN num_is_1 THEN 1 ELSE 1 / price END;
	-- The staking yield of the pool's LST, valued 1:1 with the other token
	-- (its underlying, as in an LST/WETH pool): only the token that is not
	-- the numeraire accrues.
	rate0 := CASE WHEN num_is_1 THEN token_lst_rate_at(s.chain_id, t0, block)::numeric END;
	rate1 := CASE WHEN NOT num_is_1 THEN token_lst_rate_at(s.chain_id, t1, block)::numeric END;
	RETURN jsonb_build_object(
		'kind', 'lp_univ3', 'block_number', block, 'at', v_at,
		'pool', jsonb_build_object('address', v_pool::text, 'block_number', ps.block_number,
			'sqrt_price', ps.sqrt_price::text, 'tick', ps.tick, 'liquidity', ps.liquidity::text,
			'fee', (p ->> 'fee')::int, 'tick_spacing', (p ->> 'tick_spacing')::int),
		'twap_tick', coalesce(st.twap_tick, ps.tick),
		'sigma', coalesce((p ->> 'sigma')::float8, st.sigma),
		'apr', apr,
		'expected_fees_token1', coalesce(fees_token1, 0),
		'wallet', jsonb_build_object('amount0', w0.amount::text, 'amount1', w1.amount::text,
			'allowance0', w0.allowance::text, 'allowance1', w1.allowance::text,
			'router_allowance0', ra0::text, 'router_allowance1', ra1::text),
		'nfts', nfts,
		'last_rebalance', CASE WHEN last_d.id IS NOT NULL THEN jsonb_build_object(
			'decision_id', last_d.id, 'at', last_d.chain_time, 'tick', last_d.inputs -> 'pool' -> 'tick',
			'base', (SELECT r FROM jsonb_array_elements(last_d.plan -> 'rows') r WHERE r ->> 'role' = 'base' LIMIT 1)) END,
		'valuation', strategy_valuation_json(CASE WHEN num_is_1 THEN t1 ELSE t0 END,
			CASE WHEN num_is_1
				 THEN h1 / 10::numeric ^ (p ->> 'decimals1')::int + h0 / 10::numeric ^ (p ->> 'decimals0')::int * price
				 ELSE h0 / 10::numeric ^ (p ->> 'decimals0')::int + h1 / 10::numeric ^ (p ->> 'decimals1')::int / price END,
			-- The wallet's two tokens, then each NFT's two amounts (owed fees included).
			ARRAY[ROW(t0, 'wallet', w0.amount::numeric, (p ->> 'decimals0')::int, price0, 0, rate0,
					  CASE WHEN rate0 IS NOT NULL THEN 'staking' END, NULL, NULL, NULL, NULL)::strategy_holding,
				  ROW(t1, 'wallet', w1.amount::numeric, (p ->> 'decimals1')::int, price1, 0, rate1,
					  CASE WHEN rate1 IS NOT NULL THEN 'staking' END, NULL, NULL, NULL, NULL)::strategy_holding]
			|| ARRAY(SELECT ROW(l.asset, 'univ3:' || (n ->> 'token_id'), l.amount + l.owed, l.decimals, l.price, l.owed,
								l.rate, CASE WHEN l.rate IS NOT NULL THEN 'staking' END, (n ->> 'liquidity')::numeric,
								(n ->> 'tick_lower')::int, (n ->> 'tick_upper')::int, ps.sqrt_price::numeric)::strategy_holding
					   FROM jsonb_array_elements(nfts) WITH ORDINALITY AS e(n, o)
					  CROSS JOIN LATERAL (VALUES
							(1, t0, (n ->> 'amount0')::numeric, (n ->> 'owed0')::numeric, (p ->> 'decimals0')::int, price0, rate0),
							(2, t1, (n ->> 'amount1')::numeric, (n ->> 'owed1')::numeric, (p ->> 'decimals1')::int, price1, rate1))
							AS l(leg, asset, amount, owed, decimals, price, rate)
					  ORDER BY e.o, l.leg)))
		-- The regime, when the strategy has a regime model (its own errors
		-- included); null when it has none.
		|| jsonb_build_object('regime', CASE WHEN p ? 'regime_project' THEN strategy_lp_regime(s, v_at) END);
END
$$;
COMMENT ON FUNCTION @extschema@.strategy_gather_lp_univ3(@extschema@.strategies, bigint) IS
	'inputs of an lp_univ3 decision at a block: pool state, TWAP tick and volatility, wallet, NFTs, last rebalance, valuation';

-- An amount in token1 raw units (the unit of gas_cost, swap_cost and the
-- pool's fees) in whole units of an lp_univ3 strategy's numeraire at a
-- sqrt price.
CREATE FUNCTION @extschema@.strategy_lp_token1_in_numeraire(params jsonb, sqrt_price @extschema@.uint256, raw1 numeric)
RETURNS numeric
LANGUAGE sql IMMUTABLE
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
	SELECT raw1 / 10::numeric ^ (params ->> 'decimals1')::int
		   * CASE WHEN params ->> 'numeraire' = 'token1' THEN 1
				  ELSE 1 / strategy_price1per0(sqrt_price, (params ->> 'decimals0')::int, (params ->> 'decimals1')::int) END
$$;
COMMENT ON FUNCTION @extschema@.strategy_lp_token1_in_numeraire(jsonb, @extschema@.uint256, numeric) IS
	'an amount of token1 raw units in whole units of an lp_univ3 strategy''s numeraire at a sqrt price';

-- What the pool's recent fees (expected_fees_token1 of the state, over
-- vol_window_seconds) would pay liquidity added_l over the horizon
-- (horizon_days) beside the pool's other active liquidity, in token1 raw
-- units: the expected gain of a range, as the rebalance gate counts it.
CREATE FUNCTION @extschema@.strategy_lp_expected_fees(params jsonb, state jsonb, added_l numeric, other_l numeric)
RETURNS numeric
LANGUAGE sql IMMUTABLE
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
	SELECT coalesce((state ->> 'expected_fees_token1')::numeric, 0) * added_l / greatest(added_l + other_l, 1)
		   * (params ->> 'horizon_days')::numeric * 86400 / greatest((params ->> 'vol_window_seconds')::numeric, 1)
$$;
COMMENT ON FUNCTION @extschema@.strategy_lp_expected_fees(jsonb, jsonb, numeric, numeric) IS
	'token1 raw units the pool''s recent fees would pay added liquidity beside the other active liquidity over horizon_days';

-- The approvals for a spender to take `need` of a token when the allowance
-- is short: approve(need), preceded by approve(0) when the allowance is
-- not zero (tokens such as USDT refuse to change one non-zero allowance
-- into another).  An empty array when the allowance is enough.
CREATE FUNCTION @extschema@.strategy_lp_approvals(token @extschema@.address, spender @extschema@.address,
	allowance @extschema@.uint256, need @extschema@.uint256)
RETURNS jsonb
LANGUAGE sql IMMUTABLE
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
	SELECT CASE WHEN need::numeric <= 0 OR coalesce(allowance::numeric, 0) >= need::numeric THEN '[]'::jsonb
				WHEN coalesce(allowance::numeric, 0) > 0
				THEN jsonb_build_array(strategy_approve_intent(token, spender, '0'::uint256),
									   strategy_approve_intent(token, spender, need))
				ELSE jsonb_build_array(strategy_approve_intent(token, spender, need)) END
$$;
COMMENT ON FUNCTION @extschema@.strategy_lp_approvals(@extschema@.address, @extschema@.address, @extschema@.uint256, @extschema@.uint256) IS
	'the approve intents a spender needs to take an amount of a token: none when the allowance suffices, approve(0) first when it is non-zero (USDT-style tokens)';

-- lp_univ3's harvest-and-compound, asked for when the policy holds and the
-- strategy has compound_factor: the fees owed on the NFTs that hold
-- liquidity would add liquidity l_add to the base range (the NFT with the
-- most liquidity, the watched range when given); the gain of compounding
-- is what that added liquidity is expected to earn over the horizon
-- (strategy_lp_expected_fees, as the rebalance gate counts a range's
-- gain), in the numeraire.  When gain > compound_factor x gas_cost (both
-- in the numeraire): collect each such NFT's fees and increaseLiquidity
-- with them, approvals first when the position manager's allowance is
-- short (approve 0 first when it is non-zero).  NULL when the gain does
-- not beat the threshold (the policy then holds with reason
-- compound_below_threshold); a hold with reason compound_fees_unbalanced
-- when the fees add no liquidity to the range (one token's fees alone, the
-- price in range).
CREATE FUNCTION @extschema@.strategy_lp_compound(s @extschema@.strategies, state jsonb, base jsonb, reasons text[])
RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
DECLARE
	p jsonb := s.params;
	npm address := (p ->> 'position_manager')::address;
	slip int := (p ->> 'slippage_bps')::int;
	sqrt_p uint256 := (state -> 'pool' ->> 'sqrt_price')::uint256;
	deadline bigint := extract(epoch FROM (state ->> 'at')::timestamptz)::bigint + (p ->> 'deadline_seconds')::bigint;
	max128 text := '340282366920938463463374607431768211455';
	owed0 numeric;
	owed1 numeric;
	fees1 numeric;
	threshold numeric;
	target jsonb;
	sa uint256;
	sb uint256;
	l_add uint256;
	use record;
	intents jsonb := '[]';
	n jsonb;
	gain numeric;
	gas numeric;
BEGIN
	SELECT coalesce(sum((x ->> 'owed0')::numeric), 0), coalesce(sum((x ->> 'owed1')::numeric), 0) INTO owed0, owed1
	  FROM jsonb_array_elements(state -> 'nfts') x WHERE (x ->> 'liquidity')::numeric > 0;
	-- token1 raw per token0 raw is sqrt_price^2 / 2^192
	fees1 := owed1 + owed0 * (sqrt_p::numeric / 79228162514264337593543950336) ^ 2;
	IF fees1 <= 0 THEN
		RETURN NULL;
	END IF;
	SELECT x INTO target FROM jsonb_array_elements(state -> 'nfts') x
	 WHERE (x ->> 'liquidity')::numeric > 0
	 ORDER BY ((x ->> 'tick_lower')::int = (base ->> 'tick_lower')::int AND (x ->> 'tick_upper')::int = (base ->> 'tick_upper')::int) DESC,
			  (x ->> 'liquidity')::numeric DESC, (x ->> 'token_id')::numeric LIMIT 1;
	sa := univ3_sqrt_price_at_tick((target ->> 'tick_lower')::int);
	sb := univ3_sqrt_price_at_tick((target ->> 'tick_upper')::int);
	l_add := univ3_liquidity_for_amounts(sqrt_p, sa, sb, owed0::uint256, owed1::uint256);
	SELECT * INTO use FROM univ3_amounts_for_liquidity(sqrt_p, sa, sb, l_add);
	-- In range, liquidity takes both tokens: fees of one side alone add none.
	IF l_add = 0 THEN
		RETURN jsonb_build_object('action', 'hold', 'reasons', to_jsonb(reasons || 'compound_fees_unbalanced'::text),
			'intents', '[]'::jsonb);
	END IF;
	-- The benefit: the fees the added liquidity earns over the horizon.
	gain := strategy_lp_token1_in_numeraire(p, sqrt_p,
		strategy_lp_expected_fees(p, state, l_add::numeric, (state -> 'pool' ->> 'liquidity')::numeric));
	gas := strategy_lp_token1_in_numeraire(p, sqrt_p, (p ->> 'gas_cost')::numeric);
	threshold := (p ->> 'compound_factor')::numeric * gas;
	IF gain <= threshold THEN
		RETURN NULL;
	END IF;
	FOR n IN SELECT x FROM jsonb_array_elements(state -> 'nfts') x
			  WHERE (x ->> 'liquidity')::numeric > 0 AND ((x ->> 'owed0')::numeric > 0 OR (x ->> 'owed1')::numeric > 0)
			  ORDER BY (x ->> 'token_id')::numeric LOOP
		intents := intents || jsonb_build_array(strategy_intent('collect', npm,
			abi_encode_call('collect((uint256,address,uint128,uint128))',
				jsonb_build_array(jsonb_build_array(n ->> 'token_id', s.owner::text, max128, max128))),
			format('collect the fees of position %s (%s of token0, %s of token1)', n ->> 'token_id', n ->> 'owed0', n ->> 'owed1')));
	END LOOP;
	intents := intents
		|| strategy_lp_approvals((p ->> 'token0')::address, npm, (state -> 'wallet' ->> 'allowance0')::uint256, owed0::uint256)
		|| strategy_lp_approvals((p ->> 'token1')::address, npm, (state -> 'wallet' ->> 'allowance1')::uint256, owed1::uint256);
	intents := intents || jsonb_build_array(strategy_intent('increase_liquidity', npm,
		abi_encode_call('increaseLiquidity((uint256,uint256,uint256,uint256,uint256,uint256))',
			jsonb_build_array(jsonb_build_array(target ->> 'token_id', owed0::text, owed1::text,
				strategy_amount_min(use.amount0, slip)::text, strategy_amount_min(use.amount1, slip)::text, deadline))),
		format('compound %s of token0 and %s of token1 into position %s [%s, %s) (liquidity +%s)', owed0, owed1,
			   target ->> 'token_id', target ->> 'tick_lower', target ->> 'tick_upper', l_add)));
	RETURN jsonb_build_object('action', 'compound', 'reasons', to_jsonb(reasons || 'compound_gain_beats_gas'::text),
		'plan', jsonb_build_object('token_id', target ->> 'token_id', 'tick_lower', (target ->> 'tick_lower')::int,
			'tick_upper', (target ->> 'tick_upper')::int, 'owed0', owed0::text, 'owed1', owed1::text,
			'fees_token1', fees1, 'gain', gain, 'threshold', threshold, 'compound_factor', (p ->> 'compound_factor')::numeric,
			'liquidity_added', l_add::text, 'amount0', use.amount0::text, 'amount1', use.amount1::text,
			'expected', jsonb_build_object('gain', gain, 'horizon', make_interval(secs => (p ->> 'horizon_days')::float8 * 86400),
				'gas_cost', gas, 'swap_cost', 0)),
		'intents', intents,
		'proposal', jsonb_build_object('action', 'compound', 'reduces_risk', false,
			'value', (state -> 'valuation' ->> 'value')::numeric,
			'turnover', strategy_lp_token1_in_numeraire(p, sqrt_p, fees1),
			'slippage_bps', slip, 'assets', jsonb_build_array(p ->> 'token0', p ->> 'token1'), 'chain_id', s.chain_id));
END
$$;
COMMENT ON FUNCTION @extschema@.strategy_lp_compound(@extschema@.strategies, jsonb, jsonb, text[]) IS
	'lp_univ3 harvest-and-compound: collect the owed fees and add them to the base range when what the added liquidity earns over the horizon beats compound_factor x gas_cost; NULL below';

-- lp_univ3: place the vault's liquidity with univ3_alm_plan; move it when
-- univ3_alm_should_rebalance says so.
CREATE FUNCTION @extschema@.strategy_policy_lp_univ3(s @extschema@.strategies, state jsonb)
RETURNS jsonb
LANGUAGE plpgsql
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
DECLARE
	p jsonb := s.params;
	npm address := (p ->> 'position_manager')::address;
	t0 address := (p ->> 'token0')::address;
	t1 address := (p ->> 'token1')::address;
	fee int := (p ->> 'fee')::int;
	spacing int := (p ->> 'tick_spacing')::int;
	slip int := (p ->> 'slippage_bps')::int;
	sqrt_p uint256 := (state -> 'pool' ->> 'sqrt_price')::uint256;
	tick int := (state -> 'pool' ->> 'tick')::int;
	at timestamptz := (state ->> 'at')::timestamptz;
	deadline bigint := extract(epoch FROM (state ->> 'at')::timestamptz)::bigint + (p ->> 'deadline_seconds')::bigint;
	alm jsonb := strategy_lp_alm_params(p);
	n jsonb;
	base jsonb;
	gate record;
	action text;
	reasons text[];
	intents jsonb := '[]';
	h0 uint256 := (state -> 'wallet' ->> 'amount0')::uint256;
	h1 uint256 := (state -> 'wallet' ->> 'amount1')::uint256;
	active_l uint256 := (state -> 'pool' ->> 'liquidity')::uint256;
	plan_price uint256;
	plan jsonb;
	sw record;
	swap_info jsonb;
	need0 uint256;
	need1 uint256;
	r jsonb;
	last_tick int;
	last_at timestamptz;
	has_liquidity boolean;
	expected_gain float8;
	turnover numeric;
	swap_cost numeric := 0;
	price numeric;
	max128 text := '340282366920938463463374607431768211455';
	regime jsonb;
	regime_reason text;
	rset jsonb := '{}';
	dropped jsonb;
	compound jsonb;
	minted_l numeric;
BEGIN
	IF p ->> 'apr' = 'auto' THEN
		alm := alm || jsonb_build_object('apr', coalesce(greatest((state ->> 'apr')::float8, 0), 0));
	END IF;
	-- The regime's settings (regimes.<label>) when the model answered with
	-- enough confidence; else the parameters as they are (the reason says
	-- which: regime:<label>, regime_uncertain:<label>, regime_unavailable).
	IF p ? 'regime_project' THEN
		regime := state -> 'regime';
		IF regime IS NULL OR jsonb_typeof(regime) <> 'object' OR regime ? 'error' OR regime ->> 'label' IS NULL THEN
			regime_reason := 'regime_unavailable';
		ELSIF coalesce((regime ->> 'prob')::float8, 0) < (p ->> 'regime_min_prob')::float8 THEN
			regime_reason := 'regime_uncertain:' || (regime ->> 'label');
		ELSE
			regime_reason := 'regime:' || (regime ->> 'label');
			rset := coalesce(p -> 'regimes' -> (regime ->> 'label'), '{}');
			alm := alm || (SELECT coalesce(jsonb_object_agg(key, value), '{}') FROM jsonb_each(rset)
							WHERE key IN ('k', 'min_width', 'limit_width', 'full_range_share'));
			IF rset ? 'width_factor' THEN
				alm := alm || jsonb_build_object('k', coalesce((alm ->> 'k')::float8, 2) * (rset ->> 'width_factor')::float8);
			END IF;
		END IF;
	END IF;
	has_liquidity := EXISTS (SELECT 1 FROM jsonb_array_elements(state -> 'nfts') x WHERE (x ->> 'liquidity')::numeric > 0);
	-- The decision's time is in its inputs (decided_at, the engine's): a
	-- policy reads no clock, so a replay sees what the decision saw.
	IF strategy_state_stale(state, p) THEN
		action := 'hold';
		reasons := ARRAY['stale_chain_data'];
	ELSIF NOT has_liquidity THEN
		IF h0 = 0 AND h1 = 0 AND jsonb_array_length(state -> 'nfts') = 0 THEN
			action := 'hold';
			reasons := ARRAY['empty_vault'];
		ELSE
			action := 'open';
			reasons := ARRAY['no_position'];
		END IF;
	ELSE
		-- The range watched: the base of the last plan while its NFT holds
		-- liquidity, else the NFT with the most liquidity.
		base := state -> 'last_rebalance' -> 'base';
		IF base IS NULL OR NOT EXISTS (SELECT 1 FROM jsonb_array_elements(state -> 'nfts') x
										WHERE (x ->> 'tick_lower')::int = (base ->> 'tick_lower')::int
										  AND (x ->> 'tick_upper')::int = (base ->> 'tick_upper')::int
										  AND (x ->> 'liquidity')::numeric > 0) THEN
			SELECT x INTO base FROM jsonb_array_elements(state -> 'nfts') x
			 ORDER BY (x ->> 'liquidity')::numeric DESC, (x ->> 'token_id')::numeric LIMIT 1;
		END IF;
		last_tick := coalesce((state -> 'last_rebalance' ->> 'tick')::int,
							  ((base ->> 'tick_lower')::int + (base ->> 'tick_upper')::int) / 2);
		last_at := coalesce((state -> 'last_rebalance' ->> 'at')::timestamptz, '1970-01-01Z');
		-- Fees the new range would earn: its share of the pool's recent fees.
		-- (The cost gate applies only when a cost is set, as in univ3_backtest.)
		expected_gain := (state ->> 'expected_fees_token1')::float8
			* (base ->> 'liquidity')::float8 / greatest(active_l::numeric::float8, 1)
			* (p ->> 'horizon_days')::float8 * 86400 / greatest((p ->> 'vol_window_seconds')::float8, 1);
		IF (p ->> 'gas_cost')::float8 + (p ->> 'swap_cost')::float8 = 0 THEN
			expected_gain := greatest(expected_gain, 1);
		END IF;
		SELECT * INTO gate FROM univ3_alm_should_rebalance((base ->> 'tick_lower')::int, (base ->> 'tick_upper')::int,
			tick, (state ->> 'twap_tick')::int, last_tick, last_at, at, expected_gain,
			(p ->> 'gas_cost')::float8, (p ->> 'swap_cost')::float8, strategy_lp_gate_params(p));
		action := CASE WHEN gate.rebalance THEN 'rebalance' ELSE 'hold' END;
		reasons := gate.reasons;
	END IF;

	IF regime_reason IS NOT NULL THEN
		reasons := reasons || regime_reason;
		-- A paused regime neither opens nor moves the range.
		IF action IN ('open', 'rebalance') AND coalesce((rset ->> 'pause')::boolean, false) THEN
			reasons := reasons || ('regime_pause:' || action);
			action := 'hold';
		END IF;
	END IF;

	-- Holding a range: harvest-and-compound when asked for (compound_factor)
	-- and the fees beat the gas by that factor.
	IF action = 'hold' AND has_liquidity AND p ? 'compound_factor' AND NOT 'stale_chain_data' = ANY (reasons)
	   AND NOT EXISTS (SELECT 1 FROM unnest(reasons) x WHERE x LIKE 'regime_pause:%') THEN
		compound := strategy_lp_compound(s, state, base, reasons);
		IF compound IS NOT NULL THEN
			RETURN compound;
		END IF;
		reasons := reasons || 'compound_below_threshold'::text;
	END IF;

	IF action = 'hold' THEN
		RETURN jsonb_build_object('action', action, 'reasons', to_jsonb(reasons), 'intents', '[]'::jsonb)
			|| CASE WHEN regime_reason IS NOT NULL
					THEN jsonb_build_object('plan', jsonb_build_object('regime', regime, 'regime_settings', rset))
					ELSE '{}' END;
	END IF;

	-- Withdraw everything: decreaseLiquidity, collect, burn per NFT.
	FOR n IN SELECT x FROM jsonb_array_elements(state -> 'nfts') x ORDER BY (x ->> 'token_id')::numeric LOOP
		IF (n ->> 'liquidity')::numeric > 0 THEN
			intents := intents || jsonb_build_array(strategy_intent('decrease_liquidity', npm,
				abi_encode_call('decreaseLiquidity((uint256,uint128,uint256,uint256,uint256))',
					jsonb_build_array(jsonb_build_array(n ->> 'token_id', n ->> 'liquidity',
						strategy_amount_min((n ->> 'amount0')::uint256, slip)::text,
						strategy_amount_min((n ->> 'amount1')::uint256, slip)::text, deadline))),
				format('withdraw liquidity %s of position %s [%s, %s)', n ->> 'liquidity', n ->> 'token_id',
					   n ->> 'tick_lower', n ->> 'tick_upper')));
			IF tick >= (n ->> 'tick_lower')::int AND tick < (n ->> 'tick_upper')::int THEN
				active_l := active_l - least((n ->> 'liquidity')::numeric, active_l::numeric)::uint256;
			END IF;
		END IF;
		intents := intents || jsonb_build_array(
			strategy_intent('collect', npm,
				abi_encode_call('collect((uint256,address,uint128,uint128))',
					jsonb_build_array(jsonb_build_array(n ->> 'token_id', s.owner::text, max128, max128))),
				format('collect tokens and fees of position %s', n ->> 'token_id')),
			strategy_intent('burn', npm, abi_encode_call('burn(uint256)', jsonb_build_array(n ->> 'token_id')),
				format('burn position %s', n ->> 'token_id')));
		h0 := h0 + (n ->> 'amount0')::uint256 + (n ->> 'owed0')::uint256;
		h1 := h1 + (n ->> 'amount1')::uint256 + (n ->> 'owed1')::uint256;
	END LOOP;

	plan_price := sqrt_p;
	SELECT jsonb_agg(to_jsonb(x)) INTO plan
	  FROM univ3_alm_plan(plan_price, spacing, (state ->> 'sigma')::float8, (p ->> 'horizon_days')::float8, h0, h1, alm) x;

	-- Optionally swap toward the base range's ratio first, so that less waits in a limit order.
	IF (p ->> 'swap')::boolean AND active_l > 0 THEN
		-- The base range does not depend on the amounts, but a one-sided vault
		-- gets none: ask the plan of the same value held on both sides.
		price := strategy_price1per0(sqrt_p, 0, 0);
		SELECT to_jsonb(x) INTO r
		  FROM univ3_alm_plan(sqrt_p, spacing, (state ->> 'sigma')::float8, (p ->> 'horizon_days')::float8,
				floor(h0::numeric + h1::numeric / price)::uint256, floor(h1::numeric + h0::numeric * price)::uint256, alm) x
		 WHERE x.role IN ('base', 'full_range')
		 ORDER BY x.role = 'base' DESC LIMIT 1;
		IF r IS NOT NULL THEN
			SELECT * INTO sw FROM strategy_lp_swap(sqrt_p, active_l, fee, (r ->> 'tick_lower')::int,
				(r ->> 'tick_upper')::int, h0, h1);
			IF sw.amount_in > 0 AND
			   (CASE WHEN sw.zero_for_one THEN sw.amount_in::numeric * price ELSE sw.amount_in::numeric END)
				 >= (p ->> 'min_swap_share')::numeric * (h1::numeric + h0::numeric * price) THEN
				need0 := strategy_amount_min(sw.amount_out, slip);
				intents := intents || strategy_lp_approvals(CASE WHEN sw.zero_for_one THEN t0 ELSE t1 END,
					(p ->> 'swap_router')::address,
					(state -> 'wallet' ->> CASE WHEN sw.zero_for_one THEN 'router_allowance0' ELSE 'router_allowance1' END)::uint256,
					sw.amount_in);
				intents := intents || jsonb_build_array(strategy_intent('swap', (p ->> 'swap_router')::address,
					abi_encode_call('exactInputSingle((address,address,uint24,address,uint256,uint256,uint256,uint160))',
						jsonb_build_array(jsonb_build_array(
							CASE WHEN sw.zero_for_one THEN t0 ELSE t1 END::text,
							CASE WHEN sw.zero_for_one THEN t1 ELSE t0 END::text,
							fee, s.owner::text, deadline, sw.amount_in::text, need0::text, '0'))),
					format('swap %s of %s for at least %s', sw.amount_in, CASE WHEN sw.zero_for_one THEN t0 ELSE t1 END, need0)));
				swap_info := jsonb_build_object('zero_for_one', sw.zero_for_one, 'amount_in', sw.amount_in::text,
					'amount_out', sw.amount_out::text, 'amount_out_min', need0::text,
					'sqrt_price_after', sw.sqrt_price_after::text);
				IF sw.zero_for_one THEN
					h0 := h0 - sw.amount_in;
					h1 := h1 + need0;
				ELSE
					h1 := h1 - sw.amount_in;
					h0 := h0 + need0;
				END IF;
				plan_price := sw.sqrt_price_after;
				SELECT jsonb_agg(to_jsonb(x)) INTO plan
				  FROM univ3_alm_plan(plan_price, spacing, (state ->> 'sigma')::float8, (p ->> 'horizon_days')::float8, h0, h1, alm) x;
			END IF;
		END IF;
	END IF;

	-- A regime without limit orders: the plan's limit row is not minted
	-- (what it would hold stays in the wallet).
	IF rset ->> 'limit_order' = 'false' THEN
		SELECT x INTO dropped FROM jsonb_array_elements(plan) x WHERE x ->> 'role' = 'limit';
		plan := (SELECT coalesce(jsonb_agg(x ORDER BY o), '[]') FROM jsonb_array_elements(plan) WITH ORDINALITY e(x, o)
				  WHERE x ->> 'role' <> 'limit');
	END IF;

	-- Approvals for what the mints take, then the mints.
	SELECT coalesce(sum((x ->> 'amount0')::numeric), 0)::uint256, coalesce(sum((x ->> 'amount1')::numeric), 0)::uint256
	  INTO need0, need1
	  FROM jsonb_array_elements(plan) x WHERE x ->> 'role' <> 'idle';
	intents := intents || strategy_lp_approvals(t0, npm, (state -> 'wallet' ->> 'allowance0')::uint256, need0)
		|| strategy_lp_approvals(t1, npm, (state -> 'wallet' ->> 'allowance1')::uint256, need1);
	FOR r IN SELECT x FROM jsonb_array_elements(plan) x WHERE x ->> 'role' <> 'idle' ORDER BY
			 array_position(ARRAY['full_range', 'base', 'limit'], x ->> 'role') LOOP
		intents := intents || jsonb_build_array(strategy_intent('mint', npm,
			abi_encode_call('mint((address,address,uint24,int24,int24,uint256,uint256,uint256,uint256,address,uint256))',
				jsonb_build_array(jsonb_build_array(t0::text, t1::text, fee, (r ->> 'tick_lower')::int, (r ->> 'tick_upper')::int,
					r ->> 'amount0', r ->> 'amount1',
					strategy_amount_min((r ->> 'amount0')::uint256, slip)::text,
					strategy_amount_min((r ->> 'amount1')::uint256, slip)::text,
					s.owner::text, deadline))),
			format('mint %s [%s, %s) liquidity %s', r ->> 'role', r ->> 'tick_lower', r ->> 'tick_upper', r ->> 'liquidity')));
	END LOOP;

	price := strategy_price1per0(plan_price, (p ->> 'decimals0')::int, (p ->> 'decimals1')::int);
	turnover := need0::numeric / 10::numeric ^ (p ->> 'decimals0')::int * CASE WHEN p ->> 'numeraire' = 'token1' THEN price ELSE 1 END
			  + need1::numeric / 10::numeric ^ (p ->> 'decimals1')::int * CASE WHEN p ->> 'numeraire' = 'token1' THEN 1 ELSE 1 / price END;
	-- The pool fee the swap pays, in numeraire units.
	IF swap_info IS NOT NULL THEN
		swap_cost := (swap_info ->> 'amount_in')::numeric * fee / 1000000
			* CASE WHEN (swap_info ->> 'zero_for_one')::boolean
				   THEN CASE WHEN p ->> 'numeraire' = 'token1' THEN price ELSE 1 END / 10::numeric ^ (p ->> 'decimals0')::int
				   ELSE CASE WHEN p ->> 'numeraire' = 'token1' THEN 1 ELSE 1 / price END / 10::numeric ^ (p ->> 'decimals1')::int END;
	END IF;
	-- What the new ranges are expected to earn: their in-range liquidity's
	-- share of the pool's recent fees over the horizon (the gate's measure).
	minted_l := coalesce((SELECT sum((x ->> 'liquidity')::numeric) FROM jsonb_array_elements(plan) x
						   WHERE x ->> 'role' <> 'idle' AND (x ->> 'tick_lower')::int <= tick AND tick < (x ->> 'tick_upper')::int), 0);
	RETURN jsonb_build_object(
		'action', action, 'reasons', to_jsonb(reasons),
		'plan', jsonb_build_object('sqrt_price', plan_price::text, 'holdings0', h0::text, 'holdings1', h1::text,
			'sigma', (state ->> 'sigma')::float8, 'alm', alm, 'swap', swap_info, 'rows', plan, 'swap_cost', swap_cost,
			'expected', jsonb_build_object(
				'gain', strategy_lp_token1_in_numeraire(p, sqrt_p, strategy_lp_expected_fees(p, state, minted_l, active_l::numeric)),
				'horizon', make_interval(secs => (p ->> 'horizon_days')::float8 * 86400),
				'gas_cost', strategy_lp_token1_in_numeraire(p, sqrt_p, (p ->> 'gas_cost')::numeric),
				'swap_cost', swap_cost))
			|| CASE WHEN regime_reason IS NOT NULL
					THEN jsonb_build_object('regime', regime, 'regime_settings', rset, 'limit_dropped', dropped)
					ELSE '{}' END,
		'intents', intents,
		-- The exposures the decision leaves: the minted ranges' exact deltas
		-- and gammas at the plan's price (strategy_lp_exposures) and what
		-- stays in the wallet.
		'proposal', jsonb_build_object('action', action, 'reduces_risk', false,
			'value', (state -> 'valuation' ->> 'value')::numeric, 'turnover', turnover,
			'slippage_bps', slip, 'assets', jsonb_build_array(t0::text, t1::text), 'chain_id', s.chain_id,
			'exposures', strategy_lp_exposures(p, plan_price,
				(SELECT coalesce(jsonb_agg(x), '[]') FROM jsonb_array_elements(plan) x WHERE x ->> 'role' <> 'idle'),
				h0::numeric - need0::numeric, h1::numeric - need1::numeric)));
END
$$;
COMMENT ON FUNCTION @extschema@.strategy_policy_lp_univ3(@extschema@.strategies, jsonb) IS
	'lp_univ3 decision: open, rebalance (withdraw, collect, burn, optional swap, approve, mint the ALM plan) or hold, with reasons';

-- The greeks of Uniswap v3 ranges on one pool at a sqrt price, per token
-- (ranges: a JSON array of {tick_lower, tick_upper, liquidity}).  delta is
-- the exact amount of the token the ranges hold (raw units): the value in
-- token1, amount1 + amount0 * P, moves by amount0 per unit of P, and the
-- value in token0 by amount1 per unit of 1/P.  gamma is token0's with
-- respect to P (univ3_position_greeks: -L / (2 P^1.5) in range) and
-- token1's with respect to 1/P (the same form in 1/P: gamma0 * P^3), both
-- in raw units; quote is the other token, the one the price is in.
CREATE FUNCTION @extschema@.strategy_lp_greeks(token0 @extschema@.address, token1 @extschema@.address,
	sqrt_price @extschema@.uint256, ranges jsonb)
RETURNS TABLE (asset @extschema@.address, delta numeric, gamma float8, quote @extschema@.address)
LANGUAGE sql IMMUTABLE
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
	WITH g AS (
		SELECT coalesce(sum(x.amount0::numeric), 0) AS a0, coalesce(sum(x.amount1::numeric), 0) AS a1,
			   coalesce(sum(x.gamma), 0) AS g0,
			   coalesce(sum(x.gamma * power(sqrt_price::numeric::float8 / 79228162514264337593543950336.0::float8, 6)), 0) AS g1
		  FROM jsonb_array_elements(coalesce(ranges, '[]')) r
		 CROSS JOIN LATERAL univ3_position_greeks(sqrt_price, (r ->> 'tick_lower')::int, (r ->> 'tick_upper')::int,
				(r ->> 'liquidity')::uint256) x)
	SELECT token0, g.a0, g.g0, token1 FROM g
	UNION ALL
	SELECT token1, g.a1, g.g1, token0 FROM g
$$;
COMMENT ON FUNCTION @extschema@.strategy_lp_greeks(@extschema@.address, @extschema@.address, @extschema@.uint256, jsonb) IS
	'per token, the exact amounts (delta, raw) and gamma (token0 in P, token1 in 1/P, raw) of Uniswap v3 ranges at a sqrt price';

-- The risk exposures of an lp_univ3 strategy holding ranges and idle
-- tokens at a sqrt price: per token its delta (the ranges' exact amounts
-- plus the idle amount, raw), its notional in the numeraire and the ranges'
-- gamma (strategy_lp_greeks), as the JSON the proposal's "exposures" take.
CREATE FUNCTION @extschema@.strategy_lp_exposures(params jsonb, sqrt_price @extschema@.uint256, ranges jsonb,
	idle0 numeric, idle1 numeric)
RETURNS jsonb
LANGUAGE sql IMMUTABLE
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
	WITH px AS (
		SELECT strategy_price1per0(sqrt_price, (params ->> 'decimals0')::int, (params ->> 'decimals1')::int) AS price,
			   params ->> 'numeraire' = 'token1' AS num_is_1)
	SELECT jsonb_agg(jsonb_build_object('asset', g.asset::text, 'delta', g.delta + i.idle,
			'notional', (g.delta + i.idle) / 10::numeric ^ i.decimals
				* CASE WHEN i.leg = 0 THEN CASE WHEN px.num_is_1 THEN px.price ELSE 1 END
					   ELSE CASE WHEN px.num_is_1 THEN 1 ELSE 1 / px.price END END,
			'gamma', g.gamma) ORDER BY i.leg)
	  FROM px
	 CROSS JOIN strategy_lp_greeks((params ->> 'token0')::address, (params ->> 'token1')::address, sqrt_price, ranges) g
	  JOIN (VALUES (0, (params ->> 'token0')::address, coalesce(idle0, 0), (params ->> 'decimals0')::int),
				   (1, (params ->> 'token1')::address, coalesce(idle1, 0), (params ->> 'decimals1')::int))
			AS i(leg, asset, idle, decimals) ON i.asset = g.asset
$$;
COMMENT ON FUNCTION @extschema@.strategy_lp_exposures(jsonb, @extschema@.uint256, jsonb, numeric, numeric) IS
	'the risk exposures (JSON) of Uniswap v3 ranges plus idle tokens at a sqrt price: per token the exact delta, notional in the numeraire, gamma';

INSERT INTO @extschema@.strategy_kinds (kind, validate, sync, gather, policy, description, builtin) VALUES
	('lp_univ3', '@extschema@.strategy_validate_lp_univ3', '@extschema@.strategy_sync_lp_univ3',
	 '@extschema@.strategy_gather_lp_univ3', '@extschema@.strategy_policy_lp_univ3',
	 'Liquidity of a vault on one Uniswap v3 pool, placed by univ3_alm_plan and moved when univ3_alm_should_rebalance says so',
	 true);

-- The Uniswap v3 NFTs of the strategies (positions of protocol univ3), with
-- their range, owed fees, the pool's tick at their block, whether they are
-- in range and the token amounts their liquidity holds there.
CREATE VIEW @extschema@.v_univ3_positions AS
	SELECT p.synced_at AS at, s.id AS strategy_id, s.name AS strategy, s.kind AS strategy_kind, s.chain_id, s.owner,
		   p.asset AS position_manager, p.position_id AS token_id, p.block_number,
		   (p.detail ->> 'pool')::@extschema@.address AS pool,
		   (p.detail ->> 'tick_lower')::integer AS tick_lower, (p.detail ->> 'tick_upper')::integer AS tick_upper,
		   p.amount::@extschema@.uint256 AS liquidity,
		   (p.detail ->> 'owed0')::@extschema@.uint256 AS owed0, (p.detail ->> 'owed1')::@extschema@.uint256 AS owed1,
		   ps.tick AS pool_tick,
		   ps.tick >= (p.detail ->> 'tick_lower')::integer AND ps.tick < (p.detail ->> 'tick_upper')::integer AS in_range,
		   a.amount0, a.amount1,
		   coalesce((p.detail ->> 'token0')::@extschema@.address, CASE WHEN p.detail ->> 'pool' = s.params ->> 'pool'
			   THEN (s.params ->> 'token0')::@extschema@.address END) AS token0,
		   coalesce((p.detail ->> 'token1')::@extschema@.address, CASE WHEN p.detail ->> 'pool' = s.params ->> 'pool'
			   THEN (s.params ->> 'token1')::@extschema@.address END) AS token1
	  FROM @extschema@.positions p
	  JOIN @extschema@.strategies s ON s.id = p.strategy_id
	  LEFT JOIN LATERAL @extschema@.univ3_pool_state_at(s.chain_id, (p.detail ->> 'pool')::@extschema@.address, p.block_number) ps ON true
	  LEFT JOIN LATERAL @extschema@.univ3_amounts_for_liquidity(ps.sqrt_price,
			@extschema@.univ3_sqrt_price_at_tick((p.detail ->> 'tick_lower')::integer),
			@extschema@.univ3_sqrt_price_at_tick((p.detail ->> 'tick_upper')::integer),
			p.amount::@extschema@.uint256) a ON ps.sqrt_price IS NOT NULL
	 WHERE p.protocol = 'univ3';
COMMENT ON VIEW @extschema@.v_univ3_positions IS
	'The strategies'' Uniswap v3 NFTs (as last synced): range, liquidity, owed fees, pool tick, in range, token amounts, the pool''s tokens (the NFT''s own, else the strategy''s when on its pool)';
REVOKE ALL ON @extschema@.v_univ3_positions FROM PUBLIC;
GRANT SELECT ON @extschema@.v_univ3_positions TO amplified_reader;

-- The regime helpers: the series is the pool's (readers see the pools);
-- the regime lookup runs the forecast module as the engine (internal).
REVOKE ALL ON FUNCTION @extschema@.strategy_lp_regime_series(bigint, @extschema@.address, timestamptz, interval, int),
	@extschema@.strategy_lp_regime(@extschema@.strategies, timestamptz) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION @extschema@.strategy_lp_regime_series(bigint, @extschema@.address, timestamptz, interval, int)
	TO amplified_reader;

-- Each asset's net delta and gamma of a strategy, for hedging (the hedge
-- kind reads it) and dashboards:
--   delta   the signed raw amount of the asset the strategy holds: the
--           synced positions whose amount is an amount of the asset (token
--           and account balances, Morpho Blue and Aave v3 supply,
--           collateral and debt, all in assets) at their amount, each
--           Uniswap v3 NFT at the exact amounts its liquidity holds at its
--           own pool's price plus its owed fees (strategy_lp_greeks), in
--           its own pool's token0 and token1
--   gamma   the NFTs' gamma: for a pool's token0 with respect to P (raw
--           token1 per raw token0), for token1 with respect to 1/P, raw
--           units (0 for an asset without liquidity positions)
--   quote   the token the gamma's price is in (NULL without NFTs)
--   lp_delta  the part of delta in Uniswap v3 NFTs
--   block_number  the latest pool state used (NULL without NFTs)
-- Left out: positions of any other protocol, whose amount is not an amount
-- of the asset (vault or pool shares, an allocator's 'member' rows, which
-- are the member strategies' own holdings): their exposure needs the
-- vault's or member's own look-through.  An NFT's tokens are those its
-- sync recorded (detail token0 / token1, from the position manager), else
-- the strategy's own when the NFT is on the strategy's pool; an NFT with
-- neither is refused (55000) rather than attributed to the wrong tokens.
-- The pool's state is the one at block (default: the latest ingested),
-- the positions those last synced.  One row per asset, ordered by address.
CREATE FUNCTION @extschema@.strategy_greeks(strategy_id bigint, block bigint DEFAULT NULL)
RETURNS TABLE (asset @extschema@.address, delta numeric, gamma float8, quote @extschema@.address,
	lp_delta numeric, block_number bigint)
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
DECLARE
	s strategies;
	bad record;
BEGIN
	SELECT * INTO s FROM strategies x WHERE x.id = strategy_greeks.strategy_id;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'strategy % does not exist', strategy_id USING ERRCODE = 'undefined_object';
	END IF;
	-- The NFTs with their own pool's tokens (the same subquery as below).
	SELECT * INTO bad FROM (SELECT p.position_id, (p.detail ->> 'pool')::address AS pool,
		   coalesce((p.detail ->> 'token0')::address, CASE WHEN p.detail ->> 'pool' = s.params ->> 'pool'
			   THEN (s.params ->> 'token0')::address END) AS token0,
		   coalesce((p.detail ->> 'token1')::address, CASE WHEN p.detail ->> 'pool' = s.params ->> 'pool'
			   THEN (s.params ->> 'token1')::address END) AS token1,
		   (p.detail ->> 'tick_lower')::int AS tick_lower, (p.detail ->> 'tick_upper')::int AS tick_upper,
		   p.amount::numeric AS liquidity,
		   coalesce((p.detail ->> 'owed0')::numeric, 0) AS owed0, coalesce((p.detail ->> 'owed1')::numeric, 0) AS owed1
	  FROM positions p
	 WHERE p.strategy_id = s.id AND p.protocol = 'univ3') n WHERE n.token0 IS NULL OR n.token1 IS NULL LIMIT 1;
	IF FOUND THEN
		RAISE EXCEPTION 'strategy %''s Uniswap v3 NFT #% on pool % has no known tokens', s.id, bad.position_id, bad.pool
			USING ERRCODE = 'object_not_in_prerequisite_state',
				  DETAIL = 'Its synced detail has no token0 / token1 and the pool is not the strategy''s.';
	END IF;
	-- An NFT whose pool has no known state cannot be valued: say so.
	SELECT * INTO bad FROM (SELECT p.position_id, (p.detail ->> 'pool')::address AS pool,
		   coalesce((p.detail ->> 'token0')::address, CASE WHEN p.detail ->> 'pool' = s.params ->> 'pool'
			   THEN (s.params ->> 'token0')::address END) AS token0,
		   coalesce((p.detail ->> 'token1')::address, CASE WHEN p.detail ->> 'pool' = s.params ->> 'pool'
			   THEN (s.params ->> 'token1')::address END) AS token1,
		   (p.detail ->> 'tick_lower')::int AS tick_lower, (p.detail ->> 'tick_upper')::int AS tick_upper,
		   p.amount::numeric AS liquidity,
		   coalesce((p.detail ->> 'owed0')::numeric, 0) AS owed0, coalesce((p.detail ->> 'owed1')::numeric, 0) AS owed1
	  FROM positions p
	 WHERE p.strategy_id = s.id AND p.protocol = 'univ3') n
	 WHERE (SELECT x.sqrt_price FROM univ3_pool_state_at(s.chain_id, n.pool, coalesce(block, 9223372036854775807)) x) IS NULL
	 LIMIT 1;
	IF FOUND THEN
		RAISE EXCEPTION 'strategy %''s Uniswap v3 pool % has no known state at block %', s.id, bad.pool,
			coalesce(block::text, 'latest')
			USING ERRCODE = 'object_not_in_prerequisite_state';
	END IF;
	RETURN QUERY
	WITH nft AS (
		SELECT n.pool, n.token0, n.token1,
			   jsonb_agg(jsonb_build_object('tick_lower', n.tick_lower, 'tick_upper', n.tick_upper,
					'liquidity', n.liquidity::text)) AS ranges,
			   sum(n.owed0) AS owed0, sum(n.owed1) AS owed1
		  FROM (SELECT p.position_id, (p.detail ->> 'pool')::address AS pool,
				   coalesce((p.detail ->> 'token0')::address, CASE WHEN p.detail ->> 'pool' = s.params ->> 'pool'
					   THEN (s.params ->> 'token0')::address END) AS token0,
				   coalesce((p.detail ->> 'token1')::address, CASE WHEN p.detail ->> 'pool' = s.params ->> 'pool'
					   THEN (s.params ->> 'token1')::address END) AS token1,
				   (p.detail ->> 'tick_lower')::int AS tick_lower, (p.detail ->> 'tick_upper')::int AS tick_upper,
				   p.amount::numeric AS liquidity,
				   coalesce((p.detail ->> 'owed0')::numeric, 0) AS owed0, coalesce((p.detail ->> 'owed1')::numeric, 0) AS owed1
			  FROM positions p
			 WHERE p.strategy_id = s.id AND p.protocol = 'univ3') n
		 GROUP BY 1, 2, 3),
	lp AS (
		SELECT g.asset, g.delta + CASE WHEN g.asset = n.token0 THEN n.owed0 ELSE n.owed1 END AS delta,
			   g.gamma, g.quote, ps.block_number
		  FROM nft n
		 CROSS JOIN LATERAL univ3_pool_state_at(s.chain_id, n.pool, coalesce(block, 9223372036854775807)) ps
		 CROSS JOIN LATERAL strategy_lp_greeks(n.token0, n.token1, ps.sqrt_price, n.ranges) g),
	legs AS (
		SELECT p.asset, p.amount::numeric AS delta, 0::float8 AS gamma, NULL::address AS quote, 0::numeric AS lp_delta,
			   NULL::bigint AS block_number
		  FROM positions p
		 WHERE p.strategy_id = s.id AND p.protocol IN ('token', 'account', 'morpho_blue', 'aave_v3')
		UNION ALL
		SELECT lp.asset, lp.delta, lp.gamma, lp.quote, lp.delta, lp.block_number FROM lp)
	SELECT l.asset, sum(l.delta), sum(l.gamma), max(l.quote::text)::address, sum(l.lp_delta), max(l.block_number)
	  FROM legs l
	 GROUP BY l.asset
	 ORDER BY lower(l.asset::text);
END
$$;
COMMENT ON FUNCTION @extschema@.strategy_greeks(bigint, bigint) IS
	'a strategy''s net delta (raw, signed) and gamma per asset: synced positions at their amounts, Uniswap v3 NFTs at their exact amounts and gamma at the pool''s price (latest, or at block)';
REVOKE ALL ON FUNCTION @extschema@.strategy_greeks(bigint, bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION @extschema@.strategy_greeks(bigint, bigint) TO amplified_reader;
