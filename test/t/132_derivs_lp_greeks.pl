# 132_derivs_lp_greeks: univ3_position_greeks against an independent Python
# computation and against finite differences of the exact value.
#
# Cases (seeded): ranges anywhere in [MIN_TICK, MAX_TICK] including ranges
# touching MIN_TICK and MAX_TICK, narrow and wide; the price below, inside
# and above the range, off the tick grid (a sqrt price between two ticks),
# and exactly on the bounds; liquidity tiny (1 .. 1000), ordinary (~1e18)
# and huge (up to 2^128 - 1).  The sqrt prices of the ticks come from
# univ3_sqrt_price_at_tick (tested against TickMath elsewhere); everything
# else is recomputed by /usr/bin/python3 with exact integers and fractions:
# - the amounts by LiquidityAmounts.getAmountsForLiquidity written out again
#   here (getAmount0ForLiquidity = floor(floor(L * 2^96 * (b - a) / b) / a),
#   getAmount1ForLiquidity = floor(L * (b - a) / 2^96)): equal, exactly;
# - value1 = amount1 + amount0 * s^2 / 2^192 truncated to 30 decimals: equal,
#   exactly;
# - the closed forms (delta = L (1/sqrt P - 1/sqrt Pb) in range, the whole
#   amount0 below, 0 above; gamma = -L / (2 P^(3/2)) in range, the lower
#   bound included as the pool counts tick_lower in range, else 0) as
#   fractions (sqrt P = s / 2^96 is rational): within 1e-12 relative, the
#   float8 round-off of a few operations;
# - finite differences of the exact values the extension returns at the
#   sqrt prices s- = isqrt(s^2 (1 - h)) and s+ = isqrt(s^2 (1 + h)) (so
#   P+- = s+-^2 / 2^192 exactly, steps d- = P - P-, d+ = P+ - P, unequal by
#   the rounding of isqrt): the central first difference and the
#   non-uniform second difference agree with delta and gamma within
#   a bound computed per point from Taylor's theorem:
#     |D1 - V'|  <= |V''| |d+ - d-| / 2 + T3 (d+^3 + d-^3) / (6 (d+ + d-))
#                   + (e+ + e-) / (d+ + d-)
#     |D2 - V''| <= T3 |d+ - d-| / 3 + T4 (d+^3 + d-^3) / (12 (d+ + d-))
#                   + 2 ((e+ + e) / d+ + (e + e-) / d-) / (d+ + d-)
#   where T3 = 3/4 L Pmin^(-5/2) and T4 = 15/8 L Pmin^(-7/2) bound the third
#   and fourth derivatives of V = 2 L sqrt P - L sqrt Pa - L P / sqrt Pb on
#   [P-, P+] (zero outside the range, where V is linear in P), and
#   e = 2 P + 1 bounds the error of the value of the rounded-down amounts
#   (amount0 is floored twice, amount1 once), plus 1e-9 relative for the
#   float8 results.  The rounding term is what limits h from below: h is
#   1e-4, or a quarter of the relative distance to the nearer bound of the
#   range when that is smaller (so that the three points lie in one region,
#   where V is smooth).  For positions whose amounts are large the bound is
#   checked to be tight (below 1e-4 of |delta| or |gamma|), so that the
#   comparison has teeth.
use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use AmpTest;

my $node = AmpTest::node('lp_greeks', preload => 0);
my $dir = PostgreSQL::Test::Utils::tempdir();
my $python = -x '/usr/bin/python3' ? '/usr/bin/python3' : 'python3';

