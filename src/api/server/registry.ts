/**
 * Generic REST storage for one resource, in kube-apiserver's order (genericregistry.Store):
 * decode → defaults → server fields → prepare → validate → (dry run stops here) → store.
 */
import { randomUUID } from "node:crypto";
import { isDeepStrictEqual } from "node:util";
import { errors, type GroupResource, StatusError } from "../machinery/errors.ts";
import { type FieldError, fieldErrors } from "../machinery/field-errors.ts";
import type { KubeObject } from "../machinery/types.ts";
import { validateObjectMeta, validateObjectMetaUpdate } from "../machinery/validation/meta.ts";
import { groupVersion, type ResourceDef } from "../resources/types.ts";
import {
  ExpiredError,
  KeyExistsError,
  KeyNotFoundError,
  RevisionConflictError,
  type Store,
  type StoredObject,
} from "../storage/types.ts";
import { compileFilter, type ObjectFilter } from "./filters.ts";

export interface ListQuery {
  labelSelector?: string;
  fieldSelector?: string;
  limit?: number;
  continue?: string;
  resourceVersion?: string;
  resourceVersionMatch?: string;
}

export interface ListResponse {
  items: KubeObject[];
  resourceVersion: string;
  continue?: string;
  remainingItemCount?: number;
}

export interface DeleteOptions {
  gracePeriodSeconds?: number;
  propagationPolicy?: "Orphan" | "Background" | "Foreground";
  preconditions?: { uid?: string; resourceVersion?: string };
  dryRun?: boolean;
}

export interface DeleteResult {
  /** The object as it was deleted, or as it stands now when deletion is pending (graceful or finalizers). */
  object: KubeObject;
  /** True when the object is gone from the store. */
  gone: boolean;
}

export interface WriteOptions {
  dryRun?: boolean;
  /** The field manager of this write (query parameter fieldManager, or one derived from the client). */
  fieldManager?: string;
  /** The managedFields operation: Create/Update by default, Apply for server-side apply. */
  operation?: "Create" | "Update" | "Apply";
}

/** Undoes a side effect of a write hook (an allocation) when the write fails or is a dry run. */
export type Undo = () => Promise<void> | void;

export interface WriteContext {
  dryRun: boolean;
  fieldManager?: string;
  /** "Update" for PUT/PATCH/scale, "Apply" for server-side apply. */
  operation: "Create" | "Update" | "Apply";
  subresource?: string;
}

/**
 * Extension points in the write pipeline (kube's admission plugins and REST hooks): allocators,
 * managed fields. They run after defaults and preparation and before validation, so what they set
 * is validated; a throw aborts the write, and every Undo returned so far runs.
 */
export interface WriteHooks {
  beforeCreate?(obj: KubeObject, ctx: WriteContext): Promise<Undo | undefined> | Undo | undefined;
  beforeUpdate?(
    obj: KubeObject,
    old: KubeObject,
    ctx: WriteContext,
  ): Promise<Undo | undefined> | Undo | undefined;
  /** After an update is stored (e.g. free what the update dropped). */
  afterUpdate?(obj: KubeObject, old: KubeObject): Promise<void> | void;
  /** After the object is gone from the store. */
  afterDelete?(obj: KubeObject): Promise<void> | void;
}

/** What a registry needs from the rest of the apiserver. */
export interface RegistryContext {
  store: Store;
  /** Throws NotFound/Forbidden when a namespaced create may not happen in ns (NamespaceLifecycle admission). */
  checkNamespaceWritable(ns: string, gr: GroupResource, name: string): Promise<void>;
  /** Throws Forbidden when this object may not be deleted (protected namespaces). */
  admitDelete?(def: ResourceDef, ns: string, name: string): void;
  now(): Date;
}

const generateNameChars = "bcdfghjklmnpqrstvwxz2456789";
function randomSuffix(n = 5): string {
  let s = "";
  for (let i = 0; i < n; i++) s += generateNameChars[Math.floor(Math.random() * generateNameChars.length)];
  return s;
}

