# 010_launcher: the launcher and its heartbeat worker through the life of a
# server: extension created and dropped, configuration reloaded and broken,
# worker and launcher killed, server restarted, hot standby, no preload.
use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use AmpTest;

my $node = AmpTest::node('primary', allows_streaming => 1, no_extension => 1);

# Before the extension exists the launcher runs and waits; no worker starts.
AmpTest::wait_for($node,
	"SELECT count(*) = 1 FROM pg_stat_activity WHERE backend_type = 'amplified launcher'",
	't', 'launcher runs before the extension exists');
is(AmpTest::backend_pid($node, 'amplified heartbeat'), '', 'no heartbeat worker without the extension');

$node->safe_psql('postgres', 'CREATE EXTENSION amplified');
AmpTest::wait_for($node, "SELECT coalesce(max(beats), 0) >= 2 FROM amplified.heartbeats",
	't', 'heartbeat worker records beats once the extension exists');
is($node->safe_psql('postgres',
	"SELECT string_agg(kind || ':' || state, ',' ORDER BY kind) FROM amplified.workers()"),
	'heartbeat:running,launcher:running', 'workers() reports launcher and heartbeat running');
is($node->safe_psql('postgres',
	"SELECT count(*) FROM pg_stat_activity WHERE backend_type LIKE 'amplified%'"),
	'2', 'both show in pg_stat_activity with an amplified backend_type');
is($node->safe_psql('postgres',
	"SELECT pid = (SELECT pid FROM amplified.workers() WHERE kind = 'heartbeat') FROM amplified.heartbeats"),
	't', 'the beat is recorded by the worker that workers() reports');

# A worker that is killed (SIGTERM) is restarted by the launcher.
my $hb = AmpTest::backend_pid($node, 'amplified heartbeat');
$node->safe_psql('postgres', "SELECT pg_terminate_backend($hb)");
AmpTest::wait_for($node,
	"SELECT pid <> $hb AND state = 'running' AND restarts >= 1 FROM amplified.workers() WHERE kind = 'heartbeat'",
	't', 'launcher restarts a terminated worker');

# Configuration changes need no restart: heartbeat off, then on again.
$node->append_conf('postgresql.conf', "amplified.heartbeat_interval = 0\n");
$node->reload;
AmpTest::wait_for($node,
	"SELECT count(*) = 0 FROM pg_stat_activity WHERE backend_type = 'amplified heartbeat'",
	't', 'heartbeat worker stops when amplified.heartbeat_interval = 0');
is($node->safe_psql('postgres', "SELECT count(*) FROM amplified.workers() WHERE kind = 'heartbeat'"),
	'0', 'and leaves workers()');
$node->append_conf('postgresql.conf', "amplified.heartbeat_interval = 1\n");
$node->reload;
AmpTest::wait_for($node,
	"SELECT count(*) = 1 FROM pg_stat_activity WHERE backend_type = 'amplified heartbeat'",
	't', 'heartbeat worker comes back when enabled again');

# A kind's wanted function that the extension's owner no longer owns is not
# called: the kind gets no worker and the launcher says why; back to its
# owner, the worker runs again.
$node->safe_psql('postgres', q{
	CREATE ROLE kind_thief;
	ALTER FUNCTION amplified.worker_heartbeat_wanted() OWNER TO kind_thief;
	SELECT amplified.worker_wake_launcher();});
AmpTest::wait_for($node,
	"SELECT count(*) = 0 FROM pg_stat_activity WHERE backend_type = 'amplified heartbeat'",
	't', 'a kind whose wanted function another role owns gets no worker');
like($node->safe_psql('postgres', "SELECT last_error FROM amplified.workers() WHERE kind = 'launcher'"),
	qr/worker kind "heartbeat": function amplified\.worker_heartbeat_wanted\(\) does not belong to the extension's owner/,
	'and the launcher says why');
$node->safe_psql('postgres', q{
	ALTER FUNCTION amplified.worker_heartbeat_wanted() OWNER TO CURRENT_USER;
	DROP ROLE kind_thief;
	SELECT amplified.worker_wake_launcher();});
AmpTest::wait_for($node,
	"SELECT count(*) = 1 FROM pg_stat_activity WHERE backend_type = 'amplified heartbeat'",
	't', 'back with the extension\'s owner, the kind\'s worker runs again');

# DROP EXTENSION: the workers stop and the launcher waits; CREATE brings them back.
$node->safe_psql('postgres', 'DROP EXTENSION amplified');
AmpTest::wait_for($node,
	"SELECT count(*) = 0 FROM pg_stat_activity WHERE backend_type = 'amplified heartbeat'",
	't', 'workers stop when the extension is dropped');
