/**
 * Reply templates, the server's side (fastpath.ts): which queries and blocks may use them, the
 * index, and that a replayed reply is the reply the full path gives (id, TTL, shuffle aside).
 * The templates themselves: plugins/cache/template.test.ts.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import dnsPacket, { type Answer } from "dns-packet";
import { type DNSInstance, startDNS } from "../index.ts";
import { Flag } from "../message/message.ts";
import type { PluginModule, ReplySource } from "../plugin.ts";
import { encodeQuery, tcpExchange, udpExchange } from "../testing/dig.ts";
import { TemplateIndex, templateKey, templateOptions } from "./fastpath.ts";

const query = encodeQuery;

const opt = (options: dnsPacket.PacketOpt[] = []): Partial<dnsPacket.Packet> => ({
  additionals: [
    {
      type: "OPT",
      name: ".",
      udpPayloadSize: 1232,
      extendedRcode: 0,
      ednsVersion: 0,
      flags: 0,
      flag_do: false,
      options,
    },
  ],
});

const dataOf = (a: Answer): string => ("data" in a ? String(a.data) : "");
const ttlOf = (a: Answer): number => ("ttl" in a ? (a.ttl ?? -1) : -1);

describe("templateKey", () => {
  test("a plain query and one with an option-less OPT have keys; the id is not part of them", () => {
    assert.equal(templateKey(query("a.example.", "A", 1)), templateKey(query("a.example.", "A", 2)));
    assert.ok(templateKey(query("a.example.", "A", 1, opt())) >= 0);
    assert.notEqual(templateKey(query("a.example.", "A")), templateKey(query("A.example.", "A")));
    assert.notEqual(templateKey(query("a.example.", "A")), templateKey(query("a.example.", "AAAA")));
  });

  test("everything else takes the full path", () => {
    // A client cookie (option 10), which dns-packet's types do not list.
    const cookie = opt([{ code: 10, data: Buffer.alloc(8, 1) } as unknown as dnsPacket.PacketOpt]);
    const cases: Array<[string, Buffer]> = [
      ["an EDNS option (a cookie)", query("a.example.", "A", 1, cookie)],
      ["a response", dnsPacket.encode({ type: "response", id: 1, questions: [{ name: "a.", type: "A" }] })],
      ["trailing bytes", Buffer.concat([query("a.example.", "A"), Buffer.from([0])])],
      ["a truncated question", query("a.example.", "A").subarray(0, 20)],
    ];
    const notify = query("a.example.", "A");
    notify[2] |= 4 << 3; // opcode NOTIFY
    cases.push(["another opcode", notify]);
    const two = query("a.example.", "A");
    two[5] = 2;
    cases.push(["two questions", two]);
    for (const [what, q] of cases) assert.equal(templateKey(q), -1, what);
  });
});

describe("TemplateIndex", () => {
  /** A source whose entries answer the queries they were given. */
  class Source implements ReplySource {
    readonly kept: Buffer[] = [];
    matched = -1;
    matchedType = "A";
    matchedDo = false;
    matchedRcode = 0;
    match(ref: number, q: Buffer): number {
      const k = this.kept[ref];
      if (!k || k.length !== q.length || k.compare(q, 2, q.length, 2, q.length) !== 0) return 0;
      this.matched = ref;
      return 40;
    }
    render(): number {
      return 40;
    }
    drops: Array<(key: number, ref: number) => void> = [];
    watchDrops(d: (key: number, ref: number) => void): void {
      this.drops.push(d);
    }
  }

  test("a query finds the entry kept for it, under the zone it was kept for; others find nothing", () => {
    const ix = new TemplateIndex<string>();
    const [a, b] = [new Source(), new Source()];
    const qa = query("a.example.", "A", 1);
    const qb = query("b.example.", "A", 1);
    a.kept[3] = qa;
    b.kept[5] = qb;
    ix.add(templateKey(qa), a, "zone-a", 3);
    ix.add(templateKey(qb), b, "zone-b", 5);
    const hit = ix.find(query("a.example.", "A", 99));
    assert.ok(hit);
    assert.equal(hit.source, a);
    assert.equal(hit.zh, "zone-a");
    assert.equal(a.matched, 3);
    assert.equal(ix.find(query("b.example.", "A", 7))?.source, b);
    assert.equal(ix.find(query("c.example.", "A", 1)), undefined, "not indexed");
    b.kept[5] = query("other.example.", "A");
    assert.equal(ix.find(qb), undefined, "the entry keeps another query now (the id was reused)");
  });

  test("a template that goes with its entry takes its key out of the index", () => {
    const ix = new TemplateIndex<string>();
    const a = new Source();
    const q = query("a.example.", "A", 1);
    a.kept[3] = q;
    ix.add(templateKey(q), a, "zone", 3);
    ix.add(templateKey(q), a, "zone2", 3);
    assert.equal(a.drops.length, 1, "one watch per source");
    assert.equal(ix.size, 1);
    a.drops[0](templateKey(q), 4);
    assert.equal(ix.size, 1, "another entry's drop leaves the key");
    a.drops[0](templateKey(q), 3);
    assert.equal(ix.size, 0);
    assert.equal(ix.find(q), undefined);
  });
});

