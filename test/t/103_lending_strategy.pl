# 103_lending_strategy: the lend and leverage kinds end to end on the chain
# fixture's Morpho Blue and Aave v3 markets, through the owners'
# AmpLeverageAccounts (anvil accounts 6, 7 and 8, signed with key files).
#
#   - the ingest worker decodes the markets' events and reads (the lending
#     read models rebuild the state the contracts hold, to the wei);
#   - a leverage strategy loops wstETH against WETH on Morpho (account 7),
#     another on Aave in its e-mode (account 6): each action eth_call'ed at
#     the decision's block first, then signed, sent and mined; the LTV on
#     chain lands inside the target band;
#   - a lend strategy supplies idle WETH to the market with the best supply
#     APY (account 8);
#   - time moves: the debt the read models accrue equals the chain's to the
#     wei (Aave's balanceOf at the block; Morpho's totals after an
#     accrueInterest at a later block, from the earlier state and the IRM);
#   - the oracles drop wstETH 6 % below its exchange rate: the depeg breaker
#     halts, both leverage strategies unwind, the gate lets the forced unwind
#     through, and no debt is left on either protocol.
use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use JSON::PP;
use Math::BigInt;
use Math::BigFloat;
use AmpTest;
use AmpChain;

my $JSON = JSON::PP->new->canonical;
my $chain = AmpChain->new;
my $url = $chain->url;
my $d = $chain->deploy;
my $depfile = $chain->deployment_file;

# anvil's well-known development accounts 6, 7 and 8 (public test keys).
my ($A6, $A7, $A8) = map { lc $d->{accounts}[$_] } 6, 7, 8;
my $keys = AmpTest::key_dir(
	$A6 => '92db14e403b83dfe3df233f83dfa3a0d7096f21ca9b0d6d6b8d88b2b4ec1564e',
	$A7 => '4bbbf85ce3377467afe5d46f804f221813b2bb87f24d81f60f1fcdbf7cbf4356',
	$A8 => 'dbda1821b80551c9d65939329250298aa3472ba22feea921c0cf5d620ea67b97');

my ($weth, $wsteth) = map { lc $d->{tokens}{$_}{address} } qw(WETH wstETH);
my $pool = lc $d->{pools}{'wstETH-WETH-500'}{address};
# The Aave strategy swaps in the 0.3 % pool: the Morpho strategy's swaps move the other.
my $pool3 = lc $d->{pools}{'wstETH-WETH-3000'}{address};
my $m = $d->{morpho};
my $mk = $m->{markets}{'wstETH/WETH'};
my $mk2 = $m->{markets}{'weETH/WETH'};
my $aave = $d->{aave};
my ($acct6, $acct7, $acct8) = map { lc $d->{leverageAccounts}{$_}{address} } 6, 7, 8;
my $agg = lc $aave->{oracles}{'wstETH/ETH'}{address};

sub scenario { return $JSON->decode($chain->_node('scenario.js', '--rpc', $url, '--deployment', $depfile, @_)); }

# The accounts' capital: 2 wstETH for each leverage account, 20 WETH for the lender.
for ([ $A7, $acct7 ], [ $A6, $acct6 ])
{
	my $r = $chain->send($_->[0], $wsteth, 'function transfer(address,uint256) returns (bool)', $_->[1], '2000000000000000000');
	is($r->{status}, 1, "2 wstETH into the leverage account of $_->[0]");
}
is($chain->send($A8, $weth, 'function transfer(address,uint256) returns (bool)', $acct8, '20000000000000000000')->{status}, 1,
	'20 WETH into the lender\'s account');
# Half a day of staking yield: wstETH grows 1 bp every 3 hours (about 29 % a
# year: more than the markets' borrow rates, so the carry is positive).
scenario('grow', '--hours', 12, '--steps', 4, '--wsteth-bps', 1, '--weeth-bps', 1);

my $node = AmpTest::node('lending', conf => "amplified.keys_dir = '$keys'\n"
	  . "amplified.txq_poll_interval = 100\n"
	  . "amplified.rpc_timeout = 5000\n");
sub sql { return $node->safe_psql('postgres', "SET search_path = amplified, public;\n$_[0]"); }

