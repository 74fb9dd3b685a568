-- src/univ3/read.sql: the read models of Uniswap v3 pool data.  Every
-- module that needs a pool's state, its price history or its swap fees
-- calls these; none reads univ3_swaps or univ3_pool_states itself
-- (docs/univ3.md, "Read models").  They also register the pool price as a
-- source of the market-data layer (src/market/market.sql).
--
-- A pool's state comes from two kinds of observation: a swap (the price,
-- tick and active liquidity after it) and a state reading (slot0() and
-- liquidity() at the end of its block).  In one block, the reading comes
-- after the block's swaps; between swaps of one block, the later log.
-- Block times never decrease along a chain, so "at or before a time" and
-- "at or before the last block of that time" agree.

-- THE pool-state read: a pool's latest observation (swap or state reading)
-- at or before a block and at or before a time, the later of the two kinds
-- (in one block the reading comes after the swaps); with with_liquidity, a
-- reading without liquidity does not count.  The other read models are
-- this one at a block (univ3_pool_state_at) or at a time, followed by the
-- window after it (univ3_pool_observations).  No row when nothing is known.
-- It searches the window of ingest_window_from first (the newest ranges up
-- to the block), then, when that holds nothing, every block below it: the
-- same answer as one search of every range, without reading one index per
-- range of the chain (the ranges below the window are pruned at executor
-- start, the bound being a variable; the block's bound is repeated on the
-- blocks joined, which are partitioned too).
-- (plpgsql, whose parameters cannot share a name with a result column:
-- univ3_pool_latest below is the read with its documented names.)
CREATE FUNCTION @extschema@.univ3_pool_latest_search(chain_id bigint, pool @extschema@.address,
	block bigint, upto timestamptz, with_liquidity boolean)
RETURNS TABLE (at timestamptz, block_number bigint, log_index int, sqrt_price @extschema@.uint256,
	tick int, liquidity @extschema@.uint256, amount0 @extschema@.int256, amount1 @extschema@.int256)
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, @extschema@, pg_temp
SET plan_cache_mode = force_generic_plan
AS $$
DECLARE
	lo bigint := ingest_window_from($1, $3, $4);
BEGIN
	WHILE lo IS NOT NULL LOOP
		RETURN QUERY
		SELECT c.* FROM (
			(SELECT b.timestamp AS at, s.block_number, s.log_index, s.sqrt_price_x96 AS sqrt_price, s.tick,
					s.liquidity, s.amount0, s.amount1
			   FROM univ3_swaps s JOIN blocks b ON b.chain_id = s.chain_id AND b.number = s.block_number
			  WHERE s.chain_id = $1 AND s.pool = $2 AND s.block_number >= lo AND s.block_number <= $3
				AND b.number >= lo AND b.number <= $3 AND b.timestamp <= $4
			  ORDER BY s.block_number DESC, s.log_index DESC LIMIT 1)
			UNION ALL
			(SELECT b.timestamp, p.block_number, NULL::int, p.sqrt_price_x96, p.tick, p.liquidity,
					NULL::int256, NULL::int256
			   FROM univ3_pool_states p JOIN blocks b ON b.chain_id = p.chain_id AND b.number = p.block_number
			  WHERE p.chain_id = $1 AND p.pool = $2 AND p.block_number >= lo AND p.block_number <= $3
				AND b.number >= lo AND b.number <= $3 AND b.timestamp <= $4 AND (NOT $5 OR p.liquidity IS NOT NULL)
			  ORDER BY p.block_number DESC LIMIT 1)) c
		 ORDER BY c.block_number DESC, c.log_index DESC NULLS FIRST
		 LIMIT 1;
		EXIT WHEN FOUND OR lo = -9223372036854775807 - 1;
		lo := -9223372036854775807 - 1;
	END LOOP;
END
$$;
COMMENT ON FUNCTION @extschema@.univ3_pool_latest_search(bigint, @extschema@.address, bigint, timestamptz, boolean) IS
	'univ3_pool_latest''s search: the newest ranges up to the block first, then the older ones';

CREATE FUNCTION @extschema@.univ3_pool_latest(chain_id bigint, pool @extschema@.address,
	block bigint DEFAULT 9223372036854775807, at timestamptz DEFAULT 'infinity', with_liquidity boolean DEFAULT false)
RETURNS TABLE (at timestamptz, block_number bigint, log_index int, sqrt_price @extschema@.uint256,
	tick int, liquidity @extschema@.uint256, amount0 @extschema@.int256, amount1 @extschema@.int256)
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
	SELECT * FROM univ3_pool_latest_search($1, $2, $3, $4, $5)
