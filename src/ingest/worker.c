/*
 * src/ingest/worker.c
 *
 * The ingest worker of one chain.  Each step runs in its own transaction and
 * commits a batch: the node's view is fetched first, checked (every header
 * links to its parent, every log to its header), and only then written, in
 * bulk, together with the cursor that says where to resume.  So a crash at
 * any point loses nothing and duplicates nothing: the next step starts from
 * the committed cursor.  The writes are store.c's (headers, logs, and the
 * events decode.c decodes from the logs in memory), one statement per table.
 *
 * Two kinds of step:
 *   head      blocks next..min(next+range, head-confirmations): headers of
 *             all, logs of the watched contracts that have caught up;
 *   backfill  one watched contract behind the head stream: its logs over a
 *             range, and the headers of the blocks that hold them.
 * A header whose parent hash differs from the stored block below it is a
 * reorg: the worker walks back to the last common block, deletes everything
 * above it (ON DELETE CASCADE takes the logs and what derives from them) and
 * ingests the canonical branch; deeper than finality_depth, it halts the
 * chain with a clear error instead of diverging.
 *
 * A node whose head is below the indexed block is either merely behind (a
 * lagging or failed-over endpoint: its block at its head is the one stored)
 * or on another history (a reset node, another chain with the same chain
 * id).  The worker compares its block at min(head, indexed block) with the
 * stored one at every step that has nothing to ingest: the same hash means
 * behind, so it tries the chain's other endpoints and otherwise waits with
 * state node_behind, asking for no block the node does not have; another
 * hash is walked back as a reorg, and halts the chain past finality_depth.
 */
#include "postgres.h"

#include "access/xact.h"
#include "catalog/pg_type.h"
#include "commands/extension.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "postmaster/bgworker.h"
#include "postmaster/interrupt.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"
#include "utils/timestamp.h"

#include "amplified.h"
#include "ingest/ingest.h"
#include "worker/worker.h"

/* Headers fetched by one head step at most. */
#define INGEST_MAX_HEADERS		500
/* The eth_getLogs range grows up to this multiple of the chain's logs_range. */
#define INGEST_RANGE_GROWTH		64
/* Longest wait after a failed step. */
#define INGEST_MAX_BACKOFF_MS	30000
/* Longest wait after a failed retention call. */
#define INGEST_MAX_RETENTION_BACKOFF_MS	300000

/* A chain's settings, read at the start of each step. */
typedef struct ChainConf
{
	bool		found;
	bool		enabled;
	int			confirmations;
	int			finality_depth;
	int			batch_size;
	int			logs_range;
	int64		start_block;
	int			poll_ms;
	bool		halted;
} ChainConf;

/*
 * Blocks known to have their history partitions: from lo up to (not
 * including) recheck, which is half-way to the end of the covered span, so
 * the partitions ahead are made well before the head reaches them.
 */
typedef struct PartCover
{
	int64		lo;
	int64		recheck;		/* 0: ask before the next store */
} PartCover;

/* What the worker keeps between steps. */
typedef struct IngestState
{
	int64		chain_id;
	ChainConf	conf;
	RpcTarget	target;
	int			range;			/* current eth_getLogs range; 0 before the first step */
	bool		more;			/* a step found more work to do at once */
	char	   *preferred_url;	/* the endpoint failed over to (TopMemoryContext), or NULL */
	PartCover	head_cover;		/* of the head stream */
	PartCover	fill_cover;		/* of the backfills */
	int64		node_safe;		/* the node's head - confirmations at the last head step; -1 unknown */
	bool		retention_due;	/* the head's cover moved: apply retention */
	int			retention_failures; /* failed retention calls in a row */
	TimestampTz retention_at;	/* not before this (backoff after a failure) */
} IngestState;

/* ---- small SPI helpers ---- */

/* Run sql with int8 arguments; returns SPI_processed. */
static uint64
ExecInt8(const char *sql, int nargs, const int64 *args, int expect)
{
	Oid			types[4];
	Datum		values[4];
	int			i;
	int			rc;

	Assert(nargs <= 4);
	for (i = 0; i < nargs; i++)
	{
		types[i] = INT8OID;
		values[i] = Int64GetDatum(args[i]);
	}
	rc = SPI_execute_with_args(sql, nargs, types, values, NULL, false, 0);
	if (rc != expect)
		elog(ERROR, "amplified ingest: unexpected SPI result %d for: %s", rc, sql);
	return SPI_processed;
}

/* The first column of the first row as int8, or dflt when none or NULL. */
static int64
FirstInt8(int64 dflt)
{
	bool		isnull;
	Datum		d;

	if (SPI_processed == 0)
		return dflt;
	d = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);
	return isnull ? dflt : DatumGetInt64(d);
}

/* Read the chain's settings and whether it is halted. */
static void
LoadChain(IngestState *st)
{
	ChainConf  *c = &st->conf;
	int64		args[1] = {st->chain_id};
	HeapTuple	tup;
	TupleDesc	desc;
	bool		isnull;

	memset(c, 0, sizeof(*c));
	ExecInt8("SELECT c.enabled, c.confirmations, c.finality_depth, c.batch_size, c.logs_range, "
			 "c.start_block, (extract(epoch FROM c.poll_interval) * 1000)::int, "
			 "coalesce(s.state = 'halted', false) "
			 "FROM amplified.chains c LEFT JOIN amplified.ingest_status s USING (chain_id) "
			 "WHERE c.chain_id = $1", 1, args, SPI_OK_SELECT);
	if (SPI_processed == 0)
		return;
	tup = SPI_tuptable->vals[0];
	desc = SPI_tuptable->tupdesc;
	c->found = true;
	c->enabled = DatumGetBool(SPI_getbinval(tup, desc, 1, &isnull));
	c->confirmations = DatumGetInt32(SPI_getbinval(tup, desc, 2, &isnull));
	c->finality_depth = DatumGetInt32(SPI_getbinval(tup, desc, 3, &isnull));
	c->batch_size = DatumGetInt32(SPI_getbinval(tup, desc, 4, &isnull));
	c->logs_range = DatumGetInt32(SPI_getbinval(tup, desc, 5, &isnull));
	c->start_block = DatumGetInt64(SPI_getbinval(tup, desc, 6, &isnull));
	c->poll_ms = DatumGetInt32(SPI_getbinval(tup, desc, 7, &isnull));
	c->halted = DatumGetBool(SPI_getbinval(tup, desc, 8, &isnull));
}

