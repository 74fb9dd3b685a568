/*
 * src/lending/aave.h
 *
 * Exact Aave v3 math (the @aave/core-v3 1.19.3 contracts): WadRayMath,
 * PercentageMath, MathUtils' linear and compounded interest, ReserveLogic's
 * normalized income and debt, DefaultReserveInterestRateStrategy's
 * calculateInterestRates, GenericLogic's account data (weighted average LTV
 * and liquidation threshold, health factor, available borrows) and
 * LiquidationLogic's close factor and collateral amounts.  Every result is
 * bit for bit what the Solidity code returns; where the Solidity code
 * reverts, these functions return an AaveStatus other than AAVE_OK naming
 * the step that reverted.  Pure: no palloc, no ereport; aave_sql.c turns
 * them into SQL functions and statuses into errors.
 */
#ifndef AMPLIFIED_AAVE_H
#define AMPLIFIED_AAVE_H

#include "evm/evm.h"

#define AAVE_PERCENTAGE_FACTOR		10000
#define AAVE_SECONDS_PER_YEAR		31536000	/* MathUtils: 365 days */
#define AAVE_DEFAULT_CLOSE_FACTOR	5000	/* LiquidationLogic, bps */
#define AAVE_MAX_CLOSE_FACTOR		10000
#define AAVE_MAX_UINT40				((INT64CONST(1) << 40) - 1)

/* Constants (aave.c). */
extern const Uint256 AAVE_WAD;
extern const Uint256 AAVE_HALF_WAD;
extern const Uint256 AAVE_RAY;
extern const Uint256 AAVE_HALF_RAY;
extern const Uint256 AAVE_UINT256_MAX;
extern const Uint256 AAVE_CLOSE_FACTOR_HF_THRESHOLD;	/* 0.95e18 */
extern const Uint256 AAVE_HF_LIQUIDATION_THRESHOLD; /* 1e18 */

/*
 * What reverted, or AAVE_OK.  The overflow statuses map to SQLSTATE 22003,
 * the zero divisors to 22012 (aave_sql.c words each with the Solidity step).
 */
typedef enum AaveStatus
{
	AAVE_OK = 0,
	AAVE_ERR_RAY_MUL,			/* WadRayMath.rayMul: a * b + HALF_RAY overflows */
	AAVE_ERR_RAY_DIV,			/* WadRayMath.rayDiv: a * RAY + b / 2 overflows */
	AAVE_ERR_RAY_DIV_ZERO,		/* WadRayMath.rayDiv by zero */
	AAVE_ERR_WAD_MUL,			/* WadRayMath.wadMul overflow */
	AAVE_ERR_WAD_DIV,			/* WadRayMath.wadDiv overflow */
	AAVE_ERR_WAD_DIV_ZERO,		/* WadRayMath.wadDiv by zero */
	AAVE_ERR_WAD_TO_RAY,		/* WadRayMath.wadToRay overflow */
	AAVE_ERR_PERCENT_MUL,		/* PercentageMath.percentMul overflow */
	AAVE_ERR_PERCENT_DIV,		/* PercentageMath.percentDiv overflow */
	AAVE_ERR_PERCENT_DIV_ZERO,	/* PercentageMath.percentDiv by zero */
	AAVE_ERR_ADD,				/* checked + overflows (Solidity 0.8 panic) */
	AAVE_ERR_SUB,				/* checked - underflows */
	AAVE_ERR_MUL,				/* checked * overflows */
	AAVE_ERR_DIV_ZERO			/* plain / by zero (panic 0x12) */
} AaveStatus;

/* WadRayMath and PercentageMath (half up, with their revert conditions). */
extern AaveStatus AaveRayMul(const Uint256 *a, const Uint256 *b, Uint256 *r);
extern AaveStatus AaveRayDiv(const Uint256 *a, const Uint256 *b, Uint256 *r);
extern AaveStatus AaveWadMul(const Uint256 *a, const Uint256 *b, Uint256 *r);
extern AaveStatus AaveWadDiv(const Uint256 *a, const Uint256 *b, Uint256 *r);
extern AaveStatus AaveWadToRay(const Uint256 *a, Uint256 *r);
extern void AaveRayToWad(const Uint256 *a, Uint256 *r);
extern AaveStatus AavePercentMul(const Uint256 *value, const Uint256 *pct, Uint256 *r);
extern AaveStatus AavePercentDiv(const Uint256 *value, const Uint256 *pct, Uint256 *r);

/*
 * MathUtils and ReserveLogic.  Timestamps are seconds; the callers check
 * 0 <= last <= now and last <= AAVE_MAX_UINT40 (lastUpdateTimestamp is a
 * uint40).
 */
