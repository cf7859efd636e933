/**
 * The operations of every served resource, as kube-apiserver's OpenAPI lists them: one path per
 * collection, item, subresource and (deprecated) watch endpoint, each operation with its
 * operationId, `x-kubernetes-action`, `x-kubernetes-group-version-kind`, query parameters
 * (fieldValidation, dryRun, fieldManager … which kubectl's QueryParamVerifier looks for on PATCH)
 * and responses with the media types the server produces.
 */
import type { ResourceDef } from "../resources/types.ts";
import { kindSchema } from "../schema/index.ts";
import { type Flavor, refPath, type Schema } from "./schemas.ts";

const META = "io.k8s.apimachinery.pkg.apis.meta.v1";

interface Param {
  name: string;
  in: "query" | "path";
  description: string;
  type: "string" | "boolean" | "integer";
  required?: boolean;
  uniqueItems?: boolean;
}

const q = (name: string, type: Param["type"], description: string): Param => ({
  name,
  in: "query",
  type,
  description,
  uniqueItems: true,
});

const P = {
  pretty: q("pretty", "string", "When 'true', the response is indented for people to read."),
  dryRun: q(
    "dryRun",
    "string",
    "Set to 'All' to run every stage of the request (defaults, validation, admission) without storing anything.",
  ),
  fieldManager: q(
    "fieldManager",
    "string",
    "Names the actor making the change, for field ownership tracking; printable characters only, at most 128.",
  ),
  fieldValidation: q(
    "fieldValidation",
    "string",
    "What the server does with fields it does not know or that appear twice: Ignore drops them silently, Warn (the default) drops them and answers with a warning for each, Strict rejects the request.",
  ),
  force: q(
    "force",
    "boolean",
    "Server-side apply only: take ownership of fields other managers own instead of failing with a conflict.",
  ),
  gracePeriodSeconds: q(
    "gracePeriodSeconds",
    "integer",
    "Seconds to wait before the object is removed; zero means at once, absent means the kind's default.",
  ),
  orphanDependents: q(
    "orphanDependents",
    "boolean",
    "Deprecated in favour of propagationPolicy: whether objects owned by this one are left behind.",
  ),
  propagationPolicy: q(
    "propagationPolicy",
    "string",
    "How owned objects are handled: Orphan leaves them, Background deletes them afterwards, Foreground deletes them first.",
  ),
  ignoreStoreReadError: q(
    "ignoreStoreReadErrorWithClusterBreakingPotential",
    "boolean",
    "Delete an object the store cannot read (for example, one that no longer decrypts). Dangerous; off by default.",
  ),
  allowWatchBookmarks: q(
    "allowWatchBookmarks",
    "boolean",
    "Lets a watch receive BOOKMARK events that only carry a newer resourceVersion.",
  ),
  continue: q(
    "continue",
    "string",
    "The token from a previous page of a limited list, to fetch the next page.",
  ),
  fieldSelector: q(
    "fieldSelector",
    "string",
    "Only return objects whose fields match, e.g. metadata.name=x.",
  ),
  labelSelector: q("labelSelector", "string", "Only return objects whose labels match the selector."),
  limit: q(
    "limit",
    "integer",
    "The most objects to return in one page; the response carries a continue token.",
  ),
  resourceVersion: q(
    "resourceVersion",
    "string",
    "Which version of the data the request may be served from; see the API concepts documentation.",
  ),
  resourceVersionMatch: q(
    "resourceVersionMatch",
    "string",
    "How resourceVersion is compared on list: Exact or NotOlderThan.",
  ),
  sendInitialEvents: q(
    "sendInitialEvents",
    "boolean",
    "With watch, first send the current objects as ADDED events and then a bookmark marking their end.",
  ),
  timeoutSeconds: q("timeoutSeconds", "integer", "End the list or watch call after this many seconds."),
  watch: q("watch", "boolean", "Instead of a list, stream the changes to the matching objects."),
};

const listParams = [
  P.allowWatchBookmarks,
  P.continue,
  P.fieldSelector,
  P.labelSelector,
  P.limit,
  P.resourceVersion,
  P.resourceVersionMatch,
  P.sendInitialEvents,
  P.timeoutSeconds,
  P.watch,
];
const writeParams = [P.dryRun, P.fieldManager, P.fieldValidation];
const deleteParams = [
  P.dryRun,
  P.gracePeriodSeconds,
  P.ignoreStoreReadError,
  P.orphanDependents,
  P.propagationPolicy,
];

