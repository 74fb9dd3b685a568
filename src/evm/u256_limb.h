/*
 * src/evm/u256_limb.h
 *
 * Limb-level division primitives shared by the 256-bit arithmetic of
 * u256_math.c and the protocol math that works on 128-bit operands (Morpho
 * Blue's uint128 totals, Aave's rays): a 2-by-1 limb division, Möller and
 * Granlund's reciprocal 3-by-2 division (with the divisor prepared once when
 * it is a constant), and from them an exact floor(x * y / d) for x, y, d
 * below 2^128, plus the conversions between a Uint256 that fits 128 bits
 * and a native integer.  All static inline, so a caller's constants fold and
 * no call is paid per operation; nothing allocates or raises.
 */
#ifndef AMPLIFIED_U256_LIMB_H
#define AMPLIFIED_U256_LIMB_H

#include "postgres.h"

#include "evm/evm.h"

/* Whether a uint256 fits 128 bits (its two high limbs are zero). */
static inline bool
Uint256FitsU128(const Uint256 *a)
{
	return (a->w[2] | a->w[3]) == 0;
}

/* The low 128 bits of a, all of it when Uint256FitsU128(a). */
static inline uint128
Uint256Lo128(const Uint256 *a)
{
	return ((uint128) a->w[1] << 64) | a->w[0];
}

/* Set r to the 128-bit value v. */
static inline void
Uint256FromU128(Uint256 *r, uint128 v)
{
	r->w[0] = (uint64) v;
	r->w[1] = (uint64) (v >> 64);
	r->w[2] = r->w[3] = 0;
}

/*
 * q = (hi * 2^64 + lo) / d and *rem the remainder, for hi < d (so q fits in
 * 64 bits).  On x86-64 this is one divq; elsewhere the compiler's 128-bit
 * division.
 */
static inline uint64
U256Div2By1(uint64 hi, uint64 lo, uint64 d, uint64 *rem)
{
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
	uint64		q,
				r;

	__asm__("divq %4" : "=a"(q), "=d"(r) : "a"(lo), "d"(hi), "rm"(d));
	*rem = r;
	return q;
#else
	uint128		n = ((uint128) hi << 64) | lo;
	uint64		q = (uint64) (n / d);

	*rem = (uint64) (n - (uint128) q * d);
	return q;
#endif
}

/*
 * The reciprocal of the normalized two-limb divisor (d1, d0), d1's top bit
 * set: floor((2^192 - 1) / (d1, d0)) - 2^64 (Moller and Granlund, "Improved
 * division by invariant integers", IEEE Trans. Computers 60(2), 2011,
 * algorithm 6).  One divq here replaces one per quotient limb in
 * U256Div3By2.
 */
static inline uint64
U256Reciprocal3By2(uint64 d1, uint64 d0)
{
	uint64		rem;
	uint64		v = U256Div2By1(~d1, ~UINT64CONST(0), d1, &rem);	/* 2-by-1 reciprocal */
	uint64		p = d1 * v + d0;
	uint128		t;
	uint64		t1,
				t0;

	if (p < d0)
	{
		v--;
		if (p >= d1)
		{
			v--;
			p -= d1;
		}
		p -= d1;
	}
	t = (uint128) v * d0;
	t1 = (uint64) (t >> 64);
	t0 = (uint64) t;
	p += t1;
	if (p < t1)
	{
		v--;
		if (p > d1 || (p == d1 && t0 >= d0))
			v--;
	}
	return v;
}

/*
 * The quotient limb of (u2, u1, u0) / (d1, d0) for a normalized divisor with
 * reciprocal v and (u2, u1) < (d1, d0); the remainder goes to (*r1, *r0).
 * Multiplications only (Moller and Granlund, algorithm 5).
 */
static pg_attribute_always_inline uint64
U256Div3By2(uint64 u2, uint64 u1, uint64 u0, uint64 d1, uint64 d0, uint64 v,
			uint64 *r1, uint64 *r0)
{
	uint128		d = ((uint128) d1 << 64) | d0;
	uint128		q = (uint128) v * u2 + (((uint128) u2 << 64) | u1);
	uint64		q1 = (uint64) (q >> 64);
	uint64		q0 = (uint64) q;
	uint128		r;

	r = (((uint128) (u1 - q1 * d1) << 64) | u0) - (uint128) d0 * q1 - d;
	q1++;
	if ((uint64) (r >> 64) >= q0)
	{
		q1--;
		r += d;
	}
	if (r >= d)
	{
		q1++;
		r -= d;
	}
	*r1 = (uint64) (r >> 64);
	*r0 = (uint64) r;
	return q1;
}

/*
 * A divisor of 65 to 128 bits prepared for U256Div3By2: d itself, its
 * normalized limbs (dn1, dn0), the shift s and the reciprocal v.  Preparing
 * costs one divq (U256Reciprocal3By2); a constant divisor is prepared once.
 */
typedef struct U256Div2
{
	uint128		d;
	uint64		dn1;
	uint64		dn0;
	uint64		v;
	int			s;
} U256Div2;

