/*
 * src/txq/signer.c
 *
 * The signer back-ends behind one call, TxqSignerSign():
 *   key_file  the key is loaded from its file (keys.c), used once and wiped;
 *   external  eth_signTransaction on the signer's own JSON-RPC URL (clef,
 *             web3signer, ...);
 *   node      eth_signTransaction on the chain's own endpoints, for the
 *             node's unlocked accounts on development chains.  We ask the
 *             node to sign, not to send (eth_sendTransaction), so that the
 *             worker can persist the raw bytes before anything is broadcast.
 * Whatever a remote signer returns (a raw hex string, as anvil does, or an
 * object with "raw", as geth and clef do) is decoded and its sender
 * recovered; it is refused unless the sender is the signer's address and
 * every field is exactly what was asked: a remote signer may not alter a
 * transaction.  An external signer gets amplified.signer_timeout per request
 * and no retries: the tx worker backs a failing signer off instead, so that
 * one broken signer does not hold up the others on its chain.
 * TxqSignerLoad() reads a signer from amplified.signers.
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"

#include "amplified.h"
#include "txq/txq.h"

/* The JSON-RPC target of a remote signer: its own URL, or the chain's endpoints. */
static RpcTarget *
SignerTarget(TxqSigner *signer)
{
	if (strcmp(signer->kind, "external") == 0)
	{
		RpcTarget  *t = palloc0(sizeof(RpcTarget));

		if (signer->url == NULL)
			ereport(ERROR,
					(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
					 errmsg("external signer %s on chain " INT64_FORMAT " has no url",
							TxqAddressText(signer->address), signer->chain_id)));
		t->chain_id = signer->chain_id;
		t->nurls = 1;
		t->urls = palloc(sizeof(char *));
		t->urls[0] = signer->url;
		t->batch_size = 1;
		t->timeout_ms = AmpSignerTimeout;
		return t;
	}
	if (signer->chain_target == NULL)
	{
		/*
		 * Not cached in signer: the caller may keep signer across memory
		 * contexts; one query on amplified.chains is cheap next to signing.
		 */
		RpcTarget  *t = palloc0(sizeof(RpcTarget));

		RpcLoadTarget(signer->chain_id, t);
		return t;
	}
	return signer->chain_target;
}

/* The raw bytes in an eth_signTransaction result: "0x..." or {"raw": "0x...", ...}. */
static void
ResultRaw(Jsonb *res, const char *who, uint8 **raw, size_t *len)
{
	JsonbValue	v;
	JsonbValue *s = NULL;

	if (JB_ROOT_IS_SCALAR(res))
		s = getIthJsonbValueFromContainer(&res->root, 0);
	else if (JB_ROOT_IS_OBJECT(res))
		s = getKeyJsonValueFromContainer(&res->root, "raw", 3, &v);
	if (s == NULL || s->type != jbvString ||
		!CodecHexString(s->val.string.val, s->val.string.len, CodecPgMem(), raw, len))
		ereport(ERROR,
				(errcode(ERRCODE_AMP_NODE_ERROR),
				 errmsg("%s returned no signed transaction", who),
				 errdetail("eth_signTransaction must return the raw transaction as a 0x hex string, "
						   "or an object whose \"raw\" member is one.")));
}

/*
 * One call to a remote signer.  An external signer that does not answer is
 * named in the error, with why; a JSON-RPC error answer is raised as such.
 */
static Jsonb *
RemoteCall(TxqSigner *signer, RpcTarget *target, const char *who, const char *method,
		   const char *params)
{
	RpcRequest	req;
	const char *why;

	if (strcmp(signer->kind, "external") != 0)
		return RpcCall(target, method, params);
	memset(&req, 0, sizeof(req));
	req.method = method;
	req.params = params;
	why = RpcTry(target, &req);
	if (why != NULL)
		ereport(ERROR,
				(errcode(ERRCODE_AMP_NODE_UNAVAILABLE),
				 errmsg("%s gave no answer to %s: %s", who, method, why),
				 errhint("Check the signer's url in amplified.signers and amplified.signer_timeout.")));
	if (req.result == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_AMP_NODE_ERROR),
				 errmsg("%s refused %s: JSON-RPC error %d: %s", who, method, req.error_code,
						req.error_message ? req.error_message : "(no message)")));
	return req.result;
}

/* Sign with a remote signer (external, node) and check what comes back. */
static void
SignRemote(TxqSigner *signer, const TxqTx *tx, TxqSigned *out)
{
	RpcTarget  *target = SignerTarget(signer);
	const char *who = strcmp(signer->kind, "external") == 0 ? "the external signer" : "the node";
	char	   *params;
	Jsonb	   *res;
	uint8	   *raw;
	size_t		len;
	TxqTx		back;
	char		err[256];
	const char *field;

	params = psprintf("[%s]", TxqTxToRpcJson(tx, signer->address));
	res = RemoteCall(signer, target, who, "eth_signTransaction", params);
	ResultRaw(res, who, &raw, &len);
	if (!TxqRecoverSender(raw, len, &back, out, err, sizeof(err)))
		ereport(ERROR,
				(errcode(ERRCODE_AMP_NODE_ERROR),
				 errmsg("%s returned an invalid signed transaction: %s", who, err)));
	if (memcmp(out->from, signer->address, 20) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_AMP_NODE_ERROR),
				 errmsg("%s signed as %s, not as %s", who, TxqAddressText(out->from),
						TxqAddressText(signer->address))));
	if (!TxqTxEqual(tx, &back, &field))
		ereport(ERROR,
				(errcode(ERRCODE_AMP_NODE_ERROR),
				 errmsg("%s altered the transaction: its %s differs from the one asked for", who, field),
				 errdetail("A signer must sign the transaction exactly as given; nothing was sent.")));
}

