#!/usr/bin/env bash
# bench/uint256.sh: uint256 against NUMERIC(78,0) on the same 1M rows.
#
# Run by scripts/bench.sh, which starts a stack and exports PGHOST, PGPORT,
# PGUSER and PGDATABASE; by hand, eval "$(scripts/stack.sh env NAME)" first.
# Operands are 128-bit values (md5 digests), so a*b never overflows and
# mul_div always has a result.  Each type has its own table, as a user would
# store one or the other.  Each query runs BENCH_RUNS times (default 3) in
# one session and the best time counts; parallel query and JIT are off so
# both sides are measured on one core.  Prints times and two ratios, numeric
# time / uint256 time: "total" for the whole query, and "net of scan" after
# subtracting each table's scan baseline (count(col)), which is the cost of
# the operation itself.  Index: bytes per key.  No assertions.
set -euo pipefail
ROWS=${BENCH_ROWS:-1000000}
RUNS=${BENCH_RUNS:-3}

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

CREATE TABLE r (what text, goal text, u_ms numeric, n_ms numeric);
CREATE TABLE base (u_ms numeric, n_ms numeric);
INSERT INTO base VALUES
 (best_ms('SELECT count(a) FROM t', :runs), best_ms('SELECT count(na) FROM tn', :runs));
INSERT INTO r VALUES
 ('add (a + b)', '',
  best_ms('SELECT count(*) FROM t WHERE a + b IS NOT NULL', :runs),
  best_ms('SELECT count(*) FROM tn WHERE na + nb IS NOT NULL', :runs)),
 ('mul_div(a, b, c) vs div(a * b, c)', '>= 10x',
  best_ms('SELECT count(*) FROM t WHERE mul_div(a, b, c) IS NOT NULL', :runs),
  best_ms('SELECT count(*) FROM tn WHERE div(na * nb, nc) IS NOT NULL', :runs)),
 ('sum', '>= 3x',
  best_ms('SELECT sum(a) FROM t', :runs),
  best_ms('SELECT sum(na) FROM tn', :runs)),
 ('compare (WHERE a > b)', '',
  best_ms('SELECT count(*) FROM t WHERE a > b', :runs),
  best_ms('SELECT count(*) FROM tn WHERE na > nb', :runs)),
 ('sort (ORDER BY a)', '',
  best_ms('SELECT a FROM t ORDER BY a OFFSET ' || (:rows - 1), :runs),
  best_ms('SELECT na FROM tn ORDER BY na OFFSET ' || (:rows - 1), :runs)),
 ('btree index build', '',
  best_ms('DROP INDEX IF EXISTS t_a; CREATE INDEX t_a ON t (a)', :runs),
  best_ms('DROP INDEX IF EXISTS t_na; CREATE INDEX t_na ON tn (na)', :runs));

\echo
\echo 'uint256 vs NUMERIC(78,0), ' :rows ' rows of 128-bit values, best of ' :runs ' runs, one core'
SELECT 'scan baseline: count(col)' AS what, u_ms AS "uint256 ms", n_ms AS "numeric ms" FROM base;
SELECT what, r.u_ms AS "uint256 ms", r.n_ms AS "numeric ms",
	   round(r.n_ms / nullif(r.u_ms, 0), 1) || 'x' AS "ratio total",
	   CASE WHEN what LIKE 'btree%' OR what LIKE 'sort%' THEN ''
			ELSE round((r.n_ms - b.n_ms) / nullif(greatest(r.u_ms - b.u_ms, 0.1), 0), 1) || 'x' END AS "ratio net of scan",
	   goal
  FROM r, base b;

SELECT 'btree index size' AS what,
	   round(pg_relation_size('t_a')::numeric / :rows, 1) AS "uint256 bytes/key",
	   round(pg_relation_size('t_na')::numeric / :rows, 1) AS "numeric bytes/key",
	   '<= 40 bytes/key' AS goal;
SELECT 'stored value' AS what,
	   (SELECT round(avg(pg_column_size(a)), 1) FROM t) AS "uint256 bytes",
	   (SELECT round(avg(pg_column_size(na)), 1) FROM tn) AS "numeric bytes";

DROP SCHEMA bench_u256 CASCADE;
SQL
