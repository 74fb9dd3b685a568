/*
 * src/txq/worker.c
 *
 * The tx worker of one chain: drains amplified.tx_intents.  One cycle runs
 * these steps, each in its own transaction, and each step commits before
 * anything the chain can see happens next:
 *
 *   reconcile  next nonces against eth_getTransactionCount (at every start
 *              of the worker: server start, restart, promotion, restore;
 *              when a signer is new, after a failed step, and every
 *              minute); nothing is signed before it succeeded.  Nonces the
 *              node has that this database never signed (a lost primary's
 *              last transactions) are adopted when they match an intent,
 *              or the intents they may carry are held; gaps get a no-op;
 *   expire     pending intents past valid_until; a cancelled or expired
 *              intent that holds a nonce hands it to a no-op;
 *   reserve    claim pending intents (FOR UPDATE SKIP LOCKED), simulate them
 *              (eth_call, eth_estimateGas): a revert rejects the intent with
 *              its decoded reason; the rest get the next nonces;
 *   sign       fees from the node within the intent's caps, sign (key file,
 *              external signer or the node's account), persist raw bytes
 *              and hash; the same for a stuck transaction, with both fee
 *              fields raised by at least 12.5% and 1 wei, or an alert when
 *              the cap forbids it; a signer that fails is backed off
 *              (amplified.nonces.sign_retry_at) and the others go on;
 *   broadcast  eth_sendRawTransaction of every persisted, unsent attempt
 *              ("already known" and "nonce too low" count as sent: the
 *              receipt decides);
 *   follow     receipts: mined, then confirmed after the chain's
 *              confirmations; a receipt that disappears (reorg) or a
 *              transaction the node dropped is broadcast again, same bytes;
 *   watch      alerts when a sender's queue backs up or an intent has had
 *              all the replacements it may have.
 *
 * Backpressure: a sender never has more than amplified.txq_max_in_flight
 * intents reserved, signed or sent but not mined, and an intent gets at most
 * amplified.txq_max_replacements fee bumps, each waiting twice as long.
 *
 * The worker keeps nothing in memory that matters: whatever it was doing
 * when it died, the next cycle resumes from the tables.  The statuses and
 * every transition live in SQL (the txq_step_* functions of txq.sql); this
 * file talks to the node and signs.
 */
#include "postgres.h"

#include <ctype.h>

#include "access/xact.h"
#include "catalog/pg_type.h"
#include "commands/extension.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "postmaster/bgworker.h"
#include "postmaster/interrupt.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/formatting.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"
#include "utils/timestamp.h"

#include "amplified.h"
#include "evm/codec.h"
#include "txq/txq.h"
#include "worker/worker.h"

PG_FUNCTION_INFO_V1(txq_wake_workers);

/* Longest wait after a failed cycle. */
#define TXQ_MAX_BACKOFF_MS		30000
/* Reconcile nonces with the node this often even when nothing changes. */
#define TXQ_RECONCILE_MS		60000
/* Gas headroom over eth_estimateGas, in percent. */
#define TXQ_GAS_HEADROOM		20
/* Priority fee when the node cannot suggest one (1 gwei). */
#define TXQ_DEFAULT_TIP			UINT64CONST(1000000000)

typedef struct TxqState
{
	int64		chain_id;
	RpcTarget	target;
	/*
	 * 0: reconcile in the next cycle.  It starts at 0 in every new worker
	 * process (server start, crash restart, promotion, restore) and is reset
	 * by any failed step; reconcile is the first step of a cycle and a cycle
	 * stops at a failed step, so nothing is ever signed by a worker that has
	 * not reconciled with the node since it started or last failed.
	 */
	TimestampTz reconciled_at;
	bool		more;			/* a step filled its batch: run again at once */
	bool		stop;			/* chain gone, disabled or without signers */
} TxqState;

/* amplified.txq_wake_workers(): trigger that wakes the tx workers at commit. */
Datum
txq_wake_workers(PG_FUNCTION_ARGS)
{
	if (!CALLED_AS_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("txq_wake_workers() must be called as a trigger")));
	WorkerWakeKindAtCommit("tx", 0);
	return PointerGetDatum(NULL);
}

/* ---- small helpers ---- */

/*
 * Crash tests: stop at a named step boundary and wait to be killed
 * (amplified.txq_test_stop_at).  Configuration reloads are not processed
 * here, so clearing the setting does not release a stopped worker.
 */
static void
StopAt(const char *point)
{
	char		detail[WORKER_DETAIL_LEN];

	if (AmpTxqTestStopAt == NULL || strcmp(AmpTxqTestStopAt, point) != 0)
		return;
	snprintf(detail, sizeof(detail), "at %s (amplified.txq_test_stop_at)", point);
	WorkerSetState("stopped", detail);
	elog(LOG, "amplified tx worker: stopped %s", detail);
	for (;;)
	{
		CHECK_FOR_INTERRUPTS();
		(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
						 100, PG_WAIT_EXTENSION);
		ResetLatch(MyLatch);
	}
}

/* Start a step: its own transaction, SPI, a snapshot. */
static void
BeginStep(const char *activity)
{
	SetCurrentStatementStartTimestamp();
	StartTransactionCommand();
	SPI_connect();
	PushActiveSnapshot(GetTransactionSnapshot());
	pgstat_report_activity(STATE_RUNNING, activity);
}

/* Commit a step. */
static void
EndStep(void)
{
	SPI_finish();
	PopActiveSnapshot();
	CommitTransactionCommand();
	pgstat_report_activity(STATE_IDLE, NULL);
}

/* Run a query with arguments; raise unless it returns the expected SPI code. */
static void
Exec(const char *sql, int nargs, Oid *types, Datum *values, int expect)
{
	int			rc = SPI_execute_with_args(sql, nargs, types, values, NULL, false, 0);

	if (rc != expect)
		elog(ERROR, "amplified tx worker: unexpected SPI result %d for: %s", rc, sql);
}

/* A one-dimensional array of n Datums of elemtype (NULL where nulls[i]). */
static Datum
MakeArray(Datum *elems, bool *nulls, int n, Oid elemtype)
{
	int16		typlen;
	bool		typbyval;
	char		typalign;
	int			dims[1] = {n};
	int			lbs[1] = {1};

	get_typlenbyvalalign(elemtype, &typlen, &typbyval, &typalign);
	return PointerGetDatum(construct_md_array(elems, nulls, 1, dims, lbs, elemtype,
											  typlen, typbyval, typalign));
}

/* A text datum, or NULL. */
static Datum
TextOrNull(const char *s, bool *isnull)
{
	*isnull = (s == NULL);
	return s ? CStringGetTextDatum(s) : (Datum) 0;
}

/* Column col of row i of the last SPI result as text (palloc'd), or NULL. */
static char *
ColText(int i, int col)
{
	return SPI_getvalue(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, col);
}

/* Column col of row i as int8, or dflt when NULL. */
static int64
ColInt8(int i, int col, int64 dflt)
{
	bool		isnull;
	Datum		d = SPI_getbinval(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, col, &isnull);

	return isnull ? dflt : DatumGetInt64(d);
}

/* Column col of row i as a uint256, false when NULL. */
static bool
ColUint256(int i, int col, Uint256 *out)
{
	bool		isnull;
	Datum		d = SPI_getbinval(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, col, &isnull);

	if (isnull)
		return false;
	*out = *DatumGetUint256P(d);
	return true;
}

/* Column col of row i as an address; false when NULL. */
static bool
ColAddress(int i, int col, uint8 out[20])
{
	bool		isnull;
	Datum		d = SPI_getbinval(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, col, &isnull);

	if (isnull)
		return false;
	memcpy(out, DatumGetAddressP(d)->b, 20);
	return true;
}

/* Column col of row i as a bytea copied into CurrentMemoryContext. */
static bytea *
ColBytea(int i, int col)
{
	bool		isnull;
	Datum		d = SPI_getbinval(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, col, &isnull);

	if (isnull)
		return NULL;
	return DatumGetByteaPCopy(d);
}

/* "0x" + lowercase hex of n bytes. */
static char *
HexOf(const uint8 *p, size_t n)
{
	char	   *s = palloc(n * 2 + 3);

	s[0] = '0';
	s[1] = 'x';
	CodecHexEncode(p, n, s + 2);
	s[n * 2 + 2] = '\0';
	return s;
}

