/**
 * The official JavaScript client (@kubernetes/client-node 1.4.0) over HTTPS with the generated
 * kubeconfig: list/create/delete, and an informer that keeps working across an apiserver restart.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { CoreV1Api, KubeConfig, makeInformer, type V1Service } from "@kubernetes/client-node";
import { freePort, removeDir, type SkiffProcess, startSkiff, tempDir, waitFor } from "./harness.ts";

const dataDir = tempDir();
let port = 0;
let skiff: SkiffProcess | undefined;

before(async () => {
  port = await freePort();
  skiff = await startSkiff("apiserver", [], { dataDir, port });
});
after(async () => {
  await skiff?.stop();
  removeDir(dataDir);
});

function client(): { kc: KubeConfig; core: CoreV1Api } {
  const kc = new KubeConfig();
  kc.loadFromFile(skiff!.kubeconfig);
  return { kc, core: kc.makeApiClient(CoreV1Api) };
}

const svc = (name: string): V1Service => ({
  metadata: { name, labels: { app: name } },
  spec: { selector: { app: name }, ports: [{ port: 80, targetPort: 8080 }] },
});

test("list, create, read and delete through client-node", async () => {
  const { core } = client();
  const ns = await core.listNamespace();
  assert.deepEqual(ns.items.map((n) => n.metadata?.name).sort(), [
    "default",
    "kube-node-lease",
    "kube-public",
    "kube-system",
  ]);
  const created = await core.createNamespacedService({ namespace: "default", body: svc("cn-one") });
  assert.equal(created.metadata?.name, "cn-one");
  assert.equal(created.spec?.ports?.[0].protocol, "TCP", "defaults applied");
  const read = await core.readNamespacedService({ name: "cn-one", namespace: "default" });
  assert.equal(read.metadata?.uid, created.metadata?.uid);
  const list = await core.listNamespacedService({ namespace: "default", labelSelector: "app=cn-one" });
  assert.deepEqual(
    list.items.map((s) => s.metadata?.name),
    ["cn-one"],
  );
  await core.deleteNamespacedService({ name: "cn-one", namespace: "default" });
  await assert.rejects(core.readNamespacedService({ name: "cn-one", namespace: "default" }), (e: unknown) => {
    return (e as { code?: number }).code === 404;
  });
});

test("an informer sees add, update and delete, and keeps working across an apiserver restart", async () => {
  const { kc, core } = client();
  const seen: string[] = [];
  const informer = makeInformer(kc, "/api/v1/namespaces/default/services", () =>
    core.listNamespacedService({ namespace: "default" }),
  );
  informer.on("add", (o) => seen.push(`add ${o.metadata?.name}`));
  informer.on("update", (o) => seen.push(`update ${o.metadata?.name} ${o.metadata?.labels?.v ?? ""}`));
  informer.on("delete", (o) => seen.push(`delete ${o.metadata?.name}`));
  // client-node's informer stops on errors and leaves restarting to the caller (its documented pattern).
  let stopped = false;
  informer.on("error", () => {
    if (!stopped) setTimeout(() => void informer.start().catch(() => undefined), 200);
  });
  await informer.start();
  const has = (s: string) => () => (seen.includes(s) ? true : undefined);
  try {
    await core.createNamespacedService({ namespace: "default", body: svc("inf-a") });
    await waitFor("add inf-a", has("add inf-a"));
    const cur = await core.readNamespacedService({ name: "inf-a", namespace: "default" });
    cur.metadata!.labels = { ...cur.metadata!.labels, v: "2" };
    await core.replaceNamespacedService({ name: "inf-a", namespace: "default", body: cur });
    await waitFor("update inf-a", has("update inf-a 2"));
    await core.deleteNamespacedService({ name: "inf-a", namespace: "default" });
    await waitFor("delete inf-a", has("delete inf-a"));

    // Restart the apiserver on the same port and data dir; the informer must catch up.
    assert.equal(await skiff!.stop(), 0);
    skiff = await startSkiff("apiserver", [], { dataDir, port });
    const after = client();
    await after.core.createNamespacedService({ namespace: "default", body: svc("inf-b") });
    await waitFor("add inf-b after the restart", has("add inf-b"), 20_000);
    assert.ok(informer.list().some((s) => s.metadata?.name === "inf-b"));
  } finally {
    stopped = true;
    await informer.stop();
  }
});
