/*
 * src/txq/tx_codec.c
 *
 * Ethereum transactions as the signer sees them: EIP-155 legacy (type 0,
 * rlp([nonce, gasPrice, gas, to, value, data, v, r, s]) with
 * v = recid + 35 + 2 * chainId) and EIP-1559 (type 2, 0x02 || rlp([chainId,
 * nonce, maxPriorityFeePerGas, maxFeePerGas, gas, to, value, data,
 * accessList, yParity, r, s])).  It computes the signing hash, writes the
 * signed encoding and reads one back -- strictly: canonical RLP only, the
 * right number of fields, integers without leading zero bytes and within
 * their range (nonce and gas are uint64, as in geth), low-s signatures, and
 * nothing after the transaction -- and converts transactions to and from
 * JSON (jsonb for SQL, JSON-RPC text for eth_signTransaction).
 *
 * The RLP writer and reader here are small and direct (bytes in, bytes out)
 * rather than going through the generic JSON-valued codec of src/evm: a
 * transaction is a flat, fixed shape and the tx worker signs many of them.
 */
#include "postgres.h"

#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/numeric.h"

#include "txq/txq.h"

/* secp256k1's group order n and n / 2, big-endian. */
static const uint8 SECP_N[32] = {
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe,
	0xba, 0xae, 0xdc, 0xe6, 0xaf, 0x48, 0xa0, 0x3b, 0xbf, 0xd2, 0x5e, 0x8c, 0xd0, 0x36, 0x41, 0x41
};
static const uint8 SECP_HALF_N[32] = {
	0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	0x5d, 0x57, 0x6e, 0x73, 0x57, 0xa4, 0x50, 0x1d, 0xdf, 0xe9, 0x2f, 0x46, 0x68, 0x1b, 0x20, 0xa0
};

/* ---------------------------------------------------------------- RLP out */

/* A string or list header for a payload of n bytes (base 0x80 or 0xc0). */
static void
RlpPutHeader(StringInfo b, uint8 base, size_t n)
{
	if (n < 56)
		appendStringInfoChar(b, (char) (base + n));
	else
	{
		uint8		len[8];
		int			k = 0;
		size_t		m = n;

		while (m)
		{
			len[7 - k++] = (uint8) (m & 0xff);
			m >>= 8;
		}
		appendStringInfoChar(b, (char) (base + 55 + k));
		appendBinaryStringInfo(b, (char *) len + 8 - k, k);
	}
}

/* A byte string; a single byte below 0x80 stands for itself. */
static void
RlpPutString(StringInfo b, const uint8 *p, size_t n)
{
	if (!(n == 1 && p[0] < 0x80))
		RlpPutHeader(b, 0x80, n);
	appendBinaryStringInfo(b, (const char *) p, n);
}

/* An integer given big-endian: its minimal bytes (zero is the empty string). */
static void
RlpPutBE(StringInfo b, const uint8 *p, size_t n)
{
	while (n > 0 && *p == 0)
	{
		p++;
		n--;
	}
	RlpPutString(b, p, n);
}

/* A uint64 as an RLP integer. */
static void
RlpPutU64(StringInfo b, uint64 v)
{
	uint8		be[8];
	int			i;

	for (i = 7; i >= 0; i--, v >>= 8)
		be[i] = (uint8) (v & 0xff);
	RlpPutBE(b, be, 8);
}

/* A uint256 as an RLP integer. */
static void
RlpPutU256(StringInfo b, const Uint256 *v)
{
	uint8		be[32];

	Uint256ToBytesBE(v, be);
	RlpPutBE(b, be, 32);
}

/* Append payload to out as one list. */
static void
RlpPutList(StringInfo out, StringInfo payload)
{
	RlpPutHeader(out, 0xc0, payload->len);
	appendBinaryStringInfo(out, payload->data, payload->len);
}

/* The access list of a type 2 transaction, as one RLP list. */
static void
PutAccessList(StringInfo b, const TxqTx *tx)
{
	StringInfoData all;
	int			i;

	initStringInfo(&all);
	for (i = 0; i < tx->naccess; i++)
	{
		const TxqAccess *a = &tx->access[i];
		StringInfoData entry;
		StringInfoData keys;
		int			k;

		initStringInfo(&entry);
		initStringInfo(&keys);
		RlpPutString(&entry, a->address, 20);
		for (k = 0; k < a->nkeys; k++)
			RlpPutString(&keys, a->keys[k], 32);
		RlpPutList(&entry, &keys);
		RlpPutList(&all, &entry);
	}
	RlpPutList(b, &all);
}

/*
 * The encoding of tx: unsigned (the bytes the signing hash hashes) when r is
 * NULL, else signed with r, s and the recovery id.
 */
