/*
 * src/evm/fixed_bytes.h
 *
 * The comparison, hashing, binary I/O and bytea conversion functions shared
 * by the fixed-length byte types address (20 bytes) and bytes32 (32 bytes).
 * Included once by address.c and once by bytes32.c with FB_NAME (the SQL
 * prefix), FB_TYPE (the C struct) and FB_LEN (the size) defined; values
 * compare as unsigned big-endian numbers, i.e. memcmp order.
 */
#include "common/hashfn.h"
#include "libpq/pqformat.h"
#include "utils/sortsupport.h"

#define FB_CAT2(a, b) a##_##b
#define FB_CAT(a, b) FB_CAT2(a, b)
#define FB_FN(suffix) FB_CAT(FB_NAME, suffix)
#define FB_STR2(x) #x
#define FB_STR(x) FB_STR2(x)

PG_FUNCTION_INFO_V1(FB_FN(recv));
PG_FUNCTION_INFO_V1(FB_FN(send));
PG_FUNCTION_INFO_V1(FB_FN(eq));
PG_FUNCTION_INFO_V1(FB_FN(ne));
PG_FUNCTION_INFO_V1(FB_FN(lt));
PG_FUNCTION_INFO_V1(FB_FN(le));
PG_FUNCTION_INFO_V1(FB_FN(gt));
PG_FUNCTION_INFO_V1(FB_FN(ge));
PG_FUNCTION_INFO_V1(FB_FN(cmp));
PG_FUNCTION_INFO_V1(FB_FN(sortsupport));
PG_FUNCTION_INFO_V1(FB_FN(hash));
PG_FUNCTION_INFO_V1(FB_FN(hash_extended));
PG_FUNCTION_INFO_V1(FB_FN(to_bytea));
PG_FUNCTION_INFO_V1(FB_FN(from_bytea));

/* Binary input: exactly FB_LEN raw bytes. */
Datum
FB_FN(recv) (PG_FUNCTION_ARGS)
{
	StringInfo	buf = (StringInfo) PG_GETARG_POINTER(0);
	FB_TYPE    *r = palloc(sizeof(FB_TYPE));

	if (buf->len - buf->cursor != FB_LEN)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid binary length for type %s: %d bytes, expected %d",
						FB_STR(FB_NAME), buf->len - buf->cursor, FB_LEN)));
	pq_copymsgbytes(buf, (char *) r->b, FB_LEN);
	PG_RETURN_POINTER(r);
}

/* Binary output: the FB_LEN raw bytes. */
Datum
FB_FN(send) (PG_FUNCTION_ARGS)
{
	FB_TYPE    *a = (FB_TYPE *) PG_GETARG_POINTER(0);
	StringInfoData buf;

	pq_begintypsend(&buf);
	pq_sendbytes(&buf, (char *) a->b, FB_LEN);
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

static inline int
FB_FN(compare) (PG_FUNCTION_ARGS)
{
	return memcmp(((FB_TYPE *) PG_GETARG_POINTER(0))->b,
				  ((FB_TYPE *) PG_GETARG_POINTER(1))->b, FB_LEN);
}

/* a = b */
Datum
FB_FN(eq) (PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(FB_FN(compare) (fcinfo) == 0);
}

/* a <> b */
Datum
FB_FN(ne) (PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(FB_FN(compare) (fcinfo) != 0);
}

/* a < b (unsigned big-endian order) */
Datum
FB_FN(lt) (PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(FB_FN(compare) (fcinfo) < 0);
}

/* a <= b */
Datum
FB_FN(le) (PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(FB_FN(compare) (fcinfo) <= 0);
}

/* a > b */
Datum
FB_FN(gt) (PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(FB_FN(compare) (fcinfo) > 0);
}

/* a >= b */
Datum
FB_FN(ge) (PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(FB_FN(compare) (fcinfo) >= 0);
}

/* btree support: -1, 0 or 1. */
Datum
FB_FN(cmp) (PG_FUNCTION_ARGS)
{
	int			c = FB_FN(compare) (fcinfo);

	PG_RETURN_INT32(c < 0 ? -1 : (c > 0 ? 1 : 0));
}

/* Sort comparator on two datums. */
static int
FB_FN(fastcmp) (Datum a, Datum b, SortSupport ssup)
{
	return memcmp(((FB_TYPE *) DatumGetPointer(a))->b, ((FB_TYPE *) DatumGetPointer(b))->b, FB_LEN);
}

/* Sort support: a direct comparator (no fmgr call per comparison). */
Datum
FB_FN(sortsupport) (PG_FUNCTION_ARGS)
{
	SortSupport ssup = (SortSupport) PG_GETARG_POINTER(0);

	ssup->comparator = FB_FN(fastcmp);
	PG_RETURN_VOID();
}

/* Hash for hash indexes and hash joins. */
Datum
FB_FN(hash) (PG_FUNCTION_ARGS)
{
	return hash_any(((FB_TYPE *) PG_GETARG_POINTER(0))->b, FB_LEN);
}

/* Seeded 64-bit hash (hash partitioning). */
Datum
FB_FN(hash_extended) (PG_FUNCTION_ARGS)
{
	return hash_any_extended(((FB_TYPE *) PG_GETARG_POINTER(0))->b, FB_LEN, PG_GETARG_INT64(1));
}

/* The raw bytes as a bytea. */
Datum
FB_FN(to_bytea) (PG_FUNCTION_ARGS)
{
	bytea	   *r = palloc(VARHDRSZ + FB_LEN);

	SET_VARSIZE(r, VARHDRSZ + FB_LEN);
	memcpy(VARDATA(r), ((FB_TYPE *) PG_GETARG_POINTER(0))->b, FB_LEN);
	PG_RETURN_BYTEA_P(r);
}

/* A value from a bytea of exactly FB_LEN bytes. */
Datum
FB_FN(from_bytea) (PG_FUNCTION_ARGS)
{
	bytea	   *b = PG_GETARG_BYTEA_PP(0);
	FB_TYPE    *r;

	if (VARSIZE_ANY_EXHDR(b) != FB_LEN)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("bytea of length %zu is not valid for type %s",
						(size_t) VARSIZE_ANY_EXHDR(b), FB_STR(FB_NAME)),
				 errdetail("The value must be exactly %d bytes.", FB_LEN)));
	r = palloc(sizeof(FB_TYPE));
	memcpy(r->b, VARDATA_ANY(b), FB_LEN);
	PG_RETURN_POINTER(r);
}
