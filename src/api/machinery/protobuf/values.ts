/**
 * JSON forms of the API's special types, as their Go MarshalJSON/UnmarshalJSON write and read
 * them: metav1.Time (RFC3339, seconds), metav1.MicroTime (RFC3339 with 6 fractional digits),
 * metav1.Duration (Go's time.Duration string) and []byte (standard base64).
 */

const RFC3339 =
  /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/;

export interface Timestamp {
  seconds: number;
  nanos: number;
}

/** Parses an RFC3339 timestamp (any offset, any fraction) into Unix seconds + nanoseconds. */
export function parseRFC3339(s: string): Timestamp {
  const m = RFC3339.exec(s);
  if (!m) throw new Error(`parsing time "${s}" as RFC3339: cannot parse`);
  const [, y, mo, d, h, mi, se, frac, z, sign, oh, om] = m;
  let ms = Date.UTC(+y, +mo - 1, +d, +h, +mi, +se);
  // Date.UTC maps years 0-99 to 1900+: pin the year explicitly.
  const date = new Date(ms);
  date.setUTCFullYear(+y);
  ms = date.getTime();
  if (!z) {
    const off = (+oh * 60 + +om) * 60_000;
    ms += sign === "+" ? -off : off;
  }
  const nanos = frac ? Number((frac + "000000000").slice(0, 9)) : 0;
  return { seconds: Math.floor(ms / 1000), nanos };
}

function isoSeconds(seconds: number): string {
  // toISOString: "2006-01-02T15:04:05.000Z" for years 0-9999 (the range Kubernetes objects use).
  const iso = new Date(seconds * 1000).toISOString();
  return iso.slice(0, iso.length - 5);
}

/** metav1.Time: `2006-01-02T15:04:05Z` in UTC, fractions dropped (Time keeps whole seconds). */
export function formatTime(seconds: number): string {
  return `${isoSeconds(seconds)}Z`;
}

/** metav1.MicroTime: `2006-01-02T15:04:05.000000Z` in UTC. */
export function formatMicroTime(seconds: number, nanos: number): string {
  const micros = Math.floor(nanos / 1000);
  return `${isoSeconds(seconds)}.${String(micros).padStart(6, "0")}Z`;
}

const NS_PER: Record<string, bigint> = {
  ns: 1n,
  us: 1_000n,
  "\u00b5s": 1_000n,
  "\u03bcs": 1_000n,
  ms: 1_000_000n,
  s: 1_000_000_000n,
  m: 60_000_000_000n,
  h: 3_600_000_000_000n,
};

/** Go's time.ParseDuration, to nanoseconds. */
export function parseDuration(s: string): bigint {
  let rest = s;
  let neg = false;
  if (rest.startsWith("-") || rest.startsWith("+")) {
    neg = rest[0] === "-";
    rest = rest.slice(1);
  }
  if (rest === "0") return 0n;
  if (rest === "") throw new Error(`time: invalid duration "${s}"`);
  let total = 0n;
  const part = /^(\d*)(?:\.(\d*))?(ns|us|\u00b5s|\u03bcs|ms|s|m|h)/;
  while (rest !== "") {
    const m = part.exec(rest);
    if (!m || (m[1] === "" && (m[2] ?? "") === "")) throw new Error(`time: invalid duration "${s}"`);
    const unit = NS_PER[m[3]];
    total += BigInt(m[1] || "0") * unit;
    const frac = m[2] ?? "";
    if (frac !== "") total += (BigInt(frac) * unit) / 10n ** BigInt(frac.length);
    rest = rest.slice(m[0].length);
  }
  return neg ? -total : total;
}

/** Go's time.Duration.String. */
export function formatDuration(ns: bigint): string {
  if (ns === 0n) return "0s";
  const neg = ns < 0n;
  const u = neg ? -ns : ns;
  const sign = neg ? "-" : "";
  if (u < 1_000_000_000n) {
    if (u < 1_000n) return `${sign}${u}ns`;
    if (u < 1_000_000n) return `${sign}${fraction(u, 3)}\u00b5s`;
    return `${sign}${fraction(u, 6)}ms`;
  }
  const h = u / 3_600_000_000_000n;
  const m = (u / 60_000_000_000n) % 60n;
  const sec = fraction(u % 60_000_000_000n, 9);
  if (h > 0n) return `${sign}${h}h${m}m${sec}s`;
  if (m > 0n) return `${sign}${m}m${sec}s`;
  return `${sign}${sec}s`;
}

/** v / 10^digits written with a trimmed fraction: fraction(1500n, 3) === "1.5". */
function fraction(v: bigint, digits: number): string {
  const scale = 10n ** BigInt(digits);
  const whole = v / scale;
  const frac = (v % scale).toString().padStart(digits, "0").replace(/0+$/, "");
  return frac ? `${whole}.${frac}` : `${whole}`;
}

export function toBase64(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString("base64");
}

/** Go's encoding/json []byte decoding: standard base64 with padding. */
export function fromBase64(s: string): Uint8Array {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(s) || s.length % 4 !== 0) {
    throw new Error(`illegal base64 data in ${JSON.stringify(s)}`);
  }
  return new Uint8Array(Buffer.from(s, "base64"));
}
