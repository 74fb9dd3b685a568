# 040_rpc: the JSON-RPC client against a real node (anvil) and against a
# stub node that misbehaves in every way the issue lists: malformed JSON,
# 429 with Retry-After, 5xx, a hang, a wrong chain id, an oversized body,
# wrong ids, bad hex, error objects, a dead endpoint to fail over from.
use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(time);
use AmpTest;
use RpcStub;

my $node = AmpTest::node('rpc', preload => 0);
my $stub = RpcStub->new(chain_id => 31337);

$node->safe_psql('postgres',
	"SELECT amplified.add_chain(31337, 'stub', ARRAY['" . $stub->url('/ok') . "'], batch_size => 3)");

# Point the chain at stub paths.
sub use_paths
{
	my $urls = join(',', map { "'" . ($_ =~ /^http/ ? $_ : $stub->url($_)) . "'" } @_);
	$node->safe_psql('postgres', "SELECT amplified.alter_chain(31337, rpc_urls => ARRAY[$urls])");
}

# Run SQL with settings; returns (ok, stdout, stderr).
sub run
{
	my ($sql, $settings) = @_;
	my ($rc, $out, $err) = $node->psql('postgres', ($settings // '') . $sql);
	return ($rc == 0, $out, $err);
}

# A correct node.
is($node->safe_psql('postgres', 'SELECT amplified.eth_block_number(31337)'), '16',
	'eth_block_number parses the quantity');
is($node->safe_psql('postgres',
	q{SELECT amplified.rpc_call(31337, 'eth_getCode', '["0x00000000000000000000000000000000000000aa", "latest"]') ->> 'method'}),
	'eth_getCode', 'rpc_call sends the method');
is($node->safe_psql('postgres',
	q{SELECT amplified.rpc_call(31337, 'eth_getCode', '["0xaa", {"blockHash": "0x01"}]') -> 'params' ->> 1}),
	'{"blockHash": "0x01"}', 'rpc_call sends the params as given');

# A batch answered in reverse order is matched by id, in batches of batch_size.
is($node->safe_psql('postgres', q{
	SELECT string_agg(ord || '=' || (result ->> 'index'), ',' ORDER BY ord)
	  FROM amplified.rpc_batch(31337, (SELECT jsonb_agg(jsonb_build_object('method', 'eth_getBalance',
			'params', jsonb_build_array(i))) FROM generate_series(1, 7) i))}),
	'1=0,2=1,3=2,4=0,5=1,6=2,7=0', 'batch responses are matched by id, not order, 3 per batch');
my @batches = grep { @{ $_->{methods} } > 1 || $_->{methods}[0] eq 'eth_getBalance' } $stub->requests('/ok');
is(scalar(@batches), 3, 'seven calls went out as three batches');

# Malformed JSON: retried, then a clear error; the URL's path is not shown.
use_paths('/malformed');
my ($ok, $out, $err) = run('SELECT amplified.eth_block_number(31337)', 'SET amplified.rpc_max_retries = 2;');
ok(!$ok, 'malformed JSON is an error');
like($err, qr/failed after 3 attempts/, 'after the configured retries');
like($err, qr/malformed JSON/, 'saying the JSON is malformed');
($ok, $out, $err) = run('SELECT amplified.eth_block_number(31337)',
	"\\set VERBOSITY verbose\nSET amplified.rpc_max_retries = 0;");
like($err, qr/ERROR:  58R01:/, 'a node with no usable answer is SQLSTATE 58R01, outside class 08');
unlike($err, qr{/malformed}, 'without the endpoint path (which may hold a key)');
is(scalar(grep { $_->{methods}[0] eq 'eth_blockNumber' } $stub->requests('/malformed')), 4,
	'three attempts, then one, reached the node');

# 429 with Retry-After: 1, then success; the client waited at least that long.
use_paths('/429');
is($node->safe_psql('postgres', 'SELECT amplified.eth_block_number(31337)'), '16',
	'a 429 is retried and then succeeds');
my @r = grep { $_->{methods}[0] eq 'eth_blockNumber' } $stub->requests('/429');
ok(@r >= 2 && $r[1]{t} - $r[0]{t} >= 0.99, 'Retry-After was honoured');

# 503, then success.
use_paths('/503');
is($node->safe_psql('postgres', 'SELECT amplified.eth_block_number(31337)'), '16',
	'a 503 is retried and then succeeds');

# A node that hangs: the request times out, and a cancel interrupts it.
use_paths('/hang');
($ok, $out, $err) = run('SELECT amplified.eth_block_number(31337)',
	'SET amplified.rpc_timeout = 500; SET amplified.rpc_max_retries = 0;');
ok(!$ok, 'a hanging node is an error');
like($err, qr/timed out/i, 'a timeout');
my $t0 = time;
($ok, $out, $err) = run('SELECT amplified.eth_block_number(31337)',
	"SET amplified.rpc_timeout = '60s'; SET statement_timeout = '1s';");
like($err, qr/canceling statement due to statement timeout/, 'statement_timeout cancels a blocked call');
ok(time - $t0 < 10, 'well before the 60 s request timeout');

# A wrong chain id: refused before the endpoint is used.
use_paths('/wrongchain');
($ok, $out, $err) = run('SELECT amplified.eth_block_number(31337)', 'SET amplified.rpc_max_retries = 1;');
like($err, qr/reports chain id 1, configured chain id is 31337/, 'a wrong chain id is refused');
is(scalar(grep { $_->{methods}[0] ne 'eth_chainId' } $stub->requests('/wrongchain')), 0,
	'nothing but eth_chainId was sent to it');

# An oversized body.
use_paths('/huge');
($ok, $out, $err) = run(q{SELECT amplified.rpc_call(31337, 'eth_getCode', '[]')},
	"SET amplified.rpc_max_response_size = '1MB'; SET amplified.rpc_max_retries = 0;");
like($err, qr/larger than amplified.rpc_max_response_size \(1024 kB\)/, 'an oversized response is refused');
is($node->safe_psql('postgres', q{SELECT length(amplified.rpc_call(31337, 'eth_getCode', '[]') #>> '{}')}),
	'3145728', 'and accepted under the default bound');

# Wrong ids, bad hex, error objects.
use_paths('/wrongid');
($ok, $out, $err) = run('SELECT amplified.eth_block_number(31337)', 'SET amplified.rpc_max_retries = 0;');
like($err, qr/response id does not match/, 'a wrong response id is refused');
use_paths('/badhex');
($ok, $out, $err) = run('SELECT amplified.eth_block_number(31337)');
like($err, qr/invalid hex quantity for eth_blockNumber: "0xzz"/, 'bad hex is refused');
use_paths('/errorobj');
($ok, $out, $err) = run(q{SELECT amplified.rpc_call(31337, 'eth_call', '[]')});
like($err, qr/JSON-RPC error 3 from chain 31337 for eth_call: execution reverted/, 'an error object becomes an error');
like($err, qr/Error data: "0x08c379a0"/, 'with its data');
($ok, $out, $err) = run(q{SELECT amplified.rpc_call(31337, 'eth_call', '[]')}, "\\set VERBOSITY verbose\n");
like($err, qr/ERROR:  58R02:/, 'a JSON-RPC error answer is SQLSTATE 58R02');
is(scalar(grep { $_->{methods}[0] eq 'eth_call' } $stub->requests('/errorobj')), 2,
	'a JSON-RPC error is an answer, not retried (one request for each of the two calls)');
is($node->safe_psql('postgres', q{SELECT error_code || ' ' || error_message
	FROM amplified.rpc_batch(31337, '[{"method": "eth_call"}, {"method": "eth_call", "params": []}]') WHERE ord = 2}),
	'3 execution reverted', 'rpc_batch returns errors per call');

# Failover: the first endpoint is dead, the second answers.
use_paths('http://127.0.0.1:1/', '/ok');
is($node->safe_psql('postgres', 'SELECT amplified.eth_block_number(31337)'), '16',
	'a dead endpoint fails over to the next');

# A node that misbehaves and then recovers: calls work again.
use_paths('/flaky');
($ok, $out, $err) = run('SELECT amplified.eth_block_number(31337)', 'SET amplified.rpc_max_retries = 0;');
ok(!$ok, 'a misbehaving node fails the call');
run(q{SELECT 1}) ;
system('curl', '-s', '-o', '/dev/null', '-X', 'POST', '--data', '{}', $stub->url('/flaky/fix'));
is($node->safe_psql('postgres', 'SELECT amplified.eth_block_number(31337)'), '16',
	'and calls succeed once it behaves');

# A real node: the local anvil chain of the test stack.
SKIP:
{
	skip 'no CHAIN_RPC_URL', 3 unless $ENV{CHAIN_RPC_URL};
	$node->safe_psql('postgres',
		"SELECT amplified.add_chain(31338, 'anvil', ARRAY['$ENV{CHAIN_RPC_URL}'])");
	($ok, $out, $err) = run('SELECT amplified.eth_block_number(31338)');
	like($err, qr/reports chain id 31337, configured chain id is 31338/, 'anvil is checked against the configuration');
	$node->safe_psql('postgres', 'DELETE FROM amplified.chains WHERE chain_id = 31338');
	use_paths($ENV{CHAIN_RPC_URL});
	is($node->safe_psql('postgres', 'SELECT amplified.eth_chain_id(31337)'), '31337', 'anvil reports its chain id');
	is($node->safe_psql('postgres', q{SELECT amplified.rpc_call(31337, 'eth_getBalance',
		'["0x000000000000000000000000000000000000dEaD", "latest"]') #>> '{}'}),
		'0x0', 'anvil answers eth_getBalance');
}

$node->stop;
done_testing();
