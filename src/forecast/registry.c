/*
 * src/forecast/registry.c
 *
 * The model registry's C side: forecast_train() reads the source as the
 * caller, trains the kind and records the model (and deploys it when its
 * project has no live model); the predict functions serve a project's live
 * model.  The registry's tables belong to the extension's owner and only
 * these functions and the SECURITY DEFINER functions of forecast.sql write
 * them: the writes here run as the tables' owner, in a restricted operation
 * with search_path pinned, as RpcLoadTarget reads chains.
 */
#include "postgres.h"

#include <math.h>

#include "access/htup_details.h"
#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/fmgrprotos.h"
#include "utils/numeric.h"
#include "utils/guc.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/syscache.h"
#include "utils/timestamp.h"

#include "forecast/forecast_int.h"

/* The owner of amplified.forecast_models (the extension's owner). */
static Oid
RegistryOwner(void)
{
	Oid			nsp = get_namespace_oid("amplified", false);
	Oid			relid = get_relname_relid("forecast_models", nsp);
	HeapTuple	tup;
	Oid			owner;

	if (!OidIsValid(relid))
		elog(ERROR, "table amplified.forecast_models does not exist");
	tup = SearchSysCache1(RELOID, ObjectIdGetDatum(relid));
	if (!HeapTupleIsValid(tup))
		elog(ERROR, "cache lookup failed for relation %u", relid);
	owner = ((Form_pg_class) GETSTRUCT(tup))->relowner;
	ReleaseSysCache(tup);
	return owner;
}

/*
 * Run one registry statement as the tables' owner (inside an SPI
 * connection the caller holds).  search_path is pinned to pg_catalog so no
 * object of the caller's can run as the owner; every name in sql is
 * schema-qualified and operators are pg_catalog's.
 */
int
ForecastRegistryExec(const char *sql, int nargs, Oid *argtypes, Datum *values,
					 const char *nulls, bool read_only, long tcount)
{
	Oid			save_userid;
	int			save_sec;
	int			save_nestlevel;
	volatile int rc = 0;

	GetUserIdAndSecContext(&save_userid, &save_sec);
	save_nestlevel = NewGUCNestLevel();
	(void) set_config_option("search_path", "pg_catalog, pg_temp", PGC_USERSET, PGC_S_SESSION,
							 GUC_ACTION_SAVE, true, 0, false);
	SetUserIdAndSecContext(RegistryOwner(),
						   save_sec | SECURITY_LOCAL_USERID_CHANGE | SECURITY_RESTRICTED_OPERATION);
	PG_TRY();
	{
		rc = SPI_execute_with_args(sql, nargs, argtypes, values, nulls, read_only, tcount);
	}
	PG_FINALLY();
	{
		SetUserIdAndSecContext(save_userid, save_sec);
	}
	PG_END_TRY();
	AtEOXact_GUC(false, save_nestlevel);
	if (rc < 0)
		elog(ERROR, "forecast registry statement failed: %s", SPI_result_code_string(rc));
	return rc;
}

/* Check a project name (as the table's CHECK does, with a clearer error). */
void
ForecastCheckProject(const char *project)
{
	int			i,
				n = strlen(project);
	bool		ok = n >= 1 && n <= 63 && project[0] >= 'a' && project[0] <= 'z';

	for (i = 1; ok && i < n; i++)
		ok = (project[i] >= 'a' && project[i] <= 'z') ||
			(project[i] >= '0' && project[i] <= '9') || project[i] == '_';
	if (!ok)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid project name \"%s\"", project),
				 errdetail("A project name is a lowercase letter then up to 62 lowercase letters, digits or underscores.")));
}

/* A text[] of n C strings. */
static Datum
TextArray(char **v, int n)
{
	Datum	   *d = palloc(Max(n, 1) * sizeof(Datum));
	int			i;

	for (i = 0; i < n; i++)
		d[i] = CStringGetTextDatum(v[i]);
	return PointerGetDatum(construct_array(d, n, TEXTOID, -1, false, TYPALIGN_INT));
}

