# 060_ingest: the ingest worker against the local chain fixture: a full
# backfill equals eth_getLogs, the events of the registered decoders (built-in
# and added at run time) equal ingest_decode()'s, reorgs of depth 1 to 5 leave the tables equal
# to a fresh index, a contract watched late is backfilled, SIGKILL mid-batch
# loses and duplicates nothing, a misbehaving node gives a clear status and
# no bad rows, a reorg deeper than finality_depth halts the chain, and after
# every test consecutive stored blocks chain by parent hash.
use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use AmpTest;
use AmpChain;
use RpcStub;

my $chain = AmpChain->new;
my $d = $chain->deploy;
my $url = $chain->url;
# A short RPC timeout, so that a hanging node fails fast (oversized answers
# are refused by the client, see 040_rpc.pl).
my $node = AmpTest::node('ingest', conf => "amplified.rpc_timeout = 1000\n");

my @pools = sort map { lc $_->{address} } values %{ $d->{pools} };
my @tokens = sort map { lc $_->{address} } values %{ $d->{tokens} };
my @watched = (@pools, @tokens);

# Event decoders of a protocol of one's own, registered at run time in
# ingest's registry with a table of their own: ERC-20 Approval (addresses
# from topics) and the pools' Initialize (a uint160 and an int24 from data
# words) before the chain is added; the LSTs' RateUpdated (data words only)
# while the worker runs (2b).  The worker decodes them in C, and every
# check below compares its rows with ingest_decode()'s, as for the built-in
# decoders.
sub decoder_table
{
	my ($table, $cols) = @_;
	return "CREATE TABLE amplified.$table (chain_id bigint NOT NULL, block_number bigint NOT NULL, "
	  . "log_index integer NOT NULL, $cols, PRIMARY KEY (chain_id, block_number, log_index), "
	  . "FOREIGN KEY (chain_id, block_number) REFERENCES amplified.blocks ON DELETE CASCADE);";
}
$node->safe_psql('postgres', decoder_table('t_approvals',
	  'token amplified.address NOT NULL, owner amplified.address NOT NULL, spender amplified.address NOT NULL, value amplified.uint256 NOT NULL')
	. decoder_table('t_pool_inits', 'pool amplified.address NOT NULL, sqrt_price_x96 amplified.uint256 NOT NULL, tick integer NOT NULL')
	. q{INSERT INTO amplified.ingest_event_decoders (name, module, signature, ntopics, data_len, target, columns) VALUES
		('t_approval', 'test', 'Approval(address,address,uint256)', 3, 32, 'amplified.t_approvals',
		 '{"(token,emitter,address)","(owner,topic1,address)","(spender,topic2,address)","(value,word0,uint256)"}'),
		('t_pool_init', 'test', 'Initialize(uint160,int24)', 1, 64, 'amplified.t_pool_inits',
		 '{"(pool,emitter,address)","(tick,word1,int24)","(sqrt_price_x96,word0,uint256)"}');});

$node->safe_psql('postgres', qq{
	SELECT amplified.add_chain(31337, 'anvil', ARRAY['$url'], confirmations => 0, finality_depth => 10,
		poll_interval => '100 ms', batch_size => 20, logs_range => 8);
	SELECT amplified.watch_contract(31337, a::amplified.address, 'c' || i, 'generic', 0)
	  FROM unnest(ARRAY['@{[ join("','", @watched) ]}']) WITH ORDINALITY AS t(a, i);});

# Wait until the head stream has stored the node's head.
sub synced
{
	my ($what) = @_;
	my $head = hex($chain->rpc('eth_blockNumber'));
	ok($node->poll_query_until('postgres',
		"SELECT indexed_block >= $head AND coalesce(backfill_done_blocks = backfill_total_blocks, true) "
		  . "FROM amplified.v_ingest_status WHERE chain_id = 31337"),
		"$what: synced to block $head");
	return $head;
}

