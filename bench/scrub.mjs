// Scrub benchmark (not a test): how long the page takes to show another step of a long run when
// the timeline jumps: from the input event to the page showing the new step (replaying the engine
// and re-rendering). Run with `make bench-scrub` (it builds dist/ first).
//
// Scenario: at least once, 140 messages, the ACK for m2 lost; or the link given as an argument
// (`node bench/scrub.mjs '#v=1&...'`, e.g. bench/memory.mjs's heavy link, whose run is long enough
// that a jump replays from a snapshot far from the start). The event count is taken from the native
// command line replaying the page's own scenario JSON.
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { withLabPage } from "./lab-page.mjs";

const link = process.argv[2];

await withLabPage(4181, async (page, browser) => {
  if (link) {
    await page.waitForFunction(() => Number(document.querySelector("#timeline")?.max) > 0);
  } else {
    await page.locator("#messages").fill("140");
    await page.locator("#messages").press("Tab");
    await page.locator('[data-hotspot="ack-link"]').click();
    await page.locator('.hotspot-panel [data-fault="drop-ack"]').click();
  }
  const scenario = await page.getByTestId("scenario-json").textContent();
  writeFileSync("target/bench-scrub-scenario.json", scenario);
  execFileSync("cargo", ["build", "-q", "-p", "delivery-lab-engine", "--bin", "delivery-lab"]);
  const events = execFileSync("target/debug/delivery-lab", ["run", "target/bench-scrub-scenario.json", "--events"], {
    encoding: "utf8",
    maxBuffer: 256 << 20,
  }).split("\n").filter((line) => line.startsWith("t=")).length;
  const timeline = page.getByRole("slider", { name: "Timeline" });
  const max = Number(await timeline.getAttribute("max"));

  // Each jump sets the slider and dispatches its input event; yew updates the lab (replaying the
  // engine from the nearest snapshot) and re-renders inside that event's task. A Chromium trace
  // gives, per jump, the main thread's CPU time in that task (the script), and the style, layout
  // and paint of the frame that shows it (the browser's own work, until the next jump).
  const jumps = [max, 0, Math.floor(max / 2), max, Math.floor(max / 4), 0, max, 0, max, Math.floor(max / 3), 0, max];
  await browser.startTracing(page, { categories: ["devtools.timeline", "blink.user_timing"] });
  for (const step of jumps) {
    const shown = await page.evaluate(async (step) => {
      const input = document.querySelector("#timeline");
      input.value = String(step);
      performance.mark("jump");
      input.dispatchEvent(new Event("input", { bubbles: true }));
      await new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
      return document.querySelector(".timeline-position").textContent;
    }, step);
    if (!shown.startsWith(`step ${step} `)) throw new Error(`the page shows "${shown}" after a jump to ${step}`);
    await page.waitForTimeout(80);
  }
  const traced = JSON.parse((await browser.stopTracing()).toString()).traceEvents;
  const events_ = traced.filter((e) => e.ph === "X");
  // Between one jump's mark and the next: the script it caused (the input handler, the microtasks
  // in which yew renders, the animation frame after it; nested calls counted once) and the style,
  // layout and paint of the frames that show it.
  const marks = traced.filter((e) => e.name === "jump").map((e) => e.ts).sort((a, b) => a - b);
  if (marks.length !== jumps.length) throw new Error(`expected ${jumps.length} jump marks in the trace, found ${marks.length}`);
  const tid = traced.find((e) => e.name === "jump").tid;
  const onMain = events_.filter((e) => e.tid === tid).sort((a, b) => a.ts - b.ts);
  const scripting = new Set(["FunctionCall", "RunMicrotasks", "FireAnimationFrame", "TimerFire"]);
  const rendering = new Set(["UpdateLayoutTree", "Layout", "PrePaint", "Paint"]);
  const script = [];
  const render = [];
  marks.forEach((from, i) => {
    const to = marks[i + 1] ?? Infinity;
    let covered = -Infinity;
    let cpu = 0;
    for (const e of onMain) {
      if (e.ts < from || e.ts >= to || !scripting.has(e.name) || e.ts < covered) continue;
      cpu += (e.tdur ?? e.dur) / 1000;
      covered = e.ts + e.dur;
    }
    script.push(cpu);
    render.push(onMain.filter((e) => e.ts >= from && e.ts < to && rendering.has(e.name)).reduce((sum, e) => sum + e.dur / 1000, 0));
  });
  const list = (values) => `${values.map((d) => d.toFixed(1)).join(", ")}; max ${Math.max(...values).toFixed(1)}`;
  console.log(`run: ${events} events in ${max} steps`);
  console.log(`timeline jumps measured: ${jumps.length}`);
  console.log(`script CPU time per jump (ms): ${list(script)}`);
  console.log(`style + layout + paint of the frame after it (ms): ${list(render)}`);
  console.log(`together (ms): ${list(script.map((s, i) => s + render[i]))}`);
}, { path: `/${link ?? ""}` });