/*
 * Sign tx with signer: out gets the raw signed bytes, their hash and the
 * recovered sender (always the signer's address).  The chain id is checked
 * first: nothing is signed for another chain.
 */
void
TxqSignerSign(TxqSigner *signer, const TxqTx *tx, TxqSigned *out)
{
	if (tx->chain_id != (uint64) signer->chain_id)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("transaction chain id " UINT64_FORMAT " does not match the signer's chain " INT64_FORMAT,
						tx->chain_id, signer->chain_id),
				 errdetail("Nothing was signed.")));

	if (strcmp(signer->kind, "key_file") == 0)
	{
		uint8		key[32];

		PG_TRY();
		{
			TxqLoadKeyFile(signer->address, key);
			TxqSignWithKey(tx, key, out);
		}
		PG_FINALLY();
		{
			TxqWipe(key, sizeof(key));
		}
		PG_END_TRY();
		if (memcmp(out->from, signer->address, 20) != 0)
			elog(ERROR, "amplified txq: a key file signature recovers another address");
	}
	else if (strcmp(signer->kind, "external") == 0 || strcmp(signer->kind, "node") == 0)
		SignRemote(signer, tx, out);
	else
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid signer kind: \"%s\"", signer->kind)));
}

/*
 * Check that a signer could sign, without signing anything: a key file is
 * present, safe and holds the address's key (the key is wiped at once); a
 * remote signer answers and lists the address in eth_accounts.  Raises the
 * precise error otherwise.
 */
void
TxqSignerCheck(TxqSigner *signer)
{
	if (strcmp(signer->kind, "key_file") == 0)
	{
		uint8		key[32];

		PG_TRY();
		{
			TxqLoadKeyFile(signer->address, key);
		}
		PG_FINALLY();
		{
			TxqWipe(key, sizeof(key));
		}
		PG_END_TRY();
	}
	else
	{
		RpcTarget  *target = SignerTarget(signer);
		const char *who = strcmp(signer->kind, "external") == 0 ? "the external signer" : "the node";
		Jsonb	   *res = RemoteCall(signer, target, who, "eth_accounts", NULL);
		bool		found = false;
		int			i;
		int			n;

		if (!JB_ROOT_IS_ARRAY(res) || JB_ROOT_IS_SCALAR(res))
			ereport(ERROR,
					(errcode(ERRCODE_AMP_NODE_ERROR),
					 errmsg("eth_accounts of %s did not return an array", who)));
		n = JB_ROOT_COUNT(res);
		for (i = 0; i < n && !found; i++)
		{
			JsonbValue *v = getIthJsonbValueFromContainer(&res->root, i);
			uint8		a[20];

			if (v != NULL && v->type == jbvString &&
				AddressParse(v->val.string.val, v->val.string.len, a) == ADDRESS_PARSE_OK &&
				memcmp(a, signer->address, 20) == 0)
				found = true;
		}
		if (!found)
			ereport(ERROR,
					(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
					 errmsg("%s does not hold an account for %s", who, TxqAddressText(signer->address)),
					 errdetail("eth_accounts lists %d accounts, none of them this address.", n)));
	}
}

/*
 * Load the signer of address on chain_id from amplified.signers into s
 * (strings in CurrentMemoryContext; chain_target left NULL: a node signer
 * then reads the chain's endpoints each time it signs, unless the caller
 * sets it).  False when there is no such signer.
 */
bool
TxqSignerLoad(int64 chain_id, const uint8 address[20], TxqSigner *s)
{
	MemoryContext caller = CurrentMemoryContext;
	Oid			argtypes[2] = {INT8OID, TEXTOID};
	Datum		values[2];
	char		hex[ADDRESS_TEXT_LEN + 1];
	bool		found;

	memset(s, 0, sizeof(*s));
	hex[0] = '0';
	hex[1] = 'x';
	CodecHexEncode(address, 20, hex + 2);
	hex[ADDRESS_TEXT_LEN] = '\0';
	values[0] = Int64GetDatum(chain_id);
	values[1] = CStringGetTextDatum(hex);

	SPI_connect();
	if (SPI_execute_with_args("SELECT kind, url, tx_type, paused FROM amplified.signers "
							  "WHERE chain_id = $1 AND address OPERATOR(amplified.=) $2::text::amplified.address",
							  2, argtypes, values, NULL, true, 1) != SPI_OK_SELECT)
		elog(ERROR, "amplified txq: could not read amplified.signers");
	found = SPI_processed > 0;
	if (found)
	{
		HeapTuple	tup = SPI_tuptable->vals[0];
		TupleDesc	desc = SPI_tuptable->tupdesc;
		bool		isnull;
		bool		url_null;
		char	   *kind = SPI_getvalue(tup, desc, 1);
		Datum		url = SPI_getbinval(tup, desc, 2, &url_null);
		MemoryContext spi;

		s->chain_id = chain_id;
		memcpy(s->address, address, 20);
		strlcpy(s->kind, kind, sizeof(s->kind));
		s->tx_type = DatumGetInt16(SPI_getbinval(tup, desc, 3, &isnull));
		s->paused = DatumGetBool(SPI_getbinval(tup, desc, 4, &isnull));
		/* The URL must outlive SPI: copy it to the caller's context. */
		spi = MemoryContextSwitchTo(caller);
		s->url = url_null ? NULL : TextDatumGetCString(url);
		MemoryContextSwitchTo(spi);
	}
	SPI_finish();
	return found;
}
