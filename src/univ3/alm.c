/*
 * src/univ3/alm.c
 *
 * ALM decisions for a concentrated-liquidity vault: where to put its
 * liquidity (a full-range share, a base range sized from volatility over the
 * rebalance horizon and skewed toward an LST/LRT's expected drift, and a
 * single-sided limit order for the token left over) and whether to
 * rebalance now (range triggers and the period, move, TWAP and cost gates).
 * The decisions are pure C over the exact pool math of this module: every
 * liquidity is LiquidityAmounts.getLiquidityForAmounts of what the vault
 * still holds, every amount is what UniswapV3Pool.mint would take for it
 * (SqrtPriceMath rounded up), so the amounts never exceed the holdings.  The
 * fmgr wrappers at the end parse the jsonb parameters and build the rows.
 */
#include "postgres.h"

#include <float.h>
#include <math.h>

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "fmgr.h"
#include "funcapi.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/timestamp.h"

#include "univ3/univ3.h"

/* ln(1.0001): one tick of log price. */
#define ALM_LN_TICK		log(1.0001)

const char *const Univ3AlmRoleNames[] = {"full_range", "base", "limit"};

/* In the order Univ3AlmShouldRebalance reports them (bit i = name i). */
const char *const Univ3AlmReasonNames[UNIV3_ALM_NREASONS] = {
	"out_of_range", "near_boundary", "in_range", "min_period_not_elapsed",
	"no_move", "twap_deviation", "cost_exceeds_benefit"
};

/* The default plan parameters (documented in docs/univ3.md). */
void
Univ3AlmParamsDefault(Univ3AlmParams *p)
{
	p->k = 2.0;
	p->min_width = 2;
	p->limit_width = 0;
	p->full_range_share = 0.0;
	p->has_peg = false;
	p->peg_tick = 0;
	p->peg_pull = 0.5;
	p->appreciating = 0;
	p->apr = 0.0;
}

/* The default gate parameters (documented in docs/univ3.md). */
void
Univ3AlmGateParamsDefault(Univ3AlmGateParams *p)
{
	p->min_period_seconds = 0.0;
	p->min_tick_move = 0;
	p->max_twap_deviation = 100;
	p->boundary_threshold = 0.1;
	p->cost_factor = 1.0;
}

/* Lowest and highest usable ticks for a spacing (TickMath bounds rounded in). */
static int
AlmMinUsable(int s)
{
	return -((UNIV3_MAX_TICK / s) * s);
}

static int
AlmMaxUsable(int s)
{
	return (UNIV3_MAX_TICK / s) * s;
}

/* floor(x / s) * s for any sign of x (s > 0). */
static int64
AlmFloorMultiple(int64 x, int s)
{
	int64		q = x / s;

	if (x % s != 0 && x < 0)
		q--;
	return q * s;
}

/*
 * The base range's width in tick spacings: ceil(2 k sigma sqrt(h) /
 * (ln(1.0001) s)), a range of k standard deviations of log price on either
 * side, at least min_width and at most the whole usable range.
 */
int
Univ3AlmBaseWidth(double sigma, double horizon_days, double k, int tick_spacing,
				  int min_width)
{
	int			max_width = (AlmMaxUsable(tick_spacing) - AlmMinUsable(tick_spacing)) / tick_spacing;
	double		x = 2.0 * k * sigma * sqrt(horizon_days) / (ALM_LN_TICK * tick_spacing);
	int			w;

	if (!(x < (double) max_width))
		w = max_width;
	else
		w = (int) ceil(x);
	if (w < min_width)
		w = min_width;
	if (w > max_width)
		w = max_width;
	return w;
}

/*
 * How far, in ticks, to move the base range's centre from the current tick:
 * the drift of the price over the horizon when one token accrues value
 * against the other (ln(1 + apr) per 365 days; up when token0 appreciates,
 * since the price is token1 per token0), plus peg_pull times the distance to
 * the exchange-rate peg tick (the price is expected to return toward it).
 */
double
Univ3AlmSkewTicks(int tick, double horizon_days, const Univ3AlmParams *p)
{
	double		skew = 0.0;

	if (p->appreciating != 0)
		skew += p->appreciating * log1p(p->apr) * horizon_days / 365.0 / ALM_LN_TICK;
	if (p->has_peg)
		skew += p->peg_pull * ((double) p->peg_tick - (double) tick);
	return skew;
}

