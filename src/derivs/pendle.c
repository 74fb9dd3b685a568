/*
 * src/derivs/pendle.c
 *
 * Fixed yield in the Pendle v2 style.  A principal token (PT) redeems for
 * one unit of the asset at maturity; its price in the asset is
 * 1 / exchangeRate with exchangeRate = e^(lnImpliedRate * t / year) and
 * lnImpliedRate = ln(1 + implied APY), t in seconds and a year of 365 days,
 * as Pendle v2's MarketMathCore._getExchangeRateFromImpliedRate defines it.
 * The yield token (YT) is worth 1 - PT price in the asset.  The market's AMM
 * follows MarketMathCore step by step: the rate scalar scalarRoot * year /
 * timeToExpiry, the rate anchor that keeps the last implied rate continuous
 * as time passes (_getRateAnchor), the exchange rate from the pool's PT
 * proportion (_getExchangeRate: ln(p / (1 - p)) / rateScalar + rateAnchor),
 * the time-decayed fee e^(lnFeeRateRoot * t / year), its reserve share, and
 * the new ln implied rate after a trade.  The contract works in 1e18 fixed
 * point (PMath, LogExpMath); this file works in float8, which agrees with
 * the contract's integers to about 1e-12 relative (test/t/131 measures it
 * against an integer port of the Solidity); pendle_wei.c runs the
 * contract's integers bit for bit.  Pure computation returns a
 * PendleStatus; the fmgr wrappers at the end turn it into an error.
 */
#include "postgres.h"

#include <math.h>

#include "access/htup_details.h"
#include "executor/executor.h"
#include "fmgr.h"
#include "funcapi.h"
#include "utils/builtins.h"

#include "derivs/pendle.h"

/* Whether every one of the doubles is finite. */
static bool
PendleFinite(double a, double b, double c)
{
	return isfinite(a) && isfinite(b) && isfinite(c);
}

/* PT price in the asset: 1 / (1 + apy)^(seconds / year); 1 at maturity. */
PendleStatus
PendlePtPrice(double impliedApy, int64_t seconds, double *price)
{
	if (!isfinite(impliedApy) || impliedApy <= -1.0 || seconds < 0)
		return PENDLE_BAD_PARAM;
	*price = exp(-log1p(impliedApy) * ((double) seconds / PENDLE_YEAR_SECONDS));
	return PENDLE_OK;
}

/* Implied APY of a PT price: price^(-year / seconds) - 1 (seconds > 0). */
PendleStatus
PendleImpliedApy(double ptPrice, int64_t seconds, double *apy)
{
	if (!isfinite(ptPrice) || ptPrice <= 0.0 || seconds <= 0)
		return PENDLE_BAD_PARAM;
	*apy = expm1(-log(ptPrice) * (PENDLE_YEAR_SECONDS / (double) seconds));
	if (!isfinite(*apy))
		return PENDLE_OVERFLOW;
	return PENDLE_OK;
}

/* _getRateScalar: scalarRoot * year / timeToExpiry, positive. */
PendleStatus
PendleRateScalar(double scalarRoot, int64_t timeToExpiry, double *rateScalar)
{
	if (timeToExpiry <= 0)
		return PENDLE_EXPIRED;
	if (!isfinite(scalarRoot) || scalarRoot <= 0.0)
		return PENDLE_BAD_PARAM;
	*rateScalar = scalarRoot * PENDLE_YEAR_SECONDS / (double) timeToExpiry;
	return PENDLE_OK;
}

/* _logProportion: ln(p / (1 - p)), p < 1. */
static PendleStatus
PendleLogProportion(double proportion, double *res)
{
	if (proportion >= 1.0 || proportion <= 0.0)
		return PENDLE_PROPORTION_TOO_HIGH;
	*res = log(proportion / (1.0 - proportion));
	return PENDLE_OK;
}

/*
 * _getExchangeRate: asset per PT after netPtToAccount PT leave the pool,
 * ln(p / (1 - p)) / rateScalar + rateAnchor with p the PT share of
 * totalPt + totalAsset; at most a 96 % share and a rate of at least 1.
 */
