import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import https from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { promisify } from "node:util";
import { parse } from "yaml";
import { ensureServingCerts } from "./certs.ts";
import { adminTokenFile, ensureAdminToken, writeAdminKubeconfig, writeFileAtomic } from "./kubeconfig.ts";

const run = promisify(execFile);
const mode = async (p: string) => (await stat(p)).mode & 0o777;

interface Kubeconfig {
  apiVersion: string;
  kind: string;
  clusters: Array<{ name: string; cluster: { server: string; "certificate-authority-data": string } }>;
  users: Array<{ name: string; user: { token: string } }>;
  contexts: Array<{ name: string; context: { cluster: string; user: string } }>;
  "current-context": string;
}

describe("writeAdminKubeconfig", () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "skiff-kubeconfig-"));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test("round trip through yaml; mode 0600; no temporary files left", async () => {
    const path = join(dir, "admin.kubeconfig");
    const caCertPem = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
    await writeAdminKubeconfig(path, { server: "https://127.0.0.1:6443", caCertPem, token: "t0k3n" });
    const kc = parse(await readFile(path, "utf8")) as Kubeconfig;
    assert.equal(kc.apiVersion, "v1");
    assert.equal(kc.kind, "Config");
    assert.equal(kc.clusters.length, 1);
    assert.equal(kc.clusters[0].cluster.server, "https://127.0.0.1:6443");
    assert.equal(
      Buffer.from(kc.clusters[0].cluster["certificate-authority-data"], "base64").toString(),
      caCertPem,
    );
    assert.equal(kc.users[0].user.token, "t0k3n");
    const ctx = kc.contexts.find((c) => c.name === kc["current-context"]);
    assert.ok(ctx, "current-context names a context");
    assert.equal(ctx.context.cluster, kc.clusters[0].name);
    assert.equal(ctx.context.user, kc.users[0].name);
    assert.equal(await mode(path), 0o600);
    assert.deepEqual((await readdir(dir)).sort(), ["admin.kubeconfig"]);
  });

  test("names and replacing a world-readable file", async () => {
    const path = join(dir, "named.kubeconfig");
    await writeFile(path, "old", { mode: 0o644 });
    await writeAdminKubeconfig(path, {
      server: "https://localhost:1",
      caCertPem: "x",
      token: "t",
      clusterName: "lab",
      contextName: "lab-admin@lab",
    });
    const kc = parse(await readFile(path, "utf8")) as Kubeconfig;
    assert.equal(kc.clusters[0].name, "lab");
    assert.equal(kc["current-context"], "lab-admin@lab");
    assert.equal(kc.contexts[0].context.cluster, "lab");
    assert.equal(await mode(path), 0o600);
  });

  test("writeFileAtomic creates missing directories and keeps the mode", async () => {
    const path = join(dir, "a", "b", "f");
    await writeFileAtomic(path, "one", 0o640);
    await writeFileAtomic(path, "two", 0o600);
    assert.equal(await readFile(path, "utf8"), "two");
    assert.equal(await mode(path), 0o600);
    assert.deepEqual(await readdir(join(dir, "a", "b")), ["f"]);
  });
});

describe("ensureAdminToken", () => {
  test("random, kept in admin.token (0600), stable across calls", async () => {
    const dir = await mkdtemp(join(tmpdir(), "skiff-token-"));
    const dir2 = await mkdtemp(join(tmpdir(), "skiff-token-"));
    try {
      const t1 = await ensureAdminToken(dir);
      assert.match(t1, /^[A-Za-z0-9_-]{43}$/);
      assert.equal((await readFile(join(dir, adminTokenFile), "utf8")).trim(), t1);
      assert.equal(await mode(join(dir, adminTokenFile)), 0o600);
      assert.equal(await ensureAdminToken(dir), t1);
      assert.notEqual(await ensureAdminToken(dir2), t1);
    } finally {
      await rm(dir, { recursive: true, force: true });
      await rm(dir2, { recursive: true, force: true });
    }
  });

  test("concurrent first calls agree; an empty file is replaced; a user's token is kept", async () => {
    const dir = await mkdtemp(join(tmpdir(), "skiff-token-"));
    try {
      const all = await Promise.all(Array.from({ length: 8 }, () => ensureAdminToken(dir)));
      assert.equal(new Set(all).size, 1);
      assert.equal((await readFile(join(dir, adminTokenFile), "utf8")).trim(), all[0]);
      assert.deepEqual(await readdir(dir), [adminTokenFile]);

      await writeFile(join(dir, adminTokenFile), "\n");
      const fresh = await ensureAdminToken(dir);
      assert.notEqual(fresh, "");
      assert.notEqual(fresh, all[0]);

      await writeFile(join(dir, adminTokenFile), "my-own-token\n", { mode: 0o644 });
      assert.equal(await ensureAdminToken(dir), "my-own-token");
      assert.equal(await mode(join(dir, adminTokenFile)), 0o600);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

// kubectl reads the kubeconfig, trusts the CA, sends the token: `kubectl version` reaches /version.
describe("kubectl with the admin kubeconfig", () => {
  test("kubectl version gets the server version over TLS with the bearer token", async (t) => {
    try {
      await run("kubectl", ["version", "--client", "-o", "json"]);
    } catch {
      t.skip("kubectl is not installed");
      return;
    }
    const dir = await mkdtemp(join(tmpdir(), "skiff-kubectl-"));
    const certs = await ensureServingCerts(join(dir, "pki"), { hosts: [], ips: [] });
    const token = await ensureAdminToken(dir);
    const seen: string[] = [];
    const server = https.createServer({ cert: certs.certPem, key: certs.keyPem }, (req, res) => {
      seen.push(`${req.method} ${req.url} ${req.headers.authorization ?? ""}`);
      if (req.headers.authorization !== `Bearer ${token}`) {
        res.writeHead(401, { "content-type": "application/json" });
        res.end(
          JSON.stringify({
            kind: "Status",
            apiVersion: "v1",
            status: "Failure",
            reason: "Unauthorized",
            code: 401,
          }),
        );
        return;
      }
      res.writeHead(200, { "content-type": "application/json" });
      res.end(
        JSON.stringify({ major: "1", minor: "33", gitVersion: "v1.33.0-skiff", platform: "linux/amd64" }),
      );
    });
    try {
      await new Promise<void>((resolve, reject) => {
        server.once("error", reject);
        server.listen(0, "127.0.0.1", () => resolve());
      });
      const port = (server.address() as AddressInfo).port;
      const kubeconfig = join(dir, "admin.kubeconfig");
      for (const host of ["127.0.0.1", "localhost"]) {
        await writeAdminKubeconfig(kubeconfig, {
          server: `https://${host}:${port}`,
          caCertPem: certs.caCertPem,
          token,
        });
        const { stdout } = await run("kubectl", ["--kubeconfig", kubeconfig, "version", "-o", "json"], {
          timeout: 30_000,
        });
        const v = JSON.parse(stdout) as { serverVersion?: { gitVersion: string } };
        assert.equal(v.serverVersion?.gitVersion, "v1.33.0-skiff", host);
      }
      assert.ok(seen.some((s) => s.startsWith("GET /version")));
      assert.ok(seen.every((s) => s.endsWith(` Bearer ${token}`)));
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rm(dir, { recursive: true, force: true });
    }
  });
});
