/**
 * Watch fan-out: W watchers on services in one namespace, then M updates (PUT with the object's
 * resourceVersion, one after another). For each write: the time from its response (and from its
 * send) until the event reached all W watchers; every watcher must get every event exactly once.
 * The same pattern then runs against the bare Node HTTPS peer, which fans a static event out.
 *   node --import tsx bench/apiserver/watch.ts [--watchers W] [--writes M]
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { benchNamespace, ensureNamespace } from "./creates.ts";
import {
  type Apiserver,
  Client,
  cpuMs,
  type Endpoint,
  expectStatus,
  fmt,
  intArg,
  load,
  type Peer,
  phaseDeadlineMs,
  removeDir,
  rssMiB,
  type Stats,
  sampleRss,
  startApiserver,
  startPeer,
  stats,
  tempDir,
  until,
} from "./lib.ts";
import { createServices } from "./list.ts";

/** Services the writes go round-robin over. */
const objects = 100;

export interface FanoutRun {
  writes: number;
  seconds: number;
  writeMs: Stats;
  /** From the write's response to the event at the last of the W watchers (0 = already there). */
  responseToAllMs: Stats;
  /** From sending the write to the event at the last of the W watchers. */
  sendToAllMs: Stats;
  delivered: number;
  /** Server CPU (user + system) per write including its fan-out, ms. */
  serverCpuMs: number;
}

export interface WatchResult {
  watchers: number;
  writes: number;
  skiff: FanoutRun;
  peer: FanoutRun;
  rssMiB: { beforeWatchers: number; maxDuringFanout: number };
}

interface ObjectMeta {
  metadata: { name: string; resourceVersion: string; labels?: Record<string, string> };
}

async function fanout(
  ep: Endpoint,
  serverPid: number,
  watchers: number,
  writes: number,
  start: { listRV: string; objects: Array<ObjectMeta & Record<string, unknown>> },
): Promise<FanoutRun> {
  const arrivals = new Map<string, { count: number; at: number }>();
  let delivered = 0;
  const problems: string[] = [];
  const wc = new Client(ep, watchers + 1);
  const streams = Array.from({ length: watchers }, () =>
    wc.stream(
      `/api/v1/namespaces/${benchNamespace}/services?watch=1&resourceVersion=${start.listRV}`,
      (line) => {
        const ev = JSON.parse(line) as { type: string; object: ObjectMeta };
        if (ev.type !== "MODIFIED") {
          problems.push(`unexpected ${ev.type} event: ${line.slice(0, 200)}`);
          return;
        }
        const rv = ev.object.metadata.resourceVersion;
        const a = arrivals.get(rv) ?? { count: 0, at: 0 };
        a.count++;
        a.at = performance.now();
        arrivals.set(rv, a);
        delivered++;
      },
    ),
  );
  const c = new Client(ep, 1);
  const sent: Array<{ rv: string; send: number; resp: number }> = [];
  try {
    const codes = await Promise.all(streams.map((s) => s.connected));
    if (codes.some((s) => s !== 200)) throw new Error(`watch answered ${codes.find((s) => s !== 200)}`);
    const current = start.objects.map((o) => structuredClone(o));
    const cpu0 = cpuMs(serverPid);
    const t0 = performance.now();
    for (let i = 0; i < writes && performance.now() < t0 + phaseDeadlineMs; i++) {
      const o = current[i % current.length];
      o.metadata.labels = { ...o.metadata.labels, write: String(i) };
      const send = performance.now();
      const r = await c.request("PUT", `/api/v1/namespaces/${benchNamespace}/services/${o.metadata.name}`, o);
      const resp = performance.now();
      expectStatus(r, 200, `update ${o.metadata.name}`);
      o.metadata.resourceVersion = (JSON.parse(r.body) as ObjectMeta).metadata.resourceVersion;
      sent.push({ rv: o.metadata.resourceVersion, send, resp });
    }
    const want = sent.length * watchers;
    await until(
      `${want} events at ${watchers} watchers (have ${delivered})`,
      () => delivered >= want,
      30_000,
    );
    const seconds = (performance.now() - t0) / 1000;
    const serverCpuMs = (cpuMs(serverPid) - cpu0) / sent.length;
    if (problems.length) throw new Error(problems.slice(0, 3).join("\n"));
    const respToAll: number[] = [];
    const sendToAll: number[] = [];
    const wrote = stats(sent.map((s) => s.resp - s.send));
    for (const s of sent) {
      const a = arrivals.get(s.rv);
      if (!a || a.count !== watchers)
        throw new Error(`write at revision ${s.rv} reached ${a?.count ?? 0} of ${watchers} watchers`);
      respToAll.push(Math.max(0, a.at - s.resp));
      sendToAll.push(a.at - s.send);
    }
    if (delivered !== want) throw new Error(`${delivered} events delivered, want exactly ${want}`);
    return {
      writes: sent.length,
      seconds,
      writeMs: wrote,
      responseToAllMs: stats(respToAll),
      sendToAllMs: stats(sendToAll),
      delivered,
      serverCpuMs,
    };
  } finally {
    for (const s of streams) s.close();
    wc.close();
    c.close();
  }
}

