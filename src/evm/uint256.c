/*
 * src/evm/uint256.c
 *
 * The SQL type uint256: an unsigned 256-bit integer stored as 32 bytes
 * (four 64-bit limbs, see evm.h).  Text input accepts decimal or 0x hex,
 * output is decimal, binary send/receive is 32 bytes big-endian.  Arithmetic
 * never wraps: overflow, underflow and division by zero raise errors.  Here
 * are the fmgr wrappers for I/O, operators, comparison, hashing, sort
 * support (with abbreviated keys), casts and the math functions; the
 * arithmetic itself is in u256_math.c.  The error and numeric helpers at the
 * top are shared with int256.c, int_agg.c and units.c.
 */
#include "postgres.h"

#include "common/hashfn.h"
#include "fmgr.h"
#include "lib/hyperloglog.h"
#include "libpq/pqformat.h"
#include "utils/builtins.h"
#include "utils/numeric.h"
#include "utils/sortsupport.h"

#include "compat.h"
#include "evm/evm.h"

/* ---- shared helpers ---- */

/* Raise "uint256 out of range" (22003). */
void
Uint256OutOfRange(void)
{
	ereport(ERROR,
			(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
			 errmsg("uint256 out of range")));
	pg_unreachable();
}

/* Raise "int256 out of range" (22003). */
void
Int256OutOfRange(void)
{
	ereport(ERROR,
			(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
			 errmsg("int256 out of range")));
	pg_unreachable();
}

/* Raise "division by zero" (22012). */
void
Uint256DivisionByZero(void)
{
	ereport(ERROR,
			(errcode(ERRCODE_DIVISION_BY_ZERO),
			 errmsg("division by zero")));
	pg_unreachable();
}

/* A palloc'd copy of a, for returning a Datum. */
Uint256 *
Uint256Copy(const Uint256 *a)
{
	Uint256    *r = (Uint256 *) palloc(sizeof(Uint256));

	*r = *a;
	return r;
}

/* The exact numeric value of a (read as int256 when is_signed). */
Datum
Uint256GetNumeric(const Uint256 *a, bool is_signed)
{
	char		buf[UINT256_DEC_BUFLEN];

	if (is_signed)
		Int256ToDecimal(a, buf);
	else
		Uint256ToDecimal(a, buf);
	return DirectFunctionCall3(numeric_in, CStringGetDatum(buf),
							   ObjectIdGetDatum(InvalidOid), Int32GetDatum(-1));
}

/*
 * Convert a numeric to uint256 or int256, rounding a fraction half away from
 * zero as PostgreSQL's numeric-to-integer casts do; out of range, NaN and
 * infinity are errors.
 */
void
NumericGetUint256(Datum num, bool is_signed, Uint256 *r)
{
	const char *tname = is_signed ? "int256" : "uint256";
	Datum		rounded;
	char	   *str;
	Uint256ParseStatus st;

	if (numeric_is_nan(DatumGetNumeric(num)))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("cannot convert NaN to %s", tname)));
	if (numeric_is_inf(DatumGetNumeric(num)))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("cannot convert infinity to %s", tname)));
	rounded = DirectFunctionCall2(numeric_round, num, Int32GetDatum(0));
	str = DatumGetCString(DirectFunctionCall1(numeric_out, rounded));
	/* numeric_out of a value rounded to scale 0 is [-]digits */
	st = is_signed ? Int256FromText(str, r) : Uint256FromText(str, r);
	if (st == UINT256_PARSE_SYNTAX)
		elog(ERROR, "unexpected numeric output \"%s\"", str);
	if (st == UINT256_PARSE_RANGE)
	{
		if (is_signed)
			Int256OutOfRange();
		Uint256OutOfRange();
	}
	pfree(str);
}

/* Validate a shift count: negative is an error, 256 and above become 256. */
int
Uint256ShiftCount(int32 n)
{
	if (n < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("shift count must not be negative: %d", n)));
	return Min(n, 256);
}

/* ---- input and output ---- */

PG_FUNCTION_INFO_V1(uint256_in);
PG_FUNCTION_INFO_V1(uint256_out);
PG_FUNCTION_INFO_V1(uint256_recv);
PG_FUNCTION_INFO_V1(uint256_send);

