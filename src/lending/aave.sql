-- src/lending/aave.sql: exact Aave v3 math (C in src/lending/aave.c and
-- aave_sql.c), after the contracts of @aave/core-v3 1.19.3.
--
-- Every integer result is bit for bit what WadRayMath, PercentageMath,
-- MathUtils, ReserveLogic, DefaultReserveInterestRateStrategy, GenericLogic
-- and LiquidationLogic compute; where the contract reverts, these functions
-- raise an error: 22003 (an overflow the contract reverts on), 22012 (a
-- division by zero), 22023 (an argument the contract's types or requires
-- refuse).  Wads are 1e18, rays 1e27, percentages basis points (1e4 = 100 %).
-- All pure: IMMUTABLE STRICT PARALLEL SAFE, EXECUTE left to PUBLIC (schema
-- USAGE gates access), as the univ3 math.

-- ---- WadRayMath and PercentageMath ----

CREATE FUNCTION @extschema@.aave_ray_mul(a @extschema@.uint256, b @extschema@.uint256)
RETURNS @extschema@.uint256
AS 'MODULE_PATHNAME', 'aave_ray_mul'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.aave_ray_mul(@extschema@.uint256, @extschema@.uint256) IS
	'WadRayMath.rayMul: (a * b + 0.5e27) / 1e27, half up; 22003 when a * b + 0.5e27 overflows';

CREATE FUNCTION @extschema@.aave_ray_div(a @extschema@.uint256, b @extschema@.uint256)
RETURNS @extschema@.uint256
AS 'MODULE_PATHNAME', 'aave_ray_div'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.aave_ray_div(@extschema@.uint256, @extschema@.uint256) IS
	'WadRayMath.rayDiv: (a * 1e27 + b / 2) / b, half up; 22012 for b = 0, 22003 on overflow';

CREATE FUNCTION @extschema@.aave_wad_mul(a @extschema@.uint256, b @extschema@.uint256)
RETURNS @extschema@.uint256
AS 'MODULE_PATHNAME', 'aave_wad_mul'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.aave_wad_mul(@extschema@.uint256, @extschema@.uint256) IS
	'WadRayMath.wadMul: (a * b + 0.5e18) / 1e18, half up; 22003 on overflow';

CREATE FUNCTION @extschema@.aave_wad_div(a @extschema@.uint256, b @extschema@.uint256)
RETURNS @extschema@.uint256
AS 'MODULE_PATHNAME', 'aave_wad_div'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.aave_wad_div(@extschema@.uint256, @extschema@.uint256) IS
	'WadRayMath.wadDiv: (a * 1e18 + b / 2) / b, half up; 22012 for b = 0, 22003 on overflow';

CREATE FUNCTION @extschema@.aave_wad_to_ray(a @extschema@.uint256)
RETURNS @extschema@.uint256
AS 'MODULE_PATHNAME', 'aave_wad_to_ray'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.aave_wad_to_ray(@extschema@.uint256) IS
	'WadRayMath.wadToRay: a * 1e9; 22003 on overflow';

CREATE FUNCTION @extschema@.aave_ray_to_wad(a @extschema@.uint256)
RETURNS @extschema@.uint256
AS 'MODULE_PATHNAME', 'aave_ray_to_wad'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.aave_ray_to_wad(@extschema@.uint256) IS
	'WadRayMath.rayToWad: a / 1e9, half up';

CREATE FUNCTION @extschema@.aave_percent_mul(value @extschema@.uint256, bps @extschema@.uint256)
RETURNS @extschema@.uint256
AS 'MODULE_PATHNAME', 'aave_percent_mul'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.aave_percent_mul(@extschema@.uint256, @extschema@.uint256) IS
	'PercentageMath.percentMul: (value * bps + 5000) / 10000, half up; 22003 on overflow';

CREATE FUNCTION @extschema@.aave_percent_div(value @extschema@.uint256, bps @extschema@.uint256)
RETURNS @extschema@.uint256
AS 'MODULE_PATHNAME', 'aave_percent_div'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.aave_percent_div(@extschema@.uint256, @extschema@.uint256) IS
	'PercentageMath.percentDiv: (value * 10000 + bps / 2) / bps, half up; 22012 for bps = 0, 22003 on overflow';

