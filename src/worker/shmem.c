/*
 * src/worker/shmem.c
 *
 * amplified's shared memory: one slot per background worker, written by the
 * launcher (which worker a slot is for) and by the worker itself (pid, latch,
 * state, last error), all under one LWLock.  Also the common chores of every
 * amplified worker: attaching to its slot, recording its state, surviving an
 * error in one iteration, and waking another worker when a transaction
 * commits (the way an enqueue will wake the tx worker).
 */
#include "postgres.h"

#include "access/xact.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "postmaster/bgworker.h"
#include "postmaster/interrupt.h"
#include "storage/ipc.h"
#include "storage/proc.h"
#include "storage/shmem.h"
#include "tcop/tcopprot.h"
#include "utils/guc.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"

#include "amplified.h"
#include "worker/worker.h"

AmpSharedState *AmpShared = NULL;

static shmem_request_hook_type prev_shmem_request_hook = NULL;
static shmem_startup_hook_type prev_shmem_startup_hook = NULL;

/* This process's slot, when it is an amplified worker. */
static int	my_slotno = -1;
static uint32 my_generation = 0;

/* Wake-ups this backend asked for, sent when its transaction commits. */
static bool *pending_wakeups = NULL;
static bool xact_callback_registered = false;

/* Bytes of shared memory amplified needs. */
static Size
AmpShmemSize(void)
{
	return add_size(offsetof(AmpSharedState, slots),
					mul_size(AmpMaxWorkers, sizeof(WorkerSlot)));
}

/* shmem_request_hook: ask for our memory and our lock (the PG15 way). */
static void
AmpShmemRequest(void)
{
	if (prev_shmem_request_hook)
		prev_shmem_request_hook();
	RequestAddinShmemSpace(AmpShmemSize());
	RequestNamedLWLockTranche("amplified", 1);
}

/* shmem_startup_hook: create (or, in EXEC_BACKEND builds, find) the state. */
static void
AmpShmemStartup(void)
{
	bool		found;

	if (prev_shmem_startup_hook)
		prev_shmem_startup_hook();

	LWLockAcquire(AddinShmemInitLock, LW_EXCLUSIVE);
	AmpShared = ShmemInitStruct("amplified", AmpShmemSize(), &found);
	if (!found)
	{
		memset(AmpShared, 0, AmpShmemSize());
		AmpShared->lock = &(GetNamedLWLockTranche("amplified"))->lock;
		AmpShared->nslots = AmpMaxWorkers;
		AmpShared->slots[LAUNCHER_SLOT].in_use = true;
		strlcpy(AmpShared->slots[LAUNCHER_SLOT].kind, "launcher", WORKER_KIND_LEN);
		strlcpy(AmpShared->slots[LAUNCHER_SLOT].state, "starting", WORKER_STATE_LEN);
	}
	LWLockRelease(AddinShmemInitLock);
}

/*
 * Called from _PG_init when preloaded: hooks for shared memory, the launcher,
 * and the one worker kind this module owns (other modules register theirs
 * from their own init functions).
 */
void
WorkerInit(void)
{
	prev_shmem_request_hook = shmem_request_hook;
	shmem_request_hook = AmpShmemRequest;
	prev_shmem_startup_hook = shmem_startup_hook;
	shmem_startup_hook = AmpShmemStartup;

	LauncherRegister();
	WorkerRegisterKind(&HeartbeatWorkerKind);
}

/* on_shmem_exit: the worker leaves its slot; the launcher sees it stopped. */
static void
WorkerDetach(int code, Datum arg)
{
	WorkerSlot *slot;

	if (AmpShared == NULL || my_slotno < 0)
		return;
	LWLockAcquire(AmpShared->lock, LW_EXCLUSIVE);
	slot = &AmpShared->slots[my_slotno];
	if (slot->pid == MyProcPid)
	{
		/* Dying while connecting: the FATAL that says why is in the log. */
		if (strcmp(slot->state, "connecting") == 0)
			snprintf(slot->last_error, WORKER_ERROR_LEN,
					 "%s failed; the server log has the reason", slot->detail);
		slot->pid = 0;
		slot->latch = NULL;
		strlcpy(slot->state, code == 0 ? "stopped" : "exited", WORKER_STATE_LEN);
		slot->updated_at = GetCurrentTimestamp();
	}
	LWLockRelease(AmpShared->lock);
	my_slotno = -1;
}

/*
 * Claim slot "slotno" for this process.  The launcher filled in the kind and
 * generation before starting us; a mismatch means the slot was given to
 * another worker meanwhile, and a live pid means a twin already runs.  Either
 * way the caller must exit.
 */