/* A uint256 as a JSON-RPC quantity ("0x" + minimal hex). */
static char *
Quantity(const Uint256 *v)
{
	char		buf[UINT256_HEX_BUFLEN];

	Uint256ToHex(v, buf);
	return pstrdup(buf);
}

/* A uint256 in decimal, for the SQL side. */
static char *
Decimal(const Uint256 *v)
{
	char		buf[UINT256_DEC_BUFLEN];

	Uint256ToDecimal(v, buf);
	return pstrdup(buf);
}

/* True when the result is JSON null (e.g. no receipt, no transaction). */
static bool
ResultIsNull(Jsonb *res)
{
	JsonbValue *v;

	if (res == NULL || !JB_ROOT_IS_SCALAR(res))
		return false;
	v = getIthJsonbValueFromContainer(&res->root, 0);
	return v != NULL && v->type == jbvNull;
}

/* The string value of key in an object result, or NULL. */
static char *
FieldString(Jsonb *res, const char *key)
{
	JsonbValue	v;

	if (res == NULL || !JB_ROOT_IS_OBJECT(res) ||
		getKeyJsonValueFromContainer(&res->root, key, strlen(key), &v) == NULL ||
		v.type != jbvString)
		return NULL;
	return pnstrdup(v.val.string.val, v.val.string.len);
}

/* A quantity field of a node's answer as uint256, with a clear error. */
static void
ParseUint256(const char *hex, const char *what, Uint256 *out)
{
	if (hex == NULL || strncmp(hex, "0x", 2) != 0 ||
		Uint256FromHex(hex + 2, strlen(hex + 2), out) != UINT256_PARSE_OK)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
				 errmsg("malformed %s from the node: \"%s\"", what, hex ? hex : "(missing)")));
}

/* The JSON call object {from, to, value, data} of an intent. */
static char *
CallObject(const uint8 from[20], const uint8 *to, const Uint256 *value, const bytea *data)
{
	StringInfoData b;

	initStringInfo(&b);
	appendStringInfo(&b, "{\"from\":\"%s\"", HexOf(from, 20));
	if (to)
		appendStringInfo(&b, ",\"to\":\"%s\"", HexOf(to, 20));
	appendStringInfo(&b, ",\"value\":\"%s\",\"data\":\"%s\"}", Quantity(value),
					 HexOf((const uint8 *) VARDATA_ANY(data), VARSIZE_ANY_EXHDR(data)));
	return b.data;
}

/*
 * Why a call reverted, from a JSON-RPC error: Error(string) and
 * Panic(uint256) payloads are decoded, anything else is shown as hex.
 */
static char *
RevertReason(RpcRequest *req)
{
	const char *msg = req->error_message ? req->error_message : "error";
	const char *d = req->error_data;
	uint8	   *bytes;
	size_t		n;
	size_t		hexlen;

	if (d == NULL)
		return psprintf("%s (JSON-RPC error %d)", msg, req->error_code);
	/* error data as a JSON string holding hex */
	if (d[0] == '"')
		d++;
	hexlen = strspn(d + (strncmp(d, "0x", 2) == 0 ? 2 : 0), "0123456789abcdefABCDEF");
	if (strncmp(d, "0x", 2) != 0 || hexlen % 2 != 0)
		return psprintf("%s (JSON-RPC error %d, data %s)", msg, req->error_code, req->error_data);
	n = hexlen / 2;
	bytes = palloc(Max(n, 1));
	(void) CodecHexDecode(d + 2, hexlen, bytes);
	if (n >= 4 + 64 && memcmp(bytes, "\x08\xc3\x79\xa0", 4) == 0)
	{
		/* Error(string): offset, length, bytes */
		Uint256		off,
					len;
		uint64		o,
					l;

		Uint256FromBytesBE(bytes + 4, 32, &off);
		if (Uint256ToUint64(&off, &o) && o + 32 <= n - 4)
		{
			Uint256FromBytesBE(bytes + 4 + o, 32, &len);
			if (Uint256ToUint64(&len, &l) && o + 32 + l <= n - 4 &&
				pg_verify_mbstr(PG_UTF8, (char *) bytes + 4 + o + 32, (int) l, true))
				return psprintf("reverted: %s", pnstrdup((char *) bytes + 4 + o + 32, l));
		}
	}
	if (n == 4 + 32 && memcmp(bytes, "\x4e\x48\x7b\x71", 4) == 0)
	{
		Uint256		code;

		Uint256FromBytesBE(bytes + 4, 32, &code);
		return psprintf("panic %s", Quantity(&code));
	}
	if (n == 0)
		return psprintf("%s (no revert data)", msg);
	return psprintf("%s (revert data %s)", msg, HexOf(bytes, Min(n, 68)));
}

/*
 * A simulation that failed for another reason than a revert (a node error,
 * a rate limit, a missing header, no funds for gas) is no verdict on the
 * intent: it stays pending, with an alert, and is simulated again.
 */
static bool
IsRevert(RpcRequest *req)
{
	const char *msg = req->error_message ? req->error_message : "";

	return req->error_code == 3 || strstr(msg, "revert") != NULL || strstr(msg, "Revert") != NULL;
}

/* Why a simulation failed: a revert reason, or "retry: ..." for anything else. */
static char *
SimulationFailure(RpcRequest *req)
{
	if (IsRevert(req))
		return RevertReason(req);
	return psprintf("retry: %s failed: JSON-RPC error %d: %s", req->method, req->error_code,
					req->error_message ? req->error_message : "(no message)");
}

/* ---- steps ---- */

/*
 * Run a step query whose arguments are the chain ($1) and one or two int
 * settings ($2, and $3 unless b is -1); returns the number of rows.
 */
static int
StepRows(TxqState *st, const char *sql, int32 a, int32 b)
{
	Oid			types[3] = {INT8OID, INT4OID, INT4OID};
	Datum		values[3] = {Int64GetDatum(st->chain_id), Int32GetDatum(a), Int32GetDatum(b)};

	Exec(sql, b == -1 ? 2 : 3, types, values, SPI_OK_SELECT);
	return (int) SPI_processed;
}

/*
 * Run a step's query over this chain's next batch ($1 the chain id, $2
 * amplified.txq_batch_size); returns the number of rows.
 */
static int
BatchRows(TxqState *st, const char *sql)
{
	return StepRows(st, sql, AmpTxqBatchSize, -1);
}

/* Is the chain still there, enabled, with signers?  Sets st->stop if not. */
static bool
ChainWanted(TxqState *st)
{
	Oid			types[1] = {INT8OID};
	Datum		values[1] = {Int64GetDatum(st->chain_id)};

	if (!OidIsValid(get_extension_oid("amplified", true)))
	{
		st->stop = true;
		return false;
	}
	Exec("SELECT 1 FROM amplified.chains AS c WHERE c.chain_id = $1 AND c.enabled "
		 "AND EXISTS (SELECT 1 FROM amplified.signers AS s WHERE s.chain_id = c.chain_id)",
		 1, types, values, SPI_OK_SELECT);
	if (SPI_processed == 0)
	{
		st->stop = true;
		return false;
	}
	RpcLoadTarget(st->chain_id, &st->target);
	return true;
}

/*
 * The node's pool for the senders that have unknown nonces, in the shape of
 * txpool_content ({"pending": {address: {nonce: tx}}, "queued": ...}), or
 * NULL when the node has no pool to show.  txpool_contentFrom (geth, reth)
 * is asked first, one call per sender, since a busy node's whole pool may
 * be larger than amplified.rpc_max_response_size; a node without it
 * (anvil) is asked txpool_content.
 */
