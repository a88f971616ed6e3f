// Builds the widget (static/widget/*.ts) into static/dist/: the loader served at /widget.js
// and the lazily loaded app at /widget/app.js (socket.io-client bundled in), each minified
// for es2020 with a pre-compressed .gz beside it. The loader learns the app's content hash
// (it asks for /widget/app.js?v=HASH, so the app can be cached for a year and a new build
// is fetched at once). `--check` also fails (exit 1) when a gzipped size is over budget.
//
// Then the agent console (static/console/main.tsx, Preact) into static/dist/console/: app.js
// (an ES module), app.css and chunks/<name>-<hash>.js loaded lazily (the admin pages), each
// with a .gz, and manifest.json naming them with their content hashes.
import { build } from "esbuild";
import { createHash } from "node:crypto";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const SRC = join(ROOT, "static", "widget");
const OUT = join(ROOT, "static", "dist");
export const LOADER_BUDGET = 4096; // bytes gzipped: what every page view costs
export const TOTAL_BUDGET = 25600; // bytes gzipped: loader + app, everything ever loaded
// bytes gzipped: what the console downloads before the agent can work (app.js + app.css);
// the admin pages' chunks come on top, only when opened.
export const CONSOLE_BUDGET = 61440;

const common = { bundle: true, minify: true, target: "es2020", write: false, legalComments: "none" };

async function bundle(entry, options) {
  const result = await build({ ...common, entryPoints: [join(SRC, entry)], ...options });
  return result.outputFiles[0].contents;
}

function save(name, bytes) {
  const gz = gzipSync(bytes, { level: 9 });
  mkdirSync(dirname(join(OUT, name)), { recursive: true });
  writeFileSync(join(OUT, name), bytes);
  writeFileSync(join(OUT, name + ".gz"), gz);
  return gz.length;
}

const hash16 = (bytes) => createHash("sha256").update(bytes).digest("hex").slice(0, 16);

mkdirSync(OUT, { recursive: true });
const app = await bundle("app.ts", { format: "esm" });
const version = hash16(app);
const loader = await bundle("loader.ts", {
  format: "iife",
  define: { APP_VERSION: JSON.stringify(version) },
});
const appGz = save("app.js", app);
const loaderGz = save("widget.js", loader);
const total = appGz + loaderGz;
console.log(`widget: loader ${loaderGz} B gzipped (budget ${LOADER_BUDGET}), ` +
  `loader + app ${total} B gzipped (budget ${TOTAL_BUDGET})`);
let over = loaderGz > LOADER_BUDGET || total > TOTAL_BUDGET;
if (over) console.error("widget: over the size budget");

// The console. Every CSS file (the app's and any a lazy chunk imports) ends up in app.css:
// the page loads no split chunk's CSS file by itself, and the admin pages' styles are small
// enough to come with the app.
async function buildConsole() {
  const out = join(OUT, "console");
  rmSync(out, { recursive: true, force: true }); // no stale chunks from an older build
  const result = await build({
    ...common,
    entryPoints: { app: join(ROOT, "static", "console", "main.tsx") },
    outdir: out,
    format: "esm",
    splitting: true,
    jsx: "automatic",
    jsxImportSource: "preact",
    chunkNames: "chunks/[name]-[hash]",
    metafile: true,
    absWorkingDir: ROOT, // the metafile's paths are relative to it
  });
  const files = {};
  const css = [];
  for (const file of result.outputFiles) {
    const name = relative(out, file.path).split("\\").join("/");
    if (name.endsWith(".css")) css[name === "app.css" ? "unshift" : "push"](file.contents);
    else files[name] = file.contents;
  }
  // esbuild's app.css already holds what the lazy chunks import; a chunk's own CSS file is
  // added only when it is not in there (so uPlot's styles come once, not three times).
  const joined = [Buffer.from(css[0])];
  for (const c of css.slice(1)) {
    const text = Buffer.from(c);
    if (!joined[0].includes(text.toString("utf8").trim())) joined.push(text);
  }
  files["app.css"] = Buffer.concat(joined);
  const first = startup(result.metafile, out);
  const manifest = {};
  let gzipped = 0;
  for (const [name, bytes] of Object.entries(files)) {
    const gz = save(`console/${name}`, bytes);
    manifest[name] = { hash: hash16(bytes), bytes: bytes.length, gzipped: gz, startup: first.has(name) };
    if (first.has(name)) gzipped += gz;
  }
  writeFileSync(join(out, "manifest.json"), JSON.stringify(manifest, null, 1) + "\n");
  const chunks = Object.keys(files).filter((n) => n.startsWith("chunks/")).length;
  console.log(`console: app.js + app.css ${gzipped} B gzipped (budget ${CONSOLE_BUDGET}, ` +
    `with the ${first.size - 2} chunk(s) app.js imports), ${chunks} chunk(s) in all`);
  if (gzipped > CONSOLE_BUDGET) console.error("console: over the size budget");
  return gzipped > CONSOLE_BUDGET;
}

/** What the page loads before the agent can work: app.css, app.js and every chunk it
 * imports statically (a shared chunk split out of it weighs on the first load too). */
function startup(metafile, out) {
  const rel = (path) => relative(out, join(ROOT, path)).split("\\").join("/");
  const byName = new Map(Object.entries(metafile.outputs).map(([path, o]) => [rel(path), o]));
  const seen = new Set(["app.css"]);
  const visit = (name) => {
    if (seen.has(name) || !byName.has(name)) return;
    seen.add(name);
    for (const i of byName.get(name).imports) {
      if (i.kind === "import-statement") visit(relative(out, join(ROOT, i.path)).split("\\").join("/"));
    }
  };
  visit("app.js");
  return seen;
}

over = (await buildConsole()) || over;
if (process.argv.includes("--check") && over) process.exit(1);
