/*
 * src/univ3/univ3_sql.c
 *
 * The SQL face of the univ3 module: thin fmgr wrappers over the pure math of
 * tick_math.c, sqrt_price_math.c, swap_math.c, liquidity_amounts.c,
 * position.c and swap_sim.c.  They check that arguments fit the Solidity
 * types (uint160 sqrt prices, uint128 liquidity, int128 liquidity deltas),
 * turn a Univ3Status into an error with a precise SQLSTATE, and build the
 * composite results.
 */
#include "postgres.h"

#include <math.h>

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "fmgr.h"
#include "funcapi.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"

#include "univ3/univ3.h"

/* Raise the error for a status other than UNIV3_OK (alm.c uses it too). */
void
Univ3Raise(Univ3Status st)
{
	switch (st)
	{
		case UNIV3_OK:
			return;
		case UNIV3_ERR_TICK:
			ereport(ERROR,
					(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
					 errmsg("tick out of range"),
					 errdetail("A tick must lie between %d and %d (TickMath: T).",
							   UNIV3_MIN_TICK, UNIV3_MAX_TICK)));
			break;
		case UNIV3_ERR_SQRT_RATIO:
			ereport(ERROR,
					(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
					 errmsg("sqrt price out of range"),
					 errdetail("A sqrt price must be at least 4295128739 and below 1461446703485210103287273052203988822378723970342 (TickMath: R).")));
			break;
		case UNIV3_ERR_ZERO_PRICE:
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("sqrt price must be positive")));
			break;
		case UNIV3_ERR_ZERO_LIQUIDITY:
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("liquidity must be positive")));
			break;
		case UNIV3_ERR_OVERFLOW:
			ereport(ERROR,
					(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
					 errmsg("univ3 result out of range"),
					 errdetail("The Solidity library reverts here: an intermediate or the result does not fit its type.")));
			break;
		case UNIV3_ERR_RESERVES:
			ereport(ERROR,
					(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
					 errmsg("output amount exceeds what the liquidity can provide"),
					 errdetail("The sqrt price would reach zero or the amount of token0 the liquidity holds (SqrtPriceMath).")));
			break;
		case UNIV3_ERR_DIV_ZERO:
			ereport(ERROR,
					(errcode(ERRCODE_DIVISION_BY_ZERO),
					 errmsg("empty price range"),
					 errdetail("The two sqrt prices of the range are equal, or one of them is zero.")));
			break;
		case UNIV3_ERR_LIQ_ADD:
			ereport(ERROR,
					(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
					 errmsg("liquidity overflows uint128 while crossing a tick (LiquidityMath: LA)")));
			break;
		case UNIV3_ERR_LIQ_SUB:
			ereport(ERROR,
					(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
					 errmsg("liquidity falls below zero while crossing a tick (LiquidityMath: LS)"),
					 errhint("The ticks and liquidity net given do not describe a consistent pool.")));
			break;
		case UNIV3_ERR_AMOUNT_ZERO:
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("amount specified must not be zero (UniswapV3Pool: AS)")));
			break;
		case UNIV3_ERR_PRICE_LIMIT:
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("invalid sqrt price limit (UniswapV3Pool: SPL)"),
					 errdetail("Selling token0 the limit must lie below the current sqrt price and above 4295128739; selling token1, above the current sqrt price and below 1461446703485210103287273052203988822378723970342.")));
			break;
		case UNIV3_ERR_FEE:
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("fee_pips must lie between 0 and 999999")));
			break;
	}
	elog(ERROR, "unexpected univ3 status %d", (int) st);
}

/* A uint256 argument that must fit uint160 (a sqrt price). */
static const Uint256 *
GetSqrtPriceArg(FunctionCallInfo fcinfo, int n, const char *what)
{
	const Uint256 *v = PG_GETARG_UINT256_P(n);

	if (Uint256Cmp(v, &UNIV3_MAX_UINT160) > 0)
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("%s out of range for uint160", what)));
	return v;
}

