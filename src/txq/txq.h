/*
 * src/txq/txq.h
 *
 * The transaction queue: intents written by SQL (queue.sql side), drained by
 * one tx worker per chain (worker.c) that simulates, reserves a nonce, signs,
 * persists the signed bytes, and only then broadcasts, follows receipts and
 * replaces stuck transactions.  Signing lives in four small pieces:
 *   tx_codec.c  EIP-155 legacy and EIP-1559 (type 2) transactions: the
 *               signing hash, the signed RLP encoding and its decoding;
 *   secp.c      libsecp256k1: sign with recovery id, recover the sender;
 *   keys.c      key files under amplified.keys_dir, checked before reading;
 *   signer.c    the signer back-ends (key_file, external, node) behind one call.
 * A private key lives only in a local buffer of TxqSignerSign()'s callee and
 * is wiped before it returns; it never reaches a table, a log line, an error
 * or a result.
 */
#ifndef AMPLIFIED_TXQ_H
#define AMPLIFIED_TXQ_H

#include "postgres.h"

#include "evm/evm.h"
#include "rpc/rpc.h"

#define TXQ_TYPE_LEGACY		0	/* EIP-155 replay-protected legacy */
#define TXQ_TYPE_EIP1559	2

/* One entry of an EIP-2930 access list (type 2 only). */
typedef struct TxqAccess
{
	uint8		address[20];
	int			nkeys;
	uint8	   (*keys)[32];		/* nkeys storage keys */
} TxqAccess;

/*
 * An unsigned transaction, as the worker builds it.  Zero-initialise it
 * (memset or {0}): the fields after data then mean "empty access list".
 * Nonce and gas limit are uint64, as in geth (EIP-2681 for the nonce): a
 * transaction with a larger value is refused, never truncated.
 */
typedef struct TxqTx
{
	int			type;			/* TXQ_TYPE_LEGACY or TXQ_TYPE_EIP1559 */
	uint64		chain_id;
	uint64		nonce;
	Uint256		gas_price;		/* legacy only */
	Uint256		max_priority_fee;	/* type 2 only */
	Uint256		max_fee;		/* type 2 only */
	uint64		gas_limit;
	bool		has_to;			/* false: contract creation */
	uint8		to[20];
	Uint256		value;
	const uint8 *data;
	size_t		data_len;
	int			naccess;		/* type 2 only: the access list */
	TxqAccess  *access;
} TxqTx;

/* A signed transaction: the bytes to broadcast, their hash, the sender. */
typedef struct TxqSigned
{
	bytea	   *raw;			/* palloc'd in CurrentMemoryContext */
	uint8		hash[32];		/* keccak-256 of raw */
	uint8		from[20];		/* recovered from the signature */
} TxqSigned;

/* tx_codec.c */
extern void TxqSigningHash(const TxqTx *tx, uint8 out[32]);
extern bytea *TxqEncodeSigned(const TxqTx *tx, const uint8 r[32], const uint8 s[32], int recid);
extern bool TxqDecodeSigned(const uint8 *raw, size_t len, TxqTx *tx,
							uint8 r[32], uint8 s[32], int *recid, char *err, size_t errlen);
extern Jsonb *TxqTxToJsonb(const TxqTx *tx, const uint8 *from);
extern char *TxqTxToRpcJson(const TxqTx *tx, const uint8 from[20]);
extern void TxqTxFromJsonb(Jsonb *j, TxqTx *tx);
extern char *TxqAddressText(const uint8 a[20]);
extern bytea *TxqEncodeUnsigned(const TxqTx *tx);	/* what the signing hash hashes */
extern bool TxqTxEqual(const TxqTx *a, const TxqTx *b, const char **field);
extern Jsonb *TxqSignedToJsonb(const TxqTx *tx, const uint8 from[20], const uint8 hash[32],
							   const uint8 r[32], const uint8 s[32], int recid);

/* secp.c */
extern void TxqSignWithKey(const TxqTx *tx, const uint8 key[32], TxqSigned *out);
extern bool TxqRecoverSender(const uint8 *raw, size_t len, TxqTx *tx, TxqSigned *out,
							 char *err, size_t errlen);
extern void TxqAddressOfKey(const uint8 key[32], uint8 address[20]);
extern bool TxqKeyValid(const uint8 key[32]);	/* 0 < key < n */

/* keys.c */
extern void TxqLoadKeyFile(const uint8 address[20], uint8 key[32]);
extern void TxqWipe(void *p, size_t n);

/* A signer as the worker and SQL see it (a row of amplified.signers). */
typedef struct TxqSigner
{
	int64		chain_id;
	uint8		address[20];
	char		kind[16];		/* "key_file", "external", "node" */
	char	   *url;			/* external: the signer's JSON-RPC URL */
	RpcTarget  *chain_target;	/* node: the chain's endpoints (read per call when NULL) */
	int			tx_type;		/* the signer's default transaction type */
	bool		paused;
} TxqSigner;

/* signer.c */
extern void TxqSignerSign(TxqSigner *signer, const TxqTx *tx, TxqSigned *out);
extern bool TxqSignerLoad(int64 chain_id, const uint8 address[20], TxqSigner *s);
extern void TxqSignerCheck(TxqSigner *signer);

/* worker.c */
extern void TxqInit(void);
PGDLLEXPORT extern void TxqMain(Datum main_arg);

#endif							/* AMPLIFIED_TXQ_H */
