/** Serves resource requests: routing by RequestInfo, verbs, subresources, output formats. */
import type { IncomingMessage, ServerResponse } from "node:http";
import { errors, StatusError } from "../machinery/errors.ts";
import { type FieldError, fieldErrors } from "../machinery/field-errors.ts";
import { validateBodyFields, warningHeader } from "../machinery/fieldvalidation/index.ts";
import { isObject, type KubeObject } from "../machinery/types.ts";
import type { ResourceDef } from "../resources/types.ts";
import { decodeObject, mediaType, readBody } from "./body.ts";
import { servePatch } from "./patch.ts";
import {
  type DeleteOptions,
  type ListQuery,
  parseResourceVersion,
  type ResourceRegistry,
  rfc3339,
} from "./registry.ts";
import type { ResourceRequest } from "./request-info.ts";
import { getScale, updateScale } from "./scale.ts";
import { buildTable, parseIncludeObject, parseTableAccept } from "./table.ts";
import { type EventType, serveWatch } from "./watch.ts";

export interface Registries {
  /** Look up by group, version and plural. */
  find(group: string, version: string, resource: string): ResourceRegistry | undefined;
  now(): Date;
}

export function sendJSON(res: ServerResponse, code: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(code, { "Content-Type": "application/json", "Cache-Control": "no-cache, private" });
  res.end(`${text}\n`);
}

export function sendStatusError(res: ServerResponse, e: StatusError): void {
  sendJSON(res, e.code, e.toStatus());
}

function notFoundResource(): StatusError {
  return new StatusError(404, "NotFound", "the server could not find the requested resource", {});
}

function includeObjectOf(q: URLSearchParams) {
  return parseIncludeObject(q.get("includeObject"));
}

function intParam(q: URLSearchParams, name: string): number | undefined {
  const v = q.get(name);
  if (v === null || v === "") return undefined;
  if (!/^-?\d+$/.test(v)) throw errors.badRequest(`${name}: Invalid value: "${v}": must be an integer`);
  return Number(v);
}

function boolParam(q: URLSearchParams, name: string): boolean | undefined {
  const v = q.get(name);
  if (v === null || v === "") return undefined;
  return v === "true" || v === "1";
}

function listQuery(q: URLSearchParams): ListQuery {
  return {
    labelSelector: q.get("labelSelector") ?? undefined,
    fieldSelector: q.get("fieldSelector") ?? undefined,
    limit: intParam(q, "limit"),
    continue: q.get("continue") ?? undefined,
    resourceVersion: q.get("resourceVersion") ?? undefined,
    resourceVersionMatch: q.get("resourceVersionMatch") ?? undefined,
  };
}

function dryRunOf(q: URLSearchParams): boolean {
  const all = q.getAll("dryRun");
  for (const v of all)
    if (v !== "All") throw errors.badRequest(`dryRun: Unsupported value: "${v}": supported values: "All"`);
  return all.length > 0;
}

function listKind(def: ResourceDef): string {
  return `${def.kind}List`;
}

