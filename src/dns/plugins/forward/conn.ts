/**
 * One connection to an upstream, UDP (a connected datagram socket) or TCP (2-byte length
 * framing), carrying one exchange at a time as CoreDNS's persistConn does. Replies that arrive
 * while nobody waits are dropped; the reader skips replies with another id.
 */
import dgram from "node:dgram";
import net from "node:net";

export type Proto = "udp" | "tcp";

export class ConnClosedError extends Error {
  constructor() {
    super("connection closed by peer");
  }
}

export class TimeoutError extends Error {
  constructor(what: string) {
    super(`i/o timeout (${what})`);
  }
}

export interface DialOptions {
  host: string;
  port: number;
  proto: Proto;
  /** source_address */
  localAddress?: string;
  timeoutMs: number;
}

export class Conn {
  readonly created = Date.now();
  used = Date.now();
  closed = false;
  private waiter: { resolve(b: Buffer): void; reject(e: Error): void } | undefined;
  private pending: Buffer = Buffer.alloc(0);
  private closeError: Error | undefined;

  private constructor(
    readonly proto: Proto,
    private readonly udp: dgram.Socket | undefined,
    private readonly tcp: net.Socket | undefined,
  ) {
    if (udp) {
      udp.on("message", (b) => this.deliver(b));
      udp.on("error", (e) => this.fail(e));
      udp.on("close", () => this.fail(new ConnClosedError()));
    }
    if (tcp) {
      tcp.on("data", (chunk: Buffer) => this.onData(chunk));
      tcp.on("error", (e) => this.fail(e));
      tcp.on("close", () => this.fail(new ConnClosedError()));
    }
  }

  static dial(o: DialOptions): Promise<Conn> {
    const family = net.isIPv6(o.host) ? 6 : 4;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        cleanup();
        reject(new TimeoutError(`dial ${o.proto} ${o.host}:${o.port}`));
      }, o.timeoutMs);
      let cleanup = () => {};
      if (o.proto === "udp") {
        const s = dgram.createSocket(family === 6 ? "udp6" : "udp4");
        cleanup = () => s.close();
        s.once("error", (e) => {
          clearTimeout(timer);
          reject(e);
        });
        const connect = () =>
          s.connect(o.port, o.host, () => {
            clearTimeout(timer);
            s.removeAllListeners("error");
            resolve(new Conn("udp", s, undefined));
          });
        if (o.localAddress) s.bind(0, o.localAddress, connect);
        else connect();
        return;
      }
      const s = net.connect({ host: o.host, port: o.port, localAddress: o.localAddress, family });
      s.setNoDelay(true);
      cleanup = () => s.destroy();
      s.once("error", (e) => {
        clearTimeout(timer);
        reject(e);
      });
      s.once("connect", () => {
        clearTimeout(timer);
        s.removeAllListeners("error");
        resolve(new Conn("tcp", undefined, s));
      });
    });
  }

  /** Send a query; for TCP with its length prefix. */
  write(msg: Buffer): Promise<void> {
    if (this.closed) return Promise.reject(this.closeError ?? new ConnClosedError());
    this.pending = Buffer.alloc(0);
    return new Promise((resolve, reject) => {
      const done = (err?: Error | null) => (err ? reject(err) : resolve());
      if (this.udp) this.udp.send(msg, done);
      else {
        const len = Buffer.alloc(2);
        len.writeUInt16BE(msg.length);
        this.tcp!.write(Buffer.concat([len, msg]), done);
      }
    });
  }

  /** The next message from the upstream, within `ms`. */
  read(ms: number, signal?: AbortSignal): Promise<Buffer> {
    if (this.closed) return Promise.reject(this.closeError ?? new ConnClosedError());
    return new Promise((resolve, reject) => {
      const finish = () => {
        clearTimeout(timer);
        signal?.removeEventListener("abort", onAbort);
        this.waiter = undefined;
      };
      const onAbort = () => {
        finish();
        this.close();
        reject(signal?.reason instanceof Error ? signal.reason : new Error("aborted"));
      };
      const timer = setTimeout(() => {
        finish();
        reject(new TimeoutError(`read ${this.proto}`));
      }, ms);
      signal?.addEventListener("abort", onAbort, { once: true });
      this.waiter = {
        resolve: (b) => {
          finish();
          resolve(b);
        },
        reject: (e) => {
          finish();
          reject(e);
        },
      };
      if (this.tcp) this.drainFrames();
    });
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.udp?.close();
    this.tcp?.destroy();
  }

  private deliver(b: Buffer): void {
    this.waiter?.resolve(b);
  }

  private onData(chunk: Buffer): void {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    this.drainFrames();
  }

  private drainFrames(): void {
    while (this.waiter && this.pending.length >= 2) {
      const n = this.pending.readUInt16BE(0);
      if (this.pending.length < 2 + n) return;
      const msg = this.pending.subarray(2, 2 + n);
      this.pending = this.pending.subarray(2 + n);
      this.deliver(msg);
    }
  }

  private fail(e: Error): void {
    if (this.closed && this.waiter === undefined) return;
    this.closeError ??= e;
    this.closed = true;
    if (this.udp) {
      try {
        this.udp.close();
      } catch {
        // already closed
      }
    }
    this.tcp?.destroy();
    this.waiter?.reject(e);
  }
}
