/**
 * A tiny in-memory apiserver for client tests: core/v1 configmaps only, on 127.0.0.1. It speaks
 * the wire protocol the client relies on (list with resourceVersion/limit/continue, NDJSON
 * watch with history replay, bookmarks, ERROR 410 for compacted versions, Status errors) and lets
 * tests break it: drop watches, compact history, stop and start on the same port.
 */
import http, { type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Status } from "../../api/machinery/errors.ts";
import type { KubeObject } from "../../api/machinery/types.ts";

interface LoggedEvent {
  rev: number;
  type: "ADDED" | "MODIFIED" | "DELETED";
  object: KubeObject;
}

interface Watcher {
  res: ServerResponse;
  ns: string | undefined;
}

export interface LoggedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  authorization: string | undefined;
}

export class FakeApiserver {
  rev = 1;
  /** Watches from a resourceVersion below this get ERROR 410. */
  compactedRev = 0;
  readonly objects = new Map<string, KubeObject>();
  readonly log: LoggedEvent[] = [];
  readonly requests: LoggedRequest[] = [];
  /** Answer the next n list requests with this status code (for backoff tests). */
  failLists = { count: 0, code: 503 };
  /** While true, changes are logged but not sent to open watches (so a test can make watchers miss them). */
  paused = false;
  private readonly watchers = new Set<Watcher>();
  private server: http.Server | undefined;
  port = 0;

