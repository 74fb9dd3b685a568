/*
 * src/forecast/stats.c
 *
 * Small statistics the registry and the backtests need: the standard
 * normal quantile (for central intervals of a forecast's mean and sd).
 */
#include "postgres.h"

#include <math.h>

#include "forecast/forecast_int.h"

/*
 * The standard normal quantile: Φ⁻¹(p) for 0 < p < 1.  A start from the
 * logistic approximation, then Halley steps on Φ(z) − p with Φ from erfc:
 * the error is at the level of erfc's (about 1e-15 relative) after three
 * steps for every p a caller can pass (the tails down to 1e-300 included).
 */
double
ForecastNormalQuantile(double p)
{
	double		z;
	int			i;

	if (!(p > 0 && p < 1))
		return NAN;
	if (p == 0.5)
		return 0.0;
	/* start: a tail-aware guess */
	if (p < 0.5)
	{
		double		t = sqrt(-2.0 * log(p));

		z = -(t - (2.515517 + 0.802853 * t + 0.010328 * t * t) /
			  (1.0 + 1.432788 * t + 0.189269 * t * t + 0.001308 * t * t * t));
	}
	else
	{
		double		t = sqrt(-2.0 * log(1.0 - p));

		z = t - (2.515517 + 0.802853 * t + 0.010328 * t * t) /
			(1.0 + 1.432788 * t + 0.189269 * t * t + 0.001308 * t * t * t);
	}
	for (i = 0; i < 4; i++)
	{
		/* Φ(z) − p, computed on the side of the tail that keeps precision */
		double		e = z < 0 ? 0.5 * erfc(-z / M_SQRT2) - p : (1.0 - p) - 0.5 * erfc(z / M_SQRT2);
		double		pdf = exp(-0.5 * z * z) / sqrt(2.0 * M_PI);
		double		u;

		if (pdf == 0)
			break;
		u = e / pdf;
		z -= u / (1.0 + 0.5 * z * u);
	}
	return z;
}
