/*
 * src/lending/morpho.c
 *
 * Exact Morpho Blue math as pure C over the Uint256 API of src/evm:
 * MathLib (mulDivDown/Up, the WAD helpers, wTaylorCompounded),
 * SharesMathLib, MarketParamsLib.id, Morpho._accrueInterest, _isHealthy and
 * liquidate, and the AdaptiveCurveIrm's _borrowRate with ExpLib.wExp.  Each
 * function follows its Solidity source line by line with Solidity 0.8's
 * checked arithmetic, so a result is the contract's to the wei and a revert
 * is a MorphoStatus.  Nothing here allocates or raises; morpho_sql.c holds
 * the SQL wrappers.
 */
#include "postgres.h"

#include <string.h>

#include "evm/u256_limb.h"
#include "lending/morpho.h"

const Uint256 MORPHO_ORACLE_PRICE_SCALE = {{UINT64CONST(0xb34b9f1000000000), UINT64CONST(0xc097ce7bc90715), 0, 0}};
const Uint256 MORPHO_MAX_UINT128 = {{~UINT64CONST(0), ~UINT64CONST(0), 0, 0}};

/* ExpLib's bounds: ln(1e-18) and ln(type(int256).max / 1e36), WAD-scaled. */
static const Uint256 LN_WEI_INT = {{UINT64CONST(0xc0d0570925a462d8), UINT64CONST(0xfffffffffffffffd),
~UINT64CONST(0), ~UINT64CONST(0)}};
static const Uint256 WEXP_UPPER_BOUND = {{UINT64CONST(0x168fd0946fc0415f), UINT64CONST(0x5), 0, 0}};
static const Uint256 WEXP_UPPER_VALUE = {{0, 0, UINT64CONST(0x31d81650c7d88b80), UINT64CONST(0x9)}};

#define LN_2_INT ((int128) INT64CONST(693147180559945309))

/* A uint256 (or non-negative int256) holding a uint64. */
static inline Uint256
U64(uint64 v)
{
	Uint256		r = {{v, 0, 0, 0}};

	return r;
}

/* An int256 holding an int64. */
static inline Uint256
I64(int64 v)
{
	Uint256		r;

	Int256FromInt64(&r, v);
	return r;
}

/* Whether x, y and d all fit uint128. */
static inline bool
AllU128(const Uint256 *x, const Uint256 *y, const Uint256 *d)
{
	return (x->w[2] | x->w[3] | y->w[2] | y->w[3] | d->w[2] | d->w[3]) == 0;
}

/*
 * floor(n / d) for d below 2^64, inlined so that a constant d makes the
 * common case of n below 2^64 a multiplication; a quotient that fits 64
 * bits is one divq (on this hardware faster than multiplying by a
 * reciprocal), a wider one the compiler's 128-bit division.
 */
static pg_attribute_always_inline uint128
UDiv128By64(uint128 n, uint64 d)
{
	uint64		hi = (uint64) (n >> 64);
	uint64		r;

	if (hi == 0)
		return (uint64) n / d;
	if (hi < d)
		return U256Div2By1(hi, (uint64) n, d, &r);
	return n / d;
}

/* n / d truncated toward zero (Solidity's signed division), d below 2^63. */
static pg_attribute_always_inline int128
SDiv128By64(int128 n, uint64 d)
{
	if (n >= 0)
		return (int128) UDiv128By64((uint128) n, d);
	return -(int128) UDiv128By64(-(uint128) n, d);
}

/* The oracle price scale 1e36 as a prepared divisor (U256Div2Constant). */
static U256Div2 div_1e36;

/*
 * floor(x * y / d) for x, y and a nonzero d below 2^128, when the quotient
 * fits 128 bits (false otherwise): 1e36 by its prepared reciprocal, other
 * divisors by U256MulDiv128.
 */
static inline bool
MulDiv128(uint128 x, uint128 y, uint128 d, uint128 *q, bool *inexact)
{
	if (d == Uint256Lo128(&MORPHO_ORACLE_PRICE_SCALE))
	{
		uint64		p[4];

		U256Mul128(x, y, p);
		return U256Div256ByPre2(p, U256Div2Constant(&div_1e36, &MORPHO_ORACLE_PRICE_SCALE),
								q, inexact);
	}
	return U256MulDiv128(x, y, d, q, inexact);
}

/* ---- MathLib ---- */

/* The 256-bit product of two values below 2^128 (it cannot overflow). */
static inline void
Mul128x128(const Uint256 *x, const Uint256 *y, Uint256 *r)
{
	uint128		ll = (uint128) x->w[0] * y->w[0];
	uint128		lh = (uint128) x->w[0] * y->w[1];
	uint128		hl = (uint128) x->w[1] * y->w[0];
	uint128		hh = (uint128) x->w[1] * y->w[1];
	uint128		mid = (ll >> 64) + (uint64) lh + (uint64) hl;
	uint128		top = (mid >> 64) + (lh >> 64) + (hl >> 64) + (uint64) hh;

	r->w[0] = (uint64) ll;
	r->w[1] = (uint64) mid;
	r->w[2] = (uint64) top;
	r->w[3] = (uint64) ((top >> 64) + (hh >> 64));
}

