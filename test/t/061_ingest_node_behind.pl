# 061_ingest_node_behind: ingestion notices a node behind it or on another
# history, and nothing asks a node for a block it does not have.
#
#   1. A node behind the indexed block (the stub's /lag: anvil's own history,
#      its head capped): run_strategies() records waiting / node_behind,
#      found first by the sync's question to the node (the worker stopped),
#      then from the worker's view: state node_behind with the gap, lag
#      never negative; strategy_sync_positions raises 58R03, and nobody asks
#      the node for a block above its head;
#      when the node catches up, synced again and strategies decide.
#   2. A lagging first endpoint with a good second one: the worker fails over
#      and stays synced.
#   3. anvil_reorg deeper than finality_depth, with no block mined after it:
#      the idle check of the indexed block's hash halts the chain (060 covers
#      the deep reorg found through a new block's parent hash).
#   4. anvil restarted empty on the same port (same chain id): its genesis
#      differs from the stored one, below finality_depth, so the chain halts
#      at once with a last_error that says so (never node_behind first: the
#      node's block at its head is compared as soon as its head is below the
#      indexed block); run_strategies() records no_chain_data /
#      ingest_halted; ingest_resume(chain, 0) ingests the new chain.
use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use HTTP::Tiny;
use JSON::PP;
use AmpTest;
use AmpChain;
use RpcStub;

my $JSON = JSON::PP->new->canonical;
my $chain = AmpChain->new;
my $d = $chain->deploy;
my $url = $chain->url;
$chain->traffic(rounds => 2, seed => 61);
my $node = AmpTest::node('behind', conf => "amplified.rpc_timeout = 5000\n");
sub sql { return $node->safe_psql('postgres', "SET search_path = amplified, public;\n$_[0]"); }

my $pool = $d->{pools}{'wstETH-WETH-500'};
my $pool2 = $d->{pools}{'weETH-WETH-500'};
my $router = $d->{uniswap}{swapRouter};
my ($weth, $wsteth, $weeth) = map { $d->{tokens}{$_}{address} } qw(WETH wstETH weETH);
my $FD = 5;

sql(qq{
	SELECT add_chain(31337, 'anvil', ARRAY['$url'], confirmations => 0, finality_depth => $FD,
		poll_interval => '100 ms');
	SELECT watch_contract(31337, '$pool->{address}', 'pool wstETH-WETH-500', 'univ3_pool', 0, 1);
	SELECT watch_contract(31337, '$pool2->{address}', 'pool weETH-WETH-500', 'univ3_pool', 0, 1);
	SELECT watch_contract(31337, '$wsteth', 'wstETH', 'lst', 0, 1);
	SELECT watch_contract(31337, '$weeth', 'weETH', 'lst', 0, 1);});

# Wait until the head stream stored the node's head and says synced.
sub synced
{
	my ($what) = @_;
	my $head = hex($chain->rpc('eth_blockNumber'));
	AmpTest::wait_for($node,
		"SELECT state = 'synced' AND indexed_block >= $head AND lag >= 0 AND node_behind_by = 0 "
		  . "FROM amplified.v_ingest_status WHERE chain_id = 31337", 't', "$what: synced to block $head");
	return $head;
}

# Every stored block is the node's block of that number.
sub canonical
{
	my ($what) = @_;
	my @bad;
	my @pairs = split /,/, sql("SELECT string_agg(number || ':' || hash::text, ',' ORDER BY number) FROM blocks");
	for my $p (@pairs)
	{
		my ($n, $h) = split /:/, $p;
		my $blk = $chain->rpc('eth_getBlockByNumber', [ sprintf('0x%x', $n), JSON::PP::false ]);
		push @bad, $n unless $blk && lc $blk->{hash} eq $h;
	}
	is(join(',', @bad), '', "$what: every stored block is the node's (" . scalar(@pairs) . ' blocks)');
}

