/*
 * src/strategy/strategy_math.c
 *
 * The computations the strategy policies need beyond the univ3 module's:
 * the swap that brings a vault's holdings to the token ratio a range takes
 * (priced exactly with SwapMath inside the pool's active liquidity), a
 * single-step swap quote, slippage minimums, the TWAP tick and realized
 * volatility of an ingested tick series, and the Sharpe ratio of a return
 * series for the performance view.  The policies themselves are SQL glue
 * (strategy.sql) that call these and the univ3 functions.
 */
#include "postgres.h"

#include <math.h>

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "fmgr.h"
#include "funcapi.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/timestamp.h"

#include "univ3/univ3.h"

#define STRATEGY_BPS	10000

/* A uint256 as a double (for comparisons that need no exactness). */
static double
StrategyU256ToDouble(const Uint256 *a)
{
	return ldexp((double) a->w[3], 192) + ldexp((double) a->w[2], 128) +
		ldexp((double) a->w[1], 64) + (double) a->w[0];
}

/* A palloc'd copy of a Uint256, as a Datum. */
static Datum
StrategyU256Datum(const Uint256 *a)
{
	Uint256    *r = palloc(sizeof(Uint256));

	*r = *a;
	return Uint256PGetDatum(r);
}

/* The composite result descriptor of a function returning a record. */
static TupleDesc
StrategyResultDesc(FunctionCallInfo fcinfo)
{
	TupleDesc	tupdesc;

	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "function returning record called in context that cannot accept type record");
	return BlessTupleDesc(tupdesc);
}

/*
 * Exact-input swap of amount_in within the active liquidity (no tick is
 * crossed): SwapMath.computeSwapStep toward the extreme price.  Returns false
 * when the liquidity cannot absorb the whole amount in one step.
 */
static bool
StrategySwapStep(const Uint256 *sqrt_price, const Uint256 *liquidity, int fee_pips,
				 bool zero_for_one, const Uint256 *amount_in, Univ3SwapStep *step)
{
	Uint256		target;
	Uint256		one;
	Univ3Status st;

	Uint256FromUint64(&one, 1);
	if (zero_for_one)
		Uint256Add(&UNIV3_MIN_SQRT_RATIO, &one, &target);
	else
		Uint256Sub(&UNIV3_MAX_SQRT_RATIO, &one, &target);
	st = Univ3ComputeSwapStep(sqrt_price, &target, liquidity, amount_in, fee_pips, step);
	if (st != UNIV3_OK)
		Univ3Raise(st);
	/* Reaching the extreme price means the amount was more than the range holds. */
	return Uint256Cmp(&step->sqrt_next, &target) != 0;
}

/*
 * How far holdings (h0, h1) are from the ratio the range [sa, sb] takes at
 * sqrt price p (all as doubles, prices as sqrt(price) unscaled): positive when
 * token0 is in excess, negative when token1 is.
 */
static double
StrategyExcess0(double p, double sa, double sb, double h0, double h1)
{
	if (p <= sa)
		return -h1;				/* the range takes token0 only */
	if (p >= sb)
		return h0;				/* the range takes token1 only */
	return h0 * (p - sa) - h1 * (1.0 / p - 1.0 / sb);
}

PG_FUNCTION_INFO_V1(strategy_lp_swap);

/*
 * strategy_lp_swap(sqrt_price, liquidity, fee_pips, tick_lower, tick_upper,
 * holdings0, holdings1) → (zero_for_one, amount_in, amount_out,
 * sqrt_price_after): the exact-input swap after which the holdings stand in
 * the ratio the range [tick_lower, tick_upper) takes at the price the swap
 * leaves, priced by SwapMath within the active liquidity.  The largest input
 * that does not overshoot the ratio is found by bisection; amount_in is 0
 * when no swap helps (no liquidity, nothing to sell, already balanced).
 */
