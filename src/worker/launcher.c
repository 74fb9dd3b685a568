/*
 * src/worker/launcher.c
 *
 * The launcher: one static background worker, registered when amplified is
 * preloaded, that connects to amplified.database and keeps the dynamic
 * workers running that the configuration asks for.  It knows no module by
 * name: the kinds of worker are those the modules registered (kinds.c), and
 * each kind's SQL "wanted" function says for which chains a worker of that
 * kind must run.  The launcher idles until the extension exists, idles on a
 * hot standby, restarts workers that died with a growing delay, stops the
 * ones no longer wanted, and restarts itself when amplified.database
 * changes.  Children are stopped when the launcher exits, so a new launcher
 * never finds orphans running.
 */
#include "postgres.h"

#include "access/xact.h"
#include "access/xlog.h"
#include "catalog/namespace.h"
#include "catalog/pg_proc.h"
#include "catalog/pg_type.h"
#include "commands/extension.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "postmaster/bgworker.h"
#include "postmaster/interrupt.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "tcop/tcopprot.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"
#include "utils/syscache.h"
#include "utils/timestamp.h"

#include "amplified.h"
#include "worker/worker.h"

/* Restart delays for a worker that exited: doubling from the first to the cap. */
#define RESTART_DELAY_FIRST_MS	1000
#define RESTART_DELAY_MAX_MS	60000
/* A worker that ran this long without exiting starts over at the first delay. */
#define RESTART_DELAY_RESET_MS	60000
/* How often the launcher of a hot standby checks whether it was promoted. */
#define LAUNCHER_STANDBY_POLL_MS	1000

/* A worker the configuration asks for. */
typedef struct WantedWorker
{
	const WorkerKind *kind;
	int64		chain_id;
} WantedWorker;

/* What only the launcher knows about each slot. */
typedef struct LauncherSlot
{
	BackgroundWorkerHandle *handle;
	TimestampTz restart_at;		/* 0: no restart pending */
	int			delay_ms;		/* next restart delay */
} LauncherSlot;

static LauncherSlot *lslots = NULL;
static char *connected_database = NULL;
static MemoryContext launcher_cxt = NULL;
static MemoryContext iteration_cxt = NULL;

/* Register the launcher with the postmaster (from _PG_init, preloaded only). */
void
LauncherRegister(void)
{
	BackgroundWorker bgw;

	memset(&bgw, 0, sizeof(bgw));
	bgw.bgw_flags = BGWORKER_SHMEM_ACCESS | BGWORKER_BACKEND_DATABASE_CONNECTION;
	bgw.bgw_start_time = BgWorkerStart_ConsistentState;
	bgw.bgw_restart_time = 10;
	strlcpy(bgw.bgw_library_name, "amplified", BGW_MAXLEN);
	strlcpy(bgw.bgw_function_name, "LauncherMain", BGW_MAXLEN);
	strlcpy(bgw.bgw_name, "amplified launcher", BGW_MAXLEN);
	strlcpy(bgw.bgw_type, "amplified launcher", BGW_MAXLEN);
	RegisterBackgroundWorker(&bgw);
}

/* before_shmem_exit: stop every child, so that none outlives the launcher. */
static void
LauncherStopChildren(int code, Datum arg)
{
	int			i;

	if (lslots == NULL)
		return;
	for (i = 0; i < AmpShared->nslots; i++)
		if (lslots[i].handle != NULL)
			TerminateBackgroundWorker(lslots[i].handle);
}

/* Ask slot i's worker to stop (it is still in use until it has stopped). */
static void
LauncherStopSlot(int i)
{
	if (lslots[i].handle != NULL)
		TerminateBackgroundWorker(lslots[i].handle);
}

/* Give slot i up once its worker is gone. */
static void
LauncherFreeSlot(int i)
{
	LWLockAcquire(AmpShared->lock, LW_EXCLUSIVE);
	AmpShared->slots[i].in_use = false;
	AmpShared->slots[i].pid = 0;
	AmpShared->slots[i].latch = NULL;
	LWLockRelease(AmpShared->lock);
	if (lslots[i].handle != NULL)
		pfree(lslots[i].handle);
	memset(&lslots[i], 0, sizeof(LauncherSlot));
}

