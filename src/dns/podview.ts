/**
 * A Corefile written for a CoreDNS pod (kubeadm's `coredns` ConfigMap) served on a host: what the
 * pod's addresses, files and credentials mean here. Passed to the config builder and to the
 * plugins' setup, so the Corefile text is served as written, never rewritten.
 */
import { readFileSync } from "node:fs";
import { createServer } from "node:net";
import { nameserverTokens, parseHostPort } from "./plugins/forward/resolvconf.ts";

/** One HTTP listener a plugin asked for, in the pod's terms and on the host. */
export interface PodHttpListener {
  /** The directive that asked (health, ready, prometheus). */
  plugin: string;
  /** As the Corefile says, e.g. ":8080". */
  podAddr: string;
  /** Where it listens here, "[host]:port". */
  hostAddr: string;
}

export interface PodView {
  /** The host port for a server block's port: the pod's 53 is the DNS port the host serves on. */
  dnsPort(podPort: number): number;
  /** The host address for an HTTP listener the Corefile gives in the pod's terms (stable across reloads). */
  httpAddress(plugin: string, podAddr: string): Promise<string>;
  /** The host path of a file the pod reads (its /etc/resolv.conf); other paths are returned as is. */
  file(podPath: string): string;
  /**
   * The upstreams a resolv.conf the pod reads stands for here, as "host:port" (the pod's
   * /etc/resolv.conf holds its node's nameservers); undefined for any other path.
   */
  nameservers(podPath: string): string[] | undefined;
  /** What `kubernetes` without kubeconfig or endpoint uses (in a pod: its service account). */
  readonly kubeconfig: string;
}

export interface PodViewOptions {
  /** The host port behind the pod's port 53. */
  dnsPort: number;
  /** Host for HTTP listeners ("" = every address). */
  httpHost: string;
  /** Pod path → host path, e.g. /etc/resolv.conf → <data-dir>/resolv.conf. */
  files: Readonly<Record<string, string>>;
  kubeconfig: string;
  /** A free TCP port on host (tests may fix it). */
  freePort?: (host: string) => Promise<number>;
}

/** The file dnsPolicy Default gives a pod: its node's resolver configuration. */
export const RESOLV_CONF = "/etc/resolv.conf";

/**
 * `nameserver` lines of a resolv.conf; Skiff's own files may add a port (`IP:port`, `[v6]:port`)
 * so loopback upstreams on high ports can stand behind the pod's /etc/resolv.conf.
 */
export function nameserverLines(text: string): Array<{ host: string; port: number }> {
  const out: Array<{ host: string; port: number }> = [];
  for (const addr of nameserverTokens(text)) {
    const hp = parseHostPort(addr, 53);
    if (hp) out.push(hp);
  }
  return out;
}

/** The pod's DNS port (kubeadm's Service and container port). */
export const POD_DNS_PORT = 53;

/** A TCP port on host that was free a moment ago. */
export function freeTcpPort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, host || "127.0.0.1", () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

export class HostPodView implements PodView {
  readonly kubeconfig: string;
  /** pod address → host address; kept so a reload registers on the same listener. */
  private readonly http = new Map<string, Promise<string>>();
  private readonly seen: PodHttpListener[] = [];

  constructor(private readonly o: PodViewOptions) {
    this.kubeconfig = o.kubeconfig;
  }

  dnsPort(podPort: number): number {
    return podPort === POD_DNS_PORT ? this.o.dnsPort : podPort;
  }

  async httpAddress(plugin: string, podAddr: string): Promise<string> {
    const key = podKey(podAddr);
    let p = this.http.get(key);
    if (!p) {
      const host = this.o.httpHost;
      p = (this.o.freePort ?? freeTcpPort)(host).then(
        (port) => `${host.includes(":") ? `[${host}]` : host}:${port}`,
      );
      this.http.set(key, p);
      p.catch(() => this.http.delete(key));
    }
    const hostAddr = await p;
    if (!this.seen.some((l) => l.plugin === plugin && l.hostAddr === hostAddr))
      this.seen.push({ plugin, podAddr, hostAddr });
    return hostAddr;
  }

  file(podPath: string): string {
    return this.o.files[podPath] ?? podPath;
  }

  nameservers(podPath: string): string[] | undefined {
    if (podPath !== RESOLV_CONF || this.o.files[podPath] === undefined) return undefined;
    const path = this.o.files[podPath];
    let text: string;
    try {
      text = readFileSync(path, "utf8");
    } catch (err) {
      throw new Error(`${podPath} is ${path} on this host, which cannot be read: ${(err as Error).message}`);
    }
    const out = nameserverLines(text).map((hp) =>
      hp.host.includes(":") ? `[${hp.host}]:${hp.port}` : `${hp.host}:${hp.port}`,
    );
    if (out.length === 0) throw new Error(`${podPath} is ${path} on this host, which lists no nameserver`);
    return out;
  }

  /** Every HTTP listener handed out so far, in order. */
  listeners(): readonly PodHttpListener[] {
    return this.seen;
  }
}

/** In a pod every host part means the pod itself: only the port tells listeners apart. */
function podKey(addr: string): string {
  const i = addr.lastIndexOf(":");
  return i < 0 ? addr : addr.slice(i + 1);
}
