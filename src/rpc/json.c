/*
 * src/rpc/json.c
 *
 * A strict JSON scanner for node responses.  It validates a whole body in
 * one pass and leaves a flat array of nodes pointing into the text, so that
 * the client can match ids and the ingest worker can read logs and headers
 * without building a jsonb.  It accepts no more than the jsonb path of
 * client.c did (PostgreSQL's lexer with de-escaping, plus our limits on
 * numbers): when it refuses a body, the client asks PostgreSQL's parser for
 * the message, so that errors read as before.
 */
#include "postgres.h"

#include "mb/pg_wchar.h"
#include "utils/jsonb.h"
#include "utils/memutils.h"

#include "rpc/rpc.h"

/* Deepest nesting accepted, and most values in one response. */
#define RPC_JSON_MAX_DEPTH		10000
#define RPC_JSON_MAX_NODES		(16 * 1024 * 1024)

/* Characters PostgreSQL's lexer reads as part of a literal or number token. */
#define IS_TOKEN_CHAR(c) \
	(((c) >= 'a' && (c) <= 'z') || ((c) >= 'A' && (c) <= 'Z') || \
	 ((c) >= '0' && (c) <= '9') || (c) == '_' || (unsigned char) (c) >= 0x80)

/* The value of a hex digit, or -1. */
static inline int
JsonHexDigit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* The code unit of the four hex digits at p (p + 4 <= end checked), or -1. */
static inline int
JsonU16(const char *p)
{
	int			a = JsonHexDigit(p[0]),
				b = JsonHexDigit(p[1]),
				c = JsonHexDigit(p[2]),
				d = JsonHexDigit(p[3]);

	if ((a | b | c | d) < 0)
		return -1;
	return (a << 12) | (b << 8) | (c << 4) | d;
}

/*
 * Decode the escape sequence at p (just after the backslash), with the
 * rules of PostgreSQL's de-escaping lexer: surrogates only in pairs, no
 * \u0000, nothing above U+007F unless the database is UTF-8.  Returns the
 * position after it and the code point (or the byte) in *cp, or NULL.
 */
static const char *
JsonEscape(const char *p, const char *end, pg_wchar *cp)
{
	int			u,
				lo;

	if (p >= end)
		return NULL;
	switch (*p)
	{
		case '"':
		case '\\':
		case '/':
			*cp = (unsigned char) *p;
			return p + 1;
		case 'b':
			*cp = '\b';
			return p + 1;
		case 'f':
			*cp = '\f';
			return p + 1;
		case 'n':
			*cp = '\n';
			return p + 1;
		case 'r':
			*cp = '\r';
			return p + 1;
		case 't':
			*cp = '\t';
			return p + 1;
		case 'u':
			break;
		default:
			return NULL;
	}
	if (end - p < 5 || (u = JsonU16(p + 1)) < 0)
		return NULL;
	p += 5;
	if (u >= 0xDC00 && u <= 0xDFFF)
		return NULL;			/* a low surrogate alone */
	if (u >= 0xD800 && u <= 0xDBFF)
	{
		if (end - p < 6 || p[0] != '\\' || p[1] != 'u' ||
			(lo = JsonU16(p + 2)) < 0 || lo < 0xDC00 || lo > 0xDFFF)
			return NULL;
		u = 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00);
		p += 6;
	}
	if (u == 0 || (u > 0x7F && GetDatabaseEncoding() != PG_UTF8))
		return NULL;
	*cp = (pg_wchar) u;
	return p;
}

/* Append a node, growing the array; -1 past the limit. */
static inline int
JsonNewNode(RpcJson *doc, int *cap, RpcJsonType type, int start)
{
	RpcJsonNode *n;

	if (doc->nnodes == *cap)
	{
		if (*cap >= RPC_JSON_MAX_NODES)
			return -1;
		*cap *= 2;
		doc->nodes = repalloc_huge(doc->nodes, sizeof(RpcJsonNode) * (Size) *cap);
	}
	n = &doc->nodes[doc->nnodes];
	n->type = (uint8) type;
	n->escaped = false;
	n->start = start;
	n->len = 0;
	n->next = doc->nnodes + 1;
	return doc->nnodes++;
}

/*
 * Scan a string whose opening quote is at *pp into node idx; false when it
 * is not a valid string.
 */
static bool
JsonScanString(RpcJson *doc, int idx, const char **pp, const char *end)
{
	const char *p = *pp + 1;
	const char *start = p;
	bool		escaped = false;

	for (;;)
	{
		unsigned char c;

		/* The common case: a run of plain characters. */
		while (p < end && (c = (unsigned char) *p) != '"' && c != '\\' && c >= 0x20)
			p++;
		if (p >= end)
			return false;
		c = (unsigned char) *p;
		if (c == '"')
			break;
		if (c < 0x20)
			return false;
		{
			pg_wchar	cp;

			escaped = true;
			if ((p = JsonEscape(p + 1, end, &cp)) == NULL)
				return false;
		}
	}
	if (p - start > JENTRY_OFFLENMASK)
		return false;
	doc->nodes[idx].len = (int32) (p - start);
	doc->nodes[idx].escaped = escaped;
	*pp = p + 1;
	return true;
}

