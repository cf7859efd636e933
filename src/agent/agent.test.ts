import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { waitFor } from "../../test/e2e/harness.ts";
import { startTestServer, type TestServer } from "../../test/e2e/testserver.ts";
import { isNotFound, loadKubeconfig, RestClient } from "../client/index.ts";
import { type Agent, startSimulatedAgent } from "./index.ts";
import { IPAllocator } from "./ipam.ts";
import { kinds } from "./kinds.ts";
import type { Lease, Node, Pod } from "./types.ts";

// Expectations follow kubelet 1.33: pkg/kubelet/nodestatus/setters.go (conditions, reasons,
// messages), nodelease (kube-node-lease, holder = node, 40 s), kubelet_pods.go
// generateAPIPodStatus (conditions, containerStatuses), kuberuntime_container.go and
// images/image_manager.go (event texts), and the status manager's final DELETE with grace 0.

let ts: TestServer;
let client: RestClient;
const ctl = new AbortController();
const agents: Agent[] = [];
const CIDR = "10.244.1.0/24";

async function agent(nodeName: string, podCIDR = CIDR, extra: { shutdownMs?: number } = {}): Promise<Agent> {
  const a = await startSimulatedAgent(client, {
    nodeName,
    podCIDR,
    signal: ctl.signal,
    nodeIPs: ["192.0.2.10"],
    leaseRenewIntervalMs: 100,
    statusUpdateIntervalMs: 60_000,
    log: () => {},
    ...extra,
  });
  agents.push(a);
  return a;
}

const pods = () => client.resource<Pod>(kinds.pods).namespace("default");

function pod(
  name: string,
  nodeName: string,
  containers: Pod["spec"]["containers"] = [{ name: "web", image: "nginx" }],
): Pod {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, namespace: "default" },
    spec: { nodeName, containers },
  };
}

const condition = (p: Pod, type: string) => p.status?.conditions?.find((c) => c.type === type);

async function running(name: string, ready = true): Promise<Pod> {
  return waitFor(`pod ${name} running`, async () => {
    const p = await pods().get(name);
    return p.status?.phase === "Running" && (condition(p, "Ready")?.status === "True") === ready
      ? p
      : undefined;
  });
}

async function eventsFor(name: string): Promise<
  Array<{
    reason: string;
    message: string;
    source: { component: string; host: string };
    involvedObject: { fieldPath?: string };
  }>
> {
  const list = await client.resource(kinds.events).namespace("default").list();
  return list.items
    .filter((e) => e.involvedObject?.name === name)
    .map((e) => ({
      reason: e.reason,
      message: e.message,
      source: e.source,
      involvedObject: e.involvedObject,
    }));
}

before(async () => {
  ts = await startTestServer();
  client = new RestClient(loadKubeconfig(ts.kubeconfig));
});
after(async () => {
  ctl.abort();
  await Promise.all(agents.map((a) => a.stop()));
  client.close();
  await ts.stop();
});

