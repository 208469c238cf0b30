// Playback, settings and motion as a learner meets them.
import { test, expect, openLab } from "./fixtures.js";
import { nativeLedger } from "./native.js";

test("stepping forward and back moves through the engine's log one step at a time", async ({ page }) => {
  await openLab(page);
  const status = page.getByRole("status").filter({ hasText: /t=|Ready/ });
  await page.getByRole("button", { name: "Step forward" }).click();
  await page.getByRole("button", { name: "Step forward" }).click();
  const second = await status.textContent();
  await page.getByRole("button", { name: "Step forward" }).click();
  expect(await status.textContent()).not.toBe(second);
  await page.getByRole("button", { name: "Step back" }).click();
  // The engine is deterministic, so one step back shows exactly the earlier sentence.
  await expect(status).toHaveText(second);
  await page.getByRole("button", { name: "Restart" }).click();
  await expect(status).toContainText("Ready");
  await expect(page.getByRole("button", { name: "Step back" })).toBeDisabled();
});

test("the group's settings reach the run and the real client's configuration (issue 15)", async ({ page }) => {
  await openLab(page);
  // Each change rebuilds the form: wait for the run to take it before the next one.
  const json = page.getByTestId("scenario-json");
  await page.locator("#setting-lab-group-members").selectOption("3");
  await expect(json).toContainText('"lab.group.members": 3');
  await page.locator("#setting-partition-assignment-strategy").selectOption("cooperative-sticky");
  await expect(json).toContainText('"partition.assignment.strategy": "cooperative-sticky"');
  await page.getByText("These settings in a real client (Java, Python)").click();
  // ConsumerConfig: the Java client takes the assignor's class name; librdkafka its short name.
  await expect(page.locator(".export-java")).toContainText("partition.assignment.strategy=org.apache.kafka.clients.consumer.CooperativeStickyAssignor");
  await expect(page.locator(".export-java")).toContainText("Run 3 consumers with the same group.id");
  await expect(page.locator(".export-python")).toContainText('"partition.assignment.strategy": "cooperative-sticky"');
  // A change while it is open writes it again (a number field's change fires when it loses focus).
  await page.locator("#setting-session-timeout-ms").fill("10000");
  await page.locator("#setting-session-timeout-ms").press("Tab");
  await expect(json).toContainText('"session.timeout.ms": 10000');
  await expect(page.locator(".export-java")).toContainText("session.timeout.ms=10000");
  // Static membership (KIP-345): each member its own group.instance.id.
  await page.locator("#setting-group-instance-id").selectOption("delivery-lab-consumer");
  await expect(json).toContainText('"group.instance.id": "delivery-lab-consumer"');
  await expect(page.locator(".export-java")).toContainText("group.instance.id=delivery-lab-consumer");
  await expect(page.locator(".export-java")).toContainText("Give each its own group.instance.id");
  // Below group.min.session.timeout.ms the coordinator would refuse the member.
  await page.locator("#setting-session-timeout-ms").fill("1000");
  await page.locator("#setting-session-timeout-ms").press("Tab");
  await expect(page.getByRole("alert")).toContainText("session.timeout.ms");
  await expect(page.locator("#setting-session-timeout-ms")).toHaveValue("10000");
});

test("a configuration Kafka refuses is refused with Kafka's reason, and the last one stays", async ({ page }) => {
  await openLab(page);
  await page.locator("#setting-enable-idempotence").selectOption("true");
  await page.locator("#setting-acks").selectOption("1");
  // ProducerConfig: enable.idempotence=true needs acks=all (a ConfigException otherwise).
  await expect(page.getByRole("alert")).toContainText("Must set acks to all");
  await expect(page.locator("#setting-acks")).toHaveValue("all");
  await page.locator("#setting-enable-idempotence").selectOption("not set (default)");
  await page.locator("#setting-acks").selectOption("1");
  // Left unset, Kafka switches idempotence off instead, and the page says so.
  await expect(page.getByRole("alert")).toHaveCount(0);
  await expect(page.getByRole("list", { name: /What Kafka changes/ })).toContainText("idempotence: off (acks != all)");
  await expect(page.getByRole("combobox", { name: "Delivery semantics" })).toHaveValue("custom");
});