/* q = p / d for a nonzero divisor below 2^64, limb by limb; returns p % d. */
static inline uint64
DivSmall(const Uint256 *p, uint64 d, Uint256 *q)
{
	uint64		rem = 0;
	int			i = 3;

	while (i > 0 && p->w[i] == 0)
		q->w[i--] = 0;
	for (; i >= 0; i--)
		q->w[i] = U256Div2By1(rem, p->w[i], d, &rem);
	return rem;
}

/*
 * floor(p / d) and whether the division was inexact, for the common
 * divisors: below 2^64 (WAD, 2 WAD, 3 WAD, ...) one pass of 64-bit limb
 * division; the oracle scale 1e36 as two divisions by 1e18
 * (floor(floor(p / a) / b) = floor(p / (a b))).  False for other divisors.
 */
static inline bool
DivFast(const Uint256 *p, const Uint256 *d, Uint256 *q, bool *inexact)
{
	if (d->w[1] == 0 && d->w[2] == 0 && d->w[3] == 0)
	{
		*inexact = DivSmall(p, d->w[0], q) != 0;
		return true;
	}
	if (d->w[0] == MORPHO_ORACLE_PRICE_SCALE.w[0] && d->w[1] == MORPHO_ORACLE_PRICE_SCALE.w[1] &&
		d->w[2] == 0 && d->w[3] == 0)
	{
		uint64		r1 = DivSmall(p, MORPHO_WAD, q);
		uint64		r2 = DivSmall(q, MORPHO_WAD, q);

		*inexact = (r1 | r2) != 0;
		return true;
	}
	return false;
}

/* x * y with Solidity's checked multiplication; false on overflow. */
static inline bool
CheckedMul(const Uint256 *x, const Uint256 *y, Uint256 *p)
{
	if (x->w[2] == 0 && x->w[3] == 0 && y->w[2] == 0 && y->w[3] == 0)
	{
		Mul128x128(x, y, p);
		return true;
	}
	return Uint256Mul(x, y, p);
}

/*
 * (x * y) / d, reverting when x * y overflows (checked mul) or d is zero.
 * When x, y and d fit 128 bits the product cannot overflow and the inline
 * 256-by-128 division gives the quotient (if it fits 128 bits); small
 * divisors of wider products go through DivFast, the rest the general
 * 256-bit division.
 */
MorphoStatus
MorphoMulDivDown(const Uint256 *x, const Uint256 *y, const Uint256 *d, Uint256 *r)
{
	Uint256		p;
	bool		inexact;

	if (AllU128(x, y, d))
	{
		uint128		q;

		if (d->w[0] == 0 && d->w[1] == 0)
			return MORPHO_ERR_DIV_ZERO;
		if (MulDiv128(Uint256Lo128(x), Uint256Lo128(y), Uint256Lo128(d), &q, &inexact))
		{
			Uint256FromU128(r, q);
			return MORPHO_OK;
		}
	}
	if (Uint256IsZero(d))
		return MORPHO_ERR_DIV_ZERO;
	if (!CheckedMul(x, y, &p))
		return MORPHO_ERR_OVERFLOW;
	if (!DivFast(&p, d, r, &inexact))
		(void) Uint256DivMod(&p, d, r, NULL);
	return MORPHO_OK;
}

/*
 * (x * y + (d - 1)) / d with each step checked: a zero d underflows (an
 * arithmetic panic in Solidity), and the sum may overflow even when the
 * product fits; otherwise it is the ceiling of x * y / d.  Below 2^128 the
 * sum cannot overflow ((2^128 - 1)^2 + 2^128 < 2^256), so the ceiling comes
 * from the inline division's remainder.
 */
MorphoStatus
MorphoMulDivUp(const Uint256 *x, const Uint256 *y, const Uint256 *d, Uint256 *r)
{
	Uint256		p;
	Uint256		t;
	Uint256		one = U64(1);
	bool		inexact;

	if (AllU128(x, y, d))
	{
		uint128		q;

		if (d->w[0] == 0 && d->w[1] == 0)
			return MORPHO_ERR_OVERFLOW;
		if (MulDiv128(Uint256Lo128(x), Uint256Lo128(y), Uint256Lo128(d), &q, &inexact))
		{
			if (inexact && ++q == 0)
			{
				/* the ceiling is 2^128 */
				r->w[0] = r->w[1] = r->w[3] = 0;
				r->w[2] = 1;
			}
			else
				Uint256FromU128(r, q);
			return MORPHO_OK;
		}
	}
	if (Uint256IsZero(d))
		return MORPHO_ERR_OVERFLOW;
	if (!CheckedMul(x, y, &p))
		return MORPHO_ERR_OVERFLOW;
	(void) Uint256Sub(d, &one, &t);
	if (!Uint256Add(&p, &t, &t))
		return MORPHO_ERR_OVERFLOW;
	if (DivFast(&p, d, r, &inexact))
	{
		if (inexact)
			(void) Uint256Add(r, &one, r);	/* cannot overflow: p + d - 1 fit */
		return MORPHO_OK;
	}
	(void) Uint256DivMod(&t, d, r, NULL);
	return MORPHO_OK;
}

/* MathLib.wMulDown: x * y / WAD, rounded down. */
MorphoStatus
MorphoWMulDown(const Uint256 *x, const Uint256 *y, Uint256 *r)
{
	Uint256		wad = U64(MORPHO_WAD);

	return MorphoMulDivDown(x, y, &wad, r);
}

