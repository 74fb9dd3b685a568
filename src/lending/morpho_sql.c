/*
 * src/lending/morpho_sql.c
 *
 * The SQL face of the Morpho Blue math in morpho.c: thin fmgr wrappers that
 * check each argument against what the protocol allows (lltv below 100%,
 * the fee at most 25%, totals that fit the contract's uint128, elapsed time
 * not negative), turn a MorphoStatus into an error naming the function, and
 * build the composite and numeric results.
 */
#include "postgres.h"

#include <math.h>
#include <stdlib.h>

#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/float.h"

#include "lending/lending_sql.h"
#include "lending/morpho.h"

PG_FUNCTION_INFO_V1(morpho_market_id);
PG_FUNCTION_INFO_V1(morpho_to_assets);
PG_FUNCTION_INFO_V1(morpho_to_shares);
PG_FUNCTION_INFO_V1(morpho_utilization);
PG_FUNCTION_INFO_V1(morpho_wexp);
PG_FUNCTION_INFO_V1(morpho_borrow_rate);
PG_FUNCTION_INFO_V1(morpho_accrue);
PG_FUNCTION_INFO_V1(morpho_supply_rate);
PG_FUNCTION_INFO_V1(morpho_rate_to_apy);
PG_FUNCTION_INFO_V1(morpho_max_borrow);
PG_FUNCTION_INFO_V1(morpho_is_healthy);
PG_FUNCTION_INFO_V1(morpho_health_factor);
PG_FUNCTION_INFO_V1(morpho_ltv);
PG_FUNCTION_INFO_V1(morpho_liquidation_incentive_factor);
PG_FUNCTION_INFO_V1(morpho_liquidate);
PG_FUNCTION_INFO_V1(morpho_liquidation_price);

/*
 * A uint256 on the stack as a composite's field: LendResultForm copies
 * pass-by-reference values into the tuple, so no palloc'd copy is needed.
 */
#define U256DATUM(x) PointerGetDatum(x)

/* Raise the error for a status other than MORPHO_OK, naming the function. */
static void
MorphoRaise(MorphoStatus st, const char *fn)
{
	switch (st)
	{
		case MORPHO_OK:
			return;
		case MORPHO_ERR_OVERFLOW:
			ereport(ERROR,
					(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
					 errmsg("%s: result out of range", fn),
					 errdetail("Morpho Blue reverts here: an intermediate value or the result overflows its Solidity type (uint256, int256, or a uint128 total).")));
			break;
		case MORPHO_ERR_DIV_ZERO:
			ereport(ERROR,
					(errcode(ERRCODE_DIVISION_BY_ZERO),
					 errmsg("%s: division by zero", fn),
					 errdetail("Morpho Blue reverts here: a divisor (such as the oracle price) is zero.")));
			break;
	}
	elog(ERROR, "unexpected morpho status %d", (int) st);
}

/* A uint256 argument that must fit uint128 (a market total, as stored). */
static const Uint256 *
GetU128Arg(FunctionCallInfo fcinfo, int n, const char *fn, const char *what)
{
	const Uint256 *v = PG_GETARG_UINT256_P(n);

	if (v->w[2] != 0 || v->w[3] != 0)
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("%s: %s out of range for uint128", fn, what),
				 errdetail("Morpho Blue stores market totals as uint128.")));
	return v;
}

/* An lltv argument: Morpho.enableLltv requires lltv < WAD. */
static const Uint256 *
GetLltvArg(FunctionCallInfo fcinfo, int n, const char *fn)
{
	const Uint256 *v = PG_GETARG_UINT256_P(n);

	if ((v->w[1] | v->w[2] | v->w[3]) != 0 || v->w[0] >= MORPHO_WAD)
	{
		char		buf[UINT256_DEC_BUFLEN];

		Uint256ToDecimal(v, buf);
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: lltv must be below 1000000000000000000 (100%%): %s", fn, buf),
				 errdetail("Morpho Blue enables only an lltv below WAD (MAX_LLTV_EXCEEDED).")));
	}
	return v;
}

