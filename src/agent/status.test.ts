import assert from "node:assert/strict";
import { test } from "node:test";
import { readyAt, recordedStart, runningStatus } from "./status.ts";
import type { Pod } from "./types.ts";

// kubelet's generateAPIPodStatus: conditions in kubelet's order, a condition's
// lastTransitionTime moves only when its status does, unready containers are named in
// ContainersNotReady, completed init containers are terminated/Completed and ready.

const start = new Date("2024-05-01T10:00:00Z");
const input = (now: Date) => ({ hostIPs: ["192.0.2.1"], runtimeName: "skiff-simulated", now });
const run = { startedAt: start, net: { podIP: "10.244.0.5", podIPs: ["10.244.0.5"] } };

function pod(): Pod {
  return {
    metadata: { name: "p", namespace: "default", uid: "u1" },
    spec: {
      initContainers: [{ name: "init", image: "busybox" }],
      containers: [
        { name: "a", image: "nginx" },
        { name: "b", image: "nginx", readinessProbe: { initialDelaySeconds: 5, httpGet: { port: 80 } } },
      ],
    },
    status: { phase: "Pending", qosClass: "BestEffort" },
  };
}

test("not ready until the probe delay, then ready; transition times follow status changes", () => {
  const p = pod();
  const first = runningStatus(p, run, input(new Date("2024-05-01T10:00:01Z")));
  assert.equal(first.nextChange, readyAt(p.spec.containers[1], start));
  assert.equal(first.nextChange, start.getTime() + 5000);
  const st = first.status;
  assert.equal(st.phase, "Running");
  assert.equal(st.qosClass, "BestEffort");
  assert.equal(st.startTime, "2024-05-01T10:00:00Z");
  assert.deepEqual(
    st.conditions?.map((c) => [c.type, c.status, c.reason ?? "", c.message ?? ""]),
    [
      ["PodReadyToStartContainers", "True", "", ""],
      ["Initialized", "True", "", ""],
      ["Ready", "False", "ContainersNotReady", "containers with unready status: [b]"],
      ["ContainersReady", "False", "ContainersNotReady", "containers with unready status: [b]"],
      ["PodScheduled", "True", "", ""],
    ],
  );
  assert.deepEqual(
    st.containerStatuses?.map((c) => [c.name, c.ready, c.started, c.restartCount]),
    [
      ["a", true, true, 0],
      ["b", false, true, 0],
    ],
  );
  assert.deepEqual(st.initContainerStatuses?.[0].state.terminated, {
    containerID: st.initContainerStatuses?.[0].containerID ?? "",
    exitCode: 0,
    finishedAt: "2024-05-01T10:00:00Z",
    reason: "Completed",
    startedAt: "2024-05-01T10:00:00Z",
  });
  assert.equal(st.initContainerStatuses?.[0].ready, true);

  const later = runningStatus({ ...p, status: st }, run, input(new Date("2024-05-01T10:00:06Z")));
  assert.equal(later.nextChange, undefined);
  const byType = new Map(later.status.conditions?.map((c) => [c.type, c]));
  assert.equal(byType.get("Ready")?.status, "True");
  assert.equal(byType.get("Ready")?.lastTransitionTime, "2024-05-01T10:00:06Z");
  assert.equal(byType.get("Ready")?.reason, undefined);
  assert.equal(byType.get("Initialized")?.lastTransitionTime, "2024-05-01T10:00:01Z");
  // Same inputs, same status: nothing to write.
  assert.deepEqual(
    runningStatus({ ...p, status: later.status }, run, input(new Date("2024-05-01T10:01:00Z"))).status,
    later.status,
  );
});

test("the scheduler's PodScheduled condition is kept", () => {
  const p = pod();
  const scheduled = {
    type: "PodScheduled",
    status: "True" as const,
    lastProbeTime: null,
    lastTransitionTime: "2024-05-01T09:59:59Z",
  };
  p.status = { ...p.status, conditions: [scheduled] };
  const st = runningStatus(p, run, input(start)).status;
  assert.deepEqual(st.conditions?.at(-1), scheduled);
});

test("a start recorded by an earlier run is found", () => {
  const p = pod();
  assert.equal(recordedStart(p), undefined);
  p.status = runningStatus(p, run, input(start)).status;
  assert.deepEqual(recordedStart(p), start);
});
