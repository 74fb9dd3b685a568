# 102_aave_math: the Aave v3 math against a BigInt port of the contracts.
#
# test/chain/diff_aave.js draws thousands of edge-biased random cases per
# function (seeded; the seed is printed, AMP_SEED=N replays a run) and
# computes each with test/chain/aave_math.js, a BigInt port of
# @aave/core-v3 1.19.3's WadRayMath, PercentageMath, MathUtils,
# ReserveLogic, DefaultReserveInterestRateStrategy, GenericLogic and
# LiquidationLogic written from the Solidity.  Where the contract reverts or
# the SQL function refuses the arguments, the expected result is the exact
# SQLSTATE.  This test evaluates every case in SQL and reports, per function,
# the mismatches with a few examples; then a few hand-checked vectors and the
# error messages.  AMP_AAVE_CASES sets the cases per function (2000).
use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use AmpTest;

my $root = $ENV{AMP_ROOT} or die "AMP_ROOT is not set";
my $per_fn = $ENV{AMP_AAVE_CASES} // 2000;
my $node = AmpTest::node('aavemath', preload => 0);

my $file = PostgreSQL::Test::Utils::tempdir() . '/cases.tsv';
my ($stdout, $stderr);
my $ok = IPC::Run::run([ 'node', "$root/test/chain/diff_aave.js", $file, $per_fn ],
	'>', \$stdout, '2>', \$stderr);
ok($ok, 'diff_aave.js generated the cases') or diag($stderr);
my ($seed) = $stdout =~ /seed=(\d+)/;
diag("aave differential seed=$seed (replay with AMP_SEED=$seed)");

# Each function as SQL over the "|"-separated arguments; arrays are
# ","-separated; errors become ERR:SQLSTATE.
$node->safe_psql('postgres', <<'SQL');
CREATE TABLE cases (fn text, args text, expected text);
CREATE FUNCTION ev(fn text, args text) RETURNS text
LANGUAGE plpgsql SET search_path = amplified, pg_catalog AS $$
DECLARE
	r text;
	p text[] := string_to_array(args, '|');
	u uint256[];