const produces = ["application/json", "application/yaml", "application/vnd.kubernetes.protobuf"];
const watchProduces = [
  "application/json",
  "application/yaml",
  "application/vnd.kubernetes.protobuf",
  "application/json;stream=watch",
  "application/vnd.kubernetes.protobuf;stream=watch",
];
const patchConsumes = [
  "application/json-patch+json",
  "application/merge-patch+json",
  "application/strategic-merge-patch+json",
  "application/apply-patch+yaml",
];

interface OpSpec {
  method: "get" | "put" | "post" | "patch" | "delete";
  verb: string;
  action: string;
  description: string;
  params: Param[];
  /** Type name of the body (Patch for patches). */
  body?: string;
  /** Type name of the answer, by status code. */
  responses: Record<string, string>;
  watch?: boolean;
  gvk: { group: string; version: string; kind: string };
  tag: string;
}

/** Go-style identifiers kube derives operation ids from: "networking.k8s.io" → "Networking". */
function groupId(group: string): string {
  if (!group) return "Core";
  const first = group.split(".")[0];
  return first.charAt(0).toUpperCase() + first.slice(1);
}

function versionId(v: string): string {
  return v.charAt(0).toUpperCase() + v.slice(1);
}

function tagOf(d: ResourceDef): string {
  return `${d.group ? d.group.split(".")[0] : "core"}_${d.version}`;
}

function pathParam(name: string, what: string): Param {
  return { name, in: "path", type: "string", required: true, uniqueItems: true, description: what };
}

