// Issue 11's reproducers in the page: a run cut short by the lab's bound says so, every entry
// point refuses what a link would refuse, a link the lab opens survives its own rewriting, the
// lab's messages reach only the pages its link names, and a link's numbers are never wrapped or
// clamped without a notice. Expected verdicts come from the engine's command line.
import { test as plain } from "@playwright/test";
import { test, expect, openLab, artifacts } from "./fixtures.js";
import { nativeLedger } from "./native.js";

const port = Number(process.env.E2E_PORT || 4173);
const labUrl = `http://127.0.0.1:${port}/`;
const hostOrigin = `http://127.0.0.1:${port + 1}`;
const foreignOrigin = `http://127.0.0.1:${port + 2}`;
const BOUND = "v=1&cfg.request.timeout.ms=1&cfg.max.in.flight.requests.per.connection=50&messages=200";

async function scenarioJson(page) {
  return page.getByTestId("scenario-json").textContent();
}

test("a run the lab's bound stops says so from the start and at its end, and judges no unfinished message", async ({ page }) => {
  await openLab(page, `/#${BOUND}`);
  const banner = page.getByTestId("bound");
  await expect(banner).toContainText("does not finish");
  await page.getByRole("button", { name: "Run to end" }).click();
  await expect(page.getByRole("button", { name: "Replay" })).toBeVisible({ timeout: 30_000 });
  const native = nativeLedger(await scenarioJson(page));
  expect(native.run_state).toBe("truncated");
  const summary = page.getByTestId("summary");
  await expect(summary).toContainText(`${native.summary.unfinished} unfinished`);
  await expect(summary).toContainText(`${native.summary.lost} lost`);
  await expect(page.getByTestId("truncated")).toContainText("did not finish");
  // The last message's row (scrolled into view in the long ledger) has no verdict.
  const scroll = page.getByRole("region", { name: "Ledger table" });
  await scroll.evaluate((el) => { el.scrollTop = el.scrollHeight; });
  const last = page.locator('.ledger tbody tr[data-msg="m200"] .verdict');
  await expect(last).toHaveAttribute("data-verdict", native.rows[199].verdict);
  expect(native.rows[199].verdict).toBe("unfinished");
  await page.locator('.ledger tbody tr[data-msg="m200"] .msg-button').click();
  await expect(page.locator(".cause")).toContainText("unfinished (the run hit the lab's bound)");
  await expect(page.locator(".cause")).not.toContainText("crash");
  await page.screenshot({ path: `${artifacts}/bound-run.png` });
});

test("a link the lab opens stays in the address bar as it plays and after a reload", async ({ page }) => {
  // The 7.7 KB link of raw '!' captions: opened with no notice, written back in full.
  const captions = Array.from({ length: 15 }, (_, i) => `&caption=${i}:${"!".repeat(500)}`).join("");
  const link = `v=1${captions}`;
  expect(link.length).toBeGreaterThan(7_500);
  await openLab(page, `/#${link}`);
  await expect(page.getByRole("alert")).toHaveCount(0);
  const scenario = await scenarioJson(page);
  expect(JSON.parse(scenario).captions).toHaveLength(15);
  await page.getByRole("button", { name: "Step forward" }).click();
  await expect.poll(() => page.evaluate(() => location.hash)).toContain("caption=14:");
  expect(await page.evaluate(() => location.hash)).toContain("step=1");
  await page.reload();
  await expect(page.getByRole("heading", { level: 1, name: "Kafka Delivery Lab" })).toBeVisible();
  expect(await scenarioJson(page)).toBe(scenario);
  await expect(page.getByRole("alert")).toHaveCount(0);
});

test("a link the lab could not write back is refused at once with a notice, not lost later", async ({ page }) => {
  await openLab(page);
  const defaults = await scenarioJson(page);
  // Raw '(' is percent-encoded by the lab (it ends a Markdown link): 4 KB raw, 12 KB written.
  const captions = Array.from({ length: 10 }, (_, i) => `&caption=${i}:${"(".repeat(400)}`).join("");
  await page.goto("about:blank");
  await openLab(page, `/#v=1${captions}`);
  await expect(page.getByRole("alert")).toContainText("share it as a scenario file");
  await expect(page.getByRole("alert")).toContainText("default scenario");
  expect(await scenarioJson(page)).toBe(defaults);
});