/** Timestamps as kube writes them: RFC 3339, seconds precision. */
export function rfc3339(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, "Z");
}

function clone<T>(v: T): T {
  return structuredClone(v);
}

function specOf(o: KubeObject): Record<string, unknown> {
  const { metadata: _m, status: _s, apiVersion: _a, kind: _k, ...rest } = o;
  return rest;
}

interface ContinueToken {
  rv: number;
  start: string;
}

function encodeContinue(t: ContinueToken): string {
  return Buffer.from(JSON.stringify({ v: "meta.k8s.io/v1", rv: t.rv, start: t.start })).toString("base64url");
}

function decodeContinue(s: string): ContinueToken {
  try {
    const t = JSON.parse(Buffer.from(s, "base64url").toString("utf8")) as { rv?: unknown; start?: unknown };
    if (typeof t.rv === "number" && typeof t.start === "string") return { rv: t.rv, start: t.start };
  } catch {
    // fall through to the error below
  }
  throw errors.badRequest(
    `continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)`,
  );
}

export function parseResourceVersion(rv: string, what = "resourceVersion"): number {
  if (!/^\d+$/.test(rv))
    throw errors.badRequest(`${what}: Invalid value: "${rv}": must be a valid resource version`);
  return Number(rv);
}

export class ResourceRegistry {
  readonly gr: GroupResource;
  readonly apiVersion: string;
  /** Write hooks, run in order (see WriteHooks). */
  readonly hooks: WriteHooks[] = [];

  constructor(
    readonly def: ResourceDef,
    private readonly ctx: RegistryContext,
  ) {
    this.gr = { group: def.group, resource: def.plural };
    this.apiVersion = groupVersion(def);
  }

  get store(): Store {
    return this.ctx.store;
  }

  /** The store key prefix of this resource, in ns (or all namespaces when ns is ""). */
  prefix(ns: string): string {
    const res = this.def.group ? `${this.def.plural}.${this.def.group}` : this.def.plural;
    return this.def.namespaced && ns ? `/${res}/${ns}/` : `/${res}/`;
  }

  key(ns: string, name: string): string {
    return this.prefix(this.def.namespaced ? ns : "") + name;
  }

  /** A stored object as served: kind, apiVersion and resourceVersion filled in. */
  present(s: StoredObject): KubeObject {
    const o = s.object;
    const out: KubeObject = { apiVersion: this.apiVersion, kind: this.def.kind, ...o };
    out.apiVersion = this.apiVersion;
    out.kind = this.def.kind;
    out.metadata = { ...o.metadata, resourceVersion: String(s.modRevision) };
    return out;
  }

  private async getStored(ns: string, name: string): Promise<StoredObject> {
    const s = await this.ctx.store.get(this.key(ns, name));
    if (!s) throw errors.notFound(this.gr, name);
    return s;
  }

  async get(ns: string, name: string): Promise<KubeObject> {
    return this.present(await this.getStored(ns, name));
  }

  filter(q: Pick<ListQuery, "labelSelector" | "fieldSelector">): ObjectFilter {
    return compileFilter(this.def, q.labelSelector, q.fieldSelector);
  }

