/**
 * Label selectors as k8s.io/apimachinery/pkg/labels: the string form of `?labelSelector=` (Parse),
 * matching, String(), and metav1.LabelSelector conversion (LabelSelectorAsSelector). Error texts
 * are kube-apiserver's, so a bad selector gets the same 400 message as from a real cluster.
 */
import { isQualifiedName, isValidLabelValue } from "../validation/names.ts";
import { goCompare, goQuote, goStringSlice } from "./go-format.ts";

/** selection.Operator values; "==" and "=" are kept apart because String() keeps them apart. */
export type Operator = "in" | "notin" | "=" | "==" | "!=" | "exists" | "!" | "gt" | "lt";

export interface Requirement {
  readonly key: string;
  readonly operator: Operator;
  readonly values: readonly string[];
}

/**
 * A parsed selector. `nothing` is labels.Nothing() (what a nil metav1.LabelSelector converts to):
 * it matches no object. Otherwise every requirement must hold; none means everything matches.
 */
export interface LabelSelector {
  readonly nothing: boolean;
  readonly requirements: readonly Requirement[];
}

/** metav1.LabelSelector as JSON. */
export interface MetaLabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: Array<{ key: string; operator: string; values?: string[] | null }>;
}

/** A selector that cannot be parsed or built; its message is kube's text. */
export class SelectorError extends Error {
  override name = "SelectorError";
}

const binaryOperators: Operator[] = ["in", "notin", "=", "==", "!=", "gt", "lt"];
const validOperators: Operator[] = [...binaryOperators, "exists", "!"];

const everythingSelector: LabelSelector = Object.freeze({ nothing: false, requirements: Object.freeze([]) });
const nothingSelector: LabelSelector = Object.freeze({ nothing: true, requirements: Object.freeze([]) });

export function everything(): LabelSelector {
  return everythingSelector;
}
export function nothing(): LabelSelector {
  return nothingSelector;
}

/** Selector.Empty(): no requirements (matches everything). Nothing() is not empty. */
export function isEmpty(sel: LabelSelector): boolean {
  return !sel.nothing && sel.requirements.length === 0;
}

// field.Invalid(...).Error() with a path; `path` null is a nil *field.Path, printed "<nil>".
function invalid(path: string | null, value: string, detail: string): string {
  return `${path ?? "<nil>"}: Invalid value: ${value}: ${detail}`;
}

// utilerrors.NewAggregate(...).Error(): one message alone, several deduplicated in brackets.
function aggregate(msgs: string[]): string {
  const uniq = [...new Set(msgs)];
  return uniq.length === 1 ? uniq[0] : `[${uniq.join(", ")}]`;
}

function keyError(key: string, path: string | null): string | undefined {
  const errs = isQualifiedName(key);
  return errs.length > 0 ? invalid(path, goQuote(key), errs.join("; ")) : undefined;
}

const int64Re = /^[+-]?[0-9]+$/;
const int64Min = -(2n ** 63n);
const int64Max = 2n ** 63n - 1n;

/** strconv.ParseInt(s, 10, 64); undefined when Go would fail. */
function parseInt64(s: string): bigint | undefined {
  if (!int64Re.test(s)) return undefined;
  const v = BigInt(s);
  return v < int64Min || v > int64Max ? undefined : v;
}

/**
 * labels.NewRequirement: validates key, operator arity and values. `values` null is a nil slice,
 * which only changes how an error prints it.
 */
export function newRequirement(key: string, operator: string, values: readonly string[] | null): Requirement {
  const vals = values ?? [];
  const errs: string[] = [];
  const ke = keyError(key, "key");
  if (ke) errs.push(ke);
  switch (operator) {
    case "in":
    case "notin":
      if (vals.length === 0)
        errs.push(
          invalid("values", goStringSlice(values), "for 'in', 'notin' operators, values set can't be empty"),
        );
      break;
    case "=":
    case "==":
    case "!=":
      if (vals.length !== 1)
        errs.push(
          invalid("values", goStringSlice(values), "exact-match compatibility requires one single value"),
        );
      break;
    case "exists":
    case "!":
      if (vals.length !== 0)
        errs.push(
          invalid("values", goStringSlice(values), "values set must be empty for exists and does not exist"),
        );
      break;
    case "gt":
    case "lt":
      if (vals.length !== 1)
        errs.push(
          invalid("values", goStringSlice(values), "for 'Gt', 'Lt' operators, exactly one value is required"),
        );
      vals.forEach((v, i) => {
        if (parseInt64(v) === undefined)
          errs.push(
            invalid(`values[${i}]`, goQuote(v), "for 'Gt', 'Lt' operators, the value must be an integer"),
          );
      });
      break;
    default:
      errs.push(
        `operator: Unsupported value: ${goQuote(operator)}: supported values: ${validOperators.map((o) => goQuote(o)).join(", ")}`,
      );
  }
  vals.forEach((v, i) => {
    const ve = isValidLabelValue(v);
    if (ve.length > 0) errs.push(invalid(`values[${i}][${key}]`, goQuote(v), ve.join("; ")));
  });
  if (errs.length > 0) throw new SelectorError(aggregate(errs));
  return { key, operator: operator as Operator, values: [...vals] };
}

