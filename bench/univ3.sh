#!/usr/bin/env bash
# bench/univ3.sh: the univ3 tick and liquidity functions against a plain
# PL/pgSQL numeric implementation of the same Solidity formulas, and against
# @uniswap/v3-sdk in Node, on the same inputs.
#
# Run by scripts/bench.sh (PGHOST etc. set, extension created); by hand,
# eval "$(scripts/stack.sh env NAME)" first.  BENCH_ROWS inputs (default
# 20000; the numeric side is slow) are drawn from generate_series.  The
# results of both SQL implementations are compared first ("results agree").
# Times are the best of BENCH_RUNS (default 3), one core (parallel query and
# JIT off).  Per-call times for SQL include the executor's per-row overhead
# (SELECT count(f(x)) over the input table); Node times are a plain loop
# over the same inputs after a warm-up.  A trivial uint256 operator over the
# same columns gives the executor's floor per row, and so the highest ratio
# any C implementation could show here.  Prints ratios; asserts nothing.
set -euo pipefail
cd "$(dirname "$0")/.."
ROWS=${BENCH_ROWS:-20000}
RUNS=${BENCH_RUNS:-3}
INPUTS=$(mktemp)
trap 'rm -f "$INPUTS"' EXIT

psql -X -q -v ON_ERROR_STOP=1 -v rows="$ROWS" -v runs="$RUNS" <<'SQL'
\set QUIET on
SET client_min_messages = warning;
SET max_parallel_workers_per_gather = 0;
SET jit = off;
DROP SCHEMA IF EXISTS bench_univ3 CASCADE;
CREATE SCHEMA bench_univ3;
SET search_path = bench_univ3, amplified, public;

-- TickMath.getSqrtRatioAtTick in numeric, written plainly from the formula.
CREATE FUNCTION n_sqrt_at_tick(tick int) RETURNS numeric LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
	c numeric[] := ARRAY[340265354078544963557816517032075149313,340248342086729790484326174814286782778,
		340214320654664324051920982716015181260,340146287995602323631171512101879684304,
		340010263488231146823593991679159461444,339738377640345403697157401104375502016,
		339195258003219555707034227454543997025,338111622100601834656805679988414885971,
		335954724994790223023589805789778977700,331682121138379247127172139078559817300,
		323299236684853023288211250268160618739,307163716377032989948697243942600083929,
		277268403626896220162999269216087595045,225923453940442621947126027127485391333,
		149997214084966997727330242082538205943,66119101136024775622716233608466517926,
		12847376061809297530290974190478138313,485053260817066172746253684029974020,
		691415978906521570653435304214168,1404880482679654955896180642];
	q128 numeric := 340282366920938463463374607431768211456;
	a int := abs(tick);
	r numeric := q128;
	i int;
BEGIN
	IF a > 887272 THEN RAISE EXCEPTION 'T'; END IF;
	FOR i IN 0 .. 19 LOOP
		IF (a >> i) & 1 = 1 THEN r := div(r * c[i + 1], q128); END IF;
	END LOOP;
	IF tick > 0 THEN r := div(115792089237316195423570985008687907853269984665640564039457584007913129639935, r); END IF;
	RETURN div(r, 4294967296) + CASE WHEN mod(r, 4294967296) = 0 THEN 0 ELSE 1 END;
END $$;

-- TickMath.getTickAtSqrtRatio in numeric: binary search over n_sqrt_at_tick.
CREATE FUNCTION n_tick_at_sqrt(p numeric) RETURNS int LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
	lo int := -887272;
	hi int := 887272;
	mid int;
BEGIN
	WHILE lo < hi LOOP
		mid := (lo + hi + 1) / 2 + CASE WHEN lo + hi + 1 < 0 AND (lo + hi + 1) % 2 <> 0 THEN -1 ELSE 0 END;
		IF n_sqrt_at_tick(mid) <= p THEN lo := mid; ELSE hi := mid - 1; END IF;
	END LOOP;
	RETURN lo;
END $$;

-- SqrtPriceMath.getAmount0Delta (rounded up) and LiquidityAmounts in numeric.
CREATE FUNCTION n_amount0_up(a numeric, b numeric, l numeric) RETURNS numeric LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
	t numeric;
	n numeric := l * 79228162514264337593543950336;
