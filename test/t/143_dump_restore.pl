# 143_dump_restore: a running database survives pg_dump -Fc and pg_restore
# into a new cluster pointed at the same node.  The origin, preloaded with
# its workers on and a chain fixture's anvil, deploys a contract through the
# queue, confirms intents, rejects one (a revert), cancels one, watches the
# contract (its logs ingested), lets a strategy of a custom kind decide,
# trips a circuit breaker, trains and deploys a forecast model, records a
# funding payment and pulls the queue's kill switch; it is dumped and
# stopped.  The dump restores in one transaction into a new cluster whose
# workers run at once; there: every dumped table (configuration and books)
# holds the origin's rows, ids included; the sequences go on after them; the
# kill switch is still pulled and the breaker still tripped; the contract's
# history, which is not dumped, is ingested again from the node; the model
# serves; the strategy decides again; and the tx worker sends nothing that
# was sent before: the node's transaction count of the sender grows by the
# one new intent only, which takes the node's next nonce (past one the
# origin used after the dump's snapshot), and no restored intent or attempt
# changes.
use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use AmpTest;
use AmpChain;

my $chain = AmpChain->new;
my $url = $chain->url;

# anvil's well-known development account 1 (a public test key).
my $A1 = '0x70997970c51812dc3a010c7d01b50e0d17dc79c8';
my $K1 = '59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d';
my $keys = AmpTest::key_dir($A1 => $K1);
my $conf = "amplified.keys_dir = '$keys'\n"
  . "amplified.txq_poll_interval = 100\n"
  . "amplified.rpc_timeout = 3000\n";

my $origin = AmpTest::node('origin', conf => $conf);
sub q_on { my ($node, $q) = @_; return $node->safe_psql('postgres', "SET search_path = amplified, public;\n$q"); }
sub sql { return q_on($origin, $_[0]); }

my $FINAL = "('confirmed', 'failed', 'rejected', 'expired', 'cancelled')";
sub wait_final
{
	my ($node, $where, $what) = @_;
	ok($node->poll_query_until('postgres',
		"SELECT count(*) = 0 FROM amplified.tx_intents WHERE ($where) AND status NOT IN $FINAL"),
		"$what: every intent is final");
}
sub tx_count { return hex($chain->rpc('eth_getTransactionCount', [$A1, 'latest'])); }

# Wait until a node has ingested the chain's head (a strategy decides once
# per ingested block).
sub wait_ingested
{
	my ($node, $what) = @_;
	my $h = hex $chain->rpc('eth_blockNumber');
	AmpTest::wait_for($node, "SELECT coalesce(max(number), -1) >= $h FROM amplified.blocks WHERE chain_id = 31337",
		't', "$what: ingested up to block $h");
}

# ---- the origin: a chain, a signer, the queue's history ----
my $code = `cd "$ENV{AMP_ROOT}/test/chain" && node -e "process.stdout.write(require('./compile').load().contracts.Recorder.bytecode)"`;
$code =~ s/^0x//;
like($code, qr/^[0-9a-f]{200,}$/, 'Recorder creation code compiled');

sql(qq{SELECT add_chain(31337, 'anvil', ARRAY['$url'], confirmations => 0, finality_depth => 10,
		poll_interval => '100 ms', enabled => true);
	SELECT add_signer(31337, '$A1', 'key_file');
	SELECT txq_set_signer_policy(31337, '$A1', allow_create => true, max_intents_per_hour => NULL);});
my $deploy = sql(qq{SELECT txq_enqueue(31337, '$A1', NULL, 0, '\\x$code', '{"idempotency_key": "deploy"}')});
wait_final($origin, "id = $deploy", 'deployment');
my $REC = lc $chain->rpc('eth_getTransactionReceipt',
	[ sql("SELECT tx_hash::text FROM tx_intents WHERE id = $deploy") ])->{contractAddress};
like($REC, qr/^0x[0-9a-f]{40}$/, "the Recorder lives at $REC");
sql("SELECT watch_contract(31337, '$REC', 'recorder', 'generic', 0)");

# Five records confirmed, one revert rejected, one intent cancelled before
# it was taken.
sql(qq{SELECT txq_enqueue(31337, '$A1', '$REC', 0, abi_encode_call('record(uint256)', jsonb_build_array(i)),
	jsonb_build_object('idempotency_key', 'rec-' || i)) FROM generate_series(1, 5) AS i});