export async function benchWatch(
  watchers: number,
  writes: number,
  log = console.error,
): Promise<WatchResult> {
  let api: Apiserver | undefined;
  let peer: Peer | undefined;
  const dir = tempDir("skiff-bench-watch-");
  try {
    api = await startApiserver();
    const c = new Client(api.endpoint, 4);
    await ensureNamespace(c);
    await createServices(api.endpoint, objects);
    const r = await c.request("GET", `/api/v1/namespaces/${benchNamespace}/services`);
    c.close();
    expectStatus(r, 200, "list services");
    const list = JSON.parse(r.body) as {
      metadata: { resourceVersion: string };
      items: Array<ObjectMeta & Record<string, unknown>>;
    };
    const start = { listRV: list.metadata.resourceVersion, objects: list.items };
    const beforeWatchers = rssMiB(api.pid);
    log(`watch: skiff, ${watchers} watchers, ${writes} writes (load ${load()})`);
    const rss = sampleRss(api.pid);
    const skiff = await fanout(api.endpoint, api.pid, watchers, writes, start);
    const maxDuringFanout = rss.stop();

    const putBody = join(dir, "put.json");
    writeFileSync(
      putBody,
      JSON.stringify(list.items[0]).replace(/"resourceVersion":"\d+"/, '"resourceVersion":"RV"'),
    );
    const routes = join(dir, "routes.json");
    writeFileSync(routes, JSON.stringify({ put: putBody }));
    peer = await startPeer(api.dataDir, api.endpoint.ca, routes);
    await api.stop();
    api = undefined;
    log(`watch: peer (load ${load()})`);
    const peerRun = await fanout(peer.endpoint, peer.pid, watchers, writes, start);
    return { watchers, writes, skiff, peer: peerRun, rssMiB: { beforeWatchers, maxDuringFanout } };
  } finally {
    await api?.stop();
    await peer?.stop();
    removeDir(dir);
  }
}

export function watchReport(r: WatchResult): string {
  const row = (name: string, x: FanoutRun) =>
    `| ${name} | ${x.writes} | ${x.delivered} | ${fmt(x.writes / x.seconds, 0)} | ${fmt(x.writeMs.p50)} | ${fmt(
      x.responseToAllMs.p50,
    )} | ${fmt(x.responseToAllMs.p99)} | ${fmt(x.sendToAllMs.p50)} | ${fmt(x.sendToAllMs.p99)} | ${fmt(x.serverCpuMs, 2)} |`;
  return [
    `Watch fan-out: ${r.watchers} watchers on services, ${r.writes} sequential updates (PUT with resourceVersion) over ${objects} Services`,
    "",
    "| target | writes | events delivered | writes/s | write p50 ms | response→all p50 ms | response→all p99 ms | send→all p50 ms | send→all p99 ms | server CPU ms/write |",
    "|---|---|---|---|---|---|---|---|---|---|",
    row("skiff apiserver (sqlite)", r.skiff),
    row("bare Node HTTPS (static event)", r.peer),
    "",
    `Every watcher got every event exactly once: ${r.skiff.delivered} = ${r.watchers} × ${r.skiff.writes}. ` +
      `Skiff / bare Node (send→all p50): ${fmt(r.skiff.sendToAllMs.p50 / r.peer.sendToAllMs.p50, 1)}×; ` +
      `writes/s ratio: ${fmt(r.skiff.writes / r.skiff.seconds / (r.peer.writes / r.peer.seconds), 3)}; ` +
      `server CPU per write and fan-out: ${fmt(r.skiff.serverCpuMs / r.peer.serverCpuMs, 1)}× the bare Node peer's.`,
  ].join("\n");
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const r = await benchWatch(intArg("watchers", 100), intArg("writes", 1000));
  console.log(watchReport(r));
  console.log(
    `\nRSS of the apiserver: before the watchers ${fmt(r.rssMiB.beforeWatchers)} MiB, max during the fan-out ${fmt(r.rssMiB.maxDuringFanout)} MiB`,
  );
}
