# 136_dashboards: the Observable Framework dashboards (dashboards/) built from
# a node with real data and rendered in headless Chromium.
#
# The data: the scenario of 090 on the chain fixture, cut short (an lp_univ3
# vault opens and, after traffic pushes the price out, rebalances; a stake
# vault stakes), plus a Morpho leverage strategy that loops wstETH against
# WETH (a health factor), a depeg breaker and the risk reports of
# risk_refresh_reports().  The build: Framework's data loaders read the v_*
# views as amplified_dashboard, a login role that has only amplified_reader,
# with fetch disabled in the build's Node (no npm registry, no CDN).  The
# render: every page in chromium-headless-shell through puppeteer-core
# (dashboards/scripts/render.js), with every request off the local server
# aborted and counted; a page fails on a console error, an uncaught
# exception, a failed request, a cell error, an external request, a chart
# that draws no mark, or an empty state where the data exists.  Screenshots
# go to the test's folder, and to $AMP_DASHBOARD_SHOTS if set (docs/img).
use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use JSON::PP;
use File::Copy qw(copy);
use File::Path qw(make_path);
use IPC::Run;
use AmpTest;
use AmpChain;

my $root = AmpChain->root;
my $dash = "$root/dashboards";
my $chromium = $ENV{CHROMIUM} // '/usr/bin/chromium-headless-shell';
my $missing = !-d "$dash/node_modules/\@observablehq/framework" ? 'dashboards/node_modules is missing (scripts/deps.sh installs it)'
  : !-x $chromium ? "$chromium is missing (scripts/deps.sh installs chromium-headless-shell)" : undef;
if ($missing)
{
	# In CI (CI set), a missing prerequisite is a failure, not a skip.
	plan skip_all => $missing unless $ENV{CI};
	fail("$missing; CI is set, so the dashboards test may not be skipped");
	done_testing();
	exit;
}

my $JSON = JSON::PP->new->canonical;
my $chain = AmpChain->new;
my $url = $chain->url;
my $d = $chain->deploy;
my $depfile = $chain->deployment_file;

# anvil's development accounts 7 (leverage), 8 (lp vault) and 9 (stake vault).
my $A7 = lc $d->{accounts}[7];
my $LP = '0x23618e81e3f5cdf7f54c3d65f7fbc0abf5b21e8f';
my $ST = '0xa0ee7a142d267c1f36714e4a8f75612f20a79720';
my $keys = AmpTest::key_dir(
	$A7 => '4bbbf85ce3377467afe5d46f804f221813b2bb87f24d81f60f1fcdbf7cbf4356',
	$LP => 'dbda1821b80551c9d65939329250298aa3472ba22feea921c0cf5d620ea67b97',
	$ST => '2a871d0798f97d79848a013d4936a73bf4cc922c825d33c1cf7073dff6d409c6');
sub scenario { return $JSON->decode($chain->_node('scenario.js', '--rpc', $url, '--deployment', $depfile, @_)); }

my $pool = $d->{pools}{'wstETH-WETH-500'};
my $pool2 = $d->{pools}{'weETH-WETH-500'};
my ($weth, $wsteth, $weeth) = map { lc $d->{tokens}{$_}{address} } qw(WETH wstETH weETH);
my $m = $d->{morpho};
my $mk = $m->{markets}{'wstETH/WETH'};
my $acct7 = lc $d->{leverageAccounts}{7}{address};
my $agg = lc $d->{aave}{oracles}{'wstETH/ETH'}{address};

scenario('vaults', '--lp', $LP, '--stake', $ST);
is($chain->send($A7, $wsteth, 'function transfer(address,uint256) returns (bool)', $acct7, '2000000000000000000')->{status},
	1, '2 wstETH into the leverage account');
scenario('grow', '--hours', 24, '--steps', 8, '--wsteth-bps', 1, '--weeth-bps', 2);

my $node = AmpTest::node('dashboards', conf => "amplified.keys_dir = '$keys'\n"
	  . "amplified.txq_poll_interval = 100\n"
	  . "amplified.rpc_timeout = 5000\n");
sub sql { return $node->safe_psql('postgres', "SET search_path = amplified, public;\n$_[0]"); }

