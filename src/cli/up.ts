/** `skiff up`: everything on one machine — apiserver, controllers, scheduler and a node. */

import { ensureCoreDNS } from "../dns/configmap-manifests.ts";
import { apiserverFlags, startApiServer, untilSignal } from "./apiserver.ts";
import { checkRuntime, clientFor, lbPoolFlag, startControllers, startNodeAgent } from "./components.ts";
import { type DnsChild, startDnsChild, upstreamResolvConf } from "./dns-child.ts";
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
    help: "what /etc/resolv.conf means to the coredns ConfigMap's Corefile (a resolv.conf path or IP[:port] list)",
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
  // A bad --dns-upstream is a flag error, found before anything starts.
  if (!values["no-dns"]) upstreamResolvConf(String(values["dns-upstream"]));
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
    // kubeadm's CoreDNS add-on: the ConfigMap the child serves, and the pods behind kube-dns.
    dns = await ensureCoreDNS(client, String(values["cluster-domain"]))
      .then(() =>
        startDnsChild({
          dataDir: api.dataDir,
          kubeconfig: api.server.kubeconfigPath,
          addr: String(values["dns-addr"]),
          port: portFlag(values["dns-port"], "dns-port"),
          upstream: String(values["dns-upstream"]),
          domain: String(values["cluster-domain"]),
        }),
      )
      .catch(async (e: unknown) => {
        await agent.stop();
        await controllers.stop();
        client.close();
        await api.stop();
        if (e instanceof UsageError) throw e;
        const msg = e instanceof Error ? e.message : String(e);
        const hint = /EADDRINUSE|address already in use/i.test(msg)
          ? "free the port, or pass --dns-port N or --no-dns"
          : "fix it, or pass --no-dns";
        throw new UsageError(`cluster DNS did not start (${msg}): ${hint}`);
      });
    step(`cluster DNS ready: ${dns.addresses} (Corefile: configmap kube-system/coredns)`);
    if (dns.http) step(`cluster DNS http: ${dns.http}`);
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
