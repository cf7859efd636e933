/**
 * RFC 1035 master-file records from text, as miekg/dns NewRR reads a template's output:
 * `NAME [TTL] [CLASS] TYPE RDATA`, TTL 3600 and class IN by default, names relative to the root,
 * parentheses joining lines. Types: A, AAAA, CNAME, DNAME, NS, PTR, MX, SRV, TXT, SOA.
 */
import { isIPv4, isIPv6 } from "node:net";
import type { Answer } from "dns-packet";

const CLASSES = new Set(["IN", "CH", "HS", "CS", "ANY"]);

export function parseRR(text: string): Answer {
  const t = words(text);
  if (t.length < 2) throw new Error(`dns: not enough fields in RR: "${text}"`);
  const name = absolute(t[0].text);
  let i = 1;
  let ttl = 3600;
  let klass = "IN";
  for (let k = 0; k < 2 && i < t.length; k++) {
    if (/^\d+$/.test(t[i].text)) ttl = Number(t[i++].text);
    else if (CLASSES.has(t[i].text.toUpperCase())) klass = t[i++].text.toUpperCase();
  }
  if (i >= t.length) throw new Error(`dns: missing type in RR: "${text}"`);
  const type = t[i++].text.toUpperCase();
  const rd = t.slice(i);
  const s = rd.map((w) => w.text);
  const need = (n: number) => {
    if (s.length !== n) throw new Error(`dns: bad ${type} rdata in RR: "${text}"`);
  };
  const num = (v: string, max: number) => {
    if (!/^\d+$/.test(v) || Number(v) > max)
      throw new Error(`dns: bad ${type} number "${v}" in RR: "${text}"`);
    return Number(v);
  };
  const base = { name, ttl, class: klass as "IN" };
  switch (type) {
    case "A":
      need(1);
      if (!isIPv4(s[0])) throw new Error(`dns: bad A A: "${s[0]}"`);
      return { ...base, type, data: s[0] };
    case "AAAA":
      need(1);
      if (!isIPv6(s[0])) throw new Error(`dns: bad AAAA AAAA: "${s[0]}"`);
      return { ...base, type, data: s[0] };
    case "CNAME":
    case "DNAME":
    case "NS":
    case "PTR":
      need(1);
      return { ...base, type, data: absolute(s[0]) };
    case "MX":
      need(2);
      return { ...base, type, data: { preference: num(s[0], 65535), exchange: absolute(s[1]) } };
    case "SRV":
      need(4);
      return {
        ...base,
        type,
        data: {
          priority: num(s[0], 65535),
          weight: num(s[1], 65535),
          port: num(s[2], 65535),
          target: absolute(s[3]),
        },
      };
    case "TXT":
      if (s.length === 0) throw new Error(`dns: bad TXT rdata in RR: "${text}"`);
      return { ...base, type, data: s };
    case "SOA":
      need(7);
      return {
        ...base,
        type,
        data: {
          mname: absolute(s[0]),
          rname: absolute(s[1]),
          serial: num(s[2], 0xffffffff),
          refresh: num(s[3], 0xffffffff),
          retry: num(s[4], 0xffffffff),
          expire: num(s[5], 0xffffffff),
          minimum: num(s[6], 0xffffffff),
        },
      };
    default:
      throw new Error(`dns: unknown or unsupported RR type "${type}" in RR: "${text}"`);
  }
}

function absolute(n: string): string {
  if (n === "@" || n === ".") return ".";
  return n.endsWith(".") ? n : `${n}.`;
}

/** Whitespace-separated words; quotes group; parentheses and `;` comments are dropped. */
function words(text: string): Array<{ text: string; quoted: boolean }> {
  const out: Array<{ text: string; quoted: boolean }> = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (/\s/.test(c) || c === "(" || c === ")") {
      i++;
      continue;
    }
    if (c === ";") break;
    if (c === '"') {
      let j = i + 1;
      let v = "";
      while (j < text.length && text[j] !== '"') {
        if (text[j] === "\\" && j + 1 < text.length) j++;
        v += text[j++];
      }
      if (j >= text.length) throw new Error(`dns: unbalanced quotes in RR: "${text}"`);
      out.push({ text: v, quoted: true });
      i = j + 1;
      continue;
    }
    let j = i;
    while (j < text.length && !/[\s()";]/.test(text[j])) j++;
    out.push({ text: text.slice(i, j), quoted: false });
    i = j;
  }
  return out;
}
