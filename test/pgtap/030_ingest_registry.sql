-- 030_ingest_registry: the registry through which protocol modules plug into
-- ingest: event decoders (what ingest_decode() decodes, and into which
-- table), state reads and contract kinds (what ingest_read_plan() plans),
-- and the refusals that keep a registry row from making the extension's
-- owner run or write what another role chose.  The worker's C decoder is
-- checked against ingest_decode() over the same registry in
-- test/t/060_ingest.pl; dump and restore of user rows in
-- test/t/063_ingest_registry_dump.pl.  All of it is rolled back.
BEGIN;
SELECT * FROM no_plan();
SET LOCAL search_path = amplified, public;

-- Run q, as role r when not NULL, in a subtransaction; 'ok' or its SQLSTATE.
\ir lib/outcome.psql

CREATE ROLE amp_r_admin NOLOGIN IN ROLE amplified_admin;
CREATE ROLE amp_r_mallory NOLOGIN;

-- ---- the built-in rows: each protocol module registered its own

SELECT is((SELECT array_agg(name || ':' || module || ':' || target::text ORDER BY name) FROM ingest_event_decoders),
	ARRAY['aave_borrow:lending:aave_borrows', 'aave_liquidation_call:lending:aave_liquidations', 'aave_repay:lending:aave_repays',
		  'aave_reserve_data_updated:lending:aave_reserve_updates', 'aave_supply:lending:aave_supplies',
		  'aave_user_emode_set:lending:aave_emode_sets', 'aave_withdraw:lending:aave_withdraws',
		  'erc20_transfer:tokens:erc20_transfers', 'morpho_accrue_interest:lending:morpho_accruals',
		  'morpho_borrow:lending:morpho_borrows', 'morpho_create_market:lending:morpho_markets',
		  'morpho_irm_borrow_rate_update:lending:morpho_irm_updates', 'morpho_liquidate:lending:morpho_liquidations',
		  'morpho_repay:lending:morpho_repays', 'morpho_set_fee:lending:morpho_fee_sets',
		  'morpho_set_fee_recipient:lending:morpho_fee_recipients', 'morpho_supply:lending:morpho_supplies',
		  'morpho_supply_collateral:lending:morpho_collateral_supplies', 'morpho_withdraw:lending:morpho_withdraws',
		  'morpho_withdraw_collateral:lending:morpho_collateral_withdraws',
		  'univ3_burn:univ3:univ3_burns', 'univ3_collect:univ3:univ3_collects',
		  'univ3_mint:univ3:univ3_mints', 'univ3_swap:univ3:univ3_swaps'],
	'the built-in event decoders: tokens'' Transfer, univ3''s Swap, Mint, Burn and Collect, lending''s Morpho Blue and Aave v3 events');
