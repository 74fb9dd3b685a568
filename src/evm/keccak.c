/*
 * src/evm/keccak.c
 *
 * Keccak-256 as Ethereum uses it: the original Keccak submission's padding
 * (0x01 ... 0x80), not the 0x06 domain byte of FIPS 202 SHA3-256.  The
 * Keccak-f[1600] permutation is nettle's (sha3_permute); the sponge around
 * it (rate 136 bytes, little-endian lanes, 32-byte output) is here.  Pure C.
 */
#include <string.h>

#include <nettle/sha3.h>

#include "evm/codec.h"

#define KECCAK256_RATE 136

/* XOR one rate-sized block into the state, lanes little-endian. */
static void
KeccakAbsorb(struct sha3_state *st, const uint8_t *block)
{
	int			i;

	for (i = 0; i < KECCAK256_RATE / 8; i++)
	{
		uint64_t	lane = 0;
		int			b;

		for (b = 7; b >= 0; b--)
			lane = (lane << 8) | block[8 * i + b];
		st->a[i] ^= lane;
	}
	sha3_permute(st);
}

/* out = keccak-256(data[0..len)). */
void
Keccak256(const uint8_t *data, size_t len, uint8_t out[32])
{
	struct sha3_state st;
	uint8_t		last[KECCAK256_RATE];
	size_t		rest;
	int			i;

	memset(&st, 0, sizeof(st));
	while (len >= KECCAK256_RATE)
	{
		KeccakAbsorb(&st, data);
		data += KECCAK256_RATE;
		len -= KECCAK256_RATE;
	}
	rest = len;
	memset(last, 0, sizeof(last));
	if (rest)
		memcpy(last, data, rest);
	last[rest] ^= 0x01;
	last[KECCAK256_RATE - 1] ^= 0x80;
	KeccakAbsorb(&st, last);
	for (i = 0; i < 32; i++)
		out[i] = (uint8_t) (st.a[i / 8] >> (8 * (i % 8)));
}
