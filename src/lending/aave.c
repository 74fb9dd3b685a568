/*
 * src/lending/aave.c
 *
 * Aave v3 math as pure C, line by line after the Solidity of @aave/core-v3
 * 1.19.3: WadRayMath and PercentageMath (half-up rounding and the exact
 * revert conditions of their assembly), MathUtils' interest, ReserveLogic's
 * normalized income and debt, the default interest rate strategy, the
 * arithmetic of GenericLogic.calculateUserAccountData and LiquidationLogic's
 * debt and collateral amounts.  Solidity 0.8's checked + - * become
 * AAVE_ERR_ADD/SUB/MUL, evaluated in the contract's order so that the same
 * inputs revert at the same step.  No palloc, no ereport.
 */
#include "postgres.h"

#include "evm/u256_limb.h"
#include "lending/aave.h"

const Uint256 AAVE_WAD = {{UINT64CONST(1000000000000000000), 0, 0, 0}};
const Uint256 AAVE_HALF_WAD = {{UINT64CONST(500000000000000000), 0, 0, 0}};
const Uint256 AAVE_RAY = {{UINT64CONST(0x9fd0803ce8000000), UINT64CONST(0x33b2e3c), 0, 0}};
const Uint256 AAVE_HALF_RAY = {{UINT64CONST(0x4fe8401e74000000), UINT64CONST(0x19d971e), 0, 0}};
const Uint256 AAVE_UINT256_MAX = {{~UINT64CONST(0), ~UINT64CONST(0), ~UINT64CONST(0), ~UINT64CONST(0)}};
const Uint256 AAVE_CLOSE_FACTOR_HF_THRESHOLD = {{UINT64CONST(950000000000000000), 0, 0, 0}};
const Uint256 AAVE_HF_LIQUIDATION_THRESHOLD = {{UINT64CONST(1000000000000000000), 0, 0, 0}};

/* A small constant as a Uint256. */
static inline Uint256
U(uint64 v)
{
	Uint256		r;

	Uint256FromUint64(&r, v);
	return r;
}

/* Checked a + b, as Solidity 0.8. */
static inline AaveStatus
Add(const Uint256 *a, const Uint256 *b, Uint256 *r)
{
	return Uint256Add(a, b, r) ? AAVE_OK : AAVE_ERR_ADD;
}

/* Checked a - b. */
static inline AaveStatus
Sub(const Uint256 *a, const Uint256 *b, Uint256 *r)
{
	return Uint256Sub(a, b, r) ? AAVE_OK : AAVE_ERR_SUB;
}

/* Checked a * b. */
static inline AaveStatus
Mul(const Uint256 *a, const Uint256 *b, Uint256 *r)
{
	return Uint256Mul(a, b, r) ? AAVE_OK : AAVE_ERR_MUL;
}

/* a / b, a plain Solidity division (panics on zero). */
static inline AaveStatus
Div(const Uint256 *a, const Uint256 *b, Uint256 *r)
{
	Uint256		rem;

	return Uint256DivMod(a, b, r, &rem) ? AAVE_OK : AAVE_ERR_DIV_ZERO;
}

#define TRY(x) do { AaveStatus st_ = (x); if (st_ != AAVE_OK) return st_; } while (0)

/* RAY as a prepared divisor (U256Div2Constant), for rayMul. */
static U256Div2 div_ray;

/*
 * (x * y + add) / d for x, y, add and a nonzero d below 2^128, when the
 * quotient fits 128 bits; false otherwise.  The sum cannot overflow 256
 * bits ((2^128 - 1)^2 + 2^128 < 2^256).  RAY goes by its prepared
 * reciprocal.
 */
static inline bool
MulAddDiv128(uint128 x, uint128 y, uint128 add, const Uint256 *d, Uint256 *r)
{
	uint64		p[4];
	uint128		lo;
	uint128		q;
	bool		inexact;
	bool		ok;

	U256Mul128(x, y, p);
	lo = (((uint128) p[1] << 64) | p[0]) + add;
	if (lo < add && ++p[2] == 0)
		p[3]++;
	p[0] = (uint64) lo;
	p[1] = (uint64) (lo >> 64);
	if (d->w[0] == AAVE_RAY.w[0] && d->w[1] == AAVE_RAY.w[1] && d->w[2] == 0 && d->w[3] == 0)
		ok = U256Div256ByPre2(p, U256Div2Constant(&div_ray, &AAVE_RAY), &q, &inexact);
	else
		ok = U256Div256By128(p, Uint256Lo128(d), &q, &inexact);
	if (ok)
		Uint256FromU128(r, q);
	return ok;
}

