# 091_strategy_dump: the extension's configuration survives pg_dump and
# pg_restore, a strategy of a custom kind included.  An admin's kind is a
# row of strategy_kinds naming functions of the extension's owner; before
# the kinds were configuration, pg_dump left the row out, the restore of
# strategies failed on its foreign key and the custom kind was lost.  Here a
# custom kind decides once, its parameters change, and the database is
# dumped and restored into another: the kind, the strategy, its parameter
# versions, runs and decisions come back, the builtin kinds are not doubled,
# the identity sequences go on after the restored ids, and the decision made
# before the dump replays in the restored database.
use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use AmpTest;

my $node = AmpTest::node('strategy_dump', preload => 0);
sub sql { my ($db, $q) = @_; return $node->safe_psql($db, "SET search_path = amplified, public;\n$q"); }

sql('postgres', q{
	SELECT add_chain(999101, 'dump-test', ARRAY['http://127.0.0.1:9'], confirmations => 0, enabled => false);
	INSERT INTO blocks (chain_id, number, hash, parent_hash, timestamp)
	VALUES (999101, 7, ('0x' || lpad('7', 64, '0'))::bytes32, ('0x' || lpad('6', 64, '0'))::bytes32, '2026-06-01Z');

	-- A custom kind: it keeps a share of the vault idle; its policy holds
	-- and says what it saw.
	CREATE SCHEMA custom;
	CREATE FUNCTION custom.idle_validate(params jsonb, chain_id bigint) RETURNS jsonb LANGUAGE plpgsql AS $f$
	BEGIN
		IF NOT params ? 'idle_share' THEN
			RAISE EXCEPTION 'idle needs idle_share' USING ERRCODE = 'invalid_parameter_value';
		END IF;
		RETURN params;
	END $f$;
	CREATE FUNCTION custom.idle_sync(s amplified.strategies, block bigint) RETURNS void LANGUAGE sql AS $f$ SELECT $f$;
	CREATE FUNCTION custom.idle_gather(s amplified.strategies, block bigint) RETURNS jsonb LANGUAGE sql AS $f$
		SELECT jsonb_build_object('at', amplified.ingest_block_time(s.chain_id, block), 'block_number', block)
	$f$;
	CREATE FUNCTION custom.idle_policy(s amplified.strategies, state jsonb) RETURNS jsonb LANGUAGE sql AS $f$
		SELECT jsonb_build_object('action', 'hold', 'reasons', jsonb_build_array('idle_share_' || (s.params ->> 'idle_share')),
			'plan', jsonb_build_object('block', state -> 'block_number'))
	$f$;
	INSERT INTO strategy_kinds (kind, validate, sync, gather, policy, description)
	VALUES ('idle', 'custom.idle_validate', 'custom.idle_sync', 'custom.idle_gather', 'custom.idle_policy',
			'Keep a share idle (a test kind)');
	SELECT strategy_create('idle vault', 'idle', 999101, '0x00000000000000000000000000000000000000f1',
		'{"idle_share": 0.5}', enabled => true);
	SELECT run_strategies(sync => false);
	SELECT strategy_update((SELECT id FROM strategies WHERE name = 'idle vault'), '{"idle_share": 0.25}');
	SELECT risk_set_limits(NULL, max_slippage_bps => 30);
});
is(sql('postgres', "SELECT action || ':' || array_to_string(reasons, ',') FROM decisions"), 'hold:idle_share_0.5',
	'the custom kind decided once');
is(sql('postgres', "SELECT count(*) FROM strategy_param_versions"), '2', 'two versions of its parameters');

# ---- dump, restore into another database ----
my $dump = $node->basedir . '/amplified.dump';
command_ok([ 'pg_dump', '-Fc', '-f', $dump, '-d', $node->connstr('postgres') ], 'pg_dump of the database');
$node->safe_psql('postgres', 'CREATE DATABASE restored');
my ($rc, $out, $err) = (0, '', '');
{
	my @cmd = ('pg_restore', '--exit-on-error', '-d', $node->connstr('restored'), $dump);
	$rc = IPC::Run::run(\@cmd, '>', \$out, '2>', \$err) ? 0 : 1;
}
is($rc, 0, 'pg_restore into a new database succeeds');
is($err, '', 'with nothing on stderr');

is(sql('restored', "SELECT string_agg(kind || ':' || builtin, ',' ORDER BY kind) FROM strategy_kinds"),
	'allocate:true,hedge:true,idle:false,lend:true,leverage:true,lp_univ3:true,stake:true', 'the custom kind is back, the builtin kinds are there once');
is(sql('restored', "SELECT kind || ':' || (params ->> 'idle_share') || ':' || enabled FROM strategies"), 'idle:0.25:true',
	'the strategy of the custom kind is back, with its current parameters');
is(sql('restored', "SELECT string_agg(params ->> 'idle_share', ',' ORDER BY id) FROM strategy_param_versions"), '0.5,0.25',
	'and every version of its parameters');
is(sql('restored', "SELECT count(*) FROM decisions") . ':' . sql('restored', "SELECT count(*) FROM strategy_runs"), '1:1',
	'its decision and run');
is(sql('restored', "SELECT max_slippage_bps FROM risk_limits WHERE strategy_id IS NULL"), '30', 'the risk limits');
is(sql('restored', "SELECT (strategy_replay(id) ->> 'matches') FROM decisions"), 'true',
	'the decision made before the dump replays in the restored database, with the parameters of its time');
is(sql('restored', "SELECT has_function_privilege('public', 'custom.idle_policy(amplified.strategies, jsonb)', 'EXECUTE')"), 'f',
	"the custom kind's functions are still not PUBLIC's");

# The restored database goes on: new ids follow the restored ones.
sql('restored', q{
	INSERT INTO blocks (chain_id, number, hash, parent_hash, timestamp)
	VALUES (999101, 8, ('0x' || lpad('8', 64, '0'))::bytes32, ('0x' || lpad('7', 64, '0'))::bytes32, '2026-06-01 00:00:12Z');
	SELECT strategy_create('idle vault 2', 'idle', 999101, '0x00000000000000000000000000000000000000f2', '{"idle_share": 0.1}');
	SELECT run_strategies(sync => false);
});
is(sql('restored', "SELECT string_agg(id::text, ',' ORDER BY id) FROM strategies"), '1,2', 'a new strategy takes the next id');
is(sql('restored', "SELECT string_agg(action || ':' || array_to_string(reasons, ','), ',' ORDER BY id) FROM decisions"),
	'hold:idle_share_0.5,hold:idle_share_0.25', 'a new run decides with the current parameters');
is(sql('restored', "SELECT bool_and((strategy_replay(id) ->> 'matches')::boolean) FROM decisions"), 't',
	'every decision replays');

done_testing();
