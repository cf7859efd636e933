/**
 * Typed helpers for one resource type: the REST paths kube-apiserver serves
 * (/api/v1/... for the core group, /apis/<group>/<version>/... otherwise) and list/watch options.
 */
import type { Status } from "../api/machinery/errors.ts";
import type { KubeObject } from "../api/machinery/types.ts";
import type { Query, RestClient } from "./rest.ts";
import { readWatchEvents, type WatchEvent } from "./watch.ts";

export interface ResourceDescriptor {
  /** "" for the core group. */
  group: string;
  version: string;
  /** The resource name in URLs: "services", "endpointslices". */
  plural: string;
  namespaced: boolean;
}

export interface ObjectList<T> {
  apiVersion?: string;
  kind?: string;
  metadata: { resourceVersion?: string; continue?: string; remainingItemCount?: number };
  items: T[];
}

export interface ListOptions {
  labelSelector?: string;
  fieldSelector?: string;
  limit?: number;
  continue?: string;
  resourceVersion?: string;
  resourceVersionMatch?: "Exact" | "NotOlderThan";
  timeoutSeconds?: number;
  signal?: AbortSignal;
}

export interface WatchOptions {
  labelSelector?: string;
  fieldSelector?: string;
  /** Start after this version ("" or absent: current state as ADDED events, then changes). */
  resourceVersion?: string;
  allowWatchBookmarks?: boolean;
  /** The server ends the watch after this long. */
  timeoutSeconds?: number;
  /** Aborting ends the event stream cleanly. */
  signal?: AbortSignal;
}

export interface WriteOptions {
  fieldManager?: string;
  dryRun?: boolean;
  signal?: AbortSignal;
}

export interface DeleteOptions {
  propagationPolicy?: "Orphan" | "Background" | "Foreground";
  gracePeriodSeconds?: number;
  preconditions?: { uid?: string; resourceVersion?: string };
  dryRun?: boolean;
  signal?: AbortSignal;
}

export type PatchType = "json" | "merge" | "strategic" | "apply";

const patchContentTypes: Record<PatchType, string> = {
  json: "application/json-patch+json",
  merge: "application/merge-patch+json",
  strategic: "application/strategic-merge-patch+json",
  apply: "application/apply-patch+yaml",
};

export interface PatchOptions extends WriteOptions {
  /** For server-side apply: take over fields owned by other managers. */
  force?: boolean;
  /** e.g. "status" or "scale". */
  subresource?: string;
}

export class ResourceClient<T extends KubeObject = KubeObject> {
  constructor(
    readonly rest: RestClient,
    readonly desc: ResourceDescriptor,
    /** Absent on a namespaced resource: list/watch across all namespaces. */
    readonly ns?: string,
  ) {}

  /** The same resource in one namespace. */
  namespace(ns: string): ResourceClient<T> {
    if (!this.desc.namespaced) throw new Error(`${this.desc.plural} is not namespaced`);
    return new ResourceClient<T>(this.rest, this.desc, ns);
  }

  /** The collection path; namespace = undefined means all namespaces (or cluster-scoped). */
  path(name?: string, subresource?: string, ns = this.ns): string {
    const d = this.desc;
    let p = d.group ? `/apis/${d.group}/${d.version}` : `/api/${d.version}`;
    if (d.namespaced && ns) p += `/namespaces/${encodeURIComponent(ns)}`;
    p += `/${d.plural}`;
    if (name !== undefined) {
      if (name === "") throw new Error("resource name may not be empty");
      if (d.namespaced && !ns) throw new Error(`a namespace is required for ${d.plural} "${name}"`);
      p += `/${encodeURIComponent(name)}`;
      if (subresource) p += `/${subresource}`;
    }
    return p;
  }

  get(name: string, opts: { signal?: AbortSignal } = {}): Promise<T> {
    return this.rest.request<T>("GET", this.path(name), { signal: opts.signal });
  }

