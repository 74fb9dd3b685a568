/*
 * src/evm/codec_pg.c
 *
 * The server side of the pure codecs (codec.h): their allocator is palloc in
 * the current memory context, their errors become ereports with the
 * SQLSTATE of their kind, and jsonb values are converted to and from the
 * CodecJson trees they read and write.  JSON strings are converted between
 * the server encoding and UTF-8 here, so the codecs only ever see UTF-8.
 */
#include "postgres.h"

#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/memutils.h"
#include "utils/numeric.h"

#include "compat.h"
#include "evm/evm.h"

/* palloc0 behind the CodecMem interface; huge requests allowed up to 1 GB. */
static void *
PgAlloc(void *arg, size_t size)
{
	return palloc0(size ? size : 1);
}

static CodecMem pg_mem = {PgAlloc, NULL};

/* The allocator for the codecs: palloc in CurrentMemoryContext. */
CodecMem *
CodecPgMem(void)
{
	return &pg_mem;
}

/* Raise a codec error with the SQLSTATE of its kind. */
void
CodecPgError(const CodecError *err)
{
	int			code;

	switch (err->kind)
	{
		case CODEC_ERR_SYNTAX:
			code = ERRCODE_INVALID_TEXT_REPRESENTATION;
			break;
		case CODEC_ERR_RANGE:
			code = ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE;
			break;
		case CODEC_ERR_VALUE:
			code = ERRCODE_INVALID_PARAMETER_VALUE;
			break;
		case CODEC_ERR_DATA:
			code = ERRCODE_INVALID_BINARY_REPRESENTATION;
			break;
		case CODEC_ERR_UTF8:
			code = ERRCODE_CHARACTER_NOT_IN_REPERTOIRE;
			break;
		case CODEC_ERR_LIMIT:
			code = ERRCODE_PROGRAM_LIMIT_EXCEEDED;
			break;
		default:
			elog(ERROR, "codec failed without an error kind");
	}
	ereport(ERROR, (errcode(code), errmsg("%s", err->msg)));
	pg_unreachable();
}

/* Convert one jsonb value (scalar or container) into *out. */
static void
FromJsonbValue(JsonbValue *jv, CodecJson *out);

static void
FromContainer(JsonbContainer *c, CodecJson *out)
{
	uint32		n;
	uint32		i;

	check_stack_depth();
	CHECK_FOR_INTERRUPTS();
	if (JsonContainerIsObject(c))
	{
		out->kind = CJ_OBJECT;
		return;
	}
	n = JsonContainerSize(c);
	if (JsonContainerIsScalar(c))
	{
		JsonbValue *jv = getIthJsonbValueFromContainer(c, 0);

		FromJsonbValue(jv, out);
		return;
	}
	out->kind = CJ_ARRAY;
	out->n = n;
	out->items = n ? palloc0(sizeof(CodecJson) * n) : NULL;
	for (i = 0; i < n; i++)
		FromJsonbValue(getIthJsonbValueFromContainer(c, i), &out->items[i]);
}

static void
FromJsonbValue(JsonbValue *jv, CodecJson *out)
{
	memset(out, 0, sizeof(*out));
	switch (jv->type)
	{
		case jbvNull:
			out->kind = CJ_NULL;
			break;
		case jbvBool:
			out->kind = CJ_BOOL;
			out->boolean = jv->val.boolean;
			break;
		case jbvNumeric:
			out->kind = CJ_NUMBER;
			out->str = DatumGetCString(DirectFunctionCall1(numeric_out,
														   NumericGetDatum(jv->val.numeric)));
			out->len = strlen(out->str);
			break;
		case jbvString:
			{
				char	   *s = pg_server_to_any(jv->val.string.val, jv->val.string.len, PG_UTF8);

				out->kind = CJ_STRING;
				out->str = s;
				out->len = (s == jv->val.string.val) ? (size_t) jv->val.string.len : strlen(s);
				break;
			}
		case jbvBinary:
			FromContainer(jv->val.binary.data, out);
			break;
		default:
			elog(ERROR, "unexpected jsonb value type %d", (int) jv->type);
	}
}

/* A CodecJson tree (in CurrentMemoryContext) for a jsonb value. */
CodecJson *
CodecJsonFromJsonb(Jsonb *jb)
{
	CodecJson  *v = palloc0(sizeof(CodecJson));

	FromContainer(&jb->root, v);
	return v;
}

/* A jsonb for a CodecJson tree, through its (ASCII) JSON text. */
Jsonb *
CodecJsonToJsonb(const CodecJson *v)
{
	CodecBuf	buf;
	CodecError	err;

	CodecBufInit(&buf, CodecPgMem());
	if (!CodecJsonToText(v, &buf, &err))
		CodecPgError(&err);
	return DatumGetJsonbP(DirectFunctionCall1(jsonb_in, CStringGetDatum((char *) buf.data)));
}

/* A bytea holding the buffer's bytes. */
bytea *
CodecBufToBytea(const CodecBuf *buf)
{
	bytea	   *r;

	if (buf->len > MaxAllocSize - VARHDRSZ)
		ereport(ERROR, (errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
						errmsg("result of %zu bytes exceeds the maximum bytea size", buf->len)));
	r = palloc(VARHDRSZ + buf->len);
	SET_VARSIZE(r, VARHDRSZ + buf->len);
	if (buf->len)
		memcpy(VARDATA(r), buf->data, buf->len);
	return r;
}

/* A palloc'd bytes32 holding 32 raw bytes. */
Bytes32 *
Bytes32FromRaw(const uint8 *p)
{
	Bytes32    *r = palloc(sizeof(Bytes32));

	memcpy(r->b, p, BYTES32_BYTES);
	return r;
}
