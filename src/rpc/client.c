/*
 * src/rpc/client.c
 *
 * JSON-RPC over http.c: single and batched calls (responses matched by id,
 * never by order), retries with exponential backoff and jitter on network
 * errors, HTTP 5xx and 429 (honouring Retry-After) and malformed responses,
 * failover across a chain's endpoints, and a check of eth_chainId before an
 * endpoint is first used.  Responses are validated and read by json.c's
 * strict scanner, so that hostile input is our error, not a crash; jsonb
 * results are built with PostgreSQL's own JSON parser.
 */
#include "postgres.h"

#include <math.h>

#include "catalog/namespace.h"
#include "catalog/pg_class.h"
#include "catalog/pg_type.h"
#include "common/jsonapi.h"
#include "common/pg_prng.h"
#include "executor/spi.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "storage/latch.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/timestamp.h"
#include "utils/json.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/syscache.h"

#include "amplified.h"
#include "evm/codec.h"
#include "rpc/rpc.h"

#define RPC_BACKOFF_BASE_MS		250
#define RPC_BACKOFF_MAX_MS		10000
#define RPC_VERIFIED_MAX		64

/* Endpoints whose eth_chainId this backend has checked (until they fail). */
typedef struct VerifiedEndpoint
{
	char	   *url;
	int64		chain_id;
} VerifiedEndpoint;

static VerifiedEndpoint verified[RPC_VERIFIED_MAX];
static int	nverified = 0;

/* scheme://host[:port] of a URL, so that keys in paths never reach a log. */
const char *
RpcRedactUrl(const char *url)
{
	const char *p = strstr(url, "://");
	const char *host;
	const char *end;
	const char *at;

	if (p == NULL)
		return "(invalid url)";
	host = p + 3;
	end = host + strcspn(host, "/?#");
	at = memchr(host, '@', end - host);
	if (at != NULL)
		host = at + 1;
	return psprintf("%.*s://%.*s%s", (int) (p - url), url, (int) (end - host), host,
					*end ? "/…" : "");
}

static bool
EndpointVerified(const char *url, int64 chain_id)
{
	int			i;

	for (i = 0; i < nverified; i++)
		if (verified[i].chain_id == chain_id && strcmp(verified[i].url, url) == 0)
			return true;
	return false;
}

static void
EndpointSetVerified(const char *url, int64 chain_id, bool ok)
{
	int			i;

	for (i = 0; i < nverified; i++)
		if (verified[i].chain_id == chain_id && strcmp(verified[i].url, url) == 0)
		{
			if (!ok)
			{
				pfree(verified[i].url);
				verified[i] = verified[--nverified];
			}
			return;
		}
	if (!ok)
		return;
	if (nverified == RPC_VERIFIED_MAX)
	{
		pfree(verified[0].url);
		verified[0] = verified[--nverified];
	}
	/* The cache lives as long as the backend. */
	verified[nverified].url = MemoryContextStrdup(TopMemoryContext, url);
	verified[nverified].chain_id = chain_id;
	nverified++;
}

/*
 * Sleep ms milliseconds, waking for a cancel or termination.  A latch set
 * for any other reason does not cut the wait short (a server's Retry-After
 * is honoured in full); it is set again on the way out, so whoever set it
 * still gets its wake-up.
 */
static void
RpcSleep(int ms)
{
	TimestampTz until = TimestampTzPlusMilliseconds(GetCurrentTimestamp(), ms);
	bool		woken = false;

	for (;;)
	{
		long		left = TimestampDifferenceMilliseconds(GetCurrentTimestamp(), until);

		if (left <= 0)
			break;
		if (WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
					  left, PG_WAIT_EXTENSION) & WL_LATCH_SET)
		{
			ResetLatch(MyLatch);
			woken = true;
		}
		CHECK_FOR_INTERRUPTS();
	}
	if (woken)
		SetLatch(MyLatch);
}

