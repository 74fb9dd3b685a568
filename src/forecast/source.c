/*
 * src/forecast/source.c
 *
 * Reading a model's data from its source: the text of a query, run as the
 * caller (read-only: it cannot write), whose rows in their order are the
 * training rows.  The target column is y; a column of a time type (at most
 * one) is the time index and not a feature; every other column is a
 * feature and must be numeric (smallint, integer, bigint, real, double
 * precision, numeric or boolean).  Series kinds take the target column and
 * an optional time column only.
 */
#include "postgres.h"

#include <limits.h>
#include <math.h>

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "utils/builtins.h"
#include "utils/plancache.h"
#include "utils/fmgrprotos.h"
#include "utils/lsyscache.h"
#include "utils/timestamp.h"

#include "forecast/forecast_int.h"

/* True for the types a feature or target may have. */
static bool
IsNumberType(Oid t)
{
	return t == FLOAT8OID || t == FLOAT4OID || t == INT2OID || t == INT4OID ||
		t == INT8OID || t == NUMERICOID || t == BOOLOID;
}

/* True for the types of a time index. */
static bool
IsTimeType(Oid t)
{
	return t == TIMESTAMPTZOID || t == TIMESTAMPOID || t == DATEOID;
}

/* A value of one of the number types as a double. */
static double
NumberValue(Datum d, Oid t)
{
	switch (t)
	{
		case FLOAT8OID:
			return DatumGetFloat8(d);
		case FLOAT4OID:
			return DatumGetFloat4(d);
		case INT2OID:
			return DatumGetInt16(d);
		case INT4OID:
			return DatumGetInt32(d);
		case INT8OID:
			return (double) DatumGetInt64(d);
		case NUMERICOID:
			return DatumGetFloat8(DirectFunctionCall1(numeric_float8, d));
		case BOOLOID:
			return DatumGetBool(d) ? 1.0 : 0.0;
	}
	elog(ERROR, "unexpected type %u", t);
	return 0;
}

/* A time value as a timestamptz. */
static TimestampTz
TimeValue(Datum d, Oid t)
{
	if (t == TIMESTAMPTZOID)
		return DatumGetTimestampTz(d);
	if (t == TIMESTAMPOID)
		return DatumGetTimestampTz(DirectFunctionCall1(timestamp_timestamptz, d));
	return DatumGetTimestampTz(DirectFunctionCall1(date_timestamptz, d));
}

/*
 * Run source and read it.  want: the feature names to read (serving a
 * model: exactly those, by name, others ignored, target optional), or NULL
 * (training: every number column but target is a feature, target
 * required).  series: a series kind (no features allowed).
 */
