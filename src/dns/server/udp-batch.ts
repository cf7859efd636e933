/**
 * Batched UDP I/O through the native addon in native/udpio (recvmmsg/sendmmsg; its README has
 * the measurement that justifies it). Node's dgram socket stays the fallback: off Linux, when the
 * addon did not build, or with SKIFF_DNS_UDP=dgram.
 */
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Remote } from "../plugin.ts";

/** An open native socket, opaque to JS. */
type Handle = { readonly __udpio: never };

export interface Addon {
  open(host: string, port: number, onBatch: (count: number) => void): [Handle, number, 4 | 6, Buffer];
  send(h: Handle, reply: Buffer, addr: Buffer): boolean;
  close(h: Handle): void;
  stats(h: Handle): [number, number];
  peer(addr: Buffer): [string, number, 4 | 6];
  /** execv(path, argv): returns only when it failed, with the errno (README.md). */
  exec(path: string, argv: string[]): number;
  /** malloc_trim(0): whether memory went back to the system (absent in builds before it). */
  trim?(): boolean;
  /** Count this isolate's garbage collections (gcstats.cc); false when another isolate's are. */
  gcWatch?(): boolean;
  /** Fill out with the counts so far: gcKinds × (2 + gcBounds.length) numbers (gc-metrics.ts). */
  gcStats?(out: Float64Array): Float64Array;
  gcKinds?: number;
  /** The duration buckets (seconds) gcStats counts into. */
  gcBounds?: readonly number[];
  BATCH: number;
  SLOT: number;
  ADDR: number;
  OUT_OFF: number;
  ADDR_OFF: number;
  META_OFF: number;
  FLAG_TRUNC: number;
  FLAG_IPV6: number;
  META_GEN: number;
  META_OPEN: number;
  /** Absent from builds before it (then failures() is read after every batch). */
  META_FAILS?: number;
}

export type UdpMode = "native" | "dgram";

const ADDON = join("native", "udpio", "build", "Release", "udpio.node");

/**
 * The addon below the package root: the first ancestor of `from` holding a package.json, so the
 * sources (src/dns/server) and the bundle (dist/) find the same file.
 */
export function addonPath(from: string = fileURLToPath(import.meta.url)): string | undefined {
  let dir = dirname(from);
  for (;;) {
    if (existsSync(join(dir, "package.json"))) {
      const p = join(dir, ADDON);
      return existsSync(p) ? p : undefined;
    }
    const up = dirname(dir);
    if (up === dir) return undefined;
    dir = up;
  }
}

let loaded: { addon: Addon } | { reason: string } | undefined;

/** The addon, or why it is not available (loaded once). */
export function loadAddon(): { addon: Addon } | { reason: string } {
  if (loaded) return loaded;
  if (process.platform !== "linux") {
    loaded = { reason: `recvmmsg/sendmmsg are Linux-only (this is ${process.platform})` };
    return loaded;
  }
  const p = addonPath();
  if (!p) {
    loaded = { reason: `${ADDON} is not built (npm run build:native)` };
    return loaded;
  }
  try {
    loaded = { addon: createRequire(import.meta.url)(p) as Addon };
  } catch (err) {
    loaded = { reason: `loading ${p}: ${(err as Error).message}` };
  }
  return loaded;
}

/**
 * The UDP path for DNS listeners: SKIFF_DNS_UDP=dgram forces Node's dgram socket,
 * SKIFF_DNS_UDP=native requires the addon (an error if it is missing), unset picks the addon
 * when it loads.
 */
export function udpMode(env: NodeJS.ProcessEnv = process.env): UdpMode {
  const want = env.SKIFF_DNS_UDP ?? "";
  if (want === "dgram") return "dgram";
  const a = loadAddon();
  if (want === "native" && "reason" in a) throw new Error(`SKIFF_DNS_UDP=native: ${a.reason}`);
  if (want !== "" && want !== "native" && want !== "auto")
    throw new Error(`SKIFF_DNS_UDP=${want}: expected native, dgram or auto`);
  return "addon" in a ? "native" : "dgram";
}

/**
 * One bound UDP socket read in batches. The batch callback gets a count n; datagram i < n is
 * query(i) (a view into the shared input buffer, valid only during the callback), its sender's
 * address bytes are at addrOffset(i), and a reply written with reply(i, buf) is sent with the
 * whole batch when the callback returns. Replies computed later go through send().
 */
export class BatchSocket {
  readonly port: number;
  /** The socket's family: 6 for "" (dual-stack) and IPv6 hosts. */
  readonly family: 4 | 6;
  readonly batch: number;
  private readonly a: Addon;
  private readonly h: Handle;
  private readonly shared: Buffer;
  private readonly meta: Int32Array;
  /** One view per output slot, made once (no allocation per reply). */
  private readonly slots: Buffer[] = [];
  private closed = false;

  private constructor(a: Addon, opened: [Handle, number, 4 | 6, Buffer]) {
    this.a = a;
    [this.h, this.port, this.family, this.shared] = opened;
    this.batch = a.BATCH;
    const s = this.shared;
    this.meta = new Int32Array(s.buffer, s.byteOffset + a.META_OFF, (a.META_FAILS ?? a.META_OPEN) + 1);
    for (let i = 0; i < a.BATCH; i++) {
      const off = a.OUT_OFF + i * a.SLOT;
      this.slots.push(s.subarray(off, off + a.SLOT));
    }
  }

  /** Bind host:port ("" = dual-stack ::, port 0 = any); bind errors throw with their errno code. */
  static open(host: string, port: number, onBatch: (count: number) => void): BatchSocket {
    const a = loadAddon();
    if ("reason" in a) throw new Error(`native UDP: ${a.reason}`);
    return new BatchSocket(a.addon, a.addon.open(host, port, onBatch));
  }

