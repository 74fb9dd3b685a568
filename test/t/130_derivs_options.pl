# 130_derivs_options: option prices, greeks and implied volatility against
# R's RQuantLib, finite differences and Hull's worked examples.
#
# References:
# - RQuantLib's EuropeanOption(type, underlying, strike, dividendYield,
#   riskFreeRate, maturity, volatility) (QuantLib's AnalyticEuropeanEngine)
#   returns value, delta, gamma, vega, theta, rho, divRho; checked here to be
#   per unit of vol, rate and yield and theta per year, as ours.  It turns the
#   maturity into whole days of an Actual/360 calendar, so the grid uses
#   maturities of whole days / 360 (1, 30, 180 and 720 days), where its t is
#   exactly ours.
# - Hull, Options, Futures, and Other Derivatives (8th ed.): Example 15.6
#   (S = 42, K = 40, r = 10 %, vol = 20 %, T = 0.5: call 4.76, put 0.81; the
#   same figures in the HP 12C user's guide, p. 201); the Greek letters
#   chapter's running example (S = 49, K = 50, r = 5 %, vol = 20 %, 20 weeks =
#   0.3846 years: call 2.40, delta 0.522, gamma 0.066, vega 12.1, theta -4.31
#   per year, rho 8.91); the implied volatility of section 15.11 (c = 1.875,
#   S = 21, K = 20, r = 10 %, T = 0.25: 0.235); Black's model, Example 18.6
#   (put on crude oil futures, F = K = 20, r = 9 %, vol = 25 %, 4 months:
#   1.12).  Compared at the digits printed, half a unit of the last digit.
#
# Tolerances:
# - prices and greeks against RQuantLib: 1e-9 relative, with an absolute
#   floor of 1e-13 times the greek's natural scale (S + K for value, vega,
#   rho and div_rho; (S + K) / sqrt(t) for theta; 1 for delta; 1/S for gamma).
#   Both sides evaluate the same closed forms in double precision; what can
#   differ is the normal distribution function (erfc here, QuantLib's own
#   there, both within a few 1e-16 relative) and the order of operations,
#   amplified at most by the cancellation in S e^{-qt} N(d1) - K e^{-rt} N(d2),
#   which on this grid is below 1e4 wherever the value is above the floor:
#   1e-16 x 1e4 leaves a margin of 1e3 under 1e-9.  A wrong convention (per
#   1 % vega, per day theta) or a wrong term is off by far more.
# - vanna and volga against central differences of our own vega and delta
#   (steps of 1e-4 in d, i.e. dS = 1e-4 S vol sqrt(t), dvol = 1e-4 vol):
#   truncation ~ (1e-4)^2 times a polynomial in d below 1e2, rounding ~ 1e-16 /
#   1e-4: 1e-6 relative with a floor of 1e-9 of the scale (1/vol for vanna,
#   S sqrt(t) / vol for volga).  Against differences of RQuantLib prices (the
#   mixed second difference for vanna, the second difference for volga, steps
#   3e-4 in d): truncation ~ 1e-7 x 1e2, rounding ~ 1e-16 x S / (3e-4)^2 /
#   scale ~ 1e-8: 1e-4 relative with a floor of 1e-6 of the scale.
# - Black-76 against RQuantLib with spot = F and dividend yield = r (its
#   forward is then F; Black-76's rho with F held is rho + divRho there):
#   same 1e-9.
# - implied vol round trips: the recovered vol within 1e-10 relative where
#   the price carries that information, i.e. within max(1e-10 vol, 64 eps
#   (S e^{-qt} + K e^{-rt}) / vega): a price is known to about eps times the
#   size of the terms it is computed from, and a price error dV moves the
#   vol by dV / vega.  Where vega underflows the vol is not determined by the
#   price and only the repricing is checked: bs_price at the implied vol
#   equals the price within 64 eps of those terms.  Prices that round to a
#   no-arbitrage bound must raise 22023.  At least 80 % of the round trips
#   must meet the plain 1e-10 (so the allowance cannot hide a broken solver).
# - put-call parity: gap below 1e-13 (S + K) on our prices and 1e-9 (S + K)
#   on RQuantLib's.
use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use AmpTest;

