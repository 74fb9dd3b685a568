-- evm_rlp: rlp_encode and rlp_decode.  Reference values: the examples of
-- the Ethereum wiki's RLP page and yellow paper appendix B ("dog", the
-- empty list, the set-theoretic three, a 56-byte string), checked with
-- ethers.utils.RLP; the TAP test 030 adds ethers' rlp-coder vectors.
SET search_path = amplified, public;

SELECT rlp_encode('"0x646f67"') AS dog,
       rlp_encode('["0x636174", "0x646f67"]') AS cat_dog,
       rlp_encode('"0x"') AS empty_string,
       rlp_encode('[]') AS empty_list;
SELECT rlp_encode('"0x00"') AS zero_byte, rlp_encode('"0x0f"') AS fifteen, rlp_encode('"0x0400"') AS n1024,
       rlp_encode('"0x7f"') AS below_0x80, rlp_encode('"0x80"') AS byte_0x80;
SELECT rlp_encode('[[], [[]], [[], [[]]]]') AS set_theoretic_three;
SELECT rlp_encode(to_jsonb('0x' || encode(convert_to('Lorem ipsum dolor sit amet, consectetur adipisicing elit', 'UTF8'), 'hex'))) AS lorem_56;
SELECT length(rlp_encode(to_jsonb('0x' || repeat('ab', 55)))), length(rlp_encode(to_jsonb('0x' || repeat('ab', 56)))),
       length(rlp_encode(to_jsonb('0x' || repeat('ab', 256)))), length(rlp_encode(to_jsonb('0x' || repeat('ab', 65536))));
SELECT substr(rlp_encode(to_jsonb('0x' || repeat('ab', 256))), 1, 4), substr(rlp_encode(to_jsonb('0x' || repeat('ab', 65536))), 1, 5);
SELECT substr(rlp_encode(jsonb_build_array(to_jsonb('0x' || repeat('ab', 60)))), 1, 4);
SELECT rlp_encode('"0xABCDEF"');
-- decoding, and round trips
SELECT rlp_decode('\x83646f67'), rlp_decode('\xc88363617483646f67'), rlp_decode('\x80'), rlp_decode('\xc0'), rlp_decode('\x00'), rlp_decode('\x7f');
SELECT rlp_decode('\xc7c0c1c0c3c0c1c0');
SELECT rlp_decode(rlp_encode(('["0x01", ["0x", ["0x8000"]], "0x' || repeat('cd', 100) || '"]')::jsonb)) =
       ('["0x01", ["0x", ["0x8000"]], "0x' || repeat('cd', 100) || '"]')::jsonb AS round_trip;
-- bad values to encode, one per line
SELECT rlp_encode('"dog"');
SELECT rlp_encode('"0x123"');
SELECT rlp_encode('"0xgg"');
SELECT rlp_encode('"0X12"');
SELECT rlp_encode('1');
SELECT rlp_encode('true');
SELECT rlp_encode('null');
SELECT rlp_encode('{"a": "0x"}');
SELECT rlp_encode('["0x", ["0x", 5]]');
SELECT rlp_encode((repeat('[', 1100) || repeat(']', 1100))::jsonb);
-- bad or non-canonical data to decode, one per line
SELECT rlp_decode('\x');
SELECT rlp_decode('\x8100');            -- single byte below 0x80 with a prefix
SELECT rlp_decode('\x817f');
SELECT rlp_decode('\xb80100');          -- long form for a short string
SELECT rlp_decode('\xb8');              -- length cut off
SELECT rlp_decode('\xb90038' || '\x00'::bytea);
SELECT rlp_decode('\x83646f');          -- payload cut off
SELECT rlp_decode('\x83646f6767');      -- trailing byte
SELECT rlp_decode('\x8064');            -- trailing byte after an empty string
SELECT rlp_decode('\xc2836461');        -- list payload cut off
SELECT rlp_decode('\xc3836461');        -- item longer than its list
SELECT rlp_decode('\xf80100');          -- long-form list under 56 bytes
SELECT rlp_decode('\xbfffffffffffffffff');
SELECT rlp_decode('\xffffffffffffffffff');
-- nesting: 1024 levels decode, 1025 do not
WITH RECURSIVE r(n, b) AS (
  SELECT 0, '\xc0'::bytea
  UNION ALL
  SELECT n + 1, CASE WHEN length(b) < 56 THEN set_byte('\x00'::bytea, 0, 192 + length(b)) || b
                     WHEN length(b) < 256 THEN '\xf8'::bytea || set_byte('\x00'::bytea, 0, length(b)) || b
                     ELSE '\xf9'::bytea || set_byte(set_byte('\x0000'::bytea, 0, length(b) / 256), 1, length(b) % 256) || b END
    FROM r WHERE n < 1024)
SELECT n, jsonb_typeof(rlp_decode(b)), length(rlp_encode(rlp_decode(b))) = length(b) AS round_trip FROM r WHERE n IN (1, 1023);
WITH RECURSIVE r(n, b) AS (
  SELECT 0, '\xc0'::bytea
  UNION ALL
  SELECT n + 1, CASE WHEN length(b) < 56 THEN set_byte('\x00'::bytea, 0, 192 + length(b)) || b
                     WHEN length(b) < 256 THEN '\xf8'::bytea || set_byte('\x00'::bytea, 0, length(b)) || b
                     ELSE '\xf9'::bytea || set_byte(set_byte('\x0000'::bytea, 0, length(b) / 256), 1, length(b) % 256) || b END
    FROM r WHERE n < 1024)
SELECT rlp_decode(b) FROM r WHERE n = 1024;
