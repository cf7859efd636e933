/**
 * The OpenAPI documents: one v3 document per group version (what kubectl ≥ 1.27 reads for
 * explain and for the fieldValidation check) and one swagger 2.0 document of everything (what
 * older clients, and kubectl's client-side fallbacks, read).
 */
import type { ResourceDef } from "../resources/types.ts";
import { buildPaths } from "./paths.ts";
import { definitionsClosure, type Schema } from "./schemas.ts";

/** The Kubernetes API level the documents describe. */
export const apiLevel = "v1.33.0";

const security = [{ BearerToken: [] }];
const bearer = {
  type: "apiKey",
  name: "authorization",
  in: "header",
  description: "Bearer token authentication: send `Authorization: Bearer <token>`.",
};

/** The key of a group version in the v3 root: "api/v1" or "apis/apps/v1". */
export function gvKey(d: Pick<ResourceDef, "group" | "version">): string {
  return d.group ? `apis/${d.group}/${d.version}` : `api/${d.version}`;
}

export function v3Documents(defs: ResourceDef[]): Map<string, Schema> {
  const byGV = new Map<string, ResourceDef[]>();
  for (const d of defs) byGV.set(gvKey(d), [...(byGV.get(gvKey(d)) ?? []), d]);
  const out = new Map<string, Schema>();
  for (const [key, list] of [...byGV.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    const { paths, roots } = buildPaths("v3", list);
    out.set(key, {
      openapi: "3.0.0",
      info: { title: "Kubernetes", version: apiLevel },
      paths,
      components: {
        schemas: definitionsClosure("v3", roots),
        securitySchemes: { BearerToken: bearer },
      },
      security,
    });
  }
  return out;
}

export function v2Document(defs: ResourceDef[]): Schema {
  const { paths, roots } = buildPaths("v2", defs);
  return {
    swagger: "2.0",
    info: { title: "Kubernetes", version: apiLevel },
    paths,
    definitions: definitionsClosure("v2", roots),
    securityDefinitions: { BearerToken: bearer },
    security,
  };
}
