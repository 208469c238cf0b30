// Accessibility: axe-core finds no serious or critical violation, in light and in dark, on a phone
// and on a laptop.
import AxeBuilder from "@axe-core/playwright";
import { test, expect, openLab } from "./fixtures.js";

for (const scheme of ["light", "dark"]) {
  for (const width of [375, 1024]) {
    test(`axe finds no serious violation in ${scheme} at ${width}px`, async ({ page }) => {
      await page.setViewportSize({ width, height: 900 });
      await page.emulateMedia({ colorScheme: scheme });
      await openLab(page);
      const results = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21aa", "wcag22aa"]).analyze();
      const serious = results.violations
        .filter((v) => v.impact === "serious" || v.impact === "critical")
        .map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(" ")).join(", ")})`);
      expect(serious).toEqual([]);
    });
  }
}

test("every control is reachable from the keyboard and shows where focus is", async ({ page }) => {
  await openLab(page);
  const reached = [];
  // Tab through the page once: stop when focus leaves the page's controls (back to the body).
  for (let i = 0; i < 40; i++) {
    await page.keyboard.press("Tab");
    const focused = await page.evaluate(() => {
      const el = document.activeElement;
      if (!el || el === document.body) return null;
      return {
        label: el.getAttribute("aria-label") || el.id || el.textContent.trim(),
        outline: getComputedStyle(el).outlineStyle,
      };
    });
    if (!focused) break;
    reached.push(focused.label);
    expect(focused.outline, `focus on ${focused.label} is visible`).not.toBe("none");
  }
  for (const control of ["Auto", "Light", "Dark", "preset", "Ledger table", "Failures at the ACK", "Play"]) {
    expect(reached).toContain(control);
  }
});

// The views added for sharing and teaching: the share dialog, a lesson with its question, an embed.
for (const [name, path, open] of [
  ["the share dialog", "/", async (page) => page.getByRole("button", { name: "Share or embed" }).click()],
  ["the lesson picker", "/", async (page) => page.getByRole("button", { name: "Lessons" }).click()],
  ["a lesson at its question", "/#v=1&lesson=lost-ack-duplicate&lesson-step=2", async () => {}],
  ["an embed in dark", "/#v=1&embed=1&theme=dark&fail=drop-ack:m2", async () => {}],
  ["an embed in light, 640×360", "/#v=1&embed=1&theme=light&fail=drop-ack:m2", async (page) => page.setViewportSize({ width: 640, height: 360 })],
  ["presenter mode in dark", "/#v=1&present=1&theme=dark&preset=exactly-once-kafka", async (page) => page.setViewportSize({ width: 1920, height: 1080 })],
  ["presenter mode in light", "/#v=1&present=1&theme=light&fail=drop-ack:m2", async (page) => page.setViewportSize({ width: 1280, height: 720 })],
]) {
  test(`axe finds no serious violation in ${name}`, async ({ page }) => {
    await openLab(page, path);
    await open(page);
    await page.waitForTimeout(200);
    const results = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21aa", "wcag22aa"]).analyze();
    const serious = results.violations
      .filter((v) => v.impact === "serious" || v.impact === "critical")
      .map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(" ")).join(", ")})`);
    expect(serious).toEqual([]);
  });
}
