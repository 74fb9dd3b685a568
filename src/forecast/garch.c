/*
 * src/forecast/garch.c
 *
 * The "garch" series kind: volatility forecasts from the risk module's
 * GARCH(1,1) (src/risk/vol.c, linked into this library as it is: its fit,
 * variance recursion and forecast are plain C), normal or standardized
 * Student-t innovations, fitted by maximum likelihood exactly as
 * risk_garch_fit does.  The series is returns (or prices, turned into log
 * returns ln(p[t] / p[t-1]) when the param returns is false).  A forecast's
 * mean is mu at every step and its standard deviation the square root of
 * the h-step conditional variance forecast, the figures risk_garch_forecast
 * gives for the same parameters and returns.
 *
 * The fit runs inside vol.c, which stops NLopt cleanly on a pending cancel
 * and reports it; the cancel is served here, after NLopt is done.
 *
 * State (bytea, doubles in native byte order): GarchHeader, then mu, omega,
 * alpha, beta, shape (NaN for normal) and the n training returns (the
 * variance recursion starts from their mean square): 8 n + 64 bytes.
 */
#include "postgres.h"

#include <math.h>

#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "utils/memutils.h"

#include "forecast/forecast.h"
#include "risk/vol.h"

#define GARCH_MAGIC 0x47415243	/* "GARC" */
#define GARCH_VERSION 1

/* The serialized state's fixed part. */
typedef struct GarchHeader
{
	uint32		magic;
	uint32		version;
	int32		dist;			/* RiskGarchDist */
	int32		returns;		/* 1: the series are returns; 0: prices */
	int32		n;				/* training returns that follow */
	int32		pad;
} GarchHeader;

/* A loaded model. */
typedef struct GarchModel
{
	RiskGarchParams p;
	RiskGarchDist dist;
	bool		returns;
	int			n;
	double	   *r;
} GarchModel;

static const char *const garch_params[] = {"dist", "returns", NULL};

/*
 * The returns of a series: y itself (checked finite), or the log returns
 * of prices y (checked positive); *nr gets their number.
 */
static double *
GarchReturns(const double *y, int n, bool returns, int *nr)
{
	double	   *r;
	int			i;

	for (i = 0; i < n; i++)
		if (!isfinite(y[i]))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("the series must not contain infinite or NaN values")));
	if (returns)
	{
		r = palloc(sizeof(double) * Max(n, 1));
		memcpy(r, y, sizeof(double) * n);
		*nr = n;
		return r;
	}
	for (i = 0; i < n; i++)
		if (!(y[i] > 0))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("prices must be positive: %g", y[i])));
	r = palloc(sizeof(double) * Max(n - 1, 1));
	for (i = 1; i < n; i++)
		r[i - 1] = log(y[i] / y[i - 1]);
	*nr = Max(n - 1, 0);
	return r;
}

/* A double as JSON (null for non-finite). */
static void
GarchJsonNum(StringInfo b, const char *key, double v)
{
	if (isfinite(v))
		appendStringInfo(b, ",\"%s\":%.17g", key, v);
	else
		appendStringInfo(b, ",\"%s\":null", key);
}