bool
WorkerAttachSlot(int slotno, uint32 generation, const char *kind)
{
	WorkerSlot *slot;
	bool		ok;

	if (AmpShared == NULL || slotno < 0 || slotno >= AmpShared->nslots)
		return false;

	LWLockAcquire(AmpShared->lock, LW_EXCLUSIVE);
	slot = &AmpShared->slots[slotno];
	ok = slot->in_use &&
		strcmp(slot->kind, kind) == 0 &&
		(slotno == LAUNCHER_SLOT || slot->generation == generation) &&
		(slot->pid == 0 || slot->pid == MyProcPid || kill(slot->pid, 0) != 0);
	if (ok)
	{
		slot->pid = MyProcPid;
		slot->latch = MyLatch;
		slot->started_at = slot->updated_at = GetCurrentTimestamp();
		strlcpy(slot->state, "starting", WORKER_STATE_LEN);
		slot->detail[0] = '\0';
		my_slotno = slotno;
		my_generation = slot->generation;
	}
	LWLockRelease(AmpShared->lock);

	if (ok)
		on_shmem_exit(WorkerDetach, (Datum) 0);
	return ok;
}

/* Is the slot this worker attached to still given to it? */
bool
WorkerSlotIsMine(void)
{
	WorkerSlot *slot;
	bool		mine;

	if (AmpShared == NULL || my_slotno < 0)
		return false;
	LWLockAcquire(AmpShared->lock, LW_SHARED);
	slot = &AmpShared->slots[my_slotno];
	mine = slot->in_use && slot->pid == MyProcPid && slot->generation == my_generation;
	LWLockRelease(AmpShared->lock);
	return mine;
}

/* The chain this worker's slot was started for (0 when not per chain). */
int64
WorkerMyChainId(void)
{
	int64		chain_id;

	if (AmpShared == NULL || my_slotno < 0)
		return 0;
	LWLockAcquire(AmpShared->lock, LW_SHARED);
	chain_id = AmpShared->slots[my_slotno].chain_id;
	LWLockRelease(AmpShared->lock);
	return chain_id;
}

/* Record this worker's state and why (detail may be NULL for none). */
void
WorkerSetState(const char *state, const char *detail)
{
	WorkerSlot *slot;

	if (AmpShared == NULL || my_slotno < 0)
		return;
	LWLockAcquire(AmpShared->lock, LW_EXCLUSIVE);
	slot = &AmpShared->slots[my_slotno];
	if (strcmp(slot->state, state) != 0 || strcmp(slot->detail, detail ? detail : "") != 0)
		slot->updated_at = GetCurrentTimestamp();
	strlcpy(slot->state, state, WORKER_STATE_LEN);
	strlcpy(slot->detail, detail ? detail : "", WORKER_DETAIL_LEN);
	LWLockRelease(AmpShared->lock);
}

/* Record the last error this worker met; it stays until the next one. */
void
WorkerSetError(const char *message)
{
	WorkerSlot *slot;

	if (AmpShared == NULL || my_slotno < 0)
		return;
	LWLockAcquire(AmpShared->lock, LW_EXCLUSIVE);
	slot = &AmpShared->slots[my_slotno];
	strlcpy(slot->last_error, message, WORKER_ERROR_LEN);
	slot->updated_at = GetCurrentTimestamp();
	LWLockRelease(AmpShared->lock);
}

/* A copy of this worker's last error ("" when none). */
char *
WorkerLastError(void)
{
	char		buf[WORKER_ERROR_LEN];

	buf[0] = '\0';
	if (AmpShared != NULL && my_slotno >= 0)
	{
		LWLockAcquire(AmpShared->lock, LW_SHARED);
		strlcpy(buf, AmpShared->slots[my_slotno].last_error, sizeof(buf));
		LWLockRelease(AmpShared->lock);
	}
	return pstrdup(buf);
}

/*
 * Run fn(arg), which may start and commit transactions, so that an ERROR in
 * it is logged once, recorded as the slot's last error, and rolled back,
 * instead of ending the worker.  Returns false when fn failed.  cxt is the
 * caller's per-iteration context; it is reset by the caller, not here.
 */
bool
WorkerRunGuarded(void (*fn) (void *), void *arg, MemoryContext cxt)
{
	volatile bool ok = true;

	PG_TRY();
	{
		fn(arg);
	}
	PG_CATCH();
	{
		ErrorData  *edata;

		/* Copy the error out of ErrorContext before cleaning up. */
		MemoryContextSwitchTo(cxt);
		edata = CopyErrorData();

		HOLD_INTERRUPTS();
		EmitErrorReport();
		AbortOutOfAnyTransaction();
		FlushErrorState();
		RESUME_INTERRUPTS();

		/* The detail often says why (the last endpoint's failure, say). */
		if (edata->detail != NULL)
			WorkerSetError(psprintf("%s: %s", edata->message ? edata->message : "unknown error",
									edata->detail));
		else
			WorkerSetError(edata->message ? edata->message : "unknown error");
		ok = false;
	}
	PG_END_TRY();
	return ok;
}

