/*
 * src/derivs/pendle_wei.c
 *
 * Pendle v2's market math on the contract's own integers, bit for bit: the
 * 1e18 fixed point of PMath (mulDown, divDown on int256, truncating toward
 * zero as Solidity's signed division does), LogExpMath's exp and ln (the
 * power-of-two decompositions, the 20- and 36-decimal Taylor series, with
 * its constants), PYIndex's sign-magnitude SY <-> asset conversions, and
 * MarketMathCore's precompute, calcTrade, new implied rate and every revert.
 * Arithmetic goes through the evm module's int256 routines; an overflow the
 * contract's checked arithmetic would revert on is PENDLE_OVERFLOW.  The
 * float8 version of the same math is pendle.c.  Each step carries a
 * PendleX context whose first failure sticks, so the formulas read as the
 * Solidity does and the status is checked where the contract branches.
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "executor/executor.h"
#include "fmgr.h"
#include "funcapi.h"
#include "utils/builtins.h"
#include "utils/numeric.h"

#include "derivs/pendle.h"
#include "evm/evm.h"

/* The first failure of a computation; later steps keep going harmlessly. */
typedef struct PendleX
{
	PendleStatus st;
} PendleX;

/* Records a failure unless one is already recorded. */
static void
XFail(PendleX *c, PendleStatus st)
{
	if (c->st == PENDLE_OK)
		c->st = st;
}

/* An int256 from an int64. */
static Uint256
XI(int64 v)
{
	Uint256		r;

	Int256FromInt64(&r, v);
	return r;
}

/* a + b, checked. */
static Uint256
XAdd(PendleX *c, Uint256 a, Uint256 b)
{
	Uint256		r;

	if (!Int256Add(&a, &b, &r))
		XFail(c, PENDLE_OVERFLOW);
	return r;
}

/* a - b, checked. */
static Uint256
XSub(PendleX *c, Uint256 a, Uint256 b)
{
	Uint256		r;

	if (!Int256Sub(&a, &b, &r))
		XFail(c, PENDLE_OVERFLOW);
	return r;
}

/* a * b, checked. */
static Uint256
XMul(PendleX *c, Uint256 a, Uint256 b)
{
	Uint256		r;

	if (!Int256Mul(&a, &b, &r))
		XFail(c, PENDLE_OVERFLOW);
	return r;
}

/* a / b truncated toward zero (Solidity's signed division), checked. */
static Uint256
XDiv(PendleX *c, Uint256 a, Uint256 b)
{
	Uint256		q;

	if (!Int256DivMod(&a, &b, &q, NULL))
	{
		XFail(c, PENDLE_OVERFLOW);
		return XI(0);
	}
	return q;
}

/* a < b as int256. */
static bool
XLt(Uint256 a, Uint256 b)
{
	return Int256Cmp(&a, &b) < 0;
}

/* -a. */
static Uint256
XNeg(PendleX *c, Uint256 a)
{
	Uint256		r;

	if (!Int256Neg(&a, &r))
		XFail(c, PENDLE_OVERFLOW);
	return r;
}

/* ---- LogExpMath ---- */

#define LEM_NTERMS 12

/* LogExpMath's constants: 1e18, 1e20, 1e36, x0..x11 and a0..a11, parsed once. */
static struct
{
	bool		ready;
	Uint256		one18,
				one20,
				one36,
				minExp,
				maxExp,
				ln36Lo,
				ln36Hi;
	Uint256		x[LEM_NTERMS];
	Uint256		a[LEM_NTERMS];
}			Lem;

/* The decimal digits of x_n and a_n (a0, a1 with no decimals, the rest at 20). */
static const char *const LemX[LEM_NTERMS] = {
	"128000000000000000000", "64000000000000000000", "3200000000000000000000",
	"1600000000000000000000", "800000000000000000000", "400000000000000000000",
	"200000000000000000000", "100000000000000000000", "50000000000000000000",
	"25000000000000000000", "12500000000000000000", "6250000000000000000"
};
static const char *const LemA[LEM_NTERMS] = {
	"38877084059945950922200000000000000000000000000000000000",
	"6235149080811616882910000000",
	"7896296018268069516100000000000000",
	"888611052050787263676000000",
	"298095798704172827474000",
	"5459815003314423907810",
	"738905609893065022723",
	"271828182845904523536",
	"164872127070012814685",
	"128402541668774148407",
	"113314845306682631683",
	"106449445891785942956"
};

