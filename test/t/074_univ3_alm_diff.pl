# 074_univ3_alm_diff: univ3_alm_plan against an independent reference.
#
# test/chain/diff_alm.js draws random vault states (sqrt prices on and off
# ticks up to the bounds, spacings, volatilities, horizons, holdings from 0
# to 2^256 - 1, random plan parameters, and a few arguments the function
# must refuse; seeded: the seed is printed, AMP_SEED=N replays a run) and
# computes each plan from docs/univ3.md with @uniswap/v3-sdk for the exact
# pool math and BigInt for the bookkeeping.  This test evaluates every case
# in SQL and compares the rows (role, ticks, liquidity, amounts, idle) as
# text; where the reference refuses, any error of class 22 is expected.  It
# also checks, on SQL's side alone, that each plan's amounts add up to the
# holdings.  AMP_ALM_CASES sets the number of cases (3000).
use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use AmpTest;

my $root = $ENV{AMP_ROOT} or die "AMP_ROOT is not set";
my $cases = $ENV{AMP_ALM_CASES} // 3000;
my $node = AmpTest::node('univ3alm', preload => 0);

my $file = PostgreSQL::Test::Utils::tempdir() . '/alm.tsv';
my ($stdout, $stderr);
my $ok = IPC::Run::run([ 'node', "$root/test/chain/diff_alm.js", $file, $cases ],
	'>', \$stdout, '2>', \$stderr);
ok($ok, 'diff_alm.js generated the cases') or diag($stderr);
my ($seed) = $stdout =~ /seed=(\d+)/;
diag("ALM differential seed=$seed (replay with AMP_SEED=$seed)");

# The plan as text in the reference's format; errors become ERR:SQLSTATE.
$node->safe_psql('postgres', <<'SQL');
CREATE TABLE cases (id serial, sqrt_price text, spacing text, sigma text, horizon text,
	h0 text, h1 text, params text, expected text);
CREATE FUNCTION ev(sp text, s text, sigma text, horizon text, h0 text, h1 text, params text)
RETURNS text LANGUAGE plpgsql SET search_path = amplified, pg_catalog AS $$
DECLARE
	r text;
BEGIN
	SELECT string_agg(format('%s,%s,%s,%s,%s,%s', p.role, p.tick_lower, p.tick_upper, p.liquidity,
							 p.amount0, p.amount1), ';' ORDER BY p.o) INTO r
	  FROM univ3_alm_plan(sp::uint256, s::int, sigma::float8, horizon::float8, h0::uint256,
						  h1::uint256, params::jsonb)
		   WITH ORDINALITY AS p(role, tick_lower, tick_upper, liquidity, amount0, amount1, o);
	RETURN r;
EXCEPTION WHEN others THEN
	RETURN 'ERR:' || SQLSTATE;
END
$$;
SQL
$node->safe_psql('postgres',
	"COPY cases (sqrt_price, spacing, sigma, horizon, h0, h1, params, expected) FROM '$file'");

my $res = $node->safe_psql('postgres', <<'SQL');
CREATE TABLE results AS
	SELECT c.*, ev(sqrt_price, spacing, sigma, horizon, h0, h1, params) AS got FROM cases c;
SELECT count(*),
	   count(*) FILTER (WHERE NOT (got = expected OR (expected = 'ERR:22' AND got LIKE 'ERR:22%'))
						 OR got IS NULL),
	   count(*) FILTER (WHERE expected LIKE 'ERR:%')
  FROM results;
SQL
my ($n, $bad, $errs) = split /\|/, $res;
cmp_ok($n, '>=', 1000, "$n cases");
my $pass = is($bad, 0, "univ3_alm_plan: $n cases ($errs expecting an error) agree with the reference");
if (!$pass)
{
	diag($node->safe_psql('postgres',
		"SELECT format(E'  sqrt_price=%s spacing=%s sigma=%s horizon=%s h0=%s h1=%s params=%s\\n    expected=%s\\n    got=%s', "
		  . "sqrt_price, spacing, sigma, horizon, h0, h1, params, expected, got) FROM results "
		  . "WHERE NOT (got = expected OR (expected = 'ERR:22' AND got LIKE 'ERR:22%')) OR got IS NULL LIMIT 5"));
}

# On SQL's side alone: the rows of every plan add up to the holdings, token
# by token, and every order lies on the spacing with its price range around
# the ticks it names.
is($node->safe_psql('postgres', <<'SQL'), '0', 'every plan places or leaves idle exactly the holdings');
SET search_path = amplified, public;
SELECT count(*) FROM results r
 WHERE got NOT LIKE 'ERR%'
   AND (SELECT sum(split_part(x, ',', 5)::numeric) <> r.h0::numeric
			OR sum(split_part(x, ',', 6)::numeric) <> r.h1::numeric
			OR bool_or(split_part(x, ',', 1) <> 'idle'
					   AND (split_part(x, ',', 2)::int % r.spacing::int <> 0
							OR split_part(x, ',', 3)::int % r.spacing::int <> 0
							OR split_part(x, ',', 2)::int >= split_part(x, ',', 3)::int))
		  FROM unnest(string_to_array(r.got, ';')) x);
SQL

# The cases must reach every kind of order, both limit sides, the liquidity
# cap and the refusals, or the agreement above proves little.
is($node->safe_psql('postgres', <<'SQL'), 't|t|t|t|t|t', 'the cases reach every order kind, both limit sides, the cap and the errors');
SET search_path = amplified, public;
SELECT count(*) FILTER (WHERE got ~ '(^|;)full_range,') >= 100,
	   count(*) FILTER (WHERE got ~ '(^|;)base,') >= 1000,
	   count(*) FILTER (WHERE got ~ 'limit,[^;]*,[^;]*,[^;]*,0,[1-9]') >= 100,
	   count(*) FILTER (WHERE got ~ 'limit,[^;]*,[^;]*,[^;]*,[1-9][0-9]*,0(;|$)') >= 100,
	   count(*) FILTER (WHERE position(',' || CASE WHEN spacing::int > 0
			   THEN div(340282366920938463463374607431768211455, (887272 / spacing::int) * 2 + 1)::text
			   END || ',' IN got) > 0) >= 20,
	   count(*) FILTER (WHERE expected = 'ERR:22') >= 50
  FROM results;
SQL
diag("$n cases, $bad mismatches, seed=$seed");

$node->stop;
done_testing();
