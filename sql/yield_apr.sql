-- yield_apr: the APR and APY of an exchange-rate change, against worked
-- examples whose reference values are computed here in numeric arithmetic
-- (exact ratios) and, for the APYs, with Python's decimal module at 50
-- digits: ((1.1503 / 1.15) ** 365 - 1 and friends); the "divided by 1e18"
-- bug of public yield adapters shown side by side; edge cases and bad
-- inputs one per line.
SET search_path = amplified, public;
\pset null '(null)'

-- ---- worked examples ----
-- wstETH: stEthPerToken 1.15 -> 1.1503 over one day.  The rate grew by
-- 0.0003 / 1.15 = 0.026087%, i.e. 9.5217% a year (simple).
SELECT round(yield_apr(1150000000000000000, 1150300000000000000, 86400)::numeric, 12) AS apr,
       round((1150300000000000000::numeric / 1150000000000000000 - 1) * 365, 12) AS apr_reference;
SELECT abs(yield_apr(1150000000000000000, 1150300000000000000, 86400)
           - ((1150300000000000000::numeric / 1150000000000000000 - 1) * 365)::float8) < 1e-15 AS apr_matches;
-- the bug: dividing the change by 1e18 instead of by the earlier rate
-- overstates the yield by the rate itself (x 1.15 here): 10.95% instead of 9.52%
SELECT (1150300000000000000::numeric - 1150000000000000000) / 1e18 * 365 AS apr_divided_by_1e18,
       round(((1150300000000000000::numeric - 1150000000000000000) / 1e18 * 365)
             / yield_apr(1150000000000000000, 1150300000000000000, 86400)::numeric, 9) AS overstated_by;
-- compounded daily for a year: (1.1503 / 1.15)^365 - 1 = 0.09988427948713940905...
SELECT round(yield_apy(1150000000000000000, 1150300000000000000, 86400)::numeric, 12) AS apy,
       abs(yield_apy(1150000000000000000, 1150300000000000000, 86400) - 0.0998842794871394090531) < 1e-14 AS apy_matches;
-- rETH: getExchangeRate 1.0850 -> 1.0857 over 7 days: 3.3641% APR, 3.4202% APY
SELECT round(yield_apr(1085000000000000000, 1085700000000000000, 7 * 86400)::numeric, 12) AS apr,
       round((1085700000000000000::numeric / 1085000000000000000 - 1) * 365 / 7, 12) AS apr_reference,
       abs(yield_apy(1085000000000000000, 1085700000000000000, 7 * 86400) - 0.0342015770417150798147) < 1e-14 AS apy_matches;
-- a slashing: 1.20 -> 1.19 in a day is a negative yield
SELECT round(yield_apr(1200000000000000000, 1190000000000000000, 86400)::numeric, 12) AS apr,
       round((1190000000000000000::numeric / 1200000000000000000 - 1) * 365, 12) AS apr_reference,
       abs(yield_apy(1200000000000000000, 1190000000000000000, 86400) - (-0.952849521888838234698)) < 1e-14 AS apy_matches;
-- the scale does not matter: the same relative change with 27 decimals (ray)
SELECT yield_apr('1150000000000000000000000000', '1150300000000000000000000000', 86400)
     = yield_apr(1150000000000000000, 1150300000000000000, 86400) AS scale_free;
-- a 1-wei change of a rate near 2^255 keeps its digits: 2^-255 * one year, not 0
SELECT yield_apr(1::uint256 << 255, (1::uint256 << 255) + 1, 31536000) = 2::float8 ^ -255 AS one_wei_exact;
-- the full 256-bit range: from 1 to 2^256 - 1 over a year
SELECT yield_apr(1, ~0::uint256, 31536000) = 2::float8 ^ 256 - 1 AS full_range;

-- ---- edge cases ----
SELECT yield_apr(1000000000000000000, 1000000000000000000, 86400) AS unchanged_apr;
SELECT yield_apy(1000000000000000000, 1000000000000000000, 86400) AS unchanged_apy;
SELECT yield_apr(NULL, 1, 1) AS null_then, yield_apr(1, NULL, 1) AS null_now, yield_apr(1, 1, NULL) AS null_seconds;
-- a yield over exactly one year is the change itself
SELECT yield_apr(100, 105, 31536000) AS apr_one_year, round(yield_apy(100, 105, 31536000)::numeric, 15) AS apy_one_year;

-- ---- bad inputs ----
SELECT yield_apr(0, 1150000000000000000, 86400);
SELECT yield_apr(1150000000000000000, 0, 86400);
SELECT yield_apy(0, 1, 86400);
SELECT yield_apr(1, 2, 0);
SELECT yield_apr(1, 2, -86400);
SELECT yield_apr(1, 2, 'NaN');
SELECT yield_apr(1, 2, 'Infinity');
SELECT yield_apy(1, 2, 0);
-- annualised over a vanishing interval, the yield does not fit a float8
SELECT yield_apr(1, ~0::uint256, 1e-300);
SELECT yield_apy(1, 2, 1);
-- the SQLSTATEs: division_by_zero, invalid_parameter_value, numeric_value_out_of_range
\set VERBOSITY sqlstate
SELECT yield_apr(0, 1, 86400);
SELECT yield_apr(1, 2, 0);
SELECT yield_apy(1, 2, 1);
\set VERBOSITY default