/* MathLib.wDivDown: x * WAD / y, rounded down. */
MorphoStatus
MorphoWDivDown(const Uint256 *x, const Uint256 *y, Uint256 *r)
{
	Uint256		wad = U64(MORPHO_WAD);

	return MorphoMulDivDown(x, &wad, y, r);
}

/* MathLib.wDivUp: x * WAD / y, rounded up. */
MorphoStatus
MorphoWDivUp(const Uint256 *x, const Uint256 *y, Uint256 *r)
{
	Uint256		wad = U64(MORPHO_WAD);

	return MorphoMulDivUp(x, &wad, y, r);
}

/*
 * MathLib.wTaylorCompounded: e^(x n) - 1 to the third order,
 * x n + (x n)^2 / 2 + (x n)^3 / 6 (each term WAD-scaled and rounded down).
 */
MorphoStatus
MorphoWTaylorCompounded(const Uint256 *x, uint64 n, Uint256 *r)
{
	Uint256		nn = U64(n);
	Uint256		first;
	Uint256		second;
	Uint256		third;
	Uint256		two_wad;
	Uint256		three_wad;
	MorphoStatus st;

	two_wad = U64(2 * MORPHO_WAD);
	three_wad = U64(3 * MORPHO_WAD);
	if (!Uint256Mul(x, &nn, &first))
		return MORPHO_ERR_OVERFLOW;
	if ((st = MorphoMulDivDown(&first, &first, &two_wad, &second)) != MORPHO_OK)
		return st;
	if ((st = MorphoMulDivDown(&second, &first, &three_wad, &third)) != MORPHO_OK)
		return st;
	if (!Uint256Add(&first, &second, r) || !Uint256Add(r, &third, r))
		return MORPHO_ERR_OVERFLOW;
	return MORPHO_OK;
}

/* ---- MarketParamsLib ---- */

/*
 * MarketParamsLib.id: keccak256 over the struct's five words in memory,
 * which is abi.encode(loanToken, collateralToken, oracle, irm, lltv).
 */
void
MorphoMarketId(const uint8 *loan, const uint8 *collateral, const uint8 *oracle,
			   const uint8 *irm, const Uint256 *lltv, uint8 out[32])
{
	uint8		buf[5 * 32];
	const uint8 *addrs[4] = {loan, collateral, oracle, irm};
	int			i;

	memset(buf, 0, sizeof(buf));
	for (i = 0; i < 4; i++)
		memcpy(buf + 32 * i + 12, addrs[i], 20);
	Uint256ToBytesBE(lltv, buf + 128);
	Keccak256(buf, sizeof(buf), out);
}

/* ---- SharesMathLib ---- */

/*
 * x * (a + va) / (b + vb), rounded down or up, in native 128-bit arithmetic
 * when x, a and b fit 128 bits, the two sums do too and so does the
 * quotient; false otherwise (the caller's general path then computes the
 * same, or reverts).  Nothing reverts here: the sums fit, the product of
 * two 128-bit values fits 256 bits, and b + vb > 0.
 */
static inline bool
SharesFast(const Uint256 *x, const Uint256 *a, uint64 va, const Uint256 *b, uint64 vb,
		   bool round_up, Uint256 *r)
{
	uint128		num;
	uint128		den;
	uint128		q;
	bool		inexact;

	if (!AllU128(x, a, b) ||
		__builtin_add_overflow(Uint256Lo128(a), (uint128) va, &num) ||
		__builtin_add_overflow(Uint256Lo128(b), (uint128) vb, &den) ||
		!U256MulDiv128(Uint256Lo128(x), num, den, &q, &inexact))
		return false;
	if (round_up && inexact && ++q == 0)
		return false;			/* the ceiling 2^128: left to the general path */
	Uint256FromU128(r, q);
	return true;
}

/* toAssetsDown / toAssetsUp: shares * (totalAssets + 1) / (totalShares + 1e6). */
MorphoStatus
MorphoToAssets(const Uint256 *shares, const Uint256 *total_assets,
			   const Uint256 *total_shares, bool round_up, Uint256 *r)
{
	Uint256		va = U64(MORPHO_VIRTUAL_ASSETS);
	Uint256		vs = U64(MORPHO_VIRTUAL_SHARES);
	Uint256		num;
	Uint256		den;

	if (SharesFast(shares, total_assets, MORPHO_VIRTUAL_ASSETS, total_shares,
				   MORPHO_VIRTUAL_SHARES, round_up, r))
		return MORPHO_OK;
	if (!Uint256Add(total_assets, &va, &num) || !Uint256Add(total_shares, &vs, &den))
		return MORPHO_ERR_OVERFLOW;
	return round_up ? MorphoMulDivUp(shares, &num, &den, r) : MorphoMulDivDown(shares, &num, &den, r);
}

/* toSharesDown / toSharesUp: assets * (totalShares + 1e6) / (totalAssets + 1). */
MorphoStatus
MorphoToShares(const Uint256 *assets, const Uint256 *total_assets,
			   const Uint256 *total_shares, bool round_up, Uint256 *r)
{
	Uint256		va = U64(MORPHO_VIRTUAL_ASSETS);
	Uint256		vs = U64(MORPHO_VIRTUAL_SHARES);
	Uint256		num;
	Uint256		den;

	if (SharesFast(assets, total_shares, MORPHO_VIRTUAL_SHARES, total_assets,
				   MORPHO_VIRTUAL_ASSETS, round_up, r))
		return MORPHO_OK;
	if (!Uint256Add(total_shares, &vs, &num) || !Uint256Add(total_assets, &va, &den))
		return MORPHO_ERR_OVERFLOW;
	return round_up ? MorphoMulDivUp(assets, &num, &den, r) : MorphoMulDivDown(assets, &num, &den, r);
}

