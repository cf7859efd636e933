/**
 * log [NAMES...] [FORMAT] { class CLASSES... } (plugin/log/setup.go): a rule per name (default
 * "."), a format when the last argument has a "{" ({common} and {combined} expand), classes
 * all|denial|error|success (default all).
 */

import { fqdnLower } from "../../names.ts";
import type { PluginModule } from "../../plugin.ts";
import type { ResponseClass } from "../../response/classify.ts";
import { COMBINED_LOG_FORMAT, COMMON_LOG_FORMAT, logPlugin, type Rule } from "./log.ts";

const CLASSES = new Set(["all", "denial", "error", "success"]);

const mod: PluginModule = {
  name: "log",
  setup(ctx) {
    const d = ctx.dispenser;
    const rules: Rule[] = [];
    while (d.next()) {
      const args = d.remainingArgs();
      let format = COMMON_LOG_FORMAT;
      if (args.length > 1 && args[args.length - 1].includes("{")) {
        format = args
          .pop()!
          .replaceAll("{common}", COMMON_LOG_FORMAT)
          .replaceAll("{combined}", COMBINED_LOG_FORMAT);
      }
      const names = args.length === 0 ? ["."] : args;
      const classes = new Set<ResponseClass | "all">();
      while (d.nextBlock()) {
        if (d.val() !== "class") throw d.err(`unknown property '${d.val()}'`);
        const cls = d.remainingArgs();
        if (cls.length === 0) throw d.argErr();
        for (const c of cls) {
          if (!CLASSES.has(c)) throw d.err(`invalid class: ${c}`);
          classes.add(c as ResponseClass | "all");
        }
      }
      for (const n of names) rules.push({ scope: fqdnLower(n), format, classes });
    }
    return logPlugin(rules, ctx.rawLog);
  },
};
export default mod;
