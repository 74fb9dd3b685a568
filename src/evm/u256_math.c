/*
 * src/evm/u256_math.c
 *
 * Pure 256-bit integer arithmetic for uint256 and int256: add, subtract,
 * multiply with overflow detection, division (Knuth's algorithm D on 64-bit
 * limbs, with Möller and Granlund's reciprocal quotient estimates), the 512-bit mul-div of Uniswap's FullMath, powers, square roots,
 * bit operations, and conversion from and to decimal, hex and big-endian
 * bytes.  Nothing here allocates or raises errors: callers get a bool or a
 * status and word the error themselves, so the code can be tested and reused
 * by the other modules (Uniswap v3 math, ABI, RLP) as plain C.
 */
#include "postgres.h"

#include "evm/codec.h"
#include "evm/evm.h"
#include "evm/u256_limb.h"

#define TOP_BIT		UINT64CONST(0x8000000000000000)
#define POW10_19	UINT64CONST(10000000000000000000)

/* Set r to the small value v. */
void
Uint256FromUint64(Uint256 *r, uint64 v)
{
	r->w[0] = v;
	r->w[1] = r->w[2] = r->w[3] = 0;
}

/* True when a is zero. */
bool
Uint256IsZero(const Uint256 *a)
{
	return (a->w[0] | a->w[1] | a->w[2] | a->w[3]) == 0;
}

/* Unsigned three-way comparison: -1, 0 or 1. */
int
Uint256Cmp(const Uint256 *a, const Uint256 *b)
{
	int			i;

	for (i = 3; i >= 0; i--)
	{
		if (a->w[i] != b->w[i])
			return a->w[i] < b->w[i] ? -1 : 1;
	}
	return 0;
}

/* r = a + b; false when the sum needs a 257th bit (r is then wrapped). */
bool
Uint256Add(const Uint256 *a, const Uint256 *b, Uint256 *r)
{
	uint128		t = 0;
	int			i;

	for (i = 0; i < 4; i++)
	{
		t += (uint128) a->w[i] + b->w[i];
		r->w[i] = (uint64) t;
		t >>= 64;
	}
	return t == 0;
}

/* r = a - b; false when b > a (r is then wrapped). */
bool
Uint256Sub(const Uint256 *a, const Uint256 *b, Uint256 *r)
{
	uint64		borrow = 0;
	int			i;

	for (i = 0; i < 4; i++)
	{
		uint64		x = a->w[i];
		uint64		y = b->w[i];
		uint64		d = x - y - borrow;

		borrow = (x < y) || (x - y < borrow);
		r->w[i] = d;
	}
	return borrow == 0;
}

/* Number of significant limbs in an array of n limbs (0 for zero). */
static inline int
SignificantLimbs(const uint64 *x, int n)
{
	while (n > 0 && x[n - 1] == 0)
		n--;
	return n;
}

/*
 * r[0 .. la+lb-1] = a * b for little-endian limb arrays of la >= 1 and
 * lb >= 1 limbs.  Only the significant limbs are multiplied, so the 128-bit
 * operands that are common in practice cost four multiplications, not
 * sixteen; every limb of r it covers is written, none is read first.
 */
static inline void
MulLimbs(const uint64 *a, int la, const uint64 *b, int lb, uint64 *r)
{
	uint64		carry = 0;
	int			i,
				j;

	for (j = 0; j < lb; j++)
	{
		uint128		t = (uint128) a[0] * b[j] + carry;

		r[j] = (uint64) t;
		carry = (uint64) (t >> 64);
	}
	r[lb] = carry;
	for (i = 1; i < la; i++)
	{
		carry = 0;
		for (j = 0; j < lb; j++)
		{
			uint128		t = (uint128) a[i] * b[j] + r[i + j] + carry;

			r[i + j] = (uint64) t;
			carry = (uint64) (t >> 64);
		}
		r[i + lb] = carry;
	}
}

/* The full 512-bit product of a and b, eight limbs least significant first. */
void
Uint256MulFull(const Uint256 *a, const Uint256 *b, uint64 r[8])
{
	int			la = SignificantLimbs(a->w, 4);
	int			lb = SignificantLimbs(b->w, 4);
	int			i;

	if (la == 0 || lb == 0)
	{
		memset(r, 0, 8 * sizeof(uint64));
		return;
	}
	MulLimbs(a->w, la, b->w, lb, r);
	for (i = la + lb; i < 8; i++)
		r[i] = 0;
}

/* r = a * b; false when the product does not fit in 256 bits. */
bool
Uint256Mul(const Uint256 *a, const Uint256 *b, Uint256 *r)
{
	uint64		p[8];

	Uint256MulFull(a, b, p);
	memcpy(r->w, p, 4 * sizeof(uint64));
	return (p[4] | p[5] | p[6] | p[7]) == 0;
}

