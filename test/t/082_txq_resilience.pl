# 082_txq_resilience: the tx worker with broken signers and a stalled node.
#
# Signer backoff: a healthy key-file signer's intents all confirm while two
# external signers on the same chain are broken, one whose URL refuses
# connections and one that never answers.  Each failure costs the broken
# signer exactly one request (no retries within a cycle: amplified.
# signer_timeout), the signer is skipped for 1 s, 2 s, 4 s, ... up to
# amplified.signer_max_backoff, and the alert on its intents names its
# address.  Once its URL is fixed, it signs and its backoff is reset.
#
# Backpressure: with mining paused, a sender never has more than
# amplified.txq_max_in_flight transactions ahead of the chain, a "queue backed
# up" alert names it, each intent is replaced at most
# amplified.txq_max_replacements times; once mining resumes, every intent is
# executed exactly once.
#
# No timing assertion: every wait is a bounded polling loop.
use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use JSON::PP;
use Time::HiRes qw(sleep);
use AmpTest;
use AmpChain;
use RpcStub;

my $chain = AmpChain->new;
my $url = $chain->url;
my $stub = RpcStub->new(chain_id => 31337);

# anvil's well-known development accounts 1, 4 and 5 (public test keys; anvil
# holds all of them unlocked, so it can stand in for a working external signer).
my $A1 = '0x70997970c51812dc3a010c7d01b50e0d17dc79c8';
my $K1 = '59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d';
my $REFUSED = '0x15d34aaf54267db7d7c367839aaf71a00a2c6a65';
my $HANG = '0x9965507d1a55bcc2695c58ba16fb37d819b0a4dc';
my $SINK = '0x00000000000000000000000000000000000b0b01';

my $keys = AmpTest::key_dir($A1 => $K1);

my $MAX_IN_FLIGHT = 5;
my $MAX_REPLACEMENTS = 2;
my $MAX_BACKOFF = 4;
my $node = AmpTest::node('txq_resilience', conf => "amplified.keys_dir = '$keys'\n"
	  . "amplified.txq_poll_interval = 100\n"
	  . "amplified.signer_timeout = 1000\n"
	  . "amplified.signer_max_backoff = $MAX_BACKOFF\n"
	  . "amplified.txq_max_in_flight = $MAX_IN_FLIGHT\n"
	  . "amplified.txq_max_replacements = $MAX_REPLACEMENTS\n");

# The address type's operators live in schema amplified: every session finds them.
$node->safe_psql('postgres', 'ALTER DATABASE postgres SET search_path = amplified, public');

sub sql { return $node->safe_psql('postgres', $_[0]); }

sub poll
{
	my ($query, $what) = @_;
	ok($node->poll_query_until('postgres', $query), $what);
}

# Enqueue n transfers of 1..n wei from sender to the sink; returns the ids.
sub enqueue_transfers
{
	my ($sender, $tag, $n) = @_;
	return split /\n/, sql(qq{SELECT amplified.txq_enqueue(31337, '$sender', '$SINK', i::text::amplified.uint256, '',
		jsonb_build_object('idempotency_key', '$tag-' || i, 'simulate', false, 'gas_limit', 21000))
		FROM generate_series(1, $n) AS i ORDER BY i});
}

my $FINAL = "('confirmed', 'failed', 'rejected', 'expired', 'cancelled')";

sub all_confirmed
{
	my ($tag, $n, $what) = @_;
	poll("SELECT count(*) = $n FROM amplified.tx_intents WHERE idempotency_key LIKE '$tag-%' AND status = 'confirmed'",
		$what);
}

# The "next try in N s" of every alert event on an intent, oldest first.
sub backoff_sequence
{
	my ($id) = @_;
	return map { /next try in (\d+) s/ ? $1 : () }
	  split /\n/, sql("SELECT detail FROM amplified.tx_events WHERE intent_id = $id AND event = 'alert' ORDER BY id");
}

# The expected backoff after the k-th failure in a row (k from 1).
sub expected_backoff
{
	my ($k) = @_;
	my $b = 2**($k - 1);
	return $b > $MAX_BACKOFF ? $MAX_BACKOFF : $b;
}

sql(qq{SELECT amplified.add_chain(31337, 'anvil', ARRAY['$url'], confirmations => 0, finality_depth => 10,
		poll_interval => '100 ms', enabled => true);
	SELECT amplified.add_signer(31337, '$A1', 'key_file');});
# Every signer here sends plain transfers to the sink: a policy that allows
# them (a signer without one takes no direct intent).
sub allow_transfers
{
	my ($signer) = @_;
	sql(qq{SELECT amplified.txq_set_signer_policy(31337, '$signer', ARRAY['$SINK']::amplified.address[],
		ARRAY['\\x']::bytea[], max_value => '1000000', max_intents_per_hour => NULL)});
}
allow_transfers($A1);
poll("SELECT count(*) = 1 FROM amplified.workers() WHERE kind = 'tx' AND chain_id = 31337 AND state = 'running'",
	'a tx worker runs for the chain');