# The stored logs equal eth_getLogs over the same range, block hashes
# included, and consecutive stored blocks chain by parent hash.
sub same_as_node
{
	my ($what, $addresses) = @_;
	$addresses //= \@watched;
	my $head = hex($chain->rpc('eth_blockNumber'));
	my $logs = $chain->rpc('eth_getLogs',
		[ { fromBlock => '0x0', toBlock => sprintf('0x%x', $head), address => $addresses } ]);
	my $want = join("\n", sort map {
		join(':', hex($_->{blockNumber}), hex($_->{logIndex}), lc $_->{transactionHash},
			lc $_->{blockHash}, lc $_->{address}, join(',', map { lc } @{ $_->{topics} }), lc $_->{data})
	} @$logs);
	my $in = join("','", @$addresses);
	my $have = $node->safe_psql('postgres', qq{
		SELECT coalesce(string_agg(line, E'\\n' ORDER BY line), '') FROM (
		  SELECT l.block_number || ':' || l.log_index || ':' || l.tx_hash::text || ':' || b.hash::text
		         || ':' || lower(l.address::text) || ':' || array_to_string(l.topics::text[], ',')
		         || ':0x' || encode(l.data, 'hex') AS line
		    FROM amplified.logs l JOIN amplified.blocks b USING (chain_id)
		   WHERE b.number = l.block_number AND l.chain_id = 31337
		     AND lower(l.address::text) IN ('$in')) s});
	is($have, $want, "$what: stored logs equal eth_getLogs (" . scalar(@$logs) . " logs)");

	# Every stored block is the node's block of that number.
	my $stored = $node->safe_psql('postgres',
		"SELECT string_agg(number || ':' || hash::text, ',' ORDER BY number) FROM amplified.blocks WHERE chain_id = 31337");
	my @bad;
	my @pairs = split /,/, $stored;
	for my $p (@pairs)
	{
		my ($n, $h) = split /:/, $p;
		my $blk = $chain->rpc('eth_getBlockByNumber', [ sprintf('0x%x', $n), JSON::PP::false ]);
		push @bad, $n unless $blk && lc $blk->{hash} eq $h;
	}
	is(join(',', @bad), '', "$what: every stored block is canonical (" . scalar(@pairs) . " blocks)");
	is($node->safe_psql('postgres', q{
		SELECT count(*) FROM amplified.blocks a JOIN amplified.blocks b
		    ON b.chain_id = a.chain_id AND b.number = a.number + 1
		 WHERE a.chain_id = 31337 AND b.parent_hash OPERATOR(amplified.<>) a.hash}),
		'0', "$what: consecutive stored blocks chain by parent hash");
	decoded_as_sql($what, $head);
}

my @decoded = qw(erc20_transfers univ3_swaps univ3_mints univ3_burns univ3_collects t_approvals t_pool_inits);

