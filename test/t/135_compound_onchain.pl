# 135_compound_onchain: lp_univ3's harvest-and-compound on the chain fixture.
# An lp vault (anvil dev account 8) opens on the wstETH/WETH 0.05% pool;
# traffic swaps back and forth inside its range, so that its NFTs earn fees
# in both tokens.  With compound_factor so high that what compounding the
# fees would earn over the horizon (the added liquidity's share of the
# pool's recent fees) does not beat compound_factor × gas_cost, the next run
# holds (compound_below_threshold) and nothing is sent; with it lowered to
# half of that gain / gas_cost, the next run decides "compound" (its
# expected net positive): through the risk gate and the queue, the vault's fees
# are collected (Collect events of the owed amounts) and its base NFT's
# liquidity grows by the liquidity the decision computed (on chain, and in
# its IncreaseLiquidity event).  The decisions carry their expectation, and
# v_decision_outcomes shows the compound pending until its horizon passes.
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
my $depfile = $chain->deployment_file;

# anvil's well-known development accounts 8 and 9 (public test keys).
my $LP = '0x23618e81e3f5cdf7f54c3d65f7fbc0abf5b21e8f';
my $KLP = 'dbda1821b80551c9d65939329250298aa3472ba22feea921c0cf5d620ea67b97';
my $ST = '0xa0ee7a142d267c1f36714e4a8f75612f20a79720';
my $keys = AmpTest::key_dir($LP => $KLP);

sub scenario { return $JSON->decode($chain->_node('scenario.js', '--rpc', $url, '--deployment', $depfile, @_)); }
scenario('vaults', '--lp', $LP, '--stake', $ST);

my $node = AmpTest::node('compound', conf => "amplified.keys_dir = '$keys'\n"
	  . "amplified.txq_poll_interval = 100\n"
	  . "amplified.rpc_timeout = 5000\n");
sub sql { return $node->safe_psql('postgres', "SET search_path = amplified, public;\n$_[0]"); }

my $pool = $d->{pools}{'wstETH-WETH-500'};
my $npm = $d->{uniswap}{positionManager};
my $weth = $d->{tokens}{WETH}{address};
sql(qq{
	SELECT add_chain(31337, 'anvil', ARRAY['$url'], confirmations => 0, poll_interval => '100 ms');
	SELECT watch_contract(31337, '$pool->{address}', 'pool wstETH-WETH-500', 'univ3_pool', 0, 1);
	SELECT add_signer(31337, '$LP', 'key_file');
});
sub wait_ingested
{
	my ($what) = @_;
	my $head = hex $chain->rpc('eth_blockNumber');
	AmpTest::wait_for($node,
		"SELECT coalesce(max(number), 0) >= $head FROM amplified.blocks WHERE chain_id = 31337", 't',
		"$what: ingested up to block $head");
}
wait_ingested('start');

# gas_cost in token1 raw units; compound_factor 1e6 puts the threshold at
# 1e18 (a whole token): far above what the traffic's fees would earn.
my $GAS = '1000000000000';
my $lp_params = $JSON->encode({
	pool => $pool->{address}, position_manager => $npm,
	numeraire => ($pool->{token0} eq $weth ? 'token0' : 'token1'),
	sigma => 0.01, k => 2, horizon_days => 1, slippage_bps => 50,
	gas_cost => $GAS + 0, compound_factor => 1000000 });
my $id = sql("SELECT id FROM strategy_create('lp compound', 'lp_univ3', 31337, '$LP', '$lp_params', enabled => true)");

my $FINAL = "('confirmed', 'failed', 'rejected', 'expired', 'cancelled')";
sub run_and_settle
{
	my ($what) = @_;
	my $r = $JSON->decode(sql("SELECT run_strategies(strategy_ids => ARRAY[$id]::bigint[])"));
	ok($node->poll_query_until('postgres',
		"SELECT count(*) = 0 FROM amplified.tx_intents WHERE status NOT IN $FINAL"), "$what: every intent is final");
	is(sql("SELECT string_agg(DISTINCT status, ',') FROM tx_intents WHERE status <> 'confirmed'"), '',
		"$what: every intent confirmed");
	wait_ingested($what);
	return $r->{results}[0];
}
sub nfts
{
	my %n;
	my $count = $chain->call($npm, 'balanceOf(address) view returns (uint256)', $LP);
	for my $i (0 .. $count - 1)
	{
		my $t = $chain->call($npm, 'tokenOfOwnerByIndex(address,uint256) view returns (uint256)', $LP, $i);
		my @p = $chain->call($npm, 'positions(uint256) view returns (uint96,address,address,address,uint24,int24,int24,uint128,uint256,uint256,uint128,uint128)', $t);
		$n{$t} = { lower => $p[5], upper => $p[6], liquidity => $p[7] };
	}
	return \%n;
}

# ---- open ----
my $r1 = run_and_settle('open');
is($r1->{action}, 'open', 'run 1 opens');
is(sql("SELECT (expected).source FROM decisions WHERE id = $r1->{decision_id}"), 'lp_univ3:plan.expected',
	'the open decision records what it expected (from its plan)');
