// For each preset and each failure point, armed by clicking it on the stage and played to the end,
// the page's ledger equals the engine's for the same scenario run by the native command line.
import { test, expect, openLab } from "./fixtures.js";
import { nativeLedger, pageLedger, ledgerRowsOf } from "./native.js";

const PRESETS = ["at-most-once", "at-least-once", "exactly-once-kafka", "exactly-once-db"];
// [hotspot on the stage, failure point]
const FAILURES = [
  ["produce-link", "drop-produce-request"],
  ["ack-link", "drop-ack"],
  ["leader", "leader-crash-unreplicated-after-ack"],
  ["leader", "leader-crash-unreplicated-before-ack"],
  ["producer", "app-resend-after-timeout"],
  ["producer", "zombie-producer"],
  ["consumer", "consumer-crash-after-fetch"],
  ["processing", "consumer-crash-after-processing"],
  ["consumer", "consumer-crash-after-commit"],
  ["commit-link", "drop-offset-commit"],
  ["sink", "db-write-then-die"],
  ["consumer", "drop-fetch-response"],
  ["producer", "drop-end-txn-response"],
  ["producer", "producer-crash-stays-down"],
  ["producer", "producer-crash-before-commit"],
  ["producer", "producer-crash-after-end-txn"],
  ["producer", "producer-crash-after-commit"],
];

// Failures that cannot strike under a preset's configuration: with acks=0 "the producer will not
// wait for any acknowledgment from the server at all" (ProducerConfig acks,
// https://kafka.apache.org/documentation/#producerconfigs_acks), so there is no ACK to drop.
// Without a transactional.id there is no transaction, so no EndTxn answer to lose.
const TRANSACTION_STEPS = ["drop-end-txn-response", "producer-crash-before-commit", "producer-crash-after-end-txn", "producer-crash-after-commit"];
const NOT_APPLICABLE = {
  "at-most-once": ["drop-ack", ...TRANSACTION_STEPS],
  "at-least-once": TRANSACTION_STEPS,
  "exactly-once-db": TRANSACTION_STEPS,
};

for (const preset of PRESETS) {
  test.describe(preset, () => {
    for (const [hotspot, fault] of FAILURES) {
      test(`${fault} on m2`, async ({ page }) => {
        await openLab(page);
        await page.getByRole("combobox", { name: "Delivery semantics" }).selectOption(preset);
        await page.locator(`[data-hotspot="${hotspot}"]`).click();
        const button = page.locator(`.hotspot-panel [data-fault="${fault}"]`);
        if (NOT_APPLICABLE[preset]?.includes(fault)) {
          // It cannot strike here: the menu says so and does not arm it.
          await expect(button).toBeDisabled();
          await expect(button).toContainText("n/a");
          return;
        }
        await button.click();
        await page.getByRole("button", { name: "Run to end" }).click();
        await expect(page.getByRole("status").filter({ hasText: "The run is over" })).toBeVisible();

        const scenario = await page.getByTestId("scenario-json").textContent();
        const parsed = JSON.parse(scenario);
        expect(parsed.preset).toBe(preset);
        expect(parsed.faults).toEqual([`${fault}:m2`]);
        expect(await pageLedger(page)).toEqual(ledgerRowsOf(nativeLedger(scenario)));
      });
    }
  });
}

test("the at-least-once story of PRODUCT.md: a lost ACK, and m2 lands and is processed twice", async ({ page }) => {
  await openLab(page);
  await page.locator('[data-hotspot="ack-link"]').click();
  await page.locator('.hotspot-panel [data-fault="drop-ack"]').click();
  await page.getByRole("button", { name: "Run to end" }).click();
  const m2 = page.locator('.ledger tr[data-msg="m2"]');
  await expect(m2.locator(".verdict")).toHaveAttribute("data-verdict", "duplicated");
  await page.getByRole("button", { name: "Explain m2" }).click();
  // The cause names the lost ACK and the setting that would have prevented the duplicate.
  await expect(page.locator(".cause")).toContainText("ACK");
  await expect(page.locator(".cause")).toContainText("idempotence");
  // The second copy is marked on the stage by a badge, not by colour alone.
  await expect(page.locator(".stage-svg .entry.copy .entry-badge").first()).toHaveText("×2");
});

