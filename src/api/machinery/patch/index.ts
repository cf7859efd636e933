/** The patch engines: JSON patch, JSON merge patch, strategic merge patch. */
export { goValue, PatchError, type PatchErrorKind } from "./errors.ts";
export { applyJsonPatch, decodeJsonPatch } from "./json-patch.ts";
export { applyMergePatch, createMergePatch } from "./merge-patch.ts";
export { type PatchMeta, type PatchSchema, patchSchemaFor } from "./schema-meta.ts";
export { applyStrategicMergePatch } from "./strategic-merge-patch.ts";