/* Text input: decimal or 0x hex, surrounding whitespace allowed; soft errors. */
Datum
uint256_in(PG_FUNCTION_ARGS)
{
	char	   *str = PG_GETARG_CSTRING(0);
	Uint256		v;
	Uint256ParseStatus st = Uint256FromText(str, &v);

	if (st == UINT256_PARSE_SYNTAX)
		AmpEreturn(fcinfo->context, (Datum) 0,
				   errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
				   errmsg("invalid input syntax for type %s: \"%s\"", "uint256", str));
	if (st == UINT256_PARSE_RANGE)
		AmpEreturn(fcinfo->context, (Datum) 0,
				   errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				   errmsg("value \"%s\" is out of range for type %s", str, "uint256"));
	PG_RETURN_UINT256_P(Uint256Copy(&v));
}

/* Text output: decimal. */
Datum
uint256_out(PG_FUNCTION_ARGS)
{
	char	   *buf = palloc(UINT256_DEC_BUFLEN);

	Uint256ToDecimal(PG_GETARG_UINT256_P(0), buf);
	PG_RETURN_CSTRING(buf);
}

/* Binary input: 32 bytes big-endian (shared by int256). */
Datum
uint256_recv(PG_FUNCTION_ARGS)
{
	StringInfo	buf = (StringInfo) PG_GETARG_POINTER(0);
	Uint256    *r = palloc(sizeof(Uint256));

	Uint256FromBytesBE((const uint8 *) pq_getmsgbytes(buf, UINT256_BYTES),
					   UINT256_BYTES, r);
	PG_RETURN_UINT256_P(r);
}