/*
 * The half-up multiplication of WadRayMath and PercentageMath:
 * (a * b + half) / unit, reverting when b != 0 and a > (MAX - half) / b,
 * exactly the assembly's test.  When a, b, half and unit fit 128 bits,
 * a * b + half < 2^256 and the test cannot fire: the product, the sum and
 * the division are done inline (MulAddDiv128).
 */
static AaveStatus
MulHalfUp(const Uint256 *a, const Uint256 *b, const Uint256 *half,
		  const Uint256 *unit, AaveStatus overflow, Uint256 *r)
{
	Uint256		t,
				lim;

	if (Uint256FitsU128(a) && Uint256FitsU128(b) && Uint256FitsU128(half) &&
		Uint256FitsU128(unit) &&
		MulAddDiv128(Uint256Lo128(a), Uint256Lo128(b), Uint256Lo128(half), unit, r))
		return AAVE_OK;
	if (!Uint256IsZero(b))
	{
		(void) Uint256Sub(&AAVE_UINT256_MAX, half, &lim);
		(void) Div(&lim, b, &lim);
		if (Uint256Cmp(a, &lim) > 0)
			return overflow;
	}
	(void) Uint256Mul(a, b, &t);
	(void) Uint256Add(&t, half, &t);
	(void) Div(&t, unit, r);
	return AAVE_OK;
}

/*
 * The half-up division: (a * unit + b / 2) / b, reverting when b == 0 or
 * a > (MAX - b / 2) / unit.  When a, b and unit fit 128 bits,
 * a * unit + b / 2 < 2^256 and only the zero test can fire: the rest is
 * done inline (MulAddDiv128).
 */
static AaveStatus
DivHalfUp(const Uint256 *a, const Uint256 *b, const Uint256 *unit,
		  AaveStatus overflow, AaveStatus zero, Uint256 *r)
{
	Uint256		half,
				lim,
				t;

	if (Uint256IsZero(b))
		return zero;
	if (Uint256FitsU128(a) && Uint256FitsU128(b) && Uint256FitsU128(unit) &&
		MulAddDiv128(Uint256Lo128(a), Uint256Lo128(unit), Uint256Lo128(b) >> 1, b, r))
		return AAVE_OK;
	Uint256Shr(b, 1, &half);
	(void) Uint256Sub(&AAVE_UINT256_MAX, &half, &lim);
	(void) Div(&lim, unit, &lim);
	if (Uint256Cmp(a, &lim) > 0)
		return overflow;
	(void) Uint256Mul(a, unit, &t);
	(void) Uint256Add(&t, &half, &t);
	(void) Div(&t, b, r);
	return AAVE_OK;
}

/* WadRayMath.rayMul: a * b / RAY, half up. */
AaveStatus
AaveRayMul(const Uint256 *a, const Uint256 *b, Uint256 *r)
{
	return MulHalfUp(a, b, &AAVE_HALF_RAY, &AAVE_RAY, AAVE_ERR_RAY_MUL, r);
}

/* WadRayMath.rayDiv: a * RAY / b, half up. */
AaveStatus
AaveRayDiv(const Uint256 *a, const Uint256 *b, Uint256 *r)
{
	return DivHalfUp(a, b, &AAVE_RAY, AAVE_ERR_RAY_DIV, AAVE_ERR_RAY_DIV_ZERO, r);
}

/* WadRayMath.wadMul: a * b / WAD, half up. */
AaveStatus
AaveWadMul(const Uint256 *a, const Uint256 *b, Uint256 *r)
{
	return MulHalfUp(a, b, &AAVE_HALF_WAD, &AAVE_WAD, AAVE_ERR_WAD_MUL, r);
}

/* WadRayMath.wadDiv: a * WAD / b, half up. */
AaveStatus
AaveWadDiv(const Uint256 *a, const Uint256 *b, Uint256 *r)
{
	return DivHalfUp(a, b, &AAVE_WAD, AAVE_ERR_WAD_DIV, AAVE_ERR_WAD_DIV_ZERO, r);
}

/* WadRayMath.wadToRay: a * 1e9, reverting on overflow. */
AaveStatus
AaveWadToRay(const Uint256 *a, Uint256 *r)
{
	Uint256		ratio = U(1000000000);

	return Uint256Mul(a, &ratio, r) ? AAVE_OK : AAVE_ERR_WAD_TO_RAY;
}

