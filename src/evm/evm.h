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

/*
 * Pure 256-bit arithmetic (u256_math.c): no palloc, no ereport.  Results go
 * to an out parameter that may alias an input.  Functions returning bool
 * return false on overflow (the out value is then unspecified) and, for
 * division, on a zero divisor.  int256 values are the two's complement bit
 * pattern in the same struct.
 */
#define UINT256_DEC_BUFLEN	80	/* "-" + 78 digits + NUL, rounded up */
#define UINT256_HEX_BUFLEN	68	/* "-0x" + 64 digits + NUL */

/* How parsing a text integer went; the caller words the error. */
typedef enum Uint256ParseStatus
{
	UINT256_PARSE_OK,
	UINT256_PARSE_SYNTAX,		/* not an integer literal */
	UINT256_PARSE_RANGE			/* well formed but out of range */
} Uint256ParseStatus;

extern void Uint256FromUint64(Uint256 *r, uint64 v);
extern bool Uint256IsZero(const Uint256 *a);
extern int	Uint256Cmp(const Uint256 *a, const Uint256 *b);
extern bool Uint256Add(const Uint256 *a, const Uint256 *b, Uint256 *r);
extern bool Uint256Sub(const Uint256 *a, const Uint256 *b, Uint256 *r);
extern bool Uint256Mul(const Uint256 *a, const Uint256 *b, Uint256 *r);
extern void Uint256MulFull(const Uint256 *a, const Uint256 *b, uint64 r[8]);
extern bool Uint256DivMod(const Uint256 *a, const Uint256 *b, Uint256 *q, Uint256 *rem);
extern bool Uint256MulDiv(const Uint256 *a, const Uint256 *b, const Uint256 *c,
						  bool round_up, Uint256 *r);
extern bool Uint256Pow(const Uint256 *base, const Uint256 *exp, Uint256 *r);
extern void Uint256Sqrt(const Uint256 *a, Uint256 *r);
extern int	Uint256Msb(const Uint256 *a);	/* -1 for zero */
extern int	Uint256Lsb(const Uint256 *a);	/* -1 for zero */
extern void Uint256Shl(const Uint256 *a, int n, Uint256 *r);	/* n >= 0 */
extern void Uint256Shr(const Uint256 *a, int n, Uint256 *r);	/* n >= 0 */
extern void Uint256And(const Uint256 *a, const Uint256 *b, Uint256 *r);
extern void Uint256Or(const Uint256 *a, const Uint256 *b, Uint256 *r);
extern void Uint256Xor(const Uint256 *a, const Uint256 *b, Uint256 *r);
extern void Uint256Not(const Uint256 *a, Uint256 *r);
extern bool Uint256ToUint64(const Uint256 *a, uint64 *r);

extern Uint256ParseStatus Uint256FromDecimal(const char *s, size_t len, Uint256 *r);
extern Uint256ParseStatus Uint256FromHex(const char *s, size_t len, Uint256 *r);
extern Uint256ParseStatus Uint256ParseMagnitude(const char *str, bool *negative, Uint256 *r);
extern Uint256ParseStatus Uint256FromText(const char *str, Uint256 *r);
extern int	Uint256ToDecimal(const Uint256 *a, char *buf);
extern int	Uint256ToHex(const Uint256 *a, char *buf);
extern void Uint256FromBytesBE(const uint8 *p, size_t len, Uint256 *r);	/* len <= 32 */
extern void Uint256ToBytesBE(const Uint256 *a, uint8 *out);	/* 32 bytes */
extern uint64 Uint256AbbrevKey(const Uint256 *a);

extern bool Int256IsNeg(const Uint256 *a);
extern void Int256FromInt64(Uint256 *r, int64 v);
extern bool Int256ToInt64(const Uint256 *a, int64 *r);
extern int	Int256Cmp(const Uint256 *a, const Uint256 *b);
extern bool Int256Neg(const Uint256 *a, Uint256 *r);
extern bool Int256Abs(const Uint256 *a, Uint256 *r);
extern void Int256Magnitude(const Uint256 *a, Uint256 *r);	/* |a| as uint256 */
extern bool Int256FromMagnitude(const Uint256 *mag, bool negative, Uint256 *r);
extern bool Int256Add(const Uint256 *a, const Uint256 *b, Uint256 *r);
extern bool Int256Sub(const Uint256 *a, const Uint256 *b, Uint256 *r);
extern bool Int256Mul(const Uint256 *a, const Uint256 *b, Uint256 *r);
extern bool Int256DivMod(const Uint256 *a, const Uint256 *b, Uint256 *q, Uint256 *rem);
extern bool Int256Pow(const Uint256 *base, const Uint256 *exp, Uint256 *r);
extern void Int256Shr(const Uint256 *a, int n, Uint256 *r);	/* arithmetic */
extern Uint256ParseStatus Int256FromText(const char *str, Uint256 *r);
extern int	Int256ToDecimal(const Uint256 *a, char *buf);
extern int	Int256ToHex(const Uint256 *a, char *buf);
extern uint64 Int256AbbrevKey(const Uint256 *a);

/*
 * fmgr-side helpers shared by uint256.c, int256.c, int_agg.c and units.c
 * (these allocate and raise errors).
 */
extern void Uint256OutOfRange(void) pg_attribute_noreturn();
extern void Int256OutOfRange(void) pg_attribute_noreturn();
extern void Uint256DivisionByZero(void) pg_attribute_noreturn();
extern Uint256 *Uint256Copy(const Uint256 *a);
extern Datum Uint256GetNumeric(const Uint256 *a, bool is_signed);
extern void NumericGetUint256(Datum num, bool is_signed, Uint256 *r);
extern int	Uint256ShiftCount(int32 n);

/* ---- bytes, hashing and codecs (address.c, keccak.c, abi.c, rlp.c, ...) ---- */

/*
 * The pure codecs (hex, keccak-256, EIP-55, ABI, RLP) are declared in
 * evm/codec.h, which needs no server headers; what follows is the server
 * side: the address and bytes32 types and the glue of codec_pg.c.
 */
#include "evm/codec.h"
#include "utils/jsonb.h"

/* address: 20 bytes; bytes32: 32 bytes; both pass-by-reference, char-aligned. */
typedef struct Address
{
	uint8		b[ADDRESS_BYTES];
} Address;

typedef struct Bytes32
{
	uint8		b[BYTES32_BYTES];
} Bytes32;

#define DatumGetAddressP(X)		((Address *) DatumGetPointer(X))
#define PG_GETARG_ADDRESS_P(n)	DatumGetAddressP(PG_GETARG_DATUM(n))
#define PG_RETURN_ADDRESS_P(x)	return PointerGetDatum(x)
#define DatumGetBytes32P(X)		((Bytes32 *) DatumGetPointer(X))
#define PG_GETARG_BYTES32_P(n)	DatumGetBytes32P(PG_GETARG_DATUM(n))
#define PG_RETURN_BYTES32_P(x)	return PointerGetDatum(x)

/* codec_pg.c: the pure codecs' memory, errors and JSON, in the server. */
extern CodecMem *CodecPgMem(void);
extern void CodecPgError(const CodecError *err) pg_attribute_noreturn();
extern CodecJson *CodecJsonFromJsonb(Jsonb *jb);
extern Jsonb *CodecJsonToJsonb(const CodecJson *v);
extern bytea *CodecBufToBytea(const CodecBuf *buf);
extern Bytes32 *Bytes32FromRaw(const uint8 *p);

#endif							/* AMPLIFIED_EVM_H */
