#!/usr/bin/env node
// test/chain/diff_alm.js: random cases for the ALM plan cross-check
// (test/t/074_univ3_alm_diff.pl): an independent reference for
// univ3_alm_plan (src/univ3/alm.c), written from docs/univ3.md, with the
// exact pieces from @uniswap/v3-sdk (TickMath, SqrtPriceMath,
// maxLiquidityForAmounts) and the bookkeeping in BigInt.
//
//   node diff_alm.js OUTFILE [CASES]
//
// Writes one case per line in COPY text format: sqrt_price, tick_spacing,
// sigma, horizon_days, holdings0, holdings1, params (jsonb), expected.
// expected is the plan as "role,tick_lower,tick_upper,liquidity,amount0,
// amount1" rows joined by ";" (the idle row with empty ticks and
// liquidity), or "ERR:22" for arguments or parameters the function must
// refuse.  The seed comes from AMP_SEED or is drawn at random and is printed
// as "seed=N" so a run can be replayed.
'use strict';

const fs = require('fs');
const path = require('path');
const JSBI = require(path.join(__dirname, 'node_modules/jsbi'));
const { TickMath, SqrtPriceMath, maxLiquidityForAmounts } =
	require(path.join(__dirname, 'node_modules/@uniswap/v3-sdk'));
const { Rng, seedFromEnv } = require('./seeded');

const out = process.argv[2];
const cases = parseInt(process.argv[3] || '3000', 10);
if (!out) {
	console.error('usage: diff_alm.js OUTFILE [CASES]');
	process.exit(2);
}
const rng = new Rng(seedFromEnv());

const MAX_TICK = 887272;
const MIN_SQRT = 4295128739n;
const MAX_SQRT = 1461446703485210103287273052203988822378723970342n;
const MAX_U128 = (1n << 128n) - 1n;
const MAX_U256 = (1n << 256n) - 1n;
const LN_TICK = Math.log(1.0001);
const ERR = 'ERR:22';
const J = (x) => JSBI.BigInt(x.toString());
const B = (x) => BigInt(x.toString());

function rbits(bits) {
	let v = 0n;
	for (let i = 0; i < bits; i += 64)
		v = (v << 64n) | rng.next64();
	return v & ((1n << BigInt(bits)) - 1n);
}

// ---- the reference ----

const sqrtAt = (t) => B(TickMath.getSqrtRatioAtTick(t));
const bmin = (a, b) => (a < b ? a : b);
// The usable ticks of a spacing: the tick bounds rounded toward zero.
const maxUsable = (s) => Math.trunc(MAX_TICK / s) * s;
const minUsable = (s) => -maxUsable(s);
// The greatest multiple of s at or below x.
const floorTo = (x, s) => Math.floor(x / s) * s;
// C's llround: halves away from zero.
const roundAway = (x) => Math.sign(x) * Math.round(Math.abs(x));

// getLiquidityForAmounts (the periphery's, as the SDK computes it without
// full precision) capped at the pool's maxLiquidityPerTick: a side too big
// for uint128 loses to the cap, which is what the docs say happens instead
// of a revert.
function mintableLiquidity(p, sa, sb, a0, a1, cap) {
	return bmin(cap, B(maxLiquidityForAmounts(J(p), J(sa), J(sb), J(a0), J(a1), false)));
}

// What UniswapV3Pool.mint takes for liquidity L over [sa, sb] at p (rounded up).
function mintAmounts(p, sa, sb, L) {
	const d0 = (x, y) => B(SqrtPriceMath.getAmount0Delta(J(x), J(y), J(L), true));
	const d1 = (x, y) => B(SqrtPriceMath.getAmount1Delta(J(x), J(y), J(L), true));
	if (p <= sa) return [d0(sa, sb), 0n];
	if (p < sb) return [d0(p, sb), d1(sa, p)];
	return [0n, d1(sa, sb)];
}

