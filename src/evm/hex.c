/*
 * src/evm/hex.c
 *
 * Hex digits, the way every EVM text form spells bytes: decoding (either
 * case), lowercase encoding, and the "0x"-prefixed strings that ABI and RLP
 * values use.  Pure C (see codec.h), shared by the SQL types and the codecs.
 */
#include <string.h>

#include "evm/codec.h"

static const char HEX_DIGITS[] = "0123456789abcdef";

/* The value of one hex digit of either case, or -1. */
int
CodecHexDigit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decode len (even) hex digits into len/2 bytes; false on a non-hex digit. */
bool
CodecHexDecode(const char *s, size_t len, uint8_t *out)
{
	size_t		i;

	if (len % 2 != 0)
		return false;
	for (i = 0; i < len; i += 2)
	{
		int			hi = CodecHexDigit(s[i]);
		int			lo = CodecHexDigit(s[i + 1]);

		if (hi < 0 || lo < 0)
			return false;
		out[i / 2] = (uint8_t) ((hi << 4) | lo);
	}
	return true;
}

/* Write n bytes as 2n lowercase hex digits (no NUL). */
void
CodecHexEncode(const uint8_t *p, size_t n, char *out)
{
	size_t		i;

	for (i = 0; i < n; i++)
	{
		out[2 * i] = HEX_DIGITS[p[i] >> 4];
		out[2 * i + 1] = HEX_DIGITS[p[i] & 15];
	}
}

/*
 * Decode a "0x"-prefixed string of an even number of hex digits ("0x" alone
 * is zero bytes) into fresh memory; false when it is not one.
 */
bool
CodecHexString(const char *s, size_t len, CodecMem *mem, uint8_t **out, size_t *outlen)
{
	uint8_t    *p;

	if (len < 2 || s[0] != '0' || s[1] != 'x' || (len - 2) % 2 != 0)
		return false;
	p = mem->alloc(mem->arg, (len - 2) / 2 + 1);
	if (!CodecHexDecode(s + 2, len - 2, p))
		return false;
	*out = p;
	*outlen = (len - 2) / 2;
	return true;
}

/* "0x" and 2n lowercase hex digits in fresh memory, NUL-terminated. */
char *
CodecHexText(CodecMem *mem, const uint8_t *p, size_t n, size_t *textlen)
{
	char	   *s = mem->alloc(mem->arg, 2 * n + 3);

	s[0] = '0';
	s[1] = 'x';
	CodecHexEncode(p, n, s + 2);
	s[2 * n + 2] = '\0';
	*textlen = 2 * n + 2;
	return s;
}