/* Append "key": value (a double, null for NaN) to a JSON object being built. */
static void
JsonNumber(StringInfo s, const char *key, double v)
{
	appendStringInfo(s, "%s\"%s\": ", s->len > 1 ? ", " : "", key);
	if (isfinite(v))
		appendStringInfo(s, "%.17g", v);
	else
		appendStringInfoString(s, "null");
}

/* A number at key of a summary object, if there is one. */
static bool
SummaryNumber(Jsonb *summary, const char *key, double *out)
{
	JsonbValue	v;

	if (summary == NULL || !JB_ROOT_IS_OBJECT(summary) ||
		getKeyJsonValueFromContainer(&summary->root, key, strlen(key), &v) == NULL ||
		v.type != jbvNumeric)
		return false;
	*out = DatumGetFloat8(DirectFunctionCall1(numeric_float8, NumericGetDatum(v.val.numeric)));
	return true;
}

/*
 * The in-sample figures of a fit as a JSON object: n, and sigma, loglik,
 * aic, nparams when the kind has them; for feature kinds also the in-sample
 * RMSE and R² of the model's predictions of its training rows (and their
 * MAE when the registry predicts them itself, for kinds that do not report
 * RMSE and R² in their summary).
 */
static char *
InSampleMetrics(const ForecastKind *kind, const ForecastData *d, const ForecastFit *fit)
{
	StringInfoData s;
	double		rmse,
				r2;

	initStringInfo(&s);
	appendStringInfoChar(&s, '{');
	JsonNumber(&s, "n", d->n);
	JsonNumber(&s, "sigma", fit->sigma);
	JsonNumber(&s, "loglik", fit->loglik);
	JsonNumber(&s, "aic", fit->aic);
	JsonNumber(&s, "nparams", fit->nparams);
	if (!kind->series && SummaryNumber(fit->summary, "rmse", &rmse) &&
		SummaryNumber(fit->summary, "r2", &r2))
	{
		/* the kind measured its fit already (xgboost): no second pass */
		JsonNumber(&s, "rmse", rmse);
		JsonNumber(&s, "r2", r2);
	}
	else if (!kind->series)
	{
		void	   *m = ForecastModelLoad(kind, fit->state, 0);
		double	   *pred = palloc(d->n * sizeof(double));
		double		sse = 0,
					sae = 0,
					mean = 0,
					sst = 0;
		int			i;

		kind->predict(m, d->x, d->n, d->p, pred);
		for (i = 0; i < d->n; i++)
			mean += d->y[i] / d->n;
		for (i = 0; i < d->n; i++)
		{
			double		e = d->y[i] - pred[i];

			sse += e * e;
			sae += fabs(e);
			sst += (d->y[i] - mean) * (d->y[i] - mean);
		}
		JsonNumber(&s, "rmse", sqrt(sse / d->n));
		JsonNumber(&s, "mae", sae / d->n);
		JsonNumber(&s, "r2", sst > 0 ? 1 - sse / sst : NAN);
	}
	appendStringInfoChar(&s, '}');
	return s.data;
}

PG_FUNCTION_INFO_V1(forecast_train);

/*
 * forecast_train(project, kind, source, target, params): train a model on
 * the rows of source and record it; deploy it when the project has no live
 * model.  Returns the model's id.
 */