/*
 * Tick.tickSpacingToMaxLiquidityPerTick: uint128 max / the number of usable
 * ticks, the most liquidity the pool accepts referencing one tick ('LO').
 */
static void
AlmMaxLiquidityPerTick(int s, Uint256 *r)
{
	Uint256		n,
				rem;

	Uint256FromUint64(&n, (uint64) ((AlmMaxUsable(s) - AlmMinUsable(s)) / s + 1));
	(void) Uint256DivMod(&UNIV3_MAX_UINT128, &n, r, &rem);
}

/*
 * LiquidityAmounts.getLiquidityForAmounts over [sa, sb] at the price,
 * capped at cap: the same intermediates (floor(a b / 2^96), then amount0 *
 * that / (b - a); amount1 * 2^96 / (b - a)) and the same choice of sides,
 * but where the Solidity library would revert because one side's liquidity
 * does not fit uint128 (a huge holding of a token that is nearly worthless
 * at an extreme price), that side counts as unlimited and the result is the
 * other side's, capped.  Equal to getLiquidityForAmounts whenever that
 * returns a value at most cap.
 */
static void
AlmMaxLiquidity(const Uint256 *sqrt_price, const Uint256 *sa, const Uint256 *sb,
				const Uint256 *amount0, const Uint256 *amount1, const Uint256 *cap,
				Uint256 *r)
{
	Uint256		l = *cap;
	Uint256		side,
				inter,
				diff;

	if (Uint256Cmp(sqrt_price, sb) < 0)
	{
		const Uint256 *a = Uint256Cmp(sqrt_price, sa) > 0 ? sqrt_price : sa;

		(void) Uint256MulDiv(a, sb, &UNIV3_Q96, false, &inter);
		(void) Uint256Sub(sb, a, &diff);
		if (Uint256MulDiv(amount0, &inter, &diff, false, &side) && Uint256Cmp(&side, &l) < 0)
			l = side;
	}
	if (Uint256Cmp(sqrt_price, sa) > 0)
	{
		const Uint256 *b = Uint256Cmp(sqrt_price, sb) < 0 ? sqrt_price : sb;

		(void) Uint256Sub(b, sa, &diff);
		if (Uint256MulDiv(amount1, &UNIV3_Q96, &diff, false, &side) && Uint256Cmp(&side, &l) < 0)
			l = side;
	}
	*r = l;
}

/*
 * Mint the most liquidity the available amounts allow over [lo, hi] at the
 * price, as the periphery does (getLiquidityForAmounts, capped at cap, see
 * AlmMaxLiquidity), and take from the
 * available amounts what the pool's _modifyPosition charges for it
 * (getAmount0Delta / getAmount1Delta rounded up).  Those never exceed the
 * amounts: with inter = floor(a b / 2^96), L <= amount0 inter / (b - a)
 * gives ceil(ceil((L << 96)(b - a) / b) / a) <= amount0, and L <= amount1 *
 * 2^96 / (b - a) gives ceil(L (b - a) / 2^96) <= amount1.  A zero liquidity
 * adds no order.
 */
