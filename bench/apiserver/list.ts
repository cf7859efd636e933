/**
 * List latency with S Services in one namespace: full lists as JSON and as Table, and paginated
 * walks (limit=500), against a fresh apiserver; then the very same URLs against the bare Node
 * HTTPS peer serving the bodies the apiserver returned.
 *   node --import tsx bench/apiserver/list.ts [--services S] [--lists L]
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
  runPool,
  type Stats,
  startApiserver,
  startPeer,
  stats,
  tempDir,
} from "./lib.ts";

export const tableAccept = "application/json;as=Table;v=v1;g=meta.k8s.io";
const pageLimit = 500;

export interface ListRun {
  jsonMs: Stats;
  tableMs: Stats;
  /** One request of a paginated walk. */
  pageMs: Stats;
  /** A whole paginated walk (S / 500 requests). */
  walkMs: Stats;
  jsonBytes: number;
  tableBytes: number;
  /** Server CPU (user + system) per request, ms: JSON list, Table list, one page. */
  serverCpuMs: { json: number; table: number; page: number };
}

export interface ListResult {
  services: number;
  lists: number;
  createSeconds: number;
  skiff: ListRun;
  peer: ListRun;
  rssMiB: { idle: number; afterServices: number; afterLists: number };
}

export const service = (i: number, extraLabels: Record<string, string> = {}) => ({
  apiVersion: "v1",
  kind: "Service",
  metadata: { name: `svc-${i}`, labels: { app: `app-${i % 100}`, ...extraLabels } },
  spec: { selector: { app: `app-${i % 100}` }, ports: [{ name: "http", port: 80, targetPort: 8080 }] },
});

/** Create services svc-0 … svc-(n-1) at concurrency 64; every answer must be 201. */
export async function createServices(ep: Endpoint, n: number): Promise<number> {
  const c = new Client(ep, 64);
  const t0 = performance.now();
  try {
    const done = await runPool(n, 64, t0 + phaseDeadlineMs * 2, async (i) => {
      const r = await c.request("POST", `/api/v1/namespaces/${benchNamespace}/services`, service(i));
      expectStatus(r, 201, `create svc-${i}`);
    });
    if (done !== n) throw new Error(`only ${done} of ${n} services created before the deadline`);
    return (performance.now() - t0) / 1000;
  } finally {
    c.close();
  }
}

interface Captured {
  json?: string;
  table?: string;
  pages: Array<{ url: string; body: string }>;
}

const listPath = `/api/v1/namespaces/${benchNamespace}/services`;

/** The list pattern: L JSON lists, L Table lists, L paginated walks, each after one warm-up. */
async function listPattern(
  ep: Endpoint,
  serverPid: number,
  services: number,
  lists: number,
  capture?: Captured,
): Promise<ListRun> {
  const c = new Client(ep, 1);
  const json: number[] = [];
  const table: number[] = [];
  const page: number[] = [];
  const walk: number[] = [];
  let jsonBytes = 0;
  let tableBytes = 0;
  const cpu = { json: 0, table: 0, page: 0 };
  // CPU from the end of the warm-up request to the end of the last one, per request.
  let cpu0 = 0;
  try {
    for (let i = 0; i <= lists; i++) {
      if (i === 1) cpu0 = cpuMs(serverPid);
      const r = await c.request("GET", listPath);
      expectStatus(r, 200, "list");
      if (i > 0) json.push(r.ms);
      jsonBytes = r.body.length;
      if (i === 0) {
        const n = (JSON.parse(r.body) as { items: unknown[] }).items.length;
        if (n !== services) throw new Error(`list returned ${n} items, want ${services}`);
        if (capture) capture.json = r.body;
      }
    }
    cpu.json = (cpuMs(serverPid) - cpu0) / lists;
    for (let i = 0; i <= lists; i++) {
      if (i === 1) cpu0 = cpuMs(serverPid);
      const r = await c.request("GET", listPath, undefined, { Accept: tableAccept });
      expectStatus(r, 200, "table list");
      if (i > 0) table.push(r.ms);
      tableBytes = r.body.length;
      if (i === 0) {
        const t = JSON.parse(r.body) as { kind: string; rows: unknown[] };
        if (t.kind !== "Table" || t.rows.length !== services)
          throw new Error(
            `table list returned ${t.kind} with ${t.rows?.length} rows, want Table with ${services}`,
          );
        if (capture) capture.table = r.body;
      }
    }
    cpu.table = (cpuMs(serverPid) - cpu0) / lists;
    for (let i = 0; i <= lists; i++) {
      if (i === 1) cpu0 = cpuMs(serverPid);
      const t0 = performance.now();
      let url = `${listPath}?limit=${pageLimit}`;
      let total = 0;
      for (;;) {
        const r = await c.request("GET", url);
        expectStatus(r, 200, "paginated list");
        if (i > 0) page.push(r.ms);
        if (i === 0 && capture) capture.pages.push({ url, body: r.body });
        const l = JSON.parse(r.body) as { items: unknown[]; metadata: { continue?: string } };
        total += l.items.length;
        if (!l.metadata.continue) break;
        url = `${listPath}?limit=${pageLimit}&continue=${encodeURIComponent(l.metadata.continue)}`;
      }
      if (total !== services) throw new Error(`paginated walk saw ${total} items, want ${services}`);
      if (i > 0) walk.push(performance.now() - t0);
    }
    cpu.page = (cpuMs(serverPid) - cpu0) / page.length;
  } finally {
    c.close();
  }
  return {
    jsonMs: stats(json),
    tableMs: stats(table),
    pageMs: stats(page),
    walkMs: stats(walk),
    jsonBytes,
    tableBytes,
    serverCpuMs: cpu,
  };
}

