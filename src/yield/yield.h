/*
 * src/yield/yield.h
 *
 * LST/LRT yields from exchange-rate series: the annualised relative change
 * of an exchange rate, simple (APR) and compounded (APY).  The functions
 * here are pure (no palloc, no ereport); apr.c's SQL wrappers turn a status
 * into an error.
 */
#ifndef AMPLIFIED_YIELD_H
#define AMPLIFIED_YIELD_H

#include "evm/evm.h"

/* Seconds in the 365-day year every APR and APY here is expressed in. */
#define YIELD_SECONDS_PER_YEAR	(365.0 * 86400.0)

/* What went wrong, or YIELD_OK; apr.c words each one as an error. */
typedef enum YieldStatus
{
	YIELD_OK = 0,
	YIELD_ERR_ZERO_THEN,		/* the earlier rate is zero */
	YIELD_ERR_ZERO_NOW,			/* the later rate is zero */
	YIELD_ERR_SECONDS,			/* seconds not positive and finite */
	YIELD_ERR_RANGE				/* the annualised result is not finite */
} YieldStatus;

extern double YieldUint256ToDouble(const Uint256 *a);
extern YieldStatus YieldRelativeChange(const Uint256 *then, const Uint256 *now, double *r);
extern YieldStatus YieldApr(const Uint256 *then, const Uint256 *now, double seconds, double *apr);
extern YieldStatus YieldApy(const Uint256 *then, const Uint256 *now, double seconds, double *apy);

#endif							/* AMPLIFIED_YIELD_H */
