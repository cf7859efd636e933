import assert from "node:assert/strict";
import { test } from "node:test";
import dnsPacket, { type Answer, type Packet } from "dns-packet";
import { encodeQuery } from "../../testing/dig.ts";
import { fakeRequest } from "../../testing/fake.ts";
import { Item } from "./item.ts";
import { effectiveCapacity, type Store as S, Store, type SubKey } from "./store.ts";

const A: SubKey = { qtype: "A", qclass: "IN", bits: 0 };

const reply = (name: string, ip = "10.0.0.1"): Packet => ({
  type: "response",
  answers: [{ name, type: "A", ttl: 30, data: ip }],
});

/** Store an A reply for `name`; a view of the entry. */
function put(s: S, name: string, k: SubKey = A, ip = "10.0.0.1"): Item {
  const id = s.add(name, k, reply(name, ip), 30, 0);
  assert.ok(id >= 0);
  return new Item(s, id);
}

const get = (s: S, name: string, k: SubKey = A): Item | undefined => {
  const id = s.find(name, k);
  return id < 0 ? undefined : new Item(s, id);
};

/** The address an entry answers (its view's reply, as a hit makes it). */
function ip(i: Item | undefined): unknown {
  if (!i) return undefined;
  const m = i.toMsg(fakeRequest(i.lname, "A"), 1, false);
  return (m.answers?.[0] as { data?: unknown } | undefined)?.data;
}

test("a full store evicts the oldest name first and marks what it drops as removed", () => {
  const s = new Store(1);
  const cap = effectiveCapacity(1);
  assert.equal(s.capacity, cap);
  const items = Array.from({ length: cap + 10 }, (_, i) => put(s, `n${i}.`));
  assert.equal(s.size, cap);
  for (let i = 0; i < 10; i++) {
    assert.equal(get(s, `n${i}.`), undefined);
    assert.equal(items[i].removed, true, "its id now holds a later entry, and the view knows");
    assert.equal(items[i].id, items[cap + i].id, "evicted ids are reused");
  }
  assert.equal(get(s, `n${cap + 9}.`)?.lname, `n${cap + 9}.`);
  assert.equal(items[cap + 9].removed, false);
});

test("deleted and replaced entries are not evicted twice; churn keeps the size at capacity", () => {
  const s = new Store(1);
  const cap = s.capacity;
  for (let i = 0; i < cap; i++) put(s, `n${i}.`);
  s.delete("n0.", A);
  const replaced = put(s, "n1.");
  assert.equal(s.size, cap - 1);
  // Many rounds of unique names (search-path misses) through a full store.
  for (let i = 0; i < 20 * cap; i++) put(s, `u${i}.`);
  assert.equal(s.size, cap);
  assert.equal(get(s, `u${20 * cap - 1}.`)?.lname, `u${20 * cap - 1}.`);
  assert.equal(replaced.removed, true, "evicted in its turn");
  const bytes = s.bytes;
  for (let i = 0; i < 20 * cap; i++) put(s, `v${i}.`);
  assert.equal(s.bytes, bytes, "the bytes of dropped entries are reused");
});

test("deleteNames drops every entry of the matching names", () => {
  const s = new Store(10);
  const a = put(s, "a.x.");
  put(s, "a.x.", { ...A, qtype: "AAAA" });
  put(s, "b.y.");
  assert.equal(
    s.deleteNames((n) => n.endsWith("x.")),
    2,
  );
  assert.equal(s.size, 1);
  assert.equal(a.removed, true);
  assert.equal(get(s, "a.x."), undefined);
  assert.equal(get(s, "b.y.")?.lname, "b.y.");
});

test("a replaced entry keeps its place in the eviction order; the old one is marked removed", () => {
  const s = new Store(1);
  const cap = s.capacity;
  for (let i = 0; i < cap; i++) put(s, `n${i}.`);
  const first = get(s, "n0.");
  const again = put(s, "n0.", A, "10.0.0.2");
  assert.equal(first?.removed, true);
  assert.equal(ip(get(s, "n0.")), "10.0.0.2");
  // The next insert evicts the oldest place: n0's, now held by its replacement.
  put(s, "new.");
  assert.equal(get(s, "n0."), undefined);
  assert.equal(again.removed, true);
  assert.ok(get(s, "n1."));
});

