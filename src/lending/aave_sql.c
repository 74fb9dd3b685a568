/*
 * src/lending/aave_sql.c
 *
 * The SQL face of the Aave v3 math of aave.c: thin fmgr wrappers that check
 * the arguments the contracts' types would bound (uint40 timestamps, 16-bit
 * basis points, 0..77 decimals, the rate strategy constructor's requires),
 * turn an AaveStatus into an error naming the function and the Solidity step
 * that reverts (22003 overflow, 22012 division by zero), and build the
 * composite results.
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "fmgr.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"

#include "lending/aave.h"
#include "lending/lending_sql.h"

/* The Solidity step behind each status, for errdetail. */
static const char *
AaveStatusStep(AaveStatus st)
{
	switch (st)
	{
		case AAVE_OK:
			break;
		case AAVE_ERR_RAY_MUL:
			return "WadRayMath.rayMul reverts: a * b + HALF_RAY does not fit uint256.";
		case AAVE_ERR_RAY_DIV:
			return "WadRayMath.rayDiv reverts: a * RAY + b / 2 does not fit uint256.";
		case AAVE_ERR_RAY_DIV_ZERO:
			return "WadRayMath.rayDiv reverts on a zero divisor.";
		case AAVE_ERR_WAD_MUL:
			return "WadRayMath.wadMul reverts: a * b + HALF_WAD does not fit uint256.";
		case AAVE_ERR_WAD_DIV:
			return "WadRayMath.wadDiv reverts: a * WAD + b / 2 does not fit uint256.";
		case AAVE_ERR_WAD_DIV_ZERO:
			return "WadRayMath.wadDiv reverts on a zero divisor.";
		case AAVE_ERR_WAD_TO_RAY:
			return "WadRayMath.wadToRay reverts: a * 1e9 does not fit uint256.";
		case AAVE_ERR_PERCENT_MUL:
			return "PercentageMath.percentMul reverts: value * percentage + 5000 does not fit uint256.";
		case AAVE_ERR_PERCENT_DIV:
			return "PercentageMath.percentDiv reverts: value * 10000 + percentage / 2 does not fit uint256.";
		case AAVE_ERR_PERCENT_DIV_ZERO:
			return "PercentageMath.percentDiv reverts on a zero percentage.";
		case AAVE_ERR_ADD:
			return "A checked addition of the contract overflows uint256 (Solidity panic 0x11).";
		case AAVE_ERR_SUB:
			return "A checked subtraction of the contract goes below zero (Solidity panic 0x11).";
		case AAVE_ERR_MUL:
			return "A checked multiplication of the contract overflows uint256 (Solidity panic 0x11).";
		case AAVE_ERR_DIV_ZERO:
			return "A division of the contract by zero (Solidity panic 0x12).";
	}
	return NULL;
}

/* Raise the error of function fn for a status other than AAVE_OK. */
static void
AaveRaise(AaveStatus st, const char *fn)
{
	bool		zero;

	if (st == AAVE_OK)
		return;
	zero = (st == AAVE_ERR_RAY_DIV_ZERO || st == AAVE_ERR_WAD_DIV_ZERO ||
			st == AAVE_ERR_PERCENT_DIV_ZERO || st == AAVE_ERR_DIV_ZERO);
	ereport(ERROR,
			(errcode(zero ? ERRCODE_DIVISION_BY_ZERO : ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
			 zero ? errmsg("%s: division by zero", fn)
			 : errmsg("%s: result out of range", fn),
			 errdetail("%s", AaveStatusStep(st))));
}

/* An int argument within [lo, hi], or an error naming function and argument. */
static int32
IntArg(FunctionCallInfo fcinfo, int n, int32 lo, int32 hi, const char *fn, const char *what)
{
	int32		v = PG_GETARG_INT32(n);

	if (v < lo || v > hi)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: %s must lie between %d and %d: %d", fn, what, lo, hi, v)));
	return v;
}

/* A basis-points argument: a 16-bit configuration field (0 .. 65535). */
static int32
BpsArg(FunctionCallInfo fcinfo, int n, const char *fn, const char *what)
{
	return IntArg(fcinfo, n, 0, 65535, fn, what);
}

/*
 * The two timestamps of the interest functions: last is the reserve's uint40
 * lastUpdateTimestamp; now may not precede it (the contract would underflow).
 */
static void
TimestampArgs(FunctionCallInfo fcinfo, int n, const char *fn, const char *last_name,
			  int64 *last, int64 *now)
{
	*last = PG_GETARG_INT64(n);
	*now = PG_GETARG_INT64(n + 1);
	if (*last < 0 || *last > AAVE_MAX_UINT40)
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("%s: %s out of range for uint40: " INT64_FORMAT, fn, last_name, *last)));
	if (*now < *last)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: now_ts must not be before %s: " INT64_FORMAT " < " INT64_FORMAT,
						fn, last_name, *now, *last),
				 errdetail("The contract's now - last would underflow and revert.")));
}

