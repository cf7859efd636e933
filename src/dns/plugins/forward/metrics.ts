/**
 * The forward plugin's metrics under CoreDNS's names: the current coredns_proxy_* families
 * (plugin/pkg/proxy/metrics.go) and coredns_forward_* counters (plugin/forward/metrics.go), plus
 * the coredns_forward_* per-upstream families CoreDNS ≤1.10 exported, which dashboards still use.
 */
import type { Metrics } from "../../server/metrics.ts";

export function forwardMetrics(m: Metrics) {
  return {
    proxyDuration: m.histogram(
      "coredns_proxy_request_duration_seconds",
      "Histogram of the time each request took.",
      ["proxy_name", "to", "rcode"],
    ),
    proxyHcFailures: m.counter(
      "coredns_proxy_healthcheck_failures_total",
      "Counter of the number of failed healthchecks.",
      ["proxy_name", "to"],
    ),
    cacheHits: m.counter(
      "coredns_proxy_conn_cache_hits_total",
      "Counter of connection cache hits per upstream and protocol.",
      ["proxy_name", "to", "proto"],
    ),
    cacheMisses: m.counter(
      "coredns_proxy_conn_cache_misses_total",
      "Counter of connection cache misses per upstream and protocol.",
      ["proxy_name", "to", "proto"],
    ),
    healthcheckBroken: m.counter(
      "coredns_forward_healthcheck_broken_total",
      "Counter of the number of complete failures of the healthchecks.",
    ),
    maxConcurrentRejects: m.counter(
      "coredns_forward_max_concurrent_rejects_total",
      "Counter of the number of queries rejected because the concurrent queries were at maximum.",
    ),
    requests: m.counter("coredns_forward_requests_total", "Counter of requests made per upstream.", ["to"]),
    responses: m.counter("coredns_forward_responses_total", "Counter of responses received per upstream.", [
      "to",
      "rcode",
    ]),
    duration: m.histogram(
      "coredns_forward_request_duration_seconds",
      "Histogram of the time each request took.",
      ["to", "rcode"],
    ),
    hcFailures: m.counter(
      "coredns_forward_healthcheck_failures_total",
      "Counter of the number of failed healthchecks.",
      ["to"],
    ),
  };
}

export type ForwardMetrics = ReturnType<typeof forwardMetrics>;
