/**
 * errors [stdout] { stacktrace; consolidate DURATION REGEXP [LEVEL] [show_first] }
 * (plugin/errors/setup.go): once per server block; at most 10000 characters of REGEXP.
 */
import { parseDuration } from "../../corefile/duration.ts";
import type { PluginModule } from "../../plugin.ts";
import { ErrorHandler, type Level, type Pattern } from "./errors.ts";

const MAX_REGEXP_LEN = 10000;
const LEVELS = new Set<Level>(["warning", "error", "info", "debug"]);

const mod: PluginModule = {
  name: "errors",
  setup(ctx) {
    const d = ctx.dispenser;
    const patterns: Pattern[] = [];
    let seen = 0;
    while (d.next()) {
      if (seen++ > 0) throw d.err("this plugin can only be used once per Server Block");
      const args = d.remainingArgs();
      if (args.length > 1) throw d.argErr();
      if (args.length === 1 && args[0] !== "stdout") throw d.err(`invalid log file: ${args[0]}`);
      while (d.nextBlock()) {
        switch (d.val()) {
          case "stacktrace":
            if (d.nextArg()) throw d.argErr();
            break;
          case "consolidate":
            patterns.push(consolidate(d));
            break;
          default:
            throw d.syntaxErr(`Unknown field ${d.val()}`);
        }
      }
    }
    const h = new ErrorHandler(patterns, ctx.log);
    ctx.onShutdown(() => h.stop());
    return h.plugin();
  },
};
export default mod;

function consolidate(d: import("../../corefile/dispenser.ts").Dispenser): Pattern {
  const args = d.remainingArgs();
  if (args.length < 2 || args.length > 4) throw d.argErr();
  let periodMs: number;
  try {
    periodMs = parseDuration(args[0]);
  } catch (err) {
    throw d.err((err as Error).message);
  }
  if (args[1].length > MAX_REGEXP_LEN)
    throw d.err(`regex pattern too long: ${args[1].length} > ${MAX_REGEXP_LEN}`);
  let re: RegExp;
  try {
    re = new RegExp(args[1]);
  } catch (err) {
    throw d.err((err as Error).message);
  }
  let level: Level | undefined;
  let showFirst = false;
  for (const a of args.slice(2)) {
    if (LEVELS.has(a as Level)) {
      if (level) throw d.err("multiple log levels specified in consolidate");
      if (showFirst) throw d.err("log level must come before show_first in consolidate");
      level = a as Level;
    } else if (a === "show_first") showFirst = true;
    else throw d.err(`unknown option in consolidate: ${a}`);
  }
  return { periodMs, source: args[1], re, level: level ?? "error", showFirst };
}