/* A uint256 argument that must fit uint128 (a liquidity). */
static const Uint256 *
GetLiquidityArg(FunctionCallInfo fcinfo, int n)
{
	const Uint256 *v = PG_GETARG_UINT256_P(n);

	if (Uint256Cmp(v, &UNIV3_MAX_UINT128) > 0)
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("liquidity out of range for uint128")));
	return v;
}

/* Whether an int256 lies in int128's range. */
static bool
FitsInt128(const Uint256 *v)
{
	uint64		fill = Int256IsNeg(v) ? ~UINT64CONST(0) : 0;

	return v->w[3] == fill && v->w[2] == fill &&
		((v->w[1] >> 63) != 0) == (fill != 0);
}

/* An int256 argument that must fit int128 (a liquidity delta). */
static const Uint256 *
GetLiquidityDeltaArg(FunctionCallInfo fcinfo, int n)
{
	const Uint256 *v = PG_GETARG_UINT256_P(n);

	if (!FitsInt128(v))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("liquidity delta out of range for int128")));
	return v;
}

/* A tick argument inside [MIN_TICK, MAX_TICK]. */
static int
GetTickArg(FunctionCallInfo fcinfo, int n)
{
	int32		t = PG_GETARG_INT32(n);

	if (t < UNIV3_MIN_TICK || t > UNIV3_MAX_TICK)
		Univ3Raise(UNIV3_ERR_TICK);
	return t;
}

/* An int argument within [lo, hi], or an error naming what it is. */
static int32
GetIntArgBetween(FunctionCallInfo fcinfo, int n, int32 lo, int32 hi, const char *what)
{
	int32		v = PG_GETARG_INT32(n);

	if (v < lo || v > hi)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must lie between %d and %d: %d", what, lo, hi, v)));
	return v;
}

/* A token decimals argument (0 .. 77). */
static int
GetDecimalsArg(FunctionCallInfo fcinfo, int n)
{
	return GetIntArgBetween(fcinfo, n, 0, 77, "token decimals");
}

/* The tuple descriptor of a function's composite result. */
static TupleDesc
ResultDesc(FunctionCallInfo fcinfo)
{
	TupleDesc	tupdesc;

	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");
	return BlessTupleDesc(tupdesc);
}

#define U256DATUM(x) Uint256PGetDatum(Uint256Copy(x))

/* ---- TickMath ---- */

PG_FUNCTION_INFO_V1(univ3_sqrt_price_at_tick);
PG_FUNCTION_INFO_V1(univ3_tick_at_sqrt_price);
PG_FUNCTION_INFO_V1(univ3_nearest_usable_tick);
PG_FUNCTION_INFO_V1(univ3_min_tick);
PG_FUNCTION_INFO_V1(univ3_max_tick);
PG_FUNCTION_INFO_V1(univ3_price_at_tick);
PG_FUNCTION_INFO_V1(univ3_price_at_sqrt_price);

/* univ3_sqrt_price_at_tick(tick): TickMath.getSqrtRatioAtTick. */
Datum
univ3_sqrt_price_at_tick(PG_FUNCTION_ARGS)
{
	Uint256    *r = palloc(sizeof(Uint256));

	Univ3Raise(Univ3SqrtRatioAtTick(PG_GETARG_INT32(0), r));
	PG_RETURN_UINT256_P(r);
}

/* univ3_tick_at_sqrt_price(sqrt_price): TickMath.getTickAtSqrtRatio. */
Datum
univ3_tick_at_sqrt_price(PG_FUNCTION_ARGS)
{
	int			tick = 0;

	Univ3Raise(Univ3TickAtSqrtRatio(PG_GETARG_UINT256_P(0), &tick));
	PG_RETURN_INT32(tick);
}

/* univ3_nearest_usable_tick(tick, tick_spacing): the SDK's nearestUsableTick. */
Datum
univ3_nearest_usable_tick(PG_FUNCTION_ARGS)
{
	int			tick = GetTickArg(fcinfo, 0);
	int32		spacing = PG_GETARG_INT32(1);

	if (spacing <= 0 || spacing > UNIV3_MAX_TICK)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("tick spacing must be positive: %d", spacing)));
	PG_RETURN_INT32(Univ3NearestUsableTick(tick, spacing));
}

