import type { PluginModule } from "../../plugin.ts";
import { checkHostPort } from "../health/hostport.ts";
import { installReady, type Monitor } from "./ready.ts";

/** `ready [ADDRESS] { monitor until-ready|continuously }` (plugin/ready/setup.go). */
const mod: PluginModule = {
  name: "ready",
  async setup(ctx) {
    const d = ctx.dispenser;
    let addr = ":8181";
    let monitor: Monitor = "until-ready";
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
        if (d.val() !== "monitor") throw d.unknownProperty();
        const v = d.remainingArgs();
        if (v.length !== 1) throw d.argErr();
        if (v[0] !== "until-ready" && v[0] !== "continuously") {
          throw d.err(`monitor type '${v[0]}' not supported`);
        }
        monitor = v[0];
      }
    }
    installReady(ctx, ctx.podView ? await ctx.podView.httpAddress("ready", addr) : addr, monitor);
    return undefined;
  },
};
export default mod;