is(sql("SELECT (expected).horizon = interval '1 day' AND (expected).gas_cost = strategy_lp_token1_in_numeraire(s.params, (d.inputs -> 'pool' ->> 'sqrt_price')::uint256, $GAS)
	FROM decisions d JOIN strategies s ON s.id = d.strategy_id WHERE d.id = $r1->{decision_id}"),
	't', 'over horizon_days, gas_cost in the numeraire');
my $base = $JSON->decode(sql("SELECT r FROM decisions d, jsonb_array_elements(d.plan -> 'rows') r
	WHERE d.id = $r1->{decision_id} AND r ->> 'role' = 'base'"));
my $tick0 = ($chain->call($pool->{address}, 'slot0() view returns (uint160,int24,uint16,uint16,uint16,uint8,bool)'))[1];
ok($tick0 >= $base->{tick_lower} && $tick0 < $base->{tick_upper}, "the price (tick $tick0) is in the base [$base->{tick_lower}, $base->{tick_upper})");

# ---- traffic inside the range: fees in both tokens ----
my $down = int(($tick0 + $base->{tick_lower}) / 2) + 1;
my $up = int(($tick0 + $base->{tick_upper}) / 2) - 1;
for my $t ($down, $up, $down, $tick0)
{
	my $p = scenario('push', '--pool', 'wstETH-WETH-500', '--tick', $t);
	ok($p->{tickAfter} >= $base->{tick_lower} && $p->{tickAfter} < $base->{tick_upper}, "a push to tick $t stays in the range ($p->{tickAfter})");
}
wait_ingested('after the traffic');

# ---- below the threshold: hold ----
my $r2 = run_and_settle('below threshold');
is($r2->{action}, 'hold', 'run 2 holds');
like(join(',', @{ $r2->{reasons} }), qr/compound_below_threshold/, 'because the fees do not beat compound_factor x gas_cost');
is(sql("SELECT count(*) FROM tx_intents WHERE decision_id = $r2->{decision_id}"), '0', 'nothing sent');
my $owed = $JSON->decode(sql("SELECT jsonb_agg(jsonb_build_object('token_id', n ->> 'token_id', 'owed0', n ->> 'owed0', 'owed1', n ->> 'owed1',
		'liquidity', n ->> 'liquidity'))
	FROM decisions d, jsonb_array_elements(d.inputs -> 'nfts') n WHERE d.id = $r2->{decision_id}"));
my ($o0, $o1) = (Math::BigInt->new(0), Math::BigInt->new(0));
for (grep { $_->{liquidity} > 0 } @$owed) { $o0 += Math::BigInt->new($_->{owed0}); $o1 += Math::BigInt->new($_->{owed1}); }
ok($o0 > 0 && $o1 > 0, "the vault's ranges earned fees in both tokens ($o0 / $o1)");
# What compounding these fees would earn over the horizon (the policy's own
# computation with compound_factor 0), in the numeraire, against the gas.
my $base_json = $JSON->encode($base);
my $g = $JSON->decode(sql(qq{SELECT jsonb_build_object('gain', c -> 'plan' -> 'expected' -> 'gain', 'gas', c -> 'plan' -> 'expected' -> 'gas_cost')
	FROM strategies s, decisions d,
		 LATERAL strategy_lp_compound(jsonb_populate_record(NULL::strategies,
			 to_jsonb(s) || jsonb_build_object('params', s.params || '{"compound_factor": 0}')), d.inputs, '$base_json', '{}') c
	WHERE s.id = $id AND d.id = $r2->{decision_id}}));
cmp_ok($g->{gain}, '>', 0, "compounding them would earn $g->{gain} over the horizon");
cmp_ok($g->{gain}, '<', 1e6 * $g->{gas}, "under 1e6 x gas ($g->{gas} in the numeraire)");

# ---- above it: compound ----
# compound_factor at half of gain / gas: the gain beats it twice over.
my $factor = sql("SELECT round($g->{gain} / $g->{gas} / 2, 6)");
cmp_ok($factor, '>', 0, "a factor of $factor");
sql("SELECT strategy_update($id, '{\"compound_factor\": $factor}')");
$chain->rpc('evm_mine', []);
wait_ingested('a new block');
my $before = nfts();
my $r3 = run_and_settle('above threshold');
is($r3->{action}, 'compound', "run 3 compounds (compound_factor $factor)");
like(join(',', @{ $r3->{reasons} }), qr/compound_gain_beats_gas/, 'because what the fees earn beats the gas by the factor');
is(sql("SELECT (expected).expected_gain > (plan ->> 'compound_factor')::numeric * (expected).gas_cost
		AND (expected).expected_gain - (expected).expected_costs > 0 FROM decisions WHERE id = $r3->{decision_id}"), 't',
	'the compound decision: gain > compound_factor x gas, expected net > 0');
my $dec = $JSON->decode(sql("SELECT jsonb_build_object('plan', plan, 'risk_allowed', risk_allowed, 'status', status,
	'steps', (SELECT jsonb_agg(i ->> 'step') FROM jsonb_array_elements(intents) i)) FROM decisions WHERE id = $r3->{decision_id}"));
is($dec->{status}, 'enqueued', 'the risk gate allowed it and the queue took it');
is($dec->{steps}[-1], 'increase_liquidity', 'its last step adds the fees to the range');
is(scalar(grep { $_ eq 'collect' } @{ $dec->{steps} }), scalar(grep { $_->{liquidity} > 0 && ($_->{owed0} > 0 || $_->{owed1} > 0) } @$owed),
	'one collect per range that earned fees');
my $after = nfts();
my $tid = $dec->{plan}{token_id};
ok(exists $before->{$tid} && exists $after->{$tid}, "the base NFT $tid is the same NFT");
is(Math::BigInt->new($after->{$tid}{liquidity}) - Math::BigInt->new($before->{$tid}{liquidity}), $dec->{plan}{liquidity_added},
	"its liquidity grew by the planned $dec->{plan}{liquidity_added}");
cmp_ok($dec->{plan}{liquidity_added}, '>', 0, 'which is more than nothing');
for my $t (grep { $_ ne $tid } keys %$before)
{
	is($after->{$t}{liquidity}, $before->{$t}{liquidity}, "NFT $t keeps its liquidity");
}

# The receipts: Collect events of the fees, the IncreaseLiquidity of the plan.
my $collect_topic = sql("SELECT event_topic('Collect(uint256,address,uint256,uint256)')");
my $incr_topic = sql("SELECT event_topic('IncreaseLiquidity(uint256,uint128,uint256,uint256)')");
my ($c0, $c1, @incr) = (Math::BigInt->new(0), Math::BigInt->new(0));
for my $h (split /\n/, sql("SELECT a.hash FROM tx_intents t JOIN tx_attempts a ON a.intent_id = t.id AND a.status = 'confirmed'
		WHERE t.decision_id = $r3->{decision_id} ORDER BY t.id"))
{
	my $rc = $chain->rpc('eth_getTransactionReceipt', [$h]);
	for my $l (@{ $rc->{logs} })
	{
		next unless lc $l->{address} eq lc $npm;
		my $data = substr($l->{data}, 2);
		my @w = map { Math::BigInt->from_hex(substr($data, 64 * $_, 64)) } 0 .. length($data) / 64 - 1;
		if (lc $l->{topics}[0] eq lc $collect_topic) { $c0 += $w[1]; $c1 += $w[2]; }
		elsif (lc $l->{topics}[0] eq lc $incr_topic) { push @incr, [ Math::BigInt->from_hex(substr($l->{topics}[1], 2))->bstr, map { $_->bstr } @w ]; }
	}
}
cmp_ok($c0, '>=', $o0, "collected $c0 of token0, at least the $o0 owed at run 2");
cmp_ok($c1, '>=', $o1, "collected $c1 of token1, at least the $o1 owed at run 2");
is(scalar @incr, 1, 'one IncreaseLiquidity');
is($incr[0][0], $tid, 'on the base NFT');
is($incr[0][1], $dec->{plan}{liquidity_added}, 'of the planned liquidity');
# (the pool rounds the amounts a liquidity takes up, univ3_amounts_for_liquidity down)
ok(abs(Math::BigInt->new($incr[0][2]) - Math::BigInt->new($dec->{plan}{amount0})) <= 1
	  && abs(Math::BigInt->new($incr[0][3]) - Math::BigInt->new($dec->{plan}{amount1})) <= 1,
	"taking the planned amounts within rounding ($incr[0][2] / $incr[0][3], planned $dec->{plan}{amount0} / $dec->{plan}{amount1})");
cmp_ok(Math::BigInt->new($incr[0][2]), '<=', Math::BigInt->new($dec->{plan}{owed0}), 'no more token0 than the fees');
cmp_ok(Math::BigInt->new($incr[0][3]), '<=', Math::BigInt->new($dec->{plan}{owed1}), 'no more token1 than the fees');

# ---- its expectation and outcome ----
is(sql("SELECT (expected).source || ' ' || ((expected).expected_gain > 0) FROM decisions WHERE id = $r3->{decision_id}"),
	'lp_univ3:plan.expected true', 'the compound expected a gain (the fees its liquidity earns over the horizon)');
is(sql("SELECT outcome || ' ' || executed || ' ' || (gas_eth > 0) FROM v_decision_outcomes WHERE decision_id = $r3->{decision_id}"),
	'pending true true', 'v_decision_outcomes: executed, gas paid, pending until its horizon (a day)');
is(sql("SELECT decisions || ' ' || pending FROM v_strategy_outcomes WHERE strategy_id = $id AND action = 'compound'"),
	'1 1', 'v_strategy_outcomes counts it under its action');
is(sql("SELECT count(*) FROM strategy_replay($r3->{decision_id}) r WHERE (r ->> 'matches')::boolean"), '1',
	'the compound replays to the same result');

done_testing();