BEGIN
	SELECT array_agg(x::uint256) INTO u FROM unnest(p[9:17]) x;
	CASE fn
	WHEN 'ray_mul' THEN r := aave_ray_mul(p[1]::uint256, p[2]::uint256);
	WHEN 'ray_div' THEN r := aave_ray_div(p[1]::uint256, p[2]::uint256);
	WHEN 'wad_mul' THEN r := aave_wad_mul(p[1]::uint256, p[2]::uint256);
	WHEN 'wad_div' THEN r := aave_wad_div(p[1]::uint256, p[2]::uint256);
	WHEN 'percent_mul' THEN r := aave_percent_mul(p[1]::uint256, p[2]::uint256);
	WHEN 'percent_div' THEN r := aave_percent_div(p[1]::uint256, p[2]::uint256);
	WHEN 'balance' THEN r := aave_balance(p[1]::uint256, p[2]::uint256);
	WHEN 'wad_to_ray' THEN r := aave_wad_to_ray(p[1]::uint256);
	WHEN 'ray_to_wad' THEN r := aave_ray_to_wad(p[1]::uint256);
	WHEN 'linear_interest' THEN r := aave_linear_interest(p[1]::uint256, p[2]::int8, p[3]::int8);
	WHEN 'compounded_interest' THEN r := aave_compounded_interest(p[1]::uint256, p[2]::int8, p[3]::int8);
	WHEN 'normalized_income' THEN
		r := aave_normalized_income(p[1]::uint256, p[2]::uint256, p[3]::int8, p[4]::int8);
	WHEN 'normalized_debt' THEN
		r := aave_normalized_debt(p[1]::uint256, p[2]::uint256, p[3]::int8, p[4]::int8);
	WHEN 'scaled_amount' THEN r := aave_scaled_amount(p[1]::uint256, p[2]::uint256, p[3]);
	WHEN 'reserve_rates' THEN
		SELECT concat_ws('|', x.liquidity_rate, x.stable_borrow_rate, x.variable_borrow_rate) INTO r
		  FROM aave_reserve_rates(p[1]::uint256, p[2]::uint256, p[3]::uint256, p[4]::uint256,
				p[5]::uint256, p[6]::uint256, p[7]::int4, p[8]::uint256, u[1], u[2], u[3], u[4],
				u[5], u[6], u[7], u[8], u[9]) x;
	WHEN 'reserve_rates_strategy' THEN
		SELECT concat_ws('|', x.liquidity_rate, x.stable_borrow_rate, x.variable_borrow_rate) INTO r
		  FROM aave_reserve_rates(p[1]::uint256, p[2]::uint256, p[3]::uint256, p[4]::uint256,
				p[5]::uint256, p[6]::uint256, p[7]::int4, p[8]::uint256,
				ROW(u[1], u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9])::aave_rate_strategy) x;
	WHEN 'asset_value_base' THEN r := aave_asset_value_base(p[1]::uint256, p[2]::uint256, p[3]::int4);
	WHEN 'health_factor' THEN r := aave_health_factor(p[1]::uint256, p[2]::uint256, p[3]::int4);
	WHEN 'max_borrow_base' THEN r := aave_max_borrow_base(p[1]::uint256, p[2]::uint256, p[3]::int4);
	WHEN 'close_factor' THEN r := aave_close_factor_bps(p[1]::uint256);
	WHEN 'account_data' THEN
		SELECT concat_ws('|', x.total_collateral_base, x.total_debt_base, x.avg_ltv_bps,
						 x.avg_liquidation_threshold_bps, x.health_factor, x.has_zero_ltv_collateral) INTO r
		  FROM aave_account_data(string_to_array(p[1], ',')::uint256[], string_to_array(p[2], ',')::int4[],
				string_to_array(p[3], ',')::int4[], string_to_array(p[4], ',')::uint256[],
				string_to_array(p[5], ',')::int4[], p[6]::int4, p[7]::int4, p[8]::int4) x;
	WHEN 'health_factor_multi' THEN
		r := aave_health_factor(string_to_array(p[1], ',')::uint256[], string_to_array(p[2], ',')::int4[],
				p[3]::uint256, string_to_array(p[4], ',')::int4[], p[5]::int4, p[6]::int4);
	WHEN 'liquidation_amounts' THEN
		SELECT concat_ws('|', x.actual_collateral_to_liquidate, x.actual_debt_to_cover,
						 x.liquidation_protocol_fee) INTO r
		  FROM aave_liquidation_amounts(p[1]::uint256, p[2]::uint256, p[3]::uint256, p[4]::uint256,
				p[5]::uint256, p[6]::int4, p[7]::uint256, p[8]::int4, p[9]::int4, p[10]::int4) x;
	ELSE RAISE EXCEPTION 'unknown function %', fn;
	END CASE;
	RETURN r;
EXCEPTION WHEN others THEN
	IF SQLERRM LIKE 'unknown function %' THEN RAISE; END IF;
	RETURN 'ERR:' || SQLSTATE;
END
$$;
SQL
$node->safe_psql('postgres', "COPY cases FROM '$file'");

my $res = $node->safe_psql('postgres', <<'SQL');
CREATE TABLE results AS SELECT fn, args, expected, ev(fn, args) AS got FROM cases;
SELECT fn, count(*), count(*) FILTER (WHERE got IS DISTINCT FROM expected),
	   count(*) FILTER (WHERE expected LIKE 'ERR:%')
  FROM results GROUP BY fn ORDER BY fn;
SQL
my $total = 0;
my $total_bad = 0;
my @fns = split /\n/, $res;
is(scalar(@fns), 23, 'every function has cases');
foreach my $line (@fns)
{
	my ($fn, $n, $bad, $errs) = split /\|/, $line;
	$total += $n;
	$total_bad += $bad;
	my $pass = is($bad, 0, "$fn: $n cases ($errs expecting an error) agree with the BigInt port");
	if (!$pass)
	{
		diag($node->safe_psql('postgres',
			"SELECT format('  args=%s expected=%s got=%s', args, expected, got) "
			  . "FROM results WHERE fn = '$fn' AND got IS DISTINCT FROM expected LIMIT 5"));
	}
}