Datum
forecast_train(PG_FUNCTION_ARGS)
{
	char	   *project,
			   *kindname,
			   *source,
			   *target;
	Jsonb	   *params;
	const ForecastKind *kind;
	ForecastSource src;
	ForecastFit fit;
	uint64		seed;
	TimestampTz t0,
				t1;
	char	   *metrics;
	int64		model_id;
	Oid			types[17];
	Datum		values[17];
	char		nulls[17];
	int			i;

	for (i = 0; i < 4; i++)
		if (PG_ARGISNULL(i))
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("project, kind, source and target must not be NULL")));
	project = text_to_cstring(PG_GETARG_TEXT_PP(0));
	kindname = text_to_cstring(PG_GETARG_TEXT_PP(1));
	source = text_to_cstring(PG_GETARG_TEXT_PP(2));
	target = text_to_cstring(PG_GETARG_TEXT_PP(3));
	params = PG_ARGISNULL(4) ? NULL : PG_GETARG_JSONB_P(4);
	ForecastCheckProject(project);
	kind = ForecastKindGet(kindname);
	seed = ForecastSeed(params);

	/* the data, read as the caller */
	ForecastLoadSource(source, target, kind->series, NULL, 0, &src);

	t0 = GetCurrentTimestamp();
	ForecastTrainRun(kind, &src.d, params, seed, "train", project, 0, &fit);
	t1 = GetCurrentTimestamp();
	metrics = InSampleMetrics(kind, &src.d, &fit);

	/* record it, as the registry's owner */
	SPI_connect();
	memset(nulls, ' ', sizeof(nulls));
	types[0] = TEXTOID;
	values[0] = CStringGetTextDatum(project);
	types[1] = TEXTOID;
	values[1] = CStringGetTextDatum(kind->series ? "series" : "regression");
	types[2] = TEXTOID;
	values[2] = CStringGetTextDatum(kind->name);
	types[3] = JSONBOID;
	values[3] = JsonbPGetDatum(params ? params : ForecastJsonb("{}"));
	types[4] = TEXTOID;
	values[4] = CStringGetTextDatum(source);
	types[5] = TEXTOID;
	values[5] = CStringGetTextDatum(target);
	types[6] = TEXTARRAYOID;
	values[6] = TextArray(src.names, src.d.p);
	types[7] = TEXTOID;
	values[7] = src.time_column ? CStringGetTextDatum(src.time_column) : (Datum) 0;
	nulls[7] = src.time_column ? ' ' : 'n';
	types[8] = INT4OID;
	values[8] = Int32GetDatum(src.d.n);
	types[9] = TIMESTAMPTZOID;
	types[10] = TIMESTAMPTZOID;
	if (src.times && src.d.n > 0)
	{
		TimestampTz lo = src.times[0],
					hi = src.times[0];

		for (i = 1; i < src.d.n; i++)
		{
			lo = Min(lo, src.times[i]);
			hi = Max(hi, src.times[i]);
		}
		values[9] = TimestampTzGetDatum(lo);
		values[10] = TimestampTzGetDatum(hi);
	}
	else
		nulls[9] = nulls[10] = 'n';
	types[11] = INT8OID;
	values[11] = Int64GetDatum((int64) seed);
	types[12] = BYTEAOID;
	values[12] = PointerGetDatum(fit.state);
	types[13] = JSONBOID;
	values[13] = fit.summary ? JsonbPGetDatum(fit.summary) : (Datum) 0;
	nulls[13] = fit.summary ? ' ' : 'n';
	types[14] = JSONBOID;
	values[14] = JsonbPGetDatum(ForecastJsonb(metrics));
	types[15] = TEXTOID;
	values[15] = CStringGetTextDatum(GetUserNameFromId(GetUserId(), false));
	types[16] = FLOAT8OID;
	values[16] = Float8GetDatum((double) (t1 - t0) / 1e6);

	/*
	 * One statement: the project (created on first use, locked so that two
	 * first trainings cannot both deploy), the model, and its deployment
	 * when the project has none.
	 */
	ForecastRegistryExec("SELECT amplified.forecast_record_model($1, $2, $3, $4, $5, $6, $7, $8, $9, "
						 "$10, $11, $12, $13, $14, $15, $16, $17)",
						 17, types, values, nulls, false, 1);
	if (SPI_processed != 1)
		elog(ERROR, "forecast_record_model returned no row");
	{
		bool		isnull;

		model_id = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
	}
	SPI_finish();
	PG_RETURN_INT64(model_id);
}

/*
 * The live model of project (or the model model_id when project is NULL),
 * read as the registry's owner; loaded through the per-backend cache.
 */
