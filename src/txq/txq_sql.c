/*
 * src/txq/txq_sql.c
 *
 * The SQL face of the signing half of the queue (declared in
 * src/txq/txq_sign.sql): decode a signed transaction, compute a signing
 * hash, sign with a configured signer, and check that a signer is usable.
 * Thin fmgr wrappers over tx_codec.c, secp.c and signer.c.
 */
#include "postgres.h"

#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"

#include "txq/txq.h"

PG_FUNCTION_INFO_V1(txq_decode_transaction);
PG_FUNCTION_INFO_V1(txq_signing_hash);
PG_FUNCTION_INFO_V1(txq_sign_transaction);
PG_FUNCTION_INFO_V1(txq_check_signer);

/* txq_decode_transaction(raw bytea) -> jsonb: the fields, from (recovered), hash, signature. */
Datum
txq_decode_transaction(PG_FUNCTION_ARGS)
{
	bytea	   *raw = PG_GETARG_BYTEA_PP(0);
	TxqTx		tx;
	TxqSigned	out;
	uint8		r[32];
	uint8		s[32];
	int			recid;
	char		err[256];

	if (!TxqRecoverSender((uint8 *) VARDATA_ANY(raw), VARSIZE_ANY_EXHDR(raw), &tx, &out,
						  err, sizeof(err)))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid signed transaction: %s", err)));
	/* Decoded once more for r, s and the recovery id (cheap, and keeps the API small). */
	if (!TxqDecodeSigned((uint8 *) VARDATA(out.raw), VARSIZE(out.raw) - VARHDRSZ, &tx, r, s, &recid,
						 err, sizeof(err)))
		elog(ERROR, "amplified txq: a transaction decoded once does not decode again: %s", err);
	PG_RETURN_JSONB_P(TxqSignedToJsonb(&tx, out.from, out.hash, r, s, recid));
}

/* txq_signing_hash(tx jsonb) -> bytes32: the hash a signer signs for tx. */
Datum
txq_signing_hash(PG_FUNCTION_ARGS)
{
	Jsonb	   *j = PG_GETARG_JSONB_P(0);
	TxqTx		tx;
	uint8		h[32];

	TxqTxFromJsonb(j, &tx);
	TxqSigningHash(&tx, h);
	PG_RETURN_BYTES32_P(Bytes32FromRaw(h));
}

/* The signer of address on chain_id, or an error naming what is missing. */
static void
LoadSigner(int64 chain_id, const Address *address, TxqSigner *signer)
{
	if (!TxqSignerLoad(chain_id, address->b, signer))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("no signer for %s on chain " INT64_FORMAT, TxqAddressText(address->b), chain_id),
				 errhint("Add one with amplified.add_signer().")));
}

/*
 * txq_sign_transaction(chain_id, signer, tx jsonb) -> bytea: tx signed by the
 * configured signer.  The chain id and from are checked before anything is
 * signed.
 */
Datum
txq_sign_transaction(PG_FUNCTION_ARGS)
{
	int64		chain_id = PG_GETARG_INT64(0);
	Address    *address = PG_GETARG_ADDRESS_P(1);
	Jsonb	   *j = PG_GETARG_JSONB_P(2);
	TxqTx		tx;
	TxqSigner	signer;
	TxqSigned	out;
	JsonbValue	v;

	TxqTxFromJsonb(j, &tx);
	if (chain_id <= 0 || tx.chain_id != (uint64) chain_id)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("transaction chainId " UINT64_FORMAT " does not match chain " INT64_FORMAT,
						tx.chain_id, chain_id),
				 errdetail("Nothing was signed.")));
	if (getKeyJsonValueFromContainer(&j->root, "from", 4, &v) != NULL)
	{
		uint8		from[20];

		/* TxqTxFromJsonb has checked that from is an address. */
		(void) AddressParse(v.val.string.val, v.val.string.len, from);
		if (memcmp(from, address->b, 20) != 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("transaction from %s is not the signer %s", TxqAddressText(from),
							TxqAddressText(address->b)),
					 errdetail("Nothing was signed.")));
	}
	LoadSigner(chain_id, address, &signer);
	TxqSignerSign(&signer, &tx, &out);
	PG_RETURN_BYTEA_P(out.raw);
}

/* txq_check_signer(chain_id, address) -> text: 'ok', or the error that signing would meet. */
Datum
txq_check_signer(PG_FUNCTION_ARGS)
{
	int64		chain_id = PG_GETARG_INT64(0);
	Address    *address = PG_GETARG_ADDRESS_P(1);
	TxqSigner	signer;

	LoadSigner(chain_id, address, &signer);
	TxqSignerCheck(&signer);
	PG_RETURN_TEXT_P(cstring_to_text("ok"));
}
