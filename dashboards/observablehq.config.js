// observablehq.config.js: the amplified dashboards (Observable Framework).
//
// Everything the pages import comes from dashboards/node_modules (installed
// from npm with the lock file): no npm: or CDN imports, no Google Fonts, no
// search (its index loads minisearch from a CDN), so a build and a page view
// need no network beyond the database the data loaders read.
//
// Framework's client, though, names libraries by "npm:" specifiers it would
// resolve against registry.npmjs.org when it bundles the client: the
// recommended libraries its standard library loads lazily (Plot, d3, DuckDB,
// React for JSX, ...).  These pages load none of them that way: they import
// @observablehq/plot from node_modules.  Framework takes a version directory
// in its npm cache as the answer to "which version", so the configuration
// makes one for each such library before the build, named with the version
// installed in node_modules when there is one and "0.0.0-offline" otherwise.
// A page that loaded one of them through "npm:" would make the build fetch it
// from jsDelivr, and with no network fail: loudly, never silently.
import {mkdirSync, readdirSync, readFileSync} from "node:fs";

const here = new URL("./", import.meta.url);
const client = new URL("node_modules/@observablehq/framework/dist/client/", here);
const names = new Set();
for (const file of readdirSync(client, {recursive: true})) {
  if (!String(file).endsWith(".js")) continue;
  for (const [, spec] of readFileSync(new URL(String(file), client), "utf8").matchAll(/["'`]npm:([^"'`]+)["'`]/g)) {
    const parts = spec.split("/");
    names.add(spec.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0]);
  }
}
for (const name of names) {
  let version = "0.0.0-offline";
  try {
    version = JSON.parse(readFileSync(new URL(`node_modules/${name}/package.json`, here), "utf8")).version;
  } catch {
    // not installed: the placeholder
  }
  mkdirSync(new URL(`src/.observablehq/cache/_npm/${name}@${version}/`, here), {recursive: true});
}

export default {
  root: "src",
  title: "amplified",
  pages: [
    {name: "Portfolio", path: "/portfolio"},
    {name: "Positions", path: "/positions"},
    {name: "Risk", path: "/risk"},
    {name: "Decisions", path: "/decisions"},
    {name: "Queue", path: "/queue"},
    {name: "Ingestion", path: "/ingestion"}
  ],
  style: "style.css",
  globalStylesheets: [],
  search: false,
  footer: "amplified dashboards: data read from the v_* views at build time.",
  toc: false,
  pager: false
};
