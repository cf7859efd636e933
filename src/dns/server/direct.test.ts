/**
 * Direct answers against the full path: two servers on the same cluster, one answering cache
 * misses directly and one not, get the same queries in the same order; every reply, the caches'
 * counts and the dns metrics must be the same, byte for byte, on a miss, on the hit after it and
 * once the entries have expired.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { RecordType } from "dns-packet";
import type { Registry } from "prom-client";
import type { Remote } from "../plugin.ts";
import type { Cache } from "../plugins/cache/cache.ts";
import {
  namespaces,
  options,
  pods,
  services,
  slices,
  svc,
} from "../plugins/kubernetes/fixtures.test-util.ts";
import type { KubernetesOptions } from "../plugins/kubernetes/kubernetes.ts";
import { type ClusterView, staticView } from "../plugins/kubernetes/view.ts";
import { encodeQuery } from "../testing/dig.ts";
import { viewServer } from "../testing/view-server.ts";
import { directEnabled, ReplyWriter } from "./direct.ts";
import { templateKey } from "./fastpath.ts";
import type { DnsServer } from "./server.ts";

const REMOTE: Remote = { address: "10.244.0.9", port: 40000, family: "IPv4" };

interface Built {
  server: DnsServer;
  cache: Cache;
  registry: Registry;
}

/** A server for `corefile`, whose `k8sview` directive is the kubernetes handler on `view`. */
async function build(
  corefile: string,
  view: ClusterView,
  k8s: Partial<KubernetesOptions>,
  direct: boolean,
): Promise<Built> {
  const { server, zone, registry } = await viewServer(corefile, view, options(k8s), { direct });
  assert.ok(zone.direct, "the block answers directly");
  return { server, cache: zone.direct.cache as Cache, registry };
}

/** The reply to `q`: a template or direct answer first, else the full path (as listeners.ts). */
async function ask(s: DnsServer, q: Buffer): Promise<{ reply: Buffer | undefined; fast: boolean }> {
  const key = templateKey(q);
  const fast = s.fast(q, "udp", "IPv4", key);
  if (fast) return { reply: fast, fast: true };
  let reply: Buffer | undefined;
  await s.handle(
    q,
    REMOTE,
    "udp",
    (out) => {
      reply = Buffer.from(out);
    },
    key,
    true,
  );
  return { reply, fast: false };
}

const NAMES = [
  "svc1.testns.svc.cluster.local",
  "svcempty.testns.svc.cluster.local",
  "svc6.testns.svc.cluster.local",
  "dual.testns.svc.cluster.local",
  "twoports.testns.svc.cluster.local",
  "noports.testns.svc.cluster.local",
  "hdls1.testns.svc.cluster.local",
  "hdlsnone.testns.svc.cluster.local",
  "hdls6.testns.svc.cluster.local",
  "external.testns.svc.cluster.local",
  "external-to-service.testns.svc.cluster.local",
  "external-ip.testns.svc.cluster.local",
  "svc1.other.svc.cluster.local",
  "long-service-name-of-sixty-three-characters-xxxxxxxxxxxxxxxxxxx.testns.svc.cluster.local",
  // Search-path tries and other names that are not there.
  "svc1.testns.svc.cluster.local.testns.svc.cluster.local",
  "svc1.svc.cluster.local",
  "nope.testns.svc.cluster.local",
  "svc1.nons.svc.cluster.local",
  "a.b.c.d.e.svc.cluster.local",
  // Endpoints, pods, the zone's own names.
  "hostname1.hdls1.testns.svc.cluster.local",
  "172-0-0-4.hdls1.testns.svc.cluster.local",
  "hdls1-pod-b.hdls1.testns.svc.cluster.local",
  "10-240-0-1.podns.pod.cluster.local",
  "1-2-3-4.podns.pod.cluster.local",
  "ns.dns.cluster.local",
  "dns-version.cluster.local",
  "cluster.local",
  "svc.cluster.local",
  "testns.svc.cluster.local",
  "testns.pod.cluster.local",
  // Named ports.
  "_http._tcp.svc1.testns.svc.cluster.local",
  "_http._tcp.twoports.testns.svc.cluster.local",
  "_dns._udp.twoports.testns.svc.cluster.local",
  "_http._tcp.hdls1.testns.svc.cluster.local",
  "_http._tcp.hdls6.testns.svc.cluster.local",
  "_http._tcp.dual.testns.svc.cluster.local",
  "_http._tcp.long-service-name-of-sixty-three-characters-xxxxxxxxxxxxxxxxxxx.testns.svc.cluster.local",
  "_nope._tcp.svc1.testns.svc.cluster.local",
  // Reverse names: a ClusterIP, endpoints, nothing, an IPv6 ClusterIP, not an address.
  "1.0.0.10.in-addr.arpa",
  "1.1.0.10.in-addr.arpa",
  "2.0.0.172.in-addr.arpa",
  "4.0.0.172.in-addr.arpa",
  "9.9.9.9.in-addr.arpa",
  "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.d.c.b.a.4.3.2.1.ip6.arpa",
  "in-addr.arpa",
  "x.in-addr.arpa",
  // Outside the zones, and spellings only the full path takes.
  "example.com",
  "SVC1.testns.svc.cluster.local",
  "Svc1.TestNs.Svc.Cluster.Local",
  "svc1.testns.svc.cluster.local.",
];
const TYPES: RecordType[] = ["A", "AAAA", "SRV", "PTR", "TXT", "MX", "CNAME"];
/** EDNS: none, a buffer size, DO, size 0, version 1 (BADVERS). */
const EDNS: Array<Record<string, number> | undefined> = [
  undefined,
  { udpPayloadSize: 1232, flags: 0 },
  { udpPayloadSize: 4096, flags: 0x8000 },
  { udpPayloadSize: 0, flags: 0 },
  { udpPayloadSize: 1232, flags: 0, ednsVersion: 1 },
];
/** Header flags: RD, RD and CD, none, AD. */
const FLAGS = [0x0100, 0x0110, 0, 0x0020];

