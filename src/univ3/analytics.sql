-- src/univ3/analytics.sql: Uniswap v3 position analytics over ingested data
-- (time in range, fees from fee growth) and the ALM backtest, which replays a
-- pool's ingested swaps under given parameters.  The pool math, and the
-- backtest's replay loop and volatility (src/univ3/analytics.c), are the
-- univ3 module's C functions; these are the glue that reads the tables, so
-- they are STABLE and executable by amplified_reader.  docs/univ3.md
-- describes the approximations.

-- The ticks of a pool over (from_ts, to_ts]: first the state in effect at
-- from_ts (the latest swap or pool-state reading at or before it, at =
-- from_ts; log_index NULL for a reading, which is taken at the end of its
-- block), then every swap after from_ts up to to_ts, in chain order: the
-- swaps of univ3_pool_observations (read.sql).
CREATE FUNCTION @extschema@.univ3_pool_ticks(chain_id bigint, pool @extschema@.address,
	from_ts timestamptz, to_ts timestamptz)
RETURNS TABLE (at timestamptz, block_number bigint, log_index int, tick int,
	sqrt_price @extschema@.uint256, liquidity @extschema@.uint256,
	amount0 @extschema@.int256, amount1 @extschema@.int256)
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
	SELECT CASE WHEN o.at <= $3 THEN $3 ELSE o.at END, o.block_number, o.log_index, o.tick, o.sqrt_price,
		   o.liquidity, CASE WHEN o.at > $3 THEN o.amount0 END, CASE WHEN o.at > $3 THEN o.amount1 END
	  FROM univ3_pool_observations($1, $2, $3, $4) o
	 WHERE o.at <= $3 OR o.log_index IS NOT NULL
	 ORDER BY 1, o.block_number, o.log_index NULLS LAST
$$;
COMMENT ON FUNCTION @extschema@.univ3_pool_ticks(bigint, @extschema@.address, timestamptz, timestamptz) IS
	'the state of a pool at from_ts (latest swap or pool-state reading at or before it), then its ingested swaps up to to_ts, in chain order';

-- How many ticks of a swap's path from tick_a to tick_b lie in
-- [tick_lower, tick_upper); a path that did not move counts 1 if in range.
-- Divided by greatest(abs(tick_b - tick_a), 1) it is the share of the path in
-- range, by which fees are attributed (docs/univ3.md).
CREATE FUNCTION @extschema@.univ3_path_overlap(tick_a int, tick_b int, tick_lower int, tick_upper int)
RETURNS int
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN CASE WHEN tick_a = tick_b
			THEN CASE WHEN tick_a >= tick_lower AND tick_a < tick_upper THEN 1 ELSE 0 END
			ELSE greatest(0, least(greatest(tick_a, tick_b), tick_upper) - greatest(least(tick_a, tick_b), tick_lower)) END;
COMMENT ON FUNCTION @extschema@.univ3_path_overlap(int, int, int, int) IS
	'ticks of the path tick_a -> tick_b inside [tick_lower, tick_upper) (1 or 0 if the tick did not move)';

-- What positions (ranges and liquidities) hold at a sqrt price, rounded down
-- as a burn pays; NULL liquidities (the idle row of a plan) are skipped.
CREATE FUNCTION @extschema@.univ3_backtest_holdings(sqrt_price @extschema@.uint256,
	tick_lower int[], tick_upper int[], liquidity numeric[], OUT amount0 numeric, OUT amount1 numeric)
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
	SELECT coalesce(sum(a.amount0::numeric), 0), coalesce(sum(a.amount1::numeric), 0)
	  FROM unnest($2, $3, $4) p(lo, hi, l)
	 CROSS JOIN LATERAL univ3_amounts_for_liquidity($1, univ3_sqrt_price_at_tick(p.lo),
			univ3_sqrt_price_at_tick(p.hi), p.l::uint256) a
	 WHERE p.l IS NOT NULL AND p.l > 0
$$;

-- Rejects an empty range or window (22023).
CREATE FUNCTION @extschema@.univ3_check_window(tick_lower int, tick_upper int, from_ts timestamptz, to_ts timestamptz)
RETURNS void
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
AS $$
BEGIN
	IF tick_lower >= tick_upper THEN
		RAISE EXCEPTION 'tick_lower must be below tick_upper' USING ERRCODE = '22023',
			DETAIL = format('The range was [%s, %s).', tick_lower, tick_upper);
	END IF;
	IF from_ts >= to_ts THEN
		RAISE EXCEPTION 'from_ts must be before to_ts' USING ERRCODE = '22023',
			DETAIL = format('The window was %s to %s.', from_ts, to_ts);
	END IF;
