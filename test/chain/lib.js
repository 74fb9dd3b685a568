// test/chain/lib.js: what compile.js, deploy.js, traffic.js and call.js
// share: where the build directory is, the JSON-RPC connection to anvil,
// sending transactions from the node's unlocked accounts and waiting for
// their receipts, published artifacts, and the bits of Uniswap v3 price
// arithmetic the fixture needs (BigInt, exact where it matters).
'use strict';

const fs = require('fs');
const os = require('os');
const path = require('path');
const { ethers } = require('ethers');

const CHAIN_DIR = __dirname;
const REPO_BUILD_DIR = path.join(CHAIN_DIR, 'build');

// ---- directories ----

// True if dir exists and is writable, or can be created.
function writableDir(dir)
{
	try {
		fs.mkdirSync(dir, { recursive: true });
		fs.accessSync(dir, fs.constants.W_OK);
		return true;
	} catch (e) {
		return false;
	}
}

// The build directories to look in for a compile cache, most specific first:
// AMP_CHAIN_BUILD_DIR, test/chain/build, a per-user directory under the
// system's temp directory.
function buildDirs()
{
	const uid = typeof process.getuid === 'function' ? process.getuid() : 'u';
	const dirs = [];
	if (process.env.AMP_CHAIN_BUILD_DIR)
		dirs.push(path.resolve(process.env.AMP_CHAIN_BUILD_DIR));
	dirs.push(REPO_BUILD_DIR);
	dirs.push(path.join(os.tmpdir(), `amplified-chain-build-${uid}`));
	return dirs;
}

// The directory to write to: AMP_CHAIN_BUILD_DIR if set (it must be
// writable), else test/chain/build if writable, else the temp one.
function writableBuildDir()
{
	if (process.env.AMP_CHAIN_BUILD_DIR) {
		const d = path.resolve(process.env.AMP_CHAIN_BUILD_DIR);
		if (!writableDir(d))
			throw new Error(`AMP_CHAIN_BUILD_DIR "${d}" is not writable`);
		return d;
	}
	for (const d of buildDirs())
		if (writableDir(d))
			return d;
	throw new Error('no writable build directory (set AMP_CHAIN_BUILD_DIR)');
}

// Writes a file atomically (temp file + rename), so a concurrent reader
// never sees half of it.
function writeFileAtomic(file, text)
{
	fs.mkdirSync(path.dirname(file), { recursive: true });
	const tmp = `${file}.${process.pid}.tmp`;
	fs.writeFileSync(tmp, text);
	fs.renameSync(tmp, file);
}

// ---- command line ----

// Parses "--name value", "--name=value", bare "--flag" and positionals.
// flags lists the options that take no value.
function parseArgs(argv, flags = [])
{
	const opts = { _: [] };
	for (let i = 0; i < argv.length; i++) {
		const a = argv[i];
		if (!a.startsWith('--')) {
			opts._.push(a);
			continue;
		}
		const eq = a.indexOf('=');
		const name = a.slice(2, eq < 0 ? undefined : eq);
		if (eq >= 0)
			opts[name] = a.slice(eq + 1);
		else if (flags.includes(name))
			opts[name] = true;
		else if (i + 1 < argv.length)
			opts[name] = argv[++i];
		else
			throw new Error(`option --${name} needs a value`);
	}
	return opts;
}

// ---- the node ----

// A small JSON-RPC client for anvil: calls, transactions from unlocked
// accounts, receipts.
class Chain
{
	constructor(url)
	{
		this.url = url;
		this.provider = new ethers.providers.StaticJsonRpcProvider(
			{ url, timeout: 60000 }, { chainId: 31337, name: 'anvil' });
		this.provider.pollingInterval = 50;
		this.txCount = 0;
		this.selfMine = false;	// evm_mine after every transaction
	}

	// True if the node mines a block for each transaction on arrival
	// (anvil_getAutomine; a node without it is taken to automine).
	async automine()
	{
		try {
			return !!(await this.send('anvil_getAutomine'));
		} catch (e) {
			return true;
		}
	}

	send(method, params = []) { return this.provider.send(method, params); }

	async chainId() { return Number(await this.send('eth_chainId')); }

	async blockNumber() { return Number(await this.send('eth_blockNumber')); }

	async accounts() { return (await this.send('eth_accounts')).map(ethers.utils.getAddress); }

