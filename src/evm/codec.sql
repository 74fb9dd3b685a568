-- src/evm/codec.sql: address and bytes32, keccak-256, the Solidity ABI and RLP
-- (C in address.c, bytes32.c, hashing.c, abi.c, rlp.c).  All of these are
-- pure functions of their arguments, harmless, and executable by PUBLIC.

-- ---- address

CREATE TYPE @extschema@.address;

CREATE FUNCTION @extschema@.address_in(cstring)
RETURNS @extschema@.address
AS 'MODULE_PATHNAME', 'address_in'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION @extschema@.address_out(@extschema@.address)
RETURNS cstring
AS 'MODULE_PATHNAME', 'address_out'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION @extschema@.address_recv(internal)
RETURNS @extschema@.address
AS 'MODULE_PATHNAME', 'address_recv'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION @extschema@.address_send(@extschema@.address)
RETURNS bytea
AS 'MODULE_PATHNAME', 'address_send'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE TYPE @extschema@.address (
	INPUT = @extschema@.address_in,
	OUTPUT = @extschema@.address_out,
	RECEIVE = @extschema@.address_recv,
	SEND = @extschema@.address_send,
	INTERNALLENGTH = 20,
	ALIGNMENT = char,
	STORAGE = plain,
	CATEGORY = 'U'
);
COMMENT ON TYPE @extschema@.address IS 'Ethereum address: 20 bytes, shown EIP-55 checksummed';

CREATE FUNCTION @extschema@.address_eq(@extschema@.address, @extschema@.address)
RETURNS boolean
AS 'MODULE_PATHNAME', 'address_eq'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
COMMENT ON FUNCTION @extschema@.address_eq(@extschema@.address, @extschema@.address) IS 'equal (byte order)';

CREATE OPERATOR @extschema@.= (
	LEFTARG = @extschema@.address, RIGHTARG = @extschema@.address, FUNCTION = @extschema@.address_eq,
	COMMUTATOR = OPERATOR(@extschema@.=), NEGATOR = OPERATOR(@extschema@.<>),
	RESTRICT = eqsel, JOIN = eqjoinsel, HASHES, MERGES
);

CREATE FUNCTION @extschema@.address_ne(@extschema@.address, @extschema@.address)
RETURNS boolean
AS 'MODULE_PATHNAME', 'address_ne'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
COMMENT ON FUNCTION @extschema@.address_ne(@extschema@.address, @extschema@.address) IS 'not equal (byte order)';

CREATE OPERATOR @extschema@.<> (
	LEFTARG = @extschema@.address, RIGHTARG = @extschema@.address, FUNCTION = @extschema@.address_ne,
	COMMUTATOR = OPERATOR(@extschema@.<>), NEGATOR = OPERATOR(@extschema@.=),
	RESTRICT = neqsel, JOIN = neqjoinsel
);

CREATE FUNCTION @extschema@.address_lt(@extschema@.address, @extschema@.address)
RETURNS boolean
AS 'MODULE_PATHNAME', 'address_lt'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
COMMENT ON FUNCTION @extschema@.address_lt(@extschema@.address, @extschema@.address) IS 'less than (byte order)';

CREATE OPERATOR @extschema@.< (
	LEFTARG = @extschema@.address, RIGHTARG = @extschema@.address, FUNCTION = @extschema@.address_lt,
	COMMUTATOR = OPERATOR(@extschema@.>), NEGATOR = OPERATOR(@extschema@.>=),
	RESTRICT = scalarltsel, JOIN = scalarltjoinsel
);

CREATE FUNCTION @extschema@.address_le(@extschema@.address, @extschema@.address)
RETURNS boolean
AS 'MODULE_PATHNAME', 'address_le'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
COMMENT ON FUNCTION @extschema@.address_le(@extschema@.address, @extschema@.address) IS 'less than or equal (byte order)';

CREATE OPERATOR @extschema@.<= (
	LEFTARG = @extschema@.address, RIGHTARG = @extschema@.address, FUNCTION = @extschema@.address_le,
	COMMUTATOR = OPERATOR(@extschema@.>=), NEGATOR = OPERATOR(@extschema@.>),
	RESTRICT = scalarlesel, JOIN = scalarlejoinsel
);

CREATE FUNCTION @extschema@.address_gt(@extschema@.address, @extschema@.address)
RETURNS boolean
AS 'MODULE_PATHNAME', 'address_gt'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
COMMENT ON FUNCTION @extschema@.address_gt(@extschema@.address, @extschema@.address) IS 'greater than (byte order)';

