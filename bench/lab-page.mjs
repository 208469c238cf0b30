// Shared by the page benchmarks: serve dist/ on 127.0.0.1, open the lab in the distribution's
// Chromium (never a downloaded browser), hand the page to `body`, and clean up.
import { spawn } from "node:child_process";
import { chromium } from "@playwright/test";

export async function withLabPage(port, body) {
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
    await body(page, browser);
  } finally {
    await browser.close();
    server.kill();
  }
}
