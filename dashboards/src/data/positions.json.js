// positions.json.js: the Uniswap v3 ranges of the strategies (v_univ3_positions)
// with their pools' price over time (univ3_pool_states at each block), and the
// lending positions with their health factors (v_lend_positions).
import {query, num, emit} from "./db.js";

const ranges = (await query(`
  SELECT at, strategy, strategy_kind, pool::text AS pool, token_id::text AS token_id, block_number,
         tick_lower, tick_upper, pool_tick, in_range, liquidity::text AS liquidity,
         amount0::numeric / 1e18 AS amount0, amount1::numeric / 1e18 AS amount1,
         power(1.0001::float8, tick_lower) AS price_lower, power(1.0001::float8, tick_upper) AS price_upper,
         power(1.0001::float8, pool_tick) AS price
    FROM v_univ3_positions ORDER BY strategy, tick_lower`)).map((r) => ({...r, amount0: num(r.amount0), amount1: num(r.amount1)}));

// The price of each pool a strategy holds a range in, token1 per token0 in raw
// units (1.0001^tick), at every ingested state read.
const prices = await query(`
  SELECT b.timestamp AS at, s.block_number, s.pool::text AS pool, s.tick, power(1.0001::float8, s.tick) AS price
    FROM univ3_pool_states s JOIN blocks b ON b.chain_id = s.chain_id AND b.number = s.block_number
   WHERE s.pool IN (SELECT pool FROM v_univ3_positions)
   ORDER BY s.pool, s.block_number`);

const lending = (await query(`
  SELECT at, strategy, strategy_kind, protocol, role, block_number,
         supply_assets::numeric / 1e18 AS supply, borrow_assets::numeric / 1e18 AS debt,
         collateral::numeric / 1e18 AS collateral, health_factor, ltv, liquidation_price, supply_apy, borrow_apy
    FROM v_lend_positions ORDER BY strategy, role`)).map((r) => ({
  ...r, supply: num(r.supply), debt: num(r.debt), collateral: num(r.collateral),
  health_factor: num(r.health_factor), liquidation_price: num(r.liquidation_price)
}));

emit({ranges, prices, lending});
