#!/usr/bin/env node
// test/chain/diff_int.js: random cases for the uint256/int256 differential
// test (test/t/020_evm_int_differential.pl), with Node's BigInt as the
// reference implementation.
//
//   node diff_int.js OUTFILE [CASES_PER_OP]
//
// Writes one case per line, in COPY text format: op, a, b, c, expected.
// expected is the decimal (or other text) result, or "ERR:" and the SQLSTATE
// the extension must raise (22003 out of range, 22012 division by zero,
// 22P02 bad syntax, 22023 bad parameter, 2201E log of zero).  Operands are
// biased toward the edges: 0, 1, 2^k and 2^k +- 1, the maxima and minima.
// The seed comes from AMP_SEED (decimal) or is drawn at random; it is
// printed as "seed=N" so a failing run can be replayed.
'use strict';

const fs = require('fs');

const out = process.argv[2];
const perOp = parseInt(process.argv[3] || '2000', 10);
if (!out) {
	console.error('usage: diff_int.js OUTFILE [CASES_PER_OP]');
	process.exit(2);
}

// ---- a seeded generator (splitmix64) ----
const { Rng, seedFromEnv } = require('./seeded');
const rng = new Rng(seedFromEnv());
const next64 = () => rng.next64();
function rint(n) {			// 0 .. n-1 for a small n
	return Number(next64() % BigInt(n));
}
function rbits(bits) {		// uniform in [0, 2^bits)
	let v = 0n;
	for (let i = 0; i < bits; i += 64)
		v = (v << 64n) | next64();
	return v & ((1n << BigInt(bits)) - 1n);
}
function pick(arr) {
	return arr[rint(arr.length)];
}

// ---- ranges ----
const U_MAX = (1n << 256n) - 1n;
const I_MIN = -(1n << 255n);
const I_MAX = (1n << 255n) - 1n;
const inU = (x) => x >= 0n && x <= U_MAX;
const inI = (x) => x >= I_MIN && x <= I_MAX;
const ERR_RANGE = 'ERR:22003';
const ERR_DIV0 = 'ERR:22012';
const ERR_SYNTAX = 'ERR:22P02';
const ERR_PARAM = 'ERR:22023';
const ERR_LOG = 'ERR:2201E';

// An edge-biased uint256.
function genU() {
	switch (rint(10)) {
		case 0: return pick([0n, 1n, 2n, 3n, U_MAX, U_MAX - 1n, 1n << 255n, (1n << 128n) - 1n, 1n << 128n, 10n ** 18n]);
		case 1: { const k = BigInt(rint(256)); return (1n << k) + BigInt(rint(3)) - 1n < 0n ? 0n : (1n << k) + BigInt(rint(3)) - 1n; }
		case 2: return rbits(256);
		case 3: return rbits(64);
		case 4: return rbits(128);
		case 5: return U_MAX - rbits(rint(256) + 1);
		default: return rbits(rint(256) + 1);
	}
}

// An edge-biased int256.
function genI() {
	switch (rint(10)) {
		case 0: return pick([0n, 1n, -1n, 2n, -2n, I_MIN, I_MIN + 1n, I_MAX, I_MAX - 1n, -(10n ** 18n)]);
		case 1: { const k = BigInt(rint(255)); const v = (1n << k) + BigInt(rint(3)) - 1n; return rint(2) ? v : -v; }
		case 2: return rbits(256) - (1n << 255n);
		default: { const v = rbits(rint(255) + 1); return rint(2) ? v : -v; }
	}
}

// A second operand, sometimes close to the first (for division and compare).
function genRelated(a, gen, inRange) {
	switch (rint(6)) {
		case 0: return a;
		case 1: { const v = a + BigInt(rint(5)) - 2n; return inRange(v) ? v : a; }
		case 2: return BigInt(rint(20));
		case 3: { const v = a >> BigInt(rint(256)); return v; }
		default: return gen();
	}
}

