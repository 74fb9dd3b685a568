/*
 * src/univ3/analytics.c
 *
 * The computing half of univ3_backtest (src/ingest/analytics.sql): the
 * replay of a pool's tick history under ALM parameters and the realized
 * volatility estimate it plans with.  The SQL glue validates the parameters,
 * reads the history (univ3_pool_ticks) and turns the replay's sums into the
 * reported values; this file walks the history swap by swap: fees for every
 * position the swap's path crossed, the TWAP, volatility and expected fee
 * gain at each check, univ3_alm_should_rebalance's gates, withdrawals and
 * new plans from univ3_alm_plan's C core, and the time in range.  Integer
 * amounts are exact (uint256, 512-bit mul-div); the float8 and numeric
 * steps are those of the PL/pgSQL version this replaced, operation for
 * operation, so the results are the same.
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
#include "utils/numeric.h"
#include "utils/timestamp.h"

#include "univ3/univ3.h"

/* One event of the tick history: the state at the start, then swaps. */
typedef struct BtEvent
{
	TimestampTz at;
	int			tick;
	Uint256		sqrt_price;
	Uint256		liquidity;		/* zero when unknown (a state reading) */
	bool		has_amounts;	/* false for a state reading */
	Uint256		amount0;		/* int256, into the pool */
	Uint256		amount1;
} BtEvent;

/* The replay's parameters (univ3_backtest's own ones and the ALM ones). */
typedef struct BtParams
{
	int			tick_spacing;
	int			fee_pips;
	Datum		gate_jsonb;
	bool		gate_parsed;
	Univ3AlmParams plan;
	Univ3AlmGateParams gate;
	double		horizon;
	bool		has_sigma;
	double		sigma;
	double		vol_window;
	double		twap_seconds;
	int			every;
	double		gas;
	double		swap_cost;
	bool		rebalance;
} BtParams;

/* A uint256 that does not fit where the SQL version cast to uint256. */
static void
BtOutOfRange(void)
{
	ereport(ERROR,
			(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
			 errmsg("value out of range for type uint256")));
}

/* t - make_interval(secs => secs), as timestamptz minus interval computes it. */
static TimestampTz
BtMinusSeconds(TimestampTz t, double secs)
{
	return t - (int64) rint(secs * USECS_PER_SEC);
}

/* extract(epoch FROM a - b) as float8: the exact seconds, correctly rounded. */
static double
BtSeconds(TimestampTz a, TimestampTz b)
{
	return (double) (a - b) / USECS_PER_SEC;
}

/* pow(x, 2) through libm, as float8's ^ does (not folded into x * x). */
static double
BtSquare(double x)
{
	volatile double two = 2.0;

	return pow(x, two);
}

/*
 * Realized volatility of ln(price) per sqrt(day) at event i: the squared
 * log returns of the events in (at_ts - window, at_ts], over the window's
 * length in days (or the history's, if shorter); 0 without history.
 */
static double
BtSigma(const TimestampTz *at, const int *tick, int i, TimestampTz at_ts, double window)
{
	TimestampTz cut = BtMinusSeconds(at_ts, window);
	double		ss = 0.0;
	double		span;
	int			j;

	for (j = i; j >= 1; j--)
	{
		if (at[j] <= cut)
			break;
		ss += BtSquare((double) (tick[j] - tick[j - 1]) * log(1.0001));
	}
	span = BtSeconds(at_ts, at[0]);
	span = window < span ? window : span;
	return span > 0 ? sqrt(ss / (span / 86400)) : 0.0;
}

/* The plan's index of the range the backtest watches: base, full range, limit; -1 if none. */
static int
BtMainOrder(const Univ3AlmPlan *plan)
{
	static const Univ3AlmRole pref[3] = {UNIV3_ALM_BASE, UNIV3_ALM_FULL_RANGE, UNIV3_ALM_LIMIT};
	int			k,
				q;

	for (k = 0; k < 3; k++)
		for (q = 0; q < plan->norders; q++)
			if (plan->orders[q].role == pref[k])
				return q;
	return -1;
}

