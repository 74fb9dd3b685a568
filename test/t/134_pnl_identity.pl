# 134_pnl_identity: the identity of the P&L attribution (src/strategy/pnl.sql)
# on randomized synthetic histories: value_change equals the sum of the
# pnl_ columns exactly (numeric equality) on every row of every period
# (block, hour, day) of v_pnl_attribution.
#
# Seeded (srand 134): 12 strategies × 40 snapshots written by the engine's
# writer (strategy_record_snapshot), each a random valuation with up to
# eight legs in four assets of different decimals: the numeraire in the
# wallet and supplied (an interest index that grows), a priced asset in the
# wallet and in Uniswap v3 NFTs owing fees (NFTs burned and minted at
# random), an LST whose rate grows (staking), a debt in a priced asset (a
# short: hedge P&L, interest paid); prices random walks with nine decimals,
# sometimes unknown (NULL); quantities that jump at random; random deposits
# and withdrawals (strategy_flows), mined transactions paying gas, decisions
# whose swaps were mined (quoted swap costs) or not; snapshots minutes to
# hours apart, so that hours and days hold one or several.  Besides the
# identity, the gas, swap costs, staking yield and interest summed over the
# block periods are checked against what was written (exact integers here),
# hours and days against their first and last snapshots, and every
# component is seen non-zero somewhere (the identity is not met by zeros).
# The identity on a chain run (the demo's scenario) is checked at the end of
# 090_strategy_e2e.pl.
use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use AmpTest;

srand(134);
my ($S, $N) = (12, 40);

my $node = AmpTest::node('pnl', preload => 0);
sub sql { return $node->safe_psql('postgres', "SET search_path = amplified, public;\n$_[0]"); }

sql(q{SELECT add_chain(999134, 'pnl-identity', ARRAY['http://127.0.0.1:9'], confirmations => 0, enabled => false)});

my %asset = (num => '0x00000000000000000000000000000000000000a1', x => '0x00000000000000000000000000000000000000b2',
	lst => '0x00000000000000000000000000000000000000c3', debt => '0x00000000000000000000000000000000000000d4');
my %dec = (num => 6, x => 8, lst => 18, debt => 18);

# A random raw amount of up to $digits digits (as a string: no float rounding).
sub raw
{
	my ($digits) = @_;
	my $s = join('', map { int(rand(10)) } 1 .. $digits);
	$s =~ s/^0+//;
	return $s eq '' ? '0' : $s;
}
# A price with nine decimals around $p.
sub price { my ($p) = @_; return sprintf('%.9f', $p); }