$$;
COMMENT ON FUNCTION @extschema@.univ3_pool_latest(bigint, @extschema@.address, bigint, timestamptz, boolean) IS
	'a pool''s latest swap or state reading at or before a block and a time (the one pool-state read the others build on)';

-- The complete state of a pool at a block: its latest observation with
-- liquidity.  The tick is the price's (TickMath), as a position's amounts
-- need it.  No row when nothing is known.
CREATE FUNCTION @extschema@.univ3_pool_state_at(chain_id bigint, pool @extschema@.address, block bigint,
	OUT block_number bigint, OUT sqrt_price @extschema@.uint256, OUT tick int, OUT liquidity @extschema@.uint256)
LANGUAGE sql STABLE
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
	SELECT o.block_number, o.sqrt_price, univ3_tick_at_sqrt_price(o.sqrt_price), o.liquidity
	  FROM univ3_pool_latest($1, $2, $3, 'infinity', true) o
$$;
COMMENT ON FUNCTION @extschema@.univ3_pool_state_at(bigint, @extschema@.address, bigint) IS
	'a pool''s sqrt price, tick and active liquidity at a block, from its latest ingested swap or state reading';

-- A pool's observations over a window: first the one in effect at from_ts
-- (univ3_pool_latest at that time), then every swap and reading after
-- from_ts up to to_ts, in chain order.  log_index is NULL for a reading,
-- amount0/amount1 for a reading too.  The observation in effect bounds the
-- index scans of the window (everything after from_ts lies in a later
-- block), so the cost follows the window, not the history.
-- univ3_pool_ticks, the risk module's prices and the market source read it.
CREATE FUNCTION @extschema@.univ3_pool_observations(chain_id bigint, pool @extschema@.address,
	from_ts timestamptz, to_ts timestamptz)
RETURNS TABLE (at timestamptz, block_number bigint, log_index int, sqrt_price @extschema@.uint256,
	tick int, liquidity @extschema@.uint256, amount0 @extschema@.int256, amount1 @extschema@.int256)
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
	WITH first AS (SELECT * FROM univ3_pool_latest($1, $2, 9223372036854775807, least($3, $4), false)),
	lb(n) AS (SELECT coalesce((SELECT f.block_number FROM first f), 0))
	SELECT t.* FROM (
		SELECT * FROM first
		UNION ALL
		SELECT b.timestamp, s.block_number, s.log_index, s.sqrt_price_x96, s.tick, s.liquidity, s.amount0, s.amount1
		  FROM lb, univ3_swaps s JOIN blocks b ON b.chain_id = s.chain_id AND b.number = s.block_number
		 WHERE s.chain_id = $1 AND s.pool = $2 AND s.block_number >= lb.n
		   AND b.timestamp > $3 AND b.timestamp <= $4
		UNION ALL
		SELECT b.timestamp, p.block_number, NULL, p.sqrt_price_x96, p.tick, p.liquidity, NULL, NULL
		  FROM lb, univ3_pool_states p JOIN blocks b ON b.chain_id = p.chain_id AND b.number = p.block_number
		 WHERE p.chain_id = $1 AND p.pool = $2 AND p.block_number >= lb.n
		   AND b.timestamp > $3 AND b.timestamp <= $4) t
	 ORDER BY t.block_number, t.log_index NULLS LAST
$$;
COMMENT ON FUNCTION @extschema@.univ3_pool_observations(bigint, @extschema@.address, timestamptz, timestamptz) IS
	'a pool''s swap or state reading in effect at from_ts, then every swap and reading up to to_ts, in chain order';

-- The fee one swap paid, in raw token1 units: fee / 1e6 of the amount paid
-- in; a swap paying in token0 (amount0 > 0) is valued at its price after
-- the swap (sqrt_price^2 / 2^192 token1 per token0).  Exact in numeric.
CREATE FUNCTION @extschema@.univ3_swap_fee_token1(amount0 @extschema@.int256, amount1 @extschema@.int256,
	sqrt_price @extschema@.uint256, fee int)
RETURNS numeric
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
	SELECT CASE WHEN $1::numeric > 0
				THEN $1::numeric * (($3::numeric * $3::numeric)
					/ 6277101735386680763835789423207666416102355444464034512896::numeric * power(10::numeric, 0))
				ELSE $2::numeric END * $4::numeric / 1000000
$$;
COMMENT ON FUNCTION @extschema@.univ3_swap_fee_token1(@extschema@.int256, @extschema@.int256, @extschema@.uint256, int) IS
	'the fee a swap paid at a fee tier (millionths), in raw token1 units (token0 paid in valued at the price after the swap)';