/* Start (or restart) the worker of slot i; false when the postmaster refused. */
static bool
LauncherStartSlot(int i, const WorkerKind *kind, int64 chain_id)
{
	BackgroundWorker bgw;
	WorkerStartInfo info;
	WorkerSlot *slot = &AmpShared->slots[i];
	MemoryContext old;
	bool		ok;

	LWLockAcquire(AmpShared->lock, LW_EXCLUSIVE);
	if (slot->in_use)
		slot->restarts++;
	else
	{
		memset(slot, 0, sizeof(WorkerSlot));
		slot->in_use = true;
		strlcpy(slot->kind, kind->name, WORKER_KIND_LEN);
		slot->chain_id = chain_id;
	}
	slot->generation++;
	slot->pid = 0;
	slot->latch = NULL;
	strlcpy(slot->state, "starting", WORKER_STATE_LEN);
	slot->detail[0] = '\0';
	slot->updated_at = GetCurrentTimestamp();
	info.generation = slot->generation;
	info.database = MyDatabaseId;
	LWLockRelease(AmpShared->lock);

	memset(&bgw, 0, sizeof(bgw));
	bgw.bgw_flags = BGWORKER_SHMEM_ACCESS | BGWORKER_BACKEND_DATABASE_CONNECTION;
	bgw.bgw_start_time = BgWorkerStart_RecoveryFinished;
	bgw.bgw_restart_time = BGW_NEVER_RESTART;
	strlcpy(bgw.bgw_library_name, "amplified", BGW_MAXLEN);
	strlcpy(bgw.bgw_function_name, kind->function, BGW_MAXLEN);
	if (chain_id != 0)
		snprintf(bgw.bgw_name, BGW_MAXLEN, "%s for chain " INT64_FORMAT, kind->bgw_type, chain_id);
	else
		strlcpy(bgw.bgw_name, kind->bgw_type, BGW_MAXLEN);
	strlcpy(bgw.bgw_type, kind->bgw_type, BGW_MAXLEN);
	bgw.bgw_main_arg = Int32GetDatum(i);
	memcpy(bgw.bgw_extra, &info, sizeof(info));
	bgw.bgw_notify_pid = MyProcPid;

	if (lslots[i].handle != NULL)
		pfree(lslots[i].handle);
	lslots[i].handle = NULL;
	lslots[i].restart_at = 0;

	/* The handle lives as long as the launcher: allocate it there. */
	old = MemoryContextSwitchTo(launcher_cxt);
	ok = RegisterDynamicBackgroundWorker(&bgw, &lslots[i].handle);
	MemoryContextSwitchTo(old);

	if (!ok)
	{
		lslots[i].handle = NULL;
		LWLockAcquire(AmpShared->lock, LW_EXCLUSIVE);
		strlcpy(slot->state, "failed", WORKER_STATE_LEN);
		strlcpy(slot->last_error,
				"could not register a background worker: max_worker_processes is too low",
				WORKER_ERROR_LEN);
		LWLockRelease(AmpShared->lock);
	}
	return ok;
}

/* Schedule the restart of slot i after its current delay, and grow the delay. */
static void
LauncherScheduleRestart(int i, TimestampTz now)
{
	LauncherSlot *ls = &lslots[i];

	if (ls->delay_ms == 0)
		ls->delay_ms = RESTART_DELAY_FIRST_MS;
	ls->restart_at = TimestampTzPlusMilliseconds(now, ls->delay_ms);
	ls->delay_ms = Min(ls->delay_ms * 2, RESTART_DELAY_MAX_MS);

	LWLockAcquire(AmpShared->lock, LW_EXCLUSIVE);
	strlcpy(AmpShared->slots[i].state, "restarting", WORKER_STATE_LEN);
	snprintf(AmpShared->slots[i].detail, WORKER_DETAIL_LEN,
			 "restart in %d ms", (int) (ls->restart_at - now) / 1000);
	AmpShared->slots[i].updated_at = now;
	LWLockRelease(AmpShared->lock);
}

/*
 * Why kind's wanted function cannot be called, or NULL when it can: it must
 * be a plain function of the extension's schema, owned by the extension's
 * owner, taking no argument and returning SETOF bigint.  The name is unique
 * with no arguments in that schema, so the schema-qualified call reaches
 * exactly the function checked here.
 */
