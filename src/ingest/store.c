/*
 * src/ingest/store.c
 *
 * The bulk writes of an ingest step.  Headers go in one INSERT ... SELECT
 * FROM unnest() of arrays built in their binary form (bytes32, uint256), as
 * a few already stored ones must be skipped (ON CONFLICT DO NOTHING); it is
 * an ordinary statement, so everything an INSERT does happens.  Logs and the
 * events decoded from them, many per block, go row by row through the
 * executor's own insert steps, as COPY FROM takes them: BEFORE and AFTER
 * statement triggers, BEFORE and AFTER row triggers (with transition
 * tables), column defaults, generated columns, constraints, index entries,
 * all as for an INSERT, without a statement to plan nor arrays to unnest; no
 * value is ever printed as text and parsed again.  (Rules are not applied,
 * as COPY does not apply them.)
 *
 * One thing is done once per batch instead of once per row: the foreign key
 * of logs and event rows to their block.  Its row-level RI trigger runs a
 * query per inserted row (the profile of a catch-up put a quarter of the
 * worker's time there); what it guarantees is that the parent block exists
 * and stays until the transaction ends, which is one statement for the
 * whole batch: lock the parents FOR KEY SHARE (the lock the RI check takes)
 * and count them.  So that one trigger, the RI check of the foreign key
 * (chain_id, block_number) -> blocks (chain_id, number), is left out of the
 * inserts' trigger list (RI_FKey_trigger_type() identifies it), and only
 * while the table has no BEFORE ROW INSERT trigger, which could change a
 * row's block after the lock was taken.  Every other trigger, including the
 * RI checks of any other foreign key, fires as usual; ON DELETE CASCADE is
 * the parents' trigger and untouched.  docs/ingest.md says what a user's
 * trigger on these tables sees.
 *
 * The history tables are partitioned by block range (partitions.sql): a row
 * is routed to its partition as COPY FROM routes it (ExecFindPartition), and
 * the partition's own ResultRelInfo runs its row triggers, constraints and
 * indexes; statement triggers and transition tables are the parent's.
 */
#include "postgres.h"

#include "access/heapam.h"
#include "access/table.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_trigger.h"
#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "executor/execPartition.h"
#include "executor/executor.h"
#include "executor/nodeModifyTable.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "rewrite/rewriteHandler.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/relcache.h"
#include "utils/syscache.h"

#include "amplified.h"
#include "compat.h"
#include "evm/evm.h"
#include "ingest/ingest.h"

#define STORE_MAX_COLS	12

/* Columns of rows to insert, each becoming one array parameter. */
typedef struct StoreCols
{
	int			ncols;
	int			nrows;
	Oid			types[STORE_MAX_COLS];	/* element types */
	Datum	   *vals[STORE_MAX_COLS];
	bool	   *nulls[STORE_MAX_COLS];
} StoreCols;

/* The OID of a type of the extension's schema. */
static Oid
StoreTypeOid(const char *name)
{
	Oid			nsp = get_namespace_oid("amplified", false);
	Oid			typ = GetSysCacheOid2(TYPENAMENSP, Anum_pg_type_oid,
									  CStringGetDatum(name), ObjectIdGetDatum(nsp));

	if (!OidIsValid(typ))
		elog(ERROR, "amplified ingest: type amplified.%s not found", name);
	return typ;
}

/* Room for cap rows of the given column types. */
static void
ColsInit(StoreCols *c, int cap, int ncols, const Oid *types)
{
	int			i;

	Assert(ncols <= STORE_MAX_COLS);
	c->ncols = ncols;
	c->nrows = 0;
	for (i = 0; i < ncols; i++)
	{
		c->types[i] = types[i];
		c->vals[i] = palloc(sizeof(Datum) * Max(cap, 1));
		c->nulls[i] = palloc0(sizeof(bool) * Max(cap, 1));
	}
}

/*
 * Run sql with $1 = chain_id and $2.. = the columns as arrays; returns the
 * number of rows it inserted.
 */
