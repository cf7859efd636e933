/** Go's time.ParseDuration, which Corefile options use ("5s", "1m30s", "300ms", "1.5h"). */

const UNITS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  μs: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

/** Milliseconds, or throws with Go's message. */
export function parseDuration(s: string): number {
  const orig = s;
  let sign = 1;
  if (s.startsWith("-") || s.startsWith("+")) {
    if (s[0] === "-") sign = -1;
    s = s.slice(1);
  }
  if (s === "0") return 0;
  if (s === "") throw new Error(`time: invalid duration "${orig}"`);
  let total = 0;
  const re = /^(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/;
  while (s !== "") {
    const m = re.exec(s);
    if (!m) {
      if (/^(\d+(?:\.\d*)?|\.\d+)/.test(s)) {
        const unit = s.replace(/^(\d+(?:\.\d*)?|\.\d+)/, "");
        if (unit === "") throw new Error(`time: missing unit in duration "${orig}"`);
        throw new Error(`time: unknown unit "${unit.replace(/[\d.].*$/, "")}" in duration "${orig}"`);
      }
      throw new Error(`time: invalid duration "${orig}"`);
    }
    total += Number(m[1]) * UNITS[m[2]];
    s = s.slice(m[0].length);
  }
  return sign * total;
}