static Univ3Status
AlmMint(const Uint256 *sqrt_price, int lo, int hi, Univ3AlmRole role, const Uint256 *cap,
		Uint256 *avail0, Uint256 *avail1, Univ3AlmPlan *plan)
{
	Univ3AlmOrder *o = &plan->orders[plan->norders];
	Uint256		sa,
				sb;
	Univ3Status st;

	if ((st = Univ3SqrtRatioAtTick(lo, &sa)) != UNIV3_OK ||
		(st = Univ3SqrtRatioAtTick(hi, &sb)) != UNIV3_OK)
		return st;
	AlmMaxLiquidity(sqrt_price, &sa, &sb, avail0, avail1, cap, &o->liquidity);
	if (Uint256IsZero(&o->liquidity))
		return UNIV3_OK;

	Uint256FromUint64(&o->amount0, 0);
	Uint256FromUint64(&o->amount1, 0);
	if (Uint256Cmp(sqrt_price, &sa) <= 0)
		st = Univ3Amount0Delta(&sa, &sb, &o->liquidity, true, &o->amount0);
	else if (Uint256Cmp(sqrt_price, &sb) < 0)
	{
		st = Univ3Amount0Delta(sqrt_price, &sb, &o->liquidity, true, &o->amount0);
		Univ3Amount1Delta(&sa, sqrt_price, &o->liquidity, true, &o->amount1);
	}
	else
		Univ3Amount1Delta(&sa, &sb, &o->liquidity, true, &o->amount1);
	if (st != UNIV3_OK)
		return st;
	if (!Uint256Sub(avail0, &o->amount0, avail0) ||
		!Uint256Sub(avail1, &o->amount1, avail1))
		elog(ERROR, "ALM mint amounts exceed the holdings");	/* see above */

	o->role = role;
	o->tick_lower = lo;
	o->tick_upper = hi;
	plan->norders++;
	return UNIV3_OK;
}

/*
 * The target layout for a vault holding amount0 and amount1 in a pool at
 * sqrt_price: first full_range_share of each holding over the whole usable
 * range, then the base range (width from Univ3AlmBaseWidth, centred on the
 * current tick moved by Univ3AlmSkewTicks, rounded to the spacing, kept so
 * that it contains the price and lies inside the usable range), then the
 * limit order: what is left of token0 in a range of limit_width spacings
 * starting at the first usable tick at or above the price (token0 only), or
 * what is left of token1 in one ending at the last usable tick at or below
 * the price (token1 only), whichever mints more liquidity.  The rest stays
 * idle (rounding dust, or what the usable range has no room for).  The
 * caller has checked tick_spacing (1 .. 16383), sigma >= 0, horizon_days > 0
 * and the parameters.
 */
