/**
 * `kubernetes [ZONES…] { … }` (plugin/kubernetes/setup.go): options, the API connection from a
 * kubeconfig, an endpoint URL or the in-cluster service account, and the informers, started on
 * startup (waiting up to startup_timeout for the first sync, as CoreDNS) and stopped on shutdown.
 */
import { readFileSync } from "node:fs";
import os from "node:os";
import { dirname, resolve } from "node:path";
import { parseLabelSelector, selectorString } from "../../../api/machinery/selectors/label.ts";
import { loadKubeconfig, RestClient, type RestConfig } from "../../../client/index.ts";
import { normalizeKey } from "../../corefile/address.ts";
import { parseDuration } from "../../corefile/duration.ts";
import { invalidationBus } from "../../invalidation.ts";
import type { PluginModule, SetupContext } from "../../plugin.ts";
import { searchFromResolvConf } from "../autopath/setup.ts";
import { Kubernetes } from "./kubernetes.ts";
import { isReverse } from "./names.ts";
import type { PodMode } from "./records.ts";
import { upstreamThrough } from "./upstream.ts";
import { ClusterWatch } from "./watch.ts";

export interface KubernetesConfig {
  zones: string[];
  primaryZone: string;
  kubeconfig?: { path: string; context?: string };
  endpoint?: string;
  namespaces: Set<string>;
  namespaceLabels?: string;
  labels?: string;
  podMode: PodMode;
  endpointPodNames: boolean;
  ttl: number;
  noEndpoints: boolean;
  fallthrough: string[] | undefined;
  ignoreEmptyService: boolean;
  startupTimeoutMs: number;
}

const DEFAULT_TTL = 5;

/** Parse the directive (kubernetesParse/ParseStanza); errors carry file:line. */
export function parseKubernetes(
  ctx: Pick<SetupContext, "dispenser" | "zones" | "corefilePath">,
): KubernetesConfig {
  const d = ctx.dispenser;
  let seen = 0;
  let cfg: KubernetesConfig | undefined;
  while (d.next()) {
    if (seen++ > 0) throw d.err("this plugin can only be used once per Server Block");
    const args = d.remainingArgs();
    const zones =
      args.length > 0
        ? args.flatMap((a) => {
            try {
              return normalizeKey(a, 0).map((z) => z.zone);
            } catch (err) {
              throw d.err((err as Error).message);
            }
          })
        : [...ctx.zones];
    const primaryZone = zones.find((z) => isReverse(z) === 0);
    if (!primaryZone) throw d.err("non-reverse zone name must be used");
    const c: KubernetesConfig = {
      zones,
      primaryZone,
      namespaces: new Set(),
      podMode: "disabled",
      endpointPodNames: false,
      ttl: DEFAULT_TTL,
      noEndpoints: false,
      fallthrough: undefined,
      ignoreEmptyService: false,
      startupTimeoutMs: 5000,
    };
    while (d.nextBlock()) {
      const opt = d.val();
      const a = d.remainingArgs();
      switch (opt) {
        case "endpoint_pod_names":
          if (a.length > 0) throw d.argErr();
          c.endpointPodNames = true;
          break;
        case "pods":
          if (a.length !== 1) throw d.argErr();
          if (a[0] !== "disabled" && a[0] !== "insecure" && a[0] !== "verified") {
            throw d.err(`wrong value for pods: ${a[0]},  must be one of: disabled, verified, insecure`);
          }
          c.podMode = a[0];
          break;
        case "namespaces":
          if (a.length === 0) throw d.argErr();
          for (const n of a) c.namespaces.add(n);
          break;
        case "endpoint":
          if (a.length === 0) throw d.argErr();
          c.endpoint = a[0];
          break;
        case "kubeconfig": {
          if (a.length !== 1 && a.length !== 2) throw d.argErr();
          const path = resolve(dirname(ctx.corefilePath), a[0]);
          c.kubeconfig = { path, context: a[1] };
          break;
        }
        case "labels":
        case "namespace_labels": {
          if (a.length === 0) throw d.argErr();
          const text = a.join(" ");
          let sel: string;
          try {
            sel = selectorString(parseLabelSelector(text));
          } catch (err) {
            const what = opt === "labels" ? "label selector" : "namespace_label selector";
            throw d.err(`unable to parse ${what} value: '${text}': ${(err as Error).message}`);
          }
          if (opt === "labels") c.labels = sel;
          else c.namespaceLabels = sel;
          break;
        }
        case "fallthrough":
          c.fallthrough = a.length === 0 ? ["."] : a.flatMap((z) => normalizeKey(z, 0).map((x) => x.zone));
          break;
        case "ttl": {
          if (a.length === 0) throw d.argErr();
          if (!/^[-+]?\d+$/.test(a[0])) throw d.err(`strconv.Atoi: parsing "${a[0]}": invalid syntax`);
          const t = Number(a[0]);
          if (t < 0 || t > 3600) throw d.err(`ttl must be in range [0, 3600]: ${t}`);
          c.ttl = t;
          break;
        }
        case "noendpoints":
          if (a.length > 0) throw d.argErr();
          c.noEndpoints = true;
          break;
        case "ignore":
          if (a.length === 0) throw d.argErr();
          if (a[0] !== "empty_service") throw d.err(`unable to parse ignore value: '${a[0]}'`);
          c.ignoreEmptyService = true;
          break;
        case "startup_timeout":
          if (a.length === 0) throw d.argErr();
          try {
            c.startupTimeoutMs = parseDuration(a[0]);
          } catch (err) {
            throw d.err(`failed to parse startup_timeout: ${a[0]}, ${(err as Error).message}`);
          }
          break;
        default:
          throw d.err(`unknown property '${opt}'`);
      }
    }
    if (c.namespaces.size > 0 && c.namespaceLabels !== undefined) {
      throw d.err("namespaces and namespace_labels cannot both be set");
    }
    cfg = c;
  }
  if (!cfg) throw d.argErr();
  return cfg;
}