	// Sends a transaction from an unlocked account (anvil fills in the gas
	// and the nonce) and waits for its receipt; a revert is an exception
	// naming what, and the revert reason when anvil gives one.
	async tx(what, from, to, data, value)
	{
		const t = { from, data };
		if (to)
			t.to = to;
		if (value)
			t.value = ethers.BigNumber.from(value).toHexString();
		let hash;
		try {
			// Estimated on the latest block, but mined in a later one: a Uniswap
			// pool writes an oracle observation only when the block's timestamp
			// has moved on, so the estimate can be short. Hence the margin.
			const est = BigInt(await this.send('eth_estimateGas', [t]));
			t.gas = ethers.utils.hexValue(est * 13n / 10n + 50000n);
			hash = await this.send('eth_sendTransaction', [t]);
			if (this.selfMine)
				await this.send('evm_mine', []);
		} catch (e) {
			throw new Error(`${what}: ${rpcErrorText(e)}`);
		}
		const receipt = await this.receipt(hash);
		if (Number(receipt.status) !== 1) {
			// Replay it as a call on the state before its block for the reason.
			let why = '';
			try {
				await this.send('eth_call', [t, ethers.utils.hexValue(Number(receipt.blockNumber) - 1)]);
			} catch (e) {
				why = `: ${rpcErrorText(e)}`;
			}
			throw new Error(`${what}: reverted in block ${Number(receipt.blockNumber)} (tx ${hash})${why}`);
		}
		this.txCount++;
		return receipt;
	}

	// Waits for a receipt: at once under automine, polled under interval
	// mining.
	async receipt(hash, timeoutMs = 120000)
	{
		const t0 = Date.now();
		for (;;) {
			const r = await this.send('eth_getTransactionReceipt', [hash]);
			if (r && r.blockNumber)
				return r;
			if (Date.now() - t0 > timeoutMs)
				throw new Error(`no receipt for ${hash} after ${timeoutMs} ms (is the node mining? with automine off and no --block-time, traffic.js needs --mine)`);
			await new Promise((res) => setTimeout(res, 50));
		}
	}

	// Calls fn on a contract at the latest block and returns the decoded
	// result (a single value unwrapped).
	async call(address, iface, fn, args = [], blockTag = 'latest')
	{
		const data = iface.encodeFunctionData(fn, args);
		let ret;
		try {
			ret = await this.send('eth_call', [{ to: address, data }, blockTag]);
		} catch (e) {
			throw new Error(`call ${fn} on ${address}: ${rpcErrorText(e)}`);
		}
		const out = iface.decodeFunctionResult(fn, ret);
		return out.length === 1 ? out[0] : out;
	}

	// Deploys an artifact ({abi, bytecode}) with constructor args; returns
	// {address, block, tx}.
	async deploy(what, from, artifact, args = [])
	{
		const iface = new ethers.utils.Interface(artifact.abi);
		const data = ethers.utils.hexConcat([artifact.bytecode, iface.encodeDeploy(args)]);
		const r = await this.tx(`deploy ${what}`, from, null, data);
		return {
			address: ethers.utils.getAddress(r.contractAddress),
			block: Number(r.blockNumber),
			tx: r.transactionHash,
		};
	}
}

// The message of a JSON-RPC error as ethers wraps it.
function rpcErrorText(e)
{
	let body = e.body || (e.error && e.error.body);
	if (body) {
		try {
			const j = JSON.parse(body);
			if (j.error)
				return j.error.message + (j.error.data ? ` (data ${JSON.stringify(j.error.data)})` : '');
		} catch (x) { /* fall through */ }
	}
	return e.reason || e.message || String(e);
}

// ---- artifacts ----

// A published artifact by package path, e.g.
// "@uniswap/v3-core/artifacts/contracts/UniswapV3Factory.sol/UniswapV3Factory.json".
function published(rel)
{
	const a = require(rel);
	return { abi: a.abi, bytecode: a.bytecode, linkReferences: a.linkReferences || {}, source: rel };
}

// Replaces a library's placeholders in an artifact's bytecode with its
// address, at the offsets the artifact's linkReferences give.
function link(artifact, libraries)
{
	let code = artifact.bytecode.replace(/^0x/, '');
	for (const [file, libs] of Object.entries(artifact.linkReferences || {})) {
		for (const [lib, refs] of Object.entries(libs)) {
			const addr = libraries[lib] || libraries[`${file}:${lib}`];
			if (!addr)
				throw new Error(`link: no address for library ${lib}`);
			for (const { start, length } of refs) {
				code = code.slice(0, start * 2) + addr.replace(/^0x/, '').toLowerCase()
					+ code.slice((start + length) * 2);
			}
		}
	}
	if (code.includes('__$'))
		throw new Error('link: unlinked placeholders remain');
	return { ...artifact, bytecode: '0x' + code, linkReferences: {} };
}

