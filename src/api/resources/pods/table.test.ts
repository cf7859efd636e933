import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { KubeObject } from "../../machinery/types.ts";
import { table } from "./table.ts";

// Expectations follow kube's printPod (pkg/printers/internalversion/printers.go) and its tests.
const now = new Date("2024-05-01T12:00:00Z");
const created = "2024-05-01T11:00:00Z"; // AGE 60m

function pod(spec: object, status: object, meta: object = {}): KubeObject {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: "web", namespace: "default", creationTimestamp: created, ...meta },
    spec: { containers: [{ name: "c", image: "nginx" }], ...spec },
    status,
  };
}

/** NAME READY STATUS RESTARTS AGE */
function main(o: KubeObject): unknown[] {
  return table.cells(o, now).slice(0, 5);
}

const running = { running: { startedAt: "2024-05-01T11:00:05Z" } };

describe("pod table", () => {
  test("columns and priorities", () => {
    assert.deepEqual(
      table.columns.map((c) => [c.name, c.type, c.format, c.priority]),
      [
        ["Name", "string", "name", 0],
        ["Ready", "string", "", 0],
        ["Status", "string", "", 0],
        ["Restarts", "string", "", 0],
        ["Age", "string", "", 0],
        ["IP", "string", "", 1],
        ["Node", "string", "", 1],
        ["Nominated Node", "string", "", 1],
        ["Readiness Gates", "string", "", 1],
      ],
    );
  });

  test("Running: ready count out of all containers", () => {
    const o = pod(
      { containers: [{ name: "a" }, { name: "b" }] },
      {
        phase: "Running",
        containerStatuses: [
          { name: "a", ready: true, restartCount: 3, state: running },
          { name: "b", ready: false, restartCount: 0, state: running },
        ],
      },
    );
    assert.deepEqual(main(o), ["web", "1/2", "Running", "3", "60m"]);
  });

  test("Pending without container statuses", () => {
    assert.deepEqual(main(pod({}, { phase: "Pending" })), ["web", "0/1", "Pending", "0", "60m"]);
  });

  test("ContainerCreating from the waiting reason", () => {
    const o = pod(
      {},
      {
        phase: "Pending",
        containerStatuses: [{ name: "c", state: { waiting: { reason: "ContainerCreating" } } }],
      },
    );
    assert.deepEqual(main(o), ["web", "0/1", "ContainerCreating", "0", "60m"]);
  });

  test("CrashLoopBackOff with restarts and the time of the last one", () => {
    const o = pod(
      {},
      {
        phase: "Running",
        containerStatuses: [
          {
            name: "c",
            restartCount: 5,
            state: { waiting: { reason: "CrashLoopBackOff" } },
            lastState: { terminated: { exitCode: 1, reason: "Error", finishedAt: "2024-05-01T11:55:00Z" } },
          },
        ],
      },
    );
    assert.deepEqual(main(o), ["web", "0/1", "CrashLoopBackOff", "5 (5m ago)", "60m"]);
  });

  test("Completed from the terminated reason", () => {
    const o = pod(
      {},
      {
        phase: "Succeeded",
        containerStatuses: [{ name: "c", state: { terminated: { exitCode: 0, reason: "Completed" } } }],
      },
    );
    assert.deepEqual(main(o), ["web", "0/1", "Completed", "0", "60m"]);
  });

  test("terminated without a reason prints ExitCode:N or Signal:N", () => {
    const exit = pod(
      {},
      { phase: "Failed", containerStatuses: [{ name: "c", state: { terminated: { exitCode: 2 } } }] },
    );
    assert.equal(main(exit)[2], "ExitCode:2");
    const sig = pod(
      {},
      {
        phase: "Failed",
        containerStatuses: [{ name: "c", state: { terminated: { exitCode: 137, signal: 9 } } }],
      },
    );
    assert.equal(main(sig)[2], "Signal:9");
  });

  test("Completed turns back to Running/NotReady while another container runs", () => {
    const statuses = [
      { name: "a", state: { terminated: { exitCode: 0, reason: "Completed" } } },
      { name: "b", ready: true, state: running },
    ];
    const spec = { containers: [{ name: "a" }, { name: "b" }] };
    const ready = pod(spec, {
      phase: "Running",
      conditions: [{ type: "Ready", status: "True" }],
      containerStatuses: statuses,
    });
    assert.deepEqual(main(ready).slice(1, 3), ["1/2", "Running"]);
    const notReady = pod(spec, { phase: "Running", containerStatuses: statuses });
    assert.deepEqual(main(notReady).slice(1, 3), ["1/2", "NotReady"]);
  });

  test("Terminating when a deletion timestamp is set, unless the pod already finished", () => {
    const st = { phase: "Running", containerStatuses: [{ name: "c", ready: true, state: running }] };
    const o = pod({}, st, { deletionTimestamp: "2024-05-01T11:59:00Z" });
    assert.deepEqual(main(o), ["web", "1/1", "Terminating", "0", "60m"]);
    const done = pod(
      {},
      {
        phase: "Succeeded",
        containerStatuses: [{ name: "c", state: { terminated: { exitCode: 0, reason: "Completed" } } }],
      },
      { deletionTimestamp: "2024-05-01T11:59:00Z" },
    );
    assert.equal(main(done)[2], "Completed");
  });

  test("a deleting pod on a lost node is Unknown", () => {
    const o = pod(
      {},
      { phase: "Running", reason: "NodeLost" },
      { deletionTimestamp: "2024-05-01T11:59:00Z" },
    );
    assert.equal(main(o)[2], "Unknown");
  });

  test("pod-level reason wins over the phase (Evicted)", () => {
    assert.equal(main(pod({}, { phase: "Failed", reason: "Evicted" }))[2], "Evicted");
  });

  test("SchedulingGated from the PodScheduled condition", () => {
    const o = pod(
      {},
      {
        phase: "Pending",
        conditions: [{ type: "PodScheduled", status: "False", reason: "SchedulingGated" }],
      },
    );
    assert.equal(main(o)[2], "SchedulingGated");
  });

  describe("init containers", () => {
    const spec = { initContainers: [{ name: "init" }], containers: [{ name: "c" }] };
    const mainWaiting = [{ name: "c", state: { waiting: { reason: "PodInitializing" } } }];

    test("Init:0/1 while the first init container runs", () => {
      const o = pod(spec, {
        phase: "Pending",
        initContainerStatuses: [{ name: "init", state: running }],
        containerStatuses: mainWaiting,
      });
      assert.deepEqual(main(o), ["web", "0/1", "Init:0/1", "0", "60m"]);
    });

    test("Init:1/2 after the first of two init containers finished", () => {
      const o = pod(
        { initContainers: [{ name: "i1" }, { name: "i2" }], containers: [{ name: "c" }] },
        {
          phase: "Pending",
          initContainerStatuses: [
            { name: "i1", state: { terminated: { exitCode: 0, reason: "Completed" } } },
            { name: "i2", state: running },
          ],
          containerStatuses: mainWaiting,
        },
      );
      assert.equal(main(o)[2], "Init:1/2");
    });

    test("Init:<waiting reason> and init restarts count", () => {
      const o = pod(spec, {
        phase: "Pending",
        initContainerStatuses: [
          {
            name: "init",
            restartCount: 4,
            state: { waiting: { reason: "CrashLoopBackOff" } },
            lastState: { terminated: { exitCode: 1, finishedAt: "2024-05-01T11:58:00Z" } },
          },
        ],
        containerStatuses: mainWaiting,
      });
      assert.deepEqual(main(o), ["web", "0/1", "Init:CrashLoopBackOff", "4 (2m ago)", "60m"]);
    });

    test("Init:Error, Init:ExitCode:N and Init:Signal:N for failed init containers", () => {
      const failed = (terminated: object) =>
        main(
          pod(spec, { phase: "Pending", initContainerStatuses: [{ name: "init", state: { terminated } }] }),
        )[2];
      assert.equal(failed({ exitCode: 1, reason: "Error" }), "Init:Error");
      assert.equal(failed({ exitCode: 3 }), "Init:ExitCode:3");
      assert.equal(failed({ exitCode: 143, signal: 15 }), "Init:Signal:15");
    });

    test("PodInitializing once init containers are done", () => {
      const o = pod(spec, {
        phase: "Pending",
        initContainerStatuses: [
          { name: "init", state: { terminated: { exitCode: 0, reason: "Completed" } } },
        ],
        containerStatuses: mainWaiting,
      });
      assert.equal(main(o)[2], "PodInitializing");
    });

    test("a started sidecar counts as a container and its readiness counts", () => {
      const o = pod(
        { initContainers: [{ name: "side", restartPolicy: "Always" }], containers: [{ name: "c" }] },
        {
          phase: "Running",
          conditions: [{ type: "Initialized", status: "True" }],
          initContainerStatuses: [
            { name: "side", started: true, ready: true, restartCount: 1, state: running },
          ],
          containerStatuses: [{ name: "c", ready: true, restartCount: 2, state: running }],
        },
      );
      assert.deepEqual(main(o), ["web", "2/2", "Running", "3", "60m"]);
    });
  });

  test("wide cells: IP, node, nominated node, readiness gates", () => {
    const o = pod(
      {
        nodeName: "node-1",
        readinessGates: [{ conditionType: "example.com/a" }, { conditionType: "example.com/b" }],
      },
      {
        phase: "Running",
        podIP: "10.244.0.5",
        podIPs: [{ ip: "10.244.0.5" }, { ip: "fd00::5" }],
        conditions: [
          { type: "example.com/a", status: "True" },
          { type: "example.com/b", status: "False" },
        ],
      },
    );
    assert.deepEqual(table.cells(o, now).slice(5), ["10.244.0.5", "node-1", "<none>", "1/2"]);
    assert.deepEqual(table.cells(pod({}, {}), now).slice(5), ["<none>", "<none>", "<none>", "<none>"]);
  });

  test("one cell per column", () => {
    assert.equal(table.cells(pod({}, {}), now).length, table.columns.length);
  });
});
