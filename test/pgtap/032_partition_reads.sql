-- 032_partition_reads: the latest-row read models on partitioned history.
-- ingest_head_block, ingest_block_at, univ3_pool_latest (and
-- univ3_pool_state_at on it),
-- token_lst_method, token_lst_rate_latest and token_oracle_answer_at search
-- a window of the chain's newest ranges up to the block first
-- (ingest_window_from) and everything below only when it holds nothing.
-- Their answers are compared here with the former one-query definitions
-- (kept in a schema of this test) over random rows spread across several
-- ranges and the DEFAULT partitions: a row only in an old range, rows only
-- in DEFAULT, no row at all, blocks at range boundaries, times before every
-- block.  Then EXPLAIN (ANALYZE) of the window query as the functions run
-- it (a generic plan, its bound a parameter) shows the older ranges pruned
-- at executor start.  All of it is rolled back.
BEGIN;
SELECT * FROM no_plan();
SET LOCAL search_path = amplified, public;
SELECT setseed(0.32);

-- ---- the former definitions, one query each

CREATE SCHEMA old032;
CREATE FUNCTION old032.ingest_block_at(chain_id bigint, at timestamptz) RETURNS bigint LANGUAGE sql STABLE AS $$
	SELECT b.number FROM amplified.blocks AS b WHERE b.chain_id = $1 AND b.timestamp <= $2
	 ORDER BY b.timestamp DESC, b.number DESC LIMIT 1
$$;
CREATE FUNCTION old032.univ3_pool_latest(chain_id bigint, pool amplified.address,
	block bigint DEFAULT 9223372036854775807, at timestamptz DEFAULT 'infinity', with_liquidity boolean DEFAULT false)
RETURNS TABLE (at timestamptz, block_number bigint, log_index int, sqrt_price amplified.uint256,
	tick int, liquidity amplified.uint256, amount0 amplified.int256, amount1 amplified.int256)
LANGUAGE sql STABLE SET search_path = pg_catalog, amplified, pg_temp AS $$
	SELECT c.* FROM (
		(SELECT b.timestamp AS at, s.block_number, s.log_index, s.sqrt_price_x96 AS sqrt_price, s.tick,
				s.liquidity, s.amount0, s.amount1
		   FROM univ3_swaps s JOIN blocks b ON b.chain_id = s.chain_id AND b.number = s.block_number
		  WHERE s.chain_id = $1 AND s.pool = $2 AND s.block_number <= $3 AND b.timestamp <= $4
		  ORDER BY s.block_number DESC, s.log_index DESC LIMIT 1)
		UNION ALL
		(SELECT b.timestamp, p.block_number, NULL::int, p.sqrt_price_x96, p.tick, p.liquidity,
				NULL::int256, NULL::int256
		   FROM univ3_pool_states p JOIN blocks b ON b.chain_id = p.chain_id AND b.number = p.block_number
		  WHERE p.chain_id = $1 AND p.pool = $2 AND p.block_number <= $3 AND b.timestamp <= $4
			AND (NOT $5 OR p.liquidity IS NOT NULL)
		  ORDER BY p.block_number DESC LIMIT 1)) c
	 ORDER BY c.block_number DESC, c.log_index DESC NULLS FIRST
	 LIMIT 1
$$;
CREATE FUNCTION old032.token_lst_method(chain_id bigint, token amplified.address) RETURNS text
LANGUAGE sql STABLE SET search_path = pg_catalog, amplified, pg_temp AS $$
	SELECT r.method FROM lst_rates r WHERE r.chain_id = $1 AND r.token = $2
	 ORDER BY r.block_number DESC, r.method LIMIT 1
$$;
CREATE FUNCTION old032.token_lst_rate_latest(chain_id bigint, token amplified.address,
	block bigint DEFAULT 9223372036854775807, at timestamptz DEFAULT 'infinity', method text DEFAULT NULL)
