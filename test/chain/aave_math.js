// test/chain/aave_math.js: a BigInt port of the Aave v3 math of
// @aave/core-v3 1.19.3, written from the Solidity (not @aave/math-utils,
// which rounds differently): WadRayMath, PercentageMath, MathUtils,
// ReserveLogic's normalized income and debt, the default interest rate
// strategy's calculateInterestRates, GenericLogic's account data arithmetic
// and LiquidationLogic's debt and collateral amounts.
//
// Where the contract reverts, a function throws an AaveError whose sqlstate
// is what the SQL functions raise: 22003 for an overflow (the libraries'
// assembly checks and Solidity 0.8's checked arithmetic), 22012 for a
// division by zero.  The arguments the SQL functions refuse before any
// arithmetic (a timestamp outside uint40, a reserve factor above 100 %, ...)
// throw 22023 from check* helpers, which the generators call; a chain test
// can treat any AaveError as "the contract reverts".
'use strict';

const MAX = (1n << 256n) - 1n;
const WAD = 10n ** 18n;
const HALF_WAD = WAD / 2n;
const RAY = 10n ** 27n;
const HALF_RAY = RAY / 2n;
const WAD_RAY_RATIO = 10n ** 9n;
const PERCENTAGE_FACTOR = 10000n;
const HALF_PERCENTAGE_FACTOR = 5000n;
const SECONDS_PER_YEAR = 31536000n;
const DEFAULT_LIQUIDATION_CLOSE_FACTOR = 5000n;
const MAX_LIQUIDATION_CLOSE_FACTOR = 10000n;
const CLOSE_FACTOR_HF_THRESHOLD = 95n * 10n ** 16n;
const HEALTH_FACTOR_LIQUIDATION_THRESHOLD = WAD;
const MAX_UINT40 = (1n << 40n) - 1n;

class AaveError extends Error {
	constructor(sqlstate, what) {
		super(`${what} (${sqlstate})`);
		this.sqlstate = sqlstate;
	}
}
const overflow = (what) => { throw new AaveError('22003', what); };
const divZero = (what) => { throw new AaveError('22012', what); };
const badArg = (what) => { throw new AaveError('22023', what); };

// Solidity 0.8 checked arithmetic on uint256.
const add = (a, b) => (a + b > MAX ? overflow('add') : a + b);
const sub = (a, b) => (a < b ? overflow('sub') : a - b);
const mul = (a, b) => (a * b > MAX ? overflow('mul') : a * b);
const div = (a, b) => (b === 0n ? divZero('div') : a / b);

// ---- WadRayMath and PercentageMath (their assembly's tests, verbatim) ----
function mulHalfUp(a, b, half, unit, what) {
	if (!(b === 0n || !(a > (MAX - half) / b)))
		overflow(what);
	return (a * b + half) / unit;
}
function divHalfUp(a, b, unit, what) {
	if (b === 0n)
		divZero(what);
	if (a > (MAX - b / 2n) / unit)
		overflow(what);
	return (a * unit + b / 2n) / b;
}
const rayMul = (a, b) => mulHalfUp(a, b, HALF_RAY, RAY, 'rayMul');
const rayDiv = (a, b) => divHalfUp(a, b, RAY, 'rayDiv');
const wadMul = (a, b) => mulHalfUp(a, b, HALF_WAD, WAD, 'wadMul');
const wadDiv = (a, b) => divHalfUp(a, b, WAD, 'wadDiv');
const percentMul = (v, p) => mulHalfUp(v, p, HALF_PERCENTAGE_FACTOR, PERCENTAGE_FACTOR, 'percentMul');
const percentDiv = (v, p) => divHalfUp(v, p, PERCENTAGE_FACTOR, 'percentDiv');
function wadToRay(a) {
	const b = (a * WAD_RAY_RATIO) & MAX;
	if (b / WAD_RAY_RATIO !== a)
		overflow('wadToRay');
	return b;
}
function rayToWad(a) {
	let b = a / WAD_RAY_RATIO;
	if (!(a % WAD_RAY_RATIO < WAD_RAY_RATIO / 2n))
		b += 1n;
	return b;
}

