# 126_forecast_progress: trainings and backtests report their progress in
# v_forecast_progress while they run, can be cancelled at any size without
# leaving a row behind, and are reproducible from the seed the registry
# records.  The library is loaded by backends on first use, never by the
# postmaster.  No timing is asserted: the test waits for states.
use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use AmpTest;

my $node = AmpTest::node('forecast', preload => 1);
$node->safe_psql('postgres', q{
	CREATE TABLE big AS
	SELECT g, sin(g / 7.0) + 0.3 * sin(g / 3.1) AS v FROM generate_series(1, 120000) g;
	CREATE TABLE small AS SELECT g, v FROM big WHERE g <= 400;
});

# The postmaster has not loaded the forecasting library.
open(my $pidf, '<', $node->data_dir . '/postmaster.pid') or die "postmaster.pid: $!";
my $postmaster = <$pidf>;
close $pidf;
chomp $postmaster;
sub maps_has
{
	my ($pid, $lib) = @_;
	open(my $fh, '<', "/proc/$pid/maps") or return 0;
	local $/;
	my $m = <$fh>;
	close $fh;
	return $m =~ /\Q$lib\E/ ? 1 : 0;
}
ok(maps_has($postmaster, 'amplified.so'), 'the postmaster has amplified.so mapped (preloaded)');

# ---- a training in progress, then cancelled ----
my $bg = $node->background_psql('postgres', on_error_stop => 0);
my $bgpid = $bg->query_safe('SELECT pg_backend_pid()');
$bg->{stdin} .= "SELECT amplified.forecast_train('waves', 'lstm', 'SELECT v FROM big ORDER BY g', 'v', "
  . "'{\"seed\": 5, \"epochs\": 50, \"window\": 8, \"hidden\": 8}');\n\\echo TRAIN-END\n";
$bg->{run}->pump_nb;

AmpTest::wait_for($node,
	"SELECT count(*) = 1 FROM amplified.v_forecast_progress WHERE pid = $bgpid AND task = 'train' "
	  . "AND project = 'waves' AND kind = 'lstm' AND phase = 'epoch' AND total = 50",
	't', 'v_forecast_progress shows the training: task, project, kind, phase and total');
AmpTest::wait_for($node,
	"SELECT done >= 1 FROM amplified.v_forecast_progress WHERE pid = $bgpid",
	't', 'and its step advances');
my $row = $node->safe_psql('postgres',
	"SELECT username = current_user, percent BETWEEN 0 AND 100, started <= updated, elapsed > interval '0', model_id IS NULL "
	  . "FROM amplified.v_forecast_progress WHERE pid = $bgpid");
is($row, 't|t|t|t|t', 'who runs it, its percentage, times, no model yet');
ok(maps_has($bgpid, 'amplified_forecast.so'), 'the training backend loaded amplified_forecast');
ok(!maps_has($postmaster, 'amplified_forecast.so'), 'the postmaster did not');

$node->safe_psql('postgres', "SELECT pg_cancel_backend($bgpid)");
$bg->query_until(qr/TRAIN-END/, '');
like($bg->{stderr}, qr/canceling statement due to user request/, 'the training was cancelled');
$bg->{stderr} = '';
is($node->safe_psql('postgres', "SELECT count(*) FROM amplified.v_forecast_progress"), '0', 'its progress slot is free');
is($node->safe_psql('postgres',
	"SELECT (SELECT count(*) FROM amplified.forecast_projects) + (SELECT count(*) FROM amplified.forecast_models)"),
	'0', 'no project, no model row left');
is($bg->query_safe('SELECT 1 + 1'), '2', 'the session goes on');

# ---- reproducible from the seed ----
my $id1 = $bg->query_safe("SELECT amplified.forecast_train('waves', 'lstm', 'SELECT v FROM small ORDER BY g', 'v', "
	  . "'{\"seed\": 77, \"epochs\": 3}')");
my $id2 = $bg->query_safe("SELECT amplified.forecast_train('waves', 'lstm', 'SELECT v FROM small ORDER BY g', 'v', "
	  . "'{\"seed\": 77, \"epochs\": 3}')");
