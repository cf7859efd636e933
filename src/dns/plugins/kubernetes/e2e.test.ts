/**
 * End to end: Skiff's apiserver in-process, `startDNS` with the kubeadm-style kubernetes stanza
 * plus `cache`, and the real `dig` and `kdig` over UDP and TCP. EndpointSlices are written by the
 * test (no controllers run here).
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { promisify } from "node:util";
import { removeDir, tempDir, waitFor } from "../../../../test/e2e/harness.ts";
import { startTestServer, type TestServer } from "../../../../test/e2e/testserver.ts";
import type { KubeObject } from "../../../api/machinery/types.ts";
import { loadKubeconfig, RestClient } from "../../../client/index.ts";
import { type DNSInstance, startDNS } from "../../index.ts";
import { dig } from "../../testing/dig.ts";

const run = promisify(execFile);
const NS = "e2e";
const Z = "svc.cluster.local";

let ts: TestServer;
let dns: DNSInstance;
let rest: RestClient;
let port: number;
let dir: string;

const svcs = () =>
  rest.resource({ group: "", version: "v1", plural: "services", namespaced: true }).namespace(NS);
const slicesApi = () =>
  rest
    .resource({ group: "discovery.k8s.io", version: "v1", plural: "endpointslices", namespaced: true })
    .namespace(NS);

async function createService(name: string, spec: Record<string, unknown>): Promise<KubeObject> {
  return svcs().create({ apiVersion: "v1", kind: "Service", metadata: { name }, spec });
}

async function createSlice(
  service: string,
  endpoints: Array<{ addresses: string[]; hostname?: string; conditions?: { ready?: boolean } }>,
  addressType = "IPv4",
  name = `${service}-${addressType.toLowerCase()}`,
  annotations: Record<string, string> = {},
): Promise<void> {
  await slicesApi().create({
    apiVersion: "discovery.k8s.io/v1",
    kind: "EndpointSlice",
    metadata: { name, labels: { "kubernetes.io/service-name": service }, annotations },
    addressType,
    endpoints,
    ports: [{ name: "http", protocol: "TCP", port: 8080 }],
  });
}

/** `dig +short`, lines sorted. */
async function short(name: string, type = "A", ...flags: string[]): Promise<string[]> {
  const out = await dig(port, name, type, "+short", ...flags);
  return out
    .split("\n")
    .map((l) => l.trim())
    .filter(Boolean)
    .sort();
}

async function status(name: string, type = "A", ...flags: string[]): Promise<string> {
  const out = await dig(port, name, type, ...flags);
  return /status: (\w+)/.exec(out)?.[1] ?? `no status in ${out}`;
}

before(async () => {
  ts = await startTestServer();
  rest = new RestClient(loadKubeconfig(ts.kubeconfig));
  await rest
    .resource({ group: "", version: "v1", plural: "namespaces", namespaced: false })
    .create({ apiVersion: "v1", kind: "Namespace", metadata: { name: NS } });
  dir = tempDir("skiff-k8s-dns-");
  const corefile = `. {
    cache 30
    kubernetes cluster.local in-addr.arpa ip6.arpa {
        kubeconfig ${ts.kubeconfig}
        pods insecure
        fallthrough in-addr.arpa ip6.arpa
        ttl 30
    }
}
`;
  writeFileSync(join(dir, "Corefile"), corefile);
  dns = await startDNS({
    corefile,
    corefilePath: join(dir, "Corefile"),
    defaultPort: 0,
    defaultHost: "127.0.0.1",
    log: () => {},
  });
  port = dns.addresses[0].port;
});

after(async () => {
  await dns?.stop();
  rest?.close();
  // Also after the test that stopped the server itself: stopping it again is harmless.
  await ts?.stop();
  if (dir) removeDir(dir);
});