static bytea *
TxqEncode(const TxqTx *tx, const uint8 *r, const uint8 *s, int recid)
{
	StringInfoData f;
	StringInfoData out;
	bytea	   *res;

	if (tx->type != TXQ_TYPE_LEGACY && tx->type != TXQ_TYPE_EIP1559)
		elog(ERROR, "amplified txq: cannot encode a transaction of type %d", tx->type);

	initStringInfo(&f);
	if (tx->type == TXQ_TYPE_EIP1559)
	{
		RlpPutU64(&f, tx->chain_id);
		RlpPutU64(&f, tx->nonce);
		RlpPutU256(&f, &tx->max_priority_fee);
		RlpPutU256(&f, &tx->max_fee);
	}
	else
	{
		RlpPutU64(&f, tx->nonce);
		RlpPutU256(&f, &tx->gas_price);
	}
	RlpPutU64(&f, tx->gas_limit);
	RlpPutString(&f, tx->to, tx->has_to ? 20 : 0);
	RlpPutU256(&f, &tx->value);
	RlpPutString(&f, tx->data, tx->data_len);

	if (tx->type == TXQ_TYPE_EIP1559)
	{
		PutAccessList(&f, tx);
		if (r != NULL)
		{
			RlpPutU64(&f, (uint64) recid);
			RlpPutBE(&f, r, 32);
			RlpPutBE(&f, s, 32);
		}
	}
	else if (r == NULL)
	{
		/* EIP-155: the chain id and two empty fields take v, r, s's places. */
		RlpPutU64(&f, tx->chain_id);
		RlpPutString(&f, NULL, 0);
		RlpPutString(&f, NULL, 0);
	}
	else
	{
		Uint256		v;
		Uint256		add;

		Uint256FromUint64(&v, tx->chain_id);
		(void) Uint256Add(&v, &v, &v);	/* < 2^65: no overflow */
		Uint256FromUint64(&add, 35 + (uint64) recid);
		(void) Uint256Add(&v, &add, &v);
		RlpPutU256(&f, &v);
		RlpPutBE(&f, r, 32);
		RlpPutBE(&f, s, 32);
	}

	initStringInfo(&out);
	if (tx->type == TXQ_TYPE_EIP1559)
		appendStringInfoChar(&out, TXQ_TYPE_EIP1559);
	RlpPutList(&out, &f);
	pfree(f.data);

	res = palloc(VARHDRSZ + out.len);
	SET_VARSIZE(res, VARHDRSZ + out.len);
	memcpy(VARDATA(res), out.data, out.len);
	pfree(out.data);
	return res;
}

/* The bytes whose keccak-256 is signed (EIP-155 or EIP-1559 payload). */
bytea *
TxqEncodeUnsigned(const TxqTx *tx)
{
	return TxqEncode(tx, NULL, NULL, 0);
}

/* The hash a signer signs for tx. */
void
TxqSigningHash(const TxqTx *tx, uint8 out[32])
{
	bytea	   *u = TxqEncode(tx, NULL, NULL, 0);

	Keccak256((uint8 *) VARDATA(u), VARSIZE(u) - VARHDRSZ, out);
	pfree(u);
}

/* The signed transaction, ready to broadcast (r and s big-endian, recid 0 or 1). */
bytea *
TxqEncodeSigned(const TxqTx *tx, const uint8 r[32], const uint8 s[32], int recid)
{
	if (recid != 0 && recid != 1)
		elog(ERROR, "amplified txq: recovery id %d is not 0 or 1", recid);
	return TxqEncode(tx, r, s, recid);
}

/* ----------------------------------------------------------------- RLP in */

typedef struct RlpItem
{
	bool		list;
	const uint8 *p;				/* payload */
	size_t		len;
} RlpItem;

#define DECODE_FAIL(...) \
	do { snprintf(err, errlen, __VA_ARGS__); return false; } while (0)

/*
 * Read one canonical RLP item at *pp (before end) and advance past it.
 * Refuses what a canonical encoder never writes: a single byte below 0x80
 * in a string header, a long form for a short payload, a length with a
 * leading zero byte; and anything running past end.
 */
static bool
RlpNext(const uint8 **pp, const uint8 *end, RlpItem *it, char *err, size_t errlen)
{
	const uint8 *p = *pp;
	uint8		b;
	size_t		n;

	if (p >= end)
		DECODE_FAIL("truncated: an RLP item is missing");
	b = *p++;
	if (b < 0x80)
	{
		it->list = false;
		it->p = p - 1;
		it->len = 1;
		*pp = p;
		return true;
	}
	it->list = (b >= 0xc0);
	if (b <= 0xb7 || (b >= 0xc0 && b <= 0xf7))
		n = b - (it->list ? 0xc0 : 0x80);
	else
	{
		int			k = b - (it->list ? 0xf7 : 0xb7);
		int			i;

		if ((size_t) (end - p) < (size_t) k)
			DECODE_FAIL("truncated: an RLP length runs past the end");
		if (p[0] == 0)
			DECODE_FAIL("non-canonical RLP: a length with a leading zero byte");
		n = 0;
		for (i = 0; i < k; i++)
		{
			if (n > (SIZE_MAX >> 8))
				DECODE_FAIL("truncated: an RLP length runs past the end");
			n = (n << 8) | p[i];
		}
		p += k;
		if (n < 56)
			DECODE_FAIL("non-canonical RLP: a long length form for %zu bytes", n);
	}
	if ((size_t) (end - p) < n)
		DECODE_FAIL("truncated: an RLP item of %zu bytes runs past the end", n);
	if (!it->list && n == 1 && p[0] < 0x80)
		DECODE_FAIL("non-canonical RLP: the single byte 0x%02x must stand for itself", p[0]);
	it->p = p;
	it->len = n;
	*pp = p + n;
	return true;
}

/* The items of a list, at most max of them; false if there are more. */
static bool
RlpItems(const RlpItem *list, RlpItem *items, int max, int *n, const char *what,
		 char *err, size_t errlen)
{
	const uint8 *p = list->p;
	const uint8 *end = list->p + list->len;

	*n = 0;
	while (p < end)
	{
		if (*n == max)
			DECODE_FAIL("%s has more than %d fields", what, max);
		if (!RlpNext(&p, end, &items[(*n)++], err, errlen))
			return false;
	}
	return true;
}

