/*
 * src/univ3/univ3.h
 *
 * Exact Uniswap v3 math: the v3-core libraries TickMath, SqrtPriceMath,
 * SwapMath, Tick.getFeeGrowthInside and Position's tokens owed, the
 * v3-periphery LiquidityAmounts, a swap simulator that runs the pool's swap
 * loop over given initialized ticks, and float8 position analytics.  Every
 * integer result is bit for bit what the Solidity code returns; where the
 * Solidity code reverts, these functions return a Univ3Status other than
 * UNIV3_OK instead.  The functions here are pure (no palloc, no ereport);
 * univ3_sql.c turns them into SQL functions and statuses into errors.
 *
 * Widths: Solidity's uint160 sqrt prices, uint128 liquidity and int24 ticks
 * are Uint256 / int here; the SQL wrappers check that the arguments fit the
 * Solidity types before calling in.
 */
#ifndef AMPLIFIED_UNIV3_H
#define AMPLIFIED_UNIV3_H

#include "evm/evm.h"

#define UNIV3_MIN_TICK		(-887272)
#define UNIV3_MAX_TICK		887272
#define UNIV3_FEE_DENOM		1000000	/* fees are in pips, 1e-6 */

/* What went wrong, or UNIV3_OK; univ3_sql.c words each one as an error. */
typedef enum Univ3Status
{
	UNIV3_OK = 0,
	UNIV3_ERR_TICK,				/* |tick| > MAX_TICK (TickMath 'T') */
	UNIV3_ERR_SQRT_RATIO,		/* sqrt price outside [MIN, MAX) (TickMath 'R') */
	UNIV3_ERR_ZERO_PRICE,		/* sqrt price zero (SqrtPriceMath) */
	UNIV3_ERR_ZERO_LIQUIDITY,	/* liquidity zero (SqrtPriceMath) */
	UNIV3_ERR_OVERFLOW,			/* FullMath/SafeMath overflow, toUint160 etc. */
	UNIV3_ERR_RESERVES,			/* output larger than the liquidity holds */
	UNIV3_ERR_DIV_ZERO,			/* empty price range in LiquidityAmounts */
	UNIV3_ERR_LIQ_ADD,			/* LiquidityMath.addDelta 'LA' */
	UNIV3_ERR_LIQ_SUB,			/* LiquidityMath.addDelta 'LS' */
	UNIV3_ERR_AMOUNT_ZERO,		/* swap amount zero (pool 'AS') */
	UNIV3_ERR_PRICE_LIMIT,		/* swap sqrt price limit (pool 'SPL') */
	UNIV3_ERR_FEE				/* fee_pips outside [0, 1e6) */
} Univ3Status;

/* Constants (tick_math.c). */
extern const Uint256 UNIV3_MIN_SQRT_RATIO;
extern const Uint256 UNIV3_MAX_SQRT_RATIO;
extern const Uint256 UNIV3_MAX_UINT160;
extern const Uint256 UNIV3_MAX_UINT128;
extern const Uint256 UNIV3_Q96;
extern const Uint256 UNIV3_Q128;

/* Wrapping (mod 2^256) arithmetic, as Solidity 0.7's unchecked + and -. */
extern void Univ3WrapAdd(const Uint256 *a, const Uint256 *b, Uint256 *r);
extern void Univ3WrapSub(const Uint256 *a, const Uint256 *b, Uint256 *r);

/* tick_math.c */
extern Univ3Status Univ3SqrtRatioAtTick(int tick, Uint256 *r);
extern Univ3Status Univ3TickAtSqrtRatio(const Uint256 *sqrt_price, int *tick);
extern int	Univ3NearestUsableTick(int tick, int tick_spacing);

/* sqrt_price_math.c */
extern Univ3Status Univ3Amount0Delta(const Uint256 *sqrt_a, const Uint256 *sqrt_b,
									 const Uint256 *liquidity, bool round_up,
									 Uint256 *r);