void
ForecastGetModel(const char *project, int64 model_id, ForecastLiveModel *out)
{
	MemoryContext caller = CurrentMemoryContext;
	Oid			types[2] = {TEXTOID, INT8OID};
	Datum		values[2];
	char		nulls[2] = {' ', ' '};
	HeapTuple	tup;
	TupleDesc	desc;
	bool		isnull;
	Datum		d;

	memset(out, 0, sizeof(*out));
	if (project)
		ForecastCheckProject(project);
	values[0] = project ? CStringGetTextDatum(project) : (Datum) 0;
	nulls[0] = project ? ' ' : 'n';
	values[1] = Int64GetDatum(model_id);
	SPI_connect();
	ForecastRegistryExec(project
						 ? "SELECT m.id, m.kind, m.state, m.features, m.target, (m.metrics OPERATOR(pg_catalog.->>) 'sigma')::float8, m.project, m.source, m.params, m.seed "
						 "FROM amplified.forecast_deployments d JOIN amplified.forecast_models m ON m.id OPERATOR(pg_catalog.=) d.model_id "
						 "WHERE d.project OPERATOR(pg_catalog.=) $1 ORDER BY d.id DESC LIMIT 1"
						 : "SELECT m.id, m.kind, m.state, m.features, m.target, (m.metrics OPERATOR(pg_catalog.->>) 'sigma')::float8, m.project, m.source, m.params, m.seed "
						 "FROM amplified.forecast_models m WHERE m.id OPERATOR(pg_catalog.=) $2 AND $1 IS NULL",
						 2, types, values, nulls, true, 1);
	if (SPI_processed == 0)
	{
		if (project)
			ereport(ERROR,
					(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
					 errmsg("project \"%s\" has no live model", project),
					 errhint("Train one with forecast_train, or deploy one with forecast_deploy.")));
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("model " INT64_FORMAT " does not exist", model_id)));
	}
	tup = SPI_tuptable->vals[0];
	desc = SPI_tuptable->tupdesc;
	out->id = DatumGetInt64(SPI_getbinval(tup, desc, 1, &isnull));
	out->kind = ForecastKindGet(TextDatumGetCString(SPI_getbinval(tup, desc, 2, &isnull)));
	d = SPI_getbinval(tup, desc, 3, &isnull);
	{
		bytea	   *b = DatumGetByteaPP(d);
		Size		len = VARSIZE_ANY(b);

		out->state = MemoryContextAlloc(caller, len);
		memcpy(out->state, b, len);
	}
	d = SPI_getbinval(tup, desc, 4, &isnull);
	{
		Datum	   *elems;
		bool	   *enulls;
		int			n,
					i;

		deconstruct_array(DatumGetArrayTypeP(d), TEXTOID, -1, false, TYPALIGN_INT, &elems, &enulls, &n);
		out->features = MemoryContextAlloc(caller, Max(n, 1) * sizeof(char *));
		for (i = 0; i < n; i++)
			out->features[i] = MemoryContextStrdup(caller, TextDatumGetCString(elems[i]));
		out->nfeatures = n;
	}
	out->target = MemoryContextStrdup(caller, TextDatumGetCString(SPI_getbinval(tup, desc, 5, &isnull)));
	d = SPI_getbinval(tup, desc, 6, &isnull);
	out->sigma = isnull ? NAN : DatumGetFloat8(d);
	out->project = MemoryContextStrdup(caller, TextDatumGetCString(SPI_getbinval(tup, desc, 7, &isnull)));
	out->source = MemoryContextStrdup(caller, TextDatumGetCString(SPI_getbinval(tup, desc, 8, &isnull)));
	d = SPI_getbinval(tup, desc, 9, &isnull);
	{
		Jsonb	   *j = DatumGetJsonbP(d);
		Size		len = VARSIZE(j);

		out->params = MemoryContextAlloc(caller, len);
		memcpy(out->params, j, len);
	}
	out->seed = DatumGetInt64(SPI_getbinval(tup, desc, 10, &isnull));
	SPI_finish();
	out->model = ForecastModelLoad(out->kind, out->state, out->id);
}