test("with reduced motion, messages wait on their link instead of travelling", async ({ page }) => {
  await page.emulateMedia({ reducedMotion: "reduce" });
  await openLab(page);
  await page.getByRole("button", { name: "Play" }).click();
  await expect(page.locator(".token").first()).toBeVisible();
  // Watch one message for a while; with motion it would have moved (see "playing animates ...").
  let compared = 0;
  for (let i = 0; i < 20 && compared < 3; i++) {
    const token = page.locator(".token").first();
    // Short timeouts: when no message is on the wire, look again rather than wait.
    const flight = await token.getAttribute("data-flight", { timeout: 500 }).catch(() => null);
    const before = flight && (await token.getAttribute("transform", { timeout: 500 }).catch(() => null));
    await page.waitForTimeout(100);
    const after = flight && (await page.locator(`.token[data-flight="${flight}"]`).getAttribute("transform", { timeout: 50 }).catch(() => null));
    if (before && after) {
      expect(after).toBe(before);
      compared++;
    }
  }
  expect(compared).toBeGreaterThan(0);
});

test("the timeline goes to any step and back, and the ledger follows", async ({ page }) => {
  await openLab(page);
  await page.locator('[data-hotspot="ack-link"]').click();
  await page.locator('.hotspot-panel [data-fault="drop-ack"]').click();
  const timeline = page.getByRole("slider", { name: "Timeline" });
  const total = Number(await timeline.getAttribute("max"));
  expect(total).toBeGreaterThan(20);
  await timeline.fill(String(total));
  await expect(page.locator('.ledger tr[data-msg="m2"] .verdict')).toHaveAttribute("data-verdict", "duplicated");
  const atEnd = await page.locator(".ledger tbody").textContent();
  await timeline.fill("0");
  await expect(page.locator('.ledger tr[data-msg="m2"] .verdict')).toHaveAttribute("data-verdict", "pending");
  await timeline.fill(String(total));
  // Back at the end, the same ledger: the engine replays the same run.
  expect(await page.locator(".ledger tbody").textContent()).toBe(atEnd);
  // Halfway, the step counter and the narration agree with the slider.
  await timeline.fill(String(Math.floor(total / 2)));
  await expect(page.locator(".timeline-position")).toHaveText(`step ${Math.floor(total / 2)} of ${total}`);
});

test("the space-time diagram and the timeline are linked both ways", async ({ page }) => {
  await openLab(page);
  await page.locator('[data-hotspot="ack-link"]').click();
  await page.locator('.hotspot-panel [data-fault="drop-ack"]').click();
  // One lane per actor that takes part (at-least-once: producer, two brokers, group coordinator, consumer).
  await expect(page.locator(".lane-names text")).toHaveText(["Producer", "Broker 0", "Broker 1", "Group coordinator", "Consumer"]);
  // The failure is marked where it struck.
  await expect(page.locator(".fault-mark")).toContainText("Drop the ACK (m2)");
  // Clicking the lost ACK goes to the step that sent it and selects m2.
  const lost = page.locator(".arrow.lost").first();
  const step = await lost.getAttribute("data-step");
  await lost.dispatchEvent("click");
  await expect(page.getByRole("slider", { name: "Timeline" })).toHaveValue(step);
  await expect(page.getByRole("button", { name: "Explain m2" })).toHaveAttribute("aria-pressed", "true");
  // What has not happened yet is veiled: the now layer (line and veil) stands at the step clicked,
  // inside the diagram; at the end it stands within the last stretch of the diagram.
  const now = page.locator(".diagram-now");
  const width = Number(await page.locator("svg.diagram").getAttribute("width"));
  const atStep = Number(await now.getAttribute("data-x"));
  expect(atStep).toBeGreaterThan(0);
  expect(atStep).toBeLessThan(width - 70);
  expect(await now.evaluate((el) => el.style.transform)).toBe(`translateX(${atStep.toFixed(1)}px)`.replace(".0px", "px"));
  await page.getByRole("slider", { name: "Timeline" }).fill(await page.getByRole("slider", { name: "Timeline" }).getAttribute("max"));
  await expect.poll(async () => Number(await now.getAttribute("data-x"))).toBeGreaterThan(width - 70);
});

