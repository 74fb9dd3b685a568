/*
 * src/evm/hashing.c
 *
 * SQL functions over keccak-256: keccak256 of bytes or of text (hashed as
 * UTF-8, whatever the server encoding), a function's 4-byte selector and an
 * event's topic 0.  Signatures are normalised first (see abi_codec.c): names,
 * spaces, "indexed" and data locations are dropped and type aliases
 * (uint, int) spelled canonically, so 'transfer(address to, uint amount)'
 * hashes like 'transfer(address,uint256)'.
 */
#include "postgres.h"

#include "fmgr.h"
#include "mb/pg_wchar.h"
#include "utils/builtins.h"

#include "compat.h"
#include "evm/evm.h"

PG_FUNCTION_INFO_V1(keccak256_bytea);
PG_FUNCTION_INFO_V1(keccak256_text);
PG_FUNCTION_INFO_V1(abi_selector);
PG_FUNCTION_INFO_V1(abi_event_topic);
PG_FUNCTION_INFO_V1(abi_signature);
PG_FUNCTION_INFO_V1(abi_event_signature);

/* keccak256(bytea): the hash of the bytes. */
Datum
keccak256_bytea(PG_FUNCTION_ARGS)
{
	bytea	   *b = PG_GETARG_BYTEA_PP(0);
	Bytes32    *r = palloc(sizeof(Bytes32));

	Keccak256((const uint8 *) VARDATA_ANY(b), VARSIZE_ANY_EXHDR(b), r->b);
	PG_RETURN_BYTES32_P(r);
}

/* keccak256(text): the hash of the text's UTF-8 bytes. */
Datum
keccak256_text(PG_FUNCTION_ARGS)
{
	text	   *t = PG_GETARG_TEXT_PP(0);
	int			len = VARSIZE_ANY_EXHDR(t);
	char	   *s = pg_server_to_any(VARDATA_ANY(t), len, PG_UTF8);
	Bytes32    *r = palloc(sizeof(Bytes32));

	if (s != VARDATA_ANY(t))
		len = strlen(s);
	Keccak256((const uint8 *) s, len, r->b);
	PG_RETURN_BYTES32_P(r);
}

/* Parse a signature in the given mode, raising its error. */
static void
ParseSignature(text *sig, AbiParseMode mode, AbiSignature *out)
{
	CodecError	err;

	if (!AbiParseSignature(VARDATA_ANY(sig), VARSIZE_ANY_EXHDR(sig), mode, CodecPgMem(), out, &err))
		CodecPgError(&err);
}

/* selector(signature): the first 4 bytes of keccak-256 of the canonical signature. */
Datum
abi_selector(PG_FUNCTION_ARGS)
{
	AbiSignature sig;
	uint8		hash[32];
	bytea	   *r = palloc(VARHDRSZ + 4);

	ParseSignature(PG_GETARG_TEXT_PP(0), ABI_MODE_FUNCTION, &sig);
	Keccak256((const uint8 *) sig.canonical, strlen(sig.canonical), hash);
	SET_VARSIZE(r, VARHDRSZ + 4);
	memcpy(VARDATA(r), hash, 4);
	PG_RETURN_BYTEA_P(r);
}

/* event_topic(signature): keccak-256 of the canonical event signature (topic 0). */
Datum
abi_event_topic(PG_FUNCTION_ARGS)
{
	AbiSignature sig;
	Bytes32    *r = palloc(sizeof(Bytes32));

	ParseSignature(PG_GETARG_TEXT_PP(0), ABI_MODE_EVENT, &sig);
	Keccak256((const uint8 *) sig.canonical, strlen(sig.canonical), r->b);
	PG_RETURN_BYTES32_P(r);
}

/* abi_signature(signature): the canonical function signature that selector() hashes. */
Datum
abi_signature(PG_FUNCTION_ARGS)
{
	AbiSignature sig;

	ParseSignature(PG_GETARG_TEXT_PP(0), ABI_MODE_FUNCTION, &sig);
	PG_RETURN_TEXT_P(cstring_to_text(sig.canonical));
}

/* abi_event_signature(signature): the canonical event signature that event_topic() hashes. */
Datum
abi_event_signature(PG_FUNCTION_ARGS)
{
	AbiSignature sig;

	ParseSignature(PG_GETARG_TEXT_PP(0), ABI_MODE_EVENT, &sig);
	PG_RETURN_TEXT_P(cstring_to_text(sig.canonical));
}