Datum
strategy_lp_swap(PG_FUNCTION_ARGS)
{
	const Uint256 *sqrt_price = PG_GETARG_UINT256_P(0);
	const Uint256 *liquidity = PG_GETARG_UINT256_P(1);
	int32		fee = PG_GETARG_INT32(2);
	int32		lo_tick = PG_GETARG_INT32(3);
	int32		hi_tick = PG_GETARG_INT32(4);
	const Uint256 *h0 = PG_GETARG_UINT256_P(5);
	const Uint256 *h1 = PG_GETARG_UINT256_P(6);
	TupleDesc	tupdesc = StrategyResultDesc(fcinfo);
	Uint256		sa,
				sb,
				lo,
				hi,
				best_out,
				best_price,
				zero;
	double		q96 = ldexp(1.0, 96);
	double		dsa,
				dsb,
				dh0 = StrategyU256ToDouble(h0),
				dh1 = StrategyU256ToDouble(h1);
	bool		zfo;
	Datum		values[4];
	bool		nulls[4] = {false, false, false, false};

	if (lo_tick >= hi_tick)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("tick_lower must be below tick_upper: %d, %d", lo_tick, hi_tick)));
	if (fee < 0 || fee >= UNIV3_FEE_DENOM)
		Univ3Raise(UNIV3_ERR_FEE);
	if (Uint256Cmp(sqrt_price, &UNIV3_MIN_SQRT_RATIO) < 0 ||
		Uint256Cmp(sqrt_price, &UNIV3_MAX_SQRT_RATIO) >= 0)
		Univ3Raise(UNIV3_ERR_SQRT_RATIO);
	if (Uint256Cmp(liquidity, &UNIV3_MAX_UINT128) > 0)
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("liquidity out of range for uint128")));
	Univ3Raise(Univ3SqrtRatioAtTick(lo_tick, &sa));
	Univ3Raise(Univ3SqrtRatioAtTick(hi_tick, &sb));
	dsa = StrategyU256ToDouble(&sa) / q96;
	dsb = StrategyU256ToDouble(&sb) / q96;

	Uint256FromUint64(&zero, 0);
	zfo = StrategyExcess0(StrategyU256ToDouble(sqrt_price) / q96, dsa, dsb, dh0, dh1) > 0;
	lo = zero;
	hi = zfo ? *h0 : *h1;
	best_out = zero;
	best_price = *sqrt_price;

	/*
	 * Invariant: selling lo does not overshoot (or lo is 0); selling more
	 * than hi is impossible.  Excess of the token sold falls as more is sold.
	 */
	if (!Uint256IsZero(liquidity))
	{
		Uint256		one;

		Uint256FromUint64(&one, 1);
		while (true)
		{
			Uint256		span,
						mid;
			Univ3SwapStep step;
			double		p,
						e0,
						n0,
						n1;

			Uint256Sub(&hi, &lo, &span);
			if (Uint256Cmp(&span, &one) <= 0)
				break;
			Uint256Shr(&span, 1, &span);
			Uint256Add(&lo, &span, &mid);
			if (!StrategySwapStep(sqrt_price, liquidity, fee, zfo, &mid, &step))
			{
				hi = mid;
				continue;
			}
			p = StrategyU256ToDouble(&step.sqrt_next) / q96;
			if (zfo)
			{
				n0 = dh0 - StrategyU256ToDouble(&mid);
				n1 = dh1 + StrategyU256ToDouble(&step.amount_out);
			}
			else
			{
				n0 = dh0 + StrategyU256ToDouble(&step.amount_out);
				n1 = dh1 - StrategyU256ToDouble(&mid);
			}
			e0 = StrategyExcess0(p, dsa, dsb, n0, n1);
			if ((zfo && e0 >= 0) || (!zfo && e0 <= 0))
			{
				lo = mid;
				best_out = step.amount_out;
				best_price = step.sqrt_next;
			}
			else
				hi = mid;
		}
		/* hi itself may be reachable when the whole holding should go. */
		if (!Uint256IsZero(&hi) && Uint256Cmp(&lo, &hi) != 0)
		{
			Univ3SwapStep step;

			if (StrategySwapStep(sqrt_price, liquidity, fee, zfo, &hi, &step))
			{
				double		p = StrategyU256ToDouble(&step.sqrt_next) / q96;
				double		n0 = zfo ? dh0 - StrategyU256ToDouble(&hi) : dh0 + StrategyU256ToDouble(&step.amount_out);
				double		n1 = zfo ? dh1 + StrategyU256ToDouble(&step.amount_out) : dh1 - StrategyU256ToDouble(&hi);
				double		e0 = StrategyExcess0(p, dsa, dsb, n0, n1);

				if ((zfo && e0 >= 0) || (!zfo && e0 <= 0))
				{
					lo = hi;
					best_out = step.amount_out;
					best_price = step.sqrt_next;
				}
			}
		}
		/* An input that buys nothing is no swap. */
		if (Uint256IsZero(&best_out))
		{
			lo = zero;
			best_price = *sqrt_price;
		}
	}
	else
		lo = zero;

	values[0] = BoolGetDatum(zfo);
	values[1] = StrategyU256Datum(&lo);
	values[2] = StrategyU256Datum(&best_out);
	values[3] = StrategyU256Datum(&best_price);
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls)));
}

