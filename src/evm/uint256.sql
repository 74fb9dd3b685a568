-- src/evm/uint256.sql: the 256-bit integer types uint256 and int256.
--
-- uint256: 0 .. 2^256-1; int256: -2^255 .. 2^255-1 (two's complement).  Both
-- are 32 bytes, passed by reference, text in decimal or 0x hex, text out in
-- decimal, binary send/receive 32 bytes big-endian.  Arithmetic never wraps:
-- overflow raises "uint256 out of range" / "int256 out of range" (22003),
-- division by zero raises "division by zero" (22012).  Pure math: EXECUTE
-- stays granted to PUBLIC (schema USAGE is what gates access).

CREATE TYPE @extschema@.uint256;

CREATE FUNCTION @extschema@.uint256_in(cstring)
RETURNS @extschema@.uint256
AS 'MODULE_PATHNAME', 'uint256_in'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION @extschema@.uint256_out(@extschema@.uint256)
RETURNS cstring
AS 'MODULE_PATHNAME', 'uint256_out'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION @extschema@.uint256_recv(internal)
RETURNS @extschema@.uint256
AS 'MODULE_PATHNAME', 'uint256_recv'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION @extschema@.uint256_send(@extschema@.uint256)
RETURNS bytea
AS 'MODULE_PATHNAME', 'uint256_send'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE TYPE @extschema@.uint256 (
	INPUT = @extschema@.uint256_in,
	OUTPUT = @extschema@.uint256_out,
	RECEIVE = @extschema@.uint256_recv,
	SEND = @extschema@.uint256_send,
	INTERNALLENGTH = 32,
	ALIGNMENT = double,
	STORAGE = plain,
	CATEGORY = 'N'
);
COMMENT ON TYPE @extschema@.uint256 IS 'unsigned 256-bit integer, 0 .. 2^256-1';

CREATE TYPE @extschema@.int256;

CREATE FUNCTION @extschema@.int256_in(cstring)
RETURNS @extschema@.int256
AS 'MODULE_PATHNAME', 'int256_in'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION @extschema@.int256_out(@extschema@.int256)
RETURNS cstring
AS 'MODULE_PATHNAME', 'int256_out'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION @extschema@.int256_recv(internal)
RETURNS @extschema@.int256
AS 'MODULE_PATHNAME', 'uint256_recv'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION @extschema@.int256_send(@extschema@.int256)
RETURNS bytea
AS 'MODULE_PATHNAME', 'uint256_send'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE TYPE @extschema@.int256 (
	INPUT = @extschema@.int256_in,
	OUTPUT = @extschema@.int256_out,
	RECEIVE = @extschema@.int256_recv,
	SEND = @extschema@.int256_send,
	INTERNALLENGTH = 32,
	ALIGNMENT = double,
	STORAGE = plain,
	CATEGORY = 'N'
);
COMMENT ON TYPE @extschema@.int256 IS 'signed 256-bit integer, -2^255 .. 2^255-1';

-- ---- uint256: arithmetic and bit operators

CREATE FUNCTION @extschema@.uint256_pl(@extschema@.uint256, @extschema@.uint256)
RETURNS @extschema@.uint256
AS 'MODULE_PATHNAME', 'uint256_pl'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.uint256_pl(@extschema@.uint256, @extschema@.uint256) IS
	'uint256 add; errors instead of wrapping';

CREATE FUNCTION @extschema@.uint256_mi(@extschema@.uint256, @extschema@.uint256)
RETURNS @extschema@.uint256
AS 'MODULE_PATHNAME', 'uint256_mi'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.uint256_mi(@extschema@.uint256, @extschema@.uint256) IS
	'uint256 subtract; errors instead of wrapping';

CREATE FUNCTION @extschema@.uint256_mul(@extschema@.uint256, @extschema@.uint256)
RETURNS @extschema@.uint256
AS 'MODULE_PATHNAME', 'uint256_mul'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.uint256_mul(@extschema@.uint256, @extschema@.uint256) IS
	'uint256 multiply; errors instead of wrapping';

CREATE FUNCTION @extschema@.uint256_div(@extschema@.uint256, @extschema@.uint256)
RETURNS @extschema@.uint256
AS 'MODULE_PATHNAME', 'uint256_div'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.uint256_div(@extschema@.uint256, @extschema@.uint256) IS
	'uint256 divide, truncating toward zero; errors instead of wrapping';

CREATE FUNCTION @extschema@.uint256_mod(@extschema@.uint256, @extschema@.uint256)
RETURNS @extschema@.uint256
AS 'MODULE_PATHNAME', 'uint256_mod'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.uint256_mod(@extschema@.uint256, @extschema@.uint256) IS
	'uint256 remainder; errors instead of wrapping';

CREATE FUNCTION @extschema@.uint256_and(@extschema@.uint256, @extschema@.uint256)
RETURNS @extschema@.uint256
AS 'MODULE_PATHNAME', 'uint256_and'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.uint256_and(@extschema@.uint256, @extschema@.uint256) IS
	'uint256 bitwise and';

CREATE FUNCTION @extschema@.uint256_or(@extschema@.uint256, @extschema@.uint256)
RETURNS @extschema@.uint256
AS 'MODULE_PATHNAME', 'uint256_or'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.uint256_or(@extschema@.uint256, @extschema@.uint256) IS
	'uint256 bitwise or';

CREATE FUNCTION @extschema@.uint256_xor(@extschema@.uint256, @extschema@.uint256)
RETURNS @extschema@.uint256
AS 'MODULE_PATHNAME', 'uint256_xor'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.uint256_xor(@extschema@.uint256, @extschema@.uint256) IS
	'uint256 bitwise exclusive or';

CREATE FUNCTION @extschema@.uint256_not(@extschema@.uint256)
RETURNS @extschema@.uint256
AS 'MODULE_PATHNAME', 'uint256_not'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.uint256_not(@extschema@.uint256) IS
	'uint256 bitwise not';

CREATE FUNCTION @extschema@.uint256_shl(@extschema@.uint256, integer)
RETURNS @extschema@.uint256
AS 'MODULE_PATHNAME', 'uint256_shl'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.uint256_shl(@extschema@.uint256, integer) IS
	'uint256 shift left; bits shifted out are dropped, 256 or more gives 0, negative is an error';

CREATE FUNCTION @extschema@.uint256_shr(@extschema@.uint256, integer)
RETURNS @extschema@.uint256
AS 'MODULE_PATHNAME', 'uint256_shr'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.uint256_shr(@extschema@.uint256, integer) IS
	'uint256 logical shift right; 256 or more gives 0, negative is an error';

CREATE OPERATOR @extschema@.+ (
	LEFTARG = @extschema@.uint256,
	RIGHTARG = @extschema@.uint256,
	FUNCTION = @extschema@.uint256_pl,
	COMMUTATOR = OPERATOR(@extschema@.+)
);
CREATE OPERATOR @extschema@.- (
	LEFTARG = @extschema@.uint256,
	RIGHTARG = @extschema@.uint256,
	FUNCTION = @extschema@.uint256_mi
);
CREATE OPERATOR @extschema@.* (
	LEFTARG = @extschema@.uint256,
	RIGHTARG = @extschema@.uint256,
	FUNCTION = @extschema@.uint256_mul,
	COMMUTATOR = OPERATOR(@extschema@.*)
);
CREATE OPERATOR @extschema@./ (
	LEFTARG = @extschema@.uint256,
	RIGHTARG = @extschema@.uint256,
	FUNCTION = @extschema@.uint256_div
);
CREATE OPERATOR @extschema@.% (
	LEFTARG = @extschema@.uint256,
	RIGHTARG = @extschema@.uint256,
	FUNCTION = @extschema@.uint256_mod
);
CREATE OPERATOR @extschema@.& (
	LEFTARG = @extschema@.uint256,
	RIGHTARG = @extschema@.uint256,
	FUNCTION = @extschema@.uint256_and,
	COMMUTATOR = OPERATOR(@extschema@.&)
);
CREATE OPERATOR @extschema@.| (
	LEFTARG = @extschema@.uint256,
	RIGHTARG = @extschema@.uint256,
	FUNCTION = @extschema@.uint256_or,
	COMMUTATOR = OPERATOR(@extschema@.|)
);
CREATE OPERATOR @extschema@.# (
	LEFTARG = @extschema@.uint256,
	RIGHTARG = @extschema@.uint256,
	FUNCTION = @extschema@.uint256_xor,
	COMMUTATOR = OPERATOR(@extschema@.#)
);
CREATE OPERATOR @extschema@.~ (
	RIGHTARG = @extschema@.uint256,
	FUNCTION = @extschema@.uint256_not
);
CREATE OPERATOR @extschema@.<< (
	LEFTARG = @extschema@.uint256,
	RIGHTARG = integer,
	FUNCTION = @extschema@.uint256_shl
);
CREATE OPERATOR @extschema@.>> (
	LEFTARG = @extschema@.uint256,
	RIGHTARG = integer,
	FUNCTION = @extschema@.uint256_shr
);

-- ---- int256: arithmetic and bit operators

CREATE FUNCTION @extschema@.int256_pl(@extschema@.int256, @extschema@.int256)
RETURNS @extschema@.int256
AS 'MODULE_PATHNAME', 'int256_pl'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.int256_pl(@extschema@.int256, @extschema@.int256) IS
	'int256 add; errors instead of wrapping';

CREATE FUNCTION @extschema@.int256_mi(@extschema@.int256, @extschema@.int256)
RETURNS @extschema@.int256
AS 'MODULE_PATHNAME', 'int256_mi'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.int256_mi(@extschema@.int256, @extschema@.int256) IS
	'int256 subtract; errors instead of wrapping';

CREATE FUNCTION @extschema@.int256_mul(@extschema@.int256, @extschema@.int256)
RETURNS @extschema@.int256
AS 'MODULE_PATHNAME', 'int256_mul'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.int256_mul(@extschema@.int256, @extschema@.int256) IS
	'int256 multiply; errors instead of wrapping';

CREATE FUNCTION @extschema@.int256_div(@extschema@.int256, @extschema@.int256)
RETURNS @extschema@.int256
AS 'MODULE_PATHNAME', 'int256_div'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.int256_div(@extschema@.int256, @extschema@.int256) IS
	'int256 divide, truncating toward zero; errors instead of wrapping';

CREATE FUNCTION @extschema@.int256_mod(@extschema@.int256, @extschema@.int256)
RETURNS @extschema@.int256
AS 'MODULE_PATHNAME', 'int256_mod'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.int256_mod(@extschema@.int256, @extschema@.int256) IS
	'int256 remainder (sign of the dividend); errors instead of wrapping';

CREATE FUNCTION @extschema@.int256_and(@extschema@.int256, @extschema@.int256)
RETURNS @extschema@.int256
AS 'MODULE_PATHNAME', 'uint256_and'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.int256_and(@extschema@.int256, @extschema@.int256) IS
	'int256 bitwise and';

CREATE FUNCTION @extschema@.int256_or(@extschema@.int256, @extschema@.int256)
RETURNS @extschema@.int256
AS 'MODULE_PATHNAME', 'uint256_or'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.int256_or(@extschema@.int256, @extschema@.int256) IS
	'int256 bitwise or';

CREATE FUNCTION @extschema@.int256_xor(@extschema@.int256, @extschema@.int256)
RETURNS @extschema@.int256
AS 'MODULE_PATHNAME', 'uint256_xor'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.int256_xor(@extschema@.int256, @extschema@.int256) IS
	'int256 bitwise exclusive or';

CREATE FUNCTION @extschema@.int256_not(@extschema@.int256)
RETURNS @extschema@.int256
AS 'MODULE_PATHNAME', 'uint256_not'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.int256_not(@extschema@.int256) IS
	'int256 bitwise not';

CREATE FUNCTION @extschema@.int256_shl(@extschema@.int256, integer)
RETURNS @extschema@.int256
AS 'MODULE_PATHNAME', 'uint256_shl'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.int256_shl(@extschema@.int256, integer) IS
	'int256 shift left; bits shifted out are dropped, 256 or more gives 0, negative is an error';

CREATE FUNCTION @extschema@.int256_shr(@extschema@.int256, integer)
RETURNS @extschema@.int256
AS 'MODULE_PATHNAME', 'int256_shr'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.int256_shr(@extschema@.int256, integer) IS
	'int256 arithmetic shift right (floor of a / 2^n); 256 or more gives 0 or -1, negative is an error';

CREATE FUNCTION @extschema@.int256_um(@extschema@.int256)
RETURNS @extschema@.int256
AS 'MODULE_PATHNAME', 'int256_um'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.int256_um(@extschema@.int256) IS
	'int256 negation; error for -2^255';

CREATE OPERATOR @extschema@.+ (
	LEFTARG = @extschema@.int256,
	RIGHTARG = @extschema@.int256,
	FUNCTION = @extschema@.int256_pl,
	COMMUTATOR = OPERATOR(@extschema@.+)
);
CREATE OPERATOR @extschema@.- (
	LEFTARG = @extschema@.int256,
	RIGHTARG = @extschema@.int256,
	FUNCTION = @extschema@.int256_mi
);
CREATE OPERATOR @extschema@.* (
	LEFTARG = @extschema@.int256,
	RIGHTARG = @extschema@.int256,
	FUNCTION = @extschema@.int256_mul,
	COMMUTATOR = OPERATOR(@extschema@.*)
);
CREATE OPERATOR @extschema@./ (
	LEFTARG = @extschema@.int256,
	RIGHTARG = @extschema@.int256,
	FUNCTION = @extschema@.int256_div
);
CREATE OPERATOR @extschema@.% (
	LEFTARG = @extschema@.int256,
	RIGHTARG = @extschema@.int256,
	FUNCTION = @extschema@.int256_mod
);
CREATE OPERATOR @extschema@.& (
	LEFTARG = @extschema@.int256,
	RIGHTARG = @extschema@.int256,
	FUNCTION = @extschema@.int256_and,
	COMMUTATOR = OPERATOR(@extschema@.&)
);
CREATE OPERATOR @extschema@.| (
	LEFTARG = @extschema@.int256,
	RIGHTARG = @extschema@.int256,
	FUNCTION = @extschema@.int256_or,
	COMMUTATOR = OPERATOR(@extschema@.|)
);
CREATE OPERATOR @extschema@.# (
	LEFTARG = @extschema@.int256,
	RIGHTARG = @extschema@.int256,
	FUNCTION = @extschema@.int256_xor,
	COMMUTATOR = OPERATOR(@extschema@.#)
);
CREATE OPERATOR @extschema@.~ (
	RIGHTARG = @extschema@.int256,
	FUNCTION = @extschema@.int256_not
);
CREATE OPERATOR @extschema@.<< (
	LEFTARG = @extschema@.int256,
	RIGHTARG = integer,
	FUNCTION = @extschema@.int256_shl
);
CREATE OPERATOR @extschema@.>> (
	LEFTARG = @extschema@.int256,
	RIGHTARG = integer,
	FUNCTION = @extschema@.int256_shr
);
CREATE OPERATOR @extschema@.- (
	RIGHTARG = @extschema@.int256,
	FUNCTION = @extschema@.int256_um
);

-- ---- uint256: comparison, btree and hash operator classes

CREATE FUNCTION @extschema@.uint256_eq(@extschema@.uint256, @extschema@.uint256)
RETURNS boolean
AS 'MODULE_PATHNAME', 'uint256_eq'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
COMMENT ON FUNCTION @extschema@.uint256_eq(@extschema@.uint256, @extschema@.uint256) IS
	'uint256 =';

CREATE FUNCTION @extschema@.uint256_ne(@extschema@.uint256, @extschema@.uint256)
RETURNS boolean
AS 'MODULE_PATHNAME', 'uint256_ne'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
COMMENT ON FUNCTION @extschema@.uint256_ne(@extschema@.uint256, @extschema@.uint256) IS
	'uint256 <>';

CREATE FUNCTION @extschema@.uint256_lt(@extschema@.uint256, @extschema@.uint256)
RETURNS boolean
AS 'MODULE_PATHNAME', 'uint256_lt'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
COMMENT ON FUNCTION @extschema@.uint256_lt(@extschema@.uint256, @extschema@.uint256) IS
	'uint256 <';

CREATE FUNCTION @extschema@.uint256_le(@extschema@.uint256, @extschema@.uint256)
RETURNS boolean
AS 'MODULE_PATHNAME', 'uint256_le'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
COMMENT ON FUNCTION @extschema@.uint256_le(@extschema@.uint256, @extschema@.uint256) IS
	'uint256 <=';

CREATE FUNCTION @extschema@.uint256_gt(@extschema@.uint256, @extschema@.uint256)
RETURNS boolean
AS 'MODULE_PATHNAME', 'uint256_gt'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
COMMENT ON FUNCTION @extschema@.uint256_gt(@extschema@.uint256, @extschema@.uint256) IS
	'uint256 >';

CREATE FUNCTION @extschema@.uint256_ge(@extschema@.uint256, @extschema@.uint256)
RETURNS boolean
AS 'MODULE_PATHNAME', 'uint256_ge'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
COMMENT ON FUNCTION @extschema@.uint256_ge(@extschema@.uint256, @extschema@.uint256) IS
	'uint256 >=';

CREATE FUNCTION @extschema@.uint256_cmp(@extschema@.uint256, @extschema@.uint256)
RETURNS integer
AS 'MODULE_PATHNAME', 'uint256_cmp'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
COMMENT ON FUNCTION @extschema@.uint256_cmp(@extschema@.uint256, @extschema@.uint256) IS
	'uint256 three-way comparison for btree';

CREATE FUNCTION @extschema@.uint256_sortsupport(internal)
RETURNS void
AS 'MODULE_PATHNAME', 'uint256_sortsupport'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.uint256_sortsupport(internal) IS
	'uint256 btree sort support with abbreviated keys';

CREATE FUNCTION @extschema@.uint256_hash(@extschema@.uint256)
RETURNS integer
AS 'MODULE_PATHNAME', 'uint256_hash'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
COMMENT ON FUNCTION @extschema@.uint256_hash(@extschema@.uint256) IS
	'uint256 hash for hash indexes and joins';

CREATE FUNCTION @extschema@.uint256_hash_extended(@extschema@.uint256, bigint)
RETURNS bigint
AS 'MODULE_PATHNAME', 'uint256_hash_extended'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
COMMENT ON FUNCTION @extschema@.uint256_hash_extended(@extschema@.uint256, bigint) IS
	'uint256 seeded 64-bit hash';

CREATE FUNCTION @extschema@.uint256_larger(@extschema@.uint256, @extschema@.uint256)
RETURNS @extschema@.uint256
AS 'MODULE_PATHNAME', 'uint256_larger'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.uint256_larger(@extschema@.uint256, @extschema@.uint256) IS
	'larger of two uint256 values';

CREATE FUNCTION @extschema@.uint256_smaller(@extschema@.uint256, @extschema@.uint256)
RETURNS @extschema@.uint256
AS 'MODULE_PATHNAME', 'uint256_smaller'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.uint256_smaller(@extschema@.uint256, @extschema@.uint256) IS
	'smaller of two uint256 values';

CREATE OPERATOR @extschema@.= (
	LEFTARG = @extschema@.uint256,
	RIGHTARG = @extschema@.uint256,
	FUNCTION = @extschema@.uint256_eq,
	COMMUTATOR = OPERATOR(@extschema@.=),
	NEGATOR = OPERATOR(@extschema@.<>),
	RESTRICT = eqsel,
	JOIN = eqjoinsel,
	HASHES,
	MERGES
);
CREATE OPERATOR @extschema@.<> (
	LEFTARG = @extschema@.uint256,
	RIGHTARG = @extschema@.uint256,
	FUNCTION = @extschema@.uint256_ne,
	COMMUTATOR = OPERATOR(@extschema@.<>),
	NEGATOR = OPERATOR(@extschema@.=),
	RESTRICT = neqsel,
	JOIN = neqjoinsel
);
CREATE OPERATOR @extschema@.< (
	LEFTARG = @extschema@.uint256,
	RIGHTARG = @extschema@.uint256,
	FUNCTION = @extschema@.uint256_lt,
	COMMUTATOR = OPERATOR(@extschema@.>),
	NEGATOR = OPERATOR(@extschema@.>=),
	RESTRICT = scalarltsel,
	JOIN = scalarltjoinsel
);
CREATE OPERATOR @extschema@.<= (
	LEFTARG = @extschema@.uint256,
	RIGHTARG = @extschema@.uint256,
	FUNCTION = @extschema@.uint256_le,
	COMMUTATOR = OPERATOR(@extschema@.>=),
	NEGATOR = OPERATOR(@extschema@.>),
	RESTRICT = scalarlesel,
	JOIN = scalarlejoinsel
);
CREATE OPERATOR @extschema@.> (
	LEFTARG = @extschema@.uint256,
	RIGHTARG = @extschema@.uint256,
	FUNCTION = @extschema@.uint256_gt,
	COMMUTATOR = OPERATOR(@extschema@.<),
	NEGATOR = OPERATOR(@extschema@.<=),
	RESTRICT = scalargtsel,
	JOIN = scalargtjoinsel
);
CREATE OPERATOR @extschema@.>= (
	LEFTARG = @extschema@.uint256,
	RIGHTARG = @extschema@.uint256,
	FUNCTION = @extschema@.uint256_ge,
	COMMUTATOR = OPERATOR(@extschema@.<=),
	NEGATOR = OPERATOR(@extschema@.<),
	RESTRICT = scalargesel,
	JOIN = scalargejoinsel
);

CREATE OPERATOR CLASS @extschema@.uint256_ops
	DEFAULT FOR TYPE @extschema@.uint256 USING btree AS
		OPERATOR 1 @extschema@.< ,
		OPERATOR 2 @extschema@.<= ,
		OPERATOR 3 @extschema@.= ,
		OPERATOR 4 @extschema@.>= ,
		OPERATOR 5 @extschema@.> ,
		FUNCTION 1 @extschema@.uint256_cmp(@extschema@.uint256, @extschema@.uint256),
		FUNCTION 2 @extschema@.uint256_sortsupport(internal);

CREATE OPERATOR CLASS @extschema@.uint256_hash_ops
	DEFAULT FOR TYPE @extschema@.uint256 USING hash AS
		OPERATOR 1 @extschema@.= ,
		FUNCTION 1 @extschema@.uint256_hash(@extschema@.uint256),
		FUNCTION 2 @extschema@.uint256_hash_extended(@extschema@.uint256, bigint);

-- ---- int256: comparison, btree and hash operator classes

CREATE FUNCTION @extschema@.int256_eq(@extschema@.int256, @extschema@.int256)
RETURNS boolean
AS 'MODULE_PATHNAME', 'uint256_eq'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
COMMENT ON FUNCTION @extschema@.int256_eq(@extschema@.int256, @extschema@.int256) IS
	'int256 =';

CREATE FUNCTION @extschema@.int256_ne(@extschema@.int256, @extschema@.int256)
RETURNS boolean
AS 'MODULE_PATHNAME', 'uint256_ne'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
COMMENT ON FUNCTION @extschema@.int256_ne(@extschema@.int256, @extschema@.int256) IS
	'int256 <>';

CREATE FUNCTION @extschema@.int256_lt(@extschema@.int256, @extschema@.int256)
RETURNS boolean
AS 'MODULE_PATHNAME', 'int256_lt'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
COMMENT ON FUNCTION @extschema@.int256_lt(@extschema@.int256, @extschema@.int256) IS
	'int256 <';

CREATE FUNCTION @extschema@.int256_le(@extschema@.int256, @extschema@.int256)
RETURNS boolean
AS 'MODULE_PATHNAME', 'int256_le'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
COMMENT ON FUNCTION @extschema@.int256_le(@extschema@.int256, @extschema@.int256) IS
	'int256 <=';

CREATE FUNCTION @extschema@.int256_gt(@extschema@.int256, @extschema@.int256)
RETURNS boolean
AS 'MODULE_PATHNAME', 'int256_gt'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
COMMENT ON FUNCTION @extschema@.int256_gt(@extschema@.int256, @extschema@.int256) IS
	'int256 >';

CREATE FUNCTION @extschema@.int256_ge(@extschema@.int256, @extschema@.int256)
RETURNS boolean
AS 'MODULE_PATHNAME', 'int256_ge'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
COMMENT ON FUNCTION @extschema@.int256_ge(@extschema@.int256, @extschema@.int256) IS
	'int256 >=';

CREATE FUNCTION @extschema@.int256_cmp(@extschema@.int256, @extschema@.int256)
RETURNS integer
AS 'MODULE_PATHNAME', 'int256_cmp'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
COMMENT ON FUNCTION @extschema@.int256_cmp(@extschema@.int256, @extschema@.int256) IS
	'int256 three-way comparison for btree';

CREATE FUNCTION @extschema@.int256_sortsupport(internal)
RETURNS void
AS 'MODULE_PATHNAME', 'int256_sortsupport'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.int256_sortsupport(internal) IS
	'int256 btree sort support with abbreviated keys';

CREATE FUNCTION @extschema@.int256_hash(@extschema@.int256)
RETURNS integer
AS 'MODULE_PATHNAME', 'uint256_hash'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
COMMENT ON FUNCTION @extschema@.int256_hash(@extschema@.int256) IS
	'int256 hash for hash indexes and joins';

CREATE FUNCTION @extschema@.int256_hash_extended(@extschema@.int256, bigint)
RETURNS bigint
AS 'MODULE_PATHNAME', 'uint256_hash_extended'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
COMMENT ON FUNCTION @extschema@.int256_hash_extended(@extschema@.int256, bigint) IS
	'int256 seeded 64-bit hash';

CREATE FUNCTION @extschema@.int256_larger(@extschema@.int256, @extschema@.int256)
RETURNS @extschema@.int256
AS 'MODULE_PATHNAME', 'int256_larger'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.int256_larger(@extschema@.int256, @extschema@.int256) IS
	'larger of two int256 values';

CREATE FUNCTION @extschema@.int256_smaller(@extschema@.int256, @extschema@.int256)
RETURNS @extschema@.int256
AS 'MODULE_PATHNAME', 'int256_smaller'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.int256_smaller(@extschema@.int256, @extschema@.int256) IS
	'smaller of two int256 values';

CREATE OPERATOR @extschema@.= (
	LEFTARG = @extschema@.int256,
	RIGHTARG = @extschema@.int256,
	FUNCTION = @extschema@.int256_eq,
	COMMUTATOR = OPERATOR(@extschema@.=),
	NEGATOR = OPERATOR(@extschema@.<>),
	RESTRICT = eqsel,
	JOIN = eqjoinsel,
	HASHES,
	MERGES
);
CREATE OPERATOR @extschema@.<> (
	LEFTARG = @extschema@.int256,
	RIGHTARG = @extschema@.int256,
	FUNCTION = @extschema@.int256_ne,
	COMMUTATOR = OPERATOR(@extschema@.<>),
	NEGATOR = OPERATOR(@extschema@.=),
	RESTRICT = neqsel,
	JOIN = neqjoinsel
);
CREATE OPERATOR @extschema@.< (
	LEFTARG = @extschema@.int256,
	RIGHTARG = @extschema@.int256,
	FUNCTION = @extschema@.int256_lt,
	COMMUTATOR = OPERATOR(@extschema@.>),
	NEGATOR = OPERATOR(@extschema@.>=),
	RESTRICT = scalarltsel,
	JOIN = scalarltjoinsel
);
CREATE OPERATOR @extschema@.<= (
	LEFTARG = @extschema@.int256,
	RIGHTARG = @extschema@.int256,
	FUNCTION = @extschema@.int256_le,
	COMMUTATOR = OPERATOR(@extschema@.>=),
	NEGATOR = OPERATOR(@extschema@.>),
	RESTRICT = scalarlesel,
	JOIN = scalarlejoinsel
);
CREATE OPERATOR @extschema@.> (
	LEFTARG = @extschema@.int256,
	RIGHTARG = @extschema@.int256,
	FUNCTION = @extschema@.int256_gt,
	COMMUTATOR = OPERATOR(@extschema@.<),
	NEGATOR = OPERATOR(@extschema@.<=),
	RESTRICT = scalargtsel,
	JOIN = scalargtjoinsel
);
CREATE OPERATOR @extschema@.>= (
	LEFTARG = @extschema@.int256,
	RIGHTARG = @extschema@.int256,
	FUNCTION = @extschema@.int256_ge,
	COMMUTATOR = OPERATOR(@extschema@.<=),
	NEGATOR = OPERATOR(@extschema@.<),
	RESTRICT = scalargesel,
	JOIN = scalargejoinsel
);

CREATE OPERATOR CLASS @extschema@.int256_ops
	DEFAULT FOR TYPE @extschema@.int256 USING btree AS
		OPERATOR 1 @extschema@.< ,
		OPERATOR 2 @extschema@.<= ,
		OPERATOR 3 @extschema@.= ,
		OPERATOR 4 @extschema@.>= ,
		OPERATOR 5 @extschema@.> ,
		FUNCTION 1 @extschema@.int256_cmp(@extschema@.int256, @extschema@.int256),
		FUNCTION 2 @extschema@.int256_sortsupport(internal);

CREATE OPERATOR CLASS @extschema@.int256_hash_ops
	DEFAULT FOR TYPE @extschema@.int256 USING hash AS
		OPERATOR 1 @extschema@.= ,
		FUNCTION 1 @extschema@.int256_hash(@extschema@.int256),
		FUNCTION 2 @extschema@.int256_hash_extended(@extschema@.int256, bigint);

-- ---- functions

CREATE FUNCTION @extschema@.mul_div(a @extschema@.uint256, b @extschema@.uint256, c @extschema@.uint256)
RETURNS @extschema@.uint256
AS 'MODULE_PATHNAME', 'uint256_mul_div'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.mul_div(@extschema@.uint256, @extschema@.uint256, @extschema@.uint256) IS
	'floor(a * b / c) with a 512-bit intermediate (Uniswap FullMath.mulDiv); errors when c = 0 or the result overflows';

CREATE FUNCTION @extschema@.mul_div_up(a @extschema@.uint256, b @extschema@.uint256, c @extschema@.uint256)
RETURNS @extschema@.uint256
AS 'MODULE_PATHNAME', 'uint256_mul_div_up'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.mul_div_up(@extschema@.uint256, @extschema@.uint256, @extschema@.uint256) IS
	'ceil(a * b / c) with a 512-bit intermediate (Uniswap FullMath.mulDivRoundingUp)';

CREATE FUNCTION @extschema@.pow(base @extschema@.uint256, exponent @extschema@.uint256)
RETURNS @extschema@.uint256
AS 'MODULE_PATHNAME', 'uint256_pow'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.pow(@extschema@.uint256, @extschema@.uint256) IS
	'base raised to exponent; error on overflow; pow(0, 0) = 1';

CREATE FUNCTION @extschema@.pow(base @extschema@.int256, exponent @extschema@.uint256)
RETURNS @extschema@.int256
AS 'MODULE_PATHNAME', 'int256_pow'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.pow(@extschema@.int256, @extschema@.uint256) IS
	'base raised to a non-negative exponent; error on overflow';

CREATE FUNCTION @extschema@.sqrt(@extschema@.uint256)
RETURNS @extschema@.uint256
AS 'MODULE_PATHNAME', 'uint256_sqrt'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.sqrt(@extschema@.uint256) IS
	'floor of the square root';

CREATE FUNCTION @extschema@.msb(@extschema@.uint256)
RETURNS integer
AS 'MODULE_PATHNAME', 'uint256_msb'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.msb(@extschema@.uint256) IS
	'index of the most significant set bit (0 .. 255); error for 0';

CREATE FUNCTION @extschema@.log2(@extschema@.uint256)
RETURNS integer
AS 'MODULE_PATHNAME', 'uint256_msb'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.log2(@extschema@.uint256) IS
	'floor of the base-2 logarithm, the same as msb(); error for 0';

CREATE FUNCTION @extschema@.abs(@extschema@.int256)
RETURNS @extschema@.int256
AS 'MODULE_PATHNAME', 'int256_abs'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.abs(@extschema@.int256) IS
	'absolute value; error for -2^255';

CREATE FUNCTION @extschema@.to_hex(@extschema@.uint256)
RETURNS text
AS 'MODULE_PATHNAME', 'uint256_to_hex'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.to_hex(@extschema@.uint256) IS
	'0x and the minimal lowercase hex digits, as JSON-RPC quantities';

CREATE FUNCTION @extschema@.to_hex(@extschema@.int256)
RETURNS text
AS 'MODULE_PATHNAME', 'int256_to_hex'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.to_hex(@extschema@.int256) IS
	'sign, 0x and the minimal lowercase hex digits of the magnitude';

CREATE FUNCTION @extschema@.uint256_from_bytea(bytea)
RETURNS @extschema@.uint256
AS 'MODULE_PATHNAME', 'uint256_from_bytea'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.uint256_from_bytea(bytea) IS
	'big-endian unsigned integer of at most 32 bytes (shorter ones are zero-extended)';

CREATE FUNCTION @extschema@.int256_from_bytea(bytea)
RETURNS @extschema@.int256
AS 'MODULE_PATHNAME', 'int256_from_bytea'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.int256_from_bytea(bytea) IS
	'exactly 32 bytes, big-endian two''s complement';

CREATE FUNCTION @extschema@.to_bytea(@extschema@.uint256)
RETURNS bytea
AS 'MODULE_PATHNAME', 'uint256_to_bytea'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.to_bytea(@extschema@.uint256) IS
	'32 bytes, big-endian';

CREATE FUNCTION @extschema@.to_bytea(@extschema@.int256)
RETURNS bytea
AS 'MODULE_PATHNAME', 'uint256_to_bytea'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.to_bytea(@extschema@.int256) IS
	'32 bytes, big-endian two''s complement';

-- ---- aggregates: sum and avg share a 320-bit accumulator (int_agg.c)

CREATE FUNCTION @extschema@.uint256_sum_accum(internal, @extschema@.uint256)
RETURNS internal
AS 'MODULE_PATHNAME', 'uint256_sum_accum'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION @extschema@.int256_sum_accum(internal, @extschema@.int256)
RETURNS internal
AS 'MODULE_PATHNAME', 'int256_sum_accum'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION @extschema@.u256_agg_combine(internal, internal)
RETURNS internal
AS 'MODULE_PATHNAME', 'u256_agg_combine'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION @extschema@.u256_agg_serialize(internal)
RETURNS bytea
AS 'MODULE_PATHNAME', 'u256_agg_serialize'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION @extschema@.u256_agg_deserialize(bytea, internal)
RETURNS internal
AS 'MODULE_PATHNAME', 'u256_agg_deserialize'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION @extschema@.uint256_sum_final(internal)
RETURNS @extschema@.uint256
AS 'MODULE_PATHNAME', 'uint256_sum_final'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION @extschema@.int256_sum_final(internal)
RETURNS @extschema@.int256
AS 'MODULE_PATHNAME', 'int256_sum_final'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION @extschema@.uint256_avg_final(internal)
RETURNS numeric
AS 'MODULE_PATHNAME', 'uint256_avg_final'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION @extschema@.int256_avg_final(internal)
RETURNS numeric
AS 'MODULE_PATHNAME', 'int256_avg_final'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE AGGREGATE @extschema@.sum(@extschema@.uint256) (
	SFUNC = @extschema@.uint256_sum_accum,
	STYPE = internal,
	SSPACE = 48,
	FINALFUNC = @extschema@.uint256_sum_final,
	COMBINEFUNC = @extschema@.u256_agg_combine,
	SERIALFUNC = @extschema@.u256_agg_serialize,
	DESERIALFUNC = @extschema@.u256_agg_deserialize,
	PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.sum(@extschema@.uint256) IS 'exact sum as uint256; error when the total is out of range';

CREATE AGGREGATE @extschema@.avg(@extschema@.uint256) (
	SFUNC = @extschema@.uint256_sum_accum,
	STYPE = internal,
	SSPACE = 48,
	FINALFUNC = @extschema@.uint256_avg_final,
	COMBINEFUNC = @extschema@.u256_agg_combine,
	SERIALFUNC = @extschema@.u256_agg_serialize,
	DESERIALFUNC = @extschema@.u256_agg_deserialize,
	PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.avg(@extschema@.uint256) IS 'exact average as numeric';

CREATE AGGREGATE @extschema@.min(@extschema@.uint256) (
	SFUNC = @extschema@.uint256_smaller,
	STYPE = @extschema@.uint256,
	COMBINEFUNC = @extschema@.uint256_smaller,
	SORTOP = OPERATOR(@extschema@.<),
	PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.min(@extschema@.uint256) IS 'smallest uint256 value';

CREATE AGGREGATE @extschema@.max(@extschema@.uint256) (
	SFUNC = @extschema@.uint256_larger,
	STYPE = @extschema@.uint256,
	COMBINEFUNC = @extschema@.uint256_larger,
	SORTOP = OPERATOR(@extschema@.>),
	PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.max(@extschema@.uint256) IS 'largest uint256 value';

CREATE AGGREGATE @extschema@.sum(@extschema@.int256) (
	SFUNC = @extschema@.int256_sum_accum,
	STYPE = internal,
	SSPACE = 48,
	FINALFUNC = @extschema@.int256_sum_final,
	COMBINEFUNC = @extschema@.u256_agg_combine,
	SERIALFUNC = @extschema@.u256_agg_serialize,
	DESERIALFUNC = @extschema@.u256_agg_deserialize,
	PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.sum(@extschema@.int256) IS 'exact sum as int256; error when the total is out of range';

CREATE AGGREGATE @extschema@.avg(@extschema@.int256) (
	SFUNC = @extschema@.int256_sum_accum,
	STYPE = internal,
	SSPACE = 48,
	FINALFUNC = @extschema@.int256_avg_final,
	COMBINEFUNC = @extschema@.u256_agg_combine,
	SERIALFUNC = @extschema@.u256_agg_serialize,
	DESERIALFUNC = @extschema@.u256_agg_deserialize,
	PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.avg(@extschema@.int256) IS 'exact average as numeric';

CREATE AGGREGATE @extschema@.min(@extschema@.int256) (
	SFUNC = @extschema@.int256_smaller,
	STYPE = @extschema@.int256,
	COMBINEFUNC = @extschema@.int256_smaller,
	SORTOP = OPERATOR(@extschema@.<),
	PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.min(@extschema@.int256) IS 'smallest int256 value';

CREATE AGGREGATE @extschema@.max(@extschema@.int256) (
	SFUNC = @extschema@.int256_larger,
	STYPE = @extschema@.int256,
	COMBINEFUNC = @extschema@.int256_larger,
	SORTOP = OPERATOR(@extschema@.>),
	PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.max(@extschema@.int256) IS 'largest int256 value';

-- ---- casts

CREATE FUNCTION @extschema@.uint256(smallint)
RETURNS @extschema@.uint256
AS 'MODULE_PATHNAME', 'int2_to_uint256'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.uint256(smallint) IS
	'smallint to uint256; error when negative';

CREATE FUNCTION @extschema@.uint256(integer)
RETURNS @extschema@.uint256
AS 'MODULE_PATHNAME', 'int4_to_uint256'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.uint256(integer) IS
	'integer to uint256; error when negative';

CREATE FUNCTION @extschema@.uint256(bigint)
RETURNS @extschema@.uint256
AS 'MODULE_PATHNAME', 'int8_to_uint256'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.uint256(bigint) IS
	'bigint to uint256; error when negative';

CREATE FUNCTION @extschema@.int2(@extschema@.uint256)
RETURNS smallint
AS 'MODULE_PATHNAME', 'uint256_to_int2'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.int2(@extschema@.uint256) IS
	'uint256 to smallint; error when out of range';

CREATE FUNCTION @extschema@.int4(@extschema@.uint256)
RETURNS integer
AS 'MODULE_PATHNAME', 'uint256_to_int4'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.int4(@extschema@.uint256) IS
	'uint256 to integer; error when out of range';

CREATE FUNCTION @extschema@.int8(@extschema@.uint256)
RETURNS bigint
AS 'MODULE_PATHNAME', 'uint256_to_int8'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.int8(@extschema@.uint256) IS
	'uint256 to bigint; error when out of range';

CREATE FUNCTION @extschema@.numeric(@extschema@.uint256)
RETURNS numeric
AS 'MODULE_PATHNAME', 'uint256_to_numeric'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.numeric(@extschema@.uint256) IS
	'uint256 to numeric, exact';

CREATE FUNCTION @extschema@.uint256(numeric)
RETURNS @extschema@.uint256
AS 'MODULE_PATHNAME', 'numeric_to_uint256'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.uint256(numeric) IS
	'numeric to uint256; a fraction is rounded half away from zero as for bigint; error when out of range';

CREATE FUNCTION @extschema@.int256(smallint)
RETURNS @extschema@.int256
AS 'MODULE_PATHNAME', 'int2_to_int256'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.int256(smallint) IS
	'smallint to int256';

CREATE FUNCTION @extschema@.int256(integer)
RETURNS @extschema@.int256
AS 'MODULE_PATHNAME', 'int4_to_int256'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.int256(integer) IS
	'integer to int256';

CREATE FUNCTION @extschema@.int256(bigint)
RETURNS @extschema@.int256
AS 'MODULE_PATHNAME', 'int8_to_int256'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.int256(bigint) IS
	'bigint to int256';

CREATE FUNCTION @extschema@.int2(@extschema@.int256)
RETURNS smallint
AS 'MODULE_PATHNAME', 'int256_to_int2'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.int2(@extschema@.int256) IS
	'int256 to smallint; error when out of range';

CREATE FUNCTION @extschema@.int4(@extschema@.int256)
RETURNS integer
AS 'MODULE_PATHNAME', 'int256_to_int4'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.int4(@extschema@.int256) IS
	'int256 to integer; error when out of range';

CREATE FUNCTION @extschema@.int8(@extschema@.int256)
RETURNS bigint
AS 'MODULE_PATHNAME', 'int256_to_int8'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.int8(@extschema@.int256) IS
	'int256 to bigint; error when out of range';

CREATE FUNCTION @extschema@.numeric(@extschema@.int256)
RETURNS numeric
AS 'MODULE_PATHNAME', 'int256_to_numeric'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.numeric(@extschema@.int256) IS
	'int256 to numeric, exact';

CREATE FUNCTION @extschema@.int256(numeric)
RETURNS @extschema@.int256
AS 'MODULE_PATHNAME', 'numeric_to_int256'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.int256(numeric) IS
	'numeric to int256; a fraction is rounded half away from zero as for bigint; error when out of range';

CREATE FUNCTION @extschema@.int256(@extschema@.uint256)
RETURNS @extschema@.int256
AS 'MODULE_PATHNAME', 'uint256_to_int256'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.int256(@extschema@.uint256) IS
	'uint256 to int256; error at 2^255 and above';

CREATE FUNCTION @extschema@.uint256(@extschema@.int256)
RETURNS @extschema@.uint256
AS 'MODULE_PATHNAME', 'int256_to_uint256'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.uint256(@extschema@.int256) IS
	'int256 to uint256; error when negative';

CREATE CAST (smallint AS @extschema@.uint256) WITH FUNCTION @extschema@.uint256(smallint) AS IMPLICIT;
CREATE CAST (integer AS @extschema@.uint256) WITH FUNCTION @extschema@.uint256(integer) AS IMPLICIT;
CREATE CAST (bigint AS @extschema@.uint256) WITH FUNCTION @extschema@.uint256(bigint) AS IMPLICIT;
CREATE CAST (@extschema@.uint256 AS smallint) WITH FUNCTION @extschema@.int2(@extschema@.uint256) AS ASSIGNMENT;
CREATE CAST (@extschema@.uint256 AS integer) WITH FUNCTION @extschema@.int4(@extschema@.uint256) AS ASSIGNMENT;
CREATE CAST (@extschema@.uint256 AS bigint) WITH FUNCTION @extschema@.int8(@extschema@.uint256) AS ASSIGNMENT;
CREATE CAST (@extschema@.uint256 AS numeric) WITH FUNCTION @extschema@.numeric(@extschema@.uint256) AS ASSIGNMENT;
CREATE CAST (numeric AS @extschema@.uint256) WITH FUNCTION @extschema@.uint256(numeric) AS ASSIGNMENT;
CREATE CAST (smallint AS @extschema@.int256) WITH FUNCTION @extschema@.int256(smallint) AS IMPLICIT;
CREATE CAST (integer AS @extschema@.int256) WITH FUNCTION @extschema@.int256(integer) AS IMPLICIT;
CREATE CAST (bigint AS @extschema@.int256) WITH FUNCTION @extschema@.int256(bigint) AS IMPLICIT;
CREATE CAST (@extschema@.int256 AS smallint) WITH FUNCTION @extschema@.int2(@extschema@.int256) AS ASSIGNMENT;
CREATE CAST (@extschema@.int256 AS integer) WITH FUNCTION @extschema@.int4(@extschema@.int256) AS ASSIGNMENT;
CREATE CAST (@extschema@.int256 AS bigint) WITH FUNCTION @extschema@.int8(@extschema@.int256) AS ASSIGNMENT;
CREATE CAST (@extschema@.int256 AS numeric) WITH FUNCTION @extschema@.numeric(@extschema@.int256) AS ASSIGNMENT;
CREATE CAST (numeric AS @extschema@.int256) WITH FUNCTION @extschema@.int256(numeric) AS ASSIGNMENT;
CREATE CAST (@extschema@.uint256 AS @extschema@.int256) WITH FUNCTION @extschema@.int256(@extschema@.uint256) AS ASSIGNMENT;
CREATE CAST (@extschema@.int256 AS @extschema@.uint256) WITH FUNCTION @extschema@.uint256(@extschema@.int256) AS ASSIGNMENT;