END
$$;

-- The fraction of (from_ts, to_ts] during which the pool's tick was in
-- [tick_lower, tick_upper), the tick being carried from each swap to the
-- next.  Time before the first known tick is left out; NULL when no tick is
-- known at all.
CREATE FUNCTION @extschema@.univ3_time_in_range(chain_id bigint, pool @extschema@.address,
	tick_lower int, tick_upper int, from_ts timestamptz, to_ts timestamptz)
RETURNS float8
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
DECLARE
	r float8;
BEGIN
	PERFORM univ3_check_window(tick_lower, tick_upper, from_ts, to_ts);
	SELECT (sum(extract(epoch FROM nxt - t.at)) FILTER (WHERE t.tick >= $3 AND t.tick < $4))::float8
		   / nullif(sum(extract(epoch FROM nxt - t.at)), 0)::float8
	  INTO r
	  FROM (SELECT p.at, p.tick, lead(p.at, 1, $6) OVER (ORDER BY p.at, p.block_number, p.log_index NULLS LAST) AS nxt
			  FROM univ3_pool_ticks($1, $2, $5, $6) p) t;
	RETURN coalesce(r, CASE WHEN EXISTS (SELECT FROM univ3_pool_ticks($1, $2, $5, $6)) THEN 0 END);
END
$$;
COMMENT ON FUNCTION @extschema@.univ3_time_in_range(bigint, @extschema@.address, int, int, timestamptz, timestamptz) IS
	'fraction of the time from from_ts to to_ts the pool''s ingested tick was in [tick_lower, tick_upper)';

