# test/perl/AmpTest.pm: helpers shared by amplified's Perl TAP tests.
#
#   my $node = AmpTest::node('primary', preload => 1, conf => "...");
#   AmpTest::wait_for($node, $sql, $expected, $what);
#   my $dir = AmpTest::key_dir($address => $hexkey, ...);   (amplified.keys_dir)
#
# Nodes come from PostgreSQL::Test::Cluster, with amplified preloaded unless
# preload => 0, amplified.database = 'postgres', and fast worker timings.
package AmpTest;

use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

# A started node with amplified installed in database postgres.
sub node
{
	my ($name, %opts) = @_;
	my $preload = exists $opts{preload} ? $opts{preload} : 1;
	my $node = PostgreSQL::Test::Cluster->new($name);
	$node->init(allows_streaming => $opts{allows_streaming} ? 1 : 0);
	my $conf = "amplified.database = 'postgres'\n"
	  . "amplified.heartbeat_interval = 1\n"
	  . "amplified.launcher_naptime = 1\n"
	  . "max_worker_processes = 16\n"
	  . "restart_after_crash = on\n";
	$conf .= "shared_preload_libraries = 'amplified'\n" if $preload;
	$conf .= $opts{conf} if $opts{conf};
	$node->append_conf('postgresql.conf', $conf);
	$node->start;
	$node->safe_psql('postgres', 'CREATE EXTENSION amplified')
	  unless $opts{no_extension};
	return $node;
}

# Poll $sql until it returns $expected (default 't'); one test assertion.
sub wait_for
{
	my ($node, $sql, $expected, $what, $db) = @_;
	$expected = 't' unless defined $expected;
	ok($node->poll_query_until($db // 'postgres', $sql, $expected), $what);
}

# Write a signer's key file, as the tx worker reads it:
# <dir>/<address>.key holding 0x<key>, mode 0600 unless $mode says otherwise.
sub write_key
{
	my ($dir, $addr, $key, $mode) = @_;
	my $f = "$dir/$addr.key";
	open(my $fh, '>', $f) or die "cannot write $f: $!";
	print $fh "0x$key\n";
	close $fh;
	chmod $mode // 0600, $f;
}

# A private temporary folder (mode 0700) holding the key files of the given
# address => hex key pairs.
sub key_dir
{
	my (%keys) = @_;
	my $dir = PostgreSQL::Test::Utils::tempdir('keys');
	chmod 0700, $dir;
	write_key($dir, $_, $keys{$_}) for sort keys %keys;
	return $dir;
}

# The pid of the first backend of a type, or '' when there is none.
sub backend_pid
{
	my ($node, $type) = @_;
	return $node->safe_psql('postgres',
		"SELECT coalesce(min(pid)::text, '') FROM pg_stat_activity WHERE backend_type = '$type'");
}

1;
