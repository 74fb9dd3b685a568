-- 082_forecast_features: the feature builders of src/forecast/features.sql
-- and the read models they added (ingest_block_at, univ3_pool_activity,
-- univ3_swap_fee_token1) over synthetic ingested rows.
--
-- A chain with blocks 0..80, block n at 2026-01-01 00:00 UTC + n half
-- hours; buckets of one hour, hour h ends at block 2h.
--   Pool P (fee 0.3%): one swap per hour h = 1..40 at block 2h - 1 (half
--     past), sqrt price k(h) * 2^96 with k(h) = 2 + (7h mod 5), so the raw
--     price is k(h)^2; no swap in hours 20 and 21 (the price repeats).
--     Even h: token0 in (amount0 = 100h, amount1 = -50h); odd h: token1 in
--     (amount0 = -10h, amount1 = 30h).
--   LST L: stEthPerToken() read on the hour (block 2h) for h = 0..40 but
--     10 and 11, rate r(h) = 1e18 + 1e13 h + 3e12 (h mod 3) (raw).
--   Aave reserve (pool AP, asset W): a ReserveDataUpdated on every hour
--     (block 2h) with variable borrow rate (0.03 + 0.001 (h mod 4)) ray.
-- Expected figures are computed below from these definitions by plain
-- arithmetic (correlated subqueries and explicit formulas), not by the
-- window frames the functions use.  All of it is rolled back.
BEGIN;
SELECT * FROM no_plan();
SET LOCAL search_path = amplified, public;

INSERT INTO chains (chain_id, name, rpc_urls, enabled) VALUES (990082, 'features-test', '{http://127.0.0.1:1}', false);
INSERT INTO blocks (chain_id, number, hash, parent_hash, timestamp)
SELECT 990082, n, ('0x' || lpad(to_hex(n + 1), 64, '0'))::bytes32, ('0x' || lpad(to_hex(n), 64, '0'))::bytes32,
	   '2026-01-01 00:00+00'::timestamptz + n * interval '30 minutes'
  FROM generate_series(0, 80) AS n;
-- the end of hour h
CREATE FUNCTION pg_temp.t(h numeric) RETURNS timestamptz LANGUAGE sql
	RETURN '2026-01-01 00:00+00'::timestamptz + h * interval '1 hour';
CREATE FUNCTION pg_temp.k(h int) RETURNS int LANGUAGE sql RETURN 2 + (7 * h) % 5;
CREATE FUNCTION pg_temp.rate(h int) RETURNS numeric LANGUAGE sql RETURN 1e18 + 1e13 * h + 3e12 * (h % 3);
-- |a - b| <= tol, NULLs equal
CREATE FUNCTION pg_temp.near(a float8, b float8, tol float8 DEFAULT 1e-12) RETURNS boolean LANGUAGE sql
	RETURN (a IS NULL AND b IS NULL) OR abs(a - b) <= tol;

INSERT INTO univ3_swaps (chain_id, block_number, log_index, pool, sender, recipient, amount0, amount1,
	sqrt_price_x96, liquidity, tick)
SELECT 990082, 2 * h - 1, 0, '0x1111111111111111111111111111111111111111', '0x0000000000000000000000000000000000000001',
	   '0x0000000000000000000000000000000000000001',
	   (CASE WHEN h % 2 = 0 THEN 100 * h ELSE -10 * h END)::int256,
	   (CASE WHEN h % 2 = 0 THEN -50 * h ELSE 30 * h END)::int256,
	   (pg_temp.k(h) * 2::numeric ^ 96)::uint256, '1000'::uint256, 0
  FROM generate_series(1, 40) AS h WHERE h NOT IN (20, 21);
INSERT INTO lst_rates (chain_id, block_number, token, method, rate)
SELECT 990082, 2 * h, '0xcccccccccccccccccccccccccccccccccccccccc', 'stEthPerToken()', pg_temp.rate(h)::uint256
  FROM generate_series(0, 40) AS h WHERE h NOT IN (10, 11);
INSERT INTO market_feeds (chain_id, asset, quote, source, contract, scale) VALUES
	(990082, '0xaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', '0xbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb', 'univ3_pool',
	 '0x1111111111111111111111111111111111111111', 0),
	(990082, '0xcccccccccccccccccccccccccccccccccccccccc', NULL, 'lst_rate',
	 '0xcccccccccccccccccccccccccccccccccccccccc', -18);

-- ---- ingest_block_at ----
SELECT is(ARRAY[ingest_block_at(990082, pg_temp.t(3)), ingest_block_at(990082, pg_temp.t(3.25)),
				ingest_block_at(990082, pg_temp.t(-1)), ingest_block_at(990082, pg_temp.t(1000)),
				ingest_block_at(990083, pg_temp.t(3))],
	ARRAY[6, 6, NULL, 80, NULL]::bigint[],
	'ingest_block_at: a block''s own time, between blocks the earlier, none before the first, the newest after the last, another chain none');

