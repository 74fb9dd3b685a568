#!/usr/bin/env node
// test/chain/diff_univ3.js: random cases for the univ3 differential test
// (test/t/070_univ3_sdk.pl), with @uniswap/v3-sdk as the reference.
//
//   node diff_univ3.js OUTFILE [CASES_PER_FUNCTION]
//
// Writes one case per line in COPY text format: fn, a, b, c, d, e, expected.
// expected is the SDK's result as text ("|" between the fields of a
// composite), or "ERR:22" when the Solidity library reverts (the SDK throws,
// or returns a value the Solidity code would refuse to cast: the comment at
// each such spot says which).  Operands are biased toward the edges: the
// tick and sqrt price bounds, prices at and next to ticks, liquidity and
// amounts near 2^128, 2^160 and 2^256.  The seed comes from AMP_SEED or is
// drawn at random and is printed as "seed=N" so a run can be replayed.
'use strict';

const fs = require('fs');
const path = require('path');
const JSBI = require(path.join(__dirname, 'node_modules/jsbi'));
const sdk = require(path.join(__dirname, 'node_modules/@uniswap/v3-sdk'));
const { TickMath, SqrtPriceMath, SwapMath, maxLiquidityForAmounts, nearestUsableTick,
	TickLibrary, PositionLibrary, TickListDataProvider, v3Swap } = sdk;

const out = process.argv[2];
const perFn = parseInt(process.argv[3] || '2000', 10);
if (!out) {
	console.error('usage: diff_univ3.js OUTFILE [CASES_PER_FUNCTION]');
	process.exit(2);
}

// ---- a seeded generator (splitmix64) ----
const { Rng, seedFromEnv } = require('./seeded');
const rng = new Rng(seedFromEnv());
const next64 = () => rng.next64();
const rint = (n) => Number(next64() % BigInt(n));
function rbits(bits) {
	let v = 0n;
	for (let i = 0; i < bits; i += 64)
		v = (v << 64n) | next64();
	return v & ((1n << BigInt(bits)) - 1n);
}
const pick = (arr) => arr[rint(arr.length)];

// ---- bounds and conversions ----
const MIN_TICK = -887272, MAX_TICK = 887272;
const MIN_SQRT = 4295128739n;
const MAX_SQRT = 1461446703485210103287273052203988822378723970342n;
const MAX_U128 = (1n << 128n) - 1n;
const MAX_U160 = (1n << 160n) - 1n;
const MAX_U256 = (1n << 256n) - 1n;
const J = (x) => JSBI.BigInt(x.toString());
const B = (x) => BigInt(x.toString());
const ERR = 'ERR:22';

// SDK call: its result, or ERR when it throws (its invariants are the
// Solidity requires; a JSBI RangeError is Solidity's division by zero).
function sdkOr(f) {
	try {
		return f();
	} catch (e) {
		return ERR;
	}
}

// ---- operand generators ----
function genTick() {
	switch (rint(6)) {
		case 0: return pick([MIN_TICK, MAX_TICK, 0, 1, -1, MIN_TICK + 1, MAX_TICK - 1]);
		case 1: return rint(2001) - 1000;
		default: return rint(MAX_TICK - MIN_TICK + 1) + MIN_TICK;
	}
}
function sqrtAtTick(t) {
	return B(TickMath.getSqrtRatioAtTick(t));
}
// A valid sqrt price in [MIN_SQRT, MAX_SQRT).
function genSqrt() {
	switch (rint(6)) {
		case 0: return pick([MIN_SQRT, MIN_SQRT + 1n, MAX_SQRT - 1n, 1n << 96n]);
		case 1: {
			const t = genTick();
			const s = sqrtAtTick(t) + BigInt(rint(3)) - 1n;
			return s < MIN_SQRT ? MIN_SQRT : s >= MAX_SQRT ? MAX_SQRT - 1n : s;
		}
		case 2: return MIN_SQRT + rbits(rint(158) + 1) % (MAX_SQRT - MIN_SQRT);
		default: {
			const s = sqrtAtTick(genTick()) + rbits(rint(64));
			return s >= MAX_SQRT ? MAX_SQRT - 1n : s;
		}
	}
}
function genLiquidity() {
	switch (rint(6)) {
		case 0: return pick([0n, 1n, MAX_U128, MAX_U128 - 1n, 10n ** 18n]);
		case 1: return rbits(128);
		default: return rbits(rint(128) + 1);
	}
}
function genAmount() {
	switch (rint(8)) {
		case 0: return pick([0n, 1n, MAX_U128, MAX_U160, MAX_U160 + 1n, MAX_U256, 10n ** 18n]);
		case 1: return rbits(256);
		case 2: return rbits(rint(256) + 1);
		default: return rbits(rint(120) + 1);
	}
}
function genFee() {
	return pick([0, 1, 100, 500, 3000, 10000, rint(1000000), 999999]);
}

