/**
 * `skiff up` runs cluster DNS in a child process (`skiff dns`): serving traffic never shares an
 * event loop with the apiserver (DESIGN §1).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** A TCP port on addr that was free a moment ago (for the HTTP endpoints of the DNS server). */
function freePort(addr: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, addr, () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/** The kubeadm default Corefile, pointed at this cluster's kubeconfig and bound to addr. */
export async function defaultCorefile(
  kubeconfig: string,
  addr: string,
  port: number,
  domain: string,
  upstream: string,
): Promise<string> {
  const [health, ready, metrics] = [await freePort(addr), await freePort(addr), await freePort(addr)];
  return `.:${port} {
    bind ${addr}
    errors
    health ${addr}:${health} {
        lameduck 5s
    }
    ready ${addr}:${ready}
    kubernetes ${domain} in-addr.arpa ip6.arpa {
        kubeconfig ${kubeconfig}
        pods insecure
        fallthrough in-addr.arpa ip6.arpa
        ttl 30
    }
    prometheus ${addr}:${metrics}
    forward . ${upstream} {
        max_concurrent 1000
    }
    cache 30
    loop
    reload
    loadbalance
}
`;
}

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

export interface DnsChild {
  proc: ChildProcess;
  /** "udp 127.0.0.1:53, tcp 127.0.0.1:53" as the child printed it. */
  addresses: string;
  corefile: string;
  stop(): Promise<void>;
}

/**
 * Start `skiff dns` with <dataDir>/Corefile (written with the defaults when missing, so edits
 * survive restarts and the reload plugin picks them up). Resolves when the child is ready.
 */
export async function startDnsChild(opts: {
  dataDir: string;
  kubeconfig: string;
  addr: string;
  port: number;
  domain: string;
  upstream: string;
}): Promise<DnsChild> {
  const corefile = join(opts.dataDir, "Corefile");
  if (!existsSync(corefile))
    writeFileSync(
      corefile,
      await defaultCorefile(opts.kubeconfig, opts.addr, opts.port, opts.domain, opts.upstream),
      {
        mode: 0o644,
      },
    );
  const bin = skiffBin();
  const proc = spawn(
    process.execPath,
    [bin, "dns", "--corefile", corefile, "--dns-port", String(opts.port)],
    {
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  const exited = new Promise<void>((resolve) => proc.once("exit", () => resolve()));
  let out = "";
  const addresses = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`dns did not become ready within 30 s:\n${out}`)),
      30_000,
    );
    const onData = (d: Buffer) => {
      const text = d.toString();
      out += text;
      const m = /dns ready: (.+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1].trim());
      }
    };
    proc.stdout!.on("data", onData);
    proc.stderr!.on("data", (d: Buffer) => {
      out += d.toString();
    });
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`dns exited before it was ready:\n${out.trim().slice(-2000)}`));
    });
  });
  // Keep relaying the child's log lines once it is up.
  proc.stdout!.on("data", (d: Buffer) => process.stdout.write(d));
  proc.stderr!.on("data", (d: Buffer) => process.stderr.write(d));
  return {
    proc,
    addresses,
    corefile,
    async stop() {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      proc.kill("SIGTERM");
      await exited;
    },
  };
}
