/** List and watch filtering: label and field selectors compiled once per request. */
import { errors } from "../machinery/errors.ts";
import {
  type FieldSelector,
  fieldsUsed,
  isEmptyFields,
  matchesFields,
  parseFieldSelector,
  unsupportedFieldMessage,
} from "../machinery/selectors/field.ts";
import {
  isEmpty,
  type LabelSelector,
  matches,
  parseLabelSelector,
  SelectorError,
} from "../machinery/selectors/label.ts";
import type { KubeObject } from "../machinery/types.ts";
import type { ResourceDef } from "../resources/types.ts";

export interface ObjectFilter {
  /** True when the filter accepts everything (lists then report remainingItemCount). */
  empty: boolean;
  matches(obj: KubeObject): boolean;
}

function metaField(obj: KubeObject, field: string): string | undefined {
  if (field === "metadata.name") return obj.metadata.name ?? "";
  if (field === "metadata.namespace") return obj.metadata.namespace ?? "";
  return undefined;
}

export function compileFilter(
  def: ResourceDef,
  labelSelector?: string,
  fieldSelector?: string,
): ObjectFilter {
  let labels: LabelSelector | undefined;
  let fields: FieldSelector | undefined;
  try {
    if (labelSelector) labels = parseLabelSelector(labelSelector);
    if (fieldSelector) fields = parseFieldSelector(fieldSelector);
  } catch (e) {
    if (e instanceof SelectorError) throw errors.badRequest(e.message);
    throw e;
  }
  if (labels && isEmpty(labels)) labels = undefined;
  if (fields && isEmptyFields(fields)) fields = undefined;
  if (fields) {
    const style = Object.keys(def.fields).length > 0 ? "fieldLabel" : "metadataOnly";
    for (const f of fieldsUsed(fields))
      if (f !== "metadata.name" && f !== "metadata.namespace" && !Object.hasOwn(def.fields, f))
        throw errors.badRequest(unsupportedFieldMessage(f, style));
  }
  const l = labels;
  const fs = fields;
  return {
    empty: !l && !fs,
    matches(obj) {
      if (l && !matches(l, obj.metadata.labels)) return false;
      if (fs && !matchesFields(fs, (f) => metaField(obj, f) ?? def.fields[f]?.(obj))) return false;
      return true;
    },
  };
}
