/*
 * test/fuzz/fuzz_hex.c
 *
 * libFuzzer harness for the hex and address text decoders (hex.c, eip55.c):
 * any input must be rejected cleanly or decode to bytes whose canonical
 * spelling decodes back to the same bytes.
 */
#include "fuzz_common.h"

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *) data;
	uint8_t		addr[ADDRESS_BYTES];
	uint8_t		again[ADDRESS_BYTES];
	char		text[ADDRESS_TEXT_LEN];
	uint8_t    *bytes;
	size_t		n;

	if (AddressParse(s, size, addr) == ADDRESS_PARSE_OK)
	{
		AddressToChecksumText(addr, text);
		FUZZ_CHECK(AddressParse(text, ADDRESS_TEXT_LEN, again) == ADDRESS_PARSE_OK,
				   "a checksummed address parses");
		FUZZ_CHECK(memcmp(addr, again, ADDRESS_BYTES) == 0, "address round trip");
	}
	if (CodecHexString(s, size, &fuzz_mem, &bytes, &n))
	{
		size_t		tlen;
		char	   *t = CodecHexText(&fuzz_mem, bytes, n, &tlen);

		FUZZ_CHECK(tlen == size, "hex length round trip");
		for (size_t i = 0; i < size; i++)
			FUZZ_CHECK(t[i] == ((s[i] >= 'A' && s[i] <= 'F') ? s[i] - 'A' + 'a' : s[i]),
					   "hex text round trip");
	}
	FuzzFreeAll();
	return 0;
}
