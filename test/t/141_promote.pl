# 141_promote: a standby promoted after its primary crashed never signs a
# second payload at a nonce the node already has a transaction at, and never
# carries an intent out twice.
#
# The primary signs and broadcasts two intents whose signing never reached
# the standby (the standby is stopped first), then crashes: the standby has
# one of them reserved at nonce 1 and never signed, the other pending.
# anvil, with automining off, holds both transactions in its pool (nonces 1
# and 2).  After pg_promote() the standby's tx worker reconciles with the
# node before it signs anything: it finds nonces 1 and 2 unaccounted for,
# reads their transactions from the node's pool (txpool_contentFrom, which
# the proxy answers as geth does; later txpool_content, as anvil answers)
# and their bytes from eth_getRawTransactionByHash, and adopts each as the attempt of the intent
# it matches (the one reserved at that nonce, else a pending one with the
# same target, value and data); both end mined once.  A fresh intent takes
# nonce 3.  Every JSON-RPC call goes through a counting proxy (RpcStub /lag
# without a cap): the new primary sends exactly one raw transaction (the
# fresh one) and no signing call ever reaches the node.
#
# Then the case the node cannot show: a transaction of the signer already
# mined, sent by another hand with the payload of a pending intent.  At the
# worker's next start (a restart) reconciliation holds every intent of that
# signer not signed here, with an alert; nothing is signed for them until an
# admin resolves each one (txq_resolve_held): carried out (cancelled, never
# sent) or not (queued again at a fresh nonce).
#
# No timing assertion: every wait is a bounded polling loop.
use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use JSON::PP;
use AmpTest;
use AmpChain;
use RpcStub;
use HTTP::Tiny;

my $chain = AmpChain->new;
my $proxy = RpcStub->new(chain_id => 31337, upstream => $chain->url);
my $url = $proxy->url('/lag');

# anvil's development account 1 (a public test key).
my $A1 = '0x70997970c51812dc3a010c7d01b50e0d17dc79c8';
my $K1 = '59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d';
my $SINK = '0x00000000000000000000000000000000000b0b02';
my $keys = AmpTest::key_dir($A1 => $K1);

my $primary = AmpTest::node('primary', allows_streaming => 1,
	conf => "amplified.keys_dir = '$keys'\namplified.txq_poll_interval = 100\n");
$primary->safe_psql('postgres', 'ALTER DATABASE postgres SET search_path = amplified, public');

# How many calls of a method the node was asked, by anyone, so far.
sub calls
{
	my ($re) = @_;
	return scalar grep { $_ =~ $re } map { @{ $_->{methods} } } $proxy->requests('/lag');
}

sub enqueue
{
	my ($node, $tag, $value) = @_;
	return $node->safe_psql('postgres', qq{SELECT amplified.txq_enqueue(31337, '$A1', '$SINK', '$value', '',
		jsonb_build_object('idempotency_key', '$tag', 'simulate', false, 'gas_limit', 21000))});
}

sub balance { return hex($chain->rpc('eth_getBalance', [$SINK, 'latest'])); }

$primary->safe_psql('postgres', qq{SELECT amplified.add_chain(31337, 'anvil', ARRAY['$url'], confirmations => 0,
		finality_depth => 10, poll_interval => '100 ms', enabled => true);
	SELECT amplified.add_signer(31337, '$A1', 'key_file');
	SELECT amplified.txq_set_signer_policy(31337, '$A1', ARRAY['$SINK']::amplified.address[],
		ARRAY['\\x']::bytea[], max_value => '1000', max_intents_per_hour => NULL);});

# ---- a working primary: nonce 0 ----
my $x1 = enqueue($primary, 'x1', 1);
AmpTest::wait_for($primary, "SELECT status = 'confirmed' FROM amplified.tx_intents WHERE id = $x1", 't',
	'primary: the first intent is confirmed');
is($primary->safe_psql('postgres', "SELECT nonce FROM amplified.tx_intents WHERE id = $x1"), '0',
	'primary: it took nonce 0');

