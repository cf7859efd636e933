/**
 * `loop` (plugin/loop/setup.go): no arguments, once per server block, probing the block's first
 * zone. The probe goes to the block's port on loopback over UDP (the core does not expose the bound
 * address to plugins): with a random port (0) there is nothing to probe and loop stays idle.
 */
import type { PluginModule } from "../../plugin.ts";
import { Loop, sendProbe } from "./loop.ts";

/** How long the probe is retried while the server comes up (setup.go: 30s). */
const PROBE_WINDOW_MS = 30_000;

const mod: PluginModule = {
  name: "loop",
  setup(ctx) {
    const d = ctx.dispenser;
    let n = 0;
    while (d.next()) {
      if (n++ > 0) throw d.err("this plugin can only be used once per Server Block");
      if (d.nextArg()) throw d.argErr();
    }
    const l = new Loop(ctx.zones[0] ?? ".", (msg) => {
      ctx.log.error(msg);
      // CoreDNS's log.Fatalf: the process stops (in Kubernetes the pod crash-loops).
      process.exit(1);
    });
    const host = "127.0.0.1";
    l.addr = `${host}:${ctx.port}`;
    let stopped = false;
    ctx.onStartup(() => {
      if (ctx.port === 0) {
        ctx.log.warn("no fixed port to probe: loop detection is off for this server block");
        l.disable();
        return;
      }
      // Not awaited: startup must finish for the server to answer the probe.
      void (async () => {
        const deadline = Date.now() + PROBE_WINDOW_MS;
        while (!stopped && Date.now() < deadline) {
          try {
            await sendProbe(host, ctx.port, l.qname);
            break;
          } catch {
            l.reset();
            await new Promise((r) => setTimeout(r, 1000).unref());
          }
        }
        l.disable();
      })();
    });
    ctx.onShutdown(() => {
      stopped = true;
    });
    return (next) => {
      l.next = next;
      return l;
    };
  },
};
export default mod;
