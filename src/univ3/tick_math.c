/*
 * src/univ3/tick_math.c
 *
 * v3-core TickMath: the sqrt price (Q64.96) at a tick and the greatest tick
 * whose sqrt price is at or below a given one, computed with the same
 * constants, shifts and roundings as the Solidity library so the results are
 * identical.  Also the shared constants, wrapping 256-bit add/sub and the
 * SDK's nearestUsableTick.  Pure C: no palloc, no ereport.
 */
#include "postgres.h"

#include "univ3/univ3.h"

typedef unsigned __int128 u128;
typedef __int128 s128;

const Uint256 UNIV3_MIN_SQRT_RATIO = {{UINT64CONST(4295128739), 0, 0, 0}};
const Uint256 UNIV3_MAX_SQRT_RATIO = {{UINT64CONST(0x5d951d5263988d26),
UINT64CONST(0xefd1fc6a50648849), UINT64CONST(0xfffd8963), 0}};
const Uint256 UNIV3_MAX_UINT160 = {{~UINT64CONST(0), ~UINT64CONST(0), UINT64CONST(0xffffffff), 0}};
const Uint256 UNIV3_MAX_UINT128 = {{~UINT64CONST(0), ~UINT64CONST(0), 0, 0}};
const Uint256 UNIV3_Q96 = {{0, UINT64CONST(1) << 32, 0, 0}};
const Uint256 UNIV3_Q128 = {{0, 0, 1, 0}};

/* a + b mod 2^256. */
void
Univ3WrapAdd(const Uint256 *a, const Uint256 *b, Uint256 *r)
{
	uint64		carry = 0;
	int			i;

	for (i = 0; i < 4; i++)
	{
		uint64		s = a->w[i] + b->w[i];
		uint64		c1 = s < a->w[i];
		uint64		t = s + carry;

		carry = c1 | (t < s);
		r->w[i] = t;
	}
}

/* a - b mod 2^256. */
void
Univ3WrapSub(const Uint256 *a, const Uint256 *b, Uint256 *r)
{
	uint64		borrow = 0;
	int			i;

	for (i = 0; i < 4; i++)
	{
		uint64		d = a->w[i] - b->w[i];
		uint64		b1 = a->w[i] < b->w[i];
		uint64		t = d - borrow;

		borrow = b1 | (d < borrow);
		r->w[i] = t;
	}
}

/* The high 128 bits of the 256-bit product a * b. */
static inline u128
MulHi128(u128 a, u128 b)
{
	uint64		al = (uint64) a,
				ah = (uint64) (a >> 64),
				bl = (uint64) b,
				bh = (uint64) (b >> 64);
	u128		ll = (u128) al * bl;
	u128		lh = (u128) al * bh;
	u128		hl = (u128) ah * bl;
	u128		hh = (u128) ah * bh;
	u128		mid = (ll >> 64) + (uint64) lh + (uint64) hl;

	return hh + (lh >> 64) + (hl >> 64) + (mid >> 64);
}

#define C128(hi, lo) (((u128) UINT64CONST(hi) << 64) | UINT64CONST(lo))

/* TickMath's multipliers: 2^128 / sqrt(1.0001)^(2^i), rounded as published. */
static const u128 TICK_FACTORS[20] = {
	C128(0xfffcb933bd6fad37, 0xaa2d162d1a594001),
	C128(0xfff97272373d4132, 0x59a46990580e213a),
	C128(0xfff2e50f5f656932, 0xef12357cf3c7fdcc),
	C128(0xffe5caca7e10e4e6, 0x1c3624eaa0941cd0),
	C128(0xffcb9843d60f6159, 0xc9db58835c926644),
	C128(0xff973b41fa98c081, 0x472e6896dfb254c0),
	C128(0xff2ea16466c96a38, 0x43ec78b326b52861),
	C128(0xfe5dee046a99a2a8, 0x11c461f1969c3053),
	C128(0xfcbe86c7900a88ae, 0xdcffc83b479aa3a4),
	C128(0xf987a7253ac41317, 0x6f2b074cf7815e54),
	C128(0xf3392b0822b70005, 0x940c7a398e4b70f3),
	C128(0xe7159475a2c29b74, 0x43b29c7fa6e889d9),
	C128(0xd097f3bdfd2022b8, 0x845ad8f792aa5825),
	C128(0xa9f746462d870fdf, 0x8a65dc1f90e061e5),
	C128(0x70d869a156d2a1b8, 0x90bb3df62baf32f7),
	C128(0x31be135f97d08fd9, 0x81231505542fcfa6),
	C128(0x09aa508b5b7a84e1, 0xc677de54f3e99bc9),
	C128(0x005d6af8dedb8119, 0x6699c329225ee604),
	C128(0x00002216e584f5fa, 0x1ea926041bedfe98),
	C128(0x00000000048a1703, 0x91f7dc42444e8fa2),
};

