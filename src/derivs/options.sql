-- ---- European options: prices, greeks, implied vol, desk analytics (options.c; pure math: PUBLIC may execute) ----
-- Units: t in years, rate and div_yield continuously compounded per year, vol
-- per sqrt(year).  vega and rho per unit (1.00 = 100 %), theta per year of
-- calendar time (theta = dV/dt as time passes = -dV/dT).  At vol * sqrt(t) = 0
-- the price is the discounted intrinsic value of the forward and greeks are
-- their limits; gamma (and theta at t = 0) are NULL with the forward exactly at
-- the strike, where they have no finite limit.

CREATE FUNCTION @extschema@.bs_price(is_call boolean, spot float8, strike float8, t float8,
	rate float8, vol float8, div_yield float8 DEFAULT 0)
RETURNS float8
AS 'MODULE_PATHNAME', 'bs_price'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.bs_price(boolean, float8, float8, float8, float8, float8, float8) IS
	'Black-Scholes-Merton price of a European call or put on a spot paying a continuous yield div_yield (an LST''s staking yield)';

CREATE FUNCTION @extschema@.bs_greeks(is_call boolean, spot float8, strike float8, t float8,
	rate float8, vol float8, div_yield float8 DEFAULT 0,
	OUT delta float8, OUT gamma float8, OUT vega float8, OUT theta float8, OUT rho float8,
	OUT vanna float8, OUT volga float8, OUT div_rho float8)
RETURNS record
AS 'MODULE_PATHNAME', 'bs_greeks'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.bs_greeks(boolean, float8, float8, float8, float8, float8, float8) IS
	'Black-Scholes-Merton greeks: delta, gamma (per unit of spot), vega, rho and div_rho per unit of vol, rate and yield, theta per year (-dV/dT), vanna d2V/dSdvol, volga d2V/dvol2';

CREATE FUNCTION @extschema@.black76_price(is_call boolean, forward float8, strike float8, t float8,
	rate float8, vol float8)
RETURNS float8
AS 'MODULE_PATHNAME', 'black76_price'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.black76_price(boolean, float8, float8, float8, float8, float8) IS
	'Black-76 price of a European call or put on a forward or future, discounted at rate';

CREATE FUNCTION @extschema@.black76_greeks(is_call boolean, forward float8, strike float8, t float8,
	rate float8, vol float8,
	OUT delta float8, OUT gamma float8, OUT vega float8, OUT theta float8, OUT rho float8,
	OUT vanna float8, OUT volga float8)
RETURNS record
AS 'MODULE_PATHNAME', 'black76_greeks'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.black76_greeks(boolean, float8, float8, float8, float8, float8) IS
	'Black-76 greeks with respect to the forward: delta, gamma, vega per unit of vol, theta per year with the forward held, rho = -t V with the forward held, vanna, volga';

CREATE FUNCTION @extschema@.implied_vol(model text, is_call boolean, price float8, underlying float8,
	strike float8, t float8, rate float8, div_yield float8 DEFAULT 0)
RETURNS float8
AS 'MODULE_PATHNAME', 'implied_vol'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.implied_vol(text, boolean, float8, float8, float8, float8, float8, float8) IS
	'implied volatility of a European option price under model ''bs'' (underlying = spot) or ''black76'' (underlying = forward); converges for every price strictly inside the no-arbitrage bounds, 22023 outside them';

CREATE FUNCTION @extschema@.bs_parity_gap(call_price float8, put_price float8, spot float8,
	strike float8, t float8, rate float8, div_yield float8 DEFAULT 0)
RETURNS float8
AS 'MODULE_PATHNAME', 'bs_parity_gap'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.bs_parity_gap(float8, float8, float8, float8, float8, float8, float8) IS
	'put-call parity gap (C - P) - (S e^{-qt} - K e^{-rt}) of a call and a put of one strike and expiry: 0 when consistent, positive when the call is rich against the put';

CREATE FUNCTION @extschema@.option_covered_call(spot float8, strike float8, t float8, rate float8,
	vol float8, div_yield float8 DEFAULT 0, "position" float8 DEFAULT 1,
	OUT premium float8, OUT premium_yield float8, OUT prob_assignment float8,
	OUT expected_assignment_cost float8, OUT breakeven float8, OUT max_gain float8,
	OUT net_delta float8)
RETURNS record
AS 'MODULE_PATHNAME', 'option_covered_call'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.option_covered_call(float8, float8, float8, float8, float8, float8, float8) IS
	'a call sold against a position in the underlying: premium, premium_yield (C/S/t), prob_assignment N(d2), expected_assignment_cost E[(S_T-K)+] = C e^{rt}, breakeven S - C, max_gain (K - S + C), net_delta (1 - delta), per the whole position';

CREATE FUNCTION @extschema@.option_peg_put(spot float8, peg_strike float8, t float8, rate float8,
	vol float8, div_yield float8 DEFAULT 0, "position" float8 DEFAULT 1,
	OUT premium float8, OUT cost_bps_per_year float8, OUT prob_below_strike float8,
	OUT protected_floor float8, OUT max_loss float8, OUT expected_payout float8,
	OUT net_delta float8)
RETURNS record
AS 'MODULE_PATHNAME', 'option_peg_put'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.option_peg_put(float8, float8, float8, float8, float8, float8, float8) IS
	'a put at the peg bought against a position in an LST: premium, cost_bps_per_year (P/S/t x 1e4), prob_below_strike N(-d2), protected_floor K, max_loss (S - K + P), expected_payout P e^{rt}, net_delta (1 + delta), per the whole position';
