import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { kubectl, waitFor } from "../../../test/e2e/harness.ts";
import { startTestServer, type TestServer } from "../../../test/e2e/testserver.ts";
import { loadKubeconfig, RestClient } from "../../client/index.ts";
import { kinds } from "../framework/index.ts";
import { isPodReady, type Pod } from "../replicaset/podutil.ts";
import { startWorkloadControllers } from "./index.ts";
import type { Deployment, ReplicaSet } from "./util.ts";

// A Deployment through the apiserver as kube-controller-manager drives it (pkg/controller/deployment
// and replicaset): RS <name>-<hash>, pods <rs>-xxxxx, rolling update within maxSurge/maxUnavailable,
// status that `kubectl rollout status` reads, garbage collection of RS and pods.

let ts: TestServer;
let client: RestClient;
const ctl = new AbortController();
let running: Promise<void>;
const ns = "default";

const deployments = () => client.resource<Deployment>(kinds.deployments).namespace(ns);
const replicaSets = () => client.resource<ReplicaSet>(kinds.replicasets).namespace(ns);
const pods = () => client.resource<Pod>(kinds.pods).namespace(ns);

let ipSeq = 10;
/** What a kubelet reports once the containers run and pass readiness. */
async function markReady(p: Pod): Promise<void> {
  const now = new Date().toISOString().replace(/\.\d+Z$/, "Z");
  await pods().updateStatus({
    ...p,
    status: {
      phase: "Running",
      podIP: `10.244.0.${ipSeq++}`,
      conditions: [{ type: "Ready", status: "True", lastTransitionTime: now }],
    },
  });
}

async function podsOf(selector: string): Promise<Pod[]> {
  return (await pods().list({ labelSelector: selector })).items.filter((p) => !p.metadata.deletionTimestamp);
}

async function eventsFor(name: string): Promise<Array<{ reason: string; message: string }>> {
  const list = await client.resource(kinds.events).namespace(ns).list();
  return list.items
    .filter((e) => e.involvedObject?.name === name)
    .map((e) => ({ reason: e.reason, message: e.message }));
}

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

const web = (image: string): Deployment => ({
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name: "web", namespace: ns },
  spec: {
    replicas: 2,
    selector: { matchLabels: { app: "web" } },
    strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: 1, maxUnavailable: 1 } },
    template: { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "c", image }] } },
  },
});

