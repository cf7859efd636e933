/**
 * `skiff up`'s cluster DNS as a kubeadm cluster's CoreDNS (seed 003's walkthrough): the kube-dns
 * pods and their EndpointSlice, kubeadm's Corefile in the `coredns` ConfigMap, forwarding through
 * the pod's /etc/resolv.conf to a stub upstream on loopback, and edits of the ConfigMap applied
 * (a `hosts` block) or rejected (the running config keeps serving, a Warning Event says why).
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { parse as parseYaml } from "yaml";
import { defaultAnswer, type Stub, startStub } from "../../src/dns/plugins/forward/stub.ts";
import { dig } from "../../src/dns/testing/dig.ts";
import {
  kubectl,
  parseTable,
  removeDir,
  type SkiffProcess,
  startSkiff,
  tempDir,
  waitFor,
} from "./harness.ts";

let stub: Stub;
let skiff: SkiffProcess | undefined;
let dataDir = "";
let dnsPort = 0;

const k = (args: string[], input?: string) => kubectl(skiff!.kubeconfig, args, { input });

async function up(): Promise<void> {
  skiff = await startSkiff("up", ["--dns-upstream", `127.0.0.1:${stub.port}`], { dataDir });
  await waitFor("skiff is ready", () => (/skiff is ready/.test(skiff!.output()) ? true : undefined), 30_000);
  dnsPort = Number(/cluster DNS ready: udp [\d.]+:(\d+)/.exec(skiff.output())?.[1]);
  assert.ok(dnsPort > 0, skiff.output());
}

before(async () => {
  // The upstream knows example.org only: other names are NXDOMAIN, as a real resolver says.
  stub = await startStub((q) =>
    q.questions?.[0]?.name === "example.org" ? defaultAnswer(q) : defaultAnswer(q, 3),
  );
  dataDir = tempDir();
  await up();
});
after(async () => {
  if (skiff) assert.equal(await skiff.stop(), 0, "SIGTERM stops skiff up cleanly");
  await stub.stop();
  removeDir(dataDir);
});

const short = async (...args: string[]) => (await dig(dnsPort, "+short", ...args)).trim();

// kubeadm 1.33's Corefile (cmd/kubeadm/app/phases/addons/dns/manifests.go), cluster.local domain.
const kubeadmCorefile = `.:53 {
    errors
    health {
       lameduck 5s
    }
    ready
    kubernetes cluster.local in-addr.arpa ip6.arpa {
       pods insecure
       fallthrough in-addr.arpa ip6.arpa
       ttl 30
    }
    prometheus :9153
    forward . /etc/resolv.conf {
       max_concurrent 1000
    }
    cache 30 {
       disable success cluster.local
       disable denial cluster.local
    }
    loop
    reload
    loadbalance
}
`;

test("kube-dns pods run, their IPs back the kube-dns EndpointSlice, the ConfigMap holds kubeadm's Corefile", async () => {
  const pods = await waitFor("two Running kube-dns pods", async () => {
    const r = await k(["get", "pods", "-n", "kube-system", "-l", "k8s-app=kube-dns", "-o", "wide"]);
    const rows = parseTable(r.stdout);
    return rows.length === 2 &&
      rows.every((p) => p.STATUS === "Running" && p.READY === "1/1" && p.IP !== "<none>")
      ? rows
      : undefined;
  });
  for (const p of pods) assert.match(p.NAME, /^coredns-[a-z0-9]+-[a-z0-9]{5}$/);
  const podIPs = pods.map((p) => p.IP).sort();

  interface Slice {
    endpoints?: Array<{ addresses: string[]; conditions?: { ready?: boolean } }>;
    ports?: Array<{ name?: string; port?: number; protocol?: string }>;
  }
  const slice = await waitFor("the kube-dns EndpointSlice lists both pods", async () => {
    const r = await k([
      "get",
      "endpointslices",
      "-n",
      "kube-system",
      "-l",
      "kubernetes.io/service-name=kube-dns",
      "-o",
      "json",
    ]);
    const items = (JSON.parse(r.stdout) as { items: Slice[] }).items;
    const ips = items.flatMap((s) =>
      (s.endpoints ?? []).filter((e) => e.conditions?.ready).flatMap((e) => e.addresses),
    );
    return items.length === 1 && JSON.stringify(ips.sort()) === JSON.stringify(podIPs) ? items[0] : undefined;
  });
  // The Service's named ports (dns, dns-tcp, metrics) resolve to the pods' container ports.
  const ports = (slice.ports ?? []).map((p) => `${p.name}/${p.protocol}/${p.port}`).sort();
  assert.deepEqual(ports, ["dns-tcp/TCP/53", "dns/UDP/53", "metrics/TCP/9153"]);

  const cm = parseYaml(
    (await k(["-n", "kube-system", "get", "configmap", "coredns", "-o", "yaml"])).stdout,
  ) as {
    data: { Corefile: string };
  };
  assert.equal(cm.data.Corefile, kubeadmCorefile);
});

test("kubeadm's Corefile forwards through the pod's /etc/resolv.conf to the upstream, and answers cluster names", async () => {
  const before = stub.queries.length;
  assert.equal(await short("example.org", "A"), "192.0.2.1");
  assert.ok(
    stub.queries.slice(before).some((q) => q.msg.questions?.[0]?.name === "example.org"),
    "the query reached the stub upstream",
  );
  assert.equal(await short("kubernetes.default.svc.cluster.local"), "10.96.0.1");
  // The HTTP endpoints of health, ready and prometheus sit on --dns-addr with ports of their own.
  const http = /cluster DNS http: (.+)/.exec(skiff!.output())?.[1] ?? "";
  for (const [plugin, path, body] of [
    ["health", "/health", /^OK$/],
    ["ready", "/ready", /^OK$/],
    ["prometheus", "/metrics", /coredns_dns_requests_total/],
  ] as const) {
    const url = new RegExp(`${plugin} (http://127\\.0\\.0\\.1:\\d+${path})`).exec(http)?.[1];
    assert.ok(url, `${plugin} in ${http}`);
    const res = await waitFor(`${plugin} answers`, async () => {
      const r = await fetch(url);
      return r.status === 200 ? r.text() : undefined;
    });
    assert.match(res, body);
  }
});

// Seed 003's ConfigMap, as proper YAML.
const seedConfigMap = `apiVersion: v1
kind: ConfigMap
metadata:
  name: coredns
  namespace: kube-system
data:
  Corefile: |
    .:53 {
        kubernetes cluster.local in-addr.arpa ip6.arpa {
            pods insecure
            fallthrough in-addr.arpa ip6.arpa
        }
        hosts {
            10.1.2.3 external-db.local
            fallthrough
        }
        forward . /etc/resolv.conf
    }
`;

test("applying seed 003's ConfigMap adds a hosts entry; cluster and forwarded names keep resolving", async () => {
  assert.equal(await short("external-db.local"), "", "no such name before the edit");
  const r = await k(["apply", "-f", "-"], seedConfigMap);
  assert.equal(r.code, 0, r.stderr);
  await waitFor(
    "external-db.local → 10.1.2.3",
    async () => ((await short("external-db.local")) === "10.1.2.3" ? true : undefined),
    15_000,
  );
  assert.equal(await short("kubernetes.default.svc.cluster.local"), "10.96.0.1");
  assert.equal(await short("example.org"), "192.0.2.1");
});

test("a broken Corefile is rejected with its line, in the log and a Warning Event; the previous one keeps serving", async () => {
  const broken = seedConfigMap.replace(
    "        forward . /etc/resolv.conf\n",
    "        forward . /etc/resolv.conf\n        nosuchplugin\n",
  );
  assert.notEqual(broken, seedConfigMap);
  const r = await k(["apply", "-f", "-"], broken);
  assert.equal(r.code, 0, r.stderr);
  // Line 11 of the Corefile, in CoreDNS's words.
  const line = await waitFor(
    "the rejection in the log",
    () => /^.*Corefile rejected.*$/m.exec(skiff!.output())?.[0],
    15_000,
  );
  assert.match(line, /configmap kube-system\/coredns/);
  assert.match(line, /Corefile:11 - Error during parsing: Unknown directive 'nosuchplugin'/);
  const ev = await waitFor("a Warning Event on the ConfigMap", async () => {
    const out = await k([
      "get",
      "events",
      "-n",
      "kube-system",
      "--field-selector",
      "involvedObject.kind=ConfigMap,involvedObject.name=coredns",
      "-o",
      "json",
    ]);
    const items = (
      JSON.parse(out.stdout) as { items: Array<{ type: string; reason: string; message: string }> }
    ).items;
    return items.find((e) => e.type === "Warning");
  });
  assert.equal(ev.reason, "CorefileRejected");
  assert.match(ev.message, /Unknown directive 'nosuchplugin'/);
  assert.equal(await short("external-db.local"), "10.1.2.3");
  assert.equal(await short("example.org"), "192.0.2.1");
});

test("a restart keeps the user's ConfigMap; while its Corefile is broken, kubeadm's default serves until it is fixed", async () => {
  // The broken Corefile from the test before is still in the ConfigMap.
  assert.equal(await skiff!.stop(), 0);
  skiff = undefined;
  await up();
  assert.match(skiff!.output(), /Corefile rejected.*Unknown directive 'nosuchplugin'/);
  const cm = parseYaml(
    (await k(["-n", "kube-system", "get", "configmap", "coredns", "-o", "yaml"])).stdout,
  ) as {
    data: { Corefile: string };
  };
  assert.match(cm.data.Corefile, /nosuchplugin/, "skiff up did not overwrite the user's ConfigMap");
  assert.equal(await short("kubernetes.default.svc.cluster.local"), "10.96.0.1");
  assert.equal(await short("external-db.local"), "");
  assert.equal((await k(["apply", "-f", "-"], seedConfigMap)).code, 0);
  await waitFor(
    "external-db.local → 10.1.2.3 once the ConfigMap is fixed",
    async () => ((await short("external-db.local")) === "10.1.2.3" ? true : undefined),
    15_000,
  );
});
