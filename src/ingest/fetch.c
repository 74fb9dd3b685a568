/*
 * src/ingest/fetch.c
 *
 * What the ingest worker asks a node, and the strict reading of its answers:
 * block headers by number (batched) and logs by range.  Every field is
 * checked for shape (hex of the right length, quantities in range) before it
 * goes near a table, so a hostile or broken node gives a clear error and
 * never a bad row.
 */
#include "postgres.h"

#include "utils/builtins.h"
#include "utils/jsonb.h"

#include "amplified.h"
#include "evm/codec.h"
#include "ingest/ingest.h"

/* Raise the error for a malformed field of a node's answer. */
static void
Malformed(const char *what, const char *field, const char *value)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
			 errmsg("malformed %s from the node: field \"%s\" is %s%s%s", what, field,
					value ? "\"" : "missing", value ? value : "", value ? "\"" : "")));
}

/* True when s is 0x followed by exactly ndigits hex digits (any if ndigits < 0, even count). */
static bool
IsHex(const char *s, int ndigits)
{
	int			n = 0;

	if (s == NULL || s[0] != '0' || (s[1] != 'x' && s[1] != 'X'))
		return false;
	for (s += 2; *s; s++, n++)
		if (!isxdigit((unsigned char) *s))
			return false;
	return ndigits < 0 ? (n % 2 == 0) : n == ndigits;
}

/* True when s is a quantity that fits 256 bits: 0x and 1 to 64 hex digits. */
static bool
IsQuantity(const char *s)
{
	size_t		len = strlen(s);
	size_t		i;

	if (len < 3 || len > 66 || s[0] != '0' || s[1] != 'x')
		return false;
	for (i = 2; i < len; i++)
		if (!isxdigit((unsigned char) s[i]))
			return false;
	return true;
}

/* The value of each hex digit, -1 for any other byte (filled on first use). */
static int8 hexval[256];
static bool hexval_ready = false;

/*
 * Decode ndigits hex digits (even) into out; false on a non-digit.  A table
 * rather than CodecHexDecode(): every log is mostly hex, and this is its
 * inner loop.
 */
static bool
DecodeHex(const char *s, int ndigits, uint8 *out)
{
	int			i;

	if (!hexval_ready)
	{
		for (i = 0; i < 256; i++)
			hexval[i] = (int8) CodecHexDigit((char) i);
		hexval_ready = true;
	}
	for (i = 0; i < ndigits; i += 2)
	{
		int			hi = hexval[(unsigned char) s[i]];
		int			lo = hexval[(unsigned char) s[i + 1]];

		if ((hi | lo) < 0)
			return false;
		out[i / 2] = (uint8) ((hi << 4) | lo);
	}
	return true;
}

/* Decode "0x" and 2 * nbytes hex digits (s, len) into out; false if it is not that. */
static bool
HexToBytes(const char *s, int len, int nbytes, uint8 *out)
{
	return len == 2 + 2 * nbytes && s[0] == '0' && (s[1] == 'x' || s[1] == 'X') &&
		DecodeHex(s + 2, 2 * nbytes, out);
}

/*
 * The string value of key in object node obj (de-escaped, not copied when
 * it had no escapes, not NUL-terminated): false when missing or not a
 * string.
 */
static bool
PeekField(RpcJson *doc, int obj, const char *key, int keylen, const char **s, int *len)
{
	int			v = RpcJsonGet(doc, obj, key, keylen);

	if (v < 0 || doc->nodes[v].type != RPC_JSON_STRING)
		return false;
	*s = RpcJsonString(doc, v, len);
	return true;
}

/* The string value of key in object node obj as a C string, or NULL. */
static char *
GetField(RpcJson *doc, int obj, const char *key)
{
	const char *s;
	int			len;

	if (!PeekField(doc, obj, key, strlen(key), &s, &len))
		return NULL;
	return pnstrdup(s, len);
}

/* A hex field of nbytes bytes into out. */
static void
TakeBytes(RpcJson *doc, int obj, const char *what, const char *key, int nbytes, uint8 *out)
{
	const char *s;
	int			len;

	if (!PeekField(doc, obj, key, strlen(key), &s, &len))
		Malformed(what, key, NULL);
	if (!HexToBytes(s, len, nbytes, out))
		Malformed(what, key, pnstrdup(s, len));
}

/* A hex field of ndigits digits into buf (lowercased). */
static void
TakeHex(RpcJson *doc, int obj, const char *what, const char *key, int ndigits, char *buf)
{
	const char *s;
	int			len;
	int			i;

	if (!PeekField(doc, obj, key, strlen(key), &s, &len))
		Malformed(what, key, NULL);
	if (len != ndigits + 2 || s[0] != '0' || (s[1] != 'x' && s[1] != 'X'))
		Malformed(what, key, pnstrdup(s, len));
	for (i = 0; i < len; i++)
	{
		if (i >= 2 && !isxdigit((unsigned char) s[i]))
			Malformed(what, key, pnstrdup(s, len));
		buf[i] = pg_tolower((unsigned char) s[i]);
	}
	buf[i] = '\0';
}