async function deleteOptions(req: IncomingMessage, q: URLSearchParams): Promise<DeleteOptions> {
  const opts: DeleteOptions = {};
  const body = await readBody(req);
  if (body.length > 0) {
    let o: unknown;
    try {
      o = JSON.parse(body.toString("utf8"));
    } catch (e) {
      throw errors.badRequest(`couldn't decode DeleteOptions: ${e instanceof Error ? e.message : e}`);
    }
    if (isObject(o)) {
      if (typeof o.gracePeriodSeconds === "number") opts.gracePeriodSeconds = o.gracePeriodSeconds;
      if (typeof o.propagationPolicy === "string")
        opts.propagationPolicy = o.propagationPolicy as DeleteOptions["propagationPolicy"];
      if (o.orphanDependents === true && !opts.propagationPolicy) opts.propagationPolicy = "Orphan";
      if (o.orphanDependents === false && !opts.propagationPolicy) opts.propagationPolicy = "Background";
      if (isObject(o.preconditions)) {
        const p = o.preconditions;
        opts.preconditions = {
          uid: typeof p.uid === "string" ? p.uid : undefined,
          resourceVersion: typeof p.resourceVersion === "string" ? p.resourceVersion : undefined,
        };
      }
      if (Array.isArray(o.dryRun)) {
        for (const v of o.dryRun)
          if (v !== "All")
            throw errors.badRequest(`dryRun: Unsupported value: "${v}": supported values: "All"`);
        if (o.dryRun.length > 0) opts.dryRun = true;
      }
    }
  }
  const g = intParam(q, "gracePeriodSeconds");
  if (g !== undefined) opts.gracePeriodSeconds = g;
  const pp = q.get("propagationPolicy");
  if (pp) opts.propagationPolicy = pp as DeleteOptions["propagationPolicy"];
  if (q.get("orphanDependents") === "true" && !opts.propagationPolicy) opts.propagationPolicy = "Orphan";
  if (dryRunOf(q)) opts.dryRun = true;
  const p = opts.propagationPolicy;
  if (p !== undefined && p !== "Orphan" && p !== "Background" && p !== "Foreground")
    throw errors.invalid("", "DeleteOptions", "", [
      {
        type: "FieldValueNotSupported",
        field: "propagationPolicy",
        badValue: p,
        detail: 'supported values: "Foreground", "Background", "Orphan", "nil"',
      },
    ]);
  return opts;
}

