/**
 * Discovery documents built from the ResourceDefs: the legacy ones (/api, /apis, /apis/{g},
 * /api/v1, /apis/{g}/{v}) and aggregated discovery (apidiscovery.k8s.io v2 and v2beta1), which
 * kubectl ≥1.26 asks for first. client-go only treats a response as aggregated when its
 * Content-Type is application/json with the same g, v and as parameters it asked for.
 */
import { createHash } from "node:crypto";
import type { JsonObject, JsonValue } from "../machinery/types.ts";
import { groupVersion, type ResourceDef } from "../resources/types.ts";
import { parseAccept } from "./table.ts";

export const DISCOVERY_GROUP = "apidiscovery.k8s.io";
export const DISCOVERY_KIND = "APIGroupDiscoveryList";
/** Content-Type of an aggregated discovery answer (client-go's AcceptV2). */
export const DISCOVERY_V2_CONTENT_TYPE = `application/json;g=${DISCOVERY_GROUP};v=v2;as=${DISCOVERY_KIND}`;
/** Content-Type of an aggregated discovery answer in the older version (client-go's AcceptV2Beta1). */
export const DISCOVERY_V2BETA1_CONTENT_TYPE = `application/json;g=${DISCOVERY_GROUP};v=v2beta1;as=${DISCOVERY_KIND}`;
/** Content-Type of every legacy discovery document. */
export const DISCOVERY_LEGACY_CONTENT_TYPE = "application/json";

export type DiscoveryFormat = "v2" | "v2beta1" | "legacy";

export function discoveryContentType(format: DiscoveryFormat): string {
  switch (format) {
    case "v2":
      return DISCOVERY_V2_CONTENT_TYPE;
    case "v2beta1":
      return DISCOVERY_V2BETA1_CONTENT_TYPE;
    case "legacy":
      return DISCOVERY_LEGACY_CONTENT_TYPE;
  }
}

/**
 * Picks the answer for GET /api or /apis from the Accept header: the first acceptable JSON media
 * range (by q, then order) decides. Ranges the server cannot produce (protobuf, other kinds) are
 * skipped; extra parameters such as profile=nopeer do not matter.
 */
export function chooseDiscoveryFormat(accept: string | undefined): DiscoveryFormat {
  for (const m of parseAccept(accept ?? "")) {
    if (m.type !== "application/json" && m.type !== "application/*" && m.type !== "*/*") continue;
    const as = m.params.get("as");
    if (as === undefined) return "legacy";
    if (as !== DISCOVERY_KIND || m.params.get("g") !== DISCOVERY_GROUP) continue;
    const v = m.params.get("v");
    if (v === "v2" || v === "v2beta1") return v;
  }
  return "legacy";
}

const ALL_VERBS = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"];
const SUBRESOURCE_VERBS = ["get", "patch", "update"];

/** The verbs kube-apiserver lists for a resource: namespaces have no deletecollection. */
export function resourceVerbs(def: ResourceDef): string[] {
  if (def.group === "" && def.plural === "namespaces")
    return ALL_VERBS.filter((v) => v !== "deletecollection");
  return [...ALL_VERBS];
}

/** The storageVersionHash kube publishes: base64 of the first 8 bytes of sha256("group/version/kind"). */
export function storageVersionHash(group: string, version: string, kind: string): string {
  return createHash("sha256")
    .update(`${group}/${version}/${kind}`)
    .digest()
    .subarray(0, 8)
    .toString("base64");
}

interface GroupInfo {
  name: string;
  versions: string[];
}

/** API groups (without the core group) in first-seen order, with their versions. */
function groups(defs: ResourceDef[]): GroupInfo[] {
  const out: GroupInfo[] = [];
  for (const d of defs) {
    if (d.group === "") continue;
    let g = out.find((x) => x.name === d.group);
    if (!g) {
      g = { name: d.group, versions: [] };
      out.push(g);
    }
    if (!g.versions.includes(d.version)) g.versions.push(d.version);
  }
  return out;
}

function coreVersions(defs: ResourceDef[]): string[] {
  return [...new Set(defs.filter((d) => d.group === "").map((d) => d.version))];
}

