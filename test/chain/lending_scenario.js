#!/usr/bin/env node
// test/chain/lending_scenario.js: scripted lending scenarios on a deployed
// fixture, for test/t/100_lending_fixture.pl. Each subcommand sends its
// transactions (block timestamps pinned with evm_setNextBlockTimestamp where
// interest accrues), reads the chain back and prints one JSON object with
// both what the chain says and what Morpho's / Aave's published math says
// it should be, computed here from the chain's own earlier reads.
//
//   node lending_scenario.js --rpc URL --deployment FILE COMMAND
//
// COMMAND: check | morpho-accrue | morpho-liquidate | morpho-lever |
// aave-lever | non-owner. morpho-liquidate leaves the chain as it found it
// (evm_snapshot / evm_revert); the others leave their positions behind.
//
// For the demo and the strategy tests:
//   fund --owner N --token SYM --amount WHOLE   account N sends WHOLE tokens
//       (18 decimals) to its leverage account
//   depeg --token SYM --bps B    the Morpho oracles of SYM's markets and the
//       Aave feed of SYM price it B bps below its exchange rate
'use strict';

const fs = require('fs');
const lib = require('./lib');
const L = require('./lending');
const { ethers } = lib;

const WAD = 10n ** 18n;
const RAY = 10n ** 27n;
const E36 = 10n ** 36n;
const VS = 10n ** 6n;	// Morpho's virtual shares
const VA = 1n;	// and assets
const MAX = lib.MAX_UINT256;
const DAY = 86400;

// ---- Morpho's math (MathLib, SharesMathLib) ----
const mulDivDown = (x, y, d) => x * y / d;
const mulDivUp = (x, y, d) => (x * y + (d - 1n)) / d;
const wMulDown = (x, y) => x * y / WAD;
const wDivUp = (x, y) => mulDivUp(x, WAD, y);
const toSharesDown = (a, ta, ts) => mulDivDown(a, ts + VS, ta + VA);
const toSharesUp = (a, ta, ts) => mulDivUp(a, ts + VS, ta + VA);
const toAssetsUp = (s, ta, ts) => mulDivUp(s, ta + VA, ts + VS);
const toAssetsDown = (s, ta, ts) => mulDivDown(s, ta + VA, ts + VS);
function wTaylorCompounded(x, n)
{
	const first = x * n;
	const second = mulDivDown(first, first, 2n * WAD);
	const third = mulDivDown(second, first, 3n * WAD);
	return first + second + third;
}
// Aave's WadRayMath (half up).
const rayMul = (a, b) => (a * b + RAY / 2n) / RAY;
const rayDiv = (a, b) => (a * RAY + b / 2n) / b;

const big = (v) => BigInt(v.toString());

async function main()
{
	const opts = lib.parseArgs(process.argv.slice(2));
	const url = opts.rpc || process.env.CHAIN_RPC_URL || 'http://127.0.0.1:8545';
	const dep = JSON.parse(fs.readFileSync(opts.deployment, 'utf8'));
	const cmd = opts._[0];
	const chain = new lib.Chain(url);
	const S = new Scenario(chain, dep);
	const fn = {
		check: () => S.check(), 'morpho-accrue': () => S.morphoAccrue(), 'morpho-liquidate': () => S.morphoLiquidate(),
		'morpho-lever': () => S.morphoLever(), 'aave-lever': () => S.aaveLever(), 'non-owner': () => S.nonOwner(),
		fund: () => S.fund(opts), depeg: () => S.depeg(opts),
	}[cmd];
	if (!fn)
		throw new Error(`unknown command ${cmd}`);
	console.log(lib.toJson(await fn()));
}

class Scenario
{
	constructor(chain, dep)
	{
		this.chain = chain;
		this.dep = dep;
		this.M = new ethers.utils.Interface(L.ABI.morpho);
		this.I = new ethers.utils.Interface(L.ABI.irm);
		this.O = new ethers.utils.Interface(L.ABI.morphoOracle);
		this.P = new ethers.utils.Interface(L.ABI.aavePool);
		this.DP = new ethers.utils.Interface(L.ABI.aaveDataProvider);
		this.AO = new ethers.utils.Interface(L.ABI.aaveOracle);
		this.A = new ethers.utils.Interface(L.ABI.account);
		this.E = new ethers.utils.Interface(['function balanceOf(address) view returns (uint256)',
			'function approve(address, uint256) returns (bool)', 'function allowance(address, address) view returns (uint256)']);
		this.Q = new ethers.utils.Interface(require(lib.UNI.quoterV2).abi);
		this.morpho = dep.morpho.address;
		this.acct = dep.leverageAccounts['7'];
	}

