// Expectations follow kube's pkg/controller/endpoint (endpoints_controller.go and its tests).
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { pod, service } from "../endpointutil/fixtures.ts";
import type { Endpoints } from "../endpointutil/types.ts";
import { reconcileEndpoints } from "./reconciler.ts";

describe("Endpoints reconciler", () => {
  test("ready and not-ready pods, ports resolved, repacked into one subset", () => {
    const svc = service(
      "web",
      { ports: [{ name: "http", port: 80, targetPort: "web", protocol: "TCP" }] },
      { labels: { a: "b" } },
    );
    const ports = [{ name: "web", containerPort: 8080 }];
    const r = reconcileEndpoints({
      service: svc,
      pods: [
        pod("b", { ips: ["10.0.0.2"], ports }),
        pod("a", { ips: ["10.0.0.10"], ports }),
        pod("c", { ips: ["10.0.0.3"], ports, ready: false }),
        pod("t", { ips: ["10.0.0.4"], ports, terminating: true }),
      ],
      triggerTime: "2024-01-01T00:01:00Z",
    })!;
    assert.equal(r.create, true);
    assert.deepEqual(r.endpoints.metadata.labels, { a: "b" });
    assert.equal(
      r.endpoints.metadata.annotations?.["endpoints.kubernetes.io/last-change-trigger-time"],
      "2024-01-01T00:01:00Z",
    );
    assert.deepEqual(r.endpoints.subsets, [
      {
        // Sorted by IP as bytes: 10.0.0.2 before 10.0.0.10; terminating pods are left out.
        addresses: [
          {
            ip: "10.0.0.2",
            nodeName: "node-1",
            targetRef: { kind: "Pod", namespace: "default", name: "b", uid: "pod-b" },
          },
          {
            ip: "10.0.0.10",
            nodeName: "node-1",
            targetRef: { kind: "Pod", namespace: "default", name: "a", uid: "pod-a" },
          },
        ],
        notReadyAddresses: [
          {
            ip: "10.0.0.3",
            nodeName: "node-1",
            targetRef: { kind: "Pod", namespace: "default", name: "c", uid: "pod-c" },
          },
        ],
        ports: [{ name: "http", port: 8080, protocol: "TCP" }],
      },
    ]);
  });

  test("ports map to the set of addresses offering them (RepackSubsets)", () => {
    const svc = service("web", {
      ports: [
        { name: "http", port: 80, targetPort: "web", protocol: "TCP" },
        { name: "m", port: 9, targetPort: 9000, protocol: "TCP" },
      ],
    });
    const r = reconcileEndpoints({
      service: svc,
      pods: [
        pod("a", { ips: ["10.0.0.1"], ports: [{ name: "web", containerPort: 8080 }] }),
        pod("b", { ips: ["10.0.0.2"] }),
      ],
    })!;
    assert.deepEqual(
      r.endpoints.subsets?.map((s) => [s.addresses?.map((a) => a.ip), s.ports?.map((p) => p.name)]),
      // a offers http and m, b only m: m → {a, b}, http → {a}.
      [
        [["10.0.0.1"], ["http"]],
        [["10.0.0.1", "10.0.0.2"], ["m"]],
      ],
    );
  });

  test("headless without ports, hostnames, publishNotReadyAddresses, headless label", () => {
    const svc = service("nginx", { clusterIP: "None", ports: [], publishNotReadyAddresses: true });
    const r = reconcileEndpoints({
      service: svc,
      pods: [
        pod("web-0", { ips: ["10.0.0.1"], hostname: "web-0", subdomain: "nginx", ready: false }),
        pod("web-1", { ips: ["10.0.0.2"], hostname: "web-1", subdomain: "nginx", terminating: true }),
      ],
    })!;
    assert.equal(r.endpoints.metadata.labels?.["service.kubernetes.io/headless"], "");
    assert.deepEqual(
      r.endpoints.subsets?.map((s) => [s.addresses?.map((a) => [a.ip, a.hostname]), s.ports]),
      [
        [
          [
            ["10.0.0.1", "web-0"],
            ["10.0.0.2", "web-1"],
          ],
          undefined,
        ],
      ],
    );
  });

  test("over 1000 addresses: truncated with the over-capacity annotation", () => {
    const pods = Array.from({ length: 1200 }, (_, i) =>
      pod(`p${i}`, { ips: [`10.1.${i >> 8}.${i & 255}`], ready: i < 1100 }),
    );
    const r = reconcileEndpoints({ service: service("big"), pods })!;
    const subs = r.endpoints.subsets ?? [];
    assert.equal(subs.flatMap((s) => s.addresses ?? []).length, 1000);
    assert.equal(subs.flatMap((s) => s.notReadyAddresses ?? []).length, 0);
    assert.equal(r.endpoints.metadata.annotations?.["endpoints.kubernetes.io/over-capacity"], "truncated");
    // Ready ones fit: only not-ready addresses are cut.
    const r2 = reconcileEndpoints({ service: service("big"), pods: pods.slice(0, 1050) })!;
    const s2 = r2.endpoints.subsets ?? [];
    assert.equal(s2.flatMap((s) => s.addresses ?? []).length, 1000);
    assert.equal(s2.flatMap((s) => s.notReadyAddresses ?? []).length, 0);
  });

  test("no write when subsets and labels already match; label or pod changes write", () => {
    const svc = service("web");
    const pods = [pod("a")];
    const first = reconcileEndpoints({ service: svc, pods })!;
    const stored: Endpoints = {
      ...first.endpoints,
      metadata: { ...first.endpoints.metadata, resourceVersion: "5" },
    };
    assert.equal(reconcileEndpoints({ service: svc, pods, current: stored }), undefined);
    const relabeled = service("web", {}, { labels: { x: "y" } });
    assert.equal(reconcileEndpoints({ service: relabeled, pods, current: stored })?.create, false);
    const r = reconcileEndpoints({ service: svc, pods: [pod("a", { ready: false })], current: stored })!;
    assert.equal(r.create, false);
    assert.equal(r.endpoints.metadata.resourceVersion, "5");
  });

  test("dual-stack Service: the address of its primary family", () => {
    const svc = service("ds", { ipFamilies: ["IPv6", "IPv4"] });
    const r = reconcileEndpoints({ service: svc, pods: [pod("a", { ips: ["10.0.0.1", "fd00::1"] })] })!;
    assert.equal(r.endpoints.subsets?.[0].addresses?.[0].ip, "fd00::1");
  });

  test("no pods, no labels, no trigger time: no empty maps or lists (Go's omitempty)", () => {
    // kube's Endpoints types tag labels, annotations and subsets omitempty: a Service without
    // pods gets an Endpoints with none of them, which `-o yaml` prints without `subsets: []`.
    const r = reconcileEndpoints({ service: service("web"), pods: [] })!;
    assert.equal(r.create, true);
    assert.deepEqual(r.endpoints.metadata, { name: "web", namespace: "default" });
    assert.equal("subsets" in r.endpoints, false);
    // Emptied later: the update drops what is left empty.
    const cur: Endpoints = {
      ...r.endpoints,
      metadata: { ...r.endpoints.metadata, resourceVersion: "5", annotations: { x: "y" } },
      subsets: [{ addresses: [{ ip: "10.0.0.9" }], ports: [{ name: "http", port: 8080, protocol: "TCP" }] }],
    };
    const u = reconcileEndpoints({ service: service("web"), pods: [], current: cur })!;
    assert.equal(u.create, false);
    assert.equal("subsets" in u.endpoints, false);
    assert.deepEqual(u.endpoints.metadata.annotations, { x: "y" });
  });
});
