// Explorer benchmark (not a test): how long the default query (3 messages, up to 2 failures) takes
// in headless Chromium for each preset, measured in the page from the click on Explore to the
// report on screen. That includes starting the worker, fetching and compiling its WebAssembly
// (from the HTTP cache after the first time) and rendering the report. Run with
// `make bench-explore`. The native figure is `cargo bench -p delivery-lab-engine --bench explore`.
import { withLabPage } from "./lab-page.mjs";

await withLabPage(4196, async (page) => {
  for (const preset of ["at-most-once", "at-least-once", "exactly-once-kafka", "exactly-once-db"]) {
    await page.getByRole("combobox", { name: "Delivery semantics" }).selectOption(preset);
    await page.getByRole("button", { name: "Explore" }).scrollIntoViewIfNeeded();
    const times = [];
    for (let round = 0; round < 3; round++) {
      times.push(
        await page.evaluate(async () => {
          const button = [...document.querySelectorAll(".explorer button")].find((b) => b.textContent === "Explore");
          const start = performance.now();
          button.click();
          await new Promise((resolve) => {
            const poll = () => (document.querySelector(".explorer-report") ? resolve() : requestAnimationFrame(poll));
            requestAnimationFrame(poll);
          });
          return performance.now() - start;
        }),
      );
    }
    const summary = await page.locator(".explorer-report p").first().textContent();
    console.log(`${preset}: ${times.map((t) => `${Math.round(t)} ms`).join(", ")} (${summary.trim()})`);
  }
});
