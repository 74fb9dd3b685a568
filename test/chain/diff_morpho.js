#!/usr/bin/env node
// test/chain/diff_morpho.js: random cases for the Morpho Blue differential
// test (test/t/101_morpho_sdk.pl), with @morpho-org/blue-sdk as the reference.
//
//   node diff_morpho.js OUTFILE [CASES_PER_FUNCTION]
//
// Writes one case per line in COPY text format: fn, a, b, c, d, e, f, g,
// expected.  expected is the SDK's result as text ("|" between the fields of
// a composite, NULL for SQL NULL), "ERR:22" where Morpho Blue's Solidity
// reverts on arithmetic (any error of class 22 then), or an exact SQLSTATE
// ("ERR:22023", "ERR:22003") where the SQL function refuses an argument the
// protocol never holds (lltv >= 1e18, fee > 25%, totals wider than uint128).
//
// The SDK computes with unbounded BigInts, Solidity with checked 256-bit
// words: MathLib's mulDivDown/mulDivUp and wTaylorCompounded are wrapped
// below to note when an intermediate would not fit 256 bits, which makes
// the expected result ERR:22.  The IRM's signed arithmetic has its own
// overflow predicate (irmOverflows).  APYs are floats: "APY:x" is compared
// with a relative tolerance.  The liquidation price has no exact SDK
// function (getLiquidationPrice is approximate): its expected value is found
// by bisection over the price with the SDK's isHealthy, and 101 also checks
// the boundary property with morpho_is_healthy.  Operands are biased toward
// the edges (0, 1, 2^128 - 1, 2^256 - 1, lltv next to 1e18).  The seed comes
// from AMP_SEED or is drawn at random and is printed as "seed=N".
'use strict';

const fs = require('fs');
const path = require('path');
const nm = path.join(__dirname, 'node_modules');
const { MathLib } = require(path.join(nm, '@morpho-org/morpho-ts'));
const sdk = require(path.join(nm, '@morpho-org/blue-sdk'));
const { SharesMath, AdaptiveCurveIrmLib, MarketUtils } = sdk;

const out = process.argv[2];
const perFn = parseInt(process.argv[3] || '2000', 10);
if (!out) {
	console.error('usage: diff_morpho.js OUTFILE [CASES_PER_FUNCTION]');
	process.exit(2);
}

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

const MAX256 = (1n << 256n) - 1n;
const MAX128 = (1n << 128n) - 1n;
const INT_MAX = (1n << 255n) - 1n, INT_MIN = -(1n << 255n);
const WAD = 10n ** 18n;
const MAX_FEE = WAD / 4n;
const ERR = 'ERR:22', BADARG = 'ERR:22023', RANGE = 'ERR:22003';

// ---- Solidity overflow tracking around the SDK's MathLib ----
let overflow = false;
const mulDivDown0 = MathLib.mulDivDown, mulDivUp0 = MathLib.mulDivUp, taylor0 = MathLib.wTaylorCompounded;
MathLib.mulDivDown = (x, y, d) => {
	const p = BigInt(x) * BigInt(y);
	if (p > MAX256 || p < INT_MIN) overflow = true;
	return mulDivDown0(x, y, d);
};
MathLib.mulDivUp = (x, y, d) => {
	const p = BigInt(x) * BigInt(y);
	if (p > MAX256 || p + BigInt(d) - 1n > MAX256) overflow = true;
	return mulDivUp0(x, y, d);
};
MathLib.wTaylorCompounded = (x, n) => {
	if (BigInt(x) * BigInt(n) > MAX256) overflow = true;
	const r = taylor0(x, n);
	if (r > MAX256) overflow = true;
	return r;
};
// The SDK's result, or ERR when Solidity would revert (or the SDK throws).
function sol(f) {
	overflow = false;
	let r;
	try {
		r = f();
	} catch (e) {
		return ERR;
	}
	return overflow ? ERR : r;
}

