import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { KubeObject } from "../../machinery/types.ts";
import { table } from "./table.ts";

// Expectations follow kube's printService / getServiceExternalIP / makePortString.
const now = new Date("2024-05-01T12:00:00Z");

function svc(spec: object, status: object = {}): KubeObject {
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name: "web", namespace: "default", creationTimestamp: "2024-04-30T12:00:00Z" },
    spec,
    status,
  };
}

describe("service table", () => {
  test("columns", () => {
    assert.deepEqual(
      table.columns.map((c) => [c.name, c.type, c.format, c.priority]),
      [
        ["Name", "string", "name", 0],
        ["Type", "string", "", 0],
        ["Cluster-IP", "string", "", 0],
        ["External-IP", "string", "", 0],
        ["Port(s)", "string", "", 0],
        ["Age", "string", "", 0],
        ["Selector", "string", "", 1],
      ],
    );
  });

  test("ClusterIP", () => {
    const o = svc({
      type: "ClusterIP",
      clusterIP: "10.96.0.10",
      clusterIPs: ["10.96.0.10"],
      ports: [
        { port: 53, protocol: "UDP" },
        { port: 53, protocol: "TCP" },
      ],
      selector: { "k8s-app": "kube-dns", app: "dns" },
    });
    assert.deepEqual(table.cells(o, now), [
      "web",
      "ClusterIP",
      "10.96.0.10",
      "<none>",
      "53/UDP,53/TCP",
      "24h",
      "app=dns,k8s-app=kube-dns",
    ]);
  });

  test("ClusterIP with externalIPs, headless and without ports or selector", () => {
    const ext = svc({
      type: "ClusterIP",
      clusterIPs: ["10.96.0.5"],
      externalIPs: ["1.2.3.4", "5.6.7.8"],
      ports: [{ port: 80, protocol: "TCP" }],
    });
    assert.equal(table.cells(ext, now)[3], "1.2.3.4,5.6.7.8");
    const headless = svc({ type: "ClusterIP", clusterIP: "None", clusterIPs: ["None"] });
    assert.deepEqual(table.cells(headless, now).slice(1, 5), ["ClusterIP", "None", "<none>", "<none>"]);
    assert.equal(table.cells(headless, now)[6], "<none>");
  });

  test("NodePort shows port:nodePort", () => {
    const o = svc({
      type: "NodePort",
      clusterIPs: ["10.96.1.1"],
      ports: [{ port: 80, nodePort: 30080, protocol: "TCP" }],
    });
    assert.deepEqual(table.cells(o, now).slice(1, 5), ["NodePort", "10.96.1.1", "<none>", "80:30080/TCP"]);
  });

  test("LoadBalancer: <pending> without ingress, sorted addresses with it, externalIPs appended", () => {
    const spec = {
      type: "LoadBalancer",
      clusterIPs: ["10.96.1.2"],
      ports: [{ port: 443, nodePort: 31443, protocol: "TCP" }],
    };
    assert.equal(table.cells(svc(spec), now)[3], "<pending>");
    const withIngress = svc(spec, {
      loadBalancer: { ingress: [{ ip: "192.0.2.20" }, { hostname: "lb.example.com" }, { ip: "192.0.2.10" }] },
    });
    // The server prints wide: the list is not clipped to 16 characters.
    assert.equal(table.cells(withIngress, now)[3], "192.0.2.10,192.0.2.20,lb.example.com");
    const both = svc(
      { ...spec, externalIPs: ["198.51.100.1"] },
      { loadBalancer: { ingress: [{ ip: "192.0.2.10" }] } },
    );
    assert.equal(table.cells(both, now)[3], "192.0.2.10,198.51.100.1");
    const extOnly = svc({ ...spec, externalIPs: ["198.51.100.1"] });
    assert.equal(table.cells(extOnly, now)[3], "198.51.100.1");
    assert.equal(table.cells(withIngress, now)[4], "443:31443/TCP");
  });

  test("ExternalName shows the external name and <none> cluster IP", () => {
    const o = svc({ type: "ExternalName", externalName: "db.example.com" });
    assert.deepEqual(table.cells(o, now).slice(1, 5), ["ExternalName", "<none>", "db.example.com", "<none>"]);
  });
});