/* Error unless the model is a feature (or a series) model. */
static void
RequireKind(const ForecastLiveModel *m, bool series)
{
	if (m->kind->series != series)
		ereport(ERROR,
				(errcode(ERRCODE_WRONG_OBJECT_TYPE),
				 errmsg("the live model of project \"%s\" (%s) %s", m->project, m->kind->name,
						series ? "predicts from features, not a horizon" : "forecasts a series, not from features"),
				 errhint(series ? "Use forecast_predict or forecast_predict_batch." : "Use forecast_predict_horizon.")));
}

PG_FUNCTION_INFO_V1(forecast_predict);

/* forecast_predict(project, features): the live model's prediction for one row. */
Datum
forecast_predict(PG_FUNCTION_ARGS)
{
	ForecastLiveModel m;
	Jsonb	   *features = PG_GETARG_JSONB_P(1);
	double	   *x,
				out;
	int			i;
	JsonbIterator *it;
	JsonbValue	v;
	JsonbIteratorToken tok;

	ForecastGetModel(text_to_cstring(PG_GETARG_TEXT_PP(0)), 0, &m);
	RequireKind(&m, false);
	if (!JB_ROOT_IS_OBJECT(features))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("features must be a JSON object of feature names and numbers")));
	x = palloc(Max(m.nfeatures, 1) * sizeof(double));
	for (i = 0; i < m.nfeatures; i++)
	{
		if (getKeyJsonValueFromContainer(&features->root, m.features[i], strlen(m.features[i]), &v) == NULL ||
			v.type == jbvNull)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("feature \"%s\" is missing", m.features[i]),
					 errdetail("Model " INT64_FORMAT " reads %d features.", m.id, m.nfeatures)));
		if (v.type == jbvBool)
			x[i] = v.val.boolean ? 1.0 : 0.0;
		else if (v.type == jbvNumeric)
			x[i] = DatumGetFloat8(DirectFunctionCall1(numeric_float8, NumericGetDatum(v.val.numeric)));
		else
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("feature \"%s\" must be a number", m.features[i])));
	}
	/* a key that is neither a feature nor the target is a mistake */
	it = JsonbIteratorInit(&features->root);
	while ((tok = JsonbIteratorNext(&it, &v, true)) != WJB_DONE)
	{
		bool		known = false;

		if (tok != WJB_KEY)
			continue;
		for (i = 0; i < m.nfeatures && !known; i++)
			known = strlen(m.features[i]) == (size_t) v.val.string.len &&
				strncmp(m.features[i], v.val.string.val, v.val.string.len) == 0;
		known = known || (strlen(m.target) == (size_t) v.val.string.len &&
						  strncmp(m.target, v.val.string.val, v.val.string.len) == 0);
		if (!known)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("\"%.*s\" is not a feature of model " INT64_FORMAT,
							v.val.string.len, v.val.string.val, m.id)));
	}
	m.kind->predict(m.model, x, 1, m.nfeatures, &out);
	PG_RETURN_FLOAT8(out);
}

PG_FUNCTION_INFO_V1(forecast_predict_batch);

