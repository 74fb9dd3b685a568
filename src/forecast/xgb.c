/*
 * src/forecast/xgb.c
 *
 * The "xgboost" feature kind: gradient-boosted trees through XGBoost's C
 * API.  Training mirrors what the Python package's xgboost.train() does with
 * the same parameters (a DMatrix from the dense rows through the array
 * interface, a booster with the training matrix cached, one
 * XGBoosterUpdateOneIter per round), so a model trained here and one trained
 * by Python on the same data, parameters and seed are the same trees.
 *
 * Rules of the module: one thread (nthread = 1 everywhere: the matrix, the
 * booster, prediction), the seed from the training context (XGBoost's
 * "seed"), a ForecastProgress between rounds (so a cancel stops a training
 * at the next round), every XGBoost handle freed on every path (PG_FINALLY
 * in training; a memory context reset callback for a loaded booster), every
 * XGBoost call's return checked, its error text reported.
 *
 * The state: XgbStateHeader (magic, version, format, p, CRC-32C and length
 * of the model) then the model as XGBoost saves it in its UBJSON format
 * (XGBoosterSaveModelToBuffer, {"format": "ubj"}), which XGBoost reads back
 * on any machine; the header's integers are in native byte order.
 */
#include "postgres.h"

#include <math.h>

#include <xgboost/c_api.h>

#include "common/shortest_dec.h"
#include "lib/stringinfo.h"
#include "port/pg_crc32c.h"
#include "utils/json.h"
#include "utils/memutils.h"

#include "forecast/forecast.h"

#ifdef WORDS_BIGENDIAN
#error "xgb.c describes its arrays to XGBoost as little-endian"
#endif

#define XGB_MAGIC		0x47584641	/* "AFXG" */
#define XGB_VERSION		1
#define XGB_FORMAT_UBJ	1

/* The state's fixed part; the model's len bytes follow. */
typedef struct XgbStateHeader
{
	uint32		magic;
	uint16		version;
	uint16		format;			/* XGB_FORMAT_UBJ */
	int32		p;
	pg_crc32c	crc;			/* of the model bytes */
	uint64		len;
} XgbStateHeader;

/* A loaded model: the booster, freed when its memory context goes. */
typedef struct XgbModel
{
	BoosterHandle booster;
	int			p;
	MemoryContextCallback cb;
} XgbModel;

static const char *const xgb_params[] = {
	"n_estimators", "max_depth", "learning_rate", "eta", "subsample",
	"colsample_bytree", "min_child_weight", "lambda", "alpha", "gamma",
	"objective", "tree_method", "max_bin", "base_score", NULL
};

static const char *const xgb_objectives[] = {
	"reg:squarederror", "reg:squaredlogerror", "reg:pseudohubererror",
	"reg:absoluteerror", NULL
};

static const char *const xgb_tree_methods[] = {"auto", "exact", "approx", "hist", NULL};

/* Error out with XGBoost's last error (its first line) when rc says failure. */
static void
XgbCheck(int rc, const char *call)
{
	const char *msg;
	int			len;

	if (rc == 0)
		return;
	msg = XGBGetLastError();
	if (msg == NULL)
		msg = "";
	len = strcspn(msg, "\n");
	ereport(ERROR,
			(errcode(FORECAST_ERRCODE_LIBRARY),
			 errmsg("xgboost: %s failed", call),
			 errdetail("%.*s", len, msg)));
}

/* The JSON array interface of n rows of p doubles at data (p 0: a vector). */
static char *
XgbArrayInterface(const double *data, int n, int p)
{
	if (p == 0)
		return psprintf("{\"data\": [%llu, true], \"shape\": [%d], \"strides\": null, "
						"\"typestr\": \"<f8\", \"version\": 3}",
						(unsigned long long) (uintptr_t) data, n);
	return psprintf("{\"data\": [%llu, true], \"shape\": [%d, %d], \"strides\": null, "
					"\"typestr\": \"<f8\", \"version\": 3}",
					(unsigned long long) (uintptr_t) data, n, p);
}

