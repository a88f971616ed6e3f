// Builds the widget (static/widget/*.ts) into static/dist/: the loader served at /widget.js
// and the lazily loaded app at /widget/app.js (socket.io-client bundled in), each minified
// for es2020 with a pre-compressed .gz beside it. The loader learns the app's content hash
// (it asks for /widget/app.js?v=HASH, so the app can be cached for a year and a new build
// is fetched at once). `--check` also fails (exit 1) when a gzipped size is over budget.
import { build } from "esbuild";
import { createHash } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const SRC = join(ROOT, "static", "widget");
const OUT = join(ROOT, "static", "dist");
export const LOADER_BUDGET = 4096; // bytes gzipped: what every page view costs
export const TOTAL_BUDGET = 25600; // bytes gzipped: loader + app, everything ever loaded

const common = { bundle: true, minify: true, target: "es2020", write: false, legalComments: "none" };

async function bundle(entry, options) {
  const result = await build({ ...common, entryPoints: [join(SRC, entry)], ...options });
  return result.outputFiles[0].contents;
}

function save(name, bytes) {
  const gz = gzipSync(bytes, { level: 9 });
  writeFileSync(join(OUT, name), bytes);
  writeFileSync(join(OUT, name + ".gz"), gz);
  return gz.length;
}

mkdirSync(OUT, { recursive: true });
const app = await bundle("app.ts", { format: "esm" });
const version = createHash("sha256").update(app).digest("hex").slice(0, 16);
const loader = await bundle("loader.ts", {
  format: "iife",
  define: { APP_VERSION: JSON.stringify(version) },
});
const appGz = save("app.js", app);
const loaderGz = save("widget.js", loader);
const total = appGz + loaderGz;
console.log(`widget: loader ${loaderGz} B gzipped (budget ${LOADER_BUDGET}), ` +
  `loader + app ${total} B gzipped (budget ${TOTAL_BUDGET})`);
if (process.argv.includes("--check") && (loaderGz > LOADER_BUDGET || total > TOTAL_BUDGET)) {
  console.error("widget: over the size budget");
  process.exit(1);
}
