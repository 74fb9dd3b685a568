/*
 * src/forecast/arima.c
 *
 * The "arima" series kind: ARIMA(p, d, q) with an optional mean, fitted by
 * exact Gaussian maximum likelihood, as R's arima(method = "ML") and
 * forecast::Arima(method = "ML") fit it.
 *
 * The series y is differenced d times into w; w - mean follows the ARMA
 * model phi(B) (w - mean) = theta(B) e with e white noise of variance sigma2.
 * The exact likelihood comes from a Kalman filter over Harvey's state-space
 * form of the ARMA (state dimension r = max(p, q + 1)), started from the
 * stationary covariance of the state; sigma2 is concentrated out, so with
 * ssq the sum of squared standardized innovations, sumlog the sum of the log
 * innovation variances and m = n - d observations
 *     loglik = -0.5 (m log(2 pi ssq / m) + sumlog + m),
 * R's arima(method = "ML") figure on the differenced series.  (On the
 * undifferenced series R puts a diffuse prior, kappa = 1e6, on the
 * differenced part and drops its first d observations; the likelihood it
 * reports is then about 1e-7 to 1e-6 above this exact one.)  A mean is
 * fitted for d = 0 only (no drift for d > 0), as forecast::Arima does
 * without include.drift.  p and q are at most 10 and d at most 3.  The sigma2
 * reported and used for the forecasts' spread is forecast::Arima's,
 * ssq / (m - k) with k the number of coefficients (ar, ma, mean); the ML
 * estimate ssq / m is reported as sigma2_ml.  Once the
 * filter's covariance stops changing (below 1e-13) its gain is kept and
 * the rest of the series runs as a plain recursion with the state in
 * registers, which changes nothing visible and makes long series cheap.
 *
 * The optimiser is NLopt's BOBYQA (derivative-free), run twice (the second
 * time from the first optimum), over unconstrained coordinates mapped as
 * R's transform.pars does: each block of AR coefficients comes from partial
 * autocorrelations tanh(u) through the Durbin-Levinson recursion, so every
 * point is stationary; the MA block the same way with its sign flipped, so
 * every point is invertible (R leaves the MA part free; at an invertible
 * optimum the likelihood is the same); the mean as (mean - ybar) / sd.  A
 * pending cancel stops NLopt cleanly (nlopt_force_stop) and is served once
 * NLopt has freed its memory.
 *
 * Order selection (no "order" param): d from the KPSS test as
 * forecast::ndiffs does it (level stationarity, lag trunc(3 sqrt(n) / 13),
 * difference while the statistic exceeds the 5 % critical value 0.463, up
 * to max_d), or the "d" param; then every p <= max_p, q <= max_q with
 * p + q <= max_order, with and without a mean when d = 0 (unless
 * include_mean is given), ranked by AICc, and a candidate whose AR or MA
 * polynomial has a root of modulus below 1.01 is rejected: all as
 * forecast::auto.arima(stepwise = FALSE, approximation = FALSE) does.
 *
 * Forecasts: the mean from the filtered state after the series (exact for
 * the finite series), integrated back d times; the standard deviation from
 * the psi-weights of phi(B) (1 - B)^d and theta(B).
 *
 * State (bytea, doubles in native byte order): ArimaHeader, then p AR and
 * q MA coefficients, the mean, sigma2, and the n training values: about
 * 8 n + 64 bytes.
 */
#include "postgres.h"

#include <float.h>
#include <math.h>
#include <nlopt.h>
#include <lapacke.h>

#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "utils/jsonb.h"
#include "utils/memutils.h"

#include "forecast/forecast.h"
#include "risk/vol.h"

#define ARIMA_MAGIC 0x414D4941	/* "AIMA" */
#define ARIMA_VERSION 1
#define ARIMA_MAX_PQ 10
#define ARIMA_MAX_D 3
#define ARIMA_MAX_R (ARIMA_MAX_PQ + 1)
#define ARIMA_MAXEVAL 5000
#define ARIMA_UBOUND 12.0		/* |u| bound of the tanh coordinates */
#define ARIMA_ROOT_MIN 1.01
#define KPSS_CRIT_5PCT 0.463
#define LOG_2PI 1.8378770664093454836

/* The serialized state's fixed part. */
typedef struct ArimaHeader
{
	uint32		magic;
	uint32		version;
	int32		p;
	int32		d;
	int32		q;
	int32		include_mean;
	int32		n;
	int32		pad;
} ArimaHeader;

/* A fitted (or loaded) model. */
typedef struct ArimaModel
{
	int			p,
				d,
				q;
	bool		include_mean;
	double		phi[ARIMA_MAX_PQ];
	double		theta[ARIMA_MAX_PQ];
	double		mean;
	double		sigma2;
	int			n;
	const double *y;			/* the training series */
} ArimaModel;

/* What the Kalman filter returns. */
typedef struct ArimaFilter
{
	double		ssq;
	double		sumlog;
	int			nu;
	double		a[ARIMA_MAX_R]; /* filtered state after the last observation */
} ArimaFilter;

/* One candidate fit's figures. */
typedef struct ArimaFitResult
{
	double		phi[ARIMA_MAX_PQ];
	double		theta[ARIMA_MAX_PQ];
	double		mean;
	double		loglik;
	double		sigma2;
	bool		converged;
	bool		ok;
	int64		evals;			/* likelihood evaluations */
} ArimaFitResult;

