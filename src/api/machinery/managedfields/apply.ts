/** Server-side apply of a configuration onto the live object (application/apply-patch+yaml). */
import { kindSchema } from "../../schema/index.ts";
import { errors, StatusError } from "../errors.ts";
import type { JsonObject, JsonValue, KubeObject } from "../types.ts";
import {
  applyManaged,
  ConflictError,
  conflictStatus,
  stripManagedFields,
  updateManaged,
} from "./fieldmanager.ts";
import {
  capUpdateManagers,
  decodeManagedFields,
  encodeManagedFields,
  type Managers,
  rfc3339,
  stripMeta,
} from "./managed.ts";
import { atomOf, isMap, type Node } from "./schema.ts";
import type { FieldSet } from "./set.ts";
import { compare, SchemaError, toFieldSet } from "./typed.ts";

export interface ApplyOptions {
  manager: string;
  force: boolean;
  now: Date;
  subresource?: string;
}

/** The manager kube gives the fields of an object that had no managedFields when first applied to. */
export const BEFORE_FIRST_APPLY = "before-first-apply";
const LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration";

/** Go's GroupVersionKind.String(): `/v1, Kind=Service`, `apps/v1, Kind=Deployment`. */
function gvkString(apiVersion: string, kind: string): string {
  const gv = apiVersion.includes("/") ? apiVersion : `/${apiVersion}`;
  return `${gv}, Kind=${kind}`;
}

/** Struct fields set to null are absent once the object is typed (Go pointers and zero values). */
function dropNulls(v: JsonValue | undefined, n: Node): JsonValue | undefined {
  const a = atomOf(n);
  if (a.kind === "struct" && isMap(v)) {
    const out: JsonObject = {};
    for (const [k, x] of Object.entries(v)) {
      if (x === undefined || x === null) continue;
      const child = a.fields.get(k);
      out[k] = child ? dropNulls(x, child) : x;
    }
    return out;
  }
  if (a.kind === "list" && Array.isArray(v)) return v.map((x) => dropNulls(x, a.items) ?? null);
  if (a.kind === "map" && isMap(v)) {
    const out: JsonObject = {};
    for (const [k, x] of Object.entries(v)) if (x !== undefined) out[k] = dropNulls(x, a.values) ?? null;
    return out;
  }
  return v;
}

/**
 * Server-side apply (structured-merge-diff via kube's field manager): merges `config` into
 * `current` (undefined when the object does not exist yet), removes fields the manager applied
 * before and no longer applies unless someone else owns them, and records the manager's
 * ownership as an Apply entry. Throws 409 Conflict with FieldManagerConflict causes when the
 * config changes fields other managers own, unless `force`. The result still has to go through
 * the update (or create) pipeline: defaults, validation, admission.
 */
export function serverSideApply(
  current: KubeObject | undefined,
  config: KubeObject,
  opts: ApplyOptions,
): KubeObject {
  const apiVersion = config.apiVersion ?? "";
  const kind = config.kind ?? "";
  if (!apiVersion || !kind)
    throw errors.badRequest(`Object 'apiVersion' and 'Kind' must be set in an apply configuration`);
  if (current?.apiVersion && current.apiVersion !== apiVersion)
    throw errors.badRequest(
      `Incorrect version specified in apply patch. Specified patch version: ${apiVersion}, expected: ${current.apiVersion}`,
    );
  if (current?.kind && current.kind !== kind)
    throw errors.badRequest(
      `Incorrect kind specified in apply patch. Specified patch kind: ${kind}, expected: ${current.kind}`,
    );
  if (config.metadata?.managedFields !== undefined && config.metadata.managedFields !== null)
    throw errors.badRequest("metadata.managedFields must be nil");
  const ref = kindSchema(apiVersion, kind);
  if (!ref) throw errors.badRequest(`no schema for ${gvkString(apiVersion, kind)}`);
  const node: Node = { ref };
  const now = rfc3339(opts.now);
  const live: JsonObject = current ? stripManagedFields(current) : {};
  const cfg = config as unknown as JsonObject;
  try {
    toFieldSet(cfg, node, false);
  } catch (e) {
    if (e instanceof SchemaError)
      throw errors.badRequest(
        `failed to create typed patch object (${gvkString(apiVersion, kind)}): ${e.message}`,
      );
    throw e;
  }
  let managers: Managers;
  try {
    managers = decodeManagedFields(current?.metadata.managedFields);
  } catch (e) {
    throw new StatusError(
      500,
      "InternalError",
      `failed to decode managed fields: ${e instanceof Error ? e.message : e}`,
    );
  }
  if (current && managers.size === 0) {
    // An object nobody tracked yet: its current fields belong to a placeholder manager.
    managers = stripMeta(
      updateManaged({}, live, managers, { node, manager: BEFORE_FIRST_APPLY, apiVersion, now }),
    );
  }
  const req = { node, manager: opts.manager, apiVersion, subresource: opts.subresource, force: opts.force };
  let result: ReturnType<typeof applyManaged>;
  try {
    result = applyManaged(live, cfg, managers, req);
  } catch (e) {
    if (!(e instanceof ConflictError)) throw e;
    // kubectl's own manager may take over fields it set with client-side apply.
    const allowed = opts.manager === "kubectl" && current ? allowedFromLastApplied(live, node) : undefined;
    const left = allowed ? e.conflicts.filter((c) => !allowed.has(c.path)) : e.conflicts;
    if (left.length > 0) throw conflictStatus(left);
    result = applyManaged(live, cfg, managers, { ...req, force: true });
  }
  const out = (dropNulls(result.object, node) ?? {}) as KubeObject;
  const ms = stripMeta(result.managers);
  for (const e of ms.values())
    if (
      e.operation === "Apply" &&
      e.manager === opts.manager &&
      (e.subresource ?? "") === (opts.subresource ?? "")
    ) {
      if (result.changed || !current) e.time = now;
    }
  out.metadata = { ...(out.metadata ?? {}) };
  const encoded = encodeManagedFields(capUpdateManagers(ms));
  if (encoded.length > 0) out.metadata.managedFields = encoded;
  else delete out.metadata.managedFields;
  return out;
}

/** Fields of the last-applied annotation that still hold the live values (kube's lastAppliedManager). */
function allowedFromLastApplied(live: JsonObject, node: Node): FieldSet | undefined {
  const meta = live.metadata;
  const ann = isMap(meta) && isMap(meta.annotations) ? meta.annotations[LAST_APPLIED] : undefined;
  if (typeof ann !== "string" || ann === "") return undefined;
  try {
    const last = JSON.parse(ann) as JsonValue;
    const set = toFieldSet(last, node);
    const c = compare(last, live, node);
    return set.difference(c.modified).difference(c.added).difference(c.removed);
  } catch {
    return undefined;
  }
}
