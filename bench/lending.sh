#!/usr/bin/env bash
# bench/lending.sh: the Morpho Blue math in SQL (C) against
# @morpho-org/blue-sdk in Node, on the same inputs.
#
# Run by scripts/bench.sh (PGHOST etc. set, extension created); by hand,
# eval "$(scripts/stack.sh env NAME)" first.  BENCH_ROWS markets and
# positions (default 100000) are drawn from generate_series: realistic
# totals (uint128), fees, borrow rates, elapsed times, rates at target,
# collateral, borrow shares, prices and lltvs.  Three functions are timed:
# morpho_accrue (Market.accrueInterest's MarketUtils.getAccruedInterest),
# morpho_health_factor (MarketUtils.getHealthFactor) and morpho_borrow_rate
# (AdaptiveCurveIrmLib.getBorrowRate), one per query and then the three in
# one query.  Both sides' sums of the results are compared first ("results
# agree").  Times are the best of BENCH_RUNS (default 3), one core (parallel
# query and JIT off).  SQL times include the executor's per-row overhead
# (SELECT count(f(x)) over the table); the same scan fetching the same
# columns with no function call is each query's floor, and "net" per-call
# times subtract it.  Node
# times are a plain loop over the same inputs (BigInts parsed beforehand)
# after a warm-up.  Goals: the SDK's per-call time >= 10x the net C time,
# and the SDK's time for the three >= 5x the whole SQL query's per row.
# Prints ratios; asserts nothing.
#
# The SQL form: morpho_accrue and morpho_borrow_rate return a record (OUT
# parameters) and each query reads one field of it, (f(args)).field, the
# way an analyst asks "the interest accrued per market".  PostgreSQL
# evaluates that as a FieldSelect over the call: one call per row.  It does
# not share calls between expressions: (f(args)).a, (f(args)).b calls f
# twice per row, and (f(args)).* is expanded by the parser into one call per
# field (six for morpho_accrue; EXPLAIN VERBOSE shows each).  To read several
# fields with one call, put the function in FROM (CROSS JOIN LATERAL
# f(args) AS a): one call, but the function scan stores each result in a
# tuplestore first, which on this machine costs more than a second call
# (100000 rows: one field 35 ms, two fields by FieldSelect 52 ms, any
# fields by LATERAL 64 ms).  So the single-field form timed here is the
# natural one and the cheapest; reading k fields the FieldSelect way costs
# about k times the net figure printed.  morpho_health_factor returns a
# plain numeric.
set -euo pipefail
cd "$(dirname "$0")/.."
ROWS=${BENCH_ROWS:-100000}
RUNS=${BENCH_RUNS:-3}
INPUTS=$(mktemp)
trap 'rm -f "$INPUTS"' EXIT

psql -X -q -v ON_ERROR_STOP=1 -v rows="$ROWS" -v runs="$RUNS" <<'SQL'
\set QUIET on
SET client_min_messages = warning;
SET max_parallel_workers_per_gather = 0;
SET jit = off;
DROP SCHEMA IF EXISTS bench_lending CASCADE;
CREATE SCHEMA bench_lending;
SET search_path = bench_lending, amplified, public;

-- Markets: supply 1e6..1e30 units, 50-99% borrowed, shares about 1e6 per
-- asset; positions: collateral, a slice of the borrow shares, a price near
-- the one that makes the position borderline.
CREATE TABLE t AS
	SELECT i,
		   (abs(hashint4(i))::numeric * (10::numeric ^ (abs(hashint4(i + 1)) % 22)) + 1000000)::numeric(78, 0) AS tsa_n,
		   50 + abs(hashint4(i + 2)) % 50 AS pct,
		   (abs(hashint4(i + 3)) % 25)::numeric * 10000000000000000 AS fee_n,
		   (abs(hashint4(i + 4)) % 60000000000)::numeric + 300000000 AS rate_n,
		   abs(hashint4(i + 5)) % 864000 AS elapsed,
		   (abs(hashint4(i + 6)) % 63000000000)::numeric + 31709791 AS rat_n,
		   (abs(hashint4(i + 7)) % 1100)::numeric * 1000000000000000 AS util_n,
		   2 + abs(hashint4(i + 8)) % 50 AS slice,
		   (ARRAY[770, 860, 915, 945, 965])[1 + abs(hashint4(i + 9)) % 5]::numeric * 1000000000000000 AS lltv_n
	  FROM generate_series(1, :rows) i;