test("a fork at a past step changes the future as the engine says, and the old future comes back", async ({ page }) => {
  await openLab(page);
  const timeline = page.getByRole("slider", { name: "Timeline" });
  await page.getByRole("button", { name: "Run to end" }).click();
  const unforked = await page.locator(".ledger tbody").textContent();
  await timeline.fill("12");
  // Arm a failure from here on.
  await page.locator('[data-hotspot="consumer"]').click();
  await page.locator('.hotspot-panel [data-fault="consumer-crash-after-fetch"]').click();
  await expect(page.getByRole("status")).toContainText("Forked at step 12");
  await expect(timeline).toHaveValue("12");
  // The narration names the failure in words, never by its link slug (issue 14).
  await expect(page.getByRole("status")).not.toContainText("consumer-crash-after-fetch");
  await page.getByRole("button", { name: "Run to end" }).click();
  // The forked scenario, replayed by the native engine, gives the same ledger as the page.
  const scenario = await page.getByTestId("scenario-json").textContent();
  // Aimed at m2 while m2's moment is still ahead; otherwise armed from the fork's tick on.
  expect(JSON.parse(scenario).faults[0]).toMatch(/^consumer-crash-after-fetch(:m2|@\d+)$/);
  const { nativeLedger, pageLedger, ledgerRowsOf } = await import("./native.js");
  expect(await pageLedger(page)).toEqual(ledgerRowsOf(nativeLedger(scenario)));
  // Back to the fork's step, undo the fork: the previous future is back.
  await timeline.fill("12");
  await page.getByRole("button", { name: "Restore the previous future" }).click();
  await expect(page.getByRole("status")).toContainText("The previous future is back");
  await page.getByRole("button", { name: "Run to end" }).click();
  expect(await page.locator(".ledger tbody").textContent()).toBe(unforked);
});

test("compare shows each semantics' verdicts for the same failures, as native runs give them", async ({ page }) => {
  await openLab(page);
  await page.locator('[data-hotspot="ack-link"]').click();
  await page.locator('.hotspot-panel [data-fault="drop-ack"]').click();
  const { nativeLedger } = await import("./native.js");
  // The worker runs the four semantics; the table names the failures it is for.
  await expect(page.locator(".compare .hint")).toContainText("drop-ack:m2");
  const presets = await page.locator(".compare-table thead th[data-preset]").evaluateAll((ths) => ths.map((th) => th.dataset.preset));
  expect(presets).toEqual(["at-most-once", "at-least-once", "exactly-once-kafka", "exactly-once-db"]);
  const shown = await page.locator(".compare-table tbody tr").evaluateAll((rows) =>
    rows.map((row) => [...row.querySelectorAll("td")].map((td) => td.dataset.verdict)));
  const { messages, seed, faults } = JSON.parse(await page.getByTestId("scenario-json").textContent());
  presets.forEach((preset, column) => {
    const native = nativeLedger(JSON.stringify({ version: 1, preset, messages, seed, faults }));
    expect(shown.map((row) => row[column])).toEqual(native.rows.map((row) => row.verdict));
  });
  // m2 is duplicated under at-least-once but not under exactly-once, so its row is marked.
  await expect(page.locator('.compare-table tr[data-msg="m2"]')).toHaveClass(/differs/);
  await expect(page.locator('.compare-table tr[data-msg="m2"] th')).toContainText("◆");
});

