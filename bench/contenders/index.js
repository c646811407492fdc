// Every JS contender by name. Deno's own are loaded only under Deno.
import { nodeContenders } from "./node.js";

const underDeno = typeof globalThis.Deno !== "undefined";
const { denoContenders } = underDeno ? await import("./deno.js") : { denoContenders: {} };

export const contenders = { ...nodeContenders, ...denoContenders };