/** Requirement.Matches. */
export function requirementMatches(r: Requirement, labels: Record<string, string> | undefined): boolean {
  const has = labels !== undefined && Object.hasOwn(labels, r.key);
  const val = has ? labels[r.key] : "";
  switch (r.operator) {
    case "in":
    case "=":
    case "==":
      return has && r.values.includes(val);
    case "notin":
    case "!=":
      return !has || !r.values.includes(val);
    case "exists":
      return has;
    case "!":
      return !has;
    case "gt":
    case "lt": {
      if (!has || r.values.length !== 1) return false;
      const lv = parseInt64(val);
      const rv = parseInt64(r.values[0]);
      if (lv === undefined || rv === undefined) return false;
      return r.operator === "gt" ? lv > rv : lv < rv;
    }
  }
}

/** Selector.Matches: every requirement holds. Nothing() matches no set of labels. */
export function matches(sel: LabelSelector, labels: Record<string, string> | undefined): boolean {
  if (sel.nothing) return false;
  return sel.requirements.every((r) => requirementMatches(r, labels));
}

const opText: Record<Operator, string> = {
  "=": "=",
  "==": "==",
  "!=": "!=",
  in: " in ",
  notin: " notin ",
  gt: ">",
  lt: "<",
  exists: "",
  "!": "",
};

function sortedValues(vals: readonly string[]): string[] {
  return [...vals].sort(goCompare);
}

/** Requirement.String(): `!k`, `k`, `k=v`, `k in (a,b)`… with values sorted. */
export function requirementString(r: Requirement): string {
  if (r.operator === "exists") return r.key;
  if (r.operator === "!") return `!${r.key}`;
  const vals = r.values.length === 1 ? r.values[0] : sortedValues(r.values).join(",");
  const body = `${r.key}${opText[r.operator]}`;
  return r.operator === "in" || r.operator === "notin" ? `${body}(${vals})` : body + vals;
}

/** Selector.String(): requirements joined with ","; Nothing() prints as "". */
export function selectorString(sel: LabelSelector): string {
  return sel.requirements.map(requirementString).join(",");
}

/** Selector.RequiresExactMatch: the one value the first requirement on `key` pins, if any. */
export function requiresExactMatch(sel: LabelSelector, key: string): string | undefined {
  const r = sel.requirements.find((x) => x.key === key);
  if (!r) return undefined;
  if ((r.operator === "=" || r.operator === "==" || r.operator === "in") && r.values.length === 1)
    return r.values[0];
  return undefined;
}

// Requirements are kept sorted by key (stable, like the small-slice sort Go uses) for determinism.
function byKey(reqs: Requirement[]): Requirement[] {
  return reqs
    .map((r, i) => ({ r, i }))
    .sort((a, b) => goCompare(a.r.key, b.r.key) || a.i - b.i)
    .map((x) => x.r);
}

/** Selector.Add: a new selector with more requirements. Adding to Nothing() keeps Nothing(). */
export function addRequirements(sel: LabelSelector, ...reqs: Requirement[]): LabelSelector {
  if (sel.nothing) return sel;
  return { nothing: false, requirements: byKey([...sel.requirements, ...reqs]) };
}

/** labels.SelectorFromSet: `k=v` for each entry, unvalidated; empty or absent matches everything. */
export function selectorFromMap(map: Record<string, string> | undefined | null): LabelSelector {
  if (!map) return everythingSelector;
  const reqs = Object.entries(map).map(([key, v]): Requirement => ({ key, operator: "=", values: [v] }));
  return { nothing: false, requirements: byKey(reqs) };
}

