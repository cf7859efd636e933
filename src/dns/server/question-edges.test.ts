/**
 * Questions only miekg/dns reads, through DnsServer.handle with raw bytes: a question cut after
 * its name or its type (miekg's unpackQuestion reads the missing fields as 0) and a name whose
 * pointer points forward (UnpackDomainName follows pointers anywhere in the message). CoreDNS's
 * ServeDNS (core/dnsserver/server.go) refuses a class other than IN unless classChaos is set.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import dnsPacket from "dns-packet";
import { Registry } from "prom-client";
import type { Handler, Remote, Request } from "../plugin.ts";
import { chainServer } from "../testing/server.ts";
import type { DnsServer } from "./server.ts";

const REMOTE: Remote = { address: "127.0.0.1", port: 5300, family: "IPv4" };

/** A chain that records the requests it gets and answers NOERROR with their question. */
function recording(seen: Request[]): Handler {
  return {
    name: "recording",
    serveDNS(req, w) {
      seen.push(req);
      w.write({ id: req.msg.id, type: "response", flags: 0x8400, questions: req.msg.questions });
      return 0;
    },
  };
}

/** The one reply `s` sends to `bytes`. */
async function ask(s: DnsServer, bytes: number[]): Promise<Buffer> {
  const sent: Buffer[] = [];
  await s.handle(Buffer.from(bytes), REMOTE, "udp", (b) => sent.push(b));
  assert.equal(sent.length, 1);
  return sent[0];
}

const HEADER = [0xab, 0xcd, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0];
const NAME = [7, ...Buffer.from("example"), 3, ...Buffer.from("org"), 0];

/** A query whose name is a pointer to 29: the rdata, `rdata`, of an additional record (type 65001). */
function pointingForward(rdata: number[]): number[] {
  const extra = [0, 0xfd, 0xe9, 0, 1, 0, 0, 0, 0, 0, rdata.length, ...rdata];
  return [...HEADER.slice(0, 11), 1, 0xc0, 29, 0, 1, 0, 1, ...extra];
}

function droppedRefused(text: string): number {
  const m = /^coredns_dns_responses_total\{[^}]*zone="dropped"[^}]*rcode="REFUSED"[^}]*\} (\d+)/m.exec(text);
  return Number(m?.[1] ?? 0);
}

test("a question cut after its name is REFUSED with the question echoed, type and class 0", async () => {
  const seen: Request[] = [];
  const registry = new Registry();
  const s = chainServer(recording(seen), { registry });
  const reply = await ask(s, [...HEADER, ...NAME]);
  // miekg's SetRcode(r, REFUSED): id, RD, QR; the question packs its name, Qtype 0 and Qclass 0.
  assert.deepEqual([...reply], [0xab, 0xcd, 0x81, 0x05, 0, 1, 0, 0, 0, 0, 0, 0, ...NAME, 0, 0, 0, 0]);
  assert.equal(seen.length, 0, "the chain did not run");
  // errorAndMetricsFunc: counted under zone "dropped", the type as "other".
  const text = await registry.metrics();
  assert.equal(droppedRefused(text), 1);
  assert.match(text, /^coredns_dns_requests_total\{[^}]*zone="dropped"[^}]*type="other"[^}]*\} 1/m);
  // Cut after the type: class 0 alone is refused the same way.
  const typed = await ask(s, [...HEADER, ...NAME, 0, 1]);
  assert.deepEqual([...typed.subarray(12)], [...NAME, 0, 1, 0, 0]);
  assert.equal(typed[3] & 0xf, 5);
});

test("with classChaos a cut question goes down the chain as type 0, class 0", async () => {
  const seen: Request[] = [];
  const reply = await ask(chainServer(recording(seen), { classChaos: true }), [...HEADER, ...NAME]);
  assert.equal(seen.length, 1);
  assert.equal(seen[0].name, "example.org.");
  assert.equal(seen[0].qtype, "UNKNOWN_0");
  assert.equal(seen[0].qclass, "UNKNOWN_0");
  assert.equal(reply[3] & 0xf, 0);
  assert.deepEqual([...reply.subarray(12, 12 + NAME.length + 4)], [...NAME, 0, 0, 0, 0]);
});

test("a question name pointing forward is answered, not FORMERR", async () => {
  const seen: Request[] = [];
  const s = chainServer(recording(seen));
  // Question: a pointer to 29, the rdata of an additional record of private type 65001.
  const bytes = pointingForward(NAME);
  const reply = dnsPacket.decode(await ask(s, bytes));
  assert.equal((reply.flags ?? 0) & 0xf, 0);
  assert.deepEqual(reply.questions, [{ name: "example.org", type: "A", class: "IN" }]);
  assert.equal(seen[0].lname, "example.org.");
  // A pointer loop (forward to a pointer back to the question) is still a FORMERR.
  const loop = pointingForward([0xc0, 12]);
  const formerr = await ask(s, loop);
  assert.equal(formerr[3] & 0xf, 1);
  assert.equal(seen.length, 1);
});
