/**
 * The Listener's UDP side over both paths, the native batched socket and Node's dgram socket
 * (SKIFF_DNS_UDP): the same answers, the same client address (whoami), TC truncation, FORMERR,
 * reply templates, and in-flight replies still sent by stop(). server.test.ts runs the default.
 */
import assert from "node:assert/strict";
import dgram from "node:dgram";
import { after, before, describe, test } from "node:test";
import dnsPacket, { type Answer } from "dns-packet";
import { type DNSInstance, startDNS } from "../index.ts";
import { Flag, replyTo } from "../message/message.ts";
import type { Plugin, PluginModule, SetupContext } from "../plugin.ts";
import { dig, encodeQuery, udpExchange } from "../testing/dig.ts";
import { many } from "../testing/plugins.ts";
import { loadAddon, type UdpMode } from "./udp-batch.ts";

/** Test-only: answers only once the test opens the gate. */
let gate: Promise<void> = Promise.resolve();
let entered = 0;
const slow: PluginModule = {
  name: "slow",
  setup(ctx: SetupContext) {
    ctx.dispenser.next();
    const p: Plugin = () => ({
      name: "slow",
      async serveDNS(req, w) {
        entered++;
        await gate;
        w.write(replyTo(req.msg));
        return 0;
      },
    });
    return p;
  },
};

/** Send each message from its own socket of `type`; the replies (undefined when none came). */
function ask(
  type: "udp4" | "udp6",
  port: number,
  msgs: Buffer[],
  ms = 1000,
): Promise<(Buffer | undefined)[]> {
  return Promise.all(msgs.map((m) => udpExchange(port, m, ms, type)));
}

const COREFILE = `example.org {\n whoami\n}\nbig.test {\n many 200\n}\ncached.test {\n cache 30\n many 3\n}\nslow.test {\n slow\n}\n`;
const modes: UdpMode[] = ["native", "dgram"];
const haveAddon = "addon" in loadAddon();

