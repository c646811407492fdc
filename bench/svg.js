// bench/results.svg: one panel per workload, a bar per contender, the
// length on a log scale of time (fs/promises and aiofiles are 100× slower;
// for HTTP, of time per request, labelled in requests/s), aiowasi's bars in
// colours of their own so they stand out.
import { WORKLOADS } from "./workloads.js";

const escapeXml = (text) => text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
const COLOURS = {
  "aiowasi-node": "#1f6feb",
  "aiowasi-deno": "#3fb950",
  "aiowasi-bun": "#d29922",
  "aiowasi-before": "#79c0ff",
  "wasmtime-cli": "#8957e5",
  "http-aiowasi": "#1f6feb",
  "http-aiowasi-transport": "#1f6feb",
};
const OTHER = "#9aa4b1";

export function renderSvg(rows, info) {
  const width = 980;
  const labelWidth = 330;
  const barMax = width - labelWidth - 110;
  const barHeight = 16;
  const gap = 5;
  let y = 56;
  const parts = [];
  for (const w of Object.keys(WORKLOADS)) {
    const list = rows.filter((r) => r.workload === w).sort((a, b) => a.seconds - b.seconds);
    if (!list.length) continue;
    const fastest = list[0].seconds;
    const slowest = list.at(-1).seconds;
    const span = Math.max(Math.log10(slowest / fastest), 1);
    parts.push(`<text x="12" y="${y}" class="title">${escapeXml(`${w}: ${WORKLOADS[w].title}`)}</text>`);
    y += 10;
    for (const row of list) {
      const length = 6 + (barMax - 6) * (Math.log10(row.seconds / fastest) / span);
      const colour = COLOURS[row.contender] ?? OTHER;
      const label = row.label + (row.scale < 1 ? " *" : "");
      const seconds =
        WORKLOADS[w].kind === "http"
          ? `${Math.round(1 / row.seconds).toLocaleString("en-US")} req/s`
          : row.seconds >= 0.1
            ? `${row.seconds.toFixed(2)} s`
            : `${(row.seconds * 1000).toFixed(1)} ms`;
      parts.push(
        `<text x="${labelWidth - 8}" y="${y + barHeight - 4}" class="label" text-anchor="end">${escapeXml(label)}</text>`,
        `<rect x="${labelWidth}" y="${y}" width="${length.toFixed(1)}" height="${barHeight}" rx="3" fill="${colour}"/>`,
        `<text x="${labelWidth + length + 6}" y="${y + barHeight - 4}" class="value">${seconds}</text>`,
      );
      y += barHeight + gap;
    }
    y += 26;
  }
  const height = y + 10;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, sans-serif">
<style>.title{font-size:15px;font-weight:600;fill:#24292f}.label{font-size:12px;fill:#24292f}.value{font-size:12px;fill:#57606a}.note{font-size:12px;fill:#57606a}</style>
<rect width="100%" height="100%" fill="#ffffff"/>
<text x="12" y="24" class="title">aiowasi benchmark: time per workload (log scale, shorter is better; HTTP: time per request)</text>
<text x="12" y="42" class="note">${escapeXml(`${info.cpu}; Node ${info.node}; ${info.deno}; ${info.bun ?? ""}; ${info.wasmtime}; ${info.date.slice(0, 10)}; * = a fraction of the work, scaled`)}</text>
${parts.join("\n")}
</svg>
`;
}
