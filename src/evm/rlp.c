/*
 * src/evm/rlp.c
 *
 * SQL functions of RLP: rlp_encode(jsonb) and rlp_decode(bytea).  A byte
 * string is a "0x" hex string in JSON, a list is an array; nothing else is
 * accepted (not plain text, numbers or objects), so every JSON value maps to
 * exactly one encoding and back.  The codec is rlp_codec.c.
 */
#include "postgres.h"

#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"

#include "compat.h"
#include "evm/evm.h"

PG_FUNCTION_INFO_V1(rlp_encode);
PG_FUNCTION_INFO_V1(rlp_decode);

/* rlp_encode(value): the RLP encoding of a JSON tree of hex strings and arrays. */
Datum
rlp_encode(PG_FUNCTION_ARGS)
{
	CodecJson  *v = CodecJsonFromJsonb(PG_GETARG_JSONB_P(0));
	CodecBuf	buf;
	CodecError	err;

	CodecBufInit(&buf, CodecPgMem());
	if (!RlpEncode(v, &buf, &err))
		CodecPgError(&err);
	PG_RETURN_BYTEA_P(CodecBufToBytea(&buf));
}

/* rlp_decode(data): the JSON tree of one canonical RLP item. */
Datum
rlp_decode(PG_FUNCTION_ARGS)
{
	bytea	   *data = PG_GETARG_BYTEA_PP(0);
	CodecJson	out;
	CodecError	err;

	if (!RlpDecode((const uint8 *) VARDATA_ANY(data), VARSIZE_ANY_EXHDR(data), CodecPgMem(),
				   &out, &err))
		CodecPgError(&err);
	PG_RETURN_JSONB_P(CodecJsonToJsonb(&out));
}