/* An integer field of at most maxbytes bytes, big-endian into be[maxbytes]. */
static bool
ItemInt(const RlpItem *it, const char *name, uint8 *be, size_t maxbytes,
		char *err, size_t errlen)
{
	if (it->list)
		DECODE_FAIL("%s is a list, not an integer", name);
	if (it->len > 0 && it->p[0] == 0)
		DECODE_FAIL("%s has a leading zero byte", name);
	if (it->len > maxbytes)
		DECODE_FAIL("%s is out of range (%zu bytes, at most %zu)", name, it->len, maxbytes);
	memset(be, 0, maxbytes);
	memcpy(be + maxbytes - it->len, it->p, it->len);
	return true;
}

/* A uint64 field (at most 8 bytes). */
static bool
ItemU64(const RlpItem *it, const char *name, uint64 *v, char *err, size_t errlen)
{
	uint8		be[8];
	int			i;

	if (!ItemInt(it, name, be, 8, err, errlen))
		return false;
	*v = 0;
	for (i = 0; i < 8; i++)
		*v = (*v << 8) | be[i];
	return true;
}

/* A uint256 field (at most 32 bytes). */
static bool
ItemU256(const RlpItem *it, const char *name, Uint256 *v, char *err, size_t errlen)
{
	uint8		be[32];

	if (!ItemInt(it, name, be, 32, err, errlen))
		return false;
	Uint256FromBytesBE(be, 32, v);
	return true;
}

/* r or s: 1 <= x < n, and for s (EIP-2) x <= n / 2. */
static bool
ItemSig(const RlpItem *it, const char *name, uint8 out[32], bool low, char *err, size_t errlen)
{
	static const uint8 zero[32] = {0};

	if (!ItemInt(it, name, out, 32, err, errlen))
		return false;
	if (memcmp(out, zero, 32) == 0)
		DECODE_FAIL("signature %s is zero", name);
	if (memcmp(out, SECP_N, 32) >= 0)
		DECODE_FAIL("signature %s is not below the curve order", name);
	if (low && memcmp(out, SECP_HALF_N, 32) > 0)
		DECODE_FAIL("signature %s is in the upper half of the curve order (EIP-2)", name);
	return true;
}

/* The access list of a type 2 transaction. */
static bool
ItemAccessList(const RlpItem *it, TxqTx *tx, char *err, size_t errlen)
{
	const uint8 *p = it->p;
	const uint8 *end = it->p + it->len;
	int			cap = 4;

	if (!it->list)
		DECODE_FAIL("accessList is not a list");
	tx->naccess = 0;
	tx->access = NULL;
	while (p < end)
	{
		RlpItem		entry;
		RlpItem		parts[2];
		int			nparts;
		TxqAccess  *a;
		const uint8 *q;
		const uint8 *qend;

		if (!RlpNext(&p, end, &entry, err, errlen))
			return false;
		if (!entry.list)
			DECODE_FAIL("accessList entry %d is not a list", tx->naccess);
		if (!RlpItems(&entry, parts, 2, &nparts, "an accessList entry", err, errlen))
			return false;
		if (nparts != 2 || parts[0].list || parts[0].len != 20 || !parts[1].list)
			DECODE_FAIL("accessList entry %d is not [address, [storage keys]]", tx->naccess);
		if (tx->access == NULL)
			tx->access = palloc(sizeof(TxqAccess) * cap);
		else if (tx->naccess == cap)
			tx->access = repalloc(tx->access, sizeof(TxqAccess) * (cap *= 2));
		a = &tx->access[tx->naccess++];
		memcpy(a->address, parts[0].p, 20);
		a->nkeys = 0;
		a->keys = parts[1].len ? palloc(parts[1].len) : NULL;	/* >= 33 bytes a key */
		q = parts[1].p;
		qend = parts[1].p + parts[1].len;
		while (q < qend)
		{
			RlpItem		key;

			if (!RlpNext(&q, qend, &key, err, errlen))
				return false;
			if (key.list || key.len != 32)
				DECODE_FAIL("storage key %d of accessList entry %d is not 32 bytes",
							a->nkeys, tx->naccess - 1);
			memcpy(a->keys[a->nkeys++], key.p, 32);
		}
	}
	return true;
}

/*
 * Decode a signed transaction into tx (tx->data points into raw), r, s and
 * the recovery id.  False with a message in err when raw is not exactly one
 * canonical signed type 0 (EIP-155) or type 2 transaction.
 */
