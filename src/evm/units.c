/*
 * src/evm/units.c
 *
 * Token units: on chain an amount is an integer count of the token's
 * smallest unit (wei for ether); people read it scaled by 10^decimals.
 * to_units() divides exactly into a numeric; from_units() multiplies a
 * numeric back, and refuses to drop a fraction silently: without a rounding
 * mode a value with more than `decimals` decimal places is an error.  Both
 * work on the decimal text, which makes the scaling exact by construction.
 */
#include "postgres.h"

#include "fmgr.h"
#include "lib/stringinfo.h"
#include "utils/builtins.h"
#include "utils/numeric.h"

#include "compat.h"
#include "evm/evm.h"

#define UNITS_MAX_DECIMALS 255

/* How from_units treats a fraction below the smallest unit. */
typedef enum UnitsRounding
{
	UNITS_EXACT,				/* error */
	UNITS_TRUNC,				/* toward zero */
	UNITS_FLOOR,				/* toward minus infinity */
	UNITS_CEIL,					/* toward plus infinity */
	UNITS_HALF_UP,				/* nearest, ties away from zero */
	UNITS_HALF_EVEN				/* nearest, ties to even */
} UnitsRounding;

/* Check a decimals argument: 0 .. 255, as ERC-20's uint8 decimals(). */
static int
CheckDecimals(int32 decimals)
{
	if (decimals < 0 || decimals > UNITS_MAX_DECIMALS)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("decimals %d is out of range", decimals),
				 errdetail("Token decimals are between 0 and %d.", UNITS_MAX_DECIMALS)));
	return decimals;
}

/* Parse a rounding mode name. */
static UnitsRounding
CheckRounding(const char *mode)
{
	if (strcmp(mode, "exact") == 0)
		return UNITS_EXACT;
	if (strcmp(mode, "trunc") == 0)
		return UNITS_TRUNC;
	if (strcmp(mode, "floor") == 0)
		return UNITS_FLOOR;
	if (strcmp(mode, "ceil") == 0)
		return UNITS_CEIL;
	if (strcmp(mode, "half_up") == 0)
		return UNITS_HALF_UP;
	if (strcmp(mode, "half_even") == 0)
		return UNITS_HALF_EVEN;
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("invalid rounding mode: \"%s\"", mode),
			 errhint("Use one of 'exact', 'trunc', 'floor', 'ceil', 'half_up' or 'half_even'.")));
	return UNITS_EXACT;			/* keep the compiler quiet */
}

/*
 * Shared body of to_units: the decimal digits of the integer with a point
 * inserted `decimals` places from the right, trailing fractional zeros
 * dropped (1500000000000000000 with 18 decimals is 1.5).
 */
static Datum
ToUnits(const Uint256 *v, bool is_signed, int decimals)
{
	char		digits[UINT256_DEC_BUFLEN];
	const char *mag;
	bool		neg;
	int			ndig;
	int			intlen;
	int			fraclen;
	char	   *out;
	char	   *p;
	int			i;

	if (is_signed)
		Int256ToDecimal(v, digits);
	else
		Uint256ToDecimal(v, digits);
	neg = digits[0] == '-';
	mag = digits + (neg ? 1 : 0);
	ndig = strlen(mag);

	/* the digits after the point, without trailing zeros */
	fraclen = decimals;
	while (fraclen > 0)
	{
		int			pos = ndig - (decimals - fraclen) - 1;	/* index of that digit */

		if (pos >= 0 && mag[pos] != '0')
			break;
		fraclen--;
	}
	intlen = ndig - decimals;

	out = palloc(ndig + decimals + 4);
	p = out;
	if (neg)
		*p++ = '-';
	if (intlen > 0)
	{
		memcpy(p, mag, intlen);
		p += intlen;
	}
	else
		*p++ = '0';
	if (fraclen > 0)
	{
		*p++ = '.';
		for (i = 0; i < fraclen; i++)
		{
			int			pos = intlen + i;	/* may be negative: leading zeros */

			*p++ = pos >= 0 ? mag[pos] : '0';
		}
	}
	*p = '\0';
	return DirectFunctionCall3(numeric_in, CStringGetDatum(out),
							   ObjectIdGetDatum(InvalidOid), Int32GetDatum(-1));
}

/*
 * Shared body of from_units: x * 10^decimals as an integer, rounded by mode.
 * Works on numeric_out's plain "[-]digits[.digits]" text.
 */