# ---- 1. an external signer whose URL refuses connections ----
my $closed = AmpChain::free_port();
sql("SELECT amplified.add_signer(31337, '$REFUSED', 'external', 'http://127.0.0.1:$closed')");
allow_transfers($REFUSED);
my @refused = enqueue_transfers($REFUSED, 'refused', 3);
my @healthy1 = enqueue_transfers($A1, 'healthy1', 20);
all_confirmed('healthy1', 20, 'refused port: the healthy signer\'s 20 intents all confirm');
poll("SELECT sign_failures >= 4 FROM amplified.nonces WHERE address = '$REFUSED'",
	'refused port: the broken signer keeps failing, attempt after attempt');
is(sql("SELECT count(*) FROM amplified.tx_attempts WHERE sender = '$REFUSED'"), '0',
	'refused port: nothing was signed for the broken signer');
is(sql("SELECT string_agg(DISTINCT status, ',') FROM amplified.tx_intents WHERE idempotency_key LIKE 'refused-%'"),
	'reserved', 'refused port: its intents hold their nonces, waiting');
like(sql("SELECT alert FROM amplified.tx_intents WHERE id = $refused[0]"),
	qr/^signing failed: signer \Q$REFUSED\E \(external\): the external signer gave no answer to eth_signTransaction: .*next try in \d+ s$/,
	'refused port: the alert names the signer, says why and when it is tried again');
my @seq = backoff_sequence($refused[0]);
ok(@seq >= 4, 'refused port: one alert event per failure (' . scalar(@seq) . ')');
is(join(',', @seq), join(',', map { expected_backoff($_) } 1 .. @seq),
	"refused port: the backoff doubles from 1 s up to amplified.signer_max_backoff ($MAX_BACKOFF s)");
