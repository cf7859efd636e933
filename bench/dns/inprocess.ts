/**
 * CPU per query of `skiff dns`'s server itself, without sockets: the DnsServer that a kubeadm-like
 * Corefile builds (errors, prometheus, cache 30, loadbalance, kubernetes), the kubernetes plugin on
 * an in-memory cluster of the main benchmark's shape, fed the same query mix (lib.ts) one query
 * at a time through the path a listener takes (reply template first, else the full chain).
 *
 *   node --import tsx bench/dns/inprocess.ts [--services 10000] [--queries 300000] [--bundle]
 *        [--concurrency 1] [--cpu-prof DIR] [--alloc-prof FILE] [--promoted-prof FILE] [--no-cache]
 *        [--node-flags "FLAGS"]
 *
 * --bundle runs this script bundled by esbuild (as `npm run build` bundles skiff): tsx's
 * per-function helpers cost several percent of a profile. With --bundle the run gets the V8
 * settings of `skiff dns` (its heap flags and the single-threaded GC, src/cli/dns-heap.ts and
 * dns-gc.ts) unless --node-flags gives others, and the state it keeps is small like the
 * server's (the queries in one Buffer, the objects cut down as the informers cut them), so its
 * garbage collections are like the server's. --no-cache leaves `cache 30` out of the Corefile
 * (the full path alone). Prints one Markdown table row.
 */
import { spawnSync } from "node:child_process";
import { rmSync, writeFileSync } from "node:fs";
import { Session } from "node:inspector";
import { join } from "node:path";
import { PerformanceObserver } from "node:perf_hooks";
import { tuneHeapForDNS } from "../../src/cli/dns-heap.ts";
import type { Remote } from "../../src/dns/plugin.ts";
import { options } from "../../src/dns/plugins/kubernetes/fixtures.test-util.ts";
import { slimEndpointSlice, slimService } from "../../src/dns/plugins/kubernetes/slim.ts";
import { type EndpointSlice, type Service, staticView } from "../../src/dns/plugins/kubernetes/view.ts";
import { inBatch } from "../../src/dns/server/clock.ts";
import { directEnabled } from "../../src/dns/server/direct.ts";
import { templateKey } from "../../src/dns/server/fastpath.ts";
import { gcStatsAddon, gcStride } from "../../src/dns/server/gc-metrics.ts";
import { encodeQuery } from "../../src/dns/testing/dig.ts";
import { viewServer } from "../../src/dns/testing/view-server.ts";
import { podIP, queryMix, type SvcRecord, serviceName } from "./lib.ts";

const arg = (name: string, def: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : def;
};
const strArg = (name: string): string | undefined => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
};

const SERVICES = arg("services", 10_000);
const NAMESPACES = arg("namespaces", 100);
const ENDPOINTS = arg("endpoints", 5);
const QUERIES = arg("queries", 300_000);
/** Queries in flight together (dnsperf keeps 100 per client outstanding; a batch is up to 64). */
const CONCURRENCY = arg("concurrency", 1);

if (process.argv.includes("--bundle")) {
  // Re-run this file bundled; the bundle sits in dist/ so its packages resolve from node_modules.
  const root = join(import.meta.dirname, "../..");
  const out = join(root, "dist", `bench-inprocess-${process.pid}.mjs`);
  const { build } = await import("esbuild");
  await build({
    entryPoints: [import.meta.filename],
    outfile: out,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    packages: "external",
    logLevel: "warning",
  });
  const prof = strArg("cpu-prof");
  const given = strArg("node-flags");
  const v8 =
    given !== undefined ? given.split(/\s+/).filter(Boolean) : ["--single-threaded-gc", "--expose-gc"];
  const flags = [...v8, ...(prof ? ["--cpu-prof", "--cpu-prof-dir", prof] : [])];
  const args = process.argv
    .slice(2)
    .filter((a, i, all) => a !== "--bundle" && a !== "--node-flags" && all[i - 1] !== "--node-flags");
  const env = given !== undefined ? { SKIFF_DNS_HEAP: "v8", ...process.env } : process.env;
  const r = spawnSync(process.execPath, [...flags, out, ...args], { stdio: "inherit", env });
  rmSync(out, { force: true });
  process.exit(r.status ?? 1);
}

// The heap settings `skiff dns` gives itself at start, the same way (set from the command line,
// --semi-space-growth-factor left the young generation several times larger); --node-flags
// runs with V8's own sizing instead (SKIFF_DNS_HEAP=v8).
tuneHeapForDNS();

