// Start-up benchmark (not a test): how soon after navigation Play responds, and the total blocking
// time until then, for cold loads of the release build at full speed and with the CPU throttled
// 4× (a slow classroom laptop). Run with `make bench-startup` (it builds dist/ first);
// `node bench/startup.mjs [RUNS] [LINK]` takes another number of loads per speed and a link
// (`'#v=1&...'`) to open instead of the default scenario; `DIST=DIR` measures another build.
//
// Each load is a fresh browser context (nothing cached: the server says no-store, and a context
// shares no cache with another), CPU throttled through the DevTools protocol
// (`Emulation.setCPUThrottlingRate`) before navigation. The benchmark looks for Play as a user
// would, every 20 ms (a script in the page that waits while the page's own work runs), and as soon
// as it is there scrolls it into view and clicks its middle with the mouse (trusted input events,
// handled when the main thread is free); a click that lands before the page can take it is
// repeated. Not Playwright's locators: their script, injected into the page on first use, costs
// the throttled page a long task of its own. The page's observers, registered before its scripts
// run, record:
//   - play: when the Play button first showed "Pause", ms since navigation started (the page
//     responded to the click);
//   - shown: when the Play button first appeared;
//   - TBT: the sum over long tasks (PerformanceObserver 'longtask') that started before Play
//     responded of their time beyond 50 ms.
// Figures are medians over the loads.
import { withLabBrowser } from "./lab-page.mjs";

const runs = Number(process.argv[2] ?? 5);
const link = process.argv[3] ?? "";
const port = 4185;

function instrument() {
  const marks = (globalThis.__startup = { longTasks: [], shown: null, playing: null });
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) marks.longTasks.push([entry.startTime, entry.duration]);
  }).observe({ type: "longtask", buffered: true });
  const watch = () => {
    const play = document.querySelector("button.play");
    if (play && marks.shown === null) marks.shown = performance.now();
    if (play && play.textContent === "Pause" && marks.playing === null) {
      marks.playing = performance.now();
      observer.disconnect();
    }
  };
  const observer = new MutationObserver(watch);
  observer.observe(document, { subtree: true, childList: true, characterData: true });
}

async function load(browser, rate) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  try {
    const page = await context.newPage();
    await page.addInitScript(instrument);
    const cdp = await context.newCDPSession(page);
    await cdp.send("Emulation.setCPUThrottlingRate", { rate });
    await page.goto(`http://127.0.0.1:${port}/${link}`, { waitUntil: "commit" });
    const started = Date.now();
    const playing = () => page.evaluate(() => globalThis.__startup.playing !== null);
    while (!(await playing())) {
      if (Date.now() - started > 60_000) throw new Error("Play did not respond within 60 s");
      const middle = await page.evaluate(() => {
        const play = document.querySelector("button.play");
        if (!play) return null;
        play.scrollIntoView({ block: "center" });
        const box = play.getBoundingClientRect();
        return { x: box.x + box.width / 2, y: box.y + box.height / 2 };
      });
      if (middle) {
        await page.mouse.click(middle.x, middle.y);
        for (let i = 0; i < 25 && !(await playing()); i++) await sleep(20);
      } else {
        await sleep(20);
      }
    }
    const marks = await page.evaluate(() => globalThis.__startup);
    const tbt = marks.longTasks
      .filter(([start]) => start < marks.playing)
      .reduce((sum, [, duration]) => sum + Math.max(0, duration - 50), 0);
    return { play: marks.playing, shown: marks.shown, tbt, longTasks: marks.longTasks.length, elements: await page.evaluate(() => document.querySelectorAll("*").length) };
  } finally {
    await context.close();
  }
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

await withLabBrowser(port, async (browser) => {
  console.log(`${runs} cold loads per speed of http://127.0.0.1:${port}/${link} (1280×800)`);
  for (const rate of [1, 4]) {
    const loads = [];
    for (let i = 0; i < runs; i++) loads.push(await load(browser, rate));
    const fig = (key) => median(loads.map((l) => l[key])).toFixed(0);
    console.log(
      `CPU ${rate}×: Play responds ${fig("play")} ms (median; ${loads.map((l) => l.play.toFixed(0)).join(", ")}), ` +
        `Play shown ${fig("shown")} ms, total blocking time ${fig("tbt")} ms ` +
        `(${loads.map((l) => l.tbt.toFixed(0)).join(", ")}), long tasks ${fig("longTasks")}, elements when playing ${fig("elements")}`,
    );
  }
});