/* A fee argument: Morpho.setFee requires fee <= MAX_FEE (25%). */
static const Uint256 *
GetFeeArg(FunctionCallInfo fcinfo, int n, const char *fn)
{
	const Uint256 *v = PG_GETARG_UINT256_P(n);

	if ((v->w[1] | v->w[2] | v->w[3]) != 0 || v->w[0] > MORPHO_MAX_FEE)
	{
		char		buf[UINT256_DEC_BUFLEN];

		Uint256ToDecimal(v, buf);
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: fee must be at most 250000000000000000 (25%%): %s", fn, buf),
				 errdetail("Morpho Blue refuses a larger fee (MAX_FEE_EXCEEDED).")));
	}
	return v;
}

/* An elapsed-seconds argument: not negative. */
static uint64
GetElapsedArg(FunctionCallInfo fcinfo, int n, const char *fn)
{
	int64		v = PG_GETARG_INT64(n);

	if (v < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: elapsed must not be negative: " INT64_FORMAT, fn, v)));
	return (uint64) v;
}

/*
 * a / b as a numeric with 18 decimals, rounded down or up at the 18th,
 * exactly, for any uint256 a and nonzero b.  That is t / 1e18 with
 * t = floor or ceil(a * 1e18 / b), one mul-div (512-bit product), split
 * into integer part and fraction for LendWadNumeric.  When t itself exceeds
 * 2^256 the integer part and the remainder's fraction are computed
 * separately.
 */
static Datum
RatioNumeric(const Uint256 *a, const Uint256 *b, bool round_up)
{
	Uint256		q;
	Uint256		rem;
	Uint256		f;
	Uint256		wad = {{MORPHO_WAD, 0, 0, 0}};

	if (Uint256MulDiv(a, &wad, b, round_up, &q))
	{
		if (q.w[1] == 0 && q.w[2] == 0 && q.w[3] == 0)
		{
			uint64		t = q.w[0];

			q.w[0] = t / MORPHO_WAD;
			return LendWadNumeric(&q, t % MORPHO_WAD);
		}
		(void) Uint256DivMod(&q, &wad, &q, &rem);
		return LendWadNumeric(&q, rem.w[0]);
	}
	(void) Uint256DivMod(a, b, &q, &rem);
	(void) Uint256MulDiv(&rem, &wad, b, round_up, &f);
	if (f.w[0] == MORPHO_WAD)
	{
		Uint256		one = {{1, 0, 0, 0}};

		(void) Uint256Add(&q, &one, &q);
		f.w[0] = 0;
	}
	return LendWadNumeric(&q, f.w[0]);
}

/* morpho_market_id(loan, collateral, oracle, irm, lltv): MarketParamsLib.id. */
Datum
morpho_market_id(PG_FUNCTION_ARGS)
{
	uint8		out[32];

	MorphoMarketId(PG_GETARG_ADDRESS_P(0)->b, PG_GETARG_ADDRESS_P(1)->b,
				   PG_GETARG_ADDRESS_P(2)->b, PG_GETARG_ADDRESS_P(3)->b,
				   PG_GETARG_UINT256_P(4), out);
	PG_RETURN_BYTES32_P(Bytes32FromRaw(out));
}

/* morpho_to_assets(shares, total_assets, total_shares, round_up): SharesMathLib.toAssets*. */
Datum
morpho_to_assets(PG_FUNCTION_ARGS)
{
	Uint256    *r = palloc(sizeof(Uint256));

	MorphoRaise(MorphoToAssets(PG_GETARG_UINT256_P(0), PG_GETARG_UINT256_P(1),
							   PG_GETARG_UINT256_P(2), PG_GETARG_BOOL(3), r),
				"morpho_to_assets");
	PG_RETURN_UINT256_P(r);
}

/* morpho_to_shares(assets, total_assets, total_shares, round_up): SharesMathLib.toShares*. */
Datum
morpho_to_shares(PG_FUNCTION_ARGS)
{
	Uint256    *r = palloc(sizeof(Uint256));

	MorphoRaise(MorphoToShares(PG_GETARG_UINT256_P(0), PG_GETARG_UINT256_P(1),
							   PG_GETARG_UINT256_P(2), PG_GETARG_BOOL(3), r),
				"morpho_to_shares");
	PG_RETURN_UINT256_P(r);
}

/* morpho_utilization(total_supply_assets, total_borrow_assets): the IRM's utilization. */
Datum
morpho_utilization(PG_FUNCTION_ARGS)
{
	Uint256    *r = palloc(sizeof(Uint256));

	MorphoRaise(MorphoUtilization(PG_GETARG_UINT256_P(0), PG_GETARG_UINT256_P(1), r),
				"morpho_utilization");
	PG_RETURN_UINT256_P(r);
}

/* morpho_wexp(x): ExpLib.wExp. */
Datum
morpho_wexp(PG_FUNCTION_ARGS)
{
	Uint256    *r = palloc(sizeof(Uint256));

	MorphoWExp(PG_GETARG_UINT256_P(0), r);
	PG_RETURN_UINT256_P(r);
}

/* morpho_borrow_rate(rate_at_target, utilization_wad, elapsed): AdaptiveCurveIrm._borrowRate. */
Datum
morpho_borrow_rate(PG_FUNCTION_ARGS)
{
	const Uint256 *rat = PG_GETARG_UINT256_P(0);
	const Uint256 *util = PG_GETARG_UINT256_P(1);
	uint64		elapsed = GetElapsedArg(fcinfo, 2, "morpho_borrow_rate");
	LendResult *res = LendResultGet(fcinfo);
	Uint256		avg;
	Uint256		end;
	Datum		values[2];

	/* the int256 sign bit, the top bit of the top limb */
	if ((int64) rat->w[3] < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("morpho_borrow_rate: rate_at_target must not be negative"),
				 errdetail("The IRM stores 0 for a new market and a rate between MIN_RATE_AT_TARGET and MAX_RATE_AT_TARGET otherwise.")));
	if ((int64) util->w[3] < 0)
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("morpho_borrow_rate: utilization_wad out of range for int256")));
	MorphoRaise(MorphoBorrowRate(rat, util, elapsed, &avg, &end), "morpho_borrow_rate");
	values[0] = U256DATUM(&avg);
	values[1] = U256DATUM(&end);
	PG_RETURN_DATUM(LendResultForm(res, values));
}

