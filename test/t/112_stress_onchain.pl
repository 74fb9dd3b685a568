# 112_stress_onchain: strategy_stress against the chain fixture.  A leverage
# strategy loops wstETH against WETH on Morpho Blue (account 7); the stress
# test's health factors under two LST peg shocks are compared with the health
# the chain implies once the Morpho oracle is moved by the same factor:
# position() and market() read from the chain, the new price() read back.
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

# anvil's well-known development account 7 (a public test key).
my $A7 = lc $d->{accounts}[7];
my $keys = AmpTest::key_dir($A7 => '4bbbf85ce3377467afe5d46f804f221813b2bb87f24d81f60f1fcdbf7cbf4356');
my ($weth, $wsteth) = map { lc $d->{tokens}{$_}{address} } qw(WETH wstETH);
my $pool = lc $d->{pools}{'wstETH-WETH-500'}{address};
my $m = $d->{morpho};
my $mk = $m->{markets}{'wstETH/WETH'};
my %mp = %{ $mk->{params} };
my $acct7 = lc $d->{leverageAccounts}{7}{address};

sub scenario { return $JSON->decode($chain->_node('scenario.js', '--rpc', $url, '--deployment', $depfile, @_)); }
is($chain->send($A7, $wsteth, 'function transfer(address,uint256) returns (bool)', $acct7, '2000000000000000000')->{status}, 1,
	'2 wstETH into the leverage account');
# Staking yield above the borrow rate, so that the strategy levers.
scenario('grow', '--hours', 12, '--steps', 4, '--wsteth-bps', 1, '--weeth-bps', 1);

my $node = AmpTest::node('stress', conf => "amplified.keys_dir = '$keys'\n"
	  . "amplified.txq_poll_interval = 100\n"
	  . "amplified.rpc_timeout = 5000\n");
