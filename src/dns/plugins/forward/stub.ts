/**
 * A tiny DNS responder on 127.0.0.1 for tests (UDP and TCP on one port): records every query
 * with its transport and source, answers through `answer` (or holds/drops the query).
 */
import dgram from "node:dgram";
import net from "node:net";
import dnsPacket, { type DecodedPacket, type Packet } from "dns-packet";

export interface StubQuery {
  proto: "udp" | "tcp";
  msg: DecodedPacket;
  /** Source port (UDP) or connection number (TCP). */
  source: number;
}

/** A reply, "drop" to never answer, or a promise of either (to hold the query). */
export type StubAnswer = Packet | "drop" | Promise<Packet | "drop">;

export interface Stub {
  port: number;
  queries: StubQuery[];
  /** TCP connections accepted so far. */
  connections: number;
  /** Close every open TCP connection from this side (an upstream's idle timeout). */
  closeConnections(): void;
  answer: (q: DecodedPacket, proto: "udp" | "tcp") => StubAnswer;
  stop(): Promise<void>;
}

/** An A answer 192.0.2.1 with the question echoed, RA set, rcode as given. */
export function defaultAnswer(q: DecodedPacket, rcode = 0): Packet {
  const question = q.questions?.[0];
  return {
    id: q.id,
    type: "response",
    flags: ((q.flags ?? 0) & dnsPacket.RECURSION_DESIRED) | dnsPacket.RECURSION_AVAILABLE | rcode,
    questions: q.questions,
    answers:
      question && question.type === "A" && rcode === 0
        ? [{ name: question.name, type: "A", class: "IN", ttl: 60, data: "192.0.2.1" }]
        : [],
  };
}

/** Start a stub on a free port, or on `port` (one try). */
export async function startStub(answer: Stub["answer"] = (q) => defaultAnswer(q), want = 0): Promise<Stub> {
  for (let attempt = 0; ; attempt++) {
    const udp = dgram.createSocket("udp4");
    await new Promise<void>((r) => udp.bind(want, "127.0.0.1", () => r()));
    const port = udp.address().port;
    const tcp = net.createServer();
    const ok = await new Promise<boolean>((r) => {
      tcp.once("error", () => r(false));
      tcp.listen(port, "127.0.0.1", () => r(true));
    });
    if (!ok) {
      udp.close();
      if (want === 0 && attempt < 20) continue;
      throw new Error("stub: no free port");
    }
    return wire(udp, tcp, port, answer);
  }
}

function wire(udp: dgram.Socket, tcp: net.Server, port: number, answer: Stub["answer"]): Stub {
  const sockets = new Set<net.Socket>();
  let stopped: Promise<void> | undefined;
  const stub: Stub = {
    port,
    queries: [],
    connections: 0,
    answer,
    closeConnections: () => {
      for (const s of sockets) s.destroy();
    },
    stop: () => {
      stopped ??= close();
      return stopped;
    },
  };
  const close = async () => {
    for (const s of sockets) s.destroy();
    await Promise.all([
      new Promise<void>((r) => udp.close(() => r())),
      new Promise<void>((r) => tcp.close(() => r())),
    ]);
  };
  const reply = async (buf: Buffer, proto: "udp" | "tcp", source: number, send: (b: Buffer) => void) => {
    let msg: DecodedPacket;
    try {
      msg = dnsPacket.decode(buf);
    } catch {
      return;
    }
    stub.queries.push({ proto, msg, source });
    const out = await stub.answer(msg, proto);
    if (out !== "drop") send(dnsPacket.encode(out));
  };
  udp.on("message", (buf, rinfo) => {
    void reply(buf, "udp", rinfo.port, (b) => {
      try {
        udp.send(b, rinfo.port, rinfo.address);
      } catch {
        // stopped meanwhile
      }
    });
  });
  tcp.on("connection", (s) => {
    const n = ++stub.connections;
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
    s.on("error", () => {});
    let pending = Buffer.alloc(0);
    s.on("data", (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      while (pending.length >= 2 && pending.length >= 2 + pending.readUInt16BE(0)) {
        const msg = pending.subarray(2, 2 + pending.readUInt16BE(0));
        pending = pending.subarray(2 + msg.length);
        void reply(msg, "tcp", n, (b) => {
          const len = Buffer.alloc(2);
          len.writeUInt16BE(b.length);
          if (!s.destroyed) s.write(Buffer.concat([len, b]));
        });
      }
    });
  });
  return stub;
}

/** A port on 127.0.0.1 where nothing listens (TCP connections are refused). */
export function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}
