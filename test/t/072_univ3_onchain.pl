# 072_univ3_onchain: our Uniswap v3 math against the real contracts on the
# chain fixture.
#
# On a fresh fixture (test/chain, AmpChain.pm) an LP mints a position around
# the current tick of the wstETH-WETH-500 pool through the
# NonfungiblePositionManager, swaps go through the SwapRouter in both
# directions (out of the range below, through it and out above, then back
# in with an exact-output swap and a small swap inside one tick range), the
# LP decreases liquidity, collects, and withdraws the rest.  At each step
# what the contracts report (IncreaseLiquidity / DecreaseLiquidity / Collect
# events, the pool's Swap events, slot0, liquidity, fee growth, ticks(),
# positions()) is compared with what our SQL computes from the state read
# before the step: univ3_liquidity_for_amounts, the signed amount deltas
# (round up on mint), univ3_amounts_for_liquidity, univ3_simulate_swap and
# univ3_swap_step, univ3_fee_growth_inside and univ3_tokens_owed,
# univ3_position_value.  Everything is exact except the display price.
use strict;
use warnings;

use Math::BigInt;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use AmpChain;
use AmpTest;

my $node = AmpTest::node('univ3oc', preload => 0);
my $chain = AmpChain->new;
my $d = $chain->deploy;

my $P = $d->{pools}{'wstETH-WETH-500'};
my $pool = $P->{address};
my $npm = $d->{uniswap}{positionManager};
my $router = $d->{uniswap}{swapRouter};
my $lp = $d->{accounts}[1];
my $trader = $d->{accounts}[2];
my ($fee, $spacing) = ($P->{fee}, $P->{tickSpacing});
my $DEADLINE = 4294967295;
my $MAX128 = Math::BigInt->new(2)->bpow(128)->bsub(1)->bstr;
my $E18 = Math::BigInt->new(10)->bpow(18);

# One SQL answer, search_path set.
sub sql
{
	my ($q) = @_;
	return $node->safe_psql('postgres', "SET search_path = amplified, public;\n$q");
}

# A 32-byte word of log data as a signed (two's complement) or unsigned integer.
sub word
{
	my ($data, $i, $signed) = @_;
	$data =~ s/^0x//;
	my $hex = substr($data, 64 * $i, 64);
	my $v = Math::BigInt->from_hex($hex);
	$v->bsub(Math::BigInt->new(2)->bpow(256)) if $signed && hex(substr($hex, 0, 1)) >= 8;
	return $v->bstr;
}

# The logs of a receipt with a given address and first topic.
sub logs_of
{
	my ($r, $addr, $topic) = @_;
	return grep { lc $_->{address} eq lc $addr && lc $_->{topics}[0] eq lc $topic } @{ $r->{logs} };
}

sub sent
{
	my ($r, $what) = @_;
	die "$what: $r->{error}" if $r->{error};
	is($r->{status}, 1, "$what: the transaction succeeded");
	return $r;
}

# Initialized ticks we know of: every position's ends (the fixture's, then ours).
my %known = map { ($_->{tickLower} => 1, $_->{tickUpper} => 1) } @{ $P->{positions} };

