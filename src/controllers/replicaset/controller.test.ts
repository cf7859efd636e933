import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { waitFor } from "../../../test/e2e/harness.ts";
import { startTestServer, type TestServer } from "../../../test/e2e/testserver.ts";
import { loadKubeconfig, RestClient } from "../../client/index.ts";
import { startWorkloadControllers } from "../deployment/index.ts";
import { kinds } from "../framework/index.ts";
import { controllerRefOf, type Pod } from "./podutil.ts";
import type { ReplicaOwner } from "./reconciler.ts";

// kube's ReplicaSet controller (also run for ReplicationControllers) through the apiserver:
// adoption of matching orphans, release of pods that stop matching, scale-down preference and
// the SuccessfulCreate / SuccessfulDelete events with kube's messages.

let ts: TestServer;
let client: RestClient;
const ctl = new AbortController();
let running: Promise<void>;
const ns = "default";

const replicaSets = () => client.resource<ReplicaOwner>(kinds.replicasets).namespace(ns);
const rcs = () => client.resource<ReplicaOwner>(kinds.replicationcontrollers).namespace(ns);
const pods = () => client.resource<Pod>(kinds.pods).namespace(ns);

before(async () => {
  ts = await startTestServer();
  client = new RestClient(loadKubeconfig(ts.kubeconfig));
  running = startWorkloadControllers(client, ctl.signal);
});
after(async () => {
  ctl.abort();
  await running;
  client.close();
  await ts.stop();
});

const template = (app: string) => ({
  metadata: { labels: { app } },
  spec: { containers: [{ name: "c", image: "nginx" }] },
});

async function owned(uid: string): Promise<Pod[]> {
  return (await pods().list()).items.filter(
    (p) => controllerRefOf(p)?.uid === uid && !p.metadata.deletionTimestamp,
  );
}

async function events(name: string): Promise<string[]> {
  const list = await client.resource(kinds.events).namespace(ns).list();
  return list.items.filter((e) => e.involvedObject?.name === name).map((e) => `${e.reason}: ${e.message}`);
}

test("a ReplicaSet adopts a matching orphan, creates the rest, releases a pod that stops matching", async () => {
  await pods().create({
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: "stray", labels: { app: "rs1" } },
    spec: template("rs1").spec,
  });
  const rs = await replicaSets().create({
    apiVersion: "apps/v1",
    kind: "ReplicaSet",
    metadata: { name: "rs1" },
    spec: { replicas: 2, selector: { matchLabels: { app: "rs1" } }, template: template("rs1") },
  });
  const uid = rs.metadata.uid!;
  const two = await waitFor("2 owned pods", async () => {
    const l = await owned(uid);
    return l.length === 2 ? l : undefined;
  });
  assert.ok(
    two.some((p) => p.metadata.name === "stray"),
    "the orphan was adopted",
  );
  const stray = two.find((p) => p.metadata.name === "stray")!;
  assert.deepEqual(stray.metadata.ownerReferences, [
    {
      apiVersion: "apps/v1",
      kind: "ReplicaSet",
      name: "rs1",
      uid,
      controller: true,
      blockOwnerDeletion: true,
    },
  ]);
  const created = two.find((p) => p.metadata.name !== "stray")!;
  assert.match(created.metadata.name!, /^rs1-[a-z0-9]{5}$/);

  // Relabel: released (no owner left) and replaced.
  await pods().patch("stray", "merge", { metadata: { labels: { app: "elsewhere" } } });
  await waitFor("stray released", async () =>
    (await pods().get("stray")).metadata.ownerReferences ? undefined : true,
  );
  const after = await waitFor("a replacement", async () => {
    const l = await owned(uid);
    return l.length === 2 && !l.some((p) => p.metadata.name === "stray") ? l : undefined;
  });
  const st = await waitFor("status", async () => {
    const cur = await replicaSets().get("rs1");
    return cur.status?.replicas === 2 && cur.status?.observedGeneration === cur.metadata.generation
      ? cur.status
      : undefined;
  });
  assert.equal(st.fullyLabeledReplicas, 2);
  const ev = await waitFor("create events", async () => {
    const e = await events("rs1");
    return e.length >= 2 ? e : undefined;
  });
  for (const p of after)
    assert.ok(ev.includes(`SuccessfulCreate: Created pod: ${p.metadata.name}`), ev.join("\n"));
  await pods().delete("stray");
});

test("scaling down deletes the not-ready pod first and says so", async () => {
  const rs = await replicaSets().get("rs1");
  const [keep, drop] = await owned(rs.metadata.uid!);
  const now = new Date().toISOString().replace(/\.\d+Z$/, "Z");
  await pods().updateStatus({
    ...keep,
    status: {
      phase: "Running",
      podIP: "10.244.1.2",
      conditions: [{ type: "Ready", status: "True", lastTransitionTime: now }],
    },
  });
  await waitFor("ready counted", async () =>
    (await replicaSets().get("rs1")).status?.readyReplicas === 1 ? true : undefined,
  );
  await replicaSets().patch("rs1", "merge", { spec: { replicas: 1 } });
  const left = await waitFor("one pod left", async () => {
    const l = await owned(rs.metadata.uid!);
    return l.length === 1 ? l : undefined;
  });
  assert.equal(left[0].metadata.name, keep.metadata.name);
  await waitFor("delete event", async () =>
    (await events("rs1")).includes(`SuccessfulDelete: Deleted pod: ${drop.metadata.name}`) ? true : undefined,
  );
  const st = await waitFor("status", async () => {
    const cur = await replicaSets().get("rs1");
    return cur.status?.replicas === 1 && cur.status?.observedGeneration === cur.metadata.generation
      ? cur.status
      : undefined;
  });
  assert.deepEqual([st.readyReplicas, st.availableReplicas], [1, 1]);
  await replicaSets().delete("rs1");
  await waitFor("pods collected", async () =>
    (await owned(rs.metadata.uid!)).length === 0 ? true : undefined,
  );
});

test("a ReplicationController keeps its replicas with v1 controller references", async () => {
  const rc = await rcs().create({
    apiVersion: "v1",
    kind: "ReplicationController",
    metadata: { name: "rc1" },
    spec: { replicas: 2, selector: { app: "rc1" }, template: template("rc1") },
  });
  const two = await waitFor("2 pods", async () => {
    const l = await owned(rc.metadata.uid!);
    return l.length === 2 ? l : undefined;
  });
  for (const p of two)
    assert.deepEqual(p.metadata.ownerReferences, [
      {
        apiVersion: "v1",
        kind: "ReplicationController",
        name: "rc1",
        uid: rc.metadata.uid,
        controller: true,
        blockOwnerDeletion: true,
      },
    ]);
  // A deleted pod is replaced.
  await pods().delete(two[0].metadata.name!);
  await waitFor("replacement", async () => {
    const l = await owned(rc.metadata.uid!);
    return l.length === 2 && !l.some((p) => p.metadata.name === two[0].metadata.name) ? true : undefined;
  });
  const st = await waitFor("status", async () => {
    const cur = await rcs().get("rc1");
    return cur.status?.replicas === 2 && cur.status?.observedGeneration === cur.metadata.generation
      ? cur.status
      : undefined;
  });
  assert.equal(st.fullyLabeledReplicas, 2);
  await rcs().delete("rc1");
});
