#!/usr/bin/env node
// test/chain/bench_getlogs.js: the node's own rate, for bench/ingest.sh: a
// plain client that reads what the ingest worker reads, one request at a
// time, with nothing stored: for each range of RANGE blocks, one eth_getLogs
// for all the addresses, then the headers of every block of the range
// (eth_getBlockByNumber without transactions) in JSON-RPC batches of BATCH.
// Responses are parsed and checked (every id answered, logs inside the
// range), as the worker does.
//
//   node bench_getlogs.js --from A --to B --range RANGE --batch BATCH
//                         --addresses ADDR,ADDR,... [--runs N] [--rpc URL]
//
// Prints JSON: logs, blocks, seconds (the best of N runs, default 2),
// logs_per_sec, blocks_per_sec.
'use strict';

const lib = require('./lib');

async function main()
{
	const opts = lib.parseArgs(process.argv.slice(2));
	const from = parseInt(opts.from, 10);
	const to = parseInt(opts.to, 10);
	const range = parseInt(opts.range || '500', 10);
	const batch = parseInt(opts.batch || '100', 10);
	const runs = parseInt(opts.runs || '2', 10);
	const addresses = String(opts.addresses || '').split(',').filter((a) => a);
	const url = opts.rpc || process.env.CHAIN_RPC_URL;
	if (!(from >= 0 && to >= from && range > 0 && batch > 0 && addresses.length && url))
		throw new Error('usage: bench_getlogs.js --from A --to B --range N --batch N --addresses A,B --rpc URL');

	let id = 1;
	// One JSON-RPC batch; answers matched by id.
	async function rpc(calls)
	{
		const body = calls.map(([method, params]) => ({ jsonrpc: '2.0', id: id++, method, params }));
		const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
		const out = JSON.parse(await res.text());
		const byId = new Map(out.map((r) => [r.id, r]));
		return body.map((b) => {
			const r = byId.get(b.id);
			if (!r || r.error || r.result == null)
				throw new Error(`${b.method}: ${r && r.error ? JSON.stringify(r.error) : 'no answer'}`);
			return r.result;
		});
	}
	const hex = (n) => '0x' + n.toString(16);

	async function once()
	{
		let logs = 0;
		let blocks = 0;
		const t0 = process.hrtime.bigint();
		for (let a = from; a <= to; a += range) {
			const b = Math.min(to, a + range - 1);
			const [got] = await rpc([['eth_getLogs', [{ fromBlock: hex(a), toBlock: hex(b), address: addresses }]]]);
			for (const l of got) {
				const n = parseInt(l.blockNumber, 16);
				if (n < a || n > b)
					throw new Error(`log in block ${n} outside ${a}..${b}`);
			}
			logs += got.length;
			for (let c = a; c <= b; c += batch) {
				const calls = [];
				for (let n = c; n <= Math.min(b, c + batch - 1); n++)
					calls.push(['eth_getBlockByNumber', [hex(n), false]]);
				const hs = await rpc(calls);
				for (const h of hs)
					if (!h.hash || !h.parentHash)
						throw new Error('header without hash');
				blocks += hs.length;
			}
		}
		return { logs, blocks, seconds: Number(process.hrtime.bigint() - t0) / 1e9 };
	}

	let best = null;
	for (let r = 0; r < runs; r++) {
		const x = await once();
		if (!best || x.seconds < best.seconds)
			best = x;
	}
	best.logs_per_sec = Math.round(best.logs / best.seconds);
	best.blocks_per_sec = Math.round(best.blocks / best.seconds);
	best.seconds = Math.round(best.seconds * 1000) / 1000;
	console.log(JSON.stringify(best));
}

main().catch((e) => {
	console.error(`bench_getlogs: ${e.message}`);
	process.exit(1);
});