/* Set a booster parameter. */
static void
XgbSet(BoosterHandle b, const char *name, const char *value)
{
	XgbCheck(XGBoosterSetParam(b, name, value), psprintf("setting \"%s\"", name));
}

/* Whether params has key (not null). */
static bool
XgbGiven(Jsonb *params, const char *key)
{
	JsonbValue	v;

	return params != NULL && JB_ROOT_IS_OBJECT(params) &&
		getKeyJsonValueFromContainer(&params->root, key, strlen(key), &v) != NULL &&
		v.type != jbvNull;
}

/*
 * A float parameter: read from params (dflt: XGBoost's own default), passed
 * to XGBoost only when given (as Python's xgboost.train does: a default set
 * explicitly can leave a trace in the model, base_score does), written as
 * the shortest decimal that reads back as the same double (as Python's
 * str() of a float, so both give XGBoost the same text), and added to the
 * summary either way.
 */
static void
XgbFloat(BoosterHandle b, ForecastTrainCtx *ctx, StringInfo summary, const char *name,
		 const char *xgb_name, double dflt, double min, double max)
{
	char		buf[DOUBLE_SHORTEST_DECIMAL_LEN];
	double		v = ForecastParamFloat(ctx->params, name, dflt, min, max);

	double_to_shortest_decimal_buf(v, buf);
	if (XgbGiven(ctx->params, name))
		XgbSet(b, xgb_name, buf);
	appendStringInfo(summary, ", \"%s\": %s", name, buf);
}

/* An integer parameter, as XgbFloat. */
static void
XgbInt(BoosterHandle b, ForecastTrainCtx *ctx, StringInfo summary, const char *name,
	   int dflt, int min, int max)
{
	int			v = ForecastParamInt(ctx->params, name, dflt, min, max);

	if (XgbGiven(ctx->params, name))
		XgbSet(b, name, psprintf("%d", v));
	appendStringInfo(summary, ", \"%s\": %d", name, v);
}

/* A text parameter that must be one of allowed, as XgbFloat. */
static void
XgbChoice(BoosterHandle b, ForecastTrainCtx *ctx, StringInfo summary, const char *name,
		  const char *dflt, const char *const *allowed)
{
	char	   *v = ForecastParamText(ctx->params, name, dflt);
	const char *const *a;
	StringInfoData s;

	for (a = allowed; *a; a++)
		if (strcmp(v, *a) == 0)
			break;
	if (*a == NULL)
	{
		initStringInfo(&s);
		for (a = allowed; *a; a++)
			appendStringInfo(&s, "%s%s", a == allowed ? "" : ", ", *a);
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("parameter \"%s\" has an unsupported value \"%s\"", name, v),
				 errdetail("It must be one of: %s.", s.data)));
	}
	if (XgbGiven(ctx->params, name))
		XgbSet(b, name, v);
	appendStringInfo(summary, ", \"%s\": ", name);
	escape_json(summary, v);
}

/* Append a number to JSON text (null when it is not finite). */
static void
XgbJsonNumber(StringInfo s, double v)
{
	if (isfinite(v))
		appendStringInfo(s, "%.17g", v);
	else
		appendStringInfoString(s, "null");
}

/*
 * Set the booster's parameters from params, XGBoost 1.7's defaults for the
 * ones not given, and write them all to the summary's "params" object.
 * Returns the number of rounds.
 */
