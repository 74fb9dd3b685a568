# 080_txq_sign: the signing half of the transaction queue.
#
# Known answers: every legacy vector of @ethersproject/testcases'
# transactions.json.gz (EIP-155, chain id 5) and every type 2 vector of
# typed-transactions.json.gz (type 1 is not supported and left out), signed
# through amplified.txq_sign_transaction with key_file signers and compared
# byte for byte; decoded back with the sender recovered.  Key file rules:
# loose modes, another owner, symbolic links, a missing file, garbage, a key
# of another address, keys_dir unset.  external and node signers against a
# private anvil, and a misbehaving external signer (a small stub here).
# Finally, with log_min_messages = debug5 and log_statement = all, no private
# key appears anywhere in the server log.
use strict;
use warnings;

use Fcntl qw(O_CREAT O_EXCL O_WRONLY);
use File::Path qw(make_path remove_tree);
use IO::Socket::INET;
use JSON::PP;
use POSIX ();
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use AmpChain;
use AmpTest;

my $JSON = JSON::PP->new->utf8->canonical;
my $root = AmpChain::root();

my $node = AmpTest::node('sign', preload => 0,
	conf => "log_min_messages = debug5\nlog_statement = 'all'\n");

# ---- the vectors ----
my $vec = do
{
	my $out = `cd '$root/test/chain' && node tx_vectors.js`;
	die "tx_vectors.js failed" if $? != 0;
	$JSON->decode($out);
};
my @V = @{ $vec->{vectors} };
my @legacy = grep { $_->{kind} eq 'legacy' } @V;
my @typed = grep { $_->{kind} eq 'eip1559' } @V;
is(scalar @legacy, 1067, 'all 1067 legacy vectors of transactions.json.gz');
is(scalar @typed, 1024, 'all 1024 type 2 vectors of typed-transactions.json.gz');
note("$vec->{skippedType1} type 1 (EIP-2930) vectors are left out: amplified does not sign type 1");

