# 015_install_security: what CREATE EXTENSION refuses, so that nobody who
# prepared the database beforehand gets the extension owner's rights:
# - a schema "amplified" made beforehand by another role (the trojan schema:
#   its owner could put an "amplified.current_setting(text)" there, which
#   SECURITY DEFINER functions of the extension would then run as the
#   extension's owner);
# - a schema owned by the installer but not empty, or where another role may
#   create objects;
# - a role "amplified_admin" (or another of the four) made beforehand that
#   can log in, and would be adopted with every privilege the extension
#   grants it.
# Then, on the installed extension: every SECURITY DEFINER function pins a
# search_path that starts with pg_catalog, and the attacker's function of a
# built-in name in a schema early on the caller's path is never run by them.
use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use AmpTest;

my $node = AmpTest::node('install_security', preload => 0, no_extension => 1);

# Run SQL; returns (ok, stderr) with the SQLSTATE shown.
sub try_sql
{
	my ($sql, %o) = @_;
	my ($rc, $out, $err) = $node->psql($o{db} // 'postgres', "\\set VERBOSITY verbose\n$sql");
	return ($rc == 0, $err);
}

$node->safe_psql('postgres', q{
	CREATE ROLE mallory LOGIN;
	GRANT CREATE ON DATABASE postgres TO mallory;
	CREATE TABLE pwned (who text, at timestamptz DEFAULT now());
	GRANT INSERT ON pwned TO PUBLIC;
});

# ---- the trojan schema ----
$node->safe_psql('postgres', q{
	SET ROLE mallory;
	CREATE SCHEMA amplified;
	CREATE FUNCTION amplified.current_setting(text) RETURNS text LANGUAGE sql
		AS $$ INSERT INTO public.pwned(who) VALUES (current_user) RETURNING 'x' $$;
	GRANT USAGE ON SCHEMA amplified TO PUBLIC;
	GRANT EXECUTE ON FUNCTION amplified.current_setting(text) TO PUBLIC;
});
my ($ok, $err) = try_sql('CREATE EXTENSION amplified');
ok(!$ok, 'CREATE EXTENSION refuses a schema "amplified" that another role made');
like($err, qr/ERROR:  42501: schema "amplified" exists already and belongs to role "mallory"/,
	'with 42501, naming the owner');
is($node->safe_psql('postgres', q{SELECT count(*) FROM pg_extension WHERE extname = 'amplified'}),
	'0', 'nothing was installed');
is($node->safe_psql('postgres', q{SELECT count(*) FROM pg_roles WHERE rolname LIKE 'amplified\_%'}),
	'0', 'not even the roles (the whole script rolled back)');

# Owned by the installer, but another role may create objects in it.
$node->safe_psql('postgres', q{DROP SCHEMA amplified CASCADE; CREATE SCHEMA amplified; GRANT CREATE ON SCHEMA amplified TO mallory;});
($ok, $err) = try_sql('CREATE EXTENSION amplified');
ok(!$ok, 'a schema where another role may create objects is refused');
like($err, qr/42501: schema "amplified" lets other roles create objects in it/, 'saying so');

# Owned by the installer and private, but not empty.
$node->safe_psql('postgres', q{REVOKE CREATE ON SCHEMA amplified FROM mallory; CREATE TABLE amplified.leftover (x int);});
($ok, $err) = try_sql('CREATE EXTENSION amplified');
ok(!$ok, 'a schema that is not empty is refused');
like($err, qr/42501: schema "amplified" is not empty/, 'saying so');

# An empty schema of the installer's own is fine.
$node->safe_psql('postgres', q{DROP TABLE amplified.leftover;});
($ok, $err) = try_sql('CREATE EXTENSION amplified');
ok($ok, 'an empty schema owned by the installer is accepted') or diag $err;
$node->safe_psql('postgres', 'DROP EXTENSION amplified; DROP SCHEMA IF EXISTS amplified; DROP ROLE amplified_admin');

# ---- a role made beforehand ----
$node->safe_psql('postgres', q{CREATE ROLE amplified_admin LOGIN PASSWORD 'mallory-knows'; GRANT amplified_admin TO mallory;});
($ok, $err) = try_sql('CREATE EXTENSION amplified');
ok(!$ok, 'a role "amplified_admin" made beforehand that can log in is not adopted');
like($err, qr/42501: role "amplified_admin" exists already and is not a plain group role/, 'with 42501');
$node->safe_psql('postgres', q{ALTER ROLE amplified_admin NOLOGIN PASSWORD NULL});
($ok, $err) = try_sql('CREATE EXTENSION amplified');
ok($ok, 'once it is a plain NOLOGIN group role, it is adopted') or diag $err;

# ---- pinned search paths ----
is($node->safe_psql('postgres', q{
	SELECT count(*) FROM pg_proc p JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e'
	 WHERE d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'amplified') AND p.prosecdef}) > 0 ? 'yes' : 'no',
	'yes', 'the extension has SECURITY DEFINER functions');