/* univ3_alm_plan's layout, with its argument checks and errors. */
static void
BtPlan(const Uint256 *sqrt_price, double sigma, const Uint256 *h0, const Uint256 *h1,
	   const BtParams *bp, Univ3AlmPlan *plan)
{
	Univ3AlmCheckPlanArgs(bp->tick_spacing, sigma, bp->horizon);
	Univ3Raise(Univ3AlmPlanCompute(sqrt_price, bp->tick_spacing, sigma, bp->horizon,
								   h0, h1, &bp->plan, plan));
}

/*
 * What the plan's positions hold at a sqrt price, rounded down as a burn
 * pays (univ3_backtest_holdings), plus what it left idle.
 */
static void
BtWithdraw(const Uint256 *sqrt_price, const Univ3AlmPlan *plan, Uint256 *x0, Uint256 *x1)
{
	int			q;

	*x0 = plan->idle0;
	*x1 = plan->idle1;
	for (q = 0; q < plan->norders; q++)
	{
		const Univ3AlmOrder *o = &plan->orders[q];
		Uint256		sa,
					sb,
					a0,
					a1;

		if (Uint256IsZero(&o->liquidity))
			continue;
		Univ3Raise(Univ3SqrtRatioAtTick(o->tick_lower, &sa));
		Univ3Raise(Univ3SqrtRatioAtTick(o->tick_upper, &sb));
		Univ3Raise(Univ3AmountsForLiquidity(sqrt_price, &sa, &sb, &o->liquidity, &a0, &a1));
		if (!Uint256Add(x0, &a0, x0) || !Uint256Add(x1, &a1, x1))
			BtOutOfRange();
	}
}

/* Numeric helpers, for the steps the SQL version did in numeric. */
#define NUM2(f, a, b)	DirectFunctionCall2(f, (a), (b))

static Datum
BtNumeric(const Uint256 *v, bool is_signed)
{
	return Uint256GetNumeric(v, is_signed);
}

/*
 * The fee a position of liquidity l earns from a swap paying amount of the
 * input token: amount * fee_pips * l * overlap / (1e6 * (L_swap + l) * len),
 * rounded down (the share of the swap's fee by liquidity and by the share
 * of its path in range).  Exact: the 512-bit product of amount and the
 * other numerator factors (at most 169 bits) over a denominator below 2^171.
 */
static void
BtSwapFee(const Uint256 *amount, int fee_pips, const Uint256 *l, int overlap,
		  const Uint256 *swap_liquidity, int len, Uint256 *fee)
{
	Uint256		f,
				num,
				den,
				t;

	Uint256FromUint64(&f, (uint64) fee_pips * (uint64) overlap);
	if (!Uint256Mul(&f, l, &num))
		BtOutOfRange();
	Uint256FromUint64(&f, UINT64CONST(1000000) * (uint64) len);
	if (!Uint256Add(swap_liquidity, l, &t) || !Uint256Mul(&t, &f, &den))
		BtOutOfRange();
	if (!Uint256MulDiv(amount, &num, &den, false, fee))
		BtOutOfRange();
}

/* univ3_path_overlap: ticks of the path a -> b inside [lo, hi) (1 or 0 if it did not move). */
static int
BtPathOverlap(int a, int b, int lo, int hi)
{
	int64		top,
				bottom;

	if (a == b)
		return (a >= lo && a < hi) ? 1 : 0;
	top = Min((int64) Max(a, b), (int64) hi);
	bottom = Max((int64) Min(a, b), (int64) lo);
	return (int) Max(top - bottom, 0);
}

/*
 * The expected fee gain of a rebalance at event i (token1 value): the
 * trailing window's pool fees times the share of the pool's liquidity the
 * new base range would hold, scaled to the horizon.  In numeric and float8
 * exactly as the SQL version computed it.
 */
