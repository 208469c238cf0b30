// The explorer: the bounded search runs in a web worker and reports, per outcome, the shortest
// failure schedule or "impossible within the bound"; a counterexample replays on the stage to the
// verdict the engine gives natively; the search can be cancelled; the matrix is the command line's.
import { execFileSync } from "node:child_process";
import { test, expect, openLab, artifacts } from "./fixtures.js";
import { nativeLedger, pageLedger, ledgerRowsOf } from "./native.js";

const cli = process.env.DELIVERY_LAB_CLI || "target/debug/delivery-lab";

async function explore(page, preset) {
  await page.getByRole("combobox", { name: "Delivery semantics" }).selectOption(preset);
  await page.getByRole("button", { name: "Explore" }).click();
  await expect(page.locator(".explorer-report")).toBeVisible({ timeout: 30_000 });
}

for (const [preset, outcome, verdicts] of [
  // At most once loses messages (Kafka docs, 4.6 Message Delivery Semantics: "messages may be lost
  // but are never redelivered"); at least once duplicates them ("messages are never lost but may be
  // redelivered").
  ["at-most-once", "loss", ["lost"]],
  ["at-least-once", "duplicate-processing", ["duplicated", "processed-twice-effect-once"]],
]) {
  test(`the explorer finds ${outcome} under ${preset}, and its counterexample replays to the engine's verdict`, async ({ page }) => {
    await openLab(page);
    await explore(page, preset);
    const row = page.locator(`.explorer-table tr[data-outcome="${outcome}"]`);
    await expect(row).toHaveClass(/found/);
    await page.locator(".explorer-panel").screenshot({ path: `${artifacts}/explorer-${preset}.png` });
    await row.getByRole("link", { name: "Replay it on the stage" }).click();
    await page.getByRole("button", { name: "Run to end" }).click();
    const scenario = await page.getByTestId("scenario-json").textContent();
    const native = nativeLedger(scenario);
    expect(await pageLedger(page)).toEqual(ledgerRowsOf(native));
    expect(native.rows.some((r) => verdicts.includes(r.verdict) || r.processed > 1)).toBe(true);
  });
}

test("a search can be cancelled, and the page stays responsive while it runs", async ({ page }) => {
  await openLab(page);
  await page.getByRole("combobox", { name: "Delivery semantics" }).selectOption("exactly-once-kafka");
  await page.locator("#explore-faults").fill("3");
  await page.locator("#explore-faults").press("Tab");
  await page.getByRole("button", { name: "Explore" }).click();
  await expect(page.locator(".explorer-progress progress")).toBeVisible();
  // The page answers while the worker searches: a step of the stage goes through.
  await page.getByRole("button", { name: "Step forward" }).click();
  await expect(page.getByRole("slider", { name: "Timeline" })).toHaveValue("1");
  await page.getByRole("button", { name: "Cancel" }).click();
  await expect(page.getByText("Cancelled.")).toBeVisible();
  await expect(page.getByRole("button", { name: "Explore" })).toBeEnabled();
});

test("the guarantee matrix in the page is the one `delivery-lab matrix` prints", async ({ page }) => {
  const native = JSON.parse(execFileSync(cli, ["matrix", "--json"], { encoding: "utf8" }));
  const text = (cell) => (!cell.applies ? "n/a" : cell.outcomes.length ? cell.outcomes.map((w) => w.outcome).join(", ") : "-");
  await openLab(page);
  await page.getByRole("button", { name: "Compute it" }).click();
  const matrix = page.locator("table.matrix");
  await expect(matrix).toBeVisible({ timeout: 30_000 });
  const shown = await matrix.locator("tbody tr").evaluateAll((rows) =>
    rows.map((row) => [...row.querySelectorAll("td")].map((td) => td.textContent.trim())),
  );
  const expected = native.rows[0].cells.map((_, i) => native.rows.map((row) => text(row.cells[i])));
  expect(shown).toEqual(expected);
});

// Every preset keeps min.insync.replicas=1, Kafka's default (Kafka docs, Topic Configs:
// min.insync.replicas, default 1): where the explorer finds loss under acks=all it says so, and
// what setting it to 2 does and does not rule out (issue 14).
test("where the explorer finds loss under acks=all, it names min.insync.replicas=1 and what changing it rules out", async ({ page }) => {
  await openLab(page);
  await explore(page, "at-least-once");
  const loss = page.locator('.explorer-table tr[data-outcome="loss"]');
  await expect(loss).toHaveClass(/found/);
  const notes = page.locator(".explorer-note");
  await expect(notes.filter({ hasText: "min.insync.replicas=1" })).toHaveCount(1);
  await expect(notes.filter({ hasText: "min.insync.replicas=2" })).toHaveCount(1);
  // The loss found here is a lost disk after the ISR shrank: a note says min.insync.replicas does not prevent it.
  if ((await loss.textContent()).includes("disk-lost")) {
    await expect(notes.filter({ hasText: "KIP-966" })).toHaveCount(1);
  }
});
