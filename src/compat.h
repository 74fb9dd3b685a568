/*
 * src/compat.h
 *
 * Every difference between the PostgreSQL major versions amplified builds
 * against is absorbed here and nowhere else.  The target is PostgreSQL 15;
 * 16 and 17 follow through the shims below.
 */
#ifndef AMPLIFIED_COMPAT_H
#define AMPLIFIED_COMPAT_H

#include "postgres.h"

#if PG_VERSION_NUM < 150000
#error "amplified requires PostgreSQL 15 or later"
#endif

/*
 * Soft input errors (pg_input_is_valid) arrived in PostgreSQL 16.  On 15 an
 * input function has no escape context, so AmpEreturn raises a plain error;
 * on 16+ it reports into fcinfo->context when the caller asked for that.
 * Usage: AmpEreturn(fcinfo->context, (Datum) 0, errcode(...), errmsg(...));
 */
#if PG_VERSION_NUM >= 160000
#include "nodes/miscnodes.h"
#define AmpEreturn(context, dummy, ...) ereturn((context), (dummy), __VA_ARGS__)
#define AmpSoftErrorOccurred(context) SOFT_ERROR_OCCURRED(context)
#else
#define AmpEreturn(context, dummy, ...) \
	do { \
		(void) (context); \
		ereport(ERROR, __VA_ARGS__); \
		return (dummy); \
	} while (0)
#define AmpSoftErrorOccurred(context) false
#endif

/*
 * JSON parser callbacks return void in 15 and JsonParseErrorType from 16 on.
 * Write them as "static AMP_JSON_CB name(...) { ...; AMP_JSON_CB_DONE; }".
 */
#if PG_VERSION_NUM >= 160000
#define AMP_JSON_CB JsonParseErrorType
#define AMP_JSON_CB_DONE return JSON_SUCCESS
#define AmpMakeJsonLexContext(json, len, enc) makeJsonLexContextCstringLen(NULL, (json), (len), (enc), true)
#else
#define AMP_JSON_CB void
#define AMP_JSON_CB_DONE return
#define AmpMakeJsonLexContext(json, len, enc) makeJsonLexContextCstringLen((json), (len), (enc), true)
#endif

/*
 * The executor calls of src/ingest/store.c's direct inserts.
 *
 * ExecInitRangeTable takes the range table's RTEPermissionInfos from 16 on
 * (the RTE points at its entry through perminfoindex, which the executor
 * dereferences), and the set of unpruned relations from 18 on.
 * AmpExecInitRangeTable(estate, rte) sets up a range table of that one
 * relation.
 *
 * ExecInsertIndexTuples takes "onlySummarizing" from 16 on (false: every
 * index, as for an INSERT).
 */
#if PG_VERSION_NUM >= 160000
#include "parser/parse_relation.h"
#endif
#if PG_VERSION_NUM >= 180000
#define AmpExecInitRangeTable(estate, rte) \
	do { \
		List	   *perminfos_ = NIL; \
		addRTEPermissionInfo(&perminfos_, (rte)); \
		ExecInitRangeTable((estate), list_make1(rte), perminfos_, bms_make_singleton(1)); \
	} while (0)
#elif PG_VERSION_NUM >= 160000
#define AmpExecInitRangeTable(estate, rte) \
	do { \
		List	   *perminfos_ = NIL; \
		addRTEPermissionInfo(&perminfos_, (rte)); \
		ExecInitRangeTable((estate), list_make1(rte), perminfos_); \
	} while (0)
#else
#define AmpExecInitRangeTable(estate, rte) ExecInitRangeTable((estate), list_make1(rte))
#endif

#if PG_VERSION_NUM >= 160000
#define AmpExecInsertIndexTuples(rri, slot, estate) \
	ExecInsertIndexTuples((rri), (slot), (estate), false, false, NULL, NIL, false)
#else
#define AmpExecInsertIndexTuples(rri, slot, estate) \
	ExecInsertIndexTuples((rri), (slot), (estate), false, false, NULL, NIL)
#endif

/*
 * BackgroundWorker type names longer than this are truncated by the server.
 */
#define AMP_BGW_MAXLEN BGW_MAXLEN

/*
 * The map that turns a row of a partitioned table into its partition's
 * layout (NULL when they agree): a field until 15, a function from 16.
 */
#if PG_VERSION_NUM >= 160000
#define AmpRootToPartitionMap(rri, estate) ExecGetRootToChildMap((rri), (estate))
#else
#define AmpRootToPartitionMap(rri, estate) ((rri)->ri_RootToPartitionMap)
#endif

#endif							/* AMPLIFIED_COMPAT_H */