my ($MIN, $MAX) = (-887272, 887272);
srand(132);
my @cases;
my $id = 0;
# (tick_lower, tick_upper, price tick, where, liquidity) by kind
sub liq
{
	my ($kind) = @_;
	return 1 + int(rand(1000)) if $kind eq 'tiny';
	return int(1e17 + rand(9e17)) if $kind eq 'normal';
	# huge: a random 128-bit number with its top bit set, or 2^128 - 1
	return rand() < 0.2 ? '340282366920938463463374607431768211455'
	  : sprintf('%.0f', 2**127 + rand(2**126));
}
for my $kind (qw(tiny normal huge))
{
	for my $k (1 .. 14)
	{
		my $width = (10, 60, 600, 6000, 60000, 400000)[ int(rand(6)) ];
		my $lo;
		if ($k <= 2) { $lo = $MIN; }
		elsif ($k <= 4) { $lo = $MAX - $width; }
		else { $lo = int(-800000 + rand(1600000 - $width)); }
		my $hi = $lo + $width;
		$hi = $MAX if $hi > $MAX;
		my $where = (qw(in below above))[ $k % 3 ];
		my $tp;
		if ($where eq 'in') { $tp = $lo + int(rand($hi - $lo)); }
		elsif ($where eq 'below') { $tp = $lo - 1 - int(rand(5000)); }
		else { $tp = $hi + int(rand(5000)); }
		# keep the price tick inside the tick range (the range at MIN/MAX has
		# no room below/above: then the price sits in range)
		if ($tp < $MIN) { $tp = $lo + int(rand($hi - $lo)); $where = 'in'; }
		if ($tp > $MAX - 1) { $tp = $lo + int(rand($hi - $lo)); $where = 'in'; }
		push @cases, [ ++$id, $lo, $hi, $tp, liq($kind), $kind, $where ];
	}
}
my $values = join(",\n", map { "($_->[0], $_->[1], $_->[2], $_->[3], '$_->[4]'::numeric, '$_->[5]', '$_->[6]')" } @cases);
$node->safe_psql('postgres', <<"SQL");
CREATE TABLE cases (id int PRIMARY KEY, tl int, tu int, tp int, l numeric, kind text, wh text);
INSERT INTO cases VALUES $values;
SQL
my $ticks = $node->safe_psql('postgres', <<'SQL');
SET search_path = amplified, public;
SELECT id, tl, tu, l, kind, univ3_sqrt_price_at_tick(tl), univ3_sqrt_price_at_tick(tu),
	   univ3_sqrt_price_at_tick(tp), univ3_sqrt_price_at_tick(least(tp + 1, 887272))
  FROM cases ORDER BY id
SQL
open(my $fh, '>', "$dir/ticks.tsv") or die;
print $fh "$ticks\n";
close $fh;

# Python, phase 1: the sqrt prices to evaluate (s off the grid, the bounds
# themselves for some cases, s- and s+).
my $py = <<'PY';
import sys, random
from fractions import Fraction
from math import isqrt
Q96 = 1 << 96
MIN_SQRT, MAX_SQRT = 4295128739, 1461446703485210103287273052203988822378723970342
phase, d = sys.argv[1], sys.argv[2]
rng = random.Random(132)

def rows(name):
    with open(name) as f:
        return [l.rstrip('\n').split('|') for l in f if l.strip()]

