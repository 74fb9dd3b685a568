#!/usr/bin/env node
// test/chain/traffic.js: generates traffic on a deployed fixture (deploy.js):
// each round makes small swaps both ways, one big swap that drives a pool's
// price across its narrow position and out of it, a new position, a partial
// or full withdrawal (decreaseLiquidity + collect, sometimes burning the
// NFT), ERC-20 transfers, an LST rate increase and oracle updates.
//
//   node traffic.js [ROUNDS] [--rounds N] [--seed S] [--mine]
//                   [--deployment FILE] [--rpc URL] [--out FILE]
//
// ROUNDS defaults to 10. The seed comes from --seed, then AMP_SEED, else is
// drawn at random; it is printed ("traffic: seed=N") and recorded, and the
// same seed on the same deployment replays the same actions. Blocks come from
// the node's own mining (automine, or interval mining: receipts are polled);
// --mine also calls evm_mine after every round, leaving an empty block, and,
// when the node does not automine, after every transaction too.
// FILE for the deployment defaults to $AMP_DEPLOYMENT, then deployment.json
// in the build directory. The summary (JSON: counts of actions and of logs by
// event, first and last block, final rates and answers) goes to standard
// output and, with --out, to a file.
'use strict';

const fs = require('fs');
const path = require('path');
const lib = require('./lib');
const compile = require('./compile');
const { ethers } = lib;

// The seeded generator is shared with the randomized tests.
const { Rng } = require('./seeded');

// Small amounts per token, whole units [lo, hi], for small swaps and transfers.
const SMALL = { WETH: [0.05, 2], wstETH: [0.05, 2], weETH: [0.05, 2], USDC: [100, 5000], DAI: [100, 5000] };

function smallAmount(rng, sym, decimals)
{
	const [lo, hi] = SMALL[sym];
	const x = lo + (hi - lo) * rng.float();
	return lib.units(x.toFixed(Math.min(decimals, 6)), decimals);
}