CREATE OPERATOR @extschema@.> (
	LEFTARG = @extschema@.address, RIGHTARG = @extschema@.address, FUNCTION = @extschema@.address_gt,
	COMMUTATOR = OPERATOR(@extschema@.<), NEGATOR = OPERATOR(@extschema@.<=),
	RESTRICT = scalargtsel, JOIN = scalargtjoinsel
);

CREATE FUNCTION @extschema@.address_ge(@extschema@.address, @extschema@.address)
RETURNS boolean
AS 'MODULE_PATHNAME', 'address_ge'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
COMMENT ON FUNCTION @extschema@.address_ge(@extschema@.address, @extschema@.address) IS 'greater than or equal (byte order)';

CREATE OPERATOR @extschema@.>= (
	LEFTARG = @extschema@.address, RIGHTARG = @extschema@.address, FUNCTION = @extschema@.address_ge,
	COMMUTATOR = OPERATOR(@extschema@.<=), NEGATOR = OPERATOR(@extschema@.<),
	RESTRICT = scalargesel, JOIN = scalargejoinsel
);

CREATE FUNCTION @extschema@.address_cmp(@extschema@.address, @extschema@.address)
RETURNS integer
AS 'MODULE_PATHNAME', 'address_cmp'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
COMMENT ON FUNCTION @extschema@.address_cmp(@extschema@.address, @extschema@.address) IS 'address btree comparison: -1, 0 or 1';

CREATE FUNCTION @extschema@.address_sortsupport(internal)
RETURNS void
AS 'MODULE_PATHNAME', 'address_sortsupport'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION @extschema@.address_hash(@extschema@.address)
RETURNS integer
AS 'MODULE_PATHNAME', 'address_hash'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
COMMENT ON FUNCTION @extschema@.address_hash(@extschema@.address) IS 'address hash for hash indexes and joins';

CREATE FUNCTION @extschema@.address_hash_extended(@extschema@.address, bigint)
RETURNS bigint
AS 'MODULE_PATHNAME', 'address_hash_extended'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
COMMENT ON FUNCTION @extschema@.address_hash_extended(@extschema@.address, bigint) IS 'address seeded 64-bit hash';

CREATE OPERATOR CLASS @extschema@.address_ops
	DEFAULT FOR TYPE @extschema@.address USING btree AS
		OPERATOR 1 @extschema@.< ,
		OPERATOR 2 @extschema@.<= ,
		OPERATOR 3 @extschema@.= ,
		OPERATOR 4 @extschema@.>= ,
		OPERATOR 5 @extschema@.> ,
		FUNCTION 1 @extschema@.address_cmp(@extschema@.address, @extschema@.address),
		FUNCTION 2 @extschema@.address_sortsupport(internal);

CREATE OPERATOR CLASS @extschema@.address_hash_ops
	DEFAULT FOR TYPE @extschema@.address USING hash AS
		OPERATOR 1 @extschema@.= ,
		FUNCTION 1 @extschema@.address_hash(@extschema@.address),
		FUNCTION 2 @extschema@.address_hash_extended(@extschema@.address, bigint);

CREATE FUNCTION @extschema@.to_bytea(@extschema@.address)
RETURNS bytea
AS 'MODULE_PATHNAME', 'address_to_bytea'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.to_bytea(@extschema@.address) IS 'the 20 bytes of a address';

CREATE FUNCTION @extschema@.address_from_bytea(bytea)
RETURNS @extschema@.address
AS 'MODULE_PATHNAME', 'address_from_bytea'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.address_from_bytea(bytea) IS 'a address from exactly 20 bytes';

CREATE CAST (@extschema@.address AS bytea) WITH FUNCTION @extschema@.to_bytea(@extschema@.address);
CREATE CAST (bytea AS @extschema@.address) WITH FUNCTION @extschema@.address_from_bytea(bytea);

-- ---- bytes32

CREATE TYPE @extschema@.bytes32;