/*
 * A tick spacing argument: 1 .. 16383, the spacings UniswapV3Factory
 * accepts (enableFeeAmount requires 0 < tickSpacing < 16384).
 */
static int32
GetTickSpacingArg(FunctionCallInfo fcinfo, int n)
{
	return GetIntArgBetween(fcinfo, n, 1, 16383, "tick spacing");
}

/* univ3_min_tick(tick_spacing): the lowest usable tick, TickMath.MIN_TICK rounded up to the spacing. */
Datum
univ3_min_tick(PG_FUNCTION_ARGS)
{
	int32		spacing = GetTickSpacingArg(fcinfo, 0);

	PG_RETURN_INT32(-((UNIV3_MAX_TICK / spacing) * spacing));
}

/* univ3_max_tick(tick_spacing): the highest usable tick, TickMath.MAX_TICK rounded down to the spacing. */
Datum
univ3_max_tick(PG_FUNCTION_ARGS)
{
	int32		spacing = GetTickSpacingArg(fcinfo, 0);

	PG_RETURN_INT32((UNIV3_MAX_TICK / spacing) * spacing);
}

/*
 * univ3_price_at_tick(tick, decimals0, decimals1): 1.0001^tick, the price of
 * one whole token0 in whole token1, for display.
 */
Datum
univ3_price_at_tick(PG_FUNCTION_ARGS)
{
	int			tick = GetTickArg(fcinfo, 0);
	int			d0 = GetDecimalsArg(fcinfo, 1);
	int			d1 = GetDecimalsArg(fcinfo, 2);

	PG_RETURN_FLOAT8(exp((double) tick * log(1.0001)) * pow(10.0, d0 - d1));
}

/*
 * univ3_price_at_sqrt_price(sqrt_price, decimals0, decimals1):
 * (sqrt_price / 2^96)^2 in whole token1 per whole token0, for display.
 */
Datum
univ3_price_at_sqrt_price(PG_FUNCTION_ARGS)
{
	const Uint256 *s = PG_GETARG_UINT256_P(0);
	int			d0 = GetDecimalsArg(fcinfo, 1);
	int			d1 = GetDecimalsArg(fcinfo, 2);
	double		x = ldexp((double) s->w[0], -96) + ldexp((double) s->w[1], -32) +
		ldexp((double) s->w[2], 32) + ldexp((double) s->w[3], 96);

	PG_RETURN_FLOAT8(x * x * pow(10.0, d0 - d1));
}

/* ---- SqrtPriceMath ---- */

PG_FUNCTION_INFO_V1(univ3_amount0_delta);
PG_FUNCTION_INFO_V1(univ3_amount1_delta);
PG_FUNCTION_INFO_V1(univ3_amount0_delta_signed);
PG_FUNCTION_INFO_V1(univ3_amount1_delta_signed);
PG_FUNCTION_INFO_V1(univ3_next_sqrt_price_from_input);
PG_FUNCTION_INFO_V1(univ3_next_sqrt_price_from_output);

/* univ3_amount0_delta(sqrt_a, sqrt_b, liquidity, round_up): SqrtPriceMath.getAmount0Delta. */
Datum
univ3_amount0_delta(PG_FUNCTION_ARGS)
{
	const Uint256 *a = GetSqrtPriceArg(fcinfo, 0, "sqrt_a");
	const Uint256 *b = GetSqrtPriceArg(fcinfo, 1, "sqrt_b");
	const Uint256 *l = GetLiquidityArg(fcinfo, 2);
	Uint256    *r = palloc(sizeof(Uint256));

	Univ3Raise(Univ3Amount0Delta(a, b, l, PG_GETARG_BOOL(3), r));
	PG_RETURN_UINT256_P(r);
}

