import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import http from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import type { KubeObject } from "../api/machinery/types.ts";
import { ApiError, isAlreadyExists, isExpired, isNotFound, statusFromResponse } from "./api-error.ts";
import { queryString, RestClient } from "./rest.ts";
import { FakeApiserver } from "./testing/fake-apiserver.ts";
import { waitFor } from "./testing/wait.ts";
import type { WatchEvent } from "./watch.ts";

const configmaps = { group: "", version: "v1", plural: "configmaps", namespaced: true };

describe("RestClient against a fake apiserver", () => {
  const api = new FakeApiserver();
  let rest: RestClient;
  before(async () => {
    await api.start();
    rest = new RestClient({ server: api.url, namespace: "default", token: "t0k" });
  });
  after(async () => {
    rest.close();
    await api.stop();
  });

  test("create, get, list; bearer token sent", async () => {
    const cms = rest.resource(configmaps).namespace("default");
    const created = await cms.create({ metadata: { name: "a" }, data: { k: "v" } });
    assert.equal(created.metadata.name, "a");
    assert.ok(created.metadata.resourceVersion);
    const got = await cms.get("a");
    assert.deepEqual(got.data, { k: "v" });
    assert.equal(api.requests.at(-1)?.authorization, "Bearer t0k");
    const list = await cms.list();
    assert.equal(list.items.length, 1);
    // Items are filled in from the list's kind, like client-go's unstructured lists.
    assert.equal(list.items[0].kind, "ConfigMap");
    assert.equal(list.items[0].apiVersion, "v1");
    assert.equal(list.metadata.resourceVersion, String(api.rev));
  });

  test("create takes the namespace from the object when the client is not scoped", async () => {
    await rest.resource(configmaps).create({ metadata: { name: "b", namespace: "other" } });
    assert.equal(api.requests.at(-1)?.path, "/api/v1/namespaces/other/configmaps");
    await rest.resource(configmaps).list();
    assert.equal(api.requests.at(-1)?.path, "/api/v1/configmaps", "all namespaces");
  });

  test("errors are ApiError with the server's Status", async () => {
    const cms = rest.resource(configmaps).namespace("default");
    await assert.rejects(cms.get("missing"), (e: unknown) => {
      assert.ok(e instanceof ApiError);
      assert.equal(e.code, 404);
      assert.equal(e.reason, "NotFound");
      assert.equal(e.message, 'configmaps "missing" not found');
      assert.equal(e.details?.name, "missing");
      assert.equal(e.status.kind, "Status");
      assert.ok(isNotFound(e));
      return true;
    });
    await assert.rejects(cms.create({ metadata: { name: "a" } }), (e: unknown) => isAlreadyExists(e));
  });

  test("a non-Status error body becomes a generic Status for its code", async () => {
    await assert.rejects(rest.request("GET", "/nope"), (e: unknown) => {
      assert.ok(e instanceof ApiError);
      assert.equal(e.code, 404);
      assert.equal(e.reason, "NotFound");
      // client-go NewGenericServerResponse's message for 404.
      assert.equal(e.message, "the server could not find the requested resource");
      assert.equal(e.details?.causes?.[0].message, "404 page not found");
      return true;
    });
  });

  test("delete returns the server's answer", async () => {
    const cms = rest.resource(configmaps).namespace("default");
    await cms.create({ metadata: { name: "gone" } });
    const st = await cms.delete("gone", { propagationPolicy: "Background" });
    assert.equal(st.kind, "Status");
    await assert.rejects(cms.get("gone"), isNotFound);
  });

  test("watch streams events, sends the options, and ends cleanly on abort", async () => {
    const cms = rest.resource(configmaps).namespace("w");
    const rv = String(api.rev);
    const ac = new AbortController();
    const seen: WatchEvent<KubeObject>[] = [];
    const done = (async () => {
      for await (const ev of cms.watch({
        resourceVersion: rv,
        allowWatchBookmarks: true,
        timeoutSeconds: 60,
        labelSelector: "app=x",
        signal: ac.signal,
      })) {
        seen.push(ev);
      }
    })();
    await waitFor(() => api.watchCount === 1, "watch to connect");
    const q = api.requestsOf("watch").at(-1)!.query;
    assert.equal(q.get("resourceVersion"), rv);
    assert.equal(q.get("allowWatchBookmarks"), "true");
    assert.equal(q.get("timeoutSeconds"), "60");
    assert.equal(q.get("labelSelector"), "app=x");
    api.put("w", "x", { a: "1" });
    api.put("w", "x", { a: "2" });
    api.remove("w", "x");
    api.bookmark();
    await waitFor(() => seen.length === 4, "4 events");
    assert.deepEqual(
      seen.map((e) => e.type),
      ["ADDED", "MODIFIED", "DELETED", "BOOKMARK"],
    );
    assert.equal(seen[3].object.metadata.resourceVersion, String(api.rev));
    ac.abort();
    await done;
    await waitFor(() => api.watchCount === 0, "server to see the watch closed");
  });

  test("watch ends when the server ends the stream, and after an ERROR event", async () => {
    const cms = rest.resource(configmaps).namespace("w");
    const seen: string[] = [];
    const done = (async () => {
      for await (const ev of cms.watch({ resourceVersion: String(api.rev) })) seen.push(ev.type);
    })();
    await waitFor(() => api.watchCount === 1, "watch to connect");
    api.expireWatches();
    await done;
    assert.deepEqual(seen, ["ERROR"]);
  });

  test("a dropped watch connection ends the stream without an error", async () => {
    const cms = rest.resource(configmaps).namespace("w");
    const seen: string[] = [];
    const done = (async () => {
      for await (const ev of cms.watch({ resourceVersion: String(api.rev) })) seen.push(ev.type);
    })();
    await waitFor(() => api.watchCount === 1, "watch to connect");
    api.put("w", "y", {});
    await waitFor(() => seen.length === 1, "one event");
    api.dropWatches();
    await done;
    assert.deepEqual(seen, ["ADDED"]);
  });

  test("a watch from a compacted version answers ERROR 410", async () => {
    api.compact();
    api.put("w", "z", {});
    const events: string[] = [];
    for await (const ev of rest.resource(configmaps).watch({ resourceVersion: "1" })) {
      events.push(ev.type);
      if (ev.type === "ERROR") assert.equal(ev.object.code, 410);
    }
    assert.deepEqual(events, ["ERROR"]);
  });

  test("an already-aborted watch yields nothing", async () => {
    const ac = new AbortController();
    ac.abort();
    const events: unknown[] = [];
    for await (const ev of rest.resource(configmaps).watch({ signal: ac.signal })) events.push(ev);
    assert.deepEqual(events, []);
  });
});

