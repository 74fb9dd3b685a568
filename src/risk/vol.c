/*
 * src/risk/vol.c
 *
 * Volatility models over a return series, oldest first.
 *
 * EWMA (RiskMetrics): var[t] = lambda * var[t-1] + (1 - lambda) * r[t-1]^2,
 * the variance of r[t] given the returns before it, zero mean as RiskMetrics
 * assumes.  The recursion is seeded with the mean of the squared returns of
 * the whole series (the start GARCH uses below); RiskMetrics' Technical
 * Document writes the estimator as a finite weighted sum over the history,
 * which is the same recursion seeded with zero.  The two differ by
 * lambda^t times the seed, a 1e-27 factor after 1,000 daily returns at 0.94.
 *
 * GARCH(1,1): r[t] = mu + e[t], h[t] = omega + alpha e[t-1]^2 + beta h[t-1],
 * e[t] / sqrt(h[t]) standard normal or standardized Student-t with shape
 * degrees of freedom (unit variance, fGarch's "std").  The recursion starts
 * as fGarch's garchFit does by default (init.rec = "mci"): from the sample
 * mean of the squared residuals m2 = mean((r - mu)^2), with
 * h[1] = omega + (alpha + beta) m2, and the log-likelihood (with all its
 * constants) sums over every return, h[1] included; so the log-likelihood
 * here is -fit@fit$llh of fGarch at the same parameters.
 *
 * The fit maximises it with NLopt's BOBYQA (a local, derivative-free,
 * bound-constrained method; no global state) over
 * (mu / sd, omega / sd^2, s = alpha + beta, p = alpha / s, 1 / shape) on a
 * box that enforces stationarity (0 <= s <= 1 - 1e-6), omega > 0,
 * alpha, beta >= 0 and shape in [2.01, 200] (1 / shape keeps the likelihood
 * well conditioned when the innovations are close to normal); sd is the sample standard deviation, so the
 * problem is well scaled whatever the units of the returns (fGarch scales
 * its series the same way).  The optimiser is run twice, the second time
 * from the first optimum, and is stopped cleanly (nlopt_force_stop) on a
 * pending interrupt, which the SQL wrapper then serves.  Standard errors come
 * from the inverse of the negated numerical Hessian of the log-likelihood at
 * the optimum (central differences), as fGarch reports them.
 *
 * The fmgr wrappers are at the end.
 */
#include "postgres.h"

#include <float.h>
#include <math.h>
#include <nlopt.h>

#include "catalog/pg_type.h"
#include "fmgr.h"
#include "funcapi.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"

#include "risk/vol.h"

#define LOG_2PI 1.8378770664093454836
#define GARCH_SMAX (1.0 - 1e-6)
#define GARCH_SHAPE_MIN 2.01
#define GARCH_SHAPE_MAX 200.0
#define GARCH_MAXEVAL 4000
#define RISK_VOL_MAX_HORIZON 100000

/*
 * The EWMA variance series of r (n >= 1) into var[0..n-1]; returns the
 * forecast for the period after the last return.
 */
double
RiskEwmaVariance(const double *r, int n, double lambda, double *var)
{
	double		v = 0;
	int			t;

	for (t = 0; t < n; t++)
		v += r[t] * r[t];
	v /= n;
	for (t = 0; t < n; t++)
	{
		var[t] = v;
		v = lambda * v + (1 - lambda) * r[t] * r[t];
	}
	return v;
}

/*
 * The GARCH(1,1) log-likelihood of r at p, given m2 = mean((r - mu)^2);
 * h (may be NULL) receives the conditional variances.  -INFINITY when a
 * variance is not positive or a term is not finite.
 */
static double
GarchLoglikM2(const double *r, int n, const RiskGarchParams *p, RiskGarchDist dist,
			  double m2, double *h)
{
	double		ht = p->omega + (p->alpha + p->beta) * m2;
	double		ll = 0;
	double		c = 0;
	double		k = 0;
	int			t;

	if (dist == RISK_DIST_T)
	{
		if (!(p->shape > 2))
			return -INFINITY;
		c = lgamma((p->shape + 1) / 2) - lgamma(p->shape / 2)
			- 0.5 * log(M_PI * (p->shape - 2));
		k = (p->shape + 1) / 2;
	}
	for (t = 0; t < n; t++)
	{
		double		e = r[t] - p->mu;

		if (!(ht > 0) || isinf(ht))
			return -INFINITY;
		if (h)
			h[t] = ht;
		if (dist == RISK_DIST_T)
			ll += c - 0.5 * log(ht) - k * log1p(e * e / (ht * (p->shape - 2)));
		else
			ll += -0.5 * (LOG_2PI + log(ht) + e * e / ht);
		ht = p->omega + p->alpha * e * e + p->beta * ht;
	}
	return isfinite(ll) ? ll : -INFINITY;
}