/* ---- AdaptiveCurveIrm ---- */

/* The IRM's utilization: totalBorrowAssets.wDivDown(totalSupplyAssets), 0 without supply. */
MorphoStatus
MorphoUtilization(const Uint256 *total_supply_assets, const Uint256 *total_borrow_assets, Uint256 *r)
{
	if (Uint256IsZero(total_supply_assets))
	{
		*r = U64(0);
		return MORPHO_OK;
	}
	return MorphoWDivDown(total_borrow_assets, total_supply_assets, r);
}

/*
 * The unchecked core of ExpLib.wExp for x between its bounds (x fits 128
 * bits there): x = q ln 2 + r with r rounded to nearest, and e^r to the
 * second order, WAD + r + r^2 / WAD / 2, into *exp_r; returns q.  Native
 * int128 arithmetic whose divisions truncate toward zero as Solidity's do.
 * exp_r lies in about [0.7, 1.5] WAD, below 2^61.
 */
static inline int
WExpParts(int128 xi, int128 *exp_r)
{
	int128		adj = xi < 0 ? -(LN_2_INT / 2) : LN_2_INT / 2;
	int128		q = SDiv128By64(xi + adj, (uint64) LN_2_INT);
	int128		rr = xi - q * LN_2_INT;

	*exp_r = (int128) MORPHO_WAD + rr + (int128) (UDiv128By64((uint128) (rr * rr), MORPHO_WAD) / 2);
	return (int) q;
}

/*
 * ExpLib.wExp: e^x for a WAD-scaled int256 x, as 2^q * e^r (WExpParts).
 * 0 below ln(1e-18), clipped above WEXP_UPPER_BOUND.
 */
void
MorphoWExp(const Uint256 *x, Uint256 *r)
{
	int128		exp_r;
	int			q;
	Uint256		e;

	if (Int256Cmp(x, &LN_WEI_INT) < 0)
	{
		*r = U64(0);
		return;
	}
	if (Int256Cmp(x, &WEXP_UPPER_BOUND) >= 0)
	{
		*r = WEXP_UPPER_VALUE;
		return;
	}
	q = WExpParts((int128) Uint256Lo128(x), &exp_r);
	/* exp_r is positive, so shifts are logical */
	Uint256FromU128(&e, (uint128) exp_r);
	if (q >= 0)
		Uint256Shl(&e, q, r);
	else
		Uint256Shr(&e, -q, r);
}

/* MathLib (IRM) wMulToZero: x * y / WAD, truncated toward zero, checked. */
static MorphoStatus
WMulToZero(const Uint256 *x, const Uint256 *y, Uint256 *r)
{
	Uint256		p;
	Uint256		wad = I64(MORPHO_WAD);

	if (!Int256Mul(x, y, &p))
		return MORPHO_ERR_OVERFLOW;
	(void) Int256DivMod(&p, &wad, r, NULL);
	return MORPHO_OK;
}

/* MathLib (IRM) wDivToZero: x * WAD / y, truncated toward zero, checked. */
static MorphoStatus
WDivToZero(const Uint256 *x, const Uint256 *y, Uint256 *r)
{
	Uint256		p;
	Uint256		wad = I64(MORPHO_WAD);

	if (!Int256Mul(x, &wad, &p))
		return MORPHO_ERR_OVERFLOW;
	if (Uint256IsZero(y))
		return MORPHO_ERR_DIV_ZERO;
	if (!Int256DivMod(&p, y, r, NULL))
		return MORPHO_ERR_OVERFLOW;
	return MORPHO_OK;
}

/*
 * AdaptiveCurveIrm._newRateAtTarget: start * wExp(adaptation), bounded to
 * [MIN_RATE_AT_TARGET, MAX_RATE_AT_TARGET] (UtilsLib.bound, signed).
 */
static MorphoStatus
NewRateAtTarget(const Uint256 *start, const Uint256 *adaptation, Uint256 *r)
{
	Uint256		e;
	Uint256		lo = I64(MORPHO_IRM_MIN_RATE_AT_TARGET);
	Uint256		hi = I64(MORPHO_IRM_MAX_RATE_AT_TARGET);
	MorphoStatus st;

	MorphoWExp(adaptation, &e);
	if ((st = WMulToZero(start, &e, r)) != MORPHO_OK)
		return st;
	if (Int256Cmp(r, &hi) > 0)
		*r = hi;
	if (Int256Cmp(r, &lo) < 0)
		*r = lo;
	return MORPHO_OK;
}

/* An int128 as an int256 (sign-extended). */
static inline void
Int256FromInt128(int128 v, Uint256 *r)
{
	uint64		fill = v < 0 ? ~UINT64CONST(0) : 0;

	r->w[0] = (uint64) v;
	r->w[1] = (uint64) ((uint128) v >> 64);
	r->w[2] = r->w[3] = fill;
}

/*
 * _newRateAtTarget in int128 for 0 <= start < 2^40: a wExp below 2^64
 * (adaptation below about 3.4 WAD, q <= 3) keeps start * wExp below 2^104
 * and is computed natively; a larger one takes the 256-bit path.
 */