/* Exponential backoff with jitter for the given attempt (1, 2, ...). */
static int
RpcBackoffMs(int attempt)
{
	double		cap = Min((double) RPC_BACKOFF_MAX_MS,
						  RPC_BACKOFF_BASE_MS * pow(2.0, attempt - 1));

	/* "Equal jitter": half fixed, half random. */
	return (int) (cap / 2 + pg_prng_double(&pg_global_prng_state) * cap / 2);
}

/*
 * A JSON-RPC quantity ("0x1a2b") as uint64.  Strict: 0x, then 1 to 16 hex
 * digits.  what names the value in the error.
 */
uint64
RpcParseQuantity(const char *hex, const char *what)
{
	uint64		v = 0;
	const char *p;

	if (hex == NULL || hex[0] != '0' || (hex[1] != 'x' && hex[1] != 'X') || hex[2] == '\0')
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
				 errmsg("invalid hex quantity for %s: \"%s\"", what, hex ? hex : "(null)")));
	if (strlen(hex + 2) > 16)
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("hex quantity for %s is out of range: \"%s\"", what, hex)));
	for (p = hex + 2; *p; p++)
	{
		int			d = CodecHexDigit(*p);

		if (d < 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
					 errmsg("invalid hex quantity for %s: \"%s\"", what, hex)));
		v = (v << 4) | (uint64) d;
	}
	return v;
}

/* Append one request object with the given id. */
static void
AppendRequest(StringInfo buf, int id, const char *method, const char *params)
{
	appendStringInfo(buf, "{\"jsonrpc\":\"2.0\",\"id\":%d,\"method\":", id);
	escape_json(buf, method);
	appendStringInfo(buf, ",\"params\":%s}", params ? params : "[]");
}

/*
 * Building a Jsonb straight from PostgreSQL's parser callbacks, as jsonb_in
 * does internally: for the results that callers want as jsonb (SQL, the
 * chain-id check), and for the message when json.c refuses a body (the
 * parser reports errors without throwing).
 */
typedef struct JsonBuild
{
	JsonbParseState *ps;
	JsonbValue *res;
	const char *error;			/* a value we refuse although it is valid JSON */
} JsonBuild;

static void
JbPush(JsonBuild *b, JsonbIteratorToken tok, JsonbValue *v)
{
	b->res = pushJsonbValue(&b->ps, tok, v);
}

static AMP_JSON_CB
JbObjectStart(void *state)
{
	JbPush((JsonBuild *) state, WJB_BEGIN_OBJECT, NULL);
	AMP_JSON_CB_DONE;
}

static AMP_JSON_CB
JbObjectEnd(void *state)
{
	JbPush((JsonBuild *) state, WJB_END_OBJECT, NULL);
	AMP_JSON_CB_DONE;
}

static AMP_JSON_CB
JbArrayStart(void *state)
{
	JbPush((JsonBuild *) state, WJB_BEGIN_ARRAY, NULL);
	AMP_JSON_CB_DONE;
}

static AMP_JSON_CB
JbArrayEnd(void *state)
{
	JbPush((JsonBuild *) state, WJB_END_ARRAY, NULL);
	AMP_JSON_CB_DONE;
}

static AMP_JSON_CB
JbFieldStart(void *state, char *fname, bool isnull)
{
	JsonBuild  *b = (JsonBuild *) state;
	JsonbValue	v;

	v.type = jbvString;
	v.val.string.len = strlen(fname);
	v.val.string.val = fname;
	if (v.val.string.len > JENTRY_OFFLENMASK)
		b->error = "a key in the response is too long";
	JbPush(b, WJB_KEY, &v);
	AMP_JSON_CB_DONE;
}