RETURNS TABLE (block_number bigint, at timestamptz, rate amplified.uint256)
LANGUAGE sql STABLE SET search_path = pg_catalog, amplified, pg_temp AS $$
	SELECT r.block_number, b.timestamp, r.rate
	  FROM lst_rates r JOIN blocks b ON b.chain_id = r.chain_id AND b.number = r.block_number
	 WHERE r.chain_id = $1 AND r.token = $2 AND r.method = coalesce($5, old032.token_lst_method($1, $2))
	   AND r.block_number <= $3 AND b.timestamp <= $4
	 ORDER BY r.block_number DESC LIMIT 1
$$;
CREATE FUNCTION old032.token_oracle_answer_at(chain_id bigint, oracle amplified.address, at timestamptz)
RETURNS TABLE (block_number bigint, at timestamptz, round_id amplified.uint256, answer amplified.int256,
	started_at timestamptz, updated_at timestamptz, answered_in_round amplified.uint256)
LANGUAGE sql STABLE SET search_path = pg_catalog, amplified, pg_temp AS $$
	SELECT o.block_number, b.timestamp, o.round_id, o.answer, o.started_at, o.updated_at, o.answered_in_round
	  FROM oracle_rounds o JOIN blocks b ON b.chain_id = o.chain_id AND b.number = o.block_number
	 WHERE o.chain_id = $1 AND o.oracle = $2 AND b.timestamp <= $3
	 ORDER BY o.block_number DESC LIMIT 1
$$;

-- ---- a chain of ranges of 1000 blocks: [0, 6000) made, 9000.. in DEFAULT

SELECT lives_ok($$SELECT add_chain(9032, 'p9032', ARRAY['http://127.0.0.1:9'], 0, 1, enabled => false)$$, 'add_chain');
INSERT INTO ingest_history_settings (chain_id, partition_blocks) VALUES (9032, 1000);
SELECT ok(ingest_partitions_maintain(9032, 0, 5400) >= 6000, 'ranges of 1000 blocks up to 6000');
SELECT is((SELECT max(to_block) FROM ingest_partitions WHERE chain_id = 9032), 6000::bigint, 'the top range ends at 6000');
-- A stored block where random() says so (about one in three), and every
-- range boundary; times never decrease, two blocks in a row may share one.
-- Blocks 9000-9099 have no range: they stay in DEFAULT.
CREATE TEMP TABLE b032 AS
SELECT n FROM generate_series(0, 5999) AS n WHERE random() < 0.35 OR n % 1000 IN (0, 999) OR n IN (1, 1001)
UNION ALL SELECT n FROM generate_series(9000, 9099) AS n WHERE n % 3 = 0;
INSERT INTO blocks SELECT 9032, n, ('0x' || lpad(to_hex(n), 64, '0'))::bytes32, ('0x' || lpad(to_hex(n), 64, 'f'))::bytes32,
	to_timestamp(1700000000 + (n / 2) * 24), NULL FROM b032;
SELECT is((SELECT count(*) FROM ONLY blocks_default WHERE chain_id = 9032), 34::bigint, 'blocks 9000.. are in DEFAULT');

-- Pools: 1 only in an old range (block 999), 2 only in DEFAULT, 3 none,
-- 4 and 5 random rows everywhere (states with and without liquidity, swaps).
CREATE FUNCTION pg_temp.pool(i int) RETURNS amplified.address LANGUAGE sql
	RETURN ('0x' || lpad(to_hex(3200 + i), 40, '0'))::amplified.address;
INSERT INTO univ3_pool_states (chain_id, block_number, pool, sqrt_price_x96, tick, observation_index,
	observation_cardinality, observation_cardinality_next, fee_protocol, unlocked, liquidity)
SELECT 9032, n, pg_temp.pool(p), (79228162514264337593543950336 + n)::text::uint256, 0, 0, 1, 1, 0, true,
	   CASE WHEN random() < 0.7 THEN (n * 10 + p)::text::uint256 END
  FROM b032, generate_series(1, 5) AS p
 WHERE (p = 1 AND n = 999) OR (p = 2 AND n >= 9000 AND n % 2 = 0) OR (p >= 4 AND random() < 0.03);
