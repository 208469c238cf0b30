// Shared fixtures: every test's page is watched for requests to other origins, console errors
// (a Content-Security-Policy violation is one) and uncaught exceptions, and fails on any of them.
import { test as base, expect } from "@playwright/test";
import { mkdirSync } from "node:fs";

export const artifacts = "tests/e2e/artifacts";
mkdirSync(artifacts, { recursive: true });

export const test = base.extend({
  page: async ({ page, baseURL }, use) => {
    const origin = new URL(baseURL).origin;
    const foreign = [];
    const errors = [];
    page.on("request", (request) => {
      const url = new URL(request.url());
      // data: and blob: URLs never leave the page.
      if (url.protocol !== "data:" && url.protocol !== "blob:" && url.origin !== origin) {
        foreign.push(request.url());
      }
    });
    page.on("console", (message) => {
      if (message.type() === "error") errors.push(message.text());
    });
    page.on("pageerror", (error) => errors.push(String(error)));
    await use(page);
    expect(foreign, "requests to another origin").toEqual([]);
    expect(errors, "console errors and uncaught exceptions").toEqual([]);
  },
});

export { expect };

/** Opens the lab and waits until the app (not the static loading text) is on screen. */
export async function openLab(page, path = "/") {
  await page.goto(path);
  await expect(page.getByRole("heading", { level: 1, name: "Kafka Delivery Lab" })).toBeVisible();
}

/** The relative luminance of a CSS rgb() colour, 0 (black) to 1 (white), as WCAG defines it. */
export function luminance(rgb) {
  const [r, g, b] = rgb.match(/\d+(\.\d+)?/g).slice(0, 3).map(Number).map((c) => {
    const s = c / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}
