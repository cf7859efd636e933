/** The objects a cluster has from the start (kube-apiserver's controllers and kubeadm's CoreDNS addon). */
import assert from "node:assert/strict";
import { after, describe, test } from "node:test";
import { MemoryStore } from "../../storage/memory/memory-store.ts";
import { checkAllocationOptions } from "./index.ts";
import { type Fixture, ipAddressNames, startFixture } from "./testing.ts";

const fixtures: Fixture[] = [];
async function fixture(...args: Parameters<typeof startFixture>): Promise<Fixture> {
  const f = await startFixture(...args);
  fixtures.push(f);
  return f;
}
after(() => {
  for (const f of fixtures) f.alloc.stop();
});

const builtins = { builtinServices: true, advertiseAddress: "192.0.2.10", apiserverPort: 6443 };

describe("built-in Services", () => {
  test("`kubernetes` in default: first IP of the range, https 443 → the apiserver port", async () => {
    const f = await fixture(builtins);
    const k = await f.services.get("default", "kubernetes");
    // kubernetesservice controller: labels component=apiserver, provider=kubernetes, no selector.
    assert.deepEqual(k.metadata.labels, { component: "apiserver", provider: "kubernetes" });
    assert.equal(k.spec.clusterIP, "10.96.0.1");
    assert.equal(k.spec.type, "ClusterIP");
    assert.equal(k.spec.selector, undefined);
    assert.deepEqual(k.spec.ports, [{ name: "https", port: 443, protocol: "TCP", targetPort: 6443 }]);
    assert.ok((await ipAddressNames(f)).includes("10.96.0.1"));
  });

  test("its Endpoints and EndpointSlice point at the advertise address", async () => {
    const f = await fixture(builtins);
    const ep = await f.endpoints.get("default", "kubernetes");
    // The endpoint reconciler marks its Endpoints skip-mirror and writes the slice itself.
    assert.deepEqual(ep.metadata.labels, { "endpointslice.kubernetes.io/skip-mirror": "true" });
    assert.deepEqual(ep.subsets, [
      { addresses: [{ ip: "192.0.2.10" }], ports: [{ name: "https", port: 6443, protocol: "TCP" }] },
    ]);
    const es = await f.endpointSlices.get("default", "kubernetes");
    assert.deepEqual(es.metadata.labels, { "kubernetes.io/service-name": "kubernetes" });
    assert.equal(es.addressType, "IPv4");
    assert.deepEqual(es.endpoints, [{ addresses: ["192.0.2.10"], conditions: { ready: true } }]);
    assert.deepEqual(es.ports, [{ name: "https", port: 6443, protocol: "TCP" }]);
  });

  test("`kube-dns` in kube-system at the 10th IP with kubeadm's ports and labels", async () => {
    const f = await fixture(builtins);
    const d = await f.services.get("kube-system", "kube-dns");
    assert.equal(d.spec.clusterIP, "10.96.0.10");
    assert.deepEqual(d.spec.selector, { "k8s-app": "kube-dns" });
    assert.equal(d.metadata.labels?.["k8s-app"], "kube-dns");
    assert.equal(d.metadata.labels?.["kubernetes.io/name"], "CoreDNS");
    assert.deepEqual(
      (d.spec.ports as Array<Record<string, unknown>>).map((p) => [p.name, p.port, p.protocol, p.targetPort]),
      [
        ["dns", 53, "UDP", 53],
        ["dns-tcp", 53, "TCP", 53],
        ["metrics", 9153, "TCP", 9153],
      ],
    );
  });

  test("a restart keeps them, follows a new apiserver port and address, and adds nothing twice", async () => {
    const store = new MemoryStore();
    const f = await fixture(builtins, store);
    const before = await ipAddressNames(f);
    f.alloc.stop();
    const g = await fixture({ ...builtins, apiserverPort: 6444, advertiseAddress: "192.0.2.11" }, store);
    assert.deepEqual(await ipAddressNames(g), before);
    const k = await g.services.get("default", "kubernetes");
    assert.deepEqual(k.spec.ports, [{ name: "https", port: 443, protocol: "TCP", targetPort: 6444 }]);
    const ep = await g.endpoints.get("default", "kubernetes");
    assert.deepEqual(ep.subsets, [
      { addresses: [{ ip: "192.0.2.11" }], ports: [{ name: "https", port: 6444, protocol: "TCP" }] },
    ]);
  });

  test("a loopback advertise address gets no endpoints (kube's Endpoints validation refuses it)", async () => {
    const f = await fixture({ ...builtins, advertiseAddress: "127.0.0.1" });
    assert.equal((await f.endpoints.list("default", {})).items.length, 0);
    assert.ok(f.logs.some((l) => l.includes("may not be in the loopback range")));
    assert.equal((await f.services.get("default", "kubernetes")).spec.clusterIP, "10.96.0.1");
  });

  test("an IPv6 primary range puts both Services in IPv6", async () => {
    const f = await fixture({
      ...builtins,
      serviceCIDRs: ["fd00:10:96::/112", "10.96.0.0/12"],
      advertiseAddress: "fd00::10",
    });
    assert.equal((await f.services.get("default", "kubernetes")).spec.clusterIP, "fd00:10:96::1");
    assert.equal((await f.services.get("kube-system", "kube-dns")).spec.clusterIP, "fd00:10:96::a");
    assert.equal((await f.endpointSlices.get("default", "kubernetes")).addressType, "IPv6");
  });
});

describe("allocation options", () => {
  test("bad --service-cidr and node port ranges say what is wrong", () => {
    const ok = { serviceCIDRs: ["10.96.0.0/12"], nodePortRange: [30000, 32767] as [number, number] };
    checkAllocationOptions(ok);
    assert.throws(
      () => checkAllocationOptions({ ...ok, serviceCIDRs: ["10.96.0.1/12"] }),
      /--service-cidr: .*beyond the prefix/,
    );
    assert.throws(
      () => checkAllocationOptions({ ...ok, serviceCIDRs: ["10.0.0.0/8", "10.96.0.0/12"] }),
      /different IP families/,
    );
    assert.throws(
      () => checkAllocationOptions({ ...ok, serviceCIDRs: ["fd00::/48"] }),
      /shortest allowed IPv6 prefix/,
    );
    assert.throws(() => checkAllocationOptions({ ...ok, nodePortRange: [32767, 30000] }), /node-port-range/);
  });
});
