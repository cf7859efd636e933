/** Field ownership (metadata.managedFields) and server-side apply, as kube's field manager does them. */
import { kindSchema, typeDef } from "../../schema/index.ts";
import type { KubeObject } from "../types.ts";
import { stripManagedFields } from "./fieldmanager.ts";
import type { FieldSet } from "./set.ts";
import { toFieldSet } from "./typed.ts";

export { type ApplyOptions, BEFORE_FIRST_APPLY, serverSideApply } from "./apply.ts";
export { conflictStatus, printManager } from "./fieldmanager.ts";
export { type ManagedFieldsContext, type ManagedFieldsHooks, managedFieldsHooks } from "./hooks.ts";
export {
  ANCIENT_CHANGES,
  capUpdateManagers,
  decodeManagedFields,
  encodeManagedFields,
  MAX_UPDATE_MANAGERS,
  type ManagerEntry,
  managerId,
} from "./managed.ts";
export { type Path, type PathElement, parsePE, pathString, serializePE } from "./path.ts";
export { decodeFieldsV1, encodeFieldsV1, FieldSet } from "./set.ts";

/**
 * The fields an object sets, by its schema: typeName is an OpenAPI definition name
 * (io.k8s.api.core.v1.Service), or omitted to use the object's apiVersion and kind.
 */
export function fieldSetOf(obj: KubeObject, typeName?: string): FieldSet {
  const ref = typeName
    ? typeDef(typeName)
      ? { kind: "message" as const, name: typeName }
      : undefined
    : kindSchema(obj.apiVersion ?? "", obj.kind ?? "");
  if (!ref) throw new Error(`no schema for ${typeName ?? `${obj.apiVersion}/${obj.kind}`}`);
  return toFieldSet(stripManagedFields(obj), { ref });
}