async function main()
{
	const opts = lib.parseArgs(process.argv.slice(2), ['mine']);
	const rounds = parseInt(opts.rounds || opts._[0] || '10', 10);
	if (!(rounds >= 1))
		throw new Error('rounds must be a positive integer');
	const depFile = path.resolve(opts.deployment || process.env.AMP_DEPLOYMENT
		|| path.join(lib.writableBuildDir(), 'deployment.json'));
	const dep = JSON.parse(fs.readFileSync(depFile, 'utf8'));
	const url = opts.rpc || process.env.CHAIN_RPC_URL || dep.rpcUrl;
	const seedText = opts.seed || process.env.AMP_SEED || String(Math.floor(Math.random() * 2 ** 48));
	if (!/^[0-9]+$/.test(seedText))
		throw new Error(`seed must be a decimal integer, not "${seedText}"`);
	const seed = BigInt(seedText);
	const mine = !!opts.mine;
	lib.log(`traffic: seed=${seed} (AMP_SEED=${seed} replays), ${rounds} rounds against ${url}`);

	const rng = new Rng(seed);
	const chain = new lib.Chain(url);
	if (await chain.chainId() !== dep.chainId)
		throw new Error(`the node's chain id is not the deployment's (${dep.chainId})`);
	const code = await chain.send('eth_getCode', [dep.uniswap.positionManager, 'latest']);
	if (code === '0x')
		throw new Error(`no position manager at ${dep.uniswap.positionManager}: is ${depFile} this node's deployment?`);

	if (mine && !(await chain.automine())) {
		chain.selfMine = true;
		lib.log('traffic: the node does not automine: mining each transaction with evm_mine (--mine)');
	}

	const mocks = compile.load();
	const poolIface = new ethers.utils.Interface(lib.published(lib.UNI.pool).abi);
	const npmIface = new ethers.utils.Interface(lib.published(lib.UNI.positionManager).abi);
	const routerIface = new ethers.utils.Interface(lib.published(lib.UNI.swapRouter).abi);
	const erc20 = new ethers.utils.Interface(mocks.contracts.AmpERC20.abi);
	const lstIface = new ethers.utils.Interface(mocks.contracts.MockLST.abi);
	const aggIface = new ethers.utils.Interface(mocks.contracts.MockAggregator.abi);

	const owner = dep.deployer;
	const accounts = dep.accounts;
	const traders = accounts.slice(1, 5);
	const lp = accounts[5];
	const pools = Object.values(dep.pools);
	const tokenBySym = dep.tokens;
	const symOf = {};
	for (const t of Object.values(dep.tokens))
		symOf[t.address.toLowerCase()] = t.symbol;
	const lsts = Object.values(dep.tokens).filter((t) => t.rate !== undefined);
	const deadline = lib.MAX_UINT256;

	// ---- log classification: topic0 and emitter -> event name ----
	const T = dep.topics;
	const poolAddrs = new Set(pools.map((p) => p.address.toLowerCase()));
	const tokenAddrs = new Set(Object.keys(symOf));
	const npm = dep.uniswap.positionManager.toLowerCase();
	const lstAddrs = new Set(lsts.map((t) => t.address.toLowerCase()));
	const oracleAddrs = new Set(Object.values(dep.oracles).map((o) => o.address.toLowerCase()));
	const byTopic = {};
	for (const [name, topic] of Object.entries(T))
		byTopic[topic] = name;
	function classify(l)
	{
		const a = l.address.toLowerCase();
		const name = byTopic[l.topics[0]];
		if (poolAddrs.has(a) && ['Swap', 'Mint', 'Burn', 'Collect', 'Initialize', 'Flash'].includes(name))
			return name;
		if (a === npm) {
			if (name === 'Transfer')
				return 'NftTransfer';
			if (name === 'Approval')
				return 'NftApproval';
			if (name === 'CollectPosition' || name === 'IncreaseLiquidity' || name === 'DecreaseLiquidity')
				return name;
		}
		if (tokenAddrs.has(a) && ['Transfer', 'Approval', 'Deposit', 'Withdrawal', 'RateUpdated'].includes(name))
			return name;
		if (oracleAddrs.has(a) && (name === 'AnswerUpdated' || name === 'NewRound'))
			return name;
		return `other:${a}:${l.topics[0] || 'anonymous'}`;
	}

	const actions = { swap: 0, swapExactOut: 0, swapBig: 0, mint: 0, decrease: 0, collect: 0, burnNft: 0, transfer: 0, rate: 0, oracle: 0, evmMine: 0 };
	const events = {};
	const perPool = {};
	for (const p of pools)
		perPool[p.id] = { swaps: 0, mints: 0, burns: 0, collects: 0 };
	const perOracle = {};
	for (const id of Object.keys(dep.oracles))
		perOracle[id] = 0;
	let firstBlock = null, lastBlock = null, logs = 0, outOfRange = 0;

	// Sends, and accounts for the receipt's logs.
	async function tx(what, from, to, data, value)
	{
		const r = await chain.tx(what, from, to, data, value);
		const b = Number(r.blockNumber);
		if (firstBlock === null)
			firstBlock = b;
		lastBlock = Math.max(lastBlock || 0, b);
		for (const l of r.logs) {
			const name = classify(l);
			events[name] = (events[name] || 0) + 1;
			logs++;
			const a = l.address.toLowerCase();
			if (poolAddrs.has(a)) {
				const p = pools.find((x) => x.address.toLowerCase() === a);
				if (name === 'Swap') perPool[p.id].swaps++;
				if (name === 'Mint') perPool[p.id].mints++;
				if (name === 'Burn') perPool[p.id].burns++;
				if (name === 'Collect') perPool[p.id].collects++;
			}
		}
		return r;
	}

	const balanceOf = async (sym, who) => (await chain.call(tokenBySym[sym].address, erc20, 'balanceOf', [who])).toBigInt();
	const slot0 = (pool) => chain.call(pool.address, poolIface, 'slot0');

	// Tick ranges seen, per pool.
	const ticks = {};
	for (const p of pools) {
		const t = (await slot0(p)).tick;
		ticks[p.id] = { start: t, end: t, min: t, max: t };
	}
	async function noteTick(pool)
	{
		const t = (await slot0(pool)).tick;
		const k = ticks[pool.id];
		k.end = t; k.min = Math.min(k.min, t); k.max = Math.max(k.max, t);
		return t;
	}

	// A swap of amountIn of tokenIn (exact input) or for amountOut of the
	// other token (exact output), with an optional price limit.
	async function swap(pool, from, zeroForOne, amount, exactOut, limit)
	{
		const [tokenIn, tokenOut] = zeroForOne ? [pool.token0, pool.token1] : [pool.token1, pool.token0];
		const data = exactOut
			? routerIface.encodeFunctionData('exactOutputSingle', [{
				tokenIn, tokenOut, fee: pool.fee, recipient: from, deadline,
				amountOut: amount, amountInMaximum: lib.MAX_UINT256 >> 1n, sqrtPriceLimitX96: limit || 0n }])
			: routerIface.encodeFunctionData('exactInputSingle', [{
				tokenIn, tokenOut, fee: pool.fee, recipient: from, deadline,
				amountIn: amount, amountOutMinimum: 0n, sqrtPriceLimitX96: limit || 0n }]);
		await tx(`swap ${pool.id}`, from, dep.uniswap.swapRouter, data);
		actions.swap++;
		if (exactOut)
			actions.swapExactOut++;
		return noteTick(pool);
	}

	// ---- the rounds ----
	const lpPositions = [];	// {tokenId, pool, liquidity}
	const t0 = Date.now();
	for (let round = 1; round <= rounds; round++) {
		// Two small swaps on random pools, random directions, but leaning
		// (7 in 10) back toward the initial narrow position when the price
		// is outside it, as arbitrage would.
		for (let i = 0; i < 2; i++) {
			const pool = rng.pick(pools);
			const narrow = pool.positions.find((x) => x.kind === 'narrow');
			const t = (await slot0(pool)).tick;
			const zeroForOne = t >= narrow.tickUpper ? rng.chance(0.7)
				: t < narrow.tickLower ? rng.chance(0.3) : rng.chance(0.5);
			const exactOut = rng.chance(0.3);
			const sym = exactOut ? (zeroForOne ? pool.symbol1 : pool.symbol0) : (zeroForOne ? pool.symbol0 : pool.symbol1);
			await swap(pool, rng.pick(traders), zeroForOne, smallAmount(rng, sym, tokenBySym[sym].decimals), exactOut);
		}

		// A big swap, pools in turn: through the deployment's narrow position
		// and 1 to 4 tick spacings past its far end, stopped there by the
		// price limit. From inside, either way; from outside, across.
		{
			const pool = pools[(round - 1) % pools.length];
			const narrow = pool.positions.find((x) => x.kind === 'narrow');
			const t = (await slot0(pool)).tick;
			const down = t >= narrow.tickUpper ? true : t < narrow.tickLower ? false : rng.chance(0.5);
			const k = rng.int(1, 4);
			const target = down ? narrow.tickLower - k * pool.tickSpacing : narrow.tickUpper + k * pool.tickSpacing;
			const symIn = down ? pool.symbol0 : pool.symbol1;
			let best = null, bestBal = -1n;
			for (const tr of traders) {
				const b = await balanceOf(symIn, tr);
				if (b > bestBal) { best = tr; bestBal = b; }
			}
			const after = await swap(pool, best, down, bestBal * 15n / 100n, false, lib.approxSqrtPriceAtTick(target));
			actions.swapBig++;
			if (after < narrow.tickLower || after >= narrow.tickUpper)
				outOfRange++;
			lib.log(`traffic: round ${round}: big swap on ${pool.id} ${down ? 'down' : 'up'}: tick ${t} -> ${after} (narrow ${narrow.tickLower}..${narrow.tickUpper})`);
		}

		// A new position around the current price.
		{
			const pool = rng.pick(pools);
			const t = (await slot0(pool)).tick;
			const base = lib.floorTick(t, pool.tickSpacing);
			const tickLower = base - rng.int(1, 20) * pool.tickSpacing;
			const tickUpper = base + rng.int(1, 20) * pool.tickSpacing;
			const s0 = (await slot0(pool)).sqrtPriceX96.toBigInt();
			const size1 = lib.units(String(rng.int(1, 10)), pool.decimals0);	// token0 amount
			const amount1 = size1 * s0 * s0 >> 192n;	// its worth in token1
			const r = await tx(`mint ${pool.id}`, lp, dep.uniswap.positionManager,
				npmIface.encodeFunctionData('mint', [{
					token0: pool.token0, token1: pool.token1, fee: pool.fee, tickLower, tickUpper,
					amount0Desired: size1, amount1Desired: amount1, amount0Min: 0, amount1Min: 0,
					recipient: lp, deadline }]));
			const ev = r.logs.filter((l) => l.address.toLowerCase() === npm && l.topics[0] === T.IncreaseLiquidity)
				.map((l) => npmIface.parseLog(l))[0];
			lpPositions.push({ tokenId: ev.args.tokenId.toBigInt(), pool, liquidity: ev.args.liquidity.toBigInt() });
			actions.mint++;
		}

		// A withdrawal: half or all of a random live position, then collect.
		{
			const live = lpPositions.filter((x) => x.liquidity > 0n);
			if (live.length) {
				const pos = rng.pick(live);
				const all = rng.chance(0.5);
				const liq = all ? pos.liquidity : pos.liquidity / 2n;
				await tx(`decreaseLiquidity ${pos.tokenId}`, lp, dep.uniswap.positionManager,
					npmIface.encodeFunctionData('decreaseLiquidity', [{
						tokenId: pos.tokenId, liquidity: liq, amount0Min: 0, amount1Min: 0, deadline }]));
				pos.liquidity -= liq;
				actions.decrease++;
				await tx(`collect ${pos.tokenId}`, lp, dep.uniswap.positionManager,
					npmIface.encodeFunctionData('collect', [{
						tokenId: pos.tokenId, recipient: lp, amount0Max: lib.MAX_UINT128, amount1Max: lib.MAX_UINT128 }]));
				actions.collect++;
				if (pos.liquidity === 0n && rng.chance(0.5)) {
					await tx(`burn ${pos.tokenId}`, lp, dep.uniswap.positionManager,
						npmIface.encodeFunctionData('burn', [pos.tokenId]));
					actions.burnNft++;
					pos.burned = true;
				}
			}
		}

		// Two ERC-20 transfers between funded accounts: 1 to 5, never 6 to 9,
		// the demo's strategy vaults and leverage-account owners (they send
		// only their strategies' signed transactions: a transfer of theirs
		// would take a nonce the transaction queue counts on, and after a
		// demo their holdings sit in positions).
		const funded = accounts.slice(1, 6);
		for (let i = 0; i < 2; i++) {
			const sym = rng.pick(Object.keys(tokenBySym));
			const from = rng.pick(funded);
			let to = rng.pick(funded);
			if (to === from)
				to = funded[(funded.indexOf(from) + 1) % funded.length];
			await tx(`transfer ${sym}`, from, tokenBySym[sym].address,
				erc20.encodeFunctionData('transfer', [to, smallAmount(rng, sym, tokenBySym[sym].decimals)]));
			actions.transfer++;
		}

		// The LSTs' rates grow, in turn, by 1 to 5 bps.
		{
			const t = lsts[(round - 1) % lsts.length];
			await tx(`increaseRate ${t.symbol}`, owner, t.address, lstIface.encodeFunctionData('increaseRate', [rng.int(1, 5)]));
			actions.rate++;
		}

		// Oracles: those that track a token follow its rate; the others walk
		// by up to 1.5 % either way.
		for (const [id, o] of Object.entries(dep.oracles)) {
			let answer;
			if (o.tracks) {
				answer = (await chain.call(tokenBySym[o.tracks].address, lstIface, 'rate')).toBigInt();
			} else {
				const cur = (await chain.call(o.address, aggIface, 'latestAnswer')).toBigInt();
				answer = cur * BigInt(10000 + rng.int(-150, 150)) / 10000n;
			}
			await tx(`setAnswer ${id}`, owner, o.address, aggIface.encodeFunctionData('setAnswer', [answer]));
			actions.oracle++;
			perOracle[id]++;
		}

		if (mine) {
			await chain.send('evm_mine', []);
			actions.evmMine++;
			lastBlock = await chain.blockNumber();
		}
	}

	// ---- the summary ----
	const rates = {};
	for (const t of lsts)
		rates[t.symbol] = (await chain.call(t.address, lstIface, 'rate')).toBigInt();
	const answers = {};
	for (const [id, o] of Object.entries(dep.oracles)) {
		const rd = await chain.call(o.address, aggIface, 'latestRoundData');
		answers[id] = { roundId: rd[0].toBigInt(), answer: rd[1].toBigInt(), updatedAt: rd[3].toBigInt(), updates: perOracle[id] };
	}
	const summary = {
		seed: seed.toString(), rounds, mine, rpcUrl: url, deployment: depFile,
		firstBlock, lastBlock, transactions: chain.txCount, logs,
		actions, events, pools: perPool, outOfRange, ticks, rates, oracles: answers,
		lpPositions: lpPositions.map((x) => ({ tokenId: x.tokenId, pool: x.pool.id, liquidity: x.liquidity, burned: !!x.burned })),
		seconds: Number(((Date.now() - t0) / 1000).toFixed(2)),
	};
	const text = lib.toJson(summary);
	if (opts.out)
		lib.writeFileAtomic(path.resolve(opts.out), text + '\n');
	lib.log(`traffic: ${rounds} rounds, ${chain.txCount} transactions, ${logs} logs in blocks ${firstBlock}..${lastBlock}, `
		+ Object.entries(events).filter(([k]) => !k.startsWith('other:')).map(([k, v]) => `${k} ${v}`).join(', ')
		+ `; ${summary.seconds} s`);
	console.log(text);
}

main().catch((e) => {
	console.error(`traffic: ${e.message}`);
	process.exit(1);
});