Univ3Status
Univ3AlmPlanCompute(const Uint256 *sqrt_price, int tick_spacing, double sigma,
					double horizon_days, const Uint256 *amount0,
					const Uint256 *amount1, const Univ3AlmParams *p,
					Univ3AlmPlan *plan)
{
	int			s = tick_spacing;
	int			min_u = AlmMinUsable(s);
	int			max_u = AlmMaxUsable(s);
	int			tick;
	int			width;
	int			lw;
	double		skew;
	int64		centre,
				lo,
				hi;
	Uint256		avail0 = *amount0,
				avail1 = *amount1,
				cap;
	Univ3Status st;

	plan->norders = 0;
	AlmMaxLiquidityPerTick(s, &cap);
	if ((st = Univ3TickAtSqrtRatio(sqrt_price, &tick)) != UNIV3_OK)
		return st;

	/* the full-range share: floor(amount * ppm / 1e6) of each token */
	if (p->full_range_share > 0.0)
	{
		Uint256		ppm,
					million,
					f0,
					f1,
					r0,
					r1,
					used;

		Uint256FromUint64(&ppm, (uint64) llround(p->full_range_share * 1e6));
		Uint256FromUint64(&million, 1000000);
		(void) Uint256MulDiv(amount0, &ppm, &million, false, &f0);
		(void) Uint256MulDiv(amount1, &ppm, &million, false, &f1);
		r0 = f0;
		r1 = f1;
		st = AlmMint(sqrt_price, min_u, max_u, UNIV3_ALM_FULL_RANGE, &cap, &r0, &r1, plan);
		if (st != UNIV3_OK)
			return st;
		(void) Uint256Sub(&f0, &r0, &used);
		(void) Uint256Sub(&avail0, &used, &avail0);
		(void) Uint256Sub(&f1, &r1, &used);
		(void) Uint256Sub(&avail1, &used, &avail1);
	}

	/* the base range */
	width = Univ3AlmBaseWidth(sigma, horizon_days, p->k, s, p->min_width);
	skew = Univ3AlmSkewTicks(tick, horizon_days, p);
	if (skew > 2.0 * UNIV3_MAX_TICK)
		skew = 2.0 * UNIV3_MAX_TICK;
	if (skew < -2.0 * UNIV3_MAX_TICK)
		skew = -2.0 * UNIV3_MAX_TICK;
	centre = (int64) tick + (int64) llround(skew);
	/* lower = s * round_half_up((centre - width s / 2) / s) */
	lo = AlmFloorMultiple(2 * centre - (int64) width * s + s, 2 * s) / 2;
	/* keep the price inside: sqrt(lo) <= price < sqrt(hi) */
	if (lo > AlmFloorMultiple(tick, s))
		lo = AlmFloorMultiple(tick, s);
	if (lo + (int64) width * s <= tick)
		lo = AlmFloorMultiple(tick, s) - (int64) (width - 1) * s;
	hi = lo + (int64) width * s;
	if (lo < min_u)
	{
		lo = min_u;
		hi = Min(max_u, lo + (int64) width * s);
	}
	if (hi > max_u)
	{
		hi = max_u;
		lo = Max(min_u, hi - (int64) width * s);
	}
	st = AlmMint(sqrt_price, (int) lo, (int) hi, UNIV3_ALM_BASE, &cap,
				 &avail0, &avail1, plan);
	if (st != UNIV3_OK)
		return st;

	/* the limit order for the token left over */
	lw = p->limit_width > 0 ? p->limit_width : width;
	{
		int64		ask_lo,
					ask_hi,
					bid_lo,
					bid_hi;
		Uint256		at_tick,
					sa,
					sb,
					l_ask,
					l_bid,
					zero;

		Uint256FromUint64(&zero, 0);
		Uint256FromUint64(&l_ask, 0);
		Uint256FromUint64(&l_bid, 0);
		(void) Univ3SqrtRatioAtTick(tick, &at_tick);
		if (tick % s == 0 && Uint256Cmp(&at_tick, sqrt_price) == 0)
			ask_lo = tick;
		else
			ask_lo = -AlmFloorMultiple(-((int64) tick + 1), s);
		ask_hi = Min(max_u, ask_lo + (int64) lw * s);
		bid_hi = AlmFloorMultiple(tick, s);
		bid_lo = Max(min_u, bid_hi - (int64) lw * s);

		if (ask_lo < ask_hi && !Uint256IsZero(&avail0))
		{
			(void) Univ3SqrtRatioAtTick((int) ask_lo, &sa);
			(void) Univ3SqrtRatioAtTick((int) ask_hi, &sb);
			AlmMaxLiquidity(sqrt_price, &sa, &sb, &avail0, &zero, &cap, &l_ask);
		}
		if (bid_lo < bid_hi && !Uint256IsZero(&avail1))
		{
			(void) Univ3SqrtRatioAtTick((int) bid_lo, &sa);
			(void) Univ3SqrtRatioAtTick((int) bid_hi, &sb);
			AlmMaxLiquidity(sqrt_price, &sa, &sb, &zero, &avail1, &cap, &l_bid);
		}
		if (Uint256Cmp(&l_ask, &l_bid) > 0)
			st = AlmMint(sqrt_price, (int) ask_lo, (int) ask_hi, UNIV3_ALM_LIMIT, &cap,
						 &avail0, &zero, plan);
		else if (!Uint256IsZero(&l_bid))
			st = AlmMint(sqrt_price, (int) bid_lo, (int) bid_hi, UNIV3_ALM_LIMIT, &cap,
						 &zero, &avail1, plan);
		if (st != UNIV3_OK)
			return st;
	}

	plan->idle0 = avail0;
	plan->idle1 = avail1;
	return UNIV3_OK;
}

/*
 * Whether to rebalance: a trigger (the tick out of the range [lower, upper)
 * as the pool counts it, or within boundary_threshold of the width from an
 * edge) and no gate holding it back (minimum period since the last
 * rebalance, minimum tick move since then, |tick - twap| above the maximum
 * deviation, expected fee gain not above (gas + swap cost) * cost_factor).
 * Every condition is evaluated, so *reasons (bits in the order of
 * Univ3AlmReasonNames) says all that held: the triggers when the answer is
 * yes, the state of the range and every gate that said no otherwise.
 */
