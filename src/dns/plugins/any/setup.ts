import type { PluginModule } from "../../plugin.ts";
import { any } from "./any.ts";

/** `any` takes no arguments and no block (plugin/any/setup.go). */
const mod: PluginModule = {
  name: "any",
  setup(ctx) {
    const d = ctx.dispenser;
    d.next();
    if (d.nextArg()) throw d.argErr();
    if (d.nextBlock()) throw d.unknownProperty();
    return any;
  },
};
export default mod;
