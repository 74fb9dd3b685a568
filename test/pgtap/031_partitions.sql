-- 031_partitions: the chain history partitioned by block range
-- (src/ingest/partitions.sql).  Every history table is partitioned by
-- (chain_id, block) with a DEFAULT partition; ingest_partitions_maintain()
-- makes the ranges a chain needs in every table, moving rows the DEFAULT
-- partition held; partitions are extension members with their parent's
-- grants; a recent-block query touches only its range; a reorg is still one
-- DELETE across a range boundary; retention drops exactly the ranges below
-- its cutoff, never one a floor needs, deletes the rows of a plain decoder
-- target, and logs what it did.  The worker's side is in
-- test/t/065_ingest_partitions.pl.  All of it is rolled back.
BEGIN;
SELECT * FROM no_plan();
SET LOCAL search_path = amplified, public;

-- A block's hash and a log's fields, from its number.
CREATE FUNCTION pg_temp.h(n bigint) RETURNS amplified.bytes32 LANGUAGE sql
	RETURN ('0x' || lpad(to_hex(n), 64, '0'))::amplified.bytes32;
CREATE FUNCTION pg_temp.add_blocks(c bigint, a bigint, b bigint) RETURNS void LANGUAGE sql
BEGIN ATOMIC
	INSERT INTO amplified.blocks SELECT c, n, pg_temp.h(n), pg_temp.h(n - 1), to_timestamp(1700000000 + n * 12), NULL
	  FROM generate_series(a, b) AS n;
	INSERT INTO amplified.logs SELECT c, n, 0, pg_temp.h(n), 0, '0x00000000000000000000000000000000000000a1', '{}', '\x'
	  FROM generate_series(a, b) AS n;
END;
-- The partitions of a table holding chain c's rows, with their counts.
CREATE FUNCTION pg_temp.where_rows(t regclass, c bigint) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	r text;
BEGIN
	EXECUTE format('SELECT string_agg(p || '':'' || n, '' '' ORDER BY p) FROM '
				   '(SELECT tableoid::regclass::text AS p, count(*) AS n FROM %s WHERE chain_id = $1 GROUP BY 1) AS x', t)
		INTO r USING c;
	RETURN r;
END $$;

-- ---- the layout

SELECT is((SELECT count(*) FROM ingest_history_tables() WHERE NOT by_range), 0::bigint,
	'every history table of the extension is partitioned by block range');
SELECT ok((SELECT count(*) FROM ingest_history_tables()) >= 38, 'blocks and its 37 dependents are history tables');
SELECT is((SELECT array_agg(h.tab::text ORDER BY h.tab::text) FROM ingest_history_tables() AS h
			WHERE ingest_partition_default(h.tab) IS NULL), NULL, 'every history table has a DEFAULT partition');
SELECT is((SELECT block_column::text FROM ingest_history_tables() WHERE tab = 'amplified.blocks'::regclass), 'number',
	'blocks is partitioned by (chain_id, number)');
SELECT is((SELECT count(*) FROM pg_indexes WHERE schemaname = 'amplified' AND tablename = 'blocks'
			AND indexdef LIKE '%UNIQUE%hash%'), 0::bigint, 'no unique index on a block hash (it could not hold the partition key)');
SELECT ok(EXISTS (SELECT 1 FROM pg_indexes WHERE schemaname = 'amplified' AND indexname = 'blocks_hash_idx'),
	'blocks_hash_idx looks a hash up');

-- ---- a chain gets the range of its start block at once

SELECT lives_ok($$SELECT add_chain(9031, 'p9031', ARRAY['http://127.0.0.1:9'], 0, 1, enabled => false)$$, 'add_chain');
SELECT is((SELECT array_agg(from_block || '-' || to_block) FROM ingest_partitions WHERE chain_id = 9031),
	ARRAY['0-100000'], 'add_chain made the range of its start block (100 000 blocks by default)');
