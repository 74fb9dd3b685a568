# 020_evm_int_differential: uint256 and int256 against Node's BigInt.
#
# test/chain/diff_int.js draws thousands of edge-biased random cases per
# operation (seeded; the seed is printed, AMP_SEED=N replays a run) with the
# BigInt result or the SQLSTATE the extension must raise.  This test loads
# them into a fresh cluster, evaluates each one in SQL, and reports per
# operation the number of mismatches with a few examples.  Values and errors
# both count: an overflow must fail exactly when BigInt's result is out of
# range.  Then large sorts (abbreviated keys), btree and hash lookups and a
# parallel sum are checked against numeric on the same values.
use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use AmpTest;

my $root = $ENV{AMP_ROOT} or die "AMP_ROOT is not set";
my $per_op = $ENV{AMP_DIFF_CASES} // 2000;
my $node = AmpTest::node('intdiff', preload => 0);

my $file = PostgreSQL::Test::Utils::tempdir() . '/cases.tsv';
my ($stdout, $stderr);
my $ok = IPC::Run::run([ 'node', "$root/test/chain/diff_int.js", $file, $per_op ],
	'>', \$stdout, '2>', \$stderr);
ok($ok, 'diff_int.js generated the cases') or diag($stderr);
my ($seed) = $stdout =~ /seed=(\d+)/;
diag("differential seed=$seed (replay with AMP_SEED=$seed)");

# Each op as SQL over the text operands a, b, c; errors become ERR:SQLSTATE.
$node->safe_psql('postgres', <<'SQL');
CREATE TABLE cases (op text, a text, b text, c text, expected text);
CREATE FUNCTION ev(op text, a text, b text, c text) RETURNS text
LANGUAGE plpgsql SET search_path = amplified, pg_catalog AS $$
DECLARE
	r text;