/** Every path of one resource and its operations, flavour-neutral. */
function resourcePaths(d: ResourceDef): Array<{ path: string; params: Param[]; ops: OpSpec[] }> {
  const root = d.group ? `/apis/${d.group}/${d.version}` : `/api/${d.version}`;
  const typeName = kindSchema(d.group ? `${d.group}/${d.version}` : d.version, d.kind);
  const obj = typeName?.kind === "message" ? typeName.name : "";
  const listType = `${obj}List`;
  const gvk = { group: d.group, version: d.version, kind: d.kind };
  const tag = tagOf(d);
  const id = `${groupId(d.group)}${versionId(d.version)}`;
  const ns = d.namespaced ? "Namespaced" : "";
  const coll = d.namespaced ? `${root}/namespaces/{namespace}/${d.plural}` : `${root}/${d.plural}`;
  const nsParam = pathParam("namespace", "object name and auth scope, such as for teams and projects");
  const nameParam = pathParam("name", `name of the ${d.kind}`);
  const scope = d.namespaced ? [nsParam] : [];
  const op = (o: Omit<OpSpec, "gvk" | "tag"> & { gvk?: OpSpec["gvk"] }): OpSpec => ({ gvk, tag, ...o });
  const out: Array<{ path: string; params: Param[]; ops: OpSpec[] }> = [];
  const St = `${META}.Status`;

  out.push({
    path: coll,
    params: [...scope, P.pretty],
    ops: [
      op({
        method: "get",
        verb: `list${id}${ns}${d.kind}`,
        action: "list",
        description: `list or watch objects of kind ${d.kind}`,
        params: listParams,
        responses: { "200": listType },
        watch: true,
      }),
      op({
        method: "post",
        verb: `create${id}${ns}${d.kind}`,
        action: "post",
        description: `create a ${d.kind}`,
        params: writeParams,
        body: obj,
        responses: { "200": obj, "201": obj, "202": obj },
      }),
      op({
        method: "delete",
        verb: `delete${id}Collection${ns}${d.kind}`,
        action: "deletecollection",
        description: `delete collection of ${d.kind}`,
        params: [...listParams.filter((p) => p !== P.watch && p !== P.allowWatchBookmarks), ...deleteParams],
        body: `${META}.DeleteOptions`,
        responses: { "200": St },
      }),
    ],
  });
  out.push({
    path: `${coll}/{name}`,
    params: [nameParam, ...scope, P.pretty],
    ops: [
      op({
        method: "get",
        verb: `read${id}${ns}${d.kind}`,
        action: "get",
        description: `read the specified ${d.kind}`,
        params: [],
        responses: { "200": obj },
      }),
      op({
        method: "put",
        verb: `replace${id}${ns}${d.kind}`,
        action: "put",
        description: `replace the specified ${d.kind}`,
        params: writeParams,
        body: obj,
        responses: { "200": obj, "201": obj },
      }),
      op({
        method: "delete",
        verb: `delete${id}${ns}${d.kind}`,
        action: "delete",
        description: `delete a ${d.kind}`,
        params: deleteParams,
        body: `${META}.DeleteOptions`,
        responses: { "200": St, "202": St },
      }),
      op({
        method: "patch",
        verb: `patch${id}${ns}${d.kind}`,
        action: "patch",
        description: `partially update the specified ${d.kind}`,
        params: [...writeParams, P.force],
        body: `${META}.Patch`,
        responses: { "200": obj, "201": obj },
      }),
    ],
  });
  const subs: Array<{ name: string; kind: string; type: string; gvk: OpSpec["gvk"]; verbs: string[] }> = [];
  if (d.subresources.status)
    subs.push({ name: "status", kind: `${d.kind}Status`, type: obj, gvk, verbs: ["get", "put", "patch"] });
  if (d.subresources.scale)
    subs.push({
      name: "scale",
      kind: `${d.kind}Scale`,
      type: "io.k8s.api.autoscaling.v1.Scale",
      gvk: { group: "autoscaling", version: "v1", kind: "Scale" },
      verbs: ["get", "put", "patch"],
    });
  for (const o of d.subresources.others ?? []) {
    const t = kindSchema(d.group ? `${d.group}/${d.version}` : d.version, o.kind);
    if (t?.kind !== "message") continue;
    const verbs = o.verbs.flatMap((v) =>
      v === "create" ? ["post"] : v === "update" ? ["put"] : v === "get" || v === "patch" ? [v] : [],
    );
    subs.push({
      name: o.name,
      kind: `${d.kind}${o.name.charAt(0).toUpperCase()}${o.name.slice(1)}`,
      type: t.name,
      gvk: { group: d.group, version: d.version, kind: o.kind },
      verbs,
    });
  }
  for (const s of subs) {
    const ops: OpSpec[] = [];
    for (const v of s.verbs) {
      if (v === "get")
        ops.push(
          op({
            method: "get",
            verb: `read${id}${ns}${s.kind}`,
            action: "get",
            description: `read ${s.name} of the specified ${d.kind}`,
            params: [],
            responses: { "200": s.type },
            gvk: s.gvk,
          }),
        );
      if (v === "put")
        ops.push(
          op({
            method: "put",
            verb: `replace${id}${ns}${s.kind}`,
            action: "put",
            description: `replace ${s.name} of the specified ${d.kind}`,
            params: writeParams,
            body: s.type,
            responses: { "200": s.type, "201": s.type },
            gvk: s.gvk,
          }),
        );
      if (v === "post")
        ops.push(
          op({
            method: "post",
            verb: `create${id}${ns}${s.kind}`,
            action: "post",
            description: `create ${s.name} of a ${d.kind}`,
            params: writeParams,
            body: s.type,
            responses: { "200": s.type, "201": s.type, "202": s.type },
            gvk: s.gvk,
          }),
        );
      if (v === "patch")
        ops.push(
          op({
            method: "patch",
            verb: `patch${id}${ns}${s.kind}`,
            action: "patch",
            description: `partially update ${s.name} of the specified ${d.kind}`,
            params: [...writeParams, P.force],
            body: `${META}.Patch`,
            responses: { "200": s.type, "201": s.type },
            gvk: s.gvk,
          }),
        );
    }
    if (ops.length > 0)
      out.push({ path: `${coll}/{name}/${s.name}`, params: [nameParam, ...scope, P.pretty], ops });
  }
  if (d.namespaced) {
    out.push({
      path: `${root}/${d.plural}`,
      params: [...listParams.slice(0, 4), P.limit, P.pretty, ...listParams.slice(5)],
      ops: [
        op({
          method: "get",
          verb: `list${id}${d.kind}ForAllNamespaces`,
          action: "list",
          description: `list or watch objects of kind ${d.kind}`,
          params: [],
          responses: { "200": listType },
          watch: true,
        }),
      ],
    });
  }
  // The deprecated watch endpoints kube still publishes.
  const W = `${META}.WatchEvent`;
  const watchRoot = d.namespaced
    ? `${root}/watch/namespaces/{namespace}/${d.plural}`
    : `${root}/watch/${d.plural}`;
  out.push({
    path: watchRoot,
    params: [...listParams, ...scope, P.pretty],
    ops: [
      op({
        method: "get",
        verb: `watch${id}${ns}${d.kind}List`,
        action: "watchlist",
        description: `watch individual changes to a list of ${d.kind}. deprecated: use the 'watch' parameter with a list operation instead.`,
        params: [],
        responses: { "200": W },
        watch: true,
      }),
    ],
  });
  out.push({
    path: `${watchRoot}/{name}`,
    params: [...listParams, nameParam, ...scope, P.pretty],
    ops: [
      op({
        method: "get",
        verb: `watch${id}${ns}${d.kind}`,
        action: "watch",
        description: `watch changes to an object of kind ${d.kind}. deprecated: use the 'watch' parameter with a list operation instead, filtered to a single item with the 'fieldSelector' parameter.`,
        params: [],
        responses: { "200": W },
        watch: true,
      }),
    ],
  });
  if (d.namespaced) {
    out.push({
      path: `${root}/watch/${d.plural}`,
      params: [...listParams, P.pretty],
      ops: [
        op({
          method: "get",
          verb: `watch${id}${d.kind}ListForAllNamespaces`,
          action: "watchlist",
          description: `watch individual changes to a list of ${d.kind}. deprecated: use the 'watch' parameter with a list operation instead.`,
          params: [],
          responses: { "200": W },
          watch: true,
        }),
      ],
    });
  }
  return out;
}

