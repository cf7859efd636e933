/**
 * Go (RE2) regular expressions as written in Corefiles, run by JavaScript's engine: named groups
 * `(?P<name>…)` become `(?<name>…)` and a leading `(?i)`/`(?s)`/`(?m)` becomes a flag. Matching is
 * unanchored, as Go's MatchString/FindStringSubmatch.
 */

export function goRegExp(src: string): RegExp {
  let flags = "";
  let body = src;
  const lead = /^\(\?([ims]+)\)/.exec(body);
  if (lead) {
    flags = [...new Set(lead[1])].join("");
    body = body.slice(lead[0].length);
  }
  body = body.replace(/\(\?P</g, "(?<");
  return new RegExp(body, flags);
}

/** Number of capture groups in `re` (Go's NumSubexp). */
export function numSubexp(re: RegExp): number {
  const m = new RegExp(`${re.source}|`, re.flags).exec("");
  return m ? m.length - 1 : 0;
}

/** Go's FindStringSubmatch: the match and its groups ("" for those that did not take part). */
export function findSubmatch(re: RegExp, s: string): string[] | undefined {
  const m = re.exec(s);
  return m ? Array.from(m, (g) => g ?? "") : undefined;
}