const UNI = {
	factory: '@uniswap/v3-core/artifacts/contracts/UniswapV3Factory.sol/UniswapV3Factory.json',
	pool: '@uniswap/v3-core/artifacts/contracts/UniswapV3Pool.sol/UniswapV3Pool.json',
	positionManager: '@uniswap/v3-periphery/artifacts/contracts/NonfungiblePositionManager.sol/NonfungiblePositionManager.json',
	swapRouter: '@uniswap/v3-periphery/artifacts/contracts/SwapRouter.sol/SwapRouter.json',
	quoterV2: '@uniswap/v3-periphery/artifacts/contracts/lens/QuoterV2.sol/QuoterV2.json',
	tickLens: '@uniswap/v3-periphery/artifacts/contracts/lens/TickLens.sol/TickLens.json',
	nftDescriptor: '@uniswap/v3-periphery/artifacts/contracts/libraries/NFTDescriptor.sol/NFTDescriptor.json',
	tokenDescriptor: '@uniswap/v3-periphery/artifacts/contracts/NonfungibleTokenPositionDescriptor.sol/NonfungibleTokenPositionDescriptor.json',
};
const OZ = {
	erc20PresetMinterPauser: '@openzeppelin/contracts/build/contracts/ERC20PresetMinterPauser.json',
};

// ---- Uniswap v3 price arithmetic (BigInt) ----

const Q96 = 1n << 96n;
const Q192 = 1n << 192n;
const MIN_TICK = -887272;
const MAX_TICK = 887272;
const MAX_UINT128 = (1n << 128n) - 1n;
const MAX_UINT256 = (1n << 256n) - 1n;

// floor(sqrt(n)) for a BigInt n >= 0 (Newton's method).
function isqrt(n)
{
	if (n < 0n)
		throw new Error('isqrt of a negative number');
	if (n < 2n)
		return n;
	let x = BigInt('0x1' + '0'.repeat(Math.ceil(n.toString(16).length / 2)));
	for (;;) {
		const y = (x + n / x) >> 1n;
		if (y >= x)
			return x;
		x = y;
	}
}

// sqrtPriceX96 for a price of num/den raw units of token1 per raw unit of
// token0: floor(sqrt(num / den) * 2^96).
function sqrtPriceX96(num, den)
{
	return isqrt((BigInt(num) << 192n) / BigInt(den));
}

// The same price as 1e18-scaled raw token1 per raw token0 (rounded down).
function priceE18(sqrtP)
{
	const s = BigInt(sqrtP);
	return (s * s * 10n ** 18n) >> 192n;
}

// An approximate sqrtPriceX96 at a tick, good for a swap's price limit
// (not for anything that needs TickMath's exact result).
function approxSqrtPriceAtTick(tick)
{
	return BigInt(Math.floor(Math.pow(1.0001, tick / 2) * 2 ** 96));
}

// The lowest and highest usable ticks for a tick spacing.
function tickBounds(spacing)
{
	return [Math.ceil(MIN_TICK / spacing) * spacing, Math.floor(MAX_TICK / spacing) * spacing];
}

// The tick rounded down to a multiple of spacing.
function floorTick(tick, spacing)
{
	return Math.floor(tick / spacing) * spacing;
}

// ---- misc ----

function units(x, decimals) { return ethers.utils.parseUnits(String(x), decimals).toBigInt(); }

// JSON.stringify with BigInt and BigNumber values as decimal strings.
function toJson(v)
{
	return JSON.stringify(v, (k, x) => {
		if (typeof x === 'bigint')
			return x.toString();
		if (x && x.type === 'BigNumber' && x.hex)
			return BigInt(x.hex).toString();
		return x;
	}, 2);
}

function log(...a) { if (!process.env.AMP_QUIET) console.error(...a); }

module.exports = {
	CHAIN_DIR, REPO_BUILD_DIR, buildDirs, writableBuildDir, writableDir, writeFileAtomic,
	parseArgs, Chain, rpcErrorText, published, link, UNI, OZ,
	Q96, Q192, MIN_TICK, MAX_TICK, MAX_UINT128, MAX_UINT256,
	isqrt, sqrtPriceX96, priceE18, approxSqrtPriceAtTick, tickBounds, floorTick,
	units, toJson, log, ethers,
};