# The one result of a run of the stake strategy.
sub run
{
	my ($args) = @_;
	my $r = $JSON->decode(sql('SELECT run_strategies(' . ($args // '') . ')'));
	return $r->{results}[0];
}

synced('start');
my $st_params = $JSON->encode({
	base_token => $weth, swap_router => $router, apr_window => '6 hours', stake_share => 0.1, min_trade => 0.05,
	candidates => [ { token => $wsteth, pool => $pool->{address} }, { token => $weeth, pool => $pool2->{address} } ] });
# An owner with nothing: the strategy holds (no intents, so no signer is needed).
my $owner = '0x1111111111111111111111111111111111111111';
my $sid = sql("SELECT id FROM strategy_create('stake ETH', 'stake', 31337, '$owner', '$st_params', enabled => true)");

# ---- 1. a node behind the indexed block
my $stub = RpcStub->new(chain_id => 31337, upstream => $url);
my $http = HTTP::Tiny->new(timeout => 10);
sub cap { my ($n) = @_; ok($http->post($stub->url("/lag/head/$n"))->{success}, "the stub's head is capped at $n"); }

my $indexed = synced('before the lagging node');
my $cap = $indexed - 4;
cap($cap);
# First with the ingest worker stopped (the chain disabled): its last view
# says synced, so only the sync's own question to the node can tell.
sql("SELECT alter_chain(31337, enabled => false)");
AmpTest::wait_for($node,
	"SELECT count(*) = 0 FROM pg_stat_activity WHERE backend_type = 'amplified ingest worker'", 't',
	'the ingest worker stopped');
sql("SELECT alter_chain(31337, rpc_urls => ARRAY['" . $stub->url('/lag') . "'])");
my $r = run();
is("$r->{outcome} $r->{reason} $r->{block_number}", "waiting node_behind $indexed",
	'the sync asks the node first: waiting, node_behind');
is($r->{detail}, "the node's head $cap is below block $indexed", 'with the node\'s head');
is(sql("SELECT count(*) FROM decisions WHERE strategy_id = $sid"), '0', 'no decision, no error decision');
sql("SELECT alter_chain(31337, enabled => true)");
$chain->traffic(rounds => 1, seed => 62);    # the chain moves on; the lagging node does not
AmpTest::wait_for($node,
	"SELECT state || ' ' || head || ' ' || indexed_block || ' ' || lag || ' ' || node_behind_by "
	  . "FROM amplified.v_ingest_status WHERE chain_id = 31337",
	"node_behind $cap $indexed 0 4", 'a node behind: state node_behind, its head, the gap, lag 0');
is(sql('SELECT count(*) FROM v_ingest_status WHERE lag < 0 OR node_behind_by < 0'), '0', 'never a negative lag');
is(sql("SELECT max(number) FROM blocks WHERE chain_id = 31337"), $indexed, 'nothing more is stored, nothing rolled back');

$r = run();
is("$r->{outcome} $r->{reason} $r->{node_head} $r->{block_number}", "waiting node_behind $cap $indexed",
	'run_strategies(): waiting, node_behind, with the heads');
is(sql(q{SELECT summary ->> 'waiting' || ' ' || (summary -> 'results' -> 0 ->> 'reason') FROM strategy_runs ORDER BY id DESC LIMIT 1}),
	'1 node_behind', 'the run and its reason are recorded in strategy_runs');
is(run('sync => false')->{reason}, 'node_behind', 'run_strategies(sync => false): waiting too, from the worker\'s view');
is(sql("SELECT count(*) FROM decisions WHERE strategy_id = $sid"), '0', 'no decision, no error decision');
is(sql("SELECT reason || ' ' || node_head FROM ingest_node_has_block(31337, $indexed)"), "node_behind $cap",
	'ingest_node_has_block() asks the node: node_behind');
is(sql("SELECT available::text || ' ' || reason FROM ingest_node_has_block(31337, $cap)"), 'true ok',
	'the node has the block at its head, with the ingested hash');
my ($rc, $out, $err) = $node->psql('postgres', "\\set VERBOSITY verbose\nSELECT amplified.strategy_sync_positions($sid)");
like($err, qr/58R03: the node of chain 31337 cannot answer for block $indexed: node_behind/,
	'strategy_sync_positions() by hand: 58R03, node_behind');
is(scalar($stub->requests('/lag!missing')), 0, 'nobody asked the lagging node for a block above its head');
ok(scalar($stub->requests('/lag')) > 0, 'the lagging node was asked');

# It catches up.
cap('none');
my $head = synced('after the node caught up');
canonical('after the node caught up');
$r = run();
like($r->{outcome}, qr/^(noop|blocked|enqueued)$/, "run_strategies() decides again ($r->{outcome})")
  or diag($JSON->encode($r));

# ---- 2. a lagging first endpoint, a good second one: failover
# The stub is taken out of the chain's endpoints while its cap is set, so
# that no step that began before the cap can run into it.
sql("SELECT alter_chain(31337, rpc_urls => ARRAY['$url'])");
$indexed = synced('before failover');
cap($indexed - 2);
sql("SELECT alter_chain(31337, rpc_urls => ARRAY['" . $stub->url('/lag') . "', '$url'])");
my $seen = scalar($stub->requests('/lag'));
$chain->traffic(rounds => 1, seed => 63);
synced('with a lagging first endpoint');
ok(scalar($stub->requests('/lag')) > $seen, 'the lagging endpoint was asked first');
is(scalar($stub->requests('/lag!missing')), 0, 'and never for a block it lacks')
  or diag(join(' ', map { "$_->{t}:" . join('+', @{ $_->{methods} }) } $stub->requests('/lag!missing')));
canonical('after failover');
sql("SELECT alter_chain(31337, rpc_urls => ARRAY['$url'])");

# ---- 3. a reorg deeper than finality_depth, no block after it
$head = synced('before a deep reorg');
my $reorgs = sql('SELECT count(*) FROM ingest_reorgs');
$chain->rpc('anvil_reorg', [ $FD + 2, [] ]);
is(hex($chain->rpc('eth_blockNumber')), $head, 'anvil_reorg keeps the height: no new block to notice it by');
AmpTest::wait_for($node,
	"SELECT state = 'halted' AND last_error LIKE 'reorg deeper than finality_depth ($FD) below block " . ($head + 1)
	  . ": the node''s block % is 0x%, ingested 0x%' FROM amplified.v_ingest_status",
	't', 'a deep reorg at the indexed height halts the chain, with both hashes');
is(sql('SELECT count(*) FROM ingest_reorgs'), $reorgs, 'nothing was rolled back');
$r = run();
is("$r->{outcome} $r->{reason}", 'no_chain_data ingest_halted', 'run_strategies(): no_chain_data, ingest_halted');
like($r->{detail}, qr/^reorg deeper than finality_depth/, 'with the reason of the halt');
sql('SELECT ingest_resume(31337, ' . ($head - 20) . ')');
synced('after ingest_resume');
canonical('after a deep reorg and ingest_resume');

# ---- 4. anvil restarted empty, same port, same chain id
$indexed = synced('before the restart');
$chain->restart;
is(hex($chain->rpc('eth_blockNumber')), 0, 'anvil restarted empty');
AmpTest::wait_for($node,
	"SELECT state = 'halted' AND last_error LIKE 'the node''s history differs from the ingested chain deeper than "
	  . "finality_depth ($FD): its block 0 is 0x%, ingested 0x%, and its head 0 is below the indexed block $indexed "
	  . "(a reset node, or another chain with the same chain id);%ingest_resume()' FROM amplified.v_ingest_status",
	't', 'a node restarted empty halts the chain, and last_error says why');
is(sql("SELECT max(number) FROM blocks"), $indexed, 'the ingested blocks are kept for the operator');
is(sql('SELECT count(*) FROM v_ingest_status WHERE lag < 0'), '0', 'no negative lag');
$r = run();
is("$r->{outcome} $r->{reason}", 'no_chain_data ingest_halted', 'run_strategies(): no_chain_data, ingest_halted');
($rc, $out, $err) = $node->psql('postgres', "\\set VERBOSITY verbose\nSELECT amplified.strategy_sync_positions($sid)");
like($err, qr/58R03: the node of chain 31337 cannot answer for block $indexed: ingest_halted/,
	'strategy_sync_positions() by hand: 58R03, ingest_halted');

# The operator forgets the old chain; the new one is ingested.
$chain->rpc('evm_mine', []) for 1 .. 3;
sql('SELECT ingest_resume(31337, 0)');
synced('after ingest_resume(31337, 0)');
canonical('the new chain');
is(sql('SELECT max(number) FROM blocks'), '3', 'only the new chain is stored');

$node->stop;
done_testing();
