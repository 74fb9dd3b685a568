/*
 * src/derivs/options.c
 *
 * European options: Black-Scholes-Merton prices with a continuous dividend
 * yield (for a liquid staking token, its staking yield), Black-76 prices
 * on a forward or future, their greeks (delta, gamma, vega, theta, rho,
 * vanna, volga), a put-call parity check, the implied volatility solver,
 * and two desk analytics for holders of an LST: a covered call and a
 * protective put at the peg.
 *
 * Conventions (docs/derivatives.md): t in years, rate and div_yield
 * continuously compounded per year, vol per sqrt(year); vega and rho per
 * unit (1.00 = 100 %), theta per year of calendar time, theta = dV/dt as
 * time passes = -dV/dT.  Where vol * sqrt(t) = 0 (t = 0 or vol = 0) the
 * price is the discounted intrinsic value of the forward and every greek
 * is its limit as vol * sqrt(t) -> 0; gamma (and theta at t = 0) have no
 * finite limit with the forward exactly at the strike and are then NULL.
 *
 * The implied volatility works on the normalised price of the
 * out-of-the-money option, b(x, s) = e^{x/2} N(x/s + s/2) - e^{-x/2}
 * N(x/s - s/2) with x = -|ln(F/K)| and s = vol * sqrt(t) (the time value
 * of any European option, by put-call parity, divided by DF sqrt(F K)).
 * b increases strictly from 0 (s = 0) to e^{x/2} (s -> infinity), so every
 * price strictly between the discounted intrinsic value and the
 * discounted forward (call) or strike (put) has exactly one solution; the
 * solver brackets it and runs Newton's method on ln b, falling back to
 * bisection whenever a step leaves the bracket.  In exact arithmetic it
 * always converges; in float8 it does not when b's terms underflow: a
 * forward and strike many orders of magnitude apart (|x| in the hundreds)
 * with a time value far below the bound, where N(x/s + s/2) rounds to 0
 * before b reaches beta.  That is user input, reported as 22003.
 *
 * The normal distribution function is erfc's, accurate to a few ulps
 * relative in both tails.  Pure computation is at the top; the fmgr
 * wrappers at the end validate the inputs (22023) and build the records.
 */
#include "postgres.h"

#include <float.h>
#include <math.h>

#include "fmgr.h"
#include "funcapi.h"
#include "access/htup_details.h"
#include "utils/builtins.h"
#include "utils/float.h"

#include "derivs/options.h"

#define OPT_SQRT2 1.41421356237309504880
#define OPT_INV_SQRT_2PI 0.39894228040143267794

/* ---------------------------------------------------------------- */
/* the normal distribution                                           */
/* ---------------------------------------------------------------- */

/* The standard normal distribution function, by erfc: no cancellation in the lower tail. */
double
OptNormCdf(double x)
{
	return 0.5 * erfc(-x / OPT_SQRT2);
}

/* The standard normal density. */
double
OptNormPdf(double x)
{
	return OPT_INV_SQRT_2PI * exp(-0.5 * x * x);
}

/* ---------------------------------------------------------------- */
/* prices and greeks                                                 */
/* ---------------------------------------------------------------- */

/*
 * Black-Scholes-Merton price and greeks of a European option on a spot
 * paying a continuous yield q:
 *   V = theta_s (S e^{-qt} N(theta_s d1) - K e^{-rt} N(theta_s d2)),
 *   d1 = (ln(S/K) + (r - q) t) / s + s / 2, d2 = d1 - s, s = vol sqrt(t),
 * theta_s = +1 for a call, -1 for a put.  At s = 0 d1 and d2 go to +-inf
 * with the sign of ln(F/K), or stay 0 when F = K exactly; the greeks take
 * those limits (see the file header).
 */
