/**
 * Acceptance of the foundation issue through real kubectl (1.33 and 1.30) against one
 * `skiff apiserver`: discovery, generators (protobuf bodies), every seed manifest, server-side
 * printing, errors, watch and namespace deletion. Expectations are what kube-apiserver + kubectl
 * print; the source of each is noted beside it.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { parseAllDocuments } from "yaml";
import {
  field,
  type KubectlResult,
  kubectl,
  ok,
  parseTable,
  removeDir,
  type SkiffProcess,
  spawnKubectl,
  startSkiff,
  tempDir,
  waitFor,
} from "./harness.ts";

const seedsDir = new URL("../../docs/examples/seeds/", import.meta.url).pathname;
const versions = ["1.33", "1.30"];

/** kind → the resource kubectl names in its messages ("deployment.apps/x created"). */
const resourceOf: Record<string, string> = {
  ConfigMap: "configmap",
  Deployment: "deployment.apps",
  EndpointSlice: "endpointslice.discovery.k8s.io",
  Endpoints: "endpoints",
  Event: "event",
  IngressClass: "ingressclass.networking.k8s.io",
  IPAddress: "ipaddress.networking.k8s.io",
  Node: "node",
  ReplicaSet: "replicaset.apps",
  ServiceCIDR: "servicecidr.networking.k8s.io",
  Ingress: "ingress.networking.k8s.io",
  Pod: "pod",
  ReplicationController: "replicationcontroller",
  Secret: "secret",
  Service: "service",
};

interface SeedObject {
  kind: string;
  name: string;
}

interface SeedFile {
  file: string;
  /** The path given to kubectl: the file itself, or a copy with the namespace rewritten. */
  path: string;
  objects: SeedObject[];
  namespace: string;
}

type Json = Record<string, unknown>;

function json(r: KubectlResult, what = "kubectl"): Json {
  assert.equal(r.code, 0, `${what}: ${r.stderr}`);
  try {
    return JSON.parse(r.stdout) as Json;
  } catch {
    assert.fail(
      `${what} printed no JSON: stdout ${JSON.stringify(r.stdout)} stderr ${JSON.stringify(r.stderr)}`,
    );
  }
}

/** kube's AGE cell: human duration ("0s", "12s", "3m4s", …). */
const age = /^\d+(s|m(\d+s)?|h(\d+m)?|d(\d+h)?|y(\d+d)?)$/;

/**
 * Place the seed files in as few namespaces as possible such that no two objects of one kind and
 * name meet (the seeds' variants reuse names); files that name a namespace get a copy that names
 * the test namespace instead (kubectl refuses `-n` that contradicts the file).
 */
function placeSeeds(prefix: string, scratch: string): SeedFile[] {
  const files = readdirSync(seedsDir)
    .filter((f) => f.endsWith(".yaml"))
    .sort();
  const used: Array<Set<string>> = [];
  return files.map((file) => {
    const text = readFileSync(join(seedsDir, file), "utf8");
    const docs = parseAllDocuments(text);
    const objects = docs.map((d) => {
      const o = d.toJS() as Json;
      return { kind: String(o.kind), name: String(field(o, "metadata.name")) };
    });
    const keys = objects.map((o) => `${o.kind}/${o.name}`);
    let slot = used.findIndex((s) => keys.every((k) => !s.has(k)));
    if (slot < 0) {
      used.push(new Set());
      slot = used.length - 1;
    }
    for (const k of keys) used[slot].add(k);
    const namespace = `${prefix}-seeds-${slot + 1}`;
    let path = join(seedsDir, file);
    if (docs.some((d) => d.hasIn(["metadata", "namespace"]))) {
      for (const d of docs)
        if (d.hasIn(["metadata", "namespace"])) d.setIn(["metadata", "namespace"], namespace);
      path = join(scratch, file);
      writeFileSync(path, docs.map((d) => d.toString()).join("---\n"));
    }
    return { file, path, objects, namespace };
  });
}

/**
 * One object of each served kind the seeds do not contain; cluster-scoped names carry the
 * version prefix (and distinct addresses) so the two kubectl runs stay independent.
 */
