/**
 * The apiserver: HTTPS (by default) with a generated CA and an admin bearer token, health
 * endpoints, version, discovery, metrics, and the resource API over a Store.
 */
import { timingSafeEqual } from "node:crypto";
import { setMaxListeners } from "node:events";
import { mkdirSync } from "node:fs";
import http, { type IncomingMessage, type ServerResponse } from "node:http";
import https from "node:https";
import { type AddressInfo, isIP } from "node:net";
import { join } from "node:path";
import { errors, StatusError } from "../machinery/errors.ts";
import { managedFieldsHooks } from "../machinery/managedfields/index.ts";
import { openapiHandler } from "../openapi/index.ts";
import { resources } from "../resources/registry.ts";
import type { ResourceDef } from "../resources/types.ts";
import type { Store } from "../storage/types.ts";
import { installServiceAllocation, type ServiceAllocation } from "./allocators/index.ts";
import { ensureServingCerts } from "./certs.ts";
import { chooseDiscoveryFormat, type DiscoveryFormat, discoveryResponse } from "./discovery-http.ts";
import { type Registries, sendJSON, sendStatusError, serveResource } from "./handler.ts";
import { ensureAdminToken, writeAdminKubeconfig } from "./kubeconfig.ts";
import { Lifecycle } from "./lifecycle.ts";
import { ApiMetrics } from "./metrics.ts";
import { ResourceRegistry } from "./registry.ts";
import { parseRequestInfo } from "./request-info.ts";
import { versionInfo } from "./version.ts";

export interface ApiServerOptions {
  dataDir: string;
  store: Store;
  /** 0 picks a free port. */
  port: number;
  host?: string;
  /** Serve plain HTTP instead of HTTPS (tests of the HTTP layer; never the default). */
  insecureHttp?: boolean;
  /** Extra names and addresses for the serving certificate. */
  certHosts?: string[];
  certIPs?: string[];
  /** Service CIDRs (one, or one per family); default 10.96.0.0/12. */
  serviceCIDRs?: string[];
  /** Inclusive NodePort range; default 30000-32767. */
  nodePortRange?: [number, number];
  /** The address written into the `kubernetes` Endpoints (loopback is not allowed there). */
  advertiseAddress?: string;
  now?: () => Date;
}

const publicPaths = new Set(["/healthz", "/livez", "/readyz", "/version", "/version/"]);
const healthChecks = ["ping", "log", "etcd", "poststarthook/start-apiextensions-informers"];

export class ApiServer {
  readonly registries: ResourceRegistry[];
  private readonly byGVR = new Map<string, ResourceRegistry>();
  private readonly lifecycle: Lifecycle;
  private allocation?: ServiceAllocation;
  private readonly metrics = new ApiMetrics();
  private readonly abort = new AbortController();
  private server?: http.Server | https.Server;
  private token = "";
  private ready = false;
  url = "";
  kubeconfigPath = "";
  caCertPem = "";

  constructor(private readonly opts: ApiServerOptions) {
    // Every watch listens on the server's abort signal.
    setMaxListeners(0, this.abort.signal);
    const now = opts.now ?? (() => new Date());
    const ctx = {
      store: opts.store,
      now,
      checkNamespaceWritable: (ns: string, gr: { group: string; resource: string }, name: string) =>
        this.lifecycle.checkNamespaceWritable(ns, gr, name),
      admitDelete: (def: ResourceDef, ns: string, name: string) => this.lifecycle.admitDelete(def, ns, name),
    };
    this.registries = resources.map((def) => new ResourceRegistry(def, ctx));
    // Field ownership is recorded before allocators run, so allocated fields are nobody's (as in kube).
    const managed = managedFieldsHooks(now);
    for (const r of this.registries) r.hooks.push(managed);
    for (const r of this.registries) this.byGVR.set(`${r.def.group}/${r.def.version}/${r.def.plural}`, r);
    const nsReg = this.registry("", "namespaces");
    this.lifecycle = new Lifecycle(
      opts.store,
      () => this.registries,
      () => nsReg,
    );
  }

  registry(group: string, plural: string): ResourceRegistry {
    const r = this.registries.find((x) => x.def.group === group && x.def.plural === plural);
    if (!r) throw new Error(`no resource ${plural}.${group}`);
    return r;
  }

  private get regs(): Registries {
    return {
      find: (g, v, r) => this.byGVR.get(`${g}/${v}/${r}`),
      now: this.opts.now ?? (() => new Date()),
    };
  }