static AMP_JSON_CB
JbScalar(void *state, char *token, JsonTokenType type)
{
	JsonBuild  *b = (JsonBuild *) state;
	JsonbValue	v;

	switch (type)
	{
		case JSON_TOKEN_STRING:
			v.type = jbvString;
			v.val.string.len = strlen(token);
			v.val.string.val = token;
			if (v.val.string.len > JENTRY_OFFLENMASK)
			{
				b->error = "a string in the response is too long";
				v.val.string.len = 0;
			}
			break;
		case JSON_TOKEN_NUMBER:
			/* JSON-RPC numbers are ids and error codes: small, no exponent. */
			if (strlen(token) > 64 || strpbrk(token, "eE") != NULL)
			{
				b->error = "a number in the response is out of range";
				v.type = jbvNull;
			}
			else
			{
				v.type = jbvNumeric;
				v.val.numeric = DatumGetNumeric(DirectFunctionCall3(numeric_in, CStringGetDatum(token),
																	ObjectIdGetDatum(InvalidOid),
																	Int32GetDatum(-1)));
			}
			break;
		case JSON_TOKEN_TRUE:
		case JSON_TOKEN_FALSE:
			v.type = jbvBool;
			v.val.boolean = (type == JSON_TOKEN_TRUE);
			break;
		default:
			v.type = jbvNull;
			break;
	}

	if (b->ps == NULL)
	{
		/* A scalar at the top: jsonb stores it as a one-element raw array. */
		JsonbValue	va;

		va.type = jbvArray;
		va.val.array.rawScalar = true;
		va.val.array.nElems = 1;
		JbPush(b, WJB_BEGIN_ARRAY, &va);
		JbPush(b, WJB_ELEM, &v);
		JbPush(b, WJB_END_ARRAY, NULL);
	}
	else
		JbPush(b, b->ps->contVal.type == jbvArray ? WJB_ELEM : WJB_VALUE, &v);
	AMP_JSON_CB_DONE;
}

/* Parse body as JSON into a Jsonb; NULL and *why on malformed input. */
static Jsonb *
ParseJsonBody(StringInfo body, const char **why)
{
	JsonLexContext *lex;
	JsonParseErrorType perr;
	JsonSemAction sem;
	JsonBuild	b;

	memset(&b, 0, sizeof(b));
	memset(&sem, 0, sizeof(sem));
	sem.semstate = &b;
	sem.object_start = JbObjectStart;
	sem.object_end = JbObjectEnd;
	sem.array_start = JbArrayStart;
	sem.array_end = JbArrayEnd;
	sem.object_field_start = JbFieldStart;
	sem.scalar = JbScalar;

	lex = AmpMakeJsonLexContext(body->data, body->len, GetDatabaseEncoding());
	perr = pg_parse_json(lex, &sem);
	if (perr != JSON_SUCCESS)
	{
		/* Where and what kind, never the text: the body may be anyone's. */
		const char *kind;

		switch (perr)
		{
			case JSON_EXPECTED_MORE:
				kind = "the body ends too early";
				break;
			case JSON_INVALID_TOKEN:
				kind = "an invalid token";
				break;
			case JSON_ESCAPING_INVALID:
			case JSON_ESCAPING_REQUIRED:
			case JSON_UNICODE_CODE_POINT_ZERO:
			case JSON_UNICODE_ESCAPE_FORMAT:
			case JSON_UNICODE_HIGH_ESCAPE:
			case JSON_UNICODE_HIGH_SURROGATE:
			case JSON_UNICODE_LOW_SURROGATE:
				kind = "an invalid string";
				break;
			default:
				kind = "an unexpected token";
				break;
		}
		*why = psprintf("malformed JSON at byte %d: %s",
						lex->token_start ? (int) (lex->token_start - lex->input) : 0, kind);
		return NULL;
	}
	if (b.error != NULL)
	{
		*why = b.error;
		return NULL;
	}
	return JsonbValueToJsonb(b.res);
}