/* Mean of (r - mu)^2 over n returns. */
static double
MeanSquare(const double *r, int n, double mu)
{
	double		s = 0;
	int			t;

	for (t = 0; t < n; t++)
		s += (r[t] - mu) * (r[t] - mu);
	return s / n;
}

/*
 * The GARCH(1,1) log-likelihood of r (n >= 1) at p, the recursion started
 * from the mean squared residual; h (may be NULL) gets the variances.
 */
double
RiskGarchLoglik(const double *r, int n, const RiskGarchParams *p, RiskGarchDist dist,
				double *h)
{
	return GarchLoglikM2(r, n, p, dist, MeanSquare(r, n, p->mu), h);
}

/*
 * The conditional variances h[0..n-1] of r under p (the same start as the
 * fit); returns the variance of the period after the last return.
 */
double
RiskGarchVariance(const double *r, int n, const RiskGarchParams *p, double *h)
{
	double		m2 = MeanSquare(r, n, p->mu);
	double		ht = p->omega + (p->alpha + p->beta) * m2;
	double		e = 0;
	int			t;

	for (t = 0; t < n; t++)
	{
		h[t] = ht;
		e = r[t] - p->mu;
		ht = p->omega + p->alpha * e * e + p->beta * ht;
	}
	return ht;
}

/*
 * The variance forecasts for 1..horizon periods ahead, from next (the
 * one-period forecast): out[k] = omega + (alpha + beta) out[k-1], which for
 * alpha + beta < 1 is omega / (1 - alpha - beta) + (alpha + beta)^k
 * (next - omega / (1 - alpha - beta)).
 */
void
RiskGarchForecast(const RiskGarchParams *p, double next, int horizon, double *out)
{
	int			k;

	out[0] = next;
	for (k = 1; k < horizon; k++)
		out[k] = p->omega + (p->alpha + p->beta) * out[k - 1];
}

/* What the optimiser's objective needs: the series and its summary. */
typedef struct GarchProblem
{
	const double *r;
	int			n;
	RiskGarchDist dist;
	double		mean;			/* sample mean */
	double		ss;				/* sum of (r - mean)^2 */
	double		sd;				/* sample standard deviation */
	int			evaluations;
	bool		interrupted;
	nlopt_opt	opt;
} GarchProblem;

/* Parameters from the Hessian's coordinates (mu/sd, omega/sd^2, alpha, beta, shape). */
static void
GarchFromScaled(const GarchProblem *g, const double *x, RiskGarchParams *p)
{
	p->mu = x[0] * g->sd;
	p->omega = x[1] * g->sd * g->sd;
	p->alpha = x[2];
	p->beta = x[3];
	p->shape = g->dist == RISK_DIST_T ? x[4] : NAN;
}

/* The log-likelihood at p, with m2 from the precomputed sums (no pass). */
static double
GarchProblemLoglik(GarchProblem *g, const RiskGarchParams *p)
{
	double		d = g->mean - p->mu;

	g->evaluations++;
	return GarchLoglikM2(g->r, g->n, p, g->dist, (g->ss + g->n * d * d) / g->n, NULL);
}

/* The log-likelihood at scaled coordinates x (see GarchFromScaled). */
static double
GarchScaledLoglik(GarchProblem *g, const double *x)
{
	RiskGarchParams p;

	GarchFromScaled(g, x, &p);
	return GarchProblemLoglik(g, &p);
}

/*
 * NLopt's objective over (mu/sd, omega/sd^2, s, p, 1/shape); a very low finite
 * value where the likelihood is not finite, and a forced stop on a pending
 * cancel or termination (the wrapper serves it once NLopt has freed its
 * memory: throwing from here would leak NLopt's malloc'd state).
 */