like(sql("SELECT signer_failures || ' ' || (signer_retry_at IS NOT NULL) || ' ' || last_alert
	FROM amplified.v_tx_queue WHERE sender = '$REFUSED'"),
	qr/^\d+ true signing failed: signer \Q$REFUSED\E/, 'refused port: v_tx_queue shows the backoff and the alert');
like(slurp_file($node->logfile), qr/signer \Q$REFUSED\E on chain 31337 failed \(\d+ in a row\), next try in \d+ s/,
	'refused port: the server log names the signer');

# ---- 2. an external signer that never answers ----
sql("SELECT amplified.add_signer(31337, '$HANG', 'external', '" . $stub->url('/hang') . "')");
allow_transfers($HANG);
my @hang = enqueue_transfers($HANG, 'hang', 3);
my @healthy2 = enqueue_transfers($A1, 'healthy2', 20);
all_confirmed('healthy2', 20, 'hang: the healthy signer\'s 20 intents all confirm');
poll("SELECT sign_failures >= 3 FROM amplified.nonces WHERE address = '$HANG'",
	'hang: the silent signer fails each time it is asked');
is(sql("SELECT string_agg(DISTINCT status, ',') || ':' || (SELECT count(*) FROM amplified.tx_attempts WHERE sender = '$HANG')
	FROM amplified.tx_intents WHERE idempotency_key LIKE 'hang-%'"), 'reserved:0',
	'hang: its intents wait, nothing signed');
# Each failure is one request (the stub logs a request when it arrives, the
# failure is recorded a signer_timeout later: at most one more is in flight).
my $failures = sql("SELECT sign_failures FROM amplified.nonces WHERE address = '$HANG'");
my @asked = grep { grep { $_ eq 'eth_signTransaction' } @{ $_->{methods} } } $stub->requests('/hang');
ok(@asked == $failures || @asked == $failures + 1,
	"hang: one eth_signTransaction per failure, no retries within a cycle ($failures failures, "
	  . scalar(@asked) . ' requests)');
# Never asked again before its backoff expired: the gaps between requests
# are at least the backoff recorded after each failure.
my $spaced = 1;
for my $k (1 .. $#asked)
{
	$spaced = 0 if $asked[$k]{t} - $asked[$k - 1]{t} < expected_backoff($k) - 0.05;
}
ok($spaced, 'hang: each request waits for the backoff of the failure before it')
  or diag(join(' ', map { $_->{t} } @asked));
like(sql("SELECT alert FROM amplified.tx_intents WHERE id = $hang[0]"),
	qr/^signing failed: signer \Q$HANG\E \(external\): .*eth_signTransaction.*next try in \d+ s$/,
	'hang: the alert names the silent signer');
ok(sql("SELECT sign_failures FROM amplified.nonces WHERE address = '$REFUSED'") > 0,
	'the first broken signer is still backed off meanwhile');

# ---- 3. fixed: both sign again and their backoff is reset ----
sql("UPDATE amplified.signers SET url = '$url' WHERE address IN ('$REFUSED', '$HANG')");
all_confirmed('refused', 3, 'fixed: the intents of the signer that refused connections confirm');
all_confirmed('hang', 3, 'fixed: the intents of the silent signer confirm');
is(sql("SELECT string_agg(sign_failures || ':' || (sign_retry_at IS NULL), ',') FROM amplified.nonces
	WHERE address IN ('$REFUSED', '$HANG')"), '0:true,0:true', 'fixed: one success resets the backoff');
is(sql("SELECT count(*) FROM amplified.tx_intents WHERE alert IS NOT NULL AND status NOT IN $FINAL"), '0',
	'fixed: no alert is left');

# ---- 4. backpressure with mining paused ----
$chain->rpc('evm_setAutomine', [JSON::PP::false]);
$chain->rpc('anvil_setIntervalMining', [0]);
sql("UPDATE amplified.signers SET replace_after = '1 second' WHERE address = '$A1'");
my $count0 = hex($chain->rpc('eth_getTransactionCount', [$A1, 'latest']));
my $balance0 = hex($chain->rpc('eth_getBalance', [$SINK, 'latest']));
my $N = 30;
my @stall = enqueue_transfers($A1, 'stall', $N);

poll("SELECT sent = $MAX_IN_FLIGHT FROM amplified.v_tx_queue WHERE sender = '$A1'",
	"stall: $MAX_IN_FLIGHT transactions are sent");
poll("SELECT count(*) = 1 FROM amplified.tx_intents
	WHERE idempotency_key LIKE 'stall-%' AND status = 'pending' AND alert LIKE 'queue backed up: signer $A1 holds $MAX_IN_FLIGHT %'",
	'stall: the first waiting intent carries a "queue backed up" alert naming the signer');
ok(sql("SELECT count(*) FROM amplified.tx_events e JOIN amplified.tx_intents i ON i.id = e.intent_id
	WHERE i.idempotency_key LIKE 'stall-%' AND e.event = 'alert' AND e.detail LIKE 'queue backed up: signer $A1 holds $MAX_IN_FLIGHT %'") >= 1,
	'stall: the alert is in tx_events');
ok(sql("SELECT alerts FROM amplified.v_tx_queue WHERE sender = '$A1'") >= 1, 'stall: v_tx_queue counts it');
poll("SELECT count(*) = $MAX_IN_FLIGHT FROM amplified.tx_intents
	WHERE idempotency_key LIKE 'stall-%' AND alert LIKE 'stuck at nonce % $MAX_REPLACEMENTS replacements made%'",
	"stall: every transaction in flight reaches $MAX_REPLACEMENTS replacements and says so");
# Replacements happened, but no storm: a few more cycles add none.
my $attempts = sql("SELECT count(*) FROM amplified.tx_attempts a JOIN amplified.tx_intents i ON i.id = a.intent_id
	WHERE i.idempotency_key LIKE 'stall-%'");
sleep 1.5;
is(sql("SELECT count(*) FROM amplified.tx_attempts a JOIN amplified.tx_intents i ON i.id = a.intent_id
	WHERE i.idempotency_key LIKE 'stall-%'"), $attempts, 'stall: no more replacements past the limit');
is($attempts, $MAX_IN_FLIGHT * (1 + $MAX_REPLACEMENTS),
	"stall: $attempts signed transactions: $MAX_IN_FLIGHT in flight, each at most $MAX_REPLACEMENTS times replaced");
is(sql("SELECT count(DISTINCT nonce) FROM amplified.tx_attempts WHERE sender = '$A1' AND nonce >= $count0"),
	$MAX_IN_FLIGHT, "stall: nothing was ever signed more than $MAX_IN_FLIGHT nonces ahead of the chain");
is(sql("SELECT pending || ':' || in_flight FROM amplified.v_tx_queue WHERE sender = '$A1'"),
	($N - $MAX_IN_FLIGHT) . ":$MAX_IN_FLIGHT", 'stall: the rest wait pending, without a nonce');
my $pool = $chain->rpc('txpool_status');
is(hex($pool->{pending}) + hex($pool->{queued}), $MAX_IN_FLIGHT, "stall: the node's pool holds $MAX_IN_FLIGHT transactions");

# Resume mining: everything confirms, exactly once.
$chain->rpc('evm_setAutomine', [JSON::PP::true]);
$chain->rpc('evm_mine');
all_confirmed('stall', $N, "resumed: all $N intents confirm");
is(hex($chain->rpc('eth_getTransactionCount', [$A1, 'latest'])) - $count0, $N,
	"resumed: the sender's nonce advanced by exactly $N");
is(hex($chain->rpc('eth_getBalance', [$SINK, 'latest'])) - $balance0, $N * ($N + 1) / 2,
	'resumed: the sink received each transfer exactly once');
is(sql("SELECT count(*) FROM (SELECT a.intent_id FROM amplified.tx_attempts a JOIN amplified.tx_intents i ON i.id = a.intent_id
	WHERE i.idempotency_key LIKE 'stall-%' AND a.status = 'confirmed' GROUP BY a.intent_id HAVING count(*) = 1) s"),
	$N, 'resumed: each intent has exactly one confirmed attempt');
poll("SELECT alerts = 0 AND last_alert IS NULL FROM amplified.v_tx_queue WHERE sender = '$A1'",
	'resumed: the alerts are cleared');

done_testing();