/* Parses LogExpMath's constants on first use. */
static void
LemInit(void)
{
	int			i;

	if (Lem.ready)
		return;
	(void) Int256FromText("1000000000000000000", &Lem.one18);
	(void) Int256FromText("100000000000000000000", &Lem.one20);
	(void) Int256FromText("1000000000000000000000000000000000000", &Lem.one36);
	(void) Int256FromText("-41000000000000000000", &Lem.minExp);
	(void) Int256FromText("130000000000000000000", &Lem.maxExp);
	(void) Int256FromText("900000000000000000", &Lem.ln36Lo);
	(void) Int256FromText("1100000000000000000", &Lem.ln36Hi);
	for (i = 0; i < LEM_NTERMS; i++)
	{
		(void) Int256FromText(LemX[i], &Lem.x[i]);
		(void) Int256FromText(LemA[i], &Lem.a[i]);
	}
	Lem.ready = true;
}

/* LogExpMath.exp: e^x for x at 1e18 within [-41, 130]; else PENDLE_OVERFLOW. */
static Uint256
LemExp(PendleX *c, Uint256 x)
{
	Uint256		firstAN;
	Uint256		product;
	Uint256		seriesSum;
	Uint256		term;
	int			i;

	LemInit();
	if (XLt(x, Lem.minExp) || XLt(Lem.maxExp, x))
	{
		XFail(c, PENDLE_OVERFLOW);
		return XI(0);
	}
	if (Int256IsNeg(&x))
		return XDiv(c, XMul(c, Lem.one18, Lem.one18), LemExp(c, XNeg(c, x)));

	if (!XLt(x, Lem.x[0]))
	{
		x = XSub(c, x, Lem.x[0]);
		firstAN = Lem.a[0];
	}
	else if (!XLt(x, Lem.x[1]))
	{
		x = XSub(c, x, Lem.x[1]);
		firstAN = Lem.a[1];
	}
	else
		firstAN = XI(1);

	x = XMul(c, x, XI(100));
	product = Lem.one20;
	for (i = 2; i <= 9; i++)
	{
		if (!XLt(x, Lem.x[i]))
		{
			x = XSub(c, x, Lem.x[i]);
			product = XDiv(c, XMul(c, product, Lem.a[i]), Lem.one20);
		}
	}

	seriesSum = XAdd(c, Lem.one20, x);
	term = x;
	for (i = 2; i <= 12; i++)
	{
		term = XDiv(c, XDiv(c, XMul(c, term, x), Lem.one20), XI(i));
		seriesSum = XAdd(c, seriesSum, term);
	}
	return XDiv(c, XMul(c, XDiv(c, XMul(c, product, seriesSum), Lem.one20), firstAN), XI(100));
}

/* LogExpMath._ln_36: ln(x) at 36 decimals for x (1e18) in (0.9, 1.1). */
static Uint256
LemLn36(PendleX *c, Uint256 x)
{
	Uint256		z;
	Uint256		z2;
	Uint256		num;
	Uint256		seriesSum;
	int			k;

	x = XMul(c, x, Lem.one18);
	z = XDiv(c, XMul(c, XSub(c, x, Lem.one36), Lem.one36), XAdd(c, x, Lem.one36));
	z2 = XDiv(c, XMul(c, z, z), Lem.one36);
	num = z;
	seriesSum = num;
	for (k = 3; k <= 15; k += 2)
	{
		num = XDiv(c, XMul(c, num, z2), Lem.one36);
		seriesSum = XAdd(c, seriesSum, XDiv(c, num, XI(k)));
	}
	return XMul(c, seriesSum, XI(2));
}

