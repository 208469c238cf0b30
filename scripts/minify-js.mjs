// Trunk post-build hook: in a release build, minify the JavaScript wasm-bindgen wrote (the page's
// glue and the explorer worker's), which Trunk copies as it is. The glue is ~48 KB of readable
// code; minified it is a third smaller, which the page's size budget counts. Dev builds are left
// readable. The files carry no `integrity` attribute (see Trunk.toml's patterns), so changing them
// after Trunk hashed their names is safe: the names stay unique per build.
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { minify } from "terser";

const staging = process.env.TRUNK_STAGING_DIR;
if (!staging) {
  console.error("minify-js: TRUNK_STAGING_DIR is not set; run me as a Trunk hook");
  process.exit(1);
}
if (process.env.TRUNK_PROFILE !== "release") process.exit(0);
for (const name of readdirSync(staging)) {
  // boot.js and the worker's loader are a few lines each, written by hand.
  if (!name.endsWith(".js") || name === "boot.js" || name === "explorer-loader.js") continue;
  const path = join(staging, name);
  const code = readFileSync(path, "utf8");
  const result = await minify(code, { module: !name.startsWith("explorer-worker"), compress: { passes: 2 }, mangle: true });
  writeFileSync(path, result.code);
}
