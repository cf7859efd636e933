/** Test helpers: a Request and a recording ResponseWriter without any socket. */
import dnsPacket, { type Packet, type RecordType } from "dns-packet";
import type { Handler, Remote, Request, ResponseWriter } from "../plugin.ts";

export function fakeRequest(name: string, qtype: RecordType = "A", opts: Partial<Request> = {}): Request {
  const msg = dnsPacket.decode(
    dnsPacket.encode({
      id: 1234,
      type: "query",
      flags: 0x100,
      questions: [{ name, type: qtype, class: "IN" }],
    }),
  );
  const lname = `${name.toLowerCase().replace(/\.$/, "")}.`;
  return {
    msg,
    remote: { address: "10.1.2.3", port: 40000, family: "IPv4" },
    proto: "udp",
    zone: ".",
    name: `${name.replace(/\.$/, "")}.`,
    lname,
    qtype,
    qclass: "IN",
    size: 512,
    do: false,
    length: 29,
    ...opts,
  };
}

export class FakeWriter implements ResponseWriter {
  msgs: Packet[] = [];
  size = 0;
  readonly remote: Remote = { address: "10.1.2.3", port: 40000, family: "IPv4" };
  get written(): boolean {
    return this.msgs.length > 0;
  }
  write(msg: Packet): void {
    msg.type = "response";
    this.msgs.push(msg);
    this.size = dnsPacket.encodingLength(msg);
  }
}

/**
 * A handler that answers with `rcode` (writing a reply unless it is an error rcode) or throws;
 * with `sync` it does so before returning (a number, or a synchronous throw), else through a
 * promise as a plugin that waits does.
 */
export function answering(
  rcode: number,
  opts: { answers?: number; throws?: Error; sync?: boolean } = {},
): Handler {
  return {
    name: "test",
    serveDNS(req, w) {
      const run = (): number => {
        if (opts.throws) throw opts.throws;
        if (rcode === 2 || rcode === 5) return rcode;
        const answers = Array.from({ length: opts.answers ?? 0 }, () => ({
          name: req.name,
          type: "A" as const,
          ttl: 1,
          data: "10.0.0.1",
        }));
        w.write({
          id: req.msg.id,
          type: "response",
          flags: 0x8000 | 0x400 | 0x100 | rcode,
          questions: req.msg.questions,
          answers,
        });
        return rcode;
      };
      return opts.sync ? run() : Promise.resolve().then(run);
    },
  };
}
