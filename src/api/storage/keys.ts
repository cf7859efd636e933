/**
 * Key-range helpers shared by the backends. Keys are ASCII paths (`/services/specs/ns/name`), so
 * JavaScript's code-unit order and SQLite's byte order agree.
 */

/** Highest code point: the upper bound of "every key" (SQLite compares UTF-8 bytes). */
const TOP = "\u{10FFFF}";

/** The smallest string greater than every string that starts with prefix. */
export function prefixEnd(prefix: string): string {
  if (prefix === "") return TOP;
  const last = prefix.charCodeAt(prefix.length - 1);
  // Surrogates and U+FFFF cannot be incremented into a valid neighbour: append the top instead.
  if (last >= 0xd800 && last <= 0xdfff) return prefix + TOP;
  if (last === 0xffff) return prefix + TOP;
  return prefix.slice(0, -1) + String.fromCharCode(last + 1);
}

/** The resource-type part of a key: `/services/specs/default/x` → `/services/`. */
export function typePrefixOf(key: string): string {
  const i = key.indexOf("/", 1);
  return i < 0 ? key : key.slice(0, i + 1);
}

/** Whether a watch or list on prefix can see keys of the type whose prefix is typePrefix. */
export function prefixTouchesType(prefix: string, typePrefix: string): boolean {
  return typePrefix.startsWith(prefix) || prefix.startsWith(typePrefix);
}