$node->safe_psql('postgres', 'CREATE EXTENSION amplified');
AmpTest::wait_for($node, "SELECT coalesce(max(beats), 0) >= 1 FROM amplified.heartbeats",
	't', 'workers come back when it is created again');

# A restart of the server: everything comes back.
$node->restart;
AmpTest::wait_for($node,
	"SELECT count(*) = 2 FROM amplified.workers() WHERE state = 'running'",
	't', 'launcher and heartbeat run again after a restart');

# SIGKILL of the launcher: the postmaster reinitialises, the launcher returns.
my $launcher = AmpTest::backend_pid($node, 'amplified launcher');
ok($launcher ne '', 'launcher pid known');
my $log_offset = -s $node->logfile;
kill 'KILL', $launcher;
ok($node->poll_query_until('postgres',
	"SELECT count(*) = 1 FROM pg_stat_activity WHERE backend_type = 'amplified launcher' AND pid <> $launcher"),
	'launcher is back after SIGKILL');
ok($node->log_contains('terminated by signal 9', $log_offset), 'the server logged the kill');
AmpTest::wait_for($node,
	"SELECT beat_at > now() - interval '5 seconds' FROM amplified.heartbeats",
	't', 'heartbeats resume after the crash and recovery');
is($node->safe_psql('postgres', 'SELECT 42'), '42', 'the cluster serves queries after recovery');

# SIGTERM is handled promptly, and the children go with the launcher.
$launcher = AmpTest::backend_pid($node, 'amplified launcher');
$node->safe_psql('postgres', "SELECT pg_terminate_backend($launcher)");
AmpTest::wait_for($node,
	"SELECT count(*) = 0 FROM pg_stat_activity WHERE backend_type LIKE 'amplified%'",
	't', 'SIGTERM stops the launcher and its workers');
AmpTest::wait_for($node,
	"SELECT count(*) = 2 FROM amplified.workers() WHERE state = 'running'",
	't', 'the postmaster starts the launcher again, and it its workers');

# A bad amplified.database: one clear line in the log, no crash, and recovery
# once the configuration is fixed.
$log_offset = -s $node->logfile;
$node->append_conf('postgresql.conf', "amplified.database = 'no_such_db'\n");
$node->reload;
ok($node->poll_query_until('postgres',
	"SELECT state = 'exited' AND last_error = 'connecting to database \"no_such_db\" failed; the server log has the reason' FROM amplified.workers() WHERE kind = 'launcher'"),
	'workers() shows the launcher cannot connect');
ok($node->wait_for_log(qr/database "no_such_db" does not exist/, $log_offset),
	'the server log says why');
is($node->safe_psql('postgres', 'SELECT 1'), '1', 'the server keeps running');
ok(!$node->log_contains('terminating any other active server processes', $log_offset),
	'no crash of the server');
$node->append_conf('postgresql.conf', "amplified.database = 'postgres'\n");
$node->reload;
AmpTest::wait_for($node,
	"SELECT count(*) = 2 FROM amplified.workers() WHERE state = 'running'",
	't', 'workers run again once amplified.database is fixed');

# A hot standby: the launcher idles, no worker writes, the tables stay readable.
$node->backup('b1');
my $standby = PostgreSQL::Test::Cluster->new('standby');
$standby->init_from_backup($node, 'b1', has_streaming => 1);
$standby->start;
$node->wait_for_catchup($standby);
ok($standby->poll_query_until('postgres',
	"SELECT state = 'standby' FROM amplified.workers() WHERE kind = 'launcher'"),
	'the launcher idles on a hot standby');
is($standby->safe_psql('postgres',
	"SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'amplified heartbeat'"),
	'0', 'no worker runs on the standby');
is($standby->safe_psql('postgres', 'SELECT count(*) FROM amplified.heartbeats'),
	'1', 'the replicated tables are readable on the standby');
$standby->stop;
$node->stop;

# Without shared_preload_libraries: functions work, workers() says why they are off.
my $plain = AmpTest::node('plain', preload => 0);
is($plain->safe_psql('postgres', "SELECT state || ': ' || detail FROM amplified.workers()"),
	'disabled: amplified is not in shared_preload_libraries; types and functions work, background workers do not run',
	'workers() explains that workers are off');
my ($rc, $out, $err) = $plain->psql('postgres', 'SELECT amplified.worker_wake_launcher()');
like($err, qr/amplified background workers are not running/, 'waking a worker that cannot run is a clear error');
$plain->stop;

done_testing();
