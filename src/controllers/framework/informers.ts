/**
 * client-go's SharedInformerFactory, reduced: one Informer per resource however many controllers
 * ask for it, started together, with a wait for the first full list of every one.
 */
import { getMaxListeners, setMaxListeners } from "node:events";
import type { KubeObject } from "../../api/machinery/types.ts";
import {
  type EventHandlers,
  type IndexFunc,
  Informer,
  namespaceIndex,
  objectKey,
  type ResourceDescriptor,
  type RestClient,
  type WorkQueue,
} from "../../client/index.ts";

export interface InformerRequest<T> {
  /** Extra indexes (every informer also has client-go's "namespace" index). */
  indexers?: Record<string, IndexFunc<T>>;
}

export class InformerFactory {
  private readonly informers = new Map<string, Informer<KubeObject>>();
  private readonly indexNames = new Map<string, Set<string>>();
  private readonly running = new Set<string>();
  private signal: AbortSignal | undefined;

  constructor(
    private readonly client: RestClient,
    private readonly onError?: (err: unknown) => void,
  ) {}

  /** The shared informer for desc. Indexes can only be added before the informer is first created. */
  informer<T extends KubeObject>(desc: ResourceDescriptor, req: InformerRequest<T> = {}): Informer<T> {
    const id = `${desc.group}/${desc.version}/${desc.plural}`;
    const existing = this.informers.get(id);
    if (existing) {
      const have = this.indexNames.get(id)!;
      const missing = Object.keys(req.indexers ?? {}).filter((n) => !have.has(n));
      if (missing.length > 0)
        throw new Error(`informer for ${desc.plural} already exists without index ${missing}`);
      return existing as unknown as Informer<T>;
    }
    const indexers = { ...(namespaceIndex as Record<string, IndexFunc<T>>), ...req.indexers };
    const inf = new Informer<T>(this.client.resource<T>(desc), {
      indexers,
      onHandlerError: this.onError,
    });
    this.informers.set(id, inf as unknown as Informer<KubeObject>);
    this.indexNames.set(id, new Set(Object.keys(indexers)));
    // Informers asked for after start() start at once.
    if (this.signal) this.runOne(id);
    return inf;
  }

  /** Run every informer (and any created later) until signal aborts. */
  start(signal: AbortSignal): void {
    this.signal = signal;
    // Every informer, watch and worker pool listens on the one signal.
    raiseMaxListeners(signal, 200);
    for (const id of this.informers.keys()) this.runOne(id);
  }

  /** True once every informer has listed once; false if signal aborts first. */
  async waitForSync(signal: AbortSignal): Promise<boolean> {
    const results = await Promise.all([...this.informers.values()].map((i) => i.waitForSync(signal)));
    return results.every(Boolean);
  }

  private runOne(id: string): void {
    if (this.running.has(id) || !this.signal) return;
    this.running.add(id);
    this.informers
      .get(id)!
      .run(this.signal)
      .catch((err) => this.onError?.(err));
  }
}

/**
 * Handlers that queue key(obj) on every add, update and delete. key may return undefined or a
 * list (e.g. all Services selecting a pod) to queue nothing or several keys.
 */
export function enqueueHandlers<T extends KubeObject>(
  queue: WorkQueue<string>,
  key: (obj: T) => string | string[] | undefined = objectKey,
): EventHandlers<T> {
  const add = (obj: T): void => {
    const k = key(obj);
    if (k === undefined) return;
    for (const one of Array.isArray(k) ? k : [k]) queue.add(one);
  };
  return {
    onAdd: add,
    // Both: a change of labels can move an object from one owner's key to another's.
    onUpdate: (old, obj) => {
      add(old);
      add(obj);
    },
    onDelete: add,
  };
}

/** Raise signal's listener limit to at least n, leaving an unlimited (0) one alone. */
export function raiseMaxListeners(signal: AbortSignal, n: number): void {
  let current: number;
  try {
    current = getMaxListeners(signal);
  } catch {
    // Node 20 throws for an EventTarget whose limit was set to 0 (unlimited): nothing to raise.
    return;
  }
  if (current !== 0 && current < n) setMaxListeners(n, signal);
}
