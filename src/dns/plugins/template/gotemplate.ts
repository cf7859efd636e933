/**
 * The part of Go's text/template that CoreDNS's template examples use: `{{ .Field }}`,
 * `{{ .Group.name }}`, `{{ index .Match 1 }}`, `{{ index .Group "name" }}`,
 * `{{ parseInt .Group.b 16 8 }}`, string and number literals, and `{{-`/`-}}` trimming. Parsed
 * once at setup; a missing map key prints "<no value>" as in Go.
 */

export type Value =
  | string
  | number
  | bigint
  | readonly string[]
  | Readonly<Record<string, string>>
  | undefined;
export type Data = Readonly<Record<string, Value>>;

type Arg =
  | { kind: "field"; path: string[] }
  | { kind: "string"; value: string }
  | { kind: "number"; value: number };

type Node = { kind: "text"; text: string } | { kind: "action"; fn: string | undefined; args: Arg[] };

export class Template {
  private constructor(
    readonly source: string,
    private readonly nodes: Node[],
  ) {}

  static parse(source: string): Template {
    const nodes: Node[] = [];
    let rest = source;
    while (rest.length > 0) {
      const open = rest.indexOf("{{");
      if (open < 0) {
        nodes.push({ kind: "text", text: rest });
        break;
      }
      let text = rest.slice(0, open);
      let inner = rest.slice(open + 2);
      if (/^- /.test(inner)) {
        text = text.trimEnd();
        inner = inner.slice(1);
      }
      const close = findClose(inner);
      if (close < 0) throw new Error("unclosed action");
      let body = inner.slice(0, close);
      let after = inner.slice(close + 2);
      if (/ -$/.test(body)) {
        body = body.slice(0, -1);
        after = after.trimStart();
      }
      if (text) nodes.push({ kind: "text", text });
      nodes.push(parseAction(body.trim()));
      rest = after;
    }
    return new Template(source, nodes);
  }

  execute(data: Data): string {
    let out = "";
    for (const n of this.nodes) {
      if (n.kind === "text") out += n.text;
      else out += print(run(n, data));
    }
    return out;
  }
}

function findClose(s: string): number {
  let quote = "";
  for (let i = 0; i < s.length - 1; i++) {
    const c = s[i];
    if (quote) {
      if (c === "\\" && quote === '"') i++;
      else if (c === quote) quote = "";
    } else if (c === '"' || c === "`") quote = c;
    else if (c === "}" && s[i + 1] === "}") return i;
  }
  return -1;
}

function parseAction(body: string): Node {
  if (body === "") throw new Error("missing value for command");
  const words = tokenize(body);
  const first = words[0];
  if (first.kind === "ident") {
    if (first.text !== "index" && first.text !== "parseInt")
      throw new Error(`function "${first.text}" not defined`);
    const args = words.slice(1).map(toArg);
    if (first.text === "index" && args.length < 1) throw new Error("wrong number of args for index");
    if (first.text === "parseInt" && args.length !== 3) {
      throw new Error(`wrong number of args for parseInt: want 3 got ${args.length}`);
    }
    return { kind: "action", fn: first.text, args };
  }
  if (words.length !== 1) throw new Error(`can't give argument to non-function ${body}`);
  return { kind: "action", fn: undefined, args: [toArg(first)] };
}

type Word = { kind: "ident" | "field" | "string" | "number"; text: string };

function tokenize(s: string): Word[] {
  const out: Word[] = [];
  let i = 0;
  while (i < s.length) {
    const c = s[i];
    if (c === " " || c === "\t") {
      i++;
      continue;
    }
    if (c === '"') {
      let j = i + 1;
      while (j < s.length && s[j] !== '"') j += s[j] === "\\" ? 2 : 1;
      if (j >= s.length) throw new Error("unterminated quoted string");
      out.push({ kind: "string", text: JSON.parse(s.slice(i, j + 1)) as string });
      i = j + 1;
      continue;
    }
    if (c === "`") {
      const j = s.indexOf("`", i + 1);
      if (j < 0) throw new Error("unterminated raw quoted string");
      out.push({ kind: "string", text: s.slice(i + 1, j) });
      i = j + 1;
      continue;
    }
    const m = /^[^\s]+/.exec(s.slice(i));
    const w = m ? m[0] : c;
    if (w.startsWith(".")) out.push({ kind: "field", text: w });
    else if (/^-?\d+$/.test(w)) out.push({ kind: "number", text: w });
    else if (/^[A-Za-z_]\w*$/.test(w)) out.push({ kind: "ident", text: w });
    else throw new Error(`unexpected "${w}" in command`);
    i += w.length;
  }
  return out;
}

function toArg(w: Word): Arg {
  switch (w.kind) {
    case "field": {
      if (w.text === ".") return { kind: "field", path: [] };
      const path = w.text.slice(1).split(".");
      if (path.some((p) => !/^\w+$/.test(p))) throw new Error(`bad field ${w.text}`);
      return { kind: "field", path };
    }
    case "string":
      return { kind: "string", value: w.text };
    case "number":
      return { kind: "number", value: Number(w.text) };
    default:
      throw new Error(`function "${w.text}" not defined`);
  }
}

function evalArg(a: Arg, data: Data): Value {
  if (a.kind === "string") return a.value;
  if (a.kind === "number") return a.value;
  let v: Value | Data = data;
  for (const p of a.path) {
    if (v === undefined || typeof v !== "object" || Array.isArray(v)) {
      throw new Error(`can't evaluate field ${p}`);
    }
    const obj = v as Record<string, Value>;
    if (v !== data && !(p in obj)) return undefined;
    if (v === data && !(p in obj))
      throw new Error(`can't evaluate field ${p} in type *template.templateData`);
    v = obj[p];
  }
  return v as Value;
}

function run(n: Extract<Node, { kind: "action" }>, data: Data): Value {
  const args = n.args.map((a) => evalArg(a, data));
  if (n.fn === undefined) return args[0];
  if (n.fn === "index") {
    let v = args[0];
    for (const k of args.slice(1)) {
      if (Array.isArray(v)) {
        const i = Number(k);
        if (!Number.isInteger(i) || i < 0 || i >= v.length)
          throw new Error(`error calling index: index out of range: ${k}`);
        v = v[i];
      } else if (v && typeof v === "object") {
        v = (v as Record<string, string>)[String(k)];
      } else throw new Error("error calling index: can't index item");
    }
    return v;
  }
  // parseInt is strconv.ParseUint(s, base, bitSize).
  const [s, base, bits] = args;
  const str = String(s ?? "");
  const b = Number(base);
  const digits = b === 16 ? /^[0-9a-fA-F]+$/ : b === 8 ? /^[0-7]+$/ : b === 2 ? /^[01]+$/ : /^[0-9]+$/;
  if (!digits.test(str))
    throw new Error(`error calling parseInt: strconv.ParseUint: parsing "${str}": invalid syntax`);
  const v = BigInt(b === 10 ? str : `0${b === 16 ? "x" : b === 8 ? "o" : "b"}${str}`);
  if (v >= 1n << BigInt(Number(bits))) {
    throw new Error(`error calling parseInt: strconv.ParseUint: parsing "${str}": value out of range`);
  }
  return v;
}

function print(v: Value): string {
  if (v === undefined) return "<no value>";
  if (Array.isArray(v)) return `[${v.join(" ")}]`;
  if (typeof v === "object") {
    const keys = Object.keys(v).sort();
    return `map[${keys.map((k) => `${k}:${(v as Record<string, string>)[k]}`).join(" ")}]`;
  }
  return String(v);
}
