/** `skiff dns`: the cluster DNS server (CoreDNS-compatible Corefile). */
import dgram from "node:dgram";
import { readFileSync } from "node:fs";
import { hostname } from "node:os";
import { resolve } from "node:path";
import { EventRecorder } from "../controllers/framework/events.ts";
import { type ConfigMapDNS, serveConfigMap } from "../dns/configmap.ts";
import { type ConfigMap, kubeadmCorefile } from "../dns/configmap-manifests.ts";
import { startDNS } from "../dns/index.ts";
import { freeTcpPort, HostPodView, POD_DNS_PORT, type PodHttpListener, RESOLV_CONF } from "../dns/podview.ts";
import { trimMallocEvery } from "../dns/server/trim.ts";
import { clientFor } from "./client.ts";
import { type FlagSpec, helpText, parseFlags, portFlag, UsageError } from "./flags.ts";
import { untilSignal } from "./signal.ts";

export const dnsFlags: FlagSpec = {
  corefile: {
    type: "string",
    help: "the Corefile to serve (required); with --configmap, where its Corefile is written",
  },
  configmap: {
    type: "string",
    help: "NAMESPACE/NAME: serve this ConfigMap's Corefile as a CoreDNS pod would, and follow its changes",
  },
  kubeconfig: {
    type: "string",
    help: "with --configmap: the cluster to read it from, and what `kubernetes` uses without kubeconfig",
  },
  "cluster-domain": {
    type: "string",
    help: "with --configmap: if its Corefile does not build at start, serve kubeadm's default for this domain until it is fixed",
  },
  "resolv-conf": {
    type: "string",
    default: RESOLV_CONF,
    help: "with --configmap: the file the pod's /etc/resolv.conf stands for (nameserver IP[:port] lines)",
  },
  "dns-addr": {
    type: "string",
    help: "address to listen on for blocks without `bind` (default: every address)",
  },
  "dns-port": {
    type: "string",
    default: "53",
    help: "port for server blocks that name none; with --configmap, what the pod's port 53 is (0: a free one)",
  },
  "kube-dns-configmap": {
    type: "string",
    help: "print the Corefile equivalent to a kube-dns ConfigMap (YAML or JSON file) and exit",
  },
  help: { type: "boolean", help: "show this help" },
};

export async function dnsCommand(argv: string[]): Promise<void> {
  const values = parseFlags(argv, dnsFlags, "dns");
  if (values.help) {
    console.log(helpText("dns", "Serve cluster DNS from a CoreDNS-compatible Corefile.", dnsFlags));
    return;
  }
  if (values["kube-dns-configmap"]) {
    const { kubeDNSConfigMapToCorefile } = await import("../dns/kubedns/index.ts");
    const path = String(values["kube-dns-configmap"]);
    let text: string;
    try {
      text = readFileSync(path, "utf8");
    } catch (e) {
      throw new UsageError(`cannot read ${path}: ${e instanceof Error ? e.message : e}`);
    }
    process.stdout.write(kubeDNSConfigMapToCorefile(text));
    return;
  }
  if (!values.corefile) throw new UsageError("--corefile FILE is required (or --kube-dns-configmap FILE)");
  const corefilePath = resolve(String(values.corefile));
  const stopTrim = trimMallocEvery();
  try {
    if (values.configmap) await serveFromConfigMap(values, corefilePath);
    else await serveCorefile(values, corefilePath);
  } finally {
    stopTrim();
  }
}

/** `--corefile FILE`: serve it until a signal; SIGUSR1 reloads it. */
async function serveCorefile(
  values: Record<string, string | boolean | undefined>,
  corefilePath: string,
): Promise<void> {
  let corefile: string;
  try {
    corefile = readFileSync(corefilePath, "utf8");
  } catch (e) {
    throw new UsageError(`cannot read the Corefile ${corefilePath}: ${e instanceof Error ? e.message : e}`);
  }
  const dns = await startDNS({
    corefile,
    corefilePath,
    defaultPort: portFlag(values["dns-port"], "dns-port"),
    defaultHost: (values["dns-addr"] as string | undefined) ?? "",
  });
  const where = dns.addresses.map((a) => `${a.proto} ${a.address}:${a.port}`).join(", ");
  console.log(`dns ready: ${where}`);
  // SIGUSR1 reloads the Corefile, as CoreDNS does.
  const onUsr1 = () => {
    void dns
      .reload(readFileSync(corefilePath, "utf8"))
      .then(() => console.log("dns: Corefile reloaded"))
      .catch((e: unknown) =>
        console.error(
          `dns: reload failed, keeping the running config: ${e instanceof Error ? e.message : e}`,
        ),
      );
  };
  process.on("SIGUSR1", onUsr1);
  await untilSignal();
  process.off("SIGUSR1", onUsr1);
  await dns.stop();
}

/**
 * `--configmap NS/NAME`: the Corefile of a CoreDNS pod, served on this host. Its port 53 is
 * --dns-port, its HTTP listeners get --dns-addr and free ports, its /etc/resolv.conf is
 * --resolv-conf and `kubernetes` reads the cluster through --kubeconfig.
 */
