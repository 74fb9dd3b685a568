# 042_postmaster_death: nothing of amplified outlives a killed postmaster.
# An ingest worker and a SQL session are both blocked in a JSON-RPC request
# to a stub node that never answers, with a 10 minute rpc_timeout; after
# kill -9 of the postmaster both processes are gone within a bound far below
# the timeout (and below the 60 s after which the stub lets go by itself).
use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use IPC::Run;
use Time::HiRes qw(usleep);
use AmpTest;
use RpcStub;

my $stub = RpcStub->new(chain_id => 31337);
my $node = AmpTest::node('pmdeath', conf => "amplified.rpc_timeout = '10min'\n");

# The ingest worker of a chain whose node hangs on everything but eth_chainId.
$node->safe_psql('postgres',
	"SELECT amplified.add_chain(31337, 'stub', ARRAY['" . $stub->url('/hang') . "'], confirmations => 0)");
ok(poll_until(sub { grep { $_->{methods}[0] ne 'eth_chainId' } $stub->requests('/hang') }, 60),
	'the ingest worker sent a request the stub does not answer');
my $worker = $node->safe_psql('postgres',
	"SELECT pid FROM pg_stat_activity WHERE backend_type = 'amplified ingest worker'");
like($worker, qr/^\d+$/, 'the ingest worker runs');

# A SQL session blocked in rpc_call on the same node.
my ($in, $out, $err) = ('', '', '');
my $psql = IPC::Run::start(
	[ 'psql', '-X', '-d', $node->connstr('postgres'), '-c',
	  q{SELECT amplified.rpc_call(31337, 'eth_getCode', '["0x00000000000000000000000000000000000000aa", "latest"]')} ],
	\$in, \$out, \$err);
ok($node->poll_query_until('postgres',
	q{SELECT count(*) = 1 FROM pg_stat_activity WHERE query LIKE 'SELECT amplified.rpc_call(%'}),
	'a session is in rpc_call');
my $session = $node->safe_psql('postgres',
	q{SELECT pid FROM pg_stat_activity WHERE query LIKE 'SELECT amplified.rpc_call(%'});
ok(poll_until(sub { grep { $_->{methods}[0] eq 'eth_getCode' } $stub->requests('/hang') }, 60),
	'and its request reached the stub');

$node->kill9;

ok(poll_until(sub { !alive($worker) }, 20), 'the ingest worker is gone within 20 s of the postmaster');
ok(poll_until(sub { !alive($session) }, 20), 'the blocked session is gone within 20 s of the postmaster');

# Whatever the outcome, leave no process behind.
kill 'KILL', grep { alive($_) } ($worker, $session);
$psql->finish;

done_testing();

# Call $cond every 100 ms until it is true or $secs have passed.
sub poll_until
{
	my ($cond, $secs) = @_;
	for (1 .. $secs * 10)
	{
		return 1 if $cond->();
		usleep(100_000);
	}
	return 0;
}

# A process runs (an exited one that no one has reaped yet does not).
sub alive
{
	my ($pid) = @_;
	open my $fh, '<', "/proc/$pid/stat" or return 0;
	my $stat = <$fh>;
	return $stat !~ /^\d+ \(.*\) Z /;
}
