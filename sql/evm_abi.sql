-- evm_abi: abi_encode, abi_decode, abi_encode_call and abi_decode_log.
-- Reference values: the worked examples of the Solidity ABI specification
-- (baz, bar, sam, f, g) and an ERC-20 Transfer log, all checked with ethers
-- v5 (defaultAbiCoder, Interface); the TAP test 030 adds the published
-- ethers vectors and random differential cases.
SET search_path = amplified, public;

-- the Solidity documentation's examples, as calldata
SELECT abi_encode_call('baz(uint32,bool)', '["69", true]');
SELECT abi_encode_call('bar(bytes3[2])', '[["0x616263", "0x646566"]]');
SELECT abi_encode_call('sam(bytes,bool,uint256[])', '["0x64617665", true, ["1", "2", "3"]]');
SELECT abi_encode_call('f(uint256,uint32[],bytes10,bytes)',
                       '["0x123", ["0x456", "0x789"], "0x31323334353637383930", "0x48656c6c6f2c20776f726c6421"]');
SELECT abi_encode_call('g(uint256[][],string[])', '[[["1", "2"], ["3"]], ["one", "two", "three"]]');
-- and back
SELECT abi_decode('(uint256,uint32[],bytes10,bytes)',
                  substr(abi_encode_call('f(uint256,uint32[],bytes10,bytes)',
                         '["0x123", ["0x456", "0x789"], "0x31323334353637383930", "0x48656c6c6f2c20776f726c6421"]'), 5));
SELECT abi_decode('uint256[][], string[]',
                  substr(abi_encode_call('g(uint256[][],string[])', '[[["1", "2"], ["3"]], ["one", "two", "three"]]'), 5));
-- the issue's example type, nested tuples and arrays of tuples
SELECT abi_encode('(address,uint256[],(bytes32,string))',
                  '["0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", ["1", "2"], ["0x0000000000000000000000000000000000000000000000000000000000000001", "héllo 😀"]]');
SELECT abi_decode('(address,uint256[],(bytes32,string))',
                  abi_encode('(address,uint256[],(bytes32,string))',
                  '["0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed", ["1", "2"], ["0x0000000000000000000000000000000000000000000000000000000000000001", "héllo 😀"]]'));
SELECT abi_decode('((uint8,bool)[2],(string,int16)[])',
                  abi_encode('((uint8,bool)[2],(string,int16)[])', '[[["1", true], ["255", false]], [["a", "-1"], ["", "32767"]]]'));
