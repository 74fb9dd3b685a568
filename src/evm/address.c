/*
 * src/evm/address.c
 *
 * The address type: a 20-byte Ethereum account.  Text input takes 40 hex
 * digits with or without "0x"; all-lowercase or all-uppercase digits are
 * taken as they are, mixed case must carry a correct EIP-55 checksum (a typo
 * in a checksummed address is caught, not silently accepted).  Output is
 * always the EIP-55 spelling.  Comparison, hashing, binary I/O and the bytea
 * casts come from fixed_bytes.h.
 */
#include "postgres.h"

#include "fmgr.h"
#include "utils/builtins.h"

#include "compat.h"
#include "evm/evm.h"

PG_FUNCTION_INFO_V1(address_in);
PG_FUNCTION_INFO_V1(address_out);
PG_FUNCTION_INFO_V1(address_to_bytes32);
PG_FUNCTION_INFO_V1(address_from_bytes32);

/* Text input: [0x] + 40 hex digits, checksum enforced on mixed case (soft errors). */
Datum
address_in(PG_FUNCTION_ARGS)
{
	char	   *str = PG_GETARG_CSTRING(0);
	Address    *r = palloc(sizeof(Address));

	switch (AddressParse(str, strlen(str), r->b))
	{
		case ADDRESS_PARSE_OK:
			PG_RETURN_ADDRESS_P(r);
		case ADDRESS_PARSE_CHECKSUM:
			AmpEreturn(fcinfo->context, (Datum) 0,
					   errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
					   errmsg("invalid EIP-55 checksum in address \"%s\"", str),
					   errhint("Mixed-case addresses must be checksummed; write all-lowercase hex to skip the check."));
			break;
		default:
			AmpEreturn(fcinfo->context, (Datum) 0,
					   errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
					   errmsg("invalid input syntax for type address: \"%s\"", str));
			break;
	}
	PG_RETURN_NULL();			/* not reached on PostgreSQL 15 */
}

/* Text output: "0x" + the EIP-55 checksummed digits. */
Datum
address_out(PG_FUNCTION_ARGS)
{
	Address    *a = PG_GETARG_ADDRESS_P(0);
	char	   *s = palloc(ADDRESS_TEXT_LEN + 1);

	AddressToChecksumText(a->b, s);
	s[ADDRESS_TEXT_LEN] = '\0';
	PG_RETURN_CSTRING(s);
}

/* The address as a bytes32 word: 12 zero bytes, then the 20 bytes (as in a topic). */
Datum
address_to_bytes32(PG_FUNCTION_ARGS)
{
	Address    *a = PG_GETARG_ADDRESS_P(0);
	Bytes32    *r = palloc0(sizeof(Bytes32));

	memcpy(r->b + 12, a->b, ADDRESS_BYTES);
	PG_RETURN_BYTES32_P(r);
}

/* The address in a bytes32 word; the first 12 bytes must be zero. */
Datum
address_from_bytes32(PG_FUNCTION_ARGS)
{
	Bytes32    *w = PG_GETARG_BYTES32_P(0);
	Address    *r;
	int			i;

	for (i = 0; i < 12; i++)
		if (w->b[i] != 0)
			ereport(ERROR,
					(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
					 errmsg("bytes32 value is out of range for type address"),
					 errdetail("An address in a 32-byte word has 12 leading zero bytes.")));
	r = palloc(sizeof(Address));
	memcpy(r->b, w->b + 12, ADDRESS_BYTES);
	PG_RETURN_ADDRESS_P(r);
}

#define FB_NAME address
#define FB_TYPE Address
#define FB_LEN ADDRESS_BYTES
#include "evm/fixed_bytes.h"