// ---- MathUtils and ReserveLogic ----

// The SQL functions' checks on the timestamps: last is a uint40, now >= last.
function checkTimestamps(last, now) {
	if (last < 0n || last > MAX_UINT40)
		overflow('last timestamp out of range for uint40');
	if (now < last)
		badArg('now before last');
}

function linearInterest(rate, last, now) {
	const result = mul(rate, sub(now, last)) / SECONDS_PER_YEAR;
	return add(RAY, result);
}

function compoundedInterest(rate, last, now) {
	const exp = sub(now, last);
	if (exp === 0n)
		return RAY;
	const expMinusOne = exp - 1n;
	const expMinusTwo = exp > 2n ? exp - 2n : 0n;
	const basePowerTwo = rayMul(rate, rate) / (SECONDS_PER_YEAR * SECONDS_PER_YEAR);
	const basePowerThree = rayMul(basePowerTwo, rate) / SECONDS_PER_YEAR;
	const secondTerm = mul(mul(exp, expMinusOne), basePowerTwo) / 2n;
	const thirdTerm = mul(mul(mul(exp, expMinusOne), expMinusTwo), basePowerThree) / 6n;
	return add(add(add(RAY, mul(rate, exp) / SECONDS_PER_YEAR), secondTerm), thirdTerm);
}

function normalizedIncome(index, rate, last, now) {
	if (last === now)
		return index;
	return rayMul(linearInterest(rate, last, now), index);
}

function normalizedDebt(index, rate, last, now) {
	if (last === now)
		return index;
	return rayMul(compoundedInterest(rate, last, now), index);
}

// ---- DefaultReserveInterestRateStrategy ----

// s: { optimalUsageRatio, baseVariableBorrowRate, variableRateSlope1,
// variableRateSlope2, stableRateSlope1, stableRateSlope2,
// baseStableRateOffset, stableRateExcessOffset, optimalStableToTotalDebtRatio }
function checkStrategy(s) {
	if (s.optimalUsageRatio > RAY)
		badArg('INVALID_OPTIMAL_USAGE_RATIO');
	if (s.optimalStableToTotalDebtRatio > RAY)
		badArg('INVALID_OPTIMAL_STABLE_TO_TOTAL_DEBT_RATIO');
}

function overallBorrowRate(totalStableDebt, totalVariableDebt, currentVariableBorrowRate,
	currentAverageStableBorrowRate) {
	const totalDebt = add(totalStableDebt, totalVariableDebt);
	if (totalDebt === 0n)
		return 0n;
	const weightedVariableRate = rayMul(wadToRay(totalVariableDebt), currentVariableBorrowRate);
	const weightedStableRate = rayMul(wadToRay(totalStableDebt), currentAverageStableBorrowRate);
	return rayDiv(add(weightedVariableRate, weightedStableRate), wadToRay(totalDebt));
}

