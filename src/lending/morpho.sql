-- src/lending/morpho.sql: exact Morpho Blue math (C in src/lending/morpho.c).
--
-- Integer results are bit for bit those of Morpho Blue's MathLib,
-- SharesMathLib, MarketParamsLib and Morpho (_accrueInterest, _isHealthy,
-- liquidate) and of the AdaptiveCurveIrm (_borrowRate, ExpLib.wExp), with
-- Solidity 0.8's checked arithmetic: where the contract reverts, these
-- functions raise an error (22003 out of range, 22012 division by zero,
-- 22023 a parameter the protocol refuses).  Amounts are raw token units,
-- rates are per second scaled by 1e18 (WAD), prices are the oracle's, scaled
-- by 1e36.  Ratios (health factor, LTV) are numeric with 18 decimals, APYs
-- float8 for display.  All pure: IMMUTABLE STRICT PARALLEL SAFE, EXECUTE
-- left to PUBLIC (schema USAGE gates access), as univ3's math.

-- ---- market id and shares ----

CREATE FUNCTION @extschema@.morpho_market_id(loan @extschema@.address, collateral @extschema@.address,
	oracle @extschema@.address, irm @extschema@.address, lltv @extschema@.uint256)
RETURNS @extschema@.bytes32
AS 'MODULE_PATHNAME', 'morpho_market_id'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.morpho_market_id(@extschema@.address, @extschema@.address, @extschema@.address, @extschema@.address, @extschema@.uint256) IS
	'MarketParamsLib.id: keccak256(abi.encode(loanToken, collateralToken, oracle, irm, lltv))';

CREATE FUNCTION @extschema@.morpho_to_assets(shares @extschema@.uint256, total_assets @extschema@.uint256,
	total_shares @extschema@.uint256, round_up boolean)
RETURNS @extschema@.uint256
AS 'MODULE_PATHNAME', 'morpho_to_assets'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.morpho_to_assets(@extschema@.uint256, @extschema@.uint256, @extschema@.uint256, boolean) IS
	'SharesMathLib.toAssetsDown/Up: shares * (total_assets + 1) / (total_shares + 1e6)';

CREATE FUNCTION @extschema@.morpho_to_shares(assets @extschema@.uint256, total_assets @extschema@.uint256,
	total_shares @extschema@.uint256, round_up boolean)
RETURNS @extschema@.uint256
AS 'MODULE_PATHNAME', 'morpho_to_shares'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.morpho_to_shares(@extschema@.uint256, @extschema@.uint256, @extschema@.uint256, boolean) IS
	'SharesMathLib.toSharesDown/Up: assets * (total_shares + 1e6) / (total_assets + 1)';

-- ---- interest rate model ----

CREATE FUNCTION @extschema@.morpho_utilization(total_supply_assets @extschema@.uint256,
	total_borrow_assets @extschema@.uint256)
RETURNS @extschema@.uint256
AS 'MODULE_PATHNAME', 'morpho_utilization'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.morpho_utilization(@extschema@.uint256, @extschema@.uint256) IS
	'utilization as the AdaptiveCurveIrm computes it: total_borrow_assets.wDivDown(total_supply_assets), 0 when the supply is 0';

CREATE FUNCTION @extschema@.morpho_wexp(x @extschema@.int256)
RETURNS @extschema@.int256
AS 'MODULE_PATHNAME', 'morpho_wexp'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.morpho_wexp(@extschema@.int256) IS
	'ExpLib.wExp of the AdaptiveCurveIrm: e^x for a WAD-scaled x (2^q times a second-order e^r), 0 below ln(1e-18), clipped above 93.86';

CREATE FUNCTION @extschema@.morpho_borrow_rate(rate_at_target @extschema@.int256,
	utilization_wad @extschema@.uint256, elapsed bigint,
	OUT avg_rate @extschema@.uint256, OUT end_rate_at_target @extschema@.int256)
AS 'MODULE_PATHNAME', 'morpho_borrow_rate'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.morpho_borrow_rate(@extschema@.int256, @extschema@.uint256, bigint) IS
	'AdaptiveCurveIrm._borrowRate: the average borrow rate per second over elapsed seconds (what Morpho accrues with) and the rate at target the IRM stores; rate_at_target 0 is a new market (INITIAL_RATE_AT_TARGET)';

-- ---- interest accrual and rates ----

CREATE FUNCTION @extschema@.morpho_accrue(total_supply_assets @extschema@.uint256,
	total_supply_shares @extschema@.uint256, total_borrow_assets @extschema@.uint256,
	total_borrow_shares @extschema@.uint256, fee @extschema@.uint256,
	borrow_rate @extschema@.uint256, elapsed bigint,
	OUT total_supply_assets @extschema@.uint256, OUT total_supply_shares @extschema@.uint256,
	OUT total_borrow_assets @extschema@.uint256, OUT total_borrow_shares @extschema@.uint256,
	OUT interest @extschema@.uint256, OUT fee_shares @extschema@.uint256)
AS 'MODULE_PATHNAME', 'morpho_accrue'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.morpho_accrue(@extschema@.uint256, @extschema@.uint256, @extschema@.uint256, @extschema@.uint256, @extschema@.uint256, @extschema@.uint256, bigint) IS
	'Morpho._accrueInterest: interest = total_borrow_assets.wMulDown(borrow_rate.wTaylorCompounded(elapsed)) added to both totals; the fee minted as supply shares (toSharesDown on the supply less the fee amount)';