/* Train: risk's GARCH(1,1) fit of the returns. */
static void
GarchTrain(const ForecastData *data, ForecastTrainCtx *ctx, ForecastFit *out)
{
	char	   *dist_name = ForecastParamText(ctx->params, "dist", "normal");
	bool		returns = ForecastParamBool(ctx->params, "returns", true);
	RiskGarchDist dist;
	RiskGarchFit fit;
	RiskVolStatus st;
	GarchHeader hdr;
	StringInfoData sb,
				js;
	double	   *r;
	double		ss = 0;
	int			n,
				k,
				t;

	if (strcmp(dist_name, "normal") == 0)
		dist = RISK_DIST_NORMAL;
	else if (strcmp(dist_name, "t") == 0)
		dist = RISK_DIST_T;
	else
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("parameter \"dist\" of model kind \"garch\" must be \"normal\" or \"t\": \"%s\"",
						dist_name)));
	r = GarchReturns(data->y, data->n, returns, &n);
	ForecastProgress(ctx, "garch fit", 0, 1);
	st = RiskGarchFitSeries(r, n, dist, &fit);
	if (fit.interrupted)
		ForecastProgress(ctx, "garch fit", 0, 1);	/* serves the cancel */
	switch (st)
	{
		case RISK_VOL_OK:
			break;
		case RISK_VOL_TOO_SHORT:
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("a GARCH(1,1) fit needs at least %d returns, not %d",
							RISK_GARCH_MIN_N, n)));
			break;
		case RISK_VOL_CONSTANT:
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("the returns are constant")));
			break;
		case RISK_VOL_NOMEM:
			ereport(ERROR,
					(errcode(ERRCODE_OUT_OF_MEMORY),
					 errmsg("out of memory in the GARCH optimiser")));
			break;
		case RISK_VOL_FAILED:
			ereport(ERROR,
					(errcode(FORECAST_ERRCODE_LIBRARY),
					 errmsg("the GARCH(1,1) likelihood could not be maximised")));
			break;
	}
	ForecastProgress(ctx, "garch fit", 1, 1);

	memset(&hdr, 0, sizeof(hdr));
	hdr.magic = GARCH_MAGIC;
	hdr.version = GARCH_VERSION;
	hdr.dist = dist;
	hdr.returns = returns ? 1 : 0;
	hdr.n = n;
	initStringInfo(&sb);
	appendBinaryStringInfo(&sb, (char *) &hdr, sizeof(hdr));
	appendBinaryStringInfo(&sb, (char *) &fit.p.mu, sizeof(double));
	appendBinaryStringInfo(&sb, (char *) &fit.p.omega, sizeof(double));
	appendBinaryStringInfo(&sb, (char *) &fit.p.alpha, sizeof(double));
	appendBinaryStringInfo(&sb, (char *) &fit.p.beta, sizeof(double));
	appendBinaryStringInfo(&sb, (char *) &fit.p.shape, sizeof(double));
	appendBinaryStringInfo(&sb, (char *) r, sizeof(double) * n);
	out->state = ForecastBytea(sb.data, sb.len);

	k = dist == RISK_DIST_T ? 5 : 4;
	initStringInfo(&js);
	appendStringInfo(&js, "{\"dist\":\"%s\",\"n\":%d", dist == RISK_DIST_T ? "t" : "normal", n);
	GarchJsonNum(&js, "mu", fit.p.mu);
	GarchJsonNum(&js, "omega", fit.p.omega);
	GarchJsonNum(&js, "alpha", fit.p.alpha);
	GarchJsonNum(&js, "beta", fit.p.beta);
	GarchJsonNum(&js, "shape", dist == RISK_DIST_T ? fit.p.shape : NAN);
	GarchJsonNum(&js, "persistence", fit.p.alpha + fit.p.beta);
	GarchJsonNum(&js, "long_run_vol", fit.p.alpha + fit.p.beta < 1 ?
				 sqrt(fit.p.omega / (1 - fit.p.alpha - fit.p.beta)) : NAN);
	GarchJsonNum(&js, "loglik", fit.loglik);
	GarchJsonNum(&js, "se_mu", fit.se_ok[0] ? fit.se[0] : NAN);
	GarchJsonNum(&js, "se_omega", fit.se_ok[1] ? fit.se[1] : NAN);
	GarchJsonNum(&js, "se_alpha", fit.se_ok[2] ? fit.se[2] : NAN);
	GarchJsonNum(&js, "se_beta", fit.se_ok[3] ? fit.se[3] : NAN);
	if (dist == RISK_DIST_T)
		GarchJsonNum(&js, "se_shape", fit.se_ok[4] ? fit.se[4] : NAN);
	appendStringInfo(&js, ",\"converged\":%s}", fit.converged ? "true" : "false");
	out->summary = ForecastJsonb(js.data);

	for (t = 0; t < n; t++)
		ss += (r[t] - fit.p.mu) * (r[t] - fit.p.mu);
	out->sigma = sqrt(ss / n);
	out->loglik = fit.loglik;
	out->aic = -2 * fit.loglik + 2 * k;
	out->nparams = k;
}

