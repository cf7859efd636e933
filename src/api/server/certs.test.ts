// @peculiar/x509 (through tsyringe) needs the Reflect metadata polyfill loaded before it.
import "reflect-metadata";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { createPrivateKey, webcrypto, X509Certificate } from "node:crypto";
import { mkdtemp, readFile, rm, stat, unlink, writeFile } from "node:fs/promises";
import https from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { promisify } from "node:util";
import * as x509 from "@peculiar/x509";
import { certFiles, ensureServingCerts, type ServingCerts } from "./certs.ts";

const run = promisify(execFile);

async function tempDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), "skiff-certs-"));
}

/** An HTTPS server on loopback answering "ok"; resolves once it listens. */
async function serve(
  certs: ServingCerts,
  host: string,
): Promise<{ port: number; close: () => Promise<void> }> {
  const server = https.createServer({ cert: certs.certPem, key: certs.keyPem }, (_req, res) => {
    res.end("ok");
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, host, () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function get(opts: https.RequestOptions): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = https.request({ ...opts, agent: false, timeout: 5000 }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (c: string) => {
        body += c;
      });
      res.on("end", () => resolve(body));
    });
    req.on("timeout", () => req.destroy(new Error("timeout")));
    req.on("error", reject);
    req.end();
  });
}

async function mode(path: string): Promise<number> {
  return (await stat(path)).mode & 0o777;
}