/* What the optimiser's objective needs. */
typedef struct ArimaProblem
{
	const double *w;
	int			m;
	int			p,
				q;
	bool		include_mean;
	double		wbar;
	double		wsd;
	double	   *buf;			/* m demeaned values */
	bool		interrupted;
	nlopt_opt	opt;
	ForecastTrainCtx *ctx;
	bool		report;			/* report each evaluation (a fixed-order fit) */
	int64		evals;
} ArimaProblem;

static const char *const arima_params[] = {
	"order", "d", "max_p", "max_q", "max_order", "max_d", "include_mean", "method", NULL
};

/*
 * R's partrans: p unconstrained values to the coefficients of a stationary
 * AR polynomial (tanh to partial autocorrelations, then Durbin-Levinson).
 */
static void
ArimaPartrans(int p, const double *raw, double *out)
{
	double		work[ARIMA_MAX_PQ];
	int			j,
				k;

	for (j = 0; j < p; j++)
		work[j] = out[j] = tanh(raw[j]);
	for (j = 1; j < p; j++)
	{
		double		a = out[j];

		for (k = 0; k < j; k++)
			work[k] -= a * out[j - k - 1];
		for (k = 0; k < j; k++)
			out[k] = work[k];
	}
}

/*
 * The stationary covariance P0 (r x r, row-major) of Harvey's state for
 * ARMA(phi, theta) with unit innovation variance: P0 = T P0 T' + R R',
 * solved as a linear system in vec(P0).  False when it is singular.
 */
static bool
ArimaStationaryCov(int p, int q, const double *phi, const double *theta, int r, double *P0)
{
	int			nn = r * r;
	double		A[ARIMA_MAX_R * ARIMA_MAX_R * ARIMA_MAX_R * ARIMA_MAX_R];
	double		b[ARIMA_MAX_R * ARIMA_MAX_R];
	double		T[ARIMA_MAX_R * ARIMA_MAX_R];
	double		R[ARIMA_MAX_R];
	lapack_int	ipiv[ARIMA_MAX_R * ARIMA_MAX_R];
	int			i,
				j,
				k,
				l;

	memset(T, 0, sizeof(double) * r * r);
	for (i = 0; i < p; i++)
		T[i * r] = phi[i];
	for (i = 0; i + 1 < r; i++)
		T[i * r + i + 1] = 1;
	R[0] = 1;
	for (i = 1; i < r; i++)
		R[i] = i <= q ? theta[i - 1] : 0;
	/* (I - T kron T) vec(P) = vec(R R'), row-major vec: index i * r + j */
	for (i = 0; i < r; i++)
		for (j = 0; j < r; j++)
		{
			int			row = i * r + j;

			b[row] = R[i] * R[j];
			for (k = 0; k < r; k++)
				for (l = 0; l < r; l++)
					A[row * nn + k * r + l] = (row == k * r + l ? 1.0 : 0.0) -
						T[i * r + k] * T[j * r + l];
		}
	if (LAPACKE_dgesv(LAPACK_ROW_MAJOR, nn, 1, A, nn, ipiv, b, 1) != 0)
		return false;
	for (i = 0; i < nn; i++)
	{
		if (!isfinite(b[i]))
			return false;
		P0[i] = b[i];
	}
	/* symmetrize away rounding */
	for (i = 0; i < r; i++)
		for (j = 0; j < i; j++)
			P0[i * r + j] = P0[j * r + i] = 0.5 * (P0[i * r + j] + P0[j * r + i]);
	return true;
}

/*
 * The Kalman filter over z[0..m-1] (the demeaned differenced series) for
 * ARMA(phi, theta) in Harvey's form with unit innovation variance; false
 * when the stationary covariance cannot be had or an innovation variance is
 * not positive.
 */