sql(qq{
	SELECT add_chain(31337, 'anvil', ARRAY['$url'], confirmations => 0, poll_interval => '100 ms');
	SELECT watch_contract(31337, '$pool->{address}', 'pool wstETH-WETH-500', 'univ3_pool', 0, 1);
	SELECT watch_contract(31337, '$pool2->{address}', 'pool weETH-WETH-500', 'univ3_pool', 0, 1);
	SELECT watch_contract(31337, '$wsteth', 'wstETH', 'lst', 0, 1);
	SELECT watch_contract(31337, '$weeth', 'weETH', 'lst', 0, 1);
	SELECT watch_contract(31337, '$m->{address}', 'Morpho Blue', 'morpho_blue', 0, 0);
	SELECT watch_contract(31337, '$m->{irm}', 'AdaptiveCurveIrm', 'morpho_irm', 0, 0);
	SELECT watch_contract(31337, '$mk->{oracle}{address}', 'Morpho oracle wstETH/WETH', 'morpho_oracle', 0, 1);
	SELECT watch_contract(31337, '$agg', 'wstETH/ETH feed', 'oracle', 0, 1);
	SELECT add_signer(31337, '$A7', 'key_file');
	SELECT add_signer(31337, '$LP', 'key_file');
	SELECT add_signer(31337, '$ST', 'key_file');
	SELECT risk_add_breaker('wsteth-depeg', 'depeg', 31337, asset => '$wsteth', oracle => '$agg');
});

sub wait_ingested
{
	my ($what) = @_;
	my $head = hex $chain->rpc('eth_blockNumber');
	AmpTest::wait_for($node,
		"SELECT coalesce(max(number), 0) >= $head FROM amplified.blocks WHERE chain_id = 31337", 't',
		"$what: ingested up to block $head");
}
wait_ingested('start');

my %mp = %{ $mk->{params} };
my $lp_params = $JSON->encode({
	pool => $pool->{address}, position_manager => $d->{uniswap}{positionManager}, swap_router => $d->{uniswap}{swapRouter},
	numeraire => (lc $pool->{token0} eq $weth ? 'token0' : 'token1'),
	sigma => 0.01, k => 2, horizon_days => 1, slippage_bps => 50, swap => JSON::PP::true,
	appreciating => (lc $pool->{token0} eq $wsteth ? 'token0' : 'token1'), apr => 'auto', apr_window => '6 hours' });
my $st_params = $JSON->encode({
	base_token => $weth, swap_router => $d->{uniswap}{swapRouter}, apr_window => '6 hours', stake_share => 0.1, min_trade => 0.05,
	candidates => [ { token => $wsteth, pool => $pool->{address} }, { token => $weeth, pool => $pool2->{address} } ] });
my $lev_params = $JSON->encode({ protocol => 'morpho_blue', account => $acct7, morpho => $m->{address},
	oracle => $mp{oracle}, irm => $mp{irm}, lltv => $mp{lltv}, collateral_token => $wsteth, loan_token => $weth,
	swap_pool => $pool->{address},
	target_ltv => 0.75, band => 0.03, carry_window => '12 hours', max_loss_bps => 500, slippage_bps => 50 });
my $lev_id = sql("SELECT id FROM strategy_create('leverage wstETH', 'leverage', 31337, '$A7', '$lev_params', enabled => true)");

my $FINAL = "('confirmed', 'failed', 'rejected', 'expired', 'cancelled')";
sub run_and_settle
{
	my ($what, $ids) = @_;
	my $arg = $ids ? "strategy_ids => ARRAY[$ids]::bigint[]" : '';
	my $r = $JSON->decode(sql("SELECT run_strategies($arg)"));
	note("$what: " . $JSON->encode($r->{results}));
	ok($node->poll_query_until('postgres',
		"SELECT count(*) = 0 FROM amplified.tx_intents WHERE status NOT IN $FINAL"), "$what: every intent is final");
	wait_ingested($what);
	return { map { $_->{strategy_id} => $_ } @{ $r->{results} } };
}