	call(to, iface, fn, args = []) { return this.chain.call(to, iface, fn, args); }

	// Sends fn(args) from `from`, at timestamp ts if given; returns the
	// receipt with its logs parsed by iface (and by the other interfaces).
	async send(what, from, to, iface, fn, args = [], ts)
	{
		if (ts)
			await this.chain.send('evm_setNextBlockTimestamp', [ts]);
		const r = await this.chain.tx(what, from, to, iface.encodeFunctionData(fn, args));
		r.events = [];
		for (const l of r.logs)
			for (const i of [this.M, this.I, this.P, this.A, this.O]) {
				try {
					const p = i.parseLog(l);
					r.events.push({ name: p.name, address: ethers.utils.getAddress(l.address), args: p.args });
					break;
				} catch (e) { /* not this one */ }
			}
		return r;
	}

	ev(r, name, address)
	{
		return r.events.filter((e) => e.name === name && (!address || e.address === ethers.utils.getAddress(address)));
	}

	async now() { return Number((await this.chain.send('eth_getBlockByNumber', ['latest', false])).timestamp); }

	async market(id)
	{
		const m = await this.call(this.morpho, this.M, 'market', [id]);
		return { tsa: big(m.totalSupplyAssets), tss: big(m.totalSupplyShares), tba: big(m.totalBorrowAssets),
			tbs: big(m.totalBorrowShares), lastUpdate: big(m.lastUpdate), fee: big(m.fee) };
	}

	async position(id, user)
	{
		const p = await this.call(this.morpho, this.M, 'position', [id, user]);
		return { supplyShares: big(p.supplyShares), borrowShares: big(p.borrowShares), collateral: big(p.collateral) };
	}

	bal(token, who) { return this.call(token, this.E, 'balanceOf', [who]).then(big); }

	// The market after accrual at time t, by Morpho's formula, from the
	// pre-state and the rate the accrual event reports. Checks the event.
	accrued(pre, t, ev)
	{
		const rate = big(ev.args.prevBorrowRate);
		const elapsed = BigInt(t) - pre.lastUpdate;
		const interest = wMulDown(pre.tba, wTaylorCompounded(rate, elapsed));
		const post = { ...pre, tba: pre.tba + interest, tsa: pre.tsa + interest, lastUpdate: BigInt(t) };
		let feeShares = 0n;
		if (pre.fee) {
			const feeAmount = wMulDown(interest, pre.fee);
			feeShares = toSharesDown(feeAmount, post.tsa - feeAmount, post.tss);
			post.tss += feeShares;
		}
		return { post, rate, elapsed, interest, feeShares,
			event: { interest: big(ev.args.interest), feeShares: big(ev.args.feeShares) } };
	}