bool
Univ3AlmShouldRebalance(const Univ3AlmGate *g, const Univ3AlmGateParams *p,
						uint32 *reasons)
{
	uint32		r = 0;
	int64		width = (int64) g->tick_upper - g->tick_lower;
	int64		dist;

	if (g->tick < g->tick_lower || g->tick >= g->tick_upper)
		r |= UNIV3_ALM_R_OUT_OF_RANGE;
	else
	{
		dist = Min((int64) g->tick - g->tick_lower, (int64) g->tick_upper - g->tick);
		if ((double) dist <= p->boundary_threshold * (double) width)
			r |= UNIV3_ALM_R_NEAR_BOUNDARY;
		else
			r |= UNIV3_ALM_R_IN_RANGE;
	}
	if (g->elapsed_seconds < p->min_period_seconds)
		r |= UNIV3_ALM_R_MIN_PERIOD;
	if (Abs((int64) g->tick - g->last_tick) < p->min_tick_move)
		r |= UNIV3_ALM_R_NO_MOVE;
	if (Abs((int64) g->tick - g->twap_tick) > p->max_twap_deviation)
		r |= UNIV3_ALM_R_TWAP;
	if (!(g->expected_fee_gain > (g->gas_cost + g->swap_cost) * p->cost_factor))
		r |= UNIV3_ALM_R_COST;
	*reasons = r;
	return (r & (UNIV3_ALM_R_OUT_OF_RANGE | UNIV3_ALM_R_NEAR_BOUNDARY)) != 0 &&
		(r & ~(UNIV3_ALM_R_OUT_OF_RANGE | UNIV3_ALM_R_NEAR_BOUNDARY)) == 0;
}

/* ---- SQL face ---- */

/* A bad ALM argument or parameter: 22023 naming it. */
#define AlmBad(...) \
	ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE), errmsg(__VA_ARGS__)))

/* A float8 argument or parameter that must be finite and within [lo, hi]. */
static double
AlmCheckNumber(const char *name, double v, double lo, double hi)
{
	if (isnan(v) || isinf(v) || v < lo || v > hi)
	{
		if (hi == DBL_MAX)
			AlmBad("ALM parameter \"%s\" must be a finite number of at least %g: %g",
				   name, lo, v);
		AlmBad("ALM parameter \"%s\" must be a finite number between %g and %g: %g",
			   name, lo, hi, v);
	}
	return v;
}

/* A jsonb parameter's value as a float8 within [lo, hi]. */
static double
AlmJsonNumber(const char *name, const JsonbValue *v, double lo, double hi)
{
	if (v->type != jbvNumeric)
		AlmBad("ALM parameter \"%s\" must be a number", name);
	return AlmCheckNumber(name, DatumGetFloat8(DirectFunctionCall1(numeric_float8,
																	  NumericGetDatum(v->val.numeric))),
						  lo, hi);
}

/* A jsonb parameter's value as an integer within [lo, hi]. */
static int
AlmJsonInt(const char *name, const JsonbValue *v, int lo, int hi)
{
	double		d;

	if (v->type != jbvNumeric)
		AlmBad("ALM parameter \"%s\" must be an integer", name);
	d = DatumGetFloat8(DirectFunctionCall1(numeric_float8, NumericGetDatum(v->val.numeric)));
	if (d != floor(d) || d < lo || d > hi)
		AlmBad("ALM parameter \"%s\" must be an integer between %d and %d", name, lo, hi);
	return (int) d;
}

typedef void (*AlmParamFn) (const char *key, const JsonbValue *v, void *out);

/* Walk the top level of a jsonb object, handing each key and value to fn. */
static void
AlmParseParams(Jsonb *jb, AlmParamFn fn, void *out)
{
	JsonbIterator *it;
	JsonbValue	v;
	JsonbIteratorToken tok;
	char	   *key = NULL;

	if (!JB_ROOT_IS_OBJECT(jb))
		AlmBad("ALM params must be a JSON object");
	it = JsonbIteratorInit(&jb->root);
	while ((tok = JsonbIteratorNext(&it, &v, true)) != WJB_DONE)
	{
		if (tok == WJB_KEY)
			key = pnstrdup(v.val.string.val, v.val.string.len);
		else if (tok == WJB_VALUE)
			fn(key, &v, out);
	}
}

