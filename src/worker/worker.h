/*
 * src/worker/worker.h
 *
 * The worker module: shared memory, the launcher background worker, the
 * registry of the dynamic worker kinds it starts (filled by the modules that
 * own them: the heartbeat here, the ingest and tx workers per chain), their
 * slots, and wake-ups at commit.
 */
#ifndef AMPLIFIED_WORKER_H
#define AMPLIFIED_WORKER_H

#include "postgres.h"

#include "datatype/timestamp.h"
#include "storage/latch.h"
#include "storage/lwlock.h"

#define WORKER_KIND_LEN		24
#define WORKER_STATE_LEN	32
#define WORKER_ERROR_LEN	256
#define WORKER_DETAIL_LEN	128

/* The slot that always belongs to the launcher. */
#define LAUNCHER_SLOT		0

/*
 * One running (or wanted) worker.  Written by the worker itself (pid, latch,
 * state, error) and by the launcher (kind, chain, in_use), always under
 * AmpShared->lock.  "generation" tells a worker started for an earlier use
 * of the slot that the slot is no longer its own.
 */
typedef struct WorkerSlot
{
	bool		in_use;
	char		kind[WORKER_KIND_LEN];
	int64		chain_id;			/* 0 when the worker is not per chain */
	uint32		generation;
	pid_t		pid;				/* 0 while not running */
	Latch	   *latch;				/* the worker's process latch, or NULL */
	char		state[WORKER_STATE_LEN];
	char		detail[WORKER_DETAIL_LEN];	/* why it is in that state */
	char		last_error[WORKER_ERROR_LEN];
	TimestampTz started_at;
	TimestampTz updated_at;
	int32		restarts;			/* times the launcher restarted it */
} WorkerSlot;

/* amplified's shared memory. */
typedef struct AmpSharedState
{
	LWLock	   *lock;
	uint64		wakeups_requested;	/* wake-ups sent at commit, ever */
	int			nslots;
	WorkerSlot	slots[FLEXIBLE_ARRAY_MEMBER];
} AmpSharedState;

extern AmpSharedState *AmpShared;

/* What a launcher passes to a dynamic worker in bgw_extra. */
typedef struct WorkerStartInfo
{
	uint32		generation;
	Oid			database;
} WorkerStartInfo;

/*
 * A kind of dynamic worker, registered by the module that owns it from its
 * init function (see kinds.c and docs/workers.md).  "wanted" names a function
 * of the extension's schema, owned by the extension's owner, that takes no
 * argument and returns SETOF bigint: the chain ids for which a worker of
 * this kind must run (0 for one worker that is not per chain).
 */
typedef struct WorkerKind
{
	const char *name;			/* slot kind, as amplified.workers() shows it */
	const char *function;		/* entry point in this library */
	const char *bgw_type;		/* backend_type in pg_stat_activity */
	const char *wanted;			/* SQL function: which workers to run */
} WorkerKind;

#define WORKER_MAX_KINDS	16

/* kinds.c */
extern void WorkerRegisterKind(const WorkerKind *kind);
extern int	WorkerKindCount(void);
extern const WorkerKind *WorkerKindAt(int i);
extern const WorkerKind *WorkerKindByName(const char *name);

/* shmem.c */
extern void WorkerInit(void);
extern bool WorkerAttachSlot(int slotno, uint32 generation, const char *kind);
extern bool WorkerSlotIsMine(void);
extern int64 WorkerMyChainId(void);
extern void WorkerSetState(const char *state, const char *detail);
extern void WorkerSetError(const char *message);
extern char *WorkerLastError(void);
extern bool WorkerRunGuarded(void (*fn) (void *), void *arg, MemoryContext cxt);
extern void WorkerWakeAtCommit(int slotno);
extern void WorkerWakeKindAtCommit(const char *kind, int64 chain_id);
extern void WorkerHandleSignals(void);
extern void WorkerStart(Datum main_arg, const char *kind, const char *appname);

/* launcher.c */
PGDLLEXPORT extern void LauncherMain(Datum main_arg);
extern void LauncherRegister(void);

/* heartbeat.c */
extern const WorkerKind HeartbeatWorkerKind;
PGDLLEXPORT extern void HeartbeatMain(Datum main_arg);

#endif							/* AMPLIFIED_WORKER_H */
