/*
 * src/derivs/lp_greeks.h
 *
 * Exact greeks of a Uniswap v3 range position (lp_greeks.c): its value in
 * token1 from the exact amounts the pool computes, and its delta and gamma
 * with respect to the price of token0 in token1, in closed form.  Pure C (no
 * palloc, no ereport); the SQL wrapper checks the arguments.
 */
#ifndef AMPLIFIED_DERIVS_LP_GREEKS_H
#define AMPLIFIED_DERIVS_LP_GREEKS_H

#include "univ3/univ3.h"

/* Where the price lies relative to the range, as LiquidityAmounts decides. */
typedef enum DerivsLpRegion
{
	DERIVS_LP_BELOW = -1,		/* sqrt_price <= sqrt_lower: all token0 */
	DERIVS_LP_IN_RANGE = 0,		/* sqrt_lower < sqrt_price < sqrt_upper */
	DERIVS_LP_ABOVE = 1			/* sqrt_price >= sqrt_upper: all token1 */
} DerivsLpRegion;

typedef struct DerivsLpGreeks
{
	Uint256		amount0;		/* exact amounts (rounded down) */
	Uint256		amount1;
	double		delta;			/* raw token0 per unit of P */
	double		gamma;			/* d(delta)/dP */
	DerivsLpRegion region;
} DerivsLpGreeks;

extern double DerivsUint256ToDouble(const Uint256 *a);
extern Univ3Status DerivsLpGreeksCompute(const Uint256 *sqrt_price, int tick_lower,
										 int tick_upper, const Uint256 *liquidity,
										 DerivsLpGreeks *g);

#endif							/* AMPLIFIED_DERIVS_LP_GREEKS_H */
