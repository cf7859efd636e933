/**
 * The server against real clients: dig over UDP and TCP, and raw packets for the error paths.
 * Expectations follow miekg/dns's accept function and CoreDNS's core/dnsserver/server.go.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import dnsPacket from "dns-packet";
import { type DNSInstance, startDNS } from "../index.ts";
import { rcodeOf } from "../message/message.ts";
import type { PluginModule } from "../plugin.ts";
import { dig, encodeQuery, tcpExchange, udpExchange } from "../testing/dig.ts";
import { many } from "../testing/plugins.ts";
import { chainServer } from "../testing/server.ts";

/** Test-only plugin: fails with SERVFAIL without writing. */
const fail: PluginModule = {
  name: "fail",
  setup(ctx) {
    ctx.dispenser.next();
    return () => ({ name: "fail", serveDNS: () => Promise.resolve(2) });
  },
};

const query = encodeQuery;

describe("dns server", () => {
  let dns: DNSInstance;
  let port: number;
  before(async () => {
    dns = await startDNS({
      corefile: `example.org {\n  whoami\n}\nbig.test {\n  many 200\n}\nfail.test {\n  fail\n}\n`,
      defaultPort: 0,
      defaultHost: "127.0.0.1",
      plugins: [many, fail],
      log: () => {},
    });
    port = dns.addresses[0].port;
  });
  after(() => dns.stop());

  test("dig over UDP gets whoami's answer, question echoed, RD copied, no RA", async () => {
    const out = await dig(port, "Www.Example.org", "A");
    assert.match(out, /status: NOERROR/);
    assert.match(out, /flags: qr aa rd;/);
    assert.match(out, /;Www\.Example\.org\.\s+IN\s+A/);
    assert.match(out, /Www\.Example\.org\.\s+0\s+IN\s+A\s+127\.0\.0\.1/);
    assert.match(out, /_udp\.Www\.Example\.org\.\s+0\s+IN\s+SRV\s+0 0 \d+ \./);
    // The OPT is echoed with the client's buffer size (request.SizeAndDo).
    assert.match(out, /EDNS: version: 0, flags:; udp: 1232/);
  });

  test("dig over TCP, and the DO bit echoed", async () => {
    const out = await dig(port, "+tcp", "+dnssec", "example.org", "AAAA");
    assert.match(out, /status: NOERROR/);
    assert.match(out, /_tcp\.example\.org\./);
    assert.match(out, /EDNS: version: 0, flags: do;/);
  });

  test("a big EDNS padding option is echoed: question and OPT kept, TC set, not SERVFAIL", async () => {
    // CoreDNS echoes PADDING (request.supportedOptions); miekg's Truncate keeps question and OPT.
    const out = await dig(port, "+bufsize=512", "+padding=500", "+ignore", "example.org", "A");
    assert.match(out, /status: NOERROR/);
    assert.match(out, /flags: qr aa tc rd;/);
    assert.match(out, /;example\.org\.\s+IN\s+A/);
    assert.match(out, /PAD: \(\d{3} bytes\)/);
  });

  test("a name in no served zone is REFUSED", async () => {
    const out = await dig(port, "example.com", "A");
    assert.match(out, /status: REFUSED/);
    assert.match(out, /;example\.com\.\s+IN\s+A/);
  });

  test("SERVFAIL returned without writing is answered by the server", async () => {
    const out = await dig(port, "x.fail.test", "A");
    assert.match(out, /status: SERVFAIL/);
  });

  test("an answer too big for UDP is truncated with TC; dig +ignore shows it, TCP gets it all", async () => {
    const udp = await dig(port, "+ignore", "+noedns", "big.test", "A");
    assert.match(udp, /flags: qr tc rd;/);
    const kept = Number(/ANSWER: (\d+)/.exec(udp)![1]);
    assert.ok(kept > 0 && kept < 200, `kept ${kept}`);
    assert.ok(Number(/MSG SIZE {2}rcvd: (\d+)/.exec(udp)![1]) <= 512);
    // With EDNS the client's 1232 bytes are honoured.
    const edns = await dig(port, "+ignore", "+bufsize=1232", "big.test", "A");
    assert.match(edns, /flags: qr tc rd;/);
    const size = Number(/MSG SIZE {2}rcvd: (\d+)/.exec(edns)![1]);
    assert.ok(size <= 1232 && size > 512, `size ${size}`);
    const full = await dig(port, "big.test", "A");
    assert.match(full, /ANSWER: 200,/);
    assert.match(full, /\(TCP\)/);
  });

  test("names are compressed", async () => {
    const reply = await udpExchange(port, query("big.test", "A", 7, { flags: 0 }));
    assert.ok(reply);
    // Each answer's owner name is a 2-byte pointer: 12 header + 14 question + n * (2+10+4).
    const decoded = dnsPacket.decode(reply);
    assert.equal(reply.length, 12 + 14 + (decoded.answers?.length ?? 0) * 16);
  });

  test("garbage gets FORMERR with the id; a short header gets nothing", async () => {
    const garbage = Buffer.concat([
      Buffer.from([0x12, 0x34, 0x01, 0x00, 0x00, 0x01, 0, 0, 0, 0, 0, 0]),
      Buffer.from([63, 1, 2]),
    ]);
    const reply = await udpExchange(port, garbage);
    assert.ok(reply, "a reply to a readable header");
    assert.equal(reply.readUInt16BE(0), 0x1234);
    assert.equal(reply.readUInt16BE(2) & 0x8000, 0x8000);
    assert.equal(reply.readUInt16BE(2) & 0xf, 1);
    assert.equal(await udpExchange(port, Buffer.from([1, 2, 3]), 300), undefined);
  });

  test("a bare header with QDCOUNT 1 is SERVFAIL without a question, counted as dropped", async () => {
    const before = await dns.registry.metrics();
    const count = (text: string) =>
      Number(
        /^coredns_dns_responses_total\{[^}]*zone="dropped"[^}]*rcode="SERVFAIL"[^}]*\} (\d+)/m.exec(
          text,
        )?.[1] ?? 0,
      );
    const reply = await udpExchange(port, Buffer.from([0xab, 0xcd, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0]));
    assert.ok(reply);
    const p = dnsPacket.decode(reply);
    assert.equal(p.id, 0xabcd);
    assert.equal((p.flags ?? 0) & 0xf, 2);
    assert.equal(p.questions?.length, 0);
    assert.equal(count(await dns.registry.metrics()) - count(before), 1);
  });

  test("two questions are a FORMERR (miekg accept func)", async () => {
    const two = dnsPacket.encode({
      id: 9,
      type: "query",
      questions: [
        { name: "a.example.org", type: "A" },
        { name: "b.example.org", type: "A" },
      ],
    });
    const reply = await udpExchange(port, two);
    assert.ok(reply);
    assert.equal(rcodeOf(dnsPacket.decode(reply)), 1);
  });

  test("a response is ignored", async () => {
    const resp = dnsPacket.encode({
      id: 9,
      type: "response",
      questions: [{ name: "example.org", type: "A" }],
    });
    assert.equal(await udpExchange(port, resp, 300), undefined);
  });

  test("a non-QUERY opcode gets NOTIMP with the opcode kept", async () => {
    const status = query("example.org", "A", 77, { flags: 2 << 11 });
    const reply = await udpExchange(port, status);
    assert.ok(reply);
    const flags = reply.readUInt16BE(2);
    assert.equal(flags & 0xf, 4);
    assert.equal((flags >> 11) & 0xf, 2);
    assert.equal(reply.readUInt16BE(0), 77);
  });

  test("EDNS version 1 gets BADVERS (edns.Version)", async () => {
    const q = query("example.org", "A", 5, {
      additionals: [
        {
          type: "OPT",
          name: ".",
          udpPayloadSize: 1232,
          extendedRcode: 0,
          ednsVersion: 1,
          flags: 0,
          flag_do: false,
          options: [],
        },
      ],
    });
    const reply = await udpExchange(port, q);
    assert.ok(reply);
    const d = dnsPacket.decode(reply);
    const opt = d.additionals?.find((a) => a.type === "OPT");
    assert.ok(opt && opt.type === "OPT");
    assert.equal(opt.extendedRcode, 1);
  });

  test("TCP pipelining: several queries on one connection all get answers", async () => {
    const qs = ["a", "b", "c", "d", "e"].map((l, i) => query(`${l}.example.org`, "A", 100 + i));
    const replies = await tcpExchange(port, qs);
    const ids = replies.map((r) => dnsPacket.decode(r).id).sort();
    assert.deepEqual(ids, [100, 101, 102, 103, 104]);
    for (const r of replies) assert.equal(rcodeOf(dnsPacket.decode(r)), 0);
  });

  test("TCP: garbage gets FORMERR and the connection keeps serving", async () => {
    const bad = Buffer.from([0, 7, 0x01, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xff]);
    const replies = await tcpExchange(port, [bad, query("example.org", "A", 8)], 2);
    const byId = new Map(replies.map((r) => [r.readUInt16BE(0), r]));
    assert.equal(byId.get(7)!.readUInt16BE(2) & 0xf, 1);
    assert.equal(rcodeOf(dnsPacket.decode(byId.get(8)!)), 0);
  });
});

test("a server keeps templates (and listeners compute query keys) only with a block that has them", () => {
  const chain = { name: "none", serveDNS: () => 0 };
  assert.equal(chainServer(chain).keepsTemplates, false);
  assert.equal(chainServer(chain, { templates: { shuffle: false } }).keepsTemplates, true);
});