/* LogExpMath._ln: ln(a) at 18 decimals by the power-of-two decomposition. */
static Uint256
LemLnPlain(PendleX *c, Uint256 a)
{
	Uint256		sum;
	Uint256		z;
	Uint256		z2;
	Uint256		num;
	Uint256		seriesSum;
	int			i;
	int			k;

	if (XLt(a, Lem.one18))
		return XNeg(c, LemLnPlain(c, XDiv(c, XMul(c, Lem.one18, Lem.one18), a)));

	sum = XI(0);
	for (i = 0; i <= 1; i++)
	{
		if (!XLt(a, XMul(c, Lem.a[i], Lem.one18)))
		{
			a = XDiv(c, a, Lem.a[i]);
			sum = XAdd(c, sum, Lem.x[i]);
		}
	}
	sum = XMul(c, sum, XI(100));
	a = XMul(c, a, XI(100));
	for (i = 2; i <= 11; i++)
	{
		if (!XLt(a, Lem.a[i]))
		{
			a = XDiv(c, XMul(c, a, Lem.one20), Lem.a[i]);
			sum = XAdd(c, sum, Lem.x[i]);
		}
	}

	z = XDiv(c, XMul(c, XSub(c, a, Lem.one20), Lem.one20), XAdd(c, a, Lem.one20));
	z2 = XDiv(c, XMul(c, z, z), Lem.one20);
	num = z;
	seriesSum = num;
	for (k = 3; k <= 11; k += 2)
	{
		num = XDiv(c, XMul(c, num, z2), Lem.one20);
		seriesSum = XAdd(c, seriesSum, XDiv(c, num, XI(k)));
	}
	seriesSum = XMul(c, seriesSum, XI(2));
	return XDiv(c, XAdd(c, sum, seriesSum), XI(100));
}

/* LogExpMath.ln: ln(a) at 1e18, a > 0 (else PENDLE_BAD_PARAM). */
static Uint256
LemLn(PendleX *c, Uint256 a)
{
	LemInit();
	if (!XLt(XI(0), a))
	{
		XFail(c, PENDLE_BAD_PARAM);
		return XI(0);
	}
	if (XLt(Lem.ln36Lo, a) && XLt(a, Lem.ln36Hi))
		return XDiv(c, LemLn36(c, a), Lem.one18);
	return LemLnPlain(c, a);
}

/* ---- PMath and PYIndex ---- */

/* PMath.mulDown(int256): a * b / 1e18. */
static Uint256
XMulDown(PendleX *c, Uint256 a, Uint256 b)
{
	return XDiv(c, XMul(c, a, b), Lem.one18);
}

/* PMath.divDown(int256): a * 1e18 / b. */
static Uint256
XDivDown(PendleX *c, Uint256 a, Uint256 b)
{
	return XDiv(c, XMul(c, a, Lem.one18), b);
}

/* Applies a sign to a non-negative magnitude. */
static Uint256
XSigned(PendleX *c, bool neg, Uint256 mag)
{
	return neg ? XNeg(c, mag) : mag;
}

/* PYIndexLib.syToAsset(int256): sign * (|sy| * index / 1e18). */
static Uint256
XSyToAsset(PendleX *c, Uint256 index, Uint256 sy)
{
	Uint256		m;

	Int256Magnitude(&sy, &m);
	return XSigned(c, Int256IsNeg(&sy), XDiv(c, XMul(c, m, index), Lem.one18));
}

/* PYIndexLib.assetToSy(int256): sign * (|asset| * 1e18 / index). */
static Uint256
XAssetToSy(PendleX *c, Uint256 index, Uint256 asset)
{
	Uint256		m;

	Int256Magnitude(&asset, &m);
	return XSigned(c, Int256IsNeg(&asset), XDiv(c, XMul(c, m, Lem.one18), index));
}

/* PYIndexLib.assetToSyUp(int256): sign * ceil(|asset| * 1e18 / index). */
static Uint256
XAssetToSyUp(PendleX *c, Uint256 index, Uint256 asset)
{
	Uint256		m;

	Int256Magnitude(&asset, &m);
	return XSigned(c, Int256IsNeg(&asset),
				   XDiv(c, XSub(c, XAdd(c, XMul(c, m, Lem.one18), index), XI(1)), index));
}