static Jsonb *
FetchPool(TxqState *st, Oid *types, Datum *values)
{
	RpcRequest *reqs;
	RpcRequest	all;
	Datum	   *addrs;
	Datum	   *pools;
	bool	   *nulls;
	bool		every = true;
	int			n,
				i;

	Exec("SELECT DISTINCT u.sender::text FROM amplified.txq_step_unknown_nonces($1, $2::amplified.address[], $3) AS u "
		 "ORDER BY 1", 3, types, values, SPI_OK_SELECT);
	n = (int) SPI_processed;
	addrs = palloc(sizeof(Datum) * (n + 1));
	pools = palloc0(sizeof(Datum) * (n + 1));
	nulls = palloc0(sizeof(bool) * (n + 1));
	reqs = palloc0(sizeof(RpcRequest) * (n + 1));
	for (i = 0; i < n; i++)
	{
		char	   *a = ColText(i, 1);

		addrs[i] = CStringGetTextDatum(a);
		reqs[i].method = "txpool_contentFrom";
		reqs[i].params = psprintf("[\"%s\"]", a);
	}
	if (n > 0)
		RpcBatch(&st->target, reqs, n);
	for (i = 0; i < n; i++)
	{
		if (reqs[i].result == NULL || !JB_ROOT_IS_OBJECT(reqs[i].result))
			every = false;
		else
			pools[i] = PointerGetDatum(reqs[i].result);
	}
	if (n > 0 && every)
	{
		Oid			ptypes[2] = {TEXTARRAYOID, JSONBARRAYOID};
		Datum		pvalues[2];
		bool		isnull;

		pvalues[0] = MakeArray(addrs, nulls, n, TEXTOID);
		pvalues[1] = MakeArray(pools, nulls, n, JSONBOID);
		Exec("SELECT jsonb_build_object("
			 "'pending', coalesce(jsonb_object_agg(u.a, u.p->'pending') FILTER (WHERE u.p ? 'pending'), '{}'), "
			 "'queued', coalesce(jsonb_object_agg(u.a, u.p->'queued') FILTER (WHERE u.p ? 'queued'), '{}')) "
			 "FROM unnest($1, $2) AS u(a, p)", 2, ptypes, pvalues, SPI_OK_SELECT);
		/* The caller uses it after the next SPI calls: copy it out of the tuple table. */
		return DatumGetJsonbPCopy(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
	}

	memset(&all, 0, sizeof(all));
	all.method = "txpool_content";
	RpcBatch(&st->target, &all, 1);
	if (all.result != NULL && JB_ROOT_IS_OBJECT(all.result))
		return all.result;
	ereport(LOG,
			(errmsg("amplified tx worker: chain " INT64_FORMAT ": the node has transactions this database did not sign and neither txpool_contentFrom nor txpool_content (%s)",
					st->chain_id, all.error_message ? all.error_message : "no object")));
	return NULL;
}

/*
 * Account for the nonces the node has (below its pending count) that no
 * attempt of ours covers, before the counts are taken over and before
 * anything is signed: a primary that signed and broadcast a transaction
 * whose WAL never reached this server (promotion), or a restore from
 * before it, leaves such nonces.  The node's pool (FetchPool) says what
 * each one carries and eth_getRawTransactionByHash gives its bytes: one that
 * matches an intent not signed here is adopted as that intent's attempt,
 * and when the node cannot show a nonce the intents it may carry are held
 * (txq_step_adopt).  Runs in the reconcile step's transaction.
 */
static void
AdoptUnknownNonces(TxqState *st, Datum senders, Datum pending)
{
	Oid			types[6] = {INT8OID, TEXTARRAYOID, INT8ARRAYOID, JSONBOID, TEXTARRAYOID, TEXTARRAYOID};
	Datum		values[6];
	char		nulls[7] = "      ";
	Jsonb	   *pool;
	Datum	   *hashes = NULL;
	Datum	   *raws = NULL;
	bool	   *hash_nulls = NULL;
	bool	   *raw_nulls = NULL;
	int			nhash = 0;
	int			i;

	values[0] = Int64GetDatum(st->chain_id);
	values[1] = senders;
	values[2] = pending;
	Exec("SELECT count(*) FROM amplified.txq_step_unknown_nonces($1, $2::amplified.address[], $3)",
		 3, types, values, SPI_OK_SELECT);
	if (ColInt8(0, 1, 0) == 0)
		return;

	/* A node that shows no pool: then nothing is adopted (txq_step_adopt). */
	pool = FetchPool(st, types, values);

	if (pool != NULL)
	{
		RpcRequest *reqs;

		values[3] = PointerGetDatum(pool);
		Exec("SELECT DISTINCT amplified.txq_pool_tx($4, u.sender, u.nonce)->>'hash' "
			 "FROM amplified.txq_step_unknown_nonces($1, $2::amplified.address[], $3) AS u "
			 "WHERE amplified.txq_pool_tx($4, u.sender, u.nonce)->>'hash' IS NOT NULL",
			 4, types, values, SPI_OK_SELECT);
		nhash = (int) SPI_processed;
		hashes = palloc(sizeof(Datum) * (nhash + 1));
		raws = palloc0(sizeof(Datum) * (nhash + 1));
		hash_nulls = palloc0(sizeof(bool) * (nhash + 1));
		raw_nulls = palloc0(sizeof(bool) * (nhash + 1));
		reqs = palloc0(sizeof(RpcRequest) * (nhash + 1));
		for (i = 0; i < nhash; i++)
		{
			char	   *h = ColText(i, 1);

			hashes[i] = CStringGetTextDatum(h);
			reqs[i].method = "eth_getRawTransactionByHash";
			reqs[i].params = psprintf("[\"%s\"]", h);
		}
		if (nhash > 0)
			RpcBatch(&st->target, reqs, nhash);
		for (i = 0; i < nhash; i++)
			raws[i] = TextOrNull(RpcResultString(reqs[i].result), &raw_nulls[i]);
	}

	values[3] = PointerGetDatum(pool);
	nulls[3] = pool == NULL ? 'n' : ' ';
	values[4] = MakeArray(hashes, hash_nulls, nhash, TEXTOID);
	values[5] = MakeArray(raws, raw_nulls, nhash, TEXTOID);
	if (SPI_execute_with_args("SELECT intent_id, nonce, outcome FROM amplified.txq_step_adopt($1, "
							  "$2::amplified.address[], $3, $4, $5, $6)",
							  6, types, values, nulls, false, 0) != SPI_OK_SELECT)
		elog(ERROR, "amplified tx worker: txq_step_adopt failed");
	for (i = 0; i < (int) SPI_processed; i++)
		ereport(LOG,
				(errmsg("amplified tx worker: chain " INT64_FORMAT ": intent " INT64_FORMAT " %s at nonce " INT64_FORMAT " (a transaction this database did not sign)",
						st->chain_id, ColInt8(i, 1, 0), ColText(i, 3), ColInt8(i, 2, 0))));
}

/* Reconcile every signer's next nonce with the node's counts. */
static void
StepReconcile(TxqState *st)
{
	Oid			types[4] = {INT8OID, TEXTARRAYOID, INT8ARRAYOID, INT8ARRAYOID};
	Datum		values[4];
	Datum	   *addrs;
	Datum	   *pending;
	Datum	   *latest;
	bool	   *nulls;
	RpcRequest *reqs;
	int			n,
				i;

	values[0] = Int64GetDatum(st->chain_id);
	Exec("SELECT address::text FROM amplified.signers WHERE chain_id = $1 ORDER BY address",
		 1, types, values, SPI_OK_SELECT);
	n = (int) SPI_processed;
	if (n == 0)
		return;
	addrs = palloc(sizeof(Datum) * n);
	pending = palloc(sizeof(Datum) * n);
	latest = palloc(sizeof(Datum) * n);
	nulls = palloc0(sizeof(bool) * n);
	reqs = palloc0(sizeof(RpcRequest) * n * 2);
	for (i = 0; i < n; i++)
	{
		char	   *a = ColText(i, 1);

		addrs[i] = CStringGetTextDatum(a);
		reqs[2 * i].method = "eth_getTransactionCount";
		reqs[2 * i].params = psprintf("[\"%s\",\"pending\"]", a);
		reqs[2 * i + 1].method = "eth_getTransactionCount";
		reqs[2 * i + 1].params = psprintf("[\"%s\",\"latest\"]", a);
	}
	RpcBatch(&st->target, reqs, n * 2);
	for (i = 0; i < n * 2; i++)
	{
		char	   *q = RpcResultString(reqs[i].result);

		if (q == NULL)
			ereport(ERROR,
					(errcode(ERRCODE_AMP_NODE_ERROR),
					 errmsg("eth_getTransactionCount failed on chain " INT64_FORMAT ": %s",
							st->chain_id, reqs[i].error_message ? reqs[i].error_message : "not a quantity")));
		if (i % 2 == 0)
			pending[i / 2] = Int64GetDatum((int64) RpcParseQuantity(q, "eth_getTransactionCount"));
		else
			latest[i / 2] = Int64GetDatum((int64) RpcParseQuantity(q, "eth_getTransactionCount"));
	}
	values[1] = MakeArray(addrs, nulls, n, TEXTOID);
	values[2] = MakeArray(pending, nulls, n, INT8OID);
	values[3] = MakeArray(latest, nulls, n, INT8OID);
	AdoptUnknownNonces(st, values[1], values[2]);
	Exec("SELECT amplified.txq_step_reconcile($1, $2::amplified.address[], $3, $4)",
		 4, types, values, SPI_OK_SELECT);
	st->reconciled_at = GetCurrentTimestamp();
}

/* Does a signer lack a nonce row (it was just added)? */
static bool
SignerWithoutNonce(TxqState *st)
{
	Oid			types[1] = {INT8OID};
	Datum		values[1] = {Int64GetDatum(st->chain_id)};

	Exec("SELECT 1 FROM amplified.signers AS s WHERE s.chain_id = $1 AND NOT EXISTS "
		 "(SELECT 1 FROM amplified.nonces AS n WHERE n.chain_id = s.chain_id AND n.address OPERATOR(amplified.=) s.address)",
		 1, types, values, SPI_OK_SELECT);
	return SPI_processed > 0;
}

/* Claim, simulate, reserve nonces.  Returns how many intents were claimed. */
static int
StepReserve(TxqState *st)
{
	Oid			types[4] = {INT8OID, INT8ARRAYOID, INT8ARRAYOID, TEXTARRAYOID};
	Datum		values[4];
	int			n,
				i,
				nreq = 0;
	Datum	   *ids;
	Datum	   *gas;
	Datum	   *reasons;
	bool	   *gas_nulls;
	bool	   *reason_nulls;
	bool	   *no_nulls;
	int		   *call_req;
	int		   *gas_req;
	RpcRequest *reqs;
	int			nreserved = 0;

	n = StepRows(st, "SELECT id, sender, target, value, data, gas_limit, simulate "
				 "FROM amplified.txq_step_claim($1, $2, $3)", AmpTxqBatchSize, AmpTxqMaxInFlight);
	if (n == 0)
		return 0;

	ids = palloc(sizeof(Datum) * n);
	gas = palloc0(sizeof(Datum) * n);
	reasons = palloc0(sizeof(Datum) * n);
	gas_nulls = palloc0(sizeof(bool) * n);
	reason_nulls = palloc(sizeof(bool) * n);
	no_nulls = palloc0(sizeof(bool) * n);
	call_req = palloc(sizeof(int) * n);
	gas_req = palloc(sizeof(int) * n);
	reqs = palloc0(sizeof(RpcRequest) * n * 2);

	for (i = 0; i < n; i++)
	{
		uint8		from[20],
					to[20];
		bool		has_to = ColAddress(i, 3, to);
		Uint256		value;
		bytea	   *data = ColBytea(i, 5);
		int64		gas_limit = ColInt8(i, 6, -1);
		bool		isnull;
		bool		simulate = DatumGetBool(SPI_getbinval(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 7, &isnull));
		char	   *call;

		ids[i] = Int64GetDatum(ColInt8(i, 1, 0));
		(void) ColAddress(i, 2, from);
		(void) ColUint256(i, 4, &value);
		call = CallObject(from, has_to ? to : NULL, &value, data);
		call_req[i] = gas_req[i] = -1;
		if (simulate)
		{
			reqs[nreq].method = "eth_call";
			reqs[nreq].params = psprintf("[%s,\"latest\"]", call);
			call_req[i] = nreq++;
		}
		if (gas_limit < 0)
		{
			reqs[nreq].method = "eth_estimateGas";
			reqs[nreq].params = psprintf("[%s]", call);
			gas_req[i] = nreq++;
		}
		else
			gas[i] = Int64GetDatum(gas_limit);
		reason_nulls[i] = true;
	}
	if (nreq > 0)
		RpcBatch(&st->target, reqs, nreq);

	for (i = 0; i < n; i++)
	{
		char	   *why = NULL;

		if (call_req[i] >= 0 && reqs[call_req[i]].result == NULL)
			why = SimulationFailure(&reqs[call_req[i]]);
		else if (gas_req[i] >= 0)
		{
			RpcRequest *r = &reqs[gas_req[i]];
			char	   *q = RpcResultString(r->result);

			if (q == NULL && r->result == NULL)
				why = SimulationFailure(r);
			else if (q == NULL)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
						 errmsg("eth_estimateGas on chain " INT64_FORMAT " returned no quantity", st->chain_id)));
			else
			{
				uint64		est = RpcParseQuantity(q, "eth_estimateGas");

				est += est * TXQ_GAS_HEADROOM / 100;
				gas[i] = Int64GetDatum((int64) Max(est, 21000));
			}
		}
		if (why)
		{
			reasons[i] = CStringGetTextDatum(why);
			reason_nulls[i] = false;
			gas_nulls[i] = true;
		}
		else
			nreserved++;
	}

	values[0] = Int64GetDatum(st->chain_id);
	values[1] = MakeArray(ids, no_nulls, n, INT8OID);
	values[2] = MakeArray(gas, gas_nulls, n, INT8OID);
	values[3] = MakeArray(reasons, reason_nulls, n, TEXTOID);
	Exec("SELECT * FROM amplified.txq_step_reserve($1, $2, $3, $4)", 4, types, values, SPI_OK_SELECT);
	return n;
}

