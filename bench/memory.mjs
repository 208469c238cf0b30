// Memory benchmark (not a test): the page's WebAssembly memory (its linear memory, which only ever
// grows: the most the page has needed at once) with the heaviest runs a link can ask for. Run with
// `make bench-memory` (it builds dist/ first).
//
// Scenario: at least once, 200 messages whose requests time out after 1 ms with 50 in flight (the
// run stops at the engine's event bound), opened from its link and scrubbed to the end and back;
// then a second such link (another seed) replaces it, and so on, alternating, until the memory
// stops growing (while a link replaces another, both runs are alive). Two other links to alternate
// can be given as arguments (`node bench/memory.mjs '#v=1&...' '#v=1&...'`; their runs must differ
// in length). The memory is read from the instance's exports: the page keeps no handle on it, so
// the benchmark wraps WebAssembly's instantiation before the page's scripts run.
import { withLabPage } from "./lab-page.mjs";

const heavy = "#v=1&cfg.request.timeout.ms=1&cfg.max.in.flight.requests.per.connection=50&messages=200";
const [first = heavy, second = `${heavy}&seed=2`] = process.argv.slice(2);
const links = [first, second, first, second, first, second];

function instrument() {
  const memories = (globalThis.__benchWasmMemories = []);
  const keep = (result) => {
    const instance = result instanceof WebAssembly.Instance ? result : result.instance;
    if (instance?.exports.memory) memories.push(instance.exports.memory);
    return result;
  };
  for (const name of ["instantiate", "instantiateStreaming"]) {
    const original = WebAssembly[name];
    WebAssembly[name] = (...args) => original.apply(WebAssembly, args).then(keep);
  }
}

await withLabPage(
  4183,
  async (page) => {
    const mib = () =>
      page.evaluate(() => {
        const sizes = globalThis.__benchWasmMemories.map((memory) => memory.buffer.byteLength);
        if (sizes.length !== 1) throw new Error(`expected the page's one wasm memory, found ${sizes.length}`);
        return sizes[0] / 2 ** 20;
      });
    const steps = () => page.evaluate(() => Number(document.querySelector("#timeline")?.max ?? 0));
    const seek = (step) =>
      page.evaluate(async (step) => {
        const input = document.querySelector("#timeline");
        input.value = String(step);
        input.dispatchEvent(new Event("input", { bubbles: true }));
        await new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
        const shown = document.querySelector(".timeline-position").textContent;
        if (!shown.startsWith(`step ${step} `)) throw new Error(`the page shows "${shown}" after a jump to ${step}`);
      }, step);
    const figures = [];
    let previous = 0;
    for (const [i, link] of links.entries()) {
      if (i > 0) await page.evaluate((link) => (location.hash = link), link);
      // The two runs differ in length, so a new length says the new link is loaded.
      await page.waitForFunction((previous) => {
        const max = Number(document.querySelector("#timeline")?.max ?? 0);
        return max > 1000 && max !== previous;
      }, previous, { timeout: 60_000 });
      const total = await steps();
      previous = total;
      const name = `link ${i + 1} (${i % 2 ? "second" : "first"}, ${total} steps)`;
      figures.push([`${name}, opened`, await mib()]);
      for (const step of [total, 0, Math.floor(total / 2), total - 1, Math.floor(total / 3), 1, total, 0]) await seek(step);
      figures.push([`${name}, scrubbed to the end and back`, await mib()]);
    }
    for (const [what, size] of figures) console.log(`wasm memory after ${what}: ${size.toFixed(1)} MiB`);
    console.log(`the most: ${Math.max(...figures.map(([, size]) => size)).toFixed(1)} MiB`);
  },
  { path: `/${first}`, init: instrument },
);