/* morpho_accrue(totals..., fee, borrow_rate, elapsed): Morpho._accrueInterest. */
Datum
morpho_accrue(PG_FUNCTION_ARGS)
{
	const char *fn = "morpho_accrue";
	MorphoMarket m;
	const Uint256 *fee;
	uint64		elapsed;
	Uint256		interest;
	Uint256		fee_shares;
	LendResult *res = LendResultGet(fcinfo);
	Datum		values[6];

	m.total_supply_assets = *GetU128Arg(fcinfo, 0, fn, "total_supply_assets");
	m.total_supply_shares = *GetU128Arg(fcinfo, 1, fn, "total_supply_shares");
	m.total_borrow_assets = *GetU128Arg(fcinfo, 2, fn, "total_borrow_assets");
	m.total_borrow_shares = *GetU128Arg(fcinfo, 3, fn, "total_borrow_shares");
	fee = GetFeeArg(fcinfo, 4, fn);
	elapsed = GetElapsedArg(fcinfo, 6, fn);
	MorphoRaise(MorphoAccrue(&m, fee, PG_GETARG_UINT256_P(5), elapsed, &interest, &fee_shares), fn);
	values[0] = U256DATUM(&m.total_supply_assets);
	values[1] = U256DATUM(&m.total_supply_shares);
	values[2] = U256DATUM(&m.total_borrow_assets);
	values[3] = U256DATUM(&m.total_borrow_shares);
	values[4] = U256DATUM(&interest);
	values[5] = U256DATUM(&fee_shares);
	PG_RETURN_DATUM(LendResultForm(res, values));
}

