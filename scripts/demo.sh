#!/usr/bin/env bash
# scripts/demo.sh: the main job.  Starts (or keeps) the demo stack, a
# PostgreSQL cluster with amplified and pg_cron preloaded and a local anvil
# chain, creates the extensions, deploys the chain fixture, has amplified
# ingest it while traffic runs, then runs the strategy scenario: two vaults
# (anvil dev accounts 8 and 9, signed with key files), an lp_univ3 strategy on
# the wstETH/WETH pool and a stake strategy, LST rates growing over a
# simulated day, run_strategies() opening and staking, traffic pushing the
# price out of range, run_strategies() rebalancing, the tx worker signing,
# sending and mining each step.  It prints a short dashboard and how to use
# it.  The stack stays up: "make psql" opens psql on it, "make stop" stops it.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$("${PG_CONFIG:-pg_config}" --bindir):$PATH"

# The demo's database and chain are made with one build of amplified.  The
# version 0.1.0 is unreleased, so a rebuild changes its install script and
# library in place: an existing demo database would keep the old objects,
# and a running cluster the old library.  After a rebuild the stack is
# restarted and its database and chain start afresh.
demo_dir=$(scripts/stack.sh env demo | sed -nE 's/.* STACK_DIR=([^ ]+) .*/\1/p')
build=$(cat "$(pg_config --pkglibdir)/amplified.so" "$(pg_config --sharedir)/extension/amplified--0.1.0.sql" |
	md5sum | cut -d' ' -f1)
if [ -f "$demo_dir/build" ] && [ "$(cat "$demo_dir/build")" != "$build" ]; then
	echo "demo: amplified was rebuilt since the demo stack was made; starting its database and chain afresh"
	scripts/stack.sh stop demo >/dev/null
	rm -f "$demo_dir/anvil-state.json" "$demo_dir/deployment.json" "$demo_dir/build"
	scripts/stack.sh start demo
	scripts/stack.sh resetdb demo
fi
scripts/stack.sh start demo
eval "$(scripts/stack.sh env demo)"
q() { psql -X -q -v ON_ERROR_STOP=1 "$@"; }
rpc() {  # rpc METHOD PARAMS: the node's JSON answer
	curl -s -m 5 -H 'content-type: application/json' \
		--data "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"$1\",\"params\":$2}" "$CHAIN_RPC_URL"
}

# The database and the chain must describe the same chain.  The demo chain
# keeps its state across "make stop" (scripts/stack.sh), so they normally do;
# when the chain started empty all the same (its state dump was lost), the
# database's blocks, positions and decisions describe a chain that is gone,
# and the demo starts its database afresh rather than mix the two.
if [ "$(q -Atc "SELECT count(*) FROM pg_extension WHERE extname = 'amplified'")" = 1 ]; then
	last=$(q -Atc "SELECT number || ' ' || hash FROM amplified.blocks WHERE chain_id = 31337 ORDER BY number DESC LIMIT 1")
	if [ -n "$last" ]; then
		read -r num hash <<<"$last"
		have=$(rpc eth_getBlockByNumber "[\"$(printf '0x%x' "$num")\", false]" |
			sed -nE 's/.*"hash":"(0x[0-9a-fA-F]{64})".*/\1/p')
		if [ "${have,,}" != "${hash,,}" ]; then
			echo "demo: the chain has no block $num with hash $hash (it started afresh); starting the demo database afresh too"
			scripts/stack.sh resetdb demo
		fi
	fi
fi

q -c 'SET client_min_messages = warning; CREATE EXTENSION IF NOT EXISTS amplified; CREATE EXTENSION IF NOT EXISTS pg_cron;'
echo "$build" >"$demo_dir/build"

# The launcher starts its workers within a second or two of the extension.
for _ in $(seq 1 50); do
	[ "$(q -Atc "SELECT count(*) FROM amplified.workers() WHERE state = 'running'")" -ge 2 ] && break
	sleep 0.2
done