void
ForecastLoadSource(const char *source, const char *target, bool series,
				   char **want, int nwant, ForecastSource *out)
{
	MemoryContext caller = CurrentMemoryContext;
	TupleDesc	desc;
	int			ncol,
				c,
				i,
				r;
	int			tcol = -1,
				timecol = -1;
	int		   *fcols;
	int			nf = 0;
	uint64		n;
	double	   *x,
			   *y;
	TimestampTz *times = NULL;
	int			rc;
	SPIPlanPtr	plan;
	List	   *sources;

	memset(out, 0, sizeof(*out));
	if (source == NULL || source[0] == '\0')
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("the source query must not be empty")));
	SPI_connect();
	plan = SPI_prepare(source, 0, NULL);
	if (plan == NULL)
		elog(ERROR, "could not prepare the source: %s", SPI_result_code_string(SPI_result));
	sources = SPI_plan_get_plan_sources(plan);
	if (list_length(sources) != 1 ||
		((CachedPlanSource *) linitial(sources))->commandTag != CMDTAG_SELECT)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("the source must be one SELECT query"),
				 errdetail("It reads the training rows; it cannot change anything.")));
	/* read-only: a data-modifying WITH in it is refused too */
	rc = SPI_execute_plan(plan, NULL, NULL, true, 0);
	if (rc != SPI_OK_SELECT || SPI_tuptable == NULL)
		elog(ERROR, "the source returned no rows: %s", SPI_result_code_string(rc));
	desc = SPI_tuptable->tupdesc;
	ncol = desc->natts;
	n = SPI_processed;
	if (n > (uint64) INT_MAX / Max(ncol, 1))
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("the source returned too many rows: " UINT64_FORMAT, n)));
	fcols = MemoryContextAlloc(caller, Max(ncol, 1) * sizeof(int));

	/* classify the columns */
	for (c = 0; c < ncol; c++)
	{
		Form_pg_attribute a = TupleDescAttr(desc, c);
		const char *name = NameStr(a->attname);

		if (target && strcmp(name, target) == 0)
		{
			if (tcol >= 0)
				ereport(ERROR,
						(errcode(ERRCODE_AMBIGUOUS_COLUMN),
						 errmsg("the source has two columns named \"%s\"", name)));
			if (!IsNumberType(a->atttypid))
				ereport(ERROR,
						(errcode(ERRCODE_DATATYPE_MISMATCH),
						 errmsg("target column \"%s\" is of type %s, not a number",
								name, format_type_be(a->atttypid)),
						 errhint("Cast it to double precision in the source.")));
			tcol = c;
		}
		else if (IsTimeType(a->atttypid))
		{
			if (timecol >= 0)
				ereport(ERROR,
						(errcode(ERRCODE_AMBIGUOUS_COLUMN),
						 errmsg("the source has two time columns: \"%s\" and \"%s\"",
								NameStr(TupleDescAttr(desc, timecol)->attname), name),
						 errdetail("At most one column of a time type is the time index.")));
			timecol = c;
		}
		else if (want == NULL)
		{
			if (series)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("series models read the target column only, but the source has column \"%s\"", name),
						 errhint("Return the series (and optionally its time) only.")));
			if (!IsNumberType(a->atttypid))
				ereport(ERROR,
						(errcode(ERRCODE_DATATYPE_MISMATCH),
						 errmsg("feature column \"%s\" is of type %s, not a number",
								name, format_type_be(a->atttypid)),
						 errhint("Cast it to double precision in the source, or leave it out.")));
			fcols[nf++] = c;
		}
	}
	if (target && tcol < 0 && want == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_COLUMN),
				 errmsg("the source has no column \"%s\" (the target)", target)));
	if (want != NULL)
	{
		/* serving: the model's features by name, in the model's order */
		for (i = 0; i < nwant; i++)
		{
			c = SPI_fnumber(desc, want[i]) - 1;
			if (c < 0)
				ereport(ERROR,
						(errcode(ERRCODE_UNDEFINED_COLUMN),
						 errmsg("the source has no column \"%s\" (a feature of the model)", want[i])));
			if (!IsNumberType(TupleDescAttr(desc, c)->atttypid))
				ereport(ERROR,
						(errcode(ERRCODE_DATATYPE_MISMATCH),
						 errmsg("feature column \"%s\" is of type %s, not a number",
								want[i], format_type_be(TupleDescAttr(desc, c)->atttypid))));
			fcols[nf++] = c;
		}
	}
	if (!series && want == NULL && nf == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("the source has no feature columns besides the target \"%s\"", target)));

	x = MemoryContextAlloc(caller, Max((Size) n * nf, 1) * sizeof(double));
	y = MemoryContextAlloc(caller, Max((Size) n, 1) * sizeof(double));
	if (timecol >= 0)
		times = MemoryContextAlloc(caller, Max((Size) n, 1) * sizeof(TimestampTz));
	for (r = 0; r < (int) n; r++)
	{
		HeapTuple	tup = SPI_tuptable->vals[r];
		bool		isnull;
		Datum		d;

		if (tcol >= 0)
		{
			d = SPI_getbinval(tup, desc, tcol + 1, &isnull);
			if (isnull)
				ereport(ERROR,
						(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
						 errmsg("the target of row %d of the source is NULL", r + 1)));
			y[r] = NumberValue(d, TupleDescAttr(desc, tcol)->atttypid);
		}
		else
			y[r] = NAN;
		for (i = 0; i < nf; i++)
		{
			Form_pg_attribute a = TupleDescAttr(desc, fcols[i]);

			d = SPI_getbinval(tup, desc, fcols[i] + 1, &isnull);
			if (isnull)
				ereport(ERROR,
						(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
						 errmsg("feature \"%s\" of row %d of the source is NULL",
								NameStr(a->attname), r + 1)));
			x[(Size) r * nf + i] = NumberValue(d, a->atttypid);
		}
		if (times)
		{
			d = SPI_getbinval(tup, desc, timecol + 1, &isnull);
			if (isnull)
				ereport(ERROR,
						(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
						 errmsg("the time of row %d of the source is NULL", r + 1)));
			times[r] = TimeValue(d, TupleDescAttr(desc, timecol)->atttypid);
		}
	}

	out->names = MemoryContextAlloc(caller, Max(nf, 1) * sizeof(char *));
	for (i = 0; i < nf; i++)
		out->names[i] = MemoryContextStrdup(caller, NameStr(TupleDescAttr(desc, fcols[i])->attname));
	if (timecol >= 0)
		out->time_column = MemoryContextStrdup(caller, NameStr(TupleDescAttr(desc, timecol)->attname));
	SPI_finish();

	out->times = times;
	out->d.n = (int) n;
	out->d.p = nf;
	out->d.x = nf > 0 ? x : NULL;
	out->d.y = y;
	out->d.names = (const char *const *) out->names;
}