static char *
LauncherCheckWanted(const WorkerKind *kind, Oid nsp, Oid owner)
{
	Oid			fn;
	HeapTuple	tup;
	Form_pg_proc proc;
	char	   *why = NULL;

	fn = GetSysCacheOid3(PROCNAMEARGSNSP, Anum_pg_proc_oid, CStringGetDatum(kind->wanted),
						 PointerGetDatum(buildoidvector(NULL, 0)), ObjectIdGetDatum(nsp));
	if (!OidIsValid(fn))
		return psprintf("worker kind \"%s\": function amplified.%s() does not exist",
						kind->name, kind->wanted);
	tup = SearchSysCache1(PROCOID, ObjectIdGetDatum(fn));
	if (!HeapTupleIsValid(tup))
		elog(ERROR, "cache lookup failed for function %u", fn);
	proc = (Form_pg_proc) GETSTRUCT(tup);
	if (proc->proowner != owner)
		why = psprintf("worker kind \"%s\": function amplified.%s() does not belong to the extension's owner",
					   kind->name, kind->wanted);
	else if (proc->prokind != PROKIND_FUNCTION || proc->prorettype != INT8OID || !proc->proretset)
		why = psprintf("worker kind \"%s\": function amplified.%s() must return SETOF bigint",
					   kind->name, kind->wanted);
	ReleaseSysCache(tup);
	return why;
}

/*
 * The workers the configuration asks for: for each registered kind, in the
 * order of registration, the chains its wanted function returns (ascending).
 * Called inside a transaction in the amplified database with the extension
 * present.  The functions run as the extension's owner, with search_path
 * pinned to pg_catalog, as every registered function does.  A kind whose
 * function is missing or untrusted gets no worker, and the launcher's
 * last_error says why.
 */
static List *
LauncherWantedWorkers(Oid extension)
{
	MemoryContext caller = CurrentMemoryContext;
	List	   *volatile wanted = NIL;
	Oid			nsp;
	Oid			owner;
	Oid			save_userid;
	int			save_sec;
	int			save_nestlevel;
	Oid			argtypes[1] = {OIDOID};
	Datum		values[1] = {ObjectIdGetDatum(extension)};
	bool		isnull;
	int			k;

	SPI_connect();
	PushActiveSnapshot(GetTransactionSnapshot());
	if (SPI_execute_with_args("SELECT e.extowner, e.extnamespace FROM pg_catalog.pg_extension AS e "
							  "WHERE e.oid OPERATOR(pg_catalog.=) $1",
							  1, argtypes, values, NULL, true, 1) != SPI_OK_SELECT ||
		SPI_processed != 1)
		elog(ERROR, "amplified launcher: extension %u not found", extension);
	owner = DatumGetObjectId(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
	nsp = DatumGetObjectId(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2, &isnull));
	GetUserIdAndSecContext(&save_userid, &save_sec);
	save_nestlevel = NewGUCNestLevel();
	(void) set_config_option("search_path", "pg_catalog, pg_temp", PGC_USERSET, PGC_S_SESSION,
							 GUC_ACTION_SAVE, true, 0, false);
	SetUserIdAndSecContext(owner, save_sec | SECURITY_LOCAL_USERID_CHANGE | SECURITY_RESTRICTED_OPERATION);
	PG_TRY();
	{
		for (k = 0; k < WorkerKindCount(); k++)
		{
			const WorkerKind *kind = WorkerKindAt(k);
			char	   *why = LauncherCheckWanted(kind, nsp, owner);
			char	   *sql;
			uint64		i;

			if (why != NULL)
			{
				WorkerSetError(why);
				continue;
			}
			sql = psprintf("SELECT DISTINCT w FROM %s.%s() AS w WHERE w IS NOT NULL ORDER BY 1",
						   quote_identifier(get_namespace_name(nsp)), quote_identifier(kind->wanted));
			if (SPI_execute(sql, true, 0) != SPI_OK_SELECT)
				elog(ERROR, "amplified launcher: could not run %s", sql);
			for (i = 0; i < SPI_processed; i++)
			{
				WantedWorker *w = MemoryContextAllocZero(caller, sizeof(WantedWorker));
				MemoryContext spi;

				w->kind = kind;
				w->chain_id = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1, &isnull));
				/* The list outlives SPI: grow it in the caller's context. */
				spi = MemoryContextSwitchTo(caller);
				wanted = lappend(wanted, w);
				MemoryContextSwitchTo(spi);
			}
		}
	}
	PG_FINALLY();
	{
		SetUserIdAndSecContext(save_userid, save_sec);
	}
	PG_END_TRY();
	AtEOXact_GUC(false, save_nestlevel);
	PopActiveSnapshot();
	SPI_finish();
	return wanted;
}