# The chain fixture: tokens (WETH, an LST and an LRT whose rates grow, USDC,
# DAI), Uniswap v3 pools and oracles, deployed once per chain (--reuse).
deployment=$STACK_DIR/deployment.json
AMP_QUIET=1 node test/chain/deploy.js --rpc "$CHAIN_RPC_URL" --out "$deployment" --reuse >/dev/null

# Ingest the chain: every pool, token and oracle of the fixture.
q >/dev/null <<SQL
SET search_path = amplified, public;
SELECT amplified.add_chain(31337, 'anvil', ARRAY['$CHAIN_RPC_URL'], confirmations => 0,
                           poll_interval => '500 ms')
 WHERE NOT EXISTS (SELECT 1 FROM amplified.chains WHERE chain_id = 31337);
SELECT amplified.watch_contract(31337, (c->>'address')::amplified.address, c->>'label', c->>'kind', 0,
                                CASE WHEN c->>'kind' IN ('univ3_pool', 'lst', 'oracle') THEN 1 ELSE 0 END)
  FROM jsonb_array_elements(
         (SELECT jsonb_agg(jsonb_build_object('address', p->>'address', 'label', 'pool ' || k, 'kind', 'univ3_pool'))
            FROM jsonb_each(pg_read_file('$deployment')::jsonb->'pools') AS e(k, p))
      || (SELECT jsonb_agg(jsonb_build_object('address', t->>'address', 'label', k,
                 'kind', CASE WHEN t ? 'rate' THEN 'lst' ELSE 'erc20' END))
            FROM jsonb_each(pg_read_file('$deployment')::jsonb->'tokens') AS e(k, t))
      || (SELECT jsonb_agg(jsonb_build_object('address', o->>'address', 'label', 'oracle ' || k, 'kind', 'oracle'))
            FROM jsonb_each(pg_read_file('$deployment')::jsonb->'oracles') AS e(k, o))) AS c
 WHERE NOT EXISTS (SELECT 1 FROM amplified.watched_contracts w
                    WHERE w.chain_id = 31337 AND w.address = (c->>'address')::amplified.address);
-- State reads at every block for what the strategies read (pool prices, LST rates, oracles).
UPDATE amplified.watched_contracts SET read_every = 1
 WHERE chain_id = 31337 AND kind IN ('univ3_pool', 'lst', 'oracle') AND read_every = 0;
-- Lending: Morpho Blue (events), its IRM and oracles; the Aave v3 Pool (its
-- reserves' data and the leverage accounts' health, read every block), the
-- tokens of the accounts' positions and the Aave oracle.
WITH d AS (SELECT pg_read_file('$deployment')::jsonb AS j),
     acct AS (SELECT array_agg((a ->> 'address')::amplified.address ORDER BY k) AS a
                FROM d, jsonb_each(d.j -> 'leverageAccounts') AS e(k, a)),
     r AS (SELECT array_agg((x ->> 'asset')::amplified.address ORDER BY k) AS assets
             FROM d, jsonb_each(d.j -> 'aave' -> 'reserves') AS e(k, x)),
     c(address, label, kind, read_every, holders) AS (
	SELECT d.j -> 'morpho' ->> 'address', 'Morpho Blue', 'morpho_blue', 0, '{}'::amplified.address[] FROM d
	UNION ALL SELECT d.j -> 'morpho' ->> 'irm', 'AdaptiveCurveIrm', 'morpho_irm', 0, '{}' FROM d
	UNION ALL SELECT m -> 'oracle' ->> 'address', 'Morpho oracle ' || k, 'morpho_oracle', 1, '{}'
	            FROM d, jsonb_each(d.j -> 'morpho' -> 'markets') AS e(k, m)
	UNION ALL SELECT d.j -> 'aave' ->> 'pool', 'Aave Pool', 'aave_pool', 1, r.assets || acct.a FROM d, r, acct
	UNION ALL SELECT d.j -> 'aave' ->> 'oracle', 'AaveOracle', 'aave_oracle', 1, r.assets FROM d, r
	UNION ALL SELECT x ->> t, k || ' ' || t, 'aave_token', 1, acct.a
	            FROM d, acct, jsonb_each(d.j -> 'aave' -> 'reserves') AS e(k, x), unnest(ARRAY['aToken', 'variableDebtToken']) AS t
	UNION ALL SELECT o ->> 'address', 'Aave feed ' || k, 'oracle', 1, '{}'
	            FROM d, jsonb_each(d.j -> 'aave' -> 'oracles') AS e(k, o))
