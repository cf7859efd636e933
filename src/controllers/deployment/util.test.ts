import assert from "node:assert/strict";
import { test } from "node:test";
import { computeHash, fnv32a, safeEncodeString } from "./hash.ts";
import {
  type Deployment,
  equalIgnoreHash,
  getProportion,
  newRSNewReplicas,
  type ReplicaSet,
  resolveFenceposts,
  setNewReplicaSetAnnotations,
} from "./util.ts";

test("resolveFenceposts: surge rounds up, unavailable rounds down, both zero allows one unavailable", () => {
  // deployment_util_test.go TestResolveFenceposts and the documented 25% defaults.
  const cases: Array<[number | string, number | string, number, [number, number]]> = [
    ["25%", "25%", 4, [1, 1]],
    ["25%", "25%", 10, [3, 2]],
    ["25%", "25%", 3, [1, 0]],
    ["50%", "50%", 1, [1, 0]],
    [0, 0, 5, [0, 1]],
    ["0%", "0%", 5, [0, 1]],
    [2, "10%", 9, [2, 0]],
    ["100%", "100%", 7, [7, 7]],
  ];
  for (const [surge, unavail, desired, want] of cases)
    assert.deepEqual(resolveFenceposts(surge, unavail, desired), want, `${surge}/${unavail} of ${desired}`);
  assert.throws(() => resolveFenceposts("x", 1, 3), /not a percentage/);
});

const dep = (
  replicas: number,
  surge: number | string,
  unavail: number | string,
  statusReplicas = 0,
): Deployment => ({
  metadata: {
    name: "d",
    annotations: { owner: "team-a", "kubectl.kubernetes.io/last-applied-configuration": "{}" },
  },
  spec: {
    replicas,
    strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: surge, maxUnavailable: unavail } },
  },
  status: { replicas: statusReplicas },
});
const rs = (name: string, replicas: number, annotations: Record<string, string> = {}): ReplicaSet => ({
  metadata: { name, annotations },
  spec: { replicas },
});

test("newRSNewReplicas never takes the total past replicas + maxSurge", () => {
  const d = dep(10, 2, 0);
  assert.equal(newRSNewReplicas(d, [rs("old", 10), rs("new", 0)], rs("new", 0)), 2);
  assert.equal(newRSNewReplicas(d, [rs("old", 8), rs("new", 3)], rs("new", 3)), 4);
  assert.equal(newRSNewReplicas(d, [rs("old", 9), rs("new", 3)], rs("new", 3)), 3);
  assert.equal(
    newRSNewReplicas({ ...d, spec: { ...d.spec, strategy: { type: "Recreate" } } }, [], rs("new", 0)),
    10,
  );
});

test("getProportion splits a scale by each ReplicaSet's share of max-replicas", () => {
  // deployment_util_test.go TestGetReplicaSetProportion-style cases.
  const d = dep(10, 0, 1);
  assert.equal(getProportion(rs("a", 5, { "deployment.kubernetes.io/max-replicas": "5" }), d, 5, 0), 5);
  assert.equal(getProportion(rs("a", 5, { "deployment.kubernetes.io/max-replicas": "10" }), d, 5, 0), 0);
  assert.equal(getProportion(rs("a", 5, { "deployment.kubernetes.io/max-replicas": "5" }), d, 5, 3), 2);
  assert.equal(getProportion(rs("a", 0), d, 5, 0), 0);
  // Scaling to zero takes everything away.
  assert.equal(
    getProportion(rs("a", 4, { "deployment.kubernetes.io/max-replicas": "4" }), dep(0, 0, 1), -4, 0),
    -4,
  );
  // Without the annotation the deployment's status.replicas is the base.
  assert.equal(getProportion(rs("a", 2), dep(10, 0, 1, 4), 6, 0), 3);
});

const history = (o: ReplicaSet): string | undefined =>
  (o.metadata.annotations as Record<string, string>)["deployment.kubernetes.io/revision-history"];

test("setNewReplicaSetAnnotations copies the deployment's annotations and keeps the revision history", () => {
  const d = dep(3, 1, 0);
  const fresh = rs("new", 0);
  assert.equal(setNewReplicaSetAnnotations(d, fresh, "1", false), true);
  assert.deepEqual(fresh.metadata.annotations, {
    owner: "team-a",
    "deployment.kubernetes.io/revision": "1",
    "deployment.kubernetes.io/desired-replicas": "3",
    "deployment.kubernetes.io/max-replicas": "4",
  });
  // Unchanged on a second call for an existing ReplicaSet at the same revision.
  assert.equal(setNewReplicaSetAnnotations(d, fresh, "1", true), false);
  // A template coming back (rollback) raises the revision and records the old one.
  assert.equal(setNewReplicaSetAnnotations(d, fresh, "4", true), true);
  assert.equal(history(fresh), "1");
  setNewReplicaSetAnnotations(d, fresh, "6", true);
  assert.equal(history(fresh), "1,4");
  // The history is trimmed from the front to the character limit.
  setNewReplicaSetAnnotations(d, fresh, "7", true, 4);
  assert.equal(history(fresh), "4,6");
  // A revision that is not a number is left alone.
  const odd = rs("x", 0, { "deployment.kubernetes.io/revision": "abc" });
  assert.equal(setNewReplicaSetAnnotations({ ...d, metadata: { name: "d" } }, odd, "2", true), false);
});

test("the pod-template-hash is stable for a template, changes with it and with collisionCount", () => {
  const t = { metadata: { labels: { app: "a" } }, spec: { containers: [{ name: "c", image: "nginx:1" }] } };
  const reordered = {
    spec: { containers: [{ image: "nginx:1", name: "c" }] },
    metadata: { labels: { app: "a" } },
  };
  const h = computeHash(t);
  assert.equal(computeHash(reordered), h);
  assert.notEqual(computeHash({ ...t, spec: { containers: [{ name: "c", image: "nginx:2" }] } }), h);
  assert.notEqual(computeHash(t, 1), h);
  assert.match(h, /^[456789bcdf]{1,10}$/); // decimal digits only map to these
  // FNV-1a 32 reference values, and SafeEncodeString maps each byte into the alphabet.
  assert.equal(fnv32a(Buffer.from("")), 0x811c9dc5);
  assert.equal(fnv32a(Buffer.from("a")), 0xe40c292c);
  assert.equal(safeEncodeString("0123456789"), "456789bcdf");
});

test("equalIgnoreHash compares templates without the pod-template-hash label", () => {
  const a = { metadata: { labels: { app: "a", "pod-template-hash": "x" } }, spec: { containers: [] } };
  const b = { metadata: { labels: { app: "a" } }, spec: {} };
  assert.equal(equalIgnoreHash(a, b), true);
  assert.equal(equalIgnoreHash(a, { metadata: { labels: { app: "b" } } }), false);
});
