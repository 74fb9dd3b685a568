# 073_univ3_backtest: the analytics that read ingested Uniswap v3 data, on the
# local chain fixture.  Traffic runs with one block every 45 s; the pools are
# ingested with slot0/liquidity/fee growth read at every block.  Then, against
# values this test computes itself from eth_getLogs, eth_getBlockByNumber and
# eth_call: univ3_time_in_range (the tick carried between swaps),
# univ3_fees_earned (fee growth readings at the window's blocks), and
# univ3_backtest replayed here swap by swap (fees as the position's share of
# each swap's fee, holdings at the end, rebalances decided by the ALM
# functions), for five parameter sets in one query (held full range, held
# base, a narrow rebalancing range, the same with a TWAP gate that never
# blocks and with gas too dear to rebalance).
use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Math::BigInt try => 'GMP';
use JSON::PP;
use AmpTest;
use AmpChain;

my $chain = AmpChain->new;
my $d = $chain->deploy;
my $url = $chain->url;
my $node = AmpTest::node('backtest');

my %pools = map { $_ => $d->{pools}{$_} } grep { /^wstETH-WETH/ } keys %{ $d->{pools} };
my @paddr = map { lc $_->{address} } values %pools;

$node->safe_psql('postgres', qq{
	SELECT amplified.add_chain(31337, 'anvil', ARRAY['$url'], confirmations => 1, finality_depth => 10,
		poll_interval => '100 ms');
	SELECT amplified.watch_contract(31337, a::amplified.address, 'p' || i, 'univ3_pool', 0, 1)
	  FROM unnest(ARRAY['@{[ join("','", @paddr) ]}']) WITH ORDINALITY AS t(a, i);});

# One confirmation: anvil serves a just-mined head's header a moment before
# eth_call pinned to its hash sees its state (about one read in 300 came
# back with the parent's state), so the pool readings stay a block behind
# the head.  synced() mines that block and waits for the one below it.
sub synced
{
	my ($what) = @_;
	$chain->rpc('evm_mine');
	my $head = hex($chain->rpc('eth_blockNumber')) - 1;
	ok($node->poll_query_until('postgres',
		"SELECT indexed_block >= $head AND coalesce(backfill_done_blocks = backfill_total_blocks, true) "
		  . "FROM amplified.v_ingest_status WHERE chain_id = 31337"),
		"$what: synced to block $head");
	return $head;
}

synced('after deploy');
$chain->rpc('anvil_setBlockTimestampInterval', [45]);
$chain->traffic(rounds => 14, seed => 73);
my $head = synced('after traffic');

my $TWO256 = Math::BigInt->new(2)->bpow(256);
my $Q192 = Math::BigInt->new(2)->bpow(192);
my $SWAP = '0xc42079f94a6350d7e6235f29174924f928cc2ac818eb64fed8004e115fbcca67';
my %ts;

sub block_ts
{
	my ($n) = @_;
	$ts{$n} //= hex($chain->rpc('eth_getBlockByNumber', [ sprintf('0x%x', $n), JSON::PP::false ])->{timestamp});
	return $ts{$n};
}

sub word
{
	my ($data, $i, $signed) = @_;
	my $x = Math::BigInt->from_hex(substr($data, 2 + 64 * $i, 64));
	$x -= $TWO256 if $signed && $x >= $TWO256 / 2;
	return $x;
}

sub sq { my ($sql) = @_; return $node->safe_psql('postgres', "SET search_path = amplified, public; $sql"); }