CREATE FUNCTION @extschema@.bytes32_in(cstring)
RETURNS @extschema@.bytes32
AS 'MODULE_PATHNAME', 'bytes32_in'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION @extschema@.bytes32_out(@extschema@.bytes32)
RETURNS cstring
AS 'MODULE_PATHNAME', 'bytes32_out'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION @extschema@.bytes32_recv(internal)
RETURNS @extschema@.bytes32
AS 'MODULE_PATHNAME', 'bytes32_recv'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION @extschema@.bytes32_send(@extschema@.bytes32)
RETURNS bytea
AS 'MODULE_PATHNAME', 'bytes32_send'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE TYPE @extschema@.bytes32 (
	INPUT = @extschema@.bytes32_in,
	OUTPUT = @extschema@.bytes32_out,
	RECEIVE = @extschema@.bytes32_recv,
	SEND = @extschema@.bytes32_send,
	INTERNALLENGTH = 32,
	ALIGNMENT = char,
	STORAGE = plain,
	CATEGORY = 'U'
);
COMMENT ON TYPE @extschema@.bytes32 IS '32 bytes (a hash, a storage word, an event topic), shown as 0x and 64 hex digits';

CREATE FUNCTION @extschema@.bytes32_eq(@extschema@.bytes32, @extschema@.bytes32)
RETURNS boolean
AS 'MODULE_PATHNAME', 'bytes32_eq'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
COMMENT ON FUNCTION @extschema@.bytes32_eq(@extschema@.bytes32, @extschema@.bytes32) IS 'equal (byte order)';

CREATE OPERATOR @extschema@.= (
	LEFTARG = @extschema@.bytes32, RIGHTARG = @extschema@.bytes32, FUNCTION = @extschema@.bytes32_eq,
	COMMUTATOR = OPERATOR(@extschema@.=), NEGATOR = OPERATOR(@extschema@.<>),
	RESTRICT = eqsel, JOIN = eqjoinsel, HASHES, MERGES
);

CREATE FUNCTION @extschema@.bytes32_ne(@extschema@.bytes32, @extschema@.bytes32)
RETURNS boolean
AS 'MODULE_PATHNAME', 'bytes32_ne'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
COMMENT ON FUNCTION @extschema@.bytes32_ne(@extschema@.bytes32, @extschema@.bytes32) IS 'not equal (byte order)';

CREATE OPERATOR @extschema@.<> (
	LEFTARG = @extschema@.bytes32, RIGHTARG = @extschema@.bytes32, FUNCTION = @extschema@.bytes32_ne,
	COMMUTATOR = OPERATOR(@extschema@.<>), NEGATOR = OPERATOR(@extschema@.=),
	RESTRICT = neqsel, JOIN = neqjoinsel
);

CREATE FUNCTION @extschema@.bytes32_lt(@extschema@.bytes32, @extschema@.bytes32)
RETURNS boolean
AS 'MODULE_PATHNAME', 'bytes32_lt'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
COMMENT ON FUNCTION @extschema@.bytes32_lt(@extschema@.bytes32, @extschema@.bytes32) IS 'less than (byte order)';

CREATE OPERATOR @extschema@.< (
	LEFTARG = @extschema@.bytes32, RIGHTARG = @extschema@.bytes32, FUNCTION = @extschema@.bytes32_lt,
	COMMUTATOR = OPERATOR(@extschema@.>), NEGATOR = OPERATOR(@extschema@.>=),
	RESTRICT = scalarltsel, JOIN = scalarltjoinsel
);

CREATE FUNCTION @extschema@.bytes32_le(@extschema@.bytes32, @extschema@.bytes32)
RETURNS boolean
AS 'MODULE_PATHNAME', 'bytes32_le'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
COMMENT ON FUNCTION @extschema@.bytes32_le(@extschema@.bytes32, @extschema@.bytes32) IS 'less than or equal (byte order)';

CREATE OPERATOR @extschema@.<= (
	LEFTARG = @extschema@.bytes32, RIGHTARG = @extschema@.bytes32, FUNCTION = @extschema@.bytes32_le,
	COMMUTATOR = OPERATOR(@extschema@.>=), NEGATOR = OPERATOR(@extschema@.>),
	RESTRICT = scalarlesel, JOIN = scalarlejoinsel
);

CREATE FUNCTION @extschema@.bytes32_gt(@extschema@.bytes32, @extschema@.bytes32)
RETURNS boolean
AS 'MODULE_PATHNAME', 'bytes32_gt'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
COMMENT ON FUNCTION @extschema@.bytes32_gt(@extschema@.bytes32, @extschema@.bytes32) IS 'greater than (byte order)';

CREATE OPERATOR @extschema@.> (
	LEFTARG = @extschema@.bytes32, RIGHTARG = @extschema@.bytes32, FUNCTION = @extschema@.bytes32_gt,
	COMMUTATOR = OPERATOR(@extschema@.<), NEGATOR = OPERATOR(@extschema@.<=),
	RESTRICT = scalargtsel, JOIN = scalargtjoinsel
);

