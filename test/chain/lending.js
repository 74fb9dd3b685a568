// test/chain/lending.js: the lending part of the chain fixture: Morpho Blue
// (with the AdaptiveCurveIrm, one MorphoOracleMock per market, two markets
// against WETH), a minimal Aave v3 market (WETH, wstETH, weETH, an
// ETH-correlated e-mode), and amplified's AmpLeverageAccount for anvil
// account 7. deploy.js calls deployLending() after the Uniswap part; other
// scripts use the ABI fragments and marketId().
//
//   const L = require('./lending');
//   L.marketId({loanToken, collateralToken, oracle, irm, lltv})   bytes32 hex
//   new ethers.utils.Interface(L.ABI.morpho)                        etc.
'use strict';

const lib = require('./lib');
const { ethers } = lib;

const E18 = 10n ** 18n;
const RAY = 10n ** 27n;

// ---- ABI fragments (ethers human-readable) ----

const MARKET_PARAMS = 'tuple(address loanToken, address collateralToken, address oracle, address irm, uint256 lltv)';

const ABI = {
	morpho: [
		`function idToMarketParams(bytes32 id) view returns (address loanToken, address collateralToken, address oracle, address irm, uint256 lltv)`,
		'function market(bytes32 id) view returns (uint128 totalSupplyAssets, uint128 totalSupplyShares, uint128 totalBorrowAssets, uint128 totalBorrowShares, uint128 lastUpdate, uint128 fee)',
		'function position(bytes32 id, address user) view returns (uint256 supplyShares, uint128 borrowShares, uint128 collateral)',
		'function owner() view returns (address)',
		'function feeRecipient() view returns (address)',
		'function isIrmEnabled(address) view returns (bool)',
		'function isLltvEnabled(uint256) view returns (bool)',
		'function isAuthorized(address, address) view returns (bool)',
		'function enableIrm(address irm)',
		'function enableLltv(uint256 lltv)',
		'function setFeeRecipient(address newFeeRecipient)',
		`function setFee(${MARKET_PARAMS} marketParams, uint256 newFee)`,
		`function createMarket(${MARKET_PARAMS} marketParams)`,
		`function supply(${MARKET_PARAMS} marketParams, uint256 assets, uint256 shares, address onBehalf, bytes data) returns (uint256, uint256)`,
		`function withdraw(${MARKET_PARAMS} marketParams, uint256 assets, uint256 shares, address onBehalf, address receiver) returns (uint256, uint256)`,
		`function borrow(${MARKET_PARAMS} marketParams, uint256 assets, uint256 shares, address onBehalf, address receiver) returns (uint256, uint256)`,
		`function repay(${MARKET_PARAMS} marketParams, uint256 assets, uint256 shares, address onBehalf, bytes data) returns (uint256, uint256)`,
		`function supplyCollateral(${MARKET_PARAMS} marketParams, uint256 assets, address onBehalf, bytes data)`,
		`function withdrawCollateral(${MARKET_PARAMS} marketParams, uint256 assets, address onBehalf, address receiver)`,
		`function liquidate(${MARKET_PARAMS} marketParams, address borrower, uint256 seizedAssets, uint256 repaidShares, bytes data) returns (uint256, uint256)`,
		`function accrueInterest(${MARKET_PARAMS} marketParams)`,
		'function flashLoan(address token, uint256 assets, bytes data)',
		'event CreateMarket(bytes32 indexed id, tuple(address loanToken, address collateralToken, address oracle, address irm, uint256 lltv) marketParams)',
		'event Supply(bytes32 indexed id, address indexed caller, address indexed onBehalf, uint256 assets, uint256 shares)',
		'event Withdraw(bytes32 indexed id, address caller, address indexed onBehalf, address indexed receiver, uint256 assets, uint256 shares)',
		'event Borrow(bytes32 indexed id, address caller, address indexed onBehalf, address indexed receiver, uint256 assets, uint256 shares)',
		'event Repay(bytes32 indexed id, address indexed caller, address indexed onBehalf, uint256 assets, uint256 shares)',
		'event SupplyCollateral(bytes32 indexed id, address indexed caller, address indexed onBehalf, uint256 assets)',
		'event WithdrawCollateral(bytes32 indexed id, address caller, address indexed onBehalf, address indexed receiver, uint256 assets)',
		'event Liquidate(bytes32 indexed id, address indexed caller, address indexed borrower, uint256 repaidAssets, uint256 repaidShares, uint256 seizedAssets, uint256 badDebtAssets, uint256 badDebtShares)',
		'event AccrueInterest(bytes32 indexed id, uint256 prevBorrowRate, uint256 interest, uint256 feeShares)',
		'event SetFee(bytes32 indexed id, uint256 newFee)',
		'event FlashLoan(address indexed caller, address indexed token, uint256 assets)',
	],
	irm: [
		`function borrowRateView(${MARKET_PARAMS} marketParams, tuple(uint128 totalSupplyAssets, uint128 totalSupplyShares, uint128 totalBorrowAssets, uint128 totalBorrowShares, uint128 lastUpdate, uint128 fee) market) view returns (uint256)`,
		'function rateAtTarget(bytes32 id) view returns (int256)',
		'function MORPHO() view returns (address)',
		'event BorrowRateUpdate(bytes32 indexed id, uint256 avgBorrowRate, uint256 rateAtTarget)',
	],
	morphoOracle: [
		'function price() view returns (uint256)',
		'function owner() view returns (address)',
		'function setPrice(uint256 newPrice)',
		'event PriceUpdated(uint256 previousPrice, uint256 newPrice, uint256 updatedAt)',
	],
	aavePool: [
		'function supply(address asset, uint256 amount, address onBehalfOf, uint16 referralCode)',
		'function withdraw(address asset, uint256 amount, address to) returns (uint256)',
		'function borrow(address asset, uint256 amount, uint256 interestRateMode, uint16 referralCode, address onBehalfOf)',
		'function repay(address asset, uint256 amount, uint256 interestRateMode, address onBehalfOf) returns (uint256)',
		'function liquidationCall(address collateralAsset, address debtAsset, address user, uint256 debtToCover, bool receiveAToken)',
		'function setUserEMode(uint8 categoryId)',
		'function getUserEMode(address user) view returns (uint256)',
		'function getUserAccountData(address user) view returns (uint256 totalCollateralBase, uint256 totalDebtBase, uint256 availableBorrowsBase, uint256 currentLiquidationThreshold, uint256 ltv, uint256 healthFactor)',
		'function getReserveData(address asset) view returns (tuple(uint256 configuration, uint128 liquidityIndex, uint128 currentLiquidityRate, uint128 variableBorrowIndex, uint128 currentVariableBorrowRate, uint128 currentStableBorrowRate, uint40 lastUpdateTimestamp, uint16 id, address aTokenAddress, address stableDebtTokenAddress, address variableDebtTokenAddress, address interestRateStrategyAddress, uint128 accruedToTreasury, uint128 unbacked, uint128 isolationModeTotalDebt))',
		'function getEModeCategoryData(uint8 id) view returns (tuple(uint16 ltv, uint16 liquidationThreshold, uint16 liquidationBonus, address priceSource, string label))',
		'function getReservesList() view returns (address[])',
		'function FLASHLOAN_PREMIUM_TOTAL() view returns (uint128)',
		'event Supply(address indexed reserve, address user, address indexed onBehalfOf, uint256 amount, uint16 indexed referralCode)',
		'event Withdraw(address indexed reserve, address indexed user, address indexed to, uint256 amount)',
		'event Borrow(address indexed reserve, address user, address indexed onBehalfOf, uint256 amount, uint8 interestRateMode, uint256 borrowRate, uint16 indexed referralCode)',
		'event Repay(address indexed reserve, address indexed user, address indexed repayer, uint256 amount, bool useATokens)',
		'event ReserveDataUpdated(address indexed reserve, uint256 liquidityRate, uint256 stableBorrowRate, uint256 variableBorrowRate, uint256 liquidityIndex, uint256 variableBorrowIndex)',
		'event UserEModeSet(address indexed user, uint8 categoryId)',
		'event LiquidationCall(address indexed collateralAsset, address indexed debtAsset, address indexed user, uint256 debtToCover, uint256 liquidatedCollateralAmount, address liquidator, bool receiveAToken)',
	],
	aaveDataProvider: [
		'function getReserveTokensAddresses(address asset) view returns (address aTokenAddress, address stableDebtTokenAddress, address variableDebtTokenAddress)',
		'function getReserveConfigurationData(address asset) view returns (uint256 decimals, uint256 ltv, uint256 liquidationThreshold, uint256 liquidationBonus, uint256 reserveFactor, bool usageAsCollateralEnabled, bool borrowingEnabled, bool stableBorrowRateEnabled, bool isActive, bool isFrozen)',
		'function getReserveEModeCategory(address asset) view returns (uint256)',
		'function getReserveCaps(address asset) view returns (uint256 borrowCap, uint256 supplyCap)',
		'function getUserReserveData(address asset, address user) view returns (uint256 currentATokenBalance, uint256 currentStableDebt, uint256 currentVariableDebt, uint256 principalStableDebt, uint256 scaledVariableDebt, uint256 stableBorrowRate, uint256 liquidityRate, uint40 stableRateLastUpdated, bool usageAsCollateralEnabled)',
		'function getReserveData(address asset) view returns (uint256 unbacked, uint256 accruedToTreasuryScaled, uint256 totalAToken, uint256 totalStableDebt, uint256 totalVariableDebt, uint256 liquidityRate, uint256 variableBorrowRate, uint256 stableBorrowRate, uint256 averageStableBorrowRate, uint256 liquidityIndex, uint256 variableBorrowIndex, uint40 lastUpdateTimestamp)',
	],
	aaveOracle: [
		'function getAssetPrice(address asset) view returns (uint256)',
		'function BASE_CURRENCY() view returns (address)',
		'function BASE_CURRENCY_UNIT() view returns (uint256)',
	],
	account: [
		'function owner() view returns (address)',
		'function morpho() view returns (address)',
		'function aavePool() view returns (address)',
		'function swapRouter() view returns (address)',
		`function marketId(${MARKET_PARAMS} mp) pure returns (bytes32)`,
		'function deposit(address token, uint256 amount)',
		'function withdraw(address token, uint256 amount, address to)',
		`function morphoSupplyCollateral(${MARKET_PARAMS} mp, uint256 amount)`,
		`function morphoWithdrawCollateral(${MARKET_PARAMS} mp, uint256 amount, address to)`,
		`function morphoLever(${MARKET_PARAMS} mp, uint256 flashAssets, uint256 minCollateralOut, uint24 poolFee)`,
		`function morphoDelever(${MARKET_PARAMS} mp, uint256 repayShares, uint256 withdrawCollateral, uint256 minLoanOut, uint24 poolFee)`,
		'function aaveSetEMode(uint8 categoryId)',
		'function aaveLever(address collateral, address debt, uint256 flashAssets, uint256 minCollateralOut, uint24 poolFee)',
		'function aaveDelever(address collateral, address debt, uint256 repayAssets, uint256 withdrawCollateral, uint256 minLoanOut, uint24 poolFee)',
		'event Deposited(address indexed token, uint256 amount)',
		'event Withdrawn(address indexed token, uint256 amount, address to)',
		'event MorphoCollateralSupplied(bytes32 indexed id, uint256 assets)',
		'event MorphoCollateralWithdrawn(bytes32 indexed id, uint256 assets, address to)',
		'event MorphoLevered(bytes32 indexed id, uint256 flashAssets, uint256 collateralOut, uint256 collateralSupplied, uint256 borrowShares)',
		'event MorphoDelevered(bytes32 indexed id, uint256 repaidAssets, uint256 repaidShares, uint256 collateralWithdrawn, uint256 loanOut)',
		'event AaveEModeSet(uint8 categoryId)',
		'event AaveLevered(address indexed collateral, address indexed debt, uint256 flashAssets, uint256 collateralOut, uint256 collateralSupplied)',
		'event AaveDelevered(address indexed collateral, address indexed debt, uint256 repaidAssets, uint256 collateralWithdrawn, uint256 loanOut)',
		'error NotOwner(address caller)',
		'error NotMorpho(address caller)',
		'error NoFlashPending()',
		'error NothingToRepay()',
		'error InsufficientOut(uint256 got, uint256 needed)',
		'error TokenCallFailed(address token)',
	],
};

