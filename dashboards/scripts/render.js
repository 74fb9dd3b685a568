// render.js: renders each dashboard page in headless Chromium and reports,
// one JSON line per page, what a reader would see go wrong.
//
//   node scripts/render.js BASE_URL OUT_DIR PAGE...
//
// Per page: console errors and uncaught exceptions, requests that failed or
// answered >= 400, requests to anything but BASE_URL's host (aborted: the
// pages must need no CDN), Framework's cell errors (.observablehq--error),
// the charts (.amp-chart) with the number of non-degenerate mark elements
// in each: shapes (path, rect, circle, line, use) outside axes, grids,
// rules and tips whose drawn box is not empty (a rect or path both wide and
// high, a line element of some length, a circle of some radius); text
// alone does not count, so a chart of all-zero bars, or of labels only, is
// empty), and the explicit empty states
// (.amp-empty).  It saves OUT_DIR/PAGE.png.  test/t/136_dashboards.pl judges.
import puppeteer from "puppeteer-core";

const [base, out, ...pages] = process.argv.slice(2);
const host = new URL(base).host;
const browser = await puppeteer.launch({
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium-headless-shell",
  headless: "shell",
  args: ["--no-sandbox", "--disable-gpu", "--font-render-hinting=none"]
});
try {
  for (const name of pages) {
    const page = await browser.newPage();
    await page.setViewport({width: 1200, height: 900});
    const report = {page: name, console_errors: [], page_errors: [], failed: [], external: []};
    page.on("console", (m) => m.type() === "error" && report.console_errors.push(m.text()));
    page.on("pageerror", (e) => report.page_errors.push(String(e)));
    page.on("requestfailed", (r) => new URL(r.url()).host === host && report.failed.push(`${r.url()} ${r.failure()?.errorText}`));
    page.on("response", (r) => r.status() >= 400 && report.failed.push(`${r.url()} ${r.status()}`));
    await page.setRequestInterception(true);
    page.on("request", (r) => {
      const u = new URL(r.url());
      if (u.protocol === "data:" || u.host === host) return r.continue();
      report.external.push(r.url());
      return r.abort();
    });
    await page.goto(new URL(name, base).href, {waitUntil: "networkidle0", timeout: 30000});
    // Framework renders cells asynchronously: wait until none is loading.
    await page.waitForFunction(() => document.querySelector("main") && !document.querySelector("observablehq-loading"), {timeout: 15000});
    Object.assign(report, await page.evaluate(() => {
      // a shape that draws something: a rect (bar, cell) or a path (line,
      // area) both wide and high (a flat line at zero draws nothing); a
      // circle with a radius; a line element with some length
      const drawn = (e) => {
        const b = e.getBBox();
        switch (e.tagName) {
          case "rect": return b.width > 0 && b.height > 0;
          case "circle": return Number(e.getAttribute("r")) > 0;
          case "line": return b.width > 0 || b.height > 0;
          default: return b.width > 0 && b.height > 0;
        }
      };
      const marks = (chart) => {
        let n = 0;
        for (const g of chart.querySelectorAll("g[aria-label]")) {
          if (/axis|grid|facet|tip|rule/.test(g.getAttribute("aria-label"))) continue;
          for (const e of g.querySelectorAll("path, circle, rect, line, use")) if (drawn(e)) n++;
        }
        return n;
      };
      return {
        title: document.title,
        cell_errors: Array.from(document.querySelectorAll(".observablehq--error"), (e) => e.textContent.slice(0, 300)),
        charts: Array.from(document.querySelectorAll(".amp-chart"), (c) => ({marks: marks(c), svgs: c.querySelectorAll("svg").length + (c.tagName === "svg" ? 1 : 0)})),
        empty: Array.from(document.querySelectorAll(".amp-empty"), (e) => e.textContent),
        tables: Array.from(document.querySelectorAll(".amp-table"), (t) => t.tBodies[0].rows.length)
      };
    }));
    await page.screenshot({path: `${out}/${name}.png`});
    process.stdout.write(JSON.stringify(report) + "\n");
    await page.close();
  }
} finally {
  await browser.close();
}