SELECT is((SELECT count(*) FROM ingest_history_tables() AS h
			WHERE ingest_partition_of(h.tab, ingest_partition_name(h.tab, 9031, 0)) IS NOT NULL),
	(SELECT count(*) FROM ingest_history_tables()), 'every history table has a partition for that range');

-- ---- short ranges, blocks in the DEFAULT partition, then maintenance

INSERT INTO ingest_history_settings (chain_id, partition_blocks, retain_blocks, keep_interval)
VALUES (9031, 10, NULL, '0');
SELECT is((SELECT array_agg(from_block || '-' || to_block) FROM ingest_partitions WHERE chain_id = 9031),
	ARRAY['0-10'], 'partition_blocks set: the unused range is made again with the new length');
SELECT is((SELECT count(*) FROM pg_class WHERE relname LIKE '%\_c9031\_0'), (SELECT count(*) FROM ingest_history_tables()),
	'with a partition in every table');
SELECT pg_temp.add_blocks(9031, 100000, 100034);
SELECT is(pg_temp.where_rows('amplified.logs', 9031), 'logs_default:35',
	'rows no range covers land in the DEFAULT partition');
SELECT is(ingest_partitions_maintain(9031, 100000, 100024), 100030::bigint,
	'maintain covers 100000..100024 and half a range ahead, and says where the cover ends');
SELECT is((SELECT array_agg(from_block || '-' || to_block ORDER BY from_block) FROM ingest_partitions WHERE chain_id = 9031),
	ARRAY['0-10', '100000-100010', '100010-100020', '100020-100030'], 'ranges of partition_blocks each');
SELECT is(pg_temp.where_rows('amplified.blocks', 9031),
	'blocks_c9031_100000:10 blocks_c9031_100010:10 blocks_c9031_100020:10 blocks_default:5',
	'the blocks of the new ranges moved out of the DEFAULT partition');
SELECT is(pg_temp.where_rows('amplified.logs', 9031),
	'logs_c9031_100000:10 logs_c9031_100010:10 logs_c9031_100020:10 logs_default:5',
	'and so did their logs');
SELECT is(ingest_partitions_maintain(9031, 100000, 100024), 100030::bigint, 'maintain again changes nothing');
SELECT is((SELECT count(*) FROM ingest_partitions WHERE chain_id = 9031), 4::bigint, 'no range twice');
SELECT is(ingest_partitions_maintain(9031, 100030, 100034), 100040::bigint, 'the next range');
SELECT is(pg_temp.where_rows('amplified.logs', 9031),
	'logs_c9031_100000:10 logs_c9031_100010:10 logs_c9031_100020:10 logs_c9031_100030:5',
	'the DEFAULT partition is empty again');
SELECT is((SELECT count(*) FROM logs WHERE chain_id = 9031), 35::bigint, 'no row lost or doubled');
SELECT throws_ok($$SELECT ingest_partitions_maintain(9031, 5, 4)$$, '22023', NULL, 'a reversed range is refused');
SELECT throws_ok($$SELECT ingest_partitions_maintain(1234567, 0, 4)$$, '42704', NULL, 'an unknown chain is refused');

-- Partitions are extension members (pg_dump leaves them out) with the
-- grants of their parent.
SELECT is((SELECT count(*) FROM pg_class c WHERE c.relname LIKE '%\_c9031\_1000%' AND c.relkind = 'r'
			AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype = 'e'
							  AND d.classid = 'pg_class'::regclass)), 0::bigint,
	'every new partition is a member of the extension');
SELECT is((SELECT count(*) FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent
			WHERE c.relkind = 'r' AND p.relnamespace = 'amplified'::regnamespace
			  AND c.relacl IS DISTINCT FROM p.relacl), 0::bigint,
	'every partition has its parent''s grants');
SELECT ok(has_table_privilege('amplified_reader', 'amplified.logs_c9031_100010', 'SELECT'), 'the reader reads a partition');
SELECT ok(NOT has_table_privilege('amplified_admin', 'amplified.logs_c9031_100010', 'INSERT'), 'the admin writes none');