my $rej = sql(qq{SELECT txq_enqueue(31337, '$A1', '$REC', 0, abi_encode_call('fail(string)', '["not today"]'), '{}')});
my $cancelled = sql(qq{SELECT s.id FROM (SELECT txq_enqueue(31337, '$A1', '$REC', 0,
	abi_encode_call('record(uint256)', '[99]'), '{}') AS id) AS s, LATERAL txq_cancel(s.id) AS c});
wait_final($origin, 'true', 'the queue');
is(sql("SELECT string_agg(status, ',' ORDER BY id) FROM tx_intents"),
	'confirmed,confirmed,confirmed,confirmed,confirmed,confirmed,rejected,cancelled',
	'the queue: deployment and five records confirmed, a revert rejected, one cancelled');
my $head = hex $chain->rpc('eth_blockNumber');
AmpTest::wait_for($origin, "SELECT count(*) = 5 FROM amplified.logs WHERE chain_id = 31337 AND lower(address::text) = '$REC'",
	't', "the Recorder's five logs are ingested");

# A strategy of a custom kind that decides (hold, saying what it saw).
sql(q{
	CREATE SCHEMA custom;
	CREATE FUNCTION custom.idle_validate(params jsonb, chain_id bigint) RETURNS jsonb LANGUAGE sql AS $f$ SELECT params $f$;
	CREATE FUNCTION custom.idle_sync(s amplified.strategies, block bigint) RETURNS void LANGUAGE sql AS $f$ SELECT $f$;
	CREATE FUNCTION custom.idle_gather(s amplified.strategies, block bigint) RETURNS jsonb LANGUAGE sql AS $f$
		SELECT jsonb_build_object('block_number', block)
	$f$;
	CREATE FUNCTION custom.idle_policy(s amplified.strategies, state jsonb) RETURNS jsonb LANGUAGE sql AS $f$
		SELECT jsonb_build_object('action', 'hold', 'reasons', jsonb_build_array('idle_' || (s.params ->> 'idle_share')),
			'plan', jsonb_build_object('block', state -> 'block_number'))
	$f$;
	INSERT INTO amplified.strategy_kinds (kind, validate, sync, gather, policy, description)
	VALUES ('idle', 'custom.idle_validate', 'custom.idle_sync', 'custom.idle_gather', 'custom.idle_policy', 'Hold (a test kind)');
	SELECT amplified.strategy_create('idle vault', 'idle', 31337, '0x00000000000000000000000000000000000000f1',
		'{"idle_share": 0.5}', enabled => true);
	SELECT amplified.run_strategies();
	SELECT amplified.strategy_update((SELECT id FROM amplified.strategies WHERE name = 'idle vault'), '{"idle_share": 0.75}');
	SELECT amplified.risk_set_limits(NULL, max_slippage_bps => 30);
});
$chain->rpc('evm_mine');
wait_ingested($origin, 'a block later');
sql('SELECT run_strategies()');
is(sql("SELECT string_agg(array_to_string(reasons, ','), ' ' ORDER BY id) FROM decisions"), 'idle_0.5 idle_0.75',
	'the strategy decided twice, with two versions of its parameters');

# A tripped breaker (an oracle that never answered is infinitely stale), a
# deployed model, a funding payment, and the queue's kill switch pulled.
sql(q{SELECT risk_add_breaker('stale_oracle', 'oracle_stale', 31337,
	oracle => '0x00000000000000000000000000000000000000f3', heartbeat => '1 hour')});
is(sql("SELECT level FROM risk_evaluate_breakers()"), 'halt', 'the breaker is tripped');
sql(q{SELECT forecast_train('dump_test', 'linear', 'SELECT g::float8 AS x, 2.0 * g + 1 AS y FROM generate_series(1, 20) g', 'y')});
is(sql(q{SELECT round(forecast_predict('dump_test', '{"x": 30}')::numeric, 6)}), '61.000000', 'the model serves');
sql(q{INSERT INTO derivs_funding_payments (venue, market, at, rate, interval_seconds)
	VALUES ('test venue', 'ETH-PERP', '2026-06-01Z', 0.0001, 28800)});
sql("SELECT txq_pause_all('backup test')");

