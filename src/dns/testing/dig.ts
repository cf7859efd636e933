/** Test helpers: run the real `dig` without blocking the event loop, and raw UDP/TCP exchanges. */
import { execFile } from "node:child_process";
import dgram from "node:dgram";
import net from "node:net";
import { promisify } from "node:util";
import dnsPacket from "dns-packet";

const run = promisify(execFile);

/** `dig @127.0.0.1 -p PORT args…` → stdout. */
export async function dig(port: number, ...args: string[]): Promise<string> {
  const { stdout } = await run("dig", ["@127.0.0.1", "-p", String(port), "+time=2", "+tries=1", ...args]);
  return stdout;
}

/** Send one datagram from a new socket (to ::1 for udp6); resolve with the reply, or undefined after `ms`. */
export function udpExchange(
  port: number,
  msg: Buffer,
  ms = 500,
  type: "udp4" | "udp6" = "udp4",
): Promise<Buffer | undefined> {
  return new Promise((resolve) => {
    const s = dgram.createSocket(type);
    const timer = setTimeout(() => {
      s.close();
      resolve(undefined);
    }, ms);
    s.on("message", (buf) => {
      clearTimeout(timer);
      s.close();
      resolve(buf);
    });
    s.send(msg, port, type === "udp4" ? "127.0.0.1" : "::1");
  });
}

/** Write all framed queries at once on one connection; collect `count` framed replies. */
export function tcpExchange(port: number, msgs: Buffer[], count = msgs.length, ms = 3000): Promise<Buffer[]> {
  return new Promise((resolve, reject) => {
    const sock = net.connect(port, "127.0.0.1");
    const out: Buffer[] = [];
    let buf = Buffer.alloc(0);
    const timer = setTimeout(() => {
      sock.destroy();
      reject(new Error(`got ${out.length} of ${count} replies`));
    }, ms);
    sock.on("connect", () => {
      sock.write(Buffer.concat(msgs.map((m) => Buffer.concat([u16(m.length), m]))));
    });
    sock.on("data", (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
        out.push(buf.subarray(2, 2 + buf.readUInt16BE(0)));
        buf = buf.subarray(2 + buf.readUInt16BE(0));
      }
      if (out.length >= count) {
        clearTimeout(timer);
        sock.destroy();
        resolve(out);
      }
    });
    sock.on("error", reject);
  });
}

function u16(n: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(n);
  return b;
}

/** A recursion-desired query for name/type (class IN), with extra fields such as an OPT record. */
export function encodeQuery(
  name: string,
  type: dnsPacket.RecordType,
  id = 4242,
  extra: Partial<dnsPacket.Packet> = {},
): Buffer {
  return dnsPacket.encode({
    id,
    type: "query",
    flags: dnsPacket.RECURSION_DESIRED,
    questions: [{ name, type, class: "IN" }],
    ...extra,
  });
}
