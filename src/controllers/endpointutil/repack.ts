/**
 * EndpointSubset repacking (kube's pkg/api/v1/endpoints RepackSubsets): addresses that offer the
 * same set of ports share one subset; an address ready for a port anywhere is ready for it.
 * Ordering is deterministic: addresses by IP then target UID, ports by name/port/protocol.
 */
import type { EndpointAddress, EndpointPort, EndpointSubset } from "./types.ts";

const noPorts = "\x00none";

function addrKey(a: EndpointAddress): string {
  return `${a.ip}\x00${a.targetRef?.uid ?? ""}`;
}

function portKey(p: EndpointPort): string {
  return JSON.stringify([p.name ?? "", p.port, p.protocol ?? "TCP", p.appProtocol ?? null]);
}

export function compareAddresses(a: EndpointAddress, b: EndpointAddress): number {
  const c = compareIPs(a.ip, b.ip);
  if (c !== 0) return c;
  const ua = a.targetRef?.uid ?? "";
  const ub = b.targetRef?.uid ?? "";
  return ua < ub ? -1 : ua > ub ? 1 : 0;
}

/** Go's bytes.Compare on the 16-byte forms of the IPs (v4 sorts before v6 except ::-prefixed). */
function compareIPs(a: string, b: string): number {
  const ka = ipBytes(a);
  const kb = ipBytes(b);
  for (let i = 0; i < 16; i++) if (ka[i] !== kb[i]) return ka[i] - kb[i];
  return 0;
}

function ipBytes(ip: string): number[] {
  if (!ip.includes(":")) {
    const p = ip.split(".").map(Number);
    return [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, ...p];
  }
  const [head, tail = ""] = ip.split("::");
  const words = (s: string) => (s === "" ? [] : s.split(":"));
  const h = words(head);
  const t = ip.includes("::") ? words(tail) : [];
  const expand = (ws: string[]) =>
    ws.flatMap((w) => {
      if (w.includes(".")) {
        const p = w.split(".").map(Number);
        return [(p[0] << 8) | p[1], (p[2] << 8) | p[3]];
      }
      return [Number.parseInt(w, 16)];
    });
  const hw = expand(h);
  const tw = expand(t);
  const all = [...hw, ...Array(Math.max(0, 8 - hw.length - tw.length)).fill(0), ...tw];
  return all.flatMap((w) => [w >> 8, w & 0xff]);
}

export function comparePorts(a: EndpointPort, b: EndpointPort): number {
  const ka = portKey(a);
  const kb = portKey(b);
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

export function repackSubsets(subsets: EndpointSubset[]): EndpointSubset[] {
  const addrs = new Map<string, EndpointAddress>();
  const ports = new Map<string, EndpointPort | undefined>();
  /** port key → address key → ready */
  const portAddrs = new Map<string, Map<string, boolean>>();
  const note = (a: EndpointAddress, pk: string, ready: boolean) => {
    const ak = addrKey(a);
    if (!addrs.has(ak)) addrs.set(ak, structuredClone(a));
    let m = portAddrs.get(pk);
    if (!m) {
      m = new Map();
      portAddrs.set(pk, m);
    }
    if (ready || m.get(ak) !== true) m.set(ak, ready);
  };
  for (const s of subsets) {
    const ps: Array<[string, EndpointPort | undefined]> =
      s.ports && s.ports.length > 0 ? s.ports.map((p) => [portKey(p), p]) : [[noPorts, undefined]];
    for (const [pk, p] of ps) {
      if (!ports.has(pk)) ports.set(pk, p);
      for (const a of s.addresses ?? []) note(a, pk, true);
      for (const a of s.notReadyAddresses ?? []) note(a, pk, false);
    }
  }
  // Group ports by the exact (address, ready) set they map to.
  const groups = new Map<string, { set: Map<string, boolean>; ports: EndpointPort[] }>();
  for (const [pk, set] of portAddrs) {
    const gk = JSON.stringify([...set].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    let g = groups.get(gk);
    if (!g) {
      g = { set, ports: [] };
      groups.set(gk, g);
    }
    const p = ports.get(pk);
    if (p) g.ports.push(p);
  }
  const out: EndpointSubset[] = [];
  for (const g of groups.values()) {
    const ready: EndpointAddress[] = [];
    const notReady: EndpointAddress[] = [];
    for (const [ak, r] of g.set) (r ? ready : notReady).push(addrs.get(ak)!);
    const s: EndpointSubset = {};
    if (ready.length > 0) s.addresses = ready.sort(compareAddresses);
    if (notReady.length > 0) s.notReadyAddresses = notReady.sort(compareAddresses);
    if (g.ports.length > 0) s.ports = g.ports.sort(comparePorts);
    out.push(s);
  }
  return out.sort((a, b) => {
    const fa = a.addresses?.[0] ?? a.notReadyAddresses?.[0];
    const fb = b.addresses?.[0] ?? b.notReadyAddresses?.[0];
    const c = fa && fb ? compareAddresses(fa, fb) : 0;
    if (c !== 0) return c;
    return JSON.stringify(a.ports ?? []) < JSON.stringify(b.ports ?? []) ? -1 : 1;
  });
}
