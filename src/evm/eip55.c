/*
 * src/evm/eip55.c
 *
 * The text form of an address: 40 hex digits with an optional "0x", and the
 * EIP-55 mixed-case checksum (a letter is uppercase when the matching nibble
 * of keccak-256 of the lowercase hex is 8 or more).  Input in one case is
 * taken as is; mixed case must be a correct checksum.  Pure C.
 */
#include <string.h>

#include "evm/codec.h"

/* The EIP-55 spelling of 40 lowercase hex digits, in place. */
static void
ApplyChecksum(char *hex40)
{
	uint8_t		hash[32];
	int			i;

	Keccak256((const uint8_t *) hex40, 40, hash);
	for (i = 0; i < 40; i++)
	{
		int			nibble = (i % 2 == 0) ? hash[i / 2] >> 4 : hash[i / 2] & 15;

		if (hex40[i] >= 'a' && hex40[i] <= 'f' && nibble >= 8)
			hex40[i] = (char) (hex40[i] - 'a' + 'A');
	}
}

/* Parse an address; see AddressParseStatus for the outcomes. */
AddressParseStatus
AddressParse(const char *s, size_t len, uint8_t out[ADDRESS_BYTES])
{
	bool		lower = false;
	bool		upper = false;
	char		expect[40];
	size_t		i;

	if (len == 42 && s[0] == '0' && s[1] == 'x')
	{
		s += 2;
		len -= 2;
	}
	if (len != 40 || !CodecHexDecode(s, 40, out))
		return ADDRESS_PARSE_SYNTAX;
	for (i = 0; i < 40; i++)
	{
		if (s[i] >= 'a' && s[i] <= 'f')
			lower = true;
		else if (s[i] >= 'A' && s[i] <= 'F')
			upper = true;
	}
	if (lower && upper)
	{
		CodecHexEncode(out, ADDRESS_BYTES, expect);
		ApplyChecksum(expect);
		if (memcmp(expect, s, 40) != 0)
			return ADDRESS_PARSE_CHECKSUM;
	}
	return ADDRESS_PARSE_OK;
}

/* "0x" and the 40 EIP-55 checksummed digits (no NUL). */
void
AddressToChecksumText(const uint8_t addr[ADDRESS_BYTES], char out[ADDRESS_TEXT_LEN])
{
	out[0] = '0';
	out[1] = 'x';
	CodecHexEncode(addr, ADDRESS_BYTES, out + 2);
	ApplyChecksum(out + 2);
}