/** The API connection: kubeconfig, else endpoint, else the in-cluster service account. */
export function restConfigFor(
  c: KubernetesConfig,
  env: Readonly<Record<string, string | undefined>>,
): RestConfig {
  if (c.kubeconfig) return loadKubeconfig(c.kubeconfig.path, c.kubeconfig.context);
  if (c.endpoint) return { server: c.endpoint, namespace: "default" };
  const host = env.KUBERNETES_SERVICE_HOST;
  const port = env.KUBERNETES_SERVICE_PORT;
  if (!host || !port) {
    throw new Error(
      "unable to load in-cluster configuration, KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT must be defined",
    );
  }
  const sa = "/var/run/secrets/kubernetes.io/serviceaccount";
  const h = host.includes(":") ? `[${host}]` : host;
  return {
    server: `https://${h}:${port}`,
    namespace: "default",
    tokenFile: `${sa}/token`,
    ca: readFileSync(`${sa}/ca.crt`, "utf8"),
  };
}

/** The search domains of this host's /etc/resolv.conf (searchFromResolvConf). */
function hostSearch(): string[] {
  try {
    return searchFromResolvConf(readFileSync("/etc/resolv.conf", "utf8"));
  } catch {
    return [];
  }
}

/** Every address of this machine (CoreDNS's boundIPs for a server bound to all addresses). */
function localIPs(): string[] {
  return Object.values(os.networkInterfaces())
    .flatMap((l) => l ?? [])
    .map((a) => a.address);
}

const mod: PluginModule = {
  name: "kubernetes",
  setup(ctx) {
    const c = parseKubernetes(ctx);
    // A pod's Corefile without kubeconfig/endpoint means its service account: here, the pod view's.
    if (!c.kubeconfig && !c.endpoint && ctx.podView) c.kubeconfig = { path: ctx.podView.kubeconfig };
    const rest = new RestClient(restConfigFor(c, ctx.env));
    const programming = ctx.metrics.histogram(
      "coredns_kubernetes_dns_programming_duration_seconds",
      "Histogram of the time (in seconds) it took to program a dns instance.",
      ["service_kind"],
      // prometheus.ExponentialBuckets(0.001, 2, 20): 1 ms to ~17 minutes.
      Array.from({ length: 20 }, (_, i) => 0.001 * 2 ** i),
    );
    const bus = invalidationBus(ctx);
    const forward = c.zones.filter((z) => isReverse(z) === 0);
    const watch = new ClusterWatch(rest, {
      zones: forward,
      labelSelector: c.labels,
      namespaceLabelSelector: c.namespaceLabels,
      endpoints: !c.noEndpoints,
      pods: c.podMode === "verified",
      endpointPodNames: c.endpointPodNames,
      announce: (names) => bus.announcePositive(names),
      programming,
      log: ctx.log,
    });
    const k = new Kubernetes(watch.view, { ...c, localIPs });
    k.autoPathSearch = hostSearch();
    ctx.onStartup(async () => {
      k.upstream = upstreamThrough(k.next);
      watch.start();
      if (!(await watch.waitForSync(c.startupTimeoutMs))) {
        ctx.log.warn("starting server with unsynced Kubernetes API");
      }
    });
    ctx.onShutdown(async () => {
      await watch.stop();
      rest.close();
    });
    return k.plugin();
  },
};
export default mod;
