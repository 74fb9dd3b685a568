/*
 * src/evm/rlp_codec.c
 *
 * Recursive Length Prefix, Ethereum's serialisation of nested byte strings
 * (yellow paper, appendix B).  Values are JSON: a byte string is a "0x" hex
 * string, a list is an array.  The decoder accepts only the canonical
 * encoding -- the one the encoder produces -- so decoding and re-encoding
 * always gives back the input: a single byte below 0x80 must stand for
 * itself, lengths use the short form when they can and carry no leading zero
 * bytes, list payloads must be consumed exactly, and nothing may follow the
 * top-level item.  Pure C (see codec.h).
 */
#include <string.h>

#include "evm/codec.h"

/* ---------------------------------------------------------------- encoding */

/* Bytes needed for the big-endian form of n (0 for n = 0). */
static int
LengthBytes(size_t n)
{
	int			k = 0;

	while (n)
	{
		k++;
		n >>= 8;
	}
	return k;
}

/* Size of the header for a payload of n bytes (strings other than one small byte, lists). */
static size_t
HeaderSize(size_t n)
{
	return n < 56 ? 1 : 1 + (size_t) LengthBytes(n);
}

/*
 * Encoding makes two passes: the first checks every value and records the
 * payload size of each list (in pre-order, in sizes), the second writes.
 */
typedef struct RlpEnc
{
	CodecError *err;
	CodecBuf	sizes;			/* size_t per list, pre-order */
	size_t		next;			/* write pass: next entry of sizes */
	int			depth;
} RlpEnc;

/* Check a "0x" hex string; its byte count in *n and first byte in *first. */
static bool
StringInfo(RlpEnc *e, const CodecJson *v, size_t *n, int *first)
{
	size_t		i;

	if (v->len < 2 || v->str[0] != '0' || v->str[1] != 'x' || v->len % 2 != 0)
		goto bad;
	for (i = 2; i < v->len; i++)
		if (CodecHexDigit(v->str[i]) < 0)
			goto bad;
	*n = (v->len - 2) / 2;
	*first = *n ? CodecHexDigit(v->str[2]) * 16 + CodecHexDigit(v->str[3]) : -1;
	return true;
bad:
	return CodecFail(e->err, CODEC_ERR_SYNTAX,
					 "invalid RLP string \"%.*s%s\": expected 0x and an even number of hex digits",
					 (int) (v->len > 100 ? 100 : v->len), v->str, v->len > 100 ? "..." : "");
}

/* First pass: the encoded size of v, recording list payload sizes. */
static bool
EncodedSize(RlpEnc *e, const CodecJson *v, size_t *size)
{
	size_t		i;
	size_t		payload = 0;
	size_t		slot;

	if (v->kind == CJ_STRING)
	{
		size_t		n = 0;
		int			first = -1;

		if (!StringInfo(e, v, &n, &first))
			return false;
		*size = (n == 1 && first < 0x80) ? 1 : HeaderSize(n) + n;
		return true;
	}
	if (v->kind != CJ_ARRAY)
		return CodecFail(e->err, CODEC_ERR_VALUE,
						 "RLP values are 0x hex strings and arrays, not a JSON %s",
						 CodecJsonKindName(v->kind));
	if (++e->depth > RLP_MAX_DEPTH)
		return CodecFail(e->err, CODEC_ERR_LIMIT, "RLP value nested more than %d deep", RLP_MAX_DEPTH);
	slot = e->sizes.len;
	if (!CodecBufAppend(&e->sizes, &payload, sizeof(size_t), e->err))
		return false;
	for (i = 0; i < v->n; i++)
	{
		size_t		s;

		if (!EncodedSize(e, &v->items[i], &s))
			return false;
		if (s > CODEC_MAX_ALLOC - payload)
			return CodecFail(e->err, CODEC_ERR_LIMIT, "RLP encoding would exceed %zu bytes",
							 CODEC_MAX_ALLOC);
		payload += s;
	}
	memcpy(e->sizes.data + slot, &payload, sizeof(size_t));
	e->depth--;
	*size = HeaderSize(payload) + payload;
	if (*size > CODEC_MAX_ALLOC)
		return CodecFail(e->err, CODEC_ERR_LIMIT, "RLP encoding would exceed %zu bytes",
						 CODEC_MAX_ALLOC);
	return true;
}

/* Write a header with the given short-form base (0x80 strings, 0xc0 lists). */
static void
PutHeader(CodecBuf *out, uint8_t base, size_t n)
{
	if (n < 56)
		out->data[out->len++] = (uint8_t) (base + n);
	else
	{
		int			k = LengthBytes(n);
		int			i;

		out->data[out->len++] = (uint8_t) (base + 55 + k);
		for (i = k - 1; i >= 0; i--)
			out->data[out->len++] = (uint8_t) ((uint64_t) n >> (8 * i));
	}
}

/* Second pass: write v (already checked and sized, so the buffer has room). */
static void
Write(RlpEnc *e, const CodecJson *v, CodecBuf *out)
{
	size_t		i;

	if (v->kind == CJ_STRING)
	{
		size_t		n = (v->len - 2) / 2;

		if (!(n == 1 && CodecHexDigit(v->str[2]) < 8))
			PutHeader(out, 0x80, n);
		(void) CodecHexDecode(v->str + 2, v->len - 2, out->data + out->len);
		out->len += n;
	}
	else
	{
		size_t		payload;

		memcpy(&payload, e->sizes.data + e->next, sizeof(size_t));
		e->next += sizeof(size_t);
		PutHeader(out, 0xc0, payload);
		for (i = 0; i < v->n; i++)
			Write(e, &v->items[i], out);
	}
}

