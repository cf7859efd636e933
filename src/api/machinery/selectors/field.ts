/**
 * Field selectors as k8s.io/apimachinery/pkg/fields: `?fieldSelector=a=b,c!=d` with `\` escaping
 * of `\`, `,` and `=` in values. Which fields a kind supports is the resource's business; the
 * texts for unsupported fields live here so every kind answers with kube's words.
 */
import { goCompare, goQuote } from "./go-format.ts";
import { SelectorError } from "./label.ts";

export { SelectorError };

export interface FieldRequirement {
  readonly field: string;
  /** `==` parses as `=` (kube keeps one Equals term for both). */
  readonly operator: "=" | "!=";
  readonly value: string;
}

/** Terms that must all hold; none means everything matches. */
export interface FieldSelector {
  readonly requirements: readonly FieldRequirement[];
}

export function everythingFields(): FieldSelector {
  return { requirements: [] };
}

export function isEmptyFields(sel: FieldSelector): boolean {
  return sel.requirements.length === 0;
}

/** fields.EscapeValue. */
export function escapeFieldValue(s: string): string {
  return s.replace(/[\\,=]/g, (c) => `\\${c}`);
}

/** fields.UnescapeValue; a bare `,` or `=` is reported by its code point, as Go's %v of a rune. */
export function unescapeFieldValue(s: string): string {
  if (!/[\\,=]/.test(s)) return s;
  let out = "";
  let inSlash = false;
  for (const c of s) {
    if (inSlash) {
      if (c !== "\\" && c !== "," && c !== "=")
        throw new SelectorError(`invalid field selector: invalid escape sequence: \\${c}`);
      out += c;
      inSlash = false;
    } else if (c === "\\") inSlash = true;
    else if (c === "," || c === "=")
      throw new SelectorError(`invalid field selector: unescaped character in value: ${c.codePointAt(0)}`);
    else out += c;
  }
  if (inSlash) throw new SelectorError("invalid field selector: invalid escape sequence: \\");
  return out;
}

// Split on commas that are not escaped; an escape skips exactly the next character.
function splitTerms(s: string): string[] {
  if (s.length === 0) return [];
  const terms: string[] = [];
  let start = 0;
  let inSlash = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (inSlash) inSlash = false;
    else if (c === "\\") inSlash = true;
    else if (c === ",") {
      terms.push(s.slice(start, i));
      start = i + 1;
    }
  }
  terms.push(s.slice(start));
  return terms;
}

const termOperators = ["!=", "==", "="] as const;

// The first position where an operator starts splits the term: "a==b" is a == b, not a = "=b".
function splitTerm(term: string): [string, (typeof termOperators)[number], string] | undefined {
  for (let i = 0; i < term.length; i++) {
    for (const op of termOperators)
      if (term.startsWith(op, i)) return [term.slice(0, i), op, term.slice(i + op.length)];
  }
  return undefined;
}

/**
 * fields.ParseSelector. Terms are sorted (as their raw text) like kube does; empty terms are
 * skipped, so "" and "," select everything. Throws SelectorError with kube's message.
 */
export function parseFieldSelector(s: string): FieldSelector {
  const parts = splitTerms(s).sort(goCompare);
  const reqs: FieldRequirement[] = [];
  for (const part of parts) {
    if (part === "") continue;
    const t = splitTerm(part);
    if (!t) throw new SelectorError(`invalid selector: '${s}'; can't understand '${part}'`);
    const [field, op, rhs] = t;
    reqs.push({ field, operator: op === "!=" ? "!=" : "=", value: unescapeFieldValue(rhs) });
  }
  return { requirements: reqs };
}

/** Selector.String(): `f=v` / `f!=v` with values escaped, joined with ",". */
export function fieldSelectorString(sel: FieldSelector): string {
  return sel.requirements.map((r) => `${r.field}${r.operator}${escapeFieldValue(r.value)}`).join(",");
}

/**
 * Selector.Matches. A field the getter does not know reads as "" (fields.Set.Get), so `f=`
 * matches a missing field and `f!=x` does too.
 */
export function matchesFields(sel: FieldSelector, getter: (field: string) => string | undefined): boolean {
  return sel.requirements.every((r) => {
    const v = getter(r.field) ?? "";
    return r.operator === "=" ? v === r.value : v !== r.value;
  });
}

/** The distinct fields a selector reads, in selector order (for the per-kind support check). */
export function fieldsUsed(sel: FieldSelector): string[] {
  return [...new Set(sel.requirements.map((r) => r.field))];
}

/** Selector.RequiresExactMatch: the value an `f=v` term pins (for direct key lookups). */
export function fieldRequiresExactMatch(sel: FieldSelector, field: string): string | undefined {
  return sel.requirements.find((r) => r.field === field && r.operator === "=")?.value;
}

/**
 * Selector.Transform: map each term's field and value (a kind's field label conversion, such as
 * pods' `spec.host` → `spec.nodeName`). `fn` throws to reject a field; a result with both field
 * and value empty drops the term.
 */
export function transformFieldSelector(
  sel: FieldSelector,
  fn: (field: string, value: string) => [field: string, value: string],
): FieldSelector {
  const out: FieldRequirement[] = [];
  for (const r of sel.requirements) {
    const [field, value] = fn(r.field, r.value);
    if (field === "" && value === "") continue;
    out.push({ field, operator: r.operator, value });
  }
  return { requirements: out };
}

/**
 * How a kind rejects a field it cannot select on. Kinds that register their own field label
 * conversion in kube (core/v1 Pod, Node, ReplicationController, Event, Namespace, Secret,
 * Service) say "field label not supported: X" ("fieldLabel"); all others fall back to
 * runtime.DefaultMetaV1FieldSelectorConversion ("metadataOnly"), which names the two it accepts.
 */
export type UnsupportedFieldStyle = "fieldLabel" | "metadataOnly";

export function unsupportedFieldMessage(field: string, style: UnsupportedFieldStyle = "fieldLabel"): string {
  if (style === "metadataOnly")
    return `${goQuote(field)} is not a known field selector: only "metadata.name", "metadata.namespace"`;
  return `field label not supported: ${field}`;
}

/** fields.SelectorFromSet: `f=v` per entry (sorted by field for a stable String()). */
export function fieldSelectorFromMap(map: Record<string, string> | undefined | null): FieldSelector {
  const entries = Object.entries(map ?? {}).sort(([a], [b]) => goCompare(a, b));
  return { requirements: entries.map(([field, value]) => ({ field, operator: "=", value })) };
}
