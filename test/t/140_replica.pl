# 140_replica: a streaming hot standby with amplified preloaded answers every
# view of the extension and its read functions, and none of our workers runs
# or calls out there; after pg_promote() they start.
#
# The primary has a chain (ingested, through a counting JSON-RPC proxy: the
# RpcStub /lag path without a cap), a key-file signer, confirmed intents and
# three pending ones: its tx worker is kept from reserving them by a row lock
# on the signer's nonce, so they stay pending and unpaused in the WAL the
# standby replays.  On the standby:
#   * every view of schema amplified answers a SELECT (0 errors), and a
#     representative set of read functions return what the primary returns;
#   * the launcher says "standby" and no other worker of ours exists;
#   * with the primary stopped, the proxy sees no request at all while the
#     standby runs for several launcher naptimes (bounded wait on the
#     standby's own uptime; no timing assertion).
# After pg_promote() the tx and ingest workers start and the three pending
# intents are each sent and mined once.
use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use JSON::PP;
use AmpTest;
use AmpChain;
use RpcStub;

my $chain = AmpChain->new;
my $proxy = RpcStub->new(chain_id => 31337, upstream => $chain->url);
my $url = $proxy->url('/lag');

my $A1 = '0x70997970c51812dc3a010c7d01b50e0d17dc79c8';
my $K1 = '59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d';
my $SINK = '0x00000000000000000000000000000000000b0b03';
my $keys = AmpTest::key_dir($A1 => $K1);

my $primary = AmpTest::node('primary', allows_streaming => 1,
	conf => "amplified.keys_dir = '$keys'\namplified.txq_poll_interval = 100\n");
$primary->safe_psql('postgres', 'ALTER DATABASE postgres SET search_path = amplified, public');

sub requests { return scalar $proxy->requests('/lag'); }

sub calls
{
	my ($re) = @_;
	return scalar grep { $_ =~ $re } map { @{ $_->{methods} } } $proxy->requests('/lag');
}

sub enqueue
{
	my ($tag, $value) = @_;
	return $primary->safe_psql('postgres', qq{SELECT amplified.txq_enqueue(31337, '$A1', '$SINK', '$value', '',
		jsonb_build_object('idempotency_key', '$tag', 'simulate', false, 'gas_limit', 21000))});
}

$primary->safe_psql('postgres', qq{SELECT amplified.add_chain(31337, 'anvil', ARRAY['$url'], confirmations => 0,
		finality_depth => 10, poll_interval => '100 ms', enabled => true);
	SELECT amplified.add_signer(31337, '$A1', 'key_file');
	SELECT amplified.txq_set_signer_policy(31337, '$A1', ARRAY['$SINK']::amplified.address[],
		ARRAY['\\x']::bytea[], max_value => '1000', max_intents_per_hour => NULL);});

my @done = map { enqueue("done-$_", $_) } 1 .. 2;
AmpTest::wait_for($primary,
	"SELECT count(*) = 2 FROM amplified.tx_intents WHERE id IN (" . join(',', @done) . ") AND status = 'confirmed'",
	't', 'primary: two intents confirmed');
my $head = hex($chain->rpc('eth_blockNumber'));
AmpTest::wait_for($primary, "SELECT coalesce(max(number), -1) >= $head FROM amplified.blocks WHERE chain_id = 31337",
	't', "primary: ingested up to block $head");

# Three pending intents the primary's tx worker cannot reserve (row lock).
my $lock = $primary->background_psql('postgres');
$lock->query_safe('BEGIN');
$lock->query_safe("SELECT 1 FROM amplified.nonces WHERE address = '$A1' FOR UPDATE");
my @pending = map { enqueue("pending-$_", 10 + $_) } 1 .. 3;
AmpTest::wait_for($primary,
	"SELECT count(*) > 0 FROM pg_stat_activity WHERE backend_type = 'amplified tx worker' AND wait_event_type = 'Lock'",
	't', 'primary: its tx worker waits on the lock, the intents pending');

# ---- the standby ----
$primary->backup('b');
my $standby = PostgreSQL::Test::Cluster->new('standby');
$standby->init_from_backup($primary, 'b', has_streaming => 1);
$standby->start;
$primary->wait_for_catchup($standby, 'replay');
is($standby->safe_psql('postgres', 'SELECT pg_is_in_recovery()'), 't', 'standby: in recovery');
is($standby->safe_psql('postgres', "SELECT current_setting('shared_preload_libraries')"), 'amplified',
	'standby: amplified is preloaded');
is($standby->safe_psql('postgres', "SELECT string_agg(status, ',' ORDER BY id) FROM amplified.tx_intents WHERE id IN ("
	  . join(',', @pending) . ')'), 'pending,pending,pending', 'standby: it sees the three pending intents');