static double
GarchObjective(unsigned nx, const double *x, double *grad, void *data)
{
	GarchProblem *g = (GarchProblem *) data;
	RiskGarchParams p;
	double		ll;

	(void) nx;
	(void) grad;
	if (InterruptPending && (QueryCancelPending || ProcDiePending) &&
		INTERRUPTS_CAN_BE_PROCESSED())
	{
		g->interrupted = true;
		nlopt_force_stop(g->opt);
	}
	p.mu = x[0] * g->sd;
	p.omega = x[1] * g->sd * g->sd;
	p.alpha = x[2] * x[3];
	p.beta = x[2] * (1 - x[3]);
	p.shape = g->dist == RISK_DIST_T ? 1 / x[4] : NAN;
	ll = GarchProblemLoglik(g, &p);
	return isfinite(ll) ? ll : -1e300;
}

/*
 * Inverts the k x k matrix a (row-major) into inv by Gauss-Jordan with
 * partial pivoting; false when a pivot is negligible (singular matrix).
 */
static bool
InvertMatrix(int k, const double *a, double *inv)
{
	double		m[RISK_GARCH_MAXPAR][2 * RISK_GARCH_MAXPAR];
	double		scale = 0;
	int			i,
				j,
				c;

	for (i = 0; i < k; i++)
		for (j = 0; j < k; j++)
		{
			m[i][j] = a[i * k + j];
			m[i][k + j] = i == j ? 1 : 0;
			scale = Max(scale, fabs(a[i * k + j]));
		}
	if (!(scale > 0) || !isfinite(scale))
		return false;
	for (c = 0; c < k; c++)
	{
		int			piv = c;

		for (i = c + 1; i < k; i++)
			if (fabs(m[i][c]) > fabs(m[piv][c]))
				piv = i;
		if (!(fabs(m[piv][c]) > 1e-13 * scale))
			return false;
		if (piv != c)
			for (j = 0; j < 2 * k; j++)
			{
				double		tmp = m[c][j];

				m[c][j] = m[piv][j];
				m[piv][j] = tmp;
			}
		for (j = 2 * k - 1; j >= c; j--)
			m[c][j] /= m[c][c];
		for (i = 0; i < k; i++)
			if (i != c && m[i][c] != 0)
			{
				double		f = m[i][c];

				for (j = c; j < 2 * k; j++)
					m[i][j] -= f * m[c][j];
			}
	}
	for (i = 0; i < k; i++)
		for (j = 0; j < k; j++)
			inv[i * k + j] = m[i][k + j];
	return true;
}

/*
 * Standard errors at the optimum x (scaled coordinates, k of them): the
 * square roots of the diagonal of the inverse of the negated Hessian, by
 * central differences with steps of 1e-4 relative (at least 1e-5, at most
 * half the distance to zero for omega).  False (se_ok all false) when a
 * stencil point has no finite likelihood or the Hessian is singular.
 */
static bool
GarchStandardErrors(GarchProblem *g, const double *x, int k, double f0, RiskGarchFit *fit)
{
	double		hess[RISK_GARCH_MAXPAR * RISK_GARCH_MAXPAR];
	double		cov[RISK_GARCH_MAXPAR * RISK_GARCH_MAXPAR];
	double		d[RISK_GARCH_MAXPAR];
	double		y[RISK_GARCH_MAXPAR];
	double		unit[RISK_GARCH_MAXPAR] = {g->sd, g->sd * g->sd, 1, 1, 1};
	bool		all = true;
	int			i,
				j;

	for (i = 0; i < RISK_GARCH_MAXPAR; i++)
		fit->se_ok[i] = false;
	for (i = 0; i < k; i++)
	{
		d[i] = 1e-4 * Max(fabs(x[i]), 0.1);
		if (i == 1)
			d[i] = Min(d[i], 0.5 * x[i]);
	}
	for (i = 0; i < k; i++)
	{
		double		fp,
					fm;

		memcpy(y, x, sizeof(double) * k);
		y[i] = x[i] + d[i];
		fp = GarchScaledLoglik(g, y);
		y[i] = x[i] - d[i];
		fm = GarchScaledLoglik(g, y);
		hess[i * k + i] = -(fp - 2 * f0 + fm) / (d[i] * d[i]);
		for (j = 0; j < i; j++)
		{
			double		fpp,
						fpm,
						fmp,
						fmm;

			memcpy(y, x, sizeof(double) * k);
			y[i] = x[i] + d[i];
			y[j] = x[j] + d[j];
			fpp = GarchScaledLoglik(g, y);
			y[j] = x[j] - d[j];
			fpm = GarchScaledLoglik(g, y);
			y[i] = x[i] - d[i];
			fmm = GarchScaledLoglik(g, y);
			y[j] = x[j] + d[j];
			fmp = GarchScaledLoglik(g, y);
			hess[i * k + j] = hess[j * k + i] =
				-(fpp - fpm - fmp + fmm) / (4 * d[i] * d[j]);
		}
	}
	for (i = 0; i < k * k; i++)
		if (!isfinite(hess[i]))
			return false;
	if (!InvertMatrix(k, hess, cov))
		return false;
	for (i = 0; i < k; i++)
	{
		double		v = cov[i * k + i];

		if (v > 0 && isfinite(v))
		{
			fit->se[i] = sqrt(v) * unit[i];
			fit->se_ok[i] = true;
		}
		else
			all = false;
	}
	return all;
}

