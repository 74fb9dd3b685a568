-- src/forecast/features.sql: feature builders over the market layer.  Each
-- returns a table meant as the source query of forecast_train: one row per
-- bucket end in time order, a timestamptz column `at` (the time index, not
-- a feature), the features as float8, and targets named next_* (the next
-- bucket's value; NULL on the last row).  docs/forecast.md, "Features".
--
-- Rules common to them all:
--   * the bucket grid is market_series's: from_ts, from_ts + bucket, ... up
--     to to_ts, each row holding the last observation at or before its end;
--     a bucket without observations repeats the last value, and there is no
--     row before the first known value;
--   * a change (log return, APR) of the first row is measured from the
--     bucket end before from_ts, so the first row has one when the feed
--     knew a value then;
--   * rolling statistics use only the rows at or before their row (frames
--     of `window` rows ending at the current row: no look-ahead); a rolling
--     statistic is NULL until its frame holds `window` rows; means skip
--     NULL values, sds are sample sds (n - 1) of the non-NULL values;
--   * lags are of earlier rows; next_* are the only columns that look
--     ahead, and must never be left among the features of a model (select
--     the columns you train on; forecast_train takes every number column
--     but the target as a feature, and refuses NULLs: filter the first and
--     last rows).
-- They read the other modules through their read models only: the market
-- layer (market_feed_series, market_series), ingest (ingest_block_time,
-- ingest_block_at), lending (lend_borrow_apy_avg) and univ3
-- (univ3_pool_activity).

-- Refuses rolling windows the builders cannot serve (22023): a NULL window,
-- one under 2 buckets (a sample sd needs two values), a short window longer
-- than the long one, or one over 100000 buckets (the most a series has).
CREATE FUNCTION @extschema@.forecast_check_windows(short_window int, long_window int)
RETURNS void
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF short_window IS NULL OR long_window IS NULL OR short_window < 2 OR long_window > 100000 THEN
		RAISE EXCEPTION 'rolling windows must be between 2 and 100000 buckets, not % and %',
			coalesce(short_window::text, 'NULL'), coalesce(long_window::text, 'NULL')
			USING ERRCODE = 'invalid_parameter_value',
				  DETAIL = 'A rolling sd needs at least two values.';
	END IF;
	IF short_window > long_window THEN
		RAISE EXCEPTION 'the short window (%) must not be longer than the long window (%)', short_window, long_window
			USING ERRCODE = 'invalid_parameter_value';
	END IF;
END
$$;
COMMENT ON FUNCTION @extschema@.forecast_check_windows(int, int) IS
	'refuse rolling windows under 2 or over 100000 buckets, or a short window longer than the long one (22023)';

-- An asset's exchange rate per bucket end (market_rate_series) and the
-- yield of each bucket: the growth of the rate between the observations in
-- effect at the bucket's two ends, annualised over the seconds between
-- those observations' blocks (a 365-day year): apr simple, as yield_apr
-- ((r1 / r0 - 1) * year / seconds), apy compounded, as yield_apy
-- ((r1 / r0)^(year / seconds) - 1).  NULL when both ends hold the same
-- observation (no new read in the bucket: the yield is unknown, not zero),
-- when a block's time is not stored, or when the earlier rate is not
-- positive.  The row at from_ts measures from the bucket end before it.
CREATE FUNCTION @extschema@.forecast_rate_buckets(chain_id bigint, asset @extschema@.address,
	from_ts timestamptz, to_ts timestamptz, bucket interval, source text DEFAULT NULL)
RETURNS TABLE (at timestamptz, block_number bigint, rate numeric, apr float8, apy float8)
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
BEGIN
	PERFORM market_check_window(from_ts, to_ts, coalesce(bucket, interval '0'));
	RETURN QUERY
	WITH s AS (
		SELECT r.at, r.block_number, r.value, ingest_block_time(forecast_rate_buckets.chain_id, r.block_number) AS t,
			   lag(r.block_number) OVER w AS pb, lag(r.value) OVER w AS pv,
			   ingest_block_time(forecast_rate_buckets.chain_id, lag(r.block_number) OVER w) AS pt
		  FROM market_feed_series(forecast_rate_buckets.chain_id, asset, NULL, 'rate', from_ts - bucket, to_ts, bucket, source) r
		WINDOW w AS (ORDER BY r.at)),
	g AS (
		SELECT s.*, extract(epoch FROM s.t - s.pt)::float8 AS secs,
			   CASE WHEN s.pv > 0 THEN s.value / s.pv END AS ratio
		  FROM s)
	SELECT g.at, g.block_number, g.value,
		   CASE WHEN g.pb <> g.block_number AND g.secs > 0 THEN (g.ratio - 1)::float8 * 31536000 / g.secs END,
		   CASE WHEN g.pb <> g.block_number AND g.secs > 0 AND g.ratio > 0
				THEN exp(ln(g.ratio)::float8 * 31536000 / g.secs) - 1 END
	  FROM g
	 WHERE g.at >= from_ts
	 ORDER BY g.at;
END
$$;
COMMENT ON FUNCTION @extschema@.forecast_rate_buckets(bigint, @extschema@.address, timestamptz, timestamptz, interval, text) IS
	'an asset''s rate per bucket end and each bucket''s APR and APY (over the seconds between the observations; NULL without a new one)';

-- One market series per bucket end, as forecast_features reads it.  A
-- price feed (quote given): value is the price at the bucket end, change
-- its log return over the bucket (0 over a bucket without observations:
-- the price is repeated).  A rate feed (quote NULL, an LST's exchange
-- rate): value is the bucket's simple APR (forecast_rate_buckets: NULL over
-- a bucket without a new read), change its first difference (NULL next to
-- a NULL APR).  An unknown feed is the market layer's error (market_feed).
CREATE FUNCTION @extschema@.forecast_series_changes(chain_id bigint, asset @extschema@.address,
	quote @extschema@.address, from_ts timestamptz, to_ts timestamptz, bucket interval, source text DEFAULT NULL)