my $node = AmpTest::node('options', preload => 0);
my $dir = PostgreSQL::Test::Utils::tempdir();
my $tsv = "$dir/grid.tsv";
my $btsv = "$dir/black.tsv";

my $r = <<"R";
suppressMessages(library(RQuantLib))
g <- function(v) sprintf('%.17g', v)
eo <- function(type, s, k, q, r, t, v) EuropeanOption(type, s, k, q, r, t, v)
out <- file('$tsv', 'w')
id <- 0
for (type in c('call', 'put')) for (k in c(70, 90, 100, 110, 140)) for (days in c(1, 30, 180, 720))
for (rq in list(c(0.05, 0), c(0.03, 0.04), c(-0.01, 0.02))) for (v in c(0.2, 0.8)) {
  s <- 100; t <- days / 360; r <- rq[1]; q <- rq[2]; id <- id + 1
  o <- eo(type, s, k, q, r, t, v)
  sq <- v * sqrt(t); h <- 3e-4 * s * sq; dv <- 3e-4 * v
  pp <- eo(type, s + h, k, q, r, t, v + dv)\$value; pm <- eo(type, s + h, k, q, r, t, v - dv)\$value
  mp <- eo(type, s - h, k, q, r, t, v + dv)\$value; mm <- eo(type, s - h, k, q, r, t, v - dv)\$value
  vanna <- (pp - pm - mp + mm) / (4 * h * dv)
  up <- eo(type, s, k, q, r, t, v + dv)\$value; dn <- eo(type, s, k, q, r, t, v - dv)\$value
  volga <- (up - 2 * o\$value + dn) / dv^2
  cat(id, type == 'call', g(c(s, k, t, r, v, q)), g(o\$value), g(o\$delta), g(o\$gamma), g(o\$vega),
      g(o\$theta), g(o\$rho), g(o\$divRho), g(vanna), g(volga), sep = '\\t', file = out)
  cat('\\n', file = out)
}
close(out)
out <- file('$btsv', 'w')
for (type in c('call', 'put')) for (f in c(80, 100, 125)) for (days in c(30, 360))
for (r in c(0.05, -0.01)) {
  o <- eo(type, f, 100, r, r, days / 360, 0.3)
  cat(type == 'call', g(c(f, 100, days / 360, r, 0.3)), g(o\$value), g(o\$delta), g(o\$gamma),
      g(o\$vega), g(o\$theta), g(o\$rho + o\$divRho), sep = '\\t', file = out)
  cat('\\n', file = out)
}
close(out)
R
my ($out, $err);
my $ok = IPC::Run::run([ 'Rscript', '-e', $r ], '>', \$out, '2>', \$err);
ok($ok, 'R priced the grid with RQuantLib') or diag($err);

$node->safe_psql('postgres', <<"SQL");
CREATE TABLE grid (id int PRIMARY KEY, is_call boolean, s float8, k float8, t float8, r float8,
	v float8, q float8, value float8, delta float8, gamma float8, vega float8, theta float8,
	rho float8, div_rho float8, vanna_fd float8, volga_fd float8);
\\copy grid FROM '$tsv'
CREATE TABLE black (is_call boolean, f float8, k float8, t float8, r float8, v float8,
	value float8, delta float8, gamma float8, vega float8, theta float8, rho float8);
\\copy black FROM '$btsv'
SQL
is($node->safe_psql('postgres', 'SELECT count(*) FROM grid'), '240', 'the grid has 240 options');

# Compares two figures: relative tolerance with an absolute floor.
sub close_to
{
	my ($got, $want, $rel, $abs) = @_;
	return 0 unless defined $got && $got ne '';
	my $tol = abs($want) * $rel;
	$tol = $abs if $abs > $tol;
	return abs($got - $want) <= $tol;
}