// ---- reference semantics ----
const chkU = (x) => (inU(x) ? x.toString() : ERR_RANGE);
const chkI = (x) => (inI(x) ? x.toString() : ERR_RANGE);
const mod256 = (x) => ((x % (1n << 256n)) + (1n << 256n)) % (1n << 256n);
const toSigned = (x) => (x > I_MAX ? x - (1n << 256n) : x);
const hex = (x) => (x < 0n ? '-0x' + (-x).toString(16) : '0x' + x.toString(16));
function isqrt(n) {
	if (n < 2n) return n;
	let x = 1n << BigInt(Math.ceil(n.toString(2).length / 2));
	for (;;) {
		const y = (x + n / x) >> 1n;
		if (y >= x) return x;
		x = y;
	}
}
function powRef(a, e, chk) {
	if (e === 0n) return '1';
	if (a === 0n || a === 1n) return a.toString();
	if (a === -1n) return (e & 1n) ? '-1' : '1';
	if (e >= 256n) return ERR_RANGE;
	return chk(a ** e);
}
function bytesHex(x) {		// 32 bytes big-endian of a uint256 bit pattern
	return x.toString(16).padStart(64, '0');
}
function cmp(a, b) {
	return a < b ? '-1' : a > b ? '1' : '0';
}

// to_units: |a| / 10^d with trailing fractional zeros dropped.
function toUnits(a, d) {
	const neg = a < 0n;
	const m = neg ? -a : a;
	const p = 10n ** BigInt(d);
	let frac = (m % p).toString().padStart(d, '0').replace(/0+$/, '');
	let s = (m / p).toString() + (frac.length ? '.' + frac : '');
	return (neg && m !== 0n ? '-' : '') + s;
}

// from_units: value (decimal string) * 10^d, rounded by mode, as a rational.
function fromUnits(str, d, mode, chk) {
	const m = /^(-?)(\d+)(?:\.(\d+))?$/.exec(str);
	const neg = m[1] === '-';
	const fracDigits = m[3] || '';
	let num = BigInt(m[2] + fracDigits);		// |value| * 10^k
	const k = fracDigits.length;
	num *= 10n ** BigInt(d);
	const den = 10n ** BigInt(k);
	let q = num / den;
	const r = num % den;
	if (r !== 0n) {
		const twice = 2n * r;
		let up;
		switch (mode) {
			case 'exact': return ERR_PARAM;
			case 'trunc': up = false; break;
			case 'floor': up = neg; break;
			case 'ceil': up = !neg; break;
			case 'half_up': up = twice >= den; break;
			case 'half_even': up = twice > den || (twice === den && (q & 1n) === 1n); break;
		}
		if (up) q += 1n;
	}
	return chk(neg ? -q : q);
}

// A random decimal string with up to `maxFrac` fractional digits.
function genDecimal(signed, maxFrac) {
	const intPart = rint(3) === 0 ? 0n : rbits(rint(200) + 1);
	const fl = rint(maxFrac + 1);
	let frac = '';
	for (let i = 0; i < fl; i++) frac += String(rint(3) === 0 ? pick([0, 5]) : rint(10));
	const neg = signed ? rint(2) === 0 : rint(8) === 0;
	return (neg ? '-' : '') + intPart.toString() + (fl ? '.' + frac : '');
}

// A literal for the text input function: a value in some valid spelling, or
// something broken.
const SPACES = [' ', '\t', '\n', '\r', '\v', '\f'];
function genLiteral(signed) {
	const ws = () => (rint(4) === 0 ? pick(SPACES).repeat(rint(3) + 1) : '');
	if (rint(4) === 0) {
		return pick(['', ' ', '0x', '0X', '-', '+', '+-1', '--1', '1 2', '0x 1', '0xg', '1e5', '1.0',
			'0x-1', '- 1', '12a', 'x12', '0b101', '٣', '１', '1_000', '0x1_0', '\u00a01', 'NaN', 'inf']);
	}
	const big = rint(5) === 0;
	let v = big ? rbits(257) * (rint(3) === 0 ? 2n : 1n) : (signed ? genI() : genU());
	let neg = v < 0n;
	let m = neg ? -v : v;
	if (!neg && rint(6) === 0) neg = true;	// "-x" for uint256 too
	let body;
	if (rint(2) === 0) {
		body = '0' + pick(['x', 'X']) + '0'.repeat(rint(2) ? 0 : rint(4)) + m.toString(16)[rint(2) ? 'toUpperCase' : 'toLowerCase']();
	} else {
		body = '0'.repeat(rint(2) ? 0 : rint(4)) + m.toString();
	}
	const sign = neg ? '-' : (rint(5) === 0 ? '+' : '');
	return ws() + sign + body + ws();
}
function parseLiteral(s, chk) {
	const m = /^[ \t\n\r\v\f]*([+-]?)(0[xX][0-9a-fA-F]+|[0-9]+)[ \t\n\r\v\f]*$/.exec(s);
	if (!m) return ERR_SYNTAX;
	let v = BigInt(m[2]);
	if (m[1] === '-') v = -v;
	return chk(v);
}

