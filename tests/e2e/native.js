// The native command line, the engine's other front end: the e2e tests compare what the page shows
// with what `delivery-lab run --json` computes for the same scenario (taken from the page itself).
import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const cli = process.env.DELIVERY_LAB_CLI || "target/debug/delivery-lab";
const scratch = mkdtempSync(join(tmpdir(), "delivery-lab-e2e-"));
let files = 0;

/** The engine's ledger for a scenario file's text, at its end or after `steps` engine steps. */
export function nativeLedger(scenarioJson, steps) {
  const file = join(scratch, `scenario-${process.pid}-${files++}.json`);
  writeFileSync(file, scenarioJson);
  const args = ["run", file, "--json", ...(steps === undefined ? [] : ["--steps", String(steps)])];
  try {
    return JSON.parse(execFileSync(cli, args, { encoding: "utf8", maxBuffer: 64 * 1024 * 1024, stdio: ["ignore", "pipe", "pipe"] }));
  } catch (error) {
    // Exit code 3: the lab's bound cut the run short; the partial ledger is still printed.
    if (error.status === 3) return JSON.parse(error.stdout);
    throw error;
  }
}

/** The ledger rows as the page shows them, in the same terms as `ledgerRowsOf`. */
export async function pageLedger(page) {
  return page.$$eval(".ledger tbody tr[data-msg]", (rows) =>
    rows.map((row) => ({
      msg: row.dataset.msg,
      log: row.querySelector(".log-copies").textContent.trim(),
      visible: row.querySelector(".visible").textContent.trim(),
      processed: row.querySelector(".processed").textContent.trim(),
      effects: row.querySelector(".effects").textContent.trim(),
      verdict: row.querySelector(".verdict").dataset.verdict,
    })),
  );
}

/** A native ledger in the page's terms. */
export function ledgerRowsOf(ledger) {
  return ledger.rows.map((row) => ({
    msg: `m${row.msg}`,
    log: row.offsets.length ? row.offsets.join(", ") : "none",
    visible: `${row.visible_read_committed} / ${row.visible_read_uncommitted}`,
    processed: String(row.processed),
    // An output topic written in transactions: read by a read_committed / a read_uncommitted reader.
    effects: row.effects_read_uncommitted === undefined ? String(row.effects) : `${row.effects} / ${row.effects_read_uncommitted}`,
    verdict: row.verdict,
  }));
}
