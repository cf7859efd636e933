import assert from "node:assert/strict";
import { test } from "node:test";
import { ApiError } from "../../client/index.ts";
import type { Pod } from "../replicaset/podutil.ts";
import { type DeploymentOps, podMapFor, syncDeployment } from "./reconciler.ts";
import { type Deployment, getCondition, type ReplicaSet } from "./util.ts";

// The deployment sync against an in-memory cluster. The fake plays the ReplicaSet controller and
// kubelet: each ReplicaSet reports spec.replicas pods; old pods are available, new ones only
// once `ready` says so. Expected sequences follow kube's rolling.go / recreate.go / sync.go.

class FakeCluster implements DeploymentOps {
  rss = new Map<string, ReplicaSet>();
  events: string[] = [];
  requeues: number[] = [];
  /** Available pods per ReplicaSet name (default: all, or none once newPodsWait is set). */
  ready = new Map<string, number>();
  newPodsWait = false;
  /** Pods still around (for Recreate), by ReplicaSet uid. */
  pods: Pod[] = [];
  t = Date.parse("2024-05-01T12:00:00Z");
  private seq = 0;

  constructor(public d: Deployment) {}

  now(): Date {
    return new Date(this.t);
  }
  async createReplicaSet(rs: ReplicaSet): Promise<ReplicaSet> {
    const name = rs.metadata.name!;
    if (this.rss.has(name))
      throw new ApiError({
        kind: "Status",
        apiVersion: "v1",
        metadata: {},
        status: "Failure",
        code: 409,
        reason: "AlreadyExists",
        message: "exists",
      });
    const stored: ReplicaSet = structuredClone(rs);
    stored.metadata.uid = `uid-${name}`;
    stored.metadata.generation = 1;
    stored.metadata.creationTimestamp = new Date(this.t + this.seq++ * 1000)
      .toISOString()
      .replace(/\.\d+Z$/, "Z");
    stored.status = { replicas: 0, observedGeneration: 1 };
    this.rss.set(name, stored);
    return structuredClone(stored);
  }
  async getReplicaSet(_ns: string, name: string): Promise<ReplicaSet | undefined> {
    return structuredClone(this.rss.get(name));
  }
  async updateReplicaSet(rs: ReplicaSet): Promise<ReplicaSet> {
    const old = this.rss.get(rs.metadata.name!)!;
    const next = structuredClone(rs);
    next.status = old.status;
    if (JSON.stringify(old.spec) !== JSON.stringify(next.spec))
      next.metadata.generation = (old.metadata.generation ?? 1) + 1;
    this.rss.set(rs.metadata.name!, next);
    return structuredClone(next);
  }
  async deleteReplicaSet(rs: ReplicaSet): Promise<void> {
    this.rss.delete(rs.metadata.name!);
  }
  async updateDeploymentStatus(d: Deployment): Promise<Deployment> {
    this.d = structuredClone(d);
    return structuredClone(d);
  }
  event(_d: Deployment, _type: string, reason: string, message: string): void {
    this.events.push(`${reason}: ${message}`);
  }
  requeueAfter(ms: number): void {
    this.requeues.push(ms);
  }

  /** The ReplicaSet controller and kubelet catch up. */
  settle(): void {
    for (const rs of this.rss.values()) {
      const n = rs.spec?.replicas ?? 0;
      const avail = Math.min(n, this.ready.get(rs.metadata.name!) ?? (this.newPodsWait ? 0 : n));
      rs.status = {
        replicas: n,
        readyReplicas: avail,
        availableReplicas: avail,
        observedGeneration: rs.metadata.generation,
      };
    }
  }

  async sync(): Promise<void> {
    const rsList = [...this.rss.values()].map((rs) => structuredClone(rs));
    await syncDeployment(structuredClone(this.d), rsList, podMapFor(rsList, this.pods), this);
  }

