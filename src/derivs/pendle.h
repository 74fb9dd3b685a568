/*
 * src/derivs/pendle.h
 *
 * Fixed yield in the Pendle v2 style: principal token (PT) price and implied
 * APY over a time to maturity, the yield token (YT) value, and the market's
 * AMM as Pendle v2's MarketMathCore defines it (rate scalar, rate anchor,
 * exchange rate from the pool's proportion, fees, exact swaps and the new
 * implied rate), in float8.  Pure functions: no palloc, no ereport; each
 * returns a PendleStatus that pendle.c's wrappers turn into an error.
 */
#ifndef AMPLIFIED_DERIVS_PENDLE_H
#define AMPLIFIED_DERIVS_PENDLE_H

#include <stdint.h>

#include "evm/evm.h"

/* Pendle's IMPLIED_RATE_TIME: 365 days of seconds. */
#define PENDLE_YEAR_SECONDS		(365.0 * 86400.0)
/* MarketMathCore.MAX_MARKET_PROPORTION: 96 % PT after a trade. */
#define PENDLE_MAX_PROPORTION	0.96

/* What went wrong, or PENDLE_OK; each maps to one SQLSTATE in pendle.c. */
typedef enum PendleStatus
{
	PENDLE_OK = 0,
	PENDLE_BAD_PARAM,			/* a non-finite or out-of-domain argument */
	PENDLE_EXPIRED,				/* now at or after expiry */
	PENDLE_ZERO_TOTALS,			/* totalPt or totalAsset is zero */
	PENDLE_INSUFFICIENT_PT,		/* the market holds no more PT than asked */
	PENDLE_PROPORTION_TOO_HIGH,	/* PT share above 96 % after the trade */
	PENDLE_RATE_BELOW_ONE,		/* exchange rate (asset per PT) under 1 */
	PENDLE_NEGATIVE_RESERVE,	/* a reserve would become negative */
	PENDLE_ZERO_IMPLIED_RATE,	/* the new ln implied rate is zero */
	PENDLE_OVERFLOW				/* the result is too large for float8 */
} PendleStatus;

/* A market's state as MarketMathCore's MarketState, in token units. */
typedef struct PendleMarket
{
	double		totalPt;
	double		totalSy;
	double		syIndex;		/* asset per SY (PYIndex) */
	double		scalarRoot;
	double		lastLnImpliedRate;
	double		lnFeeRateRoot;
	double		reserveFeePercent;	/* 0..100 */
	int64_t		expiry;			/* unix seconds */
} PendleMarket;

/* MarketPreCompute plus the quote at the current state. */
typedef struct PendleQuote
{
	double		rateScalar;
	double		totalAsset;
	double		rateAnchor;
	double		feeRate;
	double		exchangeRate;	/* asset per PT at the current proportion */
	PendleStatus exchangeRateStatus;	/* PENDLE_OK, or why there is no quote */
} PendleQuote;

/* The result of one swap, and the market after it. */
typedef struct PendleTrade
{
	double		netSyToAccount; /* negative when the account pays SY */
	double		netSyFee;
	double		netSyToReserve;
	double		newTotalPt;
	double		newTotalSy;
	double		newLnImpliedRate;
} PendleTrade;

/* The comparison of a fixed rate with a floating forecast. */
typedef struct PendleFixedFloat
{
	double		fixedRate;		/* ln(1 + implied APY), continuous */
	double		fixedTermReturn;
	double		floatingTermReturn;
	double		floatingTermSd;	/* of the term's log growth */
	double		probFloatingBeats;
	int			recommendation; /* -1 lock, 0 indifferent, 1 float */
} PendleFixedFloat;

/* A market's state as the contract holds it: 1e18 integers (int256). */
typedef struct PendleWeiMarket
{
	Uint256		totalPt;
	Uint256		totalSy;
	Uint256		index;			/* PYIndex: asset per SY at 1e18 */
	Uint256		scalarRoot;
	Uint256		lastLnImpliedRate;
	Uint256		lnFeeRateRoot;
	int64_t		reserveFeePercent;	/* 0..100 */
	int64_t		expiry;
} PendleWeiMarket;

/* MarketPreCompute and the current exchange rate, at 1e18. */
typedef struct PendleWeiQuote
{
	Uint256		rateScalar;
	Uint256		totalAsset;
	Uint256		rateAnchor;
	Uint256		feeRate;
	Uint256		exchangeRate;
	PendleStatus exchangeRateStatus;	/* PENDLE_OK, or why there is no quote */
} PendleWeiQuote;

/* executeTradeCore's results and the market after the trade, at 1e18. */
typedef struct PendleWeiTrade
{
	Uint256		netSyToAccount;
	Uint256		netSyFee;
	Uint256		netSyToReserve;
	Uint256		newTotalPt;
	Uint256		newTotalSy;
	Uint256		newLnImpliedRate;
} PendleWeiTrade;

extern PendleStatus PendleWeiExecute(const PendleWeiMarket *m, const Uint256 *netPtToAccount,
									 int64_t now, PendleWeiQuote *q, PendleWeiTrade *t);
extern PendleStatus PendleWeiExp(const Uint256 *x, Uint256 *r);
extern PendleStatus PendleWeiLn(const Uint256 *x, Uint256 *r);
extern void PendleReport(PendleStatus st, const char *what);
extern void PendleCheckNow(int64_t now);

extern PendleStatus PendlePtPrice(double impliedApy, int64_t seconds, double *price);
extern PendleStatus PendleImpliedApy(double ptPrice, int64_t seconds, double *apy);
extern PendleStatus PendleRateScalar(double scalarRoot, int64_t timeToExpiry, double *rateScalar);
extern PendleStatus PendleExchangeRate(double totalPt, double totalAsset, double rateScalar,
									   double rateAnchor, double netPtToAccount, double *rate);
extern PendleStatus PendleLnImpliedRate(double totalPt, double totalAsset, double rateScalar,
										double rateAnchor, int64_t timeToExpiry, double *lnRate);
extern PendleStatus PendleRateAnchor(double totalPt, double lastLnImpliedRate, double totalAsset,
									 double rateScalar, int64_t timeToExpiry, double *anchor);
extern PendleStatus PendlePreCompute(const PendleMarket *m, int64_t now, PendleQuote *q);
extern PendleStatus PendleExecuteTrade(const PendleMarket *m, double netPtToAccount,
									   int64_t now, PendleTrade *t);
extern PendleStatus PendleFixedVsFloating(double impliedApy, int64_t seconds,
										  double expectedApr, double aprSd,
										  double threshold, PendleFixedFloat *r);

#endif							/* AMPLIFIED_DERIVS_PENDLE_H */
