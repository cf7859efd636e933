import { readFileSync, readdirSync } from "node:fs";
import { summarize, report, type CpuProfile } from "./cpuprofile.ts";
const dir = process.argv[2];
const f = readdirSync(dir).find((x) => x.endsWith(".cpuprofile"))!;
const p = JSON.parse(readFileSync(`${dir}/${f}`, "utf8")) as CpuProfile;
// busy share per second
const byId = new Map(p.nodes.map((n) => [n.id, n]));
const busy = new Map<number, number>();
let t = p.startTime;
for (let i = 0; i < p.samples.length; i++) {
  t += p.timeDeltas[i];
  const n = byId.get(p.samples[i])!;
  if (n.callFrame.functionName === "(idle)") continue;
  const s = Math.floor((t - p.startTime) / 1e6);
  busy.set(s, (busy.get(s) ?? 0) + (p.timeDeltas[i + 1] ?? 0));
}
console.log([...busy.entries()].map(([s, v]) => `${s}:${Math.round(v / 1e4)}`).join(" "));
const from = p.startTime + Number(process.argv[3]) * 1e6, to = p.startTime + Number(process.argv[4]) * 1e6;
console.log(report("window", summarize(p, from, to, Number(process.argv[5] ?? 40))));