SELECT amplified.watch_contract(31337, c.address::amplified.address, c.label, c.kind, 0, c.read_every, c.holders)
  FROM c
 WHERE NOT EXISTS (SELECT 1 FROM amplified.watched_contracts w
                    WHERE w.chain_id = 31337 AND w.address = c.address::amplified.address);
SQL

# Some traffic: swaps that move prices, mints, burns, transfers, rate and oracle updates.
AMP_QUIET=1 node test/chain/traffic.js --rpc "$CHAIN_RPC_URL" --deployment "$deployment" --rounds 3 --seed 17 >/dev/null
head=$(curl -s -m 2 -H 'content-type: application/json' \
	--data '{"jsonrpc":"2.0","id":1,"method":"eth_blockNumber","params":[]}' "$CHAIN_RPC_URL" |
	sed -E 's/.*"result":"([^"]*)".*/\1/')
for _ in $(seq 1 150); do
	[ "$(q -Atc "SELECT coalesce(indexed_block >= $((head)) AND backfill_done_blocks = backfill_total_blocks, false) FROM amplified.v_ingest_status WHERE chain_id = 31337")" = t ] && break
	sleep 0.2
done

# ---- the strategy scenario ----
final="('confirmed', 'failed', 'rejected', 'expired', 'cancelled')"
wait_ingested() {
	local head
	head=$(curl -s -m 2 -H 'content-type: application/json' \
		--data '{"jsonrpc":"2.0","id":1,"method":"eth_blockNumber","params":[]}' "$CHAIN_RPC_URL" |
		sed -E 's/.*"result":"([^"]*)".*/\1/')
	for _ in $(seq 1 300); do
		[ "$(q -Atc "SELECT coalesce(max(number), 0) >= $((head)) FROM amplified.blocks WHERE chain_id = 31337")" = t ] && return 0
		sleep 0.2
	done
	echo "demo: ingestion did not reach block $((head))" >&2
}
wait_settled() {
	for _ in $(seq 1 600); do
		[ "$(q -Atc "SELECT count(*) FROM amplified.tx_intents WHERE status NOT IN $final")" = 0 ] && break
		sleep 0.2
	done
	wait_ingested
}
scenario() { AMP_QUIET=1 node test/chain/scenario.js --rpc "$CHAIN_RPC_URL" --deployment "$deployment" "$@"; }
lending() { AMP_QUIET=1 node test/chain/lending_scenario.js --rpc "$CHAIN_RPC_URL" --deployment "$deployment" "$@"; }
dep() { node -e "const d = require('$deployment'); console.log($1)"; }