/* One univ3_alm_plan parameter. */
static void
AlmPlanParam(const char *key, const JsonbValue *v, void *out)
{
	Univ3AlmParams *p = (Univ3AlmParams *) out;

	if (strcmp(key, "k") == 0)
	{
		p->k = AlmJsonNumber(key, v, 0.0, 1e6);
		if (p->k <= 0.0)
			AlmBad("ALM parameter \"k\" must be positive");
	}
	else if (strcmp(key, "min_width") == 0)
		p->min_width = AlmJsonInt(key, v, 2, 2 * UNIV3_MAX_TICK);
	else if (strcmp(key, "limit_width") == 0)
		p->limit_width = AlmJsonInt(key, v, 1, 2 * UNIV3_MAX_TICK);
	else if (strcmp(key, "full_range_share") == 0)
		p->full_range_share = AlmJsonNumber(key, v, 0.0, 1.0);
	else if (strcmp(key, "peg_tick") == 0)
	{
		p->peg_tick = AlmJsonInt(key, v, UNIV3_MIN_TICK, UNIV3_MAX_TICK);
		p->has_peg = true;
	}
	else if (strcmp(key, "peg_pull") == 0)
		p->peg_pull = AlmJsonNumber(key, v, 0.0, 1.0);
	else if (strcmp(key, "apr") == 0)
		p->apr = AlmJsonNumber(key, v, 0.0, 100.0);
	else if (strcmp(key, "appreciating") == 0)
	{
		char	   *s;

		if (v->type != jbvString)
			AlmBad("ALM parameter \"appreciating\" must be \"token0\", \"token1\" or \"none\"");
		s = pnstrdup(v->val.string.val, v->val.string.len);
		if (strcmp(s, "token0") == 0)
			p->appreciating = 1;
		else if (strcmp(s, "token1") == 0)
			p->appreciating = -1;
		else if (strcmp(s, "none") == 0)
			p->appreciating = 0;
		else
			AlmBad("ALM parameter \"appreciating\" must be \"token0\", \"token1\" or \"none\": \"%s\"", s);
	}
	else
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("unknown ALM parameter \"%s\"", key),
				 errhint("univ3_alm_plan takes k, min_width, limit_width, full_range_share, peg_tick, peg_pull, appreciating and apr.")));
}

/* One univ3_alm_should_rebalance parameter. */
static void
AlmGateParam(const char *key, const JsonbValue *v, void *out)
{
	Univ3AlmGateParams *p = (Univ3AlmGateParams *) out;

	if (strcmp(key, "min_period_seconds") == 0)
		p->min_period_seconds = AlmJsonNumber(key, v, 0.0, 1e12);
	else if (strcmp(key, "min_tick_move") == 0)
		p->min_tick_move = AlmJsonInt(key, v, 0, 2 * UNIV3_MAX_TICK);
	else if (strcmp(key, "max_twap_deviation") == 0)
		p->max_twap_deviation = AlmJsonInt(key, v, 0, 2 * UNIV3_MAX_TICK);
	else if (strcmp(key, "boundary_threshold") == 0)
		p->boundary_threshold = AlmJsonNumber(key, v, 0.0, 0.5);
	else if (strcmp(key, "cost_factor") == 0)
		p->cost_factor = AlmJsonNumber(key, v, 0.0, 1e6);
	else
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("unknown ALM parameter \"%s\"", key),
				 errhint("univ3_alm_should_rebalance takes min_period_seconds, min_tick_move, max_twap_deviation, boundary_threshold and cost_factor.")));
}

/* A tick argument inside [MIN_TICK, MAX_TICK], named in the error. */
static int
AlmTickArg(FunctionCallInfo fcinfo, int n, const char *name)
{
	int32		t = PG_GETARG_INT32(n);

	if (t < UNIV3_MIN_TICK || t > UNIV3_MAX_TICK)
		AlmBad("%s must lie between %d and %d: %d", name, UNIV3_MIN_TICK, UNIV3_MAX_TICK, t);
	return t;
}

/* The defaults overridden by a jsonb object of univ3_alm_plan parameters. */
void
Univ3AlmParamsFromJsonb(Datum jsonb, Univ3AlmParams *p)
{
	Univ3AlmParamsDefault(p);
	AlmParseParams(DatumGetJsonbP(jsonb), AlmPlanParam, p);
}