  async start(): Promise<void> {
    const server = http.createServer((req, res) => this.handle(req, res));
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(this.port, "127.0.0.1", () => resolve());
    });
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
  }

  /** Close the listener and every connection, watches included. */
  async stop(): Promise<void> {
    const s = this.server;
    if (!s) return;
    this.server = undefined;
    for (const w of this.watchers) w.res.destroy();
    this.watchers.clear();
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get watchCount(): number {
    return this.watchers.size;
  }

  requestsOf(kind: "list" | "watch"): LoggedRequest[] {
    return this.requests.filter(
      (r) => r.method === "GET" && (r.query.get("watch") === "true") === (kind === "watch"),
    );
  }

  // --- changes made by tests ---

  put(namespace: string, name: string, data: Record<string, string>): KubeObject {
    const key = `${namespace}/${name}`;
    const type = this.objects.has(key) ? "MODIFIED" : "ADDED";
    const old = this.objects.get(key);
    const obj: KubeObject = {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: {
        name,
        namespace,
        uid: old?.metadata.uid ?? `uid-${key}`,
        resourceVersion: String(++this.rev),
      },
      data,
    };
    this.objects.set(key, obj);
    this.emit(type, obj);
    return obj;
  }

  remove(namespace: string, name: string): void {
    const key = `${namespace}/${name}`;
    const old = this.objects.get(key);
    if (!old) return;
    this.objects.delete(key);
    const obj = { ...old, metadata: { ...old.metadata, resourceVersion: String(++this.rev) } };
    this.emit("DELETED", obj);
  }

  /** Forget history: watches from older versions get 410. */
  compact(): void {
    this.compactedRev = this.rev;
    this.log.length = 0;
  }

  /** Send a BOOKMARK at the current revision to watches that asked for them. */
  bookmark(): void {
    const ev = {
      type: "BOOKMARK",
      object: { kind: "ConfigMap", apiVersion: "v1", metadata: { resourceVersion: String(this.rev) } },
    };
    for (const w of this.watchers) if (w.res.req.url?.includes("allowWatchBookmarks=true")) this.send(w, ev);
  }

  /** Send ERROR 410 to every watch and end it, as kube-apiserver does when its watch cache is too far behind. */
  expireWatches(): void {
    for (const w of [...this.watchers]) {
      this.send(w, { type: "ERROR", object: status(410, "Expired", "too old resource version") });
      this.endWatch(w);
    }
  }

  /** Cut every watch connection without ending the HTTP response. */
  dropWatches(): void {
    for (const w of [...this.watchers]) {
      this.watchers.delete(w);
      w.res.socket?.destroy();
    }
  }

  // --- the server ---

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? "/", "http://x");
    const query = url.searchParams;
    this.requests.push({
      method: req.method ?? "",
      path: url.pathname,
      query,
      authorization: req.headers.authorization,
    });
    const m = /^\/api\/v1(?:\/namespaces\/([^/]+))?\/configmaps(?:\/([^/]+))?$/.exec(url.pathname);
    if (!m) {
      res.writeHead(404, { "content-type": "text/plain" }).end("404 page not found");
      return;
    }
    const ns = m[1] ? decodeURIComponent(m[1]) : undefined;
    const name = m[2] ? decodeURIComponent(m[2]) : undefined;
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (c: string) => {
      body += c;
    });
    req.on("end", () => {
      if (req.method === "GET" && !name && query.get("watch") === "true") this.watch(res, ns, query);
      else if (req.method === "GET" && !name) this.list(res, ns, query);
      else if (req.method === "GET" && ns && name) this.getOne(res, ns, name);
      else if (req.method === "POST" && ns && !name) this.create(res, ns, body);
      else if (req.method === "DELETE" && ns && name) this.deleteOne(res, ns, name);
      else json(res, 405, status(405, "MethodNotAllowed", `the server does not allow this method`));
    });
  }

  private list(res: ServerResponse, ns: string | undefined, q: URLSearchParams): void {
    if (this.failLists.count > 0) {
      this.failLists.count--;
      const code = this.failLists.code;
      json(res, code, status(code, "ServiceUnavailable", "try later"));
      return;
    }
    const all = [...this.objects.entries()]
      .filter(([, o]) => !ns || o.metadata.namespace === ns)
      .sort(([a], [b]) => (a < b ? -1 : 1));
    let start = 0;
    let rv = String(this.rev);
    const cont = q.get("continue");
    if (cont) {
      const tok = JSON.parse(Buffer.from(cont, "base64").toString()) as { rv: string; after: string };
      if (Number(tok.rv) < this.compactedRev) {
        json(res, 410, status(410, "Expired", "The provided continue parameter is too old"));
        return;
      }
      rv = tok.rv;
      start = all.findIndex(([k]) => k > tok.after);
      if (start < 0) start = all.length;
    }
    const limit = Number(q.get("limit") ?? 0);
    const page = limit > 0 ? all.slice(start, start + limit) : all.slice(start);
    const metadata: Record<string, string> = { resourceVersion: rv };
    const lastKey = page.length ? page[page.length - 1][0] : undefined;
    if (limit > 0 && start + limit < all.length && lastKey) {
      metadata.continue = Buffer.from(JSON.stringify({ rv, after: lastKey })).toString("base64");
    }
    // Like kube-apiserver, list items carry no apiVersion/kind.
    const items = page.map(([, o]) => ({ metadata: o.metadata, data: o.data }));
    json(res, 200, { kind: "ConfigMapList", apiVersion: "v1", metadata, items });
  }

  private watch(res: ServerResponse, ns: string | undefined, q: URLSearchParams): void {
    const rvParam = q.get("resourceVersion") ?? "";
    const from = rvParam === "" ? undefined : Number(rvParam);
    res.writeHead(200, { "content-type": "application/json", "transfer-encoding": "chunked" });
    res.flushHeaders();
    const w: Watcher = { res, ns };
    if (from !== undefined && from < this.compactedRev) {
      this.send(w, { type: "ERROR", object: status(410, "Expired", `too old resource version: ${from}`) });
      res.end();
      return;
    }
    this.watchers.add(w);
    res.on("close", () => this.watchers.delete(w));
    if (from === undefined) {
      for (const o of this.objects.values())
        if (!ns || o.metadata.namespace === ns) this.send(w, { type: "ADDED", object: o });
    } else {
      for (const e of this.log) if (e.rev > from) this.deliver(w, e);
    }
    const timeout = Number(q.get("timeoutSeconds") ?? 0);
    if (timeout > 0) {
      const t = setTimeout(() => this.endWatch(w), timeout * 1000);
      res.on("close", () => clearTimeout(t));
    }
  }

  private getOne(res: ServerResponse, ns: string, name: string): void {
    const o = this.objects.get(`${ns}/${name}`);
    if (!o)
      json(res, 404, status(404, "NotFound", `configmaps "${name}" not found`, { name, kind: "configmaps" }));
    else json(res, 200, o);
  }

  private create(res: ServerResponse, ns: string, body: string): void {
    const obj = JSON.parse(body) as KubeObject;
    const name = obj.metadata.name ?? "";
    if (this.objects.has(`${ns}/${name}`)) {
      json(
        res,
        409,
        status(409, "AlreadyExists", `configmaps "${name}" already exists`, { name, kind: "configmaps" }),
      );
      return;
    }
    json(res, 201, this.put(ns, name, (obj.data ?? {}) as Record<string, string>));
  }

  private deleteOne(res: ServerResponse, ns: string, name: string): void {
    const o = this.objects.get(`${ns}/${name}`);
    if (!o) {
      json(res, 404, status(404, "NotFound", `configmaps "${name}" not found`, { name, kind: "configmaps" }));
      return;
    }
    this.remove(ns, name);
    json(res, 200, {
      kind: "Status",
      apiVersion: "v1",
      metadata: {},
      status: "Success",
      details: { name, kind: "configmaps" },
    });
  }

  private emit(type: LoggedEvent["type"], object: KubeObject): void {
    const e: LoggedEvent = { rev: this.rev, type, object };
    this.log.push(e);
    if (this.paused) return;
    for (const w of this.watchers) this.deliver(w, e);
  }

  private deliver(w: Watcher, e: LoggedEvent): void {
    if (w.ns && e.object.metadata.namespace !== w.ns) return;
    this.send(w, { type: e.type, object: e.object });
  }

  private send(w: Watcher, ev: unknown): void {
    w.res.write(`${JSON.stringify(ev)}\n`);
  }

  private endWatch(w: Watcher): void {
    this.watchers.delete(w);
    w.res.end();
  }
}

export function status(
  code: number,
  reason: Status["reason"],
  message: string,
  details?: Status["details"],
): Status {
  const st: Status = {
    kind: "Status",
    apiVersion: "v1",
    metadata: {},
    status: "Failure",
    message,
    reason,
    code,
  };
  if (details) st.details = details;
  return st;
}

function json(res: ServerResponse, code: number, body: unknown): void {
  res.writeHead(code, { "content-type": "application/json" }).end(JSON.stringify(body));
}
