// Scrub benchmark (not a test): how long the page takes to show another step of a long run when
// the timeline jumps: from the input event to the page showing the new step (replaying the engine
// and re-rendering). Run with `make bench-scrub` (it builds dist/ first).
//
// Scenario: at least once, 140 messages, the ACK for m2 lost; the event count is taken from the
// native command line replaying the page's own scenario JSON.
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { withLabPage } from "./lab-page.mjs";

await withLabPage(4181, async (page, browser) => {
  await page.locator("#messages").fill("140");
  await page.locator("#messages").press("Tab");
  await page.locator('[data-hotspot="ack-link"]').click();
  await page.locator('.hotspot-panel [data-fault="drop-ack"]').click();
  const scenario = await page.getByTestId("scenario-json").textContent();
  writeFileSync("target/bench-scrub-scenario.json", scenario);
  execFileSync("cargo", ["build", "-q", "-p", "delivery-lab-engine", "--bin", "delivery-lab"]);
  const events = execFileSync("target/debug/delivery-lab", ["run", "target/bench-scrub-scenario.json", "--events"], {
    encoding: "utf8",
  }).split("\n").filter((line) => line.startsWith("t=")).length;
  const timeline = page.getByRole("slider", { name: "Timeline" });
  const max = Number(await timeline.getAttribute("max"));

  // Each jump: set the slider and dispatch its input event, then wait for a macrotask (yew runs the
  // update and the render in microtasks before it) and check the page shows the new step. The
  // figure is an upper bound: it includes the wait for the next macrotask.
  const jumps = [max, 0, Math.floor(max / 2), max, Math.floor(max / 4), 0, max];
  const handling = [];
  for (const step of jumps) {
    const result = await page.evaluate(async (step) => {
      const input = document.querySelector("#timeline");
      const start = performance.now();
      input.value = String(step);
      input.dispatchEvent(new Event("input", { bubbles: true }));
      await new Promise((resolve) => setTimeout(resolve, 0));
      const elapsed = performance.now() - start;
      return { elapsed, shown: document.querySelector(".timeline-position").textContent };
    }, step);
    if (!result.shown.startsWith(`step ${step} `)) throw new Error(`the page shows "${result.shown}" after a jump to ${step}`);
    handling.push(result.elapsed);
    await page.waitForTimeout(50);
  }
  console.log(`run: ${events} events in ${max} steps`);
  console.log(`timeline jumps measured: ${handling.length}`);
  console.log(`time to handle a jump (ms): ${handling.map((d) => d.toFixed(1)).join(", ")}; max ${Math.max(...handling).toFixed(1)}`);
});