/* The defaults overridden by a jsonb object of univ3_alm_should_rebalance parameters. */
void
Univ3AlmGateParamsFromJsonb(Datum jsonb, Univ3AlmGateParams *p)
{
	Univ3AlmGateParamsDefault(p);
	AlmParseParams(DatumGetJsonbP(jsonb), AlmGateParam, p);
}

/*
 * The checks univ3_alm_plan makes on its scalar arguments (before it parses
 * its parameters), for C callers that plan as it does.
 */
void
Univ3AlmCheckPlanArgs(int tick_spacing, double sigma, double horizon_days)
{
	if (tick_spacing < 1 || tick_spacing > 16383)
		AlmBad("tick_spacing must lie between 1 and 16383: %d", tick_spacing);
	AlmCheckNumber("sigma", sigma, 0.0, 1e6);
	AlmCheckNumber("horizon_days", horizon_days, 0.0, 1e6);
	if (horizon_days <= 0.0)
		AlmBad("ALM parameter \"horizon_days\" must be positive");
}

/*
 * The checks univ3_alm_should_rebalance makes on its arguments, for C
 * callers that fill a Univ3AlmGate themselves; elapsed_seconds is computed
 * here from the two timestamps as that function does.
 */
void
Univ3AlmCheckGate(Univ3AlmGate *g, TimestampTz last, TimestampTz at)
{
	const int	ticks[5] = {g->tick_lower, g->tick_upper, g->tick, g->twap_tick, g->last_tick};
	const char *const names[5] = {"tick_lower", "tick_upper", "tick", "twap_tick", "last_tick"};
	int			i;

	for (i = 0; i < 5; i++)
	{
		if (ticks[i] < UNIV3_MIN_TICK || ticks[i] > UNIV3_MAX_TICK)
			AlmBad("%s must lie between %d and %d: %d", names[i], UNIV3_MIN_TICK, UNIV3_MAX_TICK, ticks[i]);
		if (i == 1 && g->tick_lower >= g->tick_upper)
			AlmBad("tick_lower must be below tick_upper: %d, %d", g->tick_lower, g->tick_upper);
	}
	if (TIMESTAMP_NOT_FINITE(last) || TIMESTAMP_NOT_FINITE(at))
		AlmBad("last_rebalance_at and at must be finite timestamps");
	if (at < last)
		AlmBad("at must not precede last_rebalance_at");
	g->elapsed_seconds = (double) (at - last) / USECS_PER_SEC;
	AlmCheckNumber("expected_fee_gain", g->expected_fee_gain, 0.0, DBL_MAX);
	AlmCheckNumber("gas_cost", g->gas_cost, 0.0, DBL_MAX);
	AlmCheckNumber("swap_cost", g->swap_cost, 0.0, DBL_MAX);
}

PG_FUNCTION_INFO_V1(univ3_alm_plan);
PG_FUNCTION_INFO_V1(univ3_alm_should_rebalance);

/*
 * univ3_alm_plan(sqrt_price, tick_spacing, sigma, horizon_days, holdings0,
 * holdings1, params) → rows (role, tick_lower, tick_upper, liquidity,
 * amount0, amount1): the target layout of Univ3AlmPlanCompute, then one
 * 'idle' row with what stays unplaced, so the rows sum to the holdings.
 */
