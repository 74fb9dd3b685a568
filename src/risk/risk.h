/*
 * src/risk/risk.h
 *
 * Circuit-breaker math: tiered levels with hysteresis, the largest relative
 * move of a price series and an LST's discount to its exchange rate.  The
 * functions here are pure (no palloc, no ereport); breakers.c's SQL
 * wrappers turn a status into an error.
 */
#ifndef AMPLIFIED_RISK_H
#define AMPLIFIED_RISK_H

#include <stdbool.h>

/* Breaker levels, least severe first (the SQL enum risk_level has the same order). */
typedef enum RiskLevel
{
	RISK_OK = 0,
	RISK_WARN,
	RISK_REDUCE_ONLY,
	RISK_HALT,
	RISK_NLEVELS
} RiskLevel;

extern const char *const RiskLevelNames[RISK_NLEVELS];

/*
 * A breaker's tiers: at[level] is the value at which the level is entered
 * (at[RISK_OK] is unused), NaN for a tier the breaker does not use; a level
 * is left only when the value falls below at[level] - band.
 */
typedef struct RiskTiers
{
	double		at[RISK_NLEVELS];
	double		band;
} RiskTiers;

/* What went wrong, or RISK_STATUS_OK; breakers.c words each one as an error. */
typedef enum RiskStatus
{
	RISK_STATUS_OK = 0,
	RISK_ERR_VALUE,				/* value is NaN */
	RISK_ERR_THRESHOLD,			/* a threshold is infinite */
	RISK_ERR_ORDER,				/* thresholds not in order warn <= reduce_only <= halt */
	RISK_ERR_NO_TIER,			/* no threshold at all */
	RISK_ERR_BAND,				/* band negative or not finite */
	RISK_ERR_PRICE				/* a price not positive and finite */
} RiskStatus;

extern int	RiskLevelFromName(const char *name);	/* -1 if unknown */
extern RiskStatus RiskCheckTiers(const RiskTiers *t);
extern RiskLevel RiskBreakerLevel(double value, const RiskTiers *t, RiskLevel previous);
extern RiskStatus RiskMaxMove(const double *prices, int n, double *move);
extern RiskStatus RiskDepegBps(double market, double fair, double *bps);

#endif							/* AMPLIFIED_RISK_H */