# Every view of the extension answers.
my @views = split /\n/, $standby->safe_psql('postgres',
	"SELECT format('%I.%I', schemaname, viewname) FROM pg_views WHERE schemaname = 'amplified'
	 UNION ALL SELECT format('%I.%I', schemaname, matviewname) FROM pg_matviews WHERE schemaname = 'amplified'
	 ORDER BY 1");
ok(@views >= 20, 'the extension has ' . scalar(@views) . ' views');
my @failed;
for my $v (@views)
{
	my ($rc, $out, $err) = $standby->psql('postgres', "SELECT count(*) FROM (SELECT * FROM $v LIMIT 1000) AS s");
	push @failed, "$v: $err" if $rc != 0;
}
is(scalar(@failed), 0, 'standby: every view answers a SELECT (0 errors)') or diag(join("\n", @failed));
is($standby->safe_psql('postgres', 'SELECT count(*) FROM amplified.v_tx_queue'), '1', 'standby: v_tx_queue has the signer');
is($standby->safe_psql('postgres', "SELECT pending FROM amplified.v_tx_queue WHERE sender = '$A1'"), '3',
	'standby: v_tx_queue counts the three pending intents');

# Read functions: the standby answers what the primary answers.
my $ids = 'ARRAY[' . join(',', @done, @pending) . ']::bigint[]';
my @reads = (
	"amplified.keccak256('abc'::text)::text",
	'amplified.univ3_sqrt_price_at_tick(-887272)::text || amplified.univ3_sqrt_price_at_tick(100)::text',
	'amplified.univ3_max_tick(60)',
	"amplified.aave_ray_mul('2000000000000000000000000000', '3000000000000000000000000000')::text",
	'amplified.pendle_pt_price(0.05, 31536000)::text',
	'(amplified.risk_kupiec(250, 5, 0.01)).lr::numeric(20,10)',
	'amplified.risk_ewma_variance(ARRAY[0.01, -0.02, 0.015, -0.005])::text',
	'amplified.risk_is_halted()',
	'amplified.txq_is_paused()',
	"(amplified.txq_intents_state($ids)).by_status::text",
	"(SELECT string_agg(event || '/' || coalesce(to_status, ''), ',') FROM amplified.txq_history($done[0]))",
	'amplified.strategy_sharpe(ARRAY[0.01, -0.02, 0.03, 0.005])::text',
	"(SELECT count(*) FROM amplified.blocks WHERE chain_id = 31337 AND number <= $head)",
);
for my $r (@reads)
{
	my ($rc, $on_standby, $err) = $standby->psql('postgres', "SELECT $r");
	my $on_primary = $primary->safe_psql('postgres', "SELECT $r");
	is($rc == 0 ? $on_standby : "error: $err", $on_primary, "standby: $r");
}
is($standby->safe_psql('postgres', "SELECT amplified.keccak256('abc'::text)::text"),
	'0x4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45', 'standby: keccak256 of "abc" (published vector)');

# ---- nothing of ours runs or calls out on the standby ----
AmpTest::wait_for($standby, "SELECT state FROM amplified.v_workers WHERE kind = 'launcher'", 'standby',
	'standby: v_workers shows the launcher waiting for promotion');
is($standby->safe_psql('postgres', "SELECT count(*) FROM amplified.workers() WHERE kind <> 'launcher'"), '0',
	'standby: no dynamic worker slot');
$primary->stop('immediate');
$standby->restart;    # its uptime below counts from here
my $before = requests();
AmpTest::wait_for($standby, "SELECT now() - pg_postmaster_start_time() > interval '4 seconds'", 't',
	'standby: up for four launcher naptimes after the primary stopped');
is($standby->safe_psql('postgres',
	"SELECT count(*) FROM pg_stat_activity WHERE backend_type LIKE 'amplified%' AND backend_type <> 'amplified launcher'"),
	'0', 'standby: no amplified process but the launcher');
is(requests() - $before, 0, 'standby: the node got no request at all from it');
is(calls(qr/^(eth_sendRawTransaction|eth_sendTransaction|eth_sign|eth_signTransaction)$/), 2,
	'all raw sends came from the primary, for its two confirmed intents; no signing call');

# ---- promoted: the workers start and the pending intents go out once ----
$standby->safe_psql('postgres', 'SELECT pg_promote()');
AmpTest::wait_for($standby, 'SELECT NOT pg_is_in_recovery()', 't', 'promoted');
AmpTest::wait_for($standby,
	"SELECT count(*) = 2 FROM amplified.workers() WHERE kind IN ('tx', 'ingest') AND state = 'running'", 't',
	'promoted: the tx and ingest workers run');
AmpTest::wait_for($standby,
	"SELECT count(*) = 3 FROM amplified.tx_intents WHERE id IN (" . join(',', @pending) . ") AND status = 'confirmed'",
	't', 'promoted: the three pending intents are confirmed');
is($standby->safe_psql('postgres', "SELECT string_agg(nonce::text, ',' ORDER BY nonce) FROM amplified.tx_intents WHERE id IN ("
	  . join(',', @pending) . ')'), '2,3,4', 'promoted: at nonces 2, 3 and 4');
is(calls(qr/^eth_sendRawTransaction$/), 5, 'the node got five raw transactions in all, one per intent');
is(hex($chain->rpc('eth_getTransactionCount', [$A1, 'latest'])), 5, 'the node counts five transactions');

$standby->stop;
done_testing();