RETURNS TABLE (at timestamptz, value float8, change float8)
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
BEGIN
	PERFORM market_check_window(from_ts, to_ts, coalesce(bucket, interval '0'));
	IF quote IS NULL THEN
		RETURN QUERY
		SELECT d.at, d.apr, d.change
		  FROM (SELECT r.at, r.apr, r.apr - lag(r.apr) OVER (ORDER BY r.at) AS change
				  FROM forecast_rate_buckets(forecast_series_changes.chain_id, asset, from_ts - bucket, to_ts, bucket, source) r) d
		 WHERE d.at >= from_ts
		 ORDER BY d.at;
		RETURN;
	END IF;
	RETURN QUERY
	SELECT p.at, p.value::float8,
		   CASE WHEN p.prev > 0 AND p.value > 0 THEN ln(p.value::float8 / p.prev::float8) END
	  FROM (SELECT s.at, s.value, lag(s.value) OVER (ORDER BY s.at) AS prev
			  FROM market_feed_series(forecast_series_changes.chain_id, asset, quote, 'price', from_ts - bucket, to_ts,
									  bucket, source) s) p
	 WHERE p.at >= from_ts
	 ORDER BY p.at;
END
$$;
COMMENT ON FUNCTION @extschema@.forecast_series_changes(bigint, @extschema@.address, @extschema@.address,
	timestamptz, timestamptz, interval, text) IS
	'a price per bucket end and its log return, or an LST''s APR per bucket and its first difference';

-- Features of one market series (forecast_series_changes): value and
-- change, the changes of the 1 to 3 buckets before, rolling means of value
-- and sds of change over the short and long windows, and the targets
-- next_value and next_change.
CREATE FUNCTION @extschema@.forecast_features(chain_id bigint, asset @extschema@.address,
	from_ts timestamptz, to_ts timestamptz, quote @extschema@.address DEFAULT NULL,
	bucket interval DEFAULT '1 day', short_window int DEFAULT 7, long_window int DEFAULT 30,
	source text DEFAULT NULL)
