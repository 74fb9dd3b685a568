#!/usr/bin/env bash
# bench/uint256.sh: uint256 against NUMERIC(78,0) on the same 1M rows.
#
# Run by scripts/bench.sh, which starts a stack and exports PGHOST, PGPORT,
# PGUSER and PGDATABASE; by hand, eval "$(scripts/stack.sh env NAME)" first.
# Operands are 128-bit values (md5 digests), so a*b never overflows and
# mul_div always has a result.  Each type has its own table, as a user would
# store one or the other.  Each query runs BENCH_RUNS times (default 5) in
# one session and the best time counts; parallel query and JIT are off so
# both sides are measured on one core.  Prints times and two ratios, numeric
# time / uint256 time: "total" for the whole query, and "net of scan" after
# subtracting, on each side, a baseline query of the same shape that reads
# the same columns but computes nothing (WHERE c IS NOT NULL for mul_div,
# count(a) for sum): what is left is the cost of the operation itself.
# Reading more varlena numeric columns costs more than reading fixed-width
# uint256 ones, so a one-column baseline would flatter uint256.  Index:
# bytes per key at the default fillfactor (90) and at 100, the densest a
# btree gets.  No assertions.
set -euo pipefail
ROWS=${BENCH_ROWS:-1000000}
RUNS=${BENCH_RUNS:-5}

psql -X -q -v ON_ERROR_STOP=1 -v rows="$ROWS" -v runs="$RUNS" <<'SQL'
\set QUIET on
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS amplified;
SET max_parallel_workers_per_gather = 0;
SET jit = off;
SET work_mem = '256MB';
SET maintenance_work_mem = '512MB';
DROP SCHEMA IF EXISTS bench_u256 CASCADE;
CREATE SCHEMA bench_u256;
SET search_path = bench_u256, amplified, public;

CREATE TABLE t (a uint256, b uint256, c uint256);
INSERT INTO t (a, b, c)
	SELECT ('0x' || md5(i::text))::uint256,
		   ('0x' || md5(i::text || 'b'))::uint256,
		   ('0x' || md5(i::text || 'c'))::uint256 + 1
	  FROM generate_series(1, :rows) i;
CREATE TABLE tn (na numeric(78,0), nb numeric(78,0), nc numeric(78,0));
INSERT INTO tn SELECT a, b, c FROM t;
VACUUM (FREEZE, ANALYZE) t;
VACUUM (FREEZE, ANALYZE) tn;

-- The best of :runs executions of a query, in milliseconds.
CREATE FUNCTION best_ms(q text, runs int) RETURNS numeric LANGUAGE plpgsql AS $$
DECLARE
	t0 timestamptz;
	best numeric := NULL;
	ms numeric;
BEGIN
	FOR i IN 1 .. runs LOOP
		t0 := clock_timestamp();
		EXECUTE q;
		ms := extract(epoch FROM clock_timestamp() - t0) * 1000;
		best := least(coalesce(best, ms), ms);
	END LOOP;
	RETURN round(best, 1);
END
$$;

-- The same results first: the comparison is meaningless otherwise.
SELECT CASE WHEN (SELECT sum(a)::numeric FROM t) = (SELECT sum(na) FROM tn)
			 AND (SELECT sum(mul_div(a, b, c)::numeric) FROM t) = (SELECT sum(div(na * nb, nc)) FROM tn)
			 AND (SELECT count(*) FROM t WHERE a > b) = (SELECT count(*) FROM tn WHERE na > nb)
		THEN 'results agree' ELSE 'RESULTS DIFFER' END AS check;

-- Baselines: the same query shapes with the operation left out, reading
-- the same columns (a deform of a, of a and b, of a, b and c).
CREATE TABLE base (cols text PRIMARY KEY, query text, u_ms numeric, n_ms numeric);
INSERT INTO base VALUES
 ('a', 'count(a)',
  best_ms('SELECT count(a) FROM t', :runs),
  best_ms('SELECT count(na) FROM tn', :runs)),
 ('a b', 'count(*) WHERE b IS NOT NULL',
  best_ms('SELECT count(*) FROM t WHERE b IS NOT NULL', :runs),
  best_ms('SELECT count(*) FROM tn WHERE nb IS NOT NULL', :runs)),
 ('a b c', 'count(*) WHERE c IS NOT NULL',
  best_ms('SELECT count(*) FROM t WHERE c IS NOT NULL', :runs),
  best_ms('SELECT count(*) FROM tn WHERE nc IS NOT NULL', :runs));