/* A small non-negative constant as a Uint256. */
static Uint256
U(uint64 v)
{
	Uint256		r;

	Uint256FromUint64(&r, v);
	return r;
}

/* ---- WadRayMath and PercentageMath ---- */

/* A binary operation of the two math libraries over (uint256, uint256). */
typedef AaveStatus (*AaveBinOp) (const Uint256 *, const Uint256 *, Uint256 *);

/* The body of each binary wrapper. */
static Datum
BinOp(FunctionCallInfo fcinfo, AaveBinOp op, const char *fn)
{
	Uint256    *r = palloc(sizeof(Uint256));

	AaveRaise(op(PG_GETARG_UINT256_P(0), PG_GETARG_UINT256_P(1), r), fn);
	PG_RETURN_UINT256_P(r);
}

PG_FUNCTION_INFO_V1(aave_ray_mul);
PG_FUNCTION_INFO_V1(aave_ray_div);
PG_FUNCTION_INFO_V1(aave_wad_mul);
PG_FUNCTION_INFO_V1(aave_wad_div);
PG_FUNCTION_INFO_V1(aave_percent_mul);
PG_FUNCTION_INFO_V1(aave_percent_div);
PG_FUNCTION_INFO_V1(aave_wad_to_ray);
PG_FUNCTION_INFO_V1(aave_ray_to_wad);

/* aave_ray_mul(a, b): WadRayMath.rayMul. */
Datum
aave_ray_mul(PG_FUNCTION_ARGS)
{
	return BinOp(fcinfo, AaveRayMul, "aave_ray_mul");
}

/* aave_ray_div(a, b): WadRayMath.rayDiv. */
Datum
aave_ray_div(PG_FUNCTION_ARGS)
{
	return BinOp(fcinfo, AaveRayDiv, "aave_ray_div");
}

/* aave_wad_mul(a, b): WadRayMath.wadMul. */
Datum
aave_wad_mul(PG_FUNCTION_ARGS)
{
	return BinOp(fcinfo, AaveWadMul, "aave_wad_mul");
}

/* aave_wad_div(a, b): WadRayMath.wadDiv. */
Datum
aave_wad_div(PG_FUNCTION_ARGS)
{
	return BinOp(fcinfo, AaveWadDiv, "aave_wad_div");
}

/* aave_percent_mul(value, bps): PercentageMath.percentMul. */
Datum
aave_percent_mul(PG_FUNCTION_ARGS)
{
	return BinOp(fcinfo, AavePercentMul, "aave_percent_mul");
}

/* aave_percent_div(value, bps): PercentageMath.percentDiv. */
Datum
aave_percent_div(PG_FUNCTION_ARGS)
{
	return BinOp(fcinfo, AavePercentDiv, "aave_percent_div");
}

/* aave_wad_to_ray(a): WadRayMath.wadToRay. */
Datum
aave_wad_to_ray(PG_FUNCTION_ARGS)
{
	Uint256    *r = palloc(sizeof(Uint256));

	AaveRaise(AaveWadToRay(PG_GETARG_UINT256_P(0), r), "aave_wad_to_ray");
	PG_RETURN_UINT256_P(r);
}

/* aave_ray_to_wad(a): WadRayMath.rayToWad. */
Datum
aave_ray_to_wad(PG_FUNCTION_ARGS)
{
	Uint256    *r = palloc(sizeof(Uint256));

	AaveRayToWad(PG_GETARG_UINT256_P(0), r);
	PG_RETURN_UINT256_P(r);
}

/* ---- interest and indexes ---- */

PG_FUNCTION_INFO_V1(aave_linear_interest);
PG_FUNCTION_INFO_V1(aave_compounded_interest);
PG_FUNCTION_INFO_V1(aave_normalized_income);
PG_FUNCTION_INFO_V1(aave_normalized_debt);
PG_FUNCTION_INFO_V1(aave_scaled_amount);
PG_FUNCTION_INFO_V1(aave_balance);