-- ---- pruning: a recent-block query reads one range

CREATE TEMP TABLE plan AS SELECT * FROM (VALUES (''::text)) AS x(line) WHERE false;
DO $$
DECLARE
	l text;
BEGIN
	FOR l IN EXPLAIN (COSTS OFF) SELECT * FROM amplified.logs WHERE chain_id = 9031 AND block_number >= 100031 LOOP
		INSERT INTO plan VALUES (l);
	END LOOP;
END $$;
SELECT is((SELECT array_agg(x.s ORDER BY x.s)
			FROM (SELECT substring(p.line FROM 'on (logs_\S+)') AS s FROM plan AS p WHERE p.line ~ 'Scan.* on logs_') AS x),
	ARRAY['logs_c9031_100030', 'logs_default'], 'the recent blocks'' logs are read from their range (and DEFAULT) only');

-- ---- a reorg across a range boundary: one DELETE

DELETE FROM blocks WHERE chain_id = 9031 AND number > 100017;
SELECT is(pg_temp.where_rows('amplified.logs', 9031),
	'logs_c9031_100000:10 logs_c9031_100010:8',
	'deleting blocks from 100018 on took their logs in two ranges');
SELECT pg_temp.add_blocks(9031, 100018, 100049);
SELECT is(pg_temp.where_rows('amplified.logs', 9031),
	'logs_c9031_100000:10 logs_c9031_100010:10 logs_c9031_100020:10 logs_c9031_100030:10 logs_default:10',
	'the blocks ingested again go back to their ranges');
SELECT ingest_partitions_maintain(9031, 100040, 100049);

-- ---- a user's plain decoder target (not partitioned) and a floor

CREATE TABLE amplified.amp_p_plain (
	chain_id bigint NOT NULL, block_number bigint NOT NULL, log_index integer NOT NULL,
	PRIMARY KEY (chain_id, block_number, log_index),
	FOREIGN KEY (chain_id, block_number) REFERENCES amplified.blocks ON DELETE CASCADE);
INSERT INTO amplified.amp_p_plain SELECT chain_id, block_number, log_index FROM logs WHERE chain_id = 9031;
SELECT is((SELECT by_range FROM ingest_history_tables() WHERE tab = 'amplified.amp_p_plain'::regclass), false,
	'a plain table referencing blocks is history too, kept in place');

-- ---- retention

SELECT is((SELECT count(*) FROM ingest_retention_apply(9031)), 0::bigint, 'retain_blocks NULL keeps everything');
UPDATE ingest_history_settings SET retain_blocks = 22 WHERE chain_id = 9031;
-- head 100049, finality_depth 1: cutoff min(100027, 100048) = 100027, so the
-- ranges ending at or below it go: 0-10, 100000-100010, 100010-100020.
-- A univ3 Mint at 100015 is a floor: only what ends at or below it goes.
INSERT INTO univ3_mints (chain_id, block_number, log_index, pool, sender, owner, tick_lower, tick_upper, liquidity, amount0, amount1)
VALUES (9031, 100015, 7, '0x00000000000000000000000000000000000000b1', '0x00000000000000000000000000000000000000b2',
		'0x00000000000000000000000000000000000000b3', -60, 60, '1', '1', '1');
SELECT is((SELECT floor_block FROM ingest_retention_floors(9031) WHERE name = 'univ3'), 100015::bigint,
	'the univ3 floor is the first stored Mint');
SELECT is((SELECT cutoff FROM v_ingest_history WHERE chain_id = 9031), 100015::bigint, 'the cutoff is the floor');
CREATE TEMP TABLE dropped1 AS SELECT * FROM ingest_retention_apply(9031);
SELECT is((SELECT array_agg(from_block || '-' || to_block ORDER BY from_block) FROM dropped1),
	ARRAY['0-10', '100000-100010'], 'retention drops the ranges wholly below the floor, not the one holding it');