  /** One page (or all, without limit). Items get the list's apiVersion/kind, like client-go's unstructured lists. */
  async list(opts: ListOptions = {}): Promise<ObjectList<T>> {
    const list = await this.rest.request<ObjectList<T>>("GET", this.path(), {
      query: {
        labelSelector: opts.labelSelector,
        fieldSelector: opts.fieldSelector,
        limit: opts.limit,
        continue: opts.continue,
        resourceVersion: opts.resourceVersion,
        resourceVersionMatch: opts.resourceVersionMatch,
        timeoutSeconds: opts.timeoutSeconds,
      },
      signal: opts.signal,
    });
    list.items ??= [];
    list.metadata ??= {};
    const kind = list.kind?.endsWith("List") ? list.kind.slice(0, -4) : undefined;
    for (const item of list.items) {
      if (!item.apiVersion && list.apiVersion) item.apiVersion = list.apiVersion;
      if (!item.kind && kind) item.kind = kind;
    }
    return list;
  }

  create(obj: T, opts: WriteOptions = {}): Promise<T> {
    return this.rest.request<T>("POST", this.path(undefined, undefined, this.nsOf(obj)), {
      body: obj,
      query: writeQuery(opts),
      signal: opts.signal,
    });
  }

  update(obj: T, opts: WriteOptions = {}): Promise<T> {
    return this.put(obj, undefined, opts);
  }

  updateStatus(obj: T, opts: WriteOptions = {}): Promise<T> {
    return this.put(obj, "status", opts);
  }

  patch(name: string, type: PatchType, body: unknown, opts: PatchOptions = {}): Promise<T> {
    if (type === "apply" && !opts.fieldManager) {
      throw new Error("server-side apply needs a fieldManager");
    }
    return this.rest.request<T>("PATCH", this.path(name, opts.subresource), {
      body,
      contentType: patchContentTypes[type],
      query: { ...writeQuery(opts), force: opts.force },
      signal: opts.signal,
    });
  }

  /** The object (pods being deleted gracefully, finalizers pending) or a Success Status. */
  delete(name: string, opts: DeleteOptions = {}): Promise<T | Status> {
    const body: Record<string, unknown> = { kind: "DeleteOptions", apiVersion: "v1" };
    if (opts.propagationPolicy) body.propagationPolicy = opts.propagationPolicy;
    if (opts.gracePeriodSeconds !== undefined) body.gracePeriodSeconds = opts.gracePeriodSeconds;
    if (opts.preconditions) body.preconditions = opts.preconditions;
    if (opts.dryRun) body.dryRun = ["All"];
    return this.rest.request<T | Status>("DELETE", this.path(name), { body, signal: opts.signal });
  }

  /**
   * Watch events as they arrive. Ends when the server ends the stream (timeoutSeconds, a dropped
   * connection) or the signal aborts; an error answer to the request itself is thrown as ApiError.
   * ERROR events (such as 410 Expired) are yielded: the stream ends after them.
   */
  async *watch(opts: WatchOptions = {}): AsyncGenerator<WatchEvent<T>, void, undefined> {
    const query: Query = {
      watch: true,
      labelSelector: opts.labelSelector,
      fieldSelector: opts.fieldSelector,
      resourceVersion: opts.resourceVersion,
      allowWatchBookmarks: opts.allowWatchBookmarks || undefined,
      timeoutSeconds: opts.timeoutSeconds,
    };
    let res: Awaited<ReturnType<RestClient["stream"]>>;
    try {
      res = await this.rest.stream("GET", this.path(), { query, signal: opts.signal });
    } catch (err) {
      if (opts.signal?.aborted) return;
      throw err;
    }
    // Guard against a server that went silent: give up a while after it should have ended the watch.
    const guard =
      opts.timeoutSeconds !== undefined
        ? setTimeout(() => res.destroy(), (opts.timeoutSeconds + 30) * 1000)
        : undefined;
    try {
      yield* readWatchEvents<T>(res);
    } finally {
      if (guard) clearTimeout(guard);
      res.destroy();
    }
  }

  private put(obj: T, subresource: string | undefined, opts: WriteOptions): Promise<T> {
    const name = obj.metadata?.name;
    if (!name) throw new Error("update needs metadata.name");
    return this.rest.request<T>("PUT", this.path(name, subresource, this.nsOf(obj)), {
      body: obj,
      query: writeQuery(opts),
      signal: opts.signal,
    });
  }

  private nsOf(obj: T): string | undefined {
    return this.ns ?? (this.desc.namespaced ? obj.metadata?.namespace || undefined : undefined);
  }
}

function writeQuery(opts: WriteOptions): Query {
  return { fieldManager: opts.fieldManager, dryRun: opts.dryRun ? "All" : undefined };
}
