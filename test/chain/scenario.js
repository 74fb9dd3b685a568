#!/usr/bin/env node
// test/chain/scenario.js: the strategy scenario of "make demo" and of
// test/t/090_strategy_e2e.pl, on a deployed chain fixture.
//
//   node scenario.js [--rpc URL] [--deployment FILE] COMMAND [options]
//
//   vaults --lp ADDR --stake ADDR [--lp-weth 10] [--lp-wsteth 10] [--stake-weth 20]
//       Make two of the node's unlocked accounts into fresh vaults: their
//       allowances to the position manager and the router set to 0, their
//       WETH/wstETH/weETH balances trimmed to the amounts given (the rest goes
//       to the deployer), and position NFTs they hold sent to the deployer.
//   grow [--hours 24] [--steps 8] [--wsteth-bps 2] [--weeth-bps 1]
//        [--jitter J] [--seed S]
//       Time passes: in each step the clock moves hours/steps forward
//       (evm_increaseTime), the LSTs' rates grow by their bps (increaseRate),
//       and the wstETH/ETH oracle follows the wstETH rate.  With --jitter,
//       each step's bps is drawn uniformly from bps - J .. bps + J (at least
//       0), from the seed (default 1): a yield series that varies, the same
//       on every run.
//   push --pool ID --tick T [--from N]
//       Traffic: account N (default 1) swaps on the pool, exact input, with a
//       price limit at tick T, until the pool's price reaches it.
//
// Each command prints a JSON summary on standard output (ticks, rates, the
// block reached); progress goes to standard error unless AMP_QUIET is set.
'use strict';

const fs = require('fs');
const path = require('path');
const lib = require('./lib');
const { Rng } = require('./seeded');

const { ethers } = lib;
const erc20 = new ethers.utils.Interface([
	'function balanceOf(address) view returns (uint256)',
	'function transfer(address,uint256) returns (bool)',
	'function approve(address,uint256) returns (bool)',
]);
const lstIface = new ethers.utils.Interface([
	'function increaseRate(uint256)',
	'function rate() view returns (uint256)',
]);
const aggIface = new ethers.utils.Interface(['function setAnswer(int256)']);
const npmIface = new ethers.utils.Interface([
	'function balanceOf(address) view returns (uint256)',
	'function tokenOfOwnerByIndex(address,uint256) view returns (uint256)',
	'function transferFrom(address,address,uint256)',
]);
const poolIface = new ethers.utils.Interface([
	'function slot0() view returns (uint160 sqrtPriceX96, int24 tick, uint16, uint16, uint16, uint8, bool)',
]);
const routerIface = new ethers.utils.Interface([
	'function exactInputSingle((address tokenIn, address tokenOut, uint24 fee, address recipient, uint256 deadline, uint256 amountIn, uint256 amountOutMinimum, uint160 sqrtPriceLimitX96)) returns (uint256)',
]);

async function vaults(chain, dep, opts)
{
	const owner = dep.deployer;
	const npm = dep.uniswap.positionManager;
	const router = dep.uniswap.swapRouter;
	const want = {
		[opts.lp]: { WETH: opts['lp-weth'] || '10', wstETH: opts['lp-wsteth'] || '10', weETH: '0' },
		[opts.stake]: { WETH: opts['stake-weth'] || '20', wstETH: '0', weETH: '0' },
	};
	const out = {};
	for (const [who, amounts] of Object.entries(want)) {
		if (!who || who === 'undefined')
			throw new Error('vaults needs --lp ADDR and --stake ADDR');
		const addr = ethers.utils.getAddress(who);
		out[addr] = {};
		for (const [sym, amount] of Object.entries(amounts)) {
			const t = dep.tokens[sym];
			for (const spender of [npm, router])
				await chain.tx(`approve ${sym} 0`, addr, t.address, erc20.encodeFunctionData('approve', [spender, 0]));
			const target = lib.units(amount, t.decimals);
			const bal = (await chain.call(t.address, erc20, 'balanceOf', [addr])).toBigInt();
			if (bal < target)
				throw new Error(`${addr} holds ${bal} ${sym}, less than ${target}`);
			if (bal > target)
				await chain.tx(`trim ${sym}`, addr, t.address, erc20.encodeFunctionData('transfer', [owner, bal - target]));
			out[addr][sym] = target.toString();
		}
		// No position NFTs from earlier traffic.
		const n = (await chain.call(npm, npmIface, 'balanceOf', [addr])).toNumber();
		for (let i = n - 1; i >= 0; i--) {
			const id = await chain.call(npm, npmIface, 'tokenOfOwnerByIndex', [addr, i]);
			await chain.tx(`give NFT ${id}`, addr, npm, npmIface.encodeFunctionData('transferFrom', [addr, owner, id]));
		}
	}
	return { vaults: out, block: await chain.blockNumber() };
}

