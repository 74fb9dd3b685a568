# 142_shards: two shard clusters behind a coordinator (src/shard/shard.sql).
#
# Shard a holds chains 1001 and 1002, shard b chain 2001; each has its own
# strategies, snapshots (seeded random values with 18 decimals), flows,
# positions (int256 amounts, debts negative) and risk reports, written by
# hand as in 137_ranking.  The coordinator registers both with shard_add()
# and its totals must equal, exactly, the sums computed on each shard
# directly from its own tables (not from v_strategy_books): per chain and
# across chains.  EXPLAIN shows the aggregates pushed down whole to each
# shard (extensions 'amplified' ships our aggregate and operators) and the
# shards scanned by Async Foreign Scans; the shards' logs show the
# coordinator's functions sending those aggregates.  A shard that is down
# fails every cluster figure with 58R01 (never a partial total); bad
# inputs to shard_add and shard_remove fail with their SQLSTATEs and leave
# nothing behind.  A pg_dump/pg_restore of the coordinator keeps the
# registry, servers and user mappings and leaves the foreign partitions out;
# shard_refresh() rebuilds them and the figures are the same.
use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Math::BigFloat;
use AmpTest;

srand(142);
my $NUM = '0x00000000000000000000000000000000000000a1';
my $NUM2 = '0x00000000000000000000000000000000000000b2';

my %chains_of = (a => [ 1001, 1002 ], b => [2001]);
my %shard;
for my $s (qw(a b))
{
	$shard{$s} = AmpTest::node("shard_$s", preload => 0, conf => "log_statement = 'all'\n");
}
my $coord = AmpTest::node('coordinator', preload => 0);
$coord->safe_psql('postgres', 'CREATE EXTENSION postgres_fdw');

sub on
{
	my ($node, $sql) = @_;
	return $node->safe_psql('postgres', "SET search_path = amplified, public;\n$sql");
}

