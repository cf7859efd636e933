/**
 * The kubernetes answers the server may write directly (server/direct.ts): the same lookups as
 * the handler (services(), Records.reverse()), written as records instead of built as objects.
 * Only the plain forms: one address, one PTR target, one SRV record with its address, and the
 * denials with the zone's SOA. Anything else (several records, a CNAME to follow, fallthrough,
 * SERVFAIL before the first sync) is left to the handler.
 */

import type { SoaData } from "dns-packet";
import { equalFold, matchZone } from "../../names.ts";
import { Rcode } from "../../plugin.ts";
import type { Question, ReplyWriter } from "../../server/direct.ts";
import { addressCount, type Kubernetes, srvWeight } from "./kubernetes.ts";
import { hostFamily } from "./names.ts";
import type { Svc } from "./records.ts";

/** Write the answer of `k` to `q` into `w`; false when the handler must answer. */
export function directAnswer(k: Kubernetes, q: Question, w: ReplyWriter): boolean {
  const lname = q.lname;
  const lzone = matchZone(k.o.zones, lname);
  if (lzone === "" || lzone === ".") return false;
  switch (q.qtype) {
    case "A":
    case "AAAA":
      return address(k, q, w, lzone);
    case "PTR":
      return ptr(k, q, w, lzone);
    case "SRV":
      return srv(k, q, w, lzone);
    default:
      return false;
  }
}

function address(k: Kubernetes, q: Question, w: ReplyWriter, lzone: string): boolean {
  const f = k.services(q.lname, lzone, q.qtype, lzone);
  if (f.nx) return denial(k, q, w, lzone, true);
  const want = q.qtype === "A" ? 4 : 6;
  let one: Svc | undefined;
  for (const s of f.svcs) {
    const fam = hostFamily(s.host);
    // A name is a CNAME to follow.
    if (fam === 0) return false;
    if (fam !== want) continue;
    // The same address twice is one record; two records are the handler's (and the shuffle's).
    if (one === undefined) one = s;
    else if (s.host !== one.host) return false;
  }
  if (one === undefined) return denial(k, q, w, lzone, false);
  return w.address(q.lname, one.ttl, want, one.host);
}

function ptr(k: Kubernetes, q: Question, w: ReplyWriter, lzone: string): boolean {
  const f = k.recs.reverse(q.lname, lzone);
  if (f.nx) return denial(k, q, w, lzone, true);
  let one: Svc | undefined;
  for (const s of f.svcs) {
    if (hostFamily(s.host) !== 0) continue;
    if (one === undefined) one = s;
    else if (s.host !== one.host) return false;
  }
  if (one === undefined) return denial(k, q, w, lzone, false);
  return w.ptr(q.lname, one.ttl, one.host);
}

/** plugin.SRV with one target: its weight as the handler shares it, its address as extra. */
function srv(k: Kubernetes, q: Question, w: ReplyWriter, lzone: string): boolean {
  const f = k.services(q.lname, lzone, "SRV", lzone);
  if (f.nx) return denial(k, q, w, lzone, true);
  let one: Svc | undefined;
  for (const s of f.svcs) {
    if (hostFamily(s.host) === 0 || s.port === -1) continue;
    if (one === undefined) one = s;
    // Another record or another extra address: the handler's.
    else if (s.port !== one.port || s.host !== one.host || !equalFold(s.key, one.key)) return false;
  }
  if (one === undefined) return denial(k, q, w, lzone, false);
  if (!w.srv(q.lname, one.ttl, 0, srvWeight(addressCount(f.svcs)), one.port, one.key)) return false;
  w.to(2);
  return w.address(one.key, one.ttl, hostFamily(one.host) === 4 ? 4 : 6, one.host);
}

/** BackendError: NXDOMAIN (or NODATA) with the zone's SOA in authority. */
function denial(k: Kubernetes, q: Question, w: ReplyWriter, lzone: string, nx: boolean): boolean {
  if (nx) {
    if (k.o.fallthrough && matchZone(k.o.fallthrough, q.lname) !== "") return false;
    if (!k.view.synced()) return false;
  }
  w.rcode = nx ? Rcode.NXDOMAIN : Rcode.NOERROR;
  const soa = k.soa(lzone) as { name: string; ttl: number; data: SoaData };
  w.to(1);
  return w.soaRecord(soa.name, soa.ttl, soa.data);
}
