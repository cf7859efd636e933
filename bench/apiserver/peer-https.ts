/**
 * The "bare Node HTTPS ceiling": a minimal node:https server that answers the benchmarks' request
 * patterns with static JSON and stores nothing. Run as its own process:
 *   node --import tsx bench/apiserver/peer-https.ts CERT KEY [ROUTES.json]
 * ROUTES.json: { "get": { "<url>\n<accept>": "<file with the body>" }, "post": "<file>",
 * "put": "<file>" } — the put body holds RV where the resourceVersion goes. A GET with watch=1
 * holds the stream open; each PUT answers with the next revision, then sends one MODIFIED event
 * to every open stream (what an apiserver's watch fan-out must do at least).
 */
import { readFileSync } from "node:fs";
import type { ServerResponse } from "node:http";
import https from "node:https";

const [certFile, keyFile, routesFile] = process.argv.slice(2);
if (!certFile || !keyFile) {
  console.error("usage: peer-https.ts CERT KEY [ROUTES.json]");
  process.exit(2);
}

interface Routes {
  get?: Record<string, string>;
  post?: string;
  put?: string;
}
const routes: Routes = routesFile ? (JSON.parse(readFileSync(routesFile, "utf8")) as Routes) : {};
const gets = new Map<string, Buffer>();
for (const [k, file] of Object.entries(routes.get ?? {})) gets.set(k, readFileSync(file));
const postBody = routes.post
  ? readFileSync(routes.post)
  : Buffer.from(
      JSON.stringify({
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { name: "x", namespace: "bench", resourceVersion: "1" },
        data: { k: "v" },
      }),
    );
const [putHead, putTail] = (
  routes.put ? readFileSync(routes.put, "utf8") : '{"metadata":{"resourceVersion":"RV"}}'
).split('"resourceVersion":"RV"');

let rv = 1;
const watchers = new Set<ServerResponse>();

const server = https.createServer(
  { cert: readFileSync(certFile), key: readFileSync(keyFile), keepAlive: true },
  (req, res) => {
    if (!req.headers.authorization?.startsWith("Bearer ")) {
      res.writeHead(401).end();
      return;
    }
    const chunks: Buffer[] = [];
    req.on("data", (d: Buffer) => chunks.push(d));
    req.on("end", () => {
      const url = req.url ?? "/";
      if (req.method === "GET" && /[?&]watch=(1|true)/.test(url)) {
        res.writeHead(200, { "Content-Type": "application/json", "Transfer-Encoding": "chunked" });
        res.flushHeaders();
        watchers.add(res);
        res.on("close", () => watchers.delete(res));
        return;
      }
      if (req.method === "GET") {
        const body = gets.get(`${url}\n${req.headers.accept ?? ""}`);
        if (!body) {
          res.writeHead(404, { "Content-Type": "application/json" }).end("{}");
          return;
        }
        res.writeHead(200, { "Content-Type": "application/json", "Content-Length": body.length }).end(body);
        return;
      }
      if (req.method === "POST") {
        JSON.parse(Buffer.concat(chunks).toString("utf8"));
        res
          .writeHead(201, { "Content-Type": "application/json", "Content-Length": postBody.length })
          .end(postBody);
        return;
      }
      if (req.method === "PUT") {
        JSON.parse(Buffer.concat(chunks).toString("utf8"));
        rv++;
        const obj = `${putHead}"resourceVersion":"${rv}"${putTail}`;
        res
          .writeHead(200, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(obj) })
          .end(obj);
        // After the response has gone out: Node sends a response on the next tick, and an
        // apiserver answers the write before it fans the event out.
        const line = `{"type":"MODIFIED","object":${obj}}\n`;
        setImmediate(() => {
          for (const w of watchers) w.write(line);
        });
        return;
      }
      res.writeHead(405).end();
    });
  },
);

server.listen(0, "127.0.0.1", () => {
  const addr = server.address();
  const port = typeof addr === "object" && addr ? addr.port : 0;
  console.log(`peer ready at https://127.0.0.1:${port}`);
});

process.on("SIGTERM", () => {
  for (const w of watchers) w.end();
  server.close(() => process.exit(0));
  server.closeAllConnections();
});
