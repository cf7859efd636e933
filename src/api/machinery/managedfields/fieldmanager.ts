/**
 * Ownership bookkeeping for writes (structured-merge-diff's merge.Updater with kube's field
 * manager wrappers): an Update gives the changed fields to its manager and takes them from the
 * others; an Apply merges a configuration, prunes what its manager stopped applying, and fails
 * with conflicts when it would change fields other managers own.
 */
import { type StatusCause, StatusError } from "../errors.ts";
import type { JsonObject, JsonValue, KubeObject } from "../types.ts";
import { type ManagerEntry, type Managers, managerId } from "./managed.ts";
import { type Path, pathString } from "./path.ts";
import { goNormalize, type Node } from "./schema.ts";
import { FieldSet } from "./set.ts";
import { compare, ensureNamedFieldsAreMembers, merge, removeItems, toFieldSet } from "./typed.ts";

/** What a write may not own: status for the main resource, spec for the status subresource (kube's reset fields). */
export function ignoredFields(subresource: string | undefined): FieldSet {
  return subresource === "status" ? FieldSet.of([{ field: "spec" }]) : FieldSet.of([{ field: "status" }]);
}

export interface Conflict {
  id: string;
  entry: ManagerEntry;
  path: Path;
}

export class ConflictError extends Error {
  constructor(readonly conflicts: Conflict[]) {
    super("conflicts");
  }
}

/** The object without managedFields, as the field manager sees it. */
export function stripManagedFields(o: KubeObject): JsonObject {
  const { managedFields: _m, ...meta } = o.metadata ?? {};
  return { ...(o as JsonObject), metadata: meta as JsonObject };
}

function cloneManagers(m: Managers): Managers {
  const out: Managers = new Map();
  for (const [k, e] of m) out.set(k, { ...e, set: e.set.clone() });
  return out;
}

/**
 * The shared step of Update and Apply: fields that changed from live to next are taken from every
 * manager but `workflow`; without force, taking a field another manager owns is a conflict.
 */
function update(
  live: JsonValue,
  next: JsonValue,
  node: Node,
  managers: Managers,
  workflow: string,
  force: boolean,
  ignored: FieldSet,
): { managers: Managers; changed: FieldSet; removed: FieldSet } {
  const c = compare(goNormalize(live, node), goNormalize(next, node), node);
  const changed = c.modified.union(c.added).recursiveDifference(ignored);
  const removed = c.removed.recursiveDifference(ignored);
  const conflicts: Conflict[] = [];
  const taken = new Map<string, FieldSet>();
  for (const [id, e] of managers) {
    if (id === workflow) continue;
    const mine = e.set.intersection(changed);
    if (!mine.empty()) {
      taken.set(id, mine);
      for (const path of mine.paths()) conflicts.push({ id, entry: e, path });
    }
  }
  if (!force && conflicts.length > 0) throw new ConflictError(conflicts);
  for (const [id, e] of managers) {
    if (id === workflow) continue;
    let s = e.set;
    const t = taken.get(id);
    if (t) s = s.difference(t);
    if (!removed.empty()) s = s.difference(removed);
    e.set = s;
  }
  for (const [id, e] of managers) if (e.set.empty()) managers.delete(id);
  return { managers, changed, removed };
}

export interface UpdateRequest {
  node: Node;
  manager: string;
  apiVersion: string;
  subresource?: string;
  now: string;
}

/** Ownership after an ordinary write (create, update, patch): the changed fields go to the writer. */
export function updateManaged(
  live: JsonValue,
  next: JsonValue,
  managers: Managers,
  req: UpdateRequest,
): Managers {
  const self = "\u0000current-operation";
  const ignored = ignoredFields(req.subresource);
  const r = update(live, next, req.node, cloneManagers(managers), self, true, ignored);
  const out = r.managers;
  if (!r.changed.empty()) {
    const e: ManagerEntry = {
      manager: req.manager,
      operation: "Update",
      apiVersion: req.apiVersion,
      subresource: req.subresource,
      time: req.now,
      set: r.changed,
    };
    const id = managerId(e);
    const prev = out.get(id);
    if (prev) e.set = e.set.union(prev.set);
    out.set(id, e);
  }
  return out;
}

