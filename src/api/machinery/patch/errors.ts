/**
 * Why a patch could not be applied. `kind` says how kube-apiserver answers it: "badRequest" → 400,
 * "invalid" → 422 (NewGenericServerResponse: a fixed message, the text not sent), "internal" → 500 (an
 * error that is not a metav1.Status, reported with its bare text).
 */
export type PatchErrorKind = "badRequest" | "invalid" | "internal";

export class PatchError extends Error {
  constructor(
    readonly kind: PatchErrorKind,
    message: string,
  ) {
    super(message);
  }
}

/** Go's %v of a decoded JSON value (maps print their keys sorted, as fmt does). */
export function goValue(v: unknown): string {
  if (v === null || v === undefined) return "<nil>";
  if (Array.isArray(v)) return `[${v.map(goValue).join(" ")}]`;
  if (typeof v === "object") {
    const o = v as Record<string, unknown>;
    const keys = Object.keys(o).sort();
    return `map[${keys.map((k) => `${k}:${goValue(o[k])}`).join(" ")}]`;
  }
  if (typeof v === "number") return goFloat(v);
  return String(v);
}

/** %v of a float64: shortest form, exponent from 1e21 on (strconv 'g' with shortest precision). */
function goFloat(n: number): string {
  if (!Number.isFinite(n)) return n > 0 ? "+Inf" : n < 0 ? "-Inf" : "NaN";
  const abs = Math.abs(n);
  if (abs !== 0 && (abs >= 1e21 || abs < 1e-4)) {
    const [m, e] = n.toExponential().split("e");
    const exp = Number(e);
    return `${m}e${exp < 0 ? "-" : "+"}${String(Math.abs(exp)).padStart(2, "0")}`;
  }
  return String(n);
}
