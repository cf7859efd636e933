/**
 * `autopath [ZONE…] RESOLV-CONF` (plugin/autopath/setup.go): RESOLV-CONF is a resolv.conf path
 * whose `search` line is the path, or `@plugin` to ask that plugin per query (`@kubernetes`).
 */
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { normalizeKey } from "../../corefile/address.ts";
import type { PluginModule } from "../../plugin.ts";
import { AutoPath, isAutoPather } from "./autopath.ts";

/** The `search` (or last `domain`) line of a resolv.conf, fully qualified, lowercase. */
export function searchFromResolvConf(text: string): string[] {
  let search: string[] = [];
  for (const raw of text.split("\n")) {
    const f = raw
      .replace(/[#;].*$/, "")
      .trim()
      .split(/\s+/);
    if (f[0] === "search") search = f.slice(1);
    else if (f[0] === "domain" && f[1]) search = [f[1]];
  }
  return search.map((s) => (s.endsWith(".") ? s : `${s}.`).toLowerCase());
}

const mod: PluginModule = {
  name: "autopath",
  setup(ctx) {
    const d = ctx.dispenser;
    let zones: string[] = [...ctx.zones];
    let search: string[] | undefined;
    let from = "";
    while (d.next()) {
      const args = d.remainingArgs();
      if (args.length < 1) throw d.err("no resolv-conf specified");
      const last = args[args.length - 1];
      if (last.startsWith("@")) from = last.slice(1);
      else {
        const path = resolve(dirname(ctx.corefilePath), last);
        let text: string;
        try {
          text = readFileSync(path, "utf8");
        } catch (err) {
          throw d.err(`failed to parse "${last}": ${(err as Error).message}`);
        }
        search = [...searchFromResolvConf(text), ""];
      }
      const zs = args.slice(0, -1);
      if (zs.length > 0) zones = zs.flatMap((z) => normalizeKey(z, 0).map((x) => x.zone));
    }
    const count = ctx.metrics.counter(
      "coredns_autopath_success_total",
      "Counter of requests that did autopath.",
      ["server"],
    );
    const ap = new AutoPath({ zones, search, count, server: `dns://:${ctx.port}` });
    if (from) {
      ctx.onStartup(() => {
        const h = ctx.handler(from);
        if (!h) return;
        if (!isAutoPather(h))
          throw new Error(`plugin/autopath: ${from} does not implement the AutoPather interface`);
        ap.o.searchFunc = (req) => h.autoPath(req);
      });
    }
    return ap.plugin();
  },
};
export default mod;