/* The next block of a stream, creating the cursor at dflt when missing. */
static int64
GetCursor(int64 chain_id, const char *stream, int64 dflt)
{
	Oid			types[3] = {INT8OID, TEXTOID, INT8OID};
	Datum		values[3] = {Int64GetDatum(chain_id), CStringGetTextDatum(stream), Int64GetDatum(dflt)};

	if (SPI_execute_with_args("INSERT INTO amplified.ingest_cursors (chain_id, stream, next_block) "
							  "VALUES ($1, $2, $3) ON CONFLICT (chain_id, stream) "
							  "DO UPDATE SET next_block = amplified.ingest_cursors.next_block "
							  "RETURNING next_block",
							  3, types, values, NULL, false, 0) != SPI_OK_INSERT_RETURNING)
		elog(ERROR, "amplified ingest: could not read cursor %s", stream);
	return FirstInt8(dflt);
}

/* Set a stream's next block. */
static void
SetCursor(int64 chain_id, const char *stream, int64 next)
{
	Oid			types[3] = {INT8OID, TEXTOID, INT8OID};
	Datum		values[3] = {Int64GetDatum(chain_id), CStringGetTextDatum(stream), Int64GetDatum(next)};

	if (SPI_execute_with_args("UPDATE amplified.ingest_cursors SET next_block = $3, updated_at = now() "
							  "WHERE chain_id = $1 AND stream = $2",
							  3, types, values, NULL, false, 0) != SPI_OK_UPDATE)
		elog(ERROR, "amplified ingest: could not set cursor %s", stream);
}

/* The stored hash of a block ("0x..." lowercase), or NULL when not stored. */
static char *
StoredHash(int64 chain_id, int64 number)
{
	int64		args[2] = {chain_id, number};

	ExecInt8("SELECT hash::text FROM amplified.blocks WHERE chain_id = $1 AND number = $2",
			 2, args, SPI_OK_SELECT);
	if (SPI_processed == 0)
		return NULL;
	return SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);
}

/* A text[] of n C strings (NULL entries become SQL NULL). */
static Datum
TextArray(char **strs, int n)
{
	Datum	   *d = palloc(sizeof(Datum) * Max(n, 1));
	bool	   *nulls = palloc(sizeof(bool) * Max(n, 1));
	int			dims[1] = {n};
	int			lbs[1] = {1};
	int			i;

	for (i = 0; i < n; i++)
	{
		nulls[i] = (strs[i] == NULL);
		d[i] = strs[i] ? CStringGetTextDatum(strs[i]) : (Datum) 0;
	}
	return PointerGetDatum(construct_md_array(d, nulls, 1, dims, lbs, TEXTOID, -1, false, TYPALIGN_INT));
}

