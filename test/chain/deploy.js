#!/usr/bin/env node
// test/chain/deploy.js: deploys the local chain fixture into a running anvil:
// tokens (WETH, the LST mock "wstETH", the LRT mock "weETH", a 6-decimal
// "USDC", OpenZeppelin's preset as "DAI"), two Chainlink-style oracles, the
// Uniswap v3 factory, position manager (with its token descriptor), swap
// router, QuoterV2 and TickLens from their published artifacts, four pools
// initialised at the tokens' prices, funded accounts with approvals, and a
// full-range and a narrow position in every pool; then, last (lending.js),
// Morpho Blue with two markets, a minimal Aave v3 market and the
// AmpLeverageAccount of account 7.
//
//   node deploy.js [--rpc URL] [--out FILE] [--reuse]   (or: deploy.js URL FILE)
//
// URL defaults to $CHAIN_RPC_URL, then http://127.0.0.1:8545. FILE defaults
// to $AMP_DEPLOYMENT, then deployment.json in the build directory
// (test/chain/build, or a temp directory when that is not writable; see
// lib.js). The deployment is written there and printed on standard output;
// progress goes to standard error (AMP_QUIET=1 silences it). With --reuse,
// an existing FILE made on the same chain (same genesis block hash, every
// contract still there) is printed instead of deploying again.
//
// Every contract is created by the node's first account, in a fixed order,
// so a fresh anvil (same mnemonic) always gets the same addresses, in the
// same blocks: deploy.js mines each of its transactions itself (evm_mine,
// one block each, several times faster than anvil's automine), with
// automine paused while it runs and restored after.
'use strict';

const fs = require('fs');
const path = require('path');
const lib = require('./lib');
const compile = require('./compile');
const compileMorpho = require('./compile_morpho');
const lending = require('./lending');
const { ethers } = lib;

const E18 = 10n ** 18n;

// Token parameters. rate: underlying (ETH) per token, 1e18 scale.
const TOKENS = [
	{ sym: 'WETH', kind: 'weth', mock: 'MockWETH9', args: [], decimals: 18 },
	{ sym: 'wstETH', kind: 'lst', mock: 'MockLST', name: 'Wrapped liquid staked Ether 2.0', rate: 1190000000000000000n, decimals: 18 },
	{ sym: 'weETH', kind: 'lrt', mock: 'MockLST', name: 'Wrapped eETH', rate: 1060000000000000000n, decimals: 18 },
	{ sym: 'USDC', kind: 'stable', mock: 'AmpERC20', name: 'USD Coin', decimals: 6 },
	{ sym: 'DAI', kind: 'stable', oz: 'erc20PresetMinterPauser', name: 'Dai Stablecoin', decimals: 18 },
];

// What every account gets (in whole tokens). WETH is wrapped from the
// account's own ether; the rest is minted by the deployer.
const FUNDING = { WETH: '1000', wstETH: '1000', weETH: '1000', USDC: '3000000', DAI: '1000000' };

const ETH_USD = 3000n;	// whole dollars per ether, for the oracle and the USDC pool

// Pools: base priced in quote. price is raw quote units per raw base unit as
// a fraction [num, den], filled in from the token rates below. full and
// narrow are the initial positions' sizes in whole base tokens; narrow
// spans +-narrowSpacings tick spacings around the initial tick.
const POOLS = [
	{ base: 'wstETH', quote: 'WETH', fee: 500, full: '200', narrow: '20', narrowSpacings: 5 },
	{ base: 'wstETH', quote: 'WETH', fee: 3000, full: '100', narrow: '10', narrowSpacings: 4 },
	{ base: 'weETH', quote: 'WETH', fee: 500, full: '100', narrow: '10', narrowSpacings: 5 },
	{ base: 'WETH', quote: 'USDC', fee: 3000, full: '50', narrow: '5', narrowSpacings: 10 },
];

const ORACLES = [
	{ id: 'wstETH/ETH', decimals: 18, description: 'wstETH / ETH', answerOf: 'wstETH' },
	{ id: 'ETH/USD', decimals: 8, description: 'ETH / USD', answer: ETH_USD * 10n ** 8n },
];