CREATE TABLE r (what text, goal text, cols text, u_ms numeric, n_ms numeric);
INSERT INTO r VALUES
 ('add (a + b)', '', 'a b',
  best_ms('SELECT count(*) FROM t WHERE a + b IS NOT NULL', :runs),
  best_ms('SELECT count(*) FROM tn WHERE na + nb IS NOT NULL', :runs)),
 ('mul_div(a, b, c) vs div(a * b, c)', '>= 10x', 'a b c',
  best_ms('SELECT count(*) FROM t WHERE mul_div(a, b, c) IS NOT NULL', :runs),
  best_ms('SELECT count(*) FROM tn WHERE div(na * nb, nc) IS NOT NULL', :runs)),
 ('sum', '>= 3x', 'a',
  best_ms('SELECT sum(a) FROM t', :runs),
  best_ms('SELECT sum(na) FROM tn', :runs)),
 ('compare (WHERE a > b)', '', 'a b',
  best_ms('SELECT count(*) FROM t WHERE a > b', :runs),
  best_ms('SELECT count(*) FROM tn WHERE na > nb', :runs)),
 ('sort (ORDER BY a)', '', NULL,
  best_ms('SELECT a FROM t ORDER BY a OFFSET ' || (:rows - 1), :runs),
  best_ms('SELECT na FROM tn ORDER BY na OFFSET ' || (:rows - 1), :runs)),
 ('btree index build', '', NULL,
  best_ms('DROP INDEX IF EXISTS t_a; CREATE INDEX t_a ON t (a)', :runs),
  best_ms('DROP INDEX IF EXISTS t_na; CREATE INDEX t_na ON tn (na)', :runs));

\echo
\echo 'uint256 vs NUMERIC(78,0), ' :rows ' rows of 128-bit values, best of ' :runs ' runs, one core'
SELECT 'scan baseline: ' || query AS what, u_ms AS "uint256 ms", n_ms AS "numeric ms"
  FROM base ORDER BY length(cols);
SELECT what, r.u_ms AS "uint256 ms", r.n_ms AS "numeric ms",
	   round(r.n_ms / nullif(r.u_ms, 0), 1) || 'x' AS "ratio total",
	   r.u_ms - b.u_ms AS "uint256 net", r.n_ms - b.n_ms AS "numeric net",
	   CASE WHEN b.cols IS NULL THEN ''
			WHEN r.u_ms - b.u_ms < 1 THEN 'n/a (uint256 net < 1 ms)'
			ELSE round((r.n_ms - b.n_ms) / (r.u_ms - b.u_ms), 1) || 'x' END
		 AS "ratio net of scan",
	   goal
  FROM r LEFT JOIN base b USING (cols);

CREATE INDEX t_a100 ON t (a) WITH (fillfactor = 100);
CREATE INDEX t_na100 ON tn (na) WITH (fillfactor = 100);
SELECT 'btree index size' AS what,
	   round(pg_relation_size('t_a')::numeric / :rows, 1) AS "uint256 bytes/key",
	   round(pg_relation_size('t_na')::numeric / :rows, 1) AS "numeric bytes/key",
	   '<= 40 bytes/key' AS goal
UNION ALL
SELECT 'btree index size, fillfactor 100',
	   round(pg_relation_size('t_a100')::numeric / :rows, 1),
	   round(pg_relation_size('t_na100')::numeric / :rows, 1),
	   '';
SELECT 'stored value' AS what,
	   (SELECT round(avg(pg_column_size(a)), 1) FROM t) AS "uint256 bytes",
	   (SELECT round(avg(pg_column_size(na)), 1) FROM tn) AS "numeric bytes";

DROP SCHEMA bench_u256 CASCADE;
SQL
