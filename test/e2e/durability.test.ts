/**
 * kill -9 of the apiserver during 1,000 concurrent creates: after a restart every create that got
 * a 201 is there, and resourceVersions keep increasing.
 */
import assert from "node:assert/strict";
import { after, test } from "node:test";
import { apiClient, removeDir, startSkiff, tempDir, waitFor } from "./harness.ts";

const dataDir = tempDir();
after(() => removeDir(dataDir));

test("every acknowledged create survives kill -9, and revisions keep increasing", async () => {
  const first = await startSkiff("apiserver", [], { dataDir });
  const api = apiClient(first.kubeconfig);
  const acked = new Map<string, number>();
  let killed = false;
  try {
    const creates = Array.from({ length: 1000 }, async (_, i) => {
      const name = `cm-${i}`;
      try {
        const r = await api.request("POST", "/api/v1/namespaces/default/configmaps", {
          apiVersion: "v1",
          kind: "ConfigMap",
          metadata: { name },
          data: { i: String(i), pad: "x".repeat(512) },
        });
        if (r.status === 201) {
          const rv = Number(r.json<{ metadata: { resourceVersion: string } }>().metadata.resourceVersion);
          acked.set(name, rv);
        }
      } catch {
        // the connection died with the process: not acknowledged
      }
    });
    // Kill once a good share is acknowledged, while the rest are in flight.
    await waitFor("300 acknowledged creates", () => (acked.size >= 300 ? true : undefined), 30_000);
    await first.kill();
    killed = true;
    await Promise.all(creates);
  } finally {
    api.close();
    if (!killed) await first.kill();
  }
  assert.ok(acked.size >= 300 && acked.size < 1000, `acknowledged ${acked.size} before the kill`);

  const second = await startSkiff("apiserver", [], { dataDir });
  const api2 = apiClient(second.kubeconfig);
  try {
    const list = await api2.request("GET", "/api/v1/namespaces/default/configmaps");
    assert.equal(list.status, 200);
    const items = list.json<{ items: Array<{ metadata: { name: string; resourceVersion: string } }> }>()
      .items;
    const have = new Map(items.map((o) => [o.metadata.name, Number(o.metadata.resourceVersion)]));
    for (const [name, rv] of acked) {
      assert.ok(have.has(name), `acknowledged ${name} is missing after kill -9`);
      assert.equal(have.get(name), rv, `${name} kept its resourceVersion`);
    }
    const maxOld = Math.max(...have.values());
    const created = await api2.request("POST", "/api/v1/namespaces/default/configmaps", {
      metadata: { name: "after-restart" },
    });
    assert.equal(created.status, 201);
    const rv = Number(created.json<{ metadata: { resourceVersion: string } }>().metadata.resourceVersion);
    assert.ok(rv > maxOld, `new resourceVersion ${rv} > every old one (${maxOld})`);
  } finally {
    api2.close();
    assert.equal(await second.stop(), 0, "SIGTERM stops the apiserver with exit code 0");
  }
});