void
OptBsGreeks(bool is_call, double spot, double strike, double t, double rate,
			double vol, double div_yield, OptGreeks *g)
{
	double		th = is_call ? 1.0 : -1.0;
	double		dq = exp(-div_yield * t);
	double		dr = exp(-rate * t);
	double		sqt = sqrt(t);
	double		s = vol * sqt;
	double		x = log(spot / strike) + (rate - div_yield) * t;
	double		n1,				/* n(d1) */
				n_over_s,		/* n(d1) / s */
				cd1,			/* N(theta_s d1) */
				cd2,			/* N(theta_s d2) */
				d2_over_vol,	/* d2 / vol */
				d1d2_over_vol,	/* d1 d2 / vol */
				term1,
				forward,
				intrinsic;

	if (s > 0)
	{
		double		d1 = x / s + 0.5 * s;
		double		d2 = d1 - s;

		n1 = OptNormPdf(d1);
		n_over_s = n1 / s;
		cd1 = OptNormCdf(th * d1);
		cd2 = OptNormCdf(th * d2);
		d2_over_vol = d2 / vol;
		d1d2_over_vol = d1 * d2 / vol;
	}
	else if (x == 0)
	{
		/* forward at the strike: d1 = d2 = 0 in the limit */
		n1 = OPT_INV_SQRT_2PI;
		n_over_s = INFINITY;
		cd1 = cd2 = 0.5;
		d2_over_vol = -0.5 * sqt;	/* d2 / vol = x / (vol s) - sqrt(t) / 2 */
		d1d2_over_vol = -0.25 * vol * t;	/* (x^2 / s^2 - s^2 / 4) / vol */
	}
	else
	{
		/* d1, d2 -> sign(x) inf; n(d1) vanishes faster than any power of s */
		n1 = 0;
		n_over_s = 0;
		cd1 = cd2 = (th * x > 0) ? 1.0 : 0.0;
		d2_over_vol = 0;
		d1d2_over_vol = 0;
	}

	/*
	 * The price as the discounted intrinsic value of the forward plus the
	 * time value, the out-of-the-money option's price DF sqrt(F K) b(-|x|,
	 * s): no cancellation against the intrinsic value deep in the money,
	 * and never below the bound implied_vol checks (same F, same DF).
	 */
	forward = spot * exp((rate - div_yield) * t);
	intrinsic = th * (forward - strike);
	g->price = dr * (intrinsic > 0 ? intrinsic : 0);
	if (s > 0)
		g->price += dr * sqrt(forward) * sqrt(strike) * OptNormalisedCall(-fabs(x), s);
	g->prob_itm = cd2;
	g->delta = th * dq * cd1;
	g->gamma = dq * n_over_s / spot;
	/* no finite limit only at s = 0 with F = K; elsewhere inf is overflow */
	g->has_gamma = !(s <= 0 && x == 0);
	g->vega = spot * dq * n1 * sqt;
	if (t > 0)
		term1 = -spot * dq * n1 * vol / (2.0 * sqt);
	else if (n1 == 0)
		term1 = 0;				/* out of or in the money at expiry */
	else
		term1 = -INFINITY;		/* at the money at expiry: no limit */
	g->theta = term1 - th * rate * strike * dr * cd2 + th * div_yield * spot * dq * cd1;
	g->has_theta = !(t <= 0 && n1 != 0);
	g->rho = th * strike * t * dr * cd2;
	g->div_rho = -th * spot * t * dq * cd1;
	g->vanna = -dq * n1 * d2_over_vol;
	g->volga = g->vega * d1d2_over_vol;
}

/*
 * Black-76 price and greeks of a European option on a forward F paid at
 * expiry and discounted at rate: V = e^{-rt} theta_s (F N(theta_s d1) - K
 * N(theta_s d2)), d1 = ln(F/K) / s + s / 2.  That is Black-Scholes-Merton
 * with spot F and div_yield = rate, whose delta, gamma, vega, theta (F held
 * fixed as time passes), vanna and volga are Black-76's with respect to F;
 * only rho differs: with F fixed, dV/dr = -t V.
 */
void
OptBlack76Greeks(bool is_call, double forward, double strike, double t,
				 double rate, double vol, OptGreeks *g)
{
	OptBsGreeks(is_call, forward, strike, t, rate, vol, rate, g);
	g->rho = -t * g->price;
	g->div_rho = 0;
}