# The cases must reach both sides of every branch, or agreeing proves little.
is($node->safe_psql('postgres', <<'SQL'), 't|t|t|t|t|t|t', 'the cases reach the branches');
SELECT
	-- a result and each error class for every half-up operation
	(SELECT bool_and(n = 3) FROM (SELECT fn, count(DISTINCT left(expected, 9)) FILTER (WHERE expected LIKE 'ERR:%')
		+ (count(*) FILTER (WHERE expected NOT LIKE 'ERR:%') > 0)::int AS n
		FROM results WHERE fn IN ('ray_div', 'wad_div', 'percent_div') GROUP BY fn) s),
	-- compounded interest both in range and overflowing
	(SELECT count(DISTINCT expected LIKE 'ERR:22003') = 2 FROM results WHERE fn = 'compounded_interest'),
	-- rates above and below the optimal usage (the variable rate above base + slope1)
	(SELECT count(*) >= 50 FROM results WHERE fn = 'reserve_rates' AND expected NOT LIKE 'ERR:%'),
	(SELECT count(*) >= 10 FROM results WHERE fn = 'reserve_rates' AND expected NOT LIKE 'ERR:%'
		AND split_part(expected, '|', 3)::numeric
			> (string_to_array(args, '|'))[10]::numeric + (string_to_array(args, '|'))[11]::numeric),
	-- liquidations capped by the collateral and not, with and without a fee
	(SELECT count(*) >= 10 FROM results WHERE fn = 'liquidation_amounts' AND expected NOT LIKE 'ERR:%'
		AND split_part(expected, '|', 3) <> '0'),
	(SELECT count(DISTINCT split_part(expected, '|', 2) = split_part(args, '|', 1)) = 2
		FROM results WHERE fn = 'liquidation_amounts' AND expected NOT LIKE 'ERR:%'),
	-- account data with zero-LTV collateral and with e-mode categories in play
	(SELECT count(*) >= 10 FROM results WHERE fn = 'account_data' AND expected LIKE '%|t'
		AND split_part(args, '|', 6) <> '0');
SQL
diag("$total cases, $total_bad mismatches, seed=$seed");