function otherKinds(prefix: string, ns: string, octet: number): string {
  return `apiVersion: v1
kind: Node
metadata: {name: ${prefix}-node-1, labels: {kubernetes.io/hostname: ${prefix}-node-1}}
spec: {podCIDR: 10.244.${octet}.0/24}
---
apiVersion: v1
kind: Endpoints
metadata: {name: ep1}
subsets:
- addresses: [{ip: 10.244.${octet}.5}]
  ports: [{port: 80, protocol: TCP}]
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: es1, labels: {kubernetes.io/service-name: ep1}}
addressType: IPv4
endpoints: [{addresses: [10.244.${octet}.5], conditions: {ready: true}}]
ports: [{name: http, port: 80, protocol: TCP}]
---
apiVersion: v1
kind: Event
metadata: {name: ev1}
involvedObject: {kind: Pod, name: p1, namespace: ${ns}, apiVersion: v1}
reason: Started
message: Started container p1
type: Normal
source: {component: kubelet}
count: 1
---
apiVersion: apps/v1
kind: ReplicaSet
metadata: {name: rs1}
spec:
  replicas: 2
  selector: {matchLabels: {app: rs1}}
  template:
    metadata: {labels: {app: rs1}}
    spec: {containers: [{name: web, image: nginx}]}
---
apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata: {name: ${prefix}-nginx}
spec: {controller: k8s.io/ingress-nginx}
---
apiVersion: networking.k8s.io/v1
kind: ServiceCIDR
metadata: {name: ${prefix}-cidr}
spec: {cidrs: [10.${200 + octet}.0.0/16]}
---
apiVersion: networking.k8s.io/v1
kind: IPAddress
metadata: {name: 10.96.${octet}.200}
spec: {parentRef: {group: "", resource: services, namespace: ${ns}, name: ep1}}
`;
}