static int128
NewRateAtTargetFast(int128 start, int128 adaptation)
{
	int128		v;
	int128		exp_r;
	int			q;

	if (adaptation < (int128) Uint256Lo128(&LN_WEI_INT))
		v = 0;					/* wExp is 0 */
	else if (adaptation < (int128) Uint256Lo128(&WEXP_UPPER_BOUND) &&
			 (q = WExpParts(adaptation, &exp_r)) <= 3)
	{
		/* q >= -60 above ln(1e-18); exp_r < 2^61, so e < 2^64 */
		uint128		e = q >= 0 ? (uint128) exp_r << q : (uint128) exp_r >> -q;

		v = (int128) UDiv128By64((uint128) start * e, MORPHO_WAD);
	}
	else
	{
		Uint256		a;
		Uint256		e;
		Uint256		s;
		Uint256		r;

		Int256FromInt128(adaptation, &a);
		MorphoWExp(&a, &e);
		Int256FromInt128(start, &s);
		(void) WMulToZero(&s, &e, &r);	/* < 2^40 * 2^196: fits */
		if (r.w[1] != 0 || r.w[2] != 0 || r.w[3] != 0 || r.w[0] > (uint64) MORPHO_IRM_MAX_RATE_AT_TARGET)
			return MORPHO_IRM_MAX_RATE_AT_TARGET;
		v = (int128) r.w[0];
	}
	if (v > MORPHO_IRM_MAX_RATE_AT_TARGET)
		v = MORPHO_IRM_MAX_RATE_AT_TARGET;
	if (v < MORPHO_IRM_MIN_RATE_AT_TARGET)
		v = MORPHO_IRM_MIN_RATE_AT_TARGET;
	return v;
}

/*
 * _borrowRate in native int128 arithmetic when utilization < 2^62,
 * 0 <= rate at target < 2^40 and elapsed < 2^40 (every value of a live
 * market): then no intermediate comes near 2^127 (|err| < 4.7e19,
 * coeff * err < 1.4e38, linear adaptation < 3.3e26) and Solidity cannot
 * revert, so the result is the same as the general path's, faster.
 */
static bool
BorrowRateFast(const Uint256 *rate_at_target, const Uint256 *utilization,
			   uint64 elapsed, Uint256 *avg_rate, Uint256 *end_rate_at_target)
{
	const int128 wad = MORPHO_WAD;
	const int128 target = MORPHO_IRM_TARGET_UTILIZATION;
	int128		u;
	int128		start;
	int128		err;
	int128		avg;
	int128		end;
	int128		coeff;

	if (utilization->w[1] != 0 || utilization->w[2] != 0 || utilization->w[3] != 0 ||
		utilization->w[0] >= (UINT64CONST(1) << 62) ||
		rate_at_target->w[1] != 0 || rate_at_target->w[2] != 0 || rate_at_target->w[3] != 0 ||
		rate_at_target->w[0] >= (UINT64CONST(1) << 40) || elapsed >= (UINT64CONST(1) << 40))
		return false;
	u = (int128) utilization->w[0];
	start = (int128) rate_at_target->w[0];
	err = SDiv128By64((u - target) * wad, (uint64) (u > target ? wad - target : target));
	if (start == 0)
		avg = end = MORPHO_IRM_INITIAL_RATE_AT_TARGET;
	else
	{
		int128		speed = SDiv128By64((int128) MORPHO_IRM_ADJUSTMENT_SPEED * err, MORPHO_WAD);
		int128		linear = speed * (int128) elapsed;

		if (linear == 0)
			avg = end = start;
		else
		{
			end = NewRateAtTargetFast(start, linear);
			avg = (start + end + 2 * NewRateAtTargetFast(start, linear / 2)) / 4;
		}
	}
	coeff = err < 0 ? wad - wad * wad / MORPHO_IRM_CURVE_STEEPNESS
		: MORPHO_IRM_CURVE_STEEPNESS - wad;
	Int256FromInt128(SDiv128By64((SDiv128By64(coeff * err, MORPHO_WAD) + wad) * avg, MORPHO_WAD), avg_rate);
	Int256FromInt128(end, end_rate_at_target);
	return true;
}

/*
 * AdaptiveCurveIrm._borrowRate for a market whose stored rate at target is
 * rate_at_target (0: a market the IRM has not seen), at utilization (WAD),
 * elapsed seconds after its last update.  avg_rate is the curve at the
 * trapezoidal average of the rate at target over the period (what Morpho
 * accrues with), end_rate_at_target what the IRM stores.  utilization must
 * be below 2^255 (the wrapper checks it): Solidity's int256() cast of it.
 */
