/*
 * src/amplified.h
 *
 * The core of the extension: the GUC variables every module reads, and the
 * initialisation entry points that _PG_init dispatches to.
 */
#ifndef AMPLIFIED_H
#define AMPLIFIED_H

#include "postgres.h"
#include "compat.h"

/* GUC prefix, reserved with MarkGUCPrefixReserved. */
#define AMPLIFIED_GUC_PREFIX "amplified"

/* guc.c: configuration, see docs/configuration.md for every parameter. */
extern char *AmpDatabase;			/* amplified.database */
extern char *AmpKeysDir;			/* amplified.keys_dir */
extern int	AmpLauncherNaptime;		/* amplified.launcher_naptime, seconds */
extern int	AmpHeartbeatInterval;	/* amplified.heartbeat_interval, seconds */
extern int	AmpMaxWorkers;			/* amplified.max_workers */
extern int	AmpRpcTimeout;			/* amplified.rpc_timeout, ms */
extern int	AmpRpcConnectTimeout;	/* amplified.rpc_connect_timeout, ms */
extern int	AmpRpcMaxRetries;		/* amplified.rpc_max_retries */
extern int	AmpRpcMaxResponseKb;	/* amplified.rpc_max_response_size, kB */
extern char *AmpAllowedHosts;		/* amplified.allowed_hosts */
extern int	AmpTxqPollInterval;		/* amplified.txq_poll_interval, ms */
extern int	AmpTxqBatchSize;		/* amplified.txq_batch_size */
extern char *AmpTxqTestStopAt;		/* amplified.txq_test_stop_at */
extern int	AmpTxqMaxInFlight;		/* amplified.txq_max_in_flight */
extern int	AmpTxqMaxReplacements;	/* amplified.txq_max_replacements */
extern int	AmpSignerTimeout;		/* amplified.signer_timeout, ms */
extern int	AmpSignerMaxBackoff;	/* amplified.signer_max_backoff, s */

extern void GucInit(void);

/* True while _PG_init runs from shared_preload_libraries. */
extern bool AmpLoadedAtStartup;

#endif							/* AMPLIFIED_H */