/* ---- MarketMathCore ---- */

/* _getExchangeRateFromImpliedRate: exp(lnRate * t / year). */
static Uint256
XRateFromImplied(PendleX *c, Uint256 lnRate, int64 tte)
{
	return LemExp(c, XDiv(c, XMul(c, lnRate, XI(tte)), XI(365 * 86400)));
}

/* _logProportion: ln(p / (1 - p)); p = 1 reverts. */
static Uint256
XLogProportion(PendleX *c, Uint256 p)
{
	if (Int256Cmp(&p, &Lem.one18) == 0)
		XFail(c, PENDLE_PROPORTION_TOO_HIGH);
	return LemLn(c, XDivDown(c, p, XSub(c, Lem.one18, p)));
}

/* _getExchangeRate: with the 96 % and rate-below-one reverts. */
static Uint256
XExchangeRate(PendleX *c, Uint256 pt, Uint256 asset, Uint256 rs, Uint256 anchor,
			  Uint256 netPt)
{
	Uint256		maxProp = XI(960000000000000000LL);
	Uint256		num;
	Uint256		p;
	Uint256		er;

	if (XLt(pt, netPt))
		XFail(c, PENDLE_INSUFFICIENT_PT);	/* subNoNeg */
	num = XSub(c, pt, netPt);
	p = XDivDown(c, num, XAdd(c, pt, asset));
	if (c->st == PENDLE_OK && XLt(maxProp, p))
		XFail(c, PENDLE_PROPORTION_TOO_HIGH);
	er = XAdd(c, XDivDown(c, XLogProportion(c, p), rs), anchor);
	if (c->st == PENDLE_OK && XLt(er, Lem.one18))
		XFail(c, PENDLE_RATE_BELOW_ONE);
	return er;
}

/* _getLnImpliedRate: ln(exchange rate) * year / t, as uint256. */
static Uint256
XLnImpliedRate(PendleX *c, Uint256 pt, Uint256 asset, Uint256 rs, Uint256 anchor, int64 tte)
{
	Uint256		er = XExchangeRate(c, pt, asset, rs, anchor, XI(0));
	Uint256		lnRate = LemLn(c, er);

	if (c->st == PENDLE_OK && Int256IsNeg(&lnRate))
		XFail(c, PENDLE_RATE_BELOW_ONE);	/* .Uint() */
	return XDiv(c, XMul(c, lnRate, XI(365 * 86400)), XI(tte));
}

/*
 * getMarketPreCompute plus the trade (executeTradeCore: calcTrade and
 * _setNewMarketStateTrade) for netPtToAccount, all at 1e18.  With
 * netPtToAccount NULL only the precompute and the current exchange rate,
 * whose revert, if any, is q->exchangeRateStatus (the returned status is
 * the contract's: precompute and trade).  now must not be negative.
 */