describe("templateOptions", () => {
  test("blocks with plugins that see every query before cache get no templates", () => {
    const rr = () => true;
    assert.deepEqual(templateOptions(["errors", "prometheus", "cache", "kubernetes"], rr), {
      shuffle: false,
    });
    assert.deepEqual(templateOptions(["errors", "loadbalance", "cache", "forward"], rr), { shuffle: true });
    assert.equal(templateOptions(["errors", "log", "cache", "forward"], rr), undefined);
    assert.equal(templateOptions(["errors", "forward"], rr), undefined, "no cache");
    assert.equal(
      templateOptions(["loadbalance", "cache"], () => false),
      undefined,
      "weighted or prefer",
    );
  });
});

/** Test-only: `<name>.via.` is answered with what a re-query of `<name>` through the server gives. */
const via: PluginModule = {
  name: "via",
  setup(ctx) {
    ctx.dispenser.next();
    return (next) => ({
      name: "via",
      async serveDNS(req, w, signal) {
        if (!req.lname.endsWith(".via.") || !req.lookup || !next) return next?.serveDNS(req, w, signal) ?? 2;
        const m = await req.lookup(req.lname.slice(0, -"via.".length), "A", signal);
        w.write({
          id: req.msg.id,
          type: "response",
          flags: Flag.AA,
          questions: req.msg.questions,
          answers: (m?.answers ?? []).map((a) => ({ ...a, name: req.name }) as Answer),
        });
        return 0;
      },
    });
  },
};

/** Test-only backend after cache: three A records, counting the queries that reach it. */
let backendCalls = 0;
const three: PluginModule = {
  name: "three",
  setup(ctx) {
    ctx.dispenser.next();
    return () => ({
      name: "three",
      serveDNS(req, w) {
        backendCalls++;
        const answers: Answer[] = ["10.1.0.1", "10.1.0.2", "10.1.0.3"].map(
          (data) => ({ name: req.name, type: "A", ttl: 60, data }) as Answer,
        );
        w.write({ id: req.msg.id, type: "response", flags: Flag.AA, questions: req.msg.questions, answers });
        return Promise.resolve(0);
      },
    });
  },
};

/** Test-only backend after cache: 40 A records (a reply over 512 bytes), counting its queries. */
let lotsCalls = 0;
const lots: PluginModule = {
  name: "lots",
  setup(ctx) {
    ctx.dispenser.next();
    return () => ({
      name: "lots",
      serveDNS(req, w) {
        lotsCalls++;
        const answers = Array.from(
          { length: 40 },
          (_, i) => ({ name: req.name, type: "A", ttl: 60, data: `10.2.0.${i}` }) as Answer,
        );
        w.write({ id: req.msg.id, type: "response", flags: Flag.AA, questions: req.msg.questions, answers });
        return 0;
      },
    });
  },
};

async function metric(dns: DNSInstance, name: string, match = ""): Promise<number> {
  const text = await dns.registry.metrics();
  let sum = 0;
  for (const line of text.split("\n")) {
    if (line.startsWith(`${name}{`) && line.includes(match)) sum += Number(line.split(" ").pop());
    else if (line.startsWith(`${name} `)) sum += Number(line.split(" ").pop());
  }
  return sum;
}