/* A quantity field as int64 (non-negative, fits). */
static int64
TakeQuantity(RpcJson *doc, int obj, const char *what, const char *key)
{
	const char *s;
	int			len;
	char		buf[80];
	char	   *text;
	uint64		v;

	if (!PeekField(doc, obj, key, strlen(key), &s, &len))
		Malformed(what, key, NULL);
	if (len < (int) sizeof(buf))
	{
		memcpy(buf, s, len);
		buf[len] = '\0';
		text = buf;
	}
	else
		text = pnstrdup(s, len);
	v = RpcParseQuantity(text, key);
	if (v > (uint64) PG_INT64_MAX)
		Malformed(what, key, pstrdup(text));
	return (int64) v;
}

/* Read one block header, node obj of doc. */
static void
TakeBlock(RpcJson *doc, int obj, int64 expect_number, IngestBlock *b)
{
	char	   *fee;

	if (doc->nodes[obj].type != RPC_JSON_OBJECT)
		ereport(ERROR,
				(errcode(ERRCODE_AMP_NODE_BEHIND),
				 errmsg("the node has no block " INT64_FORMAT " yet", expect_number)));
	b->number = TakeQuantity(doc, obj, "block", "number");
	if (b->number != expect_number)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
				 errmsg("malformed block from the node: asked for block " INT64_FORMAT ", got " INT64_FORMAT,
						expect_number, b->number)));
	TakeHex(doc, obj, "block", "hash", 64, b->hash);
	TakeHex(doc, obj, "block", "parentHash", 64, b->parent_hash);
	b->timestamp = TakeQuantity(doc, obj, "block", "timestamp");
	fee = GetField(doc, obj, "baseFeePerGas");
	if (fee != NULL && !IsQuantity(fee))
		Malformed("block", "baseFeePerGas", fee);
	b->base_fee = fee;
}

/* Headers of the n given blocks, in batches of the chain's batch size. */
void
IngestFetchBlockList(RpcTarget *target, const int64 *numbers, int n, IngestBlock *out)
{
	RpcRequest *reqs = palloc0(sizeof(RpcRequest) * Max(n, 1));
	int			i;

	for (i = 0; i < n; i++)
	{
		reqs[i].method = "eth_getBlockByNumber";
		reqs[i].raw = true;
		reqs[i].params = psprintf("[\"0x%" INT64_MODIFIER "x\",false]", numbers[i]);
	}
	RpcBatch(target, reqs, n);
	for (i = 0; i < n; i++)
	{
		if (reqs[i].json_result < 0)
			ereport(ERROR,
					(errcode(ERRCODE_AMP_NODE_ERROR),
					 errmsg("eth_getBlockByNumber(" INT64_FORMAT ") failed: %s",
							numbers[i], reqs[i].error_message)));
		TakeBlock(reqs[i].json, reqs[i].json_result, numbers[i], &out[i]);
	}
}

/* Headers of blocks from..to. */
void
IngestFetchBlocks(RpcTarget *target, int64 from, int64 to, IngestBlock *out)
{
	int			n = (int) (to - from + 1);
	int64	   *numbers = palloc(sizeof(int64) * n);
	int			i;

	for (i = 0; i < n; i++)
		numbers[i] = from + i;
	IngestFetchBlockList(target, numbers, n, out);
}

/* One header. */
IngestBlock *
IngestFetchBlock(RpcTarget *target, int64 number)
{
	IngestBlock *b = palloc0(sizeof(IngestBlock));

	IngestFetchBlockList(target, &number, 1, b);
	return b;
}

/*
 * Logs of the given contracts in blocks from..to.  Returns NULL and the logs,
 * or why the node did not answer (too many results, a range too large, a
 * timeout...): the caller halves the range and asks again.
 */
