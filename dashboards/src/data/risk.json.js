// risk.json.js: the latest risk report of each strategy and total (v_risk),
// the VaR history (risk_reports), the stress losses per scenario of the
// latest reports, and the circuit breakers (v_risk_breakers).
import {query, num, emit} from "./db.js";

const latest = (await query(`
  SELECT at, coalesce(strategy, 'total') AS strategy, value, var95, cvar95, var99, cvar99, method,
         min_health_factor, stress, error
    FROM v_risk ORDER BY strategy_id NULLS LAST`)).map((r) => ({...r, value: num(r.value), min_health_factor: num(r.min_health_factor)}));

const history = (await query(`
  SELECT r.at, coalesce(s.name, 'total') AS strategy, r.var95, r.cvar95, r.var99, r.cvar99, r.value
    FROM risk_reports r LEFT JOIN strategies s ON s.id = r.strategy_id
   WHERE r.var95 IS NOT NULL ORDER BY r.at`)).flatMap((r) =>
  ["var95", "cvar95", "var99", "cvar99"].map((m) => ({at: r.at, strategy: r.strategy, measure: m, loss: r[m], value: num(r.value)})));

// stress: {scenario: {loss, loss_share, ...}} per report.
const stress = latest.flatMap((r) =>
  Object.entries(r.stress ?? {}).map(([scenario, s]) => ({
    strategy: r.strategy, scenario, loss: num(s?.loss), loss_share: num(s?.loss_share)
  })).filter((s) => s.loss != null));

const breakers = await query(`
  SELECT breaker_id, name, kind, enabled, level, since, value, detail, warn_at, reduce_only_at, halt_at,
         risk_halted, queue_paused, evaluated_at
    FROM v_risk_breakers ORDER BY breaker_id`);

emit({latest, history, stress, breakers});
