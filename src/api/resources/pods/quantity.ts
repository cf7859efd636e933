/** resource.Quantity parsing (apimachinery/pkg/api/resource), enough to compare amounts. */

export const quantityRegexText = "^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$";
const shape = /^([+-]?)([0-9]*\.?[0-9]*)(.*)$/;
const binary: Record<string, number> = {
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};
const decimal: Record<string, number> = { "": 0, n: -9, u: -6, m: -3, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };

/** The quantity's value as a number, or undefined when kube would reject the string. */
export function parseQuantity(v: unknown): number | undefined {
  if (typeof v === "number") return Number.isFinite(v) ? v : undefined;
  if (typeof v !== "string") return undefined;
  const m = shape.exec(v.trim());
  if (!m || m[2] === "" || m[2] === ".") return undefined;
  const n = Number(m[2]) * (m[1] === "-" ? -1 : 1);
  const suffix = m[3];
  if (suffix in binary) return n * binary[suffix];
  if (suffix in decimal) return scale(n, decimal[suffix]);
  const e = /^[eE]([-+]?[0-9]+)$/.exec(suffix);
  if (e) return scale(n, Number(e[1]));
  return undefined;
}

// Divide for negative exponents so that 100m and 0.1 compare equal.
const scale = (n: number, exp: number) => (exp < 0 ? n / 10 ** -exp : n * 10 ** exp);