// Morpho's market id: keccak256(abi.encode(loanToken, collateralToken,
// oracle, irm, lltv)), as 0x-hex.
function marketId(p)
{
	return ethers.utils.keccak256(ethers.utils.defaultAbiCoder.encode(
		['address', 'address', 'address', 'address', 'uint256'],
		[p.loanToken, p.collateralToken, p.oracle, p.irm, BigInt(p.lltv).toString()]));
}

// The params as the 5-tuple ethers encodes.
function paramsTuple(p)
{
	return [p.loanToken, p.collateralToken, p.oracle, p.irm, BigInt(p.lltv).toString()];
}

// ---- what is deployed ----

const LLTVS = [945000000000000000n, 860000000000000000n];

// Morpho markets: collateral against WETH, oracle price = the token's rate
// (1e36 scale; both tokens have 18 decimals). fee: Morpho's fee (1e18 =
// 100 %). seed: WETH supplied by account 5, collateral (minted) put up by
// account 6, which borrows (and unwraps what it borrowed, so the ERC-20
// balances of both stay what funding gave them).
const MORPHO_MARKETS = [
	{ id: 'wstETH/WETH', collateral: 'wstETH', loan: 'WETH', lltv: 945000000000000000n, fee: 100000000000000000n,
	  seed: { supply: '500', collateral: '400', borrow: '300' } },
	{ id: 'weETH/WETH', collateral: 'weETH', loan: 'WETH', lltv: 860000000000000000n, fee: 0n,
	  seed: { supply: '300', collateral: '300', borrow: '180' } },
];

