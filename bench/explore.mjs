// Explorer benchmark (not a test): how long the default query (3 messages, up to 2 failures) takes
// in headless Chromium for each preset, from the click on Explore to the report on screen. It
// includes starting the worker and compiling its WebAssembly. Run with `make bench-explore`.
// The native figure (states per second) is `cargo bench -p delivery-lab-engine --bench explore`.
import { withLabPage } from "./lab-page.mjs";

await withLabPage(4196, async (page) => {
  for (const preset of ["at-most-once", "at-least-once", "exactly-once-kafka", "exactly-once-db"]) {
    await page.getByRole("combobox", { name: "Delivery semantics" }).selectOption(preset);
    const start = Date.now();
    await page.getByRole("button", { name: "Explore" }).click();
    await page.waitForSelector(".explorer-report", { timeout: 60_000 });
    const summary = await page.locator(".explorer-report p").first().textContent();
    console.log(`${preset}: ${Date.now() - start} ms (${summary.trim()})`);
  }
});