	// ---- check: what is deployed ----
	async check()
	{
		const d = this.dep, out = { morpho: {}, aave: {} };
		out.morpho.owner = await this.call(this.morpho, this.M, 'owner');
		out.morpho.feeRecipient = await this.call(this.morpho, this.M, 'feeRecipient');
		out.morpho.irmEnabled = await this.call(this.morpho, this.M, 'isIrmEnabled', [d.morpho.irm]);
		out.morpho.lltvEnabled = {};
		for (const l of d.morpho.lltvs)
			out.morpho.lltvEnabled[l] = await this.call(this.morpho, this.M, 'isLltvEnabled', [l]);
		out.morpho.irmMorpho = await this.call(d.morpho.irm, this.I, 'MORPHO');
		out.morpho.markets = {};
		for (const [k, m] of Object.entries(d.morpho.markets)) {
			const p = await this.call(this.morpho, this.M, 'idToMarketParams', [m.id]);
			const mk = await this.market(m.id);
			out.morpho.markets[k] = {
				idFromParams: L.marketId(m.params),
				idFromAccount: await this.call(this.acct.address, this.A, 'marketId', [L.paramsTuple(m.params)]),
				onChain: { loanToken: p.loanToken, collateralToken: p.collateralToken, oracle: p.oracle, irm: p.irm, lltv: big(p.lltv) },
				market: mk, utilizationBps: mk.tba * 10000n / mk.tsa,
				price: big(await this.call(m.oracle.address, this.O, 'price')),
				rateAtTarget: big(await this.call(d.morpho.irm, this.I, 'rateAtTarget', [m.id])),
				borrowerPosition: await this.position(m.id, m.seed.borrower),
				supplierPosition: await this.position(m.id, m.seed.supplier),
			};
		}
		const a = d.aave;
		out.aave.reservesList = await this.call(a.pool, this.P, 'getReservesList');
		out.aave.flashLoanPremiumTotal = big(await this.call(a.pool, this.P, 'FLASHLOAN_PREMIUM_TOTAL'));
		const e = await this.call(a.pool, this.P, 'getEModeCategoryData', [a.eMode.id]);
		out.aave.eMode = { ltv: e.ltv, liquidationThreshold: e.liquidationThreshold, liquidationBonus: e.liquidationBonus, label: e.label };
		out.aave.baseCurrency = await this.call(a.oracle, this.AO, 'BASE_CURRENCY');
		out.aave.reserves = {};
		for (const [sym, r] of Object.entries(a.reserves)) {
			const t = await this.call(a.dataProvider, this.DP, 'getReserveTokensAddresses', [r.asset]);
			const c = await this.call(a.dataProvider, this.DP, 'getReserveConfigurationData', [r.asset]);
			const rd = await this.call(a.dataProvider, this.DP, 'getReserveData', [r.asset]);
			out.aave.reserves[sym] = {
				aToken: t.aTokenAddress, variableDebtToken: t.variableDebtTokenAddress,
				ltv: big(c.ltv), liquidationThreshold: big(c.liquidationThreshold), liquidationBonus: big(c.liquidationBonus),
				reserveFactor: big(c.reserveFactor), usageAsCollateralEnabled: c.usageAsCollateralEnabled,
				borrowingEnabled: c.borrowingEnabled, isActive: c.isActive,
				eModeCategory: big(await this.call(a.dataProvider, this.DP, 'getReserveEModeCategory', [r.asset])),
				price: big(await this.call(a.oracle, this.AO, 'getAssetPrice', [r.asset])),
				totalAToken: big(rd.totalAToken), totalVariableDebt: big(rd.totalVariableDebt),
				variableBorrowRate: big(rd.variableBorrowRate),
			};
		}
		const acc = this.acct.address;
		out.account = {
			owner: await this.call(acc, this.A, 'owner'), morpho: await this.call(acc, this.A, 'morpho'),
			aavePool: await this.call(acc, this.A, 'aavePool'), swapRouter: await this.call(acc, this.A, 'swapRouter'),
		};
		return out;
	}

