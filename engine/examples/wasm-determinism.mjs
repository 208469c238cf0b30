// Prints the event-log hash grid from the wasm32 build of src/probe.rs, one line per
// scenario, in the format of examples/hash_grid.rs, so the two can be diffed.
import { readFileSync } from "node:fs";

const bytes = readFileSync(process.argv[2]);
const { instance } = await WebAssembly.instantiate(bytes, {});
const hash = instance.exports.event_log_hash;
for (let p = 0; p < 4; p++) {
  for (let f = 0; f < 20; f++) {
    for (let seed = 0n; seed < 10n; seed++) {
      const h = BigInt.asUintN(64, hash(p, f, seed));
      console.log(`${p} ${f} ${seed} ${h.toString(16).padStart(16, "0")}`);
    }
  }
}
