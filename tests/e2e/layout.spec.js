// First contact (issue 14): the stage, its transport and its story in one view at the sizes people
// open the lab at, without scrolling, before and after Play.
import { test, expect, openLab } from "./fixtures.js";

const SIZES = [
  [1280, 800],
  [1440, 900],
  [1920, 1080],
  [1024, 768],
];

/** Whether the element's box lies wholly inside the viewport. */
async function inView(locator) {
  const box = await locator.boundingBox();
  const { width, height } = locator.page().viewportSize();
  return !!box && box.y >= 0 && box.x >= 0 && box.y + box.height <= height && box.x + box.width <= width;
}

async function expectOneView(page, when) {
  for (const [name, locator] of [
    ["the stage", page.locator(".stage-panel svg.stage-svg")],
    ["Play or Pause", page.getByRole("button", { name: /^(Play|Pause|Replay)$/ })],
    ["Step forward", page.getByRole("button", { name: "Step forward" })],
    ["Run to end", page.getByRole("button", { name: "Run to end" })],
    ["the speed", page.getByRole("combobox", { name: "Speed" })],
    ["the timeline", page.getByRole("slider", { name: "Timeline" })],
    ["the narration", page.locator(".narration")],
  ]) {
    expect(await inView(locator), `${name} inside the viewport ${when}`).toBe(true);
  }
}

for (const [width, height] of SIZES) {
  test(`at ${width}×${height} the stage, transport, timeline and narration share one view`, async ({ page }) => {
    await page.setViewportSize({ width, height });
    await openLab(page);
    await expect(page.locator(".stage-panel svg.stage-svg")).toBeVisible();
    await expectOneView(page, "on load");
    expect(await page.evaluate(() => window.scrollY)).toBe(0);
    await page.getByRole("button", { name: "Play" }).click();
    await page.waitForTimeout(600);
    await expectOneView(page, "after Play");
    expect(await page.evaluate(() => window.scrollY), "Play does not scroll the page").toBe(0);
  });
}

test("the stage says what its ⚡ are until a failure menu has been opened", async ({ page }) => {
  await openLab(page);
  const hint = page.getByTestId("hotspot-hint");
  await expect(hint).toContainText("failure point");
  await page.locator("[data-hotspot=ack-link]").click();
  await expect(page.getByRole("group", { name: "Failures at the ACK" })).toBeVisible();
  await expect(hint).toHaveCount(0);
});
