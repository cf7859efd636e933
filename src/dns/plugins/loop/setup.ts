/**
 * `loop` (plugin/loop/setup.go): no arguments, once per server block, probing the block's first
 * zone. The probe goes over UDP to the first address the block's servers bound (loopback when
 * they listen on every address), with the port they got, so a random port (0) is probed too.
 */
import { isIPv6 } from "node:net";
import type { Logger, PluginModule } from "../../plugin.ts";
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
    const l = new Loop(ctx.zones[0] ?? ".", (msg) => fatal(ctx.log, msg));
    let stopped = false;
    ctx.onStartup(() => {
      // The first address the block bound (CoreDNS: ListenHosts[0] and the port), so a Corefile
      // port 0 probes the port the system picked.
      const bound = ctx.listening().find((a) => a.proto === "udp");
      if (!bound) {
        ctx.log.warn("no listen address to probe: loop detection is off for this server block");
        l.disable();
        return;
      }
      l.addr = joinHostPort(bound.host, bound.port);
      const host = probeHost(bound.host);
      // Not awaited: startup must finish for the server to answer the probe.
      void (async () => {
        const deadline = Date.now() + PROBE_WINDOW_MS;
        while (!stopped && Date.now() < deadline) {
          try {
            await sendProbe(host, bound.port, l.qname);
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

/** CoreDNS's log.Fatalf: "[FATAL] plugin/loop: …" and exit status 1 (the pod crash-loops). */
function fatal(log: Logger, msg: string): void {
  if (log.fatal) log.fatal(msg);
  log.error(msg);
  process.exit(1);
}

/** net.JoinHostPort: ":1053" for every address, brackets around IPv6. */
function joinHostPort(host: string, port: number): string {
  return isIPv6(host) ? `[${host}]:${port}` : `${host}:${port}`;
}

/** Where to send the probe: the bound host, or loopback when bound to every address. */
function probeHost(host: string): string {
  if (host === "" || host === "0.0.0.0") return "127.0.0.1";
  if (host === "::") return "::1";
  return host;
}