/* Append the RLP encoding of v to out. */
bool
RlpEncode(const CodecJson *v, CodecBuf *out, CodecError *err)
{
	RlpEnc		e;
	size_t		size;

	e.err = err;
	e.next = 0;
	e.depth = 0;
	CodecBufInit(&e.sizes, out->mem);
	if (!EncodedSize(&e, v, &size) || !CodecBufReserve(out, size, err))
		return false;
	Write(&e, v, out);
	return true;
}

/* ---------------------------------------------------------------- decoding */

typedef struct RlpItem
{
	bool		is_list;
	size_t		start;			/* payload start */
	size_t		len;			/* payload length */
	size_t		end;			/* first byte after the item */
} RlpItem;

/* Read the item header at pos, within [pos, limit); canonical forms only. */
static bool
ReadHeader(const uint8_t *data, size_t pos, size_t limit, RlpItem *it, CodecError *err)
{
	uint8_t		b = data[pos];
	size_t		n;

	if (b < 0x80)
	{
		it->is_list = false;
		it->start = pos;
		it->len = 1;
	}
	else if (b < 0xb8 || (b >= 0xc0 && b < 0xf8))
	{
		it->is_list = b >= 0xc0;
		it->start = pos + 1;
		it->len = b - (it->is_list ? 0xc0 : 0x80);
		if (it->len > limit - it->start)
			return CodecFail(err, CODEC_ERR_DATA,
							 "RLP data too short: item at byte %zu has %zu bytes, only %zu left",
							 pos, it->len, limit - it->start);
		if (!it->is_list && it->len == 1 && data[it->start] < 0x80)
			return CodecFail(err, CODEC_ERR_DATA,
							 "non-canonical RLP at byte %zu: a single byte below 0x80 must not have a length prefix",
							 pos);
	}
	else
	{
		int			k = b - (b >= 0xf8 ? 0xf7 : 0xb7);
		int			i;

		it->is_list = b >= 0xf8;
		if ((size_t) k > limit - pos - 1)
			return CodecFail(err, CODEC_ERR_DATA,
							 "RLP data too short: length of the item at byte %zu is cut off", pos);
		if (data[pos + 1] == 0)
			return CodecFail(err, CODEC_ERR_DATA,
							 "non-canonical RLP at byte %zu: length with a leading zero byte", pos);
		n = 0;
		for (i = 0; i < k; i++)
		{
			if (n > (SIZE_MAX >> 8))
				return CodecFail(err, CODEC_ERR_DATA,
								 "RLP data too short: item at byte %zu claims more than %zu bytes", pos,
								 SIZE_MAX);
			n = (n << 8) | data[pos + 1 + i];
		}
		if (n < 56)
			return CodecFail(err, CODEC_ERR_DATA,
							 "non-canonical RLP at byte %zu: long-form length %zu below 56", pos, n);
		it->start = pos + 1 + k;
		it->len = n;
		if (n > limit - it->start)
			return CodecFail(err, CODEC_ERR_DATA,
							 "RLP data too short: item at byte %zu has %zu bytes, only %zu left",
							 pos, n, limit - it->start);
	}
	it->end = it->start + it->len;
	return true;
}

/* Decode the item at pos (inside [pos, limit)) into out. */
static bool
DecodeItem(const uint8_t *data, size_t pos, size_t limit, CodecMem *mem, CodecJson *out,
		   size_t *end, int depth, CodecError *err)
{
	RlpItem		it;
	size_t		count = 0;
	size_t		p;
	size_t		i;

	if (!ReadHeader(data, pos, limit, &it, err))
		return false;
	*end = it.end;
	if (!it.is_list)
	{
		out->kind = CJ_STRING;
		out->str = CodecHexText(mem, data + it.start, it.len, &out->len);
		return true;
	}
	if (depth >= RLP_MAX_DEPTH)
		return CodecFail(err, CODEC_ERR_LIMIT, "RLP data nested more than %d deep", RLP_MAX_DEPTH);
	/* count the items first, checking their headers, then decode them */
	for (p = it.start; p < it.end; count++)
	{
		RlpItem		child;

		if (!ReadHeader(data, p, it.end, &child, err))
			return false;
		p = child.end;
	}
	out->kind = CJ_ARRAY;
	out->n = count;
	out->items = count ? mem->alloc(mem->arg, sizeof(CodecJson) * count) : NULL;
	for (p = it.start, i = 0; i < count; i++)
		if (!DecodeItem(data, p, it.end, mem, &out->items[i], &p, depth + 1, err))
			return false;
	return true;
}

/* Decode data, which must be exactly one canonical RLP item. */
bool
RlpDecode(const uint8_t *data, size_t len, CodecMem *mem, CodecJson *out, CodecError *err)
{
	size_t		end;

	if (len == 0)
		return CodecFail(err, CODEC_ERR_DATA, "RLP data is empty");
	if (!DecodeItem(data, 0, len, mem, out, &end, 0, err))
		return false;
	if (end != len)
		return CodecFail(err, CODEC_ERR_DATA, "RLP data has %zu extra bytes after the item", len - end);
	return true;
}
