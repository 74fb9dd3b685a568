# 065_ingest_partitions: the ingest worker and the partitioned history
# (src/ingest/partitions.sql).  With ranges of 10 blocks, the worker makes
# each range's partitions before it stores the range's rows (none is left in
# a DEFAULT partition) and stores exactly what eth_getLogs returns; a query on
# recent blocks reads their range only; the worker applies retention,
# dropping only ranges below the cutoff and never one a floor needs; pg_dump
# leaves every partition out, and a restore into another cluster ingests the
# chain again into partitions of its own.
use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use AmpTest;
use AmpChain;

my $chain = AmpChain->new;
my $d = $chain->deploy;
my $url = $chain->url;
$chain->traffic(rounds => 3, seed => 65, mine => 1);
my $node = AmpTest::node('partitions');

my @pools = sort map { lc $_->{address} } values %{ $d->{pools} };
my @tokens = sort map { lc $_->{address} } values %{ $d->{tokens} };
my @watched = (@pools, @tokens);

sub sql
{
	my ($n, $q) = @_;
	return $n->safe_psql('postgres', "SET search_path = amplified, public;\n$q");
}

sql($node, qq{
	SELECT add_chain(31337, 'anvil', ARRAY['$url'], confirmations => 0, finality_depth => 3,
		poll_interval => '100 ms', batch_size => 7, logs_range => 8, enabled => false);
	INSERT INTO ingest_history_settings (chain_id, partition_blocks, keep_interval) VALUES (31337, 10, '0');
	SELECT watch_contract(31337, a::address, 'c' || i, 'generic', 0)
	  FROM unnest(ARRAY['@{[ join("','", @watched) ]}']) WITH ORDINALITY AS t(a, i);
	UPDATE chains SET enabled = true WHERE chain_id = 31337;});

# Wait until the node $n has stored the chain's head; returns it.
sub synced
{
	my ($n, $what) = @_;
	my $head = hex($chain->rpc('eth_blockNumber'));
	ok($n->poll_query_until('postgres',
		"SELECT indexed_block >= $head AND coalesce(backfill_done_blocks = backfill_total_blocks, true) "
		  . "FROM amplified.v_ingest_status WHERE chain_id = 31337"),
		"$what: synced to block $head");
	return $head;
}

# The stored logs of blocks from..to equal eth_getLogs over them.
sub same_logs
{
	my ($n, $from, $to, $what) = @_;
	my $logs = $chain->rpc('eth_getLogs',
		[ { fromBlock => sprintf('0x%x', $from), toBlock => sprintf('0x%x', $to), address => \@watched } ]);
	my $want = join("\n", sort map { hex($_->{blockNumber}) . ':' . hex($_->{logIndex}) } @$logs);
	my $have = sql($n, "SELECT string_agg(block_number || ':' || log_index, E'\\n' ORDER BY block_number || ':' || log_index) "
		  . "FROM logs WHERE chain_id = 31337 AND block_number BETWEEN $from AND $to");
	ok(@$logs > 0, "$what: the node has logs there");
	is($have, $want, "$what: the stored logs are the node's");
}

# (The head cursor and the contracts' cursors are history, not dumped: the
# restored worker starts at the chain's start_block and, the trigger on
# watched_contracts having given each restored contract its cursor, backfills every
# watched contract from its from_block again.)

# Rows of the chain left in the DEFAULT partitions, over every history table.
sub in_defaults
{
	my ($n) = @_;
	my $q = sql($n, q{SELECT string_agg(format('SELECT count(*) AS n FROM %s WHERE chain_id = 31337',
						ingest_partition_default(tab)), ' UNION ALL ')
					FROM ingest_history_tables() WHERE by_range});
	return sql($n, "SELECT sum(n) FROM ($q) AS x");
}

# ---- 1. partitions made ahead as the worker ingests

my $head = synced($node, 'first sync');
ok($head >= 30, "the fixture's chain is $head blocks long (several ranges)");
is(sql($node, "SELECT min(from_block) = 0 AND max(to_block) > $head AND count(*) = max(to_block) / 10 "
	  . 'AND bool_and(to_block - from_block = 10) FROM ingest_partitions WHERE chain_id = 31337'),
	't', 'ranges of 10 blocks cover every block up to the head, and the next');
is(sql($node, q{SELECT count(*) FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
				 WHERE c.relkind = 'r' AND c.relname LIKE '%\_c31337\_%'}),
	sql($node, 'SELECT (SELECT count(*) FROM ingest_partitions WHERE chain_id = 31337) '
		  . '* (SELECT count(*) FROM ingest_history_tables() WHERE by_range)'),
	'each range has its partition in every history table');
is(in_defaults($node), '0', 'no row of the chain was stored in a DEFAULT partition');
is(sql($node, 'SELECT count(*) FROM blocks WHERE chain_id = 31337'), $head + 1, 'every block is stored once');
same_logs($node, 0, $head, 'first sync');
ok(sql($node, q{SELECT count(*) FROM univ3_swaps WHERE chain_id = 31337}) > 0,
	'decoded events are stored in their partitions too');

# ---- 2. pruning: a recent-block query reads its range only

my $recent = $head - 2;
my $plan = sql($node, "EXPLAIN (COSTS OFF) SELECT * FROM logs WHERE chain_id = 31337 AND block_number >= $recent");
my @scanned = sort($plan =~ /on (logs_\S+)/g);
my $range = int($recent / 10) * 10;
my @want = grep { defined } ("logs_c31337_$range", ($range + 10 <= $head + 5 ? "logs_c31337_" . ($range + 10) : undef),
	'logs_default');
