/**
 * The pod-template-hash: kube's controller.ComputeHash is FNV-32a over the template (plus the
 * collision count as 8 little-endian bytes) printed in decimal and passed through
 * rand.SafeEncodeString. Skiff hashes the template's canonical JSON instead of Go's struct dump,
 * so the value is stable for a template and changes with it, but is not kube's exact string.
 */

/** rand.SafeEncodeString's alphabet: no vowels and no look-alike digits, so no words form. */
const alphanums = "bcdfghjklmnpqrstvwxz2456789";

/** JSON with sorted keys; null, undefined and empty lists left out (Go treats nil and empty alike). */
export function canonicalJson(v: unknown): string {
  return JSON.stringify(normalize(v)) ?? "null";
}

function normalize(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(normalize);
  if (v !== null && typeof v === "object") {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) {
      const x = (v as Record<string, unknown>)[k];
      if (x === null || x === undefined || (Array.isArray(x) && x.length === 0)) continue;
      out[k] = normalize(x);
    }
    return out;
  }
  return v;
}

/** FNV-1a, 32 bits. */
export function fnv32a(bytes: Uint8Array, h = 0x811c9dc5): number {
  let hash = h;
  for (const b of bytes) {
    hash ^= b;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash >>> 0;
}

export function safeEncodeString(s: string): string {
  let out = "";
  for (let i = 0; i < s.length; i++) out += alphanums[s.charCodeAt(i) % alphanums.length];
  return out;
}

export function computeHash(template: unknown, collisionCount?: number): string {
  let h = fnv32a(Buffer.from(canonicalJson(template), "utf8"));
  if (collisionCount !== undefined && collisionCount !== null) {
    const b = Buffer.alloc(8);
    b.writeUInt32LE(collisionCount >>> 0, 0);
    h = fnv32a(b, h);
  }
  return safeEncodeString(String(h));
}