// Aave reserves. ltv, liquidationThreshold, liquidationBonus in basis
// points; caps in whole tokens; strategy: which rate strategy.
const AAVE_RESERVES = [
	{ sym: 'WETH', ltv: 8000, liquidationThreshold: 8250, liquidationBonus: 10500, borrowing: true, reserveFactor: 1500,
	  supplyCap: 100000, borrowCap: 50000, strategy: 'weth' },
	{ sym: 'wstETH', ltv: 7800, liquidationThreshold: 8100, liquidationBonus: 10600, borrowing: false, reserveFactor: 1000,
	  supplyCap: 50000, borrowCap: 0, strategy: 'lst' },
	{ sym: 'weETH', ltv: 7250, liquidationThreshold: 7500, liquidationBonus: 10750, borrowing: false, reserveFactor: 1000,
	  supplyCap: 50000, borrowCap: 0, strategy: 'lst' },
];
// Rays: optimal usage, base, slope 1, slope 2 (variable); stable off.
const AAVE_STRATEGIES = {
	weth: { optimalUsageRatio: 90n * RAY / 100n, baseVariableBorrowRate: 0n, variableRateSlope1: 27n * RAY / 1000n, variableRateSlope2: 80n * RAY / 100n },
	lst: { optimalUsageRatio: 45n * RAY / 100n, baseVariableBorrowRate: 0n, variableRateSlope1: 7n * RAY / 100n, variableRateSlope2: 3n * RAY },
};
const AAVE_EMODE = { id: 1, ltv: 9300, liquidationThreshold: 9500, liquidationBonus: 10100, label: 'ETH correlated', assets: ['WETH', 'wstETH', 'weETH'] };
const AAVE_SEED = { supply: '500', collateralSym: 'wstETH', collateral: '400', borrow: '300' };
const AAVE_MARKET_ID = 'Amplified fixture';