BEGIN
	CASE op
	WHEN 'u_add' THEN r := a::uint256 + b::uint256;
	WHEN 'u_sub' THEN r := a::uint256 - b::uint256;
	WHEN 'u_mul' THEN r := a::uint256 * b::uint256;
	WHEN 'u_div' THEN r := a::uint256 / b::uint256;
	WHEN 'u_mod' THEN r := a::uint256 % b::uint256;
	WHEN 'u_and' THEN r := a::uint256 & b::uint256;
	WHEN 'u_or' THEN r := a::uint256 | b::uint256;
	WHEN 'u_xor' THEN r := a::uint256 # b::uint256;
	WHEN 'u_not' THEN r := ~ a::uint256;
	WHEN 'u_shl' THEN r := a::uint256 << b::int4;
	WHEN 'u_shr' THEN r := a::uint256 >> b::int4;
	WHEN 'u_muldiv' THEN r := mul_div(a::uint256, b::uint256, c::uint256);
	WHEN 'u_muldivup' THEN r := mul_div_up(a::uint256, b::uint256, c::uint256);
	WHEN 'u_pow' THEN r := pow(a::uint256, b::uint256);
	WHEN 'u_sqrt' THEN r := sqrt(a::uint256);
	WHEN 'u_msb' THEN r := msb(a::uint256);
	WHEN 'u_hex' THEN r := to_hex(a::uint256);
	WHEN 'u_cmp' THEN r := uint256_cmp(a::uint256, b::uint256);
	WHEN 'u_in' THEN r := a::uint256;
	WHEN 'u_bytea' THEN r := encode(to_bytea(a::uint256), 'hex');
	WHEN 'u_frombytea' THEN r := uint256_from_bytea(decode(a, 'hex'));
	WHEN 'u_int8' THEN r := a::uint256::int8;
	WHEN 'u_int4' THEN r := a::uint256::int4;
	WHEN 'u_from_int8' THEN r := a::int8::uint256;
	WHEN 'u_numeric' THEN r := a::numeric::uint256;
	WHEN 'u_to_numeric' THEN r := a::uint256::numeric;
	WHEN 'u_toint256' THEN r := a::uint256::int256;
	WHEN 'u_sum' THEN SELECT sum(v::uint256) INTO r FROM unnest(string_to_array(a, ',')) v;
	WHEN 'u_sort' THEN SELECT string_agg(v, ',' ORDER BY v::uint256) INTO r FROM unnest(string_to_array(a, ',')) v;
	WHEN 'u_tounits' THEN r := to_units(a::uint256, b::int4);
	WHEN 'u_fromunits' THEN r := from_units(a::numeric, b::int4, c);
	WHEN 'i_add' THEN r := a::int256 + b::int256;
	WHEN 'i_sub' THEN r := a::int256 - b::int256;
	WHEN 'i_mul' THEN r := a::int256 * b::int256;
	WHEN 'i_div' THEN r := a::int256 / b::int256;
	WHEN 'i_mod' THEN r := a::int256 % b::int256;
	WHEN 'i_neg' THEN r := - a::int256;
	WHEN 'i_abs' THEN r := abs(a::int256);
	WHEN 'i_and' THEN r := a::int256 & b::int256;
	WHEN 'i_or' THEN r := a::int256 | b::int256;
	WHEN 'i_xor' THEN r := a::int256 # b::int256;
	WHEN 'i_not' THEN r := ~ a::int256;
	WHEN 'i_shl' THEN r := a::int256 << b::int4;
	WHEN 'i_shr' THEN r := a::int256 >> b::int4;
	WHEN 'i_pow' THEN r := pow(a::int256, b::uint256);
	WHEN 'i_cmp' THEN r := int256_cmp(a::int256, b::int256);
	WHEN 'i_hex' THEN r := to_hex(a::int256);
	WHEN 'i_in' THEN r := a::int256;
	WHEN 'i_bytea' THEN r := encode(to_bytea(a::int256), 'hex');
	WHEN 'i_frombytea' THEN r := int256_from_bytea(decode(a, 'hex'));
	WHEN 'i_int8' THEN r := a::int256::int8;
	WHEN 'i_from_int8' THEN r := a::int8::int256;
	WHEN 'i_touint256' THEN r := a::int256::uint256;
	WHEN 'i_numeric' THEN r := a::numeric::int256;
	WHEN 'i_to_numeric' THEN r := a::int256::numeric;
	WHEN 'i_sum' THEN SELECT sum(v::int256) INTO r FROM unnest(string_to_array(a, ',')) v;
	WHEN 'i_sort' THEN SELECT string_agg(v, ',' ORDER BY v::int256) INTO r FROM unnest(string_to_array(a, ',')) v;
	WHEN 'i_tounits' THEN r := to_units(a::int256, b::int4);
	WHEN 'i_fromunits' THEN r := int256_from_units(a::numeric, b::int4, c);
	ELSE RAISE EXCEPTION 'unknown op %', op;
	END CASE;
	RETURN r;
EXCEPTION WHEN others THEN
	IF SQLERRM LIKE 'unknown op %' THEN RAISE; END IF;
	RETURN 'ERR:' || SQLSTATE;
END
$$;
SQL
$node->safe_psql('postgres', "COPY cases FROM '$file'");

my $res = $node->safe_psql('postgres', <<'SQL');
CREATE TABLE results AS SELECT op, a, b, c, expected, ev(op, a, b, c) AS got FROM cases;
SELECT op, count(*), count(*) FILTER (WHERE got IS DISTINCT FROM expected),
	   count(*) FILTER (WHERE expected LIKE 'ERR:%')
  FROM results GROUP BY op ORDER BY op;
SQL
my $total = 0;
my $total_bad = 0;
my @ops = split /\n/, $res;
cmp_ok(scalar(@ops), '>=', 59, 'every operation has cases');
foreach my $line (@ops)
{
	my ($op, $n, $bad, $errs) = split /\|/, $line;
	$total += $n;
	$total_bad += $bad;
	my $pass = is($bad, 0, "$op: $n cases ($errs expecting an error) agree with BigInt");
	if (!$pass)
	{
		diag($node->safe_psql('postgres',
			"SELECT format('  a=%s b=%s c=%s expected=%s got=%s', a, b, c, expected, got) "
			  . "FROM results WHERE op = '$op' AND got IS DISTINCT FROM expected LIMIT 5"));
	}
}
diag("$total cases, $total_bad mismatches, seed=$seed");

