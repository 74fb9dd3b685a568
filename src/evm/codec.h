/*
 * src/evm/codec.h
 *
 * The pure C side of the EVM byte codecs: hex, keccak-256, EIP-55 addresses,
 * the Solidity ABI and RLP.  Nothing declared here allocates with palloc or
 * raises a PostgreSQL error: memory comes from a caller-supplied CodecMem,
 * errors come back in a CodecError, so the same code runs inside the server
 * (src/evm/codec_pg.c supplies palloc and ereport) and in the libFuzzer
 * harnesses under test/fuzz/.  This header needs only the C standard headers.
 */
#ifndef AMPLIFIED_EVM_CODEC_H
#define AMPLIFIED_EVM_CODEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ADDRESS_BYTES		20
#define BYTES32_BYTES		32
#define ADDRESS_TEXT_LEN	42	/* "0x" + 40 hex digits */
#define BYTES32_TEXT_LEN	66	/* "0x" + 64 hex digits */

/*
 * The largest single buffer or item count a codec will ask for: the same
 * limit as PostgreSQL's palloc (1 GB - 1), so a hostile length in the input
 * becomes a clear error before any allocation is attempted.
 */
#define CODEC_MAX_ALLOC		((size_t) 0x3fffffff)

/* Deepest nesting of types or values any codec accepts. */
#define CODEC_MAX_DEPTH		64
#define RLP_MAX_DEPTH		1024

/* ---- errors ---- */

/* What went wrong; codec_pg.c maps each to a SQLSTATE. */
typedef enum CodecErrorKind
{
	CODEC_OK = 0,
	CODEC_ERR_SYNTAX,			/* bad text: type string, hex, integer (22P02) */
	CODEC_ERR_RANGE,			/* a value out of range for its type (22003) */
	CODEC_ERR_VALUE,			/* wrong JSON shape or count (22023) */
	CODEC_ERR_DATA,				/* malformed or truncated binary input (22P03) */
	CODEC_ERR_UTF8,				/* a string that jsonb cannot hold (22021) */
	CODEC_ERR_LIMIT				/* a size or depth limit was exceeded (54000) */
} CodecErrorKind;

typedef struct CodecError
{
	CodecErrorKind kind;
	char		msg[400];
} CodecError;

/* Record an error (printf-style); returns false so callers can "return CodecFail(...)". */
extern bool CodecFail(CodecError *err, CodecErrorKind kind, const char *fmt,...)
			__attribute__((format(printf, 3, 4)));

/* ---- memory ---- */

/*
 * An allocator: alloc returns zeroed memory or does not return (the server
 * version raises an error; the fuzz version aborts).  Memory is released in
 * bulk by the owner (a memory context, an arena), never by the codecs.
 */
typedef struct CodecMem
{
	void	   *(*alloc) (void *arg, size_t size);
	void	   *arg;
} CodecMem;

/* A growable byte buffer allocated from a CodecMem. */
typedef struct CodecBuf
{
	CodecMem   *mem;
	uint8_t    *data;
	size_t		len;
	size_t		cap;
} CodecBuf;

extern void CodecBufInit(CodecBuf *buf, CodecMem *mem);
extern bool CodecBufReserve(CodecBuf *buf, size_t more, CodecError *err);
extern bool CodecBufAppend(CodecBuf *buf, const void *p, size_t n, CodecError *err);
extern bool CodecBufAppendStr(CodecBuf *buf, const char *s, CodecError *err);

/* ---- JSON values ---- */

/*
 * A JSON value as the codecs see it.  Strings are bytes (UTF-8 for text);
 * numbers keep their text as written; arrays hold n items in place.  Objects
 * are carried only so that an encoder can name them in its error message.
 */
typedef enum CodecJsonKind
{
	CJ_NULL,
	CJ_BOOL,
	CJ_NUMBER,
	CJ_STRING,
	CJ_ARRAY,
	CJ_OBJECT
} CodecJsonKind;

typedef struct CodecJson
{
	CodecJsonKind kind;
	bool		boolean;
	const char *str;			/* CJ_NUMBER, CJ_STRING: not NUL-terminated */
	size_t		len;
	struct CodecJson *items;	/* CJ_ARRAY */
	size_t		n;
} CodecJson;

