# 030_evm_vectors: address, keccak-256, ABI and RLP against published
# vectors and against ethers.
#
# test/chain/vectors.js writes every case of the @ethersproject/testcases
# files (EIP-55 accounts, keccak hashes, the ABI encodings Solidity returned
# in contract-interface and contract-interface-abi2, selectors, event logs,
# RLP) and thousands of seeded random differential cases whose expected
# values come from ethers v5 (the seed is printed; AMP_SEED=N replays it).
# This test loads them into a fresh cluster, evaluates each one in SQL and
# reports, per source and kind, the number of mismatches with examples.
use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use AmpTest;

my $root = $ENV{AMP_ROOT} or die "AMP_ROOT is not set";
my $per_kind = $ENV{AMP_DIFF_CASES} // 2000;
my $node = AmpTest::node('vectors', preload => 0, no_extension => 1);

# JSON strings hold any Unicode character: use a UTF-8 database.
$node->safe_psql('postgres',
	"CREATE DATABASE vec ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0");
$node->safe_psql('vec', 'CREATE EXTENSION amplified');

my $file = PostgreSQL::Test::Utils::tempdir() . '/cases.tsv';
my ($stdout, $stderr);
my $ok = IPC::Run::run([ 'node', "$root/test/chain/vectors.js", $file, $per_kind ],
	'>', \$stdout, '2>', \$stderr);
ok($ok, 'vectors.js generated the cases') or diag($stderr);
my ($seed) = $stdout =~ /seed=(\d+)/;
diag("differential seed=$seed (replay with AMP_SEED=$seed)");

$node->safe_psql('vec', <<'SQL');
CREATE TABLE cases (source text, kind text, a text, b text, c text, expected text);
CREATE FUNCTION ev(kind text, a text, b text, c text) RETURNS text
LANGUAGE plpgsql SET search_path = amplified, pg_catalog AS $$
DECLARE
	r text;
BEGIN
	CASE kind
	WHEN 'addr_in' THEN r := a::address::text;
	WHEN 'keccak' THEN r := keccak256(decode(substr(a, 3), 'hex'))::text;
	WHEN 'keccak_text' THEN r := keccak256(a)::text;
	WHEN 'selector' THEN r := '0x' || encode(selector(a), 'hex');
	WHEN 'topic' THEN r := event_topic(a)::text;
	WHEN 'abi_enc' THEN r := '0x' || encode(abi_encode(a, b::jsonb), 'hex');
	WHEN 'abi_dec' THEN r := abi_decode(a, decode(substr(b, 3), 'hex'))::text;
	WHEN 'call_enc' THEN r := '0x' || encode(abi_encode_call(a, b::jsonb), 'hex');
	WHEN 'log_dec' THEN r := abi_decode_log(a, b::bytes32[], decode(substr(c, 3), 'hex'))::text;
	WHEN 'rlp_enc' THEN r := '0x' || encode(rlp_encode(a::jsonb), 'hex');
	WHEN 'rlp_dec' THEN r := rlp_decode(decode(substr(a, 3), 'hex'))::text;
	ELSE RAISE EXCEPTION 'unknown kind %', kind;
	END CASE;
	RETURN r;
EXCEPTION WHEN others THEN
	IF SQLERRM LIKE 'unknown kind %' THEN RAISE; END IF;
	RETURN 'ERR:' || SQLSTATE || ' ' || SQLERRM;
END
$$;
-- JSON results compare as jsonb, the others as text; errors by SQLSTATE.
CREATE FUNCTION agrees(kind text, got text, expected text) RETURNS boolean
LANGUAGE sql IMMUTABLE AS $$
	SELECT CASE
		WHEN got IS NULL THEN false
		WHEN expected LIKE 'ERR:%' OR got LIKE 'ERR:%' THEN split_part(got, ' ', 1) = expected
		WHEN kind IN ('abi_dec', 'log_dec', 'rlp_dec') THEN got::jsonb = expected::jsonb
		ELSE got = expected END
$$;
SQL
$node->safe_psql('vec', "COPY cases FROM '$file'");

my $res = $node->safe_psql('vec', <<'SQL');
CREATE TABLE results AS SELECT *, ev(kind, a, b, c) AS got FROM cases;
SELECT source, kind, count(*), count(*) FILTER (WHERE NOT agrees(kind, got, expected)),
	   count(*) FILTER (WHERE expected LIKE 'ERR:%')
  FROM results GROUP BY source, kind ORDER BY source, kind;
SQL

# Every published file contributes, in full.
my %min = (
	'vector/addr_in' => 5000, 'vector/keccak' => 516, 'vector/abi_dec' => 3925,
	'vector/abi_enc' => 3925, 'vector/selector' => 1880, 'vector/topic' => 1024,
	'vector/log_dec' => 2016, 'vector/rlp_enc' => 61, 'vector/rlp_dec' => 61);
my ($total, $total_bad) = (0, 0);
my %seen;
foreach my $line (split /\n/, $res)
{
	my ($source, $kind, $n, $bad, $errs) = split /\|/, $line;
	$seen{"$source/$kind"} = $n;
	$total += $n;
	$total_bad += $bad;
	my $what = $source eq 'vector' ? 'the published vectors' : 'ethers';
	my $pass = is($bad, 0, "$source $kind: $n cases ($errs expecting an error) agree with $what");
	if (!$pass)
	{
		diag($node->safe_psql('vec',
			"SELECT format('  a=%s b=%s c=%s%s  expected=%s%s  got=%s', left(a, 300), left(b, 300), left(c, 300), "
			  . "chr(10), left(expected, 400), chr(10), left(got, 400)) "
			  . "FROM results WHERE source = '$source' AND kind = '$kind' AND NOT agrees(kind, got, expected) LIMIT 5"));
	}
}
foreach my $k (sort keys %min)
{
	cmp_ok($seen{$k} // 0, '>=', $min{$k}, "$k has all its cases");
}
foreach my $k (qw(keccak keccak_text addr_in abi_enc abi_dec call_enc selector topic log_dec rlp_enc rlp_dec))
{
	cmp_ok($seen{"random/$k"} // 0, '>=', $per_kind, "random/$k has $per_kind cases");
}
diag("$total cases, $total_bad mismatches, seed=$seed");

$node->stop;
done_testing();