static double
BtExpectedGain(const BtEvent *ev, int i, const Univ3AlmPlan *plan, double sigma,
			   const BtParams *bp, Datum q192)
{
	Datum		sp = BtNumeric(&ev[i].sqrt_price, false);
	Datum		price2 = NUM2(numeric_div, NUM2(numeric_mul, sp, sp), q192);
	Datum		x0,
				x1;
	Datum		fee = DirectFunctionCall1(int4_numeric, Int32GetDatum(bp->fee_pips));
	Datum		million = DirectFunctionCall1(int4_numeric, Int32GetDatum(1000000));
	Datum		zero;
	Datum		l,
				lsum,
				v;
	TimestampTz cut = BtMinusSeconds(ev[i].at, bp->vol_window);
	Univ3AlmPlan next;
	Uint256		h0,
				h1;
	int			j,
				q;

	zero = DirectFunctionCall1(int4_numeric, Int32GetDatum(0));
	x0 = x1 = zero;
	for (j = i; j >= 0; j--)
	{
		Datum		a0,
					a1;

		if (ev[j].at < cut || !ev[j].has_amounts)
			break;
		a0 = Int256IsNeg(&ev[j].amount0) ? zero : BtNumeric(&ev[j].amount0, true);
		a1 = Int256IsNeg(&ev[j].amount1) ? zero : BtNumeric(&ev[j].amount1, true);
		x0 = NUM2(numeric_add, x0, NUM2(numeric_div, NUM2(numeric_mul, a0, fee), million));
		x1 = NUM2(numeric_add, x1, NUM2(numeric_div, NUM2(numeric_mul, a1, fee), million));
	}

	/* the base liquidity a plan from everything withdrawn would hold */
	BtWithdraw(&ev[i].sqrt_price, plan, &h0, &h1);
	BtPlan(&ev[i].sqrt_price, sigma, &h0, &h1, bp, &next);
	for (q = 0; q < next.norders; q++)
		if (next.orders[q].role == UNIV3_ALM_BASE)
			break;
	if (q == next.norders)
		return 0.0;
	l = BtNumeric(&next.orders[q].liquidity, false);
	lsum = NUM2(numeric_add, l, BtNumeric(&ev[i].liquidity, false));
	if (DatumGetInt32(NUM2(numeric_cmp, lsum, zero)) == 0)
		return 0.0;
	v = NUM2(numeric_add, NUM2(numeric_mul, x0, price2), x1);
	v = NUM2(numeric_div, NUM2(numeric_mul, v, l), lsum);
	return DatumGetFloat8(DirectFunctionCall1(numeric_float8, v)) *
		(bp->horizon * 86400 / bp->vol_window);
}

/* The array argument n as Datums and nulls, with its length. */
static int
BtArray(FunctionCallInfo fcinfo, int n, Datum **values, bool **nulls)
{
	ArrayType  *arr;
	int16		typlen;
	bool		typbyval;
	char		typalign;
	int			len;

	if (PG_ARGISNULL(n))
	{
		*values = NULL;
		*nulls = NULL;
		return 0;
	}
	arr = PG_GETARG_ARRAYTYPE_P(n);
	if (ARR_NDIM(arr) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("backtest history arrays must be one-dimensional")));
	get_typlenbyvalalign(ARR_ELEMTYPE(arr), &typlen, &typbyval, &typalign);
	deconstruct_array(arr, ARR_ELEMTYPE(arr), typlen, typbyval, typalign, values, nulls, &len);
	return len;
}

/* A scalar argument that must not be NULL. */
static void
BtNotNull(FunctionCallInfo fcinfo, int n)
{
	if (PG_ARGISNULL(n))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("argument %d of univ3_backtest_replay must not be null", n + 1)));
}

PG_FUNCTION_INFO_V1(univ3_backtest_sigma);
PG_FUNCTION_INFO_V1(univ3_backtest_replay);

/*
 * univ3_backtest_sigma(at timestamptz[], tick int[], i, at_ts,
 * window_seconds) → float8: BtSigma at the 1-based event i.
 */
