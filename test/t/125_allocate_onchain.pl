# 125_allocate_onchain: the allocate kind end to end on the chain fixture.
# Three member vaults, anvil accounts 1, 2 and 3 (each holds the fixture's
# 1000 WETH; this test runs no traffic, which would use them, and signs
# with their public development keys), are the vaults of three disabled
# stake strategies whose snapshot history (written here, hourly) makes the
# second clearly better.  An allocate strategy over them:
#
#   - with the risk gate's kill switch on, decides to rebalance and is
#     blocked: nothing is queued, no balance moves on chain;
#   - once resumed (a new block), queues WETH transfers from the
#     over-weight members' vaults to the under-weight one, each signed by
#     the sending vault's key, mined and confirmed; the balances on chain
#     are then the targets (floor(target × total) to the wei, but for the
#     rounding dust a sender keeps) and within the band of them;
#   - a second run with no drift holds and sends nothing.
#
# The numbers are the policy's, checked by 084_allocate against the solver
# on the same inputs; here the point is what the chain ends up holding.
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
my $chain = AmpChain->new;
my $url = $chain->url;
my $d = $chain->deploy;

# anvil's well-known development accounts 1, 2 and 3 (public test keys).
my @A = map { lc $d->{accounts}[$_] } 1, 2, 3;
my $keys = AmpTest::key_dir(
	$A[0] => '59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d',
	$A[1] => '5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a',
	$A[2] => '7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6');
my $weth = lc $d->{tokens}{WETH}{address};
my $wsteth = lc $d->{tokens}{wstETH}{address};
my $pool = lc $d->{pools}{'wstETH-WETH-500'}{address};
my $router = lc $d->{uniswap}{swapRouter};

my $node = AmpTest::node('allocate', conf => "amplified.keys_dir = '$keys'\n"
	  . "amplified.txq_poll_interval = 100\n"
	  . "amplified.rpc_timeout = 5000\n");
sub sql { return $node->safe_psql('postgres', "SET search_path = amplified, public;\n$_[0]"); }

