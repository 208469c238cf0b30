// First contact (issue 14): the stage, its transport and its story in one view at the sizes people
// open the lab at, without scrolling, before and after Play.
import { test, expect, openLab } from "./fixtures.js";

const SIZES = [
  [1280, 800],
  [1440, 900],
  [1920, 1080],
  [1024, 768],
  [390, 844],
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
    ["Restart", page.getByRole("button", { name: "Restart" })],
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

/**
 * The stage's text as drawn: every text box, the box each actor's text must stay inside, and the
 * failure marks. Returns what is wrong, as sentences.
 */
async function stageTextProblems(page) {
  return page.evaluate(() => {
    const svg = document.querySelector(".stage-panel svg.stage-svg, .embed-main svg.stage-svg");
    const rect = (e) => e.getBoundingClientRect();
    const texts = [...svg.querySelectorAll("text")]
      .filter((t) => t.textContent.trim() && rect(t).height > 0 && !t.closest(".token-layer, .tokens"))
      .map((t) => ({ text: t.textContent.trim(), cls: t.getAttribute("class") || "", box: rect(t), el: t }));
    const marks = [...svg.querySelectorAll(".hotspot > circle:not(.hit)")].map(rect);
    const boxes = [...svg.querySelectorAll(".actor rect, .broker .frame")].map(rect);
    const overlap = (a, b, slack = 0.5) =>
      a.left + slack < b.right && b.left + slack < a.right && a.top + slack < b.bottom && b.top + slack < a.bottom;
    const inside = (a, b) => a.left >= b.left - 0.5 && a.right <= b.right + 0.5 && a.top >= b.top - 0.5 && a.bottom <= b.bottom + 0.5;
    const problems = [];
    for (const t of texts) {
      if (t.box.height < 11) problems.push(`"${t.text}" is ${t.box.height.toFixed(1)} px tall`);
      if (!t.el.closest(".hotspot")) for (const m of marks) if (overlap(t.box, m)) problems.push(`a ⚡ covers "${t.text}"`);
      if (/actor-(title|detail)/.test(t.cls) && !boxes.some((b) => inside(t.box, b))) problems.push(`"${t.text}" leaves its box`);
    }
    for (let i = 0; i < texts.length; i++) {
      for (let j = i + 1; j < texts.length; j++) {
        // A text inside a log entry's badge is drawn over its entry on purpose.
        if (texts[i].el.closest(".entry") && texts[i].el.closest(".entry") === texts[j].el.closest(".entry")) continue;
        if (overlap(texts[i].box, texts[j].box)) problems.push(`"${texts[i].text}" overlaps "${texts[j].text}"`);
      }
    }
    return problems;
  });
}

for (const [width, height] of SIZES) {
  test(`at ${width}×${height} no stage text is under 11 px, overlaps another or a ⚡, or leaves its box`, async ({ page }) => {
    await page.setViewportSize({ width, height });
    // Exactly-once with a lost ACK: transactions, markers and a sink with rows give the most text.
    await openLab(page, "/#v=1&preset=exactly-once-kafka&messages=6&fail=drop-ack:m2");
    await expect(page.locator(".stage-panel svg.stage-svg")).toBeVisible();
    expect(await stageTextProblems(page), "on load").toEqual([]);
    await page.getByRole("button", { name: "Step forward" }).click();
    await page.getByRole("button", { name: "Step forward" }).click();
    expect(await stageTextProblems(page), "early in the run").toEqual([]);
    await page.getByRole("button", { name: "Run to end" }).click();
    await expect(page.getByRole("button", { name: "Replay" })).toBeVisible();
    expect(await stageTextProblems(page), "at the end of the run").toEqual([]);
  });
}

for (const [width, height] of [[390, 844], [1280, 800]]) {
  test(`at ${width}×${height} every ⚡ opens its menu inside the viewport, with focus, and Escape returns to the ⚡`, async ({ page }) => {
    await page.setViewportSize({ width, height });
    await openLab(page);
    await expect(page.locator("[data-hotspot]")).toHaveCount(9);
    const slugs = await page.locator("[data-hotspot]").evaluateAll((all) => all.map((e) => e.dataset.hotspot));
    for (const slug of slugs) {
      const hotspot = page.locator(`[data-hotspot="${slug}"]`);
      await hotspot.click();
      const menu = page.locator(".hotspot-panel");
      await expect(menu).toBeVisible();
      expect(await inView(menu), `the menu of ${slug} inside the viewport`).toBe(true);
      // Focus is in the menu, on its first failure.
      await expect(menu.locator(".fault-toggle").first()).toBeFocused();
      // Its target is large enough to tap (WCAG 2.5.8: 24 px; the hit circle).
      const hit = await hotspot.locator("circle.hit").boundingBox();
      expect(Math.min(hit.width, hit.height), `the target of ${slug}`).toBeGreaterThanOrEqual(24);
      await page.keyboard.press("Escape");
      await expect(menu).toHaveCount(0);
      await expect(hotspot).toBeFocused();
    }
  });
}

test("clicking an arrow of the space-time diagram brings the stage into view at that moment", async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 800 });
  await openLab(page);
  const arrow = page.locator(".diagram-panel .arrow").nth(3);
  await arrow.scrollIntoViewIfNeeded();
  expect(await page.evaluate(() => window.scrollY)).toBeGreaterThan(300);
  const step = await arrow.getAttribute("data-step");
  await arrow.click();
  await expect(page.getByRole("slider", { name: "Timeline" })).toHaveValue(step);
  await expect.poll(() => inView(page.locator(".stage-panel svg.stage-svg"))).toBe(true);
  expect(await inView(page.getByRole("button", { name: /^(Play|Pause|Replay)$/ }))).toBe(true);
});