my $tx = 0;
my (%gas_gwei, %swap_milli);
my $sqlall = '';
for my $k (1 .. $S)
{
	my $owner = sprintf('0x%040x', 0xf000 + $k);
	my $name = "pnl random $k";
	$sqlall .= "INSERT INTO strategies (name, kind, chain_id, owner, params) VALUES ('$name', 'lp_univ3', 999134, '$owner', '{}');\n";
	my $sid = "(SELECT id FROM strategies WHERE name = '$name')";
	my ($px, $plst, $pdebt) = (1 + rand(3000), 1 + rand(2), 0.5 + rand(100));
	my ($rate, $sidx, $didx) = (1e18 + int(rand(1e17)), 1e18, 1e18);
	my $nft = 1;
	my $t = 1767225600 + int(rand(86400));    # 2026-01-01 UTC and some
	my $block = 1000;
	for my $n (1 .. $N)
	{
		# markets move
		$px *= exp((rand() - 0.5) * 0.1);
		$plst *= exp((rand() - 0.5) * 0.05);
		$pdebt *= exp((rand() - 0.5) * 0.1);
		$rate += int(rand(1e14));
		$sidx += int(rand(1e15));
		$didx += int(rand(2e15));
		$nft++ if rand() < 0.2;
		my $px_s = rand() < 0.05 ? 'NULL' : price($px);
		my @legs = (
			"('$asset{num}', 'wallet', " . raw(12) . ", $dec{num}, 1, 0, NULL, NULL)",
			"('$asset{x}', 'wallet', " . raw(14) . ", $dec{x}, $px_s, 0, NULL, NULL)",
			"('$asset{lst}', 'wallet', " . raw(21) . ", $dec{lst}, " . price($plst) . ", 0, $rate, 'staking')",
			"('$asset{num}', 'morpho:1', " . raw(13) . ", $dec{num}, 1, 0, $sidx, 'interest')",
			"('$asset{debt}', 'morpho:2', -" . raw(20) . ", $dec{debt}, " . price($pdebt) . ", 0, $didx, 'interest')",
			"('$asset{x}', 'univ3:$nft', " . raw(13) . ", $dec{x}, $px_s, " . raw(9) . ", NULL, NULL)",
			"('$asset{lst}', 'univ3:$nft', " . raw(20) . ", $dec{lst}, " . price($plst) . ", " . raw(17) . ", $rate, 'staking')");
		# a leg missing now and then
		@legs = grep { rand() > 0.1 } @legs;
		my $at = "to_timestamp($t)";
		$sqlall .= "SELECT strategy_record_snapshot($sid, $block, $at, ROW('$asset{num}', 0, ARRAY["
		  . join(', ', @legs) . "]::strategy_holding[])::strategy_valuation);\n";
		# what happens before the next snapshot
		my $next = $block + 1 + int(rand(300));
		if (rand() < 0.3)
		{
			my $b = $block + 1 + int(rand($next - $block));
			my $amt = sprintf('%s%d.%06d', rand() < 0.3 ? '-' : '', int(rand(1000)), int(rand(1e6)));
			my $which = (qw(num x lst debt))[ int(rand(4)) ];
			$sqlall .= "INSERT INTO strategy_flows (strategy_id, block_number, asset, amount) VALUES ($sid, $b, '$asset{$which}', $amt);\n"
			  unless $amt =~ /^-?0\.000000$/;
		}
		if ($n < $N && rand() < 0.4)
		{
			my $b = $block + 1 + int(rand($next - $block));
			my ($used, $gwei) = (21000 + int(rand(500000)), 1 + int(rand(50)));
			my $gp = $gwei . '000000000';
			my $mined = rand() < 0.8;
			my $milli = int(rand(100000));
			$tx++;
			my $status = $mined ? 'mined' : 'sent';
			$sqlall .= "INSERT INTO tx_intents (chain_id, sender, target, value, data, strategy_id, status, nonce, block_number)
				VALUES (999134, '$owner', '$asset{x}', '0', '\\x', $sid, '$status', $tx, " . ($mined ? $b : 'NULL') . ");\n";
			$sqlall .= "INSERT INTO tx_attempts (intent_id, chain_id, sender, nonce, tx_type, gas_limit, raw, hash, status, block_number,
				gas_used, effective_gas_price)
				SELECT max(id), 999134, '$owner', $tx, 2, 1000000, '\\x01', ('0x' || lpad(to_hex($tx), 64, '0'))::bytes32, '$status', "
			  . ($mined ? "$b, $used, '$gp'" : 'NULL, NULL, NULL') . " FROM tx_intents;\n";
			$sqlall .= "INSERT INTO decisions (strategy_id, chain_id, block_number, last_block_number, action, status, plan, intents, intent_ids)
				SELECT $sid, 999134, $block, $block, 'rebalance', 'enqueued', jsonb_build_object('swap_cost', $milli / 1000.0),
					   '[{\"step\": \"swap\"}]', ARRAY[max(id)] FROM tx_intents;\n";
			if ($mined)
			{
				$gas_gwei{$k} += $used * $gwei;
				$swap_milli{$k} += $milli;
			}
		}
		$block = $next;
		$t += 60 * (5 + int(rand(rand() < 0.2 ? 1500 : 90)));
	}
}
sql($sqlall);

is(sql("SELECT count(*) FROM strategy_snapshots s JOIN strategies t ON t.id = s.strategy_id WHERE t.chain_id = 999134"),
	$S * $N, "$S strategies × $N snapshots written");
sql("CREATE TABLE a AS SELECT v.* FROM v_pnl_attribution v JOIN strategies t ON t.id = v.strategy_id WHERE t.chain_id = 999134");
is(sql("SELECT count(*) FROM a WHERE period = 'block'"), $S * ($N - 1), 'one block period per snapshot but the first');
my $rows = sql("SELECT count(*) FROM a");
cmp_ok($rows, '>', $S * ($N - 1) + 2 * $S, "$rows rows in all: several hours and days per strategy");

my $sum = "pnl_fees + pnl_divergence + pnl_staking_yield + pnl_interest_earned + pnl_interest_paid + pnl_hedge
	+ pnl_incentives + pnl_gas + pnl_swap_cost + pnl_price + pnl_flows";
