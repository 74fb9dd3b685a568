/*
 * src/ingest/registry.c
 *
 * The event decoders protocol modules register in
 * amplified.ingest_event_decoders, loaded for the worker's C decoder
 * (decode.c).  They are read once per step, in the step's transaction, so a
 * decoder added, changed or removed applies from the next step on, and a
 * step decodes with one consistent set.  The registry is a handful of rows:
 * one query costs less than the step's smallest insert, and topic 0 comes
 * computed from the table (a generated column), so nothing is hashed here.
 * The registry's trigger has checked each row (src/ingest/ingest.sql); what
 * is checked here is what could have changed since, or would make the
 * worker write out of bounds: a target dropped or moved out of the
 * extension's schema, a source or type the C decoder does not know, and the
 * target's unique key and reference to blocks, which the trigger cannot
 * check (a restore adds constraints after the registry's rows).
 */
#include "postgres.h"

#include "executor/spi.h"
#include "utils/builtins.h"

#include "amplified.h"
#include "ingest/ingest.h"

/* One row per (decoder, column), in the decoders' and columns' order. */
#define REGISTRY_QUERY \
	"SELECT d.name, d.topic0, c.relname, c.relnamespace = e.extnamespace, d.ntopics, d.data_len, " \
	"       f.name, f.source, f.type, amplified.ingest_event_target_problem(d.target) " \
	"  FROM amplified.ingest_event_decoders AS d " \
	"  JOIN pg_catalog.pg_extension AS e ON e.extname = 'amplified' " \
	"  LEFT JOIN pg_catalog.pg_class AS c ON c.oid = d.target " \
	" CROSS JOIN LATERAL pg_catalog.unnest(d.columns) WITH ORDINALITY AS f(name, source, type, ord) " \
	" ORDER BY d.name, f.ord"

/* A column's source as the registry spells it: emitter, topic1..3, word0.. */
static int
RegistrySource(const char *decoder, const char *s, int ntopics, int data_len)
{
	char	   *end;
	long		i;

	if (strcmp(s, "emitter") == 0)
		return INGEST_SRC_EMITTER;
	if (strncmp(s, "topic", 5) == 0)
	{
		i = strtol(s + 5, &end, 10);
		if (end != s + 5 && *end == '\0' && i >= 1 && i < ntopics)
			return (int) i;
	}
	else if (strncmp(s, "word", 4) == 0)
	{
		i = strtol(s + 4, &end, 10);
		if (end != s + 4 && *end == '\0' && i >= 0 && i < data_len / 32)
			return INGEST_SRC_WORD((int) i);
	}
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("event decoder \"%s\" has an invalid source \"%s\"", decoder, s)));
	return 0;					/* keep the compiler quiet */
}

/* A column's type as the registry spells it. */
static IngestColType
RegistryType(const char *decoder, const char *s)
{
	if (strcmp(s, "address") == 0)
		return INGEST_COL_ADDRESS;
	if (strcmp(s, "int24") == 0)
		return INGEST_COL_INT24;
	if (strcmp(s, "uint256") == 0)
		return INGEST_COL_UINT256;
	if (strcmp(s, "int256") == 0)
		return INGEST_COL_INT256;
	if (strcmp(s, "bytes32") == 0)
		return INGEST_COL_BYTES32;
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("event decoder \"%s\" has an invalid type \"%s\"", decoder, s)));
	return INGEST_COL_ADDRESS;	/* keep the compiler quiet */
}

/*
 * The registered event decoders; SPI must be connected.  They are allocated
 * in CurrentMemoryContext, which under SPI is SPI's procedure context: they
 * last until SPI_finish(), which is what the ingest step needs (it loads
 * them at its start and stores its rows before it finishes).  A caller that
 * needs them longer copies them out first.  *nspecs is set to their number.
 */
IngestEventSpec *
IngestLoadEventSpecs(int *nspecs)
{
	IngestEventSpec *specs;
	SPITupleTable *tt;
	TupleDesc	desc;
	MemoryContext cxt = CurrentMemoryContext;
	uint64		i;
	int			n = 0;

	if (SPI_execute(REGISTRY_QUERY, true, 0) != SPI_OK_SELECT)
		elog(ERROR, "amplified ingest: could not read the event decoders");
	tt = SPI_tuptable;
	desc = tt->tupdesc;
	/* SPI_processed rows bound the number of decoders. */
	specs = MemoryContextAllocZero(cxt, sizeof(IngestEventSpec) * Max(SPI_processed, 1));
	for (i = 0; i < SPI_processed; i++)
	{
		HeapTuple	tup = tt->vals[i];
		bool		isnull;
		char	   *name = SPI_getvalue(tup, desc, 1);
		IngestEventSpec *spec = n > 0 ? &specs[n - 1] : NULL;
		IngestEventColumn *col;
		MemoryContext old;

		if (spec == NULL || strcmp(spec->name, name) != 0)
		{
			Datum		topic0 = SPI_getbinval(tup, desc, 2, &isnull);
			char	   *table = SPI_getvalue(tup, desc, 3);
			bool		in_schema = DatumGetBool(SPI_getbinval(tup, desc, 4, &isnull));

			if (table == NULL || isnull || !in_schema)
				ereport(ERROR,
						(errcode(ERRCODE_UNDEFINED_TABLE),
						 errmsg("the target table of event decoder \"%s\" was dropped or moved out of schema amplified",
								name),
						 errhint("Delete the decoder from amplified.ingest_event_decoders, or register it again.")));
			if (SPI_getvalue(tup, desc, 10) != NULL)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_TABLE_DEFINITION),
						 errmsg("event decoder \"%s\" cannot write its table: %s",
								name, SPI_getvalue(tup, desc, 10))));
			spec = &specs[n++];
			old = MemoryContextSwitchTo(cxt);
			spec->name = pstrdup(name);
			spec->table = pstrdup(table);
			MemoryContextSwitchTo(old);
			memcpy(spec->topic0, DatumGetPointer(topic0), 32);
			spec->ntopics = DatumGetInt16(SPI_getbinval(tup, desc, 5, &isnull));
			spec->data_len = DatumGetInt32(SPI_getbinval(tup, desc, 6, &isnull));
			spec->ncols = 0;
		}
		if (spec->ncols >= INGEST_EV_MAX_COLS)
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("event decoder \"%s\" has more than %d columns", name, INGEST_EV_MAX_COLS)));
		col = &spec->cols[spec->ncols++];
		old = MemoryContextSwitchTo(cxt);
		col->name = pstrdup(SPI_getvalue(tup, desc, 7));
		MemoryContextSwitchTo(old);
		col->src = RegistrySource(name, SPI_getvalue(tup, desc, 8), spec->ntopics, spec->data_len);
		col->type = RegistryType(name, SPI_getvalue(tup, desc, 9));
		if (col->src == INGEST_SRC_EMITTER && col->type != INGEST_COL_ADDRESS)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("event decoder \"%s\": the emitter is an address, not %s",
							name, SPI_getvalue(tup, desc, 9))));
	}
	*nspecs = n;
	return specs;
}
