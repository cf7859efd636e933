/**
 * Acceptance of issue 3 (kubectl's write path) with real kubectl 1.27, 1.30 and 1.33 and their
 * DEFAULT flags (client-side validation against our OpenAPI, fieldValidation=Strict) against one
 * `skiff apiserver`. Each version works in namespaces of its own; the three run concurrently.
 * Expected texts are what kube-apiserver answers and kubectl prints; the source is noted beside
 * each.
 */
import assert from "node:assert/strict";
import { chmodSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { parseAllDocuments } from "yaml";
import { fieldDescription, typeDescription } from "../../src/api/openapi/descriptions/index.ts";
import {
  field,
  type KubectlResult,
  kubectl,
  ok,
  removeDir,
  type SkiffProcess,
  startSkiff,
  tempDir,
} from "./harness.ts";

const seedsDir = new URL("../../docs/examples/seeds/", import.meta.url).pathname;
const versions = ["1.27", "1.30", "1.33"];

type Json = Record<string, unknown>;

/** kind → the resource kubectl names in its messages ("deployment.apps/x created"). */
const resourceOf: Record<string, string> = {
  ConfigMap: "configmap",
  Deployment: "deployment.apps",
  Ingress: "ingress.networking.k8s.io",
  Pod: "pod",
  ReplicationController: "replicationcontroller",
  Secret: "secret",
  Service: "service",
};

interface SeedFile {
  file: string;
  /** The path given to kubectl: the file itself, or a copy naming the test namespace. */
  path: string;
  objects: Array<{ kind: string; name: string }>;
  namespace: string;
}

function json(r: KubectlResult, what: string): Json {
  ok(r, what);
  return JSON.parse(r.stdout) as Json;
}

/**
 * Seed files in as few namespaces as possible such that no two objects of one kind and name meet
 * (the seeds' variants reuse names); a file naming a namespace gets a copy naming the slot's.
 */
function placeSeeds(prefix: string, scratch: string): SeedFile[] {
  const used: Array<Set<string>> = [];
  return readdirSync(seedsDir)
    .filter((f) => f.endsWith(".yaml"))
    .sort()
    .map((file) => {
      const docs = parseAllDocuments(readFileSync(join(seedsDir, file), "utf8"));
      const objects = docs.map((d) => {
        const o = d.toJS() as Json;
        return { kind: String(o.kind), name: String(field(o, "metadata.name")) };
      });
      const keys = objects.map((o) => `${o.kind}/${o.name}`);
      let slot = used.findIndex((s) => keys.every((k) => !s.has(k)));
      if (slot < 0) slot = used.push(new Set()) - 1;
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

/** The DESCRIPTION block of `kubectl explain`, with kubectl's line wrapping undone. */
function explained(stdout: string): string {
  const m = /\nDESCRIPTION:\n([\s\S]*?)(?:\n(?:FIELDS|ENUM):|$)/.exec(stdout);
  assert.ok(m, `no DESCRIPTION in:\n${stdout}`);
  return m[1].replace(/\s+/g, " ").trim();
}

const N = "io.k8s.api.networking.v1";
const C = "io.k8s.api.core.v1";

describe("kubectl write path against skiff apiserver", { concurrency: true }, () => {
  let skiff: SkiffProcess;

  before(async () => {
    skiff = await startSkiff("apiserver");
  });

  after(async () => {
    if (!skiff) return;
    const code = await skiff.stop();
    removeDir(skiff.dataDir);
    assert.equal(code, 0, `apiserver exit code\n${skiff.output()}`);
  });

  for (const [index, version] of versions.entries()) {
    describe(`kubectl ${version}`, { concurrency: false }, () => {
      const prefix = `w${version.replace(".", "")}`;
      const scratch = tempDir("skiff-write-path-");
      // kubectl caches discovery and OpenAPI under $HOME/.kube: one cache per version, removed after.
      const env = { HOME: scratch };
      const k = (args: string[], opts: { input?: string; env?: Record<string, string> } = {}) =>
        kubectl(skiff.kubeconfig, args, { version, input: opts.input, env: { ...env, ...opts.env } });
      // Seed 000's kube-dns Service pins 10.96.0.10, which the cluster's own kube-dns holds.
      const pinnedDNS = "000-skydns-service.yaml";
      const placed = placeSeeds(prefix, scratch);
      const seeds = placed.filter((s) => s.file !== pinnedDNS);
      const seedNamespaces = [...new Set(placed.map((s) => s.namespace))];
      const cmds = `${prefix}-cmds`;
      const n = ["-n", cmds];

      after(() => removeDir(scratch));

      /** The seeds by namespace: kubectl arguments and the lines it prints for an operation. */
      const seedGroups = () =>
        [...new Set(seeds.map((s) => s.namespace))].map((ns) => {
          const files = seeds.filter((s) => s.namespace === ns);
          return {
            args: [...files.flatMap((s) => ["-f", s.path]), "-n", ns],
            files: files.map((s) => s.file).join(", "),
            lines: (op: string) =>
              files.flatMap((s) => s.objects.map((o) => `${resourceOf[o.kind]}/${o.name} ${op}`)),
          };
        });

      test("apply -f of every seed manifest creates its objects", async () => {
        await Promise.all(
          [...seedNamespaces, cmds].map(async (ns) => ok(await k(["create", "namespace", ns]), ns)),
        );
        // One kubectl per namespace, every file of it as a -f (kubectl applies them in order).
        const groups = seedGroups();
        const results = await Promise.all(groups.map((g) => k(["apply", ...g.args])));
        groups.forEach((g, i) => {
          const r = results[i];
          assert.equal(r.code, 0, `apply ${g.args.join(" ")}: ${r.stderr}`);
          assert.deepEqual(r.stdout.trim().split("\n"), g.lines("created"), g.files);
          // No "missing last-applied annotation" warning: apply created them all.
          assert.equal(r.stderr, "", g.files);
        });
        // The seed's kube-dns Service asks for 10.96.0.10, held by the cluster's kube-dns: refused as
        // kube-apiserver's ClusterIP allocator refuses it on a kubeadm cluster.
        const dns = placed.find((s) => s.file === pinnedDNS)!;
        const r = await k(["apply", "-f", dns.path, "-n", dns.namespace]);
        assert.equal(r.code, 1);
        assert.equal(
          r.stderr,
          'The Service "kube-dns" is invalid: spec.clusterIPs: Invalid value: ["10.96.0.10"]: failed to allocate IP 10.96.0.10: provided IP is already allocated\n',
        );
      });

      test("applying every seed again prints unchanged and sends no PATCH", async () => {
        const kinds = "deployments,services,pods,ingresses,replicationcontrollers,configmaps,secrets";
        // One list over all namespaces, narrowed to this version's seed namespaces.
        const versionsOf = async () => {
          const list = json(await k(["get", kinds, "-A", "-o", "json"]), "get -A");
          const out: Record<string, unknown> = {};
          for (const item of list.items as Json[]) {
            const ns = String(field(item, "metadata.namespace"));
            if (seedNamespaces.includes(ns))
              out[`${item.kind}/${ns}/${field(item, "metadata.name")}`] = field(
                item,
                "metadata.resourceVersion",
              );
          }
          assert.ok(Object.keys(out).length >= seeds.length, JSON.stringify(out));
          return out;
        };
        const before = await versionsOf();
        const groups = seedGroups();
        const results = await Promise.all(groups.map((g) => k(["apply", ...g.args, "-v=6"])));
        groups.forEach((g, i) => {
          const r = results[i];
          assert.equal(r.code, 0, `apply ${g.files}: ${r.stderr}`);
          assert.deepEqual(r.stdout.trim().split("\n"), g.lines("unchanged"), g.files);
          // -v=6 logs every request (1.27: `GET https://…`; 1.33: `verb="GET"`): reads, never a PATCH,
          // because the three-way patch of an unchanged file is empty (kubectl apply.go skips it).
          assert.match(r.stderr, /\bGET\b/, `${g.files}: no request log`);
          assert.doesNotMatch(r.stderr, /\b(PATCH|PUT|POST)\b/, g.files);
        });
        assert.deepEqual(await versionsOf(), before, "resourceVersions changed on an unchanged apply");
      });

      test("changing a port and re-applying prints configured and the old port is gone", async () => {
        const svc = seeds.find((s) => s.file === "002-nginx-service.yaml")!;
        const deploy = seeds.find((s) => s.file === "001-my-nginx-deployment.yaml")!;
        const svcPath = join(scratch, "nginx-service-8001.yaml");
        const deployPath = join(scratch, "my-nginx-8080.yaml");
        const svcText = readFileSync(svc.path, "utf8");
        const deployText = readFileSync(deploy.path, "utf8");
        assert.match(svcText, /- port: 8000\n/);
        assert.match(deployText, /- containerPort: 80 /);
        writeFileSync(svcPath, svcText.replace("- port: 8000\n", "- port: 8001\n"));
        writeFileSync(deployPath, deployText.replace("- containerPort: 80 ", "- containerPort: 8080 "));
        const [a, b] = await Promise.all([
          k(["apply", "-f", svcPath, "-n", svc.namespace]),
          k(["apply", "-f", deployPath, "-n", deploy.namespace]),
        ]);
        assert.deepEqual([a.code, a.stdout, a.stderr], [0, "service/nginx-service configured\n", ""]);
        assert.deepEqual([b.code, b.stdout, b.stderr], [0, "deployment.apps/my-nginx configured\n", ""]);
        const [gotSvc, gotDeploy] = await Promise.all([
          k(["get", "service", "nginx-service", "-n", svc.namespace, "-o", "json"]).then((r) =>
            json(r, "get"),
          ),
          k(["get", "deployment", "my-nginx", "-n", deploy.namespace, "-o", "json"]).then((r) =>
            json(r, "get"),
          ),
        ]);
        // Ports merge on "port" (strategic merge patch keys from the schema): 8000 is deleted, not kept.
        assert.deepEqual(field(gotSvc, "spec.ports"), [{ port: 8001, protocol: "TCP", targetPort: 80 }]);
        const [container] = field(gotDeploy, "spec.template.spec.containers") as Json[];
        assert.deepEqual(container.ports, [{ containerPort: 8080, protocol: "TCP" }]);
        assert.equal(container.imagePullPolicy, "IfNotPresent");
        // The last-applied annotation round-trips the file as applied.
        const last = (field(gotSvc, "metadata.annotations") as Record<string, string>)[
          "kubectl.kubernetes.io/last-applied-configuration"
        ];
        assert.deepEqual(field(JSON.parse(last), "spec.ports"), [
          { port: 8001, protocol: "TCP", targetPort: 80 },
        ]);
        // And the changed file is now unchanged.
        const again = ok(await k(["apply", "-f", svcPath, "-n", svc.namespace]), "re-apply");
        assert.equal(again.stdout, "service/nginx-service unchanged\n");
      });

      test("a manifest with an unknown field fails with kube-apiserver's strict decoding error", async () => {
        const path = join(scratch, "unknown-field.yaml");
        writeFileSync(
          path,
          "apiVersion: v1\nkind: Service\nmetadata: {name: bad}\nspec:\n  foo: 1\n  ports: [{port: 80}]\n",
        );
        const r = await k(["apply", "-f", path, ...n]);
        // kube-apiserver: 400 "<Kind> in version \"v1\" cannot be handled as a <Kind>: strict decoding
        // error: unknown field …"; kubectl apply wraps it with `error when creating "<file>"`.
        assert.deepEqual(
          [r.code, r.stdout, r.stderr],
          [
            1,
            "",
            `Error from server (BadRequest): error when creating "${path}": Service in version "v1" cannot be handled as a Service: strict decoding error: unknown field "spec.foo"\n`,
          ],
        );
        assert.equal((await k(["get", "service", "bad", ...n])).code, 1, "nothing is stored");
        // --validate=warn (fieldValidation=Warn): stored without the field, kube's warning printed.
        const warned = await k(["create", "-f", path, "--validate=warn", ...n]);
        assert.deepEqual(
          [warned.code, warned.stdout, warned.stderr],
          [0, "service/bad created\n", 'Warning: unknown field "spec.foo"\n'],
        );
        // --validate=false (fieldValidation=Ignore): dropped silently.
        const ignored = await k(["replace", "-f", path, "--validate=false", ...n]);
        assert.deepEqual([ignored.code, ignored.stdout, ignored.stderr], [0, "service/bad replaced\n", ""]);
        const stored = json(await k(["get", "service", "bad", ...n, "-o", "json"]), "get");
        assert.equal(field(stored, "spec.foo"), undefined);
        ok(await k(["delete", "service", "bad", ...n]), "delete bad");
      });

      test("explain prints our field documentation", async () => {
        const [spec, affinity, paths] = await Promise.all([
          k(["explain", "service.spec"]),
          k(["explain", "service.spec.sessionAffinity"]),
          k(["explain", "ingress.spec.rules.http.paths"]),
        ]);
        // kubectl's OpenAPI v3 plaintext template: KIND/VERSION, "FIELD: name <Type>", DESCRIPTION
        // (the field's text, then its type's), FIELDS with "name\t<Type>" and -required-.
        ok(spec, "explain service.spec");
        assert.match(spec.stdout, /^KIND:\s+Service\nVERSION:\s+v1\n/);
        assert.match(spec.stdout, /^FIELD: spec <ServiceSpec>$/m);
        assert.equal(
          explained(spec.stdout),
          `${fieldDescription(`${C}.Service`, "spec")} ${typeDescription(`${C}.ServiceSpec`)}`,
        );
        assert.match(spec.stdout, /^ {2}ports\t<\[\]ServicePort>$/m);
        assert.match(spec.stdout, /^ {2}sessionAffinity\t<string>$/m);
        assert.match(spec.stdout, /^ {2}selector\t<map\[string\]string>$/m);

        ok(affinity, "explain service.spec.sessionAffinity");
        assert.match(affinity.stdout, /^FIELD: sessionAffinity <string>$/m);
        assert.ok(
          explained(affinity.stdout).startsWith(
            fieldDescription(`${C}.ServiceSpec`, "sessionAffinity") ?? "?",
          ),
          affinity.stdout,
        );
        // The enum (x-kubernetes enum values): 1.27 lists them only in the description.
        assert.match(affinity.stdout, /- `"ClientIP"`\n\s+- `"None"`/);

        ok(paths, "explain ingress.spec.rules.http.paths");
        assert.match(paths.stdout, /^GROUP:\s+networking\.k8s\.io\nKIND:\s+Ingress\nVERSION:\s+v1\n/);
        assert.match(paths.stdout, /^FIELD: paths <\[\]HTTPIngressPath>$/m);
        assert.equal(
          explained(paths.stdout),
          `${fieldDescription(`${N}.HTTPIngressRuleValue`, "paths")} ${typeDescription(`${N}.HTTPIngressPath`)}`,
        );
        // kube's HTTPIngressPath requires pathType and backend.
        assert.match(paths.stdout, /^ {2}backend\t<IngressBackend> -required-$/m);
        assert.match(paths.stdout, /^ {2}path\t<string>$/m);
        assert.match(paths.stdout, /^ {2}pathType\t<string> -required-$/m);
      });

      test("server-side apply from two field managers conflicts; --force-conflicts takes over", async () => {
        const manifest = (replicas: number) => `apiVersion: apps/v1
kind: Deployment
metadata: {name: ssa-web, namespace: ${cmds}}
spec:
  replicas: ${replicas}
  selector: {matchLabels: {app: ssa-web}}
  template:
    metadata: {labels: {app: ssa-web}}
    spec: {containers: [{name: web, image: nginx}]}
`;
        const first = await k(["apply", "--server-side", "--field-manager", "a", "-f", "-"], {
          input: manifest(2),
        });
        assert.deepEqual(
          [first.code, first.stdout],
          [0, "deployment.apps/ssa-web serverside-applied\n"],
          first.stderr,
        );
        // Same values elsewhere are co-owned; only the changed field conflicts. kube's conflict text
        // (structured-merge-diff, `conflict with "<manager>": <path>`), as kubectl apply prints it.
        const second = await k(["apply", "--server-side", "--field-manager", "b", "-f", "-"], {
          input: manifest(3),
        });
        assert.equal(second.code, 1);
        assert.equal(second.stdout, "");
        assert.ok(
          second.stderr.startsWith(
            'error: Apply failed with 1 conflict: conflict with "a": .spec.replicas\n',
          ),
          second.stderr,
        );
        assert.match(second.stderr, /re-run the apply\n\s+command with the `--force-conflicts` flag/);
        const mid = json(await k(["get", "deployment", "ssa-web", ...n, "-o", "json"]), "get");
        assert.equal(field(mid, "spec.replicas"), 2);
        const forced = await k(
          ["apply", "--server-side", "--field-manager", "b", "--force-conflicts", "-f", "-"],
          {
            input: manifest(3),
          },
        );
        assert.deepEqual(
          [forced.code, forced.stdout],
          [0, "deployment.apps/ssa-web serverside-applied\n"],
          forced.stderr,
        );
        const got = json(
          await k(["get", "deployment", "ssa-web", ...n, "-o", "json", "--show-managed-fields"]),
          "get",
        );
        assert.equal(field(got, "spec.replicas"), 3);
        const entries = field(got, "metadata.managedFields") as Array<{
          manager: string;
          operation: string;
          fieldsV1: Json;
        }>;
        const owns = (m: string) => {
          const e = entries.find((x) => x.manager === m && x.operation === "Apply");
          assert.ok(e, `no Apply entry for ${m}: ${JSON.stringify(entries)}`);
          return e.fieldsV1;
        };
        // a keeps what it still co-owns; the replicas moved to b.
        assert.equal(field(owns("a"), "f:spec.f:replicas"), undefined);
        assert.ok(field(owns("a"), "f:spec.f:selector"));
        assert.deepEqual(field(owns("b"), "f:spec.f:replicas"), {});
      });

      test("expose deployment, rc and pod create Services with their selectors", async () => {
        const files = ["001-my-nginx-deployment.yaml", "002-nginx-rc.yaml", "003-env-pod.yaml"];
        for (const f of files) ok(await k(["apply", "-f", join(seedsDir, f), ...n]), `apply ${f}`);
        const exposed = await Promise.all([
          k(["expose", "deployment", "my-nginx", "--port=80", "--target-port=80", ...n]),
          k(["expose", "rc", "nginx-controller", "--port=80", ...n]),
          k(["expose", "pod", "env-demo", "--port=8080", "--target-port=80", ...n]),
        ]);
        assert.deepEqual(
          exposed.map((r) => [r.code, r.stdout, r.stderr]),
          [
            [0, "service/my-nginx exposed\n", ""],
            [0, "service/nginx-controller exposed\n", ""],
            [0, "service/env-demo exposed\n", ""],
          ],
        );
        const got = await Promise.all(
          ["my-nginx", "nginx-controller", "env-demo"].map((s) =>
            k(["get", "service", s, ...n, "-o", "json"]).then((r) => json(r, `get ${s}`)),
          ),
        );
        // kubectl expose copies the selector of the workload (the pod's labels for a pod).
        assert.deepEqual(
          got.map((s) => [field(s, "spec.selector"), field(s, "spec.ports"), field(s, "spec.type")]),
          [
            [{ run: "my-nginx" }, [{ port: 80, protocol: "TCP", targetPort: 80 }], "ClusterIP"],
            [{ app: "nginx" }, [{ port: 80, protocol: "TCP", targetPort: 80 }], "ClusterIP"],
            [{ app: "env-demo" }, [{ port: 8080, protocol: "TCP", targetPort: 80 }], "ClusterIP"],
          ],
        );
        for (const s of got)
          assert.match(String(field(s, "spec.clusterIP")), /^10\.(9[6-9]|1[01]\d)\.\d+\.\d+$/);
      });

      test("scale deployment and rc go through /scale", async () => {
        const [d, rc] = await Promise.all([
          k(["scale", "deployment", "my-nginx", "--replicas=3", ...n]),
          k(["scale", "rc", "nginx-controller", "--replicas=1", ...n]),
        ]);
        assert.deepEqual([d.code, d.stdout, d.stderr], [0, "deployment.apps/my-nginx scaled\n", ""]);
        assert.deepEqual(
          [rc.code, rc.stdout, rc.stderr],
          [0, "replicationcontroller/nginx-controller scaled\n", ""],
        );
        const [deploy, dScale, rcScale] = await Promise.all([
          k(["get", "deployment", "my-nginx", ...n, "-o", "json"]).then((r) => json(r, "get")),
          k(["get", "--raw", `/apis/apps/v1/namespaces/${cmds}/deployments/my-nginx/scale`]).then((r) =>
            json(r, "get scale"),
          ),
          k([
            "get",
            "--raw",
            `/api/v1/namespaces/${cmds}/replicationcontrollers/nginx-controller/scale`,
          ]).then((r) => json(r, "get scale")),
        ]);
        assert.equal(field(deploy, "spec.replicas"), 3);
        // autoscaling/v1 Scale: spec.replicas, status.selector as a label-selector string.
        assert.deepEqual(
          [dScale.apiVersion, dScale.kind, field(dScale, "metadata.name"), field(dScale, "spec.replicas")],
          ["autoscaling/v1", "Scale", "my-nginx", 3],
        );
        assert.equal(field(dScale, "status.selector"), "run=my-nginx");
        assert.equal(field(dScale, "metadata.resourceVersion"), field(deploy, "metadata.resourceVersion"));
        assert.deepEqual(
          [field(rcScale, "spec.replicas"), field(rcScale, "status.selector")],
          [1, "app=nginx"],
        );
        // --current-replicas is a precondition kubectl checks against the Scale it reads.
        const pre = await k([
          "scale",
          "deployment",
          "my-nginx",
          "--current-replicas=5",
          "--replicas=4",
          ...n,
        ]);
        assert.equal(pre.code, 1);
        assert.match(pre.stderr, /Expected replicas to be 5, was 3/);
      });

      test("patch --type strategic, merge and json", async () => {
        // Strategic: containers merge on "name", so the ports and pull policy stay.
        const smp = await k([
          "patch",
          "deployment",
          "my-nginx",
          ...n,
          "-p",
          '{"spec":{"template":{"spec":{"containers":[{"name":"my-nginx","image":"nginx:1.27"}]}}}}',
        ]);
        const merge = await k([
          "patch",
          "service",
          "my-nginx",
          ...n,
          "--type",
          "merge",
          "-p",
          '{"metadata":{"labels":{"patched":"merge","run":null}}}',
        ]);
        const jsonPatch = await k([
          "patch",
          "service",
          "my-nginx",
          ...n,
          "--type",
          "json",
          "-p",
          '[{"op":"test","path":"/spec/ports/0/port","value":80},{"op":"replace","path":"/spec/ports/0/targetPort","value":8081}]',
        ]);
        assert.deepEqual(
          [smp, merge, jsonPatch].map((r) => [r.code, r.stdout, r.stderr]),
          [
            [0, "deployment.apps/my-nginx patched\n", ""],
            [0, "service/my-nginx patched\n", ""],
            [0, "service/my-nginx patched\n", ""],
          ],
        );
        const [deploy, svc] = await Promise.all([
          k(["get", "deployment", "my-nginx", ...n, "-o", "json"]).then((r) => json(r, "get")),
          k(["get", "service", "my-nginx", ...n, "-o", "json"]).then((r) => json(r, "get")),
        ]);
        const [c] = field(deploy, "spec.template.spec.containers") as Json[];
        assert.deepEqual(
          [c.name, c.image, c.imagePullPolicy, c.ports],
          ["my-nginx", "nginx:1.27", "IfNotPresent", [{ containerPort: 80, protocol: "TCP" }]],
        );
        assert.equal(field(deploy, "metadata.generation"), 3, "scale and patch each bump the generation");
        assert.deepEqual(field(svc, "metadata.labels"), { patched: "merge" });
        assert.deepEqual(field(svc, "spec.ports"), [{ port: 80, protocol: "TCP", targetPort: 8081 }]);
        // A failing "test" op changes nothing. kube-apiserver answers 422 through
        // NewGenericServerResponse (fixed message, empty details), which kubectl prints so.
        const failed = await k([
          "patch",
          "service",
          "my-nginx",
          ...n,
          "--type",
          "json",
          "-p",
          '[{"op":"test","path":"/spec/ports/0/port","value":99},{"op":"replace","path":"/spec/ports/0/port","value":99}]',
        ]);
        assert.deepEqual(
          [failed.code, failed.stderr],
          [1, "The request is invalid: the server rejected our request due to an error in our request\n"],
        );
        const unchanged = json(await k(["get", "service", "my-nginx", ...n, "-o", "json"]), "get");
        assert.deepEqual(field(unchanged, "spec.ports"), [{ port: 80, protocol: "TCP", targetPort: 8081 }]);
      });

      test("edit svc runs $EDITOR on the object and updates it", async () => {
        const editor = join(scratch, "editor.sh");
        // kubectl edit writes the object as YAML to a temp file, runs "$EDITOR <file>", then updates.
        writeFileSync(editor, '#!/bin/sh\nsed -i "s/^\\( *- \\)port: 80$/\\1port: 8080/" "$1"\n');
        chmodSync(editor, 0o755);
        const r = await k(["edit", "svc", "my-nginx", ...n], { env: { EDITOR: editor, KUBE_EDITOR: "" } });
        assert.deepEqual([r.code, r.stdout, r.stderr], [0, "service/my-nginx edited\n", ""]);
        const svc = json(await k(["get", "service", "my-nginx", ...n, "-o", "json"]), "get");
        assert.deepEqual(field(svc, "spec.ports"), [{ port: 8080, protocol: "TCP", targetPort: 8081 }]);
      });

      test("replace -f with a stale object is refused with 409", async () => {
        const stale = ok(await k(["get", "service", "my-nginx", ...n, "-o", "yaml"]), "get -o yaml").stdout;
        ok(await k(["label", "service", "my-nginx", "touched=yes", ...n]), "label");
        const path = join(scratch, "stale.yaml");
        assert.match(stale, /- port: 8080\n/);
        writeFileSync(path, stale.replace("- port: 8080\n", "- port: 9090\n"));
        const r = await k(["replace", "-f", path, ...n]);
        // kube-apiserver's optimistic concurrency (409 Conflict), wrapped by kubectl replace.
        assert.deepEqual(
          [r.code, r.stdout, r.stderr],
          [
            1,
            "",
            `Error from server (Conflict): error when replacing "${path}": Operation cannot be fulfilled on services "my-nginx": the object has been modified; please apply your changes to the latest version and try again\n`,
          ],
        );
        const svc = json(await k(["get", "service", "my-nginx", ...n, "-o", "json"]), "get");
        assert.equal((field(svc, "spec.ports") as Json[])[0].port, 8080);
        // The same file without the stale resourceVersion replaces.
        writeFileSync(
          path,
          stale.replace("- port: 8080\n", "- port: 9090\n").replace(/^ {2}resourceVersion: .*\n/m, ""),
        );
        const fresh = await k(["replace", "-f", path, ...n]);
        assert.deepEqual([fresh.code, fresh.stdout], [0, "service/my-nginx replaced\n"], fresh.stderr);
      });

      test("label and annotate", async () => {
        const [l, a] = await Promise.all([
          k(["label", "service", "my-nginx", "tier=web", ...n]),
          k(["annotate", "service", "my-nginx", "note=hello", ...n]),
        ]);
        assert.deepEqual([l.code, l.stdout, l.stderr], [0, "service/my-nginx labeled\n", ""]);
        // kubectl 1.27 names the operation "annotate" (its own wording, fixed in 1.28).
        const annotated = version === "1.27" ? "annotate" : "annotated";
        assert.deepEqual([a.code, a.stdout, a.stderr], [0, `service/my-nginx ${annotated}\n`, ""]);
        const un = await k(["label", "service", "my-nginx", "tier-", ...n]);
        assert.deepEqual([un.code, un.stdout], [0, "service/my-nginx unlabeled\n"], un.stderr);
        ok(await k(["label", "service", "my-nginx", "tier=web", ...n]), "label again");
        const svc = json(await k(["get", "service", "my-nginx", ...n, "-o", "json"]), "get");
        assert.deepEqual(field(svc, "metadata.labels"), { patched: "merge", tier: "web" });
        assert.equal((field(svc, "metadata.annotations") as Record<string, string>).note, "hello");
        // Without --overwrite kubectl refuses to change a label that has a value.
        const again = await k(["label", "service", "my-nginx", "tier=db", ...n]);
        assert.equal(again.code, 1);
        assert.match(again.stderr, /'tier' already has a value \(web\), and --overwrite is false/);
      });

      test("--dry-run=server on create, apply, patch and delete stores nothing", async () => {
        const snapshot = async () =>
          json(await k(["get", "services,configmaps,deployments", ...n, "-o", "json"]), "get")
            .items as Json[];
        const before = await snapshot();
        // A pinned address the dry run must not keep (kube's dry-run allocators release it).
        const ip = `10.96.${200 + index}.77`;
        const svc = `apiVersion: v1\nkind: Service\nmetadata: {name: dry-svc}\nspec:\n  clusterIP: ${ip}\n  ports: [{port: 80}]\n`;
        const cm = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: dry-cm}\ndata: {a: b}\n";
        const results = [
          await k(["create", "-f", "-", "--dry-run=server", ...n], { input: svc }),
          await k(["create", "configmap", "dry-cm2", "--from-literal=a=b", "--dry-run=server", ...n]),
          await k(["apply", "-f", "-", "--dry-run=server", ...n], { input: cm }),
          await k(["apply", "--server-side", "-f", "-", "--dry-run=server", ...n], { input: cm }),
          await k([
            "patch",
            "service",
            "my-nginx",
            "-p",
            '{"metadata":{"labels":{"dry":"run"}}}',
            "--dry-run=server",
            ...n,
          ]),
          await k(["scale", "deployment", "my-nginx", "--replicas=7", "--dry-run=server", ...n]),
          await k(["delete", "service", "my-nginx", "--dry-run=server", ...n]),
        ];
        // kubectl's printers add " (server dry run)", except patch's (its own printer has no suffix).
        assert.deepEqual(
          results.map((r) => [r.code, r.stdout, r.stderr]),
          [
            [0, "service/dry-svc created (server dry run)\n", ""],
            [0, "configmap/dry-cm2 created (server dry run)\n", ""],
            [0, "configmap/dry-cm created (server dry run)\n", ""],
            [0, "configmap/dry-cm serverside-applied (server dry run)\n", ""],
            [0, "service/my-nginx patched\n", ""],
            [0, "deployment.apps/my-nginx scaled (server dry run)\n", ""],
            [0, 'service "my-nginx" deleted (server dry run)\n', ""],
          ],
        );
        assert.deepEqual(await snapshot(), before, "a server dry run changed what is stored");
        // The address was not kept: a real create gets it.
        const real = await k(["create", "-f", "-", ...n], { input: svc });
        assert.deepEqual([real.code, real.stdout], [0, "service/dry-svc created\n"], real.stderr);
        const got = json(await k(["get", "service", "dry-svc", ...n, "-o", "json"]), "get");
        assert.equal(field(got, "spec.clusterIP"), ip);
      });
    });
  }
});