  async list(ns: string, q: ListQuery): Promise<ListResponse> {
    const filter = this.filter(q);
    const limit = q.limit && q.limit > 0 ? q.limit : 0;
    let revision: number | undefined;
    let startAfter: string | undefined;
    if (q.continue) {
      const t = decodeContinue(q.continue);
      revision = t.rv;
      startAfter = t.start;
    } else if (q.resourceVersion && q.resourceVersion !== "0" && q.resourceVersionMatch === "Exact") {
      revision = parseResourceVersion(q.resourceVersion);
    } else if (q.resourceVersion && q.resourceVersion !== "0") {
      const want = parseResourceVersion(q.resourceVersion);
      if (want > this.ctx.store.currentRevision())
        throw new StatusError(
          504,
          "Timeout",
          `Too large resource version: ${want}, current: ${this.ctx.store.currentRevision()}`,
          {
            causes: [{ reason: "ResourceVersionTooLarge", message: "Too large resource version" }],
            retryAfterSeconds: 1,
          },
        );
    }
    const prefix = this.prefix(ns);
    const items: KubeObject[] = [];
    let readAt = revision;
    let remaining = 0;
    let lastKey: string | undefined = startAfter;
    try {
      // Page through the store until `limit` matching items are found (kube's list pager with filtering).
      for (;;) {
        const chunk = limit ? Math.max(limit - items.length, 1) : 0;
        const page = await this.ctx.store.list(prefix, {
          limit: chunk,
          startAfter: lastKey,
          revision: readAt,
        });
        readAt = page.revision;
        for (const s of page.items) {
          lastKey = s.key;
          if (filter.matches(s.object)) items.push(this.present(s));
        }
        remaining = page.remaining;
        if (remaining === 0 || (limit && items.length >= limit)) break;
      }
    } catch (e) {
      if (e instanceof ExpiredError) {
        if (q.continue)
          throw errors.expired(
            "The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.",
          );
        throw errors.expired(`too old resource version: ${q.resourceVersion} (${e.compacted + 1})`);
      }
      throw e;
    }
    const out: ListResponse = { items, resourceVersion: String(readAt ?? this.ctx.store.currentRevision()) };
    if (remaining > 0 && lastKey !== undefined) {
      out.continue = encodeContinue({ rv: readAt ?? 0, start: lastKey });
      if (filter.empty) out.remainingItemCount = remaining;
    }
    return out;
  }

  private validateMeta(obj: KubeObject): FieldError[] {
    return validateObjectMeta(obj.metadata, { namespaced: this.def.namespaced, nameRule: this.def.nameRule });
  }

  private invalid(name: string, errs: FieldError[]): StatusError {
    return errors.invalid(this.def.group, this.def.kind, name, errs);
  }

  private checkTypeMeta(obj: KubeObject): void {
    if (obj.apiVersion !== undefined && obj.apiVersion !== "" && obj.apiVersion !== this.apiVersion)
      throw errors.badRequest(
        `the API version in the data (${obj.apiVersion}) does not match the expected API version (${this.apiVersion})`,
      );
    if (obj.kind !== undefined && obj.kind !== "" && obj.kind !== this.def.kind)
      throw errors.badRequest(
        `the kind in the data (${obj.kind}) does not match the expected kind (${this.def.kind})`,
      );
    obj.apiVersion = this.apiVersion;
    obj.kind = this.def.kind;
  }

  private checkNamespace(obj: KubeObject, ns: string): void {
    if (!this.def.namespaced) {
      // Cluster-scoped objects carry no namespace (kube clears it).
      delete obj.metadata.namespace;
      return;
    }
    const given = obj.metadata.namespace;
    if (given && given !== ns)
      throw errors.badRequest(
        "the namespace of the provided object does not match the namespace sent on the request",
      );
    obj.metadata.namespace = ns;
  }