/* aave_linear_interest(rate_ray, last_ts, now_ts): MathUtils.calculateLinearInterest. */
Datum
aave_linear_interest(PG_FUNCTION_ARGS)
{
	Uint256    *r = palloc(sizeof(Uint256));
	int64		last,
				now;

	TimestampArgs(fcinfo, 1, "aave_linear_interest", "last_ts", &last, &now);
	AaveRaise(AaveLinearInterest(PG_GETARG_UINT256_P(0), last, now, r),
			  "aave_linear_interest");
	PG_RETURN_UINT256_P(r);
}

/* aave_compounded_interest(rate_ray, last_ts, now_ts): MathUtils.calculateCompoundedInterest. */
Datum
aave_compounded_interest(PG_FUNCTION_ARGS)
{
	Uint256    *r = palloc(sizeof(Uint256));
	int64		last,
				now;

	TimestampArgs(fcinfo, 1, "aave_compounded_interest", "last_ts", &last, &now);
	AaveRaise(AaveCompoundedInterest(PG_GETARG_UINT256_P(0), last, now, r),
			  "aave_compounded_interest");
	PG_RETURN_UINT256_P(r);
}

/* aave_normalized_income(index, rate, last, now): ReserveLogic.getNormalizedIncome. */
Datum
aave_normalized_income(PG_FUNCTION_ARGS)
{
	Uint256    *r = palloc(sizeof(Uint256));
	int64		last,
				now;

	TimestampArgs(fcinfo, 2, "aave_normalized_income", "last_update_ts", &last, &now);
	AaveRaise(AaveNormalizedIncome(PG_GETARG_UINT256_P(0), PG_GETARG_UINT256_P(1),
								   last, now, r), "aave_normalized_income");
	PG_RETURN_UINT256_P(r);
}

/* aave_normalized_debt(index, rate, last, now): ReserveLogic.getNormalizedDebt. */
Datum
aave_normalized_debt(PG_FUNCTION_ARGS)
{
	Uint256    *r = palloc(sizeof(Uint256));
	int64		last,
				now;

	TimestampArgs(fcinfo, 2, "aave_normalized_debt", "last_update_ts", &last, &now);
	AaveRaise(AaveNormalizedDebt(PG_GETARG_UINT256_P(0), PG_GETARG_UINT256_P(1),
								 last, now, r), "aave_normalized_debt");
	PG_RETURN_UINT256_P(r);
}

/* aave_balance(scaled_balance, index): AToken / VariableDebtToken balanceOf. */
Datum
aave_balance(PG_FUNCTION_ARGS)
{
	return BinOp(fcinfo, AaveRayMul, "aave_balance");
}

/*
 * aave_scaled_amount(amount, index, rounding): the scaled amount a mint or
 * burn records.  'half_up' is rayDiv, what ScaledBalanceTokenBase does in
 * this version; 'floor' and 'ceil' are the exact amount * RAY / index
 * rounded down or up, for bounds.
 */
Datum
aave_scaled_amount(PG_FUNCTION_ARGS)
{
	const Uint256 *amount = PG_GETARG_UINT256_P(0);
	const Uint256 *index = PG_GETARG_UINT256_P(1);
	char	   *rounding = text_to_cstring(PG_GETARG_TEXT_PP(2));
	Uint256    *r = palloc(sizeof(Uint256));

	if (strcmp(rounding, "half_up") == 0)
		AaveRaise(AaveRayDiv(amount, index, r), "aave_scaled_amount");
	else if (strcmp(rounding, "floor") == 0 || strcmp(rounding, "ceil") == 0)
	{
		if (Uint256IsZero(index))
			AaveRaise(AAVE_ERR_RAY_DIV_ZERO, "aave_scaled_amount");
		if (!Uint256MulDiv(amount, &AAVE_RAY, index, rounding[0] == 'c', r))
			AaveRaise(AAVE_ERR_RAY_DIV, "aave_scaled_amount");
	}
	else
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("aave_scaled_amount: rounding must be half_up, floor or ceil: \"%s\"",
						rounding)));
	PG_RETURN_UINT256_P(r);
}

/* ---- the default interest rate strategy ---- */

PG_FUNCTION_INFO_V1(aave_reserve_rates);

