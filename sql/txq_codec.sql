-- txq_codec: decoding signed transactions and signing hashes, no keys and no
-- network.  Reference values: the vectors "random-489" (legacy, EIP-155 with
-- chain id 5) and "eip1559-mask-100100001" (type 2 with an access list) of
-- @ethersproject/testcases; the TAP test 080 runs all of them.
SET search_path = amplified, public;

-- An error as "SQLSTATE: message", so that bad inputs fit one per line.
CREATE FUNCTION pg_temp.err(q text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
	EXECUTE q;
	RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
	RETURN SQLSTATE || ': ' || SQLERRM;
END
$$;

CREATE TEMP TABLE v (name text, raw bytea, unsigned bytea);
INSERT INTO v VALUES
	('legacy', '\xf87782e50b83a0f7cd88a0fd4da99ea006a494c66137713afd67762a0e12bd38918403874afd93843f8c37fc89b8f84e2ddd80dca4b02ea05c93cdf98ca6a504bcac73182dc4068de1f5745fdbbaeed42817bc3b55fdbd63a01b79d8f0542760ce81b8be474254845e7542402bff560d94f8ef536a1a6bdb3b',
	 '\xf782e50b83a0f7cd88a0fd4da99ea006a494c66137713afd67762a0e12bd38918403874afd93843f8c37fc89b8f84e2ddd80dca4b0058080'),
	('eip1559', '\x02f89d808080808094123456789a123456789a123456789a123456789a808412345678f838f794123456789a123456789a123456789a123456789ae1a00123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef80a0902bfdaf61e4415f44ce95e3c5e83af1d4edb1adff9c464466a1fd78480607bba06e0d2f3faa3cdcbd60bbeed0a3fbab35281d5de784df5a2a42eb0c14c2da829d',
	 '\x02f85a808080808094123456789a123456789a123456789a123456789a808412345678f838f794123456789a123456789a123456789a123456789ae1a00123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef'),
	('blank1559', '\x02f84c8080808080808080c001a02aee82ea0af0c26b13f3e0301dac9ff36190993e573d064f31a9cfc760839dc3a02c24527df5343e0c190094f5f1bddd19c0f8d5476459a74ad7cfd83bd500aa82',
	 '\x02c98080808080808080c0');

-- Decoding: the fields, the sender (the vectors' accountAddress), the hash.
SELECT jsonb_pretty(txq_decode_transaction(raw)) FROM v WHERE name = 'legacy';
SELECT jsonb_pretty(txq_decode_transaction(raw)) FROM v WHERE name = 'eip1559';
SELECT name, txq_decode_transaction(raw) ->> 'from' AS sender,
       (txq_decode_transaction(raw) ->> 'hash') = keccak256(raw)::text AS hash_is_keccak_of_raw
  FROM v ORDER BY name;

-- The signing hash of the decoded fields is keccak-256 of the vectors'
-- unsigned payload (EIP-155: [..., chainId, 0, 0]; EIP-1559: 0x02 || rlp(...)).
SELECT name, txq_signing_hash(txq_decode_transaction(raw) - '{hash,r,s,v,yParity}'::text[]) = keccak256(unsigned) AS signing_hash_ok
  FROM v ORDER BY name;

-- Signing hashes from hand-written JSON: numbers, decimal and hex strings,
-- "gas" and "input" as aliases, contract creation (to null).  The last hash
-- is ethers 5.8's keccak256(serializeTransaction(tx)) of the same transaction.
SELECT txq_signing_hash('{"type": 0, "chainId": 5, "nonce": "0xe50b", "gasPrice": 10549197, "gasLimit": "11600513606082365092",
	"to": "0xc66137713afd67762a0e12bd38918403874afd93", "value": "0x3f8c37fc", "data": "0xb8f84e2ddd80dca4b0"}')
	= keccak256((SELECT unsigned FROM v WHERE name = 'legacy')) AS legacy_hash_ok;
SELECT txq_signing_hash('{"chainId": 0, "nonce": 0, "maxFeePerGas": 0, "maxPriorityFeePerGas": "0", "gas": 0, "to": null}')
	= keccak256('\x02c98080808080808080c0'::bytea) AS blank_hash_ok;
SELECT txq_signing_hash('{"type": 2, "chainId": 1, "nonce": 7, "maxFeePerGas": "30000000000", "maxPriorityFeePerGas": "1000000000",
	"gasLimit": 21000, "to": "0x000000000000000000000000000000000000dEaD", "value": "1000000000000000000", "input": "0x"}');

-- Bad signed transactions, one per line (22P03).
SELECT pg_temp.err($$SELECT txq_decode_transaction('\x')$$) AS empty;
SELECT pg_temp.err($$SELECT txq_decode_transaction(substr(raw, 1, length(raw) - 1)) FROM v WHERE name = 'legacy'$$) AS truncated;
SELECT pg_temp.err($$SELECT txq_decode_transaction(substr(raw, 1, 30)) FROM v WHERE name = 'eip1559'$$) AS truncated_list;
SELECT pg_temp.err($$SELECT txq_decode_transaction(raw || '\x00'::bytea) FROM v WHERE name = 'legacy'$$) AS trailing_byte;
SELECT pg_temp.err($$SELECT txq_decode_transaction('\x01' || substr(raw, 2)) FROM v WHERE name = 'eip1559'$$) AS type_1;
SELECT pg_temp.err($$SELECT txq_decode_transaction('\x03' || substr(raw, 2)) FROM v WHERE name = 'eip1559'$$) AS type_3;
SELECT pg_temp.err($$SELECT txq_decode_transaction('\x8180')$$) AS rlp_string;
-- chainId 0 written as the byte 0x00 (0x8100): a single byte below 0x80 must stand for itself
SELECT pg_temp.err($$SELECT txq_decode_transaction('\x02f84d8100' || substr(raw, 5)) FROM v WHERE name = 'blank1559'$$) AS noncanonical_byte;
-- chainId 1 written with a leading zero byte (0x820001)
SELECT pg_temp.err($$SELECT txq_decode_transaction('\x02f84e820001' || substr(raw, 5)) FROM v WHERE name = 'blank1559'$$) AS leading_zero;
-- a two-byte string in the long form (0xb8020101)
SELECT pg_temp.err($$SELECT txq_decode_transaction('\x02f84fb8020101' || substr(raw, 5)) FROM v WHERE name = 'blank1559'$$) AS long_form;
-- a list length with a leading zero (0xf9004c)
SELECT pg_temp.err($$SELECT txq_decode_transaction('\x02f9004c' || substr(raw, 4)) FROM v WHERE name = 'blank1559'$$) AS length_leading_zero;
-- the list header claims one byte more than there is
SELECT pg_temp.err($$SELECT txq_decode_transaction('\x02f84d' || substr(raw, 4)) FROM v WHERE name = 'blank1559'$$) AS list_too_long;
-- eleven fields (no accessList)
SELECT pg_temp.err($$SELECT txq_decode_transaction('\x02f84b' || substr(raw, 4, 8) || substr(raw, 13)) FROM v WHERE name = 'blank1559'$$) AS field_count;
-- nonce of nine bytes
SELECT pg_temp.err($$SELECT txq_decode_transaction('\x02f8558089010000000000000000808080808080c001' || substr(raw, 14)) FROM v WHERE name = 'blank1559'$$) AS nonce_range;
-- yParity 2
SELECT pg_temp.err($$SELECT txq_decode_transaction('\x02f84c8080808080808080c002' || substr(raw, 14)) FROM v WHERE name = 'blank1559'$$) AS y_parity;
-- to of 19 bytes
SELECT pg_temp.err($$SELECT txq_decode_transaction('\x02f85f808080808093' || decode(repeat('11', 19), 'hex') || '\x8080c001'::bytea || substr(raw, 14)) FROM v WHERE name = 'blank1559'$$) AS to_19_bytes;
-- s in the upper half of the curve order (EIP-2): n - s
SELECT pg_temp.err($$SELECT txq_decode_transaction(substr(raw, 1, 47) || '\xd3dbad820acbc1f3e6ff6b0a0e4222e4f9b6079f4aeef8f0e8028650fb3596bf'::bytea) FROM v WHERE name = 'blank1559'$$) AS high_s;
-- r of zero
SELECT pg_temp.err($$SELECT txq_decode_transaction('\x02ec8080808080808080c00180' || substr(raw, 47)) FROM v WHERE name = 'blank1559'$$) AS zero_r;
-- legacy v = 27: no chain id (before EIP-155)
SELECT pg_temp.err($$SELECT txq_decode_transaction('\xf87782e50b83a0f7cd88a0fd4da99ea006a494c66137713afd67762a0e12bd38918403874afd93843f8c37fc89b8f84e2ddd80dca4b01b' || substr(raw, 56)) FROM v WHERE name = 'legacy'$$) AS v_27;
-- legacy v = 36: neither 27/28 nor >= 37
SELECT pg_temp.err($$SELECT txq_decode_transaction('\xf87782e50b83a0f7cd88a0fd4da99ea006a494c66137713afd67762a0e12bd38918403874afd93843f8c37fc89b8f84e2ddd80dca4b024' || substr(raw, 56)) FROM v WHERE name = 'legacy'$$) AS v_36;

-- Bad transaction JSON, one per line: 22023 for shape, 22003 for range.
SELECT pg_temp.err($$SELECT txq_signing_hash('[]')$$) AS not_object;
SELECT pg_temp.err($$SELECT txq_signing_hash('{"chainId": 1, "nonce": 0, "gasPrice": 1, "gasLimit": 21000, "to": null, "gasprice": 1}')$$) AS unknown_field;
SELECT pg_temp.err($$SELECT txq_signing_hash('{"chainId": 1, "nonce": 0, "gasLimit": 21000, "to": null}')$$) AS no_type;
SELECT pg_temp.err($$SELECT txq_signing_hash('{"nonce": 0, "gasPrice": 1, "gasLimit": 21000, "to": null}')$$) AS no_chain_id;
SELECT pg_temp.err($$SELECT txq_signing_hash('{"chainId": 1, "nonce": 0, "gasPrice": 1, "gasLimit": 21000}')$$) AS no_to;
SELECT pg_temp.err($$SELECT txq_signing_hash('{"chainId": 1, "nonce": 0, "gasPrice": 1, "to": null}')$$) AS no_gas_limit;
SELECT pg_temp.err($$SELECT txq_signing_hash('{"type": 2, "chainId": 1, "nonce": 0, "maxFeePerGas": 1, "gasLimit": 21000, "to": null}')$$) AS no_priority_fee;
SELECT pg_temp.err($$SELECT txq_signing_hash('{"type": 1, "chainId": 1, "nonce": 0, "gasPrice": 1, "gasLimit": 21000, "to": null}')$$) AS type_1;
SELECT pg_temp.err($$SELECT txq_signing_hash('{"type": 3, "chainId": 1, "nonce": 0, "gasPrice": 1, "gasLimit": 21000, "to": null}')$$) AS type_3;
SELECT pg_temp.err($$SELECT txq_signing_hash('{"type": 2, "chainId": 1, "nonce": 0, "gasPrice": 1, "maxFeePerGas": 1, "maxPriorityFeePerGas": 1, "gasLimit": 21000, "to": null}')$$) AS gas_price_on_type_2;
SELECT pg_temp.err($$SELECT txq_signing_hash('{"type": 0, "chainId": 1, "nonce": 0, "gasPrice": 1, "gasLimit": 21000, "to": null, "accessList": []}')$$) AS access_list_on_type_0;
SELECT pg_temp.err($$SELECT txq_signing_hash('{"type": 0, "chainId": 0, "nonce": 0, "gasPrice": 1, "gasLimit": 21000, "to": null}')$$) AS legacy_chain_0;
SELECT pg_temp.err($$SELECT txq_signing_hash('{"chainId": 1, "nonce": 0, "gasPrice": 1, "gasLimit": 21000, "gas": 21000, "to": null}')$$) AS gas_and_gas_limit;
SELECT pg_temp.err($$SELECT txq_signing_hash('{"chainId": 1, "nonce": 18446744073709551616, "gasPrice": 1, "gasLimit": 21000, "to": null}')$$) AS nonce_2_64;
SELECT pg_temp.err($$SELECT txq_signing_hash('{"chainId": 1, "nonce": 0, "gasPrice": 1, "gasLimit": "0x10000000000000000", "to": null}')$$) AS gas_limit_2_64;
SELECT pg_temp.err($$SELECT txq_signing_hash('{"chainId": 1, "nonce": 0, "gasPrice": 1, "gasLimit": 21000, "to": null, "value": -1}')$$) AS negative_value;
SELECT pg_temp.err($$SELECT txq_signing_hash('{"chainId": 1, "nonce": 0, "gasPrice": 1, "gasLimit": 21000, "to": null, "value": "-5"}')$$) AS negative_value_text;
SELECT pg_temp.err($$SELECT txq_signing_hash(('{"chainId": 1, "nonce": 0, "gasPrice": 1, "gasLimit": 21000, "to": null, "value": "0x1' || repeat('0', 64) || '"}')::jsonb)$$) AS value_2_256;
SELECT pg_temp.err($$SELECT txq_signing_hash('{"chainId": 1, "nonce": 0.5, "gasPrice": 1, "gasLimit": 21000, "to": null}')$$) AS fractional_nonce;
SELECT pg_temp.err($$SELECT txq_signing_hash('{"chainId": 1, "nonce": true, "gasPrice": 1, "gasLimit": 21000, "to": null}')$$) AS boolean_nonce;
SELECT pg_temp.err($$SELECT txq_signing_hash('{"chainId": 1, "nonce": "0xzz", "gasPrice": 1, "gasLimit": 21000, "to": null}')$$) AS bad_hex_nonce;
SELECT pg_temp.err($$SELECT txq_signing_hash('{"chainId": 1, "nonce": 0, "gasPrice": 1, "gasLimit": 21000, "to": "0x1234"}')$$) AS short_to;
SELECT pg_temp.err($$SELECT txq_signing_hash('{"chainId": 1, "nonce": 0, "gasPrice": 1, "gasLimit": 21000, "to": "0x000000000000000000000000000000000000DeaD"}')$$) AS bad_checksum_to;
SELECT pg_temp.err($$SELECT txq_signing_hash('{"chainId": 1, "nonce": 0, "gasPrice": 1, "gasLimit": 21000, "to": null, "data": "0x123"}')$$) AS odd_data;
SELECT pg_temp.err($$SELECT txq_signing_hash('{"chainId": 1, "nonce": 0, "gasPrice": 1, "gasLimit": 21000, "to": null, "data": "1234"}')$$) AS data_without_0x;
SELECT pg_temp.err($$SELECT txq_signing_hash('{"chainId": 1, "nonce": 0, "gasPrice": 1, "gasLimit": 21000, "to": null, "data": "0x12", "input": "0x34"}')$$) AS data_input_differ;
SELECT pg_temp.err($$SELECT txq_signing_hash('{"type": 2, "chainId": 1, "nonce": 0, "maxFeePerGas": 1, "maxPriorityFeePerGas": 1, "gasLimit": 21000, "to": null, "accessList": {}}')$$) AS access_list_object;
SELECT pg_temp.err($$SELECT txq_signing_hash('{"type": 2, "chainId": 1, "nonce": 0, "maxFeePerGas": 1, "maxPriorityFeePerGas": 1, "gasLimit": 21000, "to": null, "accessList": [{"address": "0x000000000000000000000000000000000000dead", "storageKeys": ["0x01"]}]}')$$) AS short_storage_key;
SELECT pg_temp.err($$SELECT txq_signing_hash('{"chainId": 1, "nonce": 0, "gasPrice": 1, "gasLimit": 21000, "to": null, "from": "nobody"}')$$) AS bad_from;