/* ---------------------------------------------------------------- */
/* implied volatility                                                */
/* ---------------------------------------------------------------- */

/*
 * The normalised Black call b(x, s) = e^{x/2} N(x/s + s/2) - e^{-x/2}
 * N(x/s - s/2), the call divided by DF sqrt(F K), x = ln(F/K), s > 0.
 */
double
OptNormalisedCall(double x, double s)
{
	double		b = exp(0.5 * x) * OptNormCdf(x / s + 0.5 * s)
		- exp(-0.5 * x) * OptNormCdf(x / s - 0.5 * s);

	return b > 0 ? b : 0;
}

/* db/ds of the normalised call: exp(-(x^2/s^2 + s^2/4) / 2) / sqrt(2 pi). */
static double
OptNormalisedVega(double x, double s)
{
	double		z = x / s;

	return OPT_INV_SQRT_2PI * exp(-0.5 * (z * z + 0.25 * s * s));
}

/*
 * The vol at which a European option on forward F, discounted by DF =
 * e^{-rt}, is worth price.  The bounds are returned in *lower (the
 * discounted intrinsic value) and *upper (DF F for a call, DF K for a
 * put); a price not strictly between them has no implied vol.  The time
 * value is the out-of-the-money option's price (put-call parity), solved
 * on the normalised call b(-|x|, s) = beta: bracket [lo, hi] with b(lo) <
 * beta <= b(hi), Newton's method on ln b - ln beta (well scaled from the
 * far wings, where ln b ~ -x^2 / 2s^2, to the top), bisection (geometric
 * while the bracket spans more than a factor 4) when Newton leaves the
 * bracket; it stops when a step or the bracket is below 2 ulps of s.
 */
OptIvStatus
OptImpliedVol(bool is_call, double price, double forward, double strike,
			  double t, double discount, double *vol, double *lower, double *upper)
{
	double		intrinsic = is_call ? forward - strike : strike - forward;
	double		x,
				beta,
				bmax,
				lo = 0,
				hi,
				s;
	int			iter;

	if (intrinsic < 0)
		intrinsic = 0;
	*lower = discount * intrinsic;
	*upper = discount * (is_call ? forward : strike);
	if (!(price > *lower))
		return OPT_IV_BELOW;
	if (!(price < *upper))
		return OPT_IV_ABOVE;

	x = -fabs(log(forward / strike));
	beta = (price - *lower) / (discount * sqrt(forward) * sqrt(strike));
	bmax = exp(0.5 * x);
	if (!(beta > 0))
		return OPT_IV_BELOW;
	if (!(beta < bmax))
		return OPT_IV_ABOVE;

	/* a first guess: the inflection point of b, or the at-the-money slope */
	s = (x < 0) ? sqrt(-2.0 * x) : beta * sqrt(2.0 * M_PI);
	if (!(s > 1e-300))
		s = 1e-300;
	if (OptNormalisedCall(x, s) >= beta)
		hi = s;
	else
	{
		lo = s;
		hi = 2.0 * s;
		while (OptNormalisedCall(x, hi) < beta)
		{
			lo = hi;
			hi *= 2.0;
			if (hi > 1e12)
				return OPT_IV_NO_CONVERGENCE;
		}
		s = hi;
	}

	for (iter = 0; iter < 2000; iter++)
	{
		double		b = OptNormalisedCall(x, s);
		double		v = OptNormalisedVega(x, s);
		double		next = NAN;

		if (b == beta)
			break;
		if (b < beta)
			lo = s;
		else
			hi = s;
		if (b > 0 && v > 0)
			next = s - (log(b) - log(beta)) * b / v;
		if (!(next > lo && next < hi))
		{
			/* bisection */
			if (lo > 0 && hi > 4.0 * lo)
				next = sqrt(lo) * sqrt(hi);
			else
				next = 0.5 * (lo + hi);
		}
		if (fabs(next - s) <= 2.0 * DBL_EPSILON * s || hi - lo <= 2.0 * DBL_EPSILON * hi)
		{
			s = next;
			break;
		}
		s = next;
	}
	if (iter >= 2000)
		return OPT_IV_NO_CONVERGENCE;
	*vol = s / sqrt(t);
	return OPT_IV_OK;
}

