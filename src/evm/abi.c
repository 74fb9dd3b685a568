/*
 * src/evm/abi.c
 *
 * SQL functions of the Solidity ABI: abi_encode and abi_decode over a type
 * list, abi_encode_call (selector + arguments) and abi_decode_log (an event
 * log from its topics and data).  Values are jsonb in the shape the issue
 * fixes: one array element per type, integers as decimal strings on output
 * (decimal or 0x hex strings, or integral numbers, on input), addresses
 * checksummed, bytes as 0x hex, tuples and arrays as arrays.  The codec
 * itself is abi_codec.c; this file converts arguments and raises errors.
 */
#include "postgres.h"

#include "catalog/pg_type_d.h"
#include "fmgr.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"

#include "compat.h"
#include "evm/evm.h"

PG_FUNCTION_INFO_V1(abi_encode);
PG_FUNCTION_INFO_V1(abi_decode);
PG_FUNCTION_INFO_V1(abi_encode_call);
PG_FUNCTION_INFO_V1(abi_decode_log);

/* The parameter tuple of a type list, or an error. */
static AbiType *
ParseTypes(text *types)
{
	AbiType    *t;
	CodecError	err;

	if (!AbiParseTypes(VARDATA_ANY(types), VARSIZE_ANY_EXHDR(types), CodecPgMem(), &t, &err))
		CodecPgError(&err);
	return t;
}

/* Encode args for tuple, after prefix bytes (a selector, or nothing). */
static bytea *
Encode(const AbiType *tuple, Jsonb *args, const uint8 *prefix, size_t prefixlen)
{
	CodecBuf	buf;
	CodecError	err;
	CodecJson  *v = CodecJsonFromJsonb(args);

	CodecBufInit(&buf, CodecPgMem());
	if (!CodecBufAppend(&buf, prefix, prefixlen, &err) || !AbiEncode(tuple, v, &buf, &err))
		CodecPgError(&err);
	return CodecBufToBytea(&buf);
}

/* abi_encode(types, args): the ABI encoding of the values in args. */
Datum
abi_encode(PG_FUNCTION_ARGS)
{
	AbiType    *t = ParseTypes(PG_GETARG_TEXT_PP(0));

	PG_RETURN_BYTEA_P(Encode(t, PG_GETARG_JSONB_P(1), NULL, 0));
}

/* abi_decode(types, data): the values encoded in data, as a JSON array. */
Datum
abi_decode(PG_FUNCTION_ARGS)
{
	AbiType    *t = ParseTypes(PG_GETARG_TEXT_PP(0));
	bytea	   *data = PG_GETARG_BYTEA_PP(1);
	CodecJson	out;
	CodecError	err;

	if (!AbiDecode(t, (const uint8 *) VARDATA_ANY(data), VARSIZE_ANY_EXHDR(data),
				   CodecPgMem(), &out, &err))
		CodecPgError(&err);
	PG_RETURN_JSONB_P(CodecJsonToJsonb(&out));
}

/* abi_encode_call(signature, args): the 4-byte selector, then the encoded arguments. */
Datum
abi_encode_call(PG_FUNCTION_ARGS)
{
	text	   *s = PG_GETARG_TEXT_PP(0);
	AbiSignature sig;
	CodecError	err;
	uint8		hash[32];

	if (!AbiParseSignature(VARDATA_ANY(s), VARSIZE_ANY_EXHDR(s), ABI_MODE_FUNCTION,
						   CodecPgMem(), &sig, &err))
		CodecPgError(&err);
	Keccak256((const uint8 *) sig.canonical, strlen(sig.canonical), hash);
	PG_RETURN_BYTEA_P(Encode(sig.params, PG_GETARG_JSONB_P(1), hash, 4));
}

/*
 * abi_decode_log(event_signature, topics, data): the event's parameters in
 * declaration order.  Unless the event is declared anonymous, topics[1] must
 * be the event's topic; indexed parameters come from the following topics
 * (as their topic hash when their type is not a value type), the others
 * from data.
 */
Datum
abi_decode_log(PG_FUNCTION_ARGS)
{
	text	   *s = PG_GETARG_TEXT_PP(0);
	ArrayType  *topics = PG_GETARG_ARRAYTYPE_P(1);
	bytea	   *data = PG_GETARG_BYTEA_PP(2);
	AbiSignature sig;
	CodecError	err;
	Datum	   *elems;
	bool	   *nulls;
	int			ntopics;
	int			nindexed = 0;
	int			first;
	int			i;
	int			j;
	int			k;
	AbiType		plain;
	CodecJson	decoded;
	CodecJson	out;

	if (!AbiParseSignature(VARDATA_ANY(s), VARSIZE_ANY_EXHDR(s), ABI_MODE_EVENT,
						   CodecPgMem(), &sig, &err))
		CodecPgError(&err);
	if (ARR_NDIM(topics) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("topics must be a one-dimensional array")));
	deconstruct_array(topics, ARR_ELEMTYPE(topics), BYTES32_BYTES, false, TYPALIGN_CHAR,
					  &elems, &nulls, &ntopics);
	for (i = 0; i < ntopics; i++)
		if (nulls[i])
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("topics must not contain NULL")));

	for (i = 0; i < sig.params->ncomps; i++)
		if (sig.params->comps[i]->indexed)
			nindexed++;
	first = sig.anonymous ? 0 : 1;
	if (ntopics != nindexed + first)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("event \"%s\" needs %d topics, got %d", sig.canonical, nindexed + first, ntopics),
				 errdetail("%s", sig.anonymous ?
						   "An anonymous event has one topic per indexed parameter." :
						   "The first topic is the event's hash, then one per indexed parameter.")));
	if (!sig.anonymous)
	{
		uint8		hash[32];

		Keccak256((const uint8 *) sig.canonical, strlen(sig.canonical), hash);
		if (memcmp(hash, DatumGetBytes32P(elems[0])->b, 32) != 0)
		{
			char		want[BYTES32_TEXT_LEN + 1];

			want[0] = '0';
			want[1] = 'x';
			CodecHexEncode(hash, 32, want + 2);
			want[BYTES32_TEXT_LEN] = '\0';
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("the first topic is not the topic of event \"%s\"", sig.canonical),
					 errdetail("Expected %s.", want)));
		}
	}

	/* the data holds the non-indexed parameters as one tuple */
	memset(&plain, 0, sizeof(plain));
	plain.kind = ABI_TUPLE;
	plain.comps = palloc0(sizeof(AbiType *) * (sig.params->ncomps + 1));
	for (i = 0; i < sig.params->ncomps; i++)
		if (!sig.params->comps[i]->indexed)
			plain.comps[plain.ncomps++] = sig.params->comps[i];
	if (!AbiDecode(&plain, (const uint8 *) VARDATA_ANY(data), VARSIZE_ANY_EXHDR(data),
				   CodecPgMem(), &decoded, &err))
		CodecPgError(&err);

	out.kind = CJ_ARRAY;
	out.n = sig.params->ncomps;
	out.items = palloc0(sizeof(CodecJson) * (out.n + 1));
	for (i = 0, j = 0, k = first; i < sig.params->ncomps; i++)
	{
		const AbiType *t = sig.params->comps[i];

		if (t->indexed)
		{
			if (!AbiDecodeTopic(t, DatumGetBytes32P(elems[k])->b, CodecPgMem(), &out.items[i], &err))
				CodecPgError(&err);
			k++;
		}
		else
			out.items[i] = decoded.items[j++];
	}
	PG_RETURN_JSONB_P(CodecJsonToJsonb(&out));
}