PendleStatus
PendleExchangeRate(double totalPt, double totalAsset, double rateScalar,
				   double rateAnchor, double netPtToAccount, double *rate)
{
	double		numerator = totalPt - netPtToAccount;
	double		proportion;
	double		lnProportion;
	PendleStatus st;

	if (numerator < 0.0)
		return PENDLE_INSUFFICIENT_PT;
	proportion = numerator / (totalPt + totalAsset);
	if (proportion > PENDLE_MAX_PROPORTION)
		return PENDLE_PROPORTION_TOO_HIGH;
	if ((st = PendleLogProportion(proportion, &lnProportion)) != PENDLE_OK)
		return st == PENDLE_PROPORTION_TOO_HIGH && proportion <= 0.0 ? PENDLE_INSUFFICIENT_PT : st;
	*rate = lnProportion / rateScalar + rateAnchor;
	if (*rate < 1.0)
		return PENDLE_RATE_BELOW_ONE;
	return PENDLE_OK;
}

/* _getLnImpliedRate: ln(exchange rate) * year / timeToExpiry. */
PendleStatus
PendleLnImpliedRate(double totalPt, double totalAsset, double rateScalar,
					double rateAnchor, int64_t timeToExpiry, double *lnRate)
{
	double		rate;
	PendleStatus st;

	if (timeToExpiry <= 0)
		return PENDLE_EXPIRED;
	st = PendleExchangeRate(totalPt, totalAsset, rateScalar, rateAnchor, 0.0, &rate);
	if (st != PENDLE_OK)
		return st;
	*lnRate = log(rate) * PENDLE_YEAR_SECONDS / (double) timeToExpiry;
	return PENDLE_OK;
}

/* _getExchangeRateFromImpliedRate: e^(lnRate * t / year). */
static double
PendleRateFromImplied(double lnImpliedRate, int64_t timeToExpiry)
{
	return exp(lnImpliedRate * (double) timeToExpiry / PENDLE_YEAR_SECONDS);
}

/*
 * _getRateAnchor: the anchor that makes the current proportion quote the
 * last implied rate, e^(last * t / year) - ln(p / (1 - p)) / rateScalar.
 */
PendleStatus
PendleRateAnchor(double totalPt, double lastLnImpliedRate, double totalAsset,
				 double rateScalar, int64_t timeToExpiry, double *anchor)
{
	double		newRate = PendleRateFromImplied(lastLnImpliedRate, timeToExpiry);
	double		lnProportion;
	PendleStatus st;

	if (newRate < 1.0)
		return PENDLE_RATE_BELOW_ONE;
	st = PendleLogProportion(totalPt / (totalPt + totalAsset), &lnProportion);
	if (st != PENDLE_OK)
		return st;
	*anchor = newRate - lnProportion / rateScalar;
	return PENDLE_OK;
}

/* Checks a market state's fields for finite, in-domain values. */
static PendleStatus
PendleCheckMarket(const PendleMarket *m)
{
	if (!PendleFinite(m->totalPt, m->totalSy, m->syIndex) ||
		!PendleFinite(m->scalarRoot, m->lastLnImpliedRate, m->lnFeeRateRoot) ||
		!isfinite(m->reserveFeePercent))
		return PENDLE_BAD_PARAM;
	if (m->totalPt < 0.0 || m->totalSy < 0.0 || m->syIndex <= 0.0 ||
		m->scalarRoot <= 0.0 || m->lastLnImpliedRate < 0.0 || m->lnFeeRateRoot < 0.0 ||
		m->reserveFeePercent < 0.0 || m->reserveFeePercent > 100.0)
		return PENDLE_BAD_PARAM;
	return PENDLE_OK;
}

/*
 * getMarketPreCompute: rate scalar, total asset (SY times its index), rate
 * anchor and fee rate at now; plus the exchange rate the pool quotes now.
 * getMarketPreCompute does not run _getExchangeRate, so a state it accepts
 * may have no current quote (a PT share above 96 %, which a trade that
 * buys PT out of the pool still clears): that is exchangeRateStatus, not
 * the status returned.  now must not be negative (expiry - now must not
 * overflow).
 */
