/**
 * The server-wide metrics CoreDNS's metrics plugin records (plugin/metrics/vars), under the same
 * names and labels, on a registry shared by every plugin and kept across reloads.
 */
import { Counter, Gauge, Histogram, type Registry } from "prom-client";

/** CoreDNS's plugin.TimeBuckets: exponential from 0.25ms, factor 2, 16 buckets. */
export const TIME_BUCKETS = Array.from({ length: 16 }, (_, i) => 0.00025 * 2 ** i);
const SIZE_BUCKETS = [0, 100, 200, 300, 400, 511, 1023, 2047, 4095, 8291, 16e3, 32e3, 48e3, 64e3];

/** Get-or-create helpers, so a plugin set up again on reload reuses its metrics. */
export class Metrics {
  constructor(readonly registry: Registry) {}

  counter<L extends string>(name: string, help: string, labelNames: readonly L[] = []): Counter<L> {
    const found = this.registry.getSingleMetric(name);
    if (found) return found as Counter<L>;
    return new Counter({ name, help, labelNames, registers: [this.registry] });
  }

  gauge<L extends string>(name: string, help: string, labelNames: readonly L[] = []): Gauge<L> {
    const found = this.registry.getSingleMetric(name);
    if (found) return found as Gauge<L>;
    return new Gauge({ name, help, labelNames, registers: [this.registry] });
  }

  histogram<L extends string>(
    name: string,
    help: string,
    labelNames: readonly L[] = [],
    buckets: number[] = TIME_BUCKETS,
  ): Histogram<L> {
    const found = this.registry.getSingleMetric(name);
    if (found) return found as Histogram<L>;
    return new Histogram({ name, help, labelNames, buckets, registers: [this.registry] });
  }
}

/** The metric families the server itself reports for blocks that enable `prometheus`. */
export class ServerMetrics {
  readonly requests;
  readonly duration;
  readonly requestSize;
  readonly responseSize;
  readonly responses;
  readonly doRequests;
  readonly panics;
  readonly pluginEnabled;

  constructor(m: Metrics) {
    this.requests = m.counter(
      "coredns_dns_requests_total",
      "Counter of DNS requests made per zone, protocol and family.",
      ["server", "zone", "view", "proto", "family", "type"],
    );
    this.duration = m.histogram(
      "coredns_dns_request_duration_seconds",
      "Histogram of the time (in seconds) each request took per zone.",
      ["server", "zone", "view"],
    );
    this.requestSize = m.histogram(
      "coredns_dns_request_size_bytes",
      "Size of the EDNS0 UDP buffer in bytes (64K for TCP) per zone and protocol.",
      ["server", "zone", "view", "proto"],
      SIZE_BUCKETS,
    );
    this.responseSize = m.histogram(
      "coredns_dns_response_size_bytes",
      "Size of the returned response in bytes.",
      ["server", "zone", "view", "proto"],
      SIZE_BUCKETS,
    );
    this.responses = m.counter("coredns_dns_responses_total", "Counter of response status codes.", [
      "server",
      "zone",
      "view",
      "rcode",
      "plugin",
    ]);
    this.doRequests = m.counter(
      "coredns_dns_do_requests_total",
      "Counter of DNS requests with DO bit set per zone.",
      ["server", "zone", "view"],
    );
    this.panics = m.counter("coredns_panics_total", "A metrics that counts the number of panics.");
    this.pluginEnabled = m.gauge(
      "coredns_plugin_enabled",
      "A metric that indicates whether a plugin is enabled on per server and zone basis.",
      ["server", "zone", "view", "name"],
    );
  }
}

/** Query types CoreDNS reports by name; the rest count as "other" (vars.qTypeString). */
const MONITORED = new Set([
  "AAAA",
  "A",
  "CNAME",
  "DNSKEY",
  "DS",
  "MX",
  "NSEC3",
  "NSEC",
  "NS",
  "PTR",
  "RRSIG",
  "SOA",
  "SRV",
  "TXT",
  "HTTPS",
  "SVCB",
  "IXFR",
  "AXFR",
  "ANY",
]);

export function qtypeLabel(qtype: string): string {
  return MONITORED.has(qtype) ? qtype : "other";
}
