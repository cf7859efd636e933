/**
 * The server-wide metrics CoreDNS's metrics plugin records (plugin/metrics/vars), under the same
 * names and labels, on a registry shared by every plugin and kept across reloads.
 */
import { Counter, Gauge, Histogram, type Registry } from "prom-client";
import { LiteCounter, LiteHistogram } from "./lite-metrics.ts";

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
  readonly templateReplies;
  readonly udpReplyFailures;

  constructor(m: Metrics) {
    const r = m.registry;
    // Per-query families are lite metrics: bound children, no label hashing per query.
    this.requests = liteCounter(
      r,
      "coredns_dns_requests_total",
      "Counter of DNS requests made per zone, protocol and family.",
      ["server", "zone", "view", "proto", "family", "type"],
    );
    this.duration = liteHistogram(
      r,
      "coredns_dns_request_duration_seconds",
      "Histogram of the time (in seconds) each request took per zone.",
      ["server", "zone", "view"],
      TIME_BUCKETS,
    );
    this.requestSize = liteHistogram(
      r,
      "coredns_dns_request_size_bytes",
      "Size of the EDNS0 UDP buffer in bytes (64K for TCP) per zone and protocol.",
      ["server", "zone", "view", "proto"],
      SIZE_BUCKETS,
    );
    this.responseSize = liteHistogram(
      r,
      "coredns_dns_response_size_bytes",
      "Size of the returned response in bytes.",
      ["server", "zone", "view", "proto"],
      SIZE_BUCKETS,
    );
    this.responses = liteCounter(r, "coredns_dns_responses_total", "Counter of response status codes.", [
      "server",
      "zone",
      "view",
      "rcode",
      "plugin",
    ]);
    this.doRequests = liteCounter(
      r,
      "coredns_dns_do_requests_total",
      "Counter of DNS requests with DO bit set per zone.",
      ["server", "zone", "view"],
    );
    // Skiff's own: how many replies came from reply templates (server/fastpath.ts).
    this.templateReplies = liteCounter(
      r,
      "skiff_dns_template_replies_total",
      "Counter of replies sent from reply templates of cached answers, per server.",
      ["server"],
    );
    // Skiff's own: UDP replies the kernel did not take (batched socket, udp-batch.ts).
    this.udpReplyFailures = liteCounter(
      r,
      "skiff_dns_udp_reply_failures_total",
      "Counter of UDP replies not sent, per server and reason (buffer_full: the socket's send buffer was full; error: any other send error).",
      ["server", "reason"],
    );
    this.panics = m.counter("coredns_panics_total", "A metrics that counts the number of panics.");
    this.pluginEnabled = m.gauge(
      "coredns_plugin_enabled",
      "A metric that indicates whether a plugin is enabled on per server and zone basis.",
      ["server", "zone", "view", "name"],
    );
  }
}

/** Get-or-create, as Metrics does, for instances sharing one registry. */
function liteCounter<L extends string>(r: Registry, name: string, help: string, labels: readonly L[]) {
  const found = r.getSingleMetric(name);
  if (found instanceof LiteCounter) return found as unknown as LiteCounter<L>;
  return new LiteCounter(name, help, labels, r);
}

function liteHistogram<L extends string>(
  r: Registry,
  name: string,
  help: string,
  labels: readonly L[],
  buckets: readonly number[],
) {
  const found = r.getSingleMetric(name);
  if (found instanceof LiteHistogram) return found as unknown as LiteHistogram<L>;
  return new LiteHistogram(name, help, labels, buckets, r);
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