PendleStatus
PendlePreCompute(const PendleMarket *m, int64_t now, PendleQuote *q)
{
	int64_t		timeToExpiry;
	PendleStatus st;

	if ((st = PendleCheckMarket(m)) != PENDLE_OK)
		return st;
	if (now < 0)
		return PENDLE_BAD_PARAM;
	if (now >= m->expiry)
		return PENDLE_EXPIRED;
	timeToExpiry = m->expiry - now;
	if ((st = PendleRateScalar(m->scalarRoot, timeToExpiry, &q->rateScalar)) != PENDLE_OK)
		return st;
	q->totalAsset = m->totalSy * m->syIndex;
	if (m->totalPt == 0.0 || q->totalAsset == 0.0)
		return PENDLE_ZERO_TOTALS;
	st = PendleRateAnchor(m->totalPt, m->lastLnImpliedRate, q->totalAsset,
						  q->rateScalar, timeToExpiry, &q->rateAnchor);
	if (st != PENDLE_OK)
		return st;
	q->feeRate = PendleRateFromImplied(m->lnFeeRateRoot, timeToExpiry);
	q->exchangeRateStatus = PendleExchangeRate(m->totalPt, q->totalAsset, q->rateScalar,
											   q->rateAnchor, 0.0, &q->exchangeRate);
	return PENDLE_OK;
}

/*
 * executeTradeCore: netPtToAccount PT leave the pool (negative: enter it).
 * calcTrade's asset amounts and fee (buying PT: the post-fee rate must stay
 * at least 1; selling: the fee grosses the proceeds down), the reserve's
 * share, conversion to SY, then _setNewMarketStateTrade's new reserves and
 * ln implied rate at the same rate scalar and anchor.
 */
PendleStatus
PendleExecuteTrade(const PendleMarket *m, double netPtToAccount, int64_t now,
				   PendleTrade *t)
{
	PendleQuote q;
	PendleStatus st;
	double		preFeeRate;
	double		preFeeAssetToAccount;
	double		fee;
	double		netAssetToReserve;
	double		netAssetToAccount;

	if (!isfinite(netPtToAccount) || now < 0)
		return PENDLE_BAD_PARAM;
	if ((st = PendleCheckMarket(m)) != PENDLE_OK)
		return st;
	if (now >= m->expiry)
		return PENDLE_EXPIRED;
	if (m->totalPt <= netPtToAccount)
		return PENDLE_INSUFFICIENT_PT;
	if ((st = PendlePreCompute(m, now, &q)) != PENDLE_OK)
		return st;

	st = PendleExchangeRate(m->totalPt, q.totalAsset, q.rateScalar, q.rateAnchor,
							netPtToAccount, &preFeeRate);
	if (st != PENDLE_OK)
		return st;
	preFeeAssetToAccount = -(netPtToAccount / preFeeRate);
	if (netPtToAccount > 0.0)
	{
		if (preFeeRate / q.feeRate < 1.0)
			return PENDLE_RATE_BELOW_ONE;
		fee = preFeeAssetToAccount * (1.0 - q.feeRate);
	}
	else
		fee = -(preFeeAssetToAccount * (1.0 - q.feeRate) / q.feeRate);

	netAssetToReserve = fee * m->reserveFeePercent / 100.0;
	netAssetToAccount = preFeeAssetToAccount - fee;
	t->netSyToAccount = netAssetToAccount / m->syIndex;
	t->netSyFee = fee / m->syIndex;
	t->netSyToReserve = netAssetToReserve / m->syIndex;

	t->newTotalPt = m->totalPt - netPtToAccount;
	t->newTotalSy = m->totalSy - (t->netSyToAccount + t->netSyToReserve);
	if (t->newTotalPt < 0.0 || t->newTotalSy < 0.0)
		return PENDLE_NEGATIVE_RESERVE;
	st = PendleLnImpliedRate(t->newTotalPt, t->newTotalSy * m->syIndex, q.rateScalar,
							 q.rateAnchor, m->expiry - now, &t->newLnImpliedRate);
	if (st != PENDLE_OK)
		return st;
	if (t->newLnImpliedRate == 0.0)
		return PENDLE_ZERO_IMPLIED_RATE;
	return PENDLE_OK;
}

