import { normalizeKey } from "../../corefile/address.ts";
import { types } from "../../message/codes.ts";
import { rcodeByName } from "../../message/message.ts";
import type { PluginModule } from "../../plugin.ts";
import { goRegExp } from "../rewrite/goregexp.ts";
import { Template } from "./gotemplate.ts";
import { type TemplateSpec, template } from "./template.ts";

const CLASSES = new Set(["IN", "CS", "CH", "HS", "NONE", "ANY"]);
const MAX_REGEXP_LEN = 10000;

/** `template CLASS TYPE [ZONE…] { match…; answer…; additional…; authority…; rcode; ederror; fallthrough }`. */
const mod: PluginModule = {
  name: "template",
  setup(ctx) {
    const d = ctx.dispenser;
    const specs: TemplateSpec[] = [];
    while (d.next()) {
      if (!d.nextArg()) throw d.argErr();
      const qclass = d.val();
      if (!CLASSES.has(qclass)) throw d.err(`invalid query class ${qclass}`);
      if (!d.nextArg()) throw d.argErr();
      const qtype = d.val();
      // miekg's StringToType is case-sensitive: type names are upper case.
      if (qtype !== qtype.toUpperCase() || types.toType(qtype) === 0)
        throw d.err(`invalid RR class ${qtype}`);
      const args = d.remainingArgs();
      const zones =
        args.length > 0 ? args.flatMap((a) => normalizeKey(a, ctx.port).map((z) => z.zone)) : [...ctx.zones];
      const t: TemplateSpec = {
        zones,
        qclass,
        qtype,
        regex: [],
        answer: [],
        additional: [],
        authority: [],
        rcode: 0,
        fall: [],
      };
      while (d.nextBlock()) {
        const opt = d.val();
        switch (opt) {
          case "match": {
            const rs = d.remainingArgs();
            if (rs.length === 0) throw d.argErr();
            for (const r of rs) {
              if (r.length > MAX_REGEXP_LEN)
                throw d.err(`regex pattern too long: ${r.length} > ${MAX_REGEXP_LEN}`);
              try {
                t.regex.push(goRegExp(r));
              } catch (err) {
                throw d.err(`could not parse regex: ${r}, ${(err as Error).message}`);
              }
            }
            break;
          }
          case "answer":
          case "additional":
          case "authority": {
            const rs = d.remainingArgs();
            if (rs.length === 0) throw d.argErr();
            for (const r of rs) {
              try {
                t[opt].push(Template.parse(r));
              } catch (err) {
                throw d.err(`could not compile template: ${r}, ${(err as Error).message}`);
              }
            }
            break;
          }
          case "rcode": {
            if (!d.nextArg()) throw d.argErr();
            const rc = rcodeByName(d.val());
            if (rc === undefined) throw d.err(`unknown rcode ${d.val()}`);
            t.rcode = rc;
            break;
          }
          case "ederror": {
            const a = d.remainingArgs();
            if (a.length !== 1 && a.length !== 2) throw d.argErr();
            if (!/^\d+$/.test(a[0]) || Number(a[0]) > 65535) {
              throw d.err(`error parsing extended DNS error code ${a[0]}, invalid syntax`);
            }
            t.ederror = { code: Number(a[0]), reason: a[1] ?? "" };
            break;
          }
          case "fallthrough": {
            const a = d.remainingArgs();
            t.fall = a.length === 0 ? ["."] : a.flatMap((z) => normalizeKey(z, ctx.port).map((x) => x.zone));
            break;
          }
          case "upstream":
            // Accepted and ignored, as CoreDNS does ("remove soon").
            d.remainingArgs();
            break;
          case "var":
          case "expr":
            throw d.err(`template option '${opt}' (expressions) is not supported by Skiff`);
          default:
            throw d.argErr();
        }
      }
      if (t.regex.length === 0) t.regex.push(/.*/);
      specs.push(t);
    }
    const labels = ["server", "zone", "view", "class", "type"] as const;
    const failLabels = [...labels, "section", "template"] as const;
    return template(specs, {
      matches: ctx.metrics.counter(
        "coredns_template_matches_total",
        "Counter of template regex matches.",
        labels,
      ),
      templateFailures: ctx.metrics.counter(
        "coredns_template_template_failures_total",
        "Counter of go template failures.",
        failLabels,
      ),
      rrFailures: ctx.metrics.counter(
        "coredns_template_rr_failures_total",
        "Counter of mis-templated RRs.",
        failLabels,
      ),
    });
  },
};
export default mod;
