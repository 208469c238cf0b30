// Trunk post-build hook for release builds (dev builds are left as they are):
// 1. minifies the JavaScript wasm-bindgen wrote (the page's glue and the explorer worker's), which
//    Trunk copies as it is: ~48 KB of readable code, a third of it once minified. The files carry no
//    `integrity` attribute (see Trunk.toml's patterns), so changing them after Trunk hashed their
//    names is safe.
// 2. writes a precompressed `.gz` (gzip -9) and `.br` (brotli, quality 11) beside each asset, so a
//    static host that serves precompressed files (nginx gzip_static/brotli_static, Caddy
//    `precompressed`) sends the smallest form without compressing on every request.
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";
import { minify } from "terser";

const staging = process.env.TRUNK_STAGING_DIR;
if (!staging) {
  console.error("release-assets: TRUNK_STAGING_DIR is not set; run me as a Trunk hook");
  process.exit(1);
}
if (process.env.TRUNK_PROFILE !== "release") process.exit(0);

for (const name of readdirSync(staging)) {
  // boot.js and the worker's loader are a few lines each, written by hand.
  if (!name.endsWith(".js") || name === "boot.js" || name === "explorer-loader.js") continue;
  const path = join(staging, name);
  const result = await minify(readFileSync(path, "utf8"), {
    module: !name.startsWith("explorer-worker"),
    compress: { passes: 2 },
    mangle: true,
  });
  writeFileSync(path, result.code);
}

const compressible = /\.(wasm|js|css|html|svg)$/;
for (const name of readdirSync(staging)) {
  if (!compressible.test(name)) continue;
  const path = join(staging, name);
  const data = readFileSync(path);
  writeFileSync(`${path}.gz`, gzipSync(data, { level: 9 }));
  writeFileSync(
    `${path}.br`,
    brotliCompressSync(data, {
      params: {
        [constants.BROTLI_PARAM_QUALITY]: 11,
        [constants.BROTLI_PARAM_SIZE_HINT]: data.length,
      },
    }),
  );
}
