-- src/ingest/ingest.sql: what the ingest workers read (watched contracts) and
-- write (blocks, logs, cursors, status).  All chain data is keyed by
-- (chain_id, block_number) and hangs off amplified.blocks with ON DELETE
-- CASCADE, so rolling back a reorg is one DELETE of the orphaned blocks.

-- Contracts whose logs are ingested.
CREATE TABLE @extschema@.watched_contracts (
	chain_id	bigint NOT NULL REFERENCES @extschema@.chains ON DELETE CASCADE,
	address		@extschema@.address NOT NULL,
	label		text NOT NULL CHECK (length(label) BETWEEN 1 AND 200),
	kind		text NOT NULL DEFAULT 'generic'
				CHECK (kind IN ('generic', 'erc20', 'erc4626', 'lst', 'oracle', 'univ3_pool',
								'univ3_position_manager')),
	from_block	bigint NOT NULL DEFAULT 0 CHECK (from_block >= 0),
	enabled		boolean NOT NULL DEFAULT true,
	created_at	timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (chain_id, address)
);
COMMENT ON TABLE @extschema@.watched_contracts IS 'Contracts whose logs the ingest worker of their chain ingests';
SELECT pg_catalog.pg_extension_config_dump('@extschema@.watched_contracts', '');

-- Block headers: every block the head follower passed, and the blocks that
-- hold a backfilled log.
CREATE TABLE @extschema@.blocks (
	chain_id	bigint NOT NULL REFERENCES @extschema@.chains ON DELETE CASCADE,
	number		bigint NOT NULL CHECK (number >= 0),
	hash		@extschema@.bytes32 NOT NULL,
	parent_hash	@extschema@.bytes32 NOT NULL,
	timestamp	timestamptz NOT NULL,
	base_fee	@extschema@.uint256,
	PRIMARY KEY (chain_id, number),
	UNIQUE (chain_id, hash)
);
COMMENT ON TABLE @extschema@.blocks IS 'Canonical block headers as ingested; deleting one rolls back everything derived from it';

-- Raw logs of watched contracts.
CREATE TABLE @extschema@.logs (
	chain_id		bigint NOT NULL,
	block_number	bigint NOT NULL,
	log_index		integer NOT NULL CHECK (log_index >= 0),
	tx_hash			@extschema@.bytes32 NOT NULL,
	tx_index		integer NOT NULL CHECK (tx_index >= 0),
	address			@extschema@.address NOT NULL,
	topics			@extschema@.bytes32[] NOT NULL CHECK (cardinality(topics) <= 4),
	data			bytea NOT NULL,
	PRIMARY KEY (chain_id, block_number, log_index),
	FOREIGN KEY (chain_id, block_number) REFERENCES @extschema@.blocks ON DELETE CASCADE
);
CREATE INDEX logs_address_idx ON @extschema@.logs (chain_id, address, block_number);
COMMENT ON TABLE @extschema@.logs IS 'Logs of watched contracts, raw; decoded tables and abi_decode_log() read them';

-- Where each stream of a chain resumes: "head" for the head follower, and one
-- per watched contract while it is backfilled (it joins the head stream when
-- it catches up).
CREATE TABLE @extschema@.ingest_cursors (
	chain_id	bigint NOT NULL REFERENCES @extschema@.chains ON DELETE CASCADE,
	stream		text NOT NULL,
	next_block	bigint NOT NULL CHECK (next_block >= 0),
	updated_at	timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (chain_id, stream)
);
COMMENT ON TABLE @extschema@.ingest_cursors IS 'Next block each ingest stream reads; "head" or a contract address';

