/*
 * src/risk/vol.h
 *
 * Volatility models over a return series (oldest first): the RiskMetrics
 * EWMA variance and GARCH(1,1) with normal or standardized Student-t
 * innovations, fitted by maximum likelihood.  The functions here take and
 * return plain C values (no palloc, no ereport); vol.c's SQL wrappers check
 * the inputs and turn a status into an error.
 */
#ifndef AMPLIFIED_RISK_VOL_H
#define AMPLIFIED_RISK_VOL_H

#include <stdbool.h>

#include <nlopt.h>

/* Fewest returns a GARCH(1,1) fit accepts. */
#define RISK_GARCH_MIN_N 10

/* Number of GARCH parameters: mu, omega, alpha, beta and (t only) shape. */
#define RISK_GARCH_MAXPAR 5

typedef enum RiskGarchDist
{
	RISK_DIST_NORMAL = 0,
	RISK_DIST_T					/* standardized Student-t, as fGarch's "std" */
} RiskGarchDist;

/* GARCH(1,1) parameters; shape (degrees of freedom) is used for t only. */
typedef struct RiskGarchParams
{
	double		mu;
	double		omega;
	double		alpha;
	double		beta;
	double		shape;
} RiskGarchParams;

/* A fit: estimates, log-likelihood, standard errors (se_ok false: none). */
typedef struct RiskGarchFit
{
	RiskGarchParams p;
	double		loglik;
	double		se[RISK_GARCH_MAXPAR];
	bool		se_ok[RISK_GARCH_MAXPAR];
	bool		converged;
	bool		interrupted;	/* the optimiser was stopped by a pending interrupt */
	int			nlopt_result;
	int			evaluations;
} RiskGarchFit;

/* What went wrong in a fit, or RISK_VOL_OK. */
typedef enum RiskVolStatus
{
	RISK_VOL_OK = 0,
	RISK_VOL_TOO_SHORT,			/* fewer than RISK_GARCH_MIN_N returns */
	RISK_VOL_CONSTANT,			/* the series has no variance */
	RISK_VOL_NOMEM,				/* the optimiser could not be created */
	RISK_VOL_FAILED				/* no finite likelihood was found */
} RiskVolStatus;

/* One BOBYQA maximisation with the module's tolerances (vol.c). */
extern nlopt_result RiskBobyqaMaximise(nlopt_func objective, void *data, nlopt_opt *slot, int k,
									   const double *lb, const double *ub, const double *step,
									   int maxeval, double *x, double *best);

extern double RiskEwmaVariance(const double *r, int n, double lambda, double *var);
extern double RiskGarchLoglik(const double *r, int n, const RiskGarchParams *p,
							  RiskGarchDist dist, double *h);
extern double RiskGarchVariance(const double *r, int n, const RiskGarchParams *p, double *h);
extern void RiskGarchForecast(const RiskGarchParams *p, double next, int horizon, double *out);
extern RiskVolStatus RiskGarchFitSeries(const double *r, int n, RiskGarchDist dist,
										RiskGarchFit *fit);

#endif							/* AMPLIFIED_RISK_VOL_H */