/* univ3_amount1_delta(sqrt_a, sqrt_b, liquidity, round_up): SqrtPriceMath.getAmount1Delta. */
Datum
univ3_amount1_delta(PG_FUNCTION_ARGS)
{
	const Uint256 *a = GetSqrtPriceArg(fcinfo, 0, "sqrt_a");
	const Uint256 *b = GetSqrtPriceArg(fcinfo, 1, "sqrt_b");
	const Uint256 *l = GetLiquidityArg(fcinfo, 2);
	Uint256    *r = palloc(sizeof(Uint256));

	Univ3Amount1Delta(a, b, l, PG_GETARG_BOOL(3), r);
	PG_RETURN_UINT256_P(r);
}

/* univ3_amount0_delta(sqrt_a, sqrt_b, liquidity_delta int256): the signed getAmount0Delta. */
Datum
univ3_amount0_delta_signed(PG_FUNCTION_ARGS)
{
	const Uint256 *a = GetSqrtPriceArg(fcinfo, 0, "sqrt_a");
	const Uint256 *b = GetSqrtPriceArg(fcinfo, 1, "sqrt_b");
	const Uint256 *l = GetLiquidityDeltaArg(fcinfo, 2);
	Uint256    *r = palloc(sizeof(Uint256));

	Univ3Raise(Univ3Amount0DeltaSigned(a, b, l, r));
	PG_RETURN_UINT256_P(r);
}

/* univ3_amount1_delta(sqrt_a, sqrt_b, liquidity_delta int256): the signed getAmount1Delta. */
Datum
univ3_amount1_delta_signed(PG_FUNCTION_ARGS)
{
	const Uint256 *a = GetSqrtPriceArg(fcinfo, 0, "sqrt_a");
	const Uint256 *b = GetSqrtPriceArg(fcinfo, 1, "sqrt_b");
	const Uint256 *l = GetLiquidityDeltaArg(fcinfo, 2);
	Uint256    *r = palloc(sizeof(Uint256));

	Univ3Raise(Univ3Amount1DeltaSigned(a, b, l, r));
	PG_RETURN_UINT256_P(r);
}

/* univ3_next_sqrt_price_from_input(sqrt_price, liquidity, amount_in, zero_for_one). */
Datum
univ3_next_sqrt_price_from_input(PG_FUNCTION_ARGS)
{
	const Uint256 *p = GetSqrtPriceArg(fcinfo, 0, "sqrt_price");
	const Uint256 *l = GetLiquidityArg(fcinfo, 1);
	Uint256    *r = palloc(sizeof(Uint256));

	Univ3Raise(Univ3NextSqrtPriceFromInput(p, l, PG_GETARG_UINT256_P(2),
										   PG_GETARG_BOOL(3), r));
	PG_RETURN_UINT256_P(r);
}

/* univ3_next_sqrt_price_from_output(sqrt_price, liquidity, amount_out, zero_for_one). */
Datum
univ3_next_sqrt_price_from_output(PG_FUNCTION_ARGS)
{
	const Uint256 *p = GetSqrtPriceArg(fcinfo, 0, "sqrt_price");
	const Uint256 *l = GetLiquidityArg(fcinfo, 1);
	Uint256    *r = palloc(sizeof(Uint256));

	Univ3Raise(Univ3NextSqrtPriceFromOutput(p, l, PG_GETARG_UINT256_P(2),
											PG_GETARG_BOOL(3), r));
	PG_RETURN_UINT256_P(r);
}

/* ---- SwapMath ---- */

PG_FUNCTION_INFO_V1(univ3_swap_step);

/*
 * univ3_swap_step(sqrt_current, sqrt_target, liquidity, amount_remaining,
 * fee_pips) → (sqrt_next, amount_in, amount_out, fee_amount):
 * SwapMath.computeSwapStep.
 */
Datum
univ3_swap_step(PG_FUNCTION_ARGS)
{
	const Uint256 *cur = GetSqrtPriceArg(fcinfo, 0, "sqrt_current");
	const Uint256 *tgt = GetSqrtPriceArg(fcinfo, 1, "sqrt_target");
	const Uint256 *l = GetLiquidityArg(fcinfo, 2);
	const Uint256 *rem = PG_GETARG_UINT256_P(3);
	int32		fee = PG_GETARG_INT32(4);
	TupleDesc	tupdesc = ResultDesc(fcinfo);
	Univ3SwapStep step;
	Datum		values[4];
	bool		nulls[4] = {false, false, false, false};

	Univ3Raise(Univ3ComputeSwapStep(cur, tgt, l, rem, fee, &step));
	values[0] = U256DATUM(&step.sqrt_next);
	values[1] = U256DATUM(&step.amount_in);
	values[2] = U256DATUM(&step.amount_out);
	values[3] = U256DATUM(&step.fee_amount);
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls)));
}