/* A JSON string or number value of a JsonbValue, as C text; NULL otherwise. */
static char *
JsonbScalarText(JsonbValue *v)
{
	if (v == NULL)
		return NULL;
	if (v->type == jbvString)
		return pnstrdup(v->val.string.val, v->val.string.len);
	if (v->type == jbvNumeric)
		return DatumGetCString(DirectFunctionCall1(numeric_out, NumericGetDatum(v->val.numeric)));
	return NULL;
}

/* A node's value as a Jsonb, as a whole-body jsonb would have held it. */
static Jsonb *
NodeToJsonb(RpcJson *doc, int node)
{
	StringInfoData text;
	const char *s;
	const char *why = NULL;
	Jsonb	   *jb;

	RpcJsonSpan(doc, node, &s, &text.len);
	text.data = pnstrdup(s, text.len);
	text.maxlen = text.len + 1;
	text.cursor = 0;
	/* The scan has validated it: this cannot fail. */
	if ((jb = ParseJsonBody(&text, &why)) == NULL)
		elog(ERROR, "amplified rpc: a validated JSON value does not parse: %s", why);
	return jb;
}

/*
 * A string or number node as C text, NULL for anything else (or -1): a
 * number as numeric_out writes it, as the jsonb path gave it.
 */
static char *
NodeScalarText(RpcJson *doc, int node)
{
	if (node < 0)
		return NULL;
	if (doc->nodes[node].type == RPC_JSON_STRING)
		return RpcJsonCString(doc, node);
	if (doc->nodes[node].type == RPC_JSON_NUMBER)
		return DatumGetCString(DirectFunctionCall1(numeric_out,
												   DirectFunctionCall3(numeric_in,
																	   CStringGetDatum(pnstrdup(doc->text + doc->nodes[node].start,
																								doc->nodes[node].len)),
																	   ObjectIdGetDatum(InvalidOid),
																	   Int32GetDatum(-1))));
	return NULL;
}

/*
 * Fill req from response object obj; false with *why set when the object
 * is not a valid JSON-RPC response.
 */
static bool
TakeResponse(RpcJson *doc, int obj, RpcRequest *req, const char **why)
{
	int			res = RpcJsonGet(doc, obj, "result", 6);
	int			err;
	int			data;
	char	   *code;

	if (res >= 0)
	{
		if (req->raw)
		{
			req->json = doc;
			req->json_result = res;
		}
		else
			req->result = NodeToJsonb(doc, res);
		return true;
	}
	err = RpcJsonGet(doc, obj, "error", 5);
	if (err < 0 || doc->nodes[err].type != RPC_JSON_OBJECT)
	{
		*why = "a response has neither \"result\" nor an \"error\" object";
		return false;
	}
	if (req->raw)
	{
		req->json = doc;
		req->json_result = -1;
	}
	code = NodeScalarText(doc, RpcJsonGet(doc, err, "code", 4));
	req->error_code = code ? atoi(code) : 0;
	req->error_message = NodeScalarText(doc, RpcJsonGet(doc, err, "message", 7));
	if (req->error_message == NULL)
		req->error_message = pstrdup("(no message)");
	if ((data = RpcJsonGet(doc, err, "data", 4)) >= 0)
	{
		Jsonb	   *jb = NodeToJsonb(doc, data);

		req->error_data = JsonbToCString(NULL, &jb->root, 64);
	}
	return true;
}

/* The id of a response object, or -1 when it is missing or not an integer. */
static int
ResponseId(RpcJson *doc, int obj)
{
	int			node = RpcJsonGet(doc, obj, "id", 2);
	char	   *text;
	char	   *end;
	long		id;

	if (node < 0)
		return -1;
	if (doc->nodes[node].type == RPC_JSON_NUMBER)
	{
		/* The usual case, plain digits, without a detour through numeric. */
		const char *s = doc->text + doc->nodes[node].start;
		int			len = doc->nodes[node].len;
		int			i;

		if (len <= 9)
		{
			id = 0;
			for (i = 0; i < len && s[i] >= '0' && s[i] <= '9'; i++)
				id = id * 10 + (s[i] - '0');
			if (i == len)
				return (int) id;
		}
	}
	text = NodeScalarText(doc, node);
	if (text == NULL)
		return -1;
	errno = 0;
	id = strtol(text, &end, 10);
	if (errno != 0 || *end != '\0' || id < 0 || id > INT_MAX)
		return -1;
	return (int) id;
}

