/*
 * src/lending/lending_sql.c
 *
 * Result builders shared by the lending wrappers, which run once per row of
 * an analyst's query.  A composite result's descriptor and field offsets
 * are looked up once per call site and kept in fn_extra; each row then
 * costs one palloc0 and a copy per field, where heap_form_tuple would walk
 * the descriptor twice.  WAD-scaled ratios become numeric from base-10000
 * digits computed in integers and written in the numeric short format:
 * exact, and without printing and parsing decimal text.
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "funcapi.h"
#include "utils/builtins.h"

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
		else if (att->attlen == 32)
			memcpy(data + res->off[i], DatumGetPointer(values[i]), 32);	/* uint256: inlined */
		else
			memcpy(data + res->off[i], DatumGetPointer(values[i]), att->attlen);
	}
	return PointerGetDatum(td);
}

/*
 * The header of a numeric in PostgreSQL's short on-disk format (numeric.c,
 * struct NumericShort, in every release since 9.1 and fixed by pg_upgrade
 * compatibility): a varlena whose first uint16 packs the short-format flag,
 * the sign, the display scale and the weight of the first base-10000 digit,
 * followed by the digits as int16.  make_result writes this format for a
 * display scale up to 63 and a weight in [-64, 63].
 */
#define LEND_NUMERIC_SHORT			0x8000
#define LEND_NUMERIC_DSCALE_SHIFT	7
#define LEND_NUMERIC_WEIGHT_SIGN	0x0040
#define LEND_NUMERIC_WEIGHT_MASK	0x003F
#define LEND_NUMERIC_HDRSZ_SHORT	(VARHDRSZ + sizeof(uint16))

/*
 * The numeric q + f / 1e18 for an integer part q and an 18-digit fraction
 * f < 1e18, with display scale 18, exactly.  For q below 2^64 the
 * base-10000 digits are computed in integers (five for the integer part,
 * five for the fraction: 4 + 4 + 4 + 4 + 2 decimals, the last padded) and
 * written, zeros at either end left out, in the short format exactly as
 * make_result writes it: one palloc, no NumericVar, no 128-bit digit
 * divisions (int64_div_fast_to_numeric's) and no wire-format parsing
 * (numeric_recv's), which cost more than the lending math itself.  A larger
 * q is printed and parsed.
 */
Datum
LendWadNumeric(const Uint256 *q, uint64 f)
{
	int16		digits[10];
	char		text[UINT256_DEC_BUFLEN + 24];
	uint64		v;
	int			first;
	int			last;
	int			i;
	int			len;

	if (q->w[1] == 0 && q->w[2] == 0 && q->w[3] == 0)
	{
		int			ndigits;
		int			weight;
		Size		size;
		char	   *res;
		uint16		header;

		v = q->w[0];
		for (i = 4; i >= 0; i--)
		{
			digits[i] = (int16) (v % 10000);
			v /= 10000;
		}
		digits[9] = (int16) ((f % 100) * 100);
		v = f / 100;
		for (i = 8; i >= 5; i--)
		{
			digits[i] = (int16) (v % 10000);
			v /= 10000;
		}
		for (first = 0; first < 10 && digits[first] == 0; first++)
			;
		for (last = 9; last >= first && digits[last] == 0; last--)
			;
		ndigits = last - first + 1;
		/* zero: no digits, weight 0 (make_result's convention) */
		weight = ndigits > 0 ? 4 - first : 0;
		size = LEND_NUMERIC_HDRSZ_SHORT + ndigits * sizeof(int16);
		res = palloc(size);
		SET_VARSIZE(res, size);
		header = LEND_NUMERIC_SHORT | (18 << LEND_NUMERIC_DSCALE_SHIFT) |
			(weight < 0 ? LEND_NUMERIC_WEIGHT_SIGN : 0) |
			(weight & LEND_NUMERIC_WEIGHT_MASK);
		memcpy(res + VARHDRSZ, &header, sizeof(uint16));
		if (ndigits > 0)
			memcpy(res + LEND_NUMERIC_HDRSZ_SHORT, digits + first, ndigits * sizeof(int16));
		return PointerGetDatum(res);
	}
	len = Uint256ToDecimal(q, text);
	snprintf(text + len, sizeof(text) - len, ".%018" INT64_MODIFIER "u", f);
	return DirectFunctionCall3(numeric_in, CStringGetDatum(text),
							   ObjectIdGetDatum(InvalidOid), Int32GetDatum(-1));
}
