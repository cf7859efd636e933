/**
 * Where the apiserver's time goes: one apiserver under `node --cpu-prof`, driven through the
 * creates pattern and then the list pattern; the profile's samples are split by phase (V8's
 * profile clock and process.hrtime are both the monotonic clock) and summed by function (self
 * time), by function with callees (inclusive) and by source file.
 *   node --import tsx bench/apiserver/profile.ts [--creates 5000] [--services 10000] [--lists 20] [--top 15]
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { benchNamespace, ensureNamespace } from "./creates.ts";
import {
  Client,
  expectStatus,
  fmt,
  intArg,
  load,
  removeDir,
  runPool,
  startApiserver,
  tempDir,
} from "./lib.ts";
import { createServices, tableAccept } from "./list.ts";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

const nowUs = () => Number(process.hrtime.bigint() / 1000n);
const root = new URL("../..", import.meta.url).href;

function frameName(n: ProfileNode): string {
  const f = n.callFrame;
  const url = f.url.startsWith(root)
    ? f.url.slice(root.length)
    : f.url.replace(/^file:\/\/.*node_modules\//, "");
  const fn = f.functionName || (url ? "(anonymous)" : "(native)");
  // tsx compiles without keeping lines, so a function and its file name a frame, not a line.
  return url ? `${fn} ${url}` : fn;
}

function fileOf(n: ProfileNode): string {
  const u = n.callFrame.url;
  if (!u) return n.callFrame.functionName;
  if (u.startsWith(root)) return u.slice(root.length);
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(u);
  return nm ? `node_modules/${nm[1]}` : u;
}

interface Summary {
  ms: number;
  self: Array<[string, number]>;
  inclusive: Array<[string, number]>;
  files: Array<[string, number]>;
}

/** Sum sample time in [from, to) (µs, monotonic) by function, function + callees, and file. */
export function summarize(p: CpuProfile, from: number, to: number, top: number): Summary {
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const self = new Map<string, number>();
  const incl = new Map<string, number>();
  const files = new Map<string, number>();
  let t = p.startTime;
  let total = 0;
  for (let i = 0; i < p.samples.length; i++) {
    t += p.timeDeltas[i];
    const dt = p.timeDeltas[i + 1] ?? 0;
    if (t < from || t >= to || dt <= 0) continue;
    const leaf = byId.get(p.samples[i]);
    if (!leaf) continue;
    const name = frameName(leaf);
    if (name === "(idle)") continue;
    total += dt;
    self.set(name, (self.get(name) ?? 0) + dt);
    files.set(fileOf(leaf), (files.get(fileOf(leaf)) ?? 0) + dt);
    const seen = new Set<string>();
    for (let id: number | undefined = leaf.id; id !== undefined; id = parent.get(id)) {
      const node = byId.get(id);
      if (!node) break;
      const k = frameName(node);
      if (seen.has(k) || k === "(root)") continue;
      seen.add(k);
      incl.set(k, (incl.get(k) ?? 0) + dt);
    }
  }
  const sorted = (m: Map<string, number>) =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([k, v]) => [k, v / 1000] as [string, number]);
  return { ms: total / 1000, self: sorted(self), inclusive: sorted(incl), files: sorted(files) };
}

function report(title: string, s: Summary): string {
  const pct = (v: number) => `${fmt((100 * v) / s.ms)} %`;
  const table = (head: string, rows: Array<[string, number]>) => [
    `| ${head} | ms | share |`,
    "|---|---|---|",
    ...rows.map(([k, v]) => `| \`${k.replaceAll("|", "\\|")}\` | ${fmt(v, 0)} | ${pct(v)} |`),
  ];
  return [
    `#### ${title}: ${fmt(s.ms, 0)} ms of apiserver CPU samples (idle excluded)`,
    "",
    ...table("self time: function", s.self),
    "",
    ...table("self time: file", s.files),
    "",
    ...table("inclusive time (with callees): function", s.inclusive),
  ].join("\n");
}

const top = intArg("top", 15);
const creates = intArg("creates", 5000);
const services = intArg("services", 10_000);
const lists = intArg("lists", 20);
const profDir = tempDir("skiff-bench-prof-");
const api = await startApiserver({ cpuProfDir: profDir });
let windows: { creates: [number, number]; lists: [number, number] };
try {
  console.error(
    `profile: ${creates} creates, ${services} services, ${lists} lists of each kind (load ${load()})`,
  );
  const c = new Client(api.endpoint, 64);
  await ensureNamespace(c);
  const cStart = nowUs();
  await runPool(creates, 64, performance.now() + 120_000, async (i) => {
    const r = await c.request("POST", `/api/v1/namespaces/${benchNamespace}/configmaps`, {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: `cm-${i}`, labels: { app: "bench" } },
      data: { "app.properties": `index=${i}\n` },
    });
    expectStatus(r, 201, "create");
  });
  const cEnd = nowUs();
  await createServices(api.endpoint, services);
  const lStart = nowUs();
  for (let i = 0; i < lists; i++) {
    expectStatus(await c.request("GET", `/api/v1/namespaces/${benchNamespace}/services`), 200, "list");
    expectStatus(
      await c.request("GET", `/api/v1/namespaces/${benchNamespace}/services`, undefined, {
        Accept: tableAccept,
      }),
      200,
      "table",
    );
  }
  windows = { creates: [cStart, cEnd], lists: [lStart, nowUs()] };
  c.close();
} finally {
  // Keep the data dir removal after the profile is written: stop() waits for the exit.
  await api.stop();
}
try {
  // The main thread's profile is the one with the most samples (tsx's loader thread writes one too).
  const files = readdirSync(profDir)
    .filter((f) => f.endsWith(".cpuprofile"))
    .map((f) => join(profDir, f))
    .sort((a, b) => statSync(b).size - statSync(a).size);
  if (files.length === 0) throw new Error(`no .cpuprofile written in ${profDir}`);
  const prof = JSON.parse(readFileSync(files[0], "utf8")) as CpuProfile;
  console.log(
    report(`Creates (${creates} ConfigMaps, concurrency 64)`, summarize(prof, ...windows.creates, top)),
  );
  console.log("");
  console.log(
    report(
      `Lists (${lists} JSON + ${lists} Table full lists of ${services} Services)`,
      summarize(prof, ...windows.lists, top),
    ),
  );
} finally {
  removeDir(profDir);
}