/* ---------------------------------------------------------------- */
/* SQL wrappers                                                      */
/* ---------------------------------------------------------------- */

PG_FUNCTION_INFO_V1(bs_price);
PG_FUNCTION_INFO_V1(bs_greeks);
PG_FUNCTION_INFO_V1(black76_price);
PG_FUNCTION_INFO_V1(black76_greeks);
PG_FUNCTION_INFO_V1(implied_vol);
PG_FUNCTION_INFO_V1(bs_parity_gap);
PG_FUNCTION_INFO_V1(option_covered_call);
PG_FUNCTION_INFO_V1(option_peg_put);

/* Raises 22023 unless v is a finite number. */
static void
OptCheckFinite(const char *name, double v)
{
	if (!isfinite(v))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must be a finite number: %g", name, v)));
}

/* Raises 22023 unless v is finite and positive. */
static void
OptCheckPositive(const char *name, double v)
{
	OptCheckFinite(name, v);
	if (!(v > 0))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must be positive: %g", name, v)));
}

/* Raises 22023 unless v is finite and not negative. */
static void
OptCheckNonNegative(const char *name, double v)
{
	OptCheckFinite(name, v);
	if (v < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must not be negative: %g", name, v)));
}

/*
 * Raises 22003 unless every result v[0..n-1] is finite: finite inputs can
 * still overflow float8 (a spot of 1e300 times e^{(r - q) t}, e^{-rt} for a
 * large negative rate times t, a position of 1e300 times a premium), and an
 * overflow met by a zero (inf * 0) gives NaN.
 */
static void
OptCheckResults(const char *what, const double *v, int n)
{
	int			i;

	for (i = 0; i < n; i++)
		if (!isfinite(v[i]))
			ereport(ERROR,
					(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
					 errmsg("%s is out of range for type double precision", what),
					 errdetail("The inputs are finite, but the result overflows (for instance the forward S e^{(r - q) t} or the discount factor e^{-rt}).")));
}

/* Raises 22003 unless every greek that has a value (and the price) is finite. */
static void
OptCheckGreeks(const OptGreeks *g)
{
	double		v[10] = {g->price, g->delta, g->has_gamma ? g->gamma : 0, g->vega,
		g->has_theta ? g->theta : 0, g->rho, g->div_rho, g->vanna, g->volga, g->prob_itm};

	OptCheckResults("the option value or a greek", v, 10);
}

/* Checks the common inputs of a price: underlying, strike, t, rate, vol, yield. */
static void
OptCheckInputs(const char *underlying, double u, double strike, double t,
			   double rate, double vol, double div_yield)
{
	OptCheckPositive(underlying, u);
	OptCheckPositive("strike", strike);
	OptCheckNonNegative("t", t);
	OptCheckFinite("rate", rate);
	OptCheckNonNegative("vol", vol);
	OptCheckFinite("div_yield", div_yield);
}

/* Reads the Black-Scholes-Merton arguments (is_call, spot, strike, t, rate, vol, div_yield) and prices. */
static void
OptBsFromArgs(FunctionCallInfo fcinfo, OptGreeks *g)
{
	bool		is_call = PG_GETARG_BOOL(0);
	double		spot = PG_GETARG_FLOAT8(1),
				strike = PG_GETARG_FLOAT8(2),
				t = PG_GETARG_FLOAT8(3),
				rate = PG_GETARG_FLOAT8(4),
				vol = PG_GETARG_FLOAT8(5),
				q = PG_GETARG_FLOAT8(6);

	OptCheckInputs("spot", spot, strike, t, rate, vol, q);
	OptBsGreeks(is_call, spot, strike, t, rate, vol, q, g);
	OptCheckGreeks(g);
}

/* Reads the Black-76 arguments (is_call, forward, strike, t, rate, vol) and prices. */
static void
OptBlack76FromArgs(FunctionCallInfo fcinfo, OptGreeks *g)
{
	bool		is_call = PG_GETARG_BOOL(0);
	double		forward = PG_GETARG_FLOAT8(1),
				strike = PG_GETARG_FLOAT8(2),
				t = PG_GETARG_FLOAT8(3),
				rate = PG_GETARG_FLOAT8(4),
				vol = PG_GETARG_FLOAT8(5);

	OptCheckInputs("forward", forward, strike, t, rate, vol, 0);
	OptBlack76Greeks(is_call, forward, strike, t, rate, vol, g);
	OptCheckGreeks(g);
}

/*
 * Forms the greeks record: delta, gamma, vega, theta, rho, vanna, volga [,
 * div_rho]; a limit of 0 reached from below is shown as 0, not -0.
 */
static Datum
OptGreeksRecord(FunctionCallInfo fcinfo, const OptGreeks *g, bool with_div_rho)
{
	TupleDesc	tupdesc;
	Datum		values[8];
	bool		nulls[8] = {false};

	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");
	tupdesc = BlessTupleDesc(tupdesc);
	values[0] = Float8GetDatum(g->delta + 0.0);
	values[1] = Float8GetDatum(g->gamma + 0.0);
	nulls[1] = !g->has_gamma;
	values[2] = Float8GetDatum(g->vega + 0.0);
	values[3] = Float8GetDatum(g->theta + 0.0);
	nulls[3] = !g->has_theta;
	values[4] = Float8GetDatum(g->rho + 0.0);
	values[5] = Float8GetDatum(g->vanna + 0.0);
	values[6] = Float8GetDatum(g->volga + 0.0);
	if (with_div_rho)
		values[7] = Float8GetDatum(g->div_rho + 0.0);
	return HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls));
}