	// ---- Morpho: supply, borrow, accrue (with the fee), repay ----
	async morphoAccrue()
	{
		const d = this.dep, m = d.morpho.markets['wstETH/WETH'], p = L.paramsTuple(m.params);
		const lender = d.accounts[8], borrower = d.accounts[9];
		const WETH = d.tokens.WETH.address, wstETH = d.tokens.wstETH.address;
		await this.send('approve', lender, WETH, this.E, 'approve', [this.morpho, MAX]);
		await this.send('approve', borrower, wstETH, this.E, 'approve', [this.morpho, MAX]);
		await this.send('approve', borrower, WETH, this.E, 'approve', [this.morpho, MAX]);
		const out = { steps: {} };
		let t = (await this.now()) + 1000;

		// supply 10 WETH
		let pre = await this.market(m.id);
		const supplyAssets = 10n * WAD;
		let r = await this.send('supply', lender, this.morpho, this.M, 'supply', [p, supplyAssets, 0, lender, '0x'], t);
		let acc = this.accrued(pre, t, this.ev(r, 'AccrueInterest')[0]);
		let sev = this.ev(r, 'Supply')[0];
		out.steps.supply = { ...acc, expectShares: toSharesDown(supplyAssets, acc.post.tsa, acc.post.tss),
			eventShares: big(sev.args.shares), eventAssets: big(sev.args.assets),
			position: await this.position(m.id, lender), market: await this.market(m.id) };
		out.steps.supply.expectMarket = { ...acc.post, tsa: acc.post.tsa + supplyAssets, tss: acc.post.tss + out.steps.supply.expectShares };

		// collateral 50 wstETH and a 20 WETH borrow, an hour later
		t += 3600;
		await this.send('supplyCollateral', borrower, this.morpho, this.M, 'supplyCollateral', [p, 50n * WAD, borrower, '0x'], t);
		pre = await this.market(m.id);
		t += 3600;
		const borrowAssets = 20n * WAD;
		const wethBefore = await this.bal(WETH, borrower);
		r = await this.send('borrow', borrower, this.morpho, this.M, 'borrow', [p, borrowAssets, 0, borrower, borrower], t);
		acc = this.accrued(pre, t, this.ev(r, 'AccrueInterest')[0]);
		const bev = this.ev(r, 'Borrow')[0];
		out.steps.borrow = { ...acc, expectShares: toSharesUp(borrowAssets, acc.post.tba, acc.post.tbs),
			eventShares: big(bev.args.shares), received: (await this.bal(WETH, borrower)) - wethBefore,
			position: await this.position(m.id, borrower) };

		// a day of interest: accrueInterest alone, then the fee recipient's shares
		pre = await this.market(m.id);
		const feeBefore = (await this.position(m.id, d.morpho.feeRecipient)).supplyShares;
		const ratBefore = big(await this.call(d.morpho.irm, this.I, 'rateAtTarget', [m.id]));
		t += DAY;
		r = await this.send('accrueInterest', lender, this.morpho, this.M, 'accrueInterest', [p], t);
		acc = this.accrued(pre, t, this.ev(r, 'AccrueInterest')[0]);
		const bru = this.ev(r, 'BorrowRateUpdate', d.morpho.irm)[0];
		out.steps.accrue = { ...acc, market: await this.market(m.id),
			feeRecipientSharesGained: (await this.position(m.id, d.morpho.feeRecipient)).supplyShares - feeBefore,
			rateAtTargetBefore: ratBefore, rateAtTargetAfter: big(await this.call(d.morpho.irm, this.I, 'rateAtTarget', [m.id])),
			irmAvgBorrowRate: bru ? big(bru.args.avgBorrowRate) : null, gasUsed: big(r.gasUsed) };

		// repay everything by shares
		pre = await this.market(m.id);
		const shares = (await this.position(m.id, borrower)).borrowShares;
		t += 3600;
		r = await this.send('repay', borrower, this.morpho, this.M, 'repay', [p, 0, shares, borrower, '0x'], t);
		acc = this.accrued(pre, t, this.ev(r, 'AccrueInterest')[0]);
		const rev = this.ev(r, 'Repay')[0];
		out.steps.repay = { ...acc, shares, expectAssets: toAssetsUp(shares, acc.post.tba, acc.post.tbs),
			eventAssets: big(rev.args.assets), position: await this.position(m.id, borrower) };
		return out;
	}

