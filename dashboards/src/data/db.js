// db.js: the data loaders' connection to amplified's database.
//
// node-postgres reads PGHOST, PGPORT, PGUSER, PGPASSWORD and PGDATABASE from
// the environment; the loaders are meant to run as a role that has only
// amplified_reader (docs/dashboards.md: amplified_dashboard), and refuse
// to run as a superuser or as a member of amplified_operator or
// amplified_admin: a dashboard build must not hold the power to act.
// Numeric columns come back as strings (exact), and the loaders turn the
// ones they chart into numbers.
import pg from "pg";

/** refuseWideRole(client): throw when the connected role can do more than read. */
async function refuseWideRole(client) {
  const {rows} = await client.query(`
    SELECT r.rolname, r.rolsuper,
           (SELECT coalesce(string_agg(g.rolname, ', ' ORDER BY g.rolname), '')
              FROM pg_roles g
             WHERE g.rolname IN ('amplified_operator', 'amplified_admin')
               AND pg_has_role(r.oid, g.oid, 'MEMBER')) AS wide
      FROM pg_roles r WHERE r.rolname = current_user`);
  const r = rows[0];
  if (r.rolsuper)
    throw new Error(`dashboards: refusing to read as ${r.rolname}, a superuser: connect as a role with only amplified_reader (PGUSER=amplified_dashboard, docs/dashboards.md)`);
  if (r.wide)
    throw new Error(`dashboards: refusing to read as ${r.rolname}, a member of ${r.wide}: connect as a role with only amplified_reader (PGUSER=amplified_dashboard, docs/dashboards.md)`);
}

/** query(sql, params): the rows of one statement, on a connection of its own. */
export async function query(sql, params = []) {
  const client = new pg.Client({application_name: "amplified-dashboards"});
  await client.connect();
  try {
    await refuseWideRole(client);
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
