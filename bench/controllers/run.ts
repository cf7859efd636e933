/**
 * `npm run bench:controllers`: the endpoint controllers at 10,000 Services × 3 pods (see
 * bench.ts). Prints a Markdown section for RESULTS.md; progress goes to stderr.
 *
 *   node --import tsx bench/controllers/run.ts [--quick] [--services N] [--pods-per-service P]
 *     [--namespaces K] [--nodes M] [--flips F] [--deadline-s 240] [--json out.json]
 *
 * --deadline-s bounds seeding and the cold start, each (raise it on a loaded machine).
 *
 * --quick: 1,000 Services (about a minute on 2 cores).
 */
import { cpus } from "node:os";
import { intArg, strArg } from "../apiserver/lib.ts";
import { benchControllers, controllersReport, defaults, saveJson } from "./bench.ts";

const quick = process.argv.includes("--quick");
const opts = {
  ...defaults,
  services: intArg("services", quick ? 1000 : defaults.services),
  podsPerService: intArg("pods-per-service", defaults.podsPerService),
  namespaces: intArg("namespaces", quick ? 10 : defaults.namespaces),
  nodes: intArg("nodes", quick ? 10 : defaults.nodes),
  flips: intArg("flips", defaults.flips),
  deadlineMs: intArg("deadline-s", defaults.deadlineMs / 1000) * 1000,
};
const log = (m: string) => console.error(`[bench:controllers] ${m}`);
const started = performance.now();
const r = await benchControllers(opts, log);
const json = strArg("json");
if (json) saveJson(json, r);
const cpu = cpus();
console.log(
  [
    `Machine: ${cpu.length} cores (${cpu[0]?.model.trim() ?? "unknown"}), Node ${process.version}, ${process.platform}. Run took ${((performance.now() - started) / 1000).toFixed(0)} s.`,
    "",
    controllersReport(r),
  ].join("\n"),
);
