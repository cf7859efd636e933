/** NodePort and healthCheckNodePort allocation (kube-apiserver's storage/alloc.go and portallocator). */
import assert from "node:assert/strict";
import { after, describe, test } from "node:test";
import { StatusError } from "../../machinery/errors.ts";
import { MemoryStore } from "../../storage/memory/memory-store.ts";
import { type Fixture, markedPorts, specOf, startFixture, svc } from "./testing.ts";

const fixtures: Fixture[] = [];
async function fixture(...args: Parameters<typeof startFixture>): Promise<Fixture> {
  const f = await startFixture(...args);
  fixtures.push(f);
  return f;
}
after(() => {
  for (const f of fixtures) f.alloc.stop();
});

async function rejects(p: Promise<unknown>, code: number, message: string): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof StatusError, String(e));
    assert.equal(e.code, code);
    assert.equal(e.message, message);
    return true;
  });
}

const nodePorts = (o: Parameters<typeof specOf>[0]) => specOf(o).ports.map((p) => p.nodePort ?? 0);

describe("NodePort allocation", () => {
  test("NodePort Services get distinct ports in range, from above the static band first", async () => {
    const f = await fixture();
    const made = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        f.services.create(
          "default",
          svc(`n${i}`, {
            type: "NodePort",
            ports: [
              { name: "a", port: 80 },
              { name: "b", port: 443 },
            ],
          }),
        ),
      ),
    );
    const ports = made.flatMap(nodePorts);
    assert.equal(new Set(ports).size, 400);
    // portallocator offset for 2768 ports is 86: dynamic ports start at 30086 while those last.
    for (const p of ports) assert.ok(p >= 30086 && p <= 32767, String(p));
    assert.deepEqual(
      await markedPorts(f),
      [...ports].sort((a, b) => a - b),
    );
  });

  test("pinned ports are honoured; taken and out-of-range ones get kube's 422", async () => {
    const f = await fixture();
    const a = await f.services.create(
      "default",
      svc("a", { type: "NodePort", ports: [{ port: 80, nodePort: 30080 }] }),
    );
    assert.deepEqual(nodePorts(a), [30080]);
    await rejects(
      f.services.create("default", svc("b", { type: "NodePort", ports: [{ port: 80, nodePort: 30080 }] })),
      422,
      'Service "b" is invalid: spec.ports[0].nodePort: Invalid value: 30080: provided port is already allocated',
    );
    await rejects(
      f.services.create("default", svc("c", { type: "NodePort", ports: [{ port: 80, nodePort: 8080 }] })),
      422,
      'Service "c" is invalid: spec.ports[0].nodePort: Invalid value: 8080: provided port is not in the valid range. The range of valid ports is 30000-32767',
    );
    assert.deepEqual(await markedPorts(f), [30080]);
  });

  test("TCP and UDP of one port number share a node port", async () => {
    const f = await fixture();
    const dns = await f.services.create(
      "default",
      svc("dns", {
        type: "NodePort",
        ports: [
          { name: "dns", port: 53, protocol: "UDP" },
          { name: "dns-tcp", port: 53, protocol: "TCP" },
        ],
      }),
    );
    const [u, t] = nodePorts(dns);
    assert.equal(u, t);
    const pinned = await f.services.create(
      "default",
      svc("p", {
        type: "NodePort",
        ports: [
          { name: "u", port: 53, protocol: "UDP" },
          { name: "t", port: 53, protocol: "TCP", nodePort: 30053 },
        ],
      }),
    );
    assert.deepEqual(nodePorts(pinned), [30053, 30053]);
  });

  test("LoadBalancers get node ports unless allocateLoadBalancerNodePorts is false", async () => {
    const f = await fixture();
    const lb = await f.services.create("default", svc("lb", { type: "LoadBalancer" }));
    assert.ok((nodePorts(lb)[0] ?? 0) >= 30000);
    const none = await f.services.create(
      "default",
      svc("none", { type: "LoadBalancer", allocateLoadBalancerNodePorts: false }),
    );
    assert.deepEqual(nodePorts(none), [0]);
  });

  test("externalTrafficPolicy Local LoadBalancers get a healthCheckNodePort, freed when no longer needed", async () => {
    const f = await fixture();
    const lb = await f.services.create(
      "default",
      svc("lb", { type: "LoadBalancer", externalTrafficPolicy: "Local" }),
    );
    const hc = specOf(lb).healthCheckNodePort ?? 0;
    assert.ok(hc >= 30000 && hc <= 32767);
    assert.ok((await markedPorts(f)).includes(hc));
    const pinned = await f.services.create(
      "default",
      svc("pinned", { type: "LoadBalancer", externalTrafficPolicy: "Local", healthCheckNodePort: 31999 }),
    );
    assert.equal(specOf(pinned).healthCheckNodePort, 31999);
    // alloc.go: a taken requested health check port is an internal error.
    await rejects(
      f.services.create(
        "default",
        svc("dup", { type: "LoadBalancer", externalTrafficPolicy: "Local", healthCheckNodePort: 31999 }),
      ),
      500,
      "Internal error occurred: failed to allocate requested HealthCheck NodePort 31999: provided port is already allocated",
    );
    const cluster = await f.services.updateWith("default", "lb", (c) => ({
      ...c,
      spec: { ...c.spec, externalTrafficPolicy: "Cluster" },
    }));
    assert.equal(specOf(cluster).healthCheckNodePort, undefined);
    assert.ok(!(await markedPorts(f)).includes(hc));
  });

  test("delete and a change to ClusterIP free the ports", async () => {
    const f = await fixture();
    await f.services.create(
      "default",
      svc("a", { type: "NodePort", ports: [{ port: 80, nodePort: 30001 }] }),
    );
    await f.services.create(
      "default",
      svc("b", { type: "NodePort", ports: [{ port: 80, nodePort: 30002 }] }),
    );
    await f.services.delete("default", "a");
    const b = await f.services.updateWith("default", "b", (c) => ({
      ...c,
      spec: { ...c.spec, type: "ClusterIP", ports: [{ port: 80 }] },
    }));
    assert.deepEqual(nodePorts(b), [0]);
    assert.deepEqual(await markedPorts(f), []);
    await f.services.create(
      "default",
      svc("c", { type: "NodePort", ports: [{ port: 80, nodePort: 30001 }] }),
    );
    await f.services.create(
      "default",
      svc("d", { type: "NodePort", ports: [{ port: 80, nodePort: 30002 }] }),
    );
  });

  test("an update keeps the old ports, reserves new pinned ones and frees the dropped ones", async () => {
    const f = await fixture();
    await f.services.create(
      "default",
      svc("a", { type: "NodePort", ports: [{ name: "h", port: 80, nodePort: 30010 }] }),
    );
    // A resubmitted manifest without nodePort keeps its port (patchAllocatedValues).
    const same = await f.services.update(
      "default",
      "a",
      svc("a", { type: "NodePort", ports: [{ name: "h", port: 80 }] }),
    );
    assert.deepEqual(nodePorts(same), [30010]);
    const moved = await f.services.updateWith("default", "a", (c) => ({
      ...c,
      spec: {
        ...c.spec,
        ports: [
          { name: "h", port: 80, nodePort: 30011 },
          { name: "s", port: 443 },
        ],
      },
    }));
    const [h, s] = nodePorts(moved);
    assert.equal(h, 30011);
    assert.deepEqual(
      await markedPorts(f),
      [30011, s].sort((x, y) => x - y),
    );
  });

  test("dry runs reserve nothing (kube invents ports from 32769) but still see taken ones", async () => {
    const f = await fixture();
    await f.services.create(
      "default",
      svc("a", { type: "NodePort", ports: [{ port: 80, nodePort: 30080 }] }),
    );
    const dry = await f.services.create(
      "default",
      svc("d", {
        type: "NodePort",
        ports: [
          { name: "x", port: 80 },
          { name: "y", port: 81 },
        ],
      }),
      { dryRun: true },
    );
    assert.deepEqual(nodePorts(dry), [32769, 32770]);
    await rejects(
      f.services.create("default", svc("b", { type: "NodePort", ports: [{ port: 80, nodePort: 30080 }] }), {
        dryRun: true,
      }),
      422,
      'Service "b" is invalid: spec.ports[0].nodePort: Invalid value: 30080: provided port is already allocated',
    );
    assert.deepEqual(await markedPorts(f), [30080]);
  });

  test("a failed create leaks no port", async () => {
    const f = await fixture();
    await assert.rejects(
      f.services.create(
        "default",
        svc("bad", {
          type: "NodePort",
          sessionAffinity: "Sometimes",
          ports: [{ port: 80, nodePort: 30500 }],
        }),
      ),
    );
    // The second pinned port is taken: the first one reserved in the same write is given back.
    await f.services.create(
      "default",
      svc("a", { type: "NodePort", ports: [{ port: 80, nodePort: 30002 }] }),
    );
    await assert.rejects(
      f.services.create(
        "default",
        svc("b", {
          type: "NodePort",
          ports: [
            { name: "x", port: 80, nodePort: 30001 },
            { name: "y", port: 81, nodePort: 30002 },
          ],
        }),
      ),
    );
    assert.deepEqual(await markedPorts(f), [30002]);
  });

  test("a restart over the same store never hands out a port twice", async () => {
    const store = new MemoryStore();
    const opts = { nodePortRange: [30000, 30009] as [number, number] };
    const first = await fixture(opts, store);
    const before = await Promise.all(
      Array.from({ length: 7 }, (_, i) =>
        first.services.create("default", svc(`a${i}`, { type: "NodePort" })),
      ),
    );
    first.alloc.stop();
    const second = await fixture(opts, store);
    const afterRestart = await Promise.all(
      Array.from({ length: 3 }, (_, i) =>
        second.services.create("default", svc(`b${i}`, { type: "NodePort" })),
      ),
    );
    const all = [...before, ...afterRestart].flatMap(nodePorts);
    assert.equal(new Set(all).size, 10);
    await rejects(
      second.services.create("default", svc("full", { type: "NodePort" })),
      500,
      "Internal error occurred: failed to allocate a nodePort: range is full",
    );
  });

  test("two apiservers over one store never hand out the same port", async () => {
    const store = new MemoryStore();
    const a = await fixture({}, store);
    const b = await fixture({}, store);
    const made = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        (i % 2 ? a : b).services.create("default", svc(`s${i}`, { type: "NodePort" })),
      ),
    );
    assert.equal(new Set(made.flatMap(nodePorts)).size, 200);
  });
});
