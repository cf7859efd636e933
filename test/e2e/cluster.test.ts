/**
 * Acceptance of "Services, Endpoints and workloads" with real kubectl 1.33 against
 * `skiff up --runtime simulated`: seed 001's walkthrough, every Service type of the seeds,
 * scale / rollout status / rolling update watched through the EndpointSlice, kube's events in
 * `describe`, and allocations that survive a restart. One `skiff up` serves every test but the
 * restart one; each test works in a namespace of its own.
 */
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { parseAllDocuments } from "yaml";
import {
  apiClient,
  type KubectlResult,
  kubectl,
  ok,
  parseTable,
  removeDir,
  type SkiffProcess,
  startSkiff,
  tempDir,
  waitFor,
} from "./harness.ts";

const seedsDir = new URL("../../docs/examples/seeds/", import.meta.url).pathname;
const seed = (file: string) => join(seedsDir, file);

type Json = Record<string, unknown>;
type Api = ReturnType<typeof apiClient>;

interface Pod {
  metadata: { name: string; uid: string; labels?: Record<string, string>; deletionTimestamp?: string };
  spec: { nodeName?: string };
  status: {
    phase?: string;
    podIP?: string;
    conditions?: Array<{ type: string; status: string }>;
  };
}

interface Slice {
  metadata: { name: string; labels?: Record<string, string>; resourceVersion?: string };
  addressType: string;
  endpoints?: Array<{
    addresses: string[];
    hostname?: string;
    nodeName?: string;
    conditions?: { ready?: boolean; serving?: boolean; terminating?: boolean };
    targetRef?: { kind: string; name: string };
  }>;
  ports?: Array<{ name?: string; port?: number; protocol?: string }>;
}

interface EndpointsObj {
  subsets?: Array<{
    addresses?: Array<{ ip: string; hostname?: string; targetRef?: { name: string } }>;
    notReadyAddresses?: Array<{ ip: string }>;
    ports?: Array<{ name?: string; port: number; protocol?: string }>;
  }>;
}

function parse<T>(r: KubectlResult, what: string): T {
  ok(r, what);
  return JSON.parse(r.stdout) as T;
}

function ipv4ToInt(ip: string): number {
  return ip.split(".").reduce((n, o) => n * 256 + Number(o), 0);
}

function inCIDR(ip: string, cidr: string): boolean {
  const [base, bits] = cidr.split("/");
  const size = 2 ** (32 - Number(bits));
  const start = ipv4ToInt(base);
  const n = ipv4ToInt(ip);
  return n >= start && n < start + size;
}

const isReady = (p: Pod) =>
  p.status.phase === "Running" &&
  !p.metadata.deletionTimestamp &&
  !!p.status.conditions?.some((c) => c.type === "Ready" && c.status === "True");

/** Ready endpoint addresses of every slice, "ip:port" sorted (the format `get endpoints` prints). */
function readySliceAddrs(slices: Slice[]): string[] {
  const out: string[] = [];
  for (const s of slices)
    for (const e of s.endpoints ?? [])
      if (e.conditions?.ready) for (const p of s.ports ?? []) out.push(`${e.addresses[0]}:${p.port}`);
  return out.sort();
}

function endpointsAddrs(ep: EndpointsObj): string[] {
  const out: string[] = [];
  for (const ss of ep.subsets ?? [])
    for (const a of ss.addresses ?? []) for (const p of ss.ports ?? []) out.push(`${a.ip}:${p.port}`);
  return out.sort();
}

/**
 * `skiff up`, waited for until its last line: the harness returns at the apiserver's `ready at`,
 * but controllers, node and the SIGTERM handler come after it.
 */
async function startUp(args: string[], dataDir: string): Promise<SkiffProcess> {
  const skiff = await startSkiff("up", args, { dataDir });
  try {
    await waitFor("skiff is ready", () => (/skiff is ready/.test(skiff.output()) ? true : undefined), 30_000);
  } catch (e) {
    await skiff.kill();
    throw new Error(`${e instanceof Error ? e.message : e}:\n${skiff.output()}`);
  }
  return skiff;
}

