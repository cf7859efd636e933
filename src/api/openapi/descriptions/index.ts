/**
 * Field and type documentation for the OpenAPI documents and `kubectl explain`, written for Skiff
 * (not taken from Kubernetes). Keyed by definition name, then JSON field name; "" is the type.
 * Fields every object has (apiVersion, kind, metadata, a list's items) fall back to shared texts.
 */
import { typeDef } from "../../schema/index.ts";
import { appsDocs } from "./apps.ts";
import { coreDocs } from "./core.ts";
import { metaDocs } from "./meta.ts";
import { networkingDocs } from "./networking.ts";

export type Docs = Record<string, Record<string, string>>;

const all: Docs = { ...metaDocs, ...coreDocs, ...appsDocs, ...networkingDocs };

const common: Record<string, string> = {
  apiVersion:
    "The versioned schema this object is written in, as group/version (just the version for the core group). The server converts known versions to the one it stores.",
  kind: "The type of object this is, in CamelCase. Clients send it; the server derives it from the endpoint and cannot be told otherwise.",
  metadata:
    "Standard object metadata: name, namespace, labels, annotations and the bookkeeping the server keeps.",
};

const listCommon: Record<string, string> = {
  metadata:
    "List metadata: the resourceVersion the list was read at and, for paged lists, the continue token.",
};

export function typeDescription(name: string): string | undefined {
  const own = all[name]?.[""];
  if (own) return own;
  if (name.endsWith("List")) {
    const item = name.slice(0, -4);
    if (all[item]) return `A list of ${item.slice(item.lastIndexOf(".") + 1)} objects.`;
  }
  return undefined;
}

export function fieldDescription(typeName: string, field: string): string | undefined {
  const own = all[typeName]?.[field];
  if (own) return own;
  if (typeName.endsWith("List")) {
    if (field === "items") {
      const item = typeName.slice(typeName.lastIndexOf(".") + 1, -4);
      return `The ${item} objects in this list.`;
    }
    if (listCommon[field]) return listCommon[field];
  }
  // Only top-level objects (apiVersion and kind outside the protobuf message) share these texts.
  const top = typeDef(typeName)?.fields.some((f) => f.json === "apiVersion" && f.tag === 0);
  return top ? common[field] : undefined;
}