SELECT is((SELECT array_agg(from_block ORDER BY from_block) FROM ingest_partitions WHERE chain_id = 9031),
	ARRAY[100010, 100020, 100030, 100040, 100050]::bigint[], 'those ranges are gone from ingest_partitions');
SELECT is((SELECT min(number) FROM blocks WHERE chain_id = 9031), 100010::bigint, 'blocks from 100010 on stay');
SELECT is((SELECT count(*) FROM amplified.amp_p_plain WHERE chain_id = 9031 AND block_number < 100010), 0::bigint,
	'the plain table''s rows of the dropped ranges were deleted');
SELECT is((SELECT rows_deleted FROM dropped1 WHERE from_block = 100000), 10::bigint, 'and counted');
SELECT is((SELECT count(*) FROM pg_class WHERE relname LIKE '%\_c9031\_100000'), 0::bigint,
	'every table''s partition of 100000-100010 was dropped');
SELECT ok((SELECT 'amplified.blocks_c9031_100000' = ANY (dropped) AND 'amplified.logs_c9031_100000' = ANY (dropped)
			 AND cardinality(dropped) = (SELECT count(*) FROM ingest_history_tables() WHERE by_range)
			FROM dropped1 WHERE from_block = 100000), 'the log names every partition dropped');
SELECT is((SELECT array_agg(l.floor_name || ':' || l.floor_block || ':' || l.cutoff || ':' || l.head ORDER BY l.id)
			FROM ingest_retention_log AS l WHERE l.chain_id = 9031),
	ARRAY['univ3:100015:100015:100049', 'univ3:100015:100015:100049'], 'the log says why: floor, cutoff, head');

-- The floor gone, the cutoff is head - retain_blocks.
DELETE FROM univ3_mints WHERE chain_id = 9031;
SELECT is((SELECT array_agg(from_block || '-' || to_block ORDER BY from_block) FROM ingest_retention_apply(9031)),
	ARRAY['100010-100020'], 'without the floor, the ranges below head - retain_blocks go');
SELECT is((SELECT min(number) FROM blocks WHERE chain_id = 9031), 100020::bigint, 'blocks from 100020 on stay');
SELECT is((SELECT count(*) FROM ingest_retention_apply(9031)), 0::bigint, 'nothing more to drop');

-- A lower retain_blocks drops more.
UPDATE ingest_history_settings SET retain_blocks = 5 WHERE chain_id = 9031;
SELECT is((SELECT array_agg(from_block || '-' || to_block || ':' || rows_deleted ORDER BY from_block) FROM ingest_retention_apply(9031)),
	ARRAY['100020-100030:10', '100030-100040:10'], 'lower retain_blocks: two more ranges');

-- Only the owner and the admin apply retention or make partitions.
SELECT ok(has_function_privilege('amplified_admin', 'amplified.ingest_retention_apply(bigint)', 'EXECUTE'), 'the admin applies retention');
SELECT ok(NOT has_function_privilege('amplified_operator', 'amplified.ingest_retention_apply(bigint)', 'EXECUTE'), 'the operator does not');
SELECT ok(NOT has_function_privilege('amplified_operator', 'amplified.ingest_partitions_maintain(bigint,bigint,bigint)', 'EXECUTE'),
	'nor makes partitions');

-- ---- a user's partitioned decoder target made after the chain's ranges

SELECT lives_ok($$SELECT add_chain(9032, 'p9032', ARRAY['http://127.0.0.1:9'], 0, 1, enabled => false)$$, 'add_chain 9032');
INSERT INTO ingest_history_settings (chain_id, partition_blocks, retain_blocks, keep_interval) VALUES (9032, 10, NULL, '0');
SELECT pg_temp.add_blocks(9032, 0, 29);
SELECT is(ingest_partitions_maintain(9032, 0, 29), 40::bigint, 'chain 9032 has ranges up to block 40');
-- Made later, with a DEFAULT partition of its own and no range partition.
CREATE TABLE amplified.amp_p_parted (
	chain_id bigint NOT NULL, block_number bigint NOT NULL, log_index integer NOT NULL, emitter address NOT NULL,
	PRIMARY KEY (chain_id, block_number, log_index),
	FOREIGN KEY (chain_id, block_number) REFERENCES amplified.blocks ON DELETE CASCADE) PARTITION BY RANGE (chain_id, block_number);
