// Expectations follow kube's k8s.io/endpointslice reconciler.go / utils.go and their tests.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { node, pod, service } from "../endpointutil/fixtures.ts";
import type { EndpointSlice, Node, Pod, Service } from "../endpointutil/types.ts";
import { reconcileEndpointSlices, type SliceReconcileInput } from "./reconciler.ts";

const nodes = new Map<string, Node>([
  ["node-1", node("node-1", "zone-a")],
  ["node-2", node("node-2")],
]);

function run(
  svc: Service,
  pods: Pod[],
  existing: EndpointSlice[] = [],
  extra: Partial<SliceReconcileInput> = {},
) {
  return reconcileEndpointSlices({ service: svc, pods, node: (n) => nodes.get(n), existing, ...extra });
}

/** Pretend the apiserver stored the creates: give them names and uids. */
function store(slices: EndpointSlice[]): EndpointSlice[] {
  return slices.map((s, i) => ({
    ...structuredClone(s),
    metadata: { ...structuredClone(s.metadata), name: `${s.metadata.generateName}x${i}`, uid: `u${i}` },
  }));
}

describe("EndpointSlice reconciler", () => {
  test("one pod: a slice with kube's labels, owner, ports and endpoint fields", () => {
    const svc = service("web", {}, { labels: { team: "a" } });
    const r = run(svc, [pod("p1")], [], { triggerTime: "2024-01-01T00:01:00Z" });
    assert.equal(r.create.length, 1);
    const s = r.create[0];
    assert.equal(s.metadata.generateName, "web-");
    assert.deepEqual(s.metadata.labels, {
      team: "a",
      "kubernetes.io/service-name": "web",
      "endpointslice.kubernetes.io/managed-by": "endpointslice-controller.k8s.io",
    });
    assert.deepEqual(s.metadata.ownerReferences, [
      {
        apiVersion: "v1",
        kind: "Service",
        name: "web",
        uid: "svc-web",
        controller: true,
        blockOwnerDeletion: true,
      },
    ]);
    assert.equal(
      s.metadata.annotations?.["endpoints.kubernetes.io/last-change-trigger-time"],
      "2024-01-01T00:01:00Z",
    );
    assert.equal(s.addressType, "IPv4");
    assert.deepEqual(s.ports, [{ name: "http", port: 8080, protocol: "TCP" }]);
    assert.deepEqual(s.endpoints, [
      {
        addresses: ["10.244.0.1"],
        conditions: { ready: true, serving: true, terminating: false },
        targetRef: { kind: "Pod", namespace: "default", name: "p1", uid: "pod-p1" },
        nodeName: "node-1",
        zone: "zone-a",
      },
    ]);
  });

  test("conditions: not ready, terminating, publishNotReadyAddresses (podToEndpoint)", () => {
    const pods = [
      pod("ready", { ips: ["10.0.0.1"] }),
      pod("unready", { ips: ["10.0.0.2"], ready: false }),
      pod("term-ready", { ips: ["10.0.0.3"], terminating: true }),
      pod("term-unready", { ips: ["10.0.0.4"], terminating: true, ready: false }),
    ];
    const cond = (svc: Service) =>
      Object.fromEntries(run(svc, pods).create[0].endpoints.map((e) => [e.targetRef?.name, e.conditions]));
    assert.deepEqual(cond(service("a")), {
      ready: { ready: true, serving: true, terminating: false },
      unready: { ready: false, serving: false, terminating: false },
      "term-ready": { ready: false, serving: true, terminating: true },
      "term-unready": { ready: false, serving: false, terminating: true },
    });
    // publishNotReadyAddresses makes ready true regardless.
    const all = Object.values(cond(service("b", { publishNotReadyAddresses: true }))) as Array<{
      ready?: boolean;
    }>;
    for (const c of all) assert.equal(c.ready, true);
  });

  test("pods without IPs, terminal pods and pods of other labels are left out", () => {
    const pods = [
      pod("ok"),
      { ...pod("noip"), status: { phase: "Pending", conditions: [] } },
      pod("done", { phase: "Succeeded", ips: ["10.0.0.9"] }),
      pod("failed", { phase: "Failed", ips: ["10.0.0.8"] }),
    ];
    const r = run(service("web"), pods);
    assert.deepEqual(
      r.create[0].endpoints.map((e) => e.targetRef?.name),
      ["ok"],
    );
  });

  test("named targetPort is resolved per pod; pods with other ports get their own slice", () => {
    const svc = service("web", { ports: [{ name: "http", port: 80, targetPort: "web", protocol: "TCP" }] });
    const pods = [
      pod("a", { ips: ["10.0.0.1"], ports: [{ name: "web", containerPort: 8080 }] }),
      pod("b", { ips: ["10.0.0.2"], ports: [{ name: "web", containerPort: 8080 }] }),
      pod("c", { ips: ["10.0.0.3"], ports: [{ name: "web", containerPort: 9090 }] }),
      // No port named "web": listed with an empty port set.
      pod("d", { ips: ["10.0.0.4"], ports: [{ name: "other", containerPort: 1 }] }),
      // Protocol must match too.
      pod("e", { ips: ["10.0.0.5"], ports: [{ name: "web", containerPort: 7070, protocol: "UDP" }] }),
    ];
    const r = run(svc, pods);
    const byPorts = Object.fromEntries(
      r.create.map((s) => [JSON.stringify(s.ports), s.endpoints.map((e) => e.targetRef?.name).sort()]),
    );
    assert.deepEqual(byPorts, {
      [JSON.stringify([{ name: "http", port: 8080, protocol: "TCP" }])]: ["a", "b"],
      [JSON.stringify([{ name: "http", port: 9090, protocol: "TCP" }])]: ["c"],
      "[]": ["d", "e"],
    });
  });

  test("headless: hostname only when pod.spec.subdomain is the Service name; headless label", () => {
    const svc = service("nginx", { clusterIP: "None", ports: [] });
    const pods = [
      pod("web-0", { ips: ["10.0.0.1"], hostname: "web-0", subdomain: "nginx" }),
      pod("web-1", { ips: ["10.0.0.2"], hostname: "web-1", subdomain: "other" }),
      pod("web-2", { ips: ["10.0.0.3"], subdomain: "nginx" }),
    ];
    const [s] = run(svc, pods).create;
    assert.equal(s.metadata.labels?.["service.kubernetes.io/headless"], "");
    assert.deepEqual(s.ports, []);
    assert.deepEqual(
      s.endpoints.map((e) => [e.targetRef?.name, e.hostname]),
      [
        ["web-0", "web-0"],
        ["web-1", undefined],
        ["web-2", undefined],
      ],
    );
  });

  test("dual-stack: one slice per family, each with that family's addresses", () => {
    const svc = service("ds", { ipFamilies: ["IPv4", "IPv6"] });
    const r = run(svc, [pod("p", { ips: ["10.0.0.1", "fd00::1"] })]);
    const byType = Object.fromEntries(r.create.map((s) => [s.addressType, s.endpoints[0].addresses]));
    assert.deepEqual(byType, { IPv4: ["10.0.0.1"], IPv6: ["fd00::1"] });
    // Without ipFamilies the clusterIP's family decides (getAddressTypesForService).
    const legacy = run(service("v6", { ipFamilies: undefined, clusterIP: "fd00::10" }), [
      pod("p", { ips: ["10.0.0.1", "fd00::1"] }),
    ]);
    assert.deepEqual(
      legacy.create.map((s) => s.addressType),
      ["IPv6"],
    );
  });

  test("no pods: one placeholder slice, kept (not recreated) on the next sync", () => {
    const svc = service("empty");
    const r = run(svc, []);
    assert.equal(r.create.length, 1);
    assert.deepEqual(r.create[0].endpoints, []);
    assert.deepEqual(r.create[0].ports, []);
    // No trigger time, no annotations: no empty map either (Go's omitempty).
    assert.equal("annotations" in r.create[0].metadata, false);
    const again = run(svc, [], store(r.create));
    assert.deepEqual([again.create.length, again.update.length, again.delete.length], [0, 0, 0]);
  });

  test("at most 100 endpoints per slice; 250 pods → 100 + 100 + 50", () => {
    const pods = Array.from({ length: 250 }, (_, i) =>
      pod(`p${String(i).padStart(3, "0")}`, { ips: [`10.1.${i >> 8}.${i & 255}`] }),
    );
    const r = run(service("big"), pods);
    assert.deepEqual(
      r.create.map((s) => s.endpoints.length).sort((a, b) => b - a),
      [100, 100, 50],
    );
  });

  test("steady state: a second sync over the stored result writes nothing", () => {
    const svc = service("web");
    const pods = [pod("a", { ips: ["10.0.0.1"] }), pod("b", { ips: ["10.0.0.2"] })];
    const stored = store(run(svc, pods).create);
    const r = run(svc, pods, stored);
    assert.deepEqual([r.create.length, r.update.length, r.delete.length], [0, 0, 0]);
  });

  test("minimal churn: a changed pod updates its slice in place; a new pod fills the closest-to-full slice", () => {
    const svc = service("web");
    const pods = Array.from({ length: 150 }, (_, i) =>
      pod(`p${String(i).padStart(3, "0")}`, { ips: [`10.2.0.${i}`] }),
    );
    const stored = store(run(svc, pods).create);
    // p000 turns unready: only its slice is updated.
    const changed = pods.map((p, i) => (i === 0 ? pod("p000", { ips: ["10.2.0.0"], ready: false }) : p));
    const r1 = run(svc, changed, stored);
    assert.equal(r1.create.length + r1.delete.length, 0);
    assert.equal(r1.update.length, 1);
    // One more pod: it joins the 50-endpoint slice rather than a new one.
    const r2 = run(svc, [...pods, pod("new", { ips: ["10.2.1.1"] })], stored);
    assert.equal(r2.create.length, 0);
    assert.equal(r2.update.length, 1);
    assert.equal(r2.update[0].endpoints.length, 51);
  });

  test("a removed pod's slice that empties is reused by a create (finalize turns create+delete into update)", () => {
    const svc = service("web", { ports: [{ name: "http", port: 80, targetPort: "web", protocol: "TCP" }] });
    const a = pod("a", { ports: [{ name: "web", containerPort: 8080 }] });
    const stored = store(run(svc, [a]).create);
    // The pod now exposes another port number: new port set, old slice empties.
    const b = pod("a", { ports: [{ name: "web", containerPort: 9090 }] });
    const r = run(svc, [b], stored);
    assert.equal(r.create.length, 0);
    assert.equal(r.delete.length, 0);
    assert.equal(r.update.length, 1);
    assert.equal(r.update[0].metadata.name, stored[0].metadata.name);
    assert.deepEqual(r.update[0].ports, [{ name: "http", port: 9090, protocol: "TCP" }]);
  });

  test("Service label changes relabel existing slices; reserved labels on the Service are ignored", () => {
    const svc = service("web");
    const stored = store(run(svc, [pod("a")]).create);
    const relabeled = service("web", {}, { labels: { tier: "front", "kubernetes.io/service-name": "evil" } });
    const r = run(relabeled, [pod("a")], stored);
    assert.equal(r.update.length, 1);
    assert.equal(r.update[0].metadata.labels?.tier, "front");
    assert.equal(r.update[0].metadata.labels?.["kubernetes.io/service-name"], "web");
  });

  test("slices of a family the Service no longer has, or not owned by it, are deleted", () => {
    const svc = service("web");
    const stored = store(
      run(service("web", { ipFamilies: ["IPv4", "IPv6"] }), [pod("a", { ips: ["10.0.0.1", "fd00::1"] })])
        .create,
    );
    const r = run(svc, [pod("a", { ips: ["10.0.0.1", "fd00::1"] })], stored);
    assert.deepEqual(
      r.delete.map((s) => s.addressType),
      ["IPv6"],
    );
    const foreign = store(run(service("web", {}, { uid: "old-uid" }), [pod("a")]).create);
    const r2 = run(svc, [pod("a")], foreign);
    // The stale slice of an old Service with the same name is not reused: it goes, a new one comes.
    assert.equal(r2.delete.length, 1);
    assert.equal(r2.create.length, 1);
  });

  test("a pod on an unknown node is skipped and reported, unless publishNotReadyAddresses", () => {
    const pods = [pod("a", { ips: ["10.0.0.1"] }), pod("lost", { ips: ["10.0.0.2"], node: "ghost" })];
    const r = run(service("web"), pods);
    assert.deepEqual(
      r.create[0].endpoints.map((e) => e.targetRef?.name),
      ["a"],
    );
    assert.match(r.errors[0], /Node ghost Not Found/);
    const r2 = run(service("web", { publishNotReadyAddresses: true }), pods);
    assert.equal(r2.create[0].endpoints.length, 2);
    assert.equal(r2.errors.length, 0);
  });

  test("no trigger time clears the annotation; a Service being deleted gets no new slices", () => {
    const stored = store(run(service("web"), [pod("a")], [], { triggerTime: "2024-01-01T00:00:00Z" }).create);
    const r = run(service("web"), [pod("a", { ready: false })], stored);
    assert.equal(
      r.update[0].metadata.annotations?.["endpoints.kubernetes.io/last-change-trigger-time"],
      undefined,
    );
    const dying = service("web", {}, { deletionTimestamp: "2024-01-01T00:00:00Z" });
    assert.equal(run(dying, [pod("a")]).create.length, 0);
  });
});
