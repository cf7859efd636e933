import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { KubeObject } from "../api/machinery/types.ts";
import { Cache, namespaceIndex, objectKey, splitKey } from "./cache.ts";

const obj = (ns: string, name: string, rv: string, labels: Record<string, string> = {}): KubeObject => ({
  metadata: { namespace: ns || undefined, name, resourceVersion: rv, labels },
});

describe("Cache", () => {
  test("keys are namespace/name, or name for cluster-scoped objects (client-go MetaNamespaceKeyFunc)", () => {
    assert.equal(objectKey(obj("default", "a", "1")), "default/a");
    assert.equal(objectKey(obj("", "node-1", "1")), "node-1");
    assert.deepEqual(splitKey("default/a"), { namespace: "default", name: "a" });
    assert.deepEqual(splitKey("node-1"), { namespace: "", name: "node-1" });
  });

  test("upsert, get, delete and indexes that follow changes", () => {
    const c = new Cache<KubeObject>({
      ...namespaceIndex,
      app: (o) => (o.metadata.labels?.app ? [o.metadata.labels.app] : []),
    });
    assert.equal(c.upsert(obj("a", "x", "1", { app: "web" })), undefined);
    c.upsert(obj("b", "y", "2", { app: "web" }));
    assert.equal(c.byIndex("app", "web").length, 2);
    const old = c.upsert(obj("a", "x", "3", { app: "db" }));
    assert.equal(old?.metadata.resourceVersion, "1");
    assert.deepEqual(c.byIndex("app", "web").map(objectKey), ["b/y"]);
    assert.deepEqual(c.byIndex("app", "db").map(objectKey), ["a/x"]);
    assert.equal(c.delete("b/y")?.metadata.name, "y");
    assert.equal(c.delete("b/y"), undefined);
    assert.deepEqual(c.byIndex("namespace", "b"), []);
    assert.equal(c.size, 1);
    assert.throws(() => c.byIndex("nope", "x"), /index "nope" does not exist/);
  });

  test("getIn finds what get finds, by namespace and name, through upserts, deletes and replace", () => {
    for (const byNamespace of [false, true]) {
      const c = new Cache<KubeObject>({}, { byNamespace });
      const same = () => {
        for (const [ns, name] of [
          ["a", "x"],
          ["a", "y"],
          ["b", "x"],
          ["", "node-1"],
          ["c", "x"],
        ]) {
          const key = ns ? `${ns}/${name}` : name;
          assert.equal(c.getIn(ns, name), c.get(key), `${byNamespace} ${key}`);
        }
      };
      c.upsert(obj("a", "x", "1"));
      c.upsert(obj("a", "y", "1"));
      c.upsert(obj("b", "x", "1"));
      c.upsert(obj("", "node-1", "1"));
      same();
      assert.equal(c.getIn("a", "x")?.metadata.resourceVersion, "1");
      c.upsert(obj("a", "x", "2"));
      assert.equal(c.getIn("a", "x")?.metadata.resourceVersion, "2");
      c.delete("a/y");
      assert.equal(c.getIn("a", "y"), undefined);
      same();
      c.replace([obj("c", "x", "3")]);
      assert.equal(c.getIn("a", "x"), undefined);
      assert.equal(c.getIn("c", "x")?.metadata.resourceVersion, "3");
      same();
    }
  });

  test("replace reports adds, updates by resourceVersion, and deletes", () => {
    const c = new Cache<KubeObject>(namespaceIndex);
    c.replace([obj("d", "same", "1"), obj("d", "changed", "2"), obj("d", "gone", "3")]);
    const r = c.replace([obj("d", "same", "1"), obj("d", "changed", "5"), obj("e", "new", "6")]);
    assert.deepEqual(r.added.map(objectKey), ["e/new"]);
    assert.deepEqual(
      r.updated.map(([a, b]) => [objectKey(a), a.metadata.resourceVersion, b.metadata.resourceVersion]),
      [["d/changed", "2", "5"]],
    );
    assert.deepEqual(r.deleted.map(objectKey), ["d/gone"]);
    assert.deepEqual(c.keys().sort(), ["d/changed", "d/same", "e/new"]);
    assert.deepEqual(c.byIndex("namespace", "e").map(objectKey), ["e/new"]);
  });

  test("an index value shared by one, several, then one object again keeps order; repeats count once", () => {
    const ips = (o: KubeObject) => (o.metadata.labels?.ips ?? "").split(",").filter(Boolean);
    const c = new Cache<KubeObject>({ ip: ips });
    c.upsert(obj("d", "a", "1", { ips: "10.0.0.1,10.0.0.1" }));
    assert.deepEqual(c.byIndex("ip", "10.0.0.1").map(objectKey), ["d/a"]);
    c.upsert(obj("d", "b", "2", { ips: "10.0.0.1" }));
    c.upsert(obj("d", "c", "3", { ips: "10.0.0.1,10.0.0.2" }));
    assert.deepEqual(c.byIndex("ip", "10.0.0.1").map(objectKey), ["d/a", "d/b", "d/c"]);
    c.delete("d/a");
    c.delete("d/c");
    assert.deepEqual(c.byIndex("ip", "10.0.0.1").map(objectKey), ["d/b"]);
    assert.deepEqual(c.byIndex("ip", "10.0.0.2"), []);
    c.upsert(obj("d", "a", "4", { ips: "10.0.0.1" }));
    assert.deepEqual(c.byIndex("ip", "10.0.0.1").map(objectKey), ["d/b", "d/a"]);
    // Re-filing an object under the same value (an update) leaves it there once.
    c.upsert(obj("d", "b", "5", { ips: "10.0.0.1" }));
    c.delete("d/a");
    assert.deepEqual(c.byIndex("ip", "10.0.0.1").map(objectKey), ["d/b"]);
    c.delete("d/b");
    assert.deepEqual(c.byIndex("ip", "10.0.0.1"), []);
    assert.equal(c.size, 0);
  });
});