static int
XgbConfigure(BoosterHandle b, ForecastTrainCtx *ctx, StringInfo s)
{
	int			rounds = ForecastParamInt(ctx->params, "n_estimators", 100, 1, 100000);

	if (XgbGiven(ctx->params, "eta") && XgbGiven(ctx->params, "learning_rate"))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("parameters \"eta\" and \"learning_rate\" are the same; give one")));

	/* the rules of the module first: one thread, the seed, no chatter */
	XgbSet(b, "nthread", "1");
	XgbSet(b, "verbosity", "0");
	XgbSet(b, "validate_parameters", "1");
	XgbSet(b, "seed", psprintf(INT64_FORMAT, (int64) ctx->seed));

	appendStringInfo(s, "{\"n_estimators\": %d", rounds);
	XgbChoice(b, ctx, s, "objective", "reg:squarederror", xgb_objectives);
	XgbChoice(b, ctx, s, "tree_method", "auto", xgb_tree_methods);
	if (XgbGiven(ctx->params, "learning_rate"))
		XgbFloat(b, ctx, s, "learning_rate", "eta", 0.3, 0, 1);
	else
		XgbFloat(b, ctx, s, "eta", "eta", 0.3, 0, 1);
	XgbInt(b, ctx, s, "max_depth", 6, 0, 64);
	XgbFloat(b, ctx, s, "subsample", "subsample", 1, 1e-6, 1);
	XgbFloat(b, ctx, s, "colsample_bytree", "colsample_bytree", 1, 1e-6, 1);
	XgbFloat(b, ctx, s, "min_child_weight", "min_child_weight", 1, 0, 1e300);
	XgbFloat(b, ctx, s, "lambda", "lambda", 1, 0, 1e300);
	XgbFloat(b, ctx, s, "alpha", "alpha", 0, 0, 1e300);
	XgbFloat(b, ctx, s, "gamma", "gamma", 0, 0, 1e300);
	XgbInt(b, ctx, s, "max_bin", 256, 2, 65536);
	XgbFloat(b, ctx, s, "base_score", "base_score", 0.5, -1e300, 1e300);
	appendStringInfoChar(s, '}');
	return rounds;
}

/*
 * Train: the matrix, the booster, the rounds, the in-sample predictions,
 * the importance and the saved model, every handle freed however it ends.
 */
