// Integration: the three endpoint controllers against an in-process apiserver, driven through the API.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { startTestServer, type TestServer } from "../../test/e2e/testserver.ts";
import { loadKubeconfig, RestClient } from "../client/index.ts";
import { startEndpointControllers } from "./endpoints-group.ts";
import type { EndpointSlice, Endpoints, Pod, Service } from "./endpointutil/types.ts";
import { kinds } from "./framework/index.ts";

let ts: TestServer;
let client: RestClient;
const ac = new AbortController();
let running: Promise<void>;
const failures: string[] = [];

before(async () => {
  ts = await startTestServer();
  client = new RestClient(loadKubeconfig(ts.kubeconfig));
  await client.resource(kinds.nodes).create({
    apiVersion: "v1",
    kind: "Node",
    metadata: { name: "node-1", labels: { "topology.kubernetes.io/zone": "z1" } },
  });
  running = startEndpointControllers(client, ac.signal, {
    onError: (c, key, err) => failures.push(`${c} ${key}: ${(err as Error).message}`),
  });
});
after(async () => {
  ac.abort();
  await running;
  client.close();
  await ts.stop();
});

const ns = "default";
const pods = () => client.resource<Pod>(kinds.pods).namespace(ns);
const services = () => client.resource<Service>(kinds.services).namespace(ns);
const endpoints = () => client.resource<Endpoints>(kinds.endpoints).namespace(ns);
const slices = () => client.resource<EndpointSlice>(kinds.endpointslices).namespace(ns);

async function until<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline)
      throw new Error(
        `timed out waiting for ${what} (${String(last ?? "")}; errors: ${failures.join(" | ")})`,
      );
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function makePod(
  name: string,
  ip: string,
  labels: Record<string, string>,
  extra: Partial<NonNullable<Pod["spec"]>> = {},
) {
  const p = await pods().create({
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, labels },
    spec: {
      nodeName: "node-1",
      containers: [{ name: "c", image: "nginx", ports: [{ name: "web", containerPort: 8080 }] }],
      ...extra,
    },
  } as Pod);
  await setStatus(p, ip, true);
}

async function setStatus(p: Pod, ip: string, ready: boolean) {
  const cur = await pods().get(p.metadata.name!);
  cur.status = {
    phase: "Running",
    podIP: ip,
    podIPs: [{ ip }],
    conditions: [
      {
        type: "Ready",
        status: ready ? "True" : "False",
        lastTransitionTime: new Date().toISOString().replace(/\.\d+Z$/, "Z"),
      },
    ],
  };
  await pods().updateStatus(cur);
}

const sliceOf = async (svc: string, managedBy = "endpointslice-controller.k8s.io") =>
  (await slices().list({ labelSelector: `kubernetes.io/service-name=${svc}` })).items.filter(
    (s) => s.metadata.labels?.["endpointslice.kubernetes.io/managed-by"] === managedBy,
  );

