/**
 * Request rules of the rewrite plugin (plugin/rewrite rewrite.go, name.go, type.go, class.go):
 * each may change the question and hands back the response rules that undo it for the client.
 */
import type { Answer, Question } from "dns-packet";
import { classes, types } from "../../message/codes.ts";
import { fqdnLower } from "../../names.ts";
import { findSubmatch, goRegExp, numSubexp } from "./goregexp.ts";
import { type ResponseRule, recordValue, setRecordValue } from "./reverter.ts";

export type Mode = "stop" | "continue";

export interface Rule {
  readonly mode: Mode;
  /** `name` is the lowercased question name before this rule; undefined = rule ignored. */
  rewrite(q: Question, name: string): ResponseRule[] | undefined;
}

const MAX_REGEXP_LEN = 10000;

/** Parse one rule from its arguments (newRule). */
export function newRule(args: string[]): Rule {
  if (args.length === 0) throw new Error("no rule type specified for rewrite");
  const arg0 = args[0].toLowerCase();
  let mode: Mode = "stop";
  let start = 1;
  let ruleType = arg0;
  let expect = args.length;
  if (arg0 === "continue" || arg0 === "stop") {
    if (args.length < 2) throw new Error(`${arg0} rule must begin with a rule type`);
    mode = arg0;
    ruleType = args[1].toLowerCase();
    expect = args.length - 1;
    start = 2;
  }
  const rest = args.slice(start);
  switch (ruleType) {
    case "answer":
      throw new Error("response rewrites must begin with a name rule");
    case "name":
      return newNameRule(mode, rest);
    case "class":
    case "type":
      if (expect !== 3) throw new Error(`${ruleType} rules must have exactly two arguments`);
      return ruleType === "type" ? newTypeRule(mode, rest) : newClassRule(mode, rest);
    case "edns0":
    case "ttl":
    case "cname":
    case "rcode":
      throw new Error(`rewrite ${ruleType} rules are not supported by Skiff (supported: name, type, class)`);
    default:
      throw new Error(`invalid rule type "${args[0]}"`);
  }
}

function newTypeRule(mode: Mode, [from, to]: string[]): Rule {
  const f = from.toUpperCase();
  const t = to.toUpperCase();
  if (types.toType(f) === 0) throw new Error(`invalid type "${f}"`);
  if (types.toType(t) === 0) throw new Error(`invalid type "${t}"`);
  return {
    mode,
    rewrite(q) {
      if (q.type !== f) return undefined;
      q.type = t as Question["type"];
      return [];
    },
  };
}

function newClassRule(mode: Mode, [from, to]: string[]): Rule {
  const f = from.toUpperCase();
  const t = to.toUpperCase();
  if (classes.toClass(f) === 0) throw new Error(`invalid class "${f}"`);
  if (classes.toClass(t) === 0) throw new Error(`invalid class "${t}"`);
  return {
    mode,
    rewrite(q) {
      if ((q.class ?? "IN") !== f) return undefined;
      q.class = t as Question["class"];
      return [];
    },
  };
}

type Rewriter = (s: string) => string;

/** regexStringRewriter: `{N}` in the replacement takes group N. */
function regexRewriter(re: RegExp, replacement: string): Rewriter {
  return (s) => {
    const groups = findSubmatch(re, s);
    if (!groups) return s;
    return substitute(replacement, groups);
  };
}

/** remapStringRewriter: the name itself, or the part of a subdomain that is `orig`. */
function remapRewriter(orig: string, replacement: string): Rewriter {
  return (s) => {
    if (s === orig) return replacement;
    const i = s.length - orig.length;
    if (i > 0 && s[i - 1] === "." && s.slice(i) === orig) return s.slice(0, i) + replacement;
    return s;
  };
}

function suffixRewriter(suffix: string, replacement: string): Rewriter {
  return (s) => (s.endsWith(suffix) ? s.slice(0, s.length - suffix.length) + replacement : s);
}

const nameRule = (f: Rewriter): ResponseRule => ({
  record(rr: Answer) {
    rr.name = f(rr.name);
  },
});

const valueRule = (f: Rewriter): ResponseRule => ({
  record(rr: Answer) {
    const v = recordValue(rr);
    if (v === "") return;
    const n = f(v);
    if (n !== v) setRecordValue(rr, n);
  },
});

function substitute(template: string, groups: string[]): string {
  let s = template;
  groups.forEach((g, i) => {
    s = s.split(`{${i}}`).join(g);
  });
  return s;
}