extern const char *CodecJsonKindName(CodecJsonKind kind);
extern bool CodecJsonToText(const CodecJson *v, CodecBuf *out, CodecError *err);

/* ---- hex (hex.c) ---- */

extern int	CodecHexDigit(char c);	/* 0..15, or -1 */
extern bool CodecHexDecode(const char *s, size_t len, uint8_t *out);	/* len even */
extern void CodecHexEncode(const uint8_t *p, size_t n, char *out);	/* lowercase, no NUL */
extern bool CodecHexString(const char *s, size_t len, CodecMem *mem,
						   uint8_t **out, size_t *outlen);
extern char *CodecHexText(CodecMem *mem, const uint8_t *p, size_t n, size_t *textlen);

/* ---- keccak-256 (keccak.c) ---- */

extern void Keccak256(const uint8_t *data, size_t len, uint8_t out[32]);

/* ---- addresses (eip55.c) ---- */

typedef enum AddressParseStatus
{
	ADDRESS_PARSE_OK,
	ADDRESS_PARSE_SYNTAX,		/* not 40 hex digits with an optional 0x */
	ADDRESS_PARSE_CHECKSUM		/* mixed case that fails EIP-55 */
} AddressParseStatus;

extern AddressParseStatus AddressParse(const char *s, size_t len, uint8_t out[ADDRESS_BYTES]);
extern void AddressToChecksumText(const uint8_t addr[ADDRESS_BYTES], char out[ADDRESS_TEXT_LEN]);

/* ---- the Solidity ABI (abi_codec.c) ---- */

typedef enum AbiKind
{
	ABI_UINT,
	ABI_INT,
	ABI_ADDRESS,
	ABI_BOOL,
	ABI_FIXED_BYTES,			/* bytes1 .. bytes32 */
	ABI_BYTES,
	ABI_STRING,
	ABI_ARRAY,					/* T[] */
	ABI_FIXED_ARRAY,			/* T[k] */
	ABI_TUPLE
} AbiKind;

typedef struct AbiType
{
	AbiKind		kind;
	int			size;			/* bits of uintN/intN, bytes of bytesN */
	size_t		length;			/* k of T[k] */
	struct AbiType *elem;		/* element of T[] and T[k] */
	struct AbiType **comps;		/* components of a tuple */
	int			ncomps;
	bool		indexed;		/* an event parameter marked indexed */
	bool		dynamic;		/* encoded in the tail */
	size_t		head;			/* bytes in the head: 32 when dynamic */
} AbiType;

/* What a parameter list may contain. */
typedef enum AbiParseMode
{
	ABI_MODE_TYPES,				/* abi_encode/abi_decode: a type list */
	ABI_MODE_FUNCTION,			/* selector, abi_encode_call */
	ABI_MODE_EVENT				/* event_topic, abi_decode_log: indexed allowed */
} AbiParseMode;

/* A parsed function or event signature. */
typedef struct AbiSignature
{
	char	   *canonical;		/* "name(type,...)" as hashed, NUL-terminated */
	AbiType    *params;			/* a tuple */
	bool		anonymous;		/* event declared "anonymous" */
} AbiSignature;

extern bool AbiParseTypes(const char *s, size_t len, CodecMem *mem,
						  AbiType **out, CodecError *err);
extern bool AbiParseSignature(const char *s, size_t len, AbiParseMode mode,
							  CodecMem *mem, AbiSignature *out, CodecError *err);
extern bool AbiTypeToText(const AbiType *t, CodecBuf *out, CodecError *err);
extern bool AbiEncode(const AbiType *tuple, const CodecJson *values,
					  CodecBuf *out, CodecError *err);
extern bool AbiDecode(const AbiType *tuple, const uint8_t *data, size_t len,
					  CodecMem *mem, CodecJson *out, CodecError *err);
extern bool AbiDecodeTopic(const AbiType *t, const uint8_t word[32],
						   CodecMem *mem, CodecJson *out, CodecError *err);
extern bool AbiTypeIsValueType(const AbiType *t);

/* ---- RLP (rlp_codec.c) ---- */

extern bool RlpEncode(const CodecJson *v, CodecBuf *out, CodecError *err);
extern bool RlpDecode(const uint8_t *data, size_t len, CodecMem *mem,
					  CodecJson *out, CodecError *err);

#endif							/* AMPLIFIED_EVM_CODEC_H */