/** Files and routes for the peer: the same URL + Accept answers the same bytes. */
function peerRoutes(dir: string, cap: Captured): string {
  const get: Record<string, string> = {};
  const put = (key: string, body: string) => {
    const f = join(dir, `body-${Object.keys(get).length}.json`);
    writeFileSync(f, body);
    get[key] = f;
  };
  put(`${listPath}\napplication/json`, cap.json ?? "");
  put(`${listPath}\n${tableAccept}`, cap.table ?? "");
  for (const p of cap.pages) put(`${p.url}\napplication/json`, p.body);
  const routes = join(dir, "routes.json");
  writeFileSync(routes, JSON.stringify({ get }));
  return routes;
}

export async function benchList(services: number, lists: number, log = console.error): Promise<ListResult> {
  let api: Apiserver | undefined;
  let peer: Peer | undefined;
  const dir = tempDir("skiff-bench-list-");
  try {
    api = await startApiserver();
    const c = new Client(api.endpoint, 4);
    await ensureNamespace(c);
    c.close();
    const idle = rssMiB(api.pid);
    log(`list: creating ${services} services (load ${load()})`);
    const createSeconds = await createServices(api.endpoint, services);
    const afterServices = rssMiB(api.pid);
    log(`list: skiff, ${lists} lists of each kind (load ${load()})`);
    const cap: Captured = { pages: [] };
    const skiff = await listPattern(api.endpoint, api.pid, services, lists, cap);
    const afterLists = rssMiB(api.pid);
    peer = await startPeer(api.dataDir, api.endpoint.ca, peerRoutes(dir, cap));
    await api.stop();
    api = undefined;
    log(`list: peer (load ${load()})`);
    const peerRun = await listPattern(peer.endpoint, peer.pid, services, lists);
    return {
      services,
      lists,
      createSeconds,
      skiff,
      peer: peerRun,
      rssMiB: { idle, afterServices, afterLists },
    };
  } finally {
    await api?.stop();
    await peer?.stop();
    removeDir(dir);
  }
}

export function listReport(r: ListResult): string {
  const ratio = (a: Stats, b: Stats) => fmt(a.p50 / b.p50, 1);
  const row = (what: string, s: Stats, p: Stats, sc?: number, pc?: number) =>
    `| ${what} | ${fmt(s.p50)} | ${fmt(s.p99)} | ${fmt(p.p50)} | ${fmt(p.p99)} | ${ratio(s, p)}× | ${
      sc === undefined ? "" : fmt(sc)
    } | ${pc === undefined ? "" : fmt(pc)} |`;
  const sc = r.skiff.serverCpuMs;
  const pc = r.peer.serverCpuMs;
  return [
    `List: ${r.services} Services in one namespace (created in ${fmt(r.createSeconds)} s = ${fmt(
      r.services / r.createSeconds,
      0,
    )}/s at concurrency 64); ${r.lists} requests each, after one warm-up`,
    "",
    "| request | skiff p50 ms | skiff p99 ms | bare Node p50 ms | bare Node p99 ms | skiff / bare Node (p50) | skiff server CPU ms/req | bare Node server CPU ms/req |",
    "|---|---|---|---|---|---|---|---|",
    row(
      `full list, JSON (${fmt(r.skiff.jsonBytes / 1048576, 2)} MiB)`,
      r.skiff.jsonMs,
      r.peer.jsonMs,
      sc.json,
      pc.json,
    ),
    row(
      `full list, Table (${fmt(r.skiff.tableBytes / 1048576, 2)} MiB)`,
      r.skiff.tableMs,
      r.peer.tableMs,
      sc.table,
      pc.table,
    ),
    row("one page, limit=500", r.skiff.pageMs, r.peer.pageMs, sc.page, pc.page),
    row(`whole paginated walk (${Math.ceil(r.services / pageLimit)} pages)`, r.skiff.walkMs, r.peer.walkMs),
    "",
    `Goal: a ${r.services}-Service list in < 200 ms: JSON p50 ${fmt(r.skiff.jsonMs.p50)} ms → ${
      r.skiff.jsonMs.p50 < 200 ? "met" : "MISSED"
    }; Table p50 ${fmt(r.skiff.tableMs.p50)} ms → ${r.skiff.tableMs.p50 < 200 ? "met" : "MISSED"}.`,
  ].join("\n");
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const r = await benchList(intArg("services", 10_000), intArg("lists", 20));
  console.log(listReport(r));
  const m = r.rssMiB;
  console.log(
    `\nRSS of the apiserver: idle ${fmt(m.idle)} MiB, after ${r.services} Services ${fmt(m.afterServices)} MiB, after the lists ${fmt(m.afterLists)} MiB`,
  );
}