test("a Deployment of 2 gets a ReplicaSet <name>-<hash> with 2 owned pods, then scales to 3", async () => {
  const d = await deployments().create(web("nginx:1.25"));
  const rs = await waitFor("the new ReplicaSet", async () => (await replicaSets().list()).items[0]);
  const hash = rs.spec?.template?.metadata?.labels?.["pod-template-hash"];
  assert.ok(hash);
  assert.equal(rs.metadata.name, `web-${hash}`);
  assert.deepEqual(rs.metadata.labels, { app: "web", "pod-template-hash": hash });
  assert.deepEqual(rs.spec?.selector, { matchLabels: { app: "web", "pod-template-hash": hash } });
  assert.equal(rs.metadata.annotations?.["deployment.kubernetes.io/revision"], "1");
  assert.equal(rs.metadata.annotations?.["deployment.kubernetes.io/desired-replicas"], "2");
  assert.equal(rs.metadata.annotations?.["deployment.kubernetes.io/max-replicas"], "3");
  assert.deepEqual(rs.metadata.ownerReferences, [
    {
      apiVersion: "apps/v1",
      kind: "Deployment",
      name: "web",
      uid: d.metadata.uid,
      controller: true,
      blockOwnerDeletion: true,
    },
  ]);

  const ps = await waitFor("2 pods", async () => {
    const l = await podsOf("app=web");
    return l.length === 2 ? l : undefined;
  });
  for (const p of ps) {
    assert.match(p.metadata.name!, new RegExp(`^web-${hash}-[a-z0-9]{5}$`));
    assert.equal(p.metadata.labels?.["pod-template-hash"], hash);
    assert.deepEqual(p.metadata.ownerReferences, [
      {
        apiVersion: "apps/v1",
        kind: "ReplicaSet",
        name: rs.metadata.name,
        uid: rs.metadata.uid,
        controller: true,
        blockOwnerDeletion: true,
      },
    ]);
  }
  for (const p of ps) await markReady(p);

  const done = await waitFor("deployment available", async () => {
    const cur = await deployments().get("web");
    const s = cur.status ?? {};
    return s.availableReplicas === 2 && s.updatedReplicas === 2 && s.readyReplicas === 2 ? cur : undefined;
  });
  assert.equal(done.status?.replicas, 2);
  assert.equal(done.status?.unavailableReplicas ?? 0, 0);
  assert.equal(done.status?.observedGeneration, done.metadata.generation);
  assert.equal(done.metadata.annotations?.["deployment.kubernetes.io/revision"], "1");
  const cond = (t: string) => done.status?.conditions?.find((c) => c.type === t);
  assert.equal(cond("Available")?.reason, "MinimumReplicasAvailable");
  assert.equal(cond("Available")?.status, "True");
  await waitFor("Progressing NewReplicaSetAvailable", async () => {
    const c = (await deployments().get("web")).status?.conditions?.find((x) => x.type === "Progressing");
    return c?.reason === "NewReplicaSetAvailable" ? c : undefined;
  });
  const rsNow = await replicaSets().get(rs.metadata.name!);
  assert.deepEqual(
    {
      replicas: rsNow.status?.replicas,
      fullyLabeledReplicas: rsNow.status?.fullyLabeledReplicas,
      readyReplicas: rsNow.status?.readyReplicas,
      availableReplicas: rsNow.status?.availableReplicas,
      observedGeneration: rsNow.status?.observedGeneration,
    },
    {
      replicas: 2,
      fullyLabeledReplicas: 2,
      readyReplicas: 2,
      availableReplicas: 2,
      observedGeneration: rsNow.metadata.generation,
    },
  );

  // kubectl scale goes through /scale; the controller resizes the one active ReplicaSet.
  const scaled = await kubectl(ts.kubeconfig, ["scale", "deployment/web", "--replicas=3"]);
  assert.equal(scaled.code, 0, scaled.stderr);
  const three = await waitFor("3 pods", async () => {
    const l = await podsOf("app=web");
    return l.length === 3 ? l : undefined;
  });
  for (const p of three) if (!isPodReady(p)) await markReady(p);
  await waitFor("3 available", async () =>
    (await deployments().get("web")).status?.availableReplicas === 3 ? true : undefined,
  );

  const rsEvents = await waitFor("pod events", async () => {
    const e = await eventsFor(rs.metadata.name!);
    return e.filter((x) => x.reason === "SuccessfulCreate").length === 3 ? e : undefined;
  });
  for (const p of three) assert.ok(rsEvents.some((e) => e.message === `Created pod: ${p.metadata.name}`));
  const dEvents = await waitFor("scaling events", async () => {
    const e = await eventsFor("web");
    return e.length >= 2 ? e : undefined;
  });
  assert.deepEqual(dEvents.map((e) => `${e.reason} ${e.message}`).sort(), [
    `ScalingReplicaSet Scaled up replica set ${rs.metadata.name} from 0 to 2`,
    `ScalingReplicaSet Scaled up replica set ${rs.metadata.name} from 2 to 3`,
  ]);
});

