#!/usr/bin/env node
// test/chain/diff_aave.js: random cases for the Aave v3 differential test
// (test/t/102_aave_math.pl), with the BigInt port of aave_math.js as the
// reference.
//
//   node diff_aave.js OUTFILE [CASES_PER_FUNCTION]
//
// Writes one case per line in COPY text format: fn, args, expected.  args
// are the SQL function's arguments joined by "|" (an array argument is its
// elements joined by ","); expected is the result as text ("|" between the
// fields of a composite) or "ERR:<sqlstate>" when the contract reverts or
// the SQL function refuses the arguments.  Operands lean toward the edges:
// 0, 1, the units (WAD, RAY and their halves), the exact overflow
// thresholds of each half-up operation and their neighbours, values near
// 2^256, and realistic reserve and account states.  The seed comes from
// AMP_SEED or is drawn at random and is printed as "seed=N".
//
// require('./diff_aave') returns the port itself (aave_math.js), so that a
// chain test can reuse it.
'use strict';

const aave = require('./aave_math');

module.exports = aave;

if (require.main === module)
	main();

function main() {
	const fs = require('fs');
	const { Rng, seedFromEnv } = require('./seeded');
	const out = process.argv[2];
	const perFn = parseInt(process.argv[3] || '2000', 10);
	if (!out) {
		console.error('usage: diff_aave.js OUTFILE [CASES_PER_FUNCTION]');
		process.exit(2);
	}
	const rng = new Rng(seedFromEnv());
	const { MAX, WAD, HALF_WAD, RAY, HALF_RAY, MAX_UINT40, SECONDS_PER_YEAR } = aave;

	const rint = (n) => rng.rint(n);
	const pick = (a) => a[rint(a.length)];
	function rbits(bits) {
		let v = 0n;
		for (let i = 0; i < bits; i += 64)
			v = (v << 64n) | rng.next64();
		return v & ((1n << BigInt(bits)) - 1n);
	}
	const clamp = (v) => (v < 0n ? 0n : v > MAX ? MAX : v);
	// A uint256 of random width (uniform over 1..256 bits).
	const wide = () => rbits(1 + rint(256));
	// A uint256 leaning to the edges.
	function u256() {
		switch (rint(8)) {
			case 0: return pick([0n, 1n, 2n, 3n, MAX, MAX - 1n, WAD, HALF_WAD, RAY, HALF_RAY,
				RAY - 1n, RAY + 1n, HALF_RAY - 1n, HALF_RAY + 1n, 10000n, 5000n, 4999n, 5001n]);
			case 1: return BigInt(rint(100000));
			case 2: return clamp(RAY * BigInt(rint(5)) + BigInt(rint(2000001)) - 1000000n);
			case 3: return MAX - rbits(1 + rint(128));
			default: return wide();
		}
	}
	// A ray-scale rate (0 .. ~3 ray), sometimes anything.
	function rate() {
		switch (rint(6)) {
			case 0: return pick([0n, 1n, RAY, RAY / 20n, RAY * 3n, HALF_RAY]);
			case 1: return u256();
			default: return rbits(1 + rint(92));
		}
	}
	// An amount of a token (up to ~2^128), sometimes anything.
	function amount() {
		switch (rint(8)) {
			case 0: return pick([0n, 1n, 2n, 10n ** 6n, WAD, 10n ** 24n]);
			case 1: return u256();
			default: return rbits(1 + rint(128));
		}
	}
	function bps() {
		switch (rint(5)) {
			case 0: return pick([0n, 1n, 5000n, 9999n, 10000n, 10001n, 65535n]);
			default: return BigInt(rint(10001));
		}
	}

	// The expected text of a computation, or ERR:<sqlstate>.
	function expect(f) {
		try {
			const r = f();
			return Array.isArray(r) ? r.map(String).join('|') : String(r);
		} catch (e) {
			if (e instanceof aave.AaveError)
				return 'ERR:' + e.sqlstate;
			throw e;
		}
	}

	const lines = [];
	const emit = (fn, args, expected) => lines.push([fn, args.map(String).join('|'), expected].join('\t'));

	// ---- binary operations: random operands and the exact overflow thresholds ----
	const halfUpMul = { ray_mul: [aave.rayMul, HALF_RAY], wad_mul: [aave.wadMul, HALF_WAD],
		percent_mul: [aave.percentMul, 5000n], balance: [aave.rayMul, HALF_RAY] };
	const halfUpDiv = { ray_div: [aave.rayDiv, RAY], wad_div: [aave.wadDiv, WAD],
		percent_div: [aave.percentDiv, 10000n] };
	for (const [fn, [f, half]] of Object.entries(halfUpMul)) {
		for (let i = 0; i < perFn; i++) {
			let a = u256(), b = u256();
			if (rint(3) === 0 && b !== 0n)
				a = clamp((MAX - half) / b + BigInt(rint(3)) - 1n);
			else if (rint(4) === 0)
				b = pick([1n, 2n, 3n, 10000n]);
			emit(fn, [a, b], expect(() => f(a, b)));
		}
	}
	for (const [fn, [f, unit]] of Object.entries(halfUpDiv)) {
		for (let i = 0; i < perFn; i++) {
			let a = u256(), b = u256();
			if (rint(3) === 0)
				a = clamp((MAX - b / 2n) / unit + BigInt(rint(3)) - 1n);
			else if (rint(6) === 0)
				b = 0n;
			emit(fn, [a, b], expect(() => f(a, b)));
		}
	}
	for (let i = 0; i < perFn; i++) {
		let a = u256();
		if (rint(3) === 0)
			a = clamp(MAX / 10n ** 9n + BigInt(rint(3)) - 1n);
		emit('wad_to_ray', [a], expect(() => aave.wadToRay(a)));
		let r = u256();
		if (rint(3) === 0)
			r = clamp(rbits(1 + rint(200)) * 10n ** 9n + pick([0n, 499999999n, 500000000n, 500000001n, 999999999n]));
		emit('ray_to_wad', [r], expect(() => aave.rayToWad(r)));
	}

	// ---- interest ----
	function timestamps() {
		const last = rint(20) === 0 ? pick([-1n, MAX_UINT40 + 1n, MAX_UINT40, 0n])
			: BigInt(rint(2000000000)) + 1000000000n;
		let dt;
		switch (rint(6)) {
			case 0: dt = pick([0n, 1n, 2n, 3n, SECONDS_PER_YEAR, -1n]); break;
			case 1: dt = BigInt(rint(86400)); break;
			case 2: dt = rbits(1 + rint(62)); break;
			default: dt = BigInt(rint(Number(SECONDS_PER_YEAR) * 3));
		}
		let now = last + dt;
		if (now > (1n << 63n) - 1n)
			now = (1n << 63n) - 1n;
		return [last, now];
	}
	const guard = (last, now, f) => () => { aave.checkTimestamps(last, now); return f(); };
	for (let i = 0; i < perFn; i++) {
		const [last, now] = timestamps();
		const r = rate();
		emit('linear_interest', [r, last, now], expect(guard(last, now, () => aave.linearInterest(r, last, now))));
		const [last2, now2] = timestamps();
		const r2 = rate();
		emit('compounded_interest', [r2, last2, now2],
			expect(guard(last2, now2, () => aave.compoundedInterest(r2, last2, now2))));
		const [last3, now3] = rint(4) === 0 ? [last, last] : timestamps();
		const idx = rint(4) === 0 ? u256() : RAY + rbits(1 + rint(88));
		const r3 = rate();
		emit('normalized_income', [idx, r3, last3, now3],
			expect(guard(last3, now3, () => aave.normalizedIncome(idx, r3, last3, now3))));
		const [last4, now4] = rint(4) === 0 ? [last2, last2] : timestamps();
		const idx4 = rint(4) === 0 ? u256() : RAY + rbits(1 + rint(88));
		const r4 = rate();
		emit('normalized_debt', [idx4, r4, last4, now4],
			expect(guard(last4, now4, () => aave.normalizedDebt(idx4, r4, last4, now4))));
	}

	// ---- scaled amounts ----
	for (let i = 0; i < perFn; i++) {
		const a = rint(3) === 0 ? u256() : amount();
		const idx = rint(5) === 0 ? pick([0n, 1n, u256()]) : RAY + rbits(1 + rint(88));
		const rounding = pick(['half_up', 'half_up', 'floor', 'ceil']);
		emit('scaled_amount', [a, idx, rounding], expect(() => {
			if (rounding === 'half_up')
				return aave.rayDiv(a, idx);
			if (idx === 0n)
				throw new aave.AaveError('22012', 'zero index');
			const q = (a * RAY) / idx + (rounding === 'ceil' && (a * RAY) % idx !== 0n ? 1n : 0n);
			if (q > MAX)
				throw new aave.AaveError('22003', 'overflow');
			return q;
		}));
	}

	// ---- the default interest rate strategy ----
	function strategy() {
		const ratio = () => (rint(10) === 0 ? pick([0n, RAY, RAY + 1n, u256()])
			: pick([RAY * 8n / 10n, RAY * 45n / 100n, RAY * 9n / 10n, RAY / 5n, rbits(89) % (RAY + 1n)]));
		return {
			optimalUsageRatio: ratio(),
			baseVariableBorrowRate: rate(),
			variableRateSlope1: rate(),
			variableRateSlope2: rate(),
			stableRateSlope1: rate(),
			stableRateSlope2: rate(),
			baseStableRateOffset: rate(),
			stableRateExcessOffset: rate(),
			optimalStableToTotalDebtRatio: ratio(),
		};
	}
	function reserve() {
		const rf = rint(15) === 0 ? pick([-1n, 10001n, 65535n]) : bps() % 10001n;
		const bal = amount();
		const added = rint(3) === 0 ? amount() : 0n;
		let taken = rint(3) === 0 ? amount() : 0n;
		if (rint(3) === 0)
			taken = bal + added - BigInt(rint(3));	/* near all of it, sometimes more */
		return {
			unbacked: rint(4) === 0 ? amount() : 0n,
			liquidityAdded: added,
			liquidityTaken: clamp(taken),
			totalStableDebt: rint(3) === 0 ? 0n : amount(),
			totalVariableDebt: rint(5) === 0 ? 0n : amount(),
			averageStableBorrowRate: rate(),
			reserveFactor: rf,
			availableLiquidity: bal,
		};
	}
	const rateArgs = (p) => [p.unbacked, p.liquidityAdded, p.liquidityTaken, p.totalStableDebt,
		p.totalVariableDebt, p.averageStableBorrowRate, p.reserveFactor, p.availableLiquidity];
	const stratArgs = (s) => [s.optimalUsageRatio, s.baseVariableBorrowRate, s.variableRateSlope1,
		s.variableRateSlope2, s.stableRateSlope1, s.stableRateSlope2, s.baseStableRateOffset,
		s.stableRateExcessOffset, s.optimalStableToTotalDebtRatio];
	const rates = (p, s) => () => {
		if (p.reserveFactor < 0n || p.reserveFactor > 10000n)
			throw new aave.AaveError('22023', 'reserve factor');
		aave.checkStrategy(s);
		return aave.calculateInterestRates(p, s);
	};
	for (let i = 0; i < perFn; i++) {
		const p = reserve(), s = strategy();
		emit('reserve_rates', [...rateArgs(p), ...stratArgs(s)], expect(rates(p, s)));
	}
	for (let i = 0; i < Math.max(50, perFn / 10); i++) {
		const p = reserve(), s = strategy();
		emit('reserve_rates_strategy', [...rateArgs(p), ...stratArgs(s)], expect(rates(p, s)));
	}

	// ---- GenericLogic ----
	const decimals = () => (rint(10) === 0 ? pick([-1, 0, 77, 78]) : pick([6, 8, 18, 0, 2, 27, rint(40)]));
	const price = () => (rint(8) === 0 ? pick([0n, 1n, u256()]) : rbits(1 + rint(72)));
	const checkDecimals = (d) => { if (d < 0 || d > 77) throw new aave.AaveError('22023', 'decimals'); };
	const checkBps = (b) => { if (b < 0n || b > 65535n) throw new aave.AaveError('22023', 'bps'); };
	const baseValue = () => (rint(10) === 0 ? u256() : rbits(1 + rint(100)));
	for (let i = 0; i < perFn; i++) {
		const a = amount(), pr = price(), d = decimals();
		emit('asset_value_base', [a, pr, d], expect(() => { checkDecimals(d); return aave.assetValueBase(a, pr, d); }));
		const c = baseValue(), debt = rint(6) === 0 ? 0n : baseValue();
		const lt = rint(20) === 0 ? pick([-1n, 65536n]) : bps();
		emit('health_factor', [c, debt, lt], expect(() => { checkBps(lt); return aave.healthFactor(c, debt, lt); }));
		const ltv = rint(20) === 0 ? pick([-1n, 65536n]) : bps();
		emit('max_borrow_base', [c, debt, ltv], expect(() => { checkBps(ltv); return aave.availableBorrows(c, debt, ltv); }));
		const hf = rint(3) === 0 ? aave.CLOSE_FACTOR_HF_THRESHOLD + BigInt(rint(3)) - 1n : pick([u256(), rbits(61)]);
		emit('close_factor', [hf], expect(() => aave.closeFactor(hf)));
	}
	function account() {
		const n = rint(6);
		const assets = [];
		for (let k = 0; k < n; k++)
			assets.push({
				collateral: rint(12) === 0 ? u256() : rint(8) === 0 ? 0n : rbits(1 + rint(110)),
				ltv: rint(5) === 0 ? 0n : bps() % 10001n,
				lt: rint(6) === 0 ? 0n : bps() % 10001n,
				category: BigInt(rint(3)),
			});
		const debts = [];
		for (let k = rint(4); k > 0; k--)
			debts.push(rint(12) === 0 ? u256() : rbits(1 + rint(110)));
		return {
			assets, debts, withCategories: rint(3) !== 0,
			userCategory: BigInt(rint(3)), eModeLtv: bps() % 10001n, eModeLt: bps() % 10001n,
		};
	}
	const arr = (xs) => xs.map(String).join(',');
	for (let i = 0; i < perFn; i++) {
		const acc = account();
		const cats = acc.withCategories ? acc.assets.map((a) => a.category) : [];
		const assets = acc.withCategories ? acc.assets : acc.assets.map((a) => ({ ...a, category: 0n }));
		emit('account_data', [arr(assets.map((a) => a.collateral)), arr(assets.map((a) => a.ltv)),
			arr(assets.map((a) => a.lt)), arr(acc.debts), arr(cats), acc.userCategory, acc.eModeLtv, acc.eModeLt],
		expect(() => {
			const r = aave.accountData(assets, acc.debts, acc.userCategory, acc.eModeLtv, acc.eModeLt);
			return [r.totalCollateral, r.totalDebt, r.avgLtv, r.avgLt, r.healthFactor, r.hasZeroLtvCollateral ? 't' : 'f'];
		}));
		// the array health factor: the thresholds stand in for the LTVs too
		const debt = acc.debts[0] ?? 0n;
		emit('health_factor_multi', [arr(assets.map((a) => a.collateral)), arr(assets.map((a) => a.lt)), debt,
			arr(cats), acc.userCategory, acc.eModeLt],
		expect(() => aave.accountData(assets.map((a) => ({ ...a, ltv: a.lt })), [debt], acc.userCategory,
			0n, acc.eModeLt).healthFactor));
	}

	// ---- liquidation ----
	for (let i = 0; i < perFn; i++) {
		const p = {
			debtToCover: rint(4) === 0 ? MAX : amount(),
			userTotalDebt: rint(15) === 0 ? 0n : amount(),
			healthFactor: rint(10) === 0 ? pick([WAD, WAD - 1n, u256()])
				: rint(2) === 0 ? aave.CLOSE_FACTOR_HF_THRESHOLD + BigInt(rint(3)) - 1n : rbits(1 + rint(59)),
			userCollateralBalance: amount(),
			collateralPrice: price(),
			collateralDecimals: decimals(),
			debtPrice: price(),
			debtDecimals: decimals(),
			liquidationBonus: rint(10) === 0 ? pick([0n, 9999n, 10000n, 65536n]) : 10000n + BigInt(rint(2001)),
			liquidationProtocolFee: rint(3) === 0 ? 0n : bps(),
		};
		emit('liquidation_amounts', [p.debtToCover, p.userTotalDebt, p.healthFactor, p.userCollateralBalance,
			p.collateralPrice, p.collateralDecimals, p.debtPrice, p.debtDecimals, p.liquidationBonus,
			p.liquidationProtocolFee], expect(() => {
			checkDecimals(p.collateralDecimals);
			checkDecimals(p.debtDecimals);
			checkBps(p.liquidationBonus);
			checkBps(p.liquidationProtocolFee);
			aave.checkLiquidation(p);
			return aave.liquidationAmounts(p);
		}));
	}

	fs.writeFileSync(out, lines.join('\n') + '\n');
	console.log(`cases=${lines.length}`);
}