# ---- a streaming standby ----
$primary->backup('b');
my $standby = PostgreSQL::Test::Cluster->new('standby');
$standby->init_from_backup($primary, 'b', has_streaming => 1);
$standby->start;
$primary->wait_for_catchup($standby, 'replay');
AmpTest::wait_for($standby, "SELECT state = 'standby' FROM amplified.workers() WHERE kind = 'launcher'", 't',
	'standby: the launcher says it waits for promotion');
is($standby->safe_psql('postgres', "SELECT count(*) FROM amplified.workers() WHERE kind <> 'launcher'"), '0',
	'standby: no dynamic worker runs');

# ---- the primary signs two intents the standby never sees signed ----
# One (x2b) the standby sees reserved at nonce 1, the other (x2) pending:
# the primary's worker is stopped right after it reserved x2b
# (amplified.txq_test_stop_at), x2 is enqueued meanwhile, the standby
# replays both and is stopped; then the worker is let go: it signs and
# broadcasts both, and the primary crashes.
$chain->rpc('evm_setAutomine', [JSON::PP::false]);
$chain->rpc('anvil_setIntervalMining', [0]);
$primary->safe_psql('postgres', "ALTER SYSTEM SET amplified.txq_test_stop_at = 'after_reserve'; SELECT pg_reload_conf()");
AmpTest::wait_for($primary, "SELECT current_setting('amplified.txq_test_stop_at') = 'after_reserve'", 't',
	'primary: the tx worker will stop after its next reservation');
my $x2b = enqueue($primary, 'x2b', 8);
AmpTest::wait_for($primary, "SELECT state = 'stopped' FROM amplified.workers() WHERE kind = 'tx'", 't',
	'primary: the tx worker stopped after reserving an intent');