test("the diagram downloads as a standalone SVG with one lane per actor", async ({ page }) => {
  await openLab(page);
  await page.locator('[data-hotspot="ack-link"]').click();
  await page.locator('.hotspot-panel [data-fault="drop-ack"]').click();
  const [download] = await Promise.all([
    page.waitForEvent("download"),
    page.getByRole("button", { name: "Download the diagram (SVG)" }).click(),
  ]);
  expect(download.suggestedFilename()).toBe("kafka-delivery-lab-diagram.svg");
  const { readFileSync } = await import("node:fs");
  const svg = readFileSync(await download.path(), "utf8");
  const lanesOnPage = await page.locator(".lane-names text").allTextContents();
  const parsed = await page.evaluate((text) => {
    const doc = new DOMParser().parseFromString(text, "image/svg+xml");
    return {
      error: doc.querySelector("parsererror")?.textContent ?? null,
      root: doc.documentElement.nodeName,
      lanes: [...doc.querySelectorAll("g.lane text")].map((t) => t.textContent),
      styleSheets: doc.querySelectorAll("style").length,
      fault: [...doc.querySelectorAll("text")].some((t) => t.textContent.includes("Drop the ACK (m2)")),
    };
  }, svg);
  expect(parsed.error).toBeNull();
  expect(parsed.root).toBe("svg");
  expect(parsed.lanes).toEqual(lanesOnPage);
  expect(parsed.fault).toBe(true);
  // Slide-shaped (16:9), with each message's verdict as the engine's ledger has it, and no label
  // printed over another (issue 14): drawn in the page, every pair of text boxes is measured.
  const drawn = await page.evaluate((text) => {
    const box = document.createElement("div");
    box.innerHTML = text;
    document.body.append(box);
    const svg = box.querySelector("svg");
    const [, , w, h] = svg.getAttribute("viewBox").split(" ").map(Number);
    const texts = [...svg.querySelectorAll("text")].map((t) => ({ text: t.textContent, r: t.getBoundingClientRect() }));
    const overlaps = [];
    for (let i = 0; i < texts.length; i++)
      for (let j = i + 1; j < texts.length; j++) {
        const [a, b] = [texts[i].r, texts[j].r];
        if (a.left + 0.5 < b.right && b.left + 0.5 < a.right && a.top + 0.5 < b.bottom && b.top + 0.5 < a.bottom)
          overlaps.push(`${texts[i].text} / ${texts[j].text}`);
      }
    const verdicts = [...svg.querySelectorAll("text.verdict")].map((t) => t.textContent);
    box.remove();
    return { ratio: w / h, overlaps, verdicts };
  }, svg);
  expect(drawn.ratio).toBeCloseTo(16 / 9, 2);
  expect(drawn.overlaps).toEqual([]);
  const scenario = await page.getByTestId("scenario-json").textContent();
  const { nativeLedger } = await import("./native.js");
  const labels = { "delivered-once": "delivered once", duplicated: "duplicated", lost: "lost" };
  const native = nativeLedger(scenario).rows.map((row) => `m${row.msg}`);
  expect(drawn.verdicts.map((v) => v.split(" ")[0])).toEqual(native);
  // At-least-once with a lost ACK: m2 is duplicated, the others delivered once.
  for (const row of nativeLedger(scenario).rows) {
    const line = drawn.verdicts.find((v) => v.startsWith(`m${row.msg} `));
    expect(line).toContain(labels[row.verdict] ?? "");
  }
});

test("the exported run replays natively to the same event log and ledger", async ({ page }) => {
  await openLab(page);
  await page.getByRole("combobox", { name: "Delivery semantics" }).selectOption("exactly-once-kafka");
  await page.locator('[data-hotspot="producer"]').click();
  await page.locator('.hotspot-panel [data-fault="zombie-producer"]').click();
  const [download] = await Promise.all([
    page.waitForEvent("download"),
    page.getByRole("button", { name: "Download the run (JSON)" }).click(),
  ]);
  expect(download.suggestedFilename()).toBe("kafka-delivery-lab-run.json");
  const file = await download.path();
  const { execFileSync } = await import("node:child_process");
  const cli = process.env.DELIVERY_LAB_CLI || "target/debug/delivery-lab";
  // `replay` exits non-zero unless the scenario gives exactly the recorded log (and its hash).
  const native = JSON.parse(execFileSync(cli, ["replay", file, "--json"], { encoding: "utf8" }));
  await page.getByRole("button", { name: "Run to end" }).click();
  const { pageLedger, ledgerRowsOf } = await import("./native.js");
  expect(await pageLedger(page)).toEqual(ledgerRowsOf(native));
});