describe("kubectl against skiff apiserver", () => {
  let skiff: SkiffProcess;

  before(async () => {
    skiff = await startSkiff("apiserver");
  });

  after(async () => {
    if (!skiff) return;
    // SIGTERM must stop it promptly and cleanly; SIGKILL only so that a hang fails, not blocks.
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<"hung">((resolve) => {
      timer = setTimeout(() => resolve("hung"), 10_000);
    });
    const code = await Promise.race([skiff.stop(), deadline]);
    clearTimeout(timer);
    if (code === "hung") await skiff.kill();
    removeDir(skiff.dataDir);
    assert.equal(code, 0, `apiserver exit code\n${skiff.output()}`);
  });

  for (const version of versions) {
    describe(`kubectl ${version}`, () => {
      const prefix = `k${version.replace(".", "")}`;
      const k = (args: string[], opts: { input?: string } = {}) =>
        kubectl(skiff.kubeconfig, args, { version, ...opts });
      const genNs = `${prefix}-gen`;
      const scratch = tempDir("skiff-kubectl-e2e-");
      // Seed 000's kube-dns Service pins 10.96.0.10, which the cluster's own kube-dns holds (as on a
      // kubeadm cluster): it is refused, and tested on its own below.
      const pinnedDNS = "000-skydns-service.yaml";
      const placed = placeSeeds(prefix, scratch);
      const seeds = placed.filter((s) => s.file !== pinnedDNS);
      const seedNamespaces = [...new Set(seeds.map((s) => s.namespace))];

      after(() => removeDir(scratch));

      test("version prints the server's version", async () => {
        const r = ok(await k(["version"]), "kubectl version");
        assert.match(r.stdout, /^Client Version: v/m);
        assert.match(r.stdout, /^Server Version: v1\.\d+\.\d+\S*$/m);
      });

      test("api-resources lists every served kind with its short names", async () => {
        const r = ok(await k(["api-resources"]), "kubectl api-resources");
        const rows = parseTable(r.stdout);
        const got = Object.fromEntries(
          rows.map((row) => [
            `${row.NAME} ${row.APIVERSION}`,
            [row.SHORTNAMES, row.NAMESPACED, row.KIND].join(" "),
          ]),
        );
        // Rows as `kubectl api-resources` prints them against kube-apiserver 1.33.
        const want: Record<string, string> = {
          "namespaces v1": "ns false Namespace",
          "pods v1": "po true Pod",
          "services v1": "svc true Service",
          "endpoints v1": "ep true Endpoints",
          "configmaps v1": "cm true ConfigMap",
          "secrets v1": " true Secret",
          "events v1": "ev true Event",
          "nodes v1": "no false Node",
          "replicationcontrollers v1": "rc true ReplicationController",
          "deployments apps/v1": "deploy true Deployment",
          "replicasets apps/v1": "rs true ReplicaSet",
          "endpointslices discovery.k8s.io/v1": " true EndpointSlice",
          "ingresses networking.k8s.io/v1": "ing true Ingress",
          "ingressclasses networking.k8s.io/v1": " false IngressClass",
          "servicecidrs networking.k8s.io/v1": " false ServiceCIDR",
          "ipaddresses networking.k8s.io/v1": "ip false IPAddress",
          "leases coordination.k8s.io/v1": " true Lease",
        };
        assert.deepEqual(got, want);
      });

      test("generator commands create objects that read back right (1.33 posts protobuf, 1.30 JSON)", async () => {
        ok(await k(["create", "namespace", genNs]), "create namespace");
        const n = ["-n", genNs];
        const created = await Promise.all([
          k([
            "create",
            "configmap",
            "cm1",
            "--from-literal=a=1",
            "--from-literal=greeting=hello world",
            ...n,
          ]),
          k(["create", "secret", "generic", "s1", "--from-literal=password=hunter2", ...n]),
          k(["create", "deployment", "web", "--image=nginx", ...n]),
          k(["create", "service", "clusterip", "svc1", "--tcp=80:8080", ...n]),
          k(["create", "ingress", "ing1", "--rule=foo.com/bar*=svc1:80", ...n]),
        ]);
        assert.deepEqual(
          created.map((r) => [r.code, r.stdout.trim(), r.stderr]),
          [
            [0, "configmap/cm1 created", ""],
            [0, "secret/s1 created", ""],
            [0, "deployment.apps/web created", ""],
            [0, "service/svc1 created", ""],
            [0, "ingress.networking.k8s.io/ing1 created", ""],
          ],
        );
        const [ns, cm, secret, deploy, svc, ing] = (
          await Promise.all([
            k(["get", "namespace", genNs, "-o", "json"]),
            k(["get", "configmap", "cm1", "-o", "json", ...n]),
            k(["get", "secret", "s1", "-o", "json", ...n]),
            k(["get", "deployment", "web", "-o", "json", ...n]),
            k(["get", "service", "svc1", "-o", "json", ...n]),
            k(["get", "ingress", "ing1", "-o", "json", ...n]),
          ])
        ).map((r) => json(r));
        // kube-apiserver labels every namespace with its name and starts it Active.
        assert.equal((field(ns, "metadata.labels") as Json)["kubernetes.io/metadata.name"], genNs);
        assert.equal(field(ns, "status.phase"), "Active");
        assert.deepEqual(field(ns, "spec.finalizers"), ["kubernetes"]);
        for (const o of [cm, secret, deploy, svc, ing]) {
          assert.equal(field(o, "metadata.namespace"), genNs);
          assert.match(String(field(o, "metadata.uid")), /^[0-9a-f-]{36}$/);
          assert.match(String(field(o, "metadata.resourceVersion")), /^\d+$/);
          assert.match(String(field(o, "metadata.creationTimestamp")), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
        }
        assert.deepEqual(field(cm, "data"), { a: "1", greeting: "hello world" });
        assert.equal(field(secret, "type"), "Opaque");
        assert.deepEqual(field(secret, "data"), { password: Buffer.from("hunter2").toString("base64") });
        // `create deployment NAME --image=nginx`: label app=NAME, one container named after the image.
        assert.equal(field(deploy, "spec.replicas"), 1);
        assert.deepEqual(field(deploy, "spec.selector"), { matchLabels: { app: "web" } });
        assert.deepEqual(field(deploy, "spec.template.metadata.labels"), { app: "web" });
        const containers = field(deploy, "spec.template.spec.containers") as Json[];
        assert.equal(containers.length, 1);
        assert.equal(containers[0].name, "nginx");
        assert.equal(containers[0].image, "nginx");
        // Defaults kube-apiserver applies to a Deployment and its pod template.
        assert.equal(containers[0].imagePullPolicy, "Always");
        assert.equal(containers[0].terminationMessagePath, "/dev/termination-log");
        assert.equal(field(deploy, "spec.strategy.type"), "RollingUpdate");
        assert.equal(field(deploy, "spec.revisionHistoryLimit"), 10);
        assert.equal(field(deploy, "spec.progressDeadlineSeconds"), 600);
        assert.equal(field(deploy, "spec.template.spec.restartPolicy"), "Always");
        assert.equal(field(deploy, "spec.template.spec.dnsPolicy"), "ClusterFirst");
        assert.equal(field(deploy, "metadata.generation"), 1);
        // `create service clusterip NAME --tcp=80:8080`: port named "80-8080", selector app=NAME.
        assert.equal(field(svc, "spec.type"), "ClusterIP");
        assert.deepEqual(field(svc, "spec.selector"), { app: "svc1" });
        assert.deepEqual(field(svc, "spec.ports"), [
          { name: "80-8080", port: 80, protocol: "TCP", targetPort: 8080 },
        ]);
        assert.equal(field(svc, "spec.sessionAffinity"), "None");
        // `--rule=foo.com/bar*=svc1:80`: host foo.com, Prefix path /bar, backend svc1 port 80.
        assert.deepEqual(field(ing, "spec.rules"), [
          {
            host: "foo.com",
            http: {
              paths: [
                {
                  path: "/bar",
                  pathType: "Prefix",
                  backend: { service: { name: "svc1", port: { number: 80 } } },
                },
              ],
            },
          },
        ]);
        const described = await Promise.all([
          k(["describe", "namespace", genNs]),
          k(["describe", "configmap", "cm1", ...n]),
          k(["describe", "secret", "s1", ...n]),
          k(["describe", "deployment", "web", ...n]),
          k(["describe", "service", "svc1", ...n]),
          k(["describe", "ingress", "ing1", ...n]),
        ]);
        for (const [i, name] of [genNs, "cm1", "s1", "web", "svc1", "ing1"].entries()) {
          ok(described[i], `describe ${name}`);
          assert.match(described[i].stdout, new RegExp(`^Name:\\s+${name}$`, "m"));
        }
        assert.match(described[2].stdout, /^password:\s+7 bytes$/m);
        assert.match(described[4].stdout, /^TargetPort:\s+8080\/TCP$/m);
      });

      test("create -f of every seed manifest", async () => {
        await Promise.all(seedNamespaces.map(async (ns) => ok(await k(["create", "namespace", ns]), ns)));
        const results = await Promise.all(
          seeds.map((s) => k(["create", "-f", s.path, "-n", s.namespace, "--validate=false"])),
        );
        seeds.forEach((s, i) => {
          const r = results[i];
          assert.equal(r.code, 0, `create -f ${s.file}: ${r.stderr}`);
          const want = s.objects.map((o) => `${resourceOf[o.kind]}/${o.name} created`);
          assert.deepEqual(r.stdout.trim().split("\n"), want, s.file);
        });
      });

      test("a seed Service pinned to the DNS Service's address is refused as kube refuses it", async () => {
        const s = placed.find((x) => x.file === pinnedDNS)!;
        ok(
          await k(["create", "namespace", s.namespace]).then((r) =>
            r.code === 0 || /AlreadyExists/.test(r.stderr) ? { ...r, code: 0 } : r,
          ),
          s.namespace,
        );
        const r = await k(["create", "-f", s.path, "-n", s.namespace, "--validate=false"]);
        assert.equal(r.code, 1);
        assert.match(
          r.stderr,
          /^The Service "kube-dns" is invalid: spec\.clusterIPs: Invalid value: \["10\.96\.0\.10"\]: failed to allocate IP 10\.96\.0\.10: provided IP is already allocated/m,
        );
        const dns = parseTable(
          ok(await k(["get", "svc", "kube-dns", "-n", "kube-system", "-o", "wide"]), "get kube-dns").stdout,
        )[0];
        assert.deepEqual(
          [dns.TYPE, dns["CLUSTER-IP"], dns["PORT(S)"], dns.SELECTOR],
          ["ClusterIP", "10.96.0.10", "53/UDP,53/TCP,9153/TCP", "k8s-app=kube-dns"],
        );
      });

      // The seeds' own namespaces are cluster-wide names: one kubectl version is enough here.
      if (version === versions[0]) {
        test("seed manifests that name a namespace are created there unchanged", async () => {
          const own = seeds
            .filter((s) => s.path !== join(seedsDir, s.file))
            .map((s) => join(seedsDir, s.file));
          ok(await k(["create", "namespace", "prod"]), "create namespace prod");
          ok(await k(["create", "namespace", "infrastructure"]), "create namespace infrastructure");
          try {
            const created = await Promise.all(
              own.map((path) => k(["create", "-f", path, "--validate=false"])),
            );
            for (const [i, r] of created.entries())
              assert.equal(r.code, 0, `create -f ${own[i]}: ${r.stderr}`);
            const [ext, headless, pods, dns, secret] = await Promise.all([
              k(["get", "service", "my-service", "-n", "prod", "-o", "json"]),
              k(["get", "service", "mongodb-headless-service", "-n", "infrastructure", "-o", "json"]),
              k(["get", "pods", "-l", "app=mongodb", "-n", "infrastructure", "-o", "name"]),
              k(["get", "service", "kube-dns", "-n", "kube-system", "-o", "json"]),
              k(["get", "secret", "testsecret", "-n", "default", "-o", "json"]),
            ]);
            assert.equal(field(json(ext), "spec.externalName"), "my.database.example.com");
            assert.equal(field(json(headless), "spec.clusterIP"), "None");
            assert.equal(ok(pods, "get pods").stdout, "pod/mongodb-0\npod/mongodb-1\npod/mongodb-2\n");
            assert.equal(field(json(dns), "spec.clusterIP"), "10.96.0.10");
            const tls = json(secret);
            assert.equal(tls.type, "kubernetes.io/tls");
            const crt = Buffer.from(String((tls.data as Json)["tls.crt"]), "base64").toString();
            assert.equal(crt, readFileSync(join(seedsDir, "002-tls.crt"), "utf8"));
          } finally {
            const cleanup = own.filter((path) => !/\b(001|004)-/.test(path));
            await Promise.all(cleanup.map((path) => k(["delete", "-f", path, "--ignore-not-found"])));
            ok(await k(["delete", "namespace", "prod", "infrastructure"]), "delete namespaces");
          }
        });
      }

      test("get and describe every seed object", async () => {
        const objects = seeds.flatMap((s) => s.objects.map((o) => ({ ...o, file: s.file, ns: s.namespace })));
        await Promise.all(
          objects.map(async (o) => {
            const res = resourceOf[o.kind];
            const [got, listed, described] = await Promise.all([
              k(["get", res, o.name, "-n", o.ns, "-o", "json"]),
              k(["get", res, o.name, "-n", o.ns]),
              k(["describe", res, o.name, "-n", o.ns]),
            ]);
            const obj = json(got, `get ${res} ${o.name} (${o.file})`);
            assert.equal(obj.kind, o.kind, o.file);
            assert.equal(field(obj, "metadata.name"), o.name, o.file);
            assert.equal(field(obj, "metadata.namespace"), o.ns, o.file);
            ok(listed, `get ${res} ${o.name}`);
            const rows = parseTable(listed.stdout);
            assert.equal(rows.length, 1, `${o.file}: ${listed.stdout}`);
            assert.equal(rows[0].NAME, o.name);
            assert.match(rows[0].AGE, age, `${o.file}: ${listed.stdout}`);
            ok(described, `describe ${res} ${o.name}`);
            assert.match(described.stdout, new RegExp(`^Name:\\s+${o.name}$`, "m"), o.file);
            assert.match(described.stdout, new RegExp(`^Namespace:\\s+${o.ns}$`, "m"), o.file);
          }),
        );
      });

      /** `kubectl get svc -o wide` in every seed namespace, as rows found by seed file and name. */
      async function wideServices(): Promise<(file: string, name: string) => Record<string, string>> {
        const outs = await Promise.all(seedNamespaces.map((ns) => k(["get", "svc", "-o", "wide", "-n", ns])));
        const tables = new Map(outs.map((r, i) => [seedNamespaces[i], ok(r, "get svc -o wide").stdout]));
        return (file, name) => {
          const ns = seeds.find((s) => s.file === file)!.namespace;
          const text = tables.get(ns) ?? "";
          const row = parseTable(text).find((x) => x.NAME === name);
          assert.ok(row, `no row ${name} in ${ns}:\n${text}`);
          return row;
        };
      }

      test("get svc -o wide prints kube's columns and cells", async () => {
        const row = await wideServices();
        const cells = (file: string, name: string) => {
          const r = row(file, name);
          assert.match(r.AGE, age);
          return [r.TYPE, r["EXTERNAL-IP"], r.SELECTOR];
        };
        const header = parseTable(
          ok(await k(["get", "svc", "-o", "wide", "-n", seeds[0].namespace]), "get svc -o wide").stdout,
        );
        assert.deepEqual(Object.keys(header[0] ?? {}), [
          "NAME",
          "TYPE",
          "CLUSTER-IP",
          "EXTERNAL-IP",
          "PORT(S)",
          "AGE",
          "SELECTOR",
        ]);
        // Cells that do not depend on address allocation (kube's printService).
        assert.deepEqual(cells("001-externalname-service.yaml", "my-service"), [
          "ExternalName",
          "my.database.example.com",
          "<none>",
        ]);
        assert.equal(row("001-externalname-service.yaml", "my-service")["CLUSTER-IP"], "<none>");
        assert.equal(row("001-externalname-service.yaml", "my-service")["PORT(S)"], "<none>");
        const headless = "004-mongodb-headless-service.yaml";
        assert.deepEqual(cells(headless, "mongodb-headless-service"), ["ClusterIP", "<none>", "app=mongodb"]);
        assert.equal(row(headless, "mongodb-headless-service")["CLUSTER-IP"], "None");
        assert.equal(row(headless, "mongodb-headless-service")["PORT(S)"], "27017/TCP");
        for (const file of ["000-nginx-service.yaml", "001-my-nginx-service.yaml"]) {
          assert.deepEqual(cells(file, "my-nginx"), ["ClusterIP", "<none>", "run=my-nginx"]);
          assert.equal(row(file, "my-nginx")["PORT(S)"], "80/TCP");
        }
        assert.deepEqual(cells("003-myservice-service.yaml", "myservice"), [
          "ClusterIP",
          "<none>",
          "app=myservice",
        ]);
        assert.deepEqual(cells("002-nginx-service.yaml", "nginx-service"), [
          "ClusterIP",
          "<none>",
          "app=nginx",
        ]);
        assert.equal(row("002-nginx-service.yaml", "nginx-service")["PORT(S)"], "8000/TCP");
        assert.deepEqual(cells("002-service-nodeport.yaml", "nginx-service"), [
          "NodePort",
          "<none>",
          "app=nginx",
        ]);
        // A LoadBalancer without status.loadBalancer.ingress shows <pending>.
        assert.deepEqual(cells("002-service-loadbalancer.yaml", "nginx-service"), [
          "LoadBalancer",
          "<pending>",
          "app=nginx",
        ]);
      });

      test("get svc -o wide shows allocated cluster IPs and node ports", async () => {
        const row = await wideServices();
        // kube allocates from the service CIDR (10.96.0.0/12) and the node port range 30000-32767.
        const serviceIP = /^10\.(9[6-9]|10\d|11[01])\.\d+\.\d+$/;
        assert.match(row("001-my-nginx-service.yaml", "my-nginx")["CLUSTER-IP"], serviceIP);
        assert.match(row("002-service-nodeport.yaml", "nginx-service")["CLUSTER-IP"], serviceIP);
        assert.match(row("002-service-nodeport.yaml", "nginx-service")["PORT(S)"], /^8000:3\d{4}\/TCP$/);
        assert.match(row("002-service-loadbalancer.yaml", "nginx-service")["PORT(S)"], /^8000:3\d{4}\/TCP$/);
      });

      test("get pods --show-labels adds a LABELS column", async () => {
        const ns = seeds.find((s) => s.file === "004-mongodb-pods.yaml")!.namespace;
        const r = ok(await k(["get", "pods", "--show-labels", "-n", ns]), "get pods --show-labels");
        const header = r.stdout.split("\n")[0].trim().split(/\s+/);
        assert.deepEqual(header, ["NAME", "READY", "STATUS", "RESTARTS", "AGE", "LABELS"]);
        const rows = Object.fromEntries(parseTable(r.stdout).map((row) => [row.NAME, row]));
        for (const name of ["mongodb-0", "mongodb-1", "mongodb-2"]) {
          // Not scheduled (no node): kube prints READY 0/1, STATUS Pending.
          assert.deepEqual(
            [rows[name]?.READY, rows[name]?.STATUS, rows[name]?.RESTARTS, rows[name]?.LABELS],
            ["0/1", "Pending", "0", "app=mongodb"],
          );
        }
        assert.equal(rows["curl-util"]?.LABELS, "app=curl-util");
        const l = ok(await k(["get", "pods", "-L", "app", "-l", "app=mongodb", "-n", ns]), "get pods -L");
        assert.deepEqual(
          parseTable(l.stdout).map((row) => [row.NAME, row.APP]),
          [
            ["mongodb-0", "mongodb"],
            ["mongodb-1", "mongodb"],
            ["mongodb-2", "mongodb"],
          ],
        );
      });

      test("get pods -A adds a NAMESPACE column", async () => {
        const r = ok(await k(["get", "pods", "-A"]), "get pods -A");
        const header = r.stdout.split("\n")[0].trim().split(/\s+/);
        assert.deepEqual(header, ["NAMESPACE", "NAME", "READY", "STATUS", "RESTARTS", "AGE"]);
        const rows = parseTable(r.stdout);
        const mongo = seeds.find((s) => s.file === "004-mongodb-pods.yaml")!.namespace;
        const dns = seeds.find((s) => s.file === "003-dnspolicy-none-pod.yaml")!.namespace;
        const has = (ns: string, name: string) =>
          rows.some((row) => row.NAMESPACE === ns && row.NAME === name);
        assert.ok(has(mongo, "mongodb-0") && has(mongo, "mongodb-2"), r.stdout);
        assert.ok(has(dns, "dns-none-demo"), r.stdout);
      });

      test("get svc nope prints kube's NotFound line and exits 1", async () => {
        const r = await k(["get", "svc", "nope", "-n", genNs]);
        // kubectl formats a Status of reason NotFound as `Error from server (NotFound): <message>`.
        assert.deepEqual(
          [r.code, r.stdout, r.stderr],
          [1, "", 'Error from server (NotFound): services "nope" not found\n'],
        );
      });

      test("an invalid Service is answered with one `*` line per cause", async () => {
        const manifest = [
          "apiVersion: v1",
          "kind: Service",
          "metadata: {name: x}",
          "spec:",
          "  ports: [{port: 0, protocol: BAD}]",
        ].join("\n");
        const r = await k(["create", "-f", "-", "--validate=false", "-n", genNs], { input: manifest });
        assert.equal(r.code, 1);
        assert.equal(r.stdout, "");
        assert.ok(r.stderr.startsWith('The Service "x" is invalid:'), r.stderr);
        // kube's ValidateService: port and (defaulted from it) targetPort out of range, protocol
        // not one of SCTP/TCP/UDP.
        const causes = r.stderr
          .split("\n")
          .filter((l) => l.startsWith("* "))
          .sort();
        assert.deepEqual(causes, [
          "* spec.ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive",
          '* spec.ports[0].protocol: Unsupported value: "BAD": supported values: "SCTP", "TCP", "UDP"',
          "* spec.ports[0].targetPort: Invalid value: 0: must be between 1 and 65535, inclusive",
        ]);
        const gone = await k(["get", "svc", "x", "-n", genNs]);
        assert.equal(gone.code, 1, "an invalid Service must not be stored");
      });

      test("get svc -w prints a line when a Service is created, changed and deleted", async () => {
        const n = ["-n", genNs];
        const watcher = spawnKubectl(skiff.kubeconfig, ["get", "svc", "-w", ...n], { version });
        try {
          // Whole lines only: kubectl may be read between the halves of a line (seen: "w1").
          const lines = (name: string) =>
            watcher
              .stdout()
              .split("\n")
              .slice(0, -1)
              .filter((l) => l.split(/\s+/)[0] === name);
          const until = (what: string, name: string, count: number) =>
            waitFor(
              `${what} (watcher stdout:\n${watcher.stdout()}\nstderr:\n${watcher.stderr()})`,
              () => (lines(name).length >= count ? lines(name) : undefined),
              10_000,
            );
          // svc1 (from the generator test) is in the initial list: after it, the watch runs from
          // that list's resourceVersion, so nothing created later can be missed.
          await until("the initial list", "svc1", 1);
          ok(await k(["create", "service", "clusterip", "w1", "--tcp=80:8080", ...n]), "create w1");
          const [added] = await until("w1 added", "w1", 1);
          assert.match(added, /^w1\s+ClusterIP\s+\S+\s+<none>\s+80\/TCP\s+\S+$/);
          // Change it with an update (PUT): kubectl replace of the object read back, port 80 → 81.
          const w1 = json(await k(["get", "service", "w1", "-o", "json", ...n]), "get w1");
          const spec = w1.spec as { ports: Array<Record<string, unknown>> };
          spec.ports[0].port = 81;
          ok(
            await k(["replace", "-f", "-", "--validate=false", ...n], { input: JSON.stringify(w1) }),
            "replace w1",
          );
          const changed = (await until("w1 modified", "w1", 2))[1];
          assert.match(changed, /^w1\s+ClusterIP\s+\S+\s+<none>\s+81\/TCP\s+\S+$/);
          ok(await k(["delete", "service", "w1", ...n]), "delete w1");
          const deleted = (await until("w1 deleted", "w1", 3))[2];
          assert.match(deleted, /^w1\s+ClusterIP\s+\S+\s+<none>\s+81\/TCP\s+\S+$/);
          assert.equal(watcher.proc.exitCode, null, `the watch ended: ${watcher.stderr()}`);
        } finally {
          await watcher.stop();
        }
      });

      test("get, describe and delete every other kind", async () => {
        const ns = `${prefix}-kinds`;
        ok(await k(["create", "namespace", ns]), "create namespace");
        const manifest = otherKinds(prefix, ns, versions.indexOf(version) + 1);
        const objects = parseAllDocuments(manifest).map((d) => {
          const o = d.toJS() as Json;
          return { kind: String(o.kind), name: String(field(o, "metadata.name")) };
        });
        const created = await k(["create", "-f", "-", "--validate=false", "-n", ns], { input: manifest });
        assert.equal(created.code, 0, created.stderr);
        assert.deepEqual(
          created.stdout.trim().split("\n"),
          objects.map((o) => `${resourceOf[o.kind]}/${o.name} created`),
        );
        await Promise.all(
          objects.map(async (o) => {
            const res = resourceOf[o.kind];
            const [got, listed, described] = await Promise.all([
              k(["get", res, o.name, "-n", ns, "-o", "json"]),
              k(["get", res, o.name, "-n", ns]),
              k(["describe", res, o.name, "-n", ns]),
            ]);
            assert.equal(json(got, `get ${res} ${o.name}`).kind, o.kind);
            ok(listed, `get ${res} ${o.name}`);
            const rows = parseTable(listed.stdout);
            assert.equal(rows.length, 1, `${res}: ${listed.stdout}`);
            // Events print no NAME column (LAST SEEN TYPE REASON OBJECT MESSAGE).
            if (o.kind === "Event") assert.deepEqual([rows[0].REASON, rows[0].OBJECT], ["Started", "pod/p1"]);
            else assert.equal(rows[0].NAME, o.name, listed.stdout);
            if (version === "1.30" && (o.kind === "ServiceCIDR" || o.kind === "IPAddress")) {
              // Version skew, as against kube-apiserver 1.33: kubectl 1.30's describers for these
              // kinds read networking.k8s.io/v1alpha1, an alpha version not served by default.
              assert.deepEqual(
                [described.code, described.stderr],
                [1, "Error from server (NotFound): the server could not find the requested resource\n"],
              );
              return;
            }
            ok(described, `describe ${res} ${o.name}`);
            if (o.kind !== "Event")
              assert.match(described.stdout, new RegExp(`^Name:\\s+${o.name}$`, "m"), res);
          }),
        );
        const deleted = await Promise.all(
          objects.map((o) => k(["delete", resourceOf[o.kind], o.name, "-n", ns])),
        );
        deleted.forEach((r, i) => {
          const o = objects[i];
          assert.deepEqual(
            [r.code, r.stdout.trim()],
            [0, `${resourceOf[o.kind]} "${o.name}" deleted`],
            r.stderr,
          );
        });
        const gone = await Promise.all(objects.map((o) => k(["get", resourceOf[o.kind], o.name, "-n", ns])));
        // kube 1.33 warns on every core/v1 Endpoints request; kubectl prints the warning first.
        for (const r of gone)
          assert.match(
            r.stderr,
            /^(Warning: v1 Endpoints is deprecated in v1\.33\+; use discovery\.k8s\.io\/v1 EndpointSlice\n)?Error from server \(NotFound\): /,
          );
        ok(await k(["delete", "namespace", ns]), "delete namespace");
      });

      test("delete works on every seed object", async () => {
        const results = await Promise.all(seeds.map((s) => k(["delete", "-f", s.path, "-n", s.namespace])));
        seeds.forEach((s, i) => {
          const r = results[i];
          assert.equal(r.code, 0, `delete -f ${s.file}: ${r.stderr}`);
          const want = s.objects.map((o) => `${resourceOf[o.kind]} "${o.name}" deleted`);
          assert.deepEqual(r.stdout.trim().split("\n"), want, s.file);
        });
        const after = await Promise.all(
          seeds.flatMap((s) =>
            s.objects.map((o) => k(["get", resourceOf[o.kind], o.name, "-n", s.namespace])),
          ),
        );
        for (const r of after) {
          assert.equal(r.code, 1, r.stdout);
          assert.match(r.stderr, /^Error from server \(NotFound\): /);
        }
      });

      test("delete ns removes the namespace and everything in it", async () => {
        const r = ok(await k(["delete", "namespace", genNs, ...seedNamespaces]), "delete namespace");
        assert.deepEqual(
          r.stdout.trim().split("\n"),
          [genNs, ...seedNamespaces].map((ns) => `namespace "${ns}" deleted`),
        );
        for (const ns of [genNs, ...seedNamespaces]) {
          await waitFor(
            `namespace ${ns} to be gone`,
            async () => {
              const g = await k(["get", "namespace", ns]);
              return g.code === 1 &&
                g.stderr === `Error from server (NotFound): namespaces "${ns}" not found\n`
                ? true
                : undefined;
            },
            20_000,
          );
        }
        // Its contents went with it (a list in a missing namespace is empty, as in kube).
        const left = ok(
          await k(["get", "configmaps,secrets,deployments,services,ingresses", "-n", genNs, "-o", "name"]),
          "list after namespace deletion",
        );
        assert.equal(left.stdout, "");
        const recreated = ok(await k(["create", "namespace", genNs]), "recreate namespace");
        assert.equal(recreated.stdout.trim(), `namespace/${genNs} created`);
        const empty = ok(
          await k(["get", "configmaps,secrets,deployments,services,ingresses", "-n", genNs, "-o", "name"]),
          "list in the recreated namespace",
        );
        assert.equal(empty.stdout, "", "a recreated namespace must not resurrect old objects");
        ok(await k(["delete", "namespace", genNs]), "delete the recreated namespace");
      });
    });
  }
});