static uint64
ColsExecute(StoreCols *c, int64 chain_id, const char *sql)
{
	Oid			types[STORE_MAX_COLS + 1];
	Datum		values[STORE_MAX_COLS + 1];
	int			dims[1] = {c->nrows};
	int			lbs[1] = {1};
	int			i;

	types[0] = INT8OID;
	values[0] = Int64GetDatum(chain_id);
	for (i = 0; i < c->ncols; i++)
	{
		int16		typlen;
		bool		typbyval;
		char		typalign;

		get_typlenbyvalalign(c->types[i], &typlen, &typbyval, &typalign);
		types[i + 1] = get_array_type(c->types[i]);
		values[i + 1] = PointerGetDatum(construct_md_array(c->vals[i], c->nulls[i], 1, dims, lbs,
														   c->types[i], typlen, typbyval, typalign));
	}
	if (SPI_execute_with_args(sql, c->ncols + 1, types, values, NULL, false, 0) != SPI_OK_INSERT)
		elog(ERROR, "amplified ingest: could not run: %s", sql);
	return SPI_processed;
}

/*
 * Lock the chain's row as the blocks' RI check would, once: a chain deleted
 * meanwhile gets its own error rather than a foreign key violation.
 */
static void
LockChain(int64 chain_id)
{
	Oid			types[1] = {INT8OID};
	Datum		values[1] = {Int64GetDatum(chain_id)};

	if (SPI_execute_with_args("SELECT 1 FROM amplified.chains WHERE chain_id = $1 FOR KEY SHARE",
							  1, types, values, NULL, false, 0) != SPI_OK_SELECT)
		elog(ERROR, "amplified ingest: could not lock chain " INT64_FORMAT, chain_id);
	if (SPI_processed != 1)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("chain " INT64_FORMAT " was deleted while it was ingested", chain_id)));
}

/*
 * Lock the stored blocks numbers[0..n-1] (distinct) as the logs' RI checks
 * would, in one statement; an error when one is missing.
 */