/*
 * Scan a number at *pp into node idx: JSON's grammar, and our limits (no
 * exponent, at most 64 characters: ids and error codes are small).
 */
static bool
JsonScanNumber(RpcJson *doc, int idx, const char **pp, const char *end)
{
	const char *p = *pp;

	if (p < end && *p == '-')
		p++;
	if (p >= end || *p < '0' || *p > '9')
		return false;
	if (*p == '0')
		p++;
	else
		while (p < end && *p >= '0' && *p <= '9')
			p++;
	if (p < end && *p == '.')
	{
		p++;
		if (p >= end || *p < '0' || *p > '9')
			return false;
		while (p < end && *p >= '0' && *p <= '9')
			p++;
	}
	/* An exponent, or letters stuck to the number. */
	if (p < end && IS_TOKEN_CHAR(*p))
		return false;
	if (p - *pp > 64)
		return false;
	doc->nodes[idx].len = (int32) (p - *pp);
	*pp = p;
	return true;
}

/* Scan true, false or null at *pp; false unless it is exactly one of them. */
static bool
JsonScanLiteral(RpcJson *doc, int idx, const char **pp, const char *end)
{
	const char *p = *pp;
	const char *q = p;
	int			len;

	while (q < end && IS_TOKEN_CHAR(*q))
		q++;
	len = (int) (q - p);
	if (len == 4 && memcmp(p, "true", 4) == 0)
		doc->nodes[idx].type = RPC_JSON_TRUE;
	else if (len == 5 && memcmp(p, "false", 5) == 0)
		doc->nodes[idx].type = RPC_JSON_FALSE;
	else if (len == 4 && memcmp(p, "null", 4) == 0)
		doc->nodes[idx].type = RPC_JSON_NULL;
	else
		return false;
	doc->nodes[idx].len = len;
	*pp = q;
	return true;
}

#define SKIP_WS(p, end) \
	while ((p) < (end) && (*(p) == ' ' || *(p) == '\n' || *(p) == '\r' || *(p) == '\t')) (p)++

/*
 * Scan text[0..len) into doc.  True when it is one valid JSON value.  False
 * with *why NULL when it is not valid JSON (the caller asks PostgreSQL's
 * parser why), or with *why set when it is valid but past our limits.
 */
bool
RpcJsonParse(const char *text, int len, RpcJson *doc, const char **why)
{
	const char *p = text;
	const char *end = text + len;
	int			cap = 256;
	int		   *stack;
	int			depth = 0;
	int			stackcap = 64;

	*why = NULL;
	doc->text = text;
	doc->len = len;
	doc->nnodes = 0;
	doc->nodes = MemoryContextAllocHuge(CurrentMemoryContext, sizeof(RpcJsonNode) * cap);
	stack = palloc(sizeof(int) * stackcap);

	for (;;)
	{
		int			idx;

		/* A value. */
		SKIP_WS(p, end);
		if (p >= end)
			return false;
		idx = JsonNewNode(doc, &cap, RPC_JSON_NULL, (int) (p - text));
		if (idx < 0)
			goto too_many;
		switch (*p)
		{
			case '{':
			case '[':
				doc->nodes[idx].type = (*p == '{') ? RPC_JSON_OBJECT : RPC_JSON_ARRAY;
				if (depth == RPC_JSON_MAX_DEPTH)
				{
					*why = "malformed JSON: nested deeper than 10000 levels";
					return false;
				}
				if (depth == stackcap)
				{
					stackcap *= 2;
					stack = repalloc(stack, sizeof(int) * stackcap);
				}
				stack[depth++] = idx;
				p++;
				SKIP_WS(p, end);
				if (p < end && *p == (doc->nodes[idx].type == RPC_JSON_OBJECT ? '}' : ']'))
				{
					p++;
					depth--;
					doc->nodes[idx].len = (int32) (p - text) - doc->nodes[idx].start;
					break;
				}
				if (doc->nodes[idx].type == RPC_JSON_ARRAY)
					continue;	/* its first element */
				goto key;
			case '"':
				doc->nodes[idx].type = RPC_JSON_STRING;
				doc->nodes[idx].start++;
				if (!JsonScanString(doc, idx, &p, end))
					return false;
				break;
			case '-':
			case '0':
			case '1':
			case '2':
			case '3':
			case '4':
			case '5':
			case '6':
			case '7':
			case '8':
			case '9':
				doc->nodes[idx].type = RPC_JSON_NUMBER;
				if (!JsonScanNumber(doc, idx, &p, end))
					return false;
				break;
			default:
				if (!JsonScanLiteral(doc, idx, &p, end))
					return false;
				break;
		}

		/* After a value: the end, a comma or the close of containers. */
		for (;;)
		{
			RpcJsonNode *top;

			SKIP_WS(p, end);
			if (depth == 0)
				return p == end;
			if (p >= end)
				return false;
			top = &doc->nodes[stack[depth - 1]];
			if (*p == ',')
			{
				p++;
				break;
			}
			if (*p != (top->type == RPC_JSON_OBJECT ? '}' : ']'))
				return false;
			p++;
			top->len = (int32) (p - text) - top->start;
			top->next = doc->nnodes;
			depth--;
		}
		if (doc->nodes[stack[depth - 1]].type == RPC_JSON_ARRAY)
			continue;

		/* A member's key and colon; its value comes round the loop. */
key:
		SKIP_WS(p, end);
		if (p >= end || *p != '"')
			return false;
		idx = JsonNewNode(doc, &cap, RPC_JSON_STRING, (int) (p - text) + 1);
		if (idx < 0)
			goto too_many;
		if (!JsonScanString(doc, idx, &p, end))
			return false;
		SKIP_WS(p, end);
		if (p >= end || *p != ':')
			return false;
		p++;
	}

too_many:
	*why = psprintf("the response has more than %d JSON values", RPC_JSON_MAX_NODES);
	return false;
}

