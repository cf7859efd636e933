/** Watch semantics through HTTPS: expired resourceVersions, list-then-watch, selectors, bookmarks. */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { apiClient, waitFor } from "./harness.ts";
import { startTestServer, type TestServer } from "./testserver.ts";

interface Event {
  type: string;
  object: {
    kind?: string;
    code?: number;
    reason?: string;
    metadata?: { name?: string; resourceVersion?: string };
  };
}

describe("watch", () => {
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

  const cm = (name: string, labels: Record<string, string> = {}) => ({
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name, labels },
  });

  function watch(path: string) {
    const events: Event[] = [];
    const w = api.stream(path, (line) => events.push(JSON.parse(line) as Event));
    return { events, ...w };
  }

  test("a watch from an expired resourceVersion gets ERROR 410 and the stream closes", async () => {
    const first = await api.request("POST", "/api/v1/namespaces/default/configmaps", cm("old"));
    const oldRV = first.json<{ metadata: { resourceVersion: string } }>().metadata.resourceVersion;
    for (let i = 0; i < 5; i++)
      await api.request("POST", "/api/v1/namespaces/default/configmaps", cm(`more-${i}`));
    await ts.store.compact(ts.store.currentRevision());
    const w = watch(`/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=${oldRV}`);
    await w.ended; // the server closes the stream by itself
    assert.equal(w.events.length, 1);
    assert.equal(w.events[0].type, "ERROR");
    assert.equal(w.events[0].object.code, 410);
    assert.equal(w.events[0].object.reason, "Expired");
    // A list from a compacted revision is 410 too.
    const list = await api.request(
      "GET",
      `/api/v1/namespaces/default/configmaps?resourceVersion=${oldRV}&resourceVersionMatch=Exact`,
    );
    assert.equal(list.status, 410);
  });

  test("a watch from the latest list's resourceVersion never expires, even right after compaction", async () => {
    const list = await api.request("GET", "/api/v1/namespaces/default/configmaps");
    const rv = list.json<{ metadata: { resourceVersion: string } }>().metadata.resourceVersion;
    await ts.store.compact(ts.store.currentRevision());
    const w = watch(`/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=${rv}`);
    try {
      await api.request("POST", "/api/v1/namespaces/default/configmaps", cm("fresh"));
      await waitFor("ADDED fresh", () =>
        w.events.some((e) => e.object.metadata?.name === "fresh") ? true : undefined,
      );
      assert.deepEqual(
        w.events.map((e) => e.type),
        ["ADDED"],
      );
    } finally {
      w.close();
    }
  });

  test("selectors are evaluated on old and new objects: an object that stops matching is DELETED", async () => {
    await api.request("POST", "/api/v1/namespaces/default/configmaps", cm("sel", { tier: "web" }));
    const w = watch("/api/v1/namespaces/default/configmaps?watch=true&labelSelector=tier%3Dweb");
    try {
      await waitFor("initial ADDED", () => (w.events.length >= 1 ? true : undefined));
      const cur = (await api.request("GET", "/api/v1/namespaces/default/configmaps/sel")).json<{
        metadata: Record<string, unknown>;
      }>();
      cur.metadata.labels = { tier: "db" };
      assert.equal((await api.request("PUT", "/api/v1/namespaces/default/configmaps/sel", cur)).status, 200);
      cur.metadata.labels = { tier: "web" };
      delete cur.metadata.resourceVersion;
      assert.equal((await api.request("PUT", "/api/v1/namespaces/default/configmaps/sel", cur)).status, 200);
      await waitFor("three events", () => (w.events.length >= 3 ? true : undefined));
      assert.deepEqual(
        w.events.map((e) => e.type),
        ["ADDED", "DELETED", "ADDED"],
      );
    } finally {
      w.close();
    }
  });

  test("timeoutSeconds ends the stream; BOOKMARKs carry only a resourceVersion", async () => {
    const w = watch(
      "/api/v1/namespaces/default/configmaps?watch=true&timeoutSeconds=1&allowWatchBookmarks=true&sendInitialEvents=true&resourceVersionMatch=NotOlderThan",
    );
    await w.ended;
    const bookmark = w.events.find((e) => e.type === "BOOKMARK");
    assert.ok(bookmark, "initial-events-end bookmark");
    assert.equal(bookmark.object.kind, "ConfigMap");
    assert.ok(bookmark.object.metadata?.resourceVersion);
  });

  test("a bad resourceVersion is 400", async () => {
    const r = await api.request(
      "GET",
      "/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=abc",
    );
    assert.equal(r.status, 400);
  });
});