/*
 * DivModLimbs for a two-limb divisor (the common case of a 65- to 128-bit c
 * in mul_div): each quotient limb comes from a 3-by-2 division by
 * reciprocal, one divq in all instead of one per limb and no correction
 * loop.  The numerator is normalized on the fly, without branches on the
 * shift s: (x >> 1) >> (63 - s) is x >> (64 - s) and 0 when s is 0.  The
 * running remainder starts as the top two normalized limbs, below the divisor
 * because the top one holds at most s < 64 bits.  m >= 2.  Inlined, so that
 * a caller passing a constant m gets the loop unrolled.
 */
static pg_attribute_always_inline void
DivModBy2(const uint64 *u, int m, const uint64 *v, uint64 *q, uint64 *r)
{
	int			s = __builtin_clzll(v[1]);
	int			rs = 63 - s;
	uint64		d1 = (v[1] << s) | ((v[0] >> 1) >> rs);
	uint64		d0 = v[0] << s;
	uint64		rv = U256Reciprocal3By2(d1, d0);
	uint64		r1 = (u[m - 1] >> 1) >> rs;
	uint64		r0 = (u[m - 1] << s) | ((u[m - 2] >> 1) >> rs);
	int			j;

	for (j = m - 2; j >= 0; j--)
	{
		uint64		uj = (u[j] << s) | (j > 0 ? (u[j - 1] >> 1) >> rs : 0);
		uint64		qd = U256Div3By2(r1, r0, uj, d1, d0, rv, &r1, &r0);

		if (q)
			q[j] = qd;
	}
	if (r)
	{
		r[0] = (r0 >> s) | ((r1 << 1) << rs);
		r[1] = r1 >> s;
	}
}

/*
 * r[0 .. n-1] -= q * v[0 .. n-1]; returns the borrow out of the top limb
 * (GMP's mpn_submul_1).
 */
static inline uint64
SubMul1(uint64 *r, const uint64 *v, int n, uint64 q)
{
	uint64		cy = 0;
	int			i;

	for (i = 0; i < n; i++)
	{
		uint128		p = (uint128) q * v[i] + cy;
		uint64		lo = (uint64) p;
		uint64		x = r[i];

		cy = (uint64) (p >> 64) + (x < lo);
		r[i] = x - lo;
	}
	return cy;
}

/* r[0 .. n-1] += v[0 .. n-1]; returns the carry out of the top limb. */
static inline uint64
AddN(uint64 *r, const uint64 *v, int n)
{
	uint64		cy = 0;
	int			i;

	for (i = 0; i < n; i++)
	{
		uint128		t = (uint128) r[i] + v[i] + cy;

		r[i] = (uint64) t;
		cy = (uint64) (t >> 64);
	}
	return cy;
}

/*
 * q = u / v and r = u % v for little-endian limb arrays: u has m <= 8 limbs,
 * v has n <= 4 limbs with v[n-1] != 0, and m >= n.  q receives m - n + 1
 * limbs and r receives n limbs; either may be NULL.  One limb divisors use
 * divq per limb, two limb ones DivModBy2.  Longer divisors use schoolbook
 * division (Knuth, TAOCP vol. 2, 4.3.1, algorithm D) with each quotient limb
 * taken from the top three numerator limbs and the top two divisor limbs by
 * the 3-by-2 reciprocal division of U256Div3By2, as GMP's mpn_sbpi1_div_qr does:
 * one divq for the whole division, and the estimate is exact or one too
 * large, so a single add-back corrects it.
 */