-- The fees a pool's swaps paid after `since` up to a block, in raw token1
-- units (univ3_swap_fee_token1 of each).
CREATE FUNCTION @extschema@.univ3_pool_fees_token1(chain_id bigint, pool @extschema@.address, fee int,
	since timestamptz, block bigint)
RETURNS numeric
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
	SELECT sum(univ3_swap_fee_token1(sw.amount0, sw.amount1, sw.sqrt_price_x96, $3))
	  FROM univ3_swaps sw JOIN blocks b ON b.chain_id = sw.chain_id AND b.number = sw.block_number
	 WHERE sw.chain_id = $1 AND sw.pool = $2 AND sw.block_number <= $5
	   AND b.timestamp > $4
$$;
COMMENT ON FUNCTION @extschema@.univ3_pool_fees_token1(bigint, @extschema@.address, int, timestamptz, bigint) IS
	'fees the pool''s swaps paid after since up to a block, in raw token1 units (token0 at the swap''s price)';

-- A pool's trading per bucket: one row per bucket end from_ts, from_ts +
-- bucket, ... up to to_ts (the grid of market_series), each with the swaps
-- of (at - bucket, at]: their number, the token0 and token1 that changed
-- hands (the sum of |amount0| and of |amount1|, raw units, exact) and, with
-- the pool's fee tier (millionths), the fees they paid in raw token1 units
-- (univ3_swap_fee_token1; NULL without a fee).  Buckets without swaps have
-- zeros.  The window and bucket are checked as market_check_window does.
CREATE FUNCTION @extschema@.univ3_pool_activity(chain_id bigint, pool @extschema@.address,
	from_ts timestamptz, to_ts timestamptz, bucket interval, fee int DEFAULT NULL)
RETURNS TABLE (at timestamptz, swaps bigint, volume0 numeric, volume1 numeric, fees1 numeric)
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
DECLARE
	secs numeric := extract(epoch FROM bucket);
	last_k bigint;
BEGIN
	PERFORM market_check_window(from_ts, to_ts, coalesce(bucket, interval '0'));
	IF fee < 0 OR fee >= 1000000 THEN
		RAISE EXCEPTION 'fee must be a fee tier in millionths between 0 and 999999, not %', fee
			USING ERRCODE = 'invalid_parameter_value';
	END IF;
	last_k := floor(extract(epoch FROM to_ts - from_ts) / secs)::bigint;
	RETURN QUERY
	WITH g AS (
		SELECT k, from_ts + make_interval(secs => k * secs) AS e FROM generate_series(0, last_k) AS k),
	-- block numbers bound the index scan: block times never decrease
	lim AS (
		SELECT ingest_block_at(univ3_pool_activity.chain_id, from_ts - bucket) AS lo,
			   ingest_block_at(univ3_pool_activity.chain_id, (SELECT max(g.e) FROM g)) AS hi),
	sw AS (
		SELECT ceil(extract(epoch FROM b.timestamp - from_ts) / secs)::bigint AS k,
			   s.amount0, s.amount1, s.sqrt_price_x96
		  FROM lim, univ3_swaps s JOIN blocks b ON b.chain_id = s.chain_id AND b.number = s.block_number
		 WHERE s.chain_id = univ3_pool_activity.chain_id AND s.pool = univ3_pool_activity.pool
		   AND s.block_number > coalesce(lim.lo, -1) AND s.block_number <= lim.hi
		   AND b.timestamp > from_ts - bucket AND b.timestamp <= (SELECT max(g.e) FROM g))
	SELECT g.e, count(sw.k), coalesce(sum(abs(sw.amount0::numeric)), 0), coalesce(sum(abs(sw.amount1::numeric)), 0),
		   CASE WHEN fee IS NOT NULL
				THEN coalesce(sum(univ3_swap_fee_token1(sw.amount0, sw.amount1, sw.sqrt_price_x96, fee)), 0) END
	  FROM g LEFT JOIN sw ON sw.k = g.k
	 GROUP BY g.k, g.e
	 ORDER BY g.k;
END
$$;
COMMENT ON FUNCTION @extschema@.univ3_pool_activity(bigint, @extschema@.address, timestamptz, timestamptz, interval, int) IS
	'a pool''s swaps per bucket end: count, token0 and token1 that changed hands (raw, exact) and fees in raw token1 at a fee tier';

-- The pool price source of the market layer: raw token1 per token0
-- (sqrt_price^2 / 2^192) at the observation in effect at from_ts and at
-- every swap and reading up to to_ts.
CREATE FUNCTION @extschema@.univ3_market_prices(chain_id bigint, pool @extschema@.address,
	from_ts timestamptz, to_ts timestamptz)