# ---- dump ----
# Every table the extension dumps, and its content (nonces: its keys; the
# restored worker's reconciliation rewrites the rest from the node).
my @tables = split /\n/, sql(q{SELECT c.relname FROM pg_extension e, unnest(e.extconfig) AS x(oid)
	JOIN pg_class c ON c.oid = x.oid WHERE e.extname = 'amplified' AND c.relkind = 'r' ORDER BY 1});
my @sequences = split /\n/, sql(q{SELECT c.relname FROM pg_extension e, unnest(e.extconfig) AS x(oid)
	JOIN pg_class c ON c.oid = x.oid WHERE e.extname = 'amplified' AND c.relkind = 'S' ORDER BY 1});
sub books
{
	my ($node) = @_;
	return join("\n", map {
		my $from = $_ eq 'nonces' ? '(SELECT chain_id, address FROM amplified.nonces)' : "amplified.$_";
		# forecast_keys: a restore adds the dumped keys beside the install's (checked below).
		"$_ " . q_on($node, "SELECT count(*) || ' ' || coalesce(md5(string_agg(t::text, '|' ORDER BY t::text)), '-') FROM $from AS t")
	} grep { $_ ne 'forecast_keys' } @tables);
}
sub seqs
{
	my ($node) = @_;
	return join(',', map { "$_:" . q_on($node, "SELECT last_value FROM amplified.$_") } @sequences);
}
my %dumped = map { $_ => 1 } @tables;
my @books = qw(tx_intents tx_attempts tx_events nonces txq_control risk_settings circuit_breaker_state risk_turnover
	forecast_models forecast_deployments derivs_funding_payments decisions strategy_runs);
is(join(',', grep { $dumped{$_} } @books), join(',', @books),
	'the queue, the kill switches, the breaker state, the models and the decisions are dumped');
ok(!grep({ $_ eq 'blocks' || $_ eq 'logs' || $_ eq 'ingest_cursors' } @tables), 'blocks, logs and cursors are not');
my $before = books($origin);
my $seq_before = seqs($origin);
my $intents_before = sql('SELECT string_agg(t::text, E\'\n\' ORDER BY id) FROM tx_intents t');
my $attempts_before = sql('SELECT string_agg(t::text, E\'\n\' ORDER BY id) FROM tx_attempts t');
my $key = sql(q{SELECT encode(key, 'hex') FROM forecast_keys});
my $max_decision = sql('SELECT max(id) FROM decisions');
my $max_intent = sql('SELECT max(id) FROM tx_intents');
my $count_before = tx_count();
is($count_before, 6, 'the node counts six transactions of the sender');

my $dump = $origin->basedir . '/amplified.dump';
command_ok([ 'pg_dump', '-Fc', '-f', $dump, '-d', $origin->connstr('postgres') ], 'pg_dump -Fc of the running database');
is(books($origin), $before, 'the origin did not change while it was dumped');

# The origin goes on after the dump's snapshot: one more intent, sent and
# confirmed at nonce 6, which the dump does not know.  The restored worker
# must learn the nonce from the node, not sign another payload at it.
sql("SELECT txq_resume_all()");
my $late = sql(qq{SELECT txq_enqueue(31337, '$A1', '$REC', 0, abi_encode_call('record(uint256)', '[50]'), '{}')});
wait_final($origin, "id = $late", 'an intent after the dump');
is(sql("SELECT status || ':' || nonce FROM tx_intents WHERE id = $late"), 'confirmed:6', 'it is confirmed at nonce 6');
$origin->stop;
my $count_stop = tx_count();
is($count_stop, $count_before + 1, 'the node counts it');

# ---- restore into a new cluster, workers on ----
my $restored = AmpTest::node('restored', conf => $conf, no_extension => 1);
my ($out, $err) = ('', '');
my $rc = IPC::Run::run([ 'pg_restore', '--single-transaction', '--exit-on-error', '-d', $restored->connstr('postgres'), $dump ],
	'>', \$out, '2>', \$err);
ok($rc, 'pg_restore --single-transaction into the new cluster succeeds');
is($err, '', 'with nothing on stderr');
sub rsql { return q_on($restored, $_[0]); }

