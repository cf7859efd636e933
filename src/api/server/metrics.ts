/** The apiserver's Prometheus metrics, under kube-apiserver's names. */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";

export class ApiMetrics {
  readonly registry = new Registry();
  readonly requests = new Counter({
    name: "apiserver_request_total",
    help: "Requests served, by verb, group, version, resource, subresource, scope, component and HTTP code.",
    labelNames: ["verb", "group", "version", "resource", "subresource", "scope", "component", "code"],
    registers: [this.registry],
  });
  readonly duration = new Histogram({
    name: "apiserver_request_duration_seconds",
    help: "Response latency by verb, group, version, resource, subresource and scope.",
    labelNames: ["verb", "group", "version", "resource", "subresource", "scope", "component"],
    buckets: [
      0.005, 0.025, 0.05, 0.1, 0.2, 0.4, 0.6, 0.8, 1, 1.25, 1.5, 2, 3, 4, 5, 6, 8, 10, 15, 20, 30, 45, 60,
    ],
    registers: [this.registry],
  });
  readonly longRunning = new Gauge({
    name: "apiserver_longrunning_requests",
    help: "Long-running requests (watches) in flight.",
    labelNames: ["verb", "group", "version", "resource", "scope", "component"],
    registers: [this.registry],
  });
  readonly registeredWatchers = new Gauge({
    name: "apiserver_registered_watchers",
    help: "Watchers currently registered, by group and kind.",
    labelNames: ["group", "version", "kind"],
    registers: [this.registry],
  });
  readonly storageObjects = new Gauge({
    name: "apiserver_storage_objects",
    help: "Objects stored at the last check, by resource.",
    labelNames: ["resource"],
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }
}
