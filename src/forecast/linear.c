/*
 * src/forecast/linear.c
 *
 * The linear feature kinds: "linear", least squares with an intercept, and
 * "ridge", least squares with an L2 penalty on the slopes.  Both are closed
 * forms through LAPACK, on the centred data, as scikit-learn's
 * LinearRegression and Ridge compute them: the intercept is never
 * penalised, it is mean(y) - mean(x) . b.  Least squares goes through the
 * SVD (dgelsd), so a rank-deficient design still fits, to the minimum-norm
 * solution (what numpy.linalg.lstsq and LinearRegression return), and the
 * rank is reported in the summary.  Ridge solves (X'X + alpha I) b = X'y by
 * Cholesky (dposv); alpha = 0 on a singular design falls back to the SVD.
 *
 * The state, doubles in the machine's native byte order:
 *   LinearStateHeader (magic, version, p, CRC-32C of the rest) then the
 *   intercept and the p slopes.
 */
#include "postgres.h"

#include "miscadmin.h"

#include <float.h>
#include <math.h>

#include <lapacke.h>

#include "lib/stringinfo.h"
#include "port/pg_crc32c.h"
#include "utils/memutils.h"
#include "utils/json.h"

#include "forecast/forecast.h"

#define LINEAR_MAGIC	0x4E4C4641	/* "AFLN" */
#define LINEAR_VERSION	1

/* The state's fixed part; the intercept and p slopes follow. */
typedef struct LinearStateHeader
{
	uint32		magic;
	uint16		version;
	uint16		flags;			/* unused, 0 */
	int32		p;
	pg_crc32c	crc;			/* of the p + 1 doubles after the header */
} LinearStateHeader;

/* A loaded linear or ridge model. */
typedef struct LinearModel
{
	int			p;
	double		intercept;
	double	   *coef;
} LinearModel;

static const char *const linear_params[] = {"fit_intercept", NULL};
static const char *const ridge_params[] = {"alpha", "fit_intercept", "standardize", NULL};

/* Append a number to JSON text (null when it is not finite). */
static void
LinearJsonNumber(StringInfo s, double v)
{
	if (isfinite(v))
		appendStringInfo(s, "%.17g", v);
	else
		appendStringInfoString(s, "null");
}

/* Append a JSON array of n numbers. */
static void
LinearJsonArray(StringInfo s, const double *v, int n)
{
	int			j;

	appendStringInfoChar(s, '[');
	for (j = 0; j < n; j++)
	{
		if (j > 0)
			appendStringInfoString(s, ", ");
		LinearJsonNumber(s, v[j]);
	}
	appendStringInfoChar(s, ']');
}

/*
 * Minimum-norm least squares of the n x p column-major matrix a against b
 * (both overwritten; b must hold max(n, p) values, the solution comes back
 * in its first p), singular values below eps * max(n, p) times the largest
 * taken as zero (numpy.linalg.lstsq's default cut).  Returns the rank.
 */
static int
LinearLeastSquares(double *a, int n, int p, double *b)
{
	double	   *sv = palloc(Max(Min(n, p), 1) * sizeof(double));
	lapack_int	rank = 0;
	lapack_int	info;

	info = LAPACKE_dgelsd(LAPACK_COL_MAJOR, n, p, 1, a, n, b, Max(n, p), sv,
						  DBL_EPSILON * Max(n, p), &rank);
	if (info != 0)
		ereport(ERROR,
				(errcode(FORECAST_ERRCODE_LIBRARY),
				 errmsg("least squares failed: LAPACK dgelsd returned %d", (int) info),
				 errdetail("%s", info > 0 ? "The singular value decomposition did not converge." :
						   "An argument was invalid.")));
	pfree(sv);
	return (int) rank;
}

/*
 * Fit y on x (n x p row-major): the shared body of both kinds.  ridge false:
 * least squares; else the penalty alpha, on the standardized columns when
 * standardize.  Fills the fit and its summary.
 */
