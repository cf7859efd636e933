/**
 * UDP and TCP listeners for one host:port, whose DnsServer can be swapped (reload keeps the
 * sockets and changes what answers). TCP follows RFC 7766: 2-byte length prefix, several queries
 * per connection answered as they complete, an idle timeout. UDP is read in batches through the
 * native addon (udp-batch.ts) where it is available, else through Node's dgram socket.
 */
import dgram from "node:dgram";
import net from "node:net";
import type { Remote } from "../plugin.ts";
import { inBatch } from "./clock.ts";
import { NO_KEY, templateKey } from "./fastpath.ts";
import type { CounterChild } from "./lite-metrics.ts";
import type { DnsServer } from "./server.ts";
import { BatchSocket, type UdpMode, udpMode } from "./udp-batch.ts";

export interface ListenerOptions {
  /** "" listens on every address (dual-stack where the system allows). */
  host: string;
  port: number;
  /** Close a TCP connection idle this long (CoreDNS's default idle timeout is 10s). */
  tcpIdleMs?: number;
  /** The UDP path; by default udpMode() (the native addon when it loads, SKIFF_DNS_UDP). */
  udp?: UdpMode;
  /** Where the batched socket's unsent replies are counted (full send buffer, other errors). */
  failures?: { bufferFull: CounterChild; error: CounterChild };
}

export class Listener {
  server: DnsServer;
  host: string;
  port = 0;
  private udp: dgram.Socket | undefined;
  private batch: BatchSocket | undefined;
  private readonly mode: UdpMode;
  private readonly failures: ListenerOptions["failures"];
  private seenFailures: [number, number] = [0, 0];
  /** BatchSocket.failureMark when the failures were last read. */
  private seenMark = 0;
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
    this.mode = opts.udp ?? udpMode();
    this.failures = opts.failures;
  }

  /** The UDP path this listener uses. */
  get udpMode(): UdpMode {
    return this.mode;
  }

  /** UDP replies dropped because the socket's send buffer was full (native path only). */
  get udpDropped(): number {
    return this.batch?.dropped ?? 0;
  }

  /** Bind UDP then TCP on the same port (with port 0, the port UDP got). */
  async listen(): Promise<void> {
    const attempts = this.port === 0 ? 20 : 1;
    let lastErr: unknown;
    for (let i = 0; i < attempts; i++) {
      const udp = this.mode === "native" ? this.openBatch() : await bindUdp(this.host, this.port);
      const port = udp instanceof BatchSocket ? udp.port : udp.address().port;
      try {
        this.tcp = await bindTcp(this.host, port);
      } catch (err) {
        lastErr = err;
        if (udp instanceof BatchSocket) udp.close();
        else await new Promise<void>((r) => udp.close(() => r()));
        if ((err as NodeJS.ErrnoException).code === "EADDRINUSE" && this.port === 0) continue;
        throw err;
      }
      if (udp instanceof BatchSocket) this.batch = udp;
      else {
        this.udp = udp;
        this.wireUdp(udp);
      }
      this.port = port;
      this.tcp.on("connection", (s) => this.onConnection(s));
      return;
    }
    throw lastErr;
  }

  private openBatch(): BatchSocket {
    try {
      return BatchSocket.open(this.host, this.port, (n) => this.onBatch(n));
    } catch (err) {
      throw udpError(this.host, this.port, err as NodeJS.ErrnoException);
    }
  }

  /**
   * One batch from the native socket: template replies are written into the batch's output
   * slots; the rest go through handle() with a copy of the query and of the sender's address.
   * Those that complete in the microtasks right after this callback join the batch too; the
   * addon sends the batch with one sendmmsg then. Later ones are sent on their own.
   */
  private onBatch(n: number): void {
    const b = this.batch;
    if (!b || this.closing) return;
    this.countFailures(b);
    inBatch(() => this.serveBatch(b, n));
  }

  private serveBatch(b: BatchSocket, n: number): void {
    const server = this.server;
    for (let i = 0; i < n; i++) {
      const family = b.ipv6(i) ? "IPv6" : "IPv4";
      const view = b.query(i);
      // A datagram longer than the slot is read cut short (CoreDNS reads 512 bytes): only the
      // full path may see it, which answers what the bytes read say.
      // Templates are at most 512 bytes, so one that exists always fits the slot (4096); were
      // one bigger, the full path would answer it.
      // Computed once, where a block keeps templates: a miss keeps its reply's template under it
      // (handle()). Elsewhere the index is empty and find() hashes nothing.
      let key = NO_KEY;
      if (!b.truncated(i)) {
        if (server.keepsTemplates) key = templateKey(view);
        const len = server.fastInto(view, b.outSlot(i), 0, "udp", family, key);
        if (len > 0) {
          b.replied(i, len);
          continue;
        }
      }
      const query = Buffer.from(view);
      const addr = b.addr(i);
      const remote = b.remoteLater(i, addr);
      const gen = b.generation;
      // replyLater copies the reply into the batch (or sends it) before it returns: transient.
      void server.handle(
        query,
        remote,
        "udp",
        (out) => {
          b.replyLater(i, gen, out, addr);
        },
        key,
        true,
      );
    }
  }

  /** Move the addon's send failure counts (read once per batch) to the metrics. */
  private countFailures(b: BatchSocket): void {
    const f = this.failures;
    if (!f) return;
    // Read from the addon only when a reply failed since the last look: a call and two arrays
    // after every batch were 1.3% of the datagram handler's time in a loaded server's profile.
    const mark = b.failureMark;
    if (mark >= 0 && mark === this.seenMark) return;
    this.seenMark = mark;
    const [full, failed] = b.failures();
    f.bufferFull.value += full - this.seenFailures[0];
    f.error.value += failed - this.seenFailures[1];
    this.seenFailures = [full, failed];
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
        const settled = () => {
          state.pending--;
          if (this.closing && state.pending === 0) sock.end();
        };
        const r = server.handle(Buffer.from(msg), remote, "tcp", (out) => writeFrame(sock, out));
        if (r) void r.finally(settled);
        else settled();
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
    // Native sends are synchronous: once drained, nothing is left to wait for.
    this.batch?.close();
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
      reject(udpError(host, port, err));
    });
    s.bind({ address: host === "" ? "::" : host, port, exclusive: true }, () => {
      s.removeAllListeners("error");
      resolve(s);
    });
  });
}

function udpError(host: string, port: number, err: NodeJS.ErrnoException): NodeJS.ErrnoException {
  const e = new Error(`listen udp ${host}:${port}: ${err.message}`) as NodeJS.ErrnoException;
  e.code = err.code;
  return e;
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