test("a new image rolls out within maxSurge and maxUnavailable, and rollout status finishes", async () => {
  const replicas = 3;
  const maxTotal = replicas + 1; // maxSurge 1
  const minReady = replicas - 1; // maxUnavailable 1
  const watchCtl = new AbortController();
  const rsState = new Map<string, ReplicaSet>();
  const podState = new Map<string, Pod>();
  const violations: string[] = [];
  let maxSeen = 0;
  let steps = 0;
  // Start from a list so the invariants hold from the first event on.
  const rsList = await replicaSets().list();
  for (const rs of rsList.items) rsState.set(rs.metadata.name!, rs);
  const podList = await pods().list();
  for (const p of podList.items) podState.set(p.metadata.name!, p);
  const watchRS = (async () => {
    const rv = rsList.metadata.resourceVersion;
    for await (const ev of replicaSets().watch({ resourceVersion: rv, signal: watchCtl.signal })) {
      if (ev.type === "DELETED") rsState.delete(ev.object.metadata.name!);
      else if (ev.type === "ADDED" || ev.type === "MODIFIED")
        rsState.set(ev.object.metadata.name!, ev.object);
      const total = [...rsState.values()].reduce((n, rs) => n + (rs.spec?.replicas ?? 0), 0);
      if (total > maxTotal) violations.push(`replica sets want ${total} pods`);
      maxSeen = Math.max(maxSeen, total);
    }
  })();
  const watchPods = (async () => {
    const rv = podList.metadata.resourceVersion;
    for await (const ev of pods().watch({ resourceVersion: rv, signal: watchCtl.signal })) {
      if (ev.type === "DELETED" || ev.object.metadata.deletionTimestamp)
        podState.delete(ev.object.metadata.name!);
      else if (ev.type === "ADDED" || ev.type === "MODIFIED")
        podState.set(ev.object.metadata.name!, ev.object);
      const ready = [...podState.values()].filter(isPodReady).length;
      if (podState.size > 0 && ready < minReady) violations.push(`only ${ready} ready pods`);
    }
  })();
  try {
    const cur = await deployments().get("web");
    const oldRS = (await replicaSets().list()).items[0];
    cur.spec.template!.spec = { containers: [{ name: "c", image: "nginx:1.26" }] };
    const updated = await deployments().update(cur);

    // Play kubelet: make new pods ready one at a time until the old ReplicaSet is empty.
    for (;;) {
      const next = await waitFor("a new pod to start, or the rollout to end", async () => {
        const d = await deployments().get("web");
        const s = d.status ?? {};
        const observed = (s.observedGeneration ?? 0) >= (updated.metadata.generation ?? 0);
        if (
          observed &&
          s.updatedReplicas === replicas &&
          s.replicas === replicas &&
          s.availableReplicas === replicas
        )
          return "done";
        const p = (await podsOf("app=web")).find(
          (x) =>
            x.metadata.labels?.["pod-template-hash"] !==
              oldRS.spec?.template?.metadata?.labels?.["pod-template-hash"] && !isPodReady(x),
        );
        return p;
      });
      if (next === "done") break;
      await markReady(next);
      steps++;
    }
    const rss = (await replicaSets().list()).items;
    assert.equal(rss.length, 2);
    const newRS = rss.find((r) => r.metadata.uid !== oldRS.metadata.uid)!;
    const old = rss.find((r) => r.metadata.uid === oldRS.metadata.uid)!;
    assert.equal(old.spec?.replicas, 0);
    assert.equal(newRS.spec?.replicas, 3);
    assert.equal(old.metadata.annotations?.["deployment.kubernetes.io/revision"], "1");
    assert.equal(newRS.metadata.annotations?.["deployment.kubernetes.io/revision"], "2");
    assert.equal(
      (await deployments().get("web")).metadata.annotations?.["deployment.kubernetes.io/revision"],
      "2",
    );
    const status = await kubectl(ts.kubeconfig, ["rollout", "status", "deployment/web", "--timeout=20s"]);
    assert.equal(status.code, 0, status.stderr);
    assert.match(status.stdout, /deployment "web" successfully rolled out/);
    const get = await kubectl(ts.kubeconfig, ["get", "deploy", "web", "--no-headers"]);
    assert.match(get.stdout, /^web\s+3\/3\s+3\s+3\s/);
    assert.deepEqual(violations, []);
    // The surge was used, and the new pods came up one by one.
    assert.equal(maxSeen, maxTotal);
    assert.equal(steps, replicas);
  } finally {
    watchCtl.abort();
    await Promise.allSettled([watchRS, watchPods]);
  }
});

test("deleting the Deployment garbage-collects its ReplicaSets and pods", async () => {
  await deployments().delete("web");
  await waitFor("ReplicaSets gone", async () =>
    (await replicaSets().list()).items.length === 0 ? true : undefined,
  );
  await waitFor("pods gone", async () => ((await pods().list()).items.length === 0 ? true : undefined));
});
