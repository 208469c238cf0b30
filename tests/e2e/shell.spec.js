// The app shell as a user sees it, in the release build.
import { test, expect, openLab, luminance, artifacts } from "./fixtures.js";

test("the lab loads its stage, controls and ledger", async ({ page }) => {
  await openLab(page);
  await expect(page.getByText("Loading Kafka Delivery Lab")).toHaveCount(0);
  await expect(page.getByRole("group", { name: /producer application and client/i })).toBeVisible();
  await expect(page.getByRole("combobox", { name: "Delivery semantics" })).toHaveValue("at-least-once");
  const ledger = page.getByRole("region", { name: "Ledger table" });
  await expect(ledger.getByRole("columnheader")).toHaveText([
    "Message", "Sent", "In the log", "Visible", "Processed", "Effects", "Verdict",
  ]);
  // One row per message of the default scenario, nothing happened yet.
  await expect(ledger.getByRole("rowheader")).toHaveText(["m1", "m2", "m3"]);
  await expect(page.getByRole("status").filter({ hasText: "Ready" })).toContainText("Press play");
});

test("the page's policy allows scripts only from itself, and it has no inline script", async ({ page }) => {
  await openLab(page);
  const csp = await page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute("content");
  const scriptSrc = csp.split(";").map((d) => d.trim()).find((d) => d.startsWith("script-src"));
  expect(scriptSrc.split(/\s+/).sort()).toEqual(["'self'", "'wasm-unsafe-eval'", "script-src"].sort());
  expect(csp).not.toContain("unsafe-inline");
  expect(csp).not.toContain("'unsafe-eval'");
  expect(await page.locator("script:not([src])").count()).toBe(0);
});

test("choosing a preset tells how it is configured", async ({ page }) => {
  await openLab(page);
  await page.getByRole("combobox", { name: "Delivery semantics" }).selectOption({ label: "At most once" });
  await expect(page.locator(".preset-summary")).toContainText("acks=0");
  // Kafka switches a defaulted idempotence off with acks=0, and the page says so.
  await expect(page.getByRole("list", { name: /What Kafka changes/ })).toContainText("idempotence: off (acks != all)");
});

test("the theme follows the system until the learner picks one", async ({ page }) => {
  const background = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);

  await page.emulateMedia({ colorScheme: "dark" });
  await openLab(page);
  expect(luminance(await background())).toBeLessThan(0.1);

  await page.getByRole("button", { name: "Light" }).click();
  expect(luminance(await background())).toBeGreaterThan(0.8);
  await page.reload();
  await expect(page.getByRole("button", { name: "Light" })).toHaveAttribute("aria-pressed", "true");
  expect(luminance(await background())).toBeGreaterThan(0.8);

  await page.getByRole("button", { name: "Auto" }).click();
  expect(luminance(await background())).toBeLessThan(0.1);
  await page.emulateMedia({ colorScheme: "light" });
  expect(luminance(await background())).toBeGreaterThan(0.8);
});

for (const [name, width, height] of [
  ["phone", 375, 812],
  ["laptop", 1024, 768],
  ["wide", 1920, 1080],
]) {
  for (const scheme of ["light", "dark"]) {
    test(`fits a ${name} screen (${width}px) in ${scheme} without sideways scrolling`, async ({ page }) => {
      await page.setViewportSize({ width, height });
      await page.emulateMedia({ colorScheme: scheme });
      await openLab(page);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(overflow).toBeLessThanOrEqual(0);
      // Exactly one orientation of the stage is shown at any width.
      await expect(page.locator("svg.stage-svg:visible")).toHaveCount(1);
      await page.screenshot({ path: `${artifacts}/shell-${width}-${scheme}.png`, fullPage: true });
      // The same screen after the at-least-once story: a lost ACK, a duplicate, its explanation.
      await page.locator('[data-hotspot="ack-link"]').click();
      await page.locator('.hotspot-panel [data-fault="drop-ack"]').click();
      await page.getByRole("button", { name: "Run to end" }).click();
      await page.getByRole("button", { name: "Explain m2" }).click();
      expect(await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(0);
      await page.screenshot({ path: `${artifacts}/run-${width}-${scheme}.png`, fullPage: true });
    });
  }
}
