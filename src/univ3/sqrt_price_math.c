/*
 * src/univ3/sqrt_price_math.c
 *
 * v3-core SqrtPriceMath: the token amounts between two sqrt prices for a
 * liquidity (rounded up or down, unsigned and signed), and the next sqrt
 * price after adding or removing an amount of either token.  The branches,
 * roundings and revert conditions follow the Solidity library line by line,
 * including its overflow-avoiding fallbacks, so the results are identical.
 * Pure C: no palloc, no ereport.
 */
#include "postgres.h"

#include "univ3/univ3.h"

/* UnsafeMath.divRoundingUp: x / y rounded up; y must not be zero here. */
static void
DivRoundingUp(const Uint256 *x, const Uint256 *y, Uint256 *r)
{
	Uint256		rem;
	Uint256		one;

	(void) Uint256DivMod(x, y, r, &rem);
	if (!Uint256IsZero(&rem))
	{
		Uint256FromUint64(&one, 1);
		Univ3WrapAdd(r, &one, r);
	}
}

/* x << 96 mod 2^256 (Solidity's <<), straight-line: the FixedPoint96 shift. */
static inline void
Shl96(const Uint256 *x, Uint256 *r)
{
	uint64		w0 = x->w[0],
				w1 = x->w[1],
				w2 = x->w[2];

	r->w[3] = (w2 << 32) | (w1 >> 32);
	r->w[2] = (w1 << 32) | (w0 >> 32);
	r->w[1] = w0 << 32;
	r->w[0] = 0;
}

/*
 * getAmount0Delta(a, b, L, roundUp) =
 *   L * 2^96 * (b - a) / b / a, with the prices sorted first.
 */
Univ3Status
Univ3Amount0Delta(const Uint256 *sqrt_a, const Uint256 *sqrt_b,
				  const Uint256 *liquidity, bool round_up, Uint256 *r)
{
	const Uint256 *a = sqrt_a,
			   *b = sqrt_b;
	Uint256		num1,
				num2,
				t;

	if (Uint256Cmp(a, b) > 0)
	{
		a = sqrt_b;
		b = sqrt_a;
	}
	if (Uint256IsZero(a))
		return UNIV3_ERR_ZERO_PRICE;
	Shl96(liquidity, &num1);
	(void) Uint256Sub(b, a, &num2);
	if (round_up)
	{
		if (!Uint256MulDiv(&num1, &num2, b, true, &t))
			return UNIV3_ERR_OVERFLOW;
		/* UnsafeMath.divRoundingUp(t, a) */
		DivRoundingUp(&t, a, r);
	}
	else
	{
		Uint256		rem;

		if (!Uint256MulDiv(&num1, &num2, b, false, &t))
			return UNIV3_ERR_OVERFLOW;
		(void) Uint256DivMod(&t, a, r, &rem);
	}
	return UNIV3_OK;
}

/* getAmount1Delta(a, b, L, roundUp) = L * (b - a) / 2^96 (never overflows). */
void
Univ3Amount1Delta(const Uint256 *sqrt_a, const Uint256 *sqrt_b,
				  const Uint256 *liquidity, bool round_up, Uint256 *r)
{
	const Uint256 *a = sqrt_a,
			   *b = sqrt_b;
	Uint256		diff;

	if (Uint256Cmp(a, b) > 0)
	{
		a = sqrt_b;
		b = sqrt_a;
	}
	(void) Uint256Sub(b, a, &diff);
	(void) Uint256MulDiv(liquidity, &diff, &UNIV3_Q96, round_up, r);
}

/* SafeCast.toInt256 of an unsigned amount, negated when asked. */
static Univ3Status
SignedAmount(const Uint256 *mag, bool negative, Uint256 *r)
{
	if (mag->w[3] >> 63)
		return UNIV3_ERR_OVERFLOW;
	*r = *mag;
	if (negative)
		(void) Int256Neg(mag, r);
	return UNIV3_OK;
}

/*
 * The signed getAmount0Delta(a, b, int128 L): the amount owed to the pool
 * when liquidity is added (rounded up), minus the amount it pays out when
 * removed (rounded down).
 */
Univ3Status
Univ3Amount0DeltaSigned(const Uint256 *sqrt_a, const Uint256 *sqrt_b,
						const Uint256 *liquidity_delta, Uint256 *r)
{
	bool		neg = Int256IsNeg(liquidity_delta);
	Uint256		mag,
				amt;
	Univ3Status st;

	Int256Magnitude(liquidity_delta, &mag);
	st = Univ3Amount0Delta(sqrt_a, sqrt_b, &mag, !neg, &amt);
	if (st != UNIV3_OK)
		return st;
	return SignedAmount(&amt, neg, r);
}

/* The signed getAmount1Delta(a, b, int128 L), as above. */
Univ3Status
Univ3Amount1DeltaSigned(const Uint256 *sqrt_a, const Uint256 *sqrt_b,
						const Uint256 *liquidity_delta, Uint256 *r)
{
	bool		neg = Int256IsNeg(liquidity_delta);
	Uint256		mag,
				amt;

	Int256Magnitude(liquidity_delta, &mag);
	Univ3Amount1Delta(sqrt_a, sqrt_b, &mag, !neg, &amt);
	return SignedAmount(&amt, neg, r);
}

/* Whether a * b overflows 256 bits (Solidity's "product / amount == sqrtP"). */
static bool
MulOverflows(const Uint256 *a, const Uint256 *b, Uint256 *product)
{
	return !Uint256Mul(a, b, product);
}

