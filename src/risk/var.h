/*
 * src/risk/var.h
 *
 * Value at risk and expected shortfall: the distributions they need (the
 * normal quantile by Wichura's AS241, Student-t's distribution and
 * quantile), the estimators per method, a seeded xoshiro256** generator,
 * Cholesky, Monte Carlo over correlated assets, Euler contributions and the
 * Kupiec and Christoffersen backtests.  The functions here take and return
 * plain C values and report a VarStatus; var.c's SQL wrappers word each
 * status as an error.
 */
#ifndef AMPLIFIED_RISK_VAR_H
#define AMPLIFIED_RISK_VAR_H

#include <stdbool.h>
#include <stdint.h>

/* The estimation methods of risk_var / risk_cvar. */
typedef enum VarMethod
{
	VAR_HISTORICAL = 0,
	VAR_NORMAL,
	VAR_T,
	VAR_CORNISH_FISHER,
	VAR_FHS_EWMA,
	VAR_FHS_GARCH,
	VAR_NMETHODS
} VarMethod;

extern const char *const VarMethodNames[VAR_NMETHODS];

/* What went wrong, or VAR_STATUS_OK. */
typedef enum VarStatus
{
	VAR_STATUS_OK = 0,
	VAR_ERR_TOO_FEW,			/* fewer returns than the method needs */
	VAR_ERR_CONSTANT,			/* no variance where the method needs one */
	VAR_ERR_SHAPE,				/* Student-t shape not > 2 */
	VAR_ERR_GARCH,				/* GARCH parameters unusable */
	VAR_ERR_CF,					/* Cornish-Fisher expansion not increasing */
	VAR_ERR_NOT_PD				/* covariance not positive definite */
} VarStatus;

/* GARCH(1,1) estimates for filtered historical simulation. */
typedef struct VarGarch
{
	double		mu;
	double		omega;
	double		alpha;
	double		beta;
} VarGarch;

/* xoshiro256** state. */
typedef struct VarRng
{
	uint64_t	s[4];
	bool		have_spare;
	double		spare;
} VarRng;

#define VAR_EWMA_LAMBDA 0.94

extern int	VarMethodFromName(const char *name);	/* -1 if unknown */
extern double VarQnorm(double p);
extern double VarDnorm(double x);
extern double VarPt(double t, double df);
extern double VarDt(double t, double df);
extern double VarQt(double p, double df);
extern double VarQuantile7(const double *sorted, int n, double p);
extern VarStatus VarEstimate(const double *r, int n, double confidence, VarMethod method,
							 double shape, const VarGarch *garch, double *work,
							 double *var, double *cvar);
extern void VarRngSeed(VarRng *rng, uint64_t seed);
extern uint64_t VarRngNext(VarRng *rng);
extern double VarRngNormal(VarRng *rng);
extern VarStatus VarCholesky(const double *cov, int n, double *l);
extern double VarKupiecLR(int n, int x, double p);
extern double VarChristoffersenLR(const bool *hits, int n);
extern double VarChisq1PValue(double lr);

#endif							/* AMPLIFIED_RISK_VAR_H */