describe("simulated agent", () => {
  test("registers a Ready node with kubelet's labels, addresses, capacity and nodeInfo", async () => {
    await agent("node-a");
    const n = await client.resource<Node>(kinds.nodes).get("node-a");
    assert.equal(n.metadata.labels?.["kubernetes.io/hostname"], "node-a");
    assert.equal(n.metadata.labels?.["kubernetes.io/os"], "linux");
    assert.deepEqual(n.spec?.podCIDRs, [CIDR]);
    assert.equal(n.spec?.podCIDR, CIDR);
    const conds = (n.status?.conditions ?? []).map((c) => [c.type, c.status, c.reason, c.message]);
    assert.deepEqual(conds, [
      ["MemoryPressure", "False", "KubeletHasSufficientMemory", "kubelet has sufficient memory available"],
      ["DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure"],
      ["PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available"],
      ["Ready", "True", "KubeletReady", "kubelet is posting ready status"],
    ]);
    assert.deepEqual(n.status?.addresses, [
      { type: "InternalIP", address: "192.0.2.10" },
      { type: "Hostname", address: "node-a" },
    ]);
    const st = n.status as {
      capacity: Record<string, string>;
      allocatable: Record<string, string>;
      nodeInfo: Record<string, string>;
    };
    assert.equal(st.capacity.pods, "110");
    assert.match(st.capacity.cpu, /^\d+$/);
    assert.match(st.capacity.memory, /^\d+Ki$/);
    assert.equal(st.allocatable.pods, "110");
    assert.equal(st.nodeInfo.kubeletVersion, "v1.33.0");
    assert.match(st.nodeInfo.containerRuntimeVersion, /^skiff-simulated:\/\/\d/);
    assert.equal(st.nodeInfo.operatingSystem, "linux");
    assert.ok(st.nodeInfo.kernelVersion && st.nodeInfo.osImage && st.nodeInfo.architecture);
    // kubelet's node events (recordNodeStatusEvent; the node reference's UID is the node name).
    const evs = await waitFor("node events", async () => {
      const list = await client.resource(kinds.events).namespace("default").list();
      const mine = list.items.filter(
        (e) => e.involvedObject?.kind === "Node" && e.involvedObject?.name === "node-a",
      );
      return mine.length >= 6 ? mine : undefined;
    });
    assert.deepEqual(
      evs.map((e) => [e.reason, e.message]),
      [
        ["Starting", "Starting kubelet."],
        ["NodeHasSufficientMemory", "Node node-a status is now: NodeHasSufficientMemory"],
        ["NodeHasNoDiskPressure", "Node node-a status is now: NodeHasNoDiskPressure"],
        ["NodeHasSufficientPID", "Node node-a status is now: NodeHasSufficientPID"],
        ["NodeReady", "Node node-a status is now: NodeReady"],
        ["NodeAllocatableEnforced", "Updated Node Allocatable limit across pods"],
      ],
    );
    assert.equal(evs[0].involvedObject.uid, "node-a");
  });

  test("renews its Lease in kube-node-lease", async () => {
    const leases = client.resource<Lease>(kinds.leases).namespace("kube-node-lease");
    const first = await waitFor("lease", async () => {
      try {
        return await leases.get("node-a");
      } catch (e) {
        if (isNotFound(e)) return undefined;
        throw e;
      }
    });
    assert.equal(first.spec?.holderIdentity, "node-a");
    assert.equal(first.spec?.leaseDurationSeconds, 40);
    assert.deepEqual(
      first.metadata.ownerReferences?.map((r) => [r.apiVersion, r.kind, r.name]),
      [["v1", "Node", "node-a"]],
    );
    const renewed = await waitFor("lease renewal", async () => {
      const l = await leases.get("node-a");
      return l.spec?.renewTime !== first.spec?.renewTime ? l : undefined;
    });
    assert.ok(Date.parse(renewed.spec?.renewTime ?? "") > Date.parse(first.spec?.renewTime ?? ""));
  });

  test("a pod bound to the node runs with an IP from the CIDR, kubelet's status and events", async () => {
    await pods().create(pod("web-1", "node-a"));
    const p = await running("web-1");
    const cidr = new IPAllocator(CIDR);
    assert.ok(cidr.contains(p.status?.podIP ?? ""), p.status?.podIP);
    assert.deepEqual(p.status?.podIPs, [{ ip: p.status?.podIP }]);
    assert.equal(p.status?.hostIP, "192.0.2.10");
    assert.deepEqual(p.status?.hostIPs, [{ ip: "192.0.2.10" }]);
    assert.ok(p.status?.startTime);
    assert.equal(p.status?.qosClass, "BestEffort");
    assert.deepEqual(
      p.status?.conditions?.map((c) => [c.type, c.status]),
      [
        ["PodReadyToStartContainers", "True"],
        ["Initialized", "True"],
        ["Ready", "True"],
        ["ContainersReady", "True"],
        ["PodScheduled", "True"],
      ],
    );
    for (const c of p.status?.conditions ?? []) assert.ok(c.lastTransitionTime, c.type);
    const [cs] = p.status?.containerStatuses ?? [];
    assert.equal(cs.name, "web");
    assert.equal(cs.image, "docker.io/library/nginx:latest");
    assert.match(cs.imageID, /^docker\.io\/library\/nginx@sha256:[0-9a-f]{64}$/);
    assert.match(cs.containerID ?? "", /^skiff-simulated:\/\/[0-9a-f]{64}$/);
    assert.equal(cs.ready, true);
    assert.equal(cs.started, true);
    assert.equal(cs.restartCount, 0);
    assert.equal(cs.state.running?.startedAt, p.status?.startTime);
    const evs = await waitFor("kubelet events", async () => {
      const e = await eventsFor("web-1");
      return e.length >= 4 ? e : undefined;
    });
    assert.deepEqual(
      evs.map((e) => e.reason),
      ["Pulling", "Pulled", "Created", "Started"],
    );
    assert.match(
      evs[1].message,
      /^Successfully pulled image "nginx" in \S+ \(\S+ including waiting\)\. Image size: \d+ bytes\.$/,
    );
    assert.equal(evs[2].message, "Created container: web");
    assert.equal(evs[3].message, "Started container web");
    assert.deepEqual(evs[3].source, { component: "kubelet", host: "node-a" });
    assert.equal(evs[3].involvedObject.fieldPath, "spec.containers{web}");
    // The apiserver defaults imagePullPolicy to Always for an untagged image: kubelet pulls again.
    // A tagged image (IfNotPresent) is pulled once per node and then found present.
    for (const [name, image] of [
      ["web-2", "nginx"],
      ["tagged-1", "nginx:1.25"],
      ["tagged-2", "nginx:1.25"],
    ]) {
      await pods().create(pod(name, "node-a", [{ name: "web", image }]));
      await running(name);
    }
    const firstEvent = async (name: string) =>
      waitFor(`events of ${name}`, async () => {
        const e = await eventsFor(name);
        return e.length >= 3 ? [e[0].reason, e[0].message] : undefined;
      });
    assert.deepEqual(await firstEvent("web-2"), ["Pulling", 'Pulling image "nginx"']);
    assert.deepEqual(await firstEvent("tagged-1"), ["Pulling", 'Pulling image "nginx:1.25"']);
    assert.deepEqual(await firstEvent("tagged-2"), [
      "Pulled",
      'Container image "nginx:1.25" already present on machine',
    ]);
  });

  test("readiness waits for the readinessProbe's initialDelaySeconds", async () => {
    const t0 = Date.now();
    await pods().create(
      pod("slow", "node-a", [
        {
          name: "app",
          image: "nginx",
          readinessProbe: { httpGet: { path: "/", port: 80 }, initialDelaySeconds: 1, periodSeconds: 10 },
        },
      ]),
    );
    const notReady = await running("slow", false);
    assert.deepEqual(
      [condition(notReady, "Ready")?.reason, condition(notReady, "Ready")?.message],
      ["ContainersNotReady", "containers with unready status: [app]"],
    );
    assert.equal(notReady.status?.containerStatuses?.[0].ready, false);
    const ready = await running("slow", true);
    assert.ok(Date.now() - t0 >= 1000, "ready before the initial delay");
    assert.equal(ready.status?.containerStatuses?.[0].ready, true);
  });

  test("graceful deletion completes promptly and records Killing", async () => {
    await pods().create(pod("doomed", "node-a"));
    await running("doomed");
    const t0 = Date.now();
    const answer = (await pods().delete("doomed")) as Pod;
    // The apiserver keeps the pod (grace 30 s) until the node confirms.
    assert.ok(answer.metadata.deletionTimestamp);
    await waitFor(
      "pod gone",
      async () => {
        try {
          await pods().get("doomed");
          return undefined;
        } catch (e) {
          if (isNotFound(e)) return true;
          throw e;
        }
      },
      3000,
    );
    assert.ok(Date.now() - t0 < 1500, `took ${Date.now() - t0} ms`);
    const evs = await waitFor("Killing event", async () => {
      const e = (await eventsFor("doomed")).filter((x) => x.reason === "Killing");
      return e.length > 0 ? e : undefined;
    });
    assert.equal(evs[0].message, "Stopping container web");
  });

  test("pods bound to other nodes are left alone; host-network pods use the node's IP", async () => {
    await pods().create(pod("elsewhere", "node-z"));
    const host = pod("host", "node-a");
    host.spec.hostNetwork = true;
    await pods().create(host);
    const h = await running("host");
    assert.equal(h.status?.podIP, "192.0.2.10");
    const other = await pods().get("elsewhere");
    assert.equal(other.status?.phase, "Pending");
    assert.equal(other.status?.podIP, undefined);
  });

  test("a restarted agent keeps running pods' IPs and never hands one out twice", async () => {
    const cidr = "10.244.9.0/24";
    const first = await agent("node-r", cidr);
    for (const n of ["r1", "r2", "r3"]) await pods().create(pod(n, "node-r"));
    const before = await Promise.all(["r1", "r2", "r3"].map((n) => running(n)));
    await first.stop();
    await agent("node-r", cidr);
    for (const n of ["r4", "r5", "r6"]) await pods().create(pod(n, "node-r"));
    const afterRestart = await Promise.all(["r1", "r2", "r3", "r4", "r5", "r6"].map((n) => running(n)));
    const ips = afterRestart.map((p) => p.status?.podIP);
    assert.equal(new Set(ips).size, 6, ips.join(" "));
    assert.deepEqual(
      ips.slice(0, 3),
      before.map((p) => p.status?.podIP),
    );
    // The recovered pods kept their start time (no restart seen by clients).
    assert.deepEqual(
      afterRestart.slice(0, 3).map((p) => p.status?.startTime),
      before.map((p) => p.status?.startTime),
    );
  });

  test("a pod deleted while its node's agent was down is confirmed when the agent starts", async () => {
    await pods().create(pod("orphan", "node-late"));
    const marked = (await pods().delete("orphan")) as Pod;
    assert.ok(marked.metadata.deletionTimestamp, "kept until the node confirms");
    await agent("node-late", "10.244.7.0/24");
    await waitFor("orphan gone", async () => {
      try {
        await pods().get("orphan");
        return undefined;
      } catch (e) {
        if (isNotFound(e)) return true;
        throw e;
      }
    });
    // It never ran here, so nothing was stopped.
    assert.deepEqual(
      (await eventsFor("orphan")).map((e) => e.reason),
      [],
    );
  });

  test("a bad pod CIDR is refused before anything is registered", async () => {
    await assert.rejects(agent("node-bad", "10.0.0.0"), /invalid pod CIDR/);
    await assert.rejects(client.resource<Node>(kinds.nodes).get("node-bad"), (e) => isNotFound(e));
  });
});