function byName(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function servedBy(defs: ResourceDef[], group: string, version: string): ResourceDef[] {
  return defs
    .filter((d) => d.group === group && d.version === version)
    .sort((a, b) => byName(a.plural, b.plural));
}

/** GET /api: APIVersions, with the address clients should use from anywhere. */
export function apiVersions(defs: ResourceDef[], serverAddress: string): JsonObject {
  return {
    kind: "APIVersions",
    versions: coreVersions(defs),
    serverAddressByClientCIDRs: [{ clientCIDR: "0.0.0.0/0", serverAddress }],
  };
}

function groupDoc(g: GroupInfo): JsonObject {
  const versions = g.versions.map((v) => ({ groupVersion: `${g.name}/${v}`, version: v }));
  return { name: g.name, versions, preferredVersion: versions[0] };
}

/** GET /apis: APIGroupList. */
export function apiGroupList(defs: ResourceDef[]): JsonObject {
  return { kind: "APIGroupList", apiVersion: "v1", groups: groups(defs).map(groupDoc) };
}

/** GET /apis/{group}: APIGroup, or undefined when the group is not served (404). */
export function apiGroup(defs: ResourceDef[], group: string): JsonObject | undefined {
  const g = groups(defs).find((x) => x.name === group);
  return g ? { kind: "APIGroup", apiVersion: "v1", ...groupDoc(g) } : undefined;
}

/** GET /api/{v} or /apis/{g}/{v}: APIResourceList, or undefined when not served (404). */
export function apiResourceList(defs: ResourceDef[], group: string, version: string): JsonObject | undefined {
  const served = servedBy(defs, group, version);
  if (served.length === 0) return undefined;
  const resources: JsonObject[] = [];
  for (const d of served) {
    const r: JsonObject = {
      name: d.plural,
      singularName: d.singular,
      namespaced: d.namespaced,
      kind: d.kind,
      verbs: resourceVerbs(d),
    };
    if (d.shortNames.length > 0) r.shortNames = [...d.shortNames];
    if (d.categories.length > 0) r.categories = [...d.categories];
    r.storageVersionHash = storageVersionHash(d.group, d.version, d.kind);
    resources.push(r);
    if (d.subresources.scale) {
      resources.push({
        name: `${d.plural}/scale`,
        singularName: "",
        namespaced: d.namespaced,
        group: "autoscaling",
        version: "v1",
        kind: "Scale",
        verbs: [...SUBRESOURCE_VERBS],
      });
    }
    if (d.subresources.status) {
      resources.push({
        name: `${d.plural}/status`,
        singularName: "",
        namespaced: d.namespaced,
        kind: d.kind,
        verbs: [...SUBRESOURCE_VERBS],
      });
    }
    for (const o of d.subresources.others ?? [])
      resources.push({
        name: `${d.plural}/${o.name}`,
        singularName: "",
        namespaced: d.namespaced,
        kind: o.kind,
        verbs: [...o.verbs],
      });
  }
  resources.sort((a, b) => byName(String(a.name), String(b.name)));
  // The core group's list carries no apiVersion, as kube-apiserver's /api/v1 answer.
  const head: JsonObject =
    group === "" ? { kind: "APIResourceList" } : { kind: "APIResourceList", apiVersion: "v1" };
  return { ...head, groupVersion: groupVersion({ group, version }), resources };
}

function aggregatedResource(d: ResourceDef): JsonObject {
  const r: JsonObject = {
    resource: d.plural,
    responseKind: { group: d.group, version: d.version, kind: d.kind },
    scope: d.namespaced ? "Namespaced" : "Cluster",
    singularResource: d.singular,
    verbs: resourceVerbs(d),
  };
  if (d.shortNames.length > 0) r.shortNames = [...d.shortNames];
  if (d.categories.length > 0) r.categories = [...d.categories];
  const subs: JsonObject[] = [];
  if (d.subresources.scale) {
    subs.push({
      subresource: "scale",
      responseKind: { group: "autoscaling", version: "v1", kind: "Scale" },
      verbs: [...SUBRESOURCE_VERBS],
    });
  }
  if (d.subresources.status) {
    subs.push({
      subresource: "status",
      responseKind: { group: d.group, version: d.version, kind: d.kind },
      verbs: [...SUBRESOURCE_VERBS],
    });
  }
  for (const o of d.subresources.others ?? [])
    subs.push({
      subresource: o.name,
      responseKind: { group: d.group, version: d.version, kind: o.kind },
      verbs: [...o.verbs],
    });
  if (subs.length > 0) r.subresources = subs;
  return r;
}

function aggregatedGroup(defs: ResourceDef[], name: string, versions: string[]): JsonObject {
  // ObjectMeta as Go serialises it: the core group has no name.
  const metadata: JsonObject = name ? { name, creationTimestamp: null } : { creationTimestamp: null };
  return {
    metadata,
    versions: versions.map(
      (v): JsonValue => ({
        version: v,
        resources: servedBy(defs, name, v).map(aggregatedResource),
        freshness: "Current",
      }),
    ),
  };
}

/**
 * Aggregated discovery: for GET /api ("core") the core group alone, for GET /apis ("apis") every
 * other group, as an APIGroupDiscoveryList in the chosen version.
 */
export function aggregatedDiscovery(
  defs: ResourceDef[],
  path: "core" | "apis",
  version: "v2" | "v2beta1",
): JsonObject {
  const items: JsonValue[] =
    path === "core"
      ? [aggregatedGroup(defs, "", coreVersions(defs))]
      : groups(defs).map((g) => aggregatedGroup(defs, g.name, g.versions));
  return { kind: DISCOVERY_KIND, apiVersion: `${DISCOVERY_GROUP}/${version}`, metadata: {}, items };
}

/** A strong ETag for a discovery document, as kube's aggregated handler sets (sha512 of the JSON). */
export function discoveryETag(doc: JsonObject): string {
  return `"${createHash("sha512").update(JSON.stringify(doc)).digest("hex").toUpperCase()}"`;
}
