import assert from "node:assert/strict";
import { test } from "node:test";
import { AddressPool } from "./pool.ts";
import { type Decision, type LBService, reconcile, restore } from "./reconciler.ts";

// Expectations follow MetalLB's controller/service.go (convergeBalancer, allocateIPs) and
// internal/allocator/allocator.go (lowest free address, "no available IPs", "… is not allowed in
// config"), and kube's LoadBalancerIngress with ipMode VIP (KEP-1860, on by default since 1.30).

type Spec = NonNullable<LBService["spec"]>;

function svc(
  name: string,
  spec: Partial<Spec> = {},
  ingress?: string[],
  created = "2024-01-01T00:00:00Z",
): LBService {
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name, namespace: "default", creationTimestamp: created },
    spec: {
      type: "LoadBalancer",
      clusterIP: "10.96.0.10",
      clusterIPs: ["10.96.0.10"],
      ipFamilies: ["IPv4"],
      ...spec,
    },
    status: { loadBalancer: ingress ? { ingress: ingress.map((ip) => ({ ip, ipMode: "VIP" })) } : {} },
  };
}

const dual = { clusterIPs: ["10.96.0.10", "fd00:96::10"], ipFamilies: ["IPv4", "IPv6"] };
const ips = (d: Decision) => d.ingress?.map((i) => i.ip);
const reasons = (d: Decision) => d.events.map((e) => `${e.reason}: ${e.message}`);

interface Case {
  name: string;
  pool: string[];
  /** Addresses already held, by owner key. */
  held?: Record<string, string[]>;
  svc: LBService | undefined;
  ingress: string[] | undefined;
  events: string[];
  pending?: boolean;
  /** What the Service holds afterwards. */
  holds?: string[];
}

