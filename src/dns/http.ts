/**
 * Shared HTTP listeners for the plugins that serve HTTP (health :8080, ready :8181,
 * prometheus :9153): one server per address, handlers by exact path. Registrations stack, so a
 * reloaded config can register the same path before the old config releases it; the server
 * closes when its last registration goes.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export type HttpHandler = (req: IncomingMessage, res: ServerResponse) => void;

export interface HttpRegistration {
  /** The bound address and port (useful with port 0). */
  readonly host: string;
  readonly port: number;
  release(): Promise<void>;
}

interface Entry {
  server: Server;
  routes: Map<string, HttpHandler[]>;
  refs: number;
  ready: Promise<AddressInfo>;
}

/** `:8080`, `127.0.0.1:8080`, `[::1]:8080`, `localhost:8080` → host ("" = all) and port. */
export function parseHttpAddress(addr: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d+)$/.exec(addr);
  if (!m) throw new Error(`invalid address '${addr}': want [host]:port`);
  const port = Number(m[3]);
  if (port > 65535) throw new Error(`invalid port in '${addr}'`);
  return { host: m[1] ?? m[2] ?? "", port };
}

export class HttpListeners {
  private readonly entries = new Map<string, Entry>();

  /** Serve `path` at `address` ("[host]:port") until released. */
  async register(address: string, path: string, handler: HttpHandler): Promise<HttpRegistration> {
    const { host, port } = parseHttpAddress(address);
    const key = `${host}|${port}`;
    let e = this.entries.get(key);
    if (!e) {
      const routes = new Map<string, HttpHandler[]>();
      const server = createServer((req, res) => {
        const p = (req.url ?? "/").split("?")[0];
        const hs = routes.get(p);
        const h = hs?.[hs.length - 1];
        if (!h) {
          res.writeHead(404, { "content-type": "text/plain" }).end("404 page not found\n");
          return;
        }
        h(req, res);
      });
      const ready = new Promise<AddressInfo>((resolve, reject) => {
        server.once("error", reject);
        server.listen({ host: host || undefined, port }, () => {
          server.off("error", reject);
          resolve(server.address() as AddressInfo);
        });
      });
      e = { server, routes, refs: 0, ready };
      this.entries.set(key, e);
      ready.catch(() => {
        if (this.entries.get(key) === e) this.entries.delete(key);
      });
    }
    const entry = e;
    entry.refs++;
    let bound: AddressInfo;
    try {
      bound = await entry.ready;
    } catch (err) {
      entry.refs--;
      throw new Error(`listen tcp ${address}: ${(err as Error).message}`);
    }
    const stack = entry.routes.get(path) ?? [];
    stack.push(handler);
    entry.routes.set(path, stack);
    let released = false;
    return {
      host: bound.address,
      port: bound.port,
      release: async () => {
        if (released) return;
        released = true;
        const s = entry.routes.get(path);
        if (s) {
          const i = s.lastIndexOf(handler);
          if (i >= 0) s.splice(i, 1);
          if (s.length === 0) entry.routes.delete(path);
        }
        entry.refs--;
        if (entry.refs === 0) {
          this.entries.delete(key);
          await new Promise<void>((resolve) => {
            entry.server.close(() => resolve());
            entry.server.closeAllConnections();
          });
        }
      },
    };
  }

  /** Close every server (instance stop). */
  async closeAll(): Promise<void> {
    const all = [...this.entries.values()];
    this.entries.clear();
    await Promise.all(
      all.map(
        (e) =>
          new Promise<void>((resolve) => {
            e.server.close(() => resolve());
            e.server.closeAllConnections();
          }),
      ),
    );
  }
}