  /** Sync and settle until nothing changes. */
  async converge(): Promise<void> {
    for (let i = 0; i < 50; i++) {
      const before = JSON.stringify([...this.rss.values(), this.d]);
      await this.sync();
      this.settle();
      if (JSON.stringify([...this.rss.values(), this.d]) === before) return;
    }
    throw new Error("no convergence");
  }

  get newRS(): ReplicaSet {
    return [...this.rss.values()].at(-1)!;
  }
  byRevision(rev: string): ReplicaSet | undefined {
    return [...this.rss.values()].find(
      (rs) => rs.metadata.annotations?.["deployment.kubernetes.io/revision"] === rev,
    );
  }
}

function deployment(replicas: number, image: string, strategy: Deployment["spec"]["strategy"]): Deployment {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "web", namespace: "ns", uid: "d-uid", generation: 1 },
    spec: {
      replicas,
      selector: { matchLabels: { app: "web" } },
      template: { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "c", image }] } },
      strategy,
      revisionHistoryLimit: 10,
      progressDeadlineSeconds: 600,
    },
    status: {},
  };
}

const rolling = (maxSurge: number | string, maxUnavailable: number | string) => ({
  type: "RollingUpdate",
  rollingUpdate: { maxSurge, maxUnavailable },
});

/** A new template; pods of ReplicaSets created from now on stay unready until c.ready says so. */
function setImage(c: FakeCluster, image: string, wait = true): void {
  for (const rs of c.rss.values())
    if (!c.ready.has(rs.metadata.name!)) c.ready.set(rs.metadata.name!, rs.spec?.replicas ?? 0);
  c.newPodsWait = wait;
  c.d.spec.template!.spec = { containers: [{ name: "c", image }] };
  c.d.metadata.generation = (c.d.metadata.generation ?? 1) + 1;
}

test("a new Deployment gets ReplicaSet <name>-<hash> at full size, revision 1 and NewReplicaSetCreated", async () => {
  const c = new FakeCluster(deployment(3, "nginx:1", rolling("25%", "25%")));
  await c.sync();
  const rs = c.newRS;
  const hash = rs.spec?.template?.metadata?.labels?.["pod-template-hash"];
  assert.match(hash ?? "", /^[456789bcdf]{1,10}$/);
  assert.equal(rs.metadata.name, `web-${hash}`);
  assert.equal(rs.spec?.replicas, 3);
  assert.deepEqual(rs.metadata.annotations, {
    "deployment.kubernetes.io/revision": "1",
    "deployment.kubernetes.io/desired-replicas": "3",
    "deployment.kubernetes.io/max-replicas": "4",
  });
  assert.deepEqual(c.events, [`ScalingReplicaSet: Scaled up replica set ${rs.metadata.name} from 0 to 3`]);
  assert.equal(c.d.metadata.annotations?.["deployment.kubernetes.io/revision"], "1");
  const p = getCondition(c.d.status, "Progressing");
  assert.deepEqual(
    [p?.status, p?.reason, p?.message],
    ["True", "NewReplicaSetCreated", `Created new replica set "${rs.metadata.name}"`],
  );
  c.settle();
  await c.converge();
  const s = c.d.status!;
  assert.deepEqual(
    [
      s.replicas,
      s.updatedReplicas,
      s.readyReplicas,
      s.availableReplicas,
      s.unavailableReplicas ?? 0,
      s.observedGeneration,
    ],
    [3, 3, 3, 3, 0, 1],
  );
  assert.equal(getCondition(s, "Available")?.reason, "MinimumReplicasAvailable");
  assert.equal(getCondition(s, "Progressing")?.reason, "NewReplicaSetAvailable");
  assert.equal(
    getCondition(s, "Progressing")?.message,
    `ReplicaSet "${rs.metadata.name}" has successfully progressed.`,
  );
});