# anvil's well-known development accounts 8 and 9 (public test keys), in key
# files only the server's OS user can read.
LP_VAULT=0x23618e81e3f5cdf7f54c3d65f7fbc0abf5b21e8f
LP_KEY=dbda1821b80551c9d65939329250298aa3472ba22feea921c0cf5d620ea67b97
ST_VAULT=0xa0ee7a142d267c1f36714e4a8f75612f20a79720
ST_KEY=2a871d0798f97d79848a013d4936a73bf4cc922c825d33c1cf7073dff6d409c6
keys=$STACK_DIR/keys
mkdir -p "$keys"
printf '0x%s\n' "$LP_KEY" >"$keys/$LP_VAULT.key"
printf '0x%s\n' "$ST_KEY" >"$keys/$ST_VAULT.key"
# Accounts 6 and 7 own the lend and leverage strategies' AmpLeverageAccounts.
LEND_OWNER=0x976ea74026e726554db657fa54763abd0c3a0aa9
LEND_KEY=92db14e403b83dfe3df233f83dfa3a0d7096f21ca9b0d6d6b8d88b2b4ec1564e
LEV_OWNER=0x14dc79964da2c08b23698b3d3cc7ca32193d9955
LEV_KEY=4bbbf85ce3377467afe5d46f804f221813b2bb87f24d81f60f1fcdbf7cbf4356
printf '0x%s\n' "$LEND_KEY" >"$keys/$LEND_OWNER.key"
printf '0x%s\n' "$LEV_KEY" >"$keys/$LEV_OWNER.key"
chmod 700 "$keys"; chmod 600 "$keys"/*.key
[ "$(id -u)" -eq 0 ] && chown -R postgres:postgres "$keys"
q >/dev/null -c "ALTER SYSTEM SET amplified.keys_dir = '$keys'" -c "SELECT pg_reload_conf()"

POOL=$(dep "d.pools['wstETH-WETH-500'].address"); POOL2=$(dep "d.pools['weETH-WETH-500'].address")
NPM=$(dep "d.uniswap.positionManager"); ROUTER=$(dep "d.uniswap.swapRouter")
WETH=$(dep "d.tokens.WETH.address"); WSTETH=$(dep "d.tokens.wstETH.address"); WEETH=$(dep "d.tokens.weETH.address")
NUMERAIRE=$(dep "d.pools['wstETH-WETH-500'].token0 === d.tokens.WETH.address ? 'token0' : 'token1'")
APPRECIATING=$(dep "d.pools['wstETH-WETH-500'].token0 === d.tokens.wstETH.address ? 'token0' : 'token1'")
MORPHO=$(dep "d.morpho.address"); AAVE_POOL=$(dep "d.aave.pool")
LEND_ACCOUNT=$(dep "d.leverageAccounts['6'].address"); LEV_ACCOUNT=$(dep "d.leverageAccounts['7'].address")
MKT=$(dep "JSON.stringify(d.morpho.markets['wstETH/WETH'].params)"); MKT2=$(dep "JSON.stringify(d.morpho.markets['weETH/WETH'].params)")
POOL3=$(dep "d.pools['wstETH-WETH-3000'].address")

fresh=$(q -Atc "SELECT count(*) = 0 FROM amplified.strategies")
if [ "$fresh" = t ]; then
	# Fresh vaults (10 WETH + 10 wstETH; 20 WETH), then a day in which weETH's
	# rate grows 2 bps and wstETH's 1 bp every three hours.
	scenario vaults --lp "$LP_VAULT" --stake "$ST_VAULT" >/dev/null
	# The lender's account gets 20 WETH, the leverage account 2 wstETH.
	lending fund --owner 6 --token WETH --amount 20 >/dev/null
	lending fund --owner 7 --token wstETH --amount 2 >/dev/null
	# Ten days of history first: wstETH's rate grows 1 to 3 bps every six
	# hours (seeded), the series the forecasting step learns from.
	scenario grow --hours 240 --steps 40 --wsteth-bps 2 --weeth-bps 2 --jitter 1 --seed 7 >/dev/null
	scenario grow --hours 24 --steps 8 --wsteth-bps 1 --weeth-bps 2 >/dev/null
	wait_ingested
	q >/dev/null <<SQL
SET search_path = amplified, public;
-- the market layer's feed of wstETH's exchange rate (docs/market.md)
INSERT INTO market_feeds (chain_id, asset, quote, source, contract, scale)
SELECT 31337, '$WSTETH', NULL, 'lst_rate', '$WSTETH', -18
 WHERE NOT EXISTS (SELECT 1 FROM market_feeds f WHERE f.chain_id = 31337 AND f.asset = '$WSTETH'::address AND f.source = 'lst_rate');
SQL
	# The pool then trades wstETH 1 % under the Morpho market's oracle, as
	# LST pools often do (traffic leaves it anywhere; this makes the run the
	# same every time, and the leverage strategy's swap worth doing).
	disc_tick=$(q -Atc "SELECT floor(ln(CASE WHEN '$APPRECIATING' = 'token0' THEN r ELSE 1 / r END) / ln(1.0001))::int
		FROM (SELECT (m.price::numeric / 1e36 * 0.99)::float8 AS r
		        FROM (SELECT '$MKT'::jsonb AS j) y, LATERAL amplified.lend_market_at(31337, amplified.morpho_market_id(
		             (j ->> 'loanToken')::amplified.address, (j ->> 'collateralToken')::amplified.address, (j ->> 'oracle')::amplified.address,
		             (j ->> 'irm')::amplified.address, (j ->> 'lltv')::amplified.uint256), amplified.ingest_head_block(31337)) m) x")
	scenario push --pool wstETH-WETH-500 --tick "$disc_tick" >/dev/null
	wait_ingested
	# Forecasting (docs/forecast.md): an ARIMA of wstETH's yield spread over
	# the Morpho wstETH/WETH market's borrow APY in six-hour buckets, trained
	# and backtested walk-forward beside naive baselines; the project's first
	# model is live, and the leverage strategy's carry comes from it.
	q >/dev/null <<SQL
SET search_path = amplified, public;
SELECT forecast_backtest(forecast_train('wsteth_spread', 'arima',
	format(\$q\$SELECT at, spread FROM amplified.forecast_spread_features(31337, %L, %L, %L::timestamptz - interval '10 days', %L, '6 hours')
	  WHERE spread IS NOT NULL ORDER BY at\$q\$, '$WSTETH', x.mid, x.t, x.t),
	'spread', '{"seed": 1}'), folds => 5, horizon => 2)
  FROM (SELECT morpho_market_id((m ->> 'loanToken')::address, (m ->> 'collateralToken')::address, (m ->> 'oracle')::address, (m ->> 'irm')::address, (m ->> 'lltv')::uint256)::text AS mid,
			   (SELECT max(b.timestamp) FROM blocks b WHERE b.chain_id = 31337) AS t
		  FROM (SELECT '$MKT'::jsonb AS m) y) x;
SQL
	q >/dev/null <<SQL
SET search_path = amplified, public;
SELECT add_signer(31337, '$LP_VAULT', 'key_file');
SELECT add_signer(31337, '$ST_VAULT', 'key_file');
SELECT add_signer(31337, '$LEND_OWNER', 'key_file');
SELECT add_signer(31337, '$LEV_OWNER', 'key_file');
SELECT strategy_create('lend WETH', 'lend', 31337, '$LEND_OWNER', jsonb_build_object(
	'account', '$LEND_ACCOUNT', 'asset', '$WETH', 'horizon', '30 days', 'min_trade', 0.1,
	'candidates', jsonb_build_array(
		jsonb_build_object('protocol', 'morpho_blue', 'morpho', '$MORPHO', 'collateral_token', m ->> 'collateralToken',
			'oracle', m ->> 'oracle', 'irm', m ->> 'irm', 'lltv', m ->> 'lltv'),
		jsonb_build_object('protocol', 'morpho_blue', 'morpho', '$MORPHO', 'collateral_token', m2 ->> 'collateralToken',
			'oracle', m2 ->> 'oracle', 'irm', m2 ->> 'irm', 'lltv', m2 ->> 'lltv'),
		jsonb_build_object('protocol', 'aave_v3', 'pool', '$AAVE_POOL'))), enabled => true)
  FROM (SELECT '$MKT'::jsonb AS m, '$MKT2'::jsonb AS m2) x;
SELECT strategy_create('leverage wstETH (Morpho)', 'leverage', 31337, '$LEV_OWNER', jsonb_build_object(
	'protocol', 'morpho_blue', 'account', '$LEV_ACCOUNT', 'morpho', '$MORPHO', 'oracle', m ->> 'oracle', 'irm', m ->> 'irm',
	'lltv', m ->> 'lltv', 'collateral_token', '$WSTETH', 'loan_token', '$WETH', 'swap_pool', '$POOL',
	'target_ltv', 0.75, 'band', 0.03, 'carry_window', '24 hours', 'max_loss_bps', 500, 'slippage_bps', 50,
	'carry_project', 'wsteth_spread', 'carry_bucket', '6 hours', 'carry_lookback', 12, 'carry_horizon', 2), enabled => true)
  FROM (SELECT '$MKT'::jsonb AS m) x;
SQL
	# Run 0: the lender supplies, the leverage strategy loops to its target
	# LTV (its swap moves the wstETH/WETH pool: before the LP vault places
	# its range there).
	q -Atc "SELECT amplified.run_strategies(strategy_ids => ARRAY(SELECT id FROM amplified.strategies WHERE kind IN ('lend', 'leverage')))" >/dev/null
	wait_settled
	q >/dev/null <<SQL
SET search_path = amplified, public;
SELECT strategy_create('lp wstETH/WETH', 'lp_univ3', 31337, '$LP_VAULT', jsonb_build_object(
	'pool', '$POOL', 'position_manager', '$NPM', 'swap_router', '$ROUTER', 'numeraire', '$NUMERAIRE',
	'sigma', 0.01, 'k', 2, 'horizon_days', 1, 'swap', true,
	'appreciating', '$APPRECIATING', 'apr', 'auto', 'apr_window', '6 hours'), enabled => true);
SELECT strategy_create('stake ETH', 'stake', 31337, '$ST_VAULT', jsonb_build_object(
	'base_token', '$WETH', 'swap_router', '$ROUTER', 'apr_window', '6 hours', 'stake_share', 0.1, 'min_trade', 0.05,
	'candidates', jsonb_build_array(jsonb_build_object('token', '$WSTETH', 'pool', '$POOL'),
									jsonb_build_object('token', '$WEETH', 'pool', '$POOL2'))), enabled => true);
SQL
	# Run 1: the LP vault opens its range, the stake vault stakes.
	q -Atc "SELECT amplified.run_strategies()" >/dev/null
	wait_settled
	# Traffic pushes the price below everything the LP vault placed.
	lowest=$(q -Atc "SELECT min((r ->> 'tick_lower')::int) FROM amplified.decisions d, jsonb_array_elements(d.plan -> 'rows') r
		WHERE d.action = 'open' AND d.status = 'enqueued' AND r ->> 'role' <> 'idle'")
	scenario push --pool wstETH-WETH-500 --tick $((lowest - 60)) >/dev/null
	wait_ingested
	# Run 2: the LP vault rebalances.
	q -Atc "SELECT amplified.run_strategies()" >/dev/null
	wait_settled
	# The oracles drop wstETH 6 % below its exchange rate: the leverage
	# strategy's LTV leaves its band, and run 3 deleverages on chain.
	lending depeg --token wstETH --bps 600 >/dev/null
	wait_ingested
	q -Atc "SELECT amplified.run_strategies()" >/dev/null
	wait_settled
fi
# From now on pg_cron runs the strategies every minute.
q >/dev/null -c "SELECT * FROM amplified.schedule_defaults()"

chain_id=$(curl -s -m 2 -H 'content-type: application/json' \
	--data '{"jsonrpc":"2.0","id":1,"method":"eth_chainId","params":[]}' "$CHAIN_RPC_URL" |
	sed -E 's/.*"result":"([^"]*)".*/\1/')
