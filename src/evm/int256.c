/*
 * src/evm/int256.c
 *
 * The SQL type int256: a signed 256-bit integer, -2^255 .. 2^255-1, stored
 * as the two's complement bit pattern in the same 32-byte layout as uint256
 * (so equality, hashing, binary send/receive and the bitwise operators reuse
 * uint256's functions).  Text input accepts a sign and decimal or 0x hex
 * digits of the magnitude; output is decimal.  Arithmetic never wraps.
 */
#include "postgres.h"

#include "fmgr.h"
#include "utils/builtins.h"

#include "compat.h"
#include "evm/evm.h"

PG_FUNCTION_INFO_V1(int256_in);
PG_FUNCTION_INFO_V1(int256_out);

/* Text input: [+-] then decimal or 0x hex, whitespace allowed; soft errors. */
Datum
int256_in(PG_FUNCTION_ARGS)
{
	char	   *str = PG_GETARG_CSTRING(0);
	Uint256		v;
	Uint256ParseStatus st = Int256FromText(str, &v);

	if (st == UINT256_PARSE_SYNTAX)
		AmpEreturn(fcinfo->context, (Datum) 0,
				   errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
				   errmsg("invalid input syntax for type %s: \"%s\"", "int256", str));
	if (st == UINT256_PARSE_RANGE)
		AmpEreturn(fcinfo->context, (Datum) 0,
				   errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				   errmsg("value \"%s\" is out of range for type %s", str, "int256"));
	PG_RETURN_UINT256_P(Uint256Copy(&v));
}

/* Text output: signed decimal. */
Datum
int256_out(PG_FUNCTION_ARGS)
{
	char	   *buf = palloc(UINT256_DEC_BUFLEN);

	Int256ToDecimal(PG_GETARG_UINT256_P(0), buf);
	PG_RETURN_CSTRING(buf);
}

/* ---- arithmetic ---- */

PG_FUNCTION_INFO_V1(int256_pl);
PG_FUNCTION_INFO_V1(int256_mi);
PG_FUNCTION_INFO_V1(int256_mul);
PG_FUNCTION_INFO_V1(int256_div);
PG_FUNCTION_INFO_V1(int256_mod);
PG_FUNCTION_INFO_V1(int256_um);
PG_FUNCTION_INFO_V1(int256_abs);
PG_FUNCTION_INFO_V1(int256_shr);
PG_FUNCTION_INFO_V1(int256_pow);

/* a + b; error on overflow. */
Datum
int256_pl(PG_FUNCTION_ARGS)
{
	Uint256    *r = palloc(sizeof(Uint256));

	if (!Int256Add(PG_GETARG_UINT256_P(0), PG_GETARG_UINT256_P(1), r))
		Int256OutOfRange();
	PG_RETURN_UINT256_P(r);
}

/* a - b; error on overflow. */
Datum
int256_mi(PG_FUNCTION_ARGS)
{
	Uint256    *r = palloc(sizeof(Uint256));

	if (!Int256Sub(PG_GETARG_UINT256_P(0), PG_GETARG_UINT256_P(1), r))
		Int256OutOfRange();
	PG_RETURN_UINT256_P(r);
}

/* a * b; error on overflow. */
Datum
int256_mul(PG_FUNCTION_ARGS)
{
	Uint256    *r = palloc(sizeof(Uint256));

	if (!Int256Mul(PG_GETARG_UINT256_P(0), PG_GETARG_UINT256_P(1), r))
		Int256OutOfRange();
	PG_RETURN_UINT256_P(r);
}

/* a / b truncated toward zero; errors for b = 0 and -2^255 / -1. */
Datum
int256_div(PG_FUNCTION_ARGS)
{
	Uint256    *b = PG_GETARG_UINT256_P(1);
	Uint256    *r = palloc(sizeof(Uint256));

	if (Uint256IsZero(b))
		Uint256DivisionByZero();
	if (!Int256DivMod(PG_GETARG_UINT256_P(0), b, r, NULL))
		Int256OutOfRange();
	PG_RETURN_UINT256_P(r);
}

/* a % b, with the sign of a; error for b = 0 (-2^255 % -1 is 0). */
Datum
int256_mod(PG_FUNCTION_ARGS)
{
	Uint256    *b = PG_GETARG_UINT256_P(1);
	Uint256    *r = palloc(sizeof(Uint256));

	if (!Int256DivMod(PG_GETARG_UINT256_P(0), b, NULL, r))
		Uint256DivisionByZero();
	PG_RETURN_UINT256_P(r);
}

