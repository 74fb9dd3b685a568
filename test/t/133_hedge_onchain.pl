# 133_hedge_onchain: the hedge kind end to end on the chain fixture.
#
# The chain runs with 12 unlocked accounts: anvil's 10 and 10 and 11 of its
# mnemonic, which nothing else in the fixture, its traffic or the demo uses
# (traffic 1-5, lending 6-8, the demo's vaults 8 and 9); the fixture funds
# them like the others.  Account 10 is the LP vault (an lp_univ3 strategy
# on wstETH-WETH-500, 10 WETH + 10 wstETH), account 11 the hedge's vault
# (20 WETH), both signed with their public development keys in key files.
#
# The short needs a Morpho market that lends wstETH against WETH, which the
# fixture does not have.  The test makes it on its own chain (rather than at
# the end of the fixture's deploy, which every test would then pay for): a
# MorphoOracleMock's runtime code copied to a fresh address with
# anvil_setCode (its price, wstETH per WETH at 1e36, the inverse of the
# wstETH/WETH market's oracle, written to its storage), createMarket with
# the fixture's IRM and an enabled LLTV (94.5 %), and 100 wstETH supplied to
# it by the deployer.  The hedge sells and buys in wstETH-WETH-3000, so its
# own swaps do not move the price of the pool whose delta it hedges.
#
#   - the LP opens; the hedge approves, posts its WETH, borrows and sells
#     wstETH, one decision per block mined (each call eth_call'ed first);
#     then on chain the LP's wstETH (its position's amounts as
#     decreaseLiquidity pays them, its fees owed and its idle balance) plus
#     the hedge's (balance less its Morpho debt) is within the band;
#   - with no new price it holds;
#   - the price moves down, then up (scenario.js push): each time the
#     hedge re-hedges and the combined delta is back inside the band;
#   - the LP vault closes its position (decreaseLiquidity, collect): its
#     wstETH is idle in its vault, still a delta, and the hedge stays;
#   - its strategy is disabled: the hedge unwinds (withdraws, buys back,
#     repays, withdraws its collateral, sells what is left) and ends with
#     no debt and no collateral on Morpho.
#
# The target delta the hedge computes (univ3_amounts_for_liquidity at the
# pool's price, fees owed, idle) is compared with what the chain says at the
# same block (eth_call of decreaseLiquidity and collect from the vault): the
# pool's burn rounds each amount down as LiquidityAmounts does, so the two
# agree to the wei.
use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use JSON::PP;
use Math::BigInt;
use AmpTest;
use AmpChain;

my $JSON = JSON::PP->new->canonical;
my $chain = AmpChain->new(args => [ '--accounts', '12' ]);
my $url = $chain->url;
my $d = $chain->deploy;
my $depfile = $chain->deployment_file;

# anvil's development accounts 10 and 11 (the public keys of its mnemonic).
my ($LP, $HV) = map { lc $d->{accounts}[$_] } 10, 11;
is($LP, '0xbcd4042de499d14e55001ccbb24a551f3b954096', 'account 10 is the LP vault');
is($HV, '0x71be63f3384f5fb98995898a86b02fb2426c5788', 'account 11 is the hedge vault');
my $keys = AmpTest::key_dir(
	$LP => 'f214f2b2cd398c806f84e317254e0f0b801d0643303237d97a22a48e01628897',
	$HV => '701b615bbdfb9de65240bc28bd21bbc0d996645a3dd57e7b12bc2bdf6f192c82');
my $A0 = lc $d->{deployer};

sub scenario { return $JSON->decode($chain->_node('scenario.js', '--rpc', $url, '--deployment', $depfile, @_)); }
my $v = scenario('vaults', '--lp', $LP, '--stake', $HV, '--stake-weth', 20);

my ($weth, $wsteth) = map { lc $d->{tokens}{$_}{address} } qw(WETH wstETH);
my $pool = $d->{pools}{'wstETH-WETH-500'};
my $pool3 = lc $d->{pools}{'wstETH-WETH-3000'}{address};
my $npm = lc $d->{uniswap}{positionManager};
my $router = lc $d->{uniswap}{swapRouter};
my $m = $d->{morpho};
my $mk = $m->{markets}{'wstETH/WETH'};

