/**
 * `skiff up` runs cluster DNS in a child process (`skiff dns --configmap kube-system/coredns`):
 * serving traffic never shares an event loop with the apiserver (DESIGN §1). The child serves
 * kubeadm's `coredns` ConfigMap as a CoreDNS pod would, and follows its changes.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { COREDNS_NAME, COREDNS_NAMESPACE } from "../dns/configmap-manifests.ts";
import { parseHostPort, resolvConfServers } from "../dns/plugins/forward/resolvconf.ts";
import { dnsNodeFlags } from "./dns-gc.ts";
import { UsageError } from "./flags.ts";

/** bin/skiff.js of this install, found upward from this module (in src/cli or in the dist bundle). */
function skiffBin(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const p = join(dir, "bin", "skiff.js");
    if (existsSync(p)) return p;
    const up = dirname(dir);
    if (up === dir) throw new Error("cannot find bin/skiff.js to start cluster DNS");
    dir = up;
  }
}

/**
 * The resolv.conf behind the pod's /etc/resolv.conf: the --dns-upstream servers (IP[:port] list, or
 * a resolv.conf whose nameservers are taken). Ports other than 53 are written as IP:port, which
 * only Skiff's pod view reads.
 */
export function upstreamResolvConf(upstream: string): string {
  const lines: string[] = [];
  for (const item of upstream.split(/[\s,]+/).filter((s) => s !== "")) {
    let servers: Array<{ host: string; port: number }>;
    try {
      servers = [parseHostPort(item, 53) ?? resolvConfServers(item)].flat();
    } catch (e) {
      throw new UsageError(`--dns-upstream: ${e instanceof Error ? e.message : e}`);
    }
    for (const { host, port } of servers) {
      const h = host.includes(":") && port !== 53 ? `[${host}]` : host;
      lines.push(`nameserver ${port === 53 ? h : `${h}:${port}`}`);
    }
  }
  if (lines.length === 0)
    throw new UsageError(
      `--dns-upstream "${upstream}" names no nameserver: give IP[:port],… or a resolv.conf`,
    );
  return `# Written by skiff up from --dns-upstream ${upstream}: the pod's /etc/resolv.conf for cluster DNS.\n${lines.join("\n")}\n`;
}

export interface DnsChild {
  proc: ChildProcess;
  /** "udp 127.0.0.1:53, tcp 127.0.0.1:53" as the child printed it. */
  addresses: string;
  /** "health http://…/health, ready http://…/ready, prometheus http://…/metrics", or "". */
  http: string;
  /** Where the child mirrors the ConfigMap's Corefile. */
  corefile: string;
  resolvConf: string;
  stop(): Promise<void>;
}

/** Start `skiff dns` on the coredns ConfigMap. Resolves when the child is ready. */
export async function startDnsChild(opts: {
  dataDir: string;
  kubeconfig: string;
  addr: string;
  port: number;
  upstream: string;
  /** For kubeadm's Corefile, served while the ConfigMap's does not build. */
  domain: string;
}): Promise<DnsChild> {
  const resolvConf = join(opts.dataDir, "resolv.conf");
  writeFileSync(resolvConf, upstreamResolvConf(opts.upstream), { mode: 0o644 });
  const corefile = join(opts.dataDir, "coredns", "Corefile");
  const args = [
    skiffBin(),
    "dns",
    "--configmap",
    `${COREDNS_NAMESPACE}/${COREDNS_NAME}`,
    "--kubeconfig",
    opts.kubeconfig,
    "--corefile",
    corefile,
    "--resolv-conf",
    resolvConf,
    "--dns-addr",
    opts.addr,
    "--dns-port",
    String(opts.port),
    "--cluster-domain",
    opts.domain,
  ];
  const proc = spawn(process.execPath, [...dnsNodeFlags(), ...args], {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, SKIFF_PARENT_PID: String(process.pid) },
  });
  const exited = new Promise<void>((resolve) => proc.once("exit", () => resolve()));
  let out = "";
  let ready = false;
  const addresses = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`dns did not become ready within 30 s:\n${out}`)),
      30_000,
    );
    const onData = (d: Buffer) => {
      out += d.toString();
      const m = /dns ready: (.+)/.exec(out);
      if (m) {
        ready = true;
        proc.stdout!.off("data", onData);
        clearTimeout(timer);
        resolve(m[1].replace(/\s*\(.*\)\s*$/, "").trim());
      }
    };
    proc.stdout!.on("data", onData);
    // Warnings and errors show at once (e.g. a ConfigMap Corefile rejected at start).
    proc.stderr!.on("data", (d: Buffer) => {
      if (!ready) out += d.toString();
      process.stderr.write(d);
    });
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`dns exited before it was ready:\n${out.trim().slice(-2000)}`));
    });
  }).catch(async (e: unknown) => {
    if (proc.exitCode === null && proc.signalCode === null) {
      proc.kill("SIGTERM");
      await exited;
    }
    throw e;
  });
  // Keep relaying the child's log lines once it is up.
  proc.stdout!.on("data", (d: Buffer) => process.stdout.write(d));
  return {
    proc,
    addresses,
    http: /dns http: (.+)/.exec(out)?.[1].trim() ?? "",
    corefile,
    resolvConf,
    async stop() {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      proc.kill("SIGTERM");
      await exited;
    },
  };
}