describe("reply templates in a running server", () => {
  let dns: DNSInstance;
  let port: number;
  const lines: string[] = [];

  before(async () => {
    dns = await startDNS({
      corefile: `.:0 {
        bind 127.0.0.1
        prometheus 127.0.0.1:0
        loadbalance
        cache 30
        via
        three
      }
      logged.:0 {
        bind 127.0.0.1
        log
        cache 30
        three
      }
      lots.:0 {
        bind 127.0.0.1
        cache 30
        lots
      }`,
      plugins: [via, three, lots],
      log: (l) => lines.push(l),
    });
    port = dns.addresses[0].port;
  });
  after(() => dns.stop());

  test("from the second identical query on the reply comes from the template, with the full path's metrics", async () => {
    backendCalls = 0;
    const before = await metric(dns, "skiff_dns_template_replies_total");
    const reqs0 = await metric(dns, "coredns_dns_requests_total");
    const hits0 = await metric(dns, "coredns_cache_hits_total", 'type="success"');
    const resp0 = await metric(dns, "coredns_dns_responses_total", 'plugin="cache"');
    const replies: dnsPacket.DecodedPacket[] = [];
    for (let i = 0; i < 6; i++) {
      const r = await udpExchange(port, query("Web.Example.", "A", 100 + i));
      assert.ok(r);
      replies.push(dnsPacket.decode(r));
    }
    assert.equal(backendCalls, 1, "one miss, then cache");
    // The miss's own reply became the entry's template.
    assert.equal((await metric(dns, "skiff_dns_template_replies_total")) - before, 5, "queries 2-6");
    assert.equal((await metric(dns, "coredns_dns_requests_total")) - reqs0, 6);
    assert.equal((await metric(dns, "coredns_cache_hits_total", 'type="success"')) - hits0, 5);
    assert.equal((await metric(dns, "coredns_dns_responses_total", 'plugin="cache"')) - resp0, 5);
    const first = replies[1];
    for (const [i, r] of replies.entries()) {
      assert.equal(r.id, 100 + i);
      // The miss is the backend's reply; every hit, full path or template, has the cache's header.
      if (i > 0) assert.equal(r.flags, first.flags, "same header flags as the full path's cache hit");
      assert.equal(r.questions?.[0]?.name, "Web.Example", "the query's case");
      assert.deepEqual((r.answers ?? []).map(dataOf).sort(), ["10.1.0.1", "10.1.0.2", "10.1.0.3"]);
      for (const a of r.answers ?? []) assert.ok(ttlOf(a) <= 30 && ttlOf(a) > 0);
    }
  });

  test("a cache hit inside a re-query does not lend its template to the asker", async () => {
    for (let i = 0; i < 2; i++) assert.ok(await udpExchange(port, query("inner.example.", "A", i)));
    const t0 = await metric(dns, "skiff_dns_template_replies_total");
    const calls = backendCalls;
    // A miss whose re-query of inner.example. is a hit: that hit's template is inner's, not the
    // asker's; the asker's reply is the template of its own entry.
    const replies: dnsPacket.DecodedPacket[] = [];
    for (let i = 10; i < 13; i++) {
      const r = await udpExchange(port, query("inner.example.via.", "A", i));
      assert.ok(r);
      replies.push(dnsPacket.decode(r));
    }
    assert.equal(backendCalls, calls, "inner was cached");
    assert.equal((await metric(dns, "skiff_dns_template_replies_total")) - t0, 2, "the second and third");
    for (const r of replies) {
      assert.equal(r.answers?.length, 3);
      assert.deepEqual(new Set((r.answers ?? []).map((a) => a.name)), new Set(["inner.example.via"]));
    }
  });

  test("over TCP the same template answers, framed", async () => {
    const before = await metric(dns, "skiff_dns_template_replies_total");
    const out = await tcpExchange(port, [
      query("web.example.", "A", 1),
      query("web.example.", "A", 2),
      query("web.example.", "A", 3),
    ]);
    assert.equal(out.length, 3);
    assert.deepEqual(
      out.map((b) => dnsPacket.decode(b).id),
      [1, 2, 3],
    );
    assert.ok((await metric(dns, "skiff_dns_template_replies_total")) - before >= 1);
  });

  test("a reply over 512 bytes keeps no template; its hits come from the records it was stored with", async () => {
    const edns = opt();
    (edns.additionals?.[0] as { udpPayloadSize: number }).udpPayloadSize = 4096;
    const before = await metric(dns, "skiff_dns_template_replies_total");
    const calls = lotsCalls;
    for (let i = 0; i < 3; i++) {
      const r = await udpExchange(port, query("x.lots.", "A", i, edns));
      assert.ok(r && r.length > 512);
      const m = dnsPacket.decode(r);
      assert.equal((m.flags ?? 0) & Flag.TC, 0);
      assert.deepEqual(
        (m.answers ?? []).map(dataOf).sort(),
        Array.from({ length: 40 }, (_, k) => `10.2.0.${k}`).sort(),
      );
    }
    assert.equal(lotsCalls - calls, 1, "one miss, then cache hits");
    assert.equal((await metric(dns, "skiff_dns_template_replies_total")) - before, 0);
  });

  test("a block with log before cache logs every query: no templates there", async () => {
    const before = await metric(dns, "skiff_dns_template_replies_total");
    const n0 = lines.filter((l) => l.includes("a.logged.")).length;
    for (let i = 0; i < 4; i++) assert.ok(await udpExchange(port, query("a.logged.", "A", i)));
    assert.equal(lines.filter((l) => l.includes("a.logged.")).length - n0, 4);
    assert.equal((await metric(dns, "skiff_dns_template_replies_total")) - before, 0);
  });
});