// ---- cases ----
const lines = [];
function emit(fn, args, expected) {
	const cols = [0, 1, 2, 3, 4].map((i) => (args[i] === undefined ? '\\N' : String(args[i])));
	lines.push([fn, ...cols, String(expected)].join('\t'));
}

for (let i = 0; i < perFn; i++) {
	// TickMath.getSqrtRatioAtTick, with out-of-range ticks now and then
	{
		const t = rint(20) === 0 ? pick([MIN_TICK - 1, MAX_TICK + 1, -2147483648, 2147483647]) : genTick();
		emit('sqrt_at_tick', [t], sdkOr(() => B(TickMath.getSqrtRatioAtTick(t))));
	}
	// TickMath.getTickAtSqrtRatio, with out-of-range prices now and then
	{
		const s = rint(20) === 0 ? pick([0n, MIN_SQRT - 1n, MAX_SQRT, MAX_U160]) : genSqrt();
		emit('tick_at_sqrt', [s], sdkOr(() => TickMath.getTickAtSqrtRatio(J(s))));
	}
	// SqrtPriceMath.getAmount0Delta / getAmount1Delta (unsigned and signed)
	{
		const a = rint(40) === 0 ? 0n : genSqrt(), b = genSqrt(), l = genLiquidity();
		const up = rint(2) === 0;
		emit('amount0_delta', [a, b, l, up], sdkOr(() => B(SqrtPriceMath.getAmount0Delta(J(a), J(b), J(l), up))));
		emit('amount1_delta', [a, b, l, up], sdkOr(() => B(SqrtPriceMath.getAmount1Delta(J(a), J(b), J(l), up))));
		// signed: adding rounds up, removing rounds down and negates; the
		// delta is an int128 in Solidity, so a wider one is refused
		const neg = rint(2) === 0;
		const m = rint(20) === 0 ? l : l >> 1n;
		const d = neg ? -m : m;
		const fits = d >= -(1n << 127n) && d < (1n << 127n);
		const signed = (f) => (fits ? sdkOr(() => {
			const v = B(f(J(a), J(b), J(m), !neg));
			return neg ? -v : v;
		}) : ERR);
		emit('amount0_delta_signed', [a, b, d], signed(SqrtPriceMath.getAmount0Delta));
		emit('amount1_delta_signed', [a, b, d], signed(SqrtPriceMath.getAmount1Delta));
	}
	// SqrtPriceMath.getNextSqrtPriceFromInput / Output
	{
		const s = rint(40) === 0 ? 0n : genSqrt(), l = genLiquidity(), amt = genAmount();
		const z = rint(2) === 0;
		emit('next_from_input', [s, l, amt, z], sdkOr(() => {
			const r = B(SqrtPriceMath.getNextSqrtPriceFromInput(J(s), J(l), J(amt), z));
			// when amount * sqrtP overflows, Solidity falls back to
			// L / (L / sqrtP + amount) with a SafeMath add the SDK does not check
			if (z && amt > 0n && amt * s > MAX_U256 && ((l << 96n) / s) + amt > MAX_U256)
				return ERR;
			// Solidity's toUint160 reverts where the SDK returns a wider value
			return r > MAX_U160 ? ERR : r;
		}));
		const amtOut = rint(2) === 0 ? rbits(rint(100) + 1) : amt;
		emit('next_from_output', [s, l, amtOut, z], sdkOr(() => {
			const r = B(SqrtPriceMath.getNextSqrtPriceFromOutput(J(s), J(l), J(amtOut), z));
			return r > MAX_U160 ? ERR : r;
		}));
	}
	// SwapMath.computeSwapStep (the SDK throws on nothing: inputs kept valid)
	{
		const cur = genSqrt(), tgt = rint(10) === 0 ? cur : genSqrt(), l = genLiquidity();
		let rem = rbits(rint(200) + 1);
		if (rint(2) === 0) rem = -rem;
		const fee = genFee();
		emit('swap_step', [cur, tgt, l, rem, fee], sdkOr(() => {
			const [n, ain, aout, f] = SwapMath.computeSwapStep(J(cur), J(tgt), J(l), J(rem), fee);
			return [n, ain, aout, f].map(B).join('|');
		}));
	}
	// LiquidityAmounts.getLiquidityForAmounts = maxLiquidityForAmounts(..., false);
	// Solidity casts each liquidity it computes to uint128 (toUint128 reverts),
	// so the in-range branch checks both, as maxLiquidityForAmounts on the
	// two sub-ranges returns them.
	{
		const s = genSqrt(), a = rint(30) === 0 ? s : genSqrt(), b = genSqrt();
		const x0 = rint(3) === 0 ? genAmount() : rbits(rint(100) + 1);
		const x1 = rint(3) === 0 ? genAmount() : rbits(rint(100) + 1);
		emit('liquidity_for_amounts', [s, a, b, x0, x1], sdkOr(() => {
			const lo = a < b ? a : b, hi = a < b ? b : a;
			const parts = [];
			if (s <= lo || s >= hi)
				parts.push(B(maxLiquidityForAmounts(J(s), J(a), J(b), J(x0), J(x1), false)));
			else {
				parts.push(B(maxLiquidityForAmounts(J(lo), J(s), J(hi), J(x0), J(0), false)));
				parts.push(B(maxLiquidityForAmounts(J(hi), J(lo), J(s), J(0), J(x1), false)));
			}
			if (parts.some((p) => p > MAX_U128)) return ERR;
			return parts.reduce((m, p) => (p < m ? p : m));
		}));
	}
	// LiquidityAmounts.getAmountsForLiquidity: the SDK's rounded-down deltas
	// over the part of the range on each side of the price
	{
		const s = genSqrt(), a = genSqrt(), b = genSqrt(), l = genLiquidity();
		emit('amounts_for_liquidity', [s, a, b, l], sdkOr(() => {
			const lo = a < b ? a : b, hi = a < b ? b : a;
			let x0 = 0n, x1 = 0n;
			if (s <= lo) x0 = B(SqrtPriceMath.getAmount0Delta(J(lo), J(hi), J(l), false));
			else if (s < hi) {
				x0 = B(SqrtPriceMath.getAmount0Delta(J(s), J(hi), J(l), false));
				x1 = B(SqrtPriceMath.getAmount1Delta(J(lo), J(s), J(l), false));
			} else x1 = B(SqrtPriceMath.getAmount1Delta(J(lo), J(hi), J(l), false));
			return `${x0}|${x1}`;
		}));
	}
	// nearestUsableTick
	{
		const t = genTick(), sp = pick([1, 10, 60, 200, 1 + rint(16383)]);
		emit('nearest_usable_tick', [t, sp], sdkOr(() => nearestUsableTick(t, sp)));
	}
	// Tick.getFeeGrowthInside and Position's tokens owed (accumulators that wrap)
	{
		const lo = genTick(), hi = genTick();
		const tl = Math.min(lo, hi), tu = Math.max(lo, hi) === Math.min(lo, hi) ? Math.min(lo, hi) + 1 : Math.max(lo, hi);
		if (tu <= MAX_TICK) {
			const cur = pick([tl - 1, tl, tu - 1, tu, genTick()]);
			const g = rbits(256), ol = rint(3) === 0 ? g : rbits(256), ou = rbits(rint(256) + 1);
			emit('fee_growth_inside', [tl, tu, cur, g, `${ol},${ou}`], B(TickLibrary.getFeeGrowthInside(
				{ feeGrowthOutside0X128: J(ol), feeGrowthOutside1X128: J(0) },
				{ feeGrowthOutside0X128: J(ou), feeGrowthOutside1X128: J(0) },
				tl, tu, cur, J(g), J(0))[0]));
		}
		const fi = rbits(256), fl = rint(2) === 0 ? rbits(256) : fi - rbits(rint(200) + 1), l = genLiquidity();
		const fil = fl < 0n ? 0n : fl;
		// Position.update casts the owed amount to uint128 (it wraps, as documented)
		emit('tokens_owed', [fi, fil, l], B(PositionLibrary.getTokensOwed(J(fil), J(0), J(l), J(fi), J(0))[0]) & MAX_U128);
	}
}