PendleStatus
PendleWeiExecute(const PendleWeiMarket *m, const Uint256 *netPtToAccount, int64 now,
			   PendleWeiQuote *q, PendleWeiTrade *t)
{
	PendleX		cx = {PENDLE_OK};
	PendleX    *c = &cx;
	int64		tte;
	Uint256		net;
	Uint256		pre;
	Uint256		preAsset;
	Uint256		fee;
	Uint256		reserve;
	Uint256		toAccount;

	LemInit();
	if (now < 0)
		return PENDLE_BAD_PARAM;	/* expiry - now must not overflow */
	if (m->expiry <= now)
		return PENDLE_EXPIRED;
	if (netPtToAccount && !XLt(*netPtToAccount, m->totalPt))
		return PENDLE_INSUFFICIENT_PT;
	tte = m->expiry - now;

	/* getMarketPreCompute */
	q->rateScalar = XDiv(c, XMul(c, m->scalarRoot, XI(365 * 86400)), XI(tte));
	if (c->st == PENDLE_OK && !XLt(XI(0), q->rateScalar))
		return PENDLE_BAD_PARAM;
	q->totalAsset = XSyToAsset(c, m->index, m->totalSy);
	if (Uint256IsZero(&m->totalPt) || Uint256IsZero(&q->totalAsset))
		return PENDLE_ZERO_TOTALS;
	q->exchangeRate = XRateFromImplied(c, m->lastLnImpliedRate, tte);	/* newExchangeRate */
	if (c->st == PENDLE_OK && XLt(q->exchangeRate, Lem.one18))
		return PENDLE_RATE_BELOW_ONE;
	q->rateAnchor = XSub(c, q->exchangeRate,
						 XDivDown(c, XLogProportion(c, XDivDown(c, m->totalPt,
																XAdd(c, m->totalPt, q->totalAsset))),
								  q->rateScalar));
	q->feeRate = XRateFromImplied(c, m->lnFeeRateRoot, tte);
	if (c->st != PENDLE_OK)
		return c->st;

	/*
	 * The current exchange rate, for the quote only: getMarketPreCompute
	 * does not run _getExchangeRate, so its reverts (a PT share above 96 %)
	 * must not stop a trade that the contract accepts.
	 */
	{
		PendleX		qc = {PENDLE_OK};

		q->exchangeRate = XExchangeRate(&qc, m->totalPt, q->totalAsset, q->rateScalar,
										q->rateAnchor, XI(0));
		q->exchangeRateStatus = qc.st;
	}
	if (netPtToAccount == NULL)
		return PENDLE_OK;

	/* calcTrade */
	net = *netPtToAccount;
	pre = XExchangeRate(c, m->totalPt, q->totalAsset, q->rateScalar, q->rateAnchor, net);
	if (c->st != PENDLE_OK)
		return c->st;
	preAsset = XNeg(c, XDivDown(c, net, pre));
	if (XLt(XI(0), net))
	{
		if (XLt(XDivDown(c, pre, q->feeRate), Lem.one18))
			return c->st != PENDLE_OK ? c->st : PENDLE_RATE_BELOW_ONE;
		fee = XMulDown(c, preAsset, XSub(c, Lem.one18, q->feeRate));
	}
	else
		fee = XNeg(c, XDiv(c, XMul(c, preAsset, XSub(c, Lem.one18, q->feeRate)), q->feeRate));
	reserve = XDiv(c, XMul(c, fee, XI(m->reserveFeePercent)), XI(100));
	toAccount = XSub(c, preAsset, fee);
	t->netSyToAccount = Int256IsNeg(&toAccount) ? XAssetToSyUp(c, m->index, toAccount)
		: XAssetToSy(c, m->index, toAccount);
	t->netSyFee = XAssetToSy(c, m->index, fee);
	t->netSyToReserve = XAssetToSy(c, m->index, reserve);

	/* _setNewMarketStateTrade */
	if (XLt(m->totalPt, net))
		XFail(c, PENDLE_NEGATIVE_RESERVE);
	t->newTotalPt = XSub(c, m->totalPt, net);
	{
		Uint256		out = XAdd(c, t->netSyToAccount, t->netSyToReserve);

		if (c->st == PENDLE_OK && XLt(m->totalSy, out))
			XFail(c, PENDLE_NEGATIVE_RESERVE);
		t->newTotalSy = XSub(c, m->totalSy, out);
	}
	if (c->st != PENDLE_OK)
		return c->st;
	t->newLnImpliedRate = XLnImpliedRate(c, t->newTotalPt, XSyToAsset(c, m->index, t->newTotalSy),
										 q->rateScalar, q->rateAnchor, tte);
	if (c->st == PENDLE_OK && Uint256IsZero(&t->newLnImpliedRate))
		XFail(c, PENDLE_ZERO_IMPLIED_RATE);
	return c->st;
}

/* LogExpMath.exp and .ln on 1e18 integers, for the SQL wrappers. */
PendleStatus
PendleWeiExp(const Uint256 *x, Uint256 *r)
{
	PendleX		c = {PENDLE_OK};

	*r = LemExp(&c, *x);
	return c.st;
}

PendleStatus
PendleWeiLn(const Uint256 *x, Uint256 *r)
{
	PendleX		c = {PENDLE_OK};

	*r = LemLn(&c, *x);
	return c.st;
}

