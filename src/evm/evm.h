/*
 * src/evm/evm.h
 *
 * The EVM value module: 256-bit integers (uint256, int256), addresses,
 * bytes32, hex, keccak-256, ABI and RLP codecs, and token units.  Every other
 * module computes with these.  Pure computation is exposed as plain C
 * functions (no palloc, no ereport) so it can be tested, fuzzed and reused;
 * the fmgr wrappers sit on top.
 */
#ifndef AMPLIFIED_EVM_H
#define AMPLIFIED_EVM_H

#include "postgres.h"
#include "fmgr.h"

/*
 * A 256-bit integer as four 64-bit limbs, least significant first.  uint256
 * stores it as is; int256 stores the two's complement bit pattern.  This is
 * the on-disk representation of both SQL types (32 bytes, double-aligned,
 * passed by reference); the binary send/receive format is 32 bytes
 * big-endian.
 */
typedef struct Uint256
{
	uint64		w[4];
} Uint256;

#define UINT256_BYTES 32

#define DatumGetUint256P(X)		((Uint256 *) DatumGetPointer(X))
#define Uint256PGetDatum(X)		PointerGetDatum(X)
#define PG_GETARG_UINT256_P(n)	DatumGetUint256P(PG_GETARG_DATUM(n))
#define PG_RETURN_UINT256_P(x)	return Uint256PGetDatum(x)

/* ---- integers (uint256.c, int256.c, ...) ---- */

/* ---- bytes, hashing and codecs (address.c, keccak.c, abi.c, rlp.c, ...) ---- */

#endif							/* AMPLIFIED_EVM_H */