test("a name's entries for several types and bits live and go one by one", () => {
  const s = new Store(10);
  const AAAA = { ...A, qtype: "AAAA" };
  const DO = { ...A, bits: 1 };
  const [a, aaaa, ado] = [
    put(s, "x.", A, "10.0.0.1"),
    put(s, "x.", AAAA, "10.0.0.2"),
    put(s, "x.", DO, "10.0.0.3"),
  ];
  assert.deepEqual(
    [ip(get(s, "x.", A)), ip(get(s, "x.", AAAA)), ip(get(s, "x.", DO))],
    ["10.0.0.1", "10.0.0.2", "10.0.0.3"],
  );
  assert.equal(s.delete("x.", AAAA), true);
  assert.deepEqual(
    [ip(get(s, "x.", A)), get(s, "x.", AAAA), ip(get(s, "x.", DO))],
    ["10.0.0.1", undefined, "10.0.0.3"],
  );
  assert.equal(s.delete("x.", A), true);
  assert.equal(ip(get(s, "x.", DO)), "10.0.0.3");
  assert.equal(s.size, 1);
  assert.equal(s.delete("x.", DO), true);
  assert.equal(s.delete("x.", DO), false);
  assert.equal(s.size, 0);
  assert.ok(a.removed && aaaa.removed && ado.removed);
});

test("deletes and invalidations under churn keep the count exact and evict only live entries", () => {
  const s = new Store(1);
  const cap = s.capacity;
  const live = new Map<string, Item>();
  for (let i = 0; i < 10 * cap; i++) {
    const n = `u${i}.`;
    live.set(n, put(s, n, A, `10.0.${(i >> 8) & 255}.${i & 255}`));
    if (i % 3 === 0) {
      s.delete(n, A);
      live.delete(n);
    }
    if (i % 97 === 0) s.deleteNames((x) => x.endsWith("7."));
  }
  // What was neither deleted, invalidated nor evicted is exactly what the store holds.
  for (const [k, v] of live) if (v.removed) live.delete(k);
  assert.equal(s.size, live.size);
  for (const [k, v] of live) assert.equal(ip(get(s, k)), ip(v), k);
});

test("eviction spares the name being stored when another name can go", () => {
  const s = new Store(1);
  const cap = s.capacity;
  put(s, "keep.");
  for (let i = 1; i < cap; i++) put(s, `n${i}.`);
  put(s, "keep.", { ...A, qtype: "AAAA" });
  assert.ok(get(s, "keep."), "the oldest entry, of the name being stored, stayed");
  assert.equal(get(s, "n1."), undefined, "the next oldest went instead");
  assert.equal(s.size, cap);
});

test("records read back as written, in their sections; replies that cannot be written are not kept", () => {
  const s = new Store(10);
  const srv: Answer = {
    name: "_http._tcp.svc.ns.svc.cluster.local.",
    type: "SRV",
    ttl: 30,
    data: { priority: 0, weight: 100, port: 80, target: "svc.ns.svc.cluster.local." },
  };
  const soa: Answer = {
    name: "cluster.local.",
    type: "SOA",
    ttl: 30,
    data: {
      mname: "ns.dns.cluster.local.",
      rname: "hostmaster.cluster.local.",
      serial: 7,
      refresh: 7200,
      retry: 1800,
      expire: 86400,
      minimum: 30,
    },
  };
  const add: Answer = { name: "svc.ns.svc.cluster.local.", type: "A", ttl: 30, data: "10.96.0.10" };
  const id = s.add(
    srv.name,
    { ...A, qtype: "SRV" },
    { type: "response", flags: 0x80 | 0x20 | 3, answers: [srv], authorities: [soa], additionals: [add] },
    30,
    5,
  );
  const [an, ns, ar] = s.records(id);
  const clean = (r: Answer) => ({ ...r, class: "IN", flush: false });
  assert.deepEqual([an, ns, ar], [[clean(srv)], [clean(soa)], [clean(add)]]);
  const i = new Item(s, id);
  assert.deepEqual([i.rcode, i.ra, i.ad, i.origTTL, i.stored], [3, true, true, 30, 5]);
  const before = s.version;
  const bad: Packet = {
    type: "response",
    answers: [{ name: "x.", type: "A", ttl: 1, data: "not an address" }],
  };
  assert.equal(s.add("x.", A, bad, 30, 0), -1);
  assert.equal(s.find("x.", A), -1);
  assert.equal(s.version, before);
  assert.equal(s.size, 1);
});