extern AaveStatus AaveLinearInterest(const Uint256 *rate, int64 last, int64 now,
									 Uint256 *r);
extern AaveStatus AaveCompoundedInterest(const Uint256 *rate, int64 last, int64 now,
										 Uint256 *r);
extern AaveStatus AaveNormalizedIncome(const Uint256 *index, const Uint256 *rate,
									   int64 last, int64 now, Uint256 *r);
extern AaveStatus AaveNormalizedDebt(const Uint256 *index, const Uint256 *rate,
									 int64 last, int64 now, Uint256 *r);

/* DefaultReserveInterestRateStrategy: the constructor's parameters (rays). */
typedef struct AaveRateStrategy
{
	Uint256		optimal_usage_ratio;	/* <= RAY (constructor require) */
	Uint256		base_variable_borrow_rate;
	Uint256		variable_rate_slope1;
	Uint256		variable_rate_slope2;
	Uint256		stable_rate_slope1;
	Uint256		stable_rate_slope2;
	Uint256		base_stable_rate_offset;
	Uint256		stable_rate_excess_offset;
	Uint256		optimal_stable_to_total_debt_ratio; /* <= RAY */
} AaveRateStrategy;

/* DataTypes.CalculateInterestRatesParams, with the aToken's balance given. */
typedef struct AaveRateInputs
{
	Uint256		unbacked;
	Uint256		liquidity_added;
	Uint256		liquidity_taken;
	Uint256		total_stable_debt;
	Uint256		total_variable_debt;
	Uint256		average_stable_borrow_rate;
	Uint256		reserve_factor;	/* bps, <= 10000 */
	Uint256		available_liquidity;	/* IERC20(reserve).balanceOf(aToken) */
} AaveRateInputs;

typedef struct AaveRates
{
	Uint256		liquidity_rate;
	Uint256		stable_borrow_rate;
	Uint256		variable_borrow_rate;
} AaveRates;

extern AaveStatus AaveReserveRates(const AaveRateInputs *in, const AaveRateStrategy *s,
								   AaveRates *out);

/* GenericLogic.calculateUserAccountData over values already in base currency. */
typedef struct AaveAccountAsset
{
	Uint256		collateral_base;	/* aToken balance * price / unit */
	int			ltv;			/* bps */
	int			liquidation_threshold;	/* bps */
	int			emode_category;
} AaveAccountAsset;

typedef struct AaveAccount
{
	Uint256		total_collateral_base;
	Uint256		total_debt_base;
	Uint256		avg_ltv;
	Uint256		avg_liquidation_threshold;
	Uint256		health_factor;
	bool		has_zero_ltv_collateral;
} AaveAccount;

extern AaveStatus AaveAccountData(int nassets, const AaveAccountAsset *assets,
								  int ndebts, const Uint256 *debt_base,
								  int user_emode_category, int emode_ltv,
								  int emode_liquidation_threshold, AaveAccount *out);
extern AaveStatus AaveHealthFactor(const Uint256 *collateral_base, const Uint256 *debt_base,
								   const Uint256 *liquidation_threshold, Uint256 *r);
extern AaveStatus AaveAssetValueBase(const Uint256 *amount, const Uint256 *price,
									 int decimals, Uint256 *r);
extern AaveStatus AaveAvailableBorrows(const Uint256 *collateral_base,
									   const Uint256 *debt_base, const Uint256 *ltv,
									   Uint256 *r);

/* LiquidationLogic: _calculateDebt and _calculateAvailableCollateralToLiquidate. */
typedef struct AaveLiquidationInputs
{
	Uint256		debt_to_cover;
	Uint256		user_total_debt;	/* stable + variable, debt asset units */
	Uint256		health_factor;	/* wad */
	Uint256		user_collateral_balance;	/* aToken balance, collateral units */
	Uint256		collateral_price;
	Uint256		debt_price;
	int			collateral_decimals;	/* 0 .. 77 */
	int			debt_decimals;
	Uint256		liquidation_bonus;	/* bps, e.g. 10500 */
	Uint256		liquidation_protocol_fee;	/* bps of the bonus */
} AaveLiquidationInputs;

typedef struct AaveLiquidation
{
	Uint256		collateral_to_liquidate;	/* to the liquidator */
	Uint256		debt_to_cover;
	Uint256		protocol_fee;	/* collateral, to the treasury */
} AaveLiquidation;

extern int	AaveCloseFactor(const Uint256 *health_factor);
extern AaveStatus AaveLiquidationAmounts(const AaveLiquidationInputs *in,
										 AaveLiquidation *out);

#endif							/* AMPLIFIED_AAVE_H */