static bool
ArimaKalman(int p, int q, const double *phi, const double *theta,
			const double *z, int m, ArimaFilter *f)
{
	int			r = Max(p, q + 1);
	double		P[ARIMA_MAX_R * ARIMA_MAX_R];
	double		Pn[ARIMA_MAX_R * ARIMA_MAX_R];
	double		TP[ARIMA_MAX_R * ARIMA_MAX_R];
	double		R[ARIMA_MAX_R];
	double		a[ARIMA_MAX_R],
				an[ARIMA_MAX_R],
				K[ARIMA_MAX_R];
	double		F;
	bool		steady = false;
	int			t,
				i,
				j;

	R[0] = 1;
	for (i = 1; i < r; i++)
		R[i] = i <= q ? theta[i - 1] : 0;
	if (!ArimaStationaryCov(p, q, phi, theta, r, P))
		return false;
	memset(a, 0, sizeof(a));
	f->ssq = 0;
	f->sumlog = 0;
	f->nu = 0;
	for (t = 0; t < m && !steady; t++)
	{
		double		v;
		double		change = 0;

		/* here a, P are the prediction of the state at t */
		F = P[0];
		if (!(F > 0) || !isfinite(F))
			return false;
		for (i = 0; i < r; i++)
			K[i] = P[i * r] / F;
		v = z[t] - a[0];
		f->ssq += v * v / F;
		f->sumlog += log(F);
		f->nu++;
		/* update a += K v, then predict a = T a */
		for (i = 0; i < r; i++)
			a[i] += K[i] * v;
		if (t == m - 1)
			memcpy(f->a, a, sizeof(double) * r);
		for (i = 0; i < r; i++)
			an[i] = (i < p ? phi[i] * a[0] : 0) + (i + 1 < r ? a[i + 1] : 0);
		memcpy(a, an, sizeof(double) * r);
		/* P = T (P - P[:,0] P[0,:] / F) T' + R R' */
		for (i = 0; i < r; i++)
			for (j = 0; j < r; j++)
				Pn[i * r + j] = P[i * r + j] - P[i * r] * P[j] / F;
		/* TP = T Pn: row i is phi_i Pn[0,:] + Pn[i+1,:] */
		for (i = 0; i < r; i++)
			for (j = 0; j < r; j++)
				TP[i * r + j] = (i < p ? phi[i] * Pn[j] : 0) +
					(i + 1 < r ? Pn[(i + 1) * r + j] : 0);
		/* P = TP T' + R R': column j of T' is row j of T */
		for (i = 0; i < r; i++)
			for (j = 0; j < r; j++)
			{
				double		vv = (j < p ? TP[i * r] * phi[j] : 0) +
					(j + 1 < r ? TP[i * r + j + 1] : 0) + R[i] * R[j];

				change = Max(change, fabs(vv - P[i * r + j]));
				P[i * r + j] = vv;
			}
		if (change < 1e-13)
			steady = true;
	}
	if (t < m)
	{
		/*
		 * Steady state: the gain and the innovation variance no longer
		 * change, so the rest is a plain recursion (F, K from the last P).
		 */
		double		ssq = 0;
		int			t0 = t;

		F = P[0];
		if (!(F > 0) || !isfinite(F))
			return false;
		for (i = 0; i < r; i++)
			K[i] = P[i * r] / F;
		if (r <= 6)
		{
			/* the same recursion with the state in registers (zero-padded to 6) */
			double		ph[6] = {0},
						k6[6] = {0};
			double		a0,
						a1,
						a2,
						a3,
						a4,
						a5;
			double		pad[6] = {0};

			for (i = 0; i < p; i++)
				ph[i] = phi[i];
			for (i = 0; i < r; i++)
			{
				k6[i] = K[i];
				pad[i] = a[i];
			}
			a0 = pad[0];
			a1 = pad[1];
			a2 = pad[2];
			a3 = pad[3];
			a4 = pad[4];
			a5 = pad[5];
			for (; t < m; t++)
			{
				double		v = z[t] - a0;
				double		zt = a0 + k6[0] * v;
				double		b0 = a1 + k6[1] * v,
							b1 = a2 + k6[2] * v,
							b2 = a3 + k6[3] * v,
							b3 = a4 + k6[4] * v,
							b4 = a5 + k6[5] * v;

				ssq += v * v;
				if (t == m - 1)
				{
					pad[0] = zt;
					pad[1] = b0;
					pad[2] = b1;
					pad[3] = b2;
					pad[4] = b3;
					pad[5] = b4;
					memcpy(f->a, pad, sizeof(double) * r);
				}
				a0 = ph[0] * zt + b0;
				a1 = ph[1] * zt + b1;
				a2 = ph[2] * zt + b2;
				a3 = ph[3] * zt + b3;
				a4 = ph[4] * zt + b4;
				a5 = ph[5] * zt;
			}
		}
		for (; t < m; t++)
		{
			double		v = z[t] - a[0];
			double		a0;

			ssq += v * v;
			for (i = 0; i < r; i++)
				a[i] += K[i] * v;
			if (t == m - 1)
				memcpy(f->a, a, sizeof(double) * r);
			/* a = T a, in place: row i is phi_i a[0] + a[i+1] */
			a0 = a[0];
			for (i = 0; i + 1 < r; i++)
				a[i] = (i < p ? phi[i] * a0 : 0) + a[i + 1];
			a[r - 1] = r - 1 < p ? phi[r - 1] * a0 : 0;
		}
		f->ssq += ssq / F;
		f->sumlog += (m - t0) * log(F);
		f->nu += m - t0;
	}
	return true;
}

/* AR and MA coefficients and the mean from the optimiser's coordinates. */
static void
ArimaFromCoords(const ArimaProblem *g, const double *x, double *phi, double *theta, double *mean)
{
	int			i;

	ArimaPartrans(g->p, x, phi);
	ArimaPartrans(g->q, x + g->p, theta);
	for (i = 0; i < g->q; i++)
		theta[i] = -theta[i];
	*mean = g->include_mean ? g->wbar + x[g->p + g->q] * g->wsd : 0;
}

/* The concentrated exact log-likelihood of the parameters, -inf if none. */
static double
ArimaLoglik(const ArimaProblem *g, const double *phi, const double *theta, double mean,
			double *sigma2)
{
	ArimaFilter f;
	int			t;

	for (t = 0; t < g->m; t++)
		g->buf[t] = g->w[t] - mean;
	if (!ArimaKalman(g->p, g->q, phi, theta, g->buf, g->m, &f) || !(f.ssq > 0))
		return -INFINITY;
	if (sigma2)
		*sigma2 = f.ssq / f.nu;
	return -0.5 * (f.nu * (LOG_2PI + log(f.ssq / f.nu)) + f.sumlog + f.nu);
}

/*
 * NLopt's objective: the log-likelihood at x (maximised); progress is
 * reported with interrupts held, and a pending cancel stops NLopt, to be
 * served once it has freed its memory.
 */
