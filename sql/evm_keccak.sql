-- evm_keccak: keccak256, selector and event_topic.  Reference values:
-- keccak-256 of "" and "abc" from the Keccak team's known answers (as
-- Ethereum uses them), the ERC-20 selectors and Transfer/Approval topics as
-- published in EIP-20 tooling, checked with ethers.utils.keccak256/id.
SET search_path = amplified, public;

SELECT keccak256(''::bytea) AS empty,
       keccak256('abc') AS abc;
SELECT keccak256('\x616263'::bytea) = keccak256('abc') AS text_is_utf8_bytes;
SELECT keccak256('héllo wörld €'), keccak256(convert_to('héllo wörld €', 'UTF8'));
-- the padding boundaries of the 136-byte rate
SELECT keccak256(decode(repeat('61', 135), 'hex')) AS len135,
       keccak256(decode(repeat('61', 136), 'hex')) AS len136,
       keccak256(decode(repeat('61', 137), 'hex')) AS len137;
SELECT keccak256(decode(repeat('ff', 1000), 'hex')) AS len1000;
-- selectors of well-known functions, with names, spaces and type aliases
SELECT selector('transfer(address,uint256)') AS transfer,
       selector('balanceOf(address)') AS balance_of,
       selector('approve(address,uint256)') AS approve,
       selector('transferFrom(address,address,uint256)') AS transfer_from;
SELECT selector('transfer(address to, uint amount)') AS aliases_and_names,
       selector('  function transfer ( address  to , uint256 amount ) external returns (bool) ') AS declaration;
SELECT selector('swap((address,address,uint24,address,uint256,uint256,uint256,uint160))') AS tuple_sig,
       selector('swap(tuple(address,address,uint24,address,uint256,uint256,uint256,uint160) params)') AS tuple_keyword;
SELECT selector('multicall(bytes[])'), selector('f(uint8[2][],int,bytes32 memory,string calldata)');
SELECT abi_signature('function f(uint8[2][] a, int b, (uint, bytes1)[3] memory c) view returns (uint)');
SELECT selector('f()'), abi_signature('f( )');
-- event topics
SELECT event_topic('Transfer(address,address,uint256)') AS transfer,
       event_topic('Transfer(address indexed from, address indexed to, uint256 value)') AS transfer_indexed,
       event_topic('event Approval(address indexed owner, address indexed spender, uint value)') AS approval;
SELECT event_topic('Swap(address indexed sender, address indexed recipient, int256 amount0, int256 amount1, uint160 sqrtPriceX96, uint128 liquidity, int24 tick)') AS univ3_swap;
SELECT abi_event_signature('Swap(address indexed sender, address indexed recipient, int amount0, int256 amount1, uint160 sqrtPriceX96, uint128 liquidity, int24 tick) anonymous');
-- bad signatures, one per line
SELECT selector('');
SELECT selector('transfer');
SELECT selector('transfer(');
SELECT selector('transfer(address,)');
SELECT selector('transfer(address,uint7)');
SELECT selector('transfer(address,uint264)');
SELECT selector('transfer(address,uint08)');
SELECT selector('f(bytes0)');
SELECT selector('f(bytes33)');
SELECT selector('f(uint256[0])');
SELECT selector('f(uint256[01])');
SELECT selector('f(uint256[)');
SELECT selector('f(fixed128x18)');
SELECT selector('f(function)');
SELECT selector('f(address indexed)');
SELECT selector('f(address a b)');
SELECT selector('f(()))');
SELECT selector('f(())');
SELECT selector('f(uint256) extra');
SELECT selector('1f(uint256)');
SELECT selector('f(uint256[99999999999])');
SELECT event_topic('E(address indexed indexed)');
SELECT event_topic('E(uint256) view');
SELECT selector(repeat('(', 100) || repeat(')', 100));
SELECT selector('f(' || repeat('(', 100) || 'uint' || repeat(')', 100) || ')');
