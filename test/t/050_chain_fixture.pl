# 050_chain_fixture: the local chain fixture itself (test/chain, AmpChain.pm):
# a private anvil, the deployment (every contract has code, the same
# addresses and blocks on a fresh chain, pools priced at the LST rates,
# positions and balances as recorded), the LST and oracle mocks answering
# what was set, and traffic whose summary matches the node's own logs.
use strict;
use warnings;

use Math::BigInt;
use Math::BigFloat;
use Test::More;
use AmpChain;

my $chain = AmpChain->new;
like($chain->url, qr{^http://127\.0\.0\.1:\d+$}, 'anvil listens on loopback');
is(hex($chain->rpc('eth_chainId')), 31337, 'anvil answers with chain id 31337');

# ---- deployment, twice from the same state: the same addresses and blocks ----
my $snap = $chain->rpc('evm_snapshot');
my $first = $chain->deploy;
ok($chain->rpc('evm_revert', [$snap]), 'reverted to the empty chain');
is(hex($chain->rpc('eth_blockNumber')), 0, 'back at block 0');
my $d = $chain->deploy;
my %addr1 = map { $_ => $first->{contracts}{$_}{address} . '@' . $first->{contracts}{$_}{block} } keys %{ $first->{contracts} };
my %addr2 = map { $_ => $d->{contracts}{$_}{address} . '@' . $d->{contracts}{$_}{block} } keys %{ $d->{contracts} };
is_deeply(\%addr2, \%addr1, 'a second deployment on the same chain state gives the same addresses in the same blocks');
is($d->{endBlock}, hex($chain->rpc('eth_blockNumber')), 'endBlock is the head after deploying');
is($d->{endBlock} - $d->{startBlock} + 1, $d->{transactions}, 'one block per deployment transaction');
ok($chain->rpc('anvil_getAutomine'), 'deploy leaves automine on');

my $accounts = $chain->rpc('eth_accounts');
is(lc $d->{deployer}, lc $accounts->[0], "the deployer is the node's first account");
is(scalar @{ $d->{accounts} }, scalar @$accounts, 'every unlocked account is recorded');

# Well-known event topics (Uniswap v3, ERC-20, Chainlink).
is($d->{topics}{Swap}, '0xc42079f94a6350d7e6235f29174924f928cc2ac818eb64fed8004e115fbcca67', 'Swap topic');
is($d->{topics}{Transfer}, '0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef', 'Transfer topic');
is($d->{topics}{AnswerUpdated}, '0x0559884fd3a460db3073b7fc896cc77986f16e378210ded43186175bf646fc5f', 'AnswerUpdated topic');

# ---- every contract has code ----
my @names = sort keys %{ $d->{contracts} };
cmp_ok(scalar @names, '>=', 18, 'at least 18 contracts recorded');
for my $name (@names)
{
	my $code = $chain->rpc('eth_getCode', [ $d->{contracts}{$name}{address}, 'latest' ]);
	cmp_ok(length($code), '>', 2 + 2 * 100, "$name has code");
}

my %T = %{ $d->{tokens} };
my %P = %{ $d->{pools} };
my %U = %{ $d->{uniswap} };
my %O = %{ $d->{oracles} };

# ---- tokens: metadata, rates ----
my @reqs;
for my $sym (sort keys %T)
{
	push @reqs, { to => $T{$sym}{address}, sig => 'symbol() view returns (string)' },
	  { to => $T{$sym}{address}, sig => 'decimals() view returns (uint8)' };
}
my @res = @{ $chain->calls(\@reqs) };
for my $sym (sort keys %T)
{
	my ($s, $dec) = splice(@res, 0, 2);
	is($s->{result}[0], $sym, "$sym: symbol");
	is($dec->{result}[0], $sym eq 'USDC' ? 6 : 18, "$sym: decimals");
}

for my $sym (grep { defined $T{$_}{rate} } sort keys %T)
{
	my $a = $T{$sym}{address};
	my $r = $chain->calls([
		{ to => $a, sig => 'stEthPerToken() view returns (uint256)' },
		{ to => $a, sig => 'getExchangeRate() view returns (uint256)' },
		{ to => $a, sig => 'convertToAssets(uint256) view returns (uint256)', args => ['1000000000000000000'] },
		{ to => $a, sig => 'convertToAssets(uint256) view returns (uint256)', args => ['12345000000000000000000'] },
	]);
	my $rate = $T{$sym}{rate};
	is($r->[0]{result}[0], $rate, "$sym: stEthPerToken() is the deployed rate");
	is($r->[1]{result}[0], $rate, "$sym: getExchangeRate() is the deployed rate");
	is($r->[2]{result}[0], $rate, "$sym: convertToAssets(1e18) is the deployed rate");
	is($r->[3]{result}[0], Math::BigInt->new($rate)->bmul(12345)->bstr, "$sym: convertToAssets(12345e18) scales");
}

# ---- pools: the real factory's, priced at the tokens' rates ----
my %spacing = (500 => 10, 3000 => 60);    # Uniswap v3's fee tiers
for my $id (sort keys %P)
{
	my $p = $P{$id};
	my $r = $chain->calls([
		{ to => $U{factory}, sig => 'getPool(address,address,uint24) view returns (address)',
		  args => [ $p->{token1}, $p->{token0}, $p->{fee} ] },
		{ to => $p->{address}, sig => 'slot0() view returns (uint160,int24,uint16,uint16,uint16,uint8,bool)' },
		{ to => $p->{address}, sig => 'tickSpacing() view returns (int24)' },
		{ to => $p->{address}, sig => 'liquidity() view returns (uint128)' },
		{ to => $p->{address}, sig => 'token0() view returns (address)' },
		(map { { to => $U{positionManager},
				sig => 'positions(uint256) view returns (uint96,address,address,address,uint24,int24,int24,uint128,uint256,uint256,uint128,uint128)',
				args => [ $_->{tokenId} ] } } @{ $p->{positions} }),
	]);
	my ($pool, $slot0, $ts, $liq, $t0, @pos) = @$r;
	is(lc $pool->{result}[0], lc $p->{address}, "$id: the factory knows the pool (tokens in either order)");
	is($ts->{result}[0], $spacing{ $p->{fee} }, "$id: tick spacing of fee $p->{fee}");
	ok(lc $t0->{result}[0] eq lc $p->{token0} && lc $p->{token0} lt lc $p->{token1}, "$id: token0 is the lower address");

	# Price of base in quote units, from sqrtPriceX96, against the source.
	my $sqrtp = Math::BigFloat->new($slot0->{result}[0]);
	my $raw1per0 = $sqrtp->copy->bmul($sqrtp)->bdiv(Math::BigFloat->new(2)->bpow(192), 40);
	my $rawQperB = $p->{symbol0} eq $p->{base} ? $raw1per0 : Math::BigFloat->new(1)->bdiv($raw1per0, 40);
	my $want;
	if (defined $T{ $p->{base} }{rate})
	{
		my $rate = $chain->call($T{ $p->{base} }{address}, 'stEthPerToken() view returns (uint256)');
		$want = Math::BigFloat->new($rate)->bdiv('1e18', 40);
	}
	else
	{
		my @rd = $chain->call($O{'ETH/USD'}{address}, 'latestRoundData() view returns (uint80,int256,uint256,uint256,uint80)');
		$want = Math::BigFloat->new($rd[1])->bdiv('1e8', 40)->bmul('1e6')->bdiv('1e18', 40);
	}
	my $rel = $rawQperB->copy->bdiv($want, 40)->bsub(1)->babs;
	cmp_ok($rel->numify, '<', 1e-9, "$id: slot0 price is the source price ($want)");
	# The tick is floor(log_1.0001(price of token0 in token1)).
	my $tick_f = log($raw1per0->numify) / log(1.0001);
	cmp_ok(abs($slot0->{result}[1] - $tick_f), '<', 1.000001, "$id: slot0 tick $slot0->{result}[1] matches the price");

	# Positions: as recorded, full range at the usable extremes, narrow
	# around the price; both in range, so they make up the pool's liquidity.
	my $sum = Math::BigInt->new(0);
	my $maxtick = int(887272 / $spacing{ $p->{fee} }) * $spacing{ $p->{fee} };
	for my $i (0 .. $#pos)
	{
		my $want_p = $p->{positions}[$i];
		my @got = @{ $pos[$i]{result} };
		is_deeply([ @got[5, 6, 7] ], [ @{$want_p}{qw(tickLower tickUpper liquidity)} ],
			"$id: $want_p->{kind} position #$want_p->{tokenId} as recorded");
		ok($got[5] <= $slot0->{result}[1] && $slot0->{result}[1] < $got[6], "$id: $want_p->{kind} position is in range");
		is_deeply([ @got[5, 6] ], [ -$maxtick, $maxtick ], "$id: full range spans the usable ticks")
		  if $want_p->{kind} eq 'full';
		$sum->badd($got[7]);
	}
	is($liq->{result}[0], $sum->bstr, "$id: pool liquidity is the sum of the in-range positions");
	cmp_ok($liq->{result}[0], '>', 0, "$id: the pool has liquidity");
}

# ---- balances as funded ----
my %spent = %{ $d->{funding}{deployerLiquidity} };
for my $sym (sort keys %T)
{
	my $r = $chain->calls([ map { { to => $T{$sym}{address}, sig => 'balanceOf(address) view returns (uint256)', args => [$_] } }
		  @{ $d->{accounts} } ]);
	my $per = $d->{funding}{perAccount}{$sym};
	my @want = map { $_ eq $d->{deployer} ? Math::BigInt->new($per)->bsub($spent{$sym})->bstr : $per } @{ $d->{accounts} };
	is_deeply([ map { $_->{result}[0] } @$r ], \@want,
		"$sym: every account holds what was funded (the deployer less its liquidity)");
}
is($chain->call($T{USDC}{address}, 'allowance(address,address) view returns (uint256)', $d->{accounts}[3], $U{swapRouter}),
	Math::BigInt->new(2)->bpow(256)->bsub(1)->bstr, 'accounts have approved the router');

# ---- the LST mock: owner moves the rate, others cannot ----
{
	my $a = $T{wstETH}{address};
	my $before = $chain->call($a, 'stEthPerToken() view returns (uint256)');
	my $r = $chain->send($d->{deployer}, $a, 'increaseRate(uint256)', 100);
	is($r->{status}, 1, 'increaseRate(100) by the owner succeeds');
	my $after = $chain->call($a, 'stEthPerToken() view returns (uint256)');
	is($after, Math::BigInt->new($before)->bmul(10100)->bdiv(10000)->bstr, 'the rate grew by 1 %');
	my ($log) = grep { $_->{topics}[0] eq $d->{topics}{RateUpdated} } @{ $r->{logs} };
	ok($log && lc $log->{address} eq lc $a, 'RateUpdated emitted by the token');
	is(Math::BigInt->from_hex(substr($log->{data}, 2 + 64, 64))->bstr, $after, 'RateUpdated carries the new rate') if $log;
	$r = $chain->send($d->{accounts}[1], $a, 'setRate(uint256)', 5);
	like($r->{error} // '', qr/revert/i, 'setRate by another account reverts');
	is($chain->call($a, 'getExchangeRate() view returns (uint256)'), $after, 'and changes nothing');
}

# ---- the oracle mock ----
{
	my $o = $O{'ETH/USD'};
	my @rd = $chain->call($o->{address}, 'latestRoundData() view returns (uint80,int256,uint256,uint256,uint80)');
	is_deeply([ @rd[0, 1, 4] ], [ 1, $o->{answer}, 1 ], 'ETH/USD: round 1 answers the deployed value');
	is($chain->call($o->{address}, 'decimals() view returns (uint8)'), 8, 'ETH/USD: 8 decimals');
	is($chain->call($o->{address}, 'description() view returns (string)'), 'ETH / USD', 'ETH/USD: description');
	my $r = $chain->send($d->{deployer}, $o->{address}, 'setAnswer(int256)', '310012345678');
	is($r->{status}, 1, 'setAnswer by the owner succeeds');
	@rd = $chain->call($o->{address}, 'latestRoundData() view returns (uint80,int256,uint256,uint256,uint80)');
	my $block = $chain->rpc('eth_getBlockByNumber', [ sprintf('0x%x', $r->{block}), JSON::PP::false ]);
	is_deeply([ @rd[0, 1, 3, 4] ], [ 2, '310012345678', hex($block->{timestamp}), 2 ],
		'latestRoundData: round 2, the new answer, updated at the block time');
	my ($log) = grep { $_->{topics}[0] eq $d->{topics}{AnswerUpdated} } @{ $r->{logs} };
	is_deeply($log && [ map { Math::BigInt->from_hex(substr($_, 2))->bstr } @{ $log->{topics} }[ 1, 2 ] ],
		[ '310012345678', 2 ], 'AnswerUpdated(current, roundId) indexed');
	my @old = $chain->call($o->{address}, 'getRoundData(uint80) view returns (uint80,int256,uint256,uint256,uint80)', 1);
	is($old[1], $o->{answer}, 'getRoundData(1) keeps the first answer');
	$r = $chain->send($d->{accounts}[2], $o->{address}, 'setAnswer(int256)', 1);
	like($r->{error} // '', qr/revert/i, 'setAnswer by another account reverts');
}

# ---- traffic ----
my $rate0 = $chain->call($T{weETH}{address}, 'stEthPerToken() view returns (uint256)');
my $rounds = 4;
my $s = $chain->traffic(rounds => $rounds, mine => 1);
note("traffic seed $s->{seed} (AMP_SEED=$s->{seed} replays it)");
my %A = %{ $s->{actions} };
my %E = %{ $s->{events} };
is($A{swapBig}, $rounds, 'one big swap per round');
is($s->{outOfRange}, $rounds, 'every big swap left its pool outside the narrow position');
cmp_ok($A{swap}, '>=', 3 * $rounds, 'at least three swaps per round');
cmp_ok($A{mint}, '>=', $rounds, 'a mint per round');
cmp_ok($A{decrease}, '>=', $rounds, 'a withdrawal per round');
is($A{evmMine}, $rounds, 'an evm_mine per round');
is($s->{lastBlock}, hex($chain->rpc('eth_blockNumber')), 'lastBlock is the head');

# The node's logs over the traffic's blocks, by event, against the summary.
my $range = { fromBlock => sprintf('0x%x', $s->{firstBlock}), toBlock => sprintf('0x%x', $s->{lastBlock}) };
my @pools = map { $_->{address} } values %P;
my @tokens = map { $_->{address} } values %T;
my @lsts = map { $T{$_}{address} } grep { defined $T{$_}{rate} } keys %T;
my @oracles = map { $_->{address} } values %O;
sub logs_of
{
	my ($addresses, $topic, $ntopics) = @_;
	my $l = $chain->rpc('eth_getLogs', [ { %$range, address => $addresses, topics => [$topic] } ]);
	return scalar grep { !defined $ntopics || @{ $_->{topics} } == $ntopics } @$l;
}
my %node = (
	Swap => logs_of(\@pools, $d->{topics}{Swap}),
	Mint => logs_of(\@pools, $d->{topics}{Mint}),
	Burn => logs_of(\@pools, $d->{topics}{Burn}),
	Collect => logs_of(\@pools, $d->{topics}{Collect}),
	Transfer => logs_of(\@tokens, $d->{topics}{Transfer}, 3),
	NftTransfer => logs_of([ $U{positionManager} ], $d->{topics}{Transfer}, 4),
	IncreaseLiquidity => logs_of([ $U{positionManager} ], $d->{topics}{IncreaseLiquidity}),
	DecreaseLiquidity => logs_of([ $U{positionManager} ], $d->{topics}{DecreaseLiquidity}),
	CollectPosition => logs_of([ $U{positionManager} ], $d->{topics}{CollectPosition}),
	RateUpdated => logs_of(\@lsts, $d->{topics}{RateUpdated}),
	AnswerUpdated => logs_of(\@oracles, $d->{topics}{AnswerUpdated}),
	NewRound => logs_of(\@oracles, $d->{topics}{NewRound}),
);
for my $ev (sort keys %node)
{
	is($node{$ev}, $E{$ev} // 0, "eth_getLogs finds the $ev logs traffic counted ($node{$ev})");
}
my $all = $chain->rpc('eth_getLogs', [$range]);
is(scalar @$all, $s->{logs}, "eth_getLogs finds all $s->{logs} logs of the range");

# What traffic did, against what the node logged.
is($node{Swap}, $A{swap}, 'one Swap log per swap');
is($node{Mint}, $A{mint}, 'one pool Mint per new position');
is($node{IncreaseLiquidity}, $A{mint}, 'one IncreaseLiquidity per new position');
is($node{DecreaseLiquidity}, $A{decrease}, 'one DecreaseLiquidity per withdrawal');
cmp_ok($node{Burn}, '>=', $A{decrease}, 'a pool Burn per withdrawal (and one per collect on a live position)');
is($node{Collect}, $A{collect}, 'one pool Collect per collect');
is($node{CollectPosition}, $A{collect}, 'one position manager Collect per collect');
is($node{NftTransfer}, $A{mint} + $A{burnNft}, 'position NFTs minted and burned');
cmp_ok($node{Transfer}, '>=', $A{transfer} + 2 * $A{swap}, 'ERC-20 transfers: the plain ones and two per swap');
is($node{RateUpdated}, $A{rate}, 'one RateUpdated per rate increase');
is($node{AnswerUpdated}, $A{oracle}, 'one AnswerUpdated per oracle update');
is($node{AnswerUpdated}, $node{NewRound}, 'a NewRound with every AnswerUpdated');
for my $id (sort keys %P)
{
	is(logs_of([ $P{$id}{address} ], $d->{topics}{Swap}), $s->{pools}{$id}{swaps}, "$id: swaps as counted");
	my ($sqrtp, $tick) = $chain->call($P{$id}{address}, 'slot0() view returns (uint160,int24,uint16,uint16,uint16,uint8,bool)');
	is($tick, $s->{ticks}{$id}{end}, "$id: the pool's tick is where traffic left it");
}

# Empty blocks: one per evm_mine.
my $empty = 0;
for my $n ($s->{firstBlock} .. $s->{lastBlock})
{
	my $b = $chain->rpc('eth_getBlockByNumber', [ sprintf('0x%x', $n), JSON::PP::false ]);
	$empty++ unless @{ $b->{transactions} };
}
is($empty, $A{evmMine}, 'one empty block per evm_mine');

# Rates and oracles after traffic.
my $rate1 = $chain->call($T{weETH}{address}, 'stEthPerToken() view returns (uint256)');
is($rate1, $s->{rates}{weETH}, 'weETH rate as traffic reports it');
ok(Math::BigInt->new($rate1) > Math::BigInt->new($rate0), 'the weETH rate grew');
for my $id (sort keys %O)
{
	my @rd = $chain->call($O{$id}{address}, 'latestRoundData() view returns (uint80,int256,uint256,uint256,uint80)');
	is_deeply([ @rd[0, 1] ], [ $s->{oracles}{$id}{roundId}, $s->{oracles}{$id}{answer} ], "$id: latest round as traffic reports it");
	is($rd[0], ($id eq 'ETH/USD' ? 2 : 1) + $s->{oracles}{$id}{updates}, "$id: one round per update");
}
is($chain->call($O{'wstETH/ETH'}{address}, 'latestAnswer() view returns (int256)'),
	$chain->call($T{wstETH}{address}, 'stEthPerToken() view returns (uint256)'),
	'the wstETH/ETH oracle tracks the wstETH rate');

# ---- stop ----
my $pid = $chain->pid;
$chain->stop;
ok(!kill(0, $pid), 'anvil is gone after stop');

done_testing();