/* SIGHUP and SIGTERM, the way every amplified worker handles them. */
void
WorkerHandleSignals(void)
{
	pqsignal(SIGHUP, SignalHandlerForConfigReload);
	pqsignal(SIGTERM, die);
	BackgroundWorkerUnblockSignals();
}

/* Transaction callback: send the wake-ups of a committed transaction. */
static void
WorkerXactCallback(XactEvent event, void *arg)
{
	int			i;
	bool		any = false;

	if (pending_wakeups == NULL)
		return;
	for (i = 0; i < AmpMaxWorkers; i++)
		any |= pending_wakeups[i];
	if (!any)
		return;

	switch (event)
	{
		case XACT_EVENT_COMMIT:
		case XACT_EVENT_PARALLEL_COMMIT:
			LWLockAcquire(AmpShared->lock, LW_EXCLUSIVE);
			for (i = 0; i < AmpShared->nslots; i++)
			{
				WorkerSlot *slot = &AmpShared->slots[i];

				if (!pending_wakeups[i])
					continue;
				AmpShared->wakeups_requested++;
				if (slot->in_use && slot->pid != 0 && slot->latch != NULL)
					SetLatch(slot->latch);
			}
			LWLockRelease(AmpShared->lock);
			memset(pending_wakeups, 0, sizeof(bool) * AmpMaxWorkers);
			break;
		case XACT_EVENT_ABORT:
		case XACT_EVENT_PARALLEL_ABORT:
		case XACT_EVENT_PREPARE:
			/* Not committed here: the worker's polling picks it up later. */
			memset(pending_wakeups, 0, sizeof(bool) * AmpMaxWorkers);
			break;
		default:
			break;
	}
}

/*
 * Ask for the worker in slotno to be woken when the current transaction
 * commits, so that it sees what the transaction wrote; nothing happens on
 * rollback.  The workers poll as well, so a lost wake-up only costs latency.
 */
void
WorkerWakeAtCommit(int slotno)
{
	if (AmpShared == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("amplified background workers are not running"),
				 errhint("Add amplified to shared_preload_libraries and restart the server.")));
	Assert(slotno >= 0 && slotno < AmpShared->nslots);

	if (pending_wakeups == NULL)
		pending_wakeups = MemoryContextAllocZero(TopMemoryContext,
												 sizeof(bool) * AmpMaxWorkers);
	if (!xact_callback_registered)
	{
		RegisterXactCallback(WorkerXactCallback, NULL);
		xact_callback_registered = true;
	}
	pending_wakeups[slotno] = true;
}

/*
 * Ask for every running worker of a kind (on one chain, or on every chain
 * when chain_id is 0) to be woken when the current transaction commits.
 * The slots are looked up now; a worker started after this call reads the
 * committed state when it starts, so it needs no wake-up.  Without shared
 * memory (not preloaded) there are no workers to wake and this does nothing;
 * nor does it in a background worker of ours, whose own writes must not wake
 * it (or its peers) into a busy loop.
 */
void
WorkerWakeKindAtCommit(const char *kind, int64 chain_id)
{
	int			i;

	/* A worker of that kind never needs waking by its own writes. */
	if (AmpShared == NULL || my_slotno >= 0)
		return;
	LWLockAcquire(AmpShared->lock, LW_SHARED);
	for (i = 1; i < AmpShared->nslots; i++)
	{
		WorkerSlot *slot = &AmpShared->slots[i];

		if (slot->in_use && strcmp(slot->kind, kind) == 0 &&
			(chain_id == 0 || slot->chain_id == chain_id))
		{
			LWLockRelease(AmpShared->lock);
			WorkerWakeAtCommit(i);
			LWLockAcquire(AmpShared->lock, LW_SHARED);
		}
	}
	LWLockRelease(AmpShared->lock);
}

/*
 * The start of every dynamic worker: signal handlers, its slot (or a quiet
 * exit when the launcher gave the slot away meanwhile), a connection to the
 * launcher's database, and the name pg_stat_activity shows.
 */
void
WorkerStart(Datum main_arg, const char *kind, const char *appname)
{
	WorkerStartInfo info;

	WorkerHandleSignals();
	memcpy(&info, MyBgworkerEntry->bgw_extra, sizeof(info));
	if (!WorkerAttachSlot(DatumGetInt32(main_arg), info.generation, kind))
		proc_exit(0);
	BackgroundWorkerInitializeConnectionByOid(info.database, InvalidOid, 0);
	pgstat_report_appname(appname);
}