/* WadRayMath.rayToWad: a / 1e9, rounded half up (never reverts). */
void
AaveRayToWad(const Uint256 *a, Uint256 *r)
{
	Uint256		ratio = U(1000000000);
	Uint256		one = U(1);
	Uint256		rem;

	(void) Uint256DivMod(a, &ratio, r, &rem);
	if (rem.w[0] >= 500000000)
		(void) Uint256Add(r, &one, r);
}

/* PercentageMath.percentMul: value * pct / 1e4, half up. */
AaveStatus
AavePercentMul(const Uint256 *value, const Uint256 *pct, Uint256 *r)
{
	Uint256		half = U(AAVE_PERCENTAGE_FACTOR / 2);
	Uint256		unit = U(AAVE_PERCENTAGE_FACTOR);

	return MulHalfUp(value, pct, &half, &unit, AAVE_ERR_PERCENT_MUL, r);
}

/* PercentageMath.percentDiv: value * 1e4 / pct, half up. */
AaveStatus
AavePercentDiv(const Uint256 *value, const Uint256 *pct, Uint256 *r)
{
	Uint256		unit = U(AAVE_PERCENTAGE_FACTOR);

	return DivHalfUp(value, pct, &unit, AAVE_ERR_PERCENT_DIV,
					 AAVE_ERR_PERCENT_DIV_ZERO, r);
}

/* MathUtils.calculateLinearInterest: RAY + rate * (now - last) / SECONDS_PER_YEAR. */
AaveStatus
AaveLinearInterest(const Uint256 *rate, int64 last, int64 now, Uint256 *r)
{
	Uint256		dt = U((uint64) (now - last));
	Uint256		spy = U(AAVE_SECONDS_PER_YEAR);
	Uint256		t;

	TRY(Mul(rate, &dt, &t));
	(void) Div(&t, &spy, &t);
	return Add(&AAVE_RAY, &t, r);
}

/*
 * MathUtils.calculateCompoundedInterest: the first three terms of the
 * binomial expansion of (1 + rate / SECONDS_PER_YEAR)^exp, with the
 * contract's integer steps:
 *   basePowerTwo   = rayMul(rate, rate) / SPY^2
 *   basePowerThree = rayMul(basePowerTwo, rate) / SPY
 *   RAY + rate * exp / SPY + exp (exp-1) bp2 / 2 + exp (exp-1) (exp-2) bp3 / 6
 */
AaveStatus
AaveCompoundedInterest(const Uint256 *rate, int64 last, int64 now, Uint256 *r)
{
	uint64		e = (uint64) (now - last);
	Uint256		exp,
				em1,
				em2,
				bp2,
				bp3,
				second,
				third,
				first,
				t;
	Uint256		spy = U(AAVE_SECONDS_PER_YEAR);
	Uint256		spy2 = U((uint64) AAVE_SECONDS_PER_YEAR * AAVE_SECONDS_PER_YEAR);
	Uint256		two = U(2);
	Uint256		six = U(6);

	if (e == 0)
	{
		*r = AAVE_RAY;
		return AAVE_OK;
	}
	exp = U(e);
	em1 = U(e - 1);
	em2 = U(e > 2 ? e - 2 : 0);

	TRY(AaveRayMul(rate, rate, &bp2));
	(void) Div(&bp2, &spy2, &bp2);
	TRY(AaveRayMul(&bp2, rate, &bp3));
	(void) Div(&bp3, &spy, &bp3);

	TRY(Mul(&exp, &em1, &second));
	TRY(Mul(&second, &bp2, &second));
	(void) Div(&second, &two, &second);
	TRY(Mul(&exp, &em1, &third));
	TRY(Mul(&third, &em2, &third));
	TRY(Mul(&third, &bp3, &third));
	(void) Div(&third, &six, &third);

	TRY(Mul(rate, &exp, &first));
	(void) Div(&first, &spy, &first);
	TRY(Add(&AAVE_RAY, &first, &t));
	TRY(Add(&t, &second, &t));
	TRY(Add(&t, &third, r));
	return AAVE_OK;
}

/* ReserveLogic.getNormalizedIncome: the index itself when last == now. */
AaveStatus
AaveNormalizedIncome(const Uint256 *index, const Uint256 *rate,
					 int64 last, int64 now, Uint256 *r)
{
	Uint256		t;

	if (last == now)
	{
		*r = *index;
		return AAVE_OK;
	}
	TRY(AaveLinearInterest(rate, last, now, &t));
	return AaveRayMul(&t, index, r);
}