/* Fee levels the node suggests now. */
typedef struct FeeData
{
	bool		have_base;
	Uint256		base_fee;		/* of the latest block */
	Uint256		tip;			/* eth_maxPriorityFeePerGas */
	Uint256		gas_price;		/* eth_gasPrice */
} FeeData;

static void
FetchFees(TxqState *st, FeeData *f)
{
	RpcRequest	reqs[3];
	char	   *s;

	memset(reqs, 0, sizeof(reqs));
	memset(f, 0, sizeof(*f));
	reqs[0].method = "eth_getBlockByNumber";
	reqs[0].params = "[\"latest\",false]";
	reqs[1].method = "eth_maxPriorityFeePerGas";
	reqs[2].method = "eth_gasPrice";
	RpcBatch(&st->target, reqs, 3);
	if (reqs[0].result == NULL || reqs[2].result == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_AMP_NODE_ERROR),
				 errmsg("could not read fee levels of chain " INT64_FORMAT ": %s", st->chain_id,
						reqs[0].result == NULL ? reqs[0].error_message : reqs[2].error_message)));
	s = FieldString(reqs[0].result, "baseFeePerGas");
	if (s)
	{
		ParseUint256(s, "baseFeePerGas", &f->base_fee);
		f->have_base = true;
	}
	ParseUint256(RpcResultString(reqs[2].result), "eth_gasPrice", &f->gas_price);
	if ((s = RpcResultString(reqs[1].result)) != NULL)
		ParseUint256(s, "eth_maxPriorityFeePerGas", &f->tip);
	else
		Uint256FromUint64(&f->tip, TXQ_DEFAULT_TIP);
}

/* min(a, b) into r. */
static void
U256Min(const Uint256 *a, const Uint256 *b, Uint256 *r)
{
	*r = Uint256Cmp(a, b) <= 0 ? *a : *b;
}

/* max(a, b) into r. */
static void
U256Max(const Uint256 *a, const Uint256 *b, Uint256 *r)
{
	*r = Uint256Cmp(a, b) >= 0 ? *a : *b;
}

/*
 * The least fee a replacement must offer: +12.5% (rounded up) and at least
 * +1 wei.  False on overflow.
 */
static bool
Bumped(const Uint256 *old, Uint256 *r)
{
	Uint256		nine,
				eight,
				one,
				plus1;

	Uint256FromUint64(&nine, 9);
	Uint256FromUint64(&eight, 8);
	Uint256FromUint64(&one, 1);
	if (!Uint256MulDiv(old, &nine, &eight, true, r) || !Uint256Add(old, &one, &plus1))
		return false;
	U256Max(r, &plus1, r);
	return true;
}

