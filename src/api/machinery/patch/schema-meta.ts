/**
 * Strategic-merge-patch metadata looked up in the project's schema, as kube reads it from Go
 * struct tags (patchStrategy, patchMergeKey). Only those tags steer SMP; +listType does not.
 * A field the schema does not know gets no metadata: maps merge and lists replace.
 */
import { typeDef } from "../../schema/index.ts";
import type { FieldDef, TypeRef } from "../../schema/types.ts";

export interface PatchMeta {
  /** patchStrategy split on commas, e.g. ["merge", "retainKeys"]. */
  strategies: string[];
  mergeKey: string;
}

export interface PatchSchema {
  /** reflect.Kind of the Go type, for error texts ("struct", "string", "map", …). */
  readonly name: string;
  /** Schema and metadata of a field holding a map or struct. */
  lookupStruct(key: string): { schema: PatchSchema; meta: PatchMeta };
  /** Schema of the elements and metadata of a field holding a list. */
  lookupSlice(key: string): { schema: PatchSchema; meta: PatchMeta };
}

const noMeta: PatchMeta = { strategies: [], mergeKey: "" };

const goKind: Record<string, string> = {
  string: "string",
  int32: "int32",
  int64: "int64",
  bool: "bool",
  double: "float64",
  bytes: "slice",
  intOrString: "struct",
  quantity: "struct",
  time: "struct",
  microTime: "struct",
  duration: "struct",
  rawExtension: "struct",
  fieldsV1: "struct",
};

function findField(typeName: string, json: string, depth = 0): FieldDef | undefined {
  const def = typeDef(typeName);
  if (!def || depth > 8) return undefined;
  for (const f of def.fields) {
    if (f.json === json && !f.inline) return f;
    if ((f.inline || f.json === "") && f.type.kind === "message") {
      const inner = findField(f.type.name, json, depth + 1);
      if (inner) return inner;
    }
  }
  return undefined;
}

function metaOf(f: FieldDef): PatchMeta {
  return {
    strategies: f.patchStrategy ? f.patchStrategy.split(",") : [],
    mergeKey: f.patchMergeKey ?? "",
  };
}

class RefSchema implements PatchSchema {
  constructor(private readonly ref: TypeRef | undefined) {}

  get name(): string {
    const r = this.ref;
    if (!r) return "interface";
    if (r.kind === "message") return "struct";
    if (r.kind === "list") return "slice";
    if (r.kind === "map") return "map";
    return goKind[r.type] ?? "struct";
  }

  private field(key: string): { ref: TypeRef | undefined; meta: PatchMeta } {
    const r = this.ref;
    if (r?.kind === "map") return { ref: r.values, meta: noMeta };
    if (r?.kind === "message") {
      const f = findField(r.name, key);
      if (f) return { ref: f.type, meta: metaOf(f) };
    }
    return { ref: undefined, meta: noMeta };
  }

  lookupStruct(key: string): { schema: PatchSchema; meta: PatchMeta } {
    const { ref, meta } = this.field(key);
    return { schema: new RefSchema(ref), meta };
  }

  lookupSlice(key: string): { schema: PatchSchema; meta: PatchMeta } {
    const { ref, meta } = this.field(key);
    return { schema: new RefSchema(ref?.kind === "list" ? ref.items : undefined), meta };
  }
}

/** The SMP schema of a type from src/api/schema (undefined: no metadata anywhere). */
export function patchSchemaFor(ref: TypeRef | undefined): PatchSchema {
  return new RefSchema(ref);
}
