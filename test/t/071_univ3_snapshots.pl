# 071_univ3_snapshots: univ3_simulate_swap reproduces Uniswap v3-core's
# recorded swap results.
#
# test/chain/univ3/v3core_swaps_snapshot.tsv holds the numbers published in
# v3-core's test/__snapshots__/UniswapV3Pool.swaps.spec.ts.snap for all 15
# pools of UniswapV3Pool.swaps.spec.ts, each with its 12 default swaps: the
# pool's token balances after the mint, its starting tick, and per swap the
# balance changes, the fee growth deltas and the tick after, or the SPL
# revert.  The pools are rebuilt here the way the spec builds them: the
# starting price from encodePriceSqrt (bignumber.js, 40 decimal places,
# half-up, then floored), then its positions (one or more; the pools with
# several cross initialized ticks inside the usable range): the active
# liquidity is the sum of those containing the starting tick, and every
# position's ends become initialized ticks with their summed liquidityNet.
# Every number must match exactly.
use strict;
use warnings;

use Math::BigInt;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use AmpTest;

my $root = $ENV{AMP_ROOT} or die "AMP_ROOT is not set";
my $node = AmpTest::node('univ3snap', preload => 0);

my $MIN_SQRT = Math::BigInt->new('4295128739');
my $MAX_SQRT = Math::BigInt->new('1461446703485210103287273052203988822378723970342');
my $INT256_MAX = Math::BigInt->new(2)->bpow(255)->bsub(1);

# The spec's encodePriceSqrt(r1, r0): sqrt(r1 / r0) with bignumber.js at 40
# decimal places (each operation rounded half-up), times 2^96, floored.
sub encode_price_sqrt
{
	my ($spec) = @_;
	return $MAX_SQRT->copy->bsub(1) if $spec eq 'max-1';
	return $MIN_SQRT->copy if $spec eq 'min';
	my ($r1, $r0) = map { Math::BigInt->new($_) } split m{/}, $spec;
	my $e40 = Math::BigInt->new(10)->bpow(40);
	# q / 10^40 = r1 / r0 rounded half-up to 40 places
	my $q = $r1->copy->bmul($e40)->bmul(2)->badd($r0)->bdiv($r0->copy->bmul(2));
	# s / 10^40 = sqrt(q / 10^40) rounded half-up to 40 places
	my $n = $q->copy->bmul($e40);
	my $s = $n->copy->bsqrt;
	$s->binc if $n->copy->bsub($s->copy->bmul($s)) > $s;
	return scalar($s->bmul(Math::BigInt->new(2)->bpow(96))->bdiv($e40));
}