/*
 * One BOBYQA maximisation of objective over k parameters within [lb, ub]
 * from x (updated in place), with the tolerances of the module's
 * likelihood fits; *best the maximum, the NLopt result code returned.
 * *slot holds the optimiser while it runs, so that the objective can call
 * nlopt_force_stop on it (a pending interrupt).  Shared with the
 * forecasting module's ARIMA fit.
 */
nlopt_result
RiskBobyqaMaximise(nlopt_func objective, void *data, nlopt_opt *slot, int k,
				   const double *lb, const double *ub, const double *step, int maxeval,
				   double *x, double *best)
{
	nlopt_opt	opt = nlopt_create(NLOPT_LN_BOBYQA, k);
	nlopt_result res;

	if (opt == NULL)
		return NLOPT_OUT_OF_MEMORY;
	*slot = opt;
	res = nlopt_set_max_objective(opt, objective, data);
	if (res > 0)
		res = nlopt_set_lower_bounds(opt, lb);
	if (res > 0)
		res = nlopt_set_upper_bounds(opt, ub);
	if (res > 0)
		res = nlopt_set_initial_step(opt, step);
	if (res > 0)
		res = nlopt_set_xtol_rel(opt, 1e-10);
	if (res > 0)
		res = nlopt_set_ftol_abs(opt, 1e-11);
	if (res > 0)
		res = nlopt_set_maxeval(opt, maxeval);
	if (res > 0)
		res = nlopt_optimize(opt, x, best);
	nlopt_destroy(opt);
	*slot = NULL;
	return res;
}

/* One BOBYQA run from x (updated in place); the NLopt result code. */
static nlopt_result
GarchOptimise(GarchProblem *g, int k, const double *lb, const double *ub, const double *step,
			  double *x, double *best)
{
	return RiskBobyqaMaximise(GarchObjective, g, &g->opt, k, lb, ub, step, GARCH_MAXEVAL, x, best);
}

/*
 * Fits GARCH(1,1) to r (n returns, all finite) by maximum likelihood; see
 * the file header for the start, the parametrisation and the bounds.
 * fit->interrupted tells the caller to serve a pending interrupt.
 */
