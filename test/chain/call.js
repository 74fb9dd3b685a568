#!/usr/bin/env node
// test/chain/call.js: contract calls and transactions for tests that do not
// speak ABI themselves (the Perl TAP tests, through AmpChain.pm): one process
// runs a whole list, so a test pays Node's start-up once.
//
//   node call.js --rpc URL REQUESTS.json     (or "-" for standard input)
//
// REQUESTS is a JSON array; each element is
//   {"to": ADDR, "sig": "function f(uint256) view returns (uint256)", "args": [...],
//    "block": "latest", "from": ADDR}                         a call (from optional), or
//   {"send": true, "from": ADDR, "to": ADDR, "sig": ..., "args": [...], "value": "0"}
// a transaction from one of the node's unlocked accounts. The answer, on
// standard output, is a JSON array in the same order: for a call
// {"result": [values...]}, for a transaction {"status": 1, "block": N,
// "tx": HASH, "logs": [{address, topics, data}]}; and {"error": TEXT} when
// a call or transaction fails or reverts. Integers come back as decimal
// strings, addresses checksummed, bytes as 0x-hex, tuples as arrays.
'use strict';

const fs = require('fs');
const lib = require('./lib');
const { ethers } = lib;

// A decoded ABI value as plain JSON.
function plain(v)
{
	if (ethers.BigNumber.isBigNumber(v))
		return v.toString();
	if (Array.isArray(v))
		return v.map(plain);
	return v;
}

async function one(chain, r)
{
	const sig = r.sig.startsWith('function ') ? r.sig : `function ${r.sig}`;
	const iface = new ethers.utils.Interface([sig]);
	const fn = Object.keys(iface.functions)[0];
	const data = iface.encodeFunctionData(fn, r.args || []);
	if (r.send) {
		try {
			const rc = await chain.tx(`${fn} on ${r.to}`, r.from, r.to, data, r.value);
			return {
				status: Number(rc.status), block: Number(rc.blockNumber), tx: rc.transactionHash,
				logs: rc.logs.map((l) => ({ address: ethers.utils.getAddress(l.address), topics: l.topics, data: l.data })),
			};
		} catch (e) {
			return { error: e.message };
		}
	}
	try {
		const ret = await chain.send('eth_call', [r.from ? { from: r.from, to: r.to, data } : { to: r.to, data }, r.block || 'latest']);
		return { result: plain(Array.from(iface.decodeFunctionResult(fn, ret))) };
	} catch (e) {
		return { error: lib.rpcErrorText(e) };
	}
}

async function main()
{
	const opts = lib.parseArgs(process.argv.slice(2));
	const url = opts.rpc || process.env.CHAIN_RPC_URL || 'http://127.0.0.1:8545';
	const src = opts._[0] || '-';
	const reqs = JSON.parse(fs.readFileSync(src === '-' ? 0 : src, 'utf8'));
	if (!Array.isArray(reqs))
		throw new Error('the requests must be a JSON array');
	const chain = new lib.Chain(url);
	const out = [];
	for (const r of reqs)	/* in order: transactions may depend on each other */
		out.push(await one(chain, r));
	console.log(JSON.stringify(out));
}

main().catch((e) => {
	console.error(`call: ${e.message}`);
	process.exit(1);
});