# The swaps of a pool from the node: block, time, amounts, price, liquidity, tick.
sub node_swaps
{
	my ($pool) = @_;
	my $logs = $chain->rpc('eth_getLogs',
		[ { fromBlock => '0x0', toBlock => sprintf('0x%x', $head), address => $pool, topics => [$SWAP] } ]);
	my @s = map {
		{
			block => hex($_->{blockNumber}), idx => hex($_->{logIndex}), at => block_ts(hex($_->{blockNumber})),
			x0 => word($_->{data}, 0, 1), x1 => word($_->{data}, 1, 1), sp => word($_->{data}, 2),
			l => word($_->{data}, 3), tick => word($_->{data}, 4, 1)->numify,
		}
	} @$logs;
	return sort { $a->{block} <=> $b->{block} || $a->{idx} <=> $b->{idx} } @s;
}

# The tick path share in [lo, hi): overlap ticks (1/0 when unmoved) and length.
sub overlap
{
	my ($a, $b, $lo, $hi) = @_;
	if ($a == $b) { return (($a >= $lo && $a < $hi) ? 1 : 0, 1); }
	my ($mn, $mx) = $a < $b ? ($a, $b) : ($b, $a);
	my $ov = ($mx < $hi ? $mx : $hi) - ($mn > $lo ? $mn : $lo);
	return ($ov > 0 ? $ov : 0, $mx - $mn);
}