test("an entry keeps templates for two spellings of its question; its records are then read from the first", () => {
  const s = new Store(10);
  const name = "web.example.";
  const m: Packet = { type: "response", answers: [{ name, type: "A", ttl: 30, data: "10.0.0.1" }] };
  const id = s.add(name, A, m, 30, 0, false);
  assert.equal(s.records(id)[0].length, 0, "stored without records: a template or writeRecords brings them");
  const spell = (q: string, edns = false) =>
    encodeQuery(
      q,
      "A",
      1,
      edns ? { additionals: [{ type: "OPT", name: ".", udpPayloadSize: 1232, flags: 0 } as never] } : {},
    );
  const replyTo = (q: Buffer) => {
    const d = dnsPacket.decode(q);
    return dnsPacket.encode({
      ...d,
      type: "response",
      flags: 0x8400,
      answers: [{ name: d.questions?.[0]?.name ?? "", type: "A", ttl: 30, data: "10.0.0.1" }],
    });
  };
  const keep = (q: Buffer) => s.keepTemplate(id, q, replyTo(q), false, q.length);
  const dropped: number[][] = [];
  s.onTemplateDrop = (key, i, which) => dropped.push([key, i, which]);
  const [plain, edns, upper] = [spell("web.example."), spell("web.example.", true), spell("WEB.example.")];
  assert.equal(keep(plain), 0);
  assert.equal(keep(edns), 1);
  assert.equal(keep(upper), -1, "a third spelling gets none");
  assert.equal(keep(plain), 0, "offering a kept spelling again finds it");
  assert.ok(s.templateMatch(id, 0, spell("web.example.")) > 0);
  assert.equal(s.templateMatch(id, 0, edns), 0);
  assert.ok(s.templateMatch(id, 1, edns) > 0);
  const out = Buffer.alloc(512);
  const n = s.renderTemplate(id, 1, edns, 7, out, 0);
  assert.equal((dnsPacket.decode(out.subarray(0, n)).answers?.[0] as { ttl?: number } | undefined)?.ttl, 7);
  const [an] = s.records(id);
  assert.deepEqual(
    an.map((r) => [r.name, (r as { data: unknown }).data]),
    [["web.example.", "10.0.0.1"]],
  );
  s.writeRecords(id, { type: "response", answers: [{ name, type: "A", ttl: 30, data: "10.9.9.9" }] });
  assert.equal((s.records(id)[0][0] as { data: unknown }).data, "10.0.0.1", "records from a template stay");
  s.remove(id);
  assert.deepEqual(dropped, [
    [plain.length, id, 0],
    [edns.length, id, 1],
  ]);
  assert.equal(s.templateMatch(id, 0, plain), 0, "a dropped entry's templates answer nothing");
  assert.equal(s.templateMatch(id, 1, edns), 0);
});

test("an entry stored without records gets them from writeRecords when no template came", () => {
  const s = new Store(10);
  const id = s.add("big.example.", A, reply("big.example.", "10.0.0.1"), 30, 0, false);
  const bad: Packet = {
    type: "response",
    answers: [{ name: "big.example.", type: "A", ttl: 1, data: "nope" }],
  };
  assert.equal(s.writeRecords(id, bad), false, "records that cannot be written are refused");
  assert.equal(s.writeRecords(id, reply("big.example.", "10.0.0.1")), true);
  assert.equal(ip(new Item(s, id)), "10.0.0.1");
});

test("the tables grow with the entries, up to the capacity, keeping every entry", () => {
  const s = new Store(5000);
  const n = s.capacity;
  assert.ok(n > 4096, "more than the tables start with");
  for (let i = 0; i < n; i++) put(s, `g${i}.`, A, `10.1.${(i >> 8) & 255}.${i & 255}`);
  assert.equal(s.size, n);
  for (let i = 0; i < n; i += 97) assert.equal(ip(get(s, `g${i}.`)), `10.1.${(i >> 8) & 255}.${i & 255}`);
  put(s, "one-more.");
  assert.equal(s.size, n);
  assert.equal(get(s, "g0."), undefined, "the oldest went");
});