/* Is (kind, chain) in the wanted list?  Marks the match as seen. */
static bool
LauncherIsWanted(List *wanted, bool *seen, const char *kind, int64 chain_id)
{
	ListCell   *lc;

	foreach(lc, wanted)
	{
		WantedWorker *w = lfirst(lc);

		if (strcmp(w->kind->name, kind) == 0 && w->chain_id == chain_id)
		{
			seen[foreach_current_index(lc)] = true;
			return true;
		}
	}
	return false;
}

/*
 * Bring the running workers in line with the wanted ones.  Returns how long
 * the launcher may sleep before the next pending restart, in milliseconds.
 */
static long
LauncherReconcile(List *wanted)
{
	bool	   *seen = palloc0(sizeof(bool) * (list_length(wanted) + 1));
	TimestampTz now = GetCurrentTimestamp();
	long		sleep_ms = (long) AmpLauncherNaptime * 1000L;
	ListCell   *lc;
	int			i;

	for (i = 1; i < AmpShared->nslots; i++)
	{
		WorkerSlot *slot = &AmpShared->slots[i];
		LauncherSlot *ls = &lslots[i];
		BgwHandleStatus status = BGWH_STOPPED;
		pid_t		pid;
		char		kind[WORKER_KIND_LEN];
		int64		chain_id;
		bool		in_use;

		LWLockAcquire(AmpShared->lock, LW_SHARED);
		in_use = slot->in_use;
		strlcpy(kind, slot->kind, WORKER_KIND_LEN);
		chain_id = slot->chain_id;
		LWLockRelease(AmpShared->lock);
		if (!in_use)
			continue;

		if (ls->handle != NULL)
			status = GetBackgroundWorkerPid(ls->handle, &pid);
		if (status == BGWH_POSTMASTER_DIED)
			proc_exit(1);

		if (!LauncherIsWanted(wanted, seen, kind, chain_id))
		{
			if (status == BGWH_STOPPED)
				LauncherFreeSlot(i);
			else
				LauncherStopSlot(i);
			continue;
		}

		if (status == BGWH_STOPPED)
		{
			if (ls->restart_at == 0)
				LauncherScheduleRestart(i, now);
			/* Wanted, so its kind is registered (LauncherIsWanted matched it). */
			if (now >= ls->restart_at &&
				!LauncherStartSlot(i, WorkerKindByName(kind), chain_id))
				LauncherScheduleRestart(i, now);
		}
		else if (TimestampDifferenceExceeds(slot->started_at, now, RESTART_DELAY_RESET_MS))
			ls->delay_ms = 0;

		if (ls->restart_at != 0)
			sleep_ms = Min(sleep_ms, Max(1, (long) ((ls->restart_at - now) / 1000)));
	}

	/* Start the wanted workers that have no slot yet. */
	foreach(lc, wanted)
	{
		WantedWorker *w = lfirst(lc);
		int			free_slot = -1;

		if (seen[foreach_current_index(lc)])
			continue;
		LWLockAcquire(AmpShared->lock, LW_SHARED);
		for (i = 1; i < AmpShared->nslots && free_slot < 0; i++)
			if (!AmpShared->slots[i].in_use)
				free_slot = i;
		LWLockRelease(AmpShared->lock);

		if (free_slot < 0)
		{
			WorkerSetError("no free worker slot: raise amplified.max_workers");
			continue;
		}
		if (!LauncherStartSlot(free_slot, w->kind, w->chain_id))
			LauncherScheduleRestart(free_slot, now);
	}
	return sleep_ms;
}