# ---- hand-checked vectors ----
my @vectors = (
	# rayMul(0.5 ray, 3) = (1.5e27 + 0.5e27) / 1e27 = 2: the half rounds up
	[ "aave_ray_mul(5e26::numeric::uint256, 3)", '2', 'rayMul(0.5 ray, 3) rounds 1.5 up to 2' ],
	[ "aave_ray_mul(5e26::numeric::uint256 - 1, 3)", '1', 'rayMul(0.5 ray - 1, 3) = 1.4999... rounds down' ],
	[ "aave_ray_div(1, 3)", '333333333333333333333333333', 'rayDiv(1, 3) = 1e27 / 3 rounded' ],
	[ "aave_ray_div(2, 3)", '666666666666666666666666667', 'rayDiv(2, 3) rounds up' ],
	[ "aave_wad_mul(15e17::numeric::uint256, 2e18::numeric::uint256)", '3000000000000000000', 'wadMul(1.5, 2) = 3' ],
	[ "aave_wad_div(1e18::numeric::uint256, 3e18::numeric::uint256)", '333333333333333333', 'wadDiv(1, 3)' ],
	[ "aave_percent_mul(12345, 5000)", '6173', 'percentMul(12345, 50 %) = 6172.5 rounds up' ],
	[ "aave_percent_div(1, 3)", '3333', 'percentDiv(1, 3 bps)' ],
	[ "aave_ray_to_wad(1499999999)", '1', 'rayToWad rounds 1.499999999 down' ],
	[ "aave_ray_to_wad(1500000000)", '2', 'rayToWad rounds 1.5 up' ],
	[ "aave_wad_to_ray(2)", '2000000000', 'wadToRay(2)' ],
	# 5 % for one year: 1 + 0.05 + 0.05^2/2 * (1 - 1/n) + 0.05^3/6 * (1 - 1/n)(1 - 2/n),
	# n = 31536000, in the contract's integer steps
	[ "aave_compounded_interest(5e25::numeric::uint256, 0, 31536000)", '1051265681539063650421944000',
	  'compounded interest, 5 % for one year' ],
	[ "aave_linear_interest(5e25::numeric::uint256, 0, 31536000)", '1050000000000000000000000000',
	  'linear interest, 5 % for one year' ],
	[ "aave_compounded_interest(5e25::numeric::uint256, 1700000000, 1700000000)", '1000000000000000000000000000',
	  'no time, no interest' ],
	[ "aave_normalized_income(11e26::numeric::uint256, 5e25::numeric::uint256, 0, 31536000)",
	  '1155000000000000000000000000', 'normalized income: 1.1 * 1.05' ],
	[ "aave_health_factor(100e18::numeric::uint256, 50e18::numeric::uint256, 8000)", '1600000000000000000',
	  'health factor 100 collateral, 50 debt, LT 80 % = 1.6' ],
	[ "aave_health_factor(1, 0, 8000) = '115792089237316195423570985008687907853269984665640564039457584007913129639935'::uint256", 't', 'no debt: uint256 max' ],
	[ "aave_asset_value_base(2500000, 100000000, 6)", '250000000', '2.5 USDC at $1 (8 decimals)' ],
	[ "aave_max_borrow_base(1000, 500, 7500)", '250', 'available borrows 75 % of 1000 - 500' ],
	[ "aave_max_borrow_base(1000, 800, 7500)", '0', 'no available borrows over the LTV' ],
	[ "aave_close_factor_bps(95e16::numeric::uint256)", '10000', 'close factor at HF 0.95' ],
	[ "aave_close_factor_bps(95e16::numeric::uint256 + 1)", '5000', 'close factor above HF 0.95' ],
	# 100 debt of an 18-decimal asset at $1, collateral at $2000 with 18
	# decimals, 5 % bonus, 10 % protocol fee on the bonus:
	# base = 100 / 2000 = 0.05; with bonus 0.0525; bonus part 0.0025, fee 0.00025
	[ "(SELECT concat_ws('|', actual_collateral_to_liquidate, actual_debt_to_cover, liquidation_protocol_fee) "
		. "FROM aave_liquidation_amounts(100e18::numeric::uint256, 1000e18::numeric::uint256, 9e17::numeric::uint256, "
		. "10e18::numeric::uint256, 2000e8::numeric::uint256, 18, 1e8::numeric::uint256, 18, 10500, 1000))",
	  '52250000000000000|100000000000000000000|250000000000000', 'liquidation with bonus and fee' ],
	[ "(SELECT concat_ws('|', actual_collateral_to_liquidate, actual_debt_to_cover, liquidation_protocol_fee) "
		. "FROM aave_liquidation_amounts('115792089237316195423570985008687907853269984665640564039457584007913129639935'::uint256, 1000e18::numeric::uint256, 96e16::numeric::uint256, "
		. "1e18::numeric::uint256, 2000e8::numeric::uint256, 18, 1e8::numeric::uint256, 18, 10500, 0))",
	  '262500000000000000|500000000000000000000|0', 'close factor 50 % caps the debt to cover: 500 / 2000 * 1.05' ],
	[ "(SELECT concat_ws('|', actual_collateral_to_liquidate, actual_debt_to_cover) "
		. "FROM aave_liquidation_amounts('115792089237316195423570985008687907853269984665640564039457584007913129639935'::uint256, 1000e18::numeric::uint256, 5e17::numeric::uint256, "
		. "1e17::numeric::uint256, 2000e8::numeric::uint256, 18, 1e8::numeric::uint256, 18, 10500, 0))",
	  '100000000000000000|190476190476190476190', 'collateral caps the liquidation: 200 / 1.05' ],
	# the reserve at 80 % usage with the optimal at 80 %: variable = base + slope1
	[ "(SELECT concat_ws('|', liquidity_rate, stable_borrow_rate, variable_borrow_rate) "
		. "FROM aave_reserve_rates(0, 0, 0, 0, 800e18::numeric::uint256, 0, 1000, 200e18::numeric::uint256, "
		. "8e26::numeric::uint256, 0, 4e25::numeric::uint256, 75e25::numeric::uint256, 0, 0, 0, 0, 2e26::numeric::uint256))",
	  '28800000000000000000000000|40000000000000000000000000|40000000000000000000000000',
	  'rates at the optimal usage: 4 % variable, 4 % * 80 % * 90 % to suppliers' ],
	[ "aave_health_factor(ARRAY[100e18::numeric::uint256, 100e18::numeric::uint256], ARRAY[8000, 9000], 100e18::numeric::uint256)",
	  '1700000000000000000', 'two collaterals: average LT 85 %' ],
	[ "aave_health_factor(ARRAY[100e18::numeric::uint256, 100e18::numeric::uint256], ARRAY[8000, 9000], 100e18::numeric::uint256, "
		. "ARRAY[1, 0], 1, 9700)", '1870000000000000000', 'e-mode threshold 97 % for the asset in the category' ],
);
foreach my $v (@vectors)
{
	my ($expr, $want, $name) = @$v;
	is($node->safe_psql('postgres', "SET search_path = amplified, public; SELECT $expr"), $want, $name);
}