# ---- the market: wstETH lent against WETH ----
my $oracle = '0x0000000000000000000000000000000000ed9e01';
my $p_old = $chain->call($mk->{oracle}{address}, 'function price() view returns (uint256)');
my $p_new = Math::BigInt->new('1' . '0' x 72)->bdiv($p_old);
sub word { my $h = Math::BigInt->new($_[0])->as_hex; $h =~ s/^0x//; return '0x' . ('0' x (64 - length $h)) . $h; }
$chain->rpc('anvil_setCode', [ $oracle, $chain->rpc('eth_getCode', [ $mk->{oracle}{address}, 'latest' ]) ]);
$chain->rpc('anvil_setStorageAt', [ $oracle, word(0), '0x' . ('0' x 24) . substr($A0, 2) ]);
$chain->rpc('anvil_setStorageAt', [ $oracle, word(1), word($p_new->bstr) ]);
is($chain->call($oracle, 'function price() view returns (uint256)'), $p_new->bstr, 'the oracle answers wstETH per WETH');
my $lltv = '945000000000000000';
my @mp = ($wsteth, $weth, $oracle, $m->{irm}, $lltv);
is($chain->send($A0, $m->{address}, 'function createMarket((address,address,address,address,uint256))', \@mp)->{status}, 1,
	'createMarket (loan wstETH, collateral WETH)');
is($chain->send($A0, $wsteth, 'function mint(address,uint256)', $A0, '100000000000000000000')->{status}, 1, '100 wstETH minted to the deployer');
is($chain->send($A0, $wsteth, 'function approve(address,uint256) returns (bool)', $m->{address}, '100000000000000000000')->{status}, 1, 'approved to Morpho');
is($chain->send($A0, $m->{address}, 'function supply((address,address,address,address,uint256),uint256,uint256,address,bytes) returns (uint256,uint256)',
	\@mp, '100000000000000000000', 0, $A0, '0x')->{status}, 1, 'and supplied to the market');

my $node = AmpTest::node('hedge', conf => "amplified.keys_dir = '$keys'\n"
	  . "amplified.txq_poll_interval = 100\n"
	  . "amplified.rpc_timeout = 5000\n");
sub sql { return $node->safe_psql('postgres', "SET search_path = amplified, public;\n$_[0]"); }
sql(qq{
	SELECT add_chain(31337, 'anvil', ARRAY['$url'], confirmations => 0, poll_interval => '100 ms');
	SELECT watch_contract(31337, '$m->{address}', 'Morpho Blue', 'morpho_blue', 0, 0);
	SELECT watch_contract(31337, '$m->{irm}', 'AdaptiveCurveIrm', 'morpho_irm', 0, 0);
	SELECT watch_contract(31337, '$oracle', 'Morpho oracle WETH/wstETH', 'morpho_oracle', 0, 1);
	SELECT watch_contract(31337, '$pool->{address}', 'pool wstETH-WETH-500', 'univ3_pool', 0, 1);
	SELECT watch_contract(31337, '$pool3', 'pool wstETH-WETH-3000', 'univ3_pool', 0, 1);
	SELECT watch_contract(31337, '$wsteth', 'wstETH', 'lst', 0, 1);
	SELECT add_signer(31337, '$LP', 'key_file');
	SELECT add_signer(31337, '$HV', 'key_file');
});
sub head { return hex $chain->rpc('eth_blockNumber'); }
sub wait_ingested
{
	my ($what) = @_;
	my $h = head();
	AmpTest::wait_for($node,
		"SELECT coalesce(max(number), 0) >= $h FROM amplified.blocks WHERE chain_id = 31337", 't',
		"$what: ingested up to block $h");
	return $h;
}
wait_ingested('start');
my $market = lc sql("SELECT morpho_market_id('$wsteth', '$weth', '$oracle', '$m->{irm}', '$lltv')");
is(sql("SELECT count(*) FROM lend_markets WHERE market = '$market'"), '1', 'the new market is read from its CreateMarket event');

# ---- the strategies ----
my $lp_params = $JSON->encode({
	pool => $pool->{address}, position_manager => $npm, swap_router => $router,
	numeraire => ($pool->{token0} eq $d->{tokens}{WETH}{address} ? 'token0' : 'token1'),
	sigma => 0.01, k => 2, horizon_days => 1, slippage_bps => 50, swap => JSON::PP::true });
my $lp_id = sql("SELECT id FROM strategy_create('lp wstETH/WETH', 'lp_univ3', 31337, '$LP', '$lp_params', enabled => true)");
my $BAND = '50000000000000000';	# 0.05 wstETH
my $h_params = $JSON->encode({ target => $lp_id + 0, asset => $wsteth, collateral => $weth, morpho => $m->{address},
	oracle => $oracle, irm => $m->{irm}, lltv => $lltv, swap_router => $router, swap_pool => $pool3,
	band => 0.05, max_ltv => 0.6, risk_aversion => 1000000, slippage_bps => 100 });
my $h_id = sql("SELECT id FROM strategy_create('hedge lp wstETH', 'hedge', 31337, '$HV', '$h_params', enabled => true)");
is(lc sql("SELECT params ->> 'market' FROM strategies WHERE id = $h_id"), $market, 'hedge: its market id from its parameters');
is(sql("SELECT params ->> 'swap_fee' FROM strategies WHERE id = $h_id"), '3000', 'hedge: the swap pool\'s fee read from the chain');

my $FINAL = "('confirmed', 'failed', 'rejected', 'expired', 'cancelled')";
# Runs until neither strategy queues anything; returns the hedge's actions.
sub settle
{
	my ($what) = @_;
	my @actions;
	for my $i (1 .. 14)
	{
		my $r = $JSON->decode(sql('SELECT run_strategies()'));
		my %out = map { $_->{strategy_id} => $_ } @{ $r->{results} };
		note("$what $i: " . $JSON->encode($r->{results}));
		my $h = $out{$h_id};
		if ($h->{outcome} eq 'blocked' || $h->{outcome} eq 'error')
		{
			diag("$what: hedge $h->{outcome}: " . sql("SELECT concat_ws(' ', error, risk_reasons, simulation, plan) FROM decisions WHERE id = $h->{decision_id}"));
			push @actions, "$h->{outcome}:$h->{action}";
			last;
		}
		push @actions, $h->{action} if ($h->{intents} // 0) > 0;
		my $queued = grep { ($_->{intents} // 0) > 0 } values %out;
		last unless $queued;
		ok($node->poll_query_until('postgres', "SELECT count(*) = 0 FROM amplified.tx_intents WHERE status NOT IN $FINAL"),
			"$what $i: every intent is final");
		is(sql("SELECT coalesce(string_agg(DISTINCT status, ','), '') FROM tx_intents WHERE status <> 'confirmed'"), '',
			"$what $i: every intent confirmed");
		wait_ingested("$what $i");
	}
	note("$what: the hedge did " . join(', ', @actions));
	return \@actions;
}

my $MAX128 = '340282366920938463463374607431768211455';
my $asset_is0 = lc $pool->{token0} eq $wsteth;
# The LP's wstETH on chain at a block: decreaseLiquidity and collect
# eth_call'ed from its vault for each position, and its balance.
sub target_delta_chain
{
	my ($block) = @_;
	my $b = sprintf('0x%x', $block);
	my $n = $chain->calls([ { to => $npm, block => $b, sig => 'function balanceOf(address) view returns (uint256)', args => [ $LP ] } ])->[0]{result}[0];
	my $sum = Math::BigInt->new(0);
	for my $i (0 .. $n - 1)
	{
		my $id = $chain->calls([ { to => $npm, block => $b, sig => 'function tokenOfOwnerByIndex(address,uint256) view returns (uint256)', args => [ $LP, $i ] } ])->[0]{result}[0];
		my $pos = $chain->calls([ { to => $npm, block => $b,
			sig => 'function positions(uint256) view returns (uint96,address,address,address,uint24,int24,int24,uint128,uint256,uint256,uint128,uint128)', args => [ $id ] } ])->[0]{result};
		next unless lc $pos->[2] eq lc $pool->{token0} && lc $pos->[3] eq lc $pool->{token1} && $pos->[4] == $pool->{fee};
		my $r = $chain->calls([
			$pos->[7] eq '0' ? () : ({ to => $npm, from => $LP, block => $b,
				sig => 'function decreaseLiquidity((uint256,uint128,uint256,uint256,uint256)) returns (uint256,uint256)',
				args => [ [ $id, $pos->[7], 0, 0, '1099511627776' ] ] }),
			{ to => $npm, from => $LP, block => $b, sig => 'function collect((uint256,address,uint128,uint128)) returns (uint256,uint256)',
				args => [ [ $id, $LP, $MAX128, $MAX128 ] ] } ]);
		die 'eth_call: ' . ($_->{error} // '') for grep { $_->{error} } @$r;
		$sum->badd($_->{result}[ $asset_is0 ? 0 : 1 ]) for @$r;
	}
	$sum->badd($chain->calls([ { to => $wsteth, block => $b, sig => 'function balanceOf(address) view returns (uint256)', args => [ $LP ] } ])->[0]{result}[0]);
	return $sum;
}
# The hedge on chain: its wstETH balance, its Morpho debt (its borrow shares
# at the market's totals, rounded up as Morpho does) and collateral.
sub hedge_chain
{
	my $r = $chain->calls([
		{ to => $wsteth, sig => 'function balanceOf(address) view returns (uint256)', args => [ $HV ] },
		{ to => $m->{address}, sig => 'function position(bytes32,address) view returns (uint256,uint128,uint128)', args => [ $market, $HV ] },
		{ to => $m->{address}, sig => 'function market(bytes32) view returns (uint128,uint128,uint128,uint128,uint128,uint128)', args => [ $market ] } ]);
	my ($bal, $shares, $coll) = ($r->[0]{result}[0], $r->[1]{result}[1], $r->[1]{result}[2]);
	my ($tba, $tbs) = @{ $r->[2]{result} }[2, 3];
	my $num = Math::BigInt->new($shares)->bmul(Math::BigInt->new($tba)->badd(1));
	my $den = Math::BigInt->new($tbs)->badd(1000000);
	my $debt = $num->copy->badd($den)->bsub(1)->bdiv($den);
	return (Math::BigInt->new($bal), $debt, Math::BigInt->new($coll), $shares);
}
# The combined delta on chain at the head, checked against the band, and the
# hedge's own view of the target at the same block against the chain's.
sub check_band
{
	my ($what) = @_;
	my $h = wait_ingested("$what: check");
	my $t = target_delta_chain($h);
	is(sql("SELECT delta FROM strategy_hedge_target_delta($lp_id, '$wsteth', $h)"), $t->bstr,
		"$what: the target's delta to wstETH the hedge computes is the chain's, to the wei ($t)");
	my ($bal, $debt, $coll) = hedge_chain();
	my $net = $t->copy->badd($bal)->bsub($debt);
	ok($net->copy->babs <= Math::BigInt->new($BAND),
		"$what: on chain, LP wstETH $t + hedge balance $bal - debt $debt = $net is within the band of $BAND");
	ok($debt > 0 && $coll > 0, "$what: the hedge holds a Morpho debt ($debt) against collateral ($coll)");
	return $net;
}

# ---- the LP opens; the hedge follows ----
my $a1 = settle('open');
is_deeply([ grep { $_ eq 'approve' } @$a1 ], ['approve'], 'the hedge approved once');
ok((grep { $_ eq 'borrow' } @$a1) && (grep { $_ eq 'sell' } @$a1), 'it borrowed wstETH and sold it: ' . join(',', @$a1));
is(sql("SELECT count(*) FROM decisions WHERE strategy_id = $h_id AND status = 'enqueued'
		 AND (simulation IS NULL OR simulation ->> 'reasons' <> '[]' OR EXISTS (SELECT 1 FROM jsonb_array_elements(simulation -> 'calls') c WHERE NOT (c ->> 'ok')::boolean))"),
	'0', 'every decision it enqueued was eth_call\'ed first and passed');
check_band('hedged');
my $borrow = sql("SELECT id FROM decisions WHERE strategy_id = $h_id AND action = 'borrow' ORDER BY id LIMIT 1");
is(sql("SELECT (SELECT string_agg(DISTINCT lower(sender::text), ',') FROM tx_intents WHERE decision_id = $borrow)"), $HV,
	'the borrow was sent from the hedge vault');

# ---- within the band: hold ----
$chain->rpc('evm_mine');
wait_ingested('a block later');
my $r = $JSON->decode(sql("SELECT run_strategies(strategy_ids => ARRAY[$h_id]::bigint[])"));
is($r->{results}[0]{action}, 'hold', 'within the band the hedge holds');
is(sql("SELECT reasons::text FROM decisions WHERE id = $r->{results}[0]{decision_id}"), '{within_band}', 'reason within_band');

# ---- the price moves down, then up ----
my $tick0 = ($chain->call($pool->{address}, 'function slot0() view returns (uint160,int24,uint16,uint16,uint16,uint8,bool)'))[1];
for my $move ([ 'down', -120 ], [ 'up', 240 ])
{
	my ($name, $dt) = @$move;
	my $t_before = target_delta_chain(head());
	my $push = scenario('push', '--pool', 'wstETH-WETH-500', '--tick', $tick0 + ($asset_is0 ? $dt : -$dt), '--from', 1);
	note("push $name: " . $JSON->encode($push));
	$tick0 = $push->{tickAfter};
	my $t_after = target_delta_chain(head());
	ok(($t_after - $t_before)->babs > Math::BigInt->new($BAND), "price $name: the target's delta moved by more than the band ($t_before -> $t_after)");
	my $acts = settle("price $name");
	ok(scalar(@$acts) > 0, "price $name: the hedge re-hedged: " . join(',', @$acts));
	check_band("price $name");
}

# ---- the target closes: the hedge unwinds ----
my $n = $chain->call($npm, 'function balanceOf(address) view returns (uint256)', $LP);
for my $i (0 .. $n - 1)
{
	my $id = $chain->call($npm, 'function tokenOfOwnerByIndex(address,uint256) view returns (uint256)', $LP, $i);
	my @pos = $chain->call($npm, 'function positions(uint256) view returns (uint96,address,address,address,uint24,int24,int24,uint128,uint256,uint256,uint128,uint128)', $id);
	next if $pos[7] eq '0';
	is($chain->send($LP, $npm, 'function decreaseLiquidity((uint256,uint128,uint256,uint256,uint256)) returns (uint256,uint256)',
		[ $id, $pos[7], 0, 0, '1099511627776' ])->{status}, 1, "the LP vault takes position $id's liquidity out");
	is($chain->send($LP, $npm, 'function collect((uint256,address,uint128,uint128)) returns (uint256,uint256)',
		[ $id, $LP, $MAX128, $MAX128 ])->{status}, 1, "and collects it");
}
wait_ingested('closed');
sql("SELECT count(*) FROM strategy_sync_positions($lp_id)");
is(sql("SELECT count(*) FROM positions WHERE strategy_id = $lp_id AND protocol = 'univ3' AND amount::numeric > 0"), '0',
	'the target holds no liquidity');
# Its wstETH is idle in its vault now (as between a burn and a mint): still
# a delta, so the hedge stays.
$r = $JSON->decode(sql("SELECT run_strategies(strategy_ids => ARRAY[$h_id]::bigint[])"));
is(sql("SELECT concat(action, ' ', reasons::text) FROM decisions WHERE id = $r->{results}[0]{decision_id}"), 'hold {within_band}',
	'the target holding its wstETH idle, the hedge stays');
check_band('target idle');
# The target disabled: the hedge unwinds.
# (a block later: a strategy decides once per block)
sql("SELECT strategy_disable($lp_id)");
$chain->rpc('evm_mine');
wait_ingested('target disabled');
my $acts = settle('unwind');
ok((grep { $_ eq 'repay' } @$acts), 'the hedge unwound: ' . join(',', @$acts));
my ($bal, $debt, $coll, $shares) = hedge_chain();
is($shares, '0', 'on chain: no borrow shares left on Morpho');
is($coll->bstr, '0', 'on chain: no collateral left on Morpho');
is($bal->bstr, '0', 'on chain: no wstETH left in the hedge vault');
my $last = $JSON->decode(sql("SELECT run_strategies(strategy_ids => ARRAY[$h_id]::bigint[])"));
is(sql("SELECT reasons::text FROM decisions WHERE strategy_id = $h_id ORDER BY id DESC LIMIT 1"), '{unwound}', 'then it holds, unwound');

done_testing();
