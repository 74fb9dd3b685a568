# 062_ingest_triggers: the ingest worker's rows are written as an INSERT
# writes them.  A user's ordinary triggers (not ENABLE ALWAYS) on amplified.logs
# and on a decoded event table (erc20_transfers) fire for the worker's rows:
# AFTER ROW triggers once per row, a BEFORE ROW trigger once per row, AFTER
# STATEMENT triggers with their transition tables holding every row, all
# with session_replication_role = origin.  The tables are partitioned, so row
# triggers fire on the row's partition (TG_TABLE_NAME is the partition's).  A column a user adds with a
# default gets its default.  Foreign keys hold: a user's own foreign key on
# logs refuses the worker's batch (the chain shows the violation and stores
# nothing) until the parent row exists, and a log for a missing block is
# refused.
use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use AmpTest;
use AmpChain;

my $chain = AmpChain->new;
my $d = $chain->deploy;
my $url = $chain->url;
$chain->traffic(rounds => 2, seed => 62);
my $node = AmpTest::node('triggers');
sub sql { return $node->safe_psql('postgres', "SET search_path = amplified, public;\n$_[0]"); }

my @tokens = sort map { lc $_->{address} } values %{ $d->{tokens} };
my $held_back = $tokens[0];

# The user's objects: a journal the triggers write to, the triggers, a
# column with a default, and a foreign key of their own on logs, whose
# parent table lacks one of the watched tokens for now.
sql(q{
	CREATE TABLE public.journal (tbl text, kind text, rows bigint, role text);
	CREATE FUNCTION public.note_row() RETURNS trigger LANGUAGE plpgsql AS $$
	BEGIN
		-- Row triggers fire on the row's partition: name its root table.
		INSERT INTO public.journal VALUES ((SELECT c.relname FROM pg_class c WHERE c.oid = pg_partition_root(TG_RELID)),
			lower(TG_WHEN) || ' row', 1,
			current_setting('session_replication_role'));
		RETURN NEW;
	END $$;
	CREATE FUNCTION public.note_statement() RETURNS trigger LANGUAGE plpgsql AS $$
	BEGIN
		INSERT INTO public.journal SELECT TG_TABLE_NAME, 'statement', count(*),
			current_setting('session_replication_role') FROM new_rows;
		RETURN NULL;
	END $$;
	CREATE TRIGGER user_row AFTER INSERT ON amplified.logs
		FOR EACH ROW EXECUTE FUNCTION public.note_row();
	CREATE TRIGGER user_statement AFTER INSERT ON amplified.logs
		REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION public.note_statement();
	CREATE TRIGGER user_row AFTER INSERT ON amplified.erc20_transfers
		FOR EACH ROW EXECUTE FUNCTION public.note_row();
	CREATE TRIGGER user_before BEFORE INSERT ON amplified.erc20_transfers
		FOR EACH ROW EXECUTE FUNCTION public.note_row();
	CREATE TRIGGER user_statement AFTER INSERT ON amplified.erc20_transfers
		REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION public.note_statement();
	ALTER TABLE amplified.erc20_transfers ADD COLUMN noted boolean NOT NULL DEFAULT true;
	CREATE TABLE public.known_contracts (address amplified.address PRIMARY KEY);
	ALTER TABLE amplified.logs ADD CONSTRAINT logs_known_contract
		FOREIGN KEY (address) REFERENCES public.known_contracts;});
sql("INSERT INTO public.known_contracts SELECT unnest(ARRAY['"
	  . join("','", grep { $_ ne $held_back } @tokens) . "']::amplified.address[])");
is(sql(q{SELECT string_agg(DISTINCT tgenabled::text, ',') FROM pg_trigger
		  WHERE tgname LIKE 'user\_%' AND NOT tgisinternal}),
	'O', 'the user triggers are ordinary ones (fire on origin and local only)');

sql(qq{
	SELECT add_chain(31337, 'anvil', ARRAY['$url'], confirmations => 0, poll_interval => '100 ms');
	SELECT watch_contract(31337, a::amplified.address, 'token' || i, 'erc20', 0)
	  FROM unnest(ARRAY['@{[ join("','", @tokens) ]}']) WITH ORDINALITY AS t(a, i);});