CREATE FUNCTION @extschema@.bytes32_ge(@extschema@.bytes32, @extschema@.bytes32)
RETURNS boolean
AS 'MODULE_PATHNAME', 'bytes32_ge'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
COMMENT ON FUNCTION @extschema@.bytes32_ge(@extschema@.bytes32, @extschema@.bytes32) IS 'greater than or equal (byte order)';

CREATE OPERATOR @extschema@.>= (
	LEFTARG = @extschema@.bytes32, RIGHTARG = @extschema@.bytes32, FUNCTION = @extschema@.bytes32_ge,
	COMMUTATOR = OPERATOR(@extschema@.<=), NEGATOR = OPERATOR(@extschema@.<),
	RESTRICT = scalargesel, JOIN = scalargejoinsel
);

CREATE FUNCTION @extschema@.bytes32_cmp(@extschema@.bytes32, @extschema@.bytes32)
RETURNS integer
AS 'MODULE_PATHNAME', 'bytes32_cmp'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
COMMENT ON FUNCTION @extschema@.bytes32_cmp(@extschema@.bytes32, @extschema@.bytes32) IS 'bytes32 btree comparison: -1, 0 or 1';

CREATE FUNCTION @extschema@.bytes32_sortsupport(internal)
RETURNS void
AS 'MODULE_PATHNAME', 'bytes32_sortsupport'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION @extschema@.bytes32_hash(@extschema@.bytes32)
RETURNS integer
AS 'MODULE_PATHNAME', 'bytes32_hash'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
COMMENT ON FUNCTION @extschema@.bytes32_hash(@extschema@.bytes32) IS 'bytes32 hash for hash indexes and joins';

CREATE FUNCTION @extschema@.bytes32_hash_extended(@extschema@.bytes32, bigint)
RETURNS bigint
AS 'MODULE_PATHNAME', 'bytes32_hash_extended'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
COMMENT ON FUNCTION @extschema@.bytes32_hash_extended(@extschema@.bytes32, bigint) IS 'bytes32 seeded 64-bit hash';

CREATE OPERATOR CLASS @extschema@.bytes32_ops
	DEFAULT FOR TYPE @extschema@.bytes32 USING btree AS
		OPERATOR 1 @extschema@.< ,
		OPERATOR 2 @extschema@.<= ,
		OPERATOR 3 @extschema@.= ,
		OPERATOR 4 @extschema@.>= ,
		OPERATOR 5 @extschema@.> ,
		FUNCTION 1 @extschema@.bytes32_cmp(@extschema@.bytes32, @extschema@.bytes32),
		FUNCTION 2 @extschema@.bytes32_sortsupport(internal);

CREATE OPERATOR CLASS @extschema@.bytes32_hash_ops
	DEFAULT FOR TYPE @extschema@.bytes32 USING hash AS
		OPERATOR 1 @extschema@.= ,
		FUNCTION 1 @extschema@.bytes32_hash(@extschema@.bytes32),
		FUNCTION 2 @extschema@.bytes32_hash_extended(@extschema@.bytes32, bigint);

CREATE FUNCTION @extschema@.to_bytea(@extschema@.bytes32)
RETURNS bytea
AS 'MODULE_PATHNAME', 'bytes32_to_bytea'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.to_bytea(@extschema@.bytes32) IS 'the 32 bytes of a bytes32';

CREATE FUNCTION @extschema@.bytes32_from_bytea(bytea)
RETURNS @extschema@.bytes32
AS 'MODULE_PATHNAME', 'bytes32_from_bytea'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.bytes32_from_bytea(bytea) IS 'a bytes32 from exactly 32 bytes';

CREATE CAST (@extschema@.bytes32 AS bytea) WITH FUNCTION @extschema@.to_bytea(@extschema@.bytes32);
CREATE CAST (bytea AS @extschema@.bytes32) WITH FUNCTION @extschema@.bytes32_from_bytea(bytea);

-- ---- conversions between address, bytes32 and uint256

CREATE FUNCTION @extschema@.to_bytes32(@extschema@.address)
RETURNS @extschema@.bytes32
AS 'MODULE_PATHNAME', 'address_to_bytes32'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.to_bytes32(@extschema@.address) IS
	'the address left-padded with 12 zero bytes, as in an event topic';

CREATE FUNCTION @extschema@.address_from_bytes32(@extschema@.bytes32)
RETURNS @extschema@.address
AS 'MODULE_PATHNAME', 'address_from_bytes32'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.address_from_bytes32(@extschema@.bytes32) IS
	'the address in the last 20 bytes of a word whose first 12 bytes are zero';