/* One pass of the launcher: what state are we in, and which workers to run. */
static void
LauncherIteration(void *arg)
{
	long	   *sleep_ms = (long *) arg;
	List	   *wanted = NIL;
	Oid			extension;
	bool		extension_present;

	/*
	 * On a hot standby nothing of ours may write or call a node: run no
	 * worker (they are registered BgWorkerStart_RecoveryFinished as well),
	 * open no transaction, and look again every second, so that the
	 * workers start within a second of a promotion.
	 */
	if (RecoveryInProgress())
	{
		WorkerSetState("standby", "the server is in recovery; workers start after promotion");
		(void) LauncherReconcile(NIL);
		*sleep_ms = Min(*sleep_ms, LAUNCHER_STANDBY_POLL_MS);
		return;
	}

	SetCurrentStatementStartTimestamp();
	StartTransactionCommand();
	pgstat_report_activity(STATE_RUNNING, "amplified launcher: checking workers");
	extension = get_extension_oid("amplified", true);
	extension_present = OidIsValid(extension);
	if (extension_present)
		wanted = LauncherWantedWorkers(extension);
	CommitTransactionCommand();
	pgstat_report_activity(STATE_IDLE, NULL);

	if (!extension_present)
	{
		char		detail[WORKER_DETAIL_LEN];

		snprintf(detail, sizeof(detail),
				 "extension \"amplified\" is not installed in database \"%s\"",
				 connected_database);
		WorkerSetState("waiting", detail);
	}
	else
		WorkerSetState("running", NULL);

	*sleep_ms = LauncherReconcile(wanted);
}

/* Entry point of the launcher background worker. */
void
LauncherMain(Datum main_arg)
{
	char		detail[WORKER_DETAIL_LEN];

	WorkerHandleSignals();

	if (!WorkerAttachSlot(LAUNCHER_SLOT, 0, "launcher"))
	{
		ereport(LOG, (errmsg("amplified launcher: another launcher is running, exiting")));
		proc_exit(1);
	}

	launcher_cxt = AllocSetContextCreate(TopMemoryContext, "amplified launcher",
										 ALLOCSET_DEFAULT_SIZES);
	iteration_cxt = AllocSetContextCreate(launcher_cxt, "amplified launcher iteration",
										  ALLOCSET_DEFAULT_SIZES);
	lslots = MemoryContextAllocZero(launcher_cxt, sizeof(LauncherSlot) * AmpShared->nslots);
	connected_database = MemoryContextStrdup(launcher_cxt, AmpDatabase);
	before_shmem_exit(LauncherStopChildren, (Datum) 0);

	/* If the database does not exist, the connection fails here with FATAL
	 * and the postmaster starts us again after bgw_restart_time. */
	snprintf(detail, sizeof(detail), "connecting to database \"%s\"", connected_database);
	WorkerSetState("connecting", detail);
	BackgroundWorkerInitializeConnection(connected_database, NULL, 0);
	pgstat_report_appname("amplified launcher");
	ereport(LOG, (errmsg("amplified launcher started in database \"%s\"", connected_database)));

	for (;;)
	{
		long		sleep_ms = (long) AmpLauncherNaptime * 1000L;

		CHECK_FOR_INTERRUPTS();
		if (ConfigReloadPending)
		{
			ConfigReloadPending = false;
			ProcessConfigFile(PGC_SIGHUP);
			if (strcmp(AmpDatabase, connected_database) != 0)
			{
				ereport(LOG,
						(errmsg("amplified launcher: amplified.database changed from \"%s\" to \"%s\", restarting",
								connected_database, AmpDatabase)));
				proc_exit(1);
			}
		}

		MemoryContextReset(iteration_cxt);
		MemoryContextSwitchTo(iteration_cxt);
		if (!WorkerRunGuarded(LauncherIteration, &sleep_ms, iteration_cxt))
			WorkerSetState("error", "the last check failed; retrying");
		MemoryContextSwitchTo(TopMemoryContext);

		(void) WaitLatch(MyLatch,
						 WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
						 sleep_ms,
						 PG_WAIT_EXTENSION);
		ResetLatch(MyLatch);
	}
}
