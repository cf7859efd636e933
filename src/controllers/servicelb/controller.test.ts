import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { waitFor } from "../../../test/e2e/harness.ts";
import { startTestServer, type TestServer } from "../../../test/e2e/testserver.ts";
import { loadKubeconfig, RestClient } from "../../client/index.ts";
import { type CoreEvent, kinds } from "../framework/index.ts";
import { startServiceLBController } from "./index.ts";
import type { LBService } from "./reconciler.ts";

// Against an in-process apiserver: addresses go to status.loadBalancer.ingress through /status
// with ipMode VIP (kube 1.30+); exhaustion leaves the Service <pending> with MetalLB's
// AllocationFailed Event; deleting or retyping a Service frees its address; a restarted
// controller keeps every assignment (rebuilt from the Services' status).

let ts: TestServer;
let client: RestClient;

const services = () => client.resource<LBService>(kinds.services).namespace("default");
const pool = ["192.168.100.1/32", "192.168.100.2/32"];

function lb(name: string, spec: Record<string, unknown> = {}): LBService {
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name, namespace: "default" },
    spec: { type: "LoadBalancer", ports: [{ port: 80 }], selector: { app: name }, ...spec },
  } as LBService;
}

const ingressOf = async (name: string) => (await services().get(name)).status?.loadBalancer?.ingress;
const ipOf = async (name: string) => (await ingressOf(name))?.[0]?.ip;

function waitIP(name: string, want?: string): Promise<string> {
  return waitFor(`${name} to get ${want ?? "an address"}`, async () => {
    const ip = await ipOf(name);
    return ip !== undefined && (want === undefined || ip === want) ? ip : undefined;
  });
}

async function events(name: string): Promise<CoreEvent[]> {
  const list = await client.resource<CoreEvent>(kinds.events).namespace("default").list();
  return list.items.filter((e) => e.involvedObject.name === name);
}

function startController(cidrs = pool): { stop(): Promise<void> } {
  const ctl = new AbortController();
  const running = startServiceLBController(client, ctl.signal, { pools: cidrs });
  return {
    async stop() {
      ctl.abort();
      await running;
    },
  };
}

before(async () => {
  ts = await startTestServer();
  client = new RestClient(loadKubeconfig(ts.kubeconfig));
});
after(async () => {
  client.close();
  await ts.stop();
});

test("LoadBalancers get pool addresses; exhaustion → pending + AllocationFailed; delete frees", async () => {
  const ctl = startController();
  try {
    await services().create(lb("first"));
    assert.equal(await waitIP("first"), "192.168.100.1");
    assert.deepEqual(await ingressOf("first"), [{ ip: "192.168.100.1", ipMode: "VIP" }]);
    await services().create(lb("second"));
    assert.equal(await waitIP("second"), "192.168.100.2");

    await services().create(lb("third"));
    const failed = await waitFor("AllocationFailed", async () =>
      (await events("third")).find((e) => e.reason === "AllocationFailed"),
    );
    assert.equal(failed.type, "Warning");
    assert.equal(failed.message, 'Failed to allocate IP for "default/third": no available IPs');
    assert.equal(await ingressOf("third"), undefined);
    const allocated = await waitFor("IPAllocated", async () =>
      (await events("first")).find((e) => e.reason === "IPAllocated"),
    );
    assert.equal(allocated.message, 'Assigned IP ["192.168.100.1"]');

    // A non-LoadBalancer Service is not touched.
    await services().create(lb("plain", { type: "ClusterIP" }));

    // Deleting a LoadBalancer frees its address for the pending one.
    await services().delete("first");
    assert.equal(await waitIP("third"), "192.168.100.1");

    // Changing type frees it too (the apiserver clears the status).
    await services().patch("second", "merge", { spec: { type: "ClusterIP" } });
    await services().create(lb("fourth"));
    assert.equal(await waitIP("fourth"), "192.168.100.2");
    assert.equal(await ingressOf("second"), undefined);
    assert.equal(await ingressOf("plain"), undefined);
  } finally {
    await ctl.stop();
  }
  for (const n of ["second", "third", "fourth", "plain"]) await services().delete(n);
});

test("a restarted controller keeps every assignment and never hands one out twice", async () => {
  let ctl = startController(["192.168.200.0/29"]);
  try {
    await services().create(lb("r1"));
    await services().create(lb("r2", { loadBalancerIP: "192.168.200.6" }));
    assert.equal(await waitIP("r1"), "192.168.200.1");
    assert.equal(await waitIP("r2"), "192.168.200.6");
  } finally {
    await ctl.stop();
  }
  // Created while no controller runs; sorted first, it must still not get r1's address.
  await services().create(lb("a-late"));
  ctl = startController(["192.168.200.0/29"]);
  try {
    assert.equal(await waitIP("a-late"), "192.168.200.2");
    assert.equal(await ipOf("r1"), "192.168.200.1");
    assert.equal(await ipOf("r2"), "192.168.200.6");
    // A pinned request for a taken address stays pending.
    await services().create(lb("r4", { loadBalancerIP: "192.168.200.1" }));
    const failed = await waitFor("AllocationFailed", async () =>
      (await events("r4")).find((e) => e.reason === "AllocationFailed"),
    );
    assert.equal(failed.message, 'Failed to allocate IP for "default/r4": "192.168.200.1" is already in use');
    // Another class's LoadBalancer is someone else's to serve.
    await services().create(lb("r5", { loadBalancerClass: "example.com/other" }));
    await services().create(lb("r6"));
    assert.equal(await waitIP("r6"), "192.168.200.3");
    assert.equal(await ingressOf("r5"), undefined);
  } finally {
    await ctl.stop();
  }
});

test("a bad pool is refused before anything runs", () => {
  assert.throws(
    () => startServiceLBController(client, new AbortController().signal, { pools: ["10.0.0.0/40"] }),
    /--lb-pool: "10.0.0.0\/40" is not a CIDR/,
  );
});