is($node->safe_psql('postgres', q{
	SELECT coalesce(string_agg(p.oid::regprocedure::text, ', '), '')
	  FROM pg_proc p JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e'
	 WHERE d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'amplified')
	   AND p.prosecdef
	   AND NOT EXISTS (SELECT 1 FROM unnest(p.proconfig) c WHERE c LIKE 'search\_path=pg\_catalog,%')}),
	'', 'every SECURITY DEFINER function pins a search_path that starts with pg_catalog');
is($node->safe_psql('postgres', q{
	SELECT coalesce(string_agg(p.oid::regprocedure::text, ', '), '')
	  FROM pg_proc p JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e'
	 WHERE d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'amplified')
	   AND EXISTS (SELECT 1 FROM unnest(p.proconfig) c WHERE c LIKE 'search\_path=%')
	   AND NOT EXISTS (SELECT 1 FROM unnest(p.proconfig) c WHERE c LIKE 'search\_path=pg\_catalog,%')}),
	'', 'and so does every other function that pins one');

# An attacker's current_setting(text) in a schema of their own, first on the
# caller's search_path, is not what a SECURITY DEFINER function runs.
$node->safe_psql('postgres', q{
	GRANT amplified_operator TO mallory;
	SET ROLE mallory;
	CREATE SCHEMA trap;
	CREATE FUNCTION trap.current_setting(text) RETURNS text LANGUAGE sql
		AS $$ INSERT INTO public.pwned(who) VALUES (current_user) RETURNING 'x' $$;
	CREATE FUNCTION trap.now() RETURNS timestamptz LANGUAGE sql
		AS $$ INSERT INTO public.pwned(who) VALUES (current_user) RETURNING now() $$;
});
$node->psql('postgres', q{SET ROLE mallory; SET search_path = trap, amplified, public; SELECT amplified.run_strategies();});
$node->psql('postgres', q{SET ROLE mallory; SET search_path = trap, amplified, public; SELECT * FROM amplified.risk_gate(1, '{"action": "hold", "chain_id": 1}');});
# The RPC functions read their chain's row as the table's owner (the
# caller may not see its URLs).  An operator "=" of the caller's, first on
# their search_path, must not be what that query runs.
$node->safe_psql('postgres', q{
	SELECT amplified.add_chain(990015, 'security', ARRAY['http://127.0.0.1:1/']);
	SET ROLE mallory;
	CREATE FUNCTION trap.evil_eq(bigint, bigint) RETURNS boolean LANGUAGE plpgsql
		AS $$ BEGIN RAISE WARNING 'trap operator ran as %', current_user; RETURN $1 OPERATOR(pg_catalog.=) $2; END $$;
	CREATE OPERATOR trap.= (LEFTARG = bigint, RIGHTARG = bigint, FUNCTION = trap.evil_eq);
});
# (The call fails, as the chain's node is unreachable, and its transaction
# rolls back: the trap reports itself with a WARNING, which does not.)
for my $call ('amplified.eth_chain_id(990015)', q{amplified.rpc_call(990015, 'eth_chainId', '[]')})
{
	($ok, $err) = try_sql("SET ROLE mallory; SET search_path = trap, pg_catalog; SET amplified.rpc_max_retries = 0; SELECT $call");
	like($err, qr/ERROR:  58R01:/, "$call as an analyst with a trap operator on the path: the node is tried (58R01)");
	unlike($err, qr/trap operator ran/, "$call: the caller's operator never ran in the owner's lookup of the chain");
}
($ok, $err) = try_sql("SET ROLE mallory; SET search_path = trap, pg_catalog; SELECT 1::bigint = 1::bigint");
like($err, qr/trap operator ran as mallory/, 'the trap does run where the caller\'s own path applies (the test can see it)');
is($node->safe_psql('postgres', q{SELECT count(*) FROM pwned}), '0',
	'no function of the attacker ran inside the extension\'s SECURITY DEFINER functions');

done_testing();