INSERT INTO univ3_swaps (chain_id, block_number, log_index, pool, sender, recipient, amount0, amount1,
	sqrt_price_x96, liquidity, tick)
SELECT 9032, n, i * 10 + p, pg_temp.pool(p), pg_temp.pool(0), pg_temp.pool(0), '1', '-1',
	   (79228162514264337593543950336 + 2 * n + i)::text::uint256, (n + i)::text::uint256, i
  FROM b032, generate_series(4, 5) AS p, generate_series(0, 2) AS i
 WHERE random() < 0.01 OR (p = 4 AND n IN (999, 1000) AND i < 2);
-- LST tokens: 1 only at block 999 (one method), 2 only in DEFAULT with two
-- methods, 3 none, 4 random reads of two methods everywhere.
INSERT INTO lst_rates (chain_id, block_number, token, method, rate)
SELECT 9032, n, pg_temp.pool(10 + t), m, (n * 7 + t)::text::uint256
  FROM b032, generate_series(1, 4) AS t, unnest(ARRAY['stEthPerToken()', 'getExchangeRate()']) AS m
 WHERE (t = 1 AND n = 999 AND m = 'getExchangeRate()') OR (t = 2 AND n >= 9000 AND random() < 0.3)
	OR (t = 4 AND random() < 0.03);
INSERT INTO oracle_rounds (chain_id, block_number, oracle, round_id, answer, started_at, updated_at, answered_in_round)
SELECT 9032, n, pg_temp.pool(20 + o), n::text::uint256, (n * 3)::text::int256, NULL, to_timestamp(n), n::text::uint256
  FROM b032, generate_series(1, 4) AS o
 WHERE (o = 1 AND n = 999) OR (o = 2 AND n >= 9000 AND n % 2 = 0) OR (o = 4 AND random() < 0.03);
ANALYZE blocks, univ3_pool_states, univ3_swaps, lst_rates, oracle_rounds;

-- The blocks asked at: boundaries, near them, random ones, past the end,
-- and the times of those blocks (and between, before and after everything).
CREATE TEMP TABLE x032 (x bigint);
INSERT INTO x032 VALUES (0), (1), (149), (150), (151), (998), (999), (1000), (1001), (1999), (2000), (2001),
	(3999), (4000), (4001), (4999), (5000), (5001), (5998), (5999), (6000), (6001), (8999), (9000), (9001),
	(9050), (9099), (9100), (100000), (9223372036854775807);
INSERT INTO x032 SELECT (random() * 6000)::bigint FROM generate_series(1, 25);
CREATE TEMP TABLE t032 (at timestamptz);
INSERT INTO t032 SELECT to_timestamp(1700000000 + (x / 2) * 24) FROM x032 WHERE x < 100000;
INSERT INTO t032 SELECT to_timestamp(1700000000 + (x / 2) * 24 + 7) FROM x032 WHERE x < 100000;
INSERT INTO t032 VALUES ('-infinity'), (to_timestamp(1600000000)), ('infinity'), (to_timestamp(1800000000));

-- ---- same answers

SELECT is(ingest_head_block(9032), 9099::bigint, 'ingest_head_block: the newest block, in DEFAULT');
SELECT is(ingest_head_block(9032), (SELECT max(number) FROM blocks WHERE chain_id = 9032), 'ingest_head_block: as max()');

SELECT is((SELECT count(*) FROM t032
			WHERE ingest_block_at(9032, at) IS DISTINCT FROM old032.ingest_block_at(9032, at)), 0::bigint,
	'ingest_block_at: the same block as one search of every range, at every time');
CREATE TEMP TABLE a032 AS SELECT at, ingest_block_at(9032, at) AS b FROM t032;
SELECT ok((SELECT count(DISTINCT b) FROM a032) > 25, 'ingest_block_at: many different answers');
SELECT ok((SELECT bool_or(b IS NULL) AND bool_or(b >= 9000) AND bool_or(b < 1000) FROM a032),
	'ingest_block_at: answers in an old range, in DEFAULT, and none');

