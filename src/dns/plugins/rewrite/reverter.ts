/**
 * The response side of rewrite (plugin/rewrite/reverter.go): the client gets its own question
 * back, and the response rules collected from the matching request rules run over every record
 * of the authority, answer and additional sections, last rule first. The reply is copied first,
 * so a message another plugin keeps (a cache) is never changed.
 */
import type { Answer, Packet, Question } from "dns-packet";
import type { ResponseWriter } from "../../plugin.ts";
import { WrappedWriter } from "../../response/wrapped.ts";

/** Rewrites one record in place; `msg` rules change the header of record-less replies. */
export interface ResponseRule {
  record?(rr: Answer): void;
  msg?(res: Packet): void;
}

export class ResponseReverter extends WrappedWriter {
  constructor(
    inner: ResponseWriter,
    private readonly original: Question,
    readonly rules: ResponseRule[],
  ) {
    super(inner);
  }

  write(msg: Packet): void {
    const res: Packet = {
      ...msg,
      questions: [{ ...this.original }, ...(msg.questions ?? []).slice(1)],
      answers: (msg.answers ?? []).map(copyRecord),
      authorities: (msg.authorities ?? []).map(copyRecord),
      additionals: (msg.additionals ?? []).map(copyRecord),
    };
    if (this.rules.length > 0) {
      for (const rr of res.authorities ?? []) this.rewriteRecord(rr);
      for (const rr of res.answers ?? []) this.rewriteRecord(rr);
      for (const rr of res.additionals ?? []) this.rewriteRecord(rr);
      const records = (res.answers?.length ?? 0) + (res.authorities?.length ?? 0);
      const extra = (res.additionals ?? []).filter((r) => r.type !== "OPT").length;
      if (records + extra === 0) {
        for (let i = this.rules.length - 1; i >= 0; i--) this.rules[i].msg?.(res);
      }
    }
    this.inner.write(res);
  }

  private rewriteRecord(rr: Answer): void {
    if (rr.type === "OPT") return;
    for (let i = this.rules.length - 1; i >= 0; i--) this.rules[i].record?.(rr);
  }
}

/** A record and its data object copied one level deep: enough for the fields rules change. */
function copyRecord(rr: Answer): Answer {
  const c = { ...rr } as Answer & { data?: unknown };
  const data = (rr as { data?: unknown }).data;
  if (data && typeof data === "object" && !Buffer.isBuffer(data) && !Array.isArray(data)) {
    c.data = { ...(data as object) };
  }
  return c;
}

/** The name a record points at, for value rules (getRecordValueForRewrite). */
export function recordValue(rr: Answer): string {
  switch (rr.type) {
    case "CNAME":
    case "NS":
    case "PTR":
    case "DNAME":
      return rr.data;
    case "SRV":
      return rr.data.target;
    case "MX":
      return rr.data.exchange;
    case "NAPTR":
      return rr.data.replacement;
    case "SOA":
      return rr.data.mname;
    default:
      return "";
  }
}

export function setRecordValue(rr: Answer, v: string): void {
  switch (rr.type) {
    case "CNAME":
    case "NS":
    case "PTR":
    case "DNAME":
      rr.data = v;
      return;
    case "SRV":
      rr.data.target = v;
      return;
    case "MX":
      rr.data.exchange = v;
      return;
    case "NAPTR":
      rr.data.replacement = v;
      return;
    case "SOA":
      rr.data.mname = v;
      return;
  }
}
