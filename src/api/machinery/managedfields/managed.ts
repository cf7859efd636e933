/**
 * metadata.managedFields ⇄ managers (kube's fieldmanager internal.Managed): one field set per
 * manager identifier. Apply entries are identified by manager and subresource; Update entries
 * also by apiVersion, so one manager writing through two versions has two entries.
 */
import type { JsonObject, JsonValue } from "../types.ts";
import { isMap } from "./schema.ts";
import { FieldSet } from "./set.ts";

export interface ManagerEntry {
  manager: string;
  operation: "Apply" | "Update";
  apiVersion: string;
  time?: string;
  subresource?: string;
  set: FieldSet;
}

/** kube's BuildManagerIdentifier: the entry without fields and time (and without apiVersion for Apply). */
export function managerId(
  e: Pick<ManagerEntry, "manager" | "operation" | "apiVersion" | "subresource">,
): string {
  const o: JsonObject = {};
  if (e.manager) o.manager = e.manager;
  if (e.operation) o.operation = e.operation;
  if (e.operation !== "Apply" && e.apiVersion) o.apiVersion = e.apiVersion;
  if (e.subresource) o.subresource = e.subresource;
  return JSON.stringify(o);
}

export type Managers = Map<string, ManagerEntry>;

/** Decodes managedFields; throws on entries kube would not decode. */
export function decodeManagedFields(list: JsonValue[] | undefined): Managers {
  const out: Managers = new Map();
  for (const raw of list ?? []) {
    if (!isMap(raw)) throw new Error("managedFields entries must be objects");
    const str = (k: string): string => {
      const v = raw[k];
      if (v === undefined || v === null) return "";
      if (typeof v !== "string") throw new Error(`managedFields: ${k} must be a string`);
      return v;
    };
    const fieldsType = str("fieldsType");
    if (fieldsType !== "FieldsV1") throw new Error(`invalid fieldsType "${fieldsType}"`);
    const operation = str("operation");
    if (operation !== "Apply" && operation !== "Update") throw new Error(`invalid operation "${operation}"`);
    const e: ManagerEntry = {
      manager: str("manager"),
      operation,
      apiVersion: str("apiVersion"),
      set: FieldSet.fromFieldsV1(raw.fieldsV1 ?? null),
    };
    const time = str("time");
    if (time) e.time = time;
    const sub = str("subresource");
    if (sub) e.subresource = sub;
    const id = managerId(e);
    // Duplicate identifiers: kube keeps the last one decoded.
    out.set(id, e);
  }
  return out;
}

function seconds(t: string | undefined): number {
  if (!t) return 0;
  const ms = Date.parse(t);
  return Number.isNaN(ms) ? 0 : Math.floor(ms / 1000);
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Encodes managers in kube's order (operation, time, manager, apiVersion, subresource), dropping empty sets. */
export function encodeManagedFields(m: Managers): JsonObject[] {
  const list = [...m.values()].filter((e) => !e.set.empty());
  list.sort(
    (p, q) =>
      cmp(p.operation, q.operation) ||
      seconds(p.time) - seconds(q.time) ||
      cmp(p.manager, q.manager) ||
      cmp(p.apiVersion, q.apiVersion) ||
      cmp(p.subresource ?? "", q.subresource ?? ""),
  );
  return list.map((e) => {
    const o: JsonObject = { manager: e.manager, operation: e.operation, apiVersion: e.apiVersion };
    if (e.time) o.time = e.time;
    o.fieldsType = "FieldsV1";
    o.fieldsV1 = e.set.toFieldsV1();
    if (e.subresource) o.subresource = e.subresource;
    return o;
  });
}

/** kube's isResetManagedFields: `[]` or `[{}]` sent by a writer clears ownership. */
export function isResetManagedFields(list: JsonValue[] | undefined): boolean {
  if (list === undefined) return false;
  if (list.length === 0) return true;
  return list.length === 1 && isMap(list[0]) && Object.keys(list[0]).length === 0;
}

/** Fields nobody owns (kube's stripMeta): type meta and the server-set parts of metadata. */
export const STRIPPED: FieldSet = FieldSet.of(
  [{ field: "apiVersion" }],
  [{ field: "kind" }],
  [{ field: "metadata" }],
  ...[
    "name",
    "namespace",
    "creationTimestamp",
    "selfLink",
    "uid",
    "clusterName",
    "generation",
    "managedFields",
    "resourceVersion",
  ].map((f) => [{ field: "metadata" }, { field: f }]),
);

/** Timestamps as kube writes them in managedFields: RFC 3339, seconds precision. */
export function rfc3339(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** kube's DefaultMaxUpdateManagers and the bucket the oldest Update entries merge into. */
export const MAX_UPDATE_MANAGERS = 10;
export const ANCIENT_CHANGES = "ancient-changes";

/**
 * Keeps at most `max` Update entries: the oldest merge into an "ancient-changes" entry of their
 * apiVersion (kube's capManagersManager), so managedFields cannot grow without bound.
 */
export function capUpdateManagers(m: Managers, max = MAX_UPDATE_MANAGERS): Managers {
  const updates = (): number => [...m.values()].filter((e) => e.operation === "Update").length;
  if (updates() <= max) return m;
  const candidates = [...m.entries()]
    .filter(([, e]) => e.operation === "Update" && e.manager !== ANCIENT_CHANGES)
    .map(([id]) => id)
    .sort((a, b) => seconds(m.get(a)?.time) - seconds(m.get(b)?.time) || cmp(a, b));
  while (updates() > max && candidates.length > 0) {
    const oldestId = candidates.shift() as string;
    const oldest = m.get(oldestId);
    if (!oldest) continue;
    const bucket: ManagerEntry = {
      manager: ANCIENT_CHANGES,
      operation: "Update",
      apiVersion: oldest.apiVersion,
      set: new FieldSet(),
    };
    const bucketId = managerId(bucket);
    const merged = m.get(bucketId) ?? bucket;
    merged.set = merged.set.union(oldest.set);
    if (oldest.time && seconds(oldest.time) >= seconds(merged.time)) merged.time = oldest.time;
    m.delete(oldestId);
    m.set(bucketId, merged);
  }
  return m;
}

/** Removes the entries managers own nothing of, after dropping fields nobody may own. */
export function stripMeta(m: Managers): Managers {
  for (const [id, e] of m) {
    e.set = e.set.difference(STRIPPED);
    if (e.set.empty()) m.delete(id);
  }
  return m;
}