/* Binary output: 32 bytes big-endian (shared by int256). */
Datum
uint256_send(PG_FUNCTION_ARGS)
{
	StringInfoData buf;
	uint8		bytes[UINT256_BYTES];

	Uint256ToBytesBE(PG_GETARG_UINT256_P(0), bytes);
	pq_begintypsend(&buf);
	pq_sendbytes(&buf, (char *) bytes, UINT256_BYTES);
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

/* ---- arithmetic ---- */

PG_FUNCTION_INFO_V1(uint256_pl);
PG_FUNCTION_INFO_V1(uint256_mi);
PG_FUNCTION_INFO_V1(uint256_mul);
PG_FUNCTION_INFO_V1(uint256_div);
PG_FUNCTION_INFO_V1(uint256_mod);

/* a + b; error on overflow. */
Datum
uint256_pl(PG_FUNCTION_ARGS)
{
	Uint256    *r = palloc(sizeof(Uint256));

	if (!Uint256Add(PG_GETARG_UINT256_P(0), PG_GETARG_UINT256_P(1), r))
		Uint256OutOfRange();
	PG_RETURN_UINT256_P(r);
}

/* a - b; error when b > a. */
Datum
uint256_mi(PG_FUNCTION_ARGS)
{
	Uint256    *r = palloc(sizeof(Uint256));

	if (!Uint256Sub(PG_GETARG_UINT256_P(0), PG_GETARG_UINT256_P(1), r))
		Uint256OutOfRange();
	PG_RETURN_UINT256_P(r);
}

/* a * b; error on overflow. */
Datum
uint256_mul(PG_FUNCTION_ARGS)
{
	Uint256    *r = palloc(sizeof(Uint256));

	if (!Uint256Mul(PG_GETARG_UINT256_P(0), PG_GETARG_UINT256_P(1), r))
		Uint256OutOfRange();
	PG_RETURN_UINT256_P(r);
}

/* a / b, truncated; error when b is zero. */
Datum
uint256_div(PG_FUNCTION_ARGS)
{
	Uint256    *r = palloc(sizeof(Uint256));

	if (!Uint256DivMod(PG_GETARG_UINT256_P(0), PG_GETARG_UINT256_P(1), r, NULL))
		Uint256DivisionByZero();
	PG_RETURN_UINT256_P(r);
}

/* a % b; error when b is zero. */
Datum
uint256_mod(PG_FUNCTION_ARGS)
{
	Uint256    *r = palloc(sizeof(Uint256));

	if (!Uint256DivMod(PG_GETARG_UINT256_P(0), PG_GETARG_UINT256_P(1), NULL, r))
		Uint256DivisionByZero();
	PG_RETURN_UINT256_P(r);
}

/* ---- bit operations (shared by int256 where the bit pattern is the same) ---- */

PG_FUNCTION_INFO_V1(uint256_and);
PG_FUNCTION_INFO_V1(uint256_or);
PG_FUNCTION_INFO_V1(uint256_xor);
PG_FUNCTION_INFO_V1(uint256_not);
PG_FUNCTION_INFO_V1(uint256_shl);
PG_FUNCTION_INFO_V1(uint256_shr);

/* a & b */
Datum
uint256_and(PG_FUNCTION_ARGS)
{
	Uint256    *r = palloc(sizeof(Uint256));

	Uint256And(PG_GETARG_UINT256_P(0), PG_GETARG_UINT256_P(1), r);
	PG_RETURN_UINT256_P(r);
}

/* a | b */
Datum
uint256_or(PG_FUNCTION_ARGS)
{
	Uint256    *r = palloc(sizeof(Uint256));

	Uint256Or(PG_GETARG_UINT256_P(0), PG_GETARG_UINT256_P(1), r);
	PG_RETURN_UINT256_P(r);
}

/* a # b (exclusive or) */
Datum
uint256_xor(PG_FUNCTION_ARGS)
{
	Uint256    *r = palloc(sizeof(Uint256));

	Uint256Xor(PG_GETARG_UINT256_P(0), PG_GETARG_UINT256_P(1), r);
	PG_RETURN_UINT256_P(r);
}

/* ~a */
Datum
uint256_not(PG_FUNCTION_ARGS)
{
	Uint256    *r = palloc(sizeof(Uint256));

	Uint256Not(PG_GETARG_UINT256_P(0), r);
	PG_RETURN_UINT256_P(r);
}

/* a << n: bits shifted out are dropped, n >= 256 gives 0, n < 0 is an error. */
Datum
uint256_shl(PG_FUNCTION_ARGS)
{
	Uint256    *r = palloc(sizeof(Uint256));

	Uint256Shl(PG_GETARG_UINT256_P(0), Uint256ShiftCount(PG_GETARG_INT32(1)), r);
	PG_RETURN_UINT256_P(r);
}

/* a >> n (logical): n >= 256 gives 0, n < 0 is an error. */
Datum
uint256_shr(PG_FUNCTION_ARGS)
{
	Uint256    *r = palloc(sizeof(Uint256));

	Uint256Shr(PG_GETARG_UINT256_P(0), Uint256ShiftCount(PG_GETARG_INT32(1)), r);
	PG_RETURN_UINT256_P(r);
}

/* ---- comparison, hashing, sort support ---- */

PG_FUNCTION_INFO_V1(uint256_eq);
PG_FUNCTION_INFO_V1(uint256_ne);
PG_FUNCTION_INFO_V1(uint256_lt);
PG_FUNCTION_INFO_V1(uint256_le);
PG_FUNCTION_INFO_V1(uint256_gt);
PG_FUNCTION_INFO_V1(uint256_ge);
PG_FUNCTION_INFO_V1(uint256_cmp);
PG_FUNCTION_INFO_V1(uint256_larger);
PG_FUNCTION_INFO_V1(uint256_smaller);
PG_FUNCTION_INFO_V1(uint256_hash);
PG_FUNCTION_INFO_V1(uint256_hash_extended);
PG_FUNCTION_INFO_V1(uint256_sortsupport);

/* a = b (also int256's equality: same bits, same value) */
Datum
uint256_eq(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(memcmp(PG_GETARG_UINT256_P(0), PG_GETARG_UINT256_P(1), UINT256_BYTES) == 0);
}

/* a <> b */
Datum
uint256_ne(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(memcmp(PG_GETARG_UINT256_P(0), PG_GETARG_UINT256_P(1), UINT256_BYTES) != 0);
}

/* a < b */
Datum
uint256_lt(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(Uint256Cmp(PG_GETARG_UINT256_P(0), PG_GETARG_UINT256_P(1)) < 0);
}

/* a <= b */
Datum
uint256_le(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(Uint256Cmp(PG_GETARG_UINT256_P(0), PG_GETARG_UINT256_P(1)) <= 0);
}

/* a > b */
Datum
uint256_gt(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(Uint256Cmp(PG_GETARG_UINT256_P(0), PG_GETARG_UINT256_P(1)) > 0);
}

/* a >= b */
Datum
uint256_ge(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(Uint256Cmp(PG_GETARG_UINT256_P(0), PG_GETARG_UINT256_P(1)) >= 0);
}

/* btree support 1: three-way comparison. */
Datum
uint256_cmp(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT32(Uint256Cmp(PG_GETARG_UINT256_P(0), PG_GETARG_UINT256_P(1)));
}

/* The larger of a and b (max's transition function); no copy needed. */
Datum
uint256_larger(PG_FUNCTION_ARGS)
{
	Uint256    *a = PG_GETARG_UINT256_P(0);
	Uint256    *b = PG_GETARG_UINT256_P(1);

	PG_RETURN_UINT256_P(Uint256Cmp(a, b) >= 0 ? a : b);
}

/* The smaller of a and b (min's transition function). */
Datum
uint256_smaller(PG_FUNCTION_ARGS)
{
	Uint256    *a = PG_GETARG_UINT256_P(0);
	Uint256    *b = PG_GETARG_UINT256_P(1);

	PG_RETURN_UINT256_P(Uint256Cmp(a, b) <= 0 ? a : b);
}

/* hash support 1 (also int256's) */
Datum
uint256_hash(PG_FUNCTION_ARGS)
{
	return hash_any((const unsigned char *) PG_GETARG_UINT256_P(0), UINT256_BYTES);
}

/* hash support 2: seeded 64-bit hash (also int256's) */
Datum
uint256_hash_extended(PG_FUNCTION_ARGS)
{
	return hash_any_extended((const unsigned char *) PG_GETARG_UINT256_P(0),
							 UINT256_BYTES, PG_GETARG_INT64(1));
}

/* State of the abbreviated-key cardinality check. */
typedef struct Uint256SortState
{
	int64		input_count;	/* keys abbreviated so far */
	bool		estimating;		/* still checking? */
	bool		is_signed;		/* int256 rather than uint256 */
	hyperLogLogState abbr_card; /* distinct abbreviated keys */
} Uint256SortState;

/* Full comparator of uint256 datums for sorting. */
static int
Uint256FastCmp(Datum x, Datum y, SortSupport ssup)
{
	return Uint256Cmp(DatumGetUint256P(x), DatumGetUint256P(y));
}

/* Full comparator of int256 datums for sorting. */
static int
Int256FastCmp(Datum x, Datum y, SortSupport ssup)
{
	return Int256Cmp(DatumGetUint256P(x), DatumGetUint256P(y));
}

/* Abbreviate a datum to its 64-bit order-preserving summary. */
static Datum
Uint256AbbrevConvert(Datum original, SortSupport ssup)
{
	Uint256SortState *st = (Uint256SortState *) ssup->ssup_extra;
	const Uint256 *a = DatumGetUint256P(original);
	uint64		key = st->is_signed ? Int256AbbrevKey(a) : Uint256AbbrevKey(a);

	st->input_count++;
	if (st->estimating)
		addHyperLogLog(&st->abbr_card,
					   DatumGetUInt32(hash_uint32((uint32) (key ^ (key >> 32)))));
	return UInt64GetDatum(key);
}

/*
 * Give up abbreviating when the summaries are nearly all alike (as the core
 * uuid type decides): then the full comparison does all the work anyway.
 */
static bool
Uint256AbbrevAbort(int memtupcount, SortSupport ssup)
{
	Uint256SortState *st = (Uint256SortState *) ssup->ssup_extra;
	double		card;

	if (memtupcount < 10000 || st->input_count < 10000 || !st->estimating)
		return false;
	card = estimateHyperLogLog(&st->abbr_card);
	if (card > 100000.0)
	{
		st->estimating = false;
		return false;
	}
	return card < st->input_count / 2000.0 + 0.5;
}

/* Set up sort support for uint256 or int256. */
static void
Uint256SetupSortSupport(SortSupport ssup, bool is_signed)
{
	ssup->comparator = is_signed ? Int256FastCmp : Uint256FastCmp;
#if SIZEOF_DATUM >= 8
	if (ssup->abbreviate)
	{
		/* the state lives as long as the sort: allocate it in its context */
		MemoryContext old = MemoryContextSwitchTo(ssup->ssup_cxt);
		Uint256SortState *st = palloc0(sizeof(Uint256SortState));

		st->is_signed = is_signed;
		st->estimating = true;
		initHyperLogLog(&st->abbr_card, 10);
		ssup->ssup_extra = st;
		ssup->abbrev_full_comparator = ssup->comparator;
		ssup->comparator = ssup_datum_unsigned_cmp;
		ssup->abbrev_converter = Uint256AbbrevConvert;
		ssup->abbrev_abort = Uint256AbbrevAbort;
		MemoryContextSwitchTo(old);
	}
#endif
}

/* btree support 2: sort support with abbreviated keys. */
Datum
uint256_sortsupport(PG_FUNCTION_ARGS)
{
	Uint256SetupSortSupport((SortSupport) PG_GETARG_POINTER(0), false);
	PG_RETURN_VOID();
}

PG_FUNCTION_INFO_V1(int256_sortsupport);

/* btree support 2 for int256 (here to share the abbreviation code). */
Datum
int256_sortsupport(PG_FUNCTION_ARGS)
{
	Uint256SetupSortSupport((SortSupport) PG_GETARG_POINTER(0), true);
	PG_RETURN_VOID();
}

/* ---- functions ---- */

PG_FUNCTION_INFO_V1(uint256_mul_div);
PG_FUNCTION_INFO_V1(uint256_mul_div_up);
PG_FUNCTION_INFO_V1(uint256_pow);
PG_FUNCTION_INFO_V1(uint256_sqrt);
PG_FUNCTION_INFO_V1(uint256_msb);
PG_FUNCTION_INFO_V1(uint256_to_hex);
PG_FUNCTION_INFO_V1(uint256_from_bytea);
PG_FUNCTION_INFO_V1(uint256_to_bytea);

/* Shared body of mul_div and mul_div_up. */
static Datum
Uint256MulDivDatum(FunctionCallInfo fcinfo, bool round_up)
{
	Uint256    *c = PG_GETARG_UINT256_P(2);
	Uint256    *r = palloc(sizeof(Uint256));

	if (Uint256IsZero(c))
		Uint256DivisionByZero();
	if (!Uint256MulDiv(PG_GETARG_UINT256_P(0), PG_GETARG_UINT256_P(1), c, round_up, r))
		Uint256OutOfRange();
	PG_RETURN_UINT256_P(r);
}

/* mul_div(a, b, c) = floor(a * b / c) with a 512-bit product (FullMath.mulDiv). */
Datum
uint256_mul_div(PG_FUNCTION_ARGS)
{
	return Uint256MulDivDatum(fcinfo, false);
}

/* mul_div_up(a, b, c) = ceil(a * b / c) (FullMath.mulDivRoundingUp). */
Datum
uint256_mul_div_up(PG_FUNCTION_ARGS)
{
	return Uint256MulDivDatum(fcinfo, true);
}

/* pow(a, e) = a ** e; error on overflow (pow(0, 0) = 1). */
Datum
uint256_pow(PG_FUNCTION_ARGS)
{
	Uint256    *r = palloc(sizeof(Uint256));

	if (!Uint256Pow(PG_GETARG_UINT256_P(0), PG_GETARG_UINT256_P(1), r))
		Uint256OutOfRange();
	PG_RETURN_UINT256_P(r);
}

/* sqrt(a) = floor of the square root. */
Datum
uint256_sqrt(PG_FUNCTION_ARGS)
{
	Uint256    *r = palloc(sizeof(Uint256));

	Uint256Sqrt(PG_GETARG_UINT256_P(0), r);
	PG_RETURN_UINT256_P(r);
}

/* msb(a) = log2(a) = index of the highest set bit; error for zero. */
Datum
uint256_msb(PG_FUNCTION_ARGS)
{
	int			msb = Uint256Msb(PG_GETARG_UINT256_P(0));

	if (msb < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_ARGUMENT_FOR_LOG),
				 errmsg("cannot take logarithm of zero")));
	PG_RETURN_INT32(msb);
}