const char *
IngestFetchLogs(RpcTarget *target, int64 from, int64 to,
				char **addresses, int naddresses, IngestLog **logs, int *nlogs)
{
	StringInfoData params;
	RpcRequest	req;
	RpcJson    *doc;
	const char *why;
	int			i;
	int			n;
	int			obj;

	initStringInfo(&params);
	appendStringInfo(&params, "[{\"fromBlock\":\"0x%" INT64_MODIFIER "x\",\"toBlock\":\"0x%" INT64_MODIFIER "x\",\"address\":[",
					 from, to);
	for (i = 0; i < naddresses; i++)
		appendStringInfo(&params, "%s\"%s\"", i ? "," : "", addresses[i]);
	appendStringInfoString(&params, "]}]");

	memset(&req, 0, sizeof(req));
	req.method = "eth_getLogs";
	req.params = params.data;
	req.raw = true;
	why = RpcTry(target, &req);
	if (why != NULL)
		return why;
	if (req.json_result < 0)
		return psprintf("eth_getLogs error %d: %s", req.error_code, req.error_message);
	doc = req.json;
	if (doc->nodes[req.json_result].type != RPC_JSON_ARRAY)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
				 errmsg("malformed eth_getLogs answer from the node: not an array")));

	n = RpcJsonCount(doc, req.json_result);
	*logs = palloc0(sizeof(IngestLog) * Max(n, 1));
	*nlogs = n;
	for (i = 0, obj = req.json_result + 1; i < n; i++, obj = doc->nodes[obj].next)
	{
		IngestLog  *l = &(*logs)[i];
		int			rv;
		int			tv;
		int			tp;
		int			t;

		if (doc->nodes[obj].type != RPC_JSON_OBJECT)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
					 errmsg("malformed eth_getLogs answer from the node: entry %d is not an object", i)));
		if ((rv = RpcJsonGet(doc, obj, "removed", 7)) >= 0 && doc->nodes[rv].type == RPC_JSON_TRUE)
			ereport(ERROR,
					(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
					 errmsg("the node returned a removed log: a reorg is under way")));
		l->block_number = TakeQuantity(doc, obj, "log", "blockNumber");
		if (l->block_number < from || l->block_number > to)
			Malformed("log", "blockNumber", GetField(doc, obj, "blockNumber"));
		TakeHex(doc, obj, "log", "blockHash", 64, l->block_hash);
		TakeBytes(doc, obj, "log", "transactionHash", 32, l->tx_hash);
		l->tx_index = (int32) Min(TakeQuantity(doc, obj, "log", "transactionIndex"), PG_INT32_MAX);
		l->log_index = (int32) Min(TakeQuantity(doc, obj, "log", "logIndex"), PG_INT32_MAX);
		TakeBytes(doc, obj, "log", "address", 20, l->address);
		{
			const char *s;
			int			len;

			if (!PeekField(doc, obj, "data", 4, &s, &len))
				Malformed("log", "data", NULL);
			if (len < 2 || len % 2 != 0 || s[0] != '0' || (s[1] != 'x' && s[1] != 'X'))
				Malformed("log", "data", pnstrdup(s, len));
			l->data = palloc(VARHDRSZ + (len - 2) / 2);
			SET_VARSIZE(l->data, VARHDRSZ + (len - 2) / 2);
			if (!DecodeHex(s + 2, len - 2, (uint8 *) VARDATA(l->data)))
				Malformed("log", "data", pnstrdup(s, len));
		}
		if ((tv = RpcJsonGet(doc, obj, "topics", 6)) < 0 ||
			doc->nodes[tv].type != RPC_JSON_ARRAY ||
			(l->ntopics = RpcJsonCount(doc, tv)) > 4)
			Malformed("log", "topics", NULL);
		for (t = 0, tp = tv + 1; t < l->ntopics; t++, tp = doc->nodes[tp].next)
		{
			const char *s;
			int			len;

			if (doc->nodes[tp].type != RPC_JSON_STRING)
				Malformed("log", "topics", NULL);
			s = RpcJsonString(doc, tp, &len);
			if (!HexToBytes(s, len, 32, l->topics[t]))
				Malformed("log", "topics", pnstrdup(s, len));
		}
	}
	return NULL;
}

/*
 * eth_call for each read, pinned to its block by hash (EIP-1898), in
 * batches.  A call that reverts gets its error; an answer that is not hex
 * is the node's fault and an error.
 */
void
IngestFetchReads(RpcTarget *target, IngestRead *reads, int n)
{
	RpcRequest *reqs = palloc0(sizeof(RpcRequest) * Max(n, 1));
	int			i;

	for (i = 0; i < n; i++)
	{
		reqs[i].method = "eth_call";
		reqs[i].params = psprintf("[{\"to\":\"%s\",\"data\":\"%s\"},{\"blockHash\":\"%s\"}]",
								  reads[i].address, reads[i].calldata, reads[i].block_hash);
	}
	RpcBatch(target, reqs, n);
	for (i = 0; i < n; i++)
	{
		if (reqs[i].result == NULL)
		{
			reads[i].result = NULL;
			reads[i].error = psprintf("%d: %s", reqs[i].error_code, reqs[i].error_message);
			continue;
		}
		{
			char	   *s = RpcResultString(reqs[i].result);

			if (!IsHex(s, -1))
				Malformed("eth_call answer", "result", s);
			reads[i].result = s;
			reads[i].error = NULL;
		}
	}
}