PG_FUNCTION_INFO_V1(strategy_swap_quote);

/*
 * strategy_swap_quote(sqrt_price, liquidity, fee_pips, zero_for_one,
 * amount_in) → (amount_out, sqrt_price_after): an exact-input swap priced by
 * SwapMath within the active liquidity, as the pool prices it when no
 * initialized tick is crossed.  Raises 22003 when the liquidity cannot take
 * the amount.
 */
Datum
strategy_swap_quote(PG_FUNCTION_ARGS)
{
	const Uint256 *sqrt_price = PG_GETARG_UINT256_P(0);
	const Uint256 *liquidity = PG_GETARG_UINT256_P(1);
	int32		fee = PG_GETARG_INT32(2);
	bool		zfo = PG_GETARG_BOOL(3);
	const Uint256 *amount_in = PG_GETARG_UINT256_P(4);
	TupleDesc	tupdesc = StrategyResultDesc(fcinfo);
	Univ3SwapStep step;
	Datum		values[2];
	bool		nulls[2] = {false, false};

	if (fee < 0 || fee >= UNIV3_FEE_DENOM)
		Univ3Raise(UNIV3_ERR_FEE);
	if (Uint256Cmp(sqrt_price, &UNIV3_MIN_SQRT_RATIO) < 0 ||
		Uint256Cmp(sqrt_price, &UNIV3_MAX_SQRT_RATIO) >= 0)
		Univ3Raise(UNIV3_ERR_SQRT_RATIO);
	if (Uint256IsZero(liquidity))
		Univ3Raise(UNIV3_ERR_ZERO_LIQUIDITY);
	if (Uint256Cmp(liquidity, &UNIV3_MAX_UINT128) > 0)
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("liquidity out of range for uint128")));
	if (Uint256IsZero(amount_in))
	{
		values[0] = StrategyU256Datum(amount_in);
		values[1] = StrategyU256Datum(sqrt_price);
	}
	else
	{
		if (!StrategySwapStep(sqrt_price, liquidity, fee, zfo, amount_in, &step))
			ereport(ERROR,
					(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
					 errmsg("swap amount exceeds what the active liquidity can take"),
					 errdetail("The swap would move the price to the end of the tick range.")));
		values[0] = StrategyU256Datum(&step.amount_out);
		values[1] = StrategyU256Datum(&step.sqrt_next);
	}
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls)));
}

PG_FUNCTION_INFO_V1(strategy_amount_min);

/*
 * strategy_amount_min(amount, slippage_bps) → floor(amount × (10000 −
 * slippage_bps) / 10000): the least amount a transaction may accept.
 */
Datum
strategy_amount_min(PG_FUNCTION_ARGS)
{
	const Uint256 *amount = PG_GETARG_UINT256_P(0);
	int32		bps = PG_GETARG_INT32(1);
	Uint256		keep,
				denom,
				*r = palloc(sizeof(Uint256));

	if (bps < 0 || bps > STRATEGY_BPS)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("slippage_bps must be between 0 and %d, not %d", STRATEGY_BPS, bps)));
	Uint256FromUint64(&keep, (uint64) (STRATEGY_BPS - bps));
	Uint256FromUint64(&denom, STRATEGY_BPS);
	if (!Uint256MulDiv(amount, &keep, &denom, false, r))
		Uint256OutOfRange();
	PG_RETURN_UINT256_P(r);
}

/* Seconds between two timestamps. */
static double
StrategySeconds(TimestampTz from, TimestampTz to)
{
	return (double) (to - from) / USECS_PER_SEC;
}

PG_FUNCTION_INFO_V1(strategy_tick_stats);

/*
 * strategy_tick_stats(at timestamptz[], tick int[], to_ts, twap_seconds,
 * vol_window_seconds) → (twap_tick, sigma): over a chronological tick
 * series (each tick holds until the next event), the time-weighted mean tick
 * over (to_ts − twap_seconds, to_ts] rounded to the nearest integer (the last
 * tick when twap_seconds is 0 or the window holds no time), and the realized
 * volatility of ln(price) per √day: the squared log returns (Δtick ·
 * ln 1.0001)² of the events in the trailing window, over the window in days
 * (or the history's span, if shorter); 0 without history.  The same estimate
 * as univ3_backtest's.
 */
