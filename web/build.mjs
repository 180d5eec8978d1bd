// Bundles the web client (src/main.js and the npm packages it imports) into
// dist/app.js with esbuild. Run by scripts/setup.sh, so `make run` and `make test`
// always serve a fresh bundle; nothing is fetched from a CDN at run time.
import { build } from "esbuild";
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
