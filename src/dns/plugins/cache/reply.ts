/**
 * What the cache learns from a reply and the rules that decide whether and for how long it is
 * cached (plugin/cache/cache.go key, cacheResponseType, isNODATA; dnsutil.MinimalTTL). A miss
 * stores every reply, so this is one pass over the records with no allocation in the common
 * case: no lowercased names, no filtered arrays, no Set unless the answer has CNAMEs.
 */
import type { Answer, Packet } from "dns-packet";
import { Flag } from "../../message/message.ts";
import { fqdnLower, lowersTo } from "../../names.ts";
import { type ResponseType, typifyCounts } from "../../response/classify.ts";

/** dnsutil.MinimalDefaultTTL and MaximumDefaultTTL, in seconds. */
export const MIN_TTL = 5;
export const MAX_TTL = 3600;

/** The facts of one reply (examine). */
export class ReplyFacts {
  /** cacheResponseType: Typify, with NOERROR turned NODATA when the answer misses the question. */
  t: ResponseType = "OTHERERROR";
  /** cache.go key(): whether the reply may be cached at all. */
  cacheable = false;
  /** An SOA in authority. */
  soa = false;
  /** An OPT record in any section (the cache's replies and entries carry none). */
  opt = false;
  /** Records counted by MinimalTTL: answers, authorities, additionals but OPT. */
  records = 0;
  /** Lowest TTL of those records (Infinity without any). */
  minTTL = Number.POSITIVE_INFINITY;
  /** Lowest SOA MINIMUM among them (Infinity without any). */
  minSOA = Number.POSITIVE_INFINITY;
  /** The TTL every record but OPT has, when they all have the same one; else NaN. */
  sameTTL = Number.NaN;
}

/**
 * Fill `f` with the facts of `m`. `qlname` is the question name as `lower` gives it when the
 * caller knows it (the reply's question is the request's); undefined: computed when needed.
 */
export function examine(m: Packet, qlname: string | undefined, f: ReplyFacts): ReplyFacts {
  const answers = m.answers;
  const authorities = m.authorities;
  const additionals = m.additionals;
  const flags = m.flags ?? 0;
  const rcode = flags & 0xf;
  f.opt = false;
  f.records = 0;
  f.minTTL = Number.POSITIVE_INFINITY;
  f.minSOA = Number.POSITIVE_INFINITY;
  f.sameTTL = Number.NaN;
  let first = true;
  let same = true;
  let cname = false;
  let soa = false;
  let ns = 0;
  // MinimalTTL counts every answer and authority record (an OPT there has TTL 0) but no OPT in
  // additionals; the cache's own copies drop OPT from every section.
  for (let s = 0; s < 3; s++) {
    const rs = s === 0 ? answers : s === 1 ? authorities : additionals;
    if (!rs) continue;
    for (let i = 0; i < rs.length; i++) {
      const r = rs[i];
      const isOpt = r.type === "OPT";
      if (isOpt) f.opt = true;
      if (isOpt && s === 2) continue;
      f.records++;
      const raw = (r as { ttl?: unknown }).ttl;
      const ttl = typeof raw === "number" ? raw : 0;
      if (ttl < f.minTTL) f.minTTL = ttl;
      if (!isOpt) {
        if (first) {
          f.sameTTL = typeof raw === "number" ? raw : Number.NaN;
          first = false;
        } else if (raw !== f.sameTTL) same = false;
      }
      if (r.type === "SOA") {
        const min = r.data.minimum;
        if (min !== undefined && min < f.minSOA) f.minSOA = min;
        if (s === 1) soa = true;
      } else if (r.type === "NS" && s === 1) ns++;
      else if (r.type === "CNAME" && s === 0) cname = true;
    }
  }
  if (!same) f.sameTTL = Number.NaN;
  f.soa = soa;
  const nAnswers = answers?.length ?? 0;
  let t = typifyCounts(flags, m.questions?.[0]?.type, nAnswers, soa, ns);
  // A NOERROR answer that does not answer the question is NODATA with an SOA, and not cacheable
  // without one (RFC 2308 §5: negative caching needs the SOA's TTL).
  let cacheable = (flags & Flag.TC) === 0 && t !== "OTHERERROR" && t !== "META" && t !== "UPDATE";
  if (t === "NOERROR" && nAnswers > 0 && !answers1(m, rcode, qlname, cname)) {
    if (soa) t = "NODATA";
    else cacheable = false;
  }
  if (t === "NXDOMAIN" && !soa) cacheable = false;
  f.t = t;
  f.cacheable = cacheable;
  return f;
}