/* Prepare d, 2^64 <= d < 2^128. */
static inline void
U256Div2Prepare(uint128 d, U256Div2 *p)
{
	uint64		d1 = (uint64) (d >> 64);
	int			s = __builtin_clzll(d1);

	p->d = d;
	p->s = s;
	p->dn1 = (d1 << s) | (((uint64) d >> 1) >> (63 - s));
	p->dn0 = (uint64) d << s;
	p->v = U256Reciprocal3By2(p->dn1, p->dn0);
}

/*
 * A constant divisor d (2^64 <= d < 2^128) prepared in *p on first use and
 * kept (p is a caller's static, zeroed until then): the reciprocal costs a
 * divq once per backend instead of once per division.
 */
static inline const U256Div2 *
U256Div2Constant(U256Div2 *p, const Uint256 *d)
{
	if (unlikely(p->d == 0))
		U256Div2Prepare(Uint256Lo128(d), p);
	return p;
}

/*
 * q = floor(p / d) for a 256-bit p (four limbs) and a prepared two-limb d
 * when the quotient fits 128 bits, that is when p's high half is below d;
 * false otherwise.  *inexact says whether the remainder is nonzero.  Two
 * reciprocal 3-by-2 steps; p's high half, shifted, stays below the shifted
 * divisor and loses no bits.
 */
static pg_attribute_always_inline bool
U256Div256ByPre2(const uint64 p[4], const U256Div2 *d, uint128 *q, bool *inexact)
{
	int			s = d->s;
	int			rs = 63 - s;
	uint64		r1,
				r0,
				q1,
				q0;

	if ((((uint128) p[3] << 64) | p[2]) >= d->d)
		return false;
	q1 = U256Div3By2((p[3] << s) | ((p[2] >> 1) >> rs),
					 (p[2] << s) | ((p[1] >> 1) >> rs),
					 (p[1] << s) | ((p[0] >> 1) >> rs),
					 d->dn1, d->dn0, d->v, &r1, &r0);
	q0 = U256Div3By2(r1, r0, p[0] << s, d->dn1, d->dn0, d->v, &r1, &r0);
	*q = ((uint128) q1 << 64) | q0;
	*inexact = (r1 | r0) != 0;
	return true;
}

/*
 * The exact 256-bit product of x and y (both below 2^128) as four limbs,
 * least significant first.  One multiplication when both fit 64 bits.
 */
static pg_attribute_always_inline void
U256Mul128(uint128 x, uint128 y, uint64 p[4])
{
	uint64		x0 = (uint64) x,
				x1 = (uint64) (x >> 64),
				y0 = (uint64) y,
				y1 = (uint64) (y >> 64);
	uint128		ll = (uint128) x0 * y0;

	p[0] = (uint64) ll;
	if ((x1 | y1) == 0)
	{
		p[1] = (uint64) (ll >> 64);
		p[2] = p[3] = 0;
	}
	else
	{
		uint128		lh = (uint128) x0 * y1;
		uint128		hl = (uint128) x1 * y0;
		uint128		mid = (ll >> 64) + (uint64) lh + (uint64) hl;
		uint128		hi = (uint128) x1 * y1 + (lh >> 64) + (hl >> 64) + (mid >> 64);

		p[1] = (uint64) mid;
		p[2] = (uint64) hi;
		p[3] = (uint64) (hi >> 64);
	}
}

/*
 * q = floor(p / d) for a 256-bit p (four limbs) and a nonzero d below
 * 2^128, when the quotient fits 128 bits, that is when p's high half is
 * below d; false otherwise (q untouched).  *inexact says whether the
 * remainder is nonzero.  A one-limb d takes two divq; a two-limb d is
 * normalized and takes two reciprocal 3-by-2 steps (one divq in all).
 */
static inline bool
U256Div256By128(const uint64 p[4], uint128 d, uint128 *q, bool *inexact)
{
	uint64		d1 = (uint64) (d >> 64);

	if (d1 == 0)
	{
		uint64		d0 = (uint64) d;
		uint64		q1,
					q0,
					r;

		if (p[3] != 0 || p[2] >= d0)
			return false;
		if (p[1] < d0 && p[2] == 0)
		{
			q1 = 0;
			r = p[1];
		}
		else
			q1 = U256Div2By1(p[2], p[1], d0, &r);
		q0 = U256Div2By1(r, p[0], d0, &r);
		*q = ((uint128) q1 << 64) | q0;
		*inexact = r != 0;
		return true;
	}
	else
	{
		U256Div2	dv;

		if ((((uint128) p[3] << 64) | p[2]) >= d)
			return false;
		U256Div2Prepare(d, &dv);
		return U256Div256ByPre2(p, &dv, q, inexact);
	}
}

/*
 * floor(x * y / d) for x, y and a nonzero d all below 2^128, exact, when
 * the quotient fits 128 bits; false otherwise (the caller takes its general
 * 256-bit path).  *inexact says whether the division left a remainder, for
 * callers that round up.
 */
static inline bool
U256MulDiv128(uint128 x, uint128 y, uint128 d,
			  uint128 *q, bool *inexact)
{
	uint64		p[4];

	U256Mul128(x, y, p);
	return U256Div256By128(p, d, q, inexact);
}

#endif							/* AMPLIFIED_U256_LIMB_H */