static double
ArimaObjective(unsigned nx, const double *x, double *grad, void *data)
{
	ArimaProblem *g = (ArimaProblem *) data;
	double		phi[ARIMA_MAX_PQ],
				theta[ARIMA_MAX_PQ],
				mean,
				ll;

	(void) nx;
	(void) grad;
	g->evals++;
	if (g->ctx && g->report)
	{
		HOLD_INTERRUPTS();
		ForecastProgress(g->ctx, "arima fit", g->evals, 0);
		RESUME_INTERRUPTS();
	}
	if (InterruptPending && (QueryCancelPending || ProcDiePending))
	{
		g->interrupted = true;
		nlopt_force_stop(g->opt);
	}
	ArimaFromCoords(g, x, phi, theta, &mean);
	ll = ArimaLoglik(g, phi, theta, mean, NULL);
	return isfinite(ll) ? ll : -1e300;
}

/* One BOBYQA run from x; returns NLopt's result, *best the optimum (the risk module's runner). */
static nlopt_result
ArimaOptimise(ArimaProblem *g, int k, const double *lb, const double *ub,
			  const double *step, double *x, double *best)
{
	return RiskBobyqaMaximise(ArimaObjective, g, &g->opt, k, lb, ub, step, ARIMA_MAXEVAL, x, best);
}

/*
 * Fit ARMA(p, q) (with a mean or not) to the differenced series w[0..m-1]
 * by exact maximum likelihood; a pending cancel is served here, after NLopt
 * is done.
 */
static void
ArimaFitOrder(const double *w, int m, int p, int q, bool include_mean,
			  ForecastTrainCtx *ctx, bool report, ArimaFitResult *res)
{
	ArimaProblem g;
	int			k = p + q + (include_mean ? 1 : 0);
	double		x[2 * ARIMA_MAX_PQ + 1],
				lb[2 * ARIMA_MAX_PQ + 1],
				ub[2 * ARIMA_MAX_PQ + 1],
				step[2 * ARIMA_MAX_PQ + 1];
	double		best = -INFINITY;
	bool		ok[2] = {false, false};
	double		gain = 0;
	int			i,
				run;

	memset(res, 0, sizeof(*res));
	memset(&g, 0, sizeof(g));
	memset(x, 0, sizeof(x));
	g.w = w;
	g.m = m;
	g.p = p;
	g.q = q;
	g.include_mean = include_mean;
	g.ctx = ctx;
	g.report = report;
	g.buf = palloc(sizeof(double) * Max(m, 1));
	for (i = 0; i < m; i++)
		g.wbar += w[i];
	g.wbar /= m;
	for (i = 0; i < m; i++)
		g.wsd += (w[i] - g.wbar) * (w[i] - g.wbar);
	g.wsd = sqrt(g.wsd / Max(m - 1, 1));

	/* start: white noise around the sample mean, as R's "ML" does */
	for (i = 0; i < k; i++)
	{
		x[i] = 0;
		lb[i] = -ARIMA_UBOUND;
		ub[i] = ARIMA_UBOUND;
		step[i] = 0.1;
	}
	if (include_mean)
	{
		lb[k - 1] = -20;
		ub[k - 1] = 20;
		step[k - 1] = 0.05;
	}

	if (k > 0)
	{
		for (run = 0; run < 2; run++)
		{
			double		xr[2 * ARIMA_MAX_PQ + 1];
			double		f = -INFINITY;
			nlopt_result r;

			memcpy(xr, x, sizeof(double) * k);
			if (run == 1)
				for (i = 0; i < k; i++)
					step[i] = 0.01;
			r = ArimaOptimise(&g, k, lb, ub, step, xr, &f);
			if (g.interrupted)
				break;
			if (r == NLOPT_OUT_OF_MEMORY)
				ereport(ERROR,
						(errcode(ERRCODE_OUT_OF_MEMORY),
						 errmsg("out of memory in the ARIMA optimiser")));
			ok[run] = r > 0 && r != NLOPT_MAXEVAL_REACHED && r != NLOPT_MAXTIME_REACHED;
			gain = isfinite(f) && isfinite(best) ? f - best : 0;
			if (isfinite(f) && f > -1e300 && f >= best)
			{
				best = f;
				memcpy(x, xr, sizeof(double) * k);
			}
		}
		/* serve a pending cancel now that NLopt has freed its memory */
		if (ctx && report)
			ForecastProgress(ctx, "arima fit", g.evals, 0);
		else
			CHECK_FOR_INTERRUPTS();
	}
	ArimaFromCoords(&g, x, res->phi, res->theta, &res->mean);
	res->loglik = ArimaLoglik(&g, res->phi, res->theta, res->mean, &res->sigma2);
	res->ok = isfinite(res->loglik);
	res->converged = k == 0 || ok[1] || (ok[0] && gain <= 1e-6);
	res->evals = g.evals;
	pfree(g.buf);
}

/*
 * The smallest modulus of the roots of 1 + c[0] z + ... + c[k-1] z^k
 * (trailing coefficients below 1e-8 dropped, as auto.arima does); 2 when
 * there are none.  The roots' reciprocals are the eigenvalues of the
 * companion matrix of z^k + c[0] z^(k-1) + ... + c[k-1].
 */