static void
DivModLimbs(const uint64 *u, int m, const uint64 *v, int n, uint64 *q, uint64 *r)
{
	uint64		un[9];
	uint64		vn[4];
	uint64		d1,
				d0,
				dinv,
				n1;
	int			s,
				i,
				j;

	if (n == 1)
	{
		uint64		rem = 0;

		for (i = m - 1; i >= 0; i--)
		{
			uint64		qd = U256Div2By1(rem, u[i], v[0], &rem);

			if (q)
				q[i] = qd;
		}
		if (r)
			r[0] = rem;
		return;
	}

	if (n == 2)
	{
		DivModBy2(u, m, v, q, r);
		return;
	}

	/* Normalize so the divisor's top bit is set; un[m] takes the spill. */
	s = __builtin_clzll(v[n - 1]);
	for (i = n - 1; i > 0; i--)
		vn[i] = (v[i] << s) | (s ? v[i - 1] >> (64 - s) : 0);
	vn[0] = v[0] << s;
	un[m] = s ? u[m - 1] >> (64 - s) : 0;
	for (i = m - 1; i > 0; i--)
		un[i] = (u[i] << s) | (s ? u[i - 1] >> (64 - s) : 0);
	un[0] = u[0] << s;

	/*
	 * The window un[j .. j+n] holds the running remainder (below the divisor
	 * once its top limb, kept in n1, is dropped).  un[m] < 2^s <= vn[n-1],
	 * so the first window's top two limbs are below (d1, d0) as U256Div3By2
	 * requires; each step keeps it so.
	 */
	d1 = vn[n - 1];
	d0 = vn[n - 2];
	dinv = U256Reciprocal3By2(d1, d0);
	n1 = un[m];
	for (j = m - n; j >= 0; j--)
	{
		uint64		qd;

		if (unlikely(n1 == d1 && un[j + n - 1] == d0))
		{
			/* the quotient limb is 2^64 - 1; the borrow cancels n1 */
			qd = ~UINT64CONST(0);
			(void) SubMul1(un + j, vn, n, qd);
			n1 = un[j + n - 1];
		}
		else
		{
			uint64		r1,
						r0,
						cy,
						cy1;

			qd = U256Div3By2(n1, un[j + n - 1], un[j + n - 2], d1, d0, dinv, &r1, &r0);
			cy = SubMul1(un + j, vn, n - 2, qd);
			cy1 = r0 < cy;
			r0 -= cy;
			cy = r1 < cy1;
			r1 -= cy1;
			un[j + n - 2] = r0;
			if (unlikely(cy != 0))
			{
				/* one too large: add the divisor back */
				r1 += d1 + AddN(un + j, vn, n - 1);
				qd--;
			}
			n1 = r1;
		}
		un[j + n - 1] = n1;
		if (q)
			q[j] = qd;
	}

	/* Unnormalize the remainder. */
	if (r)
	{
		for (i = 0; i < n - 1; i++)
			r[i] = (un[i] >> s) | (s ? un[i + 1] << (64 - s) : 0);
		r[n - 1] = un[n - 1] >> s;
	}
}

/*
 * q = a / b and rem = a % b (either may be NULL); false when b is zero.
 */
bool
Uint256DivMod(const Uint256 *a, const Uint256 *b, Uint256 *q, Uint256 *rem)
{
	int			n = SignificantLimbs(b->w, 4);
	int			m = SignificantLimbs(a->w, 4);
	uint64		qq[4] = {0, 0, 0, 0};
	uint64		rr[4] = {0, 0, 0, 0};

	if (n == 0)
		return false;
	if (m < n || Uint256Cmp(a, b) < 0)
	{
		if (rem)
			*rem = *a;
		if (q)
			Uint256FromUint64(q, 0);
		return true;
	}
	DivModLimbs(a->w, m, b->w, n, qq, rr);
	if (q)
		memcpy(q->w, qq, sizeof(qq));
	if (rem)
		memcpy(rem->w, rr, sizeof(rr));
	return true;
}

/*
 * r = floor(a * b / c), or the ceiling when round_up, computed with the full
 * 512-bit product as Uniswap's FullMath.mulDiv and mulDivRoundingUp do.
 * False when c is zero or the result does not fit in 256 bits.  Only the
 * significant limbs of each operand take part, so the usual case of 128-bit
 * operands multiplies 2 by 2 limbs and divides 4 limbs by 2.
 */