test("scrubbing back and forth shows, at each step, the ledger the engine has after that many steps", async ({ page }) => {
  await openLab(page);
  await page.locator('[data-hotspot="ack-link"]').click();
  await page.locator('.hotspot-panel [data-fault="drop-ack"]').click();
  const { nativeLedger, pageLedger, ledgerRowsOf } = await import("./native.js");
  const scenario = await page.getByTestId("scenario-json").textContent();
  const timeline = page.getByRole("slider", { name: "Timeline" });
  const total = Number(await timeline.getAttribute("max"));
  for (const step of [Math.floor(total * 0.6), 3, total, Math.floor(total * 0.3), 0, Math.floor(total * 0.9)]) {
    await timeline.fill(String(step));
    await expect(page.locator(".timeline-position")).toHaveText(`step ${step} of ${total}`);
    expect(await pageLedger(page), `at step ${step}`).toEqual(ledgerRowsOf(nativeLedger(scenario, step)));
  }
});

test("a long ledger renders the rows near its scroll position, and every row is reachable", async ({ page }) => {
  // Typed at once, while the page still builds its later parts (which once reset the field).
  await openLab(page);
  await page.locator("#messages").fill("150");
  await page.locator("#messages").press("Tab");
  await page.getByRole("button", { name: "Run to end" }).click();
  const rows = page.locator(".ledger tbody tr[data-msg]");
  expect(await rows.count()).toBeLessThan(60);
  await expect(rows.first()).toHaveAttribute("data-msg", "m1");
  const box = page.getByRole("region", { name: "Ledger table" });
  await box.evaluate((el) => { el.scrollTop = el.scrollHeight; });
  await expect(page.locator('.ledger tbody tr[data-msg="m150"]')).toBeVisible();
  // The rows shown are the engine's, whichever part of the ledger is on screen.
  const { nativeLedger, pageLedger, ledgerRowsOf } = await import("./native.js");
  const native = ledgerRowsOf(nativeLedger(await page.getByTestId("scenario-json").textContent()));
  const shown = await pageLedger(page);
  expect(shown.length).toBeGreaterThan(10);
  expect(shown).toEqual(native.filter((row) => shown.some((s) => s.msg === row.msg)));
});

for (const embed of [false, true]) {
  test(`a link that opens at a step draws the diagram's now line and veil at that step (${embed ? "embed" : "full page"}; issue 14)`, async ({ page }) => {
    await page.goto(`/#v=1&preset=at-least-once&messages=3&fail=drop-ack:m2&step=20${embed ? "&embed=1" : ""}`);
    const timeline = page.getByRole("slider", { name: "Timeline" });
    await expect(timeline).toHaveValue("20");
    if (embed) await page.getByRole("tab", { name: "Diagram" }).click();
    const now = page.locator(".diagram-now");
    await now.scrollIntoViewIfNeeded();
    await expect(now).toHaveAttribute("data-x", /\d/);
    const onLoad = await now.evaluate((el) => [el.getAttribute("data-x"), el.style.transform]);
    // The timeline moved away and back by hand puts the now layer (line and veil) at the same place.
    await timeline.fill("0");
    await expect.poll(async () => Number(await now.getAttribute("data-x"))).toBeLessThan(Number(onLoad[0]));
    await timeline.fill("20");
    await expect.poll(() => now.evaluate((el) => [el.getAttribute("data-x"), el.style.transform])).toEqual(onLoad);
  });
}

test("mid-run, a message still on its way is pending in the ledger, not delayed", async ({ page }) => {
  // Kafka docs (Replication): "Only committed messages are ever given out to the consumer"; a
  // record above the high watermark before any failure is on its way, not held back. "Delayed"
  // (held back by a failover or an open transaction) is the outcome once the run is over.
  await openLab(page);
  const status = page.getByRole("status").filter({ hasText: /t=|Ready/ });
  for (let i = 0; i < 20 && !/appended m1/.test(await status.textContent()); i++) {
    await page.getByRole("button", { name: "Step forward" }).click();
  }
  await expect(status).toContainText("appended m1");
  const m1 = page.locator('.ledger tr[data-msg="m1"] .verdict');
  await expect(m1).toHaveAttribute("data-verdict", "pending");
  await expect(m1).toContainText("pending");
  await expect(page.locator(".ledger")).not.toContainText("delayed");
});