const cases: Case[] = [
  {
    name: "a new LoadBalancer gets the lowest free address as a VIP",
    pool: ["192.168.1.0/24"],
    svc: svc("a"),
    ingress: ["192.168.1.1"],
    events: ['IPAllocated: Assigned IP ["192.168.1.1"]'],
    holds: ["192.168.1.1"],
  },
  {
    name: "an address already shown and held: nothing to write",
    pool: ["192.168.1.0/24"],
    held: { "default/a": ["192.168.1.7"] },
    svc: svc("a", {}, ["192.168.1.7"]),
    ingress: undefined,
    events: [],
    holds: ["192.168.1.7"],
  },
  {
    name: "status without ipMode is rewritten with ipMode VIP",
    pool: ["192.168.1.0/24"],
    held: { "default/a": ["192.168.1.7"] },
    svc: { ...svc("a"), status: { loadBalancer: { ingress: [{ ip: "192.168.1.7" }] } } },
    ingress: ["192.168.1.7"],
    events: [],
  },
  {
    name: "spec.loadBalancerIP in the pool and free is honoured",
    pool: ["192.168.1.0/24"],
    svc: svc("a", { loadBalancerIP: "192.168.1.200" }),
    ingress: ["192.168.1.200"],
    events: ['IPAllocated: Assigned IP ["192.168.1.200"]'],
  },
  {
    name: "spec.loadBalancerIP outside the pool: pending, AllocationFailed",
    pool: ["192.168.1.0/24"],
    svc: svc("a", { loadBalancerIP: "10.0.0.1" }),
    ingress: undefined,
    events: ['AllocationFailed: Failed to allocate IP for "default/a": "10.0.0.1" is not allowed in config'],
    pending: true,
    holds: [],
  },
  {
    name: "spec.loadBalancerIP held by another Service: pending",
    pool: ["192.168.1.0/24"],
    held: { "default/b": ["192.168.1.9"] },
    svc: svc("a", { loadBalancerIP: "192.168.1.9" }),
    ingress: undefined,
    events: ['AllocationFailed: Failed to allocate IP for "default/a": "192.168.1.9" is already in use'],
    pending: true,
  },
  {
    name: "a changed spec.loadBalancerIP moves the Service to the new address",
    pool: ["192.168.1.0/24"],
    held: { "default/a": ["192.168.1.3"] },
    svc: svc("a", { loadBalancerIP: "192.168.1.4" }, ["192.168.1.3"]),
    ingress: ["192.168.1.4"],
    events: ['IPAllocated: Assigned IP ["192.168.1.4"]'],
    holds: ["192.168.1.4"],
  },
  {
    name: "spec.loadBalancerIP of the wrong family",
    pool: ["192.168.1.0/24", "fd00::/120"],
    svc: svc("a", { loadBalancerIP: "fd00::5" }),
    ingress: undefined,
    events: [
      'AllocationFailed: Failed to allocate IP for "default/a": requested loadBalancer IP(s) ["fd00::5"] does not match the ipFamily of the service',
    ],
    pending: true,
  },
  {
    name: "an exhausted pool leaves the Service pending with AllocationFailed",
    pool: ["192.168.1.1/32"],
    held: { "default/b": ["192.168.1.1"] },
    svc: svc("a"),
    ingress: undefined,
    events: ['AllocationFailed: Failed to allocate IP for "default/a": no available IPs'],
    pending: true,
  },
  {
    name: "a pool without the Service's family",
    pool: ["fd00::/120"],
    svc: svc("a"),
    ingress: undefined,
    events: [
      'AllocationFailed: Failed to allocate IP for "default/a": no available IPs in pool for IPv4 IPFamily',
    ],
    pending: true,
  },
  {
    name: "dual-stack: one address per family, in ipFamilies order",
    pool: ["fd00::/120", "192.168.1.0/24"],
    svc: svc("a", { ...dual, ipFamilyPolicy: "RequireDualStack" }),
    ingress: ["192.168.1.1", "fd00::"],
    events: ['IPAllocated: Assigned IP ["192.168.1.1" "fd00::"]'],
  },
  {
    name: "IPv6-primary dual-stack lists IPv6 first",
    pool: ["192.168.1.0/24", "fd00::/120"],
    svc: svc("a", { clusterIPs: ["fd00:96::10", "10.96.0.10"], ipFamilies: ["IPv6", "IPv4"] }),
    ingress: ["fd00::", "192.168.1.1"],
    events: ['IPAllocated: Assigned IP ["fd00::" "192.168.1.1"]'],
  },
  {
    name: "RequireDualStack without an IPv6 pool: pending, nothing held",
    pool: ["192.168.1.0/24"],
    svc: svc("a", { ...dual, ipFamilyPolicy: "RequireDualStack" }),
    ingress: undefined,
    events: [
      'AllocationFailed: Failed to allocate IP for "default/a": no available IPs in pool for IPv6 IPFamily',
    ],
    pending: true,
    holds: [],
  },
  {
    name: "PreferDualStack settles for the family the pool has",
    pool: ["192.168.1.0/24"],
    svc: svc("a", { ...dual, ipFamilyPolicy: "PreferDualStack" }),
    ingress: ["192.168.1.1"],
    events: ['IPAllocated: Assigned IP ["192.168.1.1"]'],
  },
  {
    name: "going from dual-stack to single-stack frees the secondary family's address",
    pool: ["192.168.1.0/24", "fd00::/120"],
    held: { "default/a": ["192.168.1.1", "fd00::"] },
    svc: svc("a", {}, ["192.168.1.1", "fd00::"]),
    ingress: ["192.168.1.1"],
    events: [],
    holds: ["192.168.1.1"],
  },
  {
    name: "a Service of another loadBalancerClass is left alone",
    pool: ["192.168.1.0/24"],
    svc: svc("a", { loadBalancerClass: "example.com/other" }, ["203.0.113.5"]),
    ingress: undefined,
    events: [],
    holds: [],
  },
  {
    name: "a ClusterIP Service gets nothing",
    pool: ["192.168.1.0/24"],
    svc: svc("a", { type: "ClusterIP" }),
    ingress: undefined,
    events: [],
  },
  {
    name: "a former LoadBalancer frees its address and loses the status we gave it",
    pool: ["192.168.1.0/24"],
    held: { "default/a": ["192.168.1.1"] },
    svc: svc("a", { type: "NodePort" }, ["192.168.1.1"]),
    ingress: [],
    events: [],
    holds: [],
  },
  {
    name: "a deleted Service frees its address",
    pool: ["192.168.1.0/24"],
    held: { "default/a": ["192.168.1.1"] },
    svc: undefined,
    ingress: undefined,
    events: [],
    holds: [],
  },
  {
    name: "a terminating Service keeps its address until it is gone",
    pool: ["192.168.1.0/24"],
    held: { "default/a": ["192.168.1.1"] },
    svc: {
      ...svc("a", {}, ["192.168.1.1"]),
      metadata: { name: "a", namespace: "default", deletionTimestamp: "x" },
    },
    ingress: undefined,
    events: [],
    holds: ["192.168.1.1"],
  },
  {
    name: "a status address outside the pool (pool changed) is replaced",
    pool: ["192.168.2.0/24"],
    svc: svc("a", {}, ["192.168.1.1"]),
    ingress: ["192.168.2.1"],
    events: ['IPAllocated: Assigned IP ["192.168.2.1"]'],
  },
  {
    name: "a status address another Service holds is replaced, not shared",
    pool: ["192.168.1.0/24"],
    held: { "default/b": ["192.168.1.1"] },
    svc: svc("a", {}, ["192.168.1.1"]),
    ingress: ["192.168.1.2"],
    events: ['IPAllocated: Assigned IP ["192.168.1.2"]'],
  },
  {
    name: "exhaustion clears an address the status shows but the Service cannot keep",
    pool: ["192.168.1.1/32"],
    held: { "default/b": ["192.168.1.1"] },
    svc: svc("a", {}, ["192.168.1.1"]),
    ingress: [],
    events: ['AllocationFailed: Failed to allocate IP for "default/a": no available IPs'],
    pending: true,
  },
  {
    name: "no cluster IP yet: wait",
    pool: ["192.168.1.0/24"],
    svc: svc("a", { clusterIP: undefined, clusterIPs: undefined, ipFamilies: undefined }),
    ingress: undefined,
    events: [],
  },
];