test("a step or a locked range outside the run each get a notice naming what was shown", async ({ page }) => {
  await openLab(page, "/#v=1&range=5000-6000");
  const total = Number(await page.getByRole("slider", { name: "Timeline" }).getAttribute("max"));
  await expect(page.getByRole("alert")).toContainText("locks steps 5000 to 6000");
  await expect(page.getByRole("alert")).toContainText(`steps ${total} to ${total}`);
  await page.goto("about:blank");
  await openLab(page, "/#v=1&step=999999");
  await expect(page.getByRole("alert")).toContainText("asks for step 999999");
});

test("a lesson step as large as a link may hold is named as given, never wrapped to 0", async ({ page }) => {
  await openLab(page, "/#v=1&lesson=lost-ack-duplicate&lesson-step=4294967295");
  const alert = page.getByRole("alert");
  await expect(alert).toContainText("lesson-step 4294967295");
  await expect(alert).not.toContainText("step 0.");
  await expect(page.getByRole("heading", { name: /^Lesson: / })).toBeVisible();
});

async function openHost(page, origin, fragment, allow) {
  const params = new URLSearchParams({ lab: labUrl, fragment, allow });
  await page.goto(`${origin}/host.html?${params}`);
  await expect(page.frameLocator("#lab").getByRole("button", { name: /Play|Pause/ })).toBeVisible();
}

const types = (page) => page.evaluate(() => window.labMessages.map((m) => m.type));

plain("a host command is refused what a link would refuse, with the same message", async ({ page }) => {
  await openHost(page, hostOrigin, "v=1&preset=at-least-once&messages=3", hostOrigin);
  await page.waitForFunction(() => window.labMessages.some((m) => m.type === "ready"));
  const frame = page.frameLocator("#lab");
  const before = await frame.getByTestId("scenario-json").textContent();
  const id = await page.evaluate(() => window.sendToLab({ type: "inject", fault: "disk-lost@999999999" }));
  await page.waitForFunction((id) => window.labMessages.some((m) => m.id === id), id);
  const answer = (await page.evaluate(() => window.labMessages)).find((m) => m.id === id);
  expect(answer.type).toBe("error");
  expect(answer.message).toContain("tick 999999999 is past the last tick 100000");
  expect(await frame.getByTestId("scenario-json").textContent()).toBe(before);
  // The same failure in a link is refused with the same reason.
  const other = await page.context().newPage();
  await openLab(other, "/#v=1&fail=disk-lost@999999999");
  await expect(other.getByRole("alert")).toContainText("tick 999999999 is past the last tick 100000");
});

plain("the lab's state reaches only the origins its link names; a plain embed posts its height alone", async ({ page, context }) => {
  // Allowed: ready, height and state all arrive while it plays.
  await openHost(page, hostOrigin, "v=1&messages=3&autoplay=1&speed=5&embed=1", hostOrigin);
  await page.waitForFunction(() => window.labMessages.filter((m) => m.type === "state").length > 2);
  expect(new Set(await types(page))).toEqual(new Set(["ready", "height", "state"]));

  // Not named in origin=: over four seconds of autoplay, nothing at all.
  const foreign = await context.newPage();
  await openHost(foreign, foreignOrigin, "v=1&messages=3&autoplay=1&speed=5&embed=1", hostOrigin);
  await foreign.waitForTimeout(4_000);
  expect(await types(foreign)).toEqual([]);
  await expect(foreign.frameLocator("#lab").getByRole("slider", { name: "Timeline" })).not.toHaveValue("0");

  // No origin= at all: the height, so the frame can size itself, and nothing about the run.
  const plainEmbed = await context.newPage();
  await openHost(plainEmbed, foreignOrigin, "v=1&messages=3&autoplay=1&speed=5&embed=1", "none");
  await plainEmbed.waitForFunction(() => window.labMessages.some((m) => m.type === "height"));
  await plainEmbed.waitForTimeout(2_000);
  expect(new Set(await types(plainEmbed))).toEqual(new Set(["height"]));
});