def amounts(s, a, b, L):
    def a0(x, y): return ((L << 96) * (y - x) // y) // x
    def a1(x, y): return L * (y - x) // Q96
    if s <= a: return a0(a, b), 0
    if s < b: return a0(s, b), a1(a, s)
    return 0, a1(a, b)

def value1(s, x0, x1):
    v = x1 + Fraction(x0 * s * s, 1 << 192)
    return Fraction((v * 10**30).numerator // (v * 10**30).denominator, 10**30)

def greeks(s, a, b, L):
    r = lambda x: Fraction(x, Q96)          # sqrt P as a fraction
    if s < a: return L * (1 / r(a) - 1 / r(b)), Fraction(0)
    if s < b: return L * (1 / r(s) - 1 / r(b)), -Fraction(L) / (2 * r(s) ** 3)
    return Fraction(0), Fraction(0)

if phase == 'points':
    out = open(d + '/points.tsv', 'w')
    for cid, tl, tu, L, kind, a, b, s0, s1 in rows(d + '/ticks.tsv'):
        a, b, s0, s1 = int(a), int(b), int(s0), int(s1)
        # a sqrt price between the tick and the next one, and for some
        # cases the bounds themselves (no finite difference there)
        s = s0 + (rng.randrange(s1 - s0) if s1 > s0 else 0)
        pts = [('off', s)]
        if int(cid) % 7 == 0: pts += [('at_lower', a), ('at_upper', b)]
        for label, x in pts:
            if label == 'off':
                dist = min(abs(Fraction(x, a) - 1), abs(Fraction(x, b) - 1))
                h = min(Fraction(1, 10**4), dist / 4) if dist > 0 else Fraction(0)
                lo = isqrt(x * x * (h.denominator - h.numerator) // h.denominator) if h else x
                hi = isqrt(x * x * (h.denominator + h.numerator) // h.denominator) if h else x
                lo, hi = max(lo, MIN_SQRT), min(hi, MAX_SQRT - 1)
            else:
                lo = hi = x
            out.write('\t'.join(map(str, (cid, label, x, lo, hi, L, tl, tu, a, b))) + '\n')
    out.close()
else:
    # phase 2: compare; one line per check: name, 1/0, detail
    for r in rows(d + '/results.tsv'):
        (cid, label, kind, s, lo, hi, L, a, b, v, dl, gm, x0, x1, v_lo, v_hi) = r
        s, lo, hi, L, a, b, x0, x1 = map(int, (s, lo, hi, L, a, b, x0, x1))
        dl, gm = float(dl), float(gm)
        name = 'case %s %s (%s)' % (cid, label, kind)
        e0, e1 = amounts(s, a, b, L)
        print('%s: exact amounts\t%d\t%s %s vs %s %s' % (name, e0 == x0 and e1 == x1, x0, x1, e0, e1))
        ev = value1(s, e0, e1)
        print('%s: value1 exact\t%d\t%s vs %s' % (name, Fraction(v) == ev, v, float(ev)))
        cd, cg = greeks(s, a, b, L)
        okd = abs(Fraction(dl) - cd) <= Fraction(1, 10**12) * abs(cd)
        okg = abs(Fraction(gm) - cg) <= Fraction(1, 10**12) * abs(cg)
        print('%s: closed-form delta and gamma\t%d\t%r vs %r, %r vs %r' % (name, okd and okg, dl, float(cd), gm, float(cg)))
        if label != 'off' or lo >= s or hi <= s:
            continue
        P = Fraction(s * s, 1 << 192)
        Pm, Pp = Fraction(lo * lo, 1 << 192), Fraction(hi * hi, 1 << 192)
        dm, dp = P - Pm, Pp - P
        V, Vm, Vp = Fraction(v), Fraction(v_lo), Fraction(v_hi)
        D1 = (Vp - Vm) / (dp + dm)
        D2 = 2 * ((Vp - V) / dp - (V - Vm) / dm) / (dp + dm)
        inr = a < lo and hi < b
        rp = Fraction(lo, Q96)                       # sqrt of Pmin
        T3 = Fraction(3, 4) * L / rp ** 5 if inr else 0
        T4 = Fraction(15, 8) * L / rp ** 7 if inr else 0
        eps = lambda x: 2 * x + 1
        b1 = abs(Fraction(gm)) * abs(dp - dm) / 2 + T3 * (dp ** 3 + dm ** 3) / (6 * (dp + dm)) \
            + (eps(Pp) + eps(Pm)) / (dp + dm) + abs(Fraction(dl)) / 10**9
        b2 = T3 * abs(dp - dm) / 3 + T4 * (dp ** 3 + dm ** 3) / (12 * (dp + dm)) \
            + 2 * ((eps(Pp) + eps(P)) / dp + (eps(P) + eps(Pm)) / dm) / (dp + dm) + abs(Fraction(gm)) / 10**9
        print('%s: central difference of value1 = delta\t%d\t%.17g vs %.17g, bound %.3g' % (name, abs(D1 - Fraction(dl)) <= b1, float(D1), dl, float(b1)))
        print('%s: second difference of value1 = gamma\t%d\t%.17g vs %.17g, bound %.3g' % (name, abs(D2 - Fraction(gm)) <= b2, float(D2), gm, float(b2)))
        if kind != 'tiny' and inr and min(x0, x1) > 10**15:
            tight = b1 <= abs(Fraction(dl)) / 10**4 and b2 <= abs(Fraction(gm)) / 10**4
            print('%s: the finite-difference bounds are tight\t%d\tdelta bound %.3g of %.3g, gamma bound %.3g of %.3g'
                  % (name, tight, float(b1), dl, float(b2), gm))
PY
open($fh, '>', "$dir/check.py") or die;
print $fh $py;
close $fh;

system($python, "$dir/check.py", 'points', $dir) == 0 or die "python (points) failed";
$node->safe_psql('postgres', <<"SQL");
CREATE TABLE points (id int, label text, s numeric, lo numeric, hi numeric, l numeric, tl int, tu int, sa numeric, sb numeric);
COPY points FROM '$dir/points.tsv';
SQL
my $res = $node->safe_psql('postgres', <<'SQL');
SET search_path = amplified, public;
SELECT p.id, p.label, c.kind, p.s, p.lo, p.hi, p.l, p.sa, p.sb, g.value1, g.delta, g.gamma, g.amount0, g.amount1,
	   (univ3_position_greeks(p.lo::text::uint256, p.tl, p.tu, p.l::text::uint256)).value1,
	   (univ3_position_greeks(p.hi::text::uint256, p.tl, p.tu, p.l::text::uint256)).value1
  FROM points p JOIN cases c USING (id)
 CROSS JOIN LATERAL univ3_position_greeks(p.s::text::uint256, p.tl, p.tu, p.l::text::uint256) g
 ORDER BY p.id, p.label
SQL
open($fh, '>', "$dir/results.tsv") or die;
print $fh "$res\n";
close $fh;

my $out = `$python $dir/check.py compare $dir`;
is($?, 0, 'the Python comparison ran');
my %seen;
for my $line (split /\n/, $out)
{
	my ($name, $pass, $detail) = split /\t/, $line;
	ok($pass, $name) or diag($detail);
	$seen{$1}++ if $name =~ /: (central difference|second difference|the finite-difference bounds|exact amounts)/;
}
# the comparisons above all ran: every point got its exact checks, the
# off-grid points their finite differences
my $npoints = () = $res =~ /\n/g;
cmp_ok($seen{'exact amounts'} // 0, '==', $npoints + 1, 'every point was compared');
cmp_ok($seen{'central difference'} // 0, '>=', 30, 'finite differences at 30 points or more');
cmp_ok($seen{'the finite-difference bounds'} // 0, '>=', 5, 'tight finite-difference bounds at 5 points or more');
my %where = map { $_->[6] => 1 } @cases;
ok($where{in} && $where{below} && $where{above}, 'prices in, below and above the ranges');

# the regions on the bounds, as the pool counts them (tick_lower <= tick <
# tick_upper): at the lower bound in range, with the in-range gamma (the
# one-sided derivative for a rising price) and the whole amount0; one unit
# of sqrt price below it, below (gamma 0); at the upper bound, above
my $b = $node->safe_psql('postgres', <<'SQL');
SET search_path = amplified, public;
SELECT (SELECT abs(gamma / (-1e21 / (2 * power(univ3_sqrt_price_at_tick(-600)::numeric::float8 / 2^96, 3))) - 1) < 1e-12
			  AND abs(delta - amount0::numeric::float8) <= 1 + 1e-12 * delta AND in_range AND amount1 = 0
		  FROM univ3_position_greeks(univ3_sqrt_price_at_tick(-600), -600, 600, '1000000000000000000000')),
	   (SELECT gamma = 0 AND NOT in_range FROM univ3_position_greeks(univ3_sqrt_price_at_tick(-600) - 1, -600, 600, '1000000000000000000000')),
	   (SELECT gamma < 0 AND in_range FROM univ3_position_greeks(univ3_sqrt_price_at_tick(-600) + 1, -600, 600, '1000000000000000000000')),
	   (SELECT gamma = 0 AND delta = 0 AND NOT in_range FROM univ3_position_greeks(univ3_sqrt_price_at_tick(600), -600, 600, '1000000000000000000000'))
SQL
is($b, 't|t|t|t', 'at the lower bound: in range as the pool counts tick_lower (in-range gamma, the whole amount0); just below: below; just above: in range; at the upper bound: above');

$node->stop;
done_testing();