/* One row of txq_step_to_sign, as the sign step uses it. */
typedef struct SignItem
{
	int64		intent_id;
	uint8		sender[20];
	TxqTx		tx;
	bool		has_cap_fee;
	Uint256		cap_fee;
	bool		has_cap_tip;
	Uint256		cap_tip;
	bool		replaces;
	Uint256		old_gas_price;
	Uint256		old_max_fee;
	Uint256		old_tip;
	char	   *alert;			/* set: do not sign, raise this */
	TxqSigned	signed_tx;
	bool		done;
} SignItem;

/*
 * Fees of a first signing or a replacement, within the caps.  Sets
 * it->alert instead when a replacement cannot be priced under the cap.
 */
static void
PriceItem(SignItem *it, const FeeData *f)
{
	TxqTx	   *tx = &it->tx;
	Uint256		two,
				want;

	Uint256FromUint64(&two, 2);
	if (tx->type == TXQ_TYPE_LEGACY)
	{
		want = f->gas_price;
		if (it->replaces)
		{
			Uint256		need;

			if (!Bumped(&it->old_gas_price, &need))
				need = it->old_gas_price;
			U256Max(&want, &need, &want);
			if (it->has_cap_fee && Uint256Cmp(&need, &it->cap_fee) > 0)
			{
				it->alert = psprintf("stuck at nonce " UINT64_FORMAT ": a replacement needs gas price %s, above the cap %s",
									 tx->nonce, Decimal(&need), Decimal(&it->cap_fee));
				return;
			}
		}
		if (it->has_cap_fee)
			U256Min(&want, &it->cap_fee, &want);
		tx->gas_price = want;
		return;
	}

	/* EIP-1559: tip as suggested, max fee twice the base fee plus the tip */
	{
		Uint256		tip = f->tip;
		Uint256		max_fee;
		Uint256		base2;

		if (it->has_cap_tip)
			U256Min(&tip, &it->cap_tip, &tip);
		if (!f->have_base || !Uint256Mul(&f->base_fee, &two, &base2) || !Uint256Add(&base2, &tip, &max_fee))
			max_fee = f->gas_price;
		if (it->replaces)
		{
			Uint256		need_tip,
						need_fee;

			if (!Bumped(&it->old_tip, &need_tip) || !Bumped(&it->old_max_fee, &need_fee))
			{
				it->alert = psprintf("stuck at nonce " UINT64_FORMAT ": fees cannot be raised further", tx->nonce);
				return;
			}
			U256Max(&tip, &need_tip, &tip);
			U256Max(&max_fee, &need_fee, &max_fee);
			U256Max(&max_fee, &tip, &max_fee);
			if (it->has_cap_fee && Uint256Cmp(&need_fee, &it->cap_fee) > 0)
			{
				it->alert = psprintf("stuck at nonce " UINT64_FORMAT ": a replacement needs max fee %s, above the cap %s",
									 tx->nonce, Decimal(&need_fee), Decimal(&it->cap_fee));
				return;
			}
			if (it->has_cap_tip && Uint256Cmp(&need_tip, &it->cap_tip) > 0)
			{
				it->alert = psprintf("stuck at nonce " UINT64_FORMAT ": a replacement needs priority fee %s, above the cap %s",
									 tx->nonce, Decimal(&need_tip), Decimal(&it->cap_tip));
				return;
			}
			if (it->has_cap_fee)
				U256Min(&max_fee, &it->cap_fee, &max_fee);
			if (Uint256Cmp(&need_tip, &max_fee) > 0)
			{
				it->alert = psprintf("stuck at nonce " UINT64_FORMAT ": a replacement needs priority fee %s, above its max fee %s",
									 tx->nonce, Decimal(&need_tip), Decimal(&max_fee));
				return;
			}
		}
		else if (it->has_cap_fee)
			U256Min(&max_fee, &it->cap_fee, &max_fee);
		U256Min(&tip, &max_fee, &tip);
		tx->max_priority_fee = tip;
		tx->max_fee = max_fee;
	}
}

/* How one sender's signer fared in a sign step. */
typedef struct SignerOutcome
{
	int			from;			/* its items: from .. to - 1 */
	int			to;
	bool		tried;			/* the signer was asked (or failed to load) */
	char	   *error;			/* why it failed, or NULL */
	char		kind[16];		/* key_file, external, node ("" if not loaded) */
} SignerOutcome;

/*
 * Sign the items of one sender, in nonce order, inside a subtransaction: a
 * signer that fails (a missing key file, an unreachable external signer)
 * leaves every other sender alone; out says how it fared, and the caller
 * backs it off and raises the alert on its intents.
 */
static void
SignSender(TxqState *st, SignItem *items, int from, int to, SignerOutcome *out)
{
	MemoryContext cxt = CurrentMemoryContext;
	ResourceOwner owner = CurrentResourceOwner;
	TxqSigner	signer;
	int			i;

	out->from = from;
	out->to = to;
	out->tried = false;
	out->error = NULL;
	out->kind[0] = '\0';

	BeginInternalSubTransaction(NULL);
	MemoryContextSwitchTo(cxt);
	PG_TRY();
	{
		memset(&signer, 0, sizeof(signer));
		if (!TxqSignerLoad(st->chain_id, items[from].sender, &signer))
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_OBJECT),
					 errmsg("no signer for %s on chain " INT64_FORMAT,
							HexOf(items[from].sender, 20), st->chain_id)));
		strlcpy(out->kind, signer.kind, sizeof(out->kind));
		if (signer.chain_target == NULL)
			signer.chain_target = &st->target;
		for (i = from; i < to; i++)
		{
			if (items[i].alert)
				break;			/* a later nonce would wait behind it anyway */
			out->tried = true;
			TxqSignerSign(&signer, &items[i].tx, &items[i].signed_tx);
			if (memcmp(items[i].signed_tx.from, items[i].sender, 20) != 0)
				ereport(ERROR,
						(errcode(ERRCODE_DATA_EXCEPTION),
						 errmsg("the signature of intent " INT64_FORMAT " does not recover to its sender",
								items[i].intent_id)));
			items[i].done = true;
		}
		ReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(cxt);
		CurrentResourceOwner = owner;
	}
	PG_CATCH();
	{
		ErrorData  *edata;

		MemoryContextSwitchTo(cxt);
		edata = CopyErrorData();
		FlushErrorState();
		RollbackAndReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(cxt);
		CurrentResourceOwner = owner;
		for (i = from; i < to; i++)
			items[i].done = false;
		out->tried = true;
		out->error = pstrdup(edata->message);
		FreeErrorData(edata);
	}
	PG_END_TRY();
}

/*
 * Record how the signers of a sign step fared (txq_step_record_signers): a
 * failing one is skipped until its backoff expires (1 s, doubling up to
 * amplified.signer_max_backoff), a succeeding one is reset.  The intents of
 * a failing signer get an alert that names it, says why and when it is
 * asked again; the failure is logged once.
 */