/* to_hex(a): "0x" and minimal lowercase hex digits. */
Datum
uint256_to_hex(PG_FUNCTION_ARGS)
{
	char		buf[UINT256_HEX_BUFLEN];

	Uint256ToHex(PG_GETARG_UINT256_P(0), buf);
	PG_RETURN_TEXT_P(cstring_to_text(buf));
}

/* uint256_from_bytea(b): big-endian, at most 32 bytes (shorter ones zero-extended). */
Datum
uint256_from_bytea(PG_FUNCTION_ARGS)
{
	bytea	   *b = PG_GETARG_BYTEA_PP(0);
	size_t		len = VARSIZE_ANY_EXHDR(b);
	Uint256    *r;

	if (len > UINT256_BYTES)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("bytea of length %zu is too long for type uint256", len),
				 errdetail("A uint256 is at most 32 bytes, big-endian.")));
	r = palloc(sizeof(Uint256));
	Uint256FromBytesBE((const uint8 *) VARDATA_ANY(b), len, r);
	PG_RETURN_UINT256_P(r);
}

/* to_bytea(a): 32 bytes big-endian (also int256's, as two's complement). */
Datum
uint256_to_bytea(PG_FUNCTION_ARGS)
{
	bytea	   *r = palloc(VARHDRSZ + UINT256_BYTES);

	SET_VARSIZE(r, VARHDRSZ + UINT256_BYTES);
	Uint256ToBytesBE(PG_GETARG_UINT256_P(0), (uint8 *) VARDATA(r));
	PG_RETURN_BYTEA_P(r);
}