describe("RestClient transport", () => {
  const dir = mkdtempSync(join(tmpdir(), "skiff-rest-"));
  after(() => rmSync(dir, { recursive: true, force: true }));

  function serve(listen: (s: http.Server) => Promise<void>) {
    const seen: Array<{ url: string; headers: http.IncomingHttpHeaders; body: string }> = [];
    const server = http.createServer((req, res) => {
      let body = "";
      req.on("data", (c: Buffer) => {
        body += c.toString();
      });
      req.on("end", () => {
        seen.push({ url: req.url ?? "", headers: req.headers, body });
        res.writeHead(200, { "content-type": "application/json" }).end('{"kind":"ConfigMap","metadata":{}}');
      });
    });
    return { server, seen, ready: listen(server) };
  }

  test("unix: server URLs speak HTTP over the socket", async () => {
    const sock = join(dir, "api.sock");
    const { server, seen, ready } = serve((s) => new Promise((r) => s.listen(sock, () => r())));
    await ready;
    const rest = new RestClient({ server: `unix://${sock}`, namespace: "default" });
    try {
      await rest.resource(configmaps).namespace("ns").get("x");
      assert.equal(seen[0].url, "/api/v1/namespaces/ns/configmaps/x");
    } finally {
      rest.close();
      await new Promise((r) => server.close(r));
    }
  });

  test("basic auth, tokenFile, server path prefix, patch content types, write options", async () => {
    const { server, seen, ready } = serve((s) => new Promise((r) => s.listen(0, "127.0.0.1", () => r())));
    await ready;
    const port = (server.address() as { port: number }).port;
    const tokenFile = join(dir, "token");
    writeFileSync(tokenFile, "from-file\n");
    const basic = new RestClient({
      server: `http://127.0.0.1:${port}/prefix/`,
      namespace: "default",
      username: "u",
      password: "p",
    });
    const tok = new RestClient({ server: `http://127.0.0.1:${port}`, namespace: "default", tokenFile });
    const deploys = { group: "apps", version: "v1", plural: "deployments", namespaced: true };
    try {
      await basic.resource(deploys).namespace("d").get("web");
      assert.equal(seen[0].url, "/prefix/apis/apps/v1/namespaces/d/deployments/web");
      assert.equal(seen[0].headers.authorization, `Basic ${Buffer.from("u:p").toString("base64")}`);

      const client = tok.resource(deploys).namespace("d");
      await client.patch(
        "web",
        "merge",
        { spec: { replicas: 2 } },
        { subresource: "scale", fieldManager: "m" },
      );
      assert.equal(seen[1].headers.authorization, "Bearer from-file");
      assert.equal(seen[1].headers["content-type"], "application/merge-patch+json");
      assert.equal(seen[1].url, "/apis/apps/v1/namespaces/d/deployments/web/scale?fieldManager=m");
      await client.patch("web", "apply", "{}", { fieldManager: "skiff", force: true });
      assert.equal(seen[2].headers["content-type"], "application/apply-patch+yaml");
      assert.equal(seen[2].url, "/apis/apps/v1/namespaces/d/deployments/web?fieldManager=skiff&force=true");
      await client.updateStatus({ metadata: { name: "web" }, status: {} }, { dryRun: true });
      assert.equal(seen[3].url, "/apis/apps/v1/namespaces/d/deployments/web/status?dryRun=All");
      await client.delete("web", { gracePeriodSeconds: 0, preconditions: { uid: "u1" } });
      assert.deepEqual(JSON.parse(seen[4].body), {
        kind: "DeleteOptions",
        apiVersion: "v1",
        gracePeriodSeconds: 0,
        preconditions: { uid: "u1" },
      });
      const nodes = tok.resource({ group: "", version: "v1", plural: "nodes", namespaced: false });
      await nodes.list({ limit: 10, continue: "abc", fieldSelector: "metadata.name=n1" });
      assert.equal(seen[5].url, "/api/v1/nodes?fieldSelector=metadata.name%3Dn1&limit=10&continue=abc");
      assert.throws(() => nodes.namespace("x"), /not namespaced/);
      assert.throws(() => client.patch("web", "apply", "{}"), /fieldManager/);
      assert.throws(() => tok.resource(deploys).get("web"), /namespace is required/);
    } finally {
      basic.close();
      tok.close();
      await new Promise((r) => server.close(r));
    }
  });

  test("connection errors are not ApiErrors", async () => {
    const s = http.createServer();
    await new Promise<void>((r) => s.listen(0, "127.0.0.1", () => r()));
    const port = (s.address() as { port: number }).port;
    await new Promise((r) => s.close(r));
    const rest = new RestClient({ server: `http://127.0.0.1:${port}`, namespace: "default" });
    await assert.rejects(rest.request("GET", "/api"), (e: unknown) => !(e instanceof ApiError));
    rest.close();
  });

  test("unsupported schemes are refused", () => {
    assert.throws(
      () => new RestClient({ server: "ftp://h", namespace: "default" }),
      /unsupported server URL/,
    );
  });
});

describe("Status helpers", () => {
  test("statusFromResponse keeps a server Status", () => {
    const st = statusFromResponse(
      410,
      JSON.stringify({
        kind: "Status",
        apiVersion: "v1",
        metadata: {},
        status: "Failure",
        reason: "Expired",
        code: 410,
      }),
    );
    assert.equal(st.reason, "Expired");
    assert.ok(isExpired(new ApiError(st)));
  });

  test("5xx without a Status is an InternalError quoting the body", () => {
    const st = statusFromResponse(502, "bad gateway");
    assert.equal(st.reason, "InternalError");
    assert.equal(
      st.message,
      'an error on the server ("bad gateway") has prevented the request from succeeding',
    );
  });

  test("queryString skips unset values and escapes", () => {
    assert.equal(queryString({ a: undefined, b: "", c: "x y", d: 0, e: false }), "?c=x%20y&d=0&e=false");
    assert.equal(queryString({}), "");
  });
});
