#!/usr/bin/env node
// test/chain/compile_morpho.js: compiles Morpho Blue and its AdaptiveCurveIrm
// for the chain fixture, offline, with solc-js, and caches the result like
// compile.js caches the mocks (morpho-<hash>.json in the first build
// directory that has it, else written to the first writable one).
//
//   node compile_morpho.js              compile (or find the cache); print its path
//   require('./compile_morpho').load()  {file, solc, contracts: {Morpho, AdaptiveCurveIrm}, cached}
//
// Morpho: @morpho-org/morpho-blue@1.0.0's src/Morpho.sol and what it imports,
// with solc 0.8.19 (the version its pragma pins; the npm alias solc-0.8.19)
// and upstream's settings: viaIR, optimizer 999999 runs, EVM paris, no
// metadata hash. solc 0.8.19 leaves the events emitted through a library
// (EventsLib) out of the contract's ABI, so they are merged back in from
// EventsLib's own ABI.
//
// AdaptiveCurveIrm: the MIT copy in sphere-mezo-solidity-files@1.2.0
// (domains/morphoIrm/contracts), only that contract and the files it
// imports, each pinned by sha256 below (a different file is an error).
// Its imports of Morpho's interfaces and libraries
// ("../../morpho/contracts/...") are served from morpho-blue@1.0.0's src/.
// Its pragma is ^0.8.20, so it is compiled with the fixture's solc 0.8.28,
// under the same settings.
//
// Compiling takes about 40 s; scripts/deps.sh runs this once.
'use strict';

const crypto = require('crypto');
const fs = require('fs');
const path = require('path');
const lib = require('./lib');

const MORPHO_SRC = path.dirname(require.resolve('@morpho-org/morpho-blue/package.json')) + '/src';
const IRM_SRC = path.dirname(require.resolve('sphere-mezo-solidity-files/package.json'))
	+ '/domains/morphoIrm/contracts';

// The AdaptiveCurveIrm files taken from sphere-mezo-solidity-files@1.2.0, by
// sha256: nothing else of that package is used.
const IRM_PINS = {
	'AdaptiveCurveIrm.sol': '3aa31a1b81d91e25d089b194fb25cbea77f93713880eb47ef53570d790eef43e',
	'interfaces/IAdaptiveCurveIrm.sol': 'aafae489a6edd2e436ea9ad2c869936ea8f6c2fc3642b68bef6895cd671ecc0b',
	'libraries/ErrorsLib.sol': '75f961d437c0c1a0e64dc1b84674e8f4d6fa6554d852090e514c274428dce0c3',
	'libraries/MathLib.sol': '80bffc4a870da9d6c37130e345cf3ce3717f1e5952a5c6848ff542db9da8e78c',
	'libraries/UtilsLib.sol': '40df37a8823c58e0acb50f25425e2ef88da0c40a931636cc43ac18f299fc1ad8',
	'libraries/adaptive-curve/ConstantsLib.sol': 'fd3b706c72b607cf3d733463d68b7d2a8ac7777ad69c919d8d7c0ca4a80260fe',
	'libraries/adaptive-curve/ExpLib.sol': 'b0f094d4c954e34258ae8269872613881f26070d11776fbdb500d63b3f9948ef',
};

// Upstream's settings (morpho-blue's foundry/hardhat build profile).
const SETTINGS = {
	viaIR: true,
	optimizer: { enabled: true, runs: 999999 },
	evmVersion: 'paris',
	metadata: { bytecodeHash: 'none' },
	outputSelection: { '*': { '*': ['abi', 'evm.bytecode.object', 'evm.deployedBytecode.object'] } },
};

const MORPHO_COMPILER = 'solc-0.8.19';
const IRM_COMPILER = 'solc';

function sha256(text)
{
	return crypto.createHash('sha256').update(text).digest('hex');
}

// Reads a source unit by name: "src/..." and "morpho/contracts/..." from
// morpho-blue, "morphoIrm/contracts/..." from the pinned IRM copy.
function readUnit(unit)
{
	let m;
	if ((m = unit.match(/^(?:src|morpho\/contracts)\/(.+)$/)))
		return fs.readFileSync(path.join(MORPHO_SRC, m[1]), 'utf8');
	if ((m = unit.match(/^morphoIrm\/contracts\/(.+)$/))) {
		const want = IRM_PINS[m[1]];
		if (!want)
			throw new Error(`${unit}: not one of the pinned AdaptiveCurveIrm files`);
		const text = fs.readFileSync(path.join(IRM_SRC, m[1]), 'utf8');
		const got = sha256(text);
		if (got !== want)
			throw new Error(`${IRM_SRC}/${m[1]}: sha256 ${got}, pinned ${want}: the package changed, refusing to compile it`);
		return text;
	}
	throw new Error(`no source for ${unit}`);
}