static void
LinearFit(const ForecastData *d, bool ridge, double alpha, bool intercept, bool standardize,
		  ForecastFit *out)
{
	int			n = d->n,
				p = d->p,
				i,
				j,
				k,
				rank;
	double	   *xmean = palloc0(p * sizeof(double));
	double	   *xscale = palloc(p * sizeof(double));
	double	   *xc = palloc((Size) n * p * sizeof(double));	/* column-major */
	double	   *coef = palloc0(Max(n, p) * sizeof(double));
	double	   *se = NULL;
	double		ymean = 0,
				b0,
				rss = 0,
				tss = 0,
				ybar = 0,
				sigma,
				loglik = NAN,
				aic = NAN,
				b0_se = NAN;
	int			dof,
				nparams = 0;
	bool		full = false,
				lstsq;
	LinearStateHeader h;
	char	   *buf;
	Size		len;
	StringInfoData s;

	/* centre (and scale) the columns */
	if (intercept)
	{
		for (i = 0; i < n; i++)
		{
			ymean += d->y[i];
			for (j = 0; j < p; j++)
				xmean[j] += d->x[(Size) i * p + j];
		}
		ymean /= n;
		for (j = 0; j < p; j++)
			xmean[j] /= n;
	}
	for (j = 0; j < p; j++)
	{
		double		ss = 0;

		for (i = 0; i < n; i++)
		{
			double		v = d->x[(Size) i * p + j] - xmean[j];

			xc[(Size) j * n + i] = v;
			ss += v * v;
		}
		/* population sd, as StandardScaler; a constant column is left as is */
		xscale[j] = 1.0;
		if (standardize && ss > 0)
		{
			xscale[j] = sqrt(ss / n);
			for (i = 0; i < n; i++)
				xc[(Size) j * n + i] /= xscale[j];
		}
	}

	rank = p;
	lstsq = !ridge;
	if (ridge)
	{
		/* (Xc'Xc + alpha I) b = Xc'yc by Cholesky */
		double	   *a = palloc((Size) p * p * sizeof(double));
		lapack_int	info;

		for (j = 0; j < p; j++)
		{
			double		v = 0;

			/* O(n p^2) in all: a cancel is honoured between columns */
			CHECK_FOR_INTERRUPTS();
			for (i = 0; i < n; i++)
				v += xc[(Size) j * n + i] * (d->y[i] - ymean);
			coef[j] = v;
			for (k = 0; k <= j; k++)
			{
				double		c = 0;

				for (i = 0; i < n; i++)
					c += xc[(Size) j * n + i] * xc[(Size) k * n + i];
				a[(Size) j * p + k] = a[(Size) k * p + j] = c;
			}
			a[(Size) j * p + j] += alpha;
		}
		info = LAPACKE_dposv(LAPACK_COL_MAJOR, 'U', p, 1, a, p, coef, p);
		if (info < 0)
			elog(ERROR, "LAPACK dposv: invalid argument %d", (int) -info);
		/* not positive definite (alpha = 0 on a singular design): the SVD */
		lstsq = info > 0;
		pfree(a);
	}
	if (lstsq)
	{
		double	   *a = palloc((Size) n * p * sizeof(double));

		memcpy(a, xc, (Size) n * p * sizeof(double));
		memset(coef, 0, Max(n, p) * sizeof(double));
		for (i = 0; i < n; i++)
			coef[i] = d->y[i] - ymean;
		rank = LinearLeastSquares(a, n, p, coef);
		pfree(a);
	}
	/* back to the original scale of the features */
	for (j = 0; j < p; j++)
		coef[j] /= xscale[j];
	b0 = ymean;
	for (j = 0; j < p; j++)
		b0 -= xmean[j] * coef[j];

	/* in-sample figures */
	for (i = 0; i < n; i++)
		ybar += d->y[i];
	ybar /= n;
	for (i = 0; i < n; i++)
	{
		double		f = b0,
					r;

		for (j = 0; j < p; j++)
			f += d->x[(Size) i * p + j] * coef[j];
		r = d->y[i] - f;
		rss += r * r;
		tss += (d->y[i] - ybar) * (d->y[i] - ybar);
	}
	dof = n - p - (intercept ? 1 : 0);
	sigma = dof > 0 ? sqrt(rss / dof) : NAN;
	full = rank == p && dof > 0;

	if (!ridge)
	{
		/* the Gaussian likelihood at the maximum, as statsmodels' OLS */
		nparams = rank + (intercept ? 1 : 0);
		if (rss > 0)
		{
			loglik = -0.5 * n * (log(2 * M_PI * rss / n) + 1);
			aic = 2.0 * nparams - 2.0 * loglik;
		}

		/* standard errors: sigma^2 (Xc'Xc)^-1, and the intercept's */
		if (full)
		{
			double	   *a = palloc((Size) p * p * sizeof(double));
			lapack_int	info;

			for (j = 0; j < p; j++)
				for (k = 0; k <= j; k++)
				{
					double		c = 0;

					CHECK_FOR_INTERRUPTS();

					for (i = 0; i < n; i++)
						c += xc[(Size) j * n + i] * xc[(Size) k * n + i];
					a[(Size) j * p + k] = a[(Size) k * p + j] = c;
				}
			info = LAPACKE_dpotrf(LAPACK_COL_MAJOR, 'U', p, a, p);
			if (info == 0)
				info = LAPACKE_dpotri(LAPACK_COL_MAJOR, 'U', p, a, p);
			if (info == 0)
			{
				double		q = 0;

				/* dpotri fills the upper triangle: a[k * p + j] for j <= k */
				se = palloc(p * sizeof(double));
				for (j = 0; j < p; j++)
					se[j] = sigma * sqrt(a[(Size) j * p + j]);
				for (j = 0; j < p; j++)
					for (k = 0; k < p; k++)
						q += xmean[j] * xmean[k] * a[(Size) Max(j, k) * p + Min(j, k)];
				if (intercept)
					b0_se = sigma * sqrt(1.0 / n + q);
			}
			pfree(a);
		}
	}

	/* the state */
	len = sizeof(h) + (p + 1) * sizeof(double);
	buf = palloc0(len);
	memcpy(buf + sizeof(h), &b0, sizeof(double));
	memcpy(buf + sizeof(h) + sizeof(double), coef, p * sizeof(double));
	memset(&h, 0, sizeof(h));
	h.magic = LINEAR_MAGIC;
	h.version = LINEAR_VERSION;
	h.p = p;
	INIT_CRC32C(h.crc);
	COMP_CRC32C(h.crc, buf + sizeof(h), len - sizeof(h));
	FIN_CRC32C(h.crc);
	memcpy(buf, &h, sizeof(h));
	out->state = ForecastBytea(buf, len);

	/* the summary */
	initStringInfo(&s);
	appendStringInfoString(&s, "{\"intercept\": ");
	LinearJsonNumber(&s, b0);
	appendStringInfoString(&s, ", \"coefficients\": ");
	LinearJsonArray(&s, coef, p);
	if (se)
	{
		appendStringInfoString(&s, ", \"intercept_se\": ");
		LinearJsonNumber(&s, b0_se);
		appendStringInfoString(&s, ", \"se\": ");
		LinearJsonArray(&s, se, p);
	}
	if (d->names)
	{
		appendStringInfoString(&s, ", \"names\": [");
		for (j = 0; j < p; j++)
		{
			if (j > 0)
				appendStringInfoString(&s, ", ");
			escape_json(&s, d->names[j] ? d->names[j] : "");
		}
		appendStringInfoChar(&s, ']');
	}
	appendStringInfoString(&s, ", \"r2\": ");
	LinearJsonNumber(&s, tss > 0 ? 1.0 - rss / tss : NAN);
	appendStringInfo(&s, ", \"n\": %d, \"p\": %d, \"rank\": %d, \"fit_intercept\": %s",
					 n, p, rank, intercept ? "true" : "false");
	if (ridge)
	{
		appendStringInfoString(&s, ", \"alpha\": ");
		LinearJsonNumber(&s, alpha);
		appendStringInfo(&s, ", \"standardize\": %s", standardize ? "true" : "false");
	}
	appendStringInfoChar(&s, '}');
	out->summary = ForecastJsonb(s.data);
	out->sigma = sigma;
	out->loglik = loglik;
	out->aic = aic;
	out->nparams = nparams;

	if (!ridge && rank < p)
		ereport(NOTICE,
				(errmsg("the design has rank %d, less than its %d features", rank, p),
				 errdetail("The coefficients are the minimum-norm least-squares solution."),
				 errhint("Drop collinear features, or use kind ridge.")));
}

