# 081_txq_worker: the tx worker against the local chain fixture.
#
# A contract deployed through the queue; 200 intents executed exactly once;
# SIGKILL of the worker at every step boundary, several times each: no
# intent lost, none executed twice, nonces contiguous; a transaction the
# node drops is sent again; a mined transaction removed by a reorg ends
# confirmed exactly once; a stuck transaction is replaced with both fees
# raised by at least 12.5%, and a fee cap stops a replacement with an alert;
# a revert rejects an intent with its reason, while an intent that depends
# on an earlier one waits for it; the kill switch, pause, cancel and expiry
# hold intents back; a chain-id mismatch is refused before anything is
# signed; a key file readable by others is refused; and with
# log_min_messages = debug5 no key appears in the server log.
use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use JSON::PP;
use Time::HiRes qw(sleep);
use AmpTest;
use AmpChain;

my $chain = AmpChain->new;
my $url = $chain->url;

# anvil's well-known development accounts 1 and 2 (public test keys).
my $A1 = '0x70997970c51812dc3a010c7d01b50e0d17dc79c8';
my $K1 = '59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d';
my $A2 = '0x3c44cdddb6a900fa2b585dd299e03d12fa4293bc';

my $keys = AmpTest::key_dir($A1 => $K1);

my $node = AmpTest::node('txq', conf => "amplified.keys_dir = '$keys'\n"
	  . "amplified.txq_poll_interval = 100\n"
	  . "amplified.rpc_timeout = 3000\n"
	  . "log_min_messages = debug5\n"
	  . "log_statement = 'all'\n");

sub sql { return $node->safe_psql('postgres', "SET search_path = amplified, public;\n$_[0]"); }

# The Recorder's creation code, from the fixture's compiled mocks.
my $code = `cd "$ENV{AMP_ROOT}/test/chain" && node -e "process.stdout.write(require('./compile').load().contracts.Recorder.bytecode)"`;
$code =~ s/^0x//;
like($code, qr/^[0-9a-f]{200,}$/, 'Recorder creation code compiled');

sql(qq{SELECT amplified.add_chain(31337, 'anvil', ARRAY['$url'], confirmations => 0, finality_depth => 10,
		poll_interval => '100 ms', enabled => true);
	SELECT amplified.add_signer(31337, '$A1', 'key_file');
	SELECT amplified.txq_set_signer_policy(31337, '$A1', allow_create => true, max_intents_per_hour => NULL);});

AmpTest::wait_for($node,
	"SELECT count(*) = 1 FROM amplified.workers() WHERE kind = 'tx' AND chain_id = 31337 AND state = 'running'",
	't', 'the launcher starts a tx worker for the chain with a signer');
is(sql("SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'amplified tx worker'"), '1',
	'pg_stat_activity shows the amplified tx worker');

# Final statuses.
my $FINAL = "('confirmed', 'failed', 'rejected', 'expired', 'cancelled')";

sub wait_final
{
	my ($where, $what) = @_;
	ok($node->poll_query_until('postgres',
		"SELECT count(*) = 0 FROM amplified.tx_intents WHERE ($where) AND status NOT IN $FINAL"),
		"$what: every intent is final");
}

# Deploy the Recorder through the queue (a contract creation).
my $deploy_id = sql(qq{SELECT amplified.txq_enqueue(31337, '$A1', NULL, 0, '\\x$code', '{"idempotency_key": "deploy-recorder"}')});
wait_final("id = $deploy_id", 'deployment');
is(sql("SELECT status FROM amplified.tx_intents WHERE id = $deploy_id"), 'confirmed', 'the deployment is confirmed');
my $hash = sql("SELECT tx_hash::text FROM amplified.tx_intents WHERE id = $deploy_id");
my $receipt = $chain->rpc('eth_getTransactionReceipt', [$hash]);
my $REC = lc $receipt->{contractAddress};
like($REC, qr/^0x[0-9a-f]{40}$/, "the Recorder lives at $REC");
is(sql("SELECT amplified.txq_enqueue(31337, '$A1', NULL, 0, '\\x$code', '{\"idempotency_key\": \"deploy-recorder\"}')"),
	$deploy_id, 'enqueueing the same idempotency key again returns the same intent');

