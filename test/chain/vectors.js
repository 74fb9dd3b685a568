#!/usr/bin/env node
// test/chain/vectors.js: cases for the address, keccak-256, ABI and RLP
// tests (test/t/030_evm_vectors.pl).
//
//   node vectors.js OUTFILE [RANDOM_CASES_PER_KIND]
//
// Two sources, one line per case in COPY text format (source, kind, a, b, c,
// expected):
//   - "vector": every case of the published @ethersproject/testcases files
//     accounts (EIP-55), hashes (keccak256), contract-interface and
//     contract-interface-abi2 (ABI values and the bytes Solidity returned),
//     contract-signatures (selectors), contract-events (logs) and rlp-coder.
//   - "random": randomized differential cases whose expected values come
//     from ethers v5 (keccak256, id, getAddress, defaultAbiCoder, Interface,
//     RLP), seeded: the seed is printed as "seed=N", AMP_SEED=N replays it.
// expected is text (hex, JSON) or "ERR:" and the SQLSTATE to raise.
'use strict';

const fs = require('fs');
const path = require('path');
const zlib = require('zlib');
const { ethers } = require('ethers');

const out = process.argv[2];
const perKind = parseInt(process.argv[3] || '2000', 10);
if (!out) {
	console.error('usage: vectors.js OUTFILE [RANDOM_CASES_PER_KIND]');
	process.exit(2);
}
const utils = ethers.utils;
const coder = utils.defaultAbiCoder;

// ---- output ----
const lines = [];
const counts = {};
function esc(s) {
	if (s === null || s === undefined) return '\\N';
	return String(s).replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r');
}
function add(source, kind, a, b, c, expected) {
	lines.push([source, kind, a, b, c, expected].map(esc).join('\t'));
	counts[`${source}/${kind}`] = (counts[`${source}/${kind}`] || 0) + 1;
}

// ---- the published vectors ----
const tcDir = path.join(path.dirname(require.resolve('@ethersproject/testcases/package.json')), 'testcases');
function load(name) {
	return JSON.parse(zlib.gunzipSync(fs.readFileSync(path.join(tcDir, name + '.json.gz'))).toString());
}

// EIP-55: the lowercase form gives the checksum; the checksum, the uppercase
// form and a case-flipped checksum (rejected when it stays mixed case) too.
for (const t of load('accounts')) {
	const sum = t.checksumAddress;
	add('vector', 'addr_in', t.address, null, null, sum);
	add('vector', 'addr_in', sum, null, null, sum);
	add('vector', 'addr_in', '0x' + sum.slice(2).toUpperCase(), null, null, sum);
	add('vector', 'addr_in', sum.slice(2).toLowerCase(), null, null, sum);
	const i = sum.slice(2).search(/[a-fA-F]/);
	if (i >= 0) {
		const c = sum[2 + i];
		const flipped = sum.slice(0, 2 + i) + (c === c.toLowerCase() ? c.toUpperCase() : c.toLowerCase()) + sum.slice(3 + i);
		const body = flipped.slice(2);
		const mixed = /[a-f]/.test(body) && /[A-F]/.test(body);
		add('vector', 'addr_in', flipped, null, null, mixed ? 'ERR:22P02' : sum);
	}
}

for (const t of load('hashes'))
	add('vector', 'keccak', t.data, null, null, t.keccak256);

// Typed values of the contract-interface files -> our JSON shape.
function toJson(param, v) {
	if (param.baseType === 'array') {
		if (!Array.isArray(v)) throw new Error('array expected');
		return v.map((x) => toJson(param.arrayChildren, x));
	}
	if (param.baseType === 'tuple') {
		const items = v.type === 'tuple' ? v.value : v;
		return items.map((x, i) => toJson(param.components[i], x));
	}
	switch (v.type) {
	case 'number': return BigInt(v.value).toString();
	case 'boolean': return v.value;
	case 'buffer': return v.value.toLowerCase();
	case 'string': return param.baseType === 'address' ? utils.getAddress(v.value) : v.value;
	default: throw new Error('unknown value type ' + v.type);
	}
}
for (const file of ['contract-interface', 'contract-interface-abi2']) {
	for (const t of load(file)) {
		const types = JSON.parse(t.types);
		// normalizedValues: what the contract really returned (wrapped constants)
		const values = JSON.parse(t.normalizedValues || t.values);
		const params = types.map((x) => utils.ParamType.from(x));
		const json = JSON.stringify(values.map((v, i) => toJson(params[i], v)));
		const typeList = '(' + types.join(',') + ')';
		add('vector', 'abi_dec', typeList, t.result, null, json);
		add('vector', 'abi_enc', typeList, json, null, t.result);
	}
}