/* bs_price(is_call, spot, strike, t, rate, vol, div_yield): the Black-Scholes-Merton price. */
Datum
bs_price(PG_FUNCTION_ARGS)
{
	OptGreeks	g;

	OptBsFromArgs(fcinfo, &g);
	PG_RETURN_FLOAT8(g.price);
}

/* bs_greeks(is_call, spot, strike, t, rate, vol, div_yield): the greeks record. */
Datum
bs_greeks(PG_FUNCTION_ARGS)
{
	OptGreeks	g;

	OptBsFromArgs(fcinfo, &g);
	PG_RETURN_DATUM(OptGreeksRecord(fcinfo, &g, true));
}

/* black76_price(is_call, forward, strike, t, rate, vol): the Black-76 price. */
Datum
black76_price(PG_FUNCTION_ARGS)
{
	OptGreeks	g;

	OptBlack76FromArgs(fcinfo, &g);
	PG_RETURN_FLOAT8(g.price);
}

/* black76_greeks(is_call, forward, strike, t, rate, vol): the greeks record. */
Datum
black76_greeks(PG_FUNCTION_ARGS)
{
	OptGreeks	g;

	OptBlack76FromArgs(fcinfo, &g);
	PG_RETURN_DATUM(OptGreeksRecord(fcinfo, &g, false));
}

/*
 * implied_vol(model, is_call, price, underlying, strike, t, rate,
 * div_yield): the vol at which model ('bs': underlying is the spot;
 * 'black76': the forward) reproduces price.
 */
