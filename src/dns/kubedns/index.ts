/**
 * kube-dns → CoreDNS: the Corefile equivalent to a kube-dns ConfigMap, as kubeadm wrote it when
 * it replaced kube-dns with CoreDNS (cmd/kubeadm/app/phases/addons/dns: the CoreDNS ConfigMap
 * template with the stub domains and upstream nameservers translated from the kube-dns one):
 * - every `stubDomains` entry becomes a server block `DOMAIN:53 { errors; cache 30; loop;
 *   forward . IP… }`;
 * - `upstreamNameservers` become the main block's `forward .` targets (else /etc/resolv.conf);
 * - nameservers given as hostnames are left out (CoreDNS's forward takes addresses only), with a
 *   warning, and a stub domain left with none is dropped.
 * Warnings are returned, and also written as comments at the top of the Corefile so a user who
 * only reads the printed file sees them.
 */
import { isIP } from "node:net";
import { parseAllDocuments } from "yaml";

export interface KubeDNSOptions {
  /** The cluster domain for the kubernetes plugin (kubeadm's networking.dnsDomain). */
  clusterDomain?: string;
}

export interface Translation {
  corefile: string;
  warnings: string[];
}

/** Thrown for a file that is not a usable kube-dns ConfigMap; the message says what to fix. */
export class KubeDNSConfigError extends Error {
  override name = "KubeDNSConfigError";
}

/** The Corefile (with any warnings as leading comments) for a kube-dns ConfigMap in YAML or JSON. */
export function kubeDNSConfigMapToCorefile(text: string, opts: KubeDNSOptions = {}): string {
  const { corefile, warnings } = translateKubeDNS(text, opts);
  if (warnings.length === 0) return corefile;
  return `${warnings.map((w) => `# WARNING: ${w}`).join("\n")}\n${corefile}`;
}

export function translateKubeDNS(text: string, opts: KubeDNSOptions = {}): Translation {
  const data = configMapData(text);
  const warnings: string[] = [];
  const domain = (opts.clusterDomain ?? "cluster.local").replace(/\.$/, "");
  if (!isSubdomain(domain)) throw new KubeDNSConfigError(`invalid cluster domain ${JSON.stringify(domain)}`);

  const upstreams =
    data.upstreamNameservers === undefined ? undefined : parseUpstreams(data.upstreamNameservers, warnings);
  const stubs = data.stubDomains === undefined ? [] : parseStubDomains(data.stubDomains, warnings);
  for (const key of Object.keys(data)) {
    if (key === "federations")
      warnings.push(
        "'federations' is not translated: kube-dns federation has no CoreDNS equivalent in use (kubeadm dropped it)",
      );
    else if (key !== "stubDomains" && key !== "upstreamNameservers")
      warnings.push(`data key ${JSON.stringify(key)} is not a kube-dns setting and was ignored`);
  }
  let forward = "/etc/resolv.conf";
  if (upstreams && upstreams.length > 0) forward = upstreams.join(" ");
  else if (upstreams)
    warnings.push(
      "upstreamNameservers names no IP address: forwarding to /etc/resolv.conf, kube-dns's default",
    );

  const lines = [
    ".:53 {",
    "    errors",
    "    health {",
    "        lameduck 5s",
    "    }",
    "    ready",
    `    kubernetes ${domain} in-addr.arpa ip6.arpa {`,
    "        pods insecure",
    "        fallthrough in-addr.arpa ip6.arpa",
    "        ttl 30",
    "    }",
    "    prometheus :9153",
    `    forward . ${forward}`,
    "    cache 30",
    "    loop",
    "    reload",
    "    loadbalance",
    "}",
  ];
  for (const s of stubs) {
    lines.push(
      `${s.domain}:53 {`,
      "    errors",
      "    cache 30",
      "    loop",
      `    forward . ${s.servers.join(" ")}`,
      "}",
    );
  }
  return { corefile: `${lines.join("\n")}\n`, warnings };
}

/** The `data` of the kube-dns ConfigMap in the file (a ConfigMap, a List, or several documents). */
function configMapData(text: string): Record<string, string> {
  if (text.trim() === "")
    throw new KubeDNSConfigError("the file is empty: expected the kube-dns ConfigMap (YAML or JSON)");
  const objects: unknown[] = [];
  // YAML is a superset of JSON, so one parser reads both.
  for (const doc of parseAllDocuments(text)) {
    if (doc.errors.length > 0)
      throw new KubeDNSConfigError(`cannot parse the ConfigMap: ${doc.errors[0].message}`);
    const v: unknown = doc.toJS();
    if (v === null || v === undefined) continue;
    if (isObject(v) && v.kind === "List" && Array.isArray(v.items)) objects.push(...v.items);
    else objects.push(v);
  }
  const maps = objects.filter((o): o is Record<string, unknown> => isObject(o) && o.kind === "ConfigMap");
  if (maps.length === 0)
    throw new KubeDNSConfigError(
      "no ConfigMap found: expected an object with kind: ConfigMap (kubectl -n kube-system get configmap kube-dns -o yaml)",
    );
  const named = maps.filter((m) => isObject(m.metadata) && m.metadata.name === "kube-dns");
  if (maps.length > 1 && named.length !== 1)
    throw new KubeDNSConfigError(
      `${maps.length} ConfigMaps found and ${named.length === 0 ? "none" : "several"} named kube-dns: give the file just the kube-dns one`,
    );
  const cm = named[0] ?? maps[0];
  const data = cm.data ?? {};
  if (!isObject(data)) throw new KubeDNSConfigError("the ConfigMap's data must be a map of strings");
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(data)) {
    if (typeof v !== "string")
      throw new KubeDNSConfigError(`data.${k} must be a string (JSON text), not ${typeOf(v)}`);
    out[k] = v;
  }
  return out;
}