sub sql { return $node->safe_psql('postgres', "SET search_path = amplified, public;\n$_[0]"); }
sql(qq{
	SELECT add_chain(31337, 'anvil', ARRAY['$url'], confirmations => 0, poll_interval => '100 ms');
	SELECT watch_contract(31337, '$m->{address}', 'Morpho Blue', 'morpho_blue', 0, 0);
	SELECT watch_contract(31337, '$m->{irm}', 'AdaptiveCurveIrm', 'morpho_irm', 0, 0);
	SELECT watch_contract(31337, '$mk->{oracle}{address}', 'Morpho oracle wstETH/WETH', 'morpho_oracle', 0, 1);
	SELECT watch_contract(31337, '$pool', 'pool wstETH-WETH-500', 'univ3_pool', 0, 1);
	SELECT watch_contract(31337, '$wsteth', 'wstETH', 'lst', 0, 1);
	SELECT add_signer(31337, '$A7', 'key_file');
	INSERT INTO risk_scenarios (name, description, shocks) VALUES ('lst_peg_70', 'every LST at 0.7 of its rate', '{"peg": {"lst": 0.7}}');
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

my $lev = $JSON->encode({ protocol => 'morpho_blue', account => $acct7, morpho => $m->{address},
	oracle => $mp{oracle}, irm => $mp{irm}, lltv => $mp{lltv}, collateral_token => $wsteth, loan_token => $weth,
	swap_pool => $pool, target_ltv => 0.75, band => 0.03, carry_window => '12 hours', max_loss_bps => 500,
	slippage_bps => 50 });
my $sm = sql("SELECT id FROM strategy_create('leverage morpho', 'leverage', 31337, '$A7', '$lev', enabled => true)");
my $r = $JSON->decode(sql('SELECT run_strategies()'));
is($r->{results}[0]{action}, 'lever', 'the strategy levers');
ok($node->poll_query_until('postgres',
	"SELECT count(*) = 0 FROM amplified.tx_intents WHERE status NOT IN ('confirmed', 'failed', 'rejected', 'expired', 'cancelled')"),
	'every intent is final');
is(sql("SELECT coalesce(string_agg(DISTINCT status, ','), '') FROM tx_intents WHERE status <> 'confirmed'"), '', 'every intent confirmed');
my $h = wait_ingested('levered');
sql("SELECT strategy_sync_positions($sm, $h)");
is(sql("SELECT count(*) FROM positions WHERE strategy_id = $sm AND protocol = 'morpho_blue' AND amount::numeric <> 0"), '2',
	'the synced positions: collateral and debt on Morpho');

# The chain's health at a price: Morpho's maxBorrow / toAssetsUp(borrow shares), rounded down at 18 decimals.
my $WAD = Math::BigInt->new('1000000000000000000');
sub chain_health
{
	my $c = $chain->calls([
		{ to => $m->{address}, sig => 'function position(bytes32,address) view returns (uint256,uint128,uint128)', args => [ $mk->{id}, $acct7 ] },
		{ to => $m->{address}, sig => 'function market(bytes32) view returns (uint128,uint128,uint128,uint128,uint128,uint128)', args => [ $mk->{id} ] },
		{ to => $mk->{oracle}{address}, sig => 'function price() view returns (uint256)', args => [] } ]);
	my ($bs, $coll) = map { Math::BigInt->new($_) } @{ $c->[0]{result} }[1, 2];
	my ($tba, $tbs) = map { Math::BigInt->new($_) } @{ $c->[1]{result} }[2, 3];
	my $price = Math::BigInt->new($c->[2]{result}[0]);
	my $max = ($coll * $price / Math::BigInt->new('1' . '0' x 36)) * Math::BigInt->new($mp{lltv}) / $WAD;
	my $num = $bs * ($tba + 1);
	my $den = $tbs + 1000000;
	my $debt = ($num + $den - 1) / $den;
	my $hf = $max * $WAD / $debt;
	my $s = sprintf('%019s', $hf->bstr);
	(my $frac = substr($s, -18)) =~ s/0+$//;
	return substr($s, 0, -18) . ($frac eq '' ? '' : ".$frac");
}
sub num { my ($x) = @_; return sql("SELECT trim_scale(($x)::numeric)::text"); }

my $price0 = $chain->call($mk->{oracle}{address}, 'function price() view returns (uint256)');
is(num(sql("SELECT max(health_before) FROM strategy_stress($sm, 'steth_june_2022')")), num(chain_health()),
	'health before: the chain\'s');
for my $sc ([ 'steth_june_2022', '0.935' ], [ 'lst_peg_70', '0.7' ])
{
	my ($name, $f) = @$sc;
	my $row = sql("SELECT health_after || '|' || liquidated || '|' || debt_repaid || '|' || collateral_seized
				   FROM strategy_stress($sm, '$name') WHERE value_before < 0");
	my ($ha, $liq, $repaid, $seized) = split /\|/, $row;
	my $shocked = sql("SELECT floor('$price0'::numeric * $f)");
	is($chain->send(lc $d->{accounts}[0], $mk->{oracle}{address}, 'function setPrice(uint256)', $shocked)->{status}, 1,
		"$name: the oracle moved by $f");
	my $hc = chain_health();
	is(num($ha), num($hc), "$name: strategy_stress's health after is the chain's ($hc)");
	is($liq, ($hc < 1 ? 'true' : 'false'), "$name: liquidated exactly when the chain's health is below 1");
	if ($liq eq 'true')
	{
		my ($bs, $coll) = @{ $chain->calls([ { to => $m->{address},
			sig => 'function position(bytes32,address) view returns (uint256,uint128,uint128)', args => [ $mk->{id}, $acct7 ] } ])->[0]{result} }[1, 2];
		my ($tba, $tbs) = @{ $chain->calls([ { to => $m->{address},
			sig => 'function market(bytes32) view returns (uint128,uint128,uint128,uint128,uint128,uint128)', args => [ $mk->{id} ] } ])->[0]{result} }[2, 3];
		# A full liquidation, or all the collateral when that would seize more than there is.
		is("$repaid|$seized", sql(qq{
			SELECT CASE WHEN a.seized_assets::numeric > $coll THEN b.repaid_assets || '|' || b.seized_assets
						ELSE a.repaid_assets || '|' || a.seized_assets END
			  FROM morpho_liquidate('0', '$bs', '$tba', '$tbs', '$shocked', '$mp{lltv}') a,
				   morpho_liquidate('$coll', '0', '$tba', '$tbs', '$shocked', '$mp{lltv}') b}),
			"$name: debt repaid and collateral seized are morpho_liquidate's on the chain's position");
		is($seized, $coll, "$name: at 0.7 the position is under water: all its collateral seized");
	}
	is($chain->send(lc $d->{accounts}[0], $mk->{oracle}{address}, 'function setPrice(uint256)', $price0)->{status}, 1,
		"$name: the oracle put back");
}

# ---- a Uniswap v3 range: the pool moved on chain, the amounts the chain pays ----
# The fixture's narrow position (token 2, the deployer's) in the wstETH/WETH
# 0.05 % pool.  A swap pushes the pool's price; what the position would pay
# out at the new price (decreaseLiquidity of all of it, eth_call'ed from its
# owner) equals univ3_amounts_for_liquidity at the chain's new sqrt price to
# the wei, and risk_stress_univ3, given the same move as a price factor,
# lands on that sqrt price within the float8 rounding of the factor's square
# root and on those amounts within the same relative error.
{
	my $npm = $d->{uniswap}{positionManager};
	my $deployer = $d->{accounts}[0];
	my ($pos) = grep { $_->{kind} eq 'narrow' } @{ $d->{pools}{'wstETH-WETH-500'}{positions} };
	my $slot0 = 'function slot0() view returns (uint160,int24,uint16,uint16,uint16,uint8,bool)';
	my ($sqrt_before, $tick_before) = $chain->call($pool, $slot0);
	my @p = $chain->call($npm, 'function positions(uint256) view returns (uint96,address,address,address,uint24,int24,int24,uint128,uint256,uint256,uint128,uint128)', $pos->{tokenId});
	my ($lower, $upper, $liq) = @p[5, 6, 7];
	# into the range's upper half: both tokens still in it, in other proportions
	my $target = int(($tick_before + $upper) / 2);
	scenario('push', '--pool', 'wstETH-WETH-500', '--tick', $target);
	my ($sqrt_after, $tick_after) = $chain->call($pool, $slot0);
	ok($tick_after != $tick_before, "the pool moved on chain: tick $tick_before -> $tick_after");
	my $r = $chain->calls([ { to => $npm, from => $deployer,
		sig => 'function decreaseLiquidity((uint256,uint128,uint256,uint256,uint256)) returns (uint256,uint256)',
		args => [ [ $pos->{tokenId}, $liq, 0, 0, '99999999999' ] ] } ])->[0];
	ok(!$r->{error}, 'decreaseLiquidity eth_call\'ed from the owner') or diag($r->{error});
	my ($c0, $c1) = @{ $r->{result} };
	is(sql("SELECT a.amount0 || ',' || a.amount1 FROM univ3_amounts_for_liquidity('$sqrt_after', univ3_sqrt_price_at_tick($lower),
			univ3_sqrt_price_at_tick($upper), '$liq') a"), "$c0,$c1",
		"the range at the chain's new price: univ3_amounts_for_liquidity is what the chain pays, to the wei ($c0, $c1)");
	my $st = sql(qq{SELECT s.sqrt_price_after::numeric / $sqrt_after - 1, s.amount0_after::numeric / $c0 - 1, s.amount1_after::numeric / $c1 - 1
		  FROM risk_stress_univ3('$sqrt_before', $lower, $upper, '$liq',
				((${sqrt_after}::numeric / ${sqrt_before}::numeric) ^ 2)::float8) s});
	my @e = split /\|/, $st;
	ok(abs($e[0]) < 1e-14, "risk_stress_univ3 with the move as a factor: the sqrt price within 1e-14 of the chain's ($e[0])");
	ok(abs($e[1]) < 1e-12 && abs($e[2]) < 1e-12, "and the amounts within 1e-12 of what the chain pays ($e[1], $e[2])");
}

done_testing();
