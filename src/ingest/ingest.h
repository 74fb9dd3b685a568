/*
 * src/ingest/ingest.h
 *
 * The ingest worker: one per enabled chain, started by the launcher.  It
 * follows the head (blocks), rolls back reorgs, backfills the logs of
 * watched contracts with an adaptive eth_getLogs range, and records its
 * progress in amplified.ingest_cursors and amplified.ingest_status.
 */
#ifndef AMPLIFIED_INGEST_H
#define AMPLIFIED_INGEST_H

#include "postgres.h"

#include "rpc/rpc.h"

#define INGEST_HASH_LEN		66		/* "0x" + 64 hex digits */
#define INGEST_ADDRESS_LEN	42		/* "0x" + 40 hex digits */

/* A block header as the node gave it (hex strings validated). */
typedef struct IngestBlock
{
	int64		number;
	char		hash[INGEST_HASH_LEN + 1];
	char		parent_hash[INGEST_HASH_LEN + 1];
	int64		timestamp;
	char	   *base_fee;		/* 0x quantity, or NULL before London */
} IngestBlock;

/*
 * A log as the node gave it, validated and decoded to bytes (the block hash
 * stays hex: it is only compared with headers).
 */
typedef struct IngestLog
{
	int64		block_number;
	char		block_hash[INGEST_HASH_LEN + 1];
	uint8		tx_hash[32];
	int32		tx_index;
	int32		log_index;
	uint8		address[20];
	int			ntopics;
	uint8		topics[4][32];
	bytea	   *data;
} IngestLog;

/*
 * An event decoder of the registry amplified.ingest_event_decoders, as the
 * worker loads it at each step (registry.c): the event's topic 0 (keccak-256
 * of its signature, computed by the table), its shape, its target table in
 * the extension's schema, and where each column after (chain_id,
 * block_number, log_index) comes from.  A decoded event is its log's key
 * plus one value per column, in the spec's order.
 */
#define INGEST_EV_MAX_COLS		16

/* Where a column's value comes from: the emitter, topic i (1..3), data word i. */
#define INGEST_SRC_EMITTER		(-1)
#define INGEST_SRC_WORD(i)		(4 + (i))

typedef enum IngestColType
{
	INGEST_COL_ADDRESS,			/* amplified.address: a word with 12 zero bytes */
	INGEST_COL_INT24,			/* integer: a word sign-extended from 3 bytes */
	INGEST_COL_UINT256,			/* amplified.uint256: the word */
	INGEST_COL_INT256,			/* amplified.int256: the word, two's complement */
	INGEST_COL_BYTES32			/* amplified.bytes32: the word as it is (an id, a hash) */
} IngestColType;

typedef struct IngestEventColumn
{
	char	   *name;			/* the target's column */
	int			src;			/* INGEST_SRC_EMITTER, 1..3, or INGEST_SRC_WORD(i) */
	IngestColType type;
} IngestEventColumn;

typedef struct IngestEventSpec
{
	char	   *name;			/* the registry row's name */
	char	   *table;			/* in the extension's schema */
	uint8		topic0[32];
	int			ntopics;		/* topic 0 included */
	int			data_len;		/* bytes */
	int			ncols;
	IngestEventColumn cols[INGEST_EV_MAX_COLS];
} IngestEventSpec;

/* A decoded column: an address (20 bytes) or 256-bit word (32), into the log, or an int24. */
typedef union IngestEventValue
{
	const uint8 *bytes;
	int32		int24;
} IngestEventValue;

typedef struct IngestEvent
{
	int			spec;			/* index into the specs it was decoded with */
	IngestEventValue vals[INGEST_EV_MAX_COLS];
} IngestEvent;

/* One eth_call at a block hash (EIP-1898) and its answer. */
typedef struct IngestRead
{
	int64		block_number;
	const char *block_hash;
	const char *address;		/* "0x..." */
	const char *read;			/* the function signature, as in state_reads */
	const char *arg;			/* its argument as text, "" for none */
	const char *calldata;		/* "0x..." */
	char	   *result;			/* "0x..." on success */
	char	   *error;			/* the node's error otherwise */
} IngestRead;

/* fetch.c: the node's view, validated */
extern void IngestFetchBlockList(RpcTarget *target, const int64 *numbers, int n,
								 IngestBlock *out);
extern void IngestFetchBlocks(RpcTarget *target, int64 from, int64 to, IngestBlock *out);
extern IngestBlock *IngestFetchBlock(RpcTarget *target, int64 number);
extern const char *IngestFetchLogs(RpcTarget *target, int64 from, int64 to,
								   char **addresses, int naddresses,
								   IngestLog **logs, int *nlogs);

extern void IngestFetchReads(RpcTarget *target, IngestRead *reads, int n);

/* decode.c: typed events from logs, in C (ingest_decode() is the SQL twin) */
extern bool IngestDecodeLog(const IngestLog *log, const IngestEventSpec *specs, int nspecs,
							IngestEvent *ev);

/* registry.c: the event decoders registered in amplified.ingest_event_decoders */
extern IngestEventSpec *IngestLoadEventSpecs(int *nspecs);

/* store.c: bulk writes of what a step fetched */
extern void IngestStoreBlocks(int64 chain_id, IngestBlock *blocks, int n);
extern int64 IngestStoreLogs(int64 chain_id, IngestLog *logs, int n);

/* worker.c */
extern void IngestInit(void);
PGDLLEXPORT extern void IngestMain(Datum main_arg);

#endif							/* AMPLIFIED_INGEST_H */
