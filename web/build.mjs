// Builds the web client into dist/, the whole site: index.html, styles.css and
// favicon.svg copied, src/main.js and the npm packages it imports bundled into app.js by
// esbuild. Run by scripts/setup.sh, so `make run` and `make test` always serve a
// fresh build (the local API serves dist/; `make deploy` publishes it); nothing
// is fetched from a CDN at run time.
import { build } from "esbuild";
import { copyFile, mkdir } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";

const here = dirname(fileURLToPath(import.meta.url));

await build({
  entryPoints: [join(here, "src", "main.js")],
  outfile: join(here, "dist", "app.js"),
  bundle: true,
  format: "esm",
  target: ["es2020"],
  minify: true,
  sourcemap: true,
  legalComments: "linked",
  logLevel: "warning",
});
await mkdir(join(here, "dist"), { recursive: true });
for (const file of ["index.html", "styles.css", "favicon.svg"]) {
  await copyFile(join(here, file), join(here, "dist", file));
}