test("a failure that cannot strike under the configuration is n/a, with the engine's reason, in the menus and in Compare", async ({ page }) => {
  // ProducerConfig acks (https://kafka.apache.org/documentation/#producerconfigs_acks): with
  // acks=0 "the producer will not wait for any acknowledgment from the server at all": no ACK to drop.
  await openLab(page, "/#v=1&preset=at-most-once&messages=3");
  await page.locator('[data-hotspot="ack-link"]').click();
  const dropAck = page.locator('.hotspot-panel [data-fault="drop-ack"]');
  await expect(dropAck).toBeDisabled();
  await expect(dropAck).toContainText("n/a");
  await expect(dropAck).toContainText("acks=0");
  // Under acks=1 it can strike.
  await page.keyboard.press("Escape");
  await openLab(page, "/#v=1&preset=at-least-once&messages=3&fail=drop-ack:m2");
  await expect(page.locator('.compare-table th[data-preset="at-most-once"]')).toContainText("n/a: Drop the ACK: acks=0");
  await expect(page.locator('.compare-table th[data-preset="at-least-once"]')).not.toContainText("n/a");
  await page.locator('[data-hotspot="ack-link"]').click();
  await expect(page.locator('.hotspot-panel [data-fault="drop-ack"]')).toBeEnabled();
});

test("the diagram's arrows are one keyboard stop: the arrow keys move between messages, Enter goes to the moment (issue 14)", async ({ page }) => {
  await openLab(page);
  const arrows = page.locator(".diagram .arrow");
  await expect(arrows.first()).toHaveAttribute("tabindex", "0");
  // Only one arrow is in the tab order.
  expect(await page.locator('.diagram .arrow[tabindex="0"]').count()).toBe(1);
  await arrows.first().focus();
  await page.keyboard.press("ArrowRight");
  await page.keyboard.press("ArrowRight");
  const third = arrows.nth(2);
  await expect(third).toBeFocused();
  await expect(third).toHaveAttribute("tabindex", "0");
  await expect(arrows.first()).toHaveAttribute("tabindex", "-1");
  const timeline = page.getByRole("slider", { name: "Timeline" });
  const before = await timeline.inputValue();
  // The page's own shortcut (ArrowRight steps forward) is not triggered from inside the diagram.
  expect(await timeline.inputValue()).toBe(before);
  await page.keyboard.press("Enter");
  await expect(timeline).toHaveValue(await third.getAttribute("data-step"));
  // Each arrow has a name for assistive technology.
  expect(await third.getAttribute("aria-label")).toMatch(/t=\d+ to t=\d+/);
});

test("records on their way are named by their messages, and each answer keeps its own lane (issue 14)", async ({ page }) => {
  await openLab(page, "/#v=1&preset=at-least-once&messages=3");
  await page.getByRole("button", { name: "Play" }).click();
  // Batches (records for the consumer or the follower) carry the names of their messages.
  await expect.poll(() => page.locator(".token.batch .token-label").allTextContents(), { timeout: 15000 }).toContainEqual(expect.stringMatching(/^m\d(, m\d|…m\d)?$/));
  await page.getByRole("button", { name: "Pause" }).click();
  for (const label of await page.locator(".token.batch .token-label").allTextContents()) {
    expect(label).toMatch(/^(m\d+((, |…)m\d+)?|markers|none)$/);
  }
});

