# 090_strategy_e2e: the strategy engine end to end on the chain fixture, the
# scenario of "make demo": two vaults (anvil dev accounts 8 and 9, signed
# with key files), an lp_univ3 strategy on the wstETH/WETH 0.05% pool and a
# stake strategy choosing between wstETH and weETH, whose rates grow over a
# simulated day.  run_strategies() opens the LP position and stakes; the tx
# worker signs, sends and mines; traffic pushes the price out of the range;
# the next run rebalances.  Checked on chain: the vault's NFTs sit in the
# ranges the decision chose with the liquidity it computed, the mints took
# the amounts it computed (within rounding), the old NFTs are burned, and the
# stake vault holds the LST the decision chose.
use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use JSON::PP;
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
my $KST = '2a871d0798f97d79848a013d4936a73bf4cc922c825d33c1cf7073dff6d409c6';

my $keys = AmpTest::key_dir($LP => $KLP, $ST => $KST);

sub scenario { return $JSON->decode($chain->_node('scenario.js', '--rpc', $url, '--deployment', $depfile, @_)); }

# The vaults: fresh allowances, 10 WETH + 10 wstETH and 20 WETH.
my $v = scenario('vaults', '--lp', $LP, '--stake', $ST);
is($v->{vaults}{ $d->{accounts}[8] }{WETH}, '10000000000000000000', 'lp vault holds 10 WETH');
# A day passes: wstETH grows 1 bp and weETH 2 bps every 3 hours.
my $g = scenario('grow', '--hours', 24, '--steps', 8, '--wsteth-bps', 1, '--weeth-bps', 2);
ok($g->{rates}{wstETH} > 1190000000000000000, 'the wstETH rate grew');

my $node = AmpTest::node('strategy', conf => "amplified.keys_dir = '$keys'\n"
	  . "amplified.txq_poll_interval = 100\n"
	  . "amplified.rpc_timeout = 5000\n");
sub sql { return $node->safe_psql('postgres', "SET search_path = amplified, public;\n$_[0]"); }

my $pool = $d->{pools}{'wstETH-WETH-500'};
my $pool2 = $d->{pools}{'weETH-WETH-500'};
my $npm = $d->{uniswap}{positionManager};
my $router = $d->{uniswap}{swapRouter};
my ($weth, $wsteth, $weeth) = map { $d->{tokens}{$_}{address} } qw(WETH wstETH weETH);

sql(qq{
	SELECT add_chain(31337, 'anvil', ARRAY['$url'], confirmations => 0, poll_interval => '100 ms');
	SELECT watch_contract(31337, '$pool->{address}', 'pool wstETH-WETH-500', 'univ3_pool', 0, 1);
	SELECT watch_contract(31337, '$pool2->{address}', 'pool weETH-WETH-500', 'univ3_pool', 0, 1);
	SELECT watch_contract(31337, '$wsteth', 'wstETH', 'lst', 0, 1);
	SELECT watch_contract(31337, '$weeth', 'weETH', 'lst', 0, 1);
	SELECT add_signer(31337, '$LP', 'key_file');
	SELECT add_signer(31337, '$ST', 'key_file');
});

# Wait until ingestion reached the chain's head.
sub wait_ingested
{
	my ($what) = @_;
	my $head = hex $chain->rpc('eth_blockNumber');
	AmpTest::wait_for($node,
		"SELECT coalesce(max(number), 0) >= $head FROM amplified.blocks WHERE chain_id = 31337", 't',
		"$what: ingested up to block $head");
}
wait_ingested('start');

my $lp_params = $JSON->encode({
	pool => $pool->{address}, position_manager => $npm, swap_router => $router,
	numeraire => ($pool->{token0} eq $weth ? 'token0' : 'token1'),
	sigma => 0.01, k => 2, horizon_days => 1, slippage_bps => 50, swap => JSON::PP::true,
	appreciating => ($pool->{token0} eq $wsteth ? 'token0' : 'token1'), apr => 'auto', apr_window => '6 hours' });