block=$(curl -s -m 2 -H 'content-type: application/json' \
	--data '{"jsonrpc":"2.0","id":1,"method":"eth_blockNumber","params":[]}' "$CHAIN_RPC_URL" |
	sed -E 's/.*"result":"([^"]*)".*/\1/')

cat <<TXT

amplified demo
==============
PostgreSQL  $(q -Atc 'SHOW server_version') on port $PGPORT, database $PGDATABASE (socket $PGHOST; TCP 127.0.0.1)
extensions  $(q -Atc "SELECT string_agg(extname || ' ' || extversion, ', ' ORDER BY extname) FROM pg_extension WHERE extname IN ('amplified', 'pg_cron')")
chain       anvil at $CHAIN_RPC_URL, chain id $((chain_id)), block $((block))

Background workers (SELECT * FROM amplified.v_workers):
TXT
q -c "SELECT kind, pid, state, coalesce(detail, '') AS detail, restarts, last_heartbeat_at FROM amplified.v_workers ORDER BY kind"
echo "Ingestion (SELECT * FROM amplified.v_ingest_status):"
q -c "SELECT chain_id, name, state, head, indexed_block, lag, blocks_total, logs_total, reorgs FROM amplified.v_ingest_status"
echo "Latest swaps, decoded (amplified.univ3_swaps):"
q -c "SELECT s.block_number, w.label AS pool, s.amount0::numeric AS amount0, s.amount1::numeric AS amount1, s.tick
        FROM amplified.univ3_swaps s JOIN amplified.watched_contracts w ON w.chain_id = s.chain_id AND w.address OPERATOR(amplified.=) s.pool
       ORDER BY s.block_number DESC, s.log_index DESC LIMIT 5"