// univ3_alm_plan from docs/univ3.md ("The plan"): rows or ERR.
function plan(p, s, sigma, horizon, h0, h1, params) {
	if (p < MIN_SQRT || p >= MAX_SQRT || s < 1 || s > 16383 || !(sigma >= 0 && sigma <= 1e6)
		|| !(horizon > 0 && horizon <= 1e6))
		return ERR;
	const k = params.k ?? 2, minWidth = params.min_width ?? 2, limitWidth = params.limit_width ?? 0;
	const share = params.full_range_share ?? 0, pull = params.peg_pull ?? 0.5, apr = params.apr ?? 0;
	const app = { token0: 1, token1: -1, none: 0 }[params.appreciating ?? 'none'];
	if (!(k > 0 && k <= 1e6) || !(Number.isInteger(minWidth) && minWidth >= 2 && minWidth <= 2 * MAX_TICK)
		|| !(Number.isInteger(limitWidth) && (limitWidth === 0 && params.limit_width === undefined
			|| limitWidth >= 1 && limitWidth <= 2 * MAX_TICK))
		|| !(share >= 0 && share <= 1) || !(pull >= 0 && pull <= 1) || !(apr >= 0 && apr <= 100)
		|| app === undefined
		|| params.peg_tick !== undefined && !(Number.isInteger(params.peg_tick) && Math.abs(params.peg_tick) <= MAX_TICK))
		return ERR;

	const tick = TickMath.getTickAtSqrtRatio(J(p));
	const lo_u = minUsable(s), hi_u = maxUsable(s);
	const cap = MAX_U128 / BigInt((hi_u - lo_u) / s + 1);
	const rows = [];
	let avail0 = h0, avail1 = h1;
	// Mint the most that the amounts allow; what it takes comes off them.
	function mint(role, lo, hi, a0, a1) {
		const sa = sqrtAt(lo), sb = sqrtAt(hi);
		const L = mintableLiquidity(p, sa, sb, a0, a1, cap);
		if (L === 0n) return [0n, 0n];
		const [x0, x1] = mintAmounts(p, sa, sb, L);
		if (x0 > a0 || x1 > a1) throw new Error('mint takes more than given');
		rows.push([role, lo, hi, L, x0, x1]);
		return [x0, x1];
	}

	// 1. full range: floor(holding * round(share * 1e6) / 1e6) of each token
	if (share > 0) {
		const ppm = BigInt(Math.round(share * 1e6));
		const [x0, x1] = mint('full_range', lo_u, hi_u, h0 * ppm / 1000000n, h1 * ppm / 1000000n);
		avail0 -= x0;
		avail1 -= x1;
	}

	// 2. base: W spacings, centred on the tick plus the skew, halves rounded up
	const maxW = (hi_u - lo_u) / s;
	const x = 2 * k * sigma * Math.sqrt(horizon) / (LN_TICK * s);
	const W = Math.min(maxW, Math.max(minWidth, x < maxW ? Math.ceil(x) : maxW));
	let skew = 0;
	if (app !== 0) skew += app * Math.log1p(apr) * horizon / 365 / LN_TICK;
	if (params.peg_tick !== undefined) skew += pull * (params.peg_tick - tick);
	skew = Math.max(-2 * MAX_TICK, Math.min(2 * MAX_TICK, skew));
	const centre = tick + roundAway(skew);
	let lo = s * Math.floor((2 * centre - W * s + s) / (2 * s));
	// the price inside: lo <= tick < lo + W s
	if (lo > tick) lo = floorTo(tick, s);
	if (lo + W * s <= tick) lo = floorTo(tick, s) - (W - 1) * s;
	let hi = lo + W * s;
	// the range inside the usable ticks
	if (lo < lo_u) { lo = lo_u; hi = Math.min(hi_u, lo + W * s); }
	if (hi > hi_u) { hi = hi_u; lo = Math.max(lo_u, hi - W * s); }
	{
		const [x0, x1] = mint('base', lo, hi, avail0, avail1);
		avail0 -= x0;
		avail1 -= x1;
	}

	// 3. limit: an ask of token0 from the first usable tick at or above the
	// price, or a bid of token1 ending at the last one at or below it,
	// whichever mints more
	const lw = limitWidth > 0 ? limitWidth : W;
	const askLo = (tick % s === 0 && sqrtAt(tick) === p) ? tick : floorTo(tick, s) + s;
	const askHi = Math.min(hi_u, askLo + lw * s);
	const bidHi = floorTo(tick, s);
	const bidLo = Math.max(lo_u, bidHi - lw * s);
	const lAsk = askLo < askHi && avail0 > 0n
		? mintableLiquidity(p, sqrtAt(askLo), sqrtAt(askHi), avail0, 0n, cap) : 0n;
	const lBid = bidLo < bidHi && avail1 > 0n
		? mintableLiquidity(p, sqrtAt(bidLo), sqrtAt(bidHi), 0n, avail1, cap) : 0n;
	if (lAsk > lBid)
		avail0 -= mint('limit', askLo, askHi, avail0, 0n)[0];
	else if (lBid > 0n)
		avail1 -= mint('limit', bidLo, bidHi, 0n, avail1)[1];

	// 4. idle
	rows.push(['idle', '', '', '', avail0, avail1]);
	return rows.map((r) => r.join(',')).join(';');
}

