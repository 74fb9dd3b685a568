/*
 * src/txq/secp.c
 *
 * libsecp256k1 for the signer: sign a transaction's hash with a recoverable
 * ECDSA signature (RFC 6979 deterministic nonces, the library's default, so
 * the bytes match ethers and geth bit for bit), recover the sender of a
 * signed transaction, and derive an address from a key.  Every signature
 * made here is checked by recovering its sender before it is returned.  One
 * context per backend, randomized once (side-channel blinding); it is
 * allocated by the library and lives as long as the process.
 */
#include "postgres.h"

#include <secp256k1.h>
#include <secp256k1_recovery.h>

#include "txq/txq.h"

static secp256k1_context *secp_ctx = NULL;

/* The backend's context, created and randomized on first use. */
static const secp256k1_context *
SecpContext(void)
{
	if (secp_ctx == NULL)
	{
		unsigned char seed[32];
		secp256k1_context *ctx = secp256k1_context_create(SECP256K1_CONTEXT_NONE);

		if (ctx == NULL)
			ereport(ERROR,
					(errcode(ERRCODE_OUT_OF_MEMORY),
					 errmsg("could not create a secp256k1 context")));
		if (!pg_strong_random(seed, sizeof(seed)) ||
			!secp256k1_context_randomize(ctx, seed))
		{
			secp256k1_context_destroy(ctx);
			ereport(ERROR,
					(errcode(ERRCODE_INTERNAL_ERROR),
					 errmsg("could not randomize the secp256k1 context")));
		}
		TxqWipe(seed, sizeof(seed));
		secp_ctx = ctx;
	}
	return secp_ctx;
}

/* True when key is a valid secret key: 0 < key < n. */
bool
TxqKeyValid(const uint8 key[32])
{
	return secp256k1_ec_seckey_verify(SecpContext(), key) == 1;
}

/* The Ethereum address of a public key: the last 20 bytes of keccak(x || y). */
static void
AddressOfPubkey(const secp256k1_pubkey *pub, uint8 address[20])
{
	unsigned char ser[65];
	size_t		len = sizeof(ser);
	uint8		h[32];

	if (!secp256k1_ec_pubkey_serialize(SecpContext(), ser, &len, pub, SECP256K1_EC_UNCOMPRESSED) ||
		len != 65)
		elog(ERROR, "amplified txq: could not serialize a public key");
	Keccak256(ser + 1, 64, h);
	memcpy(address, h + 12, 20);
}

/* The address of a private key (the key must be valid: see TxqKeyValid). */
void
TxqAddressOfKey(const uint8 key[32], uint8 address[20])
{
	secp256k1_pubkey pub;

	if (!secp256k1_ec_pubkey_create(SecpContext(), &pub, key))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid secp256k1 private key"),
				 errdetail("A private key is a number between 1 and the curve order minus 1.")));
	AddressOfPubkey(&pub, address);
}

/* The signer of hash, from a signature r || s with recovery id recid. */
static bool
RecoverAddress(const uint8 hash[32], const uint8 r[32], const uint8 s[32], int recid,
			   uint8 address[20])
{
	unsigned char compact[64];
	secp256k1_ecdsa_recoverable_signature sig;
	secp256k1_pubkey pub;

	memcpy(compact, r, 32);
	memcpy(compact + 32, s, 32);
	if (!secp256k1_ecdsa_recoverable_signature_parse_compact(SecpContext(), &sig, compact, recid) ||
		!secp256k1_ecdsa_recover(SecpContext(), &pub, &sig, hash))
		return false;
	AddressOfPubkey(&pub, address);
	return true;
}

/*
 * Decode a signed transaction and recover its sender: out gets a copy of
 * raw, its hash and the sender; tx the fields (tx->data points into
 * out->raw).  False with a message in err when raw is not a valid signed
 * transaction or its signature recovers no key.
 */
bool
TxqRecoverSender(const uint8 *raw, size_t len, TxqTx *tx, TxqSigned *out,
				 char *err, size_t errlen)
{
	uint8		r[32];
	uint8		s[32];
	uint8		h[32];
	int			recid;

	out->raw = palloc(VARHDRSZ + len);
	SET_VARSIZE(out->raw, VARHDRSZ + len);
	memcpy(VARDATA(out->raw), raw, len);
	if (!TxqDecodeSigned((uint8 *) VARDATA(out->raw), len, tx, r, s, &recid, err, errlen))
		return false;
	TxqSigningHash(tx, h);
	if (!RecoverAddress(h, r, s, recid, out->from))
	{
		snprintf(err, errlen, "the signature recovers no public key");
		return false;
	}
	Keccak256(raw, len, out->hash);
	return true;
}

/*
 * Sign tx with key: out gets the signed bytes, their hash and the sender.
 * The signature is checked by decoding the bytes and recovering the sender,
 * which must be the key's address, before anything is returned.  Nothing
 * derived from the key other than the public signature is kept.
 */
void
TxqSignWithKey(const TxqTx *tx, const uint8 key[32], TxqSigned *out)
{
	const secp256k1_context *ctx = SecpContext();
	secp256k1_ecdsa_recoverable_signature sig;
	unsigned char compact[64];
	uint8		h[32];
	uint8		expect[20];
	int			recid;
	bytea	   *raw;
	TxqTx		back;
	char		err[256];

	if (!TxqKeyValid(key))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid secp256k1 private key"),
				 errdetail("A private key is a number between 1 and the curve order minus 1.")));
	TxqAddressOfKey(key, expect);
	TxqSigningHash(tx, h);
	/* NULL nonce function: RFC 6979, as ethers and geth use. */
	if (!secp256k1_ecdsa_sign_recoverable(ctx, &sig, h, key, NULL, NULL) ||
		!secp256k1_ecdsa_recoverable_signature_serialize_compact(ctx, compact, &recid, &sig))
		ereport(ERROR,
				(errcode(ERRCODE_INTERNAL_ERROR),
				 errmsg("secp256k1 could not sign the transaction")));
	raw = TxqEncodeSigned(tx, compact, compact + 32, recid);

	if (!TxqRecoverSender((uint8 *) VARDATA(raw), VARSIZE(raw) - VARHDRSZ, &back, out,
						  err, sizeof(err)))
		ereport(ERROR,
				(errcode(ERRCODE_INTERNAL_ERROR),
				 errmsg("the transaction just signed does not decode: %s", err)));
	if (memcmp(out->from, expect, 20) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INTERNAL_ERROR),
				 errmsg("the signature just made does not recover the signer's address")));
	pfree(raw);
}