/* An int8[] of n values. */
static Datum
Int8Array(int64 *v, int n)
{
	Datum	   *d = palloc(sizeof(Datum) * Max(n, 1));
	int			i;

	for (i = 0; i < n; i++)
		d[i] = Int64GetDatum(v[i]);
	return PointerGetDatum(construct_array(d, n, INT8OID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
}

/*
 * Read the configured contract state at every block of blocks[0..n-1] whose
 * number is a multiple of the contract's read_every, and store it raw and
 * decoded.
 */
static void
ReadState(IngestState *st, IngestBlock *blocks, int n)
{
	int64		chain_id = st->chain_id;
	int64		args[1] = {chain_id};
	IngestRead *reads;
	int			nreads = 0;
	uint64		nplan;
	uint64		p;
	int			i;
	int64	   *bn;
	char	  **addr,
			  **read,
			  **arg,
			  **result,
			  **error;
	Oid			types[7] = {INT8OID, INT8ARRAYOID, TEXTARRAYOID, TEXTARRAYOID, TEXTARRAYOID,
	TEXTARRAYOID, TEXTARRAYOID};
	Datum		values[7];
	SPITupleTable *plan;

	ExecInt8("SELECT lower(address::text), read, arg, '0x' || encode(calldata, 'hex'), read_every "
			 "FROM amplified.ingest_read_plan($1)", 1, args, SPI_OK_SELECT);
	nplan = SPI_processed;
	plan = SPI_tuptable;
	if (nplan == 0 || n == 0)
		return;

	reads = palloc0(sizeof(IngestRead) * nplan * n);
	for (p = 0; p < nplan; p++)
	{
		HeapTuple	tup = plan->vals[p];
		bool		isnull;
		int			every = DatumGetInt32(SPI_getbinval(tup, plan->tupdesc, 5, &isnull));

		for (i = 0; i < n; i++)
		{
			if (blocks[i].number % every != 0)
				continue;
			reads[nreads].block_number = blocks[i].number;
			reads[nreads].block_hash = blocks[i].hash;
			reads[nreads].address = SPI_getvalue(tup, plan->tupdesc, 1);
			reads[nreads].read = SPI_getvalue(tup, plan->tupdesc, 2);
			reads[nreads].arg = SPI_getvalue(tup, plan->tupdesc, 3);
			reads[nreads].calldata = SPI_getvalue(tup, plan->tupdesc, 4);
			nreads++;
		}
	}
	if (nreads == 0)
		return;
	IngestFetchReads(&st->target, reads, nreads);

	bn = palloc(sizeof(int64) * nreads);
	addr = palloc(sizeof(char *) * nreads);
	read = palloc(sizeof(char *) * nreads);
	arg = palloc(sizeof(char *) * nreads);
	result = palloc(sizeof(char *) * nreads);
	error = palloc(sizeof(char *) * nreads);
	for (i = 0; i < nreads; i++)
	{
		bn[i] = reads[i].block_number;
		addr[i] = (char *) reads[i].address;
		read[i] = (char *) reads[i].read;
		arg[i] = (char *) reads[i].arg;
		result[i] = reads[i].result ? reads[i].result + 2 : NULL;	/* without 0x */
		error[i] = reads[i].error;
	}
	values[0] = Int64GetDatum(chain_id);
	values[1] = Int8Array(bn, nreads);
	values[2] = TextArray(addr, nreads);
	values[3] = TextArray(read, nreads);
	values[4] = TextArray(arg, nreads);
	values[5] = TextArray(result, nreads);
	values[6] = TextArray(error, nreads);
	if (SPI_execute_with_args("INSERT INTO amplified.state_reads (chain_id, block_number, address, read, arg, result, error) "
							  "SELECT $1, u.bn, u.a::amplified.address, u.r, u.g, decode(u.res, 'hex'), u.err "
							  "FROM unnest($2, $3, $4, $5, $6, $7) AS u(bn, a, r, g, res, err) "
							  "ON CONFLICT DO NOTHING",
							  7, types, values, NULL, false, 0) != SPI_OK_INSERT)
		elog(ERROR, "amplified ingest: could not insert state reads");
	{
		int64		a3[3] = {chain_id, blocks[0].number, blocks[n - 1].number};

		ExecInt8("SELECT amplified.ingest_decode_reads($1, $2, $3)", 3, a3, SPI_OK_SELECT);
	}
}

/* Update the status row (created on first use). */
static void
SetStatus(IngestState *st, const char *state, int64 head, int64 nblocks, int64 nlogs, double secs)
{
	Oid			types[7] = {INT8OID, TEXTOID, INT8OID, INT8OID, INT8OID, FLOAT8OID, INT4OID};
	Datum		values[7];
	char		nulls[7] = {' ', ' ', head < 0 ? 'n' : ' ', ' ', ' ', secs > 0 ? ' ' : 'n', ' '};

	values[0] = Int64GetDatum(st->chain_id);
	values[1] = CStringGetTextDatum(state);
	values[2] = Int64GetDatum(head);
	values[3] = Int64GetDatum(nblocks);
	values[4] = Int64GetDatum(nlogs);
	values[5] = Float8GetDatum(secs);
	values[6] = Int32GetDatum(st->range);
	if (SPI_execute_with_args("INSERT INTO amplified.ingest_status AS s (chain_id, state, head, blocks_total, "
							  "logs_total, blocks_per_sec, logs_per_sec, getlogs_range) "
							  "VALUES ($1, $2, $3, $4, $5, $4 / $6, $5 / $6, $7) "
							  "ON CONFLICT (chain_id) DO UPDATE SET "
							  "state = CASE WHEN s.state = 'halted' THEN s.state ELSE EXCLUDED.state END, "
							  "head = coalesce(EXCLUDED.head, s.head), "
							  "blocks_total = s.blocks_total + EXCLUDED.blocks_total, "
							  "logs_total = s.logs_total + EXCLUDED.logs_total, "
							  "blocks_per_sec = coalesce(EXCLUDED.blocks_per_sec, s.blocks_per_sec), "
							  "logs_per_sec = coalesce(EXCLUDED.logs_per_sec, s.logs_per_sec), "
							  "getlogs_range = EXCLUDED.getlogs_range, updated_at = now()",
							  7, types, values, nulls, false, 0) != SPI_OK_INSERT)
		elog(ERROR, "amplified ingest: could not update status");
}

/* ---- the steps ---- */

/*
 * Logs of addresses over from..*to, halving the range (and *to) while the
 * node refuses it; a single block it refuses is an error.
 */
static void
FetchLogsAdaptive(IngestState *st, int64 from, int64 *to, char **addrs, int naddrs,
				  IngestLog **logs, int *nlogs)
{
	for (;;)
	{
		const char *why = IngestFetchLogs(&st->target, from, *to, addrs, naddrs, logs, nlogs);

		if (why == NULL)
		{
			st->range = (int) Min((int64) st->range * 2,
								  (int64) st->conf.logs_range * INGEST_RANGE_GROWTH);
			return;
		}
		if (*to == from)
			ereport(ERROR,
					(errcode(ERRCODE_AMP_NODE_UNAVAILABLE),
					 errmsg("eth_getLogs failed for the single block " INT64_FORMAT " of chain " INT64_FORMAT,
							from, st->chain_id),
					 errdetail("%s", why)));
		*to = from + (*to - from + 1) / 2 - 1;
		st->range = (int) Max(1, (*to - from + 1));
		ereport(DEBUG1, (errmsg("amplified ingest: eth_getLogs refused (%s); range now %d", why, st->range)));
	}
}

/* Mark the chain halted with reason, in the step's transaction, and say so in the log. */
static void
HaltChain(IngestState *st, const char *reason)
{
	Oid			t[2] = {INT8OID, TEXTOID};
	Datum		v[2];

	v[0] = Int64GetDatum(st->chain_id);
	v[1] = CStringGetTextDatum(reason);
	if (SPI_execute_with_args("INSERT INTO amplified.ingest_status (chain_id, state, last_error, last_error_at) "
							  "VALUES ($1, 'halted', $2, now()) ON CONFLICT (chain_id) DO UPDATE SET "
							  "state = 'halted', last_error = $2, last_error_at = now(), updated_at = now()",
							  2, t, v, NULL, false, 0) != SPI_OK_INSERT)
		elog(ERROR, "amplified ingest: could not halt chain " INT64_FORMAT, st->chain_id);
	ereport(WARNING,
			(errmsg("amplified ingest: chain " INT64_FORMAT ": %s", st->chain_id, reason)));
}

/*
 * The stored blocks above tip's common ancestor with the node differ from
 * the node's: find the last common block, delete everything above it,
 * rewind the cursors.  head is the node's head: when it is below tip, the
 * walk starts at head, and the stored blocks above it count as orphaned
 * too.  Returns false when the difference is deeper than finality_depth
 * below tip and the chain was halted instead; true (having done nothing)
 * when the first block compared is the node's after all.
 */
static bool
RollBackReorg(IngestState *st, int64 tip, int64 head)
{
	int64		start = Min(tip, head);
	int64		fork = start;
	int64		args[3];

	for (;; fork--)
	{
		char	   *stored;
		char	   *theirs;

		CHECK_FOR_INTERRUPTS();
		if (fork < 0)
			break;
		stored = StoredHash(st->chain_id, fork);
		if (stored == NULL)
			break;
		theirs = IngestFetchBlock(&st->target, fork)->hash;
		if (strcmp(stored, theirs) == 0)
			break;
		if (tip - fork + 1 > st->conf.finality_depth)
		{
			if (head < tip)
				HaltChain(st, psprintf("the node's history differs from the ingested chain deeper than finality_depth (%d): "
									   "its block " INT64_FORMAT " is %s, ingested %s, and its head " INT64_FORMAT
									   " is below the indexed block " INT64_FORMAT
									   " (a reset node, or another chain with the same chain id); "
									   "ingestion halted: check the node, then call amplified.ingest_resume()",
									   st->conf.finality_depth, fork, theirs, stored, head, tip));
			else
				HaltChain(st, psprintf("reorg deeper than finality_depth (%d) below block " INT64_FORMAT
									   ": the node's block " INT64_FORMAT " is %s, ingested %s; "
									   "ingestion halted: check the node, then call amplified.ingest_resume()",
									   st->conf.finality_depth, tip + 1, fork, theirs, stored));
			return false;
		}
	}
	if (fork == start)
		return true;			/* the node changed while we looked: read again */

	/* Remember what is orphaned, then one DELETE rolls it all back. */
	args[0] = st->chain_id;
	args[1] = fork;
	args[2] = tip - fork;
	ExecInt8("INSERT INTO amplified.ingest_reorgs (chain_id, fork_block, depth, orphaned_hashes) "
			 "SELECT $1, $2, $3::int, coalesce(array_agg(hash ORDER BY number), '{}') "
			 "FROM amplified.blocks WHERE chain_id = $1 AND number > $2", 3, args, SPI_OK_INSERT);
	ExecInt8("DELETE FROM amplified.blocks WHERE chain_id = $1 AND number > $2", 2, args, SPI_OK_DELETE);
	args[1] = fork + 1;
	ExecInt8("UPDATE amplified.ingest_cursors SET next_block = $2, updated_at = now() "
			 "WHERE chain_id = $1 AND next_block > $2", 2, args, SPI_OK_UPDATE);
	ExecInt8("UPDATE amplified.ingest_status SET reorgs = reorgs + 1, updated_at = now() "
			 "WHERE chain_id = $1", 1, args, SPI_OK_UPDATE);
	ereport(LOG,
			(errmsg("amplified ingest: chain " INT64_FORMAT ": reorg of %d blocks rolled back to block " INT64_FORMAT,
					st->chain_id, (int) (tip - fork), fork)));
	return true;
}

/* Put the endpoint failed over to (if it is still configured) first. */
static void
PreferEndpoint(IngestState *st)
{
	int			i;

	if (st->preferred_url == NULL)
		return;
	for (i = 1; i < st->target.nurls; i++)
		if (strcmp(st->target.urls[i], st->preferred_url) == 0)
		{
			char	   *first = st->target.urls[0];

			st->target.urls[0] = st->target.urls[i];
			st->target.urls[i] = first;
			return;
		}
}

/*
 * The first endpoint is behind the indexed block: ask the others for their
 * head, and use the first one that is not behind (it becomes the preferred
 * endpoint until it falls behind in turn).  Returns the head of the
 * endpoint now first, which is still behind when none was better.
 */
static int64
FailOverBehind(IngestState *st, int64 indexed, int64 head)
{
	int			i;

	for (i = 1; i < st->target.nurls; i++)
	{
		RpcTarget	one = st->target;
		RpcRequest	req;
		char	   *s;
		int64		theirs;
		char	   *first;

		one.urls = &st->target.urls[i];
		one.nurls = 1;
		memset(&req, 0, sizeof(req));
		req.method = "eth_blockNumber";
		if (RpcTry(&one, &req) != NULL || (s = RpcResultString(req.result)) == NULL)
			continue;
		theirs = (int64) RpcParseQuantity(s, "eth_blockNumber");
		if (theirs < indexed)
			continue;
		ereport(LOG,
				(errmsg("amplified ingest: chain " INT64_FORMAT ": endpoint %s is behind (head " INT64_FORMAT
						", indexed block " INT64_FORMAT "); using %s (head " INT64_FORMAT ")",
						st->chain_id, RpcRedactUrl(st->target.urls[0]), head, indexed,
						RpcRedactUrl(st->target.urls[i]), theirs)));
		first = st->target.urls[0];
		st->target.urls[0] = st->target.urls[i];
		st->target.urls[i] = first;
		if (st->preferred_url)
			pfree(st->preferred_url);
		/* Kept across steps, whose memory is reset. */
		st->preferred_url = MemoryContextStrdup(TopMemoryContext, st->target.urls[0]);
		return theirs;
	}
	return head;
}

/*
 * Whether the node's history differs from the stored one at finality_depth
 * below its head (at its genesis when its head is lower than that): one
 * block compared.  A stored block missing there (below start_block) says
 * nothing, and counts as no difference.
 */
static bool
DiffersDeep(IngestState *st, int64 head)
{
	int64		at = Max(head - st->conf.finality_depth, 0);
	char	   *stored = StoredHash(st->chain_id, at);

	return stored != NULL && strcmp(stored, IngestFetchBlock(&st->target, at)->hash) != 0;
}

/*
 * Nothing to ingest: check that the node still has the indexed history.
 * Its block at min(head, indexed) is compared with the stored one; another
 * hash is rolled back as a reorg (or halts the chain).  Returns the state to
 * report: node_behind when its head is below the indexed block, else synced.
 */
static const char *
CheckIndexedHistory(IngestState *st, int64 indexed, int64 head)
{
	int64		at = Min(head, indexed);
	char	   *stored;

	if (at < 0 || (stored = StoredHash(st->chain_id, at)) == NULL)
		return head < indexed ? "node_behind" : "synced";
	if (strcmp(stored, IngestFetchBlock(&st->target, at)->hash) != 0)
	{
		/*
		 * A node behind us whose newest blocks are on a branch we passed (a
		 * lagging endpoint on an uncle) is waited for: nothing of ours is
		 * deleted for it.  Only a difference that reaches finality_depth
		 * below its head (or its genesis) is another history.
		 */
		if (head < indexed && !DiffersDeep(st, head))
			return "node_behind";
		st->more = RollBackReorg(st, indexed, head);
		return NULL;
	}
	return head < indexed ? "node_behind" : "synced";
}

/* Addresses (lowercase hex) of the enabled watched contracts whose cursor is at next. */
static char **
CaughtUpContracts(int64 chain_id, int64 next, int *n)
{
	int64		args[2] = {chain_id, next};
	char	  **out;
	uint64		i;

	ExecInt8("SELECT k.stream FROM amplified.watched_contracts w "
			 "JOIN amplified.ingest_cursors k ON k.chain_id = w.chain_id AND k.stream = lower(w.address::text) "
			 "WHERE w.chain_id = $1 AND w.enabled AND k.next_block = $2 ORDER BY 1",
			 2, args, SPI_OK_SELECT);
	*n = (int) SPI_processed;
	out = palloc(sizeof(char *) * Max(*n, 1));
	for (i = 0; i < SPI_processed; i++)
		out[i] = SPI_getvalue(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1);
	return out;
}

/*
 * Move the cursors of the contracts whose logs a head step fetched (addrs,
 * from CaughtUpContracts at the step's start) along with the head.  Only
 * those: a contract watched while the step ran has its cursor at next too
 * by the time this runs (READ COMMITTED sees it), but the step did not ask
 * the node for its logs, so its own cursor must cover the range.
 */
static void
AdvanceCaughtUp(int64 chain_id, int64 next, int64 to_next, char **addrs, int naddrs)
{
	Oid			types[4] = {INT8OID, INT8OID, INT8OID, TEXTARRAYOID};
	Datum		values[4];
	Datum	   *a;
	int			i;

	if (naddrs == 0)
		return;
	a = palloc(sizeof(Datum) * naddrs);
	for (i = 0; i < naddrs; i++)
		a[i] = CStringGetTextDatum(addrs[i]);
	values[0] = Int64GetDatum(chain_id);
	values[1] = Int64GetDatum(next);
	values[2] = Int64GetDatum(to_next);
	values[3] = PointerGetDatum(construct_array(a, naddrs, TEXTOID, -1, false, TYPALIGN_INT));
	if (SPI_execute_with_args("UPDATE amplified.ingest_cursors k SET next_block = $3, updated_at = now() "
							  "WHERE k.chain_id = $1 AND k.next_block = $2 AND k.stream = ANY ($4)",
							  4, types, values, NULL, false, 0) != SPI_OK_UPDATE)
		elog(ERROR, "amplified ingest: could not move the cursors of the caught-up contracts");
}

/* Seconds since t0, for the rates. */
static double
SecondsSince(TimestampTz t0)
{
	return (double) (GetCurrentTimestamp() - t0) / 1000000.0;
}

/*
 * Make sure blocks from..to have their history partitions before they are
 * stored (ingest_partitions_maintain makes them, and the range ahead),
 * asking only when the span known to be covered does not hold them with
 * room to spare.  Returns whether it asked.  A row stored without its
 * partition would still be kept (in the DEFAULT partition, moved out when
 * its range is made), so a stale cover is never wrong, only slower.
 */
static bool
EnsurePartitions(IngestState *st, PartCover *c, int64 from, int64 to)
{
	int64		args[3] = {st->chain_id, from, to};
	int64		end;

	if (c->recheck > 0 && from >= c->lo && to < c->recheck)
		return false;
	ExecInt8("SELECT amplified.ingest_partitions_maintain($1, $2, $3)", 3, args, SPI_OK_SELECT);
	end = FirstInt8(to + 1);
	c->lo = from;
	c->recheck = to + 1 + (end - to - 1) / 2;
	return true;
}

/*
 * Partition maintenance, in its own short transaction before the steps (no
 * RPC in it): the blocks the head step may store (next..next+range) and
 * those the next backfill may store.  Making a partition locks the history
 * parents and chains for a moment; done apart, those locks are not held
 * through a step's calls to the node.  A head cover that moved makes
 * retention due (a range only falls below the cutoff as the head passes
 * range boundaries).
 */
static void
MaintainPartitions(void *arg)
{
	IngestState *st = (IngestState *) arg;

	SetCurrentStatementStartTimestamp();
	StartTransactionCommand();
	SPI_connect();
	PushActiveSnapshot(GetTransactionSnapshot());
	pgstat_report_activity(STATE_RUNNING, "amplified ingest: history partitions");

	if (OidIsValid(get_extension_oid("amplified", true)))
	{
		LoadChain(st);
		if (st->conf.found && st->conf.enabled && !st->conf.halted)
		{
			int			range = st->range > 0 ? st->range : st->conf.logs_range;
			int64		next = GetCursor(st->chain_id, "head", st->conf.start_block);
			int64		args[2] = {st->chain_id, next};
			int64		to = Max(next, Min(next + Min(range, INGEST_MAX_HEADERS) - 1, st->node_safe));

			/* Up to the node's head as last seen: no ranges made past it. */
			if (EnsurePartitions(st, &st->head_cover, next, to))
				st->retention_due = true;
			ExecInt8("SELECT min(k.next_block) FROM amplified.watched_contracts w "
					 "JOIN amplified.ingest_cursors k ON k.chain_id = w.chain_id AND k.stream = lower(w.address::text) "
					 "WHERE w.chain_id = $1 AND w.enabled AND k.next_block < $2", 2, args, SPI_OK_SELECT);
			if (SPI_processed > 0)
			{
				int64		from = FirstInt8(-1);

				if (from >= 0)
					(void) EnsurePartitions(st, &st->fill_cover, from, Max(from, Min(next - 1, from + range - 1)));
			}
		}
	}

	SPI_finish();
	PopActiveSnapshot();
	CommitTransactionCommand();
	pgstat_report_activity(STATE_IDLE, NULL);
}

/*
 * The chain's retention, in its own short transaction after the head step
 * committed (never with a call to the node in it): dropping a range locks
 * the history tables and chains exclusively for a moment.  Whether a range
 * below the cutoff is left (readers held its tables past the lock timeout)
 * is asked afterwards: then it is due again, after a backoff.
 */
static void
ApplyRetention(void *arg)
{
	IngestState *st = (IngestState *) arg;
	int64		args[1] = {st->chain_id};
	bool		left;

	SetCurrentStatementStartTimestamp();
	StartTransactionCommand();
	SPI_connect();
	PushActiveSnapshot(GetTransactionSnapshot());
	pgstat_report_activity(STATE_RUNNING, "amplified ingest: retention");

	/* Never wait long for a lock here: the next try comes after a backoff. */
	if (SPI_execute("SET LOCAL lock_timeout = '5s'", false, 0) != SPI_OK_UTILITY)
		elog(ERROR, "amplified ingest: could not set lock_timeout");
	ExecInt8("SELECT count(*) FROM amplified.ingest_retention_apply($1)", 1, args, SPI_OK_SELECT);

	SPI_finish();
	PopActiveSnapshot();
	CommitTransactionCommand();

	/*
	 * Whether ranges below the cutoff are left, asked in a transaction of
	 * its own: the floors it runs may scan whole tables, never while the
	 * drop's exclusive locks are held.
	 */
	StartTransactionCommand();
	SPI_connect();
	PushActiveSnapshot(GetTransactionSnapshot());
	ExecInt8("SELECT count(*) FROM amplified.ingest_partitions k "
			 "JOIN amplified.v_ingest_history v ON v.chain_id = k.chain_id "
			 "WHERE k.chain_id = $1 AND k.to_block <= v.cutoff", 1, args, SPI_OK_SELECT);
	left = FirstInt8(0) > 0;
	SPI_finish();
	PopActiveSnapshot();
	CommitTransactionCommand();
	pgstat_report_activity(STATE_IDLE, NULL);

	if (left)
		ereport(ERROR,
				(errcode(ERRCODE_LOCK_NOT_AVAILABLE),
				 errmsg("retention of chain " INT64_FORMAT " left ranges below its cutoff", st->chain_id),
				 errdetail("Readers held the history tables; retention is tried again later.")));
}

/*
 * Apply retention when due, apart from the steps: a failure (an error, or
 * ranges left because readers held the tables) is logged and tried again
 * after a backoff, and never fails or delays ingestion.
 */
static void
RetentionIfDue(IngestState *st, MemoryContext cxt)
{
	if (!st->retention_due || GetCurrentTimestamp() < st->retention_at)
		return;
	if (WorkerRunGuarded(ApplyRetention, st, cxt))
	{
		st->retention_due = false;
		st->retention_failures = 0;
		return;
	}
	st->retention_failures++;
	st->retention_at = TimestampTzPlusMilliseconds(GetCurrentTimestamp(),
												   Min((long) INGEST_MAX_RETENTION_BACKOFF_MS,
													   1000L << Min(st->retention_failures, 10)));
	ereport(LOG,
			(errmsg("amplified ingest: retention of chain " INT64_FORMAT " failed; trying again in %ld s",
					st->chain_id, Min((long) INGEST_MAX_RETENTION_BACKOFF_MS,
									  1000L << Min(st->retention_failures, 10)) / 1000)));
}

/* The head step: see the file header.  Sets st->more when more blocks wait. */
static void
HeadStep(IngestState *st)
{
	TimestampTz t0 = GetCurrentTimestamp();
	int64		head = (int64) RpcBlockNumber(&st->target);
	int64		next = GetCursor(st->chain_id, "head", st->conf.start_block);
	int64		safe;
	int64		to;
	IngestBlock *blocks;
	IngestLog  *logs = NULL;
	int			nlogs = 0;
	char	  **addrs;
	int			naddrs;
	char	   *parent;
	int			i;

	if (head < next - 1 && st->target.nurls > 1)
		head = FailOverBehind(st, next - 1, head);
	safe = head - st->conf.confirmations;
	st->node_safe = safe;
	if (next > safe)
	{
		const char *state = CheckIndexedHistory(st, next - 1, head);

		if (state != NULL)
			SetStatus(st, state, head, 0, 0, 0);
		return;
	}
	to = Min(safe, next + Min(st->range, INGEST_MAX_HEADERS) - 1);
	/* No further than the partitions made before the step (then at once more). */
	if (st->head_cover.lo <= next && next < st->head_cover.recheck)
		to = Min(to, st->head_cover.recheck - 1);

	/* Logs first (the range may shrink), then the headers they must match. */
	addrs = CaughtUpContracts(st->chain_id, next, &naddrs);
	if (naddrs > 0)
		FetchLogsAdaptive(st, next, &to, addrs, naddrs, &logs, &nlogs);
	blocks = palloc0(sizeof(IngestBlock) * (to - next + 1));
	IngestFetchBlocks(&st->target, next, to, blocks);

	/* The first header must sit on the stored block below it: else a reorg. */
	parent = next > 0 ? StoredHash(st->chain_id, next - 1) : NULL;
	if (parent != NULL && strcmp(parent, blocks[0].parent_hash) != 0)
	{
		(void) RollBackReorg(st, next - 1, head);
		st->more = true;
		return;
	}
	/* The node's view changed while we read it: read again. */
	for (i = 1; i <= to - next; i++)
		if (strcmp(blocks[i].parent_hash, blocks[i - 1].hash) != 0)
		{
			st->more = true;
			return;
		}
	for (i = 0; i < nlogs; i++)
		if (strcmp(logs[i].block_hash, blocks[logs[i].block_number - next].hash) != 0)
		{
			st->more = true;
			return;
		}

	IngestStoreBlocks(st->chain_id, blocks, (int) (to - next + 1));
	(void) IngestStoreLogs(st->chain_id, logs, nlogs);
	ReadState(st, blocks, (int) (to - next + 1));
	SetCursor(st->chain_id, "head", to + 1);
	AdvanceCaughtUp(st->chain_id, next, to + 1, addrs, naddrs);
	SetStatus(st, to < safe ? "running" : "synced", head, to - next + 1, nlogs, SecondsSince(t0));
	st->more = (to < safe);
}

/* The backfill step: one contract behind the head stream catches up a range. */
static void
BackfillStep(IngestState *st)
{
	TimestampTz t0 = GetCurrentTimestamp();
	int64		head_next = GetCursor(st->chain_id, "head", st->conf.start_block);
	int64		head;
	int64		args[2] = {st->chain_id, head_next};
	char	   *addr;
	int64		from;
	int64		to;
	IngestLog  *logs = NULL;
	int			nlogs = 0;
	int64	   *need;
	int			nneed = 0;
	IngestBlock *blocks;
	int			i;

	ExecInt8("SELECT k.stream, k.next_block FROM amplified.watched_contracts w "
			 "JOIN amplified.ingest_cursors k ON k.chain_id = w.chain_id AND k.stream = lower(w.address::text) "
			 "WHERE w.chain_id = $1 AND w.enabled AND k.next_block < $2 "
			 "ORDER BY k.next_block, k.stream LIMIT 1", 2, args, SPI_OK_SELECT);
	if (SPI_processed == 0)
		return;
	addr = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);
	from = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2, &(bool){false}));
	to = Min(head_next - 1, from + st->range - 1);

	/*
	 * Never ask the node for a block it does not have: a first endpoint
	 * behind the range is failed over, and the range stops at the head of
	 * the endpoint used (the head step reports a node behind).
	 */
	head = (int64) RpcBlockNumber(&st->target);
	if (head < to && st->target.nurls > 1)
		head = FailOverBehind(st, to, head);
	if (head < from)
		return;
	to = Min(to, head);
	if (st->fill_cover.lo <= from && from < st->fill_cover.recheck)
		to = Min(to, st->fill_cover.recheck - 1);

	FetchLogsAdaptive(st, from, &to, &addr, 1, &logs, &nlogs);

	/* Headers of the blocks that hold these logs: stored ones must agree. */
	need = palloc(sizeof(int64) * Max(nlogs, 1));
	for (i = 0; i < nlogs; i++)
	{
		char	   *stored;

		if (i > 0 && logs[i].block_number == logs[i - 1].block_number)
			continue;
		stored = StoredHash(st->chain_id, logs[i].block_number);
		if (stored == NULL)
			need[nneed++] = logs[i].block_number;
		else if (strcmp(stored, logs[i].block_hash) != 0)
		{
			st->more = true;	/* a reorg the head step will meet: retry later */
			return;
		}
	}
	/* One batched request for all the missing headers. */
	blocks = palloc0(sizeof(IngestBlock) * Max(nneed, 1));
	IngestFetchBlockList(&st->target, need, nneed, blocks);
	for (i = 0; i < nneed; i++)
	{
		int			k;

		for (k = 0; k < nlogs; k++)
			if (logs[k].block_number == blocks[i].number &&
				strcmp(logs[k].block_hash, blocks[i].hash) != 0)
			{
				st->more = true;
				return;
			}
	}

	IngestStoreBlocks(st->chain_id, blocks, nneed);
	(void) IngestStoreLogs(st->chain_id, logs, nlogs);
	SetCursor(st->chain_id, addr, to + 1);
	SetStatus(st, "running", -1, nneed, nlogs, SecondsSince(t0));
	st->more = true;
}