Datum
univ3_alm_plan(PG_FUNCTION_ARGS)
{
	const Uint256 *sqrt_price = PG_GETARG_UINT256_P(0);
	int32		spacing = PG_GETARG_INT32(1);
	double		sigma = PG_GETARG_FLOAT8(2);
	double		horizon = PG_GETARG_FLOAT8(3);
	Univ3AlmParams params;
	Univ3AlmPlan plan;
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	Datum		values[6];
	bool		nulls[6] = {false, false, false, false, false, false};
	int			i;

	if (spacing < 1 || spacing > 16383)
		AlmBad("tick_spacing must lie between 1 and 16383: %d", spacing);
	AlmCheckNumber("sigma", sigma, 0.0, 1e6);
	AlmCheckNumber("horizon_days", horizon, 0.0, 1e6);
	if (horizon <= 0.0)
		AlmBad("ALM parameter \"horizon_days\" must be positive");
	Univ3AlmParamsDefault(&params);
	AlmParseParams(PG_GETARG_JSONB_P(6), AlmPlanParam, &params);

	Univ3Raise(Univ3AlmPlanCompute(sqrt_price, spacing, sigma, horizon,
								   PG_GETARG_UINT256_P(4), PG_GETARG_UINT256_P(5),
								   &params, &plan));

	InitMaterializedSRF(fcinfo, 0);
	for (i = 0; i < plan.norders; i++)
	{
		const Univ3AlmOrder *o = &plan.orders[i];

		values[0] = CStringGetTextDatum(Univ3AlmRoleNames[o->role]);
		values[1] = Int32GetDatum(o->tick_lower);
		values[2] = Int32GetDatum(o->tick_upper);
		values[3] = Uint256PGetDatum(Uint256Copy(&o->liquidity));
		values[4] = Uint256PGetDatum(Uint256Copy(&o->amount0));
		values[5] = Uint256PGetDatum(Uint256Copy(&o->amount1));
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	values[0] = CStringGetTextDatum("idle");
	nulls[1] = nulls[2] = nulls[3] = true;
	values[4] = Uint256PGetDatum(Uint256Copy(&plan.idle0));
	values[5] = Uint256PGetDatum(Uint256Copy(&plan.idle1));
	tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	return (Datum) 0;
}

/*
 * univ3_alm_should_rebalance(tick_lower, tick_upper, tick, twap_tick,
 * last_tick, last_rebalance_at, at, expected_fee_gain, gas_cost, swap_cost,
 * params) → (rebalance, reasons): Univ3AlmShouldRebalance with the reasons
 * as text.
 */
Datum
univ3_alm_should_rebalance(PG_FUNCTION_ARGS)
{
	Univ3AlmGate g;
	Univ3AlmGateParams params;
	TimestampTz last = PG_GETARG_TIMESTAMPTZ(5);
	TimestampTz at = PG_GETARG_TIMESTAMPTZ(6);
	TupleDesc	tupdesc;
	Datum		values[2];
	bool		nulls[2] = {false, false};
	Datum		texts[UNIV3_ALM_NREASONS];
	uint32		reasons;
	int			n = 0;
	int			i;
	bool		yes;

	g.tick_lower = AlmTickArg(fcinfo, 0, "tick_lower");
	g.tick_upper = AlmTickArg(fcinfo, 1, "tick_upper");
	if (g.tick_lower >= g.tick_upper)
		AlmBad("tick_lower must be below tick_upper: %d, %d", g.tick_lower, g.tick_upper);
	g.tick = AlmTickArg(fcinfo, 2, "tick");
	g.twap_tick = AlmTickArg(fcinfo, 3, "twap_tick");
	g.last_tick = AlmTickArg(fcinfo, 4, "last_tick");
	if (TIMESTAMP_NOT_FINITE(last) || TIMESTAMP_NOT_FINITE(at))
		AlmBad("last_rebalance_at and at must be finite timestamps");
	if (at < last)
		AlmBad("at must not precede last_rebalance_at");
	g.elapsed_seconds = (double) (at - last) / USECS_PER_SEC;
	g.expected_fee_gain = AlmCheckNumber("expected_fee_gain", PG_GETARG_FLOAT8(7), 0.0, DBL_MAX);
	g.gas_cost = AlmCheckNumber("gas_cost", PG_GETARG_FLOAT8(8), 0.0, DBL_MAX);
	g.swap_cost = AlmCheckNumber("swap_cost", PG_GETARG_FLOAT8(9), 0.0, DBL_MAX);
	Univ3AlmGateParamsDefault(&params);
	AlmParseParams(PG_GETARG_JSONB_P(10), AlmGateParam, &params);

	yes = Univ3AlmShouldRebalance(&g, &params, &reasons);
	for (i = 0; i < UNIV3_ALM_NREASONS; i++)
		if (reasons & (1u << i))
			texts[n++] = CStringGetTextDatum(Univ3AlmReasonNames[i]);

	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");
	tupdesc = BlessTupleDesc(tupdesc);
	values[0] = BoolGetDatum(yes);
	values[1] = PointerGetDatum(construct_array(texts, n, TEXTOID, -1, false, TYPALIGN_INT));
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls)));
}
