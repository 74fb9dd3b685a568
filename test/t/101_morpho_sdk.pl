# 101_morpho_sdk: the Morpho Blue math against @morpho-org/blue-sdk.
#
# test/chain/diff_morpho.js draws thousands of edge-biased random cases per
# function (seeded; the seed is printed, AMP_SEED=N replays a run) and
# computes each with the SDK: SharesMath, MathLib, AdaptiveCurveIrmLib and
# MarketUtils (getMarketId, getAccruedInterest, isHealthy, getHealthFactor,
# getLtv, the liquidation helpers, rateToApy).  Where Morpho Blue's Solidity
# reverts, the expected result is an error of class 22; where the SQL
# function refuses an argument the protocol never holds, an exact SQLSTATE.
# This test evaluates every case in SQL and reports, per function, the
# mismatches with a few examples; APYs (floats) must agree to a relative
# 1e-13.  The liquidation price is checked twice: against the SDK's isHealthy
# bisected over the price, and by the property that morpho_is_healthy is
# false at it and true one wei above.  Then a few hand-checked vectors:
# published market ids (recomputed with ethers' ABI encoder too), values
# worked out from the formulas, and the errors of bad arguments.
# AMP_MORPHO_CASES sets the cases per function (2000).
use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use AmpTest;

my $root = $ENV{AMP_ROOT} or die "AMP_ROOT is not set";
my $per_fn = $ENV{AMP_MORPHO_CASES} // 2000;
my $node = AmpTest::node('morphosdk', preload => 0);

my $file = PostgreSQL::Test::Utils::tempdir() . '/cases.tsv';
my ($stdout, $stderr);
my $ok = IPC::Run::run([ 'node', "$root/test/chain/diff_morpho.js", $file, $per_fn ],
	'>', \$stdout, '2>', \$stderr);
ok($ok, 'diff_morpho.js generated the cases') or diag($stderr);
my ($seed) = $stdout =~ /seed=(\d+)/;
diag("morpho differential seed=$seed (replay with AMP_SEED=$seed)");

# Each function as SQL over the text operands a..g; errors become
# ERR:SQLSTATE, NULL becomes 'NULL'.
$node->safe_psql('postgres', <<'SQL');
CREATE TABLE cases (fn text, a text, b text, c text, d text, e text, f text, g text, expected text);
CREATE FUNCTION ev(fn text, a text, b text, c text, d text, e text, f text, g text) RETURNS text
LANGUAGE plpgsql SET search_path = amplified, pg_catalog AS $$
DECLARE
	r text;
BEGIN
	CASE fn
	WHEN 'market_id' THEN r := morpho_market_id(a::address, b::address, c::address, d::address, e::uint256);
	WHEN 'to_assets' THEN r := morpho_to_assets(a::uint256, b::uint256, c::uint256, d::bool);
	WHEN 'to_shares' THEN r := morpho_to_shares(a::uint256, b::uint256, c::uint256, d::bool);
	WHEN 'utilization' THEN r := morpho_utilization(a::uint256, b::uint256);
	WHEN 'wexp' THEN r := morpho_wexp(a::int256);
	WHEN 'borrow_rate' THEN
		SELECT concat_ws('|', s.avg_rate, s.end_rate_at_target) INTO r
		  FROM morpho_borrow_rate(a::int256, b::uint256, c::int8) s;
	WHEN 'accrue' THEN
		SELECT concat_ws('|', s.total_supply_assets, s.total_supply_shares, s.total_borrow_assets,
						 s.total_borrow_shares, s.interest, s.fee_shares) INTO r
		  FROM morpho_accrue(a::uint256, b::uint256, c::uint256, d::uint256, e::uint256, f::uint256, g::int8) s;
	WHEN 'supply_rate' THEN r := morpho_supply_rate(a::uint256, b::uint256, c::uint256);
	WHEN 'apy' THEN r := 'APY:' || morpho_rate_to_apy(a::uint256);
	WHEN 'max_borrow' THEN r := morpho_max_borrow(a::uint256, b::uint256, c::uint256);
	WHEN 'is_healthy' THEN
		r := CASE WHEN morpho_is_healthy(a::uint256, b::uint256, c::uint256, d::uint256, e::uint256, f::uint256)
				  THEN 't' ELSE 'f' END;
	WHEN 'health_factor' THEN
		r := morpho_health_factor(a::uint256, b::uint256, c::uint256, d::uint256, e::uint256, f::uint256);
	WHEN 'ltv' THEN r := morpho_ltv(a::uint256, b::uint256, c::uint256);
	WHEN 'lif' THEN r := morpho_liquidation_incentive_factor(a::uint256);
	WHEN 'liquidate' THEN
		SELECT concat_ws('|', s.seized_assets, s.repaid_shares, s.repaid_assets) INTO r
		  FROM morpho_liquidate(a::uint256, b::uint256, c::uint256, d::uint256, e::uint256, f::uint256) s;
	WHEN 'liquidation_price' THEN
		r := morpho_liquidation_price(a::uint256, b::uint256, c::uint256, d::uint256, e::uint256);
	ELSE RAISE EXCEPTION 'unknown function %', fn;
	END CASE;
	RETURN coalesce(r, 'NULL');
