import pkg from "../../../../package.json" with { type: "json" };
import type { PluginModule } from "../../plugin.ts";
import { chaos, trim255 } from "./chaos.ts";

/** What version.bind reports without a VERSION argument (CoreDNS: "CoreDNS-<version>"). */
export const DEFAULT_VERSION = `Skiff-${pkg.version}`;
/** What authors.bind reports without AUTHORS (CoreDNS lists its OWNERS; Skiff has none). */
export const DEFAULT_AUTHORS: readonly string[] = ["Skiff authors"];

/**
 * `chaos [VERSION] [AUTHORS…]` (plugin/chaos/setup.go): one argument sets only the version;
 * with authors, they are de-duplicated and sorted. No block options.
 */
const mod: PluginModule = {
  name: "chaos",
  setup(ctx) {
    const d = ctx.dispenser;
    let version = DEFAULT_VERSION;
    let authors = DEFAULT_AUTHORS;
    if (d.next()) {
      const args = d.remainingArgs();
      if (args.length >= 1) version = args.length === 1 ? trim255(args[0]) : args[0];
      if (args.length > 1) authors = [...new Set(args.slice(1).map(trim255))].sort();
      if (d.nextBlock()) throw d.unknownProperty();
    }
    return chaos({ version, authors });
  },
};
export default mod;
