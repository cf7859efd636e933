/** `skiff up`: everything on one machine — apiserver, controllers, scheduler and a node. */
import { apiserverFlags, startApiServer, untilSignal } from "./apiserver.ts";
import { checkRuntime, clientFor, lbPoolFlag, startControllers, startNodeAgent } from "./components.ts";
import { type DnsChild, startDnsChild } from "./dns-child.ts";
import { type FlagSpec, helpText, parseFlags, portFlag, UsageError } from "./flags.ts";

const upFlags: FlagSpec = {
  ...apiserverFlags,
  runtime: { type: "string", default: "simulated", help: "simulated (pods get IPs, no processes) or netns" },
  "node-name": { type: "string", help: "the node's name (default: this host's name)" },
  "pod-cidr": { type: "string", default: "10.244.0.0/24", help: "the node's pod CIDR (a,b for dual-stack)" },
  "dns-addr": { type: "string", default: "127.0.0.1", help: "address cluster DNS listens on" },
  "dns-port": {
    type: "string",
    default: process.getuid?.() === 0 ? "53" : "1053",
    help: "port cluster DNS listens on (53 as root, else 1053; 0 picks a free one)",
  },
  "cluster-domain": { type: "string", default: "cluster.local", help: "the cluster's DNS domain" },
  "no-dns": { type: "boolean", help: "do not run cluster DNS" },
  "dns-upstream": {
    type: "string",
    default: "/etc/resolv.conf",
    help: "where cluster DNS forwards other names (a resolv.conf path or IP[:port] list)",
  },
  "lb-pool": {
    type: "string",
    help: "CIDRs LoadBalancer Services get addresses from (a,b); empty: they stay pending",
  },
};

export async function upCommand(argv: string[]): Promise<void> {
  const values = parseFlags(argv, upFlags, "up");
  if (values.help) {
    console.log(helpText("up", "Bring a Kubernetes service network up on this machine.", upFlags));
    return;
  }
  checkRuntime(String(values.runtime));
  const lbPool = lbPoolFlag(values["lb-pool"]);
  // Listen for SIGTERM from the start, so a stop during start-up is a clean stop too.
  const stopping = untilSignal();
  const t0 = Date.now();
  const step = (what: string) => console.log(`  ${what} (${Date.now() - t0} ms)`);
  console.log(
    `starting skiff: apiserver (store: ${values.store}), controllers, scheduler, node (${values.runtime})`,
  );
  const api = await startApiServer(values);
  console.log(`kubeconfig: ${api.server.kubeconfigPath}`);
  step(`apiserver ready at ${api.server.url}`);
  const client = clientFor(api.server.kubeconfigPath);
  const controllers = startControllers(client, { lbPool });
  step("controllers and scheduler started");
  const agent = await startNodeAgent(client, {
    runtime: String(values.runtime),
    nodeName: values["node-name"] as string | undefined,
    podCIDR: String(values["pod-cidr"]),
  });
  step(`node ${agent.nodeName} registered and Ready`);
  let dns: DnsChild | undefined;
  if (!values["no-dns"]) {
    dns = await startDnsChild({
      dataDir: api.dataDir,
      kubeconfig: api.server.kubeconfigPath,
      addr: String(values["dns-addr"]),
      port: portFlag(values["dns-port"], "dns-port"),
      domain: String(values["cluster-domain"]),
      upstream: String(values["dns-upstream"]),
    }).catch(async (e: unknown) => {
      await agent.stop();
      await controllers.stop();
      client.close();
      await api.stop();
      throw new UsageError(
        `cluster DNS did not start (${e instanceof Error ? e.message : e}): free the port, or pass --dns-port N or --no-dns`,
      );
    });
    step(`cluster DNS ready: ${dns.addresses} (Corefile: ${dns.corefile})`);
  }
  console.log(
    `skiff is ready in ${Date.now() - t0} ms — try: kubectl --kubeconfig ${api.server.kubeconfigPath} get nodes`,
  );
  const sig = await stopping;
  console.log(`${sig}: stopping…`);
  await dns?.stop();
  await agent.stop();
  await controllers.stop();
  client.close();
  await api.stop();
  console.log("stopped");
}
