// Links, the share dialog, embeds, the postMessage API with the example host page, and lessons.
// Expected outcomes come from the engine's native command line for the same scenario, never typed.
import { test as plain } from "@playwright/test";
import { execFileSync } from "node:child_process";
import { test, expect, openLab, artifacts } from "./fixtures.js";
import { nativeLedger, pageLedger, ledgerRowsOf } from "./native.js";

const cli = process.env.DELIVERY_LAB_CLI || "target/debug/delivery-lab";
const port = Number(process.env.E2E_PORT || 4173);
const labUrl = `http://127.0.0.1:${port}/`;
const hostOrigin = `http://127.0.0.1:${port + 1}`;
const foreignOrigin = `http://127.0.0.1:${port + 2}`;

async function scenarioJson(page) {
  return page.getByTestId("scenario-json").textContent();
}

async function runToEnd(page) {
  await page.getByRole("button", { name: "Run to end" }).click();
  await expect(page.getByRole("button", { name: "Replay" })).toBeVisible();
}

test("a hand-written query link opens its scenario, and the ledger is the engine's", async ({ page }) => {
  await openLab(page, "/?preset=at-least-once&fail=drop-ack:m2&messages=4");
  const scenario = JSON.parse(await scenarioJson(page));
  expect(scenario.preset).toBe("at-least-once");
  expect(scenario.messages).toBe(4);
  expect(scenario.faults).toEqual(["drop-ack:m2"]);
  await runToEnd(page);
  expect(await pageLedger(page)).toEqual(ledgerRowsOf(nativeLedger(await scenarioJson(page))));
});

test("a malformed, truncated or unknown link says what is wrong and opens the default scenario", async ({ page }) => {
  await openLab(page);
  const defaults = await scenarioJson(page);
  const cases = [
    ["#v=1&fail=drop-ak", "fail"],
    ["#v=2&preset=at-most-once", "v"],
    ["#v=1&messages=5&sed=3", "sed"],
    ["#v=1&preset=at-most-once&title=a%4", "title"],
    ["#v=1&messages", "messages"],
    ["?preset=at-most-twice", "preset"],
    ["#v=1&lesson=no-such-lesson", "no-such-lesson"],
  ];
  for (const [link, named] of cases) {
    await page.goto(`about:blank`);
    await openLab(page, `/${link}`);
    const alert = page.getByRole("alert");
    await expect(alert, link).toContainText(named);
    await expect(alert, link).toContainText("default scenario");
    expect(await scenarioJson(page), link).toBe(defaults);
    await alert.getByRole("button", { name: "Dismiss" }).click();
    await expect(alert).toHaveCount(0);
  }
});

test("the address bar follows the lab, and a link copied from the share dialog reproduces the run", async ({ page, browser }) => {
  await openLab(page);
  await page.locator('[data-hotspot="processing"]').click();
  await page.locator('.hotspot-panel [data-fault="consumer-crash-after-processing"]').click();
  await page.keyboard.press("Escape");
  await page.getByRole("slider", { name: "Timeline" }).fill("20");
  await expect.poll(() => page.url()).toContain("step=20");
  expect(page.url()).toContain("fail=consumer-crash-after-processing");
  const ledger = await page.locator(".ledger tbody").textContent();
  const scenario = await scenarioJson(page);

  await page.getByRole("button", { name: "Share or embed" }).click();
  const dialog = page.getByRole("dialog", { name: "Share this run" });
  const link = await dialog.getByTestId("share-link").inputValue();
  expect(link).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/#v=1&/);
  const code = await dialog.getByTestId("embed-code").inputValue();
  expect(code).toMatch(/^<iframe src="[^"]+embed=1[^"]*" width="\d+" height="\d+" title="[^"]+" loading="lazy"/);
  await page.screenshot({ path: `${artifacts}/share-dialog.png` });

  await page.keyboard.press("Escape");
  await expect(dialog).toHaveCount(0);

  const fresh = await browser.newPage();
  await fresh.goto(link);
  await expect(fresh.getByRole("slider", { name: "Timeline" })).toHaveValue("20");
  expect(await fresh.locator(".ledger tbody").textContent()).toBe(ledger);
  expect(await scenarioJson(fresh)).toBe(scenario);
  await fresh.close();
});

