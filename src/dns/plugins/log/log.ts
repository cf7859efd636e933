/**
 * log: one line per query, for names under a rule's scope and replies of the rule's classes,
 * in CoreDNS's Common Log Format or a custom format of placeholders (plugin/log,
 * plugin/pkg/replacer).
 */
import { performance } from "node:perf_hooks";
import { Flag, rcodeName, replyTo } from "../../message/message.ts";
import type { Handler, Logger, Plugin, Request } from "../../plugin.ts";
import { Rcode, serverShouldWrite } from "../../plugin.ts";
import { classify, type ResponseClass, typify } from "../../response/classify.ts";
import { Recorder } from "../../response/recorder.ts";

export const COMMON_LOG_FORMAT =
  '{remote}:{port} - {>id} "{type} {class} {name} {proto} {size} {>do} {>bufsize}" {rcode} {>rflags} {rsize} {duration}';
export const COMBINED_LOG_FORMAT = `${COMMON_LOG_FORMAT} "{>opcode}"`;

export interface Rule {
  /** Fully qualified, lowercase. */
  scope: string;
  format: string;
  /** Empty or containing "all" logs every reply. */
  classes: Set<ResponseClass | "all">;
}

export function logPlugin(rules: Rule[], log: Logger): Plugin {
  const compiled = rules.map((r) => ({ ...r, render: compile(r.format) }));
  return (next) => {
    const h: Handler = {
      name: "log",
      async serveDNS(req, w, signal) {
        const rule = compiled.find((r) => inScope(req.lname, r.scope));
        if (!rule) return next ? next.serveDNS(req, w, signal) : Rcode.SERVFAIL;
        const rec = new Recorder(w);
        const rcode = next ? await next.serveDNS(req, rec, signal) : Rcode.SERVFAIL;
        let msg = rec.msg;
        let rc = rec.rcode;
        let size = rec.size;
        if (!msg && serverShouldWrite(rcode)) {
          // The server will answer with this rcode: log what it will send.
          msg = replyTo(req.msg, rcode);
          rc = rcode;
          size = 0;
        }
        const cls = classify(typify(msg));
        if (rule.classes.size === 0 || rule.classes.has("all") || rule.classes.has(cls)) {
          const flags = (msg?.flags ?? 0) | (msg?.type === "response" || !rec.msg ? Flag.QR : 0);
          log.info(rule.render(req, { msg: msg !== undefined, rcode: rc, flags, size, start: rec.start }));
        }
        return rcode;
      },
    };
    return h;
  };
}

function inScope(name: string, scope: string): boolean {
  return scope === "." || name === scope || name.endsWith(`.${scope}`);
}

interface Reply {
  msg: boolean;
  rcode: number;
  flags: number;
  size: number;
  start: number;
}

type Part = string | ((req: Request, r: Reply) => string);

const LABELS: Record<string, (req: Request, r: Reply) => string> = {
  "{type}": (q) => q.qtype,
  "{name}": (q) => q.lname,
  "{class}": (q) => q.qclass,
  "{proto}": (q) => q.proto,
  "{size}": (q) => String(q.length),
  "{remote}": (q) => bracket(plainIP(q.remote.address)),
  "{port}": (q) => String(q.remote.port),
  "{local}": () => "-",
  "{>id}": (q) => String(q.msg.id ?? 0),
  "{>opcode}": (q) => String(((q.msg.flags ?? 0) >> 11) & 0xf),
  "{>do}": (q) => String(q.do),
  "{>bufsize}": (q) => String(q.size),
  "{rcode}": (_, r) => (r.msg ? rcodeName(r.rcode) : "-"),
  "{rsize}": (_, r) => String(r.size),
  "{duration}": (_, r) => seconds((performance.now() - r.start) / 1000),
  "{>rflags}": (_, r) => (r.msg ? flagList(r.flags) : "-"),
};

/** Split a format into literals and placeholders (replacer.parseFormat); unknown ones stay literal. */
export function compile(format: string): (req: Request, r: Reply) => string {
  const parts: Part[] = [];
  let s = format;
  for (;;) {
    const j = s.indexOf("}");
    if (j < 0) break;
    const i = s.lastIndexOf("{", j);
    if (i < 0) {
      parts.push(s.slice(0, j + 1));
      s = s.slice(j + 1);
      continue;
    }
    const label = s.slice(i, j + 1);
    const fn = LABELS[label] ?? (label.startsWith("{/") ? () => "-" : undefined);
    if (fn) {
      if (i > 0) parts.push(s.slice(0, i));
      parts.push(fn);
    } else parts.push(s.slice(0, j + 1));
    s = s.slice(j + 1);
  }
  if (s !== "") parts.push(s);
  return (req, r) => {
    let out = "";
    for (const p of parts) out += typeof p === "string" ? p : p(req, r);
    return out;
  };
}

function flagList(flags: number): string {
  const out: string[] = [];
  if (flags & Flag.QR) out.push("qr");
  if (flags & Flag.AA) out.push("aa");
  if (flags & Flag.TC) out.push("tc");
  if (flags & Flag.RD) out.push("rd");
  if (flags & Flag.RA) out.push("ra");
  if (flags & Flag.Z) out.push("z");
  if (flags & Flag.AD) out.push("ad");
  if (flags & Flag.CD) out.push("cd");
  return out.join(",");
}

function plainIP(a: string): string {
  return a.startsWith("::ffff:") && a.includes(".") ? a.slice(7) : a;
}

function bracket(a: string): string {
  return a.includes(":") ? `[${a}]` : a;
}

/** Seconds as Go's strconv.FormatFloat(s, 'f', -1, 64) + "s" would print them, without exponent. */
function seconds(s: number): string {
  const fixed = s.toFixed(9).replace(/0+$/, "").replace(/\.$/, "");
  return `${fixed}s`;
}