CREATE CAST (@extschema@.address AS @extschema@.bytes32)
	WITH FUNCTION @extschema@.to_bytes32(@extschema@.address);
CREATE CAST (@extschema@.bytes32 AS @extschema@.address)
	WITH FUNCTION @extschema@.address_from_bytes32(@extschema@.bytes32);

CREATE FUNCTION @extschema@.to_bytes32(@extschema@.uint256)
RETURNS @extschema@.bytes32
AS 'MODULE_PATHNAME', 'bytes32_from_uint256'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.to_bytes32(@extschema@.uint256) IS
	'the integer as a 32-byte big-endian word';

CREATE FUNCTION @extschema@.uint256_from_bytes32(@extschema@.bytes32)
RETURNS @extschema@.uint256
AS 'MODULE_PATHNAME', 'bytes32_to_uint256'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.uint256_from_bytes32(@extschema@.bytes32) IS
	'the word read as a big-endian unsigned integer';

CREATE CAST (@extschema@.uint256 AS @extschema@.bytes32)
	WITH FUNCTION @extschema@.to_bytes32(@extschema@.uint256);
CREATE CAST (@extschema@.bytes32 AS @extschema@.uint256)
	WITH FUNCTION @extschema@.uint256_from_bytes32(@extschema@.bytes32);

-- ---- hashing

CREATE FUNCTION @extschema@.keccak256(bytea)
RETURNS @extschema@.bytes32
AS 'MODULE_PATHNAME', 'keccak256_bytea'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.keccak256(bytea) IS 'keccak-256 (Ethereum''s, not SHA3-256) of the bytes';

CREATE FUNCTION @extschema@.keccak256(text)
RETURNS @extschema@.bytes32
AS 'MODULE_PATHNAME', 'keccak256_text'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.keccak256(text) IS 'keccak-256 of the text''s UTF-8 bytes';

CREATE FUNCTION @extschema@.selector(signature text)
RETURNS bytea
AS 'MODULE_PATHNAME', 'abi_selector'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.selector(text) IS
	'4-byte function selector of a signature such as ''transfer(address,uint256)''';

CREATE FUNCTION @extschema@.event_topic(signature text)
RETURNS @extschema@.bytes32
AS 'MODULE_PATHNAME', 'abi_event_topic'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.event_topic(text) IS
	'topic 0 of an event such as ''Transfer(address indexed,address indexed,uint256)''';

CREATE FUNCTION @extschema@.abi_signature(signature text)
RETURNS text
AS 'MODULE_PATHNAME', 'abi_signature'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.abi_signature(text) IS
	'the canonical form of a function signature, as selector() hashes it';

CREATE FUNCTION @extschema@.abi_event_signature(signature text)
RETURNS text
AS 'MODULE_PATHNAME', 'abi_event_signature'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.abi_event_signature(text) IS
	'the canonical form of an event signature, as event_topic() hashes it';

-- ---- ABI

CREATE FUNCTION @extschema@.abi_encode(types text, args jsonb)
RETURNS bytea
AS 'MODULE_PATHNAME', 'abi_encode'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.abi_encode(text, jsonb) IS
	'Solidity ABI encoding of a JSON array of values for a type list such as ''(address,uint256[])''';

CREATE FUNCTION @extschema@.abi_decode(types text, data bytea)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'abi_decode'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.abi_decode(text, bytea) IS
	'the JSON array of values ABI-encoded in data for a type list';

CREATE FUNCTION @extschema@.abi_encode_call(signature text, args jsonb)
RETURNS bytea
AS 'MODULE_PATHNAME', 'abi_encode_call'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.abi_encode_call(text, jsonb) IS
	'calldata: the function''s selector, then its ABI-encoded arguments';

CREATE FUNCTION @extschema@.abi_decode_log(event_signature text, topics @extschema@.bytes32[], data bytea)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'abi_decode_log'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.abi_decode_log(text, @extschema@.bytes32[], bytea) IS
	'the parameters of an event log, in declaration order, from its topics and data';

-- ---- RLP

CREATE FUNCTION @extschema@.rlp_encode(value jsonb)
RETURNS bytea
AS 'MODULE_PATHNAME', 'rlp_encode'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.rlp_encode(jsonb) IS
	'RLP encoding of a JSON tree: 0x hex strings are byte strings, arrays are lists';

CREATE FUNCTION @extschema@.rlp_decode(data bytea)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'rlp_decode'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.rlp_decode(bytea) IS
	'the JSON tree of one canonical RLP item';
