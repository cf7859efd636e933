/**
 * A small kubelet-style event recorder: core/v1 Events with source {component: kubelet, host},
 * firstTimestamp = lastTimestamp, count 1, named `<object>.<hex nanoseconds>` as client-go's
 * recorder names them. Writes are asynchronous and best-effort (a lost event never blocks a pod).
 * The agent may not import src/controllers, so it does not share the controllers' recorder.
 */
import type { KubeObject } from "../api/machinery/types.ts";
import type { RestClient } from "../client/index.ts";
import { kinds } from "./kinds.ts";

export type EventType = "Normal" | "Warning";

export interface EventRecorderOptions {
  component: string;
  host: string;
  now?: () => Date;
  onError?: (err: unknown) => void;
}

const seconds = (d: Date) => `${d.toISOString().slice(0, 19)}Z`;

export class AgentEventRecorder {
  private readonly pending = new Set<Promise<void>>();
  private lastNanos = 0n;

  constructor(
    private readonly client: RestClient,
    private readonly opts: EventRecorderOptions,
  ) {}

  /** Record an event about obj; fieldPath names a part of it, such as `spec.containers{web}`. */
  record(obj: KubeObject, type: EventType, reason: string, message: string, fieldPath?: string): void {
    const now = (this.opts.now ?? (() => new Date()))();
    const ns = obj.metadata.namespace || "default";
    const ref: Record<string, string> = {
      kind: obj.kind ?? "",
      namespace: obj.metadata.namespace ?? "",
      name: obj.metadata.name ?? "",
      uid: obj.metadata.uid ?? "",
      apiVersion: obj.apiVersion ?? "",
      resourceVersion: obj.metadata.resourceVersion ?? "",
    };
    if (fieldPath) ref.fieldPath = fieldPath;
    for (const k of Object.keys(ref)) if (ref[k] === "") delete ref[k];
    const ts = seconds(now);
    const event: KubeObject = {
      apiVersion: "v1",
      kind: "Event",
      metadata: { name: `${obj.metadata.name}.${this.nanos(now).toString(16)}`, namespace: ns },
      involvedObject: ref,
      reason,
      message,
      source: { component: this.opts.component, host: this.opts.host },
      firstTimestamp: ts,
      lastTimestamp: ts,
      count: 1,
      type,
      reportingComponent: this.opts.component,
      reportingInstance: this.opts.host,
    };
    const p = this.client
      .resource(kinds.events)
      .namespace(ns)
      .create(event)
      .then(
        () => undefined,
        (err: unknown) => this.opts.onError?.(err),
      )
      .finally(() => this.pending.delete(p));
    this.pending.add(p);
  }

  /** Wait for every write started so far. */
  async drain(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }

  /** Unique, increasing nanosecond stamps (several events can share a millisecond). */
  private nanos(now: Date): bigint {
    let n = BigInt(now.getTime()) * 1_000_000n;
    if (n <= this.lastNanos) n = this.lastNanos + 1n;
    this.lastNanos = n;
    return n;
  }
}