  /** Bind, write the kubeconfig, create the system namespaces. Resolves once serving. */
  async start(): Promise<void> {
    const { dataDir } = this.opts;
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    this.token = await ensureAdminToken(dataDir);
    const handler = (req: IncomingMessage, res: ServerResponse) => void this.handle(req, res);
    const host = this.opts.host ?? "127.0.0.1";
    if (this.opts.insecureHttp) {
      this.server = http.createServer({ keepAliveTimeout: 65_000 }, handler);
    } else {
      const pki = join(dataDir, "pki");
      const certs = await ensureServingCerts(pki, {
        hosts: ["localhost", ...(isIP(host) ? [] : [host]), ...(this.opts.certHosts ?? [])],
        ips: [
          "127.0.0.1",
          "::1",
          ...(isIP(host) && host !== "0.0.0.0" && host !== "::" ? [host] : []),
          ...(this.opts.certIPs ?? []),
        ],
      });
      this.caCertPem = certs.caCertPem;
      this.server = https.createServer(
        { cert: certs.certPem, key: certs.keyPem, keepAliveTimeout: 65_000 },
        handler,
      );
    }
    // Watches are long-lived: no request timeout.
    this.server.requestTimeout = 0;
    this.server.headersTimeout = 60_000;
    await new Promise<void>((resolve, reject) => {
      this.server!.once("error", reject);
      this.server!.listen(this.opts.port, host, () => resolve());
    });
    const addr = this.server.address() as AddressInfo;
    const shownHost =
      host === "0.0.0.0" || host === "::" ? "127.0.0.1" : host.includes(":") ? `[${host}]` : host;
    this.url = `${this.opts.insecureHttp ? "http" : "https"}://${shownHost}:${addr.port}`;
    await this.lifecycle.start();
    this.allocation = await installServiceAllocation(
      {
        store: this.opts.store,
        services: this.registry("", "services"),
        serviceCIDRs: this.registry("networking.k8s.io", "servicecidrs"),
        ipAddresses: this.registry("networking.k8s.io", "ipaddresses"),
        endpoints: this.registry("", "endpoints"),
        endpointSlices: this.registry("discovery.k8s.io", "endpointslices"),
      },
      {
        serviceCIDRs: this.opts.serviceCIDRs ?? ["10.96.0.0/12"],
        nodePortRange: this.opts.nodePortRange ?? [30000, 32767],
        apiserverPort: this.port,
        advertiseAddress: this.opts.advertiseAddress,
        // Without an advertise address there is no routable address to publish: not worth a warning.
        log: (m) => {
          if (!this.opts.advertiseAddress && m.startsWith("no endpoints for the kubernetes Service")) return;
          console.error(`apiserver: ${m}`);
        },
      },
    );
    this.kubeconfigPath = join(dataDir, "kubeconfig");
    await writeAdminKubeconfig(this.kubeconfigPath, {
      server: this.url,
      caCertPem: this.caCertPem,
      token: this.token,
    });
    this.ready = true;
  }

  get port(): number {
    return (this.server?.address() as AddressInfo | null)?.port ?? 0;
  }

  get adminToken(): string {
    return this.token;
  }

  /** Stop serving: watches end, connections close, the lifecycle workers stop. The store stays open. */
  async stop(): Promise<void> {
    this.ready = false;
    this.abort.abort();
    this.lifecycle.stop();
    this.allocation?.stop();
    const s = this.server;
    if (!s) return;
    await new Promise<void>((resolve) => {
      s.close(() => resolve());
      s.closeAllConnections();
    });
  }