/* morpho_supply_rate(borrow_rate, utilization, fee): blue-sdk's supply rate. */
Datum
morpho_supply_rate(PG_FUNCTION_ARGS)
{
	const Uint256 *fee = GetFeeArg(fcinfo, 2, "morpho_supply_rate");
	Uint256    *r = palloc(sizeof(Uint256));

	MorphoRaise(MorphoSupplyRate(PG_GETARG_UINT256_P(0), PG_GETARG_UINT256_P(1), fee, r),
				"morpho_supply_rate");
	PG_RETURN_UINT256_P(r);
}

/*
 * morpho_rate_to_apy(rate_per_second): e^(rate * 365 days / 1e18) - 1,
 * blue-sdk's rateToApy (continuous compounding).  The exponent is the exact
 * product rate * 31536000 read as a decimal scaled by 1e-18 (correctly
 * rounded, as Number(formatEther(...))), then expm1.
 */
Datum
morpho_rate_to_apy(PG_FUNCTION_ARGS)
{
	const Uint256 *rate = PG_GETARG_UINT256_P(0);
	Uint256		spy = {{MORPHO_SECONDS_PER_YEAR, 0, 0, 0}};
	Uint256		n;
	char		buf[UINT256_DEC_BUFLEN + 8];
	double		x;

	if (!Uint256Mul(rate, &spy, &n))
		PG_RETURN_FLOAT8(get_float8_infinity());
	(void) Uint256ToDecimal(&n, buf);
	strcat(buf, "e-18");
	x = strtod(buf, NULL);
	PG_RETURN_FLOAT8(expm1(x));
}

/* morpho_max_borrow(collateral, price, lltv): _isHealthy's maxBorrow. */
Datum
morpho_max_borrow(PG_FUNCTION_ARGS)
{
	const Uint256 *lltv = GetLltvArg(fcinfo, 2, "morpho_max_borrow");
	Uint256    *r = palloc(sizeof(Uint256));

	MorphoRaise(MorphoMaxBorrow(PG_GETARG_UINT256_P(0), PG_GETARG_UINT256_P(1), lltv, r),
				"morpho_max_borrow");
	PG_RETURN_UINT256_P(r);
}

/* morpho_is_healthy(collateral, borrow_shares, totals, price, lltv): Morpho._isHealthy. */
Datum
morpho_is_healthy(PG_FUNCTION_ARGS)
{
	const Uint256 *lltv = GetLltvArg(fcinfo, 5, "morpho_is_healthy");
	bool		healthy;

	MorphoRaise(MorphoIsHealthy(PG_GETARG_UINT256_P(0), PG_GETARG_UINT256_P(1),
								PG_GETARG_UINT256_P(2), PG_GETARG_UINT256_P(3),
								PG_GETARG_UINT256_P(4), lltv, &healthy),
				"morpho_is_healthy");
	PG_RETURN_BOOL(healthy);
}

/*
 * morpho_health_factor(collateral, borrow_shares, totals, price, lltv):
 * maxBorrow / toAssetsUp(borrow_shares), rounded down at 18 decimals (1
 * exactly at the liquidation boundary); NULL without borrow shares.
 */
Datum
morpho_health_factor(PG_FUNCTION_ARGS)
{
	const char *fn = "morpho_health_factor";
	const Uint256 *lltv = GetLltvArg(fcinfo, 5, fn);
	const Uint256 *shares = PG_GETARG_UINT256_P(1);
	Uint256		borrowed;
	Uint256		max_borrow;

	if (Uint256IsZero(shares))
		PG_RETURN_NULL();
	MorphoRaise(MorphoToAssets(shares, PG_GETARG_UINT256_P(2), PG_GETARG_UINT256_P(3), true, &borrowed), fn);
	MorphoRaise(MorphoMaxBorrow(PG_GETARG_UINT256_P(0), PG_GETARG_UINT256_P(4), lltv, &max_borrow), fn);
	PG_RETURN_DATUM(RatioNumeric(&max_borrow, &borrowed, false));
}