Datum
implied_vol(PG_FUNCTION_ARGS)
{
	char	   *model = text_to_cstring(PG_GETARG_TEXT_PP(0));
	bool		is_call = PG_GETARG_BOOL(1);
	double		price = PG_GETARG_FLOAT8(2),
				u = PG_GETARG_FLOAT8(3),
				strike = PG_GETARG_FLOAT8(4),
				t = PG_GETARG_FLOAT8(5),
				rate = PG_GETARG_FLOAT8(6),
				q = PG_GETARG_FLOAT8(7),
				forward,
				discount,
				vol = 0,
				lower,
				upper;
	bool		black = false;
	OptIvStatus st;

	if (strcmp(model, "black76") == 0)
		black = true;
	else if (strcmp(model, "bs") != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("unknown option model: \"%s\"", model),
				 errhint("Use 'bs' (Black-Scholes-Merton on a spot) or 'black76' (on a forward).")));
	OptCheckFinite("price", price);
	OptCheckInputs(black ? "forward" : "spot", u, strike, t, rate, 0, q);
	OptCheckPositive("t", t);
	if (black && q != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("div_yield does not apply to model \"black76\": %g", q),
				 errdetail("Black-76 prices on the forward, which already carries the yield.")));
	forward = black ? u : u * exp((rate - q) * t);
	if (!isfinite(forward) || forward <= 0)
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("forward %g is out of range", forward)));
	discount = exp(-rate * t);
	if (!isfinite(discount) || discount <= 0)
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("discount factor e^(-rate t) = %g is out of range", discount)));
	st = OptImpliedVol(is_call, price, forward, strike, t, discount,
					   &vol, &lower, &upper);
	switch (st)
	{
		case OPT_IV_OK:
			break;
		case OPT_IV_BELOW:
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("price %s is not above the lower no-arbitrage bound %s",
							float8out_internal(price), float8out_internal(lower)),
					 errdetail("A European %s is worth more than its discounted intrinsic value while it has time left; a price at or below it has no implied volatility.",
							   is_call ? "call" : "put")));
			break;
		case OPT_IV_ABOVE:
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("price %s is not below the upper no-arbitrage bound %s",
							float8out_internal(price), float8out_internal(upper)),
					 errdetail("A European %s is worth less than the discounted %s; a price at or above it has no implied volatility.",
							   is_call ? "call" : "put", is_call ? "forward" : "strike")));
			break;
		case OPT_IV_NO_CONVERGENCE:
			ereport(ERROR,
					(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
					 errmsg("no implied volatility found for price %s: beyond the range of double precision",
							float8out_internal(price)),
					 errdetail("The time value divided by the discounted sqrt(forward * strike) is %g, too far below its bound e^{-|ln(F/K)|/2} = %g for the normal distribution function in double precision.",
							   (price - lower) / (discount * sqrt(forward) * sqrt(strike)),
							   exp(-0.5 * fabs(log(forward / strike))))));
			break;
	}
	PG_RETURN_FLOAT8(vol);
}

/*
 * bs_parity_gap(call_price, put_price, spot, strike, t, rate, div_yield):
 * (C - P) - (S e^{-qt} - K e^{-rt}), zero when the pair obeys put-call
 * parity, positive when the call is rich against the put.
 */
Datum
bs_parity_gap(PG_FUNCTION_ARGS)
{
	double		c = PG_GETARG_FLOAT8(0),
				p = PG_GETARG_FLOAT8(1),
				spot = PG_GETARG_FLOAT8(2),
				strike = PG_GETARG_FLOAT8(3),
				t = PG_GETARG_FLOAT8(4),
				rate = PG_GETARG_FLOAT8(5),
				q = PG_GETARG_FLOAT8(6);
	double		gap;

	OptCheckFinite("call_price", c);
	OptCheckFinite("put_price", p);
	OptCheckInputs("spot", spot, strike, t, rate, 0, q);
	gap = (c - p) - (spot * exp(-q * t) - strike * exp(-rate * t));
	OptCheckResults("the parity gap", &gap, 1);
	PG_RETURN_FLOAT8(gap);
}

/* Reads (spot, strike, t, rate, vol, div_yield, position) and prices the option. */
static double
OptDeskArgs(FunctionCallInfo fcinfo, bool is_call, OptGreeks *g)
{
	double		spot = PG_GETARG_FLOAT8(0),
				strike = PG_GETARG_FLOAT8(1),
				t = PG_GETARG_FLOAT8(2),
				rate = PG_GETARG_FLOAT8(3),
				vol = PG_GETARG_FLOAT8(4),
				q = PG_GETARG_FLOAT8(5),
				position = PG_GETARG_FLOAT8(6);

	OptCheckInputs("spot", spot, strike, t, rate, vol, q);
	OptCheckPositive("position", position);
	OptBsGreeks(is_call, spot, strike, t, rate, vol, q, g);
	OptCheckGreeks(g);
	return position;
}