RETURNS TABLE (at timestamptz, value float8, change float8, change_lag1 float8, change_lag2 float8,
	change_lag3 float8, mean_short float8, mean_long float8, vol_short float8, vol_long float8,
	next_value float8, next_change float8)
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
BEGIN
	PERFORM forecast_check_windows(short_window, long_window);
	RETURN QUERY
	SELECT b.at, b.value, b.change,
		   lag(b.change, 1) OVER o, lag(b.change, 2) OVER o, lag(b.change, 3) OVER o,
		   CASE WHEN count(*) OVER ws = short_window THEN avg(b.value) OVER ws END,
		   CASE WHEN count(*) OVER wl = long_window THEN avg(b.value) OVER wl END,
		   CASE WHEN count(*) OVER ws = short_window THEN stddev_samp(b.change) OVER ws END,
		   CASE WHEN count(*) OVER wl = long_window THEN stddev_samp(b.change) OVER wl END,
		   lead(b.value) OVER o, lead(b.change) OVER o
	  FROM forecast_series_changes(forecast_features.chain_id, asset, quote, from_ts, to_ts, bucket, source) b
	WINDOW o AS (ORDER BY b.at),
		   ws AS (ORDER BY b.at ROWS BETWEEN short_window - 1 PRECEDING AND CURRENT ROW),
		   wl AS (ORDER BY b.at ROWS BETWEEN long_window - 1 PRECEDING AND CURRENT ROW)
	 ORDER BY b.at;
END
$$;
COMMENT ON FUNCTION @extschema@.forecast_features(bigint, @extschema@.address, timestamptz, timestamptz,
	@extschema@.address, interval, int, int, text) IS
	'features per bucket of a price (log returns) or an LST rate (APRs): lags, rolling means and sds (no look-ahead), next_value and next_change targets';

-- Features of the spread between an LST's yield and a lending market's
-- borrow cost: lst_apr and lst_apy of each bucket (forecast_rate_buckets),
-- borrow_apy the market's borrow APY averaged by time over the bucket
-- (lend_borrow_apy_avg over `bucket` ending at the block in effect at the
-- bucket end, ingest_block_at; NULL before the market exists), and spread =
-- lst_apy - borrow_apy (both compounded yearly yields: like with like), its
-- values 1 to 3 buckets before, its rolling means and sds, and the target
-- next_spread.
CREATE FUNCTION @extschema@.forecast_spread_features(chain_id bigint, lst @extschema@.address,
	market @extschema@.bytes32, from_ts timestamptz, to_ts timestamptz, bucket interval DEFAULT '1 day',
	short_window int DEFAULT 7, long_window int DEFAULT 30, source text DEFAULT NULL)