# psql that is expected to fail: its SQLSTATE (VERBOSITY verbose) and message
sub fails
{
	my ($node, $sql) = @_;
	my ($out, $err) = ('', '');
	my $rc = $node->psql('postgres', "\\set VERBOSITY verbose\nSET search_path = amplified, public;\n$sql",
		stdout => \$out, stderr => \$err, on_error_stop => 1);
	my ($state) = $err =~ /ERROR:\s+([0-9A-Z]{5}):/;
	return ($rc, $state // '', $err);
}

# ---- the shards' books ----
my $sidx = 0;
for my $s (qw(a b))
{
	my $n = $shard{$s};
	my $sql = '';
	for my $chain (@{ $chains_of{$s} })
	{
		on($n, "SELECT add_chain($chain, 'c$chain', ARRAY['http://127.0.0.1:9'], confirmations => 0, enabled => false)");
		for my $k (1 .. 8)
		{
			$sidx++;
			my $num = ($chain == 1002 && $k > 5) ? $NUM2 : $NUM;
			my $id = on($n, sprintf(q{SELECT id FROM strategy_create('s%d_%d', 'lp_univ3', %d, '0x%040x', '{"pool": "0x00000000000000000000000000000000000000e0",
				"position_manager": "0x00000000000000000000000000000000000000c0", "token0": "0x00000000000000000000000000000000000000a0",
				"token1": "0x00000000000000000000000000000000000000a1", "fee": 500, "tick_spacing": 10, "decimals0": 18, "decimals1": 18}')},
				$chain, $k, $chain, 0xf000 + $sidx));
			my ($block, $t) = (100, 1767225600 + int(rand(3600)));
			my $raw = Math::BigInt->new(10)->bpow(21)->bmul(1 + int(rand(1000)));
			for my $i (1 .. 4 + int(rand(5)))
			{
				my $value = Math::BigFloat->new($raw)->bdiv(Math::BigFloat->new(10)->bpow(18), 40)->bstr;
				$sql .= sprintf(qq{INSERT INTO strategy_snapshots (strategy_id, block_number, at, numeraire, value, hold_value, fees_owed, holdings, hold_basis)
					VALUES (%d, %d, to_timestamp(%d), '%s', %s, %s, %s, ARRAY[ROW('%s', 'wallet', %s, 18, 1, NULL, NULL, NULL, NULL, NULL, NULL, NULL)::strategy_holding], '{}');\n},
					$id, $block, $t, $num, $value, $value, "0.$i", $num, $raw->bstr);
				$block += 1 + int(rand(20));
				$t += 600 + int(rand(30000));
				my $step = Math::BigInt->new(10)->bpow(15)->bmul(int(rand(20000)) - 9000)->badd(int(rand(1e9)));
				$raw->badd($step);
				if (rand() < 0.3)
				{
					my $f = Math::BigInt->new(10)->bpow(18)->bmul(50 + int(rand(100)));
					$sql .= sprintf(qq{INSERT INTO strategy_flows (strategy_id, block_number, asset, amount) VALUES (%d, %d, '%s', %s);\n},
						$id, $block, $num, Math::BigFloat->new($f)->bdiv(Math::BigFloat->new(10)->bpow(18), 40)->bstr);
					$raw->badd($f);
				}
			}
			# positions: a wallet balance and a debt, raw int256 beyond 2^64
			$sql .= sprintf(qq{INSERT INTO positions (strategy_id, protocol, asset, amount, block_number)
				VALUES (%d, 'wallet', '%s', '%s', %d), (%d, 'morpho', '%s', '-%s', %d);\n},
				$id, $num, $raw->bstr, $block, $id, $num, Math::BigInt->new(10)->bpow(20)->bmul(1 + int(rand(99)))->bstr, $block);
			# risk: one report per strategy (dyadic VaRs: their sums are exact)
			$sql .= sprintf(qq{INSERT INTO risk_reports (strategy_id, chain_id, numeraire, at, value, var95, cvar95, var99, cvar99, method, min_health_factor)
				VALUES (%d, %d, '%s', to_timestamp(%d), 1, %s, %s, %s, %s, 'historical', %s);\n},
				$id, $chain, $num, $t, map({ int(rand(4096)) / 64 } 1 .. 4), 1 + int(rand(100)) / 50);
		}
		# the chain totals (strategy_id NULL) per numeraire
		for my $num ($chain == 1002 ? ($NUM, $NUM2) : ($NUM))
		{
			$sql .= sprintf(qq{INSERT INTO risk_reports (strategy_id, chain_id, numeraire, at, value, var95, cvar95, var99, cvar99, method, min_health_factor)
				VALUES (NULL, %d, '%s', to_timestamp(1767300000), %d, %s, %s, %s, %s, 'historical', %s);\n},
				$chain, $num, 1000 + int(rand(1000)), map({ int(rand(65536)) / 256 } 1 .. 4), 1 + int(rand(100)) / 50);
		}
	}
	on($n, $sql);
}

# ---- the coordinator ----
# shard b is read by a role that only holds amplified_reader there and must
# give its password (the first line of shard b's pg_hba.conf)
$shard{b}->safe_psql('postgres', q{SET password_encryption = 'scram-sha-256';
	CREATE ROLE coord_reader LOGIN PASSWORD 'coord-secret' IN ROLE amplified_reader});
{
	my $hba = $shard{b}->data_dir . '/pg_hba.conf';
	my $old = slurp_file($hba);
	open(my $fh, '>', $hba) or die "cannot write $hba: $!";
	print $fh "local all coord_reader scram-sha-256\nhost all coord_reader 127.0.0.1/32 scram-sha-256\n$old";
	close($fh);
	$shard{b}->reload;
}
for my $s (qw(a b))
{
	my $r = on($coord, sprintf(q{SELECT server FROM shard_add('%s', '%s', %d, 'postgres', ARRAY[%s]%s)},
		$s, $shard{$s}->host, $shard{$s}->port, join(',', @{ $chains_of{$s} }),
		$s eq 'b' ? ", remote_user => 'coord_reader', remote_password => 'coord-secret'" : ''));
	is($r, "amplified_shard_$s", "shard_add('$s') made server amplified_shard_$s");
}
is(on($coord, q{SELECT count(*) FROM pg_foreign_server WHERE srvname LIKE 'amplified\_shard\_%' AND 'async_capable=true' = ANY (srvoptions)
	AND 'extensions=amplified' = ANY (srvoptions)}), 2, 'both servers are async_capable with extensions amplified');
is(on($coord, q{SELECT count(*) FROM pg_inherits WHERE inhparent IN ('amplified.shard_books'::regclass,
	'amplified.shard_risk'::regclass, 'amplified.shard_positions'::regclass)}), 6, 'one foreign partition per shard and relation');
is(on($coord, q{SELECT array_to_string(umoptions, ',') FROM pg_user_mappings WHERE srvname = 'amplified_shard_b'}), 'user=coord_reader,password=coord-secret',
	'shard b\'s user mapping names its reader role');
is(on($coord, q{SELECT pg_get_expr(relpartbound, oid) FROM pg_class WHERE relname = 'shard_a_books'}), 'FOR VALUES IN (\'1001\', \'1002\')',
	'shard a\'s partition holds its chains');

# ---- the reference: each shard's own figures, from its tables ----
my $ref_books = q{
	WITH l AS (SELECT DISTINCT ON (n.strategy_id) n.strategy_id, n.numeraire, n.value, n.hold_value
				 FROM strategy_snapshots n ORDER BY n.strategy_id, n.block_number DESC),
		 f AS (SELECT DISTINCT ON (n.strategy_id) n.strategy_id, n.value
				 FROM strategy_snapshots n ORDER BY n.strategy_id, n.block_number),
		 p AS (SELECT a.strategy_id, sum(a.pnl_fees) AS fees, sum(a.pnl_flows) AS flows, sum(a.pnl_price) AS price,
					  sum(a.pnl_gas) AS gas
				 FROM v_pnl_attribution a WHERE a.period = 'block' GROUP BY a.strategy_id)
	SELECT s.chain_id, l.numeraire, count(*), sum(l.value), sum(l.hold_value), sum(f.value), sum(l.value - f.value),
		   coalesce(sum(p.fees), 0), coalesce(sum(p.flows), 0), coalesce(sum(p.price), 0), coalesce(sum(p.gas), 0)
	  FROM strategies s JOIN l ON l.strategy_id = s.id JOIN f ON f.strategy_id = s.id LEFT JOIN p ON p.strategy_id = s.id
	 GROUP BY s.chain_id, l.numeraire ORDER BY 1, 2::text};
my $got_books = q{SELECT p.chain_id, p.numeraire, p.strategies, p.value, p.hold_value, q.value_start, q.value_change,
		q.pnl_fees, q.pnl_flows, q.pnl_price, q.pnl_gas
	FROM v_cluster_portfolio p JOIN v_cluster_pnl q USING (chain_id, numeraire) ORDER BY 1, 2::text};
my $ref_risk = q{SELECT chain_id, numeraire, value, var95, cvar95, var99, cvar99, min_health_factor FROM v_risk
	WHERE strategy_id IS NULL ORDER BY 1, 2::text};
my $ref_pos = q{SELECT s.chain_id, p.protocol, p.asset, count(*), sum(p.amount) FROM positions p JOIN strategies s ON s.id = p.strategy_id
	GROUP BY 1, 2, 3 ORDER BY 1, 2, 3::text};

sub rows { return [ map { [ split /\|/ ] } grep { length } split /\n/, $_[0] ]; }

# numbers compared exactly (as decimals), text as text
sub same_rows
{
	my ($got, $want, $what) = @_;
	my $ok = @$got == @$want;
	for my $i (0 .. $#$want)
	{
		for my $j (0 .. $#{ $want->[$i] })
		{
			my ($g, $w) = ($got->[$i][$j] // '', $want->[$i][$j] // '');
			my $eq = ($w =~ /^-?\d+(\.\d+)?$/ && $g =~ /^-?\d+(\.\d+)?$/)
			  ? Math::BigFloat->new($g)->bcmp(Math::BigFloat->new($w)) == 0 : $g eq $w;
			unless ($eq) { diag("$what: row $i col $j: got '$g', want '$w'"); $ok = 0; }
		}
	}
	ok($ok, $what);
}

my (@want_books, @want_risk, @want_pos);
for my $s (qw(a b))
{
	push @want_books, @{ rows(on($shard{$s}, $ref_books)) };
	push @want_risk, @{ rows(on($shard{$s}, $ref_risk)) };
	push @want_pos, @{ rows(on($shard{$s}, $ref_pos)) };
}
is(scalar(@want_books), 4, 'four (chain, numeraire) groups on the shards');
same_rows(rows(on($coord, $got_books)), \@want_books, 'per chain: value, P&L equal each shard\'s own sums exactly');
note("v_cluster_portfolio:\n" . $coord->safe_psql('postgres', 'SELECT * FROM amplified.v_cluster_portfolio', extra_params => [ '-P', 'format=aligned', '-P', 'footer=off' ]));
note("v_cluster_totals:\n" . $coord->safe_psql('postgres', 'SELECT numeraire, shards, chains, strategies, value, value_change, pnl_fees, pnl_flows, var95_sum, cvar95_upper_bound FROM amplified.v_cluster_totals', extra_params => [ '-P', 'format=aligned', '-P', 'footer=off' ]));
same_rows(rows(on($coord, q{SELECT chain_id, numeraire, value, var95, cvar95, var99, cvar99, min_health_factor
	FROM v_cluster_risk WHERE strategy_id IS NULL ORDER BY 1, 2::text})), \@want_risk, 'per chain: the shards\' risk totals');
is(on($coord, q{SELECT count(*) FROM v_cluster_risk WHERE strategy_id IS NOT NULL}), 24, 'and every strategy\'s risk report');
same_rows(rows(on($coord, q{SELECT chain_id, protocol, asset, positions, amount FROM v_cluster_positions ORDER BY 1, 2, 3::text})),
	\@want_pos, 'per chain: positions and int256 amounts summed on the shards');
is(on($coord, q{SELECT string_agg(DISTINCT shard || ':' || chain_id, ' ' ORDER BY shard || ':' || chain_id) FROM v_cluster_portfolio}),
	'a:1001 a:1002 b:2001', 'each chain under its shard');

# across chains, per numeraire: the sum of the shards' figures
my %tot;
for my $r (@want_books)
{
	my $k = $r->[1];
	for my $j (2 .. 10) { $tot{$k}[$j] = ($tot{$k}[$j] // Math::BigFloat->new(0))->badd(Math::BigFloat->new($r->[$j])); }
}
for my $r (@want_risk)
{
	my $k = $r->[1];
	for my $j (3 .. 6) { $tot{$k}[ 8 + $j ] = ($tot{$k}[ 8 + $j ] // Math::BigFloat->new(0))->badd(Math::BigFloat->new($r->[$j])); }
}
my @want_tot = map { [ $_, map { $_->bstr } @{ $tot{$_} }[ 2 .. 14 ] ] } sort keys %tot;
same_rows(rows(on($coord, q{SELECT numeraire, strategies, value, hold_value, value_start, value_change, pnl_fees, pnl_flows,
	pnl_price, pnl_gas, var95_sum, cvar95_upper_bound, var99_sum, cvar99_upper_bound FROM v_cluster_totals ORDER BY 1::text})),
	\@want_tot, 'across chains: totals per numeraire equal the sum of the shards\' sums');
is(on($coord, "SELECT chains || ' ' || shards FROM v_cluster_totals WHERE numeraire = '$NUM'"), '3 2',
	'the numeraire held everywhere: 3 chains on 2 shards');
cmp_ok(on($coord, "SELECT value FROM v_cluster_totals WHERE numeraire = '$NUM'"), '>', 0, 'with a value');

# ---- pushdown and async ----
my $plan = on($coord, q{SET enable_partitionwise_aggregate = on;
	EXPLAIN (VERBOSE, COSTS OFF) SELECT chain_id, numeraire, count(*), sum(value) FROM shard_books GROUP BY chain_id, numeraire});
note("EXPLAIN of the per-chain aggregate:\n$plan");
is(scalar(() = $plan =~ /Async Foreign Scan/g), 2, 'the shards are scanned by two Async Foreign Scans') or diag($plan);
is(scalar(() = $plan =~ /Remote SQL: SELECT chain_id, numeraire, count\(\*\), sum\(value\) FROM amplified\.v_strategy_books GROUP BY 1, 2/g), 2,
	'the GROUP BY chain_id aggregate is pushed whole to each shard') or diag($plan);
unlike($plan, qr/HashAggregate|GroupAggregate/, 'nothing aggregated on the coordinator');
$plan = on($coord, q{SET enable_partitionwise_aggregate = on;
	EXPLAIN (VERBOSE, COSTS OFF) SELECT chain_id, asset, amplified.sum(amount) FROM shard_positions GROUP BY chain_id, asset});
is(scalar(() = $plan =~ /Remote SQL: SELECT chain_id, asset, amplified\.sum\(amount\)/g), 2, 'amplified.sum(int256) is shipped (extensions amplified)')
  or diag($plan);
# without the extensions option, the address grouping and our sum stay local
on($coord, q{ALTER SERVER amplified_shard_a OPTIONS (SET extensions '')});
$plan = on($coord, q{SET enable_partitionwise_aggregate = on;
	EXPLAIN (VERBOSE, COSTS OFF) SELECT chain_id, asset, amplified.sum(amount) FROM shard_positions GROUP BY chain_id, asset});
is(scalar(() = $plan =~ /amplified\.sum\(amount\) FROM/g), 1, 'without extensions amplified, shard a aggregates nothing') or diag($plan);
on($coord, q{ALTER SERVER amplified_shard_a OPTIONS (SET extensions 'amplified')});

# the functions behind the views set enable_partitionwise_aggregate
# themselves: the shards receive the aggregate from them
for my $v (qw(v_cluster_portfolio v_cluster_pnl v_cluster_totals))
{
	my %logpos = map { $_ => -s $shard{$_}->logfile } qw(a b);
	on($coord, "SELECT count(*) FROM $v");
	for my $s (qw(a b))
	{
		my $log = substr(slurp_file($shard{$s}->logfile), $logpos{$s});
		like($log, qr/CURSOR FOR\s+SELECT chain_id, numeraire, count\(\*\), sum\([^\n]*FROM amplified\.v_strategy_books GROUP BY 1, 2/,
			"shard $s received the pushed-down aggregate from $v");
	}
}

# ---- privileges ----
$coord->safe_psql('postgres', q{CREATE ROLE bob LOGIN IN ROLE amplified_reader; CREATE ROLE alice LOGIN IN ROLE amplified_admin});
is($coord->safe_psql('postgres', "SELECT count(*) FROM amplified.v_cluster_totals", extra_params => [ '-U', 'bob' ]), 2,
	'a reader reads the cluster views (no user mapping of its own)');
my ($rc, $st, $err) = fails($coord, q{SET ROLE bob; SELECT shard_add('c', 'localhost', 5432, 'postgres', ARRAY[7])});
is($st, '42501', 'a reader cannot call shard_add');
($rc, $st, $err) = fails($coord, q{SET ROLE bob; SELECT * FROM shard_books});
is($st, '42501', 'nor read the foreign partitions directly');

# ---- bad inputs: each fails and leaves nothing ----
my $servers = q{SELECT count(*) FROM pg_foreign_server};
my $n_servers = on($coord, $servers);
($rc, $st, $err) = fails($coord, sprintf(q{SET ROLE alice; SELECT shard_add('c', '%s', %d, 'postgres', ARRAY[2001])},
	$shard{b}->host, $shard{b}->port));
is($st, '23505', 'a chain already held by another shard: unique_violation');
like($err, qr/chain 2001 already belongs to shard "b"/, 'naming the shard that holds it');
($rc, $st, $err) = fails($coord, sprintf(q{SET ROLE alice; SELECT shard_add('c', '%s', %d, 'postgres', ARRAY[3001])},
	$shard{b}->host, $shard{b}->port));
is($st, '42501', 'an admin who is not a superuser must give the remote user and password');
like($err, qr/needs remote_user and remote_password/, 'saying so');
($rc, $st, $err) = fails($coord, sprintf(q{SELECT shard_add('c', '%s', %d, 'postgres', ARRAY[1001, 3001])},
	$shard{b}->host, $shard{b}->port));
is($st, '23505', 'one of several chain ids held elsewhere: unique_violation');
($rc, $st, $err) = fails($coord, sprintf(q{SELECT shard_add('c', '%s', %d, 'postgres', ARRAY[3001])}, $shard{b}->host, $shard{b}->port));
is($st, '22023', 'chains that disagree with the shard\'s own chains table: invalid_parameter_value');
like($err, qr/shard "c" holds chains \{2001\} but \{3001\} were given/, 'saying what the shard holds');
my $dead = PostgreSQL::Test::Cluster::get_free_port();
($rc, $st, $err) = fails($coord, sprintf(q{SELECT shard_add('c', '%s', %d, 'postgres', ARRAY[3001], connect_timeout => 2)},
	$shard{b}->host, $dead));
is($st, '58R01', 'a server nobody listens on: 58R01');
like($err, qr/shard "c" is unreachable/, 'named as unreachable');
($rc, $st, $err) = fails($coord, q{SELECT shard_add('C-1', 'h', 1, 'postgres', ARRAY[3001])});
is($st, '22023', 'a bad shard name: invalid_parameter_value');
($rc, $st, $err) = fails($coord, q{SELECT shard_add('c', 'h', 1, 'postgres', ARRAY[3001, 3001])});
is($st, '22023', 'a chain id twice: invalid_parameter_value');
($rc, $st, $err) = fails($coord, sprintf(q{SELECT shard_add('a', '%s', %d, 'postgres', ARRAY[3001])}, $shard{b}->host, $shard{b}->port));
is($st, '23505', 'a shard name taken: unique_violation');
($rc, $st, $err) = fails($coord, q{SELECT shard_remove('nope')});
is($st, '42704', 'shard_remove of an unknown shard: undefined_object');
is(on($coord, $servers), $n_servers, 'no server left behind by the failures');
is(on($coord, q{SELECT count(*) FROM shards}) . ' ' . on($coord, q{SELECT count(*) FROM shard_chains}), '2 3', 'nor registry rows');

# ---- a shard down: an error, never a partial total ----
$shard{b}->stop;
for my $v (qw(v_cluster_totals v_cluster_portfolio v_cluster_pnl v_cluster_risk v_cluster_positions))
{
	my ($rc, $st, $err) = fails($coord, "SELECT * FROM $v");
	note("$v with shard b down:\n$err") if $v eq 'v_cluster_totals';
	is($st, '58R01', "$v with shard b down: 58R01");
	like($err, qr/a shard is unreachable.*\n.*DETAIL:.*amplified_shard_b.*(refused|No such file)/, "$v names the server that failed and why") if $v eq 'v_cluster_totals';
}
$shard{b}->start;
is(on($coord, q{SELECT count(*) FROM v_cluster_portfolio}), 4, 'shard b back: every chain again');

# ---- dump, refresh, remove ----
my $dumpfile = PostgreSQL::Test::Utils::tempdir() . '/coord.sql';
$coord->command_ok([ 'pg_dump', '-s', '-d', 'postgres', '-f', $dumpfile ], 'pg_dump -s of the coordinator');
my $dump = slurp_file($dumpfile);
like($dump, qr/CREATE SERVER amplified_shard_a FOREIGN DATA WRAPPER postgres_fdw/, 'pg_dump keeps the servers');
unlike($dump, qr/shard_a_books/, 'and leaves out the foreign partitions (extension members)');
# a restore of the coordinator into another database: registry, servers and
# user mappings come back; shard_refresh() rebuilds the foreign partitions
my $archive = PostgreSQL::Test::Utils::tempdir() . '/coord.dump';
$coord->command_ok([ 'pg_dump', '-Fc', '-d', 'postgres', '-f', $archive ], 'pg_dump -Fc of the coordinator');
$coord->safe_psql('postgres', 'CREATE DATABASE restored');
$coord->command_ok([ 'pg_restore', '--exit-on-error', '-d', 'restored', $archive ], 'pg_restore into database restored');
my $rsql = sub { $coord->safe_psql('restored', "SET search_path = amplified, public;\n$_[0]") };
is($rsql->(q{SELECT count(*) FROM pg_class WHERE relkind = 'f'}) . ' ' . $rsql->(q{SELECT count(*) FROM shard_chains})
	. ' ' . $rsql->(q{SELECT count(*) FROM pg_user_mappings WHERE srvname LIKE 'amplified\\_shard\\_%'}), '0 3 2',
	'restored: the registry and user mappings, no foreign tables');
is($rsql->(q{SELECT string_agg(shard || ':' || array_to_string(chain_ids, ','), ' ') FROM shard_refresh()}),
	'a:1001,1002 b:2001', 'shard_refresh on the restored coordinator rebuilds both shards');
same_rows(rows($rsql->($got_books)), \@want_books, 'the restored coordinator shows the same figures');

is(on($coord, q{SELECT string_agg(shard || ':' || array_to_string(chain_ids, ','), ' ') FROM shard_refresh()}),
	'a:1001,1002 b:2001', 'shard_refresh rebuilds both shards');
same_rows(rows(on($coord, $got_books)), \@want_books, 'and the figures are the same after it');
on($coord, q{SET ROLE alice; SELECT shard_remove('b')});
is(on($coord, q{SELECT count(*) FROM pg_foreign_server WHERE srvname = 'amplified_shard_b'}) . ' '
	. on($coord, q{SELECT count(*) FROM pg_class WHERE relname LIKE 'shard\\_b\\_%'}), '0 0', 'an admin removes shard b: server and tables gone');
is(on($coord, q{SELECT string_agg(DISTINCT chain_id::text, ' ') FROM v_cluster_portfolio}), '1001 1002', 'only shard a\'s chains left');
($rc, $st, $err) = fails($coord, sprintf(q{SET ROLE alice; SELECT shard_add('b', '%s', %d, 'postgres', ARRAY[2001],
	remote_user => 'coord_reader', remote_password => 'wrong')}, $shard{b}->host, $shard{b}->port));
is($st, '58R01', 'a wrong password: the shard refuses the coordinator');
like($err, qr/password authentication failed for user "coord_reader"/, 'with the shard\'s reason');
on($coord, sprintf(q{SET ROLE alice; SELECT shard_add('b', '%s', %d, 'postgres', ARRAY[2001],
	remote_user => 'coord_reader', remote_password => 'coord-secret')}, $shard{b}->host, $shard{b}->port));
same_rows(rows(on($coord, $got_books)), \@want_books, 'an admin adds it back: the same figures');

done_testing();