  /** Datagram i of the current batch (a view: copy it to keep it past the callback). */
  query(i: number): Buffer {
    const off = i * this.a.SLOT;
    return this.shared.subarray(off, off + this.meta[i]);
  }

  /** Read beyond the input slot's size: only its first SLOT bytes are in query(i). */
  truncated(i: number): boolean {
    return (this.meta[2 * this.a.BATCH + i] & this.a.FLAG_TRUNC) !== 0;
  }

  /** The sender is IPv6 (a v4 client of a dual-stack socket, ::ffff:a.b.c.d, is not). */
  ipv6(i: number): boolean {
    return (this.meta[2 * this.a.BATCH + i] & this.a.FLAG_IPV6) !== 0;
  }

  /** A copy of datagram i's sender address, for peer() and a later send(). */
  addr(i: number): Buffer {
    const off = this.a.ADDR_OFF + i * this.a.ADDR;
    const out = Buffer.allocUnsafe(this.a.ADDR);
    this.shared.copy(out, 0, off, off + this.a.ADDR);
    return out;
  }

  /** Reply to datagram i with the batch; false when it does not fit the slot (send() it then). */
  reply(i: number, out: Buffer): boolean {
    if (out.length > this.a.SLOT) return false;
    out.copy(this.slots[i]);
    this.meta[this.a.BATCH + i] = out.length;
    return true;
  }

  /** The current batch's number: a reply for it may still join it (replyLater). */
  get generation(): number {
    return this.meta[this.a.META_GEN];
  }

  /**
   * Reply to datagram i of batch `gen` after the callback returned: while the microtasks that
   * follow the callback run, the reply still joins that batch's sendmmsg; later (or too big for
   * the slot) it is sent on its own. False when it could not be sent (see send()).
   */
  replyLater(i: number, gen: number, out: Buffer, addr: Buffer): boolean {
    const m = this.meta;
    if (m[this.a.META_OPEN] === 1 && m[this.a.META_GEN] === gen && !this.closed && this.reply(i, out))
      return true;
    return this.send(out, addr);
  }

  /**
   * Datagram i's sender as Node's dgram would report it, with a v4 client of a dual-stack
   * socket (::ffff:a.b.c.d) reported as a.b.c.d (as CoreDNS sees it). IPv4 is read from the
   * address bytes here; IPv6 is formatted by the addon (zero compression, scope).
   */
  remote(i: number, addr: Buffer): { address: string; port: number } {
    return { address: this.addressOf(addr, this.ipv6(i)), port: (addr[2] << 8) | addr[3] };
  }

  /**
   * remote() for handle(): the port and family now, the address text only when something reads
   * it (most queries are answered without, and it was a string built per miss). It reads the
   * `addr` copy, never the batch, so it stays right after the batch is gone.
   */
  remoteLater(i: number, addr: Buffer): Remote {
    return new LazyRemote(this, addr, this.ipv6(i));
  }

  /** The address text of remote() for sender bytes `addr` (IPv6 when `v6`). */
  addressOf(addr: Buffer, v6: boolean): string {
    if (v6) return this.peer(addr).address;
    // sockaddr_in: the address at 4; sockaddr_in6 (v4-mapped): its last 4 bytes at 20.
    const o = this.family === 4 ? 4 : 20;
    return `${addr[o]}.${addr[o + 1]}.${addr[o + 2]}.${addr[o + 3]}`;
  }

  /** Datagram i's output slot, to render a reply into; then replied(i, length). */
  outSlot(i: number): Buffer {
    return this.slots[i];
  }

  /** The first `length` bytes of outSlot(i) are datagram i's reply (sent with the batch). */
  replied(i: number, length: number): void {
    this.meta[this.a.BATCH + i] = length;
  }

  /** Send now; false when it was not sent (closed, or the kernel refused it: counted). */
  send(reply: Buffer, addr: Buffer): boolean {
    if (this.closed) return false;
    return this.a.send(this.h, reply, addr);
  }

  /** Address, port and family of addr() as Node's dgram reports them in rinfo. */
  peer(addr: Buffer): { address: string; port: number; family: "IPv4" | "IPv6" } {
    const [address, port, family] = this.a.peer(addr);
    return { address, port, family: family === 6 ? "IPv6" : "IPv4" };
  }

  /** Replies dropped because the socket's send buffer was full (EAGAIN/ENOBUFS). */
  get dropped(): number {
    return this.a.stats(this.h)[0];
  }

  /**
   * A number that changes when a reply fails to go out (dropped or an error): failures() needs
   * reading only then. -1 from an addon built before it: read failures() every time.
   */
  get failureMark(): number {
    const at = this.a.META_FAILS;
    return at === undefined ? -1 : this.meta[at];
  }

  /** [dropped, sendErrors] in one call. */
  failures(): [number, number] {
    const s = this.a.stats(this.h);
    return [s[0], s[1]];
  }

  /** Replies that failed otherwise (e.g. no route back). */
  get sendErrors(): number {
    return this.a.stats(this.h)[1];
  }

  /** Stop reading and close the fd at once (idempotent). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.a.close(this.h);
  }
}

/** BatchSocket.remoteLater's sender: the address formatted on first read. */
class LazyRemote implements Remote {
  readonly port: number;
  readonly family: Remote["family"];
  private text: string | undefined;

  constructor(
    private readonly sock: BatchSocket,
    private readonly addr: Buffer,
    private readonly v6: boolean,
  ) {
    this.port = (addr[2] << 8) | addr[3];
    this.family = v6 ? "IPv6" : "IPv4";
  }

  get address(): string {
    this.text ??= this.sock.addressOf(this.addr, this.v6);
    return this.text;
  }
}
