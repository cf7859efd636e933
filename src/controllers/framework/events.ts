/**
 * client-go's legacy event recorder (tools/record) for core/v1 Events: one Event per distinct
 * (object, type, reason, message); repeats bump count and lastTimestamp on the same Event; more
 * than 10 similar events (same object, type, reason) within 10 minutes are combined into one
 * whose message says "(combined from similar events)"; a per-object token bucket (burst 25,
 * one more every 5 minutes) drops spam. Writes are asynchronous, in order, and best-effort.
 */
import type { KubeObject } from "../../api/machinery/types.ts";
import { isNotFound, type ResourceClient, type RestClient } from "../../client/index.ts";
import { kinds } from "./kinds.ts";

export type EventType = "Normal" | "Warning";

export interface EventRecorderOptions {
  /** source.host and reportingInstance (client-go: the node or host name). */
  host?: string;
  /** Clock, for tests. */
  now?: () => Date;
  /** Told about writes that failed for good. */
  onError?: (err: unknown) => void;
}

/** What recordEvent writes: a core/v1 Event. */
export interface CoreEvent extends KubeObject {
  involvedObject: {
    kind?: string;
    namespace?: string;
    name?: string;
    uid?: string;
    apiVersion?: string;
    resourceVersion?: string;
  };
  reason: string;
  message: string;
  type: EventType;
  count: number;
  firstTimestamp: string;
  lastTimestamp: string;
  source: { component: string; host?: string };
  reportingComponent: string;
  reportingInstance: string;
}

/** client-go's defaults (events_cache.go). */
const maxLruCacheEntries = 4096;
const maxSimilarEvents = 10;
const similarWindowMs = 10 * 60 * 1000;
const spamBurst = 25;
const spamRefillMs = 5 * 60 * 1000;
const maxTries = 3;

interface Seen {
  name: string;
  count: number;
  firstTimestamp: string;
}

export class EventRecorder {
  private readonly events: ResourceClient<CoreEvent>;
  private readonly now: () => Date;
  /** full key (incl. message) → the Event we wrote for it. */
  private readonly seen = new Map<string, Seen>();
  /** similar key (without message) → times and distinct messages in the window. */
  private readonly similar = new Map<string, { since: number; messages: Set<string> }>();
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  private tail: Promise<void> = Promise.resolve();

  constructor(
    client: RestClient,
    readonly component: string,
    private readonly opts: EventRecorderOptions = {},
  ) {
    this.events = client.resource<CoreEvent>(kinds.events);
    this.now = opts.now ?? (() => new Date());
  }

  /** Record an event about obj (it needs kind, name and, if namespaced, namespace). */
  recordEvent(obj: KubeObject, type: EventType, reason: string, message: string): void {
    const t = this.now();
    const io = {
      kind: obj.kind,
      namespace: obj.metadata.namespace,
      name: obj.metadata.name,
      uid: obj.metadata.uid,
      apiVersion: obj.apiVersion,
      resourceVersion: obj.metadata.resourceVersion,
    };
    const objKey = [io.kind, io.namespace, io.name, io.uid, io.apiVersion].join("\x00");
    if (!this.allow(objKey, t.getTime())) return;
    const similarKey = [objKey, type, reason].join("\x00");
    const msg = this.aggregate(similarKey, message, t.getTime());
    // Combined events all land on one Event (client-go keys them without the message).
    const key = msg === message ? [similarKey, msg].join("\x00") : `${similarKey}\x00(combined)`;
    const stamp = t.toISOString().replace(/\.\d+Z$/, "Z");
    const prev = this.seen.get(key);
    const seen: Seen = prev
      ? { name: prev.name, count: prev.count + 1, firstTimestamp: prev.firstTimestamp }
      : { name: `${io.name}.${eventSuffix(t)}`, count: 1, firstTimestamp: stamp };
    this.remember(key, seen);
    const ev: CoreEvent = {
      apiVersion: "v1",
      kind: "Event",
      // Events about cluster-scoped objects live in "default", as client-go puts them.
      metadata: { name: seen.name, namespace: io.namespace || "default" },
      involvedObject: io,
      reason,
      message: msg,
      type,
      count: seen.count,
      firstTimestamp: seen.firstTimestamp,
      lastTimestamp: stamp,
      source: { component: this.component, host: this.opts.host },
      reportingComponent: this.component,
      reportingInstance: this.opts.host ?? "",
    };
    this.tail = this.tail.then(() => this.write(ev, prev !== undefined));
  }

  /** Resolves once every event recorded so far has been written (or given up on). */
  drain(): Promise<void> {
    return this.tail;
  }

  private async write(ev: CoreEvent, update: boolean): Promise<void> {
    const ns = this.events.namespace(ev.metadata.namespace!);
    for (let attempt = 1; ; attempt++) {
      try {
        if (update) {
          try {
            // An unconditional PUT of the whole Event (events allow it) rather than client-go's
            // patch of count/lastTimestamp/message: same result, one request, any apiserver.
            await ns.update(ev);
            return;
          } catch (err) {
            // Gone (expired by TTL or deleted): write it anew, as client-go does.
            if (!isNotFound(err)) throw err;
            update = false;
          }
        }
        await ns.create(ev);
        return;
      } catch (err) {
        if (attempt >= maxTries) {
          this.opts.onError?.(err);
          return;
        }
        await new Promise((r) => setTimeout(r, 50 * 2 ** attempt));
      }
    }
  }

  /** Token bucket per object (client-go's EventSourceObjectSpamFilter). */
  private allow(objKey: string, now: number): boolean {
    let b = this.buckets.get(objKey);
    if (!b) {
      b = { tokens: spamBurst, at: now };
      this.buckets.set(objKey, b);
      trim(this.buckets);
    }
    const refill = Math.floor((now - b.at) / spamRefillMs);
    if (refill > 0) {
      b.tokens = Math.min(spamBurst, b.tokens + refill);
      b.at += refill * spamRefillMs;
    }
    if (b.tokens <= 0) return false;
    b.tokens--;
    return true;
  }

  /** client-go's EventAggregator: past 10 distinct messages in the window, combine them. */
  private aggregate(similarKey: string, message: string, now: number): string {
    let rec = this.similar.get(similarKey);
    if (!rec || now - rec.since > similarWindowMs) {
      rec = { since: now, messages: new Set() };
      this.similar.set(similarKey, rec);
      trim(this.similar);
    }
    rec.messages.add(message);
    if (rec.messages.size < maxSimilarEvents) return message;
    return `(combined from similar events): ${message}`;
  }

  private remember(key: string, seen: Seen): void {
    this.seen.delete(key);
    this.seen.set(key, seen);
    trim(this.seen);
  }
}

/** Keep a Map within the LRU size (Maps iterate oldest first). */
function trim<K, V>(m: Map<K, V>): void {
  while (m.size > maxLruCacheEntries) m.delete(m.keys().next().value as K);
}

let lastNano = 0n;
/** client-go names events <object>.<unix nanoseconds in hex>; keep them unique within a process. */
function eventSuffix(t: Date): string {
  let nano = BigInt(t.getTime()) * 1_000_000n + (process.hrtime.bigint() % 1_000_000n);
  if (nano <= lastNano) nano = lastNano + 1n;
  lastNano = nano;
  return nano.toString(16);
}