/*
 * aave_reserve_rates(unbacked, liquidity_added, liquidity_taken,
 * total_stable_debt, total_variable_debt, average_stable_rate,
 * reserve_factor_bps, available_liquidity, optimal_usage_ray,
 * base_variable_rate_ray, variable_slope1_ray, variable_slope2_ray,
 * stable_slope1_ray, stable_slope2_ray, base_stable_rate_offset_ray,
 * stable_rate_excess_offset_ray, optimal_stable_to_total_debt_ray) →
 * (liquidity_rate, stable_borrow_rate, variable_borrow_rate):
 * DefaultReserveInterestRateStrategy.calculateInterestRates.
 */
Datum
aave_reserve_rates(PG_FUNCTION_ARGS)
{
	const char *fn = "aave_reserve_rates";
	AaveRateInputs in;
	AaveRateStrategy s;
	AaveRates out;
	LendResult *res = LendResultGet(fcinfo);
	Datum		values[3];

	in.unbacked = *PG_GETARG_UINT256_P(0);
	in.liquidity_added = *PG_GETARG_UINT256_P(1);
	in.liquidity_taken = *PG_GETARG_UINT256_P(2);
	in.total_stable_debt = *PG_GETARG_UINT256_P(3);
	in.total_variable_debt = *PG_GETARG_UINT256_P(4);
	in.average_stable_borrow_rate = *PG_GETARG_UINT256_P(5);
	in.reserve_factor = U((uint64) IntArg(fcinfo, 6, 0, AAVE_PERCENTAGE_FACTOR, fn,
										  "reserve_factor_bps"));
	in.available_liquidity = *PG_GETARG_UINT256_P(7);
	s.optimal_usage_ratio = *PG_GETARG_UINT256_P(8);
	s.base_variable_borrow_rate = *PG_GETARG_UINT256_P(9);
	s.variable_rate_slope1 = *PG_GETARG_UINT256_P(10);
	s.variable_rate_slope2 = *PG_GETARG_UINT256_P(11);
	s.stable_rate_slope1 = *PG_GETARG_UINT256_P(12);
	s.stable_rate_slope2 = *PG_GETARG_UINT256_P(13);
	s.base_stable_rate_offset = *PG_GETARG_UINT256_P(14);
	s.stable_rate_excess_offset = *PG_GETARG_UINT256_P(15);
	s.optimal_stable_to_total_debt_ratio = *PG_GETARG_UINT256_P(16);

	/* The constructor's requires (INVALID_OPTIMAL_USAGE_RATIO and its twin). */
	if (Uint256Cmp(&s.optimal_usage_ratio, &AAVE_RAY) > 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: optimal_usage_ray must not exceed 1e27", fn)));
	if (Uint256Cmp(&s.optimal_stable_to_total_debt_ratio, &AAVE_RAY) > 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: optimal_stable_to_total_debt_ray must not exceed 1e27", fn)));

	AaveRaise(AaveReserveRates(&in, &s, &out), fn);
	values[0] = Uint256PGetDatum(&out.liquidity_rate);
	values[1] = Uint256PGetDatum(&out.stable_borrow_rate);
	values[2] = Uint256PGetDatum(&out.variable_borrow_rate);
	PG_RETURN_DATUM(LendResultForm(res, values));
}

/* ---- account data, health factor, borrows ---- */

PG_FUNCTION_INFO_V1(aave_health_factor);
PG_FUNCTION_INFO_V1(aave_account_data);
PG_FUNCTION_INFO_V1(aave_asset_value_base);
PG_FUNCTION_INFO_V1(aave_max_borrow_base);

/* aave_health_factor(collateral_base, debt_base, liquidation_threshold_bps). */
Datum
aave_health_factor(PG_FUNCTION_ARGS)
{
	Uint256    *r = palloc(sizeof(Uint256));
	Uint256		lt = U((uint64) BpsArg(fcinfo, 2, "aave_health_factor",
									   "liquidation_threshold_bps"));

	AaveRaise(AaveHealthFactor(PG_GETARG_UINT256_P(0), PG_GETARG_UINT256_P(1), &lt, r),
			  "aave_health_factor");
	PG_RETURN_UINT256_P(r);
}

/*
 * The elements of a one-dimensional array without nulls (an empty array
 * gives none); what names the argument in errors.
 */
static Datum *
ArrayArg(FunctionCallInfo fcinfo, int n, const char *fn, const char *what, int *count)
{
	ArrayType  *arr = PG_GETARG_ARRAYTYPE_P(n);
	int16		typlen;
	bool		typbyval;
	char		typalign;
	Datum	   *elems;
	bool	   *isnull;
	int			i;

	if (ARR_NDIM(arr) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("%s: %s must be a one-dimensional array", fn, what)));
	get_typlenbyvalalign(ARR_ELEMTYPE(arr), &typlen, &typbyval, &typalign);
	deconstruct_array(arr, ARR_ELEMTYPE(arr), typlen, typbyval, typalign,
					  &elems, &isnull, count);
	for (i = 0; i < *count; i++)
		if (isnull[i])
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("%s: %s must not contain nulls", fn, what)));
	return elems;
}

