import assert from "node:assert/strict";
import { test } from "node:test";
import { fromLabelSelector } from "../../api/machinery/selectors/label.ts";
import { Expectations, expectationsTimeoutMs } from "./expectations.ts";
import { isPodAvailable, type Pod, podFromTemplate, podsToDelete } from "./podutil.ts";
import {
  calculateStatus,
  claimPods,
  planReplicas,
  type ReplicaOwner,
  slowStartBatch,
  statusUpToDate,
} from "./reconciler.ts";

const now = new Date("2024-05-01T12:00:00Z");
const ago = (s: number) => new Date(now.getTime() - s * 1000).toISOString().replace(/\.\d+Z$/, "Z");

function pod(
  name: string,
  o: {
    node?: string;
    phase?: string;
    ready?: number;
    created?: number;
    labels?: Record<string, string>;
    owner?: string;
    deleting?: boolean;
    restarts?: number;
    cost?: string;
  } = {},
): Pod {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name,
      namespace: "ns",
      uid: `uid-${name}`,
      labels: o.labels ?? { app: "a" },
      creationTimestamp: ago(o.created ?? 1000),
      ...(o.owner
        ? {
            ownerReferences: [
              { apiVersion: "apps/v1", kind: "ReplicaSet", name: "rs", uid: o.owner, controller: true },
            ],
          }
        : {}),
      ...(o.deleting ? { deletionTimestamp: ago(0) } : {}),
      ...(o.cost ? { annotations: { "controller.kubernetes.io/pod-deletion-cost": o.cost } } : {}),
    },
    spec: { nodeName: o.node ?? "n1" },
    status: {
      phase: o.phase ?? "Running",
      conditions:
        o.ready !== undefined
          ? [{ type: "Ready", status: "True", lastTransitionTime: ago(o.ready) }]
          : [{ type: "Ready", status: "False" }],
      containerStatuses: [{ restartCount: o.restarts ?? 0 }],
    },
  };
}

const rs = (
  extra: Partial<ReplicaOwner["spec"]> = {},
  status: ReplicaOwner["status"] = {},
): ReplicaOwner => ({
  apiVersion: "apps/v1",
  kind: "ReplicaSet",
  metadata: { name: "rs", namespace: "ns", uid: "rs-uid", generation: 2 },
  spec: {
    replicas: 3,
    selector: { matchLabels: { app: "a" } },
    template: { metadata: { labels: { app: "a", tier: "web" } } },
    ...extra,
  },
  status,
});

test("claimPods keeps owned matching pods, adopts matching orphans, releases owned pods that stopped matching", () => {
  const sel = fromLabelSelector({ matchLabels: { app: "a" } });
  const c = claimPods(rs(), sel, [
    pod("mine", { owner: "rs-uid" }),
    pod("orphan"),
    pod("orphan-other-labels", { labels: { app: "b" } }),
    pod("orphan-deleting", { deleting: true }),
    pod("someone-elses", { owner: "other" }),
    pod("mine-relabelled", { owner: "rs-uid", labels: { app: "b" } }),
  ]);
  assert.deepEqual(
    c.owned.map((p) => p.metadata.name),
    ["mine"],
  );
  assert.deepEqual(
    c.adopt.map((p) => p.metadata.name),
    ["orphan"],
  );
  assert.deepEqual(
    c.release.map((p) => p.metadata.name),
    ["mine-relabelled"],
  );
  // A controller being deleted neither adopts nor releases (ClaimObject).
  const deleting = { ...rs(), metadata: { ...rs().metadata, deletionTimestamp: ago(1) } };
  const d = claimPods(deleting, sel, [
    pod("orphan"),
    pod("mine-relabelled", { owner: "rs-uid", labels: { app: "b" } }),
  ]);
  assert.deepEqual([d.adopt.length, d.release.length], [0, 0]);
});

test("surplus pods go in kube's ActivePods order: unscheduled, pending, not ready, lower cost, doubled up, ready shorter, restarts, newer", () => {
  // Each pair: [deleted first, kept] (controller_utils.go ActivePodsWithRanks.Less).
  const pairs: Array<[Pod, Pod, string]> = [
    [pod("a", { node: "", ready: 10 }), pod("b", { ready: 10 }), "unassigned before assigned"],
    [pod("a", { phase: "Pending" }), pod("b", { phase: "Running" }), "pending before running"],
    [pod("a", { phase: "Unknown" }), pod("b", { phase: "Running" }), "unknown before running"],
    [pod("a"), pod("b", { ready: 100 }), "not ready before ready"],
    [pod("a", { ready: 100, cost: "-5" }), pod("b", { ready: 100 }), "lower deletion cost first"],
    [pod("a", { ready: 10 }), pod("b", { ready: 10_000 }), "ready for less time first"],
    [pod("a", { restarts: 3 }), pod("b"), "more restarts first"],
    [pod("a", { created: 10 }), pod("b", { created: 10_000 }), "newer first"],
  ];
  for (const [first, kept, why] of pairs) {
    assert.deepEqual(
      podsToDelete([kept, first], [kept, first], 1, now).map((p) => p.metadata.name),
      ["a"],
      why,
    );
  }
  // Doubled up: a pod sharing its node with more related pods goes first.
  const crowded = pod("a", { node: "busy", ready: 100 });
  const alone = pod("b", { node: "quiet", ready: 100 });
  const related = [crowded, alone, pod("c", { node: "busy", ready: 100, owner: "sibling" })];
  assert.deepEqual(
    podsToDelete([alone, crowded], related, 1, now).map((p) => p.metadata.name),
    ["a"],
  );
});