describe("ensureServingCerts", () => {
  let dir: string;
  let certs: ServingCerts;
  before(async () => {
    dir = await tempDir();
    certs = await ensureServingCerts(dir, { hosts: ["api.skiff.test"], ips: ["10.96.0.1"] });
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test("writes the four files, keys with mode 0600", async () => {
    assert.equal(await readFile(join(dir, certFiles.caCert), "utf8"), certs.caCertPem);
    assert.equal(await readFile(join(dir, certFiles.cert), "utf8"), certs.certPem);
    assert.equal(await readFile(join(dir, certFiles.key), "utf8"), certs.keyPem);
    assert.equal(await mode(join(dir, certFiles.caKey)), 0o600);
    assert.equal(await mode(join(dir, certFiles.key)), 0o600);
    assert.equal(createPrivateKey(certs.keyPem).asymmetricKeyType, "ec");
  });

  test("the serving certificate is signed by the CA and carries the names", () => {
    const ca = new X509Certificate(certs.caCertPem);
    const cert = new X509Certificate(certs.certPem);
    assert.equal(ca.ca, true);
    assert.equal(cert.ca, false);
    assert.ok(cert.checkIssued(ca));
    assert.ok(cert.verify(ca.publicKey));
    // The in-cluster names kube-apiserver certificates carry, plus the requested ones.
    for (const h of [
      "localhost",
      "kubernetes",
      "kubernetes.default",
      "kubernetes.default.svc",
      "kubernetes.default.svc.cluster.local",
      "api.skiff.test",
    ])
      assert.equal(cert.checkHost(h, { subject: "never" }), h, h);
    for (const ip of ["127.0.0.1", "::1", "10.96.0.1"]) assert.ok(cert.checkIP(ip), ip);
    assert.equal(cert.checkHost("other.test", { subject: "never" }), undefined);
    assert.equal(cert.checkIP("10.0.0.9"), undefined);
    // serverAuth usage, and a validity of about a year.
    assert.ok(cert.keyUsage?.includes("1.3.6.1.5.5.7.3.1"));
    const days = (Date.parse(cert.validTo) - Date.now()) / 86_400_000;
    assert.ok(days > 300 && days < 400, `${days}`);
    assert.ok((Date.parse(ca.validTo) - Date.now()) / 86_400_000 > 3000);
  });

  test("an HTTPS client trusting only the CA accepts it for localhost, 127.0.0.1 and ::1", async () => {
    const srv = await serve(certs, "127.0.0.1");
    try {
      assert.equal(await get({ host: "127.0.0.1", port: srv.port, ca: certs.caCertPem, path: "/" }), "ok");
      assert.equal(
        await get({
          host: "127.0.0.1",
          servername: "localhost",
          port: srv.port,
          ca: certs.caCertPem,
          path: "/",
        }),
        "ok",
      );
      assert.equal(
        await get({
          host: "127.0.0.1",
          servername: "kubernetes.default.svc",
          port: srv.port,
          ca: certs.caCertPem,
        }),
        "ok",
      );
      // The same server is refused for a name it does not carry and by a client with another CA.
      await assert.rejects(
        get({ host: "127.0.0.1", servername: "other.test", port: srv.port, ca: certs.caCertPem }),
        /does not match|not in the cert's altnames/i,
      );
      const otherDir = await tempDir();
      try {
        const other = await ensureServingCerts(otherDir, { hosts: [], ips: [] });
        await assert.rejects(
          get({ host: "127.0.0.1", port: srv.port, ca: other.caCertPem }),
          /self-signed|unable to verify|signature/i,
        );
      } finally {
        await rm(otherDir, { recursive: true, force: true });
      }
    } finally {
      await srv.close();
    }
    let v6: Awaited<ReturnType<typeof serve>> | undefined;
    try {
      v6 = await serve(certs, "::1");
    } catch {
      return; // no IPv6 loopback on this machine
    }
    try {
      assert.equal(await get({ host: "::1", port: v6.port, ca: certs.caCertPem }), "ok");
    } finally {
      await v6.close();
    }
  });

  test("curl --cacert ca.crt accepts it", async (t) => {
    try {
      await run("curl", ["--version"]);
    } catch {
      t.skip("curl is not installed");
      return;
    }
    const srv = await serve(certs, "127.0.0.1");
    try {
      const ca = join(dir, certFiles.caCert);
      const { stdout } = await run("curl", [
        "-sS",
        "--max-time",
        "5",
        "--cacert",
        ca,
        `https://127.0.0.1:${srv.port}/`,
      ]);
      assert.equal(stdout, "ok");
      const viaName = await run("curl", [
        "-sS",
        "--max-time",
        "5",
        "--cacert",
        ca,
        "--resolve",
        `localhost:${srv.port}:127.0.0.1`,
        `https://localhost:${srv.port}/`,
      ]);
      assert.equal(viaName.stdout, "ok");
      // Without the CA curl refuses: the check above is a real one.
      await assert.rejects(run("curl", ["-sS", "--max-time", "5", `https://127.0.0.1:${srv.port}/`]));
    } finally {
      await srv.close();
    }
  });
});

describe("ensureServingCerts on an existing directory", () => {
  test("is stable; reissues (same CA) for new names, a foreign or mismatched cert, near expiry", async () => {
    const dir = await tempDir();
    try {
      const first = await ensureServingCerts(dir, { hosts: ["a.test"], ips: [] });
      const again = await ensureServingCerts(dir, { hosts: ["a.test", "localhost"], ips: ["127.0.0.1"] });
      assert.equal(again.certPem, first.certPem);
      assert.equal(again.keyPem, first.keyPem);

      // A host or IP not covered: new serving cert, same CA.
      const more = await ensureServingCerts(dir, { hosts: ["a.test", "b.test"], ips: ["192.0.2.7"] });
      assert.notEqual(more.certPem, first.certPem);
      assert.equal(more.caCertPem, first.caCertPem);
      const c = new X509Certificate(more.certPem);
      assert.ok(c.checkHost("b.test", { subject: "never" }));
      assert.ok(c.checkIP("192.0.2.7"));
      assert.ok(c.checkIssued(new X509Certificate(more.caCertPem)));

      // A key that does not belong to the certificate.
      await writeFile(join(dir, certFiles.key), first.keyPem);
      const fixed = await ensureServingCerts(dir, { hosts: [], ips: [] });
      assert.notEqual(fixed.certPem, more.certPem);
      assert.equal(fixed.caCertPem, first.caCertPem);

      // A serving cert from another CA (for example after ca.* were restored from a backup).
      const otherDir = await tempDir();
      try {
        const foreign = await ensureServingCerts(otherDir, { hosts: [], ips: [] });
        await writeFile(join(dir, certFiles.cert), foreign.certPem);
        await writeFile(join(dir, certFiles.key), foreign.keyPem);
        const reissued = await ensureServingCerts(dir, { hosts: [], ips: [] });
        assert.ok(new X509Certificate(reissued.certPem).checkIssued(new X509Certificate(first.caCertPem)));
      } finally {
        await rm(otherDir, { recursive: true, force: true });
      }

      // A serving cert that expires in two days, signed by our CA.
      const expiring = await shortLivedCert(dir, 2);
      await writeFile(join(dir, certFiles.cert), expiring.certPem);
      await writeFile(join(dir, certFiles.key), expiring.keyPem, { mode: 0o600 });
      const renewed = await ensureServingCerts(dir, { hosts: [], ips: [] });
      assert.notEqual(renewed.certPem, expiring.certPem);
      assert.ok(Date.parse(new X509Certificate(renewed.certPem).validTo) - Date.now() > 300 * 86_400_000);
      assert.equal(renewed.caCertPem, first.caCertPem);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test("a half-present CA is an error, not a silent new CA", async () => {
    const dir = await tempDir();
    try {
      await ensureServingCerts(dir, { hosts: [], ips: [] });
      await unlink(join(dir, certFiles.caKey));
      await assert.rejects(ensureServingCerts(dir, { hosts: [], ips: [] }), /ca\.key is missing/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test("a bad IP is rejected", async () => {
    const dir = await tempDir();
    try {
      await assert.rejects(ensureServingCerts(dir, { hosts: [], ips: ["not-an-ip"] }), /invalid IP address/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

// A serving certificate valid for `days` more days, issued by the CA in `dir`, with the default names.
async function shortLivedCert(dir: string, days: number): Promise<{ certPem: string; keyPem: string }> {
  x509.cryptoProvider.set(webcrypto);
  const alg = { name: "ECDSA", namedCurve: "P-256" };
  const caPem = await readFile(join(dir, certFiles.caCert), "utf8");
  const caKeyDer = createPrivateKey(await readFile(join(dir, certFiles.caKey), "utf8")).export({
    type: "pkcs8",
    format: "der",
  });
  const caKey = await webcrypto.subtle.importKey("pkcs8", caKeyDer, alg, false, ["sign"]);
  const keys = (await webcrypto.subtle.generateKey(alg, true, ["sign", "verify"])) as webcrypto.CryptoKeyPair;
  const ca = new x509.X509Certificate(caPem);
  const cert = await x509.X509CertificateGenerator.create({
    subject: "CN=kube-apiserver",
    issuer: ca.subject,
    notBefore: new Date(Date.now() - 86_400_000),
    notAfter: new Date(Date.now() + days * 86_400_000),
    signingAlgorithm: { name: "ECDSA", hash: "SHA-256" },
    publicKey: keys.publicKey,
    signingKey: caKey,
    extensions: [
      new x509.SubjectAlternativeNameExtension([
        { type: "dns", value: "localhost" },
        { type: "dns", value: "kubernetes" },
        { type: "dns", value: "kubernetes.default" },
        { type: "dns", value: "kubernetes.default.svc" },
        { type: "dns", value: "kubernetes.default.svc.cluster.local" },
        { type: "ip", value: "127.0.0.1" },
        { type: "ip", value: "::1" },
      ]),
    ],
  });
  const keyDer = await webcrypto.subtle.exportKey("pkcs8", keys.privateKey);
  return { certPem: cert.toString("pem"), keyPem: x509.PemConverter.encode(keyDer, "PRIVATE KEY") };
}