static void
RecordSigners(TxqState *st, SignItem *items, SignerOutcome *outcomes, int n)
{
	Oid			types[4] = {INT8OID, TEXTARRAYOID, TEXTARRAYOID, INTERVALOID};
	Datum		values[4];
	Datum	   *senders = palloc(sizeof(Datum) * Max(n, 1));
	Datum	   *errors = palloc0(sizeof(Datum) * Max(n, 1));
	bool	   *error_nulls = palloc(sizeof(bool) * Max(n, 1));
	bool	   *no_nulls = palloc0(sizeof(bool) * Max(n, 1));
	int			k = 0;
	int			i,
				j;

	for (i = 0; i < n; i++)
	{
		if (!outcomes[i].tried)
			continue;
		senders[k] = CStringGetTextDatum(HexOf(items[outcomes[i].from].sender, 20));
		errors[k] = TextOrNull(outcomes[i].error, &error_nulls[k]);
		k++;
	}
	if (k == 0)
		return;
	values[0] = Int64GetDatum(st->chain_id);
	values[1] = MakeArray(senders, no_nulls, k, TEXTOID);
	values[2] = MakeArray(errors, error_nulls, k, TEXTOID);
	values[3] = DirectFunctionCall3(interval_in, CStringGetDatum(psprintf("%d seconds", AmpSignerMaxBackoff)),
									ObjectIdGetDatum(InvalidOid), Int32GetDatum(-1));
	Exec("SELECT sender::text, failures, extract(epoch FROM backoff)::integer "
		 "FROM amplified.txq_step_record_signers($1, $2::amplified.address[], $3, $4)",
		 4, types, values, SPI_OK_SELECT);

	for (i = 0; i < n; i++)
	{
		SignerOutcome *o = &outcomes[i];
		char	   *addr;
		int64		failures = 0;
		int64		backoff = 0;

		if (o->error == NULL)
			continue;
		addr = HexOf(items[o->from].sender, 20);
		for (j = 0; j < (int) SPI_processed; j++)
			if (pg_strcasecmp(ColText(j, 1), addr) == 0)	/* the type prints EIP-55 */
			{
				failures = ColInt8(j, 2, 0);
				backoff = ColInt8(j, 3, 0);
			}
		for (j = o->from; j < o->to; j++)
			if (items[j].alert == NULL)
				items[j].alert = psprintf("signing failed: signer %s%s%s%s: %s; failure " INT64_FORMAT
										  " in a row, next try in " INT64_FORMAT " s",
										  addr, o->kind[0] ? " (" : "", o->kind, o->kind[0] ? ")" : "",
										  o->error, failures, backoff);
		elog(LOG, "amplified tx worker: signer %s on chain " INT64_FORMAT " failed (" INT64_FORMAT
			 " in a row), next try in " INT64_FORMAT " s: %s",
			 addr, st->chain_id, failures, backoff, o->error);
	}
}

/* Sign what is reserved or stuck, and persist it.  Returns the rows looked at. */
static int
StepSign(TxqState *st)
{
	Datum		values[8];
	SignItem   *items;
	FeeData		fees;
	int			n,
				i,
				start,
				nsigned = 0,
				k;
	Datum	   *ids,
			   *txtypes,
			   *gas,
			   *gp,
			   *mf,
			   *tip,
			   *raws,
			   *hashes;
	bool	   *gp_null,
			   *mf_null,
			   *no_nulls;
	Datum	   *alert_ids,
			   *alerts;
	bool	   *alert_nulls;
	int			nalerts = 0;
	SignerOutcome *outcomes;
	int			noutcomes = 0;

	n = StepRows(st, "SELECT intent_id, sender, target, value, data, nonce, gas_limit, cap_max_fee, "
				 "cap_priority_fee, tx_type, replaces, old_gas_price, old_max_fee, old_priority_fee "
				 "FROM amplified.txq_step_to_sign($1, $2, $3)", AmpTxqBatchSize, AmpTxqMaxReplacements);
	if (n == 0)
		return 0;

	items = palloc0(sizeof(SignItem) * n);
	for (i = 0; i < n; i++)
	{
		SignItem   *it = &items[i];
		bytea	   *data = ColBytea(i, 5);

		it->intent_id = ColInt8(i, 1, 0);
		(void) ColAddress(i, 2, it->sender);
		it->tx.has_to = ColAddress(i, 3, it->tx.to);
		(void) ColUint256(i, 4, &it->tx.value);
		it->tx.data = (const uint8 *) VARDATA_ANY(data);
		it->tx.data_len = VARSIZE_ANY_EXHDR(data);
		it->tx.nonce = (uint64) ColInt8(i, 6, 0);
		it->tx.gas_limit = (uint64) ColInt8(i, 7, 21000);
		it->has_cap_fee = ColUint256(i, 8, &it->cap_fee);
		it->has_cap_tip = ColUint256(i, 9, &it->cap_tip);
		it->tx.type = (int) ColInt8(i, 10, 2) == 0 ? TXQ_TYPE_LEGACY : TXQ_TYPE_EIP1559;
		it->tx.chain_id = (uint64) st->chain_id;
		it->replaces = ColInt8(i, 11, -1) >= 0;
		if (it->replaces)
		{
			(void) ColUint256(i, 12, &it->old_gas_price);
			(void) ColUint256(i, 13, &it->old_max_fee);
			(void) ColUint256(i, 14, &it->old_tip);
		}
	}

	FetchFees(st, &fees);
	for (i = 0; i < n; i++)
		PriceItem(&items[i], &fees);

	/* Sign sender by sender (the rows come ordered by sender, nonce). */
	outcomes = palloc0(sizeof(SignerOutcome) * n);
	for (start = 0; start < n; start = i)
	{
		for (i = start + 1; i < n && memcmp(items[i].sender, items[start].sender, 20) == 0; i++)
			;
		SignSender(st, items, start, i, &outcomes[noutcomes++]);
	}
	RecordSigners(st, items, outcomes, noutcomes);
	for (i = 0; i < n; i++)
		nsigned += items[i].done;
	if (nsigned > 0)
		StopAt("after_sign");

	/* Persist what was signed, and the alerts (cleared for what was signed). */
	ids = palloc(sizeof(Datum) * Max(nsigned, 1));
	txtypes = palloc(sizeof(Datum) * Max(nsigned, 1));
	gas = palloc(sizeof(Datum) * Max(nsigned, 1));
	gp = palloc0(sizeof(Datum) * Max(nsigned, 1));
	mf = palloc0(sizeof(Datum) * Max(nsigned, 1));
	tip = palloc0(sizeof(Datum) * Max(nsigned, 1));
	raws = palloc(sizeof(Datum) * Max(nsigned, 1));
	hashes = palloc(sizeof(Datum) * Max(nsigned, 1));
	gp_null = palloc0(sizeof(bool) * Max(nsigned, 1));
	mf_null = palloc0(sizeof(bool) * Max(nsigned, 1));
	no_nulls = palloc0(sizeof(bool) * Max(nsigned, 1));
	alert_ids = palloc(sizeof(Datum) * n);
	alerts = palloc0(sizeof(Datum) * n);
	alert_nulls = palloc(sizeof(bool) * n);
	for (i = 0, k = 0; i < n; i++)
	{
		SignItem   *it = &items[i];

		alert_ids[nalerts] = Int64GetDatum(it->intent_id);
		alerts[nalerts] = TextOrNull(it->done ? NULL : it->alert, &alert_nulls[nalerts]);
		if (it->done || it->alert)
			nalerts++;
		if (!it->done)
			continue;
		ids[k] = Int64GetDatum(it->intent_id);
		txtypes[k] = Int32GetDatum(it->tx.type);
		gas[k] = Int64GetDatum((int64) it->tx.gas_limit);
		if (it->tx.type == TXQ_TYPE_LEGACY)
		{
			gp[k] = CStringGetTextDatum(Decimal(&it->tx.gas_price));
			mf_null[k] = true;
		}
		else
		{
			gp_null[k] = true;
			mf[k] = CStringGetTextDatum(Decimal(&it->tx.max_fee));
			tip[k] = CStringGetTextDatum(Decimal(&it->tx.max_priority_fee));
		}
		raws[k] = PointerGetDatum(it->signed_tx.raw);
		hashes[k] = CStringGetTextDatum(HexOf(it->signed_tx.hash, 32));
		k++;
	}
	if (nsigned > 0)
	{
		Oid			rtypes[8] = {INT8ARRAYOID, INT4ARRAYOID, INT8ARRAYOID, TEXTARRAYOID,
		TEXTARRAYOID, TEXTARRAYOID, BYTEAARRAYOID, TEXTARRAYOID};

		values[0] = MakeArray(ids, no_nulls, nsigned, INT8OID);
		values[1] = MakeArray(txtypes, no_nulls, nsigned, INT4OID);
		values[2] = MakeArray(gas, no_nulls, nsigned, INT8OID);
		values[3] = MakeArray(gp, gp_null, nsigned, TEXTOID);
		values[4] = MakeArray(mf, mf_null, nsigned, TEXTOID);
		values[5] = MakeArray(tip, mf_null, nsigned, TEXTOID);
		values[6] = MakeArray(raws, no_nulls, nsigned, BYTEAOID);
		values[7] = MakeArray(hashes, no_nulls, nsigned, TEXTOID);
		Exec("SELECT amplified.txq_step_record_signed($1, $2, $3, $4::amplified.uint256[], "
			 "$5::amplified.uint256[], $6::amplified.uint256[], $7, $8::amplified.bytes32[])",
			 8, rtypes, values, SPI_OK_SELECT);
	}
	if (nalerts > 0)
	{
		Oid			atypes[2] = {INT8ARRAYOID, TEXTARRAYOID};
		bool	   *idnulls = palloc0(sizeof(bool) * nalerts);

		values[0] = MakeArray(alert_ids, idnulls, nalerts, INT8OID);
		values[1] = MakeArray(alerts, alert_nulls, nalerts, TEXTOID);
		Exec("SELECT amplified.txq_step_alert($1, $2)", 2, atypes, values, SPI_OK_SELECT);
	}
	return n;
}