/** labels.ValidatedSelectorFromSet: like selectorFromMap but keys and values must be valid. */
export function validatedSelectorFromMap(map: Record<string, string> | undefined | null): LabelSelector {
  if (!map) return everythingSelector;
  const reqs = Object.entries(map).map(([key, v]) => newRequirement(key, "=", [v]));
  return { nothing: false, requirements: byKey(reqs) };
}

const metaOps: Record<string, Operator> = { In: "in", NotIn: "notin", Exists: "exists", DoesNotExist: "!" };

/**
 * metav1.LabelSelectorAsSelector: null/undefined selects nothing, `{}` everything; matchLabels
 * are `=` requirements and matchExpressions map In/NotIn/Exists/DoesNotExist.
 */
export function fromLabelSelector(obj: MetaLabelSelector | null | undefined): LabelSelector {
  if (obj === null || obj === undefined) return nothingSelector;
  const labels = Object.entries(obj.matchLabels ?? {});
  const exprs = obj.matchExpressions ?? [];
  if (labels.length + exprs.length === 0) return everythingSelector;
  const reqs: Requirement[] = labels.map(([k, v]) => newRequirement(k, "=", [v]));
  for (const e of exprs) {
    const op = Object.hasOwn(metaOps, e.operator) ? metaOps[e.operator] : undefined;
    if (op === undefined)
      throw new SelectorError(`${goQuote(e.operator)} is not a valid label selector operator`);
    const vals = e.values && e.values.length > 0 ? e.values : null;
    reqs.push(newRequirement(e.key, op, vals));
  }
  return { nothing: false, requirements: byKey(reqs) };
}

// ---- the string form: lexer and parser with kube's tokens, lookahead rules and messages ----

type Tok =
  | "error"
  | "eos"
  | "cpar"
  | "comma"
  | "not"
  | "eqeq"
  | "eq"
  | "gt"
  | "ident"
  | "in"
  | "lt"
  | "neq"
  | "notin"
  | "opar";

const tokenOf: Record<string, Tok> = {
  ")": "cpar",
  ",": "comma",
  "!": "not",
  "==": "eqeq",
  "=": "eq",
  ">": "gt",
  in: "in",
  "<": "lt",
  "!=": "neq",
  notin: "notin",
  "(": "opar",
};

interface Item {
  tok: Tok;
  lit: string;
}

const isWhitespace = (c: string) => c === " " || c === "\t" || c === "\r" || c === "\n";
const isSpecial = (c: string) =>
  c === "=" || c === "!" || c === "(" || c === ")" || c === "," || c === ">" || c === "<";

// Go's lexer reads bytes and uses 0 as "no more input"; a NUL in the string also ends a token.
function lex(s: string): Item[] {
  let pos = 0;
  const read = (): string => (pos < s.length ? s[pos++] : "\0");
  const items: Item[] = [];
  for (;;) {
    let ch = read();
    while (isWhitespace(ch)) ch = read();
    let item: Item;
    if (ch === "\0") item = { tok: "eos", lit: "" };
    else if (isSpecial(ch)) {
      pos--;
      item = scanSpecial();
    } else {
      pos--;
      item = scanIdent();
    }
    items.push(item);
    if (item.tok === "eos") return items;
  }

  function scanIdent(): Item {
    let buf = "";
    for (;;) {
      const ch = read();
      if (ch === "\0") break;
      if (isSpecial(ch) || isWhitespace(ch)) {
        pos--;
        break;
      }
      buf += ch;
    }
    return { tok: Object.hasOwn(tokenOf, buf) ? tokenOf[buf] : "ident", lit: buf };
  }

  // The longest run of special characters that is still a token: "!=" rather than "!".
  function scanSpecial(): Item {
    let buf = "";
    let last: Item | undefined;
    for (;;) {
      const ch = read();
      if (ch === "\0") break;
      if (!isSpecial(ch)) {
        pos--;
        break;
      }
      buf += ch;
      if (Object.hasOwn(tokenOf, buf)) last = { tok: tokenOf[buf], lit: buf };
      else if (last) {
        pos--;
        break;
      }
    }
    return last ?? { tok: "error", lit: `error expected: keyword found '${buf}'` };
  }
}

class Parser {
  private pos = 0;
  constructor(private readonly items: Item[]) {}

