// queue.json.js: the transaction queue per signer (v_tx_queue) and the
// strategies' intents by status over time (tx_intents).
import {query, emit} from "./db.js";

const signers = await query(`
  SELECT as_of, chain_id, sender::text AS sender, signer_kind, signer_paused, queue_paused, next_nonce,
         in_flight, pending, signed, sent, mined, confirmed, failed, rejected, expired, cancelled, alerts, last_alert
    FROM v_tx_queue ORDER BY chain_id, sender`);
const intents = await query(`
  SELECT id, created_at, updated_at, status, kind, strategy_id, decision_id, nonce, block_number,
         split_part(idempotency_key, ':', 6) AS step
    FROM tx_intents ORDER BY id`);
emit({signers, intents});