async function serveFromConfigMap(
  values: Record<string, string | boolean | undefined>,
  corefilePath: string,
): Promise<void> {
  const ref = String(values.configmap);
  const m = /^([^/\s]+)\/([^/\s]+)$/.exec(ref);
  if (!m) throw new UsageError(`--configmap must be NAMESPACE/NAME, got "${ref}"`);
  const [, namespace, name] = m;
  if (!values.kubeconfig)
    throw new UsageError("--configmap needs --kubeconfig FILE (the cluster to read it from)");
  const kubeconfig = resolve(String(values.kubeconfig));
  const client = clientFor(kubeconfig);
  const host = (values["dns-addr"] as string | undefined) ?? "";
  const wanted = portFlag(values["dns-port"], "dns-port");
  const events = new EventRecorder(client, "skiff-dns", { host: hostname().toLowerCase() });
  const where = `configmap ${namespace}/${name}`;
  let served: ConfigMapDNS | undefined;
  let view: HostPodView | undefined;
  // A picked port can be taken before we bind it: pick again (a given port is tried once).
  for (let attempt = 0; !served; attempt++) {
    const port = wanted === 0 ? await freeDnsPort(host) : wanted;
    view = new HostPodView({
      dnsPort: port,
      httpHost: host,
      files: { [RESOLV_CONF]: resolve(String(values["resolv-conf"])) },
      kubeconfig,
    });
    try {
      served = await serveConfigMap({
        client,
        namespace,
        name,
        corefilePath,
        defaultPort: POD_DNS_PORT,
        defaultHost: host,
        podView: view,
        fallback: values["cluster-domain"] ? kubeadmCorefile(String(values["cluster-domain"])) : undefined,
        onApplied: (cm) =>
          console.log(`dns: ${where}: Corefile applied (resourceVersion ${cm.metadata.resourceVersion})`),
        onRejected: (cm: ConfigMap, err) => {
          console.error(`dns: ${where}: Corefile rejected, the previous one keeps serving: ${err.message}`);
          events.recordEvent(
            cm,
            "Warning",
            "CorefileRejected",
            `Corefile rejected, the previous one keeps serving: ${err.message}`,
          );
        },
        onWarning: (msg) => console.error(`dns: ${msg}`),
      });
    } catch (e) {
      const inUse =
        e instanceof Error &&
        (/EADDRINUSE/.test(e.message) || (e as NodeJS.ErrnoException).code === "EADDRINUSE");
      if (!(wanted === 0 && inUse && attempt < 5)) {
        client.close();
        throw new UsageError(`cannot serve ${where}: ${e instanceof Error ? e.message : e}`);
      }
    }
  }
  const http = httpURLs(view?.listeners() ?? []);
  if (http.length > 0) console.log(`dns http: ${http.join(", ")}`);
  const addrs = served.dns.addresses.map((a) => `${a.proto} ${a.address}:${a.port}`).join(", ");
  console.log(`dns ready: ${addrs} (Corefile from ${where})`);
  await Promise.race([untilSignal(), parentGone()]);
  await served.stop();
  await events.drain();
  client.close();
}

const httpPaths = { health: "/health", ready: "/ready", prometheus: "/metrics" } as Record<string, string>;

/** "health http://…/health, ready …, prometheus …/metrics" (an all-addresses listener as localhost). */
export function httpURLs(listeners: readonly PodHttpListener[]): string[] {
  const order = Object.keys(httpPaths);
  const rank = (p: string) => (order.includes(p) ? order.indexOf(p) : order.length);
  return [...listeners]
    .sort((a, b) => rank(a.plugin) - rank(b.plugin))
    .map((l) => {
      const addr = l.hostAddr.startsWith(":") ? `localhost${l.hostAddr}` : l.hostAddr;
      return `${l.plugin} http://${addr}${httpPaths[l.plugin] ?? "/"}`;
    });
}

/**
 * Resolves when the `skiff up` that started this process (SKIFF_PARENT_PID) is gone, e.g. killed
 * with SIGKILL: cluster DNS must not outlive it. Never resolves without that variable.
 */
function parentGone(): Promise<void> {
  const parent = Number(process.env.SKIFF_PARENT_PID);
  if (!parent) return new Promise(() => {});
  return new Promise((resolve) => {
    const t = setInterval(() => {
      if (process.ppid === parent) return;
      clearInterval(t);
      console.error(`dns: skiff up (pid ${parent}) is gone: stopping`);
      resolve();
    }, 1000);
    t.unref();
  });
}

/** A port free for both UDP and TCP on host a moment ago (the DNS listeners need both). */
async function freeDnsPort(host: string): Promise<number> {
  for (;;) {
    const port = await freeTcpPort(host);
    const udp = dgram.createSocket(host.includes(":") ? "udp6" : "udp4");
    const ok = await new Promise<boolean>((done) => {
      udp.once("error", () => done(false));
      udp.bind(port, host || undefined, () => done(true));
    });
    await new Promise<void>((done) => {
      try {
        udp.close(() => done());
      } catch {
        done();
      }
    });
    if (ok) return port;
  }
}
