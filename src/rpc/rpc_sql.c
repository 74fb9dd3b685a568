/*
 * src/rpc/rpc_sql.c
 *
 * The JSON-RPC client as SQL: rpc_call() and rpc_batch() reach only the
 * endpoints configured for a chain in amplified.chains, and only with
 * the standard read-only methods listed here; eth_block_number() and
 * eth_chain_id() are the conveniences that need C.  (eth_call and
 * eth_get_balance are SQL over rpc_call, in rpc.sql.)
 */
#include "postgres.h"

#include "fmgr.h"
#include "funcapi.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"

#include "amplified.h"
#include "rpc/rpc.h"

PG_FUNCTION_INFO_V1(rpc_call);
PG_FUNCTION_INFO_V1(rpc_batch);
PG_FUNCTION_INFO_V1(eth_block_number);
PG_FUNCTION_INFO_V1(eth_chain_id);

/*
 * The methods rpc_call and rpc_batch send: standard methods that only read
 * chain state (no signing, no sending, no node administration, no
 * filters that hold state on the node, no debug or vendor namespaces).
 * Anything else is refused whatever the role; transactions go through the
 * queue.  Listed in docs/rpc.md.
 */
static const char *const read_only_methods[] = {
	"eth_blockNumber", "eth_chainId", "eth_syncing",
	"eth_gasPrice", "eth_maxPriorityFeePerGas", "eth_feeHistory", "eth_blobBaseFee",
	"eth_getBalance", "eth_getCode", "eth_getStorageAt", "eth_getTransactionCount", "eth_getProof",
	"eth_call", "eth_estimateGas", "eth_createAccessList",
	"eth_getBlockByNumber", "eth_getBlockByHash", "eth_getBlockReceipts",
	"eth_getBlockTransactionCountByNumber", "eth_getBlockTransactionCountByHash",
	"eth_getUncleCountByBlockNumber", "eth_getUncleCountByBlockHash",
	"eth_getTransactionByHash", "eth_getTransactionByBlockNumberAndIndex",
	"eth_getTransactionByBlockHashAndIndex", "eth_getTransactionReceipt",
	"eth_getLogs",
	"net_version", "net_listening", "net_peerCount",
	"web3_clientVersion", "web3_sha3",
};

/* rpc_call's method: a JSON-RPC name, and one of the read-only methods above. */
static void
CheckReadOnlyMethod(const char *method)
{
	const char *p;
	size_t		i;

	if (method[0] == '\0' || strlen(method) > 64)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid JSON-RPC method name: \"%s\"", method)));
	for (p = method; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
			  (*p >= '0' && *p <= '9') || *p == '_'))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("invalid JSON-RPC method name: \"%s\"", method)));
	/* Exact, case included: nodes match method names exactly. */
	for (i = 0; i < lengthof(read_only_methods); i++)
		if (strcmp(method, read_only_methods[i]) == 0)
			return;
	ereport(ERROR,
			(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
			 errmsg("JSON-RPC method \"%s\" is not allowed", method),
			 errdetail("rpc_call and rpc_batch send only standard methods that read chain state."),
			 errhint("The methods are listed in docs/rpc.md; transactions go through the transaction queue.")));
}

/* amplified.rpc_call(chain_id, method, params): the "result" of one read-only call. */
Datum
rpc_call(PG_FUNCTION_ARGS)
{
	int64		chain_id = PG_GETARG_INT64(0);
	char	   *method = text_to_cstring(PG_GETARG_TEXT_PP(1));
	Jsonb	   *params = PG_GETARG_JSONB_P(2);
	RpcTarget	target;

	CheckReadOnlyMethod(method);
	if (!JB_ROOT_IS_ARRAY(params) || JB_ROOT_IS_SCALAR(params))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("JSON-RPC params must be a JSON array")));
	RpcLoadTarget(chain_id, &target);
	PG_RETURN_JSONB_P(RpcCall(&target, method,
							  JsonbToCString(NULL, &params->root, VARSIZE(params))));
}