/*
 * TickMath.getSqrtRatioAtTick: sqrt(1.0001^tick) * 2^96, rounded up, for
 * |tick| <= 887272.  The running ratio stays below 2^128 except at its
 * start (exactly 2^128 when bit 0 of |tick| is clear), which is handled by
 * taking the first factor as is.
 */
Univ3Status
Univ3SqrtRatioAtTick(int tick, Uint256 *r)
{
	unsigned int abs_tick = tick < 0 ? (unsigned int) (-(int64) tick) : (unsigned int) tick;
	u128		ratio = 0;
	bool		is_one = true;	/* ratio == 2^128 */
	int			i;
	Uint256		full;

	if (abs_tick > UNIV3_MAX_TICK)
		return UNIV3_ERR_TICK;
	for (i = 0; i < 20; i++)
	{
		if (abs_tick & (1u << i))
		{
			if (is_one)
			{
				ratio = TICK_FACTORS[i];
				is_one = false;
			}
			else
				ratio = MulHi128(ratio, TICK_FACTORS[i]);
		}
	}
	if (is_one)
	{
		/* tick 0: 2^128 >> 32 = 2^96 */
		Uint256FromUint64(r, 0);
		r->w[1] = UINT64CONST(1) << 32;
		return UNIV3_OK;
	}
	full.w[0] = (uint64) ratio;
	full.w[1] = (uint64) (ratio >> 64);
	full.w[2] = full.w[3] = 0;
	if (tick > 0)
	{
		Uint256		max = {{~UINT64CONST(0), ~UINT64CONST(0), ~UINT64CONST(0), ~UINT64CONST(0)}};
		Uint256		rem;

		(void) Uint256DivMod(&max, &full, &full, &rem);
	}
	/* (ratio >> 32) + (ratio % 2^32 == 0 ? 0 : 1) */
	{
		bool		inexact = (full.w[0] & UINT64CONST(0xffffffff)) != 0;

		r->w[0] = (full.w[0] >> 32) | (full.w[1] << 32);
		r->w[1] = (full.w[1] >> 32) | (full.w[2] << 32);
		r->w[2] = (full.w[2] >> 32) | (full.w[3] << 32);
		r->w[3] = full.w[3] >> 32;
		if (inexact)
		{
			Uint256		one;

			Uint256FromUint64(&one, 1);
			Univ3WrapAdd(r, &one, r);
		}
	}
	return UNIV3_OK;
}

/* A signed 128-bit value as an int256 bit pattern. */
static void
Int256FromS128(s128 v, Uint256 *r)
{
	uint64		fill = v < 0 ? ~UINT64CONST(0) : 0;

	r->w[0] = (uint64) v;
	r->w[1] = (uint64) ((u128) v >> 64);
	r->w[2] = r->w[3] = fill;
}

/*
 * TickMath.getTickAtSqrtRatio: the greatest tick t with
 * getSqrtRatioAtTick(t) <= sqrt_price, for MIN_SQRT_RATIO <= sqrt_price <
 * MAX_SQRT_RATIO.  log2 by 14 rounds of squaring, scaled to log base
 * sqrt(1.0001), then the two candidate ticks from the published error
 * bounds, decided with getSqrtRatioAtTick.
 */
