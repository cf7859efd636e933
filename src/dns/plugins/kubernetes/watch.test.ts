/** The names each object makes answerable: what the cache is told to forget denials for. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { pod, slice, svc } from "./fixtures.test-util.ts";
import { podNames, serviceNames, sliceNames } from "./watch.ts";

const zones = ["cluster.local."];

test("a Service announces its name, its SRV port names and its ClusterIPs' reverse names", () => {
  const s = svc("NS", "Web", {
    clusterIPs: ["10.0.0.1", "fd00::1"],
    ports: [{ name: "http", protocol: "TCP", port: 80 }, { port: 81 }],
  });
  assert.deepEqual(serviceNames(s, zones), [
    "web.ns.svc.cluster.local.",
    "_http._tcp.web.ns.svc.cluster.local.",
    "1.0.0.10.in-addr.arpa.",
    "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.d.f.ip6.arpa.",
  ]);
});

test("an EndpointSlice announces the service, ports, ready endpoint names and reverse names", () => {
  const e = slice("ns", "hl", [
    { addresses: ["10.1.0.1"], hostname: "a" },
    { addresses: ["10.1.0.2"], targetRef: { name: "pod-b" } },
    { addresses: ["10.1.0.3"], conditions: { ready: false } },
  ]);
  assert.deepEqual(sliceNames(e, zones, false), [
    "hl.ns.svc.cluster.local.",
    "_http._tcp.hl.ns.svc.cluster.local.",
    "a.hl.ns.svc.cluster.local.",
    "10-1-0-2.hl.ns.svc.cluster.local.",
    "1.0.1.10.in-addr.arpa.",
    "2.0.1.10.in-addr.arpa.",
  ]);
  assert.ok(sliceNames(e, zones, true).includes("pod-b.hl.ns.svc.cluster.local."));
});

test("a Pod announces its dashed-IP name", () => {
  assert.deepEqual(podNames(pod("ns", "p", "10.2.0.1"), zones), ["10-2-0-1.ns.pod.cluster.local."]);
});