/* ---- LiquidityAmounts ---- */

PG_FUNCTION_INFO_V1(univ3_liquidity_for_amounts);
PG_FUNCTION_INFO_V1(univ3_amounts_for_liquidity);
PG_FUNCTION_INFO_V1(univ3_position_value);

/*
 * univ3_liquidity_for_amounts(sqrt_price, sqrt_a, sqrt_b, amount0, amount1):
 * LiquidityAmounts.getLiquidityForAmounts.
 */
Datum
univ3_liquidity_for_amounts(PG_FUNCTION_ARGS)
{
	const Uint256 *p = GetSqrtPriceArg(fcinfo, 0, "sqrt_price");
	const Uint256 *a = GetSqrtPriceArg(fcinfo, 1, "sqrt_a");
	const Uint256 *b = GetSqrtPriceArg(fcinfo, 2, "sqrt_b");
	Uint256    *r = palloc(sizeof(Uint256));

	Univ3Raise(Univ3LiquidityForAmounts(p, a, b, PG_GETARG_UINT256_P(3),
										PG_GETARG_UINT256_P(4), r));
	PG_RETURN_UINT256_P(r);
}

/*
 * univ3_amounts_for_liquidity(sqrt_price, sqrt_a, sqrt_b, liquidity) →
 * (amount0, amount1): LiquidityAmounts.getAmountsForLiquidity.
 */
Datum
univ3_amounts_for_liquidity(PG_FUNCTION_ARGS)
{
	const Uint256 *p = GetSqrtPriceArg(fcinfo, 0, "sqrt_price");
	const Uint256 *a = GetSqrtPriceArg(fcinfo, 1, "sqrt_a");
	const Uint256 *b = GetSqrtPriceArg(fcinfo, 2, "sqrt_b");
	const Uint256 *l = GetLiquidityArg(fcinfo, 3);
	TupleDesc	tupdesc = ResultDesc(fcinfo);
	Uint256		a0,
				a1;
	Datum		values[2];
	bool		nulls[2] = {false, false};

	Univ3Raise(Univ3AmountsForLiquidity(p, a, b, l, &a0, &a1));
	values[0] = U256DATUM(&a0);
	values[1] = U256DATUM(&a1);
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls)));
}

/* The amounts and token1 value of a range position at a sqrt price. */
static void
PositionValue(const Uint256 *p, int tick_lower, int tick_upper, const Uint256 *l,
			  Uint256 *a0, Uint256 *a1, Uint256 *value)
{
	Uint256		sa,
				sb;

	if (tick_lower >= tick_upper)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("tick_lower must be below tick_upper: %d, %d", tick_lower, tick_upper)));
	Univ3Raise(Univ3SqrtRatioAtTick(tick_lower, &sa));
	Univ3Raise(Univ3SqrtRatioAtTick(tick_upper, &sb));
	Univ3Raise(Univ3AmountsForLiquidity(p, &sa, &sb, l, a0, a1));
	Univ3Raise(Univ3ValueInToken1(p, a0, a1, value));
}

/*
 * univ3_position_value(sqrt_price, tick_lower, tick_upper, liquidity) →
 * (amount0, amount1, value_token1): what the position holds at the price
 * (rounded down, as the periphery computes it) and its worth in token1.
 */
