// decisions.json.js: every decision of every strategy, with its reasons, the
// risk gate's verdict and its intents' outcome (v_decisions); what each
// enqueued decision expected against what it realised after its horizon
// (v_decision_outcomes), and those summed per strategy and action, with the
// return on gas and the calibration of the expectations (v_strategy_outcomes).
import {query, num, emit} from "./db.js";

const decisions = await query(`
  SELECT at, decision_id, strategy, strategy_kind, block_number, repeats, action, status, reasons,
         risk_allowed, risk_level, risk_reasons, error, intents, intent_status, executed
    FROM v_decisions ORDER BY at, decision_id`);
const outcomes = (await query(`
  SELECT decision_id, strategy, action, at, horizon::text AS horizon, due_at, outcome, expected_gain, expected_costs,
         expected_value_change, realised_value_change, gas_eth, expected_source
    FROM v_decision_outcomes ORDER BY at, decision_id`)).map((r) => ({
  ...r, expected_gain: num(r.expected_gain), expected_costs: num(r.expected_costs),
  expected_value_change: num(r.expected_value_change), realised_value_change: num(r.realised_value_change), gas_eth: num(r.gas_eth)
}));
const summary = await query(`
  SELECT strategy, action, decisions, pending, realised, expected_gain, expected_costs, expected_value_change,
         realised_value_change, gas_eth, calibration_ratio, sign_hit_rate, return_on_gas
    FROM v_strategy_outcomes ORDER BY strategy, action`);
emit({decisions, outcomes, summary});