# The pool's state: slot0, liquidity, fee growth, and every known tick that
# is initialized with its liquidityNet and fee growth outside.
sub pool_state
{
	my @t = sort { $a <=> $b } keys %known;
	my $ans = $chain->calls([
		{ to => $pool, sig => 'slot0() view returns (uint160,int24,uint16,uint16,uint16,uint8,bool)' },
		{ to => $pool, sig => 'liquidity() view returns (uint128)' },
		{ to => $pool, sig => 'feeGrowthGlobal0X128() view returns (uint256)' },
		{ to => $pool, sig => 'feeGrowthGlobal1X128() view returns (uint256)' },
		map { { to => $pool, args => [$_],
			sig => 'ticks(int24) view returns (uint128,int128,uint256,uint256,int56,uint160,uint32,bool)' } } @t ]);
	die "pool state: " . join(', ', map { $_->{error} } grep { $_->{error} } @$ans)
	  if grep { $_->{error} } @$ans;
	my %s = (sqrt => $ans->[0]{result}[0], tick => $ans->[0]{result}[1],
		liquidity => $ans->[1]{result}[0], fg0 => $ans->[2]{result}[0], fg1 => $ans->[3]{result}[0]);
	for my $i (0 .. $#t)
	{
		my $r = $ans->[ 4 + $i ]{result};
		next unless $r->[7];
		$s{ticks}{ $t[$i] } = { net => $r->[1], out0 => $r->[2], out1 => $r->[3] };
	}
	return \%s;
}

# Our simulator on a state, as "amount0|amount1|sqrt|tick|liquidity|fee growth delta".
sub simulate
{
	my ($s, $zfo, $amount, $limit) = @_;
	my @t = sort { $a <=> $b } keys %{ $s->{ticks} };
	my $ticks = join(',', @t);
	my $nets = join(',', map { "'$s->{ticks}{$_}{net}'" } @t);
	$limit = defined $limit ? "'$limit'" : 'NULL';
	return sql(<<"SQL");
SELECT concat_ws('|', amount0, amount1, sqrt_price_after, tick_after, liquidity_after, fee_growth_global_delta)
  FROM univ3_simulate_swap('$s->{sqrt}', $s->{tick}, '$s->{liquidity}', $spacing, $fee,
						   ARRAY[$ticks], ARRAY[$nets]::int256[], '$zfo'::bool, '$amount', $limit);
SQL
}

# The Swap event of a receipt, in the simulator's layout, and the fee growth
# delta of the input token read from the pool.
sub swap_seen
{
	my ($r, $before, $zfo) = @_;
	my @sw = logs_of($r, $pool, $d->{topics}{Swap});
	is(scalar @sw, 1, 'one Swap event');
	my $data = $sw[0]{data};
	my $after = pool_state();
	my $fg = $zfo ? Math::BigInt->new($after->{fg0})->bsub($before->{fg0})
	  : Math::BigInt->new($after->{fg1})->bsub($before->{fg1});
	is(word($data, 2) . '|' . word($data, 4, 1), "$after->{sqrt}|$after->{tick}",
		'the Swap event carries the new slot0');
	return (join('|', word($data, 0, 1), word($data, 1, 1), word($data, 2), word($data, 4, 1),
		word($data, 3), $fg->bstr), $after);
}

# ---- the pool as deployed ----
my $s0 = pool_state();
is($s0->{tick}, $P->{tick}, "the pool is at the deployment's tick $P->{tick}");
cmp_ok(scalar keys %{ $s0->{ticks} }, '>=', 4, 'the fixture positions initialized their ticks');
# Every tick at or below the current one sums to the active liquidity: no
# initialized tick is missing from the simulator's list.
sub active_from_ticks
{
	my ($s) = @_;
	my $sum = Math::BigInt->new(0);
	$sum->badd($s->{ticks}{$_}{net}) for grep { $_ <= $s->{tick} } keys %{ $s->{ticks} };
	return $sum->bstr;
}
is(active_from_ticks($s0), $s0->{liquidity}, 'liquidityNet of the known ticks sums to the pool liquidity');

# ---- mint: a range of 3 spacings either side of the current tick ----
my $base = int($s0->{tick} / $spacing) * $spacing;
$base -= $spacing if $s0->{tick} < 0 && $base != $s0->{tick};
my ($tl, $tu) = ($base - 3 * $spacing, $base + 4 * $spacing);
my ($want0, $want1) = (Math::BigInt->new(10)->bmul($E18)->bstr, Math::BigInt->new(7)->bmul($E18)->bstr);
my $r = sent($chain->send($lp, $npm,
	'mint((address,address,uint24,int24,int24,uint256,uint256,uint256,uint256,address,uint256)) payable returns (uint256,uint128,uint256,uint256)',
	[ $P->{token0}, $P->{token1}, $fee, $tl, $tu, $want0, $want1, 0, 0, $lp, $DEADLINE ]), "mint [$tl, $tu)");
my @inc = logs_of($r, $npm, $d->{topics}{IncreaseLiquidity});
is(scalar @inc, 1, 'one IncreaseLiquidity event');
my $token_id = Math::BigInt->from_hex(substr($inc[0]{topics}[1], 2))->bstr;
my ($L, $m0, $m1) = map { word($inc[0]{data}, $_) } 0 .. 2;
$known{$tl} = $known{$tu} = 1;

my $ours = sql(<<"SQL");
WITH s AS (SELECT '$s0->{sqrt}'::uint256 AS p, univ3_sqrt_price_at_tick($tl) AS a, univ3_sqrt_price_at_tick($tu) AS b)
SELECT univ3_liquidity_for_amounts(p, a, b, '$want0', '$want1') FROM s;
SQL
is($ours, $L, "univ3_liquidity_for_amounts gives the minted liquidity $L");
$ours = sql(<<"SQL");
WITH s AS (SELECT '$s0->{sqrt}'::uint256 AS p, univ3_sqrt_price_at_tick($tl) AS a,
				  univ3_sqrt_price_at_tick($tu) AS b, '$L'::int256 AS l)
SELECT concat_ws('|',
	CASE WHEN $s0->{tick} < $tl THEN univ3_amount0_delta(a, b, l) WHEN $s0->{tick} < $tu THEN univ3_amount0_delta(p, b, l) ELSE 0::int256 END,
	CASE WHEN $s0->{tick} < $tl THEN 0::int256 WHEN $s0->{tick} < $tu THEN univ3_amount1_delta(a, p, l) ELSE univ3_amount1_delta(a, b, l) END)
  FROM s;
SQL
is($ours, "$m0|$m1", 'the signed amount deltas (rounded up, as mint does) give the amounts paid');
ok(Math::BigInt->new($m0) > 0 && Math::BigInt->new($m1) > 0, 'the position took both tokens (in range)');
$ours = sql(<<"SQL");
SELECT concat_ws('|', amount0, amount1)
  FROM univ3_amounts_for_liquidity('$s0->{sqrt}', univ3_sqrt_price_at_tick($tl), univ3_sqrt_price_at_tick($tu), '$L');
SQL
my ($f0, $f1) = split /\|/, $ours;
my ($g0, $g1) = (Math::BigInt->new($m0)->bsub($f0), Math::BigInt->new($m1)->bsub($f1));
ok(($g0 == 0 || $g0 == 1) && ($g1 == 0 || $g1 == 1),
	"univ3_amounts_for_liquidity ($ours) is the minted amounts rounded down (at most 1 less)");

# positions() and the fee growth inside recorded at mint
sub position
{
	my @p = $chain->call($npm, 'positions(uint256) view returns (uint96,address,address,address,uint24,int24,int24,uint128,uint256,uint256,uint128,uint128)', $token_id);
	return { tl => $p[5], tu => $p[6], liquidity => $p[7], in0 => $p[8], in1 => $p[9], owed0 => $p[10], owed1 => $p[11] };
}

# Our fee growth inside the range for a state, "token0|token1".
sub inside
{
	my ($s) = @_;
	my ($lo, $hi) = ($s->{ticks}{$tl}, $s->{ticks}{$tu});
	return sql(<<"SQL");
SELECT univ3_fee_growth_inside($tl, $tu, $s->{tick}, '$s->{fg0}', '$lo->{out0}', '$hi->{out0}') || '|' ||
	   univ3_fee_growth_inside($tl, $tu, $s->{tick}, '$s->{fg1}', '$lo->{out1}', '$hi->{out1}');
SQL
}

my $pos = position();
is("$pos->{tl}|$pos->{tu}|$pos->{liquidity}", "$tl|$tu|$L", 'positions() holds the range and liquidity');
my $s1 = pool_state();
is(active_from_ticks($s1), $s1->{liquidity}, 'after the mint the known ticks still account for all liquidity');
is(inside($s1), "$pos->{in0}|$pos->{in1}", 'univ3_fee_growth_inside gives the fee growth inside recorded at mint');

# ---- swaps through the router, checked against the simulator ----
my $sqrt_below = sql("SELECT univ3_sqrt_price_at_tick($tl - 25)");
my $sqrt_above = sql("SELECT univ3_sqrt_price_at_tick($tu + 25)");

# 1. token0 in, exact input with a limit below the range (stops at the limit)
my $amt = Math::BigInt->new(500)->bmul($E18)->bstr;
my $before = pool_state();
$r = sent($chain->send($trader, $router,
	'exactInputSingle((address,address,uint24,address,uint256,uint256,uint256,uint160)) payable returns (uint256)',
	[ $P->{token0}, $P->{token1}, $fee, $trader, $DEADLINE, $amt, 0, $sqrt_below ]), 'swap token0 in down to below the range');
my ($seen, $after) = swap_seen($r, $before, 1);
is(simulate($before, 't', $amt, $sqrt_below), $seen,
	'univ3_simulate_swap: amounts, sqrt price, tick, liquidity and fee growth of the swap down');
cmp_ok($after->{tick}, '<', $tl, "the price left the range below (tick $after->{tick})");
is($after->{sqrt}, $sqrt_below, 'the swap stopped at its price limit');

# 2. token1 in, exact input with a limit above the range: through it and out
$before = $after;
$r = sent($chain->send($trader, $router,
	'exactInputSingle((address,address,uint24,address,uint256,uint256,uint256,uint160)) payable returns (uint256)',
	[ $P->{token1}, $P->{token0}, $fee, $trader, $DEADLINE, $amt, 0, $sqrt_above ]), 'swap token1 in up through the range');
($seen, $after) = swap_seen($r, $before, 0);
is(simulate($before, 'f', $amt, $sqrt_above), $seen,
	'univ3_simulate_swap: amounts, sqrt price, tick, liquidity and fee growth of the swap up');
cmp_ok($after->{tick}, '>=', $tu, "the price left the range above (tick $after->{tick})");

# 3. token0 in for an exact output of token1, back into the range: at most
# 100 token1, stopping at a limit in the middle of the range
my $out = Math::BigInt->new(100)->bmul($E18)->bstr;
my $sqrt_mid = sql("SELECT univ3_sqrt_price_at_tick($tl + 35)");
$before = $after;
$r = sent($chain->send($trader, $router,
	'exactOutputSingle((address,address,uint24,address,uint256,uint256,uint256,uint160)) payable returns (uint256)',
	[ $P->{token0}, $P->{token1}, $fee, $trader, $DEADLINE, $out, $amt, $sqrt_mid ]), 'swap token0 in for token1, exact output, back into the range');
($seen, $after) = swap_seen($r, $before, 1);
is(simulate($before, 't', "-$out", $sqrt_mid), $seen,
	'univ3_simulate_swap: amounts, sqrt price, tick, liquidity and fee growth of the exact-output swap');
ok($after->{tick} >= $tl && $after->{tick} < $tu, "the price is back in the range (tick $after->{tick})");
is(active_from_ticks($after), $after->{liquidity}, 'the known ticks account for all liquidity after the swaps');

# ---- fees: decrease half the liquidity (the pool pokes the position) ----
my $last = position();
my $half = Math::BigInt->new($L)->bdiv(2)->bstr;
my $st = pool_state();
my $want_amounts = sql("SELECT concat_ws('|', amount0, amount1) FROM univ3_amounts_for_liquidity('$st->{sqrt}', univ3_sqrt_price_at_tick($tl), univ3_sqrt_price_at_tick($tu), '$half')");
$r = sent($chain->send($lp, $npm, 'decreaseLiquidity((uint256,uint128,uint256,uint256,uint256)) payable returns (uint256,uint256)',
	[ $token_id, $half, 0, 0, $DEADLINE ]), 'decreaseLiquidity of half the position');
my @dec = logs_of($r, $npm, $d->{topics}{DecreaseLiquidity});
is(scalar @dec, 1, 'one DecreaseLiquidity event');
my ($d0, $d1) = (word($dec[0]{data}, 1), word($dec[0]{data}, 2));
is("$d0|$d1", $want_amounts, 'univ3_amounts_for_liquidity gives the amounts the decrease returned');
my $now = pool_state();
my $in_now = inside($now);
$pos = position();
is("$pos->{in0}|$pos->{in1}", $in_now, 'univ3_fee_growth_inside gives the fee growth inside the decrease recorded');
my ($in0, $in1) = split /\|/, $in_now;
my $fees = sql("SELECT univ3_tokens_owed('$in0', '$last->{in0}', '$L') || '|' || univ3_tokens_owed('$in1', '$last->{in1}', '$L')");
my ($fee0, $fee1) = split /\|/, $fees;
ok($fee0 > 0 && $fee1 > 0, "the swaps earned the position fees in both tokens ($fees)");
is("$pos->{owed0}|$pos->{owed1}",
	Math::BigInt->new($d0)->badd($fee0)->bstr . '|' . Math::BigInt->new($d1)->badd($fee1)->bstr,
	'positions().tokensOwed = the amounts decreased + univ3_tokens_owed');
is($pos->{liquidity}, Math::BigInt->new($L)->bsub($half)->bstr, 'half the liquidity is left');

# ---- a small swap inside one tick range: one step of univ3_swap_step ----
my $small = Math::BigInt->new(10)->bpow(16)->bstr;
$before = pool_state();
my ($next) = sort { $b <=> $a } grep { $_ <= $before->{tick} } keys %{ $before->{ticks} };
my $step = sql("SELECT concat_ws('|', sqrt_next, amount_in, amount_out, fee_amount) FROM univ3_swap_step('$before->{sqrt}', univ3_sqrt_price_at_tick($next), '$before->{liquidity}', '$small', $fee)");
$r = sent($chain->send($trader, $router,
	'exactInputSingle((address,address,uint24,address,uint256,uint256,uint256,uint160)) payable returns (uint256)',
	[ $P->{token0}, $P->{token1}, $fee, $trader, $DEADLINE, $small, 0, 0 ]), 'swap 0.01 token0 in');
($seen, $after) = swap_seen($r, $before, 1);
my ($sn, $ain, $aout, $famt) = split /\|/, $step;
my @sv = split /\|/, $seen;
is("$sn|" . Math::BigInt->new($ain)->badd($famt)->bstr . "|-$aout", "$sv[2]|$sv[0]|$sv[1]",
	'univ3_swap_step: next sqrt price, amount in + fee, amount out of a swap within one tick range');
is($after->{tick}, sql("SELECT univ3_tick_at_sqrt_price('$sn')"), 'univ3_tick_at_sqrt_price gives the tick after it');
is(simulate($before, 't', $small, undef), $seen, 'univ3_simulate_swap agrees on the small swap');

# ---- collect: the pool pokes the position again, then pays all owed ----
$last = position();
my $Lrem = $last->{liquidity};
$r = sent($chain->send($lp, $npm, 'collect((uint256,address,uint128,uint128)) payable returns (uint256,uint256)',
	[ $token_id, $lp, $MAX128, $MAX128 ]), 'collect everything owed');
my @col = logs_of($r, $npm, $d->{topics}{CollectPosition});
is(scalar @col, 1, 'one Collect event of the position manager');
$now = pool_state();
($in0, $in1) = split /\|/, inside($now);
$fees = sql("SELECT univ3_tokens_owed('$in0', '$last->{in0}', '$Lrem') || '|' || univ3_tokens_owed('$in1', '$last->{in1}', '$Lrem')");
($fee0, $fee1) = split /\|/, $fees;
cmp_ok($fee0, '>', 0, "the small swap earned token0 fees ($fee0)");
is(word($col[0]{data}, 1) . '|' . word($col[0]{data}, 2),
	Math::BigInt->new($last->{owed0})->badd($fee0)->bstr . '|' . Math::BigInt->new($last->{owed1})->badd($fee1)->bstr,
	'collected = tokensOwed before + univ3_tokens_owed since the last poke');
$pos = position();
is("$pos->{owed0}|$pos->{owed1}|$pos->{in0}|$pos->{in1}", "0|0|$in0|$in1", 'nothing owed after collect, fee growth inside updated');

# ---- the position's value at the current price, then withdrawn ----
$st = pool_state();
my $val = sql("SELECT concat_ws('|', amount0, amount1, value_token1) FROM univ3_position_value('$st->{sqrt}', $tl, $tu, '$Lrem')");
my ($v0, $v1, $vt) = split /\|/, $val;
$r = sent($chain->send($lp, $npm, 'decreaseLiquidity((uint256,uint128,uint256,uint256,uint256)) payable returns (uint256,uint256)',
	[ $token_id, $Lrem, 0, 0, $DEADLINE ]), 'decreaseLiquidity of the rest');
@dec = logs_of($r, $npm, $d->{topics}{DecreaseLiquidity});
is(word($dec[0]{data}, 0) . '|' . word($dec[0]{data}, 1) . '|' . word($dec[0]{data}, 2), "$Lrem|$v0|$v1",
	'univ3_position_value gives the amounts the full withdrawal returned');
my $q192 = Math::BigInt->new(2)->bpow(192);
my $worth = Math::BigInt->new($v0)->bmul(Math::BigInt->new($st->{sqrt})->bpow(2))->bdiv($q192)->badd($v1);
is($vt, $worth->bstr, 'value_token1 = amount1 + amount0 * sqrtP^2 / 2^192 (floored)');
$r = sent($chain->send($lp, $npm, 'collect((uint256,address,uint128,uint128)) payable returns (uint256,uint256)',
	[ $token_id, $lp, $MAX128, $MAX128 ]), 'collect the withdrawal');
@col = logs_of($r, $npm, $d->{topics}{CollectPosition});
is(word($col[0]{data}, 1) . '|' . word($col[0]{data}, 2), "$v0|$v1", 'collected exactly what was withdrawn (no swap since)');

# ---- display price (float) ----
my $px = sql("SELECT univ3_price_at_sqrt_price('$st->{sqrt}', $P->{decimals0}, $P->{decimals1})");
my $ref = (Math::BigInt->new($st->{sqrt})->numify / 2**96)**2;
ok(abs($px / $ref - 1) < 1e-12, "univ3_price_at_sqrt_price ($px) is the pool price ($ref)");

$chain->stop;
$node->stop;
done_testing();