RiskVolStatus
RiskGarchFitSeries(const double *r, int n, RiskGarchDist dist, RiskGarchFit *fit)
{
	GarchProblem g;
	int			k = dist == RISK_DIST_T ? 5 : 4;
	double		lb[RISK_GARCH_MAXPAR],
				ub[RISK_GARCH_MAXPAR],
				step[RISK_GARCH_MAXPAR],
				x[RISK_GARCH_MAXPAR],
				xs[RISK_GARCH_MAXPAR];
	double		best = -INFINITY;
	double		maxabs = 0;
	double		gain = 0;
	bool		ok[2] = {false, false};
	nlopt_result res;
	int			t,
				run;

	memset(fit, 0, sizeof(*fit));
	if (n < RISK_GARCH_MIN_N)
		return RISK_VOL_TOO_SHORT;
	g.r = r;
	g.n = n;
	g.dist = dist;
	g.mean = 0;
	for (t = 0; t < n; t++)
		g.mean += r[t];
	g.mean /= n;
	g.ss = 0;
	for (t = 0; t < n; t++)
		g.ss += (r[t] - g.mean) * (r[t] - g.mean);
	g.sd = sqrt(g.ss / (n - 1));
	g.evaluations = 0;
	g.interrupted = false;
	g.opt = NULL;
	for (t = 0; t < n; t++)
		maxabs = Max(maxabs, fabs(r[t]));

	/*
	 * Constant: no spread beyond rounding (a constant series of 0.01 has a
	 * standard deviation of about 1e-18, not 0), or one too small to square.
	 */
	if (!(g.sd > 1e-10 * maxabs) || !(g.sd * g.sd > DBL_MIN) || !isfinite(g.ss))
		return RISK_VOL_CONSTANT;

	/* fGarch's start: the sample mean, alpha 0.1, beta 0.8, omega 0.1 var, shape 4 */
	x[0] = g.mean / g.sd;
	x[1] = 0.1;
	x[2] = 0.9;
	x[3] = 0.1 / 0.9;
	x[4] = 1.0 / 4;
	lb[0] = x[0] - 2;
	ub[0] = x[0] + 2;
	lb[1] = 1e-8;
	ub[1] = 100;
	lb[2] = 0;
	ub[2] = GARCH_SMAX;
	lb[3] = 0;
	ub[3] = 1;
	lb[4] = 1 / GARCH_SHAPE_MAX;
	ub[4] = 1 / GARCH_SHAPE_MIN;
	step[0] = 0.05;
	step[1] = 0.05;
	step[2] = 0.05;
	step[3] = 0.1;
	step[4] = 0.05;

	for (run = 0; run < 2; run++)
	{
		double		f = -INFINITY;
		double		xr[RISK_GARCH_MAXPAR];

		if (run == 1)
		{
			/* restart from the first optimum with steps that fit inside the box */
			step[1] = Max(0.25 * x[1], 1e-6);
			step[2] = Max(Min(0.02, 0.5 * (GARCH_SMAX - x[2])), 1e-6);
			step[3] = 0.02;
			step[4] = Max(Min(0.1 * x[4], 0.5 * (x[4] - lb[4])), 1e-4);
		}
		memcpy(xr, x, sizeof(xr));
		res = GarchOptimise(&g, k, lb, ub, step, xr, &f);
		if (g.interrupted)
		{
			fit->interrupted = true;
			return RISK_VOL_OK;
		}
		if (res == NLOPT_OUT_OF_MEMORY)
			return RISK_VOL_NOMEM;
		ok[run] = res > 0 && res != NLOPT_MAXEVAL_REACHED && res != NLOPT_MAXTIME_REACHED;
		gain = isfinite(f) && isfinite(best) ? f - best : 0;
		if (isfinite(f) && f > -1e300 && f >= best)
		{
			best = f;
			memcpy(x, xr, sizeof(xr));
		}
		fit->nlopt_result = res;
	}
	if (!(best > -1e300) || !isfinite(best))
		return RISK_VOL_FAILED;

	/* estimates and the Hessian's coordinates */
	xs[0] = x[0];
	xs[1] = x[1];
	xs[2] = x[2] * x[3];
	xs[3] = x[2] * (1 - x[3]);
	xs[4] = 1 / x[4];
	GarchFromScaled(&g, xs, &fit->p);
	fit->loglik = GarchProblemLoglik(&g, &fit->p);
	if (!isfinite(fit->loglik))
		return RISK_VOL_FAILED;
	/* the restart converged, or the first run did and the restart found nothing better */
	fit->converged = ok[1] || (ok[0] && gain <= 1e-6);
	if (!GarchStandardErrors(&g, xs, k, fit->loglik, fit))
		fit->converged = false;
	fit->evaluations = g.evaluations;
	return RISK_VOL_OK;
}

/* ---- SQL wrappers ---- */

PG_FUNCTION_INFO_V1(risk_ewma_variance);
PG_FUNCTION_INFO_V1(risk_ewma_forecast);
PG_FUNCTION_INFO_V1(risk_garch_fit);
PG_FUNCTION_INFO_V1(risk_garch_conditional_variance);
PG_FUNCTION_INFO_V1(risk_garch_forecast);
PG_FUNCTION_INFO_V1(risk_ewma_covariance);

/*
 * The returns of a float8[] argument as a palloc'd C array: one dimension,
 * no NULL element (22004), every element finite and their squares summable
 * (22023), at least min_n of them (22023).
 */
