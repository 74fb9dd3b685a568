/*
 * src/derivs/lp_greeks.c
 *
 * Exact greeks of a Uniswap v3 range position.  The value in token1 is
 * amount1 + amount0 * P with the amounts LiquidityAmounts returns (the
 * univ3 module's exact functions) and P = sqrt_price^2 / 2^192, the price of
 * token0 in token1 (raw units).  Delta and gamma with respect to P are the
 * closed forms of the value of liquidity L over [Pa, Pb]:
 *   in range   V = 2 L sqrt(P) - L sqrt(Pa) - L P / sqrt(Pb)
 *              delta = L (1/sqrt(P) - 1/sqrt(Pb))   (= amount0, unrounded)
 *              gamma = -L / (2 P^(3/2))
 *   below      delta = L (1/sqrt(Pa) - 1/sqrt(Pb)), gamma = 0
 *   above      delta = 0, gamma = 0.
 * At the boundaries the region is the pool's: a sqrt price equal to
 * sqrtRatioAtTick(tick_lower) is tick tick_lower, which the pool counts as
 * in range (tick_lower <= tick < tick_upper: the position's liquidity is
 * active and the next move up converts its token0), so gamma there is the
 * in-range value, the one-sided derivative for a rising price; a price
 * equal to the upper bound is tick tick_upper, out of range, gamma 0.
 * Delta is continuous at both (at the lower bound the in-range formula is
 * the whole amount0), and the amounts are LiquidityAmounts's, which holds
 * all token0 at the lower bound either way.  delta's difference 1/sqrt(P) - 1/sqrt(Pb) is formed as
 * (sb - s) / (s sb) with sb - s exact, so it keeps its precision when the
 * price is close to the upper bound.
 */
#include "postgres.h"

#include <math.h>

#include "access/htup_details.h"
#include "fmgr.h"
#include "funcapi.h"
#include "utils/builtins.h"
#include "utils/fmgrprotos.h"

#include "derivs/lp_greeks.h"

/* A uint256 as a double: the sum of its 64-bit words, each scaled exactly. */
double
DerivsUint256ToDouble(const Uint256 *a)
{
	return ldexp((double) a->w[3], 192) + ldexp((double) a->w[2], 128) +
		ldexp((double) a->w[1], 64) + (double) a->w[0];
}

/*
 * The amounts, delta and gamma of liquidity over [tick_lower, tick_upper)
 * at a sqrt price (Q64.96).  Returns a status other than UNIV3_OK for ticks
 * out of range, an empty range or an overflow of the exact amounts.
 */
Univ3Status
DerivsLpGreeksCompute(const Uint256 *sqrt_price, int tick_lower, int tick_upper,
					  const Uint256 *liquidity, DerivsLpGreeks *g)
{
	Uint256		sa,
				sb,
				diff;
	Univ3Status st;
	double		l,
				s,
				b;

	if (tick_lower >= tick_upper)
		return UNIV3_ERR_DIV_ZERO;
	if ((st = Univ3SqrtRatioAtTick(tick_lower, &sa)) != UNIV3_OK ||
		(st = Univ3SqrtRatioAtTick(tick_upper, &sb)) != UNIV3_OK)
		return st;
	if ((st = Univ3AmountsForLiquidity(sqrt_price, &sa, &sb, liquidity,
									   &g->amount0, &g->amount1)) != UNIV3_OK)
		return st;

	l = DerivsUint256ToDouble(liquidity);
	b = ldexp(DerivsUint256ToDouble(&sb), -96);
	if (Uint256Cmp(sqrt_price, &sa) < 0)
	{
		double		a = ldexp(DerivsUint256ToDouble(&sa), -96);

		Uint256Sub(&sb, &sa, &diff);
		g->region = DERIVS_LP_BELOW;
		g->delta = l * (ldexp(DerivsUint256ToDouble(&diff), -96) / a / b);
		g->gamma = 0.0;
	}
	else if (Uint256Cmp(sqrt_price, &sb) < 0)
	{
		s = ldexp(DerivsUint256ToDouble(sqrt_price), -96);
		Uint256Sub(&sb, sqrt_price, &diff);
		g->region = DERIVS_LP_IN_RANGE;
		g->delta = l * (ldexp(DerivsUint256ToDouble(&diff), -96) / s / b);
		/* -L / (2 s^3), s^3 formed as s * s * s to stay in range */
		g->gamma = -l / (2.0 * s * s * s);
	}
	else
	{
		g->region = DERIVS_LP_ABOVE;
		g->delta = 0.0;
		g->gamma = 0.0;
	}
	return UNIV3_OK;
}

