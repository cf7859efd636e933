/**
 * Counters and histograms for the per-query path, served by prom-client's registry. prom-client
 * hashes the label set on every inc/observe (about a microsecond each, five of them per query);
 * here a caller binds a label set once to a child and then adds to plain numbers.
 */
import type { Metric, Registry } from "prom-client";

/** What prom-client's registry reads from a metric's get(). */
interface Collected {
  name: string;
  help: string;
  type: "counter" | "histogram";
  aggregator: "sum";
  values: Array<{ metricName?: string; labels: Record<string, string | number>; value: number }>;
}

type Labels<L extends string> = Readonly<Record<L, string>>;

export interface CounterChild {
  value: number;
}

export interface HistogramChild {
  observe(v: number): void;
}

abstract class LiteMetric<L extends string, C> {
  abstract readonly type: "counter" | "histogram";
  readonly aggregator = "sum" as const;
  protected readonly children = new Map<string, { labels: Labels<L>; child: C }>();

  constructor(
    readonly name: string,
    readonly help: string,
    readonly labelNames: readonly L[],
    registry: Registry,
  ) {
    // The registry only reads name/help/type/get(): a structural Metric.
    registry.registerMetric(this as unknown as Metric<L>);
  }

  protected abstract make(): C;

  /** The child for one label set, created on first use. */
  child(labels: Labels<L>): C {
    let key = "";
    for (const n of this.labelNames) key += `${labels[n]}\u0000`;
    let e = this.children.get(key);
    if (!e) {
      e = { labels: { ...labels }, child: this.make() };
      this.children.set(key, e);
    }
    return e.child;
  }

  reset(): void {
    this.children.clear();
  }
}

export class LiteCounter<L extends string> extends LiteMetric<L, CounterChild> {
  readonly type = "counter" as const;

  protected make(): CounterChild {
    return { value: 0 };
  }

  inc(labels: Labels<L>, n = 1): void {
    this.child(labels).value += n;
  }

  async get(): Promise<Collected> {
    const values: Collected["values"] = [];
    for (const { labels, child } of this.children.values()) values.push({ labels, value: child.value });
    return { name: this.name, help: this.help, type: "counter", aggregator: "sum", values };
  }
}

class Buckets implements HistogramChild {
  readonly counts: Float64Array;
  sum = 0;
  count = 0;
  constructor(private readonly bounds: readonly number[]) {
    this.counts = new Float64Array(bounds.length);
  }
  observe(v: number): void {
    const b = this.bounds;
    let i = 0;
    while (i < b.length && v > b[i]) i++;
    if (i < b.length) this.counts[i]++;
    this.sum += v;
    this.count++;
  }
}

export class LiteHistogram<L extends string> extends LiteMetric<L, HistogramChild> {
  readonly type = "histogram" as const;

  constructor(
    name: string,
    help: string,
    labelNames: readonly L[],
    private readonly bounds: readonly number[],
    registry: Registry,
  ) {
    super(name, help, labelNames, registry);
  }

  protected make(): HistogramChild {
    return new Buckets(this.bounds);
  }

  observe(labels: Labels<L>, v: number): void {
    this.child(labels).observe(v);
  }

  /** Replace a label set's state with samples counted elsewhere: per-bucket (not cumulative) counts. */
  set(labels: Labels<L>, perBucket: ArrayLike<number>, sum: number, count: number): void {
    const b = this.child(labels) as Buckets;
    for (let i = 0; i < b.counts.length; i++) b.counts[i] = perBucket[i] ?? 0;
    b.sum = sum;
    b.count = count;
  }

  async get(): Promise<Collected> {
    const values: Collected["values"] = [];
    for (const { labels, child } of this.children.values()) {
      const b = child as Buckets;
      let acc = 0;
      for (let i = 0; i < this.bounds.length; i++) {
        acc += b.counts[i];
        values.push({
          metricName: `${this.name}_bucket`,
          labels: { ...labels, le: this.bounds[i] },
          value: acc,
        });
      }
      values.push({ metricName: `${this.name}_bucket`, labels: { ...labels, le: "+Inf" }, value: b.count });
      values.push({ metricName: `${this.name}_sum`, labels, value: b.sum });
      values.push({ metricName: `${this.name}_count`, labels, value: b.count });
    }
    return { name: this.name, help: this.help, type: "histogram", aggregator: "sum", values };
  }
}
