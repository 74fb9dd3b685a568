/*
 * src/evm/abi_codec.c
 *
 * The Solidity contract ABI (v2 encoding): a parser for type lists and
 * function/event signatures shared by abi_encode, abi_decode,
 * abi_encode_call, abi_decode_log, selector and event_topic; the encoder from
 * JSON values; and a strict decoder to JSON values.  The decoder checks every
 * offset and length against the data before reading or allocating, rejects
 * words that are not the canonical encoding of their type (dirty high bits,
 * booleans other than 0/1), and stops data whose offsets point at the same
 * bytes over and over from inflating into a huge result.
 *
 * Runtime-pure: no palloc, no ereport (see codec.h); it includes postgres.h
 * only for the Uint256 helpers of u256_math.c, so the fuzz harness builds it
 * with the server's headers and libpgport, without a server.
 */
#include "postgres.h"

#include "evm/codec.h"
#include "evm/evm.h"

/* Decoding may read at most this many times the data's size, plus a little. */
#define ABI_DECODE_INFLATION	16
#define ABI_DECODE_SLACK		65536

/* ---------------------------------------------------------------- types */

typedef struct AbiParser
{
	const char *s;
	size_t		len;
	size_t		pos;
	CodecMem   *mem;
	CodecError *err;
	const char *what;			/* "ABI types", "function signature", ... */
} AbiParser;

/* Fail with a message naming the input and the position. */
static bool
ParseFail(AbiParser *p, const char *why)
{
	int			shown = (int) (p->len > 200 ? 200 : p->len);

	return CodecFail(p->err, CODEC_ERR_SYNTAX, "invalid %s \"%.*s%s\": %s at position %zu",
					 p->what, shown, p->s, p->len > 200 ? "..." : "", why, p->pos + 1);
}

static void
SkipSpace(AbiParser *p)
{
	while (p->pos < p->len && (p->s[p->pos] == ' ' || p->s[p->pos] == '\t' ||
							   p->s[p->pos] == '\n' || p->s[p->pos] == '\r'))
		p->pos++;
}

static bool
IsIdentStart(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == '$';
}

static bool
IsIdentChar(char c)
{
	return IsIdentStart(c) || (c >= '0' && c <= '9');
}

/* Read an identifier at the current position; false (no error) if none. */
static bool
ParseIdent(AbiParser *p, const char **start, size_t *n)
{
	size_t		b = p->pos;

	if (p->pos >= p->len || !IsIdentStart(p->s[p->pos]))
		return false;
	while (p->pos < p->len && IsIdentChar(p->s[p->pos]))
		p->pos++;
	*start = p->s + b;
	*n = p->pos - b;
	return true;
}

static bool
IdentIs(const char *s, size_t n, const char *word)
{
	return strlen(word) == n && memcmp(s, word, n) == 0;
}

/* The next non-space character, without consuming it ('\0' at the end). */
static char
Peek(AbiParser *p)
{
	SkipSpace(p);
	return p->pos < p->len ? p->s[p->pos] : '\0';
}

static AbiType *
NewType(AbiParser *p, AbiKind kind)
{
	AbiType    *t = p->mem->alloc(p->mem->arg, sizeof(AbiType));

	t->kind = kind;
	t->head = 32;
	return t;
}

/*
 * Parse a decimal size suffix (the 8 of uint8, the 32 of bytes32): digits
 * without a leading zero; -1 when absent or malformed.
 */
