// Trunk pre-build hook: joins static/css/*.css, one stylesheet per part of the page, in the order
// of their names, into static/style.css, the one stylesheet the page loads (Trunk copies CSS as it
// is and bundles no @import, so one file per module would be a dozen requests before first paint).
// static/style.css is generated: edit the parts, never it (it is in .gitignore and Trunk's watch
// ignores it, so writing it does not trigger another build).
import { readdirSync, readFileSync, writeFileSync, existsSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const parts = join(root, "static", "css");
const names = readdirSync(parts).filter((name) => name.endsWith(".css")).sort();
const joined = names.map((name) => `/* static/css/${name} */\n${readFileSync(join(parts, name), "utf8")}`).join("\n");
const target = join(root, "static", "style.css");
// Unchanged parts leave the file untouched.
if (!existsSync(target) || readFileSync(target, "utf8") !== joined) writeFileSync(target, joined);