static double
ArimaMinRoot(const double *c, int k)
{
	double		A[ARIMA_MAX_PQ * ARIMA_MAX_PQ];
	double		wr[ARIMA_MAX_PQ],
				wi[ARIMA_MAX_PQ];
	double		maxmod = 0;
	int			i;

	while (k > 0 && fabs(c[k - 1]) <= 1e-8)
		k--;
	if (k == 0)
		return 2;
	memset(A, 0, sizeof(double) * k * k);
	for (i = 0; i < k; i++)
		A[i] = -c[i];
	for (i = 1; i < k; i++)
		A[i * k + i - 1] = 1;
	if (LAPACKE_dhseqr(LAPACK_ROW_MAJOR, 'E', 'N', k, 1, k, A, k, wr, wi, NULL, k) != 0)
		return 0;
	for (i = 0; i < k; i++)
		maxmod = Max(maxmod, hypot(wr[i], wi[i]));
	return maxmod > 0 ? Min(2, 1 / maxmod) : 2;
}

/* Difference y[0..n-1] d times into out (n - d values). */
static void
ArimaDiff(const double *y, int n, int d, double *out)
{
	int			i,
				k;

	memcpy(out, y, sizeof(double) * n);
	for (k = 0; k < d; k++)
		for (i = 0; i < n - k - 1; i++)
			out[i] = out[i + 1] - out[i];
}

/* True when x has no spread (forecast's is.constant: all equal to the first). */
static bool
ArimaIsConstant(const double *x, int n)
{
	int			i;

	for (i = 1; i < n; i++)
		if (x[i] != x[0])
			return false;
	return true;
}

/*
 * The KPSS level-stationarity statistic of x with Bartlett lag l, as
 * urca's ur.kpss(type = "mu", use.lag = l) computes it.
 */
static double
ArimaKpss(const double *x, int n, int l)
{
	double		mean = 0,
				s = 0,
				eta = 0,
				s2 = 0;
	int			i,
				t;

	for (t = 0; t < n; t++)
		mean += x[t];
	mean /= n;
	for (t = 0; t < n; t++)
	{
		double		e = x[t] - mean;

		s += e;
		eta += s * s;
		s2 += e * e;
	}
	eta /= (double) n * n;
	s2 /= n;
	for (i = 1; i <= l; i++)
	{
		double		c = 0;

		CHECK_FOR_INTERRUPTS();
		for (t = i; t < n; t++)
			c += (x[t] - mean) * (x[t - i] - mean);
		s2 += 2.0 / n * (1 - (double) i / (l + 1)) * c;
	}
	return eta / s2;
}

/* forecast::ndiffs(x, test = "kpss", alpha = 0.05, max.d) on y. */
static int
ArimaNdiffs(const double *y, int n, int max_d)
{
	double	   *x = palloc(sizeof(double) * n);
	int			d = 0,
				m = n;

	memcpy(x, y, sizeof(double) * n);
	if (ArimaIsConstant(x, m))
		return 0;
	while (d < max_d && m > 2 &&
		   ArimaKpss(x, m, (int) trunc(3 * sqrt((double) m) / 13)) > KPSS_CRIT_5PCT)
	{
		ArimaDiff(x, m, 1, x);
		m--;
		d++;
		if (ArimaIsConstant(x, m))
			break;
	}
	pfree(x);
	return d;
}

/* Whether params has key. */
static bool
ArimaParamGiven(Jsonb *params, const char *key)
{
	JsonbValue	v;

	return params != NULL && JB_ROOT_IS_OBJECT(params) &&
		getKeyJsonValueFromContainer(&params->root, key, strlen(key), &v) != NULL;
}

/* A double as JSON (null for non-finite). */
static void
ArimaJsonNum(StringInfo b, double v)
{
	if (isfinite(v))
		appendStringInfo(b, "%.17g", v);
	else
		appendStringInfoString(b, "null");
}

/* A JSON array of k doubles. */
static void
ArimaJsonArray(StringInfo b, const double *v, int k)
{
	int			i;

	appendStringInfoChar(b, '[');
	for (i = 0; i < k; i++)
	{
		if (i > 0)
			appendStringInfoChar(b, ',');
		ArimaJsonNum(b, v[i]);
	}
	appendStringInfoChar(b, ']');
}

/* Information criteria of a fit with npar parameters (sigma2 included) on m values. */
static void
ArimaCriteria(double loglik, int npar, int m, double *aic, double *aicc, double *bic)
{
	*aic = -2 * loglik + 2 * npar;
	*aicc = m - npar - 1 > 0 ? *aic + 2.0 * npar * (npar + 1) / (m - npar - 1) : INFINITY;
	*bic = *aic + npar * (log((double) m) - 2);
}

/* Check a series: finite values, long enough for d differences and k parameters. */
static void
ArimaCheckSeries(const double *y, int n, int d, int k)
{
	int			i;

	for (i = 0; i < n; i++)
		if (!isfinite(y[i]))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("the series must not contain infinite or NaN values")));
	if (n - d < k + 3)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("the series is too short for this ARIMA model: %d values", n),
				 errdetail("An ARIMA with d = %d and %d coefficients needs at least %d values.",
						   d, k, d + k + 3)));
}