CREATE TABLE amplified.amp_p_parted_def PARTITION OF amplified.amp_p_parted DEFAULT;
SELECT is((SELECT by_range FROM ingest_history_tables() WHERE tab = 'amplified.amp_p_parted'::regclass), true,
	'a partitioned table referencing blocks is a by-range history table');
SELECT lives_ok($$INSERT INTO amplified.ingest_event_decoders (name, module, signature, ntopics, data_len, target, columns)
	VALUES ('amp_p_ping', 'mine', 'Ping(uint256)', 1, 32, 'amplified.amp_p_parted', '{"(emitter,emitter,address)"}')$$,
	'a partitioned table is a decoder target');
INSERT INTO logs (chain_id, block_number, log_index, tx_hash, tx_index, address, topics, data)
SELECT 9032, n, 1, pg_temp.h(n), 0, '0x00000000000000000000000000000000000000a1', ARRAY[event_topic('Ping(uint256)')],
	   decode(lpad('1', 64, '0'), 'hex')
  FROM unnest(ARRAY[5, 15]) AS n;
SELECT is(ingest_decode(9032, 0, 29), 2::bigint, 'ingest_decode decodes the old logs into it');
SELECT is(pg_temp.where_rows('amplified.amp_p_parted', 9032), 'amp_p_parted_def:2', 'into its DEFAULT partition');
-- Retention of a range it has no partition for deletes the rows of the range.
UPDATE ingest_history_settings SET retain_blocks = 15 WHERE chain_id = 9032;
CREATE TEMP TABLE dropped2 AS SELECT * FROM ingest_retention_apply(9032);
SELECT is((SELECT array_agg(from_block || '-' || to_block || ':' || rows_deleted) FROM dropped2), ARRAY['0-10:1'],
	'retention drops the range 0-10 without error, deleting the target''s row of it');
SELECT is(pg_temp.where_rows('amplified.amp_p_parted', 9032), 'amp_p_parted_def:1', 'the row at block 15 stays');
SELECT is((SELECT min(number) FROM blocks WHERE chain_id = 9032), 10::bigint, 'blocks from 10 on stay');
-- Maintenance gives a table seen for the first time a partition for every
-- range of every chain (rows of its DEFAULT partition moved), and a DEFAULT
-- partition to one made without.
CREATE TABLE amplified.amp_p_parted2 (
	chain_id bigint NOT NULL, block_number bigint NOT NULL, x integer,
	FOREIGN KEY (chain_id, block_number) REFERENCES amplified.blocks ON DELETE CASCADE) PARTITION BY RANGE (chain_id, block_number);
SELECT is(ingest_partitions_maintain(9032, 20, 29), 40::bigint, 'maintain');
SELECT is(pg_temp.where_rows('amplified.amp_p_parted', 9032), 'amp_p_parted_c9032_10:1', 'the old row moved to its range');
SELECT is((SELECT count(*) FROM pg_inherits WHERE inhparent = 'amplified.amp_p_parted'::regclass),
	(SELECT count(*) + 1 FROM ingest_partitions), 'the new table has every range of every chain and its DEFAULT');
SELECT is((SELECT count(*) FROM pg_inherits WHERE inhparent = 'amplified.amp_p_parted2'::regclass),
	(SELECT count(*) + 1 FROM ingest_partitions), 'and so has one made without a DEFAULT partition');