test("embeds fit their frame without scrollbars at every size the share dialog offers", async ({ page }) => {
  await openLab(page);
  await page.getByRole("button", { name: "Share or embed" }).click();
  const dialog = page.getByRole("dialog", { name: "Share this run" });
  const sizes = await dialog.getByLabel("Embed size").locator("option").allTextContents();
  expect(sizes.length).toBeGreaterThanOrEqual(3);
  for (const [i, name] of sizes.entries()) {
    await dialog.getByLabel("Embed size").selectOption({ index: i });
    const code = await dialog.getByTestId("embed-code").inputValue();
    const [, src, width, height] = code.match(/src="([^"]+)" width="(\d+)" height="(\d+)"/);
    const frame = await page.context().newPage();
    await frame.setViewportSize({ width: Number(width), height: Number(height) });
    await frame.goto(src.replaceAll("&amp;", "&"));
    await expect(frame.getByRole("button", { name: "Play" })).toBeVisible();
    for (const tab of await frame.getByRole("tab").all()) {
      await tab.click();
      const fits = await frame.evaluate(() => {
        const root = document.scrollingElement;
        return root.scrollHeight <= innerHeight && root.scrollWidth <= innerWidth;
      });
      expect(fits, `${name}, ${await tab.textContent()} tab`).toBe(true);
    }
    await frame.getByRole("tab", { name: "Stage" }).click();
    await frame.screenshot({ path: `${artifacts}/embed-${width}x${height}.png` });
    await frame.close();
  }
});

test("an embed locks the timeline to the range of steps chosen in the share dialog", async ({ page, browser }) => {
  await openLab(page, "/?fail=drop-ack:m2");
  await page.getByRole("button", { name: "Share or embed" }).click();
  const dialog = page.getByRole("dialog", { name: "Share this run" });
  await dialog.getByLabel("Lock the timeline to steps").check();
  await dialog.getByLabel("First step").fill("5");
  await dialog.getByLabel("First step").press("Tab");
  await dialog.getByLabel("Last step").fill("12");
  await dialog.getByLabel("Last step").press("Tab");
  const code = await dialog.getByTestId("embed-code").inputValue();
  const src = code.match(/src="([^"]+)"/)[1].replaceAll("&amp;", "&");
  expect(src).toContain("range=5-12");
  const embed = await browser.newPage({ viewport: { width: 320, height: 560 } });
  await embed.goto(src);
  const timeline = embed.getByRole("slider", { name: "Timeline" });
  await expect(timeline).toHaveValue("5");
  expect(await timeline.getAttribute("min")).toBe("5");
  expect(await timeline.getAttribute("max")).toBe("12");
  await embed.getByRole("button", { name: "Run to end" }).click();
  await expect(timeline).toHaveValue("12");
  await embed.getByRole("button", { name: "Restart" }).click();
  await expect(timeline).toHaveValue("5");
  // 320 px wide: still no scrollbar.
  expect(await embed.evaluate(() => document.scrollingElement.scrollWidth <= innerWidth && document.scrollingElement.scrollHeight <= innerHeight)).toBe(true);
  await embed.screenshot({ path: `${artifacts}/embed-320x560.png` });
  await embed.close();
});

test("an embed can autoplay, always with a pause button, and takes the link's theme", async ({ page }) => {
  await openLab(page, "/#v=1&embed=1&autoplay=1&theme=dark&speed=0");
  const pause = page.getByRole("button", { name: "Pause" });
  await expect(pause).toBeVisible();
  // It really plays: the timeline moves on by itself.
  await expect.poll(async () => Number(await page.getByRole("slider", { name: "Timeline" }).inputValue())).toBeGreaterThan(0);
  await pause.click();
  await expect(page.getByRole("button", { name: "Play" })).toBeVisible();
  expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe("dark");
  expect(await page.evaluate(() => getComputedStyle(document.documentElement).colorScheme)).toBe("dark");
});

