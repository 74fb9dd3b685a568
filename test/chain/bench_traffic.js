#!/usr/bin/env node
// test/chain/bench_traffic.js: heavy traffic on a deployed fixture, fast, for
// bench/ingest.sh. traffic.js sends one transaction at a time and waits for
// its receipt (realistic, but tens of transactions a second); this sends a
// JSON-RPC batch of transactions from the node's unlocked accounts with
// explicit gas (no estimate), mines them into one block (evm_mine, automine
// paused), and goes on, so that thousands of blocks with several logs each
// take a minute or so.
//
//   node bench_traffic.js [--blocks N] [--txs K] [--seconds S]
//                         [--deployment FILE] [--rpc URL]
//
// N blocks (default 2000), K transactions each (default 6): ERC-20 transfers
// of the fixture's tokens between accounts 1-9 (one Transfer log) and, every
// other transaction, a small exact-input swap on a pool through the
// SwapRouter (two Transfer logs and a Swap), alternating directions so the
// prices stay put. With --seconds S it runs for S seconds instead of N
// blocks, pausing ~pace ms between blocks (--pace, default 0), which is how
// the memory part of the bench keeps traffic flowing while the worker runs.
// Automine is restored at the end. A summary (blocks, transactions, logs of
// the last block's receipts checked, first and last block) is printed as
// JSON on standard output.
'use strict';

const fs = require('fs');
const path = require('path');
const lib = require('./lib');
const { ethers } = lib;

async function main()
{
	const opts = lib.parseArgs(process.argv.slice(2));
	const blocks = parseInt(opts.blocks || '2000', 10);
	const perBlock = parseInt(opts.txs || '6', 10);
	const seconds = opts.seconds ? parseFloat(opts.seconds) : 0;
	const pace = parseInt(opts.pace || '0', 10);
	const depFile = path.resolve(opts.deployment || process.env.AMP_DEPLOYMENT
		|| path.join(lib.writableBuildDir(), 'deployment.json'));
	const dep = JSON.parse(fs.readFileSync(depFile, 'utf8'));
	const url = opts.rpc || process.env.CHAIN_RPC_URL || dep.rpcUrl;

	let id = 1;
	async function rpc(calls)
	{
		const body = calls.map(([method, params]) => ({ jsonrpc: '2.0', id: id++, method, params }));
		const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
		const out = await res.json();
		const byId = new Map(out.map((r) => [r.id, r]));
		return body.map((b) => {
			const r = byId.get(b.id);
			if (!r || r.error)
				throw new Error(`${b.method}: ${r ? JSON.stringify(r.error) : 'no answer'}`);
			return r.result;
		});
	}

	const erc20 = new ethers.utils.Interface(['function transfer(address to, uint256 amount) returns (bool)']);
	const router = new ethers.utils.Interface(lib.published(lib.UNI.swapRouter).abi);
	const accounts = dep.accounts.slice(1, 10);
	const tokens = Object.values(dep.tokens);
	const pools = Object.values(dep.pools);
	const hex = (v) => ethers.utils.hexValue(ethers.BigNumber.from(v));

	// The i-th transaction of the run: a transfer, or a swap every other one.
	let n = 0;
	function nextTx()
	{
		const i = n++;
		const from = accounts[i % accounts.length];
		if (i % 2 === 0) {
			const t = tokens[(i >> 1) % tokens.length];
			const to = accounts[(i + 3) % accounts.length];
			const amount = 10n ** BigInt(t.decimals) / 1000n * BigInt(1 + i % 7);
			return { from, to: t.address, gas: hex(80000), data: erc20.encodeFunctionData('transfer', [to, amount]) };
		}
		const p = pools[(i >> 1) % pools.length];
		const zeroForOne = ((i >> 3) & 1) === 0;
		const [tokenIn, tokenOut, dec] = zeroForOne ? [p.token0, p.token1, p.decimals0] : [p.token1, p.token0, p.decimals1];
		const amountIn = 10n ** BigInt(dec) / 100n;
		const data = router.encodeFunctionData('exactInputSingle', [{
			tokenIn, tokenOut, fee: p.fee, recipient: from, deadline: lib.MAX_UINT256,
			amountIn, amountOutMinimum: 0n, sqrtPriceLimitX96: 0n }]);
		return { from, to: dep.uniswap.swapRouter, gas: hex(400000), data };
	}

	const [first] = await rpc([['eth_blockNumber', []]]);
	await rpc([['evm_setAutomine', [false]]]);
	const t0 = Date.now();
	let mined = 0;
	let lastHashes = [];
	try {
		for (;;) {
			if (seconds ? (Date.now() - t0) / 1000 >= seconds : mined >= blocks)
				break;
			const calls = [];
			for (let k = 0; k < perBlock; k++)
				calls.push(['eth_sendTransaction', [nextTx()]]);
			lastHashes = await rpc(calls);
			await rpc([['evm_mine', []]]);
			mined++;
			if (pace)
				await new Promise((r) => setTimeout(r, pace));
		}
	} finally {
		await rpc([['evm_setAutomine', [true]]]);
	}
	const secs = (Date.now() - t0) / 1000;
	const [last] = await rpc([['eth_blockNumber', []]]);
	const receipts = lastHashes.length ? await rpc(lastHashes.map((h) => ['eth_getTransactionReceipt', [h]])) : [];
	const failed = receipts.filter((r) => !r || Number(r.status) !== 1).length;
	if (failed)
		throw new Error(`${failed} of the last block's ${receipts.length} transactions failed`);
	const summary = {
		blocks: mined, txs: mined * perBlock, firstBlock: Number(first) + 1, lastBlock: Number(last),
		seconds: Math.round(secs * 10) / 10, lastBlockLogs: receipts.reduce((s, r) => s + r.logs.length, 0),
	};
	console.log(JSON.stringify(summary));
}

main().catch((e) => {
	console.error(`bench_traffic: ${e.message}`);
	process.exit(1);
});