Datum
strategy_tick_stats(PG_FUNCTION_ARGS)
{
	ArrayType  *at_arr = PG_GETARG_ARRAYTYPE_P(0);
	ArrayType  *tick_arr = PG_GETARG_ARRAYTYPE_P(1);
	TimestampTz to_ts = PG_GETARG_TIMESTAMPTZ(2);
	double		twap_s = PG_GETARG_FLOAT8(3);
	double		vol_s = PG_GETARG_FLOAT8(4);
	TupleDesc	tupdesc = StrategyResultDesc(fcinfo);
	Datum	   *at_d,
			   *tick_d;
	bool	   *at_n,
			   *tick_n;
	int			n,
				nt,
				i,
				last = -1;
	double		wsum = 0,
				tsum = 0,
				ss = 0,
				span;
	Datum		values[2];
	bool		nulls[2] = {false, false};

	if (twap_s < 0 || vol_s < 0 || isnan(twap_s) || isnan(vol_s))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("twap_seconds and vol_window_seconds must not be negative")));
	deconstruct_array(at_arr, TIMESTAMPTZOID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE,
					  &at_d, &at_n, &n);
	deconstruct_array(tick_arr, INT4OID, 4, true, TYPALIGN_INT, &tick_d, &tick_n, &nt);
	if (n != nt)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("at and tick must have the same length: %d, %d", n, nt)));
	for (i = 0; i < n; i++)
	{
		if (at_n[i] || tick_n[i])
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("at and tick must not contain NULL")));
		if (i > 0 && DatumGetTimestampTz(at_d[i]) < DatumGetTimestampTz(at_d[i - 1]))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("the tick series must be in chronological order")));
		if (DatumGetTimestampTz(at_d[i]) <= to_ts)
			last = i;
	}
	if (last < 0)
	{
		nulls[0] = true;
		values[0] = (Datum) 0;
		values[1] = Float8GetDatum(0.0);
		PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls)));
	}

	/* TWAP: each tick weighs the time it held inside the window. */
	if (twap_s > 0)
	{
		double		from = -twap_s;	/* seconds relative to to_ts */

		for (i = 0; i <= last; i++)
		{
			double		s = StrategySeconds(to_ts, DatumGetTimestampTz(at_d[i]));
			double		e = (i < last) ? StrategySeconds(to_ts, DatumGetTimestampTz(at_d[i + 1])) : 0;

			if (s < from)
				s = from;
			if (e > s)
			{
				wsum += e - s;
				tsum += (e - s) * (double) DatumGetInt32(tick_d[i]);
			}
		}
	}
	values[0] = Int32GetDatum(wsum > 0 ? (int32) floor(tsum / wsum + 0.5)
							  : DatumGetInt32(tick_d[last]));

	/* Realized volatility over the trailing window. */
	for (i = last; i >= 1; i--)
	{
		double		r;

		if (StrategySeconds(DatumGetTimestampTz(at_d[i]), to_ts) >= vol_s)
			break;
		r = (double) (DatumGetInt32(tick_d[i]) - DatumGetInt32(tick_d[i - 1])) * log(1.0001);
		ss += r * r;
	}
	span = StrategySeconds(DatumGetTimestampTz(at_d[0]), to_ts);
	if (span > vol_s)
		span = vol_s;
	values[1] = Float8GetDatum(span > 0 ? sqrt(ss / (span / 86400.0)) : 0.0);
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls)));
}

PG_FUNCTION_INFO_V1(strategy_sharpe);

/*
 * strategy_sharpe(returns float8[], periods_per_year float8) → float8: the
 * mean of the returns over their sample standard deviation, times
 * √periods_per_year (365 for daily returns, no risk-free rate); NULL with
 * fewer than two returns or no variation.  NULL elements are skipped.
 */
Datum
strategy_sharpe(PG_FUNCTION_ARGS)
{
	ArrayType  *arr = PG_GETARG_ARRAYTYPE_P(0);
	double		ppy = PG_GETARG_FLOAT8(1);
	Datum	   *d;
	bool	   *nulls;
	int			n,
				i,
				k = 0;
	double		mean = 0,
				m2 = 0;

	if (!(ppy > 0) || isinf(ppy))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("periods_per_year must be positive")));
	deconstruct_array(arr, FLOAT8OID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE, &d, &nulls, &n);
	/* Welford's update: stable for long series of small returns. */
	for (i = 0; i < n; i++)
	{
		double		x,
					delta;

		if (nulls[i])
			continue;
		x = DatumGetFloat8(d[i]);
		if (isnan(x) || isinf(x))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("returns must be finite")));
		k++;
		delta = x - mean;
		mean += delta / k;
		m2 += delta * (x - mean);
	}
	if (k < 2 || m2 <= 0)
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(mean / sqrt(m2 / (k - 1)) * sqrt(ppy));
}