// Swaps across ticks: random pools built from positions, run through v3Swap.
(async () => {
	const nswaps = Math.max(50, Math.floor(perFn / 4));
	for (let i = 0; i < nswaps; i++) {
		const spacing = pick([1, 10, 60, 200]);
		const fee = pick([100, 500, 3000, 10000]);
		const minT = Math.ceil(MIN_TICK / spacing) * spacing, maxT = Math.floor(MAX_TICK / spacing) * spacing;
		const nets = new Map();
		const npos = 1 + rint(6);
		const center = rint(3) === 0 ? 0 : genTick();
		const width = pick([spacing * 4, spacing * 300, spacing * 3000, 200000]);
		for (let p = 0; p < npos; p++) {
			let tl, tu;
			if (rint(5) === 0) { tl = minT; tu = maxT; } else {
				tl = Math.floor((center - rint(width)) / spacing) * spacing;
				tu = tl + spacing * (1 + rint(Math.max(1, Math.floor(width / spacing))));
				tl = Math.max(tl, minT); tu = Math.min(tu, maxT);
				if (tu <= tl) continue;
			}
			const l = rint(4) === 0 ? rbits(rint(40) + 1) : rbits(60 + rint(60));
			nets.set(tl, (nets.get(tl) || 0n) + l);
			nets.set(tu, (nets.get(tu) || 0n) - l);
		}
		const ticks = [...nets.keys()].sort((x, y) => x - y);
		if (ticks.length === 0) continue;
		let sqrtP = rint(3) === 0 ? sqrtAtTick(center) : genSqrt();
		if (sqrtP >= MAX_SQRT) sqrtP = MAX_SQRT - 1n;
		const tick = TickMath.getTickAtSqrtRatio(J(sqrtP));
		let liq = 0n;
		for (const t of ticks) if (t <= tick) liq += nets.get(t);
		const provider = new TickListDataProvider(ticks.map((t) => ({
			index: t, liquidityNet: J(nets.get(t)), liquidityGross: J(nets.get(t) < 0n ? -nets.get(t) : nets.get(t)) })), spacing);
		const zfo = rint(2) === 0;
		let amount = rint(3) === 0 ? rbits(rint(200) + 1) + 1n : rbits(rint(90) + 1) + 1n;
		if (rint(2) === 0) amount = -amount;
		let limit = null;
		if (rint(3) === 0 && sqrtP - MIN_SQRT > 2n && MAX_SQRT - sqrtP > 2n) {
			limit = zfo ? sqrtP - (rbits(rint(150)) % (sqrtP - MIN_SQRT)) - 1n
				: sqrtP + 1n + (rbits(rint(150)) % (MAX_SQRT - sqrtP - 1n));
			if (limit <= MIN_SQRT || limit >= MAX_SQRT || (zfo ? limit >= sqrtP : limit <= sqrtP)) limit = null;
		}
		let expected;
		try {
			const r = await v3Swap(J(fee), J(sqrtP), tick, J(liq), spacing, provider, zfo, J(amount), limit === null ? undefined : J(limit));
			expected = [B(r.amountCalculated), B(r.sqrtRatioX96), r.tickCurrent, B(r.liquidity)].join('|');
		} catch (e) {
			expected = ERR;
		}
		emit('simulate_swap', [`${sqrtP},${tick},${liq},${spacing},${fee}`,
			`{${ticks.join(',')}}`, `{${ticks.map((t) => nets.get(t)).join(',')}}`,
			zfo, `${amount},${limit === null ? '' : limit}`], expected);
	}
	fs.writeFileSync(out, lines.join('\n') + '\n');
	console.log(`cases=${lines.length}`);
})();
