/**
 * Pieces of the DNS benchmark that need no process: the synthetic cluster, the Kubernetes query
 * mix for dnsperf, the unbound configuration serving the same records, and dnsperf's output.
 */

export const ZONE = "cluster.local";

export interface SvcRecord {
  name: string;
  namespace: string;
  clusterIP: string;
}

/** Service i of `services`, spread over `namespaces` namespaces (svc-i in ns-(i mod N)). */
export function serviceName(i: number, namespaces: number): { name: string; namespace: string } {
  return { name: `svc-${i}`, namespace: `ns-${i % namespaces}` };
}

/** The k-th pod IP of the synthetic cluster, in 10.244.0.0/16 (65,535 of them). */
export function podIP(k: number): string {
  const n = (10 << 24) | (244 << 16) | (k + 1);
  return [(n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join(".");
}

/** The in-addr.arpa name of an IPv4 address. */
export function ptrName(ip: string): string {
  return `${ip.split(".").reverse().join(".")}.in-addr.arpa`;
}

/**
 * A deterministic mix of what pods ask cluster DNS (dnsperf's "name type" lines):
 * 45% A for Service names, 15% SRV for the named port, 30% search-path misses (the resolver tries
 * `<name>.<own-ns>.svc.cluster.local` and `….cluster.local` before the right one: NXDOMAIN),
 * 10% PTR for ClusterIPs.
 */
export function queryMix(svcs: SvcRecord[], lines: number, namespaces: number): string {
  const out: string[] = [];
  const rnd = mulberry32(12345);
  for (let i = 0; i < lines; i++) {
    const s = svcs[Math.floor(rnd() * svcs.length)];
    const fq = `${s.name}.${s.namespace}.svc.${ZONE}`;
    const r = rnd();
    if (r < 0.45) out.push(`${fq} A`);
    else if (r < 0.6) out.push(`_http._tcp.${fq} SRV`);
    else if (r < 0.9) {
      const own = `ns-${Math.floor(rnd() * namespaces)}`;
      // "svc.ns" searched in the pod's namespace, or "svc.ns.svc" searched in svc.cluster.local.
      out.push(rnd() < 0.5 ? `${s.name}.${s.namespace}.${own}.svc.${ZONE} A` : `${fq}.svc.${ZONE} A`);
    } else out.push(`${ptrName(s.clusterIP)} PTR`);
  }
  return `${out.join("\n")}\n`;
}

/**
 * A small seeded generator (mulberry32) in 32-bit integer arithmetic. The mix once used an LCG in
 * floating point, whose products passed 2^53 and collapsed it into a cycle of a few thousand
 * values: 200,000 lines held only 5,824 distinct queries, far fewer than a cluster asks.
 */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * unbound as an authoritative-like local server with the same records: `static` local zones
 * answer NXDOMAIN/NODATA for everything else in them, one thread, no recursion reached.
 */
export function unboundConfig(o: { port: number; dir: string; svcs: SvcRecord[]; ttl: number }): string {
  const lines = [
    "server:",
    "  interface: 127.0.0.1",
    `  port: ${o.port}`,
    "  num-threads: 1",
    "  do-daemonize: no",
    '  username: ""',
    '  chroot: ""',
    `  directory: "${o.dir}"`,
    `  pidfile: "${o.dir}/unbound.pid"`,
    "  use-syslog: no",
    '  logfile: ""',
    "  verbosity: 0",
    '  module-config: "iterator"',
    "  do-ip6: no",
    `  local-zone: "${ZONE}." static`,
  ];
  const reverse = new Set(o.svcs.map((s) => ptrName(s.clusterIP).split(".").slice(2).join(".")));
  for (const z of reverse) lines.push(`  local-zone: "${z}." static`);
  for (const s of o.svcs) {
    const fq = `${s.name}.${s.namespace}.svc.${ZONE}.`;
    lines.push(`  local-data: "${fq} ${o.ttl} IN A ${s.clusterIP}"`);
    lines.push(`  local-data: "_http._tcp.${fq} ${o.ttl} IN SRV 0 100 80 ${fq}"`);
    lines.push(`  local-data-ptr: "${s.clusterIP} ${o.ttl} ${fq}"`);
  }
  lines.push("remote-control:", "  control-enable: no", "");
  return lines.join("\n");
}

export interface PerfResult {
  qps: number;
  sent: number;
  completed: number;
  lost: number;
  rcodes: Record<string, number>;
  /** Per-query latencies in ms (from -v lines), when dnsperf ran verbose. */
  latencies: number[];
}

/** dnsperf's summary, and with -v its "> RCODE name type seconds" lines. */
export function parseDnsperf(out: string): PerfResult {
  const num = (re: RegExp) => {
    const m = re.exec(out);
    if (!m) throw new Error(`dnsperf output lacks ${re}:\n${out.slice(-2000)}`);
    return Number(m[1]);
  };
  const rcodes: Record<string, number> = {};
  const rc = /Response codes:\s+(.*)/.exec(out)?.[1] ?? "";
  for (const m of rc.matchAll(/([A-Z]+) (\d+) \(/g)) rcodes[m[1]] = Number(m[2]);
  const latencies: number[] = [];
  for (const m of out.matchAll(/^> [A-Z]+ \S+ \S+ ([\d.]+)$/gm)) latencies.push(Number(m[1]) * 1000);
  return {
    qps: num(/Queries per second:\s+([\d.]+)/),
    sent: num(/Queries sent:\s+(\d+)/),
    completed: num(/Queries completed:\s+(\d+)/),
    lost: num(/Queries lost:\s+(\d+)/),
    rcodes,
    latencies,
  };
}

export function percentile(values: number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const s = Float64Array.from(values).sort();
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))];
}

/** One core's time in /proc/stat, in clock ticks. */
export interface CoreTicks {
  /** user + nice + system: processes. */
  busy: number;
  /** irq + softirq: the kernel's packet processing, charged to no process. */
  irq: number;
  /** Time the hypervisor ran something else while this core had work. */
  steal: number;
  /** idle + iowait: nothing to run. */
  idle: number;
}

/** The per-core lines of /proc/stat ("cpuN user nice system idle iowait irq softirq steal …"). */
export function parseProcStat(text: string): Map<number, CoreTicks> {
  const cores = new Map<number, CoreTicks>();
  for (const m of text.matchAll(/^cpu(\d+) (.*)$/gm)) {
    const [user, nice, system, idle, iowait, irq, softirq, steal] = m[2].trim().split(/\s+/).map(Number);
    cores.set(Number(m[1]), {
      busy: user + nice + system,
      irq: irq + softirq,
      steal: steal ?? 0,
      idle: idle + iowait,
    });
  }
  return cores;
}

/** Shares (0–1) of a core's time between two readings of /proc/stat. */
export function coreShares(before: CoreTicks, after: CoreTicks): CoreTicks {
  const d = {
    busy: after.busy - before.busy,
    irq: after.irq - before.irq,
    steal: after.steal - before.steal,
    idle: after.idle - before.idle,
  };
  const total = d.busy + d.irq + d.steal + d.idle;
  if (total <= 0) return { busy: 0, irq: 0, steal: 0, idle: 0 };
  return { busy: d.busy / total, irq: d.irq / total, steal: d.steal / total, idle: d.idle / total };
}