/* ---- SQL wrappers ---- */

/*
 * A numeric argument as an int256: an integer (22023 otherwise), not
 * negative when nonneg, within int256.
 */
static Uint256
PendleNumArg(Datum num, const char *name, bool nonneg)
{
	Uint256		r;
	Datum		trunc;

	if (numeric_is_nan(DatumGetNumeric(num)) || numeric_is_inf(DatumGetNumeric(num)))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must be a finite integer (1e18 units)", name)));
	trunc = DirectFunctionCall2(numeric_trunc, num, Int32GetDatum(0));
	if (!DatumGetBool(DirectFunctionCall2(numeric_eq, num, trunc)))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must be an integer (1e18 units): %s", name,
						DatumGetCString(DirectFunctionCall1(numeric_out, num)))));
	NumericGetUint256(num, true, &r);
	if (nonneg && Int256IsNeg(&r))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must not be negative", name)));
	return r;
}

/* A numeric field of a pendle_market_wei; NULL is an error. */
static Uint256
PendleWeiField(HeapTupleHeader t, const char *name)
{
	bool		isnull;
	Datum		d = GetAttributeByName(t, name, &isnull);

	if (isnull)
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("market state field \"%s\" is null", name)));
	return PendleNumArg(d, name, true);
}

/* An integer field of a pendle_market_wei; NULL is an error. */
static int64
PendleWeiIntField(HeapTupleHeader t, const char *name, bool is8)
{
	bool		isnull;
	Datum		d = GetAttributeByName(t, name, &isnull);

	if (isnull)
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("market state field \"%s\" is null", name)));
	return is8 ? DatumGetInt64(d) : (int64) DatumGetInt32(d);
}

/* Unpacks a pendle_market_wei argument and checks its ranges. */
static void
PendleWeiMarketFromDatum(HeapTupleHeader t, PendleWeiMarket *m)
{
	m->totalPt = PendleWeiField(t, "total_pt");
	m->totalSy = PendleWeiField(t, "total_sy");
	m->index = PendleWeiField(t, "py_index");
	m->scalarRoot = PendleWeiField(t, "scalar_root");
	m->lastLnImpliedRate = PendleWeiField(t, "last_ln_implied_rate");
	m->lnFeeRateRoot = PendleWeiField(t, "ln_fee_rate_root");
	m->reserveFeePercent = PendleWeiIntField(t, "reserve_fee_percent", false);
	m->expiry = PendleWeiIntField(t, "expiry", true);
	if (Uint256IsZero(&m->index))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("py_index must be positive")));
	if (m->reserveFeePercent < 0 || m->reserveFeePercent > 100)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("reserve_fee_percent must be within 0..100: %lld",
						(long long) m->reserveFeePercent)));
}

/*
 * Forms the function's composite result from n int256 values as numeric;
 * isnull may be NULL (none null).
 */
static Datum
PendleWeiTuple(FunctionCallInfo fcinfo, const Uint256 *vals, const bool *isnull, int n)
{
	TupleDesc	tupdesc;
	Datum		v[8];
	bool		nulls[8] = {false};
	int			i;

	Assert(n <= 8);
	for (i = 0; isnull && i < n; i++)
		nulls[i] = isnull[i];
	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");
	tupdesc = BlessTupleDesc(tupdesc);
	if (tupdesc->natts != n)
		elog(ERROR, "expected %d result columns, found %d", n, tupdesc->natts);
	for (i = 0; i < n; i++)
		v[i] = nulls[i] ? (Datum) 0 : Uint256GetNumeric(&vals[i], true);
	return HeapTupleGetDatum(heap_form_tuple(tupdesc, v, nulls));
}

PG_FUNCTION_INFO_V1(pendle_wei_exp);
PG_FUNCTION_INFO_V1(pendle_wei_ln);
PG_FUNCTION_INFO_V1(pendle_wei_quote);
PG_FUNCTION_INFO_V1(pendle_wei_swap_exact_pt_for_sy);
PG_FUNCTION_INFO_V1(pendle_wei_swap_sy_for_exact_pt);