bool
TxqDecodeSigned(const uint8 *raw, size_t len, TxqTx *tx,
				uint8 r[32], uint8 s[32], int *recid, char *err, size_t errlen)
{
	const uint8 *p = raw;
	const uint8 *end = raw + len;
	RlpItem		top;
	RlpItem		f[12];
	int			nf;
	int			i = 0;

	memset(tx, 0, sizeof(*tx));
	if (len == 0)
		DECODE_FAIL("empty input");
	if (raw[0] == TXQ_TYPE_EIP1559)
	{
		tx->type = TXQ_TYPE_EIP1559;
		p++;
	}
	else if (raw[0] == 0x01)
		DECODE_FAIL("type 1 (EIP-2930) transactions are not supported");
	else if (raw[0] < 0x80)
		DECODE_FAIL("unsupported transaction type 0x%02x", raw[0]);
	else if (raw[0] < 0xc0)
		DECODE_FAIL("not a transaction: first byte 0x%02x is neither a type nor an RLP list", raw[0]);
	else
		tx->type = TXQ_TYPE_LEGACY;

	if (!RlpNext(&p, end, &top, err, errlen))
		return false;
	if (!top.list)
		DECODE_FAIL("not a transaction: the payload is not an RLP list");
	if (p != end)
		DECODE_FAIL("%zu trailing bytes after the transaction", (size_t) (end - p));
	if (!RlpItems(&top, f, 12, &nf, "the transaction", err, errlen))
		return false;
	if (nf != (tx->type == TXQ_TYPE_LEGACY ? 9 : 12))
		DECODE_FAIL("a signed type %d transaction has %d fields, not %d",
					tx->type, nf, tx->type == TXQ_TYPE_LEGACY ? 9 : 12);

	if (tx->type == TXQ_TYPE_EIP1559)
	{
		if (!ItemU64(&f[i++], "chainId", &tx->chain_id, err, errlen) ||
			!ItemU64(&f[i++], "nonce", &tx->nonce, err, errlen) ||
			!ItemU256(&f[i++], "maxPriorityFeePerGas", &tx->max_priority_fee, err, errlen) ||
			!ItemU256(&f[i++], "maxFeePerGas", &tx->max_fee, err, errlen))
			return false;
	}
	else if (!ItemU64(&f[i++], "nonce", &tx->nonce, err, errlen) ||
			 !ItemU256(&f[i++], "gasPrice", &tx->gas_price, err, errlen))
		return false;
	if (!ItemU64(&f[i++], "gasLimit", &tx->gas_limit, err, errlen))
		return false;
	if (f[i].list || (f[i].len != 0 && f[i].len != 20))
		DECODE_FAIL("to is not empty or 20 bytes");
	tx->has_to = (f[i].len == 20);
	if (tx->has_to)
		memcpy(tx->to, f[i].p, 20);
	i++;
	if (!ItemU256(&f[i++], "value", &tx->value, err, errlen))
		return false;
	if (f[i].list)
		DECODE_FAIL("data is a list, not a byte string");
	tx->data = f[i].p;
	tx->data_len = f[i].len;
	i++;

	if (tx->type == TXQ_TYPE_EIP1559)
	{
		uint64		parity;

		if (!ItemAccessList(&f[i++], tx, err, errlen) ||
			!ItemU64(&f[i++], "yParity", &parity, err, errlen))
			return false;
		if (parity > 1)
			DECODE_FAIL("yParity is " UINT64_FORMAT ", not 0 or 1", parity);
		*recid = (int) parity;
	}
	else
	{
		Uint256		v;
		Uint256		k;
		uint64		v64;

		if (!ItemU256(&f[i++], "v", &v, err, errlen))
			return false;
		Uint256FromUint64(&k, 35);
		if (Uint256ToUint64(&v, &v64) && (v64 == 27 || v64 == 28))
			DECODE_FAIL("v = " UINT64_FORMAT ": a signature without a chain id (before EIP-155) is not supported", v64);
		if (!Uint256Sub(&v, &k, &v))
			DECODE_FAIL("v is neither 27, 28 nor at least 37 (EIP-155)");
		*recid = (int) (v.w[0] & 1);
		Uint256Shr(&v, 1, &v);
		if (!Uint256ToUint64(&v, &tx->chain_id))
			DECODE_FAIL("the chain id encoded in v is out of range");
		if (tx->chain_id == 0)
			DECODE_FAIL("v is neither 27, 28 nor at least 37 (EIP-155)");
	}
	if (!ItemSig(&f[i++], "r", r, false, err, errlen) ||
		!ItemSig(&f[i++], "s", s, true, err, errlen))
		return false;
	return true;
}

/* True when a and b are the same transaction; else *field names a difference. */
bool
TxqTxEqual(const TxqTx *a, const TxqTx *b, const char **field)
{
	int			i;

#define DIFF(name) do { *field = (name); return false; } while (0)
	if (a->type != b->type)
		DIFF("type");
	if (a->chain_id != b->chain_id)
		DIFF("chainId");
	if (a->nonce != b->nonce)
		DIFF("nonce");
	if (a->type == TXQ_TYPE_LEGACY && Uint256Cmp(&a->gas_price, &b->gas_price) != 0)
		DIFF("gasPrice");
	if (a->type == TXQ_TYPE_EIP1559 && Uint256Cmp(&a->max_fee, &b->max_fee) != 0)
		DIFF("maxFeePerGas");
	if (a->type == TXQ_TYPE_EIP1559 && Uint256Cmp(&a->max_priority_fee, &b->max_priority_fee) != 0)
		DIFF("maxPriorityFeePerGas");
	if (a->gas_limit != b->gas_limit)
		DIFF("gasLimit");
	if (a->has_to != b->has_to || (a->has_to && memcmp(a->to, b->to, 20) != 0))
		DIFF("to");
	if (Uint256Cmp(&a->value, &b->value) != 0)
		DIFF("value");
	if (a->data_len != b->data_len || (a->data_len > 0 && memcmp(a->data, b->data, a->data_len) != 0))
		DIFF("data");
	if (a->type == TXQ_TYPE_EIP1559)
	{
		if (a->naccess != b->naccess)
			DIFF("accessList");
		for (i = 0; i < a->naccess; i++)
		{
			const TxqAccess *x = &a->access[i];
			const TxqAccess *y = &b->access[i];

			if (memcmp(x->address, y->address, 20) != 0 || x->nkeys != y->nkeys ||
				(x->nkeys > 0 && memcmp(x->keys, y->keys, 32 * (size_t) x->nkeys) != 0))
				DIFF("accessList");
		}
	}
#undef DIFF
	return true;
}

/* ------------------------------------------------------------- JSON out */

/* Push an object key. */
static void
PushKey(JsonbParseState **ps, const char *key)
{
	JsonbValue	k;

	k.type = jbvString;
	k.val.string.val = (char *) key;
	k.val.string.len = strlen(key);
	(void) pushJsonbValue(ps, WJB_KEY, &k);
}