// The host page is on another origin, so these tests use Playwright's plain page (the fixture
// forbids requests to any origin but the lab's).
async function openHost(page, origin, fragment, allow) {
  const params = new URLSearchParams({ lab: labUrl, fragment });
  if (allow) params.set("allow", allow);
  await page.goto(`${origin}/host.html?${params}`);
  if (allow && allow !== origin) {
    // The lab posts ready, height and state only to the origins its link allows: this page
    // hears nothing, so wait for the lab to be on screen in its frame instead.
    await expect(page.frameLocator("#lab").getByRole("button", { name: "Play" })).toBeVisible();
  } else {
    await page.waitForFunction(() => window.labMessages.some((m) => m.type === "ready"));
  }
}

async function messagesOf(page, type) {
  return page.evaluate((type) => window.labMessages.filter((m) => m.type === type), type);
}

plain("the example host page sizes the frame, drives the lab by postMessage and reads the engine's verdicts", async ({ page }) => {
  await openHost(page, hostOrigin, "v=1&preset=at-least-once&messages=3");
  // The lab tells its height; the host sizes the frame with it.
  await page.waitForFunction(() => window.labMessages.some((m) => m.type === "height"));
  // The page may still be building its later panels, so its height may still change: the frame
  // follows the latest one it was told.
  await expect
    .poll(async () => (await page.locator("#lab").getAttribute("height")) === String((await messagesOf(page, "height")).at(-1).height))
    .toBe(true);

  // Inject a failure, then go to the end.
  const inject = await page.evaluate(() => window.sendToLab({ type: "inject", fault: "drop-ack:m2" }));
  await page.waitForFunction((id) => window.labMessages.some((m) => m.id === id), inject);
  expect((await messagesOf(page, "reply")).find((m) => m.id === inject)).toMatchObject({ ok: true });
  const asked = await page.evaluate(() => window.sendToLab({ type: "get-state" }));
  await page.waitForFunction((id) => window.labMessages.some((m) => m.type === "state" && m.id === id), asked);
  const total = (await messagesOf(page, "state")).find((m) => m.id === asked).total_steps;
  const go = await page.evaluate((step) => window.sendToLab({ type: "go-to-step", step }), total);
  await page.waitForFunction((id) => window.labMessages.some((m) => m.id === id), go);
  await page.waitForFunction((total) => window.labMessages.some((m) => m.type === "state" && m.step === total && !m.id), total);
  const state = (await messagesOf(page, "state")).filter((m) => m.step === total && !m.id).at(-1);

  const scenario = JSON.stringify({ version: 1, preset: "at-least-once", messages: 3, seed: 1, faults: ["drop-ack:m2"] });
  const native = nativeLedger(scenario);
  expect(state.verdicts).toEqual(native.rows.map((row) => ({ msg: `m${row.msg}`, verdict: row.verdict })));
  expect(state.summary.duplicated).toBe(native.summary.duplicated);
  await page.screenshot({ path: `${artifacts}/host-page.png`, fullPage: true });

  // A bad command gets an error and changes nothing.
  const before = (await messagesOf(page, "state")).length;
  const bad = await page.evaluate(() => window.sendToLab({ type: "go-to-step", step: -3 }));
  await page.waitForFunction((id) => window.labMessages.some((m) => m.id === id), bad);
  expect((await messagesOf(page, "error")).find((m) => m.id === bad).message).toContain("step");
  const unknown = await page.evaluate(() => window.sendToLab({ type: "explode" }));
  await page.waitForFunction((id) => window.labMessages.some((m) => m.id === id), unknown);
  expect((await messagesOf(page, "error")).find((m) => m.id === unknown).message).toContain("explode");
  expect((await messagesOf(page, "state")).length).toBe(before);
});

plain("a page on an origin the link does not allow cannot command the lab", async ({ page }) => {
  // The lab's link allows the host origin only; this page is on another.
  await openHost(page, foreignOrigin, "v=1&preset=at-least-once&messages=3", hostOrigin);
  const frame = page.frameLocator("#lab");
  const before = await frame.getByTestId("scenario-json").textContent();
  const id = await page.evaluate(() => window.sendToLab({ type: "inject", fault: "drop-ack:m2" }));
  await page.waitForFunction((id) => window.labMessages.some((m) => m.id === id), id);
  const error = (await messagesOf(page, "error")).find((m) => m.id === id);
  expect(error.message).toContain("may not command");
  await page.evaluate(() => window.sendToLab({ type: "play" }));
  await page.waitForTimeout(300);
  expect(await frame.getByTestId("scenario-json").textContent()).toBe(before);
  await expect(frame.getByRole("slider", { name: "Timeline" })).toHaveValue("0");
  // Nor does it read the lab's messages: only the answer to its own command reached it.
  expect((await page.evaluate(() => window.labMessages)).map((m) => m.type)).toEqual(["error", "error"]);
});