EXCEPTION WHEN others THEN
	IF SQLERRM LIKE 'unknown function %' THEN RAISE; END IF;
	RETURN 'ERR:' || SQLSTATE;
END
$$;
-- Whether got matches expected: equal text; any class-22 error for ERR:22;
-- APYs within a relative 1e-13 (libm's expm1 against V8's).
CREATE FUNCTION agrees(expected text, got text) RETURNS boolean
LANGUAGE sql IMMUTABLE AS $$
SELECT got = expected
	OR (expected = 'ERR:22' AND got LIKE 'ERR:22%')
	OR (expected LIKE 'APY:%' AND got LIKE 'APY:%'
		AND abs(substr(got, 5)::float8 - substr(expected, 5)::float8)
			<= 1e-13 * abs(substr(expected, 5)::float8))
$$;
SQL
$node->safe_psql('postgres', "COPY cases FROM '$file'");

my $res = $node->safe_psql('postgres', <<'SQL');
CREATE TABLE results AS SELECT *, ev(fn, a, b, c, d, e, f, g) AS got FROM cases;
SELECT fn, count(*),
	   count(*) FILTER (WHERE NOT coalesce(agrees(expected, got), false)),
	   count(*) FILTER (WHERE expected LIKE 'ERR:%')
  FROM results GROUP BY fn ORDER BY fn;
SQL
my $total = 0;
my $total_bad = 0;
my @fns = split /\n/, $res;
is(scalar(@fns), 16, 'every function has cases');
foreach my $line (@fns)
{
	my ($fn, $n, $bad, $errs) = split /\|/, $line;
	$total += $n;
	$total_bad += $bad;
	my $pass = is($bad, 0, "$fn: $n cases ($errs expecting an error) agree with blue-sdk");
	if (!$pass)
	{
		diag($node->safe_psql('postgres',
			"SELECT format('  a=%s b=%s c=%s d=%s e=%s f=%s g=%s expected=%s got=%s', a, b, c, d, e, f, g, expected, got) "
			  . "FROM results WHERE fn = '$fn' AND NOT coalesce(agrees(expected, got), false) LIMIT 5"));
	}
}
diag("$total cases, $total_bad mismatches, seed=$seed");

