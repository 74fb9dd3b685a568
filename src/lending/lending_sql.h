/*
 * src/lending/lending_sql.h
 *
 * What the lending wrappers (morpho_sql.c, aave_sql.c) share to build their
 * results fast when called once per row: a composite result whose layout is
 * worked out once per call site (LendResult, kept in fn_extra) and then
 * filled field by field into one allocation, and an exact numeric with 18
 * decimals built from its digits rather than from text.
 */
#ifndef AMPLIFIED_LENDING_SQL_H
#define AMPLIFIED_LENDING_SQL_H

#include "postgres.h"

#include "access/tupdesc.h"
#include "fmgr.h"

#include "evm/evm.h"

/*
 * A function's composite result type and, when every field has a fixed
 * length, where each field lies in the tuple: what heap_form_tuple would
 * work out again for every row.
 */
typedef struct LendResult
{
	TupleDesc	tupdesc;		/* blessed, in fn_mcxt */
	bool		fixed;			/* every field fixed-length: the fast layout applies */
	uint32		hoff;			/* header size (no null bitmap) */
	uint32		len;			/* the whole tuple's length */
	uint32	   *off;			/* each field's offset from the data start */
} LendResult;

extern LendResult *LendResultGet(FunctionCallInfo fcinfo);
extern Datum LendResultForm(const LendResult *res, const Datum *values);
extern Datum LendWadNumeric(const Uint256 *q, uint64 f);

#endif							/* AMPLIFIED_LENDING_SQL_H */
