import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { after, describe, test } from "node:test";
import { KubeconfigError, kubeconfigPaths, loadKubeconfig, resolveKubeconfig } from "./kubeconfig.ts";

const dir = mkdtempSync(join(tmpdir(), "skiff-kubeconfig-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const CA = "-----BEGIN CERTIFICATE-----\nMIIBfake\n-----END CERTIFICATE-----\n";
const b64 = (s: string): string => Buffer.from(s).toString("base64");

function write(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

const twoContexts = `
apiVersion: v1
kind: Config
current-context: admin@skiff
clusters:
- name: skiff
  cluster:
    server: https://127.0.0.1:6443
    certificate-authority-data: ${b64(CA)}
- name: dev
  cluster:
    server: https://dev.example:443
    insecure-skip-tls-verify: true
users:
- name: admin
  user:
    token: s3cret
- name: dev-user
  user:
    username: alice
    password: pw
contexts:
- name: admin@skiff
  context:
    cluster: skiff
    user: admin
- name: dev
  context:
    cluster: dev
    user: dev-user
    namespace: team-a
`;

describe("loadKubeconfig", () => {
  test("current-context: server, CA data decoded from base64, token, default namespace", () => {
    const p = write("two.yaml", twoContexts);
    const cfg = loadKubeconfig(p);
    assert.deepEqual(cfg, {
      server: "https://127.0.0.1:6443",
      ca: CA,
      token: "s3cret",
      namespace: "default",
      context: "admin@skiff",
    });
  });

  test("a named context: insecure-skip-tls-verify, basic auth, context namespace", () => {
    const cfg = loadKubeconfig(join(dir, "two.yaml"), "dev");
    assert.equal(cfg.server, "https://dev.example:443");
    assert.equal(cfg.insecureSkipTLSVerify, true);
    assert.equal(cfg.ca, undefined);
    assert.equal(cfg.username, "alice");
    assert.equal(cfg.password, "pw");
    assert.equal(cfg.namespace, "team-a");
  });

  test("an unknown context is kubectl's configuration error", () => {
    // client-go clientcmd/validation.go: errContextNotFound.
    assert.throws(
      () => loadKubeconfig(join(dir, "two.yaml"), "nope"),
      (e: unknown) =>
        e instanceof KubeconfigError && e.message === "context was not found for specified context: nope",
    );
  });

  test("file references resolve relative to the kubeconfig; tokenFile and client cert/key", () => {
    write("ca.crt", CA);
    write("client.crt", "CERT");
    write("client.key", "KEY");
    const p = write(
      "files.yaml",
      `
current-context: c
clusters: [{name: k, cluster: {server: "https://10.0.0.1", certificate-authority: ca.crt, tls-server-name: kubernetes}}]
users: [{name: u, user: {tokenFile: tok, client-certificate: client.crt, client-key: ${join(dir, "client.key")}}}]
contexts: [{name: c, context: {cluster: k, user: u}}]
`,
    );
    const cfg = loadKubeconfig(p);
    assert.equal(cfg.ca, CA);
    assert.equal(cfg.tlsServerName, "kubernetes");
    assert.equal(cfg.tokenFile, join(dir, "tok"));
    assert.equal(cfg.token, undefined);
    assert.equal(cfg.cert, "CERT");
    assert.equal(cfg.key, "KEY");
  });

  test("client-certificate-data and client-key-data", () => {
    const cfg = resolveKubeconfig([
      {
        dir,
        text: `
current-context: c
clusters: [{name: k, cluster: {server: "https://h"}}]
users: [{name: u, user: {client-certificate-data: ${b64("C")}, client-key-data: ${b64("K")}}}]
contexts: [{name: c, context: {cluster: k, user: u}}]
`,
      },
    ]);
    assert.equal(cfg.cert, "C");
    assert.equal(cfg.key, "K");
  });

  test("CA together with insecure is refused (clientcmd validation)", () => {
    assert.throws(
      () =>
        resolveKubeconfig([
          {
            dir,
            text: `
current-context: c
clusters: [{name: k, cluster: {server: "https://h", insecure-skip-tls-verify: true, certificate-authority-data: ${b64(CA)}}}]
contexts: [{name: c, context: {cluster: k}}]
`,
          },
        ]),
      /specifying a root certificates file with the insecure flag is not allowed/,
    );
  });

  test("token with basic auth is refused (clientcmd validation)", () => {
    assert.throws(
      () =>
        resolveKubeconfig([
          {
            dir,
            text: `
current-context: c
clusters: [{name: k, cluster: {server: "https://h"}}]
users: [{name: u, user: {token: t, username: a, password: b}}]
contexts: [{name: c, context: {cluster: k, user: u}}]
`,
          },
        ]),
      /more than one authentication method found for u; found \[token basicAuth\], only one is allowed/,
    );
  });

  test("missing pieces say what is missing", () => {
    const doc = (t: string) => [{ dir, text: t }];
    assert.throws(() => resolveKubeconfig(doc("clusters: []")), /no configuration has been provided/);
    assert.throws(
      () =>
        resolveKubeconfig(doc("current-context: c\ncontexts: [{name: c, context: {cluster: x, user: u}}]")),
      /cluster "x" of context "c" not found/,
    );
    assert.throws(
      () =>
        resolveKubeconfig(
          doc(
            "current-context: c\nclusters: [{name: x, cluster: {}}]\ncontexts: [{name: c, context: {cluster: x}}]",
          ),
        ),
      /no server found for cluster "x"/,
    );
    assert.throws(() => resolveKubeconfig(doc("a: [")), /not valid YAML/);
    assert.throws(() => loadKubeconfig(join(dir, "absent.yaml")), /cannot read kubeconfig/);
  });

  test("exec credentials are reported as unsupported, not ignored", () => {
    assert.throws(
      () =>
        resolveKubeconfig([
          {
            dir,
            text: `
current-context: c
clusters: [{name: k, cluster: {server: "https://h"}}]
users: [{name: u, user: {exec: {command: aws}}}]
contexts: [{name: c, context: {cluster: k, user: u}}]
`,
          },
        ]),
      /exec credentials are not supported/,
    );
  });

  test("$KUBECONFIG merges files: the first to set a value wins; missing files are skipped", () => {
    const a = write(
      "a.yaml",
      `
current-context: ctx-a
clusters: [{name: shared, cluster: {server: "https://first"}}]
contexts: [{name: ctx-a, context: {cluster: shared, namespace: from-a}}]
`,
    );
    const b = write(
      "b.yaml",
      `
current-context: ctx-b
clusters: [{name: shared, cluster: {server: "https://second"}}, {name: only-b, cluster: {server: "https://b"}}]
users: [{name: ub, user: {token: tb}}]
contexts: [{name: ctx-b, context: {cluster: only-b, user: ub}}]
`,
    );
    const saved = process.env.KUBECONFIG;
    process.env.KUBECONFIG = [a, join(dir, "missing.yaml"), b].join(delimiter);
    try {
      const cfg = loadKubeconfig();
      assert.equal(cfg.context, "ctx-a");
      assert.equal(cfg.server, "https://first");
      assert.equal(cfg.namespace, "from-a");
      const other = loadKubeconfig(undefined, "ctx-b");
      assert.equal(other.server, "https://b");
      assert.equal(other.token, "tb");
    } finally {
      if (saved === undefined) delete process.env.KUBECONFIG;
      else process.env.KUBECONFIG = saved;
    }
  });

  test("default path is ~/.kube/config", () => {
    assert.deepEqual(kubeconfigPaths(undefined, { HOME: "/home/x" }), ["/home/x/.kube/config"]);
    assert.deepEqual(kubeconfigPaths("/explicit", { KUBECONFIG: "/a" }), ["/explicit"]);
    assert.deepEqual(kubeconfigPaths(undefined, { KUBECONFIG: `/a${delimiter}${delimiter}/b` }), [
      "/a",
      "/b",
    ]);
  });
});
