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
 * The events decode.c knows, one typed table each.  A decoded event is its
 * log's key plus addresses, ticks and 256-bit numbers, in the order of the
 * table's columns named by IngestEventColumns().
 */
typedef enum IngestEventKind
{
	INGEST_EV_TRANSFER,
	INGEST_EV_SWAP,
	INGEST_EV_MINT,
	INGEST_EV_BURN,
	INGEST_EV_COLLECT,
	INGEST_NEVENTS
} IngestEventKind;

#define INGEST_EV_MAX_ADDRS		3
#define INGEST_EV_MAX_TICKS		2
#define INGEST_EV_MAX_NUMS		4

typedef struct IngestEventSpec
{
	const char *table;			/* in the extension's schema */
	const char *signature;		/* topic 0 is its keccak-256 */
	int			ntopics;		/* topic 0 included */
	int			data_len;		/* bytes */
	int			naddrs;			/* the emitting contract included */
	int			nticks;
	int			nnums;
	const char *columns;		/* after chain_id, block_number, log_index */
	bool		num_signed[INGEST_EV_MAX_NUMS];	/* int256 rather than uint256 */
	int8		addr_src[INGEST_EV_MAX_ADDRS - 1];	/* after the emitter */
	int8		tick_src[INGEST_EV_MAX_TICKS];
	int8		num_src[INGEST_EV_MAX_NUMS];
} IngestEventSpec;

typedef struct IngestEvent
{
	IngestEventKind kind;
	const uint8 *addrs[INGEST_EV_MAX_ADDRS];	/* 20 bytes each, into the log */
	int32		ticks[INGEST_EV_MAX_TICKS];
	const uint8 *nums[INGEST_EV_MAX_NUMS];	/* 32-byte big-endian words, into the log */
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
extern const IngestEventSpec IngestEventSpecs[INGEST_NEVENTS];
extern void IngestEventTopics(uint8 topics[INGEST_NEVENTS][32]);
extern bool IngestDecodeLog(const IngestLog *log, const uint8 topics[INGEST_NEVENTS][32],
							IngestEvent *ev);

/* store.c: bulk writes of what a step fetched */
extern void IngestStoreBlocks(int64 chain_id, IngestBlock *blocks, int n);
extern int64 IngestStoreLogs(int64 chain_id, IngestLog *logs, int n);

/* worker.c */
extern void IngestInit(void);
PGDLLEXPORT extern void IngestMain(Datum main_arg);

#endif							/* AMPLIFIED_INGEST_H */