function parseUpstreams(raw: string, warnings: string[]): string[] {
  const v = parseJSON(raw, "upstreamNameservers", '["8.8.8.8", "8.8.4.4"]');
  if (!Array.isArray(v) || !v.every((s) => typeof s === "string"))
    throw new KubeDNSConfigError(
      `data.upstreamNameservers must be a JSON list of strings, e.g. ["8.8.8.8", "8.8.4.4"]; got ${typeOf(v)}`,
    );
  return addressesOnly(v, "upstreamNameservers", warnings);
}

interface Stub {
  domain: string;
  servers: string[];
}

function parseStubDomains(raw: string, warnings: string[]): Stub[] {
  const v = parseJSON(raw, "stubDomains", '{"acme.local": ["1.2.3.4"]}');
  if (!isObject(v) || Array.isArray(v))
    throw new KubeDNSConfigError(
      `data.stubDomains must be a JSON object of domain → list of nameservers, e.g. {"acme.local": ["1.2.3.4"]}; got ${typeOf(v)}`,
    );
  const out: Stub[] = [];
  for (const [key, list] of Object.entries(v)) {
    const domain = key.replace(/\.$/, "");
    if (!isSubdomain(domain.toLowerCase()))
      throw new KubeDNSConfigError(
        `stubDomains: ${JSON.stringify(key)} is not a valid domain name (RFC 1123 subdomain)`,
      );
    if (!Array.isArray(list) || !list.every((s) => typeof s === "string"))
      throw new KubeDNSConfigError(
        `stubDomains[${JSON.stringify(key)}] must be a list of nameserver strings`,
      );
    const servers = addressesOnly(list, `stubDomains[${JSON.stringify(key)}]`, warnings);
    if (servers.length === 0) {
      warnings.push(`stub domain ${key} was left out: none of its nameservers is an IP address`);
      continue;
    }
    out.push({ domain, servers });
  }
  return out;
}

/**
 * kubeadm's omitHostnameInTranslation: keep IP and IP:port entries (as written), drop hostnames
 * with a warning, and reject what is neither (a bad port, an invalid host).
 */
function addressesOnly(list: string[], where: string, warnings: string[]): string[] {
  const kept: string[] = [];
  for (const entry of list) {
    const { host, port } = splitHostPort(entry.trim());
    if (port !== undefined && !(/^\d+$/.test(port) && Number(port) >= 1 && Number(port) <= 65535))
      throw new KubeDNSConfigError(`${where}: ${JSON.stringify(entry)} has an invalid port (1-65535)`);
    if (isIP(host) !== 0) {
      kept.push(entry.trim());
      continue;
    }
    if (!isSubdomain(host.toLowerCase()))
      throw new KubeDNSConfigError(
        `${where}: ${JSON.stringify(entry)} is neither an IP address (optionally with :port) nor a hostname`,
      );
    warnings.push(`${where}: hostname ${host} was left out; CoreDNS's forward takes IP addresses only`);
  }
  return kept;
}

/** Go's net.SplitHostPort, falling back to the whole string as the host (kubeadm ParseHostPort). */
function splitHostPort(s: string): { host: string; port?: string } {
  const br = /^\[([^\]]+)\](?::(.*))?$/.exec(s);
  if (br) return { host: br[1], port: br[2] };
  if (isIP(s) !== 0) return { host: s };
  const i = s.lastIndexOf(":");
  if (i > 0 && s.indexOf(":") === i) return { host: s.slice(0, i), port: s.slice(i + 1) };
  return { host: s };
}

function parseJSON(raw: string, key: string, example: string): unknown {
  try {
    return JSON.parse(raw);
  } catch (err) {
    throw new KubeDNSConfigError(
      `data.${key} is not valid JSON (${(err as Error).message}); expected e.g. ${example}`,
    );
  }
}

const LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** Kubernetes' IsDNS1123Subdomain. */
function isSubdomain(s: string): boolean {
  return s.length > 0 && s.length <= 253 && s.split(".").every((l) => l.length <= 63 && LABEL.test(l));
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null;
}

function typeOf(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "a list";
  return typeof v === "object" ? "an object" : `a ${typeof v}`;
}