// p: { unbacked, liquidityAdded, liquidityTaken, totalStableDebt,
// totalVariableDebt, averageStableBorrowRate, reserveFactor,
// availableLiquidity (IERC20(reserve).balanceOf(aToken)) }
// → [liquidityRate, stableBorrowRate, variableBorrowRate]
function calculateInterestRates(p, s) {
	const MAX_EXCESS_USAGE_RATIO = RAY - s.optimalUsageRatio;
	const MAX_EXCESS_STABLE_TO_TOTAL_DEBT_RATIO = RAY - s.optimalStableToTotalDebtRatio;
	const totalDebt = add(p.totalStableDebt, p.totalVariableDebt);
	let currentVariableBorrowRate = s.baseVariableBorrowRate;
	let currentStableBorrowRate = add(s.variableRateSlope1, s.baseStableRateOffset);
	let stableToTotalDebtRatio = 0n, borrowUsageRatio = 0n, supplyUsageRatio = 0n;

	if (totalDebt !== 0n) {
		stableToTotalDebtRatio = rayDiv(p.totalStableDebt, totalDebt);
		const availableLiquidity = sub(add(p.availableLiquidity, p.liquidityAdded), p.liquidityTaken);
		const availableLiquidityPlusDebt = add(availableLiquidity, totalDebt);
		borrowUsageRatio = rayDiv(totalDebt, availableLiquidityPlusDebt);
		supplyUsageRatio = rayDiv(totalDebt, add(availableLiquidityPlusDebt, p.unbacked));
	}

	if (borrowUsageRatio > s.optimalUsageRatio) {
		const excess = rayDiv(borrowUsageRatio - s.optimalUsageRatio, MAX_EXCESS_USAGE_RATIO);
		currentStableBorrowRate = add(currentStableBorrowRate,
			add(s.stableRateSlope1, rayMul(s.stableRateSlope2, excess)));
		currentVariableBorrowRate = add(currentVariableBorrowRate,
			add(s.variableRateSlope1, rayMul(s.variableRateSlope2, excess)));
	} else {
		currentStableBorrowRate = add(currentStableBorrowRate,
			rayDiv(rayMul(s.stableRateSlope1, borrowUsageRatio), s.optimalUsageRatio));
		currentVariableBorrowRate = add(currentVariableBorrowRate,
			rayDiv(rayMul(s.variableRateSlope1, borrowUsageRatio), s.optimalUsageRatio));
	}

	if (stableToTotalDebtRatio > s.optimalStableToTotalDebtRatio) {
		const excess = rayDiv(stableToTotalDebtRatio - s.optimalStableToTotalDebtRatio,
			MAX_EXCESS_STABLE_TO_TOTAL_DEBT_RATIO);
		currentStableBorrowRate = add(currentStableBorrowRate, rayMul(s.stableRateExcessOffset, excess));
	}

	const liquidityRate = percentMul(
		rayMul(overallBorrowRate(p.totalStableDebt, p.totalVariableDebt, currentVariableBorrowRate,
			p.averageStableBorrowRate), supplyUsageRatio),
		sub(PERCENTAGE_FACTOR, p.reserveFactor));
	return [liquidityRate, currentStableBorrowRate, currentVariableBorrowRate];
}

// ---- GenericLogic ----

// assetValueBase: the base-currency value of an amount (balance * price / unit).
function assetValueBase(amount, price, decimals) {
	return mul(amount, price) / 10n ** BigInt(decimals);
}

function healthFactor(collateral, debt, liquidationThreshold) {
	if (debt === 0n)
		return MAX;
	return wadDiv(percentMul(collateral, liquidationThreshold), debt);
}

// assets: [{ collateral, ltv, lt, category }], debts: [base values];
// → { totalCollateral, totalDebt, avgLtv, avgLt, healthFactor, hasZeroLtvCollateral }
function accountData(assets, debts, userCategory, eModeLtv, eModeLt) {
	let totalCollateral = 0n, totalDebt = 0n, avgLtv = 0n, avgLt = 0n;
	let hasZeroLtvCollateral = false;
	for (const a of assets) {
		if (a.lt === 0n)
			continue;
		totalCollateral = add(totalCollateral, a.collateral);
		const inEMode = userCategory !== 0n && a.category === userCategory;
		if (a.ltv !== 0n)
			avgLtv = add(avgLtv, mul(a.collateral, inEMode ? eModeLtv : a.ltv));
		else
			hasZeroLtvCollateral = true;
		avgLt = add(avgLt, mul(a.collateral, inEMode ? eModeLt : a.lt));
	}
	for (const d of debts)
		totalDebt = add(totalDebt, d);
	avgLtv = totalCollateral !== 0n ? avgLtv / totalCollateral : 0n;
	avgLt = totalCollateral !== 0n ? avgLt / totalCollateral : 0n;
	return {
		totalCollateral, totalDebt, avgLtv, avgLt,
		healthFactor: healthFactor(totalCollateral, totalDebt, avgLt),
		hasZeroLtvCollateral,
	};
}