/** Same members, order aside (duplicates count). */
const sameSet = (a: string[], b: string[]) => [...a].sort().join(" ") === [...b].sort().join(" ");

describe("skiff up --runtime simulated with kubectl 1.33", () => {
  let skiff: SkiffProcess;
  let api: Api;
  let scratch: string;
  const k = (args: string[], input?: string) => kubectl(skiff.kubeconfig, args, { input });

  async function pods(ns: string, selector: string): Promise<Pod[]> {
    const r = await api.request(
      "GET",
      `/api/v1/namespaces/${ns}/pods?labelSelector=${encodeURIComponent(selector)}`,
    );
    assert.equal(r.status, 200, r.body);
    return r.json<{ items: Pod[] }>().items;
  }

  async function slices(ns: string, service: string): Promise<Slice[]> {
    const sel = encodeURIComponent(`kubernetes.io/service-name=${service}`);
    const r = await api.request(
      "GET",
      `/apis/discovery.k8s.io/v1/namespaces/${ns}/endpointslices?labelSelector=${sel}`,
    );
    assert.equal(r.status, 200, r.body);
    return r.json<{ items: Slice[] }>().items;
  }

  async function endpoints(ns: string, name: string): Promise<EndpointsObj | undefined> {
    const r = await api.request("GET", `/api/v1/namespaces/${ns}/endpoints/${name}`);
    if (r.status === 404) return undefined;
    assert.equal(r.status, 200, r.body);
    return r.json<EndpointsObj>();
  }

  /** Wait until n pods of selector are Running and Ready (and no other pod of it is left). */
  function readyPods(ns: string, selector: string, n: number, timeoutMs = 15_000): Promise<Pod[]> {
    return waitFor(
      `${n} ready pods ${selector} in ${ns}`,
      async () => {
        const ps = await pods(ns, selector);
        return ps.length === n && ps.every(isReady) ? ps : undefined;
      },
      timeoutMs,
    );
  }

  /** Wait until Endpoints and EndpointSlices of a Service both list exactly want ("ip:port"). */
  function endpointsFollow(ns: string, service: string, want: string[], timeoutMs = 10_000): Promise<true> {
    return waitFor(
      `endpoints of ${ns}/${service} = ${want}`,
      async () => {
        const ep = await endpoints(ns, service);
        const es = await slices(ns, service);
        return ep && sameSet(endpointsAddrs(ep), want) && sameSet(readySliceAddrs(es), want)
          ? true
          : undefined;
      },
      timeoutMs,
    );
  }

  async function namespace(name: string): Promise<void> {
    ok(await k(["create", "namespace", name]), `create namespace ${name}`);
  }

  before(async () => {
    scratch = tempDir("skiff-cluster-");
    skiff = await startUp(["--runtime", "simulated", "--no-dns"], join(scratch, "data"));
    api = apiClient(skiff.kubeconfig);
    await waitFor("node Ready", async () => {
      const r = await api.request("GET", "/api/v1/nodes");
      const nodes = r.json<{
        items: Array<{ status?: { conditions?: Array<{ type: string; status: string }> } }>;
      }>().items;
      return nodes.some((n) => n.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True"))
        ? true
        : undefined;
    });
  });

  after(async () => {
    api?.close();
    try {
      if (skiff) {
        const code = await skiff.stop();
        assert.equal(code, 0, `skiff up exited with ${code}:\n${skiff.output()}`);
      }
    } finally {
      removeDir(scratch);
    }
  });

  test("seed 001: Deployment, ClusterIP Service, endpoints that follow a deleted pod", async () => {
    const ns = "seed-001";
    await namespace(ns);
    ok(await k(["apply", "-n", ns, "-f", seed("001-my-nginx-deployment.yaml")]), "apply deployment");
    ok(await k(["apply", "-n", ns, "-f", seed("001-my-nginx-service.yaml")]), "apply service");

    // Two Running pods with distinct IPs from the node's pod CIDR (skiff up: 10.244.0.0/24).
    const first = await readyPods(ns, "run=my-nginx", 2);
    const wide = parseTable(
      ok(await k(["get", "pods", "-n", ns, "-l", "run=my-nginx", "-o", "wide"]), "get pods").stdout,
    );
    assert.equal(wide.length, 2);
    for (const row of wide) {
      assert.equal(row.STATUS, "Running");
      assert.equal(row.READY, "1/1");
      assert.ok(inCIDR(row.IP, "10.244.0.0/24"), `pod IP ${row.IP}`);
      assert.notEqual(row.NODE, "<none>");
    }
    assert.notEqual(wide[0].IP, wide[1].IP);
    const ips = first.map((p) => p.status.podIP!);
    assert.ok(
      sameSet(
        ips,
        wide.map((r) => r.IP),
      ),
    );

    // `get svc`: a CLUSTER-IP from the default service CIDR 10.96.0.0/12, PORT(S) 80/TCP.
    const svc = parseTable(ok(await k(["get", "svc", "-n", ns, "-l", "run=my-nginx"]), "get svc").stdout);
    assert.equal(svc.length, 1);
    assert.equal(svc[0].TYPE, "ClusterIP");
    assert.ok(inCIDR(svc[0]["CLUSTER-IP"], "10.96.0.0/12"), svc[0]["CLUSTER-IP"]);
    assert.equal(svc[0]["EXTERNAL-IP"], "<none>");
    assert.equal(svc[0]["PORT(S)"], "80/TCP");

    // `get endpoints` and `get endpointslices` list both pod IPs on port 80.
    const want = ips.map((ip) => `${ip}:80`);
    await endpointsFollow(ns, "my-nginx", want);
    const ep = parseTable(ok(await k(["get", "endpoints", "my-nginx", "-n", ns]), "get endpoints").stdout);
    assert.ok(sameSet(ep[0].ENDPOINTS.split(","), want), ep[0].ENDPOINTS);
    const es = parseTable(
      ok(await k(["get", "endpointslices", "-n", ns, "-l", "kubernetes.io/service-name=my-nginx"]), "get es")
        .stdout,
    );
    assert.equal(es.length, 1);
    assert.equal(es[0].ADDRESSTYPE, "IPv4");
    assert.equal(es[0].PORTS, "80");
    assert.ok(sameSet(es[0].ENDPOINTS.split(","), ips), es[0].ENDPOINTS);
    // The controller's labels (kube's endpointslice controller).
    const [slice] = await slices(ns, "my-nginx");
    assert.equal(
      slice.metadata.labels?.["endpointslice.kubernetes.io/managed-by"],
      "endpointslice-controller.k8s.io",
    );

    // `describe svc` shows both endpoints.
    const described = ok(await k(["describe", "svc", "my-nginx", "-n", ns]), "describe svc").stdout;
    const line = /^Endpoints:\s+(\S+)$/m.exec(described);
    assert.ok(line, described);
    assert.ok(sameSet(line[1].split(","), want), line[1]);

    // Delete one pod: kubectl waits for it to be gone, which the agent makes prompt (the grace
    // period is 30 s on a real node only while a container runs on).
    const victim = first[0];
    const t0 = Date.now();
    ok(await k(["delete", "pod", victim.metadata.name, "-n", ns]), "delete pod");
    assert.ok(Date.now() - t0 < 5_000, `delete pod took ${Date.now() - t0} ms`);
    const now = await readyPods(ns, "run=my-nginx", 2);
    const replacement = now.find((p) => p.metadata.uid !== first[1].metadata.uid)!;
    assert.notEqual(replacement.metadata.name, victim.metadata.name);
    assert.ok(!ips.includes(replacement.status.podIP!), `new pod reuses IP ${replacement.status.podIP}`);
    await endpointsFollow(ns, "my-nginx", [`${first[1].status.podIP}:80`, `${replacement.status.podIP}:80`]);
  });

  test("NodePort (seed 002, behind a ReplicationController): 8000:3xxxx/TCP in range", async () => {
    const ns = "seed-002";
    await namespace(ns);
    ok(await k(["apply", "-n", ns, "-f", seed("002-nginx-rc.yaml")]), "apply rc");
    ok(await k(["apply", "-n", ns, "-f", seed("002-service-nodeport.yaml")]), "apply nodeport");
    const row = parseTable(ok(await k(["get", "svc", "nginx-service", "-n", ns]), "get svc").stdout)[0];
    assert.equal(row.TYPE, "NodePort");
    assert.ok(inCIDR(row["CLUSTER-IP"], "10.96.0.0/12"));
    const m = /^8000:(\d+)\/TCP$/.exec(row["PORT(S)"]);
    assert.ok(m, row["PORT(S)"]);
    assert.ok(Number(m[1]) >= 30000 && Number(m[1]) <= 32767, m[1]);
    // Three pods from the RC, on targetPort 80.
    const ps = await readyPods(ns, "app=nginx", 3);
    await endpointsFollow(
      ns,
      "nginx-service",
      ps.map((p) => `${p.status.podIP}:80`),
    );
  });

  test("ExternalName (seed 001): its target and no cluster IP, no endpoints", async () => {
    const ns = "prod";
    await namespace(ns);
    ok(await k(["apply", "-f", seed("001-externalname-service.yaml")]), "apply externalname");
    const row = parseTable(ok(await k(["get", "svc", "my-service", "-n", ns]), "get svc").stdout)[0];
    // kubectl's service printer: CLUSTER-IP <none>, EXTERNAL-IP = spec.externalName, no ports.
    assert.deepEqual(
      { type: row.TYPE, ip: row["CLUSTER-IP"], ext: row["EXTERNAL-IP"], ports: row["PORT(S)"] },
      { type: "ExternalName", ip: "<none>", ext: "my.database.example.com", ports: "<none>" },
    );
    const svc = parse<Json>(await k(["get", "svc", "my-service", "-n", ns, "-o", "json"]), "get svc json");
    const spec = svc.spec as Json;
    assert.equal(spec.clusterIP, undefined);
    assert.equal(spec.clusterIPs, undefined);
    // Neither endpoint controller touches ExternalName Services (no selector).
    assert.equal(await endpoints(ns, "my-service"), undefined);
    assert.deepEqual(await slices(ns, "my-service"), []);
  });

  test("headless (seed 004): clusterIP None, endpoints carry hostnames of pods with hostname + subdomain", async () => {
    const ns = "infrastructure";
    await namespace(ns);
    ok(await k(["apply", "-f", seed("004-mongodb-headless-service.yaml")]), "apply headless");
    // The seed's pods set hostname; kube copies it only when subdomain names the Service
    // (endpointslice util podToEndpoint / endpoints controller). A fourth pod without subdomain.
    const docs = parseAllDocuments(readFileSync(seed("004-mongodb-pods.yaml"), "utf8"));
    for (const d of docs) d.setIn(["spec", "subdomain"], "mongodb-headless-service");
    const stray = `apiVersion: v1
kind: Pod
metadata: {name: mongodb-stray, namespace: ${ns}, labels: {app: mongodb}}
spec:
  hostname: stray
  containers: [{name: mongodb, image: mongo, ports: [{name: mongodb, containerPort: 27017}]}]
`;
    const file = join(scratch, "mongodb-pods.yaml");
    writeFileSync(file, `${docs.map((d) => d.toString()).join("---\n")}---\n${stray}`);
    ok(await k(["apply", "-f", file]), "apply pods");

    const row = parseTable(
      ok(await k(["get", "svc", "mongodb-headless-service", "-n", ns]), "get svc").stdout,
    )[0];
    assert.equal(row.TYPE, "ClusterIP");
    assert.equal(row["CLUSTER-IP"], "None");
    assert.equal(row["PORT(S)"], "27017/TCP");

    const ps = await readyPods(ns, "app=mongodb", 4);
    const ipOf = new Map(ps.map((p) => [p.metadata.name, p.status.podIP!]));
    const wantHost = new Map([
      [ipOf.get("mongodb-0")!, "mongodb-0"],
      [ipOf.get("mongodb-1")!, "mongodb-1"],
      [ipOf.get("mongodb-2")!, "mongodb-2"],
      [ipOf.get("mongodb-stray")!, undefined],
    ]);
    await endpointsFollow(
      ns,
      "mongodb-headless-service",
      ps.map((p) => `${p.status.podIP}:27017`),
    );
    const ep = (await endpoints(ns, "mongodb-headless-service"))!;
    // kube labels the Endpoints of a headless Service service.kubernetes.io/headless.
    const epMeta = parse<{ metadata: { labels?: Record<string, string> } }>(
      await k(["get", "endpoints", "mongodb-headless-service", "-n", ns, "-o", "json"]),
      "get endpoints",
    );
    assert.equal(epMeta.metadata.labels?.["service.kubernetes.io/headless"], "");
    const gotEp = new Map(ep.subsets!.flatMap((s) => (s.addresses ?? []).map((a) => [a.ip, a.hostname])));
    assert.deepEqual(gotEp, wantHost);
    const [slice] = await slices(ns, "mongodb-headless-service");
    const gotEs = new Map(slice.endpoints!.map((e) => [e.addresses[0], e.hostname]));
    assert.deepEqual(gotEs, wantHost);
    assert.deepEqual(slice.ports, [{ name: "mongodb", port: 27017, protocol: "TCP" }]);
  });

  test("selector-less Service: hand-written Endpoints are mirrored into an EndpointSlice", async () => {
    const ns = "mirror";
    await namespace(ns);
    // The Kubernetes docs' "Services without selectors" example.
    const manifest = `apiVersion: v1
kind: Service
metadata: {name: my-service}
spec:
  ports: [{name: http, protocol: TCP, port: 80, targetPort: 9376}]
---
apiVersion: v1
kind: Endpoints
metadata: {name: my-service}
subsets:
- addresses: [{ip: 192.0.2.42}]
  ports: [{name: http, port: 9376, protocol: TCP}]
`;
    ok(await k(["apply", "-n", ns, "-f", "-"], manifest), "apply selector-less");
    // kube's endpointslicemirroring controller: its managed-by value, the Service's name label,
    // ready endpoints (Endpoints addresses), the Endpoints' ports.
    const mirrored = await waitFor("mirrored slice", async () => {
      const s = await slices(ns, "my-service");
      return s.length === 1 && (s[0].endpoints?.length ?? 0) === 1 ? s[0] : undefined;
    });
    assert.equal(
      mirrored.metadata.labels?.["endpointslice.kubernetes.io/managed-by"],
      "endpointslicemirroring-controller.k8s.io",
    );
    assert.equal(mirrored.addressType, "IPv4");
    assert.deepEqual(mirrored.endpoints![0].addresses, ["192.0.2.42"]);
    assert.equal(mirrored.endpoints![0].conditions?.ready, true);
    assert.deepEqual(mirrored.ports, [{ name: "http", port: 9376, protocol: "TCP" }]);
    const es = parseTable(
      ok(
        await k(["get", "endpointslices", "-n", ns, "-l", "kubernetes.io/service-name=my-service"]),
        "get es",
      ).stdout,
    );
    assert.equal(es[0].ENDPOINTS, "192.0.2.42");
    // The Endpoints controller leaves user-owned Endpoints alone; edits are mirrored.
    ok(
      await k([
        "patch",
        "endpoints",
        "my-service",
        "-n",
        ns,
        "--type=json",
        "-p",
        '[{"op":"add","path":"/subsets/0/addresses/-","value":{"ip":"192.0.2.43"}}]',
      ]),
      "patch endpoints",
    );
    await waitFor("mirrored edit", async () => {
      const s = await slices(ns, "my-service");
      return sameSet(readySliceAddrs(s), ["192.0.2.42:9376", "192.0.2.43:9376"]) ? true : undefined;
    });
  });

  test("scale, rollout status and a rolling update keep ready endpoints >= replicas - maxUnavailable", async () => {
    const ns = "rollout";
    await namespace(ns);
    // Seed 001's Deployment, its pods ready 1 s after they start (the readinessProbe's
    // initialDelaySeconds), so that rollout status has to wait and an early scale-down of the old
    // ReplicaSet would show in the endpoints.
    const [doc] = parseAllDocuments(readFileSync(seed("001-my-nginx-deployment.yaml"), "utf8"));
    doc.setIn(["spec", "template", "spec", "containers", 0, "readinessProbe"], {
      tcpSocket: { port: 80 },
      initialDelaySeconds: 1,
      periodSeconds: 1,
    });
    const file = join(scratch, "my-nginx-probe.yaml");
    writeFileSync(file, doc.toString());
    ok(await k(["apply", "-n", ns, "-f", file]), "apply deployment");
    ok(await k(["apply", "-n", ns, "-f", seed("001-my-nginx-service.yaml")]), "apply service");
    const first = ok(
      await k(["rollout", "status", "deploy/my-nginx", "-n", ns, "--timeout=30s"]),
      "rollout status",
    );
    assert.match(first.stdout, /deployment "my-nginx" successfully rolled out/);
    await readyPods(ns, "run=my-nginx", 2);

    // kubectl scale + rollout status: done only once the third pod is available.
    ok(await k(["scale", "deploy/my-nginx", "-n", ns, "--replicas=3"]), "scale");
    const scaledStatus = ok(
      await k(["rollout", "status", "deploy/my-nginx", "-n", ns, "--timeout=30s"]),
      "rollout status",
    );
    assert.match(scaledStatus.stdout, /deployment "my-nginx" successfully rolled out/);
    const row = parseTable(ok(await k(["get", "deploy", "my-nginx", "-n", ns]), "get deploy").stdout)[0];
    assert.deepEqual(
      { ready: row.READY, upToDate: row["UP-TO-DATE"], available: row.AVAILABLE },
      { ready: "3/3", upToDate: "3", available: "3" },
    );
    const scaled = await readyPods(ns, "run=my-nginx", 3);
    await endpointsFollow(
      ns,
      "my-nginx",
      scaled.map((p) => `${p.status.podIP}:80`),
    );

    // Watch the Service's slices and its Endpoints from now on: the fewest ready addresses ever
    // published. 3 replicas with the default 25%: maxSurge 1, maxUnavailable 0 (kube rounds
    // surge up and unavailable down), so never fewer than 3.
    const sel = encodeURIComponent("kubernetes.io/service-name=my-nginx");
    const slicePath = `/apis/discovery.k8s.io/v1/namespaces/${ns}/endpointslices?labelSelector=${sel}`;
    const epPath = `/api/v1/namespaces/${ns}/endpoints?fieldSelector=${encodeURIComponent("metadata.name=my-nginx")}`;
    const sliceList = (await api.request("GET", slicePath)).json<{
      metadata: { resourceVersion: string };
      items: Slice[];
    }>();
    const epList = (await api.request("GET", epPath)).json<{
      metadata: { resourceVersion: string };
      items: EndpointsObj[];
    }>();
    const current = new Map(sliceList.items.map((s) => [s.metadata.name, s]));
    const minReady = {
      slices: readySliceAddrs([...current.values()]).length,
      endpoints: endpointsAddrs(epList.items[0] ?? {}).length,
      events: 0,
    };
    const sliceWatch = api.stream(
      `${slicePath}&watch=true&resourceVersion=${sliceList.metadata.resourceVersion}`,
      (line) => {
        const ev = JSON.parse(line) as { type: string; object: Slice };
        minReady.events++;
        if (ev.type === "DELETED") current.delete(ev.object.metadata.name);
        else current.set(ev.object.metadata.name, ev.object);
        minReady.slices = Math.min(minReady.slices, readySliceAddrs([...current.values()]).length);
      },
    );
    const epWatch = api.stream(
      `${epPath}&watch=true&resourceVersion=${epList.metadata.resourceVersion}`,
      (line) => {
        const ev = JSON.parse(line) as { type: string; object: EndpointsObj };
        const n = ev.type === "DELETED" ? 0 : endpointsAddrs(ev.object).length;
        minReady.endpoints = Math.min(minReady.endpoints, n);
      },
    );
    try {
      // The seed's container is named my-nginx.
      ok(await k(["set", "image", "deploy/my-nginx", "-n", ns, "my-nginx=nginx:1.27"]), "set image");
      const rolled = ok(
        await k(["rollout", "status", "deploy/my-nginx", "-n", ns, "--timeout=30s"]),
        "rollout status",
      );
      // kubectl's deployment status viewer waits through the rollout, then reports success.
      assert.match(rolled.stdout, /Waiting for deployment "my-nginx" rollout to finish/);
      assert.match(rolled.stdout, /deployment "my-nginx" successfully rolled out/);

      // When rollout status says done: 3 pods of the new template, all ready, all in the endpoints.
      const fresh = await readyPods(ns, "run=my-nginx", 3);
      const images = parse<{ items: Array<{ spec: { containers: Array<{ image: string }> } }> }>(
        await k(["get", "pods", "-n", ns, "-l", "run=my-nginx", "-o", "json"]),
        "get pods",
      ).items.map((p) => p.spec.containers[0].image);
      assert.deepEqual(images, ["nginx:1.27", "nginx:1.27", "nginx:1.27"]);
      await endpointsFollow(
        ns,
        "my-nginx",
        fresh.map((p) => `${p.status.podIP}:80`),
      );
      const rs = parseTable(ok(await k(["get", "rs", "-n", ns]), "get rs").stdout);
      assert.equal(rs.length, 2, "one ReplicaSet per template");
      assert.deepEqual(rs.map((r) => r.DESIRED).sort(), ["0", "3"]);
    } finally {
      sliceWatch.close();
      epWatch.close();
    }
    assert.ok(minReady.events > 0, "the watch saw the rollout");
    assert.ok(minReady.slices >= 3, `ready slice endpoints dropped to ${minReady.slices} during the rollout`);
    assert.ok(
      minReady.endpoints >= 3,
      `Endpoints addresses dropped to ${minReady.endpoints} during the rollout`,
    );
  });

  test("describe pod / deploy / rs show Events with kube's reasons", async () => {
    const ns = "events";
    await namespace(ns);
    ok(await k(["apply", "-n", ns, "-f", seed("001-my-nginx-deployment.yaml")]), "apply deployment");
    const [pod] = await readyPods(ns, "run=my-nginx", 2);
    const eventsOf = (text: string) => {
      const at = text.indexOf("\nEvents:");
      assert.ok(at >= 0, text);
      return text.slice(at);
    };
    // Events are written asynchronously: wait until describe shows them all.
    // Reasons and sources: kube-scheduler (Scheduled), kubelet (Pulled/Created/Started).
    await waitFor("pod events", async () => {
      const ev = eventsOf(
        ok(await k(["describe", "pod", pod.metadata.name, "-n", ns]), "describe pod").stdout,
      );
      const want = [
        /Normal\s+Scheduled\s+\S+\s+default-scheduler\s+Successfully assigned events\/\S+ to \S+/,
        /Normal\s+Pulled\s+\S+\s+kubelet\s+/,
        /Normal\s+Created\s+\S+\s+kubelet\s+Created container: my-nginx/,
        /Normal\s+Started\s+\S+\s+kubelet\s+Started container my-nginx/,
      ];
      return want.every((re) => re.test(ev)) ? true : undefined;
    });
    // deployment-controller: ScalingReplicaSet "Scaled up replica set <rs> from 0 to 2".
    await waitFor("deploy events", async () => {
      const ev = eventsOf(
        ok(await k(["describe", "deploy", "my-nginx", "-n", ns]), "describe deploy").stdout,
      );
      return /Normal\s+ScalingReplicaSet\s+\S+\s+deployment-controller\s+Scaled up replica set my-nginx-\w+ from 0 to 2/.test(
        ev,
      )
        ? true
        : undefined;
    });
    // replicaset-controller: SuccessfulCreate "Created pod: <pod>".
    await waitFor("rs events", async () => {
      const ev = eventsOf(
        ok(await k(["describe", "rs", "-n", ns, "-l", "run=my-nginx"]), "describe rs").stdout,
      );
      return (
        ev.match(/Normal\s+SuccessfulCreate\s+\S+\s+replicaset-controller\s+Created pod: my-nginx-/g) ?? []
      ).length === 2
        ? true
        : undefined;
    });
  });
});

describe("skiff up restarted on its data dir", () => {
  test("never hands out a ClusterIP or NodePort twice", async () => {
    const scratch = tempDir("skiff-restart-");
    const dataDir = join(scratch, "data");
    // Small ranges so that a repair that forgets the stored Services shows: a /27 has 30 usable
    // addresses, minus the kubernetes (.1) and kube-dns (.10) Services; 16 node ports.
    const flags = [
      "--runtime",
      "simulated",
      "--service-cidr",
      "10.0.0.0/27",
      "--service-node-port-range",
      "30100-30115",
      "--no-dns",
    ];
    const services = (prefix: string, type: string, n: number) =>
      Array.from(
        { length: n },
        (_, i) => `apiVersion: v1
kind: Service
metadata: {name: ${prefix}-${i}}
spec:
  type: ${type}
  selector: {app: ${prefix}}
  ports: [{port: 80}]
`,
      ).join("---\n");
    const allocated = async (kc: string) => {
      const list = parse<{ items: Array<{ metadata: { name: string }; spec: Json }> }>(
        await kubectl(kc, ["get", "svc", "-A", "-o", "json"]),
        "get svc",
      );
      const ips = list.items.map((s) => String(s.spec.clusterIP));
      const ports = list.items.flatMap((s) =>
        ((s.spec.ports as Array<{ nodePort?: number }>) ?? []).flatMap((p) =>
          p.nodePort ? [p.nodePort] : [],
        ),
      );
      return { ips, ports };
    };
    // One kubectl create for many objects: no per-object GET as apply would do.
    const create = (kc: string, input: string) => kubectl(kc, ["create", "-f", "-"], { input });
    let skiff: SkiffProcess | undefined;
    try {
      skiff = await startUp(flags, dataDir);
      ok(
        await create(
          skiff.kubeconfig,
          `${services("np-a", "NodePort", 8)}---\n${services("ip-a", "ClusterIP", 6)}`,
        ),
        "a",
      );
      const before = await allocated(skiff.kubeconfig);
      assert.equal(before.ips.length, 16);
      assert.equal(await skiff.stop(), 0, skiff.output());

      skiff = await startUp(flags, dataDir);
      ok(
        await create(
          skiff.kubeconfig,
          `${services("np-b", "NodePort", 8)}---\n${services("ip-b", "ClusterIP", 6)}`,
        ),
        "b",
      );
      const afterRestart = await allocated(skiff.kubeconfig);
      // Nothing moved, nothing handed out twice, and together they fill both ranges exactly.
      for (const ip of before.ips) assert.ok(afterRestart.ips.includes(ip), `${ip} kept`);
      for (const port of before.ports) assert.ok(afterRestart.ports.includes(port), `${port} kept`);
      assert.equal(new Set(afterRestart.ips).size, 30);
      assert.equal(new Set(afterRestart.ports).size, 16);
      assert.ok(afterRestart.ports.every((p) => p >= 30100 && p <= 30115));
      assert.ok(afterRestart.ips.every((ip) => inCIDR(ip, "10.0.0.0/27")));
      // Both ranges are full now; kube-apiserver's answer (service storage alloc.go): 500
      // "failed to allocate a serviceIP: range is full", or "…a nodePort…" once an IP is free.
      const fullIP = await create(skiff.kubeconfig, services("np-c", "NodePort", 1));
      assert.notEqual(fullIP.code, 0);
      assert.match(fullIP.stderr, /Internal error occurred: failed to allocate a serviceIP: range is full/);
      ok(await kubectl(skiff.kubeconfig, ["delete", "svc", "ip-a-0"]), "delete ip-a-0");
      const fullPort = await create(skiff.kubeconfig, services("np-c", "NodePort", 1));
      assert.notEqual(fullPort.code, 0);
      assert.match(fullPort.stderr, /Internal error occurred: failed to allocate a nodePort: range is full/);
    } finally {
      if (skiff) await skiff.stop();
      removeDir(scratch);
    }
  });
});