/* Which step, in one transaction. */
typedef enum IngestStepKind
{
	STEP_HEAD,
	STEP_BACKFILL
} IngestStepKind;

typedef struct StepArg
{
	IngestState *st;
	IngestStepKind kind;
	bool		stop;			/* the chain is gone or disabled */
} StepArg;

/* Run one step in its own transaction. */
static void
RunStep(void *arg)
{
	StepArg    *a = (StepArg *) arg;
	IngestState *st = a->st;

	SetCurrentStatementStartTimestamp();
	StartTransactionCommand();
	SPI_connect();
	PushActiveSnapshot(GetTransactionSnapshot());
	pgstat_report_activity(STATE_RUNNING, a->kind == STEP_HEAD ?
						   "amplified ingest: following the head" : "amplified ingest: backfilling");

	if (!OidIsValid(get_extension_oid("amplified", true)))
		a->stop = true;
	else
	{
		LoadChain(st);
		if (!st->conf.found || !st->conf.enabled)
			a->stop = true;
		else if (st->conf.halted)
			WorkerSetState("halted", "the node's chain differs from the ingested one deeper than finality_depth; "
						   "see amplified.v_ingest_status");
		else
		{
			if (st->range == 0)
				st->range = st->conf.logs_range;
			RpcLoadTarget(st->chain_id, &st->target);
			PreferEndpoint(st);
			if (a->kind == STEP_HEAD)
				HeadStep(st);
			else
				BackfillStep(st);
			WorkerSetState("running", NULL);
		}
	}

	SPI_finish();
	PopActiveSnapshot();
	CommitTransactionCommand();
	pgstat_report_stat(false);
	pgstat_report_activity(STATE_IDLE, NULL);
}

