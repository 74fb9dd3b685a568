// decisions.json.js: every decision of every strategy, with its reasons, the
// risk gate's verdict and its intents' outcome (v_decisions).
import {query, emit} from "./db.js";

emit(await query(`
  SELECT at, decision_id, strategy, strategy_kind, block_number, repeats, action, status, reasons,
         risk_allowed, risk_level, risk_reasons, error, intents, intent_status, executed
    FROM v_decisions ORDER BY at, decision_id`));
