import { isAbsolute, resolve } from "node:path";
import { parseDuration } from "../../corefile/duration.ts";
import type { PluginModule } from "../../plugin.ts";
import { Watcher } from "./reload.ts";

const MIN_INTERVAL = 2000;
const MIN_JITTER = 1000;

/** `reload [INTERVAL] [JITTER]`: 30s and 15s by default (plugin/reload/setup.go). */
const mod: PluginModule = {
  name: "reload",
  setup(ctx) {
    const d = ctx.dispenser;
    d.next();
    const args = d.remainingArgs();
    if (args.length > 2) throw d.argErr();
    if (d.next()) throw d.err("this plugin can only be used once per Server Block");
    let interval = args.length > 0 ? parseDuration(args[0]) : 30_000;
    if (interval < MIN_INTERVAL) throw new Error("interval value must be greater or equal to 2s");
    let jitter = args.length > 1 ? parseDuration(args[1]) : 15_000;
    if (jitter !== 0 && jitter < MIN_JITTER)
      throw new Error("jitter value must be 0 or greater or equal to 1s");
    if (jitter > interval / 2) jitter = interval / 2;
    // Spread many replicas' checks over ±jitter/2 (setup.go).
    if (jitter > 0) interval += Math.floor(Math.random() * jitter) - jitter / 2;

    const failed = ctx.metrics.counter(
      "coredns_reload_failed_total",
      "Counter of the number of failed reload attempts.",
    );
    const versionInfo = ctx.metrics.gauge(
      "coredns_reload_version_info",
      "A metric with a constant '1' value labeled by hash, and value which type of hash generated.",
      ["hash", "value"],
    );
    const path = isAbsolute(ctx.corefilePath) ? ctx.corefilePath : resolve(ctx.corefilePath);
    const w = new Watcher({
      path,
      intervalMs: interval,
      instance: ctx.instance,
      env: ctx.env,
      log: ctx.log,
      failed,
      versionInfo,
    });
    ctx.onStartup(() => w.start());
    ctx.onShutdown(() => w.stop());
    return undefined;
  },
};
export default mod;
