/**
 * Real kubectl against the in-process apiserver, reached through a small plain-HTTP front that
 * serves the OpenAPI handler and applies field validation on create (the way the apiserver wires
 * them) and forwards everything else. Expectations: kubectl's explain templates
 * (kubectl/pkg/explain/v2/templates/plaintext.tmpl: "FIELD: x <T>", "DESCRIPTION:", "FIELDS:"),
 * and kube-apiserver's strict decoding error as kubectl prints it.
 */
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import http, { type IncomingMessage, type ServerResponse } from "node:http";
import https from "node:https";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { kubectl, removeDir, tempDir } from "../../../test/e2e/harness.ts";
import { startTestServer, type TestServer } from "../../../test/e2e/testserver.ts";
import { StatusError } from "../machinery/errors.ts";
import { validateBodyFields, warningHeader } from "../machinery/fieldvalidation/index.ts";
import { resources } from "../resources/registry.ts";
import { openapiHandler } from "./index.ts";

let ts: TestServer;
let front: http.Server;
let dir: string;
let kubeconfig: string;
const seen: string[] = [];

async function readAll(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

function forward(req: IncomingMessage, res: ServerResponse, body: Buffer): void {
  const target = new URL(req.url ?? "/", ts.server.url);
  const up = https.request(
    target,
    {
      method: req.method,
      // kubectl sends no bearer token over plain HTTP: the front adds it.
      headers: { ...req.headers, host: target.host, authorization: `Bearer ${ts.server.adminToken}` },
      ca: ts.server.caCertPem,
    },
    (r) => {
      res.writeHead(r.statusCode ?? 502, r.headers);
      r.pipe(res);
    },
  );
  up.on("error", () => res.destroy());
  up.end(body);
}

async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
  seen.push(req.url ?? "");
  const o = openapiHandler(req.url ?? "/", req.headers.accept ?? "", resources, req.headers["if-none-match"]);
  if (o) {
    res.writeHead(o.status, { "Content-Type": o.contentType, ...o.headers });
    res.end(o.body);
    return;
  }
  const body = await readAll(req);
  const m = /^\/api\/v1\/namespaces\/[^/]+\/services(\?|$)/.exec(req.url ?? "");
  if (req.method === "POST" && m) {
    const url = new URL(req.url ?? "/", "http://x");
    try {
      const text = body.toString("utf8");
      const warnings = validateBodyFields({
        obj: JSON.parse(text),
        rawText: text,
        mediaType: req.headers["content-type"],
        apiVersion: "v1",
        kind: "Service",
        directive: url.searchParams.get("fieldValidation"),
      });
      if (warnings.length > 0) res.setHeader("Warning", warnings.map(warningHeader));
    } catch (e) {
      if (!(e instanceof StatusError)) throw e;
      res.writeHead(e.code, { "Content-Type": "application/json" });
      res.end(JSON.stringify(e.toStatus()));
      return;
    }
  }
  forward(req, res, body);
}

before(async () => {
  ts = await startTestServer();
  front = http.createServer((req, res) => void handle(req, res));
  await new Promise<void>((r) => front.listen(0, "127.0.0.1", () => r()));
  dir = tempDir("skiff-openapi-");
  kubeconfig = join(dir, "kubeconfig");
  const port = (front.address() as AddressInfo).port;
  writeFileSync(
    kubeconfig,
    JSON.stringify({
      apiVersion: "v1",
      kind: "Config",
      clusters: [{ name: "c", cluster: { server: `http://127.0.0.1:${port}` } }],
      users: [{ name: "u", user: {} }],
      contexts: [{ name: "x", context: { cluster: "c", user: "u" } }],
      "current-context": "x",
    }),
  );
});

after(async () => {
  if (process.env.SKIFF_OPENAPI_TRACE) console.log(seen.join("\n"));
  front.closeAllConnections();
  await new Promise<void>((r) => front.close(() => r()));
  await ts.stop();
  removeDir(dir);
});

for (const version of ["1.33", "1.30", "1.27"]) {
  describe(`kubectl ${version}`, () => {
    test("explain service.spec prints the type and its fields", async () => {
      const r = await kubectl(kubeconfig, ["explain", "service.spec"], { version });
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /^KIND:\s+Service\nVERSION:\s+v1\n/);
      assert.match(r.stdout, /FIELD: spec <ServiceSpec>/);
      assert.match(r.stdout, /What the Service should be: its ports/);
      assert.match(r.stdout, /sessionAffinity\s+<string>/);
      assert.match(r.stdout, /ports\s+<\[\]ServicePort>/);
    });

    test("explain service.spec.sessionAffinity prints the enum and our text", async () => {
      const r = await kubectl(kubeconfig, ["explain", "service.spec.sessionAffinity"], { version });
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /FIELD: sessionAffinity <string>/);
      assert.match(r.stdout, /ClientIP pins a client's\s+address/);
      // The template prints enum values after the type (plaintext.tmpl "extractEnum", since 1.28).
      if (version !== "1.27") assert.match(r.stdout, /ENUM:\n\s+ClientIP\n\s+None\n/);
    });

    test("explain ingress.spec.rules.http.paths walks lists and objects", async () => {
      const r = await kubectl(kubeconfig, ["explain", "ingress.spec.rules.http.paths"], { version });
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /GROUP:\s+networking\.k8s\.io/);
      assert.match(r.stdout, /FIELD: paths <\[\]HTTPIngressPath>/);
      assert.match(r.stdout, /pathType\s+<string> -required-/);
      assert.match(r.stdout, /backend\s+<IngressBackend> -required-/);
    });

    test("explain through the swagger 2.0 protobuf document", async () => {
      const r = await kubectl(kubeconfig, ["explain", "service.spec.ports", "--output=plaintext-openapiv2"], {
        version,
      });
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /RESOURCE: ports <\[\]Object>/);
      assert.match(r.stdout, /The ports the Service listens on/);
      assert.match(r.stdout, /targetPort\s+<string>/);
      assert.match(r.stdout, /port\s+<integer> -required-/);
    });

    test("create with an unknown field fails with kube's strict decoding error", async () => {
      const manifest = JSON.stringify({
        apiVersion: "v1",
        kind: "Service",
        metadata: { name: `strict-${version.replace(".", "-")}`, namespace: "default" },
        spec: { ports: [{ port: 80, bogus: 1 }], selector: { app: "x" } },
      });
      const r = await kubectl(kubeconfig, ["create", "-f", "-"], { version, input: manifest });
      assert.notEqual(r.code, 0);
      // kubectl prints the server's Status message after "Error from server (BadRequest): error when creating".
      assert.match(
        r.stderr,
        /Error from server \(BadRequest\): error when creating "STDIN": Service in version "v1" cannot be handled as a Service: strict decoding error: unknown field "spec\.ports\[0\]\.bogus"/,
      );
    });
  });
}