# Large sorts go through abbreviated keys and must order exactly like
# numeric; so must btree index scans and hash joins.
$node->safe_psql('postgres', <<'SQL');
SET search_path = public, amplified;
CREATE TABLE big AS
	SELECT i, (CASE i % 4
				 WHEN 0 THEN '0x' || md5(i::text)
				 WHEN 1 THEN '0x' || md5(i::text) || md5((i + 1)::text)
				 WHEN 2 THEN (i % 1000)::text
				 ELSE '0x' || substr(md5(i::text), 1, 1 + i % 30) END)::uint256 AS u
	  FROM generate_series(1, 50000) i;
ALTER TABLE big ADD COLUMN s int256;
UPDATE big SET s = CASE WHEN i % 3 = 0 THEN -(u >> 2)::int256 ELSE (u >> 1)::int256 END;
ALTER TABLE big ADD COLUMN n numeric, ADD COLUMN sn numeric;
UPDATE big SET n = u::numeric, sn = s::numeric;
SQL
is($node->safe_psql('postgres', <<'SQL'), '0|0', 'a 50000-row sort orders uint256 and int256 exactly like numeric');
SET search_path = public, amplified;
SET work_mem = '64MB';
WITH a AS (SELECT n, row_number() OVER (ORDER BY u, i) r FROM big),
	 b AS (SELECT n, row_number() OVER (ORDER BY n, i) r FROM big),
	 c AS (SELECT sn, row_number() OVER (ORDER BY s, i) r FROM big),
	 d AS (SELECT sn, row_number() OVER (ORDER BY sn, i) r FROM big)
SELECT (SELECT count(*) FROM a JOIN b USING (r) WHERE a.n <> b.n),
	   (SELECT count(*) FROM c JOIN d USING (r) WHERE c.sn <> d.sn);
SQL
is($node->safe_psql('postgres', <<'SQL'), '0|0', 'an external (disk) sort agrees as well');
SET search_path = public, amplified;
SET work_mem = '64kB';
WITH a AS (SELECT n, row_number() OVER (ORDER BY u, i) r FROM big),
	 b AS (SELECT n, row_number() OVER (ORDER BY n, i) r FROM big),
	 c AS (SELECT sn, row_number() OVER (ORDER BY s, i) r FROM big),
	 d AS (SELECT sn, row_number() OVER (ORDER BY sn, i) r FROM big)
SELECT (SELECT count(*) FROM a JOIN b USING (r) WHERE a.n <> b.n),
	   (SELECT count(*) FROM c JOIN d USING (r) WHERE c.sn <> d.sn);
SQL

$node->safe_psql('postgres', <<'SQL');
SET search_path = public, amplified;
CREATE INDEX big_u ON big (u);
CREATE INDEX big_s ON big (s);
CREATE INDEX big_uh ON big USING hash (u);
ANALYZE big;
SQL
# The same counts through btree range scans, btree and hash equality
# lookups (index scans forced) and through numeric (plain plans).
my $probe_sql = <<'SQL';
SELECT (SELECT count(*) FROM big WHERE u > '0xffffffffffffffffffffffff' AND u <= '0xffffffffffffffffffffffffffffffffffffff'),
	   (SELECT count(*) FROM big WHERE s < -1000 AND s >= '-0xffffffffffffffffffffffffffff'),
	   (SELECT count(*) FROM big b JOIN probes p ON b.u = p.u),
	   (SELECT count(*) FROM big b JOIN probes p ON b.s = p.s)
SQL
my $numeric_sql = <<'SQL';
SELECT (SELECT count(*) FROM big WHERE n > 79228162514264337593543950335 AND n <= 5708990770823839524233143877797980545530986495),
	   (SELECT count(*) FROM big WHERE sn < -1000 AND sn >= -5192296858534827628530496329220095),
	   (SELECT count(*) FROM big b JOIN probes p ON b.n = p.n),
	   (SELECT count(*) FROM big b JOIN probes p ON b.sn = p.sn)
SQL
$node->safe_psql('postgres', 'CREATE TABLE probes AS SELECT u, s, n, sn FROM big WHERE i % 10 = 0');
my $expected = $node->safe_psql('postgres', "SET search_path = public, amplified; $numeric_sql");
my $btree = $node->safe_psql('postgres',
	"BEGIN; SET search_path = public, amplified; SET enable_seqscan = off; SET enable_bitmapscan = off; "
	  . "SET enable_hashjoin = off; SET enable_mergejoin = off; DROP INDEX big_uh; $probe_sql; ROLLBACK");