/*
 * A string node's value: a pointer into the text when it has no escapes,
 * else a palloc'd de-escaped copy.  Not NUL-terminated in the first case.
 */
const char *
RpcJsonString(const RpcJson *doc, int node, int *len)
{
	const RpcJsonNode *n = &doc->nodes[node];
	const char *p = doc->text + n->start;
	const char *end = p + n->len;
	char	   *out;
	char	   *o;

	if (!n->escaped)
	{
		*len = n->len;
		return p;
	}
	/* De-escaping never grows a string: 6 bytes become at most 3, 12 at most 4. */
	o = out = palloc(n->len + 1);
	while (p < end)
	{
		if (*p != '\\')
			*o++ = *p++;
		else
		{
			pg_wchar	cp;

			p = JsonEscape(p + 1, end, &cp);
			Assert(p != NULL);	/* checked by the scan */
			if (cp <= 0x7F)
				*o++ = (char) cp;
			else
			{
				unicode_to_utf8(cp, (unsigned char *) o);
				o += pg_utf_mblen((unsigned char *) o);
			}
		}
	}
	*o = '\0';
	*len = (int) (o - out);
	return out;
}

/* A string node's value as a palloc'd C string. */
char *
RpcJsonCString(const RpcJson *doc, int node)
{
	int			len;
	const char *s = RpcJsonString(doc, node, &len);

	return doc->nodes[node].escaped ? (char *) s : pnstrdup(s, len);
}

/*
 * The value of member key in object node obj, or -1.  The last one wins
 * when a key repeats, as in jsonb.
 */
int
RpcJsonGet(const RpcJson *doc, int obj, const char *key, int keylen)
{
	int			i;
	int			found = -1;
	int			end = doc->nodes[obj].next;

	if (doc->nodes[obj].type != RPC_JSON_OBJECT)
		return -1;
	for (i = obj + 1; i < end; i = doc->nodes[i + 1].next)
	{
		const RpcJsonNode *k = &doc->nodes[i];

		if (!k->escaped)
		{
			if (k->len == keylen && memcmp(doc->text + k->start, key, keylen) == 0)
				found = i + 1;
		}
		else
		{
			int			len;
			const char *s = RpcJsonString(doc, i, &len);

			if (len == keylen && memcmp(s, key, keylen) == 0)
				found = i + 1;
		}
	}
	return found;
}

/* The number of elements of an array node (members of an object). */
int
RpcJsonCount(const RpcJson *doc, int node)
{
	int			i;
	int			n = 0;
	int			end = doc->nodes[node].next;
	bool		obj = doc->nodes[node].type == RPC_JSON_OBJECT;

	for (i = node + 1; i < end; i = doc->nodes[obj ? i + 1 : i].next)
		n++;
	return n;
}

/* The JSON text of a node (a string with its quotes). */
void
RpcJsonSpan(const RpcJson *doc, int node, const char **s, int *len)
{
	const RpcJsonNode *n = &doc->nodes[node];

	if (n->type == RPC_JSON_STRING)
	{
		*s = doc->text + n->start - 1;
		*len = n->len + 2;
	}
	else
	{
		*s = doc->text + n->start;
		*len = n->len;
	}
}
