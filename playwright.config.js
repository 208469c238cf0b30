// End-to-end tests against the release build in dist/, served on 127.0.0.1 and driven in the
// distribution's Chromium. Playwright never downloads a browser here.
import { defineConfig } from "@playwright/test";

const port = Number(process.env.E2E_PORT || 4173);

export default defineConfig({
  testDir: "tests/e2e",
  outputDir: "target/playwright",
  fullyParallel: true,
  forbidOnly: !!process.env.CI,
  retries: 0,
  workers: 2,
  reporter: [["list"], ["json", { outputFile: "tests/e2e/artifacts/results.json" }]],
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    browserName: "chromium",
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH || "/usr/bin/chromium",
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    },
  },
  // The lab, and the example host page on two more origins: one the tests' links allow to command
  // the lab, one they do not.
  webServer: [
    {
      command: `node tests/e2e/serve.mjs dist ${port}`,
      url: `http://127.0.0.1:${port}/`,
      reuseExistingServer: false,
      timeout: 30_000,
    },
    ...[1, 2].map((offset) => ({
      command: `node tests/e2e/serve.mjs examples/embed ${port + offset}`,
      url: `http://127.0.0.1:${port + offset}/host.html`,
      reuseExistingServer: false,
      timeout: 30_000,
    })),
  ],
});
