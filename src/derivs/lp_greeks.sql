-- src/derivs/lp_greeks.sql: exact greeks of a Uniswap v3 range position
-- (lp_greeks.c; docs/derivatives.md, "Exact LP greeks").  The value is in
-- raw token1 units from the exact amounts LiquidityAmounts returns; delta
-- and gamma are taken with respect to P = sqrt_price^2 / 2^192, the price of
-- one raw unit of token0 in raw units of token1: delta in raw token0 units,
-- gamma in raw token0 per unit of P.  Strategies aggregate them with
-- strategy_greeks() (src/strategy/kinds/lp_univ3.sql).

CREATE FUNCTION @extschema@.univ3_position_greeks(sqrt_price @extschema@.uint256,
	tick_lower int, tick_upper int, liquidity @extschema@.uint256,
	OUT value1 numeric, OUT delta float8, OUT gamma float8,
	OUT amount0 @extschema@.uint256, OUT amount1 @extschema@.uint256, OUT in_range boolean)
AS 'MODULE_PATHNAME', 'univ3_position_greeks'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.univ3_position_greeks(@extschema@.uint256, int, int, @extschema@.uint256) IS
	'a range position''s value in raw token1 (exact amounts, value1 = amount1 + amount0 * P), its delta and gamma with respect to P (token1 per token0, raw), closed form; the amounts and whether the price is in range';
