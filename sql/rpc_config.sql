-- rpc_config: chains configuration and the refusals of rpc_call that need no network.
SET timezone = 'UTC';

-- Defaults for everything but the id, the name and the URLs.
SELECT chain_id, name, rpc_urls, confirmations, finality_depth, poll_interval, batch_size,
       logs_range, start_block, enabled
  FROM amplified.add_chain(1, 'mainnet', ARRAY['https://user:secret@rpc.example.com/v2/KEY123?x=1',
                                               'http://127.0.0.1:8545']);
-- Every setting can be given.
SELECT chain_id, confirmations, finality_depth, poll_interval, batch_size, logs_range, start_block, enabled
  FROM amplified.add_chain(31337, 'anvil', ARRAY['http://127.0.0.1:18545'], confirmations => 0,
                           finality_depth => 5, poll_interval => '200 ms', batch_size => 50,
                           logs_range => 500, start_block => 3, enabled => false);
-- v_chains shows endpoints without paths, queries or credentials.
SELECT chain_id, name, endpoints FROM amplified.v_chains ORDER BY chain_id;
-- alter_chain changes what it is given and keeps the rest.
SELECT chain_id, name, confirmations, enabled, rpc_urls
  FROM amplified.alter_chain(31337, confirmations => 2, enabled => true);
SELECT amplified.alter_chain(999, enabled => false);

-- Bad configuration: clear errors, nothing written.
SELECT amplified.add_chain(1, 'again', ARRAY['http://x']);
SELECT amplified.add_chain(2, 'ftp', ARRAY['ftp://example.com']);
SELECT amplified.add_chain(2, 'empty', ARRAY[]::text[]);
SELECT amplified.add_chain(2, 'spaces', ARRAY['http://exa mple.com']);
SELECT amplified.add_chain(2, 'nullurl', ARRAY[NULL]::text[]);
SELECT amplified.add_chain(2, 'Bad Name', ARRAY['http://example.com']);
SELECT amplified.add_chain(0, 'zero', ARRAY['http://example.com']);
SELECT amplified.add_chain(2, 'depth', ARRAY['http://example.com'], confirmations => 10, finality_depth => 5);
SELECT amplified.add_chain(2, 'batch', ARRAY['http://example.com'], batch_size => 0);
SELECT amplified.add_chain(2, 'poll', ARRAY['http://example.com'], poll_interval => '0');
SELECT amplified.add_chain(2, 'mainnet', ARRAY['http://example.com']);
SELECT amplified.add_chain(NULL, 'nullid', ARRAY['http://example.com']);
SELECT amplified.add_chain(2, 'neg', ARRAY['http://example.com'], start_block => -1);
SELECT amplified.add_chain(2, 'range', ARRAY['http://example.com'], logs_range => 0);
SELECT amplified.alter_chain(1, rpc_urls => ARRAY['file:///etc/passwd']);
SELECT amplified.alter_chain(1, name => 'anvil');
SELECT amplified.alter_chain(31337, finality_depth => 1);
SELECT count(*) AS chains FROM amplified.chains;

-- rpc_call refuses methods that write or sign, and names that are not names.
SELECT amplified.rpc_call(1, 'eth_sendRawTransaction', '["0x00"]');
SELECT amplified.rpc_call(1, 'eth_sendTransaction', '[]');
SELECT amplified.rpc_call(1, 'eth_signTypedData_v4', '[]');
SELECT amplified.rpc_call(1, 'personal_unlockAccount', '[]');
SELECT amplified.rpc_call(1, 'anvil_setBalance', '[]');
SELECT amplified.rpc_call(1, 'evm_mine', '[]');
-- What a prefix deny-list let through: MEV, Flashbots, private transactions, debug.
SELECT amplified.rpc_call(1, 'mev_sendBundle', '[]');
SELECT amplified.rpc_call(1, 'flashbots_getBundleStats', '[]');
SELECT amplified.rpc_call(1, 'eth_cancelPrivateTransaction', '[]');
SELECT amplified.rpc_call(1, 'debug_traceCall', '[]');
SELECT * FROM amplified.rpc_batch(1, '[{"method": "eth_blockNumber"}, {"method": "mev_sendBundle"}]');
SELECT amplified.rpc_call(1, 'eth_call"; DROP', '[]');
SELECT amplified.rpc_call(1, '', '[]');
-- params must be an array; the chain must be configured.
SELECT amplified.rpc_call(1, 'eth_blockNumber', '{}');
SELECT amplified.rpc_call(1, 'eth_blockNumber', '1');
SELECT amplified.rpc_call(42, 'eth_blockNumber');
SELECT amplified.eth_block_number(42);

-- The RPC parameters and their limits.
SET amplified.rpc_timeout = 50;
SET amplified.rpc_max_retries = -1;
SET amplified.rpc_connect_timeout = '2s';
SHOW amplified.rpc_connect_timeout;