static void
LockBlocks(int64 chain_id, int64 *numbers, int n)
{
	Oid			types[2] = {INT8OID, INT8ARRAYOID};
	Datum		values[2];
	Datum	   *d = palloc(sizeof(Datum) * Max(n, 1));
	bool		isnull;
	int64		found;
	int			i;

	for (i = 0; i < n; i++)
		d[i] = Int64GetDatum(numbers[i]);
	values[0] = Int64GetDatum(chain_id);
	values[1] = PointerGetDatum(construct_array(d, n, INT8OID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
	if (SPI_execute_with_args("SELECT count(*) FROM (SELECT 1 FROM amplified.blocks "
							  "WHERE chain_id = $1 AND number = ANY($2) FOR KEY SHARE) AS b",
							  2, types, values, NULL, false, 0) != SPI_OK_SELECT || SPI_processed != 1)
		elog(ERROR, "amplified ingest: could not lock blocks");
	found = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
	if (found != n)
		ereport(ERROR,
				(errcode(ERRCODE_FOREIGN_KEY_VIOLATION),
				 errmsg("%d of the %d blocks that hold the logs of chain " INT64_FORMAT " are not stored",
						n - (int) found, n, chain_id),
				 errdetail("A reorg rollback or amplified.ingest_resume() deleted them meanwhile; the step is retried.")));
}

/* 32 bytes from "0x" and 64 hex digits (validated by fetch.c). */
static Datum
HexBytes32(const char *hex)
{
	uint8	   *b = palloc(32);

	if (strlen(hex) != 66 || !CodecHexDecode(hex + 2, 64, b))
		elog(ERROR, "amplified ingest: bad hash \"%s\"", hex);
	return PointerGetDatum(b);
}

/*
 * Store headers in one statement; those stored already are left alone (the
 * caller has checked that they agree).
 */
void
IngestStoreBlocks(int64 chain_id, IngestBlock *blocks, int n)
{
	Oid			bytes32 = StoreTypeOid("bytes32");
	Oid			types[5] = {INT8OID, bytes32, bytes32, INT8OID, StoreTypeOid("uint256")};
	StoreCols	c;
	int			i;

	if (n == 0)
		return;
	ColsInit(&c, n, 5, types);
	for (i = 0; i < n; i++)
	{
		IngestBlock *b = &blocks[i];

		c.vals[0][i] = Int64GetDatum(b->number);
		c.vals[1][i] = HexBytes32(b->hash);
		c.vals[2][i] = HexBytes32(b->parent_hash);
		c.vals[3][i] = Int64GetDatum(b->timestamp);
		c.nulls[4][i] = (b->base_fee == NULL);
		if (b->base_fee != NULL)
		{
			Uint256    *fee = palloc(sizeof(Uint256));

			if (Uint256FromHex(b->base_fee + 2, strlen(b->base_fee) - 2, fee) != UINT256_PARSE_OK)
				elog(ERROR, "amplified ingest: bad base fee \"%s\"", b->base_fee);
			c.vals[4][i] = PointerGetDatum(fee);
		}
	}
	c.nrows = n;

	LockChain(chain_id);
	(void) ColsExecute(&c, chain_id,
					   "INSERT INTO amplified.blocks (chain_id, number, hash, parent_hash, timestamp, base_fee) "
					   "SELECT $1, u.n, u.h, u.p, to_timestamp(u.t), u.f "
					   "FROM unnest($2, $3, $4, $5, $6) AS u(n, h, p, t, f) "
					   "ON CONFLICT (chain_id, number) DO NOTHING");
}

/* qsort comparator for int64. */
static int
CmpInt64(const void *a, const void *b)
{
	int64		x = *(const int64 *) a;
	int64		y = *(const int64 *) b;

	return x < y ? -1 : x > y ? 1 : 0;
}

/*
 * A table the worker inserts into directly, row by row through the
 * executor's insert steps (as COPY FROM does): see the file header.
 */
typedef struct StoreRel
{
	Relation	rel;
	EState	   *estate;
	ResultRelInfo *rri;
	TupleTableSlot *slot;
	TransitionCaptureState *tcs;	/* transition tables to fill, or NULL */
	ModifyTableState *mtstate;	/* for tuple routing (a partitioned table) */
	PartitionTupleRouting *proute;	/* NULL for a plain table */
	List	   *prepared;		/* partitions' ResultRelInfos seen so far */
	ResultRelInfo *last;		/* the partition of the previous row */
	BulkInsertState bistate;
	int			ndefaults;		/* columns with a default, evaluated per row */
	int		   *default_cols;
	ExprState **default_exprs;
} StoreRel;

/*
 * Is fk the foreign key (chain_id, block_number) -> blocks (chain_id, number)
 * of the table r, whose outcome the batch lock of the blocks guarantees?
 */
static bool
StoreRelIsBlockKey(Relation rel, ForeignKeyCacheInfo *fk, Oid blocks)
{
	Oid			relid = RelationGetRelid(rel);

	return fk->confrelid == blocks && fk->nkeys == 2 &&
		fk->conkey[0] == get_attnum(relid, "chain_id") &&
		fk->conkey[1] == get_attnum(relid, "block_number") &&
		fk->confkey[0] == get_attnum(blocks, "chain_id") &&
		fk->confkey[1] == get_attnum(blocks, "number");
}

/*
 * Leave the RI check of the foreign key to blocks out of the inserts'
 * triggers of rri, the table's or one partition's (the caller has locked
 * the parent blocks; see the file header), unless a BEFORE ROW INSERT
 * trigger could change the rows after that lock.  InitResultRelInfo gave
 * the ResultRelInfo its own copy of the trigger descriptor, so the
 * relation's cached one is untouched.
 */
static void
StoreRelSkipBlockCheck(ResultRelInfo *rri)
{
	Relation	rel = rri->ri_RelationDesc;
	TriggerDesc *td = rri->ri_TrigDesc;
	Oid			blocks = get_relname_relid("blocks", RelationGetNamespace(rel));
	List	   *skip = NIL;
	ListCell   *lc;
	int			i;
	int			kept = 0;

	if (td == NULL || td->trig_insert_before_row || !OidIsValid(blocks))
		return;
	foreach(lc, RelationGetFKeyList(rel))
	{
		ForeignKeyCacheInfo *fk = lfirst(lc);

		if (StoreRelIsBlockKey(rel, fk, blocks))
			skip = lappend_oid(skip, fk->conoid);
	}
	if (skip == NIL)
		return;

	td->trig_insert_after_row = false;
	for (i = 0; i < td->numtriggers; i++)
	{
		Trigger    *t = &td->triggers[i];

		if (list_member_oid(skip, t->tgconstraint) &&
			RI_FKey_trigger_type(t->tgfoid) == RI_TRIGGER_FK)
			continue;
		if (TRIGGER_TYPE_MATCHES(t->tgtype, TRIGGER_TYPE_ROW, TRIGGER_TYPE_AFTER, TRIGGER_TYPE_INSERT))
			td->trig_insert_after_row = true;
		if (kept != i)
			td->triggers[kept] = *t;
		kept++;
	}
	td->numtriggers = kept;
}

/* Prepare the defaults of the columns that have one (identity included). */
static void
StoreRelDefaults(StoreRel *r)
{
	TupleDesc	desc = RelationGetDescr(r->rel);
	int			i;

	r->ndefaults = 0;
	r->default_cols = palloc(sizeof(int) * desc->natts);
	r->default_exprs = palloc(sizeof(ExprState *) * desc->natts);
	for (i = 0; i < desc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, i);
		Node	   *expr;

		if (att->attisdropped || att->attgenerated)
			continue;
		expr = build_column_default(r->rel, i + 1);
		if (expr == NULL)
			continue;
		r->default_cols[r->ndefaults] = i;
		r->default_exprs[r->ndefaults] = ExecPrepareExpr((Expr *) expr, r->estate);
		r->ndefaults++;
	}
}

/*
 * Open amplified.<table> for inserts, as one INSERT statement: its BEFORE
 * statement triggers fire here, its AFTER ones at StoreRelClose().  The
 * caller must have locked the parent blocks of every row it will insert.
 */
static void
StoreRelOpen(StoreRel *r, const char *table)
{
	RangeTblEntry *rte;

	memset(r, 0, sizeof(StoreRel));
	r->rel = table_openrv(makeRangeVar("amplified", (char *) table, -1), RowExclusiveLock);
	if (r->rel->rd_rel->relkind != RELKIND_RELATION &&
		r->rel->rd_rel->relkind != RELKIND_PARTITIONED_TABLE)
		elog(ERROR, "amplified ingest: amplified.%s is not a table", table);
	r->estate = CreateExecutorState();
	rte = makeNode(RangeTblEntry);
	rte->rtekind = RTE_RELATION;
	rte->relid = RelationGetRelid(r->rel);
	rte->relkind = r->rel->rd_rel->relkind;
	rte->rellockmode = RowExclusiveLock;
	AmpExecInitRangeTable(r->estate, rte);
	r->rri = makeNode(ResultRelInfo);
	InitResultRelInfo(r->rri, r->rel, 1, NULL, 0);
	/* So that the AFTER triggers fired at the end find this ResultRelInfo. */
	r->estate->es_opened_result_relations = lappend(r->estate->es_opened_result_relations, r->rri);
	r->estate->es_output_cid = GetCurrentCommandId(true);
	if (r->rel->rd_rel->relkind == RELKIND_PARTITIONED_TABLE)
	{
		/* The routing state COPY FROM sets up: a ModifyTableState without a plan. */
		r->mtstate = makeNode(ModifyTableState);
		r->mtstate->ps.plan = NULL;
		r->mtstate->ps.state = r->estate;
		r->mtstate->operation = CMD_INSERT;
		r->mtstate->mt_nrels = 1;
		r->mtstate->resultRelInfo = r->rri;
		r->mtstate->rootResultRelInfo = r->rri;
		r->proute = ExecSetupPartitionTupleRouting(r->estate, r->rel);
	}
	else
	{
		StoreRelSkipBlockCheck(r->rri);
		ExecOpenIndices(r->rri, false);
	}
	r->slot = ExecInitExtraTupleSlot(r->estate, RelationGetDescr(r->rel), &TTSOpsVirtual);
	r->bistate = GetBulkInsertState();
	StoreRelDefaults(r);

	AfterTriggerBeginQuery();
	r->tcs = MakeTransitionCaptureState(r->rri->ri_TrigDesc, RelationGetRelid(r->rel), CMD_INSERT);
	ExecBSInsertTriggers(r->estate, r->rri);
}

/* The attribute number (0-based) of a column; an error when there is none. */
static int
StoreRelColumn(StoreRel *r, const char *name)
{
	TupleDesc	desc = RelationGetDescr(r->rel);
	int			i;

	for (i = 0; i < desc->natts; i++)
		if (!TupleDescAttr(desc, i)->attisdropped &&
			strcmp(NameStr(TupleDescAttr(desc, i)->attname), name) == 0)
			return i;
	elog(ERROR, "amplified ingest: amplified.%s has no column \"%s\"",
		 RelationGetRelationName(r->rel), name);
	return -1;					/* keep the compiler quiet */
}

/* Columns of a comma-separated list, as attribute numbers. */
static int
StoreRelColumns(StoreRel *r, const char *list, int *out, int max)
{
	char	   *copy = pstrdup(list);
	char	   *tok;
	char	   *save = NULL;
	int			n = 0;

	for (tok = strtok_r(copy, ", ", &save); tok != NULL; tok = strtok_r(NULL, ", ", &save))
	{
		if (n >= max)
			elog(ERROR, "amplified ingest: too many columns in \"%s\"", list);
		out[n++] = StoreRelColumn(r, tok);
	}
	return n;
}

/* Start a row: every column NULL, or its default, until set. */
static void
StoreRelBegin(StoreRel *r)
{
	TupleTableSlot *slot = r->slot;
	int			i;

	/* One row of many, with user triggers firing: let a cancel in. */
	CHECK_FOR_INTERRUPTS();
	ExecClearTuple(slot);
	memset(slot->tts_isnull, true, sizeof(bool) * slot->tts_tupleDescriptor->natts);
	if (r->ndefaults > 0)
	{
		ExprContext *econtext = GetPerTupleExprContext(r->estate);
		MemoryContext oldcxt = MemoryContextSwitchTo(econtext->ecxt_per_tuple_memory);

		for (i = 0; i < r->ndefaults; i++)
			slot->tts_values[r->default_cols[i]] =
				ExecEvalExpr(r->default_exprs[i], econtext, &slot->tts_isnull[r->default_cols[i]]);
		MemoryContextSwitchTo(oldcxt);
	}
}

/*
 * Insert the row set in r->slot, with the steps of an INSERT: BEFORE ROW
 * triggers (which may change or skip the row), generated columns,
 * constraints, the heap and its indexes, AFTER ROW triggers and transition
 * tables (queued until StoreRelClose()).  False when a BEFORE ROW trigger
 * skipped the row.
 */
static bool
StoreRelInsert(StoreRel *r)
{
	ResultRelInfo *rri = r->rri;
	Relation	rel = r->rel;
	TupleTableSlot *slot = r->slot;
	EState	   *estate = r->estate;
	MemoryContext oldcxt = MemoryContextSwitchTo(GetPerTupleMemoryContext(estate));
	bool		insert;

	ExecStoreVirtualTuple(slot);
	if (r->proute != NULL)
	{
		/* The row's partition, opened (with its indexes) on first use. */
		rri = ExecFindPartition(r->mtstate, r->rri, r->proute, slot, estate);
		rel = rri->ri_RelationDesc;
		if (!list_member_ptr(r->prepared, rri))
		{
			MemoryContext q = MemoryContextSwitchTo(estate->es_query_cxt);

			StoreRelSkipBlockCheck(rri);
			r->prepared = lappend(r->prepared, rri);
			MemoryContextSwitchTo(q);
		}
		/* The bulk insert state's pinned page is the previous partition's. */
		if (r->last != NULL && r->last != rri)
			ReleaseBulkInsertStatePin(r->bistate);
		r->last = rri;
		if (AmpRootToPartitionMap(rri, estate) != NULL)
			slot = execute_attr_map_slot(AmpRootToPartitionMap(rri, estate)->attrMap, slot,
										 rri->ri_PartitionTupleSlot);
	}
	insert = (rri->ri_TrigDesc == NULL || !rri->ri_TrigDesc->trig_insert_before_row ||
			  ExecBRInsertTriggers(estate, rri, slot));
	if (insert)
	{
		List	   *recheck = NIL;

		if (rel->rd_att->constr && rel->rd_att->constr->has_generated_stored)
			ExecComputeStoredGenerated(rri, estate, slot, CMD_INSERT);
		if (rel->rd_att->constr)
			ExecConstraints(rri, slot, estate);
		/* A routed row is in its partition, unless a BEFORE trigger moved it. */
		if (rel->rd_rel->relispartition &&
			(r->proute == NULL || (rri->ri_TrigDesc && rri->ri_TrigDesc->trig_insert_before_row)))
			ExecPartitionCheck(rri, slot, estate, true);
		table_tuple_insert(rel, slot, estate->es_output_cid, 0, r->bistate);
		if (rri->ri_NumIndices > 0)
			recheck = AmpExecInsertIndexTuples(rri, slot, estate);
		ExecARInsertTriggers(estate, rri, slot, recheck, r->tcs);
		list_free(recheck);
	}
	MemoryContextSwitchTo(oldcxt);
	ResetPerTupleExprContext(estate);
	return insert;
}

/* End the statement: AFTER STATEMENT triggers, the queued AFTER triggers; close. */
static void
StoreRelClose(StoreRel *r)
{
	ExecASInsertTriggers(r->estate, r->rri, r->tcs);
	AfterTriggerEndQuery(r->estate);
	FreeBulkInsertState(r->bistate);
	table_finish_bulk_insert(r->rel, 0);
	/* The partitions and their indexes, */
	if (r->proute != NULL)
		ExecCleanupTupleRouting(r->mtstate, r->proute);
	/* our indexes, and any relation the trigger queue opened. */
	ExecCloseResultRelations(r->estate);
	ExecResetTupleTable(r->estate->es_tupleTable, false);
	FreeExecutorState(r->estate);
	table_close(r->rel, NoLock);
}

/* A uint256/int256 datum from a 32-byte big-endian word (same bit pattern). */
static Datum
WordDatum(const uint8 *w, Uint256 *slot)
{
	Uint256FromBytesBE(w, 32, slot);
	return PointerGetDatum(slot);
}

/*
 * The attribute number (0-based) of column j of an event decoder in its
 * target, opened in r, after checking that it has the type the decoder
 * writes: the registry's trigger checked it, but the table may have been
 * altered since, and a datum of the wrong type must never be stored.
 */
static int
StoreEventColumn(StoreRel *r, const IngestEventSpec *spec, int j)
{
	const IngestEventColumn *c = &spec->cols[j];
	int			att = StoreRelColumn(r, c->name);
	Oid			have = TupleDescAttr(RelationGetDescr(r->rel), att)->atttypid;
	Oid			want;

	switch (c->type)
	{
		case INGEST_COL_ADDRESS:
			want = StoreTypeOid("address");
			break;
		case INGEST_COL_INT24:
			want = INT4OID;
			break;
		case INGEST_COL_UINT256:
			want = StoreTypeOid("uint256");
			break;
		case INGEST_COL_BYTES32:
			want = StoreTypeOid("bytes32");
			break;
		default:
			want = StoreTypeOid("int256");
			break;
	}
	if (have != want)
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("column \"%s\" of amplified.%s is of type %s, but event decoder \"%s\" writes %s",
						c->name, spec->table, format_type_be(have), spec->name, format_type_be(want))));
	return att;
}

