/*
 * src/univ3/swap_sim.c
 *
 * The swap loop of v3-core's UniswapV3Pool.swap, run over a sorted array of
 * initialized ticks and their liquidity net instead of the pool's storage.
 * The step boundaries are found exactly as TickBitmap's
 * nextInitializedTickWithinOneWord finds them (a step never spans more than
 * one 256-tick bitmap word, initialized or not), because where a step ends
 * changes the rounding: only then are amounts, price, tick and fee growth
 * bit for bit those of the pool.  The protocol fee is taken as off.  Pure
 * C: no palloc, no ereport.
 */
#include "postgres.h"

#include "univ3/univ3.h"

/* floor(a / b) for b > 0. */
static inline int64
FloorDiv(int64 a, int64 b)
{
	int64		q = a / b;

	if (a % b != 0 && a < 0)
		q--;
	return q;
}

/* Index of the last tick <= t, or -1. */
static int
LastAtOrBelow(const Univ3Pool *pool, int64 t)
{
	int			lo = 0,
				hi = pool->nticks;	/* first index with tick > t */

	while (lo < hi)
	{
		int			mid = lo + (hi - lo) / 2;

		if (pool->ticks[mid] <= t)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo - 1;
}

/*
 * nextInitializedTickWithinOneWord: the next initialized tick in the swap's
 * direction within the current bitmap word (lte: at or below the tick;
 * otherwise strictly above it), or the word's last tick in that direction.
 */
static void
NextTickWithinWord(const Univ3Pool *pool, int tick, bool lte, int64 *next,
				   bool *initialized, int *index)
{
	int64		spacing = pool->tick_spacing;
	int64		compressed = FloorDiv(tick, spacing);

	if (lte)
	{
		int64		word_start = FloorDiv(compressed, 256) * 256;
		int			i = LastAtOrBelow(pool, compressed * spacing);

		if (i >= 0 && pool->ticks[i] >= word_start * spacing)
		{
			*next = pool->ticks[i];
			*initialized = true;
			*index = i;
		}
		else
		{
			*next = word_start * spacing;
			*initialized = false;
		}
	}
	else
	{
		int64		c1 = compressed + 1;
		int64		word_end = FloorDiv(c1, 256) * 256 + 255;
		int			i = LastAtOrBelow(pool, c1 * spacing - 1) + 1;

		if (i < pool->nticks && pool->ticks[i] <= word_end * spacing)
		{
			*next = pool->ticks[i];
			*initialized = true;
			*index = i;
		}
		else
		{
			*next = word_end * spacing;
			*initialized = false;
		}
	}
}

/* LiquidityMath.addDelta on a uint128 liquidity and an int128 delta. */
static Univ3Status
AddDelta(Uint256 *liquidity, const Uint256 *delta, bool negate)
{
	bool		neg = Int256IsNeg(delta) != negate;
	Uint256		mag;

	Int256Magnitude(delta, &mag);
	if (neg)
	{
		if (!Uint256Sub(liquidity, &mag, liquidity))
			return UNIV3_ERR_LIQ_SUB;
	}
	else if (!Uint256Add(liquidity, &mag, liquidity) ||
			 Uint256Cmp(liquidity, &UNIV3_MAX_UINT128) > 0)
		return UNIV3_ERR_LIQ_ADD;
	return UNIV3_OK;
}

/* SafeCast.toInt256 check on an unsigned amount. */
static inline bool
FitsInt256(const Uint256 *a)
{
	return (a->w[3] >> 63) == 0;
}

/*
 * UniswapV3Pool.swap without the transfers: from the pool's price, tick and
 * liquidity, swap amount_specified (int256: > 0 exact input, < 0 exact
 * output) in the given direction up to sqrt_price_limit.  amount0/amount1
 * are the pool's balance changes, as the pool returns them.
 */
Univ3Status
Univ3SimulateSwap(const Univ3Pool *pool, bool zero_for_one,
				  const Uint256 *amount_specified, const Uint256 *sqrt_price_limit,
				  Univ3SwapResult *res)
{
	bool		exact_in = !Int256IsNeg(amount_specified);
	Uint256		remaining = *amount_specified;
	Uint256		calculated;
	Univ3Status st;

	if (Uint256IsZero(amount_specified))
		return UNIV3_ERR_AMOUNT_ZERO;
	if (pool->fee_pips < 0 || pool->fee_pips >= UNIV3_FEE_DENOM)
		return UNIV3_ERR_FEE;
	if (zero_for_one
		? !(Uint256Cmp(sqrt_price_limit, &pool->sqrt_price) < 0 &&
			Uint256Cmp(sqrt_price_limit, &UNIV3_MIN_SQRT_RATIO) > 0)
		: !(Uint256Cmp(sqrt_price_limit, &pool->sqrt_price) > 0 &&
			Uint256Cmp(sqrt_price_limit, &UNIV3_MAX_SQRT_RATIO) < 0))
		return UNIV3_ERR_PRICE_LIMIT;

	Uint256FromUint64(&calculated, 0);
	res->sqrt_price = pool->sqrt_price;
	res->tick = pool->tick;
	res->liquidity = pool->liquidity;
	Uint256FromUint64(&res->fee_growth_delta, 0);
	Uint256FromUint64(&res->fee_amount, 0);
	res->steps = 0;
	res->ticks_crossed = 0;

	while (!Uint256IsZero(&remaining) &&
		   Uint256Cmp(&res->sqrt_price, sqrt_price_limit) != 0)
	{
		Uint256		start = res->sqrt_price;
		Uint256		next_price;
		const Uint256 *target;
		int64		tick_next;
		bool		initialized = false;
		int			index = -1;
		Univ3SwapStep step;
		Uint256		in_plus_fee;

		NextTickWithinWord(pool, res->tick, zero_for_one, &tick_next, &initialized, &index);
		if (tick_next < UNIV3_MIN_TICK)
			tick_next = UNIV3_MIN_TICK;
		else if (tick_next > UNIV3_MAX_TICK)
			tick_next = UNIV3_MAX_TICK;
		(void) Univ3SqrtRatioAtTick((int) tick_next, &next_price);

		if (zero_for_one ? Uint256Cmp(&next_price, sqrt_price_limit) < 0
			: Uint256Cmp(&next_price, sqrt_price_limit) > 0)
			target = sqrt_price_limit;
		else
			target = &next_price;
		st = Univ3ComputeSwapStep(&res->sqrt_price, target, &res->liquidity,
								  &remaining, pool->fee_pips, &step);
		if (st != UNIV3_OK)
			return st;
		res->sqrt_price = step.sqrt_next;
		res->steps++;

		if (!Uint256Add(&step.amount_in, &step.fee_amount, &in_plus_fee) ||
			!FitsInt256(&in_plus_fee) || !FitsInt256(&step.amount_out))
			return UNIV3_ERR_OVERFLOW;
		if (exact_in)
		{
			/* remaining -= in + fee (unchecked); calculated = calculated.sub(out) */
			Univ3WrapSub(&remaining, &in_plus_fee, &remaining);
			if (!Int256Sub(&calculated, &step.amount_out, &calculated))
				return UNIV3_ERR_OVERFLOW;
		}
		else
		{
			Univ3WrapAdd(&remaining, &step.amount_out, &remaining);
			if (!Int256Add(&calculated, &in_plus_fee, &calculated))
				return UNIV3_ERR_OVERFLOW;
		}
		(void) Uint256Add(&res->fee_amount, &step.fee_amount, &res->fee_amount);

		if (!Uint256IsZero(&res->liquidity))
		{
			Uint256		growth;

			(void) Uint256MulDiv(&step.fee_amount, &UNIV3_Q128, &res->liquidity, false, &growth);
			Univ3WrapAdd(&res->fee_growth_delta, &growth, &res->fee_growth_delta);
		}

		if (Uint256Cmp(&res->sqrt_price, &next_price) == 0)
		{
			if (initialized)
			{
				st = AddDelta(&res->liquidity, &pool->liquidity_net[index], zero_for_one);
				if (st != UNIV3_OK)
					return st;
				res->ticks_crossed++;
			}
			res->tick = zero_for_one ? (int) tick_next - 1 : (int) tick_next;
		}
		else if (Uint256Cmp(&res->sqrt_price, &start) != 0)
			(void) Univ3TickAtSqrtRatio(&res->sqrt_price, &res->tick);
	}

	/* amountSpecified - remaining is the specified token's side */
	{
		Uint256		specified_used;

		Univ3WrapSub(amount_specified, &remaining, &specified_used);
		if (zero_for_one == exact_in)
		{
			res->amount0 = specified_used;
			res->amount1 = calculated;
		}
		else
		{
			res->amount0 = calculated;
			res->amount1 = specified_used;
		}
	}
	return UNIV3_OK;
}