// The sources of an entry unit and everything it imports, transitively, by
// source unit name, in a stable order.
function collect(entry)
{
	const out = {};
	const todo = [entry];
	while (todo.length) {
		const unit = todo.pop();
		if (out[unit])
			continue;
		const content = readUnit(unit);
		out[unit] = { content };
		const re = /\bimport\s+(?:[^"';]*?\bfrom\s+)?["']([^"']+)["']/g;
		let m;
		while ((m = re.exec(content))) {
			const dep = m[1].startsWith('.') ? path.posix.normalize(path.posix.join(path.posix.dirname(unit), m[1])) : m[1];
			todo.push(dep);
		}
	}
	return Object.fromEntries(Object.keys(out).sort().map((k) => [k, out[k]]));
}

function jobs()
{
	return [
		{ compiler: MORPHO_COMPILER, entry: 'src/Morpho.sol', take: ['Morpho', 'EventsLib'] },
		{ compiler: IRM_COMPILER, entry: 'morphoIrm/contracts/AdaptiveCurveIrm.sol', take: ['AdaptiveCurveIrm'] },
	].map((j) => ({ ...j, version: require(`${j.compiler}/package.json`).version, sources: collect(j.entry) }));
}

function cacheKey(js)
{
	const h = crypto.createHash('sha256');
	h.update(`${JSON.stringify(SETTINGS)}\n`);
	for (const j of js) {
		h.update(`job ${j.compiler} ${j.version} ${j.entry}\n`);
		for (const [f, { content }] of Object.entries(j.sources))
			h.update(`${f}\n${content.length}\n${content}`);
	}
	return h.digest('hex').slice(0, 16);
}

// Runs one compiler job; returns {name: {abi, bytecode, deployedBytecode}}
// for the contracts it takes.
function run(j)
{
	const solc = require(j.compiler);
	const input = { language: 'Solidity', sources: j.sources, settings: SETTINGS };
	const out = JSON.parse(solc.compile(JSON.stringify(input)));
	const errors = (out.errors || []).filter((e) => e.severity === 'error');
	if (errors.length)
		throw new Error(`${j.compiler}: ` + errors.map((e) => e.formattedMessage).join('\n'));
	const got = {};
	for (const [file, byName] of Object.entries(out.contracts || {}))
		for (const [name, c] of Object.entries(byName))
			if (j.take.includes(name))
				got[name] = {
					abi: c.abi,
					bytecode: '0x' + c.evm.bytecode.object,
					deployedBytecode: '0x' + c.evm.deployedBytecode.object,
					source: file.replace(/^src\//, '@morpho-org/morpho-blue/src/')
						.replace(/^morphoIrm\//, 'sphere-mezo-solidity-files/domains/morphoIrm/'),
					solc: solc.version(),
				};
	for (const n of j.take)
		if (!got[n])
			throw new Error(`${j.compiler}: no ${n} in the output`);
	return got;
}

function compile(js)
{
	const contracts = {};
	for (const j of js)
		Object.assign(contracts, run(j));
	// solc 0.8.19 does not list events emitted from a library in the
	// emitting contract's ABI: add EventsLib's.
	const have = new Set(contracts.Morpho.abi.filter((e) => e.type === 'event').map((e) => e.name));
	for (const e of contracts.EventsLib.abi)
		if (e.type === 'event' && !have.has(e.name))
			contracts.Morpho.abi.push(e);
	delete contracts.EventsLib;
	return { solc: { Morpho: contracts.Morpho.solc, AdaptiveCurveIrm: contracts.AdaptiveCurveIrm.solc }, contracts };
}

// The compiled contracts: from a cache if one matches, else compiled now
// and cached. Returns {file, solc, contracts, cached}.
function load()
{
	const js = jobs();
	const name = `morpho-${cacheKey(js)}.json`;
	for (const dir of lib.buildDirs()) {
		const file = path.join(dir, name);
		if (fs.existsSync(file)) {
			try {
				const c = JSON.parse(fs.readFileSync(file, 'utf8'));
				return { file, solc: c.solc, contracts: c.contracts, cached: true };
			} catch (e) {
				lib.log(`compile_morpho: ignoring unreadable cache ${file}: ${e.message}`);
			}
		}
	}
	const c = compile(js);
	const file = path.join(lib.writableBuildDir(), name);
	lib.writeFileAtomic(file, JSON.stringify(c));
	return { file, solc: c.solc, contracts: c.contracts, cached: false };
}

module.exports = { load, SETTINGS, IRM_PINS };

if (require.main === module) {
	try {
		const t0 = Date.now();
		const r = load();
		console.log(`${r.file} (${Object.keys(r.contracts).sort().join(', ')}; ${JSON.stringify(r.solc)}${r.cached ? '; cached' : `; ${((Date.now() - t0) / 1000).toFixed(1)} s`})`);
	} catch (e) {
		console.error(`compile_morpho: ${e.message}`);
		process.exit(1);
	}
}