# The cases must reach the interesting branches, or agreeing proves little.
is($node->safe_psql('postgres', <<'SQL'), 't|t|t|t|t|t', 'the cases reach every branch');
SET search_path = amplified, public;
SELECT (SELECT count(DISTINCT got) FROM results WHERE fn = 'is_healthy') >= 3,	-- t, f, errors
	   (SELECT count(*) FROM results WHERE fn = 'borrow_rate' AND got NOT LIKE 'ERR%'
		  AND a <> '0' AND split_part(got, '|', 2) <> a) >= 100,	-- the rate at target moved
	   (SELECT count(*) FROM results WHERE fn = 'accrue' AND got NOT LIKE 'ERR%'
		  AND split_part(got, '|', 6) <> '0') >= 100,	-- fee shares minted
	   (SELECT count(*) FROM results WHERE fn = 'liquidate' AND got NOT LIKE 'ERR%' AND a = '0') >= 100
	   AND (SELECT count(*) FROM results WHERE fn = 'liquidate' AND got NOT LIKE 'ERR%' AND a <> '0') >= 100,
	   (SELECT count(*) FROM results WHERE fn = 'liquidation_price' AND got ~ '^[0-9]+$'
		  AND got::numeric < 2::numeric ^ 256 - 1) >= 200,
	   (SELECT count(*) FROM results WHERE fn = 'health_factor' AND got ~ '^[0-9]' AND got::numeric < 1) >= 50;
SQL

# The liquidation price by its definition: unhealthy at the price, healthy
# one wei above (where computing health at those prices does not overflow).
my $prop = $node->safe_psql('postgres', <<'SQL');
SET search_path = amplified, public;
CREATE FUNCTION healthy_or_null(c uint256, bs uint256, ta uint256, ts uint256, p uint256, l uint256) RETURNS boolean
LANGUAGE plpgsql AS $$
BEGIN
	RETURN morpho_is_healthy(c, bs, ta, ts, p, l);
EXCEPTION WHEN numeric_value_out_of_range THEN
	RETURN NULL;
END $$;
WITH lp AS (
	SELECT a::uint256 AS c, b::uint256 AS bs, c::uint256 AS ta, d::uint256 AS ts, e::uint256 AS l, got::uint256 AS p
	  FROM results WHERE fn = 'liquidation_price' AND got ~ '^[0-9]+$'
	   AND got::numeric < 2::numeric ^ 256 - 1),
h AS (
	SELECT healthy_or_null(c, bs, ta, ts, p, l) AS at, healthy_or_null(c, bs, ta, ts, p + 1::uint256, l) AS above FROM lp)
SELECT count(*) FILTER (WHERE at IS NOT NULL AND above IS NOT NULL),
	   count(*) FILTER (WHERE at OR NOT above)
  FROM h;
SQL
my ($checked, $broken) = split /\|/, $prop;
cmp_ok($checked, '>=', 200, "liquidation price: $checked boundaries checked with morpho_is_healthy");
is($broken, 0, 'liquidation price: unhealthy at the price, healthy one wei above');

# ---- hand-checked vectors ----

# Market ids: published ids of two live markets, and ethers' ABI encoding
# and keccak of a third, independent of blue-sdk.
my @markets = (
	# Ethereum wstETH/WETH 94.5% (Morpho's app lists this id)
	[ '0xC02aaA39b223FE8D0A0e5C4F27eAD9083C756Cc2', '0x7f39C581F595B53c5cb19bD0b3f8dA6c935E2Ca0',
	  '0x2a01EB9496094dA03c4E364Def50f5aD1280AD72', '0x870aC11D48B15DB9a138Cf899d20F13F79Ba00BC',
	  '945000000000000000', '0xc54d7acf14de29e0e5527cabd7a576506870346a78a11a6762e2cca66322ec41' ],
	# Base WETH/USDC 86%
	[ '0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913', '0x4200000000000000000000000000000000000006',
	  '0xFEa2D58cEfCb9fcb597723c6bAE66fFE4193aFE4', '0x46415998764C29aB2a25CbeA6254146D50D22687',
	  '860000000000000000', '0x8793cf302b8ffd655ab97bd1c695dbd967807e8367a65cb2f4edaf1380ba1bda' ]);
