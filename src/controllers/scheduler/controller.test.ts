import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { waitFor } from "../../../test/e2e/harness.ts";
import { startTestServer, type TestServer } from "../../../test/e2e/testserver.ts";
import { loadKubeconfig, RestClient } from "../../client/index.ts";
import { kinds } from "../framework/index.ts";
import { startScheduler } from "./index.ts";
import type { Node, Pod } from "./reconciler.ts";

// kube-scheduler: binds through pods/binding (the apiserver sets spec.nodeName and
// PodScheduled=True), records Scheduled "Successfully assigned ns/pod to node"; unschedulable pods
// get PodScheduled=False/Unschedulable and FailedScheduling, and are retried when nodes change.

let ts: TestServer;
let client: RestClient;
const ctl = new AbortController();
let running: Promise<void>;

const nodes = () => client.resource<Node>(kinds.nodes);
const pods = () => client.resource<Pod>(kinds.pods).namespace("default");

async function addNode(
  name: string,
  ready: "True" | "False",
  labels: Record<string, string> = {},
): Promise<void> {
  const n = await nodes().create({ apiVersion: "v1", kind: "Node", metadata: { name, labels } });
  await nodes().updateStatus({
    ...n,
    status: {
      conditions: [
        {
          type: "Ready",
          status: ready,
          reason: "KubeletReady",
          message: "",
          lastHeartbeatTime: null,
          lastTransitionTime: null,
        },
      ],
      allocatable: { pods: "110" },
      capacity: { pods: "110" },
    },
  });
}

const newPod = (name: string, spec: Record<string, unknown> = {}): Pod => ({
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name, namespace: "default" },
  spec: { containers: [{ name: "c", image: "nginx" }], ...spec },
});

async function events(name: string) {
  const list = await client.resource(kinds.events).namespace("default").list();
  return list.items.filter((e) => e.involvedObject?.name === name);
}

before(async () => {
  ts = await startTestServer();
  client = new RestClient(loadKubeconfig(ts.kubeconfig));
  await addNode("ready-1", "True");
  await addNode("ready-2", "True");
  await addNode("sick", "False");
  running = startScheduler(client, ctl.signal, { log: () => {} });
});
after(async () => {
  ctl.abort();
  await running;
  client.close();
  await ts.stop();
});

test("pods are spread over Ready nodes only, through the binding subresource", async () => {
  const names = ["s1", "s2", "s3", "s4"];
  await Promise.all(names.map((n) => pods().create(newPod(n))));
  const bound = await waitFor("all bound", async () => {
    const ps = await Promise.all(names.map((n) => pods().get(n)));
    return ps.every((p) => p.spec?.nodeName) ? ps : undefined;
  });
  const where = bound.map((p) => p.spec?.nodeName ?? "");
  assert.ok(!where.includes("sick"), where.join(" "));
  assert.equal(where.filter((n) => n === "ready-1").length, 2, where.join(" "));
  assert.equal(where.filter((n) => n === "ready-2").length, 2, where.join(" "));
  for (const p of bound)
    assert.equal(p.status?.conditions?.find((c) => c.type === "PodScheduled")?.status, "True");
  const ev = await waitFor("Scheduled event", async () => {
    const e = (await events("s1")).filter((x) => x.reason === "Scheduled");
    return e.length > 0 ? e[0] : undefined;
  });
  assert.equal(ev.message, `Successfully assigned default/s1 to ${bound[0].spec?.nodeName}`);
  assert.equal(ev.type, "Normal");
  assert.equal(ev.source?.component, "default-scheduler");
});

test("an unschedulable pod says why, and is placed once a node fits", async () => {
  await pods().create(newPod("picky", { nodeSelector: { disk: "ssd" } }));
  const p = await waitFor("Unschedulable condition", async () => {
    const x = await pods().get("picky");
    const c = x.status?.conditions?.find((c) => c.type === "PodScheduled");
    return c?.status === "False" ? c : undefined;
  });
  assert.equal(p.reason, "Unschedulable");
  assert.equal(
    p.message,
    "0/3 nodes are available: 1 node(s) had untolerated taint {node.kubernetes.io/not-ready: }, 2 node(s) didn't match Pod's node affinity/selector. " +
      "preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.",
  );
  const failed = await waitFor("FailedScheduling", async () => {
    const e = (await events("picky")).filter((x) => x.reason === "FailedScheduling");
    return e.length > 0 ? e[0] : undefined;
  });
  assert.equal(failed.type, "Warning");
  assert.equal(failed.message, p.message);
  await nodes().patch("ready-2", "merge", { metadata: { labels: { disk: "ssd" } } });
  const placed = await waitFor("picky bound", async () => {
    const x = await pods().get("picky");
    return x.spec?.nodeName ? x : undefined;
  });
  assert.equal(placed.spec?.nodeName, "ready-2");
});

test("pods for another scheduler or already bound are left alone", async () => {
  await pods().create(newPod("mine", { schedulerName: "my-scheduler" }));
  await pods().create(newPod("pinned", { nodeName: "sick" }));
  // A later pod is scheduled, so the scheduler has seen the earlier ones.
  await pods().create(newPod("probe"));
  await waitFor("probe bound", async () => ((await pods().get("probe")).spec?.nodeName ? true : undefined));
  assert.equal((await pods().get("mine")).spec?.nodeName, undefined);
  assert.equal((await pods().get("pinned")).spec?.nodeName, "sick");
});