# Positions as they are on chain now (run_strategies() syncs them before deciding).
q >/dev/null -c "SELECT count(*) FROM amplified.strategies s, amplified.strategy_sync_positions(s.id)"
echo "Strategies: positions (SELECT * FROM amplified.v_positions; debts are negative):"
q -c "SELECT p.strategy, p.protocol, coalesce(w.label, p.asset::text) AS asset, p.position_id AS id,
             CASE WHEN p.protocol = 'token' THEN round(amplified.to_units(p.amount, 18), 6) END AS amount
        FROM amplified.v_positions p LEFT JOIN amplified.watched_contracts w ON w.chain_id = p.chain_id AND w.address OPERATOR(amplified.=) p.asset
       WHERE p.protocol <> 'token' OR p.amount OPERATOR(amplified.<>) 0 ORDER BY p.strategy, p.protocol, p.position_id"
echo "Uniswap v3 NFTs (SELECT * FROM amplified.v_univ3_positions):"
q -c "SELECT p.strategy, p.token_id AS nft, '[' || p.tick_lower || ', ' || p.tick_upper || ')' AS range, p.in_range,
             round(amplified.to_units(p.amount0, 18), 6) AS amount0, round(amplified.to_units(p.amount1, 18), 6) AS amount1
        FROM amplified.v_univ3_positions p ORDER BY p.strategy, p.tick_lower"