	// ---- Morpho: a liquidation after the oracle drops (then reverted) ----
	async morphoLiquidate()
	{
		const d = this.dep, m = d.morpho.markets['weETH/WETH'], p = L.paramsTuple(m.params);
		const liquidator = d.accounts[8], borrower = m.seed.borrower;
		const WETH = d.tokens.WETH.address, weETH = d.tokens.weETH.address;
		const snap = await this.chain.send('evm_snapshot', []);
		const out = {};
		try {
			await this.send('approve', liquidator, WETH, this.E, 'approve', [this.morpho, MAX]);
			const seized = 50n * WAD;
			out.healthyError = await this.revertText(liquidator, this.morpho, this.M, 'liquidate', [p, borrower, seized, 0, '0x']);
			const price = 6n * E36 / 10n;
			const r0 = await this.send('setPrice', d.deployer, m.oracle.address, this.O, 'setPrice', [price]);
			out.priceEvent = big(this.ev(r0, 'PriceUpdated')[0].args.newPrice);
			const pre = await this.market(m.id);
			const pos0 = await this.position(m.id, borrower);
			const w0 = await this.bal(WETH, liquidator), c0 = await this.bal(weETH, liquidator);
			const t = (await this.now()) + 600;
			const r = await this.send('liquidate', liquidator, this.morpho, this.M, 'liquidate', [p, borrower, seized, 0, '0x'], t);
			const acc = this.accrued(pre, t, this.ev(r, 'AccrueInterest')[0]);
			const lif = (() => {
				const f = WAD * WAD / (WAD - wMulDown(3n * WAD / 10n, WAD - big(m.params.lltv)));
				return f < 115n * WAD / 100n ? f : 115n * WAD / 100n;
			})();
			const repaidShares = toSharesUp(wDivUp(mulDivUp(seized, price, E36), lif), acc.post.tba, acc.post.tbs);
			const repaidAssets = toAssetsUp(repaidShares, acc.post.tba, acc.post.tbs);
			const lev = this.ev(r, 'Liquidate')[0];
			const pos1 = await this.position(m.id, borrower);
			Object.assign(out, {
				accrue: acc, lif, expect: { repaidShares, repaidAssets, seized },
				event: { repaidShares: big(lev.args.repaidShares), repaidAssets: big(lev.args.repaidAssets), seizedAssets: big(lev.args.seizedAssets) },
				collateralDrop: pos0.collateral - pos1.collateral, borrowSharesDrop: pos0.borrowShares - pos1.borrowShares,
				liquidatorWethSpent: w0 - (await this.bal(WETH, liquidator)),
				liquidatorWeethGained: (await this.bal(weETH, liquidator)) - c0,
			});
		} finally {
			out.reverted = await this.chain.send('evm_revert', [snap]);
		}
		out.priceAfterRevert = big(await this.call(m.oracle.address, this.O, 'price'));
		return out;
	}

	// eth_call of fn from `from`: the revert's decoded reason (custom errors
	// of the account, Morpho's strings), or null when it does not revert.
	async revertText(from, to, iface, fn, args)
	{
		try {
			await this.chain.send('eth_call', [{ from, to, data: iface.encodeFunctionData(fn, args) }, 'latest']);
			return null;
		} catch (e) {
			let data = null, msg = lib.rpcErrorText(e);
			try {
				const j = JSON.parse(e.body || (e.error && e.error.body));
				data = j.error && j.error.data;
			} catch (x) { /* no body */ }
			if (typeof data === 'string' && data.startsWith('0x') && data.length >= 10) {
				try {
					const pe = this.A.parseError(data);
					return `${pe.name}(${pe.args.map(String).join(',')})`;
				} catch (x) { /* not the account's */ }
				if (data.startsWith('0x08c379a0'))
					return ethers.utils.defaultAbiCoder.decode(['string'], '0x' + data.slice(10))[0];
			}
			return msg;
		}
	}

	async quote(tokenIn, tokenOut, amountIn, fee)
	{
		const q = await this.call(this.dep.uniswap.quoterV2, this.Q, 'quoteExactInputSingle',
			[{ tokenIn, tokenOut, amountIn, fee, sqrtPriceLimitX96: 0 }]);
		return big(q.amountOut);
	}