/*
 * morpho_ltv(collateral, borrow_assets, price): borrow_assets over the
 * collateral's value collateral.mulDivDown(price, 1e36), rounded up at 18
 * decimals (blue-sdk's getLtv); 0 without debt, Infinity when the collateral
 * is worth nothing.
 */
Datum
morpho_ltv(PG_FUNCTION_ARGS)
{
	const Uint256 *borrow = PG_GETARG_UINT256_P(1);
	Uint256		value;

	if (Uint256IsZero(borrow))
	{
		Uint256		zero = {{0, 0, 0, 0}};

		PG_RETURN_DATUM(LendWadNumeric(&zero, 0));
	}
	MorphoRaise(MorphoMulDivDown(PG_GETARG_UINT256_P(0), PG_GETARG_UINT256_P(2),
								 &MORPHO_ORACLE_PRICE_SCALE, &value), "morpho_ltv");
	if (Uint256IsZero(&value))
		PG_RETURN_DATUM(DirectFunctionCall3(numeric_in, CStringGetDatum("Infinity"),
											ObjectIdGetDatum(InvalidOid), Int32GetDatum(-1)));
	PG_RETURN_DATUM(RatioNumeric(borrow, &value, true));
}

/* morpho_liquidation_incentive_factor(lltv): Morpho.liquidate's incentive factor. */
Datum
morpho_liquidation_incentive_factor(PG_FUNCTION_ARGS)
{
	const Uint256 *lltv = GetLltvArg(fcinfo, 0, "morpho_liquidation_incentive_factor");
	Uint256    *r = palloc(sizeof(Uint256));

	MorphoLiquidationIncentiveFactor(lltv, r);
	PG_RETURN_UINT256_P(r);
}

/* morpho_liquidate(seized_assets, repaid_shares, totals, price, lltv): Morpho.liquidate's amounts. */
Datum
morpho_liquidate(PG_FUNCTION_ARGS)
{
	const char *fn = "morpho_liquidate";
	Uint256		seized = *PG_GETARG_UINT256_P(0);
	Uint256		repaid = *PG_GETARG_UINT256_P(1);
	const Uint256 *lltv = GetLltvArg(fcinfo, 5, fn);
	Uint256		repaid_assets;
	LendResult *res = LendResultGet(fcinfo);
	Datum		values[3];

	if (Uint256IsZero(&seized) == Uint256IsZero(&repaid))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: exactly one of seized_assets and repaid_shares must be nonzero", fn),
				 errdetail("Morpho Blue reverts with INCONSISTENT_INPUT otherwise.")));
	MorphoRaise(MorphoLiquidate(&seized, &repaid, PG_GETARG_UINT256_P(2), PG_GETARG_UINT256_P(3),
								PG_GETARG_UINT256_P(4), lltv, &repaid_assets), fn);
	values[0] = U256DATUM(&seized);
	values[1] = U256DATUM(&repaid);
	values[2] = U256DATUM(&repaid_assets);
	PG_RETURN_DATUM(LendResultForm(res, values));
}

/*
 * morpho_liquidation_price(collateral, borrow_shares, totals, lltv): the
 * highest price at which the position is unhealthy; NULL without debt.
 */
Datum
morpho_liquidation_price(PG_FUNCTION_ARGS)
{
	const Uint256 *lltv = GetLltvArg(fcinfo, 4, "morpho_liquidation_price");
	Uint256    *r = palloc(sizeof(Uint256));
	bool		no_debt;

	MorphoRaise(MorphoLiquidationPrice(PG_GETARG_UINT256_P(0), PG_GETARG_UINT256_P(1),
									   PG_GETARG_UINT256_P(2), PG_GETARG_UINT256_P(3),
									   lltv, r, &no_debt),
				"morpho_liquidation_price");
	if (no_debt)
		PG_RETURN_NULL();
	PG_RETURN_UINT256_P(r);
}
