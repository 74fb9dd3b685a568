/*
 * src/lending/morpho.h
 *
 * Exact Morpho Blue math: the market id (MarketParamsLib), SharesMathLib's
 * virtual-share conversions, MathLib's mulDiv and wTaylorCompounded, the
 * interest accrual of Morpho._accrueInterest, the AdaptiveCurveIrm borrow
 * rate (ExpLib.wExp, the trapezoidal average, the bounds and the curve),
 * health (Morpho._isHealthy) and liquidation (Morpho.liquidate's two
 * branches and the incentive factor).  Every integer result is bit for bit
 * what the Solidity code returns, with Solidity 0.8's checked arithmetic:
 * where the Solidity code reverts these functions return a MorphoStatus
 * other than MORPHO_OK.  They are pure (no palloc, no ereport); morpho_sql.c
 * turns them into SQL functions and statuses into errors.
 *
 * int256 values (the IRM's rates at target) are Uint256 holding the two's
 * complement bit pattern, as in src/evm.
 */
#ifndef AMPLIFIED_MORPHO_H
#define AMPLIFIED_MORPHO_H

#include "evm/evm.h"

/* What went wrong, or MORPHO_OK; morpho_sql.c words each one as an error. */
typedef enum MorphoStatus
{
	MORPHO_OK = 0,
	MORPHO_ERR_OVERFLOW,		/* checked arithmetic or toUint128 reverts */
	MORPHO_ERR_DIV_ZERO			/* a division by zero (Solidity panics) */
} MorphoStatus;

/* Constants of Morpho Blue (ConstantsLib, SharesMathLib) as plain numbers. */
#define MORPHO_WAD				UINT64CONST(1000000000000000000)
#define MORPHO_MAX_FEE			UINT64CONST(250000000000000000)
#define MORPHO_LIQUIDATION_CURSOR	UINT64CONST(300000000000000000)
#define MORPHO_MAX_LIF			UINT64CONST(1150000000000000000)
#define MORPHO_VIRTUAL_SHARES	1000000
#define MORPHO_VIRTUAL_ASSETS	1
#define MORPHO_SECONDS_PER_YEAR 31536000

/* AdaptiveCurveIrm's ConstantsLib (per-second rates, WAD-scaled). */
#define MORPHO_IRM_CURVE_STEEPNESS		INT64CONST(4000000000000000000)
#define MORPHO_IRM_TARGET_UTILIZATION	INT64CONST(900000000000000000)
#define MORPHO_IRM_ADJUSTMENT_SPEED		INT64CONST(1585489599188)	/* 50e18 / 365 days */
#define MORPHO_IRM_INITIAL_RATE_AT_TARGET	INT64CONST(1268391679)	/* 0.04e18 / 365 days */
#define MORPHO_IRM_MIN_RATE_AT_TARGET	INT64CONST(31709791)	/* 0.001e18 / 365 days */
#define MORPHO_IRM_MAX_RATE_AT_TARGET	INT64CONST(63419583967) /* 2e18 / 365 days */

extern const Uint256 MORPHO_ORACLE_PRICE_SCALE; /* 1e36 */
extern const Uint256 MORPHO_MAX_UINT128;

/* The market state _accrueInterest reads and writes, and what it minted. */
typedef struct MorphoMarket
{
	Uint256		total_supply_assets;
	Uint256		total_supply_shares;
	Uint256		total_borrow_assets;
	Uint256		total_borrow_shares;
} MorphoMarket;

/* MathLib */
extern MorphoStatus MorphoMulDivDown(const Uint256 *x, const Uint256 *y, const Uint256 *d, Uint256 *r);
extern MorphoStatus MorphoMulDivUp(const Uint256 *x, const Uint256 *y, const Uint256 *d, Uint256 *r);
extern MorphoStatus MorphoWMulDown(const Uint256 *x, const Uint256 *y, Uint256 *r);
extern MorphoStatus MorphoWDivDown(const Uint256 *x, const Uint256 *y, Uint256 *r);
extern MorphoStatus MorphoWDivUp(const Uint256 *x, const Uint256 *y, Uint256 *r);
extern MorphoStatus MorphoWTaylorCompounded(const Uint256 *x, uint64 n, Uint256 *r);

/* MarketParamsLib.id: keccak256 of the five ABI words. */
extern void MorphoMarketId(const uint8 *loan, const uint8 *collateral, const uint8 *oracle,
						   const uint8 *irm, const Uint256 *lltv, uint8 out[32]);

/* SharesMathLib */
extern MorphoStatus MorphoToAssets(const Uint256 *shares, const Uint256 *total_assets,
								   const Uint256 *total_shares, bool round_up, Uint256 *r);
extern MorphoStatus MorphoToShares(const Uint256 *assets, const Uint256 *total_assets,
								   const Uint256 *total_shares, bool round_up, Uint256 *r);

/* AdaptiveCurveIrm */
extern MorphoStatus MorphoUtilization(const Uint256 *total_supply_assets,
									  const Uint256 *total_borrow_assets, Uint256 *r);
extern void MorphoWExp(const Uint256 *x, Uint256 *r);
extern MorphoStatus MorphoBorrowRate(const Uint256 *rate_at_target, const Uint256 *utilization,
									 uint64 elapsed, Uint256 *avg_rate, Uint256 *end_rate_at_target);

/* Morpho._accrueInterest; interest and fee_shares may be NULL. */
extern MorphoStatus MorphoAccrue(MorphoMarket *m, const Uint256 *fee, const Uint256 *borrow_rate,
								 uint64 elapsed, Uint256 *interest, Uint256 *fee_shares);
extern MorphoStatus MorphoSupplyRate(const Uint256 *borrow_rate, const Uint256 *utilization,
									 const Uint256 *fee, Uint256 *r);

/* Health and liquidation */
extern MorphoStatus MorphoMaxBorrow(const Uint256 *collateral, const Uint256 *price,
								   const Uint256 *lltv, Uint256 *r);
extern MorphoStatus MorphoIsHealthy(const Uint256 *collateral, const Uint256 *borrow_shares,
									const Uint256 *total_borrow_assets, const Uint256 *total_borrow_shares,
									const Uint256 *price, const Uint256 *lltv, bool *healthy);
extern void MorphoLiquidationIncentiveFactor(const Uint256 *lltv, Uint256 *r);
extern MorphoStatus MorphoLiquidate(Uint256 *seized_assets, Uint256 *repaid_shares,
									const Uint256 *total_borrow_assets, const Uint256 *total_borrow_shares,
									const Uint256 *price, const Uint256 *lltv, Uint256 *repaid_assets);
extern MorphoStatus MorphoLiquidationPrice(const Uint256 *collateral, const Uint256 *borrow_shares,
										   const Uint256 *total_borrow_assets, const Uint256 *total_borrow_shares,
										   const Uint256 *lltv, Uint256 *r, bool *no_debt);

#endif							/* AMPLIFIED_MORPHO_H */
