import type { PluginModule } from "../../plugin.ts";
import { whoami } from "./whoami.ts";

/** `whoami` takes no arguments (plugin/whoami/setup.go). */
const mod: PluginModule = {
  name: "whoami",
  setup(ctx) {
    const d = ctx.dispenser;
    d.next();
    if (d.nextArg()) throw d.argErr();
    return whoami;
  },
};
export default mod;
