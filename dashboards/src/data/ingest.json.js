// ingest.json.js: each chain's ingestion (v_ingest_status) and the blocks
// ingested per minute of block time (blocks).
import {query, emit} from "./db.js";

const chains = await query(`
  SELECT chain_id, name, enabled, state, head, indexed_block, lag, node_behind_by, last_error,
         blocks_per_sec, logs_per_sec, blocks_total, logs_total, reorgs, updated_at
    FROM v_ingest_status ORDER BY chain_id`);
const blocks = await query(`
  SELECT chain_id, date_trunc('minute', timestamp) AS minute, count(*)::int AS blocks, max(number) AS last_block
    FROM blocks GROUP BY 1, 2 ORDER BY 1, 2`);
emit({chains, blocks});