Datum
univ3_backtest_sigma(PG_FUNCTION_ARGS)
{
	Datum	   *atv,
			   *tickv;
	bool	   *atn,
			   *tickn;
	int			n = BtArray(fcinfo, 0, &atv, &atn);
	int			nt = BtArray(fcinfo, 1, &tickv, &tickn);
	int			i = PG_GETARG_INT32(2);
	TimestampTz *at;
	int		   *tick;
	int			j;

	if (nt != n || i < 1 || i > n)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("i must index the history: %d of %d events", i, n)));
	at = palloc(sizeof(TimestampTz) * n);
	tick = palloc(sizeof(int) * n);
	for (j = 0; j < n; j++)
	{
		if (atn[j] || tickn[j])
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("the tick history must not contain nulls")));
		at[j] = DatumGetTimestampTz(atv[j]);
		tick[j] = DatumGetInt32(tickv[j]);
	}
	PG_RETURN_FLOAT8(BtSigma(at, tick, i - 1, PG_GETARG_TIMESTAMPTZ(3), PG_GETARG_FLOAT8(4)));
}

/*
 * univ3_backtest_replay(history arrays, first_i, from_ts, to_ts,
 * tick_spacing, fee_pips, amount0, amount1, plan_params, gate_params,
 * horizon_days, fixed_sigma, vol_window_seconds, twap_seconds, check_every,
 * gas_cost, swap_cost, rebalance) → one row of sums for univ3_backtest.
 * Event first_i (1-based) is the state at from_ts; the vault plans there,
 * then every later event is a swap: fees first, then the rebalance check
 * at every check_every-th swap, then the time to the next event.
 */
