import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { KubeObject } from "../../machinery/types.ts";
import { fields } from "./fields.ts";
import { strategy } from "./strategy.ts";

const svc = (spec: KubeObject["spec"], status?: KubeObject["status"]): KubeObject => ({
  apiVersion: "v1",
  kind: "Service",
  metadata: { name: "web", namespace: "default" },
  spec,
  ...(status ? { status } : {}),
});

// pkg/apis/core/v1/defaults.go SetDefaults_Service and defaults_test.go
// (TestSetDefaultService, TestSetDefaultServiceSessionAffinityConfig,
// TestSetDefaultServiceInternalTrafficPolicy, TestSetDefaultServiceLoadbalancerIPMode).
describe("Service defaults", () => {
  test("a bare ClusterIP service", () => {
    const o = svc({ selector: { app: "web" }, ports: [{ port: 80 }] });
    strategy.defaults?.(o);
    assert.deepEqual(o.spec, {
      selector: { app: "web" },
      ports: [{ port: 80, protocol: "TCP", targetPort: 80 }],
      sessionAffinity: "None",
      type: "ClusterIP",
      internalTrafficPolicy: "Cluster",
    });
  });

  test("targetPort 0 and empty string become the port; named targetPorts stay", () => {
    const o = svc({
      ports: [
        { name: "a", port: 80, targetPort: 0 },
        { name: "b", port: 81, targetPort: "" },
        { name: "c", port: 82, targetPort: "http", protocol: "UDP" },
      ],
    });
    strategy.defaults?.(o);
    assert.deepEqual(
      o.spec.ports.map((p: { targetPort: unknown; protocol: unknown }) => [p.targetPort, p.protocol]),
      [
        [80, "TCP"],
        [81, "TCP"],
        ["http", "UDP"],
      ],
    );
  });

  test("ClientIP affinity gets a three hour timeout", () => {
    const o = svc({ sessionAffinity: "ClientIP", ports: [{ port: 80 }] });
    strategy.defaults?.(o);
    assert.deepEqual(o.spec.sessionAffinityConfig, { clientIP: { timeoutSeconds: 10800 } });
    const keep = svc({
      sessionAffinity: "ClientIP",
      sessionAffinityConfig: { clientIP: { timeoutSeconds: 60 } },
    });
    strategy.defaults?.(keep);
    assert.deepEqual(keep.spec.sessionAffinityConfig, { clientIP: { timeoutSeconds: 60 } });
  });

  test("None affinity drops any affinity config", () => {
    const o = svc({ sessionAffinityConfig: { clientIP: { timeoutSeconds: 60 } } });
    strategy.defaults?.(o);
    assert.equal(o.spec.sessionAffinity, "None");
    assert.equal(o.spec.sessionAffinityConfig, undefined);
  });

  test("externally reachable types get externalTrafficPolicy Cluster", () => {
    for (const [spec, want] of [
      [{ type: "NodePort" }, "Cluster"],
      [{ type: "LoadBalancer" }, "Cluster"],
      [{ type: "ClusterIP", externalIPs: ["192.0.2.1"] }, "Cluster"],
      [{ type: "ClusterIP" }, undefined],
      [{ type: "ExternalName", externalName: "x.example.com" }, undefined],
      [{ type: "NodePort", externalTrafficPolicy: "Local" }, "Local"],
    ] as const) {
      const o = svc({ ...spec });
      strategy.defaults?.(o);
      assert.equal(o.spec.externalTrafficPolicy, want, JSON.stringify(spec));
    }
  });

  test("internalTrafficPolicy is not defaulted for ExternalName", () => {
    const o = svc({ type: "ExternalName", externalName: "x.example.com" });
    strategy.defaults?.(o);
    assert.equal(o.spec.internalTrafficPolicy, undefined);
  });

  test("LoadBalancers allocate node ports by default and mark VIP addresses", () => {
    const o = svc(
      { type: "LoadBalancer", ports: [{ port: 80 }] },
      { loadBalancer: { ingress: [{ ip: "192.0.2.1" }] } },
    );
    strategy.defaults?.(o);
    assert.equal(o.spec.allocateLoadBalancerNodePorts, true);
    assert.equal(o.status.loadBalancer.ingress[0].ipMode, "VIP");
    const off = svc({ type: "LoadBalancer", allocateLoadBalancerNodePorts: false });
    strategy.defaults?.(off);
    assert.equal(off.spec.allocateLoadBalancerNodePorts, false);
  });
});