static double *
RiskVolReadReturns(ArrayType *arr, int min_n, int *n_out)
{
	Datum	   *elems;
	bool	   *nulls;
	double	   *r;
	double		ss = 0;
	int			n,
				i;

	if (ARR_NDIM(arr) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("returns must be a one-dimensional array")));
	deconstruct_array(arr, FLOAT8OID, sizeof(float8), FLOAT8PASSBYVAL, TYPALIGN_DOUBLE,
					  &elems, &nulls, &n);
	if (n < min_n)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("returns has %d element%s, at least %d are needed", n,
						n == 1 ? "" : "s", min_n)));
	r = palloc(sizeof(double) * n);
	for (i = 0; i < n; i++)
	{
		if (nulls[i])
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("returns must not contain NULL (element %d)", i + 1)));
		r[i] = DatumGetFloat8(elems[i]);
		if (!isfinite(r[i]))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("returns must be finite (element %d is \"%g\")", i + 1, r[i])));
		ss += r[i] * r[i];
	}
	if (!isfinite(ss))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("returns are too large: their squares overflow")));
	*n_out = n;
	return r;
}

/* A float8[] of n finite values (22003 if one is not: an overflow). */
static ArrayType *
RiskVolMakeArray(const double *v, int n)
{
	Datum	   *d = palloc(sizeof(Datum) * Max(n, 1));
	int			i;

	for (i = 0; i < n; i++)
	{
		if (!isfinite(v[i]))
			ereport(ERROR,
					(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
					 errmsg("variance out of range at element %d", i + 1)));
		d[i] = Float8GetDatum(v[i]);
	}
	return construct_array(d, n, FLOAT8OID, sizeof(float8), FLOAT8PASSBYVAL, TYPALIGN_DOUBLE);
}

/* Lambda must lie strictly between 0 and 1. */
static double
RiskVolLambda(double lambda)
{
	if (!(lambda > 0 && lambda < 1))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("lambda must be between 0 and 1 exclusive, not %g", lambda)));
	return lambda;
}

/* risk_ewma_variance(returns, lambda): the EWMA variance of each return given those before. */
Datum
risk_ewma_variance(PG_FUNCTION_ARGS)
{
	double		lambda = RiskVolLambda(PG_GETARG_FLOAT8(1));
	int			n;
	double	   *r = RiskVolReadReturns(PG_GETARG_ARRAYTYPE_P(0), 1, &n);
	double	   *var = palloc(sizeof(double) * n);

	RiskEwmaVariance(r, n, lambda, var);
	PG_RETURN_ARRAYTYPE_P(RiskVolMakeArray(var, n));
}

/* risk_ewma_forecast(returns, lambda): the EWMA variance of the next period. */
Datum
risk_ewma_forecast(PG_FUNCTION_ARGS)
{
	double		lambda = RiskVolLambda(PG_GETARG_FLOAT8(1));
	int			n;
	double	   *r = RiskVolReadReturns(PG_GETARG_ARRAYTYPE_P(0), 1, &n);
	double	   *var = palloc(sizeof(double) * n);
	double		next = RiskEwmaVariance(r, n, lambda, var);

	RiskVolMakeArray(&next, 1);
	PG_RETURN_FLOAT8(next);
}

/*
 * risk_ewma_covariance(returns float8[][], lambda): the EWMA covariance
 * matrix of the next period (RiskMetrics), from T rows of n assets' returns
 * (oldest first): seeded, as risk_ewma_variance, with the mean of the
 * outer products r r' (zero mean), then S = lambda S + (1 - lambda) r r'
 * for each row.  Its diagonal is risk_ewma_forecast of each column; it is
 * what risk_var_mc takes as cov.
 */