/* Push a string: the value of key, or an array element when key is NULL. */
static void
PushString(JsonbParseState **ps, const char *key, const char *s, int len)
{
	JsonbValue	v;

	if (key)
		PushKey(ps, key);
	v.type = jbvString;
	v.val.string.val = (char *) s;
	v.val.string.len = len;
	(void) pushJsonbValue(ps, key ? WJB_VALUE : WJB_ELEM, &v);
}

/* Push bytes as a 0x hex string. */
static void
PushHex(JsonbParseState **ps, const char *key, const uint8 *p, size_t n)
{
	size_t		len;
	char	   *s = CodecHexText(CodecPgMem(), p, n, &len);

	PushString(ps, key, s, (int) len);
}

/* An address as EIP-55 text, NUL-terminated, in fresh memory (for messages and results). */
char *
TxqAddressText(const uint8 a[20])
{
	char	   *s = palloc(ADDRESS_TEXT_LEN + 1);

	AddressToChecksumText(a, s);
	s[ADDRESS_TEXT_LEN] = '\0';
	return s;
}

/* Push an address as EIP-55 text. */
static void
PushAddress(JsonbParseState **ps, const char *key, const uint8 a[20])
{
	char		text[ADDRESS_TEXT_LEN];

	AddressToChecksumText(a, text);
	PushString(ps, key, pnstrdup(text, ADDRESS_TEXT_LEN), ADDRESS_TEXT_LEN);
}

/* A JSON number from its decimal digits. */
static void
PushNumber(JsonbParseState **ps, const char *key, const char *digits)
{
	JsonbValue	v;

	PushKey(ps, key);
	v.type = jbvNumeric;
	v.val.numeric = DatumGetNumeric(DirectFunctionCall3(numeric_in, CStringGetDatum(digits),
														ObjectIdGetDatum(InvalidOid),
														Int32GetDatum(-1)));
	(void) pushJsonbValue(ps, WJB_VALUE, &v);
}

/* Push a uint64 as a JSON number. */
static void
PushU64(JsonbParseState **ps, const char *key, uint64 v)
{
	char		buf[32];

	snprintf(buf, sizeof(buf), UINT64_FORMAT, v);
	PushNumber(ps, key, buf);
}

/* A uint256 amount as a decimal string (exact for any reader; casts to uint256). */
static void
PushU256(JsonbParseState **ps, const char *key, const Uint256 *v)
{
	char	   *buf = palloc(UINT256_DEC_BUFLEN);
	int			len = Uint256ToDecimal(v, buf);

	PushString(ps, key, buf, len);
}

/* The fields of tx into an open object. */
static void
PushTxFields(JsonbParseState **ps, const TxqTx *tx, const uint8 *from)
{
	JsonbValue	nullv;
	int			i;

	PushU64(ps, "type", (uint64) tx->type);
	PushU64(ps, "chainId", tx->chain_id);
	PushU64(ps, "nonce", tx->nonce);
	if (tx->type == TXQ_TYPE_EIP1559)
	{
		PushU256(ps, "maxPriorityFeePerGas", &tx->max_priority_fee);
		PushU256(ps, "maxFeePerGas", &tx->max_fee);
	}
	else
		PushU256(ps, "gasPrice", &tx->gas_price);
	PushU64(ps, "gasLimit", tx->gas_limit);
	if (tx->has_to)
		PushAddress(ps, "to", tx->to);
	else
	{
		PushKey(ps, "to");
		nullv.type = jbvNull;
		(void) pushJsonbValue(ps, WJB_VALUE, &nullv);
	}
	PushU256(ps, "value", &tx->value);
	PushHex(ps, "data", tx->data, tx->data_len);
	if (tx->type == TXQ_TYPE_EIP1559)
	{
		PushKey(ps, "accessList");
		(void) pushJsonbValue(ps, WJB_BEGIN_ARRAY, NULL);
		for (i = 0; i < tx->naccess; i++)
		{
			int			k;

			(void) pushJsonbValue(ps, WJB_BEGIN_OBJECT, NULL);
			PushAddress(ps, "address", tx->access[i].address);
			PushKey(ps, "storageKeys");
			(void) pushJsonbValue(ps, WJB_BEGIN_ARRAY, NULL);
			for (k = 0; k < tx->access[i].nkeys; k++)
				PushHex(ps, NULL, tx->access[i].keys[k], 32);
			(void) pushJsonbValue(ps, WJB_END_ARRAY, NULL);
			(void) pushJsonbValue(ps, WJB_END_OBJECT, NULL);
		}
		(void) pushJsonbValue(ps, WJB_END_ARRAY, NULL);
	}
	if (from != NULL)
		PushAddress(ps, "from", from);
}

/* tx as a jsonb object (the shape TxqTxFromJsonb reads), with from when given. */
Jsonb *
TxqTxToJsonb(const TxqTx *tx, const uint8 *from)
{
	JsonbParseState *ps = NULL;
	JsonbValue *res;

	(void) pushJsonbValue(&ps, WJB_BEGIN_OBJECT, NULL);
	PushTxFields(&ps, tx, from);
	res = pushJsonbValue(&ps, WJB_END_OBJECT, NULL);
	return JsonbValueToJsonb(res);
}