  async create(ns: string, input: KubeObject, opts: WriteOptions = {}): Promise<KubeObject> {
    const obj = clone(input);
    dropEmptyMeta(obj);
    this.checkTypeMeta(obj);
    this.checkNamespace(obj, ns);
    const meta = obj.metadata;
    const generated = !meta.name && !!meta.generateName;
    if (generated) meta.name = meta.generateName + randomSuffix();
    this.def.strategy.defaults?.(obj);
    meta.uid = randomUUID();
    meta.creationTimestamp = rfc3339(this.ctx.now());
    delete meta.resourceVersion;
    delete meta.deletionTimestamp;
    delete meta.deletionGracePeriodSeconds;
    if (this.def.tracksGeneration) meta.generation = 1;
    else delete meta.generation;
    this.def.strategy.prepareForCreate?.(obj);
    if (this.def.namespaced) await this.ctx.checkNamespaceWritable(ns, this.gr, meta.name ?? "");
    const wctx: WriteContext = {
      dryRun: !!opts.dryRun,
      fieldManager: opts.fieldManager,
      operation: opts.operation === "Apply" ? "Apply" : "Create",
    };
    const undo: Undo[] = [];
    try {
      for (const h of this.hooks) {
        const u = await h.beforeCreate?.(obj, wctx);
        if (u) undo.push(u);
      }
      const errs = [...this.validateMeta(obj), ...this.def.strategy.validate(obj)];
      if (errs.length > 0) throw this.invalid(meta.name ?? "", errs);
      if (opts.dryRun) {
        if (await this.ctx.store.get(this.key(ns, meta.name!)))
          throw errors.alreadyExists(this.gr, meta.name!);
        await runUndo(undo);
        return { ...obj, apiVersion: this.apiVersion, kind: this.def.kind };
      }
      for (let attempt = 0; ; attempt++) {
        try {
          return this.present(await this.ctx.store.create(this.key(ns, meta.name!), obj));
        } catch (e) {
          if (!(e instanceof KeyExistsError)) throw e;
          // generateName collisions get a new name, as kube-apiserver retries them.
          if (!generated || attempt >= 7) throw errors.alreadyExists(this.gr, meta.name!);
          meta.name = meta.generateName + randomSuffix();
        }
      }
    } catch (e) {
      await runUndo(undo);
      throw e;
    }
  }

  /**
   * Read-modify-write with optimistic concurrency (kube's GuaranteedUpdate): `mutate` gets the
   * current object and returns the new one, or undefined for no change; retried on conflicts.
   */
  async guaranteedUpdate(
    ns: string,
    name: string,
    mutate: (current: KubeObject) => KubeObject | undefined | Promise<KubeObject | undefined>,
  ): Promise<KubeObject> {
    for (let attempt = 0; ; attempt++) {
      const cur = await this.getStored(ns, name);
      const next = await mutate(this.present(cur));
      if (next === undefined) return this.present(cur);
      try {
        return await this.write(cur, next);
      } catch (e) {
        if (e instanceof RevisionConflictError && attempt < 16) continue;
        throw this.storeError(e, name);
      }
    }
  }

  /** Store next over cur, deleting the object when its deletion is complete (no finalizers left). */
  private async write(cur: StoredObject, next: KubeObject): Promise<KubeObject> {
    const meta = next.metadata;
    if (
      meta.deletionTimestamp &&
      (meta.finalizers ?? []).length === 0 &&
      this.specFinalizers(next) === 0 &&
      !this.awaitsGracefulDeletion(next)
    ) {
      const gone = await this.ctx.store.delete(cur.key, cur.modRevision);
      const out = this.present(gone);
      await this.afterDelete(out);
      return out;
    }
    const stored = { ...next, metadata: { ...meta } };
    delete stored.metadata.resourceVersion;
    return this.present(await this.ctx.store.update(cur.key, stored, cur.modRevision));
  }

  /** Namespaces stay while spec.finalizers (the namespace controller's "kubernetes") is not empty. */
  private specFinalizers(o: KubeObject): number {
    if (!(this.def.plural === "namespaces" && this.def.group === "")) return 0;
    const f = (o.spec as { finalizers?: unknown } | undefined)?.finalizers;
    return Array.isArray(f) ? f.length : 0;
  }

  /** Pods stay until their node confirms the deletion (or the grace period is 0). */
  private awaitsGracefulDeletion(o: KubeObject): boolean {
    return (
      this.def.plural === "pods" && this.def.group === "" && (o.metadata.deletionGracePeriodSeconds ?? 0) > 0
    );
  }

  private async afterDelete(obj: KubeObject): Promise<void> {
    for (const h of this.hooks) {
      try {
        await h.afterDelete?.(obj);
      } catch (e) {
        // The object is gone whatever a hook says; repair loops pick up what a hook missed.
        console.error(
          `${this.def.plural}: after delete of ${obj.metadata.name}: ${e instanceof Error ? e.message : e}`,
        );
      }
    }
  }