# 1. The user's foreign key refuses the batch that holds a log of the token
#    it does not know: the chain says so and no log is stored.
ok($node->poll_query_until('postgres',
	"SELECT last_error LIKE '%logs_known_contract%' FROM amplified.ingest_status WHERE chain_id = 31337"),
	"the user's foreign key on logs refuses the worker's rows");
is(sql('SELECT count(*) FROM logs WHERE address = ' . "'$held_back'"), '0',
	'no log of the unknown contract is stored');

# 2. With the parent row there, the worker catches up.
sql("INSERT INTO public.known_contracts VALUES ('$held_back')");
my $head = hex($chain->rpc('eth_blockNumber'));
ok($node->poll_query_until('postgres',
	"SELECT indexed_block >= $head AND coalesce(backfill_done_blocks = backfill_total_blocks, true) "
	  . "FROM amplified.v_ingest_status WHERE chain_id = 31337"),
	"synced to block $head once the parent row exists");

my $logs = sql('SELECT count(*) FROM logs WHERE chain_id = 31337');
my $transfers = sql('SELECT count(*) FROM erc20_transfers WHERE chain_id = 31337');
cmp_ok($logs, '>', 0, "logs stored ($logs)");
cmp_ok($transfers, '>', 0, "transfers decoded ($transfers)");
is(sql("SELECT count(*) FROM logs WHERE address = '$held_back'") > 0 ? 1 : 0, 1,
	'the held-back contract\'s logs are stored now');

# 3. Every trigger fired for the worker's rows, as for an INSERT.
sub journal
{
	my ($tbl, $kind) = @_;
	return sql("SELECT coalesce(sum(rows), 0) || '/' || count(*) FROM public.journal "
		  . "WHERE tbl = '$tbl' AND kind = '$kind'");
}
my ($row_rows) = split m{/}, journal('logs', 'after row');
is($row_rows, $logs, 'logs: the AFTER ROW trigger fired once per stored log');
my ($stmt_rows, $stmts) = split m{/}, journal('logs', 'statement');
is($stmt_rows, $logs, 'logs: the AFTER STATEMENT trigger\'s transition table held every stored log');
cmp_ok($stmts, '>=', 1, "logs: the statement trigger fired ($stmts statements)");
($row_rows) = split m{/}, journal('erc20_transfers', 'after row');
is($row_rows, $transfers, 'erc20_transfers: the AFTER ROW trigger fired once per stored transfer');
($row_rows) = split m{/}, journal('erc20_transfers', 'before row');
is($row_rows, $transfers, 'erc20_transfers: the BEFORE ROW trigger fired once per stored transfer');
($stmt_rows, $stmts) = split m{/}, journal('erc20_transfers', 'statement');
is($stmt_rows, $transfers, 'erc20_transfers: the AFTER STATEMENT trigger\'s transition table held every transfer');
cmp_ok($stmts, '>=', 1, "erc20_transfers: the statement trigger fired ($stmts statements)");
is(sql('SELECT string_agg(DISTINCT role, \',\') FROM public.journal'), 'origin',
	'the triggers ran with session_replication_role = origin');
is(sql('SELECT count(*) FROM erc20_transfers WHERE noted IS NOT TRUE'), '0',
	'a column added with a default gets it in the worker\'s rows');

# 4. The foreign key to blocks holds: a log for a block that is not stored is refused.
my ($rc, $out, $err) = $node->psql('postgres', q{
	INSERT INTO amplified.logs (chain_id, block_number, log_index, tx_hash, tx_index, address, topics, data)
	SELECT 31337, 999999999, 0, l.tx_hash, 0, l.address, l.topics, l.data
	  FROM amplified.logs l LIMIT 1});
isnt($rc, 0, 'a log for a missing block is refused');
like($err, qr/violates foreign key constraint "logs_chain_id_block_number_fkey"/, '... by the foreign key to blocks');

$node->stop;
done_testing();
