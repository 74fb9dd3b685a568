/*
 * src/guc.c
 *
 * Every amplified.* configuration parameter, defined in one place so that
 * docs/configuration.md and the regression test that pins the list have one
 * source to follow.  Parameters that name databases, files or directories
 * can be set only by a superuser (PGC_SIGHUP: postgresql.conf or ALTER
 * SYSTEM); the key directory is hidden from non-superusers as well.
 */
#include "postgres.h"

#include "miscadmin.h"
#include "utils/guc.h"

#include "amplified.h"
#include "rpc/rpc.h"

char	   *AmpDatabase = NULL;
char	   *AmpKeysDir = NULL;
int			AmpLauncherNaptime = 10;
int			AmpHeartbeatInterval = 60;
int			AmpMaxWorkers = 16;
int			AmpRpcTimeout = 10000;
int			AmpRpcConnectTimeout = 3000;
int			AmpRpcMaxRetries = 4;
int			AmpRpcMaxResponseKb = 65536;
char	   *AmpAllowedHosts = NULL;
int			AmpTxqPollInterval = 1000;
int			AmpTxqBatchSize = 200;
char	   *AmpTxqTestStopAt = NULL;
int			AmpTxqMaxInFlight = 64;
int			AmpTxqMaxReplacements = 8;
int			AmpSignerTimeout = 5000;
int			AmpSignerMaxBackoff = 60;

/* amplified.txq_test_stop_at names one of the tx worker's step boundaries. */
static bool
CheckTxqStopAt(char **newval, void **extra, GucSource source)
{
	static const char *const points[] = {"", "after_reserve", "after_sign", "after_persist",
	"after_broadcast", "after_receipt"};
	size_t		i;

	if (*newval == NULL)
		return true;
	for (i = 0; i < lengthof(points); i++)
		if (strcmp(*newval, points[i]) == 0)
			return true;
	GUC_check_errdetail("Use after_reserve, after_sign, after_persist, after_broadcast, after_receipt, or an empty string.");
	return false;
}

/* amplified.keys_dir must be empty (no key files) or an absolute path. */
static bool
CheckKeysDir(char **newval, void **extra, GucSource source)
{
	if (*newval == NULL || (*newval)[0] == '\0')
		return true;
	if ((*newval)[0] != '/')
	{
		GUC_check_errdetail("The key directory must be an absolute path.");
		return false;
	}
	return true;
}

/* amplified.allowed_hosts: host names, *.domain, addresses or CIDR ranges. */
static bool
CheckAllowedHosts(char **newval, void **extra, GucSource source)
{
	char	   *detail;

	if (!RpcOutboundParse(*newval, extra, &detail))
	{
		GUC_check_errdetail("%s", detail);
		return false;
	}
	return true;
}

/* Put the parsed amplified.allowed_hosts in force. */
static void
AssignAllowedHosts(const char *newval, void *extra)
{
	RpcOutboundAssign(extra);
}

/* amplified.database must name a database, so it cannot be empty. */
static bool
CheckDatabase(char **newval, void **extra, GucSource source)
{
	if (*newval == NULL || (*newval)[0] == '\0')
	{
		GUC_check_errdetail("The database name must not be empty.");
		return false;
	}
	if (strlen(*newval) >= NAMEDATALEN)
	{
		GUC_check_errdetail("The database name must be shorter than %d bytes.", NAMEDATALEN);
		return false;
	}
	return true;
}