Datum
univ3_backtest_replay(PG_FUNCTION_ARGS)
{
	Datum	   *atv,
			   *tickv,
			   *spv,
			   *lv,
			   *x0v,
			   *x1v;
	bool	   *atn,
			   *tickn,
			   *spn,
			   *ln,
			   *x0n,
			   *x1n;
	int			n;
	BtEvent    *ev;
	TimestampTz *at;
	int		   *tick;
	int			first,
				i,
				j,
				q,
				main;
	TimestampTz from_ts,
				to_ts,
				last_at;
	BtParams	bp;
	Univ3AlmPlan plan;
	Uint256		f0,
				f1,
				x0,
				x1;
	double		cur_sigma,
				t_in = 0.0,
				t_all = 0.0;
	int			n_reb = 0,
				n_swaps = 0,
				last_tick;
	Datum		q192;
	TupleDesc	tupdesc;
	Datum		values[12];
	bool		nulls[12] = {0};

	for (i = 0; i < 23; i++)
		if (i != 16)			/* fixed_sigma may be NULL */
			BtNotNull(fcinfo, i);
	n = BtArray(fcinfo, 0, &atv, &atn);
	if (BtArray(fcinfo, 1, &tickv, &tickn) != n || BtArray(fcinfo, 2, &spv, &spn) != n ||
		BtArray(fcinfo, 3, &lv, &ln) != n || BtArray(fcinfo, 4, &x0v, &x0n) != n ||
		BtArray(fcinfo, 5, &x1v, &x1n) != n)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("backtest history arrays must have the same length")));
	first = PG_GETARG_INT32(6) - 1;
	if (first < 0 || first >= n)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("first_i must index the history: %d of %d events", first + 1, n)));
	ev = palloc0(sizeof(BtEvent) * n);
	at = palloc(sizeof(TimestampTz) * n);
	tick = palloc(sizeof(int) * n);
	for (j = 0; j < n; j++)
	{
		if (atn[j] || tickn[j] || spn[j])
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("the tick history must not contain null times, ticks or prices")));
		ev[j].at = at[j] = DatumGetTimestampTz(atv[j]);
		ev[j].tick = tick[j] = DatumGetInt32(tickv[j]);
		ev[j].sqrt_price = *DatumGetUint256P(spv[j]);
		if (!ln[j])
			ev[j].liquidity = *DatumGetUint256P(lv[j]);
		ev[j].has_amounts = !x0n[j] && !x1n[j];
		if (ev[j].has_amounts)
		{
			ev[j].amount0 = *DatumGetUint256P(x0v[j]);
			ev[j].amount1 = *DatumGetUint256P(x1v[j]);
		}
		else if (j > first)
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("every event after first_i must be a swap with its amounts")));
	}
	from_ts = PG_GETARG_TIMESTAMPTZ(7);
	to_ts = PG_GETARG_TIMESTAMPTZ(8);
	bp.tick_spacing = PG_GETARG_INT32(9);
	bp.fee_pips = PG_GETARG_INT32(10);
	if (bp.fee_pips < 0 || bp.fee_pips >= 1000000)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("fee_pips must lie in [0, 1000000)")));
	bp.gate_jsonb = PG_GETARG_DATUM(14);
	bp.gate_parsed = false;
	bp.horizon = PG_GETARG_FLOAT8(15);
	bp.has_sigma = !PG_ARGISNULL(16);
	bp.sigma = bp.has_sigma ? PG_GETARG_FLOAT8(16) : 0.0;
	bp.vol_window = PG_GETARG_FLOAT8(17);
	bp.twap_seconds = PG_GETARG_FLOAT8(18);
	bp.every = PG_GETARG_INT32(19);
	bp.gas = PG_GETARG_FLOAT8(20);
	bp.swap_cost = PG_GETARG_FLOAT8(21);
	bp.rebalance = PG_GETARG_BOOL(22);
	/* univ3_backtest has checked the rest; the ALM checks catch the others */
	if (bp.every < 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("check_every must be at least 1: %d", bp.every)));
	q192 = NUM2(numeric_power, DirectFunctionCall1(int4_numeric, Int32GetDatum(2)),
				DirectFunctionCall1(int4_numeric, Int32GetDatum(192)));

	/* The initial plan; univ3_alm_plan checks its arguments before its parameters. */
	cur_sigma = bp.has_sigma ? bp.sigma : BtSigma(at, tick, first, from_ts, bp.vol_window);
	Univ3AlmCheckPlanArgs(bp.tick_spacing, cur_sigma, bp.horizon);
	Univ3AlmParamsFromJsonb(PG_GETARG_DATUM(13), &bp.plan);
	BtPlan(&ev[first].sqrt_price, cur_sigma, PG_GETARG_UINT256_P(11), PG_GETARG_UINT256_P(12),
		   &bp, &plan);
	last_tick = ev[first].tick;
	last_at = from_ts;
	Uint256FromUint64(&f0, 0);
	Uint256FromUint64(&f1, 0);

	for (i = first; i < n; i++)
	{
		if (i > first)
		{
			/* the swap: fees for every position its path crossed */
			n_swaps++;
			for (q = 0; q < plan.norders; q++)
			{
				const Univ3AlmOrder *o = &plan.orders[q];
				int			fr;
				int			len;
				Uint256		fee;

				if (Uint256IsZero(&o->liquidity))
					continue;
				fr = BtPathOverlap(ev[i - 1].tick, ev[i].tick, o->tick_lower, o->tick_upper);
				if (fr == 0)
					continue;
				len = Max(Abs(ev[i].tick - ev[i - 1].tick), 1);
				if (!Int256IsNeg(&ev[i].amount0) && !Uint256IsZero(&ev[i].amount0))
				{
					BtSwapFee(&ev[i].amount0, bp.fee_pips, &o->liquidity, fr,
							  &ev[i].liquidity, len, &fee);
					if (!Uint256Add(&f0, &fee, &f0))
						BtOutOfRange();
				}
				if (!Int256IsNeg(&ev[i].amount1) && !Uint256IsZero(&ev[i].amount1))
				{
					BtSwapFee(&ev[i].amount1, bp.fee_pips, &o->liquidity, fr,
							  &ev[i].liquidity, len, &fee);
					if (!Uint256Add(&f1, &fee, &f1))
						BtOutOfRange();
				}
			}
		}
		main = BtMainOrder(&plan);

		if (i > first && bp.rebalance && n_swaps % bp.every == 0 && main >= 0)
		{
			/* the rebalance decision at this swap */
			Univ3AlmGate g;
			double		twap;
			uint32		reasons;

			if (bp.twap_seconds > 0)
			{
				TimestampTz cut = BtMinusSeconds(ev[i].at, bp.twap_seconds);
				double		tw = 0.0;

				twap = 0.0;
				for (j = i - 1; j >= 0; j--)
				{
					double		seg = BtSeconds(at[j + 1], Max(at[j], cut));

					if (seg > 0)
					{
						twap = twap + seg * tick[j];
						tw = tw + seg;
					}
					if (at[j] <= cut)
						break;
				}
				twap = tw > 0 ? twap / tw : (double) tick[i];
			}
			else
				twap = (double) tick[i];
			cur_sigma = bp.has_sigma ? bp.sigma : BtSigma(at, tick, i, at[i], bp.vol_window);
			if (bp.gas + bp.swap_cost == 0)
				g.expected_fee_gain = 1.0;	/* no cost: the gate does not apply */
			else
				g.expected_fee_gain = BtExpectedGain(ev, i, &plan, cur_sigma, &bp, q192);
			if (!bp.gate_parsed)
			{
				Univ3AlmGateParamsFromJsonb(bp.gate_jsonb, &bp.gate);
				bp.gate_parsed = true;
			}
			g.tick_lower = plan.orders[main].tick_lower;
			g.tick_upper = plan.orders[main].tick_upper;
			g.tick = tick[i];
			g.twap_tick = (int) rint(rint(twap));
			g.last_tick = last_tick;
			g.gas_cost = bp.gas;
			g.swap_cost = bp.swap_cost;
			Univ3AlmCheckGate(&g, last_at, at[i]);
			if (Univ3AlmShouldRebalance(&g, &bp.gate, &reasons))
			{
				/* withdraw everything at this swap's price and plan again */
				BtWithdraw(&ev[i].sqrt_price, &plan, &x0, &x1);
				BtPlan(&ev[i].sqrt_price, cur_sigma, &x0, &x1, &bp, &plan);
				n_reb++;
				last_tick = tick[i];
				last_at = at[i];
				main = BtMainOrder(&plan);
			}
		}

		/* time to the next event (or to_ts) at this tick, in the range chosen now */
		{
			double		seg = BtSeconds(i + 1 < n ? at[i + 1] : to_ts, Max(at[i], from_ts));

			t_all += seg;
			if (main >= 0 && tick[i] >= plan.orders[main].tick_lower &&
				tick[i] < plan.orders[main].tick_upper)
				t_in += seg;
		}
	}

	/* the end: what the positions hold at the last price, plus what is idle */
	BtWithdraw(&ev[n - 1].sqrt_price, &plan, &x0, &x1);

	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");
	tupdesc = BlessTupleDesc(tupdesc);
	values[0] = BtNumeric(&f0, false);
	values[1] = BtNumeric(&f1, false);
	values[2] = BtNumeric(&x0, false);
	values[3] = BtNumeric(&x1, false);
	values[4] = Uint256PGetDatum(Uint256Copy(&ev[n - 1].sqrt_price));
	values[5] = Int32GetDatum(n_reb);
	values[6] = Float8GetDatum(t_in);
	values[7] = Float8GetDatum(t_all);
	values[8] = Int32GetDatum(n_swaps);
	main = BtMainOrder(&plan);
	if (main >= 0)
	{
		values[9] = Int32GetDatum(plan.orders[main].tick_lower);
		values[10] = Int32GetDatum(plan.orders[main].tick_upper);
	}
	else
		nulls[9] = nulls[10] = true;
	values[11] = Float8GetDatum(cur_sigma);
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls)));
}