/* A numeric constant from its text. */
static Datum
NumericConst(const char *s)
{
	return DirectFunctionCall3(numeric_in, CStringGetDatum(s),
							   ObjectIdGetDatum(InvalidOid), Int32GetDatum(-1));
}

PG_FUNCTION_INFO_V1(univ3_position_greeks);

/*
 * univ3_position_greeks(sqrt_price, tick_lower, tick_upper, liquidity) →
 * (value1 numeric, delta, gamma, amount0, amount1, in_range): the value in
 * raw token1 units (amount1 + amount0 * sqrt_price^2 / 2^192, truncated to
 * 30 decimals), the closed-form delta and gamma with respect to the price of
 * token0 in token1, the exact amounts, and whether the price is in range.
 */
Datum
univ3_position_greeks(PG_FUNCTION_ARGS)
{
	const Uint256 *p = PG_GETARG_UINT256_P(0);
	int32		lo = PG_GETARG_INT32(1);
	int32		hi = PG_GETARG_INT32(2);
	const Uint256 *l = PG_GETARG_UINT256_P(3);
	TupleDesc	tupdesc;
	DerivsLpGreeks g;
	Datum		values[6];
	bool		nulls[6] = {false, false, false, false, false, false};
	Datum		sp,
				num;

	if (Uint256Cmp(p, &UNIV3_MIN_SQRT_RATIO) < 0 || Uint256Cmp(p, &UNIV3_MAX_SQRT_RATIO) >= 0)
		Univ3Raise(UNIV3_ERR_SQRT_RATIO);
	if (Uint256Cmp(l, &UNIV3_MAX_UINT128) > 0)
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("liquidity out of range for uint128")));
	if (lo < UNIV3_MIN_TICK || lo > UNIV3_MAX_TICK || hi < UNIV3_MIN_TICK || hi > UNIV3_MAX_TICK)
		Univ3Raise(UNIV3_ERR_TICK);
	if (lo >= hi)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("tick_lower must be below tick_upper: %d, %d", lo, hi)));
	Univ3Raise(DerivsLpGreeksCompute(p, lo, hi, l, &g));

	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");
	tupdesc = BlessTupleDesc(tupdesc);

	/* value1 = amount1 + trunc(amount0 * sp^2 * 10^30 / 2^192) / 10^30 */
	sp = Uint256GetNumeric(p, false);
	num = DirectFunctionCall2(numeric_mul, Uint256GetNumeric(&g.amount0, false), sp);
	num = DirectFunctionCall2(numeric_mul, num, sp);
	num = DirectFunctionCall2(numeric_mul, num, NumericConst("1e30"));
	num = DirectFunctionCall2(numeric_div_trunc, num,
							  NumericConst("6277101735386680763835789423207666416102355444464034512896"));
	num = DirectFunctionCall2(numeric_mul, num, NumericConst("1e-30"));
	values[0] = DirectFunctionCall1(numeric_trim_scale,
									DirectFunctionCall2(numeric_add, Uint256GetNumeric(&g.amount1, false), num));
	values[1] = Float8GetDatum(g.delta);
	values[2] = Float8GetDatum(g.gamma);
	values[3] = Uint256PGetDatum(Uint256Copy(&g.amount0));
	values[4] = Uint256PGetDatum(Uint256Copy(&g.amount1));
	values[5] = BoolGetDatum(g.region == DERIVS_LP_IN_RANGE);
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls)));
}