  private storeError(e: unknown, name: string): unknown {
    if (e instanceof RevisionConflictError) return errors.staleUpdate(this.gr, name);
    if (e instanceof KeyNotFoundError) return errors.notFound(this.gr, name);
    return e;
  }

  /** PUT of the main resource or of its status subresource. */
  async update(
    ns: string,
    name: string,
    input: KubeObject,
    opts: WriteOptions & { subresource?: "status" } = {},
  ): Promise<KubeObject> {
    const obj = clone(input);
    this.checkTypeMeta(obj);
    this.checkNamespace(obj, ns);
    if (obj.metadata.name !== undefined && obj.metadata.name !== name)
      throw errors.badRequest(
        `the name of the object (${obj.metadata.name}) does not match the name on the URL (${name})`,
      );
    obj.metadata.name = name;
    return this.updateWith(ns, name, () => obj, opts);
  }

  /**
   * The update pipeline for PUT, PATCH and /scale: `desired` turns the current object into the
   * wanted one (a PUT returns its body; a patch applies itself to current). The wanted object's
   * metadata.resourceVersion, when set, must be current (409 otherwise); without one the update
   * is retried on conflicts against the newest object, as kube's GuaranteedUpdate does.
   */
  async updateWith(
    ns: string,
    name: string,
    desired: (current: KubeObject) => KubeObject | Promise<KubeObject>,
    opts: WriteOptions & { subresource?: "status" } = {},
  ): Promise<KubeObject> {
    for (let attempt = 0; ; attempt++) {
      const current = await this.getStored(ns, name);
      const old = this.present(current);
      const obj = clone(await desired(old));
      this.checkTypeMeta(obj);
      this.checkNamespace(obj, ns);
      obj.metadata.name = name;
      const wantRV = obj.metadata.resourceVersion;
      if (wantRV !== undefined && wantRV !== "" && !/^\d+$/.test(wantRV))
        throw this.invalid(name, [
          fieldErrors.invalid("metadata.resourceVersion", wantRV, "must be a valid resource version"),
        ]);
      if (wantRV && Number(wantRV) !== current.modRevision) throw errors.staleUpdate(this.gr, name);
      const wctx: WriteContext = {
        dryRun: !!opts.dryRun,
        fieldManager: opts.fieldManager,
        operation: opts.operation === "Apply" ? "Apply" : "Update",
        subresource: opts.subresource,
      };
      const undo: Undo[] = [];
      try {
        const next = await this.prepareUpdateWithHooks(obj, old, wctx, undo);
        if (opts.dryRun) {
          await runUndo(undo);
          return next;
        }
        if (this.unchanged(next, old)) {
          await runUndo(undo);
          return old;
        }
        const result = await this.write(current, next);
        for (const h of this.hooks) await h.afterUpdate?.(result, old);
        return result;
      } catch (e) {
        await runUndo(undo);
        // An unconditional update (no resourceVersion given) is retried against the newest object.
        if (e instanceof RevisionConflictError && !wantRV && attempt < 16) continue;
        throw this.storeError(e, name);
      }
    }
  }

  private async prepareUpdateWithHooks(
    obj: KubeObject,
    old: KubeObject,
    wctx: WriteContext,
    undo: Undo[],
  ): Promise<KubeObject> {
    return this.prepareUpdate(
      obj,
      old,
      wctx.subresource === "status" ? "status" : undefined,
      async (next) => {
        for (const h of this.hooks) {
          const u = await h.beforeUpdate?.(next, old, wctx);
          if (u) undo.push(u);
        }
      },
    );
  }