test("keyboard only: arm a failure on the stage, play, and read the verdict", async ({ page }) => {
  await openLab(page);
  await page.locator("body").click({ position: { x: 2, y: 2 } });
  // Tab to the ACK hotspot on the stage.
  let onHotspot = false;
  for (let i = 0; i < 60 && !onHotspot; i++) {
    await page.keyboard.press("Tab");
    onHotspot = await page.evaluate(() => document.activeElement?.dataset?.hotspot === "ack-link");
  }
  expect(onHotspot).toBe(true);
  await page.keyboard.press("Enter");
  await expect(page.getByRole("group", { name: "Failures at the ACK" })).toBeVisible();
  // The menu takes focus (on its first failure); Tab to the lost ACK and arm it.
  let onFault = await page.evaluate(() => document.activeElement?.closest(".hotspot-panel") !== null);
  expect(onFault, "focus moved into the menu").toBe(true);
  onFault = false;
  for (let i = 0; i < 20 && !onFault; i++) {
    onFault = await page.evaluate(() => document.activeElement?.dataset?.fault === "drop-ack");
    if (!onFault) await page.keyboard.press("Tab");
  }
  expect(onFault).toBe(true);
  await page.keyboard.press("Enter");
  await expect(page.locator('.hotspot-panel [data-fault="drop-ack"]')).toHaveAttribute("aria-pressed", "true");
  // Shortcuts: E runs to the end (focus is on a button, where only Space is the button's own).
  await page.keyboard.press("e");
  await expect(page.getByRole("status").filter({ hasText: "The run is over" })).toBeVisible();
  await expect(page.locator('.ledger tr[data-msg="m2"] .verdict')).toContainText("duplicated");
});

test("playing animates messages along the links and ends by itself", async ({ page }) => {
  await openLab(page);
  // At normal speed a message spends half a second or more on its link, long enough to watch.
  await page.getByRole("combobox", { name: "Speed" }).selectOption("normal");
  await page.getByRole("button", { name: "Play" }).click();
  // Watch one message: it moves along its link from frame to frame.
  let moved = false;
  for (let i = 0; i < 20 && !moved; i++) {
    const token = page.locator(".token").first();
    // Short timeouts: when no message is on the wire, look again rather than wait.
    const flight = await token.getAttribute("data-flight", { timeout: 500 }).catch(() => null);
    const before = flight && (await token.getAttribute("transform", { timeout: 500 }).catch(() => null));
    await page.waitForTimeout(60);
    const after = flight && (await page.locator(`.token[data-flight="${flight}"]`).getAttribute("transform", { timeout: 50 }).catch(() => null));
    moved = Boolean(before && after && before !== after);
  }
  expect(moved).toBe(true);
  // Then fastest, to the end.
  await page.getByRole("combobox", { name: "Speed" }).selectOption("fastest");
  await expect(page.getByRole("status").filter({ hasText: "The run is over" })).toBeVisible({ timeout: 20_000 });
  await expect(page.getByRole("button", { name: "Replay" })).toBeVisible();
});

test("a network failure armed from the stage for every attempt in a window or the next 3 times strikes as the engine says", async ({ page }) => {
  for (const [how, hotspot, fault, written] of [
    ["the next 3 times", "ack-link", "drop-ack", "drop-ack*3"],
    ["every time for 10 s", "produce-link", "drop-produce-request", "drop-produce-request@0..100"],
  ]) {
    await openLab(page);
    await page.getByLabel("How often").selectOption({ label: how });
    await page.locator(`[data-hotspot="${hotspot}"]`).click();
    await page.locator(`.hotspot-panel [data-fault="${fault}"]`).click();
    await page.getByRole("button", { name: "Run to end" }).click();
    await expect(page.getByRole("status").filter({ hasText: "The run is over" })).toBeVisible();
    const scenario = await page.getByTestId("scenario-json").textContent();
    expect(JSON.parse(scenario).faults).toEqual([written]);
    expect(await pageLedger(page)).toEqual(ledgerRowsOf(nativeLedger(scenario)));
  }
});

