// Every JS contender by name (the Node ones run under Deno too where they make sense).
import { nodeContenders } from "./node.js";

export const contenders = { ...nodeContenders };
