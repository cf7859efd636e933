/** `skiff controllers`: the controllers and the scheduler, against any apiserver. */
import { untilSignal } from "./apiserver.ts";
import { clientFor, lbPoolFlag, startControllers } from "./components.ts";
import { type FlagSpec, helpText, parseFlags, UsageError } from "./flags.ts";

const flags: FlagSpec = {
  kubeconfig: { type: "string", help: "kubeconfig of the apiserver to control (required)" },
  "lb-pool": {
    type: "string",
    help: "CIDRs LoadBalancer Services get addresses from (a,b); empty: they stay pending",
  },
  help: { type: "boolean", help: "show this help" },
};

export async function controllersCommand(argv: string[]): Promise<void> {
  const values = parseFlags(argv, flags, "controllers");
  if (values.help) {
    console.log(helpText("controllers", "Run the endpoint, workload and scheduling controllers.", flags));
    return;
  }
  if (!values.kubeconfig) throw new UsageError("--kubeconfig is required (the apiserver to control)");
  const lbPool = lbPoolFlag(values["lb-pool"]);
  const client = clientFor(String(values.kubeconfig));
  const running = startControllers(client, { lbPool });
  console.log(
    "controllers ready: endpointslice, endpoints, endpointslicemirroring, replicaset, replicationcontroller, deployment, scheduler",
  );
  await Promise.race([untilSignal(), running.done]);
  await running.stop();
  client.close();
}