# No more debug5 from here: the deployment and its signing were logged at it.
sql("ALTER SYSTEM SET log_min_messages = 'info'; ALTER SYSTEM SET log_statement = 'none'; SELECT pg_reload_conf()");

# Enqueue record(id) for each id; returns the intent ids.
sub enqueue_records
{
	my ($tag, @ids) = @_;
	return sql(qq{SELECT string_agg(amplified.txq_enqueue(31337, '$A1', '$REC', 0,
		amplified.abi_encode_call('record(uint256)', jsonb_build_array(i)),
		jsonb_build_object('idempotency_key', '$tag-' || i))::text, ',' ORDER BY i)
		FROM unnest(ARRAY[@{[ join(',', @ids) ]}]) AS i});
}

# count(id) on chain for every id, in one batched call: "id:count" lines.
sub onchain_counts
{
	my (@ids) = @_;
	return sql(qq{SELECT string_agg(i || ':' || (amplified.abi_decode('uint256', decode(substr(b.result #>> '{}', 3), 'hex')) ->> 0), ',' ORDER BY i)
		FROM unnest(ARRAY[@{[ join(',', @ids) ]}]) WITH ORDINALITY AS t(i, ord)
		JOIN amplified.rpc_batch(31337, (SELECT jsonb_agg(jsonb_build_object('method', 'eth_call', 'params',
				jsonb_build_array(jsonb_build_object('to', '$REC', 'data',
					'0x' || encode(amplified.abi_encode_call('count(uint256)', jsonb_build_array(i)), 'hex')), 'latest'))
				ORDER BY ord) FROM unnest(ARRAY[@{[ join(',', @ids) ]}]) WITH ORDINALITY AS u(i, ord))) AS b
		  ON b.ord = t.ord});
}

sub expect_once
{
	my ($what, @ids) = @_;
	is(onchain_counts(@ids), join(',', map { "$_:1" } sort { $a <=> $b } @ids),
		"$what: each of " . scalar(@ids) . " records executed exactly once on chain");
}

# Nonces of sender A1: every confirmed or failed intent holds a distinct
# nonce, they run from 0 without a gap, and the node agrees.
sub nonces_contiguous
{
	my ($what) = @_;
	my ($n, $distinct, $max) = split /\|/, sql(qq{SELECT count(*), count(DISTINCT nonce), coalesce(max(nonce), -1)
		FROM amplified.tx_intents WHERE sender = '$A1' AND status IN ('confirmed', 'failed')});
	is("$distinct/$max", "$n/" . ($n - 1), "$what: $n nonces, distinct and contiguous from 0");
	is(hex($chain->rpc('eth_getTransactionCount', [$A1, 'latest'])), $n, "$what: the node's nonce count agrees");
	is(sql(qq{SELECT count(*) FROM (SELECT intent_id FROM amplified.tx_attempts WHERE sender = '$A1'
		AND status IN ('confirmed', 'failed') GROUP BY intent_id HAVING count(*) > 1) s}), '0',
		"$what: no intent has two mined attempts");
}

# ---- 200 intents, exactly once ----
my @batch = (1 .. 200);
enqueue_records('batch', @batch);
wait_final("idempotency_key LIKE 'batch-%'", '200 intents');
is(sql("SELECT count(*) FROM amplified.tx_intents WHERE idempotency_key LIKE 'batch-%' AND status = 'confirmed'"),
	'200', 'all 200 intents are confirmed');
expect_once('200 intents', @batch);
nonces_contiguous('after 200 intents');
is(sql("SELECT string_agg(DISTINCT event || ':' || coalesce(to_status, ''), ',') FROM amplified.tx_events e
	JOIN amplified.tx_intents i ON i.id = e.intent_id WHERE i.idempotency_key = 'batch-1' AND e.event = 'status'"),
	'status:confirmed,status:mined,status:reserved,status:sent,status:signed',
	'the audit trail of an intent holds each transition');

# Poll $sql until it returns 't', through a crash restart: while the
# server restarts, psql cannot connect (and poll_query_until may die on the
# broken pipe), so every attempt is wrapped.
sub wait_through_crash
{
	my ($sql) = @_;
	for (1 .. 1800)
	{
		my $out = eval {
			my ($rc, $stdout) = $node->psql('postgres', $sql);
			$rc == 0 ? $stdout : '';
		};
		return 1 if defined $out && $out eq 't';
		sleep 0.1;
	}
	return 0;
}

# ---- SIGKILL at every step boundary ----
my @points = qw(after_reserve after_sign after_persist after_broadcast after_receipt);
my $next_id = 1000;
my @killed_ids;
for my $round (1 .. 3)
{
	for my $point (@points)
	{
		sql("ALTER SYSTEM SET amplified.txq_test_stop_at = '$point'; SELECT pg_reload_conf()");
		# The worker reads the setting at the top of its next cycle.
		sleep 0.5;
		my @ids = map { $next_id++ } 1 .. 3;
		push @killed_ids, @ids;
		enqueue_records("kill", @ids);
		ok($node->poll_query_until('postgres',
			"SELECT count(*) = 1 FROM amplified.workers() WHERE kind = 'tx' AND state = 'stopped'"),
			"round $round: the worker stopped $point");
		my $pid = sql("SELECT pid FROM amplified.workers() WHERE kind = 'tx'");
		# Reset it for the processes the postmaster starts next (a stopped
		# worker does not reload its configuration), then kill.
		sql("ALTER SYSTEM RESET amplified.txq_test_stop_at; SELECT pg_reload_conf()");
		sleep 0.3;
		kill 'KILL', $pid;
		# The postmaster restarts every backend after a crash; wait for it.
		ok(wait_through_crash(
			"SELECT count(*) = 1 FROM amplified.workers() WHERE kind = 'tx' AND state = 'running' AND pid <> $pid"),
			"round $round: after SIGKILL $point a new tx worker runs");
	}
}
wait_final("idempotency_key LIKE 'kill-%'", 'after the kills');
is(sql("SELECT count(*) FROM amplified.tx_intents WHERE idempotency_key LIKE 'kill-%' AND status = 'confirmed'"),
	scalar(@killed_ids), 'no intent was lost across the kills');
expect_once('after the kills', @killed_ids);
nonces_contiguous('after the kills');

# ---- a dropped transaction is sent again ----
$chain->rpc('evm_setAutomine', [JSON::PP::false]);
my ($drop) = enqueue_records('drop', 5000);
ok($node->poll_query_until('postgres', "SELECT status = 'sent' FROM amplified.tx_intents WHERE id = $drop"),
	'drop: the intent is sent');
my $dhash = sql("SELECT hash::text FROM amplified.tx_attempts WHERE intent_id = $drop");
$chain->rpc('anvil_dropTransaction', [$dhash]);
ok($node->poll_query_until('postgres',
	"SELECT count(*) > 0 FROM amplified.tx_events WHERE intent_id = $drop AND event = 'dropped'"),
	'drop: the worker notices the node no longer has it');
ok($node->poll_query_until('postgres',
	"SELECT broadcasts >= 2 AND status = 'sent' FROM amplified.tx_attempts WHERE intent_id = $drop"),
	'drop: the same signed bytes are broadcast again');
ok(defined $chain->rpc('eth_getTransactionByHash', [$dhash]), 'drop: the node has the transaction again');
$chain->rpc('evm_mine');
wait_final("id = $drop", 'drop');
is(sql("SELECT status || ':' || (SELECT count(*) FROM amplified.tx_attempts WHERE intent_id = $drop)
	FROM amplified.tx_intents WHERE id = $drop"), 'confirmed:1', 'drop: confirmed, with its one attempt');
expect_once('drop', 5000);

# ---- a reorg removes a mined transaction ----
sql("SELECT amplified.alter_chain(31337, confirmations => 3)");
my ($reorg) = enqueue_records('reorg', 5001);
ok($node->poll_query_until('postgres', "SELECT status = 'sent' FROM amplified.tx_intents WHERE id = $reorg"),
	'reorg: the intent is sent');
$chain->rpc('evm_mine');
ok($node->poll_query_until('postgres', "SELECT status = 'mined' FROM amplified.tx_intents WHERE id = $reorg"),
	'reorg: mined, waiting for 3 confirmations');
my $mined_block = sql("SELECT block_number FROM amplified.tx_intents WHERE id = $reorg");
# Replace the block that holds it with an empty one.
$chain->rpc('anvil_reorg', [1, []]);
ok($node->poll_query_until('postgres',
	"SELECT count(*) > 0 FROM amplified.tx_events WHERE intent_id = $reorg AND event = 'reorged'"),
	"reorg: the worker sees block $mined_block leave the canonical chain");
ok($node->poll_query_until('postgres',
	"SELECT status = 'sent' AND broadcasts >= 2 FROM amplified.tx_attempts WHERE intent_id = $reorg"),
	'reorg: the same bytes are broadcast again');
$chain->rpc('evm_mine') for 1 .. 4;
wait_final("id = $reorg", 'reorg');
is(sql("SELECT status FROM amplified.tx_intents WHERE id = $reorg"), 'confirmed', 'reorg: confirmed');
expect_once('reorg', 5001);
sql("SELECT amplified.alter_chain(31337, confirmations => 0)");

# ---- a stuck transaction is replaced ----
sql("UPDATE amplified.signers SET replace_after = '1 second' WHERE address = '$A1'");
my ($stuck) = enqueue_records('stuck', 5002);
ok($node->poll_query_until('postgres',
	"SELECT count(*) >= 3 FROM amplified.tx_attempts WHERE intent_id = $stuck"),
	'stuck: the worker replaced the transaction twice');
my @fees = split /\n/, sql("SELECT max_fee_per_gas::numeric || ' ' || max_priority_fee_per_gas::numeric || ' ' || nonce
	FROM amplified.tx_attempts WHERE intent_id = $stuck ORDER BY id");
my $bumps_ok = 1;
for my $i (1 .. $#fees)
{
	my ($f0, $t0, $n0) = split / /, $fees[$i - 1];
	my ($f1, $t1, $n1) = split / /, $fees[$i];
	$bumps_ok = 0 unless $n1 == $n0 && $f1 * 8 >= $f0 * 9 && $t1 * 8 >= $t0 * 9 && $f1 > $f0 && $t1 > $t0;
}
ok($bumps_ok, 'stuck: every replacement keeps the nonce and raises both fees by at least 12.5% and 1 wei')
  or diag(join("\n", @fees));
$chain->rpc('evm_mine');
wait_final("id = $stuck", 'stuck');
is(sql("SELECT string_agg(status, ',' ORDER BY status) FROM (SELECT DISTINCT status FROM amplified.tx_attempts WHERE intent_id = $stuck) s"),
	'confirmed,replaced', 'stuck: one attempt confirmed, the others replaced');
expect_once('stuck', 5002);

# A cap that forbids the bump: an alert, no replacement.
my $base = hex($chain->rpc('eth_getBlockByNumber', ['latest', JSON::PP::false])->{baseFeePerGas});
my $cap = $base + 1;
my ($capped) = split /,/, sql(qq{SELECT amplified.txq_enqueue(31337, '$A1', '$REC', 0,
	amplified.abi_encode_call('record(uint256)', '[5003]'), '{"max_fee_per_gas": $cap, "max_priority_fee_per_gas": 1}')});
ok($node->poll_query_until('postgres',
	"SELECT alert LIKE '%above the cap%' FROM amplified.tx_intents WHERE id = $capped"),
	'cap: a replacement above the fee cap raises an alert instead');
is(sql("SELECT count(*) || ':' || max(max_fee_per_gas::text) FROM amplified.tx_attempts WHERE intent_id = $capped"),
	"1:$cap", 'cap: one attempt, at the cap');
is(sql("SELECT alerts FROM amplified.v_tx_queue WHERE sender = '$A1'"), '1', 'cap: v_tx_queue counts the alert');
ok(sql("SELECT count(*) FROM amplified.tx_events WHERE intent_id = $capped AND event = 'alert'") >= 1,
	'cap: the alert is in the audit trail');
$chain->rpc('evm_mine');
wait_final("id = $capped", 'cap');
expect_once('cap', 5003);
sql("UPDATE amplified.signers SET replace_after = '1 minute' WHERE address = '$A1'");
$chain->rpc('evm_setAutomine', [JSON::PP::true]);

# ---- simulation: a revert rejects, a dependency waits ----
my $rej = sql(qq{SELECT amplified.txq_enqueue(31337, '$A1', '$REC', 0,
	amplified.abi_encode_call('fail(string)', '["not today"]'), '{}')});
wait_final("id = $rej", 'revert');
is(sql("SELECT status || ': ' || error FROM amplified.tx_intents WHERE id = $rej"),
	'rejected: simulation reverted: reverted: not today', 'a reverting intent is rejected with its decoded reason');
is(sql("SELECT count(*) FROM amplified.tx_attempts WHERE intent_id = $rej"), '0', 'nothing was signed for it');

# Queued and paused in one transaction (no intent is taken while paused).
my ($first, $second) = grep { /^\d+$/ } split /\n/, sql(qq{BEGIN;
	SELECT amplified.txq_enqueue(31337, '$A1', '$REC', 0,
		amplified.abi_encode_call('record(uint256)', '[6000]'), '{"idempotency_key": "dep-6000"}');
	SELECT amplified.txq_enqueue(31337, '$A1', '$REC', 0,
		amplified.abi_encode_call('recordAfter(uint256,uint256)', '[6001, 6000]'), '{}');
	SELECT amplified.txq_pause_all('test');
	COMMIT;});
my ($prc, $pout, $perr) = $node->psql('postgres',
	"SELECT amplified.txq_enqueue(31337, '$A1', '$REC', 0, '\\x', '{}')");
like($perr, qr/the transaction queue is paused: no intent is taken/, 'kill switch: no intent is taken while paused');
sleep 1;
is(sql("SELECT string_agg(status, ',' ORDER BY id) FROM amplified.tx_intents WHERE id IN ($first, $second)"),
	'pending,pending', 'kill switch: nothing moves while the queue is paused');
sql("SELECT amplified.txq_resume_all()");
wait_final("id IN ($first, $second)", 'dependency');
is(sql("SELECT string_agg(status, ',' ORDER BY id) FROM amplified.tx_intents WHERE id IN ($first, $second)"),
	'confirmed,confirmed', 'an intent that reverts until an earlier one is mined waits for it, then runs');
expect_once('dependency', 6000, 6001);

# ---- pause, cancel, expiry ----
# Each is enqueued and held back in the same transaction, before the worker
# can see it.
sub enqueue_held
{
	my ($id, $opts, $hold) = @_;
	return sql(qq{SELECT s.id FROM (SELECT amplified.txq_enqueue(31337, '$A1', '$REC', 0,
		amplified.abi_encode_call('record(uint256)', '[$id]'), '$opts') AS id) AS s,
		LATERAL amplified.$hold(s.id) AS h});
}
my $p = enqueue_held(6002, '{}', 'txq_pause');
my $c = enqueue_held(6003, '{}', 'txq_cancel');
my $e = enqueue_held(6004, '{"valid_for": "1 second"}', 'txq_pause');
sleep 1.5;
wait_final("id IN ($c, $e)", 'cancel and expiry');
is(sql("SELECT string_agg(status, ',' ORDER BY id) FROM amplified.tx_intents WHERE id IN ($p, $c, $e)"),
	'pending,cancelled,expired', 'a paused intent waits; a cancelled one and an expired one are never sent');
sql("SELECT amplified.txq_resume($p)");
wait_final("id = $p", 'resume');
is(onchain_counts(6002, 6003, 6004), '6002:1,6003:0,6004:0', 'only the resumed intent reached the chain');
nonces_contiguous('after pause, cancel and expiry');

# ---- a key file readable by others is refused ----
chmod 0644, "$keys/$A1.key";
my ($loose) = enqueue_records('loose', 6005);
ok($node->poll_query_until('postgres',
	"SELECT alert LIKE 'signing failed:%' FROM amplified.tx_intents WHERE id = $loose"),
	'a key file readable by others is refused');
like(sql("SELECT alert FROM amplified.tx_intents WHERE id = $loose"), qr/permission|mode|readable/i,
	'the alert says why');
is(sql("SELECT count(*) FROM amplified.tx_attempts WHERE intent_id = $loose"), '0', 'nothing was signed with it');
chmod 0600, "$keys/$A1.key";
wait_final("id = $loose", 'key file fixed');
is(sql("SELECT status || ':' || coalesce(alert, '') FROM amplified.tx_intents WHERE id = $loose"), 'confirmed:',
	'once the mode is fixed the intent is signed, and the alert is cleared');

# ---- a chain-id mismatch is refused before signing ----
sql(qq{SELECT amplified.add_chain(999, 'wrong', ARRAY['$url'], confirmations => 0, finality_depth => 10);
	SELECT amplified.add_signer(999, '$A1', 'key_file');
	SELECT amplified.txq_set_signer_policy(999, '$A1');});
my $wrong = sql(qq{SELECT amplified.txq_enqueue(999, '$A1', '$REC', 0, '\\x', '{"gas_limit": 50000, "simulate": false}')});
ok($node->poll_query_until('postgres',
	"SELECT last_error LIKE '%chain id%' FROM amplified.workers() WHERE kind = 'tx' AND chain_id = 999"),
	'chain-id mismatch: the worker of chain 999 reports it');
is(sql("SELECT status || ':' || (SELECT count(*) FROM amplified.tx_attempts WHERE chain_id = 999) FROM amplified.tx_intents WHERE id = $wrong"),
	'pending:0', 'chain-id mismatch: nothing was signed');
sql("SELECT amplified.txq_cancel($wrong); SELECT amplified.remove_signer(999, '$A1')");

# ---- the node's own accounts ----
sql("SELECT amplified.add_signer(31337, '$A2', 'node'); SELECT amplified.txq_set_signer_policy(31337, '$A2')");
my $nid = sql(qq{SELECT amplified.txq_enqueue(31337, '$A2', '$REC', 0,
	amplified.abi_encode_call('record(uint256)', '[7000]'), '{}')});
wait_final("id = $nid", 'node signer');
is(sql("SELECT status FROM amplified.tx_intents WHERE id = $nid"), 'confirmed', 'a node signer (eth_signTransaction on the node) works');
expect_once('node signer', 7000);

# ---- no key in the logs ----
my $log = slurp_file($node->logfile);
ok(length($log) > 10000, 'the server log was written (' . length($log) . ' bytes, debug5 during the deployment)');
unlike($log, qr/$K1/i, 'the private key appears nowhere in the server log');

done_testing();