/* forecast_predict_batch(project, source): a prediction for every row of a query. */
Datum
forecast_predict_batch(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	ForecastLiveModel m;
	ForecastSource src;
	double	   *out;
	int			i;

	ForecastGetModel(text_to_cstring(PG_GETARG_TEXT_PP(0)), 0, &m);
	RequireKind(&m, false);
	ForecastLoadSource(text_to_cstring(PG_GETARG_TEXT_PP(1)), m.target, false,
					   m.features, m.nfeatures, &src);
	InitMaterializedSRF(fcinfo, 0);
	out = palloc(Max(src.d.n, 1) * sizeof(double));
	if (src.d.n > 0)
		m.kind->predict(m.model, src.d.x, src.d.n, src.d.p, out);
	for (i = 0; i < src.d.n; i++)
	{
		Datum		values[2];
		bool		nulls[2] = {0};

		values[0] = Int64GetDatum(i + 1);
		values[1] = Float8GetDatum(out[i]);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	PG_RETURN_VOID();
}

/* A 1-D float8[] argument as a series, or NULL. */
static double *
RecentArg(FunctionCallInfo fcinfo, int argno, int *n)
{
	int			r,
				c;

	*n = 0;
	if (PG_ARGISNULL(argno))
		return NULL;
	if (ARR_NDIM(PG_GETARG_ARRAYTYPE_P(argno)) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("recent must have one dimension")));
	{
		double	   *v = ForecastArrayValues(PG_GETARG_ARRAYTYPE_P(argno), "recent", true, &r, &c);

		*n = r;
		if (r == 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("recent must not be empty"),
					 errhint("Pass NULL to forecast after the training series.")));
		return v;
	}
}

PG_FUNCTION_INFO_V1(forecast_predict_horizon);

/*
 * forecast_predict_horizon(project, horizon, recent, level): the live series
 * model's forecast 1..horizon steps ahead, with a central interval.
 */
Datum
forecast_predict_horizon(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	ForecastLiveModel m;
	int			h,
				n,
				i;
	double	   *y,
			   *mean,
			   *sd,
				level,
				z;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1) || PG_ARGISNULL(3))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("project, horizon and level must not be NULL")));
	h = PG_GETARG_INT32(1);
	level = PG_GETARG_FLOAT8(3);
	ForecastCheckHorizon(h);
	if (!(level > 0 && level < 1))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("level must be between 0 and 1 (exclusive): %g", level)));
	z = ForecastNormalQuantile(0.5 + level / 2);
	ForecastGetModel(text_to_cstring(PG_GETARG_TEXT_PP(0)), 0, &m);
	RequireKind(&m, true);
	y = RecentArg(fcinfo, 2, &n);
	InitMaterializedSRF(fcinfo, 0);
	mean = palloc(h * sizeof(double));
	sd = palloc(h * sizeof(double));
	m.kind->forecast(m.model, y, n, h, mean, sd);
	for (i = 0; i < h; i++)
	{
		Datum		values[6];
		bool		nulls[6] = {0};

		values[0] = Int32GetDatum(i + 1);
		values[1] = Float8GetDatum(mean[i]);
		values[2] = Float8GetDatum(sd[i]);
		nulls[2] = isnan(sd[i]);
		values[3] = Float8GetDatum(mean[i] - z * sd[i]);
		nulls[3] = nulls[2];
		values[4] = Float8GetDatum(mean[i] + z * sd[i]);
		nulls[4] = nulls[2];
		values[5] = Int64GetDatum(m.id);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	PG_RETURN_VOID();
}

PG_FUNCTION_INFO_V1(forecast_regime);

/* forecast_regime(project, recent): the live regime model's current state. */
Datum
forecast_regime(PG_FUNCTION_ARGS)
{
	ForecastLiveModel m;
	ForecastRegime r;
	TupleDesc	tupdesc;
	double	   *y;
	int			n;
	Datum		values[5];
	bool		nulls[5] = {0};

	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("project must not be NULL")));
	ForecastGetModel(text_to_cstring(PG_GETARG_TEXT_PP(0)), 0, &m);
	if (m.kind->regime == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_WRONG_OBJECT_TYPE),
				 errmsg("the live model of project \"%s\" (%s) has no regimes", m.project, m.kind->name),
				 errhint("Regimes come from a model of kind hmm.")));
	y = RecentArg(fcinfo, 1, &n);
	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");
	memset(&r, 0, sizeof(r));
	m.kind->regime(m.model, y, n, &r);

	/* (model_id, state, label, probs, labels) */
	values[0] = Int64GetDatum(m.id);
	ForecastRegimeValues(&r, values + 1);
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(BlessTupleDesc(tupdesc), values, nulls)));
}