  /** The update pipeline without the write: defaults, server fields, prepare, validate. */
  prepareUpdate(input: KubeObject, old: KubeObject, subresource?: "status"): KubeObject;
  prepareUpdate(
    input: KubeObject,
    old: KubeObject,
    subresource: "status" | undefined,
    hooks: (obj: KubeObject) => Promise<void>,
  ): Promise<KubeObject>;
  prepareUpdate(
    input: KubeObject,
    old: KubeObject,
    subresource?: "status",
    hooks?: (obj: KubeObject) => Promise<void>,
  ): KubeObject | Promise<KubeObject> {
    const obj = clone(input);
    dropEmptyMeta(obj);
    const s = this.def.strategy;
    s.defaults?.(obj);
    const m = obj.metadata;
    const om = old.metadata;
    // Fields only the server sets.
    m.uid = om.uid;
    m.creationTimestamp = om.creationTimestamp;
    m.resourceVersion = om.resourceVersion;
    if (om.deletionTimestamp) m.deletionTimestamp = om.deletionTimestamp;
    else delete m.deletionTimestamp;
    if (om.deletionGracePeriodSeconds !== undefined)
      m.deletionGracePeriodSeconds = om.deletionGracePeriodSeconds;
    else delete m.deletionGracePeriodSeconds;
    if (subresource === "status") {
      s.prepareForStatusUpdate?.(obj, old);
      // Status writes never change the object's metadata in ways other than the status path allows.
      obj.metadata = { ...om, ...pickMetaForStatus(m) };
    } else s.prepareForUpdate?.(obj, old);
    if (this.def.tracksGeneration) {
      const g = om.generation ?? 1;
      m.generation = isDeepStrictEqual(specOf(obj), specOf(old)) ? g : g + 1;
      obj.metadata.generation = m.generation;
    } else delete obj.metadata.generation;
    // Once deleting, finalizers may only be removed (kube: "no new finalizers can be added if the object is being deleted").
    const errs: FieldError[] = [];
    if (om.deletionTimestamp) {
      const before = new Set(om.finalizers ?? []);
      for (const f of obj.metadata.finalizers ?? [])
        if (!before.has(f))
          errs.push(
            fieldErrors.forbidden(
              "metadata.finalizers",
              `no new finalizers can be added if the object is being deleted, found new finalizers []string{"${f}"}`,
            ),
          );
    }
    const finish = (): KubeObject => {
      errs.push(...this.validateMeta(obj), ...validateObjectMetaUpdate(obj.metadata, om));
      if (subresource === "status" && s.validateStatusUpdate) errs.push(...s.validateStatusUpdate(obj, old));
      else {
        errs.push(...s.validate(obj));
        if (s.validateUpdate) errs.push(...s.validateUpdate(obj, old));
      }
      if (errs.length > 0) throw this.invalid(old.metadata.name ?? "", errs);
      obj.apiVersion = this.apiVersion;
      obj.kind = this.def.kind;
      return obj;
    };
    if (!hooks) return finish();
    return hooks(obj).then(finish);
  }

  private unchanged(next: KubeObject, old: KubeObject): boolean {
    return isDeepStrictEqual(next, old);
  }