/* -a; error for -2^255. */
Datum
int256_um(PG_FUNCTION_ARGS)
{
	Uint256    *r = palloc(sizeof(Uint256));

	if (!Int256Neg(PG_GETARG_UINT256_P(0), r))
		Int256OutOfRange();
	PG_RETURN_UINT256_P(r);
}

/* abs(a); error for -2^255. */
Datum
int256_abs(PG_FUNCTION_ARGS)
{
	Uint256    *r = palloc(sizeof(Uint256));

	if (!Int256Abs(PG_GETARG_UINT256_P(0), r))
		Int256OutOfRange();
	PG_RETURN_UINT256_P(r);
}

/* a >> n, arithmetic (floor(a / 2^n)): n >= 256 gives 0 or -1; n < 0 errors. */
Datum
int256_shr(PG_FUNCTION_ARGS)
{
	Uint256    *r = palloc(sizeof(Uint256));

	Int256Shr(PG_GETARG_UINT256_P(0), Uint256ShiftCount(PG_GETARG_INT32(1)), r);
	PG_RETURN_UINT256_P(r);
}

/* pow(a, e) for an int256 base and a uint256 exponent; error on overflow. */
Datum
int256_pow(PG_FUNCTION_ARGS)
{
	Uint256    *r = palloc(sizeof(Uint256));

	if (!Int256Pow(PG_GETARG_UINT256_P(0), PG_GETARG_UINT256_P(1), r))
		Int256OutOfRange();
	PG_RETURN_UINT256_P(r);
}

/* ---- comparison ---- */

PG_FUNCTION_INFO_V1(int256_lt);
PG_FUNCTION_INFO_V1(int256_le);
PG_FUNCTION_INFO_V1(int256_gt);
PG_FUNCTION_INFO_V1(int256_ge);
PG_FUNCTION_INFO_V1(int256_cmp);
PG_FUNCTION_INFO_V1(int256_larger);
PG_FUNCTION_INFO_V1(int256_smaller);

/* a < b */
Datum
int256_lt(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(Int256Cmp(PG_GETARG_UINT256_P(0), PG_GETARG_UINT256_P(1)) < 0);
}

/* a <= b */
Datum
int256_le(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(Int256Cmp(PG_GETARG_UINT256_P(0), PG_GETARG_UINT256_P(1)) <= 0);
}

/* a > b */
Datum
int256_gt(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(Int256Cmp(PG_GETARG_UINT256_P(0), PG_GETARG_UINT256_P(1)) > 0);
}

/* a >= b */
Datum
int256_ge(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(Int256Cmp(PG_GETARG_UINT256_P(0), PG_GETARG_UINT256_P(1)) >= 0);
}

/* btree support 1: signed three-way comparison. */
Datum
int256_cmp(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT32(Int256Cmp(PG_GETARG_UINT256_P(0), PG_GETARG_UINT256_P(1)));
}

/* The larger of a and b (max's transition function). */
Datum
int256_larger(PG_FUNCTION_ARGS)
{
	Uint256    *a = PG_GETARG_UINT256_P(0);
	Uint256    *b = PG_GETARG_UINT256_P(1);

	PG_RETURN_UINT256_P(Int256Cmp(a, b) >= 0 ? a : b);
}

/* The smaller of a and b (min's transition function). */
Datum
int256_smaller(PG_FUNCTION_ARGS)
{
	Uint256    *a = PG_GETARG_UINT256_P(0);
	Uint256    *b = PG_GETARG_UINT256_P(1);

	PG_RETURN_UINT256_P(Int256Cmp(a, b) <= 0 ? a : b);
}

/* ---- functions ---- */

PG_FUNCTION_INFO_V1(int256_to_hex);
PG_FUNCTION_INFO_V1(int256_from_bytea);

/* to_hex(a): sign and "0x" with the magnitude's minimal lowercase digits. */
Datum
int256_to_hex(PG_FUNCTION_ARGS)
{
	char		buf[UINT256_HEX_BUFLEN];

	Int256ToHex(PG_GETARG_UINT256_P(0), buf);
	PG_RETURN_TEXT_P(cstring_to_text(buf));
}