sql(qq{
	SELECT add_chain(31337, 'anvil', ARRAY['$url'], confirmations => 0, poll_interval => '100 ms');
	SELECT add_signer(31337, '$A[0]', 'key_file');
	SELECT add_signer(31337, '$A[1]', 'key_file');
	SELECT add_signer(31337, '$A[2]', 'key_file');
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
sub balances { return map { Math::BigInt->new(scalar $chain->call($weth, 'function balanceOf(address) view returns (uint256)', $_)) } @A; }
wait_ingested('start');
my @b0 = balances();
is("@b0", join(' ', ('1000000000000000000000') x 3), 'each member vault holds the fixture\'s 1000 WETH');

# ---- the members: disabled stake strategies, and their history ----
my @m;
for my $i (0 .. 2)
{
	my $p = $JSON->encode({ base_token => $weth, base_decimals => 18, swap_router => $router,
		candidates => [ { token => $wsteth, pool => $pool, fee => 500, decimals => 18 } ] });
	push @m, sql("SELECT id FROM strategy_create('member $i', 'stake', 31337, '$A[$i]', '$p')");
}
# 30 hourly snapshots each, up to an hour ago: +0.1 %, +0.5 % and +0.05 % an
# hour, each with a small wobble (so that the covariance is not singular).
sql(qq{
	INSERT INTO strategy_snapshots (strategy_id, block_number, at, numeraire, value, hold_value, holdings, hold_basis)
	SELECT x.sid, n, now() - (31 - n) * interval '1 hour', '$weth',
		   1000 * exp(sum(ln(1 + x.mu + x.amp * sin(n * x.f))) OVER (PARTITION BY x.sid ORDER BY n)), 0, '{}', '{}'
	  FROM generate_series(1, 30) n
	 CROSS JOIN (VALUES ($m[0], 0.001, 0.002, 1.3), ($m[1], 0.005, 0.003, 0.7), ($m[2], 0.0005, 0.001, 2.1)) x(sid, mu, amp, f);
});

my $params = $JSON->encode({
	members => [ $m[0] + 0, { strategy_id => $m[1] + 0, cap => 0.6 }, $m[2] + 0 ],
	asset => $weth, method => 'mv', risk_aversion => 2, return_interval => '1 hour', lookback => 30,
	min_history => 10, horizon => 24, band => 0.05, gas_cost => 0.001, min_gain_factor => 2,
	deadline_seconds => 86400 });
my $al = sql("SELECT id FROM strategy_create('allocator', 'allocate', 31337, '0x00000000000000000000000000000000000a110c', '$params', enabled => true)");
is(lc sql("SELECT params -> 'members' -> 1 ->> 'owner' FROM strategies WHERE id = $al"), $A[1], 'a member\'s owner is written into the parameters');
is(sql("SELECT params ->> 'asset_decimals' FROM strategies WHERE id = $al"), '18', 'the asset\'s decimals read from the chain');

my $FINAL = "('confirmed', 'failed', 'rejected', 'expired', 'cancelled')";

# ---- the kill switch blocks the move ----
sql("SELECT risk_halt('test 125')");
my $r1 = $JSON->decode(sql("SELECT run_strategies(strategy_ids => ARRAY[$al]::bigint[])"));
is($r1->{results}[0]{outcome}, 'blocked', 'halted: the rebalance is blocked');
is($r1->{results}[0]{action}, 'rebalance', 'what was decided: rebalance');
is(sql("SELECT count(*) FROM tx_intents"), '0', 'nothing is queued');
is(sql("SELECT 'kill_switch' = ANY (risk_reasons) FROM decisions WHERE id = $r1->{results}[0]{decision_id}"), 't',
	'the gate says why (the kill switch)');
my @b1 = balances();
is("@b1", "@b0", 'no balance moved on chain');

# ---- resumed: the transfers go through the queue ----
sql("SELECT risk_resume()");
$chain->rpc('evm_mine');
wait_ingested('after resume');
my $r2 = $JSON->decode(sql("SELECT run_strategies(strategy_ids => ARRAY[$al]::bigint[])"));
is($r2->{results}[0]{outcome}, 'enqueued', 'resumed: enqueued');
my $dec = $r2->{results}[0]{decision_id};
ok($r2->{results}[0]{intents} >= 1, "$r2->{results}[0]{intents} transfers queued");
is(sql("SELECT string_agg(DISTINCT lower(sender::text), ',' ORDER BY lower(sender::text)) FROM tx_intents WHERE decision_id = $dec"),
	sql("SELECT string_agg(DISTINCT lower(t ->> 'from'), ',' ORDER BY lower(t ->> 'from')) FROM decisions, jsonb_array_elements(plan -> 'transfers') t WHERE id = $dec"),
	'each transfer is sent from the vault it leaves');
ok($node->poll_query_until('postgres', "SELECT count(*) = 0 FROM amplified.tx_intents WHERE status NOT IN $FINAL"),
	'every intent is final');
is(sql("SELECT string_agg(DISTINCT status, ',') FROM tx_intents"), 'confirmed', 'every transfer confirmed');
wait_ingested('after the transfers');

# On chain: each vault moved by the plan's transfers exactly, to the weights
# of the targets within the band.
my @b2 = balances();
my $total = Math::BigInt->new(0);
$total->badd($_) for @b2;
is($total->bstr, '3000000000000000000000', 'the members hold the same 3000 WETH between them');
my @target = split /,/, sql("SELECT string_agg(x #>> '{}', ',' ORDER BY o) FROM decisions, jsonb_array_elements(plan -> 'target') WITH ORDINALITY e(x, o) WHERE id = $dec");
for my $i (0 .. 2)
{
	my $net = sql("SELECT coalesce(sum(CASE WHEN (t ->> 'to_strategy')::bigint = $m[$i] THEN (t ->> 'amount')::numeric
											 WHEN (t ->> 'from_strategy')::bigint = $m[$i] THEN -(t ->> 'amount')::numeric END), 0)
					 FROM decisions, jsonb_array_elements(plan -> 'transfers') t WHERE id = $dec");
	is($b2[$i]->bstr, $b0[$i]->copy->badd($net)->bstr, "member $i: its balance moved by the plan's net transfer ($net)");
	ok(abs($b2[$i]->numify / 3e21 - $target[$i]) <= 0.05, "member $i: weight " . $b2[$i]->numify / 3e21 . " within the band of its target $target[$i]");
	ok(abs($b2[$i]->numify / 3e21 - $target[$i]) <= 1e-12, "member $i: and equal to it but for rounding");
}
ok($target[1] > 0.59, "the better member gets its cap (target $target[1])");
is(sql("SELECT action || ':' || reasons::text FROM decisions WHERE id = $dec"), 'rebalance:{drift_above_band}', 'the decision\'s reason');
ok(sql("SELECT (plan ->> 'expected_gain')::float8 > 2 * (plan ->> 'cost')::float8 FROM decisions WHERE id = $dec") eq 't',
	'its expected gain beat twice the cost');

# ---- a second run: no drift, nothing sent ----
my $r3 = $JSON->decode(sql("SELECT run_strategies(strategy_ids => ARRAY[$al]::bigint[])"));
is($r3->{results}[0]{outcome}, 'noop', 'second run: noop');
is(sql("SELECT reasons::text FROM decisions WHERE id = $r3->{results}[0]{decision_id}"), '{within_band}', 'within the band');
is(sql("SELECT count(*) FROM tx_intents WHERE decision_id <> $dec"), '0', 'nothing more queued');
my @b3 = balances();
is("@b3", "@b2", 'and nothing moved');

done_testing();