/*
 * Lock the fixed rate or stay floating.  Both legs as continuously
 * compounded rates over the term tau = seconds / year: fixed r = ln(1 +
 * implied APY); the floating log growth over the term is normal with mean
 * expectedApr * tau and sd aprSd * tau (expectedApr is the term's average
 * floating APR, accruing into the asset as an LST's rate does, i.e.
 * compounding).  The probability that floating beats fixed is
 * Phi((expectedApr - r) / aprSd); within threshold of r it is
 * 'indifferent', else the higher leg wins.
 */
PendleStatus
PendleFixedVsFloating(double impliedApy, int64_t seconds, double expectedApr,
					  double aprSd, double threshold, PendleFixedFloat *r)
{
	double		tau;
	double		diff;

	if (!PendleFinite(impliedApy, expectedApr, aprSd) || !isfinite(threshold) ||
		impliedApy <= -1.0 || seconds <= 0 || aprSd < 0.0 || threshold < 0.0)
		return PENDLE_BAD_PARAM;
	tau = (double) seconds / PENDLE_YEAR_SECONDS;
	r->fixedRate = log1p(impliedApy);
	r->fixedTermReturn = expm1(r->fixedRate * tau);
	r->floatingTermReturn = expm1(expectedApr * tau);
	r->floatingTermSd = aprSd * tau;
	diff = expectedApr - r->fixedRate;
	if (aprSd > 0.0)
		r->probFloatingBeats = 0.5 * erfc(-diff / (aprSd * M_SQRT2));
	else
		r->probFloatingBeats = diff > 0.0 ? 1.0 : (diff < 0.0 ? 0.0 : 0.5);
	if (fabs(diff) <= threshold)
		r->recommendation = 0;
	else
		r->recommendation = diff > 0.0 ? 1 : -1;
	return PENDLE_OK;
}

/* ---- SQL wrappers ---- */

/* Raises the error a status stands for; what names the function's subject. */
void
PendleReport(PendleStatus st, const char *what)
{
	switch (st)
	{
		case PENDLE_OK:
			return;
		case PENDLE_BAD_PARAM:
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("invalid argument for %s", what),
					 errdetail("Prices and totals must be finite and non-negative (prices positive), the APY above -100 %%, the SY index and scalar root positive, the reserve fee percent within 0..100 and times non-negative.")));
			break;
		case PENDLE_EXPIRED:
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("the market has expired"),
					 errdetail("%s needs a time before the expiry.", what)));
			break;
		case PENDLE_ZERO_TOTALS:
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("the market has no PT or no asset")));
			break;
		case PENDLE_INSUFFICIENT_PT:
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("the market holds too little PT for the trade")));
			break;
		case PENDLE_PROPORTION_TOO_HIGH:
			ereport(ERROR,
					(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
					 errmsg("the PT proportion of the market would exceed 96 %%"),
					 errdetail("Pendle's MarketMathCore reverts with MarketProportionTooHigh.")));
			break;
		case PENDLE_RATE_BELOW_ONE:
			ereport(ERROR,
					(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
					 errmsg("the exchange rate would fall below 1"),
					 errdetail("Pendle's MarketMathCore reverts with MarketExchangeRateBelowOne: PT would cost more than the asset.")));
			break;
		case PENDLE_NEGATIVE_RESERVE:
			ereport(ERROR,
					(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
					 errmsg("the trade would leave a negative reserve")));
			break;
		case PENDLE_ZERO_IMPLIED_RATE:
			ereport(ERROR,
					(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
					 errmsg("the trade would leave a zero implied rate")));
			break;
		case PENDLE_OVERFLOW:
			ereport(ERROR,
					(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
					 errmsg("%s is out of range for type double precision", what)));
			break;
	}
}