Datum
risk_ewma_covariance(PG_FUNCTION_ARGS)
{
	ArrayType  *arr = PG_GETARG_ARRAYTYPE_P(0);
	double		lambda = RiskVolLambda(PG_GETARG_FLOAT8(1));
	Datum	   *elems;
	bool	   *nulls;
	double	   *r;
	double	   *cov;
	Datum	   *out;
	int			nelems,
				rows,
				n,
				t,
				i,
				j;
	int			dims[2];
	int			lbs[2] = {1, 1};

	if (ARR_NDIM(arr) != 2)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("returns must be a two-dimensional array: one row per period, one column per asset")));
	rows = ARR_DIMS(arr)[0];
	n = ARR_DIMS(arr)[1];
	if (rows < 1 || n < 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("returns has no rows or no columns")));
	if (n > 2000)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("returns has %d columns, at most 2000 assets are supported", n)));
	deconstruct_array(arr, FLOAT8OID, sizeof(float8), FLOAT8PASSBYVAL, TYPALIGN_DOUBLE,
					  &elems, &nulls, &nelems);
	r = palloc(sizeof(double) * nelems);
	for (i = 0; i < nelems; i++)
	{
		if (nulls[i])
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("returns must not contain NULL (row %d, column %d)", i / n + 1, i % n + 1)));
		r[i] = DatumGetFloat8(elems[i]);
		if (!isfinite(r[i]))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("returns must be finite (row %d, column %d is \"%g\")", i / n + 1, i % n + 1, r[i])));
	}
	cov = palloc0(sizeof(double) * n * n);
	for (t = 0; t < rows; t++)
	{
		const double *x = r + (size_t) t * n;

		CHECK_FOR_INTERRUPTS();
		for (i = 0; i < n; i++)
			for (j = 0; j <= i; j++)
				cov[i * n + j] += x[i] * x[j] / rows;
	}
	for (t = 0; t < rows; t++)
	{
		const double *x = r + (size_t) t * n;

		CHECK_FOR_INTERRUPTS();
		for (i = 0; i < n; i++)
			for (j = 0; j <= i; j++)
				cov[i * n + j] = lambda * cov[i * n + j] + (1 - lambda) * x[i] * x[j];
	}
	out = palloc(sizeof(Datum) * n * n);
	for (i = 0; i < n; i++)
		for (j = 0; j < n; j++)
		{
			double		v = j <= i ? cov[i * n + j] : cov[j * n + i];

			if (!isfinite(v))
				ereport(ERROR,
						(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
						 errmsg("covariance out of range at (%d, %d)", i + 1, j + 1)));
			out[i * n + j] = Float8GetDatum(v);
		}
	dims[0] = n;
	dims[1] = n;
	PG_RETURN_ARRAYTYPE_P(construct_md_array(out, NULL, 2, dims, lbs, FLOAT8OID, sizeof(float8),
											 FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
}

/* Appends "name": value (JSON null when !ok) to a JSON object being built. */
static void
AppendJsonNumber(StringInfo buf, const char *name, double value, bool ok)
{
	if (buf->len > 1)
		appendStringInfoString(buf, ", ");
	if (ok && isfinite(value))
		appendStringInfo(buf, "\"%s\": %.17g", name, value);
	else
		appendStringInfo(buf, "\"%s\": null", name);
}

/*
 * risk_garch_fit(returns, dist): a GARCH(1,1) fit as a risk_garch_model
 * (mu, omega, alpha, beta, shape, loglik, se, converged).
 */
Datum
risk_garch_fit(PG_FUNCTION_ARGS)
{
	char	   *dist_name = text_to_cstring(PG_GETARG_TEXT_PP(1));
	RiskGarchDist dist;
	RiskGarchFit fit;
	RiskVolStatus st;
	TupleDesc	tupdesc;
	Datum		values[8];
	bool		nulls[8] = {false};
	StringInfoData se;
	double	   *r;
	int			n;

	if (strcmp(dist_name, "normal") == 0)
		dist = RISK_DIST_NORMAL;
	else if (strcmp(dist_name, "t") == 0)
		dist = RISK_DIST_T;
	else
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("unknown distribution \"%s\"", dist_name),
				 errhint("Use \"normal\" or \"t\".")));
	r = RiskVolReadReturns(PG_GETARG_ARRAYTYPE_P(0), RISK_GARCH_MIN_N, &n);
	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "risk_garch_fit must return a composite type");
	tupdesc = BlessTupleDesc(tupdesc);

	st = RiskGarchFitSeries(r, n, dist, &fit);
	if (fit.interrupted)
	{
		/* a cancel or a termination stopped the optimiser; serve it */
		CHECK_FOR_INTERRUPTS();
		ereport(ERROR,
				(errcode(ERRCODE_QUERY_CANCELED),
				 errmsg("canceling the GARCH fit on an interrupt")));
	}
	elog(DEBUG1, "risk_garch_fit: %d returns, %d likelihood evaluations, NLopt result %d",
		 n, fit.evaluations, fit.nlopt_result);
	switch (st)
	{
		case RISK_VOL_OK:
			break;
		case RISK_VOL_TOO_SHORT:
			elog(ERROR, "garch fit: series too short");
			break;
		case RISK_VOL_CONSTANT:
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("returns are constant: a GARCH model needs a series that varies")));
			break;
		case RISK_VOL_NOMEM:
			ereport(ERROR,
					(errcode(ERRCODE_OUT_OF_MEMORY),
					 errmsg("out of memory creating the optimiser")));
			break;
		case RISK_VOL_FAILED:
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("the GARCH likelihood has no finite value on this series")));
			break;
	}

	initStringInfo(&se);
	appendStringInfoChar(&se, '{');
	AppendJsonNumber(&se, "mu", fit.se[0], fit.se_ok[0]);
	AppendJsonNumber(&se, "omega", fit.se[1], fit.se_ok[1]);
	AppendJsonNumber(&se, "alpha", fit.se[2], fit.se_ok[2]);
	AppendJsonNumber(&se, "beta", fit.se[3], fit.se_ok[3]);
	if (dist == RISK_DIST_T)
		AppendJsonNumber(&se, "shape", fit.se[4], fit.se_ok[4]);
	appendStringInfoChar(&se, '}');

	values[0] = Float8GetDatum(fit.p.mu);
	values[1] = Float8GetDatum(fit.p.omega);
	values[2] = Float8GetDatum(fit.p.alpha);
	values[3] = Float8GetDatum(fit.p.beta);
	if (dist == RISK_DIST_T)
		values[4] = Float8GetDatum(fit.p.shape);
	else
		nulls[4] = true;
	values[5] = Float8GetDatum(fit.loglik);
	values[6] = DirectFunctionCall1(jsonb_in, CStringGetDatum(se.data));
	values[7] = BoolGetDatum(fit.converged);
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls)));
}