/* A decoded signed transaction: its fields, from, hash and signature. */
Jsonb *
TxqSignedToJsonb(const TxqTx *tx, const uint8 from[20], const uint8 hash[32],
				 const uint8 r[32], const uint8 s[32], int recid)
{
	JsonbParseState *ps = NULL;
	JsonbValue *res;

	(void) pushJsonbValue(&ps, WJB_BEGIN_OBJECT, NULL);
	PushTxFields(&ps, tx, from);
	PushHex(&ps, "hash", hash, 32);
	PushHex(&ps, "r", r, 32);
	PushHex(&ps, "s", s, 32);
	if (tx->type == TXQ_TYPE_EIP1559)
		PushU64(&ps, "yParity", (uint64) recid);
	else
	{
		Uint256		v;
		Uint256		add;
		char		buf[UINT256_DEC_BUFLEN];

		Uint256FromUint64(&v, tx->chain_id);
		(void) Uint256Add(&v, &v, &v);
		Uint256FromUint64(&add, 35 + (uint64) recid);
		(void) Uint256Add(&v, &add, &v);
		(void) Uint256ToDecimal(&v, buf);
		PushNumber(&ps, "v", buf);
	}
	res = pushJsonbValue(&ps, WJB_END_OBJECT, NULL);
	return JsonbValueToJsonb(res);
}

/* A JSON-RPC quantity: "0x" and minimal hex digits. */
static void
AppendQuantity(StringInfo b, const char *key, const Uint256 *v)
{
	char		buf[UINT256_HEX_BUFLEN];

	(void) Uint256ToHex(v, buf);
	appendStringInfo(b, ",\"%s\":\"%s\"", key, buf);
}

/* A uint64 as a JSON-RPC quantity. */
static void
AppendQuantity64(StringInfo b, const char *key, uint64 v)
{
	appendStringInfo(b, ",\"%s\":\"0x%llx\"", key, (unsigned long long) v);
}

/* Bytes as a quoted 0x hex JSON string. */
static void
AppendHex(StringInfo b, const uint8 *p, size_t n)
{
	size_t		len;
	char	   *s = CodecHexText(CodecPgMem(), p, n, &len);

	appendStringInfoChar(b, '"');
	appendBinaryStringInfo(b, s, (int) len);
	appendStringInfoChar(b, '"');
}

/*
 * tx as the JSON object of eth_signTransaction (geth, clef, anvil,
 * web3signer): quantities in 0x hex; the call data as both "input" and
 * "data", since nodes differ in which they read.
 */
char *
TxqTxToRpcJson(const TxqTx *tx, const uint8 from[20])
{
	StringInfoData b;
	Uint256		gas;
	int			i;

	initStringInfo(&b);
	appendStringInfoString(&b, "{\"from\":");
	AppendHex(&b, from, 20);
	if (tx->has_to)
	{
		appendStringInfoString(&b, ",\"to\":");
		AppendHex(&b, tx->to, 20);
	}
	Uint256FromUint64(&gas, tx->gas_limit);
	AppendQuantity(&b, "gas", &gas);
	AppendQuantity(&b, "value", &tx->value);
	appendStringInfoString(&b, ",\"input\":");
	AppendHex(&b, tx->data, tx->data_len);
	appendStringInfoString(&b, ",\"data\":");
	AppendHex(&b, tx->data, tx->data_len);
	AppendQuantity64(&b, "nonce", tx->nonce);
	AppendQuantity64(&b, "chainId", tx->chain_id);
	AppendQuantity64(&b, "type", (uint64) tx->type);
	if (tx->type == TXQ_TYPE_EIP1559)
	{
		AppendQuantity(&b, "maxFeePerGas", &tx->max_fee);
		AppendQuantity(&b, "maxPriorityFeePerGas", &tx->max_priority_fee);
		appendStringInfoString(&b, ",\"accessList\":[");
		for (i = 0; i < tx->naccess; i++)
		{
			int			k;

			appendStringInfoString(&b, i ? ",{\"address\":" : "{\"address\":");
			AppendHex(&b, tx->access[i].address, 20);
			appendStringInfoString(&b, ",\"storageKeys\":[");
			for (k = 0; k < tx->access[i].nkeys; k++)
			{
				if (k)
					appendStringInfoChar(&b, ',');
				AppendHex(&b, tx->access[i].keys[k], 32);
			}
			appendStringInfoString(&b, "]}");
		}
		appendStringInfoChar(&b, ']');
	}
	else
		AppendQuantity(&b, "gasPrice", &tx->gas_price);
	appendStringInfoChar(&b, '}');
	return b.data;
}

/* -------------------------------------------------------------- JSON in */

/* A transaction JSON of the wrong shape (22023), with the hint of what it should be. */
static void
BadShape(const char *fmt, const char *arg)
	pg_attribute_noreturn();

static void
BadShape(const char *fmt, const char *arg)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg_internal(fmt, arg),
			 errhint("A transaction is a JSON object with type (0 or 2), chainId, nonce, gasLimit (or gas), "
					 "to (null to create a contract), gasPrice (type 0) or maxFeePerGas and "
					 "maxPriorityFeePerGas (type 2), and optionally value, data (or input) and accessList.")));
}

/* A JSON value's text for messages (strings as written, others as JSON). */
static char *
ValueText(JsonbValue *v)
{
	if (v->type == jbvString)
		return pnstrdup(v->val.string.val, Min(v->val.string.len, 100));
	if (v->type == jbvNumeric)
		return DatumGetCString(DirectFunctionCall1(numeric_out, NumericGetDatum(v->val.numeric)));
	if (v->type == jbvNull)
		return "null";
	if (v->type == jbvBool)
		return v->val.boolean ? "true" : "false";
	return "(a JSON container)";
}

