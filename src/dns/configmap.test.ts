/**
 * kubeadm's CoreDNS objects in a real apiserver, and DNS served from the ConfigMap: changes
 * applied through reload, a broken Corefile rejected with the old config still answering.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { startTestServer, type TestServer } from "../../test/e2e/testserver.ts";
import type { KubeObject } from "../api/machinery/types.ts";
import { loadKubeconfig, RestClient } from "../client/index.ts";
import { waitFor } from "../client/testing/wait.ts";
import { serveConfigMap } from "./configmap.ts";
import {
  COREDNS_IMAGE,
  type ConfigMap,
  corednsDeployment,
  ensureCoreDNS,
  kubeadmCorefile,
} from "./configmap-manifests.ts";
import { freeTcpPort, HostPodView } from "./podview.ts";
import { dig } from "./testing/dig.ts";

let api: TestServer;
let client: RestClient;
let dir: string;
const configmaps = { group: "", version: "v1", plural: "configmaps", namespaced: true };
const cms = () => client.resource<ConfigMap>(configmaps).namespace("kube-system");

before(async () => {
  api = await startTestServer();
  client = new RestClient(loadKubeconfig(api.kubeconfig));
  dir = mkdtempSync(join(tmpdir(), "skiff-cm-"));
});
after(async () => {
  client.close();
  await api.stop();
  rmSync(dir, { recursive: true, force: true });
});

test("kubeadm's Corefile: the template rendered for the cluster domain", () => {
  const text = kubeadmCorefile("corp.example");
  assert.match(text, /^\.:53 \{\n {4}errors\n/);
  assert.match(text, /\n {4}kubernetes corp\.example in-addr\.arpa ip6\.arpa \{\n/);
  assert.match(
    text,
    /\n {4}cache 30 \{\n {7}disable success corp\.example\n {7}disable denial corp\.example\n {4}\}\n/,
  );
  assert.match(text, /\n {4}forward \. \/etc\/resolv\.conf \{\n {7}max_concurrent 1000\n {4}\}\n/);
});

test("ensureCoreDNS creates the ConfigMap and the Deployment once; an edited ConfigMap is kept", async () => {
  await ensureCoreDNS(client, "cluster.local");
  const cm = await cms().get("coredns");
  assert.equal(cm.data?.Corefile, kubeadmCorefile("cluster.local"));
  // The apiserver keeps every field of kubeadm's Deployment (none is dropped by its schema).
  const dep = await client
    .resource({ group: "apps", version: "v1", plural: "deployments", namespaced: true })
    .namespace("kube-system")
    .get("coredns");
  const want = corednsDeployment() as KubeObject & { spec: Record<string, unknown> };
  const got = dep as KubeObject & { spec: Record<string, unknown> };
  assert.equal(got.spec.replicas, 2);
  assert.deepEqual(got.metadata.labels, { "k8s-app": "kube-dns" });
  const container = (got.spec.template as { spec: { containers: Array<Record<string, unknown>> } }).spec
    .containers[0];
  assert.equal(container.image, COREDNS_IMAGE);
  assert.deepEqual(
    container.ports,
    (want.spec.template as { spec: { containers: Array<Record<string, unknown>> } }).spec.containers[0].ports,
  );

  await cms().update({ ...cm, data: { Corefile: ".:53 {\n    whoami\n}\n" } });
  await ensureCoreDNS(client, "cluster.local");
  assert.equal((await cms().get("coredns")).data?.Corefile, ".:53 {\n    whoami\n}\n");
});

test("serving a ConfigMap: changes applied, a broken Corefile rejected while the old one answers", async (t) => {
  const hosts = (ip: string) => `.:53 {\n    hosts {\n        ${ip} db.test\n    }\n}\n`;
  const cur = await cms().get("coredns");
  await cms().update({ ...cur, data: { Corefile: hosts("10.1.2.3") } });
  const view = new HostPodView({
    dnsPort: await freeTcpPort("127.0.0.1"),
    httpHost: "127.0.0.1",
    files: {},
    kubeconfig: api.kubeconfig,
  });
  const applied: string[] = [];
  const rejected: Array<{ cm: ConfigMap; err: Error }> = [];
  const corefilePath = join(dir, "coredns", "Corefile");
  const served = await serveConfigMap({
    client,
    namespace: "kube-system",
    name: "coredns",
    corefilePath,
    defaultPort: 53,
    defaultHost: "127.0.0.1",
    podView: view,
    log: () => {},
    onApplied: (cm) => applied.push(cm.data?.Corefile ?? ""),
    onRejected: (cm, err) => rejected.push({ cm, err }),
  });
  t.after(() => served.stop());
  const port = view.dnsPort(53);
  const a = async () => (await dig(port, "+short", "db.test")).trim();
  assert.equal(await a(), "10.1.2.3");
  assert.equal(readFileSync(corefilePath, "utf8"), hosts("10.1.2.3"));

  await cms().update({ ...(await cms().get("coredns")), data: { Corefile: hosts("10.9.9.9") } });
  await waitFor(() => applied.length === 1, "the change applied");
  await served.settled();
  assert.equal(await a(), "10.9.9.9");
  assert.equal(readFileSync(corefilePath, "utf8"), hosts("10.9.9.9"));

  const broken = `.:53 {\n    hosts {\n        10.0.0.1 db.test\n    }\n    nosuchplugin\n}\n`;
  await cms().update({ ...(await cms().get("coredns")), data: { Corefile: broken } });
  await waitFor(() => rejected.length === 1, "the broken Corefile rejected");
  assert.equal(
    rejected[0].err.message,
    `${corefilePath}:5 - Error during parsing: Unknown directive 'nosuchplugin'`,
  );
  assert.equal(rejected[0].cm.metadata.name, "coredns");
  assert.equal(await a(), "10.9.9.9");
  assert.equal(readFileSync(corefilePath, "utf8"), hosts("10.9.9.9"), "the mirror holds what is served");
});

test("a Corefile that does not build at start: an error, or the fallback served until the ConfigMap is fixed", async (t) => {
  const broken = ".:53 {\n    nosuchplugin\n}\n";
  await cms().update({ ...(await cms().get("coredns")), data: { Corefile: broken } });
  const view = new HostPodView({
    dnsPort: await freeTcpPort("127.0.0.1"),
    httpHost: "127.0.0.1",
    files: {},
    kubeconfig: api.kubeconfig,
  });
  const base = {
    client,
    namespace: "kube-system",
    name: "coredns",
    corefilePath: join(dir, "fallback", "Corefile"),
    defaultPort: 53,
    defaultHost: "127.0.0.1",
    podView: view,
    log: () => {},
  };
  await assert.rejects(
    serveConfigMap(base),
    /Corefile:2 - Error during parsing: Unknown directive 'nosuchplugin'/,
  );
  const rejected: string[] = [];
  const applied: string[] = [];
  const served = await serveConfigMap({
    ...base,
    onApplied: (cm) => applied.push(cm.metadata.resourceVersion ?? ""),
    fallback: ".:53 {\n    hosts {\n        10.0.0.7 db.test\n    }\n}\n",
    onRejected: (_cm, err) => rejected.push(err.message),
  });
  t.after(() => served.stop());
  const a = async () => (await dig(view.dnsPort(53), "+short", "db.test")).trim();
  assert.equal(rejected.length, 1);
  assert.match(rejected[0], /Unknown directive 'nosuchplugin'/);
  assert.equal(await a(), "10.0.0.7");
  await cms().update({
    ...(await cms().get("coredns")),
    data: { Corefile: ".:53 {\n    hosts {\n        10.0.0.8 db.test\n    }\n}\n" },
  });
  await waitFor(() => applied.length === 1, "the fixed Corefile applied");
  assert.equal(await a(), "10.0.0.8");
});

test("a missing ConfigMap is an error that names it", async () => {
  await assert.rejects(
    serveConfigMap({
      client,
      namespace: "kube-system",
      name: "nope",
      corefilePath: join(dir, "nope", "Corefile"),
      log: () => {},
    }),
    { message: "configmap kube-system/nope not found: create it (skiff up does)" },
  );
});