const AAVE = (p) => `@aave/core-v3/artifacts/contracts/${p}`;
const AAVE_ART = {
	provider: AAVE('protocol/configuration/PoolAddressesProvider.sol/PoolAddressesProvider.json'),
	acl: AAVE('protocol/configuration/ACLManager.sol/ACLManager.json'),
	pool: AAVE('protocol/pool/Pool.sol/Pool.json'),
	configurator: AAVE('protocol/pool/PoolConfigurator.sol/PoolConfigurator.json'),
	strategy: AAVE('protocol/pool/DefaultReserveInterestRateStrategy.sol/DefaultReserveInterestRateStrategy.json'),
	oracle: AAVE('misc/AaveOracle.sol/AaveOracle.json'),
	dataProvider: AAVE('misc/AaveProtocolDataProvider.sol/AaveProtocolDataProvider.json'),
	aToken: AAVE('protocol/tokenization/AToken.sol/AToken.json'),
	variableDebtToken: AAVE('protocol/tokenization/VariableDebtToken.sol/VariableDebtToken.json'),
	stableDebtToken: AAVE('protocol/tokenization/StableDebtToken.sol/StableDebtToken.json'),
};
// The libraries linked into Pool and PoolConfigurator, in deployment order
// (FlashLoanLogic links BorrowLogic).
const AAVE_LIBS = ['BorrowLogic', 'BridgeLogic', 'EModeLogic', 'LiquidationLogic', 'PoolLogic', 'SupplyLogic',
	'FlashLoanLogic', 'ConfiguratorLogic'];
const aaveLibPath = (n) => AAVE(`protocol/libraries/logic/${n}.sol/${n}.json`);

const LEVERAGE_OWNERS = [6, 7, 8];	// anvil accounts that get an AmpLeverageAccount

