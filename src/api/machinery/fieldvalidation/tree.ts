/**
 * A body as written, before any decoder collapses it: every object keeps all of its keys in text
 * order (duplicates included), so unknown and duplicate fields are reported in the order a
 * strict decoder meets them. JSON is scanned here; YAML comes from the `yaml` package's document
 * model with unique keys not enforced.
 */
import { isMap, isScalar, isSeq, parseDocument, type Node as YamlNode } from "yaml";

export type RawNode =
  | { t: "object"; entries: Array<{ key: string; value: RawNode; line: number }> }
  | { t: "array"; items: RawNode[] }
  | { t: "scalar" };

const SCALAR: RawNode = { t: "scalar" };

/** Parse JSON text into a RawNode; undefined when the text is not valid JSON. */
export function jsonTree(text: string): RawNode | undefined {
  let i = 0;
  const ws = () => {
    while (i < text.length && (text[i] === " " || text[i] === "\t" || text[i] === "\n" || text[i] === "\r"))
      i++;
  };
  const str = (): string => {
    const start = i;
    i++; // opening quote
    while (i < text.length && text[i] !== '"') i += text[i] === "\\" ? 2 : 1;
    if (i >= text.length) throw new Error("unterminated string");
    i++;
    return JSON.parse(text.slice(start, i)) as string;
  };
  const value = (): RawNode => {
    ws();
    const c = text[i];
    if (c === "{") {
      i++;
      const entries: Array<{ key: string; value: RawNode; line: number }> = [];
      ws();
      if (text[i] === "}") {
        i++;
        return { t: "object", entries };
      }
      for (;;) {
        ws();
        if (text[i] !== '"') throw new Error("expected key");
        const key = str();
        ws();
        if (text[i] !== ":") throw new Error("expected colon");
        i++;
        entries.push({ key, value: value(), line: 0 });
        ws();
        if (text[i] === ",") {
          i++;
          continue;
        }
        if (text[i] === "}") {
          i++;
          return { t: "object", entries };
        }
        throw new Error("expected , or }");
      }
    }
    if (c === "[") {
      i++;
      const items: RawNode[] = [];
      ws();
      if (text[i] === "]") {
        i++;
        return { t: "array", items };
      }
      for (;;) {
        items.push(value());
        ws();
        if (text[i] === ",") {
          i++;
          continue;
        }
        if (text[i] === "]") {
          i++;
          return { t: "array", items };
        }
        throw new Error("expected , or ]");
      }
    }
    if (c === '"') {
      str();
      return SCALAR;
    }
    const m = /^(?:true|false|null|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)/.exec(text.slice(i, i + 64));
    if (!m) throw new Error("unexpected token");
    i += m[0].length;
    return SCALAR;
  };
  try {
    const root = value();
    ws();
    return i === text.length ? root : undefined;
  } catch {
    return undefined;
  }
}

/** Parse one YAML document into a RawNode (lines 1-based); undefined when it does not parse. */
export function yamlTree(text: string): RawNode | undefined {
  const doc = parseDocument(text, { uniqueKeys: false });
  if (doc.errors.length > 0) return undefined;
  const lineOf = (offset: number): number => {
    let n = 1;
    for (let k = 0; k < offset && k < text.length; k++) if (text.charCodeAt(k) === 10) n++;
    return n;
  };
  const conv = (n: unknown): RawNode => {
    if (isMap(n)) {
      const entries: Array<{ key: string; value: RawNode; line: number }> = [];
      for (const p of n.items) {
        const k = p.key as YamlNode | null;
        const key = isScalar(k) ? String(k.value) : String(k);
        const line = k?.range ? lineOf(k.range[0]) : 0;
        entries.push({ key, value: conv(p.value), line });
      }
      return { t: "object", entries };
    }
    if (isSeq(n)) return { t: "array", items: n.items.map(conv) };
    return SCALAR;
  };
  return conv(doc.contents);
}