/** The main benchmark's cluster (run.ts), with ClusterIPs from 10.96.0.0/12 in order. */
function cluster(): { services: Service[]; slices: EndpointSlice[]; records: SvcRecord[] } {
  const services: Service[] = [];
  const slices: EndpointSlice[] = [];
  const records: SvcRecord[] = [];
  for (let i = 0; i < SERVICES; i++) {
    const { name, namespace } = serviceName(i, NAMESPACES);
    const ip = `10.96.${(i >> 8) & 255}.${i & 255}`;
    const ports = [{ name: "http", protocol: "TCP", port: 80 }];
    services.push(
      slimService({
        apiVersion: "v1",
        kind: "Service",
        metadata: { namespace, name, resourceVersion: "1" },
        spec: { type: "ClusterIP", clusterIP: ip, clusterIPs: [ip], ports },
      }),
    );
    slices.push(
      slimEndpointSlice({
        apiVersion: "discovery.k8s.io/v1",
        kind: "EndpointSlice",
        metadata: {
          namespace,
          name: `${name}-abcde`,
          labels: { "kubernetes.io/service-name": name },
          resourceVersion: "1",
        },
        addressType: "IPv4",
        endpoints: Array.from({ length: ENDPOINTS }, (_, k) => ({
          addresses: [podIP(i * ENDPOINTS + k)],
          conditions: { ready: true },
        })),
        ports,
      }),
    );
    records.push({ name, namespace, clusterIP: ip });
  }
  return { services, slices, records };
}

const { services, slices, records } = cluster();
const namespaces = Array.from({ length: NAMESPACES }, (_, i) => `ns-${i}`);
const view = staticView({ services, slices, namespaces, modified: Date.now() });

// kubeadm's Corefile without what needs sockets or an upstream (health, ready, forward, reload),
// and its kubernetes options: pods insecure, fallthrough in-addr.arpa ip6.arpa, ttl 30.
const CACHE = process.argv.includes("--no-cache") ? "" : "  cache 30\n";
const COREFILE = `.:53 {\n  errors\n  prometheus 127.0.0.1:0\n${CACHE}  loadbalance\n  k8sview\n}\n`;
const { server, registry, shutdown } = await viewServer(
  COREFILE,
  view,
  options({ podMode: "insecure", ttl: 30, fallthrough: ["in-addr.arpa.", "ip6.arpa."] }),
  { direct: directEnabled(), startups: true },
);

const lines = queryMix(records, 200_000, NAMESPACES).trim().split("\n");
const distinct = new Set(lines).size;
const edns = { type: "OPT", name: ".", udpPayloadSize: 1232, flags: 0 } as const;
/** The queries back to back in one Buffer (200,000 Buffer objects made every collection slow). */
const bounds = new Int32Array(lines.length + 1);
const wire = (() => {
  const parts = lines.map((l, i) => {
    const [name, type] = l.split(" ");
    return encodeQuery(`${name}.`, type as "A", i & 0xffff, { additionals: [edns as never] });
  });
  parts.forEach((p, i) => {
    bounds[i + 1] = bounds[i] + p.length;
  });
  return Buffer.concat(parts);
})();
lines.length = 0;
const query = (i: number): Buffer => wire.subarray(bounds[i], bounds[i + 1]);
const REMOTE: Remote = { address: "10.244.0.9", port: 40000, family: "IPv4" };
let replies = 0;
/** The batched socket's output slot for a reply answered at once (udp-batch.ts). */
const slot = Buffer.alloc(4096);
const send = () => {
  replies++;
};

/**
 * Ask n queries in batches of 64 (the native socket's), through the template path first and the
 * full path otherwise, with the batch's clock (clock.ts) as the listener runs them; pending
 * replies are awaited after each batch, or once CONCURRENCY of them are pending.
 */
async function run(n: number, from: number): Promise<{ cpuUs: number; templated: number }> {
  let templated = 0;
  const pending: Promise<void>[] = [];
  const t0 = process.cpuUsage();
  let i = 0;
  const batch = () => {
    for (const end = Math.min(n, i + 64); i < end && pending.length < CONCURRENCY; i++) {
      const q = query((from + i) % (bounds.length - 1));
      // As the batched socket does (listeners.ts): the key once, replies copied at once.
      const key = templateKey(q);
      if (server.fastInto(q, slot, 0, "udp", "IPv4", key) > 0) {
        templated++;
        replies++;
      } else {
        const p = server.handle(q, REMOTE, "udp", send, key, true);
        if (p) pending.push(p);
      }
    }
  };
  while (i < n) {
    inBatch(batch);
    if (pending.length > 0) {
      await Promise.all(pending);
      pending.length = 0;
    }
  }
  const c = process.cpuUsage(t0);
  return { cpuUs: c.user + c.system, templated };
}