/*
 * aave_account_data(collateral_base[], ltv_bps[], liquidation_threshold_bps[],
 * debt_base[], asset_emode_category[], user_emode_category, emode_ltv_bps,
 * emode_liquidation_threshold_bps) → (total_collateral_base,
 * total_debt_base, avg_ltv_bps, avg_liquidation_threshold_bps,
 * health_factor, has_zero_ltv_collateral): the arithmetic of
 * GenericLogic.calculateUserAccountData over values in base currency.
 */
Datum
aave_account_data(PG_FUNCTION_ARGS)
{
	const char *fn = "aave_account_data";
	int			ncoll,
				nltv,
				nlt,
				ndebt,
				ncat,
				i;
	Datum	   *coll = ArrayArg(fcinfo, 0, fn, "collateral_base", &ncoll);
	Datum	   *ltv = ArrayArg(fcinfo, 1, fn, "ltv_bps", &nltv);
	Datum	   *lt = ArrayArg(fcinfo, 2, fn, "liquidation_threshold_bps", &nlt);
	Datum	   *debt = ArrayArg(fcinfo, 3, fn, "debt_base", &ndebt);
	Datum	   *cat = ArrayArg(fcinfo, 4, fn, "asset_emode_category", &ncat);
	int			user_cat = IntArg(fcinfo, 5, 0, 255, fn, "user_emode_category");
	int			emode_ltv = BpsArg(fcinfo, 6, fn, "emode_ltv_bps");
	int			emode_lt = BpsArg(fcinfo, 7, fn, "emode_liquidation_threshold_bps");
	AaveAccountAsset *assets;
	Uint256    *debts;
	AaveAccount acc;
	LendResult *res = LendResultGet(fcinfo);
	Datum		values[6];
	int64		v;

	if (nltv != ncoll || nlt != ncoll || (ncat != 0 && ncat != ncoll))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: collateral_base, ltv_bps, liquidation_threshold_bps and asset_emode_category must have the same length: %d, %d, %d, %d",
						fn, ncoll, nltv, nlt, ncat),
				 errhint("asset_emode_category may also be empty: no asset is in an e-mode category.")));
	assets = palloc(sizeof(AaveAccountAsset) * Max(ncoll, 1));
	for (i = 0; i < ncoll; i++)
	{
		assets[i].collateral_base = *DatumGetUint256P(coll[i]);
		v = DatumGetInt32(ltv[i]);
		if (v < 0 || v > 65535)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("%s: ltv_bps must lie between 0 and 65535: " INT64_FORMAT, fn, v)));
		assets[i].ltv = (int) v;
		v = DatumGetInt32(lt[i]);
		if (v < 0 || v > 65535)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("%s: liquidation_threshold_bps must lie between 0 and 65535: " INT64_FORMAT, fn, v)));
		assets[i].liquidation_threshold = (int) v;
		v = ncat ? DatumGetInt32(cat[i]) : 0;
		if (v < 0 || v > 255)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("%s: asset_emode_category must lie between 0 and 255: " INT64_FORMAT, fn, v)));
		assets[i].emode_category = (int) v;
	}
	debts = palloc(sizeof(Uint256) * Max(ndebt, 1));
	for (i = 0; i < ndebt; i++)
		debts[i] = *DatumGetUint256P(debt[i]);

	AaveRaise(AaveAccountData(ncoll, assets, ndebt, debts, user_cat, emode_ltv, emode_lt,
							  &acc), fn);
	values[0] = Uint256PGetDatum(&acc.total_collateral_base);
	values[1] = Uint256PGetDatum(&acc.total_debt_base);
	/* averages of 16-bit values: they fit an int */
	values[2] = Int32GetDatum((int32) acc.avg_ltv.w[0]);
	values[3] = Int32GetDatum((int32) acc.avg_liquidation_threshold.w[0]);
	values[4] = Uint256PGetDatum(&acc.health_factor);
	values[5] = BoolGetDatum(acc.has_zero_ltv_collateral);
	PG_RETURN_DATUM(LendResultForm(res, values));
}