/*
 * Raises 22023 for a negative now: times are unix seconds, and expiry -
 * now must not overflow int64 (with now >= 0 and expiry > now it cannot).
 */
void
PendleCheckNow(int64_t now)
{
	if (now < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("now must not be negative: %lld", (long long) now),
				 errdetail("now is a unix time in seconds.")));
}

/* Reads a float8 field of a pendle_market_state; NULL is an error. */
static double
PendleField8(HeapTupleHeader t, const char *name)
{
	bool		isnull;
	Datum		d = GetAttributeByName(t, name, &isnull);

	if (isnull)
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("market state field \"%s\" is null", name)));
	return DatumGetFloat8(d);
}

/* Unpacks a pendle_market_state argument. */
static void
PendleMarketFromDatum(HeapTupleHeader t, PendleMarket *m)
{
	bool		isnull;
	Datum		d;

	m->totalPt = PendleField8(t, "total_pt");
	m->totalSy = PendleField8(t, "total_sy");
	m->syIndex = PendleField8(t, "sy_index");
	m->scalarRoot = PendleField8(t, "scalar_root");
	m->lastLnImpliedRate = PendleField8(t, "last_ln_implied_rate");
	m->lnFeeRateRoot = PendleField8(t, "ln_fee_rate_root");
	m->reserveFeePercent = PendleField8(t, "reserve_fee_percent");
	d = GetAttributeByName(t, "expiry", &isnull);
	if (isnull)
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("market state field \"%s\" is null", "expiry")));
	m->expiry = DatumGetInt64(d);
}

/* Forms the function's composite result from n values; nulls may be NULL (none null). */
static Datum
PendleTuple(FunctionCallInfo fcinfo, Datum *values, const bool *isnull, int n)
{
	TupleDesc	tupdesc;
	bool		nulls[16] = {false};
	int			i;

	Assert(n <= 16);
	for (i = 0; isnull && i < n; i++)
		nulls[i] = isnull[i];
	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");
	tupdesc = BlessTupleDesc(tupdesc);
	if (tupdesc->natts != n)
		elog(ERROR, "expected %d result columns, found %d", n, tupdesc->natts);
	return HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls));
}

PG_FUNCTION_INFO_V1(pendle_pt_price);
PG_FUNCTION_INFO_V1(pendle_implied_apy);
PG_FUNCTION_INFO_V1(pendle_yt_price);
PG_FUNCTION_INFO_V1(pendle_rate_scalar);
PG_FUNCTION_INFO_V1(pendle_initial_ln_implied_rate);
PG_FUNCTION_INFO_V1(pendle_market_quote);
PG_FUNCTION_INFO_V1(pendle_swap_exact_pt_for_sy);
PG_FUNCTION_INFO_V1(pendle_swap_sy_for_exact_pt);
PG_FUNCTION_INFO_V1(pendle_fixed_vs_floating_pure);

/* pendle_pt_price(implied_apy, seconds_to_maturity): PT price in the asset. */
Datum
pendle_pt_price(PG_FUNCTION_ARGS)
{
	double		price = 0.0;

	if (PG_GETARG_INT64(1) < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("maturity is in the past: %lld seconds to maturity",
						(long long) PG_GETARG_INT64(1))));
	PendleReport(PendlePtPrice(PG_GETARG_FLOAT8(0), PG_GETARG_INT64(1), &price),
				 "pendle_pt_price");
	PG_RETURN_FLOAT8(price);
}

/* pendle_implied_apy(pt_price, seconds_to_maturity): the PT's implied APY. */
Datum
pendle_implied_apy(PG_FUNCTION_ARGS)
{
	double		apy = 0.0;

	if (PG_GETARG_INT64(1) <= 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("no implied APY at or after maturity: %lld seconds to maturity",
						(long long) PG_GETARG_INT64(1))));
	PendleReport(PendleImpliedApy(PG_GETARG_FLOAT8(0), PG_GETARG_INT64(1), &apy),
				 "pendle_implied_apy");
	PG_RETURN_FLOAT8(apy);
}