/* Raises 22003 unless every non-null float8 of a desk record is finite. */
static void
OptCheckDesk(const Datum *values, const bool *nulls, int n)
{
	int			i;

	for (i = 0; i < n; i++)
	{
		double		v = nulls[i] ? 0 : DatumGetFloat8(values[i]);

		OptCheckResults("a field of the position's analytics", &v, 1);
	}
}

/*
 * option_covered_call(spot, strike, t, rate, vol, div_yield, position):
 * a position in the underlying with a call sold against it.  Per the
 * whole position: premium received; premium_yield = C / S / t (simple,
 * annualised; NULL at t = 0); prob_assignment = N(d2), the risk-neutral
 * probability of expiring above the strike; expected_assignment_cost =
 * E[(S_T - K)^+] = C e^{rt}, the upside given away as valued at expiry
 * (equal to the premium carried at the rate: no risk-neutral edge);
 * breakeven = S - C per unit (ignoring carry and yield); max_gain = K - S
 * + C per unit times position; net_delta = position (1 - delta_call).
 */
Datum
option_covered_call(PG_FUNCTION_ARGS)
{
	OptGreeks	g;
	double		spot = PG_GETARG_FLOAT8(0),
				strike = PG_GETARG_FLOAT8(1),
				t = PG_GETARG_FLOAT8(2),
				rate = PG_GETARG_FLOAT8(3);
	double		pos = OptDeskArgs(fcinfo, true, &g);
	TupleDesc	tupdesc;
	Datum		values[7];
	bool		nulls[7] = {false};

	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");
	tupdesc = BlessTupleDesc(tupdesc);
	values[0] = Float8GetDatum(pos * g.price);
	if (t > 0)
		values[1] = Float8GetDatum(g.price / spot / t);
	else
		nulls[1] = true;
	values[2] = Float8GetDatum(g.prob_itm);
	values[3] = Float8GetDatum(pos * g.price * exp(rate * t));
	values[4] = Float8GetDatum(spot - g.price);
	values[5] = Float8GetDatum(pos * (strike - spot + g.price));
	values[6] = Float8GetDatum(pos * (1.0 - g.delta));
	OptCheckDesk(values, nulls, 7);
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls)));
}

/*
 * option_peg_put(spot, peg_strike, t, rate, vol, div_yield, position): a
 * position in an LST with a put struck at its peg bought against a
 * depeg.  Per the whole position: premium paid; cost_bps_per_year = P / S
 * / t * 1e4 (NULL at t = 0); prob_below_strike = N(-d2), the risk-neutral
 * probability of expiring below the peg strike; protected_floor = K times
 * position, the least the holding plus put is worth at expiry;
 * max_loss = (S - K + P) times position, today's value less that floor
 * plus the premium (ignoring carry and yield); expected_payout = P e^{rt};
 * net_delta = position (1 + delta_put).
 */
Datum
option_peg_put(PG_FUNCTION_ARGS)
{
	OptGreeks	g;
	double		spot = PG_GETARG_FLOAT8(0),
				strike = PG_GETARG_FLOAT8(1),
				t = PG_GETARG_FLOAT8(2),
				rate = PG_GETARG_FLOAT8(3);
	double		pos = OptDeskArgs(fcinfo, false, &g);
	TupleDesc	tupdesc;
	Datum		values[7];
	bool		nulls[7] = {false};

	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");
	tupdesc = BlessTupleDesc(tupdesc);
	values[0] = Float8GetDatum(pos * g.price);
	if (t > 0)
		values[1] = Float8GetDatum(g.price / spot / t * 1e4);
	else
		nulls[1] = true;
	values[2] = Float8GetDatum(g.prob_itm);
	values[3] = Float8GetDatum(pos * strike);
	values[4] = Float8GetDatum(pos * (spot - strike + g.price));
	values[5] = Float8GetDatum(pos * g.price * exp(rate * t));
	values[6] = Float8GetDatum(pos * (1.0 + g.delta));
	OptCheckDesk(values, nulls, 7);
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls)));
}