ok(@scanned <= 3 && (grep { $_ eq "logs_c31337_$range" } @scanned),
	"logs of blocks >= $recent read from their range (and the next and DEFAULT) only: @scanned");
ok(!(grep { $_ eq 'logs_c31337_0' } @scanned), 'the oldest range is not read');

# ---- 3. retention by the worker: below the cutoff, never below a floor

my $floor = sql($node, q{SELECT floor_block FROM ingest_retention_floors(31337) WHERE name = 'univ3'});
ok($floor ne '', "the univ3 floor is the first stored Mint or Burn, block $floor");
sql($node, q{UPDATE ingest_history_settings SET retain_blocks = 5 WHERE chain_id = 31337});
$chain->traffic(rounds => 2, seed => 66, mine => 1);
$head = synced($node, 'with retain_blocks 5');
sql($node, 'SELECT count(*) FROM ingest_retention_apply(31337)');
is(sql($node, q{SELECT count(*) FROM ingest_retention_log WHERE chain_id = 31337 AND to_block > cutoff}), '0',
	'every dropped range lay below its cutoff');
is(sql($node, q{SELECT count(*) FROM ingest_retention_log WHERE chain_id = 31337
				 AND (floor_block IS NULL OR cutoff > floor_block OR cutoff > head - 5)}), '0',
	'every cutoff was at or below the floor and head - retain_blocks');
is(sql($node, "SELECT count(*) FROM ingest_partitions WHERE chain_id = 31337 AND to_block <= least($floor, $head - 5)"),
	'0', 'no range below the cutoff is left');
is(sql($node, "SELECT count(*) FROM blocks WHERE chain_id = 31337 AND number = $floor"), '1',
	'the floor\'s block stays');
is(sql($node, "SELECT min(m.block_number) FROM univ3_mints m WHERE chain_id = 31337"), $floor,
	'and so does the Mint that set it');

# The univ3 floor withdrawn (its read models would no longer answer the
# same), the worker drops down to head - retain_blocks as the head moves on.
sql($node, q{DELETE FROM ingest_retention_floors WHERE name = 'univ3'});
$chain->traffic(rounds => 2, seed => 67, mine => 1);
$head = synced($node, 'without the univ3 floor');
ok($node->poll_query_until('postgres',
	"SELECT count(*) > 0 FROM amplified.ingest_retention_log WHERE chain_id = 31337 AND floor_name IS DISTINCT FROM 'univ3'"),
	'the worker applied retention on its own');
sql($node, 'SELECT count(*) FROM ingest_retention_apply(31337)');
my ($cut, $first) = split /\|/, sql($node, q{SELECT max(cutoff), (SELECT min(from_block) FROM ingest_partitions WHERE chain_id = 31337)
	FROM ingest_retention_log WHERE chain_id = 31337});
ok($first > 0 && $first <= $cut && $first + 10 > $cut, "the first range left ($first) holds the last cutoff ($cut)");
is(sql($node, "SELECT min(number) FROM blocks WHERE chain_id = 31337"), $first, 'no block below it is left');
is(sql($node, q{SELECT count(*) FROM pg_class WHERE relname LIKE '%\_c31337\_0'}), '0',
	'the dropped ranges\' partitions are gone from every table');
is(sql($node, q{SELECT bool_and(cardinality(dropped) = (SELECT count(*) FROM ingest_history_tables() WHERE by_range))
				 FROM ingest_retention_log WHERE chain_id = 31337 AND cardinality(dropped) > 0}),
	't', 'each log row names a partition of every history table');
same_logs($node, $first, $head, 'after retention');
# Retention's up-front locks (a transaction of their own here): chains, the
# blocks parent and the range's own partition, never another range's blocks
# partition (a reader takes the blocks parent before a partition, so locking
# those first could make the reader lose a deadlock).
my @held = split /\n/, sql($node, qq{BEGIN;
	SELECT ingest_partition_range_lock(31337, $first);
	SELECT c.relname FROM pg_locks l JOIN pg_class c ON c.oid = l.relation
	 WHERE l.pid = pg_backend_pid() AND l.mode = 'AccessExclusiveLock' AND c.relname LIKE 'blocks%'
	 ORDER BY 1;
	ROLLBACK;});
is(join(' ', grep { /\S/ } @held), "blocks blocks_c31337_$first blocks_default",
	'retention locks the blocks parent, its range and DEFAULT, no other range');

# ---- 4. pg_dump leaves the partitions out; a restore ingests again

my $dump = $node->basedir . '/partitions.sql';
$node->command_ok([ 'pg_dump', '-d', 'postgres', '-f', $dump ], 'pg_dump of the database');
my $text = slurp_file($dump);
unlike($text, qr/CREATE TABLE amplified\.\S*(_c31337_\d|_default\b)/, 'the dump holds no partition');
unlike($text, qr/ATTACH PARTITION/, 'nor attaches one');
like($text, qr/COPY amplified\.ingest_history_settings .*\n31337\t10\t5\t/, 'the history settings are dumped');

my $copy = AmpTest::node('partitions_restored', no_extension => 1);
$copy->command_ok([ 'psql', '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', 'postgres', '-f', $dump ],
	'the dump restores into a new cluster');
$head = synced($copy, 'the restored database');
is(in_defaults($copy), '0', 'the restored database stores into partitions of its own');
my $low = sql($copy, 'SELECT min(number) FROM blocks WHERE chain_id = 31337');
same_logs($copy, $low, $head, 'the restored database');

$copy->stop;
$node->stop;
done_testing();