BEGIN
	IF a > b THEN t := a; a := b; b := t; END IF;
	t := div(n * (b - a), b) + CASE WHEN mod(n * (b - a), b) = 0 THEN 0 ELSE 1 END;
	RETURN div(t, a) + CASE WHEN mod(t, a) = 0 THEN 0 ELSE 1 END;
END $$;
CREATE FUNCTION n_liquidity_for_amounts(p numeric, a numeric, b numeric, x0 numeric, x1 numeric)
RETURNS numeric LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
	q96 numeric := 79228162514264337593543950336;
	t numeric;
BEGIN
	IF a > b THEN t := a; a := b; b := t; END IF;
	IF p <= a THEN RETURN div(x0 * div(a * b, q96), b - a);
	ELSIF p < b THEN RETURN least(div(x0 * div(p * b, q96), b - p), div(x1 * q96, p - a));
	ELSE RETURN div(x1 * q96, b - a);
	END IF;
END $$;

CREATE TABLE t AS
	SELECT i, ((hashint4(i)::bigint % 887272))::int AS tick,
		   (hashint4(i + 7)::bigint % 2000)::int AS w,
		   (abs(hashint8(i))::numeric * 1000000 + 1)::numeric(78,0) AS amt
	  FROM generate_series(1, :rows) i;
ALTER TABLE t ADD COLUMN p uint256, ADD COLUMN pa uint256, ADD COLUMN pb uint256, ADD COLUMN np numeric, ADD COLUMN npa numeric, ADD COLUMN npb numeric, ADD COLUMN au uint256;
UPDATE t SET p = univ3_sqrt_price_at_tick(tick) + (i % 1000),
			 pa = univ3_sqrt_price_at_tick(greatest(tick - abs(w) - 1, -887272)),
			 pb = univ3_sqrt_price_at_tick(least(tick + abs(w) + 1, 887272));
UPDATE t SET np = p::numeric, npa = pa::numeric, npb = pb::numeric, au = amt::uint256;
VACUUM ANALYZE t;

-- The same results first: the comparison is meaningless otherwise.
SELECT CASE WHEN (SELECT count(*) FROM t WHERE univ3_sqrt_price_at_tick(tick)::numeric <> n_sqrt_at_tick(tick)) = 0
			 AND (SELECT count(*) FROM (SELECT * FROM t WHERE i <= 300) s WHERE univ3_tick_at_sqrt_price(p) <> n_tick_at_sqrt(np)) = 0
			 AND (SELECT count(*) FROM t WHERE univ3_amount0_delta(pa, pb, amt::uint256, true)::numeric <> n_amount0_up(npa, npb, amt)) = 0
			 AND (SELECT count(*) FROM t WHERE univ3_liquidity_for_amounts(p, pa, pb, amt::uint256, amt::uint256)::numeric
											<> n_liquidity_for_amounts(np, npa, npb, amt, amt)) = 0
		THEN 'results agree' ELSE 'RESULTS DIFFER' END AS check;

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
CREATE TABLE r (what text, c_ms numeric, n_ms numeric, rows int);
INSERT INTO r VALUES
 ('sqrt_price_at_tick', best_ms('SELECT count(univ3_sqrt_price_at_tick(tick)) FROM t', :runs),
  best_ms('SELECT count(n_sqrt_at_tick(tick)) FROM t', :runs), :rows),
 ('tick_at_sqrt_price (numeric: 300 rows, binary search)', best_ms('SELECT count(univ3_tick_at_sqrt_price(p)) FROM t WHERE i <= 300', :runs),
  best_ms('SELECT count(n_tick_at_sqrt(np)) FROM t WHERE i <= 300', :runs), 300),
 ('amount0_delta (round up)', best_ms('SELECT count(univ3_amount0_delta(pa, pb, au, true)) FROM t', :runs),
  best_ms('SELECT count(n_amount0_up(npa, npb, amt)) FROM t', :runs), :rows),
 ('liquidity_for_amounts', best_ms('SELECT count(univ3_liquidity_for_amounts(p, pa, pb, au, au)) FROM t', :runs),
  best_ms('SELECT count(n_liquidity_for_amounts(np, npa, npb, amt, amt)) FROM t', :runs), :rows);