/* An integer field: a JSON number or a decimal or 0x hex string. */
static void
JsonU256(JsonbValue *v, const char *key, Uint256 *out)
{
	char	   *text;
	Uint256ParseStatus st;

	if (v->type == jbvNumeric)
	{
		text = DatumGetCString(DirectFunctionCall1(numeric_out, NumericGetDatum(v->val.numeric)));
		if (text[0] == '-' && strspn(text + 1, "0123456789") == strlen(text + 1))
			ereport(ERROR,
					(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
					 errmsg("transaction field \"%s\" is out of range: %s", key, text)));
		if (strspn(text, "0123456789") != strlen(text))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("transaction field \"%s\" must be an integer, not %s", key, text)));
	}
	else if (v->type == jbvString)
		text = pnstrdup(v->val.string.val, v->val.string.len);
	else
	{
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("transaction field \"%s\" must be a number or a string, not %s",
						key, ValueText(v))));
	}
	st = Uint256FromText(text, out);
	if (st == UINT256_PARSE_RANGE)
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("transaction field \"%s\" is out of range: \"%.100s\"", key, text)));
	if (st != UINT256_PARSE_OK)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("transaction field \"%s\" is not an integer: \"%.100s\"", key, text),
				 errdetail("Give a JSON number, or a decimal or 0x-prefixed hex string.")));
}

/* An integer field that must fit in 64 bits (22003 otherwise). */
static uint64
JsonU64(JsonbValue *v, const char *key)
{
	Uint256		u;
	uint64		r;

	JsonU256(v, key, &u);
	if (!Uint256ToUint64(&u, &r))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("transaction field \"%s\" is out of range", key),
				 errdetail("It must fit in 64 bits.")));
	return r;
}

/* An address field (EIP-55 checked on mixed case). */
static void
JsonAddress(JsonbValue *v, const char *key, uint8 out[20])
{
	if (v->type != jbvString ||
		AddressParse(v->val.string.val, v->val.string.len, out) != ADDRESS_PARSE_OK)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("transaction field \"%s\" is not a valid address: %s", key, ValueText(v))));
}

/* A 0x hex bytes field, into fresh memory. */
static void
JsonBytes(JsonbValue *v, const char *key, uint8 **out, size_t *len)
{
	if (v->type != jbvString ||
		!CodecHexString(v->val.string.val, v->val.string.len, CodecPgMem(), out, len))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("transaction field \"%s\" is not 0x-prefixed hex bytes: \"%.60s%s\"", key,
						ValueText(v), v->type == jbvString && v->val.string.len > 60 ? "..." : "")));
}

/* The container a JsonbValue of type jbvBinary holds, or NULL. */
static JsonbContainer *
Container(JsonbValue *v, bool array)
{
	if (v->type != jbvBinary)
		return NULL;
	if (array ? !JsonContainerIsArray(v->val.binary.data) : !JsonContainerIsObject(v->val.binary.data))
		return NULL;
	return v->val.binary.data;
}

/* accessList: [{"address": ..., "storageKeys": [...]}, ...] */
static void
JsonAccessList(JsonbValue *v, TxqTx *tx)
{
	JsonbContainer *arr = Container(v, true);
	int			n;
	int			i;

	if (arr == NULL)
		BadShape("transaction field \"%s\" must be an array", "accessList");
	n = JsonContainerSize(arr);
	tx->naccess = n;
	tx->access = n ? palloc0(sizeof(TxqAccess) * n) : NULL;
	for (i = 0; i < n; i++)
	{
		JsonbValue *e = getIthJsonbValueFromContainer(arr, i);
		JsonbContainer *obj = Container(e, false);
		JsonbValue	av;
		JsonbValue	kv;
		JsonbContainer *keys;
		int			k;

		if (obj == NULL || JsonContainerSize(obj) != 2 ||
			getKeyJsonValueFromContainer(obj, "address", 7, &av) == NULL ||
			getKeyJsonValueFromContainer(obj, "storageKeys", 11, &kv) == NULL ||
			(keys = Container(&kv, true)) == NULL)
			BadShape("each entry of \"%s\" must be an object {\"address\": ..., \"storageKeys\": [...]}",
					 "accessList");
		JsonAddress(&av, "accessList.address", tx->access[i].address);
		tx->access[i].nkeys = JsonContainerSize(keys);
		tx->access[i].keys = palloc(32 * (size_t) Max(tx->access[i].nkeys, 1));
		for (k = 0; k < tx->access[i].nkeys; k++)
		{
			JsonbValue *key = getIthJsonbValueFromContainer(keys, k);
			uint8	   *b;
			size_t		blen;

			JsonBytes(key, "accessList.storageKeys", &b, &blen);
			if (blen != 32)
				BadShape("a storage key in \"%s\" must be 32 bytes", "accessList");
			memcpy(tx->access[i].keys[k], b, 32);
		}
	}
}

/* The fields TxqTxFromJsonb knows. */
enum
{
	F_TYPE, F_CHAIN, F_NONCE, F_GAS_LIMIT, F_GAS, F_GAS_PRICE, F_MAX_FEE, F_MAX_PRIO,
	F_TO, F_VALUE, F_DATA, F_INPUT, F_ACCESS, F_FROM, F_COUNT
};
static const char *const field_names[F_COUNT] = {
	"type", "chainId", "nonce", "gasLimit", "gas", "gasPrice", "maxFeePerGas",
	"maxPriorityFeePerGas", "to", "value", "data", "input", "accessList", "from"
};

/*
 * Read a transaction from a jsonb object.  Every field is required except
 * value (0), data or input (empty), accessList (empty), type (inferred from
 * the fee fields) and from (read, and checked, by the caller).  Bad shapes
 * are 22023, integers too large for their field 22003.
 */
