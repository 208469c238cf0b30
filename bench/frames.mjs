// Frame benchmark (not a test): the page's script time per animation frame with 200 messages on
// the wire, measured from a Chromium trace. Run with `make bench-frames` (it builds dist/ first).
//
// Scenario: at most once (acks=0, so the producer does not wait), 200 messages sent at once over a
// 5 s network, played at normal speed. Each FireAnimationFrame in the trace is the app's rAF
// callback plus the yew render it triggers (microtasks run inside it).
import { spawn } from "node:child_process";
import { chromium } from "@playwright/test";

const port = 4180;
const server = spawn("node", ["tests/e2e/serve.mjs", "dist", String(port)], { stdio: "ignore" });
await new Promise((resolve) => setTimeout(resolve, 500));
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH || "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync"],
});
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await page.goto(`http://127.0.0.1:${port}/`);
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
  const frames = trace.traceEvents
    .filter((e) => e.name === "FireAnimationFrame" && e.ph === "X")
    .map((e) => e.dur / 1000)
    .sort((a, b) => a - b);
  if (frames.length === 0) throw new Error("no animation frames in the trace");
  const pct = (p) => frames[Math.min(frames.length - 1, Math.floor((p / 100) * frames.length))];
  console.log(`tokens on screen: min ${Math.min(...counts)}, max ${Math.max(...counts)}`);
  console.log(`frames measured: ${frames.length}`);
  console.log(`script time per frame (ms): p50 ${pct(50).toFixed(2)}, p95 ${pct(95).toFixed(2)}, max ${frames.at(-1).toFixed(2)}`);
} finally {
  await browser.close();
  server.kill();
}
