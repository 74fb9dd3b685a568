-- src/evm/units.sql: token units, integer amounts <-> numeric scaled by 10^decimals.
--
-- to_units divides exactly (trailing zeros of the fraction are dropped);
-- from_units multiplies back and, unless a rounding mode is given, refuses
-- a value that would lose a fraction.  Rounding modes: 'exact' (the default:
-- error), 'trunc' (toward zero), 'floor', 'ceil', 'half_up' (ties away from
-- zero) and 'half_even' (ties to even).  decimals is 0 .. 255.

CREATE FUNCTION @extschema@.to_units(amount @extschema@.uint256, decimals integer)
RETURNS numeric
AS 'MODULE_PATHNAME', 'uint256_to_units'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.to_units(@extschema@.uint256, integer) IS
	'amount / 10^decimals as an exact numeric (wei to ether with 18 decimals)';

CREATE FUNCTION @extschema@.to_units(amount @extschema@.int256, decimals integer)
RETURNS numeric
AS 'MODULE_PATHNAME', 'int256_to_units'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.to_units(@extschema@.int256, integer) IS
	'signed amount / 10^decimals as an exact numeric';

CREATE FUNCTION @extschema@.from_units(value numeric, decimals integer,
									   rounding text DEFAULT 'exact')
RETURNS @extschema@.uint256
AS 'MODULE_PATHNAME', 'uint256_from_units'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.from_units(numeric, integer, text) IS
	'value * 10^decimals as uint256; a lost fraction is an error unless rounding is trunc, floor, ceil, half_up or half_even';

CREATE FUNCTION @extschema@.int256_from_units(value numeric, decimals integer,
											  rounding text DEFAULT 'exact')
RETURNS @extschema@.int256
AS 'MODULE_PATHNAME', 'int256_from_units'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.int256_from_units(numeric, integer, text) IS
	'value * 10^decimals as int256; a lost fraction is an error unless rounding is trunc, floor, ceil, half_up or half_even';