-- What each chain's ingest worker last saw and did.
CREATE TABLE @extschema@.ingest_status (
	chain_id		bigint PRIMARY KEY REFERENCES @extschema@.chains ON DELETE CASCADE,
	state			text NOT NULL CHECK (state IN ('starting', 'running', 'synced', 'error', 'halted')),
	head			bigint,
	last_error		text,
	last_error_at	timestamptz,
	blocks_total	bigint NOT NULL DEFAULT 0,
	logs_total		bigint NOT NULL DEFAULT 0,
	blocks_per_sec	float8,
	logs_per_sec	float8,
	reorgs			bigint NOT NULL DEFAULT 0,
	getlogs_range	integer,
	updated_at		timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE @extschema@.ingest_status IS 'Per chain: state, head, last error and rates of its ingest worker';

-- Every reorg the ingest workers rolled back.
CREATE TABLE @extschema@.ingest_reorgs (
	chain_id		bigint NOT NULL REFERENCES @extschema@.chains ON DELETE CASCADE,
	detected_at		timestamptz NOT NULL DEFAULT now(),
	fork_block		bigint NOT NULL,
	depth			integer NOT NULL,
	orphaned_hashes	@extschema@.bytes32[] NOT NULL
);
CREATE INDEX ingest_reorgs_chain_idx ON @extschema@.ingest_reorgs (chain_id, detected_at);
COMMENT ON TABLE @extschema@.ingest_reorgs IS 'Reorgs rolled back: the last common block and the orphaned block hashes';

-- Watch a contract: its logs are ingested from from_block on.
CREATE FUNCTION @extschema@.watch_contract(
	chain_id bigint,
	address @extschema@.address,
	label text,
	kind text DEFAULT 'generic',
	from_block bigint DEFAULT 0)
RETURNS @extschema@.watched_contracts
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	r @extschema@.watched_contracts;
BEGIN
	IF NOT EXISTS (SELECT 1 FROM @extschema@.chains AS c WHERE c.chain_id = watch_contract.chain_id) THEN
		RAISE EXCEPTION 'chain % is not configured', watch_contract.chain_id
			USING ERRCODE = 'undefined_object', HINT = 'Add it with amplified.add_chain().';
	END IF;
	IF from_block IS NULL OR from_block < 0 THEN
		RAISE EXCEPTION 'from_block must not be negative, not %', from_block
			USING ERRCODE = 'invalid_parameter_value';
	END IF;
	IF kind IS NULL OR kind NOT IN ('generic', 'erc20', 'erc4626', 'lst', 'oracle', 'univ3_pool',
									'univ3_position_manager') THEN
		RAISE EXCEPTION 'invalid contract kind: "%"', kind
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'Use generic, erc20, erc4626, lst, oracle, univ3_pool or univ3_position_manager.';
	END IF;
	INSERT INTO @extschema@.watched_contracts AS w (chain_id, address, label, kind, from_block)
	VALUES (watch_contract.chain_id, watch_contract.address, watch_contract.label,
			watch_contract.kind, watch_contract.from_block)
	RETURNING * INTO r;
	-- Its own cursor until it catches up with the head stream.
	INSERT INTO @extschema@.ingest_cursors (chain_id, stream, next_block)
	VALUES (watch_contract.chain_id, lower(watch_contract.address::text), watch_contract.from_block);
	RETURN r;
EXCEPTION WHEN unique_violation THEN
	RAISE EXCEPTION 'contract % is already watched on chain %', watch_contract.address, watch_contract.chain_id
		USING ERRCODE = 'unique_violation';
END
$$;

-- Resume a chain halted by a reorg deeper than its finality depth: forget
-- every block from rewind_to on, and ingest again from there.
CREATE FUNCTION @extschema@.ingest_resume(chain_id bigint, rewind_to bigint)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF rewind_to IS NULL OR rewind_to < 0 THEN
		RAISE EXCEPTION 'rewind_to must not be negative, not %', rewind_to
			USING ERRCODE = 'invalid_parameter_value';
	END IF;
	PERFORM 1 FROM @extschema@.chains AS c WHERE c.chain_id = ingest_resume.chain_id FOR UPDATE;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'chain % is not configured', ingest_resume.chain_id USING ERRCODE = 'undefined_object';
	END IF;
	DELETE FROM @extschema@.blocks AS b WHERE b.chain_id = ingest_resume.chain_id AND b.number >= rewind_to;
	UPDATE @extschema@.ingest_cursors AS k SET next_block = rewind_to, updated_at = now()
	 WHERE k.chain_id = ingest_resume.chain_id AND k.next_block > rewind_to;
	UPDATE @extschema@.ingest_status AS s SET state = 'running', updated_at = now()
	 WHERE s.chain_id = ingest_resume.chain_id;
END
$$;

-- Per chain: head, indexed block, lag, state, errors, rates, backfill progress.
CREATE VIEW @extschema@.v_ingest_status AS
	SELECT c.chain_id, c.name, c.enabled,
		   coalesce(s.state, CASE WHEN c.enabled THEN 'starting' ELSE 'disabled' END) AS state,
		   s.head,
		   h.next_block - 1 AS indexed_block,
		   s.head - (h.next_block - 1) AS lag,
		   s.last_error, s.last_error_at,
		   s.blocks_per_sec, s.logs_per_sec, s.blocks_total, s.logs_total, s.reorgs,
		   s.getlogs_range,
		   bf.done AS backfill_done_blocks,
		   bf.total AS backfill_total_blocks,
		   s.updated_at
	  FROM @extschema@.chains AS c
	  LEFT JOIN @extschema@.ingest_status AS s ON s.chain_id = c.chain_id
	  LEFT JOIN @extschema@.ingest_cursors AS h ON h.chain_id = c.chain_id AND h.stream = 'head'
	  LEFT JOIN LATERAL (
		SELECT sum(LEAST(k.next_block, h.next_block) - w.from_block)::bigint AS done,
			   sum(GREATEST(h.next_block - w.from_block, 0))::bigint AS total
		  FROM @extschema@.watched_contracts AS w
		  JOIN @extschema@.ingest_cursors AS k
			ON k.chain_id = w.chain_id AND k.stream = lower(w.address::text)
		 WHERE w.chain_id = c.chain_id) AS bf ON true;
COMMENT ON VIEW @extschema@.v_ingest_status IS 'Ingestion per chain: head, indexed block, lag, state, last error, rates, backfill progress';

-- The launcher starts and stops ingest workers as chains change.
CREATE FUNCTION @extschema@.chains_wake_launcher()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF @extschema@.worker_wakeups() IS NOT NULL THEN
		PERFORM @extschema@.worker_wake_launcher();
	END IF;
	RETURN NULL;
END
$$;
CREATE TRIGGER chains_wake_launcher AFTER INSERT OR UPDATE OR DELETE ON @extschema@.chains
	FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.chains_wake_launcher();

REVOKE ALL ON TABLE @extschema@.watched_contracts, @extschema@.blocks, @extschema@.logs,
	@extschema@.ingest_cursors, @extschema@.ingest_status, @extschema@.ingest_reorgs FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.watch_contract(bigint, @extschema@.address, text, text, bigint) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.ingest_resume(bigint, bigint) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.chains_wake_launcher() FROM PUBLIC;
GRANT SELECT ON @extschema@.watched_contracts, @extschema@.blocks, @extschema@.logs,
	@extschema@.ingest_cursors, @extschema@.ingest_status, @extschema@.ingest_reorgs,
	@extschema@.v_ingest_status TO amplified_reader;
GRANT INSERT, UPDATE, DELETE ON @extschema@.watched_contracts TO amplified_admin;
GRANT EXECUTE ON FUNCTION @extschema@.watch_contract(bigint, @extschema@.address, text, text, bigint) TO amplified_admin;
GRANT EXECUTE ON FUNCTION @extschema@.ingest_resume(bigint, bigint) TO amplified_admin;
