/**
 * bind: listen on these addresses instead of all of them (plugin/bind). Addresses are IPs or
 * interface names (all of the interface's addresses); `except` removes addresses again.
 */
import { isIP } from "node:net";
import { networkInterfaces } from "node:os";
import type { PluginModule } from "../../plugin.ts";

const mod: PluginModule = {
  name: "bind",
  setup(ctx) {
    const d = ctx.dispenser;
    const hosts: string[] = [];
    const except: string[] = [];
    while (d.next()) {
      const args = d.remainingArgs();
      if (args.length === 0) throw d.argErr();
      for (const a of args)
        hosts.push(...resolve(a, () => d.err(`not a valid IP address or interface name: ${a}`)));
      while (d.nextBlock()) {
        if (d.val() !== "except") throw d.unknownProperty();
        const ex = d.remainingArgs();
        if (ex.length === 0) throw d.argErr();
        for (const a of ex)
          except.push(...resolve(a, () => d.err(`not a valid IP address or interface name: ${a}`)));
      }
    }
    const final = [...new Set(hosts.filter((h) => !except.includes(h)))];
    if (final.length === 0) throw d.err("no address to bind to after except");
    ctx.bind(final);
    return undefined;
  },
};
export default mod;

function resolve(a: string, fail: () => Error): string[] {
  if (isIP(a)) return [a];
  const ifc = networkInterfaces()[a];
  if (!ifc) throw fail();
  return ifc.map((i) => (i.family === "IPv6" && i.scopeid ? `${i.address}%${a}` : i.address));
}
