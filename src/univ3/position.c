/*
 * src/univ3/position.c
 *
 * What a position holds and earns: v3-core's Tick.getFeeGrowthInside and
 * Position's tokens owed (fees accrued between two fee-growth readings),
 * the value of token amounts in token1 at a sqrt price, and the impermanent
 * loss of a range position against holding its entry amounts.  Pure C: no
 * palloc, no ereport.
 */
#include "postgres.h"

#include <math.h>

#include "univ3/univ3.h"

/*
 * Tick.getFeeGrowthInside: global growth minus the growth below the lower
 * tick and above the upper tick, all modulo 2^256 as in the pool (the
 * accumulators are meant to overflow; only differences matter).
 */
void
Univ3FeeGrowthInside(int tick_lower, int tick_upper, int tick_current,
					 const Uint256 *fee_growth_global, const Uint256 *outside_lower,
					 const Uint256 *outside_upper, Uint256 *r)
{
	Uint256		below,
				above;

	if (tick_current >= tick_lower)
		below = *outside_lower;
	else
		Univ3WrapSub(fee_growth_global, outside_lower, &below);
	if (tick_current < tick_upper)
		above = *outside_upper;
	else
		Univ3WrapSub(fee_growth_global, outside_upper, &above);
	Univ3WrapSub(fee_growth_global, &below, r);
	Univ3WrapSub(r, &above, r);
}

/*
 * Position.update's tokens owed: (inside - inside_last) * L / 2^128, the
 * difference modulo 2^256 and the result cast to uint128 as the pool does.
 */
void
Univ3TokensOwed(const Uint256 *fee_growth_inside, const Uint256 *fee_growth_inside_last,
				const Uint256 *liquidity, Uint256 *r)
{
	Uint256		diff;

	Univ3WrapSub(fee_growth_inside, fee_growth_inside_last, &diff);
	/* liquidity < 2^128 = Q128, so the quotient always fits */
	(void) Uint256MulDiv(&diff, liquidity, &UNIV3_Q128, false, r);
	r->w[2] = r->w[3] = 0;
}

/*
 * amount1 + amount0 * (sqrtP / 2^96)^2, rounded down at each of the two
 * scalings: the value of the amounts in token1's smallest units.
 */
Univ3Status
Univ3ValueInToken1(const Uint256 *sqrt_price, const Uint256 *amount0,
				   const Uint256 *amount1, Uint256 *r)
{
	Uint256		t;

	if (!Uint256MulDiv(amount0, sqrt_price, &UNIV3_Q96, false, &t) ||
		!Uint256MulDiv(&t, sqrt_price, &UNIV3_Q96, false, &t) ||
		!Uint256Add(&t, amount1, r))
		return UNIV3_ERR_OVERFLOW;
	return UNIV3_OK;
}

/* Token amounts per unit of liquidity of the range [pa, pb] at price p. */
static void
RangeAmounts(double p, double pa, double pb, double *x, double *y)
{
	double		sp = sqrt(Min(Max(p, pa), pb));

	*x = 1.0 / sp - 1.0 / sqrt(pb);
	*y = sp - sqrt(pa);
}

/*
 * Impermanent loss of a position over [price_lower, price_upper] opened at
 * price_entry, at price_now: its value divided by the value of holding the
 * entry amounts, minus one (0 when the price has not moved, negative
 * otherwise).  Prices are token1 per token0; the caller checks that they
 * are positive and that the range is not empty.
 */
double
Univ3RangeImpermanentLoss(double price_entry, double price_now,
						  double price_lower, double price_upper)
{
	double		x0,
				y0,
				x1,
				y1;

	RangeAmounts(price_entry, price_lower, price_upper, &x0, &y0);
	RangeAmounts(price_now, price_lower, price_upper, &x1, &y1);
	return (x1 * price_now + y1) / (x0 * price_now + y0) - 1.0;
}