CREATE TEMP TABLE u032 AS
SELECT p, x, at, w,
	   (SELECT array_agg(o::text) FROM univ3_pool_latest(9032, pg_temp.pool(p), x, at, w) o) AS new,
	   (SELECT array_agg(o::text) FROM old032.univ3_pool_latest(9032, pg_temp.pool(p), x, at, w) o) AS old
  FROM generate_series(1, 5) AS p, x032,
	   (SELECT at FROM t032 WHERE random() < 0.15 UNION SELECT 'infinity' UNION SELECT to_timestamp(1700000000 + 4550 * 24)) AS t,
	   (VALUES (false), (true)) AS w(w);
SELECT is((SELECT count(*) FROM u032 WHERE new IS DISTINCT FROM old), 0::bigint,
	'univ3_pool_latest: the same observation as one search of every range, at every block, time and pool');
SELECT ok((SELECT bool_or(new IS NULL) AND bool_or(new[1] ~ ',999,') AND bool_or(new[1] ~ ',90[0-9][0-9],') FROM u032),
	'univ3_pool_latest: answers none, in an old range and in DEFAULT');
SELECT ok((SELECT count(DISTINCT new) FROM u032) > 50, 'univ3_pool_latest: many different answers');
SELECT is((SELECT count(*) FROM x032, generate_series(1, 5) AS p
			WHERE coalesce(univ3_pool_state_at(9032, pg_temp.pool(p), x)::text, '(,,,)')
				  IS DISTINCT FROM
				  coalesce((SELECT row(o.block_number, o.sqrt_price, univ3_tick_at_sqrt_price(o.sqrt_price), o.liquidity)::text
							  FROM old032.univ3_pool_latest(9032, pg_temp.pool(p), x, 'infinity', true) o), '(,,,)')),
	0::bigint, 'univ3_pool_state_at: the same state at every block');
SELECT is((SELECT count(*) FROM generate_series(1, 4) AS t
			WHERE token_lst_method(9032, pg_temp.pool(10 + t)) IS DISTINCT FROM old032.token_lst_method(9032, pg_temp.pool(10 + t))),
	0::bigint, 'token_lst_method: the same method');
CREATE TEMP TABLE l032 AS
SELECT t, x, at, m,
	   (SELECT array_agg(o::text) FROM token_lst_rate_latest(9032, pg_temp.pool(10 + t), x, at, m) o) AS new,
	   (SELECT array_agg(o::text) FROM old032.token_lst_rate_latest(9032, pg_temp.pool(10 + t), x, at, m) o) AS old
  FROM generate_series(1, 4) AS t, x032,
	   (SELECT at FROM t032 WHERE random() < 0.12 UNION SELECT 'infinity' UNION SELECT to_timestamp(1700000000 + 4550 * 24)) AS a,
	   (VALUES (NULL), ('stEthPerToken()'), ('getExchangeRate()')) AS m(m);
SELECT is((SELECT count(*) FROM l032 WHERE new IS DISTINCT FROM old), 0::bigint,
	'token_lst_rate_latest: the same read as one search of every range');
SELECT ok((SELECT bool_or(new IS NULL) AND bool_or(new[1] ~ '^\(999,') AND bool_or(new[1] ~ '^\(90[0-9][0-9],') FROM l032),
	'token_lst_rate_latest: answers none, in an old range and in DEFAULT');
SELECT ok((SELECT count(DISTINCT new) FROM l032) > 20, 'token_lst_rate_latest: many different answers');
SELECT is((SELECT count(*) FROM x032, generate_series(1, 4) AS t
			WHERE token_lst_rate_at(9032, pg_temp.pool(10 + t), x)
				  IS DISTINCT FROM (SELECT o.rate FROM old032.token_lst_rate_latest(9032, pg_temp.pool(10 + t), x) o)),
	0::bigint, 'token_lst_rate_at: the same rate at every block');

