// Vite SSR build of app.mjs with every dependency bundled in (ssr.noExternal):
// the package test runs the output from a copy of vite-out/ alone.
export default {
  logLevel: "warn",
  ssr: { noExternal: true },
  build: {
    ssr: "app.mjs",
    outDir: "vite-out",
    emptyOutDir: true,
    rollupOptions: { output: { entryFileNames: "[name].mjs" } },
  },
};