/* Train: fixed order or AICc search; see the file header. */
static void
ArimaTrain(const ForecastData *data, ForecastTrainCtx *ctx, ForecastFit *out)
{
	Jsonb	   *params = ctx->params;
	const double *y = data->y;
	int			n = data->n;
	int		   *order;
	int			norder = 0;
	int			d,
				max_p,
				max_q,
				max_order,
				max_d;
	bool		mean_given = ArimaParamGiven(params, "include_mean");
	bool		fixed;
	char	   *method = ForecastParamText(params, "method", "ML");
	double	   *w;
	int			m;
	int			best_p = 0,
				best_q = 0;
	bool		best_mean = false;
	double		best_ic = INFINITY;
	ArimaFitResult best;
	StringInfoData cand;
	int			ncand = 0,
				total = 0,
				done = 0;
	int			p,
				q,
				k;
	double		aic,
				aicc,
				bic;
	ArimaHeader hdr;
	StringInfoData sb,
				js;
	int			i;
	bool		d_fixed;
	double		sigma2;

	if (strcmp(method, "ML") != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("parameter \"method\" of model kind \"arima\" must be \"ML\": \"%s\"", method)));
	for (i = 0; i < n; i++)
		if (!isfinite(y[i]))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("the series must not contain infinite or NaN values")));
	if (n < 4)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("the series is too short for an ARIMA model: %d values", n)));
	if (ArimaIsConstant(y, n))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("the series is constant")));

	order = ForecastParamIntArray(params, "order", &norder);
	fixed = order != NULL;
	max_p = ForecastParamInt(params, "max_p", 5, 0, ARIMA_MAX_PQ);
	max_q = ForecastParamInt(params, "max_q", 5, 0, ARIMA_MAX_PQ);
	max_order = ForecastParamInt(params, "max_order", 5, 0, 2 * ARIMA_MAX_PQ);
	max_d = ForecastParamInt(params, "max_d", 2, 0, ARIMA_MAX_D);
	if (fixed)
	{
		if (norder != 3 || order[0] < 0 || order[0] > ARIMA_MAX_PQ ||
			order[1] < 0 || order[1] > ARIMA_MAX_D ||
			order[2] < 0 || order[2] > ARIMA_MAX_PQ)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("parameter \"order\" must be [p, d, q] with p and q between 0 and %d and d between 0 and %d",
							ARIMA_MAX_PQ, ARIMA_MAX_D)));
		if (ArimaParamGiven(params, "d") && ForecastParamInt(params, "d", 0, 0, ARIMA_MAX_D) != order[1])
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("parameters \"d\" and \"order\" disagree")));
		d = order[1];
		d_fixed = true;
	}
	else if (ArimaParamGiven(params, "d"))
	{
		d = ForecastParamInt(params, "d", 0, 0, ARIMA_MAX_D);
		d_fixed = true;
	}
	else
	{
		d = ArimaNdiffs(y, n, max_d);
		d_fixed = false;
	}

	if (n - d < 3)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("the series is too short for an ARIMA model with d = %d: %d values", d, n)));
	m = n - d;
	w = palloc(sizeof(double) * n);
	ArimaDiff(y, n, d, w);
	if (ArimaIsConstant(w, m))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("the series differenced %d times is constant", d)));

	initStringInfo(&cand);
	if (fixed)
	{
		bool		with_mean = d == 0 && ForecastParamBool(params, "include_mean", true);

		best_p = order[0];
		best_q = order[2];
		best_mean = with_mean;
		ArimaCheckSeries(y, n, d, best_p + best_q + (with_mean ? 1 : 0) + 1);
		ArimaFitOrder(w, m, best_p, best_q, with_mean, ctx, true, &best);
		if (!best.ok)
			ereport(ERROR,
					(errcode(FORECAST_ERRCODE_LIBRARY),
					 errmsg("the ARIMA(%d,%d,%d) likelihood could not be evaluated", best_p, d, best_q)));
	}
	else
	{
		int			mean_lo,
					mean_hi;

		if (d == 0 && !mean_given)
		{
			mean_lo = 0;
			mean_hi = 1;
		}
		else
		{
			mean_lo = mean_hi = (d == 0 && ForecastParamBool(params, "include_mean", true)) ? 1 : 0;
		}
		for (p = 0; p <= max_p; p++)
			for (q = 0; q <= max_q; q++)
				if (p + q <= max_order)
					total += mean_hi - mean_lo + 1;
		memset(&best, 0, sizeof(best));
		for (p = 0; p <= max_p; p++)
			for (q = 0; q <= max_q; q++)
			{
				int			km;

				if (p + q > max_order)
					continue;
				for (km = mean_lo; km <= mean_hi; km++)
				{
					ArimaFitResult r;
					double		ic = INFINITY;
					double		negphi[ARIMA_MAX_PQ];
					bool		rejected = false;

					ForecastProgress(ctx, "arima order search", done, total);
					done++;
					k = p + q + km + 1;
					if (m - k - 1 <= 0)
						continue;
					ArimaFitOrder(w, m, p, q, km == 1, ctx, false, &r);
					aic = aicc = bic = INFINITY;
					if (r.ok)
					{
						ArimaCriteria(r.loglik, k, m, &aic, &aicc, &bic);
						for (i = 0; i < p; i++)
							negphi[i] = -r.phi[i];
						if (ArimaMinRoot(negphi, p) < ARIMA_ROOT_MIN ||
							ArimaMinRoot(r.theta, q) < ARIMA_ROOT_MIN)
							rejected = true;
						else
							ic = aicc;
					}
					appendStringInfo(&cand, "%s{\"p\":%d,\"q\":%d,\"mean\":%s,\"loglik\":",
									 ncand > 0 ? "," : "", p, q, km ? "true" : "false");
					ArimaJsonNum(&cand, r.ok ? r.loglik : NAN);
					appendStringInfoString(&cand, ",\"aic\":");
					ArimaJsonNum(&cand, aic);
					appendStringInfoString(&cand, ",\"aicc\":");
					ArimaJsonNum(&cand, aicc);
					appendStringInfo(&cand, ",\"rejected\":%s}", rejected ? "true" : "false");
					ncand++;
					if (ic < best_ic)
					{
						best_ic = ic;
						best = r;
						best_p = p;
						best_q = q;
						best_mean = km == 1;
					}
				}
			}
		if (!isfinite(best_ic))
			ereport(ERROR,
					(errcode(FORECAST_ERRCODE_LIBRARY),
					 errmsg("no ARIMA model could be fitted to the series")));
	}

	k = best_p + best_q + (best_mean ? 1 : 0) + 1;
	ArimaCriteria(best.loglik, k, m, &aic, &aicc, &bic);
	/* forecast::Arima's sigma2: the innovations' sum of squares over m - (k - 1) */
	sigma2 = best.sigma2 * m / Max(m - (k - 1), 1);

	/* state */
	memset(&hdr, 0, sizeof(hdr));
	hdr.magic = ARIMA_MAGIC;
	hdr.version = ARIMA_VERSION;
	hdr.p = best_p;
	hdr.d = d;
	hdr.q = best_q;
	hdr.include_mean = best_mean ? 1 : 0;
	hdr.n = n;
	initStringInfo(&sb);
	appendBinaryStringInfo(&sb, (char *) &hdr, sizeof(hdr));
	appendBinaryStringInfo(&sb, (char *) best.phi, sizeof(double) * best_p);
	appendBinaryStringInfo(&sb, (char *) best.theta, sizeof(double) * best_q);
	appendBinaryStringInfo(&sb, (char *) &best.mean, sizeof(double));
	appendBinaryStringInfo(&sb, (char *) &sigma2, sizeof(double));
	appendBinaryStringInfo(&sb, (char *) y, sizeof(double) * n);
	out->state = ForecastBytea(sb.data, sb.len);

	/* summary */
	initStringInfo(&js);
	appendStringInfo(&js, "{\"order\":[%d,%d,%d],\"include_mean\":%s,\"ar\":",
					 best_p, d, best_q, best_mean ? "true" : "false");
	ArimaJsonArray(&js, best.phi, best_p);
	appendStringInfoString(&js, ",\"ma\":");
	ArimaJsonArray(&js, best.theta, best_q);
	appendStringInfoString(&js, ",\"mean\":");
	ArimaJsonNum(&js, best_mean ? best.mean : NAN);
	appendStringInfoString(&js, ",\"sigma2\":");
	ArimaJsonNum(&js, sigma2);
	appendStringInfoString(&js, ",\"sigma2_ml\":");
	ArimaJsonNum(&js, best.sigma2);
	appendStringInfoString(&js, ",\"loglik\":");
	ArimaJsonNum(&js, best.loglik);
	appendStringInfoString(&js, ",\"aic\":");
	ArimaJsonNum(&js, aic);
	appendStringInfoString(&js, ",\"aicc\":");
	ArimaJsonNum(&js, aicc);
	appendStringInfoString(&js, ",\"bic\":");
	ArimaJsonNum(&js, bic);
	appendStringInfo(&js, ",\"nobs\":%d,\"method\":\"ML\",\"converged\":%s,\"evaluations\":%lld,\"d_rule\":\"%s\"",
					 m, best.converged ? "true" : "false", (long long) best.evals,
					 d_fixed ? "fixed" : "kpss");
	if (!fixed)
		appendStringInfo(&js, ",\"criterion\":\"aicc\",\"candidates\":[%s]", cand.data);
	appendStringInfoChar(&js, '}');
	out->summary = ForecastJsonb(js.data);
	out->sigma = sqrt(sigma2);
	out->loglik = best.loglik;
	out->aic = aic;
	out->nparams = k;
	pfree(w);
}