bool
Uint256MulDiv(const Uint256 *a, const Uint256 *b, const Uint256 *c,
			  bool round_up, Uint256 *r)
{
	uint64		p[8];
	uint64		qq[8];
	uint64		rr[4];
	int			la = SignificantLimbs(a->w, 4);
	int			lb = SignificantLimbs(b->w, 4);
	int			n = SignificantLimbs(c->w, 4);
	int			m;
	int			i;
	bool		inexact = false;

	if (n == 0)
		return false;
	if (la == 0 || lb == 0)
	{
		Uint256FromUint64(r, 0);
		return true;
	}
	if (la <= 2 && lb <= 2 && n <= 2)
	{
		/*
		 * All three below 2^128 and c not a power of two (those are shifts,
		 * below): the inline 256-by-128 division, when the quotient fits
		 * 128 bits (it falls through otherwise).
		 */
		uint128		cc = ((uint128) c->w[1] << 64) | c->w[0];
		uint128		q;

		if ((cc & (cc - 1)) != 0 &&
			U256MulDiv128(((uint128) a->w[1] << 64) | a->w[0],
						  ((uint128) b->w[1] << 64) | b->w[0], cc, &q, &inexact))
		{
			r->w[2] = r->w[3] = 0;
			if (round_up && inexact && ++q == 0)
				r->w[2] = 1;	/* the ceiling is 2^128 */
			r->w[0] = (uint64) q;
			r->w[1] = (uint64) (q >> 64);
			return true;
		}
	}
	if (la <= 2 && lb <= 2)
	{
		/* 128 x 128 bits, straight-line: the product fits in 256 bits */
		uint64		a0 = a->w[0],
					a1 = a->w[1],
					b0 = b->w[0],
					b1 = b->w[1];
		uint128		ll = (uint128) a0 * b0;
		uint128		lh = (uint128) a0 * b1;
		uint128		hl = (uint128) a1 * b0;
		uint128		mid = (ll >> 64) + (uint64) lh + (uint64) hl;
		uint128		hi = (uint128) a1 * b1 + (lh >> 64) + (hl >> 64) + (mid >> 64);

		p[0] = (uint64) ll;
		p[1] = (uint64) mid;
		p[2] = (uint64) hi;
		p[3] = (uint64) (hi >> 64);
		m = SignificantLimbs(p, 4);
	}
	else
	{
		MulLimbs(a->w, la, b->w, lb, p);
		m = SignificantLimbs(p, la + lb);
	}

	/*
	 * The quotient fits in 256 bits exactly when the high half p[4..7] is
	 * below c; it is zero when the product has at most four limbs.
	 */
	if (m - 4 > n)
		return false;
	if (m - 4 == n)
	{
		for (i = n - 1; i >= 0; i--)
		{
			if (p[4 + i] != c->w[i])
				break;
		}
		if (i < 0 || p[4 + i] > c->w[i])
			return false;
	}

	if (m < n)
	{
		/* product < c (it has fewer limbs): quotient 0, remainder nonzero */
		Uint256FromUint64(r, 0);
		inexact = true;
	}
	else
	{
		/*
		 * m - n + 1 quotient limbs; those past the fourth are zero.  A power
		 * of two (Uniswap's Q96 and Q128) is a shift; the commonest other
		 * shape, 256 bits by 65 to 128, gets an unrolled division.
		 */
		if ((c->w[n - 1] & (c->w[n - 1] - 1)) == 0 &&
			SignificantLimbs(c->w, n - 1) == 0)
		{
			int			k = 64 * (n - 1) + __builtin_ctzll(c->w[n - 1]);
			int			limb = k / 64;
			int			bit = k % 64;

			for (i = 0; i < 4; i++)
			{
				int			src = i + limb;
				uint64		lo = src < m ? p[src] : 0;
				uint64		hi = src + 1 < m ? p[src + 1] : 0;

				r->w[i] = bit ? (lo >> bit) | (hi << (64 - bit)) : lo;
			}
			for (i = 0; i < limb; i++)
				inexact |= (p[i] != 0);
			if (bit)
				inexact |= (p[limb] << (64 - bit)) != 0;
		}
		else
		{
			if (m == 4 && n == 2)
				DivModBy2(p, 4, c->w, qq, rr);
			else
				DivModLimbs(p, m, c->w, n, qq, rr);
			for (i = 0; i < 4; i++)
				r->w[i] = i <= m - n ? qq[i] : 0;
			for (i = 0; i < n; i++)
				inexact |= (rr[i] != 0);
		}
	}
	if (round_up && inexact)
	{
		Uint256		one;

		Uint256FromUint64(&one, 1);
		if (!Uint256Add(r, &one, r))
			return false;
	}
	return true;
}

/*
 * r = base ** exp; false on overflow.  Left-to-right square-and-multiply:
 * every intermediate is base raised to a prefix of exp, so it never exceeds
 * the final result and an overflow on the way means the result overflows.
 */
bool
Uint256Pow(const Uint256 *base, const Uint256 *exp, Uint256 *r)
{
	Uint256		acc;
	Uint256		b = *base;
	int			bit;

	if (Uint256IsZero(exp))
	{
		Uint256FromUint64(r, 1);
		return true;
	}
	if (Uint256IsZero(&b) || (b.w[0] == 1 && (b.w[1] | b.w[2] | b.w[3]) == 0))
	{
		*r = b;
		return true;
	}
	/* base >= 2: an exponent of 256 or more always overflows */
	if (Uint256Msb(exp) >= 8)
		return false;
	Uint256FromUint64(&acc, 1);
	for (bit = Uint256Msb(exp); bit >= 0; bit--)
	{
		if (!Uint256Mul(&acc, &acc, &acc))
			return false;
		if ((exp->w[0] >> bit) & 1)
		{
			if (!Uint256Mul(&acc, &b, &acc))
				return false;
		}
	}
	*r = acc;
	return true;
}

