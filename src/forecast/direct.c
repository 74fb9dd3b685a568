/*
 * src/forecast/direct.c
 *
 * The model kinds on arrays, without the registry: forecast_fit() trains a
 * kind on a target (or series) array and a feature matrix and returns the
 * fit as a value (kind, seed, state, summary, in-sample figures), and
 * forecast_fit_predict / _forecast / _regime serve such a value.  They are
 * what the tests drive each kind through, and what an analyst uses for a
 * quick fit that need not be kept.
 */
#include "postgres.h"

#include <math.h>

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "funcapi.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"

#include "forecast/forecast.h"
#include "forecast/forecast_int.h"

/*
 * A float8 array's values: ndims 1 (one row, or a series) or 2 (rows by
 * columns); no NULLs.  *rows and *cols get its shape (a 1-D array is one
 * row of n columns unless as_column, then n rows of one column).
 */
double *
ForecastArrayValues(ArrayType *a, const char *what, bool as_column, int *rows, int *cols)
{
	Datum	   *elems;
	bool	   *nulls;
	int			n,
				i,
				nd = ARR_NDIM(a);
	double	   *out;

	if (ARR_ELEMTYPE(a) != FLOAT8OID)
		elog(ERROR, "expected a float8 array");
	if (nd > 2)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("%s must have one or two dimensions", what)));
	deconstruct_array(a, FLOAT8OID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE, &elems, &nulls, &n);
	out = palloc(Max(n, 1) * sizeof(double));
	for (i = 0; i < n; i++)
	{
		if (nulls[i])
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("%s must not contain NULLs", what)));
		out[i] = DatumGetFloat8(elems[i]);
	}
	if (nd == 2)
	{
		*rows = ARR_DIMS(a)[0];
		*cols = ARR_DIMS(a)[1];
	}
	else if (as_column)
	{
		*rows = n;
		*cols = n > 0 ? 1 : 0;
	}
	else
	{
		*rows = n > 0 ? 1 : 0;
		*cols = n;
	}
	return out;
}

/* A series (1-D float8 array) and its length. */
static double *
SeriesArg(ArrayType *a, const char *what, int *n)
{
	int			r,
				c;
	double	   *v;

	if (ARR_NDIM(a) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("%s must have one dimension", what)));
	v = ForecastArrayValues(a, what, true, &r, &c);
	*n = r;
	return v;
}

/* A float8[] of n values. */
ArrayType *
ForecastFloatArray(const double *v, int n)
{
	Datum	   *d = palloc(Max(n, 1) * sizeof(Datum));
	int			i;

	for (i = 0; i < n; i++)
		d[i] = Float8GetDatum(v[i]);
	return construct_array(d, n, FLOAT8OID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE);
}

/* A float8 result: NULL for NaN (no such figure). */
static Datum
MaybeFloat(double v, bool *isnull)
{
	*isnull = isnan(v);
	return Float8GetDatum(v);
}

/* The fields of a forecast_fit value. */
typedef struct FitValue
{
	const ForecastKind *kind;
	bytea	   *state;
} FitValue;

/* Read kind and state out of a forecast_fit composite. */
static FitValue
FitArg(HeapTupleHeader t)
{
	FitValue	f;
	bool		isnull;
	Datum		d;

	d = GetAttributeByName(t, "kind", &isnull);
	if (isnull)
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("the fit has no kind")));
	f.kind = ForecastKindGet(TextDatumGetCString(d));
	d = GetAttributeByName(t, "state", &isnull);
	if (isnull)
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("the fit has no state")));
	f.state = DatumGetByteaPP(d);
	return f;
}

PG_FUNCTION_INFO_V1(forecast_fit);

/* forecast_fit(kind, y, x, params): train a kind on arrays, return the fit. */
Datum
forecast_fit(PG_FUNCTION_ARGS)
{
	const ForecastKind *kind;
	ForecastData d;
	ForecastFit fit;
	Jsonb	   *params;
	uint64		seed;
	int			r,
				c;
	TupleDesc	tupdesc;
	Datum		values[8];
	bool		nulls[8] = {0};

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("kind and y must not be NULL")));
	kind = ForecastKindGet(text_to_cstring(PG_GETARG_TEXT_PP(0)));
	params = PG_ARGISNULL(3) ? NULL : PG_GETARG_JSONB_P(3);
	memset(&d, 0, sizeof(d));
	d.y = SeriesArg(PG_GETARG_ARRAYTYPE_P(1), "y", &d.n);
	if (!PG_ARGISNULL(2))
	{
		d.x = ForecastArrayValues(PG_GETARG_ARRAYTYPE_P(2), "x", true, &r, &c);
		if (ARR_NDIM(PG_GETARG_ARRAYTYPE_P(2)) == 1)
		{
			/* a 1-D x is one feature per row */
			r = c == 0 ? 0 : r;
		}
		if (r != d.n)
			ereport(ERROR,
					(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
					 errmsg("x has %d rows but y has %d values", r, d.n)));
		d.p = c;
	}
	seed = ForecastSeed(params);
	ForecastTrainRun(kind, &d, params, seed, "train", "", 0, &fit);

	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");
	tupdesc = BlessTupleDesc(tupdesc);
	values[0] = CStringGetTextDatum(kind->name);
	values[1] = Int64GetDatum((int64) seed);
	values[2] = PointerGetDatum(fit.state);
	values[3] = fit.summary ? JsonbPGetDatum(fit.summary) : (Datum) 0;
	nulls[3] = fit.summary == NULL;
	values[4] = MaybeFloat(fit.sigma, &nulls[4]);
	values[5] = MaybeFloat(fit.loglik, &nulls[5]);
	values[6] = MaybeFloat(fit.aic, &nulls[6]);
	values[7] = Int32GetDatum(fit.nparams);
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls)));
}

