import { readFileSync, readdirSync } from "node:fs";
import type { CpuProfile } from "./cpuprofile.ts";
const dir = process.argv[2];
const f = readdirSync(dir).find((x) => x.endsWith(".cpuprofile"))!;
const p = JSON.parse(readFileSync(`${dir}/${f}`, "utf8")) as CpuProfile;
const byId = new Map(p.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const nm = (id: number) => { const n = byId.get(id)!; return `${n.callFrame.functionName || "(anon)"} ${n.callFrame.url.replace(/.*\/src\//, "")}`; };
const from = p.startTime + Number(process.env.FROM ?? 5) * 1e6, to = p.startTime + Number(process.env.TO ?? 16) * 1e6;
for (const target of process.argv.slice(3)) {
  const agg = new Map<string, number>();
  let t = p.startTime;
  for (let i = 0; i < p.samples.length; i++) {
    t += p.timeDeltas[i];
    if (t < from || t >= to) continue;
    const leaf = p.samples[i];
    if (!nm(leaf).startsWith(target)) continue;
    const chain: string[] = [];
    for (let id = parent.get(leaf); id !== undefined && chain.length < 3; id = parent.get(id)) chain.push(nm(id));
    const k = chain.join(" < ");
    agg.set(k, (agg.get(k) ?? 0) + (p.timeDeltas[i + 1] ?? 0));
  }
  console.log(`== ${target}`);
  for (const [k, v] of [...agg].sort((a, b) => b[1] - a[1]).slice(0, 6)) console.log(`  ${(v / 1000).toFixed(0)} ms  ${k}`);
}