# ---- errors: SQLSTATE and message, naming the function and argument ----
my @errors = (
	[ "aave_ray_mul('115792089237316195423570985008687907853269984665640564039457584007913129639935'::uint256, 2)", '22003', qr/aave_ray_mul: result out of range/ ],
	[ "aave_ray_div(1, 0)", '22012', qr/aave_ray_div: division by zero/ ],
	[ "aave_wad_div(1, 0)", '22012', qr/aave_wad_div: division by zero/ ],
	[ "aave_percent_div(1, 0)", '22012', qr/aave_percent_div: division by zero/ ],
	[ "aave_wad_to_ray('115792089237316195423570985008687907853269984665640564039457584007913129639935'::uint256)", '22003', qr/aave_wad_to_ray: result out of range/ ],
	[ "aave_compounded_interest(1, 10, 9)", '22023', qr/aave_compounded_interest: now_ts must not be before last_ts/ ],
	[ "aave_linear_interest(1, 1099511627776, 1099511627777)", '22003', qr/aave_linear_interest: last_ts out of range for uint40/ ],
	[ "aave_normalized_debt(1, 1, -1, 5)", '22003', qr/aave_normalized_debt: last_update_ts out of range/ ],
	[ "aave_scaled_amount(1, 1, 'up')", '22023', qr/aave_scaled_amount: rounding must be/ ],
	[ "aave_asset_value_base(1, 1, 78)", '22023', qr/aave_asset_value_base: decimals must lie between 0 and 77: 78/ ],
	[ "aave_health_factor(1, 1, -1)", '22023', qr/aave_health_factor: liquidation_threshold_bps must lie between/ ],
	[ "aave_reserve_rates(0, 0, 0, 0, 1, 0, 10001, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)", '22023',
	  qr/aave_reserve_rates: reserve_factor_bps must lie between 0 and 10000/ ],
	[ "aave_reserve_rates(0, 0, 0, 0, 1, 0, 0, 0, 1e27::numeric::uint256 + 1, 0, 0, 0, 0, 0, 0, 0, 0)", '22023',
	  qr/aave_reserve_rates: optimal_usage_ray must not exceed 1e27/ ],
	[ "aave_reserve_rates(0, 0, 5, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)", '22003',
	  qr/aave_reserve_rates: result out of range/ ],
	[ "aave_account_data(ARRAY[1]::uint256[], ARRAY[1, 2], ARRAY[1], '{}')", '22023',
	  qr/aave_account_data: collateral_base, ltv_bps, liquidation_threshold_bps and asset_emode_category must have the same length/ ],
	[ "aave_account_data(ARRAY[NULL]::uint256[], ARRAY[1], ARRAY[1], '{}')", '22004',
	  qr/aave_account_data: collateral_base must not contain nulls/ ],
	[ "aave_liquidation_amounts(1, 1, 1e18::numeric::uint256, 1, 1, 18, 1, 18, 10500)", '22023',
	  qr/aave_liquidation_amounts: health_factor must be below 1e18/ ],
	[ "aave_liquidation_amounts(1, 1, 1, 1, 0, 18, 1, 18, 10500)", '22012',
	  qr/aave_liquidation_amounts: division by zero/ ],
);
foreach my $e (@errors)
{
	my ($expr, $state, $re) = @$e;
	my ($rc, $out, $err) = $node->psql('postgres',
		"\\set VERBOSITY verbose\nSET search_path = amplified, public; SELECT $expr",
		on_error_stop => 1);
	like($err, qr/ERROR:  $state: /, "$expr: SQLSTATE $state");
	like($err, $re, "$expr: message");
}

$node->stop;
done_testing();
