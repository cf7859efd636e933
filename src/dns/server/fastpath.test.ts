/**
 * Reply templates (fastpath.ts): which queries may use them, that a replayed reply is the reply
 * the full path gives (id, TTL, shuffle aside), and that they die with their cache entry.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import dnsPacket, { type Answer } from "dns-packet";
import { type DNSInstance, startDNS } from "../index.ts";
import { Flag } from "../message/message.ts";
import type { CachedReply, PluginModule } from "../plugin.ts";
import { encodeQuery, tcpExchange, udpExchange } from "../testing/dig.ts";
import { render, renderInto, Templates, templateKey, templateOptions } from "./fastpath.ts";

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

/** A cache entry the test controls. */
class Entry implements CachedReply {
  removed = false;
  left = 30;
  hits = 0;
  ttl(): number {
    return this.left;
  }
  hit(): void {
    this.hits++;
  }
}

const dataOf = (a: Answer): string => ("data" in a ? String(a.data) : "");
const ttlOf = (a: Answer): number => ("ttl" in a ? (a.ttl ?? -1) : -1);

const META = { zone: ".", qtype: "A", do: false, metrics: false };

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

/** A reply as the server encodes it, for unit tests of offer/render. */
function reply(q: Buffer, answers: Answer[]): Buffer {
  const d = dnsPacket.decode(q);
  return dnsPacket.encode({
    id: d.id,
    type: "response",
    flags: Flag.RD | Flag.AA,
    questions: d.questions,
    answers,
  });
}

