/**
 * prometheus: serves the instance's metric registry at /metrics (plugin/metrics). The server
 * records the coredns_dns_* families for blocks that use this plugin; here we add
 * coredns_build_info and the process's own metrics (Node's, where CoreDNS has Go's).
 */
import pkg from "../../../../package.json" with { type: "json" };
import type { HttpRegistration } from "../../http.ts";
import type { SetupContext } from "../../plugin.ts";
import { collectProcessMetrics } from "../../server/gc-metrics.ts";

export function installPrometheus(ctx: SetupContext, addr: string): void {
  const buildInfo = ctx.metrics.gauge(
    "coredns_build_info",
    "A metric with a constant '1' value labeled by version, revision, and goversion from which CoreDNS was built.",
    ["version", "revision", "goversion"],
  );
  // There is no Go here: goversion carries the runtime that built and runs Skiff.
  buildInfo.set({ version: pkg.version, revision: "", goversion: `node${process.versions.node}` }, 1);
  if (!ctx.registry.getSingleMetric("process_cpu_user_seconds_total")) {
    collectProcessMetrics(ctx.registry);
  }

  let reg: HttpRegistration | undefined;
  ctx.onStartup(async () => {
    reg = await ctx.http.register(addr, "/metrics", (_req, res) => {
      ctx.registry.metrics().then(
        (text) => res.writeHead(200, { "content-type": ctx.registry.contentType }).end(text),
        (err: Error) => {
          ctx.log.error(`collecting metrics: ${err.message}`);
          res.writeHead(500, { "content-type": "text/plain" }).end(`${err.message}\n`);
        },
      );
    });
  });
  ctx.onShutdown(async () => {
    await reg?.release();
    reg = undefined;
  });
}