echo "Lending positions (SELECT * FROM amplified.v_lend_positions; amounts in whole tokens):"
q -c "SELECT strategy, protocol, role, round(supply_assets::numeric / 1e18, 4) AS supply, round(borrow_assets::numeric / 1e18, 4) AS debt,
             round(collateral::numeric / 1e18, 4) AS collateral, round(health_factor, 4) AS health_factor, round(ltv::numeric, 4) AS ltv,
             round(supply_apy::numeric, 4) AS supply_apy, round(borrow_apy::numeric, 4) AS borrow_apy
        FROM amplified.v_lend_positions
       WHERE coalesce(supply_assets::numeric, 0) + coalesce(borrow_assets::numeric, 0) + coalesce(collateral::numeric, 0) > 0
          OR strategy_kind = 'leverage'
       ORDER BY strategy, role"
echo "Decisions with their reasons (SELECT * FROM amplified.v_decisions):"
q -c "SELECT decision_id AS id, strategy, block_number AS block, action, status, array_to_string(reasons, ',') AS reasons,
             coalesce(array_to_string(risk_reasons, ','), '') AS risk, intents, executed, repeats
        FROM amplified.v_decisions ORDER BY decision_id"
echo "Forecasting: each model against its naive baselines (SELECT * FROM amplified.v_forecast_models):"
q -c "SELECT model_id, project, kind, live, train_rows, folds, round(rmse::numeric, 5) AS rmse, best_baseline,
             round(best_baseline_rmse::numeric, 5) AS baseline_rmse, round(skill::numeric, 3) AS skill, verdict
        FROM amplified.v_forecast_models ORDER BY model_id"