async function grow(chain, dep, opts)
{
	const hours = Number(opts.hours || 24);
	const steps = Number(opts.steps || 8);
	const bps = { wstETH: Number(opts['wsteth-bps'] || 2), weETH: Number(opts['weeth-bps'] || 1) };
	const jitter = Number(opts.jitter || 0);
	const rng = new Rng(BigInt(opts.seed || 1));
	const oracle = Object.values(dep.oracles).find((o) => o.tracks === 'wstETH');
	for (let i = 0; i < steps; i++) {
		await chain.send('evm_increaseTime', [Math.round(hours * 3600 / steps)]);
		for (const sym of ['wstETH', 'weETH']) {
			const b = jitter > 0 ? Math.max(0, bps[sym] + rng.int(-jitter, jitter)) : bps[sym];
			if (b > 0)
				await chain.tx(`increaseRate ${sym}`, dep.deployer, dep.tokens[sym].address,
					lstIface.encodeFunctionData('increaseRate', [b]));
		}
		if (oracle) {
			const r = (await chain.call(dep.tokens.wstETH.address, lstIface, 'rate')).toBigInt();
			await chain.tx('setAnswer wstETH/ETH', dep.deployer, oracle.address, aggIface.encodeFunctionData('setAnswer', [r]));
		}
	}
	const rates = {};
	for (const sym of ['wstETH', 'weETH'])
		rates[sym] = (await chain.call(dep.tokens[sym].address, lstIface, 'rate')).toString();
	const b = await chain.send('eth_getBlockByNumber', ['latest', false]);
	return { rates, block: Number(b.number), timestamp: Number(b.timestamp) };
}

async function push(chain, dep, opts)
{
	const pool = dep.pools[opts.pool];
	if (!pool)
		throw new Error(`no pool "${opts.pool}" in the deployment`);
	const target = Number(opts.tick);
	if (!Number.isInteger(target))
		throw new Error('push needs --tick T');
	const accounts = await chain.accounts();
	const from = accounts[Number(opts.from || 1)];
	const before = (await chain.call(pool.address, poolIface, 'slot0')).tick;
	const zeroForOne = target < before;
	const [tokenIn, tokenOut] = zeroForOne ? [pool.token0, pool.token1] : [pool.token1, pool.token0];
	const limit = lib.approxSqrtPriceAtTick(target);
	const deadline = 2n ** 40n;
	let tick = before;
	// The input is capped per swap; repeat until the limit is reached.
	for (let i = 0; i < 10 && (zeroForOne ? tick > target : tick < target); i++) {
		await chain.tx(`push ${pool.id}`, from, dep.uniswap.swapRouter, routerIface.encodeFunctionData('exactInputSingle', [{
			tokenIn, tokenOut, fee: pool.fee, recipient: from, deadline,
			amountIn: lib.units('100', 18), amountOutMinimum: 0n, sqrtPriceLimitX96: limit }]));
		tick = (await chain.call(pool.address, poolIface, 'slot0')).tick;
	}
	return { pool: pool.id, tickBefore: before, tickAfter: tick, target, block: await chain.blockNumber() };
}

async function main()
{
	const opts = lib.parseArgs(process.argv.slice(2));
	const cmd = opts._[0];
	const depFile = path.resolve(opts.deployment || process.env.AMP_DEPLOYMENT
		|| path.join(lib.writableBuildDir(), 'deployment.json'));
	const dep = JSON.parse(fs.readFileSync(depFile, 'utf8'));
	const chain = new lib.Chain(opts.rpc || process.env.CHAIN_RPC_URL || dep.rpcUrl);
	const commands = { vaults, grow, push };
	if (!commands[cmd])
		throw new Error(`usage: scenario.js [--rpc URL] [--deployment FILE] vaults|grow|push [options]`);
	const out = await commands[cmd](chain, dep, opts);
	lib.log(`scenario ${cmd}: ${JSON.stringify(out)}`);
	process.stdout.write(lib.toJson(out) + '\n');
}

main().catch((e) => {
	console.error(`scenario: ${e.message}`);
	process.exit(1);
});