my $js = q{
const { ethers } = require(process.argv[1] + '/test/chain/node_modules/ethers');
const p = ['0x00000000000000000000000000000000000000a1', '0x00000000000000000000000000000000000000b2',
	'0x00000000000000000000000000000000000000c3', '0x00000000000000000000000000000000000000d4', '915000000000000000'];
console.log(ethers.utils.keccak256(ethers.utils.defaultAbiCoder.encode(
	['address', 'address', 'address', 'address', 'uint256'], p)));
};
my $ethers_id;
IPC::Run::run([ 'node', '-e', $js, $root ], '>', \$ethers_id, '2>', \$stderr) or diag($stderr);
chomp $ethers_id;
like($ethers_id, qr/^0x[0-9a-f]{64}$/, 'ethers computed a market id');
push @markets, [ '0x00000000000000000000000000000000000000a1', '0x00000000000000000000000000000000000000b2',
	'0x00000000000000000000000000000000000000c3', '0x00000000000000000000000000000000000000d4',
	'915000000000000000', $ethers_id ];
foreach my $m (@markets)
{
	my ($l, $c, $o, $i, $lltv, $id) = @$m;
	is($node->safe_psql('postgres',
		"SELECT amplified.morpho_market_id('$l', '$c', '$o', '$i', '$lltv')"), $id, "market id $id");
}

# Values worked out by hand from the Solidity formulas.
my @vectors = (
	# the first supply mints 1e6 shares per asset (VIRTUAL_SHARES / VIRTUAL_ASSETS)
	[ "morpho_to_shares('1000000000000000000', '0', '0', false)", '1000000000000000000000000' ],
	# 1 share of an empty market is worth 0 assets down, 1 up
	[ "morpho_to_assets('1', '0', '0', false) || ',' || morpho_to_assets('1', '0', '0', true)", '0,1' ],
	# 1 / (1 - 0.3 * (1 - 0.86)) = 1 / 0.958, floored at 18 decimals
	[ "morpho_liquidation_incentive_factor('860000000000000000')", '1043841336116910229' ],
	# capped at 1.15 for low lltvs: 1 / (1 - 0.3 * 0.615) = 1.226 > 1.15
	[ "morpho_liquidation_incentive_factor('385000000000000000')", '1150000000000000000' ],
	[ "morpho_wexp('0')", '1000000000000000000' ],
	# a new market starts at 4% APR at target: 0.04e18 / 365 days
	[ "(morpho_borrow_rate('0', '900000000000000000', 1000)).avg_rate", '1268391679' ],
	# at 100% utilization the curve is 4x the rate at target, at 0% a quarter (floored)
	[ "(morpho_borrow_rate('0', '1000000000000000000', 0)).avg_rate", '5073566716' ],
	[ "(morpho_borrow_rate('0', '0', 0)).avg_rate", '317097919' ],
	# utilization as the IRM sees it: 0 without supply, even with debt
	[ "morpho_utilization('0', '5')", '0' ],
	[ "morpho_utilization('4', '3')", '750000000000000000' ],
	# nothing accrues over no time
	[ "(morpho_accrue('10', '10', '5', '5', '0', '999', 0))::text", '(10,10,5,5,0,0)' ],
	# collateral worth exactly the debt / lltv is healthy with factor 1
	[ "morpho_health_factor('1000', '1000000', '1', '1000000', '1000000000000000000000000000000000000', '500000000000000000')",
	  '500.000000000000000000' ],
	[ "morpho_health_factor('2', '1000000', '0', '1000000', '1000000000000000000000000000000000000', '500000000000000000')",
	  '1.000000000000000000' ],
	[ "morpho_health_factor('2', '0', '0', '0', '1', '500000000000000000') IS NULL", 't' ],
	[ "morpho_ltv('10', '0', '1')", '0.000000000000000000' ],
	[ "morpho_ltv('0', '10', '1')", 'Infinity' ],
	[ "morpho_ltv('3', '1', '1000000000000000000000000000000000000')", '0.333333333333333334' ],
	# ratios are written in numeric's short format by hand: byte for byte what numeric_in makes
	# of their text (record_image_eq), for zero, a lone last decimal, integer parts up to 2^64
	# and beyond, and a full fraction
	[ "bool_and(a *= b) FROM (SELECT ROW(x, 0) AS a, ROW(x::text::numeric, 0) AS b FROM
	   (SELECT morpho_health_factor(c::uint256, '1000000', '1', '1000000', p::uint256, '900000000000000000') AS x
		  FROM (VALUES ('0', '1'), ('5', '123456789012345678901234567890'),
					   ('1000000', '1000000000000000000000000000000000000'),
					   ('1', '340282366920938463463374607431768211455'),
					   ('99999999999999999999999999999', '1000000000000000000000000000000000000'),
					   ('340282366920938463463374607431768211455', '340282366920938463463374607431768211455'),
					   ('3', '123456789012345678901234567890123456789')) v(c, p)
		UNION ALL SELECT morpho_ltv('1000000000000000000', '1', '1000000000000000000000000000000000000')
		UNION ALL SELECT morpho_ltv('3', '1', '1000000000000000000000000000000000000')) s) r", 't' ],
	# e^(1e-9 * 31536000) - 1 for a rate of 1e9 wei per second
	[ "round(morpho_rate_to_apy('1000000000')::numeric, 12)", '0.032038528314' ],
);
foreach my $v (@vectors)
{
	my ($expr, $want) = @$v;
	is($node->safe_psql('postgres', "SET search_path = amplified, public; SELECT $expr"), $want, $expr);
}

