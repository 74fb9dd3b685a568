/*
 * src/risk/breakers.c
 *
 * The pure evaluation behind the circuit breakers of the risk gate: the
 * level a measured value puts a breaker in, given its tiers (warn,
 * reduce_only, halt) and the level it was in, with hysteresis, so that a
 * value hovering at a threshold does not flap; the largest relative move of
 * a price series (the price_move breaker); and an LST's discount to its
 * exchange rate in basis points (the depeg breaker).  risk.sql measures the
 * values from ingested data and keeps the state; these functions only
 * compute.  The fmgr wrappers are at the end.
 */
#include "postgres.h"

#include <math.h>

#include "catalog/pg_type.h"
#include "fmgr.h"
#include "utils/array.h"
#include "utils/builtins.h"

#include "risk/risk.h"

const char *const RiskLevelNames[RISK_NLEVELS] = {"ok", "warn", "reduce_only", "halt"};

/* The level called name, or -1. */
int
RiskLevelFromName(const char *name)
{
	int			l;

	for (l = 0; l < RISK_NLEVELS; l++)
		if (strcmp(name, RiskLevelNames[l]) == 0)
			return l;
	return -1;
}

/*
 * Tiers are valid when at least one threshold is used, every used one is
 * finite, they rise with the level (equal is allowed: the higher level
 * wins) and the band is finite and not negative.
 */
RiskStatus
RiskCheckTiers(const RiskTiers *t)
{
	double		last = -INFINITY;
	bool		any = false;
	int			l;

	for (l = RISK_WARN; l < RISK_NLEVELS; l++)
	{
		if (isnan(t->at[l]))
			continue;
		if (isinf(t->at[l]))
			return RISK_ERR_THRESHOLD;
		if (t->at[l] < last)
			return RISK_ERR_ORDER;
		last = t->at[l];
		any = true;
	}
	if (!any)
		return RISK_ERR_NO_TIER;
	if (!(t->band >= 0) || isinf(t->band))
		return RISK_ERR_BAND;
	return RISK_STATUS_OK;
}

/*
 * The new level of a breaker (valid tiers, value not NaN): the highest level
 * whose threshold the value reaches, or whose threshold less the band it
 * still reaches when the breaker was already at that level or above.  So a
 * level is entered at its threshold and left only below threshold - band,
 * and a fall from halt lands on the highest level the value still holds.
 */
RiskLevel
RiskBreakerLevel(double value, const RiskTiers *t, RiskLevel previous)
{
	RiskLevel	level = RISK_OK;
	int			l;

	for (l = RISK_WARN; l < RISK_NLEVELS; l++)
	{
		if (isnan(t->at[l]))
			continue;
		if (value >= t->at[l] || ((int) previous >= l && value >= t->at[l] - t->band))
			level = (RiskLevel) l;
	}
	return level;
}

/*
 * The largest relative move of a price series, in chain order: the largest
 * |p[j] / p[i] - 1| over i < j, as a fraction (0.1 is 10%).  One pass with
 * the running minimum (for rises) and maximum (for falls) of the earlier
 * prices.  Prices must be positive and finite; one price moves 0.
 */
RiskStatus
RiskMaxMove(const double *prices, int n, double *move)
{
	double		lo,
				hi,
				m = 0;
	int			j;

	for (j = 0; j < n; j++)
		if (!(prices[j] > 0) || isinf(prices[j]))
			return RISK_ERR_PRICE;
	if (n > 0)
	{
		lo = hi = prices[0];
		for (j = 1; j < n; j++)
		{
			double		up = prices[j] / lo - 1;
			double		down = 1 - prices[j] / hi;

			m = Max(m, Max(up, down));
			lo = Min(lo, prices[j]);
			hi = Max(hi, prices[j]);
		}
	}
	*move = m;
	return RISK_STATUS_OK;
}

/*
 * The discount of an LST's market price to its fair price (its exchange
 * rate), in basis points: (1 - market / fair) * 10000; negative for a
 * premium.
 */
RiskStatus
RiskDepegBps(double market, double fair, double *bps)
{
	if (!(market > 0) || isinf(market) || !(fair > 0) || isinf(fair))
		return RISK_ERR_PRICE;
	*bps = (1 - market / fair) * 10000.0;
	return RISK_STATUS_OK;
}