MorphoStatus
MorphoBorrowRate(const Uint256 *rate_at_target, const Uint256 *utilization,
				 uint64 elapsed, Uint256 *avg_rate, Uint256 *end_rate_at_target)
{
	Uint256		wad = U64(MORPHO_WAD);	/* positive: as int256 too */
	Uint256		target = U64(MORPHO_IRM_TARGET_UTILIZATION);
	Uint256		norm;
	Uint256		diff;
	Uint256		err;
	Uint256		avg;
	Uint256		end;
	Uint256		coeff;
	Uint256		t;
	MorphoStatus st;

	if (BorrowRateFast(rate_at_target, utilization, elapsed, avg_rate, end_rate_at_target))
		return MORPHO_OK;
	norm = Int256Cmp(utilization, &target) > 0
		? I64(MORPHO_WAD - MORPHO_IRM_TARGET_UTILIZATION)
		: target;
	if (!Int256Sub(utilization, &target, &diff))
		return MORPHO_ERR_OVERFLOW;
	if ((st = WDivToZero(&diff, &norm, &err)) != MORPHO_OK)
		return st;

	if (Uint256IsZero(rate_at_target))
	{
		avg = end = I64(MORPHO_IRM_INITIAL_RATE_AT_TARGET);
	}
	else
	{
		Uint256		speed;
		Uint256		adj = I64(MORPHO_IRM_ADJUSTMENT_SPEED);
		Uint256		el = I64((int64) elapsed);
		Uint256		linear;

		if ((st = WMulToZero(&adj, &err, &speed)) != MORPHO_OK)
			return st;
		if (!Int256Mul(&speed, &el, &linear))
			return MORPHO_ERR_OVERFLOW;
		if (Uint256IsZero(&linear))
			avg = end = *rate_at_target;
		else
		{
			Uint256		half;
			Uint256		mid;
			Uint256		two = I64(2);
			Uint256		four = I64(4);

			if ((st = NewRateAtTarget(rate_at_target, &linear, &end)) != MORPHO_OK)
				return st;
			(void) Int256DivMod(&linear, &two, &half, NULL);
			if ((st = NewRateAtTarget(rate_at_target, &half, &mid)) != MORPHO_OK)
				return st;
			if (!Int256Add(rate_at_target, &end, &t) ||
				!Int256Mul(&two, &mid, &mid) ||
				!Int256Add(&t, &mid, &t))
				return MORPHO_ERR_OVERFLOW;
			(void) Int256DivMod(&t, &four, &avg, NULL);
		}
	}

	/* _curve(avg, err): ((coeff * err) / WAD + WAD) * avg / WAD */
	if (Int256IsNeg(&err))
	{
		Uint256		steep = I64(MORPHO_IRM_CURVE_STEEPNESS);

		if ((st = WDivToZero(&wad, &steep, &t)) != MORPHO_OK)
			return st;
		(void) Int256Sub(&wad, &t, &coeff);
	}
	else
		coeff = I64(MORPHO_IRM_CURVE_STEEPNESS - MORPHO_WAD);
	if ((st = WMulToZero(&coeff, &err, &t)) != MORPHO_OK)
		return st;
	if (!Int256Add(&t, &wad, &t))
		return MORPHO_ERR_OVERFLOW;
	if ((st = WMulToZero(&t, &avg, avg_rate)) != MORPHO_OK)
		return st;
	/* uint256(int256): the bit pattern, as Solidity's explicit conversion */
	*end_rate_at_target = end;
	return MORPHO_OK;
}

/* ---- Morpho ---- */

/*
 * Morpho._accrueInterest in native 128-bit arithmetic, for the values of a
 * live market: the fee and borrow rate * elapsed below 2^64 (rate * elapsed
 * is the period's linear interest, about 18 WAD at that bound), so each
 * Taylor term fits 128 bits and no step can overflow uint256.  Each step is
 * the general path's, in the same order; when one would leave 128 bits or
 * revert (a uint128 total overflowing) this gives up before touching m, and
 * the general path computes it again and reports the revert.
 */
static bool
AccrueFast(MorphoMarket *m, const Uint256 *fee, const Uint256 *borrow_rate,
		   uint64 elapsed, Uint256 *interest, Uint256 *fee_shares)
{
	uint128		first;
	uint128		second;
	uint128		third;
	uint128		i;
	uint128		tba;
	uint128		tsa;
	uint128		tss;
	uint128		shares = 0;
	bool		inexact;

	if ((borrow_rate->w[1] | borrow_rate->w[2] | borrow_rate->w[3] |
		 fee->w[1] | fee->w[2] | fee->w[3]) != 0)
		return false;
	/* wTaylorCompounded: first < 2^64, second < 2^67, third < 2^67 */
	first = (uint128) borrow_rate->w[0] * elapsed;
	if ((first >> 64) != 0)
		return false;
	second = UDiv128By64(first * first, 2 * MORPHO_WAD);
	(void) U256MulDiv128(second, first, 3 * MORPHO_WAD, &third, &inexact);
	/* interest = totalBorrowAssets.wMulDown(growth), added to both totals */
	if (!U256MulDiv128(Uint256Lo128(&m->total_borrow_assets), first + second + third,
					   MORPHO_WAD, &i, &inexact) ||
		__builtin_add_overflow(Uint256Lo128(&m->total_borrow_assets), i, &tba) ||
		__builtin_add_overflow(Uint256Lo128(&m->total_supply_assets), i, &tsa))
		return false;
	tss = Uint256Lo128(&m->total_supply_shares);
	if (fee->w[0] != 0)
	{
		uint128		fee_amount;
		uint128		num;
		uint128		den;

		/* feeAmount.toSharesDown(totalSupplyAssets - feeAmount, totalSupplyShares) */
		if (!U256MulDiv128(i, fee->w[0], MORPHO_WAD, &fee_amount, &inexact) ||
			fee_amount > tsa ||
			__builtin_add_overflow(tss, (uint128) MORPHO_VIRTUAL_SHARES, &num) ||
			__builtin_add_overflow(tsa - fee_amount, (uint128) MORPHO_VIRTUAL_ASSETS, &den) ||
			!U256MulDiv128(fee_amount, num, den, &shares, &inexact) ||
			__builtin_add_overflow(tss, shares, &tss))
			return false;
	}
	Uint256FromU128(&m->total_borrow_assets, tba);
	Uint256FromU128(&m->total_supply_assets, tsa);
	Uint256FromU128(&m->total_supply_shares, tss);
	if (interest)
		Uint256FromU128(interest, i);
	if (fee_shares)
		Uint256FromU128(fee_shares, shares);
	return true;
}

