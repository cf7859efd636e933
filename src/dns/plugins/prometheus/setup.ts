import type { PluginModule } from "../../plugin.ts";
import { checkHostPort } from "../health/hostport.ts";
import { installPrometheus } from "./prometheus.ts";

/** `prometheus [ADDRESS]`, default localhost:9153 (plugin/metrics/setup.go). */
const mod: PluginModule = {
  name: "prometheus",
  async setup(ctx) {
    const d = ctx.dispenser;
    let addr = "localhost:9153";
    let seen = 0;
    while (d.next()) {
      if (seen++ > 0) throw d.err("this plugin can only be used once per Server Block");
      const args = d.remainingArgs();
      if (args.length > 1) throw d.argErr();
      if (args.length === 1) {
        addr = args[0];
        checkHostPort(addr);
      }
      while (d.nextBlock()) {
        const opt = d.val();
        if (opt === "tls" || opt === "runtime_metrics") {
          throw d.err(`option '${opt}' is not supported by Skiff's prometheus plugin`);
        }
        throw d.err(`unknown option: ${opt}`);
      }
    }
    installPrometheus(ctx, ctx.podView ? await ctx.podView.httpAddress("prometheus", addr) : addr);
    return undefined;
  },
};
export default mod;
