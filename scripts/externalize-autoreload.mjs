// Trunk post-build hook: in a dev build served by `trunk serve`, move Trunk's inline live-reload
// script into dist/trunk-autoreload.js so that the page's strict Content-Security-Policy (no inline
// scripts) still lets live reload work. Release builds contain no inline script and are not touched.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const staging = process.env.TRUNK_STAGING_DIR;
if (!staging) {
  console.error("externalize-autoreload: TRUNK_STAGING_DIR is not set; run me as a Trunk hook");
  process.exit(1);
}
const indexPath = join(staging, "index.html");
const html = readFileSync(indexPath, "utf8");
const inline = /<script>("use strict";[\s\S]*?\.well-known\/trunk\/ws[\s\S]*?)<\/script>/;
const match = html.match(inline);
if (match) {
  // Trunk's server fills these two placeholders in HTML responses only; a file needs them resolved
  // in the browser instead.
  const script = match[1]
    .replace("'{{__TRUNK_ADDRESS__}}'", "window.location.host")
    .replace("{{__TRUNK_WS_BASE__}}", "/");
  writeFileSync(join(staging, "trunk-autoreload.js"), script);
  writeFileSync(indexPath, html.replace(match[0], '<script src="/trunk-autoreload.js"></script>'));
}
