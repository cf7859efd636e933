/**
 * PATCH through the apiserver over HTTPS and with real kubectl, checked against what
 * kube-apiserver answers (endpoints/handlers/patch.go, apimachinery validation of PatchOptions).
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { apiClient, kubectl } from "../../../test/e2e/harness.ts";
import { startTestServer, type TestServer } from "../../../test/e2e/testserver.ts";

interface Obj {
  apiVersion?: string;
  kind?: string;
  metadata: {
    name: string;
    resourceVersion: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    managedFields?: Array<{ manager: string; operation: string }>;
  };
  spec?: Record<string, unknown>;
  status?: Record<string, unknown>;
}
interface Status {
  code: number;
  reason?: string;
  message: string;
  details?: { causes?: Array<{ reason?: string; field?: string; message: string }> };
}

const JSON_PATCH = { "Content-Type": "application/json-patch+json" };
const MERGE = { "Content-Type": "application/merge-patch+json" };
const SMP = { "Content-Type": "application/strategic-merge-patch+json" };
const APPLY = { "Content-Type": "application/apply-patch+yaml" };

const svcs = "/api/v1/namespaces/default/services";
const portsOf = (o: Obj) => (o.spec as { ports: Array<{ port: number }> }).ports.map((p) => p.port);

describe("PATCH", () => {
  let ts: TestServer;
  let api: ReturnType<typeof apiClient>;
  before(async () => {
    ts = await startTestServer();
    api = apiClient(ts.kubeconfig);
  });
  after(async () => {
    api.close();
    await ts.stop();
  });

  async function service(name: string): Promise<Obj> {
    const r = await api.request("POST", svcs, {
      metadata: { name, labels: { app: name } },
      spec: { selector: { app: name }, ports: [{ name: "http", port: 80, targetPort: 8080 }] },
    });
    assert.equal(r.status, 201, r.body);
    return r.json<Obj>();
  }

  test("the three patch types change the stored object", async () => {
    const s = await service("p1");
    const m = await api.request("PATCH", `${svcs}/p1`, { metadata: { labels: { tier: "fe" } } }, MERGE);
    assert.equal(m.status, 200, m.body);
    assert.deepEqual(m.json<Obj>().metadata.labels, { app: "p1", tier: "fe" });
    assert.notEqual(m.json<Obj>().metadata.resourceVersion, s.metadata.resourceVersion);

    const j = await api.request(
      "PATCH",
      `${svcs}/p1`,
      [
        { op: "test", path: "/spec/ports/0/port", value: 80 },
        { op: "replace", path: "/spec/ports/0/port", value: 81 },
      ],
      JSON_PATCH,
    );
    assert.equal(j.status, 200, j.body);
    assert.deepEqual(portsOf(j.json<Obj>()), [81]);

    // Strategic merge: ports merge by port; a new port comes first (strategicpatch mergeSortedSlice).
    const p = await api.request(
      "PATCH",
      `${svcs}/p1`,
      { spec: { ports: [{ name: "https", port: 443 }] } },
      SMP,
    );
    assert.equal(p.status, 200, p.body);
    assert.deepEqual(portsOf(p.json<Obj>()), [443, 81]);
    // Defaults run again after the patch: the new port got protocol and targetPort.
    const added = (p.json<Obj>().spec as { ports: Array<Record<string, unknown>> }).ports[0];
    assert.equal(added.protocol, "TCP");
    assert.equal(added.targetPort, 443);

    const got = (await api.request("GET", `${svcs}/p1`)).json<Obj>();
    assert.deepEqual(portsOf(got), [443, 81]);
    assert.deepEqual(got.metadata.labels, { app: "p1", tier: "fe" });
  });

  test("unsupported content type: 415 listing the patch types", async () => {
    await service("p2");
    const r = await api.request("PATCH", `${svcs}/p2`, { metadata: {} });
    assert.equal(r.status, 415);
    const st = r.json<Status>();
    assert.equal(st.reason, "UnsupportedMediaType");
    assert.equal(
      st.message,
      "the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json, application/apply-patch+yaml",
    );
  });

  test("a failing JSON patch test: 422 with kube's fixed message and empty details", async () => {
    await service("p3");
    const r = await api.request(
      "PATCH",
      `${svcs}/p3`,
      [{ op: "test", path: "/spec/type", value: "NodePort" }],
      JSON_PATCH,
    );
    assert.equal(r.status, 422);
    const st = r.json<Status>();
    assert.equal(st.reason, "Invalid");
    assert.equal(st.message, "the server rejected our request due to an error in our request");
    // apimachinery's NewGenericServerResponse adds a cause only when isUnexpectedResponse, which
    // the patch handler passes as false: kubectl prints "The request is invalid: the server
    // rejected our request due to an error in our request".
    assert.deepEqual(st.details, {});
  });

  test("malformed bodies: 400", async () => {
    await service("p4");
    const bad = await api.request("PATCH", `${svcs}/p4`, "{nope", MERGE);
    assert.equal(bad.status, 400);
    assert.equal(bad.json<Status>().message, "invalid JSON patch");
    const obj = await api.request("PATCH", `${svcs}/p4`, { op: "add" }, JSON_PATCH);
    assert.equal(obj.status, 400);
    assert.equal(
      obj.json<Status>().message,
      "json: cannot unmarshal object into Go value of type jsonpatch.Patch",
    );
    const retain = await api.request("PATCH", `${svcs}/p4`, { spec: { $retainKeys: "x" } }, SMP);
    assert.equal(retain.status, 400);
    assert.equal(retain.json<Status>().message, "invalid patch format of retainKeys");
  });

  test("an SMP error that is no Status: 500 without a reason", async () => {
    await service("p5");
    const r = await api.request("PATCH", `${svcs}/p5`, { spec: { ports: [{ targetPort: 1 }] } }, SMP);
    assert.equal(r.status, 500);
    const st = r.json<Status>();
    assert.equal(st.reason, undefined);
    assert.equal(st.message, "map: map[targetPort:1] does not contain declared merge key: port");
  });

  test("PatchOptions: apply needs a fieldManager, force only with apply (422)", async () => {
    await service("p6");
    const a = await api.request("PATCH", `${svcs}/p6`, "apiVersion: v1\nkind: Service\n", APPLY);
    assert.equal(a.status, 422);
    assert.equal(
      a.json<Status>().message,
      'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch',
    );
    const f = await api.request("PATCH", `${svcs}/p6?force=true`, {}, MERGE);
    assert.equal(f.status, 422);
    assert.equal(
      f.json<Status>().message,
      'PatchOptions.meta.k8s.io "" is invalid: force: Forbidden: may not be specified for non-apply patch',
    );
  });

  test("resourceVersion in a patch is a precondition (409); a name change is refused (400)", async () => {
    const s = await service("p7");
    await api.request("PATCH", `${svcs}/p7`, { metadata: { labels: { x: "1" } } }, MERGE);
    const stale = await api.request(
      "PATCH",
      `${svcs}/p7`,
      { metadata: { resourceVersion: s.metadata.resourceVersion, labels: { y: "1" } } },
      MERGE,
    );
    assert.equal(stale.status, 409);
    assert.equal(
      stale.json<Status>().message,
      'Operation cannot be fulfilled on services "p7": the object has been modified; please apply your changes to the latest version and try again',
    );
    const renamed = await api.request("PATCH", `${svcs}/p7`, { metadata: { name: "other" } }, MERGE);
    assert.equal(renamed.status, 400);
    assert.equal(
      renamed.json<Status>().message,
      "the name of the object (other) does not match the name on the URL (p7)",
    );
  });

  test("concurrent patches without resourceVersion all land (conflicts retry)", async () => {
    await service("p8");
    const rs = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        api.request("PATCH", `${svcs}/p8`, { metadata: { labels: { [`l${i}`]: "x" } } }, MERGE),
      ),
    );
    for (const r of rs) assert.equal(r.status, 200, r.body);
    const got = (await api.request("GET", `${svcs}/p8`)).json<Obj>();
    assert.equal(Object.keys(got.metadata.labels ?? {}).length, 13);
  });

  test("validation runs after the patch; dryRun stores nothing; a missing object is 404", async () => {
    await service("p9");
    const bad = await api.request(
      "PATCH",
      `${svcs}/p9`,
      [{ op: "replace", path: "/spec/ports/0/port", value: 0 }],
      JSON_PATCH,
    );
    assert.equal(bad.status, 422);
    assert.equal(bad.json<Status>().reason, "Invalid");
    assert.match(bad.json<Status>().message, /^Service "p9" is invalid: spec\.ports\[0\]\.port/);
    const dry = await api.request(
      "PATCH",
      `${svcs}/p9?dryRun=All`,
      { metadata: { labels: { dry: "1" } } },
      MERGE,
    );
    assert.equal(dry.status, 200);
    assert.equal(dry.json<Obj>().metadata.labels?.dry, "1");
    const got = (await api.request("GET", `${svcs}/p9`)).json<Obj>();
    assert.equal(got.metadata.labels?.dry, undefined);
    const missing = await api.request("PATCH", `${svcs}/nope`, { metadata: { labels: { a: "b" } } }, MERGE);
    assert.equal(missing.status, 404);
    assert.equal(missing.json<Status>().message, 'services "nope" not found');
  });

  test("fieldValidation=Strict refuses unknown fields in the patched object (422)", async () => {
    await service("p10");
    const r = await api.request("PATCH", `${svcs}/p10?fieldValidation=Strict`, { spec: { bogus: 1 } }, SMP);
    assert.equal(r.status, 422, r.body);
    assert.equal(
      r.json<Status>().message,
      ' "" is invalid: patch: Invalid value: "map[spec:map[bogus:1]]": strict decoding error: unknown field "spec.bogus"',
    );
    const ok = await api.request("PATCH", `${svcs}/p10?fieldValidation=Ignore`, { spec: { bogus: 1 } }, SMP);
    assert.equal(ok.status, 200);
    assert.equal((ok.json<Obj>().spec as Record<string, unknown>).bogus, undefined);
  });

  test("server-side apply creates (201), then updates (200) and records the manager", async () => {
    const body = [
      "apiVersion: v1",
      "kind: Service",
      "metadata:",
      "  name: p11",
      "  labels: {app: p11}",
      "spec:",
      "  selector: {app: p11}",
      "  ports:",
      "  - port: 80",
    ].join("\n");
    const c = await api.request("PATCH", `${svcs}/p11?fieldManager=me`, body, APPLY);
    assert.equal(c.status, 201, c.body);
    const created = c.json<Obj>();
    assert.deepEqual(
      created.metadata.managedFields?.map((m) => [m.manager, m.operation]),
      [["me", "Apply"]],
    );
    const u = await api.request(
      "PATCH",
      `${svcs}/p11?fieldManager=me`,
      body.replace("port: 80", "port: 81"),
      APPLY,
    );
    assert.equal(u.status, 200, u.body);
    assert.deepEqual(portsOf(u.json<Obj>()), [81]);
  });

  test("status subresource patch changes status only", async () => {
    await service("p12");
    const cond = {
      type: "Ready",
      status: "True",
      lastTransitionTime: "2024-01-01T00:00:00Z",
      reason: "Up",
      message: "",
    };
    const r = await api.request(
      "PATCH",
      `${svcs}/p12/status`,
      { spec: { selector: { app: "changed" } }, status: { conditions: [cond] } },
      MERGE,
    );
    assert.equal(r.status, 200, r.body);
    const o = r.json<Obj>();
    assert.deepEqual((o.status as { conditions: unknown[] }).conditions, [cond]);
    assert.deepEqual(o.spec?.selector, { app: "p12" });
  });

  test("scale subresource patch", async () => {
    const deps = "/apis/apps/v1/namespaces/default/deployments";
    const labels = { app: "d1" };
    const c = await api.request("POST", deps, {
      metadata: { name: "d1" },
      spec: {
        replicas: 1,
        selector: { matchLabels: labels },
        template: { metadata: { labels }, spec: { containers: [{ name: "c", image: "nginx" }] } },
      },
    });
    assert.equal(c.status, 201, c.body);
    const r = await api.request("PATCH", `${deps}/d1/scale`, { spec: { replicas: 3 } }, MERGE);
    assert.equal(r.status, 200, r.body);
    const scale = r.json<Obj>();
    assert.equal(scale.kind, "Scale");
    assert.deepEqual(scale.spec, { replicas: 3 });
    const d = (await api.request("GET", `${deps}/d1`)).json<Obj>();
    assert.equal(d.spec?.replicas, 3);
  });

  test("kubectl patch (merge, json, strategic), label and annotate", async () => {
    await service("k1");
    const kc = ts.kubeconfig;
    const run = async (args: string[]) => {
      const r = await kubectl(kc, args, { version: "1.33" });
      assert.equal(r.code, 0, `kubectl ${args.join(" ")}: ${r.stderr}`);
      return r.stdout.trim();
    };
    assert.equal(
      await run(["patch", "svc", "k1", "--type", "merge", "-p", '{"spec":{"sessionAffinity":"ClientIP"}}']),
      "service/k1 patched",
    );
    assert.equal(
      await run([
        "patch",
        "svc",
        "k1",
        "--type",
        "json",
        "-p",
        '[{"op":"replace","path":"/spec/ports/0/port","value":90}]',
      ]),
      "service/k1 patched",
    );
    assert.equal(
      await run([
        "patch",
        "svc",
        "k1",
        "--type",
        "strategic",
        "-p",
        '{"spec":{"ports":[{"name":"b","port":91}]}}',
      ]),
      "service/k1 patched",
    );
    assert.equal(await run(["label", "svc", "k1", "a=b"]), "service/k1 labeled");
    assert.equal(await run(["annotate", "svc", "k1", "a=b"]), "service/k1 annotated");
    let o = (await api.request("GET", `${svcs}/k1`)).json<Obj>();
    assert.equal(o.spec?.sessionAffinity, "ClientIP");
    assert.deepEqual(portsOf(o), [91, 90]);
    assert.equal(o.metadata.labels?.a, "b");
    assert.equal(o.metadata.annotations?.a, "b");
    assert.equal(await run(["label", "svc", "k1", "a-"]), "service/k1 unlabeled");
    o = (await api.request("GET", `${svcs}/k1`)).json<Obj>();
    assert.equal(o.metadata.labels?.a, undefined);
    // Nothing changes: kubectl says so (the server answered the object unchanged).
    assert.equal(
      await run(["patch", "svc", "k1", "--type", "merge", "-p", '{"spec":{"sessionAffinity":"ClientIP"}}']),
      "service/k1 patched (no change)",
    );
    const bad = await kubectl(
      kc,
      ["patch", "svc", "k1", "--type", "json", "-p", '[{"op":"test","path":"/spec/type","value":"x"}]'],
      {
        version: "1.33",
      },
    );
    assert.notEqual(bad.code, 0);
    // An Invalid Status without kind, name or causes: kubectl appends the message (checkErr), as
    // against kube-apiserver (kubernetes-client/javascript#2095 quotes this line from kubectl).
    assert.equal(
      bad.stderr,
      "The request is invalid: the server rejected our request due to an error in our request\n",
    );
  });
  test("kubectl apply (client-side): the three-way strategic patch it sends removes a dropped port", async () => {
    const manifest = (ports: number[]) =>
      [
        "apiVersion: v1",
        "kind: Service",
        "metadata:",
        "  name: k2",
        "  namespace: default",
        "spec:",
        "  selector: {app: k2}",
        "  ports:",
        ...ports.map((p) => `  - {name: p${p}, port: ${p}}`),
      ].join("\n");
    const apply = async (ports: number[]) => {
      // --validate=false only while /openapi is not served here; the patch kubectl sends is the same.
      const r = await kubectl(ts.kubeconfig, ["apply", "--validate=false", "-f", "-"], {
        version: "1.33",
        input: manifest(ports),
      });
      assert.equal(r.code, 0, r.stderr);
      return r.stdout.trim();
    };
    assert.equal(await apply([80, 81]), "service/k2 created");
    assert.equal(await apply([80, 81]), "service/k2 unchanged");
    assert.equal(await apply([82, 80]), "service/k2 configured");
    const o = (await api.request("GET", `${svcs}/k2`)).json<Obj>();
    // $setElementOrder/ports keeps the file's order; the port removed from the file is gone.
    assert.deepEqual(portsOf(o), [82, 80]);
  });
});