// ---- the ops ----
const sh = () => pick([0, 1, 63, 64, 65, 128, 255, 256, 257, 1000, -1, rint(300)]);
const ops = {
	u_add: () => { const a = genU(), b = genU(); return [a, b, '', chkU(a + b)]; },
	u_sub: () => { const a = genU(), b = genRelated(a, genU, inU); return [a, b, '', chkU(a - b)]; },
	u_mul: () => { const a = genU(), b = rint(2) ? genU() : rbits(rint(256) + 1); return [a, b, '', chkU(a * b)]; },
	u_div: () => { const a = genU(), b = genRelated(a, genU, inU); return [a, b, '', b === 0n ? ERR_DIV0 : (a / b).toString()]; },
	u_mod: () => { const a = genU(), b = genRelated(a, genU, inU); return [a, b, '', b === 0n ? ERR_DIV0 : (a % b).toString()]; },
	u_and: () => { const a = genU(), b = genU(); return [a, b, '', (a & b).toString()]; },
	u_or: () => { const a = genU(), b = genU(); return [a, b, '', (a | b).toString()]; },
	u_xor: () => { const a = genU(), b = genU(); return [a, b, '', (a ^ b).toString()]; },
	u_not: () => { const a = genU(); return [a, '', '', (U_MAX ^ a).toString()]; },
	u_shl: () => { const a = genU(), n = sh(); return [a, n, '', n < 0 ? ERR_PARAM : n >= 256 ? '0' : mod256(a << BigInt(n)).toString()]; },
	u_shr: () => { const a = genU(), n = sh(); return [a, n, '', n < 0 ? ERR_PARAM : (a >> BigInt(n)).toString()]; },
	u_muldiv: () => {
		const a = genU(), b = genU(), c = rint(8) === 0 ? 0n : genRelated(a, genU, inU);
		return [a, b, c, c === 0n ? ERR_DIV0 : chkU((a * b) / c)];
	},
	u_muldivup: () => {
		const a = genU(), b = genU(), c = rint(8) === 0 ? 0n : genRelated(b, genU, inU);
		return [a, b, c, c === 0n ? ERR_DIV0 : chkU((a * b) / c + ((a * b) % c ? 1n : 0n))];
	},
	u_pow: () => {
		const a = pick([0n, 1n, 2n, 3n, 10n, rbits(rint(130) + 1), genU()]);
		const e = pick([0n, 1n, 2n, BigInt(rint(300)), genU()]);
		return [a, e, '', powRef(a, e, chkU)];
	},
	u_sqrt: () => { const a = genU(); return [a, '', '', isqrt(a).toString()]; },
	u_msb: () => { const a = genU(); return [a, '', '', a === 0n ? ERR_LOG : (a.toString(2).length - 1).toString()]; },
	u_hex: () => { const a = genU(); return [a, '', '', hex(a)]; },
	u_cmp: () => { const a = genU(), b = genRelated(a, genU, inU); return [a, b, '', cmp(a, b)]; },
	u_in: () => { const s = genLiteral(false); return [s, '', '', parseLiteral(s, chkU)]; },
	u_bytea: () => { const a = genU(); return [a, '', '', bytesHex(a)]; },
	u_frombytea: () => {
		const len = pick([0, 1, 20, 31, 32, 32, 33, 40]);
		const v = rbits(len * 8 || 1) & ((1n << BigInt(len * 8)) - 1n);
		const h = len ? v.toString(16).padStart(len * 2, '0') : '';
		return [h, '', '', len > 32 ? ERR_PARAM : v.toString()];
	},
	u_int8: () => { const a = pick([genU(), rbits(63), rbits(64), (1n << 63n) - 1n, 1n << 63n]); return [a, '', '', a < (1n << 63n) ? a.toString() : ERR_RANGE]; },
	u_int4: () => { const a = pick([genU(), rbits(31), rbits(32), 2147483647n, 2147483648n]); return [a, '', '', a < 2147483648n ? a.toString() : ERR_RANGE]; },
	u_from_int8: () => { const a = BigInt.asIntN(64, next64()) >> BigInt(rint(64)); return [a, '', '', chkU(a)]; },
	u_numeric: () => { const s = genDecimal(false, 3); return [s, '', '', chkU(roundHalfAway(s))]; },
	u_to_numeric: () => { const a = genU(); return [a, '', '', a.toString()]; },
	u_toint256: () => { const a = genU(); return [a, '', '', chkI(a)]; },
	u_sum: () => {
		const n = rint(12) + 1; const v = [];
		for (let i = 0; i < n; i++) v.push(rint(3) ? rbits(rint(256) + 1) : genU() >> BigInt(rint(8)));
		return [v.join(','), '', '', chkU(v.reduce((x, y) => x + y, 0n))];
	},
	u_sort: () => {
		const n = rint(30) + 2; const v = [];
		for (let i = 0; i < n; i++) v.push(genU());
		return [v.join(','), '', '', [...v].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0)).join(',')];
	},
	u_tounits: () => {
		const a = genU(), d = pick([0, 1, 6, 8, 18, 18, 27, 77, 78, 80, 255, 256, -1, rint(100)]);
		return [a, d, '', d < 0 || d > 255 ? ERR_PARAM : toUnits(a, d)];
	},
	u_fromunits: () => {
		const s = genDecimal(false, 25), d = pick([0, 1, 6, 18, 18, rint(60), 256]);
		const mode = pick(['exact', 'trunc', 'floor', 'ceil', 'half_up', 'half_even']);
		return [s, d, mode, d > 255 ? ERR_PARAM : fromUnits(s, d, mode, chkU)];
	},

	i_add: () => { const a = genI(), b = genI(); return [a, b, '', chkI(a + b)]; },
	i_sub: () => { const a = genI(), b = genRelated(a, genI, inI); return [a, b, '', chkI(a - b)]; },
	i_mul: () => { const a = genI(), b = rint(2) ? genI() : -rbits(rint(256) + 1); return [a, b, '', chkI(a * b)]; },
	i_div: () => {
		const a = genI(), b = rint(10) === 0 ? pick([-1n, 1n]) : genRelated(a, genI, inI);
		return [a, b, '', b === 0n ? ERR_DIV0 : chkI(a / b)];
	},
	i_mod: () => {
		const a = genI(), b = rint(10) === 0 ? pick([-1n, 1n]) : genRelated(a, genI, inI);
		return [a, b, '', b === 0n ? ERR_DIV0 : (a % b).toString()];
	},
	i_neg: () => { const a = genI(); return [a, '', '', chkI(-a)]; },
	i_abs: () => { const a = genI(); return [a, '', '', chkI(a < 0n ? -a : a)]; },
	i_and: () => { const a = genI(), b = genI(); return [a, b, '', (a & b).toString()]; },
	i_or: () => { const a = genI(), b = genI(); return [a, b, '', (a | b).toString()]; },
	i_xor: () => { const a = genI(), b = genI(); return [a, b, '', (a ^ b).toString()]; },
	i_not: () => { const a = genI(); return [a, '', '', (~a).toString()]; },
	i_shl: () => { const a = genI(), n = sh(); return [a, n, '', n < 0 ? ERR_PARAM : n >= 256 ? '0' : toSigned(mod256(a << BigInt(n))).toString()]; },
	i_shr: () => { const a = genI(), n = sh(); return [a, n, '', n < 0 ? ERR_PARAM : (a >> BigInt(n)).toString()]; },
	i_pow: () => {
		const a = pick([0n, 1n, -1n, 2n, -2n, -3n, 10n, -10n, rbits(rint(130) + 1) * (rint(2) ? 1n : -1n), genI()]);
		const e = pick([0n, 1n, 2n, 255n, BigInt(rint(300)), genU()]);
		return [a, e, '', powRef(a, e, chkI)];
	},
	i_cmp: () => { const a = genI(), b = genRelated(a, genI, inI); return [a, b, '', cmp(a, b)]; },
	i_hex: () => { const a = genI(); return [a, '', '', hex(a)]; },
	i_in: () => { const s = genLiteral(true); return [s, '', '', parseLiteral(s, chkI)]; },
	i_bytea: () => { const a = genI(); return [a, '', '', bytesHex(mod256(a))]; },
	i_frombytea: () => {
		const len = pick([31, 32, 32, 32, 33, 0]);
		const v = rbits(len * 8 || 1) & ((1n << BigInt(len * 8)) - 1n);
		const h = len ? v.toString(16).padStart(len * 2, '0') : '';
		return [h, '', '', len !== 32 ? ERR_PARAM : toSigned(v).toString()];
	},
	i_int8: () => {
		const a = pick([genI(), -(1n << 63n), (1n << 63n) - 1n, 1n << 63n, -(1n << 63n) - 1n, BigInt.asIntN(64, next64())]);
		return [a, '', '', a >= -(1n << 63n) && a < (1n << 63n) ? a.toString() : ERR_RANGE];
	},
	i_from_int8: () => { const a = BigInt.asIntN(64, next64()) >> BigInt(rint(64)); return [a, '', '', a.toString()]; },
	i_touint256: () => { const a = genI(); return [a, '', '', chkU(a)]; },
	i_numeric: () => { const s = genDecimal(true, 3); return [s, '', '', chkI(roundHalfAway(s))]; },
	i_to_numeric: () => { const a = genI(); return [a, '', '', a.toString()]; },
	i_sum: () => {
		const n = rint(12) + 1; const v = [];
		for (let i = 0; i < n; i++) v.push(rint(3) ? genI() : pick([I_MAX, I_MIN, -1n, 1n]));
		return [v.join(','), '', '', chkI(v.reduce((x, y) => x + y, 0n))];
	},
	i_sort: () => {
		const n = rint(30) + 2; const v = [];
		for (let i = 0; i < n; i++) v.push(genI());
		return [v.join(','), '', '', [...v].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0)).join(',')];
	},
	i_tounits: () => { const a = genI(), d = pick([0, 1, 6, 18, 18, 77, 78, 255, rint(100)]); return [a, d, '', toUnits(a, d)]; },
	i_fromunits: () => {
		const s = genDecimal(true, 25), d = pick([0, 1, 6, 18, 18, rint(60)]);
		const mode = pick(['exact', 'trunc', 'floor', 'ceil', 'half_up', 'half_even']);
		return [s, d, mode, fromUnits(s, d, mode, chkI)];
	},
};

// numeric -> integer casts round half away from zero.
function roundHalfAway(str) {
	return BigInt(fromUnits(str, 0, 'half_up', (x) => x));
}

// COPY text format: escape backslash and the control characters.
function esc(v) {
	return String(v).replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n')
		.replace(/\r/g, '\\r').replace(/\v/g, '\\v').replace(/\f/g, '\\f');
}

const lines = [];
for (const [name, gen] of Object.entries(ops)) {
	for (let i = 0; i < perOp; i++) {
		const [a, b, c, expected] = gen();
		lines.push([name, a, b, c, expected].map(esc).join('\t'));
	}
}
fs.writeFileSync(out, lines.join('\n') + '\n');
console.log(`cases=${lines.length} ops=${Object.keys(ops).length}`);