describe("Templates", () => {
  test("render patches the id and every TTL; the entry's removal or expiry voids the template", () => {
    const ts = new Templates();
    const q = query("a.example.", "A", 7);
    const e = new Entry();
    const r = reply(q, [{ name: "a.example.", type: "A", ttl: 30, data: "10.0.0.1" }]);
    assert.ok(ts.offer(q, r, e, { shuffle: false }, META));
    const q2 = query("a.example.", "A", 9);
    e.left = 12;
    const hit = ts.lookup(q2);
    assert.ok(hit);
    const out = dnsPacket.decode(render(hit.t, q2, hit.ttl));
    assert.equal(out.id, 9);
    assert.deepEqual((out.answers ?? []).map(ttlOf), [12]);
    e.left = 0;
    assert.equal(ts.lookup(q2), undefined, "expired");
    assert.ok(ts.offer(q, r, e, { shuffle: false }, META));
    e.left = 5;
    e.removed = true;
    assert.equal(ts.lookup(q2), undefined, "removed from the cache");
  });

  test("a template keeps no Buffer (a small one is a view that keeps a shared 8 KiB slab alive)", () => {
    const ts = new Templates();
    const q = query("c.example.", "A", 1);
    const r = reply(q, [{ name: "c.example.", type: "A", ttl: 30, data: "10.0.0.3" }]);
    const t = ts.offer(q, r, new Entry(), { shuffle: false }, META);
    assert.ok(t);
    const views: string[] = [];
    const walk = (v: unknown, path: string, depth: number): void => {
      if (ArrayBuffer.isView(v)) views.push(path);
      else if (v && typeof v === "object" && depth < 3 && v !== t.cached)
        for (const [k, x] of Object.entries(v)) walk(x, `${path}.${k}`, depth + 1);
    };
    walk(t, "t", 0);
    assert.deepEqual(views, []);
    // Its bytes are its own: the buffers it was made from may be reused.
    const want = render(t, q, 30);
    q.fill(0, 2);
    r.fill(0);
    const hit = ts.lookup(query("c.example.", "A", 1));
    assert.ok(hit);
    assert.deepEqual(render(hit.t, query("c.example.", "A", 1), 30), want);
  });

  test("templates of entries the cache dropped are swept, at the latest every 4096 offers", () => {
    const ts = new Templates();
    const entries: Entry[] = [];
    const offer = (i: number) => {
      const q = query(`n${i}.example.`, "A", 1);
      const e = new Entry();
      entries.push(e);
      assert.ok(
        ts.offer(
          q,
          reply(q, [{ name: `n${i}.example.`, type: "A", ttl: 30, data: "10.0.0.1" }]),
          e,
          { shuffle: false },
          META,
        ),
      );
    };
    for (let i = 0; i < 100; i++) offer(i);
    for (let i = 0; i < 100; i += 2) entries[i].removed = true;
    ts.sweep();
    assert.equal(ts.size, 50);
    // Without an explicit sweep: the offers themselves sweep.
    for (const e of entries) e.removed = true;
    for (let i = 100; i < 4096; i++) {
      offer(i);
      entries[i].removed = true;
    }
    assert.ok(ts.size <= 1, `${ts.size} templates of dropped entries left`);
  });

  test("a key shared by two queries never answers one with the other's reply", () => {
    const ts = new Templates(() => 7); // every query collides
    const qa = query("a.example.", "A", 1);
    const qb = query("b.example.", "A", 1);
    const ra = reply(qa, [{ name: "a.example.", type: "A", ttl: 30, data: "10.0.0.1" }]);
    const rb = reply(qb, [{ name: "b.example.", type: "A", ttl: 30, data: "10.0.0.2" }]);
    assert.ok(ts.offer(qa, ra, new Entry(), { shuffle: false }, META));
    assert.equal(ts.lookup(qb), undefined, "b's query must not get a's template");
    assert.ok(ts.offer(qb, rb, new Entry(), { shuffle: false }, META));
    assert.equal(ts.lookup(qa), undefined, "a's template was replaced by b's");
    const hit = ts.lookup(query("b.example.", "A", 2));
    assert.ok(hit);
    assert.deepEqual((dnsPacket.decode(render(hit.t, qb, hit.ttl)).answers ?? []).map(dataOf), ["10.0.0.2"]);
  });

  test("renderInto writes the same reply at an offset of a shared buffer, touching nothing else", () => {
    const ts = new Templates();
    const q = query("b.example.", "A", 3);
    const r = reply(q, [
      { name: "b.example.", type: "A", ttl: 30, data: "10.0.0.1" },
      { name: "b.example.", type: "A", ttl: 30, data: "10.0.0.2" },
    ]);
    const t = ts.offer(q, r, new Entry(), { shuffle: true }, META);
    assert.ok(t);
    const q2 = query("b.example.", "A", 0x4242);
    const out = Buffer.alloc(100 + r.length + 100, 0xee);
    const n = renderInto(t, q2, 17, out, 100);
    assert.equal(n, r.length);
    assert.ok(
      out.subarray(0, 100).every((b) => b === 0xee),
      "bytes before the slot untouched",
    );
    assert.ok(
      out.subarray(100 + n).every((b) => b === 0xee),
      "bytes after the slot untouched",
    );
    const got = dnsPacket.decode(out.subarray(100, 100 + n));
    const want = dnsPacket.decode(render(t, q2, 17));
    assert.equal(got.id, 0x4242);
    assert.deepEqual((got.answers ?? []).map(ttlOf), [17, 17]);
    assert.deepEqual((got.answers ?? []).map(dataOf).sort(), (want.answers ?? []).map(dataOf).sort());
  });

  test("with the shuffle, records other records point into are never moved", () => {
    // A CNAME to a name first written in full as the owner of the first A record, then
    // compressed against it: moving that record would break the later pointers.
    const q = query("w.example.", "A");
    const answers: Answer[] = [
      { name: "w.example.", type: "CNAME", ttl: 30, data: "t.other." },
      { name: "t.other.", type: "A", ttl: 30, data: "10.0.0.1" },
      { name: "t.other.", type: "A", ttl: 30, data: "10.0.0.2" },
    ];
    const raw = reply(q, answers);
    // dns-packet writes names in full; compress the third record's owner against the second.
    const ownerAt = raw.indexOf(Buffer.from("\x01t\x05other\x00", "latin1"), 12);
    const second = raw.indexOf(Buffer.from("\x01t\x05other\x00", "latin1"), ownerAt + 1);
    const thirdOwner = raw.indexOf(Buffer.from("\x01t\x05other\x00", "latin1"), second + 1);
    assert.ok(thirdOwner > second && second > ownerAt);
    const compressed = Buffer.concat([
      raw.subarray(0, thirdOwner),
      Buffer.from([0xc0 | (second >> 8), second & 0xff]),
      raw.subarray(thirdOwner + 9),
    ]);
    assert.equal(dnsPacket.decode(compressed).answers?.[2]?.name, "t.other");
    const ts = new Templates();
    assert.equal(ts.offer(q, compressed, new Entry(), { shuffle: true }, META), undefined);
    assert.ok(ts.offer(q, compressed, new Entry(), { shuffle: false }, META));
  });

  test("the shuffle gives every order of like records, always the same set", () => {
    const ts = new Templates();
    const q = query("h.example.", "A");
    const ips = ["10.0.0.1", "10.0.0.2", "10.0.0.3"];
    const r = reply(
      q,
      ips.map((data) => ({ name: "h.example.", type: "A", ttl: 30, data }) as Answer),
    );
    const t = ts.offer(q, r, new Entry(), { shuffle: true }, META);
    assert.ok(t);
    const orders = new Set<string>();
    for (let i = 0; i < 300 && orders.size < 6; i++) {
      const got: string[] = (dnsPacket.decode(render(t, q, 30)).answers ?? []).map(dataOf);
      assert.deepEqual([...got].sort(), ips);
      orders.add(got.join(","));
    }
    assert.equal(orders.size, 6);
  });

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
      }`,
      plugins: [via, three],
      log: (l) => lines.push(l),
    });
    port = dns.addresses[0].port;
  });
  after(() => dns.stop());

  test("the fourth identical query on comes from the template, with the full path's metrics", async () => {
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
    // The first hit makes no template (TEMPLATE_AFTER_HITS): most entries are not asked again.
    assert.equal((await metric(dns, "skiff_dns_template_replies_total")) - before, 3, "queries 4-6");
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

  test("a cache hit inside a re-query does not make the asker's reply a template", async () => {
    for (let i = 0; i < 2; i++) assert.ok(await udpExchange(port, query("inner.example.", "A", i)));
    const t0 = await metric(dns, "skiff_dns_template_replies_total");
    // A miss whose re-query of inner.example. is a cache hit: that hit belongs to the re-query.
    assert.ok(await udpExchange(port, query("inner.example.via.", "A", 10)));
    assert.ok(await udpExchange(port, query("inner.example.via.", "A", 11)));
    assert.ok(await udpExchange(port, query("inner.example.via.", "A", 12)));
    assert.equal(
      (await metric(dns, "skiff_dns_template_replies_total")) - t0,
      0,
      "the second and third are full-path hits",
    );
    const r = await udpExchange(port, query("inner.example.via.", "A", 13));
    assert.ok(r);
    assert.equal((await metric(dns, "skiff_dns_template_replies_total")) - t0, 1, "the fourth, a template");
    assert.equal(dnsPacket.decode(r).answers?.length, 3);
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

  test("a block with log before cache logs every query: no templates there", async () => {
    const before = await metric(dns, "skiff_dns_template_replies_total");
    const n0 = lines.filter((l) => l.includes("a.logged.")).length;
    for (let i = 0; i < 4; i++) assert.ok(await udpExchange(port, query("a.logged.", "A", i)));
    assert.equal(lines.filter((l) => l.includes("a.logged.")).length - n0, 4);
    assert.equal((await metric(dns, "skiff_dns_template_replies_total")) - before, 0);
  });
});
