/** `skiff up`: everything on one machine — apiserver, controllers, scheduler and a node. */
import { apiserverFlags, startApiServer, untilSignal } from "./apiserver.ts";
import { checkRuntime, clientFor, startControllers, startNodeAgent } from "./components.ts";
import { type FlagSpec, helpText, parseFlags } from "./flags.ts";

const upFlags: FlagSpec = {
  ...apiserverFlags,
  runtime: { type: "string", default: "simulated", help: "simulated (pods get IPs, no processes) or netns" },
  "node-name": { type: "string", help: "the node's name (default: this host's name)" },
  "pod-cidr": { type: "string", default: "10.244.0.0/24", help: "the node's pod CIDR (a,b for dual-stack)" },
};

export async function upCommand(argv: string[]): Promise<void> {
  const values = parseFlags(argv, upFlags, "up");
  if (values.help) {
    console.log(helpText("up", "Bring a Kubernetes service network up on this machine.", upFlags));
    return;
  }
  checkRuntime(String(values.runtime));
  const t0 = Date.now();
  const step = (what: string) => console.log(`  ${what} (${Date.now() - t0} ms)`);
  console.log(
    `starting skiff: apiserver (store: ${values.store}), controllers, scheduler, node (${values.runtime})`,
  );
  const api = await startApiServer(values);
  console.log(`kubeconfig: ${api.server.kubeconfigPath}`);
  step(`apiserver ready at ${api.server.url}`);
  const client = clientFor(api.server.kubeconfigPath);
  const controllers = startControllers(client);
  step("controllers and scheduler started");
  const agent = await startNodeAgent(client, {
    runtime: String(values.runtime),
    nodeName: values["node-name"] as string | undefined,
    podCIDR: String(values["pod-cidr"]),
  });
  step(`node ${agent.nodeName} registered and Ready`);
  console.log(
    `skiff is ready in ${Date.now() - t0} ms — try: kubectl --kubeconfig ${api.server.kubeconfigPath} get nodes`,
  );
  const sig = await untilSignal();
  console.log(`${sig}: stopping…`);
  await agent.stop();
  await controllers.stop();
  client.close();
  await api.stop();
  console.log("stopped");
}
