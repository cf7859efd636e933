/** `skiff dns`: the cluster DNS server (CoreDNS-compatible Corefile). */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { startDNS } from "../dns/index.ts";
import { untilSignal } from "./apiserver.ts";
import { type FlagSpec, helpText, parseFlags, portFlag, UsageError } from "./flags.ts";

export const dnsFlags: FlagSpec = {
  corefile: { type: "string", help: "the Corefile to serve (required)" },
  "dns-addr": {
    type: "string",
    help: "address to listen on for blocks without `bind` (default: every address)",
  },
  "dns-port": { type: "string", default: "53", help: "port for server blocks that name none" },
  "kube-dns-configmap": {
    type: "string",
    help: "print the Corefile equivalent to a kube-dns ConfigMap (YAML or JSON file) and exit",
  },
  help: { type: "boolean", help: "show this help" },
};

export async function dnsCommand(argv: string[]): Promise<void> {
  const values = parseFlags(argv, dnsFlags, "dns");
  if (values.help) {
    console.log(helpText("dns", "Serve cluster DNS from a CoreDNS-compatible Corefile.", dnsFlags));
    return;
  }
  if (values["kube-dns-configmap"]) {
    const { kubeDNSConfigMapToCorefile } = await import("../dns/kubedns/index.ts");
    const path = String(values["kube-dns-configmap"]);
    let text: string;
    try {
      text = readFileSync(path, "utf8");
    } catch (e) {
      throw new UsageError(`cannot read ${path}: ${e instanceof Error ? e.message : e}`);
    }
    process.stdout.write(kubeDNSConfigMapToCorefile(text));
    return;
  }
  if (!values.corefile) throw new UsageError("--corefile FILE is required (or --kube-dns-configmap FILE)");
  const corefilePath = resolve(String(values.corefile));
  let corefile: string;
  try {
    corefile = readFileSync(corefilePath, "utf8");
  } catch (e) {
    throw new UsageError(`cannot read the Corefile ${corefilePath}: ${e instanceof Error ? e.message : e}`);
  }
  const dns = await startDNS({
    corefile,
    corefilePath,
    defaultPort: portFlag(values["dns-port"], "dns-port"),
    defaultHost: (values["dns-addr"] as string | undefined) ?? "",
  });
  const where = dns.addresses.map((a) => `${a.proto} ${a.address}:${a.port}`).join(", ");
  console.log(`dns ready: ${where}`);
  // SIGUSR1 reloads the Corefile, as CoreDNS does.
  const onUsr1 = () => {
    void dns
      .reload(readFileSync(corefilePath, "utf8"))
      .then(() => console.log("dns: Corefile reloaded"))
      .catch((e: unknown) =>
        console.error(
          `dns: reload failed, keeping the running config: ${e instanceof Error ? e.message : e}`,
        ),
      );
  };
  process.on("SIGUSR1", onUsr1);
  await untilSignal();
  process.off("SIGUSR1", onUsr1);
  await dns.stop();
}