// Issue 15: a send schedule, the application's reaction to a commitTransaction() timeout, and
// commitSync() after commitTransaction(), opened from links: the page's ledger is the engine's.
// The schedule: auto.offset.reset=latest skips m2, written while the consumer is down (Consumer
// Configs, auto.offset.reset). The timeout: commitTransaction() "may be retried" or the producer
// closed (KafkaProducer.commitTransaction javadoc); closing and re-sending duplicates m1. The
// split commit: output committed, offsets refused after a stall, m2's output twice (KIP-447 is
// what sendOffsetsToTransaction adds).
for (const [name, fragment, verdict] of [
  ["a send schedule", "cfg.auto.offset.reset=latest&send=0,8,400&fail=consumer-crash-after-fetch:m1", ["m2", "lost"]],
  // A send that waits for an event: m2 goes out 5 ticks after the consumer crashed, before the
  // replacement starts, and latest skips it.
  ["a send that waits for an event", "cfg.auto.offset.reset=latest&send=,consumer-crash%2B5&fail=consumer-crash-after-fetch:m1", ["m2", "lost"]],
  ["a commitTransaction() timeout taken for a failure", "preset=exactly-once-kafka&cfg.max.block.ms=20000&cfg.lab.commit.timeout=close&cfg.lab.resend.on.error=true&fail=drop-end-txn-response:m1", ["m1", "duplicated"]],
  ["commitSync() after commitTransaction()", "preset=exactly-once-kafka&cfg.lab.manual.commit=commit-sync-after-transaction&fail=processing-stall:m2", ["m2", "duplicated"]],
  // A group of two (ConsumerConfig, max.poll.interval.ms: "the group will rebalance in order to
  // reassign the partitions to another member"): the slow member's batch is processed by both.
  // Kafka's transaction covers the output topic, not a database written beside it (Kafka docs,
  // Message Delivery Semantics: writing to an external system needs the position stored with it).
  ["an output topic and a database in one run", "preset=exactly-once-kafka&cfg.lab.sink=output-topic-and-db-insert&fail=consumer-crash-after-processing:m2", ["m2", "duplicated"]],
  ["a group of two whose slow member loses its partition", "preset=at-least-once&cfg.lab.group.members=2&cfg.max.poll.interval.ms=3000&fail=processing-stall:m2", ["m2", "duplicated"]],
  // Kafka docs, Introduction: order (and each partition's committed offset) holds per partition;
  // RangeAssignor gives the first member partitions 0 and 1, the second partition 2. The first
  // member crashes after processing m2 (partition 1), before committing it: its new instance
  // reads partition 1 again from the committed offset.
  ["a topic of three partitions shared by a group of two", "preset=at-least-once&cfg.num.partitions=3&cfg.lab.group.members=2&fail=consumer-crash-after-processing:m2", ["m2", "duplicated"]],
]) {
  test(`${name}, opened from a link, gives the engine's ledger`, async ({ page }) => {
    await openLab(page, `/#v=1&${fragment}`);
    if (name === "a send schedule") {
      // The producer's box says which message waits for its time.
      // Step 15 is t=28 (delivery-lab run --steps 15): m1 and m2 are sent, m3 is due at t=400.
      await page.getByRole("slider", { name: "Timeline" }).fill("15");
      await expect(page.locator(".stage-svg .log-layer .actor-detail", { hasText: "to be sent at t=400" })).toBeVisible();
      // The controls show the schedule, and editing it there is the same as the link's.
      await expect(page.locator("#send-at")).toHaveValue("0,8,400");
    }
    if (name === "a send that waits for an event") {
      await page.getByRole("slider", { name: "Timeline" }).fill("3");
      await expect(page.locator(".stage-svg .log-layer .actor-detail", { hasText: /^consumer-crash\+5$/ })).toBeVisible();
      await expect(page.locator("#send-at")).toHaveValue(",consumer-crash+5");
    }
    await page.getByRole("button", { name: "Run to end" }).click();
    await expect(page.getByRole("status").filter({ hasText: "The run is over" })).toBeVisible();
    if (name.startsWith("an output topic")) {
      // The sink box: the output topic read once by read_committed, and the database's four rows.
      const details = page.locator(".stage-svg .log-layer .actor-detail");
      await expect(details.filter({ hasText: /^database: 4 rows$/ })).toBeVisible();
      await expect(details.filter({ hasText: /^committed: 3$/ })).toBeVisible();
    }
    if (name.startsWith("a group")) {
      // The consumer box has a line per member; the diagram a lane per member.
      const details = page.locator(".stage-svg .log-layer .actor-detail");
      await expect(details.filter({ hasText: /^#1 reads at 3$/ })).toBeVisible();
      await expect(details.filter({ hasText: /^#2 stands by$/ })).toBeVisible();
      await expect(page.locator(".lane-names text", { hasText: "Consumer 2" })).toHaveCount(1);
    }
    if (name.startsWith("a topic")) {
      // The broker box draws each partition's leader and follower; the diagram a lane per broker.
      const stage = page.locator(".stage-svg");
      await expect(stage.locator(".actor-title", { hasText: "Brokers · 3 partitions" })).toBeVisible();
      for (const title of ["P0 leader", "P1 leader", "P2 follows"]) {
        await expect(stage.locator(".log-title", { hasText: title })).toBeVisible();
      }
      // RangeAssignor: the first member reads partitions 0 and 1, the second partition 2.
      await expect(stage.locator(".log-layer .actor-detail", { hasText: /^#1 reads P0 P1$/ })).toBeVisible();
      await expect(stage.locator(".log-layer .actor-detail", { hasText: /^#2 reads P2$/ })).toBeVisible();
      await expect(stage.locator(".log-layer .marker.committed")).toHaveCount(3);
      await expect(page.locator(".lane-names text", { hasText: "Broker 4" })).toHaveCount(1);
    }
    const scenario = await page.getByTestId("scenario-json").textContent();
    expect(await pageLedger(page)).toEqual(ledgerRowsOf(nativeLedger(scenario)));
    await expect(page.locator(`.ledger tr[data-msg="${verdict[0]}"] .verdict`)).toHaveAttribute("data-verdict", verdict[1]);
  });
}

// The schedule's field reads ticks and events under the scenario file's rules: a send cannot wait
// for its own or a later message (the application sends in program order), and the field says so.
test("the send schedule's field takes events and names what is wrong", async ({ page }) => {
  await openLab(page, "/");
  const field = page.locator("#send-at");
  await field.fill("0, acked:m3");
  await field.press("Enter");
  await field.blur();
  await expect(field).toHaveAttribute("aria-invalid", "true");
  await expect(page.locator("#send-at-hint")).toHaveText("must wait for a message before m2");
  await field.fill("0, acked:m1+20");
  await field.blur();
  await expect(field).not.toHaveAttribute("aria-invalid", "true");
  await expect(page.locator("#send-at-hint")).toContainText("acked:m1, processed:m1, commit");
  await expect(page.getByTestId("scenario-json")).toContainText('"acked:m1+20"');
  expect(page.url()).toContain("send=0,acked:m1%2B20");
  await page.getByRole("button", { name: "Run to end" }).click();
  const scenario = await page.getByTestId("scenario-json").textContent();
  expect(await pageLedger(page)).toEqual(ledgerRowsOf(nativeLedger(scenario)));
});