-- ---- interest and indexes (MathUtils, ReserveLogic, the scaled tokens) ----

CREATE FUNCTION @extschema@.aave_linear_interest(rate_ray @extschema@.uint256, last_ts bigint, now_ts bigint)
RETURNS @extschema@.uint256
AS 'MODULE_PATHNAME', 'aave_linear_interest'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.aave_linear_interest(@extschema@.uint256, bigint, bigint) IS
	'MathUtils.calculateLinearInterest: 1e27 + rate * (now - last) / 31536000, a ray; last_ts is a uint40, now_ts >= last_ts';

CREATE FUNCTION @extschema@.aave_compounded_interest(rate_ray @extschema@.uint256, last_ts bigint, now_ts bigint)
RETURNS @extschema@.uint256
AS 'MODULE_PATHNAME', 'aave_compounded_interest'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.aave_compounded_interest(@extschema@.uint256, bigint, bigint) IS
	'MathUtils.calculateCompoundedInterest: the three-term binomial approximation of (1 + rate / 31536000)^(now - last), a ray, with the contract''s integer steps';

CREATE FUNCTION @extschema@.aave_normalized_income(liquidity_index @extschema@.uint256, liquidity_rate @extschema@.uint256,
	last_update_ts bigint, now_ts bigint)
RETURNS @extschema@.uint256
AS 'MODULE_PATHNAME', 'aave_normalized_income'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.aave_normalized_income(@extschema@.uint256, @extschema@.uint256, bigint, bigint) IS
	'ReserveLogic.getNormalizedIncome: rayMul(linear interest since the last update, liquidity index); the index itself when now = last';

CREATE FUNCTION @extschema@.aave_normalized_debt(variable_borrow_index @extschema@.uint256, variable_borrow_rate @extschema@.uint256,
	last_update_ts bigint, now_ts bigint)
RETURNS @extschema@.uint256
AS 'MODULE_PATHNAME', 'aave_normalized_debt'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.aave_normalized_debt(@extschema@.uint256, @extschema@.uint256, bigint, bigint) IS
	'ReserveLogic.getNormalizedDebt: rayMul(compounded interest since the last update, variable borrow index); the index itself when now = last';

CREATE FUNCTION @extschema@.aave_balance(scaled_balance @extschema@.uint256, index @extschema@.uint256)
RETURNS @extschema@.uint256
AS 'MODULE_PATHNAME', 'aave_balance'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.aave_balance(@extschema@.uint256, @extschema@.uint256) IS
	'AToken.balanceOf / VariableDebtToken.balanceOf: rayMul(scaled balance, normalized income or debt)';

CREATE FUNCTION @extschema@.aave_scaled_amount(amount @extschema@.uint256, index @extschema@.uint256,
	rounding text DEFAULT 'half_up')
RETURNS @extschema@.uint256
AS 'MODULE_PATHNAME', 'aave_scaled_amount'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.aave_scaled_amount(@extschema@.uint256, @extschema@.uint256, text) IS
	'the scaled amount a mint or burn records: rayDiv(amount, index) (''half_up'', this version''s ScaledBalanceTokenBase), or amount * 1e27 / index rounded ''floor'' or ''ceil''';

-- ---- DefaultReserveInterestRateStrategy ----

-- The strategy's constructor parameters, all rays, as its getters name them.
CREATE TYPE @extschema@.aave_rate_strategy AS (
	optimal_usage_ratio @extschema@.uint256,
	base_variable_borrow_rate @extschema@.uint256,
	variable_rate_slope1 @extschema@.uint256,
	variable_rate_slope2 @extschema@.uint256,
	stable_rate_slope1 @extschema@.uint256,
	stable_rate_slope2 @extschema@.uint256,
	base_stable_rate_offset @extschema@.uint256,
	stable_rate_excess_offset @extschema@.uint256,
	optimal_stable_to_total_debt_ratio @extschema@.uint256
);
COMMENT ON TYPE @extschema@.aave_rate_strategy IS
	'parameters of an Aave v3 DefaultReserveInterestRateStrategy (1.19.3), rays';

