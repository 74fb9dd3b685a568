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

/* A log as the node gave it. */
typedef struct IngestLog
{
	int64		block_number;
	char		block_hash[INGEST_HASH_LEN + 1];
	char		tx_hash[INGEST_HASH_LEN + 1];
	int32		tx_index;
	int32		log_index;
	char		address[INGEST_ADDRESS_LEN + 1];
	int			ntopics;
	char		topics[4][INGEST_HASH_LEN + 1];
	char	   *data;			/* "0x..." */
} IngestLog;

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

/* worker.c */
PGDLLEXPORT extern void IngestMain(Datum main_arg);

#endif							/* AMPLIFIED_INGEST_H */