// pkg/registry/core/service/strategy.go and storage.go (normalizeClusterIPs, patchAllocatedValues,
// dropTypeDependentFields), strategy_test.go TestDropTypeDependentFields.
describe("Service preparation", () => {
  test("create clears status and mirrors clusterIP into clusterIPs", () => {
    const o = svc(
      { clusterIP: "10.0.0.5", ports: [{ port: 80 }] },
      { loadBalancer: { ingress: [{ ip: "1.1.1.1" }] } },
    );
    strategy.prepareForCreate?.(o);
    assert.deepEqual(o.status, { loadBalancer: {} });
    assert.deepEqual(o.spec.clusterIPs, ["10.0.0.5"]);
  });

  test("update keeps old status; status update keeps old spec", () => {
    const old = svc(
      { type: "LoadBalancer" },
      { loadBalancer: { ingress: [{ ip: "192.0.2.1", ipMode: "VIP" }] } },
    );
    const n = svc({ type: "LoadBalancer" }, { loadBalancer: {} });
    strategy.prepareForUpdate?.(n, old);
    assert.deepEqual(n.status, old.status);
    const st = svc({ type: "NodePort" }, { loadBalancer: { ingress: [{ ip: "192.0.2.9" }] } });
    strategy.prepareForStatusUpdate?.(st, old);
    assert.deepEqual(st.spec, old.spec);
    assert.deepEqual(st.status, { loadBalancer: { ingress: [{ ip: "192.0.2.9" }] } });
  });

  test("node ports the client left out are kept, matched by port name", () => {
    const old = svc({
      type: "NodePort",
      ports: [
        { name: "http", port: 80, nodePort: 30080 },
        { name: "https", port: 443, nodePort: 30443 },
      ],
    });
    const n = svc({
      type: "NodePort",
      ports: [
        { name: "https", port: 443 },
        { name: "http", port: 80 },
      ],
    });
    strategy.prepareForUpdate?.(n, old);
    assert.deepEqual(
      n.spec.ports.map((p: { nodePort: number }) => p.nodePort),
      [30443, 30080],
    );
  });

  test("NodePort to ClusterIP drops unchanged node ports; LoadBalancer to ClusterIP drops LB fields", () => {
    const old = svc({
      type: "LoadBalancer",
      allocateLoadBalancerNodePorts: true,
      externalTrafficPolicy: "Cluster",
      ports: [{ port: 80, nodePort: 30080 }],
    });
    const n = svc({
      type: "ClusterIP",
      allocateLoadBalancerNodePorts: true,
      externalTrafficPolicy: "Cluster",
      ports: [{ port: 80, nodePort: 30080 }],
    });
    strategy.defaults?.(n);
    strategy.prepareForUpdate?.(n, old);
    assert.equal(n.spec.ports[0].nodePort, undefined);
    assert.equal(n.spec.allocateLoadBalancerNodePorts, undefined);
    assert.equal(n.spec.externalTrafficPolicy, undefined);
    assert.deepEqual(strategy.validate(n), []);
  });

  test("a new node port on a type change is left for validation to refuse", () => {
    const old = svc({ type: "NodePort", ports: [{ port: 80, nodePort: 30080 }] });
    const n = svc({ type: "ClusterIP", ports: [{ port: 80, nodePort: 30081 }] });
    strategy.defaults?.(n);
    strategy.prepareForUpdate?.(n, old);
    assert.equal(n.spec.ports[0].nodePort, 30081);
    assert.equal(strategy.validate(n)[0]?.field, "spec.ports[0].nodePort");
  });
});

// pkg/registry/core/service/strategy.go SelectableFields: spec.clusterIP and spec.type.
describe("Service field selectors", () => {
  test("spec.clusterIP and spec.type", () => {
    assert.deepEqual(Object.keys(fields).sort(), ["spec.clusterIP", "spec.type"]);
    const o = svc({ clusterIP: "None", type: "ClusterIP" });
    assert.equal(fields["spec.clusterIP"](o), "None");
    assert.equal(fields["spec.type"](o), "ClusterIP");
    assert.equal(fields["spec.clusterIP"](svc({})), "");
  });
});