test("a Service's EndpointSlice and Endpoints follow its pods", async () => {
  await services().create({
    apiVersion: "v1",
    kind: "Service",
    metadata: { name: "web", labels: { team: "a" } },
    // ipFamilies as kube-apiserver defaults them (the controllers read them, not the allocator).
    spec: {
      selector: { app: "web" },
      ipFamilies: ["IPv4"],
      ports: [{ name: "http", port: 80, targetPort: "web" }],
    },
  } as Service);
  await makePod("web-1", "10.244.0.11", { app: "web" });
  await makePod("web-2", "10.244.0.12", { app: "web" });
  await makePod("other", "10.244.0.13", { app: "other" });

  const addrs = (s: EndpointSlice[]) =>
    s
      .flatMap((x) => x.endpoints ?? [])
      .flatMap((e) => e.addresses)
      .sort();
  let ss = await until("a slice with both pods", async () => {
    const s = await sliceOf("web");
    return addrs(s).join() === "10.244.0.11,10.244.0.12" ? s : undefined;
  });
  assert.equal(ss.length, 1);
  assert.equal(ss[0].metadata.labels?.team, "a");
  assert.deepEqual(ss[0].ports, [{ name: "http", port: 8080, protocol: "TCP" }]);
  assert.equal(ss[0].metadata.ownerReferences?.[0].kind, "Service");
  assert.equal(ss[0].endpoints[0].zone, "z1");
  assert.ok(ss[0].metadata.annotations?.["endpoints.kubernetes.io/last-change-trigger-time"]);

  const ep = await until("Endpoints with both pods", async () => {
    const e = await endpoints().get("web");
    return e.subsets?.[0]?.addresses?.length === 2 ? e : undefined;
  });
  assert.deepEqual(
    ep.subsets?.[0].addresses?.map((a) => a.ip),
    ["10.244.0.11", "10.244.0.12"],
  );
  assert.deepEqual(ep.subsets?.[0].ports, [{ name: "http", port: 8080, protocol: "TCP" }]);
  assert.equal(ep.metadata.labels?.team, "a");

  // web-1 turns unready: notReadyAddresses in Endpoints, ready=false in the slice.
  await setStatus(await pods().get("web-1"), "10.244.0.11", false);
  await until("Endpoints lists web-1 as not ready", async () => {
    const e = await endpoints().get("web");
    return e.subsets?.[0]?.notReadyAddresses?.[0]?.ip === "10.244.0.11" ? e : undefined;
  });
  await until("slice marks web-1 not ready", async () => {
    const s = await sliceOf("web");
    const e = s.flatMap((x) => x.endpoints).find((x) => x.targetRef?.name === "web-1");
    return e?.conditions.ready === false ? s : undefined;
  });

  // Deleting web-2 removes it from both.
  await pods().delete("web-2", { gracePeriodSeconds: 0 });
  ss = await until("slice without web-2", async () => {
    const s = await sliceOf("web");
    return addrs(s).join() === "10.244.0.11" ? s : undefined;
  });
  await until("Endpoints without web-2", async () => {
    const e = await endpoints().get("web");
    return (e.subsets ?? []).flatMap((x) => x.addresses ?? []).length === 0 ? e : undefined;
  });
  assert.equal(ss.length, 1, "the slice was updated in place, not replaced");

  // Deleting the Service deletes its Endpoints.
  await services().delete("web");
  await until("Endpoints gone", async () => {
    try {
      await endpoints().get("web");
      return undefined;
    } catch {
      return true;
    }
  });
});

test("a selector-less Service's hand-written Endpoints are mirrored; others' slices are left alone", async () => {
  await services().create({
    apiVersion: "v1",
    kind: "Service",
    metadata: { name: "ext" },
    spec: { ports: [{ name: "db", port: 5432 }] },
  } as Service);
  await endpoints().create({
    apiVersion: "v1",
    kind: "Endpoints",
    metadata: { name: "ext", labels: { owner: "me" } },
    subsets: [{ addresses: [{ ip: "192.0.2.1" }, { ip: "192.0.2.2" }], ports: [{ name: "db", port: 5432 }] }],
  });
  const hand: EndpointSlice = {
    apiVersion: "discovery.k8s.io/v1",
    kind: "EndpointSlice",
    metadata: { name: "ext-manual", labels: { "kubernetes.io/service-name": "ext" } },
    addressType: "IPv4",
    endpoints: [{ addresses: ["198.51.100.1"], conditions: {} }],
    ports: [{ name: "db", port: 5432 }],
  };
  await slices().create(hand);
  const mirrored = await until("a mirrored slice", async () => {
    const s = await sliceOf("ext", "endpointslicemirroring-controller.k8s.io");
    return s.length === 1 && s[0].endpoints.length === 2 ? s[0] : undefined;
  });
  assert.equal(mirrored.metadata.labels?.owner, "me");
  assert.equal(mirrored.metadata.ownerReferences?.[0].kind, "Endpoints");
  assert.deepEqual(mirrored.endpoints.map((e) => e.addresses[0]).sort(), ["192.0.2.1", "192.0.2.2"]);
  // The Endpoints controller leaves user-owned Endpoints alone; no endpointslice-controller slice appears.
  const ep = await endpoints().get("ext");
  assert.deepEqual(
    ep.subsets?.[0].addresses?.map((a) => a.ip),
    ["192.0.2.1", "192.0.2.2"],
  );
  assert.equal((await sliceOf("ext")).length, 0);
  assert.equal((await slices().get("ext-manual")).endpoints[0].addresses[0], "198.51.100.1");

  // skip-mirror removes the mirrored slice.
  ep.metadata.labels = { ...ep.metadata.labels, "endpointslice.kubernetes.io/skip-mirror": "true" };
  await endpoints().update(ep);
  await until("mirrored slice removed", async () =>
    (await sliceOf("ext", "endpointslicemirroring-controller.k8s.io")).length === 0 ? true : undefined,
  );
});