// ---- operand generators ----
function genAmount() {
	switch (rint(10)) {
		case 0: return pick([0n, 1n, 2n, MAX128, MAX128 - 1n, MAX256, 10n ** 18n, 10n ** 6n]);
		case 1: return rbits(256);
		case 2: return rbits(rint(256) + 1);
		default: return rbits(rint(100) + 1);
	}
}
// Totals: shares about 1e6 per asset as Morpho mints them, or anything.
function genTotals() {
	switch (rint(8)) {
		case 0: return [0n, 0n];
		case 1: return [genAmount(), genAmount()];
		case 2: return [MAX128 - rbits(rint(64)), MAX128 - rbits(rint(64))];
		default: {
			const a = rbits(rint(100) + 1);
			const s = a * (10n ** 6n) * (100n + BigInt(rint(20))) / 100n + rbits(rint(20));
			return [a, s > MAX128 ? MAX128 : s];
		}
	}
}
function genLltv() {
	switch (rint(6)) {
		case 0: return pick([0n, 1n, WAD - 1n, WAD, WAD + 1n, MAX256]);
		case 1: return rbits(64) % WAD;
		default: return pick([385n, 625n, 770n, 860n, 915n, 945n, 965n, 980n]) * 10n ** 15n;
	}
}
// Oracle prices (1e36 scale, times the decimals difference).
function genPrice() {
	switch (rint(8)) {
		case 0: return pick([0n, 1n, 10n ** 36n, MAX256, MAX128]);
		case 1: return rbits(rint(256) + 1);
		default: return (10n ** BigInt(20 + rint(40))) * (rbits(20) + 1n) / 1000n;
	}
}
function genRate() {
	switch (rint(6)) {
		case 0: return pick([0n, 1n, MAX256, 31709791n, 63419583967n]);
		case 1: return rbits(rint(256) + 1);
		default: return rbits(rint(40) + 1);
	}
}
function genElapsed() {
	switch (rint(6)) {
		case 0: return pick([0n, 1n, 12n, 3600n, 86400n, 31536000n, (1n << 62n)]);
		case 1: return rbits(rint(63) + 1);
		default: return BigInt(rint(86400 * 30));
	}
}
function genUtil() {
	switch (rint(8)) {
		case 0: return pick([0n, 900000000000000000n, 900000000000000001n, 899999999999999999n, WAD, WAD + 1n]);
		case 1: return rbits(rint(255) + 1);
		default: return rbits(64) % (WAD + WAD / 10n);
	}
}
function genRateAtTarget() {
	switch (rint(8)) {
		case 0: return pick([0n, 1n, 31709791n, 63419583967n, 1268391679n, WAD, 10n ** 30n]);
		case 1: return rbits(rint(130) + 1);
		default: return 31709791n + rbits(40) % (63419583967n - 31709791n);
	}
}
const hexAddr = (v) => '0x' + v.toString(16).padStart(40, '0');
function genAddress() {
	return rint(8) === 0 ? hexAddr(pick([0n, 1n, (1n << 160n) - 1n])) : hexAddr(rbits(160));
}

// ---- the IRM's signed overflow (Solidity int256 checked arithmetic) ----
function irmOverflows(u, start, elapsed) {
	const T = AdaptiveCurveIrmLib.TARGET_UTILIZATION;
	const chk = (v) => { if (v > INT_MAX || v < INT_MIN) throw new Error('overflow'); return v; };
	try {
		if (u > INT_MAX) return true;
		const norm = u > T ? WAD - T : T;
		const err = chk(chk(u - T) * WAD) / norm;
		let avg;
		if (start === 0n) avg = AdaptiveCurveIrmLib.INITIAL_RATE_AT_TARGET;
		else {
			const speed = chk(AdaptiveCurveIrmLib.ADJUSTMENT_SPEED * err) / WAD;
			const lin = chk(speed * elapsed);
			if (lin === 0n) avg = start;
			else {
				const nr = (l) => {
					let v = chk(start * AdaptiveCurveIrmLib.wExp(l)) / WAD;
					if (v > AdaptiveCurveIrmLib.MAX_RATE_AT_TARGET) v = AdaptiveCurveIrmLib.MAX_RATE_AT_TARGET;
					if (v < AdaptiveCurveIrmLib.MIN_RATE_AT_TARGET) v = AdaptiveCurveIrmLib.MIN_RATE_AT_TARGET;
					return v;
				};
				const end = nr(lin), mid = nr(lin / 2n);
				avg = chk(chk(start + end) + chk(2n * mid)) / 4n;
			}
		}
		const coeff = err < 0n ? WAD - WAD * WAD / AdaptiveCurveIrmLib.CURVE_STEEPNESS : AdaptiveCurveIrmLib.CURVE_STEEPNESS - WAD;
		chk(chk(chk(coeff * err) / WAD + WAD) * avg);
		return false;
	} catch (e) {
		return true;
	}
}

