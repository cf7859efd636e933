import type { PluginModule } from "../../plugin.ts";
import { rewrite } from "./rewrite.ts";
import { newRule, type Rule } from "./rules.ts";

/**
 * `rewrite [continue|stop] FIELD ARGS…`, one rule per line; `rewrite [continue|stop] { … }`
 * takes the block's tokens as the rule's arguments (plugin/rewrite/setup.go).
 */
const mod: PluginModule = {
  name: "rewrite",
  setup(ctx) {
    const d = ctx.dispenser;
    const rules: Rule[] = [];
    while (d.next()) {
      const args = d.remainingArgs();
      if (args.length < 2) while (d.nextBlock()) args.push(d.val());
      rules.push(newRule(args));
    }
    return rewrite(rules);
  },
};
export default mod;