RETURNS TABLE (at timestamptz, lst_apr float8, lst_apy float8, borrow_apy float8, spread float8,
	spread_lag1 float8, spread_lag2 float8, spread_lag3 float8, spread_mean_short float8,
	spread_mean_long float8, spread_vol_short float8, spread_vol_long float8, next_spread float8)
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
BEGIN
	PERFORM forecast_check_windows(short_window, long_window);
	PERFORM market_check_window(from_ts, to_ts, coalesce(bucket, interval '0'));
	IF NOT EXISTS (SELECT FROM lend_markets l WHERE l.chain_id = forecast_spread_features.chain_id
					  AND l.market = forecast_spread_features.market) THEN
		RAISE EXCEPTION 'unknown lending market % on chain %', market, chain_id
			USING ERRCODE = 'undefined_object',
				  HINT = 'The lending markets the database knows are listed in lend_markets.';
	END IF;
	RETURN QUERY
	WITH base AS (
		SELECT r.at, r.apr, r.apy, x.borrow, r.apy - x.borrow AS spread
		  FROM forecast_rate_buckets(forecast_spread_features.chain_id, lst, from_ts, to_ts, bucket, source) r
		 CROSS JOIN LATERAL (
			SELECT lend_borrow_apy_avg(forecast_spread_features.chain_id, market,
				ingest_block_at(forecast_spread_features.chain_id, r.at), bucket) AS borrow) x)
	SELECT b.at, b.apr, b.apy, b.borrow, b.spread,
		   lag(b.spread, 1) OVER o, lag(b.spread, 2) OVER o, lag(b.spread, 3) OVER o,
		   CASE WHEN count(*) OVER ws = short_window THEN avg(b.spread) OVER ws END,
		   CASE WHEN count(*) OVER wl = long_window THEN avg(b.spread) OVER wl END,
		   CASE WHEN count(*) OVER ws = short_window THEN stddev_samp(b.spread) OVER ws END,
		   CASE WHEN count(*) OVER wl = long_window THEN stddev_samp(b.spread) OVER wl END,
		   lead(b.spread) OVER o
	  FROM base b
	WINDOW o AS (ORDER BY b.at),
		   ws AS (ORDER BY b.at ROWS BETWEEN short_window - 1 PRECEDING AND CURRENT ROW),
		   wl AS (ORDER BY b.at ROWS BETWEEN long_window - 1 PRECEDING AND CURRENT ROW)
	 ORDER BY b.at;
END
$$;
COMMENT ON FUNCTION @extschema@.forecast_spread_features(bigint, @extschema@.address, @extschema@.bytes32,
	timestamptz, timestamptz, interval, int, int, text) IS
	'features per bucket of the spread of an LST''s APY over a lending market''s average borrow APY: lags, rolling means and sds (no look-ahead), next_spread target';

-- Features of a Uniswap v3 pool: price, the pool's raw token1 per token0
-- from the market layer's univ3_pool source (scaled by 10^(decimals0 -
-- decimals1), so whole token1 per whole token0 when the tokens' decimals
-- are given), ret its log return over the bucket (independent of the
-- scale), and the bucket's trading (univ3_pool_activity): swaps, volume0
-- and volume1 (the tokens that changed hands, in whole tokens: raw / 10^
-- decimals), fees1 (fees at the fee tier, in whole token1).  Then rolling
-- sds of ret, rolling means of volume1, and the targets next_ret and
-- next_volume1.  Rows start at the first bucket with a known price.
CREATE FUNCTION @extschema@.forecast_pool_features(chain_id bigint, pool @extschema@.address, fee int,
	from_ts timestamptz, to_ts timestamptz, bucket interval DEFAULT '1 day', short_window int DEFAULT 7,
	long_window int DEFAULT 30, decimals0 int DEFAULT 0, decimals1 int DEFAULT 0)
RETURNS TABLE (at timestamptz, price float8, ret float8, swaps float8, volume0 float8, volume1 float8,
	fees1 float8, vol_short float8, vol_long float8, volume_mean_short float8, volume_mean_long float8,
	next_ret float8, next_volume1 float8)
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
DECLARE
	f market_feeds;
