/*
 * src/evm/int_agg.c
 *
 * sum() and avg() over uint256 and int256.  The transition state is a
 * 320-bit two's complement accumulator and a row count, updated in place in
 * the aggregate's memory context: no allocation per row, no overflow until
 * the final function decides whether the total fits its type (so a sum of
 * int256 may pass through values that would not fit on the way).  The state
 * serializes to 48 bytes, so both aggregates run in parallel.
 */
#include "postgres.h"

#include "fmgr.h"
#include "libpq/pqformat.h"
#include "utils/builtins.h"
#include "utils/numeric.h"

#include "compat.h"
#include "evm/evm.h"

#define ACC_LIMBS 5

/* Running count and 320-bit sum (two's complement for int256). */
typedef struct U256AggState
{
	int64		count;
	uint64		acc[ACC_LIMBS];
} U256AggState;

PG_FUNCTION_INFO_V1(uint256_sum_accum);
PG_FUNCTION_INFO_V1(int256_sum_accum);
PG_FUNCTION_INFO_V1(u256_agg_combine);
PG_FUNCTION_INFO_V1(u256_agg_serialize);
PG_FUNCTION_INFO_V1(u256_agg_deserialize);
PG_FUNCTION_INFO_V1(uint256_sum_final);
PG_FUNCTION_INFO_V1(int256_sum_final);
PG_FUNCTION_INFO_V1(uint256_avg_final);
PG_FUNCTION_INFO_V1(int256_avg_final);

/* The aggregate memory context, or an error outside an aggregate. */
static MemoryContext
AggContext(FunctionCallInfo fcinfo)
{
	MemoryContext aggcxt;

	if (!AggCheckCallContext(fcinfo, &aggcxt))
		elog(ERROR, "aggregate function called in non-aggregate context");
	return aggcxt;
}

/* Shared transition: add argument 1 to the state, sign-extended if signed. */
static Datum
U256Accum(FunctionCallInfo fcinfo, bool is_signed)
{
	MemoryContext aggcxt = AggContext(fcinfo);
	U256AggState *st = PG_ARGISNULL(0) ? NULL : (U256AggState *) PG_GETARG_POINTER(0);
	const Uint256 *v;
	uint64		ext;
	uint64		carry = 0;
	int			i;

	if (PG_ARGISNULL(1))
	{
		if (st == NULL)
			PG_RETURN_NULL();
		PG_RETURN_POINTER(st);
	}
	if (st == NULL)
		st = MemoryContextAllocZero(aggcxt, sizeof(U256AggState));
	v = PG_GETARG_UINT256_P(1);
	ext = (is_signed && Int256IsNeg(v)) ? ~UINT64CONST(0) : 0;
	for (i = 0; i < ACC_LIMBS; i++)
	{
		uint64		x = i < 4 ? v->w[i] : ext;
		uint64		s = st->acc[i] + x;
		uint64		c1 = s < x;

		s += carry;
		carry = c1 | (s < carry);
		st->acc[i] = s;
	}
	st->count++;
	PG_RETURN_POINTER(st);
}

/* sum/avg(uint256) transition function */
Datum
uint256_sum_accum(PG_FUNCTION_ARGS)
{
	return U256Accum(fcinfo, false);
}

/* sum/avg(int256) transition function */
Datum
int256_sum_accum(PG_FUNCTION_ARGS)
{
	return U256Accum(fcinfo, true);
}

/* Combine two partial states (parallel aggregation). */
Datum
u256_agg_combine(PG_FUNCTION_ARGS)
{
	MemoryContext aggcxt = AggContext(fcinfo);
	U256AggState *a = PG_ARGISNULL(0) ? NULL : (U256AggState *) PG_GETARG_POINTER(0);
	U256AggState *b = PG_ARGISNULL(1) ? NULL : (U256AggState *) PG_GETARG_POINTER(1);
	uint64		carry = 0;
	int			i;

	if (b == NULL)
	{
		if (a == NULL)
			PG_RETURN_NULL();
		PG_RETURN_POINTER(a);
	}
	if (a == NULL)
	{
		a = MemoryContextAlloc(aggcxt, sizeof(U256AggState));
		*a = *b;
		PG_RETURN_POINTER(a);
	}
	for (i = 0; i < ACC_LIMBS; i++)
	{
		uint64		x = b->acc[i];
		uint64		s = a->acc[i] + x;
		uint64		c1 = s < x;

		s += carry;
		carry = c1 | (s < carry);
		a->acc[i] = s;
	}
	a->count += b->count;
	PG_RETURN_POINTER(a);
}

