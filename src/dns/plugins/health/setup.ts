import { parseDuration } from "../../corefile/duration.ts";
import type { PluginModule } from "../../plugin.ts";
import { installHealth } from "./health.ts";
import { checkHostPort } from "./hostport.ts";

/** `health [ADDRESS] { lameduck DURATION }` (plugin/health/setup.go). */
const mod: PluginModule = {
  name: "health",
  async setup(ctx) {
    const d = ctx.dispenser;
    let addr = "";
    let lameduckMs = 0;
    while (d.next()) {
      const args = d.remainingArgs();
      if (args.length > 1) throw d.argErr();
      if (args.length === 1) {
        addr = args[0];
        checkHostPort(addr);
      }
      while (d.nextBlock()) {
        if (d.val() !== "lameduck") throw d.unknownProperty();
        const v = d.remainingArgs();
        if (v.length !== 1) throw d.argErr();
        try {
          lameduckMs = parseDuration(v[0]);
        } catch (err) {
          throw new Error(`unable to parse lameduck duration value: '${v[0]}' : ${(err as Error).message}`);
        }
      }
    }
    const podAddr = addr || ":8080";
    const where = ctx.podView ? await ctx.podView.httpAddress("health", podAddr) : podAddr;
    installHealth(ctx, { addr: where, lameduckMs });
    return undefined;
  },
};
export default mod;