SELECT ok(ingest_partition_default('amplified.amp_p_parted2') IS NOT NULL, 'which it now has');
SELECT is((SELECT count(*) FROM pg_inherits i JOIN pg_depend d ON d.objid = i.inhrelid AND d.deptype = 'e'
			AND d.classid = 'pg_class'::regclass
			WHERE i.inhparent IN ('amplified.amp_p_parted'::regclass, 'amplified.amp_p_parted2'::regclass)), 0::bigint,
	'a user table''s partitions are not members of the extension');
SELECT lives_ok($$INSERT INTO amplified.amp_p_parted2 VALUES (9032, 25, 1), (9031, 100045, 2)$$, 'rows go to their ranges');
UPDATE ingest_history_settings SET retain_blocks = 5 WHERE chain_id = 9032;
SELECT is((SELECT array_agg(from_block || '-' || to_block ORDER BY from_block) FROM ingest_retention_apply(9032)),
	ARRAY['10-20'], 'retention drops the next range across them too');
SELECT is((SELECT count(*) FROM amplified.amp_p_parted WHERE chain_id = 9032), 0::bigint, 'its row with it');

-- ---- partition_blocks set again: the ranges ahead are kept when unchanged,
-- ---- and never dropped once written

SELECT lives_ok($$SELECT add_chain(9033, 'p9033', ARRAY['http://127.0.0.1:9'], 0, 1, enabled => false)$$, 'add_chain 9033');
SELECT is(ingest_partitions_maintain(9033, 0, 60000), 200000::bigint, 'chain 9033: ranges 0-100000 and 100000-200000');
CREATE TEMP TABLE rel9033 AS SELECT 'amplified.blocks_c9033_100000'::regclass::oid AS o;
INSERT INTO ingest_history_settings (chain_id, partition_blocks) VALUES (9033, 100000);
SELECT is((SELECT 'amplified.blocks_c9033_100000'::regclass::oid FROM rel9033 WHERE true), (SELECT o FROM rel9033),
	'setting the length the ranges already have re-makes nothing');
-- A block written to the range ahead (then gone from this snapshot, as a
-- block committed by the worker after the head was read would be): its
-- range is kept with its length.
SELECT pg_temp.add_blocks(9033, 0, 5);
SELECT pg_temp.add_blocks(9033, 150000, 150000);
DELETE FROM blocks WHERE chain_id = 9033 AND number = 150000;
UPDATE ingest_history_settings SET partition_blocks = 10 WHERE chain_id = 9033;
SELECT is((SELECT array_agg(from_block || '-' || to_block ORDER BY from_block) FROM ingest_partitions WHERE chain_id = 9033),
	ARRAY['0-100000', '100000-200000'], 'a range written to is not dropped by a new partition_blocks');
SELECT is((SELECT 'amplified.blocks_c9033_100000'::regclass::oid), (SELECT o FROM rel9033), 'the very same partition');

-- A user's partitioned target with a partition of its own that overlaps a
-- range: maintenance of every chain goes on (with a warning for that table).
CREATE TABLE amplified.amp_p_mine (
	chain_id bigint NOT NULL, block_number bigint NOT NULL,
	FOREIGN KEY (chain_id, block_number) REFERENCES amplified.blocks ON DELETE CASCADE) PARTITION BY RANGE (chain_id, block_number);
CREATE TABLE amplified.amp_p_mine_own PARTITION OF amplified.amp_p_mine FOR VALUES FROM (9033, 0) TO (9033, 1000);
SELECT lives_ok($$SELECT add_chain(9034, 'p9034', ARRAY['http://127.0.0.1:9'], 0, 1, enabled => false)$$,
	'add_chain goes on beside a table whose own partition overlaps a range');
SELECT is((SELECT count(*) FROM ingest_partitions WHERE chain_id = 9034), 1::bigint, 'and the new chain has its range');
SELECT ok(ingest_partition_of('amplified.blocks', ingest_partition_name('amplified.blocks', 9034, 0)) IS NOT NULL,
	'in blocks too');

SELECT * FROM finish();
ROLLBACK;
