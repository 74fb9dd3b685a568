/*
 * src/derivs/options.h
 *
 * European option pricing: Black-Scholes-Merton with a continuous dividend
 * (or staking) yield, Black-76 on a forward, their greeks, and the implied
 * volatility solver.  Plain C values in and out, no palloc and no ereport:
 * options.c's SQL wrappers validate the inputs and word the errors.
 */
#ifndef AMPLIFIED_DERIVS_OPTIONS_H
#define AMPLIFIED_DERIVS_OPTIONS_H

#include <stdbool.h>

/*
 * The greeks of one option.  A field is meaningless when its has_ flag is
 * false: that happens only at s = vol * sqrt(t) = 0 with the forward at the
 * strike, where gamma (and, at t = 0, theta) have no finite limit.
 */
typedef struct OptGreeks
{
	double		price;
	double		delta;			/* dV/dS (Black-76: dV/dF) */
	double		gamma;			/* d2V/dS2 */
	double		vega;			/* dV/dvol, per unit of vol (1.00 = 100 %) */
	double		theta;			/* dV/dt as calendar time passes = -dV/dT, per year */
	double		rho;			/* dV/drate, per unit of rate */
	double		div_rho;		/* dV/ddiv_yield, per unit (Black-76: 0) */
	double		vanna;			/* d2V/dS dvol */
	double		volga;			/* d2V/dvol2 */
	double		prob_itm;		/* N(theta_s d2): risk-neutral P(expiring in the money) */
	bool		has_gamma;
	bool		has_theta;
} OptGreeks;

/* Why the implied volatility solver gave up. */
typedef enum OptIvStatus
{
	OPT_IV_OK = 0,
	OPT_IV_BELOW,				/* price at or below the lower bound */
	OPT_IV_ABOVE,				/* price at or above the upper bound */
	OPT_IV_NO_CONVERGENCE		/* b underflows in float8 before it reaches the price */
} OptIvStatus;

extern double OptNormCdf(double x);
extern double OptNormPdf(double x);
extern void OptBsGreeks(bool is_call, double spot, double strike, double t,
						double rate, double vol, double div_yield, OptGreeks *g);
extern void OptBlack76Greeks(bool is_call, double forward, double strike, double t,
							 double rate, double vol, OptGreeks *g);
extern double OptNormalisedCall(double x, double s);
extern OptIvStatus OptImpliedVol(bool is_call, double price, double forward,
								 double strike, double t, double discount,
								 double *vol, double *lower, double *upper);

#endif