void
TxqTxFromJsonb(Jsonb *j, TxqTx *tx)
{
	JsonbValue	val[F_COUNT];
	bool		have[F_COUNT] = {0};
	JsonbIterator *it;
	JsonbValue	v;
	JsonbIteratorToken tok;
	uint8	   *data = NULL;
	size_t		data_len = 0;
	int			i;

	memset(tx, 0, sizeof(*tx));
	if (!JB_ROOT_IS_OBJECT(j))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("a transaction must be a JSON object")));

	it = JsonbIteratorInit(&j->root);
	while ((tok = JsonbIteratorNext(&it, &v, true)) != WJB_DONE)
	{
		char	   *key;

		if (tok != WJB_KEY)
			continue;
		key = pnstrdup(v.val.string.val, v.val.string.len);
		for (i = 0; i < F_COUNT; i++)
			if (strcmp(key, field_names[i]) == 0)
				break;
		if (i == F_COUNT)
			BadShape("unknown transaction field \"%s\"", key);
		tok = JsonbIteratorNext(&it, &val[i], true);
		have[i] = true;
	}

	/* The type, given or inferred from the fee fields. */
	if (have[F_TYPE])
	{
		uint64		t = JsonU64(&val[F_TYPE], "type");

		if (t == 1)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("type 1 (EIP-2930) transactions are not supported"),
					 errhint("Use type 2 (EIP-1559), which also carries an access list.")));
		if (t != TXQ_TYPE_LEGACY && t != TXQ_TYPE_EIP1559)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("unsupported transaction type " UINT64_FORMAT, t),
					 errdetail("Supported types are 0 (legacy, EIP-155) and 2 (EIP-1559).")));
		tx->type = (int) t;
	}
	else if (have[F_MAX_FEE] || have[F_MAX_PRIO])
		tx->type = TXQ_TYPE_EIP1559;
	else if (have[F_GAS_PRICE])
		tx->type = TXQ_TYPE_LEGACY;
	else
		BadShape("a transaction needs \"%s\", or the fee fields of its type", "type");

	if (tx->type == TXQ_TYPE_LEGACY && (have[F_MAX_FEE] || have[F_MAX_PRIO] || have[F_ACCESS]))
		BadShape("a type 0 transaction has no %s",
				 have[F_ACCESS] ? "accessList" : "maxFeePerGas or maxPriorityFeePerGas");
	if (tx->type == TXQ_TYPE_EIP1559 && have[F_GAS_PRICE])
		BadShape("a type 2 transaction has no %s: give maxFeePerGas and maxPriorityFeePerGas", "gasPrice");
	if (have[F_GAS] && have[F_GAS_LIMIT])
		BadShape("give \"gasLimit\" or \"gas\", not both%s", "");

	/* Required fields. */
	{
		int			required[] = {F_CHAIN, F_NONCE, F_TO, F_GAS_PRICE, F_MAX_FEE, F_MAX_PRIO};

		for (i = 0; i < (int) lengthof(required); i++)
		{
			int			f = required[i];

			if (tx->type == TXQ_TYPE_LEGACY && (f == F_MAX_FEE || f == F_MAX_PRIO))
				continue;
			if (tx->type == TXQ_TYPE_EIP1559 && f == F_GAS_PRICE)
				continue;
			if (!have[f])
				BadShape("transaction field \"%s\" is missing", field_names[f]);
		}
		if (!have[F_GAS] && !have[F_GAS_LIMIT])
			BadShape("transaction field \"%s\" is missing", "gasLimit");
	}

	tx->chain_id = JsonU64(&val[F_CHAIN], "chainId");
	if (tx->type == TXQ_TYPE_LEGACY && tx->chain_id == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("a type 0 transaction needs a chain id other than 0"),
				 errdetail("Legacy transactions are signed with EIP-155 replay protection.")));
	tx->nonce = JsonU64(&val[F_NONCE], "nonce");
	if (have[F_GAS_LIMIT])
		tx->gas_limit = JsonU64(&val[F_GAS_LIMIT], "gasLimit");
	else
		tx->gas_limit = JsonU64(&val[F_GAS], "gas");
	if (tx->type == TXQ_TYPE_LEGACY)
		JsonU256(&val[F_GAS_PRICE], "gasPrice", &tx->gas_price);
	else
	{
		JsonU256(&val[F_MAX_FEE], "maxFeePerGas", &tx->max_fee);
		JsonU256(&val[F_MAX_PRIO], "maxPriorityFeePerGas", &tx->max_priority_fee);
	}
	if (val[F_TO].type != jbvNull)
	{
		JsonAddress(&val[F_TO], "to", tx->to);
		tx->has_to = true;
	}
	if (have[F_VALUE])
		JsonU256(&val[F_VALUE], "value", &tx->value);
	if (have[F_DATA])
		JsonBytes(&val[F_DATA], "data", &data, &data_len);
	if (have[F_INPUT])
	{
		uint8	   *in;
		size_t		in_len;

		JsonBytes(&val[F_INPUT], "input", &in, &in_len);
		if (have[F_DATA] && (in_len != data_len || memcmp(in, data, in_len) != 0))
			BadShape("\"data\" and \"input\" differ: give one of them%s", "");
		data = in;
		data_len = in_len;
	}
	tx->data = data;
	tx->data_len = data_len;
	if (have[F_ACCESS])
		JsonAccessList(&val[F_ACCESS], tx);
	if (have[F_FROM])
	{
		uint8		from[20];

		JsonAddress(&val[F_FROM], "from", from);
	}
}
