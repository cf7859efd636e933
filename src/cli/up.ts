/** `skiff up`: every component on one machine (for now: the apiserver and its store). */
import { apiserverFlags, startApiServer, untilSignal } from "./apiserver.ts";
import { type FlagSpec, helpText, parseFlags } from "./flags.ts";

const upFlags: FlagSpec = { ...apiserverFlags };

export async function upCommand(argv: string[]): Promise<void> {
  const values = parseFlags(argv, upFlags, "up");
  if (values.help) {
    console.log(helpText("up", "Bring a Kubernetes service network up on this machine.", upFlags));
    return;
  }
  const t0 = Date.now();
  console.log("starting apiserver (store: %s)…", values.store);
  const api = await startApiServer(values);
  console.log(`kubeconfig: ${api.server.kubeconfigPath}`);
  console.log(`apiserver ready at ${api.server.url}`);
  console.log(
    `skiff is ready in ${Date.now() - t0} ms — try: kubectl --kubeconfig ${api.server.kubeconfigPath} get namespaces`,
  );
  const sig = await untilSignal();
  console.log(`${sig}: stopping…`);
  await api.stop();
  console.log("stopped");
}
