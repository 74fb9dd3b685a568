/*
 * src/rpc/rpc.h
 *
 * The JSON-RPC client: HTTP over libcurl with bounded responses, timeouts
 * and cancellation (http.c) to the hosts amplified.allowed_hosts allows
 * (outbound.c), and JSON-RPC on top of it with batching,
 * retries with backoff, endpoint failover and the chain-id check
 * (client.c).  Workers and SQL functions (rpc_sql.c) use the same client.
 */
#ifndef AMPLIFIED_RPC_H
#define AMPLIFIED_RPC_H

#include "postgres.h"

#include "lib/stringinfo.h"
#include "utils/jsonb.h"

/*
 * SQLSTATEs of upstream failures: a chain's node or a remote signer, never
 * PostgreSQL itself.  Class 58 ("system error: external to PostgreSQL"), not
 * class 08, which client drivers read as a lost database connection.  See
 * docs/rpc.md, "Errors".
 *   58R01  no usable answer after every attempt (network, HTTP, malformed
 *          JSON, wrong chain id, oversized response)
 *   58R02  an answer that is an error or makes no sense (a JSON-RPC error
 *          object, a missing or malformed result, a remote signer that
 *          returns another transaction than the one asked for)
 *   58R03  the node does not have the block asked for: it is behind the
 *          data already indexed, or its history differs
 */
#define ERRCODE_AMP_NODE_UNAVAILABLE	MAKE_SQLSTATE('5','8','R','0','1')
#define ERRCODE_AMP_NODE_ERROR			MAKE_SQLSTATE('5','8','R','0','2')
#define ERRCODE_AMP_NODE_BEHIND			MAKE_SQLSTATE('5','8','R','0','3')

/* One HTTP exchange. */
typedef struct RpcHttpResult
{
	bool		transport_ok;	/* false: no HTTP response (see error) */
	bool		refused;		/* amplified.allowed_hosts refused the host */
	long		status;			/* HTTP status when transport_ok */
	int			retry_after_ms;	/* from Retry-After, -1 when absent */
	StringInfoData body;
	char		error[256];		/* transport error, when !transport_ok */
} RpcHttpResult;

/* http.c */
extern void RpcHttpPost(const char *url, const char *body, RpcHttpResult *res);
extern void RpcHttpPostTimeout(const char *url, const char *body, int timeout_ms,
							   RpcHttpResult *res);

/* outbound.c: the amplified.allowed_hosts policy */
extern bool RpcOutboundParse(const char *value, void **out, char **detail);
extern void RpcOutboundAssign(void *parsed);
extern uint32 RpcOutboundGeneration(void);
extern const char *RpcOutboundCheckHost(const char *host, bool *name_listed);
extern const char *RpcOutboundCheckAddress(int family, const uint8 *addr, bool name_listed);
extern char *RpcOutboundUrlHost(const char *url);

/* A chain's endpoints as the client uses them. */
typedef struct RpcTarget
{
	int64		chain_id;
	int			nurls;
	char	  **urls;
	int			batch_size;
	int			timeout_ms;		/* > 0: this target's own request timeout, and
								 * no retries (an external signer); 0: the
								 * amplified.rpc_* parameters */
} RpcTarget;

/* json.c: a validated response as a flat array of nodes into its text. */
typedef enum RpcJsonType
{
	RPC_JSON_NULL,
	RPC_JSON_FALSE,
	RPC_JSON_TRUE,
	RPC_JSON_NUMBER,
	RPC_JSON_STRING,
	RPC_JSON_ARRAY,
	RPC_JSON_OBJECT
} RpcJsonType;

/*
 * One value.  Nodes are in document order: an array's elements follow it,
 * an object's members follow it as a key node (a string) then the value.
 */
typedef struct RpcJsonNode
{
	uint8		type;			/* RpcJsonType */
	bool		escaped;		/* a string with backslash escapes */
	int32		start;			/* offset in the text (a string's: after its quote) */
	int32		len;			/* bytes (a string's: between its quotes) */
	int32		next;			/* the node after this value and all it holds */
} RpcJsonNode;

typedef struct RpcJson
{
	const char *text;
	int			len;
	RpcJsonNode *nodes;
	int			nnodes;
} RpcJson;

extern bool RpcJsonParse(const char *text, int len, RpcJson *doc, const char **why);
extern const char *RpcJsonString(const RpcJson *doc, int node, int *len);
extern char *RpcJsonCString(const RpcJson *doc, int node);
extern int	RpcJsonGet(const RpcJson *doc, int obj, const char *key, int keylen);
extern int	RpcJsonCount(const RpcJson *doc, int node);
extern void RpcJsonSpan(const RpcJson *doc, int node, const char **s, int *len);

/*
 * One call of a batch: in method and params (JSON text), out result or
 * error.  With raw set, the result is not built as a jsonb: json and
 * json_result point at it in the parsed response (for the ingest worker,
 * which reads it field by field).
 */
typedef struct RpcRequest
{
	const char *method;
	const char *params;			/* JSON array text, NULL for [] */
	bool		raw;			/* in: give json/json_result, not result */
	Jsonb	   *result;			/* set on success, unless raw */
	RpcJson    *json;			/* raw: the response, shared by a batch */
	int			json_result;	/* raw: the result's node, -1 on an error answer */
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
extern char *RpcResultString(Jsonb *res);
extern uint64 RpcParseQuantity(const char *hex, const char *what);
extern const char *RpcRedactUrl(const char *url);

#endif							/* AMPLIFIED_RPC_H */