static void
XgbTrain(const ForecastData *d, ForecastTrainCtx *ctx, ForecastFit *out)
{
	DMatrixHandle volatile dtrain = NULL;
	BoosterHandle volatile booster = NULL;
	StringInfoData s,
				params;

	initStringInfo(&params);
	initStringInfo(&s);
	XgbCheck(XGBSetGlobalConfig("{\"verbosity\": 0}"), "setting the verbosity");
	PG_TRY();
	{
		DMatrixHandle dm;
		BoosterHandle bh;
		int			rounds,
					r,
					i,
					j,
					major,
					minor,
					patch;
		bst_ulong	len,
					dim,
					nf;
		const bst_ulong *shape;
		const float *pred,
				   *scores;
		const char **fnames;
		const char *model;
		double		rss = 0,
					tss = 0,
					ybar = 0;
		double	   *gain;
		XgbStateHeader h;
		char	   *buf;

		XgbCheck(XGDMatrixCreateFromDense(XgbArrayInterface(d->x, d->n, d->p),
										  "{\"missing\": NaN, \"nthread\": 1}", &dm),
				 "creating the training matrix");
		dtrain = dm;
		XgbCheck(XGDMatrixSetInfoFromInterface(dm, "label", XgbArrayInterface(d->y, d->n, 0)),
				 "setting the labels");
		XgbCheck(XGBoosterCreate(&dm, 1, &bh), "creating the booster");
		booster = bh;
		rounds = XgbConfigure(bh, ctx, &params);

		for (r = 0; r < rounds; r++)
		{
			ForecastProgress(ctx, "boosting", r, rounds);
			XgbCheck(XGBoosterUpdateOneIter(bh, r, dm), "boosting a round");
		}
		ForecastProgress(ctx, "boosting", rounds, rounds);

		/*
		 * The attributes Python's xgboost.train() leaves on a model trained
		 * without early stopping: with them the saved model is byte for byte
		 * the one Python saves, and Python's scikit-learn wrapper reads them.
		 */
		XgbCheck(XGBoosterSetAttr(bh, "best_iteration", psprintf("%d", rounds - 1)),
				 "setting an attribute");
		XgbCheck(XGBoosterSetAttr(bh, "best_ntree_limit", psprintf("%d", rounds)),
				 "setting an attribute");

		/* in-sample figures */
		XgbCheck(XGBoosterPredictFromDMatrix(bh, dm,
											 "{\"type\": 0, \"training\": false, \"iteration_begin\": 0, "
											 "\"iteration_end\": 0, \"strict_shape\": false}",
											 &shape, &dim, &pred),
				 "predicting the training rows");
		if (dim != 1 || shape[0] != (bst_ulong) d->n)
			elog(ERROR, "xgboost returned %d dimensions for %d training rows", (int) dim, d->n);
		for (i = 0; i < d->n; i++)
			ybar += d->y[i];
		ybar /= d->n;
		for (i = 0; i < d->n; i++)
		{
			double		e = d->y[i] - (double) pred[i];

			rss += e * e;
			tss += (d->y[i] - ybar) * (d->y[i] - ybar);
		}
		out->sigma = sqrt(rss / d->n);

		/* the average gain of each feature's splits (0: never split on) */
		gain = palloc0(d->p * sizeof(double));
		XgbCheck(XGBoosterFeatureScore(bh, "{\"importance_type\": \"gain\"}",
									   &nf, &fnames, &dim, &shape, &scores),
				 "computing the feature importance");
		for (i = 0; i < (int) nf; i++)
			if (fnames[i][0] == 'f' && (j = atoi(fnames[i] + 1)) >= 0 && j < d->p)
				gain[j] = scores[i];

		/* the state */
		XgbCheck(XGBoosterSaveModelToBuffer(bh, "{\"format\": \"ubj\"}", &len, &model),
				 "saving the model");
		memset(&h, 0, sizeof(h));
		h.magic = XGB_MAGIC;
		h.version = XGB_VERSION;
		h.format = XGB_FORMAT_UBJ;
		h.p = d->p;
		h.len = len;
		INIT_CRC32C(h.crc);
		COMP_CRC32C(h.crc, model, len);
		FIN_CRC32C(h.crc);
		if (len > MaxAllocSize - VARHDRSZ - sizeof(h))
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("the xgboost model is too large to store: %llu bytes",
							(unsigned long long) len)));
		buf = palloc(sizeof(h) + len);
		memcpy(buf, &h, sizeof(h));
		memcpy(buf + sizeof(h), model, len);
		out->state = ForecastBytea(buf, sizeof(h) + len);
		pfree(buf);

		/* the summary */
		XGBoostVersion(&major, &minor, &patch);
		appendStringInfo(&s, "{\"rounds\": %d, \"params\": %s, \"importance_gain\": [",
						 rounds, params.data);
		for (j = 0; j < d->p; j++)
		{
			if (j > 0)
				appendStringInfoString(&s, ", ");
			XgbJsonNumber(&s, gain[j]);
		}
		appendStringInfoString(&s, "]");
		if (d->names)
		{
			appendStringInfoString(&s, ", \"names\": [");
			for (j = 0; j < d->p; j++)
			{
				if (j > 0)
					appendStringInfoString(&s, ", ");
				escape_json(&s, d->names[j] ? d->names[j] : "");
			}
			appendStringInfoChar(&s, ']');
		}
		appendStringInfoString(&s, ", \"rmse\": ");
		XgbJsonNumber(&s, out->sigma);
		appendStringInfoString(&s, ", \"r2\": ");
		XgbJsonNumber(&s, tss > 0 ? 1.0 - rss / tss : NAN);
		appendStringInfo(&s, ", \"n\": %d, \"p\": %d, \"xgboost\": \"%d.%d.%d\"}",
						 d->n, d->p, major, minor, patch);
		out->summary = ForecastJsonb(s.data);
	}
	PG_FINALLY();
	{
		/* nothing to do on failure to free: report the first error only */
		if (booster != NULL)
			(void) XGBoosterFree(booster);
		if (dtrain != NULL)
			(void) XGDMatrixFree(dtrain);
	}
	PG_END_TRY();
}

