/**
 * The endpoint controllers at scale: S Services × P pods on simulated nodes, in K namespaces.
 *
 * What is measured is the controllers, not the node agents: the bench writes the cluster the
 * agents would have produced (Nodes that are Ready; pods bound to them with status set through
 * pods/status: Running, an IP, Ready=True) into a fresh `skiff apiserver`, then starts
 * `skiff controllers` cold (empty caches) and times, from its ready line, until every Service's
 * EndpointSlices (and Endpoints) are correct, as seen through watches from the bench. Then F
 * single-pod readiness flips (pods/status Ready=False, as a kubelet does when a probe fails),
 * each timed until its slice shows the endpoint not ready. The peer is the apiserver alone
 * writing the same final objects (every slice and Endpoints the controllers produced) at
 * concurrency 64 once the controllers are stopped: the floor a controller cannot beat.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  type Client as BenchClient,
  Client,
  cpuMs,
  expectStatus,
  fmt,
  load,
  rssMiB,
  runPool,
  type Stats,
  sampleRss,
  startApiserver,
  stats,
} from "../apiserver/lib.ts";
import {
  benchPort,
  EndpointExpectations,
  type EndpointsObject,
  type SliceObject,
  type WatchLine,
} from "./expect.ts";
import { startControllers } from "./procs.ts";

export interface ControllersBenchOptions {
  services: number;
  podsPerService: number;
  namespaces: number;
  nodes: number;
  flips: number;
  /** Deadline for seeding and for the cold start, each. */
  deadlineMs: number;
}

export const defaults: ControllersBenchOptions = {
  services: 10_000,
  podsPerService: 3,
  namespaces: 100,
  nodes: 100,
  flips: 20,
  deadlineMs: 240_000,
};

export interface ControllersBenchResult {
  opts: ControllersBenchOptions;
  loadStart: string;
  loadEnd: string;
  seed: {
    objects: number;
    seconds: number;
    writes: number;
    writesPerSec: number;
    apiserverCpuMsPerWrite: number;
  };
  cold: {
    /** From the controllers' ready line. */
    slicesMs: number;
    endpointsMs: number;
    /** Process start to ready line (module loading). */
    startupMs: number;
    controllersCpuMs: number;
    apiserverCpuMs: number;
    sliceEvents: number;
    endpointsEvents: number;
  };
  flip: { sendToSlice: Stats; responseToSlice: Stats; sendToEndpoints: Stats };
  rss: { ready: number; peak: number; synced: number; afterFlips: number };
  floor: { objects: number; ms: number; perSec: number; apiserverCpuMs: number };
}

type Log = (msg: string) => void;

interface Obj {
  metadata: { name: string; namespace?: string; resourceVersion?: string };
  status?: Record<string, unknown>;
}

const podIP = (p: number) => {
  const v = p + 1;
  return `10.${128 + ((v >> 16) & 127)}.${(v >> 8) & 255}.${v & 255}`;
};

function conditions(ready: boolean) {
  const t = new Date().toISOString().replace(/\.\d+Z$/, "Z");
  const c = (type: string, on: boolean) => ({ type, status: on ? "True" : "False", lastTransitionTime: t });
  return [
    c("PodReadyToStartContainers", true),
    c("Initialized", true),
    c("Ready", ready),
    c("ContainersReady", ready),
    c("PodScheduled", true),
  ];
}

async function must(c: BenchClient, method: string, path: string, body: unknown, want: number, what: string) {
  const r = await c.request(method, path, body);
  expectStatus(r, want, what);
  return r;
}

/** Open a watch from now on a resource across all namespaces. */
async function watchAll(c: BenchClient, path: string, onEvent: (line: string) => void) {
  const list = await must(c, "GET", `${path}?limit=1`, undefined, 200, `list ${path}`);
  const rv = (JSON.parse(list.body) as { metadata: { resourceVersion: string } }).metadata.resourceVersion;
  const w = c.stream(`${path}?watch=1&resourceVersion=${rv}&timeoutSeconds=3600`, onEvent);
  const code = await w.connected;
  if (code !== 200) throw new Error(`watch ${path}: HTTP ${code}`);
  return w;
}