/*
 * Parse a response body for reqs[0..n-1] (sent with ids 1..n; a single
 * request was sent as an object).  Returns NULL on success, or why the
 * response is unusable.  The body is scanned once by json.c; a jsonb is
 * built only for the results of requests that want one.
 */
static const char *
ParseResponse(StringInfo body, RpcRequest *reqs, int n)
{
	RpcJson    *doc;
	const char *why = NULL;
	bool	   *seen;
	int			i;
	int			el;

	if (body->len == 0)
		return "empty response body";
	if (pg_verifymbstr(body->data, body->len, true) == false ||
		(int) strlen(body->data) != body->len)
		return "response is not valid UTF-8 text";
	doc = palloc(sizeof(RpcJson));
	if (!RpcJsonParse(body->data, body->len, doc, &why))
	{
		/* Invalid: PostgreSQL's parser says why, in the words it always did. */
		if (why == NULL && ParseJsonBody(body, &why) != NULL)
			why = "malformed JSON: a value the client does not accept";
		return why;
	}

	if (n == 1 && doc->nodes[0].type == RPC_JSON_OBJECT)
	{
		if (ResponseId(doc, 0) != 1)
			return "the response id does not match the request";
		return TakeResponse(doc, 0, &reqs[0], &why) ? NULL : why;
	}
	if (doc->nodes[0].type != RPC_JSON_ARRAY)
		return doc->nodes[0].type == RPC_JSON_OBJECT ?
			"a batch was answered with a single object (the node may not support batches)" :
			"the response is neither a JSON-RPC object nor a batch";
	if ((i = RpcJsonCount(doc, 0)) != n)
		return psprintf("the batch response has %d entries for %d requests", i, n);

	seen = palloc0(sizeof(bool) * n);
	for (i = 0, el = 1; i < n; i++, el = doc->nodes[el].next)
	{
		int			id;

		if (doc->nodes[el].type != RPC_JSON_OBJECT)
			return "a batch entry is not an object";
		id = ResponseId(doc, el);
		if (id < 1 || id > n || seen[id - 1])
			return "the response ids do not match the requests";
		seen[id - 1] = true;
		if (!TakeResponse(doc, el, &reqs[id - 1], &why))
			return why;
	}
	return NULL;
}

/* The request timeout of a target: its own, else amplified.rpc_timeout. */
static int
RpcTimeoutMs(const RpcTarget *target)
{
	return target->timeout_ms > 0 ? target->timeout_ms : AmpRpcTimeout;
}

/* Retries of a target: none with a timeout of its own (its caller backs off). */
static int
RpcMaxRetries(const RpcTarget *target)
{
	return target->timeout_ms > 0 ? 0 : AmpRpcMaxRetries;
}

/*
 * Check an endpoint's eth_chainId against the chain's.  Returns NULL when it
 * matches (and remembers that), or why the endpoint must not be used.
 */