/* r = floor(sqrt(a)), by Newton's iteration from a power of two above it. */
void
Uint256Sqrt(const Uint256 *a, Uint256 *r)
{
	Uint256		x;
	Uint256		y;
	Uint256		q;
	int			msb = Uint256Msb(a);

	if (msb < 0)
	{
		Uint256FromUint64(r, 0);
		return;
	}
	/* x = 2^ceil((msb + 1) / 2) >= sqrt(a) */
	Uint256FromUint64(&x, 1);
	Uint256Shl(&x, (msb + 2) / 2, &x);
	for (;;)
	{
		/* y = (x + a / x) / 2; cannot overflow as x <= 2^128 */
		Uint256DivMod(a, &x, &q, NULL);
		Uint256Add(&x, &q, &y);
		Uint256Shr(&y, 1, &y);
		if (Uint256Cmp(&y, &x) >= 0)
			break;
		x = y;
	}
	*r = x;
}

/* Index of the most significant set bit, or -1 when a is zero. */
int
Uint256Msb(const Uint256 *a)
{
	int			i;

	for (i = 3; i >= 0; i--)
	{
		if (a->w[i] != 0)
			return i * 64 + 63 - __builtin_clzll(a->w[i]);
	}
	return -1;
}

/* Index of the least significant set bit, or -1 when a is zero. */
int
Uint256Lsb(const Uint256 *a)
{
	int			i;

	for (i = 0; i < 4; i++)
	{
		if (a->w[i] != 0)
			return i * 64 + __builtin_ctzll(a->w[i]);
	}
	return -1;
}

/* r = a << n, dropping the bits shifted out; n >= 256 gives 0. */
void
Uint256Shl(const Uint256 *a, int n, Uint256 *r)
{
	Uint256		t;
	int			limbs = n / 64;
	int			bits = n % 64;
	int			i;

	Assert(n >= 0);
	for (i = 3; i >= 0; i--)
	{
		uint64		v = 0;

		if (n < 256 && i - limbs >= 0)
		{
			v = a->w[i - limbs] << bits;
			if (bits && i - limbs - 1 >= 0)
				v |= a->w[i - limbs - 1] >> (64 - bits);
		}
		t.w[i] = v;
	}
	*r = t;
}

/* r = a >> n (logical); n >= 256 gives 0. */
void
Uint256Shr(const Uint256 *a, int n, Uint256 *r)
{
	Uint256		t;
	int			limbs = n / 64;
	int			bits = n % 64;
	int			i;

	Assert(n >= 0);
	for (i = 0; i < 4; i++)
	{
		uint64		v = 0;

		if (n < 256 && i + limbs < 4)
		{
			v = a->w[i + limbs] >> bits;
			if (bits && i + limbs + 1 < 4)
				v |= a->w[i + limbs + 1] << (64 - bits);
		}
		t.w[i] = v;
	}
	*r = t;
}

/* r = a & b */
void
Uint256And(const Uint256 *a, const Uint256 *b, Uint256 *r)
{
	int			i;

	for (i = 0; i < 4; i++)
		r->w[i] = a->w[i] & b->w[i];
}

/* r = a | b */
void
Uint256Or(const Uint256 *a, const Uint256 *b, Uint256 *r)
{
	int			i;

	for (i = 0; i < 4; i++)
		r->w[i] = a->w[i] | b->w[i];
}

/* r = a ^ b */
void
Uint256Xor(const Uint256 *a, const Uint256 *b, Uint256 *r)
{
	int			i;

	for (i = 0; i < 4; i++)
		r->w[i] = a->w[i] ^ b->w[i];
}

/* r = ~a */
void
Uint256Not(const Uint256 *a, Uint256 *r)
{
	int			i;

	for (i = 0; i < 4; i++)
		r->w[i] = ~a->w[i];
}

/* *r = a when a fits in 64 bits; false otherwise. */
bool
Uint256ToUint64(const Uint256 *a, uint64 *r)
{
	if ((a->w[1] | a->w[2] | a->w[3]) != 0)
		return false;
	*r = a->w[0];
	return true;
}

/* r = r * mul + add for small mul and add; returns the carry out. */
static uint64
MulSmallAdd(Uint256 *r, uint64 mul, uint64 add)
{
	uint128		carry = add;
	int			i;

	for (i = 0; i < 4; i++)
	{
		carry += (uint128) r->w[i] * mul;
		r->w[i] = (uint64) carry;
		carry >>= 64;
	}
	return (uint64) carry;
}

/* Divide r in place by a small d; returns the remainder. */
static uint64
DivSmall(Uint256 *r, uint64 d)
{
	uint64		rem = 0;
	int			i;

	for (i = 3; i >= 0; i--)
		r->w[i] = U256Div2By1(rem, r->w[i], d, &rem);
	return rem;
}

/*
 * Parse exactly len decimal digits (no sign, no spaces; leading zeros are
 * fine).  Nineteen digits at a time keep the multiply count low.
 */