test("a rolling update steps within maxSurge and maxUnavailable with kube's scaling events", async () => {
  const c = new FakeCluster(deployment(4, "nginx:1", rolling(1, 1)));
  await c.converge();
  const old = c.newRS.metadata.name!;
  c.events = [];
  setImage(c, "nginx:2");
  let newName = "";
  for (let step = 0; step < 20; step++) {
    await c.converge();
    const all = [...c.rss.values()];
    const total = all.reduce((n, rs) => n + (rs.spec?.replicas ?? 0), 0);
    const available = all.reduce((n, rs) => n + (rs.status?.availableReplicas ?? 0), 0);
    assert.ok(total <= 5, `at most replicas+maxSurge pods wanted, got ${total}`);
    assert.ok(available >= 3, `at least replicas-maxUnavailable available, got ${available}`);
    newName = c.newRS.metadata.name!;
    if (c.rss.get(old)?.spec?.replicas === 0 && (c.ready.get(newName) ?? 0) >= 4) break;
    c.ready.set(newName, (c.ready.get(newName) ?? 0) + 1); // one more new pod turns ready
  }
  assert.deepEqual(c.events, [
    `ScalingReplicaSet: Scaled up replica set ${newName} from 0 to 1`,
    `ScalingReplicaSet: Scaled down replica set ${old} from 4 to 3`,
    `ScalingReplicaSet: Scaled up replica set ${newName} from 1 to 2`,
    `ScalingReplicaSet: Scaled down replica set ${old} from 3 to 2`,
    `ScalingReplicaSet: Scaled up replica set ${newName} from 2 to 3`,
    `ScalingReplicaSet: Scaled down replica set ${old} from 2 to 1`,
    `ScalingReplicaSet: Scaled up replica set ${newName} from 3 to 4`,
    `ScalingReplicaSet: Scaled down replica set ${old} from 1 to 0`,
  ]);
  assert.equal(c.rss.get(newName)?.metadata.annotations?.["deployment.kubernetes.io/revision"], "2");
  assert.equal(c.d.metadata.annotations?.["deployment.kubernetes.io/revision"], "2");
  assert.equal(getCondition(c.d.status, "Progressing")?.reason, "NewReplicaSetAvailable");

  // Rolling back to the first template reuses its ReplicaSet: revision 3, history "1".
  setImage(c, "nginx:1");
  c.ready.set(old, 0);
  c.ready.set(newName, 4);
  for (let i = 0; i < 10 && c.rss.get(newName)?.spec?.replicas !== 0; i++) {
    await c.converge();
    c.ready.set(old, (c.ready.get(old) ?? 0) + 1);
  }
  assert.equal(c.rss.get(old)?.metadata.annotations?.["deployment.kubernetes.io/revision"], "3");
  assert.equal(c.rss.get(old)?.metadata.annotations?.["deployment.kubernetes.io/revision-history"], "1");
});

test("scaling during a rollout spreads replicas proportionally (sync.go scale)", async () => {
  const c = new FakeCluster(deployment(4, "nginx:1", rolling(1, 1)));
  await c.converge();
  const old = c.newRS.metadata.name!;
  setImage(c, "nginx:2");
  await c.converge(); // new 2 (none available), old 3: stuck until pods get ready
  const newName = c.newRS.metadata.name!;
  assert.deepEqual([c.rss.get(old)?.spec?.replicas, c.rss.get(newName)?.spec?.replicas], [3, 2]);
  c.events = [];
  c.d.spec.replicas = 8;
  c.d.metadata.generation! += 1;
  await c.sync();
  // allowed 8+1 = 9, 5 there: +4 split by max-replicas 5 → old 3*9/5 ≈ 5, new 2*9/5 ≈ 4.
  assert.deepEqual(c.events, [
    `ScalingReplicaSet: Scaled up replica set ${old} from 3 to 5`,
    `ScalingReplicaSet: Scaled up replica set ${newName} from 2 to 4`,
  ]);
  assert.equal(c.rss.get(old)?.metadata.annotations?.["deployment.kubernetes.io/desired-replicas"], "8");
  assert.equal(c.rss.get(newName)?.metadata.annotations?.["deployment.kubernetes.io/max-replicas"], "9");
});

