/** ClusterIP allocation through the Service registry (kube-apiserver's storage/alloc.go rules). */
import assert from "node:assert/strict";
import { after, describe, test } from "node:test";
import { StatusError } from "../../machinery/errors.ts";
import { MemoryStore } from "../../storage/memory/memory-store.ts";
import { parseIP } from "./ipnet.ts";
import { type Fixture, ipAddressNames, specOf, startFixture, svc } from "./testing.ts";

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

describe("ClusterIP allocation", () => {
  test("the default ServiceCIDR `kubernetes` is created from the options and Ready", async () => {
    const f = await fixture();
    const sc = await f.serviceCIDRs.get("", "kubernetes");
    assert.deepEqual(sc.spec, { cidrs: ["10.96.0.0/12"] });
    const cond = (sc.status as { conditions: Array<Record<string, string>> }).conditions[0];
    assert.equal(cond.type, "Ready");
    assert.equal(cond.status, "True");
    // defaultservicecidr controller's message.
    assert.equal(cond.message, "Kubernetes default Service CIDR is ready");
  });

  test("a ClusterIP Service gets a dynamic IP from the upper band, an IPAddress and single-stack defaults", async () => {
    const f = await fixture();
    const out = await f.services.create("default", svc("web"));
    const s = specOf(out);
    assert.equal(s.clusterIPs?.[0], s.clusterIP);
    assert.deepEqual(s.ipFamilies, ["IPv4"]);
    assert.equal(s.ipFamilyPolicy, "SingleStack");
    // KEP-3070: dynamic IPs come from above first + offset (10.96.0.1 + 256).
    const v = parseIP(s.clusterIP ?? "")!.value;
    assert.ok(v >= parseIP("10.96.1.1")!.value && v <= parseIP("10.111.255.254")!.value, s.clusterIP);
    const ip = await f.ipAddresses.get("", s.clusterIP!);
    assert.deepEqual(ip.metadata.labels, {
      "ipaddress.kubernetes.io/ip-family": "IPv4",
      "ipaddress.kubernetes.io/managed-by": "ipallocator.k8s.io",
    });
    assert.deepEqual(ip.spec, { parentRef: { resource: "services", namespace: "default", name: "web" } });
  });

  test("1,000 concurrent creates get 1,000 distinct IPs, each with its IPAddress", async () => {
    const f = await fixture();
    const made = await Promise.all(
      Array.from({ length: 1000 }, (_, i) => f.services.create("default", svc(`s${i}`))),
    );
    const ips = made.map((o) => specOf(o).clusterIP ?? "");
    assert.equal(new Set(ips).size, 1000);
    assert.deepEqual(await ipAddressNames(f), [...ips].sort());
  });

  test("a pinned IP is honoured; a taken one and one outside every CIDR get kube's 422", async () => {
    const f = await fixture();
    const dns = await f.services.create("default", svc("dns", { clusterIP: "10.96.0.10" }));
    assert.deepEqual(specOf(dns).clusterIPs, ["10.96.0.10"]);
    // alloc.go allocIPs: field spec.clusterIPs, the list as value, "failed to allocate IP <ip>: <err>".
    await rejects(
      f.services.create("default", svc("again", { clusterIP: "10.96.0.10" })),
      422,
      'Service "again" is invalid: spec.clusterIPs: Invalid value: ["10.96.0.10"]: failed to allocate IP 10.96.0.10: provided IP is already allocated',
    );
    // MetaAllocator: no ServiceCIDR contains the IP (kube 1.33 answers ErrMismatchedNetwork).
    await rejects(
      f.services.create("default", svc("far", { clusterIP: "192.168.0.10" })),
      422,
      'Service "far" is invalid: spec.clusterIPs: Invalid value: ["192.168.0.10"]: failed to allocate IP 192.168.0.10: the provided network does not match the current range',
    );
    // Inside the CIDR but not allocatable (network address): ErrNotInRange.
    await rejects(
      f.services.create("default", svc("net", { clusterIP: "10.96.0.0" })),
      422,
      'Service "net" is invalid: spec.clusterIPs: Invalid value: ["10.96.0.0"]: failed to allocate IP 10.96.0.0: the provided IP (10.96.0.0) is not in the valid range. The range of valid IPs is 10.96.0.0/12',
    );
    assert.deepEqual(await ipAddressNames(f), ["10.96.0.10"]);
  });

  test("headless and ExternalName Services get no IP; families follow kube's headless rules", async () => {
    const f = await fixture();
    const h = specOf(await f.services.create("default", svc("h", { clusterIP: "None" })));
    assert.deepEqual(h.clusterIPs, ["None"]);
    assert.equal(h.ipFamilyPolicy, "SingleStack");
    assert.deepEqual(h.ipFamilies, ["IPv4"]);
    // Headless without a selector defaults to RequireDualStack and lists both families.
    const bare = svc("bare", { clusterIP: "None" });
    delete (bare.spec as Record<string, unknown>).selector;
    const b = specOf(await f.services.create("default", bare));
    assert.equal(b.ipFamilyPolicy, "RequireDualStack");
    assert.deepEqual(b.ipFamilies, ["IPv4", "IPv6"]);
    const x = await f.services.create("default", {
      ...svc("ext", { type: "ExternalName", externalName: "db.example.com" }),
    });
    assert.equal(specOf(x).clusterIP, undefined);
    assert.equal(specOf(x).ipFamilies, undefined);
    assert.deepEqual(await ipAddressNames(f), []);
  });

  test("RequireDualStack or an IPv6 family on an IPv4-only cluster is refused", async () => {
    const f = await fixture();
    await rejects(
      f.services.create("default", svc("d", { ipFamilyPolicy: "RequireDualStack" })),
      422,
      'Service "d" is invalid: spec.ipFamilyPolicy: Invalid value: "RequireDualStack": this cluster is not configured for dual-stack services',
    );
    await rejects(
      f.services.create("default", svc("six", { ipFamilies: ["IPv6"] })),
      422,
      'Service "six" is invalid: spec.ipFamilies[0]: Invalid value: "IPv6": not configured on this cluster',
    );
    // PreferDualStack quietly stays single-stack.
    const p = specOf(await f.services.create("default", svc("p", { ipFamilyPolicy: "PreferDualStack" })));
    assert.deepEqual(p.ipFamilies, ["IPv4"]);
    assert.equal(p.clusterIPs?.length, 1);
  });

  test("dual-stack with an IPv4 and an IPv6 CIDR", async () => {
    const f = await fixture({ serviceCIDRs: ["10.96.0.0/16", "fd00:10:96::/112"] });
    assert.deepEqual((await f.serviceCIDRs.get("", "kubernetes")).spec, {
      cidrs: ["10.96.0.0/16", "fd00:10:96::/112"],
    });
    const d = specOf(await f.services.create("default", svc("d", { ipFamilyPolicy: "PreferDualStack" })));
    assert.deepEqual(d.ipFamilies, ["IPv4", "IPv6"]);
    assert.equal(d.clusterIPs?.length, 2);
    assert.equal(parseIP(d.clusterIPs![0])?.family, "IPv4");
    assert.equal(parseIP(d.clusterIPs![1])?.family, "IPv6");
    const six = specOf(
      await f.services.create(
        "default",
        svc("six", { ipFamilies: ["IPv6", "IPv4"], ipFamilyPolicy: "RequireDualStack" }),
      ),
    );
    assert.equal(parseIP(six.clusterIP!)?.family, "IPv6");
    assert.equal(six.clusterIPs?.length, 2);
    // Upgrade a single-stack Service in place; downgrade frees the secondary IP once stored.
    const single = await f.services.create("default", svc("up"));
    const up = await f.services.updateWith("default", "up", (c) => ({
      ...c,
      spec: { ...c.spec, ipFamilyPolicy: "RequireDualStack" },
    }));
    assert.equal(specOf(up).clusterIPs?.length, 2);
    assert.equal(specOf(up).clusterIP, specOf(single).clusterIP);
    const second = specOf(up).clusterIPs![1];
    assert.ok((await ipAddressNames(f)).includes(second));
    await f.services.updateWith("default", "up", (c) => ({
      ...c,
      spec: { ...c.spec, ipFamilyPolicy: "SingleStack" },
    }));
    assert.ok(!(await ipAddressNames(f)).includes(second));
  });

  test("delete and a type change to ExternalName free the IP", async () => {
    const f = await fixture();
    const a = specOf(await f.services.create("default", svc("a"))).clusterIP!;
    const b = specOf(await f.services.create("default", svc("b"))).clusterIP!;
    await f.services.delete("default", "a");
    await f.services.updateWith("default", "b", (c) => ({
      ...c,
      spec: { type: "ExternalName", externalName: "example.com", ports: [{ port: 80 }] },
    }));
    assert.deepEqual(await ipAddressNames(f), []);
    // Freed IPs can be pinned again.
    await f.services.create("default", svc("a2", { clusterIP: a }));
    await f.services.create("default", svc("b2", { clusterIP: b }));
    // ExternalName → ClusterIP allocates again.
    const back = await f.services.updateWith("default", "b", (c) => ({
      ...c,
      spec: { type: "ClusterIP", selector: { app: "b" }, ports: [{ port: 80 }] },
    }));
    assert.ok(specOf(back).clusterIP);
    assert.equal((await ipAddressNames(f)).length, 3);
  });

  test("dry runs allocate nothing (kube shows the network address as the IP)", async () => {
    const f = await fixture();
    const dry = await f.services.create("default", svc("d"), { dryRun: true });
    assert.equal(specOf(dry).clusterIP, "10.96.0.0");
    const pinned = await f.services.create("default", svc("p", { clusterIP: "10.96.0.20" }), {
      dryRun: true,
    });
    assert.equal(specOf(pinned).clusterIP, "10.96.0.20");
    assert.deepEqual(await ipAddressNames(f), []);
    await f.services.create("default", svc("real"));
    await f.services.updateWith(
      "default",
      "real",
      (c) => ({ ...c, spec: { ...c.spec, type: "ExternalName", externalName: "x.example" } }),
      { dryRun: true },
    );
    assert.equal((await ipAddressNames(f)).length, 1);
  });

  test("a create that fails validation after allocation leaks nothing", async () => {
    const f = await fixture();
    await assert.rejects(
      f.services.create(
        "default",
        svc("bad", { clusterIP: "10.96.0.30", ports: [{ port: 80, name: "Bad_Name" }] }),
      ),
      (e: unknown) => e instanceof StatusError && e.code === 422,
    );
    await assert.rejects(f.services.create("default", svc("bad2", { ports: [{ port: 0 }] })));
    assert.deepEqual(await ipAddressNames(f), []);
  });

  test("a restart over the same store never hands out an IP twice", async () => {
    const store = new MemoryStore();
    // A /28 has 14 usable addresses.
    const opts = { serviceCIDRs: ["10.0.0.0/28"] };
    const first = await fixture(opts, store);
    const before = await Promise.all(
      Array.from({ length: 10 }, (_, i) => first.services.create("default", svc(`a${i}`))),
    );
    first.alloc.stop();
    const second = await fixture(opts, store);
    const afterRestart = await Promise.all(
      Array.from({ length: 4 }, (_, i) => second.services.create("default", svc(`b${i}`))),
    );
    const all = [...before, ...afterRestart].map((o) => specOf(o).clusterIP);
    assert.equal(new Set(all).size, 14);
    await rejects(
      second.services.create("default", svc("full")),
      500,
      "Internal error occurred: failed to allocate a serviceIP: range is full",
    );
  });

  test("two apiservers over one store never hand out the same IP", async () => {
    const store = new MemoryStore();
    const opts = { serviceCIDRs: ["10.0.0.0/24"] };
    const a = await fixture(opts, store);
    const b = await fixture(opts, store);
    const made = await Promise.all(
      Array.from({ length: 200 }, (_, i) => (i % 2 ? a : b).services.create("default", svc(`s${i}`))),
    );
    assert.equal(new Set(made.map((o) => specOf(o).clusterIP)).size, 200);
  });

  test("an extra ServiceCIDR extends the pool", async () => {
    const f = await fixture({ serviceCIDRs: ["10.0.0.0/30"] });
    await f.services.create("default", svc("one"));
    await f.services.create("default", svc("two"));
    await assert.rejects(f.services.create("default", svc("three")));
    await f.serviceCIDRs.create("", {
      apiVersion: "networking.k8s.io/v1",
      kind: "ServiceCIDR",
      metadata: { name: "extra" },
      spec: { cidrs: ["10.0.1.0/30"] },
    });
    const deadline = Date.now() + 5000;
    for (;;) {
      try {
        const s = await f.services.create("default", svc("three"));
        assert.match(specOf(s).clusterIP ?? "", /^10\.0\.1\.[12]$/);
        break;
      } catch (e) {
        if (Date.now() > deadline) throw e;
        await new Promise((r) => setImmediate(r));
      }
    }
  });
});