# The leverage strategy loops first (its swap moves the pool the lp vault then ranges in).
my $r0 = run_and_settle('run 0', $lev_id);
is($r0->{$lev_id}{action}, 'lever', 'run 0: the leverage strategy levers up');
my $lp_id = sql("SELECT id FROM strategy_create('lp wstETH/WETH', 'lp_univ3', 31337, '$LP', '$lp_params', enabled => true)");
my $st_id = sql("SELECT id FROM strategy_create('stake ETH', 'stake', 31337, '$ST', '$st_params', enabled => true)");
my $r1 = run_and_settle('run 1');
is($r1->{$lp_id}{action}, 'open', 'run 1: the lp vault opens');
my $lowest = sql("SELECT min((r ->> 'tick_lower')::int) FROM decisions d, jsonb_array_elements(d.plan -> 'rows') r
	WHERE d.id = $r1->{$lp_id}{decision_id} AND r ->> 'role' <> 'idle'");
scenario('push', '--pool', 'wstETH-WETH-500', '--tick', $lowest - 60);
wait_ingested('after the push');
my $r2 = run_and_settle('run 2');
is($r2->{$lp_id}{action}, 'rebalance', 'run 2: the lp vault rebalances');
# The positions as they are on chain now (the views show the last sync).
sql('SELECT count(*) FROM strategies s, strategy_sync_positions(s.id)');
# The risk reports: risk_refresh_reports() measures the latest snapshots.
# It must succeed.  A day of chain history gives the market layer no two
# daily returns, so no VaR can be computed: every report then says why in
# its detail (no fabricated VaR), and the risk page shows its empty state
# for the VaR while drawing the stress losses.
my ($ok_refresh, $why) = (eval { sql('SELECT risk_refresh_reports()'); 1 }, $@);
ok($ok_refresh, 'risk_refresh_reports() succeeds') or diag($why);
cmp_ok(sql("SELECT count(*) FROM risk_reports"), '>', 0, 'it wrote reports');
my $has_var = sql("SELECT count(*) > 0 FROM risk_reports WHERE var95 IS NOT NULL") eq 't';
is(sql("SELECT count(*) FROM risk_reports WHERE var95 IS NULL AND detail ->> 'error' IS NULL"), '0',
	'every report without a VaR says why (detail.error)');
is(sql("SELECT count(*) FROM risk_reports WHERE var95 IS NOT NULL AND NOT (var95 = 0 AND (detail ->> 'observations')::int = 0)"), '0',
	'no VaR from market data a day of history cannot give: the only VaRs are the zeros of portfolios holding nothing but their numeraire');
like(sql("SELECT string_agg(DISTINCT detail ->> 'error', '; ') FROM risk_reports"), qr/no market data|daily returns/,
	'the reports say the market data is short');

# What the pages must show, from the database.
is(sql("SELECT count(DISTINCT strategy_id) FROM v_strategy_performance"), '3', 'v_strategy_performance: three strategies');
cmp_ok(sql("SELECT count(*) FROM v_univ3_positions"), '>', 0, 'v_univ3_positions: the lp vault\'s NFTs');
cmp_ok(sql("SELECT count(*) FROM v_lend_positions WHERE health_factor IS NOT NULL"), '>', 0, 'v_lend_positions: a health factor');
my $has_attr = sql("SELECT to_regclass('amplified.v_pnl_attribution') IS NOT NULL") eq 't';
my $has_outcomes = sql("SELECT count(*) > 0 FROM v_decision_outcomes WHERE expected_value_change IS NOT NULL") eq 't';
# The chain's time runs a day ahead of the clock (the grow step): the
# portfolio page ranks up to the latest snapshot (v_strategy_ranking ends now()).
my $has_ranking = sql("SELECT count(*) > 0 FROM strategy_ranking(NULL, greatest(now(), (SELECT max(at) FROM strategy_snapshots) + interval '1 day'))") eq 't';
note('outcomes: ' . sql("SELECT count(*) || ' decisions, ' || count(*) FILTER (WHERE outcome = 'realised') || ' realised' FROM v_decision_outcomes")
	  . '; ranked strategies: ' . sql("SELECT count(*) FROM v_strategy_ranking WHERE \"window\" = 'all'"));
my $has_stress = sql("SELECT count(*) > 0 FROM v_risk, jsonb_each(stress) s WHERE s.value ? 'loss'") eq 't';
ok($has_attr, 'v_pnl_attribution exists');
ok($has_outcomes, 'v_decision_outcomes: decisions with an expectation');
ok($has_ranking, 'strategy_ranking: strategies ranked over all days up to the latest snapshot');
ok($has_stress, 'v_risk: stress results');
note("risk errors: " . (sql("SELECT string_agg(DISTINCT error, '; ') FROM v_risk") || 'none'));

# ---- build, as a role with amplified_reader only ----
sql('CREATE ROLE amplified_dashboard LOGIN IN ROLE amplified_reader');
is($node->safe_psql('postgres', "SELECT string_agg(b.rolname, ',') FROM pg_auth_members a JOIN pg_roles r ON r.oid = a.member
	JOIN pg_roles b ON b.oid = a.roleid WHERE r.rolname = 'amplified_dashboard'"), 'amplified_reader',
	'amplified_dashboard is a member of amplified_reader only');
sql('CREATE ROLE amplified_dash_operator LOGIN IN ROLE amplified_reader, amplified_operator');
my $work = "$PostgreSQL::Test::Utils::tmp_check/dashboards";
make_path("$work/shots");
# A copy of the app's sources with the checkout's node_modules: the build
# writes its cache and dist there, never into the checkout.
system('cp', '-a', "$dash/observablehq.config.js", "$dash/package.json", "$dash/src", "$dash/scripts", $work) == 0
  or die "cp: $?";
system('rm', '-rf', "$work/src/.observablehq", "$work/dist");
symlink("$dash/node_modules", "$work/node_modules") or die "symlink: $!";
my $env = "PGHOST=" . $node->host . " PGPORT=" . $node->port . " PGUSER=amplified_dashboard PGDATABASE=postgres";
# The loaders refuse a superuser and a member of amplified_operator.
for my $u ([ 'postgres', qr/refusing to read as postgres, a superuser/ ],
	[ 'amplified_dash_operator', qr/refusing to read as amplified_dash_operator, a member of amplified_operator/ ])
{
	my $e = "PGHOST=" . $node->host . " PGPORT=" . $node->port . " PGUSER=$u->[0] PGDATABASE=postgres";
	my $o = `cd $work && env $e node src/data/queue.json.js 2>&1`;
	isnt($?, 0, "a loader run as $u->[0] fails");
	like($o, $u->[1], 'with a clear error');
}
my $out = `cd $work && env $env HOME=$work node --require ./scripts/no-network.cjs node_modules/.bin/observable build 2>&1`;
my $rc = $?;
is($rc, 0, 'observable build succeeds with no network') or diag($out);
ok(!-e "$work/dist/_npm", 'the build self-hosts nothing from npm: (no dist/_npm)');
my @remote = grep { !/^https:\/\/observablehq\.com/ } ((join '', map { local (@ARGV, $/) = ($_); <> } glob("$work/dist/*.html")) =~ /(?:src|href)="(https?:[^"]+)"/g);
is("@remote", '', 'the pages load nothing from another host');

# ---- render ----
my $port = PostgreSQL::Test::Cluster::get_free_port();
my $server = IPC::Run::start([ 'node', "$work/scripts/serve.js", $port, "$work/dist" ], '>', "$work/serve.log", '2>&1');
my $base = "http://127.0.0.1:$port/";
for (1 .. 50) { last if -s "$work/serve.log"; select(undef, undef, undef, 0.1); }
my @pages = qw(portfolio positions risk decisions queue ingestion);
# A page of the checker's own: a chart of zero-height bars, a zero-width one,
# a flat path and labels only, which must count as no marks.
open(my $zf, '>', "$work/dist/zero-chart.html") or die "zero-chart.html: $!";
print $zf qq{<!doctype html><html><head><title>zero</title></head><body><main>
<div class="amp-chart"><svg width="200" height="100"><g aria-label="bar"><rect x="10" y="50" width="20" height="0"></rect>
<rect x="40" y="50" width="0" height="30"></rect></g><g aria-label="line"><path d="M0,50L200,50"></path></g>
<g aria-label="text"><text x="10" y="20">0</text></g></svg></div></main></body></html>\n};
close $zf;
my $render = `cd $work && env HOME=$work CHROMIUM=$chromium node scripts/render.js $base $work/shots @pages zero-chart 2>&1`;
is($?, 0, 'render.js ran') or diag($render);
$server->kill_kill;
my %rep = map { my $r = eval { $JSON->decode($_) }; $r ? ($r->{page} => $r) : () } split /\n/, $render;

is_deeply([ map { $_->{marks} } @{ $rep{'zero-chart'}{charts} // [] } ], [0],
	'render.js: a chart of zero-size bars, a flat line and text draws no mark');

# Minimum charts per page (fixed), and the empty states a page may show with
# this data: no VaR (a day of history, see above).
my %want = (
	portfolio => { charts => 3, empty => [] },
	positions => { charts => 2, empty => [] },
	risk      => { charts => 1, empty => [ 'No risk report with a VaR' ] },
	decisions => { charts => 2, empty => [] },
	queue     => { charts => 1, empty => [] },
	ingestion => { charts => 1, empty => [] });
for my $p (@pages)
{
	my $r = $rep{$p};
	ok($r, "$p: rendered") or next;
	is_deeply([ @{ $r->{console_errors} }, @{ $r->{page_errors} } ], [], "$p: no console error or exception");
	is_deeply($r->{failed}, [], "$p: no failed request");
	is_deeply($r->{external}, [], "$p: no request to another host");
	is_deeply($r->{cell_errors}, [], "$p: no cell error");
	cmp_ok(scalar @{ $r->{charts} }, '>=', $want{$p}{charts}, "$p: at least $want{$p}{charts} charts");
	is(scalar(grep { $_->{marks} == 0 } @{ $r->{charts} }), 0, "$p: every chart draws marks ("
		  . join(',', map { $_->{marks} } @{ $r->{charts} }) . ')');
	my @allowed = @{ $want{$p}{empty} };
	my @empty = grep { my $e = $_; !grep { index($e, $_) >= 0 } @allowed } @{ $r->{empty} };
	is_deeply(\@empty, [], "$p: no empty state where the data exists");
	ok(-s "$work/shots/$p.png", "$p: screenshot");
}
if (my $to = $ENV{AMP_DASHBOARD_SHOTS})
{
	copy("$work/shots/$_.png", "$to/dashboard-$_.png") for @pages;
}

done_testing();
