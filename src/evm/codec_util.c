/*
 * src/evm/codec_util.c
 *
 * Plumbing shared by the pure codecs (see codec.h): error recording, the
 * growable byte buffer, and the writer that turns a CodecJson value into JSON
 * text.  The text is pure ASCII: every non-ASCII character of a string is
 * written as a \u escape, so jsonb_in can convert it to any server encoding.
 * No PostgreSQL headers: this file also builds into the fuzz harnesses.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "evm/codec.h"

/* Record an error message and kind; always returns false. */
bool
CodecFail(CodecError *err, CodecErrorKind kind, const char *fmt,...)
{
	va_list		ap;

	err->kind = kind;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return false;
}

/* Start an empty buffer drawing on mem. */
void
CodecBufInit(CodecBuf *buf, CodecMem *mem)
{
	buf->mem = mem;
	buf->data = NULL;
	buf->len = 0;
	buf->cap = 0;
}

/* Make room for more bytes; fails (54000) past CODEC_MAX_ALLOC. */
bool
CodecBufReserve(CodecBuf *buf, size_t more, CodecError *err)
{
	size_t		need;
	size_t		cap;
	uint8_t    *p;

	if (more > CODEC_MAX_ALLOC || buf->len > CODEC_MAX_ALLOC - more)
		return CodecFail(err, CODEC_ERR_LIMIT, "result would exceed the maximum size of %zu bytes",
						 CODEC_MAX_ALLOC);
	need = buf->len + more;
	if (need <= buf->cap)
		return true;
	cap = buf->cap ? buf->cap : 64;
	while (cap < need)
		cap = (cap > CODEC_MAX_ALLOC / 2) ? CODEC_MAX_ALLOC : cap * 2;
	p = buf->mem->alloc(buf->mem->arg, cap);
	if (buf->len)
		memcpy(p, buf->data, buf->len);
	buf->data = p;
	buf->cap = cap;
	return true;
}

/* Append n bytes. */
bool
CodecBufAppend(CodecBuf *buf, const void *p, size_t n, CodecError *err)
{
	if (!CodecBufReserve(buf, n, err))
		return false;
	if (n)
		memcpy(buf->data + buf->len, p, n);
	buf->len += n;
	return true;
}

/* Append a NUL-terminated string (without its NUL). */
bool
CodecBufAppendStr(CodecBuf *buf, const char *s, CodecError *err)
{
	return CodecBufAppend(buf, s, strlen(s), err);
}

/* The JSON name of a kind, for error messages. */
const char *
CodecJsonKindName(CodecJsonKind kind)
{
	switch (kind)
	{
		case CJ_NULL:
			return "null";
		case CJ_BOOL:
			return "boolean";
		case CJ_NUMBER:
			return "number";
		case CJ_STRING:
			return "string";
		case CJ_ARRAY:
			return "array";
		case CJ_OBJECT:
			return "object";
	}
	return "unknown";
}

/*
 * Decode one UTF-8 character at s (n bytes left) into *cp; returns its length,
 * or 0 when the bytes are not well-formed UTF-8 (overlong forms, surrogates
 * and values past U+10FFFF included).
 */
static size_t
Utf8Next(const uint8_t *s, size_t n, uint32_t *cp)
{
	uint32_t	c = s[0];
	size_t		len;
	uint32_t	min;
	size_t		i;

	if (c < 0x80)
	{
		*cp = c;
		return 1;
	}
	else if ((c & 0xe0) == 0xc0)
	{
		len = 2;
		min = 0x80;
		c &= 0x1f;
	}
	else if ((c & 0xf0) == 0xe0)
	{
		len = 3;
		min = 0x800;
		c &= 0x0f;
	}
	else if ((c & 0xf8) == 0xf0)
	{
		len = 4;
		min = 0x10000;
		c &= 0x07;
	}
	else
		return 0;
	if (n < len)
		return 0;
	for (i = 1; i < len; i++)
	{
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return len;
}

/* Write a JSON string literal for UTF-8 bytes s, escaping all but printable ASCII. */
static bool
JsonWriteString(const uint8_t *s, size_t n, CodecBuf *out, CodecError *err)
{
	size_t		i = 0;
	char		esc[16];

	if (!CodecBufAppend(out, "\"", 1, err))
		return false;
	while (i < n)
	{
		uint32_t	cp;
		size_t		step = Utf8Next(s + i, n - i, &cp);

		if (step == 0)
			return CodecFail(err, CODEC_ERR_UTF8,
							 "string value is not valid UTF-8 (byte 0x%02x at offset %zu)",
							 s[i], i);
		if (cp == 0)
			return CodecFail(err, CODEC_ERR_UTF8,
							 "string value contains a NUL character at offset %zu, which jsonb cannot hold", i);
		if (cp == '"' || cp == '\\')
		{
			esc[0] = '\\';
			esc[1] = (char) cp;
			if (!CodecBufAppend(out, esc, 2, err))
				return false;
		}
		else if (cp >= 0x20 && cp < 0x7f)
		{
			esc[0] = (char) cp;
			if (!CodecBufAppend(out, esc, 1, err))
				return false;
		}
		else if (cp < 0x10000)
		{
			snprintf(esc, sizeof(esc), "\\u%04x", (unsigned) cp);
			if (!CodecBufAppend(out, esc, 6, err))
				return false;
		}
		else
		{
			uint32_t	v = cp - 0x10000;

			snprintf(esc, sizeof(esc), "\\u%04x\\u%04x",
					 (unsigned) (0xd800 + (v >> 10)), (unsigned) (0xdc00 + (v & 0x3ff)));
			if (!CodecBufAppend(out, esc, 12, err))
				return false;
		}
		i += step;
	}
	return CodecBufAppend(out, "\"", 1, err);
}

/* Append v as JSON text to out. */
static bool
JsonWrite(const CodecJson *v, CodecBuf *out, CodecError *err, int depth)
{
	size_t		i;

	if (depth > RLP_MAX_DEPTH + 1)
		return CodecFail(err, CODEC_ERR_LIMIT, "value nested too deeply");
	switch (v->kind)
	{
		case CJ_NULL:
			return CodecBufAppendStr(out, "null", err);
		case CJ_BOOL:
			return CodecBufAppendStr(out, v->boolean ? "true" : "false", err);
		case CJ_NUMBER:
			return CodecBufAppend(out, v->str, v->len, err);
		case CJ_STRING:
			return JsonWriteString((const uint8_t *) v->str, v->len, out, err);
		case CJ_ARRAY:
			if (!CodecBufAppend(out, "[", 1, err))
				return false;
			for (i = 0; i < v->n; i++)
			{
				if (i > 0 && !CodecBufAppend(out, ", ", 2, err))
					return false;
				if (!JsonWrite(&v->items[i], out, err, depth + 1))
					return false;
			}
			return CodecBufAppend(out, "]", 1, err);
		case CJ_OBJECT:
			break;
	}
	return CodecFail(err, CODEC_ERR_VALUE, "cannot write a JSON %s", CodecJsonKindName(v->kind));
}

/* Append v as JSON text to out, NUL-terminated (the NUL is not counted in len). */
bool
CodecJsonToText(const CodecJson *v, CodecBuf *out, CodecError *err)
{
	if (!JsonWrite(v, out, err, 0) || !CodecBufReserve(out, 1, err))
		return false;
	out->data[out->len] = '\0';
	return true;
}
