/**
 * rewrite: runs the rules over the question in order; a matching `stop` rule ends the list. The
 * next plugin sees the rewritten question; the client sees its own question back, with the
 * answer rules applied (plugin/rewrite/rewrite.go).
 */
import type { Question } from "dns-packet";
import { replyTo } from "../../message/message.ts";
import { fqdn, fqdnLower, isDomainName } from "../../names.ts";
import {
  type Handler,
  nextOrFailure,
  type Plugin,
  PluginError,
  Rcode,
  type Request,
  type ResponseWriter,
  serverShouldWrite,
} from "../../plugin.ts";
import { ResponseReverter, type ResponseRule } from "./reverter.ts";
import type { Rule } from "./rules.ts";

export function rewrite(rules: readonly Rule[]): Plugin {
  return (next) => new Rewrite(rules, next);
}

class Rewrite implements Handler {
  readonly name = "rewrite";

  constructor(
    private readonly rules: readonly Rule[],
    private readonly next: Handler | undefined,
  ) {}

  async serveDNS(req: Request, w: ResponseWriter, signal: AbortSignal): Promise<number> {
    const original = req.msg.questions![0];
    const q: Question = { ...original };
    const respRules: ResponseRule[] = [];
    let changed = false;
    let stopped = false;
    for (const rule of this.rules) {
      const before = lowerFqdn(q.name);
      const out = rule.rewrite(q, before);
      if (out === undefined) continue;
      changed = true;
      if (!isDomainName(q.name)) {
        throw new PluginError(Rcode.SERVFAIL, `invalid name after rewrite: ${q.name}`);
      }
      respRules.push(...out);
      if (rule.mode === "stop") {
        stopped = true;
        break;
      }
    }
    if (!changed) return nextOrFailure(this.name, this.next, req, w, signal);
    const name = fqdn(q.name);
    const rewritten: Request = {
      ...req,
      msg: { ...req.msg, questions: [q, ...(req.msg.questions ?? []).slice(1)] },
      name,
      lname: name.toLowerCase(),
      qtype: q.type,
      qclass: q.class ?? "IN",
    };
    // Without a stop and without response rules the question is not restored (rewrite.go).
    if (!stopped && respRules.length === 0) return nextOrFailure(this.name, this.next, rewritten, w, signal);
    const wr = new ResponseReverter(w, original, respRules);
    let rcode: number;
    try {
      rcode = await nextOrFailure(this.name, this.next, rewritten, wr, signal);
    } catch (err) {
      if (err instanceof PluginError && serverShouldWrite(err.rcode) && !wr.written) {
        wr.write(replyTo(rewritten.msg, err.rcode));
      }
      throw err;
    }
    if (!serverShouldWrite(rcode) || wr.written) return rcode;
    // Write the error reply here so it goes through the reverter, not around it.
    wr.write(replyTo(rewritten.msg, rcode));
    return Rcode.NOERROR;
  }
}

function lowerFqdn(n: string): string {
  return fqdnLower(n);
}