-- The executor's own per-row cost with a trivial C operator over the same
-- uint256 columns (bitwise and): no C implementation can go below it, so
-- numeric time over it is the highest ratio this query shape can show.
INSERT INTO r VALUES ('floor: count(pa & au), a trivial uint256 operator', best_ms('SELECT count(pa & au) FROM t', :runs), NULL, :rows);
-- the full-table per-call C time of tick_at_sqrt_price, for the Node comparison
INSERT INTO r VALUES ('tick_at_sqrt_price (all rows)', best_ms('SELECT count(univ3_tick_at_sqrt_price(p)) FROM t', :runs), NULL, :rows);
\pset footer off
SELECT what, round(c_ms * 1000000 / rows) AS c_ns_per_call, round(n_ms * 1000000 / rows) AS numeric_ns_per_call,
	   round(n_ms / nullif(c_ms, 0), 1) AS ratio, CASE WHEN n_ms IS NOT NULL THEN '>= 30x' END AS goal
  FROM r WHERE n_ms IS NOT NULL;
SELECT r.what, round(f.c_ms * 1000000 / f.rows) AS floor_ns_per_call,
	   round(r.n_ms / nullif(f.c_ms, 0), 1) AS highest_possible_ratio
  FROM r, r f WHERE f.what LIKE 'floor:%' AND r.n_ms IS NOT NULL AND r.rows = f.rows;
SQL

# The same inputs through @uniswap/v3-sdk in Node, against the C per-call time.
psql -X -q -v ON_ERROR_STOP=1 -c "\copy (SELECT tick, p, pa, pb, amt FROM bench_univ3.t ORDER BY i) TO '$INPUTS'"
NODE_NS=$(node - "$INPUTS" "$RUNS" <<'JS'
const fs = require('fs');
const path = require('path');
const base = path.join(process.cwd(), 'test/chain/node_modules');
const JSBI = require(path.join(base, 'jsbi'));
const { TickMath, SqrtPriceMath, maxLiquidityForAmounts } = require(path.join(base, '@uniswap/v3-sdk'));
const rows = fs.readFileSync(process.argv[2], 'utf8').trim().split('\n').map((l) => l.split('\t'));
const ticks = rows.map((r) => parseInt(r[0], 10));
const p = rows.map((r) => JSBI.BigInt(r[1])), pa = rows.map((r) => JSBI.BigInt(r[2]));
const pb = rows.map((r) => JSBI.BigInt(r[3])), amt = rows.map((r) => JSBI.BigInt(r[4]));
const runs = parseInt(process.argv[3], 10);
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
let sink = 0;
const out = [
	best(() => { for (const t of ticks) sink ^= JSBI.toNumber(JSBI.bitwiseAnd(TickMath.getSqrtRatioAtTick(t), JSBI.BigInt(1))); }),
	best(() => { for (const x of p) sink ^= TickMath.getTickAtSqrtRatio(x); }),
	best(() => { for (let i = 0; i < rows.length; i++) sink ^= JSBI.toNumber(JSBI.bitwiseAnd(SqrtPriceMath.getAmount0Delta(pa[i], pb[i], amt[i], true), JSBI.BigInt(1))); }),
	best(() => { for (let i = 0; i < rows.length; i++) sink ^= JSBI.toNumber(JSBI.bitwiseAnd(maxLiquidityForAmounts(p[i], pa[i], pb[i], amt[i], amt[i], false), JSBI.BigInt(1))); }),
];
console.log(out.join(' '));
JS
)
read -r N1 N2 N3 N4 <<<"$NODE_NS"
psql -X -q -v ON_ERROR_STOP=1 <<SQL
\pset footer off
SELECT what, round(c_ms * 1000000 / rows) AS c_ns_per_call, sdk AS sdk_ns_per_call,
	   round(sdk / (c_ms * 1000000 / rows), 1) AS ratio, 'faster per call' AS goal
  FROM bench_univ3.r JOIN (VALUES ('sqrt_price_at_tick', $N1::numeric), ('tick_at_sqrt_price (all rows)', $N2),
	('amount0_delta (round up)', $N3), ('liquidity_for_amounts', $N4)) v(w, sdk) ON v.w = r.what;
DROP SCHEMA bench_univ3 CASCADE;
SQL
