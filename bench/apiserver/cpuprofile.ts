/** Summaries of a V8 .cpuprofile (what `node --cpu-prof` writes), split by a time window. */
import { fmt } from "./lib.ts";

export interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
  children?: number[];
}
export interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

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

export interface Summary {
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

export function report(title: string, s: Summary): string {
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