/*
 * getNextSqrtPriceFromAmount0RoundingUp: the sqrt price after adding or
 * removing amount of token0, rounded up:
 *   L * sqrtP / (L +- amount * sqrtP), or L / (L / sqrtP + amount) when the
 *   product overflows while adding.
 */
static Univ3Status
NextFromAmount0RoundingUp(const Uint256 *sqrt_p, const Uint256 *liquidity,
						  const Uint256 *amount, bool add, Uint256 *r)
{
	Uint256		num1,
				product,
				denom;

	if (Uint256IsZero(amount))
	{
		*r = *sqrt_p;
		return UNIV3_OK;
	}
	Shl96(liquidity, &num1);
	if (add)
	{
		Uint256		q,
					rem;

		if (!MulOverflows(amount, sqrt_p, &product) &&
			Uint256Add(&num1, &product, &denom))
		{
			/* the result is at most sqrt_p: the uint160 cast keeps it */
			(void) Uint256MulDiv(&num1, sqrt_p, &denom, true, r);
			return UNIV3_OK;
		}
		(void) Uint256DivMod(&num1, sqrt_p, &q, &rem);
		if (!Uint256Add(&q, amount, &denom))
			return UNIV3_ERR_OVERFLOW;
		DivRoundingUp(&num1, &denom, r);
		return UNIV3_OK;
	}
	else
	{
		if (MulOverflows(amount, sqrt_p, &product) || Uint256Cmp(&num1, &product) <= 0)
			return UNIV3_ERR_RESERVES;
		(void) Uint256Sub(&num1, &product, &denom);
		if (!Uint256MulDiv(&num1, sqrt_p, &denom, true, r))
			return UNIV3_ERR_OVERFLOW;
		if (Uint256Cmp(r, &UNIV3_MAX_UINT160) > 0)
			return UNIV3_ERR_OVERFLOW;
		return UNIV3_OK;
	}
}

/*
 * getNextSqrtPriceFromAmount1RoundingDown: sqrtP +- amount * 2^96 / L,
 * the quotient rounded down when adding and up when removing.
 */
static Univ3Status
NextFromAmount1RoundingDown(const Uint256 *sqrt_p, const Uint256 *liquidity,
							const Uint256 *amount, bool add, Uint256 *r)
{
	Uint256		quotient;

	if (add)
	{
		if (Uint256Cmp(amount, &UNIV3_MAX_UINT160) <= 0)
		{
			Uint256		shifted,
						rem;

			Uint256Shl(amount, 96, &shifted);
			if (!Uint256DivMod(&shifted, liquidity, &quotient, &rem))
				return UNIV3_ERR_ZERO_LIQUIDITY;
		}
		else if (!Uint256MulDiv(amount, &UNIV3_Q96, liquidity, false, &quotient))
			return Uint256IsZero(liquidity) ? UNIV3_ERR_ZERO_LIQUIDITY : UNIV3_ERR_OVERFLOW;
		if (!Uint256Add(sqrt_p, &quotient, r) || Uint256Cmp(r, &UNIV3_MAX_UINT160) > 0)
			return UNIV3_ERR_OVERFLOW;
		return UNIV3_OK;
	}
	else
	{
		if (Uint256Cmp(amount, &UNIV3_MAX_UINT160) <= 0)
		{
			Uint256		shifted;

			Uint256Shl(amount, 96, &shifted);
			if (Uint256IsZero(liquidity))
				Uint256FromUint64(&quotient, 0);	/* UnsafeMath: x / 0 = 0 */
			else
				DivRoundingUp(&shifted, liquidity, &quotient);
		}
		else if (!Uint256MulDiv(amount, &UNIV3_Q96, liquidity, true, &quotient))
			return Uint256IsZero(liquidity) ? UNIV3_ERR_ZERO_LIQUIDITY : UNIV3_ERR_OVERFLOW;
		if (Uint256Cmp(sqrt_p, &quotient) <= 0)
			return UNIV3_ERR_RESERVES;
		(void) Uint256Sub(sqrt_p, &quotient, r);
		return UNIV3_OK;
	}
}

/* getNextSqrtPriceFromInput: the price after amount_in of the input token. */
Univ3Status
Univ3NextSqrtPriceFromInput(const Uint256 *sqrt_price, const Uint256 *liquidity,
							const Uint256 *amount_in, bool zero_for_one, Uint256 *r)
{
	if (Uint256IsZero(sqrt_price))
		return UNIV3_ERR_ZERO_PRICE;
	if (Uint256IsZero(liquidity))
		return UNIV3_ERR_ZERO_LIQUIDITY;
	return zero_for_one
		? NextFromAmount0RoundingUp(sqrt_price, liquidity, amount_in, true, r)
		: NextFromAmount1RoundingDown(sqrt_price, liquidity, amount_in, true, r);
}

/* getNextSqrtPriceFromOutput: the price after amount_out of the output token. */
Univ3Status
Univ3NextSqrtPriceFromOutput(const Uint256 *sqrt_price, const Uint256 *liquidity,
							 const Uint256 *amount_out, bool zero_for_one, Uint256 *r)
{
	if (Uint256IsZero(sqrt_price))
		return UNIV3_ERR_ZERO_PRICE;
	if (Uint256IsZero(liquidity))
		return UNIV3_ERR_ZERO_LIQUIDITY;
	return zero_for_one
		? NextFromAmount1RoundingDown(sqrt_price, liquidity, amount_out, false, r)
		: NextFromAmount0RoundingUp(sqrt_price, liquidity, amount_out, false, r);
}