my $x2 = enqueue($primary, 'x2', 2);
$primary->wait_for_catchup($standby, 'replay');
is($standby->safe_psql('postgres', "SELECT string_agg(status || ' ' || coalesce(nonce::text, '-'), ',' ORDER BY id)
	FROM amplified.tx_intents WHERE id IN ($x2b, $x2)"),
	'reserved 1,pending -', 'standby: one intent reserved at nonce 1 and never signed, one pending');
$standby->stop('fast');

$primary->safe_psql('postgres', "ALTER SYSTEM RESET amplified.txq_test_stop_at; SELECT pg_reload_conf()");
$primary->safe_psql('postgres', "SELECT pg_terminate_backend(pid) FROM amplified.workers() WHERE kind = 'tx'");
AmpTest::wait_for($primary, "SELECT count(*) = 2 FROM amplified.tx_intents WHERE id IN ($x2b, $x2) AND status = 'sent'", 't',
	'primary: both intents are signed and sent');
my %hash = map { split / / } split /\n/, $primary->safe_psql('postgres',
	"SELECT intent_id || ' ' || lower(hash::text) FROM amplified.tx_attempts WHERE intent_id IN ($x2b, $x2)");
is($primary->safe_psql('postgres', "SELECT string_agg(nonce::text, ',' ORDER BY id) FROM amplified.tx_intents WHERE id IN ($x2b, $x2)"),
	'1,2', 'primary: at nonces 1 and 2');
my $pool = $chain->rpc('txpool_content');
my ($mine) = grep { lc($_) eq $A1 } keys %{ $pool->{pending} };
is(join(',', map { lc($pool->{pending}{$mine}{$_}{hash}) } 1, 2), "$hash{$x2b},$hash{$x2}",
	'the node holds them in its pool at nonces 1 and 2');
$primary->stop('immediate');
my $sent_by_old = calls(qr/^eth_sendRawTransaction$/);
ok($sent_by_old >= 3, "the old primary sent its three transactions ($sent_by_old raw sends)");

# ---- the standby, still in recovery, does nothing; then it is promoted ----
# The node answers txpool_contentFrom as geth does (the proxy computes it).
ok(HTTP::Tiny->new->post($proxy->url('/lag/content_from/on'))->{success}, 'the node answers txpool_contentFrom');
$standby->start;
AmpTest::wait_for($standby, "SELECT state = 'standby' FROM amplified.workers() WHERE kind = 'launcher'", 't',
	'restarted standby: the launcher waits for promotion');
note($standby->safe_psql('postgres', "SELECT kind, chain_id, state, detail FROM amplified.v_workers",
	extra_params => ['-P', 'format=aligned', '-P', 'tuples_only=off']));
$standby->safe_psql('postgres', 'SELECT pg_promote()');
AmpTest::wait_for($standby, 'SELECT NOT pg_is_in_recovery()', 't', 'promoted');
my $new = $standby;
AmpTest::wait_for($new, "SELECT count(*) = 1 FROM amplified.workers() WHERE kind = 'tx' AND state = 'running'", 't',
	'new primary: its tx worker starts');
AmpTest::wait_for($new, "SELECT count(*) = 2 FROM amplified.tx_intents WHERE id IN ($x2b, $x2) AND status = 'sent'", 't',
	'new primary: both intents are sent');
for my $c ([$x2b, 1, 'reserved'], [$x2, 2, 'pending'])
{
	my ($id, $nonce, $was) = @$c;
	is($new->safe_psql('postgres', "SELECT i.nonce || ' ' || count(*) OVER () || ' ' || lower(a.hash::text)
		FROM amplified.tx_intents AS i JOIN amplified.tx_attempts AS a ON a.intent_id = i.id WHERE i.id = $id"),
		"$nonce 1 $hash{$id}", "new primary: the $was intent's one attempt is the old primary's transaction, at nonce $nonce");
	like($new->safe_psql('postgres', "SELECT string_agg(detail, '|') FROM amplified.tx_events WHERE intent_id = $id AND event = 'adopted'"),
		qr/^transaction \Q$hash{$id}\E at nonce $nonce is in the node's pool but was never signed by this database/,
		"new primary: the audit trail says the $was intent was adopted, not signed");
}
is(calls(qr/^eth_sendRawTransaction$/), $sent_by_old, 'the new primary sent no raw transaction for them');
ok(calls(qr/^txpool_contentFrom$/) >= 1 && calls(qr/^txpool_content$/) == 0,
	'the pool was read per sender (txpool_contentFrom), not whole');
note($new->safe_psql('postgres', "SELECT event, from_status, to_status, detail FROM amplified.txq_history($x2)",
	extra_params => ['-P', 'format=aligned', '-P', 'tuples_only=off']));

# ---- a fresh intent takes the next nonce; everything is mined once ----
my $x3 = enqueue($new, 'x3', 3);
AmpTest::wait_for($new, "SELECT status = 'sent' FROM amplified.tx_intents WHERE id = $x3", 't',
	'new primary: a fresh intent is sent');
is($new->safe_psql('postgres', "SELECT nonce FROM amplified.tx_intents WHERE id = $x3"), '3',
	'new primary: at nonce 3, above the node\'s pending count');
my $balance0 = balance();
$chain->rpc('evm_setAutomine', [JSON::PP::true]);
$chain->rpc('evm_mine');
AmpTest::wait_for($new, "SELECT count(*) = 3 FROM amplified.tx_intents WHERE id IN ($x2b, $x2, $x3) AND status = 'confirmed'",
	't', 'new primary: the three intents are confirmed');
is(lc($new->safe_psql('postgres', "SELECT string_agg(tx_hash::text, ',' ORDER BY id) FROM amplified.tx_intents WHERE id IN ($x2b, $x2)")),
	"$hash{$x2b},$hash{$x2}", 'the adopted intents were mined through the old primary\'s transactions');
is(hex($chain->rpc('eth_getTransactionCount', [$A1, 'latest'])), 4, 'the node counts exactly four transactions');
is(balance() - $balance0, 8 + 2 + 3, 'the sink received each of the three intents once');
is(calls(qr/^eth_sendRawTransaction$/) - $sent_by_old, 1, 'the new primary sent exactly one raw transaction');
is(calls(qr/^(eth_sign|eth_signTransaction|eth_signTypedData.*|personal_sign|eth_sendTransaction)$/), 0,
	'no signing call ever reached the node');

# ---- a nonce the node cannot show: held until an admin resolves ----
# Now a node without txpool_contentFrom (anvil's own answer): txpool_content is asked.
ok(HTTP::Tiny->new->post($proxy->url('/lag/content_from/off'))->{success}, 'the node no longer answers txpool_contentFrom');
$new->safe_psql('postgres', "SELECT amplified.txq_pause_signer(31337, '$A1')");
my $x4 = enqueue($new, 'x4', 4);
my $x6 = enqueue($new, 'x6', 6);
$balance0 = balance();
# Another hand sends the fourth intent's payload from the same address: mined at nonce 4.
$chain->rpc('eth_sendTransaction', [{ from => $A1, to => $SINK, value => '0x4', gas => '0x5208' }]);
is(hex($chain->rpc('eth_getTransactionCount', [$A1, 'latest'])), 5, 'the node mined a transaction this database did not sign');
$new->restart;
$new->safe_psql('postgres', "SELECT amplified.txq_resume_signer(31337, '$A1')");
AmpTest::wait_for($new, "SELECT count(*) = 2 FROM amplified.tx_intents WHERE id IN ($x4, $x6) AND held", 't',
	'after a restart, reconciliation holds both pending intents of the signer');
like($new->safe_psql('postgres', "SELECT alert FROM amplified.tx_intents WHERE id = $x4"),
	qr/^held: the node has a transaction of \Q$A1\E at nonce 4 that this database did not sign and cannot see \(mined already, or dropped from its pool\)/,
	'the alert says which nonce and why');
ok(calls(qr/^txpool_content$/) >= 1, 'without txpool_contentFrom, the whole pool was read');
is($new->safe_psql('postgres', "SELECT held FROM amplified.v_tx_queue WHERE sender = '$A1'"), '2',
	'v_tx_queue counts them');
is($new->safe_psql('postgres', "SELECT next_nonce FROM amplified.nonces WHERE address = '$A1'"), '5',
	'the next nonce is above the node\'s count');
note($new->safe_psql('postgres', "SELECT id, status, nonce, held, alert FROM amplified.tx_intents WHERE held ORDER BY id",
	extra_params => ['-P', 'format=aligned', '-P', 'tuples_only=off']));
my $x7 = enqueue($new, 'x7', 7);
AmpTest::wait_for($new, "SELECT status = 'confirmed' FROM amplified.tx_intents WHERE id = $x7", 't',
	'an intent enqueued after the hold is not held: confirmed');
is($new->safe_psql('postgres', "SELECT count(*) FROM amplified.tx_attempts WHERE intent_id IN ($x4, $x6)"), '0',
	'nothing was signed for the held intents');

my ($rc, $out, $err) = $new->psql('postgres', "SET ROLE amplified_operator; SELECT amplified.txq_resolve_held($x4, true)");
like($err, qr/permission denied for function txq_resolve_held/, 'an operator may not resolve a held intent');
($rc, $out, $err) = $new->psql('postgres', "SELECT amplified.txq_resolve_held($x7, true)");
like($err, qr/intent $x7 is not held/, 'resolving an intent that is not held is refused');
($rc, $out, $err) = $new->psql('postgres', "SELECT amplified.txq_resolve_held(999999, true)");
like($err, qr/intent 999999 does not exist/, 'resolving a missing intent is refused');
is($new->safe_psql('postgres', "SELECT amplified.txq_resolve_held($x4, true)"), 'cancelled',
	'resolved as carried out: cancelled');
is($new->safe_psql('postgres', "SELECT amplified.txq_resolve_held($x6, false)"), 'pending',
	'resolved as not carried out: pending again');
AmpTest::wait_for($new, "SELECT status = 'confirmed' FROM amplified.tx_intents WHERE id = $x6", 't',
	'the intent queued again is confirmed');
is($new->safe_psql('postgres', "SELECT nonce FROM amplified.tx_intents WHERE id = $x6"), '6',
	'at a fresh nonce (6)');
is($new->safe_psql('postgres', "SELECT status || ' ' || (SELECT count(*) FROM amplified.tx_attempts WHERE intent_id = $x4) FROM amplified.tx_intents WHERE id = $x4"),
	'cancelled 0', 'the intent carried out elsewhere was never signed here');
is(balance() - $balance0, 4 + 7 + 6, 'the sink received 4 (once), 7 and 6');
is(hex($chain->rpc('eth_getTransactionCount', [$A1, 'latest'])), 7, 'the node counts seven transactions');

$new->stop;
done_testing();