PG_FUNCTION_INFO_V1(forecast_fit_predict);

/* forecast_fit_predict(fit, x): a feature kind's prediction of each row of x. */
Datum
forecast_fit_predict(PG_FUNCTION_ARGS)
{
	FitValue	f = FitArg(PG_GETARG_HEAPTUPLEHEADER(0));
	double	   *x,
			   *out;
	int			r,
				c;
	void	   *m;

	if (f.kind->series)
		ereport(ERROR,
				(errcode(ERRCODE_WRONG_OBJECT_TYPE),
				 errmsg("model kind \"%s\" forecasts a series; use forecast_fit_forecast", f.kind->name)));
	x = ForecastArrayValues(PG_GETARG_ARRAYTYPE_P(1), "x", false, &r, &c);
	m = ForecastModelLoad(f.kind, f.state, 0);
	out = palloc(Max(r, 1) * sizeof(double));
	if (r > 0)
		f.kind->predict(m, x, r, c, out);
	PG_RETURN_ARRAYTYPE_P(ForecastFloatArray(out, r));
}

/* Check a horizon argument. */
void
ForecastCheckHorizon(int h)
{
	if (h < 1 || h > 100000)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("horizon must be between 1 and 100000: %d", h)));
}

PG_FUNCTION_INFO_V1(forecast_fit_forecast);

/* forecast_fit_forecast(fit, horizon, y): a series kind's forecast, step by step. */
Datum
forecast_fit_forecast(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	FitValue	f = FitArg(PG_GETARG_HEAPTUPLEHEADER(0));
	int			h = PG_GETARG_INT32(1);
	double	   *y = NULL,
			   *mean,
			   *sd;
	int			n = 0,
				i;
	void	   *m;

	if (!f.kind->series)
		ereport(ERROR,
				(errcode(ERRCODE_WRONG_OBJECT_TYPE),
				 errmsg("model kind \"%s\" predicts from features; use forecast_fit_predict", f.kind->name)));
	ForecastCheckHorizon(h);
	if (!PG_ARGISNULL(2))
		y = SeriesArg(PG_GETARG_ARRAYTYPE_P(2), "y", &n);
	InitMaterializedSRF(fcinfo, 0);
	m = ForecastModelLoad(f.kind, f.state, 0);
	mean = palloc(h * sizeof(double));
	sd = palloc(h * sizeof(double));
	f.kind->forecast(m, y, n, h, mean, sd);
	for (i = 0; i < h; i++)
	{
		Datum		values[3];
		bool		nulls[3] = {0};

		values[0] = Int32GetDatum(i + 1);
		values[1] = MaybeFloat(mean[i], &nulls[1]);
		values[2] = MaybeFloat(sd[i], &nulls[2]);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	PG_RETURN_VOID();
}

/* A regime's (state, label, probs, labels) as four datums. */
void
ForecastRegimeValues(const ForecastRegime *r, Datum *values)
{
	Datum	   *labels = palloc(Max(r->nstates, 1) * sizeof(Datum));
	int			i;

	for (i = 0; i < r->nstates; i++)
		labels[i] = CStringGetTextDatum(r->labels[i]);
	values[0] = Int32GetDatum(r->state);
	values[1] = CStringGetTextDatum(r->label);
	values[2] = PointerGetDatum(ForecastFloatArray(r->probs, r->nstates));
	values[3] = PointerGetDatum(construct_array(labels, r->nstates, TEXTOID, -1, false, TYPALIGN_INT));
}

PG_FUNCTION_INFO_V1(forecast_fit_regime);

/* forecast_fit_regime(fit, y): a regime kind's current state. */
Datum
forecast_fit_regime(PG_FUNCTION_ARGS)
{
	FitValue	f = FitArg(PG_GETARG_HEAPTUPLEHEADER(0));
	double	   *y = NULL;
	int			n = 0;
	ForecastRegime r;
	TupleDesc	tupdesc;
	void	   *m;

	if (f.kind->regime == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_WRONG_OBJECT_TYPE),
				 errmsg("model kind \"%s\" has no regimes", f.kind->name)));
	if (!PG_ARGISNULL(1))
		y = SeriesArg(PG_GETARG_ARRAYTYPE_P(1), "y", &n);
	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");
	m = ForecastModelLoad(f.kind, f.state, 0);
	memset(&r, 0, sizeof(r));
	f.kind->regime(m, y, n, &r);
	{
		Datum		values[4];
		bool		nulls[4] = {0};

		ForecastRegimeValues(&r, values);
		PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(BlessTupleDesc(tupdesc), values, nulls)));
	}
}