open(my $fh, '<', "$root/test/chain/univ3/v3core_swaps_snapshot.tsv") or die $!;
my (%pool, @swaps);
while (my $line = <$fh>)
{
	chomp $line;
	next if $line =~ /^#/ || $line eq '';
	my @f = split /\t/, $line;
	if ($f[0] eq 'pool')
	{
		my (undef, $name, $fee, $spacing, $price, $lo, $hi, $liq, $b0, $b1, $tick) = @f;
		my @lo = split /,/, $lo;
		my @hi = split /,/, $hi;
		my @liq = split /,/, $liq;
		die "pool $name: position lists of different lengths"
		  unless @lo == @hi && @lo == @liq && @lo > 0;
		# active liquidity at the starting tick, and liquidityNet per tick
		my ($active, %net) = (Math::BigInt->new(0));
		for my $i (0 .. $#lo)
		{
			my $l = Math::BigInt->new($liq[$i]);
			$active->badd($l) if $lo[$i] <= $tick && $tick < $hi[$i];
			$net{ $lo[$i] } = ($net{ $lo[$i] } // Math::BigInt->new(0))->badd($l);
			$net{ $hi[$i] } = ($net{ $hi[$i] } // Math::BigInt->new(0))->bsub($l);
		}
		my @ticks = sort { $a <=> $b } keys %net;
		$pool{$name} = { fee => $fee, spacing => $spacing, sqrt => encode_price_sqrt($price),
			lo => \@lo, hi => \@hi, liq => \@liq, b0 => $b0, b1 => $b1, tick => $tick,
			active => $active->bstr, ticks => join(',', @ticks),
			nets => join(',', map { "'" . $net{$_}->bstr . "'" } @ticks) };
	}
	else
	{
		push @swaps, [ @f[ 1 .. $#f ] ];
	}
}
close $fh;
is(scalar(keys %pool), 15, 'all 15 snapshot pools loaded');
cmp_ok(scalar(@swaps), '==', 180, scalar(@swaps) . ' snapshot swaps loaded');

# Each pool: starting tick, and the balances the mints left (the signed
# amount deltas round up when liquidity is added), summed over its positions.
foreach my $name (sort keys %pool)
{
	my $p = $pool{$name};
	my $vals = join(",\n\t", map { "($p->{lo}[$_], $p->{hi}[$_], '$p->{liq}[$_]'::int256)" } 0 .. $#{ $p->{lo} });
	my $got = $node->safe_psql('postgres', <<"SQL");
SET search_path = amplified, public;
WITH pos(lo, hi, l) AS (VALUES $vals),
s AS (SELECT '$p->{sqrt}'::uint256 AS p, univ3_sqrt_price_at_tick(lo) AS a,
			 univ3_sqrt_price_at_tick(hi) AS b, l FROM pos),
d AS (SELECT CASE WHEN p <= a THEN univ3_amount0_delta(a, b, l) WHEN p < b THEN univ3_amount0_delta(p, b, l) ELSE 0::int256 END AS d0,
			 CASE WHEN p <= a THEN 0::int256 WHEN p < b THEN univ3_amount1_delta(a, p, l) ELSE univ3_amount1_delta(a, b, l) END AS d1
		FROM s)
SELECT concat_ws('|', sum(d0::numeric), sum(d1::numeric), univ3_tick_at_sqrt_price('$p->{sqrt}'))
  FROM d;
SQL
	is($got, "$p->{b0}|$p->{b1}|$p->{tick}", "pool $name: balances after the mint and starting tick");
}

# Each swap, through the simulator.
my $n_ok = 0;
foreach my $s (@swaps)
{
	my ($name, $zfo, $kind, $arg, @expected) = @$s;
	my $p = $pool{$name};
	my ($amount, $limit);
	if ($kind eq 'in') { $amount = $arg; $limit = 'NULL'; }
	elsif ($kind eq 'out') { $amount = "-$arg"; $limit = 'NULL'; }
	else { $amount = $INT256_MAX->bstr; $limit = "'" . encode_price_sqrt($arg)->bstr . "'"; }
	my $tick = $p->{tick};
	my $liq = $p->{active};
	$zfo = "'$zfo'::bool";
	my $sql = <<"SQL";
SET search_path = amplified, public;
SELECT concat_ws('|', amount0, amount1,
				 CASE WHEN $zfo THEN fee_growth_global_delta ELSE 0 END,
				 CASE WHEN $zfo THEN 0 ELSE fee_growth_global_delta END, tick_after)
  FROM univ3_simulate_swap('$p->{sqrt}', $tick, '$liq', $p->{spacing}, $p->{fee},
						   ARRAY[$p->{ticks}], ARRAY[$p->{nets}]::int256[],
						   $zfo, '$amount', $limit);
SQL
	my ($ret, $out, $err) = $node->psql('postgres', $sql);
	my $what = "pool $name: " . ($zfo =~ /'t'/ ? 'token0 in' : 'token1 in') . ", $kind $arg";
	if ($expected[0] eq 'SPL')
	{
		like($err, qr/invalid sqrt price limit \(UniswapV3Pool: SPL\)/, "$what: reverts with SPL");
	}
	else
	{
		$n_ok++ if is($out, join('|', @expected), "$what: amounts, fee growth and tick as recorded");
		diag($err) if $ret != 0;
	}
}
diag("$n_ok snapshot swaps reproduced exactly");

$node->stop;
done_testing();