/**
 * The lowest TTL in the reply, at most `max` (dnsutil.MinimalTTLWithMaximum); 5s for other
 * types and for replies without records. For a denial the SOA's MINIMUM bounds it too
 * (RFC 2308 §5; equal to the SOA's TTL in the kubernetes plugin's and compliant servers' replies).
 */
export function minimalTTLOf(f: ReplyFacts, max: number): number {
  const t = f.t;
  if (t !== "NOERROR" && t !== "NXDOMAIN" && t !== "NODATA") return MIN_TTL;
  if (f.records === 0) return MIN_TTL;
  let min = max;
  if (f.minTTL < min) min = f.minTTL;
  if (t !== "NOERROR" && f.minSOA < min) min = f.minSOA;
  return min;
}

/** Typify, with a NOERROR whose CNAME chain does not reach the question type and an SOA as NODATA. */
export function cacheResponseType(m: Packet): ResponseType {
  return examine(m, undefined, scratch).t;
}
const scratch = new ReplyFacts();

/** Whether the reply may be cached at all (cache.go key()), for a reply of type `t`. */
export function cacheable(m: Packet, t: ResponseType): boolean {
  const f = examine(m, undefined, scratch);
  if (f.t === t) return f.cacheable;
  // A type decided elsewhere: the rules of key() applied to it.
  if (((m.flags ?? 0) & Flag.TC) !== 0) return false;
  if (t === "OTHERERROR" || t === "META" || t === "UPDATE") return false;
  if (t === "NXDOMAIN" && !f.soa) return false;
  if (t === "NOERROR" && !f.soa && (m.answers?.length ?? 0) > 0 && !answersQuestion(m)) return false;
  return true;
}

/** The MinimalTTL of a reply of type `t`, at most `max`. */
export function minimalTTL(m: Packet, t: ResponseType, max: number): number {
  const f = examine(m, undefined, scratch);
  f.t = t;
  return minimalTTLOf(f, max);
}

/** All records but OPT, with `ttl` (dnssec.go filterRRSlice). */
export function setTTL(rs: Answer[] | undefined, ttl: number): Answer[] {
  const out: Answer[] = [];
  if (!rs) return out;
  for (let i = 0; i < rs.length; i++) {
    const r = rs[i];
    if (r.type !== "OPT") out.push({ ...r, ttl } as Answer);
  }
  return out;
}

/** answersQuestion for a reply with answers and a known rcode; the CNAME-free case directly. */
function answers1(m: Packet, rcode: number, qlname: string | undefined, cname: boolean): boolean {
  const q = m.questions?.[0];
  const answers = m.answers;
  if (!q || rcode !== 0 || !answers || answers.length === 0) return false;
  if (cname || q.type === "CNAME") return answersQuestion(m);
  const qclass = q.class ?? "IN";
  const name = qlname ?? fqdnLower(q.name);
  const any = (q.type as string) === "ANY";
  for (let i = 0; i < answers.length; i++) {
    const r = answers[i];
    if ((any || r.type === q.type) && classOk(r, qclass) && lowersTo(r.name, name)) return true;
  }
  return false;
}

function classOk(r: Answer, qclass: string): boolean {
  return qclass === "ANY" || (("class" in r ? r.class : undefined) ?? "IN") === qclass;
}

/** The answer holds the question type at the end of the CNAME chain from the question name. */
export function answersQuestion(m: Packet): boolean {
  const q = m.questions?.[0];
  const answers = m.answers ?? [];
  if (!q || (m.flags ?? 0) & 0xf || answers.length === 0) return false;
  const qclass = q.class ?? "IN";
  let name = fqdnLower(q.name);
  if ((q.type as string) === "ANY") return answers.some((r) => classOk(r, qclass) && lowersTo(r.name, name));
  if (q.type === "CNAME") return typeof cnameOf(answers, qclass, name) === "string";
  const seen = new Set<string>();
  for (;;) {
    if (seen.has(name)) return false;
    seen.add(name);
    const t = cnameOf(answers, qclass, name);
    if (t === null) return false;
    if (t === undefined) break;
    name = t;
  }
  const at = name;
  return answers.some((r) => r.type === q.type && classOk(r, qclass) && lowersTo(r.name, at));
}

/** The one CNAME target of `owner` (lowercased); undefined: none; null: several different. */
function cnameOf(answers: readonly Answer[], qclass: string, owner: string): string | undefined | null {
  let target: string | undefined;
  for (const r of answers) {
    if (r.type !== "CNAME" || !classOk(r, qclass) || !lowersTo(r.name, owner)) continue;
    const t = fqdnLower(String(r.data));
    if (target !== undefined && target !== t) return null;
    target = t;
  }
  return target;
}