/* Free a loaded booster (a memory context reset callback). */
static void
XgbModelFree(void *arg)
{
	XgbModel   *m = arg;

	if (m->booster != NULL)
		(void) XGBoosterFree(m->booster);
	m->booster = NULL;
}

/*
 * Check a state and load its booster in CurrentMemoryContext, whose reset
 * frees it.  Not one of ours, or a model XGBoost cannot read: data
 * corrupted.
 */
static void *
XgbLoad(const bytea *state)
{
	Size		len = VARSIZE_ANY_EXHDR(state);
	const char *data = VARDATA_ANY(state);
	XgbStateHeader h;
	XgbModel   *m;
	BoosterHandle bh;
	pg_crc32c	crc;
	bst_ulong	nf;

	if (len < sizeof(h))
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("not an xgboost model state: %zu bytes", len)));
	memcpy(&h, data, sizeof(h));
	if (h.magic != XGB_MAGIC)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("not an xgboost model state: bad magic")));
	if (h.version != XGB_VERSION || h.format != XGB_FORMAT_UBJ)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("unsupported xgboost model state version %d format %d",
						h.version, h.format)));
	if (h.p < 1 || h.len != len - sizeof(h))
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("xgboost model state has %zu bytes of model, its header says %llu",
						len - sizeof(h), (unsigned long long) h.len)));
	INIT_CRC32C(crc);
	COMP_CRC32C(crc, data + sizeof(h), h.len);
	FIN_CRC32C(crc);
	if (crc != h.crc)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("xgboost model state fails its checksum")));

	m = palloc0(sizeof(XgbModel));
	m->p = h.p;
	m->cb.func = XgbModelFree;
	m->cb.arg = m;
	MemoryContextRegisterResetCallback(CurrentMemoryContext, &m->cb);
	XgbCheck(XGBSetGlobalConfig("{\"verbosity\": 0}"), "setting the verbosity");
	XgbCheck(XGBoosterCreate(NULL, 0, &bh), "creating a booster");
	m->booster = bh;
	if (XGBoosterLoadModelFromBuffer(bh, data + sizeof(h), h.len) != 0)
	{
		const char *msg = XGBGetLastError();

		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("xgboost cannot read the model in the state"),
				 errdetail("%.*s", (int) strcspn(msg ? msg : "", "\n"), msg ? msg : "")));
	}
	XgbSet(bh, "nthread", "1");
	XgbCheck(XGBoosterGetNumFeature(bh, &nf), "reading the number of features");
	if (nf != (bst_ulong) h.p)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("xgboost model state says %d features, its model %llu",
						h.p, (unsigned long long) nf)));
	return m;
}

/* Predict n rows of p features (NaN: missing, as XGBoost takes it). */
static void
XgbPredict(void *model, const double *x, int n, int p, double *out)
{
	XgbModel   *m = model;
	const bst_ulong *shape;
	bst_ulong	dim;
	const float *pred;
	int			i;

	if (p != m->p)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("the model takes %d features, not %d", m->p, p)));
	XgbCheck(XGBoosterPredictFromDense(m->booster, XgbArrayInterface(x, n, p),
									   "{\"type\": 0, \"training\": false, \"iteration_begin\": 0, "
									   "\"iteration_end\": 0, \"strict_shape\": false, "
									   "\"missing\": NaN, \"cache_id\": 0}",
									   NULL, &shape, &dim, &pred),
			 "predicting");
	if (dim != 1 || shape[0] != (bst_ulong) n)
		elog(ERROR, "xgboost returned %d dimensions for %d rows", (int) dim, n);
	for (i = 0; i < n; i++)
		out[i] = pred[i];
}

const ForecastKind ForecastKindXgboost = {
	.name = "xgboost",
	.series = false,
	.param_names = xgb_params,
	.train = XgbTrain,
	.load = XgbLoad,
	.predict = XgbPredict,
};
