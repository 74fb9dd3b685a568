/*
 * src/ingest/decode.c
 *
 * The typed events the ingest worker decodes from the logs it has just
 * fetched, in C, before they are stored.  Which events, and into which
 * tables, is the registry amplified.ingest_event_decoders that protocol
 * modules fill (src/univ3/data.sql, src/tokens/tokens.sql; registry.c loads
 * it): each row gives an event's topic 0, its shape, and where each column
 * comes from (the emitter, a topic or a data word) and as which type, so one
 * small decoder serves all of them.  The rules are those of the SQL function
 * amplified.ingest_decode(), which reads the same registry and stays as the
 * reference and for re-decoding by hand: a log whose topic 0 matches but
 * whose shape does not (another contract reusing the name with other types,
 * an address word with dirty high bytes, a tick out of int24) is not decoded
 * and stays raw.  Pure computation: no palloc, no ereport.
 */
#include "postgres.h"

#include "ingest/ingest.h"

/* The 32-byte word a column comes from (not the emitter). */
static const uint8 *
Source(const IngestLog *log, int src)
{
	if (src < INGEST_SRC_WORD(0))
		return log->topics[src];
	return (const uint8 *) VARDATA_ANY(log->data) + 32 * (src - INGEST_SRC_WORD(0));
}

/* True when every byte of p[0..n-1] is b. */
static bool
AllBytes(const uint8 *p, int n, uint8 b)
{
	int			i;

	for (i = 0; i < n; i++)
		if (p[i] != b)
			return false;
	return true;
}

/* An ABI word holding an int24: sign-extended from its low 3 bytes, or false. */
static bool
WordInt24(const uint8 *w, int32 *out)
{
	if (AllBytes(w, 29, 0x00) && w[29] < 0x80)
		*out = (int32) ((w[29] << 16) | (w[30] << 8) | w[31]);
	else if (AllBytes(w, 29, 0xff) && w[29] >= 0x80)
		*out = (int32) ((w[29] << 16) | (w[30] << 8) | w[31]) - (1 << 24);
	else
		return false;
	return true;
}

/*
 * Decode a log with the first of specs[0..nspecs-1] whose topic 0 and shape
 * (number of topics, data length) it has; at most one has both, as the
 * registry keeps them unique.  Returns false when none has, or when a value
 * does not fit its type.  The event's values point into the log.
 */
bool
IngestDecodeLog(const IngestLog *log, const IngestEventSpec *specs, int nspecs, IngestEvent *ev)
{
	const IngestEventSpec *spec = NULL;
	Size		len = VARSIZE_ANY_EXHDR(log->data);
	int			k;

	if (log->ntopics < 1)
		return false;
	for (k = 0; k < nspecs; k++)
		if (log->ntopics == specs[k].ntopics && len == (Size) specs[k].data_len &&
			memcmp(log->topics[0], specs[k].topic0, 32) == 0)
		{
			spec = &specs[k];
			break;
		}
	if (spec == NULL)
		return false;

	ev->spec = k;
	for (k = 0; k < spec->ncols; k++)
	{
		const IngestEventColumn *c = &spec->cols[k];
		const uint8 *w;

		if (c->src == INGEST_SRC_EMITTER)
		{
			ev->vals[k].bytes = log->address;
			continue;
		}
		w = Source(log, c->src);
		switch (c->type)
		{
			case INGEST_COL_ADDRESS:
				if (!AllBytes(w, 12, 0))
					return false;
				ev->vals[k].bytes = w + 12;
				break;
			case INGEST_COL_INT24:
				if (!WordInt24(w, &ev->vals[k].int24))
					return false;
				break;
			case INGEST_COL_UINT256:
			case INGEST_COL_INT256:
			case INGEST_COL_BYTES32:
				ev->vals[k].bytes = w;
				break;
		}
	}
	return true;
}
