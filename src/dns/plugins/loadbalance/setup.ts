import { dirname, isAbsolute, resolve } from "node:path";
import type { Packet } from "dns-packet";
import { parseDuration } from "../../corefile/duration.ts";
import type { PluginModule } from "../../plugin.ts";
import { loadbalance, type Reorder } from "./loadbalance.ts";
import { parseCIDR, preferSubnets, roundRobin, type Subnet, weighted } from "./shuffle.ts";
import { WeightFile } from "./weights.ts";

/**
 * `loadbalance [round_robin | weighted WEIGHTFILE { reload DURATION }] { prefer CIDR… }`
 * (plugin/loadbalance/setup.go).
 */
const mod: PluginModule = {
  name: "loadbalance",
  setup(ctx) {
    const d = ctx.dispenser;
    let reorder: Reorder = roundRobinMsg;
    const prefer: Subnet[] = [];
    while (d.next()) {
      const args = d.remainingArgs();
      if (args.length > 0 && args[0] === "round_robin") {
        if (args.length > 1) throw d.err(`unknown property for ${args[0]}`);
      } else if (args.length > 0 && args[0] === "weighted") {
        if (args.length < 2) throw d.err("missing weight file argument");
        if (args.length > 2) throw d.err("unexpected argument(s)");
        const file = isAbsolute(args[1]) ? args[1] : resolve(dirname(ctx.corefilePath), args[1]);
        let reloadMs = 30_000;
        while (d.nextBlock()) {
          if (d.val() !== "reload") throw d.unknownProperty();
          const t = d.remainingArgs();
          if (t.length < 1) throw d.err("reload duration value is missing");
          if (t.length > 1) throw d.err("unexpected argument");
          try {
            reloadMs = parseDuration(t[0]);
          } catch {
            throw d.err(`invalid reload duration '${t[0]}'`);
          }
        }
        const wf = new WeightFile(file, reloadMs, ctx.log);
        ctx.onStartup(() => wf.start());
        ctx.onShutdown(() => wf.stop());
        reorder = (m) => weightedMsg(m, wf);
      } else if (args.length > 0) {
        throw new Error(`unknown policy: ${args[0]}`);
      }
      while (d.nextBlock()) {
        if (d.val() !== "prefer") throw d.unknownProperty();
        for (const cidr of d.remainingArgs()) {
          try {
            prefer.push(parseCIDR(cidr));
          } catch (err) {
            throw d.err(`invalid CIDR "${cidr}": ${(err as Error).message}`);
          }
        }
      }
    }
    if (prefer.length > 0) {
      const base = reorder;
      reorder = (m) => {
        const out = base(m);
        return {
          ...out,
          answers: preferSubnets(out.answers, prefer),
          additionals: preferSubnets(out.additionals, prefer),
        };
      };
    }
    // Plain round_robin is a shuffle of like records that reply templates can repeat.
    return loadbalance(reorder, reorder === roundRobinMsg);
  },
};
export default mod;

function roundRobinMsg(m: Packet): Packet {
  return {
    ...m,
    answers: roundRobin(m.answers),
    authorities: roundRobin(m.authorities),
    additionals: roundRobin(m.additionals),
  };
}

/** Weighted applies to A, AAAA and SRV questions, in the answer and additional sections. */
function weightedMsg(m: Packet, wf: WeightFile): Packet {
  const qt = m.questions?.[0]?.type;
  if (qt !== "A" && qt !== "AAAA" && qt !== "SRV") return m;
  return { ...m, answers: weighted(m.answers, wf.weights), additionals: weighted(m.additionals, wf.weights) };
}