/** isValidRegexPattern: compiles, not too long, uses no more groups than it has. */
function validRegex(from: string, to: string): RegExp {
  if (from.length > MAX_REGEXP_LEN)
    throw new Error(`regex pattern too long: ${from.length} > ${MAX_REGEXP_LEN}`);
  let re: RegExp;
  try {
    re = goRegExp(from);
  } catch {
    throw new Error(`invalid regex matching pattern: ${from}`);
  }
  let used = 0;
  for (let i = 0; i <= 100; i++) if (to.includes(`{${i}}`)) used++;
  if (used > numSubexp(re)) {
    throw new Error(
      `the rewrite regex pattern (${to}) uses more subexpressions than its corresponding matching regex pattern (${from})`,
    );
  }
  return re;
}

function newNameRule(mode: Mode, args: string[]): Rule {
  if (args.length < 2) throw new Error("too few arguments for a name rule");
  let matchType = "exact";
  let from: string;
  let to: string;
  if (args.length === 2) {
    from = fqdnLower(args[0]);
    to = fqdnLower(args[1]);
  } else {
    matchType = args[0].toLowerCase();
    if (matchType === "regex") {
      from = args[1];
      to = args[2];
    } else {
      from = fqdnLower(args[1]);
      to = fqdnLower(args[2]);
    }
  }
  let auto = false;
  let answers: ResponseRule[] = [];
  if (args.length > 3) [auto, answers] = parseAnswerRules(matchType, args.slice(3));

  /** responseRuleFor: with auto, map the new name back to the one before this rule. */
  const respond = (autoOn: boolean, q: Question, before: string): ResponseRule[] => {
    if (!autoOn) return answers;
    const back = remapRewriter(q.name, before);
    return [nameRule(back), valueRule(back), ...answers];
  };

  switch (matchType) {
    case "exact":
      validRegex(to, from);
      return {
        mode,
        rewrite(q, name) {
          if (name !== from) return undefined;
          q.name = to;
          return respond(true, q, name);
        },
      };
    case "prefix":
      return {
        mode,
        rewrite(q, name) {
          if (!name.startsWith(from)) return undefined;
          q.name = to + name.slice(from.length);
          return respond(auto, q, name);
        },
      };
    case "suffix": {
      // For a suffix, auto is the same rule the other way round.
      const back = suffixRewriter(to, from);
      const fixed = auto ? [nameRule(back), valueRule(back), ...answers] : answers;
      return {
        mode,
        rewrite(q, name) {
          if (!name.endsWith(from)) return undefined;
          q.name = name.slice(0, name.length - from.length) + to;
          return fixed;
        },
      };
    }
    case "substring":
      return {
        mode,
        rewrite(q, name) {
          if (!name.includes(from)) return undefined;
          q.name = name.split(from).join(to);
          return respond(auto, q, name);
        },
      };
    case "regex": {
      const re = validRegex(from, to);
      const replacement = fqdnLower(args[2]);
      return {
        mode,
        rewrite(q, name) {
          const groups = findSubmatch(re, name);
          if (!groups) return undefined;
          q.name = substitute(replacement, groups);
          return respond(auto, q, name);
        },
      };
    }
    default:
      throw new Error(
        `name rule supports only exact, prefix, suffix, substring, and regex name matching, received: ${matchType}`,
      );
  }
}

/** `answer auto | answer name FROM TO | answer value FROM TO`, `answer` optional after the first. */
function parseAnswerRules(name: string, args: string[]): [boolean, ResponseRule[]] {
  let auto = false;
  let nameRules = 0;
  let last = "";
  const rules: ResponseRule[] = [];
  if (args.length < 2) throw new Error(`invalid arguments for ${name} rule`);
  let i = 0;
  while (i < args.length) {
    if (last === "" && args[i] !== "answer") {
      throw new Error(`exceeded the number of arguments for a non-answer rule argument for ${name} rule`);
    }
    if (args[i] === "answer") i++;
    if (i >= args.length) throw new Error(`type missing for answer rule for ${name} rule`);
    last = args[i++];
    if (last === "auto") {
      auto = true;
      continue;
    }
    if (last !== "name" && last !== "value")
      throw new Error(`invalid type "${last}" for answer rule for ${name} rule`);
    if (args.length - i < 2) throw new Error(`${last} answer rule for ${name} rule: 2 arguments required`);
    let re: RegExp;
    try {
      re = validRegex(args[i], args[i + 1]);
    } catch (err) {
      throw new Error(`${last} answer rule for ${name} rule: ${(err as Error).message}`);
    }
    const f = regexRewriter(re, fqdnLower(args[i + 1]));
    if (last === "name") {
      rules.push(nameRule(f));
      nameRules++;
    } else rules.push(valueRule(f));
    i += 2;
  }
  if (auto && nameRules > 0) {
    throw new Error("auto name answer rule cannot be combined with explicit name anwer rules");
  }
  return [auto, rules];
}