static void
FromUnits(Datum num, int decimals, UnitsRounding mode, bool is_signed, Uint256 *r)
{
	const char *tname = is_signed ? "int256" : "uint256";
	char	   *str;
	const char *p;
	const char *point;
	bool		neg = false;
	StringInfoData ip;
	const char *frac;
	int			fraclen;
	int			i;
	bool		rest_nonzero = false;	/* digits beyond the unit */
	int			first_rest = 0; /* the first of those digits */
	bool		more_after_first = false;
	bool		bump = false;
	Uint256		mag;

	if (numeric_is_nan(DatumGetNumeric(num)))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("cannot convert NaN to %s", tname)));
	if (numeric_is_inf(DatumGetNumeric(num)))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("cannot convert infinity to %s", tname)));

	str = DatumGetCString(DirectFunctionCall1(numeric_out, num));
	p = str;
	if (*p == '-')
	{
		neg = true;
		p++;
	}
	point = strchr(p, '.');
	frac = point ? point + 1 : "";
	fraclen = strlen(frac);

	/* integer digits, then the first `decimals` fractional digits (zero-padded) */
	initStringInfo(&ip);
	appendBinaryStringInfo(&ip, p, point ? point - p : (int) strlen(p));
	for (i = 0; i < decimals; i++)
		appendStringInfoChar(&ip, i < fraclen ? frac[i] : '0');

	for (i = decimals; i < fraclen; i++)
	{
		if (frac[i] != '0')
		{
			rest_nonzero = true;
			if (i > decimals)
				more_after_first = true;
		}
	}
	if (fraclen > decimals)
		first_rest = frac[decimals] - '0';

	if (rest_nonzero)
	{
		switch (mode)
		{
			case UNITS_EXACT:
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("value %s has more than %d decimal places", str, decimals),
						 errhint("Pass a rounding mode: 'trunc', 'floor', 'ceil', 'half_up' or 'half_even'.")));
				break;
			case UNITS_TRUNC:
				break;
			case UNITS_FLOOR:
				bump = neg;
				break;
			case UNITS_CEIL:
				bump = !neg;
				break;
			case UNITS_HALF_UP:
				bump = first_rest >= 5;
				break;
			case UNITS_HALF_EVEN:
				if (first_rest > 5 || (first_rest == 5 && more_after_first))
					bump = true;
				else if (first_rest == 5)
					bump = ((ip.data[ip.len - 1] - '0') & 1) != 0;
				break;
		}
	}

	if (Uint256FromDecimal(ip.data, ip.len, &mag) != UINT256_PARSE_OK)
		goto out_of_range;
	if (bump)
	{
		Uint256		one;

		Uint256FromUint64(&one, 1);
		if (!Uint256Add(&mag, &one, &mag))
			goto out_of_range;
	}
	if (is_signed)
	{
		if (!Int256FromMagnitude(&mag, neg && !Uint256IsZero(&mag), r))
			goto out_of_range;
	}
	else
	{
		if (neg && !Uint256IsZero(&mag))
			goto out_of_range;
		*r = mag;
	}
	pfree(ip.data);
	pfree(str);
	return;

out_of_range:
	if (is_signed)
		Int256OutOfRange();
	Uint256OutOfRange();
}

PG_FUNCTION_INFO_V1(uint256_to_units);
PG_FUNCTION_INFO_V1(int256_to_units);
PG_FUNCTION_INFO_V1(uint256_from_units);
PG_FUNCTION_INFO_V1(int256_from_units);

/* to_units(uint256, decimals) -> numeric, exact. */
Datum
uint256_to_units(PG_FUNCTION_ARGS)
{
	return ToUnits(PG_GETARG_UINT256_P(0), false, CheckDecimals(PG_GETARG_INT32(1)));
}

/* to_units(int256, decimals) -> numeric, exact. */
Datum
int256_to_units(PG_FUNCTION_ARGS)
{
	return ToUnits(PG_GETARG_UINT256_P(0), true, CheckDecimals(PG_GETARG_INT32(1)));
}

/* from_units(numeric, decimals, rounding) -> uint256. */
Datum
uint256_from_units(PG_FUNCTION_ARGS)
{
	int			decimals = CheckDecimals(PG_GETARG_INT32(1));
	UnitsRounding mode = CheckRounding(text_to_cstring(PG_GETARG_TEXT_PP(2)));
	Uint256    *r = palloc(sizeof(Uint256));

	FromUnits(PG_GETARG_DATUM(0), decimals, mode, false, r);
	PG_RETURN_UINT256_P(r);
}

/* int256_from_units(numeric, decimals, rounding) -> int256. */
Datum
int256_from_units(PG_FUNCTION_ARGS)
{
	int			decimals = CheckDecimals(PG_GETARG_INT32(1));
	UnitsRounding mode = CheckRounding(text_to_cstring(PG_GETARG_TEXT_PP(2)));
	Uint256    *r = palloc(sizeof(Uint256));

	FromUnits(PG_GETARG_DATUM(0), decimals, mode, true, r);
	PG_RETURN_UINT256_P(r);
}
