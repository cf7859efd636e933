/**
 * A DnsServer without sockets for a Corefile whose `k8sview` directive is the real kubernetes
 * handler on an in-memory cluster view: for tests and the in-process benchmark.
 */
import { Registry } from "prom-client";
import { buildConfig } from "../config.ts";
import { HttpListeners } from "../http.ts";
import { makeLogger } from "../index.ts";
import type { PluginModule } from "../plugin.ts";
import { Kubernetes, type KubernetesOptions } from "../plugins/kubernetes/kubernetes.ts";
import type { ClusterView } from "../plugins/kubernetes/view.ts";
import { Metrics, ServerMetrics } from "../server/metrics.ts";
import { DnsServer, type ZoneHandler } from "../server/server.ts";

export interface ViewServer {
  server: DnsServer;
  /** The zone handler of the first zone of the first server block. */
  zone: ZoneHandler;
  registry: Registry;
  /** Run the blocks' shutdown hooks (prometheus's listener, after startups). */
  shutdown(): Promise<void>;
}

export async function viewServer(
  corefile: string,
  view: ClusterView,
  k8s: KubernetesOptions,
  opts: { direct?: boolean; startups?: boolean } = {},
): Promise<ViewServer> {
  const plugin: PluginModule = {
    name: "k8sview",
    setup(ctx) {
      ctx.dispenser.next();
      const k = new Kubernetes(view, k8s);
      return () => k;
    },
  };
  const registry = new Registry();
  const metrics = new Metrics(registry);
  const logger = makeLogger(() => {}, false);
  const cfg = await buildConfig(corefile, {
    corefilePath: "Corefile",
    defaultPort: 53,
    defaultHost: "127.0.0.1",
    env: {},
    metrics,
    http: new HttpListeners(),
    logger,
    instance: { corefile: () => corefile, reload: () => Promise.reject(new Error("no reload here")) },
    extraPlugins: [plugin],
  });
  // Startup hooks attach the plugins' metrics (and bind prometheus on a free loopback port).
  if (opts.startups) for (const b of cfg.blocks) for (const h of b.startups) await h();
  const spec = [...cfg.servers.values()][0];
  const server = new DnsServer({
    addr: spec.addr,
    zones: spec.zones,
    classChaos: spec.classChaos,
    metrics: new ServerMetrics(metrics),
    log: logger(""),
    direct: opts.direct,
  });
  const shutdown = async () => {
    for (const b of cfg.blocks) for (const h of b.shutdowns) await h();
  };
  return { server, zone: [...spec.zones.values()][0], registry, shutdown };
}