CREATE FUNCTION @extschema@.aave_reserve_rates(
	unbacked @extschema@.uint256, liquidity_added @extschema@.uint256, liquidity_taken @extschema@.uint256,
	total_stable_debt @extschema@.uint256, total_variable_debt @extschema@.uint256,
	average_stable_rate @extschema@.uint256, reserve_factor_bps int, available_liquidity @extschema@.uint256,
	optimal_usage_ray @extschema@.uint256, base_variable_rate_ray @extschema@.uint256,
	variable_slope1_ray @extschema@.uint256, variable_slope2_ray @extschema@.uint256,
	stable_slope1_ray @extschema@.uint256, stable_slope2_ray @extschema@.uint256,
	base_stable_rate_offset_ray @extschema@.uint256, stable_rate_excess_offset_ray @extschema@.uint256,
	optimal_stable_to_total_debt_ray @extschema@.uint256,
	OUT liquidity_rate @extschema@.uint256, OUT stable_borrow_rate @extschema@.uint256,
	OUT variable_borrow_rate @extschema@.uint256)
RETURNS record
AS 'MODULE_PATHNAME', 'aave_reserve_rates'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.aave_reserve_rates(@extschema@.uint256, @extschema@.uint256, @extschema@.uint256,
	@extschema@.uint256, @extschema@.uint256, @extschema@.uint256, int, @extschema@.uint256,
	@extschema@.uint256, @extschema@.uint256, @extschema@.uint256, @extschema@.uint256, @extschema@.uint256,
	@extschema@.uint256, @extschema@.uint256, @extschema@.uint256, @extschema@.uint256) IS
	'DefaultReserveInterestRateStrategy.calculateInterestRates (1.19.3): rays; available_liquidity is the underlying''s balance of the aToken before liquidity_added and liquidity_taken';

CREATE FUNCTION @extschema@.aave_reserve_rates(
	unbacked @extschema@.uint256, liquidity_added @extschema@.uint256, liquidity_taken @extschema@.uint256,
	total_stable_debt @extschema@.uint256, total_variable_debt @extschema@.uint256,
	average_stable_rate @extschema@.uint256, reserve_factor_bps int, available_liquidity @extschema@.uint256,
	strategy @extschema@.aave_rate_strategy,
	OUT liquidity_rate @extschema@.uint256, OUT stable_borrow_rate @extschema@.uint256,
	OUT variable_borrow_rate @extschema@.uint256)
RETURNS record
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
BEGIN ATOMIC
	SELECT r.liquidity_rate, r.stable_borrow_rate, r.variable_borrow_rate
	  FROM @extschema@.aave_reserve_rates(unbacked, liquidity_added, liquidity_taken,
			total_stable_debt, total_variable_debt, average_stable_rate, reserve_factor_bps,
			available_liquidity, (strategy).optimal_usage_ratio, (strategy).base_variable_borrow_rate,
			(strategy).variable_rate_slope1, (strategy).variable_rate_slope2,
			(strategy).stable_rate_slope1, (strategy).stable_rate_slope2,
			(strategy).base_stable_rate_offset, (strategy).stable_rate_excess_offset,
			(strategy).optimal_stable_to_total_debt_ratio) r;
END;
COMMENT ON FUNCTION @extschema@.aave_reserve_rates(@extschema@.uint256, @extschema@.uint256, @extschema@.uint256,
	@extschema@.uint256, @extschema@.uint256, @extschema@.uint256, int, @extschema@.uint256,
	@extschema@.aave_rate_strategy) IS
	'aave_reserve_rates with the strategy''s parameters as one aave_rate_strategy value';

-- ---- GenericLogic: values in base currency, health factor, borrows ----

CREATE FUNCTION @extschema@.aave_asset_value_base(amount @extschema@.uint256, price @extschema@.uint256, decimals int)
RETURNS @extschema@.uint256
AS 'MODULE_PATHNAME', 'aave_asset_value_base'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.aave_asset_value_base(@extschema@.uint256, @extschema@.uint256, int) IS
	'GenericLogic: amount * price / 10^decimals, rounded down (a balance in the oracle''s base currency); decimals 0..77';

CREATE FUNCTION @extschema@.aave_health_factor(collateral_base @extschema@.uint256, debt_base @extschema@.uint256,
	liquidation_threshold_bps int)
RETURNS @extschema@.uint256
AS 'MODULE_PATHNAME', 'aave_health_factor'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.aave_health_factor(@extschema@.uint256, @extschema@.uint256, int) IS
	'GenericLogic: wadDiv(percentMul(collateral, liquidation threshold), debt), a wad; 2^256 - 1 when debt is 0';