	// ---- the leverage account on Morpho: lever, a day, full delever ----
	async morphoLever()
	{
		const d = this.dep, m = d.morpho.markets['wstETH/WETH'], p = L.paramsTuple(m.params);
		const owner = this.acct.owner, acc = this.acct.address;
		const WETH = d.tokens.WETH.address, wstETH = d.tokens.wstETH.address;
		const out = {};
		const deposit = 5n * WAD, flash = 10n * WAD, fee = 500;
		await this.send('approve', owner, wstETH, this.E, 'approve', [acc, MAX]);
		let r = await this.send('deposit', owner, acc, this.A, 'deposit', [wstETH, deposit]);
		out.deposited = big(this.ev(r, 'Deposited')[0].args.amount);
		const minOut = await this.quote(WETH, wstETH, flash, fee);
		let t = (await this.now()) + 100;
		const pre = await this.market(m.id);
		r = await this.send('morphoLever', owner, acc, this.A, 'morphoLever', [p, flash, minOut, fee], t);
		const ac = this.accrued(pre, t, this.ev(r, 'AccrueInterest')[0]);
		const lv = this.ev(r, 'MorphoLevered')[0];
		const bw = this.ev(r, 'Borrow')[0];
		const pos = await this.position(m.id, acc);
		const mk = await this.market(m.id);
		const price = big(await this.call(m.oracle.address, this.O, 'price'));
		out.lever = {
			gasUsed: big(r.gasUsed), minOut, collateralOut: big(lv.args.collateralOut), collateralSupplied: big(lv.args.collateralSupplied),
			eventBorrowShares: big(lv.args.borrowShares), flashAssets: big(lv.args.flashAssets),
			borrowEventAssets: big(bw.args.assets), borrowEventShares: big(bw.args.shares),
			expectShares: toSharesUp(flash, ac.post.tba, ac.post.tbs),
			flashLoans: this.ev(r, 'FlashLoan').length,
			position: pos, debtAssetsUp: toAssetsUp(pos.borrowShares, mk.tba, mk.tbs),
			maxBorrow: wMulDown(mulDivDown(pos.collateral, price, E36), big(m.params.lltv)),
			accountWeth: await this.bal(WETH, acc), accountWsteth: await this.bal(wstETH, acc),
		};
		// a day later, unwind everything by shares
		t += DAY;
		await this.chain.send('evm_setNextBlockTimestamp', [t]);
		await this.chain.send('evm_mine', []);
		const minLoanOut = await this.quote(wstETH, WETH, pos.collateral, fee);
		const ownerWeth0 = await this.bal(WETH, owner);
		r = await this.send('morphoDelever', owner, acc, this.A, 'morphoDelever', [p, MAX, MAX, minLoanOut, fee], t + 1);
		const dv = this.ev(r, 'MorphoDelevered')[0];
		const rp = this.ev(r, 'Repay')[0];
		const pos2 = await this.position(m.id, acc);
		out.delever = {
			gasUsed: big(r.gasUsed), minLoanOut, loanOut: big(dv.args.loanOut), repaidAssets: big(dv.args.repaidAssets),
			repaidShares: big(dv.args.repaidShares), collateralWithdrawn: big(dv.args.collateralWithdrawn),
			repayEventAssets: big(rp.args.assets), repayEventShares: big(rp.args.shares),
			position: pos2, accountWeth: await this.bal(WETH, acc), accountWsteth: await this.bal(wstETH, acc),
		};
		r = await this.send('withdraw', owner, acc, this.A, 'withdraw', [WETH, MAX, owner]);
		out.withdrawn = { amount: big(this.ev(r, 'Withdrawn')[0].args.amount), ownerGained: (await this.bal(WETH, owner)) - ownerWeth0,
			accountWeth: await this.bal(WETH, acc) };
		return out;
	}