/* Train "linear": least squares, with an intercept unless fit_intercept is false. */
static void
LinearTrain(const ForecastData *d, ForecastTrainCtx *ctx, ForecastFit *out)
{
	bool		intercept = ForecastParamBool(ctx->params, "fit_intercept", true);

	ForecastProgress(ctx, "solving", 0, 1);
	LinearFit(d, false, 0, intercept, false, out);
	ForecastProgress(ctx, "solving", 1, 1);
}

/* Train "ridge": penalty alpha (default 1) on the slopes, not the intercept. */
static void
RidgeTrain(const ForecastData *d, ForecastTrainCtx *ctx, ForecastFit *out)
{
	double		alpha = ForecastParamFloat(ctx->params, "alpha", 1.0, 0, 1e300);
	bool		intercept = ForecastParamBool(ctx->params, "fit_intercept", true);
	bool		standardize = ForecastParamBool(ctx->params, "standardize", false);

	ForecastProgress(ctx, "solving", 0, 1);
	LinearFit(d, true, alpha, intercept, standardize, out);
	ForecastProgress(ctx, "solving", 1, 1);
}

/* Check a state and read it into a model (ERRCODE_DATA_CORRUPTED if not ours). */
static void *
LinearLoad(const bytea *state)
{
	Size		len = VARSIZE_ANY_EXHDR(state);
	const char *data = VARDATA_ANY(state);
	LinearStateHeader h;
	LinearModel *m;
	pg_crc32c	crc;

	if (len < sizeof(h))
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("not a linear model state: %zu bytes", len)));
	memcpy(&h, data, sizeof(h));
	if (h.magic != LINEAR_MAGIC)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("not a linear model state: bad magic")));
	if (h.version != LINEAR_VERSION)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("unsupported linear model state version %d", h.version)));
	if (h.p < 1 || (Size) h.p > (MaxAllocSize / sizeof(double)) - 1 ||
		len != sizeof(h) + (Size) (h.p + 1) * sizeof(double))
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("linear model state has %zu bytes, not what %d features need", len, h.p)));
	INIT_CRC32C(crc);
	COMP_CRC32C(crc, data + sizeof(h), len - sizeof(h));
	FIN_CRC32C(crc);
	if (crc != h.crc)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("linear model state fails its checksum")));
	m = palloc(sizeof(LinearModel));
	m->p = h.p;
	m->coef = palloc(h.p * sizeof(double));
	memcpy(&m->intercept, data + sizeof(h), sizeof(double));
	memcpy(m->coef, data + sizeof(h) + sizeof(double), h.p * sizeof(double));
	return m;
}

/* intercept + x . b for each of n rows of p features. */
static void
LinearPredict(void *model, const double *x, int n, int p, double *out)
{
	LinearModel *m = model;
	int			i,
				j;

	if (p != m->p)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("the model takes %d features, not %d", m->p, p)));
	for (i = 0; i < n; i++)
	{
		double		f = m->intercept;

		for (j = 0; j < p; j++)
			f += x[(Size) i * p + j] * m->coef[j];
		out[i] = f;
	}
}

const ForecastKind ForecastKindLinear = {
	.name = "linear",
	.series = false,
	.param_names = linear_params,
	.train = LinearTrain,
	.load = LinearLoad,
	.predict = LinearPredict,
};

const ForecastKind ForecastKindRidge = {
	.name = "ridge",
	.series = false,
	.param_names = ridge_params,
	.train = RidgeTrain,
	.load = LinearLoad,
	.predict = LinearPredict,
};