ALTER TABLE t ADD COLUMN tsa uint256, ADD COLUMN tss uint256, ADD COLUMN tba uint256, ADD COLUMN tbs uint256,
	ADD COLUMN fee uint256, ADD COLUMN rate uint256, ADD COLUMN rat int256, ADD COLUMN util uint256,
	ADD COLUMN coll uint256, ADD COLUMN bs uint256, ADD COLUMN price uint256, ADD COLUMN lltv uint256;
UPDATE t SET tsa = tsa_n::uint256, tss = (tsa_n * 1000000 + i)::uint256,
			 tba = trunc(tsa_n * pct / 100)::uint256, tbs = (trunc(tsa_n * pct / 100) * 1000000 + i % 997)::uint256,
			 fee = fee_n::uint256, rate = rate_n::uint256, rat = rat_n::int256, util = util_n::uint256,
			 lltv = lltv_n::uint256;
UPDATE t SET bs = (tbs::numeric / slice)::numeric(78, 0)::uint256,
			 coll = (tba::numeric / slice * 11 / 10 + 1)::numeric(78, 0)::uint256,
			 price = (1e36 * (0.8 + (i % 400) / 1000.0))::numeric(78, 0)::uint256;
ALTER TABLE t DROP COLUMN tsa_n, DROP COLUMN pct, DROP COLUMN fee_n, DROP COLUMN rate_n, DROP COLUMN rat_n,
	DROP COLUMN util_n, DROP COLUMN slice, DROP COLUMN lltv_n;
VACUUM ANALYZE t;

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
	RETURN best;
