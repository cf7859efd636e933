/**
 * UDP and TCP listeners for one host:port, whose DnsServer can be swapped (reload keeps the
 * sockets and changes what answers). TCP follows RFC 7766: 2-byte length prefix, several queries
 * per connection answered as they complete, an idle timeout.
 */
import dgram from "node:dgram";
import net from "node:net";
import type { Remote } from "../plugin.ts";
import type { DnsServer } from "./server.ts";

export interface ListenerOptions {
  /** "" listens on every address (dual-stack where the system allows). */
  host: string;
  port: number;
  /** Close a TCP connection idle this long (CoreDNS's default idle timeout is 10s). */
  tcpIdleMs?: number;
}

export class Listener {
  server: DnsServer;
  host: string;
  port = 0;
  private udp: dgram.Socket | undefined;
  private tcp: net.Server | undefined;
  private readonly conns = new Map<net.Socket, { pending: number }>();
  private closing = false;
  /** UDP replies handed to the socket but not yet sent: close waits for them. */
  private sending = 0;
  private sent: (() => void) | undefined;
  private readonly idleMs: number;

  constructor(server: DnsServer, opts: ListenerOptions) {
    this.server = server;
    this.host = opts.host;
    this.port = opts.port;
    this.idleMs = opts.tcpIdleMs ?? 10_000;
  }

  /** Bind UDP then TCP on the same port (with port 0, the port UDP got). */
  async listen(): Promise<void> {
    const attempts = this.port === 0 ? 20 : 1;
    let lastErr: unknown;
    for (let i = 0; i < attempts; i++) {
      const udp = await bindUdp(this.host, this.port);
      const port = udp.address().port;
      try {
        this.tcp = await bindTcp(this.host, port);
      } catch (err) {
        lastErr = err;
        await new Promise<void>((r) => udp.close(() => r()));
        if ((err as NodeJS.ErrnoException).code === "EADDRINUSE" && this.port === 0) continue;
        throw err;
      }
      this.udp = udp;
      this.port = port;
      this.wireUdp(udp);
      this.tcp.on("connection", (s) => this.onConnection(s));
      return;
    }
    throw lastErr;
  }

  private wireUdp(udp: dgram.Socket): void {
    const afterSend = () => {
      this.sending--;
      if (this.sending === 0) this.sent?.();
    };
    udp.on("message", (buf, rinfo) => {
      if (this.closing) return;
      const family = familyOf(rinfo.address, rinfo.family);
      const fast = this.server.fast(buf, "udp", family);
      if (fast) {
        // No completion callback: it costs a tick per reply, and a template reply is handed to
        // the kernel at once (close() only waits for replies that were still being computed).
        udp.send(fast, rinfo.port, rinfo.address);
        return;
      }
      const remote: Remote = { address: plainIP(rinfo.address), port: rinfo.port, family };
      void this.server.handle(buf, remote, "udp", (out) => {
        this.sending++;
        udp.send(out, rinfo.port, rinfo.address, afterSend);
      });
    });
    udp.on("error", () => {});
  }

  private onConnection(sock: net.Socket): void {
    if (this.closing) {
      sock.destroy();
      return;
    }
    const state = { pending: 0 };
    this.conns.set(sock, state);
    const remote: Remote = {
      address: plainIP(sock.remoteAddress ?? ""),
      port: sock.remotePort ?? 0,
      family: familyOf(sock.remoteAddress ?? "", sock.remoteFamily ?? "IPv4"),
    };
    sock.setNoDelay(true);
    sock.setTimeout(this.idleMs);
    sock.on("timeout", () => {
      if (state.pending === 0) sock.end();
    });
    sock.on("error", () => {});
    sock.on("close", () => this.conns.delete(sock));
    let buffered: Buffer = Buffer.alloc(0);
    sock.on("data", (chunk: Buffer) => {
      buffered = buffered.length === 0 ? chunk : Buffer.concat([buffered, chunk]);
      while (buffered.length >= 2) {
        const len = buffered.readUInt16BE(0);
        if (buffered.length < 2 + len) break;
        const msg = buffered.subarray(2, 2 + len);
        buffered = buffered.subarray(2 + len);
        if (this.closing) continue;
        const server = this.server;
        const fast = server.fast(msg, "tcp", remote.family);
        if (fast) {
          writeFrame(sock, fast);
          continue;
        }
        state.pending++;
        void server
          .handle(Buffer.from(msg), remote, "tcp", (out) => writeFrame(sock, out))
          .finally(() => {
            state.pending--;
            if (this.closing && state.pending === 0) sock.end();
          });
      }
    });
  }

