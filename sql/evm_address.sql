-- evm_address: the address and bytes32 types.  Reference values: the test
-- vectors of EIP-55 (all-caps, all-lower and mixed-case checksummed
-- addresses), checked independently with ethers.utils.getAddress.
SET search_path = amplified, public;

-- EIP-55 vectors: output is the checksummed spelling whatever the input case
SELECT '0x52908400098527886E0F7030069857D2E4169EE7'::address AS all_caps_1,
       '0x8617E340B3D01FA5F11F306F4090FD50E238070D'::address AS all_caps_2;
SELECT '0xde709f2102306220921060314715629080e2fb77'::address AS all_lower_1,
       '0x27b1fdb04752bbc536007a920d24acb045561c26'::address AS all_lower_2;
SELECT '0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed'::address AS mixed_1,
       '0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359'::address AS mixed_2;
SELECT '0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB'::address AS mixed_3,
       '0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb'::address AS mixed_4;
-- lowercase and uppercase forms of a checksummed address, and no 0x
SELECT '0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed'::address AS lower,
       '0x5AAEB6053F3E94C9B9A09F33669435E7EF1BEAED'::address AS upper,
       '5aaeb6053f3e94c9b9a09f33669435e7ef1beaed'::address AS no_prefix,
       'fB6916095ca1df60bB79Ce92cE3Ea74c37c5d359'::address AS no_prefix_mixed;
SELECT '0x0000000000000000000000000000000000000000'::address AS zero,
       '0xffffffffffffffffffffffffffffffffffffffff'::address AS max;
-- bad input, one per line
SELECT ''::address;
SELECT '0x'::address;
SELECT '0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD'::address;  -- last letter's case flipped
SELECT '0x5aaeb6053f3e94c9b9a09f33669435e7ef1beae'::address;   -- 39 digits
SELECT '0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed0'::address; -- 41 digits
SELECT '0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaeg'::address;  -- not hex
SELECT '0X5aaeb6053f3e94c9b9a09f33669435e7ef1beaed'::address;  -- 0X
SELECT ' 0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed'::address; -- whitespace
SELECT '0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed '::address;
SELECT '0x0x5aaeb6053f3e94c9b9a09f33669435e7ef1beae'::address;
-- comparison (byte order), operators and opclasses
SELECT '0x0000000000000000000000000000000000000001'::address < '0x0000000000000000000000000000000000000002'::address AS lt,
       '0x0100000000000000000000000000000000000000'::address > '0x00ffffffffffffffffffffffffffffffffffffff'::address AS gt,
       '0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed'::address = '0x5AAEB6053F3E94C9B9A09F33669435E7EF1BEAED'::address AS eq,
       '0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed'::address <> '0xfb6916095ca1df60bb79ce92ce3ea74c37c5d359'::address AS ne,
       '0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed'::address <= '0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed'::address AS le,
       '0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed'::address >= '0xfb6916095ca1df60bb79ce92ce3ea74c37c5d359'::address AS ge;
SELECT address_cmp('0x0000000000000000000000000000000000000001', '0x0000000000000000000000000000000000000002'),
       address_cmp('0x0000000000000000000000000000000000000002', '0x0000000000000000000000000000000000000002'),
       address_cmp('0xff00000000000000000000000000000000000000', '0x0000000000000000000000000000000000000002');
CREATE TEMP TABLE addrs AS
  SELECT ('0x' || lpad(to_hex(i * 7919), 40, '0'))::address AS a, i FROM generate_series(1, 2000) i;
CREATE INDEX ON addrs (a);
CREATE INDEX addrs_hash ON addrs USING hash (a);
ANALYZE addrs;
SET enable_seqscan = off;
SELECT i FROM addrs WHERE a = '0x00000000000000000000000000000000000f7780';  -- 7919 * 128 = 0xf7780
SELECT count(*) FROM addrs WHERE a BETWEEN '0x0000000000000000000000000000000000001000' AND '0x0000000000000000000000000000000000010000';
RESET enable_seqscan;
SELECT count(*) FROM addrs x JOIN addrs y ON x.a = y.a;   -- hash or merge join
SELECT a FROM addrs ORDER BY a DESC LIMIT 2;
SELECT count(DISTINCT a) FROM addrs;
-- binary send/receive and bytea casts
SELECT address_send('0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed');
SELECT to_bytea('0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed'::address),
       '\x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed'::bytea::address;
SELECT '\x5aaeb6053f3e94c9b9a09f33669435e7ef1bea'::bytea::address;   -- 19 bytes
SELECT '\x'::bytea::address;
SELECT address_from_bytea('\x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed00');
-- text casts
SELECT '0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed'::text::address::text;
SELECT pg_typeof('0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed'::address::text);

-- bytes32: 0x and 64 hex digits in, lowercase out
SELECT '0xDDF252AD1BE2C89B69C2B068FC378DAA952BA7F163C4A11628F55A4DF523B3EF'::bytes32 AS upper_in,
       'ddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef'::bytes32 AS no_prefix;
SELECT '0x0000000000000000000000000000000000000000000000000000000000000000'::bytes32 AS zero;
-- bad input, one per line
SELECT ''::bytes32;
SELECT '0x'::bytes32;
SELECT '0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3e'::bytes32;   -- 63 digits
SELECT '0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef0'::bytes32; -- 65 digits
SELECT '0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3eg'::bytes32;  -- not hex
SELECT '0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef '::bytes32;
-- comparison, opclasses, casts
SELECT '0x01'::text < '0x02'::text AS text_lt,
       '0x0000000000000000000000000000000000000000000000000000000000000001'::bytes32 <
       '0x0000000000000000000000000000000000000000000000000000000000000002'::bytes32 AS lt,
       '0x8000000000000000000000000000000000000000000000000000000000000000'::bytes32 >
       '0x7fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff'::bytes32 AS gt_unsigned;
SELECT bytes32_cmp('0x0000000000000000000000000000000000000000000000000000000000000001',
                   '0x0000000000000000000000000000000000000000000000000000000000000001');
CREATE TEMP TABLE words AS SELECT keccak256(i::text) AS w, i FROM generate_series(1, 2000) i;
CREATE INDEX ON words (w);
CREATE INDEX words_hash ON words USING hash (w);
SET enable_seqscan = off;
SELECT i FROM words WHERE w = keccak256('1234');
RESET enable_seqscan;
SELECT count(*) FROM words x JOIN words y USING (w);
SELECT to_bytea('0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef'::bytes32);
SELECT '\xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef'::bytea::bytes32;
SELECT '\xddf252ad'::bytea::bytes32;
SELECT bytes32_send('0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef');
-- address <-> bytes32 (a topic) and bytes32 <-> uint256 (big-endian)
SELECT '0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed'::address::bytes32;
SELECT '0x0000000000000000000000005aaeb6053f3e94c9b9a09f33669435e7ef1beaed'::bytes32::address;
SELECT '0x0000000000000000000000015aaeb6053f3e94c9b9a09f33669435e7ef1beaed'::bytes32::address;
SELECT '0x00000000000000000000000000000000000000000000000000000000000001ff'::bytes32::uint256,
       '115792089237316195423570985008687907853269984665640564039457584007913129639935'::uint256::bytes32,
       '0'::uint256::bytes32;
