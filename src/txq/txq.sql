-- src/txq/txq.sql: the transaction queue.  Decisions write intents
-- (txq_enqueue, in the caller's transaction: an outbox); one tx worker per
-- chain (src/txq/worker.c) drains them.  Every step the worker takes is one
-- of the txq_step_* functions below, each committed before the next external
-- effect: claim and simulate, reserve a nonce, sign and persist the raw bytes,
-- broadcast, follow the receipt, confirm.  Every change of an intent's status
-- is recorded in tx_events by a trigger, so the audit trail cannot be skipped.
--
--   pending ──▶ reserved ──▶ signed ──▶ sent ──▶ mined ──▶ confirmed | failed
--      │            │                     ▲        │
--      │            │ (cancel/expire:     └────────┘ receipt gone (reorg):
--      │            │  a no-op takes       the same bytes are sent again
--      │            ▼  its nonce)
--      └──────▶ rejected | expired | cancelled

-- Who signs for which address on which chain.  The key itself is never here:
-- key_file reads <amplified.keys_dir>/<address>.key, external asks a signer
-- over JSON-RPC (url may hold credentials: admin only), node asks the chain's
-- own node.
CREATE TABLE @extschema@.signers (
	chain_id		bigint NOT NULL REFERENCES @extschema@.chains ON DELETE RESTRICT,
	address			@extschema@.address NOT NULL,
	kind			text NOT NULL CHECK (kind IN ('key_file', 'external', 'node')),
	url				text CHECK (url IS NULL OR @extschema@.rpc_urls_valid(ARRAY[url])),
	tx_type			smallint NOT NULL DEFAULT 2 CHECK (tx_type IN (0, 2)),
	max_fee_per_gas	@extschema@.uint256,
	replace_after	interval NOT NULL DEFAULT '1 minute'
					CHECK (replace_after BETWEEN '1 second' AND '1 day'),
	paused			boolean NOT NULL DEFAULT false,
	created_at		timestamptz NOT NULL DEFAULT now(),
	updated_at		timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (chain_id, address),
	CHECK ((kind = 'external') = (url IS NOT NULL))
);
COMMENT ON TABLE @extschema@.signers IS
	'Signing back-end of each sender address per chain; never the key itself (admin only: url may hold credentials)';
SELECT pg_catalog.pg_extension_config_dump('@extschema@.signers', '');

-- The next nonce each sender will use, reconciled with the node at worker start.
CREATE TABLE @extschema@.nonces (
	chain_id		bigint NOT NULL,
	address			@extschema@.address NOT NULL,
	next_nonce		bigint NOT NULL CHECK (next_nonce >= 0),
	chain_nonce		bigint,
	reconciled_at	timestamptz,
	-- The signer's backoff: failures in a row, and when it may be asked to
	-- sign again (the tx worker skips it until then).
	sign_failures	integer NOT NULL DEFAULT 0,
	sign_retry_at	timestamptz,
	updated_at		timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (chain_id, address),
	FOREIGN KEY (chain_id, address) REFERENCES @extschema@.signers ON DELETE CASCADE
);
COMMENT ON TABLE @extschema@.nonces IS
	'Next nonce per sender (chain_nonce: eth_getTransactionCount(pending) at the last reconciliation), and its signer''s backoff';
-- The queue is the books, not a cache of the chain: nonces, intents, their
-- attempts (the signed bytes) and the audit trail are dumped, so a restored
-- database knows every nonce it used and never signs another payload at it.
SELECT pg_catalog.pg_extension_config_dump('@extschema@.nonces', '');

-- What a signer may be asked to send, set by an admin (txq_set_signer_policy).
-- A direct enqueue (one that carries no strategy decision) needs a policy of
-- its sender and must fit it; an intent of a strategy's decision must fit
-- its sender's policy when there is one.  NULL lists allow any target or
-- selector, an empty list none; '\x' among the selectors allows calls
-- without data (plain transfers).  last_enqueue_at is written by every
-- enqueue that passes the policy: that row lock orders the rate limit.
CREATE TABLE @extschema@.signer_policies (
	chain_id		bigint NOT NULL,
	signer			@extschema@.address NOT NULL,
	allowed_targets	@extschema@.address[],
	allowed_selectors bytea[],
	allow_create	boolean NOT NULL DEFAULT false,
	max_value		@extschema@.uint256 NOT NULL DEFAULT '0',
	max_data_bytes	integer NOT NULL DEFAULT 131072 CHECK (max_data_bytes BETWEEN 0 AND 131072),
	max_intents_per_hour integer CHECK (max_intents_per_hour >= 0),
	last_enqueue_at	timestamptz,
	updated_at		timestamptz NOT NULL DEFAULT now(),
	updated_by		text NOT NULL DEFAULT session_user,
	PRIMARY KEY (chain_id, signer),
	FOREIGN KEY (chain_id, signer) REFERENCES @extschema@.signers ON DELETE CASCADE
);
COMMENT ON TABLE @extschema@.signer_policies IS
	'What each signer may send: allowed targets and selectors, contract creation, value and data caps, intents per hour (admin only)';
SELECT pg_catalog.pg_extension_config_dump('@extschema@.signer_policies', '');

-- The kill switch: while paused, no worker signs or broadcasts anything new.
CREATE TABLE @extschema@.txq_control (
	singleton		boolean PRIMARY KEY DEFAULT true CHECK (singleton),
	paused			boolean NOT NULL DEFAULT false,
	reason			text,
	updated_at		timestamptz NOT NULL DEFAULT now(),
	updated_by		text NOT NULL DEFAULT session_user
);
INSERT INTO @extschema@.txq_control DEFAULT VALUES;
COMMENT ON TABLE @extschema@.txq_control IS 'The global kill switch of the transaction queue';
-- Dumped: a restore keeps the switch as it was (its row replaces the install's).
SELECT pg_catalog.pg_extension_config_dump('@extschema@.txq_control', '');
CREATE TRIGGER txq_control_restore BEFORE INSERT ON @extschema@.txq_control
	FOR EACH ROW EXECUTE FUNCTION @extschema@.dump_replace_singleton();

CREATE TABLE @extschema@.tx_intents (
	id				bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	chain_id		bigint NOT NULL REFERENCES @extschema@.chains ON DELETE RESTRICT,
	sender			@extschema@.address NOT NULL,
	target			@extschema@.address,
	value			@extschema@.uint256 NOT NULL,
	data			bytea NOT NULL,
	kind			text NOT NULL DEFAULT 'call' CHECK (kind IN ('call', 'noop')),
	idempotency_key	text CHECK (length(idempotency_key) BETWEEN 1 AND 200),
	gas_limit		bigint CHECK (gas_limit BETWEEN 21000 AND 100000000),
	max_fee_per_gas	@extschema@.uint256,
	max_priority_fee_per_gas @extschema@.uint256,
	valid_until		timestamptz,
	priority		integer NOT NULL DEFAULT 0,
	simulate		boolean NOT NULL DEFAULT true,
	wait_for_mined	boolean NOT NULL DEFAULT false,
	strategy_id		bigint,
	decision_id		bigint,
	status			text NOT NULL DEFAULT 'pending' CHECK (status IN
					('pending', 'reserved', 'signed', 'sent', 'mined',
					 'confirmed', 'failed', 'rejected', 'expired', 'cancelled')),
	paused			boolean NOT NULL DEFAULT false,
	cancel_requested boolean NOT NULL DEFAULT false,
	-- Held by the tx worker's reconciliation: the node holds or has mined a
	-- transaction of this sender that this database never signed, and this
	-- intent may be the one it carries (a primary that signed it was lost,
	-- or a restore from before it).  Nothing signs a held intent; an admin
	-- resolves it with txq_resolve_held (its alert says why it is held).
	held			boolean NOT NULL DEFAULT false,
	nonce			bigint CHECK (nonce >= 0),
	gas_estimate	bigint,
	tx_hash			@extschema@.bytes32,
	block_number	bigint,
	error			text,
	alert			text,
	options			jsonb NOT NULL DEFAULT '{}',
	created_at		timestamptz NOT NULL DEFAULT now(),
	updated_at		timestamptz NOT NULL DEFAULT now(),
	UNIQUE (chain_id, idempotency_key),
	CHECK ((status IN ('pending', 'rejected', 'expired', 'cancelled')) OR nonce IS NOT NULL)
);
COMMENT ON TABLE @extschema@.tx_intents IS
	'The queue: what should happen on chain, its status, and the nonce and hash it got';
SELECT pg_catalog.pg_extension_config_dump('@extschema@.tx_intents', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.tx_intents_id_seq', '');
CREATE INDEX tx_intents_open ON @extschema@.tx_intents (chain_id, status, sender, priority DESC, id)
	WHERE status IN ('pending', 'reserved', 'signed', 'sent', 'mined');
-- The claim walks this one: pending intents in the order they are taken.
CREATE INDEX tx_intents_pending ON @extschema@.tx_intents (chain_id, priority DESC, id)
	WHERE status = 'pending';
CREATE INDEX tx_intents_decision ON @extschema@.tx_intents (decision_id) WHERE decision_id IS NOT NULL;
-- The rate limit counts a sender's intents of the last hour with this one.
CREATE INDEX tx_intents_sender_created ON @extschema@.tx_intents (chain_id, sender, created_at) WHERE kind = 'call';
-- One open intent per nonce and sender: two intents can never share a nonce.
CREATE UNIQUE INDEX tx_intents_nonce ON @extschema@.tx_intents (chain_id, sender, nonce)
	WHERE status IN ('reserved', 'signed', 'sent', 'mined', 'confirmed', 'failed');

-- Every signed transaction: the bytes are stored before they are broadcast.
CREATE TABLE @extschema@.tx_attempts (
	id				bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	intent_id		bigint NOT NULL REFERENCES @extschema@.tx_intents ON DELETE CASCADE,
	chain_id		bigint NOT NULL,
	sender			@extschema@.address NOT NULL,
	nonce			bigint NOT NULL,
	tx_type			smallint NOT NULL,
	gas_limit		bigint NOT NULL,
	gas_price		@extschema@.uint256,
	max_fee_per_gas	@extschema@.uint256,
	max_priority_fee_per_gas @extschema@.uint256,
	raw				bytea NOT NULL,
	hash			@extschema@.bytes32 NOT NULL UNIQUE,
	status			text NOT NULL DEFAULT 'signed' CHECK (status IN
					('signed', 'sent', 'mined', 'confirmed', 'failed', 'replaced')),
	broadcasts		integer NOT NULL DEFAULT 0,
	failures		integer NOT NULL DEFAULT 0,
	last_error		text,
	block_number	bigint,
	block_hash		@extschema@.bytes32,
	gas_used		bigint,
	effective_gas_price @extschema@.uint256,
	receipt_status	smallint,
	created_at		timestamptz NOT NULL DEFAULT now(),
	sent_at			timestamptz,
	mined_at		timestamptz,
	updated_at		timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE @extschema@.tx_attempts IS
	'Signed transactions (raw bytes and hash persisted before broadcast), one per fee level of an intent';
SELECT pg_catalog.pg_extension_config_dump('@extschema@.tx_attempts', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.tx_attempts_id_seq', '');
CREATE INDEX tx_attempts_intent ON @extschema@.tx_attempts (intent_id);
CREATE INDEX tx_attempts_open ON @extschema@.tx_attempts (chain_id, status, nonce)
	WHERE status IN ('signed', 'sent', 'mined');
-- Reconciliation asks, per sender, which nonces have an attempt of ours
-- (txq_step_unknown_nonces, every minute and at every start).
CREATE INDEX tx_attempts_sender_nonce ON @extschema@.tx_attempts (chain_id, sender, nonce);
-- The broadcast step walks this one: what is signed, in nonce order per sender.
CREATE INDEX tx_attempts_to_send ON @extschema@.tx_attempts (chain_id, sender, nonce, id)
	WHERE status = 'signed';

-- The audit trail: every status change of every intent, and notable events.
CREATE TABLE @extschema@.tx_events (
	id				bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	intent_id		bigint NOT NULL REFERENCES @extschema@.tx_intents ON DELETE CASCADE,
	attempt_id		bigint,
	at				timestamptz NOT NULL DEFAULT clock_timestamp(),
	event			text NOT NULL,
	from_status		text,
	to_status		text,
	detail			text,
	actor			text NOT NULL DEFAULT session_user
);
COMMENT ON TABLE @extschema@.tx_events IS 'Audit trail of the queue: every transition of every intent';
SELECT pg_catalog.pg_extension_config_dump('@extschema@.tx_events', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.tx_events_id_seq', '');
CREATE INDEX tx_events_intent ON @extschema@.tx_events (intent_id, id);

-- Record every status change (and pause, resume, cancel request, alert) of
-- intents: a statement trigger over the transition tables, so a step that
-- moves a batch writes its events in one insert.  The 'enqueued' event is
-- written by the three functions that insert intents (txq_enqueue, and the
-- no-ops of txq_step_reconcile and txq_step_expire), not by a trigger: a
-- restore inserts intents that bring their own trail, which tx_events'
-- dumped rows restore with their ids.  A restore is only safe as one
-- transaction (pg_restore --single-transaction, psql -1 of a plain dump):
-- the launcher starts the tx worker as soon as chains and signers are
-- committed, and a worker that reconciles against a queue restored table by
-- table writes nonces rows the restore's own then collide with, takes
-- attempt ids the restored sequence gives out again, and moves a signer's
-- next nonce past transactions whose intents are not restored yet (which
-- are then signed again).  See docs/txq.md, Tables.
CREATE FUNCTION @extschema@.tx_intents_audit()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
BEGIN
	INSERT INTO tx_events (intent_id, event, from_status, to_status, detail)
	SELECT e.id, e.event, e.from_status, e.to_status, e.detail
	  FROM tx_new AS n JOIN tx_old AS o ON o.id = n.id,
		   LATERAL (VALUES
			(1, n.id, 'status', o.status, n.status,
			 CASE WHEN n.error IS DISTINCT FROM o.error THEN n.error END,
			 n.status IS DISTINCT FROM o.status),
			(2, n.id, CASE WHEN n.paused THEN 'paused' ELSE 'resumed' END, n.status, n.status, NULL,
			 n.paused IS DISTINCT FROM o.paused),
			(3, n.id, 'cancel_requested', n.status, n.status, NULL,
			 n.cancel_requested AND NOT o.cancel_requested),
			(4, n.id, 'alert', n.status, n.status, n.alert,
			 n.alert IS DISTINCT FROM o.alert AND n.alert IS NOT NULL))
			AS e(ord, id, event, from_status, to_status, detail, happened)
	 WHERE e.happened
	 ORDER BY n.id, e.ord;
	RETURN NULL;
END
$$;
CREATE TRIGGER tx_intents_audit_update AFTER UPDATE ON @extschema@.tx_intents
	REFERENCING OLD TABLE AS tx_old NEW TABLE AS tx_new
	FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.tx_intents_audit();

-- Wake the tx workers when intents are written, at commit (C, worker.c).
CREATE FUNCTION @extschema@.txq_wake_workers()
RETURNS trigger
AS 'MODULE_PATHNAME', 'txq_wake_workers'
LANGUAGE C;
CREATE TRIGGER tx_intents_wake AFTER INSERT OR UPDATE ON @extschema@.tx_intents
	FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.txq_wake_workers();
CREATE TRIGGER txq_control_wake AFTER UPDATE ON @extschema@.txq_control
	FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.txq_wake_workers();
CREATE TRIGGER signers_wake AFTER INSERT OR UPDATE OR DELETE ON @extschema@.signers
	FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.chains_wake_launcher();

-- ---- configuration ----

-- Add a signer for an address on a chain.
CREATE FUNCTION @extschema@.add_signer(
	chain_id bigint,
	address @extschema@.address,
	kind text,
	url text DEFAULT NULL,
	tx_type integer DEFAULT 2,
	max_fee_per_gas @extschema@.uint256 DEFAULT NULL,
	replace_after interval DEFAULT '1 minute')
RETURNS @extschema@.signers
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	r @extschema@.signers;
BEGIN
	IF chain_id IS NULL OR address IS NULL OR kind IS NULL THEN
		RAISE EXCEPTION 'chain_id, address and kind must not be NULL'
			USING ERRCODE = 'null_value_not_allowed';
	END IF;
	IF NOT EXISTS (SELECT 1 FROM @extschema@.chains AS c WHERE c.chain_id = add_signer.chain_id) THEN
		RAISE EXCEPTION 'chain % is not configured', add_signer.chain_id
			USING ERRCODE = 'undefined_object', HINT = 'Add it with amplified.add_chain().';
	END IF;
	IF kind NOT IN ('key_file', 'external', 'node') THEN
		RAISE EXCEPTION 'invalid signer kind: "%"', kind
			USING ERRCODE = 'invalid_parameter_value',
				  DETAIL = 'A signer kind is key_file, external or node.';
	END IF;
	IF (kind = 'external') <> (url IS NOT NULL) THEN
		RAISE EXCEPTION '% signer %', kind,
			CASE WHEN kind = 'external' THEN 'needs a url' ELSE 'takes no url' END
			USING ERRCODE = 'invalid_parameter_value',
				  DETAIL = 'Only external signers are reached at a URL of their own.';
	END IF;
	IF url IS NOT NULL AND NOT @extschema@.rpc_urls_valid(ARRAY[url]) THEN
		RAISE EXCEPTION 'invalid signer url'
			USING ERRCODE = 'invalid_parameter_value', DETAIL = 'Give an http:// or https:// URL.';
	END IF;
	IF url IS NOT NULL THEN
		PERFORM @extschema@.rpc_check_urls(ARRAY[url]);
	END IF;
	IF tx_type IS NULL OR tx_type NOT IN (0, 2) THEN
		RAISE EXCEPTION 'tx_type must be 0 (legacy, EIP-155) or 2 (EIP-1559), not %', tx_type
			USING ERRCODE = 'invalid_parameter_value';
	END IF;
	IF replace_after IS NULL OR replace_after NOT BETWEEN '1 second' AND '1 day' THEN
		RAISE EXCEPTION 'replace_after must be between 1 second and 1 day, not %', replace_after
			USING ERRCODE = 'invalid_parameter_value';
	END IF;
	IF EXISTS (SELECT 1 FROM @extschema@.signers AS s
				WHERE s.chain_id = add_signer.chain_id AND s.address OPERATOR(@extschema@.=) add_signer.address) THEN
		RAISE EXCEPTION 'a signer for % on chain % already exists', address, chain_id
			USING ERRCODE = 'unique_violation', HINT = 'Remove it first with amplified.remove_signer().';
	END IF;
	INSERT INTO @extschema@.signers (chain_id, address, kind, url, tx_type, max_fee_per_gas, replace_after)
	VALUES (add_signer.chain_id, add_signer.address, add_signer.kind, add_signer.url,
			add_signer.tx_type, add_signer.max_fee_per_gas, add_signer.replace_after)
	RETURNING * INTO r;
	RETURN r;
END
$$;
COMMENT ON FUNCTION @extschema@.add_signer(bigint, @extschema@.address, text, text, integer, @extschema@.uint256, interval) IS
	'Add a signer (key_file, external or node) for a sender address on a chain';

-- Remove a signer that has nothing in flight.
CREATE FUNCTION @extschema@.remove_signer(chain_id bigint, address @extschema@.address)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	n bigint;
BEGIN
	PERFORM 1 FROM @extschema@.signers AS s
	  WHERE s.chain_id = remove_signer.chain_id AND s.address OPERATOR(@extschema@.=) remove_signer.address
	  FOR UPDATE;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'no signer for % on chain %', address, chain_id USING ERRCODE = 'undefined_object';
	END IF;
	SELECT count(*) INTO n FROM @extschema@.tx_intents AS i
	 WHERE i.chain_id = remove_signer.chain_id AND i.sender OPERATOR(@extschema@.=) remove_signer.address
	   AND i.status IN ('pending', 'reserved', 'signed', 'sent', 'mined');
	IF n > 0 THEN
		RAISE EXCEPTION 'signer % on chain % has % open intents', address, chain_id, n
			USING ERRCODE = 'object_not_in_prerequisite_state',
				  HINT = 'Cancel them or wait until they are final.';
	END IF;
	DELETE FROM @extschema@.signers AS s
	 WHERE s.chain_id = remove_signer.chain_id AND s.address OPERATOR(@extschema@.=) remove_signer.address;
END
$$;
COMMENT ON FUNCTION @extschema@.remove_signer(bigint, @extschema@.address) IS
	'Remove a signer; refused while it has open intents';

-- Set (or replace) what a signer may be asked to send.  The defaults allow
-- any target and selector, no value, no contract creation, data up to the
-- queue's 128 kB and 60 intents an hour.
CREATE FUNCTION @extschema@.txq_set_signer_policy(
	chain_id bigint,
	signer @extschema@.address,
	allowed_targets @extschema@.address[] DEFAULT NULL,
	allowed_selectors bytea[] DEFAULT NULL,
	max_value @extschema@.uint256 DEFAULT '0',
	max_data_bytes integer DEFAULT 131072,
	max_intents_per_hour integer DEFAULT 60,
	allow_create boolean DEFAULT false)
RETURNS @extschema@.signer_policies
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	r @extschema@.signer_policies;
BEGIN
	IF chain_id IS NULL OR signer IS NULL OR max_value IS NULL OR max_data_bytes IS NULL
	   OR allow_create IS NULL THEN
		RAISE EXCEPTION 'chain_id, signer, max_value, max_data_bytes and allow_create must not be NULL'
			USING ERRCODE = 'null_value_not_allowed';
	END IF;
	IF NOT EXISTS (SELECT 1 FROM @extschema@.signers AS s
					WHERE s.chain_id = txq_set_signer_policy.chain_id
					  AND s.address OPERATOR(@extschema@.=) txq_set_signer_policy.signer) THEN
		RAISE EXCEPTION 'no signer for % on chain %', signer, chain_id
			USING ERRCODE = 'undefined_object', HINT = 'Add one with amplified.add_signer().';
	END IF;
	IF max_data_bytes NOT BETWEEN 0 AND 131072 THEN
		RAISE EXCEPTION 'max_data_bytes must be between 0 and 131072, not %', max_data_bytes
			USING ERRCODE = 'invalid_parameter_value';
	END IF;
	IF max_intents_per_hour < 0 THEN
		RAISE EXCEPTION 'max_intents_per_hour must not be negative, not %', max_intents_per_hour
			USING ERRCODE = 'invalid_parameter_value';
	END IF;
	IF array_position(allowed_targets, NULL) IS NOT NULL THEN
		RAISE EXCEPTION 'allowed_targets must not hold NULL' USING ERRCODE = 'null_value_not_allowed';
	END IF;
	IF EXISTS (SELECT 1 FROM unnest(allowed_selectors) AS x WHERE x IS NULL OR length(x) NOT IN (0, 4)) THEN
		RAISE EXCEPTION 'every allowed selector must be 4 bytes (or empty, for calls without data)'
			USING ERRCODE = 'invalid_parameter_value',
				  DETAIL = format('The selectors were %s.', allowed_selectors);
	END IF;
	INSERT INTO @extschema@.signer_policies AS p
		(chain_id, signer, allowed_targets, allowed_selectors, allow_create, max_value, max_data_bytes,
		 max_intents_per_hour)
	VALUES (txq_set_signer_policy.chain_id, txq_set_signer_policy.signer, txq_set_signer_policy.allowed_targets,
			txq_set_signer_policy.allowed_selectors, txq_set_signer_policy.allow_create,
			txq_set_signer_policy.max_value, txq_set_signer_policy.max_data_bytes,
			txq_set_signer_policy.max_intents_per_hour)
	ON CONFLICT ON CONSTRAINT signer_policies_pkey DO UPDATE
		SET allowed_targets = excluded.allowed_targets, allowed_selectors = excluded.allowed_selectors,
			allow_create = excluded.allow_create, max_value = excluded.max_value,
			max_data_bytes = excluded.max_data_bytes, max_intents_per_hour = excluded.max_intents_per_hour,
			updated_at = now(), updated_by = session_user
	RETURNING * INTO r;
	RETURN r;
END
$$;
COMMENT ON FUNCTION @extschema@.txq_set_signer_policy(bigint, @extschema@.address, @extschema@.address[], bytea[], @extschema@.uint256, integer, integer, boolean) IS
	'Set what a signer may be asked to send: allowed targets and selectors (NULL: any), value and data caps, intents per hour, contract creation';

-- Remove a signer's policy: direct enqueues from it are refused again.
CREATE FUNCTION @extschema@.txq_remove_signer_policy(chain_id bigint, signer @extschema@.address)
RETURNS void
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	DELETE FROM @extschema@.signer_policies AS p
	 WHERE p.chain_id = txq_remove_signer_policy.chain_id
	   AND p.signer OPERATOR(@extschema@.=) txq_remove_signer_policy.signer;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'no policy for signer % on chain %', signer, chain_id USING ERRCODE = 'undefined_object';
	END IF;
END
$$;
COMMENT ON FUNCTION @extschema@.txq_remove_signer_policy(bigint, @extschema@.address) IS
	'Remove a signer''s policy: direct enqueues from it are refused until a new one is set';

-- Signers for everyone who may read: no URL.
CREATE VIEW @extschema@.v_signers AS
	SELECT s.chain_id, s.address, s.kind, s.tx_type, s.max_fee_per_gas, s.replace_after, s.paused,
		   n.next_nonce, n.chain_nonce, n.reconciled_at, s.created_at, s.updated_at
	  FROM @extschema@.signers AS s
	  LEFT JOIN @extschema@.nonces AS n USING (chain_id, address);
COMMENT ON VIEW @extschema@.v_signers IS 'Signers without their URLs, with their next nonce';

-- ---- the queue API ----

-- An option of txq_enqueue as uint256, with a clear error.
CREATE FUNCTION @extschema@.txq_option_uint256(options jsonb, key text)
RETURNS @extschema@.uint256
LANGUAGE plpgsql IMMUTABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	v jsonb := options -> key;
BEGIN
	IF v IS NULL OR jsonb_typeof(v) = 'null' THEN
		RETURN NULL;
	END IF;
	IF jsonb_typeof(v) NOT IN ('string', 'number') THEN
		RAISE EXCEPTION 'option "%" must be a number or a string, not %', key, jsonb_typeof(v)
			USING ERRCODE = 'invalid_parameter_value';
	END IF;
	RETURN (v #>> '{}')::@extschema@.uint256;
END
$$;
COMMENT ON FUNCTION @extschema@.txq_option_uint256(jsonb, text) IS
	'An option of txq_enqueue read as uint256 (a JSON number or a decimal or 0x string)';

-- ---- the modules the queue asks (a registry: the queue names none) ----

-- What a guard says of an intent the queue is asked to take: the strategy
-- whose vault sends (and how many times the intent's decision lists it), or
-- a refusal with its SQLSTATE and a hint.
CREATE TYPE @extschema@.txq_guard_verdict AS (
	strategy_id		bigint,
	listed			integer,
	refusal			text,
	errcode			text,
	hint			text
);
COMMENT ON TYPE @extschema@.txq_guard_verdict IS
	'a guard''s verdict on an intent: the strategy it belongs to and how often its decision lists it, or a refusal (SQLSTATE, hint)';

-- Modules above the queue (the risk gate's kill switch, the strategies'
-- vaults and decisions) register guards here; txq_enqueue asks each of them
-- in name order, the "before" guards first for every call (they are not
-- given the decision: the options are not read yet), the "new_intent"
-- guards for an intent not queued yet under its key:
--   guard(chain_id bigint, sender address, decision_id bigint, target address,
--         value uint256, data bytea) → txq_guard_verdict
-- At most one guard names the strategy of an intent with a decision.
CREATE TABLE @extschema@.txq_enqueue_guards (
	name			text PRIMARY KEY CHECK (name ~ '^[a-z][a-z0-9_]{0,62}$'),
	stage			text NOT NULL CHECK (stage IN ('before', 'new_intent')),
	guard			regproc NOT NULL,
	description		text NOT NULL,
	builtin			boolean NOT NULL DEFAULT false
);
COMMENT ON TABLE @extschema@.txq_enqueue_guards IS
	'Functions of other modules that txq_enqueue asks before it takes an intent (kill switches, who owns a vault)';
SELECT pg_catalog.pg_extension_config_dump('@extschema@.txq_enqueue_guards', 'WHERE NOT builtin');

CREATE TRIGGER txq_enqueue_guards_check BEFORE INSERT OR UPDATE ON @extschema@.txq_enqueue_guards
	FOR EACH ROW EXECUTE FUNCTION @extschema@.registry_check_row(
		'guard', 'bigint,@extschema@.address,bigint,@extschema@.address,@extschema@.uint256,bytea', '@extschema@.txq_guard_verdict');

-- Ask the guards of a stage; raise the first refusal, return the verdict
-- that names a strategy (if any).
CREATE FUNCTION @extschema@.txq_ask_guards(stage text, chain_id bigint, sender @extschema@.address, decision_id bigint,
	target @extschema@.address, value @extschema@.uint256, data bytea)
RETURNS @extschema@.txq_guard_verdict
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	g record;
	v @extschema@.txq_guard_verdict;
	owner @extschema@.txq_guard_verdict;
BEGIN
	FOR g IN SELECT x.name, x.guard FROM @extschema@.txq_enqueue_guards AS x
			  WHERE x.stage = txq_ask_guards.stage ORDER BY x.name LOOP
		-- In FROM: "(f(...)).*" would call the guard once per field.
		EXECUTE format('SELECT * FROM %s($1, $2, $3, $4, $5, $6)', @extschema@.registry_call_name(g.guard))
		   INTO v USING chain_id, sender, decision_id, target, value, data;
		IF v.refusal IS NOT NULL THEN
			RAISE EXCEPTION '%', v.refusal
				USING ERRCODE = coalesce(v.errcode, '42501'), HINT = coalesce(v.hint, '');
		END IF;
		IF v.strategy_id IS NOT NULL THEN
			IF owner.strategy_id IS NOT NULL THEN
				RAISE EXCEPTION 'two enqueue guards claim the intent (strategies % and %)', owner.strategy_id, v.strategy_id
					USING ERRCODE = 'insufficient_privilege';
			END IF;
			owner := v;
		END IF;
	END LOOP;
	RETURN owner;
END
$$;
COMMENT ON FUNCTION @extschema@.txq_ask_guards(text, bigint, @extschema@.address, bigint, @extschema@.address, @extschema@.uint256, bytea) IS
	'run the enqueue guards of a stage in name order: raise the first refusal, return the verdict naming a strategy';

-- Queue a transaction; it is sent once the calling transaction commits.
-- Who may move funds (docs/txq.md, "Who can move funds"): nothing is taken
-- while a kill switch is on; an intent carrying decision_id must be one the
-- decision lists, sent from its strategy's vault, not yet queued; an intent
-- from a strategy's vault needs such a decision; any other (a direct
-- enqueue) needs a policy of its signer; every intent must fit its signer's
-- policy when there is one.  Refusals are 42501 (54000 for data over the
-- queue's own limit, 53400 for the rate limit).
CREATE FUNCTION @extschema@.txq_enqueue(
	chain_id bigint,
	sender @extschema@.address,
	target @extschema@.address,
	value @extschema@.uint256,
	data bytea,
	options jsonb DEFAULT '{}')
RETURNS bigint
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	o jsonb := coalesce(options, '{}');
	k text;
	r @extschema@.tx_intents;
	existing @extschema@.tx_intents;
	id bigint;
	p @extschema@.signer_policies;
	auth @extschema@.txq_guard_verdict;
	n bigint;
BEGIN
	IF chain_id IS NULL OR sender IS NULL THEN
		RAISE EXCEPTION 'chain_id and sender must not be NULL' USING ERRCODE = 'null_value_not_allowed';
	END IF;
	IF jsonb_typeof(o) <> 'object' THEN
		RAISE EXCEPTION 'options must be a JSON object, not %', jsonb_typeof(o)
			USING ERRCODE = 'invalid_parameter_value';
	END IF;
	FOR k IN SELECT jsonb_object_keys(o) LOOP
		IF k NOT IN ('idempotency_key', 'gas_limit', 'max_fee_per_gas', 'max_priority_fee_per_gas',
					 'valid_until', 'valid_for', 'priority', 'simulate', 'strategy_id', 'decision_id') THEN
			RAISE EXCEPTION 'unknown option "%"', k
				USING ERRCODE = 'invalid_parameter_value',
					  HINT = 'Options are idempotency_key, gas_limit, max_fee_per_gas, max_priority_fee_per_gas, valid_until, valid_for, priority, simulate, strategy_id and decision_id.';
		END IF;
	END LOOP;

	-- Kill switches: the queue's own and the risk gate's.  (The worker's own
	-- no-ops, which fill nonces, do not pass through here.)
	IF (SELECT c.paused FROM @extschema@.txq_control AS c) THEN
		RAISE EXCEPTION 'the transaction queue is paused: no intent is taken'
			USING ERRCODE = 'object_not_in_prerequisite_state',
				  DETAIL = format('The kill switch was pulled by %s at %s%s.',
								  (SELECT c.updated_by FROM @extschema@.txq_control AS c),
								  (SELECT c.updated_at FROM @extschema@.txq_control AS c),
								  (SELECT ': ' || c.reason FROM @extschema@.txq_control AS c)),
				  HINT = 'An admin lifts it with amplified.txq_resume_all().';
	END IF;
	-- The guards every call passes (the risk gate's kill switch, for one).
	PERFORM @extschema@.txq_ask_guards('before', chain_id, sender, NULL, target,
									   coalesce(value, '0'::@extschema@.uint256), coalesce(data, ''::bytea));

	IF NOT EXISTS (SELECT 1 FROM @extschema@.signers AS s
					WHERE s.chain_id = txq_enqueue.chain_id AND s.address OPERATOR(@extschema@.=) txq_enqueue.sender) THEN
		RAISE EXCEPTION 'no signer for % on chain %', sender, chain_id
			USING ERRCODE = 'undefined_object', HINT = 'Add one with amplified.add_signer().';
	END IF;

	r.chain_id := txq_enqueue.chain_id;
	r.sender := txq_enqueue.sender;
	r.target := txq_enqueue.target;
	r.value := coalesce(txq_enqueue.value, '0'::@extschema@.uint256);
	r.data := coalesce(txq_enqueue.data, ''::bytea);
	r.kind := 'call';
	BEGIN
		r.idempotency_key := o ->> 'idempotency_key';
		r.gas_limit := (o ->> 'gas_limit')::bigint;
		r.max_fee_per_gas := @extschema@.txq_option_uint256(o, 'max_fee_per_gas');
		r.max_priority_fee_per_gas := @extschema@.txq_option_uint256(o, 'max_priority_fee_per_gas');
		r.valid_until := (o ->> 'valid_until')::timestamptz;
		IF o ? 'valid_for' THEN
			r.valid_until := least(r.valid_until, now() + (o ->> 'valid_for')::interval);
		END IF;
		r.priority := coalesce((o ->> 'priority')::integer, 0);
		r.simulate := coalesce((o ->> 'simulate')::boolean, true);
		r.strategy_id := (o ->> 'strategy_id')::bigint;
		r.decision_id := (o ->> 'decision_id')::bigint;
	EXCEPTION
		WHEN data_exception THEN
			RAISE EXCEPTION 'invalid options: %', SQLERRM
				USING ERRCODE = 'invalid_parameter_value',
					  DETAIL = format('options were: %s', o);
	END;
	IF r.gas_limit IS NOT NULL AND r.gas_limit NOT BETWEEN 21000 AND 100000000 THEN
		RAISE EXCEPTION 'gas_limit must be between 21000 and 100000000, not %', r.gas_limit
			USING ERRCODE = 'invalid_parameter_value';
	END IF;
	IF r.idempotency_key IS NOT NULL AND length(r.idempotency_key) NOT BETWEEN 1 AND 200 THEN
		RAISE EXCEPTION 'idempotency_key must be 1 to 200 characters'
			USING ERRCODE = 'invalid_parameter_value';
	END IF;
	IF r.max_fee_per_gas IS NOT NULL AND r.max_priority_fee_per_gas IS NOT NULL
	   AND r.max_priority_fee_per_gas OPERATOR(@extschema@.>) r.max_fee_per_gas THEN
		RAISE EXCEPTION 'max_priority_fee_per_gas (%) exceeds max_fee_per_gas (%)',
			r.max_priority_fee_per_gas, r.max_fee_per_gas
			USING ERRCODE = 'invalid_parameter_value';
	END IF;
	IF r.valid_until IS NOT NULL AND r.valid_until <= now() THEN
		RAISE EXCEPTION 'valid_until (%) is not in the future', r.valid_until
			USING ERRCODE = 'invalid_parameter_value';
	END IF;
	IF r.target IS NULL AND length(r.data) = 0 THEN
		RAISE EXCEPTION 'a contract creation (no target) needs init code in data'
			USING ERRCODE = 'invalid_parameter_value';
	END IF;
	IF r.strategy_id IS NOT NULL AND r.decision_id IS NULL THEN
		RAISE EXCEPTION 'option strategy_id needs a decision_id'
			USING ERRCODE = 'invalid_parameter_value',
				  DETAIL = 'An intent is linked to a strategy through one of its decisions.';
	END IF;
	-- The queue's own limit, whatever the policy.
	IF length(r.data) > 131072 THEN
		RAISE EXCEPTION 'data of % bytes exceeds the queue''s limit of 131072 bytes', length(r.data)
			USING ERRCODE = 'program_limit_exceeded';
	END IF;

	-- A repeat of an intent already queued under the same key returns it:
	-- nothing new is sent, so nothing below needs asking again.
	IF r.idempotency_key IS NOT NULL THEN
		SELECT * INTO existing FROM @extschema@.tx_intents AS t
		 WHERE t.chain_id = r.chain_id AND t.idempotency_key = r.idempotency_key;
	END IF;

	IF existing.id IS NULL THEN
		-- Whose funds: the guards of new intents (the strategy module's says
		-- which strategy the sender is the vault of, and whether the
		-- decision lists this intent) refuse or name the strategy.
		auth := @extschema@.txq_ask_guards('new_intent', r.chain_id, r.sender, r.decision_id, r.target, r.value, r.data);
		IF r.decision_id IS NOT NULL AND auth.strategy_id IS NULL THEN
			RAISE EXCEPTION 'decision % is not one any module knows', r.decision_id
				USING ERRCODE = 'insufficient_privilege';
		END IF;
		IF r.decision_id IS NOT NULL THEN
			IF r.strategy_id IS NOT NULL AND r.strategy_id <> auth.strategy_id THEN
				RAISE EXCEPTION 'decision % is one of strategy %, not of strategy %',
					r.decision_id, auth.strategy_id, r.strategy_id
					USING ERRCODE = 'insufficient_privilege';
			END IF;
			r.strategy_id := auth.strategy_id;
			-- Each intent the decision lists is queued once.
			SELECT count(*) INTO n FROM @extschema@.tx_intents AS t
			 WHERE t.decision_id = r.decision_id
			   AND t.target::text IS NOT DISTINCT FROM r.target::text
			   AND t.value OPERATOR(@extschema@.=) r.value AND t.data = r.data;
			IF n >= auth.listed THEN
				RAISE EXCEPTION 'decision % is used up: its intent to % was already queued',
					r.decision_id, coalesce(r.target::text, 'a new contract')
					USING ERRCODE = 'insufficient_privilege';
			END IF;
		END IF;

		-- The signer's policy.  The update takes the policy's row lock, so
		-- two sessions of one signer pass here one after the other and the
		-- second counts the first's intent (under REPEATABLE READ the second
		-- fails with 40001 instead).
		UPDATE @extschema@.signer_policies AS x SET last_enqueue_at = now()
		 WHERE x.chain_id = r.chain_id AND x.signer OPERATOR(@extschema@.=) r.sender
		RETURNING * INTO p;
		IF NOT FOUND THEN
			IF r.decision_id IS NULL THEN
				RAISE EXCEPTION 'signer % on chain % has no policy: it takes no direct intents', r.sender, r.chain_id
					USING ERRCODE = 'insufficient_privilege',
						  HINT = 'An admin allows what it may send with amplified.txq_set_signer_policy().';
			END IF;
		ELSE
			IF r.target IS NULL AND NOT p.allow_create THEN
				RAISE EXCEPTION 'the policy of signer % does not allow contract creation', r.sender
					USING ERRCODE = 'insufficient_privilege';
			END IF;
			IF r.target IS NOT NULL AND p.allowed_targets IS NOT NULL
			   AND NOT r.target OPERATOR(@extschema@.=) ANY (p.allowed_targets) THEN
				RAISE EXCEPTION 'the policy of signer % does not allow target %', r.sender, r.target
					USING ERRCODE = 'insufficient_privilege';
			END IF;
			IF r.target IS NOT NULL AND p.allowed_selectors IS NOT NULL
			   AND NOT substr(r.data, 1, 4) = ANY (p.allowed_selectors) THEN
				RAISE EXCEPTION 'the policy of signer % does not allow %', r.sender,
					CASE WHEN length(r.data) = 0 THEN 'calls without data'
						 ELSE format('selector 0x%s', encode(substr(r.data, 1, 4), 'hex')) END
					USING ERRCODE = 'insufficient_privilege';
			END IF;
			IF r.value OPERATOR(@extschema@.>) p.max_value THEN
				RAISE EXCEPTION 'value % exceeds the cap of signer %: %', r.value, r.sender, p.max_value
					USING ERRCODE = 'insufficient_privilege';
			END IF;
			IF length(r.data) > p.max_data_bytes THEN
				RAISE EXCEPTION 'data of % bytes exceeds the cap of signer %: % bytes',
					length(r.data), r.sender, p.max_data_bytes
					USING ERRCODE = 'insufficient_privilege';
			END IF;
			IF p.max_intents_per_hour IS NOT NULL THEN
				SELECT count(*) INTO n FROM @extschema@.tx_intents AS t
				 WHERE t.chain_id = r.chain_id AND t.sender OPERATOR(@extschema@.=) r.sender
				   AND t.kind = 'call' AND t.created_at > now() - interval '1 hour';
				IF n >= p.max_intents_per_hour THEN
					RAISE EXCEPTION 'signer % reached its limit of % intents per hour', r.sender, p.max_intents_per_hour
						USING ERRCODE = 'configuration_limit_exceeded',
							  HINT = 'Wait, or an admin raises max_intents_per_hour with amplified.txq_set_signer_policy().';
				END IF;
			END IF;
		END IF;

		INSERT INTO @extschema@.tx_intents AS t
			(chain_id, sender, target, value, data, kind, idempotency_key, gas_limit, max_fee_per_gas,
			 max_priority_fee_per_gas, valid_until, priority, simulate, strategy_id, decision_id, options)
		VALUES (r.chain_id, r.sender, r.target, r.value, r.data, r.kind, r.idempotency_key, r.gas_limit,
				r.max_fee_per_gas, r.max_priority_fee_per_gas, r.valid_until, r.priority, r.simulate,
				r.strategy_id, r.decision_id, o)
		ON CONFLICT ON CONSTRAINT tx_intents_chain_id_idempotency_key_key DO NOTHING
		RETURNING t.id INTO id;
		IF id IS NOT NULL THEN
			INSERT INTO @extschema@.tx_events (intent_id, event, to_status) VALUES (id, 'enqueued', 'pending');
			RETURN id;
		END IF;
		-- Another session queued the key meanwhile.
		SELECT * INTO existing FROM @extschema@.tx_intents AS t
		 WHERE t.chain_id = r.chain_id AND t.idempotency_key = r.idempotency_key;
	END IF;

	-- A repeat: the same key must carry the same transaction.
	IF existing.sender OPERATOR(@extschema@.<>) r.sender
	   OR existing.target::text IS DISTINCT FROM r.target::text
	   OR existing.value OPERATOR(@extschema@.<>) r.value
	   OR existing.data <> r.data THEN
		RAISE EXCEPTION 'idempotency key "%" was used for a different transaction (intent %)',
			r.idempotency_key, existing.id
			USING ERRCODE = 'unique_violation',
				  DETAIL = 'A repeated enqueue must name the same sender, target, value and data.';
	END IF;
	RETURN existing.id;
END
$$;
COMMENT ON FUNCTION @extschema@.txq_enqueue(bigint, @extschema@.address, @extschema@.address, @extschema@.uint256, bytea, jsonb) IS
	'Queue a transaction (outbox: it exists once the caller commits); options: idempotency_key, gas_limit, fee caps, valid_until/valid_for, priority, simulate, strategy_id, decision_id';

-- Cancel an intent that has not been signed.  A pending intent is cancelled
-- at once; one holding a nonce is cancelled by the worker, which sends a
-- no-op in its place so the nonce is not left as a gap.
CREATE FUNCTION @extschema@.txq_cancel(intent_id bigint)
RETURNS text
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	r @extschema@.tx_intents;
BEGIN
	SELECT * INTO r FROM @extschema@.tx_intents AS i WHERE i.id = intent_id FOR UPDATE;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'intent % does not exist', intent_id USING ERRCODE = 'undefined_object';
	END IF;
	IF r.status IN ('confirmed', 'failed', 'rejected', 'expired', 'cancelled') THEN
		RETURN r.status;
	END IF;
	IF r.status = 'pending' THEN
		UPDATE @extschema@.tx_intents AS i SET status = 'cancelled', error = 'cancelled by ' || session_user,
			   updated_at = now()
		 WHERE i.id = intent_id;
		RETURN 'cancelled';
	END IF;
	IF r.status = 'reserved' THEN
		UPDATE @extschema@.tx_intents AS i SET cancel_requested = true, updated_at = now() WHERE i.id = intent_id;
		RETURN 'cancelling';
	END IF;
	RAISE EXCEPTION 'intent % is already %: it can no longer be cancelled', intent_id, r.status
		USING ERRCODE = 'object_not_in_prerequisite_state',
			  DETAIL = 'Its signed transaction may already be in a block or a mempool.';
END
$$;
COMMENT ON FUNCTION @extschema@.txq_cancel(bigint) IS
	'Cancel an intent not yet signed; returns its status (cancelled, or cancelling while the worker fills its nonce)';

-- Pause or resume one intent: a paused intent takes no new step that reaches
-- the chain (no signing, no broadcast, no replacement); receipts are still followed.
CREATE FUNCTION @extschema@.txq_pause(intent_id bigint, paused boolean DEFAULT true)
RETURNS void
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	UPDATE @extschema@.tx_intents AS i SET paused = txq_pause.paused, updated_at = now()
	 WHERE i.id = intent_id AND i.paused IS DISTINCT FROM txq_pause.paused;
	IF NOT FOUND AND NOT EXISTS (SELECT 1 FROM @extschema@.tx_intents AS i WHERE i.id = intent_id) THEN
		RAISE EXCEPTION 'intent % does not exist', intent_id USING ERRCODE = 'undefined_object';
	END IF;
END
$$;
COMMENT ON FUNCTION @extschema@.txq_pause(bigint, boolean) IS
	'Pause (or, with false, resume) one intent';

CREATE FUNCTION @extschema@.txq_resume(intent_id bigint)
RETURNS void
LANGUAGE sql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
	SELECT @extschema@.txq_pause(intent_id, false);
END;
COMMENT ON FUNCTION @extschema@.txq_resume(bigint) IS 'Resume a paused intent';

-- Pause or resume every intent of one signer.
CREATE FUNCTION @extschema@.txq_pause_signer(chain_id bigint, address @extschema@.address, paused boolean DEFAULT true)
RETURNS void
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	UPDATE @extschema@.signers AS s SET paused = txq_pause_signer.paused, updated_at = now()
	 WHERE s.chain_id = txq_pause_signer.chain_id AND s.address OPERATOR(@extschema@.=) txq_pause_signer.address;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'no signer for % on chain %', address, chain_id USING ERRCODE = 'undefined_object';
	END IF;
END
$$;
COMMENT ON FUNCTION @extschema@.txq_pause_signer(bigint, @extschema@.address, boolean) IS
	'Pause (or, with false, resume) everything a signer would sign or send';

CREATE FUNCTION @extschema@.txq_resume_signer(chain_id bigint, address @extschema@.address)
RETURNS void
LANGUAGE sql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
	SELECT @extschema@.txq_pause_signer(chain_id, address, false);
END;
COMMENT ON FUNCTION @extschema@.txq_resume_signer(bigint, @extschema@.address) IS 'Resume a paused signer';

-- Resolve an intent the tx worker held (see tx_intents.held): executed says
-- whether the transaction the node has, which this database did not sign,
-- carried it out (look it up on a block explorer by sender and nonce).  Yes:
-- the intent is cancelled and never sent from here.  No: it goes back to
-- pending and takes a fresh nonce above the node's count.  Admin only: the
-- answer decides whether funds move again.
CREATE FUNCTION @extschema@.txq_resolve_held(intent_id bigint, executed boolean)
RETURNS text
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	r record;
BEGIN
	SELECT i.status, i.held INTO r FROM @extschema@.tx_intents AS i WHERE i.id = intent_id FOR UPDATE;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'intent % does not exist', intent_id USING ERRCODE = 'undefined_object';
	END IF;
	IF NOT r.held OR r.status NOT IN ('pending', 'reserved') THEN
		RAISE EXCEPTION 'intent % is not held', intent_id
			USING ERRCODE = 'object_not_in_prerequisite_state',
				  DETAIL = format('It is %s; only an intent the tx worker held can be resolved.', r.status);
	END IF;
	IF executed IS NULL THEN
		RAISE EXCEPTION 'executed must be true or false' USING ERRCODE = 'null_value_not_allowed';
	END IF;
	INSERT INTO @extschema@.tx_events (intent_id, event, detail)
	VALUES (intent_id, 'resolved',
			CASE WHEN executed THEN 'held intent resolved: carried out by a transaction this database did not sign; cancelled'
				 ELSE 'held intent resolved: not carried out; queued again at a fresh nonce' END);
	IF executed THEN
		UPDATE @extschema@.tx_intents AS i
		   SET status = 'cancelled', held = false, alert = NULL, updated_at = now(),
			   error = format('resolved by %s: carried out on chain by a transaction this database did not sign; '
							  'never sent from here', session_user)
		 WHERE i.id = intent_id;
		RETURN 'cancelled';
	END IF;
	UPDATE @extschema@.tx_intents AS i
	   SET status = 'pending', nonce = NULL, gas_estimate = NULL, held = false, alert = NULL, updated_at = now(),
		   error = format('resolved by %s: not carried out on chain; queued again', session_user)
	 WHERE i.id = intent_id;
	RETURN 'pending';
END
$$;
COMMENT ON FUNCTION @extschema@.txq_resolve_held(bigint, boolean) IS
	'Resolve an intent held by reconciliation: executed true cancels it, false queues it again at a fresh nonce';

-- The kill switch: stop all signing and sending (operators may pull it;
-- only an admin lifts it, with txq_resume_all).
CREATE FUNCTION @extschema@.txq_pause_all(reason text DEFAULT NULL)
RETURNS void
LANGUAGE sql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
	UPDATE @extschema@.txq_control SET paused = true, reason = txq_pause_all.reason,
		updated_at = now(), updated_by = session_user;
END;
COMMENT ON FUNCTION @extschema@.txq_pause_all(text) IS
	'Kill switch: no worker signs, broadcasts or replaces anything while paused (receipts are still followed)';

CREATE FUNCTION @extschema@.txq_resume_all()
RETURNS void
LANGUAGE sql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
	UPDATE @extschema@.txq_control SET paused = false, reason = NULL,
		updated_at = now(), updated_by = session_user;
END;
COMMENT ON FUNCTION @extschema@.txq_resume_all() IS 'Lift the kill switch';

-- ---- read models: how other modules see the queue (never its tables) ----

-- Whether the queue's kill switch is pulled.
CREATE FUNCTION @extschema@.txq_is_paused()
RETURNS boolean
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
	SELECT coalesce((SELECT c.paused FROM @extschema@.txq_control AS c), false);
END;
COMMENT ON FUNCTION @extschema@.txq_is_paused() IS 'Whether the queue''s kill switch (txq_pause_all) is pulled';

-- Whether a strategy has intents in flight, or mined in a block above the
-- given one (what it decided is not yet visible in chain data up to there).
CREATE FUNCTION @extschema@.txq_strategy_busy(strategy_id bigint, block bigint)
RETURNS boolean
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
	SELECT EXISTS (SELECT 1 FROM @extschema@.tx_intents AS t
					WHERE t.strategy_id = txq_strategy_busy.strategy_id
					  AND (t.status IN ('pending', 'reserved', 'signed', 'sent', 'mined')
						   OR t.block_number > txq_strategy_busy.block));
END;
COMMENT ON FUNCTION @extschema@.txq_strategy_busy(bigint, bigint) IS
	'whether a strategy has intents in flight or mined above a block';

-- The gas a strategy's transactions paid in blocks up to a block, in ETH.
CREATE FUNCTION @extschema@.txq_gas_spent(strategy_id bigint, block bigint)
RETURNS numeric
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
	SELECT coalesce(sum(pg_catalog.numeric(a.gas_used) * @extschema@.numeric(a.effective_gas_price)) / 1e18, 0)
	  FROM @extschema@.tx_attempts AS a
	  JOIN @extschema@.tx_intents AS t ON t.id = a.intent_id
	 WHERE t.strategy_id = txq_gas_spent.strategy_id AND a.gas_used IS NOT NULL
	   AND a.block_number <= txq_gas_spent.block;
END;
COMMENT ON FUNCTION @extschema@.txq_gas_spent(bigint, bigint) IS
	'ETH a strategy''s mined transactions paid for gas in blocks up to a block';

-- Where a set of intents stand: how many in each status, and whether every
-- one of them (at least one, all of them existing) was mined.
CREATE FUNCTION @extschema@.txq_intents_state(ids bigint[], OUT by_status jsonb, OUT executed boolean)
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT (SELECT jsonb_object_agg(x.status, x.n) FROM (SELECT t.status, count(*) AS n
			  FROM @extschema@.tx_intents t WHERE t.id = ANY ($1) GROUP BY t.status) x),
		   cardinality($1) > 0 AND (SELECT count(*) FROM @extschema@.tx_intents t
			  WHERE t.id = ANY ($1) AND t.status IN ('mined', 'confirmed')) = cardinality($1)
$$;
COMMENT ON FUNCTION @extschema@.txq_intents_state(bigint[]) IS
	'the intents of a list by status, and whether every one of them was mined';

-- The history of one intent: its events, with the attempts they concern.
CREATE FUNCTION @extschema@.txq_history(intent_id bigint)
RETURNS TABLE (at timestamptz, event text, from_status text, to_status text, detail text,
			   actor text, attempt_id bigint, nonce bigint, hash @extschema@.bytes32)
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
	SELECT e.at, e.event, e.from_status, e.to_status, e.detail, e.actor, e.attempt_id, a.nonce, a.hash
	  FROM @extschema@.tx_events AS e
	  LEFT JOIN @extschema@.tx_attempts AS a ON a.id = e.attempt_id
	 WHERE e.intent_id = txq_history.intent_id
	 ORDER BY e.id;
END;
COMMENT ON FUNCTION @extschema@.txq_history(bigint) IS 'Every event of one intent, oldest first';

-- The queue at a glance: one row per signer.
CREATE VIEW @extschema@.v_tx_queue AS
	SELECT now() AS as_of, s.chain_id, s.address AS sender, s.kind AS signer_kind,
		   s.paused AS signer_paused, (SELECT c.paused FROM @extschema@.txq_control AS c) AS queue_paused,
		   n.next_nonce,
		   coalesce(n.sign_failures, 0) AS signer_failures, n.sign_retry_at AS signer_retry_at,
		   count(*) FILTER (WHERE i.status IN ('reserved', 'signed', 'sent')) AS in_flight,
		   count(*) FILTER (WHERE i.status = 'pending') AS pending,
		   count(*) FILTER (WHERE i.status = 'reserved') AS reserved,
		   count(*) FILTER (WHERE i.status = 'signed') AS signed,
		   count(*) FILTER (WHERE i.status = 'sent') AS sent,
		   count(*) FILTER (WHERE i.status = 'mined') AS mined,
		   count(*) FILTER (WHERE i.status = 'confirmed') AS confirmed,
		   count(*) FILTER (WHERE i.status = 'failed') AS failed,
		   count(*) FILTER (WHERE i.status = 'rejected') AS rejected,
		   count(*) FILTER (WHERE i.status = 'expired') AS expired,
		   count(*) FILTER (WHERE i.status = 'cancelled') AS cancelled,
		   count(*) FILTER (WHERE i.alert IS NOT NULL
							  AND i.status IN ('pending', 'reserved', 'signed', 'sent', 'mined')) AS alerts,
		   min(i.id) FILTER (WHERE i.status IN ('pending', 'reserved', 'signed', 'sent', 'mined')) AS oldest_open_id,
		   min(i.created_at) FILTER (WHERE i.status IN ('pending', 'reserved', 'signed', 'sent', 'mined')) AS oldest_open_at,
		   (array_agg(i.alert ORDER BY i.updated_at DESC, i.id DESC)
				FILTER (WHERE i.alert IS NOT NULL
						  AND i.status IN ('pending', 'reserved', 'signed', 'sent', 'mined')))[1] AS last_alert,
		   count(*) FILTER (WHERE i.held AND i.status IN ('pending', 'reserved')) AS held
	  FROM @extschema@.signers AS s
	  LEFT JOIN @extschema@.nonces AS n USING (chain_id, address)
	  LEFT JOIN @extschema@.tx_intents AS i ON i.chain_id = s.chain_id AND i.sender OPERATOR(@extschema@.=) s.address
	 GROUP BY s.chain_id, s.address, s.kind, s.paused, n.next_nonce, n.sign_failures, n.sign_retry_at;
COMMENT ON VIEW @extschema@.v_tx_queue IS
	'Per signer: intents per status and in flight, alerts (the newest one''s text), the oldest open intent, the next nonce, the signer''s backoff, pause switches, intents held by reconciliation';

-- ---- the worker's steps ----
-- Called by the tx worker (src/txq/worker.c), one step per transaction; each
-- step commits before the worker does anything the chain can see.  Nobody
-- else executes them.

-- Reconcile each signer's next nonce with the node (counts from
-- eth_getTransactionCount at "pending" and "latest"): the next nonce never
-- goes back, and jumps forward when the address was used elsewhere.  A nonce
-- between the node's pending count and ours that no intent holds is a gap:
-- a no-op (0 wei to itself) is queued to fill it.  Returns the no-ops made.
CREATE FUNCTION @extschema@.txq_step_reconcile(chain_id bigint, senders @extschema@.address[],
											   pending_counts bigint[], latest_counts bigint[])
RETURNS integer
LANGUAGE plpgsql
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
DECLARE
	k integer;
	nxt bigint;
	gap bigint;
	made integer := 0;
	noop bigint;
BEGIN
	FOR k IN 1 .. coalesce(cardinality(senders), 0) LOOP
		INSERT INTO nonces AS x (chain_id, address, next_nonce, chain_nonce, reconciled_at)
		VALUES (txq_step_reconcile.chain_id, senders[k], pending_counts[k], pending_counts[k], now())
		ON CONFLICT ON CONSTRAINT nonces_pkey DO UPDATE
			SET next_nonce = greatest(x.next_nonce, excluded.next_nonce),
				chain_nonce = excluded.chain_nonce, reconciled_at = now(), updated_at = now()
		RETURNING x.next_nonce INTO nxt;
		FOR gap IN
			SELECT g FROM generate_series(pending_counts[k], nxt - 1) AS g
			 WHERE NOT EXISTS (SELECT 1 FROM tx_intents AS i
								WHERE i.chain_id = txq_step_reconcile.chain_id AND i.sender = senders[k]
								  AND i.nonce = g
								  AND i.status IN ('reserved', 'signed', 'sent', 'mined', 'confirmed', 'failed'))
			 ORDER BY g LIMIT 1000
		LOOP
			INSERT INTO tx_intents (chain_id, sender, target, value, data, kind, gas_limit, simulate,
									status, nonce, error)
			VALUES (txq_step_reconcile.chain_id, senders[k], senders[k], '0', '', 'noop', 21000, false,
					'reserved', gap, 'fills a nonce gap')
			RETURNING id INTO noop;
			INSERT INTO tx_events (intent_id, event, to_status, detail) VALUES (noop, 'enqueued', 'reserved', 'fills a nonce gap');
			made := made + 1;
		END LOOP;
	END LOOP;
	RETURN made;
END
$$;

-- The nonces the node has used or holds for each sender (below its pending
-- count) that no attempt of ours accounts for, from the lowest nonce this
-- database may still sign at: its next nonce, or the nonce of a reserved
-- intent that was never signed here and is not held (a held one is
-- accounted for already).  Normally there are none; after a promotion
-- or a restore they are what an earlier primary signed and this database
-- never saw, and elsewhere what another wallet sent from the same address.
-- Senders seen for the first time (no nonces row) have none.  At most the
-- first 256 of each sender are returned (a long history of another wallet
-- costs no more, and one sender never crowds out another); truncated says
-- that the sender has more, which txq_step_adopt treats as nonces it cannot
-- see.
CREATE FUNCTION @extschema@.txq_step_unknown_nonces(chain_id bigint, senders @extschema@.address[],
													pending_counts bigint[])
RETURNS TABLE (sender @extschema@.address, nonce bigint, truncated boolean)
LANGUAGE sql STABLE
SET search_path = pg_catalog, @extschema@, pg_temp
BEGIN ATOMIC
	SELECT n.address, g.g, greatest(u.pending - f.low, 0) - k.ours > 256
	  FROM unnest(senders, pending_counts) AS u(sender, pending)
	  JOIN nonces AS n ON n.chain_id = txq_step_unknown_nonces.chain_id AND n.address = u.sender
	 CROSS JOIN LATERAL (
		SELECT least(n.next_nonce,
					 (SELECT min(i.nonce) FROM tx_intents AS i
					   WHERE i.chain_id = n.chain_id AND i.sender = n.address AND i.status = 'reserved'
						 AND NOT i.held
						 AND NOT EXISTS (SELECT 1 FROM tx_attempts AS a WHERE a.intent_id = i.id))) AS low) AS f
	 -- The nonces of the range our attempts cover: the first 256 unknown
	 -- ones lie within low .. low + 255 + ours.
	 CROSS JOIN LATERAL (
		SELECT count(DISTINCT a.nonce) AS ours FROM tx_attempts AS a
		 WHERE a.chain_id = n.chain_id AND a.sender = n.address AND a.nonce >= f.low AND a.nonce < u.pending) AS k
	 CROSS JOIN LATERAL (
		SELECT s.g FROM generate_series(f.low, least(u.pending - 1, f.low + 255 + k.ours)) AS s(g)
		 WHERE NOT EXISTS (SELECT 1 FROM tx_attempts AS a
							WHERE a.chain_id = n.chain_id AND a.sender = n.address AND a.nonce = s.g)
		 ORDER BY s.g
		 LIMIT 256) AS g
	 ORDER BY 1, 2;
END;

-- The transaction of sender at nonce in a node's txpool_content answer
-- ({"pending": {address: {nonce: tx}}, "queued": ...}; addresses in any
-- case), or NULL.
CREATE FUNCTION @extschema@.txq_pool_tx(pool jsonb, sender @extschema@.address, nonce bigint)
RETURNS jsonb
LANGUAGE sql IMMUTABLE
SET search_path = pg_catalog, @extschema@, pg_temp
BEGIN ATOMIC
	SELECT t.value
	  FROM jsonb_each(CASE WHEN jsonb_typeof(txq_pool_tx.pool) = 'object' THEN txq_pool_tx.pool ELSE '{}' END)
		   AS q(part, txs)
	 CROSS JOIN LATERAL jsonb_each(CASE WHEN jsonb_typeof(q.txs) = 'object' THEN q.txs ELSE '{}' END) AS s(addr, bynonce)
	 CROSS JOIN LATERAL jsonb_each(CASE WHEN jsonb_typeof(s.bynonce) = 'object' THEN s.bynonce ELSE '{}' END) AS t(nonce, value)
	 WHERE q.part IN ('pending', 'queued') AND lower(s.addr) = lower(txq_pool_tx.sender::text)
	   AND t.nonce = txq_pool_tx.nonce::text AND jsonb_typeof(t.value) = 'object'
	 ORDER BY q.part
	 LIMIT 1;
END;

-- Account for the unknown nonces (txq_step_unknown_nonces) before anything
-- is signed, so that no payload is ever signed at a nonce the node already
-- has a transaction at, and no intent is carried out twice.  First every
-- unknown nonce is looked at:
--   * a transaction at nonce n in the node's pool (pool: its
--     txpool_content, NULL when it has none) whose raw bytes the node gave
--     (hashes[k], raws[k]: eth_getRawTransactionByHash, checked against the
--     hash) and that matches an intent of ours not yet signed here (the one
--     reserved at n, else the oldest pending one with the same target, value
--     and data; held or not: adopting a held intent is always safe, and ends
--     its hold) is adopted: it becomes that intent's attempt, sent, and the
--     intent follows its receipt like any other;
--   * one that matches none is another wallet's: nothing of ours is held
--     for it, except an intent reserved at n (its nonce is taken);
--   * a nonce the node does not show (mined already, or no txpool_content,
--     or no raw bytes), or shows as a transaction that cannot be read (a
--     type this database does not know, no gas or fees), cannot be told
--     apart: it is unseen.
-- Then, for each sender with unseen nonces, or with more unknown nonces
-- than were looked at (truncated), every intent of the sender not signed
-- here that may be one they carry (pending ones, and those reserved below
-- the node's pending count; one reserved at or above it was signed nowhere
-- else, as it could only be signed at its own nonce) is held, with an alert
-- that lists every unseen nonce, until an admin says with txq_resolve_held
-- whether it was carried out.
-- Returns what was done: (intent, nonce, 'adopted' | 'held'); a held
-- intent's nonce is the sender's lowest unseen one.
CREATE FUNCTION @extschema@.txq_step_adopt(chain_id bigint, senders @extschema@.address[],
										   pending_counts bigint[], pool jsonb, hashes text[], raws text[])
RETURNS TABLE (intent_id bigint, nonce bigint, outcome text)
LANGUAGE plpgsql
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
DECLARE
	u record;
	s record;
	tx jsonb;
	raw bytea;
	h bytes32;
	v_to address;
	v_value uint256;
	v_data bytea;
	v_type integer;
	v_gas bigint;
	v_gp uint256;
	v_mf uint256;
	v_tip uint256;
	unreadable text;
	hit bigint;
	att bigint;
	why text;
	-- The unseen nonces, with why each one is.
	un_sender address[] := '{}';
	un_nonce bigint[] := '{}';
	un_why text[] := '{}';
	-- The senders whose unknown nonces were truncated, and the last one looked at.
	tr_sender address[] := '{}';
	tr_last bigint[] := '{}';
BEGIN
	FOR u IN
		SELECT x.sender, x.nonce, x.truncated
		  FROM txq_step_unknown_nonces(txq_step_adopt.chain_id, senders, pending_counts) AS x
		 ORDER BY 1, 2
	LOOP
		IF u.truncated THEN
			IF tr_sender[cardinality(tr_sender)] IS DISTINCT FROM u.sender THEN
				tr_sender := tr_sender || u.sender;
				tr_last := tr_last || u.nonce;
			ELSE
				tr_last[cardinality(tr_last)] := u.nonce;
			END IF;
		END IF;
		tx := txq_pool_tx(pool, u.sender, u.nonce);
		raw := NULL;
		unreadable := NULL;
		IF tx IS NOT NULL THEN
			SELECT decode(substr(r.raw, 3), 'hex') INTO raw
			  FROM unnest(hashes, raws) AS r(hash, raw)
			 WHERE lower(r.hash) = lower(tx->>'hash') AND r.raw ~ '^0x([0-9a-fA-F]{2})+$'
			   AND r.hash ~ '^0x[0-9a-fA-F]{64}$'
			 LIMIT 1;
			IF raw IS NOT NULL THEN
				h := (tx->>'hash')::bytes32;
				IF keccak256(raw) <> h THEN
					raw := NULL;	-- not the bytes of that hash: do not trust them
				END IF;
			END IF;
		END IF;

		IF raw IS NOT NULL THEN
			-- What the node says the transaction is; what cannot be read makes
			-- the nonce unseen, never a failed step.
			BEGIN
				v_to := nullif(tx->>'to', '')::address;
				v_value := coalesce(tx->>'value', '0x0')::uint256;
				v_data := decode(substr(coalesce(tx->>'input', tx->>'data', '0x'), 3), 'hex');
				v_type := coalesce((tx->>'type')::uint256::text::integer, 0);
				v_gas := (tx->>'gas')::uint256::text::bigint;
				v_gp := CASE WHEN v_type IN (0, 1) THEN (tx->>'gasPrice')::uint256 END;
				v_mf := CASE WHEN v_type IN (2, 3, 4) THEN (tx->>'maxFeePerGas')::uint256 END;
				v_tip := CASE WHEN v_type IN (2, 3, 4) THEN (tx->>'maxPriorityFeePerGas')::uint256 END;
				IF v_type NOT IN (0, 1, 2, 3, 4) THEN
					unreadable := format('the node shows a transaction of type %s, which this database does not read', v_type);
				ELSIF v_gas IS NULL OR (v_type IN (0, 1) AND v_gp IS NULL)
					  OR (v_type >= 2 AND (v_mf IS NULL OR v_tip IS NULL)) THEN
					unreadable := 'the node shows a transaction without its gas or fees';
				END IF;
			EXCEPTION WHEN data_exception THEN
				unreadable := 'the node shows a transaction this database cannot read';
			END;
			IF unreadable IS NOT NULL THEN
				un_sender := un_sender || u.sender; un_nonce := un_nonce || u.nonce; un_why := un_why || unreadable;
				CONTINUE;
			END IF;
			-- The intent reserved at n when there is one, else a pending one.
			SELECT i.id INTO hit
			  FROM tx_intents AS i
			 WHERE i.chain_id = txq_step_adopt.chain_id AND i.sender = u.sender
			   AND ((i.status = 'reserved' AND i.nonce = u.nonce)
					OR (i.status = 'pending'
						AND NOT EXISTS (SELECT 1 FROM tx_intents AS r
										 WHERE r.chain_id = i.chain_id AND r.sender = i.sender
										   AND r.status = 'reserved' AND r.nonce = u.nonce)))
			   AND NOT EXISTS (SELECT 1 FROM tx_attempts AS a WHERE a.intent_id = i.id)
			   AND i.target IS NOT DISTINCT FROM v_to AND i.value = v_value AND i.data = v_data
			 ORDER BY (i.status = 'reserved') DESC, i.id
			 LIMIT 1
			   FOR UPDATE;
			IF hit IS NOT NULL THEN
				INSERT INTO tx_attempts (intent_id, chain_id, sender, nonce, tx_type, gas_limit, gas_price,
										 max_fee_per_gas, max_priority_fee_per_gas, raw, hash, status,
										 broadcasts, sent_at)
				VALUES (hit, txq_step_adopt.chain_id, u.sender, u.nonce, v_type, v_gas, v_gp, v_mf, v_tip,
						raw, h, 'sent', 0, now())
				RETURNING id INTO att;
				UPDATE tx_intents AS i
				   SET status = 'sent', nonce = u.nonce, error = NULL, held = false, alert = NULL, updated_at = now()
				 WHERE i.id = hit;
				INSERT INTO tx_events (intent_id, attempt_id, event, detail)
				VALUES (hit, att, 'adopted',
						format('transaction %s at nonce %s is in the node''s pool but was never signed by this '
							   'database (an earlier primary, or a state before a restore): it matches this '
							   'intent and is followed as its attempt; nothing is signed again',
							   lower(h::text), u.nonce));
				intent_id := hit; nonce := u.nonce; outcome := 'adopted';
				RETURN NEXT;
				CONTINUE;
			END IF;
			-- Another wallet's transaction: only an intent reserved at n loses its nonce.
			why := format('held: nonce %s of %s is taken on chain by transaction %s, which this database '
						  'did not sign and which is not this intent; resolve with txq_resolve_held',
						  u.nonce, lower(u.sender::text), lower(h::text));
			FOR hit IN
				UPDATE tx_intents AS i SET held = true, alert = why, updated_at = now()
				 WHERE i.chain_id = txq_step_adopt.chain_id AND i.sender = u.sender AND NOT i.held
				   AND i.status = 'reserved' AND i.nonce = u.nonce
				RETURNING i.id
			LOOP
				INSERT INTO tx_events (intent_id, event, detail) VALUES (hit, 'held', why);
				intent_id := hit; nonce := u.nonce; outcome := 'held';
				RETURN NEXT;
			END LOOP;
			CONTINUE;
		END IF;

		-- The node does not show what it has at n.
		un_sender := un_sender || u.sender; un_nonce := un_nonce || u.nonce;
		un_why := un_why || CASE WHEN tx IS NOT NULL THEN 'the node gave no raw bytes for it'
								 WHEN pool IS NULL THEN 'the node has no txpool_content'
								 ELSE 'mined already, or dropped from its pool' END;
	END LOOP;

	-- Second pass: hold what an unseen nonce may carry, sender by sender.
	FOR s IN
		WITH un AS (
			SELECT x.sender, x.nonce, x.why FROM unnest(un_sender, un_nonce, un_why) AS x(sender, nonce, why)
			UNION ALL
			-- A truncated sender: the nonces not looked at, up to the node's count.
			SELECT t.sender, g.g, format('more than 256 unknown nonces, not looked at')
			  FROM unnest(tr_sender, tr_last) AS t(sender, last)
			  JOIN unnest(senders, pending_counts) AS p(sender, pending) ON p.sender = t.sender
			 CROSS JOIN LATERAL (VALUES (t.last + 1), (p.pending - 1)) AS g(g)
		),
		-- Runs of consecutive nonces with the same reason (a truncated
		-- range comes as its two ends).
		runs AS (
			SELECT un.sender, un.why, min(un.nonce) AS lo, max(un.nonce) AS hi, count(*) AS n
			  FROM (SELECT un.*, un.nonce - row_number() OVER (PARTITION BY un.sender, un.why ORDER BY un.nonce) AS grp
					  FROM un WHERE un.why NOT LIKE 'more than%') AS un
			 GROUP BY un.sender, un.why, un.grp
			UNION ALL
			SELECT un.sender, un.why, min(un.nonce), max(un.nonce), 2
			  FROM un WHERE un.why LIKE 'more than%'
			 GROUP BY un.sender, un.why
		),
		texts AS (
			SELECT r.sender, r.why, min(r.lo) AS lo, sum(r.n) AS n,
				   string_agg(CASE WHEN r.lo = r.hi THEN r.lo::text ELSE r.lo || '-' || r.hi END, ', ' ORDER BY r.lo) AS list
			  FROM runs AS r
			 GROUP BY r.sender, r.why
		)
		SELECT t.sender, min(t.lo) AS first, (SELECT p.pending FROM unnest(senders, pending_counts) AS p(sender, pending)
											   WHERE p.sender = t.sender LIMIT 1) AS node_count,
			   string_agg(t.list, ', ' ORDER BY t.lo) AS list,
			   sum(t.n) = 1 AS one,
			   CASE WHEN count(*) = 1 THEN min(t.why)
					ELSE string_agg(CASE WHEN t.n > 1 THEN 'nonces ' ELSE 'nonce ' END
									|| t.list || ': ' || t.why, '; ' ORDER BY t.lo) END AS whys
		  FROM texts AS t
		 GROUP BY t.sender
		 ORDER BY t.sender
	LOOP
		why := format('held: the node has %s of %s at %s %s that this database did not sign and cannot see (%s); '
					  'this intent may be %s, so it is not signed until an admin resolves it with txq_resolve_held',
					  CASE WHEN s.one THEN 'a transaction' ELSE 'transactions' END, lower(s.sender::text),
					  CASE WHEN s.one THEN 'nonce' ELSE 'nonces' END, s.list, s.whys,
					  CASE WHEN s.one THEN 'the one it carries' ELSE 'one they carry' END);
		FOR hit IN
			UPDATE tx_intents AS i SET held = true, alert = why, updated_at = now()
			 WHERE i.chain_id = txq_step_adopt.chain_id AND i.sender = s.sender AND NOT i.held
			   AND (i.status = 'pending' OR (i.status = 'reserved' AND i.nonce < s.node_count))
			   AND NOT EXISTS (SELECT 1 FROM tx_attempts AS a WHERE a.intent_id = i.id)
			RETURNING i.id
		LOOP
			INSERT INTO tx_events (intent_id, event, detail) VALUES (hit, 'held', why);
			intent_id := hit; nonce := s.first; outcome := 'held';
			RETURN NEXT;
		END LOOP;
	END LOOP;
END
$$;

-- Expire pending intents past valid_until, and hand the nonce of a reserved
-- intent that was cancelled or expired to a no-op, so no gap is left.
-- Returns the intents made final.
CREATE FUNCTION @extschema@.txq_step_expire(chain_id bigint)
RETURNS integer
LANGUAGE plpgsql
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
DECLARE
	r record;
	n integer;
	noop bigint;
BEGIN
	UPDATE tx_intents AS i SET status = 'expired', error = 'valid_until passed before it was sent',
		   updated_at = now()
	 WHERE i.chain_id = txq_step_expire.chain_id AND i.status = 'pending' AND NOT i.held
	   AND i.valid_until <= now();
	GET DIAGNOSTICS n = ROW_COUNT;
	FOR r IN
		SELECT i.id, i.sender, i.nonce, i.cancel_requested
		  FROM tx_intents AS i
		 WHERE i.chain_id = txq_step_expire.chain_id AND i.status = 'reserved' AND NOT i.held
		   AND (i.cancel_requested OR i.valid_until <= now())
		 ORDER BY i.id
		   FOR UPDATE SKIP LOCKED
	LOOP
		UPDATE tx_intents AS i
		   SET status = CASE WHEN r.cancel_requested THEN 'cancelled' ELSE 'expired' END,
			   error = CASE WHEN r.cancel_requested THEN 'cancelled before it was signed'
							ELSE 'valid_until passed before it was sent' END
							|| '; a no-op takes its nonce ' || r.nonce,
			   updated_at = now()
		 WHERE i.id = r.id;
		INSERT INTO tx_intents (chain_id, sender, target, value, data, kind, gas_limit, simulate,
								status, nonce, error)
		VALUES (txq_step_expire.chain_id, r.sender, r.sender, '0', '', 'noop', 21000, false,
				'reserved', r.nonce, 'takes the nonce of intent ' || r.id)
		RETURNING id INTO noop;
		INSERT INTO tx_events (intent_id, event, to_status, detail)
		VALUES (noop, 'enqueued', 'reserved', 'takes the nonce of intent ' || r.id);
		n := n + 1;
	END LOOP;
	RETURN n;
END
$$;

-- Claim pending intents to simulate, locking them (SKIP LOCKED: a
-- concurrent claimer takes others).  Paused intents and signers, the kill
-- switch, signers in backoff, expired intents, and intents waiting for their
-- sender's earlier intents to be mined are left alone.  Backpressure: a
-- sender gets at most max_in_flight intents reserved, signed or sent (not
-- yet mined) at a time, counting those it holds already (NULL: no bound);
-- the rest wait pending.
CREATE FUNCTION @extschema@.txq_step_claim(chain_id bigint, max_intents integer,
										   max_in_flight integer DEFAULT NULL)
RETURNS TABLE (id bigint, sender @extschema@.address, target @extschema@.address,
			   value @extschema@.uint256, data bytea, gas_limit bigint, simulate boolean)
LANGUAGE sql
SET search_path = pg_catalog, @extschema@, pg_temp
BEGIN ATOMIC
	SELECT i.id, i.sender, i.target, i.value, i.data, i.gas_limit, i.simulate
	  FROM tx_intents AS i
	 WHERE i.status = 'pending'
	   AND i.id IN (
		SELECT p.id
		  FROM signers AS s
		  JOIN nonces AS n ON n.chain_id = s.chain_id AND n.address = s.address
		  -- Room under the bound: in-flight intents are counted up to the
		  -- bound only (LIMIT), so a long backlog costs no more than that.
		  CROSS JOIN LATERAL (
			SELECT CASE WHEN txq_step_claim.max_in_flight IS NOT NULL
						THEN greatest(0, txq_step_claim.max_in_flight - count(*)) END AS room
			  FROM (SELECT 1 FROM tx_intents AS e
					 WHERE txq_step_claim.max_in_flight IS NOT NULL
					   AND e.chain_id = s.chain_id AND e.sender = s.address
					   AND e.status IN ('reserved', 'signed', 'sent')
					 LIMIT txq_step_claim.max_in_flight) AS f) AS r
		  CROSS JOIN LATERAL (
			SELECT e.id
			  FROM tx_intents AS e
			 WHERE e.chain_id = s.chain_id AND e.sender = s.address AND e.status = 'pending'
			   AND NOT e.paused AND NOT e.held
			   AND (e.valid_until IS NULL OR e.valid_until > now())
			   AND NOT (e.wait_for_mined AND EXISTS
						(SELECT 1 FROM tx_intents AS w
						  WHERE w.chain_id = e.chain_id AND w.sender = e.sender
							AND w.status IN ('reserved', 'signed', 'sent')))
			 ORDER BY e.priority DESC, e.id
			 LIMIT r.room) AS p
		 WHERE s.chain_id = txq_step_claim.chain_id AND NOT s.paused
		   AND (n.sign_retry_at IS NULL OR n.sign_retry_at <= now())
		   AND NOT (SELECT c.paused FROM txq_control AS c))
	 ORDER BY i.priority DESC, i.id
	 LIMIT max_intents
	   FOR UPDATE OF i SKIP LOCKED;
END;

-- Reserve nonces for claimed intents, in the order given (the claim's).
-- reasons[k] is NULL when intent k simulated cleanly (gas[k]: its gas
-- limit), else why it reverts: it is then rejected, or, when another
-- intent of its sender is still unmined, left pending until that is mined
-- (wait_for_mined: the claim skips it meanwhile).  A reason starting with
-- "retry: " is no revert (the node failed to simulate): the intent stays
-- pending with an alert.
CREATE FUNCTION @extschema@.txq_step_reserve(chain_id bigint, ids bigint[], gas bigint[], reasons text[])
RETURNS TABLE (id bigint, status text, nonce bigint)
LANGUAGE plpgsql
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
DECLARE
	r record;
	v_ids bigint[];
	v_senders text[];
	v_gas bigint[];
	v_nonces bigint[] := '{}';
	s text;
	first bigint;
	k integer;
	j integer;
BEGIN
	-- The clean ones, locked, in the order given.
	SELECT array_agg(l.id ORDER BY l.ord), array_agg(l.sender::text ORDER BY l.ord),
		   array_agg(l.gas ORDER BY l.ord)
	  INTO v_ids, v_senders, v_gas
	  FROM (SELECT i.id, i.sender, u.gas, u.ord
			  FROM unnest(ids, gas, reasons) WITH ORDINALITY AS u(id, gas, reason, ord)
			  JOIN tx_intents AS i ON i.id = u.id
			 WHERE u.reason IS NULL AND i.chain_id = txq_step_reserve.chain_id AND i.status = 'pending'
			   FOR UPDATE OF i) AS l;
	IF v_ids IS NOT NULL THEN
		-- Each sender's next nonces, taken in one update per sender.
		FOR s IN SELECT DISTINCT x FROM unnest(v_senders) AS x ORDER BY x LOOP
			UPDATE nonces AS x SET next_nonce = x.next_nonce + (SELECT count(*) FROM unnest(v_senders) AS y WHERE y = s),
				   updated_at = now()
			 WHERE x.chain_id = txq_step_reserve.chain_id AND x.address = s::address
			RETURNING x.next_nonce - (SELECT count(*) FROM unnest(v_senders) AS y WHERE y = s) INTO first;
			IF first IS NULL THEN
				RAISE EXCEPTION 'no nonce row for % on chain %', s, txq_step_reserve.chain_id
					USING ERRCODE = 'object_not_in_prerequisite_state';
			END IF;
			j := 0;
			FOR k IN 1 .. cardinality(v_ids) LOOP
				IF v_senders[k] = s THEN
					v_nonces[k] := first + j;
					j := j + 1;
				END IF;
			END LOOP;
		END LOOP;
		UPDATE tx_intents AS i
		   SET status = 'reserved', nonce = u.nonce, gas_estimate = u.gas,
			   wait_for_mined = false, error = NULL, updated_at = now(),
			   alert = CASE WHEN i.alert LIKE 'simulation could not run: %' THEN NULL ELSE i.alert END
		  FROM unnest(v_ids, v_nonces, v_gas) AS u(id, nonce, gas)
		 WHERE i.id = u.id;
		RETURN QUERY SELECT u.id, 'reserved'::text, u.nonce FROM unnest(v_ids, v_nonces) AS u(id, nonce);
	END IF;

	-- The ones whose simulation reverted: rejected, or left pending while an
	-- intent of the same sender (one reserved just above included) is unmined.
	FOR r IN
		SELECT i.id, i.chain_id, i.sender, u.reason
		  FROM unnest(ids, reasons) WITH ORDINALITY AS u(id, reason, ord)
		  JOIN tx_intents AS i ON i.id = u.id
		 WHERE u.reason IS NOT NULL AND i.status = 'pending'
		 ORDER BY u.ord
		   FOR UPDATE OF i
	LOOP
		IF r.reason LIKE 'retry: %' THEN
			-- The node could not simulate it (no verdict): try again later.
			UPDATE tx_intents AS i SET alert = 'simulation could not run: ' || substr(r.reason, 8),
				   updated_at = now()
			 WHERE i.id = r.id AND i.alert IS DISTINCT FROM 'simulation could not run: ' || substr(r.reason, 8);
			id := r.id; status := 'pending'; nonce := NULL;
		ELSIF EXISTS (SELECT 1 FROM tx_intents AS e
					WHERE e.chain_id = r.chain_id AND e.sender = r.sender AND e.id <> r.id
					  AND e.status IN ('reserved', 'signed', 'sent')) THEN
			UPDATE tx_intents AS i SET wait_for_mined = true,
				   error = 'simulation reverts until the sender''s earlier intents are mined: ' || r.reason,
				   updated_at = now()
			 WHERE i.id = r.id;
			id := r.id; status := 'pending'; nonce := NULL;
		ELSE
			UPDATE tx_intents AS i SET status = 'rejected', error = 'simulation reverted: ' || r.reason,
				   updated_at = now()
			 WHERE i.id = r.id;
			id := r.id; status := 'rejected'; nonce := NULL;
		END IF;
		RETURN NEXT;
	END LOOP;
END
$$;

-- What to sign now: reserved intents (first signing) and sent intents whose
-- newest attempt has waited longer than the signer's replace_after (a
-- replacement at a higher fee), locked, in nonce order per sender.  Fee
-- escalation is bounded: the k-th replacement waits replace_after × 2^(k-1)
-- after the attempt before it, and an intent gets at most max_replacements
-- (NULL: no bound).  Signers in backoff are skipped.
CREATE FUNCTION @extschema@.txq_step_to_sign(chain_id bigint, max_intents integer,
											 max_replacements integer DEFAULT NULL)
RETURNS TABLE (intent_id bigint, sender @extschema@.address, target @extschema@.address,
			   value @extschema@.uint256, data bytea, nonce bigint, gas_limit bigint,
			   cap_max_fee @extschema@.uint256, cap_priority_fee @extschema@.uint256,
			   tx_type integer, replaces bigint, old_gas_price @extschema@.uint256,
			   old_max_fee @extschema@.uint256, old_priority_fee @extschema@.uint256)
LANGUAGE plpgsql
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
BEGIN
	IF (SELECT c.paused FROM txq_control AS c) THEN
		RETURN;
	END IF;
	-- Stuck ones first: a replacement unblocks every later nonce.
	RETURN QUERY
	SELECT i.id, i.sender, i.target, i.value, i.data, i.nonce,
		   coalesce(i.gas_limit, i.gas_estimate, 21000),
		   coalesce(i.max_fee_per_gas, s.max_fee_per_gas), i.max_priority_fee_per_gas,
		   s.tx_type::integer, a.id, a.gas_price, a.max_fee_per_gas, a.max_priority_fee_per_gas
	  FROM tx_intents AS i
	  JOIN signers AS s ON s.chain_id = i.chain_id AND s.address = i.sender
	  JOIN nonces AS n ON n.chain_id = i.chain_id AND n.address = i.sender
	  CROSS JOIN LATERAL (SELECT * FROM tx_attempts AS t WHERE t.intent_id = i.id
						   ORDER BY t.id DESC LIMIT 1) AS a
	  CROSS JOIN LATERAL (SELECT count(*) - 1 AS made FROM tx_attempts AS t WHERE t.intent_id = i.id) AS r
	 WHERE i.chain_id = txq_step_to_sign.chain_id AND i.status = 'sent'
	   AND NOT i.paused AND NOT s.paused
	   AND (n.sign_retry_at IS NULL OR n.sign_retry_at <= now())
	   AND r.made < coalesce(txq_step_to_sign.max_replacements, r.made + 1)
	   AND a.status = 'sent' AND a.sent_at < now() - s.replace_after * 2 ^ least(r.made, 20)
	 ORDER BY i.sender, i.nonce
	 LIMIT max_intents
	   FOR UPDATE OF i SKIP LOCKED;
	RETURN QUERY
	SELECT i.id, i.sender, i.target, i.value, i.data, i.nonce,
		   coalesce(i.gas_limit, i.gas_estimate, 21000),
		   coalesce(i.max_fee_per_gas, s.max_fee_per_gas), i.max_priority_fee_per_gas,
		   s.tx_type::integer, NULL::bigint, NULL::uint256, NULL::uint256, NULL::uint256
	  FROM tx_intents AS i
	  JOIN signers AS s ON s.chain_id = i.chain_id AND s.address = i.sender
	  LEFT JOIN nonces AS n ON n.chain_id = i.chain_id AND n.address = i.sender
	 WHERE i.chain_id = txq_step_to_sign.chain_id AND i.status = 'reserved'
	   AND NOT i.paused AND NOT i.held AND NOT s.paused
	   AND (n.sign_retry_at IS NULL OR n.sign_retry_at <= now())
	   AND NOT i.cancel_requested AND (i.valid_until IS NULL OR i.valid_until > now())
	 ORDER BY i.sender, i.nonce
	 LIMIT max_intents
	   FOR UPDATE OF i SKIP LOCKED;
END
$$;

-- Persist signed transactions (raw bytes and hash) before any is broadcast.
CREATE FUNCTION @extschema@.txq_step_record_signed(ids bigint[], tx_types integer[], gas bigint[],
	gas_prices @extschema@.uint256[], max_fees @extschema@.uint256[], priority_fees @extschema@.uint256[],
	raws bytea[], hashes @extschema@.bytes32[])
RETURNS integer
LANGUAGE plpgsql
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
DECLARE
	n integer;
BEGIN
	INSERT INTO tx_attempts (intent_id, chain_id, sender, nonce, tx_type, gas_limit, gas_price,
							 max_fee_per_gas, max_priority_fee_per_gas, raw, hash)
	SELECT i.id, i.chain_id, i.sender, i.nonce, u.tx_type, u.gas, u.gas_price, u.max_fee,
		   u.priority_fee, u.raw, u.hash
	  FROM unnest(ids, tx_types, gas, gas_prices, max_fees, priority_fees, raws, hashes)
		   AS u(id, tx_type, gas, gas_price, max_fee, priority_fee, raw, hash)
	  JOIN tx_intents AS i ON i.id = u.id
	 WHERE i.status IN ('reserved', 'sent');
	GET DIAGNOSTICS n = ROW_COUNT;
	UPDATE tx_intents AS i SET status = 'signed', updated_at = now()
	 WHERE i.id = ANY (ids) AND i.status = 'reserved';
	RETURN n;
END
$$;

-- Raise (or clear, with NULL) an alert on intents, e.g. a fee cap that
-- stops a replacement.
CREATE FUNCTION @extschema@.txq_step_alert(ids bigint[], alerts text[])
RETURNS void
LANGUAGE sql
SET search_path = pg_catalog, @extschema@, pg_temp
BEGIN ATOMIC
	UPDATE tx_intents AS i SET alert = u.alert, updated_at = now()
	  FROM unnest(ids, alerts) AS u(id, alert)
	 WHERE i.id = u.id AND i.alert IS DISTINCT FROM u.alert;
END;

-- Record how each signer asked in a sign step fared (errors[k] NULL: it
-- signed).  A failure skips the signer for 1 s, doubling with each failure in
-- a row up to max_backoff, counted from the moment it is recorded (the
-- claim and sign steps leave it alone until sign_retry_at); a success
-- resets it.  Returns the signers whose backoff changed, as they are now
-- (backoff: the wait that starts now).
CREATE FUNCTION @extschema@.txq_step_record_signers(chain_id bigint, senders @extschema@.address[],
													errors text[], max_backoff interval)
RETURNS TABLE (sender @extschema@.address, failures integer, retry_at timestamptz, backoff interval)
LANGUAGE sql
SET search_path = pg_catalog, @extschema@, pg_temp
BEGIN ATOMIC
	UPDATE nonces AS n
	   SET sign_failures = CASE WHEN u.error IS NULL THEN 0 ELSE n.sign_failures + 1 END,
		   sign_retry_at = CASE WHEN u.error IS NULL THEN NULL
							    ELSE clock_timestamp()
									 + least(max_backoff, interval '1 second' * 2 ^ least(n.sign_failures, 30)) END,
		   updated_at = now()
	  FROM unnest(senders, errors) AS u(sender, error)
	 WHERE n.chain_id = txq_step_record_signers.chain_id AND n.address = u.sender
	   AND (u.error IS NOT NULL OR n.sign_failures <> 0 OR n.sign_retry_at IS NOT NULL)
	RETURNING n.address, n.sign_failures, n.sign_retry_at,
			  CASE WHEN n.sign_failures > 0
				   THEN least(max_backoff, interval '1 second' * 2 ^ least(n.sign_failures - 1, 30)) END;
END;

-- Alerts of a queue that backs up, raised and cleared each cycle:
--   * a sender holds max_in_flight intents the node has not mined (reserved,
--     signed, sent), the oldest of them has waited longer than the signer's
--     replace_after, and intents wait behind them: the first waiting intent
--     gets "queue backed up: signer ..." (cleared when that is over);
--   * an intent has had max_replacements replacements and would be due for
--     another: "stuck at nonce N: ... replacements made".
-- NULL limits raise nothing.  Returns the alerts raised or cleared.
CREATE FUNCTION @extschema@.txq_step_backlog(chain_id bigint, max_in_flight integer,
											 max_replacements integer)
RETURNS integer
LANGUAGE plpgsql
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
DECLARE
	g record;
	r record;
	txt text;
	backed boolean;
	k integer;
	changed integer := 0;
BEGIN
	FOR g IN
		SELECT s.address, s.replace_after, f.in_flight, o.id AS oldest_id, o.nonce AS oldest_nonce,
			   o.since, w.id AS waiting_id
		  FROM signers AS s
		  CROSS JOIN LATERAL (
			SELECT count(*) AS in_flight FROM tx_intents AS e
			 WHERE e.chain_id = s.chain_id AND e.sender = s.address
			   AND e.status IN ('reserved', 'signed', 'sent')) AS f
		  LEFT JOIN LATERAL (
			SELECT e.id, e.nonce,
				   coalesce((SELECT min(a.created_at) FROM tx_attempts AS a WHERE a.intent_id = e.id),
							e.updated_at) AS since
			  FROM tx_intents AS e
			 WHERE e.chain_id = s.chain_id AND e.sender = s.address
			   AND e.status IN ('reserved', 'signed', 'sent')
			 ORDER BY e.nonce LIMIT 1) AS o ON true
		  LEFT JOIN LATERAL (
			SELECT e.id FROM tx_intents AS e
			 WHERE e.chain_id = s.chain_id AND e.sender = s.address AND e.status = 'pending'
			   AND NOT e.paused
			 ORDER BY e.priority DESC, e.id LIMIT 1) AS w ON true
		 WHERE s.chain_id = txq_step_backlog.chain_id
	LOOP
		backed := max_in_flight IS NOT NULL AND g.in_flight >= max_in_flight
				  AND g.waiting_id IS NOT NULL AND g.since < now() - g.replace_after;
		IF backed THEN
			txt := format('queue backed up: signer %s holds %s transactions the node has not mined '
						  '(amplified.txq_max_in_flight), the oldest at nonce %s for over %s; later intents wait',
						  lower(g.address::text), max_in_flight, g.oldest_nonce, g.replace_after);
			UPDATE tx_intents AS i SET alert = txt, updated_at = now()
			 WHERE i.id = g.waiting_id AND i.alert IS DISTINCT FROM txt;
			GET DIAGNOSTICS k = ROW_COUNT;
			changed := changed + k;
		END IF;
		UPDATE tx_intents AS i SET alert = NULL, updated_at = now()
		 WHERE i.chain_id = txq_step_backlog.chain_id AND i.sender = g.address
		   AND i.status IN ('pending', 'reserved', 'signed', 'sent', 'mined')
		   AND i.alert LIKE 'queue backed up:%'
		   AND (NOT backed OR i.id <> g.waiting_id);
		GET DIAGNOSTICS k = ROW_COUNT;
		changed := changed + k;
	END LOOP;

	IF max_replacements IS NULL THEN
		RETURN changed;
	END IF;
	FOR r IN
		SELECT i.id, i.nonce, count(*) - 1 AS made
		  FROM tx_intents AS i
		  JOIN signers AS s ON s.chain_id = i.chain_id AND s.address = i.sender
		  JOIN tx_attempts AS t ON t.intent_id = i.id
		 WHERE i.chain_id = txq_step_backlog.chain_id AND i.status = 'sent'
		 GROUP BY i.id, i.nonce, s.replace_after
		HAVING count(*) - 1 >= max_replacements
		   AND (array_agg(t.sent_at ORDER BY t.id DESC))[1] < now() - s.replace_after * 2 ^ least(count(*) - 1, 20)
	LOOP
		txt := format('stuck at nonce %s: %s replacements made, the most amplified.txq_max_replacements '
					  'allows; fees are not raised further', r.nonce, r.made);
		UPDATE tx_intents AS i SET alert = txt, updated_at = now()
		 WHERE i.id = r.id AND i.alert IS DISTINCT FROM txt;
		GET DIAGNOSTICS k = ROW_COUNT;
		changed := changed + k;
	END LOOP;
	RETURN changed;
END
$$;

-- Signed transactions to broadcast (first time, or again after a drop or a
-- reorg), in nonce order per sender.  One the node refused waits before it
-- is tried again: 0.5 s after the first refusal, doubling up to a minute.
CREATE FUNCTION @extschema@.txq_step_to_broadcast(chain_id bigint, max_attempts integer)
RETURNS TABLE (attempt_id bigint, intent_id bigint, raw bytea, hash @extschema@.bytes32)
LANGUAGE sql
SET search_path = pg_catalog, @extschema@, pg_temp
BEGIN ATOMIC
	SELECT a.id, a.intent_id, a.raw, a.hash
	  FROM tx_attempts AS a
	  JOIN tx_intents AS i ON i.id = a.intent_id
	  JOIN signers AS s ON s.chain_id = i.chain_id AND s.address = i.sender
	 WHERE a.chain_id = txq_step_to_broadcast.chain_id AND a.status = 'signed'
	   AND (a.failures = 0
			OR a.updated_at < now() - least(interval '60 seconds', interval '250 milliseconds' * 2 ^ least(a.failures, 10)))
	   AND NOT i.paused AND NOT s.paused AND NOT (SELECT c.paused FROM txq_control AS c)
	 ORDER BY a.sender, a.nonce, a.id
	 LIMIT max_attempts;
END;

-- Record broadcasts: errors[k] NULL means the node took attempt k (or
-- already had it); otherwise it stays signed and is tried again.
CREATE FUNCTION @extschema@.txq_step_record_sent(attempt_ids bigint[], errors text[])
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
BEGIN
	UPDATE tx_attempts AS a
	   SET status = CASE WHEN u.error IS NULL THEN 'sent' ELSE a.status END,
		   broadcasts = a.broadcasts + (u.error IS NULL)::integer,
		   failures = CASE WHEN u.error IS NULL THEN 0 ELSE a.failures + 1 END,
		   sent_at = CASE WHEN u.error IS NULL THEN now() ELSE a.sent_at END,
		   last_error = u.error, updated_at = now()
	  FROM unnest(attempt_ids, errors) AS u(id, error)
	 WHERE a.id = u.id AND a.status = 'signed';
	UPDATE tx_intents AS i SET status = 'sent',
		   alert = CASE WHEN i.alert LIKE 'broadcast failed: %' THEN NULL ELSE i.alert END,
		   updated_at = now()
	  FROM unnest(attempt_ids, errors) AS u(id, error)
	  JOIN tx_attempts AS a ON a.id = u.id
	 WHERE i.id = a.intent_id AND u.error IS NULL
	   AND (i.status IN ('signed', 'reserved') OR i.alert LIKE 'broadcast failed: %');
	UPDATE tx_intents AS i SET alert = 'broadcast failed: ' || u.error, updated_at = now()
	  FROM unnest(attempt_ids, errors) AS u(id, error)
	  JOIN tx_attempts AS a ON a.id = u.id
	 WHERE i.id = a.intent_id AND u.error IS NOT NULL
	   AND i.alert IS DISTINCT FROM 'broadcast failed: ' || u.error;
END
$$;

-- Attempts whose receipts to follow: sent and mined ones, and the replaced
-- ones of intents still waiting to be mined.
CREATE FUNCTION @extschema@.txq_step_to_follow(chain_id bigint)
RETURNS TABLE (attempt_id bigint, hash @extschema@.bytes32, sender @extschema@.address, nonce bigint,
			   status text, check_pool boolean)
LANGUAGE sql
SET search_path = pg_catalog, @extschema@, pg_temp
BEGIN ATOMIC
	SELECT a.id, a.hash, a.sender, a.nonce, a.status,
		   a.status = 'sent' AND a.sent_at < now() - interval '2 seconds'
	  FROM tx_attempts AS a
	 WHERE a.chain_id = txq_step_to_follow.chain_id AND a.status IN ('sent', 'mined')
	UNION ALL
	-- A replaced attempt can still be mined (a reorg, a slow pool): follow
	-- those of intents not yet mined.
	SELECT a.id, a.hash, a.sender, a.nonce, a.status, false
	  FROM tx_intents AS i
	  JOIN tx_attempts AS a ON a.intent_id = i.id
	 WHERE i.chain_id = txq_step_to_follow.chain_id AND i.status = 'sent' AND a.status = 'replaced'
	 ORDER BY 3, 4, 1;
END;

-- Record what the node says about followed attempts: a receipt (block
-- number and hash, gas used, effective gas price, status) or none; whether
-- a receipt-less one is still in the node's pool (NULL: not asked); the
-- sender's mined nonce count ("latest").  head is the node's block number.
CREATE FUNCTION @extschema@.txq_step_record_receipts(chain_id bigint, head bigint, attempt_ids bigint[],
	block_numbers bigint[], block_hashes @extschema@.bytes32[], gas_used bigint[],
	effective_gas_prices @extschema@.uint256[], receipt_statuses smallint[], in_pool boolean[],
	latest_nonces bigint[])
RETURNS integer
LANGUAGE plpgsql
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
DECLARE
	conf integer;
	u record;
	a tx_attempts;
	changed integer := 0;
BEGIN
	SELECT c.confirmations INTO conf FROM chains AS c WHERE c.chain_id = txq_step_record_receipts.chain_id;
	-- Receipts first, so an intent mined through one attempt is known
	-- before its other attempts are looked at.
	FOR u IN
		SELECT * FROM unnest(attempt_ids, block_numbers, block_hashes, gas_used, effective_gas_prices,
							 receipt_statuses, in_pool, latest_nonces)
			   AS t(id, block_number, block_hash, gas_used, price, rstatus, in_pool, latest)
		 ORDER BY (t.block_number IS NULL), t.id
	LOOP
		SELECT * INTO a FROM tx_attempts AS x WHERE x.id = u.id FOR UPDATE;
		IF NOT FOUND OR a.status NOT IN ('sent', 'mined', 'replaced')
		   OR (a.status = 'replaced' AND u.block_number IS NULL) THEN
			CONTINUE;
		END IF;
		IF u.block_number IS NOT NULL THEN
			IF a.status IN ('sent', 'replaced') OR a.block_hash IS DISTINCT FROM u.block_hash THEN
				UPDATE tx_attempts AS x SET status = 'mined', block_number = u.block_number,
					   block_hash = u.block_hash, gas_used = u.gas_used, effective_gas_price = u.price,
					   receipt_status = u.rstatus, mined_at = now(), updated_at = now()
				 WHERE x.id = a.id;
				INSERT INTO tx_events (intent_id, attempt_id, event, detail)
				VALUES (a.intent_id, a.id, 'mined', format('block %s, status %s, gas used %s',
														   u.block_number, u.rstatus, u.gas_used));
				UPDATE tx_attempts AS x SET status = 'replaced', updated_at = now()
				 WHERE x.intent_id = a.intent_id AND x.id <> a.id AND x.status IN ('signed', 'sent');
				UPDATE tx_intents AS i SET status = 'mined', tx_hash = a.hash, block_number = u.block_number,
					   updated_at = now()
				 WHERE i.id = a.intent_id AND i.status IN ('signed', 'sent', 'mined');
				changed := changed + 1;
			END IF;
			IF u.block_number IS NOT NULL AND head - u.block_number >= conf THEN
				UPDATE tx_attempts AS x SET status = CASE WHEN u.rstatus = 1 THEN 'confirmed' ELSE 'failed' END,
					   updated_at = now()
				 WHERE x.id = a.id;
				UPDATE tx_intents AS i
				   SET status = CASE WHEN u.rstatus = 1 THEN 'confirmed' ELSE 'failed' END,
					   error = CASE WHEN u.rstatus = 1 THEN NULL ELSE 'reverted on chain in block ' || u.block_number END,
					   alert = NULL, updated_at = now()
				 WHERE i.id = a.intent_id AND i.status = 'mined';
				changed := changed + 1;
			END IF;
		ELSIF a.status = 'mined' THEN
			-- Its block left the canonical chain: send the same bytes again.
			UPDATE tx_attempts AS x SET status = 'signed', block_number = NULL, block_hash = NULL,
				   gas_used = NULL, effective_gas_price = NULL, receipt_status = NULL, mined_at = NULL,
				   updated_at = now()
			 WHERE x.id = a.id;
			INSERT INTO tx_events (intent_id, attempt_id, event, detail)
			VALUES (a.intent_id, a.id, 'reorged',
					format('block %s is no longer canonical; the same signed bytes are sent again', a.block_number));
			UPDATE tx_intents AS i SET status = 'sent', tx_hash = NULL, block_number = NULL, updated_at = now()
			 WHERE i.id = a.intent_id AND i.status = 'mined';
			changed := changed + 1;
		ELSIF u.in_pool IS NOT DISTINCT FROM false THEN
			IF EXISTS (SELECT 1 FROM tx_intents AS i WHERE i.id = a.intent_id AND i.status <> 'sent') THEN
				CONTINUE;		-- another attempt of it was mined just above
			END IF;
			IF u.latest > a.nonce THEN
				-- The nonce is used and none of this intent's attempts holds a receipt.
				IF NOT EXISTS (SELECT 1 FROM tx_attempts AS x
								WHERE x.intent_id = a.intent_id AND x.status IN ('mined', 'confirmed')) THEN
					UPDATE tx_attempts AS x SET status = 'replaced', updated_at = now()
					 WHERE x.intent_id = a.intent_id AND x.status IN ('signed', 'sent');
					UPDATE tx_intents AS i SET status = 'failed',
						   error = format('nonce %s was used by a transaction this queue did not sign', a.nonce),
						   updated_at = now()
					 WHERE i.id = a.intent_id;
					changed := changed + 1;
				END IF;
			ELSIF EXISTS (SELECT 1 FROM tx_attempts AS x WHERE x.intent_id = a.intent_id AND x.id > a.id) THEN
				-- An older fee level the node let go for its replacement.
				UPDATE tx_attempts AS x SET status = 'replaced', updated_at = now() WHERE x.id = a.id;
			ELSE
				UPDATE tx_attempts AS x SET status = 'signed', updated_at = now() WHERE x.id = a.id;
				INSERT INTO tx_events (intent_id, attempt_id, event, detail)
				VALUES (a.intent_id, a.id, 'dropped',
						'the node no longer has it; the same signed bytes are sent again');
				changed := changed + 1;
			END IF;
		END IF;
	END LOOP;
	RETURN changed;
END
$$;

-- ---- privileges ----

REVOKE ALL ON TABLE @extschema@.signers, @extschema@.signer_policies, @extschema@.nonces, @extschema@.txq_control,
	@extschema@.tx_intents, @extschema@.tx_attempts, @extschema@.tx_events FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.tx_intents_audit() FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.txq_wake_workers() FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.add_signer(bigint, @extschema@.address, text, text, integer, @extschema@.uint256, interval) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.remove_signer(bigint, @extschema@.address) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.txq_set_signer_policy(bigint, @extschema@.address, @extschema@.address[], bytea[], @extschema@.uint256, integer, integer, boolean) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.txq_remove_signer_policy(bigint, @extschema@.address) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.txq_enqueue(bigint, @extschema@.address, @extschema@.address, @extschema@.uint256, bytea, jsonb) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.txq_cancel(bigint) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.txq_ask_guards(text, bigint, @extschema@.address, bigint, @extschema@.address, @extschema@.uint256, bytea) FROM PUBLIC;
REVOKE ALL ON TABLE @extschema@.txq_enqueue_guards FROM PUBLIC;
GRANT SELECT ON @extschema@.txq_enqueue_guards TO amplified_reader;
REVOKE ALL ON FUNCTION @extschema@.txq_pause(bigint, boolean) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.txq_resume(bigint) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.txq_pause_signer(bigint, @extschema@.address, boolean) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.txq_resume_signer(bigint, @extschema@.address) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.txq_pause_all(text) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.txq_resume_all() FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.txq_history(bigint) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.txq_step_reconcile(bigint, @extschema@.address[], bigint[], bigint[]) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.txq_step_expire(bigint) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.txq_step_unknown_nonces(bigint, @extschema@.address[], bigint[]) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.txq_step_adopt(bigint, @extschema@.address[], bigint[], jsonb, text[], text[]) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.txq_resolve_held(bigint, boolean) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.txq_step_claim(bigint, integer, integer) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.txq_step_reserve(bigint, bigint[], bigint[], text[]) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.txq_step_to_sign(bigint, integer, integer) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.txq_step_record_signed(bigint[], integer[], bigint[], @extschema@.uint256[], @extschema@.uint256[], @extschema@.uint256[], bytea[], @extschema@.bytes32[]) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.txq_step_alert(bigint[], text[]) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.txq_step_record_signers(bigint, @extschema@.address[], text[], interval) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.txq_step_backlog(bigint, integer, integer) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.txq_step_to_broadcast(bigint, integer) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.txq_step_record_sent(bigint[], text[]) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.txq_step_to_follow(bigint) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.txq_step_record_receipts(bigint, bigint, bigint[], bigint[], @extschema@.bytes32[], bigint[], @extschema@.uint256[], smallint[], boolean[], bigint[]) FROM PUBLIC;

GRANT SELECT, INSERT, UPDATE, DELETE ON @extschema@.signers TO amplified_admin;
GRANT SELECT ON @extschema@.nonces, @extschema@.txq_control, @extschema@.tx_intents,
	@extschema@.tx_events, @extschema@.v_tx_queue, @extschema@.v_signers, @extschema@.signer_policies
	TO amplified_reader;
-- Signed bytes are the admin's: readers see every column of an attempt but
-- raw (a signed transaction not yet broadcast is as good as sent by whoever
-- holds it).
GRANT SELECT (id, intent_id, chain_id, sender, nonce, tx_type, gas_limit, gas_price, max_fee_per_gas,
			  max_priority_fee_per_gas, hash, status, broadcasts, failures, last_error, block_number,
			  block_hash, gas_used, effective_gas_price, receipt_status, created_at, sent_at, mined_at,
			  updated_at)
	ON @extschema@.tx_attempts TO amplified_reader;
GRANT SELECT ON @extschema@.tx_attempts TO amplified_admin;
GRANT EXECUTE ON FUNCTION @extschema@.add_signer(bigint, @extschema@.address, text, text, integer, @extschema@.uint256, interval) TO amplified_admin;
GRANT EXECUTE ON FUNCTION @extschema@.remove_signer(bigint, @extschema@.address) TO amplified_admin;
GRANT EXECUTE ON FUNCTION @extschema@.txq_set_signer_policy(bigint, @extschema@.address, @extschema@.address[], bytea[], @extschema@.uint256, integer, integer, boolean) TO amplified_admin;
GRANT EXECUTE ON FUNCTION @extschema@.txq_remove_signer_policy(bigint, @extschema@.address) TO amplified_admin;
GRANT EXECUTE ON FUNCTION @extschema@.txq_enqueue(bigint, @extschema@.address, @extschema@.address, @extschema@.uint256, bytea, jsonb) TO amplified_operator;
GRANT EXECUTE ON FUNCTION @extschema@.txq_cancel(bigint) TO amplified_operator;
GRANT EXECUTE ON FUNCTION @extschema@.txq_pause(bigint, boolean) TO amplified_operator;
GRANT EXECUTE ON FUNCTION @extschema@.txq_resume(bigint) TO amplified_operator;
GRANT EXECUTE ON FUNCTION @extschema@.txq_pause_signer(bigint, @extschema@.address, boolean) TO amplified_operator;
GRANT EXECUTE ON FUNCTION @extschema@.txq_resume_signer(bigint, @extschema@.address) TO amplified_operator;
GRANT EXECUTE ON FUNCTION @extschema@.txq_pause_all(text) TO amplified_operator;
GRANT EXECUTE ON FUNCTION @extschema@.txq_resume_all() TO amplified_admin;
GRANT EXECUTE ON FUNCTION @extschema@.txq_resolve_held(bigint, boolean) TO amplified_admin;
GRANT EXECUTE ON FUNCTION @extschema@.txq_history(bigint) TO amplified_reader;
REVOKE ALL ON FUNCTION @extschema@.txq_is_paused(), @extschema@.txq_strategy_busy(bigint, bigint),
	@extschema@.txq_gas_spent(bigint, bigint), @extschema@.txq_intents_state(bigint[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION @extschema@.txq_is_paused(), @extschema@.txq_strategy_busy(bigint, bigint),
	@extschema@.txq_gas_spent(bigint, bigint), @extschema@.txq_intents_state(bigint[]) TO amplified_reader;

-- ---- worker kind "tx" (registered by TxqInit() in src/txq/worker.c) ----
-- The launcher calls this, as the extension's owner with search_path pinned,
-- to know which tx workers to run: one per enabled chain that has signers.
CREATE FUNCTION @extschema@.txq_worker_wanted()
RETURNS SETOF bigint
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT c.chain_id FROM @extschema@.chains AS c
	 WHERE c.enabled
	   AND EXISTS (SELECT 1 FROM @extschema@.signers AS s WHERE s.chain_id = c.chain_id)
$$;
COMMENT ON FUNCTION @extschema@.txq_worker_wanted() IS
	'The chains that get a tx worker (called by the launcher)';
REVOKE ALL ON FUNCTION @extschema@.txq_worker_wanted() FROM PUBLIC;
-- ---- end of worker kind "tx" ----