/* ---- SQL ---- */

/* Raise the error for a status other than RISK_STATUS_OK. */
static void
RiskRaise(RiskStatus st)
{
	switch (st)
	{
		case RISK_STATUS_OK:
			return;
		case RISK_ERR_VALUE:
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("breaker value must not be NaN")));
			break;
		case RISK_ERR_THRESHOLD:
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("breaker thresholds must be finite")));
			break;
		case RISK_ERR_ORDER:
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("breaker thresholds must rise with the level"),
					 errdetail("The thresholds in use must satisfy warn_at <= reduce_only_at <= halt_at.")));
			break;
		case RISK_ERR_NO_TIER:
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("a breaker needs at least one threshold"),
					 errhint("Set warn_at, reduce_only_at or halt_at.")));
			break;
		case RISK_ERR_BAND:
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("hysteresis band must be finite and not negative")));
			break;
		case RISK_ERR_PRICE:
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("prices must be positive and finite")));
			break;
	}
}

PG_FUNCTION_INFO_V1(risk_breaker_level);
PG_FUNCTION_INFO_V1(risk_max_move);
PG_FUNCTION_INFO_V1(risk_depeg_bps);

/*
 * risk_breaker_level(value, warn_at, reduce_only_at, halt_at, band,
 * previous): the new level of a breaker; NULL thresholds are tiers not used,
 * a NULL band is 0 and a NULL previous level is 'ok'; NULL for a NULL value.
 */
Datum
risk_breaker_level(PG_FUNCTION_ARGS)
{
	RiskTiers	t;
	RiskLevel	previous = RISK_OK;
	double		value;
	int			l;

	t.at[RISK_OK] = NAN;
	for (l = RISK_WARN; l < RISK_NLEVELS; l++)
		t.at[l] = PG_ARGISNULL(l) ? NAN : PG_GETARG_FLOAT8(l);
	t.band = PG_ARGISNULL(4) ? 0 : PG_GETARG_FLOAT8(4);
	RiskRaise(RiskCheckTiers(&t));
	if (!PG_ARGISNULL(5))
	{
		char	   *name = text_to_cstring(PG_GETARG_TEXT_PP(5));

		if ((l = RiskLevelFromName(name)) < 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("invalid breaker level: \"%s\"", name),
					 errhint("Levels are ok, warn, reduce_only and halt.")));
		previous = (RiskLevel) l;
	}
	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	value = PG_GETARG_FLOAT8(0);
	if (isnan(value))
		RiskRaise(RISK_ERR_VALUE);
	PG_RETURN_TEXT_P(cstring_to_text(RiskLevelNames[RiskBreakerLevel(value, &t, previous)]));
}

/*
 * risk_max_move(prices): the largest relative move between an earlier and a
 * later price, as a fraction; NULL elements are skipped, NULL when none is
 * left.
 */
Datum
risk_max_move(PG_FUNCTION_ARGS)
{
	ArrayType  *arr = PG_GETARG_ARRAYTYPE_P(0);
	Datum	   *elems;
	bool	   *nulls;
	int			n,
				i,
				k = 0;
	double	   *prices;
	double		move = 0;

	if (ARR_NDIM(arr) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("prices must be a one-dimensional array")));
	deconstruct_array(arr, FLOAT8OID, sizeof(float8), FLOAT8PASSBYVAL, TYPALIGN_DOUBLE,
					  &elems, &nulls, &n);
	prices = palloc(sizeof(double) * Max(n, 1));
	for (i = 0; i < n; i++)
		if (!nulls[i])
			prices[k++] = DatumGetFloat8(elems[i]);
	if (k == 0)
		PG_RETURN_NULL();
	RiskRaise(RiskMaxMove(prices, k, &move));
	PG_RETURN_FLOAT8(move);
}

/* risk_depeg_bps(market_price, fair_price): (1 - market / fair) * 10000. */
Datum
risk_depeg_bps(PG_FUNCTION_ARGS)
{
	double		bps = 0;

	RiskRaise(RiskDepegBps(PG_GETARG_FLOAT8(0), PG_GETARG_FLOAT8(1), &bps));
	PG_RETURN_FLOAT8(bps);
}