/*
 * Morpho._accrueInterest with the IRM's borrow rate given: interest is
 * totalBorrowAssets.wMulDown(rate.wTaylorCompounded(elapsed)), added to both
 * totals (uint128, checked); with a fee, the fee's share of the interest is
 * minted as supply shares to the fee recipient, priced on the supply totals
 * less the fee amount.  Nothing happens when elapsed is 0.  The totals must
 * fit uint128 on entry (the wrapper checks).
 */
MorphoStatus
MorphoAccrue(MorphoMarket *m, const Uint256 *fee, const Uint256 *borrow_rate,
			 uint64 elapsed, Uint256 *interest, Uint256 *fee_shares)
{
	Uint256		growth;
	Uint256		i;
	Uint256		shares = U64(0);
	MorphoStatus st;

	if (elapsed == 0)
	{
		if (interest)
			*interest = U64(0);
		if (fee_shares)
			*fee_shares = U64(0);
		return MORPHO_OK;
	}
	if (AccrueFast(m, fee, borrow_rate, elapsed, interest, fee_shares))
		return MORPHO_OK;
	if ((st = MorphoWTaylorCompounded(borrow_rate, elapsed, &growth)) != MORPHO_OK)
		return st;
	if ((st = MorphoWMulDown(&m->total_borrow_assets, &growth, &i)) != MORPHO_OK)
		return st;
	if (!Uint256FitsU128(&i))
		return MORPHO_ERR_OVERFLOW;
	(void) Uint256Add(&m->total_borrow_assets, &i, &m->total_borrow_assets);
	(void) Uint256Add(&m->total_supply_assets, &i, &m->total_supply_assets);
	if (!Uint256FitsU128(&m->total_borrow_assets) || !Uint256FitsU128(&m->total_supply_assets))
		return MORPHO_ERR_OVERFLOW;
	if (!Uint256IsZero(fee))
	{
		Uint256		fee_amount;
		Uint256		base;

		if ((st = MorphoWMulDown(&i, fee, &fee_amount)) != MORPHO_OK)
			return st;
		if (!Uint256Sub(&m->total_supply_assets, &fee_amount, &base))
			return MORPHO_ERR_OVERFLOW;
		if ((st = MorphoToShares(&fee_amount, &base, &m->total_supply_shares, false, &shares)) != MORPHO_OK)
			return st;
		if (!Uint256FitsU128(&shares))
			return MORPHO_ERR_OVERFLOW;
		(void) Uint256Add(&m->total_supply_shares, &shares, &m->total_supply_shares);
		if (!Uint256FitsU128(&m->total_supply_shares))
			return MORPHO_ERR_OVERFLOW;
	}
	if (interest)
		*interest = i;
	if (fee_shares)
		*fee_shares = shares;
	return MORPHO_OK;
}

/*
 * The supply rate per second as blue-sdk's Market computes it:
 * borrowRate.wMulDown(utilization).wMulUp(WAD - fee).  fee <= WAD.
 */
MorphoStatus
MorphoSupplyRate(const Uint256 *borrow_rate, const Uint256 *utilization,
				 const Uint256 *fee, Uint256 *r)
{
	Uint256		wad = U64(MORPHO_WAD);
	Uint256		t;
	Uint256		keep;
	MorphoStatus st;

	if ((st = MorphoWMulDown(borrow_rate, utilization, &t)) != MORPHO_OK)
		return st;
	if (!Uint256Sub(&wad, fee, &keep))
		return MORPHO_ERR_OVERFLOW;
	return MorphoMulDivUp(&t, &keep, &wad, r);
}

/* _isHealthy's maxBorrow: collateral.mulDivDown(price, 1e36).wMulDown(lltv). */
MorphoStatus
MorphoMaxBorrow(const Uint256 *collateral, const Uint256 *price, const Uint256 *lltv, Uint256 *r)
{
	Uint256		value;
	MorphoStatus st;

	if ((st = MorphoMulDivDown(collateral, price, &MORPHO_ORACLE_PRICE_SCALE, &value)) != MORPHO_OK)
		return st;
	return MorphoWMulDown(&value, lltv, r);
}

/*
 * Morpho._isHealthy: true without borrow shares; otherwise whether maxBorrow
 * covers the debt rounded up, borrowShares.toAssetsUp(totals).
 */
MorphoStatus
MorphoIsHealthy(const Uint256 *collateral, const Uint256 *borrow_shares,
				const Uint256 *total_borrow_assets, const Uint256 *total_borrow_shares,
				const Uint256 *price, const Uint256 *lltv, bool *healthy)
{
	Uint256		borrowed;
	Uint256		max_borrow;
	MorphoStatus st;

	if (Uint256IsZero(borrow_shares))
	{
		*healthy = true;
		return MORPHO_OK;
	}
	if ((st = MorphoToAssets(borrow_shares, total_borrow_assets, total_borrow_shares, true, &borrowed)) != MORPHO_OK)
		return st;
	if ((st = MorphoMaxBorrow(collateral, price, lltv, &max_borrow)) != MORPHO_OK)
		return st;
	*healthy = Uint256Cmp(&max_borrow, &borrowed) >= 0;
	return MORPHO_OK;
}