/* Does a broadcast error mean the node has (or had) this transaction? */
static bool
KnownTransaction(const char *msg)
{
	static const char *const known[] = {"already known", "known transaction", "already imported",
	"nonce too low", "already exists", "alreadyknown"};
	char	   *lower;
	size_t		i;

	if (msg == NULL)
		return false;
	lower = asc_tolower(msg, strlen(msg));
	for (i = 0; i < lengthof(known); i++)
		if (strstr(lower, known[i]) != NULL)
			return true;
	return false;
}

/*
 * Broadcast persisted attempts.  Returns how many the node took (refused
 * ones wait for their backoff, so they do not make the worker hurry).
 */
static int
StepBroadcast(TxqState *st)
{
	Oid			types[2] = {INT8ARRAYOID, TEXTARRAYOID};
	Datum		values[2];
	int			n,
				i;
	RpcRequest *reqs;
	Datum	   *ids;
	Datum	   *errors;
	bool	   *error_nulls;
	bool	   *no_nulls;
	int			accepted = 0;

	n = BatchRows(st, "SELECT attempt_id, raw FROM amplified.txq_step_to_broadcast($1, $2)");
	if (n == 0)
		return 0;
	reqs = palloc0(sizeof(RpcRequest) * n);
	ids = palloc(sizeof(Datum) * n);
	errors = palloc0(sizeof(Datum) * n);
	error_nulls = palloc(sizeof(bool) * n);
	no_nulls = palloc0(sizeof(bool) * n);
	for (i = 0; i < n; i++)
	{
		bytea	   *raw = ColBytea(i, 2);

		ids[i] = Int64GetDatum(ColInt8(i, 1, 0));
		reqs[i].method = "eth_sendRawTransaction";
		reqs[i].params = psprintf("[\"%s\"]", HexOf((const uint8 *) VARDATA_ANY(raw), VARSIZE_ANY_EXHDR(raw)));
	}
	RpcBatch(&st->target, reqs, n);
	StopAt("after_broadcast");
	for (i = 0; i < n; i++)
	{
		const char *msg = reqs[i].result ? NULL : reqs[i].error_message;

		if (reqs[i].result != NULL || KnownTransaction(msg))
		{
			error_nulls[i] = true;
			accepted++;
		}
		else
		{
			errors[i] = CStringGetTextDatum(msg ? msg : "error without a message");
			error_nulls[i] = false;
		}
	}
	values[0] = MakeArray(ids, no_nulls, n, INT8OID);
	values[1] = MakeArray(errors, error_nulls, n, TEXTOID);
	Exec("SELECT amplified.txq_step_record_sent($1, $2)", 2, types, values, SPI_OK_SELECT);
	return accepted;
}

/* Follow receipts of sent and mined attempts.  Returns the transitions made. */
static int
StepFollow(TxqState *st)
{
	Oid			types[10] = {INT8OID, INT8OID, INT8ARRAYOID, INT8ARRAYOID, TEXTARRAYOID,
	INT8ARRAYOID, TEXTARRAYOID, INT2ARRAYOID, BOOLARRAYOID, INT8ARRAYOID};
	Datum		values[10];
	int			n,
				i,
				nsenders = 0,
				npool = 0;
	char	  **hashes;
	char	  **senders;
	int		   *sender_of;
	bool	   *check_pool;
	char	  **distinct;
	RpcRequest *counts;
	RpcRequest *reqs;
	int		   *pool_req;
	int64		head;
	Datum	   *ids,
			   *bn,
			   *bh,
			   *gu,
			   *price,
			   *rs,
			   *inpool,
			   *latest;
	bool	   *rnull,
			   *poolnull,
			   *no_nulls;

	values[0] = Int64GetDatum(st->chain_id);
	Exec("SELECT attempt_id, hash::text, sender::text, check_pool FROM amplified.txq_step_to_follow($1)",
		 1, types, values, SPI_OK_SELECT);
	n = (int) SPI_processed;
	if (n == 0)
		return 0;

	hashes = palloc(sizeof(char *) * n);
	senders = palloc(sizeof(char *) * n);
	sender_of = palloc(sizeof(int) * n);
	check_pool = palloc(sizeof(bool) * n);
	distinct = palloc(sizeof(char *) * n);
	ids = palloc(sizeof(Datum) * n);
	for (i = 0; i < n; i++)
	{
		bool		isnull;
		int			j;

		ids[i] = Int64GetDatum(ColInt8(i, 1, 0));
		hashes[i] = ColText(i, 2);
		senders[i] = ColText(i, 3);
		check_pool[i] = DatumGetBool(SPI_getbinval(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 4, &isnull));
		for (j = 0; j < nsenders && strcmp(distinct[j], senders[i]) != 0; j++)
			;
		if (j == nsenders)
			distinct[nsenders++] = senders[i];
		sender_of[i] = j;
	}

	/* The mined nonce counts first: a receipt read after them is never older. */
	counts = palloc0(sizeof(RpcRequest) * (nsenders + 1));
	for (i = 0; i < nsenders; i++)
	{
		counts[i].method = "eth_getTransactionCount";
		counts[i].params = psprintf("[\"%s\",\"latest\"]", distinct[i]);
	}
	counts[nsenders].method = "eth_blockNumber";
	RpcBatch(&st->target, counts, nsenders + 1);
	for (i = 0; i <= nsenders; i++)
		if (RpcResultString(counts[i].result) == NULL)
			ereport(ERROR,
					(errcode(ERRCODE_AMP_NODE_ERROR),
					 errmsg("%s failed on chain " INT64_FORMAT ": %s", counts[i].method, st->chain_id,
							counts[i].error_message ? counts[i].error_message : "not a quantity")));
	head = (int64) RpcParseQuantity(RpcResultString(counts[nsenders].result), "eth_blockNumber");

	reqs = palloc0(sizeof(RpcRequest) * n * 2);
	pool_req = palloc(sizeof(int) * n);
	for (i = 0; i < n; i++)
	{
		reqs[i].method = "eth_getTransactionReceipt";
		reqs[i].params = psprintf("[\"%s\"]", hashes[i]);
		pool_req[i] = -1;
		if (check_pool[i])
		{
			reqs[n + npool].method = "eth_getTransactionByHash";
			reqs[n + npool].params = reqs[i].params;
			pool_req[i] = n + npool++;
		}
	}
	RpcBatch(&st->target, reqs, n + npool);

	bn = palloc0(sizeof(Datum) * n);
	bh = palloc0(sizeof(Datum) * n);
	gu = palloc0(sizeof(Datum) * n);
	price = palloc0(sizeof(Datum) * n);
	rs = palloc0(sizeof(Datum) * n);
	inpool = palloc0(sizeof(Datum) * n);
	latest = palloc0(sizeof(Datum) * n);
	rnull = palloc0(sizeof(bool) * n);
	poolnull = palloc0(sizeof(bool) * n);
	no_nulls = palloc0(sizeof(bool) * n);
	for (i = 0; i < n; i++)
	{
		Jsonb	   *r = reqs[i].result;

		latest[i] = Int64GetDatum((int64) RpcParseQuantity(RpcResultString(counts[sender_of[i]].result),
														   "eth_getTransactionCount"));
		if (r == NULL)
			ereport(ERROR,
					(errcode(ERRCODE_AMP_NODE_ERROR),
					 errmsg("eth_getTransactionReceipt failed on chain " INT64_FORMAT ": %s",
							st->chain_id, reqs[i].error_message ? reqs[i].error_message : "no result")));
		if (ResultIsNull(r) || FieldString(r, "blockNumber") == NULL)
			rnull[i] = true;
		else
		{
			char	   *hash = FieldString(r, "blockHash");
			char	   *status = FieldString(r, "status");
			char	   *eff = FieldString(r, "effectiveGasPrice");
			Uint256		p;

			bn[i] = Int64GetDatum((int64) RpcParseQuantity(FieldString(r, "blockNumber"), "blockNumber"));
			if (hash == NULL || strlen(hash) != 66)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
						 errmsg("malformed receipt from the node: blockHash is \"%s\"", hash ? hash : "missing")));
			bh[i] = CStringGetTextDatum(hash);
			gu[i] = Int64GetDatum((int64) RpcParseQuantity(FieldString(r, "gasUsed"), "gasUsed"));
			if (eff)
				ParseUint256(eff, "effectiveGasPrice", &p);
			else
				Uint256FromUint64(&p, 0);
			price[i] = CStringGetTextDatum(Decimal(&p));
			rs[i] = Int16GetDatum(status ? (int16) RpcParseQuantity(status, "status") : 1);
		}
		if (pool_req[i] < 0)
			poolnull[i] = true;
		else
		{
			RpcRequest *p = &reqs[pool_req[i]];

			if (p->result == NULL)
				poolnull[i] = true;
			else
				inpool[i] = BoolGetDatum(!ResultIsNull(p->result));
		}
	}

	values[0] = Int64GetDatum(st->chain_id);
	values[1] = Int64GetDatum(head);
	values[2] = MakeArray(ids, no_nulls, n, INT8OID);
	values[3] = MakeArray(bn, rnull, n, INT8OID);
	values[4] = MakeArray(bh, rnull, n, TEXTOID);
	values[5] = MakeArray(gu, rnull, n, INT8OID);
	values[6] = MakeArray(price, rnull, n, TEXTOID);
	values[7] = MakeArray(rs, rnull, n, INT2OID);
	values[8] = MakeArray(inpool, poolnull, n, BOOLOID);
	values[9] = MakeArray(latest, no_nulls, n, INT8OID);
	Exec("SELECT amplified.txq_step_record_receipts($1, $2, $3, $4, $5::amplified.bytes32[], $6, "
		 "$7::amplified.uint256[], $8, $9, $10)", 10, types, values, SPI_OK_SELECT);
	return (int) ColInt8(0, 1, 0);
}

