# 041_rpc_security: what the JSON-RPC client refuses to do for a hostile
# caller or configuration.  rpc_call and rpc_batch send only the standard
# read-only methods (MEV, Flashbots, private-transaction and debug methods
# are refused with 42501 and never reach the node); a body that is not JSON
# is never quoted in an error; amplified.allowed_hosts keeps requests away
# from link-local and metadata addresses by default and, when set, to the
# hosts it lists, both when URLs are configured (22023) and when connecting.
use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use AmpTest;
use RpcStub;

# The library in every session (not preloaded: no workers to talk to the stub).
my $node = AmpTest::node('rpcsec', preload => 0, conf => "session_preload_libraries = 'amplified'\n");
my $stub = RpcStub->new(chain_id => 31337);
my $port = $stub->{port};

$node->safe_psql('postgres', qq{
	SELECT amplified.add_chain(31337, 'stub', ARRAY['} . $stub->url('/ok') . qq{']);
	CREATE ROLE analyst LOGIN IN ROLE amplified_analyst;
	CREATE ROLE admin LOGIN IN ROLE amplified_admin;});

# Run SQL (as a role, with settings); returns (ok, stdout, stderr), errors verbose.
sub run
{
	my ($sql, %o) = @_;
	my ($rc, $out, $err) = $node->psql('postgres', "\\set VERBOSITY verbose\n" . ($o{settings} // '') . $sql,
		extra_params => [ $o{user} ? ('-U', $o{user}) : () ]);
	return ($rc == 0, $out, $err);
}

sub stub_saw
{
	my ($path, $method) = @_;
	return scalar(grep { grep { $_ eq $method } @{ $_->{methods} } } $stub->requests($path));
}

# ---- methods: an allow-list of read-only ones ----

for my $m (qw(mev_sendBundle flashbots_getUserStats eth_cancelPrivateTransaction debug_traceTransaction
	eth_sendRawTransaction eth_signTransaction ETH_SENDRAWTRANSACTION eth_newFilter))
{
	my ($ok, $out, $err) = run(qq{SELECT amplified.rpc_call(31337, '$m', '[]')}, user => 'analyst');
	like($err, qr/ERROR:  42501: JSON-RPC method "$m" is not allowed/, "rpc_call refuses $m");
	($ok, $out, $err) = run(qq{SELECT * FROM amplified.rpc_batch(31337,
		'[{"method": "eth_blockNumber"}, {"method": "$m"}]')}, user => 'analyst');
	like($err, qr/ERROR:  42501: JSON-RPC method "$m" is not allowed/, "rpc_batch refuses $m");
	is(stub_saw('/ok', $m), 0, "$m never reached the node");
}

# Every method of the list works for an analyst, in one batch.
my @needed = qw(eth_blockNumber eth_chainId eth_syncing eth_gasPrice eth_maxPriorityFeePerGas
	eth_feeHistory eth_blobBaseFee eth_getBalance eth_getCode eth_getStorageAt eth_getTransactionCount
	eth_getProof eth_call eth_estimateGas eth_createAccessList eth_getBlockByNumber eth_getBlockByHash
	eth_getBlockReceipts eth_getBlockTransactionCountByNumber eth_getBlockTransactionCountByHash
	eth_getUncleCountByBlockNumber eth_getUncleCountByBlockHash eth_getTransactionByHash
	eth_getTransactionByBlockNumberAndIndex eth_getTransactionByBlockHashAndIndex
	eth_getTransactionReceipt eth_getLogs net_version net_listening net_peerCount
	web3_clientVersion web3_sha3);
my $calls = join(',', map { qq{{"method": "$_", "params": []}} } @needed);
my ($ok, $out, $err) = run(qq{SELECT count(*) FILTER (WHERE result IS NOT NULL) FROM amplified.rpc_batch(31337, '[$calls]')},
	user => 'analyst');
is($out, scalar(@needed), 'every read-only method of the list is sent and answered') or diag($err);
($ok, $out, $err) = run(q{SELECT amplified.rpc_call(31337, 'eth_getCode', '["0x00000000000000000000000000000000000000aa", "latest"]') ->> 'method'},
	user => 'analyst');
is($out, 'eth_getCode', 'rpc_call works for an analyst');
($ok, $out, $err) = run(q{SELECT amplified.eth_block_number(31337)}, user => 'analyst');
is($out, '16', 'eth_block_number works for an analyst');

# ---- a body that is not JSON is never quoted ----

for my $path ('/text', '/textall')
{
	$node->safe_psql('postgres', "SELECT amplified.alter_chain(31337, rpc_urls => ARRAY['" . $stub->url($path) . "'])");
	($ok, $out, $err) = run('SELECT amplified.eth_block_number(31337)',
		settings => 'SET amplified.rpc_max_retries = 0;');
	like($err, qr/ERROR:  58R01:.*\n.*malformed JSON at byte 0: an invalid token/, "$path: malformed JSON, where and what kind");
	unlike($err, qr/SECRET|TOKEN|metadata service/, "$path: the body is not quoted");
}

# ---- amplified.allowed_hosts ----

$node->safe_psql('postgres', "SELECT amplified.alter_chain(31337, rpc_urls => ARRAY['" . $stub->url('/ok') . "'])");
is($node->safe_psql('postgres', 'SHOW amplified.allowed_hosts'), '', 'allowed_hosts is empty by default');
is($node->safe_psql('postgres', 'SELECT amplified.eth_block_number(31337)'), '16', 'loopback works by default');

# Empty: link-local and metadata addresses are refused at configuration.
for my $url ('http://169.254.169.254/latest/meta-data/', 'http://[fe80::1]:8545/', 'http://[::ffff:169.254.169.254]/',
	'http://100.100.100.200/', 'http://[fd00:ec2::254]/')
{
	($ok, $out, $err) = run("SELECT amplified.add_chain(5, 'meta', ARRAY['$url'])", user => 'admin');
	like($err, qr/ERROR:  22023: outbound requests to host .* are not allowed/, "add_chain refuses $url");
	($ok, $out, $err) = run("SELECT amplified.add_signer(31337, '0x00000000000000000000000000000000000000aa', 'external', '$url')",
		user => 'admin');
	like($err, qr/ERROR:  22023: outbound requests to host .* are not allowed/, "add_signer refuses $url");
}
($ok, $out, $err) = run(q{SELECT amplified.alter_chain(31337, rpc_urls => ARRAY['http://169.254.169.254/'])}, user => 'admin');
like($err, qr/ERROR:  22023:/, 'alter_chain refuses a metadata address');

# An address written in another form is refused too, when configured or when connecting.
($ok, $out, $err) = run(q{SELECT amplified.add_chain(5, 'meta', ARRAY['http://2852039166/'])});
if ($ok)
{
	($ok, $out, $err) = run('SELECT amplified.eth_block_number(5)');
	like($err, qr/ERROR:  58R01: JSON-RPC request to chain 5 refused.*\n.*169\.254\.169\.254 is link-local/,
		'169.254.169.254 as a decimal number is refused when connecting');
	$node->safe_psql('postgres', 'DELETE FROM amplified.chains WHERE chain_id = 5');
}
else
{
	like($err, qr/ERROR:  22023:/, '169.254.169.254 as a decimal number is refused when configured');
}

# A URL written into the table by hand still meets the check when used, and
# a chain fails over from a refused endpoint without waiting on it.
$node->safe_psql('postgres', "UPDATE amplified.chains SET rpc_urls = ARRAY['http://169.254.169.254/'] WHERE chain_id = 31337");
($ok, $out, $err) = run('SELECT amplified.eth_block_number(31337)');
like($err, qr/ERROR:  58R01: JSON-RPC request to chain 31337 refused: amplified.allowed_hosts allows none of its endpoints/,
	'a metadata address in the table is refused when connecting');
$node->safe_psql('postgres', "UPDATE amplified.chains SET rpc_urls = ARRAY['http://169.254.169.254/', '" . $stub->url('/ok') . "'] WHERE chain_id = 31337");
is($node->safe_psql('postgres', 'SELECT amplified.eth_block_number(31337)'), '16',
	'a chain fails over from a refused endpoint to an allowed one');

# Only a superuser sets it, and bad entries are refused.
($ok, $out, $err) = run(q{SET amplified.allowed_hosts = '*.example.com'}, user => 'admin');
like($err, qr/ERROR:  42501: permission denied to set parameter "amplified.allowed_hosts"/, 'an admin cannot set allowed_hosts');
for my $bad ('localhost:8545', 'http://node.example.com', '10.0.0.0/33', '*', 'node.example.com/8')
{
	($ok, $out, $err) = run("SET amplified.allowed_hosts = '$bad'");
	like($err, qr/ERROR:  22023: invalid value for parameter "amplified.allowed_hosts"/, "allowed_hosts refuses \"$bad\"");
}

# Set: only the hosts listed, by name or address, checked when configured ...
$node->safe_psql('postgres', "SELECT amplified.alter_chain(31337, rpc_urls => ARRAY['" . $stub->url('/ok') . "'])");
$node->append_conf('postgresql.conf', "amplified.allowed_hosts = 'node.example.com, *.rpc.example.org, 10.0.0.0/8'\n");
$node->reload;
ok($node->poll_query_until('postgres', q{SELECT current_setting('amplified.allowed_hosts') <> ''}), 'allowed_hosts set');
($ok, $out, $err) = run(qq{SELECT amplified.add_chain(5, 'other', ARRAY['http://127.0.0.1:$port/'])}, user => 'admin');
like($err, qr/ERROR:  22023: outbound requests to host "127.0.0.1" are not allowed\n.*address 127.0.0.1 is not in amplified.allowed_hosts/,
	'a loopback URL is refused at configuration once the list is set');
($ok, $out, $err) = run(q{SELECT amplified.add_chain(5, 'other', ARRAY['http://evil.example.net/'])}, user => 'admin');
like($err, qr/ERROR:  22023: outbound requests to host "evil.example.net" are not allowed/, 'a host name not listed is refused');
($ok, $out, $err) = run(q{SELECT amplified.add_signer(31337, '0x00000000000000000000000000000000000000aa', 'external', 'http://evil.example.net/')},
	user => 'admin');
like($err, qr/ERROR:  22023:/, 'and so is a signer URL');
for my $url ('https://node.example.com/v3/KEY', 'https://eu.rpc.example.org/', 'http://10.1.2.3:8545/')
{
	($ok, $out, $err) = run("SELECT amplified.add_chain(5, 'other', ARRAY['$url']); DELETE FROM amplified.chains WHERE chain_id = 5;",
		user => 'admin');
	ok($ok, "a listed host is accepted: $url") or diag($err);
}
($ok, $out, $err) = run(q{SELECT amplified.add_chain(5, 'other', ARRAY['https://rpc.example.org/'])}, user => 'admin');
like($err, qr/ERROR:  22023:/, '*.domain matches its subdomains, not the domain itself');

# ... and when connecting: the stub's chain, configured before, is refused now, unasked.
my $before = stub_saw('/ok', 'eth_chainId') + stub_saw('/ok', 'eth_blockNumber');
($ok, $out, $err) = run('SELECT amplified.eth_block_number(31337)', user => 'analyst');
like($err, qr/ERROR:  58R01: JSON-RPC request to chain 31337 refused: amplified.allowed_hosts allows none of its endpoints\n.*address 127.0.0.1 is not in amplified.allowed_hosts/,
	'a chain configured before the list is refused when used');
is(stub_saw('/ok', 'eth_chainId') + stub_saw('/ok', 'eth_blockNumber'), $before, 'and no request reached it');

# Listing the loopback address, or the name localhost, lets it through again.
$node->append_conf('postgresql.conf', "amplified.allowed_hosts = '127.0.0.0/8'\n");
$node->reload;
ok($node->poll_query_until('postgres', q{SELECT amplified.eth_block_number(31337) = 16}), 'a listed address range is allowed');
$node->append_conf('postgresql.conf', "amplified.allowed_hosts = 'localhost'\n");
$node->reload;
ok($node->poll_query_until('postgres', q{SELECT current_setting('amplified.allowed_hosts') = 'localhost'}), 'allowed_hosts = localhost');
($ok, $out, $err) = run('SELECT amplified.eth_block_number(31337)');
like($err, qr/address 127.0.0.1 is not in amplified.allowed_hosts/, 'the address 127.0.0.1 is not the name localhost');
($ok, $out, $err) = run(qq{SELECT amplified.alter_chain(31337, rpc_urls => ARRAY['http://localhost:$port/ok']); SELECT amplified.eth_block_number(31337)},
	user => 'admin');
like($out, qr/16$/, 'a listed name works, whatever loopback address it resolves to') or diag($err);

$node->stop;
done_testing();
