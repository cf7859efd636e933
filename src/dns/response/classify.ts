/**
 * Response types and classes as CoreDNS's plugin/pkg/response (Typify, Classify), used by log
 * classes, cache and metrics.
 */
import type { Packet } from "dns-packet";

export type ResponseType =
  | "NOERROR"
  | "NXDOMAIN"
  | "NODATA"
  | "DELEGATION"
  | "META"
  | "UPDATE"
  | "SERVERERROR"
  | "OTHERERROR";

export type ResponseClass = "success" | "denial" | "error";

export function typify(m: Packet | undefined): ResponseType {
  if (!m) return "OTHERERROR";
  let soa = false;
  let ns = 0;
  for (const r of m.authorities ?? []) {
    if (r.type === "SOA") soa = true;
    else if (r.type === "NS") ns++;
  }
  return typifyCounts(m.flags ?? 0, m.questions?.[0]?.type, m.answers?.length ?? 0, soa, ns);
}

/**
 * Typify from what a caller that walks the records anyway has counted: the header flags, the
 * first question's type, the number of answers, an SOA and the NS records in authority.
 */
export function typifyCounts(
  flags: number,
  qtype: string | undefined,
  answers: number,
  soa: boolean,
  ns: number,
): ResponseType {
  const opcode = (flags >> 11) & 0xf;
  if (opcode === 5) return "UPDATE";
  if (opcode === 4) return "META";
  if (qtype === "AXFR" || qtype === "IXFR") return "META";
  const rcode = flags & 0xf;
  if (answers > 0 && rcode === 0) return "NOERROR";
  if (answers > 0 && rcode === 3) return "OTHERERROR";
  if (soa && rcode === 0) return "NODATA";
  if (rcode === 3) return "NXDOMAIN";
  if (rcode === 2 || rcode === 4) return "SERVERERROR";
  if (ns > 0 && rcode === 0) return "DELEGATION";
  if (rcode === 0) return "NOERROR";
  return "OTHERERROR";
}

export function classify(t: ResponseType): ResponseClass {
  switch (t) {
    case "NOERROR":
    case "DELEGATION":
      return "success";
    case "NXDOMAIN":
    case "NODATA":
      return "denial";
    default:
      return "error";
  }
}