test("Recreate scales the old ReplicaSet to zero and waits for its pods before creating the new one", async () => {
  const c = new FakeCluster(deployment(3, "nginx:1", { type: "Recreate" }));
  await c.converge();
  const old = c.newRS;
  c.events = [];
  setImage(c, "nginx:2", false);
  c.pods = [
    {
      apiVersion: "v1",
      kind: "Pod",
      metadata: {
        name: "p",
        ownerReferences: [
          {
            apiVersion: "apps/v1",
            kind: "ReplicaSet",
            name: old.metadata.name!,
            uid: old.metadata.uid!,
            controller: true,
          },
        ],
      },
      status: { phase: "Running" },
    },
  ];
  await c.converge();
  assert.equal(c.rss.size, 1, "no new ReplicaSet while an old pod runs");
  assert.deepEqual(c.events, [`ScalingReplicaSet: Scaled down replica set ${old.metadata.name} from 3 to 0`]);
  c.pods = [];
  await c.converge();
  assert.equal(c.rss.size, 2);
  assert.equal(c.events[1], `ScalingReplicaSet: Scaled up replica set ${c.newRS.metadata.name} from 0 to 3`);
  assert.equal(c.d.status?.availableReplicas, 3);
});

test("old ReplicaSets beyond revisionHistoryLimit are deleted, oldest revision first", async () => {
  const c = new FakeCluster(deployment(1, "v1", rolling(1, 0)));
  c.d.spec.revisionHistoryLimit = 1;
  for (const image of ["v1", "v2", "v3", "v4"]) {
    setImage(c, image, false);
    await c.converge();
  }
  const revisions = [...c.rss.values()]
    .map((rs) => rs.metadata.annotations?.["deployment.kubernetes.io/revision"])
    .sort();
  assert.deepEqual(revisions, ["3", "4"]);
});

test("no progress for progressDeadlineSeconds → Progressing False ProgressDeadlineExceeded", async () => {
  const c = new FakeCluster(deployment(2, "nginx:1", rolling(1, 0)));
  await c.converge();
  setImage(c, "nginx:2");
  await c.converge();
  const newName = c.newRS.metadata.name!;
  c.requeues = [];
  await c.sync();
  // requeueStuckDeployment: look again once the deadline passes (+1 s).
  assert.equal(c.requeues.length, 1);
  assert.ok(c.requeues[0] > 590_000 && c.requeues[0] <= 601_000, String(c.requeues[0]));
  c.t += 601_000;
  await c.sync();
  const p = getCondition(c.d.status, "Progressing");
  assert.deepEqual(
    [p?.status, p?.reason, p?.message],
    ["False", "ProgressDeadlineExceeded", `ReplicaSet "${newName}" has timed out progressing.`],
  );
  assert.equal(getCondition(c.d.status, "Available")?.status, "True");
});

test("an empty selector is refused with a SelectingAll event", async () => {
  const d = deployment(1, "nginx:1", rolling(1, 0));
  d.spec.selector = {};
  const c = new FakeCluster(d);
  await c.sync();
  assert.deepEqual(c.events, [
    "SelectingAll: This deployment is selecting all pods. A non-empty selector is required.",
  ]);
  assert.equal(c.rss.size, 0);
  assert.equal(c.d.status?.observedGeneration, 1);
});

test("a paused Deployment gets Progressing Unknown DeploymentPaused and no new ReplicaSet", async () => {
  const c = new FakeCluster(deployment(2, "nginx:1", rolling(1, 0)));
  await c.converge();
  c.d.spec.paused = true;
  setImage(c, "nginx:2", false);
  await c.converge();
  assert.equal(c.rss.size, 1);
  const p = getCondition(c.d.status, "Progressing");
  assert.deepEqual(
    [p?.status, p?.reason, p?.message],
    ["Unknown", "DeploymentPaused", "Deployment is paused"],
  );
  c.d.spec.paused = false;
  await c.converge();
  assert.equal(c.rss.size, 2);
});
