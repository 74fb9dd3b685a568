-- src/ingest/partitions.sql: the chain history (blocks and every table that
-- hangs off it with ON DELETE CASCADE) partitioned by block range, per
-- chain: ranges created ahead as ingestion advances, a DEFAULT partition
-- for rows outside every range, and retention that drops whole ranges no
-- read model still needs (docs/ingest.md, "Partitions and retention").
--
-- The history tables are found, not listed: amplified.blocks and every table
-- with a foreign key (chain_id, <block>) to it with ON DELETE CASCADE.  Those
-- partitioned BY RANGE (chain_id, <block>) get one partition per range;
-- any other (a user's plain decoder target) keeps its rows in place, and
-- retention deletes them by range.  Partitions are extension members, so
-- pg_dump leaves them out exactly like their parents: the history is a cache
-- of the chain, ingested again after a restore.

-- Per chain: how long a range is, and how much history to keep.
CREATE TABLE @extschema@.ingest_history_settings (
	chain_id			bigint PRIMARY KEY REFERENCES @extschema@.chains ON DELETE CASCADE,
	-- Blocks per range: 100 000 is about two weeks of Ethereum mainnet.
	partition_blocks	bigint NOT NULL DEFAULT 100000 CHECK (partition_blocks BETWEEN 10 AND 1000000000),
	-- Blocks kept below the head; NULL keeps everything.
	retain_blocks		bigint CHECK (retain_blocks > 0),
	-- Blocks younger than this are always kept (the risk, volatility and
	-- forecasting windows read the price series over such spans).
	keep_interval		interval NOT NULL DEFAULT '90 days' CHECK (keep_interval >= interval '0'),
	updated_at			timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE @extschema@.ingest_history_settings IS
	'Per chain: blocks per history partition, blocks retained below the head (NULL keeps all), the time window always kept';
SELECT pg_catalog.pg_extension_config_dump('@extschema@.ingest_history_settings', '');

-- The block ranges that have partitions, per chain.  Not dumped: neither are
-- the partitions (a restored database makes them again as it ingests).
CREATE TABLE @extschema@.ingest_partitions (
	chain_id	bigint NOT NULL,
	from_block	bigint NOT NULL CHECK (from_block >= 0),
	to_block	bigint NOT NULL,
	created_at	timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (chain_id, from_block),
	CHECK (to_block > from_block)
);
COMMENT ON TABLE @extschema@.ingest_partitions IS
	'Block ranges [from_block, to_block) of a chain that have a partition in every partitioned history table';

-- What retention dropped, and why.
CREATE TABLE @extschema@.ingest_retention_log (
	id				bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	chain_id		bigint NOT NULL,
	from_block		bigint NOT NULL,
	to_block		bigint NOT NULL,
	head			bigint NOT NULL,
	retain_blocks	bigint NOT NULL,
	floor_block		bigint,
	floor_name		text,
	cutoff			bigint NOT NULL,
	dropped			text[] NOT NULL,
	rows_deleted	bigint NOT NULL DEFAULT 0,
	dropped_at		timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE @extschema@.ingest_retention_log IS
	'Each history range retention removed: the partitions dropped, rows deleted from plain tables, head, floor and cutoff';
SELECT pg_catalog.pg_extension_config_dump('@extschema@.ingest_retention_log', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.ingest_retention_log_id_seq', '');

-- The retention floors: each a function (chain_id bigint) returning the
-- oldest block its module still reads (NULL when it needs none).  Retention
-- never drops a range that holds or follows the lowest floor.
CREATE TABLE @extschema@.ingest_retention_floors (
	name		text PRIMARY KEY,
	module		text NOT NULL,
	fn			regprocedure NOT NULL,
	description	text NOT NULL
);
COMMENT ON TABLE @extschema@.ingest_retention_floors IS
	'Functions giving, per chain, the oldest block a module''s read models still need; retention keeps it and every later block';

-- The history tables: blocks first, then every table referencing it with
-- ON DELETE CASCADE, with the name of its block column and whether it is
-- partitioned by (chain_id, block) ranges.
CREATE FUNCTION @extschema@.ingest_history_tables()
RETURNS TABLE (tab regclass, block_column name, by_range boolean)
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT t.tab, t.block_column,
		   EXISTS (SELECT 1 FROM pg_partitioned_table p
					WHERE p.partrelid = t.tab AND p.partstrat = 'r' AND p.partnatts = 2
					  AND p.partattrs[0] = (SELECT a.attnum FROM pg_attribute a WHERE a.attrelid = t.tab AND a.attname = 'chain_id')
					  AND p.partattrs[1] = (SELECT a.attnum FROM pg_attribute a WHERE a.attrelid = t.tab AND a.attname = t.block_column))
	  FROM (SELECT '@extschema@.blocks'::regclass AS tab, 'number'::name AS block_column, 0 AS o
			UNION ALL
			SELECT f.conrelid::regclass, b.attname, 1
			  FROM pg_constraint f
			  JOIN pg_class c ON c.oid = f.conrelid
			  JOIN pg_attribute a ON a.attrelid = f.conrelid AND a.attnum = f.conkey[1]
			  JOIN pg_attribute b ON b.attrelid = f.conrelid AND b.attnum = f.conkey[2]
			 WHERE f.contype = 'f' AND f.confrelid = '@extschema@.blocks'::regclass AND f.confdeltype = 'c'
			   AND f.conparentid = 0 AND NOT c.relispartition
			   AND cardinality(f.conkey) = 2 AND a.attname = 'chain_id') AS t
	 ORDER BY t.o, t.tab::text
$$;
COMMENT ON FUNCTION @extschema@.ingest_history_tables() IS
	'blocks and every table referencing it with ON DELETE CASCADE: its block column, and whether it is partitioned by block range';

-- The name of a table's partition for the range of a chain starting at
-- from_block: <table>_c<chain>_<from>, shortened with a hash when too long.
CREATE FUNCTION @extschema@.ingest_partition_name(tab regclass, chain_id bigint, from_block bigint)
RETURNS name
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT CASE WHEN octet_length(r.relname || s.suffix) <= 63 THEN r.relname || s.suffix
				ELSE left(r.relname, 63 - 9 - octet_length(s.suffix)) || '_' || left(md5(r.relname), 8) || s.suffix END
	  FROM pg_class r, (SELECT format('_c%s_%s', chain_id, from_block) AS suffix) AS s
	 WHERE r.oid = tab
$$;

-- A table's partition, if it has one, attached under the expected name.
CREATE FUNCTION @extschema@.ingest_partition_of(tab regclass, part name)
RETURNS regclass
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT i.inhrelid::regclass FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
	 WHERE i.inhparent = tab AND c.relname = part
$$;

-- A table's DEFAULT partition, if any.
CREATE FUNCTION @extschema@.ingest_partition_default(tab regclass)
RETURNS regclass
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT i.inhrelid::regclass FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
	 WHERE i.inhparent = tab AND pg_get_expr(c.relpartbound, c.oid) = 'DEFAULT'
$$;

-- Give a new partition its parent's grants and make it a member of the
-- extension (pg_dump then leaves it out, like its parent).
CREATE FUNCTION @extschema@.ingest_partition_adopt(parent regclass, part regclass)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	g record;
BEGIN
	FOR g IN SELECT a.grantee, a.privilege_type FROM pg_class c, aclexplode(c.relacl) AS a
			  WHERE c.oid = parent AND a.grantee <> c.relowner LOOP
		EXECUTE format('GRANT %s ON %s TO %s', g.privilege_type, part,
					   CASE WHEN g.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(pg_get_userbyid(g.grantee)) END);
	END LOOP;
	-- A user's table (a partitioned decoder target) keeps its partitions as
	-- its own: same owner, not members of the extension.
	IF (SELECT c.relowner FROM pg_class c WHERE c.oid = parent) <> (SELECT c.relowner FROM pg_class c WHERE c.oid = part) THEN
		EXECUTE format('ALTER TABLE %s OWNER TO %I', part,
					   pg_get_userbyid((SELECT c.relowner FROM pg_class c WHERE c.oid = parent)));
	END IF;
	IF EXISTS (SELECT 1 FROM pg_depend d
				WHERE d.classid = 'pg_class'::regclass AND d.objid = parent AND d.deptype = 'e'
				  AND d.refclassid = 'pg_extension'::regclass)
	   AND NOT EXISTS (SELECT 1 FROM pg_depend d
						WHERE d.classid = 'pg_class'::regclass AND d.objid = part AND d.deptype = 'e'
						  AND d.refclassid = 'pg_extension'::regclass) THEN
		EXECUTE format('ALTER EXTENSION amplified ADD TABLE %s', part);
	END IF;
END
$$;

-- Every partitioned history table gets its DEFAULT partition, for rows
-- outside every range (hand inserts, blocks no range covers yet), and a
-- partition for every range of every chain made so far: a table seen for
-- the first time (a user's partitioned decoder target created after the
-- chains' ranges) gets them all, with the rows of those ranges its DEFAULT
-- partition held.  The install script calls it after each module's history
-- tables; ingest_partitions_maintain at every call (the caller holds the
-- ingest_partitions lock).  A table already complete costs one count.
CREATE FUNCTION @extschema@.ingest_partitions_defaults()
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	t record;
	r record;
	nsp name;
	part regclass;
	ranges bigint := (SELECT count(*) FROM @extschema@.ingest_partitions);
BEGIN
	FOR t IN SELECT h.tab, h.block_column FROM @extschema@.ingest_history_tables() AS h WHERE h.by_range LOOP
	  -- One table whose layout cannot be completed (a user's table with
	  -- partitions of its own that overlap a range) is left as it is, with a
	  -- warning: it must not stop maintenance, and with it ingestion, of
	  -- every chain.  Retention deletes the rows of a range it has no
	  -- partition for.
	  BEGIN
		IF @extschema@.ingest_partition_default(t.tab) IS NULL THEN
			SELECT n.nspname INTO nsp FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = t.tab;
			EXECUTE format('CREATE TABLE %I.%I PARTITION OF %s DEFAULT', nsp,
						   left((SELECT c.relname FROM pg_class c WHERE c.oid = t.tab), 55) || '_default', t.tab);
			part := @extschema@.ingest_partition_default(t.tab);
			PERFORM @extschema@.ingest_partition_adopt(t.tab, part);
		END IF;
		CONTINUE WHEN (SELECT count(*) FROM pg_inherits i WHERE i.inhparent = t.tab) > ranges;
		FOR r IN SELECT k.chain_id, k.from_block, k.to_block FROM @extschema@.ingest_partitions AS k
				  ORDER BY k.chain_id, k.from_block LOOP
			IF @extschema@.ingest_partition_of(t.tab, @extschema@.ingest_partition_name(t.tab, r.chain_id, r.from_block)) IS NULL THEN
				PERFORM @extschema@.ingest_partition_create(t.tab, t.block_column, r.chain_id, r.from_block, r.to_block);
			END IF;
		END LOOP;
	  EXCEPTION WHEN others THEN
		RAISE WARNING 'history table % keeps its own layout: %', t.tab, SQLERRM
			USING DETAIL = 'Its rows of a range are deleted when retention drops the range; the other tables are partitioned as usual.',
				  HINT = 'Give a partitioned decoder target no partitions of its own: amplified makes its DEFAULT partition and one per range.';
	  END;
	END LOOP;
END
$$;

-- Make one table's partition for the range [from_block, to_block) of a
-- chain: made apart, filled with the rows of that range the DEFAULT
-- partition held (moved with triggers and foreign key checks off: the rows
-- stay the same rows), then attached (which takes SHARE UPDATE EXCLUSIVE on
-- the parent, so readers and the worker's inserts go on).
CREATE FUNCTION @extschema@.ingest_partition_create(tab regclass, block_column name, chain_id bigint,
	from_block bigint, to_block bigint)
RETURNS bigint
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	nsp name;
	pname name := @extschema@.ingest_partition_name(tab, chain_id, from_block);
	part text;
	dflt regclass := @extschema@.ingest_partition_default(tab);
	moved bigint := 0;
	role text := current_setting('session_replication_role');
	has_rows boolean := false;
BEGIN
	SELECT n.nspname INTO nsp FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = tab;
	part := format('%I.%I', nsp, pname);
	EXECUTE format('CREATE TABLE %s (LIKE %s INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING STORAGE INCLUDING GENERATED)',
				   part, tab);
	IF dflt IS NOT NULL THEN
		EXECUTE format('SELECT EXISTS (SELECT 1 FROM %s WHERE chain_id = $1 AND %I >= $2 AND %I < $3)',
					   dflt, block_column, block_column)
			INTO has_rows USING chain_id, from_block, to_block;
	END IF;
	IF has_rows THEN
		PERFORM set_config('session_replication_role', 'replica', true);
		EXECUTE format('WITH m AS (DELETE FROM %s WHERE chain_id = $1 AND %I >= $2 AND %I < $3 RETURNING *) '
					   'INSERT INTO %s SELECT * FROM m', dflt, block_column, block_column, part)
			USING chain_id, from_block, to_block;
		GET DIAGNOSTICS moved = ROW_COUNT;
		PERFORM set_config('session_replication_role', role, true);
	END IF;
	EXECUTE format('ALTER TABLE %s ATTACH PARTITION %s FOR VALUES FROM (%s, %s) TO (%s, %s)',
				   tab, part, chain_id, from_block, chain_id, to_block);
	PERFORM @extschema@.ingest_partition_adopt(tab, part::regclass);
	RETURN moved;
END
$$;

-- Make the partitions that cover blocks from_block..to_block of a chain,
-- and one range ahead of to_block, in every partitioned history table:
-- ranges are multiples of the chain's partition_blocks, cut short where
-- they would overlap a range made with another length.  Rows of those
-- ranges that the DEFAULT partitions held move to the new partitions, all
-- tables in this one transaction.  Returns the first block after to_block
-- that no range covers (the ingest worker calls again before it gets near).
CREATE FUNCTION @extschema@.ingest_partitions_maintain(chain_id bigint, from_block bigint, to_block bigint)
RETURNS bigint
LANGUAGE plpgsql
-- The owner creates the partitions of its tables.
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	p bigint;
	s bigint;
	e bigint;
	hi bigint;
	r record;
	t record;
BEGIN
	IF from_block IS NULL OR to_block IS NULL OR from_block < 0 OR to_block < from_block THEN
		RAISE EXCEPTION 'invalid block range: % to %', from_block, to_block
			USING ERRCODE = 'invalid_parameter_value';
	END IF;
	IF NOT EXISTS (SELECT 1 FROM @extschema@.chains AS c WHERE c.chain_id = ingest_partitions_maintain.chain_id) THEN
		RAISE EXCEPTION 'chain % is not configured', ingest_partitions_maintain.chain_id
			USING ERRCODE = 'undefined_object';
	END IF;
	-- One maker at a time (the worker, add_chain, an admin, retention).
	LOCK TABLE @extschema@.ingest_partitions IN SHARE ROW EXCLUSIVE MODE;
	-- A history table seen for the first time gets its DEFAULT partition
	-- and every range made so far.
	PERFORM @extschema@.ingest_partitions_defaults();
	SELECT coalesce((SELECT h.partition_blocks FROM @extschema@.ingest_history_settings AS h
					  WHERE h.chain_id = ingest_partitions_maintain.chain_id), 100000) INTO p;
	hi := to_block + p / 2;
	s := (from_block / p) * p;
	WHILE s <= hi LOOP
		SELECT k.to_block INTO e FROM @extschema@.ingest_partitions AS k
		 WHERE k.chain_id = ingest_partitions_maintain.chain_id AND k.from_block <= s AND k.to_block > s;
		IF NOT FOUND THEN
			e := (s / p + 1) * p;
			e := least(e, coalesce((SELECT min(k.from_block) FROM @extschema@.ingest_partitions AS k
									 WHERE k.chain_id = ingest_partitions_maintain.chain_id
									   AND k.from_block > s), e));
			INSERT INTO @extschema@.ingest_partitions (chain_id, from_block, to_block)
			VALUES (ingest_partitions_maintain.chain_id, s, e);
		END IF;
		s := e;
	END LOOP;
	-- Every range there gets its partition in every table (a table made
	-- after the range, such as a user's decoder target, gets it now).
	FOR r IN SELECT k.from_block, k.to_block FROM @extschema@.ingest_partitions AS k
			  WHERE k.chain_id = ingest_partitions_maintain.chain_id
				AND k.to_block > (ingest_partitions_maintain.from_block / p) * p AND k.from_block <= hi
			  ORDER BY k.from_block LOOP
		FOR t IN SELECT h.tab, h.block_column FROM @extschema@.ingest_history_tables() AS h WHERE h.by_range LOOP
			IF @extschema@.ingest_partition_of(t.tab, @extschema@.ingest_partition_name(t.tab,
					ingest_partitions_maintain.chain_id, r.from_block)) IS NULL THEN
				PERFORM @extschema@.ingest_partition_create(t.tab, t.block_column,
					ingest_partitions_maintain.chain_id, r.from_block, r.to_block);
			END IF;
		END LOOP;
	END LOOP;
	-- The first block past to_block that no range covers.
	s := to_block + 1;
	LOOP
		SELECT k.to_block INTO e FROM @extschema@.ingest_partitions AS k
		 WHERE k.chain_id = ingest_partitions_maintain.chain_id AND k.from_block <= s AND k.to_block > s;
		EXIT WHEN NOT FOUND;
		s := e;
	END LOOP;
	RETURN s;
END
$$;
COMMENT ON FUNCTION @extschema@.ingest_partitions_maintain(bigint, bigint, bigint) IS
	'make the history partitions covering blocks from_block..to_block of a chain and one range ahead; returns the first block past to_block left uncovered';

-- A new chain gets the range of its start block at once.
CREATE FUNCTION @extschema@.chains_history_partitions()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	PERFORM @extschema@.ingest_partitions_maintain(NEW.chain_id, NEW.start_block, NEW.start_block);
	RETURN NULL;
END
$$;
CREATE TRIGGER chains_history_partitions AFTER INSERT ON @extschema@.chains
	FOR EACH ROW EXECUTE FUNCTION @extschema@.chains_history_partitions();

-- Lock what removing the range of a chain starting at from_block touches,
-- all of it before anything is changed and always in the same order, the
-- order readers and the ingest worker take them in: first chains (and any
-- other table a history table references: dropping a partition drops its
-- foreign keys' triggers there), then blocks, then the dependents by name;
-- of each partitioned table the parent alone, then the range's partition,
-- then the DEFAULT partition (dropping a partition changes its
-- constraint).  ACCESS EXCLUSIVE, as DETACH and DROP take them anyway
-- (ROW EXCLUSIVE on a plain table, whose rows are only deleted).  The
-- caller's lock_timeout bounds the wait.
CREATE FUNCTION @extschema@.ingest_partition_range_lock(chain_id bigint, from_block bigint)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	t record;
	part regclass;
BEGIN
	FOR t IN SELECT x.tab FROM (SELECT DISTINCT f.confrelid::regclass AS tab
								  FROM pg_constraint f
								 -- the constraints themselves, not their clones on each
								 -- referenced partition (those are the range's, locked below)
								 WHERE f.contype = 'f' AND f.conparentid = 0
								   AND f.conrelid IN (SELECT h.tab FROM @extschema@.ingest_history_tables() AS h)
								   AND f.confrelid NOT IN (SELECT h.tab FROM @extschema@.ingest_history_tables() AS h)) AS x
			  ORDER BY x.tab <> '@extschema@.chains'::regclass, x.tab::text LOOP
		EXECUTE format('LOCK TABLE ONLY %s IN ACCESS EXCLUSIVE MODE', t.tab);
	END LOOP;
	-- ingest_history_tables() lists blocks first, then the rest by name.
	FOR t IN SELECT h.tab, h.by_range FROM @extschema@.ingest_history_tables() AS h LOOP
		IF NOT t.by_range THEN
			EXECUTE format('LOCK TABLE ONLY %s IN ROW EXCLUSIVE MODE', t.tab);
			CONTINUE;
		END IF;
		EXECUTE format('LOCK TABLE ONLY %s IN ACCESS EXCLUSIVE MODE', t.tab);
		part := @extschema@.ingest_partition_of(t.tab, @extschema@.ingest_partition_name(t.tab,
				ingest_partition_range_lock.chain_id, from_block));
		IF part IS NOT NULL THEN
			EXECUTE format('LOCK TABLE ONLY %s IN ACCESS EXCLUSIVE MODE', part);
		END IF;
		part := @extschema@.ingest_partition_default(t.tab);
		IF part IS NOT NULL THEN
			EXECUTE format('LOCK TABLE ONLY %s IN ACCESS EXCLUSIVE MODE', part);
		END IF;
	END LOOP;
END
$$;

-- Remove the range [from_block, to_block) of a chain from every history
-- table, dependents first: a partitioned table's partition is dropped, the
-- rows of the range deleted from a plain table or from a partitioned one
-- that has no partition for it (they sit in its DEFAULT partition); last
-- the blocks partition is detached (its referencing rows are gone by then)
-- and dropped.  Every lock is taken first (ingest_partition_range_lock).
-- Members of the extension are dropped from it first (a member cannot be
-- dropped).  Returns the partitions dropped and the rows deleted.
CREATE FUNCTION @extschema@.ingest_partition_range_drop(chain_id bigint, from_block bigint, to_block bigint,
	OUT dropped text[], OUT rows_deleted bigint)
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	t record;
	part regclass;
	n bigint;
BEGIN
	dropped := '{}';
	rows_deleted := 0;
	PERFORM @extschema@.ingest_partition_range_lock(ingest_partition_range_drop.chain_id, from_block);
	FOR t IN SELECT h.tab, h.block_column, h.by_range FROM @extschema@.ingest_history_tables() AS h
			  ORDER BY h.tab = '@extschema@.blocks'::regclass, h.tab::text LOOP
		part := NULL;
		IF t.by_range THEN
			part := @extschema@.ingest_partition_of(t.tab, @extschema@.ingest_partition_name(t.tab,
					ingest_partition_range_drop.chain_id, from_block));
		END IF;
		IF part IS NOT NULL THEN
			IF t.tab = '@extschema@.blocks'::regclass THEN
				EXECUTE format('ALTER TABLE %s DETACH PARTITION %s', t.tab, part);
			END IF;
			IF EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = part
						  AND d.deptype = 'e' AND d.refclassid = 'pg_extension'::regclass) THEN
				EXECUTE format('ALTER EXTENSION amplified DROP TABLE %s', part);
			END IF;
			dropped := dropped || part::text;
			EXECUTE format('DROP TABLE %s', part);
		ELSE
			EXECUTE format('DELETE FROM %s WHERE chain_id = $1 AND %I >= $2 AND %I < $3',
						   t.tab, t.block_column, t.block_column)
				USING ingest_partition_range_drop.chain_id, from_block, to_block;
			GET DIAGNOSTICS n = ROW_COUNT;
			rows_deleted := rows_deleted + n;
		END IF;
	END LOOP;
	DELETE FROM @extschema@.ingest_partitions AS k
	 WHERE k.chain_id = ingest_partition_range_drop.chain_id AND k.from_block = ingest_partition_range_drop.from_block;
END
$$;

-- A chain's partition_blocks set or changed: its ranges above every stored
-- block, empty so far, are made again with the new length (the ones in
-- use keep theirs).  Nothing is done when the ranges ahead already have
-- that length.  A range is dropped only if, with its locks held, none of
-- its partitions has ever held a row (its files are empty: a test no
-- snapshot can fool, so a block the worker committed meanwhile is never
-- dropped with it).
CREATE FUNCTION @extschema@.ingest_history_settings_replan()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	top bigint;
	p bigint := NEW.partition_blocks;
	r record;
	used boolean;
BEGIN
	IF TG_OP = 'UPDATE' AND NEW.partition_blocks = OLD.partition_blocks THEN
		RETURN NULL;
	END IF;
	LOCK TABLE @extschema@.ingest_partitions IN SHARE ROW EXCLUSIVE MODE;
	top := @extschema@.ingest_head_block(NEW.chain_id);
	FOR r IN SELECT k.from_block, k.to_block FROM @extschema@.ingest_partitions AS k
			  WHERE k.chain_id = NEW.chain_id AND k.from_block > coalesce(top, -1)
				-- The ranges ahead already have the length asked for: nothing to do.
				AND EXISTS (SELECT 1 FROM @extschema@.ingest_partitions AS j
							 WHERE j.chain_id = NEW.chain_id AND j.from_block > coalesce(top, -1)
							   AND (j.from_block % p <> 0 OR j.to_block <> j.from_block + p))
			  ORDER BY k.from_block LOOP
		PERFORM @extschema@.ingest_partition_range_lock(NEW.chain_id, r.from_block);
		SELECT EXISTS (SELECT 1 FROM @extschema@.ingest_history_tables() AS h,
							 LATERAL (SELECT @extschema@.ingest_partition_of(h.tab,
									  @extschema@.ingest_partition_name(h.tab, NEW.chain_id, r.from_block)) AS part) AS x
						WHERE h.by_range AND x.part IS NOT NULL AND pg_relation_size(x.part) > 0)
		  INTO used;
		-- A range written meanwhile, and every range above it, stay.
		EXIT WHEN used;
		PERFORM @extschema@.ingest_partition_range_drop(NEW.chain_id, r.from_block, r.to_block);
	END LOOP;
	PERFORM @extschema@.ingest_partitions_maintain(c.chain_id, coalesce(top + 1, c.start_block), coalesce(top + 1, c.start_block))
	   FROM @extschema@.chains AS c WHERE c.chain_id = NEW.chain_id;
	RETURN NULL;
END
$$;
CREATE TRIGGER ingest_history_settings_replan AFTER INSERT OR UPDATE OF partition_blocks
	ON @extschema@.ingest_history_settings
	FOR EACH ROW EXECUTE FUNCTION @extschema@.ingest_history_settings_replan();

-- ---- reads of the latest row: a window that prunes ----

-- Where a "latest row at or before a block (and a time)" read looks first:
-- the lowest block of the window [result, block], at most one range of the
-- chain (partition_blocks) below the block and never above the chain's
-- ranges, so the window reads at most two ranges and the DEFAULT partitions
-- instead of every range of the chain.  With a time, block is first lowered
-- to the newest stored block at or before it (block times never decrease);
-- NULL when no stored block is that old (nothing can be at or before it).
-- The read models (univ3_pool_latest, token_lst_rate_latest, ...) search
-- the window first and, when it holds nothing, everything below it too:
-- their answer is the same as an unbounded search, because the window is
-- every block from its low end up to the block.  The low end reaches the
-- query as a parameter (a plpgsql variable), so executor startup pruning
-- leaves out the ranges below it; a sub-select in the bound would not prune.
-- The read models run with plan_cache_mode = force_generic_plan: a custom
-- plan would prune while planning, but planning each call over the chain's
-- ranges cost more than the whole generic execution (0.74 against 0.13 ms
-- a call with 31 ranges).
CREATE FUNCTION @extschema@.ingest_window_from(chain_id bigint, block bigint,
	at timestamptz DEFAULT 'infinity')
RETURNS bigint
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	len bigint;
	top bigint;
	hi bigint := block;
BEGIN
	IF at IS NULL THEN
		RETURN NULL;
	ELSIF at < 'infinity' THEN
		top := @extschema@.ingest_block_at(chain_id, at);
		IF top IS NULL THEN
			RETURN NULL;
		END IF;
		hi := least(hi, top);
	END IF;
	SELECT coalesce(max(h.partition_blocks), 100000) INTO len
	  FROM @extschema@.ingest_history_settings AS h WHERE h.chain_id = ingest_window_from.chain_id;
	SELECT max(p.to_block) INTO top
	  FROM @extschema@.ingest_partitions AS p WHERE p.chain_id = ingest_window_from.chain_id;
	-- Ranges are made up to half a range ahead of the head: the window ends
	-- at the top range at most, and then spans the two ranges below its end.
	hi := least(hi, top - len);
	IF hi IS NULL OR hi < -9223372036854775807 + len THEN
		RETURN -9223372036854775807 - 1;
	END IF;
	RETURN hi - len + 1;
END
$$;
COMMENT ON FUNCTION @extschema@.ingest_window_from(bigint, bigint, timestamptz) IS
	'the lowest block of the window a latest-row read searches first (at most two ranges below the block); NULL when no stored block is at or before the time';

-- ---- retention floors: the oldest block each reader still needs ----

-- The time window: the first block younger than the chain's keep_interval.
CREATE FUNCTION @extschema@.ingest_floor_window(chain_id bigint)
RETURNS bigint
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT min(b.number) FROM @extschema@.blocks AS b
	 WHERE b.chain_id = ingest_floor_window.chain_id
	   AND b.timestamp >= now() - coalesce((SELECT h.keep_interval FROM @extschema@.ingest_history_settings AS h
											  WHERE h.chain_id = ingest_floor_window.chain_id), interval '90 days')
$$;

INSERT INTO @extschema@.ingest_retention_floors (name, module, fn, description) VALUES
	('window', 'ingest', '@extschema@.ingest_floor_window(bigint)',
	 'blocks younger than the chain''s keep_interval (risk, volatility and forecast windows read price series over such spans)');

-- The floors of a chain, each with the block it keeps from.
CREATE FUNCTION @extschema@.ingest_retention_floors(chain_id bigint)
RETURNS TABLE (name text, module text, floor_block bigint)
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	f record;
BEGIN
	FOR f IN SELECT r.name, r.module, r.fn FROM @extschema@.ingest_retention_floors AS r ORDER BY r.name LOOP
		name := f.name;
		module := f.module;
		EXECUTE format('SELECT %s($1)', f.fn::oid::regproc) INTO floor_block USING chain_id;
		RETURN NEXT;
	END LOOP;
END
$$;
COMMENT ON FUNCTION @extschema@.ingest_retention_floors(bigint) IS
	'per registered floor, the oldest block of the chain its module still reads (NULL: none)';

-- Apply a chain's retention: every range wholly below the cutoff, which is
-- the lowest of head - retain_blocks, head - finality_depth and every
-- floor, is removed, dependents first: their partitions dropped, rows of
-- plain tables deleted, then the blocks partition detached and dropped.
-- Rows of the DEFAULT partition below the cutoff are deleted (one
-- cascading delete).  Each removal is logged in ingest_retention_log and
-- returned.
CREATE FUNCTION @extschema@.ingest_retention_apply(chain_id bigint)
RETURNS SETOF @extschema@.ingest_retention_log
LANGUAGE plpgsql
-- The owner drops partitions of its tables.
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	keep bigint;
	head bigint;
	depth integer;
	fb bigint;
	fname text;
	cutoff bigint;
	r record;
	part regclass;
	dropped text[];
	n bigint;
	total bigint;
	lg @extschema@.ingest_retention_log;
	wait text := current_setting('lock_timeout');
	busy boolean := false;
BEGIN
	SELECT c.finality_depth INTO depth FROM @extschema@.chains AS c WHERE c.chain_id = ingest_retention_apply.chain_id;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'chain % is not configured', ingest_retention_apply.chain_id USING ERRCODE = 'undefined_object';
	END IF;
	SELECT h.retain_blocks INTO keep FROM @extschema@.ingest_history_settings AS h
	 WHERE h.chain_id = ingest_retention_apply.chain_id;
	head := @extschema@.ingest_head_block(ingest_retention_apply.chain_id);
	IF keep IS NULL OR head IS NULL THEN
		RETURN;
	END IF;
	LOCK TABLE @extschema@.ingest_partitions IN SHARE ROW EXCLUSIVE MODE;
	SELECT f.floor_block, f.name INTO fb, fname FROM @extschema@.ingest_retention_floors(ingest_retention_apply.chain_id) AS f
	 WHERE f.floor_block IS NOT NULL ORDER BY f.floor_block, f.name LIMIT 1;
	cutoff := least(head - keep, head - depth, fb);
	-- Dropping a partition locks its parent exclusively for a moment: wait
	-- for readers a little, and leave the rest for the next call if they stay.
	PERFORM set_config('lock_timeout', '5s', true);
	FOR r IN SELECT k.from_block, k.to_block FROM @extschema@.ingest_partitions AS k
			  WHERE k.chain_id = ingest_retention_apply.chain_id AND k.to_block <= cutoff
			  ORDER BY k.from_block LOOP
		BEGIN
			SELECT x.dropped, x.rows_deleted INTO dropped, total
			  FROM @extschema@.ingest_partition_range_drop(ingest_retention_apply.chain_id, r.from_block, r.to_block) AS x;
		EXCEPTION WHEN lock_not_available OR deadlock_detected THEN
			RAISE WARNING 'retention of chain % stopped at blocks % to %: %',
				ingest_retention_apply.chain_id, r.from_block, r.to_block - 1,
				CASE WHEN SQLSTATE = '40P01' THEN 'a deadlock with a reader of the history tables'
					 ELSE 'a reader holds the history tables' END
				USING DETAIL = 'The range is kept; the next call drops it.';
			busy := true;
		END;
		EXIT WHEN busy;
		INSERT INTO @extschema@.ingest_retention_log (chain_id, from_block, to_block, head, retain_blocks,
			floor_block, floor_name, cutoff, dropped, rows_deleted)
		VALUES (ingest_retention_apply.chain_id, r.from_block, r.to_block, head, keep, fb, fname, cutoff, dropped, total)
		RETURNING * INTO lg;
		RETURN NEXT lg;
	END LOOP;
	PERFORM set_config('lock_timeout', wait, true);
	IF busy THEN
		RETURN;
	END IF;
	-- Rows below the cutoff that no range holds (the DEFAULT partition).
	part := @extschema@.ingest_partition_default('@extschema@.blocks'::regclass);
	IF part IS NOT NULL THEN
		EXECUTE format('DELETE FROM %s WHERE chain_id = $1 AND number < $2', part)
			USING ingest_retention_apply.chain_id, cutoff;
		GET DIAGNOSTICS n = ROW_COUNT;
		IF n > 0 THEN
			INSERT INTO @extschema@.ingest_retention_log (chain_id, from_block, to_block, head, retain_blocks,
				floor_block, floor_name, cutoff, dropped, rows_deleted)
			VALUES (ingest_retention_apply.chain_id, 0, cutoff, head, keep, fb, fname, cutoff, '{}', n)
			RETURNING * INTO lg;
			RETURN NEXT lg;
		END IF;
	END IF;
END
$$;
COMMENT ON FUNCTION @extschema@.ingest_retention_apply(bigint) IS
	'drop the history ranges of a chain below min(head - retain_blocks, head - finality_depth, every floor); logs and returns what it removed';

-- Per chain: settings, ranges, head, the lowest floor and the cutoff
-- retention would apply now.
CREATE VIEW @extschema@.v_ingest_history AS
	SELECT c.chain_id, c.name,
		   coalesce(h.partition_blocks, 100000) AS partition_blocks, h.retain_blocks,
		   coalesce(h.keep_interval, interval '90 days') AS keep_interval,
		   k.ranges, k.first_block, k.end_block,
		   @extschema@.ingest_head_block(c.chain_id) AS head,
		   f.floor_block, f.name AS floor_name,
		   CASE WHEN h.retain_blocks IS NOT NULL THEN
				least(@extschema@.ingest_head_block(c.chain_id) - h.retain_blocks,
					  @extschema@.ingest_head_block(c.chain_id) - c.finality_depth, f.floor_block) END AS cutoff,
		   now() AS at
	  FROM @extschema@.chains AS c
	  LEFT JOIN @extschema@.ingest_history_settings AS h ON h.chain_id = c.chain_id
	  LEFT JOIN LATERAL (SELECT count(*) AS ranges, min(p.from_block) AS first_block, max(p.to_block) AS end_block
						   FROM @extschema@.ingest_partitions AS p WHERE p.chain_id = c.chain_id) AS k ON true
	  LEFT JOIN LATERAL (SELECT x.floor_block, x.name FROM @extschema@.ingest_retention_floors(c.chain_id) AS x
						  WHERE x.floor_block IS NOT NULL ORDER BY x.floor_block, x.name LIMIT 1) AS f ON true;
COMMENT ON VIEW @extschema@.v_ingest_history IS
	'Per chain: history partition length, retention setting, ranges made, head, lowest retention floor and the cutoff';

REVOKE ALL ON TABLE @extschema@.ingest_history_settings, @extschema@.ingest_partitions,
	@extschema@.ingest_retention_log, @extschema@.ingest_retention_floors FROM PUBLIC;
GRANT SELECT ON @extschema@.ingest_history_settings, @extschema@.ingest_partitions,
	@extschema@.ingest_retention_log, @extschema@.ingest_retention_floors, @extschema@.v_ingest_history TO amplified_reader;
GRANT INSERT, UPDATE, DELETE ON @extschema@.ingest_history_settings TO amplified_admin;
REVOKE ALL ON FUNCTION @extschema@.ingest_history_tables(), @extschema@.ingest_partition_name(regclass, bigint, bigint),
	@extschema@.ingest_partition_of(regclass, name), @extschema@.ingest_partition_default(regclass),
	@extschema@.ingest_partition_adopt(regclass, regclass), @extschema@.ingest_partitions_defaults(),
	@extschema@.ingest_partition_create(regclass, name, bigint, bigint, bigint),
	@extschema@.ingest_partitions_maintain(bigint, bigint, bigint), @extschema@.chains_history_partitions(),
	@extschema@.ingest_floor_window(bigint),
	@extschema@.ingest_retention_floors(bigint), @extschema@.ingest_retention_apply(bigint),
	@extschema@.ingest_partition_range_drop(bigint, bigint, bigint), @extschema@.ingest_partition_range_lock(bigint, bigint),
	@extschema@.ingest_history_settings_replan(), @extschema@.ingest_window_from(bigint, bigint, timestamptz) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION @extschema@.ingest_history_tables(), @extschema@.ingest_retention_floors(bigint),
	@extschema@.ingest_floor_window(bigint),
	@extschema@.ingest_window_from(bigint, bigint, timestamptz) TO amplified_reader;
GRANT EXECUTE ON FUNCTION @extschema@.ingest_partitions_maintain(bigint, bigint, bigint),
	@extschema@.ingest_retention_apply(bigint) TO amplified_admin;

-- blocks, logs and state_reads: their DEFAULT partitions.
SELECT @extschema@.ingest_partitions_defaults();