/* Read and check a state; ERRCODE_DATA_CORRUPTED on anything not ours. */
static void *
GarchLoad(const bytea *state)
{
	const char *data = VARDATA_ANY(state);
	Size		len = VARSIZE_ANY_EXHDR(state);
	GarchHeader hdr;
	GarchModel *mod;
	double		v[5];
	int			i;

	if (len < sizeof(hdr))
		goto corrupt;
	memcpy(&hdr, data, sizeof(hdr));
	if (hdr.magic != GARCH_MAGIC || hdr.version != GARCH_VERSION ||
		(hdr.dist != RISK_DIST_NORMAL && hdr.dist != RISK_DIST_T) ||
		(hdr.returns != 0 && hdr.returns != 1) ||
		hdr.n < 1 || hdr.n > (int32) (MaxAllocSize / sizeof(double)) ||
		len != sizeof(hdr) + sizeof(double) * (5 + (Size) hdr.n))
		goto corrupt;
	memcpy(v, data + sizeof(hdr), sizeof(v));
	mod = palloc0(sizeof(GarchModel));
	mod->p.mu = v[0];
	mod->p.omega = v[1];
	mod->p.alpha = v[2];
	mod->p.beta = v[3];
	mod->p.shape = v[4];
	mod->dist = (RiskGarchDist) hdr.dist;
	mod->returns = hdr.returns == 1;
	mod->n = hdr.n;
	if (!isfinite(v[0]) || !(v[1] > 0) || !isfinite(v[1]) || !(v[2] >= 0) || !(v[3] >= 0) ||
		!(v[2] + v[3] < 1) || (mod->dist == RISK_DIST_T && !(v[4] > 2)))
		goto corrupt;
	mod->r = palloc(sizeof(double) * hdr.n);
	memcpy(mod->r, data + sizeof(hdr) + sizeof(v), sizeof(double) * hdr.n);
	for (i = 0; i < hdr.n; i++)
		if (!isfinite(mod->r[i]))
			goto corrupt;
	return mod;

corrupt:
	ereport(ERROR,
			(errcode(ERRCODE_DATA_CORRUPTED),
			 errmsg("invalid garch model state")));
	return NULL;
}

/* The h steps after the training returns or after y: mean mu, sd sqrt(h-step variance). */
static void
GarchForecast(void *model, const double *y, int n, int h, double *mean, double *sd)
{
	GarchModel *mod = (GarchModel *) model;
	const double *r = mod->r;
	int			nr = mod->n;
	double	   *hv,
			   *var;
	double		next;
	int			i;

	if (y)
	{
		r = GarchReturns(y, n, mod->returns, &nr);
		if (nr < 1)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("the series to forecast from has no returns")));
	}
	hv = palloc(sizeof(double) * nr);
	var = palloc(sizeof(double) * h);
	next = RiskGarchVariance(r, nr, &mod->p, hv);
	RiskGarchForecast(&mod->p, next, h, var);
	for (i = 0; i < h; i++)
	{
		mean[i] = mod->p.mu;
		sd[i] = sqrt(var[i]);
	}
	pfree(hv);
	pfree(var);
}

const ForecastKind ForecastKindGarch = {
	.name = "garch",
	.series = true,
	.param_names = garch_params,
	.train = GarchTrain,
	.load = GarchLoad,
	.predict = NULL,
	.forecast = GarchForecast,
	.regime = NULL,
};
