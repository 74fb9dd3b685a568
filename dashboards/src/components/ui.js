// ui.js: the pages' small helpers: a chart or its explicit empty state, and a
// plain HTML table (no Inputs, which Framework would fetch from a CDN).

/** chart(rows, make, empty): make(rows) (a Plot figure) when there are rows, else a paragraph saying so. */
export function chart(rows, make, empty) {
  if (!rows || rows.length === 0) return emptyState(empty);
  const fig = make(rows);
  fig.classList.add("amp-chart");
  return fig;
}

/** emptyState(text): the paragraph a page shows instead of a chart without data. */
export function emptyState(text) {
  const p = document.createElement("p");
  p.className = "amp-empty";
  p.textContent = text;
  return p;
}

/** fmt(v): a cell's text: numbers to 6 significant digits, arrays joined, objects as JSON, dates ISO. */
export function fmt(v) {
  if (v == null) return "";
  if (typeof v === "number") return Number.isInteger(v) ? String(v) : v.toPrecision(6);
  if (v instanceof Date) return v.toISOString().replace("T", " ").replace(/\.\d+Z$/, "Z");
  if (Array.isArray(v)) return v.join(", ");
  if (typeof v === "object") return JSON.stringify(v);
  if (typeof v === "string" && /^\d{4}-\d\d-\d\dT/.test(v)) return v.replace("T", " ").replace(/\.\d+Z$/, "Z");
  return String(v);
}

/** table(rows, columns, empty): an HTML table of the columns (names, or [name, label]), or the empty state. */
export function table(rows, columns, empty) {
  if (!rows || rows.length === 0) return emptyState(empty);
  const cols = columns.map((c) => (Array.isArray(c) ? c : [c, c]));
  const t = document.createElement("table");
  t.className = "amp-table";
  const head = t.createTHead().insertRow();
  for (const [, label] of cols) head.appendChild(Object.assign(document.createElement("th"), {textContent: label}));
  const body = t.createTBody();
  for (const r of rows) {
    const tr = body.insertRow();
    for (const [name] of cols) tr.insertCell().textContent = fmt(r[name]);
  }
  return t;
}

/** dates(rows, ...keys): the rows with those keys turned into Date objects (JSON carries ISO strings). */
export function dates(rows, ...keys) {
  return rows.map((r) => {
    const o = {...r};
    for (const k of keys) if (o[k] != null) o[k] = new Date(o[k]);
    return o;
  });
}