/* pendle_yt_price(implied_apy, seconds_to_maturity): 1 - PT price, in the asset. */
Datum
pendle_yt_price(PG_FUNCTION_ARGS)
{
	double		price = 0.0;

	if (PG_GETARG_INT64(1) < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("maturity is in the past: %lld seconds to maturity",
						(long long) PG_GETARG_INT64(1))));
	PendleReport(PendlePtPrice(PG_GETARG_FLOAT8(0), PG_GETARG_INT64(1), &price),
				 "pendle_yt_price");
	PG_RETURN_FLOAT8(1.0 - price);
}

/* pendle_rate_scalar(scalar_root, seconds_to_maturity). */
Datum
pendle_rate_scalar(PG_FUNCTION_ARGS)
{
	double		rs = 0.0;

	PendleReport(PendleRateScalar(PG_GETARG_FLOAT8(0), PG_GETARG_INT64(1), &rs),
				 "pendle_rate_scalar");
	PG_RETURN_FLOAT8(rs);
}

/*
 * pendle_initial_ln_implied_rate(total_pt, total_asset, scalar_root,
 * initial_anchor, seconds_to_maturity): setInitialLnImpliedRate.
 */
Datum
pendle_initial_ln_implied_rate(PG_FUNCTION_ARGS)
{
	double		totalPt = PG_GETARG_FLOAT8(0);
	double		totalAsset = PG_GETARG_FLOAT8(1);
	double		anchor = PG_GETARG_FLOAT8(3);
	int64		seconds = PG_GETARG_INT64(4);
	double		rs = 0.0;
	double		ln = 0.0;

	if (!PendleFinite(totalPt, totalAsset, anchor) || totalPt < 0.0 || totalAsset < 0.0)
		PendleReport(PENDLE_BAD_PARAM, "pendle_initial_ln_implied_rate");
	PendleReport(PendleRateScalar(PG_GETARG_FLOAT8(2), seconds, &rs),
				 "pendle_initial_ln_implied_rate");
	if (totalPt == 0.0 || totalAsset == 0.0)
		PendleReport(PENDLE_ZERO_TOTALS, "pendle_initial_ln_implied_rate");
	PendleReport(PendleLnImpliedRate(totalPt, totalAsset, rs, anchor, seconds, &ln),
				 "pendle_initial_ln_implied_rate");
	PG_RETURN_FLOAT8(ln);
}

/*
 * pendle_market_quote(market, now): the precomputed rate scalar, total
 * asset, rate anchor and fee rate, the exchange rate, ln implied rate and
 * implied APY the pool quotes, and the PT price in the asset and in SY.
 * Where the contract's getMarketPreCompute accepts the state but
 * _getExchangeRate would revert at the current proportion (a PT share
 * above 96 %), the exchange rate and the five fields derived from it are
 * NULL: trades that bring the share back under 96 % still go through.
 */
Datum
pendle_market_quote(PG_FUNCTION_ARGS)
{
	PendleMarket m;
	PendleQuote q;
	int64		now = PG_GETARG_INT64(1);
	double		ln;
	Datum		v[9];
	bool		nulls[9] = {false};
	int			i;

	PendleCheckNow(now);
	PendleMarketFromDatum(PG_GETARG_HEAPTUPLEHEADER(0), &m);
	PendleReport(PendlePreCompute(&m, now, &q), "pendle_market_quote");
	v[0] = Float8GetDatum(q.rateScalar);
	v[1] = Float8GetDatum(q.totalAsset);
	v[2] = Float8GetDatum(q.rateAnchor);
	v[3] = Float8GetDatum(q.feeRate);
	if (q.exchangeRateStatus == PENDLE_OK)
	{
		ln = log(q.exchangeRate) * PENDLE_YEAR_SECONDS / (double) (m.expiry - now);
		v[4] = Float8GetDatum(q.exchangeRate);
		v[5] = Float8GetDatum(ln);
		v[6] = Float8GetDatum(expm1(ln));
		v[7] = Float8GetDatum(1.0 / q.exchangeRate);
		v[8] = Float8GetDatum(1.0 / q.exchangeRate / m.syIndex);
	}
	else
		for (i = 4; i < 9; i++)
		{
			v[i] = (Datum) 0;
			nulls[i] = true;
		}
	return PendleTuple(fcinfo, v, nulls, 9);
}

