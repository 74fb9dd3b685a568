# 064_ingest_watch_race: a contract watched while a head step runs keeps
# its own cursor.  The head step asks the node for the logs of the
# contracts caught up with it when it starts, and at its end moves their
# cursors along with the head.  It used to move every cursor that stood at
# the step's first block, so a contract watched from that block while the
# step ran (its cursor committed before the step's last statement, which
# sees it under READ COMMITTED) was moved past blocks whose logs nobody had
# asked for: those logs were never ingested (seen once in CI as eight
# missing deployment logs).  Here the step is held on a lock of the blocks
# table while the contract is watched from the step's first block, with
# events of that contract in the step's blocks; once released, every log
# of the contract must be stored.
use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use AmpTest;
use AmpChain;

my $chain = AmpChain->new;
my $url = $chain->url;
my $d = $chain->deploy;
my $weth = lc $d->{tokens}{WETH}{address};
my $from = $d->{accounts}[2];

my $node = AmpTest::node('watch_race');
$node->safe_psql('postgres',
	"SELECT amplified.add_chain(31337, 'anvil', ARRAY['$url'], confirmations => 0, poll_interval => '100 ms')");
my $head = hex($chain->rpc('eth_blockNumber'));
AmpTest::wait_for($node, "SELECT coalesce(max(number), -1) >= $head FROM amplified.blocks WHERE chain_id = 31337",
	't', "synced to block $head");

# Hold the blocks table: the next head step stops at its insert of headers,
# after it chose which contracts' logs to fetch (none are watched).
my $lock = $node->background_psql('postgres');
$lock->query_safe('BEGIN');
$lock->query_safe('LOCK TABLE amplified.blocks IN SHARE MODE');

# Three blocks with WETH Approval events, while nobody watches WETH.
for my $i (1 .. 3)
{
	my $r = $chain->send($from, $weth, 'approve(address,uint256)', $from, $i);
	ok(!$r->{error} && $r->{logs} && @{ $r->{logs} } == 1, "approve $i: one Approval log");
}
AmpTest::wait_for($node,
	"SELECT count(*) > 0 FROM pg_stat_activity WHERE backend_type = 'amplified ingest worker' AND wait_event_type = 'Lock'",
	't', 'the head step waits on the blocks table, its logs fetched');

# Watch WETH from the step's first block: its cursor stands where the step began.
my $next = $node->safe_psql('postgres',
	"SELECT next_block FROM amplified.ingest_cursors WHERE chain_id = 31337 AND stream = 'head'");
$node->safe_psql('postgres', "SELECT amplified.watch_contract(31337, '$weth', 'WETH', 'generic', $next)");
$lock->query_safe('COMMIT');
$lock->quit;

# Synced again, the contract's backfill done: its logs are all there.
$head = hex($chain->rpc('eth_blockNumber'));
AmpTest::wait_for($node,
	"SELECT indexed_block >= $head AND coalesce(backfill_done_blocks = backfill_total_blocks, true) "
	  . "FROM amplified.v_ingest_status WHERE chain_id = 31337", 't', "synced to block $head with the backfill done");
my $logs = $chain->rpc('eth_getLogs',
	[ { fromBlock => sprintf('0x%x', $next), toBlock => sprintf('0x%x', $head), address => [$weth] } ]);
my $want = join(',', sort map { hex($_->{blockNumber}) . ':' . hex($_->{logIndex}) } @$logs);
my $have = $node->safe_psql('postgres',
	"SELECT coalesce(string_agg(block_number || ':' || log_index, ',' ORDER BY block_number || ':' || log_index), '') "
	  . "FROM amplified.logs WHERE chain_id = 31337 AND lower(address::text) = '$weth' AND block_number >= $next");
cmp_ok(scalar(@$logs), '>=', 3, 'the node has the Approval logs');
is($have, $want, 'every WETH log from the block it was watched from is stored');
is($node->safe_psql('postgres', "SELECT count(*) FROM amplified.ingest_cursors WHERE chain_id = 31337 AND stream = '$weth' "
	  . "AND next_block <> (SELECT next_block FROM amplified.ingest_cursors WHERE chain_id = 31337 AND stream = 'head')"),
	'0', 'and the contract caught up with the head stream');

$node->stop;
$chain->stop;
done_testing();
