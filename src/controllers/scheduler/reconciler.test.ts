import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { type Node, needsScheduling, type Pod, schedule, tolerates, unfitReason } from "./reconciler.ts";

// Expectations: kube-scheduler's filter plugins (NodeUnschedulable, NodeAffinity, TaintToleration,
// NodeResourcesFit pod count) and their reason texts; FitError.Error() plus DefaultPreemption's
// PostFilter message; k8s.io/api core/v1 toleration.go ToleratesTaint.

function node(
  name: string,
  opts: { ready?: string; labels?: Record<string, string>; spec?: Node["spec"]; pods?: string } = {},
): Node {
  return {
    metadata: { name, labels: opts.labels ?? {} },
    spec: opts.spec ?? {},
    status: {
      conditions: opts.ready === "none" ? [] : [{ type: "Ready", status: opts.ready ?? "True" }],
      allocatable: { pods: opts.pods ?? "110" },
    },
  };
}
const pod = (spec: Pod["spec"] = {}): Pod => ({ metadata: { name: "p", namespace: "default" }, spec });

describe("scheduler decisions", () => {
  test("which pods need scheduling", () => {
    assert.equal(needsScheduling(pod({ schedulerName: "default-scheduler" })), true);
    assert.equal(needsScheduling(pod({})), true);
    assert.equal(needsScheduling(pod({ nodeName: "n" })), false);
    assert.equal(needsScheduling(pod({ schedulerName: "other" })), false);
    assert.equal(needsScheduling(pod({ schedulingGates: [{ name: "g" }] })), false);
    assert.equal(
      needsScheduling({ ...pod(), metadata: { name: "p", deletionTimestamp: "2024-01-01T00:00:00Z" } }),
      false,
    );
  });

  test("tolerations", () => {
    const t = { key: "k", value: "v", effect: "NoSchedule" };
    assert.equal(tolerates({ key: "k", operator: "Equal", value: "v" }, t), true);
    assert.equal(tolerates({ key: "k", value: "v", effect: "NoSchedule" }, t), true);
    assert.equal(tolerates({ key: "k", value: "w" }, t), false);
    assert.equal(tolerates({ key: "k", operator: "Exists" }, t), true);
    assert.equal(tolerates({ operator: "Exists" }, t), true);
    assert.equal(tolerates({ key: "k", operator: "Exists", effect: "NoExecute" }, t), false);
  });

  test("least pods wins, ties by name", () => {
    const nodes = [node("b"), node("a"), node("c")];
    const counts: Record<string, number> = { a: 2, b: 1, c: 1 };
    assert.deepEqual(
      schedule(pod(), nodes, (n) => counts[n]),
      { node: "b" },
    );
  });

  test("not-ready, unschedulable, selector, taints and full nodes are filtered with kube's reasons", () => {
    assert.equal(
      unfitReason(pod(), node("n", { ready: "False" }), 0),
      "node(s) had untolerated taint {node.kubernetes.io/not-ready: }",
    );
    assert.equal(
      unfitReason(pod(), node("n", { ready: "Unknown" }), 0),
      "node(s) had untolerated taint {node.kubernetes.io/unreachable: }",
    );
    assert.equal(
      unfitReason(
        pod({ tolerations: [{ key: "node.kubernetes.io/not-ready", operator: "Exists" }] }),
        node("n", { ready: "False" }),
        0,
      ),
      undefined,
    );
    assert.equal(
      unfitReason(pod(), node("n", { spec: { unschedulable: true } }), 0),
      "node(s) were unschedulable",
    );
    assert.equal(
      unfitReason(pod({ nodeSelector: { disk: "ssd" } }), node("n"), 0),
      "node(s) didn't match Pod's node affinity/selector",
    );
    assert.equal(
      unfitReason(pod({ nodeSelector: { disk: "ssd" } }), node("n", { labels: { disk: "ssd" } }), 0),
      undefined,
    );
    const tainted = node("n", {
      spec: { taints: [{ key: "dedicated", value: "db", effect: "NoSchedule" }] },
    });
    assert.equal(unfitReason(pod(), tainted, 0), "node(s) had untolerated taint {dedicated: db}");
    assert.equal(
      unfitReason(pod({ tolerations: [{ key: "dedicated", value: "db" }] }), tainted, 0),
      undefined,
    );
    const soft = node("n", { spec: { taints: [{ key: "x", effect: "PreferNoSchedule" }] } });
    assert.equal(unfitReason(pod(), soft, 0), undefined);
    assert.equal(unfitReason(pod(), node("n", { pods: "2" }), 2), "Too many pods");
  });

  test("required node affinity", () => {
    const affinity = (terms: unknown) => ({
      nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: terms } },
    });
    const zoneA = node("n1", { labels: { zone: "a", gen: "5" } });
    const p = (terms: unknown) => pod({ affinity: affinity(terms) as never });
    assert.equal(
      unfitReason(p([{ matchExpressions: [{ key: "zone", operator: "In", values: ["a", "b"] }] }]), zoneA, 0),
      undefined,
    );
    assert.equal(
      unfitReason(p([{ matchExpressions: [{ key: "gen", operator: "Gt", values: ["4"] }] }]), zoneA, 0),
      undefined,
    );
    assert.equal(
      unfitReason(p([{ matchFields: [{ key: "metadata.name", operator: "In", values: ["n1"] }] }]), zoneA, 0),
      undefined,
    );
    assert.equal(
      unfitReason(
        p([{ matchExpressions: [{ key: "zone", operator: "NotIn", values: ["a"] }] }, {}]),
        zoneA,
        0,
      ),
      "node(s) didn't match Pod's node affinity/selector",
    );
  });

  test("no fit: kube's FitError message", () => {
    const nodes = [
      node("a", { ready: "False" }),
      node("b", { ready: "False" }),
      node("c", { spec: { unschedulable: true } }),
    ];
    assert.deepEqual(
      schedule(pod(), nodes, () => 0),
      {
        unschedulable:
          "0/3 nodes are available: 1 node(s) were unschedulable, 2 node(s) had untolerated taint {node.kubernetes.io/not-ready: }. " +
          "preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.",
      },
    );
    assert.deepEqual(
      schedule(pod(), [], () => 0),
      { unschedulable: "no nodes available to schedule pods" },
    );
  });
});