// A WAD-scaled bigint as the SQL numeric text with 18 decimals.
const wadText = (v) => `${v / WAD}.${(v % WAD).toString().padStart(18, '0')}`;

// ---- cases ----
const lines = [];
function emit(fn, args, expected) {
	const cols = [0, 1, 2, 3, 4, 5, 6].map((i) => (args[i] === undefined ? '\\N' : String(args[i])));
	lines.push([fn, ...cols, expected === null ? 'NULL' : String(expected)].join('\t'));
}
const market = (tba, tbs, price) => ({ totalBorrowAssets: tba, totalBorrowShares: tbs, price });

for (let i = 0; i < perFn; i++) {
	// MarketParamsLib.id
	{
		const p = [genAddress(), genAddress(), genAddress(), genAddress()];
		const lltv = rint(5) === 0 ? genAmount() : genLltv();
		emit('market_id', [...p, lltv], MarketUtils.getMarketId({
			loanToken: p[0], collateralToken: p[1], oracle: p[2], irm: p[3], lltv }));
	}
	// SharesMathLib
	{
		const [ta, ts] = genTotals();
		const x = rint(2) === 0 ? genAmount() : rbits(rint(128) + 1);
		const up = rint(2) === 0;
		const virt = (ta + 1n > MAX256 || ts + 1000000n > MAX256);
		emit('to_assets', [x, ta, ts, up], virt ? ERR : sol(() => SharesMath.toAssets(x, ta, ts, up ? 'Up' : 'Down')));
		emit('to_shares', [x, ta, ts, up], virt ? ERR : sol(() => SharesMath.toShares(x, ta, ts, up ? 'Up' : 'Down')));
	}
	// utilization as the IRM computes it (0 without supply; the SDK's
	// getUtilization says 2^256 - 1 when there is debt but no supply)
	{
		const [s, b] = rint(4) === 0 ? [genAmount(), genAmount()] : [rbits(rint(128) + 1), rbits(rint(128) + 1)];
		const ss = rint(15) === 0 ? 0n : s;
		emit('utilization', [ss, b], ss === 0n ? 0n : sol(() => MarketUtils.getUtilization({ totalSupplyAssets: ss, totalBorrowAssets: b })));
	}
	// ExpLib.wExp
	{
		const x = pick([
			() => pick([0n, 1n, -1n, AdaptiveCurveIrmLib.LN_WEI_INT, AdaptiveCurveIrmLib.LN_WEI_INT - 1n,
				AdaptiveCurveIrmLib.WEXP_UPPER_BOUND, AdaptiveCurveIrmLib.WEXP_UPPER_BOUND - 1n, INT_MAX, INT_MIN]),
			() => (rbits(70) % (140n * WAD)) - 45n * WAD,
			() => (rbits(62) % (2n * WAD)) - WAD,
			() => (rint(2) === 0 ? 1n : -1n) * rbits(rint(255) + 1),
		])();
		emit('wexp', [x], AdaptiveCurveIrmLib.wExp(x));
	}
	// AdaptiveCurveIrm._borrowRate
	{
		const rat = genRateAtTarget(), u = genUtil(), el = genElapsed();
		let exp;
		if (irmOverflows(u, rat, el)) exp = ERR;
		else {
			const r = AdaptiveCurveIrmLib.getBorrowRate(u, rat, el);
			exp = `${r.avgBorrowRate}|${r.endRateAtTarget}`;
		}
		emit('borrow_rate', [rat, u, el], exp);
	}
	// Morpho._accrueInterest
	{
		let [tsa, tss] = genTotals();
		let [tba, tbs] = genTotals();
		if (rint(3) > 0 && tba > tsa) [tba, tsa] = [tsa, tba];
		const fee = rint(6) === 0 ? pick([0n, MAX_FEE, MAX_FEE + 1n, WAD]) : pick([0n, rbits(64) % (MAX_FEE + 1n)]);
		const rate = rint(4) === 0 ? genRate() : rbits(rint(36) + 1);
		const el = genElapsed();
		let exp;
		if ([tsa, tss, tba, tbs].some((v) => v > MAX128)) exp = RANGE;
		else if (fee > MAX_FEE) exp = BADARG;
		else {
			const r = sol(() => MarketUtils.getAccruedInterest(rate, { totalSupplyAssets: tsa, totalBorrowAssets: tba,
				totalSupplyShares: tss, fee }, el));
			if (r === ERR) exp = ERR;
			else {
				const { interest, feeShares } = r;
				const v = [tsa + interest, tss + feeShares, tba + interest, tbs];
				exp = (interest > MAX128 || feeShares > MAX128 || v.some((x) => x > MAX128)) ? ERR
					: [...v, interest, feeShares].join('|');
			}
		}
		emit('accrue', [tsa, tss, tba, tbs, fee, rate, el], exp);
	}
	// supply rate and APYs (Market.getAvgSupplyRate, MarketUtils.rateToApy)
	{
		const rate = rint(3) === 0 ? genRate() : rbits(rint(36) + 1);
		const u = rint(4) === 0 ? genUtil() : rbits(64) % WAD;
		const fee = rint(6) === 0 ? pick([MAX_FEE, MAX_FEE + 1n, WAD]) : rbits(64) % (MAX_FEE + 1n);
		emit('supply_rate', [rate, u, fee], fee > MAX_FEE ? BADARG
			: sol(() => MathLib.wMulUp(MathLib.wMulDown(rate, u), WAD - fee)));
		const r2 = rint(4) === 0 ? rbits(rint(40) + 1) : rbits(rint(34) + 1);
		emit('apy', [r2], 'APY:' + MarketUtils.rateToApy(r2));
	}
	// health: max borrow, _isHealthy, health factor, LTV
	{
		const [tba, tbs] = genTotals();
		const c = rint(3) === 0 ? genAmount() : rbits(rint(100) + 1);
		let bs = rint(3) === 0 ? genAmount() : (tbs === 0n ? rbits(rint(90) + 1) : tbs / BigInt(1 + rint(10)));
		if (rint(10) === 0) bs = 0n;
		const price = genPrice(), lltv = genLltv();
		const m = market(tba, tbs, price);
		const badLltv = lltv >= WAD;
		emit('max_borrow', [c, price, lltv], badLltv ? BADARG : sol(() => MarketUtils.getMaxBorrowAssets(c, m, { lltv })));
		emit('is_healthy', [c, bs, tba, tbs, price, lltv], badLltv ? BADARG : bs === 0n ? 't'
			: sol(() => (MarketUtils.isHealthy({ collateral: c, borrowShares: bs }, m, { lltv }) ? 't' : 'f')));
		// the ratio itself is exact in SQL (no 256-bit product): only its
		// two operands can revert
		emit('health_factor', [c, bs, tba, tbs, price, lltv], badLltv ? BADARG : bs === 0n ? null
			: (sol(() => MarketUtils.toBorrowAssets(bs, m)) === ERR || sol(() => MarketUtils.getMaxBorrowAssets(c, m, { lltv })) === ERR) ? ERR
			: wadText(MarketUtils.getHealthFactor({ collateral: c, borrowShares: bs }, m, { lltv })));
		const ba = sol(() => MarketUtils.toBorrowAssets(bs, m));
		if (ba !== ERR) {
			let exp;
			const cv = sol(() => MarketUtils.getCollateralValue(c, m));
			if (ba === 0n) exp = '0.000000000000000000';
			else if (cv === ERR) exp = ERR;
			else if (cv === 0n) exp = 'Infinity';
			// getLtv returns null when the market has no borrow shares: its formula then
			else exp = wadText(tbs === 0n ? mulDivUp0(ba, WAD, cv) : MarketUtils.getLtv({ collateral: c, borrowShares: bs }, m));
			emit('ltv', [c, ba, price], exp);
		}
	}
	// liquidation: incentive factor, Morpho.liquidate's amounts, liquidation price
	{
		const lltv = genLltv();
		emit('lif', [lltv], lltv >= WAD ? BADARG : MarketUtils.getLiquidationIncentiveFactor({ lltv }));
		const [tba, tbs] = genTotals();
		const price = genPrice();
		const m = market(tba, tbs, price);
		let seized = 0n, repaid = 0n;
		switch (rint(8)) {
			case 0: if (rint(2) === 0) { seized = genAmount() + 1n; repaid = genAmount() + 1n; } break;
			case 1: case 2: case 3: seized = rint(3) === 0 ? genAmount() : rbits(rint(100) + 1) + 1n; break;
			default: repaid = rint(3) === 0 ? genAmount() : rbits(rint(120) + 1) + 1n;
		}
		seized = seized > MAX256 ? MAX256 : seized;
		repaid = repaid > MAX256 ? MAX256 : repaid;
		let exp;
		if (lltv >= WAD || (seized === 0n) === (repaid === 0n)) exp = BADARG;
		else {
			const virt = tba + 1n > MAX256 || tbs + 1000000n > MAX256;
			const r = virt ? ERR : sol(() => {
				let s = seized, rs = repaid;
				if (s > 0n) rs = MarketUtils.getLiquidationRepaidShares(s, m, { lltv });
				else {
					if (price === 0n) throw new Error('division by zero');
					s = MarketUtils.getLiquidationSeizedAssets(rs, m, { lltv });
				}
				const ra = MarketUtils.toBorrowAssets(rs, m, 'Up');
				return [s, rs, ra];
			});
			exp = r === ERR ? ERR : (r[0] > MAX128 || r[1] > MAX128 || r.some((x) => x > MAX256)) ? ERR : r.join('|');
		}
		emit('liquidate', [seized, repaid, tba, tbs, price, lltv], exp);
	}
	{
		const [tba, tbs] = genTotals();
		const c = rint(4) === 0 ? genAmount() : rbits(rint(100) + 1);
		let bs = rint(3) === 0 ? genAmount() : (tbs === 0n ? rbits(rint(90) + 1) : tbs / BigInt(1 + rint(10)));
		if (rint(12) === 0) bs = 0n;
		if (rint(15) === 0) bs = 1n;
		const lltv = rint(10) === 0 ? genLltv() : pick([385n, 625n, 770n, 860n, 915n, 945n, 965n, 980n]) * 10n ** 15n;
		let exp;
		if (lltv >= WAD) exp = BADARG;
		else if (bs === 0n) exp = null;
		else {
			const ba = sol(() => MarketUtils.toBorrowAssets(bs, market(tba, tbs, 0n)));
			if (ba === ERR || tba + 1n > MAX256 || tbs + 1000000n > MAX256) exp = ERR;
			else {
				// the SDK's isHealthy as an exact predicate (unbounded, so no
				// revert) and bisection for the highest unhealthy price
				const healthy = (p) => MarketUtils.isHealthy({ collateral: c, borrowShares: bs }, market(tba, tbs, p), { lltv });
				if (!healthy(MAX256)) exp = MAX256;
				else {
					let lo = 0n, hi = MAX256; // !healthy(lo), healthy(hi)
					while (hi - lo > 1n) {
						const mid = (lo + hi) >> 1n;
						if (healthy(mid)) hi = mid; else lo = mid;
					}
					exp = lo;
				}
			}
		}
		emit('liquidation_price', [c, bs, tba, tbs, lltv], exp);
	}
}

// Bad arguments the SQL functions refuse (not the SDK's business).
emit('borrow_rate', [-1n, WAD, 10n], BADARG);
emit('borrow_rate', [1268391679n, WAD, -1n], BADARG);
emit('borrow_rate', [1268391679n, 1n << 255n, 10n], RANGE);
emit('accrue', [1000n, 1000n, 100n, 100n, 0n, 1n, -5n], BADARG);

fs.writeFileSync(out, lines.join('\n') + '\n');
console.log(`cases=${lines.length}`);