// ---- inputs ----

function genSqrt() {
	switch (rng.rint(8)) {
		case 0: return rng.pick([MIN_SQRT, MIN_SQRT + 1n, MAX_SQRT - 1n, 1n << 96n]);
		case 1: return sqrtAt(rng.int(-MAX_TICK, MAX_TICK));	// exactly on a tick
		case 2: return sqrtAt(rng.pick([0, 10, 60, 200, -60, 1397, 887220, -887220]));
		default: {
			const t = rng.chance(0.5) ? rng.int(-5000, 5000) : rng.int(-MAX_TICK, MAX_TICK - 1);
			const v = sqrtAt(t) + rbits(rng.int(1, 60));
			return v >= MAX_SQRT ? MAX_SQRT - 1n : v;
		}
	}
}
function genHolding() {
	switch (rng.rint(8)) {
		case 0: return rng.pick([0n, 1n, 10n ** 18n, MAX_U128, MAX_U256]);
		case 1: return rbits(rng.int(1, 256));
		default: return rbits(rng.int(40, 100));
	}
}
function genParams() {
	const p = {};
	if (rng.chance(0.5)) p.k = rng.chance(0.1) ? rng.pick([0.01, 1, 2, 1000]) : 0.1 + rng.float() * 4;
	if (rng.chance(0.3)) p.min_width = rng.pick([2, 3, 10, rng.int(2, 5000)]);
	if (rng.chance(0.3)) p.limit_width = rng.pick([1, 2, 5, rng.int(1, 3000)]);
	if (rng.chance(0.3)) p.full_range_share = rng.chance(0.2) ? rng.pick([0, 1, 0.5, 1e-7]) : rng.float();
	if (rng.chance(0.3)) {
		p.appreciating = rng.pick(['token0', 'token1', 'none']);
		p.apr = rng.chance(0.2) ? rng.pick([0, 100, 1]) : rng.float() * 0.2;
	}
	if (rng.chance(0.3)) {
		p.peg_tick = rng.chance(0.7) ? rng.int(-3000, 3000) : rng.int(-MAX_TICK, MAX_TICK);
		if (rng.chance(0.5)) p.peg_pull = rng.float();
	}
	return p;
}

const lines = [];
for (let i = 0; i < cases; i++) {
	let p = genSqrt();
	let s = rng.pick([1, 10, 60, 200, rng.int(1, 16383)]);
	let sigma = rng.chance(0.1) ? rng.pick([0, 1e-9, 5, 1e6]) : rng.float() * 0.1;
	let horizon = rng.chance(0.1) ? rng.pick([1e-6, 1, 365, 1e6]) : 0.05 + rng.float() * 30;
	const params = genParams();
	// a few arguments and parameters it must refuse
	if (rng.chance(0.05)) {
		switch (rng.rint(9)) {
			case 0: p = rng.pick([MIN_SQRT - 1n, MAX_SQRT, 0n]); break;
			case 1: s = rng.pick([0, -10, 16384]); break;
			case 2: sigma = rng.pick([-0.1, 1e7]); break;
			case 3: horizon = rng.pick([0, -1]); break;
			case 4: params.k = rng.pick([0, -1]); break;
			case 5: params.min_width = rng.pick([1, 0, 2.5]); break;
			case 6: params.full_range_share = 1.5; break;
			case 7: params.peg_tick = MAX_TICK + 1; break;
			default: params.limit_width = 0; break;
		}
	}
	const h0 = genHolding(), h1 = genHolding();
	const expected = plan(p, s, sigma, horizon, h0, h1, params);
	lines.push([p, s, sigma, horizon, h0, h1, JSON.stringify(params), expected].join('\t'));
}
fs.writeFileSync(out, lines.join('\n') + '\n');
console.log(`cases=${lines.length}`);