-- integers: limits, hex, negative hex, JSON numbers that are exact integers
SELECT abi_decode('(uint8,uint256,int8,int8,int256,int256)',
                  abi_encode('(uint8,uint256,int8,int8,int256,int256)',
                  '["255", "0xffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff", "-128", "127",
                    "-57896044618658097711785492504343953926634992332820282019728792003956564819968",
                    "-0x1"]'));
SELECT abi_encode('(int24)', '["-0x1"]'), abi_encode('(uint16)', '[65535.0]'), abi_encode('(int8)', '[-5]');
SELECT abi_encode('', '[]'), abi_encode('()', '[]'), abi_decode('()', ''), abi_decode('', '\x');
-- bytesN, bytes, string and bool
SELECT abi_decode('(bytes1,bytes32,bytes,string,bool)',
                  abi_encode('(bytes1,bytes32,bytes,string,bool)',
                  '["0xff", "0x0000000000000000000000000000000000000000000000000000000000000000", "0x", "", false]'));
SELECT abi_decode('(string)', abi_encode('(string)', '["quote \" backslash \\ tab \t newline \n"]'));
-- type lists: with or without the outer parentheses, names, spaces, aliases
SELECT abi_encode('uint, bool', '["1", true]') = abi_encode('(uint256 a, bool b)', '["1", true]') AS same;
SELECT abi_decode('((uint256,bool))', abi_encode('(uint256,bool)', '["7", true]')) AS one_tuple;
SELECT abi_decode('tuple(uint256,bool)[]', abi_encode('tuple(uint256 x, bool y)[]', '[[["7", true], ["8", false]]]')) AS tuple_array;
-- bad values, one per line
SELECT abi_encode('(uint8)', '["256"]');
SELECT abi_encode('(uint8)', '["-1"]');
SELECT abi_encode('(int8)', '["128"]');
SELECT abi_encode('(int8)', '["-129"]');
SELECT abi_encode('(uint256)', '["0x10000000000000000000000000000000000000000000000000000000000000000"]');
SELECT abi_encode('(uint256)', '["115792089237316195423570985008687907853269984665640564039457584007913129639936"]');
SELECT abi_encode('(uint256)', '["12a"]');
SELECT abi_encode('(uint256)', '[""]');
SELECT abi_encode('(uint256)', '["0x"]');
SELECT abi_encode('(uint256)', '[" 1"]');
SELECT abi_encode('(uint256)', '[1.5]');
SELECT abi_encode('(uint256)', '[1e2]');  -- an exact integer: accepted
SELECT abi_encode('(uint256)', '[true]');
SELECT abi_encode('(bool)', '["true"]');
SELECT abi_encode('(address)', '["0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD"]');
SELECT abi_encode('(address)', '["0x5aaeb6053f3e94c9b9a09f33669435e7ef1bea"]');
SELECT abi_encode('(bytes2)', '["0x01"]');
SELECT abi_encode('(bytes2)', '["0x010203"]');
SELECT abi_encode('(bytes2)', '["0102"]');
SELECT abi_encode('(bytes)', '["0x123"]');
SELECT abi_encode('(bytes)', '["0xzz"]');
SELECT abi_encode('(string)', '[1]');
SELECT abi_encode('(uint256[2])', '[["1"]]');
SELECT abi_encode('(uint256[])', '["1"]');
SELECT abi_encode('((uint256,bool))', '[["1"]]');
SELECT abi_encode('(uint256,bool)', '["1"]');
SELECT abi_encode('(uint256)', '{"a": 1}');
SELECT abi_encode('(uint256)', '[null]');
SELECT abi_encode('(uint256[][])', '[[["1"], ["2", {}]]]');
-- bad type lists, one per line
SELECT abi_encode('(uint256', '[]');
SELECT abi_encode('(uint256))', '[]');
SELECT abi_encode('(uint256,,bool)', '[]');
SELECT abi_encode('(uint256 indexed)', '["1"]');
SELECT abi_encode('(uint256[2)', '[]');
SELECT abi_encode('(ufixed)', '[]');
SELECT abi_encode('((),uint256)', '[]');
SELECT abi_decode('(uint256[1073741824])', '\x');
SELECT abi_decode('(uint256' || repeat('[]', 70) || ')', '\x');
-- strict decoding: truncated data, bad offsets and lengths, dirty words
SELECT abi_decode('(uint256)', '\x');
SELECT abi_decode('(uint256)', decode(repeat('00', 31), 'hex'));
SELECT abi_decode('(uint8)', decode(repeat('00', 30) || '0100', 'hex'));
SELECT abi_decode('(int8)', decode(repeat('00', 31) || '80', 'hex'));
SELECT abi_decode('(int8)', decode(repeat('ff', 31) || '7f', 'hex'));
SELECT abi_decode('(int8)', decode(repeat('ff', 31) || '80', 'hex'));
SELECT abi_decode('(bool)', decode(repeat('00', 31) || '02', 'hex'));
SELECT abi_decode('(address)', decode('01' || repeat('00', 31), 'hex'));
SELECT abi_decode('(bytes1)', decode('0101' || repeat('00', 30), 'hex'));
SELECT abi_decode('(bytes)', decode(repeat('00', 31) || '40', 'hex'));
SELECT abi_decode('(bytes)', decode(repeat('00', 31) || '20' || repeat('00', 31) || '21' || repeat('00', 32), 'hex'));
SELECT abi_decode('(bytes)', decode(repeat('00', 31) || '20' || repeat('00', 31) || '01' || 'ff', 'hex'));
SELECT abi_decode('(bytes)', decode('ff' || repeat('00', 30) || '20' || repeat('00', 32), 'hex'));
SELECT abi_decode('(uint256[])', decode(repeat('00', 31) || '20' || repeat('ff', 32), 'hex'));
SELECT abi_decode('(uint256[])', decode(repeat('00', 31) || '20' || repeat('00', 31) || '03' || repeat('00', 64), 'hex'));
SELECT abi_decode('(string)', decode(repeat('00', 31) || '20' || repeat('00', 31) || '02' || 'c328' || repeat('00', 30), 'hex'));
SELECT abi_decode('(string)', decode(repeat('00', 31) || '20' || repeat('00', 31) || '01' || repeat('00', 32), 'hex'));
-- offsets that all point at the same string: refused before the result explodes
SELECT abi_decode('(string[])', decode(repeat('00', 31) || '20' || lpad(to_hex(3000), 64, '0')
       || repeat(lpad(to_hex(3000 * 32), 64, '0'), 3000) || lpad(to_hex(4096), 64, '0') || repeat('61', 4096), 'hex'));
-- a valid string that aliases twice decodes (sharing is legal, just bounded)
SELECT abi_decode('(string,string)', decode(repeat('00', 31) || '40' || repeat('00', 31) || '40' || repeat('00', 31) || '02' || '6869' || repeat('00', 30), 'hex'));
-- event logs: an ERC-20 Transfer, an indexed string comes back as its hash, anonymous events
SELECT abi_decode_log('Transfer(address indexed from, address indexed to, uint256 value)',
       ARRAY['0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef',
             '0x0000000000000000000000005aaeb6053f3e94c9b9a09f33669435e7ef1beaed',
             '0x000000000000000000000000fb6916095ca1df60bb79ce92ce3ea74c37c5d359']::bytes32[],
       '\x00000000000000000000000000000000000000000000000000000000000f4240');
SELECT abi_decode_log('Named(string indexed name, int8 indexed delta, bytes data)',
       ARRAY[event_topic('Named(string,int8,bytes)'), keccak256('alice'),
             '0xfffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffe']::bytes32[],
       abi_encode('(bytes)', '["0xbeef"]'));
SELECT abi_decode_log('Anon(uint256 indexed a, bool b) anonymous',
       ARRAY['0x000000000000000000000000000000000000000000000000000000000000002a']::bytes32[],
       abi_encode('(bool)', '[true]'));
-- bad logs, one per line
SELECT abi_decode_log('Transfer(address indexed,address indexed,uint256)',
       ARRAY['0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef']::bytes32[], '\x');
SELECT abi_decode_log('Approval(address indexed,address indexed,uint256)',
       ARRAY['0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef',
             '0x0000000000000000000000005aaeb6053f3e94c9b9a09f33669435e7ef1beaed',
             '0x000000000000000000000000fb6916095ca1df60bb79ce92ce3ea74c37c5d359']::bytes32[], '\x');
SELECT abi_decode_log('E(address indexed)', ARRAY[event_topic('E(address)'),
       '0x0000000000000000000000015aaeb6053f3e94c9b9a09f33669435e7ef1beaed']::bytes32[], '\x');
SELECT abi_decode_log('E(uint256)', ARRAY[event_topic('E(uint256)'), NULL]::bytes32[], '\x');
SELECT abi_decode_log('E(uint256)', ARRAY[event_topic('E(uint256)')]::bytes32[], '\x00');
SELECT abi_decode_log('E(uint256)', ARRAY[[event_topic('E(uint256)')]]::bytes32[], '\x');