for (const t of load('contract-signatures'))
	add('vector', 'selector', t.signature, null, null, t.sigHash);

// Events: "testEvent(T1 indexed,T2,...)"; indexed dynamic values come back
// as their topic.
for (const t of load('contract-events')) {
	const params = t.types.map((x) => utils.ParamType.from(x));
	const ev = JSON.parse(t.interface).find((x) => x.type === 'event' && x.name === 'testEvent');
	const sig = 'testEvent(' + t.types.map((x, i) => x + (t.indexed[i] ? ' indexed' : '')).join(',') + ')' +
		(ev.anonymous ? ' anonymous' : '');
	let k = ev.anonymous ? 0 : 1;
	const expected = params.map((p, i) => {
		if (t.indexed[i]) {
			const topic = t.topics[k++];
			if (t.hashed[i]) return topic;
		}
		return normal(p, t.normalizedValues[i]);
	});
	if (!ev.anonymous)
		add('vector', 'topic', sig, null, null, t.topics[0]);
	add('vector', 'log_dec', sig, '{' + t.topics.join(',') + '}', t.data, JSON.stringify(expected));
}
// normalizedValues of contract-events: plain JSON (numbers as strings or
// hex BigNumber objects) -> our shape.
function normal(param, v) {
	if (param.baseType === 'array') return v.map((x) => normal(param.arrayChildren, x));
	if (param.baseType === 'tuple') return v.map((x, i) => normal(param.components[i], x));
	if (param.baseType === 'uint' || param.baseType === 'int' || /^u?int/.test(param.type)) {
		if (v && typeof v === 'object' && v.hex) return BigInt(v.hex).toString();
		if (typeof v === 'string' && v.startsWith('-0x')) return (-BigInt(v.slice(1))).toString();
		return BigInt(v).toString();
	}
	if (param.type === 'address') return utils.getAddress(v);
	if (/^bytes/.test(param.type)) return v.toLowerCase();
	return v;
}

for (const t of load('rlp-coder')) {
	add('vector', 'rlp_enc', JSON.stringify(t.decoded), null, null, t.encoded);
	add('vector', 'rlp_dec', t.encoded, null, null, JSON.stringify(t.decoded));
}

// ---- randomized differential cases against ethers ----
const { Rng, seedFromEnv } = require('./seeded');
const rng = new Rng(seedFromEnv());
const next64 = () => rng.next64();
const rint = (n) => Number(next64() % BigInt(n));
const pick = (a) => a[rint(a.length)];
function rbytes(n) {
	const b = new Uint8Array(n);
	for (let i = 0; i < n; i++) b[i] = rint(256);
	return b;
}
const hex = (b) => utils.hexlify(b);
function rbits(bits) {
	let v = 0n;
	for (let i = 0; i < bits; i += 64) v = (v << 64n) | next64();
	return v & ((1n << BigInt(bits)) - 1n);
}
function rword(bits) {		// edge-biased unsigned value below 2^bits
	const max = (1n << BigInt(bits)) - 1n;
	switch (rint(6)) {
	case 0: return BigInt(rint(3));
	case 1: return max - BigInt(rint(2));
	case 2: return 1n << BigInt(rint(bits));
	case 3: return rbits(rint(bits) + 1);
	default: return rbits(bits);
	}
}
const CHARS = ['a', 'Z', '0', ' ', '"', '\\', '/', '\n', '\t', '\u0001', '\u007f', 'é', 'ß', '€', '中', '\u2028', '😀', '𝝣'];
function rstring() {
	let s = '';
	const n = pick([0, 1, 5, 31, 32, 33, 70]);
	for (let i = 0; i < n; i++) s += rint(3) ? String.fromCharCode(0x61 + rint(26)) : pick(CHARS);
	return s;
}

