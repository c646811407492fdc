// Every JS contender by name. Deno's and Bun's own are loaded only under them.
import { nodeContenders } from "./node.js";

const underDeno = typeof globalThis.Deno !== "undefined";
const underBun = typeof globalThis.Bun !== "undefined";
const { denoContenders } = underDeno ? await import("./deno.js") : { denoContenders: {} };
const { bunContenders } = underBun ? await import("./bun.js") : { bunContenders: {} };

export const contenders = { ...nodeContenders, ...denoContenders, ...bunContenders };