CREATE FUNCTION @extschema@.aave_account_data(collateral_base @extschema@.uint256[], ltv_bps int[],
	liquidation_threshold_bps int[], debt_base @extschema@.uint256[],
	asset_emode_category int[] DEFAULT '{}', user_emode_category int DEFAULT 0,
	emode_ltv_bps int DEFAULT 0, emode_liquidation_threshold_bps int DEFAULT 0,
	OUT total_collateral_base @extschema@.uint256, OUT total_debt_base @extschema@.uint256,
	OUT avg_ltv_bps int, OUT avg_liquidation_threshold_bps int,
	OUT health_factor @extschema@.uint256, OUT has_zero_ltv_collateral boolean)
RETURNS record
AS 'MODULE_PATHNAME', 'aave_account_data'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.aave_account_data(@extschema@.uint256[], int[], int[], @extschema@.uint256[],
	int[], int, int, int) IS
	'GenericLogic.calculateUserAccountData over balances in base currency: one entry per asset used as collateral (an asset whose own threshold is 0 does not count), the e-mode LTV and threshold for assets in the user''s category, balance-weighted averages rounded down';

CREATE FUNCTION @extschema@.aave_health_factor(collateral_base @extschema@.uint256[], liquidation_threshold_bps int[],
	debt_base @extschema@.uint256, asset_emode_category int[] DEFAULT '{}', user_emode_category int DEFAULT 0,
	emode_liquidation_threshold_bps int DEFAULT 0)
RETURNS @extschema@.uint256
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN (@extschema@.aave_account_data(collateral_base, liquidation_threshold_bps, liquidation_threshold_bps,
	ARRAY[debt_base], asset_emode_category, user_emode_category, 0,
	emode_liquidation_threshold_bps)).health_factor;
COMMENT ON FUNCTION @extschema@.aave_health_factor(@extschema@.uint256[], int[], @extschema@.uint256, int[], int, int) IS
	'the health factor of several collateral assets, as GenericLogic: weighted average threshold (the e-mode one for assets in the user''s category), rounded down, then percentMul and wadDiv';

CREATE FUNCTION @extschema@.aave_max_borrow_base(collateral_base @extschema@.uint256, debt_base @extschema@.uint256,
	ltv_bps int)
RETURNS @extschema@.uint256
AS 'MODULE_PATHNAME', 'aave_max_borrow_base'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.aave_max_borrow_base(@extschema@.uint256, @extschema@.uint256, int) IS
	'GenericLogic.calculateAvailableBorrows: percentMul(collateral, ltv) - debt, or 0, in base currency';

-- ---- LiquidationLogic ----

CREATE FUNCTION @extschema@.aave_close_factor_bps(health_factor @extschema@.uint256)
RETURNS int
AS 'MODULE_PATHNAME', 'aave_close_factor_bps'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.aave_close_factor_bps(@extschema@.uint256) IS
	'LiquidationLogic''s close factor: 5000 (half the debt) above a health factor of 0.95e18, 10000 at or below it';

CREATE FUNCTION @extschema@.aave_liquidation_amounts(debt_to_cover @extschema@.uint256, user_total_debt @extschema@.uint256,
	health_factor @extschema@.uint256, user_collateral_balance @extschema@.uint256,
	collateral_price @extschema@.uint256, collateral_decimals int,
	debt_price @extschema@.uint256, debt_decimals int,
	liquidation_bonus_bps int, liquidation_protocol_fee_bps int DEFAULT 0,
	OUT actual_collateral_to_liquidate @extschema@.uint256, OUT actual_debt_to_cover @extschema@.uint256,
	OUT liquidation_protocol_fee @extschema@.uint256)
RETURNS record
AS 'MODULE_PATHNAME', 'aave_liquidation_amounts'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.aave_liquidation_amounts(@extschema@.uint256, @extschema@.uint256, @extschema@.uint256,
	@extschema@.uint256, @extschema@.uint256, int, @extschema@.uint256, int, int, int) IS
	'LiquidationLogic._calculateDebt then _calculateAvailableCollateralToLiquidate: collateral to the liquidator, debt repaid, collateral to the treasury; health_factor must be below 1e18';