function availableBorrows(collateral, debt, ltv) {
	const available = percentMul(collateral, ltv);
	return available < debt ? 0n : available - debt;
}

// ---- LiquidationLogic ----

const closeFactor = (hf) => (hf > CLOSE_FACTOR_HF_THRESHOLD
	? DEFAULT_LIQUIDATION_CLOSE_FACTOR : MAX_LIQUIDATION_CLOSE_FACTOR);

// The SQL function's checks that ValidationLogic makes on these amounts.
function checkLiquidation(p) {
	if (p.healthFactor >= HEALTH_FACTOR_LIQUIDATION_THRESHOLD)
		badArg('HEALTH_FACTOR_NOT_BELOW_THRESHOLD');
	if (p.userTotalDebt === 0n)
		badArg('SPECIFIED_CURRENCY_NOT_BORROWED_BY_USER');
}

// p: { debtToCover, userTotalDebt, healthFactor, userCollateralBalance,
// collateralPrice, collateralDecimals, debtPrice, debtDecimals,
// liquidationBonus, liquidationProtocolFee }
// → [actualCollateralToLiquidate, actualDebtToLiquidate, liquidationProtocolFee]
function liquidationAmounts(p) {
	const maxLiquidatableDebt = percentMul(p.userTotalDebt, closeFactor(p.healthFactor));
	const debtToCover = p.debtToCover > maxLiquidatableDebt ? maxLiquidatableDebt : p.debtToCover;
	const collateralAssetUnit = 10n ** BigInt(p.collateralDecimals);
	const debtAssetUnit = 10n ** BigInt(p.debtDecimals);

	const num = mul(mul(p.debtPrice, debtToCover), collateralAssetUnit);
	const baseCollateral = div(num, mul(p.collateralPrice, debtAssetUnit));
	const maxCollateralToLiquidate = percentMul(baseCollateral, p.liquidationBonus);
	let collateralAmount, debtAmountNeeded;
	if (maxCollateralToLiquidate > p.userCollateralBalance) {
		collateralAmount = p.userCollateralBalance;
		const n2 = mul(mul(p.collateralPrice, collateralAmount), debtAssetUnit);
		debtAmountNeeded = percentDiv(div(n2, mul(p.debtPrice, collateralAssetUnit)), p.liquidationBonus);
	} else {
		collateralAmount = maxCollateralToLiquidate;
		debtAmountNeeded = debtToCover;
	}
	if (p.liquidationProtocolFee !== 0n) {
		const bonusCollateral = sub(collateralAmount, percentDiv(collateralAmount, p.liquidationBonus));
		const fee = percentMul(bonusCollateral, p.liquidationProtocolFee);
		return [sub(collateralAmount, fee), debtAmountNeeded, fee];
	}
	return [collateralAmount, debtAmountNeeded, 0n];
}

module.exports = {
	MAX, WAD, HALF_WAD, RAY, HALF_RAY, PERCENTAGE_FACTOR, SECONDS_PER_YEAR, MAX_UINT40,
	CLOSE_FACTOR_HF_THRESHOLD, HEALTH_FACTOR_LIQUIDATION_THRESHOLD, AaveError,
	rayMul, rayDiv, wadMul, wadDiv, wadToRay, rayToWad, percentMul, percentDiv,
	checkTimestamps, linearInterest, compoundedInterest, normalizedIncome, normalizedDebt,
	checkStrategy, calculateInterestRates, overallBorrowRate,
	assetValueBase, healthFactor, accountData, availableBorrows,
	closeFactor, checkLiquidation, liquidationAmounts,
};