function queries(): Buffer[] {
  const out: Buffer[] = [];
  let id = 1;
  for (const name of NAMES)
    for (const type of TYPES)
      for (const e of EDNS)
        for (const flags of FLAGS) {
          const additionals = e ? [{ type: "OPT", name: ".", ...e } as never] : [];
          const q = encodeQuery(name.endsWith(".") ? name : `${name}.`, type, id++ & 0xffff, {
            additionals,
            flags,
          });
          out.push(q);
        }
  return out;
}

/** The counters of the dns metrics (durations differ with timing). */
function counters(r: Registry): Promise<string> {
  return r.metrics().then((t) =>
    t
      .split("\n")
      .filter((l) => l.startsWith("coredns_") && !l.includes("duration_seconds"))
      .join("\n"),
  );
}

const kinds = (reply: Buffer) => {
  const qtype = reply.readUInt16BE(12 + skip(reply, 12));
  const an = reply.readUInt16BE(6);
  return `${qtype}/${reply[3] & 0xf}/${an > 0 ? "answer" : "none"}`;
};
function skip(b: Buffer, o: number): number {
  let n = 0;
  while (b[o + n] !== 0) n += b[o + n] + 1;
  return n + 1;
}

async function compare(
  corefile: string,
  view: ClusterView,
  k8s: Partial<KubernetesOptions>,
): Promise<Set<string>> {
  const full = await build(corefile, view, k8s, false);
  const direct = await build(corefile, view, k8s, true);
  let now = 1_000_000;
  full.cache.now = () => now;
  direct.cache.now = () => now;
  const qs = queries();
  const answered = new Set<string>();
  // The round-robin shuffle draws the same numbers however often it is called.
  const random = Math.random;
  Math.random = () => 0.42;
  try {
    await passes(full, direct, qs, answered, (ms) => {
      now += ms;
    });
  } finally {
    Math.random = random;
  }
  return answered;
}

async function passes(
  full: Built,
  direct: Built,
  qs: Buffer[],
  answered: Set<string>,
  wait: (ms: number) => void,
): Promise<void> {
  // A miss, the hit after it, and after the longest TTL has run out.
  for (const pass of [0, 1, 2]) {
    if (pass === 2) wait(3_700_000);
    for (const q of qs) {
      const a = await ask(full.server, q);
      const b = await ask(direct.server, q);
      assert.deepEqual(b.reply, a.reply, `pass ${pass}: ${q.toString("hex")}`);
      if (b.fast && !a.fast && b.reply) answered.add(kinds(b.reply));
    }
    assert.deepEqual(direct.cache.counts, full.cache.counts, `cache counts after pass ${pass}`);
    assert.equal(direct.cache.pcache.size, full.cache.pcache.size);
    assert.equal(direct.cache.ncache.size, full.cache.ncache.size);
    assert.equal(await counters(direct.registry), await counters(full.registry));
  }
}