/* int256_from_bytea(b): exactly 32 bytes, big-endian two's complement. */
Datum
int256_from_bytea(PG_FUNCTION_ARGS)
{
	bytea	   *b = PG_GETARG_BYTEA_PP(0);
	size_t		len = VARSIZE_ANY_EXHDR(b);
	Uint256    *r;

	if (len != UINT256_BYTES)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("bytea of length %zu cannot be an int256", len),
				 errdetail("An int256 is exactly 32 bytes, big-endian two's complement.")));
	r = palloc(sizeof(Uint256));
	Uint256FromBytesBE((const uint8 *) VARDATA_ANY(b), len, r);
	PG_RETURN_UINT256_P(r);
}

/* ---- casts ---- */

PG_FUNCTION_INFO_V1(int8_to_int256);
PG_FUNCTION_INFO_V1(int4_to_int256);
PG_FUNCTION_INFO_V1(int2_to_int256);
PG_FUNCTION_INFO_V1(int256_to_int8);
PG_FUNCTION_INFO_V1(int256_to_int4);
PG_FUNCTION_INFO_V1(int256_to_int2);
PG_FUNCTION_INFO_V1(int256_to_numeric);
PG_FUNCTION_INFO_V1(numeric_to_int256);
PG_FUNCTION_INFO_V1(uint256_to_int256);
PG_FUNCTION_INFO_V1(int256_to_uint256);

/* A palloc'd int256 from an int64. */
static Datum
Int256FromInt64Datum(int64 v)
{
	Uint256    *r = palloc(sizeof(Uint256));

	Int256FromInt64(r, v);
	PG_RETURN_UINT256_P(r);
}

/* bigint -> int256 (implicit) */
Datum
int8_to_int256(PG_FUNCTION_ARGS)
{
	return Int256FromInt64Datum(PG_GETARG_INT64(0));
}

/* integer -> int256 (implicit) */
Datum
int4_to_int256(PG_FUNCTION_ARGS)
{
	return Int256FromInt64Datum(PG_GETARG_INT32(0));
}

/* smallint -> int256 (implicit) */
Datum
int2_to_int256(PG_FUNCTION_ARGS)
{
	return Int256FromInt64Datum(PG_GETARG_INT16(0));
}

/* The value of an int256 when it lies in [min, max]; error otherwise. */
static int64
Int256ToInt64Checked(const Uint256 *a, int64 min, int64 max, const char *tname)
{
	int64		v;

	if (!Int256ToInt64(a, &v) || v < min || v > max)
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("%s out of range", tname)));
	return v;
}

/* int256 -> bigint (assignment) */
Datum
int256_to_int8(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT64(Int256ToInt64Checked(PG_GETARG_UINT256_P(0), PG_INT64_MIN, PG_INT64_MAX, "bigint"));
}

/* int256 -> integer (assignment) */
Datum
int256_to_int4(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT32((int32) Int256ToInt64Checked(PG_GETARG_UINT256_P(0), PG_INT32_MIN, PG_INT32_MAX, "integer"));
}

/* int256 -> smallint (assignment) */
Datum
int256_to_int2(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT16((int16) Int256ToInt64Checked(PG_GETARG_UINT256_P(0), PG_INT16_MIN, PG_INT16_MAX, "smallint"));
}

/* int256 -> numeric (assignment); always exact. */
Datum
int256_to_numeric(PG_FUNCTION_ARGS)
{
	return Uint256GetNumeric(PG_GETARG_UINT256_P(0), true);
}

/* numeric -> int256 (assignment); rounds like numeric -> bigint, checks range. */
Datum
numeric_to_int256(PG_FUNCTION_ARGS)
{
	Uint256    *r = palloc(sizeof(Uint256));

	NumericGetUint256(PG_GETARG_DATUM(0), true, r);
	PG_RETURN_UINT256_P(r);
}

/* uint256 -> int256 (assignment); error at 2^255 and above. */
Datum
uint256_to_int256(PG_FUNCTION_ARGS)
{
	Uint256    *a = PG_GETARG_UINT256_P(0);

	if (Int256IsNeg(a))
		Int256OutOfRange();
	PG_RETURN_UINT256_P(Uint256Copy(a));
}

/* int256 -> uint256 (assignment); error when negative. */
Datum
int256_to_uint256(PG_FUNCTION_ARGS)
{
	Uint256    *a = PG_GETARG_UINT256_P(0);

	if (Int256IsNeg(a))
		Uint256OutOfRange();
	PG_RETURN_UINT256_P(Uint256Copy(a));
}