/* ReserveLogic.getNormalizedDebt: the index itself when last == now. */
AaveStatus
AaveNormalizedDebt(const Uint256 *index, const Uint256 *rate,
				   int64 last, int64 now, Uint256 *r)
{
	Uint256		t;

	if (last == now)
	{
		*r = *index;
		return AAVE_OK;
	}
	TRY(AaveCompoundedInterest(rate, last, now, &t));
	return AaveRayMul(&t, index, r);
}

/*
 * DefaultReserveInterestRateStrategy._getOverallBorrowRate: the debt-weighted
 * average of the variable and the average stable rate.
 */
static AaveStatus
OverallBorrowRate(const Uint256 *stable, const Uint256 *variable,
				  const Uint256 *var_rate, const Uint256 *avg_stable_rate, Uint256 *r)
{
	Uint256		total,
				wv,
				ws,
				t;

	TRY(Add(stable, variable, &total));
	if (Uint256IsZero(&total))
	{
		*r = U(0);
		return AAVE_OK;
	}
	TRY(AaveWadToRay(variable, &t));
	TRY(AaveRayMul(&t, var_rate, &wv));
	TRY(AaveWadToRay(stable, &t));
	TRY(AaveRayMul(&t, avg_stable_rate, &ws));
	TRY(Add(&wv, &ws, &wv));
	TRY(AaveWadToRay(&total, &t));
	return AaveRayDiv(&wv, &t, r);
}

/*
 * DefaultReserveInterestRateStrategy.calculateInterestRates.  The caller has
 * checked the constructor's requires (both optimal ratios <= RAY) and that
 * the reserve factor is at most 100 %.
 */
AaveStatus
AaveReserveRates(const AaveRateInputs *in, const AaveRateStrategy *s, AaveRates *out)
{
	Uint256		total_debt,
				stable_ratio = U(0),
				borrow_usage = U(0),
				supply_usage = U(0),
				avail,
				avail_plus_debt,
				max_excess_usage,
				max_excess_stable,
				var_rate,
				stable_rate,
				t,
				u,
				excess,
				overall;
	Uint256		pf = U(AAVE_PERCENTAGE_FACTOR);

	(void) Uint256Sub(&AAVE_RAY, &s->optimal_usage_ratio, &max_excess_usage);
	(void) Uint256Sub(&AAVE_RAY, &s->optimal_stable_to_total_debt_ratio, &max_excess_stable);

	TRY(Add(&in->total_stable_debt, &in->total_variable_debt, &total_debt));
	var_rate = s->base_variable_borrow_rate;
	TRY(Add(&s->variable_rate_slope1, &s->base_stable_rate_offset, &stable_rate));

	if (!Uint256IsZero(&total_debt))
	{
		TRY(AaveRayDiv(&in->total_stable_debt, &total_debt, &stable_ratio));
		TRY(Add(&in->available_liquidity, &in->liquidity_added, &avail));
		TRY(Sub(&avail, &in->liquidity_taken, &avail));
		TRY(Add(&avail, &total_debt, &avail_plus_debt));
		TRY(AaveRayDiv(&total_debt, &avail_plus_debt, &borrow_usage));
		TRY(Add(&avail_plus_debt, &in->unbacked, &t));
		TRY(AaveRayDiv(&total_debt, &t, &supply_usage));
	}

	if (Uint256Cmp(&borrow_usage, &s->optimal_usage_ratio) > 0)
	{
		(void) Uint256Sub(&borrow_usage, &s->optimal_usage_ratio, &t);
		TRY(AaveRayDiv(&t, &max_excess_usage, &excess));

		TRY(AaveRayMul(&s->stable_rate_slope2, &excess, &t));
		TRY(Add(&s->stable_rate_slope1, &t, &t));
		TRY(Add(&stable_rate, &t, &stable_rate));

		TRY(AaveRayMul(&s->variable_rate_slope2, &excess, &t));
		TRY(Add(&s->variable_rate_slope1, &t, &t));
		TRY(Add(&var_rate, &t, &var_rate));
	}
	else
	{
		TRY(AaveRayMul(&s->stable_rate_slope1, &borrow_usage, &t));
		TRY(AaveRayDiv(&t, &s->optimal_usage_ratio, &t));
		TRY(Add(&stable_rate, &t, &stable_rate));

		TRY(AaveRayMul(&s->variable_rate_slope1, &borrow_usage, &t));
		TRY(AaveRayDiv(&t, &s->optimal_usage_ratio, &t));
		TRY(Add(&var_rate, &t, &var_rate));
	}

	if (Uint256Cmp(&stable_ratio, &s->optimal_stable_to_total_debt_ratio) > 0)
	{
		(void) Uint256Sub(&stable_ratio, &s->optimal_stable_to_total_debt_ratio, &t);
		TRY(AaveRayDiv(&t, &max_excess_stable, &excess));
		TRY(AaveRayMul(&s->stable_rate_excess_offset, &excess, &t));
		TRY(Add(&stable_rate, &t, &stable_rate));
	}

	TRY(OverallBorrowRate(&in->total_stable_debt, &in->total_variable_debt,
						  &var_rate, &in->average_stable_borrow_rate, &overall));
	TRY(AaveRayMul(&overall, &supply_usage, &t));
	TRY(Sub(&pf, &in->reserve_factor, &u));
	TRY(AavePercentMul(&t, &u, &out->liquidity_rate));
	out->stable_borrow_rate = stable_rate;
	out->variable_borrow_rate = var_rate;
	return AAVE_OK;
}