# Every row of the decoded tables, as text.
sub decoded_rows
{
	return q{SELECT coalesce(string_agg(r, E'\n' ORDER BY r), '') FROM (}
	  . join(' UNION ALL ', map { "SELECT '$_ ' || x::text AS r FROM amplified.$_ x WHERE chain_id = 31337" } @decoded)
	  . ') s';
}

# The worker decodes in C as it stores the logs; its rows equal what the SQL
# decoder ingest_decode() makes of the stored logs (computed in a transaction
# that is rolled back), and nothing stored lacks its parent (the worker
# checks foreign keys once per batch, not per row).
sub decoded_as_sql
{
	my ($what, $head) = @_;
	my $worker = $node->safe_psql('postgres', decoded_rows());
	my $sql = $node->safe_psql('postgres', 'BEGIN; '
		  . join(' ', map { "DELETE FROM amplified.$_;" } @decoded)
		  . " DO \$\$ BEGIN PERFORM amplified.ingest_decode(31337, 0, $head); END \$\$; "
		  . decoded_rows() . '; ROLLBACK;');
	my $n = () = $worker =~ /\n/g;
	is($worker, $sql, "$what: the decoded tables equal ingest_decode() over the stored logs ("
		  . ($worker eq '' ? 0 : $n + 1) . ' rows)');
	is($node->safe_psql('postgres', q{
		SELECT (SELECT count(*) FROM amplified.logs l WHERE NOT EXISTS
		         (SELECT 1 FROM amplified.blocks b WHERE b.chain_id = l.chain_id AND b.number = l.block_number))
		     + } . join(' + ', map { "(SELECT count(*) FROM amplified.$_ e WHERE NOT EXISTS
		         (SELECT 1 FROM amplified.logs l WHERE (l.chain_id, l.block_number, l.log_index)
		            = (e.chain_id, e.block_number, e.log_index)))" } @decoded)),
		'0', "$what: every log has its block and every decoded row its log");
}

# 1. A full backfill of everything the fixture did, then traffic on top.
my $summary = $chain->traffic(rounds => 4, seed => 7);
synced('after deploy and traffic');
same_as_node('full index');
is($node->safe_psql('postgres', q{SELECT count(*) > 0 FROM amplified.logs}), 't', 'logs were ingested');
for my $t (@decoded)
{
	ok($node->safe_psql('postgres', "SELECT count(*) FROM amplified.$t") > 0, "$t were decoded");
}
is($node->safe_psql('postgres', q{SELECT getlogs_range > 0 FROM amplified.v_ingest_status}), 't',
	'the adaptive range is reported');
is($node->safe_psql('postgres',
	q{SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'amplified ingest worker'}),
	'1', 'one ingest worker runs for the chain');

# 2. A contract watched late is backfilled from its from_block.
my $oracle = lc((values %{ $d->{oracles} })[0]{address});
$node->safe_psql('postgres', "SELECT amplified.watch_contract(31337, '$oracle', 'oracle', 'oracle', 0)");
push @watched, $oracle;
synced('after watching the oracle');
same_as_node('late contract backfilled', [$oracle]);
same_as_node('all contracts');

# A decoder registered while the worker runs: the next step decodes with it;
# what was stored before, ingest_decode() decodes (the chain is idle here).
my $before_rates = hex($chain->rpc('eth_blockNumber'));
$node->safe_psql('postgres', decoder_table('t_rate_updates',
	  'token amplified.address NOT NULL, previous_rate amplified.uint256 NOT NULL, new_rate amplified.uint256 NOT NULL, '
	  . 'updated_at amplified.uint256 NOT NULL')
	. q{INSERT INTO amplified.ingest_event_decoders (name, module, signature, ntopics, data_len, target, columns) VALUES
		('t_rate_update', 'test', 'RateUpdated(uint256,uint256,uint256)', 1, 96, 'amplified.t_rate_updates',
		 '{"(token,emitter,address)","(previous_rate,word0,uint256)","(new_rate,word1,uint256)","(updated_at,word2,uint256)"}');}
	. "SELECT amplified.ingest_decode(31337, 0, $before_rates);");
push @decoded, 't_rate_updates';

# 2b. State reads every block, pinned to the block hash, raw and decoded.
my $deployer = lc $d->{deployer};
$node->safe_psql('postgres', qq{
	UPDATE amplified.watched_contracts SET read_every = 1, holders = ARRAY['$deployer']::amplified.address[];
	UPDATE amplified.watched_contracts SET kind = 'univ3_pool'
	 WHERE lower(address::text) IN ('@{[ join("','", @pools) ]}');
	UPDATE amplified.watched_contracts SET kind = 'lst'
	 WHERE lower(address::text) IN ('@{[ join("','", map { lc $_->{address} } grep { defined $_->{rate} } values %{ $d->{tokens} }) ]}');
	UPDATE amplified.watched_contracts SET kind = 'erc20' WHERE kind = 'generic';});
$chain->traffic(rounds => 1, seed => 50);
my $rb = synced('with state reads');
my $reads = $node->safe_psql('postgres', qq{
	SELECT string_agg(lower(address::text) || ' ' || read || ' ' || arg || ' ' || coalesce('0x' || encode(result, 'hex'), 'ERR'), E'\n')
	  FROM amplified.state_reads WHERE chain_id = 31337 AND block_number = $rb});
my @rows = split /\n/, $reads;
my $plan = $node->safe_psql('postgres', 'SELECT count(*) FROM amplified.ingest_read_plan(31337)');
is(scalar(@rows), $plan, "every planned read was made at block $rb ($plan reads)");
my $same = 0;
for my $row (@rows)
{
	my ($addr, $read, $arg, $result) = split / /, $row;
	$arg //= '';
	my $data = $node->safe_psql('postgres', qq{SELECT '0x' || encode(calldata, 'hex') FROM amplified.ingest_read_plan(31337)
		WHERE lower(address::text) = '$addr' AND read = '$read' AND arg = '$arg'});
	my $want = $chain->rpc('eth_call', [ { to => $addr, data => $data }, sprintf('0x%x', $rb) ]);
	$same++ if lc $want eq $result;
}
is($same, scalar(@rows), 'every stored read equals eth_call at that block');
is($node->safe_psql('postgres', "SELECT count(*) FROM amplified.univ3_pool_states WHERE block_number = $rb"),
	scalar(@pools), 'slot0, liquidity and fee growth decoded for every pool');
is($node->safe_psql('postgres', qq{SELECT bool_and(s.sqrt_price_x96::text = w.v AND s.tick = w.t)
	FROM amplified.univ3_pool_states s JOIN (
	  SELECT address, amplified.uint256_from_bytea(amplified.abi_word(result, 0))::text AS v,
	         (amplified.abi_decode('(uint160,int24,uint16,uint16,uint16,uint8,bool)', result) ->> 1)::int AS t
	    FROM amplified.state_reads WHERE read = 'slot0()' AND block_number = $rb) w
	  ON w.address OPERATOR(amplified.=) s.pool WHERE s.block_number = $rb}),
	't', 'decoded slot0 agrees with abi_decode of the raw answer');
ok($node->safe_psql('postgres', "SELECT count(*) FROM amplified.lst_rates WHERE block_number = $rb") > 0,
	'LST rates decoded');
ok($node->safe_psql('postgres', "SELECT count(*) FROM amplified.token_balances WHERE block_number = $rb") > 0,
	'balances decoded');
ok($node->safe_psql('postgres', "SELECT count(*) FROM amplified.oracle_rounds WHERE block_number = $rb") > 0,
	'oracle rounds decoded');
is($node->safe_psql('postgres', qq{SELECT count(*) FROM amplified.univ3_swaps s
	JOIN amplified.logs l USING (chain_id, block_number, log_index)}),
	$node->safe_psql('postgres', qq{SELECT count(*) FROM amplified.logs
	WHERE topics[1] OPERATOR(amplified.=) amplified.event_topic('Swap(address,address,int256,int256,uint160,uint128,int24)')}),
	'every Swap log is decoded');
ok($node->safe_psql('postgres', "SELECT count(*) FROM amplified.t_rate_updates WHERE block_number > $before_rates") > 0,
	'the worker decodes with a decoder registered while it runs');
is($node->safe_psql('postgres', qq{SELECT bool_and(u.new_rate::text = (amplified.abi_decode('(uint256,uint256,uint256)', l.data) ->> 1))
	FROM amplified.t_rate_updates u JOIN amplified.logs l USING (chain_id, block_number, log_index)}),
	't', 'its rows agree with abi_decode of the raw log');
$node->safe_psql('postgres', "UPDATE amplified.watched_contracts SET read_every = 5");

# 3. Reorgs of depth 1 to 5, each followed by new traffic.
for my $depth (1 .. 5)
{
	$chain->traffic(rounds => 1, seed => 100 + $depth);
	synced("before reorg $depth");
	my $before = $node->safe_psql('postgres', 'SELECT count(*) FROM amplified.ingest_reorgs');
	$chain->rpc('anvil_reorg', [ $depth, [] ]);
	$chain->traffic(rounds => 1, seed => 200 + $depth);
	synced("after reorg $depth");
	same_as_node("reorg of depth $depth");
	ok($node->safe_psql('postgres', 'SELECT count(*) FROM amplified.ingest_reorgs') > $before,
		"reorg of depth $depth was recorded");
}

# 4. SIGKILL of the worker mid-batch: nothing lost, nothing duplicated.
$node->safe_psql('postgres', "SELECT amplified.alter_chain(31337, logs_range => 2, batch_size => 2)");
$chain->rpc('evm_setAutomine', [JSON::PP::false]);
$chain->traffic(rounds => 3, seed => 300, mine => 1);
$chain->rpc('evm_setAutomine', [JSON::PP::true]);
for my $i (1 .. 3)
{
	my $pid = AmpTest::backend_pid($node, 'amplified ingest worker');
	kill 'KILL', $pid if $pid;
	ok($node->poll_query_until('postgres',
		"SELECT count(*) = 1 FROM pg_stat_activity WHERE backend_type = 'amplified ingest worker' AND pid <> "
		  . ($pid || 0)), "ingest worker back after SIGKILL $i");
}
synced('after the kills');
same_as_node('after SIGKILL mid-batch');

# 5. A misbehaving node: a clear status, no bad rows, and recovery.
my $stub = RpcStub->new(chain_id => 31337);
my $rows = $node->safe_psql('postgres', 'SELECT count(*) FROM amplified.logs');
$node->safe_psql('postgres', "SELECT amplified.alter_chain(31337, rpc_urls => ARRAY['" . $stub->url('/malformed') . "'])");
$chain->traffic(rounds => 1, seed => 400);
ok($node->poll_query_until('postgres',
	"SELECT state = 'error' AND last_error LIKE '%malformed JSON%' FROM amplified.v_ingest_status"),
	'malformed answers show in v_ingest_status');
is($node->safe_psql('postgres', 'SELECT count(*) FROM amplified.logs'), $rows, 'and write no rows');
my %why = ('/wrongchain' => 'reports chain id 1',
	'/hang' => 'timed out', '/wrongid' => 'response id does not match');
for my $path (sort keys %why)
{
	$node->safe_psql('postgres', "SELECT amplified.alter_chain(31337, rpc_urls => ARRAY['" . $stub->url($path) . "'])");
	ok($node->poll_query_until('postgres',
		"SELECT state = 'error' AND last_error LIKE '%$why{$path}%' FROM amplified.v_ingest_status"),
		"$path: v_ingest_status says why");
	is($node->safe_psql('postgres', 'SELECT count(*) FROM amplified.logs'), $rows, "$path: no rows written");
}
$node->safe_psql('postgres', "SELECT amplified.alter_chain(31337, rpc_urls => ARRAY['$url'])");
synced('after the node behaves again');
same_as_node('after a misbehaving node');
is($node->safe_psql('postgres', 'SELECT state FROM amplified.v_ingest_status'), 'synced', 'state is synced again');

# 6. A reorg deeper than finality_depth halts the chain until resumed.
$node->safe_psql('postgres', "SELECT amplified.alter_chain(31337, finality_depth => 2)");
$chain->traffic(rounds => 1, seed => 500);
my $head = synced('before a deep reorg');
$chain->rpc('anvil_reorg', [ 4, [] ]);
$chain->rpc('evm_mine', []);
ok($node->poll_query_until('postgres',
	"SELECT state = 'halted' AND last_error LIKE 'reorg deeper than finality_depth (2)%' FROM amplified.v_ingest_status"),
	'a reorg deeper than finality_depth halts the chain');
$node->safe_psql('postgres', 'SELECT amplified.ingest_resume(31337, ' . ($head - 10) . ')');
synced('after ingest_resume');
same_as_node('after a deep reorg and resume');

$node->stop;
done_testing();