	// ---- the leverage account on Aave: e-mode, lever, a day, full delever ----
	async aaveLever()
	{
		const d = this.dep, a = d.aave;
		const owner = this.acct.owner, acc = this.acct.address;
		const WETH = d.tokens.WETH.address, wstETH = d.tokens.wstETH.address;
		const rW = a.reserves.WETH, rS = a.reserves.wstETH;
		const out = {};
		const deposit = 5n * WAD, flash = 10n * WAD, fee = 3000;
		let r = await this.send('aaveSetEMode', owner, acc, this.A, 'aaveSetEMode', [a.eMode.id]);
		out.eMode = { event: this.ev(r, 'UserEModeSet').map((e) => Number(e.args.categoryId)),
			user: big(await this.call(a.pool, this.P, 'getUserEMode', [acc])) };
		await this.send('approve', owner, wstETH, this.E, 'approve', [acc, MAX]);
		await this.send('deposit', owner, acc, this.A, 'deposit', [wstETH, deposit]);
		const minOut = await this.quote(WETH, wstETH, flash, fee);
		let t = (await this.now()) + 100;
		r = await this.send('aaveLever', owner, acc, this.A, 'aaveLever', [wstETH, WETH, flash, minOut, fee], t);
		const lv = this.ev(r, 'AaveLevered')[0];
		const bw = this.ev(r, 'Borrow', a.pool)[0];
		const rdW = await this.call(a.pool, this.P, 'getReserveData', [WETH]);
		const rdS = await this.call(a.pool, this.P, 'getReserveData', [wstETH]);
		const ud = await this.call(a.dataProvider, this.DP, 'getUserReserveData', [WETH, acc]);
		const us = await this.call(a.dataProvider, this.DP, 'getUserReserveData', [wstETH, acc]);
		const ad = await this.call(a.pool, this.P, 'getUserAccountData', [acc]);
		const supplied = big(lv.args.collateralSupplied);
		out.lever = {
			gasUsed: big(r.gasUsed), minOut, collateralOut: big(lv.args.collateralOut), collateralSupplied: supplied,
			borrowEventAmount: big(bw.args.amount), borrowEventMode: Number(bw.args.interestRateMode),
			variableDebt: big(ud.currentVariableDebt), scaledVariableDebt: big(ud.scaledVariableDebt),
			expectScaledDebt: rayDiv(flash, big(rdW.variableBorrowIndex)),
			expectVariableDebt: rayMul(rayDiv(flash, big(rdW.variableBorrowIndex)), big(rdW.variableBorrowIndex)),
			aTokenBalance: big(us.currentATokenBalance), usageAsCollateral: us.usageAsCollateralEnabled,
			expectATokenBalance: rayMul(rayDiv(supplied, big(rdS.liquidityIndex)), big(rdS.liquidityIndex)),
			ltv: big(ad.ltv), liquidationThreshold: big(ad.currentLiquidationThreshold), healthFactor: big(ad.healthFactor),
			flashLoans: this.ev(r, 'FlashLoan').length,
		};
		t += DAY;
		await this.chain.send('evm_setNextBlockTimestamp', [t]);
		await this.chain.send('evm_mine', []);
		const debtBefore = big((await this.call(a.dataProvider, this.DP, 'getUserReserveData', [WETH, acc])).currentVariableDebt);
		const aBal = big((await this.call(a.dataProvider, this.DP, 'getUserReserveData', [wstETH, acc])).currentATokenBalance);
		const minLoanOut = await this.quote(wstETH, WETH, aBal, fee);
		const weth0 = await this.bal(WETH, acc);
		r = await this.send('aaveDelever', owner, acc, this.A, 'aaveDelever', [wstETH, WETH, MAX, MAX, minLoanOut, fee], t);
		const dv = this.ev(r, 'AaveDelevered')[0];
		const rp = this.ev(r, 'Repay', a.pool)[0];
		const ud2 = await this.call(a.dataProvider, this.DP, 'getUserReserveData', [WETH, acc]);
		const us2 = await this.call(a.dataProvider, this.DP, 'getUserReserveData', [wstETH, acc]);
		out.delever = {
			gasUsed: big(r.gasUsed), debtAtPreviousBlock: debtBefore, aTokenAtPreviousBlock: aBal, minLoanOut,
			repaidAssets: big(dv.args.repaidAssets), repayEventAmount: big(rp.args.amount),
			collateralWithdrawn: big(dv.args.collateralWithdrawn), loanOut: big(dv.args.loanOut),
			variableDebt: big(ud2.currentVariableDebt), scaledVariableDebt: big(ud2.scaledVariableDebt),
			aTokenBalance: big(us2.currentATokenBalance),
			variableDebtTokenBalance: await this.bal(rW.variableDebtToken, acc), aTokenBalanceOf: await this.bal(rS.aToken, acc),
			accountWethGained: (await this.bal(WETH, acc)) - weth0,
		};
		out.eModeAfter = big(await this.call(a.pool, this.P, 'getUserEMode', [acc]));
		return out;
	}

	// ---- nobody but the owner ----
	// Account N sends `amount` whole tokens to its leverage account.
	async fund(opts)
	{
		const acct = this.dep.leverageAccounts[String(opts.owner)];
		if (!acct)
			throw new Error(`account ${opts.owner} has no leverage account`);
		const token = this.dep.tokens[opts.token];
		if (!token)
			throw new Error(`no token ${opts.token}`);
		const amount = ethers.utils.parseUnits(String(opts.amount), token.decimals);
		const T = new ethers.utils.Interface(['function transfer(address, uint256) returns (bool)']);
		await this.send(`fund ${opts.token}`, acct.owner, token.address, T, 'transfer', [acct.address, amount]);
		return { account: acct.address, token: token.address, balance: (await this.bal(token.address, acct.address)).toString() };
	}