/*
 * GenericLogic.calculateUserAccountData from balances already in base
 * currency: an asset counts as collateral when its own liquidation threshold
 * is not zero; the user's e-mode LTV and threshold replace the asset's when
 * the user is in an e-mode category and the asset belongs to it; the
 * averages are the balance-weighted sums divided (rounding down) by the
 * total collateral; the health factor is
 * wadDiv(percentMul(collateral, avgLT), debt), or uint256 max with no debt.
 */
AaveStatus
AaveAccountData(int nassets, const AaveAccountAsset *assets,
				int ndebts, const Uint256 *debt_base,
				int user_emode_category, int emode_ltv,
				int emode_liquidation_threshold, AaveAccount *out)
{
	Uint256		coll = U(0),
				debt = U(0),
				avg_ltv = U(0),
				avg_lt = U(0),
				t,
				w;
	bool		zero_ltv = false;
	int			i;

	for (i = 0; i < nassets; i++)
	{
		const AaveAccountAsset *a = &assets[i];
		bool		in_emode;

		if (a->liquidation_threshold == 0)
			continue;
		TRY(Add(&coll, &a->collateral_base, &coll));
		in_emode = user_emode_category != 0 && a->emode_category == user_emode_category;
		if (a->ltv != 0)
		{
			w = U((uint64) (in_emode ? emode_ltv : a->ltv));
			TRY(Mul(&a->collateral_base, &w, &t));
			TRY(Add(&avg_ltv, &t, &avg_ltv));
		}
		else
			zero_ltv = true;
		w = U((uint64) (in_emode ? emode_liquidation_threshold : a->liquidation_threshold));
		TRY(Mul(&a->collateral_base, &w, &t));
		TRY(Add(&avg_lt, &t, &avg_lt));
	}
	for (i = 0; i < ndebts; i++)
		TRY(Add(&debt, &debt_base[i], &debt));

	if (!Uint256IsZero(&coll))
	{
		(void) Div(&avg_ltv, &coll, &avg_ltv);
		(void) Div(&avg_lt, &coll, &avg_lt);
	}
	else
	{
		avg_ltv = U(0);
		avg_lt = U(0);
	}

	out->total_collateral_base = coll;
	out->total_debt_base = debt;
	out->avg_ltv = avg_ltv;
	out->avg_liquidation_threshold = avg_lt;
	out->has_zero_ltv_collateral = zero_ltv;
	return AaveHealthFactor(&coll, &debt, &avg_lt, &out->health_factor);
}

/* The health factor of GenericLogic: uint256 max when there is no debt. */
AaveStatus
AaveHealthFactor(const Uint256 *collateral_base, const Uint256 *debt_base,
				 const Uint256 *liquidation_threshold, Uint256 *r)
{
	Uint256		t;

	if (Uint256IsZero(debt_base))
	{
		*r = AAVE_UINT256_MAX;
		return AAVE_OK;
	}
	TRY(AavePercentMul(collateral_base, liquidation_threshold, &t));
	return AaveWadDiv(&t, debt_base, r);
}

/*
 * GenericLogic._getUserBalanceInBaseCurrency's last step (and the debt's):
 * amount * price (checked) / 10^decimals; decimals in 0 .. 77.
 */
