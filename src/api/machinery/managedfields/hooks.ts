/**
 * managedFields upkeep for ordinary writes (kube's FieldManager.UpdateNoErrors on create, update
 * and patch): the fields a write changes go to its manager as an Update entry.
 */
import { kindSchema } from "../../schema/index.ts";
import type { KubeObject } from "../types.ts";
import { stripManagedFields, updateManaged } from "./fieldmanager.ts";
import {
  capUpdateManagers,
  decodeManagedFields,
  encodeManagedFields,
  isResetManagedFields,
  type Managers,
  rfc3339,
  stripMeta,
} from "./managed.ts";

/** The part of the registry's WriteContext these hooks read. */
export interface ManagedFieldsContext {
  fieldManager?: string;
  operation: "Create" | "Update" | "Apply";
  subresource?: string;
}

/** Structurally a registry WriteHooks object (machinery may not import the server). */
export interface ManagedFieldsHooks {
  beforeCreate(obj: KubeObject, ctx: ManagedFieldsContext): undefined;
  beforeUpdate(obj: KubeObject, old: KubeObject, ctx: ManagedFieldsContext): undefined;
}

/** kube's decodeLiveOrNew: a writer's own managedFields win, unless empty, undecodable or sent to a subresource. */
function startingManagers(
  obj: KubeObject,
  old: KubeObject | undefined,
  subresource: string | undefined,
): Managers {
  const fromOld = (): Managers => {
    try {
      return decodeManagedFields(old?.metadata.managedFields);
    } catch {
      return new Map();
    }
  };
  if (subresource) return fromOld();
  const sent = obj.metadata.managedFields;
  if (isResetManagedFields(sent)) return new Map();
  try {
    const m = decodeManagedFields(sent);
    return m.size > 0 ? m : fromOld();
  } catch {
    return fromOld();
  }
}

function track(obj: KubeObject, old: KubeObject | undefined, ctx: ManagedFieldsContext, now: Date): void {
  if (ctx.operation === "Apply") return; // serverSideApply already recorded ownership
  const ref = obj.apiVersion && obj.kind ? kindSchema(obj.apiVersion, obj.kind) : undefined;
  if (!ref) return;
  try {
    const managers = startingManagers(obj, old, ctx.subresource);
    const live = old ? stripManagedFields(old) : {};
    const next = stripManagedFields(obj);
    const out = stripMeta(
      updateManaged(live, next, managers, {
        node: { ref },
        manager: ctx.fieldManager ?? "",
        apiVersion: obj.apiVersion ?? "",
        subresource: ctx.subresource,
        now: rfc3339(now),
      }),
    );
    const encoded = encodeManagedFields(capUpdateManagers(out));
    if (encoded.length > 0) obj.metadata.managedFields = encoded;
    else delete obj.metadata.managedFields;
  } catch {
    // Like kube's UpdateNoErrors: a write never fails over bookkeeping; drop what cannot be kept.
    delete obj.metadata.managedFields;
  }
}

export function managedFieldsHooks(now: () => Date): ManagedFieldsHooks {
  return {
    beforeCreate(obj, ctx) {
      track(obj, undefined, ctx, now());
      return undefined;
    },
    beforeUpdate(obj, old, ctx) {
      track(obj, old, ctx, now());
      return undefined;
    },
  };
}