for (const mode of modes) {
  describe(`listener over ${mode} UDP`, {
    skip: mode === "native" && !haveAddon ? "addon not built" : false,
  }, () => {
    let dns: DNSInstance;
    let port: number;
    const saved = process.env.SKIFF_DNS_UDP;
    before(async () => {
      process.env.SKIFF_DNS_UDP = mode;
      // "" = dual-stack, as skiff dns listens by default.
      dns = await startDNS({
        corefile: COREFILE,
        defaultPort: 0,
        defaultHost: "",
        plugins: [many, slow],
        log: () => {},
      });
      port = dns.addresses[0].port;
    });
    after(async () => {
      if (saved === undefined) delete process.env.SKIFF_DNS_UDP;
      else process.env.SKIFF_DNS_UDP = saved;
      await dns?.stop();
    });

    test("dig over UDP: whoami sees a v4 client of the dual-stack socket as IPv4 with its port", async () => {
      const out = await dig(port, "example.org", "A");
      assert.match(out, /status: NOERROR/);
      // whoami's additional section: the client's A record (not ::ffff:127.0.0.1 as AAAA).
      assert.match(out, /example\.org\.\s+0\s+IN\s+A\s+127\.0\.0\.1/);
      assert.match(out, /_udp\.example\.org\.\s+0\s+IN\s+SRV\s+0 0 \d+ \./);
    });

    test("an IPv6 client is IPv6, with the port it sent from", async () => {
      const c = dgram.createSocket("udp6");
      await new Promise<void>((r) => c.bind(0, "::1", () => r()));
      const reply = await new Promise<Buffer>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error("no reply")), 1000);
        c.on("message", (m) => {
          clearTimeout(timer);
          resolve(m);
        });
        c.send(encodeQuery("example.org", "A", 77), port, "::1");
      });
      const local = c.address().port;
      c.close();
      const p = dnsPacket.decode(reply);
      assert.equal(p.id, 77);
      const extra = p.additionals ?? [];
      assert.deepEqual(
        extra.flatMap((r) => (r.type === "AAAA" ? [r.data] : [])),
        ["::1"],
      );
      const srv = extra.find((r) => r.type === "SRV");
      assert.ok(srv && srv.type === "SRV");
      assert.equal(srv.data.port, local);
    });

    test("an answer too big for UDP is truncated with TC", async () => {
      const [reply] = await ask("udp4", port, [encodeQuery("big.test", "A")]);
      assert.ok(reply);
      assert.ok(reply.length <= 512);
      assert.ok((reply.readUInt16BE(2) & Flag.TC) !== 0);
    });

    test("garbage gets FORMERR with its id; a short header gets nothing", async () => {
      const garbage = Buffer.from([0x12, 0x34, 0x01, 0x00, 0x00, 0x01, 0, 0, 0, 0, 0, 0, 0xff, 0xff]);
      const [formerr, none] = await ask("udp4", port, [garbage, Buffer.from([1, 2, 3])], 300);
      assert.ok(formerr);
      assert.equal(formerr.readUInt16BE(0), 0x1234);
      assert.equal(formerr.readUInt16BE(2) & 0xf, 1);
      assert.equal(none, undefined);
    });

    test("repeated cache hits are answered from reply templates, ids and question kept", async () => {
      // Miss, hit, hit (the template is made), then template replies.
      await ask("udp4", port, [encodeQuery("x.cached.test", "A", 1)]);
      await ask("udp4", port, [encodeQuery("x.cached.test", "A", 2)]);
      await ask("udp4", port, [encodeQuery("x.cached.test", "A", 3)]);
      const ids = Array.from({ length: 40 }, (_, i) => 100 + i);
      const replies = await ask(
        "udp4",
        port,
        ids.map((id) => encodeQuery("x.cached.test", "A", id)),
      );
      for (const [i, r] of replies.entries()) {
        assert.ok(r, `reply ${i}`);
        const p = dnsPacket.decode(r);
        assert.equal(p.id, ids[i]);
        assert.equal(p.questions?.[0].name, "x.cached.test");
        assert.equal(p.answers?.length, 3);
      }
      const text = await dns.registry.metrics();
      const m = /skiff_dns_template_replies_total\{[^}]*\} (\d+)/.exec(text);
      assert.ok(m && Number(m[1]) >= 40, `template replies: ${m?.[1]}`);
    });

    test("a query longer than the native slot (4096 bytes) is answered with its id", async () => {
      // A NULL record in the additional section makes it 4942 bytes. The native socket reads
      // its first 4096 (CoreDNS reads only 512: miekg/dns Server.UDPSize), which cut the record:
      // FORMERR, as miekg's unpack gives (RDLENGTH past the message); dgram reads it whole.
      const q = encodeQuery("example.org", "A", 4321, {
        additionals: [{ type: "NULL", name: "x.", data: Buffer.alloc(4900) } as unknown as Answer],
      });
      assert.ok(q.length > 4096);
      const [reply] = await ask("udp4", port, [q]);
      assert.ok(reply);
      assert.equal(reply.readUInt16BE(0), 4321);
      assert.equal(reply.readUInt16BE(2) & 0xf, mode === "native" ? 1 : 0);
    });
  });
}

for (const mode of modes) {
  test(`${mode}: stop() still sends the reply of a query in flight, then frees the port`, {
    skip: mode === "native" && !haveAddon ? "addon not built" : false,
  }, async () => {
    const saved = process.env.SKIFF_DNS_UDP;
    process.env.SKIFF_DNS_UDP = mode;
    let open: () => void = () => {};
    gate = new Promise<void>((r) => {
      open = r;
    });
    entered = 0;
    const dns = await startDNS({
      corefile: COREFILE,
      defaultPort: 0,
      defaultHost: "127.0.0.1",
      plugins: [many, slow],
      log: () => {},
    });
    if (saved === undefined) delete process.env.SKIFF_DNS_UDP;
    else process.env.SKIFF_DNS_UDP = saved;
    const port = dns.addresses[0].port;
    const answers = ask(
      "udp4",
      port,
      [encodeQuery("a.slow.test", "A", 9), encodeQuery("b.slow.test", "A", 10)],
      3000,
    );
    const deadline = Date.now() + 2000;
    while (entered < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    assert.equal(entered, 2);
    const stopped = dns.stop();
    open();
    await stopped;
    const replies = await answers;
    assert.deepEqual(
      replies.map((r) => r && dnsPacket.decode(r).id),
      [9, 10],
    );
    const d = dgram.createSocket("udp4");
    await new Promise<void>((resolve, reject) => {
      d.once("error", reject);
      d.bind(port, "127.0.0.1", () => resolve());
    });
    d.close();
  });
}