AaveStatus
AaveAssetValueBase(const Uint256 *amount, const Uint256 *price, int decimals, Uint256 *r)
{
	Uint256		unit,
				ten = U(10),
				d = U((uint64) decimals),
				t;

	(void) Uint256Pow(&ten, &d, &unit);
	TRY(Mul(price, amount, &t));
	return Div(&t, &unit, r);
}

/* GenericLogic.calculateAvailableBorrows: percentMul(collateral, ltv) - debt, or 0. */
AaveStatus
AaveAvailableBorrows(const Uint256 *collateral_base, const Uint256 *debt_base,
					 const Uint256 *ltv, Uint256 *r)
{
	Uint256		t;

	TRY(AavePercentMul(collateral_base, ltv, &t));
	if (Uint256Cmp(&t, debt_base) < 0)
		*r = U(0);
	else
		(void) Uint256Sub(&t, debt_base, r);
	return AAVE_OK;
}

/* LiquidationLogic's close factor (bps): all of the debt below HF 0.95. */
int
AaveCloseFactor(const Uint256 *health_factor)
{
	return Uint256Cmp(health_factor, &AAVE_CLOSE_FACTOR_HF_THRESHOLD) > 0
		? AAVE_DEFAULT_CLOSE_FACTOR : AAVE_MAX_CLOSE_FACTOR;
}

/*
 * LiquidationLogic._calculateDebt (the close factor caps the debt to cover)
 * then _calculateAvailableCollateralToLiquidate: the collateral worth the
 * debt plus the bonus, capped by the user's collateral (and the debt scaled
 * down to match), minus the protocol's share of the bonus.  The caller has
 * checked the liquidation's preconditions (health factor below 1, some
 * debt).
 */
AaveStatus
AaveLiquidationAmounts(const AaveLiquidationInputs *in, AaveLiquidation *out)
{
	Uint256		close_factor = U((uint64) AaveCloseFactor(&in->health_factor));
	Uint256		max_debt,
				debt,
				coll_unit,
				debt_unit,
				ten = U(10),
				d,
				base_coll,
				max_coll,
				coll_amount,
				debt_needed,
				t,
				u,
				bonus_coll,
				fee;

	/* _calculateDebt */
	TRY(AavePercentMul(&in->user_total_debt, &close_factor, &max_debt));
	debt = Uint256Cmp(&in->debt_to_cover, &max_debt) > 0 ? max_debt : in->debt_to_cover;

	/* _calculateAvailableCollateralToLiquidate */
	d = U((uint64) in->collateral_decimals);
	(void) Uint256Pow(&ten, &d, &coll_unit);
	d = U((uint64) in->debt_decimals);
	(void) Uint256Pow(&ten, &d, &debt_unit);

	TRY(Mul(&in->debt_price, &debt, &t));
	TRY(Mul(&t, &coll_unit, &t));
	TRY(Mul(&in->collateral_price, &debt_unit, &u));
	TRY(Div(&t, &u, &base_coll));
	TRY(AavePercentMul(&base_coll, &in->liquidation_bonus, &max_coll));

	if (Uint256Cmp(&max_coll, &in->user_collateral_balance) > 0)
	{
		coll_amount = in->user_collateral_balance;
		TRY(Mul(&in->collateral_price, &coll_amount, &t));
		TRY(Mul(&t, &debt_unit, &t));
		TRY(Mul(&in->debt_price, &coll_unit, &u));
		TRY(Div(&t, &u, &t));
		TRY(AavePercentDiv(&t, &in->liquidation_bonus, &debt_needed));
	}
	else
	{
		coll_amount = max_coll;
		debt_needed = debt;
	}

	if (!Uint256IsZero(&in->liquidation_protocol_fee))
	{
		TRY(AavePercentDiv(&coll_amount, &in->liquidation_bonus, &t));
		TRY(Sub(&coll_amount, &t, &bonus_coll));
		TRY(AavePercentMul(&bonus_coll, &in->liquidation_protocol_fee, &fee));
		TRY(Sub(&coll_amount, &fee, &out->collateral_to_liquidate));
		out->debt_to_cover = debt_needed;
		out->protocol_fee = fee;
	}
	else
	{
		out->collateral_to_liquidate = coll_amount;
		out->debt_to_cover = debt_needed;
		out->protocol_fee = U(0);
	}
	return AAVE_OK;
}
