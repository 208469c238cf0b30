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
 * failure marks. Returns what is wrong, as sentences. Text is measured as its font size on screen
 * (the CSS font size times the stage's scale) and as its box.
 */
async function stageTextProblems(page, minPx = 11) {
  return page.evaluate((minPx) => {
    const svg = document.querySelector(".stage-panel svg.stage-svg, .embed-main svg.stage-svg");
    const scale = svg.getScreenCTM().a;
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
      const px = parseFloat(getComputedStyle(t.el).fontSize) * scale;
      if (px < minPx - 0.05) problems.push(`"${t.text}" is set in ${px.toFixed(1)} px type`);
      if (t.box.height < minPx) problems.push(`"${t.text}" is ${t.box.height.toFixed(1)} px tall`);
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
  }, minPx);
}

/** The stage's text checked on load, early in the run and at its end. */
async function expectLegibleThroughRun(page) {
  expect(await stageTextProblems(page), "on load").toEqual([]);
  await page.getByRole("button", { name: "Step forward" }).click();
  await page.getByRole("button", { name: "Step forward" }).click();
  expect(await stageTextProblems(page), "early in the run").toEqual([]);
  await page.getByRole("button", { name: "Run to end" }).click();
  await expect(page.getByRole("button", { name: "Replay" })).toBeVisible();
  expect(await stageTextProblems(page), "at the end of the run").toEqual([]);
}

for (const [width, height] of SIZES) {
  test(`at ${width}×${height} no stage text is under 11 px, overlaps another or a ⚡, or leaves its box`, async ({ page }) => {
    await page.setViewportSize({ width, height });
    // Exactly-once with a lost ACK: transactions, markers and a sink with rows give the most text.
    await openLab(page, "/#v=1&preset=exactly-once-kafka&messages=6&fail=drop-ack:m2");
    await expect(page.locator(".stage-panel svg.stage-svg")).toBeVisible();
    await expectLegibleThroughRun(page);
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

// Embeds (issue 14): every size the share dialog offers (src/ui/share.rs), a 4:3 frame and a
// 16:9 slide strip. The stage picks its geometry by the frame, never shrinking its text under
// 11 px, and playback, the timeline and the narration stay in the frame.
/** An embed's or a presenter's stage, Play, the timeline and the narration inside the viewport. */
async function expectFramed(page, what) {
  const stage = page.locator(".embed-main svg.stage-svg");
  await expect(stage).toBeVisible();
  for (const [name, locator] of [
    ["the stage", stage],
    ["Play", page.getByRole("button", { name: "Play" })],
    ["the timeline", page.getByRole("slider", { name: "Timeline" })],
    ["the narration", page.locator(".narration")],
  ]) {
    expect(await inView(locator), `${name} inside the ${what}`).toBe(true);
  }
}

const EMBED_SIZES = [
  [360, 640],
  [640, 720],
  [960, 600],
  [1200, 720],
  [640, 480],
  [640, 360],
];

for (const [width, height] of EMBED_SIZES) {
  test(`an embed at ${width}×${height} keeps its controls in the frame and its stage text legible`, async ({ page }) => {
    await page.setViewportSize({ width, height });
    await openLab(page, "/#v=1&preset=exactly-once-kafka&messages=6&fail=drop-ack:m2&embed=1");
    await expectFramed(page, "frame");
    // Playing changes nothing of the layout: the controls and the story stay in the frame.
    await page.getByRole("button", { name: "Play" }).click();
    await page.waitForTimeout(400);
    await page.getByRole("button", { name: "Pause" }).click();
    for (const [name, locator] of [
      ["Play", page.getByRole("button", { name: "Play" })],
      ["the timeline", page.getByRole("slider", { name: "Timeline" })],
      ["the narration", page.locator(".narration")],
    ]) {
      expect(await inView(locator), `${name} inside the frame after Play`).toBe(true);
    }
    await page.getByRole("button", { name: "Restart" }).click();
    await expectLegibleThroughRun(page);
    expect(await inView(page.locator(".narration")), "the narration inside the frame at the end").toBe(true);
    expect(await page.evaluate(() => document.scrollingElement.scrollHeight <= innerHeight + 1), "the frame does not scroll").toBe(true);
  });
}

// Presenter mode (issue 14): for a room, with a clicker. Stage text 24 px on a 1080 px tall screen
// and in proportion on a smaller one; the narration and playback on the same screen.
for (const [width, height] of [[1920, 1080], [1280, 720]]) {
  test(`presenter mode at ${width}×${height} fills the screen with text legible from the back, and a clicker steps it`, async ({ page }) => {
    await page.setViewportSize({ width, height });
    await openLab(page, "/#v=1&preset=exactly-once-kafka&messages=6&fail=drop-ack:m2&present=1");
    await expectFramed(page, "screen");
    const minPx = (24 * height) / 1080;
    expect(await stageTextProblems(page, minPx), "on load").toEqual([]);
    const timeline = page.getByRole("slider", { name: "Timeline" });
    const at = async () => Number(await timeline.inputValue());
    const start = await at();
    // A presentation clicker sends PageDown and PageUp; some send Space.
    await page.keyboard.press("PageDown");
    await expect.poll(at).toBe(start + 1);
    await page.keyboard.press("PageDown");
    await page.keyboard.press("Space");
    await expect.poll(at).toBe(start + 3);
    await page.keyboard.press("PageUp");
    await expect.poll(at).toBe(start + 2);
    expect(await stageTextProblems(page, minPx), "after stepping").toEqual([]);
    await page.keyboard.press("Escape");
    await expect(page.locator(".lab.present")).toHaveCount(0);
    await expect(page.getByRole("button", { name: "Present" })).toBeVisible();
    expect(page.url()).not.toContain("present=1");
  });
}

test("the Present button enters presenter mode, and the address keeps it", async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 800 });
  await openLab(page);
  await page.getByRole("button", { name: "Present" }).click();
  await expect(page.locator(".lab.present .embed-main svg.stage-svg")).toBeVisible();
  await expect.poll(() => page.url()).toContain("present=1");
  await page.getByRole("button", { name: "Leave presenter mode" }).click();
  await expect(page.locator(".lab.present")).toHaveCount(0);
});