static const char *
CheckEndpoint(RpcTarget *target, const char *url, bool *refused)
{
	RpcHttpResult res;
	RpcRequest	req;
	const char *why;
	char	   *text;
	const char *p;
	uint64		id;
	StringInfoData body;

	*refused = false;
	if (EndpointVerified(url, target->chain_id))
		return NULL;
	initStringInfo(&body);
	AppendRequest(&body, 1, "eth_chainId", NULL);
	RpcHttpPostTimeout(url, body.data, RpcTimeoutMs(target), &res);
	*refused = res.refused;
	if (!res.transport_ok)
		return psprintf("eth_chainId: %s", res.error);
	if (res.status != 200)
		return psprintf("eth_chainId: HTTP status %ld", res.status);
	memset(&req, 0, sizeof(req));
	if ((why = ParseResponse(&res.body, &req, 1)) != NULL)
		return psprintf("eth_chainId: %s", why);
	if (req.result == NULL)
		return psprintf("eth_chainId: JSON-RPC error %d", req.error_code);	/* its message is not quoted either */
	text = JsonbScalarText(getIthJsonbValueFromContainer(&req.result->root, 0));
	if (text == NULL || !JB_ROOT_IS_SCALAR(req.result))
		return "eth_chainId: the result is not a string";
	/* Not quoted: an endpoint not yet checked may be anything. */
	for (p = text + 2; text[0] == '0' && text[1] == 'x' && *p && CodecHexDigit(*p) >= 0; p++)
		;
	if (text[0] != '0' || text[1] != 'x' || p == text + 2 || *p != '\0' || p - text > 18)
		return "eth_chainId: the result is not a hex quantity";
	id = RpcParseQuantity(text, "eth_chainId");
	if (id != (uint64) target->chain_id)
		return psprintf("the endpoint reports chain id " UINT64_FORMAT ", configured chain id is " INT64_FORMAT,
						id, target->chain_id);
	EndpointSetVerified(url, target->chain_id, true);
	return NULL;
}

/*
 * Send reqs[0..n-1] as one request (n == 1) or one batch, with retries and
 * failover.  When every attempt failed: an ERROR if raise, else the reason
 * (the caller decides, as the ingest worker does when it halves a range).
 */
static const char *
RpcBatchChunk(RpcTarget *target, RpcRequest *reqs, int n, bool raise)
{
	StringInfoData body;
	int			attempt = 0;
	int			ep = 0;
	int			refused_in_row = 0;
	int			i;

	initStringInfo(&body);
	if (n > 1)
		appendStringInfoChar(&body, '[');
	for (i = 0; i < n; i++)
	{
		if (i > 0)
			appendStringInfoChar(&body, ',');
		AppendRequest(&body, i + 1, reqs[i].method, reqs[i].params);
	}
	if (n > 1)
		appendStringInfoChar(&body, ']');

	for (;;)
	{
		const char *url = target->urls[ep];
		const char *why;
		int			delay_ms = -1;
		bool		refused;
		RpcHttpResult res;

		CHECK_FOR_INTERRUPTS();
		why = CheckEndpoint(target, url, &refused);
		if (why == NULL)
		{
			RpcHttpPostTimeout(url, body.data, RpcTimeoutMs(target), &res);
			refused = res.refused;
			if (!res.transport_ok)
				why = res.error;
			else if (res.status == 429)
			{
				why = "HTTP 429 Too Many Requests";
				delay_ms = res.retry_after_ms;
			}
			else if (res.status != 200)
			{
				why = psprintf("HTTP status %ld", res.status);
				delay_ms = res.retry_after_ms;
			}
			else
			{
				for (i = 0; i < n; i++)
				{
					reqs[i].result = NULL;
					reqs[i].json = NULL;
					reqs[i].json_result = -1;
					reqs[i].error_message = NULL;
					reqs[i].error_data = NULL;
					reqs[i].error_code = 0;
				}
				why = ParseResponse(&res.body, reqs, n);
				if (why == NULL)
					return NULL;
			}
			EndpointSetVerified(url, target->chain_id, false);
		}

		/*
		 * amplified.allowed_hosts refuses this endpoint: no waiting, and no
		 * retries once it has refused every endpoint of the chain in a row.
		 */
		refused_in_row = refused ? refused_in_row + 1 : 0;
		if (refused_in_row >= target->nurls && !raise)
			return psprintf("%s: %s", RpcRedactUrl(url), why);
		if (refused_in_row >= target->nurls)
			ereport(ERROR,
					(errcode(ERRCODE_AMP_NODE_UNAVAILABLE),
					 errmsg("JSON-RPC request to chain " INT64_FORMAT " refused: amplified.allowed_hosts allows none of its endpoints",
							target->chain_id),
					 errdetail("Last endpoint %s: %s.", RpcRedactUrl(url), why),
					 errhint("A superuser sets amplified.allowed_hosts; an admin changes the URLs.")));

		attempt++;
		if (attempt > RpcMaxRetries(target) && !raise)
			return psprintf("%s: %s", RpcRedactUrl(url), why);
		if (attempt > RpcMaxRetries(target))
			ereport(ERROR,
					(errcode(ERRCODE_AMP_NODE_UNAVAILABLE),
					 errmsg("JSON-RPC request to chain " INT64_FORMAT " failed after %d attempts",
							target->chain_id, attempt),
					 errdetail("Last endpoint %s: %s.", RpcRedactUrl(url), why),
					 errhint("Check the chain's rpc_urls in amplified.chains and the node.")));
		ereport(DEBUG1,
				(errmsg("amplified rpc: chain " INT64_FORMAT " endpoint %s: %s; retrying",
						target->chain_id, RpcRedactUrl(url), why)));

		/* Next endpoint, after the backoff or the server's Retry-After. */
		ep = (ep + 1) % target->nurls;
		if (!refused)
			RpcSleep(Max(delay_ms, RpcBackoffMs(attempt)));
	}
}