/** One resource request, after authentication. */
export async function serveResource(
  ri: ResourceRequest,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  regs: Registries,
  serverSignal: AbortSignal,
): Promise<void> {
  const reg = regs.find(ri.group, ri.version, ri.resource);
  if (!reg) throw notFoundResource();
  const def = reg.def;
  // A namespaced path for a cluster-scoped kind (or the reverse for a named object) does not exist.
  if (!def.namespaced && ri.namespace) throw notFoundResource();
  if (def.namespaced && !ri.namespace && ri.name) throw notFoundResource();
  const sub = ri.subresource;
  if (sub) {
    const ok =
      (sub === "status" && def.subresources.status) ||
      (sub === "scale" && def.subresources.scale) ||
      def.subresources.others?.some((o) => o.name === sub);
    if (!ok) throw notFoundResource();
  }
  const q = url.searchParams;
  // kube-apiserver 1.33 warns on every use of core/v1 Endpoints.
  if (def.group === "" && def.plural === "endpoints")
    res.setHeader(
      "Warning",
      '299 - "v1 Endpoints is deprecated in v1.33+; use discovery.k8s.io/v1 EndpointSlice"',
    );
  const accept = req.headers.accept ?? "";
  const table = parseTableAccept(accept);
  const ns = ri.namespace;

  const respond = (code: number, obj: KubeObject) => {
    if (table.table) {
      sendJSON(
        res,
        code,
        buildTable(def, [obj], {
          includeObject: includeObjectOf(q),
          now: regs.now(),
          version: table.version,
          listMeta: { resourceVersion: obj.metadata.resourceVersion },
        }),
      );
    } else sendJSON(res, code, obj);
  };

  switch (ri.verb) {
    case "get": {
      if (sub === "scale") return sendJSON(res, 200, await getScale(reg, ns, ri.name));
      return respond(200, await reg.get(ns, ri.name));
    }
    case "list": {
      const lq = listQuery(q);
      const list = await reg.list(ns, lq);
      const meta: Record<string, string | number> = { resourceVersion: list.resourceVersion };
      if (list.continue) meta.continue = list.continue;
      if (list.remainingItemCount !== undefined) meta.remainingItemCount = list.remainingItemCount;
      if (table.table)
        return sendJSON(
          res,
          200,
          buildTable(def, list.items, {
            includeObject: includeObjectOf(q),
            now: regs.now(),
            listMeta: meta,
            version: table.version,
          }),
        );
      // Items of a typed list carry no kind/apiVersion, as kube-apiserver serves them.
      const items = list.items.map(({ apiVersion: _a, kind: _k, ...rest }) => rest);
      return sendJSON(res, 200, { kind: listKind(def), apiVersion: reg.apiVersion, metadata: meta, items });
    }
    case "watch": {
      const includeObject = includeObjectOf(q);
      let first = true;
      const encode = (type: EventType, obj: KubeObject): unknown => {
        if (!table.table || type === "BOOKMARK") return obj;
        const t = buildTable(def, [obj], {
          includeObject,
          now: regs.now(),
          noHeaders: !first,
          version: table.version,
          listMeta: { resourceVersion: obj.metadata.resourceVersion },
        });
        first = false;
        return t;
      };
      const rv = q.get("resourceVersion") ?? undefined;
      if (rv && rv !== "0") parseResourceVersion(rv);
      return serveWatch(
        reg,
        ns,
        {
          labelSelector: q.get("labelSelector") ?? undefined,
          fieldSelector: q.get("fieldSelector") ?? undefined,
          resourceVersion: rv,
          resourceVersionMatch: q.get("resourceVersionMatch") ?? undefined,
          timeoutSeconds: intParam(q, "timeoutSeconds"),
          allowWatchBookmarks: boolParam(q, "allowWatchBookmarks"),
          sendInitialEvents: boolParam(q, "sendInitialEvents"),
          name: ri.name || undefined,
        },
        res,
        encode,
        serverSignal,
      );
    }
    case "create": {
      const dryRun = dryRunOf(q);
      if (sub === "binding") {
        const binding = decodeObject(await readBody(req), req.headers["content-type"], "Binding");
        return sendJSON(res, 201, await bindPod(reg, ns, ri.name, binding, dryRun));
      }
      if (sub)
        throw errors.methodNotAllowed(`the server does not allow this method on the requested resource`);
      const body = await readBody(req);
      const obj = decodeObject(body, req.headers["content-type"], def.kind);
      checkBodyFields(res, req, q, def, reg.apiVersion, obj, body, "CreateOptions");
      const created = await reg.create(ns, obj, { dryRun, fieldManager: fieldManagerOf(req, q) });
      return respond(201, created);
    }
    case "update": {
      const dryRun = dryRunOf(q);
      const body = await readBody(req);
      if (sub === "scale") {
        const scale = decodeObject(body, req.headers["content-type"], "Scale");
        return sendJSON(res, 200, await updateScale(reg, ns, ri.name, scale, dryRun));
      }
      const obj = decodeObject(body, req.headers["content-type"], def.kind);
      checkBodyFields(res, req, q, def, reg.apiVersion, obj, body, "UpdateOptions");
      if (sub === "finalize") {
        const updated = await reg.guaranteedUpdate(ns, ri.name, (cur) => {
          const next = structuredClone(cur);
          next.spec = {
            ...(next.spec ?? {}),
            finalizers: (obj.spec as { finalizers?: string[] } | undefined)?.finalizers ?? [],
          };
          return next;
        });
        return respond(200, updated);
      }
      const updated = await reg.update(ns, ri.name, obj, {
        dryRun,
        fieldManager: fieldManagerOf(req, q),
        subresource: sub === "status" ? "status" : undefined,
      });
      return respond(200, updated);
    }
    case "patch": {
      if (sub === "finalize")
        throw errors.methodNotAllowed(`the server does not allow this method on the requested resource`);
      const r = await servePatch(reg, ns, ri.name, sub, req.headers["content-type"], await readBody(req), {
        dryRun: dryRunOf(q),
        fieldManager: q.get("fieldManager") ?? undefined,
        force: boolParam(q, "force"),
        fieldValidation: q.get("fieldValidation"),
        userAgent: req.headers["user-agent"],
        now: regs.now(),
      });
      if (r.warnings.length > 0) res.setHeader("Warning", r.warnings.map(warningHeader));
      if (sub === "scale") return sendJSON(res, 200, r.object);
      return respond(r.code, r.object);
    }
    case "delete": {
      if (sub)
        throw errors.methodNotAllowed(`the server does not allow this method on the requested resource`);
      const opts = await deleteOptions(req, q);
      const r = await reg.delete(ns, ri.name, opts);
      if (!r.gone) return respond(202, r.object);
      if (returnsDeletedObject(def)) return respond(200, r.object);
      return sendJSON(res, 200, {
        kind: "Status",
        apiVersion: "v1",
        metadata: {},
        status: "Success",
        details: {
          name: ri.name,
          group: def.group || undefined,
          kind: def.plural,
          uid: r.object.metadata.uid,
        },
      });
    }
    case "deletecollection": {
      const opts = await deleteOptions(req, q);
      const items = await reg.deleteCollection(ns, listQuery(q), opts);
      return sendJSON(res, 200, {
        kind: listKind(def),
        apiVersion: reg.apiVersion,
        metadata: {},
        items: items.map(({ apiVersion: _a, kind: _k, ...rest }) => rest),
      });
    }
    default:
      throw errors.methodNotAllowed(`the server does not allow this method on the requested resource`);
  }
}