/* pendle_wei_exp(x numeric): LogExpMath.exp at 1e18. */
Datum
pendle_wei_exp(PG_FUNCTION_ARGS)
{
	Uint256		x = PendleNumArg(PG_GETARG_DATUM(0), "x", false);
	Uint256		r;

	PendleReport(PendleWeiExp(&x, &r), "pendle_wei_exp");
	PG_RETURN_DATUM(Uint256GetNumeric(&r, true));
}

/* pendle_wei_ln(x numeric): LogExpMath.ln at 1e18, x > 0. */
Datum
pendle_wei_ln(PG_FUNCTION_ARGS)
{
	Uint256		x = PendleNumArg(PG_GETARG_DATUM(0), "x", false);
	Uint256		r;

	PendleReport(PendleWeiLn(&x, &r), "pendle_wei_ln");
	PG_RETURN_DATUM(Uint256GetNumeric(&r, true));
}

/*
 * pendle_wei_quote(market, now): getMarketPreCompute and the exchange rate;
 * the exchange rate is NULL where _getExchangeRate would revert at the
 * current proportion (a PT share above 96 %) on a state the contract's
 * precompute accepts.
 */
Datum
pendle_wei_quote(PG_FUNCTION_ARGS)
{
	PendleWeiMarket m;
	PendleWeiQuote q;
	Uint256		v[5];
	bool		nulls[5] = {false};

	PendleCheckNow(PG_GETARG_INT64(1));
	PendleWeiMarketFromDatum(PG_GETARG_HEAPTUPLEHEADER(0), &m);
	PendleReport(PendleWeiExecute(&m, NULL, PG_GETARG_INT64(1), &q, NULL), "pendle_wei_quote");
	v[0] = q.rateScalar;
	v[1] = q.totalAsset;
	v[2] = q.rateAnchor;
	v[3] = q.feeRate;
	v[4] = q.exchangeRate;
	nulls[4] = q.exchangeRateStatus != PENDLE_OK;
	return PendleWeiTuple(fcinfo, v, nulls, 5);
}

/* Runs a trade for the swap wrappers and forms their common result row. */
static Datum
PendleWeiSwap(FunctionCallInfo fcinfo, bool buy, const char *what)
{
	PendleWeiMarket m;
	PendleWeiQuote q;
	PendleWeiTrade t;
	Uint256		amount = PendleNumArg(PG_GETARG_DATUM(1), "the PT amount", true);
	Uint256		net;
	Uint256		v[6];

	PendleCheckNow(PG_GETARG_INT64(2));
	PendleWeiMarketFromDatum(PG_GETARG_HEAPTUPLEHEADER(0), &m);
	if (Uint256IsZero(&amount))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("the PT amount must be positive")));
	if (buy)
		net = amount;
	else if (!Int256Neg(&amount, &net))
		PendleReport(PENDLE_OVERFLOW, what);
	PendleReport(PendleWeiExecute(&m, &net, PG_GETARG_INT64(2), &q, &t), what);
	if (buy && !Int256Neg(&t.netSyToAccount, &v[0]))
		PendleReport(PENDLE_OVERFLOW, what);
	if (!buy)
		v[0] = t.netSyToAccount;
	v[1] = t.netSyFee;
	v[2] = t.netSyToReserve;
	v[3] = t.newTotalPt;
	v[4] = t.newTotalSy;
	v[5] = t.newLnImpliedRate;
	return PendleWeiTuple(fcinfo, v, NULL, 6);
}

/* pendle_wei_swap_exact_pt_for_sy(market, exact_pt_in, now): swapExactPtForSy. */
Datum
pendle_wei_swap_exact_pt_for_sy(PG_FUNCTION_ARGS)
{
	return PendleWeiSwap(fcinfo, false, "pendle_wei_swap_exact_pt_for_sy");
}

/* pendle_wei_swap_sy_for_exact_pt(market, exact_pt_out, now): swapSyForExactPt. */
Datum
pendle_wei_swap_sy_for_exact_pt(PG_FUNCTION_ARGS)
{
	return PendleWeiSwap(fcinfo, true, "pendle_wei_swap_sy_for_exact_pt");
}