my $btree_plan = $node->safe_psql('postgres',
	"BEGIN; SET search_path = public, amplified; SET enable_seqscan = off; SET enable_bitmapscan = off; "
	  . "SET enable_hashjoin = off; SET enable_mergejoin = off; DROP INDEX big_uh; EXPLAIN (COSTS OFF) $probe_sql; ROLLBACK");
is($btree, $expected, "btree scans count what numeric counts ($expected)");
like($btree_plan, qr/Index Only Scan using big_u .*Index Only Scan using big_s/s, 'those counts came from the btree indexes');
$node->safe_psql('postgres', 'SET search_path = public, amplified; CREATE INDEX big_sh ON big USING hash (s)');
my $hash_sql = "SET search_path = public, amplified; SET enable_seqscan = off; SET enable_bitmapscan = off; "
  . "SET enable_hashjoin = off; SET enable_mergejoin = off; DROP INDEX big_u; DROP INDEX big_s; ";
my $hash = $node->safe_psql('postgres', "BEGIN; $hash_sql $probe_sql; ROLLBACK");
my $hash_plan = $node->safe_psql('postgres', "BEGIN; $hash_sql EXPLAIN (COSTS OFF) $probe_sql; ROLLBACK");
is((split /\|/, $hash)[2] . '|' . (split /\|/, $hash)[3],
	(split /\|/, $expected)[2] . '|' . (split /\|/, $expected)[3], 'hash index lookups count what numeric counts');
like($hash_plan, qr/Index Scan using big_uh.*Index Scan using big_sh/s, 'those counts came from the hash indexes');

is($node->safe_psql('postgres', <<'SQL'), 't|t|t|t', 'hash join, merge join and sum/avg agree with numeric');
SET search_path = public, amplified;
SELECT (SELECT count(*) FROM big x JOIN big y ON x.u = y.u) = (SELECT count(*) FROM big x JOIN big y ON x.n = y.n),
	   (SELECT count(*) FROM big x JOIN big y ON x.s = y.s) = (SELECT count(*) FROM big x JOIN big y ON x.sn = y.sn),
	   (SELECT row(sum(s >> 20)::numeric, avg(s), sum(u >> 20)::numeric, avg(u)) FROM big)
	 = (SELECT row(sum((s >> 20)::numeric), avg(sn), sum((u >> 20)::numeric), avg(n)) FROM big),
	   (SELECT count(*) FROM big x JOIN big y ON x.u = y.u WHERE x.i % 7 = 0) = (SELECT count(*) FROM big x JOIN big y ON x.n = y.n WHERE x.i % 7 = 0);
SQL
my $join_plans = $node->safe_psql('postgres', <<'SQL');
SET search_path = public, amplified;
SET enable_mergejoin = off; SET enable_nestloop = off;
EXPLAIN (COSTS OFF) SELECT count(*) FROM big x JOIN big y ON x.u = y.u;
SET enable_mergejoin = on; SET enable_hashjoin = off;
EXPLAIN (COSTS OFF) SELECT count(*) FROM big x JOIN big y ON x.s = y.s;
SQL
like($join_plans, qr/Hash Join.*Merge Join/s, 'the planner can hash-join and merge-join on =');
$node->safe_psql('postgres', <<'SQL');
ALTER TABLE big SET (parallel_workers = 4);
SQL
my $plan = $node->safe_psql('postgres', <<'SQL');
SET search_path = public, amplified;
SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0; SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 4;
EXPLAIN (COSTS OFF) SELECT sum(s >> 20), avg(u) FROM big;
SQL
like($plan, qr/Partial Aggregate/, 'sum and avg run as parallel aggregates');
is($node->safe_psql('postgres', <<'SQL'), 't', 'parallel sum and avg (serialize, combine) agree with numeric');
SET search_path = public, amplified;
SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0; SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 4;
SELECT (SELECT row(sum(s >> 20)::numeric, avg(s), sum(u >> 20)::numeric, avg(u), min(u)::numeric, max(s)::numeric) FROM big)
	 = (SELECT row(sum((s >> 20)::numeric), avg(sn), sum((u >> 20)::numeric), avg(n), min(n), max(sn)) FROM big);
SQL

$node->stop;
done_testing();