echo "The leverage strategy's carry, from the live model (decisions.plan -> carry_forecast):"
q -c "SELECT d.id AS decision, d.action, (d.plan -> 'carry_forecast' ->> 'model_id') AS model,
             round((d.plan -> 'carry_forecast' ->> 'mean')::numeric, 4) AS carry_forecast,
             round((d.plan ->> 'trailing_carry')::numeric, 4) AS trailing_carry
        FROM amplified.decisions d JOIN amplified.strategies s ON s.id = d.strategy_id
       WHERE s.kind = 'leverage' ORDER BY d.id"
echo "Every decision replayed on its stored inputs (SELECT amplified.strategy_replay(id)):"
q -c "SELECT count(*) AS decisions, count(*) FILTER (WHERE (amplified.strategy_replay(d.id) ->> 'matches')::boolean) AS replay_identically
        FROM amplified.decisions d WHERE d.status <> 'error'"
echo "Transactions (amplified.tx_intents, tx_attempts):"
q -c "SELECT t.id, t.decision_id AS decision, split_part(t.idempotency_key, ':', 6) AS step, t.status, t.nonce, t.block_number AS block,
             a.gas_used, left(t.tx_hash::text, 18) || '…' AS tx
        FROM amplified.tx_intents t LEFT JOIN amplified.tx_attempts a ON a.intent_id = t.id AND a.gas_used IS NOT NULL
       WHERE t.strategy_id IS NOT NULL ORDER BY t.id"
echo "P&L against holding (SELECT * FROM amplified.v_strategy_performance), latest:"
q -c "SELECT DISTINCT ON (strategy) strategy, at, round(value, 6) AS value, round(hold_value, 6) AS hold,
             round(fees, 6) AS fees, round(staking_yield, 8) AS staking_yield,
             round(interest_earned, 9) AS interest_earned, round(interest_paid, 9) AS interest_paid,
             round(gas_eth, 9) AS gas_eth, round(swap_cost, 9) AS swap_cost,
             round(il::numeric * 100, 3) AS il_pct, round(net_vs_hold::numeric * 100, 3) AS net_vs_hold_pct
        FROM amplified.v_strategy_performance ORDER BY strategy, at DESC, block_number DESC"
echo "pg_cron (SELECT * FROM cron.job): run_strategies() every minute, housekeeping daily"
q -c "SELECT jobname, schedule, command FROM cron.job WHERE jobname LIKE 'amplified-%' ORDER BY jobname"
# The dashboards (docs/dashboards.md): built from the views as
# amplified_dashboard, a login role with only amplified_reader, and served on
# 127.0.0.1 until make stop.
q >/dev/null <<'SQL'
DO $$ BEGIN
	IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'amplified_dashboard') THEN
		CREATE ROLE amplified_dashboard LOGIN IN ROLE amplified_reader;
	END IF;
END $$;
SQL
PGUSER=amplified_dashboard scripts/dashboards.sh build
dash_url=$(DASHBOARDS_RUN_DIR=$STACK_DIR scripts/dashboards.sh serve "${DASHBOARDS_PORT:-18580}" | sed -nE 's/^dashboards: (http[^ ]+)$/\1/p')
echo "Dashboards: $dash_url (portfolio, positions, risk, decisions, queue, ingestion; rebuilt by make demo or make dashboards)"
cat <<TXT
Use it:
  make psql                       psql on the demo database (or: echo 'SELECT ...' | make psql)
  psql "host=127.0.0.1 port=$PGPORT user=postgres dbname=$PGDATABASE"
  $dash_url    the dashboards (make dashboards rebuilds them)
  make stop                       stop the cluster, the chain and the dashboards' server
Explore, in make psql:
  SELECT jsonb_pretty(inputs) FROM amplified.decisions WHERE action = 'rebalance';   what the policy saw
  SELECT jsonb_pretty(plan) FROM amplified.decisions WHERE action = 'rebalance';     what it placed, and the swap
  SELECT * FROM amplified.txq_history(1);                                           one transaction's audit trail
  SELECT amplified.run_strategies();                                                run by hand (idempotent)
  SELECT amplified.risk_halt('demo'); SELECT amplified.run_strategies();             a kill switch blocks decisions
Read on: docs/index.md, docs/strategies.md, docs/dashboards.md
TXT