/**
 * fieldValidation (Strict/Warn/Ignore) on a decoded body: unknown and duplicate fields are an
 * error, Warning headers, or nothing; unknown fields are dropped in every mode, as kube's decoder does.
 */
function checkBodyFields(
  res: ServerResponse,
  req: IncomingMessage,
  q: URLSearchParams,
  def: ResourceDef,
  apiVersion: string,
  obj: KubeObject,
  body: Buffer,
  optionsKind: "CreateOptions" | "UpdateOptions",
): void {
  const mt = mediaType(req.headers["content-type"]);
  const warnings = validateBodyFields({
    obj,
    rawText: mt === "application/vnd.kubernetes.protobuf" ? undefined : body.toString("utf8"),
    mediaType: mt,
    apiVersion,
    kind: def.kind,
    directive: q.get("fieldValidation"),
    optionsKind,
  });
  if (warnings.length > 0) res.setHeader("Warning", warnings.map(warningHeader));
}

/**
 * The field manager of a write: the fieldManager parameter, else the User-Agent's first part
 * (kube's prefixFromUserAgent), at most 128 characters.
 */
export function fieldManagerOf(req: IncomingMessage, q: URLSearchParams): string {
  const m = q.get("fieldManager");
  if (m !== null && m !== "") {
    if (m.length > 128) throw errors.badRequest("fieldManager: Too long: may not be more than 128 bytes");
    return m;
  }
  return (req.headers["user-agent"] ?? "").split("/")[0].slice(0, 128);
}

/** POST pods/{name}/binding: the scheduler's assignment of a pod to a node (kube's BindingREST). */
async function bindPod(
  reg: ResourceRegistry,
  ns: string,
  name: string,
  binding: KubeObject,
  dryRun: boolean,
): Promise<unknown> {
  const target = (binding as { target?: { kind?: string; name?: string } }).target;
  const causes: FieldError[] = [];
  if (!target?.name) causes.push(fieldErrors.required("target.name"));
  if (target?.kind && target.kind !== "Node")
    causes.push(fieldErrors.notSupported("target.kind", target.kind, ["Node"]));
  if (causes.length > 0) throw errors.invalid("", "Binding", binding.metadata.name ?? name, causes);
  const gr = { group: "", resource: "pods/binding" };
  const bind = (cur: KubeObject): KubeObject => {
    if (cur.metadata.deletionTimestamp)
      throw errors.conflict(gr, name, `pod ${name} is being deleted, cannot be assigned to a host`);
    const nodeName = (cur.spec as { nodeName?: string } | undefined)?.nodeName;
    if (nodeName) throw errors.conflict(gr, name, `pod ${name} is already assigned to node "${nodeName}"`);
    const next = structuredClone(cur);
    next.spec = { ...(next.spec ?? {}), nodeName: target!.name };
    const status = (next.status ?? {}) as { conditions?: Array<Record<string, unknown>> };
    const conds = (status.conditions ?? []).filter((c) => c.type !== "PodScheduled");
    conds.push({
      type: "PodScheduled",
      status: "True",
      lastProbeTime: null,
      lastTransitionTime: rfc3339(new Date()),
    });
    next.status = { ...status, conditions: conds };
    return next;
  };
  if (dryRun) bind(await reg.get(ns, name));
  else await reg.guaranteedUpdate(ns, name, bind);
  return { kind: "Status", apiVersion: "v1", metadata: {}, status: "Success", code: 201 };
}

/** Kinds whose REST storage answers a DELETE with the deleted object rather than a Status. */
function returnsDeletedObject(def: ResourceDef): boolean {
  return (
    def.group === "" && (def.plural === "pods" || def.plural === "services" || def.plural === "namespaces")
  );
}