function waitUntil(
  what: string,
  cond: () => boolean,
  register: (cb: () => boolean) => void,
  deadlineMs: number,
): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    if (cond()) return resolve(performance.now());
    const timer = setTimeout(
      () => reject(new Error(`timed out after ${deadlineMs} ms waiting for ${what}`)),
      deadlineMs,
    );
    register(() => {
      if (!cond()) return false;
      clearTimeout(timer);
      resolve(performance.now());
      return true;
    });
  });
}

export async function benchControllers(
  opts: ControllersBenchOptions,
  log: Log,
): Promise<ControllersBenchResult> {
  const loadStart = load();
  const api = await startApiserver();
  const c = new Client(api.endpoint, 64);
  const watches: Array<{ close(): void }> = [];
  let controllers: Awaited<ReturnType<typeof startControllers>> | undefined;
  try {
    const { services: S, podsPerService: P, namespaces: K, nodes: M } = opts;
    const nsOf = (i: number) => `bench-${i % K}`;
    const exp = new EndpointExpectations();
    // Waiters are re-checked on every watch event.
    const waiters = new Set<() => boolean>();
    exp.onChange = () => {
      for (const w of [...waiters]) if (w()) waiters.delete(w);
    };
    const register = (cb: () => boolean) => waiters.add(cb);

    // --- Seed the cluster an agent per node would have produced.
    log(`seeding ${K} namespaces, ${M} nodes, ${S} services, ${S * P} pods`);
    const t0 = performance.now();
    const seedCpu0 = cpuMs(api.pid);
    const deadline = t0 + opts.deadlineMs;
    let writes = 0;
    const w = async (method: string, path: string, body: unknown, want: number, what: string) => {
      const r = await must(c, method, path, body, want, what);
      writes++;
      return JSON.parse(r.body) as Obj;
    };
    await runPool(K, 16, deadline, async (i) => {
      await w("POST", "/api/v1/namespaces", { metadata: { name: `bench-${i}` } }, 201, "namespace");
    });
    await runPool(M, 16, deadline, async (i) => {
      const zone = `zone-${"abc"[i % 3]}`;
      const name = `node-${i}`;
      const n = await w(
        "POST",
        "/api/v1/nodes",
        {
          metadata: { name, labels: { "topology.kubernetes.io/zone": zone, "kubernetes.io/hostname": name } },
        },
        201,
        "node",
      );
      n.status = {
        conditions: [{ type: "Ready", status: "True", reason: "KubeletReady", message: "simulated" }],
        addresses: [{ type: "InternalIP", address: `192.168.${i >> 8}.${(i & 255) + 1}` }],
        allocatable: { pods: "1000" },
        capacity: { pods: "1000" },
      };
      await w("PUT", `/api/v1/nodes/${name}/status`, n, 200, "node status");
    });
    const svcsDone = await runPool(S, 64, deadline, async (i) => {
      await w(
        "POST",
        `/api/v1/namespaces/${nsOf(i)}/services`,
        {
          metadata: { name: `svc-${i}` },
          spec: {
            selector: { app: `svc-${i}` },
            ports: [{ name: benchPort.name, port: 80, targetPort: benchPort.port }],
          },
        },
        201,
        "service",
      );
    });
    if (svcsDone !== S) throw new Error(`seeding: only ${svcsDone} of ${S} services before the deadline`);
    log(`  ${S} services in ${fmt((performance.now() - t0) / 1000)} s`);
    const podsDone = await runPool(S * P, 64, deadline, async (p) => {
      const i = Math.floor(p / P);
      const ns = nsOf(i);
      const name = `svc-${i}-${p % P}`;
      const pod = await w(
        "POST",
        `/api/v1/namespaces/${ns}/pods`,
        {
          metadata: { name, labels: { app: `svc-${i}` } },
          spec: {
            nodeName: `node-${p % M}`,
            containers: [
              { name: "app", image: "nginx", ports: [{ name: "http", containerPort: benchPort.port }] },
            ],
          },
        },
        201,
        "pod",
      );
      const ip = podIP(p);
      pod.status = {
        phase: "Running",
        hostIP: "127.0.0.1",
        podIP: ip,
        podIPs: [{ ip }],
        startTime: new Date().toISOString().replace(/\.\d+Z$/, "Z"),
        conditions: conditions(true),
      };
      await w("PUT", `/api/v1/namespaces/${ns}/pods/${name}/status`, pod, 200, "pod status");
      exp.expect(`${ns}/svc-${i}`, ip, true);
      if ((p + 1) % 5000 === 0) log(`  ${p + 1} pods`);
    });
    if (podsDone !== S * P) throw new Error(`seeding: only ${podsDone} of ${S * P} pods before the deadline`);
    const seedSeconds = (performance.now() - t0) / 1000;
    const seedCpuMs = cpuMs(api.pid) - seedCpu0;
    const seedObjects = K + M + S + S * P;
    log(`seeded ${seedObjects} objects with ${writes} writes in ${fmt(seedSeconds)} s`);

    // --- Watch the controllers' output, then start them cold.
    watches.push(
      await watchAll(c, "/apis/discovery.k8s.io/v1/endpointslices", (line) =>
        exp.applySlice(JSON.parse(line) as WatchLine<SliceObject>),
      ),
      await watchAll(c, "/api/v1/endpoints", (line) =>
        exp.applyEndpoints(JSON.parse(line) as WatchLine<EndpointsObject>),
      ),
    );
    const spawnAt = performance.now();
    const apiCpu0 = cpuMs(api.pid);
    controllers = await startControllers(join(api.dataDir, "kubeconfig"));
    const ready = controllers.readyAt;
    const ctlCpu0 = cpuMs(controllers.pid);
    const rssReady = rssMiB(controllers.pid);
    const rss = sampleRss(controllers.pid, 100);
    log(
      `controllers ready (pid ${controllers.pid}) after ${fmt(ready - spawnAt, 0)} ms; waiting for ${S} services`,
    );
    const progress = setInterval(
      () => log(`  slices correct ${exp.correctSlices}/${S}, endpoints ${exp.correctEndpoints}/${S}`),
      10_000,
    );
    let slicesAt: number;
    let endpointsAt: number;
    try {
      [slicesAt, endpointsAt] = await Promise.all([
        waitUntil("every EndpointSlice", () => exp.correctSlices === S, register, opts.deadlineMs),
        waitUntil("every Endpoints", () => exp.correctEndpoints === S, register, opts.deadlineMs),
      ]);
    } catch (e) {
      throw new Error(
        `${(e as Error).message}; controllers stderr tail:\n${controllers.errors().slice(-2000)}`,
      );
    } finally {
      clearInterval(progress);
    }
    const cold = {
      slicesMs: slicesAt - ready,
      endpointsMs: endpointsAt - ready,
      startupMs: ready - spawnAt,
      controllersCpuMs: cpuMs(controllers.pid) - ctlCpu0,
      apiserverCpuMs: cpuMs(api.pid) - apiCpu0,
      sliceEvents: exp.writes.slices,
      endpointsEvents: exp.writes.endpoints,
    };
    const rssSynced = rssMiB(controllers.pid);
    log(
      `cold start: slices ${fmt(cold.slicesMs / 1000, 2)} s, endpoints ${fmt(cold.endpointsMs / 1000, 2)} s`,
    );

    // --- Single-pod readiness flips, one at a time.
    const sendToSlice: number[] = [];
    const responseToSlice: number[] = [];
    const sendToEndpoints: number[] = [];
    for (let f = 0; f < opts.flips; f++) {
      const i = (f * 7919 + 13) % S;
      const p = i * P + (f % P);
      const ns = nsOf(i);
      const name = `svc-${i}-${p % P}`;
      const key = `${ns}/svc-${i}`;
      const g = await must(c, "GET", `/api/v1/namespaces/${ns}/pods/${name}`, undefined, 200, "get pod");
      const pod = JSON.parse(g.body) as Obj;
      pod.status = { ...pod.status, conditions: conditions(false) };
      exp.expect(key, podIP(p), false);
      const sent = performance.now();
      const sliceSeen = waitUntil(`flip ${f} in the slice`, () => exp.sliceCorrect(key), register, 30_000);
      const epSeen = waitUntil(`flip ${f} in Endpoints`, () => exp.endpointsCorrect(key), register, 30_000);
      const r = await c.request("PUT", `/api/v1/namespaces/${ns}/pods/${name}/status`, pod);
      expectStatus(r, 200, "flip pod status");
      const answered = performance.now();
      const [s, e] = await Promise.all([sliceSeen, epSeen]);
      sendToSlice.push(s - sent);
      responseToSlice.push(Math.max(0, s - answered));
      sendToEndpoints.push(e - sent);
    }
    const rssPeak = rss.stop();
    const rssAfter = rssMiB(controllers.pid);
    log(`flips: p50 ${fmt(stats(sendToSlice).p50)} ms from send to slice`);
    await controllers.stop();
    controllers = undefined;
    for (const wch of watches.splice(0)) wch.close();

    // --- The floor: the apiserver alone writing the same final objects.
    const slices = exp.allSlices().map((s) => ({
      apiVersion: "discovery.k8s.io/v1",
      kind: "EndpointSlice",
      metadata: {
        name: `${s.metadata.name}-copy`,
        namespace: s.metadata.namespace,
        labels: { ...s.metadata.labels, "endpointslice.kubernetes.io/managed-by": "bench-copy" },
      },
      addressType: s.addressType,
      endpoints: s.endpoints,
      ports: s.ports,
    }));
    const eps = exp.allEndpoints().map((e) => ({
      apiVersion: "v1",
      kind: "Endpoints",
      metadata: { name: `${e.metadata.name}-copy`, namespace: e.metadata.namespace },
      subsets: e.subsets,
    }));
    const copies: Array<{ path: string; body: { metadata: { namespace?: string } } }> = [
      ...slices.map((b) => ({
        path: `/apis/discovery.k8s.io/v1/namespaces/${b.metadata.namespace}/endpointslices`,
        body: b,
      })),
      ...eps.map((b) => ({ path: `/api/v1/namespaces/${b.metadata.namespace}/endpoints`, body: b })),
    ];
    log(`floor: writing ${copies.length} copies of the controllers' objects`);
    const f0 = performance.now();
    const floorCpu0 = cpuMs(api.pid);
    const floorDone = await runPool(copies.length, 64, f0 + opts.deadlineMs, async (n) => {
      await must(c, "POST", copies[n].path, copies[n].body, 201, "copy");
    });
    const floorMs = performance.now() - f0;
    const floorCpuMs = cpuMs(api.pid) - floorCpu0;
    if (floorDone !== copies.length) throw new Error(`floor: only ${floorDone} of ${copies.length} written`);

    return {
      opts,
      loadStart,
      loadEnd: load(),
      seed: {
        objects: seedObjects,
        seconds: seedSeconds,
        writes,
        writesPerSec: writes / seedSeconds,
        apiserverCpuMsPerWrite: seedCpuMs / writes,
      },
      cold,
      flip: {
        sendToSlice: stats(sendToSlice),
        responseToSlice: stats(responseToSlice),
        sendToEndpoints: stats(sendToEndpoints),
      },
      rss: { ready: rssReady, peak: rssPeak, synced: rssSynced, afterFlips: rssAfter },
      floor: {
        objects: copies.length,
        ms: floorMs,
        perSec: copies.length / (floorMs / 1000),
        apiserverCpuMs: floorCpuMs,
      },
    };
  } finally {
    for (const wch of watches) wch.close();
    await controllers?.stop();
    c.close();
    await api.stop();
  }
}

