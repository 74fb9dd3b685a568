/*
 * src/evm/bytes32.c
 *
 * The bytes32 type: 32 bytes, the unit of storage slots, hashes and event
 * topics.  Text input takes 64 hex digits (either case) with or without
 * "0x"; output is "0x" and 64 lowercase digits.  Casts to and from uint256
 * read the bytes big-endian, as the EVM does.  Comparison, hashing, binary
 * I/O and the bytea casts come from fixed_bytes.h.
 */
#include "postgres.h"

#include "fmgr.h"
#include "utils/builtins.h"

#include "compat.h"
#include "evm/evm.h"

PG_FUNCTION_INFO_V1(bytes32_in);
PG_FUNCTION_INFO_V1(bytes32_out);
PG_FUNCTION_INFO_V1(bytes32_to_uint256);
PG_FUNCTION_INFO_V1(bytes32_from_uint256);

/* Text input: [0x] + 64 hex digits (soft errors). */
Datum
bytes32_in(PG_FUNCTION_ARGS)
{
	char	   *str = PG_GETARG_CSTRING(0);
	size_t		len = strlen(str);
	const char *p = str;
	Bytes32    *r = palloc(sizeof(Bytes32));

	if (len == 66 && p[0] == '0' && p[1] == 'x')
	{
		p += 2;
		len -= 2;
	}
	if (len != 64 || !CodecHexDecode(p, 64, r->b))
		AmpEreturn(fcinfo->context, (Datum) 0,
				   errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
				   errmsg("invalid input syntax for type bytes32: \"%s\"", str));
	PG_RETURN_BYTES32_P(r);
}

/* Text output: "0x" + 64 lowercase hex digits. */
Datum
bytes32_out(PG_FUNCTION_ARGS)
{
	Bytes32    *a = PG_GETARG_BYTES32_P(0);
	char	   *s = palloc(BYTES32_TEXT_LEN + 1);

	s[0] = '0';
	s[1] = 'x';
	CodecHexEncode(a->b, BYTES32_BYTES, s + 2);
	s[BYTES32_TEXT_LEN] = '\0';
	PG_RETURN_CSTRING(s);
}

/* The word read as a big-endian unsigned integer. */
Datum
bytes32_to_uint256(PG_FUNCTION_ARGS)
{
	Uint256    *r = palloc(sizeof(Uint256));

	Uint256FromBytesBE(PG_GETARG_BYTES32_P(0)->b, BYTES32_BYTES, r);
	PG_RETURN_UINT256_P(r);
}

/* The integer as a big-endian word. */
Datum
bytes32_from_uint256(PG_FUNCTION_ARGS)
{
	Bytes32    *r = palloc(sizeof(Bytes32));

	Uint256ToBytesBE(PG_GETARG_UINT256_P(0), r->b);
	PG_RETURN_BYTES32_P(r);
}

#define FB_NAME bytes32
#define FB_TYPE Bytes32
#define FB_LEN BYTES32_BYTES
#include "evm/fixed_bytes.h"