Datum
univ3_position_value(PG_FUNCTION_ARGS)
{
	const Uint256 *p = GetSqrtPriceArg(fcinfo, 0, "sqrt_price");
	int			lo = GetTickArg(fcinfo, 1);
	int			hi = GetTickArg(fcinfo, 2);
	const Uint256 *l = GetLiquidityArg(fcinfo, 3);
	TupleDesc	tupdesc = ResultDesc(fcinfo);
	Uint256		a0,
				a1,
				v;
	Datum		values[3];
	bool		nulls[3] = {false, false, false};

	PositionValue(p, lo, hi, l, &a0, &a1, &v);
	values[0] = U256DATUM(&a0);
	values[1] = U256DATUM(&a1);
	values[2] = U256DATUM(&v);
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls)));
}

/* ---- fees and analytics ---- */

PG_FUNCTION_INFO_V1(univ3_fee_growth_inside);
PG_FUNCTION_INFO_V1(univ3_tokens_owed);
PG_FUNCTION_INFO_V1(univ3_position_vs_hold);
PG_FUNCTION_INFO_V1(univ3_impermanent_loss);
PG_FUNCTION_INFO_V1(univ3_fee_apr);

/*
 * univ3_fee_growth_inside(tick_lower, tick_upper, tick_current,
 * fee_growth_global, outside_lower, outside_upper): Tick.getFeeGrowthInside
 * for one token.
 */
Datum
univ3_fee_growth_inside(PG_FUNCTION_ARGS)
{
	int			lo = PG_GETARG_INT32(0);
	int			hi = PG_GETARG_INT32(1);
	int			cur = PG_GETARG_INT32(2);
	Uint256    *r = palloc(sizeof(Uint256));

	if (lo >= hi)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("tick_lower must be below tick_upper: %d, %d", lo, hi)));
	if (lo < UNIV3_MIN_TICK || hi > UNIV3_MAX_TICK)
		Univ3Raise(UNIV3_ERR_TICK);
	Univ3FeeGrowthInside(lo, hi, cur, PG_GETARG_UINT256_P(3), PG_GETARG_UINT256_P(4),
						 PG_GETARG_UINT256_P(5), r);
	PG_RETURN_UINT256_P(r);
}

/*
 * univ3_tokens_owed(fee_growth_inside, fee_growth_inside_last, liquidity):
 * the fees a position earned between two readings of its inside growth.
 */
Datum
univ3_tokens_owed(PG_FUNCTION_ARGS)
{
	const Uint256 *l = GetLiquidityArg(fcinfo, 2);
	Uint256    *r = palloc(sizeof(Uint256));

	Univ3TokensOwed(PG_GETARG_UINT256_P(0), PG_GETARG_UINT256_P(1), l, r);
	PG_RETURN_UINT256_P(r);
}

/*
 * univ3_position_vs_hold(sqrt_price_entry, sqrt_price_now, tick_lower,
 * tick_upper, liquidity) → (value_position, value_hold, impermanent_loss):
 * the position's token1 value now, the value now of the amounts it held at
 * entry, and position/hold - 1.
 */
Datum
univ3_position_vs_hold(PG_FUNCTION_ARGS)
{
	const Uint256 *pe = GetSqrtPriceArg(fcinfo, 0, "sqrt_price_entry");
	const Uint256 *pn = GetSqrtPriceArg(fcinfo, 1, "sqrt_price_now");
	int			lo = GetTickArg(fcinfo, 2);
	int			hi = GetTickArg(fcinfo, 3);
	const Uint256 *l = GetLiquidityArg(fcinfo, 4);
	TupleDesc	tupdesc = ResultDesc(fcinfo);
	Uint256		e0,
				e1,
				ev,
				n0,
				n1,
				nv,
				hold;
	Datum		values[3];
	bool		nulls[3] = {false, false, false};
	double		dpos,
				dhold;

	PositionValue(pe, lo, hi, l, &e0, &e1, &ev);
	PositionValue(pn, lo, hi, l, &n0, &n1, &nv);
	Univ3Raise(Univ3ValueInToken1(pn, &e0, &e1, &hold));
	dpos = DatumGetFloat8(DirectFunctionCall1(numeric_float8, Uint256GetNumeric(&nv, false)));
	dhold = DatumGetFloat8(DirectFunctionCall1(numeric_float8, Uint256GetNumeric(&hold, false)));
	values[0] = U256DATUM(&nv);
	values[1] = U256DATUM(&hold);
	if (dhold > 0)
		values[2] = Float8GetDatum(dpos / dhold - 1.0);
	else
		nulls[2] = true;
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls)));
}