// bytes32 of a short ASCII label, as the token descriptor wants it.
function bytes32Label(s)
{
	return ethers.utils.formatBytes32String(s);
}

// The text of an earlier deployment file if it was made on this very chain
// (same genesis block) and its contracts are all still there, else null.
async function reusable(url, file)
{
	let text, dep;
	try {
		text = fs.readFileSync(file, 'utf8');
		dep = JSON.parse(text);
	} catch (e) {
		return null;
	}
	const chain = new lib.Chain(url);
	const genesis = await chain.send('eth_getBlockByNumber', ['0x0', false]);
	if (!dep.genesisHash || genesis.hash !== dep.genesisHash)
		return null;
	for (const c of Object.values(dep.contracts || {}))
		if (await chain.send('eth_getCode', [c.address, 'latest']) === '0x')
			return null;
	return text;
}

async function main()
{
	const opts = lib.parseArgs(process.argv.slice(2), ['reuse']);
	const url = opts.rpc || opts._[0] || process.env.CHAIN_RPC_URL || 'http://127.0.0.1:8545';
	const out = path.resolve(opts.out || opts._[1] || process.env.AMP_DEPLOYMENT
		|| path.join(lib.writableBuildDir(), 'deployment.json'));

	const t0 = Date.now();
	if (opts.reuse && fs.existsSync(out)) {
		const prev = await reusable(url, out);
		if (prev) {
			lib.log(`deploy: ${out} is this chain's deployment already (--reuse); nothing deployed`);
			console.log(prev.trimEnd());
			return;
		}
	}
	const mocks = compile.load();
	lib.log(`deploy: mocks from ${mocks.file}${mocks.cached ? ' (cached)' : ' (compiled)'}`);
	const morphoBuild = compileMorpho.load();
	lib.log(`deploy: Morpho Blue from ${morphoBuild.file}${morphoBuild.cached ? ' (cached)' : ' (compiled)'}`);

	const chain = new lib.Chain(url);
	const chainId = await chain.chainId();
	const accounts = await chain.accounts();
	if (accounts.length < 8)
		throw new Error(`the node has ${accounts.length} unlocked accounts; the fixture needs 8 (anvil's default is 10)`);
	const deployer = accounts[0];
	const nonce = Number(await chain.send('eth_getTransactionCount', [deployer, 'latest']));
	if (nonce !== 0)
		lib.log(`deploy: warning: the deployer's nonce is ${nonce}, not 0: addresses will differ from a fresh chain's`);
	// Mining each transaction ourselves is several times faster than anvil's
	// automine; pause automine meanwhile (and restore it, whatever happens).
	const automine = await chain.automine();
	chain.selfMine = true;
	if (automine)
		await chain.send('evm_setAutomine', [false]);
	try {
		await deployAll(chain, opts, url, out, t0, mocks, morphoBuild, chainId, accounts, deployer);
	} finally {
		if (automine)
			await chain.send('evm_setAutomine', [true]);
	}
}