# Run SQL; returns (SQLSTATE or '', stdout, stderr).
sub run_sql
{
	my ($sql) = @_;
	my ($rc, $out, $err) = $node->psql('postgres', "\\set VERBOSITY verbose\n$sql");
	my ($state) = $err =~ /ERROR:\s+([0-9A-Z]{5}):/;
	return ($rc == 0 ? '' : ($state // 'unknown'), $out, $err);
}

# One assertion: $sql fails with $state and a message matching $re.
sub fails_with
{
	my ($sql, $state, $re, $what) = @_;
	my ($got, $out, $err) = run_sql($sql);
	ok($got eq $state && $err =~ $re, $what)
	  or diag("expected $state matching $re, got " . ($got || 'success') . ": $err");
	return $err;
}

sub q_lit { my ($s) = @_; $s =~ s/'/''/g; return "'$s'"; }

# Point amplified.keys_dir at $dir ('' unsets it) and wait until new sessions see it.
sub set_keys_dir
{
	my ($dir) = @_;
	$node->safe_psql('postgres',
		"LOAD 'amplified'; ALTER SYSTEM SET amplified.keys_dir = " . q_lit($dir) . "; SELECT pg_reload_conf();");
	$node->poll_query_until('postgres',
		"SELECT coalesce(current_setting('amplified.keys_dir', true), '') = " . q_lit($dir))
	  or die "keys_dir did not change to '$dir'";
}

# Write a key file with the given contents and mode.
sub write_key
{
	my ($path, $contents, $mode) = @_;
	unlink $path;
	sysopen(my $fh, $path, O_CREAT | O_EXCL | O_WRONLY, 0600) or die "$path: $!";
	print $fh $contents;
	close $fh;
	chmod($mode // 0600, $path) or die "chmod $path: $!";
}

# ---- chains and key_file signers for every vector with a chain id ----
my $dummy = 'http://127.0.0.1:9/';
my %chains = map { $_->{chainId} => 1 } grep { $_->{chainId} > 0 } @V;
my %signers = map { ("$_->{chainId}/$_->{address}" => [ $_->{chainId}, $_->{address} ]) }
  grep { $_->{chainId} > 0 } @V;
$node->safe_psql('postgres', join("\n",
	(map { "SELECT amplified.add_chain($_, 'v$_', ARRAY['$dummy'], enabled => false);" } sort { $a <=> $b } keys %chains),
	(map { "SELECT amplified.add_signer($_->[0], '$_->[1]', 'key_file');" } values %signers)));

my $rows = $JSON->encode([ map { {
	name => $_->{name}, kind => $_->{kind}, chain => $_->{chainId}, address => $_->{address},
	tx => $_->{tx}, signed => $_->{signed}, unsigned => $_->{unsigned}, gas_over64 => $_->{gasOver64} ? JSON::PP::true : JSON::PP::false,
} } @V ]);
$node->safe_psql('postgres', qq{
	CREATE TABLE vec AS SELECT name, kind, chain, address::amplified.address AS address, tx,
		decode(substr(signed, 3), 'hex') AS signed, decode(substr(unsigned, 3), 'hex') AS unsigned, gas_over64
	  FROM jsonb_to_recordset(\$vectors\$$rows\$vectors\$::jsonb)
		AS x(name text, kind text, chain bigint, address text, tx jsonb, signed text, unsigned text, gas_over64 boolean);
	CREATE FUNCTION try_sign(c bigint, a amplified.address, t jsonb, OUT raw bytea, OUT state text, OUT msg text)
	LANGUAGE plpgsql AS \$\$
	BEGIN
		raw := amplified.txq_sign_transaction(c, a, t);
	EXCEPTION WHEN OTHERS THEN
		state := SQLSTATE; msg := SQLERRM;
	END \$\$;
	CREATE FUNCTION try_decode(r bytea, OUT j jsonb, OUT state text, OUT msg text)
	LANGUAGE plpgsql AS \$\$
	BEGIN
		j := amplified.txq_decode_transaction(r);
	EXCEPTION WHEN OTHERS THEN
		state := SQLSTATE; msg := SQLERRM;
	END \$\$;
});
is($node->safe_psql('postgres', 'SELECT count(*) FROM vec'), scalar @V, 'every vector loaded');

# ---- keys_dir unset ----
my ($A) = grep { !$_->{gasOver64} } @legacy;    # the negative tests' signer
fails_with("SELECT amplified.txq_check_signer(5, '$A->{address}')", '55000', qr/amplified\.keys_dir is not set/,
	'keys_dir unset: 55000');
fails_with("SELECT amplified.txq_sign_transaction(5, '$A->{address}', " . q_lit($JSON->encode($A->{tx})) . ')',
	'55000', qr/amplified\.keys_dir is not set/, 'keys_dir unset: signing refused with 55000');

# ---- key files for every address, in every accepted spelling ----
my $kd = $node->basedir . '/keys';
make_path($kd, { mode => 0700 });
chmod 0700, $kd;
my %keys = map { $_->{address} => $_->{key} } @V;
my $i = 0;
for my $addr (sort keys %keys)
{
	my $k = substr($keys{$addr}, 2);
	my @spellings = ("0x$k\n", $k, " \t$k\r\n", '0X' . uc($k) . "\n");
	write_key("$kd/$addr.key", $spellings[ $i++ % 4 ]);
}
set_keys_dir($kd);

# ---- known answers: sign every vector with a chain id ----
my %got;
for my $line (split /\n/, $node->safe_psql('postgres', q{
	SELECT name, coalesce(encode(s.raw, 'hex'), ''), coalesce(s.state, ''), coalesce(s.msg, '')
	  FROM vec, LATERAL try_sign(chain, address, tx) s WHERE chain > 0}))
{
	my ($name, $hex, $state, $msg) = split /\|/, $line, 4;
	$got{$name} = { hex => $hex, state => $state, msg => $msg };
}
my (@big_ok, @big_bad);
for my $v (grep { $_->{chainId} > 0 } @V)
{
	my $g = $got{ $v->{name} };
	if ($v->{gasOver64})
	{
		# geth reads gas as uint64: such a transaction can never be valid.
		if ($g->{state} eq '22003' && $g->{msg} =~ /"gasLimit" is out of range/) { push @big_ok, $v->{name}; }
		else { push @big_bad, "$v->{name}: $g->{state} $g->{msg}"; }
		next;
	}
	is('0x' . $g->{hex}, $v->{signed}, "$v->{name}: signed bytes")
	  or diag("error: $g->{state} $g->{msg}");
}
is(scalar @big_ok, 83, '83 legacy vectors with a gasLimit of 2^64 or more are refused with 22003 (gas is uint64, as in geth)')
  or diag(join("\n", @big_bad[ 0 .. ($#big_bad < 9 ? $#big_bad : 9) ]));
my $signed_count = grep { $_->{chainId} > 0 && !$_->{gasOver64} } @V;
note("$signed_count vectors signed; " . (grep { $_->{chainId} == 0 } @V) . ' type 2 vectors with chain id 0 (no chain to configure) are checked by hash and decoding only');

# ---- decoding every vector back ----
my %bad;
for my $line (split /\n/, $node->safe_psql('postgres', q{
	SELECT name,
		   gas_over64,
		   coalesce(d.state, ''),
		   coalesce(lower(d.j ->> 'from') = lower(address::text), false),
		   coalesce((d.j ->> 'hash') = amplified.keccak256(signed)::text, false),
		   coalesce(amplified.txq_signing_hash(d.j - '{from,hash,r,s,v,yParity}'::text[])::text = amplified.keccak256(unsigned)::text, false),
		   CASE WHEN gas_over64 THEN true ELSE amplified.txq_signing_hash(tx)::text = amplified.keccak256(unsigned)::text END,
		   coalesce(d.msg, '')
	  FROM vec, LATERAL try_decode(signed) d}))
{
	my ($name, $over, $state, $from_ok, $hash_ok, $rehash_ok, $hash_in_ok, $msg) = split /\|/, $line, 8;
	if ($over eq 't')
	{
		push @{ $bad{over} }, "$name: $state $msg" unless $state eq '22P03' && $msg =~ /gasLimit is out of range/;
		next;
	}
	push @{ $bad{decode} }, "$name: $state $msg" if $state ne '';
	push @{ $bad{from} }, $name if $from_ok ne 't';
	push @{ $bad{hash} }, $name if $hash_ok ne 't';
	push @{ $bad{rehash} }, $name if $rehash_ok ne 't';
	push @{ $bad{input} }, $name if $hash_in_ok ne 't';
}
my $n_ok = @V - 83;
is_deeply($bad{decode} // [], [], "all $n_ok vectors decode");
is_deeply($bad{from} // [], [], "the recovered sender of all $n_ok is the vector's address");
is_deeply($bad{hash} // [], [], "the hash of all $n_ok is keccak-256 of the signed bytes");
is_deeply($bad{rehash} // [], [], "decoded fields give back the vector's signing payload for all $n_ok (round trip)");
is_deeply($bad{input} // [], [], "txq_signing_hash of the input JSON is keccak-256 of the unsigned payload for all $n_ok");
is_deeply($bad{over} // [], [], 'the 83 vectors with a 2^64 gasLimit do not decode (22P03, gasLimit out of range)');
is($node->safe_psql('postgres', q{
	SELECT count(*) FILTER (WHERE amplified.txq_check_signer(chain_id, address) = 'ok') || '/' || count(*)
	  FROM amplified.signers WHERE kind = 'key_file'}),
	scalar(keys %signers) . '/' . scalar(keys %signers), 'txq_check_signer says ok for every vector signer');

# ---- key file rules (a directory of their own) ----
my $kn = $node->basedir . '/keys-neg';
make_path($kn, { mode => 0700 });
chmod 0700, $kn;
set_keys_dir($kn);
my ($B) = grep { $_->{chainId} == 5 && $_->{key} ne $A->{key} } @legacy;
my $fa = "$kn/$A->{address}.key";
my $txa = q_lit($JSON->encode($A->{tx}));
my $sign_a = "SELECT amplified.txq_sign_transaction(5, '$A->{address}', $txa)";
my $check_a = "SELECT amplified.txq_check_signer(5, '$A->{address}')";

fails_with($check_a, '58P01', qr/key file ".*\Q$A->{address}\E\.key" does not exist/, 'missing key file: 58P01');
fails_with($sign_a, '58P01', qr/does not exist/, 'missing key file: signing refused with 58P01');

# The chain id is checked before the key file is even looked for.
{
	my $tx6 = q_lit($JSON->encode({ %{ $A->{tx} }, chainId => 6 }));
	fails_with("SELECT amplified.txq_sign_transaction(5, '$A->{address}', $tx6)", '22023',
		qr/transaction chainId 6 does not match chain 5/, 'chain id mismatch refused before signing (before the missing key file)');
	my $from_b = q_lit($JSON->encode({ %{ $A->{tx} }, from => $B->{address} }));
	fails_with("SELECT amplified.txq_sign_transaction(5, '$A->{address}', $from_b)", '22023',
		qr/is not the signer/, 'a from other than the signer refused');
	fails_with("SELECT amplified.txq_sign_transaction(5, '0x00000000000000000000000000000000000000aa', $txa)", '42704',
		qr/no signer for/, 'no signer: 42704');
}

write_key($fa, "$A->{key}\n", 0640);
fails_with($check_a, '42501', qr/accessible to group or others \(mode 0640\)/, 'mode 0640 refused with 42501');
fails_with($sign_a, '42501', qr/mode 0640/, 'mode 0640: signing refused');
chmod 0604, $fa;
fails_with($check_a, '42501', qr/mode 0604/, 'mode 0604 refused with 42501');
chmod 0400, $fa;
is($node->safe_psql('postgres', $check_a), 'ok', 'mode 0400 is accepted');
chmod 0600, $fa;
is($node->safe_psql('postgres', "SELECT encode(($sign_a), 'hex')"), substr($A->{signed}, 2), 'mode 0600: signs the vector');

# A symbolic link to a good key file.
my $elsewhere = $node->basedir . '/elsewhere';
make_path($elsewhere, { mode => 0700 });
write_key("$elsewhere/real.key", "$A->{key}\n");
unlink $fa;
symlink("$elsewhere/real.key", $fa) or die "symlink: $!";
fails_with($check_a, '42501', qr/is a symbolic link/, 'a symbolic link refused with 42501');
fails_with($sign_a, '42501', qr/is a symbolic link/, 'a symbolic link: signing refused');
unlink $fa;
mkdir $fa, 0700;
fails_with($check_a, '42501', qr/is not a regular file/, 'a directory refused with 42501');
rmdir $fa;

# Contents: garbage, a wrong length, zero, the curve order, another address's key.
my @garbage = (
	[ 'not hex', 'zz' . substr($A->{key}, 4) ],
	[ '63 digits', substr($A->{key}, 0, 65) ],
	[ '65 digits', $A->{key} . '7' ],
	[ 'two keys', "$A->{key}\n$B->{key}\n" ],
	[ 'text', "private key: s3cr3t-passphrase-17\n" ],
);
for my $g (@garbage)
{
	write_key($fa, $g->[1]);
	my $err = fails_with($check_a, '22023', qr/does not hold a private key/, "garbage ($g->[0]) refused with 22023");
	my $c = $g->[1];
	$c =~ s/^\s+|\s+$//g;
	ok(index($err, $c) < 0 && index(lc $err, lc substr($A->{key}, 2, 16)) < 0 && index(lc $err, lc substr($B->{key}, 2, 16)) < 0,
		"garbage ($g->[0]): the error does not quote the file");
}
write_key($fa, '0x' . ('0' x 64));
fails_with($check_a, '22023', qr/not hold a valid secp256k1 private key/, 'a zero key refused with 22023');
write_key($fa, '0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141');
fails_with($check_a, '22023', qr/not hold a valid secp256k1 private key/, 'the curve order as a key refused with 22023');
write_key($fa, "$B->{key}\n");
my $err = fails_with($check_a, '22023', qr/holds the key of another address/, "another address's key refused with 22023");
like(lc $err, qr/\Q$B->{address}\E/, 'the error names the address the key belongs to');
fails_with($sign_a, '22023', qr/another address/, "another address's key: signing refused");

# A file owned by another OS user: scripts/test.sh, run as root, copies the
# checked-in fixture into a root-owned directory (AMP_FOREIGN_KEYS_DIR); run
# otherwise, the fixture is used where it is, owned by whoever checked it out.
{
	my $fdir = $ENV{AMP_FOREIGN_KEYS_DIR} || "$root/test/t/080_foreign_keys";
	my $faddr = '0x00000000000000000000000000000000000000f0';
	isnt((lstat "$fdir/$faddr.key")[4], $>, 'the fixture key file is owned by another user than the cluster')
	  or diag('run the test from a checkout owned by another user than the cluster (scripts/test.sh as root does)');
	$node->safe_psql('postgres', "SELECT amplified.add_signer(5, '$faddr', 'key_file')");
	set_keys_dir($fdir);
	fails_with("SELECT amplified.txq_check_signer(5, '$faddr')", '42501', qr/is not owned by the server's OS user/,
		'a key file owned by another user refused with 42501');
	set_keys_dir($kn);
}

# ---- node and external signers on a private anvil ----
my $chain = AmpChain->new;
my $accounts = $chain->rpc('eth_accounts');
my ($acc0, $acc1, $acc2, $acc3) = map { lc } @{$accounts}[ 0 .. 3 ];
$node->safe_psql('postgres', join("\n",
	"SELECT amplified.add_chain(31337, 'anvil', ARRAY['" . $chain->url . "'], enabled => false);",
	"SELECT amplified.add_signer(31337, '$acc0', 'node');",
	"SELECT amplified.add_signer(31337, '$acc1', 'external', '" . $chain->url . "');",
	"SELECT amplified.add_signer(31337, '0x00000000000000000000000000000000000000bb', 'node');"));
is($node->safe_psql('postgres', "SELECT amplified.txq_check_signer(31337, '$acc0')"), 'ok', 'node signer: the account is in eth_accounts');
is($node->safe_psql('postgres', "SELECT amplified.txq_check_signer(31337, '$acc1')"), 'ok', 'external signer: the account is in eth_accounts');
fails_with("SELECT amplified.txq_check_signer(31337, '0x00000000000000000000000000000000000000bb')", '55000',
	qr/does not hold an account/, 'node signer for an address the node does not hold: 55000');

my $to = '0x000000000000000000000000000000000000dEaD';
for my $case ([ 'node', $acc0 ], [ 'external', $acc1 ])
{
	my ($kind, $acc) = @$case;
	my $nonce = hex($chain->rpc('eth_getTransactionCount', [ $acc, 'pending' ]));
	my @txs = (
		{ type => 2, chainId => 31337, nonce => $nonce, maxFeePerGas => '20000000000', maxPriorityFeePerGas => '1000000000',
		  gasLimit => 60000, to => $to, value => '12345', data => '0x',
		  accessList => [ { address => $to, storageKeys => [ '0x' . ('00' x 31) . '01' ] } ] },
		{ type => 0, chainId => 31337, nonce => $nonce + 1, gasPrice => '20000000000', gasLimit => 21000,
		  to => $to, value => '777', data => '0x' },
	);
	my @hashes;
	for my $tx (@txs)
	{
		my $t = q_lit($JSON->encode($tx));
		my $r = $node->safe_psql('postgres', qq{
			SELECT encode(raw, 'hex'), d ->> 'from', d ->> 'hash',
				   amplified.txq_signing_hash(d - '{from,hash,r,s,v,yParity}'::text[])::text = amplified.txq_signing_hash($t)::text
			  FROM (SELECT raw, amplified.txq_decode_transaction(raw) AS d
					  FROM (SELECT amplified.txq_sign_transaction(31337, '$acc', $t) AS raw) s) x});
		my ($hex, $from, $hash, $same) = split /\|/, $r;
		is(lc $from, $acc, "$kind signer, type $tx->{type}: the signed transaction recovers to the account");
		is($same, 't', "$kind signer, type $tx->{type}: it is the transaction asked for");
		my $sent = $chain->rpc('eth_sendRawTransaction', [ "0x$hex" ]);
		is(lc $sent, lc $hash, "$kind signer, type $tx->{type}: the node accepts the raw bytes with our hash");
		push @hashes, $hash;
	}
	for my $h (@hashes)
	{
		my $rc = $chain->rpc('eth_getTransactionReceipt', [$h]);
		is($rc && hex($rc->{status}), 1, "$kind signer: $h mined with status 1");
	}
}
fails_with("SELECT amplified.txq_sign_transaction(31337, '0x00000000000000000000000000000000000000bb', "
	  . q_lit($JSON->encode({ type => 2, chainId => 31337, nonce => 0, maxFeePerGas => 1, maxPriorityFeePerGas => 1,
		gasLimit => 21000, to => $to })) . ')',
	'58R02', qr/JSON-RPC error/, 'node signer for an account the node does not hold: its error is reported');

# A misbehaving external signer: answers prepared from anvil's own signatures.
{
	my %T = (type => 2, chainId => 31337, nonce => 5, maxFeePerGas => '0x4a817c800', maxPriorityFeePerGas => '0x3b9aca00',
		gas => '0x5208', to => lc $to, value => '0x1', input => '0x', accessList => []);
	my $sign = sub { $chain->rpc('eth_signTransaction', [ { %T, @_ } ]) };
	my %answers = (
		'/object' => { raw => $sign->(from => $acc2), tx => {} },
		'/altered' => $sign->(from => $acc2, nonce => 6),
		'/other' => $sign->(from => $acc3),
		'/garbage' => '0x1234',
	);
	my $stub = SignerStub->new(\%answers);
	$node->safe_psql('postgres', "SELECT amplified.add_signer(31337, '$acc2', 'external', '" . $stub->url('/object') . "')");
	my $tx = q_lit($JSON->encode({ type => 2, chainId => 31337, nonce => 5, maxFeePerGas => 20000000000,
		maxPriorityFeePerGas => 1000000000, gasLimit => 21000, to => $to, value => 1 }));
	my $sign_sql = "SELECT encode(amplified.txq_sign_transaction(31337, '$acc2', $tx), 'hex')";
	is('0x' . $node->safe_psql('postgres', $sign_sql), $answers{'/object'}{raw},
		'external signer answering {"raw": ...} (geth, clef): accepted');
	my $use = sub { $node->safe_psql('postgres', "UPDATE amplified.signers SET url = '" . $stub->url($_[0]) . "' WHERE chain_id = 31337 AND lower(address::text) = '$acc2'") };
	$use->('/altered');
	fails_with($sign_sql, '58R02', qr/altered the transaction: its nonce differs/, 'an external signer that changes the nonce is refused');
	$use->('/other');
	fails_with($sign_sql, '58R02', qr/signed as 0x[0-9a-fA-F]{40}, not as/, 'an external signer that signs as another account is refused');
	$use->('/garbage');
	fails_with($sign_sql, '58R02', qr/returned an invalid signed transaction/, 'an external signer returning garbage is refused');
	$stub->stop;
}
$chain->stop;

# ---- no key in the server log ----
my $log = slurp_file($node->logfile);
like($log, qr/statement: .*txq_sign_transaction/, 'the log has the statements (log_statement = all)');
like($log, qr/DEBUG:/, 'the log has debug messages (log_min_messages = debug5)');
my $lclog = lc $log;
my @found = grep { index($lclog, lc substr($_, 2)) >= 0 } (sort values %keys);
is_deeply(\@found, [], 'none of the ' . scalar(keys %keys) . ' private keys appears in the server log (with or without 0x, any case)');
ok(index($lclog, 's3cr3t-passphrase-17') < 0, 'nor the contents of a garbage key file');

done_testing();

# A tiny JSON-RPC server that answers eth_chainId (31337) and
# eth_signTransaction with a fixed answer per path.
package SignerStub;

sub new
{
	my ($class, $answers) = @_;
	my $listen = IO::Socket::INET->new(LocalAddr => '127.0.0.1', LocalPort => 0, Proto => 'tcp',
		Listen => 16, ReuseAddr => 1) or die "stub: $!";
	my $self = bless { port => $listen->sockport }, $class;
	my $pid = fork();
	die "fork: $!" unless defined $pid;
	if ($pid == 0)
	{
		open STDOUT, '>', '/dev/null';
		open STDERR, '>', '/dev/null';
		my $json = JSON::PP->new->utf8->canonical;
		while (my $c = $listen->accept)
		{
			my $head = '';
			while (defined(my $l = <$c>)) { $head .= $l; last if $l =~ /^\r?\n$/; }
			my ($path) = $head =~ m{^POST (\S+)};
			my ($len) = $head =~ /content-length:\s*(\d+)/i;
			my $body = '';
			read($c, $body, $len // 0);
			my $req = eval { $json->decode($body) } // {};
			my $result = ($req->{method} // '') eq 'eth_chainId' ? '0x7a69' : $answers->{ $path // '' };
			my $out = $json->encode({ jsonrpc => '2.0', id => $req->{id}, result => $result });
			print $c "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
			  . length($out) . "\r\nConnection: close\r\n\r\n$out";
			close $c;
		}
		POSIX::_exit(0);
	}
	close $listen;
	$self->{pid} = $pid;
	return $self;
}

sub url { my ($self, $path) = @_; return "http://127.0.0.1:$self->{port}$path"; }

sub stop
{
	my ($self) = @_;
	return unless $self->{pid};
	kill 'TERM', $self->{pid};
	waitpid($self->{pid}, 0);
	$self->{pid} = undef;
}

sub DESTROY { $_[0]->stop; }