/* Serialize a state: count then the five limbs, 48 bytes. */
Datum
u256_agg_serialize(PG_FUNCTION_ARGS)
{
	U256AggState *st = (U256AggState *) PG_GETARG_POINTER(0);
	StringInfoData buf;
	int			i;

	(void) AggContext(fcinfo);
	pq_begintypsend(&buf);
	pq_sendint64(&buf, st->count);
	for (i = 0; i < ACC_LIMBS; i++)
		pq_sendint64(&buf, st->acc[i]);
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

/* Deserialize a state written by u256_agg_serialize. */
Datum
u256_agg_deserialize(PG_FUNCTION_ARGS)
{
	bytea	   *b = PG_GETARG_BYTEA_PP(0);
	U256AggState *st;
	StringInfoData buf;
	int			i;

	(void) AggContext(fcinfo);
	initStringInfo(&buf);
	appendBinaryStringInfo(&buf, VARDATA_ANY(b), VARSIZE_ANY_EXHDR(b));
	st = palloc(sizeof(U256AggState));
	st->count = pq_getmsgint64(&buf);
	for (i = 0; i < ACC_LIMBS; i++)
		st->acc[i] = (uint64) pq_getmsgint64(&buf);
	pq_getmsgend(&buf);
	pfree(buf.data);
	PG_RETURN_POINTER(st);
}

/* sum(uint256) final: NULL for no rows, error when the total needs 257+ bits. */
Datum
uint256_sum_final(PG_FUNCTION_ARGS)
{
	U256AggState *st = PG_ARGISNULL(0) ? NULL : (U256AggState *) PG_GETARG_POINTER(0);
	Uint256    *r;

	if (st == NULL || st->count == 0)
		PG_RETURN_NULL();
	if (st->acc[4] != 0)
		Uint256OutOfRange();
	r = palloc(sizeof(Uint256));
	memcpy(r->w, st->acc, sizeof(r->w));
	PG_RETURN_UINT256_P(r);
}

/* sum(int256) final: error when the total is outside -2^255 .. 2^255-1. */
Datum
int256_sum_final(PG_FUNCTION_ARGS)
{
	U256AggState *st = PG_ARGISNULL(0) ? NULL : (U256AggState *) PG_GETARG_POINTER(0);
	Uint256    *r;
	uint64		ext;

	if (st == NULL || st->count == 0)
		PG_RETURN_NULL();
	ext = (st->acc[3] >> 63) ? ~UINT64CONST(0) : 0;
	if (st->acc[4] != ext)
		Int256OutOfRange();
	r = palloc(sizeof(Uint256));
	memcpy(r->w, st->acc, sizeof(r->w));
	PG_RETURN_UINT256_P(r);
}

/* The exact numeric value of the 320-bit accumulator. */
static Datum
AccGetNumeric(const U256AggState *st, bool is_signed)
{
	Uint256		lo;
	Datum		n;

	memcpy(lo.w, st->acc, sizeof(lo.w));
	n = Uint256GetNumeric(&lo, false);
	if (st->acc[4] != 0)
	{
		/* value = top * 2^256 + lo, top signed for int256 */
		Datum		two256 = DirectFunctionCall3(numeric_in,
												 CStringGetDatum("115792089237316195423570985008687907853269984665640564039457584007913129639936"),
												 ObjectIdGetDatum(InvalidOid), Int32GetDatum(-1));
		Datum		top;

		if (is_signed)
			top = DirectFunctionCall1(int8_numeric, Int64GetDatum((int64) st->acc[4]));
		else
		{
			Uint256		t;

			Uint256FromUint64(&t, st->acc[4]);
			top = Uint256GetNumeric(&t, false);
		}
		n = DirectFunctionCall2(numeric_add, n,
								DirectFunctionCall2(numeric_mul, top, two256));
	}
	return n;
}

/* Shared avg final: exact sum / count as numeric, NULL for no rows. */
static Datum
U256AvgFinal(FunctionCallInfo fcinfo, bool is_signed)
{
	U256AggState *st = PG_ARGISNULL(0) ? NULL : (U256AggState *) PG_GETARG_POINTER(0);

	if (st == NULL || st->count == 0)
		PG_RETURN_NULL();
	return DirectFunctionCall2(numeric_div, AccGetNumeric(st, is_signed),
							   DirectFunctionCall1(int8_numeric, Int64GetDatum(st->count)));
}

/* avg(uint256) final: numeric */
Datum
uint256_avg_final(PG_FUNCTION_ARGS)
{
	return U256AvgFinal(fcinfo, false);
}

/* avg(int256) final: numeric */
Datum
int256_avg_final(PG_FUNCTION_ARGS)
{
	return U256AvgFinal(fcinfo, true);
}