SELECT is((SELECT count(*) FROM t032, generate_series(1, 4) AS o
			WHERE (SELECT array_agg(a::text) FROM token_oracle_answer_at(9032, pg_temp.pool(20 + o), at) a)
				  IS DISTINCT FROM
				  (SELECT array_agg(a::text) FROM old032.token_oracle_answer_at(9032, pg_temp.pool(20 + o), at) a)),
	0::bigint, 'token_oracle_answer_at: the same round at every time');

-- ---- the window

SELECT is(ingest_window_from(9032, 9223372036854775807), 4001::bigint,
	'the window of "latest" starts below the two top ranges');
SELECT is(ingest_window_from(9032, 2500), 1501::bigint, 'at a block: one range length below it');
SELECT is(ingest_window_from(9032, 2500, to_timestamp(1700000000 + 600 * 24)),
	ingest_block_at(9032, to_timestamp(1700000000 + 600 * 24)) - 999,
	'at a block and an earlier time: one range length below the block of that time');
SELECT is(ingest_window_from(9032, 2500, to_timestamp(1600000000)), NULL::bigint,
	'no window before the first block''s time');

-- ---- pruning: the window query of univ3_pool_latest with a generic plan,
-- its bounds parameters as in the function, reads two ranges and DEFAULT.
SET LOCAL plan_cache_mode = force_generic_plan;
PREPARE w032(bigint, bigint) AS
SELECT p.block_number FROM univ3_pool_states p
 WHERE p.chain_id = 9032 AND p.pool = '0x0000000000000000000000000000000000000c84' AND p.block_number >= $1 AND p.block_number <= $2
 ORDER BY p.block_number DESC LIMIT 1;
CREATE FUNCTION pg_temp.scanned(q text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	l text;
	r text[] := '{}';
BEGIN
	FOR l IN EXECUTE 'EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) ' || q LOOP
		IF l ~ ' on univ3_pool_states_' AND l !~ 'never executed' THEN
			r := r || substring(l FROM ' on (univ3_pool_states_[a-z0-9_]+)');
		END IF;
	END LOOP;
	RETURN (SELECT string_agg(DISTINCT x, ' ' ORDER BY x) FROM unnest(r) AS x);
END $$;
SELECT is(pg_temp.scanned('EXECUTE w032(ingest_window_from(9032, 2500), 2500)'),
	'univ3_pool_states_c9032_1000 univ3_pool_states_c9032_2000', 'at block 2500: its range and the one below, no other');
SELECT is(pg_temp.scanned('EXECUTE w032(ingest_window_from(9032, 9223372036854775807), 9223372036854775807)'),
	'univ3_pool_states_c9032_4000 univ3_pool_states_c9032_5000 univ3_pool_states_default',
	'the latest: the two top ranges and DEFAULT, no other');
SELECT is(pg_temp.scanned('EXECUTE w032(-9223372036854775808, 2500)'),
	'univ3_pool_states_c9032_0 univ3_pool_states_c9032_1000 univ3_pool_states_c9032_2000 univ3_pool_states_default',
	'the fallback: every range up to the block and DEFAULT');

-- Without the DEFAULT blocks and the top ranges' blocks, the newest block
-- is found below the window.
DELETE FROM blocks WHERE chain_id = 9032 AND number >= 3000;
SELECT is(ingest_head_block(9032), (SELECT max(number) FROM blocks WHERE chain_id = 9032),
	'ingest_head_block: the newest block below the window');
SELECT is(ingest_block_at(9032, 'infinity'), (SELECT max(number) FROM blocks WHERE chain_id = 9032),
	'ingest_block_at: the newest block below the window');
DELETE FROM blocks WHERE chain_id = 9032;
SELECT is(ingest_head_block(9032), NULL::bigint, 'ingest_head_block: none without blocks');

SELECT * FROM finish();
ROLLBACK;
