/**
 * The whole apiserver benchmark: creates, lists, watch fan-out and memory, each against a fresh
 * apiserver, with the bare Node HTTPS and bare SQLite peers measured in the same run. Prints a
 * Markdown section for bench/RESULTS.md (progress goes to stderr).
 *   node --import tsx bench/apiserver/run.ts [--creates 10000] [--services 10000] [--lists 20]
 *     [--watchers 100] [--writes 1000] [--json FILE]
 */
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { benchCreates, createsReport } from "./creates.ts";
import { fmt, intArg, load, strArg } from "./lib.ts";
import { benchList, listReport } from "./list.ts";
import { benchWatch, watchReport } from "./watch.ts";

const opts = {
  creates: intArg("creates", 10_000),
  concurrency: intArg("concurrency", 64),
  services: intArg("services", 10_000),
  lists: intArg("lists", 20),
  watchers: intArg("watchers", 100),
  writes: intArg("writes", 1000),
};

function gitRev(): string {
  try {
    return execFileSync("git", ["rev-parse", "--short", "HEAD"], { encoding: "utf8" }).trim();
  } catch {
    return "unknown";
  }
}

const started = new Date();
const loadBefore = load();
const t0 = performance.now();
const creates = await benchCreates(opts.creates, opts.concurrency);
const list = await benchList(opts.services, opts.lists);
const watch = await benchWatch(opts.watchers, opts.writes);
const loadAfter = load();
const seconds = (performance.now() - t0) / 1000;

const memory = [
  "| apiserver state | VmRSS MiB |",
  "|---|---|",
  `| idle (fresh, empty store) | ${fmt(list.rssMiB.idle)} |`,
  `| after ${opts.creates} ConfigMaps created | ${fmt(creates.rssMiB.after)} |`,
  `| after ${opts.services} Services created | ${fmt(list.rssMiB.afterServices)} |`,
  `| after the list runs (${opts.services} Services) | ${fmt(list.rssMiB.afterLists)} |`,
  `| max during the fan-out (${opts.watchers} watchers) | ${fmt(watch.rssMiB.maxDuringFanout)} |`,
].join("\n");

const goals = [
  `- ≥ 3,000 creates/s: ${fmt(creates.skiff.perSec, 0)}/s → ${creates.skiff.perSec >= 3000 ? "met" : "**missed**"}`,
  `- ${opts.services}-Service list < 200 ms (JSON p50): ${fmt(list.skiff.jsonMs.p50)} ms → ${
    list.skiff.jsonMs.p50 < 200 ? "met" : "**missed**"
  } (Table p50 ${fmt(list.skiff.tableMs.p50)} ms)`,
];

console.log(
  [
    `## ${started.toISOString().slice(0, 10)} — commit ${gitRev()}`,
    "",
    `Machine: ${cpus().length} cores (${cpus()[0]?.model ?? "unknown CPU"}), Node ${process.version}. ` +
      `Load average (1, 5, 15 min): ${loadBefore} at the start, ${loadAfter} at the end. ` +
      `Whole run: ${fmt(seconds, 0)} s. The bench client runs on the same cores as the server.`,
    "",
    "Goals:",
    ...goals,
    "",
    `### ${createsReport(creates)}`,
    "",
    `### ${listReport(list)}`,
    "",
    `### ${watchReport(watch)}`,
    "",
    "### Memory",
    "",
    memory,
  ].join("\n"),
);

const jsonFile = strArg("json");
if (jsonFile)
  writeFileSync(
    jsonFile,
    JSON.stringify(
      { started, opts, loadBefore, loadAfter, node: process.version, creates, list, watch },
      null,
      2,
    ),
  );