function paramSchema(flavor: Flavor, p: Param): Schema {
  if (flavor === "v2") {
    const s: Schema = {
      type: p.type,
      uniqueItems: p.uniqueItems,
      description: p.description,
      name: p.name,
      in: p.in,
    };
    if (p.required) s.required = true;
    return s;
  }
  const s: Schema = {
    name: p.name,
    in: p.in,
    description: p.description,
    schema: { type: p.type, uniqueItems: p.uniqueItems },
  };
  if (p.required) s.required = true;
  return s;
}

const responseText: Record<string, string> = { "200": "OK", "201": "Created", "202": "Accepted" };

function operation(flavor: Flavor, o: OpSpec): Schema {
  const out: Schema = { description: o.description, operationId: o.verb, tags: [o.tag] };
  const mediaTypes = o.watch ? watchProduces : produces;
  const params = o.params.map((p) => paramSchema(flavor, p));
  if (flavor === "v2") {
    out.consumes = o.method === "patch" ? patchConsumes : ["*/*"];
    out.produces = mediaTypes;
    out.schemes = ["https"];
    if (o.body)
      params.unshift({
        name: "body",
        in: "body",
        required: o.method !== "delete",
        schema: { $ref: refPath(flavor, o.body) },
      });
  } else if (o.body) {
    const consumes = o.method === "patch" ? patchConsumes : ["*/*"];
    out.requestBody = {
      content: Object.fromEntries(
        consumes.map((c) => [c, { schema: { $ref: refPath(flavor, o.body as string) } }]),
      ),
      required: o.method !== "delete",
    };
  }
  if (params.length > 0) out.parameters = params;
  const responses: Record<string, Schema> = {};
  for (const [code, type] of Object.entries(o.responses)) {
    const ref = { $ref: refPath(flavor, type) };
    responses[code] =
      flavor === "v2"
        ? { description: responseText[code], schema: ref }
        : {
            description: responseText[code],
            content: Object.fromEntries(mediaTypes.map((m) => [m, { schema: ref }])),
          };
  }
  responses["401"] = { description: "Unauthorized" };
  out.responses = responses;
  out["x-kubernetes-action"] = o.action;
  out["x-kubernetes-group-version-kind"] = o.gvk;
  return out;
}

/** The `paths` object for the given resources, and the definition names its operations use. */
export function buildPaths(
  flavor: Flavor,
  defs: ResourceDef[],
): { paths: Record<string, Schema>; roots: Set<string> } {
  const paths: Record<string, Schema> = {};
  const roots = new Set<string>();
  for (const d of defs) {
    for (const p of resourcePaths(d)) {
      const item: Schema = {};
      for (const o of p.ops) {
        item[o.method] = operation(flavor, o);
        if (o.body) roots.add(o.body);
        for (const t of Object.values(o.responses)) roots.add(t);
      }
      item.parameters = p.params.map((x) => paramSchema(flavor, x));
      paths[p.path] = item;
    }
  }
  return { paths: Object.fromEntries(Object.entries(paths).sort(([a], [b]) => a.localeCompare(b))), roots };
}