// The setup's garbage (the query mix as text, the objects before slimming) goes first, so the
// run's collections are the server's own (--expose-gc, on with --bundle).
const collect = (globalThis as { gc?: () => void }).gc;
collect?.();
await run(50_000, 0); // warm-up: JIT and a full cache
collect?.();
replies = 0;
const gc = { scavenges: 0, full: 0, scavengeMs: 0, fullMs: 0 };
const measuredFrom = performance.now();
// The addon's GC counters when it is built (what skiff dns itself uses: an observer of "gc"
// entries costs CPU per collection, which would be measured too), else an observer.
const nativeGc = gcStatsAddon();
const gcRaw = new Float64Array(nativeGc ? nativeGc.gcKinds * gcStride(nativeGc) : 0);
const gcBefore = nativeGc ? Float64Array.from(nativeGc.gcStats(gcRaw)) : undefined;
const obs = new PerformanceObserver((list) => {
  for (const e of list.getEntries()) {
    // Entries of collections before the run are delivered too.
    if (e.startTime < measuredFrom) continue;
    // NODE_PERFORMANCE_GC_MINOR = 1 (scavenge), _MAJOR = 4 (mark-compact); the rest are
    // incremental marking steps and weak callbacks, counted in the time only.
    const kind = (e as unknown as { detail?: { kind?: number } }).detail?.kind;
    if (kind === 1) {
      gc.scavenges++;
      gc.scavengeMs += e.duration;
    } else {
      if (kind === 4) gc.full++;
      gc.fullMs += e.duration;
    }
  }
});
if (!nativeGc) obs.observe({ entryTypes: ["gc"] });
// --alloc-prof FILE: where the measured queries allocate (a .heapprofile for DevTools), the
// objects young collections took included: garbage costs as much as what stays.
// --promoted-prof FILE: the same for what outlived the young generation (what fills the old
// one and brings on full collections).
const promotedProf = strArg("promoted-prof");
const allocProf = strArg("alloc-prof") ?? promotedProf;
const inspector = allocProf ? new Session() : undefined;
const post = (method: string, params?: object) =>
  new Promise<unknown>((resolve, reject) =>
    inspector?.post(method, params, (err, res) => (err ? reject(err) : resolve(res))),
  );
if (inspector) {
  inspector.connect();
  await post("HeapProfiler.startSampling", {
    samplingInterval: 4096,
    includeObjectsCollectedByMajorGC: true,
    includeObjectsCollectedByMinorGC: promotedProf === undefined,
  });
}
const r = await run(QUERIES, 50_000);
if (inspector && allocProf) {
  const { profile } = (await post("HeapProfiler.stopSampling")) as { profile: unknown };
  writeFileSync(allocProf, JSON.stringify(profile));
  inspector.disconnect();
}
if (nativeGc && gcBefore) {
  nativeGc.gcStats(gcRaw);
  const d = (i: number) => gcRaw[i] - gcBefore[i];
  const stride = gcStride(nativeGc);
  gc.scavenges = d(0);
  gc.scavengeMs = d(1) * 1000;
  gc.full = d(stride);
  for (let k = 1; k < nativeGc.gcKinds; k++) gc.fullMs += d(k * stride + 1) * 1000;
} else {
  await new Promise((resolve) => setTimeout(resolve, 200)); // the observer's last entries
  obs.disconnect();
}
if (replies !== QUERIES) throw new Error(`${QUERIES - replies} queries got no reply`);
const text = await registry.metrics();
const count = (re: RegExp) =>
  text
    .split("\n")
    .filter((l) => re.test(l))
    .reduce((a, l) => a + Number(l.split(" ").pop()), 0);
const hits = count(/^coredns_cache_hits_total/);
const misses = count(/^coredns_cache_misses_total/);
await shutdown();
const ratio = hits + misses > 0 ? `${((100 * hits) / (hits + misses)).toFixed(0)}%` : "no cache";
console.log(
  "| services | distinct questions | µs CPU / query | without the chain (template or direct) | cache hit ratio (incl. warm-up) | scavenges / 10k queries | GC µs / query |",
);
console.log("| ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
console.log(
  `| ${SERVICES.toLocaleString("en")} | ${distinct.toLocaleString("en")} | ${(r.cpuUs / QUERIES).toFixed(2)} | ${((100 * r.templated) / QUERIES).toFixed(0)}% | ${ratio} | ${((1e4 * gc.scavenges) / QUERIES).toFixed(1)} (${gc.full} full) | ${((1000 * (gc.scavengeMs + gc.fullMs)) / QUERIES).toFixed(2)} |`,
);
