/*
 * src/forecast/kinds.c
 *
 * The table of model kinds.  Each kind lives in its own file; this is the
 * one place that lists them, so the registry finds a kind by its name.
 */
#include "postgres.h"

#include "forecast/forecast.h"

/*
 * Weak references: a kind whose file is not built (while the module grows)
 * is unknown rather than a link error.
 */
#pragma weak ForecastKindLinear
#pragma weak ForecastKindRidge
#pragma weak ForecastKindXgboost
#pragma weak ForecastKindArima
#pragma weak ForecastKindGarch
#pragma weak ForecastKindHmm
#pragma weak ForecastKindLstm

static const ForecastKind *const kinds[] = {
	&ForecastKindLinear,
	&ForecastKindRidge,
	&ForecastKindXgboost,
	&ForecastKindArima,
	&ForecastKindGarch,
	&ForecastKindHmm,
	&ForecastKindLstm,
};

/* The kind called name, or NULL. */
const ForecastKind *
ForecastKindByName(const char *name)
{
	size_t		i;

	for (i = 0; i < lengthof(kinds); i++)
		if (kinds[i] != NULL && strcmp(kinds[i]->name, name) == 0)
			return kinds[i];
	return NULL;
}
