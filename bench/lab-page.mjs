// Shared by the page benchmarks: serve dist/ on 127.0.0.1, open the lab in the distribution's
// Chromium (never a downloaded browser), hand the page to `body`, and clean up.
import { spawn } from "node:child_process";
import { chromium } from "@playwright/test";

// Serves dist/ (or the folder in $DIST: another build to compare) on 127.0.0.1 with the end-to-end
// tests' server and opens the distribution's Chromium; `body` gets the browser, and both are
// stopped after it.
export async function withLabBrowser(port, body) {
  const server = spawn("node", ["tests/e2e/serve.mjs", process.env.DIST || "dist", String(port)], { stdio: "ignore" });
  await new Promise((resolve) => setTimeout(resolve, 500));
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
      "--disable-component-update", "--disable-sync"],
  });
  try {
    await body(browser);
  } finally {
    await browser.close();
    server.kill();
  }
}

// `options.path` is the first address to open (a link); `options.init` a function that runs in the
// page before its own scripts (Playwright's addInitScript), for instruments the page does not have.
export async function withLabPage(port, body, options = {}) {
  await withLabBrowser(port, async (browser) => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    if (options.init) await page.addInitScript(options.init);
    await page.goto(`http://127.0.0.1:${port}${options.path ?? "/"}`);
    await body(page, browser);
  });
}
