# 063_ingest_registry_dump: ingest's registries are configuration.  A user's
# own event decoder (with its table), state read (with its decode function)
# and contract kind, and a contract watched with that kind, survive pg_dump
# and a restore into a new database; the built-in rows, which CREATE
# EXTENSION makes again, are not dumped, so the restored registries hold
# each row exactly once, and the restored read plan is the original's.
use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use AmpTest;

my $node = AmpTest::node('registry_dump', preload => 0);

$node->safe_psql('postgres', q{
	SELECT amplified.add_chain(990062, 'dump-test', ARRAY['http://127.0.0.1:1/'], enabled => false);
	CREATE TABLE amplified.my_approvals (
		chain_id bigint NOT NULL, block_number bigint NOT NULL, log_index integer NOT NULL,
		token amplified.address NOT NULL, owner amplified.address NOT NULL, spender amplified.address NOT NULL,
		value amplified.uint256 NOT NULL,
		PRIMARY KEY (chain_id, block_number, log_index),
		FOREIGN KEY (chain_id, block_number) REFERENCES amplified.blocks ON DELETE CASCADE);
	INSERT INTO amplified.ingest_event_decoders (name, module, signature, ntopics, data_len, target, columns)
	VALUES ('my_approval', 'mine', 'Approval(address,address,uint256)', 3, 32, 'amplified.my_approvals',
			'{"(token,emitter,address)","(owner,topic1,address)","(spender,topic2,address)","(value,word0,uint256)"}');
	CREATE FUNCTION public.my_decode(chain_id bigint, from_block bigint, to_block bigint) RETURNS bigint
		LANGUAGE sql AS 'SELECT 0::bigint';
	INSERT INTO amplified.ingest_state_reads (read, module, arg_rule, decode) VALUES ('decimals()', 'mine', 'none', 'public.my_decode');
	INSERT INTO amplified.ingest_contract_kinds (kind, module, description) VALUES ('my_token', 'mine', 'a token of my own');
	INSERT INTO amplified.ingest_kind_reads (kind, read) VALUES ('my_token', 'decimals()'), ('my_token', 'totalSupply()');
	-- a read of one's own for a built-in kind
	INSERT INTO amplified.ingest_kind_reads (kind, read) VALUES ('erc20', 'decimals()');
	SELECT amplified.watch_contract(990062, '0x00000000000000000000000000000000000000a1', 'mine', 'my_token', read_every => 3);
});

# Every row of the registries and of the read plan, as text.
my $registries = q{
	SELECT string_agg(r, E'\n' ORDER BY r) FROM (
		SELECT 'decoder ' || d::text AS r FROM amplified.ingest_event_decoders d
		UNION ALL SELECT 'read ' || s::text FROM amplified.ingest_state_reads s
		UNION ALL SELECT 'kind ' || k::text FROM amplified.ingest_contract_kinds k
		UNION ALL SELECT 'kind read ' || k::text FROM amplified.ingest_kind_reads k
		UNION ALL SELECT 'plan ' || p::text FROM amplified.ingest_read_plan(990062) p) x};
my $before = $node->safe_psql('postgres', $registries);
like($before, qr/decoder \(my_approval,/, 'the user decoder is registered');

my $dump = $node->basedir . '/registry.sql';
$node->command_ok([ 'pg_dump', '-d', 'postgres', '-f', $dump ], 'pg_dump of the database');
$node->safe_psql('postgres', 'CREATE DATABASE restored');
$node->command_ok([ 'psql', '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', 'restored', '-f', $dump ],
	'the dump restores into a new database');
is($node->safe_psql('restored', $registries), $before,
	'the registries and the read plan are restored: user rows once, built-in rows once');
is($node->safe_psql('restored', q{SELECT count(*) FROM amplified.ingest_event_decoders WHERE NOT builtin}),
	'1', 'one user decoder, not duplicated');
is($node->safe_psql('restored', q{SELECT kind FROM amplified.watched_contracts WHERE chain_id = 990062}),
	'my_token', 'the watched contract keeps its registered kind');

$node->stop;
done_testing();