/* Send reqs in batches of the chain's batch_size; each gets a result or an error. */
void
RpcBatch(RpcTarget *target, RpcRequest *reqs, int nreqs)
{
	int			off;

	for (off = 0; off < nreqs; off += target->batch_size)
		(void) RpcBatchChunk(target, reqs + off, Min(target->batch_size, nreqs - off), true);
}

/* One call that may fail: NULL and req filled in, or why every attempt failed. */
const char *
RpcTry(RpcTarget *target, RpcRequest *req)
{
	return RpcBatchChunk(target, req, 1, false);
}

/* One call; a JSON-RPC error becomes an ERROR. */
Jsonb *
RpcCall(RpcTarget *target, const char *method, const char *params)
{
	RpcRequest	req;

	memset(&req, 0, sizeof(req));
	req.method = method;
	req.params = params;
	RpcBatch(target, &req, 1);
	if (req.result == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_AMP_NODE_ERROR),
				 errmsg("JSON-RPC error %d from chain " INT64_FORMAT " for %s: %s",
						req.error_code, target->chain_id, method, req.error_message),
				 req.error_data ? errdetail("Error data: %s", req.error_data) : 0));
	return req.result;
}

/* A call's result as a string (palloc'd), or NULL when it is not a JSON string. */
char *
RpcResultString(Jsonb *res)
{
	JsonbValue *v;

	if (res == NULL || !JB_ROOT_IS_SCALAR(res))
		return NULL;
	v = getIthJsonbValueFromContainer(&res->root, 0);
	if (v == NULL || v->type != jbvString)
		return NULL;
	return pnstrdup(v->val.string.val, v->val.string.len);
}

/* The node's latest block number (eth_blockNumber). */
uint64
RpcBlockNumber(RpcTarget *target)
{
	char	   *s = RpcResultString(RpcCall(target, "eth_blockNumber", NULL));

	if (s == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
				 errmsg("eth_blockNumber returned a result that is not a string")));
	return RpcParseQuantity(s, "eth_blockNumber");
}

/*
 * The owner of amplified.chains: the role that reads it for callers who may
 * use a chain (rpc_call is the analyst's) but must not see its rpc_urls,
 * which can hold API keys.
 */
