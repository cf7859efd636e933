/**
 * The REST semantics of the apiserver through HTTPS, checked against what kube-apiserver answers
 * (status codes, reasons, messages): create/update/delete paths, pagination, selectors, graceful
 * deletion, generation, namespaces, authentication, health and discovery.
 */
import assert from "node:assert/strict";
import https from "node:https";
import { after, before, describe, test } from "node:test";
import { apiClient, waitFor } from "./harness.ts";
import { startTestServer, type TestServer } from "./testserver.ts";

interface Meta {
  name: string;
  namespace?: string;
  resourceVersion: string;
  uid: string;
  generation?: number;
  deletionTimestamp?: string;
  finalizers?: string[];
}
interface Obj {
  metadata: Meta;
  spec?: Record<string, unknown>;
  status?: Record<string, unknown>;
}
interface Status {
  kind: string;
  code: number;
  reason: string;
  message: string;
  details?: { causes?: Array<{ reason: string; field: string; message: string }> };
}

describe("apiserver REST semantics", () => {
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

  const cms = "/api/v1/namespaces/default/configmaps";

  test("create: 201, namespace from the URL, generateName, AlreadyExists", async () => {
    const r = await api.request("POST", cms, { metadata: { generateName: "gen-" }, data: { a: "b" } });
    assert.equal(r.status, 201);
    const o = r.json<Obj>();
    assert.match(o.metadata.name, /^gen-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
    assert.equal(o.metadata.namespace, "default");
    assert.match(o.metadata.uid, /^[0-9a-f-]{36}$/);
    const dup = await api.request("POST", cms, { metadata: { name: o.metadata.name } });
    assert.equal(dup.status, 409);
    const st = dup.json<Status>();
    assert.equal(st.reason, "AlreadyExists");
    assert.equal(st.message, `configmaps "${o.metadata.name}" already exists`);
  });

  test("create in a namespace that does not exist is 404 namespaces not found", async () => {
    const r = await api.request("POST", "/api/v1/namespaces/nowhere/configmaps", { metadata: { name: "x" } });
    assert.equal(r.status, 404);
    assert.equal(r.json<Status>().message, 'namespaces "nowhere" not found');
  });

  test("a namespace in the body that differs from the URL is 400", async () => {
    const r = await api.request("POST", cms, { metadata: { name: "x", namespace: "kube-system" } });
    assert.equal(r.status, 400);
    assert.equal(
      r.json<Status>().message,
      "the namespace of the provided object does not match the namespace sent on the request",
    );
  });

  test("invalid objects are 422 Invalid with field causes", async () => {
    const r = await api.request("POST", cms, { metadata: { name: "Bad_Name", labels: { "a b": "c" } } });
    assert.equal(r.status, 422);
    const st = r.json<Status>();
    assert.equal(st.reason, "Invalid");
    assert.match(st.message, /^ConfigMap "Bad_Name" is invalid: \[/);
    const fields = (st.details?.causes ?? []).map((c) => c.field).sort();
    assert.deepEqual(fields, ["metadata.labels", "metadata.name"]);
  });

  test("update with a stale resourceVersion is 409 Conflict; without one it applies; no-op updates keep the RV", async () => {
    const c = (await api.request("POST", cms, { metadata: { name: "upd" }, data: { v: "1" } })).json<Obj>();
    const fresh = { ...c, data: { v: "2" } };
    const ok = await api.request("PUT", `${cms}/upd`, fresh);
    assert.equal(ok.status, 200);
    const stale = await api.request("PUT", `${cms}/upd`, { ...c, data: { v: "3" } });
    assert.equal(stale.status, 409);
    assert.equal(
      stale.json<Status>().message,
      'Operation cannot be fulfilled on configmaps "upd": the object has been modified; please apply your changes to the latest version and try again',
    );
    const cur = ok.json<Obj>();
    const same = await api.request("PUT", `${cms}/upd`, cur);
    assert.equal(same.json<Obj>().metadata.resourceVersion, cur.metadata.resourceVersion, "no-op update");
    const { resourceVersion: _rv, ...metaNoRV } = cur.metadata;
    const uncond = await api.request("PUT", `${cms}/upd`, { ...cur, metadata: metaNoRV, data: { v: "4" } });
    assert.equal(uncond.status, 200);
    const wrongName = await api.request("PUT", `${cms}/upd`, {
      ...cur,
      metadata: { ...metaNoRV, name: "other" },
    });
    assert.equal(wrongName.status, 400);
    const missing = await api.request("PUT", `${cms}/nope`, { metadata: { name: "nope" } });
    assert.equal(missing.status, 404);
  });

  test("generation starts at 1 and is bumped by spec changes only", async () => {
    const path = "/apis/apps/v1/namespaces/default/deployments";
    const d = {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "gen" },
      spec: {
        selector: { matchLabels: { app: "gen" } },
        template: {
          metadata: { labels: { app: "gen" } },
          spec: { containers: [{ name: "c", image: "nginx" }] },
        },
      },
    };
    const c = (await api.request("POST", path, d)).json<Obj>();
    assert.equal(c.metadata.generation, 1);
    const labelled = (
      await api.request("PUT", `${path}/gen`, { ...c, metadata: { ...c.metadata, labels: { x: "y" } } })
    ).json<Obj>();
    assert.equal(labelled.metadata.generation, 1, "metadata change keeps the generation");
    const scaled = (
      await api.request("PUT", `${path}/gen`, { ...labelled, spec: { ...labelled.spec, replicas: 3 } })
    ).json<Obj>();
    assert.equal(scaled.metadata.generation, 2);
    const scale = await api.request("GET", `${path}/gen/scale`);
    assert.equal(scale.status, 200);
    assert.deepEqual(scale.json<{ spec: unknown; status: unknown }>().spec, { replicas: 3 });
    const put = await api.request("PUT", `${path}/gen/scale`, {
      apiVersion: "autoscaling/v1",
      kind: "Scale",
      metadata: { name: "gen" },
      spec: { replicas: 5 },
    });
    assert.equal(put.status, 200);
    const after = (await api.request("GET", `${path}/gen`)).json<Obj>();
    assert.equal(after.spec?.replicas, 5);
    assert.equal(after.metadata.generation, 3);
  });

  test("limit and continue page through a list read at one revision", async () => {
    await api.request("POST", "/api/v1/namespaces", { metadata: { name: "paging" } });
    for (let i = 0; i < 7; i++)
      await api.request("POST", "/api/v1/namespaces/paging/configmaps", { metadata: { name: `p${i}` } });
    const names: string[] = [];
    let cont = "";
    let rv = "";
    let pages = 0;
    do {
      const r = await api.request(
        "GET",
        `/api/v1/namespaces/paging/configmaps?limit=3${cont ? `&continue=${cont}` : ""}`,
      );
      const l = r.json<{
        metadata: { continue?: string; resourceVersion: string; remainingItemCount?: number };
        items: Obj[];
      }>();
      if (pages === 0) {
        rv = l.metadata.resourceVersion;
        assert.equal(l.metadata.remainingItemCount, 4);
        // A write between pages does not show up in later pages.
        await api.request("POST", "/api/v1/namespaces/paging/configmaps", { metadata: { name: "p9-late" } });
      } else assert.equal(l.metadata.resourceVersion, rv);
      names.push(...l.items.map((o) => o.metadata.name));
      cont = l.metadata.continue ?? "";
      pages++;
    } while (cont);
    assert.equal(pages, 3);
    assert.deepEqual(names, ["p0", "p1", "p2", "p3", "p4", "p5", "p6"]);
    const bad = await api.request("GET", "/api/v1/namespaces/paging/configmaps?limit=3&continue=garbage");
    assert.equal(bad.status, 400);
  });

  test("label and field selectors; unsupported fields are 400", async () => {
    await api.request("POST", cms, { metadata: { name: "sel-a", labels: { tier: "web", env: "prod" } } });
    await api.request("POST", cms, { metadata: { name: "sel-b", labels: { tier: "db" } } });
    const q = async (s: string) =>
      (await api.request("GET", `${cms}?${s}`))
        .json<{ items: Obj[] }>()
        .items.map((o) => o.metadata.name)
        .filter((n) => n.startsWith("sel-"));
    assert.deepEqual(await q("labelSelector=tier%3Dweb"), ["sel-a"]);
    assert.deepEqual(await q("labelSelector=tier%20in%20(web,db)"), ["sel-a", "sel-b"]);
    assert.deepEqual(await q("labelSelector=!env,tier"), ["sel-b"]);
    assert.deepEqual(await q("fieldSelector=metadata.name%3Dsel-b"), ["sel-b"]);
    const bad = await api.request("GET", `${cms}?fieldSelector=spec.foo%3Dx`);
    assert.equal(bad.status, 400);
    assert.equal(
      bad.json<Status>().message,
      '"spec.foo" is not a known field selector: only "metadata.name", "metadata.namespace"',
    );
    const podBad = await api.request("GET", "/api/v1/pods?fieldSelector=spec.foo%3Dx");
    assert.equal(podBad.json<Status>().message, "field label not supported: spec.foo");
    const badLabel = await api.request("GET", `${cms}?labelSelector=a%20in%20b`);
    assert.equal(badLabel.status, 400);
  });

  test("pods are deleted gracefully: deletionTimestamp first, removal when grace period 0 confirms", async () => {
    const pods = "/api/v1/namespaces/default/pods";
    const pod = (name: string, nodeName?: string) => ({
      metadata: { name },
      spec: { ...(nodeName ? { nodeName } : {}), containers: [{ name: "c", image: "nginx" }] },
    });
    // Unscheduled pods go at once (kube's CheckGracefulDelete).
    await api.request("POST", pods, pod("unscheduled"));
    const gone = await api.request("DELETE", `${pods}/unscheduled`);
    assert.equal(gone.status, 200);
    assert.equal((await api.request("GET", `${pods}/unscheduled`)).status, 404);
    // A scheduled pod is marked and stays until the node confirms.
    await api.request("POST", pods, pod("graceful", "node-1"));
    const marked = await api.request("DELETE", `${pods}/graceful`);
    assert.equal(marked.status, 202);
    const m = marked.json<Obj>().metadata as Meta & { deletionGracePeriodSeconds?: number };
    assert.ok(m.deletionTimestamp);
    assert.equal(m.deletionGracePeriodSeconds, 30);
    assert.equal((await api.request("GET", `${pods}/graceful`)).status, 200);
    const confirm = await api.request("DELETE", `${pods}/graceful`, { gracePeriodSeconds: 0 });
    assert.equal(confirm.status, 200);
    assert.equal((await api.request("GET", `${pods}/graceful`)).status, 404);
  });

  test("pods/binding assigns a node once, with the PodScheduled condition", async () => {
    const pods = "/api/v1/namespaces/default/pods";
    await api.request("POST", pods, {
      metadata: { name: "bindme" },
      spec: { containers: [{ name: "c", image: "nginx" }] },
    });
    const binding = {
      apiVersion: "v1",
      kind: "Binding",
      metadata: { name: "bindme" },
      target: { apiVersion: "v1", kind: "Node", name: "node-a" },
    };
    const r = await api.request("POST", `${pods}/bindme/binding`, binding);
    assert.equal(r.status, 201);
    const pod = (await api.request("GET", `${pods}/bindme`)).json<{
      spec: { nodeName: string };
      status: { conditions: Array<{ type: string; status: string }> };
    }>();
    assert.equal(pod.spec.nodeName, "node-a");
    assert.ok(pod.status.conditions.some((c) => c.type === "PodScheduled" && c.status === "True"));
    const again = await api.request("POST", `${pods}/bindme/binding`, {
      ...binding,
      target: { kind: "Node", name: "node-b" },
    });
    assert.equal(again.status, 409);
    assert.equal(
      again.json<Status>().message,
      'Operation cannot be fulfilled on pods/binding "bindme": pod bindme is already assigned to node "node-a"',
    );
    const noTarget = await api.request("POST", `${pods}/bindme/binding`, { ...binding, target: {} });
    assert.equal(noTarget.status, 422);
    await api.request("DELETE", `${pods}/bindme`, { gracePeriodSeconds: 0 });
  });

  test("finalizers hold an object until removed; preconditions; deletecollection", async () => {
    await api.request("POST", cms, { metadata: { name: "fin", finalizers: ["example.com/hold"] } });
    const del = await api.request("DELETE", `${cms}/fin`);
    assert.equal(del.status, 202);
    const held = (await api.request("GET", `${cms}/fin`)).json<Obj>();
    assert.ok(held.metadata.deletionTimestamp);
    const added = await api.request("PUT", `${cms}/fin`, {
      ...held,
      metadata: { ...held.metadata, finalizers: ["example.com/hold", "example.com/new"] },
    });
    assert.equal(added.status, 422, "no new finalizers while deleting");
    const released = await api.request("PUT", `${cms}/fin`, {
      ...held,
      metadata: { ...held.metadata, finalizers: [] },
    });
    assert.equal(released.status, 200);
    assert.equal((await api.request("GET", `${cms}/fin`)).status, 404);

    const pre = (await api.request("POST", cms, { metadata: { name: "pre" } })).json<Obj>();
    const wrong = await api.request("DELETE", `${cms}/pre`, { preconditions: { uid: "not-the-uid" } });
    assert.equal(wrong.status, 409);
    const right = await api.request("DELETE", `${cms}/pre`, { preconditions: { uid: pre.metadata.uid } });
    assert.equal(right.status, 200);

    await api.request("POST", "/api/v1/namespaces", { metadata: { name: "dc" } });
    for (const n of ["a", "b", "c"])
      await api.request("POST", "/api/v1/namespaces/dc/configmaps", {
        metadata: { name: n, labels: { drop: n === "c" ? "no" : "yes" } },
      });
    const dc = await api.request("DELETE", "/api/v1/namespaces/dc/configmaps?labelSelector=drop%3Dyes");
    assert.equal(dc.status, 200);
    const left = (await api.request("GET", "/api/v1/namespaces/dc/configmaps")).json<{ items: Obj[] }>();
    assert.deepEqual(
      left.items.map((o) => o.metadata.name),
      ["c"],
    );
  });

  test("dryRun=All validates and answers without storing", async () => {
    const r = await api.request("POST", `${cms}?dryRun=All`, { metadata: { name: "dry" } });
    assert.equal(r.status, 201);
    assert.equal((await api.request("GET", `${cms}/dry`)).status, 404);
    const bad = await api.request("POST", `${cms}?dryRun=Some`, { metadata: { name: "dry" } });
    assert.equal(bad.status, 400);
  });

  test("namespaces: system ones cannot be deleted; deleting one terminates it and removes its contents", async () => {
    const def = await api.request("DELETE", "/api/v1/namespaces/default");
    assert.equal(def.status, 403);
    assert.equal(
      def.json<Status>().message,
      'namespaces "default" is forbidden: this namespace may not be deleted',
    );
    await api.request("POST", "/api/v1/namespaces", { metadata: { name: "doomed" } });
    await api.request("POST", "/api/v1/namespaces/doomed/configmaps", { metadata: { name: "inside" } });
    const del = await api.request("DELETE", "/api/v1/namespaces/doomed");
    assert.ok(del.status === 200 || del.status === 202);
    await waitFor("namespace doomed gone", async () =>
      (await api.request("GET", "/api/v1/namespaces/doomed")).status === 404 ? true : undefined,
    );
    assert.equal((await api.request("GET", "/api/v1/namespaces/doomed/configmaps/inside")).status, 404);
  });

  test("a namespace being terminated refuses new content with 403", async () => {
    await api.request("POST", "/api/v1/namespaces", { metadata: { name: "closing" } });
    await api.request("POST", "/api/v1/namespaces/closing/pods", {
      metadata: { name: "p" },
      spec: { nodeName: "n1", containers: [{ name: "c", image: "nginx" }] },
    });
    await api.request("DELETE", "/api/v1/namespaces/closing");
    const r = await api.request("POST", "/api/v1/namespaces/closing/configmaps", {
      metadata: { name: "late" },
    });
    assert.equal(r.status, 403);
    assert.equal(
      r.json<Status>().message,
      'configmaps "late" is forbidden: unable to create new content in namespace closing because it is being terminated',
    );
    // The pod waits for its node: confirm its deletion so the namespace can finish.
    await api.request("DELETE", "/api/v1/namespaces/closing/pods/p", { gracePeriodSeconds: 0 });
    await waitFor("namespace closing gone", async () =>
      (await api.request("GET", "/api/v1/namespaces/closing")).status === 404 ? true : undefined,
    );
  });

  test("garbage collection: background deletes dependents, orphan keeps them without the owner reference", async () => {
    const owner = (await api.request("POST", cms, { metadata: { name: "owner" } })).json<Obj>();
    const ref = { apiVersion: "v1", kind: "ConfigMap", name: "owner", uid: owner.metadata.uid };
    await api.request("POST", cms, { metadata: { name: "dep", ownerReferences: [ref] } });
    await api.request("DELETE", `${cms}/owner`, { propagationPolicy: "Background" });
    await waitFor("dependent deleted", async () =>
      (await api.request("GET", `${cms}/dep`)).status === 404 ? true : undefined,
    );

    const owner2 = (await api.request("POST", cms, { metadata: { name: "owner2" } })).json<Obj>();
    const ref2 = { apiVersion: "v1", kind: "ConfigMap", name: "owner2", uid: owner2.metadata.uid };
    await api.request("POST", cms, { metadata: { name: "dep2", ownerReferences: [ref2] } });
    await api.request("DELETE", `${cms}/owner2`, { propagationPolicy: "Orphan" });
    await waitFor("owner2 gone", async () =>
      (await api.request("GET", `${cms}/owner2`)).status === 404 ? true : undefined,
    );
    const dep2 = (await api.request("GET", `${cms}/dep2`)).json<
      Obj & { metadata: { ownerReferences?: unknown[] } }
    >();
    assert.equal(dep2.metadata.ownerReferences, undefined);

    const owner3 = (await api.request("POST", cms, { metadata: { name: "owner3" } })).json<Obj>();
    const ref3 = {
      apiVersion: "v1",
      kind: "ConfigMap",
      name: "owner3",
      uid: owner3.metadata.uid,
      blockOwnerDeletion: true,
    };
    await api.request("POST", cms, { metadata: { name: "dep3", ownerReferences: [ref3] } });
    const fg = await api.request("DELETE", `${cms}/owner3`, { propagationPolicy: "Foreground" });
    assert.equal(fg.status, 202);
    await waitFor("owner3 and dep3 gone", async () =>
      (await api.request("GET", `${cms}/owner3`)).status === 404 &&
      (await api.request("GET", `${cms}/dep3`)).status === 404
        ? true
        : undefined,
    );
  });

  test("requests without the token are 401; health and version are public", async () => {
    const url = new URL(ts.server.url);
    const get = (path: string, token?: string) =>
      new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = https.request(
          {
            hostname: url.hostname,
            port: url.port,
            path,
            ca: ts.server.caCertPem,
            headers: token ? { Authorization: `Bearer ${token}` } : {},
          },
          (res) => {
            let body = "";
            res.on("data", (d) => {
              body += d;
            });
            res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
          },
        );
        req.on("error", reject);
        req.end();
      });
    const unauth = await get("/api/v1/namespaces");
    assert.equal(unauth.status, 401);
    assert.equal((JSON.parse(unauth.body) as Status).reason, "Unauthorized");
    assert.equal((await get("/api/v1/namespaces", "wrong-token")).status, 401);
    for (const p of ["/healthz", "/livez", "/readyz"]) {
      const r = await get(p);
      assert.equal(r.status, 200);
      assert.equal(r.body, "ok");
    }
    const v = JSON.parse((await get("/version")).body) as { major: string; minor: string };
    assert.equal(v.major, "1");
    const metrics = await get("/metrics", ts.server.adminToken);
    assert.match(metrics.body, /apiserver_request_total\{/);
    assert.match(metrics.body, /apiserver_storage_objects\{resource="configmaps"\}/);
  });

  test("aggregated discovery answers with the content type kubectl requires", async () => {
    const r = await api.request("GET", "/apis", undefined, {
      Accept:
        "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json",
    });
    assert.equal(r.status, 200);
    const doc = r.json<{ kind: string; items: Array<{ metadata: { name: string } }> }>();
    assert.equal(doc.kind, "APIGroupDiscoveryList");
    const groups = doc.items.map((g) => g.metadata.name);
    for (const g of ["apps", "discovery.k8s.io", "networking.k8s.io"]) assert.ok(groups.includes(g), g);
    assert.ok(!groups.includes(""), "the core group is served under /api");
    const legacy = await api.request("GET", "/api/v1");
    assert.equal(legacy.json<{ kind: string }>().kind, "APIResourceList");
    assert.equal((await api.request("GET", "/apis/nope.example.com/v1")).status, 404);
    assert.equal((await api.request("GET", "/api/v1/nothings")).status, 404);
  });
});