describe("kubernetes plugin end to end", () => {
  test("ClusterIP service: A over UDP and TCP, SRV on the named port, PTR, dns-version", async () => {
    const s = await createService("web", { ports: [{ name: "http", port: 80, protocol: "TCP" }] });
    const ip = s.spec.clusterIP as string;
    await waitFor(
      "web resolves",
      async () => ((await short(`web.${NS}.${Z}`)).length > 0 ? true : undefined),
      3000,
    );
    assert.deepEqual(await short(`web.${NS}.${Z}`), [ip]);
    assert.deepEqual(await short(`web.${NS}.${Z}`, "A", "+tcp"), [ip]);
    const { stdout } = await run("kdig", [`@127.0.0.1`, "-p", String(port), "+tcp", `web.${NS}.${Z}`, "A"]);
    assert.match(
      stdout,
      new RegExp(
        `web\\.${NS}\\.svc\\.cluster\\.local\\.\\s+(?:30|29|28)\\s+IN\\s+A\\s+${ip.replaceAll(".", "\\.")}`,
      ),
    );
    assert.deepEqual(await short(`_http._tcp.web.${NS}.${Z}`, "SRV"), [`0 100 80 web.${NS}.${Z}.`]);
    const srvFull = await dig(port, `_http._tcp.web.${NS}.${Z}`, "SRV");
    assert.match(
      srvFull,
      new RegExp(`ADDITIONAL SECTION:\\n\\S+\\s+(?:30|29|28)\\s+IN\\s+A\\s+${ip.replaceAll(".", "\\.")}`),
    );
    assert.deepEqual(await short(ip.split(".").reverse().join(".") + ".in-addr.arpa", "PTR"), [
      `web.${NS}.${Z}.`,
    ]);
    assert.deepEqual(await short("dns-version.cluster.local", "TXT"), ['"1.1.0"']);
    // Case is preserved in the owner name.
    const mixed = await dig(port, `WeB.${NS.toUpperCase()}.Svc.Cluster.Local`, "A", "+noall", "+answer");
    assert.match(
      mixed,
      new RegExp(`^WeB\\.${NS.toUpperCase()}\\.Svc\\.Cluster\\.Local\\.\\s+(30|29|28)\\s+IN\\s+A`, "m"),
    );
  });

  test("NXDOMAIN before a Service exists, the address right after it is created (cache on)", async () => {
    const name = `late.${NS}.${Z}`;
    const templated = async () =>
      Number(
        /^skiff_dns_template_replies_total\{[^}]*\} (\d+)/m.exec(await dns.registry.metrics())?.[1] ?? 0,
      );
    const t0 = await templated();
    // Without dig's cookie option the queries after the first are answered from the reply
    // template the miss left with its cache entry (server/fastpath.ts): the invalidation has to
    // reach that too.
    assert.equal(await status(name, "A", "+nocookie"), "NXDOMAIN");
    assert.equal(await status(name, "A", "+nocookie"), "NXDOMAIN", "from the template");
    assert.equal(await status(name, "A", "+nocookie"), "NXDOMAIN", "again");
    assert.equal((await templated()) - t0, 2);
    const s = await createService("late", { ports: [{ port: 80 }] });
    const started = Date.now();
    const got = await waitFor(
      "late resolves",
      async () => {
        const a = await short(name, "A", "+nocookie");
        return a.length > 0 ? a : undefined;
      },
      2000,
    );
    assert.deepEqual(got, [s.spec.clusterIP]);
    // The cached denial was dropped at once, not after its 30 s TTL.
    assert.ok(Date.now() - started < 1000, `took ${Date.now() - started} ms`);
  });

  test("headless: ready endpoints only, hostnames, dashed IPs, SRV, PTR, NXDOMAIN without ready endpoints", async () => {
    await createService("hl", { clusterIP: "None", ports: [{ name: "http", port: 8080 }] });
    await createSlice(
      "hl",
      [
        { addresses: ["10.200.0.1"], hostname: "host-a", conditions: { ready: true } },
        { addresses: ["10.200.0.2"] },
        { addresses: ["10.200.0.3"], conditions: { ready: false } },
      ],
      "IPv4",
      "hl-ipv4",
      { "endpoints.kubernetes.io/last-change-trigger-time": new Date().toISOString() },
    );
    await createService("hlnone", { clusterIP: "None", ports: [{ name: "http", port: 8080 }] });
    await createSlice("hlnone", [{ addresses: ["10.200.1.1"], conditions: { ready: false } }]);
    await waitFor(
      "hl resolves",
      async () => ((await short(`hl.${NS}.${Z}`)).length === 2 ? true : undefined),
      3000,
    );
    assert.deepEqual(await short(`hl.${NS}.${Z}`), ["10.200.0.1", "10.200.0.2"]);
    assert.deepEqual(await short(`host-a.hl.${NS}.${Z}`), ["10.200.0.1"]);
    assert.deepEqual(await short(`10-200-0-2.hl.${NS}.${Z}`), ["10.200.0.2"]);
    assert.deepEqual(await short(`_http._tcp.hl.${NS}.${Z}`, "SRV", "+tcp"), [
      `0 50 8080 10-200-0-2.hl.${NS}.${Z}.`,
      `0 50 8080 host-a.hl.${NS}.${Z}.`,
    ]);
    assert.deepEqual(await short("1.0.200.10.in-addr.arpa", "PTR"), [`host-a.hl.${NS}.${Z}.`]);
    assert.equal(await status(`hlnone.${NS}.${Z}`), "NXDOMAIN");
    // The trigger time annotation feeds CoreDNS's programming latency histogram.
    const metric = await dns.registry.getSingleMetricAsString(
      "coredns_kubernetes_dns_programming_duration_seconds",
    );
    assert.match(
      metric,
      /coredns_kubernetes_dns_programming_duration_seconds_count\{service_kind="headless_with_selector"\} 1/,
    );
    assert.match(metric, /le="0\.001"/);
    assert.equal(await status(`10-200-0-3.hl.${NS}.${Z}`), "NXDOMAIN");
    // AAAA of an IPv4-only headless service: NODATA, with the SOA.
    const nodata = await dig(port, `hl.${NS}.${Z}`, "AAAA");
    assert.match(nodata, /status: NOERROR/);
    assert.match(
      nodata,
      /AUTHORITY SECTION:\ncluster\.local\.\s+(?:30|29|28)\s+IN\s+SOA\s+ns\.dns\.cluster\.local\. hostmaster\.cluster\.local\./,
    );
  });

  test("dual-stack endpoints: A and AAAA, ip6.arpa PTR", async () => {
    await createService("ds", { clusterIP: "None", ports: [{ name: "http", port: 8080 }] });
    await createSlice("ds", [{ addresses: ["10.201.0.1"] }], "IPv4");
    await createSlice("ds", [{ addresses: ["fd00:10::1"] }], "IPv6");
    await waitFor(
      "ds AAAA",
      async () => ((await short(`ds.${NS}.${Z}`, "AAAA")).length > 0 ? true : undefined),
      3000,
    );
    assert.deepEqual(await short(`ds.${NS}.${Z}`, "A"), ["10.201.0.1"]);
    assert.deepEqual(await short(`ds.${NS}.${Z}`, "AAAA"), ["fd00:10::1"]);
    assert.deepEqual(await short(`fd00-10--1.ds.${NS}.${Z}`, "AAAA"), ["fd00:10::1"]);
    const { stdout } = await run("kdig", ["@127.0.0.1", "-p", String(port), "-x", "fd00:10::1", "+short"]);
    assert.equal(stdout.trim(), `fd00-10--1.ds.${NS}.${Z}.`);
  });

  test("ExternalName: CNAME to the external name", async () => {
    await createService("ext", { type: "ExternalName", externalName: "db.example.invalid" });
    await waitFor(
      "ext",
      async () => ((await short(`ext.${NS}.${Z}`, "CNAME")).length > 0 ? true : undefined),
      3000,
    );
    assert.deepEqual(await short(`ext.${NS}.${Z}`, "CNAME"), ["db.example.invalid."]);
  });

  test("ExternalName targets go through the whole server: hosts answers them, loops SERVFAIL", async () => {
    // CoreDNS's upstream.Lookup re-queries the server, so `hosts` (before kubernetes) answers the
    // target; two ExternalNames pointing at each other across zones end in SERVFAIL.
    await createService("corpdb", { type: "ExternalName", externalName: "db.corp.test" });
    await createService("loopa", { type: "ExternalName", externalName: `loopb.${NS}.svc.other.local` });
    await createService("loopb", { type: "ExternalName", externalName: `loopa.${NS}.svc.cluster.local` });
    const second = await startDNS({
      corefile: `. {
    hosts {
        10.9.9.9 db.corp.test
        fallthrough
    }
    kubernetes cluster.local other.local {
        kubeconfig ${ts.kubeconfig}
    }
}
`,
      corefilePath: join(dir, "Corefile"),
      defaultPort: 0,
      defaultHost: "127.0.0.1",
      log: () => {},
    });
    try {
      const p2 = second.addresses[0].port;
      const ask = async (name: string) =>
        (await dig(p2, name, "A", "+short"))
          .split("\n")
          .map((l) => l.trim())
          .filter(Boolean);
      await waitFor(
        "corpdb",
        async () => ((await ask(`corpdb.${NS}.${Z}`)).length > 0 ? true : undefined),
        3000,
      );
      assert.deepEqual(await ask(`corpdb.${NS}.${Z}`), ["db.corp.test.", "10.9.9.9"]);
      const loop = await dig(p2, `loopa.${NS}.${Z}`, "A");
      assert.match(loop, /status: SERVFAIL/);
    } finally {
      await second.stop();
    }
  });

  test("pods insecure: dashed-IP names in an existing namespace", async () => {
    assert.deepEqual(await short(`10-1-2-3.${NS}.pod.cluster.local`), ["10.1.2.3"]);
    assert.equal(await status("10-1-2-3.nope.pod.cluster.local"), "NXDOMAIN");
  });

  test("a large headless answer sets TC over UDP and comes whole over TCP", async () => {
    const endpoints = Array.from({ length: 80 }, (_, i) => ({
      addresses: [`10.202.${i >> 8}.${(i & 255) + 1}`],
    }));
    await createService("big", { clusterIP: "None", ports: [{ name: "http", port: 8080 }] });
    await createSlice("big", endpoints);
    await waitFor(
      "big",
      async () => ((await short(`big.${NS}.${Z}`, "A", "+tcp")).length === 80 ? true : undefined),
      3000,
    );
    const udp = await dig(port, `big.${NS}.${Z}`, "A", "+noedns", "+ignore");
    assert.match(udp, /flags: qr aa tc/);
    assert.equal((await short(`big.${NS}.${Z}`, "A", "+tcp")).length, 80);
  });

  test("with the apiserver stopped, cluster names keep being answered", async () => {
    await ts.server.stop();
    assert.equal((await short(`web.${NS}.${Z}`)).length, 1);
    assert.deepEqual(await short(`host-a.hl.${NS}.${Z}`, "A", "+tcp"), ["10.200.0.1"]);
    assert.equal(await status(`nope.${NS}.${Z}`), "NXDOMAIN");
  });
});