test("planReplicas creates the missing pods, deletes the surplus, at most the burst per sync", () => {
  assert.deepEqual(planReplicas(3, [pod("a")], [], now), { create: 2, delete: [] });
  assert.equal(planReplicas(1000, [], [], now).create, 500);
  const plan = planReplicas(1, [pod("ready", { ready: 50 }), pod("pending", { phase: "Pending" })], [], now);
  assert.deepEqual([plan.create, plan.delete.map((p) => p.metadata.name)], [0, ["pending"]]);
  assert.deepEqual(planReplicas(2, [pod("a"), pod("b")], [], now), { create: 0, delete: [] });
});

test("calculateStatus counts fully labeled, ready and available (minReadySeconds) pods", () => {
  const pods = [
    pod("a", { ready: 100, labels: { app: "a", tier: "web" } }),
    pod("b", { ready: 5, labels: { app: "a", tier: "web" } }),
    pod("c", { labels: { app: "a" } }),
  ];
  const s = calculateStatus(rs({ minReadySeconds: 10 }), pods, undefined, now);
  assert.deepEqual(s, { replicas: 3, fullyLabeledReplicas: 2, readyReplicas: 2, availableReplicas: 1 });
  // podutil.IsPodAvailable: ready strictly longer than minReadySeconds.
  assert.equal(isPodAvailable(pod("x", { ready: 10 }), 10, now), false);
  assert.equal(isPodAvailable(pod("x", { ready: 11 }), 10, now), true);
});

test("ReplicaFailure is set on a failed create (FailedCreate) or delete and removed once managing works", () => {
  const err = new Error('pods "rs-" is forbidden: exceeded quota');
  const s = calculateStatus(rs(), [pod("a")], err, now);
  assert.deepEqual(s.conditions, [
    {
      type: "ReplicaFailure",
      status: "True",
      lastTransitionTime: "2024-05-01T12:00:00Z",
      reason: "FailedCreate",
      message: err.message,
    },
  ]);
  const del = calculateStatus(rs({ replicas: 0 }), [pod("a")], err, now);
  assert.equal(del.conditions?.[0].reason, "FailedDelete");
  const healed = calculateStatus(rs({}, s), [pod("a")], undefined, now);
  assert.equal(healed.conditions, undefined);
  // An existing failure is not rewritten while errors go on (the transition time stays).
  const again = calculateStatus(rs({}, s), [pod("a")], new Error("other"), new Date(now.getTime() + 5000));
  assert.deepEqual(again.conditions, s.conditions);
});

test("statusUpToDate: a write is skipped only when counts, conditions and observedGeneration agree", () => {
  const st = {
    replicas: 1,
    fullyLabeledReplicas: 1,
    readyReplicas: 0,
    availableReplicas: 0,
    observedGeneration: 2,
  };
  assert.equal(statusUpToDate(rs({}, st), { ...st }), true);
  assert.equal(statusUpToDate(rs({}, { ...st, observedGeneration: 1 }), { ...st }), false);
  assert.equal(statusUpToDate(rs({}, st), { ...st, readyReplicas: 1 }), false);
});

test("slowStartBatch runs 1, 2, 4, … and stops after the first batch with a failure", async () => {
  let calls = 0;
  const r = await slowStartBatch(10, 1, async () => {
    calls++;
    if (calls === 4) throw new Error("quota");
  });
  // Batches 1 and 2 succeed; the batch of 4 has one failure; nothing after it.
  assert.equal(calls, 7);
  assert.equal(r.successes, 6);
  assert.equal((r.error as Error).message, "quota");
  let n = 0;
  assert.deepEqual(await slowStartBatch(5, 1, async () => void n++), { successes: 5 });
  assert.equal(n, 5);
});

test("expectations hold a sync back until creates and the asked-for deletes are observed, or they expire", () => {
  let t = 0;
  const e = new Expectations(() => t);
  assert.equal(e.satisfied("k"), true);
  e.expectCreations("k", 2);
  e.creationObserved("k");
  assert.equal(e.satisfied("k"), false);
  e.creationObserved("k");
  assert.equal(e.satisfied("k"), true);
  e.expectDeletions("k", ["ns/a"]);
  e.deletionObserved("k", "ns/other");
  assert.equal(e.satisfied("k"), false);
  e.deletionObserved("k", "ns/a");
  e.deletionObserved("k", "ns/a"); // seen twice (update with deletionTimestamp, then delete): counted once
  assert.equal(e.satisfied("k"), true);
  e.expectCreations("k", 1);
  t += expectationsTimeoutMs + 1;
  assert.equal(e.satisfied("k"), true);
});

test("podFromTemplate copies labels, annotations, finalizers and spec and sets the controller reference", () => {
  const ref = {
    apiVersion: "apps/v1",
    kind: "ReplicaSet",
    name: "web-abc",
    uid: "u",
    controller: true,
    blockOwnerDeletion: true,
  };
  const p = podFromTemplate(
    {
      metadata: { labels: { app: "a" }, annotations: { x: "y" }, finalizers: ["f"] },
      spec: { containers: [{ name: "c" }] },
    },
    "web-abc",
    ref,
  );
  assert.deepEqual(p.metadata, {
    generateName: "web-abc-",
    ownerReferences: [ref],
    labels: { app: "a" },
    annotations: { x: "y" },
    finalizers: ["f"],
  });
  assert.deepEqual(p.spec, { containers: [{ name: "c" }] });
  // getPodsPrefix: a prefix too long for a valid generateName falls back to the name.
  assert.equal(podFromTemplate({}, "x".repeat(253), ref).metadata.generateName, "x".repeat(253));
});