/* Runs a trade for the swap wrappers and forms their common result row. */
static Datum
PendleSwapResult(FunctionCallInfo fcinfo, double netPtToAccount, bool syToMarket,
				 const char *what)
{
	PendleMarket m;
	PendleTrade t;
	Datum		v[7];

	PendleCheckNow(PG_GETARG_INT64(2));
	PendleMarketFromDatum(PG_GETARG_HEAPTUPLEHEADER(0), &m);
	PendleReport(PendleExecuteTrade(&m, netPtToAccount, PG_GETARG_INT64(2), &t), what);
	v[0] = Float8GetDatum(syToMarket ? -t.netSyToAccount : t.netSyToAccount);
	v[1] = Float8GetDatum(t.netSyFee);
	v[2] = Float8GetDatum(t.netSyToReserve);
	v[3] = Float8GetDatum(t.newTotalPt);
	v[4] = Float8GetDatum(t.newTotalSy);
	v[5] = Float8GetDatum(t.newLnImpliedRate);
	v[6] = Float8GetDatum(expm1(t.newLnImpliedRate));
	return PendleTuple(fcinfo, v, NULL, 7);
}

/* pendle_swap_exact_pt_for_sy(market, exact_pt_in, now): PT in, SY out. */
Datum
pendle_swap_exact_pt_for_sy(PG_FUNCTION_ARGS)
{
	double		pt = PG_GETARG_FLOAT8(1);

	if (!(pt > 0.0) || !isfinite(pt))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("PT amount must be positive and finite: %g", pt)));
	return PendleSwapResult(fcinfo, -pt, false, "pendle_swap_exact_pt_for_sy");
}

/* pendle_swap_sy_for_exact_pt(market, exact_pt_out, now): SY in, PT out. */
Datum
pendle_swap_sy_for_exact_pt(PG_FUNCTION_ARGS)
{
	double		pt = PG_GETARG_FLOAT8(1);

	if (!(pt > 0.0) || !isfinite(pt))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("PT amount must be positive and finite: %g", pt)));
	return PendleSwapResult(fcinfo, pt, true, "pendle_swap_sy_for_exact_pt");
}

/*
 * pendle_fixed_vs_floating_pure(implied_apy, seconds_to_maturity,
 * expected_apr, apr_sd, threshold): see PendleFixedVsFloating.
 */
Datum
pendle_fixed_vs_floating_pure(PG_FUNCTION_ARGS)
{
	PendleFixedFloat r;
	Datum		v[9];
	int64		seconds = PG_GETARG_INT64(1);
	static const char *const words[3] = {"lock", "indifferent", "float"};

	if (seconds <= 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("maturity is not in the future: %lld seconds to maturity",
						(long long) seconds)));
	if (PG_GETARG_FLOAT8(3) < 0.0 || PG_GETARG_FLOAT8(4) < 0.0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("apr_sd and threshold must not be negative")));
	PendleReport(PendleFixedVsFloating(PG_GETARG_FLOAT8(0), seconds, PG_GETARG_FLOAT8(2),
									   PG_GETARG_FLOAT8(3), PG_GETARG_FLOAT8(4), &r),
				 "pendle_fixed_vs_floating");
	v[0] = Float8GetDatum(PG_GETARG_FLOAT8(0));
	v[1] = Float8GetDatum(r.fixedRate);
	v[2] = Float8GetDatum(PG_GETARG_FLOAT8(2));
	v[3] = Float8GetDatum(PG_GETARG_FLOAT8(3));
	v[4] = Float8GetDatum(r.fixedTermReturn);
	v[5] = Float8GetDatum(r.floatingTermReturn);
	v[6] = Float8GetDatum(r.floatingTermSd);
	v[7] = Float8GetDatum(r.probFloatingBeats);
	v[8] = CStringGetTextDatum(words[r.recommendation + 1]);
	return PendleTuple(fcinfo, v, NULL, 9);
}