/* ---- casts ---- */

PG_FUNCTION_INFO_V1(int8_to_uint256);
PG_FUNCTION_INFO_V1(int4_to_uint256);
PG_FUNCTION_INFO_V1(int2_to_uint256);
PG_FUNCTION_INFO_V1(uint256_to_int8);
PG_FUNCTION_INFO_V1(uint256_to_int4);
PG_FUNCTION_INFO_V1(uint256_to_int2);
PG_FUNCTION_INFO_V1(uint256_to_numeric);
PG_FUNCTION_INFO_V1(numeric_to_uint256);

/* A palloc'd uint256 from a non-negative int64; error when negative. */
static Datum
Uint256FromInt64Datum(int64 v)
{
	Uint256    *r;

	if (v < 0)
		Uint256OutOfRange();
	r = palloc(sizeof(Uint256));
	Uint256FromUint64(r, (uint64) v);
	PG_RETURN_UINT256_P(r);
}

/* bigint -> uint256 (implicit); negative is an error. */
Datum
int8_to_uint256(PG_FUNCTION_ARGS)
{
	return Uint256FromInt64Datum(PG_GETARG_INT64(0));
}

/* integer -> uint256 (implicit) */
Datum
int4_to_uint256(PG_FUNCTION_ARGS)
{
	return Uint256FromInt64Datum(PG_GETARG_INT32(0));
}