my $st_params = $JSON->encode({
	base_token => $weth, swap_router => $router, apr_window => '6 hours', stake_share => 0.1, min_trade => 0.05,
	candidates => [ { token => $wsteth, pool => $pool->{address} }, { token => $weeth, pool => $pool2->{address} } ] });
my $lp_id = sql("SELECT id FROM strategy_create('lp wstETH/WETH', 'lp_univ3', 31337, '$LP', '$lp_params', enabled => true)");
my $st_id = sql("SELECT id FROM strategy_create('stake ETH', 'stake', 31337, '$ST', '$st_params', enabled => true)");
is(sql("SELECT params ->> 'tick_spacing' FROM strategies WHERE id = $lp_id"), '10', "lp_univ3: the pool's spacing read from the chain");
is(sql("SELECT params -> 'candidates' -> 1 ->> 'fee' FROM strategies WHERE id = $st_id"), '500', "stake: a candidate's fee read from the chain");

my $FINAL = "('confirmed', 'failed', 'rejected', 'expired', 'cancelled')";
sub run_and_settle
{
	my ($what) = @_;
	my $r = $JSON->decode(sql('SELECT run_strategies()'));
	my %out = map { $_->{strategy_id} => $_ } @{ $r->{results} };
	ok($node->poll_query_until('postgres',
		"SELECT count(*) = 0 FROM amplified.tx_intents WHERE status NOT IN $FINAL"), "$what: every intent is final");
	is(sql("SELECT string_agg(DISTINCT status, ',') FROM tx_intents WHERE status <> 'confirmed'"), '',
		"$what: every intent confirmed");
	wait_ingested($what);
	return \%out;
}