// Deploys the lending part. ctx: {chain, deploy(name, artifact, args),
// contracts, deployer, accounts, tokens, ifaces, mocks, morphoBuild,
// uniswap}. Returns {morpho, aave, leverageAccounts} for the deployment.
async function deployLending(ctx)
{
	const { chain, deploy, contracts, deployer, accounts, tokens, mocks, morphoBuild, uniswap } = ctx;
	const erc20 = new ethers.utils.Interface(mocks.contracts.AmpERC20.abi);
	const wethIface = new ethers.utils.Interface(mocks.contracts.MockWETH9.abi);
	const supplier = accounts[5], borrower = accounts[6];
	const WETH = tokens.WETH.address;
	const tx = (what, from, to, iface, fn, args, value) => chain.tx(what, from, to, iface.encodeFunctionData(fn, args), value);

	// ---- Morpho Blue ----
	const M = new ethers.utils.Interface(morphoBuild.contracts.Morpho.abi);
	const morphoArt = { ...morphoBuild.contracts.Morpho, source: morphoBuild.contracts.Morpho.source };
	const morpho = await deploy('morpho:blue', morphoArt, [deployer]);
	const irm = await deploy('morpho:adaptiveCurveIrm', morphoBuild.contracts.AdaptiveCurveIrm, [morpho]);
	await tx('enableIrm', deployer, morpho, M, 'enableIrm', [irm]);
	for (const l of LLTVS)
		await tx(`enableLltv ${l}`, deployer, morpho, M, 'enableLltv', [l]);
	await tx('setFeeRecipient', deployer, morpho, M, 'setFeeRecipient', [deployer]);
	const markets = {};
	for (const m of MORPHO_MARKETS) {
		const price = tokens[m.collateral].rate * 10n ** 18n
			* 10n ** BigInt(tokens[m.loan].decimals) / 10n ** BigInt(tokens[m.collateral].decimals);
		const key = m.id.replace('/', '-');
		const oracle = await deploy(`morpho:oracle:${key}`, mocks.contracts.MorphoOracleMock, [price]);
		const params = { loanToken: tokens[m.loan].address, collateralToken: tokens[m.collateral].address, oracle, irm, lltv: m.lltv };
		const r = await tx(`createMarket ${m.id}`, deployer, morpho, M, 'createMarket', [paramsTuple(params)]);
		const id = marketId(params);
		const onChain = await chain.call(morpho, M, 'idToMarketParams', [id]);
		if (ethers.utils.getAddress(onChain.collateralToken) !== params.collateralToken)
			throw new Error(`createMarket ${m.id}: idToMarketParams(${id}) does not answer the params`);
		if (m.fee)
			await tx(`setFee ${m.id}`, deployer, morpho, M, 'setFee', [paramsTuple(params), m.fee]);
		markets[m.id] = {
			id, params, loan: m.loan, collateral: m.collateral, lltv: m.lltv, fee: m.fee,
			oracle: { address: oracle, price, source: mocks.contracts.MorphoOracleMock.source },
			block: Number(r.blockNumber), _m: m,
		};
	}

	// ---- Aave v3 ----
	const A = {};
	for (const [k, p] of Object.entries(AAVE_ART))
		A[k] = lib.published(p);
	const libs = {};
	for (const n of AAVE_LIBS)
		libs[n] = await deploy(`aave:lib:${n}`, lib.link(lib.published(aaveLibPath(n)), libs), []);
	const providerIface = new ethers.utils.Interface(A.provider.abi);
	const aclIface = new ethers.utils.Interface(A.acl.abi);
	const cfgIface = new ethers.utils.Interface(A.configurator.abi);
	const poolIface = new ethers.utils.Interface(A.pool.abi);
	const aave = { marketId: AAVE_MARKET_ID, libraries: libs };
	aave.addressesProvider = await deploy('aave:addressesProvider', A.provider, [AAVE_MARKET_ID, deployer]);
	await tx('aave setACLAdmin', deployer, aave.addressesProvider, providerIface, 'setACLAdmin', [deployer]);
	aave.aclManager = await deploy('aave:aclManager', A.acl, [aave.addressesProvider]);
	await tx('aave setACLManager', deployer, aave.addressesProvider, providerIface, 'setACLManager', [aave.aclManager]);
	await tx('aave addPoolAdmin', deployer, aave.aclManager, aclIface, 'addPoolAdmin', [deployer]);
	aave.poolImpl = await deploy('aave:poolImpl', lib.link(A.pool, libs), [aave.addressesProvider]);
	let r = await tx('aave setPoolImpl', deployer, aave.addressesProvider, providerIface, 'setPoolImpl', [aave.poolImpl]);
	aave.pool = ethers.utils.getAddress(await chain.call(aave.addressesProvider, providerIface, 'getPool'));
	contracts['aave:pool'] = { address: aave.pool, block: Number(r.blockNumber), tx: r.transactionHash, source: `${AAVE_ART.pool} (proxy)` };
	aave.poolConfiguratorImpl = await deploy('aave:poolConfiguratorImpl', lib.link(A.configurator, libs), []);
	r = await tx('aave setPoolConfiguratorImpl', deployer, aave.addressesProvider, providerIface, 'setPoolConfiguratorImpl', [aave.poolConfiguratorImpl]);
	aave.poolConfigurator = ethers.utils.getAddress(await chain.call(aave.addressesProvider, providerIface, 'getPoolConfigurator'));
	contracts['aave:poolConfigurator'] = { address: aave.poolConfigurator, block: Number(r.blockNumber), tx: r.transactionHash, source: `${AAVE_ART.configurator} (proxy)` };

	// The oracle: ETH base (WETH is the base currency, unit 1e18); the LSTs
	// priced by their own 18-decimal Chainlink-style mocks at their rates.
	aave.baseCurrency = WETH;
	aave.baseCurrencyUnit = E18;
	aave.oracles = {};
	const aggIface = new ethers.utils.Interface(mocks.contracts.MockAggregator.abi);
	for (const sym of ['wstETH', 'weETH']) {
		const id = `${sym}/ETH`;
		const address = await deploy(`aave:oracle:${id}`, mocks.contracts.MockAggregator, [18, `${sym} / ETH (Aave)`, tokens[sym].rate]);
		aave.oracles[id] = { address, decimals: 18, description: `${sym} / ETH (Aave)`, answer: tokens[sym].rate, asset: sym, source: mocks.contracts.MockAggregator.source };
	}
	aave.oracle = await deploy('aave:oracle', A.oracle, [aave.addressesProvider,
		[tokens.wstETH.address, tokens.weETH.address], [aave.oracles['wstETH/ETH'].address, aave.oracles['weETH/ETH'].address],
		ethers.constants.AddressZero, WETH, E18]);
	await tx('aave setPriceOracle', deployer, aave.addressesProvider, providerIface, 'setPriceOracle', [aave.oracle]);
	aave.dataProvider = await deploy('aave:dataProvider', A.dataProvider, [aave.addressesProvider]);
	await tx('aave setPoolDataProvider', deployer, aave.addressesProvider, providerIface, 'setPoolDataProvider', [aave.dataProvider]);
	aave.implementations = {
		aToken: await deploy('aave:aTokenImpl', A.aToken, [aave.pool]),
		variableDebtToken: await deploy('aave:variableDebtTokenImpl', A.variableDebtToken, [aave.pool]),
		stableDebtToken: await deploy('aave:stableDebtTokenImpl', A.stableDebtToken, [aave.pool]),
	};
	aave.rateStrategies = {};
	for (const [k, s] of Object.entries(AAVE_STRATEGIES)) {
		const address = await deploy(`aave:rateStrategy:${k}`, A.strategy, [aave.addressesProvider,
			s.optimalUsageRatio, s.baseVariableBorrowRate, s.variableRateSlope1, s.variableRateSlope2,
			0, 0, 0, 0, 20n * RAY / 100n]);
		aave.rateStrategies[k] = { address, ...s };
	}
	const initInput = AAVE_RESERVES.map((c) => ({
		aTokenImpl: aave.implementations.aToken, stableDebtTokenImpl: aave.implementations.stableDebtToken,
		variableDebtTokenImpl: aave.implementations.variableDebtToken, underlyingAssetDecimals: tokens[c.sym].decimals,
		interestRateStrategyAddress: aave.rateStrategies[c.strategy].address, underlyingAsset: tokens[c.sym].address,
		treasury: deployer, incentivesController: ethers.constants.AddressZero,
		aTokenName: `Aave Amp ${c.sym}`, aTokenSymbol: `aAmp${c.sym}`,
		variableDebtTokenName: `Aave Amp Variable Debt ${c.sym}`, variableDebtTokenSymbol: `variableDebtAmp${c.sym}`,
		stableDebtTokenName: `Aave Amp Stable Debt ${c.sym}`, stableDebtTokenSymbol: `stableDebtAmp${c.sym}`,
		params: '0x',
	}));
	const ri = await tx('aave initReserves', deployer, aave.poolConfigurator, cfgIface, 'initReserves', [initInput]);
	await tx('aave setEModeCategory', deployer, aave.poolConfigurator, cfgIface, 'setEModeCategory',
		[AAVE_EMODE.id, AAVE_EMODE.ltv, AAVE_EMODE.liquidationThreshold, AAVE_EMODE.liquidationBonus, ethers.constants.AddressZero, AAVE_EMODE.label]);
	const dpIface = new ethers.utils.Interface(ABI.aaveDataProvider);
	aave.reserves = {};
	for (const c of AAVE_RESERVES) {
		const asset = tokens[c.sym].address;
		await tx(`aave configureReserveAsCollateral ${c.sym}`, deployer, aave.poolConfigurator, cfgIface, 'configureReserveAsCollateral',
			[asset, c.ltv, c.liquidationThreshold, c.liquidationBonus]);
		if (c.borrowing)
			await tx(`aave setReserveBorrowing ${c.sym}`, deployer, aave.poolConfigurator, cfgIface, 'setReserveBorrowing', [asset, true]);
		await tx(`aave setReserveFactor ${c.sym}`, deployer, aave.poolConfigurator, cfgIface, 'setReserveFactor', [asset, c.reserveFactor]);
		await tx(`aave setSupplyCap ${c.sym}`, deployer, aave.poolConfigurator, cfgIface, 'setSupplyCap', [asset, c.supplyCap]);
		if (c.borrowCap)
			await tx(`aave setBorrowCap ${c.sym}`, deployer, aave.poolConfigurator, cfgIface, 'setBorrowCap', [asset, c.borrowCap]);
		await tx(`aave setAssetEModeCategory ${c.sym}`, deployer, aave.poolConfigurator, cfgIface, 'setAssetEModeCategory', [asset, AAVE_EMODE.id]);
		const t = await chain.call(aave.dataProvider, dpIface, 'getReserveTokensAddresses', [asset]);
		const rd = await chain.call(aave.pool, poolIface, 'getReserveData', [asset]);
		aave.reserves[c.sym] = {
			asset, symbol: c.sym, decimals: tokens[c.sym].decimals, id: rd.id,
			aToken: ethers.utils.getAddress(t.aTokenAddress), variableDebtToken: ethers.utils.getAddress(t.variableDebtTokenAddress),
			stableDebtToken: ethers.utils.getAddress(t.stableDebtTokenAddress),
			rateStrategy: aave.rateStrategies[c.strategy].address,
			ltv: c.ltv, liquidationThreshold: c.liquidationThreshold, liquidationBonus: c.liquidationBonus,
			borrowingEnabled: c.borrowing, reserveFactor: c.reserveFactor, supplyCap: c.supplyCap, borrowCap: c.borrowCap,
			eModeCategory: AAVE_EMODE.id,
			priceSource: c.sym === 'WETH' ? null : aave.oracles[`${c.sym}/ETH`].address,
		};
		for (const k of ['aToken', 'variableDebtToken', 'stableDebtToken'])
			contracts[`aave:${k}:${c.sym}`] = { address: aave.reserves[c.sym][k], block: Number(ri.blockNumber), tx: ri.transactionHash, source: `${AAVE_ART[k]} (proxy)` };
	}
	await tx('aave updateFlashloanPremiumTotal', deployer, aave.poolConfigurator, cfgIface, 'updateFlashloanPremiumTotal', [0]);
	aave.eMode = { ...AAVE_EMODE, priceSource: null };
	aave.flashLoanPremiumTotal = 0;

	// ---- seeds: liquidity and a borrow in every market ----
	const mint = (sym, to, amt) => tx(`mint ${sym}`, deployer, tokens[sym].address, erc20, 'mint', [to, amt]);
	const approve = (from, sym, spender) => tx(`approve ${sym}`, from, tokens[sym].address, erc20, 'approve', [spender, lib.MAX_UINT256]);
	await approve(supplier, 'WETH', morpho);
	for (const sym of ['wstETH', 'weETH'])
		await approve(borrower, sym, morpho);
	for (const mk of Object.values(markets)) {
		const s = mk._m.seed;
		const p = paramsTuple(mk.params);
		const sup = lib.units(s.supply, 18), coll = lib.units(s.collateral, 18), bor = lib.units(s.borrow, 18);
		await tx('wrap ether', supplier, WETH, wethIface, 'deposit', [], sup);
		await tx(`supply ${mk.loan} to ${mk._m.id}`, supplier, morpho, M, 'supply', [p, sup, 0, supplier, '0x']);
		await mint(mk.collateral, borrower, coll);
		await tx(`supplyCollateral ${mk._m.id}`, borrower, morpho, M, 'supplyCollateral', [p, coll, borrower, '0x']);
		await tx(`borrow ${mk._m.id}`, borrower, morpho, M, 'borrow', [p, bor, 0, borrower, borrower]);
		await tx('unwrap ether', borrower, WETH, wethIface, 'withdraw', [bor]);
		mk.seed = { supplier, supplyAssets: sup, borrower, collateral: coll, borrowAssets: bor };
		delete mk._m;
	}
	{
		const sup = lib.units(AAVE_SEED.supply, 18), coll = lib.units(AAVE_SEED.collateral, 18), bor = lib.units(AAVE_SEED.borrow, 18);
		await approve(supplier, 'WETH', aave.pool);
		await approve(borrower, AAVE_SEED.collateralSym, aave.pool);
		await tx('wrap ether', supplier, WETH, wethIface, 'deposit', [], sup);
		await tx('aave supply WETH', supplier, aave.pool, poolIface, 'supply', [WETH, sup, supplier, 0]);
		await mint(AAVE_SEED.collateralSym, borrower, coll);
		await tx(`aave supply ${AAVE_SEED.collateralSym}`, borrower, aave.pool, poolIface, 'supply', [tokens[AAVE_SEED.collateralSym].address, coll, borrower, 0]);
		await tx('aave borrow WETH', borrower, aave.pool, poolIface, 'borrow', [WETH, bor, 2, 0, borrower]);
		await tx('unwrap ether', borrower, WETH, wethIface, 'withdraw', [bor]);
		aave.seed = { supplier, supplyAsset: 'WETH', supplyAssets: sup, borrower, collateralAsset: AAVE_SEED.collateralSym, collateral: coll, borrowAsset: 'WETH', borrowAssets: bor };
	}

	// ---- leverage accounts ----
	const leverageAccounts = {};
	for (const i of LEVERAGE_OWNERS) {
		const owner = accounts[i];
		const address = await deploy(`leverageAccount:${i}`, mocks.contracts.AmpLeverageAccount, [owner, morpho, aave.pool, uniswap.swapRouter]);
		leverageAccounts[String(i)] = { address, owner, ownerIndex: i, morpho, aavePool: aave.pool, swapRouter: uniswap.swapRouter,
			block: contracts[`leverageAccount:${i}`].block, source: mocks.contracts.AmpLeverageAccount.source };
	}

	// ---- topics ----
	const mi = new ethers.utils.Interface(ABI.morpho), pi = new ethers.utils.Interface(ABI.aavePool);
	const ai = new ethers.utils.Interface(ABI.account), oi = new ethers.utils.Interface(ABI.morphoOracle);
	const ii = new ethers.utils.Interface(ABI.irm);
	const topicsOf = (iface, names) => Object.fromEntries(names.map((n) => [n, iface.getEventTopic(n)]));
	const morphoOut = {
		address: morpho, owner: deployer, feeRecipient: deployer, irm, lltvs: LLTVS,
		solc: morphoBuild.solc, source: morphoBuild.contracts.Morpho.source, irmSource: morphoBuild.contracts.AdaptiveCurveIrm.source,
		block: contracts['morpho:blue'].block, markets,
		topics: {
			...topicsOf(mi, ['CreateMarket', 'Supply', 'Withdraw', 'Borrow', 'Repay', 'SupplyCollateral', 'WithdrawCollateral', 'Liquidate', 'AccrueInterest', 'SetFee', 'FlashLoan']),
			...topicsOf(ii, ['BorrowRateUpdate']), ...topicsOf(oi, ['PriceUpdated']),
		},
	};
	aave.topics = topicsOf(pi, ['Supply', 'Withdraw', 'Borrow', 'Repay', 'ReserveDataUpdated', 'UserEModeSet', 'LiquidationCall']);
	aave.block = contracts['aave:addressesProvider'].block;
	const accountTopics = topicsOf(ai, ['Deposited', 'Withdrawn', 'MorphoCollateralSupplied', 'MorphoCollateralWithdrawn', 'MorphoLevered', 'MorphoDelevered', 'AaveEModeSet', 'AaveLevered', 'AaveDelevered']);
	return { morpho: morphoOut, aave, leverageAccounts, leverageAccountTopics: accountTopics };
}

module.exports = {
	ABI, MARKET_PARAMS, marketId, paramsTuple, deployLending,
	MORPHO_MARKETS, AAVE_RESERVES, AAVE_EMODE, LLTVS, LEVERAGE_OWNERS,
};