  /** Stop accepting, let in-flight queries finish within `ms` (then abort them), close all. */
  async close(ms: number): Promise<void> {
    this.closing = true;
    const tcp = this.tcp;
    const closed = tcp ? new Promise<void>((r) => tcp.close(() => r())) : Promise.resolve();
    for (const [s, st] of this.conns) if (st.pending === 0) s.end();
    await this.server.drain(ms);
    for (const s of this.conns.keys()) s.destroy();
    this.conns.clear();
    if (this.sending > 0) {
      await new Promise<void>((r) => {
        this.sent = r;
      });
    }
    const udp = this.udp;
    if (udp) await new Promise<void>((r) => udp.close(() => r()));
    await closed;
  }
}

function writeFrame(sock: net.Socket, out: Buffer): void {
  if (sock.destroyed) return;
  const frame = Buffer.allocUnsafe(2 + out.length);
  frame.writeUInt16BE(out.length, 0);
  out.copy(frame, 2);
  sock.write(frame);
}

/** A v4 client of a dual-stack socket, ::ffff:a.b.c.d, is a.b.c.d (as Go reports it). */
function plainIP(a: string): string {
  return a.startsWith("::ffff:") && a.includes(".") ? a.slice(7) : a;
}

function familyOf(address: string, family: string | number): "IPv4" | "IPv6" {
  // A v4 client of a dual-stack socket shows up as ::ffff:a.b.c.d; CoreDNS sees it as IPv4.
  if (address.startsWith("::ffff:") && address.includes(".")) return "IPv4";
  return family === "IPv6" || family === 6 ? "IPv6" : "IPv4";
}

/** dgram asks with the socket's family (4 or 6); the address is already a literal. */
function literalLookup(
  address: string,
  family: unknown,
  cb: (err: NodeJS.ErrnoException | null, address: string, family: number) => void,
): void {
  cb(null, address, family === 6 ? 6 : 4);
}

function bindUdp(host: string, port: number): Promise<dgram.Socket> {
  const type = host === "" ? "udp6" : net.isIPv6(host) ? "udp6" : "udp4";
  return new Promise((resolve, reject) => {
    // Replies go to the literal address a query came from: no resolver call (and no tick) per send.
    const s = dgram.createSocket({ type, ipv6Only: false, lookup: literalLookup });
    s.once("error", (err) => {
      s.close();
      if (host === "" && (err as NodeJS.ErrnoException).code === "EAFNOSUPPORT") {
        bindUdp("0.0.0.0", port).then(resolve, reject);
        return;
      }
      reject(new Error(`listen udp ${host}:${port}: ${err.message}`));
    });
    s.bind({ address: host === "" ? "::" : host, port, exclusive: true }, () => {
      s.removeAllListeners("error");
      resolve(s);
    });
  });
}

function bindTcp(host: string, port: number): Promise<net.Server> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer({ pauseOnConnect: false });
    srv.once("error", (err: NodeJS.ErrnoException) => {
      const e = new Error(`listen tcp ${host}:${port}: ${err.message}`) as NodeJS.ErrnoException;
      e.code = err.code;
      reject(e);
    });
    srv.listen({ host: host === "" ? undefined : host, port, exclusive: true }, () => {
      srv.removeAllListeners("error");
      resolve(srv);
    });
  });
}