extern void Univ3Amount1Delta(const Uint256 *sqrt_a, const Uint256 *sqrt_b,
							  const Uint256 *liquidity, bool round_up, Uint256 *r);
extern Univ3Status Univ3Amount0DeltaSigned(const Uint256 *sqrt_a, const Uint256 *sqrt_b,
										   const Uint256 *liquidity_delta, Uint256 *r);
extern Univ3Status Univ3Amount1DeltaSigned(const Uint256 *sqrt_a, const Uint256 *sqrt_b,
										   const Uint256 *liquidity_delta, Uint256 *r);
extern Univ3Status Univ3NextSqrtPriceFromInput(const Uint256 *sqrt_price,
											   const Uint256 *liquidity,
											   const Uint256 *amount_in,
											   bool zero_for_one, Uint256 *r);
extern Univ3Status Univ3NextSqrtPriceFromOutput(const Uint256 *sqrt_price,
												const Uint256 *liquidity,
												const Uint256 *amount_out,
												bool zero_for_one, Uint256 *r);

/* swap_math.c */
typedef struct Univ3SwapStep
{
	Uint256		sqrt_next;
	Uint256		amount_in;
	Uint256		amount_out;
	Uint256		fee_amount;
} Univ3SwapStep;

extern Univ3Status Univ3ComputeSwapStep(const Uint256 *sqrt_current,
										const Uint256 *sqrt_target,
										const Uint256 *liquidity,
										const Uint256 *amount_remaining,
										int fee_pips, Univ3SwapStep *step);

/* liquidity_amounts.c */
extern Univ3Status Univ3LiquidityForAmounts(const Uint256 *sqrt_price,
											const Uint256 *sqrt_a,
											const Uint256 *sqrt_b,
											const Uint256 *amount0,
											const Uint256 *amount1, Uint256 *r);
extern Univ3Status Univ3AmountsForLiquidity(const Uint256 *sqrt_price,
											const Uint256 *sqrt_a,
											const Uint256 *sqrt_b,
											const Uint256 *liquidity,
											Uint256 *amount0, Uint256 *amount1);

/* position.c */
extern void Univ3FeeGrowthInside(int tick_lower, int tick_upper, int tick_current,
								 const Uint256 *fee_growth_global,
								 const Uint256 *outside_lower,
								 const Uint256 *outside_upper, Uint256 *r);
extern void Univ3TokensOwed(const Uint256 *fee_growth_inside,
							const Uint256 *fee_growth_inside_last,
							const Uint256 *liquidity, Uint256 *r);
extern Univ3Status Univ3ValueInToken1(const Uint256 *sqrt_price, const Uint256 *amount0,
									  const Uint256 *amount1, Uint256 *r);
extern double Univ3RangeImpermanentLoss(double price_entry, double price_now,
										double price_lower, double price_upper);

/* swap_sim.c: the pool's swap loop over a sorted array of initialized ticks. */
typedef struct Univ3Pool
{
	Uint256		sqrt_price;
	int			tick;
	Uint256		liquidity;
	int			tick_spacing;
	int			fee_pips;
	int			nticks;
	const int  *ticks;			/* initialized ticks, ascending, distinct */
	const Uint256 *liquidity_net;	/* int256 (int128 range), per tick */
} Univ3Pool;

typedef struct Univ3SwapResult
{
	Uint256		amount0;		/* int256: positive into the pool */
	Uint256		amount1;
	Uint256		sqrt_price;
	int			tick;
	Uint256		liquidity;
	Uint256		fee_growth_delta;	/* of the input token, X128 */
	Uint256		fee_amount;		/* total fees paid, input token */
	int			steps;
	int			ticks_crossed;
} Univ3SwapResult;

extern Univ3Status Univ3SimulateSwap(const Univ3Pool *pool, bool zero_for_one,
									 const Uint256 *amount_specified,
									 const Uint256 *sqrt_price_limit,
									 Univ3SwapResult *res);

#endif							/* AMPLIFIED_UNIV3_H */
