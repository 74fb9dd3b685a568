#!/usr/bin/env node
// test/chain/compile.js: compiles the fixture's own Solidity mocks
// (test/chain/contracts/*.sol) with the pinned solc-js, offline, and caches
// the result by a hash of the compiler version, the settings and every
// source, so the compiler runs once per change.
//
//   node compile.js            compile (or find the cache); print its path
//   require('./compile').load()  the {contractName: {abi, bytecode}} map
//
// The cache file is mocks-<hash>.json. It is looked for in
// AMP_CHAIN_BUILD_DIR, test/chain/build and $TMPDIR/amplified-chain-build-UID,
// and written to the first of them that is writable; scripts/deps.sh runs
// this script as root so that tests running as another user find it ready.
'use strict';

const crypto = require('crypto');
const fs = require('fs');
const path = require('path');
const lib = require('./lib');

const SOURCES_DIR = path.join(lib.CHAIN_DIR, 'contracts');

// The compiler settings; part of the cache key. evmVersion paris keeps
// PUSH0 and MCOPY out of the bytecode, so any anvil hardfork runs it.
const SETTINGS = {
	optimizer: { enabled: true, runs: 200 },
	evmVersion: 'paris',
	outputSelection: { '*': { '*': ['abi', 'evm.bytecode.object', 'evm.deployedBytecode.object'] } },
};

function solcVersion()
{
	return require('solc/package.json').version;
}

// The sources by file name, in a stable order.
function sources()
{
	const out = {};
	for (const f of fs.readdirSync(SOURCES_DIR).filter((f) => f.endsWith('.sol')).sort())
		out[f] = { content: fs.readFileSync(path.join(SOURCES_DIR, f), 'utf8') };
	return out;
}

function cacheKey(srcs)
{
	const h = crypto.createHash('sha256');
	h.update(`solc ${solcVersion()}\n${JSON.stringify(SETTINGS)}\n`);
	for (const [f, { content }] of Object.entries(srcs))
		h.update(`${f}\n${content.length}\n${content}`);
	return h.digest('hex').slice(0, 16);
}

// Runs solc-js on the sources; throws with every error message.
function compile(srcs)
{
	const solc = require('solc');
	const input = { language: 'Solidity', sources: srcs, settings: SETTINGS };
	const out = JSON.parse(solc.compile(JSON.stringify(input)));
	const errors = (out.errors || []).filter((e) => e.severity === 'error');
	if (errors.length)
		throw new Error('solc: ' + errors.map((e) => e.formattedMessage).join('\n'));
	const contracts = {};
	for (const [file, byName] of Object.entries(out.contracts || {})) {
		for (const [name, c] of Object.entries(byName)) {
			if (!c.evm.bytecode.object)
				continue;	/* an interface or abstract contract */
			contracts[name] = {
				abi: c.abi,
				bytecode: '0x' + c.evm.bytecode.object,
				deployedBytecode: '0x' + c.evm.deployedBytecode.object,
				source: `test/chain/contracts/${file}`,
			};
		}
	}
	return { solc: solc.version(), contracts };
}

// The compiled mocks: from a cache if one matches, else compiled now and
// cached. Returns {file, solc, contracts, cached}.
function load()
{
	const srcs = sources();
	const name = `mocks-${cacheKey(srcs)}.json`;
	for (const dir of lib.buildDirs()) {
		const file = path.join(dir, name);
		if (fs.existsSync(file)) {
			try {
				const c = JSON.parse(fs.readFileSync(file, 'utf8'));
				return { file, solc: c.solc, contracts: c.contracts, cached: true };
			} catch (e) {
				lib.log(`compile: ignoring unreadable cache ${file}: ${e.message}`);
			}
		}
	}
	const c = compile(srcs);
	const file = path.join(lib.writableBuildDir(), name);
	lib.writeFileAtomic(file, JSON.stringify(c));
	return { file, solc: c.solc, contracts: c.contracts, cached: false };
}

module.exports = { load, compile, sources, cacheKey, SETTINGS };

if (require.main === module) {
	try {
		const r = load();
		console.log(`${r.file} (${Object.keys(r.contracts).sort().join(', ')}; solc ${r.solc}${r.cached ? '; cached' : ''})`);
	} catch (e) {
		console.error(`compile: ${e.message}`);
		process.exit(1);
	}
}
