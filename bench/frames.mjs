// Frame benchmark (not a test): the page's script time per animation frame with 200 messages on
// the wire, measured from a Chromium trace. Run with `make bench-frames` (it builds dist/ first).
//
// Scenario: at most once (acks=0, so the producer does not wait), 200 messages sent at once over a
// 5 s network, played at normal speed. Each FireAnimationFrame in the trace is the app's rAF
// callback plus the yew render it triggers (microtasks run inside it). Two figures per frame: the
// main thread's CPU time in it (thread time, `tdur`), which is the script's cost, and the wall time
// (`dur`), which on a 2-core machine also counts the moments the OS gave the core to the browser's
// raster and compositor threads.
import { withLabPage } from "./lab-page.mjs";

await withLabPage(4180, async (page, browser) => {
  await page.getByRole("combobox", { name: "Delivery semantics" }).selectOption("at-most-once");
  const set = async (selector, value) => {
    await page.locator(selector).fill(String(value));
    await page.locator(selector).press("Tab");
  };
  await set("#messages", 200);
  await set("#setting-lab-send-interval-ms", 0);
  await set("#setting-lab-network-latency-ms", 5000);
  await page.getByRole("button", { name: "Play" }).click();
  await page.waitForFunction(() => document.querySelectorAll(".token").length >= 200, null, { timeout: 30_000 });

  await browser.startTracing(page, { categories: ["devtools.timeline"] });
  const counts = [];
  for (let i = 0; i < 12; i++) {
    counts.push(await page.evaluate(() => document.querySelectorAll(".token").length));
    await page.waitForTimeout(250);
  }
  const trace = JSON.parse((await browser.stopTracing()).toString());
  const fired = trace.traceEvents.filter((e) => e.name === "FireAnimationFrame" && e.ph === "X");
  if (fired.length === 0) throw new Error("no animation frames in the trace");
  const summary = (values) => {
    const sorted = values.map((v) => v / 1000).sort((a, b) => a - b);
    const pct = (p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
    return `p50 ${pct(50).toFixed(2)}, p95 ${pct(95).toFixed(2)}, max ${sorted.at(-1).toFixed(2)}`;
  };
  console.log(`tokens on screen: min ${Math.min(...counts)}, max ${Math.max(...counts)}`);
  console.log(`frames measured: ${fired.length}`);
  console.log(`script CPU time per frame (ms): ${summary(fired.map((e) => e.tdur ?? e.dur))}`);
  console.log(`wall time per frame (ms):       ${summary(fired.map((e) => e.dur))}`);
});