is(books($restored), $before, 'every dumped table holds the origin\'s rows, ids included');
is(seqs($restored), $seq_before, 'the sequences stand where they stood');
is(rsql('SELECT string_agg(kind || \':\' || builtin, \',\' ORDER BY kind) FROM strategy_kinds'),
	'allocate:true,hedge:true,idle:false,lend:true,leverage:true,lp_univ3:true,stake:true',
	'builtin kinds once, the custom kind back');
is(rsql('SELECT paused || \':\' || reason FROM txq_control'), 'true:backup test', 'the kill switch is still pulled');
is(rsql('SELECT count(*) FROM txq_control') . ':' . rsql('SELECT count(*) FROM risk_settings'), '1:1',
	'the one-row settings tables hold one row');
is(rsql('SELECT level FROM circuit_breaker_state'), 'halt', 'the breaker is still tripped');
is(rsql("SELECT string_agg(event || ':' || coalesce(to_status, ''), ',' ORDER BY id) FROM tx_events WHERE intent_id = $cancelled"),
	'enqueued:pending,status:cancelled', 'the audit trail of the cancelled intent, once');
is(rsql(q{SELECT count(*) || ':' || (array_agg(encode(key, 'hex') ORDER BY created_at))[1] FROM forecast_keys}), "2:$key",
	"the origin's sealing key is back, beside the new install's, and is the oldest");
is(rsql(q{SELECT round(forecast_predict('dump_test', '{"x": 30}')::numeric, 6)}), '61.000000',
	'the restored model serves (its seal verifies under the restored key)');

# History is re-ingested from the node: the contract's cursor starts at its
# from_block again, and its logs come back.
AmpTest::wait_for($restored, "SELECT coalesce(max(number), -1) >= $head FROM amplified.blocks WHERE chain_id = 31337",
	't', "the blocks are ingested again up to $head");
AmpTest::wait_for($restored, "SELECT count(*) = 6 FROM amplified.logs WHERE chain_id = 31337 AND lower(address::text) = '$REC'",
	't', "the Recorder's six logs (the one after the dump too) are ingested again");

# The workers ran (ingestion above); the queue is paused: the tx worker
# must not have touched the chain.
is(tx_count(), $count_stop, 'while paused, the node counts no new transaction of the sender');

# Lift the switch and send one more: the worker takes the node's next nonce
# (7: the origin used 6 after the dump), and sends nothing it had sent
# before.
rsql("SELECT txq_resume_all()");
my $new = rsql(qq{SELECT txq_enqueue(31337, '$A1', '$REC', 0, abi_encode_call('record(uint256)', '[100]'), '{}')});
ok($new > $max_intent, 'a new intent gets an id above the restored ones');
wait_final($restored, "id = $new", 'the new intent');
is(rsql("SELECT status || ':' || nonce FROM tx_intents WHERE id = $new"), 'confirmed:7',
	"it is confirmed at the node's next nonce, not at the one the origin used after the dump");
is(tx_count(), $count_stop + 1, 'the node counts exactly one more transaction of the sender');
is($chain->call($REC, 'count(uint256) view returns (uint256)', 50), '1', "the origin's late record ran once");
is($chain->call($REC, 'count(uint256) view returns (uint256)', 100), '1', "the restored database's record ran once");
is(rsql("SELECT string_agg(t::text, E'\\n' ORDER BY id) FROM tx_intents t WHERE id <= $max_intent"), $intents_before,
	'no restored intent changed');
is(rsql("SELECT string_agg(t::text, E'\\n' ORDER BY id) FROM tx_attempts t WHERE intent_id <= $max_intent"), $attempts_before,
	'no restored attempt changed, none was added (nothing re-sent)');
is($chain->call($REC, 'count(uint256) view returns (uint256)', 1), '1', 'a record of the origin ran once on chain');

# Strategies run again at the new block; ids go on after the restored ones.
wait_ingested($restored, 'after the new intent');
rsql(q{SELECT strategy_update((SELECT id FROM strategies WHERE name = 'idle vault'), '{"idle_share": 0.25}');
	SELECT run_strategies();});
is(rsql("SELECT string_agg(array_to_string(reasons, ','), ' ' ORDER BY id) FROM decisions WHERE id > $max_decision"),
	'idle_0.25', 'the strategy decides again in the restored database, with an id above the restored ones');


$restored->stop;
done_testing();