/* aave_asset_value_base(amount, price, decimals): amount * price / 10^decimals. */
Datum
aave_asset_value_base(PG_FUNCTION_ARGS)
{
	Uint256    *r = palloc(sizeof(Uint256));
	int			decimals = IntArg(fcinfo, 2, 0, 77, "aave_asset_value_base", "decimals");

	AaveRaise(AaveAssetValueBase(PG_GETARG_UINT256_P(0), PG_GETARG_UINT256_P(1),
								 decimals, r), "aave_asset_value_base");
	PG_RETURN_UINT256_P(r);
}

/* aave_max_borrow_base(collateral_base, debt_base, ltv_bps): GenericLogic.calculateAvailableBorrows. */
Datum
aave_max_borrow_base(PG_FUNCTION_ARGS)
{
	Uint256    *r = palloc(sizeof(Uint256));
	Uint256		ltv = U((uint64) BpsArg(fcinfo, 2, "aave_max_borrow_base", "ltv_bps"));

	AaveRaise(AaveAvailableBorrows(PG_GETARG_UINT256_P(0), PG_GETARG_UINT256_P(1), &ltv, r),
			  "aave_max_borrow_base");
	PG_RETURN_UINT256_P(r);
}

/* ---- liquidation ---- */

PG_FUNCTION_INFO_V1(aave_close_factor_bps);
PG_FUNCTION_INFO_V1(aave_liquidation_amounts);

/* aave_close_factor_bps(health_factor): 5000, or 10000 at or below 0.95. */
Datum
aave_close_factor_bps(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT32(AaveCloseFactor(PG_GETARG_UINT256_P(0)));
}

/*
 * aave_liquidation_amounts(debt_to_cover, user_total_debt, health_factor,
 * user_collateral_balance, collateral_price, collateral_decimals,
 * debt_price, debt_decimals, liquidation_bonus_bps,
 * liquidation_protocol_fee_bps) → (actual_collateral_to_liquidate,
 * actual_debt_to_cover, liquidation_protocol_fee).
 */
Datum
aave_liquidation_amounts(PG_FUNCTION_ARGS)
{
	const char *fn = "aave_liquidation_amounts";
	AaveLiquidationInputs in;
	AaveLiquidation out;
	LendResult *res = LendResultGet(fcinfo);
	Datum		values[3];

	in.debt_to_cover = *PG_GETARG_UINT256_P(0);
	in.user_total_debt = *PG_GETARG_UINT256_P(1);
	in.health_factor = *PG_GETARG_UINT256_P(2);
	in.user_collateral_balance = *PG_GETARG_UINT256_P(3);
	in.collateral_price = *PG_GETARG_UINT256_P(4);
	in.collateral_decimals = IntArg(fcinfo, 5, 0, 77, fn, "collateral_decimals");
	in.debt_price = *PG_GETARG_UINT256_P(6);
	in.debt_decimals = IntArg(fcinfo, 7, 0, 77, fn, "debt_decimals");
	in.liquidation_bonus = U((uint64) BpsArg(fcinfo, 8, fn, "liquidation_bonus_bps"));
	in.liquidation_protocol_fee = U((uint64) BpsArg(fcinfo, 9, fn,
													"liquidation_protocol_fee_bps"));

	/* ValidationLogic.validateLiquidationCall's checks on these amounts. */
	if (Uint256Cmp(&in.health_factor, &AAVE_HF_LIQUIDATION_THRESHOLD) >= 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: health_factor must be below 1e18 for a liquidation", fn),
				 errdetail("The pool reverts with HEALTH_FACTOR_NOT_BELOW_THRESHOLD.")));
	if (Uint256IsZero(&in.user_total_debt))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: user_total_debt must not be zero", fn),
				 errdetail("The pool reverts with SPECIFIED_CURRENCY_NOT_BORROWED_BY_USER.")));

	AaveRaise(AaveLiquidationAmounts(&in, &out), fn);
	values[0] = Uint256PGetDatum(&out.collateral_to_liquidate);
	values[1] = Uint256PGetDatum(&out.debt_to_cover);
	values[2] = Uint256PGetDatum(&out.protocol_fee);
	PG_RETURN_DATUM(LendResultForm(res, values));
}