-- ---- univ3_swap_fee_token1, univ3_pool_activity ----
-- token0 in: 100 at price 9 (k = 3) at 0.3% = 2.7; token1 in: 30 at 0.3% = 0.09
SELECT is(ARRAY[univ3_swap_fee_token1('100', '-50', (3 * 2::numeric ^ 96)::uint256, 3000),
				univ3_swap_fee_token1('-10', '30', (3 * 2::numeric ^ 96)::uint256, 3000)],
	ARRAY[2.7, 0.09], 'swap fee: token0 in valued at the price after, token1 in as paid');
CREATE TEMP TABLE act AS
SELECT * FROM univ3_pool_activity(990082, '0x1111111111111111111111111111111111111111', pg_temp.t(1), pg_temp.t(40),
	interval '1 hour', 3000);
SELECT is((SELECT count(*) FROM act), 40::bigint, 'activity: one row per bucket end, hours 1 to 40');
SELECT is((SELECT array_agg(a.at ORDER BY a.at) FROM act a),
	(SELECT array_agg(pg_temp.t(h) ORDER BY h) FROM generate_series(1, 40) h), 'activity: the bucket ends in order');
SELECT is((SELECT count(*) FROM act a, generate_series(1, 40) h
			WHERE a.at = pg_temp.t(h)
			  AND (a.swaps, a.volume0, a.volume1, a.fees1) IS NOT DISTINCT FROM
				  (CASE WHEN h IN (20, 21) THEN 0 ELSE 1 END::bigint,
				   CASE WHEN h IN (20, 21) THEN 0 WHEN h % 2 = 0 THEN 100 * h ELSE 10 * h END::numeric,
				   CASE WHEN h IN (20, 21) THEN 0 WHEN h % 2 = 0 THEN 50 * h ELSE 30 * h END::numeric,
				   CASE WHEN h IN (20, 21) THEN 0 WHEN h % 2 = 0 THEN 100 * h * pg_temp.k(h) ^ 2 * 0.003
						ELSE 30 * h * 0.003 END::numeric)),
	40::bigint, 'activity: each hour''s swap count, |amount0|, |amount1| and fee, exact; zeros without swaps');
SELECT is((SELECT array_agg((a.swaps, a.volume1, a.fees1)::text ORDER BY a.at)
			 FROM univ3_pool_activity(990082, '0x1111111111111111111111111111111111111111', pg_temp.t(0.5), pg_temp.t(3.5),
				  interval '2 hours') a),
	ARRAY['(1,30,)', '(2,190,)'],
	'activity: buckets of 2 h ending 00:30 (the swap at 00:30: 30) and 02:30 (01:30 and 02:30: 100 + 90); no fee tier, no fees');
SELECT is((SELECT array_agg(a.swaps ORDER BY a.at) FROM univ3_pool_activity(990082, '0x2222222222222222222222222222222222222222',
			pg_temp.t(1), pg_temp.t(3), interval '1 hour') a),
	ARRAY[0, 0, 0]::bigint[], 'activity of a pool without swaps: zeros');
SELECT throws_ok($$SELECT * FROM univ3_pool_activity(990082, '0x1111111111111111111111111111111111111111', now(), now(), interval '0')$$,
	'22023', NULL, 'activity: a zero bucket');
SELECT throws_ok($$SELECT * FROM univ3_pool_activity(990082, '0x1111111111111111111111111111111111111111', now(), now(), NULL)$$,
	'22023', NULL, 'activity: a NULL bucket');
SELECT throws_ok($$SELECT * FROM univ3_pool_activity(990082, '0x1111111111111111111111111111111111111111', now(), now() - interval '1 day', interval '1 hour')$$,
	'22023', NULL, 'activity: a reversed window');
SELECT throws_ok($$SELECT * FROM univ3_pool_activity(990082, '0x1111111111111111111111111111111111111111', now(), now(), interval '1 hour', 1000000)$$,
	'22023', NULL, 'activity: a fee tier of 100%');