for (const embed of [false, true]) {
  test(`a link's title and captions show in the narration band as playback reaches them (${embed ? "embed" : "full page"}; issue 14)`, async ({ page }) => {
    const title = "The lost ACK, told by a trainer";
    const captions = ["Three messages set off", "By now the ACK is on its way back"];
    const link = `/#v=1&preset=at-least-once&messages=3&title=${encodeURIComponent(title)}`
      + `&caption=0:${encodeURIComponent(captions[0])}&caption=5:${encodeURIComponent(captions[1])}${embed ? "&embed=1" : ""}`;
    // (An embed's heading is the link's title: wait for the lab's Play button instead.)
    await page.goto(link);
    await expect(page.getByRole("button", { name: "Play" })).toBeVisible();
    await expect(page.getByText(title, { exact: true }).first()).toBeVisible();
    const caption = page.getByTestId("caption");
    await expect(caption).toHaveText(captions[0]);
    // Apart from the engine's sentence.
    await expect(page.locator(".narration")).not.toContainText(captions[0]);
    const timeline = page.getByRole("slider", { name: "Timeline" });
    await timeline.fill(await timeline.getAttribute("max"));
    await expect(caption).toHaveText(captions[1]);
    await timeline.fill("0");
    await expect(caption).toHaveText(captions[0]);
  });
}

test("in a lesson the lesson panel shows its captions, not the narration band too (issue 14)", async ({ page }) => {
  await openLab(page, "/#v=1&lesson=lost-ack-duplicate");
  await expect(page.getByTestId("lesson-caption")).toBeVisible();
  await expect(page.getByTestId("caption")).toHaveCount(0);
});

plain("a host's load changes the run, never the presentation: an embed stays an embed (issue 14)", async ({ page }) => {
  await openHost(page, hostOrigin, "v=1&messages=3&embed=1", hostOrigin);
  await page.waitForFunction(() => window.labMessages.some((m) => m.type === "height"));
  const frame = page.frameLocator("#lab");
  await expect(frame.getByRole("tab", { name: "Stage" })).toBeVisible();
  const before = (await messagesOf(page, "height")).at(-1).height;
  // A link without embed=1: its run, in the frame's view.
  const id = await page.evaluate(() => window.sendToLab({ type: "load", link: "v=1&messages=5&step=3" }));
  await page.waitForFunction((id) => window.labMessages.some((m) => m.id === id), id);
  expect((await messagesOf(page, "reply")).find((m) => m.id === id)).toMatchObject({ ok: true });
  await expect(frame.getByRole("slider", { name: "Timeline" })).toHaveValue("3");
  await expect(frame.getByRole("tab", { name: "Stage" })).toBeVisible();
  await expect(frame.getByRole("heading", { name: "Ledger" })).toHaveCount(0);
  await page.waitForTimeout(500);
  // The frame's height stays an embed's (the full page is several times as tall).
  expect((await messagesOf(page, "height")).at(-1).height).toBeLessThanOrEqual(before * 1.25);
});

const lessons = execFileSync(cli, ["lesson"], { encoding: "utf8" })
  .trim()
  .split("\n")
  .map((line) => line.split("\t")[0]);

test("there are at least ten lessons, each with its own link in the lesson picker", async ({ page }) => {
  expect(lessons.length).toBeGreaterThanOrEqual(10);
  await openLab(page);
  await page.getByRole("button", { name: "Lessons" }).click();
  const picker = page.getByRole("dialog", { name: "Lessons" });
  // The list comes from the worker (the page carries no lesson's text): the first link takes focus.
  await expect(picker.locator("a.lesson-link").first()).toBeFocused();
  const links = await picker.locator("a.lesson-link").evaluateAll((as) => as.map((a) => a.getAttribute("href")));
  expect(links).toEqual(lessons.map((slug) => `#v=1&lesson=${slug}`));
  await page.screenshot({ path: `${artifacts}/lesson-picker.png` });
  await picker.locator(`a[data-lesson="${lessons[1]}"]`).click();
  await expect(page.getByRole("heading", { name: /^Lesson: / })).toBeVisible();
});