/* Record a failed step in ingest_status, in its own transaction. */
static void
RecordError(void *arg)
{
	IngestState *st = (IngestState *) arg;
	Oid			types[2] = {INT8OID, TEXTOID};
	Datum		values[2];

	/* The failed step's partitions may have been rolled back. */
	st->head_cover.recheck = 0;
	st->fill_cover.recheck = 0;

	SetCurrentStatementStartTimestamp();
	StartTransactionCommand();
	SPI_connect();
	PushActiveSnapshot(GetTransactionSnapshot());
	values[0] = Int64GetDatum(st->chain_id);
	values[1] = CStringGetTextDatum(WorkerLastError());
	SPI_execute_with_args("INSERT INTO amplified.ingest_status AS s (chain_id, state, last_error, last_error_at) "
						  "SELECT $1, 'error', $2, now() WHERE EXISTS "
						  "(SELECT 1 FROM amplified.chains WHERE chain_id = $1) "
						  "ON CONFLICT (chain_id) DO UPDATE SET "
						  "state = CASE WHEN s.state = 'halted' THEN s.state ELSE 'error' END, "
						  "last_error = $2, last_error_at = now(), updated_at = now()",
						  2, types, values, NULL, false, 0);
	SPI_finish();
	PopActiveSnapshot();
	CommitTransactionCommand();
}