my $id3 = $bg->query_safe("SELECT amplified.forecast_train('waves', 'lstm', 'SELECT v FROM small ORDER BY g', 'v', "
	  . "'{\"seed\": 78, \"epochs\": 3}')");
is($node->safe_psql('postgres',
	"SELECT a.state = b.state, a.state = c.state, a.seed FROM amplified.forecast_models a, amplified.forecast_models b, "
	  . "amplified.forecast_models c WHERE a.id = $id1 AND b.id = $id2 AND c.id = $id3"),
	't|f|77', 'the same seed gives the same state, another seed another, and the seed is recorded');
# retrain from the registry row alone: kind, source, target, params (seed included)
my $id4 = $bg->query_safe("SELECT amplified.forecast_train(project, kind, source, target, params) "
	  . "FROM amplified.forecast_models WHERE id = $id1");
is($node->safe_psql('postgres',
	"SELECT a.state = b.state FROM amplified.forecast_models a, amplified.forecast_models b WHERE a.id = $id1 AND b.id = $id4"),
	't', 'a model retrained from its registry row is identical');
my $unseeded = $bg->query_safe("SELECT amplified.forecast_train('waves', 'lstm', 'SELECT v FROM small ORDER BY g', 'v', "
	  . "'{\"epochs\": 1}')");
my $again = $bg->query_safe("SELECT amplified.forecast_train('waves', 'lstm', 'SELECT v FROM small ORDER BY g', 'v', "
	  . "jsonb_build_object('epochs', 1, 'seed', (SELECT seed FROM amplified.forecast_models WHERE id = $unseeded)))");
is($node->safe_psql('postgres',
	"SELECT a.state = b.state FROM amplified.forecast_models a, amplified.forecast_models b WHERE a.id = $unseeded AND b.id = $again"),
	't', 'a training without a seed records the one it drew, which reproduces it');

# ---- a backtest in progress, then cancelled ----
my $big = $bg->query_safe("SELECT amplified.forecast_train('bigwaves', 'lstm', 'SELECT v FROM big WHERE g <= 60000 ORDER BY g', 'v', "
	  . "'{\"seed\": 1, \"epochs\": 1, \"window\": 4, \"hidden\": 4}')");
$bg->{stdin} .= "SELECT amplified.forecast_backtest($big, folds => 50, horizon => 5, min_train => 40000);\n\\echo BT-END\n";
$bg->{run}->pump_nb;
AmpTest::wait_for($node,
	"SELECT count(*) = 1 FROM amplified.v_forecast_progress WHERE pid = $bgpid AND task = 'backtest' "
	  . "AND model_id = $big AND project = 'bigwaves' AND phase IN ('fold', 'epoch')",
	't', 'a backtest shows in v_forecast_progress with its model');
$node->safe_psql('postgres', "SELECT pg_cancel_backend($bgpid)");
$bg->query_until(qr/BT-END/, '');
like($bg->{stderr}, qr/canceling statement due to user request/, 'the backtest was cancelled');
$bg->{stderr} = '';
is($node->safe_psql('postgres', "SELECT count(*) FROM amplified.forecast_backtests"), '0', 'no backtest row left');
is($node->safe_psql('postgres', "SELECT count(*) FROM amplified.v_forecast_progress"), '0', 'the slot is free');
$bg->quit;

# ---- without the preloaded library: training works ----
my $plain = AmpTest::node('plain', preload => 0);
$plain->safe_psql('postgres', 'CREATE TABLE s AS SELECT g, sin(g / 5.0) AS v FROM generate_series(1, 200) g');
my ($rc, $out, $err) = $plain->psql('postgres',
	"SELECT amplified.forecast_train('p', 'lstm', 'SELECT v FROM s ORDER BY g', 'v', '{\"seed\": 1, \"epochs\": 2}')");
is($rc, 0, 'a training runs on a server that does not preload amplified');
is($plain->safe_psql('postgres', 'SELECT count(*) FROM amplified.v_forecast_progress'), '0', 'and the progress view answers');

done_testing();