/*
 * The liquidation incentive factor of Morpho.liquidate:
 * min(1.15 WAD, WAD.wDivDown(WAD - 0.3 WAD .wMulDown(WAD - lltv))).
 * lltv <= WAD (the wrapper checks), so nothing can overflow.
 */
void
MorphoLiquidationIncentiveFactor(const Uint256 *lltv, Uint256 *r)
{
	Uint256		wad = U64(MORPHO_WAD);
	Uint256		cursor = U64(MORPHO_LIQUIDATION_CURSOR);
	Uint256		max_lif = U64(MORPHO_MAX_LIF);
	Uint256		t;

	(void) Uint256Sub(&wad, lltv, &t);
	(void) MorphoWMulDown(&cursor, &t, &t);
	(void) Uint256Sub(&wad, &t, &t);
	(void) MorphoWDivDown(&wad, &t, &t);
	*r = Uint256Cmp(&t, &max_lif) < 0 ? t : max_lif;
}

/*
 * Morpho.liquidate's amounts: from seized collateral, the borrow shares to
 * repay (rounded up against the liquidator); from repaid shares, the
 * collateral seized (rounded down); then the assets repaid,
 * repaidShares.toAssetsUp.  Exactly one of *seized_assets and *repaid_shares
 * is nonzero on entry (the wrapper checks); the other is filled in.  Both
 * are cast toUint128 by the contract, so wider values revert.
 */
MorphoStatus
MorphoLiquidate(Uint256 *seized_assets, Uint256 *repaid_shares,
				const Uint256 *total_borrow_assets, const Uint256 *total_borrow_shares,
				const Uint256 *price, const Uint256 *lltv, Uint256 *repaid_assets)
{
	Uint256		lif;
	Uint256		t;
	MorphoStatus st;

	MorphoLiquidationIncentiveFactor(lltv, &lif);
	if (!Uint256IsZero(seized_assets))
	{
		if ((st = MorphoMulDivUp(seized_assets, price, &MORPHO_ORACLE_PRICE_SCALE, &t)) != MORPHO_OK)
			return st;
		if ((st = MorphoWDivUp(&t, &lif, &t)) != MORPHO_OK)
			return st;
		if ((st = MorphoToShares(&t, total_borrow_assets, total_borrow_shares, true, repaid_shares)) != MORPHO_OK)
			return st;
	}
	else
	{
		if ((st = MorphoToAssets(repaid_shares, total_borrow_assets, total_borrow_shares, false, &t)) != MORPHO_OK)
			return st;
		if ((st = MorphoWMulDown(&t, &lif, &t)) != MORPHO_OK)
			return st;
		if ((st = MorphoMulDivDown(&t, &MORPHO_ORACLE_PRICE_SCALE, price, seized_assets)) != MORPHO_OK)
			return st;
	}
	if ((st = MorphoToAssets(repaid_shares, total_borrow_assets, total_borrow_shares, true, repaid_assets)) != MORPHO_OK)
		return st;
	if (!Uint256FitsU128(repaid_shares) || !Uint256FitsU128(seized_assets))
		return MORPHO_ERR_OVERFLOW;
	return MORPHO_OK;
}

/*
 * The highest oracle price (1e36 scale) at which the position is unhealthy:
 * _isHealthy is false at the result and true at the result + 1.  With
 * B = borrowShares.toAssetsUp(totals), health at price p is
 * floor(floor(c p / 1e36) lltv / WAD) >= B, that is
 * floor(c p / 1e36) >= W = ceil(B WAD / lltv), that is
 * p >= P = ceil(W 1e36 / c); the result is P - 1 (exact, with 512-bit
 * intermediates).  *no_debt without borrow shares (healthy at any price);
 * 2^256 - 1 when no uint256 price makes the position healthy (no collateral,
 * lltv 0, or P out of range).
 */
MorphoStatus
MorphoLiquidationPrice(const Uint256 *collateral, const Uint256 *borrow_shares,
					   const Uint256 *total_borrow_assets, const Uint256 *total_borrow_shares,
					   const Uint256 *lltv, Uint256 *r, bool *no_debt)
{
	Uint256		borrowed;
	Uint256		wad = U64(MORPHO_WAD);
	Uint256		w;
	Uint256		p;
	Uint256		one = U64(1);
	MorphoStatus st;

	*no_debt = false;
	if (Uint256IsZero(borrow_shares))
	{
		*no_debt = true;
		return MORPHO_OK;
	}
	if ((st = MorphoToAssets(borrow_shares, total_borrow_assets, total_borrow_shares, true, &borrowed)) != MORPHO_OK)
		return st;
	if (Uint256IsZero(collateral) || Uint256IsZero(lltv) ||
		!Uint256MulDiv(&borrowed, &wad, lltv, true, &w) ||
		!Uint256MulDiv(&w, &MORPHO_ORACLE_PRICE_SCALE, collateral, true, &p))
	{
		r->w[0] = r->w[1] = r->w[2] = r->w[3] = ~UINT64CONST(0);
		return MORPHO_OK;
	}
	/* borrowed >= 1, so w >= 1 and p >= 1 */
	(void) Uint256Sub(&p, &one, r);
	return MORPHO_OK;
}