# ---- prices and greeks against RQuantLib ----
my $rows = $node->safe_psql('postgres', <<'SQL');
SELECT g.id, g.s, g.k, g.t,
	   amplified.bs_price(g.is_call, g.s, g.k, g.t, g.r, g.v, g.q), g.value,
	   o.delta, g.delta, o.gamma, g.gamma, o.vega, g.vega, o.theta, g.theta,
	   o.rho, g.rho, o.div_rho, g.div_rho
  FROM grid g, LATERAL amplified.bs_greeks(g.is_call, g.s, g.k, g.t, g.r, g.v, g.q) o
 ORDER BY g.id
SQL
my @names = qw(value delta gamma vega theta rho div_rho);
my %bad;
my $n = 0;
for my $line (split /\n/, $rows)
{
	my ($id, $s, $k, $t, @v) = split /\|/, $line;
	my @scale = ($s + $k, 1, 1 / $s, $s + $k, ($s + $k) / sqrt($t), $s + $k, $s + $k);
	for my $i (0 .. $#names)
	{
		unless (close_to($v[2 * $i], $v[2 * $i + 1], 1e-9, 1e-13 * $scale[$i]))
		{
			push @{ $bad{ $names[$i] } }, "id $id: ours $v[2 * $i], RQuantLib $v[2 * $i + 1]";
		}
	}
	$n++;
}
is($n, 240, 'every grid option priced');
for my $name (@names)
{
	ok(!$bad{$name}, "$name as RQuantLib's within 1e-9 over the grid")
	  or diag(join("\n", @{ $bad{$name} }[ 0 .. (@{ $bad{$name} } > 5 ? 4 : $#{ $bad{$name} }) ]));
}

# ---- vanna and volga: differences of our vega and delta, and of RQuantLib's prices ----
$rows = $node->safe_psql('postgres', <<'SQL');
SELECT g.id, g.s, g.t, g.v, o.vanna, o.volga,
	   (up.vega - dn.vega) / (2 * h), (vu.delta - vd.delta) / (2 * dv), (vu.vega - vd.vega) / (2 * dv),
	   g.vanna_fd, g.volga_fd
  FROM grid g,
	   LATERAL (SELECT 1e-4 * g.s * g.v * sqrt(g.t) AS h, 1e-4 * g.v AS dv) st,
	   LATERAL amplified.bs_greeks(g.is_call, g.s, g.k, g.t, g.r, g.v, g.q) o,
	   LATERAL amplified.bs_greeks(g.is_call, g.s + h, g.k, g.t, g.r, g.v, g.q) up,
	   LATERAL amplified.bs_greeks(g.is_call, g.s - h, g.k, g.t, g.r, g.v, g.q) dn,
	   LATERAL amplified.bs_greeks(g.is_call, g.s, g.k, g.t, g.r, g.v + dv, g.q) vu,
	   LATERAL amplified.bs_greeks(g.is_call, g.s, g.k, g.t, g.r, g.v - dv, g.q) vd
 ORDER BY g.id
SQL
my %fd;
for my $line (split /\n/, $rows)
{
	my ($id, $s, $t, $v, $vanna, $volga, $vanna_vega, $vanna_delta, $volga_vega, $vanna_r, $volga_r) =
	  split /\|/, $line;
	my ($sva, $svo) = (1 / $v, $s * sqrt($t) / $v);
	push @{ $fd{'vanna, d(vega)/dS'} }, "id $id: $vanna vs $vanna_vega"
	  unless close_to($vanna, $vanna_vega, 1e-6, 1e-9 * $sva);
	push @{ $fd{'vanna, d(delta)/dvol'} }, "id $id: $vanna vs $vanna_delta"
	  unless close_to($vanna, $vanna_delta, 1e-6, 1e-9 * $sva);
	push @{ $fd{'volga, d(vega)/dvol'} }, "id $id: $volga vs $volga_vega"
	  unless close_to($volga, $volga_vega, 1e-6, 1e-9 * $svo);
	push @{ $fd{'vanna, mixed difference of RQuantLib prices'} }, "id $id: $vanna vs $vanna_r"
	  unless close_to($vanna, $vanna_r, 1e-4, 1e-6 * $sva);
	push @{ $fd{'volga, second difference of RQuantLib prices'} }, "id $id: $volga vs $volga_r"
	  unless close_to($volga, $volga_r, 1e-4, 1e-6 * $svo);
}
for my $what ('vanna, d(vega)/dS', 'vanna, d(delta)/dvol', 'volga, d(vega)/dvol',
	'vanna, mixed difference of RQuantLib prices', 'volga, second difference of RQuantLib prices')
{
	ok(!$fd{$what}, "$what over the grid")
	  or diag(join("\n", @{ $fd{$what} }[ 0 .. (@{ $fd{$what} } > 5 ? 4 : $#{ $fd{$what} }) ]));
}

# ---- Black-76 ----
$rows = $node->safe_psql('postgres', <<'SQL');
SELECT b.f, b.k, b.t,
	   amplified.black76_price(b.is_call, b.f, b.k, b.t, b.r, b.v), b.value,
	   o.delta, b.delta, o.gamma, b.gamma, o.vega, b.vega, o.theta, b.theta, o.rho, b.rho
  FROM black b, LATERAL amplified.black76_greeks(b.is_call, b.f, b.k, b.t, b.r, b.v) o
SQL
my @bnames = qw(value delta gamma vega theta rho);
my %bbad;
my $nb = 0;
for my $line (split /\n/, $rows)
{
	my ($f, $k, $t, @v) = split /\|/, $line;
	my @scale = ($f + $k, 1, 1 / $f, $f + $k, ($f + $k) / sqrt($t), $f + $k);
	for my $i (0 .. $#bnames)
	{
		push @{ $bbad{ $bnames[$i] } }, "F $f t $t: ours $v[2 * $i], RQuantLib $v[2 * $i + 1]"
		  unless close_to($v[2 * $i], $v[2 * $i + 1], 1e-9, 1e-13 * $scale[$i]);
	}
	$nb++;
}
is($nb, 24, 'every Black-76 case priced');
for my $name (@bnames)
{
	ok(!$bbad{$name}, "Black-76 $name as RQuantLib's with spot F and yield r") or diag(join("\n", @{ $bbad{$name} }));
}
is($node->safe_psql('postgres', <<'SQL'), 't', 'Black-76 is BSM with spot = F e^{-rt} and no yield');
SELECT bool_and(abs(amplified.black76_price(c, f, 100, t, r, 0.3)
				 - amplified.bs_price(c, f * exp(-r * t), 100, t, r, 0.3, 0)) <= 1e-13 * (f + 100))
  FROM unnest('{t,f}'::boolean[]) c, unnest('{60,100,170}'::float8[]) f,
	   unnest('{0.01,0.5,3}'::float8[]) t, unnest('{0.05,0,-0.02}'::float8[]) r
SQL

# ---- Hull's worked examples ----
is($node->safe_psql('postgres', <<'SQL'), '4.76|0.81', 'Hull Example 15.6: call 4.76, put 0.81');
SELECT round(amplified.bs_price(true, 42, 40, 0.5, 0.1, 0.2)::numeric, 2),
	   round(amplified.bs_price(false, 42, 40, 0.5, 0.1, 0.2)::numeric, 2)
SQL
is($node->safe_psql('postgres', <<'SQL'), '2.40|0.522|0.066|12.1|-4.31|8.91',
SELECT round(amplified.bs_price(true, 49, 50, 0.3846, 0.05, 0.2)::numeric, 2),
	   round(delta::numeric, 3), round(gamma::numeric, 3), round(vega::numeric, 1),
	   round(theta::numeric, 2), round(rho::numeric, 2)
  FROM amplified.bs_greeks(true, 49, 50, 0.3846, 0.05, 0.2)
SQL
	'Hull, the Greek letters: price 2.40, delta 0.522, gamma 0.066, vega 12.1, theta -4.31 a year, rho 8.91');
is($node->safe_psql('postgres', q{SELECT round(amplified.implied_vol('bs', true, 1.875, 21, 20, 0.25, 0.1)::numeric, 3)}),
	'0.235', 'Hull section 15.11: a call worth 1.875 implies 23.5 %');
is($node->safe_psql('postgres', q{SELECT round(amplified.black76_price(false, 20, 20, 4 / 12.0, 0.09, 0.25)::numeric, 2)}),
	'1.12', "Hull Example 18.6: Black's model, the crude oil futures put is worth 1.12");

# ---- put-call parity ----
is($node->safe_psql('postgres', <<'SQL'), '0|0', 'put-call parity holds on our prices and on RQuantLib\'s');
SELECT count(*) FILTER (WHERE abs(amplified.bs_parity_gap(
			amplified.bs_price(true, c.s, c.k, c.t, c.r, c.v, c.q),
			amplified.bs_price(false, c.s, c.k, c.t, c.r, c.v, c.q), c.s, c.k, c.t, c.r, c.q)) > 1e-13 * (c.s + c.k)),
	   count(*) FILTER (WHERE abs(amplified.bs_parity_gap(c.value, p.value, c.s, c.k, c.t, c.r, c.q)) > 1e-9 * (c.s + c.k))
  FROM grid c JOIN grid p ON p.id = c.id + 120
 WHERE c.is_call AND NOT p.is_call
SQL
is($node->safe_psql('postgres', 'SELECT round(amplified.bs_parity_gap(4.76 + 0.1, 0.81, 42, 40, 0.5, 0.1)::numeric, 2)'),
	'0.10', 'a call 0.10 rich shows as a gap of +0.10');

# ---- implied volatility round trips ----
$node->safe_psql('postgres', <<'SQL');
CREATE FUNCTION iv_or_error(m text, c boolean, p float8, u float8, k float8, t float8, r float8, q float8)
RETURNS text LANGUAGE plpgsql AS $$
BEGIN
	RETURN amplified.implied_vol(m, c, p, u, k, t, r, q)::text;
EXCEPTION WHEN others THEN
	RETURN 'E' || SQLSTATE || ' ' || SQLERRM;
END $$;
CREATE TABLE rt AS
WITH cases AS (
	SELECT m, c, v, t, x, r, q, 100::float8 AS s,
		   100 * exp((r - q) * t) * exp(x * v * sqrt(t)) AS k
	  FROM unnest('{bs,black76}'::text[]) m, unnest('{t,f}'::boolean[]) c,
		   unnest('{0.001,0.05,0.2,0.8,3,10}'::float8[]) v,
		   unnest(ARRAY[1 / 8760.0, 1 / 365.0, 0.25, 2]::float8[]) t,
		   unnest('{-12,-6,-3,-1.5,-0.5,0,0.3,1,3,6,12}'::float8[]) x,
		   (VALUES (0.05::float8, 0.0::float8), (-0.01, 0.03)) rq(r, q)
	 WHERE m = 'bs' OR q = 0
)
SELECT cases.*, p.price, o.vega, lb, ub,
	   iv_or_error(m, c, p.price, s, k, t, r, q) AS iv
  FROM cases,
	   LATERAL (SELECT CASE m WHEN 'bs' THEN amplified.bs_price(c, s, k, t, r, v, q)
				ELSE amplified.black76_price(c, s, k, t, r, v) END AS price) p,
	   LATERAL (SELECT * FROM amplified.bs_greeks(c, CASE m WHEN 'bs' THEN s ELSE s * exp(-r * t) END,
				k, t, r, v, CASE m WHEN 'bs' THEN q ELSE 0 END)) o,
	   LATERAL (SELECT CASE m WHEN 'bs' THEN s * exp(-q * t) ELSE s * exp(-r * t) END AS sdisc,
				k * exp(-r * t) AS kdisc) d,
	   LATERAL (SELECT greatest(CASE WHEN c THEN sdisc - kdisc ELSE kdisc - sdisc END, 0) AS lb,
				CASE WHEN c THEN sdisc ELSE kdisc END AS ub) b;
SQL
$rows = $node->safe_psql('postgres', <<'SQL');
SELECT m, c, v, t, x, r, q, s, k, price, vega, lb, ub, iv,
	   CASE WHEN iv NOT LIKE 'E%' THEN
		   CASE m WHEN 'bs' THEN amplified.bs_price(c, s, k, t, r, iv::float8, q)
		   ELSE amplified.black76_price(c, s, k, t, r, iv::float8) END END
  FROM rt
SQL
my ($total, $tight, $inside, $outside, @fail) = (0, 0, 0, 0);
my $eps = 2.220446049250313e-16;
for my $line (split /\n/, $rows)
{
	my ($m, $c, $v, $t, $x, $rr, $q, $s, $k, $price, $vega, $lb, $ub, $iv, $reprice) = split /\|/, $line;
	my $case = "$m call=$c vol=$v t=$t x=$x r=$rr q=$q: price $price";
	my $terms = ($m eq 'bs' ? $s * exp(-$q * $t) : $s * exp(-$rr * $t)) + $k * exp(-$rr * $t);
	$total++;
	# a price within rounding of a bound: either a 22023 naming the bound or
	# a vol that reprices it (which side of the bound it falls on is noise)
	if (abs($price - $lb) <= 4 * $eps * $terms || abs($ub - $price) <= 4 * $eps * $terms)
	{
		$outside++;
		if ($iv =~ /^E/)
		{
			push @fail, "$case on a bound, expected 22023, got $iv"
			  unless $iv =~ /^E22023 price .* is not (above the lower|below the upper) no-arbitrage bound/;
		}
		else
		{
			push @fail, "$case on a bound: repriced at $iv to $reprice"
			  unless abs($reprice - $price) <= 64 * $eps * $terms;
		}
		next;
	}
	$inside++;
	if ($iv =~ /^E/)
	{
		push @fail, "$case inside the bounds ($lb, $ub) but: $iv";
		next;
	}
	push @fail, "$case: repriced at $iv to $reprice"
	  unless abs($reprice - $price) <= 64 * $eps * $terms;
	next unless $vega > 0;
	my $tol = 64 * $eps * $terms / $vega;
	$tol = 1e-10 * $v if $tol < 1e-10 * $v;
	$tight++ if abs($iv - $v) <= 1e-10 * $v;
	push @fail, sprintf('%s: recovered %.17g, error %.3g, tolerance %.3g', $case, $iv, abs($iv - $v), $tol)
	  unless abs($iv - $v) <= $tol;
}
ok(!@fail, "implied vol round trips: $inside prices inside the bounds, $outside on a bound")
  or diag(join("\n", @fail[ 0 .. (@fail > 10 ? 9 : $#fail) ]), "\n", scalar(@fail), ' failures');
ok($total > 1500 && $inside > 0.7 * $total, "the round trips cover the grid ($total cases, $inside inside)");
ok($tight >= 0.8 * $inside, "at least 80 % of the round trips within 1e-10 relative ($tight of $inside)");

# prices outside the bounds (by more than rounding) all fail with 22023 naming the bound
is($node->safe_psql('postgres', <<'SQL'), '0|0|0', 'prices outside the no-arbitrage bounds: 22023 naming the bound');
SELECT count(*) FILTER (WHERE iv_or_error(m, c, lb - 1e-9 * (s + k), s, k, t, r, q) !~ '^E22023 price .* is not above the lower no-arbitrage bound'),
	   count(*) FILTER (WHERE iv_or_error(m, c, ub + 1e-9 * (s + k), s, k, t, r, q) !~ '^E22023 price .* is not below the upper no-arbitrage bound'),
	   count(*) FILTER (WHERE iv_or_error(m, c, -1, s, k, t, r, q) !~ '^E22023 ')
  FROM rt
SQL

# very deep wings and extreme prices strictly inside the bounds still converge
is($node->safe_psql('postgres', <<'SQL'), '0', 'deep wings: prices a hair inside the bounds all converge and reprice');
SELECT count(*) FROM (
	SELECT c, k, t, p, amplified.implied_vol('bs', c, p, 100, k, t, 0.03) AS iv
	  FROM unnest('{t,f}'::boolean[]) c, unnest('{1e-6,0.5,50,100,200,1e6}'::float8[]) k,
		   unnest('{1e-4,1,30}'::float8[]) t,
		   LATERAL (SELECT greatest(CASE WHEN c THEN 100 - k * exp(-0.03 * t) ELSE k * exp(-0.03 * t) - 100 END, 0) AS lb,
						   CASE WHEN c THEN 100 ELSE k * exp(-0.03 * t) END AS ub) b,
		   LATERAL unnest(ARRAY[lb + (ub - lb) * 1e-12, lb + (ub - lb) * 1e-6, (lb + ub) / 2,
								ub - (ub - lb) * 1e-6, ub - (ub - lb) * 1e-12]) p
	 WHERE p > lb AND p < ub) z
 WHERE NOT (iv > 0 AND iv < 'Infinity')
	OR abs(amplified.bs_price(c, 100, k, t, 0.03, iv) - p) > 1e-9 * (100 + k)
SQL

# ---- desk analytics against an outside integral ----
$out = '';
IPC::Run::run([ 'Rscript', '-e', <<'R' ], '>', \$out, '2>', \$err) or diag($err);
s <- 3000; k <- 3150; t <- 30 / 365; r <- 0.04; v <- 0.6; q <- 0.03
m <- log(s) + (r - q - v^2 / 2) * t; sd <- v * sqrt(t)
pay <- integrate(function(x) (x - k) * dlnorm(x, m, sd), k, Inf, rel.tol = 1e-12)$value
pr <- 1 - plnorm(k, m, sd)
kp <- 0.97; sp <- 1; tp <- 0.25; vp <- 0.1
mp <- log(sp) + (r - q - vp^2 / 2) * tp; sdp <- vp * sqrt(tp)
payp <- integrate(function(x) (kp - x) * dlnorm(x, mp, sdp), 0, kp, rel.tol = 1e-12)$value
cat(sprintf('%.15g', c(pay, pr, payp, plnorm(kp, mp, sdp))), sep = '|')
R
my ($pay, $prob, $payp, $probp) = split /\|/, $out;
my ($cc) = $node->safe_psql('postgres', <<'SQL');
SELECT expected_assignment_cost, prob_assignment, premium * exp(0.04 * 30 / 365.0), breakeven, max_gain,
	   premium_yield * 30 / 365.0 * 3000 - premium
  FROM amplified.option_covered_call(3000, 3150, 30 / 365.0, 0.04, 0.6, 0.03)
SQL
my @cc = split /\|/, $cc;
ok(close_to($cc[0], $pay, 1e-8, 0), "covered call: expected assignment cost is E[(S_T - K)+] by R's integral ($pay)")
  or diag($cc);
ok(close_to($cc[1], $prob, 1e-10, 1e-15), 'covered call: prob_assignment is the risk-neutral P(S_T > K)');
ok(close_to($cc[2], $cc[0], 1e-14, 0), 'covered call: the premium carried at the rate equals the expected assignment cost');
ok(abs($cc[5]) < 1e-9, 'covered call: premium_yield is premium / spot / t');
my ($pp) = $node->safe_psql('postgres', <<'SQL');
SELECT expected_payout, prob_below_strike, protected_floor, cost_bps_per_year, premium
  FROM amplified.option_peg_put(1, 0.97, 0.25, 0.04, 0.1, 0.03, 1000)
SQL
my @pp = split /\|/, $pp;
ok(close_to($pp[0], 1000 * $payp, 1e-8, 0), "peg put: expected payout is E[(K - S_T)+] by R's integral") or diag($pp);
ok(close_to($pp[1], $probp, 1e-10, 1e-15), 'peg put: prob_below_strike is the risk-neutral P(S_T < K)');
ok($pp[2] == 970 && close_to($pp[3], $pp[4] / 1000 / 0.25 * 1e4, 1e-14, 0), 'peg put: floor 970, cost in bps a year');

done_testing();
