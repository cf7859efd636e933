/**
 * A small REST client for the Kubernetes API over node:http(s) with a keep-alive agent. Answers
 * are parsed JSON; failures are thrown as ApiError carrying the server's metav1.Status.
 */
import { readFileSync } from "node:fs";
import http, { type IncomingMessage } from "node:http";
import https from "node:https";
import { arch, platform } from "node:os";
import type { KubeObject } from "../api/machinery/types.ts";
import { ApiError, statusFromResponse } from "./api-error.ts";
import type { RestConfig } from "./kubeconfig.ts";
import { ResourceClient, type ResourceDescriptor } from "./resource.ts";

export type QueryValue = string | number | boolean | undefined;
export type Query = Record<string, QueryValue>;

export interface RequestOptions {
  query?: Query;
  /** An object is sent as JSON; a string or Buffer as-is. */
  body?: unknown;
  contentType?: string;
  accept?: string;
  signal?: AbortSignal;
}

export interface RestClientOptions {
  userAgent?: string;
}

/** client-go re-reads tokenFile at most this often, so rotated tokens are picked up. */
const TOKEN_FILE_TTL_MS = 60_000;

export class RestClient {
  private readonly agent: http.Agent;
  private readonly isHttps: boolean;
  private readonly host: string;
  private readonly port: number | undefined;
  private readonly socketPath: string | undefined;
  private readonly basePath: string;
  private readonly userAgent: string;
  private tokenCache: { token: string; at: number } | undefined;

  constructor(
    readonly config: RestConfig,
    opts: RestClientOptions = {},
  ) {
    this.userAgent = opts.userAgent ?? `skiff/0.1.0 (${platform()}/${arch()})`;
    if (config.server.startsWith("unix:")) {
      // unix:/path or unix:///path: plain HTTP over a Unix socket.
      this.socketPath = config.server.slice("unix:".length).replace(/^\/\/(?=\/)/, "");
      this.isHttps = false;
      this.host = "localhost";
      this.port = undefined;
      this.basePath = "";
      this.agent = new http.Agent({ keepAlive: true });
      return;
    }
    const url = new URL(config.server);
    if (url.protocol !== "https:" && url.protocol !== "http:") {
      throw new Error(`unsupported server URL ${config.server}: want https://, http:// or unix:`);
    }
    this.isHttps = url.protocol === "https:";
    this.host = url.hostname.replace(/^\[(.*)\]$/, "$1");
    this.port = url.port ? Number(url.port) : undefined;
    this.basePath = url.pathname.replace(/\/+$/, "");
    this.agent = this.isHttps
      ? new https.Agent({
          keepAlive: true,
          ca: config.ca,
          cert: config.cert,
          key: config.key,
          rejectUnauthorized: !config.insecureSkipTLSVerify,
          servername: config.tlsServerName,
        })
      : new http.Agent({ keepAlive: true });
  }

  /** A client for one resource type; `.namespace(ns)` scopes it. */
  resource<T extends KubeObject = KubeObject>(desc: ResourceDescriptor): ResourceClient<T> {
    return new ResourceClient<T>(this, desc);
  }

  /** Send a request and return the parsed JSON answer (text when the answer is not JSON). */
  async request<T = unknown>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
    const res = await this.send(method, path, opts);
    const text = await readBody(res);
    if (text === "") return undefined as T;
    const ct = String(res.headers["content-type"] ?? "");
    if (ct.includes("json")) return JSON.parse(text) as T;
    try {
      return (ct === "" ? JSON.parse(text) : text) as T;
    } catch {
      return text as T;
    }
  }

  /**
   * Send a request and return the response stream for a 2xx answer (for watch); a non-2xx answer
   * is read and thrown as ApiError.
   */
  async stream(method: string, path: string, opts: RequestOptions = {}): Promise<IncomingMessage> {
    return this.send(method, path, opts);
  }

  /** Close idle keep-alive connections. */
  close(): void {
    this.agent.destroy();
  }

  private send(method: string, path: string, opts: RequestOptions): Promise<IncomingMessage> {
    const headers: http.OutgoingHttpHeaders = {
      accept: opts.accept ?? "application/json",
      "user-agent": this.userAgent,
    };
    const auth = this.authorization();
    if (auth) headers.authorization = auth;
    let payload: string | Buffer | undefined;
    if (opts.body !== undefined) {
      payload =
        typeof opts.body === "string" || Buffer.isBuffer(opts.body) ? opts.body : JSON.stringify(opts.body);
      headers["content-type"] = opts.contentType ?? "application/json";
      headers["content-length"] = Buffer.byteLength(payload);
    }
    const reqOpts: https.RequestOptions = {
      method,
      path: this.basePath + path + queryString(opts.query),
      headers,
      agent: this.agent,
      signal: opts.signal,
    };
    if (this.socketPath) reqOpts.socketPath = this.socketPath;
    else {
      reqOpts.host = this.host;
      if (this.port !== undefined) reqOpts.port = this.port;
    }
    return new Promise((resolve, reject) => {
      const req = (this.isHttps ? https : http).request(reqOpts, (res) => {
        const code = res.statusCode ?? 0;
        if (code >= 200 && code < 300) {
          resolve(res);
          return;
        }
        readBody(res).then((text) => reject(new ApiError(statusFromResponse(code, text))), reject);
      });
      req.on("error", reject);
      req.end(payload);
    });
  }

  private authorization(): string | undefined {
    const c = this.config;
    if (c.token) return `Bearer ${c.token}`;
    if (c.tokenFile) {
      const now = Date.now();
      if (!this.tokenCache || now - this.tokenCache.at > TOKEN_FILE_TTL_MS) {
        this.tokenCache = { token: readFileSync(c.tokenFile, "utf8").trim(), at: now };
      }
      return `Bearer ${this.tokenCache.token}`;
    }
    if (c.username !== undefined || c.password !== undefined) {
      return `Basic ${Buffer.from(`${c.username ?? ""}:${c.password ?? ""}`).toString("base64")}`;
    }
    return undefined;
  }
}

export function queryString(q: Query | undefined): string {
  if (!q) return "";
  const parts: string[] = [];
  for (const [k, v] of Object.entries(q)) {
    if (v === undefined || v === "") continue;
    parts.push(`${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`);
  }
  return parts.length ? `?${parts.join("&")}` : "";
}

async function readBody(res: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of res) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}
