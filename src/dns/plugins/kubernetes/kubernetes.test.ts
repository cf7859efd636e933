/**
 * Every record form of the Kubernetes DNS specification 1.1.0 (kubernetes/dns
 * docs/specification.md) and CoreDNS's answers where the spec is silent (plugin/kubernetes
 * handler_test.go, handler_pod_*_test.go, reverse_test.go, plugin/backend_lookup.go), on plain
 * objects.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { Packet } from "dns-packet";
import { Cache } from "../../../client/index.ts";
import { answering } from "../../testing/fake.ts";
import { ask, plugin, pod, SOA, services, slice, slices, svc } from "./fixtures.test-util.ts";
import { CacheView, type Namespace, type Service, serviceIndexers, staticView } from "./view.ts";

type Case = [
  name: string,
  type: Parameters<typeof ask>[2],
  rcode: number,
  answer: string[],
  extra?: string[],
];

async function table(k: ReturnType<typeof plugin>, cases: Case[]) {
  for (const [name, type, rcode, answer, extra] of cases) {
    const r = await ask(k, name, type);
    assert.equal(r.rcode, rcode, `${name} ${type} rcode`);
    assert.deepEqual(r.answer, answer, `${name} ${type} answer`);
    if (extra) assert.deepEqual(r.extra, extra, `${name} ${type} extra`);
    assert.ok(r.aa, `${name} ${type}: authoritative`);
    // NXDOMAIN and NODATA carry exactly the zone's SOA in authority (plugin.BackendError).
    if (answer.length === 0) assert.equal(r.ns.length, 1, `${name} ${type} one SOA`);
    else assert.deepEqual(r.ns, []);
  }
}

describe("kubernetes: services", () => {
  test("ClusterIP A/AAAA per family, default TTL 5", () =>
    table(plugin(), [
      ["svc1.testns.svc.cluster.local.", "A", 0, ["svc1.testns.svc.cluster.local. 5 A 10.0.0.1"]],
      // spec 2.4.1: no AAAA for a single-stack IPv4 service: NODATA.
      ["svc1.testns.svc.cluster.local.", "AAAA", 0, []],
      ["svc6.testns.svc.cluster.local.", "AAAA", 0, ["svc6.testns.svc.cluster.local. 5 AAAA 1234:abcd::1"]],
      ["svc6.testns.svc.cluster.local.", "A", 0, []],
      ["dual.testns.svc.cluster.local.", "A", 0, ["dual.testns.svc.cluster.local. 5 A 10.0.0.3"]],
      ["dual.testns.svc.cluster.local.", "AAAA", 0, ["dual.testns.svc.cluster.local. 5 AAAA 1234:abcd::3"]],
      // A ClusterIP service answers even without endpoints.
      ["svcempty.testns.svc.cluster.local.", "A", 0, ["svcempty.testns.svc.cluster.local. 5 A 10.0.0.2"]],
      ["noports.testns.svc.cluster.local.", "A", 0, ["noports.testns.svc.cluster.local. 5 A 10.0.0.5"]],
    ]));

  test("SRV for named ports: priority 0, weight 100/n, target the service, address in additional", () =>
    table(plugin(), [
      [
        "_http._tcp.svc1.testns.svc.cluster.local.",
        "SRV",
        0,
        ["_http._tcp.svc1.testns.svc.cluster.local. 5 SRV 0 100 80 svc1.testns.svc.cluster.local."],
        ["svc1.testns.svc.cluster.local. 5 A 10.0.0.1"],
      ],
      // SRV without port/protocol labels lists every port; weights split between them.
      [
        "twoports.testns.svc.cluster.local.",
        "SRV",
        0,
        [
          "twoports.testns.svc.cluster.local. 5 SRV 0 50 80 twoports.testns.svc.cluster.local.",
          "twoports.testns.svc.cluster.local. 5 SRV 0 50 53 twoports.testns.svc.cluster.local.",
        ],
        ["twoports.testns.svc.cluster.local. 5 A 10.0.0.4"],
      ],
      [
        "_dns._udp.twoports.testns.svc.cluster.local.",
        "SRV",
        0,
        ["_dns._udp.twoports.testns.svc.cluster.local. 5 SRV 0 100 53 twoports.testns.svc.cluster.local."],
      ],
      // Dual-stack: one SRV (same target and port), both addresses; the weight counts both IPs.
      [
        "_http._tcp.dual.testns.svc.cluster.local.",
        "SRV",
        0,
        ["_http._tcp.dual.testns.svc.cluster.local. 5 SRV 0 50 80 dual.testns.svc.cluster.local."],
        ["dual.testns.svc.cluster.local. 5 A 10.0.0.3", "dual.testns.svc.cluster.local. 5 AAAA 1234:abcd::3"],
      ],
      // Wrong protocol or unknown port name: the name does not exist.
      ["_http._udp.svc1.testns.svc.cluster.local.", "SRV", 3, []],
      ["_nope._tcp.svc1.testns.svc.cluster.local.", "SRV", 3, []],
      // An A query for the SRV name answers the service address (findServices filters by port only).
      [
        "_http._tcp.svc1.testns.svc.cluster.local.",
        "A",
        0,
        ["_http._tcp.svc1.testns.svc.cluster.local. 5 A 10.0.0.1"],
      ],
      // No ports: the sentinel port -1 yields no SRV, the name exists: NODATA.
      ["noports.testns.svc.cluster.local.", "SRV", 0, []],
    ]));

  test("headless: A/AAAA of ready endpoints only, missing ready condition = ready", () =>
    table(plugin(), [
      [
        "hdls1.testns.svc.cluster.local.",
        "A",
        0,
        ["hdls1.testns.svc.cluster.local. 5 A 172.0.0.2", "hdls1.testns.svc.cluster.local. 5 A 172.0.0.4"],
      ],
      ["hdls1.testns.svc.cluster.local.", "AAAA", 0, []],
      [
        "hdls6.testns.svc.cluster.local.",
        "AAAA",
        0,
        ["hdls6.testns.svc.cluster.local. 5 AAAA 1234:abcd::10"],
      ],
      // spec 2.5.1 / CoreDNS: a headless service with no ready endpoints does not exist.
      ["hdlsnone.testns.svc.cluster.local.", "A", 3, []],
      ["hdlsnone.testns.svc.cluster.local.", "SRV", 3, []],
    ]));

  test("headless: endpoint names are the hostname, else the dashed IP", () =>
    table(plugin(), [
      [
        "hostname1.hdls1.testns.svc.cluster.local.",
        "A",
        0,
        ["hostname1.hdls1.testns.svc.cluster.local. 5 A 172.0.0.2"],
      ],
      [
        "172-0-0-4.hdls1.testns.svc.cluster.local.",
        "A",
        0,
        ["172-0-0-4.hdls1.testns.svc.cluster.local. 5 A 172.0.0.4"],
      ],
      // A not-ready endpoint has no name.
      ["172-0-0-3.hdls1.testns.svc.cluster.local.", "A", 3, []],
      // The pod name is not a name without endpoint_pod_names.
      ["hdls1-pod-b.hdls1.testns.svc.cluster.local.", "A", 3, []],
      [
        "1234-abcd--10.hdls6.testns.svc.cluster.local.",
        "AAAA",
        0,
        ["1234-abcd--10.hdls6.testns.svc.cluster.local. 5 AAAA 1234:abcd::10"],
      ],
      // Endpoint names exist for ClusterIP services too, and answer the endpoint's address.
      [
        "172-0-0-1.svc1.testns.svc.cluster.local.",
        "A",
        0,
        ["172-0-0-1.svc1.testns.svc.cluster.local. 5 A 172.0.0.1"],
      ],
    ]));

  test("endpoint_pod_names: the pod name replaces the dashed IP, not the hostname", () =>
    table(plugin({ endpointPodNames: true }), [
      [
        "hdls1-pod-b.hdls1.testns.svc.cluster.local.",
        "A",
        0,
        ["hdls1-pod-b.hdls1.testns.svc.cluster.local. 5 A 172.0.0.4"],
      ],
      ["172-0-0-4.hdls1.testns.svc.cluster.local.", "A", 3, []],
      [
        "hostname1.hdls1.testns.svc.cluster.local.",
        "A",
        0,
        ["hostname1.hdls1.testns.svc.cluster.local. 5 A 172.0.0.2"],
      ],
    ]));

  test("headless SRV: one record per ready endpoint and port, targets the endpoint names", () =>
    table(plugin(), [
      [
        "_http._tcp.hdls1.testns.svc.cluster.local.",
        "SRV",
        0,
        [
          "_http._tcp.hdls1.testns.svc.cluster.local. 5 SRV 0 50 80 hostname1.hdls1.testns.svc.cluster.local.",
          "_http._tcp.hdls1.testns.svc.cluster.local. 5 SRV 0 50 80 172-0-0-4.hdls1.testns.svc.cluster.local.",
        ],
        [
          "hostname1.hdls1.testns.svc.cluster.local. 5 A 172.0.0.2",
          "172-0-0-4.hdls1.testns.svc.cluster.local. 5 A 172.0.0.4",
        ],
      ],
    ]));

  test("ExternalName: CNAME; in-zone targets are chased, IP-looking names are not services", () =>
    table(plugin(), [
      [
        "external.testns.svc.cluster.local.",
        "A",
        0,
        ["external.testns.svc.cluster.local. 5 CNAME ext.interwebs.test."],
      ],
      [
        "external.testns.svc.cluster.local.",
        "CNAME",
        0,
        ["external.testns.svc.cluster.local. 5 CNAME ext.interwebs.test."],
      ],
      [
        "external-to-service.testns.svc.cluster.local.",
        "A",
        0,
        [
          "external-to-service.testns.svc.cluster.local. 5 CNAME svc1.testns.svc.cluster.local.",
          "svc1.testns.svc.cluster.local. 5 A 10.0.0.1",
        ],
      ],
      // No SRV for external services, no port names under them.
      ["external.testns.svc.cluster.local.", "SRV", 0, []],
      ["_http._tcp.external.testns.svc.cluster.local.", "SRV", 3, []],
      ["external-ip.testns.svc.cluster.local.", "A", 3, []],
    ]));

  test("ExternalName: an in-zone target is chased whatever case the query spells the zone in", () =>
    // backend_lookup.go uses dns.IsSubDomain against the configured zone: case-insensitive.
    table(plugin(), [
      [
        "external-to-service.testns.svc.CLUSTER.Local.",
        "A",
        0,
        [
          "external-to-service.testns.svc.CLUSTER.Local. 5 CNAME svc1.testns.svc.cluster.local.",
          "svc1.testns.svc.cluster.local. 5 A 10.0.0.1",
        ],
      ],
    ]));

  test("ExternalName: targets outside the zones are resolved through the rest of the chain", async () => {
    const k = plugin();
    k.upstream = async (req, name, qtype) => {
      assert.equal(name, "ext.interwebs.test.");
      assert.equal(qtype, "A");
      void req;
      const m: Packet = {
        type: "response",
        flags: 0,
        answers: [{ name, type: "A", class: "IN", ttl: 60, data: "93.184.216.34" }],
      };
      return m;
    };
    const r = await ask(k, "external.testns.svc.cluster.local.", "A");
    assert.deepEqual(r.answer, [
      "external.testns.svc.cluster.local. 5 CNAME ext.interwebs.test.",
      "ext.interwebs.test. 60 A 93.184.216.34",
    ]);
  });

  test("ignore empty_service: NXDOMAIN for ClusterIP services without ready endpoints", () =>
    table(plugin({ ignoreEmptyService: true }), [
      ["svcempty.testns.svc.cluster.local.", "A", 3, []],
      ["svc1.testns.svc.cluster.local.", "A", 0, ["svc1.testns.svc.cluster.local. 5 A 10.0.0.1"]],
      [
        "external.testns.svc.cluster.local.",
        "A",
        0,
        ["external.testns.svc.cluster.local. 5 CNAME ext.interwebs.test."],
      ],
    ]));

  test("namespaces: only the listed ones are exposed", () =>
    table(plugin({ namespaces: new Set(["other"]) }), [
      ["svc1.testns.svc.cluster.local.", "A", 3, []],
      ["svc1.other.svc.cluster.local.", "A", 0, ["svc1.other.svc.cluster.local. 5 A 10.0.1.1"]],
    ]));
});

describe("kubernetes: NXDOMAIN, NODATA, SOA, special names", () => {
  test("names that exist without records are NODATA; others NXDOMAIN", () =>
    table(plugin(), [
      ["cluster.local.", "A", 0, []],
      ["svc.cluster.local.", "A", 0, []],
      ["pod.cluster.local.", "A", 0, []],
      ["testns.svc.cluster.local.", "A", 0, []],
      // A namespace that does not exist is not a name.
      ["nons.svc.cluster.local.", "A", 3, []],
      ["svc1.nons.svc.cluster.local.", "A", 3, []],
      ["nosvc.testns.svc.cluster.local.", "A", 3, []],
      ["foo.cluster.local.", "A", 3, []],
      ["a.b.c.svc1.testns.svc.cluster.local.", "A", 3, []],
      // Wildcard names are gone from CoreDNS (match() is a plain case-insensitive compare).
      ["*.testns.svc.cluster.local.", "A", 3, []],
      ["svc1.*.svc.cluster.local.", "A", 3, []],
      ["any.testns.svc.cluster.local.", "A", 3, []],
      ["svc1.testns.svc.cluster.local.", "MX", 0, []],
      ["nosvc.testns.svc.cluster.local.", "MX", 3, []],
      ["svc1.testns.svc.cluster.local.", "TXT", 0, []],
      ["nosvc.testns.svc.cluster.local.", "TXT", 3, []],
      // SOA below the apex is NODATA whatever the name (CoreDNS answers only the apex SOA).
      ["nosvc.testns.svc.cluster.local.", "SOA", 0, []],
      ["svc1.testns.svc.cluster.local.", "NS", 0, []],
    ]));

  test("SOA fields: ns.dns and hostmaster, serial = last change, TTL min(ttl, 300), minimum = ttl", async () => {
    const r = await ask(plugin(), "nosvc.testns.svc.cluster.local.", "A");
    assert.deepEqual(r.ns, [SOA]);
    const apex = await ask(plugin(), "cluster.local.", "SOA");
    assert.deepEqual(apex.answer, [SOA]);
    const long = await ask(plugin({ ttl: 3600 }), "cluster.local.", "SOA");
    assert.match(long.answer[0], /^cluster\.local\. 300 SOA .* 3600$/);
  });

  test("dns-version TXT is 1.1.0 with TTL 28800 (spec 2.2)", () =>
    table(plugin(), [
      ["dns-version.cluster.local.", "TXT", 0, ["dns-version.cluster.local. 28800 TXT 1.1.0"]],
    ]));

  test("NS at the apex names ns.dns.<zone>, with its address in additional", async () => {
    const r = await ask(plugin(), "cluster.local.", "NS");
    assert.deepEqual(r.answer, ["cluster.local. 5 NS ns.dns.cluster.local."]);
    assert.deepEqual(r.extra, ["ns.dns.cluster.local. 5 A 127.0.0.1"]);
    const a = await ask(plugin(), "ns.dns.cluster.local.", "A");
    assert.deepEqual(a.answer, ["ns.dns.cluster.local. 5 A 127.0.0.1"]);
  });

  test("the query's case is kept in owner names and in the SOA", async () => {
    const k = plugin();
    const r = await ask(k, "SvC1.TestNS.svc.Cluster.Local.", "A");
    assert.deepEqual(r.answer, ["SvC1.TestNS.svc.Cluster.Local. 5 A 10.0.0.1"]);
    const nx = await ask(k, "Nope.TestNS.svc.Cluster.Local.", "A");
    assert.equal(nx.rcode, 3);
    assert.match(nx.ns[0], /^Cluster\.Local\. 5 SOA ns\.dns\.Cluster\.Local\. hostmaster\.Cluster\.Local\./);
    const srv = await ask(k, "_HTTP._tcp.svc1.testns.svc.CLUSTER.local.", "SRV");
    assert.deepEqual(srv.answer, [
      "_HTTP._tcp.svc1.testns.svc.CLUSTER.local. 5 SRV 0 100 80 svc1.testns.svc.CLUSTER.local.",
    ]);
  });

  test("before the first sync a name error is SERVFAIL (with the SOA), answers still flow", async () => {
    const k = plugin({}, staticView({ services, slices, namespaces: ["testns"], synced: false }));
    const r = await ask(k, "nosvc.testns.svc.cluster.local.", "A");
    assert.equal(r.rcode, 2);
    assert.equal(r.ns.length, 1);
    const ok = await ask(k, "svc1.testns.svc.cluster.local.", "A");
    assert.equal(ok.rcode, 0);
  });

  test("AXFR is refused; names outside the zones go to the next plugin", async () => {
    assert.equal((await ask(plugin(), "cluster.local.", "AXFR")).rcode, 5);
    const k = plugin();
    k.next = answering(0, { answers: 1 });
    const r = await ask(k, "example.org.", "A");
    assert.deepEqual(r.answer, ["example.org. 1 A 10.0.0.1"]);
  });

  test("ttl option applies to every record", () =>
    table(plugin({ ttl: 30 }), [
      ["svc1.testns.svc.cluster.local.", "A", 0, ["svc1.testns.svc.cluster.local. 30 A 10.0.0.1"]],
    ]));
});

describe("kubernetes: PTR", () => {
  test("ClusterIPs and ready endpoint IPs, IPv4 and IPv6", () =>
    table(plugin(), [
      ["1.0.0.10.in-addr.arpa.", "PTR", 0, ["1.0.0.10.in-addr.arpa. 5 PTR svc1.testns.svc.cluster.local."]],
      [
        "2.0.0.172.in-addr.arpa.",
        "PTR",
        0,
        ["2.0.0.172.in-addr.arpa. 5 PTR hostname1.hdls1.testns.svc.cluster.local."],
      ],
      [
        "4.0.0.172.in-addr.arpa.",
        "PTR",
        0,
        ["4.0.0.172.in-addr.arpa. 5 PTR 172-0-0-4.hdls1.testns.svc.cluster.local."],
      ],
      ["3.0.0.172.in-addr.arpa.", "PTR", 3, []],
      [
        "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.d.c.b.a.4.3.2.1.ip6.arpa.",
        "PTR",
        0,
        [
          "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.d.c.b.a.4.3.2.1.ip6.arpa. 5 PTR svc6.testns.svc.cluster.local.",
        ],
      ],
      ["9.9.9.10.in-addr.arpa.", "PTR", 3, []],
      // A partial reverse name is not a name the plugin knows.
      ["0.10.in-addr.arpa.", "PTR", 3, []],
    ]));

  test("fallthrough in-addr.arpa hands unknown reverse names on", async () => {
    const k = plugin({ fallthrough: ["in-addr.arpa.", "ip6.arpa."] });
    k.next = answering(3);
    const r = await ask(k, "9.9.9.10.in-addr.arpa.", "PTR");
    assert.equal(r.rcode, 3);
    assert.equal(r.ns.length, 0, "answered by the next plugin, not kubernetes");
    const own = await ask(k, "nosvc.testns.svc.cluster.local.", "A");
    assert.equal(own.ns.length, 1, "cluster.local is not in fallthrough");
  });
});

describe("kubernetes: pods", () => {
  test("disabled: every pod name is NXDOMAIN", () =>
    table(plugin(), [["10-240-0-1.podns.pod.cluster.local.", "A", 3, []]]));

  test("insecure: any well-formed dashed IP in an existing namespace", () =>
    table(plugin({ podMode: "insecure" }), [
      ["10-240-0-1.podns.pod.cluster.local.", "A", 0, ["10-240-0-1.podns.pod.cluster.local. 5 A 10.240.0.1"]],
      ["1-2-3-4.podns.pod.cluster.local.", "A", 0, ["1-2-3-4.podns.pod.cluster.local. 5 A 1.2.3.4"]],
      ["1-2-3-4.podns.pod.cluster.local.", "AAAA", 0, []],
      [
        "1234-abcd--1.podns.pod.cluster.local.",
        "AAAA",
        0,
        ["1234-abcd--1.podns.pod.cluster.local. 5 AAAA 1234:abcd::1"],
      ],
      ["not-an-ip.podns.pod.cluster.local.", "A", 3, []],
      ["1-2-3-4.nons.pod.cluster.local.", "A", 3, []],
      ["podns.pod.cluster.local.", "A", 0, []],
    ]));

  test("verified: only a running pod with that IP in that namespace", () =>
    table(plugin({ podMode: "verified" }), [
      ["10-240-0-1.podns.pod.cluster.local.", "A", 0, ["10-240-0-1.podns.pod.cluster.local. 5 A 10.240.0.1"]],
      ["1-2-3-4.podns.pod.cluster.local.", "A", 3, []],
      ["10-240-0-1.testns.pod.cluster.local.", "A", 3, []],
      // Succeeded pods are not listed (CoreDNS's status.phase field selector).
      ["10-240-0-2.podns.pod.cluster.local.", "A", 3, []],
    ]));

  test("autopath search path for a verified pod: ns.svc, svc, zone, then the host's search", () => {
    const k = plugin({ podMode: "verified" });
    k.autoPathSearch = ["example.org."];
    const req = {
      lname: "x.podns.svc.cluster.local.",
      remote: { address: "10.240.0.1", port: 1, family: "IPv4" as const },
    };
    assert.deepEqual(k.autoPath(req as Parameters<typeof k.autoPath>[0]), [
      "podns.svc.cluster.local.",
      "svc.cluster.local.",
      "cluster.local.",
      "example.org.",
      "",
    ]);
    const stranger = { ...req, remote: { ...req.remote, address: "10.9.9.9" } };
    assert.equal(k.autoPath(stranger as Parameters<typeof k.autoPath>[0]), undefined);
    const insecure = plugin({ podMode: "insecure" });
    assert.equal(insecure.autoPath(req as Parameters<typeof k.autoPath>[0]), undefined);
  });
});

describe("kubernetes: view edge cases", () => {
  test("several slices of one headless service are merged; slices of other services ignored", async () => {
    const view = staticView({
      services: [svc("ns", "h", { clusterIP: "None", clusterIPs: ["None"] })],
      slices: [
        slice("ns", "h", [{ addresses: ["10.1.0.1"] }], [], "IPv4", "h-a"),
        slice("ns", "h", [{ addresses: ["10.1.0.2"] }], [], "IPv4", "h-b"),
        slice("ns", "other", [{ addresses: ["10.1.0.3"] }], [], "IPv4", "o-a"),
      ],
      pods: [pod("ns", "p", "10.1.0.1")],
      namespaces: ["ns"],
    });
    const r = await ask(plugin({}, view), "h.ns.svc.cluster.local.", "A");
    assert.deepEqual(r.answer, [
      "h.ns.svc.cluster.local. 5 A 10.1.0.1",
      "h.ns.svc.cluster.local. 5 A 10.1.0.2",
    ]);
  });
});

describe("kubernetes: duplicates and shared records", () => {
  // Short answers are de-duplicated by scanning them, long ones with a Set: the same rules
  // (backend_lookup.go: one A per address, one SRV per target and port, one extra per target
  // and address; reverse.go: one PTR per name).
  for (const n of [4, 20]) {
    test(`a headless service with ${n} endpoints, 3 of them in two slices`, async () => {
      const ips = Array.from({ length: n }, (_, i) => `10.2.${n}.${i + 1}`);
      const view = staticView({
        services: [svc("ns", "h", { clusterIP: "None", clusterIPs: ["None"] })],
        slices: [
          slice(
            "ns",
            "h",
            ips.map((ip) => ({ addresses: [ip] })),
            undefined,
            "IPv4",
            "h-a",
          ),
          slice(
            "ns",
            "h",
            ips.slice(0, 3).map((ip) => ({ addresses: [ip] })),
            undefined,
            "IPv4",
            "h-b",
          ),
        ],
        namespaces: ["ns"],
      });
      const k = plugin({}, view);
      const a = await ask(k, "h.ns.svc.cluster.local.", "A");
      assert.deepEqual(
        a.answer,
        ips.map((ip) => `h.ns.svc.cluster.local. 5 A ${ip}`),
      );
      const target = (ip: string) => `${ip.replaceAll(".", "-")}.h.ns.svc.cluster.local.`;
      // The weight counts every endpoint record found, duplicates included: 100 / (n + 3).
      const weight = Math.floor(100 / (n + 3));
      const srv = await ask(k, "_http._tcp.h.ns.svc.cluster.local.", "SRV");
      assert.deepEqual(
        srv.answer,
        ips.map((ip) => `_http._tcp.h.ns.svc.cluster.local. 5 SRV 0 ${weight} 80 ${target(ip)}`),
      );
      assert.deepEqual(
        srv.extra,
        ips.map((ip) => `${target(ip)} 5 A ${ip}`),
      );
      const ptr = await ask(k, `2.${n}.2.10.in-addr.arpa.`, "PTR");
      assert.deepEqual(ptr.answer, [`2.${n}.2.10.in-addr.arpa. 5 PTR ${target(ips[1])}`]);
    });
  }

  test("denials share one frozen SOA per zone until the serial moves", async () => {
    let serial = 1700000000;
    const services = new Cache<Service>(serviceIndexers);
    const namespaces = new Cache<Namespace>();
    namespaces.upsert({ metadata: { name: "ns" } });
    const k = plugin({}, new CacheView({ services, namespaces, modified: () => serial }));
    const first = (await ask(k, "nope.ns.svc.cluster.local.")).msg.authorities?.[0];
    const again = (await ask(k, "other.ns.svc.cluster.local.", "AAAA")).msg.authorities?.[0];
    assert.ok(first && Object.isFrozen(first) && Object.isFrozen((first as { data: object }).data));
    assert.equal(again, first);
    serial++;
    const moved = await ask(k, "nope.ns.svc.cluster.local.");
    assert.notEqual(moved.msg.authorities?.[0], first);
    assert.deepEqual(moved.ns, [SOA.replace("1700000000", "1700000001")]);
    // The query's spelling of the zone is its own record.
    const upper = await ask(k, "nope.ns.svc.CLUSTER.local.");
    assert.deepEqual(upper.ns, [
      SOA.replace("1700000000", "1700000001").replaceAll("cluster.local.", "CLUSTER.local."),
    ]);
  });
});
