/*
 * test/fuzz/fuzz_rlp.c
 *
 * libFuzzer harness for the RLP decoder (rlp_codec.c).  Decoding accepts
 * only canonical encodings, so whatever decodes must encode back to exactly
 * the input bytes.
 */
#include "fuzz_common.h"

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	CodecJson	v;
	CodecError	err;
	CodecBuf	enc;
	CodecBuf	json;

	if (RlpDecode(data, size, &fuzz_mem, &v, &err))
	{
		CodecBufInit(&enc, &fuzz_mem);
		FUZZ_CHECK(RlpEncode(&v, &enc, &err), "decoded values encode");
		FUZZ_CHECK(enc.len == size && memcmp(enc.data, data, size) == 0,
				   "encode(decode(x)) = x");
		CodecBufInit(&json, &fuzz_mem);
		FUZZ_CHECK(CodecJsonToText(&v, &json, &err), "decoded values are JSON");
	}
	else
		FUZZ_CHECK(err.kind != CODEC_OK, "a decode failure has an error kind");
	FuzzFreeAll();
	return 0;
}