-- ---- forecast_features on a price ----
-- expected: price k(h)^2 at hour h (h = 20, 21 repeat hour 19's), log
-- return against the hour before (hour 0: no swap yet, so hour 1 has none)
CREATE TEMP TABLE px AS
SELECT h, p::float8 AS value, CASE WHEN h > 1 THEN ln(p / lag(p) OVER (ORDER BY h))::float8 END AS change
  FROM (SELECT h, pg_temp.k(CASE WHEN h IN (20, 21) THEN 19 ELSE h END)::numeric ^ 2 AS p FROM generate_series(1, 40) h) x;
CREATE TEMP TABLE pxe AS
SELECT a.h, a.value, a.change,
	   (SELECT b.change FROM px b WHERE b.h = a.h - 1) AS lag1,
	   (SELECT b.change FROM px b WHERE b.h = a.h - 2) AS lag2,
	   (SELECT b.change FROM px b WHERE b.h = a.h - 3) AS lag3,
	   CASE WHEN a.h >= 5 THEN (SELECT sum(b.value) / 5 FROM px b WHERE b.h BETWEEN a.h - 4 AND a.h) END AS mean_s,
	   CASE WHEN a.h >= 12 THEN (SELECT sum(b.value) / 12 FROM px b WHERE b.h BETWEEN a.h - 11 AND a.h) END AS mean_l,
	   CASE WHEN a.h >= 5 THEN (SELECT sqrt(sum((b.change - m.m) ^ 2) / (count(b.change) - 1))
								  FROM px b, (SELECT sum(c.change) / count(c.change) AS m FROM px c WHERE c.h BETWEEN a.h - 4 AND a.h) m
								 WHERE b.h BETWEEN a.h - 4 AND a.h) END AS vol_s,
	   CASE WHEN a.h >= 12 THEN (SELECT sqrt(sum((b.change - m.m) ^ 2) / (count(b.change) - 1))
								  FROM px b, (SELECT sum(c.change) / count(c.change) AS m FROM px c WHERE c.h BETWEEN a.h - 11 AND a.h) m
								 WHERE b.h BETWEEN a.h - 11 AND a.h) END AS vol_l,
	   (SELECT b.value FROM px b WHERE b.h = a.h + 1) AS next_value,
	   (SELECT b.change FROM px b WHERE b.h = a.h + 1) AS next_change
  FROM px a;
CREATE TEMP TABLE pf AS
SELECT * FROM forecast_features(990082, '0xaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', pg_temp.t(1), pg_temp.t(40),
	'0xbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb', interval '1 hour', 5, 12);
SELECT is((SELECT array_agg(f.at ORDER BY f.at) FROM pf f),
	(SELECT array_agg(pg_temp.t(h) ORDER BY h) FROM generate_series(1, 40) h), 'price features: one row per hour, in order');
SELECT is((SELECT array_agg(f.value ORDER BY f.at) FROM pf f),
	(SELECT array_agg(e.value ORDER BY e.h) FROM pxe e), 'price features: value is the price at the bucket end, exact');
SELECT is((SELECT array_agg(f.value) FILTER (WHERE f.at IN (pg_temp.t(2), pg_temp.t(3), pg_temp.t(19), pg_temp.t(20))) FROM pf f),
	ARRAY[36, 9, 25, 25]::float8[], 'price features by hand: k(2) = 6, k(3) = 3, hour 20 repeats hour 19''s k = 5');
SELECT is((SELECT array_agg(f.change ORDER BY f.at) FILTER (WHERE f.at IN (pg_temp.t(1), pg_temp.t(3), pg_temp.t(20))) FROM pf f),
	ARRAY[NULL, -ln(4), 0]::float8[], 'price features by hand: no change in hour 1 (no price before), ln(9/36), 0 over a gap');
SELECT is((SELECT count(*) FROM pf f JOIN pxe e ON f.at = pg_temp.t(e.h)
			WHERE pg_temp.near(f.change, e.change) AND pg_temp.near(f.change_lag1, e.lag1)
			  AND pg_temp.near(f.change_lag2, e.lag2) AND pg_temp.near(f.change_lag3, e.lag3)),
	40::bigint, 'price features: change (log return) and its lags 1 to 3 (NULL before the first)');
SELECT is((SELECT count(*) FROM pf f JOIN pxe e ON f.at = pg_temp.t(e.h)
			WHERE pg_temp.near(f.mean_short, e.mean_s) AND pg_temp.near(f.mean_long, e.mean_l)),
	40::bigint, 'price features: rolling means of value over 5 and 12 rows, NULL until the window is full');
SELECT is((SELECT count(*) FROM pf f JOIN pxe e ON f.at = pg_temp.t(e.h)
			WHERE pg_temp.near(f.vol_short, e.vol_s) AND pg_temp.near(f.vol_long, e.vol_l)),
	40::bigint, 'price features: rolling sample sds of change over 5 and 12 rows');
SELECT is((SELECT count(*) FROM pf f JOIN pxe e ON f.at = pg_temp.t(e.h)
			WHERE pg_temp.near(f.next_value, e.next_value) AND pg_temp.near(f.next_change, e.next_change)),
	40::bigint, 'price features: next_value and next_change are the next row''s');
SELECT is((SELECT (f.next_value, f.next_change)::text FROM pf f WHERE f.at = pg_temp.t(40)), '(,)',
	'price features: the targets of the last row are NULL');
SELECT is((SELECT count(*) FROM pf f WHERE f.mean_short IS NOT NULL), 36::bigint,
	'price features: 4 rows before the short window is full');

-- No look-ahead: a window ending earlier gives the same features for its
-- rows (all but the targets of its last row) ...
SELECT is((SELECT count(*) FROM pf f JOIN forecast_features(990082, '0xaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', pg_temp.t(1),
			pg_temp.t(25), '0xbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb', interval '1 hour', 5, 12) g ON g.at = f.at
			WHERE (f.value, f.change, f.change_lag1, f.change_lag2, f.change_lag3, f.mean_short, f.mean_long, f.vol_short, f.vol_long)
				  IS NOT DISTINCT FROM
				  (g.value, g.change, g.change_lag1, g.change_lag2, g.change_lag3, g.mean_short, g.mean_long, g.vol_short, g.vol_long)
			  AND ((f.next_value, f.next_change) IS NOT DISTINCT FROM (g.next_value, g.next_change) OR g.at = pg_temp.t(25))),
	25::bigint, 'no look-ahead: the features of hours 1 to 25 do not depend on the rows after them');
-- ... and changing a later observation changes no earlier row's features.
UPDATE univ3_swaps SET sqrt_price_x96 = (17 * 2::numeric ^ 96)::uint256 WHERE chain_id = 990082 AND block_number = 2 * 30 - 1;
CREATE TEMP TABLE pf2 AS
SELECT * FROM forecast_features(990082, '0xaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', pg_temp.t(1), pg_temp.t(40),
	'0xbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb', interval '1 hour', 5, 12);
SELECT is((SELECT array_agg(f.at ORDER BY f.at) FROM pf f JOIN pf2 g ON g.at = f.at
			WHERE (f.value, f.change, f.change_lag1, f.change_lag2, f.change_lag3, f.mean_short, f.mean_long, f.vol_short, f.vol_long)
				  IS DISTINCT FROM
				  (g.value, g.change, g.change_lag1, g.change_lag2, g.change_lag3, g.mean_short, g.mean_long, g.vol_short, g.vol_long)),
	(SELECT array_agg(pg_temp.t(h) ORDER BY h) FROM generate_series(30, 40) h),
	'no look-ahead: a new price in hour 30 changes the features of hours 30 to 40 only (hour 31''s return, lags, windows)');
SELECT is((SELECT array_agg(f.at ORDER BY f.at) FROM pf f JOIN pf2 g ON g.at = f.at
			WHERE (f.next_value, f.next_change) IS DISTINCT FROM (g.next_value, g.next_change)),
	ARRAY[pg_temp.t(29), pg_temp.t(30)], 'the targets of hours 29 and 30 (next_value, next_change) see it');
UPDATE univ3_swaps SET sqrt_price_x96 = (pg_temp.k(30) * 2::numeric ^ 96)::uint256 WHERE chain_id = 990082 AND block_number = 2 * 30 - 1;

-- A window starting before the first price: rows from the first known one.
SELECT is((SELECT min(f.at) FROM forecast_features(990082, '0xaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', pg_temp.t(-5),
			pg_temp.t(3), '0xbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb', interval '1 hour', 2, 3) f),
	pg_temp.t(1), 'a window from before the first price: rows start at the first bucket with a price');
SELECT is((SELECT count(*) FROM forecast_features(990082, '0xaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', pg_temp.t(-5),
			pg_temp.t(-1), '0xbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb', interval '1 hour') f),
	0::bigint, 'a window before any price: no rows');
SELECT is((SELECT (f.change, f.change_lag1)::text FROM forecast_features(990082, '0xaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa',
			pg_temp.t(3), pg_temp.t(4), '0xbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb', interval '1 hour', 2, 3) f WHERE f.at = pg_temp.t(3)),
	('(' || -ln(4::float8) || ',)')::text,
	'the first row''s change is measured from the bucket end before from_ts; its lag is not (outside the window)');

-- ---- forecast_features on an LST rate ----
-- APR of hour h: (r(h) / r(h-1) - 1) * 8760 (one hour between the reads);
-- hours 10 and 11 have no read: NULL; hour 12 measures from the read of
-- hour 9 over 3 hours.
CREATE TEMP TABLE rt AS
SELECT h, CASE WHEN h IN (10, 11) THEN NULL
			   WHEN h = 12 THEN ((pg_temp.rate(12) / pg_temp.rate(9) - 1) * 8760 / 3)::float8
			   ELSE ((pg_temp.rate(h) / pg_temp.rate(h - 1) - 1) * 8760)::float8 END AS apr
  FROM generate_series(1, 40) h;
CREATE TEMP TABLE rf AS
SELECT * FROM forecast_features(990082, '0xcccccccccccccccccccccccccccccccccccccccc', pg_temp.t(1), pg_temp.t(40),
	NULL, interval '1 hour', 3, 6);
SELECT is((SELECT count(*) FROM rf f JOIN rt e ON f.at = pg_temp.t(e.h) WHERE pg_temp.near(f.value, e.apr)), 40::bigint,
	'rate features: value is the simple APR of each hour, NULL without a new read, over 3 hours after the gap');
SELECT ok((SELECT pg_temp.near(f.value, ((1e18 + 1e13 * 2 + 3e12 * 2) / (1e18 + 1e13 + 3e12) - 1)::float8 * 8760) FROM rf f
			WHERE f.at = pg_temp.t(2)), 'rate features by hand: hour 2');
SELECT is((SELECT count(*) FROM rf f JOIN rt e ON f.at = pg_temp.t(e.h)
			WHERE pg_temp.near(f.change, e.apr - (SELECT p.apr FROM rt p WHERE p.h = e.h - 1))),
	40::bigint, 'rate features: change is the first difference of the APR (NULL next to a NULL APR)');
SELECT is((SELECT (f.value IS NULL, f.change IS NULL) FROM rf f WHERE f.at = pg_temp.t(1)), (false, true),
	'rate features: hour 1 has an APR (from hour 0''s read) but no change (hour 0 has no APR: no read before it)');
SELECT is((SELECT count(*) FROM rf f JOIN rt e ON f.at = pg_temp.t(e.h)
			WHERE pg_temp.near(f.mean_short, CASE WHEN e.h >= 3 THEN
					(SELECT sum(b.apr) / count(b.apr) FROM rt b WHERE b.h BETWEEN e.h - 2 AND e.h) END)),
	40::bigint, 'rate features: the short mean averages the APRs known in the window (NULL when none is)');
SELECT is((SELECT f.mean_short FROM rf f WHERE f.at = pg_temp.t(11)), (SELECT e.apr FROM rt e WHERE e.h = 9),
	'rate features: the window of hours 9 to 11 averages hour 9 alone');

-- ---- bad inputs, one per line ----
SELECT throws_ok($$SELECT * FROM forecast_features(990082, '0xaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', now(), now(), '0xbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb', interval '1 hour', 1, 5)$$,
	'22023', NULL, 'a short window of 1');
SELECT throws_ok($$SELECT * FROM forecast_features(990082, '0xaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', now(), now(), '0xbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb', interval '1 hour', 8, 5)$$,
	'22023', 'the short window (8) must not be longer than the long window (5)', 'a short window longer than the long one');
SELECT throws_ok($$SELECT * FROM forecast_features(990082, '0xaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', now(), now(), '0xbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb', interval '1 hour', NULL, 5)$$,
	'22023', NULL, 'a NULL window');
SELECT throws_ok($$SELECT * FROM forecast_features(990082, '0xaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', now(), now(), '0xbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb', interval '0')$$,
	'22023', NULL, 'a zero bucket');
SELECT throws_ok($$SELECT * FROM forecast_features(990082, '0xaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', now(), now(), '0xbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb', interval '-1 hour')$$,
	'22023', NULL, 'a negative bucket');
SELECT throws_ok($$SELECT * FROM forecast_features(990082, '0xaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', now(), now(), '0xbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb', NULL)$$,
	'22023', NULL, 'a NULL bucket');
SELECT throws_ok($$SELECT * FROM forecast_features(990082, '0xaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', now(), now(), '0xbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb', interval '1 month')$$,
	'22023', NULL, 'a bucket of a month');
SELECT throws_ok($$SELECT * FROM forecast_features(990082, '0xaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', now(), now() - interval '1 day', '0xbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb')$$,
	'22023', NULL, 'a reversed window');
SELECT throws_ok($$SELECT * FROM forecast_features(990082, '0xaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', now(), now(), '0xdddddddddddddddddddddddddddddddddddddddd')$$,
	'55000', NULL, 'an asset without a price feed in that quote: the market layer''s error');
SELECT throws_ok($$SELECT * FROM forecast_features(990082, '0xdddddddddddddddddddddddddddddddddddddddd', now(), now())$$,
	'55000', NULL, 'an asset without a rate feed: the market layer''s error');
SELECT throws_ok($$SELECT * FROM forecast_features(990082, '0xaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', now(), now(), '0xbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb', source => 'nope')$$,
	'42704', NULL, 'an unknown source: the market layer''s error');

-- ---- forecast_spread_features ----
INSERT INTO aave_reserve_states (chain_id, block_number, pool, asset, configuration, ltv_bps, liquidation_threshold_bps,
	liquidation_bonus_bps, decimals, active, frozen, borrowing_enabled, paused, reserve_factor_bps, borrow_cap, supply_cap,
	emode_category, liquidity_index, liquidity_rate, variable_borrow_index, variable_borrow_rate, stable_borrow_rate,
	last_update, atoken, stable_debt_token, variable_debt_token, rate_strategy, accrued_to_treasury, unbacked)
VALUES (990082, 0, '0x00000000000000000000000000000000000000a1', '0x00000000000000000000000000000000000000e1', '0', 8000, 8300,
	10500, 18, true, false, true, false, 1000, 0, 0, 0, '1000000000000000000000000000', '0', '1000000000000000000000000000',
	'30000000000000000000000000', '0', extract(epoch FROM pg_temp.t(0))::bigint,
	'0x00000000000000000000000000000000000000a2', '0x00000000000000000000000000000000000000a3',
	'0x00000000000000000000000000000000000000a4', '0x00000000000000000000000000000000000000a5', '0', '0');
INSERT INTO aave_reserve_updates (chain_id, block_number, log_index, pool, asset, liquidity_rate, stable_borrow_rate,
	variable_borrow_rate, liquidity_index, variable_borrow_index)
SELECT 990082, 2 * h, 0, '0x00000000000000000000000000000000000000a1', '0x00000000000000000000000000000000000000e1', '0', '0',
	((0.03 + 0.001 * (h % 4)) * 1e27)::uint256, '1000000000000000000000000000', '1000000000000000000000000000'
  FROM generate_series(0, 40) h;
-- expected: the borrow APY of hour h is the rate set at the end of hour
-- h - 1, held for the whole hour: exp(0.03 + 0.001 ((h - 1) mod 4)) - 1;
-- the LST's APY (r(h) / r(h - 1))^8760 - 1 (hour 12: (r(12) / r(9))^(8760/3) - 1)
CREATE TEMP TABLE se AS
SELECT h, b, y, y - b AS spread FROM (
	SELECT h, (exp(0.03 + 0.001 * ((h - 1) % 4)) - 1)::float8 AS b,
		   CASE WHEN h IN (10, 11) THEN NULL
				WHEN h = 12 THEN (power(pg_temp.rate(12) / pg_temp.rate(9), 8760.0 / 3) - 1)::float8
				ELSE (power(pg_temp.rate(h) / pg_temp.rate(h - 1), 8760) - 1)::float8 END AS y
	  FROM generate_series(1, 40) h) x;
CREATE TEMP TABLE sf AS
SELECT * FROM forecast_spread_features(990082, '0xcccccccccccccccccccccccccccccccccccccccc',
	aave_market_id('0x00000000000000000000000000000000000000a1', '0x00000000000000000000000000000000000000e1'),
	pg_temp.t(1), pg_temp.t(40), interval '1 hour', 4, 8);
SELECT is((SELECT array_agg(f.at ORDER BY f.at) FROM sf f),
	(SELECT array_agg(pg_temp.t(h) ORDER BY h) FROM generate_series(1, 40) h), 'spread features: one row per hour, in order');
SELECT is((SELECT count(*) FROM sf f JOIN se e ON f.at = pg_temp.t(e.h) WHERE pg_temp.near(f.borrow_apy, e.b, 1e-15)), 40::bigint,
	'spread features: borrow_apy is the Aave rate held over the hour, compounded');
SELECT is((SELECT count(*) FROM sf f JOIN se e ON f.at = pg_temp.t(e.h)
			WHERE pg_temp.near(f.lst_apy, e.y, 1e-10) AND pg_temp.near(f.spread, e.spread, 1e-10)), 40::bigint,
	'spread features: lst_apy compounded over the seconds between reads; spread = lst_apy - borrow_apy');
SELECT is((SELECT count(*) FROM sf f JOIN rf r ON r.at = f.at WHERE f.lst_apr IS NOT DISTINCT FROM r.value), 40::bigint,
	'spread features: lst_apr is forecast_features''s APR');
SELECT is((SELECT count(*) FROM sf f JOIN se e ON f.at = pg_temp.t(e.h)
			WHERE pg_temp.near(f.spread_lag1, (SELECT p.spread FROM se p WHERE p.h = e.h - 1), 1e-10)
			  AND pg_temp.near(f.spread_lag3, (SELECT p.spread FROM se p WHERE p.h = e.h - 3), 1e-10)
			  AND pg_temp.near(f.next_spread, (SELECT p.spread FROM se p WHERE p.h = e.h + 1), 1e-10)),
	40::bigint, 'spread features: lags 1 and 3 and next_spread');
SELECT is((SELECT count(*) FROM sf f JOIN se e ON f.at = pg_temp.t(e.h)
			WHERE pg_temp.near(f.spread_mean_short, CASE WHEN e.h >= 4 THEN
					(SELECT sum(b.spread) / count(b.spread) FROM se b WHERE b.h BETWEEN e.h - 3 AND e.h) END, 1e-10)
			  AND pg_temp.near(f.spread_vol_long, CASE WHEN e.h >= 8 THEN
					(SELECT sqrt(sum((b.spread - m.m) ^ 2) / (count(b.spread) - 1))
					   FROM se b, (SELECT sum(c.spread) / count(c.spread) AS m FROM se c WHERE c.h BETWEEN e.h - 7 AND e.h) m
					  WHERE b.h BETWEEN e.h - 7 AND e.h) END, 1e-10)),
	40::bigint, 'spread features: rolling mean (4 rows) and sample sd (8 rows) of the spread');
SELECT throws_ok($$SELECT * FROM forecast_spread_features(990082, '0xcccccccccccccccccccccccccccccccccccccccc', ('0x' || repeat('ab', 32))::bytes32, now(), now())$$,
	'42704', NULL, 'spread features of an unknown lending market');
SELECT throws_ok($$SELECT * FROM forecast_spread_features(990082, '0xcccccccccccccccccccccccccccccccccccccccc', ('0x' || repeat('ab', 32))::bytes32, now(), now(), interval '1 day', 30, 7)$$,
	'22023', NULL, 'spread features: a short window longer than the long one');

-- ---- forecast_pool_features ----
-- decimals 2 and 1: price x 10, volume0 / 100, volume1 and fees1 / 10.
CREATE TEMP TABLE plf AS
SELECT * FROM forecast_pool_features(990082, '0x1111111111111111111111111111111111111111', 3000, pg_temp.t(1), pg_temp.t(40),
	interval '1 hour', 5, 12, 2, 1);
SELECT is((SELECT count(*) FROM plf f JOIN pxe e ON f.at = pg_temp.t(e.h)
			WHERE pg_temp.near(f.price, e.value * 10, 1e-9) AND pg_temp.near(f.ret, e.change)
			  AND pg_temp.near(f.vol_short, e.vol_s) AND pg_temp.near(f.vol_long, e.vol_l) AND pg_temp.near(f.next_ret, e.next_change)),
	40::bigint, 'pool features: price (scaled by the decimals), log return, rolling sds and next_ret as the price features''');
SELECT is((SELECT count(*) FROM plf f JOIN act a ON a.at = f.at
			WHERE f.swaps = a.swaps AND pg_temp.near(f.volume0, (a.volume0 / 100)::float8) AND pg_temp.near(f.volume1, (a.volume1 / 10)::float8)
			  AND pg_temp.near(f.fees1, (a.fees1 / 10)::float8)),
	40::bigint, 'pool features: swaps, volumes and fees of univ3_pool_activity in whole tokens');
SELECT is((SELECT array_agg(f.volume1 ORDER BY f.at) FILTER (WHERE f.at <= pg_temp.t(3)) FROM plf f),
	ARRAY[3, 10, 9]::float8[], 'pool features by hand: volume1 30/10, 100/10, 90/10');
SELECT is((SELECT count(*) FROM plf f JOIN plf g ON g.at = f.at + interval '1 hour' WHERE f.next_volume1 = g.volume1)
		  + (SELECT count(*) FROM plf f WHERE f.at = pg_temp.t(40) AND f.next_volume1 IS NULL),
	40::bigint, 'pool features: next_volume1 is the next row''s, NULL on the last');
SELECT is((SELECT count(*) FROM plf f
			WHERE pg_temp.near(f.volume_mean_short, CASE WHEN f.at >= pg_temp.t(5) THEN
					(SELECT (sum(a.volume1) / 10 / 5)::float8 FROM act a WHERE a.at BETWEEN f.at - interval '4 hours' AND f.at) END, 1e-9)
			  AND pg_temp.near(f.volume_mean_long, CASE WHEN f.at >= pg_temp.t(12) THEN
					(SELECT (sum(a.volume1) / 10 / 12)::float8 FROM act a WHERE a.at BETWEEN f.at - interval '11 hours' AND f.at) END, 1e-9)),
	40::bigint, 'pool features: rolling means of volume1 over 5 and 12 rows');
SELECT throws_ok($$SELECT * FROM forecast_pool_features(990082, '0x1111111111111111111111111111111111111111', NULL, now(), now())$$,
	'22023', NULL, 'pool features without a fee tier');
SELECT throws_ok($$SELECT * FROM forecast_pool_features(990082, '0x1111111111111111111111111111111111111111', 3000, now(), now(), decimals0 => 78)$$,
	'22023', NULL, 'pool features: decimals over 77');
SELECT throws_ok($$SELECT * FROM forecast_pool_features(990082, '0x1111111111111111111111111111111111111111', 3000, now(), now(), interval '1 hour', 2, 1)$$,
	'22023', NULL, 'pool features: a long window of 1');

-- ---- a feature builder as the source of forecast_train ----
-- The linear kind on one feature (change) for next_change: its slope and
-- intercept are ordinary least squares, which regr_slope/regr_intercept
-- compute independently over the same rows (within 1e-9: both are double
-- precision solutions of a well-conditioned 2-parameter problem).
CREATE TEMP TABLE src AS SELECT $q$SELECT at, change, next_change
	FROM amplified.forecast_features(990082, '0xaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', '2026-01-01 01:00+00', '2026-01-02 16:00+00',
		 '0xbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb', '1 hour', 5, 12)
	WHERE change IS NOT NULL AND next_change IS NOT NULL$q$ AS q;
CREATE TEMP TABLE m AS SELECT forecast_train('f082_features', 'linear', (SELECT q FROM src), 'next_change') AS id;
SELECT is((SELECT (f.features, f.time_column, f.train_rows, f.train_from, f.train_to)::text FROM forecast_models f, m WHERE f.id = m.id),
	(SELECT ('{change}'::text[], 'at'::text, count(*)::int, min(x.at), max(x.at))::text FROM pf x
	  WHERE x.change IS NOT NULL AND x.next_change IS NOT NULL),
	'forecast_train on forecast_features: the feature columns, at as the time index, the rows with their targets');
SELECT ok((SELECT abs((f.summary -> 'coefficients' ->> 0)::float8 - o.slope) < 1e-9
			  AND abs((f.summary ->> 'intercept')::float8 - o.icpt) < 1e-9
		     FROM forecast_models f, m,
				  (SELECT regr_slope(x.next_change, x.change) AS slope, regr_intercept(x.next_change, x.change) AS icpt
					 FROM pf x WHERE x.change IS NOT NULL AND x.next_change IS NOT NULL) o
			WHERE f.id = m.id),
	'forecast_train on forecast_features: the linear fit is the least-squares line of next_change on change');

-- ---- a leverage strategy's carry forecast ----
-- An AR(1) of the hourly spread above, the live model of project
-- f082_carry; an Aave leverage strategy on that market and LST asks it
-- (strategy_leverage_carry_forecast): its mean is the mean of the model's
-- next carry_horizon steps conditioned on the spreads of the last
-- carry_lookback hours, as forecast_predict_horizon gives them.
CREATE TEMP TABLE carry_src AS SELECT $q$SELECT at, spread FROM amplified.forecast_spread_features(990082,
	'0xcccccccccccccccccccccccccccccccccccccccc',
	amplified.aave_market_id('0x00000000000000000000000000000000000000a1', '0x00000000000000000000000000000000000000e1'),
	'2026-01-01 01:00+00', '2026-01-02 16:00+00', '1 hour', 4, 8) WHERE spread IS NOT NULL$q$ AS q;
SELECT lives_ok($$SELECT forecast_train('f082_carry', 'arima', (SELECT q FROM carry_src), 'spread', '{"order": [1, 0, 0], "seed": 1}')$$,
	'an AR(1) of the spread');
CREATE TEMP TABLE lev_s AS SELECT jsonb_populate_record(NULL::amplified.strategies, jsonb_build_object(
	'id', 1, 'name', 'carry', 'kind', 'leverage', 'chain_id', 990082, 'owner', '0x00000000000000000000000000000000000000f1',
	'enabled', true, 'params', jsonb_build_object('protocol', 'aave_v3', 'aave_pool', '0x00000000000000000000000000000000000000a1',
		'collateral_token', '0xcccccccccccccccccccccccccccccccccccccccc', 'loan_token', '0x00000000000000000000000000000000000000e1',
		'carry_project', 'f082_carry', 'carry_bucket', '1 hour', 'carry_lookback', 12, 'carry_horizon', 3))) AS s;
CREATE TEMP TABLE carry_fc AS SELECT strategy_leverage_carry_forecast((SELECT s FROM lev_s), pg_temp.t(40)) AS fc;
CREATE TEMP TABLE carry_recent AS SELECT ARRAY(SELECT x.spread FROM forecast_spread_features(990082,
	'0xcccccccccccccccccccccccccccccccccccccccc',
	aave_market_id('0x00000000000000000000000000000000000000a1', '0x00000000000000000000000000000000000000e1'),
	pg_temp.t(28), pg_temp.t(40), '1 hour') x WHERE x.spread IS NOT NULL ORDER BY x.at) AS y;
SELECT is((SELECT (fc ->> 'points')::int FROM carry_fc), (SELECT cardinality(y) FROM carry_recent),
	'carry forecast: conditioned on the spreads of the last 12 hours');
SELECT ok((SELECT abs((fc ->> 'mean')::float8 - (SELECT avg(h.mean) FROM carry_recent r, forecast_predict_horizon('f082_carry', 3, r.y, 0.8) h)) < 1e-15
			 FROM carry_fc), 'carry forecast: the mean of the model''s next 3 steps after them');
SELECT is((SELECT (fc ->> 'model_id')::bigint FROM carry_fc), (SELECT model_id FROM v_forecast_models WHERE project = 'f082_carry' AND live),
	'carry forecast: from the live model');
SELECT is((SELECT fc ->> 'sqlstate' FROM (SELECT strategy_leverage_carry_forecast(
		jsonb_populate_record(l.s, jsonb_build_object('params', (l.s).params || '{"carry_project": "f082_none"}')), pg_temp.t(40)) AS fc FROM lev_s l) x),
	'55000', 'carry forecast: a project without a live model is reported, not raised');

SELECT * FROM finish();
ROLLBACK;