export function controllersReport(r: ControllersBenchResult): string {
  const o = r.opts;
  const pods = o.services * o.podsPerService;
  const coldWall = Math.max(r.cold.slicesMs, r.cold.endpointsMs);
  const lines = [
    `### Controllers: ${o.services.toLocaleString("en")} Services × ${o.podsPerService} pods (${pods.toLocaleString("en")} pods) in ${o.namespaces} namespaces on ${o.nodes} simulated nodes`,
    "",
    `Load average ${r.loadStart} at the start; ${r.loadEnd} at the end.`,
    "",
    `Seeding (the bench writing what node agents would: namespaces, Ready Nodes, Services, pods and their status): ${r.seed.writes.toLocaleString("en")} writes in ${fmt(r.seed.seconds)} s = ${fmt(r.seed.writesPerSec, 0)} writes/s at concurrency 64; apiserver CPU ${fmt(r.seed.apiserverCpuMsPerWrite * 1000, 0)} µs per write.`,
    "",
    "#### Cold start of `skiff controllers` (times from its ready line)",
    "",
    "| measure | value |",
    "| --- | --- |",
    `| every EndpointSlice correct | **${fmt(r.cold.slicesMs / 1000, 2)} s** |`,
    `| every Endpoints correct | ${fmt(r.cold.endpointsMs / 1000, 2)} s |`,
    `| process start → ready line | ${fmt(r.cold.startupMs / 1000, 2)} s |`,
    `| slice / Endpoints writes seen by the watches | ${r.cold.sliceEvents.toLocaleString("en")} / ${r.cold.endpointsEvents.toLocaleString("en")} |`,
    `| controllers CPU (user+sys) | ${fmt(r.cold.controllersCpuMs / 1000, 2)} s (${fmt((r.cold.controllersCpuMs * 1000) / o.services, 0)} µs per Service) |`,
    `| apiserver CPU meanwhile | ${fmt(r.cold.apiserverCpuMs / 1000, 2)} s |`,
    `| floor: the apiserver alone creating the same ${r.floor.objects.toLocaleString("en")} final objects (concurrency 64) | ${fmt(r.floor.ms / 1000, 2)} s (${fmt(r.floor.perSec, 0)}/s) |`,
    `| controllers ÷ floor (wall, both kinds done) | **${fmt(coldWall / r.floor.ms, 2)}×** |`,
    `| apiserver CPU: cold start ÷ floor (reads, watches and writes vs the writes alone) | ${fmt(r.cold.apiserverCpuMs / r.floor.apiserverCpuMs, 2)}× (${fmt(r.cold.apiserverCpuMs / 1000, 2)} s vs ${fmt(r.floor.apiserverCpuMs / 1000, 2)} s) |`,
    "",
    `#### One pod's readiness flips (pods/status Ready=False), ${r.flip.sendToSlice.n} flips one at a time`,
    "",
    "| until | p50 ms | p99 ms | max ms |",
    "| --- | --- | --- | --- |",
    `| its EndpointSlice shows ready=false, from the status write's send | ${fmt(r.flip.sendToSlice.p50)} | ${fmt(r.flip.sendToSlice.p99)} | ${fmt(r.flip.sendToSlice.max)} |`,
    `| the same, from the write's response | ${fmt(r.flip.responseToSlice.p50)} | ${fmt(r.flip.responseToSlice.p99)} | ${fmt(r.flip.responseToSlice.max)} |`,
    `| its Endpoints lists it under notReadyAddresses, from send | ${fmt(r.flip.sendToEndpoints.p50)} | ${fmt(r.flip.sendToEndpoints.p99)} | ${fmt(r.flip.sendToEndpoints.max)} |`,
    "",
    "#### Memory of the controllers process (VmRSS)",
    "",
    "| at | MiB |",
    "| --- | --- |",
    `| ready line (caches empty) | ${fmt(r.rss.ready)} |`,
    `| every slice correct | ${fmt(r.rss.synced)} |`,
    `| peak (sampled every 100 ms) | ${fmt(r.rss.peak)} |`,
    `| after the flips | ${fmt(r.rss.afterFlips)} |`,
    `| per 1,000 pods (after flips − ready) | ${fmt(((r.rss.afterFlips - r.rss.ready) * 1000) / pods, 2)} |`,
    "",
  ];
  return lines.join("\n");
}

/** Save the raw numbers. */
export function saveJson(path: string, r: ControllersBenchResult): void {
  writeFileSync(path, `${JSON.stringify(r, null, 2)}\n`);
}
