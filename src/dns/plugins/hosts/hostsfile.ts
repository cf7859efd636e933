/**
 * The hosts data (plugin/hosts/hostsfile.go): name → addresses per family, wildcard owners,
 * address → names for PTR, from the file and from inline Corefile lines; the file is re-read
 * when its mtime or size changes.
 */
import { readFileSync, statSync } from "node:fs";
import { canonicalIP } from "../../../util/ip.ts";
import { matchZone } from "../../names.ts";

export interface HostsMap {
  name4: Map<string, string[]>;
  name6: Map<string, string[]>;
  wild4: Map<string, string[]>;
  wild6: Map<string, string[]>;
  /** Canonical IP → names (for PTR). */
  addr: Map<string, string[]>;
}

export function emptyMap(): HostsMap {
  return { name4: new Map(), name6: new Map(), wild4: new Map(), wild6: new Map(), addr: new Map() };
}

/** Entries in a map: every address per name, wildcard and reverse (Map.Len). */
export function mapLen(m: HostsMap): number {
  let n = 0;
  for (const t of [m.name4, m.name6, m.wild4, m.wild6, m.addr]) for (const v of t.values()) n += v.length;
  return n;
}

function push(m: Map<string, string[]>, k: string, v: string): void {
  const l = m.get(k);
  if (l) l.push(v);
  else m.set(k, [v]);
}

function normalizeName(n: string): string {
  const l = n.toLowerCase();
  return l.endsWith(".") ? l : `${l}.`;
}

/** Parse hosts(5) text; names outside `origins` are skipped, PTRs only when `autoReverse`. */
export function parseHosts(text: string, origins: readonly string[], autoReverse: boolean): HostsMap {
  const m = emptyMap();
  for (const raw of text.split("\n")) {
    const hash = raw.indexOf("#");
    const line = hash >= 0 ? raw.slice(0, hash) : raw;
    const f = line
      .trim()
      .split(/\s+/)
      .filter((x) => x !== "");
    if (f.length < 2) continue;
    const ip = hostIP(f[0]);
    if (!ip) continue;
    const v4 = !ip.includes(":");
    for (const n of f.slice(1)) {
      const name = normalizeName(n);
      if (matchZone(origins, name) === "") continue;
      if (name.startsWith("*.")) {
        push(v4 ? m.wild4 : m.wild6, name, ip);
        continue;
      }
      push(v4 ? m.name4 : m.name6, name, ip);
      if (autoReverse) push(m.addr, ip, name);
    }
  }
  return m;
}

export class Hostsfile {
  hmap = emptyMap();
  inline = emptyMap();
  private mtimeMs = -1;
  private size = -1;

  constructor(
    readonly path: string,
    readonly origins: readonly string[],
    readonly autoReverse: boolean,
  ) {}

  /** Re-read the file if its mtime or size changed; true when it was parsed. */
  readHosts(): boolean {
    let st: ReturnType<typeof statSync>;
    let text: string;
    try {
      st = statSync(this.path);
      if (st.mtimeMs === this.mtimeMs && st.size === this.size) return false;
      text = readFileSync(this.path, "utf8");
    } catch {
      // Missing or unreadable: keep serving what we have (setup already warned).
      return false;
    }
    this.hmap = parseHosts(text, this.origins, this.autoReverse);
    this.mtimeMs = st.mtimeMs;
    this.size = st.size;
    return true;
  }

  /** The file's modification time, in seconds. */
  mtimeSeconds(): number {
    return this.mtimeMs / 1000;
  }

  lookupV4(host: string): string[] {
    return this.lookup(host, true);
  }

  lookupV6(host: string): string[] {
    return this.lookup(host, false);
  }

  /** Names for an address, file entries first. */
  lookupAddr(addr: string): string[] {
    const ip = hostIP(addr);
    if (!ip) return [];
    return [...(this.hmap.addr.get(ip) ?? []), ...(this.inline.addr.get(ip) ?? [])];
  }

  private lookup(host: string, v4: boolean): string[] {
    const h = host.toLowerCase();
    const one = (m: HostsMap) => {
      const exact = (v4 ? m.name4 : m.name6).get(h);
      if (exact) return exact;
      const wild = wildcardOf(h);
      return wild ? ((v4 ? m.wild4 : m.wild6).get(wild) ?? []) : [];
    };
    return [...one(this.hmap), ...one(this.inline)];
  }
}

/** The name with its leftmost label replaced by "*" (none for a single label). */
function wildcardOf(name: string): string | undefined {
  const dot = name.indexOf(".");
  if (dot < 0 || dot === name.length - 1) return undefined;
  return `*${name.slice(dot)}`;
}

/** A hosts file address: CoreDNS drops a zone (fe80::1%eth0) before net.ParseIP. */
function hostIP(s: string): string | undefined {
  const i = s.indexOf("%");
  return canonicalIP(i >= 0 ? s.slice(0, i) : s);
}