/*
 * univ3_impermanent_loss(price_entry, price_now, price_lower, price_upper):
 * the loss of a range position against holding, as a fraction.
 */
Datum
univ3_impermanent_loss(PG_FUNCTION_ARGS)
{
	double		pe = PG_GETARG_FLOAT8(0);
	double		pn = PG_GETARG_FLOAT8(1);
	double		pa = PG_GETARG_FLOAT8(2);
	double		pb = PG_GETARG_FLOAT8(3);

	if (!(pe > 0 && pn > 0 && pa > 0 && pb > 0) || isinf(pe) || isinf(pn) || isinf(pa))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("prices must be positive and finite")));
	if (!(pa < pb))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("price_lower must be below price_upper")));
	PG_RETURN_FLOAT8(Univ3RangeImpermanentLoss(pe, pn, pa, pb));
}

/*
 * univ3_fee_apr(fees_value, position_value, seconds): fees earned over
 * seconds as a simple annual rate of the position's value (365-day year).
 */
Datum
univ3_fee_apr(PG_FUNCTION_ARGS)
{
	double		fees = PG_GETARG_FLOAT8(0);
	double		value = PG_GETARG_FLOAT8(1);
	double		secs = PG_GETARG_FLOAT8(2);

	if (!(value > 0) || isinf(value))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("position value must be positive and finite")));
	if (!(secs > 0) || isinf(secs))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("seconds must be positive and finite")));
	if (isnan(fees) || isinf(fees))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("fees must be finite")));
	PG_RETURN_FLOAT8(fees / value * (365.0 * 86400.0 / secs));
}

/* ---- swap simulator ---- */

PG_FUNCTION_INFO_V1(univ3_simulate_swap);

/* Order ticks with their liquidity net by tick. */
typedef struct TickRow
{
	int			tick;
	Uint256		net;
} TickRow;

static int
TickRowCmp(const void *a, const void *b)
{
	int			x = ((const TickRow *) a)->tick;
	int			y = ((const TickRow *) b)->tick;

	return (x > y) - (x < y);
}

/*
 * univ3_simulate_swap(sqrt_price, tick, liquidity, tick_spacing, fee_pips,
 * ticks int[], liquidity_net int256[], zero_for_one, amount_specified,
 * sqrt_price_limit) → (amount0, amount1, sqrt_price_after, tick_after,
 * liquidity_after, fee_growth_global_delta, fee_amount, steps,
 * ticks_crossed): UniswapV3Pool.swap over the given initialized ticks.  A
 * NULL sqrt_price_limit means no limit (MIN_SQRT_RATIO + 1 or
 * MAX_SQRT_RATIO - 1); any other NULL gives NULL.
 */