/* GARCH parameters from arguments 0..3, checked: finite, omega > 0, alpha, beta >= 0. */
static void
RiskVolParams(FunctionCallInfo fcinfo, RiskGarchParams *p)
{
	p->mu = PG_GETARG_FLOAT8(0);
	p->omega = PG_GETARG_FLOAT8(1);
	p->alpha = PG_GETARG_FLOAT8(2);
	p->beta = PG_GETARG_FLOAT8(3);
	p->shape = NAN;
	if (!isfinite(p->mu) || !isfinite(p->omega) || !isfinite(p->alpha) || !isfinite(p->beta))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("GARCH parameters must be finite")));
	if (!(p->omega > 0) || !(p->alpha >= 0) || !(p->beta >= 0))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("GARCH parameters out of range: omega must be positive, alpha and beta not negative"),
				 errdetail("omega = %g, alpha = %g, beta = %g.", p->omega, p->alpha, p->beta)));
}

/* risk_garch_conditional_variance(mu, omega, alpha, beta, returns): h of each return. */
Datum
risk_garch_conditional_variance(PG_FUNCTION_ARGS)
{
	RiskGarchParams p;
	int			n;
	double	   *r;
	double	   *h;

	RiskVolParams(fcinfo, &p);
	r = RiskVolReadReturns(PG_GETARG_ARRAYTYPE_P(4), 1, &n);
	h = palloc(sizeof(double) * n);
	RiskGarchVariance(r, n, &p, h);
	PG_RETURN_ARRAYTYPE_P(RiskVolMakeArray(h, n));
}

/* risk_garch_forecast(mu, omega, alpha, beta, returns, horizon): variances 1..horizon ahead. */
Datum
risk_garch_forecast(PG_FUNCTION_ARGS)
{
	RiskGarchParams p;
	int			horizon = PG_GETARG_INT32(5);
	int			n;
	double	   *r;
	double	   *h;
	double	   *out;
	double		next;

	RiskVolParams(fcinfo, &p);
	if (horizon < 1 || horizon > RISK_VOL_MAX_HORIZON)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("horizon must be between 1 and %d, not %d", RISK_VOL_MAX_HORIZON, horizon)));
	r = RiskVolReadReturns(PG_GETARG_ARRAYTYPE_P(4), 1, &n);
	h = palloc(sizeof(double) * n);
	out = palloc(sizeof(double) * horizon);
	next = RiskGarchVariance(r, n, &p, h);
	RiskGarchForecast(&p, next, horizon, out);
	PG_RETURN_ARRAYTYPE_P(RiskVolMakeArray(out, horizon));
}