for (const slug of lessons) {
  test(`lesson ${slug} plays to its end and grades the prediction as the engine does`, async ({ page }) => {
    const engine = JSON.parse(execFileSync(cli, ["lesson", slug], { encoding: "utf8" }));
    await openLab(page, `/#v=1&lesson=${slug}&speed=5`);
    const panel = page.locator(".lesson-panel");
    await expect(panel).toBeVisible();
    const seen = new Set();
    // Ready for the learner: the reveal, a step's button enabled, or a question not yet answered.
    const ready = () =>
      page.waitForFunction(() => {
        const p = document.querySelector(".lesson-panel");
        return (
          p.querySelector('[data-testid="lesson-reveal"]') ||
          p.querySelector(".lesson-actions button:not([disabled])") ||
          (p.querySelector('input[type="radio"]') && !p.querySelector('input[type="radio"]:checked'))
        );
      }, null, { timeout: 60_000 });
    for (let i = 0; i < 40; i++) {
      await ready();
      seen.add(await panel.locator(".lesson-count").textContent());
      if ((await panel.getByTestId("lesson-reveal").count()) > 0) break;
      const choices = panel.getByRole("radio");
      if ((await choices.count()) > 0 && !(await choices.first().isChecked())) {
        // Predict the first choice, whatever it is; the grade must follow the engine.
        await choices.first().check();
      }
      await panel.locator(".lesson-actions button:enabled").click();
    }
    const reveal = panel.getByTestId("lesson-reveal");
    await expect(reveal).toBeVisible({ timeout: 60_000 });
    expect([...seen], "every step's caption was shown").toEqual(
      Array.from({ length: engine.captions }, (_, i) => `Step ${i + 1} of ${engine.captions}`));
    if (engine.correct_choice === 0) {
      await expect(reveal).toContainText("Right");
    } else {
      await expect(reveal).toContainText(engine.correct_label);
    }
    await expect(reveal).toContainText(engine.explanation.split(".")[0]);
  });
}

/** Presses the lesson's "next" (waiting while it is disabled) until `selector` is on the page, at most `tries` times. */
async function nextUntil(page, selector, tries) {
  for (let i = 0; i < tries; i++) {
    await page.waitForFunction((sel) => document.querySelector(sel) || document.querySelector(".lesson-actions button:not([disabled])"),
      selector, { timeout: 60_000 });
    if ((await page.locator(selector).count()) > 0) return;
    await page.locator(".lesson-panel .lesson-actions button").click();
  }
}

test("a lesson locks the prediction once it moves past its question, and the reveal names the answer and the prediction in words (issue 14)", async ({ page }) => {
  const slug = lessons[1];
  const engine = JSON.parse(execFileSync(cli, ["lesson", slug], { encoding: "utf8" }));
  const wrong = engine.correct_choice === 0 ? 1 : 0;
  await openLab(page, `/#v=1&lesson=${slug}&speed=5`);
  const panel = page.locator(".lesson-panel");
  const next = panel.locator(".lesson-actions button");
  const choices = panel.getByRole("radio");
  await nextUntil(page, '.lesson-panel input[type="radio"]', 10);
  // At the question the prediction may still change.
  await choices.nth(engine.correct_choice).check();
  await choices.nth(wrong).check();
  await next.click();
  // Moving on locks it: the captions from here on may tell the outcome.
  await expect(choices.nth(engine.correct_choice)).toBeDisabled();
  await expect(choices.nth(wrong)).toBeChecked();
  const reveal = panel.getByTestId("lesson-reveal");
  await nextUntil(page, '[data-testid="lesson-reveal"]', 20);
  await expect(reveal).toContainText(engine.correct_label);
  const labels = panel.locator(".lesson-question label");
  await expect(labels.nth(wrong)).toContainText("your prediction");
  await expect(labels.nth(wrong)).not.toContainText("the engine's answer");
  await expect(labels.nth(engine.correct_choice)).toContainText("the engine's answer");
});