// A random ABI type as [ethers type string, our type string].
function rtype(depth) {
	const r = rint(depth > 2 ? 8 : 11);
	switch (r) {
	case 0: case 1: { const n = 8 * (1 + rint(32)); return { k: 'uint', n, s: 'uint' + n }; }
	case 2: { const n = 8 * (1 + rint(32)); return { k: 'int', n, s: 'int' + n }; }
	case 3: return { k: 'address', s: 'address' };
	case 4: return { k: 'bool', s: 'bool' };
	case 5: { const n = 1 + rint(32); return { k: 'fbytes', n, s: 'bytes' + n }; }
	case 6: return { k: 'bytes', s: 'bytes' };
	case 7: return { k: 'string', s: 'string' };
	case 8: { const e = rtype(depth + 1); return { k: 'array', e, s: e.s + '[]' }; }
	case 9: { const e = rtype(depth + 1); const n = 1 + rint(3); return { k: 'farray', e, n, s: `${e.s}[${n}]` }; }
	default: {
		const comps = [];
		for (let i = 0, n = 1 + rint(4); i < n; i++) comps.push(rtype(depth + 1));
		return { k: 'tuple', comps, s: '(' + comps.map((c) => c.s).join(',') + ')' };
	}
	}
}
const ethersType = (s) => s.replace(/\(/g, 'tuple(');
// A random value: [ethers value, our input JSON, our output JSON].
function rvalue(t) {
	switch (t.k) {
	case 'uint': {
		const v = rword(t.n);
		const input = rint(4) === 0 && v < 1000000n ? Number(v) : (rint(2) ? v.toString() : '0x' + v.toString(16));
		return [v.toString(), input, v.toString()];
	}
	case 'int': {
		const mag = rword(t.n - 1);
		const v = rint(2) ? -mag - BigInt(rint(2)) : mag;
		const input = rint(2) ? v.toString() : (v < 0n ? '-0x' + (-v).toString(16) : '0x' + v.toString(16));
		return [v.toString(), input, v.toString()];
	}
	case 'address': {
		const a = utils.getAddress(hex(rbytes(20)));
		const input = pick([a, a.toLowerCase(), '0x' + a.slice(2).toUpperCase(), a.slice(2).toLowerCase()]);
		return [a, input, a];
	}
	case 'bool': { const b = rint(2) === 1; return [b, b, b]; }
	case 'fbytes': { const h = hex(rbytes(t.n)); return [h, h, h]; }
	case 'bytes': { const h = hex(rbytes(pick([0, 1, 31, 32, 33, 64, 100]))); return [h, h, h]; }
	case 'string': { const s = rstring(); return [s, s, s]; }
	case 'array': case 'farray': {
		const n = t.k === 'farray' ? t.n : rint(4);
		const vs = [];
		for (let i = 0; i < n; i++) vs.push(rvalue(t.e));
		return [vs.map((v) => v[0]), vs.map((v) => v[1]), vs.map((v) => v[2])];
	}
	case 'tuple': {
		const vs = t.comps.map(rvalue);
		return [vs.map((v) => v[0]), vs.map((v) => v[1]), vs.map((v) => v[2])];
	}
	}
	throw new Error('bad type');
}

for (let i = 0; i < perKind; i++) {
	// keccak256 over bytes and over text
	const b = rbytes(pick([0, 1, 31, 32, 135, 136, 137, 200, 272, 1000]));
	add('random', 'keccak', hex(b), null, null, utils.keccak256(b));
	const s = rstring();
	add('random', 'keccak_text', s, null, null, utils.id(s));

	// addresses
	const a = utils.getAddress(hex(rbytes(20)));
	add('random', 'addr_in', pick([a, a.toLowerCase(), a.slice(2)]), null, null, a);

	// ABI: a random type list and values, both directions
	const types = [];
	for (let j = 0, n = rint(4); j <= n; j++) types.push(rtype(0));
	const vals = types.map(rvalue);
	const typeList = '(' + types.map((t) => t.s).join(',') + ')';
	const encoded = coder.encode(types.map((t) => ethersType(t.s)), vals.map((v) => v[0]));
	add('random', 'abi_enc', typeList, JSON.stringify(vals.map((v) => v[1])), null, encoded);
	add('random', 'abi_dec', typeList, encoded, null, JSON.stringify(vals.map((v) => v[2])));
	// decoding the ABI output of ethers' decoder again gives the same
	const back = coder.decode(types.map((t) => ethersType(t.s)), encoded);
	if (coder.encode(types.map((t) => ethersType(t.s)), back) !== encoded) throw new Error('ethers round trip');

	// calldata and selectors, with names and spaces in the signature
	const fname = 'f' + rint(1000);
	const named = fname + '( ' + types.map((t, j) => t.s + ' p' + j).join(' , ') + ' )';
	const frag = utils.Fragment.from('function ' + fname + '(' + types.map((t) => ethersType(t.s)).join(',') + ')');
	const iface = new utils.Interface([frag]);
	add('random', 'selector', named, null, null, iface.getSighash(frag));
	add('random', 'call_enc', named, JSON.stringify(vals.map((v) => v[1])), null,
		iface.encodeFunctionData(frag, vals.map((v) => v[0])));

	// event logs: value types, strings and bytes may be indexed
	const etypes = [];
	for (let j = 0, n = rint(5); j <= n; j++) etypes.push(rtype(1));
	const indexed = etypes.map((t) => ['uint', 'int', 'address', 'bool', 'fbytes', 'string', 'bytes'].includes(t.k) && rint(2) === 1);
	while (indexed.filter((x) => x).length > 3) indexed[indexed.lastIndexOf(true)] = false;
	const evals = etypes.map(rvalue);
	const ename = 'E' + rint(1000);
	const efrag = utils.Fragment.from('event ' + ename + '(' + etypes.map((t, j) => ethersType(t.s) + (indexed[j] ? ' indexed' : '')).join(',') + ')');
	const eiface = new utils.Interface([efrag]);
	const log = eiface.encodeEventLog(efrag, evals.map((v) => v[0]));
	const eexp = etypes.map((t, j) => {
		if (indexed[j] && (t.k === 'string' || t.k === 'bytes')) return 'H';
		return evals[j][2];
	});
	let k = 1;
	for (let j = 0; j < etypes.length; j++) {
		if (!indexed[j]) continue;
		if (eexp[j] === 'H') eexp[j] = log.topics[k];
		k++;
	}
	const esig = ename + '(' + etypes.map((t, j) => t.s + (indexed[j] ? ' indexed' : '') + (rint(2) ? ' x' + j : '')).join(', ') + ')';
	add('random', 'topic', esig, null, null, log.topics[0]);
	add('random', 'log_dec', esig, '{' + log.topics.join(',') + '}', log.data, JSON.stringify(eexp));

	// RLP: random nested lists of byte strings, both directions
	const tree = rrlp(0);
	const enc = utils.RLP.encode(tree);
	add('random', 'rlp_enc', JSON.stringify(tree), null, null, enc);
	add('random', 'rlp_dec', enc, null, null, JSON.stringify(tree));
}
function rrlp(depth) {
	if (depth < 4 && rint(3) === 0) {
		const l = [];
		for (let i = 0, n = rint(depth === 0 ? 6 : 4); i < n; i++) l.push(rrlp(depth + 1));
		return l;
	}
	return hex(rbytes(pick([0, 1, 1, 1, 2, 55, 56, 57, 300])));
}

fs.writeFileSync(out, lines.join('\n') + '\n');
for (const k of Object.keys(counts).sort()) console.log(`${k}=${counts[k]}`);