# Time in range over (from, to] from the tick in effect at from and the swaps.
sub tir
{
	my ($start_tick, $sw, $from, $to, $lo, $hi) = @_;
	my @ev = ([ $from, $start_tick ], map { [ $_->{at}, $_->{tick} ] } grep { $_->{at} > $from && $_->{at} <= $to } @$sw);
	my ($in, $all) = (0, 0);
	for my $i (0 .. $#ev)
	{
		my $seg = ($i < $#ev ? $ev[ $i + 1 ][0] : $to) - $ev[$i][0];
		$all += $seg;
		$in += $seg if $ev[$i][1] >= $lo && $ev[$i][1] < $hi;
	}
	return $in / $all;
}

for my $name (sort keys %pools)
{
	my $p = $pools{$name};
	my $pool = lc $p->{address};
	my ($spacing, $fee) = ($p->{tickSpacing}, $p->{fee});
	my @sw = node_swaps($pool);
	cmp_ok(scalar(@sw), '>=', 8, "$name: traffic made swaps (" . scalar(@sw) . ")");
	is(sq("SELECT count(*) FROM univ3_swaps WHERE pool = '$pool'"), scalar(@sw), "$name: every swap ingested");

	# The window: from just after the 3rd traffic swap to just before the last.
	my $from = $sw[2]{at} + 20;
	my $to = $sw[-1]{at} - 20;
	my @before = grep { $_->{at} <= $from } @sw;
	my $start = $before[-1];
	my @win = grep { $_->{at} > $from && $_->{at} <= $to } @sw;
	my ($fts, $tts) = ("to_timestamp($from)", "to_timestamp($to)");

	# 1. Time in range, for ranges around the ticks seen, full range and none.
	my @ticks = sort { $a <=> $b } map { $_->{tick} } ($start, @win);
	my $mid = $ticks[ int(@ticks / 2) ];
	for my $r ([ $mid - 30, $mid + 30 ], [ $ticks[0], $mid ], [ $mid, $ticks[-1] + 1 ], [ -887272, 887272 ],
		[ $ticks[-1] + 1, $ticks[-1] + 100 ])
	{
		my ($lo, $hi) = @$r;
		my $want = tir($start->{tick}, \@sw, $from, $to, $lo, $hi);
		my $have = sq("SELECT univ3_time_in_range(31337, '$pool', $lo, $hi, $fts, $tts)");
		ok(abs($have - $want) < 1e-12, "$name: time in [$lo, $hi) is $want (have $have)");
	}

	# 2. Fees earned, from the fee growth the node reports at the window's blocks.
	my ($fb, $tb) = ($start->{block}, $start->{block});
	$fb++ while block_ts($fb + 1) <= $from;
	$tb++ while $tb + 1 <= $head && block_ts($tb + 1) <= $to;
	my $L = Math::BigInt->new('1000000000000000000000');
	my @owed;
	for my $t (0, 1)
	{
		my ($ga, $gb) = map { $_->{result}[0] } @{ $chain->calls([ map {
			{ to => $pool, sig => "feeGrowthGlobal${t}X128() view returns (uint256)", args => [], block => sprintf('0x%x', $_) }
		} ($fb, $tb) ]) };
		push @owed, ((Math::BigInt->new($gb) - Math::BigInt->new($ga)) % $TWO256 * $L) >> 128;
	}
	is(sq("SELECT fees0 || ' ' || fees1 || ' ' || exact || ' ' || from_block || ' ' || to_block
		   FROM univ3_fees_earned(31337, '$pool', -887270, 887270, '$L', $fts, $tts)"),
		"$owed[0] $owed[1] true $fb $tb", "$name: full-range fees equal the fee growth between blocks $fb and $tb");
	cmp_ok($owed[0] + $owed[1], '>', 0, "$name: the window earned fees");
	is(sq("SELECT fees0 || ' ' || fees1 || ' ' || exact FROM univ3_fees_earned(31337, '$pool', @{[ $ticks[-1] + 1000 ]}, @{[ $ticks[-1] + 2000 ]}, '$L', $fts, $tts)"),
		"0 0 true", "$name: a range above every tick earned nothing, exactly");

	# 3. The backtest, three parameter sets in one query, each replayed here.
	my @sets = (
		[ 'full range, held', '{"full_range_share": 1, "rebalance": false, "vol_window_seconds": 1800}' ],
		[ 'base, held', '{"k": 1, "sigma": 0.02, "rebalance": false}' ],
		[ 'narrow, rebalancing', '{"k": 1, "sigma": 0.002, "min_width": 2, "boundary_threshold": 0}' ],
		# the TWAP is computed but never blocks: as the set above
		[ 'narrow, loose twap', '{"k": 1, "sigma": 0.002, "min_width": 2, "boundary_threshold": 0, "twap_seconds": 3600, "max_twap_deviation": 887272}' ],
		# gas dearer than any fee: the cost gate blocks every rebalance
		[ 'narrow, dear gas', '{"k": 1, "sigma": 0.002, "min_width": 2, "boundary_threshold": 0, "gas_cost": 1e30}' ],
	);
	my ($h0, $h1) = ('10000000000000000000', '10000000000000000000');
	my $values = join(', ', map { "($_, '$sets[$_][1]'::jsonb)" } 0 .. $#sets);
	my @rows = split /\n/, sq(qq{SELECT b.fees0 || ' ' || b.fees1 || ' ' || b.amount0_end || ' ' || b.amount1_end || ' '
		|| b.value_end || ' ' || b.hold_value_end || ' ' || b.rebalances || ' ' || b.swaps || ' ' || b.time_in_range
		|| ' ' || b.tick_lower || ' ' || b.tick_upper || ' ' || b.net_vs_hold || ' ' || b.il || ' ' || b.sigma
		  FROM (VALUES $values) p(n, params)
		 CROSS JOIN LATERAL univ3_backtest(31337, '$pool', $spacing, $fee, $fts, $tts, '$h0', '$h1', p.params) b
		 ORDER BY p.n});
	is(scalar(@rows), scalar(@sets), "$name: one backtest row per parameter set");
	for my $k (0 .. $#sets)
	{
		my ($label, $json) = @{ $sets[$k] };
		my $params = decode_json($json);
		my %plan_keys = map { $_ => 1 } qw(k min_width limit_width full_range_share appreciating apr peg_tick peg_pull);
		my %gate_keys = map { $_ => 1 } qw(min_period_seconds min_tick_move max_twap_deviation boundary_threshold cost_factor);
		my $pj = encode_json({ map { $_ => $params->{$_} } grep { $plan_keys{$_} } keys %$params });
		my $gj = encode_json({ map { $_ => $params->{$_} } grep { $gate_keys{$_} } keys %$params });
		my $rebal = !exists $params->{rebalance} && !exists $params->{gas_cost};
		my @have = split / /, $rows[$k];
		my $sigma = $params->{sigma};
		if (!defined $sigma)
		{
			# Realized volatility at from_ts over the trailing window: squared
			# tick returns (ln 1.0001 each) per day of the window.
			my $w = $params->{vol_window_seconds} // 86400;
			my @prior = grep { $_->{at} <= $from - $w } @sw;
			my @hist = ((@prior ? ({ %{ $prior[-1] }, at => $from - $w }) : ()), grep { $_->{at} > $from - $w && $_->{at} <= $from } @sw);
			my $ss = 0;
			$ss += (($hist[$_]{tick} - $hist[ $_ - 1 ]{tick}) * log(1.0001))**2 for 1 .. $#hist;
			my $span = $from - $hist[0]{at};
			$span = $w if $span > $w;
			my $want = $span > 0 ? sqrt($ss / ($span / 86400)) : 0;
			ok(abs($have[13] - $want) <= 1e-12 * ($want || 1) && $want > 0,
				"$name, $label: realized volatility at the start is $want (have $have[13])");
			$sigma = $have[13];
		}

		my (@pos, $idle0, $idle1);
		my $plan = sub {
			my ($sp, $a0, $a1) = @_;
			@pos = ();
			for my $r (split /\n/, sq("SELECT role, coalesce(tick_lower, 0), coalesce(tick_upper, 0), coalesce(liquidity::text, '0'), amount0, amount1
					FROM univ3_alm_plan('$sp', $spacing, $sigma, 1, '$a0', '$a1', '$pj')"))
			{
				my ($role, $lo, $hi, $l, $x0, $x1) = split /\|/, $r;
				if ($role eq 'idle') { ($idle0, $idle1) = (Math::BigInt->new($x0), Math::BigInt->new($x1)); }
				else { push @pos, { role => $role, lo => $lo, hi => $hi, l => Math::BigInt->new($l) }; }
			}
		};
		my $holdings = sub {
			my ($sp) = @_;
			my ($a0, $a1) = ($idle0->copy, $idle1->copy);
			for my $ps (@pos)
			{
				my ($x0, $x1) = split /\|/, sq("SELECT amount0, amount1 FROM univ3_amounts_for_liquidity('$sp',
					univ3_sqrt_price_at_tick($ps->{lo}), univ3_sqrt_price_at_tick($ps->{hi}), '$ps->{l}')");
				$a0 += $x0;
				$a1 += $x1;
			}
			return ($a0, $a1);
		};
		my $main = sub {
			for my $role (qw(base full_range limit)) { for (@pos) { return ($_->{lo}, $_->{hi}) if $_->{role} eq $role; } }
			return;
		};

		$plan->($start->{sp}, $h0, $h1);
		my ($f0, $f1) = (Math::BigInt->new(0), Math::BigInt->new(0));
		my ($tin, $tall, $nreb) = (0, 0, 0);
		my ($last_tick, $last_at) = ($start->{tick}, $from);
		my @ev = ({ %$start, at => $from }, @win);
		for my $i (0 .. $#ev)
		{
			my $e = $ev[$i];
			if ($i > 0)
			{
				my $prev = $ev[ $i - 1 ]{tick};
				for my $ps (@pos)
				{
					next unless $ps->{l} > 0;
					my ($ov, $len) = overlap($prev, $e->{tick}, $ps->{lo}, $ps->{hi});
					next unless $ov;
					my $den = ($e->{l} + $ps->{l}) * 1000000 * $len;
					$f0 += ($e->{x0} * $fee * $ps->{l} * $ov) / $den if $e->{x0} > 0;
					$f1 += ($e->{x1} * $fee * $ps->{l} * $ov) / $den if $e->{x1} > 0;
				}
			}
			my ($lo, $hi) = $main->();
			if ($i > 0 && $rebal && defined $lo
				&& sq("SELECT rebalance FROM univ3_alm_should_rebalance($lo, $hi, $e->{tick}, $e->{tick}, $last_tick,
					to_timestamp($last_at), to_timestamp($e->{at}), 1, 0, 0, '$gj')") eq 't')
			{
				my ($a0, $a1) = $holdings->($e->{sp});
				$plan->($e->{sp}, $a0, $a1);
				$nreb++;
				($last_tick, $last_at) = ($e->{tick}, $e->{at});
				($lo, $hi) = $main->();
			}
			# The time to the next swap at this tick, in the range now placed.
			my $seg = ($i < $#ev ? $ev[ $i + 1 ]{at} : $to) - $e->{at};
			$tall += $seg;
			$tin += $seg if defined $lo && $e->{tick} >= $lo && $e->{tick} < $hi;
		}
		my $sp = $ev[-1]{sp};
		my ($a0, $a1) = $holdings->($sp);
		my $p2 = $sp * $sp;
		my $value = ($a0 + $f0) * $p2 / $Q192 + $a1 + $f1;
		my $hold = Math::BigInt->new($h0) * $p2 / $Q192 + $h1;
		my ($lo, $hi) = $main->();
		is("@have[0 .. 7]", "$f0 $f1 $a0 $a1 $value $hold $nreb " . scalar(@win),
			"$name, $label: fees, holdings, value, hold value, $nreb rebalances, swaps");
		ok(abs($have[8] - $tin / $tall) < 1e-12 && "@have[9, 10]" eq "$lo $hi",
			"$name, $label: time in range of [$lo, $hi) is " . ($tin / $tall) . " (have $have[8] of [$have[9], $have[10]))");
		ok(abs($have[11] - ($value->numify / $hold->numify - 1)) < 1e-9, "$name, $label: net return against holding");
		if ($label eq 'full range, held')
		{
			# Holding minus the full-range position's loss: IL as univ3_position_vs_hold values it.
			cmp_ok($have[12], '<=', 0, "$name, $label: impermanent loss is not a gain");
			ok(abs($have[8] - 1) < 1e-12, "$name, $label: always in range");
		}
		$nreb > 0
		  ? pass("$name, $label: the narrow range rebalanced ($nreb)")
		  : ($label =~ /rebalancing|twap/ ? fail("$name, $label: no rebalance") : pass("$name, $label: held"));
	}

	# The rows differ where the parameters do.
	isnt($rows[0], $rows[2], "$name: different parameters give different results");
	is(join(' ', (split / /, $rows[3])[0 .. 7]), join(' ', (split / /, $rows[2])[0 .. 7]), "$name: a TWAP gate that never blocks changes nothing");

	# Fees over a range that holds every tick of the window are the global
	# growth's, exactly; over a range crossed in the window, a share of them.
	is(sq("SELECT fees0 || ' ' || fees1 || ' ' || exact FROM univ3_fees_earned(31337, '$pool', @{[ $ticks[0] - 10 ]}, @{[ $ticks[-1] + 10 ]}, '$L', $fts, $tts)"),
		"$owed[0] $owed[1] true", "$name: a range holding every tick earns the full-range fees");
	# Every block is read and every swap has a block of its own, so each
	# interval between readings holds one swap: its growth (the node's fee
	# growth before and after its block) counts in full when both ticks are in
	# range, not at all when both lie on one side, else by the share of its
	# tick path inside the range.
	my ($lo, $hi) = ($ticks[0] + 1, $mid);
	my @in = (Math::BigInt->new(0), Math::BigInt->new(0));
	my $prev = $start->{tick};
	my $mixed = 0;
	for my $e (@win)
	{
		my @g = map { $_->{result}[0] } @{ $chain->calls([ map {
			my $b = $_; map { { to => $pool, sig => "feeGrowthGlobal${_}X128() view returns (uint256)", args => [], block => sprintf('0x%x', $b) } } (0, 1)
		} ($e->{block} - 1, $e->{block}) ]) };
		my ($ov, $len) = overlap($prev, $e->{tick}, $lo, $hi);
		my $pin = ($prev >= $lo && $prev < $hi) && ($e->{tick} >= $lo && $e->{tick} < $hi);
		my $side = ($prev < $lo && $e->{tick} < $lo) || ($prev >= $hi && $e->{tick} >= $hi);
		$mixed++ unless $pin || $side;
		for my $t (0, 1)
		{
			my $dg = (Math::BigInt->new($g[ 2 + $t ]) - Math::BigInt->new($g[$t])) % $TWO256;
			$in[$t] += $pin ? $dg : $side ? 0 : $dg * $ov / $len;
		}
		$prev = $e->{tick};
	}
	my @want = map { ($_ % $TWO256) * $L >> 128 } @in;
	cmp_ok($mixed, '>', 0, "$name: swaps crossed [$lo, $hi) in the window ($mixed)");
	is(sq("SELECT fees0 || ' ' || fees1 || ' ' || exact FROM univ3_fees_earned(31337, '$pool', $lo, $hi, '$L', $fts, $tts)"),
		"$want[0] $want[1] false", "$name: fees of a range crossed in the window, split by the swaps' tick paths");
}

# The path share: ticks of a swap's path inside a range.
is(sq("SELECT univ3_path_overlap(0, 100, 50, 200) || ' ' || univ3_path_overlap(100, 0, 50, 200) || ' ' || univ3_path_overlap(5, 5, 0, 10)
	|| ' ' || univ3_path_overlap(10, 10, 0, 10) || ' ' || univ3_path_overlap(-50, 50, 0, 10) || ' ' || univ3_path_overlap(20, 30, 0, 10)"),
	'50 50 1 0 10 0', 'univ3_path_overlap counts the ticks of a path inside [lower, upper)');

# Bad input: a clear error, per line.
my ($pool) = @paddr;
my ($ret, $out, $err);
($ret, $out, $err) = $node->psql('postgres', "SELECT amplified.univ3_time_in_range(31337, '$pool', 10, 10, now() - interval '1 day', now())");
like($err, qr/tick_lower must be below tick_upper/, 'an empty range is refused');
($ret, $out, $err) = $node->psql('postgres', "SELECT amplified.univ3_time_in_range(31337, '$pool', 0, 10, now(), now())");
like($err, qr/from_ts must be before to_ts/, 'an empty window is refused');
($ret, $out, $err) = $node->psql('postgres', "SELECT * FROM amplified.univ3_backtest(31337, '$pool', 10, 500, now() - interval '1 day', now(), 1, 1, '{\"K\": 1}')");
like($err, qr/unknown backtest parameter "K"/, 'an unknown backtest parameter is refused');
($ret, $out, $err) = $node->psql('postgres', "SELECT * FROM amplified.univ3_backtest(31337, '$pool', 10, 500, now() - interval '1 day', now(), 1, 1, '{\"check_every\": 0}')");
like($err, qr/backtest parameter out of range/, 'check_every 0 is refused');
($ret, $out, $err) = $node->psql('postgres', "SELECT * FROM amplified.univ3_backtest(31337, '$pool', 10, 500, '2000-01-01', '2000-01-02', 1, 1)");
like($err, qr/no price of pool .* is known/, 'a backtest before any price is refused');
($ret, $out, $err) = $node->psql('postgres', "SELECT * FROM amplified.univ3_fees_earned(31337, '$pool', 0, 10, 1, '2000-01-01', '2000-01-02')");
like($err, qr/no fee growth reading/, 'fees before any reading are refused');
is($node->safe_psql('postgres', "SELECT amplified.univ3_time_in_range(31337, '$pool', 0, 10, '2000-01-01', '2000-01-02') IS NULL"),
	't', 'no tick known: time in range is NULL');

done_testing();