Uint256ParseStatus
Uint256FromDecimal(const char *s, size_t len, Uint256 *r)
{
	size_t		i = 0;

	if (len == 0)
		return UINT256_PARSE_SYNTAX;
	for (i = 0; i < len; i++)
	{
		if (s[i] < '0' || s[i] > '9')
			return UINT256_PARSE_SYNTAX;
	}
	Uint256FromUint64(r, 0);
	i = 0;
	while (i < len)
	{
		size_t		n = Min(len - i, 19);
		uint64		chunk = 0;
		uint64		mul = 1;
		size_t		k;

		for (k = 0; k < n; k++)
		{
			chunk = chunk * 10 + (uint64) (s[i + k] - '0');
			mul *= 10;
		}
		if (MulSmallAdd(r, mul, chunk) != 0)
			return UINT256_PARSE_RANGE;
		i += n;
	}
	return UINT256_PARSE_OK;
}

/* Parse exactly len hex digits, without a prefix; leading zeros are fine. */
Uint256ParseStatus
Uint256FromHex(const char *s, size_t len, Uint256 *r)
{
	size_t		i;
	size_t		first = 0;

	if (len == 0)
		return UINT256_PARSE_SYNTAX;
	for (i = 0; i < len; i++)
	{
		if (CodecHexDigit(s[i]) < 0)
			return UINT256_PARSE_SYNTAX;
	}
	while (first < len && s[first] == '0')
		first++;
	if (len - first > 64)
		return UINT256_PARSE_RANGE;
	Uint256FromUint64(r, 0);
	for (i = first; i < len; i++)
	{
		size_t		pos = len - 1 - i;	/* nibble index from the right */

		r->w[pos / 16] |= (uint64) CodecHexDigit(s[i]) << (4 * (pos % 16));
	}
	return UINT256_PARSE_OK;
}