BEGIN
	PERFORM forecast_check_windows(short_window, long_window);
	PERFORM market_check_window(from_ts, to_ts, coalesce(bucket, interval '0'));
	IF fee IS NULL OR decimals0 IS NULL OR decimals1 IS NULL
	   OR decimals0 NOT BETWEEN 0 AND 77 OR decimals1 NOT BETWEEN 0 AND 77 THEN
		RAISE EXCEPTION 'a pool''s fee tier and its tokens'' decimals (0 to 77) are needed, not %, % and %',
			coalesce(fee::text, 'NULL'), coalesce(decimals0::text, 'NULL'), coalesce(decimals1::text, 'NULL')
			USING ERRCODE = 'invalid_parameter_value';
	END IF;
	-- the pool as a feed of the univ3_pool source, not stored
	f := ROW(NULL, forecast_pool_features.chain_id, pool, NULL, 'univ3_pool', pool, decimals0 - decimals1,
			 false, 100, NULL)::market_feeds;
	RETURN QUERY
	WITH px AS (
		SELECT p.at, p.value::float8 AS price,
			   CASE WHEN p.prev > 0 AND p.value > 0 THEN ln(p.value::float8 / p.prev::float8) END AS ret
		  FROM (SELECT s.at, s.value, lag(s.value) OVER (ORDER BY s.at) AS prev
				  FROM market_series(f, from_ts - bucket, to_ts, bucket) s) p
		 WHERE p.at >= from_ts),
	base AS (
		SELECT px.at, px.price, px.ret, a.swaps::float8 AS swaps,
			   (a.volume0 / 10::numeric ^ decimals0)::float8 AS volume0,
			   (a.volume1 / 10::numeric ^ decimals1)::float8 AS volume1,
			   (a.fees1 / 10::numeric ^ decimals1)::float8 AS fees1
		  FROM px JOIN univ3_pool_activity(forecast_pool_features.chain_id, pool, from_ts, to_ts, bucket, fee) a
			ON a.at = px.at)
	SELECT b.at, b.price, b.ret, b.swaps, b.volume0, b.volume1, b.fees1,
		   CASE WHEN count(*) OVER ws = short_window THEN stddev_samp(b.ret) OVER ws END,
		   CASE WHEN count(*) OVER wl = long_window THEN stddev_samp(b.ret) OVER wl END,
		   CASE WHEN count(*) OVER ws = short_window THEN avg(b.volume1) OVER ws END,
		   CASE WHEN count(*) OVER wl = long_window THEN avg(b.volume1) OVER wl END,
		   lead(b.ret) OVER o, lead(b.volume1) OVER o
	  FROM base b
	WINDOW o AS (ORDER BY b.at),
		   ws AS (ORDER BY b.at ROWS BETWEEN short_window - 1 PRECEDING AND CURRENT ROW),
		   wl AS (ORDER BY b.at ROWS BETWEEN long_window - 1 PRECEDING AND CURRENT ROW)
	 ORDER BY b.at;
END
$$;
COMMENT ON FUNCTION @extschema@.forecast_pool_features(bigint, @extschema@.address, int, timestamptz, timestamptz,
	interval, int, int, int, int) IS
	'features per bucket of a Uniswap v3 pool: price, log return, swaps, volumes and fees (whole tokens at the given decimals), rolling sds and volume means (no look-ahead), next_ret and next_volume1 targets';

-- They read chain data through the read models: for analysts, who train.
REVOKE ALL ON FUNCTION @extschema@.forecast_rate_buckets(bigint, @extschema@.address, timestamptz, timestamptz, interval, text),
	@extschema@.forecast_series_changes(bigint, @extschema@.address, @extschema@.address, timestamptz, timestamptz, interval, text),
	@extschema@.forecast_features(bigint, @extschema@.address, timestamptz, timestamptz, @extschema@.address, interval, int, int, text),
	@extschema@.forecast_spread_features(bigint, @extschema@.address, @extschema@.bytes32, timestamptz, timestamptz, interval, int, int, text),
	@extschema@.forecast_pool_features(bigint, @extschema@.address, int, timestamptz, timestamptz, interval, int, int, int, int)
	FROM PUBLIC;
GRANT EXECUTE ON FUNCTION @extschema@.forecast_rate_buckets(bigint, @extschema@.address, timestamptz, timestamptz, interval, text),
	@extschema@.forecast_series_changes(bigint, @extschema@.address, @extschema@.address, timestamptz, timestamptz, interval, text),
	@extschema@.forecast_features(bigint, @extschema@.address, timestamptz, timestamptz, @extschema@.address, interval, int, int, text),
	@extschema@.forecast_spread_features(bigint, @extschema@.address, @extschema@.bytes32, timestamptz, timestamptz, interval, int, int, text),
	@extschema@.forecast_pool_features(bigint, @extschema@.address, int, timestamptz, timestamptz, interval, int, int, int, int)
	TO amplified_analyst;
