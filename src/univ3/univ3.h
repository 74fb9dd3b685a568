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

#include "datatype/timestamp.h"
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

/*
 * alm.c: ALM decisions (a target layout of positions, and whether to
 * rebalance).  Pure except for an elog on a cannot-happen check.
 */
typedef enum Univ3AlmRole
{
	UNIV3_ALM_FULL_RANGE = 0,
	UNIV3_ALM_BASE,
	UNIV3_ALM_LIMIT
} Univ3AlmRole;

typedef struct Univ3AlmParams
{
	double		k;				/* standard deviations on each side */
	int			min_width;		/* base width floor, tick spacings (>= 2) */
	int			limit_width;	/* limit order width, spacings; 0 = base width */
	double		full_range_share;	/* of each holding, [0, 1] */
	bool		has_peg;
	int			peg_tick;		/* tick of the exchange-rate peg */
	double		peg_pull;		/* share of the distance to the peg, [0, 1] */
	int			appreciating;	/* +1 token0, -1 token1, 0 none */
	double		apr;			/* appreciation per 365 days */
} Univ3AlmParams;

typedef struct Univ3AlmOrder
{
	Univ3AlmRole role;
	int			tick_lower;
	int			tick_upper;
	Uint256		liquidity;
	Uint256		amount0;		/* what mint takes (rounded up) */
	Uint256		amount1;
} Univ3AlmOrder;

typedef struct Univ3AlmPlan
{
	int			norders;
	Univ3AlmOrder orders[3];	/* full_range?, base?, limit?, in that order */
	Uint256		idle0;			/* holdings left unplaced */
	Uint256		idle1;
} Univ3AlmPlan;

typedef struct Univ3AlmGate
{
	int			tick_lower;
	int			tick_upper;
	int			tick;
	int			twap_tick;
	int			last_tick;		/* tick at the last rebalance */
	double		elapsed_seconds;	/* since the last rebalance */
	double		expected_fee_gain;
	double		gas_cost;
	double		swap_cost;
} Univ3AlmGate;

typedef struct Univ3AlmGateParams
{
	double		min_period_seconds;
	int			min_tick_move;
	int			max_twap_deviation;
	double		boundary_threshold;	/* share of the width, [0, 0.5] */
	double		cost_factor;
} Univ3AlmGateParams;

/* Reason bits, in the order of Univ3AlmReasonNames. */
#define UNIV3_ALM_R_OUT_OF_RANGE	0x01
#define UNIV3_ALM_R_NEAR_BOUNDARY	0x02
#define UNIV3_ALM_R_IN_RANGE		0x04
#define UNIV3_ALM_R_MIN_PERIOD		0x08
#define UNIV3_ALM_R_NO_MOVE			0x10
#define UNIV3_ALM_R_TWAP			0x20
#define UNIV3_ALM_R_COST			0x40
#define UNIV3_ALM_NREASONS			7

extern const char *const Univ3AlmRoleNames[];
extern const char *const Univ3AlmReasonNames[UNIV3_ALM_NREASONS];

extern void Univ3AlmParamsDefault(Univ3AlmParams *p);
extern void Univ3AlmGateParamsDefault(Univ3AlmGateParams *p);
extern int	Univ3AlmBaseWidth(double sigma, double horizon_days, double k,
							  int tick_spacing, int min_width);
extern double Univ3AlmSkewTicks(int tick, double horizon_days, const Univ3AlmParams *p);
extern Univ3Status Univ3AlmPlanCompute(const Uint256 *sqrt_price, int tick_spacing,
									   double sigma, double horizon_days,
									   const Uint256 *amount0, const Uint256 *amount1,
									   const Univ3AlmParams *p, Univ3AlmPlan *plan);
extern bool Univ3AlmShouldRebalance(const Univ3AlmGate *g, const Univ3AlmGateParams *p,
									uint32 *reasons);

/*
 * alm.c, SQL side: parameters from jsonb and the argument checks of
 * univ3_alm_plan and univ3_alm_should_rebalance, for C callers (analytics.c);
 * they raise the same errors as those functions.
 */
extern void Univ3AlmParamsFromJsonb(Datum jsonb, Univ3AlmParams *p);
extern void Univ3AlmGateParamsFromJsonb(Datum jsonb, Univ3AlmGateParams *p);
extern void Univ3AlmCheckPlanArgs(int tick_spacing, double sigma, double horizon_days);
extern void Univ3AlmCheckGate(Univ3AlmGate *g, TimestampTz last, TimestampTz at);

/* univ3_sql.c: raise the error for a status other than UNIV3_OK. */
extern void Univ3Raise(Univ3Status st);

#endif							/* AMPLIFIED_UNIV3_H */