RETURNS @extschema@.market_point[]
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
	SELECT coalesce(array_agg(ROW(o.at, o.block_number,
			(o.sqrt_price::numeric * o.sqrt_price::numeric) / 6277101735386680763835789423207666416102355444464034512896::numeric
		)::market_point ORDER BY o.block_number, o.log_index NULLS LAST), '{}')
	  FROM univ3_pool_observations($1, $2, $3, $4) o
	 WHERE o.sqrt_price > 0::uint256
$$;
COMMENT ON FUNCTION @extschema@.univ3_market_prices(bigint, @extschema@.address, timestamptz, timestamptz) IS
	'market source univ3_pool: a pool''s raw price (token1 per token0) in effect at from_ts, then at every swap and reading';

INSERT INTO @extschema@.market_sources (name, provides, series, description, builtin)
VALUES ('univ3_pool', 'price', '@extschema@.univ3_market_prices'::regproc,
		'Uniswap v3 pool (contract: the pool): raw token1 per token0 after every swap and at every state reading; scale = decimals0 - decimals1, inverted for token1''s price in token0', true);

-- A pool's initialized ticks at the end of a block and their liquidity net,
-- from its Mint and Burn logs (a position adds its liquidity at its lower
-- tick and takes it at its upper tick): what univ3_simulate_swap() needs to
-- quote a swap across ticks.  Ticks whose net is zero are left out.  Exact
-- when the pool is watched from its first mint.
CREATE FUNCTION @extschema@.univ3_pool_liquidity_net_at(chain_id bigint, pool @extschema@.address, block bigint)
RETURNS TABLE (tick int, liquidity_net @extschema@.int256)
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
	SELECT x.t, int256(sum(x.n)) FROM (
		SELECT m.tick_lower AS t, m.liquidity::numeric AS n FROM univ3_mints m
		 WHERE m.chain_id = $1 AND m.pool = $2 AND m.block_number <= $3
		UNION ALL
		SELECT m.tick_upper, -m.liquidity::numeric FROM univ3_mints m
		 WHERE m.chain_id = $1 AND m.pool = $2 AND m.block_number <= $3
		UNION ALL
		SELECT b.tick_lower, -b.liquidity::numeric FROM univ3_burns b
		 WHERE b.chain_id = $1 AND b.pool = $2 AND b.block_number <= $3
		UNION ALL
		SELECT b.tick_upper, b.liquidity::numeric FROM univ3_burns b
		 WHERE b.chain_id = $1 AND b.pool = $2 AND b.block_number <= $3) AS x
	 GROUP BY x.t HAVING sum(x.n) <> 0
	 ORDER BY x.t
$$;
COMMENT ON FUNCTION @extschema@.univ3_pool_liquidity_net_at(bigint, @extschema@.address, bigint) IS
	'a pool''s initialized ticks and their liquidity net at the end of a block, from its Mint and Burn logs (for univ3_simulate_swap)';

-- They read chain data: for readers, as the tables they read.
REVOKE ALL ON FUNCTION @extschema@.univ3_pool_liquidity_net_at(bigint, @extschema@.address, bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION @extschema@.univ3_pool_liquidity_net_at(bigint, @extschema@.address, bigint) TO amplified_reader;
REVOKE ALL ON FUNCTION @extschema@.univ3_pool_state_at(bigint, @extschema@.address, bigint),
	@extschema@.univ3_pool_activity(bigint, @extschema@.address, timestamptz, timestamptz, interval, int),
	@extschema@.univ3_pool_latest(bigint, @extschema@.address, bigint, timestamptz, boolean),
	@extschema@.univ3_pool_latest_search(bigint, @extschema@.address, bigint, timestamptz, boolean),
	@extschema@.univ3_pool_observations(bigint, @extschema@.address, timestamptz, timestamptz),
	@extschema@.univ3_pool_fees_token1(bigint, @extschema@.address, int, timestamptz, bigint),
	@extschema@.univ3_market_prices(bigint, @extschema@.address, timestamptz, timestamptz) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION @extschema@.univ3_pool_state_at(bigint, @extschema@.address, bigint),
	@extschema@.univ3_pool_activity(bigint, @extschema@.address, timestamptz, timestamptz, interval, int),
	@extschema@.univ3_pool_latest(bigint, @extschema@.address, bigint, timestamptz, boolean),
	@extschema@.univ3_pool_latest_search(bigint, @extschema@.address, bigint, timestamptz, boolean),
	@extschema@.univ3_pool_observations(bigint, @extschema@.address, timestamptz, timestamptz),
	@extschema@.univ3_pool_fees_token1(bigint, @extschema@.address, int, timestamptz, bigint),
	@extschema@.univ3_market_prices(bigint, @extschema@.address, timestamptz, timestamptz) TO amplified_reader;
