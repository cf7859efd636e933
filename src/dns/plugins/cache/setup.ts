import { invalidationBus } from "../../invalidation.ts";
import type { PluginModule } from "../../plugin.ts";
import { Cache } from "./cache.ts";
import { attach } from "./metrics.ts";
import { parseCache } from "./parse.ts";

/** `cache [TTL] [ZONES…] { … }` (plugin/cache/setup.go); see README.md. */
const mod: PluginModule = {
  name: "cache",
  setup(ctx) {
    const cfg = parseCache(ctx.dispenser, ctx.zones);
    const cache = new Cache(cfg);
    const labels = { server: `dns://:${ctx.port}`, zones: cfg.zones.join(","), view: "" };
    const bus = invalidationBus(ctx);
    let detach: (() => void) | undefined;
    let unsubscribe: (() => void) | undefined;
    ctx.onStartup(() => {
      detach = attach(ctx.registry, {
        labels,
        counts: cache.counts,
        entries: () => ({ success: cache.pcache.size, denial: cache.ncache.size }),
      });
      unsubscribe = bus.onPositive((names) => {
        const n = cache.invalidate(names);
        if (n > 0) ctx.log.debug(`dropped ${n} negative entries for ${names.join(" ")}`);
      });
    });
    ctx.onShutdown(() => {
      unsubscribe?.();
      detach?.();
    });
    return cache.plugin();
  },
};
export default mod;