/* Read and check a state; ERRCODE_DATA_CORRUPTED on anything not ours. */
static void *
ArimaLoad(const bytea *state)
{
	const char *data = VARDATA_ANY(state);
	Size		len = VARSIZE_ANY_EXHDR(state);
	ArimaHeader hdr;
	ArimaModel *mod;
	const char *pos;
	int			i;

	if (len < sizeof(hdr))
		goto corrupt;
	memcpy(&hdr, data, sizeof(hdr));
	if (hdr.magic != ARIMA_MAGIC || hdr.version != ARIMA_VERSION ||
		hdr.p < 0 || hdr.p > ARIMA_MAX_PQ || hdr.q < 0 || hdr.q > ARIMA_MAX_PQ ||
		hdr.d < 0 || hdr.d > ARIMA_MAX_D || (hdr.include_mean != 0 && hdr.include_mean != 1) ||
		hdr.n < hdr.d + 1 || hdr.n > (int32) (MaxAllocSize / sizeof(double)))
		goto corrupt;
	if (len != sizeof(hdr) + sizeof(double) * ((Size) hdr.p + hdr.q + 2 + hdr.n))
		goto corrupt;
	mod = palloc0(sizeof(ArimaModel));
	mod->p = hdr.p;
	mod->d = hdr.d;
	mod->q = hdr.q;
	mod->include_mean = hdr.include_mean == 1;
	mod->n = hdr.n;
	pos = data + sizeof(hdr);
	memcpy(mod->phi, pos, sizeof(double) * hdr.p);
	pos += sizeof(double) * hdr.p;
	memcpy(mod->theta, pos, sizeof(double) * hdr.q);
	pos += sizeof(double) * hdr.q;
	memcpy(&mod->mean, pos, sizeof(double));
	pos += sizeof(double);
	memcpy(&mod->sigma2, pos, sizeof(double));
	pos += sizeof(double);
	mod->y = palloc(sizeof(double) * hdr.n);
	memcpy((double *) mod->y, pos, sizeof(double) * hdr.n);
	if (!isfinite(mod->mean) || !(mod->sigma2 > 0) || !isfinite(mod->sigma2))
		goto corrupt;
	for (i = 0; i < hdr.p; i++)
		if (!isfinite(mod->phi[i]))
			goto corrupt;
	for (i = 0; i < hdr.q; i++)
		if (!isfinite(mod->theta[i]))
			goto corrupt;
	for (i = 0; i < hdr.n; i++)
		if (!isfinite(mod->y[i]))
			goto corrupt;
	return mod;

corrupt:
	ereport(ERROR,
			(errcode(ERRCODE_DATA_CORRUPTED),
			 errmsg("invalid arima model state")));
	return NULL;
}