/* isspace() as int8's input uses it, independent of the locale. */
static inline bool
IsSpace(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

/*
 * Parse an integer literal: optional surrounding whitespace, an optional
 * sign, then decimal digits or 0x/0X and hex digits.  Gives the magnitude
 * and whether a minus sign was present; the caller checks the range.
 */
Uint256ParseStatus
Uint256ParseMagnitude(const char *str, bool *negative, Uint256 *r)
{
	const char *p = str;
	const char *start;
	const char *end;

	*negative = false;
	while (IsSpace(*p))
		p++;
	if (*p == '+' || *p == '-')
	{
		*negative = (*p == '-');
		p++;
	}
	start = p;
	end = start + strlen(start);
	while (end > start && IsSpace(end[-1]))
		end--;
	if (end - start > 2 && start[0] == '0' && (start[1] == 'x' || start[1] == 'X'))
		return Uint256FromHex(start + 2, end - start - 2, r);
	return Uint256FromDecimal(start, end - start, r);
}

/* Parse a uint256 literal; "-0" is zero, any other negative is out of range. */
Uint256ParseStatus
Uint256FromText(const char *str, Uint256 *r)
{
	bool		negative;
	Uint256ParseStatus st = Uint256ParseMagnitude(str, &negative, r);

	if (st == UINT256_PARSE_OK && negative && !Uint256IsZero(r))
		return UINT256_PARSE_RANGE;
	return st;
}

/* Write a in decimal to buf (UINT256_DEC_BUFLEN bytes); returns the length. */
int
Uint256ToDecimal(const Uint256 *a, char *buf)
{
	Uint256		t = *a;
	uint64		chunks[5];
	int			nchunks = 0;
	int			len;
	int			i;

	do
	{
		chunks[nchunks++] = DivSmall(&t, POW10_19);
	} while (!Uint256IsZero(&t));

	len = sprintf(buf, "%llu", (unsigned long long) chunks[nchunks - 1]);
	for (i = nchunks - 2; i >= 0; i--)
		len += sprintf(buf + len, "%019llu", (unsigned long long) chunks[i]);
	return len;
}

/* Write "0x" and the minimal lowercase hex digits ("0x0" for zero). */
int
Uint256ToHex(const Uint256 *a, char *buf)
{
	static const char digits[] = "0123456789abcdef";
	int			msb = Uint256Msb(a);
	int			n = msb < 0 ? 1 : msb / 4 + 1;
	int			i;

	buf[0] = '0';
	buf[1] = 'x';
	for (i = 0; i < n; i++)
	{
		int			pos = n - 1 - i;

		buf[2 + i] = digits[(a->w[pos / 16] >> (4 * (pos % 16))) & 0xf];
	}
	buf[2 + n] = '\0';
	return 2 + n;
}

/* Read a big-endian unsigned integer of len <= 32 bytes. */
void
Uint256FromBytesBE(const uint8 *p, size_t len, Uint256 *r)
{
	size_t		i;

	Assert(len <= UINT256_BYTES);
	Uint256FromUint64(r, 0);
	for (i = 0; i < len; i++)
	{
		size_t		pos = len - 1 - i;	/* byte index from the right */

		r->w[pos / 8] |= (uint64) p[i] << (8 * (pos % 8));
	}
}

/* Write a as 32 big-endian bytes. */
void
Uint256ToBytesBE(const Uint256 *a, uint8 *out)
{
	int			i;

	for (i = 0; i < UINT256_BYTES; i++)
	{
		int			pos = UINT256_BYTES - 1 - i;

		out[i] = (uint8) (a->w[pos / 8] >> (8 * (pos % 8)));
	}
}

/*
 * An order-preserving 63-bit summary of a for abbreviated sort keys, like a
 * float: the bit length (0..256, nine bits) above the 54 bits that follow the
 * leading one.  Amounts on chain are mostly far below 2^192, so the top limb
 * alone would summarize nothing.
 */
static uint64
Abbrev63(const Uint256 *a)
{
	int			msb = Uint256Msb(a);
	Uint256		t;
	uint64		mant;

	if (msb < 0)
		return 0;
	if (msb >= 54)
		Uint256Shr(a, msb - 54, &t);
	else
		Uint256Shl(a, 54 - msb, &t);
	mant = t.w[0] & ((UINT64CONST(1) << 54) - 1);
	return ((uint64) (msb + 1) << 54) | mant;
}

/* Abbreviated sort key for uint256, compared as unsigned. */
uint64
Uint256AbbrevKey(const Uint256 *a)
{
	return Abbrev63(a);
}

/* ---- int256: two's complement in the same four limbs ---- */

/* True when the int256 a is negative. */
bool
Int256IsNeg(const Uint256 *a)
{
	return (a->w[3] & TOP_BIT) != 0;
}

/* Set r to the int64 v, sign-extended. */
void
Int256FromInt64(Uint256 *r, int64 v)
{
	uint64		ext = v < 0 ? ~UINT64CONST(0) : 0;

	r->w[0] = (uint64) v;
	r->w[1] = r->w[2] = r->w[3] = ext;
}

/* *r = a when a fits in an int64; false otherwise. */
bool
Int256ToInt64(const Uint256 *a, int64 *r)
{
	uint64		ext = (a->w[0] & TOP_BIT) ? ~UINT64CONST(0) : 0;

	if (a->w[1] != ext || a->w[2] != ext || a->w[3] != ext)
		return false;
	*r = (int64) a->w[0];
	return true;
}

/* Signed three-way comparison: -1, 0 or 1. */
int
Int256Cmp(const Uint256 *a, const Uint256 *b)
{
	bool		na = Int256IsNeg(a);
	bool		nb = Int256IsNeg(b);

	if (na != nb)
		return na ? -1 : 1;
	return Uint256Cmp(a, b);
}

/* Two's complement negation, wrapping. */
static void
NegWrap(const Uint256 *a, Uint256 *r)
{
	Uint256		one;

	Uint256Not(a, r);
	Uint256FromUint64(&one, 1);
	(void) Uint256Add(r, &one, r);
}

/* r = -a; false for the minimum value -2^255. */
bool
Int256Neg(const Uint256 *a, Uint256 *r)
{
	bool		was_neg = Int256IsNeg(a);

	NegWrap(a, r);
	/* only -2^255 (and 0) map to themselves; 0 is fine */
	return !(was_neg && Int256IsNeg(r));
}

/* r = |a|; false for -2^255. */
bool
Int256Abs(const Uint256 *a, Uint256 *r)
{
	if (!Int256IsNeg(a))
	{
		*r = *a;
		return true;
	}
	return Int256Neg(a, r);
}

/* r = |a| as an unsigned value (2^255 for the minimum). */
void
Int256Magnitude(const Uint256 *a, Uint256 *r)
{
	if (Int256IsNeg(a))
		NegWrap(a, r);
	else
		*r = *a;
}

/* r = mag or -mag as int256; false when out of range. */
bool
Int256FromMagnitude(const Uint256 *mag, bool negative, Uint256 *r)
{
	if (Int256IsNeg(mag))
	{
		/* mag >= 2^255: only -2^255 itself is representable */
		if (!negative || mag->w[3] != TOP_BIT || (mag->w[0] | mag->w[1] | mag->w[2]) != 0)
			return false;
		*r = *mag;
		return true;
	}
	if (negative)
		NegWrap(mag, r);
	else
		*r = *mag;
	return true;
}

/* r = a + b; false on signed overflow. */
bool
Int256Add(const Uint256 *a, const Uint256 *b, Uint256 *r)
{
	bool		na = Int256IsNeg(a);
	bool		nb = Int256IsNeg(b);

	(void) Uint256Add(a, b, r);
	return !(na == nb && Int256IsNeg(r) != na);
}

/* r = a - b; false on signed overflow. */
bool
Int256Sub(const Uint256 *a, const Uint256 *b, Uint256 *r)
{
	bool		na = Int256IsNeg(a);
	bool		nb = Int256IsNeg(b);

	(void) Uint256Sub(a, b, r);
	return !(na != nb && Int256IsNeg(r) != na);
}

/* r = a * b; false on signed overflow. */
bool
Int256Mul(const Uint256 *a, const Uint256 *b, Uint256 *r)
{
	Uint256		ma,
				mb,
				m;
	bool		neg = Int256IsNeg(a) != Int256IsNeg(b);

	Int256Magnitude(a, &ma);
	Int256Magnitude(b, &mb);
	if (!Uint256Mul(&ma, &mb, &m))
		return false;
	return Int256FromMagnitude(&m, neg && !Uint256IsZero(&m), r);
}

/*
 * q = a / b truncated toward zero and rem = a - q * b (the sign of a), as
 * PostgreSQL's integers do; false when b is zero or for -2^255 / -1.
 */
bool
Int256DivMod(const Uint256 *a, const Uint256 *b, Uint256 *q, Uint256 *rem)
{
	Uint256		ma,
				mb,
				mq,
				mr;
	bool		na = Int256IsNeg(a);
	bool		nb = Int256IsNeg(b);

	if (Uint256IsZero(b))
		return false;
	Int256Magnitude(a, &ma);
	Int256Magnitude(b, &mb);
	(void) Uint256DivMod(&ma, &mb, &mq, &mr);
	if (q && !Int256FromMagnitude(&mq, na != nb && !Uint256IsZero(&mq), q))
		return false;
	if (rem)
		(void) Int256FromMagnitude(&mr, na && !Uint256IsZero(&mr), rem);
	return true;
}

/* r = base ** exp for an int256 base and a uint256 exponent; false on overflow. */
bool
Int256Pow(const Uint256 *base, const Uint256 *exp, Uint256 *r)
{
	Uint256		mb,
				m;
	bool		neg = Int256IsNeg(base) && (exp->w[0] & 1);

	Int256Magnitude(base, &mb);
	if (!Uint256Pow(&mb, exp, &m))
		return false;
	return Int256FromMagnitude(&m, neg && !Uint256IsZero(&m), r);
}

/* r = a >> n, arithmetic (floor(a / 2^n)); n >= 256 gives 0 or -1. */
void
Int256Shr(const Uint256 *a, int n, Uint256 *r)
{
	Uint256		ones;
	Uint256		fill;
	bool		neg = Int256IsNeg(a);

	Uint256Shr(a, n, r);
	if (neg && n > 0)
	{
		/* set the top min(n, 256) bits */
		ones.w[0] = ones.w[1] = ones.w[2] = ones.w[3] = ~UINT64CONST(0);
		if (n >= 256)
			fill = ones;
		else
			Uint256Shl(&ones, 256 - n, &fill);
		Uint256Or(r, &fill, r);
	}
}

/* Parse an int256 literal: decimal or 0x hex magnitude with an optional sign. */
Uint256ParseStatus
Int256FromText(const char *str, Uint256 *r)
{
	bool		negative;
	Uint256		mag;
	Uint256ParseStatus st = Uint256ParseMagnitude(str, &negative, &mag);

	if (st != UINT256_PARSE_OK)
		return st;
	if (!Int256FromMagnitude(&mag, negative, r))
		return UINT256_PARSE_RANGE;
	return UINT256_PARSE_OK;
}

/* Write a signed decimal to buf (UINT256_DEC_BUFLEN bytes); returns the length. */
int
Int256ToDecimal(const Uint256 *a, char *buf)
{
	Uint256		m;

	if (!Int256IsNeg(a))
		return Uint256ToDecimal(a, buf);
	Int256Magnitude(a, &m);
	buf[0] = '-';
	return 1 + Uint256ToDecimal(&m, buf + 1);
}

/* Write the signed magnitude in hex: "0x1f", "-0x1f". */
int
Int256ToHex(const Uint256 *a, char *buf)
{
	Uint256		m;

	if (!Int256IsNeg(a))
		return Uint256ToHex(a, buf);
	Int256Magnitude(a, &m);
	buf[0] = '-';
	return 1 + Uint256ToHex(&m, buf + 1);
}

/*
 * Abbreviated sort key for int256, compared as unsigned: non-negative values
 * above 2^63 by their 63-bit summary, negative ones below it, mirrored
 * through ~a = -a - 1 so that more negative values get smaller keys.
 */
uint64
Int256AbbrevKey(const Uint256 *a)
{
	Uint256		inv;

	if (!Int256IsNeg(a))
		return TOP_BIT | Abbrev63(a);
	Uint256Not(a, &inv);
	return (TOP_BIT - 1) - Abbrev63(&inv);
}
