/**
 * Server-side printing: the meta.k8s.io Table that kubectl asks for with
 * `Accept: application/json;as=Table;v=v1;g=meta.k8s.io,…`. Rows carry the cells of the kind's
 * TableDef and, by default, the object's metadata (kubectl reads it for --show-labels, -L and the
 * NAMESPACE column of -A).
 */
import { StatusError } from "../machinery/errors.ts";
import { errorText } from "../machinery/field-errors.ts";
import type { JsonObject, JsonValue, KubeObject } from "../machinery/types.ts";
import type { ResourceDef } from "../resources/types.ts";

export type IncludeObject = "None" | "Metadata" | "Object";
export type TableVersion = "v1" | "v1beta1";

export interface ListMeta {
  resourceVersion?: string;
  continue?: string;
  remainingItemCount?: number;
}

export interface BuildTableOptions {
  includeObject: IncludeObject;
  /** Leave out the column definitions (later events of a watch). */
  noHeaders?: boolean;
  /** The time AGE columns are measured from. */
  now: Date;
  /**
   * The list's metadata; for a single object pass its resourceVersion, as kube's table
   * convertor copies it from the object.
   */
  listMeta?: ListMeta;
  /** meta.k8s.io version the client asked for (default v1; the shape is the same). */
  version?: TableVersion;
}

function rowObject(obj: KubeObject, include: IncludeObject, apiVersion: string): JsonObject | undefined {
  switch (include) {
    case "None":
      return undefined;
    case "Object":
      return obj as JsonObject;
    case "Metadata":
      return {
        kind: "PartialObjectMetadata",
        apiVersion,
        metadata: obj.metadata as JsonObject,
      };
  }
}

export function buildTable(def: ResourceDef, objects: KubeObject[], opts: BuildTableOptions): JsonObject {
  const apiVersion = `meta.k8s.io/${opts.version ?? "v1"}`;
  const metadata: JsonObject = {};
  const lm = opts.listMeta ?? {};
  if (lm.resourceVersion) metadata.resourceVersion = lm.resourceVersion;
  if (lm.continue) metadata.continue = lm.continue;
  if (lm.remainingItemCount !== undefined) metadata.remainingItemCount = lm.remainingItemCount;

  const columnDefinitions: JsonValue[] = opts.noHeaders
    ? []
    : def.table.columns.map((c) => ({
        name: c.name,
        type: c.type,
        format: c.format,
        description: c.description,
        priority: c.priority,
      }));

  const rows: JsonValue[] = objects.map((obj) => {
    const row: JsonObject = { cells: def.table.cells(obj, opts.now) };
    const o = rowObject(obj, opts.includeObject, apiVersion);
    if (o) row.object = o;
    return row;
  });

  return { kind: "Table", apiVersion, metadata, columnDefinitions, rows };
}

interface MediaRange {
  type: string;
  params: Map<string, string>;
  q: number;
  order: number;
}

/** Splits an Accept header into media ranges with lower-cased types and their parameters. */
export function parseAccept(accept: string): MediaRange[] {
  const out: MediaRange[] = [];
  accept.split(",").forEach((clause, order) => {
    const [type, ...rest] = clause.split(";").map((p) => p.trim());
    if (!type) return;
    const params = new Map<string, string>();
    let q = 1;
    for (const p of rest) {
      const eq = p.indexOf("=");
      if (eq < 0) continue;
      const key = p.slice(0, eq).trim().toLowerCase();
      const value = p
        .slice(eq + 1)
        .trim()
        .replace(/^"(.*)"$/, "$1");
      if (key === "q") q = Number.parseFloat(value);
      else params.set(key, value);
    }
    if (Number.isNaN(q)) q = 0;
    out.push({ type: type.toLowerCase(), params, q, order });
  });
  // Highest quality first; ties keep the client's order.
  return out.filter((m) => m.q > 0).sort((a, b) => b.q - a.q || a.order - b.order);
}

function jsonLike(type: string): boolean {
  return type === "application/json" || type === "application/*" || type === "*/*";
}

/**
 * Whether the client wants a Table (and which meta.k8s.io version). The first acceptable media
 * range wins: a JSON range with as=Table;g=meta.k8s.io;v=v1|v1beta1 means a Table; a plain JSON
 * range means the object itself. Ranges the server cannot produce (protobuf, other `as=`) are
 * skipped, as kube's negotiation does.
 */
export function parseTableAccept(accept: string): { table: boolean; version: TableVersion } {
  for (const m of parseAccept(accept)) {
    if (!jsonLike(m.type)) continue;
    const as = m.params.get("as");
    if (as === undefined) return { table: false, version: "v1" };
    if (as !== "Table" || m.params.get("g") !== "meta.k8s.io") continue;
    const v = m.params.get("v");
    if (v === "v1" || v === "v1beta1") return { table: true, version: v };
  }
  return { table: false, version: "v1" };
}

/**
 * The includeObject query parameter of a Table request (metav1.TableOptions). Absent means
 * Metadata; any other value than None/Metadata/Object is a 400 (kube's ValidateTableOptions, as
 * the handler's optionsForTransform reports it).
 */
export function parseIncludeObject(value: string | null | undefined): IncludeObject {
  if (value === null || value === undefined || value === "") return "Metadata";
  if (value === "None" || value === "Metadata" || value === "Object") return value;
  const err = errorText({
    type: "FieldValueInvalid",
    field: "includeObject",
    badValue: value,
    detail: "must be 'Metadata', 'Object', 'None', or empty",
  });
  throw new StatusError(400, "BadRequest", `Unable to convert to Table as requested: ${err}`);
}