// Deploys everything; writes and prints the deployment.
async function deployAll(chain, opts, url, out, t0, mocks, morphoBuild, chainId, accounts, deployer)
{
	const startBlock = (await chain.blockNumber()) + 1;
	const genesisHash = (await chain.send('eth_getBlockByNumber', ['0x0', false])).hash;
	lib.log(`deploy: chain ${chainId} at ${url}, deployer ${deployer}, from block ${startBlock}`);

	const contracts = {};	// name -> {address, block, tx, source}
	async function deploy(name, artifact, args)
	{
		const r = await chain.deploy(name, deployer, artifact, args);
		contracts[name] = { ...r, source: artifact.source };
		return r.address;
	}

	// ---- tokens ----
	const tokens = {};
	const ifaces = {};
	for (const t of TOKENS) {
		let artifact, args;
		if (t.oz) {
			artifact = lib.published(lib.OZ[t.oz]);
			args = [t.name, t.sym];
		} else {
			artifact = mocks.contracts[t.mock];
			args = t.mock === 'MockWETH9' ? [] : t.mock === 'MockLST' ? [t.name, t.sym, t.rate] : [t.name, t.sym, t.decimals];
		}
		const address = await deploy(`token:${t.sym}`, artifact, args);
		const iface = new ethers.utils.Interface(artifact.abi);
		ifaces[t.sym] = iface;
		const decimals = Number(await chain.call(address, iface, 'decimals'));
		if (decimals !== t.decimals)
			throw new Error(`${t.sym} has ${decimals} decimals, expected ${t.decimals}`);
		tokens[t.sym] = {
			address, symbol: t.sym, name: await chain.call(address, iface, 'name'), decimals, kind: t.kind,
			block: contracts[`token:${t.sym}`].block, source: artifact.source,
		};
		if (t.rate)
			tokens[t.sym].rate = (await chain.call(address, iface, 'rate')).toBigInt();
	}
	const erc20 = ifaces.USDC;	// any ERC-20 ABI reads balances and approves

	// ---- oracles ----
	const oracles = {};
	const aggIface = new ethers.utils.Interface(mocks.contracts.MockAggregator.abi);
	for (const o of ORACLES) {
		const answer = o.answerOf ? tokens[o.answerOf].rate : o.answer;
		const address = await deploy(`oracle:${o.id}`, mocks.contracts.MockAggregator, [o.decimals, o.description, answer]);
		const rd = await chain.call(address, aggIface, 'latestRoundData');
		oracles[o.id] = {
			address, decimals: o.decimals, description: o.description, answer: rd[1].toBigInt(),
			roundId: rd[0].toBigInt(), block: contracts[`oracle:${o.id}`].block,
			source: mocks.contracts.MockAggregator.source, tracks: o.answerOf || null,
		};
	}

	// ---- Uniswap v3 ----
	const A = {};
	for (const k of Object.keys(lib.UNI))
		A[k] = lib.published(lib.UNI[k]);
	const weth = tokens.WETH.address;
	const uniswap = {};
	uniswap.factory = await deploy('uniswap:factory', A.factory, []);
	uniswap.nftDescriptorLibrary = await deploy('uniswap:nftDescriptorLibrary', A.nftDescriptor, []);
	uniswap.tokenDescriptor = await deploy('uniswap:tokenDescriptor',
		lib.link(A.tokenDescriptor, { NFTDescriptor: uniswap.nftDescriptorLibrary }), [weth, bytes32Label('ETH')]);
	uniswap.positionManager = await deploy('uniswap:positionManager', A.positionManager,
		[uniswap.factory, weth, uniswap.tokenDescriptor]);
	uniswap.swapRouter = await deploy('uniswap:swapRouter', A.swapRouter, [uniswap.factory, weth]);
	uniswap.quoterV2 = await deploy('uniswap:quoterV2', A.quoterV2, [uniswap.factory, weth]);
	uniswap.tickLens = await deploy('uniswap:tickLens', A.tickLens, []);
	const factoryIface = new ethers.utils.Interface(A.factory.abi);
	const poolIface = new ethers.utils.Interface(A.pool.abi);
	const npmIface = new ethers.utils.Interface(A.positionManager.abi);

	// ---- pools ----
	const pools = {};
	for (const p of POOLS) {
		const B = tokens[p.base], Q = tokens[p.quote];
		// raw quote per raw base
		let num, den;
		if (B.rate && p.quote === 'WETH') {
			num = B.rate; den = E18;
		} else if (p.base === 'WETH' && p.quote === 'USDC') {
			num = ETH_USD * 10n ** BigInt(Q.decimals); den = 10n ** BigInt(B.decimals);
		} else {
			throw new Error(`no price for ${p.base}/${p.quote}`);
		}
		const baseIs0 = BigInt(B.address) < BigInt(Q.address);
		const [t0, t1] = baseIs0 ? [B, Q] : [Q, B];
		const sqrtP = baseIs0 ? lib.sqrtPriceX96(num, den) : lib.sqrtPriceX96(den, num);
		const id = `${p.base}-${p.quote}-${p.fee}`;
		const cr = await chain.tx(`createPool ${id}`, deployer, uniswap.factory,
			factoryIface.encodeFunctionData('createPool', [t0.address, t1.address, p.fee]));
		const address = ethers.utils.getAddress(await chain.call(uniswap.factory, factoryIface, 'getPool', [t0.address, t1.address, p.fee]));
		await chain.tx(`initialize ${id}`, deployer, address, poolIface.encodeFunctionData('initialize', [sqrtP]));
		const tickSpacing = Number(await chain.call(address, poolIface, 'tickSpacing'));
		const slot0 = await chain.call(address, poolIface, 'slot0');
		contracts[`pool:${id}`] = { address, block: Number(cr.blockNumber), tx: cr.transactionHash, source: lib.UNI.pool };
		pools[id] = {
			id, address, base: p.base, quote: p.quote, token0: t0.address, token1: t1.address,
			symbol0: t0.symbol, symbol1: t1.symbol, decimals0: t0.decimals, decimals1: t1.decimals,
			fee: p.fee, tickSpacing, sqrtPriceX96: slot0.sqrtPriceX96.toBigInt(), tick: slot0.tick,
			price: { quotePerBaseNum: num, quotePerBaseDen: den },
			block: Number(cr.blockNumber), positions: [],
			_spec: p,
		};
	}

	// ---- funding: wrap, mint, approve ----
	const perAccount = {};
	for (const [sym, amt] of Object.entries(FUNDING))
		perAccount[sym] = lib.units(amt, tokens[sym].decimals);
	const spenders = [uniswap.positionManager, uniswap.swapRouter];
	const wethIface = ifaces.WETH;
	// One transaction at a time, in a fixed order, so that a fresh node
	// always puts them in the same blocks.
	for (const a of accounts)
		for (const sym of Object.keys(FUNDING))
			if (sym !== 'WETH')
				await chain.tx(`mint ${sym}`, deployer, tokens[sym].address,
					ifaces[sym].encodeFunctionData('mint', [a, perAccount[sym]]));
	for (const a of accounts) {
		await chain.tx('wrap ether', a, weth, wethIface.encodeFunctionData('deposit'), perAccount.WETH);
		for (const sym of Object.keys(FUNDING))
			for (const s of spenders)
				await chain.tx(`approve ${sym}`, a, tokens[sym].address,
					erc20.encodeFunctionData('approve', [s, lib.MAX_UINT256]));
	}

	// ---- initial liquidity: a full-range and a narrow position per pool ----
	const deadline = lib.MAX_UINT256;
	const spent = {};
	for (const sym of Object.keys(FUNDING))
		spent[sym] = 0n;
	for (const pool of Object.values(pools)) {
		const p = pool._spec;
		const B = tokens[p.base];
		const [lo, hi] = lib.tickBounds(pool.tickSpacing);
		const center = lib.floorTick(pool.tick, pool.tickSpacing);
		const ranges = [
			{ kind: 'full', tickLower: lo, tickUpper: hi, size: p.full },
			{ kind: 'narrow', tickLower: center - p.narrowSpacings * pool.tickSpacing,
			  tickUpper: center + (p.narrowSpacings + 1) * pool.tickSpacing, size: p.narrow },
		];
		for (const r of ranges) {
			const baseAmt = lib.units(r.size, B.decimals);
			const quoteAmt = baseAmt * pool.price.quotePerBaseNum / pool.price.quotePerBaseDen;
			const [a0, a1] = pool.symbol0 === p.base ? [baseAmt, quoteAmt] : [quoteAmt, baseAmt];
			const rc = await chain.tx(`mint position ${pool.id} ${r.kind}`, deployer, uniswap.positionManager,
				npmIface.encodeFunctionData('mint', [{
					token0: pool.token0, token1: pool.token1, fee: pool.fee,
					tickLower: r.tickLower, tickUpper: r.tickUpper,
					amount0Desired: a0, amount1Desired: a1, amount0Min: 0, amount1Min: 0,
					recipient: deployer, deadline,
				}]));
			const ev = rc.logs.map((l) => { try { return npmIface.parseLog(l); } catch (e) { return null; } })
				.find((e) => e && e.name === 'IncreaseLiquidity');
			if (!ev)
				throw new Error(`mint position ${pool.id}: no IncreaseLiquidity event`);
			pool.positions.push({
				kind: r.kind, tokenId: ev.args.tokenId.toBigInt(), owner: deployer,
				tickLower: r.tickLower, tickUpper: r.tickUpper, liquidity: ev.args.liquidity.toBigInt(),
				amount0: ev.args.amount0.toBigInt(), amount1: ev.args.amount1.toBigInt(),
				block: Number(rc.blockNumber),
			});
			spent[pool.symbol0] += ev.args.amount0.toBigInt();
			spent[pool.symbol1] += ev.args.amount1.toBigInt();
		}
		pool.liquidity = (await chain.call(pool.address, poolIface, 'liquidity')).toBigInt();
		delete pool._spec;
	}

	// ---- lending: Morpho Blue, Aave v3, the leverage account (lending.js) ----
	// After everything above, so that the earlier addresses and blocks stay.
	const lend = await lending.deployLending({
		chain, deploy, contracts, deployer, accounts, tokens, mocks, morphoBuild, uniswap,
	});

	// ---- the record ----
	const lstIface = new ethers.utils.Interface(mocks.contracts.MockLST.abi);
	const topics = {};
	const topicOf = (iface, ev) => iface.getEventTopic(ev);
	for (const ev of ['Swap', 'Mint', 'Burn', 'Collect', 'Initialize', 'Flash'])
		topics[ev] = topicOf(poolIface, ev);
	topics.PoolCreated = topicOf(factoryIface, 'PoolCreated');
	topics.Transfer = topicOf(erc20, 'Transfer');
	topics.Approval = topicOf(erc20, 'Approval');
	topics.Deposit = topicOf(wethIface, 'Deposit');
	topics.Withdrawal = topicOf(wethIface, 'Withdrawal');
	topics.IncreaseLiquidity = topicOf(npmIface, 'IncreaseLiquidity');
	topics.DecreaseLiquidity = topicOf(npmIface, 'DecreaseLiquidity');
	topics.CollectPosition = topicOf(npmIface, 'Collect');
	topics.RateUpdated = topicOf(lstIface, 'RateUpdated');
	topics.AnswerUpdated = topicOf(aggIface, 'AnswerUpdated');
	topics.NewRound = topicOf(aggIface, 'NewRound');

	const endBlock = await chain.blockNumber();
	const deployment = {
		chainId, genesisHash, rpcUrl: url, deployer, accounts,
		startBlock, endBlock, transactions: chain.txCount,
		solc: mocks.solc,
		tokens, oracles, uniswap, pools,
		morpho: lend.morpho, aave: lend.aave, leverageAccounts: lend.leverageAccounts,
		funding: { perAccount, deployerLiquidity: spent },
		topics,
		leverageAccountTopics: lend.leverageAccountTopics,
		abis: {
			erc20: 'test/chain/contracts/AmpERC20.sol (AmpERC20)',
			lst: mocks.contracts.MockLST.source + ' (MockLST)',
			oracle: mocks.contracts.MockAggregator.source + ' (MockAggregator)',
			pool: lib.UNI.pool, factory: lib.UNI.factory, positionManager: lib.UNI.positionManager,
			swapRouter: lib.UNI.swapRouter, quoterV2: lib.UNI.quoterV2,
			morpho: morphoBuild.contracts.Morpho.source + ' (Morpho; ABI fragments in test/chain/lending.js)',
			morphoIrm: morphoBuild.contracts.AdaptiveCurveIrm.source,
			morphoOracle: mocks.contracts.MorphoOracleMock.source + ' (MorphoOracleMock)',
			aavePool: '@aave/core-v3/artifacts/contracts/protocol/pool/Pool.sol/Pool.json',
			aaveDataProvider: '@aave/core-v3/artifacts/contracts/misc/AaveProtocolDataProvider.sol/AaveProtocolDataProvider.json',
			leverageAccount: mocks.contracts.AmpLeverageAccount.source + ' (AmpLeverageAccount)',
		},
		contracts,
		notes: 'tokenDescriptor is the real NonfungibleTokenPositionDescriptor (linked to NFTDescriptor), so tokenURI works.',
	};
	const text = lib.toJson(deployment);
	lib.writeFileAtomic(out, text + '\n');
	lib.log(`deploy: ${chain.txCount} transactions, blocks ${startBlock}..${endBlock}, ${((Date.now() - t0) / 1000).toFixed(1)} s; written to ${out}`);
	console.log(text);
}

main().catch((e) => {
	console.error(`deploy: ${e.message}`);
	process.exit(1);
});
