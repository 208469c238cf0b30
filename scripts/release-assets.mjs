// Trunk post-build hook for release builds (dev builds are left as they are):
// 1. minifies the JavaScript wasm-bindgen wrote (the page's glue and the explorer worker's), which
//    Trunk copies as it is: ~48 KB of readable code, a third of it once minified. The files carry no
//    `integrity` attribute (see Trunk.toml's patterns), so changing them after Trunk hashed their
//    names is safe.
// 2. shortens the wasm-bindgen import names (below);
// 3. writes a precompressed `.gz` (gzip -9) and `.br` (brotli, quality 11) beside each asset, so a
//    static host that serves precompressed files (nginx gzip_static/brotli_static, Caddy
//    `precompressed`) sends the smallest form without compressing on every request.
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { execFileSync } from "node:child_process";
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

// 2. Renames the wasm-bindgen imports (`__wbg_getElementById_f827f0d6648718a8`: a name and a
//    random hash, in the wasm's import section and in the glue) to short names (`a`, `b`, ...):
//    the hashes do not compress, and the page's 80-odd imports cost it over 3 KB gzipped. The
//    module names stay, so the glue and the wasm still meet; a module whose glue lacks a name keeps
//    it (nothing is renamed that is not in both).
function leb(buf, pos) {
  let result = 0, shift = 0, byte;
  do {
    byte = buf[pos++];
    result |= (byte & 0x7f) << shift;
    shift += 7;
  } while (byte & 0x80);
  return [result >>> 0, pos];
}
function uleb(n) {
  const out = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n) byte |= 0x80;
    out.push(byte);
  } while (n);
  return out;
}
function shortName(i) {
  let s = "";
  do {
    s += "abcdefghijklmnopqrstuvwxyz"[i % 26];
    i = Math.floor(i / 26) - 1;
  } while (i >= 0);
  return `w${s}`;
}
function renameImports(wasmPath, jsPath) {
  const wasm = readFileSync(wasmPath);
  let js = readFileSync(jsPath, "utf8");
  const out = [wasm.subarray(0, 8)];
  const renamed = new Map();
  let renamedModule = null;
  let pos = 8;
  while (pos < wasm.length) {
    const id = wasm[pos];
    const [size, start] = leb(wasm, pos + 1);
    const end = start + size;
    if (id === 7) {
      // Exports: the closures' entry points carry a hash too (`..._invoke__h4a96dd2f26cd2bb9`).
      let [count, q] = leb(wasm, start);
      const body = [...uleb(count)];
      for (let i = 0; i < count; i++) {
        const [length, n] = leb(wasm, q);
        const field = wasm.subarray(n, n + length).toString();
        let next = n + length + 1;
        [, next] = leb(wasm, next);
        let name = field;
        if (/_h[0-9a-f]{16}$/.test(field) && js.includes(field)) {
          name = shortName(renamed.size);
          renamed.set(field, name);
        }
        body.push(...uleb(Buffer.byteLength(name)), ...Buffer.from(name), ...wasm.subarray(n + length, next));
        q = next;
      }
      out.push(Buffer.from([7, ...uleb(body.length), ...body]));
      pos = end;
      continue;
    }
    if (id !== 2) {
      out.push(wasm.subarray(pos, end));
      pos = end;
      continue;
    }
    let [count, q] = leb(wasm, start);
    const body = [...uleb(count)];
    for (let i = 0; i < count; i++) {
      const [moduleLength, m] = leb(wasm, q);
      // The glue's module name (`./kafka-delivery-lab_bg.js`), repeated by every import, is one
      // letter too where the glue names it once, as a quoted key.
      const moduleName = wasm.subarray(m, m + moduleLength).toString();
      const short = js.split(`"${moduleName}":`).length === 2;
      const module = Buffer.from(short ? "m" : moduleName);
      if (short) renamedModule = moduleName;
      const [fieldLength, f] = leb(wasm, m + moduleLength);
      const field = wasm.subarray(f, f + fieldLength).toString();
      q = f + fieldLength;
      // The import's description: a function's type index, or a table, memory or global.
      const kind = wasm[q];
      let next = q + 1;
      if (kind === 0) [, next] = leb(wasm, next);
      else if (kind === 1 || kind === 2) {
        if (kind === 1) next += 1;
        const flags = wasm[next++];
        [, next] = leb(wasm, next);
        if (flags & 1) [, next] = leb(wasm, next);
      } else if (kind === 3) next += 2;
      else throw new Error(`release-assets: unknown import kind ${kind} in ${wasmPath}`);
      let name = field;
      if (field.startsWith("__wbg") && js.includes(field)) {
        name = renamed.get(field) ?? shortName(renamed.size);
        renamed.set(field, name);
      }
      body.push(...uleb(module.length), ...module, ...uleb(Buffer.byteLength(name)), ...Buffer.from(name), ...wasm.subarray(q, next));
      q = next;
    }
    out.push(Buffer.from([2, ...uleb(body.length), ...body]));
    pos = end;
  }
  for (const [from, to] of renamed) js = js.split(from).join(to);
  if (renamedModule) js = js.split(`"${renamedModule}":`).join(`"m":`);
  writeFileSync(wasmPath, Buffer.concat(out));
  writeFileSync(jsPath, js);
}
for (const name of readdirSync(staging)) {
  if (!name.endsWith("_bg.wasm")) continue;
  const glue = name.replace(/_bg\.wasm$/, ".js");
  if (!readdirSync(staging).includes(glue)) continue;
  renameImports(join(staging, name), join(staging, glue));
  // With the short names, one more -Oz to a fixed point finds a little more (0.1 KB on the page).
  // The features are the ones rustc's output uses (the target-features section is stripped).
  const features = ["bulk-memory", "nontrapping-float-to-int", "sign-ext", "mutable-globals", "reference-types", "multivalue"];
  const path = join(staging, name);
  execFileSync("wasm-opt", [...features.map((f) => `--enable-${f}`), "-Oz", "--converge", path, "-o", path]);
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