CREATE FUNCTION @extschema@.morpho_supply_rate(borrow_rate @extschema@.uint256,
	utilization @extschema@.uint256, fee @extschema@.uint256)
RETURNS @extschema@.uint256
AS 'MODULE_PATHNAME', 'morpho_supply_rate'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.morpho_supply_rate(@extschema@.uint256, @extschema@.uint256, @extschema@.uint256) IS
	'supply rate per second (WAD) as blue-sdk computes it: borrow_rate.wMulDown(utilization).wMulUp(1e18 - fee)';

CREATE FUNCTION @extschema@.morpho_rate_to_apy(rate_per_second @extschema@.uint256)
RETURNS float8
AS 'MODULE_PATHNAME', 'morpho_rate_to_apy'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.morpho_rate_to_apy(@extschema@.uint256) IS
	'APY of a per-second WAD rate, compounded continuously as blue-sdk''s rateToApy: exp(rate * 31536000 / 1e18) - 1';

-- ---- health ----

CREATE FUNCTION @extschema@.morpho_max_borrow(collateral @extschema@.uint256, price @extschema@.uint256,
	lltv @extschema@.uint256)
RETURNS @extschema@.uint256
AS 'MODULE_PATHNAME', 'morpho_max_borrow'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.morpho_max_borrow(@extschema@.uint256, @extschema@.uint256, @extschema@.uint256) IS
	'the most a position may owe and stay healthy: collateral.mulDivDown(price, 1e36).wMulDown(lltv)';

CREATE FUNCTION @extschema@.morpho_is_healthy(collateral @extschema@.uint256, borrow_shares @extschema@.uint256,
	total_borrow_assets @extschema@.uint256, total_borrow_shares @extschema@.uint256,
	price @extschema@.uint256, lltv @extschema@.uint256)
RETURNS boolean
AS 'MODULE_PATHNAME', 'morpho_is_healthy'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.morpho_is_healthy(@extschema@.uint256, @extschema@.uint256, @extschema@.uint256, @extschema@.uint256, @extschema@.uint256, @extschema@.uint256) IS
	'Morpho._isHealthy: true without borrow shares, else morpho_max_borrow >= borrow_shares.toAssetsUp(totals)';

CREATE FUNCTION @extschema@.morpho_health_factor(collateral @extschema@.uint256, borrow_shares @extschema@.uint256,
	total_borrow_assets @extschema@.uint256, total_borrow_shares @extschema@.uint256,
	price @extschema@.uint256, lltv @extschema@.uint256)
RETURNS numeric
AS 'MODULE_PATHNAME', 'morpho_health_factor'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.morpho_health_factor(@extschema@.uint256, @extschema@.uint256, @extschema@.uint256, @extschema@.uint256, @extschema@.uint256, @extschema@.uint256) IS
	'max borrow / debt (debt = borrow_shares.toAssetsUp), rounded down at 18 decimals: >= 1 exactly when morpho_is_healthy; NULL without debt';

CREATE FUNCTION @extschema@.morpho_ltv(collateral @extschema@.uint256, borrow_assets @extschema@.uint256,
	price @extschema@.uint256)
RETURNS numeric
AS 'MODULE_PATHNAME', 'morpho_ltv'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.morpho_ltv(@extschema@.uint256, @extschema@.uint256, @extschema@.uint256) IS
	'loan to value: borrow_assets / collateral.mulDivDown(price, 1e36), rounded up at 18 decimals; 0 without debt, Infinity when the collateral is worth 0';

-- ---- liquidation ----

CREATE FUNCTION @extschema@.morpho_liquidation_incentive_factor(lltv @extschema@.uint256)
RETURNS @extschema@.uint256
AS 'MODULE_PATHNAME', 'morpho_liquidation_incentive_factor'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.morpho_liquidation_incentive_factor(@extschema@.uint256) IS
	'min(1.15e18, 1e18.wDivDown(1e18 - 0.3e18.wMulDown(1e18 - lltv))), as Morpho.liquidate';

CREATE FUNCTION @extschema@.morpho_liquidate(seized_assets @extschema@.uint256, repaid_shares @extschema@.uint256,
	total_borrow_assets @extschema@.uint256, total_borrow_shares @extschema@.uint256,
	price @extschema@.uint256, lltv @extschema@.uint256,
	OUT seized_assets @extschema@.uint256, OUT repaid_shares @extschema@.uint256,
	OUT repaid_assets @extschema@.uint256)
AS 'MODULE_PATHNAME', 'morpho_liquidate'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.morpho_liquidate(@extschema@.uint256, @extschema@.uint256, @extschema@.uint256, @extschema@.uint256, @extschema@.uint256, @extschema@.uint256) IS
	'Morpho.liquidate''s amounts: given exactly one of seized_assets and repaid_shares (the other 0), the other one and the assets repaid (toAssetsUp); does not check the position''s health';

CREATE FUNCTION @extschema@.morpho_liquidation_price(collateral @extschema@.uint256, borrow_shares @extschema@.uint256,
	total_borrow_assets @extschema@.uint256, total_borrow_shares @extschema@.uint256,
	lltv @extschema@.uint256)
RETURNS @extschema@.uint256
AS 'MODULE_PATHNAME', 'morpho_liquidation_price'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.morpho_liquidation_price(@extschema@.uint256, @extschema@.uint256, @extschema@.uint256, @extschema@.uint256, @extschema@.uint256) IS
	'highest oracle price (1e36 scale) at which the position is unhealthy: morpho_is_healthy is false at it and true one wei above; NULL without debt; 2^256-1 when no price makes it healthy';
