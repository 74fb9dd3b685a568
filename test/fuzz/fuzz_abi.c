/*
 * test/fuzz/fuzz_abi.c
 *
 * libFuzzer harness for the ABI type parser and decoder (abi_codec.c).  The
 * first byte picks the types: below 0x80 one of a fixed set of type lists
 * (so the decoder gets deep coverage at once), otherwise the next byte is
 * the length of a type string taken from the input.  The rest is the data.
 * Decoding must fail cleanly or give values that encode and decode again to
 * the same JSON.
 */
#include "fuzz_common.h"

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const TYPES[] = {
	"(uint256)", "(int8,uint8,bool,address)", "(bytes)", "(string)", "(bytes32,bytes1)",
	"(uint256[])", "(string[])", "(bytes[2])", "((uint8,string)[])", "(uint256[][])",
	"(address,uint256[],(bytes32,string))", "((bytes,(uint16[3],string)[])[2],int256)",
	"(bool[],(address,bytes)[1][])", "(string,bytes,uint8[])", "(int24,(int8[2],bool)[])",
	"()",
};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	AbiType    *tuple;
	CodecError	err;
	CodecJson	v;
	CodecJson	v2;
	CodecBuf	json1;
	CodecBuf	json2;
	CodecBuf	enc;
	const uint8_t *body;
	size_t		bodylen;

	if (size < 2)
		return 0;
	if (data[0] < 0x80)
	{
		const char *t = TYPES[data[0] % (sizeof(TYPES) / sizeof(TYPES[0]))];

		FUZZ_CHECK(AbiParseTypes(t, strlen(t), &fuzz_mem, &tuple, &err), "fixed types parse");
		body = data + 1;
		bodylen = size - 1;
	}
	else
	{
		size_t		tlen = data[1];

		if (tlen > size - 2)
			tlen = size - 2;
		if (!AbiParseTypes((const char *) data + 2, tlen, &fuzz_mem, &tuple, &err))
		{
			FUZZ_CHECK(err.kind != CODEC_OK, "a parse failure has an error kind");
			FuzzFreeAll();
			return 0;
		}
		body = data + 2 + tlen;
		bodylen = size - 2 - tlen;
	}
	if (AbiDecode(tuple, body, bodylen, &fuzz_mem, &v, &err))
	{
		CodecBufInit(&json1, &fuzz_mem);
		if (CodecJsonToText(&v, &json1, &err))
		{
			CodecBufInit(&enc, &fuzz_mem);
			FUZZ_CHECK(AbiEncode(tuple, &v, &enc, &err), "decoded values encode");
			FUZZ_CHECK(AbiDecode(tuple, enc.data, enc.len, &fuzz_mem, &v2, &err),
					   "the encoding decodes");
			CodecBufInit(&json2, &fuzz_mem);
			FUZZ_CHECK(CodecJsonToText(&v2, &json2, &err), "re-decoded values are JSON");
			FUZZ_CHECK(json1.len == json2.len && memcmp(json1.data, json2.data, json1.len) == 0,
					   "decode(encode(decode(x))) = decode(x)");
		}
		else
			FUZZ_CHECK(err.kind == CODEC_ERR_UTF8 || err.kind == CODEC_ERR_LIMIT,
					   "only strings can fail to become JSON");
	}
	else
		FUZZ_CHECK(err.kind != CODEC_OK, "a decode failure has an error kind");
	FuzzFreeAll();
	return 0;
}
