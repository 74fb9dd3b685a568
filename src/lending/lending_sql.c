/*
 * src/lending/lending_sql.c
 *
 * Result builders shared by the lending wrappers, which run once per row of
 * an analyst's query.  A composite result's descriptor and field offsets
 * are looked up once per call site and kept in fn_extra; each row then
 * costs one palloc0 and a copy per field, where heap_form_tuple would walk
 * the descriptor twice.  WAD-scaled ratios become numeric through
 * numeric_recv, the binary input function, from base-10000 digits computed
 * in integers (or int64_div_fast_to_numeric when the value times 1e18
 * fits int64): exact, and without printing and parsing decimal text.
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "funcapi.h"
#include "lib/stringinfo.h"
#include "port/pg_bswap.h"
#include "utils/builtins.h"
#include "utils/numeric.h"

#include "lending/lending_sql.h"

#define LEND_WAD	UINT64CONST(1000000000000000000)

/*
 * The blessed result descriptor of the function being called and the
 * layout of its fields, worked out on the first call of a call site and
 * kept in fn_extra, allocated in fn_mcxt (which lives as long as the
 * FmgrInfo): get_call_result_type reads the catalogs.
 */
LendResult *
LendResultGet(FunctionCallInfo fcinfo)
{
	LendResult *res = (LendResult *) fcinfo->flinfo->fn_extra;
	MemoryContext old;
	TupleDesc	tupdesc;
	uint32		off = 0;
	int			i;

	if (res)
		return res;
	old = MemoryContextSwitchTo(fcinfo->flinfo->fn_mcxt);
	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");
	res = palloc0(sizeof(LendResult));
	res->tupdesc = BlessTupleDesc(CreateTupleDescCopy(tupdesc));
	res->off = palloc(sizeof(uint32) * Max(res->tupdesc->natts, 1));
	res->fixed = true;
	for (i = 0; i < res->tupdesc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(res->tupdesc, i);

		if (att->attlen <= 0 || att->attisdropped)
		{
			res->fixed = false;
			break;
		}
		off = att_align_nominal(off, att->attalign);
		res->off[i] = off;
		off += att->attlen;
	}
	/* as heap_form_tuple lays out a tuple without nulls */
	res->hoff = MAXALIGN(SizeofHeapTupleHeader);
	res->len = res->hoff + off;
	MemoryContextSwitchTo(old);
	fcinfo->flinfo->fn_extra = res;
	return res;
}

/*
 * The composite datum of values (none NULL), laid out as heap_form_tuple
 * lays it out: one zeroed allocation (so alignment padding is zero), the
 * header, then each field copied to its precomputed offset.  Descriptors
 * with variable-length fields go through heap_form_tuple.
 */
Datum
LendResultForm(const LendResult *res, const Datum *values)
{
	TupleDesc	tupdesc = res->tupdesc;
	HeapTupleHeader td;
	char	   *data;
	int			i;

	if (!res->fixed)
	{
		bool	   *nulls = palloc0(sizeof(bool) * Max(tupdesc->natts, 1));

		return HeapTupleGetDatum(heap_form_tuple(tupdesc, (Datum *) values, nulls));
	}
	td = (HeapTupleHeader) palloc0(res->len);
	HeapTupleHeaderSetDatumLength(td, res->len);
	HeapTupleHeaderSetTypeId(td, tupdesc->tdtypeid);
	HeapTupleHeaderSetTypMod(td, tupdesc->tdtypmod);
	HeapTupleHeaderSetNatts(td, tupdesc->natts);
	td->t_hoff = res->hoff;
	data = (char *) td + res->hoff;
	for (i = 0; i < tupdesc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(tupdesc, i);

		if (att->attbyval)
			store_att_byval(data + res->off[i], values[i], att->attlen);
		else
			memcpy(data + res->off[i], DatumGetPointer(values[i]), att->attlen);
	}
	return PointerGetDatum(td);
}

/*
 * The numeric q + f / 1e18 for an integer part q and an 18-digit fraction
 * f < 1e18, with display scale 18, exactly.  Three ways, fastest first (as
 * measured by bench/lending.sh): below 9.2 the value times 1e18 fits int64
 * and int64_div_fast_to_numeric builds it; for q below 2^64 the base-10000
 * digits, zeros at either end left out, go to numeric_recv in its wire
 * format; a larger q is printed and parsed.
 */
Datum
LendWadNumeric(const Uint256 *q, uint64 f)
{
	/* 5 digits of the integer part (q < 2^64 < 1e20), 5 of the fraction */
	int16		digits[10];
	uint16		msg[4 + 10];
	char		text[UINT256_DEC_BUFLEN + 24];
	StringInfoData buf;
	uint64		v;
	int			first;
	int			last;
	int			i;
	int			len;

	if (q->w[1] == 0 && q->w[2] == 0 && q->w[3] == 0 &&
		q->w[0] < (uint64) (PG_INT64_MAX / (int64) LEND_WAD))
		return NumericGetDatum(int64_div_fast_to_numeric((int64) (q->w[0] * LEND_WAD + f), 18));
	if (q->w[1] == 0 && q->w[2] == 0 && q->w[3] == 0)
	{
		v = q->w[0];
		for (i = 4; i >= 0; i--)
		{
			digits[i] = (int16) (v % 10000);
			v /= 10000;
		}
		/* 18 decimals: four digits of four, then two padded to four */
		digits[9] = (int16) ((f % 100) * 100);
		v = f / 100;
		for (i = 8; i >= 5; i--)
		{
			digits[i] = (int16) (v % 10000);
			v /= 10000;
		}
		/* q >= 9 here: some integer digit is nonzero */
		for (first = 0; digits[first] == 0; first++)
			;
		for (last = 9; last > 4 && digits[last] == 0; last--)
			;
		msg[0] = pg_hton16((uint16) (last - first + 1));	/* ndigits */
		msg[1] = pg_hton16((uint16) (4 - first));	/* weight of the first */
		msg[2] = pg_hton16(0);	/* NUMERIC_POS */
		msg[3] = pg_hton16(18); /* dscale */
		for (i = first; i <= last; i++)
			msg[4 + i - first] = pg_hton16((uint16) digits[i]);
		buf.data = (char *) msg;
		buf.len = (4 + last - first + 1) * sizeof(uint16);
		buf.maxlen = sizeof(msg);
		buf.cursor = 0;
		return DirectFunctionCall3(numeric_recv, PointerGetDatum(&buf),
								   ObjectIdGetDatum(InvalidOid), Int32GetDatum(-1));
	}
	len = Uint256ToDecimal(q, text);
	snprintf(text + len, sizeof(text) - len, ".%018" INT64_MODIFIER "u", f);
	return DirectFunctionCall3(numeric_in, CStringGetDatum(text),
							   ObjectIdGetDatum(InvalidOid), Int32GetDatum(-1));
}
