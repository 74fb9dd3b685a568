// db.js: the data loaders' connection to amplified's database.
//
// node-postgres reads PGHOST, PGPORT, PGUSER, PGPASSWORD and PGDATABASE from
// the environment; the loaders are meant to run as a role that has only
// amplified_reader (docs/dashboards.md: amplified_dashboard).  Numeric
// columns come back as strings (exact), and the loaders turn the ones they
// chart into numbers.
import pg from "pg";

/** query(sql, params): the rows of one statement, on a connection of its own. */
export async function query(sql, params = []) {
  const client = new pg.Client({application_name: "amplified-dashboards"});
  await client.connect();
  try {
    await client.query("SET search_path = amplified, public");
    return (await client.query(sql, params)).rows;
  } finally {
    await client.end();
  }
}

/** num(x): a numeric column (string or null) as a number, null kept. */
export function num(x) {
  return x == null ? null : Number(x);
}

/** emit(data): write a loader's JSON to standard output. */
export function emit(data) {
  process.stdout.write(JSON.stringify(data));
}