/*
 * amplified.rpc_batch(chain_id, calls): read-only calls sent in batches of
 * the chain's batch_size; one row per call, in the order given, with its
 * result or its JSON-RPC error.
 */
Datum
rpc_batch(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	int64		chain_id = PG_GETARG_INT64(0);
	Jsonb	   *calls = PG_GETARG_JSONB_P(1);
	RpcTarget	target;
	RpcRequest *reqs;
	int			n;
	int			i;

	if (!JB_ROOT_IS_ARRAY(calls) || JB_ROOT_IS_SCALAR(calls))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("rpc_batch calls must be a JSON array of {\"method\": ..., \"params\": [...]} objects")));
	n = JB_ROOT_COUNT(calls);
	reqs = palloc0(sizeof(RpcRequest) * Max(n, 1));
	for (i = 0; i < n; i++)
	{
		JsonbValue *el = getIthJsonbValueFromContainer(&calls->root, i);
		JsonbValue	mv,
					pv;
		JsonbValue *m,
				   *p;

		if (el == NULL || el->type != jbvBinary || !JsonContainerIsObject(el->val.binary.data))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("rpc_batch call %d is not a JSON object", i + 1)));
		m = getKeyJsonValueFromContainer(el->val.binary.data, "method", 6, &mv);
		if (m == NULL || m->type != jbvString)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("rpc_batch call %d has no \"method\" string", i + 1)));
		reqs[i].method = pnstrdup(m->val.string.val, m->val.string.len);
		CheckReadOnlyMethod(reqs[i].method);
		p = getKeyJsonValueFromContainer(el->val.binary.data, "params", 6, &pv);
		if (p != NULL && p->type != jbvNull)
		{
			if (p->type != jbvBinary || !JsonContainerIsArray(p->val.binary.data))
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("rpc_batch call %d: \"params\" must be a JSON array", i + 1)));
			reqs[i].params = JsonbToCString(NULL, p->val.binary.data, p->val.binary.len);
		}
	}

	InitMaterializedSRF(fcinfo, 0);
	if (n == 0)
		return (Datum) 0;
	RpcLoadTarget(chain_id, &target);
	RpcBatch(&target, reqs, n);

	for (i = 0; i < n; i++)
	{
		Datum		values[4];
		bool		nulls[4] = {false, false, false, false};

		values[0] = Int32GetDatum(i + 1);
		if (reqs[i].result != NULL)
		{
			values[1] = JsonbPGetDatum(reqs[i].result);
			nulls[2] = nulls[3] = true;
		}
		else
		{
			nulls[1] = true;
			values[2] = Int32GetDatum(reqs[i].error_code);
			values[3] = CStringGetTextDatum(reqs[i].error_message);
		}
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}

/* The string result of a call, or an error naming the method. */
static char *
CallForString(int64 chain_id, const char *method)
{
	RpcTarget	target;
	char	   *s;

	RpcLoadTarget(chain_id, &target);
	s = RpcResultString(RpcCall(&target, method, NULL));
	if (s == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
				 errmsg("%s returned a result that is not a string", method)));
	return s;
}

/* amplified.eth_block_number(chain_id): the node's latest block number. */
Datum
eth_block_number(PG_FUNCTION_ARGS)
{
	uint64		n = RpcParseQuantity(CallForString(PG_GETARG_INT64(0), "eth_blockNumber"),
									 "eth_blockNumber");

	if (n > (uint64) PG_INT64_MAX)
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("block number " UINT64_FORMAT " is out of range for bigint", n)));
	PG_RETURN_INT64((int64) n);
}

/* amplified.eth_chain_id(chain_id): the chain id the node reports (checked on use). */
Datum
eth_chain_id(PG_FUNCTION_ARGS)
{
	uint64		n = RpcParseQuantity(CallForString(PG_GETARG_INT64(0), "eth_chainId"),
									 "eth_chainId");

	PG_RETURN_INT64((int64) n);
}