	// The oracles of a token (its Morpho markets' and its Aave feed) at bps
	// below its exchange rate.
	async depeg(opts)
	{
		const sym = opts.token;
		const token = this.dep.tokens[sym];
		const bps = BigInt(opts.bps);
		const L2 = new ethers.utils.Interface(['function stEthPerToken() view returns (uint256)']);
		const rate = big(await this.call(token.address, L2, 'stEthPerToken'));
		const price = rate * (10000n - bps) / 10000n;
		const deployer = this.dep.accounts[0];
		const out = { token: token.address, rate: rate.toString(), price: price.toString(), morpho: [], aave: null };
		for (const m of Object.values(this.dep.morpho.markets))
			if (ethers.utils.getAddress(m.params.collateralToken) === ethers.utils.getAddress(token.address)) {
				// collateral in loan token, 1e36 scale (both 18 decimals)
				await this.send(`depeg ${m.id}`, deployer, m.oracle.address, this.O, 'setPrice', [price * 10n ** 18n]);
				out.morpho.push(m.oracle.address);
			}
		const feed = this.dep.aave.oracles[`${sym}/ETH`];
		if (feed) {
			const F = new ethers.utils.Interface(['function setAnswer(int256)']);
			await this.send(`depeg aave ${sym}`, deployer, feed.address, F, 'setAnswer', [price]);
			out.aave = feed.address;
		}
		return out;
	}

	async nonOwner()
	{
		const d = this.dep, acc = this.acct.address, other = d.accounts[8];
		const m = d.morpho.markets['wstETH/WETH'], p = L.paramsTuple(m.params);
		const WETH = d.tokens.WETH.address, wstETH = d.tokens.wstETH.address;
		const tries = {
			deposit: ['deposit', [WETH, 1n]],
			withdraw: ['withdraw', [WETH, 1n, other]],
			morphoSupplyCollateral: ['morphoSupplyCollateral', [p, 1n]],
			morphoWithdrawCollateral: ['morphoWithdrawCollateral', [p, 1n, other]],
			morphoLever: ['morphoLever', [p, WAD, 0, 500]],
			morphoDelever: ['morphoDelever', [p, MAX, MAX, 0, 500]],
			aaveSetEMode: ['aaveSetEMode', [1]],
			aaveLever: ['aaveLever', [wstETH, WETH, WAD, 0, 3000]],
			aaveDelever: ['aaveDelever', [wstETH, WETH, MAX, MAX, 0, 3000]],
		};
		const out = { other, calls: {} };
		for (const [k, [fn, args]] of Object.entries(tries))
			out.calls[k] = await this.revertText(other, acc, this.A, fn, args);
		// the callback straight from an account, and from Morpho with no action pending
		const cb = new ethers.utils.Interface(['function onMorphoFlashLoan(uint256 assets, bytes data)']);
		out.callbackDirect = await this.revertText(other, acc, cb, 'onMorphoFlashLoan', [1n, '0x']);
		out.callbackFromMorpho = await this.revertText(this.morpho, acc, cb, 'onMorphoFlashLoan', [1n, '0x']);
		// a real transaction by another account fails and leaves the owner's position
		const before = await this.position(m.id, acc);
		let sent;
		try {
			await this.chain.tx('morphoLever by another account', other, acc, this.A.encodeFunctionData('morphoLever', [p, WAD, 0, 500]));
			sent = 'succeeded';
		} catch (e) {
			sent = e.message;
		}
		out.sendError = sent;
		out.positionUnchanged = JSON.stringify(before, (k, v) => typeof v === 'bigint' ? v.toString() : v)
			=== JSON.stringify(await this.position(m.id, acc), (k, v) => typeof v === 'bigint' ? v.toString() : v);
		return out;
	}
}

main().catch((e) => {
	console.error(`lending_scenario: ${e.stack || e.message}`);
	process.exit(1);
});