/*
 * Store logs (their headers are stored already) and the events decoded from
 * them.  Returns the number of decoded rows.
 */
int64
IngestStoreLogs(int64 chain_id, IngestLog *logs, int n)
{
	Oid			bytes32 = StoreTypeOid("bytes32");
	IngestEventSpec *specs;
	int			nspecs;
	int64	   *parents;
	int			nparents = 0;
	IngestEvent *evs;
	bool	   *ok;
	int		   *count;
	int64		decoded = 0;
	StoreRel	r;
	int			col[STORE_MAX_COLS];
	int			i;
	int			j;
	int			k;

	if (n == 0)
		return 0;

	/* The distinct blocks the logs hang on, locked as the RI checks would. */
	parents = palloc(sizeof(int64) * n);
	for (i = 0; i < n; i++)
		if (nparents == 0 || parents[nparents - 1] != logs[i].block_number)
			parents[nparents++] = logs[i].block_number;
	for (i = 1; i < nparents; i++)
		if (parents[i] <= parents[i - 1])
			break;
	if (i < nparents)
	{
		int			m = 0;

		qsort(parents, nparents, sizeof(int64), CmpInt64);
		for (i = 0; i < nparents; i++)
			if (m == 0 || parents[m - 1] != parents[i])
				parents[m++] = parents[i];
		nparents = m;
	}
	LockBlocks(chain_id, parents, nparents);

	/* Decode first, with the registered decoders: a log that is an event is stored with it. */
	specs = IngestLoadEventSpecs(&nspecs);
	count = palloc0(sizeof(int) * Max(nspecs, 1));
	evs = palloc(sizeof(IngestEvent) * n);
	ok = palloc(sizeof(bool) * n);
	for (i = 0; i < n; i++)
	{
		ok[i] = IngestDecodeLog(&logs[i], specs, nspecs, &evs[i]);
		if (ok[i])
			count[evs[i].spec]++;
	}

	/* The raw logs. */
	StoreRelOpen(&r, "logs");
	(void) StoreRelColumns(&r, "chain_id, block_number, log_index, tx_hash, tx_index, address, topics, data",
						   col, STORE_MAX_COLS);
	for (i = 0; i < n; i++)
	{
		IngestLog  *l = &logs[i];
		Datum		t[4];
		MemoryContext oldcxt;
		int			j;

		StoreRelBegin(&r);
		for (j = 0; j < l->ntopics; j++)
			t[j] = PointerGetDatum(l->topics[j]);
		r.slot->tts_values[col[0]] = Int64GetDatum(chain_id);
		r.slot->tts_values[col[1]] = Int64GetDatum(l->block_number);
		r.slot->tts_values[col[2]] = Int32GetDatum(l->log_index);
		r.slot->tts_values[col[3]] = PointerGetDatum(l->tx_hash);
		r.slot->tts_values[col[4]] = Int32GetDatum(l->tx_index);
		r.slot->tts_values[col[5]] = PointerGetDatum(l->address);
		/* In the per-row context, which StoreRelInsert() resets. */
		oldcxt = MemoryContextSwitchTo(GetPerTupleMemoryContext(r.estate));
		r.slot->tts_values[col[6]] = PointerGetDatum(construct_array(t, l->ntopics, bytes32, 32, false,
																	 TYPALIGN_CHAR));
		MemoryContextSwitchTo(oldcxt);
		r.slot->tts_values[col[7]] = PointerGetDatum(l->data);
		for (j = 0; j < 8; j++)
			r.slot->tts_isnull[col[j]] = false;
		(void) StoreRelInsert(&r);
	}
	StoreRelClose(&r);

	/* The decoded events, decoder by decoder (one target table each). */
	for (k = 0; k < nspecs; k++)
	{
		const IngestEventSpec *spec = &specs[k];
		Uint256		nums[INGEST_EV_MAX_COLS];
		int			ecol[3 + INGEST_EV_MAX_COLS];
		int			ncols = 3 + spec->ncols;

		if (count[k] == 0)
			continue;
		StoreRelOpen(&r, spec->table);
		ecol[0] = StoreRelColumn(&r, "chain_id");
		ecol[1] = StoreRelColumn(&r, "block_number");
		ecol[2] = StoreRelColumn(&r, "log_index");
		for (j = 0; j < spec->ncols; j++)
			ecol[3 + j] = StoreEventColumn(&r, spec, j);
		for (i = 0; i < n; i++)
		{
			Datum	   *v = r.slot->tts_values;

			if (!ok[i] || evs[i].spec != k)
				continue;
			StoreRelBegin(&r);
			v[ecol[0]] = Int64GetDatum(chain_id);
			v[ecol[1]] = Int64GetDatum(logs[i].block_number);
			v[ecol[2]] = Int32GetDatum(logs[i].log_index);
			for (j = 0; j < spec->ncols; j++)
			{
				const IngestEventValue *val = &evs[i].vals[j];

				switch (spec->cols[j].type)
				{
					case INGEST_COL_ADDRESS:
					case INGEST_COL_BYTES32:
						/* fixed-length by reference: the log's own bytes */
						v[ecol[3 + j]] = PointerGetDatum(val->bytes);
						break;
					case INGEST_COL_INT24:
						v[ecol[3 + j]] = Int32GetDatum(val->int24);
						break;
					case INGEST_COL_UINT256:
					case INGEST_COL_INT256:
						v[ecol[3 + j]] = WordDatum(val->bytes, &nums[j]);
						break;
				}
			}
			for (j = 0; j < ncols; j++)
				r.slot->tts_isnull[ecol[j]] = false;
			if (StoreRelInsert(&r))
				decoded++;
		}
		StoreRelClose(&r);
	}

	return decoded;
}