static int
SizeSuffix(const char *s, size_t n)
{
	int			v = 0;
	size_t		i;

	if (n == 0 || n > 3 || s[0] == '0')
		return -1;
	for (i = 0; i < n; i++)
	{
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

/* An elementary type from its name, or NULL after reporting the error. */
static AbiType *
ElementaryType(AbiParser *p, const char *s, size_t n, size_t at)
{
	AbiType    *t;
	int			size;

	if (IdentIs(s, n, "address"))
		return NewType(p, ABI_ADDRESS);
	if (IdentIs(s, n, "bool"))
		return NewType(p, ABI_BOOL);
	if (IdentIs(s, n, "string"))
		return NewType(p, ABI_STRING);
	if (IdentIs(s, n, "bytes"))
		return NewType(p, ABI_BYTES);
	if (IdentIs(s, n, "uint") || IdentIs(s, n, "int"))
	{
		t = NewType(p, s[0] == 'u' ? ABI_UINT : ABI_INT);
		t->size = 256;
		return t;
	}
	if (n > 4 && memcmp(s, "uint", 4) == 0)
	{
		size = SizeSuffix(s + 4, n - 4);
		if (size >= 8 && size <= 256 && size % 8 == 0)
		{
			t = NewType(p, ABI_UINT);
			t->size = size;
			return t;
		}
	}
	else if (n > 3 && memcmp(s, "int", 3) == 0)
	{
		size = SizeSuffix(s + 3, n - 3);
		if (size >= 8 && size <= 256 && size % 8 == 0)
		{
			t = NewType(p, ABI_INT);
			t->size = size;
			return t;
		}
	}
	else if (n > 5 && memcmp(s, "bytes", 5) == 0)
	{
		size = SizeSuffix(s + 5, n - 5);
		if (size >= 1 && size <= 32)
		{
			t = NewType(p, ABI_FIXED_BYTES);
			t->size = size;
			return t;
		}
	}
	p->pos = at;
	{
		char		why[120];

		snprintf(why, sizeof(why), "unknown type \"%.*s\"", (int) (n > 64 ? 64 : n), s);
		ParseFail(p, why);
	}
	return NULL;
}

static bool ParseParamList(AbiParser *p, int depth, bool top_event, AbiType *tuple);

/* Parse one type (elementary or tuple, with array suffixes). */
static AbiType *
ParseType(AbiParser *p, int depth)
{
	AbiType    *t;
	const char *id;
	size_t		n;
	size_t		at;

	if (depth > CODEC_MAX_DEPTH)
	{
		ParseFail(p, "types nested too deeply");
		return NULL;
	}
	SkipSpace(p);
	at = p->pos;
	if (ParseIdent(p, &id, &n))
	{
		if (IdentIs(id, n, "tuple") && Peek(p) == '(')
			id = NULL;
		else if (!(t = ElementaryType(p, id, n, at)))
			return NULL;
	}
	else if (p->pos < p->len && p->s[p->pos] == '(')
		id = NULL;
	else
	{
		ParseFail(p, p->pos < p->len ? "expected a type" : "unexpected end, expected a type");
		return NULL;
	}
	if (id == NULL)
	{
		t = NewType(p, ABI_TUPLE);
		p->pos++;				/* the '(' */
		if (!ParseParamList(p, depth + 1, false, t))
			return NULL;
		if (Peek(p) != ')')
		{
			ParseFail(p, "expected \",\" or \")\"");
			return NULL;
		}
		p->pos++;
	}
	/* array suffixes */
	while (Peek(p) == '[')
	{
		AbiType    *a;
		size_t		k = 0;
		size_t		digits = 0;

		if (depth + 1 > CODEC_MAX_DEPTH)
		{
			ParseFail(p, "types nested too deeply");
			return NULL;
		}
		p->pos++;
		SkipSpace(p);
		while (p->pos < p->len && p->s[p->pos] >= '0' && p->s[p->pos] <= '9')
		{
			if (digits == 0 && p->s[p->pos] == '0')
			{
				ParseFail(p, "array length must be a positive integer without leading zeros");
				return NULL;
			}
			k = k * 10 + (size_t) (p->s[p->pos] - '0');
			if (k > CODEC_MAX_ALLOC / 32)
			{
				CodecFail(p->err, CODEC_ERR_LIMIT, "invalid %s \"%.*s\": array length too large",
						  p->what, (int) (p->len > 200 ? 200 : p->len), p->s);
				return NULL;
			}
			digits++;
			p->pos++;
		}
		if (Peek(p) != ']')
		{
			ParseFail(p, "expected \"]\"");
			return NULL;
		}
		p->pos++;
		a = NewType(p, digits ? ABI_FIXED_ARRAY : ABI_ARRAY);
		a->elem = t;
		a->length = k;
		t = a;
		depth++;
	}
	return t;
}

/*
 * Parse "type [indexed] [location] [name], ..." up to (not including) a ")"
 * or the end, into tuple's components.  indexed is allowed only in the
 * top-level list of an event.
 */
static bool
ParseParamList(AbiParser *p, int depth, bool top_event, AbiType *tuple)
{
	AbiType    *items[16];
	AbiType   **many = items;
	int			cap = 16;
	int			n = 0;

	if (Peek(p) == ')' || Peek(p) == '\0')
	{
		tuple->ncomps = 0;
		tuple->comps = NULL;
		return true;
	}
	for (;;)
	{
		AbiType    *t = ParseType(p, depth);
		bool		named = false;
		const char *id;
		size_t		idn;

		if (!t)
			return false;
		/* modifiers and a name */
		for (;;)
		{
			size_t		at;

			SkipSpace(p);
			at = p->pos;
			if (!ParseIdent(p, &id, &idn))
				break;
			if (named)
			{
				p->pos = at;
				return ParseFail(p, "expected \",\" or \")\" after the parameter name");
			}
			if (IdentIs(id, idn, "indexed"))
			{
				if (!top_event)
				{
					p->pos = at;
					return ParseFail(p, "\"indexed\" is allowed only on the parameters of an event");
				}
				if (t->indexed)
				{
					p->pos = at;
					return ParseFail(p, "\"indexed\" given twice");
				}
				t->indexed = true;
			}
			else if (IdentIs(id, idn, "memory") || IdentIs(id, idn, "calldata") ||
					 IdentIs(id, idn, "storage"))
				;				/* a data location: no effect on the ABI */
			else
				named = true;
		}
		if (n == cap)
		{
			AbiType   **bigger;

			if (cap >= 65536)
				return ParseFail(p, "too many parameters");
			bigger = p->mem->alloc(p->mem->arg, sizeof(AbiType *) * cap * 2);
			memcpy(bigger, many, sizeof(AbiType *) * cap);
			many = bigger;
			cap *= 2;
		}
		many[n++] = t;
		if (Peek(p) != ',')
			break;
		p->pos++;
	}
	tuple->ncomps = n;
	tuple->comps = p->mem->alloc(p->mem->arg, sizeof(AbiType *) * n);
	memcpy(tuple->comps, many, sizeof(AbiType *) * n);
	return true;
}

/*
 * Check what the grammar cannot (no empty tuple below the top level) and
 * work out which types are dynamic and how many head bytes each takes.
 */
static bool
Layout(AbiParser *p, AbiType *t)
{
	int			i;

	switch (t->kind)
	{
		case ABI_BYTES:
		case ABI_STRING:
			t->dynamic = true;
			t->head = 32;
			return true;
		case ABI_ARRAY:
			t->dynamic = true;
			t->head = 32;
			return Layout(p, t->elem);
		case ABI_FIXED_ARRAY:
			if (!Layout(p, t->elem))
				return false;
			t->dynamic = t->elem->dynamic;
			if (t->dynamic)
				t->head = 32;
			else
			{
				if (t->length > CODEC_MAX_ALLOC / t->elem->head)
					return CodecFail(p->err, CODEC_ERR_LIMIT,
									 "invalid %s \"%.*s\": a fixed-size array is too large",
									 p->what, (int) (p->len > 200 ? 200 : p->len), p->s);
				t->head = t->length * t->elem->head;
			}
			return true;
		case ABI_TUPLE:
			{
				size_t		head = 0;

				if (t->ncomps == 0)
					return CodecFail(p->err, CODEC_ERR_SYNTAX,
									 "invalid %s \"%.*s%s\": an empty tuple \"()\" is allowed only as the whole, empty parameter list",
									 p->what, (int) (p->len > 200 ? 200 : p->len), p->s,
									 p->len > 200 ? "..." : "");
				t->dynamic = false;
				for (i = 0; i < t->ncomps; i++)
				{
					if (!Layout(p, t->comps[i]))
						return false;
					if (t->comps[i]->dynamic)
						t->dynamic = true;
				}
				for (i = 0; i < t->ncomps; i++)
				{
					size_t		h = t->comps[i]->dynamic ? 32 : t->comps[i]->head;

					if (h > CODEC_MAX_ALLOC - head)
						return CodecFail(p->err, CODEC_ERR_LIMIT,
										 "invalid %s \"%.*s\": a tuple is too large",
										 p->what, (int) (p->len > 200 ? 200 : p->len), p->s);
					head += h;
				}
				t->head = t->dynamic ? 32 : head;
				return true;
			}
		default:
			t->dynamic = false;
			t->head = 32;
			return true;
	}
}

/* Lay out a top-level parameter list (which may be empty). */
static bool
LayoutTop(AbiParser *p, AbiType *tuple)
{
	int			i;
	size_t		head = 0;

	for (i = 0; i < tuple->ncomps; i++)
	{
		size_t		h;

		if (!Layout(p, tuple->comps[i]))
			return false;
		h = tuple->comps[i]->dynamic ? 32 : tuple->comps[i]->head;
		if (h > CODEC_MAX_ALLOC - head)
			return CodecFail(p->err, CODEC_ERR_LIMIT, "invalid %s \"%.*s\": too large",
							 p->what, (int) (p->len > 200 ? 200 : p->len), p->s);
		head += h;
	}
	tuple->dynamic = false;
	tuple->head = head;
	return true;
}

/*
 * Parse a type list: either "(T1,T2,...)" -- one parenthesised list -- or
 * "T1,T2,..." without the parentheses.  "()" and "" are the empty list.  The
 * result is a tuple whose components are the listed types.
 */
bool
AbiParseTypes(const char *s, size_t len, CodecMem *mem, AbiType **out, CodecError *err)
{
	AbiParser	p = {s, len, 0, mem, err, "ABI types"};
	AbiType    *top = NewType(&p, ABI_TUPLE);
	size_t		first;

	SkipSpace(&p);
	first = p.pos;
	if (!ParseParamList(&p, 0, false, top))
		return false;
	if (Peek(&p) != '\0')
		return ParseFail(&p, "expected \",\" or the end");
	/* "(...)" as the whole text is the list itself */
	if (top->ncomps == 1 && top->comps[0]->kind == ABI_TUPLE && s[first] == '(')
		top = top->comps[0];
	else if (top->ncomps == 1 && top->comps[0]->kind == ABI_TUPLE &&
			 top->comps[0]->ncomps == 0)
		top = top->comps[0];	/* "tuple()" */
	if (!LayoutTop(&p, top))
		return false;
	*out = top;
	return true;
}

/*
 * Parse "[function|event] name(params) [modifiers]" into the canonical
 * signature that Solidity hashes and the parameter tuple.  Functions may
 * carry the trailing words of a declaration (view, pure, payable,
 * nonpayable, external, public, returns (...)), which do not enter the
 * signature; events may end in "anonymous".
 */
bool
AbiParseSignature(const char *s, size_t len, AbiParseMode mode, CodecMem *mem,
				  AbiSignature *out, CodecError *err)
{
	AbiParser	p = {s, len, 0, mem, err,
	mode == ABI_MODE_EVENT ? "event signature" : "function signature"};
	AbiType    *params = NewType(&p, ABI_TUPLE);
	const char *name;
	size_t		namelen;
	CodecBuf	buf;
	int			i;

	SkipSpace(&p);
	if (!ParseIdent(&p, &name, &namelen))
		return ParseFail(&p, "expected a name");
	if ((mode == ABI_MODE_EVENT && IdentIs(name, namelen, "event")) ||
		(mode == ABI_MODE_FUNCTION && IdentIs(name, namelen, "function")))
	{
		SkipSpace(&p);
		if (!ParseIdent(&p, &name, &namelen))
			return ParseFail(&p, "expected a name");
	}
	if (Peek(&p) != '(')
		return ParseFail(&p, "expected \"(\"");
	p.pos++;
	if (!ParseParamList(&p, 0, mode == ABI_MODE_EVENT, params))
		return false;
	if (Peek(&p) != ')')
		return ParseFail(&p, "expected \",\" or \")\"");
	p.pos++;
	out->anonymous = false;
	for (;;)
	{
		const char *w;
		size_t		wn;
		size_t		at;

		SkipSpace(&p);
		at = p.pos;
		if (!ParseIdent(&p, &w, &wn))
			break;
		if (mode == ABI_MODE_EVENT && IdentIs(w, wn, "anonymous") && !out->anonymous)
			out->anonymous = true;
		else if (mode == ABI_MODE_FUNCTION &&
				 (IdentIs(w, wn, "view") || IdentIs(w, wn, "pure") ||
				  IdentIs(w, wn, "payable") || IdentIs(w, wn, "nonpayable") ||
				  IdentIs(w, wn, "external") || IdentIs(w, wn, "public")))
			;
		else if (mode == ABI_MODE_FUNCTION && IdentIs(w, wn, "returns") && Peek(&p) == '(')
		{
			AbiType    *ret = NewType(&p, ABI_TUPLE);

			p.pos++;
			if (!ParseParamList(&p, 0, false, ret))
				return false;
			if (Peek(&p) != ')')
				return ParseFail(&p, "expected \",\" or \")\"");
			p.pos++;
			if (!LayoutTop(&p, ret))
				return false;
		}
		else
		{
			p.pos = at;
			return ParseFail(&p, "unexpected word after the parameter list");
		}
	}
	if (Peek(&p) != '\0')
		return ParseFail(&p, "unexpected text after the parameter list");
	if (!LayoutTop(&p, params))
		return false;

	CodecBufInit(&buf, mem);
	if (!CodecBufAppend(&buf, name, namelen, err) || !CodecBufAppend(&buf, "(", 1, err))
		return false;
	for (i = 0; i < params->ncomps; i++)
	{
		if (i > 0 && !CodecBufAppend(&buf, ",", 1, err))
			return false;
		if (!AbiTypeToText(params->comps[i], &buf, err))
			return false;
	}
	if (!CodecBufAppend(&buf, ")", 2, err))	/* with the NUL */
		return false;
	out->canonical = (char *) buf.data;
	out->params = params;
	return true;
}

/* Append the canonical spelling of t ("uint256", "(address,bytes)[2]"). */
bool
AbiTypeToText(const AbiType *t, CodecBuf *out, CodecError *err)
{
	char		tmp[32];
	int			i;

	switch (t->kind)
	{
		case ABI_UINT:
			snprintf(tmp, sizeof(tmp), "uint%d", t->size);
			return CodecBufAppendStr(out, tmp, err);
		case ABI_INT:
			snprintf(tmp, sizeof(tmp), "int%d", t->size);
			return CodecBufAppendStr(out, tmp, err);
		case ABI_ADDRESS:
			return CodecBufAppendStr(out, "address", err);
		case ABI_BOOL:
			return CodecBufAppendStr(out, "bool", err);
		case ABI_FIXED_BYTES:
			snprintf(tmp, sizeof(tmp), "bytes%d", t->size);
			return CodecBufAppendStr(out, tmp, err);
		case ABI_BYTES:
			return CodecBufAppendStr(out, "bytes", err);
		case ABI_STRING:
			return CodecBufAppendStr(out, "string", err);
		case ABI_ARRAY:
			return AbiTypeToText(t->elem, out, err) && CodecBufAppendStr(out, "[]", err);
		case ABI_FIXED_ARRAY:
			snprintf(tmp, sizeof(tmp), "[%zu]", t->length);
			return AbiTypeToText(t->elem, out, err) && CodecBufAppendStr(out, tmp, err);
		case ABI_TUPLE:
			if (!CodecBufAppend(out, "(", 1, err))
				return false;
			for (i = 0; i < t->ncomps; i++)
			{
				if (i > 0 && !CodecBufAppend(out, ",", 1, err))
					return false;
				if (!AbiTypeToText(t->comps[i], out, err))
					return false;
			}
			return CodecBufAppend(out, ")", 1, err);
	}
	return false;
}

/* True for the types an indexed event parameter stores as is (not hashed). */
bool
AbiTypeIsValueType(const AbiType *t)
{
	return t->kind == ABI_UINT || t->kind == ABI_INT || t->kind == ABI_ADDRESS ||
		t->kind == ABI_BOOL || t->kind == ABI_FIXED_BYTES;
}

/* A short name of an elementary type for messages. */
static const char *
TypeName(const AbiType *t, char *buf, size_t n)
{
	switch (t->kind)
	{
		case ABI_UINT:
			snprintf(buf, n, "uint%d", t->size);
			break;
		case ABI_INT:
			snprintf(buf, n, "int%d", t->size);
			break;
		case ABI_FIXED_BYTES:
			snprintf(buf, n, "bytes%d", t->size);
			break;
		case ABI_ADDRESS:
			return "address";
		case ABI_BOOL:
			return "bool";
		case ABI_BYTES:
			return "bytes";
		case ABI_STRING:
			return "string";
		case ABI_ARRAY:
		case ABI_FIXED_ARRAY:
			return "array";
		case ABI_TUPLE:
			return "tuple";
	}
	return buf;
}

/* ---------------------------------------------------------- the walk path */

/* Where in the value tree a codec is, for messages: "$[1][0]". */
typedef struct AbiPath
{
	size_t		idx[CODEC_MAX_DEPTH * 2 + 4];
	int			depth;
	char		text[160];
} AbiPath;

static const char *
PathText(AbiPath *path)
{
	size_t		n;
	int			i;

	snprintf(path->text, sizeof(path->text), "$");
	for (i = 0; i < path->depth; i++)
	{
		n = strlen(path->text);
		if (n > sizeof(path->text) - 24)
		{
			snprintf(path->text + n, sizeof(path->text) - n, "...");
			break;
		}
		snprintf(path->text + n, sizeof(path->text) - n, "[%zu]", path->idx[i]);
	}
	return path->text;
}

/* ---------------------------------------------------------------- encoding */

typedef struct AbiEnc
{
	CodecBuf   *out;
	CodecError *err;
	CodecMem   *mem;
	AbiPath		path;
} AbiEnc;

static bool EncodeSeq(AbiEnc *e, AbiType *const *types, const AbiType *repeat, size_t n,
					  const CodecJson *items);
static bool EncodeStatic(AbiEnc *e, const AbiType *t, const CodecJson *v, size_t pos);

static bool
ShapeFail(AbiEnc *e, const AbiType *t, const CodecJson *v, const char *want)
{
	char		tn[16];

	return CodecFail(e->err, CODEC_ERR_VALUE, "expected %s for type %s at %s, got a JSON %s",
					 want, TypeName(t, tn, sizeof(tn)), PathText(&e->path),
					 CodecJsonKindName(v->kind));
}

/* Quote at most 100 bytes of a value for a message. */
#define SHOWN(v) (int) ((v)->len > 100 ? 100 : (v)->len), (v)->str, ((v)->len > 100 ? "..." : "")

/*
 * An integer value: a JSON string in decimal or 0x hex, optionally negative,
 * or a JSON number that is an exact integer ("1.0" is, "1.5" is not).
 * Writes the 32-byte two's complement word.
 */
static bool
EncodeInteger(AbiEnc *e, const AbiType *t, const CodecJson *v, uint8_t *word)
{
	char		tn[16];
	const char *s = v->str;
	size_t		n = v->len;
	bool		negative = false;
	Uint256		mag;
	Uint256		r;
	Uint256ParseStatus st;
	int			msb;

	if (v->kind != CJ_STRING && v->kind != CJ_NUMBER)
		return ShapeFail(e, t, v, "a string or number");
	TypeName(t, tn, sizeof(tn));
	if (n > 0 && s[0] == '-')
	{
		negative = true;
		s++;
		n--;
	}
	if (v->kind == CJ_NUMBER)
	{
		/* numeric_out spells numbers without exponents: drop a zero fraction */
		const char *dot = memchr(s, '.', n);

		if (dot)
		{
			size_t		i;

			for (i = dot - s + 1; i < n; i++)
				if (s[i] != '0')
					return CodecFail(e->err, CODEC_ERR_SYNTAX,
									 "invalid input syntax for type %s: \"%.*s%s\" at %s",
									 tn, SHOWN(v), PathText(&e->path));
			n = dot - s;
		}
		st = Uint256FromDecimal(s, n, &mag);
	}
	else if (n >= 2 && s[0] == '0' && s[1] == 'x')
		st = Uint256FromHex(s + 2, n - 2, &mag);
	else
		st = Uint256FromDecimal(s, n, &mag);
	if (st == UINT256_PARSE_SYNTAX)
		return CodecFail(e->err, CODEC_ERR_SYNTAX, "invalid input syntax for type %s: \"%.*s%s\" at %s",
						 tn, SHOWN(v), PathText(&e->path));
	msb = Uint256Msb(&mag);
	if (st == UINT256_PARSE_RANGE)
		msb = 1000;
	if (t->kind == ABI_UINT)
	{
		if ((negative && msb >= 0) || msb >= t->size)
			return CodecFail(e->err, CODEC_ERR_RANGE, "value \"%.*s%s\" is out of range for type %s at %s",
							 SHOWN(v), tn, PathText(&e->path));
		r = mag;
	}
	else
	{
		/* |v| < 2^(N-1), or v = -2^(N-1) */
		bool		fits = msb < t->size - 1 ||
			(negative && msb == t->size - 1 && Uint256Lsb(&mag) == t->size - 1);

		if (!fits)
			return CodecFail(e->err, CODEC_ERR_RANGE, "value \"%.*s%s\" is out of range for type %s at %s",
							 SHOWN(v), tn, PathText(&e->path));
		if (!Int256FromMagnitude(&mag, negative, &r))
			return CodecFail(e->err, CODEC_ERR_RANGE, "value \"%.*s%s\" is out of range for type %s at %s",
							 SHOWN(v), tn, PathText(&e->path));
	}
	Uint256ToBytesBE(&r, word);
	return true;
}

/* Write the one-word encoding of an elementary static value into word. */
static bool
EncodeWord(AbiEnc *e, const AbiType *t, const CodecJson *v, uint8_t *word)
{
	char		tn[16];

	memset(word, 0, 32);
	switch (t->kind)
	{
		case ABI_UINT:
		case ABI_INT:
			return EncodeInteger(e, t, v, word);
		case ABI_BOOL:
			if (v->kind != CJ_BOOL)
				return ShapeFail(e, t, v, "true or false");
			word[31] = v->boolean ? 1 : 0;
			return true;
		case ABI_ADDRESS:
			if (v->kind != CJ_STRING)
				return ShapeFail(e, t, v, "a string");
			switch (AddressParse(v->str, v->len, word + 12))
			{
				case ADDRESS_PARSE_OK:
					return true;
				case ADDRESS_PARSE_CHECKSUM:
					return CodecFail(e->err, CODEC_ERR_SYNTAX,
									 "invalid EIP-55 checksum in address \"%.*s%s\" at %s",
									 SHOWN(v), PathText(&e->path));
				default:
					return CodecFail(e->err, CODEC_ERR_SYNTAX,
									 "invalid input syntax for type address: \"%.*s%s\" at %s",
									 SHOWN(v), PathText(&e->path));
			}
		case ABI_FIXED_BYTES:
			if (v->kind != CJ_STRING)
				return ShapeFail(e, t, v, "a 0x hex string");
			if (v->len < 2 || v->str[0] != '0' || v->str[1] != 'x' ||
				!CodecHexDecode(v->str + 2, v->len - 2, word))
				return CodecFail(e->err, CODEC_ERR_SYNTAX,
								 "invalid input syntax for type %s: \"%.*s%s\" at %s",
								 TypeName(t, tn, sizeof(tn)), SHOWN(v), PathText(&e->path));
			if (v->len - 2 != (size_t) t->size * 2)
				return CodecFail(e->err, CODEC_ERR_RANGE,
								 "value \"%.*s%s\" has %zu bytes, type %s needs %d at %s",
								 SHOWN(v), (v->len - 2) / 2, TypeName(t, tn, sizeof(tn)),
								 t->size, PathText(&e->path));
			return true;
		default:
			break;
	}
	return CodecFail(e->err, CODEC_ERR_VALUE, "cannot encode type %s as one word",
					 TypeName(t, tn, sizeof(tn)));
}

/* Append a big-endian word holding a size or offset. */
static bool
AppendSizeWord(AbiEnc *e, size_t v)
{
	uint8_t		word[32];
	int			i;

	memset(word, 0, 32);
	for (i = 0; i < 8; i++)
		word[31 - i] = (uint8_t) ((uint64_t) v >> (8 * i));
	return CodecBufAppend(e->out, word, 32, e->err);
}

/* Append n zero bytes. */
static bool
AppendZeros(AbiEnc *e, size_t n)
{
	if (n == 0)
		return true;
	if (!CodecBufReserve(e->out, n, e->err))
		return false;
	memset(e->out->data + e->out->len, 0, n);
	e->out->len += n;
	return true;
}

/* Append the tail encoding of a value of dynamic type t. */
static bool
EncodeDynamic(AbiEnc *e, const AbiType *t, const CodecJson *v)
{
	char		tn[16];
	uint8_t    *bytes;
	size_t		n;

	switch (t->kind)
	{
		case ABI_BYTES:
		case ABI_STRING:
			if (v->kind != CJ_STRING)
				return ShapeFail(e, t, v, t->kind == ABI_BYTES ? "a 0x hex string" : "a string");
			if (t->kind == ABI_BYTES)
			{
				if (!CodecHexString(v->str, v->len, e->mem, &bytes, &n))
					return CodecFail(e->err, CODEC_ERR_SYNTAX,
									 "invalid input syntax for type bytes: \"%.*s%s\" at %s",
									 SHOWN(v), PathText(&e->path));
			}
			else
			{
				bytes = (uint8_t *) v->str;
				n = v->len;
			}
			if (!AppendSizeWord(e, n) || !CodecBufAppend(e->out, bytes, n, e->err))
				return false;
			return AppendZeros(e, (32 - n % 32) % 32);
		case ABI_ARRAY:
			if (v->kind != CJ_ARRAY)
				return ShapeFail(e, t, v, "an array");
			if (!AppendSizeWord(e, v->n))
				return false;
			return EncodeSeq(e, NULL, t->elem, v->n, v->items);
		case ABI_FIXED_ARRAY:
			if (v->kind != CJ_ARRAY)
				return ShapeFail(e, t, v, "an array");
			if (v->n != t->length)
				return CodecFail(e->err, CODEC_ERR_VALUE,
								 "expected an array of %zu elements at %s, got %zu",
								 t->length, PathText(&e->path), v->n);
			return EncodeSeq(e, NULL, t->elem, v->n, v->items);
		case ABI_TUPLE:
			if (v->kind != CJ_ARRAY)
				return ShapeFail(e, t, v, "an array");
			if (v->n != (size_t) t->ncomps)
				return CodecFail(e->err, CODEC_ERR_VALUE,
								 "expected a tuple of %d values at %s, got %zu",
								 t->ncomps, PathText(&e->path), v->n);
			return EncodeSeq(e, t->comps, NULL, v->n, v->items);
		default:
			break;
	}
	return CodecFail(e->err, CODEC_ERR_VALUE, "type %s is not dynamic",
					 TypeName(t, tn, sizeof(tn)));
}

/*
 * Write a value of static type t at out->data[pos] (the head space is
 * already there): one word, or the static elements of a tuple or T[k].
 */
static bool
EncodeStatic(AbiEnc *e, const AbiType *t, const CodecJson *v, size_t pos)
{
	size_t		i;
	size_t		n;

	if (t->kind == ABI_TUPLE || t->kind == ABI_FIXED_ARRAY)
	{
		n = t->kind == ABI_TUPLE ? (size_t) t->ncomps : t->length;
		if (v->kind != CJ_ARRAY)
			return ShapeFail(e, t, v, "an array");
		if (v->n != n)
			return CodecFail(e->err, CODEC_ERR_VALUE, "expected %s of %zu %s at %s, got %zu",
							 t->kind == ABI_TUPLE ? "a tuple" : "an array", n,
							 t->kind == ABI_TUPLE ? "values" : "elements",
							 PathText(&e->path), v->n);
		if (e->path.depth >= (int) (sizeof(e->path.idx) / sizeof(e->path.idx[0])))
			return CodecFail(e->err, CODEC_ERR_LIMIT, "value nested too deeply");
		e->path.depth++;
		for (i = 0; i < n; i++)
		{
			const AbiType *c = t->kind == ABI_TUPLE ? t->comps[i] : t->elem;

			e->path.idx[e->path.depth - 1] = i;
			if (!EncodeStatic(e, c, &v->items[i], pos))
				return false;
			pos += c->head;
		}
		e->path.depth--;
		return true;
	}
	return EncodeWord(e, t, v, e->out->data + pos);
}

/*
 * Append the encoding of n values as a tuple: the heads (static values in
 * place, offsets for dynamic ones), then each dynamic value's tail.  The
 * types are types[i], or repeat for every element of an array.
 */
static bool
EncodeSeq(AbiEnc *e, AbiType *const *types, const AbiType *repeat, size_t n,
		  const CodecJson *items)
{
	size_t		start = e->out->len;
	size_t		headlen = 0;
	size_t		pos;
	size_t		i;

	for (i = 0; i < n; i++)
	{
		const AbiType *t = types ? types[i] : repeat;

		if (t->head > CODEC_MAX_ALLOC - headlen)
			return CodecFail(e->err, CODEC_ERR_LIMIT, "result would exceed the maximum size of %zu bytes",
							 CODEC_MAX_ALLOC);
		headlen += t->head;
	}
	if (!AppendZeros(e, headlen))
		return false;
	if (e->path.depth >= (int) (sizeof(e->path.idx) / sizeof(e->path.idx[0])))
		return CodecFail(e->err, CODEC_ERR_LIMIT, "value nested too deeply");
	e->path.depth++;
	pos = start;
	for (i = 0; i < n; i++)
	{
		const AbiType *t = types ? types[i] : repeat;

		e->path.idx[e->path.depth - 1] = i;
		if (t->dynamic)
		{
			size_t		off = e->out->len - start;
			int			b;

			for (b = 0; b < 8; b++)
				e->out->data[pos + 31 - b] = (uint8_t) ((uint64_t) off >> (8 * b));
			if (!EncodeDynamic(e, t, &items[i]))
				return false;
		}
		else if (!EncodeStatic(e, t, &items[i], pos))
			return false;
		pos += t->head;
	}
	e->path.depth--;
	return true;
}

/* Encode values (a JSON array, one element per component) as the tuple's ABI encoding. */
bool
AbiEncode(const AbiType *tuple, const CodecJson *values, CodecBuf *out, CodecError *err)
{
	AbiEnc		e;

	e.out = out;
	e.err = err;
	e.mem = out->mem;
	e.path.depth = 0;
	if (values->kind != CJ_ARRAY)
		return CodecFail(err, CODEC_ERR_VALUE, "expected a JSON array of %d values, got a JSON %s",
						 tuple->ncomps, CodecJsonKindName(values->kind));
	if (values->n != (size_t) tuple->ncomps)
		return CodecFail(err, CODEC_ERR_VALUE, "expected %d values, got %zu",
						 tuple->ncomps, values->n);
	return EncodeSeq(&e, tuple->comps, NULL, values->n, values->items);
}

/* ---------------------------------------------------------------- decoding */

typedef struct AbiDec
{
	const uint8_t *data;
	size_t		len;
	CodecMem   *mem;
	CodecError *err;
	size_t		budget;			/* bytes still allowed to be read */
	AbiPath		path;
} AbiDec;

static bool DecodeSeq(AbiDec *d, AbiType *const *types, const AbiType *repeat, size_t n,
					  size_t base, CodecJson *out);

/* Charge n bytes of reading against the inflation budget. */
static bool
Charge(AbiDec *d, size_t n)
{
	if (n > d->budget)
		return CodecFail(d->err, CODEC_ERR_LIMIT,
						 "ABI data refers to the same bytes too many times (decoding would read more than %d times its size)",
						 ABI_DECODE_INFLATION);
	d->budget -= n;
	return true;
}

/* True when 32 bytes at pos are inside the data; reports the error otherwise. */
static bool
HaveWord(AbiDec *d, size_t pos, const char *what)
{
	if (pos > d->len || d->len - pos < 32)
		return CodecFail(d->err, CODEC_ERR_DATA,
						 "ABI data too short: %s at byte %zu needs 32 bytes, %zu left, at %s",
						 what, pos, pos > d->len ? (size_t) 0 : d->len - pos, PathText(&d->path));
	return true;
}

/* Read a word that holds an offset or length; it must fit in 64 bits and the data. */
static bool
ReadSize(AbiDec *d, size_t pos, const char *what, size_t *v)
{
	const uint8_t *w;
	uint64_t	x = 0;
	int			i;

	if (!HaveWord(d, pos, what))
		return false;
	w = d->data + pos;
	for (i = 0; i < 24; i++)
		if (w[i] != 0)
			return CodecFail(d->err, CODEC_ERR_DATA, "ABI data has an %s too large at byte %zu, at %s",
							 what, pos, PathText(&d->path));
	for (i = 24; i < 32; i++)
		x = (x << 8) | w[i];
	if (x > d->len)
		return CodecFail(d->err, CODEC_ERR_DATA,
						 "ABI data has an %s of %llu at byte %zu, beyond the %zu bytes of data, at %s",
						 what, (unsigned long long) x, pos, d->len, PathText(&d->path));
	*v = (size_t) x;
	return true;
}

/* A JSON string holding a copy of n bytes. */
static void
MakeString(AbiDec *d, CodecJson *out, const char *s, size_t n)
{
	char	   *p = d->mem->alloc(d->mem->arg, n + 1);

	memcpy(p, s, n);
	out->kind = CJ_STRING;
	out->str = p;
	out->len = n;
}

/* Decode one word of elementary type t, insisting on its canonical form. */
static bool
DecodeWordValue(const AbiType *t, const uint8_t *w, CodecMem *mem, CodecJson *out,
				CodecError *err, const char *where)
{
	char		tn[16];
	char		buf[UINT256_DEC_BUFLEN];
	char		addr[ADDRESS_TEXT_LEN];
	Uint256		u;
	int			pad;
	int			i;
	int			n;
	char	   *p;

	TypeName(t, tn, sizeof(tn));
	switch (t->kind)
	{
		case ABI_UINT:
			pad = 32 - t->size / 8;
			for (i = 0; i < pad; i++)
				if (w[i] != 0)
					return CodecFail(err, CODEC_ERR_DATA, "ABI data has a value out of range for type %s at %s",
									 tn, where);
			Uint256FromBytesBE(w, 32, &u);
			n = Uint256ToDecimal(&u, buf);
			break;
		case ABI_INT:
			{
				uint8_t		sign;

				pad = 32 - t->size / 8;
				sign = (w[pad] & 0x80) ? 0xff : 0x00;
				for (i = 0; i < pad; i++)
					if (w[i] != sign)
						return CodecFail(err, CODEC_ERR_DATA,
										 "ABI data has a value out of range for type %s at %s",
										 tn, where);
				Uint256FromBytesBE(w, 32, &u);
				n = Int256ToDecimal(&u, buf);
				break;
			}
		case ABI_BOOL:
			for (i = 0; i < 31; i++)
				if (w[i] != 0)
					break;
			if (i < 31 || w[31] > 1)
				return CodecFail(err, CODEC_ERR_DATA, "ABI data has a bool that is neither 0 nor 1 at %s",
								 where);
			out->kind = CJ_BOOL;
			out->boolean = w[31] == 1;
			return true;
		case ABI_ADDRESS:
			for (i = 0; i < 12; i++)
				if (w[i] != 0)
					return CodecFail(err, CODEC_ERR_DATA,
									 "ABI data has an address with nonzero high bytes at %s", where);
			AddressToChecksumText(w + 12, addr);
			p = mem->alloc(mem->arg, ADDRESS_TEXT_LEN + 1);
			memcpy(p, addr, ADDRESS_TEXT_LEN);
			out->kind = CJ_STRING;
			out->str = p;
			out->len = ADDRESS_TEXT_LEN;
			return true;
		case ABI_FIXED_BYTES:
			for (i = t->size; i < 32; i++)
				if (w[i] != 0)
					return CodecFail(err, CODEC_ERR_DATA,
									 "ABI data has a %s value with nonzero padding at %s", tn, where);
			out->kind = CJ_STRING;
			out->str = CodecHexText(mem, w, t->size, &out->len);
			return true;
		default:
			return CodecFail(err, CODEC_ERR_DATA, "type %s is not one word", tn);
	}
	p = mem->alloc(mem->arg, n + 1);
	memcpy(p, buf, n);
	out->kind = CJ_STRING;
	out->str = p;
	out->len = n;
	return true;
}

/* Decode a value of dynamic type t whose encoding starts at pos. */
static bool
DecodeDynamic(AbiDec *d, const AbiType *t, size_t pos, CodecJson *out)
{
	size_t		n;
	size_t		start;

	switch (t->kind)
	{
		case ABI_BYTES:
		case ABI_STRING:
			if (!ReadSize(d, pos, "length", &n))
				return false;
			start = pos + 32;
			if (n > d->len - start || (n + 31) / 32 * 32 > d->len - start)
				return CodecFail(d->err, CODEC_ERR_DATA,
								 "ABI data too short: %s of %zu bytes at byte %zu, only %zu left, at %s",
								 t->kind == ABI_BYTES ? "bytes" : "string", n, start,
								 d->len - start, PathText(&d->path));
			if (!Charge(d, 32 + n))
				return false;
			if (t->kind == ABI_BYTES)
			{
				out->kind = CJ_STRING;
				out->str = CodecHexText(d->mem, d->data + start, n, &out->len);
			}
			else
				MakeString(d, out, (const char *) d->data + start, n);
			return true;
		case ABI_ARRAY:
			if (!ReadSize(d, pos, "array length", &n))
				return false;
			start = pos + 32;
			/* every element takes at least its head: no allocation beyond the data */
			if (n > (d->len - start) / t->elem->head)
				return CodecFail(d->err, CODEC_ERR_DATA,
								 "ABI data too short: an array of %zu elements at byte %zu needs %zu bytes per element, only %zu left, at %s",
								 n, start, t->elem->head, d->len - start, PathText(&d->path));
			if (!Charge(d, 32))
				return false;
			return DecodeSeq(d, NULL, t->elem, n, start, out);
		case ABI_FIXED_ARRAY:
			return DecodeSeq(d, NULL, t->elem, t->length, pos, out);
		case ABI_TUPLE:
			return DecodeSeq(d, t->comps, NULL, t->ncomps, pos, out);
		default:
			break;
	}
	return CodecFail(d->err, CODEC_ERR_DATA, "type is not dynamic");
}

/* Decode a value of static type t at pos (inside an already checked head). */
static bool
DecodeStatic(AbiDec *d, const AbiType *t, size_t pos, CodecJson *out)
{
	if (t->kind == ABI_TUPLE)
		return DecodeSeq(d, t->comps, NULL, t->ncomps, pos, out);
	if (t->kind == ABI_FIXED_ARRAY)
		return DecodeSeq(d, NULL, t->elem, t->length, pos, out);
	if (!HaveWord(d, pos, "value"))
		return false;
	return DecodeWordValue(t, d->data + pos, d->mem, out, d->err, PathText(&d->path));
}

/*
 * Decode n values laid out as a tuple starting at base: heads in order,
 * dynamic values through their offsets (relative to base).
 */
static bool
DecodeSeq(AbiDec *d, AbiType *const *types, const AbiType *repeat, size_t n,
		  size_t base, CodecJson *out)
{
	size_t		headlen = 0;
	size_t		pos = base;
	size_t		i;

	for (i = 0; i < n; i++)
		headlen += (types ? types[i] : repeat)->head;	/* no overflow: see Layout */
	if (base > d->len || headlen > d->len - base)
		return CodecFail(d->err, CODEC_ERR_DATA,
						 "ABI data too short: %zu values at byte %zu need %zu bytes, only %zu left, at %s",
						 n, base, headlen, base > d->len ? (size_t) 0 : d->len - base,
						 PathText(&d->path));
	if (!Charge(d, headlen))
		return false;
	out->kind = CJ_ARRAY;
	out->n = n;
	out->items = n ? d->mem->alloc(d->mem->arg, sizeof(CodecJson) * n) : NULL;
	if (d->path.depth >= (int) (sizeof(d->path.idx) / sizeof(d->path.idx[0])))
		return CodecFail(d->err, CODEC_ERR_LIMIT, "value nested too deeply");
	d->path.depth++;
	for (i = 0; i < n; i++)
	{
		const AbiType *t = types ? types[i] : repeat;

		d->path.idx[d->path.depth - 1] = i;
		if (t->dynamic)
		{
			size_t		off;

			if (!ReadSize(d, pos, "offset", &off))
				return false;
			if (off > d->len - base)
				return CodecFail(d->err, CODEC_ERR_DATA,
								 "ABI data has an offset of %zu at byte %zu, beyond the data, at %s",
								 off, pos, PathText(&d->path));
			if (!DecodeDynamic(d, t, base + off, &out->items[i]))
				return false;
		}
		else if (!DecodeStatic(d, t, pos, &out->items[i]))
			return false;
		pos += t->head;
	}
	d->path.depth--;
	return true;
}

/* Decode data as the ABI encoding of tuple's components into a JSON array. */
bool
AbiDecode(const AbiType *tuple, const uint8_t *data, size_t len, CodecMem *mem,
		  CodecJson *out, CodecError *err)
{
	AbiDec		d;

	d.data = data;
	d.len = len;
	d.mem = mem;
	d.err = err;
	d.path.depth = 0;
	d.budget = len > (SIZE_MAX - ABI_DECODE_SLACK) / ABI_DECODE_INFLATION ? SIZE_MAX :
		len * ABI_DECODE_INFLATION + ABI_DECODE_SLACK;
	return DecodeSeq(&d, tuple->comps, NULL, tuple->ncomps, 0, out);
}

/*
 * Decode an indexed event parameter from its topic: value types as they
 * are, every other type (whose topic is the keccak-256 of its encoding) as
 * the topic itself in hex.
 */
bool
AbiDecodeTopic(const AbiType *t, const uint8_t word[32], CodecMem *mem, CodecJson *out,
			   CodecError *err)
{
	if (AbiTypeIsValueType(t))
		return DecodeWordValue(t, word, mem, out, err, "an indexed topic");
	out->kind = CJ_STRING;
	out->str = CodecHexText(mem, word, 32, &out->len);
	return true;
}