Univ3Status
Univ3TickAtSqrtRatio(const Uint256 *sqrt_price, int *tick)
{
	Uint256		ratio;
	int			msb;
	u128		r;
	s128		log_2;
	int			shift;
	Uint256		l2,
				factor,
				lsq,
				tmp,
				cst;
	int64		tick_low,
				tick_hi;

	if (Uint256Cmp(sqrt_price, &UNIV3_MIN_SQRT_RATIO) < 0 ||
		Uint256Cmp(sqrt_price, &UNIV3_MAX_SQRT_RATIO) >= 0)
		return UNIV3_ERR_SQRT_RATIO;

	Uint256Shl(sqrt_price, 32, &ratio);
	msb = Uint256Msb(&ratio);
	if (msb >= 128)
		Uint256Shr(&ratio, msb - 127, &tmp);
	else
		Uint256Shl(&ratio, 127 - msb, &tmp);
	r = ((u128) tmp.w[1] << 64) | tmp.w[0];

	log_2 = (s128) ((u128) (s128) (msb - 128) << 64);
	for (shift = 63; shift >= 50; shift--)
	{
		/* r = (r * r) >> 127; f = r >> 128; r >>= f */
		u128		hi = MulHi128(r, r);
		u128		lo = r * r;

		if (hi >> 127)
		{
			r = hi;
			log_2 |= (s128) ((u128) 1 << shift);
		}
		else
			r = (hi << 1) | (lo >> 127);
	}

	/* log_sqrt10001 = log_2 * 255738958999603826347141 (128.128) */
	Int256FromS128(log_2, &l2);
	Uint256FromUint64(&factor, 0);
	factor.w[0] = UINT64CONST(0xa301d71055774c85);
	factor.w[1] = UINT64CONST(0x3627);
	(void) Int256Mul(&l2, &factor, &lsq);

	/* tickLow = (log_sqrt10001 - 3402992956809132418596140100660247210) >> 128 */
	cst.w[0] = UINT64CONST(0x5af012a19d003aaa);
	cst.w[1] = UINT64CONST(0x028f6481ab7f045a);
	cst.w[2] = cst.w[3] = 0;
	Univ3WrapSub(&lsq, &cst, &tmp);
	Int256Shr(&tmp, 128, &tmp);
	tick_low = (int64) tmp.w[0];
	/* tickHi = (log_sqrt10001 + 291339464771989622907027621153398088495) >> 128 */
	cst.w[0] = UINT64CONST(0x455e260799a0632f);
	cst.w[1] = UINT64CONST(0xdb2df09e81959a81);
	Univ3WrapAdd(&lsq, &cst, &tmp);
	Int256Shr(&tmp, 128, &tmp);
	tick_hi = (int64) tmp.w[0];

	if (tick_low == tick_hi)
		*tick = (int) tick_low;
	else
	{
		Uint256		at_hi;

		if (Univ3SqrtRatioAtTick((int) tick_hi, &at_hi) == UNIV3_OK &&
			Uint256Cmp(&at_hi, sqrt_price) <= 0)
			*tick = (int) tick_hi;
		else
			*tick = (int) tick_low;
	}
	return UNIV3_OK;
}

/*
 * The SDK's nearestUsableTick: tick rounded to the nearest multiple of
 * tick_spacing (halves toward +infinity, like Math.round), kept inside
 * [MIN_TICK, MAX_TICK].  The caller checks tick and tick_spacing > 0.
 */
int
Univ3NearestUsableTick(int tick, int tick_spacing)
{
	/* Math.round(tick / spacing) = floor(tick / spacing + 1/2) */
	int64		num = 2 * (int64) tick + tick_spacing;
	int64		den = 2 * (int64) tick_spacing;
	int64		q = num / den;
	int64		rounded;

	if (num % den != 0 && num < 0)
		q--;
	rounded = q * tick_spacing;
	if (rounded < UNIV3_MIN_TICK)
		return (int) (rounded + tick_spacing);
	if (rounded > UNIV3_MAX_TICK)
		return (int) (rounded - tick_spacing);
	return (int) rounded;
}
