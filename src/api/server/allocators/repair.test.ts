/** Startup and periodic repair (kube's repairip.go and portallocator/controller/repair.go). */
import assert from "node:assert/strict";
import { after, describe, test } from "node:test";
import { MemoryStore } from "../../storage/memory/memory-store.ts";
import { nodePortsKey } from "./port-allocator.ts";
import { type Fixture, ipAddressNames, markedPorts, specOf, startFixture, svc } from "./testing.ts";

const fixtures: Fixture[] = [];
async function fixture(...args: Parameters<typeof startFixture>): Promise<Fixture> {
  const f = await startFixture(...args);
  fixtures.push(f);
  return f;
}
after(() => {
  for (const f of fixtures) f.alloc.stop();
});

describe("allocation repair", () => {
  test("a Service whose IPAddress is missing gets it back", async () => {
    const f = await fixture();
    const ip = specOf(await f.services.create("default", svc("a"))).clusterIP!;
    await f.store.delete(f.ipAddresses.key("", ip));
    await f.alloc.repair.runOnce();
    const addr = await f.ipAddresses.get("", ip);
    assert.deepEqual(addr.spec, { parentRef: { resource: "services", namespace: "default", name: "a" } });
    assert.ok(f.logs.some((l) => l.startsWith("ClusterIPNotAllocated")));
    // And so a second Service cannot take it.
    await assert.rejects(f.services.create("default", svc("b", { clusterIP: ip })));
  });

  test("IPAddresses of vanished Services are released after the grace period only", async () => {
    const store = new MemoryStore();
    const f = await fixture({ ipGraceMs: 60_000 }, store);
    const ip = specOf(await f.services.create("default", svc("gone"))).clusterIP!;
    // The Service disappears without the delete hook (a crash between the two writes).
    await store.delete(f.services.key("default", "gone"));
    await f.alloc.repair.runOnce();
    assert.deepEqual(await ipAddressNames(f), [ip]);
    f.alloc.stop();
    const g = await fixture({ ipGraceMs: 0 }, store);
    assert.deepEqual(await ipAddressNames(g), []);
    // IPAddresses made by someone else are not the allocator's to release.
    await g.ipAddresses.create("", {
      metadata: { name: "10.96.5.5" },
      spec: { parentRef: { resource: "gateways", group: "example.com", name: "gw", namespace: "default" } },
    });
    await g.alloc.repair.runOnce();
    assert.deepEqual(await ipAddressNames(g), ["10.96.5.5"]);
  });

  test("leaked node ports are freed after the configured passes; held ones are marked again", async () => {
    const store = new MemoryStore();
    const f = await fixture({ portLeakPasses: 2 }, store);
    await f.services.create(
      "default",
      svc("keep", { type: "NodePort", ports: [{ port: 80, nodePort: 30100 }] }),
    );
    await f.services.create(
      "default",
      svc("gone", { type: "NodePort", ports: [{ port: 80, nodePort: 30200 }] }),
    );
    await store.delete(f.services.key("default", "gone"));
    await f.alloc.repair.runOnce();
    assert.deepEqual(await markedPorts(f), [30100, 30200]);
    await f.alloc.repair.runOnce();
    assert.deepEqual(await markedPorts(f), [30100]);
    // The bitmap itself is lost: the next pass rebuilds it from the Services.
    await store.delete(nodePortsKey);
    await f.alloc.repair.runOnce();
    assert.deepEqual(await markedPorts(f), [30100]);
  });

  test("a changed node port range is rebuilt from the Services at start", async () => {
    const store = new MemoryStore();
    const f = await fixture({}, store);
    await f.services.create(
      "default",
      svc("a", { type: "NodePort", ports: [{ port: 80, nodePort: 30005 }] }),
    );
    f.alloc.stop();
    const g = await fixture({ nodePortRange: [30000, 30099] }, store);
    assert.equal(g.alloc.ports.rangeSpec, "30000-30099");
    assert.deepEqual(await markedPorts(g), [30005]);
    await assert.rejects(
      g.services.create("default", svc("b", { type: "NodePort", ports: [{ port: 80, nodePort: 30005 }] })),
    );
  });

  test("the periodic pass puts a deleted default ServiceCIDR back and frees leaks", async () => {
    const store = new MemoryStore();
    const f = await fixture({ repairIntervalMs: 20, ipGraceMs: 0, portLeakPasses: 1 }, store);
    const ip = specOf(await f.services.create("default", svc("gone", { type: "NodePort" }))).clusterIP!;
    await store.delete(f.services.key("default", "gone"));
    await f.serviceCIDRs.delete("", "kubernetes");
    const deadline = Date.now() + 5000;
    for (;;) {
      const back = await f.serviceCIDRs.get("", "kubernetes").catch(() => undefined);
      if (back && (await ipAddressNames(f)).length === 0 && (await markedPorts(f)).length === 0) break;
      assert.ok(Date.now() < deadline, `still leaked: ${ip}`);
      await new Promise((r) => setTimeout(r, 10));
    }
    await f.services.create("default", svc("again", { clusterIP: ip }));
  });
});
