/**
 * template: answers queries from Go-style templates (plugin/template/template.go). The first
 * template whose zone, class, type and one of its regexes match answers; without `fallthrough`
 * a template whose zone matches but no regex does answers SERVFAIL.
 */
import type { Answer, Packet } from "dns-packet";
import type { Counter } from "prom-client";
import { Flag, optOf, replyTo } from "../../message/message.ts";
import { matchZone } from "../../names.ts";
import {
  type Handler,
  nextOrFailure,
  type Plugin,
  PluginError,
  Rcode,
  type Request,
  type ResponseWriter,
} from "../../plugin.ts";
import { findSubmatch } from "../rewrite/goregexp.ts";
import type { Data, Template } from "./gotemplate.ts";
import { parseRR } from "./rr.ts";

export interface TemplateSpec {
  zones: string[];
  qclass: string;
  qtype: string;
  regex: RegExp[];
  answer: Template[];
  additional: Template[];
  authority: Template[];
  rcode: number;
  ederror?: { code: number; reason: string };
  /** Zones subject to fallthrough; empty = no fallthrough. */
  fall: string[];
}

export interface TemplateMetrics {
  matches: Counter<"server" | "zone" | "view" | "class" | "type">;
  templateFailures: Counter<"server" | "zone" | "view" | "class" | "type" | "section" | "template">;
  rrFailures: Counter<"server" | "zone" | "view" | "class" | "type" | "section" | "template">;
}

export function template(specs: readonly TemplateSpec[], metrics: TemplateMetrics): Plugin {
  const zones = specs.flatMap((s) => s.zones);
  return (next) =>
    ({
      name: "template",
      serveDNS(req, w, signal) {
        if (matchZone(zones, req.lname) === "") return nextOrFailure("template", next, req, w, signal);
        for (const t of specs) {
          const m = match(t, req);
          if (!m.data) {
            if (!m.fall) return Promise.resolve(Rcode.SERVFAIL);
            continue;
          }
          const d = m.data;
          metrics.matches.inc({
            server: "",
            zone: d.Zone as string,
            view: "",
            class: d.Class as string,
            type: d.Type as string,
          });
          if (t.rcode === Rcode.SERVFAIL) return Promise.resolve(Rcode.SERVFAIL);
          return Promise.resolve(answer(t, req, w, d, metrics));
        }
        return nextOrFailure("template", next, req, w, signal);
      },
    }) satisfies Handler;
}

function answer(t: TemplateSpec, req: Request, w: ResponseWriter, d: Data, metrics: TemplateMetrics): number {
  const msg: Packet = replyTo(req.msg, t.rcode);
  msg.flags = (msg.flags ?? 0) | Flag.AA;
  const build = (section: "answer" | "additional" | "authority", tpls: Template[]): Answer[] =>
    tpls.map((tpl) => {
      const labels = {
        server: "",
        zone: d.Zone as string,
        view: "",
        class: d.Class as string,
        type: d.Type as string,
        section,
        template: tpl.source,
      };
      let text: string;
      try {
        text = tpl.execute(d);
      } catch (err) {
        metrics.templateFailures.inc(labels);
        throw new PluginError(Rcode.SERVFAIL, `template: executing ${section}: ${(err as Error).message}`);
      }
      try {
        return parseRR(text);
      } catch (err) {
        metrics.rrFailures.inc(labels);
        throw new PluginError(Rcode.SERVFAIL, (err as Error).message);
      }
    });
  msg.answers = build("answer", t.answer);
  msg.additionals = build("additional", t.additional);
  msg.authorities = build("authority", t.authority);
  // An extended error travels in EDNS0, so only to clients that speak it.
  if (t.ederror && optOf(req.msg)) {
    const text = Buffer.from(t.ederror.reason, "utf8");
    const data = Buffer.alloc(2 + text.length);
    data.writeUInt16BE(t.ederror.code, 0);
    text.copy(data, 2);
    msg.additionals.push({
      type: "OPT",
      name: ".",
      udpPayloadSize: 4096,
      extendedRcode: 0,
      ednsVersion: 0,
      flags: 0,
      flag_do: false,
      options: [{ code: 15, data }],
    } as unknown as Answer);
  }
  w.write(msg);
  return t.rcode;
}

function match(t: TemplateSpec, req: Request): { data?: Data; fall: boolean } {
  const zone = matchZone(t.zones, req.lname);
  if (zone === "") return { fall: true };
  if (t.qclass !== "ANY" && req.qclass !== "ANY" && req.qclass !== t.qclass) return { fall: true };
  if (t.qtype !== "ANY" && req.qtype !== "ANY" && req.qtype !== t.qtype) return { fall: true };
  for (const re of t.regex) {
    const groups = findSubmatch(re, req.lname);
    if (!groups) continue;
    const group: Record<string, string> = {};
    groups.forEach((g, i) => {
      group[String(i)] = g;
    });
    const named = re.exec(req.lname)?.groups ?? {};
    for (const [k, v] of Object.entries(named)) group[k] = v ?? "";
    const ip = req.remote.address.startsWith("::ffff:") ? req.remote.address.slice(7) : req.remote.address;
    return {
      data: {
        Zone: zone,
        Name: req.lname,
        Regex: re.source,
        Match: groups,
        Group: group,
        Class: req.qclass !== "ANY" ? req.qclass : t.qclass,
        Type: req.qtype !== "ANY" ? req.qtype : t.qtype,
        Remote: ip,
      },
      fall: false,
    };
  }
  return { fall: t.fall.some((z) => matchZone([z], req.lname) !== "") };
}