Datum
univ3_simulate_swap(PG_FUNCTION_ARGS)
{
	Univ3Pool	pool;
	TupleDesc	tupdesc;
	ArrayType  *ticks_arr,
			   *net_arr;
	Datum	   *tick_d,
			   *net_d;
	bool	   *tick_n,
			   *net_n;
	int			nt,
				nn,
				i;
	int16		typlen;
	bool		typbyval;
	char		typalign;
	TickRow    *rows;
	int		   *ticks;
	Uint256    *nets;
	bool		zero_for_one;
	const Uint256 *amount;
	Uint256		limit;
	Univ3SwapResult res;
	Datum		values[9];
	bool		nulls[9] = {false, false, false, false, false, false, false, false, false};

	for (i = 0; i < 9; i++)
		if (PG_ARGISNULL(i))
			PG_RETURN_NULL();

	pool.sqrt_price = *PG_GETARG_UINT256_P(0);
	{
		int			derived;

		Univ3Raise(Univ3TickAtSqrtRatio(&pool.sqrt_price, &derived));
	}
	pool.tick = GetTickArg(fcinfo, 1);
	pool.liquidity = *GetLiquidityArg(fcinfo, 2);
	pool.tick_spacing = PG_GETARG_INT32(3);
	if (pool.tick_spacing <= 0 || pool.tick_spacing > 16383)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("tick spacing must lie between 1 and 16383: %d", pool.tick_spacing)));
	pool.fee_pips = PG_GETARG_INT32(4);
	if (pool.fee_pips < 0 || pool.fee_pips >= UNIV3_FEE_DENOM)
		Univ3Raise(UNIV3_ERR_FEE);

	ticks_arr = PG_GETARG_ARRAYTYPE_P(5);
	net_arr = PG_GETARG_ARRAYTYPE_P(6);
	if (ARR_NDIM(ticks_arr) > 1 || ARR_NDIM(net_arr) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("ticks and liquidity_net must be one-dimensional arrays")));
	deconstruct_array(ticks_arr, INT4OID, 4, true, TYPALIGN_INT, &tick_d, &tick_n, &nt);
	get_typlenbyvalalign(ARR_ELEMTYPE(net_arr), &typlen, &typbyval, &typalign);
	deconstruct_array(net_arr, ARR_ELEMTYPE(net_arr), typlen, typbyval, typalign,
					  &net_d, &net_n, &nn);
	if (nt != nn)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("ticks and liquidity_net must have the same length: %d, %d", nt, nn)));
	rows = palloc(sizeof(TickRow) * Max(nt, 1));
	for (i = 0; i < nt; i++)
	{
		if (tick_n[i] || net_n[i])
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("ticks and liquidity_net must not contain nulls")));
		rows[i].tick = DatumGetInt32(tick_d[i]);
		rows[i].net = *DatumGetUint256P(net_d[i]);
		if (rows[i].tick < UNIV3_MIN_TICK || rows[i].tick > UNIV3_MAX_TICK)
			ereport(ERROR,
					(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
					 errmsg("initialized tick out of range: %d", rows[i].tick)));
		if (rows[i].tick % pool.tick_spacing != 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("initialized tick %d is not a multiple of the tick spacing %d",
							rows[i].tick, pool.tick_spacing)));
		if (!FitsInt128(&rows[i].net))
			ereport(ERROR,
					(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
					 errmsg("liquidity net out of range for int128 at tick %d", rows[i].tick)));
	}
	qsort(rows, nt, sizeof(TickRow), TickRowCmp);
	ticks = palloc(sizeof(int) * Max(nt, 1));
	nets = palloc(sizeof(Uint256) * Max(nt, 1));
	for (i = 0; i < nt; i++)
	{
		if (i > 0 && rows[i].tick == rows[i - 1].tick)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("tick %d is given more than once", rows[i].tick)));
		ticks[i] = rows[i].tick;
		nets[i] = rows[i].net;
	}
	pool.nticks = nt;
	pool.ticks = ticks;
	pool.liquidity_net = nets;

	zero_for_one = PG_GETARG_BOOL(7);
	amount = PG_GETARG_UINT256_P(8);
	if (PG_ARGISNULL(9))
	{
		Uint256		one;

		Uint256FromUint64(&one, 1);
		if (zero_for_one)
			(void) Uint256Add(&UNIV3_MIN_SQRT_RATIO, &one, &limit);
		else
			(void) Uint256Sub(&UNIV3_MAX_SQRT_RATIO, &one, &limit);
	}
	else
		limit = *PG_GETARG_UINT256_P(9);

	tupdesc = ResultDesc(fcinfo);
	Univ3Raise(Univ3SimulateSwap(&pool, zero_for_one, amount, &limit, &res));
	values[0] = U256DATUM(&res.amount0);
	values[1] = U256DATUM(&res.amount1);
	values[2] = U256DATUM(&res.sqrt_price);
	values[3] = Int32GetDatum(res.tick);
	values[4] = U256DATUM(&res.liquidity);
	values[5] = U256DATUM(&res.fee_growth_delta);
	values[6] = U256DATUM(&res.fee_amount);
	values[7] = Int32GetDatum(res.steps);
	values[8] = Int32GetDatum(res.ticks_crossed);
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls)));
}