/*
 * The forecast of the h steps after y (NULL: the training series): the
 * filtered state after the series, projected; integrated d times; sd from
 * the psi-weights.
 */
static void
ArimaForecast(void *model, const double *yin, int nin, int h, double *mean, double *sd)
{
	ArimaModel *mod = (ArimaModel *) model;
	const double *y = yin ? yin : mod->y;
	int			n = yin ? nin : mod->n;
	int			p = mod->p,
				q = mod->q,
				d = mod->d;
	int			r = Max(p, q + 1);
	int			m = n - d;
	double	   *w;
	double	   *hist;
	double		a[ARIMA_MAX_R],
				an[ARIMA_MAX_R];
	double		Phi[ARIMA_MAX_PQ + ARIMA_MAX_D];
	double		binom[ARIMA_MAX_D + 1];
	double	   *psi;
	double		acc;
	ArimaFilter f;
	int			np = p + d;
	int			i,
				j,
				t;

	if (yin)
	{
		for (i = 0; i < n; i++)
			if (!isfinite(y[i]))
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("the series must not contain infinite or NaN values")));
		if (m < 1)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("the series to forecast from needs more than %d values: %d", d, n)));
	}
	w = palloc(sizeof(double) * n);
	ArimaDiff(y, n, d, w);
	for (t = 0; t < m; t++)
		w[t] -= mod->mean;
	if (!ArimaKalman(p, q, mod->phi, mod->theta, w, m, &f))
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("invalid arima model state"),
				 errdetail("The model's ARMA part is not stationary.")));

	/* the differenced forecasts: a = T^k a */
	memcpy(a, f.a, sizeof(double) * r);
	/* history of y for the integration: the last d values, then the forecasts */
	hist = palloc(sizeof(double) * (d + h));
	for (i = 0; i < d; i++)
		hist[i] = y[n - d + i];
	/* (1 - B)^d = sum_k binom[k] B^k */
	binom[0] = 1;
	for (i = 1; i <= d; i++)
		binom[i] = -binom[i - 1] * (d - i + 1) / i;
	for (j = 0; j < h; j++)
	{
		double		wf,
					yf;

		for (i = 0; i < r; i++)
			an[i] = (i < p ? mod->phi[i] * a[0] : 0) + (i + 1 < r ? a[i + 1] : 0);
		memcpy(a, an, sizeof(double) * r);
		wf = a[0] + mod->mean;
		/* y_t = w_t - sum_{k>=1} binom[k] y_{t-k} */
		yf = wf;
		for (i = 1; i <= d; i++)
			yf -= binom[i] * hist[d + j - i];
		hist[d + j] = yf;
		mean[j] = yf;
	}

	/* psi-weights of phi(B) (1 - B)^d against theta(B) */
	for (i = 0; i < np; i++)
	{
		/* coefficient of B^(i+1) in phi(B)(1-B)^d, negated */
		double		c = 0;

		for (j = 0; j <= d; j++)
		{
			int			ar = i + 1 - j; /* power from phi */
			double		phic = ar == 0 ? 1 : (ar >= 1 && ar <= p ? -mod->phi[ar - 1] : 0);

			c += binom[j] * phic;
		}
		Phi[i] = -c;
	}
	psi = palloc(sizeof(double) * h);
	acc = 0;
	for (j = 0; j < h; j++)
	{
		double		v = j == 0 ? 1 : (j <= q ? mod->theta[j - 1] : 0);

		for (i = 1; i <= Min(j, np); i++)
			v += Phi[i - 1] * psi[j - i];
		psi[j] = v;
		acc += v * v;
		sd[j] = sqrt(mod->sigma2 * acc);
	}
	pfree(psi);
	pfree(hist);
	pfree(w);
}

const ForecastKind ForecastKindArima = {
	.name = "arima",
	.series = true,
	.param_names = arima_params,
	.train = ArimaTrain,
	.load = ArimaLoad,
	.predict = NULL,
	.forecast = ArimaForecast,
	.regime = NULL,
};
