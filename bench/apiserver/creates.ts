/**
 * Creates per second: N ConfigMaps POSTed with a fixed concurrency over HTTPS keep-alive, against
 * a fresh apiserver, then the same requests against the bare Node HTTPS peer, and the same rows
 * into bare SQLite.   node --import tsx bench/apiserver/creates.ts [--creates N] [--concurrency C]
 */
import { pathToFileURL } from "node:url";
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
  rssMiB,
  runPool,
  type Stats,
  startApiserver,
  startPeer,
  stats,
} from "./lib.ts";
import { benchSqlite, type SqliteCeiling } from "./sqlite-ceiling.ts";

export const benchNamespace = "bench";

export interface CreateRun {
  done: number;
  seconds: number;
  perSec: number;
  latencyMs: Stats;
  /** CPU the server process used per create (user + system), µs. */
  serverCpuUs: number;
}

export interface CreatesResult {
  n: number;
  concurrency: number;
  skiff: CreateRun;
  peer: CreateRun;
  sqlite: SqliteCeiling;
  rssMiB: { idle: number; after: number };
}

const configMap = (i: number) => ({
  apiVersion: "v1",
  kind: "ConfigMap",
  metadata: { name: `cm-${i}`, labels: { app: "bench", shard: String(i % 16) } },
  data: { "app.properties": `index=${i}\nmode=bench\n`, owner: "skiff-bench" },
});

export async function ensureNamespace(c: Client): Promise<void> {
  const r = await c.request("POST", "/api/v1/namespaces", {
    apiVersion: "v1",
    kind: "Namespace",
    metadata: { name: benchNamespace },
  });
  expectStatus(r, 201, "create namespace");
}

/** POST n ConfigMaps named cm-<offset+i>; every answer must be 201. */
async function postMany(
  ep: Endpoint,
  n: number,
  concurrency: number,
  offset: number,
  serverPid: number,
  keep?: (name: string, body: string) => void,
): Promise<CreateRun> {
  const c = new Client(ep, concurrency);
  const lat: number[] = [];
  const cpu0 = cpuMs(serverPid);
  const t0 = performance.now();
  try {
    const done = await runPool(n, concurrency, t0 + phaseDeadlineMs, async (i) => {
      const r = await c.request(
        "POST",
        `/api/v1/namespaces/${benchNamespace}/configmaps`,
        configMap(offset + i),
      );
      expectStatus(r, 201, `create cm-${offset + i}`);
      lat.push(r.ms);
      keep?.(`cm-${offset + i}`, r.body);
    });
    const seconds = (performance.now() - t0) / 1000;
    const serverCpuUs = ((cpuMs(serverPid) - cpu0) * 1000) / done;
    return { done, seconds, perSec: done / seconds, latencyMs: stats(lat), serverCpuUs };
  } finally {
    c.close();
  }
}

export async function benchCreates(
  n: number,
  concurrency: number,
  log = console.error,
): Promise<CreatesResult> {
  const warm = Math.min(200, n);
  let api: Apiserver | undefined;
  let peer: Peer | undefined;
  try {
    api = await startApiserver();
    const c = new Client(api.endpoint, 4);
    await ensureNamespace(c);
    c.close();
    const idle = rssMiB(api.pid);
    // Warm-up (JIT, TLS sessions) with other names; the same warm-up runs against the peer.
    await postMany(api.endpoint, warm, concurrency, n, api.pid);
    log(`creates: skiff ${n} at concurrency ${concurrency} (load ${load()})`);
    const rows: Array<[string, string]> = [];
    const skiff = await postMany(api.endpoint, n, concurrency, 0, api.pid, (name, body) =>
      rows.push([`/configmaps/${benchNamespace}/${name}`, body]),
    );
    const after = rssMiB(api.pid);
    // The peer reads the apiserver's certificate at start; then the apiserver goes away.
    peer = await startPeer(api.dataDir, api.endpoint.ca);
    await api.stop();
    api = undefined;
    await postMany(peer.endpoint, warm, concurrency, n, peer.pid);
    log(`creates: peer (load ${load()})`);
    const peerRun = await postMany(peer.endpoint, n, concurrency, 0, peer.pid);
    await peer.stop();
    peer = undefined;
    log("creates: bare sqlite");
    const sqlite = benchSqlite(rows);
    return { n, concurrency, skiff, peer: peerRun, sqlite, rssMiB: { idle, after } };
  } finally {
    await api?.stop();
    await peer?.stop();
  }
}

export function createsReport(r: CreatesResult): string {
  const row = (name: string, x: CreateRun) =>
    `| ${name} | ${x.done} | ${fmt(x.perSec, 0)} | ${fmt(x.latencyMs.p50)} | ${fmt(x.latencyMs.p99)} | ${fmt(
      x.serverCpuUs,
      0,
    )} | ${fmt(1e6 / x.serverCpuUs, 0)} |`;
  return [
    `Creates: ${r.n} ConfigMaps, concurrency ${r.concurrency}, HTTPS keep-alive`,
    "",
    "| target | done | creates/s | p50 ms | p99 ms | server CPU µs/create | creates per server CPU-second |",
    "|---|---|---|---|---|---|---|",
    row("skiff apiserver (sqlite)", r.skiff),
    row("bare Node HTTPS (static JSON)", r.peer),
    `| bare SQLite inserts, 1 tx each | ${r.sqlite.rows} | ${fmt(r.sqlite.insertsPerSec, 0)} | | | ${fmt(
      1e6 / r.sqlite.insertsPerSec,
      0,
    )} (wall) | |`,
    `| bare SQLite inserts, 1 tx total | ${r.sqlite.rows} | ${fmt(r.sqlite.batchedInsertsPerSec, 0)} | | | ${fmt(
      1e6 / r.sqlite.batchedInsertsPerSec,
      1,
    )} (wall) | |`,
    "",
    `Skiff / bare Node HTTPS: ${fmt(r.skiff.perSec / r.peer.perSec, 3)} in creates/s, ${fmt(
      r.peer.serverCpuUs / r.skiff.serverCpuUs,
      3,
    )} in creates per server CPU-second. Skiff / bare SQLite (1 tx each): ${fmt(r.skiff.perSec / r.sqlite.insertsPerSec, 3)}. ` +
      `Goal ≥ 3000 creates/s: ${r.skiff.perSec >= 3000 ? "met" : "MISSED"}.`,
  ].join("\n");
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const r = await benchCreates(intArg("creates", 10_000), intArg("concurrency", 64));
  console.log(createsReport(r));
  console.log(
    `\nRSS of the apiserver: idle ${fmt(r.rssMiB.idle)} MiB, after the creates ${fmt(r.rssMiB.after)} MiB`,
  );
}