/*
 * The ingest worker's kind: one per enabled chain, as
 * amplified.ingest_worker_wanted() (ingest.sql) says.
 */
static const WorkerKind IngestWorkerKind = {
	.name = "ingest",
	.function = "IngestMain",
	.bgw_type = "amplified ingest worker",
	.wanted = "ingest_worker_wanted",
};

/* Called from _PG_init: register the ingest worker's kind with the launcher. */
void
IngestInit(void)
{
	WorkerRegisterKind(&IngestWorkerKind);
}

/* Entry point of an ingest worker (started by the launcher, one per chain). */
void
IngestMain(Datum main_arg)
{
	IngestState st;
	MemoryContext cxt;
	int			failures = 0;

	WorkerStart(main_arg, IngestWorkerKind.name, IngestWorkerKind.bgw_type);

	memset(&st, 0, sizeof(st));
	st.chain_id = WorkerMyChainId();
	st.node_safe = -1;
	cxt = AllocSetContextCreate(TopMemoryContext, "amplified ingest", ALLOCSET_DEFAULT_SIZES);

	for (;;)
	{
		StepArg		head = {&st, STEP_HEAD, false};
		StepArg		backfill = {&st, STEP_BACKFILL, false};
		bool		ok;
		long		sleep_ms;

		CHECK_FOR_INTERRUPTS();
		if (ConfigReloadPending)
		{
			ConfigReloadPending = false;
			ProcessConfigFile(PGC_SIGHUP);
		}
		if (!WorkerSlotIsMine())
			proc_exit(0);

		MemoryContextReset(cxt);
		MemoryContextSwitchTo(cxt);
		st.more = false;
		ok = WorkerRunGuarded(MaintainPartitions, &st, cxt);
		if (ok)
			ok = WorkerRunGuarded(RunStep, &head, cxt);
		if (ok && !head.stop)
			RetentionIfDue(&st, cxt);
		if (ok && !head.stop)
			ok = WorkerRunGuarded(RunStep, &backfill, cxt);
		if (!ok)
		{
			WorkerSetState("error", "the last step failed; retrying with backoff");
			(void) WorkerRunGuarded(RecordError, &st, cxt);
		}
		MemoryContextSwitchTo(TopMemoryContext);
		if (head.stop || backfill.stop)
			proc_exit(0);		/* the launcher decides whether we are wanted */

		failures = ok ? 0 : failures + 1;
		if (!ok)
			sleep_ms = Min((long) INGEST_MAX_BACKOFF_MS, 500L << Min(failures, 10));
		else if (st.more)
			sleep_ms = 0;
		else
			sleep_ms = Max(st.conf.poll_ms, 10);
		if (sleep_ms > 0)
		{
			(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
							 sleep_ms, PG_WAIT_EXTENSION);
			ResetLatch(MyLatch);
		}
	}
}