  async delete(ns: string, name: string, opts: DeleteOptions = {}): Promise<DeleteResult> {
    this.ctx.admitDelete?.(this.def, ns, name);
    for (let attempt = 0; ; attempt++) {
      const cur = await this.getStored(ns, name);
      const obj = this.present(cur);
      const meta = obj.metadata;
      const pre = opts.preconditions;
      if (pre?.uid && pre.uid !== meta.uid)
        throw errors.conflict(
          this.gr,
          name,
          `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${meta.uid}`,
        );
      if (pre?.resourceVersion && pre.resourceVersion !== meta.resourceVersion)
        throw errors.conflict(
          this.gr,
          name,
          `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${meta.resourceVersion}`,
        );
      const next = clone(obj);
      const nm = next.metadata;
      const finalizers = new Set(nm.finalizers ?? []);
      if (opts.propagationPolicy === "Orphan") finalizers.add("orphan");
      if (opts.propagationPolicy === "Foreground") finalizers.add("foregroundDeletion");
      if (opts.propagationPolicy === "Background") {
        finalizers.delete("orphan");
        finalizers.delete("foregroundDeletion");
      }
      const grace = this.gracePeriod(obj, opts);
      const now = this.ctx.now();
      if (grace > 0 || finalizers.size > 0 || this.specFinalizers(obj) > 0) {
        // Graceful or finalized deletion: mark the object and keep it.
        if (!nm.deletionTimestamp || (grace > 0 && grace < (nm.deletionGracePeriodSeconds ?? Infinity))) {
          nm.deletionTimestamp = rfc3339(new Date(now.getTime() + grace * 1000));
          nm.deletionGracePeriodSeconds = grace;
        }
        if (finalizers.size > 0) nm.finalizers = [...finalizers];
        else delete nm.finalizers;
        if (grace === 0 && nm.deletionGracePeriodSeconds !== undefined) nm.deletionGracePeriodSeconds = 0;
        if (this.def.plural === "namespaces" && this.def.group === "")
          next.status = { ...(next.status ?? {}), phase: "Terminating" };
        if (opts.dryRun) return { object: next, gone: false };
        if (isDeepStrictEqual(next, obj)) return { object: obj, gone: false };
        try {
          const stored = { ...next, metadata: { ...nm } };
          delete stored.metadata.resourceVersion;
          const out = this.present(await this.ctx.store.update(cur.key, stored, cur.modRevision));
          return { object: out, gone: false };
        } catch (e) {
          if (e instanceof RevisionConflictError && attempt < 16) continue;
          throw this.storeError(e, name);
        }
      }
      if (opts.dryRun) return { object: obj, gone: true };
      try {
        const gone = this.present(await this.ctx.store.delete(cur.key, cur.modRevision));
        await this.afterDelete(gone);
        return { object: gone, gone: true };
      } catch (e) {
        if (e instanceof RevisionConflictError && attempt < 16) continue;
        throw this.storeError(e, name);
      }
    }
  }

  /** kube's CheckGracefulDelete: only pods (and only scheduled, unfinished ones) delete gracefully. */
  private gracePeriod(obj: KubeObject, opts: DeleteOptions): number {
    if (!(this.def.plural === "pods" && this.def.group === "")) return 0;
    const spec = obj.spec as { nodeName?: string; terminationGracePeriodSeconds?: number } | undefined;
    const phase = (obj.status as { phase?: string } | undefined)?.phase;
    if (!spec?.nodeName || phase === "Succeeded" || phase === "Failed") return 0;
    let g = opts.gracePeriodSeconds ?? spec.terminationGracePeriodSeconds ?? 30;
    if (g < 0) g = 1;
    return g;
  }

  async deleteCollection(ns: string, q: ListQuery, opts: DeleteOptions): Promise<KubeObject[]> {
    const list = await this.list(ns, { labelSelector: q.labelSelector, fieldSelector: q.fieldSelector });
    const out: KubeObject[] = [];
    for (const o of list.items) {
      try {
        out.push((await this.delete(o.metadata.namespace ?? "", o.metadata.name!, opts)).object);
      } catch (e) {
        if (e instanceof StatusError && e.code === 404) continue;
        throw e;
      }
    }
    return out;
  }
}

/** Metadata a status update may change (kube status strategies keep the rest of metadata). */
function pickMetaForStatus(m: KubeObject["metadata"]): Partial<KubeObject["metadata"]> {
  const out: Partial<KubeObject["metadata"]> = {};
  if (m.labels) out.labels = m.labels;
  if (m.annotations) out.annotations = m.annotations;
  return out;
}

async function runUndo(undo: Undo[]): Promise<void> {
  for (const u of undo.splice(0).reverse()) await u();
}

/** Empty metadata maps and lists are dropped, as Go's omitempty does on kube's round trip. */
function dropEmptyMeta(obj: KubeObject): void {
  const m = obj.metadata as Record<string, unknown>;
  for (const k of ["labels", "annotations", "finalizers", "ownerReferences", "managedFields"]) {
    const v = m[k];
    if (
      v === null ||
      (Array.isArray(v) ? v.length === 0 : typeof v === "object" && v !== null && Object.keys(v).length === 0)
    )
      delete m[k];
  }
}
