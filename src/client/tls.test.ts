import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import https from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import type { TLSSocket } from "node:tls";
import { ApiError } from "./api-error.ts";
import { RestClient } from "./rest.ts";

// A CA, a server certificate for 127.0.0.1 and a client certificate, made with openssl.
const dir = mkdtempSync(join(tmpdir(), "skiff-tls-"));
const f = (n: string): string => join(dir, n);
function ssl(args: string[]): void {
  execFileSync("openssl", args, { stdio: "ignore" });
}

describe("RestClient over HTTPS", () => {
  let server: https.Server;
  let url: string;
  const pem: Record<string, string> = {};
  before(async () => {
    ssl([
      "req",
      "-x509",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-keyout",
      f("ca.key"),
      "-out",
      f("ca.crt"),
      "-days",
      "1",
      "-subj",
      "/CN=test-ca",
    ]);
    for (const [name, cn, ext] of [
      ["server", "kubernetes", "subjectAltName=IP:127.0.0.1,DNS:kubernetes"],
      ["client", "admin", "extendedKeyUsage=clientAuth"],
    ]) {
      ssl([
        "req",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        f(`${name}.key`),
        "-out",
        f(`${name}.csr`),
        "-subj",
        `/CN=${cn}`,
      ]);
      writeFileSync(f(`${name}.ext`), `${ext}\n`);
      ssl([
        "x509",
        "-req",
        "-in",
        f(`${name}.csr`),
        "-CA",
        f("ca.crt"),
        "-CAkey",
        f("ca.key"),
        "-CAcreateserial",
        "-out",
        f(`${name}.crt`),
        "-days",
        "1",
        "-extfile",
        f(`${name}.ext`),
      ]);
    }
    for (const n of ["ca.crt", "server.crt", "server.key", "client.crt", "client.key"])
      pem[n] = readFileSync(f(n), "utf8");
    server = https.createServer(
      {
        cert: pem["server.crt"],
        key: pem["server.key"],
        ca: pem["ca.crt"],
        requestCert: true,
        rejectUnauthorized: false,
      },
      (req, res) => {
        const peer = (req.socket as TLSSocket).getPeerCertificate();
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify({ cn: peer?.subject?.CN ?? null }));
      },
    );
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
    url = `https://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
    rmSync(dir, { recursive: true, force: true });
  });

  test("verifies the server against the kubeconfig CA and presents the client certificate", async () => {
    const rest = new RestClient({
      server: url,
      namespace: "default",
      ca: pem["ca.crt"],
      cert: pem["client.crt"],
      key: pem["client.key"],
    });
    try {
      assert.deepEqual(await rest.request("GET", "/version"), { cn: "admin" });
    } finally {
      rest.close();
    }
  });

  test("an unknown CA is refused unless insecure-skip-tls-verify", async () => {
    const strict = new RestClient({ server: url, namespace: "default" });
    await assert.rejects(
      strict.request("GET", "/version"),
      (e: unknown) => !(e instanceof ApiError) && /certificate/i.test(String(e)),
    );
    strict.close();
    const insecure = new RestClient({ server: url, namespace: "default", insecureSkipTLSVerify: true });
    assert.deepEqual(await insecure.request("GET", "/version"), { cn: null });
    insecure.close();
  });

  test("tls-server-name checks the certificate against another name", async () => {
    const ok = new RestClient({
      server: url,
      namespace: "default",
      ca: pem["ca.crt"],
      tlsServerName: "kubernetes",
    });
    assert.ok(await ok.request("GET", "/version"));
    ok.close();
    const bad = new RestClient({
      server: url,
      namespace: "default",
      ca: pem["ca.crt"],
      tlsServerName: "other",
    });
    await assert.rejects(bad.request("GET", "/version"), /other/);
    bad.close();
  });
});