/* smallint -> uint256 (implicit) */
Datum
int2_to_uint256(PG_FUNCTION_ARGS)
{
	return Uint256FromInt64Datum(PG_GETARG_INT16(0));
}

/* The value of a uint256 when it is at most max; error otherwise. */
static int64
Uint256ToInt64Checked(const Uint256 *a, int64 max, const char *tname)
{
	uint64		v;

	if (!Uint256ToUint64(a, &v) || v > (uint64) max)
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("%s out of range", tname)));
	return (int64) v;
}

/* uint256 -> bigint (assignment); error when too large. */
Datum
uint256_to_int8(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT64(Uint256ToInt64Checked(PG_GETARG_UINT256_P(0), PG_INT64_MAX, "bigint"));
}

/* uint256 -> integer (assignment) */
Datum
uint256_to_int4(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT32((int32) Uint256ToInt64Checked(PG_GETARG_UINT256_P(0), PG_INT32_MAX, "integer"));
}

/* uint256 -> smallint (assignment) */
Datum
uint256_to_int2(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT16((int16) Uint256ToInt64Checked(PG_GETARG_UINT256_P(0), PG_INT16_MAX, "smallint"));
}

/* uint256 -> numeric (assignment); always exact. */
Datum
uint256_to_numeric(PG_FUNCTION_ARGS)
{
	return Uint256GetNumeric(PG_GETARG_UINT256_P(0), false);
}

/* numeric -> uint256 (assignment); rounds like numeric -> bigint, checks range. */
Datum
numeric_to_uint256(PG_FUNCTION_ARGS)
{
	Uint256    *r = palloc(sizeof(Uint256));

	NumericGetUint256(PG_GETARG_DATUM(0), false, r);
	PG_RETURN_UINT256_P(r);
}
