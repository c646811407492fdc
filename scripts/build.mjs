// Builds what the package ships from src/ and build/*.wasm (npm run build:ts,
// after build:wasm):
//
//   dist/index.js, dist/index.cjs  the library as one ESM and one CommonJS bundle, each
//                                  self-contained: the core (build/aiowasi.wasm) and the
//                                  worker's script are embedded as strings, so an app
//                                  bundled with esbuild or Vite needs no file beside it
//   dist/index.d.ts, .d.cts        the public types: tsc's declarations (stripInternal)
//                                  rolled into one file, the same for both formats
//   dist/bin.js                    `aiowasi`, the bin: build/aiowasi-cli.wasm on node:wasi
//   dist/unsupported.js            what browsers and edge runtimes get: every name, each
//                                  answering ERR_UNSUPPORTED_RUNTIME
//   build/demo.js                  `npm start` (not shipped)
//
// The worker is a CommonJS script started with `new Worker(script, { eval: true })`
// (Node, Deno and Bun all take that). A data: URL ESM worker works too but is no
// faster: Sandbox.create + close, median of 20, three runs each, was 25.6-28.8 ms
// (eval) against 27.0-30.5 ms (data:) on Node 20, 27.5-33.6 against 31.4-33.6 ms
// on Deno 2.9, 14.6-18.5 against 15.0-15.3 ms on Bun 1.4.
import { execFileSync } from "node:child_process";
import { copyFileSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { rollup } from "rollup";
import { dts } from "rollup-plugin-dts";

const root = fileURLToPath(new URL("..", import.meta.url));
const at = (path) => `${root}${path}`;

const common = {
  absWorkingDir: root,
  bundle: true,
  platform: "node",
  // Node 20 is the oldest Node supported; Deno and Bun run what it runs.
  target: "node20",
  legalComments: "none",
  logLevel: "warning",
};

rmSync(at("dist"), { recursive: true, force: true });

// The worker: one CommonJS script (node:fs, node:worker_threads and node:wasi
// come from require, which an eval'd worker has on every runtime).
const worker = await build({ ...common, entryPoints: ["src/hosts/worker.ts"], format: "cjs", write: false });
const define = {
  __AIOWASI_WORKER_SCRIPT__: JSON.stringify(worker.outputFiles[0].text),
  __AIOWASI_CORE_WASM__: JSON.stringify(readFileSync(at("build/aiowasi.wasm")).toString("base64")),
};

await Promise.all([
  build({ ...common, entryPoints: ["src/index.ts"], format: "esm", outfile: "dist/index.js", define }),
  build({ ...common, entryPoints: ["src/index.ts"], format: "cjs", outfile: "dist/index.cjs", define }),
  // The pino transport target uses the library's bundle beside it, not a copy of it.
  ...["esm", "cjs"].map((format) =>
    build({
      ...common,
      entryPoints: ["src/pino.ts"],
      format,
      outfile: format === "esm" ? "dist/pino.js" : "dist/pino.cjs",
      plugins: [
        {
          name: "pino-uses-index",
          setup(b) {
            b.onResolve({ filter: /^\.\/index\.js$/ }, () => ({
              path: format === "esm" ? "./index.js" : "./index.cjs",
              external: true,
            }));
          },
        },
      ],
    }),
  ),
  // What browsers and edge runtimes resolve (package.json's conditions): no node: import at all.
  build({ ...common, platform: "neutral", entryPoints: ["src/unsupported.ts"], format: "esm", outfile: "dist/unsupported.js" }),
  build({
    ...common,
    entryPoints: ["src/bin.ts"],
    format: "esm",
    outfile: "dist/bin.js",
    banner: { js: "#!/usr/bin/env node" },
  }),
  // The demo uses the library as built (dist/index.js), not a copy of it.
  build({
    ...common,
    entryPoints: ["src/demo.ts"],
    format: "esm",
    outfile: "build/demo.js",
    plugins: [
      {
        name: "demo-uses-dist",
        setup(b) {
          b.onResolve({ filter: /^\.\/index\.js$/ }, () => ({ path: "../dist/index.js", external: true }));
        },
      },
    ],
  }),
]);

// Types: tsc emits declarations (without what is tagged @internal) into
// build/types; rollup-plugin-dts keeps what dist/index.d.ts reaches.
rmSync(at("build/types"), { recursive: true, force: true });
execFileSync(process.execPath, [at("node_modules/typescript/bin/tsc"), "-p", at("tsconfig.json")], { stdio: "inherit" });
const bundle = await rollup({ input: at("build/types/index.d.ts"), plugins: [dts()], external: [/^node:/] });
await bundle.write({ file: at("dist/index.d.ts"), format: "es" });
await bundle.close();
// The same declarations serve `require`: a .d.cts, so TypeScript reads them as CommonJS.
copyFileSync(at("dist/index.d.ts"), at("dist/index.d.cts"));
// The pino target's: its own file, naming the library's types by "./index.js".
const pinoTypes = await rollup({ input: at("build/types/pino.d.ts"), plugins: [dts()], external: [/^node:/, /\.\/index\.js$/] });
await pinoTypes.write({ file: at("dist/pino.d.ts"), format: "es" });
await pinoTypes.close();
writeFileSync(at("dist/pino.d.cts"), readFileSync(at("dist/pino.d.ts"), "utf8").replaceAll('"./index.js"', '"./index.cjs"'));
