/*
 * src/rpc/rpc.h
 *
 * The JSON-RPC client: HTTP over libcurl with bounded responses, timeouts
 * and cancellation (http.c), and JSON-RPC on top of it with batching,
 * retries with backoff, endpoint failover and the chain-id check
 * (client.c).  Workers and SQL functions (rpc_sql.c) use the same client.
 */
#ifndef AMPLIFIED_RPC_H
#define AMPLIFIED_RPC_H

#include "postgres.h"

#include "lib/stringinfo.h"
#include "utils/jsonb.h"

/* One HTTP exchange. */
typedef struct RpcHttpResult
{
	bool		transport_ok;	/* false: no HTTP response (see error) */
	long		status;			/* HTTP status when transport_ok */
	int			retry_after_ms;	/* from Retry-After, -1 when absent */
	StringInfoData body;
	char		error[256];		/* transport error, when !transport_ok */
} RpcHttpResult;

/* http.c */
extern void RpcHttpPost(const char *url, const char *body, RpcHttpResult *res);

/* A chain's endpoints as the client uses them. */
typedef struct RpcTarget
{
	int64		chain_id;
	int			nurls;
	char	  **urls;
	int			batch_size;
} RpcTarget;

/* One call of a batch: in method and params (JSON text), out result or error. */
typedef struct RpcRequest
{
	const char *method;
	const char *params;			/* JSON array text, NULL for [] */
	Jsonb	   *result;			/* set on success */
	int			error_code;		/* JSON-RPC error code when result is NULL */
	char	   *error_message;	/* JSON-RPC error message, or NULL */
	char	   *error_data;		/* JSON-RPC error data as JSON text, or NULL */
} RpcRequest;

/* client.c */
extern void RpcLoadTarget(int64 chain_id, RpcTarget *target);
extern void RpcBatch(RpcTarget *target, RpcRequest *reqs, int nreqs);
extern const char *RpcTry(RpcTarget *target, RpcRequest *req);
extern Jsonb *RpcCall(RpcTarget *target, const char *method, const char *params);
extern uint64 RpcBlockNumber(RpcTarget *target);
extern uint64 RpcParseQuantity(const char *hex, const char *what);
extern const char *RpcRedactUrl(const char *url);

#endif							/* AMPLIFIED_RPC_H */
