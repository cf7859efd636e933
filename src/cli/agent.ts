/** `skiff agent`: one node — registers the Node and runs the pods bound to it. */
import { untilSignal } from "./apiserver.ts";
import { clientFor, startNodeAgent } from "./components.ts";
import { type FlagSpec, helpText, parseFlags, UsageError } from "./flags.ts";

export const agentFlags: FlagSpec = {
  kubeconfig: { type: "string", help: "kubeconfig of the apiserver (required)" },
  runtime: { type: "string", default: "simulated", help: "simulated (pods get IPs, no processes) or netns" },
  "node-name": { type: "string", help: "the Node's name (default: this host's name)" },
  "pod-cidr": { type: "string", default: "10.244.0.0/24", help: "this node's pod CIDR (a,b for dual-stack)" },
  help: { type: "boolean", help: "show this help" },
};

export async function agentCommand(argv: string[]): Promise<void> {
  const values = parseFlags(argv, agentFlags, "agent");
  if (values.help) {
    console.log(helpText("agent", "Run a node: register it and run the pods bound to it.", agentFlags));
    return;
  }
  if (!values.kubeconfig) throw new UsageError("--kubeconfig is required (the apiserver to join)");
  const client = clientFor(String(values.kubeconfig));
  const agent = await startNodeAgent(client, {
    runtime: String(values.runtime),
    nodeName: values["node-name"] as string | undefined,
    podCIDR: String(values["pod-cidr"]),
  });
  console.log(`agent ready: node ${agent.nodeName} (runtime ${values.runtime})`);
  await Promise.race([untilSignal(), agent.done]);
  await agent.stop();
  client.close();
}