static Oid
ChainsOwner(void)
{
	Oid			nsp = get_namespace_oid("amplified", false);
	Oid			relid = get_relname_relid("chains", nsp);
	HeapTuple	tup;
	Oid			owner;

	if (!OidIsValid(relid))
		elog(ERROR, "amplified rpc: table amplified.chains does not exist");
	tup = SearchSysCache1(RELOID, ObjectIdGetDatum(relid));
	if (!HeapTupleIsValid(tup))
		elog(ERROR, "cache lookup failed for relation %u", relid);
	owner = ((Form_pg_class) GETSTRUCT(tup))->relowner;
	ReleaseSysCache(tup);
	return owner;
}

/*
 * Load a chain's endpoints and batch size from amplified.chains.  The row is
 * read as the table's owner, in a restricted operation (as VACUUM and
 * REFRESH do): callers of the RPC functions hold EXECUTE on them, not SELECT
 * on chains, and the URLs reach them only as RpcRedactUrl shows them.
 */
void
RpcLoadTarget(int64 chain_id, RpcTarget *target)
{
	MemoryContext caller = CurrentMemoryContext;
	Oid			argtypes[1] = {INT8OID};
	Datum		values[1];
	bool		isnull;
	Datum		urls;
	Datum	   *elems;
	bool	   *nulls;
	int			i;
	Oid			save_userid;
	int			save_sec;
	int			save_nestlevel;
	volatile int rc = 0;

	values[0] = Int64GetDatum(chain_id);
	SPI_connect();
	GetUserIdAndSecContext(&save_userid, &save_sec);

	/*
	 * The caller's search_path must not reach the owner's query: a caller
	 * could put an operator "=" of their own ahead of pg_catalog's and have
	 * it run as the owner.  So the path is pinned to pg_catalog for the
	 * query (undone below, or by the abort of the (sub)transaction on
	 * error), and the operator is named in full as well.
	 */
	save_nestlevel = NewGUCNestLevel();
	(void) set_config_option("search_path", "pg_catalog, pg_temp", PGC_USERSET, PGC_S_SESSION,
							 GUC_ACTION_SAVE, true, 0, false);
	SetUserIdAndSecContext(ChainsOwner(),
						   save_sec | SECURITY_LOCAL_USERID_CHANGE | SECURITY_RESTRICTED_OPERATION);
	PG_TRY();
	{
		rc = SPI_execute_with_args("SELECT c.rpc_urls, c.batch_size FROM amplified.chains AS c "
								   "WHERE c.chain_id OPERATOR(pg_catalog.=) $1",
								   1, argtypes, values, NULL, true, 1);
	}
	PG_FINALLY();
	{
		SetUserIdAndSecContext(save_userid, save_sec);
	}
	PG_END_TRY();
	AtEOXact_GUC(false, save_nestlevel);
	if (rc != SPI_OK_SELECT)
		elog(ERROR, "amplified rpc: could not read amplified.chains");
	if (SPI_processed == 0)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("chain " INT64_FORMAT " is not configured", chain_id),
				 errhint("Add it with amplified.add_chain().")));

	urls = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);
	target->chain_id = chain_id;
	target->timeout_ms = 0;
	target->batch_size = DatumGetInt32(SPI_getbinval(SPI_tuptable->vals[0],
													 SPI_tuptable->tupdesc, 2, &isnull));
	{
		/* The target must outlive SPI: build it in the caller's context. */
		MemoryContext spi = MemoryContextSwitchTo(caller);
		ArrayType  *arr = DatumGetArrayTypePCopy(urls);

		deconstruct_array(arr, TEXTOID, -1, false, TYPALIGN_INT, &elems, &nulls, &target->nurls);
		target->urls = palloc(sizeof(char *) * Max(target->nurls, 1));
		for (i = 0; i < target->nurls; i++)
			target->urls[i] = TextDatumGetCString(elems[i]);
		MemoryContextSwitchTo(spi);
	}
	SPI_finish();
	if (target->nurls == 0)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("chain " INT64_FORMAT " has no rpc_urls", chain_id)));
}