-- Topic 0 as published (etherscan's event signatures), computed by the table.
SELECT is((SELECT topic0::text FROM ingest_event_decoders WHERE name = 'erc20_transfer'),
	'0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef', 'Transfer''s topic 0 is keccak of its signature');
SELECT is((SELECT topic0::text FROM ingest_event_decoders WHERE name = 'univ3_swap'),
	'0xc42079f94a6350d7e6235f29174924f928cc2ac818eb64fed8004e115fbcca67', 'Swap''s topic 0 is keccak of its signature');
SELECT is((SELECT array_agg(kind ORDER BY kind) FROM ingest_contract_kinds),
	ARRAY['aave_oracle', 'aave_pool', 'aave_token', 'erc20', 'erc4626', 'generic', 'lst', 'morpho_blue', 'morpho_irm',
		  'morpho_oracle', 'oracle', 'univ3_pool', 'univ3_position_manager'],
	'the built-in contract kinds');
SELECT is((SELECT array_agg(DISTINCT registry_call_name(decode)) FROM ingest_state_reads WHERE decode IS NOT NULL),
	ARRAY['amplified.aave_decode_reads', 'amplified.morpho_decode_reads', 'amplified.token_decode_reads', 'amplified.univ3_decode_reads'],
	'the state reads are decoded by tokens'', univ3''s and lending''s functions');
-- A bytes32 column (Morpho's market id topic) is a decoder type.
SELECT is((SELECT (c).type FROM ingest_event_decoders d, unnest(d.columns) c WHERE d.name = 'morpho_supply' AND (c).name = 'id'),
	'bytes32', 'a Morpho id topic is decoded as bytes32');
SELECT is((SELECT count(*)::int FROM pg_extension e, unnest(e.extconfig, e.extcondition) AS c(t, cond)
			WHERE e.extname = 'amplified' AND cond = 'WHERE NOT builtin'
			  AND t IN ('amplified.ingest_event_decoders'::regclass, 'amplified.ingest_state_reads'::regclass,
						'amplified.ingest_contract_kinds'::regclass, 'amplified.ingest_kind_reads'::regclass)),
	4, 'the registries are configuration, dumped but for their built-in rows');

-- ---- the read plan follows the registry

INSERT INTO chains (chain_id, name, rpc_urls, enabled) VALUES (990030, 'registry-test', '{http://127.0.0.1:1}', false);
INSERT INTO watched_contracts (chain_id, address, label, kind, read_every, holders) VALUES
	(990030, '0x00000000000000000000000000000000000000a1', 'token', 'erc20', 1,
	 '{0x00000000000000000000000000000000000000b1,0x00000000000000000000000000000000000000b2}'),
	(990030, '0x00000000000000000000000000000000000000a2', 'vault', 'erc4626', 2, '{}'),
	(990030, '0x00000000000000000000000000000000000000a3', 'pool', 'univ3_pool', 3, '{}'),
	(990030, '0x00000000000000000000000000000000000000a4', 'feed', 'oracle', 4, '{}'),
	(990030, '0x00000000000000000000000000000000000000a5', 'positions', 'univ3_position_manager', 5, '{}');

-- Selectors as published (4byte.directory), and the 1e18 shares of convertToAssets.
SELECT set_eq(
	$$SELECT lower(address::text) AS a, read, lower(arg) AS g, encode(calldata, 'hex'), read_every FROM ingest_read_plan(990030)$$,
	$$VALUES ('0x00000000000000000000000000000000000000a1', 'totalSupply()', '', '18160ddd', 1),
			 ('0x00000000000000000000000000000000000000a1', 'balanceOf(address)', '0x00000000000000000000000000000000000000b1',
			  '70a08231' || repeat('0', 62) || 'b1', 1),
			 ('0x00000000000000000000000000000000000000a1', 'balanceOf(address)', '0x00000000000000000000000000000000000000b2',
			  '70a08231' || repeat('0', 62) || 'b2', 1),
			 ('0x00000000000000000000000000000000000000a2', 'totalSupply()', '', '18160ddd', 2),
			 ('0x00000000000000000000000000000000000000a2', 'convertToAssets(uint256)', '1000000000000000000',
			  '07a2d13a' || lpad('de0b6b3a7640000', 64, '0'), 2),
			 ('0x00000000000000000000000000000000000000a3', 'slot0()', '', '3850c7bd', 3),
			 ('0x00000000000000000000000000000000000000a3', 'liquidity()', '', '1a686502', 3),
			 ('0x00000000000000000000000000000000000000a3', 'feeGrowthGlobal0X128()', '', 'f3058399', 3),
			 ('0x00000000000000000000000000000000000000a3', 'feeGrowthGlobal1X128()', '', '46141319', 3),
			 ('0x00000000000000000000000000000000000000a4', 'latestRoundData()', '', 'feaf968c', 4)$$,
	'the built-in kinds plan the reads they planned before the registry (no holder, no balanceOf)');

-- A module of one's own: a read with a fixed argument, one without, and a kind.
INSERT INTO ingest_state_reads (read, module, arg_rule, arg) VALUES
	('decimals()', 'mine', 'none', NULL),
	('previewRedeem(uint256)', 'mine', 'fixed', '1000');
INSERT INTO ingest_contract_kinds (kind, module, description) VALUES ('my_vault', 'mine', 'a vault of my own');
INSERT INTO ingest_kind_reads (kind, read) VALUES
	('my_vault', 'decimals()'), ('my_vault', 'previewRedeem(uint256)'), ('my_vault', 'balanceOf(address)');
INSERT INTO watched_contracts (chain_id, address, label, kind, read_every, holders) VALUES
	(990030, '0x00000000000000000000000000000000000000a6', 'mine', 'my_vault', 7, '{0x00000000000000000000000000000000000000b3}');
SELECT set_eq(
	$$SELECT read, lower(arg) AS g, encode(calldata, 'hex') FROM ingest_read_plan(990030) WHERE address = '0x00000000000000000000000000000000000000a6'$$,
	$$VALUES ('decimals()', '', '313ce567'),
			 ('previewRedeem(uint256)', '1000', encode(selector('previewRedeem(uint256)'), 'hex') || lpad('3e8', 64, '0')),
			 ('balanceOf(address)', '0x00000000000000000000000000000000000000b3', '70a08231' || repeat('0', 62) || 'b3')$$,
	'a registered kind plans its registered reads, each with its argument rule');
UPDATE watched_contracts SET reads = ARRAY['decimals()'] WHERE address = '0x00000000000000000000000000000000000000a6';
SELECT set_eq(
	$$SELECT read FROM ingest_read_plan(990030) WHERE address = '0x00000000000000000000000000000000000000a6'$$,
	$$VALUES ('decimals()')$$, 'a contract''s own reads replace its kind''s');
SELECT is(pg_temp.outcome(NULL, $$SELECT watch_contract(990030, '0x00000000000000000000000000000000000000a7', 'x', 'my_vault')$$),
	'ok', 'watch_contract takes a registered kind');
SELECT is(pg_temp.outcome(NULL, $$SELECT watch_contract(990030, '0x00000000000000000000000000000000000000a8', 'x', 'no_such_kind')$$),
	'22023', 'watch_contract refuses a kind nobody registered');
SELECT is(pg_temp.outcome(NULL, $$INSERT INTO watched_contracts (chain_id, address, label, kind) VALUES (990030, '0x00000000000000000000000000000000000000a9', 'x', 'no_such_kind')$$),
	'23503', 'so does the table');
SELECT is(pg_temp.outcome(NULL, $$SELECT watch_contract(990030, '0x00000000000000000000000000000000000000aa', 'x', reads => ARRAY['owner()'])$$),
	'22023', 'watch_contract refuses a read nobody registered');
SELECT is(pg_temp.outcome(NULL, $$UPDATE watched_contracts SET reads = ARRAY['decimals()', 'owner()'] WHERE address = '0x00000000000000000000000000000000000000a6'$$),
	'22023', 'so does the table');
SELECT is(pg_temp.outcome(NULL, $$INSERT INTO ingest_kind_reads (kind, read) VALUES ('my_vault', 'owner()')$$),
	'23503', 'a kind cannot name a read nobody registered');
SELECT is(pg_temp.outcome(NULL, $$DELETE FROM ingest_state_reads WHERE read = 'previewRedeem(uint256)'$$),
	'23503', 'a read a kind names stays registered');
SELECT is(pg_temp.outcome(NULL, $$DELETE FROM ingest_kind_reads WHERE read = 'decimals()'; DELETE FROM ingest_state_reads WHERE read = 'decimals()'$$),
	'23503', 'a read a watched contract names stays registered');
SELECT is(pg_temp.outcome(NULL, $$DELETE FROM ingest_contract_kinds WHERE kind = 'my_vault'$$),
	'23503', 'a kind a contract has stays registered');
SELECT is(pg_temp.outcome(NULL, $$INSERT INTO ingest_state_reads (read, module, arg_rule) VALUES ('allowance(address,address)', 'mine', 'none')$$),
	'22023', 'a read with arguments needs an argument rule');
SELECT is(pg_temp.outcome(NULL, $$INSERT INTO ingest_state_reads (read, module, arg_rule) VALUES ('ownerOf(uint256)', 'mine', 'holders')$$),
	'22023', 'holders are addresses');
SELECT is(pg_temp.outcome(NULL, $$INSERT INTO ingest_state_reads (read, module, arg_rule, arg) VALUES ('ownerOf(uint256)', 'mine', 'fixed', 'abc')$$),
	'22023', 'a fixed argument must encode');
SELECT is(pg_temp.outcome('amp_r_admin', $$INSERT INTO ingest_state_reads (read, module) VALUES ('symbol()', 'mine')$$),
	'ok', 'the admin registers a read');

-- ---- the rule of registries of functions: the decode function

CREATE FUNCTION public.amp_r_decode(bigint, bigint, bigint) RETURNS bigint LANGUAGE sql AS 'SELECT 0::bigint';
ALTER FUNCTION public.amp_r_decode(bigint, bigint, bigint) OWNER TO amp_r_mallory;
SELECT is(pg_temp.outcome(NULL, $$INSERT INTO ingest_state_reads (read, module, decode) VALUES ('name()', 'mine', 'public.amp_r_decode')$$),
	'42501', 'a decode function the extension''s owner does not own is refused');
CREATE FUNCTION public.amp_r_decode2(bigint, bigint) RETURNS bigint LANGUAGE sql AS 'SELECT 0::bigint';
SELECT is(pg_temp.outcome(NULL, $$INSERT INTO ingest_state_reads (read, module, decode) VALUES ('name()', 'mine', 'public.amp_r_decode2')$$),
	'42P13', 'a decode function of another signature is refused');
SELECT is(pg_temp.outcome(NULL, $$UPDATE ingest_state_reads SET decode = 'public.amp_r_decode' WHERE read = 'decimals()'$$),
	'42501', 'and on update');

-- A decode function of one's own, owned by the extension's owner: ingest_decode_reads() calls it.
CREATE TABLE amplified.amp_r_calls (chain_id bigint, from_block bigint, to_block bigint);
CREATE FUNCTION public.amp_r_count(chain_id bigint, from_block bigint, to_block bigint) RETURNS bigint
LANGUAGE sql AS $$ INSERT INTO amplified.amp_r_calls VALUES (chain_id, from_block, to_block) RETURNING 7::bigint $$;
UPDATE ingest_state_reads SET decode = 'public.amp_r_count' WHERE read = 'decimals()';
SELECT is(ingest_decode_reads(990030, 5, 9), 7::bigint, 'ingest_decode_reads() adds up what the registered functions decoded');
SELECT is((SELECT array_agg(chain_id || ':' || from_block || ':' || to_block) FROM amplified.amp_r_calls),
	ARRAY['990030:5:9'], 'a registered decode function is called once, with the block range');

-- ---- event decoders

-- A protocol's own event: ERC-20 Approval(owner indexed, spender indexed, value).
CREATE TABLE amplified.amp_r_approvals (
	chain_id bigint NOT NULL, block_number bigint NOT NULL, log_index integer NOT NULL,
	token address NOT NULL, owner address NOT NULL, spender address NOT NULL, value uint256 NOT NULL,
	PRIMARY KEY (chain_id, block_number, log_index),
	FOREIGN KEY (chain_id, block_number) REFERENCES amplified.blocks ON DELETE CASCADE);
CREATE FUNCTION pg_temp.approval(target text, cols text) RETURNS text LANGUAGE sql AS $$
	SELECT format($q$INSERT INTO amplified.ingest_event_decoders (name, module, signature, ntopics, data_len, target, columns)
		VALUES ('amp_r_approval', 'mine', 'Approval(address,address,uint256)', 3, 32, %L, %L)$q$, target, cols) $$;
SELECT lives_ok(pg_temp.approval('amplified.amp_r_approvals',
	'{"(token,emitter,address)","(owner,topic1,address)","(spender,topic2,address)","(value,word0,uint256)"}'),
	'a decoder of one''s own is registered');
SELECT is((SELECT topic0::text FROM ingest_event_decoders WHERE name = 'amp_r_approval'),
	'0x8c5be1e5ebec7d5bd14f71427d1e84f3dd0314c0f7b2291e5b200ac8c7c3b925', 'Approval''s topic 0 is keccak of its signature');

-- Logs: an Approval; an Approval whose owner word has dirty high bytes (raw);
-- an ERC-721 Approval (4 topics, no data: another shape, raw); a Transfer.
CREATE FUNCTION pg_temp.w(hex text) RETURNS bytes32 LANGUAGE sql AS $$ SELECT ('0x' || lpad(hex, 64, '0'))::bytes32 $$;
INSERT INTO blocks (chain_id, number, hash, parent_hash, timestamp) VALUES
	(990030, 10, pg_temp.w(repeat('1', 64)), pg_temp.w('0'), now());
INSERT INTO logs (chain_id, block_number, log_index, tx_hash, tx_index, address, topics, data) VALUES
	(990030, 10, 0, pg_temp.w('aa'), 0, '0x00000000000000000000000000000000000000a1',
	 ARRAY[event_topic('Approval(address,address,uint256)'), pg_temp.w('b1'), pg_temp.w('c1')], decode(lpad('64', 64, '0'), 'hex')),
	(990030, 10, 1, pg_temp.w('aa'), 0, '0x00000000000000000000000000000000000000a1',
	 ARRAY[event_topic('Approval(address,address,uint256)'), pg_temp.w('01' || repeat('0', 22) || repeat('b', 40)), pg_temp.w('c1')],
	 decode(lpad('64', 64, '0'), 'hex')),
	(990030, 10, 2, pg_temp.w('aa'), 0, '0x00000000000000000000000000000000000000a2',
	 ARRAY[event_topic('Approval(address,address,uint256)'), pg_temp.w('b1'), pg_temp.w('c1'), pg_temp.w('5')], '\x'),
	(990030, 10, 3, pg_temp.w('aa'), 0, '0x00000000000000000000000000000000000000a1',
	 ARRAY[event_topic('Transfer(address,address,uint256)'), pg_temp.w('b1'), pg_temp.w('c1')], decode(lpad('ff', 64, '0'), 'hex'));
SELECT is(ingest_decode(990030, 0, 100), 2::bigint, 'ingest_decode() decodes the Approval and the Transfer');
SELECT results_eq(
	$$SELECT log_index, lower(token::text), lower(owner::text), lower(spender::text), value::text FROM amplified.amp_r_approvals$$,
	$$VALUES (0, '0x00000000000000000000000000000000000000a1', '0x00000000000000000000000000000000000000b1',
			  '0x00000000000000000000000000000000000000c1', '100')$$,
	'into the registered table, each column from its source; the dirty word and the other shape stay raw');
SELECT is(ingest_decode(990030, 0, 100), 0::bigint, 'decoding again adds nothing');
DELETE FROM ingest_event_decoders WHERE name = 'amp_r_approval';
DELETE FROM amplified.amp_r_approvals;

-- Refusals: where the target is, who owns it, its shape, and the layout.
CREATE TABLE public.amp_r_elsewhere (LIKE amplified.amp_r_approvals INCLUDING ALL);
SELECT is(pg_temp.outcome(NULL, pg_temp.approval('public.amp_r_elsewhere',
	'{"(token,emitter,address)","(owner,topic1,address)","(spender,topic2,address)","(value,word0,uint256)"}')),
	'42501', 'a target outside the extension''s schema is refused');
CREATE TABLE amplified.amp_r_theirs (LIKE amplified.amp_r_approvals INCLUDING ALL);
ALTER TABLE amplified.amp_r_theirs OWNER TO amp_r_mallory;
SELECT is(pg_temp.outcome(NULL, pg_temp.approval('amplified.amp_r_theirs',
	'{"(token,emitter,address)","(owner,topic1,address)","(spender,topic2,address)","(value,word0,uint256)"}')),
	'42501', 'a target the extension''s owner does not own is refused');
SELECT is(pg_temp.outcome('amp_r_admin', pg_temp.approval('amplified.erc20_transfers',
	'{"(token,emitter,address)","(sender,topic1,address)","(recipient,topic2,address)","(value,word0,uint256)"}')),
	'42501', 'the admin cannot point a decoder at one of the extension''s own tables');
SELECT is(pg_temp.outcome('amp_r_admin', pg_temp.approval('amplified.amp_r_approvals',
	'{"(token,emitter,address)","(owner,topic1,address)","(spender,topic2,address)","(value,word0,uint256)"}')),
	'ok', 'the admin registers a decoder into a table the extension''s owner made for it');
DELETE FROM ingest_event_decoders WHERE name = 'amp_r_approval';
CREATE VIEW amplified.amp_r_view AS SELECT * FROM amplified.amp_r_approvals;
SELECT is(pg_temp.outcome(NULL, pg_temp.approval('amplified.amp_r_view',
	'{"(token,emitter,address)","(owner,topic1,address)","(spender,topic2,address)","(value,word0,uint256)"}')),
	'42809', 'a target that is not a plain table is refused');

SELECT is(pg_temp.outcome(NULL, pg_temp.approval('amplified.amp_r_approvals', cols)), want, why)
  FROM (VALUES
	('{"(token,emitter,address)","(owner,topic3,address)","(spender,topic2,address)","(value,word0,uint256)"}', '22023',
	 'a topic the event does not have is refused'),
	('{"(token,emitter,address)","(owner,topic1,address)","(spender,topic2,address)","(value,word1,uint256)"}', '22023',
	 'a data word the event does not have is refused'),
	('{"(token,emitter,address)","(owner,topic1,address)","(spender,topic2,address)","(value,word0,uint8)"}', '22023',
	 'a type the decoder does not know is refused'),
	('{"(token,emitter,uint256)","(owner,topic1,address)","(spender,topic2,address)","(value,word0,uint256)"}', '22023',
	 'the emitter is an address'),
	('{"(token,emitter,address)","(owner,topic1,address)","(spender,topic2,address)","(value,data,uint256)"}', '22023',
	 'a source the decoder does not know is refused'),
	('{"(token,emitter,address)","(owner,topic1,address)","(owner,topic2,address)","(value,word0,uint256)"}', '22023',
	 'a column named twice is refused'),
	('{"(log_index,emitter,address)","(owner,topic1,address)","(spender,topic2,address)","(value,word0,uint256)"}', '22023',
	 'a key column is not the decoder''s'),
	('{"(token,emitter,address)","(owner,topic1,address)","(spender,topic2,address)","(value,word0,int256)"}', '42P16',
	 'a column of another SQL type than its ABI type is refused'),
	('{"(token,emitter,address)","(owner,topic1,address)","(spender,topic2,address)","(amount,word0,uint256)"}', '42P16',
	 'a column the table does not have is refused'),
	('{"(token,emitter,address)","(owner,topic1,address)","(spender,topic2,address)"}', '42P16',
	 'a column of the table the decoder does not fill is refused (the worker fills no default)')
  ) AS t(cols, want, why);

-- A target's constraints are checked where it is written (a restore adds
-- them after the registry's rows): ingest_decode() refuses to write it.
CREATE TABLE amplified.amp_r_nofk (
	chain_id bigint NOT NULL, block_number bigint NOT NULL, log_index integer NOT NULL, token address NOT NULL,
	PRIMARY KEY (chain_id, block_number, log_index));
SELECT is(pg_temp.outcome(NULL, pg_temp.approval('amplified.amp_r_nofk', '{"(token,emitter,address)"}')
	|| '; SELECT amplified.ingest_decode(990030, 0, 100)'),
	'42P16', 'a target that does not reference blocks with ON DELETE CASCADE is not written (a reorg would leave its rows)');
CREATE TABLE amplified.amp_r_nokey (
	chain_id bigint NOT NULL, block_number bigint NOT NULL, log_index integer NOT NULL, token address NOT NULL,
	FOREIGN KEY (chain_id, block_number) REFERENCES amplified.blocks ON DELETE CASCADE);
SELECT is(pg_temp.outcome(NULL, pg_temp.approval('amplified.amp_r_nokey', '{"(token,emitter,address)"}')
	|| '; SELECT amplified.ingest_decode(990030, 0, 100)'),
	'42P16', 'a target without a unique key on the log''s key is not written (decoding again would add rows twice)');
SELECT is(ingest_event_target_problem('amplified.amp_r_approvals'), NULL, 'a target with both has no problem');
SELECT is(pg_temp.outcome(NULL, $$INSERT INTO ingest_event_decoders (name, module, signature, ntopics, data_len, target, columns)
	VALUES ('amp_r_spaces', 'mine', 'Approval(address, address, uint256)', 3, 32, 'amplified.amp_r_approvals',
			'{"(token,emitter,address)","(owner,topic1,address)","(spender,topic2,address)","(value,word0,uint256)"}')$$),
	'23514', 'a signature that is not canonical is refused (its topic 0 would be wrong)');
SELECT is(pg_temp.outcome(NULL, $$INSERT INTO ingest_event_decoders (name, module, signature, ntopics, data_len, target, columns)
	VALUES ('amp_r_twice', 'mine', 'Transfer(address,address,uint256)', 3, 32, 'amplified.amp_r_approvals',
			'{"(token,emitter,address)","(owner,topic1,address)","(spender,topic2,address)","(value,word0,uint256)"}')$$),
	'23505', 'a second decoder of the same event and shape is refused');
SELECT is(pg_temp.outcome(NULL, $$INSERT INTO ingest_event_decoders (name, module, signature, ntopics, data_len, target, columns)
	VALUES ('amp_r_nft', 'mine', 'Transfer(address,address,uint256)', 4, 0, 'amplified.amp_r_approvals',
			'{"(token,emitter,address)","(owner,topic1,address)","(spender,topic2,address)","(value,topic3,uint256)"}')$$),
	'ok', 'the same event of another shape (an ERC-721 Transfer) may have a decoder of its own');

-- The builtin rows are the modules': an admin cannot take them away.
SELECT is(pg_temp.outcome('amp_r_admin', $$DELETE FROM ingest_event_decoders WHERE name = 'univ3_swap'$$),
	'42501', 'an admin cannot delete a builtin decoder');
SELECT is(pg_temp.outcome('amp_r_admin', $$UPDATE ingest_state_reads SET decode = NULL WHERE read = 'slot0()'$$),
	'42501', 'nor unset a builtin read''s decoder');
SELECT is(pg_temp.outcome('amp_r_admin', $$DELETE FROM ingest_kind_reads WHERE kind = 'univ3_pool'$$),
	'42501', 'nor drop a builtin kind''s reads');
SELECT is(pg_temp.outcome(NULL, $$INSERT INTO ingest_state_reads (read, module, decode) VALUES ('name()', 'mine', 'amplified.ingest_decode_reads')$$),
	'42P13', 'ingest''s own decoder cannot be registered as a protocol''s (it would call itself)');
SELECT is(pg_temp.outcome('amp_r_admin', $$UPDATE ingest_contract_kinds SET description = 'pools' WHERE kind = 'univ3_pool'$$),
	'ok', 'but may describe a builtin kind');

SELECT * FROM finish();
ROLLBACK;