  // In value position the keywords `in`/`notin` are plain identifiers.
  private peek(values: boolean): Item {
    const it = this.items[this.pos];
    return values && (it.tok === "in" || it.tok === "notin") ? { tok: "ident", lit: it.lit } : it;
  }
  private next(values: boolean): Item {
    const it = this.peek(values);
    this.pos++;
    return it;
  }

  parse(): Requirement[] {
    const reqs: Requirement[] = [];
    for (;;) {
      const { tok, lit } = this.peek(true);
      if (tok === "ident" || tok === "not") {
        let r: Requirement;
        try {
          r = this.requirement();
        } catch (e) {
          throw new SelectorError(`unable to parse requirement: ${(e as Error).message}`);
        }
        reqs.push(r);
        const t = this.next(true);
        if (t.tok === "eos") return reqs;
        if (t.tok === "comma") {
          const t2 = this.peek(true);
          if (t2.tok !== "ident" && t2.tok !== "not")
            throw new SelectorError(`found '${t2.lit}', expected: identifier after ','`);
        } else throw new SelectorError(`found '${t.lit}', expected: ',' or 'end of string'`);
      } else if (tok === "eos") return reqs;
      else throw new SelectorError(`found '${lit}', expected: !, identifier, or 'end of string'`);
    }
  }

  private requirement(): Requirement {
    let op: Operator | undefined;
    let t = this.next(true);
    if (t.tok === "not") {
      op = "!";
      t = this.next(true);
    }
    if (t.tok !== "ident") throw new Error(`found '${t.lit}', expected: identifier`);
    const key = t.lit;
    const ke = keyError(key, null);
    if (ke) throw new Error(ke);
    const after = this.peek(true).tok;
    if ((after === "eos" || after === "comma") && op !== "!") op = "exists";
    if (op === "exists" || op === "!") return newRequirement(key, op, []);
    op = this.operator();
    const values = op === "in" || op === "notin" ? this.valueSet() : this.exactValue();
    return newRequirement(key, op, [...values].sort(goCompare));
  }

  private operator(): Operator {
    const { tok, lit } = this.next(false);
    const op: Partial<Record<Tok, Operator>> = {
      in: "in",
      eq: "=",
      eqeq: "==",
      gt: "gt",
      lt: "lt",
      notin: "notin",
      neq: "!=",
    };
    const o = op[tok];
    if (o === undefined) throw new Error(`found '${lit}', expected: ${binaryOperators.join(", ")}`);
    return o;
  }

  private valueSet(): Set<string> {
    const t = this.next(true);
    if (t.tok !== "opar") throw new Error(`found '${t.lit}' expected: '('`);
    const { tok, lit } = this.peek(true);
    if (tok === "ident" || tok === "comma") {
      const s = this.identifierList();
      if (this.next(true).tok !== "cpar") throw new Error(`found '${lit}', expected: ')'`);
      return s;
    }
    if (tok === "cpar") {
      this.next(true);
      return new Set([""]);
    }
    throw new Error(`found '${lit}', expected: ',', ')' or identifier`);
  }

  // Empty members come from leading, doubled or trailing commas: "(,a)", "(a,,b)", "(a,)".
  private identifierList(): Set<string> {
    const s = new Set<string>();
    for (;;) {
      const { tok, lit } = this.next(true);
      if (tok === "ident") {
        s.add(lit);
        const t2 = this.peek(true);
        if (t2.tok === "comma") continue;
        if (t2.tok === "cpar") return s;
        throw new Error(`found '${t2.lit}', expected: ',' or ')'`);
      }
      if (tok === "comma") {
        if (s.size === 0) s.add("");
        const t2 = this.peek(true).tok;
        if (t2 === "cpar") {
          s.add("");
          return s;
        }
        if (t2 === "comma") s.add("");
        continue;
      }
      throw new Error(`found '${lit}', expected: ',', or identifier`);
    }
  }

  private exactValue(): Set<string> {
    const ahead = this.peek(true).tok;
    if (ahead === "eos" || ahead === "comma") return new Set([""]);
    const { tok, lit } = this.next(true);
    if (tok === "ident") return new Set([lit]);
    throw new Error(`found '${lit}', expected: identifier`);
  }
}

/**
 * labels.Parse: the `?labelSelector=` syntax. Throws SelectorError with kube's message (the
 * server answers 400 BadRequest with it). The empty string selects everything.
 */
export function parseLabelSelector(s: string): LabelSelector {
  const reqs = new Parser(lex(s)).parse();
  return { nothing: false, requirements: byKey(reqs) };
}