/* Define every amplified.* parameter and reserve the prefix. */
void
GucInit(void)
{
	DefineCustomStringVariable("amplified.database",
							   "Database that holds amplified's state; its background workers connect to it.",
							   "The launcher restarts itself when this changes.",
							   &AmpDatabase,
							   "postgres",
							   PGC_SIGHUP,
							   0,
							   CheckDatabase, NULL, NULL);

	DefineCustomStringVariable("amplified.keys_dir",
							   "Directory of the key files of key_file signers.",
							   "Each key is read from <keys_dir>/<lowercase address>.key, which must be "
							   "owned by the server's OS user and readable by no one else. Empty means "
							   "no key files are used.",
							   &AmpKeysDir,
							   "",
							   PGC_SIGHUP,
							   GUC_SUPERUSER_ONLY,
							   CheckKeysDir, NULL, NULL);

	DefineCustomIntVariable("amplified.launcher_naptime",
							"Longest time the launcher sleeps between two checks of its workers.",
							"The launcher is also woken at once by configuration changes.",
							&AmpLauncherNaptime,
							10, 1, 3600,
							PGC_SIGHUP,
							GUC_UNIT_S,
							NULL, NULL, NULL);

	DefineCustomIntVariable("amplified.heartbeat_interval",
							"Interval at which the heartbeat worker records that the workers are alive.",
							"0 disables the heartbeat worker.",
							&AmpHeartbeatInterval,
							60, 0, 86400,
							PGC_SIGHUP,
							GUC_UNIT_S,
							NULL, NULL, NULL);

	DefineCustomIntVariable("amplified.rpc_timeout",
							"Longest time one JSON-RPC HTTP request may take.",
							NULL,
							&AmpRpcTimeout,
							10000, 100, 600000,
							PGC_USERSET,
							GUC_UNIT_MS,
							NULL, NULL, NULL);

	DefineCustomIntVariable("amplified.rpc_connect_timeout",
							"Longest time to wait for a connection to a JSON-RPC endpoint.",
							NULL,
							&AmpRpcConnectTimeout,
							3000, 100, 60000,
							PGC_USERSET,
							GUC_UNIT_MS,
							NULL, NULL, NULL);

	DefineCustomIntVariable("amplified.rpc_max_retries",
							"Retries of a failed JSON-RPC request, across a chain's endpoints, before giving up.",
							"Network errors, HTTP 5xx and 429, and malformed responses are retried with "
							"exponential backoff and jitter, moving to the chain's next endpoint.",
							&AmpRpcMaxRetries,
							4, 0, 100,
							PGC_USERSET,
							0,
							NULL, NULL, NULL);

	DefineCustomIntVariable("amplified.rpc_max_response_size",
							"Largest JSON-RPC response accepted; a larger one is an error.",
							NULL,
							&AmpRpcMaxResponseKb,
							65536, 1, 1048575,
							PGC_SUSET,
							GUC_UNIT_KB,
							NULL, NULL, NULL);

	DefineCustomStringVariable("amplified.allowed_hosts",
							   "Hosts that JSON-RPC endpoints and external signers may be reached at.",
							   "A comma-separated list of host names, *.domain wildcards, IP addresses and "
							   "CIDR ranges; URLs are checked when configured and on every connection, "
							   "after name resolution. Empty allows every host except link-local and "
							   "cloud metadata addresses.",
							   &AmpAllowedHosts,
							   "",
							   PGC_SUSET,
							   GUC_LIST_INPUT,
							   CheckAllowedHosts, AssignAllowedHosts, NULL);

	DefineCustomIntVariable("amplified.txq_poll_interval",
							"How often a tx worker looks for work when nothing wakes it.",
							"Enqueues wake the worker at commit; this is the fallback, and the "
							"cadence at which receipts are followed.",
							&AmpTxqPollInterval,
							1000, 10, 3600000,
							PGC_SIGHUP,
							GUC_UNIT_MS,
							NULL, NULL, NULL);

	DefineCustomIntVariable("amplified.txq_batch_size",
							"Most intents a tx worker takes through one step at a time.",
							NULL,
							&AmpTxqBatchSize,
							200, 1, 10000,
							PGC_SIGHUP,
							0,
							NULL, NULL, NULL);

	DefineCustomIntVariable("amplified.txq_max_in_flight",
							"Most transactions of one sender a tx worker holds ahead of the chain.",
							"Intents of a sender that has this many reserved, signed or sent but not "
							"yet mined wait pending: no nonce is reserved or signed further ahead.",
							&AmpTxqMaxInFlight,
							64, 1, 100000,
							PGC_SIGHUP,
							0,
							NULL, NULL, NULL);

	DefineCustomIntVariable("amplified.txq_max_replacements",
							"Most fee-raising replacements of one intent's transaction.",
							"Each replacement waits twice as long as the one before (the signer's "
							"replace_after, doubled each time); past the limit the intent keeps an "
							"alert and waits. 0 disables replacements.",
							&AmpTxqMaxReplacements,
							8, 0, 1000,
							PGC_SIGHUP,
							0,
							NULL, NULL, NULL);

	DefineCustomIntVariable("amplified.signer_timeout",
							"Longest time one request to an external signer may take.",
							"Requests to external signers are not retried within a cycle: a signer "
							"that fails is backed off (amplified.signer_max_backoff) while the others "
							"go on signing.",
							&AmpSignerTimeout,
							5000, 100, 600000,
							PGC_SIGHUP,
							GUC_UNIT_MS,
							NULL, NULL, NULL);

	DefineCustomIntVariable("amplified.signer_max_backoff",
							"Longest wait before a failing signer is asked to sign again.",
							"After a failure a signer is skipped for 1 s, doubling with each further "
							"failure up to this; one success resets it.",
							&AmpSignerMaxBackoff,
							60, 1, 86400,
							PGC_SIGHUP,
							GUC_UNIT_S,
							NULL, NULL, NULL);

	DefineCustomStringVariable("amplified.txq_test_stop_at",
							   "For crash tests only: a step boundary at which tx workers stop and wait.",
							   "A worker that reaches the named boundary (after_reserve, after_sign, "
							   "after_persist, after_broadcast, after_receipt) reports the state "
							   "\"stopped\" and waits there until it is terminated; the tests kill it "
							   "to prove that no intent is lost or sent twice. Leave it empty.",
							   &AmpTxqTestStopAt,
							   "",
							   PGC_SIGHUP,
							   GUC_SUPERUSER_ONLY,
							   CheckTxqStopAt, NULL, NULL);

	/*
	 * PGC_POSTMASTER parameters can be defined only while the server starts;
	 * without preloading there are no workers to size anyway.
	 */
	if (process_shared_preload_libraries_in_progress)
		DefineCustomIntVariable("amplified.max_workers",
								"Maximum number of amplified background workers, the launcher included.",
								"Each one also takes a slot of max_worker_processes.",
								&AmpMaxWorkers,
								16, 2, 1024,
								PGC_POSTMASTER,
								0,
								NULL, NULL, NULL);

	MarkGUCPrefixReserved(AMPLIFIED_GUC_PREFIX);
}