/* ---- the cycle ---- */

typedef enum TxqStepKind
{
	TXQ_RECONCILE,
	TXQ_EXPIRE,
	TXQ_RESERVE,
	TXQ_SIGN,
	TXQ_BROADCAST,
	TXQ_FOLLOW,
	TXQ_WATCH
} TxqStepKind;

typedef struct StepArg
{
	TxqState   *st;
	TxqStepKind kind;
	int			result;
} StepArg;

static const char *const step_activity[] = {
	"amplified tx: reconciling nonces",
	"amplified tx: expiring intents",
	"amplified tx: simulating and reserving nonces",
	"amplified tx: signing",
	"amplified tx: broadcasting",
	"amplified tx: following receipts",
	"amplified tx: watching for backlogs"
};

/* Run one step in its own transaction. */
static void
RunStep(void *arg)
{
	StepArg    *a = (StepArg *) arg;
	TxqState   *st = a->st;
	Oid			types[1] = {INT8OID};
	Datum		values[1] = {Int64GetDatum(st->chain_id)};
	TimestampTz t0 = GetCurrentTimestamp();

	a->result = 0;
	BeginStep(step_activity[a->kind]);
	if (ChainWanted(st))
	{
		switch (a->kind)
		{
			case TXQ_RECONCILE:
				if (st->reconciled_at == 0 || SignerWithoutNonce(st) ||
					TimestampDifferenceExceeds(st->reconciled_at, GetCurrentTimestamp(), TXQ_RECONCILE_MS))
					StepReconcile(st);
				break;
			case TXQ_EXPIRE:
				Exec("SELECT amplified.txq_step_expire($1)", 1, types, values, SPI_OK_SELECT);
				a->result = (int) ColInt8(0, 1, 0);
				break;
			case TXQ_RESERVE:
				a->result = StepReserve(st);
				break;
			case TXQ_SIGN:
				a->result = StepSign(st);
				break;
			case TXQ_BROADCAST:
				a->result = StepBroadcast(st);
				break;
			case TXQ_FOLLOW:
				a->result = StepFollow(st);
				break;
			case TXQ_WATCH:
				(void) StepRows(st, "SELECT amplified.txq_step_backlog($1, $2, $3)",
								AmpTxqMaxInFlight, AmpTxqMaxReplacements);
				a->result = (int) ColInt8(0, 1, 0);
				break;
		}
	}
	EndStep();
	pgstat_report_stat(false);
	elog(DEBUG1, "%s: %d rows in %.1f ms", step_activity[a->kind], a->result,
		 (double) (GetCurrentTimestamp() - t0) / 1000.0);

	if (a->kind == TXQ_RESERVE && a->result > 0)
		StopAt("after_reserve");
	if (a->kind == TXQ_SIGN && a->result > 0)
		StopAt("after_persist");
	if (a->kind == TXQ_FOLLOW && a->result > 0)
		StopAt("after_receipt");
	if (a->kind >= TXQ_RESERVE && a->kind <= TXQ_BROADCAST && a->result >= AmpTxqBatchSize)
		st->more = true;
	/* Receipts free room under amplified.txq_max_in_flight: claim again at once. */
	if (a->kind == TXQ_FOLLOW && a->result > 0)
		st->more = true;
}

/* Run a whole cycle; false when a step failed (its error is in the slot). */
static bool
RunCycle(TxqState *st, MemoryContext cxt)
{
	TxqStepKind k;

	for (k = TXQ_RECONCILE; k <= TXQ_WATCH; k++)
	{
		StepArg		a = {st, k, 0};

		if (!WorkerRunGuarded(RunStep, &a, cxt))
		{
			st->reconciled_at = 0;	/* re-read the node's view after a failure */
			return false;
		}
		if (st->stop)
			return true;
	}
	return true;
}

/*
 * The tx worker's kind: one per enabled chain that has signers, as
 * amplified.txq_worker_wanted() (txq.sql) says.
 */
static const WorkerKind TxqWorkerKind = {
	.name = "tx",
	.function = "TxqMain",
	.bgw_type = "amplified tx worker",
	.wanted = "txq_worker_wanted",
};

/* Called from _PG_init: register the tx worker's kind with the launcher. */
void
TxqInit(void)
{
	WorkerRegisterKind(&TxqWorkerKind);
}

/* Entry point of a tx worker (started by the launcher, one per chain with signers). */
void
TxqMain(Datum main_arg)
{
	TxqState	st;
	MemoryContext cxt;
	int			failures = 0;

	WorkerStart(main_arg, TxqWorkerKind.name, TxqWorkerKind.bgw_type);

	memset(&st, 0, sizeof(st));
	st.chain_id = WorkerMyChainId();
	cxt = AllocSetContextCreate(TopMemoryContext, "amplified tx worker", ALLOCSET_DEFAULT_SIZES);

	for (;;)
	{
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
		ResetLatch(MyLatch);
		ok = RunCycle(&st, cxt);
		MemoryContextSwitchTo(TopMemoryContext);
		if (st.stop)
			proc_exit(0);		/* the launcher decides whether we are wanted */
		if (ok)
			WorkerSetState("running", NULL);
		else
			WorkerSetState("error", "the last step failed; retrying with backoff");

		failures = ok ? 0 : failures + 1;
		if (!ok)
			sleep_ms = Min((long) TXQ_MAX_BACKOFF_MS, 250L << Min(failures, 10));
		else if (st.more)
			sleep_ms = 0;
		else
			sleep_ms = AmpTxqPollInterval;
		if (sleep_ms > 0)
			(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
							 sleep_ms, PG_WAIT_EXTENSION);
	}
}