my $atoken = lc $aave->{reserves}{wstETH}{aToken};
my $vdebt = lc $aave->{reserves}{WETH}{variableDebtToken};
my $aweth = lc $aave->{reserves}{WETH}{aToken};
sql(qq{
	SELECT add_chain(31337, 'anvil', ARRAY['$url'], confirmations => 0, poll_interval => '100 ms');
	SELECT watch_contract(31337, '$m->{address}', 'Morpho Blue', 'morpho_blue', 0, 0);
	SELECT watch_contract(31337, '$m->{irm}', 'AdaptiveCurveIrm', 'morpho_irm', 0, 0);
	SELECT watch_contract(31337, '$mk->{oracle}{address}', 'Morpho oracle wstETH/WETH', 'morpho_oracle', 0, 1);
	SELECT watch_contract(31337, '$mk2->{oracle}{address}', 'Morpho oracle weETH/WETH', 'morpho_oracle', 0, 1);
	SELECT watch_contract(31337, '$aave->{pool}', 'Aave Pool', 'aave_pool', 0, 1, ARRAY['$weth', '$wsteth', '$acct6']::address[]);
	SELECT watch_contract(31337, '$atoken', 'aWstETH', 'aave_token', 0, 1, ARRAY['$acct6']::address[]);
	SELECT watch_contract(31337, '$vdebt', 'variableDebtWETH', 'aave_token', 0, 1, ARRAY['$acct6']::address[]);
	SELECT watch_contract(31337, '$aweth', 'aWETH', 'aave_token', 0, 1, ARRAY['$acct8']::address[]);
	SELECT watch_contract(31337, '$aave->{oracle}', 'AaveOracle', 'aave_oracle', 0, 1, ARRAY['$weth', '$wsteth']::address[]);
	SELECT watch_contract(31337, '$agg', 'wstETH/ETH feed', 'oracle', 0, 1);
	SELECT watch_contract(31337, '$pool', 'pool wstETH-WETH-500', 'univ3_pool', 0, 1);
	SELECT watch_contract(31337, '$pool3', 'pool wstETH-WETH-3000', 'univ3_pool', 0, 1);
	SELECT watch_contract(31337, '$wsteth', 'wstETH', 'lst', 0, 1);
	SELECT add_signer(31337, '$A6', 'key_file');
	SELECT add_signer(31337, '$A7', 'key_file');
	SELECT add_signer(31337, '$A8', 'key_file');
	SELECT risk_add_breaker('wsteth-depeg', 'depeg', 31337, asset => '$wsteth', oracle => '$agg');
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
my $h0 = wait_ingested('start');

# ---- the read models against the chain, before any strategy ----
is(sql("SELECT string_agg(protocol || ' ' || market::text, ', ' ORDER BY protocol, market::text) FROM lend_markets"),
	join(', ', (map { "aave_v3 $_" } sort map { lc sql("SELECT aave_market_id('$aave->{pool}', '$_')") } $weth, $wsteth),
		(map { "morpho_blue $_" } sort map { lc $_->{id} } $mk, $mk2)),
	'lend_markets: the two Morpho markets and the two Aave reserves read');
for my $market ($mk, $mk2)
{
	my $c = $chain->calls([ { to => $m->{address}, block => sprintf('0x%x', $h0),
		sig => 'function market(bytes32) view returns (uint128,uint128,uint128,uint128,uint128,uint128)', args => [ $market->{id} ] } ])->[0];
	die "market(): $c->{error}" if $c->{error};
	$c = $c->{result};
	is(sql("SELECT concat_ws(',', total_supply_assets, total_supply_shares, total_borrow_assets, total_borrow_shares, last_update, fee)
			FROM morpho_market_state_at(31337, '$market->{id}', $h0)"), join(',', @$c),
		"morpho_market_state_at rebuilds $market->{id}'s market() from its events, to the wei");
}

# ---- the strategies ----
my %mp = %{ $mk->{params} };
my $lev_m = $JSON->encode({ protocol => 'morpho_blue', account => $acct7, morpho => $m->{address},
	oracle => $mp{oracle}, irm => $mp{irm}, lltv => $mp{lltv}, collateral_token => $wsteth, loan_token => $weth,
	swap_pool => $pool, target_ltv => 0.75, band => 0.03, carry_window => '12 hours', max_loss_bps => 500,
	slippage_bps => 50 });
my $lev_a = $JSON->encode({ protocol => 'aave_v3', account => $acct6, aave_pool => $aave->{pool}, emode_category => 1,
	collateral_token => $wsteth, loan_token => $weth, swap_pool => $pool3, target_ltv => 0.75, band => 0.03,
	carry_window => '12 hours', max_loss_bps => 500, slippage_bps => 50 });
my $lend = $JSON->encode({ account => $acct8, asset => $weth, horizon => '30 days', min_trade => 0.1,
	candidates => [
		{ protocol => 'morpho_blue', morpho => $m->{address}, collateral_token => lc $mk->{params}{collateralToken},
		  oracle => $mk->{params}{oracle}, irm => $mk->{params}{irm}, lltv => $mk->{params}{lltv} },
		{ protocol => 'morpho_blue', morpho => $m->{address}, collateral_token => lc $mk2->{params}{collateralToken},
		  oracle => $mk2->{params}{oracle}, irm => $mk2->{params}{irm}, lltv => $mk2->{params}{lltv} },
		{ protocol => 'aave_v3', pool => $aave->{pool} } ] });
my $sm = sql("SELECT id FROM strategy_create('leverage morpho', 'leverage', 31337, '$A7', '$lev_m', enabled => true)");
my $sa = sql("SELECT id FROM strategy_create('leverage aave', 'leverage', 31337, '$A6', '$lev_a', enabled => true)");
my $sl = sql("SELECT id FROM strategy_create('lend weth', 'lend', 31337, '$A8', '$lend', enabled => true)");
is(lc sql("SELECT params ->> 'market' FROM strategies WHERE id = $sm"), lc $mk->{id}, 'leverage: the Morpho market id computed from its parameters');
is(sql("SELECT params ->> 'swap_fee' FROM strategies WHERE id = $sm"), '500', 'leverage: the swap pool fee read from the chain');

my $FINAL = "('confirmed', 'failed', 'rejected', 'expired', 'cancelled')";
sub run_and_settle
{
	my ($what) = @_;
	my $r = $JSON->decode(sql('SELECT run_strategies()'));
	my %out = map { $_->{strategy_id} => $_ } @{ $r->{results} };
	note("$what: " . $JSON->encode($r->{results}));
	note("$what: blocked: " . sql("SELECT string_agg(format('%s %s %s %s', id, risk_reasons, simulation, plan), E'\\n') FROM decisions WHERE status = 'blocked' AND id IN ("
		. join(',', map { $_->{decision_id} // 0 } @{ $r->{results} }) . ')'));
	ok($node->poll_query_until('postgres',
		"SELECT count(*) = 0 FROM amplified.tx_intents WHERE status NOT IN $FINAL"), "$what: every intent is final");
	is(sql("SELECT coalesce(string_agg(DISTINCT status, ','), '') FROM tx_intents WHERE status <> 'confirmed'"), '',
		"$what: every intent confirmed");
	wait_ingested($what);
	return \%out;
}
sub decision { my ($id, $col) = @_; return sql("SELECT $col FROM decisions WHERE id = $id"); }

# The LTV on chain: Morpho from position() and market() at the oracle's
# price, Aave from getUserAccountData (both in their own units).
sub morpho_ltv
{
	my ($acct) = @_;
	my $r = $chain->calls([
		{ to => $m->{address}, sig => 'function position(bytes32,address) view returns (uint256,uint128,uint128)', args => [ $mk->{id}, $acct ] },
		{ to => $m->{address}, sig => 'function market(bytes32) view returns (uint128,uint128,uint128,uint128,uint128,uint128)', args => [ $mk->{id} ] },
		{ to => $mk->{oracle}{address}, sig => 'function price() view returns (uint256)', args => [] } ]);
	my ($bs, $coll) = @{ $r->[0]{result} }[1, 2];
	my ($tba, $tbs) = @{ $r->[1]{result} }[2, 3];
	my $price = $r->[2]{result}[0];
	return (undef, $bs, $coll) if $coll eq '0';
	my $debt = Math::BigFloat->new($bs) * (Math::BigFloat->new($tba) + 1) / (Math::BigFloat->new($tbs) + 1000000);
	return ($debt / (Math::BigFloat->new($coll) * $price / Math::BigFloat->new('1e36')))->numify, $bs, $coll;
}
sub aave_account
{
	my ($acct) = @_;
	return @{ $chain->calls([ { to => $aave->{pool},
		sig => 'function getUserAccountData(address) view returns (uint256,uint256,uint256,uint256,uint256,uint256)',
		args => [ $acct ] } ])->[0]{result} };
}

# ---- run 1: Morpho levers, Aave enters its e-mode, the lender supplies ----
my $r1 = run_and_settle('run 1');
note('run 1 inputs: ' . sql("SELECT inputs - 'valuation' FROM decisions WHERE strategy_id = $sm ORDER BY id LIMIT 1"));
is($r1->{$sm}{action}, 'lever', 'run 1: the Morpho strategy levers');
is($r1->{$sm}{outcome}, 'enqueued', 'run 1: enqueued');
is($r1->{$sa}{action}, 'set_emode', 'run 1: the Aave strategy enters e-mode first');
is($r1->{$sl}{action}, 'supply', 'run 1: the lender supplies its idle WETH');
is(decision($r1->{$sm}{decision_id}, "simulation -> 'calls' -> 0 ->> 'ok'"), 'true', 'the lever was eth_call\'ed at the decision\'s block first');
is(decision($r1->{$sm}{decision_id}, "simulation ->> 'reasons'"), '[]', 'and the simulation found nothing wrong');
my ($ltv_m) = morpho_ltv($acct7);
ok(abs($ltv_m - 0.75) <= 0.03, "on chain, the Morpho LTV $ltv_m is inside the band 0.75 +- 0.03");
my $planned = decision($r1->{$sm}{decision_id}, "plan ->> 'ltv_after'");
ok(abs($ltv_m - $planned) < 0.005, "and close to the planned $planned (the swap's price impact apart)");
is($chain->call($aave->{pool}, 'function getUserEMode(address) view returns (uint256)', $acct6), '1', 'the Aave account is in e-mode 1');
my $best = lc decision($r1->{$sl}{decision_id}, "plan ->> 'market'");
my $best_after = decision($r1->{$sl}{decision_id}, "plan ->> 'best_apy_after'");
is(sql(qq{SELECT bool_and(coalesce(strategy_lend_apy_after(e, 20e18), 0) <= $best_after + 1e-12)
		  FROM decisions, jsonb_array_elements(inputs -> 'candidates') e WHERE id = $r1->{$sl}{decision_id}}), 't',
	"the lender chose the market paying the most with its 20 WETH added ($best_after)");
is(sql("SELECT (lend_position_at(31337, '$best', '$acct8', (SELECT max(number) FROM blocks))).supply_assets::numeric > 19.99e18"), 't',
	'lend_position_at: the lender\'s account supplies its 20 WETH');

# ---- run 2: Aave levers; Morpho holds inside its band ----
my $r2 = run_and_settle('run 2');
is($r2->{$sa}{action}, 'lever', 'run 2: the Aave strategy levers');
is($r2->{$sm}{action} // 'unchanged', 'hold', 'run 2: the Morpho strategy holds');
is(decision($r2->{$sm}{decision_id}, 'reasons'), '{within_band}', 'inside its band');
is($r2->{$sl}{action} // 'unchanged', 'hold', 'run 2: the lender stays (its supply moved the rate, and it counted that)');
my @acc = aave_account($acct6);
my $ltv_a = (Math::BigFloat->new($acc[1]) / Math::BigFloat->new($acc[0]))->numify;
ok(abs($ltv_a - 0.75) <= 0.03, "on chain, the Aave LTV $ltv_a is inside the band 0.75 +- 0.03");
my $h2 = head();
is(sql("SELECT (lend_position_at(31337, aave_market_id('$aave->{pool}', '$weth'), '$acct6', $h2)).health_factor = $acc[5]::numeric * 1e-18"), 't',
	"lend_position_at: the Aave health factor is the chain's ($acc[5])");

# ---- time moves: accrued debt against the chain ----
scenario('grow', '--hours', 6, '--steps', 2, '--wsteth-bps', 2, '--weeth-bps', 1);
my $h3 = wait_ingested('after 6 hours');
my $debt_chain = $chain->calls([ { to => $vdebt, block => sprintf('0x%x', $h3), sig => 'function balanceOf(address) view returns (uint256)', args => [ $acct6 ] } ])->[0]{result}[0];
is(sql("SELECT (lend_position_at(31337, aave_market_id('$aave->{pool}', '$weth'), '$acct6', $h3)).borrow_assets"), $debt_chain,
	"Aave: the variable debt accrued to block $h3 is the chain's balanceOf there, to the wei ($debt_chain)");
# Morpho: accrue on chain in the next block; its totals are the read model's
# state at h3 accrued by the IRM over the time between.
my $acc_tx = $chain->send(lc $d->{accounts}[0], $m->{address}, 'function accrueInterest((address,address,address,address,uint256))',
	[ $mp{loanToken}, $mp{collateralToken}, $mp{oracle}, $mp{irm}, $mp{lltv} ]);
is($acc_tx->{status}, 1, 'Morpho accrueInterest mined');
my $h4 = $acc_tx->{block};
my $chain_m = $chain->calls([ { to => $m->{address}, block => sprintf('0x%x', $h4),
	sig => 'function market(bytes32) view returns (uint128,uint128,uint128,uint128,uint128,uint128)', args => [ $mk->{id} ] } ])->[0]{result};
my $t4 = hex $chain->rpc('eth_getBlockByNumber', [ sprintf('0x%x', $h4), JSON::PP::false ])->{timestamp};
is(sql(qq{
	SELECT concat_ws(',', a.total_supply_assets, a.total_supply_shares, a.total_borrow_assets, a.total_borrow_shares)
	  FROM morpho_market_state_at(31337, '$mk->{id}', $h3) s,
		   morpho_borrow_rate(s.rate_at_target, morpho_utilization(s.total_supply_assets, s.total_borrow_assets), $t4 - s.last_update) b,
		   morpho_accrue(s.total_supply_assets, s.total_supply_shares, s.total_borrow_assets, s.total_borrow_shares, s.fee,
						 b.avg_rate, $t4 - s.last_update) a}),
	join(',', @$chain_m[0 .. 3]), 'Morpho: the state at the earlier block accrued by the IRM to the accrual\'s time is the chain\'s, to the wei');
wait_ingested('after the accrual');
my (undef, $bs4) = morpho_ltv($acct7);
is(sql("SELECT (lend_position_at(31337, '$mk->{id}', '$acct7', $h4)).borrow_assets"),
	sql("SELECT morpho_to_assets('$bs4', '$chain_m->[2]', '$chain_m->[3]', true)"),
	'Morpho: lend_position_at\'s debt is toAssetsUp of the chain\'s borrow shares and totals');

# ---- the depeg: both oracles 6 % below the exchange rate ----
my $rate = $chain->call($wsteth, 'function stEthPerToken() view returns (uint256)');
my $low = Math::BigInt->new($rate) * 94 / 100;
is($chain->send(lc $d->{accounts}[0], $mk->{oracle}{address}, 'function setPrice(uint256)', ($low * Math::BigInt->new('1000000000000000000'))->bstr)->{status}, 1,
	'the Morpho oracle drops wstETH to 94 % of its rate');
is($chain->send(lc $d->{accounts}[0], $agg, 'function setAnswer(int256)', $low->bstr)->{status}, 1,
	'the Aave feed too');
my $h5 = wait_ingested('after the depeg');
# The breaker, at the chain's time (the chain runs ahead of the wall clock).
is(sql("SELECT level FROM risk_evaluate_breakers((SELECT timestamp FROM blocks WHERE chain_id = 31337 AND number = $h5))"), 'halt',
	'the depeg breaker halts at 600 bps');
my $r3 = run_and_settle('run 3');
is($r3->{$sm}{action}, 'unwind', 'run 3: the Morpho strategy unwinds');
is($r3->{$sa}{action}, 'unwind', 'run 3: the Aave strategy unwinds');
is(decision($r3->{$sm}{decision_id}, 'reasons'), '{depeg_halt}', 'because of the depeg halt');
is(decision($r3->{$sm}{decision_id}, 'risk_allowed'), 't', 'the gate lets the forced unwind through the halt');
my (undef, $bs5, $coll5) = morpho_ltv($acct7);
is($bs5, '0', 'Morpho: no borrow shares left');
is($coll5, '0', 'Morpho: no collateral left');
is($chain->call($vdebt, 'function balanceOf(address) view returns (uint256)', $acct6), '0', 'Aave: no variable debt left');
ok(Math::BigInt->new($chain->call($weth, 'function balanceOf(address) view returns (uint256)', $acct7)) > 0,
	'the Morpho account holds the unwound equity in WETH');
is(sql("SELECT (lend_position_at(31337, '$mk->{id}', '$acct7', (SELECT max(number) FROM blocks))).borrow_shares"), '0',
	'lend_position_at agrees: no debt');

# The lender: the wstETH/WETH market's collateral at halt: it leaves it if it was there.
my $r4 = run_and_settle('run 4');
if ($best eq lc $mk->{id})
{
	is($r4->{$sl}{action}, 'withdraw', 'run 4: the lender leaves the market whose collateral depegged');
}
else
{
	is($r4->{$sl}{action} // 'unchanged', 'hold', 'run 4: the lender holds (its market\'s collateral is not wstETH)');
}

done_testing();
