// app.mjs as CommonJS: `node app.cjs DIR NAME` writes DIR/NAME.txt, with
// require("aiowasi").
const { mkdir } = require("node:fs/promises");
const { Sandbox } = require("aiowasi");

async function main() {
  const [dir, name] = process.argv.slice(2);
  await mkdir(dir, { recursive: true });
  const sb = await Sandbox.create({ preopens: { "/out": dir } });
  const file = await sb.open(`/out/${name}.txt`, "w");
  await file.write(`hello from ${name} ✓\n`);
  await file.close();
  await sb.close();
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
