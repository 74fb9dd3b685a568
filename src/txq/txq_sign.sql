-- src/txq/txq_sign.sql: the signing half of the transaction queue
-- (src/txq/tx_codec.c, secp.c, keys.c, signer.c, txq_sql.c).  It comes
-- before txq.sql in the install script: the functions here read
-- amplified.signers only when they run.  Keys never appear in a table, a
-- log line, an error or a result; see docs/txq-signing.md.

-- Decode a signed transaction (EIP-155 legacy or EIP-1559): its fields, the
-- sender recovered from the signature, its hash and the signature.
CREATE FUNCTION @extschema@.txq_decode_transaction(raw bytea)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'txq_decode_transaction'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.txq_decode_transaction(bytea) IS
	'Decode a signed type 0 (EIP-155) or type 2 transaction: fields, from (recovered), hash, signature';

-- The hash a signer signs for a transaction given as JSON.
CREATE FUNCTION @extschema@.txq_signing_hash(tx jsonb)
RETURNS @extschema@.bytes32
AS 'MODULE_PATHNAME', 'txq_signing_hash'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.txq_signing_hash(jsonb) IS
	'The keccak-256 hash a signer signs for a transaction (EIP-155 or EIP-1559 payload)';

-- Sign a transaction with the configured signer of an address on a chain.
CREATE FUNCTION @extschema@.txq_sign_transaction(chain_id bigint, signer @extschema@.address, tx jsonb)
RETURNS bytea
AS 'MODULE_PATHNAME', 'txq_sign_transaction'
LANGUAGE C VOLATILE STRICT;
COMMENT ON FUNCTION @extschema@.txq_sign_transaction(bigint, @extschema@.address, jsonb) IS
	'Sign a transaction (JSON) with the signer configured in amplified.signers; returns the raw signed bytes, sends nothing';

-- Check that a signer can sign, without signing anything.
CREATE FUNCTION @extschema@.txq_check_signer(chain_id bigint, address @extschema@.address)
RETURNS text
AS 'MODULE_PATHNAME', 'txq_check_signer'
LANGUAGE C VOLATILE STRICT;
COMMENT ON FUNCTION @extschema@.txq_check_signer(bigint, @extschema@.address) IS
	'Check a signer without signing: key file present, safe and matching, or the remote signer lists the address; returns ok or raises the error';

REVOKE ALL ON FUNCTION @extschema@.txq_sign_transaction(bigint, @extschema@.address, jsonb) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.txq_check_signer(bigint, @extschema@.address) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION @extschema@.txq_sign_transaction(bigint, @extschema@.address, jsonb) TO amplified_admin;
GRANT EXECUTE ON FUNCTION @extschema@.txq_check_signer(bigint, @extschema@.address) TO amplified_admin;
