/*
 * src/univ3/liquidity_amounts.c
 *
 * v3-periphery LiquidityAmounts: the largest liquidity that given token
 * amounts can mint over a price range at the current price, and the token
 * amounts a liquidity is worth there (both rounded down, as the periphery
 * contracts compute them).  Pure C: no palloc, no ereport.
 */
#include "postgres.h"

#include "univ3/univ3.h"

/* Sort two sqrt prices. */
static void
SortPrices(const Uint256 **a, const Uint256 **b)
{
	if (Uint256Cmp(*a, *b) > 0)
	{
		const Uint256 *t = *a;

		*a = *b;
		*b = t;
	}
}

/* getLiquidityForAmount0: amount0 * (a * b / 2^96) / (b - a), as uint128. */
static Univ3Status
LiquidityForAmount0(const Uint256 *a, const Uint256 *b, const Uint256 *amount0, Uint256 *r)
{
	Uint256		inter,
				diff;

	SortPrices(&a, &b);
	(void) Uint256MulDiv(a, b, &UNIV3_Q96, false, &inter);
	(void) Uint256Sub(b, a, &diff);
	if (Uint256IsZero(&diff))
		return UNIV3_ERR_DIV_ZERO;
	if (!Uint256MulDiv(amount0, &inter, &diff, false, r) ||
		Uint256Cmp(r, &UNIV3_MAX_UINT128) > 0)
		return UNIV3_ERR_OVERFLOW;
	return UNIV3_OK;
}

/* getLiquidityForAmount1: amount1 * 2^96 / (b - a), as uint128. */
static Univ3Status
LiquidityForAmount1(const Uint256 *a, const Uint256 *b, const Uint256 *amount1, Uint256 *r)
{
	Uint256		diff;

	SortPrices(&a, &b);
	(void) Uint256Sub(b, a, &diff);
	if (Uint256IsZero(&diff))
		return UNIV3_ERR_DIV_ZERO;
	if (!Uint256MulDiv(amount1, &UNIV3_Q96, &diff, false, r) ||
		Uint256Cmp(r, &UNIV3_MAX_UINT128) > 0)
		return UNIV3_ERR_OVERFLOW;
	return UNIV3_OK;
}

/*
 * getLiquidityForAmounts: below the range only token0 counts, above it only
 * token1, inside it the smaller of the two liquidities.
 */
Univ3Status
Univ3LiquidityForAmounts(const Uint256 *sqrt_price, const Uint256 *sqrt_a,
						 const Uint256 *sqrt_b, const Uint256 *amount0,
						 const Uint256 *amount1, Uint256 *r)
{
	const Uint256 *a = sqrt_a,
			   *b = sqrt_b;
	Univ3Status st;

	SortPrices(&a, &b);
	if (Uint256Cmp(sqrt_price, a) <= 0)
		return LiquidityForAmount0(a, b, amount0, r);
	if (Uint256Cmp(sqrt_price, b) < 0)
	{
		Uint256		l0,
					l1;

		st = LiquidityForAmount0(sqrt_price, b, amount0, &l0);
		if (st != UNIV3_OK)
			return st;
		st = LiquidityForAmount1(a, sqrt_price, amount1, &l1);
		if (st != UNIV3_OK)
			return st;
		*r = Uint256Cmp(&l0, &l1) < 0 ? l0 : l1;
		return UNIV3_OK;
	}
	return LiquidityForAmount1(a, b, amount1, r);
}

/* getAmount0ForLiquidity: (L << 96) * (b - a) / b / a, rounded down. */
static Univ3Status
Amount0ForLiquidity(const Uint256 *a, const Uint256 *b, const Uint256 *liquidity, Uint256 *r)
{
	Uint256		num1,
				diff,
				t,
				rem;

	SortPrices(&a, &b);
	if (Uint256IsZero(a))
		return UNIV3_ERR_DIV_ZERO;
	Uint256Shl(liquidity, 96, &num1);
	(void) Uint256Sub(b, a, &diff);
	if (!Uint256MulDiv(&num1, &diff, b, false, &t))
		return UNIV3_ERR_OVERFLOW;
	(void) Uint256DivMod(&t, a, r, &rem);
	return UNIV3_OK;
}

/*
 * getAmountsForLiquidity: token0 for the part of the range above the price,
 * token1 for the part below it.
 */
Univ3Status
Univ3AmountsForLiquidity(const Uint256 *sqrt_price, const Uint256 *sqrt_a,
						 const Uint256 *sqrt_b, const Uint256 *liquidity,
						 Uint256 *amount0, Uint256 *amount1)
{
	const Uint256 *a = sqrt_a,
			   *b = sqrt_b;

	SortPrices(&a, &b);
	Uint256FromUint64(amount0, 0);
	Uint256FromUint64(amount1, 0);
	if (Uint256Cmp(sqrt_price, a) <= 0)
		return Amount0ForLiquidity(a, b, liquidity, amount0);
	if (Uint256Cmp(sqrt_price, b) < 0)
	{
		Univ3Status st = Amount0ForLiquidity(sqrt_price, b, liquidity, amount0);

		if (st != UNIV3_OK)
			return st;
		Univ3Amount1Delta(a, sqrt_price, liquidity, false, amount1);
		return UNIV3_OK;
	}
	Univ3Amount1Delta(a, b, liquidity, false, amount1);
	return UNIV3_OK;
}
