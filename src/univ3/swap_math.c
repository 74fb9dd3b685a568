/*
 * src/univ3/swap_math.c
 *
 * v3-core SwapMath.computeSwapStep: one step of a swap within a single
 * liquidity range, from the current sqrt price toward a target, for an exact
 * input (amount_remaining >= 0) or an exact output (amount_remaining < 0).
 * It returns the price reached, the amounts in and out and the fee, with the
 * same roundings as the Solidity library.  Pure C: no palloc, no ereport.
 */
#include "postgres.h"

#include "univ3/univ3.h"

/*
 * computeSwapStep.  amount_remaining is an int256 bit pattern; fee_pips must
 * be in [0, 1e6).
 */
Univ3Status
Univ3ComputeSwapStep(const Uint256 *sqrt_current, const Uint256 *sqrt_target,
					 const Uint256 *liquidity, const Uint256 *amount_remaining,
					 int fee_pips, Univ3SwapStep *step)
{
	bool		zero_for_one = Uint256Cmp(sqrt_current, sqrt_target) >= 0;
	bool		exact_in = !Int256IsNeg(amount_remaining);
	bool		reached;
	Uint256		remaining_abs;
	Uint256		fee_complement,
				fee_num,
				denom;
	Univ3Status st;

	if (fee_pips < 0 || fee_pips >= UNIV3_FEE_DENOM)
		return UNIV3_ERR_FEE;
	Uint256FromUint64(&fee_complement, (uint64) (UNIV3_FEE_DENOM - fee_pips));
	Uint256FromUint64(&fee_num, (uint64) fee_pips);
	Uint256FromUint64(&denom, UNIV3_FEE_DENOM);
	/* uint256(-amountRemaining): -(-2^255) wraps to 2^255, as Magnitude gives */
	Int256Magnitude(amount_remaining, &remaining_abs);

	Uint256FromUint64(&step->amount_in, 0);
	Uint256FromUint64(&step->amount_out, 0);
	if (exact_in)
	{
		Uint256		less_fee;

		(void) Uint256MulDiv(&remaining_abs, &fee_complement, &denom, false, &less_fee);
		if (zero_for_one)
			st = Univ3Amount0Delta(sqrt_target, sqrt_current, liquidity, true, &step->amount_in);
		else
		{
			Univ3Amount1Delta(sqrt_current, sqrt_target, liquidity, true, &step->amount_in);
			st = UNIV3_OK;
		}
		if (st != UNIV3_OK)
			return st;
		if (Uint256Cmp(&less_fee, &step->amount_in) >= 0)
			step->sqrt_next = *sqrt_target;
		else
		{
			st = Univ3NextSqrtPriceFromInput(sqrt_current, liquidity, &less_fee,
											 zero_for_one, &step->sqrt_next);
			if (st != UNIV3_OK)
				return st;
		}
	}
	else
	{
		if (zero_for_one)
		{
			Univ3Amount1Delta(sqrt_target, sqrt_current, liquidity, false, &step->amount_out);
			st = UNIV3_OK;
		}
		else
			st = Univ3Amount0Delta(sqrt_current, sqrt_target, liquidity, false, &step->amount_out);
		if (st != UNIV3_OK)
			return st;
		if (Uint256Cmp(&remaining_abs, &step->amount_out) >= 0)
			step->sqrt_next = *sqrt_target;
		else
		{
			st = Univ3NextSqrtPriceFromOutput(sqrt_current, liquidity, &remaining_abs,
											  zero_for_one, &step->sqrt_next);
			if (st != UNIV3_OK)
				return st;
		}
	}

	reached = Uint256Cmp(sqrt_target, &step->sqrt_next) == 0;

	/* the amounts for the move actually made */
	if (zero_for_one)
	{
		if (!(reached && exact_in))
		{
			st = Univ3Amount0Delta(&step->sqrt_next, sqrt_current, liquidity, true, &step->amount_in);
			if (st != UNIV3_OK)
				return st;
		}
		if (!(reached && !exact_in))
			Univ3Amount1Delta(&step->sqrt_next, sqrt_current, liquidity, false, &step->amount_out);
	}
	else
	{
		if (!(reached && exact_in))
			Univ3Amount1Delta(sqrt_current, &step->sqrt_next, liquidity, true, &step->amount_in);
		if (!(reached && !exact_in))
		{
			st = Univ3Amount0Delta(sqrt_current, &step->sqrt_next, liquidity, false, &step->amount_out);
			if (st != UNIV3_OK)
				return st;
		}
	}

	/* never pay out more than the exact output asked for */
	if (!exact_in && Uint256Cmp(&step->amount_out, &remaining_abs) > 0)
		step->amount_out = remaining_abs;

	if (exact_in && !reached)
		/* the remainder of the input is the fee */
		Univ3WrapSub(&remaining_abs, &step->amount_in, &step->fee_amount);
	else if (!Uint256MulDiv(&step->amount_in, &fee_num, &fee_complement, true,
							&step->fee_amount))
		return UNIV3_ERR_OVERFLOW;
	return UNIV3_OK;
}