export interface ApplyRequest {
  node: Node;
  manager: string;
  apiVersion: string;
  subresource?: string;
  force: boolean;
}

/** Merge config into live, prune what the manager no longer applies, and record ownership. */
export function applyManaged(
  live: JsonObject,
  config: JsonObject,
  managers: Managers,
  req: ApplyRequest,
): { object: JsonValue; managers: Managers; changed: boolean } {
  const { node } = req;
  const ignored = ignoredFields(req.subresource);
  const merged = merge(live, config, node) ?? {};
  const id = managerId({
    manager: req.manager,
    operation: "Apply",
    apiVersion: req.apiVersion,
    subresource: req.subresource,
  });
  const ms = cloneManagers(managers);
  const last = ms.get(id)?.set;
  const prev = ms.get(id);
  ms.set(id, {
    manager: req.manager,
    operation: "Apply",
    apiVersion: req.apiVersion,
    subresource: req.subresource,
    time: prev?.time,
    set: toFieldSet(config, node, false).recursiveDifference(ignored),
  });
  const next = prune(merged, ms, last, node) ?? {};
  const r = update(live, next, node, ms, id, req.force, ignored);
  const changed = compareChanged(live, next, node);
  return { object: next, managers: r.managers, changed };
}

function compareChanged(live: JsonValue, next: JsonValue, node: Node): boolean {
  const c = compare(goNormalize(live, node), goNormalize(next, node), node);
  return !(c.added.empty() && c.modified.empty() && c.removed.empty());
}

/**
 * Removes what the applier applied last time and not this time, unless another manager (or this
 * apply) owns it, keeping anything the applier never owned (structured-merge-diff's prune with
 * addBackOwnedItems and addBackDanglingItems).
 */
function prune(
  merged: JsonValue,
  managers: Managers,
  last: FieldSet | undefined,
  node: Node,
): JsonValue | undefined {
  if (!last || last.empty()) return merged;
  const named = (s: FieldSet): FieldSet => ensureNamedFieldsAreMembers(s, node);
  const lastNamed = named(last);
  const mergedSet = named(toFieldSet(merged, node));
  let pruned = removeItems(merged, lastNamed, node);
  let managed = new FieldSet();
  for (const e of managers.values()) managed = managed.union(e.set);
  const keep = named(toFieldSet(pruned, node)).union(named(managed));
  pruned = removeItems(merged, mergedSet.difference(keep), node);
  const prunedSet = named(toFieldSet(pruned, node));
  return removeItems(merged, mergedSet.difference(prunedSet).intersection(lastNamed), node);
}

/** kube's printManager: `"name"`, `"name" with subresource "status"`, `… using v1` for Update entries. */
export function printManager(
  e: Pick<ManagerEntry, "manager" | "operation" | "apiVersion" | "subresource">,
): string {
  let s = JSON.stringify(e.manager);
  if (e.subresource) s += ` with subresource ${JSON.stringify(e.subresource)}`;
  if (e.operation === "Update") s += ` using ${e.apiVersion}`;
  return s;
}

/** 409 Conflict with FieldManagerConflict causes and kube's message. */
export function conflictStatus(conflicts: Conflict[]): StatusError {
  const sorted = [...conflicts].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const causes: StatusCause[] = sorted.map((c) => ({
    reason: "FieldManagerConflict",
    message: `conflict with ${printManager(c.entry)}`,
    field: pathString(c.path),
  }));
  let message: string;
  if (sorted.length === 1) {
    const c = sorted[0];
    message = `Apply failed with 1 conflict: conflict with ${printManager(c.entry)}: ${pathString(c.path)}`;
  } else {
    const lines: string[] = [];
    let cur: string | undefined;
    for (const c of sorted) {
      if (c.id !== cur) {
        cur = c.id;
        lines.push(`conflicts with ${printManager(c.entry)}:`);
      }
      lines.push(`- ${pathString(c.path)}`);
    }
    message = `Apply failed with ${sorted.length} conflicts: ${lines.join("\n")}`;
  }
  return new StatusError(409, "Conflict", message, { causes });
}
