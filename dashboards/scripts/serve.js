// serve.js: serves the built dashboards (dashboards/dist) on 127.0.0.1.
//
//   node scripts/serve.js PORT [DIR]
//
// A static server with nothing but Node's http module: /portfolio serves
// portfolio.html (Framework's clean URLs), / serves index.html.  It listens
// on 127.0.0.1 only; scripts/demo.sh starts it in the background and
// scripts/stack.sh stop stops it.
import {createServer} from "node:http";
import {readFile, stat} from "node:fs/promises";
import {extname, join, normalize, resolve} from "node:path";

const port = Number(process.argv[2]);
const root = resolve(process.argv[3] ?? new URL("../dist", import.meta.url).pathname);
if (!Number.isInteger(port) || port <= 0) {
  console.error("usage: node scripts/serve.js PORT [DIR]");
  process.exit(2);
}

const types = {
  ".html": "text/html; charset=utf-8", ".js": "text/javascript", ".css": "text/css", ".json": "application/json",
  ".svg": "image/svg+xml", ".png": "image/png", ".csv": "text/csv", ".woff2": "font/woff2", ".ico": "image/x-icon"
};

/** file(path): the file a URL path names under root, or null (never outside root). */
async function file(path) {
  const clean = normalize(decodeURIComponent(path)).replace(/^(\.\.[/\\])+/, "");
  for (const candidate of [clean, clean.endsWith("/") ? clean + "index.html" : clean + ".html"]) {
    const full = join(root, candidate);
    if (!full.startsWith(root)) return null;
    try {
      if ((await stat(full)).isFile()) return full;
    } catch {
      // try the next candidate
    }
  }
  return null;
}

createServer(async (req, res) => {
  const found = await file(new URL(req.url, "http://localhost").pathname);
  if (!found) {
    res.writeHead(404, {"content-type": "text/plain"}).end("not found\n");
    return;
  }
  res.writeHead(200, {"content-type": types[extname(found)] ?? "application/octet-stream", "cache-control": "no-store"});
  res.end(await readFile(found));
}).listen(port, "127.0.0.1", () => console.log(`dashboards: http://127.0.0.1:${port}/ (${root})`));