-- Fees a position of the given liquidity earned between the pool-state
-- readings in effect at from_ts and at to_ts.  Between two consecutive
-- readings the fee growth inside the range moves exactly as the global fee
-- growth when every tick of the interval (the first reading's and each
-- swap's) is in range, and not at all when they all lie on one side of it;
-- otherwise the interval's growth is split by the swaps' shares (see
-- docs/univ3.md) and exact is false.
CREATE FUNCTION @extschema@.univ3_fees_earned(chain_id bigint, pool @extschema@.address,
	tick_lower int, tick_upper int, liquidity @extschema@.uint256,
	from_ts timestamptz, to_ts timestamptz,
	OUT fees0 numeric, OUT fees1 numeric, OUT exact bool, OUT from_block bigint, OUT to_block bigint)
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
DECLARE
	a record;
	b record;
	s record;
	first bool := true;
	prev int;
	n_in int;
	n_below int;
	n_above int;
	n int;
	w0 numeric;
	w1 numeric;
	in0 numeric;
	in1 numeric;
	f numeric;
	d0 numeric;
	d1 numeric;
	inside0 numeric := 0;
	inside1 numeric := 0;
	ov int;
	len int;
	c0 int;
	c1 int;
	ov0 int;
	ov1 int;
	len0 int;
	len1 int;
	two256 CONSTANT numeric := 2::numeric ^ 256;
BEGIN
	PERFORM univ3_check_window(tick_lower, tick_upper, from_ts, to_ts);
	exact := true;
	SELECT max(p.block_number) INTO from_block
	  FROM univ3_pool_states p JOIN blocks k ON k.chain_id = p.chain_id AND k.number = p.block_number
	 WHERE p.chain_id = $1 AND p.pool = $2 AND k.timestamp <= $6
	   AND p.fee_growth_global0_x128 IS NOT NULL AND p.fee_growth_global1_x128 IS NOT NULL;
	SELECT max(p.block_number) INTO to_block
	  FROM univ3_pool_states p JOIN blocks k ON k.chain_id = p.chain_id AND k.number = p.block_number
	 WHERE p.chain_id = $1 AND p.pool = $2 AND k.timestamp <= $7
	   AND p.fee_growth_global0_x128 IS NOT NULL AND p.fee_growth_global1_x128 IS NOT NULL;
	IF from_block IS NULL OR to_block IS NULL THEN
		RAISE EXCEPTION 'no fee growth reading of pool % at or before %', $2, coalesce(from_block::text, $6::text)
			USING ERRCODE = '55000',
			HINT = 'Watch the pool with kind univ3_pool and read_every > 0 (see docs/ingest.md).';
	END IF;
	FOR b IN SELECT p.block_number, p.tick, p.fee_growth_global0_x128 AS g0, p.fee_growth_global1_x128 AS g1
			   FROM univ3_pool_states p
			  WHERE p.chain_id = $1 AND p.pool = $2 AND p.block_number BETWEEN from_block AND to_block
				AND p.fee_growth_global0_x128 IS NOT NULL AND p.fee_growth_global1_x128 IS NOT NULL
			  ORDER BY p.block_number
	LOOP
		IF first THEN
			first := false;
			a := b;
			CONTINUE;
		END IF;
		-- Classify the ticks of the interval (a, b].
		prev := a.tick;
		n_in := (prev >= $3 AND prev < $4)::int;
		n_below := (prev < $3)::int;
		n_above := (prev >= $4)::int;
		n := 1;
		w0 := 0; w1 := 0; in0 := 0; in1 := 0; c0 := 0; c1 := 0;
		FOR s IN SELECT w.tick, w.amount0::numeric AS x0, w.amount1::numeric AS x1, w.liquidity::numeric AS l
				   FROM univ3_swaps w
				  WHERE w.chain_id = $1 AND w.pool = $2 AND w.block_number > a.block_number
					AND w.block_number <= b.block_number
				  ORDER BY w.block_number, w.log_index
		LOOP
			n := n + 1;
			n_in := n_in + (s.tick >= $3 AND s.tick < $4)::int;
			n_below := n_below + (s.tick < $3)::int;
			n_above := n_above + (s.tick >= $4)::int;
			IF s.l > 0 THEN
				ov := univ3_path_overlap(prev, s.tick, $3, $4);
				len := greatest(abs(s.tick - prev), 1);
				f := ov::numeric / len;
				IF s.x0 > 0 THEN
					w0 := w0 + s.x0 / s.l;
					in0 := in0 + s.x0 / s.l * f;
					c0 := c0 + 1;
					ov0 := ov; len0 := len;
				END IF;
				IF s.x1 > 0 THEN
					w1 := w1 + s.x1 / s.l;
					in1 := in1 + s.x1 / s.l * f;
					c1 := c1 + 1;
					ov1 := ov; len1 := len;
				END IF;
			END IF;
			prev := s.tick;
		END LOOP;
		-- Fee growth of the interval, modulo 2^256 as the pool's arithmetic wraps.
		d0 := mod(b.g0::numeric - a.g0::numeric + two256, two256);
		d1 := mod(b.g1::numeric - a.g1::numeric + two256, two256);
		IF n_in = n THEN
			inside0 := inside0 + d0;
			inside1 := inside1 + d1;
		ELSIF n_below = n OR n_above = n THEN
			NULL;
		ELSE
			exact := false;
			-- One paying swap (the usual case when every block is read): its
			-- path share exactly; several: weighted by their growth shares.
			IF c0 = 1 THEN
				inside0 := inside0 + div(d0 * ov0, len0);
			ELSIF w0 > 0 THEN
				inside0 := inside0 + floor(d0 * in0 / w0);
			END IF;
			IF c1 = 1 THEN
				inside1 := inside1 + div(d1 * ov1, len1);
			ELSIF w1 > 0 THEN
				inside1 := inside1 + floor(d1 * in1 / w1);
			END IF;
		END IF;
		a := b;
	END LOOP;
	-- Tokens owed for the growth inside over the whole window, as a
	-- position that was not touched in between is paid.
	fees0 := univ3_tokens_owed(mod(inside0, two256)::uint256, 0, $5)::numeric;
	fees1 := univ3_tokens_owed(mod(inside1, two256)::uint256, 0, $5)::numeric;
END
$$;
COMMENT ON FUNCTION @extschema@.univ3_fees_earned(bigint, @extschema@.address, int, int, @extschema@.uint256, timestamptz, timestamptz) IS
	'fees a position of the given liquidity earned between the pool''s fee growth readings in effect at from_ts and to_ts (exact unless the tick crossed the range between two readings)';

-- The range a backtest watches and reports: the base, else the full-range
-- position, else the limit order; part 1 is its lower tick, 2 its upper.
CREATE FUNCTION @extschema@.univ3_backtest_main_range(role text[], tick_lower int[], tick_upper int[], part int)
RETURNS int
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN (SELECT CASE part WHEN 1 THEN p.lo ELSE p.hi END
		  FROM unnest(role, tick_lower, tick_upper) WITH ORDINALITY p(r, lo, hi, o)
		 WHERE p.r IN ('base', 'full_range', 'limit')
		 ORDER BY array_position(ARRAY['base', 'full_range', 'limit'], p.r), p.o LIMIT 1);

-- Replays a pool's ingested swaps over (from_ts, to_ts] for a vault starting
-- with amount0/amount1 under ALM parameters: univ3_alm_plan places the
-- liquidity, univ3_alm_should_rebalance decides at every check_every-th swap,
-- a rebalance withdraws everything at the swap's price and plans again.  Fees
-- are the position's share of each swap's fee while in range (docs/univ3.md).
-- This checks the parameters, reads the history and values the end; the
-- replay is univ3_backtest_replay (C).
CREATE FUNCTION @extschema@.univ3_backtest(chain_id bigint, pool @extschema@.address,
	tick_spacing int, fee_pips int, from_ts timestamptz, to_ts timestamptz,
	amount0 @extschema@.uint256, amount1 @extschema@.uint256, params jsonb DEFAULT '{}')
RETURNS TABLE (fees0 numeric, fees1 numeric, amount0_end numeric, amount1_end numeric,
	value_end numeric, hold_value_end numeric, net_vs_hold float8, il float8,
	rebalances int, time_in_range float8, swaps int, tick_lower int, tick_upper int, sigma float8)
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
DECLARE
	plan_keys CONSTANT text[] := ARRAY['k', 'min_width', 'limit_width', 'full_range_share',
		'appreciating', 'apr', 'peg_tick', 'peg_pull'];
	gate_keys CONSTANT text[] := ARRAY['min_period_seconds', 'min_tick_move', 'max_twap_deviation',
		'boundary_threshold', 'cost_factor'];
	own_keys CONSTANT text[] := ARRAY['horizon_days', 'sigma', 'vol_window_seconds', 'twap_seconds',
		'check_every', 'gas_cost', 'swap_cost', 'rebalance'];
	plan_params jsonb;
	gate_params jsonb;
	key text;
	horizon float8;
	fixed_sigma float8;
	vol_window float8;
	twap_s float8;
	every int;
	gas float8;
	swapc float8;
	do_rebalance bool;
	-- the tick history from the start of the trailing windows to to_ts
	h_at timestamptz[];
	h_tick int[];
	h_sp uint256[];
	h_l uint256[];
	h_x0 int256[];
	h_x1 int256[];
	first_i int;		-- index of the state at from_ts
	r record;
	price2 numeric;
	q192 CONSTANT numeric := 2::numeric ^ 192;
	lookback float8;
	i int;
BEGIN
	PERFORM univ3_check_window(0, 1, from_ts, to_ts);
	IF jsonb_typeof(params) IS DISTINCT FROM 'object' THEN
		RAISE EXCEPTION 'backtest parameters must be a JSON object' USING ERRCODE = '22023';
	END IF;
	FOR key IN SELECT jsonb_object_keys(params) LOOP
		IF NOT (key = ANY (plan_keys || gate_keys || own_keys)) THEN
			RAISE EXCEPTION 'unknown backtest parameter "%"', key USING ERRCODE = '22023',
				HINT = 'univ3_backtest takes the parameters of univ3_alm_plan and univ3_alm_should_rebalance, and '
					|| array_to_string(own_keys, ', ') || '.';
		END IF;
	END LOOP;
	SELECT coalesce(jsonb_object_agg(e.key, e.value) FILTER (WHERE e.key = ANY (plan_keys)), '{}'),
		   coalesce(jsonb_object_agg(e.key, e.value) FILTER (WHERE e.key = ANY (gate_keys)), '{}')
	  INTO plan_params, gate_params
	  FROM jsonb_each(params) e;
	BEGIN
		horizon := coalesce((params ->> 'horizon_days')::float8, 1);
		fixed_sigma := (params ->> 'sigma')::float8;
		vol_window := coalesce((params ->> 'vol_window_seconds')::float8, 86400);
		twap_s := coalesce((params ->> 'twap_seconds')::float8, 0);
		every := coalesce((params ->> 'check_every')::int, 1);
		gas := coalesce((params ->> 'gas_cost')::float8, 0);
		swapc := coalesce((params ->> 'swap_cost')::float8, 0);
		do_rebalance := coalesce((params ->> 'rebalance')::bool, true);
	EXCEPTION WHEN data_exception THEN
		RAISE EXCEPTION 'backtest parameter of the wrong type: %', SQLERRM USING ERRCODE = '22023';
	END;
	IF NOT (horizon > 0 AND vol_window > 0 AND twap_s >= 0 AND every >= 1 AND gas >= 0 AND swapc >= 0
			AND coalesce(fixed_sigma, 0) >= 0) THEN
		RAISE EXCEPTION 'backtest parameter out of range' USING ERRCODE = '22023',
			DETAIL = 'horizon_days and vol_window_seconds must be positive, check_every at least 1, sigma, twap_seconds, gas_cost and swap_cost not negative.';
	END IF;
	IF tick_spacing IS NULL OR fee_pips IS NULL OR fee_pips < 0 OR fee_pips >= 1000000 THEN
		RAISE EXCEPTION 'fee_pips must lie in [0, 1000000)' USING ERRCODE = '22023';
	END IF;

	-- The history: from the start of the trailing windows up to to_ts.
	lookback := greatest(vol_window, twap_s);
	SELECT array_agg(t.at ORDER BY o), array_agg(t.tick ORDER BY o), array_agg(t.sqrt_price ORDER BY o),
		   array_agg(t.liquidity ORDER BY o), array_agg(t.amount0 ORDER BY o), array_agg(t.amount1 ORDER BY o)
	  INTO h_at, h_tick, h_sp, h_l, h_x0, h_x1
	  FROM univ3_pool_ticks($1, $2, from_ts - make_interval(secs => lookback), to_ts)
		   WITH ORDINALITY AS t(at, block_number, log_index, tick, sqrt_price, liquidity, amount0, amount1, o);
	first_i := NULL;
	FOR i IN 1 .. coalesce(array_length(h_at, 1), 0) LOOP
		EXIT WHEN h_at[i] > from_ts;
		first_i := i;
	END LOOP;
	IF first_i IS NULL THEN
		RAISE EXCEPTION 'no price of pool % is known at %', $2, from_ts USING ERRCODE = '55000',
			HINT = 'The backtest starts from the latest swap or pool-state reading at or before from_ts.';
	END IF;

	-- The replay (analytics.c), then the values at the end.
	r := univ3_backtest_replay(h_at, h_tick, h_sp, h_l, h_x0, h_x1, first_i, from_ts, to_ts,
		tick_spacing, fee_pips, amount0, amount1, plan_params, gate_params, horizon, fixed_sigma,
		vol_window, twap_s, every, gas, swapc, do_rebalance);
	amount0_end := r.amount0_end;
	amount1_end := r.amount1_end;
	fees0 := r.fees0;
	fees1 := r.fees1;
	price2 := r.sqrt_price_end::numeric * r.sqrt_price_end::numeric;
	value_end := div((amount0_end + fees0) * price2, q192) + amount1_end + fees1 - floor((gas * r.rebalances)::numeric);
	hold_value_end := div(amount0::numeric * price2, q192) + amount1::numeric;
	net_vs_hold := CASE WHEN hold_value_end > 0 THEN (value_end / hold_value_end - 1)::float8 END;
	il := CASE WHEN hold_value_end > 0
			   THEN ((div(amount0_end * price2, q192) + amount1_end) / hold_value_end - 1)::float8 END;
	rebalances := r.rebalances;
	time_in_range := CASE WHEN r.seconds > 0 THEN r.seconds_in_range / r.seconds END;
	swaps := r.swaps;
	tick_lower := r.tick_lower;
	tick_upper := r.tick_upper;
	sigma := r.sigma;
	RETURN NEXT;
END
$$;
COMMENT ON FUNCTION @extschema@.univ3_backtest(bigint, @extschema@.address, int, int, timestamptz, timestamptz, @extschema@.uint256, @extschema@.uint256, jsonb) IS
	'replay a pool''s ingested swaps from from_ts to to_ts under ALM parameters: fees, end value against holding, IL, rebalances, time in range';

-- They read chain data: for readers, as the tables they read.
REVOKE ALL ON FUNCTION @extschema@.univ3_pool_ticks(bigint, @extschema@.address, timestamptz, timestamptz),
	@extschema@.univ3_time_in_range(bigint, @extschema@.address, int, int, timestamptz, timestamptz),
	@extschema@.univ3_fees_earned(bigint, @extschema@.address, int, int, @extschema@.uint256, timestamptz, timestamptz),
	@extschema@.univ3_backtest(bigint, @extschema@.address, int, int, timestamptz, timestamptz, @extschema@.uint256, @extschema@.uint256, jsonb)
	FROM PUBLIC;
GRANT EXECUTE ON FUNCTION @extschema@.univ3_pool_ticks(bigint, @extschema@.address, timestamptz, timestamptz),
	@extschema@.univ3_time_in_range(bigint, @extschema@.address, int, int, timestamptz, timestamptz),
	@extschema@.univ3_fees_earned(bigint, @extschema@.address, int, int, @extschema@.uint256, timestamptz, timestamptz),
	@extschema@.univ3_backtest(bigint, @extschema@.address, int, int, timestamptz, timestamptz, @extschema@.uint256, @extschema@.uint256, jsonb)
	TO amplified_reader;