for (const c of cases) {
  test(c.name, () => {
    const pool = new AddressPool(c.pool);
    for (const [owner, addrs] of Object.entries(c.held ?? {}))
      for (const a of addrs) assert.equal(pool.assign(owner, a), "ok");
    const d = reconcile(pool, "default/a", c.svc);
    assert.deepEqual(ips(d), c.ingress);
    if (d.ingress?.length) assert.ok(d.ingress.every((i) => i.ipMode === "VIP"));
    assert.deepEqual(reasons(d), c.events);
    assert.equal(d.pending, c.pending ?? false);
    if (c.holds) assert.deepEqual(pool.addressesOf("default/a").sort(), [...c.holds].sort());
  });
}

test("restore keeps each Service's addresses; the older one wins a shared claim", () => {
  const pool = new AddressPool(["192.168.1.0/24"]);
  restore(pool, [
    { key: "default/new", svc: svc("new", {}, ["192.168.1.5"], "2024-02-01T00:00:00Z") },
    { key: "default/old", svc: svc("old", {}, ["192.168.1.5"], "2024-01-01T00:00:00Z") },
    { key: "default/b", svc: svc("b", {}, ["192.168.1.1"]) },
    { key: "default/other", svc: svc("other", { loadBalancerClass: "x/y" }, ["192.168.1.2"]) },
  ]);
  assert.equal(pool.ownerOf("192.168.1.5"), "default/old");
  assert.equal(pool.ownerOf("192.168.1.1"), "default/b");
  assert.equal(pool.ownerOf("192.168.1.2"), undefined);
  // The loser gets a fresh address: never the one restored for someone else.
  const d = reconcile(pool, "default/new", svc("new", {}, ["192.168.1.5"]));
  assert.deepEqual(ips(d), ["192.168.1.2"]);
});