for my $p (qw(block hour day))
{
	is(sql("SELECT count(*) FROM a WHERE period = '$p' AND value_change IS DISTINCT FROM $sum"), '0',
		"$p: value_change = Σ pnl_ exactly on every row");
	is(sql("SELECT count(*) FROM a WHERE period = '$p' AND (value_change IS DISTINCT FROM value_end - value_start
			OR num_nulls(value_start, value_end, pnl_fees, pnl_divergence, pnl_staking_yield, pnl_interest_earned,
				pnl_interest_paid, pnl_hedge, pnl_incentives, pnl_gas, pnl_swap_cost, pnl_price, pnl_flows) > 0)"), '0',
		"$p: value_change = value_end - value_start, nothing NULL");
	# every period, summed, runs from the first snapshot to the last
	is(sql("SELECT count(*) FROM (SELECT a.strategy_id, sum(a.value_change) AS ch,
			   (SELECT y.value FROM strategy_snapshots y WHERE y.strategy_id = a.strategy_id ORDER BY y.block_number DESC LIMIT 1)
				 - (SELECT y.value FROM strategy_snapshots y WHERE y.strategy_id = a.strategy_id ORDER BY y.block_number LIMIT 1) AS total
			  FROM a WHERE a.period = '$p' GROUP BY a.strategy_id) z WHERE ch <> total"), '0',
		"$p: the periods of a strategy chain from its first snapshot's value to its last");
}
is(sql("SELECT count(*) FROM (SELECT strategy_id, date_trunc('day', at - interval '1 second', 'UTC') AS d, count(*) AS n
		  FROM a WHERE period = 'hour' GROUP BY 1, 2) h
		JOIN a ON a.strategy_id = h.strategy_id AND a.period = 'day' AND a.at = h.d + interval '1 day'
		WHERE a.value_change <> (SELECT sum(x.value_change) FROM a x WHERE x.strategy_id = h.strategy_id AND x.period = 'hour'
								   AND date_trunc('day', x.at - interval '1 second', 'UTC') = h.d)"), '0',
	'a day is the sum of its hours');

# Components against what was written.
for my $k (1 .. $S)
{
	my $name = "pnl random $k";
	my $gas = sql("SELECT -sum(pnl_gas) * 1e9 = " . ($gas_gwei{$k} // 0) . " AND sum(gas_eth) * 1e9 = " . ($gas_gwei{$k} // 0)
		  . " FROM a WHERE strategy = '$name' AND period = 'block'");
	my $swap = sql("SELECT -sum(pnl_swap_cost) * 1000 = " . ($swap_milli{$k} // 0) . " FROM a WHERE strategy = '$name' AND period = 'block'");
	my $acc = sql("SELECT sum(pnl_staking_yield) = (SELECT staking_yield - (SELECT staking_yield FROM strategy_snapshots f WHERE f.strategy_id = l.strategy_id ORDER BY block_number LIMIT 1)
					 FROM strategy_snapshots l WHERE l.strategy_id = min(a.strategy_id) ORDER BY block_number DESC LIMIT 1)
			  AND sum(pnl_interest_earned - pnl_interest_paid) = (SELECT interest_earned + interest_paid FROM strategy_snapshots l
					 WHERE l.strategy_id = min(a.strategy_id) ORDER BY block_number DESC LIMIT 1)
			  FROM a WHERE strategy = '$name' AND period = 'block'");
	ok($gas eq 't' && $swap eq 't' && $acc eq 't',
		"$name: gas (gwei, at 1 numeraire per ETH), mined swaps' quoted costs, staking yield and interest sum to what was written")
	  or diag("gas $gas swap $swap accruals $acc");
}

# Every component is exercised: non-zero somewhere (incentives have no source: zero everywhere).
for my $c (qw(pnl_fees pnl_divergence pnl_staking_yield pnl_interest_earned pnl_interest_paid pnl_hedge pnl_gas
	pnl_swap_cost pnl_price pnl_flows))
{
	cmp_ok(sql("SELECT count(*) FROM a WHERE period = 'block' AND $c <> 0"), '>', $S, "$c is non-zero in many periods");
}
is(sql("SELECT count(*) FROM a WHERE pnl_incentives <> 0"), '0', 'pnl_incentives: no source, zero');
# Signs: costs are negative, yield and interest earned positive.
is(sql("SELECT count(*) FROM a WHERE pnl_gas > 0 OR pnl_swap_cost > 0 OR pnl_interest_paid > 0 OR pnl_interest_earned < 0
		OR pnl_staking_yield < 0 OR pnl_fees < 0"), '0', 'gas and interest paid never add, fees, yield and interest earned never take');

done_testing();