# Bad arguments: the SQLSTATE and a message that names the function and argument.
my @bad = (
	[ "morpho_max_borrow('1', '1', '1000000000000000000')", '22023', qr/morpho_max_borrow: lltv must be below/ ],
	[ "morpho_is_healthy('1', '1', '1', '1', '1', '2000000000000000000')", '22023', qr/morpho_is_healthy: lltv/ ],
	[ "morpho_liquidation_incentive_factor('1000000000000000000')", '22023', qr/lltv must be below/ ],
	[ "morpho_borrow_rate('1268391679', '0', -1)", '22023', qr/morpho_borrow_rate: elapsed must not be negative/ ],
	[ "morpho_borrow_rate('-1', '0', 1)", '22023', qr/morpho_borrow_rate: rate_at_target must not be negative/ ],
	[ "morpho_accrue('1', '1', '1', '1', '0', '1', -1)", '22023', qr/morpho_accrue: elapsed must not be negative/ ],
	[ "morpho_accrue('1', '1', '1', '1', '250000000000000001', '1', 1)", '22023', qr/morpho_accrue: fee must be at most/ ],
	[ "morpho_accrue('340282366920938463463374607431768211456', '1', '1', '1', '0', '1', 1)", '22003',
	  qr/morpho_accrue: total_supply_assets out of range for uint128/ ],
	[ "morpho_accrue('340282366920938463463374607431768211455', '1', '340282366920938463463374607431768211455', '1', '0', '1000000000000000000', 1000)",
	  '22003', qr/morpho_accrue: result out of range/ ],
	[ "morpho_to_assets('115792089237316195423570985008687907853269984665640564039457584007913129639935', '1', '1', false)",
	  '22003', qr/morpho_to_assets: result out of range/ ],
	[ "morpho_liquidate('0', '0', '1', '1', '1', '0')", '22023', qr/morpho_liquidate: exactly one of seized_assets and repaid_shares/ ],
	[ "morpho_liquidate('1', '1', '1', '1', '1', '0')", '22023', qr/exactly one/ ],
	[ "morpho_liquidate('0', '1000000', '1', '1000000', '0', '860000000000000000')", '22012', qr/morpho_liquidate: division by zero/ ],
);
foreach my $b (@bad)
{
	my ($expr, $state, $re) = @$b;
	my ($rc, $out, $err) = $node->psql('postgres',
		"\\set VERBOSITY verbose\nSET search_path = amplified, public; SELECT $expr");
	like($err, qr/ERROR:\s+$state: /, "$expr: SQLSTATE $state");
	like($err, $re, "$expr: message");
}

$node->stop;
done_testing();