  private authenticated(req: IncomingMessage): boolean {
    const h = req.headers.authorization;
    if (!h?.startsWith("Bearer ")) return false;
    const got = Buffer.from(h.slice(7).trim());
    const want = Buffer.from(this.token);
    return got.length === want.length && timingSafeEqual(got, want);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = process.hrtime.bigint();
    const url = new URL(req.url ?? "/", "http://localhost");
    const info = parseRequestInfo(req.method ?? "GET", url.pathname, url.searchParams);
    const labels =
      info.kind === "resource"
        ? {
            verb: info.verb.toUpperCase(),
            group: info.group,
            version: info.version,
            resource: info.resource,
            subresource: info.subresource,
            scope: info.name ? "resource" : info.namespace ? "namespace" : "cluster",
            component: "apiserver",
          }
        : undefined;
    res.on("finish", () => {
      if (!labels) return;
      this.metrics.requests.inc({ ...labels, code: String(res.statusCode) });
      if (labels.verb !== "WATCH")
        this.metrics.duration.observe(labels, Number(process.hrtime.bigint() - started) / 1e9);
    });
    try {
      const path = url.pathname;
      if (publicPaths.has(path) || /^\/(healthz|livez|readyz)\//.test(path))
        return this.servePublic(path, url, res);
      if (!this.authenticated(req)) throw errors.unauthorized();
      if (info.kind === "resource") {
        if (info.verb === "watch") {
          const g = {
            verb: "WATCH",
            group: info.group,
            version: info.version,
            resource: info.resource,
            scope: labels!.scope,
            component: "apiserver",
          };
          this.metrics.longRunning.inc(g);
          try {
            await serveResource(info, req, res, url, this.regs, this.abort.signal);
          } finally {
            this.metrics.longRunning.dec(g);
          }
          return;
        }
        return await serveResource(info, req, res, url, this.regs, this.abort.signal);
      }
      return await this.serveOther(req, res, url);
    } catch (e) {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      if (e instanceof StatusError) return sendStatusError(res, e);
      console.error(
        `apiserver: ${req.method} ${req.url}: ${e instanceof Error ? (e.stack ?? e.message) : e}`,
      );
      return sendStatusError(res, errors.internal(e));
    }
  }

  private servePublic(path: string, url: URL, res: ServerResponse): void {
    if (path.startsWith("/version")) {
      sendJSON(res, 200, versionInfo());
      return;
    }
    const kind = path.split("/")[1];
    const ok = kind !== "readyz" || this.ready;
    const sub = path.split("/")[2];
    if (sub && !healthChecks.includes(sub) && sub !== "ping") {
      res.writeHead(404, { "Content-Type": "text/plain; charset=utf-8" });
      res.end("404 page not found\n");
      return;
    }
    let body = ok ? "ok" : `[-]ready failed: reason withheld\n${kind} check failed`;
    if (url.searchParams.has("verbose") && !sub) {
      const lines = healthChecks.map((c) => `[+]${c} ok`);
      if (kind === "readyz") lines.push(`[${this.ready ? "+" : "-"}]ready ${this.ready ? "ok" : "failed"}`);
      body = `${lines.join("\n")}\n${kind} check ${ok ? "passed" : "failed"}\n`;
    }
    res.writeHead(ok ? 200 : 500, {
      "Content-Type": "text/plain; charset=utf-8",
      "X-Content-Type-Options": "nosniff",
    });
    res.end(body);
  }

  private async serveOther(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const path = url.pathname.replace(/\/$/, "") || "/";
    if (path === "/metrics") {
      await this.updateStorageMetrics();
      res.writeHead(200, { "Content-Type": this.metrics.registry.contentType });
      res.end(await this.metrics.registry.metrics());
      return;
    }
    if (req.method !== "GET" && req.method !== "HEAD")
      throw errors.methodNotAllowed("the server does not allow this method on the requested resource");
    const o = openapiHandler(
      req.url ?? "/",
      req.headers.accept ?? "",
      resources,
      req.headers["if-none-match"],
    );
    if (o) {
      res.writeHead(o.status, { "Content-Type": o.contentType, ...o.headers });
      res.end(req.method === "HEAD" ? undefined : o.body);
      return;
    }
    const format: DiscoveryFormat = chooseDiscoveryFormat(req.headers.accept ?? "");
    const d = discoveryResponse(path, format, resources, this.url);
    if (d) {
      res.writeHead(200, {
        "Content-Type": d.contentType,
        "Cache-Control": "no-cache, private",
        ...(d.etag ? { ETag: d.etag } : {}),
      });
      res.end(d.body);
      return;
    }
    if (path === "/") {
      return sendJSON(res, 200, {
        paths: [
          "/api",
          "/api/v1",
          "/apis",
          ...groupPaths(),
          "/healthz",
          "/livez",
          "/metrics",
          "/readyz",
          "/version",
        ],
      });
    }
    throw new StatusError(404, "NotFound", "the server could not find the requested resource", {});
  }

  private async updateStorageMetrics(): Promise<void> {
    for (const r of this.registries) {
      const n = await this.opts.store.count(r.prefix(""));
      this.metrics.storageObjects.set(
        { resource: r.def.group ? `${r.def.plural}.${r.def.group}` : r.def.plural },
        n,
      );
    }
  }
}

function groupPaths(): string[] {
  const out = new Set<string>();
  for (const d of resources) if (d.group) out.add(`/apis/${d.group}`).add(`/apis/${d.group}/${d.version}`);
  return [...out].sort();
}
