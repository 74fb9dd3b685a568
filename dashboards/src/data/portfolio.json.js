// portfolio.json.js: value against holding and the P&L components over time,
// from v_strategy_performance, the attribution per hour from
// v_pnl_attribution (its pnl_* columns, long form) when that view exists, and
// the ranking after risk (v_strategy_ranking).
import {query, num, emit} from "./db.js";

const performance = (await query(`
  SELECT at, strategy_id, strategy, strategy_kind, block_number, value, hold_value, fees, staking_yield,
         interest_earned, interest_paid, gas_eth, swap_cost, il, net_return, net_vs_hold, sharpe
    FROM v_strategy_performance ORDER BY strategy, at, block_number`)).map((r) => ({
  ...r,
  value: num(r.value), hold_value: num(r.hold_value), fees: num(r.fees), staking_yield: num(r.staking_yield),
  interest_earned: num(r.interest_earned), interest_paid: num(r.interest_paid), gas_eth: num(r.gas_eth),
  swap_cost: num(r.swap_cost)
}));

// The attribution view comes with the performance module; an install without
// it gets an explicit empty state (attribution_view false), never an empty chart.
const [{present}] = await query(`SELECT to_regclass('amplified.v_pnl_attribution') IS NOT NULL AS present`);
let attribution = [];
let period = null;
if (present) {
  // Hours when there are at least two, else blocks (a short history).
  const rows = await query(`SELECT s.name AS strategy_name, a.* FROM v_pnl_attribution a JOIN strategies s ON s.id = a.strategy_id
                             WHERE a.period = (SELECT CASE WHEN count(*) FILTER (WHERE period = 'hour') > 1 THEN 'hour' ELSE 'block' END
                                                 FROM v_pnl_attribution)
                             ORDER BY a.strategy_id, a.at`);
  for (const r of rows) {
    period = r.period;
    for (const [k, v] of Object.entries(r)) {
      if (k.startsWith("pnl_")) {
        attribution.push({strategy_id: r.strategy_id, strategy: r.strategy_name, at: r.at,
                          component: k.slice(4), amount: num(v), value_change: num(r.value_change)});
      }
    }
  }
}

// The ranking after risk over all days (as v_strategy_ranking's window
// "all"), ending at now() or, when chain time runs ahead of the clock (a
// test chain whose time was advanced), at the latest snapshot: one end for
// every strategy.
const ranking = await query(`
  SELECT rank() OVER (ORDER BY r.sharpe DESC NULLS LAST) AS rank, r.*
    FROM strategy_ranking(NULL, greatest(now(), (SELECT max(at) FROM strategy_snapshots) + interval '1 day')) r
   ORDER BY rank, r.strategy_id`);

emit({performance, attribution_view: present, attribution_period: period, attribution, ranking});