test("on a phone the ledger shows each message and its verdict without sideways scrolling, and says what its columns count (issue 14)", async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await openLab(page, "/#v=1&preset=exactly-once-kafka&messages=6&fail=drop-ack:m2");
  await page.getByRole("button", { name: "Run to end" }).click();
  const scroller = page.locator(".ledger-box .ledger-scroll");
  await scroller.scrollIntoViewIfNeeded();
  await expect(page.locator(".ledger tbody tr")).toHaveCount(6);
  expect(await scroller.evaluate((el) => el.scrollWidth <= el.clientWidth + 1), "no sideways scrolling").toBe(true);
  for (const row of await page.locator(".ledger tbody tr").all()) {
    for (const cell of [row.locator("th"), row.locator("td.verdict")]) {
      const box = await cell.boundingBox();
      expect(box.x >= 0 && box.x + box.width <= 390, "the message and its verdict inside the screen").toBe(true);
    }
  }
  // The columns' meanings are visible text, not hover-only titles.
  await expect(page.locator(".ledger-legend")).toBeVisible();
  await expect(page.locator(".ledger-legend")).toContainText("read_committed");
  expect(await page.locator(".ledger thead th[title]").count()).toBe(0);
});

/** Opens `fragment` on the wide stage (its sink box has a line for every write of these runs),
 * runs it to the end, and gives the native ledger's rows and m2's. */
async function wideRunToEnd(page, fragment) {
  await page.setViewportSize({ width: 1280, height: 800 });
  await openLab(page, `/#v=1&${fragment}`);
  await page.getByRole("button", { name: "Run to end" }).click();
  await expect(page.getByRole("button", { name: "Replay" })).toBeVisible();
  const rows = nativeLedger(await page.getByTestId("scenario-json").textContent()).rows;
  return { rows, m2: rows.find((row) => row.msg === 2) };
}

// The sink box agrees with the ledger's effects (issue 14, bug 5). KIP-98, Transactional
// Messaging: a read_committed consumer never sees the records of an aborted transaction, so an
// aborted output is drawn struck and faded, not as a second row; Kafka docs 4.6 (Message
// Delivery Semantics): an idempotent (keyed) write makes a second processing overwrite the same
// row, so an upsert is one row written twice.
test(`the sink draws exactly-once-db's second processing of m2 as the ledger counts it: "m2 · written ×2"`, async ({ page }) => {
  const { m2 } = await wideRunToEnd(page, "preset=exactly-once-db&messages=3&fail=producer-restart-same-id:m2");
  expect(m2.processed).toBe(2);
  expect(m2.effects).toBe(1);
  const sink = page.locator(".stage-svg .log-layer .actor-detail", { hasText: /^m2 · / });
  await expect(sink.filter({ hasText: "m2 · written ×2" })).toHaveCount(1);
  const seen = await sink.evaluateAll((all) => all.filter((t) => !t.classList.contains("aborted")).length);
  expect(seen).toBe(m2.effects);
});

// The output topic of consume-transform-produce is a partition (issue 15, item 4): its records and
// markers by offset, and a read_committed and a read_uncommitted reader downstream. KIP-98: the
// read_committed reader skips the aborted transaction's record; read_uncommitted reads it too.
test("the output topic shows the aborted result, its ABORT marker, and what each downstream reader read", async ({ page }) => {
  const { rows, m2 } = await wideRunToEnd(page, "preset=exactly-once-kafka&messages=3&fail=consumer-crash-after-processing:m2");
  expect([m2.processed, m2.effects, m2.effects_read_uncommitted]).toEqual([2, 1, 2]);
  const lines = page.locator(".stage-svg .log-layer .actor-detail");
  const records = lines.filter({ hasText: /^\d+ m2$/ });
  await expect(records).toHaveCount(2);
  await expect(records.first()).toHaveClass(/aborted/);
  await expect(lines.filter({ hasText: /^\d+ ABORT$/ })).toHaveCount(1);
  // Each reader's count of records read: every message's copies, as the engine counts them.
  const total = (f) => rows.reduce((n, row) => n + f(row), 0);
  // The readers' counts of records read ("committed: n", "uncommitted: n"): every message's
  // copies, as the engine counts them.
  const texts = await lines.allTextContents();
  const count = (name) => Number(texts.find((t) => t.startsWith(`${name}: `)).split(": ")[1]);
  expect(count("committed")).toBe(total((r) => r.effects));
  expect(count("uncommitted")).toBe(total((r) => r.effects_read_uncommitted));
  // The ledger says the same: effects read by read_committed / read_uncommitted readers.
  await expect(page.locator('.ledger tr[data-msg="m2"] .effects')).toHaveText("1 / 2");
});