END $$;
CREATE TABLE r (what text, c_ms numeric, floor_ms numeric, rows int);
-- Each query's floor: the same scan fetching the same columns (a row
-- constructor over them, tested for NULL), with no function called.
INSERT INTO r VALUES
 ('accrue', best_ms('SELECT count((morpho_accrue(tsa, tss, tba, tbs, fee, rate, elapsed)).interest) FROM t', :runs),
  best_ms('SELECT count(*) FILTER (WHERE ROW(tsa, tss, tba, tbs, fee, rate, elapsed) IS NOT NULL) FROM t', :runs), :rows),
 ('health_factor', best_ms('SELECT count(morpho_health_factor(coll, bs, tba, tbs, price, lltv)) FROM t', :runs),
  best_ms('SELECT count(*) FILTER (WHERE ROW(coll, bs, tba, tbs, price, lltv) IS NOT NULL) FROM t', :runs), :rows),
 ('borrow_rate', best_ms('SELECT count((morpho_borrow_rate(rat, util, elapsed)).avg_rate) FROM t', :runs),
  best_ms('SELECT count(*) FILTER (WHERE ROW(rat, util, elapsed) IS NOT NULL) FROM t', :runs), :rows),
 ('all three', best_ms('SELECT count((morpho_accrue(tsa, tss, tba, tbs, fee, rate, elapsed)).interest),
	count(morpho_health_factor(coll, bs, tba, tbs, price, lltv)), count((morpho_borrow_rate(rat, util, elapsed)).avg_rate) FROM t', :runs),
  best_ms('SELECT count(*) FILTER (WHERE ROW(tsa, tss, tba, tbs, fee, rate, elapsed, coll, bs, price, lltv, rat, util) IS NOT NULL) FROM t', :runs), :rows);
SQL

# The same inputs through blue-sdk in Node.
psql -X -q -v ON_ERROR_STOP=1 -c "\copy (SELECT tsa, tss, tba, tbs, fee, rate, elapsed, rat, util, coll, bs, price, lltv FROM bench_lending.t ORDER BY i) TO '$INPUTS'"
SQL_SUMS=$(psql -X -q -A -t -v ON_ERROR_STOP=1 -c "SET search_path = bench_lending, amplified;
	SELECT sum((morpho_accrue(tsa, tss, tba, tbs, fee, rate, elapsed)).interest) || ' ' ||
		   count(*) FILTER (WHERE morpho_health_factor(coll, bs, tba, tbs, price, lltv) < 1) || ' ' ||
		   sum((morpho_borrow_rate(rat, util, elapsed)).avg_rate) FROM t")
NODE_OUT=$(node - "$INPUTS" "$RUNS" <<'JS'
const fs = require('fs');
const path = require('path');
const base = path.join(process.cwd(), 'test/chain/node_modules/@morpho-org/blue-sdk');
const { MarketUtils, AdaptiveCurveIrmLib, MathLib } = require(base);
const rows = fs.readFileSync(process.argv[2], 'utf8').trim().split('\n').map((l) => l.split('\t').map(BigInt));
const runs = parseInt(process.argv[3], 10);
const markets = rows.map((r) => ({ totalSupplyAssets: r[0], totalSupplyShares: r[1], totalBorrowAssets: r[2],
	totalBorrowShares: r[3], fee: r[4], price: r[11] }));
const positions = rows.map((r) => ({ collateral: r[9], borrowShares: r[10] }));
const params = rows.map((r) => ({ lltv: r[12] }));
function best(f) {
	f();
	let b = Infinity;
	for (let k = 0; k < runs; k++) {
		const t0 = process.hrtime.bigint();
		f();
		b = Math.min(b, Number(process.hrtime.bigint() - t0));
	}
	return Math.round(b / rows.length);
}
let sink = 0n;
const accrue = (i) => MarketUtils.getAccruedInterest(rows[i][5], markets[i], rows[i][6]);
const hf = (i) => MarketUtils.getHealthFactor(positions[i], markets[i], params[i]);
const br = (i) => AdaptiveCurveIrmLib.getBorrowRate(rows[i][8], rows[i][7], rows[i][6]);
const n = rows.length;
const t = [
	best(() => { for (let i = 0; i < n; i++) sink ^= accrue(i).interest; }),
	best(() => { for (let i = 0; i < n; i++) sink ^= hf(i); }),
	best(() => { for (let i = 0; i < n; i++) sink ^= br(i).avgBorrowRate; }),
];
let s1 = 0n, s2 = 0, s3 = 0n;
for (let i = 0; i < n; i++) {
	s1 += accrue(i).interest;
	if (hf(i) < MathLib.WAD) s2++;
	s3 += br(i).avgBorrowRate;
}
console.log(`${t.join(' ')} ${s1} ${s2} ${s3}`);
JS
)
read -r N1 N2 N3 S1 S2 S3 <<<"$NODE_OUT"
if [ "$SQL_SUMS" = "$S1 $S2 $S3" ]; then echo "results agree"; else echo "RESULTS DIFFER: sql $SQL_SUMS, sdk $S1 $S2 $S3"; fi
psql -X -q -v ON_ERROR_STOP=1 <<SQL
\pset footer off
WITH v AS (SELECT r.what, r.c_ms * 1000000 / r.rows AS c_ns, r.floor_ms * 1000000 / r.rows AS floor_ns, sdk
		FROM bench_lending.r, (VALUES ('accrue', $N1::numeric), ('health_factor', $N2), ('borrow_rate', $N3),
								  ('all three', $N1 + $N2 + $N3)) s(w, sdk)
	   WHERE s.w = r.what)
SELECT what, round(c_ns) AS sql_ns_per_row, round(floor_ns) AS scan_ns, round(c_ns - floor_ns) AS net_ns,
	   sdk AS sdk_ns, round(sdk / nullif(c_ns - floor_ns, 0), 1) AS ratio_net,
	   round(sdk / c_ns, 1) AS ratio_whole,
	   CASE WHEN what = 'all three' THEN '>= 5x whole' ELSE '>= 10x net' END AS goal
  FROM v ORDER BY what = 'all three', what;
DROP SCHEMA bench_lending CASCADE;
SQL
