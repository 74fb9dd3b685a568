/*
 * src/yield/apr.c
 *
 * The APR and APY of an LST/LRT exchange-rate change.  The yield of a rate
 * going from `then` to `now` is the relative change now / then - 1,
 * annualised over the seconds between the two reads.  It is computed from
 * the exact difference of the two 256-bit rates over the earlier rate, so
 * nothing depends on the rate's scale: public yield adapters that divide
 * the difference by 1e18 instead (as if every rate were 1.0) overstate the
 * yield of wstETH, whose rate is above 1.15, by that factor.  The pure
 * functions come first, the fmgr wrappers after them.
 */
#include "postgres.h"

#include <math.h>

#include "fmgr.h"

#include "yield/yield.h"

/*
 * A uint256 as the nearest double (within a few units in the last place):
 * the limbs, most significant first, scaled by their weight.
 */
double
YieldUint256ToDouble(const Uint256 *a)
{
	return ldexp((double) a->w[3], 192) + ldexp((double) a->w[2], 128) +
		ldexp((double) a->w[1], 64) + (double) a->w[0];
}

/*
 * now / then - 1, from the exact difference |now - then| over then, so that
 * a small change of a large rate keeps all its significant digits.
 */
YieldStatus
YieldRelativeChange(const Uint256 *then, const Uint256 *now, double *r)
{
	Uint256		diff;
	bool		up;

	if (Uint256IsZero(then))
		return YIELD_ERR_ZERO_THEN;
	if (Uint256IsZero(now))
		return YIELD_ERR_ZERO_NOW;
	up = Uint256Cmp(now, then) >= 0;
	if (up)
		Uint256Sub(now, then, &diff);
	else
		Uint256Sub(then, now, &diff);
	*r = YieldUint256ToDouble(&diff) / YieldUint256ToDouble(then);
	if (!up)
		*r = -*r;
	return YIELD_OK;
}

/* The simple annual rate: (now / then - 1) * (one year / seconds). */
YieldStatus
YieldApr(const Uint256 *then, const Uint256 *now, double seconds, double *apr)
{
	double		r;
	YieldStatus st;

	if (!(seconds > 0) || isinf(seconds))
		return YIELD_ERR_SECONDS;
	if ((st = YieldRelativeChange(then, now, &r)) != YIELD_OK)
		return st;
	*apr = r * (YIELD_SECONDS_PER_YEAR / seconds);
	return isfinite(*apr) ? YIELD_OK : YIELD_ERR_RANGE;
}

/*
 * The compounded annual rate: (now / then)^(one year / seconds) - 1, as
 * expm1(log1p(r) * n) so that small rates keep their precision.
 */
YieldStatus
YieldApy(const Uint256 *then, const Uint256 *now, double seconds, double *apy)
{
	double		r;
	YieldStatus st;

	if (!(seconds > 0) || isinf(seconds))
		return YIELD_ERR_SECONDS;
	if ((st = YieldRelativeChange(then, now, &r)) != YIELD_OK)
		return st;
	*apy = expm1(log1p(r) * (YIELD_SECONDS_PER_YEAR / seconds));
	return isfinite(*apy) ? YIELD_OK : YIELD_ERR_RANGE;
}

/* ---- SQL ---- */

/* Raise the error for a status other than YIELD_OK. */
static void
YieldRaise(YieldStatus st, double seconds)
{
	switch (st)
	{
		case YIELD_OK:
			return;
		case YIELD_ERR_ZERO_THEN:
			ereport(ERROR,
					(errcode(ERRCODE_DIVISION_BY_ZERO),
					 errmsg("exchange rate must not be zero"),
					 errdetail("rate_then is zero: a yield is relative to the earlier rate.")));
			break;
		case YIELD_ERR_ZERO_NOW:
			ereport(ERROR,
					(errcode(ERRCODE_DIVISION_BY_ZERO),
					 errmsg("exchange rate must not be zero"),
					 errdetail("rate_now is zero: no exchange rate reads zero, so the read is broken.")));
			break;
		case YIELD_ERR_SECONDS:
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("seconds must be positive and finite: %g", seconds)));
			break;
		case YIELD_ERR_RANGE:
			ereport(ERROR,
					(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
					 errmsg("annualised yield out of range"),
					 errdetail("The change annualised over %g seconds does not fit a float8.", seconds)));
			break;
	}
}

PG_FUNCTION_INFO_V1(yield_apr);
PG_FUNCTION_INFO_V1(yield_apy);

/* yield_apr(rate_then, rate_now, seconds): (now / then - 1) * year / seconds. */
Datum
yield_apr(PG_FUNCTION_ARGS)
{
	double		seconds = PG_GETARG_FLOAT8(2);
	double		r = 0;

	YieldRaise(YieldApr(PG_GETARG_UINT256_P(0), PG_GETARG_UINT256_P(1), seconds, &r), seconds);
	PG_RETURN_FLOAT8(r);
}

/* yield_apy(rate_then, rate_now, seconds): (now / then)^(year / seconds) - 1. */
Datum
yield_apy(PG_FUNCTION_ARGS)
{
	double		seconds = PG_GETARG_FLOAT8(2);
	double		r = 0;

	YieldRaise(YieldApy(PG_GETARG_UINT256_P(0), PG_GETARG_UINT256_P(1), seconds, &r), seconds);
	PG_RETURN_FLOAT8(r);
}