# ---- run 1: the lp vault opens, the stake vault stakes ----
my $r1 = run_and_settle('run 1');
is($r1->{$lp_id}{outcome}, 'enqueued', 'run 1: lp enqueued');
is($r1->{$lp_id}{action}, 'open', 'run 1: lp opens');
is($r1->{$st_id}{outcome}, 'enqueued', 'run 1: stake enqueued');
is($r1->{$st_id}{action}, 'stake', 'run 1: stake stakes');
my $best = sql("SELECT plan ->> 'best' FROM decisions WHERE id = $r1->{$st_id}{decision_id}");
is(lc $best, lc $weeth, 'stake chose weETH, whose rate grows faster');
ok(sql("SELECT (inputs -> 'candidates' -> 1 ->> 'apr')::float8 > (inputs -> 'candidates' -> 0 ->> 'apr')::float8
	FROM decisions WHERE id = $r1->{$st_id}{decision_id}") eq 't', 'its APR is the higher one');

# On chain: the stake vault holds at least the decision's minimum of weETH,
# and a tenth of its value was staked.
my $trade = $JSON->decode(sql("SELECT plan -> 'trades' -> 0 FROM decisions WHERE id = $r1->{$st_id}{decision_id}"));
is($trade->{amount_in}, '2000000000000000000', 'stake_share 0.1 of 20 WETH: 2 WETH staked');
my $we_bal = $chain->call($weeth, 'balanceOf(address) view returns (uint256)', $ST);
ok(Math::BigInt->new($we_bal) >= Math::BigInt->new($trade->{amount_out_min}), "stake vault holds $we_bal weETH, at least the minimum $trade->{amount_out_min}");
is($chain->call($weth, 'balanceOf(address) view returns (uint256)', $ST), '18000000000000000000', 'and 18 WETH');

# The LP vault's NFTs against a decision's plan.
use Math::BigInt;
sub check_lp
{
	my ($decision, $what) = @_;
	my $plan = $JSON->decode(sql("SELECT plan -> 'rows' FROM decisions WHERE id = $decision"));
	my @rows = grep { $_->{role} ne 'idle' } @$plan;
	my $n = $chain->call($npm, 'balanceOf(address) view returns (uint256)', $LP);
	is($n, scalar @rows, "$what: the vault holds one NFT per planned position");
	my @nfts;
	for my $i (0 .. $n - 1)
	{
		my $id = $chain->call($npm, 'tokenOfOwnerByIndex(address,uint256) view returns (uint256)', $LP, $i);
		my @p = $chain->call($npm, 'positions(uint256) view returns (uint96,address,address,address,uint24,int24,int24,uint128,uint256,uint256,uint128,uint128)', $id);
		push @nfts, { id => $id, lower => $p[5], upper => $p[6], liquidity => $p[7] };
	}
	@nfts = sort { $a->{lower} <=> $b->{lower} || $a->{upper} <=> $b->{upper} } @nfts;
	my @want = sort { $a->{tick_lower} <=> $b->{tick_lower} || $a->{tick_upper} <=> $b->{tick_upper} } @rows;
	is_deeply([ map { "[$_->{lower}, $_->{upper})" } @nfts ], [ map { "[$_->{tick_lower}, $_->{tick_upper})" } @want ],
		"$what: the NFTs sit in the decided ranges");
	is_deeply([ map { $_->{liquidity} } @nfts ], [ map { $_->{liquidity} } @want ],
		"$what: with the decided liquidity");

	# The mints' IncreaseLiquidity events: the amounts the plan computed.
	my $topic = '0x3067048beee31b25b2f1681f88dac838c8bba36af25bfb2b7cf7473a5847e35f';
	my @got;
	for my $h (split /\n/, sql("SELECT a.hash FROM tx_intents t JOIN tx_attempts a ON a.intent_id = t.id AND a.status = 'confirmed'
			WHERE t.decision_id = $decision AND t.idempotency_key LIKE '%:mint' ORDER BY t.id"))
	{
		my $rc = $chain->rpc('eth_getTransactionReceipt', [$h]);
		for my $l (@{ $rc->{logs} })
		{
			next unless lc $l->{address} eq lc $npm && $l->{topics}[0] eq $topic;
			my $data = substr($l->{data}, 2);
			push @got, [ map { Math::BigInt->from_hex(substr($data, 64 * $_, 64))->bstr } 0 .. 2 ];
		}
	}
	my @planned = map { [ $_->{liquidity}, $_->{amount0}, $_->{amount1} ] }
	  grep { $_->{role} ne 'idle' } @$plan;
	is(scalar @got, scalar @planned, "$what: one IncreaseLiquidity per mint");
	for my $i (0 .. $#planned)
	{
		my ($g, $p) = ($got[$i] // [ 0, 0, 0 ], $planned[$i]);
		is($g->[0], $p->[0], "$what: mint $i liquidity $p->[0]");
		ok(abs(Math::BigInt->new($g->[1]) - Math::BigInt->new($p->[1])) <= 1
			  && abs(Math::BigInt->new($g->[2]) - Math::BigInt->new($p->[2])) <= 1,
			"$what: mint $i took $g->[1] / $g->[2], planned $p->[1] / $p->[2]");
	}
	return \@nfts;
}
my $nfts1 = check_lp($r1->{$lp_id}{decision_id}, 'after open');

# ---- nothing new on chain: nothing new decided ----
my $again = $JSON->decode(sql('SELECT run_strategies()'));
my $decisions = sql('SELECT count(*) FROM decisions');
ok(!grep({ $_->{outcome} !~ /^(unchanged|noop|repeated)$/ } @{ $again->{results} }),
	'a run right after: nothing enqueued (' . join(',', map { $_->{outcome} } @{ $again->{results} }) . ')');
my $again2 = $JSON->decode(sql('SELECT run_strategies()'));
is(join(',', map { $_->{outcome} } @{ $again2->{results} }), 'unchanged,unchanged', 'and again, with no new block: unchanged');
is(sql('SELECT count(*) FROM decisions'), $decisions, 'no decision written');

# ---- traffic pushes the price below the base range ----
my $base = $JSON->decode(sql("SELECT r FROM decisions d, jsonb_array_elements(d.plan -> 'rows') r
	WHERE d.id = $r1->{$lp_id}{decision_id} AND r ->> 'role' = 'base'"));
my $lowest = sql("SELECT min((r ->> 'tick_lower')::int) FROM decisions d, jsonb_array_elements(d.plan -> 'rows') r
	WHERE d.id = $r1->{$lp_id}{decision_id} AND r ->> 'role' <> 'idle'");
my $p = scenario('push', '--pool', 'wstETH-WETH-500', '--tick', $lowest - 60);
ok($p->{tickAfter} < $base->{tick_lower}, "the price left the base range [$base->{tick_lower}, $base->{tick_upper}): tick $p->{tickAfter}");
wait_ingested('after the push');

# ---- run 2: the lp vault rebalances ----
my $r2 = run_and_settle('run 2');
is($r2->{$lp_id}{action}, 'rebalance', 'run 2: lp rebalances');
like(join(',', @{ $r2->{$lp_id}{reasons} }), qr/out_of_range/, 'because the price is out of range');
like($r2->{$st_id}{outcome}, qr/^(noop|repeated)$/, 'run 2: the stake vault holds');
my $nfts2 = check_lp($r2->{$lp_id}{decision_id}, 'after rebalance');
for my $old (@$nfts1)
{
	my ($r) = @{ $chain->calls([ { to => $npm, sig => 'ownerOf(uint256) view returns (address)', args => [ $old->{id} ] } ]) };
	ok($r->{error}, "old NFT $old->{id} is burned");
}
my $tick_now = ($chain->call($pool->{address}, 'slot0() view returns (uint160,int24,uint16,uint16,uint16,uint8,bool)'))[1];
my $swap = $JSON->decode(sql("SELECT plan -> 'swap' FROM decisions WHERE id = $r2->{$lp_id}{decision_id}"));
ok($swap && $swap->{amount_in} > 0, 'the rebalance swapped toward the base range first');
is(($chain->call($pool->{address}, 'slot0() view returns (uint160,int24,uint16,uint16,uint16,uint8,bool)'))[0],
	$swap->{sqrt_price_after}, 'the pool price after the swap is the one the plan was made at');
my $new_base = $JSON->decode(sql("SELECT r FROM decisions d, jsonb_array_elements(d.plan -> 'rows') r
	WHERE d.id = $r2->{$lp_id}{decision_id} AND r ->> 'role' = 'base'"));
ok($tick_now >= $new_base->{tick_lower} && $tick_now < $new_base->{tick_upper},
	"the new base [$new_base->{tick_lower}, $new_base->{tick_upper}) holds the price (tick $tick_now)");

# ---- the dashboards ----
is(sql("SELECT count(*) > 0 FROM v_strategy_performance WHERE strategy_id = $lp_id AND value > 0"), 't', 'v_strategy_performance has the lp vault');
is(sql("SELECT count(*) FROM v_decisions WHERE executed AND action IN ('open', 'rebalance', 'stake')"), '3', 'v_decisions: three executed decisions');
is(sql("SELECT count(*) FROM v_positions WHERE strategy_id = $lp_id AND protocol = 'univ3'"), scalar(@$nfts2), 'v_positions lists the NFTs');
is(sql("SELECT count(*) FROM v_univ3_positions WHERE strategy_id = $lp_id AND in_range IS NOT NULL"), scalar(@$nfts2),
	'v_univ3_positions: each NFT with its range against the pool');

# ---- every decision of the scenario replays ----
my $n_decisions = sql("SELECT count(*) FROM decisions WHERE status <> 'error'");
cmp_ok($n_decisions, '>=', 4, "the scenario made $n_decisions decisions");
is(sql("SELECT string_agg(d.id || ': ' || (r -> 'differences')::text, '; ') FROM decisions d,
		LATERAL strategy_replay(d.id) r WHERE d.status <> 'error' AND NOT (r ->> 'matches')::boolean"), '',
	'every decision, fed back to its policy with its stored inputs and parameters, gives the same action, reasons, plan, intents and proposal');
my $pnl = $JSON->decode(sql("SELECT to_jsonb(p) FROM strategy_pnl($lp_id) p"));
cmp_ok($pnl->{gas}, '>', 0, 'strategy_pnl: the lp vault paid gas');
cmp_ok($pnl->{swap_cost}, '>', 0, 'strategy_pnl: and a pool fee on the rebalance swap');

# ---- the P&L attribution (src/strategy/pnl.sql) on the scenario ----
# One more run snapshots both vaults after the rebalance's transactions.
run_and_settle('run 3');
for my $p (qw(block hour day))
{
	is(sql("SELECT count(*) FILTER (WHERE strategy_id = $lp_id) > 0 AND count(*) FILTER (WHERE strategy_id = $st_id) > 0
			   AND count(*) FILTER (WHERE value_change <> value_end - value_start) = 0
			  FROM v_pnl_attribution_check WHERE strategy_id IN ($lp_id, $st_id) AND period = '$p'"), 't',
		"v_pnl_attribution, $p periods of both vaults: value_change = value_end - value_start");
	# The identity, each component from its own data: the check view
	# finds nothing unexplained beyond one raw unit per leg.
	is(sql("SELECT coalesce(string_agg(format('%s %s..%s: change %s, explained %s, unexplained %s', strategy, block_start, block_end,
				value_change, explained, unexplained), '; '), '')
			  FROM v_pnl_attribution_check WHERE strategy_id IN ($lp_id, $st_id) AND period = '$p' AND NOT balanced"), '',
		"v_pnl_attribution_check, $p periods of both vaults: value_change = Σ pnl_ (within a raw unit per leg)");
}
note(sql("SELECT string_agg(format('%s %s..%s: change %s = price %s + staking %s + fees %s + divergence %s + swap %s + gas %s + flows %s + other %s; unexplained %s (tolerance %s)',
		a.strategy, a.block_start, a.block_end, a.value_change, a.pnl_price, a.pnl_staking_yield, a.pnl_fees, a.pnl_divergence,
		a.pnl_swap_cost, a.pnl_gas, a.pnl_flows, a.pnl_hedge + a.pnl_interest_earned + a.pnl_interest_paid + a.pnl_incentives,
		c.unexplained, c.tolerance), E'\\n' ORDER BY a.strategy_id, a.block_end)
		  FROM v_pnl_attribution a JOIN v_pnl_attribution_check c USING (strategy_id, period, block_end)
		 WHERE a.strategy_id IN ($lp_id, $st_id) AND a.period = 'block'"));
is(sql("SELECT -sum(pnl_gas) > 0 AND -sum(pnl_gas) = txq_gas_spent($lp_id, max(block_end)) - txq_gas_spent($lp_id, min(block_start))
		  FROM v_pnl_attribution WHERE strategy_id = $lp_id AND period = 'block'"), 't',
	'the lp vault\'s gas over its periods is what its mined transactions paid between its first and last snapshots (WETH numeraire)');
# Swap costs are realised: the pools' Swap logs paying a vault, what came
# in less what left at the period's end prices.
is(sql("SELECT count(*) FILTER (WHERE n > 0) >= 2 AND count(*) FILTER (WHERE (n > 0) <> (a.pnl_swap_cost <> 0)) = 0
		  FROM v_pnl_attribution a
		 CROSS JOIN LATERAL (SELECT count(*) AS n FROM univ3_swaps w JOIN strategies st ON st.id = a.strategy_id
							  WHERE w.chain_id = st.chain_id AND w.recipient = st.owner
								AND w.block_number > a.block_start AND w.block_number <= a.block_end) w
		 WHERE a.strategy_id IN ($lp_id, $st_id) AND a.period = 'block'"), 't',
	'swap costs are realised: non-zero in exactly the periods whose Swap logs paid a vault (both vaults swapped)');

done_testing();