const view = () => staticView({ services, slices, pods, namespaces, modified: 1700000000 });
const KUBEADM = ".:53 {\n  errors\n  prometheus 127.0.0.1:0\n  cache 30\n  loadbalance\n  k8sview\n}\n";

describe("direct answers", () => {
  test("are the full path's replies, cache entries and metrics (kubeadm's Corefile)", async () => {
    const answered = await compare(KUBEADM, view(), {
      podMode: "insecure",
      ttl: 30,
      fallthrough: ["in-addr.arpa.", "ip6.arpa."],
    });
    // Each form was answered directly at least once: A, AAAA, SRV, PTR, NXDOMAIN and NODATA.
    for (const k of [
      "1/0/answer",
      "28/0/answer",
      "33/0/answer",
      "12/0/answer",
      "1/3/none",
      "28/0/none",
      "33/3/none",
    ])
      assert.ok(answered.has(k), `${k} answered directly (${[...answered].join(" ")})`);
  });

  test("follow the cache's TTLs and the plugin's options", async () => {
    const corefile =
      ".:53 {\n  prometheus 127.0.0.1:0\n  cache {\n    success 100 3600 1\n    denial 100 2 1\n  }\n  k8sview\n}\n";
    const answered = await compare(corefile, view(), { ttl: 7, endpointPodNames: true });
    // Without fallthrough, a reverse name that is not there is a direct NXDOMAIN.
    assert.ok(answered.has("12/3/none"), [...answered].join(" "));
  });

  test("leave SERVFAIL before the first sync to the handler", async () => {
    const unsynced = staticView({ services, slices, pods, namespaces, synced: false, modified: 1 });
    await compare(KUBEADM, unsynced, { ttl: 30 });
  });

  test("of a service with a name of the longest labels fit, or go the full path", async () => {
    const name = "x".repeat(63);
    const ns = "y".repeat(63);
    const big = staticView({
      services: [
        svc(ns, name, {
          type: "ClusterIP",
          clusterIP: "10.0.9.9",
          clusterIPs: ["10.0.9.9"],
          ports: [{ name: "p".repeat(15), protocol: "TCP", port: 1 }],
        }),
      ],
      namespaces: [ns],
    });
    const full = await build(KUBEADM, big, { ttl: 30 }, false);
    const direct = await build(KUBEADM, big, { ttl: 30 }, true);
    for (const n of [
      `${name}.${ns}.svc.cluster.local.`,
      `_${"p".repeat(15)}._tcp.${name}.${ns}.svc.cluster.local.`,
    ]) {
      for (const type of ["A", "SRV"] as const) {
        const q = encodeQuery(n, type, 7);
        assert.deepEqual((await ask(direct.server, q)).reply, (await ask(full.server, q)).reply);
      }
    }
  });
});

test("ReplyWriter gives up on a reply that does not fit its limit", () => {
  const w = new ReplyWriter();
  const q = encodeQuery("a.b.", "A", 1);
  const out = Buffer.alloc(64);
  const question = {
    lname: "a.b.",
    qtype: "A",
    dnssecOK: false,
    cd: false,
    opt: false,
    udpSize: 0,
    end: q.length,
  };
  assert.equal(w.begin(out, 0, 10, q, question), false);
  assert.equal(w.begin(out, 0, 30, q, question), true);
  assert.equal(w.address("a.b.", 30, 4, "10.0.0.1"), false, "16 bytes of record after 21: no room");
  assert.equal(w.begin(out, 0, 64, q, question), true);
  assert.equal(w.address("a.b.", 30, 4, "10.0.0.1"), true);
  assert.equal(w.finish(30, question), 37);
});

test("SKIFF_DNS_DIRECT turns direct answers off, and says what it takes", () => {
  assert.equal(directEnabled({}), true);
  assert.equal(directEnabled({ SKIFF_DNS_DIRECT: "on" }), true);
  assert.equal(directEnabled({ SKIFF_DNS_DIRECT: "off" }), false);
  assert.throws(() => directEnabled({ SKIFF_DNS_DIRECT: "no" }), /SKIFF_DNS_DIRECT=no: expected on or off/);
});
