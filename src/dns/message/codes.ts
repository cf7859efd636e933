/**
 * dns-packet's own tables of type, class, opcode, rcode and EDNS option mnemonics: the names its
 * decoder gives and its encoders take. Every user reads them here, so nothing keeps a copy that
 * could drift from the library's.
 */
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);

interface Table {
  toString(code: number): string;
}

export const types = require("dns-packet/types.js") as Table & { toType(name: string): number };
export const classes = require("dns-packet/classes.js") as Table & { toClass(name: string): number };
export const opcodes = require("dns-packet/opcodes.js") as Table;
export const rcodes = require("dns-packet/rcodes.js") as Table;
export const optioncodes = require("dns-packet/optioncodes.js") as Table;
