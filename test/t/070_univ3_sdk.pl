# 070_univ3_sdk: the univ3 math against @uniswap/v3-sdk.
#
# test/chain/diff_univ3.js draws thousands of edge-biased random cases per
# function (seeded; the seed is printed, AMP_SEED=N replays a run) and
# computes each with the SDK: TickMath, SqrtPriceMath, SwapMath,
# maxLiquidityForAmounts, nearestUsableTick, TickLibrary, PositionLibrary
# and v3Swap over random pools built from positions.  Where the Solidity
# library reverts, the expected result is an error of class 22.  This test
# evaluates every case in SQL and reports, per function, the mismatches with
# a few examples.  AMP_UNIV3_CASES sets the cases per function (2000).
use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use AmpTest;

my $root = $ENV{AMP_ROOT} or die "AMP_ROOT is not set";
my $per_fn = $ENV{AMP_UNIV3_CASES} // 2000;
my $node = AmpTest::node('univ3sdk', preload => 0);

my $file = PostgreSQL::Test::Utils::tempdir() . '/cases.tsv';
my ($stdout, $stderr);
my $ok = IPC::Run::run([ 'node', "$root/test/chain/diff_univ3.js", $file, $per_fn ],
	'>', \$stdout, '2>', \$stderr);
ok($ok, 'diff_univ3.js generated the cases') or diag($stderr);
my ($seed) = $stdout =~ /seed=(\d+)/;
diag("univ3 differential seed=$seed (replay with AMP_SEED=$seed)");

# Each function as SQL over the text operands a..e; errors become ERR:SQLSTATE.
$node->safe_psql('postgres', <<'SQL');
CREATE TABLE cases (fn text, a text, b text, c text, d text, e text, expected text);
CREATE FUNCTION ev(fn text, a text, b text, c text, d text, e text) RETURNS text
LANGUAGE plpgsql SET search_path = amplified, pg_catalog AS $$
DECLARE
	r text;
	p text[];
	q text[];
BEGIN
	CASE fn
	WHEN 'sqrt_at_tick' THEN r := univ3_sqrt_price_at_tick(a::int4);
	WHEN 'tick_at_sqrt' THEN r := univ3_tick_at_sqrt_price(a::uint256);
	WHEN 'amount0_delta' THEN r := univ3_amount0_delta(a::uint256, b::uint256, c::uint256, d::bool);
	WHEN 'amount1_delta' THEN r := univ3_amount1_delta(a::uint256, b::uint256, c::uint256, d::bool);
	WHEN 'amount0_delta_signed' THEN r := univ3_amount0_delta(a::uint256, b::uint256, c::int256);
	WHEN 'amount1_delta_signed' THEN r := univ3_amount1_delta(a::uint256, b::uint256, c::int256);
	WHEN 'next_from_input' THEN r := univ3_next_sqrt_price_from_input(a::uint256, b::uint256, c::uint256, d::bool);
	WHEN 'next_from_output' THEN r := univ3_next_sqrt_price_from_output(a::uint256, b::uint256, c::uint256, d::bool);
	WHEN 'swap_step' THEN
		SELECT concat_ws('|', s.sqrt_next, s.amount_in, s.amount_out, s.fee_amount) INTO r
		  FROM univ3_swap_step(a::uint256, b::uint256, c::uint256, d::int256, e::int4) s;
	WHEN 'liquidity_for_amounts' THEN
		r := univ3_liquidity_for_amounts(a::uint256, b::uint256, c::uint256, d::uint256, e::uint256);
	WHEN 'amounts_for_liquidity' THEN
		SELECT concat_ws('|', s.amount0, s.amount1) INTO r
		  FROM univ3_amounts_for_liquidity(a::uint256, b::uint256, c::uint256, d::uint256) s;
	WHEN 'nearest_usable_tick' THEN r := univ3_nearest_usable_tick(a::int4, b::int4);
	WHEN 'fee_growth_inside' THEN
		p := string_to_array(e, ',');
		r := univ3_fee_growth_inside(a::int4, b::int4, c::int4, d::uint256, p[1]::uint256, p[2]::uint256);
	WHEN 'tokens_owed' THEN r := univ3_tokens_owed(a::uint256, b::uint256, c::uint256);
	WHEN 'simulate_swap' THEN
		-- a: sqrt_price,tick,liquidity,spacing,fee; e: amount,limit
		p := string_to_array(a, ',');
		q := string_to_array(e, ',');
		SELECT concat_ws('|', CASE WHEN d::bool = (q[1]::int256 > 0) THEN s.amount1 ELSE s.amount0 END,
						 s.sqrt_price_after, s.tick_after, s.liquidity_after) INTO r
		  FROM univ3_simulate_swap(p[1]::uint256, p[2]::int4, p[3]::uint256, p[4]::int4, p[5]::int4,
								   b::int4[], c::int256[], d::bool, q[1]::int256,
								   nullif(q[2], '')::uint256) s;
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

# An expected "ERR:22" accepts any error of class 22 (data exception);
# anything else must be equal as text.
my $res = $node->safe_psql('postgres', <<'SQL');
CREATE TABLE results AS SELECT fn, a, b, c, d, e, expected, ev(fn, a, b, c, d, e) AS got FROM cases;
SELECT fn, count(*),
	   count(*) FILTER (WHERE NOT (got = expected OR (expected = 'ERR:22' AND got LIKE 'ERR:22%'))
						 OR got IS NULL),
	   count(*) FILTER (WHERE expected LIKE 'ERR:%')
  FROM results GROUP BY fn ORDER BY fn;
SQL
my $total = 0;
my $total_bad = 0;
my @fns = split /\n/, $res;
is(scalar(@fns), 15, 'every function has cases');
foreach my $line (@fns)
{
	my ($fn, $n, $bad, $errs) = split /\|/, $line;
	$total += $n;
	$total_bad += $bad;
	my $pass = is($bad, 0, "$fn: $n cases ($errs expecting a revert) agree with v3-sdk");
	if (!$pass)
	{
		diag($node->safe_psql('postgres',
			"SELECT format('  a=%s b=%s c=%s d=%s e=%s expected=%s got=%s', a, b, c, d, e, expected, got) "
			  . "FROM results WHERE fn = '$fn' AND NOT (got = expected OR (expected = 'ERR:22' AND got LIKE 'ERR:22%')) LIMIT 5"));
	}
}

# The swaps must have crossed ticks and the step cases hit every branch,
# or the comparison above proves little.
is($node->safe_psql('postgres', <<'SQL'), 't|t|t', 'the cases reach tick crossings, both swap kinds and partial steps');
SET search_path = amplified, public;
SELECT (SELECT count(*) FROM results WHERE fn = 'simulate_swap' AND got NOT LIKE 'ERR%'
		  AND split_part(a, ',', 3) <> split_part(got, '|', 4)) >= 10,
	   (SELECT count(DISTINCT (d::int256 < 0)) FROM results WHERE fn = 'swap_step') = 2,
	   (SELECT count(*) FROM results WHERE fn = 'swap_step' AND got NOT LIKE 'ERR%'
		  AND split_part(got, '|', 1) <> b) >= 100;
SQL
diag("$total cases, $total_bad mismatches, seed=$seed");

$node->stop;
done_testing();
